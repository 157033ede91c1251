//! A local assigned what may be no model's records keeps its name's guess (issue 16, branch
//! `i2-rails`): `submissions = filter(…)` returning a service object's `Submissions::Filter
//! .call(…)`, `enterprise = find || build` over an untyped `@owner.owned_enterprises` (and a
//! method's parameter its callers pass it to), `cloned_submission = Submissions::Clone.call(…)`
//! (a role before the model's name). The value, where it does reach a model, still decides. On a fixture app scanned end to end: the exact lines, and a local whose name names
//! no model, or whose value reaches another model, not taken for the name's.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("guesses", Framework::Rails, files, tables)
}

const IMPORTER: &str = r#"class EnterpriseImporter
  def initialize(owner)
    @owner = owner
  end

  def import
    enterprise = find || build
    apply(enterprise)
  end

  def find
    @owner.owned_enterprises.find_by(visible: true)
  end

  def build
    @owner.owned_enterprises.new
  end

  def apply(enterprise)
    enterprise.website = 'w'
  end
end
"#;

const CONTROLLER: &str = r#"class SubmissionsController < ApplicationController
  COLUMNS = %i[id source].freeze

  def index
    submissions = filter(Submission.all)
    render json: submissions.select(COLUMNS)
  end

  def show
    draft = @template.submissions.first
    draft.source
    thing = Things::Finder.call(params)
    thing.source
    report = Reports::Monthly.call(params)
    report.website
    cloned_submission = Submissions::Clone.call(params)
    cloned_submission.source = :api
  end

  def filter(submissions)
    Submissions::Filter.call(submissions)
  end
end
"#;

#[test]
fn a_local_assigned_what_may_be_no_model_s_keeps_its_name_s_guess() {
    let tables: &[(&str, &[&str])] = &[
        ("enterprises", &["id", "website", "visible"]),
        ("submissions", &["id", "template_id", "source"]),
        ("templates", &["id"]),
        ("drafts", &["id", "source"]),
    ];
    let files = [
        ("app/models/enterprise.rb", "class Enterprise < ActiveRecord::Base\nend\n"),
        ("app/models/submission.rb", "class Submission < ActiveRecord::Base\n  belongs_to :template\nend\n"),
        ("app/models/template.rb", "class Template < ActiveRecord::Base\n  has_many :submissions\nend\n"),
        ("app/models/draft.rb", "class Draft < ActiveRecord::Base\nend\n"),
        ("app/services/enterprise_importer.rb", IMPORTER),
        ("app/controllers/submissions_controller.rb", CONTROLLER),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "enterprises.website"),
        set(&["app/models/enterprise.rb:1", "app/services/enterprise_importer.rb:20"])
    );
    // `draft` holds a submission (line 11); `thing` names no model.
    assert_eq!(
        uses(&result, "submissions.source"),
        set(&[
            "app/models/submission.rb:1",
            "app/controllers/submissions_controller.rb:2",
            "app/controllers/submissions_controller.rb:11",
            // A role before the model's name.
            "app/controllers/submissions_controller.rb:17",
        ])
    );
    assert_eq!(uses(&result, "drafts.source"), set(&["app/models/draft.rb:1"]));
}

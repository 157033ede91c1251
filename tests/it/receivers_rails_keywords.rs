//! Keyword arguments handed to the app's own methods (issue 16, branch `i2-rails`, docuseal's
//! `Submissions.create_from_emails(source: :api)`): a module's function or a class method that
//! writes a keyword parameter into a record under its own name, or hands it on to another such
//! method, makes its callers' key a use of that attribute. On a fixture app scanned end to end:
//! the exact lines, and keys the callee only reads, writes under another name, or a method of
//! another kind or namespace receives, not taken for it. And the same across files the other
//! way: a list of names a class method returns, permitted by its caller into a write.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("keywords", Framework::Rails, files, tables)
}

const SUBMISSIONS: &str = r#"module Submissions
  module_function

  def create_from_emails(template:, source:, mark_as_sent: false)
    submission = template.submissions.new(source:,
                                          account_id: 1)
    submission.save! if mark_as_sent
    submission
  end

  def create_from_submitters(template:, source:, name:)
    Submissions::CreateFromSubmitters.call(template:, source:, name:)
  end

  def resend(template:, source:)
    create_from_emails(template:, source:)
  end

  def mark(submission, source:)
    submission.source = source
  end
end
"#;

const CREATE_FROM_SUBMITTERS: &str = r#"module Submissions
  module CreateFromSubmitters
    module_function

    def call(template:, source:, name:)
      [1].map do |_|
        template.submissions.new(source: source, title: name)
      end
    end
  end
end
"#;

const CONTROLLER: &str = r#"class SubmissionsController < ApplicationController
  def create
    Submissions.create_from_emails(template: @template,
                                   source: :invite,
                                   mark_as_sent: true)
    Submissions.create_from_submitters(template: @template, source: :api, name: 'x')
    Reports.create_from_emails(source: :api)
    Importer.call(source: :csv)
    Submission.open(source: :web)
    Submissions.resend(template: @template, source: :again)
    Submissions.mark(@submission, source: :manual)
    Submission.pop(source: :api)
  end
end
"#;

/// Each traps one reading: a module whose function only reads the key, a class whose
/// instance method (not the class method `Importer.call`) writes it. (`Submission.pop` looks the
/// key up: a finder's condition is a value looked for, not a write.)
const REPORTS: &str = r#"module Reports
  module_function

  def create_from_emails(source:)
    Rails.logger.info(source)
  end
end
"#;

const IMPORTER: &str = r#"class Importer
  def call(source:)
    Submission.create!(source:)
  end

  def run
    build(source: :csv, name: 'n')
  end

  def build(source:, name:)
    Submission.new(source:, title: name)
  end
end
"#;

const SUBMISSION: &str = r#"class Submission < ActiveRecord::Base
  belongs_to :template

  def self.open(source:)
    create!(source:)
  end

  def self.pop(source: nil)
    where(source:).first
  end
end
"#;

#[test]
fn a_keyword_written_by_the_app_s_own_method_is_its_callers_use() {
    let tables: &[(&str, &[&str])] = &[
        ("submissions", &["id", "template_id", "source", "title", "name", "account_id", "mark_as_sent"]),
        ("templates", &["id", "source", "name"]),
    ];
    let files = [
        ("app/models/submission.rb", SUBMISSION),
        ("app/models/template.rb", "class Template < ActiveRecord::Base\n  has_many :submissions\nend\n"),
        ("lib/submissions.rb", SUBMISSIONS),
        ("lib/submissions/create_from_submitters.rb", CREATE_FROM_SUBMITTERS),
        ("lib/reports.rb", REPORTS),
        ("lib/importer.rb", IMPORTER),
        ("app/controllers/submissions_controller.rb", CONTROLLER),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "submissions.source"),
        set(&[
            "app/models/submission.rb:1",
            "app/models/submission.rb:5",
            "app/models/submission.rb:9",
            "lib/submissions.rb:5",
            // Handed on to `CreateFromSubmitters.call`, and to this module's own function.
            "lib/submissions.rb:12",
            "lib/submissions.rb:16",
            "lib/submissions.rb:20",
            "lib/submissions/create_from_submitters.rb:7",
            "lib/importer.rb:3",
            "lib/importer.rb:7",
            "lib/importer.rb:11",
            "app/controllers/submissions_controller.rb:4",
            "app/controllers/submissions_controller.rb:6",
            "app/controllers/submissions_controller.rb:9",
            "app/controllers/submissions_controller.rb:10",
            "app/controllers/submissions_controller.rb:11",
        ])
    );
    // `title: name` writes `title`: the callers' `name:` is no column of that name.
    assert_eq!(uses(&result, "submissions.name"), set(&["app/models/submission.rb:1"]));
    assert_eq!(
        uses(&result, "submissions.title"),
        set(&["app/models/submission.rb:1", "lib/submissions/create_from_submitters.rb:7", "lib/importer.rb:11"])
    );
    // Only read by the callee (a condition).
    assert_eq!(uses(&result, "submissions.mark_as_sent"), set(&["app/models/submission.rb:1"]));
    assert_eq!(uses(&result, "templates.source"), set(&["app/models/template.rb:1"]));
}

const TAG_RULE_ATTRIBUTES: &str = r#"module PermittedAttributes
  class TagRules
    def self.attributes
      [
        :id, :priority,
        { calculator_attributes: [:id] }
      ]
    end

    def self.sortable
      %i[priority]
    end
  end
end
"#;

const RULES_CONTROLLER: &str = r#"class EnterprisesController < ApplicationController
  def update_rules
    params[:rules].each_value do |attrs|
      rule = TagRule.find(attrs[:id])
      rule.update(attrs.permit(:is_default, PermittedAttributes::TagRules.attributes))
    end
  end
end
"#;

/// A class method returning a list of names (`PermittedAttributes::TagRules.attributes`),
/// permitted in another file into a write of a model's records: the names are that model's
/// attributes on the method's lines. A list nothing writes with names nothing.
#[test]
fn a_list_another_class_returns_names_what_its_caller_writes() {
    let tables: &[(&str, &[&str])] = &[("tag_rules", &["id", "priority", "is_default"])];
    let files = [
        ("app/models/tag_rule.rb", "class TagRule < ActiveRecord::Base\nend\n"),
        ("app/services/permitted_attributes/tag_rules.rb", TAG_RULE_ATTRIBUTES),
        ("app/controllers/enterprises_controller.rb", RULES_CONTROLLER),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "tag_rules.priority"),
        set(&["app/models/tag_rule.rb:1", "app/services/permitted_attributes/tag_rules.rb:5"])
    );
    assert_eq!(
        uses(&result, "tag_rules.is_default"),
        set(&["app/models/tag_rule.rb:1", "app/controllers/enterprises_controller.rb:5"])
    );
}

//! Rails idioms measured on an application tandem had not been tuned on (theodinproject at
//! 445f9da0, `benches/accuracy/theodinproject`), each on a fixture app scanned end to end: the
//! exact lines a column is used on, and the same word elsewhere not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{RAILS_APPLICATION_RECORD as APPLICATION_RECORD, set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("odin", Framework::Rails, files, tables)
}

const FLAG: &str = r#"class Flag < ApplicationRecord
  def resolve(action_taken:, resolved_by:)
    update(
      status: :resolved,
      action_taken:,
      resolved_by:
    )
  end

  def log(action_taken:)
    Rails.logger.info(action_taken)
  end
end
"#;

const BAN: &str = r#"class Flags::Actions::Ban < Flags::Actions::Base
  def perform
    flag.resolve(action_taken: :ban, resolved_by: admin_user)
    flag.log(action_taken: :ban)
    report.resolve(action_taken: :ban)
    Flag.find(1).resolve(action_taken: :dismiss, resolved_by: nil)
  end
end
"#;

/// A keyword handed to a model's own instance method (`flag.resolve(action_taken: :ban)`) that
/// writes it under its name (`update(action_taken:)`) is a use of that attribute on the
/// caller's line. Not a keyword the method only reads (`log`), nor one handed to another
/// model's method of the same name that it does not define (`report.resolve`).
#[test]
fn a_keyword_written_by_a_model_s_instance_method_is_its_callers_use() {
    let tables: &[(&str, &[&str])] =
        &[("flags", &["id", "status", "action_taken", "resolved_by_id"]), ("reports", &["id", "action_taken"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/flag.rb", FLAG),
        ("app/models/report.rb", "class Report < ApplicationRecord\nend\n"),
        ("app/models/flags/actions/ban.rb", BAN),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "flags.action_taken"),
        set(&[
            "app/models/flag.rb:1",
            "app/models/flag.rb:5",
            "app/models/flags/actions/ban.rb:3",
            "app/models/flags/actions/ban.rb:6",
        ])
    );
    assert_eq!(uses(&result, "reports.action_taken"), set(&["app/models/report.rb:1"]));
}

/// An association's scope lambda queries the associated model: `has_many :lessons, -> {
/// order(:position) }` in `Section` orders `lessons`, not `sections` (which `Course`'s
/// `has_many :sections, -> { order(:position) }` orders).
#[test]
fn an_association_scope_orders_the_associated_table() {
    let tables: &[(&str, &[&str])] = &[
        ("courses", &["id", "position"]),
        ("sections", &["id", "course_id", "position"]),
        ("lessons", &["id", "section_id", "position"]),
    ];
    let files = [
        APPLICATION_RECORD,
        (
            "app/models/course.rb",
            "class Course < ApplicationRecord\n  has_many :sections, -> { order(:position) }\nend\n",
        ),
        (
            "app/models/section.rb",
            "class Section < ApplicationRecord\n  belongs_to :course\n  has_many :lessons, -> { order(:position) }, inverse_of: :section\n\n  validates :position, presence: true\nend\n",
        ),
        ("app/models/lesson.rb", "class Lesson < ApplicationRecord\n  belongs_to :section\nend\n"),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "sections.position"),
        set(&["app/models/section.rb:1", "app/models/section.rb:5", "app/models/course.rb:2"])
    );
    assert_eq!(uses(&result, "lessons.position"), set(&["app/models/lesson.rb:1", "app/models/section.rb:3"]));
    assert_eq!(uses(&result, "courses.position"), set(&["app/models/course.rb:1"]));
}

const TEAM_MEMBERS_CONTROLLER: &str = r#"class Admin::TeamMembersController < Admin::BaseController
  def destroy
    team_member = AdminUser.find(params[:id])
    team_member.create_activity(key: 'admin_user.removed', owner: current_admin_user)
    redirect_to admin_team_path if params.key?(:back)
  end
end
"#;

/// public_activity's `record.create_activity(key: "…", owner: …)` writes a row of the gem's
/// `activities` table (`PublicActivity::Activity`): its `key:` is `activities.key`, whatever
/// the record. Not the app's own `api_keys.key`, nor `params.key?`.
#[test]
fn public_activity_s_writer_writes_the_activities_table() {
    let tables: &[(&str, &[&str])] = &[
        ("activities", &["id", "key", "owner_id", "owner_type", "trackable_id", "trackable_type"]),
        ("admin_users", &["id", "email"]),
        ("api_keys", &["id", "key"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("app/models/admin_user.rb", "class AdminUser < ApplicationRecord\n  include PublicActivity::Common\nend\n"),
        ("app/models/api_key.rb", "class ApiKey < ApplicationRecord\nend\n"),
        ("app/controllers/admin/team_members_controller.rb", TEAM_MEMBERS_CONTROLLER),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "activities.key"), set(&["app/controllers/admin/team_members_controller.rb:4"]));
    assert_eq!(uses(&result, "api_keys.key"), set(&["app/models/api_key.rb:1"]));
}

const APPLICATION_CONTROLLER: &str = r#"class ApplicationController < ActionController::Base
  before_action :configure_permitted_parameters, if: :devise_controller?

  protected

  def configure_permitted_parameters
    devise_parameter_sanitizer.permit(:account_update) do |u|
      u.permit(:email, :password, :learning_goal)
    end
    devise_parameter_sanitizer.permit(:sign_up, keys: %i[username])
  end
end
"#;

/// Devise's sanitizer in its block form (`permit(:account_update) do |u| u.permit(…) end`)
/// names the Devise resource's attributes, as its `keys:` form does. Not another model's.
#[test]
fn devise_s_sanitizer_block_names_the_resource_s_attributes() {
    let tables: &[(&str, &[&str])] =
        &[("users", &["id", "email", "username", "learning_goal"]), ("profiles", &["id", "learning_goal"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/user.rb", "class User < ApplicationRecord\n  devise :database_authenticatable\nend\n"),
        ("app/models/profile.rb", "class Profile < ApplicationRecord\nend\n"),
        ("app/controllers/application_controller.rb", APPLICATION_CONTROLLER),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "users.learning_goal"),
        set(&["app/models/user.rb:1", "app/controllers/application_controller.rb:8"])
    );
    assert_eq!(
        uses(&result, "users.username"),
        set(&["app/models/user.rb:1", "app/controllers/application_controller.rb:10"])
    );
    assert_eq!(uses(&result, "profiles.learning_goal"), set(&["app/models/profile.rb:1"]));
}

const SUBMISSIONS_CONTROLLER: &str = r#"class Lessons::ProjectSubmissionsController < ApplicationController
  def new
    @lesson = Lesson.find(params[:lesson_id])
    @project_submission = ProjectSubmission.new
  end
end
"#;

/// `form_with model:` (Ruby 3.1's shorthand for `model: model`) in a partial whose callers pass
/// `model: [@lesson, @project_submission]` (the nested route's shape, the record last): the
/// form's fields are the last record's. Not the parent's same-named column.
#[test]
fn a_form_on_a_partial_local_holding_a_nested_route_is_the_last_record_s() {
    let tables: &[(&str, &[&str])] =
        &[("lessons", &["id", "live_preview_url"]), ("project_submissions", &["id", "lesson_id", "live_preview_url"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/lesson.rb", "class Lesson < ApplicationRecord\n  has_many :project_submissions\nend\n"),
        (
            "app/models/project_submission.rb",
            "class ProjectSubmission < ApplicationRecord\n  belongs_to :lesson\nend\n",
        ),
        ("app/controllers/lessons/project_submissions_controller.rb", SUBMISSIONS_CONTROLLER),
        (
            "app/views/lessons/project_submissions/new.html.erb",
            "<%= render 'project_submissions/form', project_submission: @project_submission, model: [@lesson, @project_submission] %>\n",
        ),
        (
            "app/views/project_submissions/_form.html.erb",
            "<%= form_with model:, class: 'w-full' do |form| %>\n  <%= form.label :live_preview_url, 'Live preview' %>\n  <%= form.text_field :live_preview_url %>\n<% end %>\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "project_submissions.live_preview_url"),
        set(&[
            "app/models/project_submission.rb:1",
            "app/views/project_submissions/_form.html.erb:2",
            "app/views/project_submissions/_form.html.erb:3",
        ])
    );
    assert_eq!(uses(&result, "lessons.live_preview_url"), set(&["app/models/lesson.rb:1"]));
}

const FLAG_SUBMISSION: &str = r#"module Notifications
  class FlagSubmission
    delegate :reason, :extra, to: :flag, private: true

    def initialize(flag)
      @flag = flag
    end

    def message
      "Reason: #{reason}\n" \
        "Extra: #{extra}\n"
    end

    def title(extra)
      extra.upcase
    end

    private

    attr_reader :flag
  end
end
"#;

/// A bare call of a method `delegate :reason, to: :flag` defines (no prefix) reads the
/// delegate's attribute, inside a string's `#{…}` too. Not a parameter of the same name.
#[test]
fn a_bare_call_of_a_delegated_method_reads_the_delegate_s_attribute() {
    let tables: &[(&str, &[&str])] = &[("flags", &["id", "reason", "extra"]), ("reports", &["id", "reason", "extra"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/flag.rb", "class Flag < ApplicationRecord\nend\n"),
        ("app/models/report.rb", "class Report < ApplicationRecord\nend\n"),
        ("app/services/notifications/flag_submission.rb", FLAG_SUBMISSION),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "flags.reason"),
        set(&[
            "app/models/flag.rb:1",
            "app/services/notifications/flag_submission.rb:3",
            "app/services/notifications/flag_submission.rb:10",
        ])
    );
    assert_eq!(
        uses(&result, "flags.extra"),
        set(&[
            "app/models/flag.rb:1",
            "app/services/notifications/flag_submission.rb:3",
            "app/services/notifications/flag_submission.rb:11",
        ])
    );
    assert_eq!(uses(&result, "reports.reason"), set(&["app/models/report.rb:1"]));
}

const LESSON: &str = r#"class Lesson < ApplicationRecord
  has_one :content
  delegate :body, to: :content

  def excerpt
    body.truncate(20)
  end
end
"#;

const LESSON_POLICY: &str = r#"class LessonPolicy < ApplicationPolicy
  delegate :body, to: :record

  def show?
    body.present?
  end
end
"#;

/// In a model, a bare call of a delegated method reads through the association `to:` names
/// (`has_one :content`); a class whose `to:` names no model (a policy's `record`) reads nothing.
#[test]
fn a_model_s_delegated_method_reads_through_its_association() {
    let tables: &[(&str, &[&str])] = &[("lessons", &["id", "title"]), ("contents", &["id", "lesson_id", "body"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/lesson.rb", LESSON),
        ("app/models/content.rb", "class Content < ApplicationRecord\n  belongs_to :lesson\nend\n"),
        ("app/policies/lesson_policy.rb", LESSON_POLICY),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "contents.body"),
        set(&[
            "app/models/content.rb:1",
            "app/models/lesson.rb:3",
            "app/models/lesson.rb:6",
            // The `delegate` line itself still types `to:` by its camelized name (`Record`,
            // every model through `ApplicationRecord`): left as it was (docs/accuracy.md).
            "app/policies/lesson_policy.rb:2",
        ])
    );
}

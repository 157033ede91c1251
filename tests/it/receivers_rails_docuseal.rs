//! Generic Rails idioms a never-seen application showed (docuseal at a2d8b855,
//! `benches/accuracy/docuseal`, issue 16): constants naming columns used on a later line, a
//! record picked by `max_by`, a form builder handed to a partial by Ruby 3.1's shorthand, a
//! permit list held in a `%i[]` local, `button_to`'s nested params. Each on a fixture app
//! scanned end to end: the exact lines a column is used on, and the same shape on a value that
//! is no record (or the same word on another table) not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("docs", Framework::Rails, files, tables)
}

/// A constant list or `{ only: […] }` hash later handed to `as_json`, `as_json(only:)` or
/// `select` (through a ternary too) on typed records names that model's columns on the
/// constant's line; the same constant handed to a method of no record, or a hash constant
/// iterated, names nothing.
#[test]
fn a_constant_naming_columns_is_read_where_a_record_uses_it() {
    let tables: &[(&str, &[&str])] = &[
        ("submitters", &["id", "opened_at", "declined_at"]),
        ("templates", &["id", "shared_link"]),
        ("submissions", &["id", "expire_at"]),
        ("webhooks", &["id", "opened_at", "shared_link", "expire_at"]),
    ];
    let serialize = "module Submitters\n  module SerializeForApi\n    SERIALIZE_PARAMS = {\n      only: %i[id\n               opened_at],\n      methods: %i[status]\n    }.freeze\n\n    module_function\n\n    def call(submitter)\n      submitter.as_json(SERIALIZE_PARAMS)\n    end\n  end\nend\n";
    let templates = "module Templates\n  BUILDER_FIELDS = %i[id name\n                      shared_link].freeze\n\n  module_function\n\n  def serialize(template)\n    template.as_json(only: BUILDER_FIELDS)\n  end\nend\n";
    let controller = "class SubmissionsController < ApplicationController\n  COLUMNS = %i[id\n               expire_at].freeze\n\n  def index\n    submissions = Submission.where(id: params[:ids])\n    render json: submissions.select(params[:full] ? nil : COLUMNS)\n  end\nend\n";
    let traps = "module Reports\n  PARAMS = { only: %i[declined_at] }.freeze\n  OPTIONS = { expire_at: 1 }.freeze\n\n  module_function\n\n  def call(payload)\n    payload.as_json(PARAMS)\n    OPTIONS.each do |key, value|\n      Submission.where(key => value)\n    end\n  end\nend\n";
    let files = [
        ("app/models/submitter.rb", "class Submitter < ActiveRecord::Base\nend\n"),
        ("app/models/template.rb", "class Template < ActiveRecord::Base\nend\n"),
        ("app/models/submission.rb", "class Submission < ActiveRecord::Base\nend\n"),
        ("app/models/webhook.rb", "class Webhook < ActiveRecord::Base\nend\n"),
        ("lib/submitters/serialize_for_api.rb", serialize),
        ("lib/templates.rb", templates),
        ("app/controllers/submissions_controller.rb", controller),
        ("lib/reports.rb", traps),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "submitters.opened_at"),
        set(&["app/models/submitter.rb:1", "lib/submitters/serialize_for_api.rb:5"])
    );
    assert_eq!(uses(&result, "submitters.declined_at"), set(&["app/models/submitter.rb:1"]));
    assert_eq!(uses(&result, "templates.shared_link"), set(&["app/models/template.rb:1", "lib/templates.rb:3"]));
    assert_eq!(
        uses(&result, "submissions.expire_at"),
        set(&["app/models/submission.rb:1", "app/controllers/submissions_controller.rb:3"])
    );
    for column in ["opened_at", "shared_link", "expire_at"] {
        assert_eq!(uses(&result, &format!("webhooks.{column}")), set(&["app/models/webhook.rb:1"]));
    }
}

/// `max_by`/`min_by` over an association's records give one of them, as `first` does; over a
/// list of hashes they give a hash.
#[test]
fn max_by_over_records_is_one_record() {
    let tables: &[(&str, &[&str])] = &[
        ("webhook_events", &["id", "status"]),
        ("webhook_attempts", &["id", "webhook_event_id", "response_status_code"]),
    ];
    let files = [
        ("app/models/webhook_event.rb", "class WebhookEvent < ActiveRecord::Base\n  has_many :webhook_attempts\nend\n"),
        (
            "app/models/webhook_attempt.rb",
            "class WebhookAttempt < ActiveRecord::Base\n  belongs_to :webhook_event\nend\n",
        ),
        (
            "app/views/webhook_events/_event_row.html.erb",
            "<div>\n  <%= webhook_event.webhook_attempts.max_by(&:id)&.response_status_code %>\n  <%= webhook_event.webhook_attempts.min_by { |a| a.id }.response_status_code %>\n  <%= [{ response_status_code: 1 }].max_by { |h| h[:id] }[:response_status_code] %>\n</div>\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "webhook_attempts.response_status_code"),
        set(&[
            "app/models/webhook_attempt.rb:1",
            "app/views/webhook_events/_event_row.html.erb:2",
            "app/views/webhook_events/_event_row.html.erb:3"
        ])
    );
}

/// `render 'role_select', f:` (Ruby 3.1's shorthand for `f: f`) hands the partial the form
/// builder as `f: f` does; a partial given another local of that name is not the form.
#[test]
fn a_form_builder_passed_by_shorthand_reaches_the_partial() {
    let tables: &[(&str, &[&str])] = &[("users", &["id", "role"]), ("accounts", &["id", "role"])];
    let files = [
        ("app/models/user.rb", "class User < ActiveRecord::Base\nend\n"),
        ("app/models/account.rb", "class Account < ActiveRecord::Base\nend\n"),
        (
            "app/views/users/_form.html.erb",
            "<%= form_for @user do |f| %>\n  <%= render 'role_select', f: %>\n<% end %>\n",
        ),
        ("app/views/users/_role_select.html.erb", "<%= f.label :role %>\n<%= f.select :role, [] %>\n"),
        ("app/views/accounts/show.html.erb", "<% f = 1 %>\n<%= render 'plain', f: %>\n"),
        ("app/views/accounts/_plain.html.erb", "<%= f.label :role %>\n"),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "users.role"),
        set(&[
            "app/models/user.rb:1",
            "app/views/users/_role_select.html.erb:1",
            "app/views/users/_role_select.html.erb:2"
        ])
    );
    assert_eq!(uses(&result, "accounts.role"), set(&["app/models/account.rb:1"]));
}

/// A permit list held in a `%i[]` local (grown by `<<`) permits the model's attributes as the
/// same list written `[:a, :b]` does.
#[test]
fn a_permit_list_in_a_symbol_array_local_permits_attributes() {
    let tables: &[(&str, &[&str])] = &[
        ("users", &["id", "email", "otp_required_for_login", "role"]),
        ("accounts", &["id", "otp_required_for_login"]),
    ];
    let controller = "class UsersController < ApplicationController\n  def update\n    @user.update(user_params)\n  end\n\n  private\n\n  def user_params\n    if params.key?(:user)\n      permitted_params = %i[email first_name otp_required_for_login]\n\n      permitted_params << :role if admin?\n\n      params.require(:user).permit(permitted_params)\n    else\n      {}\n    end\n  end\nend\n";
    let files = [
        ("app/models/user.rb", "class User < ActiveRecord::Base\nend\n"),
        ("app/models/account.rb", "class Account < ActiveRecord::Base\nend\n"),
        ("app/controllers/users_controller.rb", controller),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "users.otp_required_for_login"),
        set(&["app/models/user.rb:1", "app/controllers/users_controller.rb:10"])
    );
    assert_eq!(uses(&result, "users.role"), set(&["app/models/user.rb:1", "app/controllers/users_controller.rb:12"]));
    assert_eq!(uses(&result, "accounts.otp_required_for_login"), set(&["app/models/account.rb:1"]));
}

/// `button_to …, params: { template: { shared_link: true } }` posts the model's attribute as a
/// form field named `template[shared_link]` does; a key naming no model, and a flat key, name
/// nothing.
#[test]
fn button_to_nested_params_name_the_model_s_attributes() {
    let tables: &[(&str, &[&str])] = &[("templates", &["id", "shared_link"]), ("links", &["id", "shared_link"])];
    let files = [
        ("app/models/template.rb", "class Template < ActiveRecord::Base\nend\n"),
        ("app/models/link.rb", "class Link < ActiveRecord::Base\nend\n"),
        (
            "app/views/templates/share.html.erb",
            "<%= button_to 'Enable', share_path(@template), params: { template: { shared_link: true }, redir: '/' }, method: :post %>\n<%= button_to 'Off', share_path(@template), params: { options: { shared_link: false } } %>\n<%= button_to 'Flat', share_path(@template), params: { shared_link: false } %>\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "templates.shared_link"),
        set(&["app/models/template.rb:1", "app/views/templates/share.html.erb:1"])
    );
    assert_eq!(uses(&result, "links.shared_link"), set(&["app/models/link.rb:1"]));
}

/// `Array.wrap(attrs).filter_map do … submission end` is a list of the block's records: handed
/// to a method, its parameter is that list (not an `Array` model's); in a view, `filter_map {
/// … submission.submitters.find { … } }` lists submitters, and so do its `first` and its
/// iteration. A `map` into strings types nothing.
#[test]
fn a_list_mapped_from_records_holds_those_records() {
    let tables: &[(&str, &[&str])] = &[
        ("templates", &["id"]),
        ("submissions", &["id", "template_id", "expire_at"]),
        ("submitters", &["id", "submission_id", "declined_at"]),
        ("arrays", &["id", "expire_at"]),
    ];
    let service = "module Submissions\n  module CreateFromSubmitters\n    module_function\n\n    def call(template:, attrs:)\n      submissions = Array.wrap(attrs).filter_map do |item|\n        submission = template.submissions.new(name: item[:name])\n        submission.tap(&:save!)\n      end\n\n      maybe_enqueue(submissions)\n      names = Array.wrap(attrs).map { |item| item.to_s }\n      report(names)\n    end\n\n    def maybe_enqueue(list)\n      list.each do |one|\n        one.expire_at?\n      end\n    end\n\n    def report(names)\n      names.each { |row| row.expire_at }\n    end\n  end\nend\n";
    let view = "<% submitters = submission.template.items.filter_map { |item| submission.submitters.find { |e| e.id == item['id'] } } %>\n<% submitter = submitters.first %>\n<%= submitter.declined_at %>\n<% submitters.each_with_index do |one, index| %>\n  <%= one.declined_at %>\n<% end %>\n";
    let files = [
        ("app/models/template.rb", "class Template < ActiveRecord::Base\n  has_many :submissions\nend\n"),
        (
            "app/models/submission.rb",
            "class Submission < ActiveRecord::Base\n  belongs_to :template\n  has_many :submitters\nend\n",
        ),
        ("app/models/submitter.rb", "class Submitter < ActiveRecord::Base\n  belongs_to :submission\nend\n"),
        ("app/models/array.rb", "class Array < ActiveRecord::Base\nend\n"),
        ("lib/submissions/create_from_submitters.rb", service),
        ("app/views/templates/_submission.html.erb", view),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "submissions.expire_at"),
        set(&["app/models/submission.rb:1", "lib/submissions/create_from_submitters.rb:18"])
    );
    assert_eq!(
        uses(&result, "submitters.declined_at"),
        set(&[
            "app/models/submitter.rb:1",
            "app/views/templates/_submission.html.erb:3",
            "app/views/templates/_submission.html.erb:5"
        ])
    );
    assert_eq!(uses(&result, "arrays.expire_at"), set(&["app/models/array.rb:1"]));
}

/// `preload`/`includes` of a `belongs_to` loads it through its foreign key, as its reader does
/// (`folder.parent_folder`); nested (`folder: :parent_folder`) on the association's model. A
/// `has_many` preloaded reads the associated table's key (here the same table's
/// `parent_folder_id`, branch `i2-rails`), and a symbol given to another method is no
/// association.
#[test]
fn preloading_a_belongs_to_reads_its_foreign_key() {
    let tables: &[(&str, &[&str])] = &[
        ("templates", &["id", "folder_id", "author_id"]),
        ("template_folders", &["id", "parent_folder_id"]),
        ("users", &["id"]),
    ];
    let folder = "class TemplateFolder < ActiveRecord::Base\n  belongs_to :parent_folder, class_name: 'TemplateFolder', optional: true\n  has_many :subfolders, class_name: 'TemplateFolder', foreign_key: :parent_folder_id\nend\n";
    let controller = "class TemplatesController < ApplicationController\n  def index\n    templates = Template.where(id: params[:ids])\n    templates = templates.preload(:author, folder: :parent_folder)\n    folders = TemplateFolder.all.includes(:subfolders)\n    render json: [templates, folders]\n  end\nend\n";
    let files = [
        (
            "app/models/template.rb",
            "class Template < ActiveRecord::Base\n  belongs_to :author, class_name: 'User'\n  belongs_to :folder, class_name: 'TemplateFolder'\nend\n",
        ),
        ("app/models/template_folder.rb", folder),
        ("app/models/user.rb", "class User < ActiveRecord::Base\nend\n"),
        ("app/controllers/templates_controller.rb", controller),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "template_folders.parent_folder_id"),
        set(&[
            "app/models/template_folder.rb:1",
            "app/models/template_folder.rb:2",
            "app/models/template_folder.rb:3",
            "app/controllers/templates_controller.rb:4",
            "app/controllers/templates_controller.rb:5"
        ])
    );
    assert_eq!(
        uses(&result, "templates.author_id"),
        set(&["app/models/template.rb:1", "app/models/template.rb:2", "app/controllers/templates_controller.rb:4"])
    );
    assert_eq!(
        uses(&result, "templates.folder_id"),
        set(&["app/models/template.rb:1", "app/models/template.rb:3", "app/controllers/templates_controller.rb:4"])
    );
}

/// A plural constant is a module of functions (`TemplateFolders.filter_active(…)`,
/// `Submissions.create_all(…)`), no model's class: what its calls return is unknown, so a
/// variable reassigned from one keeps the type it had (or its name's guess), and `Array.wrap`
/// is no `Array` model's.
#[test]
fn a_plural_module_s_result_keeps_the_variable_s_type() {
    let tables: &[(&str, &[&str])] = &[
        ("template_folders", &["id", "parent_folder_id", "name"]),
        ("submissions", &["id", "expire_at"]),
        ("submission_sets", &["id", "expire_at"]),
    ];
    let controller = "class TemplateFoldersController < ApplicationController\n  def index\n    @template_folders = TemplateFolder.where(name: params[:q])\n    @template_folders = TemplateFolders.filter_active(@template_folders.where(parent_folder_id: nil), params)\n    submissions = Submissions.create_all(params)\n    submissions.first.expire_at\n  end\nend\n";
    let files = [
        ("app/models/template_folder.rb", "class TemplateFolder < ActiveRecord::Base\nend\n"),
        ("app/models/submission.rb", "class Submission < ActiveRecord::Base\nend\n"),
        ("app/models/submission_set.rb", "class SubmissionSet < ActiveRecord::Base\nend\n"),
        ("app/controllers/template_folders_controller.rb", controller),
        (
            "app/views/template_folders/index.html.erb",
            "<% @template_folders.each do |folder| %>\n  <%= folder.parent_folder_id %>\n<% end %>\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "template_folders.parent_folder_id"),
        set(&[
            "app/models/template_folder.rb:1",
            "app/controllers/template_folders_controller.rb:4",
            "app/views/template_folders/index.html.erb:2"
        ])
    );
    assert_eq!(
        uses(&result, "submissions.expire_at"),
        set(&["app/models/submission.rb:1", "app/controllers/template_folders_controller.rb:6"])
    );
    assert_eq!(uses(&result, "submission_sets.expire_at"), set(&["app/models/submission_set.rb:1"]));
}

//! Rails idioms an eleventh application never seen before (casa at 5ad2d6ae,
//! `benches/accuracy/casa`) showed (branch `i7-rails`): an enum value named like a column of the
//! same table, Draper decorators, Pundit policies, validator classes, callback objects, Ruby
//! 3.1's shorthand keyword arguments, pagy's pair and caxlsx templates. Each on a fixture app
//! scanned end to end: the exact lines a column is used on, and the same word elsewhere not
//! taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{RAILS_APPLICATION_RECORD as APPLICATION_RECORD, set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("casa", Framework::Rails, files, tables)
}

const CONTACT: &str = r#"class CaseContact < ApplicationRecord
  enum :status, {started: "started", notes: "notes", active: "active"}

  def ready?
    notes? || active?
  end
end
"#;

const CONTACTS_CONTROLLER: &str = r#"class CaseContactsController < ApplicationController
  def update
    @case_contact = CaseContact.find(params[:id])
    @case_contact.update(params.require(:case_contact).permit(:notes, :miles))
    @case_contact.notes!
    redirect_to root_path if @case_contact.notes?
  end

  def index
    @pending = CaseContact.where.not(notes: nil)
  end
end
"#;

const CONTACT_VIEW: &str = r#"<%= form_with model: @case_contact do |form| %>
  <%= form.text_area :notes %>
<% end %>
<%= @case_contact.notes %>
<% if @case_contact.notes? %>done<% end %>
"#;

/// `enum :status, {…, notes: "notes"}` beside a `notes` column: the value gives the record
/// `notes?` and `notes!` (the enum's column) and nothing else, so its reader, the form's field,
/// the permit and a `where` key `notes` are the `notes` column's, never `status`.
#[test]
fn an_enum_value_named_like_a_column_leaves_the_column_its_reader() {
    let tables: &[(&str, &[&str])] = &[("case_contacts", &["id", "status", "notes", "miles"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/case_contact.rb", CONTACT),
        ("app/controllers/case_contacts_controller.rb", CONTACTS_CONTROLLER),
        ("app/views/case_contacts/edit.html.erb", CONTACT_VIEW),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "case_contacts.status"),
        set(&[
            "app/models/case_contact.rb:1",
            "app/models/case_contact.rb:2",
            "app/models/case_contact.rb:5",
            "app/controllers/case_contacts_controller.rb:5",
            "app/controllers/case_contacts_controller.rb:6",
            "app/views/case_contacts/edit.html.erb:5",
        ])
    );
    assert_eq!(
        uses(&result, "case_contacts.notes"),
        set(&[
            "app/models/case_contact.rb:1",
            "app/controllers/case_contacts_controller.rb:4",
            "app/controllers/case_contacts_controller.rb:10",
            "app/views/case_contacts/edit.html.erb:2",
            "app/views/case_contacts/edit.html.erb:4",
        ])
    );
}

const CONTACT_DECORATOR: &str = r#"class CaseContactDecorator < Draper::Decorator
  delegate_all

  def miles_traveled
    object.miles.to_s + " miles"
  end

  def summary
    model.notes.truncate(10)
  end

  def form_title
    active? ? "Edit" : "New"
  end

  def label
    notes_label
  end

  def notes_label
    "Notes"
  end
end
"#;

const PROFILE_DECORATOR: &str = r#"class ProfileDecorator < ApplicationDecorator
  decorates :case_contact

  def shown
    object.miles
  end
end
"#;

const PLAIN_DECORATOR: &str = r#"class OrgDecorator < Draper::Decorator
  def initials
    object.notes
  end

  def title
    miles
  end
end
"#;

/// Draper: `object` (and `model`) in `class XDecorator < Draper::Decorator` is an X, or the
/// model `decorates :y` names; with `delegate_all` a bare call the decorator does not define
/// is the record's (`active?`, the enum's predicate). Without `delegate_all` a bare name is the
/// decorator's own; another decorator's `object` is its own model's.
#[test]
fn a_draper_decorator_s_object_and_delegated_calls_are_its_model_s() {
    let tables: &[(&str, &[&str])] =
        &[("case_contacts", &["id", "status", "notes", "miles"]), ("orgs", &["id", "name"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/case_contact.rb", CONTACT),
        ("app/models/org.rb", "class Org < ApplicationRecord\nend\n"),
        ("app/decorators/application_decorator.rb", "class ApplicationDecorator < Draper::Decorator; end\n"),
        ("app/decorators/case_contact_decorator.rb", CONTACT_DECORATOR),
        ("app/decorators/profile_decorator.rb", PROFILE_DECORATOR),
        ("app/decorators/org_decorator.rb", PLAIN_DECORATOR),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "case_contacts.miles"),
        set(&[
            "app/models/case_contact.rb:1",
            "app/decorators/case_contact_decorator.rb:5",
            "app/decorators/profile_decorator.rb:5",
        ])
    );
    assert_eq!(
        uses(&result, "case_contacts.notes"),
        set(&["app/models/case_contact.rb:1", "app/decorators/case_contact_decorator.rb:9"])
    );
    assert_eq!(
        uses(&result, "case_contacts.status"),
        set(&[
            "app/models/case_contact.rb:1",
            "app/models/case_contact.rb:2",
            "app/models/case_contact.rb:5",
            "app/decorators/case_contact_decorator.rb:13",
        ])
    );
}

const CASE_POLICY: &str = r#"class CaseContactPolicy < ApplicationPolicy
  class Scope
    def resolve
      scope.where(notes: nil)
    end
  end

  def permitted_attributes
    common = [:miles, {org_attributes: %i[name]}]
    common << extra_attributes
  end

  def update?
    !record.active? && user.admin?
  end

  private

  def extra_attributes
    {notes: []}
  end

  def labels
    [:miles]
  end
end
"#;

const APPLICATION_POLICY: &str = r#"class ApplicationPolicy
  attr_reader :user, :record

  def initialize(user, record)
    @user = user
    @record = record
  end
end
"#;

/// Pundit: in `class XPolicy < ApplicationPolicy`, `record` is an X, and the lists
/// `permitted_attributes` (and the `x_attributes` helpers it calls) builds are X's attributes
/// (`org_attributes:` nested ones the association's). Another method's list is none of them, nor
/// the policy's inner `Scope`'s `scope`.
#[test]
fn a_pundit_policy_s_record_and_permitted_attributes_are_its_model_s() {
    let tables: &[(&str, &[&str])] =
        &[("case_contacts", &["id", "status", "notes", "miles", "org_id"]), ("orgs", &["id", "name"])];
    let contact = CONTACT.replace("  enum", "  belongs_to :org\n  accepts_nested_attributes_for :org\n  enum");
    let files = [
        APPLICATION_RECORD,
        ("app/models/case_contact.rb", contact.as_str()),
        ("app/models/org.rb", "class Org < ApplicationRecord\nend\n"),
        ("app/policies/application_policy.rb", APPLICATION_POLICY),
        ("app/policies/case_contact_policy.rb", CASE_POLICY),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "case_contacts.miles"),
        set(&["app/models/case_contact.rb:1", "app/policies/case_contact_policy.rb:9"])
    );
    assert_eq!(
        uses(&result, "case_contacts.notes"),
        set(&["app/models/case_contact.rb:1", "app/policies/case_contact_policy.rb:20"])
    );
    assert_eq!(uses(&result, "orgs.name"), set(&["app/models/org.rb:1", "app/policies/case_contact_policy.rb:9"]));
    assert_eq!(
        uses(&result, "case_contacts.status"),
        set(&[
            "app/models/case_contact.rb:1",
            "app/models/case_contact.rb:4",
            "app/models/case_contact.rb:7",
            "app/policies/case_contact_policy.rb:14",
        ])
    );
}

const COURT_VALIDATOR: &str = r#"class CourtReportValidator < ActiveModel::Validator
  def validate(record)
    if record.submitted_at.nil? && !record.not_submitted?
      record.errors.add(:report_status, "can't be nil")
    end
    check(record)
  end

  private

  def check(record)
    record.submitted_at
  end
end
"#;

const CASE_VALIDATIONS: &str = r#"module CasaCase::Validations
  extend ActiveSupport::Concern

  included do
    validates_with CourtReportValidator, fields: [:report_status, :submitted_at]
  end
end
"#;

/// `ActiveModel::Validator`: the `record` of `validate(record)` (and of its private helpers)
/// is a record of each model whose `validates_with` names the class — here through a concern
/// the model includes; the `fields:` that line lists are the model's. `errors.add(:x, …)` is
/// no use of `x`.
#[test]
fn a_validator_class_s_record_is_the_model_that_validates_with_it() {
    let tables: &[(&str, &[&str])] = &[("casa_cases", &["id", "report_status", "submitted_at"])];
    let files = [
        APPLICATION_RECORD,
        (
            "app/models/casa_case.rb",
            "class CasaCase < ApplicationRecord\n  include CasaCase::Validations\n  enum :report_status, {not_submitted: \"not_submitted\", submitted: \"submitted\"}\nend\n",
        ),
        ("app/models/concerns/casa_case/validations.rb", CASE_VALIDATIONS),
        ("app/validators/court_report_validator.rb", COURT_VALIDATOR),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "casa_cases.submitted_at"),
        set(&[
            "app/models/casa_case.rb:1",
            "app/models/concerns/casa_case/validations.rb:5",
            "app/validators/court_report_validator.rb:3",
            "app/validators/court_report_validator.rb:12",
        ])
    );
    assert_eq!(
        uses(&result, "casa_cases.report_status"),
        set(&[
            "app/models/casa_case.rb:1",
            "app/models/casa_case.rb:3",
            "app/models/concerns/casa_case/validations.rb:5",
            "app/validators/court_report_validator.rb:3",
        ])
    );
}

const METADATA_CALLBACK: &str = r#"class ContactMetadataCallback
  def after_commit(case_contact)
    changes = case_contact.saved_changes
    update_status(changes, case_contact) if changes["status"]
  end

  private

  def update_status(changes, case_contact)
    stamp = {"notes" => changes["status"].last}
    case_contact.update_columns(miles: 0)
  end
end
"#;

const ADDRESS: &str = r#"class Address < ApplicationRecord
  before_save :compose_content

  def self.compose(city: nil, state: nil)
    [city, state].compact.join(", ")
  end

  def compose_content
    self.content = self.class.compose(city:, state:)
  end

  def label(zip:)
    format(zip:, city: "x")
  end

  def previous_city
    saved_changes["city"]
  end
end
"#;

/// A record's hash of attribute values (`saved_changes`, `attributes`) is keyed by column:
/// `changes = case_contact.saved_changes` then `changes["status"]`, also in the helper it is
/// passed to; a string key of another hash (`{"notes" => …}`) is none. Ruby 3.1's shorthand
/// `compose(city:, state:)` in a model's method reads the attributes (a keyword parameter of the
/// same name, `zip:`, and a pair with a value are not); the class method's own keyword
/// parameters are none. `form.object` is the form's record.
#[test]
fn dirty_hashes_shorthand_keywords_and_form_object_read_columns() {
    let tables: &[(&str, &[&str])] = &[
        ("case_contacts", &["id", "status", "notes", "miles"]),
        ("addresses", &["id", "city", "state", "zip", "content"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("app/models/case_contact.rb", CONTACT),
        ("app/models/address.rb", ADDRESS),
        ("app/callbacks/contact_metadata_callback.rb", METADATA_CALLBACK),
        (
            "app/views/case_contacts/_form.html.erb",
            "<%= form_with model: @case_contact do |form| %>\n  <% if form.object.notes.present? %>x<% end %>\n<% end %>\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "case_contacts.status"),
        set(&[
            "app/models/case_contact.rb:1",
            "app/models/case_contact.rb:2",
            "app/models/case_contact.rb:5",
            "app/callbacks/contact_metadata_callback.rb:4",
            "app/callbacks/contact_metadata_callback.rb:10",
        ])
    );
    assert_eq!(
        uses(&result, "case_contacts.notes"),
        set(&["app/models/case_contact.rb:1", "app/views/case_contacts/_form.html.erb:2"])
    );
    assert_eq!(
        uses(&result, "addresses.city"),
        set(&["app/models/address.rb:1", "app/models/address.rb:9", "app/models/address.rb:17"])
    );
    assert_eq!(uses(&result, "addresses.state"), set(&["app/models/address.rb:1", "app/models/address.rb:9"]));
    assert_eq!(uses(&result, "addresses.zip"), set(&["app/models/address.rb:1"]));
}

const CASES_CONTROLLER: &str = r#"class CasaCasesController < ApplicationController
  def index
    @pagy, @page_items = pagy(CasaCase.where(active: true).order(:case_number))
    @pagy_two, @other = paginate(CasaCase.all)
  end
end
"#;

/// pagy's `@pagy, @records = pagy(relation)`: the second name holds the relation's records in
/// the action's views. Another method's pair (`paginate`) says nothing of either name.
#[test]
fn pagy_s_pair_types_the_records_it_pages() {
    let tables: &[(&str, &[&str])] = &[("casa_cases", &["id", "case_number", "active", "miles"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/casa_case.rb", "class CasaCase < ApplicationRecord\nend\n"),
        ("app/controllers/casa_cases_controller.rb", CASES_CONTROLLER),
        (
            "app/views/casa_cases/index.html.erb",
            "<% @page_items.each do |c| %>\n  <%= c.miles %>\n<% end %>\n<% @other.each do |o| %>\n  <%= o.miles %>\n<% end %>\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "casa_cases.miles"),
        set(&["app/models/casa_case.rb:1", "app/views/casa_cases/index.html.erb:2"])
    );
}

/// caxlsx's `.xlsx.axlsx` templates are Ruby views: the controller's instance variables and
/// the records read from them there are read as in an ERB view of the same action.
#[test]
fn an_axlsx_template_is_a_ruby_view() {
    let tables: &[(&str, &[&str])] =
        &[("casa_cases", &["id", "case_number"]), ("case_contacts", &["id", "casa_case_id", "miles"])];
    let files = [
        APPLICATION_RECORD,
        ("app/models/casa_case.rb", "class CasaCase < ApplicationRecord\n  has_many :case_contacts\nend\n"),
        ("app/models/case_contact.rb", "class CaseContact < ApplicationRecord\n  belongs_to :casa_case\nend\n"),
        (
            "app/controllers/casa_cases_controller.rb",
            "class CasaCasesController < ApplicationController\n  def show\n    @kase = CasaCase.find(params[:id])\n  end\nend\n",
        ),
        (
            "app/views/casa_cases/show.xlsx.axlsx",
            "wb = xlsx_package.workbook\nwb.add_worksheet(name: @kase.case_number) do |sheet|\n  @kase.case_contacts.each do |contact|\n    sheet.add_row [contact.miles, \"miles\"]\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "casa_cases.case_number"),
        set(&["app/models/casa_case.rb:1", "app/views/casa_cases/show.xlsx.axlsx:2"])
    );
    assert_eq!(
        uses(&result, "case_contacts.miles"),
        set(&["app/models/case_contact.rb:1", "app/views/casa_cases/show.xlsx.axlsx:4"])
    );
}

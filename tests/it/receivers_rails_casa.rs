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

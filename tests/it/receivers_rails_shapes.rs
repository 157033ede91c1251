//! Small generic shapes docuseal showed (issue 16, branch `i2-rails`): a record's attributes by
//! name (`user.values_at(*headers)` over a `%w[]` local), a condition hash in a ternary
//! (`where(shared ? {} : { ip: … })`), an Arel table under an alias
//! (`TemplateFolder.arel_table.alias('subfolders')[:parent_folder_id]`), a `Current` nested in a
//! class (`PasswordsController::Current.user`), devise-two-factor's columns. On a fixture app
//! scanned end to end: the exact lines, and the same shapes on a hash, another class or another
//! table not taken for them.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("shapes", Framework::Rails, files, tables)
}

const USERS: &str = r#"module Users
  module_function

  def generate_csv(users)
    headers = %w[email role]
    users.each { |user| user.values_at(*headers) }
    row = { role: 1 }
    row.values_at(:role)
  end
end
"#;

const USER: &str = r#"class User < ActiveRecord::Base
  def self.after_reset
    PasswordsController::Current.user.otp_required_for_login
    Other::Config.user.otp_required_for_login
  end
end
"#;

const FOLDERS: &str = r#"module TemplateFolders
  module_function

  def exists
    subfolders_arel = TemplateFolder.arel_table.alias('subfolders')
    TemplateFolder.from(subfolders_arel).where(subfolders_arel[:parent_folder_id].eq(1))
  end
end
"#;

const CONTROLLER: &str = r#"class StartFormController < ApplicationController
  def show
    Submitter.where(params[:shared] ? {} : { ip: [nil, request.remote_ip] })
    Submitter.where(params[:shared] ? { role: 1 } : {})
  end
end
"#;

#[test]
fn attributes_by_name_ternary_conditions_arel_aliases_and_a_nested_current() {
    let tables: &[(&str, &[&str])] = &[
        ("users", &["id", "email", "role", "otp_required_for_login"]),
        ("template_folders", &["id", "parent_folder_id"]),
        ("submitters", &["id", "ip"]),
    ];
    let files = [
        ("app/models/user.rb", USER),
        ("app/models/template_folder.rb", "class TemplateFolder < ActiveRecord::Base\nend\n"),
        ("app/models/submitter.rb", "class Submitter < ActiveRecord::Base\nend\n"),
        ("lib/users.rb", USERS),
        ("lib/template_folders.rb", FOLDERS),
        ("app/controllers/start_form_controller.rb", CONTROLLER),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "users.email"), set(&["app/models/user.rb:1", "lib/users.rb:5"]));
    // Not `row.values_at(:role)` (a hash), nor a `role:` condition on submitters.
    assert_eq!(uses(&result, "users.role"), set(&["app/models/user.rb:1", "lib/users.rb:5"]));
    assert_eq!(uses(&result, "users.otp_required_for_login"), set(&["app/models/user.rb:1", "app/models/user.rb:3"]));
    assert_eq!(
        uses(&result, "template_folders.parent_folder_id"),
        set(&["app/models/template_folder.rb:1", "lib/template_folders.rb:6"])
    );
    assert_eq!(
        uses(&result, "submitters.ip"),
        set(&["app/models/submitter.rb:1", "app/controllers/start_form_controller.rb:3"])
    );
}

/// devise-two-factor's `:two_factor_authenticatable` maps the columns its model and strategy
/// read (`otp_required_for_login`, `consumed_timestep`, `otp_secret`), as Devise's own modules
/// map theirs; a model without it does not read them on its `devise` line.
#[test]
fn devise_two_factor_maps_its_columns() {
    let tables: &[(&str, &[&str])] = &[
        ("users", &["id", "email", "otp_required_for_login", "consumed_timestep", "otp_secret"]),
        ("admins", &["id", "email", "otp_required_for_login"]),
    ];
    let files = [
        (
            "app/models/user.rb",
            "class User < ActiveRecord::Base\n  devise :two_factor_authenticatable,\n         :recoverable\nend\n",
        ),
        ("app/models/admin.rb", "class Admin < ActiveRecord::Base\n  devise :database_authenticatable\nend\n"),
    ];
    let (_dir, result) = scan(&files, tables);
    for column in ["otp_required_for_login", "consumed_timestep", "otp_secret"] {
        assert_eq!(uses(&result, &format!("users.{column}")), set(&["app/models/user.rb:1", "app/models/user.rb:2"]));
    }
    assert_eq!(uses(&result, "admins.otp_required_for_login"), set(&["app/models/admin.rb:1"]));
}

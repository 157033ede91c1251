//! Rails idioms measured on huginn (9faad4ae, `benches/accuracy/huginn`), an application
//! tandem had not been tuned on, each on a fixture app scanned end to end: the exact lines a
//! column is used on, and the same word elsewhere not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("hub", Framework::Rails, files, tables)
}

/// A gem's model named by its full class name (`Delayed::Job`), in code and reopened with
/// scopes in an initializer, reads the gem's table; a model of the app called `Job` is not it,
/// nor is a local named `job` nothing types.
#[test]
fn a_library_s_model_reads_its_table_by_its_full_name() {
    let tables: &[(&str, &[&str])] =
        &[("delayed_jobs", &["id", "failed_at", "run_at"]), ("jobs", &["id", "failed_at"])];
    let files = [
        ("app/models/job.rb", "class Job < ActiveRecord::Base\nend\n"),
        (
            "config/initializers/delayed_job.rb",
            "class Delayed::Job\n  scope :failed_jobs, -> { where(\"failed_at IS NOT NULL\") }\nend\n",
        ),
        (
            "app/controllers/jobs_controller.rb",
            "class JobsController < ApplicationController\n  def index\n    @jobs = Delayed::Job.order(:run_at)\n  end\n\n  def retry\n    @job = Delayed::Job.find(params[:id])\n    @job.update!(run_at: Time.now, failed_at: nil)\n  end\nend\n",
        ),
        ("app/views/jobs/index.html.erb", "<% @jobs.each do |job| %>\n  <%= job.failed_at %>\n<% end %>\n"),
        (
            "lib/cleanup.rb",
            "class Cleanup\n  def run(job)\n    Delayed::Job.where.not(failed_at: nil).delete_all\n    job.failed_at\n    Job.where(failed_at: nil).count\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "delayed_jobs.failed_at"),
        set(&[
            "config/initializers/delayed_job.rb:2",
            "app/controllers/jobs_controller.rb:8",
            "app/views/jobs/index.html.erb:2",
            "lib/cleanup.rb:3",
        ])
    );
    // The app's own `Job` keeps `jobs`, and a `job` parameter is one of its records by its
    // name, never the gem's; no file declares the gem's class, so it has no class line.
    assert_eq!(uses(&result, "jobs.failed_at"), set(&["app/models/job.rb:1", "lib/cleanup.rb:4", "lib/cleanup.rb:5"]));
}

/// Without the gem's table in the schema, its class names nothing.
#[test]
fn a_library_s_model_without_its_table_is_nothing() {
    let tables: &[(&str, &[&str])] = &[("jobs", &["id", "failed_at"])];
    let files = [(
        "lib/cleanup.rb",
        "class Cleanup\n  def run\n    Delayed::Job.where.not(failed_at: nil).delete_all\n  end\nend\n",
    )];
    let (_dir, result) = scan(&files, tables);
    // (The bare word stays a low-confidence name match of the one table that has the column.)
    assert_eq!(uses(&result, "jobs.failed_at"), set(&[]));
    assert_eq!(uses(&result, "delayed_jobs.failed_at"), set(&[]));
}

/// Devise: the model whose body calls `devise` is the `resource` of Devise's views (and of a
/// partial its form renders), and `devise_parameter_sanitizer.permit(…, keys: […])` permits its
/// attributes; `resource` elsewhere, and a key no column has, name nothing.
#[test]
fn devise_s_resource_is_the_model_that_calls_devise() {
    let tables: &[(&str, &[&str])] = &[("users", &["id", "email", "username"]), ("posts", &["id", "username"])];
    let files = [
        ("app/models/user.rb", "class User < ActiveRecord::Base\n  devise :database_authenticatable\nend\n"),
        ("app/models/post.rb", "class Post < ActiveRecord::Base\nend\n"),
        (
            "app/controllers/application_controller.rb",
            "class ApplicationController < ActionController::Base\n  def configure_permitted_parameters\n    devise_parameter_sanitizer.permit(:sign_up, keys: [:username, :email])\n    devise_parameter_sanitizer.permit(:sign_in, keys: [:login, :username])\n  end\nend\n",
        ),
        (
            "app/views/devise/registrations/edit.html.erb",
            "<%= form_for(resource, as: resource_name) do |f| %>\n  <%= f.text_field :username %>\n  <%= resource.username %>\n<% end %>\n",
        ),
        ("app/views/posts/show.html.erb", "<%= resource.username %>\n"),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "users.username"),
        set(&[
            "app/models/user.rb:1",
            "app/controllers/application_controller.rb:3",
            "app/controllers/application_controller.rb:4",
            "app/views/devise/registrations/edit.html.erb:2",
            "app/views/devise/registrations/edit.html.erb:3",
        ])
    );
    assert_eq!(uses(&result, "posts.username"), set(&["app/models/post.rb:1"]));
}

/// `params[:agent].permit([...] + extra)` permits the agent's attributes as
/// `params.require(:agent)` does; `new(original.slice(:a, :b))` and `build(hash.slice("c"))` write
/// the keys kept; a slice handed to no write names nothing.
#[test]
fn subscripted_params_and_sliced_hashes_name_attributes() {
    let tables: &[(&str, &[&str])] = &[
        ("agents", &["id", "name", "schedule", "disabled"]),
        ("user_credentials", &["id", "user_id", "credential_value"]),
        ("users", &["id"]),
    ];
    let files = [
        (
            "app/models/agent.rb",
            "class Agent < ActiveRecord::Base\n  def self.build_clone(original)\n    new(original.slice(:schedule, :name))\n  end\nend\n",
        ),
        ("app/models/user.rb", "class User < ActiveRecord::Base\n  has_many :user_credentials\nend\n"),
        ("app/models/user_credential.rb", "class UserCredential < ActiveRecord::Base\nend\n"),
        (
            "app/controllers/agents_controller.rb",
            "class AgentsController < ApplicationController\n  def agent_params\n    params[:agent].permit([:name, :disabled] + extra_keys)\n  end\n\n  def keys(hash)\n    hash.slice(:schedule)\n  end\nend\n",
        ),
        (
            "app/controllers/user_credentials_controller.rb",
            "class UserCredentialsController < ApplicationController\n  def import(rows)\n    rows.map { |hash| current_user.user_credentials.build(hash.slice(\"credential_value\")) }\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "agents.schedule"), set(&["app/models/agent.rb:1", "app/models/agent.rb:3"]));
    assert_eq!(
        uses(&result, "agents.name"),
        set(&["app/models/agent.rb:1", "app/models/agent.rb:3", "app/controllers/agents_controller.rb:3"])
    );
    assert_eq!(
        uses(&result, "agents.disabled"),
        set(&["app/models/agent.rb:1", "app/controllers/agents_controller.rb:3"])
    );
    assert_eq!(
        uses(&result, "user_credentials.credential_value"),
        set(&["app/models/user_credential.rb:1", "app/controllers/user_credentials_controller.rb:3"])
    );
}

/// An SQL fragment built by concatenation (`update_all "expires_at = " + sql_of(…)`) is read on
/// its literal sides; the method's own name is not.
#[test]
fn a_concatenated_sql_fragment_is_read_on_its_literal_sides() {
    let tables: &[(&str, &[&str])] =
        &[("events", &["id", "agent_id", "expires_at", "created_at"]), ("agents", &["id"])];
    let files = [
        (
            "app/models/event.rb",
            "class Event < ActiveRecord::Base
end
",
        ),
        (
            "app/models/agent.rb",
            "class Agent < ActiveRecord::Base
  has_many :events

  def update_expirations!
    events.update_all \"expires_at = \" + date_add(\"created_at\", 5)
    expires_at(1)
  end
end
",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "events.expires_at"), set(&["app/models/event.rb:1", "app/models/agent.rb:5"]));
}

/// Methods under `class << self` are class methods: a bare `name` there is the class's
/// `Module#name`, not the column; `where` still queries the model. The instance method's
/// `name` is the attribute.
#[test]
fn methods_under_class_self_are_class_methods() {
    let tables: &[(&str, &[&str])] = &[("agents", &["id", "name", "disabled"])];
    let files = [(
        "app/models/agent.rb",
        "class Agent < ActiveRecord::Base\n  class << self\n    def build_for(type)\n      name.demodulize\n      where(disabled: false)\n    end\n  end\n\n  def label\n    name\n  end\nend\n",
    )];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "agents.name"), set(&["app/models/agent.rb:1", "app/models/agent.rb:10"]));
    assert_eq!(uses(&result, "agents.disabled"), set(&["app/models/agent.rb:1", "app/models/agent.rb:5"]));
}

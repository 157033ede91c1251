//! Whole-app scans of small Rails and Phoenix apps built as git repositories at test time, with
//! the traps real code bases have. Each asserts the exact `path:line object kind` set, so that a
//! missed reference and a false one both fail.

use crate::support;

use std::path::Path;

use crate::support::cmd::git;
use support::scan::schema;
use tandem::config::Framework;
use tandem::scan::resolve::SchemaIndex;
use tandem::scan::{ScanResult, scan_ref};
use tandem::schema::Schema;

fn repo_with(dir: &Path, files: &[(&str, &str)]) -> std::path::PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    for (path, content) in files {
        let p = repo.join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "app"]);
    repo
}

fn scan(dir: &Path, repo: &Path, framework: Framework, schema: &Schema) -> ScanResult {
    let app = support::scan::app("app", repo, framework);
    let config = support::scan::config(dir, vec![app.clone()]);
    let index = SchemaIndex::new(schema);
    scan_ref(&config, &app, "head", "main", Some(&index), None, false).expect("scans")
}

fn lines(scan: &ScanResult) -> Vec<String> {
    scan.references.iter().map(|r| format!("{}:{} {} {} {}", r.path, r.line, r.object, r.kind, r.confidence)).collect()
}

const USER_RB: &str = r#"# == Schema Information
#
#  email       :string
#  legacy_flag :boolean
#
class User < ApplicationRecord
  self.ignored_columns += ["legacy_flag"]
  has_many :orders
  has_many :widgets
  attr_accessor :password_confirmation

  def pending?
    status == "pending"
  end
end
"#;

#[test]
fn rails_app_every_kind_and_the_traps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = repo_with(
        dir.path(),
        &[
            (
                "app/models/application_record.rb",
                "class ApplicationRecord < ActiveRecord::Base\n  self.abstract_class = true\nend\n",
            ),
            ("app/models/user.rb", USER_RB),
            ("app/models/order.rb", "class Order < ApplicationRecord\n  belongs_to :user\nend\n"),
            ("app/models/admin.rb", "class Admin < User\nend\n"),
            (
                "app/controllers/users_controller.rb",
                "class UsersController < ApplicationController\n  def index\n    @nicks = User.where(email: params[:email]).pluck(:nickname)\n    redirect_to \"/pending\"\n  end\nend\n",
            ),
            (
                "lib/tasks/report.rake",
                "task :report do\n  rows = ActiveRecord::Base.connection.select_all(<<~SQL)\n    SELECT o.total_cents FROM orders o WHERE o.user_id = 1\n  SQL\nend\n",
            ),
            ("db/migrate/20240101000000_drop_flag.rb", "remove_column :users, :legacy_flag\n"),
            ("db/schema.rb", "create_table \"users\" do |t|\n  t.string \"email\"\nend\n"),
        ],
    );
    let schema = schema(&[
        ("users", &["id", "email", "legacy_flag", "status", "nickname", "type"]),
        ("orders", &["id", "user_id", "total_cents"]),
        ("pending", &["id"]),
    ]);
    let got = lines(&scan(dir.path(), &repo, Framework::Rails, &schema));
    assert_eq!(
        got,
        vec![
            "app/controllers/users_controller.rb:3 users query high",
            "app/controllers/users_controller.rb:3 users.email query high",
            "app/controllers/users_controller.rb:3 users.nickname query high",
            "app/models/admin.rb:1 users implicit high",
            "app/models/admin.rb:1 users.email implicit high",
            "app/models/admin.rb:1 users.id implicit high",
            "app/models/admin.rb:1 users.nickname implicit high",
            "app/models/admin.rb:1 users.status implicit high",
            "app/models/admin.rb:1 users.type implicit high",
            "app/models/order.rb:1 orders implicit high",
            "app/models/order.rb:1 orders.id implicit high",
            "app/models/order.rb:1 orders.total_cents implicit high",
            "app/models/order.rb:1 orders.user_id implicit high",
            "app/models/order.rb:2 orders.user_id declaration high",
            // belongs_to :user needs the users table.
            "app/models/order.rb:2 users declaration high",
            "app/models/user.rb:6 users implicit high",
            "app/models/user.rb:6 users.email implicit high",
            "app/models/user.rb:6 users.id implicit high",
            "app/models/user.rb:6 users.nickname implicit high",
            "app/models/user.rb:6 users.status implicit high",
            "app/models/user.rb:6 users.type implicit high",
            "app/models/user.rb:8 orders declaration high",
            // has_many :orders reads orders by their foreign key.
            "app/models/user.rb:8 orders.user_id declaration high",
            // A bare attribute read inside the model (the `name` fallback on the same word yields).
            "app/models/user.rb:13 users.status query medium",
            "lib/tasks/report.rake:3 orders.total_cents sql medium",
            "lib/tasks/report.rake:3 orders sql medium",
            "lib/tasks/report.rake:3 orders.user_id sql medium",
        ]
    );
}

const USER_EX: &str = r#"defmodule MyApp.Accounts.User do
  use Ecto.Schema
  import Ecto.Changeset

  # legacy_flag was dropped from the schema block
  schema "users" do
    field :email, :string
    field :password, :string, virtual: true
    belongs_to :organization, MyApp.Accounts.Organization
    timestamps()
  end

  def changeset(user, attrs) do
    user
    |> cast(attrs, [:email])
    |> validate_required([:email])
  end
end
"#;

const ACCOUNTS_EX: &str = r#"defmodule MyApp.Accounts do
  import Ecto.Query
  alias MyApp.Accounts.User
  alias MyApp.Repo

  def by_email(email), do: Repo.get_by(User, email: email)

  def recent do
    from(u in User, where: u.status == "pending", select: u.email)
    |> Repo.all()
  end

  def raw, do: Repo.query!("SELECT count(*) FROM audit_events WHERE kind = $1", ["login"])
end
"#;

#[test]
fn phoenix_app_every_kind_and_the_traps() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = repo_with(
        dir.path(),
        &[
            ("lib/my_app/accounts/user.ex", USER_EX),
            ("lib/my_app/accounts.ex", ACCOUNTS_EX),
            ("priv/repo/migrations/20240101000000_drop_flag.exs", "alter table(:users), do: remove :legacy_flag\n"),
            ("deps/ecto/lib/ecto.ex", "legacy_flag\n"),
            ("_build/dev/lib/x.ex", "legacy_flag\n"),
        ],
    );
    let schema = schema(&[
        ("users", &["id", "email", "status", "organization_id", "inserted_at", "updated_at", "legacy_flag"]),
        ("organizations", &["id", "name"]),
        ("audit_events", &["id", "kind"]),
    ]);
    let got = lines(&scan(dir.path(), &repo, Framework::Phoenix, &schema));
    // No `organizations` reference: no Organization schema exists in the app, so `belongs_to`
    // names a module, not a table; the virtual field, the comment, the "pending" value, the
    // migration and deps/_build are not references.
    assert_eq!(
        got,
        vec![
            "lib/my_app/accounts.ex:6 users query high",
            "lib/my_app/accounts.ex:6 users.email query high",
            "lib/my_app/accounts.ex:9 users query high",
            "lib/my_app/accounts.ex:9 users.status query high",
            "lib/my_app/accounts.ex:9 users.email query high",
            "lib/my_app/accounts.ex:13 audit_events sql medium",
            "lib/my_app/accounts.ex:13 audit_events.kind sql medium",
            "lib/my_app/accounts/user.ex:6 users declaration high",
            "lib/my_app/accounts/user.ex:6 users.id declaration high",
            "lib/my_app/accounts/user.ex:7 users.email declaration high",
            "lib/my_app/accounts/user.ex:9 users.organization_id declaration high",
            "lib/my_app/accounts/user.ex:10 users.inserted_at declaration high",
            "lib/my_app/accounts/user.ex:10 users.updated_at declaration high",
            "lib/my_app/accounts/user.ex:15 users.email query high",
            "lib/my_app/accounts/user.ex:16 users.email query high",
        ]
    );
}

/// A Mongoose app: the model is declared in one file and imported under its name in another;
/// a nested path resolves to itself and its top-level field; a field the collection lacks is
/// dropped; a Map's `get` is nobody's.
#[test]
fn mongoose_app_resolves_models_across_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = repo_with(
        dir.path(),
        &[
            (
                "src/models/person.js",
                "const mongoose = require('mongoose');\nconst s = new mongoose.Schema({ email: String, profile: { city: String } });\nmodule.exports = mongoose.model('Person', s);\n",
            ),
            (
                "src/routes/people.js",
                "const Person = require('../models/person');\nconst cache = new Map();\nasync function show(id) {\n  const p = await Person.findById(id).select('email');\n  cache.get('email');\n  return [p.profile.city, p.nickname];\n}\n",
            ),
        ],
    );
    let schema = schema(&[("people", &["_id", "__v", "email", "profile", "profile.city"])]);
    let got = lines(&scan(dir.path(), &repo, Framework::Mongoose, &schema));
    assert_eq!(
        got,
        vec![
            "src/models/person.js:2 people.email declaration high",
            "src/models/person.js:2 people.profile declaration high",
            "src/models/person.js:2 people.profile.city declaration high",
            "src/models/person.js:3 people declaration high",
            "src/models/person.js:3 people.__v declaration high",
            "src/models/person.js:3 people._id declaration high",
            "src/routes/people.js:4 people.email query high",
            "src/routes/people.js:6 people.profile query medium",
            "src/routes/people.js:6 people.profile.city query medium",
        ]
    );
}

/// A Parse app: a class extended in one file and imported in another, the built-in `_User`.
#[test]
fn parse_app_resolves_classes_across_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = repo_with(
        dir.path(),
        &[
            ("cloud/models.js", "export const Review = Parse.Object.extend('Review');\n"),
            (
                "cloud/main.js",
                "import { Review } from './models';\nParse.Cloud.define('avg', async (request) => {\n  const q = new Parse.Query(Review);\n  q.equalTo('movie', request.params.movie);\n  const rows = await q.find();\n  return rows.map((r) => r.get('stars')).concat(request.user.get('email'));\n});\n",
            ),
        ],
    );
    let schema = schema(&[("Review", &["movie", "stars"]), ("_User", &["email", "username"])]);
    let got = lines(&scan(dir.path(), &repo, Framework::Parse, &schema));
    assert_eq!(
        got,
        vec![
            "cloud/main.js:4 Review.movie query high",
            "cloud/main.js:6 Review.stars query high",
            "cloud/main.js:6 _User.email query high",
            "cloud/models.js:1 Review query high",
        ]
    );
}

/// The bare driver: collections named in the code, no model index needed.
#[test]
fn mongodb_driver_app_resolves_collections() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = repo_with(
        dir.path(),
        &[(
            "lib/orders.js",
            "async function paid(db) {\n  const orders = db.collection('orders');\n  const o = await orders.findOne({ status: 'paid' });\n  return o.total;\n}\n",
        )],
    );
    let schema = schema(&[("orders", &["_id", "status", "total"])]);
    let got = lines(&scan(dir.path(), &repo, Framework::Mongodb, &schema));
    assert_eq!(
        got,
        vec![
            "lib/orders.js:2 orders query high",
            // The variable is named after the collection: the whole-word fallback's, low.
            "lib/orders.js:3 orders name low",
            "lib/orders.js:3 orders.status query high",
            "lib/orders.js:4 orders.total query medium",
        ]
    );
}

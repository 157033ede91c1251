//! `tandem schema sync --from migrations`: the Rails app's `db/structure.sql` made from the
//! replayed migrations of both apps (Rails and Ecto) — through a throwaway database on a real
//! PostgreSQL server and the real pg_dump when `--scratch` names one, by tandem's renderer
//! otherwise — and what the replay could not follow (`Oban.Migrations.up()`) reported, located.

use crate::support::cmd::{tandem_in, write};
use crate::support::git::TestRepo;
use crate::support::pg::TempDb;

const CREATE_USERS: &str = "class CreateUsers < ActiveRecord::Migration[7.1]\n  def change\n    \
create_table :users do |t|\n      t.string :email, null: false\n      t.timestamps\n    end\n    \
add_index :users, :email, unique: true\n  end\nend\n";
const CREATE_INVOICES: &str = "defmodule Billing.Repo.Migrations.CreateInvoices do\n  use Ecto.Migration\n\n  \
def change do\n    create table(:invoices) do\n      add :user_id, references(:users)\n      \
add :total, :integer, null: false\n      timestamps()\n    end\n\n    create index(:invoices, [:user_id])\n  end\nend\n";
const ADD_OBAN: &str = "defmodule Billing.Repo.Migrations.AddOban do\n  use Ecto.Migration\n\n  \
def up do\n    Oban.Migrations.up()\n  end\n\n  def down do\n    Oban.Migrations.down(version: 1)\n  end\nend\n";

/// What `rails db:migrate` and `mix ecto.migrate` leave in the database, written by hand from
/// the frameworks' documented DDL.
const MIGRATED: &str = "CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY KEY);\n\
CREATE TABLE ar_internal_metadata (key character varying NOT NULL PRIMARY KEY, value character varying, \
  created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);\n\
CREATE TABLE users (id bigserial PRIMARY KEY, email character varying NOT NULL, \
  created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);\n\
CREATE UNIQUE INDEX index_users_on_email ON users (email);\n\
CREATE TABLE invoices (id bigserial PRIMARY KEY, user_id bigint CONSTRAINT invoices_user_id_fkey REFERENCES users(id), \
  total integer NOT NULL, inserted_at timestamp(0) without time zone NOT NULL, \
  updated_at timestamp(0) without time zone NOT NULL);\n\
CREATE INDEX invoices_user_id_index ON invoices (user_id);\n\
INSERT INTO schema_migrations VALUES ('20250101000000'), ('20250102000000'), ('20250103000000');\n";

struct Setup {
    registry: tempfile::TempDir,
    web: TestRepo,
    _billing: TestRepo,
}

fn setup() -> Setup {
    let mut web = TestRepo::init();
    web.commit_files(&[("db/structure.sql", ""), ("db/migrate/20250101000000_create_users.rb", CREATE_USERS)], "web");
    let mut billing = TestRepo::init();
    billing.commit_files(
        &[
            ("priv/repo/migrations/20250102000000_create_invoices.exs", CREATE_INVOICES),
            ("priv/repo/migrations/20250103000000_add_oban.exs", ADD_OBAN),
        ],
        "billing",
    );
    let registry = tempfile::tempdir().unwrap();
    write(
        registry.path(),
        "apps.toml",
        format!(
            "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"web\"\nrepo = \"{}\"\nframework = \"rails\"\n\
             head = \"main\"\nstructure = \"db/structure.sql\"\nmigrations = \"db/migrate\"\n\n[[app]]\nname = \"billing\"\nrepo = \"{}\"\n\
             framework = \"phoenix\"\nhead = \"main\"\nmigrations = \"priv/repo/migrations\"\n",
            web.path().display(),
            billing.path().display()
        ),
    );
    Setup { registry, web, _billing: billing }
}

fn sync(s: &Setup, args: &[&str]) -> (i32, String, String) {
    let (code, out, err, _) = sync_process(s, args);
    (code, out, err)
}

/// [`sync`], with the process id of the run (its scratch database is named after it).
fn sync_process(s: &Setup, args: &[&str]) -> (i32, String, String, u32) {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tandem"))
        .current_dir(s.registry.path())
        .env("SCRATCH", "postgres://postgres@127.0.0.1:5432/postgres")
        .args(["schema", "sync", "--from", "migrations"])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap(), pid)
}

#[test]
fn a_dump_made_from_every_apps_migrations_through_a_scratch_database_is_pg_dumps() {
    let s = setup();
    let scratch_dbs = || {
        let admin = TempDb::new();
        admin.query_strings("SELECT datname::text FROM pg_database WHERE datname LIKE 'tandem_sync_%'")
    };
    let (code, out, err, pid) = sync_process(&s, &["--scratch", "env:SCRATCH", "--write"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains("loaded into a throwaway database on postgres://postgres@127.0.0.1:5432/postgres"), "{err}");
    assert!(
        err.contains(
            "db/structure.sql (web): not replayed, so not in the dump: \
             priv/repo/migrations/20250103000000_add_oban.exs:5 (billing): Elixir code: Oban.Migrations.up()"
        ),
        "{err}"
    );
    let written = std::fs::read_to_string(s.web.path().join("db/structure.sql")).unwrap();

    // The same objects made by hand, as the frameworks make them, and dumped the way Rails does.
    let migrated = TempDb::new();
    migrated.execute(MIGRATED);
    let rails = tandem::sync::structure(
        &migrated.url(),
        tandem::framework::DumpTool::Rails,
        tandem::sync::rails::VersionOrder::NewestFirst,
    )
    .unwrap();
    assert_eq!(written, rails);
    // Other tests run their own scratch databases meanwhile: this run's is named after its process.
    let ours = format!("tandem_sync_{pid}_");
    assert!(!scratch_dbs().iter().any(|d| d.starts_with(&ours)), "the scratch database is dropped");
}

#[test]
fn without_a_scratch_server_the_dump_is_tandems_rendering_and_says_so() {
    let s = setup();
    let (code, out, err) = sync(&s, &["--format", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["apps"][0]["made_by"], "tandem", "{out}");
    assert_eq!(v["apps"][0]["unreplayed"][0]["what"], "Elixir code: Oban.Migrations.up()", "{out}");
    let (code, out, err) = sync(&s, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("rendered by tandem (no --scratch server): the bytes are tandem's rendering"), "{err}");
    assert!(out.contains("\n+CREATE TABLE public.invoices (\n"), "{out}");
    assert!(out.contains("+INSERT INTO \"schema_migrations\" (version) VALUES\n+('20250103000000'),\n"), "{out}");
    // --scratch without --from migrations is a mistake, not ignored.
    let out = tandem_in(s.registry.path())
        .env("DB", "postgres://postgres@127.0.0.1:5432/postgres")
        .args(["schema", "sync", "--from", "env:DB", "--scratch", "env:DB"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn on_mariadb_the_scratch_database_is_dumped_by_mysqldump() {
    let mut web = TestRepo::init();
    web.commit_files(&[("db/structure.sql", ""), ("db/migrate/20250101000000_create_users.rb", CREATE_USERS)], "web");
    let registry = tempfile::tempdir().unwrap();
    write(
        registry.path(),
        "apps.toml",
        format!(
            "[registry]\ndialect = \"mysql\"\n\n[[app]]\nname = \"web\"\nrepo = \"{}\"\nframework = \"rails\"\n\
             head = \"main\"\nstructure = \"db/structure.sql\"\nmigrations = \"db/migrate\"\n",
            web.path().display()
        ),
    );
    let out = tandem_in(registry.path())
        .env("SCRATCH", crate::support::mysql::ADMIN_URL)
        .args(["schema", "sync", "--from", "migrations", "--scratch", "env:SCRATCH", "--write"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let written = std::fs::read_to_string(web.path().join("db/structure.sql")).unwrap();

    // What `rails db:migrate` leaves on MariaDB, dumped the way Rails does.
    let migrated = crate::support::mysql::TempDb::new();
    migrated.execute(
        "CREATE TABLE schema_migrations (version varchar(255) NOT NULL PRIMARY KEY);\n\
         CREATE TABLE ar_internal_metadata (`key` varchar(255) NOT NULL PRIMARY KEY, value varchar(255), \
           created_at datetime(6) NOT NULL, updated_at datetime(6) NOT NULL);\n\
         CREATE TABLE users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL, \
           created_at datetime(6) NOT NULL, updated_at datetime(6) NOT NULL);\n\
         CREATE UNIQUE INDEX index_users_on_email ON users (email);\n\
         INSERT INTO schema_migrations VALUES ('20250101000000');\n",
    );
    let rails = tandem::sync::structure(
        &migrated.url(),
        tandem::framework::DumpTool::Rails,
        tandem::sync::rails::VersionOrder::NewestFirst,
    )
    .unwrap();
    assert_eq!(written, rails);
}

#[test]
fn a_schema_rb_is_made_from_every_apps_migrations() {
    let s = setup();
    let toml = std::fs::read_to_string(s.registry.path().join("apps.toml")).unwrap();
    write(
        s.registry.path(),
        "apps.toml",
        toml.replace("structure = \"db/structure.sql\"", "structure = \"db/schema.rb\""),
    );
    let (code, out, err) = sync(&s, &[]);
    assert_eq!(code, 1, "{out}{err}");
    for line in [
        "+ActiveRecord::Schema[8.2].define(version: 2025_01_03_000000) do\n",
        "+  create_table \"invoices\", force: :cascade do |t|\n",
        "+    t.bigint \"user_id\"\n",
        "+    t.datetime \"inserted_at\", precision: 0, null: false\n",
        "+    t.index [\"email\"], name: \"index_users_on_email\", unique: true\n",
        "+  add_foreign_key \"invoices\", \"users\", name: \"invoices_user_id_fkey\"\n",
    ] {
        assert!(out.contains(line), "{line:?} not in\n{out}");
    }
    assert!(err.contains("not replayed, so not in the dump"), "{err}");
}

//! `tandem schema drift` on real git repositories built at test time, with dumps written by the
//! real `pg_dump` of a real PostgreSQL database the migrations were applied to: a dump that is
//! in sync says so (sequences left over from a rename included), and every way it can drift is
//! found and located.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::cmd::{tandem_in, write};
use crate::support::git::TestRepo;
use crate::support::pg::TempDb;

const USERS: &str = "CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, name varchar(100));\n\
CREATE UNIQUE INDEX index_users_on_email ON users (email);\n";
/// A table created under one name and renamed: its sequence keeps the old name.
const TEAMS: &str = "CREATE TABLE accounts (id serial PRIMARY KEY, title text DEFAULT 'x');\n\
ALTER TABLE accounts RENAME TO teams;\n";
const WEB_MIGRATIONS: [(&str, &str); 2] =
    [("db/migrate/20250101000000_create_users.sql", USERS), ("db/migrate/20250102000000_teams.sql", TEAMS)];

const EVENTS: &str = r#"defmodule Phx.Repo.Migrations.CreateEvents do
  use Ecto.Migration

  def change do
    create table(:events) do
      add :user_id, references(:users, on_delete: :delete_all), null: false
      add :kind, :string
      timestamps()
    end

    create index(:events, [:user_id])
  end
end
"#;
const EVENTS_PATH: &str = "priv/repo/migrations/20250201000000_create_events.exs";
/// What Ecto runs for `EVENTS` on PostgreSQL.
const EVENTS_SQL: &str = "CREATE TABLE events (id bigserial PRIMARY KEY, \
user_id bigint NOT NULL CONSTRAINT events_user_id_fkey REFERENCES users(id) ON DELETE CASCADE, \
kind varchar(255), inserted_at timestamp(0) without time zone NOT NULL, \
updated_at timestamp(0) without time zone NOT NULL);\n\
CREATE INDEX events_user_id_index ON events (user_id);\n";

/// The database after `sql`, dumped by the real pg_dump as Rails keeps it: the schema, then the
/// applied versions.
fn real_dump(sql: &[&str], versions: &[&str]) -> String {
    let db = TempDb::new();
    db.execute(
        "CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY KEY);\n\
         CREATE TABLE ar_internal_metadata (key character varying NOT NULL PRIMARY KEY, value character varying);",
    );
    for s in sql {
        db.execute(s);
    }
    let out = Command::new("pg_dump")
        .args(["--schema-only", "--no-owner", "--no-privileges", &db.url()])
        .output()
        .expect("run pg_dump");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<String> = versions.iter().map(|v| format!("('{v}')")).collect();
    text.push_str(&format!("INSERT INTO \"schema_migrations\" (version) VALUES\n{};\n\n", rows.join(",\n")));
    text
}

struct Setup {
    registry: tempfile::TempDir,
    web: TestRepo,
    phx: TestRepo,
}

impl Setup {
    /// The Rails app `web` (its migrations and the dump pg_dump wrote after them) and, when
    /// `with_phx`, the Phoenix app `phx` whose migrations share the database.
    fn new(with_phx: bool) -> Setup {
        let dump = real_dump(&[USERS, TEAMS], &["20250101000000", "20250102000000"]);
        let mut web = TestRepo::init();
        web.write(&WEB_MIGRATIONS);
        web.commit_files(&[("db/structure.sql", &dump)], "web: users and teams");
        let mut phx = TestRepo::init();
        phx.commit_files(&[(EVENTS_PATH, EVENTS), ("lib/phx.ex", "defmodule Phx do\nend\n")], "phx: events");
        let registry = tempfile::tempdir().unwrap();
        let mut toml = format!(
            "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"web\"\nrepo = \"{}\"\nframework = \"rails\"\n\
             head = \"main\"\nstructure = \"db/structure.sql\"\nmigrations = \"db/migrate\"\n",
            web.path().display()
        );
        if with_phx {
            toml.push_str(&format!(
                "\n[[app]]\nname = \"phx\"\nrepo = \"{}\"\nframework = \"phoenix\"\nhead = \"main\"\n\
                 migrations = \"priv/repo/migrations\"\n",
                phx.path().display()
            ));
        }
        write(registry.path(), "apps.toml", toml);
        Setup { registry, web, phx }
    }

    fn drift(&self, args: &[&str]) -> (i32, String) {
        let out = tandem_in(self.registry.path()).args(["schema", "drift"]).args(args).output().unwrap();
        let code = out.status.code().unwrap();
        assert!(code <= 1, "exit {code}: {}", String::from_utf8_lossy(&out.stderr));
        (code, String::from_utf8(out.stdout).unwrap())
    }

    fn json(&self) -> (i32, Value) {
        let (code, out) = self.drift(&["--format", "json"]);
        (code, serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}")))
    }

    /// Replace `from` by `to` in the committed dump and commit it.
    fn edit_dump(&mut self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.web.path().join("db/structure.sql")).unwrap();
        assert!(text.contains(from), "the dump has no `{from}`:\n{text}");
        self.web.commit_files(&[("db/structure.sql", &text.replacen(from, to, 1))], "edit the dump");
    }
}

fn findings(v: &Value) -> Vec<(String, String)> {
    v["apps"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["kind"].as_str().unwrap().to_owned(), f["object"].as_str().unwrap().to_owned()))
        .collect()
}

fn finding<'a>(v: &'a Value, kind: &str, object: &str) -> &'a Value {
    v["apps"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && f["object"] == object)
        .unwrap_or_else(|| panic!("no {kind} {object} in {v:#}"))
}

fn line_of(repo: &Path, path: &str, needle: &str) -> u64 {
    let text = std::fs::read_to_string(repo.join(path)).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle} not in {path}")) as u64 + 1
}

#[test]
fn a_real_dump_of_the_replayed_migrations_is_in_sync() {
    let s = Setup::new(false);
    let (code, v) = s.json();
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["version"], 1);
    assert_eq!(v["verdict"], "in_sync");
    assert_eq!(v["apps"][0]["app"], "web");
    assert_eq!(v["apps"][0]["ref"], "head");
    assert_eq!(v["apps"][0]["dump"], "db/structure.sql");
    assert_eq!(v["apps"][0]["commit"], s.web.rev("main"));
    // The sequence `accounts_id_seq` is still named after the table's first name: not drift.
    let dump = std::fs::read_to_string(s.web.path().join("db/structure.sql")).unwrap();
    assert!(dump.contains("accounts_id_seq"), "{dump}");
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
}

#[test]
fn a_table_another_app_creates_is_missing_from_the_dump_until_the_dump_is_regenerated() {
    let mut s = Setup::new(true);
    let (code, v) = s.json();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["verdict"], "drift");
    let table = finding(&v, "missing_table", "events");
    assert_eq!(table["location"]["app"], "phx");
    assert_eq!(table["location"]["file"], EVENTS_PATH);
    assert_eq!(table["location"]["line"], line_of(s.phx.path(), EVENTS_PATH, "create table(:events)"));
    let fk = finding(&v, "missing_foreign_key", "events.events_user_id_fkey");
    assert_eq!(fk["location"]["file"], EVENTS_PATH);
    let version = finding(&v, "missing_version", "20250201000000");
    assert_eq!(version["location"]["app"], "phx");
    assert_eq!(findings(&v).len(), 3, "{v:#}");

    // The text format says the same, and exits the same.
    let (code, text) = s.drift(&[]);
    assert_eq!(code, 1);
    assert!(text.contains("missing_table events: the migrations create table `events` (app `phx`'s"), "{text}");
    assert!(text.ends_with("drift: 3 findings\n"), "{text}");

    // What Ecto runs for that migration, applied to the real database and dumped again.
    let dump = real_dump(&[USERS, TEAMS, EVENTS_SQL], &["20250101000000", "20250102000000", "20250201000000"]);
    s.web.commit_files(&[("db/structure.sql", &dump)], "regenerate the dump");
    let (code, v) = s.json();
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn column_changes_extra_objects_and_versions_are_located_in_the_dump() {
    let mut s = Setup::new(false);
    s.edit_dump("name character varying(100)", "name character varying(200)");
    s.edit_dump("email text NOT NULL", "email text");
    s.edit_dump("title text DEFAULT 'x'::text", "title text DEFAULT 'y'::text");
    s.edit_dump("    name character varying(200)\n", "    name character varying(200),\n    legacy_flag boolean\n");
    s.edit_dump(
        "CREATE UNIQUE INDEX index_users_on_email",
        "CREATE INDEX index_users_on_name ON public.users USING btree (name);\n\nCREATE UNIQUE INDEX index_users_on_email",
    );
    s.edit_dump("('20250102000000')", "('20250102000000'),\n('20250103000000')");
    let (code, v) = s.json();
    assert_eq!(code, 1);
    let dump = "db/structure.sql";
    let at = |kind: &str, object: &str, needle: &str| {
        let f = finding(&v, kind, object);
        assert_eq!(f["location"]["file"], dump, "{f:#}");
        assert!(f["location"].get("app").is_none(), "{f:#}");
        assert_eq!(f["location"]["line"], line_of(s.web.path(), dump, needle), "{kind} {object}: {f:#}");
        f.clone()
    };
    let ty = at("column_type_differs", "users.name", "name character varying(200)");
    assert!(ty["message"].as_str().unwrap().contains("character varying(100)"), "{ty:#}");
    at("nullability_differs", "users.email", "    email text");
    at("default_differs", "teams.title", "title text DEFAULT 'y'");
    at("extra_column", "users.legacy_flag", "legacy_flag boolean");
    at("extra_index", "users.index_users_on_name", "index_users_on_name");
    at("extra_version", "20250103000000", "('20250103000000')");
    assert_eq!(findings(&v).len(), 6, "{v:#}");

    // Every format carries the findings.
    let (_, md) = s.drift(&["--format", "markdown"]);
    assert!(md.contains("| `extra_column` | `users.legacy_flag` | `db/structure.sql:"), "{md}");
    let (_, gh) = s.drift(&["--format", "github"]);
    let line = line_of(s.web.path(), dump, "legacy_flag boolean");
    assert!(gh.contains(&format!("::error file=db/structure.sql,line={line},title=tandem extra_column::")), "{gh}");
}

#[test]
fn a_version_deployed_then_reverted_in_git_is_an_extra_version() {
    let mut s = Setup::new(false);
    let extra = "ALTER TABLE users ADD COLUMN nickname text;\n";
    s.web.write(&[("db/migrate/20250103000000_nickname.sql", extra)]);
    let dump = real_dump(&[USERS, TEAMS, extra], &["20250101000000", "20250102000000", "20250103000000"]);
    s.web.commit_files(&[("db/structure.sql", &dump)], "nickname");
    assert_eq!(s.json().0, 0);
    s.web.remove("db/migrate/20250103000000_nickname.sql");
    s.web.commit("Revert \"nickname\"");
    let (code, v) = s.json();
    assert_eq!(code, 1);
    finding(&v, "extra_version", "20250103000000");
    finding(&v, "extra_column", "users.nickname");
    assert_eq!(findings(&v).len(), 2, "{v:#}");
}

#[test]
fn a_migration_edited_after_the_dump_listed_it_is_an_edited_migration() {
    let mut s = Setup::new(false);
    let first = s.web.rev("main");
    let edited = USERS.replace("name varchar(100)", "name varchar(100), bio text");
    let edit = s.web.commit_files(&[("db/migrate/20250101000000_create_users.sql", &edited)], "add bio in place");
    // Reformatting changes no operation, so no database: not an edit that matters.
    let reformatted = format!("-- teams\n{}", TEAMS.replace("(id serial", "(\n  id serial"));
    s.web.commit_files(&[("db/migrate/20250102000000_teams.sql", &reformatted)], "reformat");
    let (code, v) = s.json();
    assert_eq!(code, 1);
    let f = finding(&v, "edited_migration", "20250101000000");
    assert_eq!(f["location"]["file"], "db/migrate/20250101000000_create_users.sql");
    let evidence: Vec<&str> = f["evidence"].as_array().unwrap().iter().map(|e| e.as_str().unwrap()).collect();
    assert!(evidence.contains(&format!("commit {first}").as_str()), "{evidence:?}");
    assert!(evidence.contains(&format!("commit {edit}").as_str()), "{evidence:?}");
    assert!(evidence.iter().any(|e| e.starts_with("- CREATE TABLE users") && !e.contains("bio")), "{evidence:?}");
    assert!(evidence.iter().any(|e| e.starts_with("+ CREATE TABLE users") && e.contains("bio")), "{evidence:?}");
    // The edit also makes the replayed schema differ from the dump, which never ran it.
    finding(&v, "missing_column", "users.bio");
    assert_eq!(findings(&v).len(), 2, "{v:#}");
}

#[test]
fn what_a_library_migration_may_create_is_unverified_not_drift() {
    let mut s = Setup::new(true);
    let oban = "defmodule Phx.Repo.Migrations.AddOban do\n  use Ecto.Migration\n\n  def up do\n    Oban.Migrations.up()\n  end\n\n  def down do\n    Oban.Migrations.down(version: 1)\n  end\nend\n";
    s.phx.commit_files(&[("priv/repo/migrations/20250301000000_add_oban.exs", oban)], "oban");
    let dump = real_dump(
        &[USERS, TEAMS, EVENTS_SQL, "CREATE TABLE oban_jobs (id bigserial PRIMARY KEY, state text NOT NULL);"],
        &["20250101000000", "20250102000000", "20250201000000", "20250301000000"],
    );
    s.web.commit_files(&[("db/structure.sql", &dump)], "dump with oban");
    let (code, v) = s.json();
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["verdict"], "in_sync");
    let f = finding(&v, "unverified", "oban_jobs");
    let evidence = f["evidence"][0].as_str().unwrap();
    assert!(
        evidence.starts_with("priv/repo/migrations/20250301000000_add_oban.exs:5 (phx): ")
            && evidence.contains("Oban.Migrations.up()"),
        "{evidence}"
    );
    assert_eq!(findings(&v).len(), 1, "{v:#}");
}

#[test]
fn no_app_with_a_dump_is_an_input_error() {
    let s = Setup::new(false);
    let toml = std::fs::read_to_string(s.registry.path().join("apps.toml")).unwrap();
    write(s.registry.path(), "apps.toml", toml.replace("structure = \"db/structure.sql\"\n", ""));
    let out = tandem_in(s.registry.path()).args(["schema", "drift"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no app names a committed schema dump"));
}

/// `tandem schema drift --against env:DRIFT_DB --format json` in `registry`, the database at
/// `url`: the exit code and the report.
fn drift_against(registry: &Path, url: &str) -> (i32, Value) {
    let out = tandem_in(registry)
        .args(["schema", "drift", "--against", "env:DRIFT_DB", "--format", "json"])
        .env("DRIFT_DB", url)
        .output()
        .unwrap();
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), v)
}

#[test]
fn against_a_live_postgres_database_the_database_is_the_truth() {
    let s = Setup::new(false);
    let db = TempDb::new();
    db.execute("CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY KEY);");
    db.execute(USERS);
    db.execute(TEAMS);
    db.execute("INSERT INTO schema_migrations VALUES ('20250101000000'), ('20250102000000');");
    let run = || drift_against(s.registry.path(), &db.url());
    let (code, v) = run();
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);

    // A hotfix applied by hand and a migration run without regenerating the dump.
    db.execute("ALTER TABLE users ADD COLUMN hotfix integer; ALTER TABLE teams ALTER COLUMN title SET NOT NULL;");
    db.execute("INSERT INTO schema_migrations VALUES ('20250104000000');");
    let (code, v) = run();
    assert_eq!(code, 1);
    let f = finding(&v, "missing_column", "users.hotfix");
    assert!(f["message"].as_str().unwrap().starts_with("the database in $DRIFT_DB has column `users.hotfix`"), "{f:#}");
    finding(&v, "nullability_differs", "teams.title");
    finding(&v, "missing_version", "20250104000000");
    assert_eq!(findings(&v).len(), 3, "{v:#}");
}

#[test]
fn against_a_live_mariadb_database_with_a_mysqldump_dump() {
    let db = crate::support::mysql::TempDb::new();
    db.execute(
        "CREATE TABLE users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL, \
         KEY index_users_on_email (email));\n\
         CREATE TABLE orders (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id bigint NOT NULL, \
         CONSTRAINT fk_orders_user FOREIGN KEY (user_id) REFERENCES users (id));",
    );
    let out = Command::new("mysqldump")
        .args(["--no-data", "--skip-comments", "-h", "127.0.0.1", "-u", "root", db.name()])
        .output()
        .expect("run mysqldump");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut app = TestRepo::init();
    app.commit_files(&[("db/structure.sql", &String::from_utf8(out.stdout).unwrap())], "dump");
    let registry = tempfile::tempdir().unwrap();
    write(
        registry.path(),
        "apps.toml",
        format!(
            "[registry]\ndialect = \"mysql\"\n\n[[app]]\nname = \"shop\"\nrepo = \"{}\"\nframework = \"rails\"\n\
             head = \"main\"\nstructure = \"db/structure.sql\"\n",
            app.path().display()
        ),
    );
    let run = || drift_against(registry.path(), &db.url());
    let (code, v) = run();
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);
    db.execute(
        "ALTER TABLE users MODIFY email varchar(320) NOT NULL; ALTER TABLE orders DROP FOREIGN KEY fk_orders_user;",
    );
    let (code, v) = run();
    assert_eq!(code, 1);
    let ty = finding(&v, "column_type_differs", "users.email");
    assert!(ty["message"].as_str().unwrap().contains("varchar(320)"), "{ty:#}");
    let fk = finding(&v, "extra_foreign_key", "orders.fk_orders_user");
    assert_eq!(fk["location"]["line"], line_of(app.path(), "db/structure.sql", "CONSTRAINT `fk_orders_user`"));
    assert_eq!(findings(&v).len(), 2, "{v:#}");
}

#[test]
fn since_a_revision_every_change_of_the_dump_needs_a_migration() {
    let mut s = Setup::new(false);
    s.web.tag_lightweight("v1");
    // A migration and the dump regenerated after it: explained.
    let nickname = "ALTER TABLE users ADD COLUMN nickname text;\n";
    s.web.write(&[("db/migrate/20250103000000_nickname.sql", nickname)]);
    let dump = real_dump(&[USERS, TEAMS, nickname], &["20250101000000", "20250102000000", "20250103000000"]);
    s.web.commit_files(&[("db/structure.sql", &dump)], "nickname");
    let (code, out) = s.drift(&["--since", "v1", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, 0);

    // A type that changed with no migration (the dump regenerated from a database a library
    // migration altered).
    s.edit_dump("name character varying(100)", "name character varying(150)");
    let (code, out) = s.drift(&["--since", "v1", "--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    let f = finding(&v, "changed_without_migration", "users.name");
    assert!(f["message"].as_str().unwrap().contains("from character varying(100) to character varying(150)"), "{f:#}");
    assert_eq!(f["location"]["line"], line_of(s.web.path(), "db/structure.sql", "name character varying(150)"));
    assert_eq!(f["evidence"][0], "added since: 20250103000000");
    finding(&v, "column_type_differs", "users.name");
    assert_eq!(findings(&v).len(), 2, "{v:#}");
}

/// Rails runs a migration with the defaults of the version in its `Migration[x.y]`: 4.2 and 5.0
/// ones create `integer` keys (4.2's references get no index, its timestamps are nullable),
/// datetimes without precision before 7.0 (`timestamps` before 6.0).
const LEGACY_RAILS: [(&str, &str); 4] = [
    (
        "db/migrate/20150101000000_create_authors.rb",
        "class CreateAuthors < ActiveRecord::Migration\n  def change\n    create_table :authors do |t|\n      \
         t.string :name\n      t.timestamps\n    end\n    add_reference :authors, :mentor\n  end\nend\n",
    ),
    (
        "db/migrate/20170101000000_create_posts.rb",
        "class CreatePosts < ActiveRecord::Migration[5.0]\n  def change\n    create_table :posts do |t|\n      \
         t.references :author\n      t.datetime :published_at\n      t.timestamps\n    end\n  end\nend\n",
    ),
    (
        "db/migrate/20210101000000_create_comments.rb",
        "class CreateComments < ActiveRecord::Migration[6.1]\n  def change\n    create_table :comments do |t|\n      \
         t.references :post\n      t.datetime :edited_at\n      t.timestamps\n    end\n  end\nend\n",
    ),
    (
        "db/migrate/20240101000000_create_tags.rb",
        "class CreateTags < ActiveRecord::Migration[7.1]\n  def change\n    create_table :tags do |t|\n      \
         t.datetime :seen_at\n      t.timestamps\n    end\n  end\nend\n",
    ),
];
/// The DDL those Rails versions send to PostgreSQL for `LEGACY_RAILS`.
const LEGACY_RAILS_SQL: &str = "CREATE TABLE authors (id serial PRIMARY KEY, name character varying, \
created_at timestamp, updated_at timestamp);\n\
ALTER TABLE authors ADD mentor_id integer;\n\
CREATE TABLE posts (id serial PRIMARY KEY, author_id integer, published_at timestamp, \
created_at timestamp NOT NULL, updated_at timestamp NOT NULL);\n\
CREATE INDEX index_posts_on_author_id ON posts (author_id);\n\
CREATE TABLE comments (id bigserial PRIMARY KEY, post_id bigint, edited_at timestamp, \
created_at timestamp(6) NOT NULL, updated_at timestamp(6) NOT NULL);\n\
CREATE INDEX index_comments_on_post_id ON comments (post_id);\n\
CREATE TABLE tags (id bigserial PRIMARY KEY, seen_at timestamp(6), \
created_at timestamp(6) NOT NULL, updated_at timestamp(6) NOT NULL);\n";

#[test]
fn old_rails_migrations_replay_with_their_versions_defaults() {
    let dump =
        real_dump(&[LEGACY_RAILS_SQL], &["20150101000000", "20170101000000", "20210101000000", "20240101000000"]);
    let mut web = TestRepo::init();
    web.write(&LEGACY_RAILS);
    web.commit_files(&[("db/structure.sql", &dump)], "web: legacy migrations");
    let registry = tempfile::tempdir().unwrap();
    write(
        registry.path(),
        "apps.toml",
        format!(
            "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"web\"\nrepo = \"{}\"\nframework = \"rails\"\n\
             head = \"main\"\nstructure = \"db/structure.sql\"\nmigrations = \"db/migrate\"\n",
            web.path().display()
        ),
    );
    let out = tandem_in(registry.path()).args(["schema", "drift", "--format", "json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(out.status.code(), Some(0));
}

const JOBS: &str = r#"defmodule Phx.Repo.Migrations.CreateJobs do
  use Ecto.Migration

  def change do
    create table(:jobs) do
      add :account_id, references(:accounts)
      timestamps()
    end
  end
end
"#;
/// The repo's migration settings: microsecond timestamps, uuid keys and references.
const PHX_CONFIG: &str = "import Config\n\nconfig :phx, ecto_repos: [Phx.Repo]\n\n\
config :phx, Phx.Repo,\n  migration_timestamps: [type: :utc_datetime_usec],\n  \
migration_primary_key: [type: :binary_id],\n  migration_foreign_key: [type: :binary_id]\n\n\
import_config \"#{config_env()}.exs\"\n";
/// What Ecto runs for `JOBS` under `PHX_CONFIG` (after an `accounts` table with a uuid key).
const JOBS_SQL: &str = "CREATE TABLE accounts (id uuid PRIMARY KEY);\n\
CREATE TABLE jobs (id uuid PRIMARY KEY, account_id uuid CONSTRAINT jobs_account_id_fkey REFERENCES accounts(id), \
inserted_at timestamp without time zone NOT NULL, updated_at timestamp without time zone NOT NULL);\n";

#[test]
fn ecto_migrations_replay_with_the_repos_configured_defaults() {
    let dump = real_dump(&[JOBS_SQL], &["20250101000000", "20250301000000"]);
    let mut web = TestRepo::init();
    web.commit_files(
        &[
            ("db/migrate/20250101000000_accounts.sql", "CREATE TABLE accounts (id uuid PRIMARY KEY);\n"),
            ("db/structure.sql", &dump),
        ],
        "web: accounts and the dump",
    );
    let mut phx = TestRepo::init();
    phx.commit_files(
        &[("priv/repo/migrations/20250301000000_create_jobs.exs", JOBS), ("config/config.exs", PHX_CONFIG)],
        "phx: jobs",
    );
    let registry = tempfile::tempdir().unwrap();
    write(
        registry.path(),
        "apps.toml",
        format!(
            "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"web\"\nrepo = \"{}\"\nframework = \"rails\"\n\
             head = \"main\"\nstructure = \"db/structure.sql\"\nmigrations = \"db/migrate\"\n\n\
             [[app]]\nname = \"phx\"\nrepo = \"{}\"\nframework = \"phoenix\"\nhead = \"main\"\n\
             migrations = \"priv/repo/migrations\"\n",
            web.path().display(),
            phx.path().display()
        ),
    );
    let drift = || {
        let out = tandem_in(registry.path()).args(["schema", "drift", "--format", "json"]).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
        (out.status.code(), v)
    };
    let (code, v) = drift();
    assert_eq!(findings(&v), Vec::<(String, String)>::new(), "{v:#}");
    assert_eq!(code, Some(0));

    // Without the settings the same migration makes other columns: the config is what was read.
    phx.commit_files(&[("config/config.exs", "import Config\n")], "phx: default settings");
    let (code, v) = drift();
    assert_eq!(code, Some(1));
    let kinds: Vec<(String, String)> = findings(&v);
    assert!(kinds.contains(&("column_type_differs".into(), "jobs.inserted_at".into())), "{v:#}");
    assert!(kinds.contains(&("column_type_differs".into(), "jobs.id".into())), "{v:#}");
}

/// `phx`'s schema of `web`'s users table: a field no migration creates, a virtual one.
const PHX_USER: &str = r#"defmodule Phx.User do
  use Ecto.Schema

  schema "users" do
    field :email, :string
    field :nickname, :string
    field :password, :string, virtual: true
  end
end
"#;
/// `phx`'s own table, which `web`'s dump lacks: a field its migration does not create.
const PHX_EVENT: &str = r#"defmodule Phx.Event do
  use Ecto.Schema

  schema "events" do
    field :kind, :string
    field :severity, :string
    belongs_to :user, Phx.User
    timestamps()
  end
end
"#;
const WEB_USER: &str = r#"class User < ApplicationRecord
  # Not a column: the sign-up form's checkbox.
  attribute :terms_accepted, :boolean

  def display_name
    name.presence || email
  end
end
"#;
const WEB_REPORT: &str = r##"class Report
  def self.rows
    ActiveRecord::Base.connection.select_all("SELECT email, legacy_code FROM users")
  end

  def self.label(user)
    "#{user.display_name} #{user.full_name} #{user.terms_accepted}"
  end
end
"##;

#[test]
fn code_using_a_column_neither_the_dump_nor_any_migration_has_is_a_dangling_reference() {
    let mut s = Setup::new(true);
    s.phx.commit_files(&[("lib/phx/user.ex", PHX_USER), ("lib/phx/event.ex", PHX_EVENT)], "phx: schemas");
    s.web.commit_files(
        &[
            (
                "app/models/application_record.rb",
                "class ApplicationRecord < ActiveRecord::Base\n  self.abstract_class = true\nend\n",
            ),
            ("app/models/user.rb", WEB_USER),
            ("app/services/report.rb", WEB_REPORT),
        ],
        "web: models",
    );
    let (code, v) = s.json();
    assert_eq!(code, 1, "{v:#}");
    let dangling: Vec<String> =
        findings(&v).into_iter().filter(|(k, _)| k == "dangling_reference").map(|(_, o)| o).collect();
    // Not `users.password` (virtual), `users.terms_accepted` (a Rails attribute), nor
    // `display_name` and `full_name` (methods, or nothing): a name read on a record is a column
    // only while the table has one. `events` is missing from the dump (drift of its own), yet
    // its schema's fields are checked against the table the migrations create.
    assert_eq!(dangling, ["events.severity", "users.legacy_code", "users.nickname"], "{v:#}");
    let nickname = finding(&v, "dangling_reference", "users.nickname");
    assert_eq!(nickname["location"]["app"], "phx");
    assert_eq!(nickname["location"]["file"], "lib/phx/user.ex");
    assert_eq!(nickname["location"]["line"], line_of(s.phx.path(), "lib/phx/user.ex", "field :nickname"));
    let message = nickname["message"].as_str().unwrap();
    assert!(message.starts_with("app `phx`'s code uses column `users.nickname`, but db/structure.sql does not have it and no migration of any app creates it"), "{message}");
    // In the dump's own repository: no app named, so that annotations point at the file.
    let legacy = finding(&v, "dangling_reference", "users.legacy_code");
    assert_eq!(legacy["location"].get("app"), None, "{legacy:#}");
    assert_eq!(legacy["location"]["file"], "app/services/report.rb");
    assert_eq!(legacy["location"]["line"], 3);

    // GitHub annotations: on the code line of the dump's repository.
    let (code, github) = s.drift(&["--format", "github"]);
    assert_eq!(code, 1);
    assert!(
        github.contains("::error file=app/services/report.rb,line=3,title=tandem dangling_reference::"),
        "{github}"
    );

    // `refs` lists them apart from the uses of the schema.
    let out = tandem_in(s.registry.path()).args(["refs", "users.nickname"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("users.nickname: 0 references\n"), "{text}");
    assert!(text.contains("and 1 dangling"), "{text}");
    assert!(text.contains("phx @ head  lib/phx/user.ex:6  users.nickname  field :nickname, :string"), "{text}");

    // The migration that adds the column, and a dump that has it: nothing dangles.
    s.phx.commit_files(
        &[(
            "priv/repo/migrations/20250301000000_nickname.exs",
            "defmodule Phx.Repo.Migrations.Nickname do\n  use Ecto.Migration\n\n  def change do\n    \
             alter table(:users) do\n      add :nickname, :string\n    end\n  end\nend\n",
        )],
        "phx: nickname",
    );
    let (_, v) = s.json();
    let dangling: Vec<String> =
        findings(&v).into_iter().filter(|(k, _)| k == "dangling_reference").map(|(_, o)| o).collect();
    assert_eq!(dangling, ["events.severity", "users.legacy_code"], "{v:#}");
    assert!(findings(&v).contains(&("missing_column".into(), "users.nickname".into())), "{v:#}");
}

/// The README's "Two apps, one dump", command by command.
const README_COMMANDS: [&str; 5] = [
    "tandem --config examples/shared-db/apps.toml schema drift",
    "psql -q \"$DATABASE_URL\" -f examples/shared-db/database.sql",
    "tandem --config examples/shared-db/apps.toml schema sync --from env:DATABASE_URL",
    "tandem --config examples/shared-db/apps.toml schema sync --from env:DATABASE_URL --commit --branch shared-db-sync",
    "tandem --config examples/shared-db/apps.toml schema drift --ref shared-db-sync",
];

/// Every file under `dir`, relative to `root`.
fn files_under(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().is_some_and(|n| n == ".tandem") {
            continue;
        }
        if path.is_dir() {
            files_under(root, &path, out);
        } else {
            let rel = path.strip_prefix(root).unwrap().to_str().unwrap().to_owned();
            out.push((rel, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn the_readme_two_apps_one_dump_example_runs_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    for command in README_COMMANDS {
        assert!(readme.contains(command), "the README no longer shows `{command}`");
    }
    // The example as committed, in a repository of its own at the same place.
    let mut files = Vec::new();
    files_under(root, &root.join("examples/shared-db"), &mut files);
    let mut repo = TestRepo::init();
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    repo.commit_files(&borrowed, "the example");
    // `createdb`: a database of the test's own.
    let db = TempDb::new();
    let run = |command: &str| -> (i32, String) {
        let out = if let Some(args) = command.strip_prefix("tandem ") {
            tandem_in(repo.path()).args(args.split_whitespace()).env("DATABASE_URL", db.url()).output().unwrap()
        } else {
            Command::new("sh")
                .args(["-c", command])
                .current_dir(repo.path())
                .env("DATABASE_URL", db.url())
                .output()
                .unwrap()
        };
        let code = out.status.code().unwrap();
        assert!(code <= 1, "`{command}` exited {code}: {}", String::from_utf8_lossy(&out.stderr));
        (code, String::from_utf8(out.stdout).unwrap())
    };

    let (code, drift) = run(README_COMMANDS[0]);
    assert_eq!(code, 1, "{drift}");
    for expected in [
        "missing_table tickets: the migrations create table `tickets` (app `desk`'s",
        "missing_foreign_key tickets.tickets_user_id_fkey",
        "missing_version 20260201090000",
        "dangling_reference users.locale: app `desk`'s code uses column `users.locale`",
        "drift: 4 findings",
    ] {
        assert!(drift.contains(expected), "no `{expected}` in:\n{drift}");
    }
    // The virtual field and the Rails attribute are no columns.
    assert!(!drift.contains("signature") && !drift.contains("terms_accepted"), "{drift}");

    assert_eq!(run(README_COMMANDS[1]).0, 0);
    let (code, diff) = run(README_COMMANDS[2]);
    assert_eq!(code, 1, "{diff}");
    assert!(diff.contains("+CREATE TABLE public.tickets ("), "{diff}");
    assert!(diff.contains("+('20260201090000')"), "{diff}");
    let (code, out) = run(README_COMMANDS[3]);
    assert_eq!(code, 0, "{out}");
    assert!(repo.repo.find_branch("shared-db-sync", git2::BranchType::Local).is_ok());

    // The regenerated dump has what desk's migration made; the code still uses a column no
    // migration creates.
    let (code, drift) = run(README_COMMANDS[4]);
    assert_eq!(code, 1, "{drift}");
    assert!(drift.contains("dangling_reference users.locale"), "{drift}");
    assert!(drift.ends_with("drift: 1 finding\n"), "{drift}");
}

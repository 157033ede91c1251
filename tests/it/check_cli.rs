//! `tandem check` end to end on real git repositories built at test time: the same migration
//! blocks at a commit where an app still uses the target and passes where the use was removed;
//! the deployed ref blocks even when head is clean; every reference kind can block; `--since`;
//! exit codes; an unreadable app fails closed.

use std::path::Path;

use crate::support::cmd::{git, tandem, write};
use serde_json::Value;

/// The canonical schema as a SQLite database file (read through live introspection).
fn schema_db(path: &Path) {
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        for sql in [
            "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, name text, legacy_flag boolean)",
            "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer, notes text)",
        ] {
            sqlx::query(sql).execute(&pool).await.unwrap();
        }
        pool.close().await;
    });
}

const DROP: &str = "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nALTER TABLE users DROP COLUMN legacy_flag;\n\n-- migrate:down\nALTER TABLE users ADD COLUMN legacy_flag boolean;\n";

const USER_V1: &str = "class User < ApplicationRecord\n  has_many :orders\nend\n";
const USER_V2: &str =
    "class User < ApplicationRecord\n  self.ignored_columns += [\"legacy_flag\"]\n  has_many :orders\nend\n";

/// A repository holding the registry and a Rails app: tag `deployed` has a User model that loads
/// every column; `main` ignores `legacy_flag`.
fn repo(extra_apps: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    schema_db(&root.join("schema.sqlite"));
    write(
        root,
        "apps.toml",
        format!(
            "[registry]\ndialect = \"postgres\"\nschema = \"schema.sqlite\"\nmigrations = \"migrations\"\n\n\
             [[app]]\nname = \"platform\"\nrepo = \".\"\npath = \"platform\"\nframework = \"rails\"\n\
             deployed = \"deployed\"\nhead = \"main\"\n{extra_apps}"
        ),
    );
    write(root, ".gitignore", ".tandem/\n");
    write(root, "platform/app/models/user.rb", USER_V1);
    write(
        root,
        "migrations/20250101000000_index_users_email.sql",
        "-- migrate:up\nCREATE INDEX idx_users_email ON users (email);\n-- migrate:down\nDROP INDEX idx_users_email;\n",
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "v1"]);
    git(root, &["tag", "deployed"]);
    write(root, "platform/app/models/user.rb", USER_V2);
    write(root, "migrations/20261102090000_drop_users_legacy_flag.sql", DROP);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "v2: ignore legacy_flag, drop it"]);
    dir
}

fn check(root: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = tandem().current_dir(root).arg("check").args(args).args(["--format", "json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{stderr}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn drop_finding(v: &Value) -> &Value {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "drop-column")
        .unwrap_or_else(|| panic!("no drop-column finding: {v:#}"))
}

const MIGRATION: &str = "migrations/20261102090000_drop_users_legacy_flag.sql";

#[test]
fn the_deployed_ref_blocks_while_head_is_clean_and_passes_once_deployed() {
    let dir = repo("");
    let root = dir.path();
    let (code, v, err) = check(root, &[MIGRATION]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    assert_eq!(v["verdict"], "block");
    let f = drop_finding(&v);
    assert_eq!(f["severity"], "block");
    let refs = f["references"].as_array().unwrap();
    assert!(!refs.is_empty());
    assert!(refs.iter().all(|r| r["ref"] == "deployed" && r["app"] == "platform"), "{refs:#?}");
    assert!(refs.iter().any(|r| r["path"] == "platform/app/models/user.rb" && r["kind"] == "implicit"), "{refs:#?}");
    assert_eq!(f["location"]["line"], 3);

    // Deploy head: nothing uses the column any more, the same migration passes.
    git(root, &["tag", "-f", "deployed", "main"]);
    let (code, v, err) = check(root, &[MIGRATION]);
    assert_eq!(code, 0, "{err}\n{v:#}");
    assert_eq!(v["verdict"], "pass");
    let f = drop_finding(&v);
    assert_eq!(f["severity"], "info");
    assert!(f["message"].as_str().unwrap().contains("no app uses it (checked platform@deployed"), "{f:#}");
    assert_eq!(f["checked"].as_array().unwrap().len(), 2);
}

#[test]
fn head_blocks_when_it_starts_using_the_column_again() {
    let dir = repo("");
    let root = dir.path();
    git(root, &["tag", "-f", "deployed", "main"]);
    write(root, "platform/app/models/user.rb", USER_V1);
    git(root, &["commit", "-qam", "v3: reads legacy_flag again"]);
    let (code, v, _) = check(root, &[MIGRATION]);
    assert_eq!(code, 1);
    let refs = drop_finding(&v)["references"].as_array().unwrap().clone();
    assert!(refs.iter().all(|r| r["ref"] == "head"), "{refs:#?}");
}

#[test]
fn every_reference_kind_can_block() {
    let dir = repo(
        "\n[[app]]\nname = \"portal\"\nrepo = \".\"\npath = \"portal\"\nframework = \"phoenix\"\nhead = \"main\"\n\n\
         [[app]]\nname = \"reports\"\nrepo = \".\"\npath = \"reports\"\nframework = \"generic\"\nhead = \"main\"\n",
    );
    let root = dir.path();
    let toml = std::fs::read_to_string(root.join("apps.toml")).unwrap();
    std::fs::write(
        root.join("apps.toml"),
        toml.replace("migrations = \"migrations\"\n", "migrations = \"migrations\"\nmin_confidence = \"low\"\n"),
    )
    .unwrap();
    write(
        root,
        "platform/app/models/flagged.rb",
        "class Flagged\n  def self.all_flagged\n    User.where(legacy_flag: true)\n  end\nend\n",
    );
    write(
        root,
        "portal/lib/portal/accounts/user.ex",
        "defmodule Portal.Accounts.User do\n  use Ecto.Schema\n\n  schema \"users\" do\n    field :email, :string\n    field :legacy_flag, :boolean\n  end\nend\n",
    );
    write(root, "reports/nightly.rb", "def flagged(db)\n  db.execute(\"SELECT id, legacy_flag FROM users\")\nend\n");
    write(root, "reports/notes.txt.rb", "# remember: legacy_flag\nputs :legacy_flag\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "more apps"]);
    let (code, v, err) = check(root, &[MIGRATION]);
    assert_eq!(code, 1, "{err}");
    let kinds: std::collections::BTreeSet<String> = drop_finding(&v)["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["declaration", "implicit", "query", "sql", "name"] {
        assert!(kinds.contains(kind), "no {kind} reference among {kinds:?}: {v:#}");
    }
}

#[test]
fn since_checks_only_migrations_changed_since_the_revision() {
    let dir = repo("");
    let root = dir.path();
    let (_, v, err) = check(root, &["--since", "deployed"]);
    let files: Vec<&str> = v["migrations"].as_array().unwrap().iter().map(|m| m["file"].as_str().unwrap()).collect();
    assert!(files.len() == 1 && files[0].ends_with("20261102090000_drop_users_legacy_flag.sql"), "{files:?} {err}");

    // Untracked new files count too.
    write(
        root,
        "migrations/20261201000000_add_tz.sql",
        "-- migrate:up\nALTER TABLE users ADD COLUMN tz text;\n-- migrate:down\nSELECT 1;\n",
    );
    let (_, v, _) = check(root, &["--since", "main"]);
    let files: Vec<&str> = v["migrations"].as_array().unwrap().iter().map(|m| m["file"].as_str().unwrap()).collect();
    assert!(files.len() == 1 && files[0].ends_with("20261201000000_add_tz.sql"), "{files:?}");
    // Without PATHs or --since, the registry's migrations directory.
    let (_, v, _) = check(root, &[]);
    assert_eq!(v["migrations"].as_array().unwrap().len(), 3);
}

#[test]
fn fail_on_warn_and_exit_codes() {
    let dir = repo("");
    let root = dir.path();
    let old = "migrations/20250101000000_index_users_email.sql";
    let (code, v, _) = check(root, &[old]);
    assert_eq!((code, v["verdict"].as_str()), (0, Some("warn")));
    let (code, _, _) = check(root, &[old, "--fail-on", "warn"]);
    assert_eq!(code, 1);

    write(
        root,
        "migrations/bad.sql",
        "-- migrate:up\n-- tandem:allow drop-column\nALTER TABLE users DROP COLUMN legacy_flag;\n",
    );
    let out = tandem().current_dir(root).args(["check", "migrations/bad.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("migrations/bad.sql:2:4") && err.contains("has no reason"), "{err}");
}

#[test]
fn an_app_whose_ref_does_not_resolve_fails_the_gate_closed() {
    let dir = repo(
        "\n[[app]]\nname = \"portal\"\nrepo = \".\"\npath = \"portal\"\nframework = \"phoenix\"\nhead = \"no-such-branch\"\n",
    );
    let root = dir.path();
    git(root, &["tag", "-f", "deployed", "main"]);
    let (code, v, _) = check(root, &[MIGRATION]);
    assert_eq!(code, 1);
    let f = drop_finding(&v);
    assert_eq!(f["severity"], "block");
    assert!(
        f["message"].as_str().unwrap().contains("`portal` at head could not be checked, so the gate fails closed"),
        "{f:#}"
    );
}

#[test]
fn text_github_sarif_and_markdown_render_from_the_command() {
    let dir = repo("");
    let root = dir.path();
    for (format, needle) in [
        ("text", "block[drop-column]"),
        ("github", "::error file=migrations/20261102090000_drop_users_legacy_flag.sql,line=3,col=1"),
        ("sarif", "\"ruleId\": \"drop-column\""),
        ("markdown", "## tandem check: ⛔ **block**"),
    ] {
        let out = tandem().current_dir(root).args(["check", MIGRATION, "--format", format]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains(needle), "{format}: {text}");
    }
}

#[test]
fn the_bundled_example_blocks_with_the_references_that_cause_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, v, err) = check(root, &[]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(v["migrations"].as_array().unwrap().len(), 4);
    let f = drop_finding(&v);
    assert_eq!(f["object"], "users.legacy_flag");
    assert_eq!(f["severity"], "block");
    let refs = f["references"].as_array().unwrap();
    // The Rails app ignores the column; the Phoenix app still maps it and reads it in
    // `legacy?(%__MODULE__{legacy_flag: flag})`, deployed and next.
    let found: Vec<String> = refs
        .iter()
        .map(|r| format!("{} {} {}:{} {}", r["app"], r["ref"], r["path"], r["line"], r["kind"]).replace('"', ""))
        .collect();
    assert_eq!(
        found,
        [
            "portal deployed examples/portal/lib/portal/accounts/user.ex:10 declaration",
            "portal deployed examples/portal/lib/portal/accounts/user.ex:27 query",
            "portal head examples/portal/lib/portal/accounts/user.ex:10 declaration",
            "portal head examples/portal/lib/portal/accounts/user.ex:27 query",
        ],
        "{refs:#?}"
    );
    let rename = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "rename-column").unwrap();
    assert_eq!(rename["severity"], "block");
    assert_eq!(rename["object"], "orders.notes");
}

/// A registry with no schema dump, one Rails app whose model validates `widgets.a`, and a
/// migrations directory holding the table's whole history: created, then a column dropped.
fn history_repo(schema_versions: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    let schema = match schema_versions {
        Some(versions) => {
            write(
                root,
                "structure.sql",
                format!(
                    "CREATE TABLE public.widgets (id integer, a text);\n\
                     CREATE TABLE public.schema_migrations (version character varying NOT NULL);\n\
                     INSERT INTO \"schema_migrations\" (version) VALUES\n{versions};\n"
                ),
            );
            "schema = \"structure.sql\"\n"
        }
        None => "",
    };
    write(
        root,
        "apps.toml",
        format!(
            "[registry]\ndialect = \"postgres\"\n{schema}migrations = \"migrations\"\n\n\
             [[app]]\nname = \"platform\"\nrepo = \".\"\npath = \"platform\"\nframework = \"rails\"\nhead = \"main\"\n"
        ),
    );
    write(root, ".gitignore", ".tandem/\n");
    write(
        root,
        "platform/app/models/widget.rb",
        "class Widget < ApplicationRecord\n  validates :a, presence: true\nend\n",
    );
    write(
        root,
        "migrations/20260101000000_create_widgets.sql",
        "-- migrate:up\nCREATE TABLE widgets (id int, a text);\n-- migrate:down\nDROP TABLE widgets;\n",
    );
    write(
        root,
        "migrations/20260102000000_drop_widgets_a.sql",
        "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nALTER TABLE widgets DROP COLUMN a;\n-- migrate:down\nALTER TABLE widgets ADD COLUMN a text;\n",
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "widgets"]);
    dir
}

#[test]
fn a_directory_gates_a_drop_on_a_table_an_earlier_migration_created() {
    let dir = history_repo(None);
    let root = dir.path();
    // The second file alone blocks; the directory holding both must block the same way.
    for args in [&["migrations/20260102000000_drop_widgets_a.sql"][..], &["migrations"][..], &[][..]] {
        let (code, v, err) = check(root, args);
        assert_eq!(code, 1, "{args:?}: {err}\n{v:#}");
        let f = drop_finding(&v);
        assert_eq!(f["severity"], "block", "{args:?}: {f:#}");
        assert_eq!(f["object"], "widgets.a");
        let refs = f["references"].as_array().unwrap();
        assert!(refs.iter().any(|r| r["path"] == "platform/app/models/widget.rb" && r["line"] == 2), "{refs:#?}");
    }
}

#[test]
fn an_index_on_a_table_an_earlier_migration_created_is_linted() {
    let dir = history_repo(None);
    let root = dir.path();
    write(
        root,
        "migrations/20260103000000_index_widgets_a.sql",
        "-- migrate:up\nCREATE INDEX widgets_a ON widgets (a);\n-- migrate:down\nDROP INDEX widgets_a;\n",
    );
    let (_, v, _) = check(root, &["migrations"]);
    let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(rules.contains(&"require-concurrent-index-creation"), "{v:#}");
    // The same statement in the migration that creates the table is harmless.
    write(
        root,
        "migrations/20260103000000_index_widgets_a.sql",
        "-- migrate:up\nCREATE TABLE gadgets (id int, a text);\nCREATE INDEX gadgets_a ON gadgets (a);\n-- migrate:down\nDROP TABLE gadgets;\n",
    );
    let (_, v, _) = check(root, &["migrations"]);
    let rules: Vec<&str> = v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(!rules.contains(&"require-concurrent-index-creation"), "{v:#}");
}

#[test]
fn migrations_the_schema_lists_as_applied_are_not_checked_again() {
    // The dump says both migrations ran: the drop already happened, nothing is pending.
    let dir = history_repo(Some("('20260101000000'),\n('20260102000000')"));
    let (code, v, err) = check(dir.path(), &["migrations"]);
    assert_eq!(code, 0, "{err}\n{v:#}");
    assert!(v["findings"].as_array().unwrap().iter().all(|f| f["rule"] != "drop-column"), "{v:#}");
    let applied: Vec<bool> = v["migrations"].as_array().unwrap().iter().map(|m| m["applied"] == true).collect();
    assert_eq!(applied, [true, true]);
    // Only the creation ran: the drop is pending and blocks.
    let dir = history_repo(Some("('20260101000000')"));
    let (code, v, err) = check(dir.path(), &["migrations"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    assert_eq!(drop_finding(&v)["severity"], "block");
}

/// `args` in `dir` as they are, any format: (exit code, stdout, stderr).
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tandem().current_dir(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_model_that_cannot_be_read_fails_the_gate_closed_in_every_format() {
    let dir = repo("");
    let root = dir.path();
    // Both refs at `main`, whose model ignores the column: intact, the drop passes.
    git(root, &["tag", "-f", "deployed", "main"]);
    let (code, v, err) = check(root, &[MIGRATION]);
    assert_eq!(code, 0, "{err}\n{v:#}");
    assert_eq!(v["unreadable"], serde_json::json!([]), "always present, empty when all was read");
    // The cache would answer for the blob without reading it: start from an empty store.
    std::fs::remove_dir_all(root.join(".tandem")).unwrap();
    let blob = crate::support::cmd::corrupt_blob(root, "main:platform/app/models/user.rb");

    let (code, v, err) = check(root, &[MIGRATION]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let unreadable = v["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 2, "{v:#}");
    for (u, git_ref) in unreadable.iter().zip(["deployed", "head"]) {
        assert_eq!(u["app"], "platform");
        assert_eq!(u["ref"], git_ref);
        assert_eq!(u["path"], "platform/app/models/user.rb");
        assert_eq!(u["may_reference"], true);
        let message = u["message"].as_str().unwrap();
        assert!(message.contains(&format!("blob {blob} is corrupt")), "{message}");
    }
    let f = drop_finding(&v);
    assert_eq!(f["severity"], "block");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("2 files that could use it could not be read, so the gate fails closed"), "{message}");
    assert!(message.contains("platform/app/models/user.rb"), "{message}");

    for format in ["text", "github", "sarif", "markdown"] {
        let (code, out, err) = run_in(root, &["check", MIGRATION, "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        assert!(out.contains("platform/app/models/user.rb"), "{format}: {out}");
        assert!(out.contains("corrupt"), "{format}: {out}");
    }
    // `scan` says what is wrong with the object: corrupt, not missing.
    let (_, out, _) = run_in(root, &["scan"]);
    assert!(out.contains(&format!("platform/app/models/user.rb: blob {blob} is corrupt")), "{out}");
    assert!(!out.contains("missing"), "{out}");
}

#[test]
fn a_file_the_parser_gives_up_on_fails_the_gate_closed() {
    // Text tree-sitter's Ruby grammar parses thirty times slower a byte than the slowest real
    // code (`a &b` may be a call with a block argument or a bitwise and): its parse is cut off
    // at its CPU budget, and the file is unreadable, not read as empty.
    let dir = repo("");
    let root = dir.path();
    // It names the model, so the scan's screen does not pass it over unread.
    write(root, "platform/app/models/tangle.rb", format!("User.count\n{}", "a &b ".repeat(48_000)));
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "a tangle"]);
    git(root, &["tag", "-f", "deployed", "main"]);
    let (code, v, err) = check(root, &[MIGRATION]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let unreadable = v["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 2, "{v:#}");
    for u in unreadable {
        assert_eq!(u["path"], "platform/app/models/tangle.rb");
        let message = u["message"].as_str().unwrap();
        assert!(message.contains("the parser gave up after 0.98 s of CPU on 235 KB"), "{message}");
    }
    assert_eq!(drop_finding(&v)["severity"], "block");
}

#[test]
fn a_ref_that_does_not_resolve_is_blamed_alone() {
    let dir = repo("");
    let root = dir.path();
    let toml = std::fs::read_to_string(root.join("apps.toml")).unwrap();
    std::fs::write(root.join("apps.toml"), toml.replace("deployed = \"deployed\"", "deployed = \"no-such-tag\""))
        .unwrap();
    let (code, v, err) = check(root, &[MIGRATION]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let unreadable = v["unreadable"].as_array().unwrap();
    assert_eq!(unreadable.len(), 1, "{v:#}");
    assert_eq!(unreadable[0]["ref"], "deployed");
    assert!(unreadable[0]["message"].as_str().unwrap().contains("`no-such-tag` does not resolve"), "{v:#}");
    let checked: Vec<(&str, &str)> = v["checked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["app"].as_str().unwrap(), c["ref"].as_str().unwrap()))
        .collect();
    assert_eq!(checked, [("platform", "head")]);
    let message = drop_finding(&v)["message"].as_str().unwrap().to_owned();
    assert!(message.contains("`platform` at deployed could not be checked"), "{message}");
    assert!(!message.contains("at head could not"), "{message}");
}

/// A Rails-style registry: a text dump listing applied versions, a model that maps every column
/// of `users` (no column named in code: only the schema says which columns it loads), tag `base`.
/// The pull request after it adds a migration dropping `users.legacy_flag` and, as `rails
/// db:migrate` does, rewrites the dump without the column and with the new version.
fn ahead_repo(down: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    let dump = |columns: &str, versions: &str| {
        format!(
            "CREATE TABLE public.users (\n    id bigint NOT NULL,\n    email text NOT NULL{columns}\n);\n\n\
             CREATE TABLE public.schema_migrations (version character varying NOT NULL);\n\n\
             INSERT INTO \"schema_migrations\" (version) VALUES\n{versions};\n"
        )
    };
    write(root, "db/structure.sql", dump(",\n    legacy_flag boolean", "('20250101000000')"));
    write(
        root,
        "apps.toml",
        "[registry]\ndialect = \"postgres\"\nschema = \"db/structure.sql\"\nmigrations = \"migrations\"\n\n\
         [[app]]\nname = \"platform\"\nrepo = \".\"\npath = \"platform\"\nframework = \"rails\"\nhead = \"main\"\n",
    );
    write(root, ".gitignore", ".tandem/\n");
    write(root, "platform/app/models/user.rb", "class User < ApplicationRecord\nend\n");
    write(
        root,
        "migrations/20250101000000_create_users.sql",
        "-- migrate:up\nCREATE TABLE users (id bigint NOT NULL, email text NOT NULL, legacy_flag boolean);\n\
         -- migrate:down\nDROP TABLE users;\n",
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["tag", "base"]);
    let migration = if down {
        DROP.to_owned()
    } else {
        "SET lock_timeout = '5s'; SET statement_timeout = '30s';\nALTER TABLE users DROP COLUMN legacy_flag;\n"
            .to_owned()
    };
    write(root, MIGRATION, migration);
    write(root, "db/structure.sql", dump("", "('20250101000000'),\n('20261102090000')"));
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "drop users.legacy_flag"]);
    dir
}

fn notes(v: &Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "schema-state")
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn since_compares_against_the_schema_as_it_was_at_the_revision() {
    let dir = ahead_repo(true);
    let root = dir.path();
    let (code, v, err) = check(root, &["--since", "base"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    assert_eq!(v["migrations"][0]["applied"], false, "{v:#}");
    let f = drop_finding(&v);
    assert_eq!(f["severity"], "block");
    let refs = f["references"].as_array().unwrap();
    assert!(
        refs.iter().any(|r| r["path"] == "platform/app/models/user.rb" && r["kind"] == "implicit"),
        "the model maps the column the schema at `base` has: {refs:#?}"
    );
    assert!(notes(&v).iter().any(|n| n.starts_with("compared against db/structure.sql at base (")), "{v:#}");
}

#[test]
fn a_schema_ahead_of_a_named_migration_is_rewound_with_its_down_part() {
    let dir = ahead_repo(true);
    let root = dir.path();
    let (code, v, err) = check(root, &[MIGRATION]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    assert_eq!(drop_finding(&v)["severity"], "block");
    assert!(
        notes(&v).iter().any(|n| n.contains("already lists migration 20261102090000 as applied: it is ahead")),
        "{v:#}"
    );
    // Without --since nor a file named, a directory's listed migrations are applied ones.
    let (code, v, _) = check(root, &["migrations"]);
    assert_eq!(code, 0, "{v:#}");
    assert!(v["migrations"].as_array().unwrap().iter().all(|m| m["applied"] == true), "{v:#}");
}

#[test]
fn a_schema_ahead_of_a_migration_with_no_down_part_is_refused() {
    let dir = ahead_repo(false);
    let root = dir.path();
    let (code, _, err) = run_in(root, &["check", MIGRATION]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("{MIGRATION}:1:1")), "{err}");
    assert!(err.contains("already lists migration 20261102090000 as applied, and it has no down part"), "{err}");
    assert!(err.contains("--since"), "{err}");
}

#[test]
fn a_schema_missing_at_the_revision_falls_back_to_the_work_tree_with_a_note() {
    let dir = ahead_repo(true);
    let root = dir.path();
    // The dump moves in the pull request: at `base` there is none where apps.toml now points.
    git(root, &["mv", "db/structure.sql", "db/schema.sql"]);
    let toml = std::fs::read_to_string(root.join("apps.toml")).unwrap();
    std::fs::write(root.join("apps.toml"), toml.replace("db/structure.sql", "db/schema.sql")).unwrap();
    let (code, v, err) = check(root, &["--since", "base"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    assert!(
        notes(&v)
            .iter()
            .any(|n| n.starts_with("db/schema.sql did not exist at base: compared against the work tree's copy")),
        "{v:#}"
    );
    // The work tree's copy is ahead of the migration: undone, the drop still sees the column.
    assert_eq!(drop_finding(&v)["severity"], "block");
}

#[test]
fn dropping_a_column_the_schema_does_not_have_is_an_error_naming_both() {
    let dir = ahead_repo(true);
    let root = dir.path();
    // A dump that lags: without the column, without the version.
    let text = std::fs::read_to_string(root.join("db/structure.sql")).unwrap();
    std::fs::write(root.join("db/structure.sql"), text.replace(",\n('20261102090000')", "")).unwrap();
    let (code, v, err) = check(root, &[MIGRATION]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let f = drop_finding(&v);
    assert_eq!(f["severity"], "block");
    assert_eq!(
        f["message"],
        "drops column `users.legacy_flag`, but `users` has no column `legacy_flag` in the schema state \
         (db/structure.sql): either the migration fails there, or the schema is not the database before it"
    );
}

#[test]
fn without_a_dump_the_state_is_replayed_from_the_registered_migrations() {
    let dir = history_repo(None);
    let root = dir.path();
    // A model that names no column: only the schema says it maps `a`.
    write(root, "platform/app/models/widget.rb", "class Widget < ApplicationRecord\nend\n");
    git(root, &["commit", "-qam", "plain model"]);
    let (code, v, err) = check(root, &["migrations/20260102000000_drop_widgets_a.sql"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let f = drop_finding(&v);
    assert_eq!(f["severity"], "block");
    assert!(
        f["references"].as_array().unwrap().iter().any(|r| r["kind"] == "implicit"),
        "the replayed `widgets` gives the model its columns: {f:#}"
    );
    assert!(notes(&v).iter().any(|n| n.contains("replayed from migrations/ (1 earlier migration replayed)")), "{v:#}");
    // Replayed history is not reported as checked.
    assert_eq!(v["migrations"].as_array().unwrap().len(), 1);
}

#[test]
fn an_apps_own_migration_directory_is_replayed_too() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "apps.toml",
        "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"portal\"\nrepo = \".\"\npath = \"portal\"\n\
         framework = \"phoenix\"\nhead = \"main\"\nmigrations = \"priv/repo/migrations\"\n",
    );
    write(root, ".gitignore", ".tandem/\n");
    write(
        root,
        "portal/priv/repo/migrations/20260101000000_create_posts.exs",
        "defmodule Portal.Repo.Migrations.CreatePosts do\n  use Ecto.Migration\n\n  def change do\n    \
         create table(:posts) do\n      add :title, :string\n    end\n  end\nend\n",
    );
    write(
        root,
        "portal/lib/portal/post.ex",
        "defmodule Portal.Post do\n  use Ecto.Schema\n  schema \"posts\" do\n    field :title, :string\n  end\nend\n",
    );
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "posts"]);
    write(
        root,
        "drops/20260201000000_drop.sql",
        "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nALTER TABLE posts DROP COLUMN body;\n-- migrate:down\nSELECT 1;\n",
    );
    let (code, v, err) = check(root, &["drops/20260201000000_drop.sql"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let f = drop_finding(&v);
    assert!(
        f["message"].as_str().unwrap().contains(
            "`posts` has no column `body` in the schema state (the migrations of portal/priv/repo/migrations/ replayed)"
        ),
        "{f:#}"
    );
}

/// `check DIR` on a registry without a dump whose `migrations` directory holds `files`.
fn findings_of_history(files: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, "apps.toml", "[registry]\ndialect = \"postgres\"\nmigrations = \"db/migrations\"\n");
    for (path, text) in files {
        write(root, &format!("db/migrations/{path}"), text);
    }
    let (code, v, err) = check(root, &[]);
    assert!(code == 0 || code == 1, "{err}\n{v:#}");
    v["findings"].as_array().unwrap().iter().map(|f| format!("{}: {}", f["rule"], f["message"])).collect()
}

fn type_findings(findings: &[String]) -> Vec<&String> {
    findings.iter().filter(|f| f.contains("change-column-type") || f.contains("type-change-rewrites-table")).collect()
}

#[test]
fn restating_a_columns_type_to_change_nullability_or_default_is_no_type_change() {
    let rails = [
        (
            "20260101000000_create_users.rb",
            "class CreateUsers < ActiveRecord::Migration[7.1]\n  def change\n    create_table :users do |t|\n      \
             t.string :name, null: false\n    end\n  end\nend\n",
        ),
        (
            "20260102000000_relax_name.rb",
            "class RelaxName < ActiveRecord::Migration[7.1]\n  def up\n    change_column :users, :name, :string, null: true\n  \
             end\n\n  def down\n    change_column :users, :name, :string, null: false\n  end\nend\n",
        ),
    ];
    let found = findings_of_history(&rails);
    assert!(type_findings(&found).is_empty(), "{found:#?}");
    let ecto = [
        (
            "20260101000000_create_users.exs",
            "defmodule Repo.Migrations.CreateUsers do\n  use Ecto.Migration\n\n  def change do\n    create table(:users) do\n      \
             add :name, :string, null: false\n    end\n  end\nend\n",
        ),
        (
            "20260102000000_relax_name.exs",
            "defmodule Repo.Migrations.RelaxName do\n  use Ecto.Migration\n\n  def change do\n    alter table(:users) do\n      \
             modify :name, :string, null: true, from: {:string, null: false}\n    end\n  end\nend\n",
        ),
    ];
    let found = findings_of_history(&ecto);
    assert!(type_findings(&found).is_empty(), "{found:#?}");
    let django = [
        (
            "0001_initial.py",
            "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    \
             dependencies = []\n    operations = [\n        migrations.CreateModel(\n            name='Member',\n            \
             fields=[\n                ('id', models.BigAutoField(primary_key=True)),\n                \
             ('name', models.CharField(max_length=100)),\n                ('joined', models.DateTimeField()),\n            ],\n        ),\n    ]\n",
        ),
        (
            "0002_relax.py",
            "import django.utils.timezone\nfrom django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    \
             dependencies = [('shop', '0001_initial')]\n    operations = [\n        migrations.AlterField(\n            \
             model_name='member',\n            name='name',\n            field=models.CharField(max_length=100, null=True, blank=True),\n        ),\n        \
             migrations.AlterField(\n            model_name='member',\n            name='joined',\n            \
             field=models.DateTimeField(default=django.utils.timezone.now),\n        ),\n    ]\n",
        ),
    ];
    let found = findings_of_history(&django);
    assert!(type_findings(&found).is_empty(), "{found:#?}");
    // A real change of type still is one.
    let found = findings_of_history(&[
        rails[0],
        (
            "20260102000000_name_to_text.rb",
            "class NameToText < ActiveRecord::Migration[7.1]\n  def up\n    change_column :users, :name, :integer\n  end\n\n  \
             def down\n    change_column :users, :name, :string\n  end\nend\n",
        ),
    ]);
    assert_eq!(type_findings(&found).len(), 2, "{found:#?}");
}

#[test]
fn a_waiver_of_an_unknown_rule_is_refused_where_it_is_written() {
    let dir = repo(
        "\n[[waiver]]\nrule = \"drop-colum\"\nobject = \"users.legacy_flag\"\nreason = \"r\"\nowner = \"o\"\nuntil = \"2099-01-01\"\n",
    );
    let root = dir.path();
    let (code, _, err) = run_in(root, &["check", MIGRATION]);
    assert_eq!(code, 2, "{err}");
    let toml = std::fs::read_to_string(root.join("apps.toml")).unwrap();
    let line = toml.lines().position(|l| l.starts_with("rule = \"drop-colum\"")).unwrap() + 1;
    assert!(err.contains(&format!("apps.toml:{line}:8")), "{err}");
    assert!(err.contains("`drop-colum` is not a rule") && err.contains("did you mean `drop-column`?"), "{err}");

    // A former id still waives its rule.
    let dir = repo(
        "\n[[waiver]]\nrule = \"changing-column-type\"\nobject = \"users.email\"\nreason = \"r\"\nowner = \"o\"\nuntil = \"2099-01-01\"\n",
    );
    let root = dir.path();
    write(
        root,
        "migrations/20261103000000_email_to_varchar.sql",
        "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nALTER TABLE users ALTER COLUMN email TYPE varchar(20);\n-- migrate:down\nSELECT 1;\n",
    );
    let (_, v, err) = check(root, &["migrations/20261103000000_email_to_varchar.sql"]);
    let lint = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "type-change-rewrites-table")
        .unwrap_or_else(|| panic!("{err}\n{v:#}"));
    assert_eq!(lint["suppression"]["by"], "waiver", "{lint:#}");
}

#[test]
fn empty_inputs_are_said_and_an_empty_dump_is_an_error() {
    let dir = history_repo(None);
    let root = dir.path();
    // An empty migration file warns.
    write(root, "migrations/20260103000000_nothing.sql", "-- migrate:up\n-- migrate:down\n");
    let (code, v, _) = check(root, &["migrations/20260103000000_nothing.sql"]);
    assert_eq!(code, 0, "{v:#}");
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "empty-migration").unwrap();
    assert_eq!(f["severity"], "warn");
    assert_eq!(f["message"], "migration 20260103000000 has no statement in its up part: it does nothing");

    // A directory named on the command line with no migration is the wrong directory.
    std::fs::create_dir_all(root.join("empty")).unwrap();
    write(root, "empty/README.md", "notes\n");
    let (code, _, err) = run_in(root, &["check", "empty"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("empty holds no migration"), "{err}");

    // The registry's own directory, empty (a new project): said, and nothing blocks.
    for f in std::fs::read_dir(root.join("migrations")).unwrap() {
        std::fs::remove_file(f.unwrap().path()).unwrap();
    }
    let (code, v, _) = check(root, &[]);
    assert_eq!(code, 0, "{v:#}");
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "no-migrations").unwrap();
    assert_eq!(f["message"], "no migration in migrations/: nothing to check");

    // An empty dump is not an empty database.
    write(root, "structure.sql", "\n");
    let toml = std::fs::read_to_string(root.join("apps.toml")).unwrap();
    std::fs::write(
        root.join("apps.toml"),
        toml.replace("dialect = \"postgres\"\n", "dialect = \"postgres\"\nschema = \"structure.sql\"\n"),
    )
    .unwrap();
    let (code, _, err) = run_in(root, &["check"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("structure.sql:1:1: the schema dump is empty"), "{err}");
}

#[test]
fn paths_are_relative_to_the_repository_root_whatever_the_current_directory() {
    let dir = repo("");
    let root = dir.path();
    let sub = root.join("platform");
    let from_sub = format!("../{MIGRATION}");
    for (format, needle) in [
        ("github", format!("::error file={MIGRATION},line=3,col=1")),
        ("sarif", format!("\"uri\": \"{MIGRATION}\"")),
        ("markdown", format!("`{MIGRATION}:3`")),
        ("text", format!("--> {MIGRATION}:3:1")),
    ] {
        let (code, out, err) = run_in(&sub, &["check", &from_sub, "--format", format]);
        assert_eq!(code, 1, "{format}: {err}");
        assert!(out.contains(&needle), "{format}: {out}");
    }
    let (_, out, _) = run_in(root, &["check", &format!("./{MIGRATION}")]);
    assert!(out.contains(&format!("--> {MIGRATION}:3:1")) && !out.contains("./migrations"), "{out}");
}

#[test]
fn a_file_of_no_known_format_names_the_flag_that_says_which() {
    let dir = repo("");
    write(dir.path(), "README.md", "# notes\n");
    let (code, _, err) = run_in(dir.path(), &["check", "README.md"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("pass --migration-format to say which"), "{err}");
}

#[test]
fn logs_carry_no_colour_codes_when_stderr_is_not_a_terminal() {
    let dir = repo("");
    let (_, _, err) = run_in(dir.path(), &["-vv", "check", MIGRATION]);
    assert!(err.contains("DEBUG") || err.contains("INFO"), "{err}");
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

#[test]
fn the_library_check_fails_closed_as_the_command_does() {
    let dir = repo(
        "\n[[app]]\nname = \"portal\"\nrepo = \".\"\npath = \"portal\"\nframework = \"phoenix\"\nhead = \"no-such-branch\"\n",
    );
    let root = dir.path();
    git(root, &["tag", "-f", "deployed", "main"]);
    let config = tandem::config::load(&root.join("apps.toml")).unwrap();
    let request = tandem::check::Request { paths: vec![root.join(MIGRATION)], ..Default::default() };
    let options = tandem::check::CheckOptions { strict: false, today: "2026-06-01".into(), ..Default::default() };
    let report = tandem::check::check(&config, &request, &options).unwrap();
    assert_eq!(report.verdict, tandem::check::Verdict::Block);
    let f = report.findings.iter().find(|f| f.rule == "drop-column").unwrap();
    assert!(f.message.contains("`portal` at head could not be checked"), "{}", f.message);
    // Paths as CI annotations want them, whatever the process's directory.
    assert_eq!(f.location.as_ref().unwrap().file, Path::new(MIGRATION));
}

#[test]
fn ddl_inside_plpgsql_is_gated_where_the_body_states_it() {
    let dir = repo("");
    let root = dir.path();
    let cases = [
        ("do", "DO $$\nBEGIN\n  ALTER TABLE users DROP COLUMN legacy_flag;\nEND\n$$;\n", 3, 3),
        ("execute", "DO $$\nBEGIN\n  EXECUTE 'ALTER TABLE users DROP COLUMN legacy_flag';\nEND\n$$;\n", 3, 12),
        (
            "function",
            "CREATE FUNCTION drop_flag() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n    ALTER TABLE users DROP COLUMN legacy_flag;\nEND;\n$$;\nSELECT drop_flag();\n",
            3,
            5,
        ),
        (
            "sql_function",
            "CREATE FUNCTION drop_flag() RETURNS void AS $$ ALTER TABLE users DROP COLUMN legacy_flag $$ LANGUAGE sql;\nSELECT drop_flag();\n",
            1,
            48,
        ),
    ];
    for (name, sql, line, column) in cases {
        let path = format!("migrations/20261201000000_{name}.sql");
        write(root, &path, sql);
        let (code, v, err) = check(root, &[&path]);
        assert_eq!(code, 1, "{name}: {err}\n{v:#}");
        let f = drop_finding(&v);
        assert_eq!(f["severity"], "block", "{name}: {f:#}");
        assert_eq!(
            (f["location"]["line"].as_u64(), f["location"]["column"].as_u64()),
            (Some(line), Some(column)),
            "{name}"
        );
    }
}

#[test]
fn sql_a_plpgsql_body_builds_at_run_time_is_unparsed_and_blocks_in_strict_mode() {
    let dir = repo("");
    let root = dir.path();
    let path = "migrations/20261201000000_dynamic.sql";
    write(
        root,
        path,
        "DO $$\nBEGIN\n  EXECUTE format('ALTER TABLE %I DROP COLUMN %I', 'users', 'legacy_flag');\nEND\n$$;\n",
    );
    let (_, v, err) = check(root, &[path]);
    let unparsed: Vec<&Value> =
        v["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "unparsed-statement").collect();
    assert_eq!(unparsed.len(), 1, "{err}\n{v:#}");
    assert_eq!(unparsed[0]["location"]["line"], 3);
    let (code, v, _) = check(root, &[path, "--strict"]);
    assert_eq!((code, v["verdict"].as_str()), (1, Some("block")), "{v:#}");

    // A body PL/pgSQL itself rejects is unparsed too, never nothing.
    write(root, path, "DO $$\nBEGIN\n  ALTER TABLE users DROP COLUMN legacy_flag\nEN $$;\n");
    let (code, v, _) = check(root, &[path, "--strict"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["rule"] == "unparsed-statement"), "{v:#}");
}

/// With no schema and no earlier migration, what a migration creates itself says nothing of the
/// tables that existed before it: altering an older table is not "no such table". (Seen on a real
/// Prisma migration that creates tables and then alters an existing one.)
#[test]
fn a_lone_migration_that_creates_a_table_does_not_make_older_tables_unknown() {
    let findings = findings_of_history(&[(
        "20260101000000_orgs.sql",
        "SET lock_timeout = '5s';\nSET statement_timeout = '5s';\nCREATE TABLE orgs (id bigint PRIMARY KEY);\n\
         ALTER TABLE users ADD COLUMN org_id bigint;\n",
    )]);
    assert!(!findings.iter().any(|f| f.contains("schema state")), "{findings:#?}");
    // Once an earlier migration built the state, it is known, and a table it lacks is named.
    let findings = findings_of_history(&[
        ("20260101000000_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n"),
        ("20260102000000_drop.sql", "SET lock_timeout = '5s';\nALTER TABLE accounts DROP COLUMN legacy;\n"),
    ]);
    assert!(findings.iter().any(|f| f.contains("there is no table `accounts` in the schema state")), "{findings:#?}");
}

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

const DROP: &str = "-- migrate:up\nSET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN legacy_flag;\n\n-- migrate:down\nALTER TABLE users ADD COLUMN legacy_flag boolean;\n";

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
    // The Rails app ignores the column; the Phoenix app still maps it, deployed and next.
    assert!(refs.iter().all(|r| r["app"] == "portal" && r["kind"] == "declaration"), "{refs:#?}");
    let git_refs: Vec<&str> = refs.iter().map(|r| r["ref"].as_str().unwrap()).collect();
    assert_eq!(git_refs, ["deployed", "head"]);
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
        "-- migrate:up\nSET lock_timeout = '5s';\nALTER TABLE widgets DROP COLUMN a;\n-- migrate:down\nALTER TABLE widgets ADD COLUMN a text;\n",
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

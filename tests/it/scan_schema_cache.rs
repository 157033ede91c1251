//! The schema `scan` and `refs` resolve against, kept in the store (`check::schema_cache`): read
//! back while its inputs are unchanged, built anew as soon as one of them changes.

use std::path::Path;

use crate::support::cmd::{git, tandem_in, write};

/// The targets' references as `target path:line confidence`, from `refs --format json`.
fn refs(root: &Path, targets: &[&str]) -> Vec<String> {
    let out = tandem_in(root).args(["refs", "--format", "json"]).args(targets).output().unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["references"].as_array().unwrap().iter().map(|r| {
                format!(
                    "{} {}:{} {}",
                    t["target"].as_str().unwrap(),
                    r["path"].as_str().unwrap(),
                    r["line"],
                    r["confidence"].as_str().unwrap()
                )
            })
        })
        .collect()
}

fn setup(root: &Path, schema: bool) {
    let registry = if schema {
        "[registry]\nschema = \"structure.sql\"\nmigrations = \"migrations\"\n\n"
    } else {
        "[registry]\nmigrations = \"migrations\"\n\n"
    };
    write(
        root,
        "apps.toml",
        format!(
            "{registry}[[app]]\nname = \"web\"\nrepo = \".\"\npath = \"web\"\nframework = \"rails\"\nhead = \"HEAD\"\n"
        ),
    );
    if schema {
        write(
            root,
            "structure.sql",
            "CREATE TABLE public.users (id bigint NOT NULL, email text);\n\
             INSERT INTO public.\"schema_migrations\" (version) VALUES ('001');\n",
        );
    }
    write(root, "migrations/001_users.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n");
    write(root, "web/app/models/user.rb", "class User < ApplicationRecord\nend\n");
    write(root, ".gitignore", ".tandem/\n");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "init"]);
}

/// A migration added, then one edited in place, then the dump edited: each is seen by the next
/// run, whose schema is built again rather than read back.
#[test]
fn a_changed_migration_or_dump_builds_the_schema_again() {
    for schema in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        setup(root, schema);
        let targets = ["users.email", "users.nickname", "users.bio"];
        let first = refs(root, &targets);
        assert_eq!(first, ["users.email web/app/models/user.rb:1 high"], "dump: {schema}");
        // Read back from the store: the same answer.
        assert_eq!(refs(root, &targets), first, "dump: {schema}");
        write(root, "migrations/002_nickname.sql", "ALTER TABLE users ADD COLUMN nickname text;\n");
        assert_eq!(
            refs(root, &targets),
            ["users.email web/app/models/user.rb:1 high", "users.nickname web/app/models/user.rb:1 high"],
            "dump: {schema}"
        );
        // The same file name, other content.
        write(root, "migrations/002_nickname.sql", "ALTER TABLE users ADD COLUMN bio text;\n");
        assert_eq!(
            refs(root, &targets),
            ["users.email web/app/models/user.rb:1 high", "users.bio web/app/models/user.rb:1 high"],
            "dump: {schema}"
        );
        if schema {
            // The dump now lists 002: it is no longer replayed over the dump, which lacks `bio`.
            write(
                root,
                "structure.sql",
                "CREATE TABLE public.users (id bigint NOT NULL, email text);\n\
                 INSERT INTO public.\"schema_migrations\" (version) VALUES ('001'), ('002');\n",
            );
            assert_eq!(refs(root, &targets), ["users.email web/app/models/user.rb:1 high"]);
        }
    }
}

/// A dump that does not parse is reported on every run, located, never hidden behind a schema
/// stored by an earlier run.
#[test]
fn a_broken_dump_is_reported_on_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    setup(root, true);
    assert_eq!(refs(root, &["users.email"]).len(), 1);
    write(root, "structure.sql", "CREATE TABLE public.users (id bigint NOT NULL, email text;\n");
    for _ in 0..2 {
        let out = tandem_in(root).args(["refs", "users.email"]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("structure.sql"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `check` reads the dump back from the store while its bytes are the same, and parses it again
/// as soon as they change: the report follows the dump.
#[test]
fn check_reads_a_parsed_dump_back_until_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    setup(root, true);
    write(root, "migrations/002_email.sql", "ALTER TABLE users DROP COLUMN email;\n");
    let check = || {
        let out = tandem_in(root).args(["check", "--format", "json", "migrations/002_email.sql"]).output().unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let first = check();
    assert_eq!(first.0, Some(1), "the drop is blocked: web uses users.email: {}", first.1);
    assert_eq!(check(), first, "read back from the store");
    // The dump no longer has the column: the drop now names a column that does not exist.
    write(root, "structure.sql", "CREATE TABLE public.users (id bigint NOT NULL);\n");
    let edited = check();
    assert_ne!(edited, first, "{}", edited.1);
    assert_eq!(check(), edited);
}

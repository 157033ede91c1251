//! `tandem schema sync` against a real PostgreSQL database and a real git repository: the dump it
//! makes is what `rails db:schema:dump` writes (the real pg_dump with Rails' flags, its header
//! comments removed, the search path and the applied versions appended), it loads back into an
//! empty database and dumps again byte for byte, and a stale committed dump is shown as a diff
//! (exit 1) or rewritten with `--write`.

use std::process::Command;

use crate::support::cmd::{schema_sync, tandem_in, write};
use crate::support::git::TestRepo;
use crate::support::pg::TempDb;

const SCHEMA: &str = "CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY KEY);\n\
CREATE TABLE ar_internal_metadata (key character varying NOT NULL PRIMARY KEY, value character varying);\n\
CREATE TABLE users (id bigserial PRIMARY KEY, email character varying NOT NULL);\n\
COMMENT ON TABLE users IS 'people';\n\
INSERT INTO schema_migrations VALUES ('20250101000000'), ('20250102000000');\n";
const EVENTS: &str = "CREATE TABLE events (id bigserial PRIMARY KEY, user_id bigint REFERENCES users(id));\n\
INSERT INTO schema_migrations VALUES ('20250201000000');\n";

/// What Rails' `structure_dump` and `dump_schema` make of the database, step by step as its
/// source says: pg_dump, the lines before the first statement dropped, the search path, the
/// versions newest first.
fn what_rails_writes(db: &TempDb, versions_newest_first: &[&str]) -> String {
    let out = Command::new("pg_dump")
        .args(["--schema-only", "--no-privileges", "--no-owner", &db.url()])
        .output()
        .expect("run pg_dump");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text
        .split_inclusive('\n')
        .position(|l| !(l.starts_with("--") || l.trim().is_empty() || l.starts_with("\\restrict ")))
        .unwrap();
    // pg_dump since 17.6 / 15.14 brackets the dump in `\restrict KEY` … `\unrestrict KEY` (a
    // random key); Rails drops both lines and the blank ones after the second.
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let end = lines.iter().position(|l| l.starts_with("\\unrestrict ")).unwrap_or(lines.len());
    assert!(lines[end..].iter().skip(1).all(|l| l.trim().is_empty()), "{text}");
    let body: String = lines[first..end].iter().filter(|l| !l.starts_with("\\restrict ")).copied().collect();
    let rows: Vec<String> = versions_newest_first.iter().map(|v| format!("('{v}')")).collect();
    format!(
        "{}SET search_path TO \"$user\", public;\n\nINSERT INTO \"schema_migrations\" (version) VALUES\n{};\n\n",
        body,
        rows.join(",\n")
    )
}

struct Setup {
    registry: tempfile::TempDir,
    web: TestRepo,
    db: TempDb,
}

impl Setup {
    fn new(committed: &str) -> Setup {
        let db = TempDb::new();
        db.execute(SCHEMA);
        let mut web = TestRepo::init();
        web.commit_files(&[("db/structure.sql", committed), ("app/models/user.rb", "class User; end\n")], "web");
        let registry = tempfile::tempdir().unwrap();
        write(
            registry.path(),
            "apps.toml",
            format!(
                "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"web\"\nrepo = \"{}\"\nframework = \"rails\"\n\
                 head = \"main\"\nstructure = \"db/structure.sql\"\n",
                web.path().display()
            ),
        );
        Setup { registry, web, db }
    }

    fn sync(&self, args: &[&str]) -> (i32, String, String) {
        schema_sync(self.registry.path(), &self.db.url(), args)
    }

    fn work_tree_dump(&self) -> String {
        std::fs::read_to_string(self.web.path().join("db/structure.sql")).unwrap()
    }
}

#[test]
fn a_stale_dump_is_a_diff_until_written_and_the_written_dump_is_what_rails_writes() {
    let mut s = Setup::new("");
    // The committed dump is the one made before `events` existed.
    let (_, _, err) = s.sync(&["--write"]);
    assert!(err.is_empty(), "{err}");
    let before = s.work_tree_dump();
    assert_eq!(before, what_rails_writes(&s.db, &["20250102000000", "20250101000000"]));
    s.web.commit_files(&[("db/structure.sql", &before)], "dump");
    let (code, out, err) = s.sync(&[]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "db/structure.sql (web): in sync\n", ""));

    s.db.execute(EVENTS);
    let (code, out, _) = s.sync(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("--- a/db/structure.sql\n+++ b/db/structure.sql\n"), "{out}");
    assert!(out.contains("\n+CREATE TABLE public.events (\n"), "{out}");
    assert!(out.contains("\n+('20250201000000'),\n"), "{out}");
    assert_eq!(s.work_tree_dump(), before, "without --write the work tree is untouched");

    // --commit: the branch gets the dump, the work tree and `main` stay as they were.
    let main = s.web.rev("main");
    let (code, out, err) = s.sync(&["--commit", "--branch", "tandem/sync", "-m", "Sync the dump"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("db/structure.sql (web): committed "), "{out}");
    assert_eq!(s.web.rev("main"), main);
    assert_eq!(s.work_tree_dump(), before);
    let git = |args: &[&str]| {
        let o = Command::new("git").current_dir(s.web.path()).args(args).output().unwrap();
        assert!(o.status.success(), "{o:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    assert_eq!(git(&["rev-parse", "tandem/sync~1"]).trim(), main);
    assert_eq!(
        git(&["show", "tandem/sync:db/structure.sql"]),
        what_rails_writes(&s.db, &["20250201000000", "20250102000000", "20250101000000"])
    );
    let message = git(&["log", "-1", "--format=%B", "tandem/sync"]);
    assert!(message.starts_with("Sync the dump\n\n"), "{message}");
    assert!(message.contains("+ table public.events\n"), "{message}");
    assert!(message.contains("20250201000000"), "{message}");
    assert_eq!(git(&["status", "--porcelain"]), "");
    // Again: the branch has it already, so nothing new is committed.
    let tip = git(&["rev-parse", "tandem/sync"]);
    s.sync(&["--commit", "--branch", "tandem/sync"]);
    assert_eq!(git(&["rev-parse", "tandem/sync"]), tip);

    let (code, out, _) = s.sync(&["--write", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["apps"][0]["in_sync"], false);
    let after = s.work_tree_dump();
    assert_eq!(after, what_rails_writes(&s.db, &["20250201000000", "20250102000000", "20250101000000"]));
    assert!(!after.starts_with("--"), "Rails removes pg_dump's header comments");

    // `db:structure:load` of the written dump and a dump of that database give the same bytes.
    let copy = TempDb::new();
    copy.psql(&after);
    let again = tandem::sync::structure(
        &copy.url(),
        tandem::framework::DumpTool::Rails,
        tandem::sync::rails::VersionOrder::NewestFirst,
    )
    .unwrap();
    assert_eq!(again, after);
}

#[test]
fn an_older_dump_listing_versions_oldest_first_keeps_its_order() {
    let committed = "SET x = 1;\n\nINSERT INTO \"schema_migrations\" (version) VALUES\n('20240101000000'),\n('20240102000000');\n\n";
    let s = Setup::new(committed);
    let (code, out, _) = s.sync(&[]);
    assert_eq!(code, 1);
    assert!(out.contains("\n+('20250101000000'),\n+('20250102000000');\n"), "{out}");
}

#[test]
fn a_file_is_not_a_database_to_dump_from() {
    let s = Setup::new("");
    let out = tandem_in(s.registry.path()).args(["schema", "sync", "--from", "dump.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("names a file"), "{out:?}");
}

//! `tandem schema sync` of a Phoenix app's `priv/repo/structure.sql` against a real PostgreSQL
//! database and a real git repository: the dump is what `mix ecto.dump` writes (the real pg_dump
//! with ecto_sql's flags, its output kept, one `INSERT INTO public."schema_migrations"` line per
//! version appended), pg_dump's random `\restrict` key aside; it loads back as `mix ecto.load`
//! does and dumps again the same.

use std::process::Command;

use crate::support::cmd::{schema_sync, write};
use crate::support::git::TestRepo;
use crate::support::pg::TempDb;

const SCHEMA: &str = "CREATE TABLE schema_migrations (version bigint PRIMARY KEY, inserted_at timestamp(0));\n\
CREATE TABLE accounts (id bigserial PRIMARY KEY, name character varying(255) NOT NULL);\n\
INSERT INTO schema_migrations VALUES (20250101000000, now()), (20250102000000, now());\n";
const JOBS: &str = "CREATE TABLE jobs (id bigserial PRIMARY KEY, account_id bigint REFERENCES accounts(id));\n\
INSERT INTO schema_migrations VALUES (20250201000000, now());\n";

/// What ecto_sql's `structure_dump` writes, step by step as its source says: pg_dump with
/// `--schema-only --no-acl --no-owner`, kept whole, then one INSERT line per version, oldest
/// first.
fn what_ecto_writes(db: &TempDb, versions: &[&str]) -> String {
    let out = Command::new("pg_dump")
        .args(["--schema-only", "--no-acl", "--no-owner", &db.url()])
        .output()
        .expect("run pg_dump");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let inserts: String = versions
        .iter()
        .map(|v| format!("INSERT INTO public.\"schema_migrations\" (version) VALUES ({v});\n"))
        .collect();
    String::from_utf8(out.stdout).unwrap() + &inserts
}

/// pg_dump (17.6, 16.10, 15.14 and later) brackets its output in `\restrict KEY` and
/// `\unrestrict KEY` with a new random key each run; everything else must be the same.
fn keyless(dump: &str) -> String {
    let key = dump.lines().find_map(|l| l.strip_prefix("\\restrict ")).map(str::to_owned);
    match key {
        Some(key) => dump.replace(&key, "KEY"),
        None => dump.to_owned(),
    }
}

fn sync(registry: &std::path::Path, db: &TempDb, args: &[&str]) -> (i32, String, String) {
    schema_sync(registry, &db.url(), args)
}

#[test]
fn a_phoenix_structure_sql_is_what_mix_ecto_dump_writes() {
    let db = TempDb::new();
    db.execute(SCHEMA);
    let mut app = TestRepo::init();
    app.commit_files(
        &[("priv/repo/structure.sql", ""), ("lib/app/account.ex", "defmodule App.Account do\nend\n")],
        "app",
    );
    let registry = tempfile::tempdir().unwrap();
    write(
        registry.path(),
        "apps.toml",
        format!(
            "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"billing\"\nrepo = \"{}\"\nframework = \"phoenix\"\n\
             head = \"main\"\nstructure = \"priv/repo/structure.sql\"\n",
            app.path().display()
        ),
    );
    let work_tree = app.path_buf().join("priv/repo/structure.sql");
    let dump = || std::fs::read_to_string(&work_tree).unwrap();

    let (code, out, err) = sync(registry.path(), &db, &["--write"]);
    assert_eq!(code, 0, "{out}{err}");
    let before = dump();
    assert_eq!(keyless(&before), keyless(&what_ecto_writes(&db, &["20250101000000", "20250102000000"])));
    assert!(before.starts_with("--\n-- PostgreSQL database dump\n"), "Ecto keeps pg_dump's header: {before}");
    app.commit_files(&[("priv/repo/structure.sql", &before)], "dump");
    // A new pg_dump run has a new `\restrict` key and nothing else new: in sync.
    let (code, out, _) = sync(registry.path(), &db, &[]);
    assert_eq!((code, out.as_str()), (0, "priv/repo/structure.sql (billing): in sync\n"));

    db.execute(JOBS);
    let (code, out, _) = sync(registry.path(), &db, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\n+CREATE TABLE public.jobs (\n"), "{out}");
    assert!(out.ends_with("+INSERT INTO public.\"schema_migrations\" (version) VALUES (20250201000000);\n"), "{out}");

    let (code, _, _) = sync(registry.path(), &db, &["--write"]);
    assert_eq!(code, 0);
    let after = dump();
    assert_eq!(
        keyless(&after),
        keyless(&what_ecto_writes(&db, &["20250101000000", "20250102000000", "20250201000000"]))
    );

    // `mix ecto.load`: psql --single-transaction with ON_ERROR_STOP; its dump is the same.
    let copy = TempDb::new();
    copy.psql(&after);
    let again = tandem::sync::structure(
        &copy.url(),
        tandem::framework::DumpTool::Ecto,
        tandem::sync::rails::VersionOrder::NewestFirst,
    )
    .unwrap();
    assert_eq!(keyless(&again), keyless(&after));
}

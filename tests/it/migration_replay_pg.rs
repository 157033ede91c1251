//! Replay against the real server: apply a SQL migration history to a fresh PostgreSQL
//! database, dump it with pg_dump, read the dump with the schema reader, and check that the
//! schema built by replaying the parsed operations agrees with what PostgreSQL itself created —
//! tables, columns (type, nullability, default), keys, constraints, indexes, enums and views.

use crate::support::migration as migration_support;

use std::process::Command;

use migration_support::fixture;
use tandem::migration;
use tandem::schema::{Dialect, Schema, postgres};

struct TempDb(String);

impl TempDb {
    fn create() -> Option<TempDb> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).ok()?.subsec_nanos();
        let name = format!("tandem_migr_{}_{nanos}", std::process::id());
        let ok = psql("postgres", &format!("CREATE DATABASE {name}")).is_some();
        ok.then_some(TempDb(name))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = psql("postgres", &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0));
    }
}

fn psql(db: &str, sql: &str) -> Option<String> {
    run_psql(db, &["-c", sql], sql)
}

/// A file runs statement by statement outside a transaction, as migration runners do
/// (`CREATE INDEX CONCURRENTLY` cannot run inside one).
fn psql_file(db: &str, file: &std::path::Path) -> Option<String> {
    let path = file.to_string_lossy().into_owned();
    run_psql(db, &["-f", &path], &path)
}

fn run_psql(db: &str, args: &[&str], what: &str) -> Option<String> {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db])
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        panic!("psql failed on {what}: {}", String::from_utf8_lossy(&out.stderr));
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Tables with their columns, keys and indexes as comparable text, sorted.
fn summary(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for t in &schema.tables {
        for c in &t.columns {
            out.push(format!(
                "{}.{} {} {} default={}",
                t.name,
                c.name,
                c.data_type,
                if c.nullable { "null" } else { "not null" },
                c.default.as_deref().unwrap_or("-")
            ));
        }
        if let Some(pk) = &t.primary_key {
            out.push(format!("{} pk {} ({})", t.name, pk.name.as_deref().unwrap_or("-"), pk.columns.join(",")));
        }
        for u in &t.uniques {
            out.push(format!("{} unique {} ({})", t.name, u.name.as_deref().unwrap_or("-"), u.columns.join(",")));
        }
        // Check expressions are compared by name and state only: PostgreSQL stores them with the
        // implicit casts its type checker adds (`score >= 0::numeric`), which a reader without
        // type resolution does not reproduce.
        for c in &t.checks {
            out.push(format!("{} check {} valid={}", t.name, c.name.as_deref().unwrap_or("-"), c.validated));
        }
        for fk in &t.foreign_keys {
            out.push(format!(
                "{} fk {} ({}) -> {} ({}) on delete {}",
                t.name,
                fk.name.as_deref().unwrap_or("-"),
                fk.columns.join(","),
                fk.references,
                fk.referenced_columns.join(","),
                fk.on_delete.sql()
            ));
        }
        for i in &t.indexes {
            let cols: Vec<&str> = i.columns().collect();
            out.push(format!(
                "{} index {} {} ({}) unique={} where={}",
                t.name,
                i.name,
                i.method,
                cols.join(","),
                i.unique,
                i.predicate.as_deref().unwrap_or("-")
            ));
        }
    }
    for e in &schema.enums {
        out.push(format!("enum {} [{}]", e.name, e.values.join(",")));
    }
    for v in &schema.views {
        let deps: Vec<String> =
            v.depends_on.iter().map(|d| format!("{}({})", d.relation, d.columns.join(","))).collect();
        out.push(format!("view {} reads {}", v.name, deps.join(" ")));
    }
    out.sort();
    out
}

#[test]
fn replayed_schema_matches_what_postgres_built() {
    let Some(db) = TempDb::create() else {
        eprintln!("skipped: PostgreSQL at 127.0.0.1:5432 is not reachable");
        return;
    };
    let dir = fixture("sql/replay");
    let ms = migration::load_path(&dir, None, Dialect::Postgres).unwrap();
    assert_eq!(ms.len(), 3);
    for m in &ms {
        psql_file(&db.0, &m.file);
    }
    let dump = Command::new("pg_dump")
        .args(["-h", "127.0.0.1", "-U", "postgres", "--schema-only", "--no-owner", "--no-privileges", &db.0])
        .output()
        .unwrap();
    assert!(dump.status.success(), "{}", String::from_utf8_lossy(&dump.stderr));
    let dumped = postgres::parse(&String::from_utf8_lossy(&dump.stdout), std::path::Path::new("dump.sql")).unwrap();

    let mut replayed = Schema::new(Dialect::Postgres);
    let notes = migration::replay(&mut replayed, &ms).unwrap();
    assert!(notes.is_empty(), "{notes:?}");

    assert_eq!(summary(&replayed), summary(&dumped));
}

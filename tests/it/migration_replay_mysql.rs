//! Replay against the real MariaDB server: apply a MySQL migration history, read
//! `information_schema` back, and check that the schema built by replaying the parsed operations
//! has the same tables, column types (`COLUMN_TYPE`), nullability and indexes.

use crate::support::migration as migration_support;

use std::process::Command;

use migration_support::fixture;
use tandem::migration;
use tandem::schema::{Dialect, Schema};

struct TempDb(String);

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = mariadb(None, &format!("DROP DATABASE IF EXISTS {}", self.0));
    }
}

fn mariadb(db: Option<&str>, sql: &str) -> Option<String> {
    let mut cmd = Command::new("mariadb");
    cmd.args(["-h", "127.0.0.1", "-u", "root", "--batch", "--skip-column-names"]);
    if let Some(db) = db {
        cmd.args(["-D", db]);
    }
    let out = cmd.args(["-e", sql]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn summary(schema: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for t in &schema.tables {
        for c in &t.columns {
            out.push(format!("{}.{} {} {}", t.name.name, c.name, c.data_type, if c.nullable { "YES" } else { "NO" }));
        }
        for i in &t.indexes {
            out.push(format!("{} index {} {}", t.name.name, i.name, i.columns().collect::<Vec<_>>().join(",")));
        }
    }
    out.sort();
    out
}

#[test]
fn replayed_mysql_schema_matches_information_schema() {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    let name = format!("tandem_migr_{}_{nanos}", std::process::id());
    if mariadb(None, &format!("CREATE DATABASE {name}")).is_none() {
        eprintln!("skipped: MariaDB at 127.0.0.1:3306 is not reachable");
        return;
    }
    let db = TempDb(name);
    let ms = migration::load_path(&fixture("sql/mysql_replay"), None, Dialect::Mysql).unwrap();
    for m in &ms {
        let sql = std::fs::read_to_string(&m.file).unwrap();
        assert!(mariadb(Some(&db.0), &sql).is_some(), "MariaDB rejected {}", m.file.display());
    }
    let columns = mariadb(
        Some(&db.0),
        &format!(
            "SELECT table_name, column_name, column_type, is_nullable FROM information_schema.columns \
             WHERE table_schema = '{}'",
            db.0
        ),
    )
    .unwrap();
    // Secondary indexes only: MariaDB lists the primary key and unique constraints as indexes too.
    let indexes = mariadb(
        Some(&db.0),
        &format!(
            "SELECT table_name, index_name, GROUP_CONCAT(column_name ORDER BY seq_in_index) FROM information_schema.statistics \
             WHERE table_schema = '{}' AND non_unique = 1 AND index_name NOT LIKE 'fk\\_%' GROUP BY table_name, index_name",
            db.0
        ),
    )
    .unwrap();
    let mut live: Vec<String> = columns
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            format!("{}.{} {} {}", f[0], f[1], f[2], f[3])
        })
        .chain(indexes.lines().map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            format!("{} index {} {}", f[0], f[1], f[2])
        }))
        .collect();
    live.sort();

    assert!(live.contains(&"users.age smallint(5) unsigned NO".to_owned()), "{live:?}");
    assert!(live.contains(&"users index idx_nick nickname".to_owned()), "{live:?}");
    assert!(live.iter().any(|l| l.starts_with("organizations.id bigint(20) unsigned NO")), "{live:?}");

    let mut replayed = Schema::new(Dialect::Mysql);
    migration::replay(&mut replayed, &ms).unwrap();
    assert_eq!(summary(&replayed), live);
}

//! The history table in the target database (`tandem_migrations` unless `[migrate]
//! history_table` says otherwise): one row per migration version that has run or is running.
//!
//! | column | meaning |
//! |---|---|
//! | `version` | the migration's version (`R__name` for a Flyway repeatable one); primary key |
//! | `name` | its name from the file name |
//! | `checksum` | SHA-256 of the file's normalised content ([`checksum`]) |
//! | `applied_at` | when it started (UTC) |
//! | `finished_at` | when it finished; null while it runs, and after a runner died in it |
//! | `duration` | milliseconds it took |
//! | `success` | true once applied; false while it runs and after it failed |
//! | `tandem_version` | the tandem that ran it |
//! | `applied_by` | `user@host` that ran it |
//! | `error` | why it failed |
//!
//! A transactional migration writes its row inside its own transaction, so a crash leaves no
//! row; a non-transactional one writes a started row first and completes it last, so a crash
//! leaves a row with no `finished_at`: incomplete, never applied.

use serde::Serialize;

use crate::database::db::{Db, Kind, Value};
use crate::error::Result;

/// One row of the history table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedMigration {
    pub version: String,
    pub name: String,
    pub checksum: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub applied_at: String,
    pub finished_at: Option<String>,
    /// Milliseconds.
    pub duration: Option<i64>,
    pub success: bool,
    pub tandem_version: String,
    pub applied_by: String,
    pub error: Option<String>,
}

/// What a row says about its migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordState {
    Applied,
    /// It ran and failed; what it changed is in `error`.
    Failed,
    /// It started and never finished: a runner died in it (or is still in it).
    Incomplete,
}

impl AppliedMigration {
    pub fn state(&self) -> RecordState {
        match (self.success, &self.finished_at) {
            (true, _) => RecordState::Applied,
            (false, Some(_)) => RecordState::Failed,
            (false, None) => RecordState::Incomplete,
        }
    }
}

/// The migrations the history table of the database at `url` records as applied (successfully),
/// in version order; empty when the table does not exist. `table` is `[migrate] history_table`
/// ([`crate::config::DEFAULT_HISTORY_TABLE`] by default).
pub fn applied(url: &str, table: &str) -> Result<Vec<AppliedMigration>> {
    Ok(records(url, table)?.into_iter().filter(|r| r.state() == RecordState::Applied).collect())
}

/// Every row of the history table, failed and incomplete ones included, in version order.
pub fn records(url: &str, table: &str) -> Result<Vec<AppliedMigration>> {
    let options = crate::database::db::ConnectOptions {
        application_name: "tandem",
        busy_timeout: std::time::Duration::from_secs(5),
    };
    let mut db = Db::connect(url, &options)?;
    let rows = History::new(table).read(&mut db);
    db.close();
    rows
}

/// SHA-256 (hex) of `text` normalised: without a byte-order mark, `\n` line ends, no trailing
/// whitespace on a line, no blank lines at the end — so a checkout with other line endings or an
/// editor that trims lines does not look like an edit.
pub fn checksum(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut normal = String::with_capacity(text.len());
    for line in text.split('\n') {
        normal.push_str(line.trim_end());
        normal.push('\n');
    }
    let normal = normal.trim_end_matches('\n');
    crate::migration::readers::ruby_value::sha256_hex(normal.as_bytes())
}

/// `user@host` of this process.
pub fn who() -> String {
    let user = whoami::fallible::username().unwrap_or_else(|_| "unknown".into());
    let host = whoami::fallible::hostname().unwrap_or_else(|_| "unknown".into());
    format!("{user}@{host}")
}

/// A row about to be written.
pub struct NewRecord<'a> {
    pub version: &'a str,
    pub name: &'a str,
    pub checksum: &'a str,
}

/// The history table of one database.
pub struct History {
    table: String,
}

impl History {
    pub fn new(table: &str) -> History {
        History { table: table.to_owned() }
    }

    pub fn name(&self) -> &str {
        &self.table
    }

    pub fn exists(&self, db: &mut Db) -> Result<bool> {
        let (schema, table) = match self.table.split_once('.') {
            Some((s, t)) => (Some(s), t),
            None => (None, self.table.as_str()),
        };
        let found = match db.kind {
            Kind::Postgres => {
                let quoted = db.quote(&self.table);
                db.scalar("SELECT CAST(to_regclass($1) IS NOT NULL AS text)", &[Value::Text(quoted)])
                    .map(|v| v.as_deref() == Some("true"))
            }
            Kind::Mysql | Kind::Mariadb => db
                .scalar(
                    "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.TABLES \
                     WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?",
                    &[schema.map_or(Value::NullText, |s| Value::Text(s.to_owned())), Value::Text(table.to_owned())],
                )
                .map(|v| v.as_deref() != Some("0")),
            Kind::Sqlite => db
                .scalar(
                    "SELECT CAST(COUNT(*) AS TEXT) FROM sqlite_master WHERE type = 'table' AND name = $1",
                    &[Value::Text(table.to_owned())],
                )
                .map(|v| v.as_deref() != Some("0")),
        };
        found.map_err(|e| db.error(&format!("look for the history table {}", self.table), &e))
    }

    /// Create the table unless it exists. Run under the run lock: concurrent `CREATE TABLE IF
    /// NOT EXISTS` can collide on PostgreSQL.
    pub fn ensure(&self, db: &mut Db) -> Result<()> {
        let t = db.quote(&self.table);
        let ddl = match db.kind {
            Kind::Postgres => format!(
                "CREATE TABLE IF NOT EXISTS {t} (\n  version text PRIMARY KEY,\n  name text NOT NULL,\n  \
                 checksum text NOT NULL,\n  applied_at timestamptz NOT NULL,\n  finished_at timestamptz,\n  \
                 duration bigint,\n  success boolean NOT NULL,\n  tandem_version text NOT NULL,\n  \
                 applied_by text NOT NULL,\n  error text\n)"
            ),
            Kind::Mysql | Kind::Mariadb => format!(
                "CREATE TABLE IF NOT EXISTS {t} (\n  version VARCHAR(191) NOT NULL PRIMARY KEY,\n  \
                 name VARCHAR(255) NOT NULL,\n  checksum VARCHAR(64) NOT NULL,\n  applied_at DATETIME(3) NOT NULL,\n  \
                 finished_at DATETIME(3) NULL,\n  duration BIGINT NULL,\n  success BOOLEAN NOT NULL,\n  \
                 tandem_version VARCHAR(64) NOT NULL,\n  applied_by VARCHAR(255) NOT NULL,\n  error TEXT NULL\n) \
                 ENGINE=InnoDB"
            ),
            Kind::Sqlite => format!(
                "CREATE TABLE IF NOT EXISTS {t} (\n  version TEXT PRIMARY KEY,\n  name TEXT NOT NULL,\n  \
                 checksum TEXT NOT NULL,\n  applied_at TEXT NOT NULL,\n  finished_at TEXT,\n  duration INTEGER,\n  \
                 success BOOLEAN NOT NULL,\n  tandem_version TEXT NOT NULL,\n  applied_by TEXT NOT NULL,\n  \
                 error TEXT\n)"
            ),
        };
        db.execute(&ddl).map(|_| ()).map_err(|e| db.error(&format!("create the history table {}", self.table), &e))
    }

    fn select(&self, db: &Db) -> String {
        let time = |c: &str| match db.kind {
            Kind::Postgres => format!("to_char({c} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"),
            Kind::Mysql | Kind::Mariadb => {
                format!("CONCAT(SUBSTRING(DATE_FORMAT({c}, '%Y-%m-%dT%H:%i:%s.%f'), 1, 23), 'Z')")
            }
            Kind::Sqlite => c.to_owned(),
        };
        let text = match db.kind {
            Kind::Mysql | Kind::Mariadb => "CHAR",
            Kind::Postgres | Kind::Sqlite => "TEXT",
        };
        format!(
            "SELECT version, name, checksum, {}, {}, CAST(duration AS {text}), CAST(success AS {text}), \
             tandem_version, applied_by, error FROM {}",
            time("applied_at"),
            time("finished_at"),
            db.quote(&self.table)
        )
    }

    /// Every row, in version order; none when the table does not exist.
    pub fn read(&self, db: &mut Db) -> Result<Vec<AppliedMigration>> {
        if !self.exists(db)? {
            return Ok(Vec::new());
        }
        let sql = self.select(db);
        let rows = db.query(&sql, &[]).map_err(|e| db.error(&format!("read the history table {}", self.table), &e))?;
        let mut out: Vec<AppliedMigration> = rows.into_iter().map(row).collect();
        out.sort_by(|a, b| crate::migration::layout::compare_versions(&a.version, &b.version));
        Ok(out)
    }

    /// The row of one version, read inside the caller's transaction.
    pub fn get(&self, db: &mut Db, version: &str) -> Result<Option<AppliedMigration>> {
        let sql = format!("{} WHERE version = {}", self.select(db), db.placeholder(1));
        let rows = db
            .query(&sql, &[Value::Text(version.to_owned())])
            .map_err(|e| db.error(&format!("read the history table {}", self.table), &e))?;
        Ok(rows.into_iter().next().map(row))
    }

    /// Write the row of a migration that starts now: not yet successful, not finished.
    pub fn start(&self, db: &mut Db, r: &NewRecord<'_>) -> Result<()> {
        let p = |n| db.placeholder(n);
        let sql = format!(
            "INSERT INTO {} (version, name, checksum, applied_at, finished_at, duration, success, tandem_version, \
             applied_by, error) VALUES ({}, {}, {}, {}, NULL, NULL, {}, {}, {}, NULL)",
            db.quote(&self.table),
            p(1),
            p(2),
            p(3),
            db.now(),
            p(4),
            p(5),
            p(6),
        );
        let binds = [
            Value::Text(r.version.to_owned()),
            Value::Text(r.name.to_owned()),
            Value::Text(r.checksum.to_owned()),
            Value::Bool(false),
            Value::Text(env!("CARGO_PKG_VERSION").to_owned()),
            Value::Text(who()),
        ];
        db.query(&sql, &binds)
            .map(|_| ())
            .map_err(|e| db.error(&format!("record the start of {} in {}", r.version, self.table), &e))
    }

    /// Complete a started row: success, or the failure and why.
    pub fn finish(&self, db: &mut Db, version: &str, duration_ms: i64, error: Option<&str>) -> Result<()> {
        let sql = format!(
            "UPDATE {} SET finished_at = {}, duration = {}, success = {}, error = {} WHERE version = {}",
            db.quote(&self.table),
            db.now(),
            db.placeholder(1),
            db.placeholder(2),
            db.placeholder(3),
            db.placeholder(4),
        );
        let binds = [
            Value::Int(duration_ms),
            Value::Bool(error.is_none()),
            error.map_or(Value::NullText, |e| Value::Text(e.to_owned())),
            Value::Text(version.to_owned()),
        ];
        db.query(&sql, &binds).map(|_| ()).map_err(|e| db.error(&format!("record {version} in {}", self.table), &e))
    }

    /// Mark an applied row as being rolled back outside a transaction: if the runner dies now,
    /// the row says so instead of claiming the migration is still applied.
    pub fn start_rollback(&self, db: &mut Db, version: &str) -> Result<()> {
        let sql = format!(
            "UPDATE {} SET success = {}, finished_at = NULL, error = {} WHERE version = {}",
            db.quote(&self.table),
            db.placeholder(1),
            db.placeholder(2),
            db.placeholder(3),
        );
        let binds = [
            Value::Bool(false),
            Value::Text("rolling back: its down part started and has not finished".into()),
            Value::Text(version.to_owned()),
        ];
        db.query(&sql, &binds).map(|_| ()).map_err(|e| db.error(&format!("record {version} in {}", self.table), &e))
    }

    /// Set a row's checksum (after review of an edited file, or when repairing).
    pub fn set_checksum(&self, db: &mut Db, version: &str, checksum: &str) -> Result<()> {
        let sql = format!(
            "UPDATE {} SET checksum = {} WHERE version = {}",
            db.quote(&self.table),
            db.placeholder(1),
            db.placeholder(2)
        );
        db.query(&sql, &[Value::Text(checksum.to_owned()), Value::Text(version.to_owned())])
            .map(|_| ())
            .map_err(|e| db.error(&format!("record {version} in {}", self.table), &e))
    }

    /// A failed or incomplete row becomes applied: the user finished the migration by hand.
    pub fn mark_applied(&self, db: &mut Db, version: &str, checksum: &str) -> Result<()> {
        let sql = format!(
            "UPDATE {} SET success = {}, error = NULL, checksum = {}, finished_at = COALESCE(finished_at, {}) \
             WHERE version = {}",
            db.quote(&self.table),
            db.placeholder(1),
            db.placeholder(2),
            db.now(),
            db.placeholder(3)
        );
        db.query(&sql, &[Value::Bool(true), Value::Text(checksum.to_owned()), Value::Text(version.to_owned())])
            .map(|_| ())
            .map_err(|e| db.error(&format!("record {version} in {}", self.table), &e))
    }

    pub fn delete(&self, db: &mut Db, version: &str) -> Result<()> {
        let sql = format!("DELETE FROM {} WHERE version = {}", db.quote(&self.table), db.placeholder(1));
        db.query(&sql, &[Value::Text(version.to_owned())])
            .map(|_| ())
            .map_err(|e| db.error(&format!("remove {version} from {}", self.table), &e))
    }
}

fn row(mut r: Vec<Option<String>>) -> AppliedMigration {
    r.resize(10, None);
    let mut take = |i: usize| r[i].take();
    AppliedMigration {
        version: take(0).unwrap_or_default(),
        name: take(1).unwrap_or_default(),
        checksum: take(2).unwrap_or_default(),
        applied_at: take(3).unwrap_or_default(),
        finished_at: take(4),
        duration: take(5).and_then(|d| d.parse().ok()),
        success: take(6).is_some_and(|s| matches!(s.as_str(), "true" | "t" | "1")),
        tandem_version: take(7).unwrap_or_default(),
        applied_by: take(8).unwrap_or_default(),
        error: take(9),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_ignores_line_endings_trailing_space_and_final_blank_lines() {
        let a = checksum("-- migrate:up\nALTER TABLE t ADD c int;\n");
        assert_eq!(a, checksum("\u{feff}-- migrate:up\r\nALTER TABLE t ADD c int;   \r\n\r\n"));
        assert_ne!(a, checksum("-- migrate:up\nALTER TABLE t ADD c bigint;\n"));
        assert_ne!(a, checksum("-- migrate:up\n  ALTER TABLE t ADD c int;\n"));
        assert_eq!(a.len(), 64);
    }
}

//! The run lock: one runner at a time applies migrations to a database, so two deploys started
//! at the same moment apply each migration exactly once. PostgreSQL: a session advisory lock;
//! MySQL/MariaDB: `GET_LOCK`; both held by the run's connection, so a runner that dies releases it
//! with its connection. SQLite has no such lock: each migration runs in a `BEGIN EXCLUSIVE`
//! transaction that re-reads the history first ([`crate::runner::apply`]).
//!
//! A runner that cannot get the lock waits up to `lock_wait`, saying who holds it, then gives up
//! naming the holder.

use std::time::{Duration, Instant};

use crate::database::db::{Db, Kind, Value};
use crate::error::{Diagnostic, Error, Result};

/// The first key of tandem's advisory locks on PostgreSQL (`tand` in ASCII); the second is the
/// history table's name, hashed, so two histories in one database do not exclude each other.
const PG_CLASS: i64 = 0x7461_6e64;

/// How often a waiting runner tries again.
const POLL: Duration = Duration::from_millis(250);

/// The lock's name on MySQL/MariaDB (server-wide, so it carries the database), at most 64
/// characters as `GET_LOCK` requires.
fn mysql_name(db: &Db, table: &str) -> String {
    let name = format!("tandem:{}:{table}", db.database);
    if name.len() <= 64 {
        name
    } else {
        let digest = crate::migration::readers::ruby_value::sha256_hex(name.as_bytes());
        format!("tandem:{}", &digest[..40])
    }
}

/// Take the run lock for the history table `table`, waiting at most `wait`. `waiting` is told,
/// once, who holds it while this runner waits.
pub fn acquire(db: &mut Db, table: &str, wait: Duration, waiting: &mut dyn FnMut(&str)) -> Result<()> {
    if db.kind == Kind::Sqlite {
        return Ok(());
    }
    let start = Instant::now();
    let mut told = false;
    loop {
        if try_lock(db, table)? {
            return Ok(());
        }
        let holder = holder(db, table).unwrap_or_else(|| "another session (it could not be identified)".into());
        if start.elapsed() >= wait {
            return Err(Error::environment(
                Diagnostic::new(format!(
                    "another runner holds the migration lock of {} ({}): {holder}; waited {}",
                    db.shown,
                    table,
                    crate::runner::human_duration(wait)
                ))
                .help("wait for it to finish, or raise `lock_wait` in [migrate] / `--lock-wait`"),
            ));
        }
        if !told {
            waiting(&holder);
            told = true;
        }
        std::thread::sleep(POLL.min(wait.saturating_sub(start.elapsed())).max(Duration::from_millis(10)));
    }
}

fn try_lock(db: &mut Db, table: &str) -> Result<bool> {
    let got = match db.kind {
        Kind::Postgres => db.scalar(
            "SELECT CAST(pg_try_advisory_lock(CAST($1 AS int4), hashtext($2)) AS text)",
            &[Value::Int(PG_CLASS), Value::Text(table.to_owned())],
        ),
        Kind::Mysql | Kind::Mariadb => {
            let name = mysql_name(db, table);
            db.scalar("SELECT CAST(GET_LOCK(?, 0) AS CHAR)", &[Value::Text(name)])
        }
        Kind::Sqlite => return Ok(true),
    };
    let got = got.map_err(|e| db.error("take the migration lock", &e))?;
    Ok(matches!(got.as_deref(), Some("true" | "1")))
}

/// Who holds the lock: the session, its user, where from, since when, what it runs.
fn holder(db: &mut Db, table: &str) -> Option<String> {
    match db.kind {
        Kind::Postgres => {
            let rows = db
                .query(
                    "SELECT CAST(a.pid AS text), a.usename, a.application_name, CAST(a.client_addr AS text), \
                     to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), a.state, \
                     left(regexp_replace(a.query, '\\s+', ' ', 'g'), 120) \
                     FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                     WHERE l.locktype = 'advisory' AND l.granted AND l.database = \
                     (SELECT oid FROM pg_database WHERE datname = current_database()) \
                     AND CAST(l.classid AS bigint) = $1 \
                     AND CAST(l.objid AS bigint) = (CAST(hashtext($2) AS bigint) & 4294967295)",
                    &[Value::Int(PG_CLASS), Value::Text(table.to_owned())],
                )
                .ok()?;
            let r = rows.into_iter().next()?;
            let get = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
            let mut s = format!("session {} of user {}", get(0), get(1));
            if !get(2).is_empty() {
                s.push_str(&format!(" (`{}`)", get(2)));
            }
            if !get(3).is_empty() {
                s.push_str(&format!(" from {}", get(3)));
            }
            s.push_str(&format!(", connected since {}", get(4)));
            if !get(6).is_empty() {
                s.push_str(&format!(", {}: {}", get(5), get(6)));
            }
            Some(s)
        }
        Kind::Mysql | Kind::Mariadb => {
            let name = mysql_name(db, table);
            let rows = db
                .query(
                    "SELECT CAST(p.ID AS CHAR), p.USER, p.HOST, CAST(p.TIME AS CHAR), \
                     LEFT(REPLACE(REPLACE(p.INFO, '\\n', ' '), '\\r', ' '), 120) \
                     FROM information_schema.PROCESSLIST p WHERE p.ID = IS_USED_LOCK(?)",
                    &[Value::Text(name)],
                )
                .ok()?;
            let r = rows.into_iter().next()?;
            let get = |i: usize| r.get(i).cloned().flatten().unwrap_or_default();
            let mut s = format!("connection {} of {}@{}, busy for {} s", get(0), get(1), get(2), get(3));
            if !get(4).is_empty() {
                s.push_str(&format!(", running: {}", get(4)));
            }
            Some(s)
        }
        Kind::Sqlite => None,
    }
}

/// Give the lock back (closing the connection would too).
pub fn release(db: &mut Db, table: &str) {
    let _ = match db.kind {
        Kind::Postgres => db.scalar(
            "SELECT CAST(pg_advisory_unlock(CAST($1 AS int4), hashtext($2)) AS text)",
            &[Value::Int(PG_CLASS), Value::Text(table.to_owned())],
        ),
        Kind::Mysql | Kind::Mariadb => {
            let name = mysql_name(db, table);
            db.scalar("SELECT CAST(RELEASE_LOCK(?) AS CHAR)", &[Value::Text(name)])
        }
        Kind::Sqlite => Ok(None),
    };
}

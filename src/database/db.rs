//! The target database of a run: one connection (PostgreSQL, MySQL/MariaDB or SQLite through
//! sqlx) kept for the whole run, so that session state — the run lock, timeouts, a transaction —
//! belongs to it; statements run as written through each protocol's simple query path; errors
//! carry the database's own message, SQLSTATE and position.
//!
//! Every value read back is text (the queries cast), so one code path reads all three.

use std::str::FromStr;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlConnection};
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions as _, Connection, Row};

use crate::error::{Diagnostic, Error, Result};
use crate::redact::redact;
use crate::schema::Dialect;

/// Which server the run talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Postgres,
    Mysql,
    Mariadb,
    Sqlite,
}

impl Kind {
    pub fn dialect(self) -> Dialect {
        match self {
            Kind::Postgres => Dialect::Postgres,
            Kind::Mysql | Kind::Mariadb => Dialect::Mysql,
            Kind::Sqlite => Dialect::Sqlite,
        }
    }
}

/// A bound parameter. Nulls are typed: PostgreSQL will not put a text null into a bigint column.
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Int(i64),
    Bool(bool),
    NullText,
    NullInt,
}

/// An error the database returned for a statement.
#[derive(Debug, Clone)]
pub struct DbError {
    pub message: String,
    /// SQLSTATE (PostgreSQL, MySQL) or the extended result code (SQLite).
    pub code: Option<String>,
    /// MySQL's error number (`1205` for a lock wait timeout).
    pub number: Option<u16>,
    /// PostgreSQL: 1-based character position of the error in the statement.
    pub position: Option<usize>,
    /// The connection itself failed (not the statement).
    pub connection: bool,
}

impl DbError {
    fn from_sqlx(e: sqlx::Error) -> DbError {
        match e {
            sqlx::Error::Database(db) => {
                let position =
                    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().and_then(|p| match p.position() {
                        Some(sqlx::postgres::PgErrorPosition::Original(n)) => Some(n),
                        _ => None,
                    });
                let number = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>().map(|m| m.number());
                DbError {
                    message: redact(db.message()),
                    code: db.code().map(|c| c.into_owned()),
                    number,
                    position,
                    connection: false,
                }
            }
            other => DbError {
                message: redact(&other.to_string()),
                code: None,
                number: None,
                position: None,
                connection: true,
            },
        }
    }

    /// The statement waited longer than `lock_timeout` for a lock: worth trying again.
    pub fn is_lock_timeout(&self, kind: Kind) -> bool {
        match kind {
            Kind::Postgres => self.code.as_deref() == Some("55P03"),
            Kind::Mysql | Kind::Mariadb => self.number == Some(1205),
            // SQLITE_BUSY and SQLITE_LOCKED with their extended codes.
            Kind::Sqlite => matches!(self.code.as_deref(), Some("5" | "261" | "517" | "773" | "6" | "262")),
        }
    }

    /// Whether the failure is the environment's (lock or statement timeout, deadlock, lost
    /// connection, server shutting down) rather than the statement's.
    pub fn is_environment(&self, kind: Kind) -> bool {
        if self.connection || self.is_lock_timeout(kind) {
            return true;
        }
        let code = self.code.as_deref().unwrap_or("");
        match kind {
            Kind::Postgres => {
                code.starts_with("08") || code.starts_with("53") || code.starts_with("57") || code == "40P01"
            }
            Kind::Mysql | Kind::Mariadb => matches!(self.number, Some(1213 | 1969 | 3024 | 2006 | 2013)),
            Kind::Sqlite => false,
        }
    }

    /// `SQLSTATE 42703` / `MySQL error 1054, SQLSTATE 42S22` / `SQLite code 1`.
    pub fn code_text(&self, kind: Kind) -> Option<String> {
        let code = self.code.as_deref();
        match (kind, code, self.number) {
            (Kind::Sqlite, Some(c), _) => Some(format!("SQLite code {c}")),
            (Kind::Mysql | Kind::Mariadb, Some(c), Some(n)) => Some(format!("error {n}, SQLSTATE {c}")),
            (_, Some(c), _) => Some(format!("SQLSTATE {c}")),
            _ => None,
        }
    }
}

enum Conn {
    Pg(PgConnection),
    My(MySqlConnection),
    Lite(SqliteConnection),
}

/// Run `$body` with `$c` bound to the connection, whichever database it is; the body is the same
/// code for the three.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            Conn::Pg($c) => $body,
            Conn::My($c) => $body,
            Conn::Lite($c) => $body,
        }
    };
}

pub struct Db {
    runtime: tokio::runtime::Runtime,
    conn: Conn,
    pub kind: Kind,
    /// The URL with its password hidden, for messages.
    pub shown: String,
    /// PostgreSQL's `server_version_num` (e.g. 150004); 0 elsewhere.
    pub server_version: u32,
    /// The database's name (MySQL's `DATABASE()`, PostgreSQL's `current_database()`, the SQLite
    /// file), for naming the run lock.
    pub database: String,
}

/// How to open the connection.
pub struct ConnectOptions<'a> {
    /// Shown to other sessions (PostgreSQL's `application_name`), so a waiting runner can say who
    /// holds the lock.
    pub application_name: &'a str,
    /// SQLite: how long a statement waits for another connection's lock.
    pub busy_timeout: Duration,
}

impl Db {
    pub fn connect(url: &str, options: &ConnectOptions<'_>) -> Result<Db> {
        let shown = redact(url);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::environment(Diagnostic::new(format!("cannot start a runtime for {shown}: {e}"))))?;
        let scheme = url.split_once(':').map_or("", |(s, _)| s).to_ascii_lowercase();
        let bad_url = |e: sqlx::Error| {
            Error::input(
                Diagnostic::new(redact(&format!("`{shown}` is not a usable database URL: {e}")))
                    .help("expected postgres://user@host/db, mysql://user@host/db or sqlite://PATH"),
            )
        };
        let connect_error =
            |e: sqlx::Error| {
                Error::environment(Diagnostic::new(redact(&format!("cannot connect to {shown}: {e}"))).help(
                    "check that the database is running and that the URL (and its environment variable) is right",
                ))
            };
        // Our own lines say how long each migration took; sqlx's slow-statement warnings would
        // print the statement a second time, mid-progress.
        let (conn, kind) = match scheme.as_str() {
            "postgres" | "postgresql" => {
                let opts = PgConnectOptions::from_str(url)
                    .map_err(bad_url)?
                    .application_name(options.application_name)
                    .log_statements(log::LevelFilter::Off)
                    .log_slow_statements(log::LevelFilter::Off, Duration::ZERO);
                let c = runtime.block_on(PgConnection::connect_with(&opts)).map_err(connect_error)?;
                (Conn::Pg(c), Kind::Postgres)
            }
            "mysql" | "mariadb" => {
                // sqlx only knows `mysql://`; MariaDB speaks the same protocol.
                let url = match url.strip_prefix("mariadb:") {
                    Some(rest) => format!("mysql:{rest}"),
                    None => url.to_owned(),
                };
                let opts = MySqlConnectOptions::from_str(&url)
                    .map_err(bad_url)?
                    .log_statements(log::LevelFilter::Off)
                    .log_slow_statements(log::LevelFilter::Off, Duration::ZERO);
                let c = runtime.block_on(MySqlConnection::connect_with(&opts)).map_err(connect_error)?;
                (Conn::My(c), Kind::Mysql)
            }
            "sqlite" => {
                let opts = SqliteConnectOptions::from_str(url)
                    .map_err(bad_url)?
                    .busy_timeout(options.busy_timeout)
                    .log_statements(log::LevelFilter::Off)
                    .log_slow_statements(log::LevelFilter::Off, Duration::ZERO);
                let c = runtime.block_on(SqliteConnection::connect_with(&opts)).map_err(connect_error)?;
                (Conn::Lite(c), Kind::Sqlite)
            }
            _ => {
                return Err(Error::input(
                    Diagnostic::new(format!("`{shown}` is not a supported database URL"))
                        .help("use a postgres://, mysql://, mariadb:// or sqlite:// URL"),
                ));
            }
        };
        let mut db = Db { runtime, conn, kind, shown, server_version: 0, database: String::new() };
        let about = |db: &mut Db, sql: &str| -> Result<String> {
            let rows = db.query(sql, &[]).map_err(|e| db.error("read the server's version", &e))?;
            Ok(rows.into_iter().next().and_then(|r| r.into_iter().next().flatten()).unwrap_or_default())
        };
        match kind {
            Kind::Postgres => {
                db.server_version =
                    about(&mut db, "SELECT current_setting('server_version_num')")?.parse().unwrap_or(0);
                db.database = about(&mut db, "SELECT current_database()")?;
                // A runner killed mid-statement leaves a backend that only notices the lost client
                // when it next writes to it; checking every second ends its transaction (and
                // frees the run lock) within a second instead of when a long statement ends.
                if db.server_version >= 140_000 {
                    let _ = db.execute("SET client_connection_check_interval = '1s'");
                }
            }
            Kind::Mysql | Kind::Mariadb => {
                if about(&mut db, "SELECT VERSION()")?.to_ascii_lowercase().contains("mariadb") {
                    db.kind = Kind::Mariadb;
                }
                db.database = about(&mut db, "SELECT CAST(DATABASE() AS CHAR)")?;
            }
            Kind::Sqlite => {
                db.database = url.trim_start_matches("sqlite:").trim_start_matches("//").to_owned();
            }
        }
        Ok(db)
    }

    /// Run one statement as written (simple query protocol: no parameters, no preparation).
    pub fn execute(&mut self, sql: &str) -> Result<u64, DbError> {
        let Db { runtime, conn, .. } = self;
        runtime.block_on(async {
            on_conn!(conn, c => sqlx::raw_sql(sql).execute(&mut *c).await.map(|r| r.rows_affected()))
                .map_err(DbError::from_sqlx)
        })
    }

    /// Rows of a query with bound parameters (`$1` on PostgreSQL and SQLite, `?` on MySQL), every
    /// column read as text.
    pub fn query(&mut self, sql: &str, binds: &[Value]) -> Result<Vec<Vec<Option<String>>>, DbError> {
        let Db { runtime, conn, .. } = self;
        runtime.block_on(async {
            on_conn!(conn, c => {
                let mut q = sqlx::query(sql);
                for b in binds {
                    q = match b {
                        Value::Text(s) => q.bind(s.clone()),
                        Value::Int(i) => q.bind(*i),
                        Value::Bool(v) => q.bind(*v),
                        Value::NullText => q.bind(None::<String>),
                        Value::NullInt => q.bind(None::<i64>),
                    };
                }
                match q.fetch_all(&mut *c).await {
                    Ok(rows) => rows
                        .iter()
                        .map(|r| (0..r.len()).map(|i| r.try_get::<Option<String>, _>(i)).collect::<Result<Vec<_>, _>>())
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(DbError::from_sqlx),
                    Err(e) => Err(DbError::from_sqlx(e)),
                }
            })
        })
    }

    /// The first column of the first row, if any.
    pub fn scalar(&mut self, sql: &str, binds: &[Value]) -> Result<Option<String>, DbError> {
        Ok(self.query(sql, binds)?.into_iter().next().and_then(|r| r.into_iter().next().flatten()))
    }

    /// The `n`th (1-based) bind placeholder of this dialect.
    pub fn placeholder(&self, n: usize) -> String {
        match self.kind {
            Kind::Mysql | Kind::Mariadb => "?".to_owned(),
            Kind::Postgres | Kind::Sqlite => format!("${n}"),
        }
    }

    /// Quote an identifier (`schema.table` quotes each part).
    pub fn quote(&self, name: &str) -> String {
        let q = match self.kind {
            Kind::Mysql | Kind::Mariadb => '`',
            Kind::Postgres | Kind::Sqlite => '"',
        };
        name.split('.').map(|p| format!("{q}{p}{q}")).collect::<Vec<_>>().join(".")
    }

    /// The database's clock, as the expression stored in timestamp columns.
    pub fn now(&self) -> &'static str {
        match self.kind {
            Kind::Postgres => "clock_timestamp()",
            Kind::Mysql | Kind::Mariadb => "UTC_TIMESTAMP(3)",
            Kind::Sqlite => "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        }
    }

    /// An error of the run's own bookkeeping (history, lock): the environment's, exit 3.
    pub fn error(&self, action: &str, e: &DbError) -> Error {
        let code = e.code_text(self.kind).map(|c| format!(" ({c})")).unwrap_or_default();
        Error::environment(Diagnostic::new(redact(&format!("{}: cannot {action}: {}{code}", self.shown, e.message))))
    }

    pub fn close(self) {
        let Db { runtime, conn, .. } = self;
        runtime.block_on(async move {
            let _ = on_conn!(conn, c => c.close().await);
        });
    }
}

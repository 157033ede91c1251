//! The framework's own history, kept in step when `[migrate] framework_history` asks: Rails' and
//! Ecto's `schema_migrations`, Django's `django_migrations`. A version tandem applied is written
//! there too (in the same transaction when there is one), so `rails db:migrate`, `mix
//! ecto.migrate` or `manage.py migrate` do not apply it a second time; a rollback removes it.

use crate::config::FrameworkHistory;
use crate::database::db::{Db, Kind, Value};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::Migration;

pub struct Interop<'a> {
    framework: &'a FrameworkHistory,
}

impl<'a> Interop<'a> {
    pub fn new(framework: &'a FrameworkHistory) -> Interop<'a> {
        Interop { framework }
    }

    fn table(&self) -> &'static str {
        match self.framework {
            FrameworkHistory::Rails | FrameworkHistory::Ecto => "schema_migrations",
            FrameworkHistory::Django { .. } => "django_migrations",
        }
    }

    /// Refuse, before anything runs, a version the framework's table cannot hold.
    pub fn check(&self, m: &Migration) -> Result<()> {
        if m.version.is_empty() {
            return Ok(());
        }
        if matches!(self.framework, FrameworkHistory::Ecto) && m.version.parse::<i64>().is_err() {
            return Err(Error::input(
                Diagnostic::new(format!(
                    "version `{}` cannot be recorded in Ecto's schema_migrations, whose versions are integers",
                    m.version
                ))
                .in_file(&m.file)
                .help("name the file with an integer version, or drop `framework_history` from [migrate]"),
            ));
        }
        Ok(())
    }

    /// Create the framework's table as the framework would, unless it exists.
    pub fn ensure(&self, db: &mut Db) -> Result<()> {
        let ddl = match (self.framework, db.kind) {
            (FrameworkHistory::Rails, Kind::Postgres | Kind::Sqlite) => {
                "CREATE TABLE IF NOT EXISTS schema_migrations (version character varying NOT NULL PRIMARY KEY)"
            }
            (FrameworkHistory::Rails, _) => {
                "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(255) NOT NULL PRIMARY KEY)"
            }
            (FrameworkHistory::Ecto, Kind::Postgres) => {
                "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, \
                 inserted_at timestamp(0) without time zone)"
            }
            (FrameworkHistory::Ecto, _) => {
                "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY KEY, \
                 inserted_at datetime)"
            }
            (FrameworkHistory::Django { .. }, Kind::Postgres) => {
                "CREATE TABLE IF NOT EXISTS django_migrations (id bigserial PRIMARY KEY, \
                 app character varying(255) NOT NULL, name character varying(255) NOT NULL, \
                 applied timestamp with time zone NOT NULL)"
            }
            (FrameworkHistory::Django { .. }, Kind::Sqlite) => {
                "CREATE TABLE IF NOT EXISTS django_migrations (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, \
                 app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied datetime NOT NULL)"
            }
            (FrameworkHistory::Django { .. }, _) => {
                "CREATE TABLE IF NOT EXISTS django_migrations (id bigint AUTO_INCREMENT PRIMARY KEY, \
                 app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied datetime(6) NOT NULL)"
            }
        };
        db.execute(ddl).map(|_| ()).map_err(|e| db.error(&format!("create {}", self.table()), &e))
    }

    /// Record `m` as applied in the framework's table (nothing when it already is).
    pub fn record(&self, db: &mut Db, m: &Migration) -> Result<()> {
        if m.version.is_empty() || self.has(db, m)? {
            return Ok(());
        }
        let p = |n| db.placeholder(n);
        let (sql, binds) = match self.framework {
            FrameworkHistory::Rails => {
                (format!("INSERT INTO schema_migrations (version) VALUES ({})", p(1)), vec![self.version(m)])
            }
            FrameworkHistory::Ecto => {
                let now = match db.kind {
                    Kind::Postgres => "(now() AT TIME ZONE 'UTC')",
                    Kind::Mysql | Kind::Mariadb => "UTC_TIMESTAMP()",
                    Kind::Sqlite => "strftime('%Y-%m-%d %H:%M:%S', 'now')",
                };
                (
                    format!("INSERT INTO schema_migrations (version, inserted_at) VALUES ({}, {now})", p(1)),
                    vec![self.version(m)],
                )
            }
            FrameworkHistory::Django { app } => (
                format!("INSERT INTO django_migrations (app, name, applied) VALUES ({}, {}, {})", p(1), p(2), db.now()),
                vec![Value::Text(app.clone()), Value::Text(m.stem())],
            ),
        };
        db.query(&sql, &binds)
            .map(|_| ())
            .map_err(|e| db.error(&format!("record {} in {}", m.version, self.table()), &e))
    }

    /// Remove `m` from the framework's table.
    pub fn remove(&self, db: &mut Db, m: &Migration) -> Result<()> {
        if m.version.is_empty() {
            return Ok(());
        }
        let (sql, binds) = self.matching(db, "DELETE FROM", m);
        db.query(&sql, &binds)
            .map(|_| ())
            .map_err(|e| db.error(&format!("remove {} from {}", m.version, self.table()), &e))
    }

    fn has(&self, db: &mut Db, m: &Migration) -> Result<bool> {
        let (sql, binds) = self.matching(db, "SELECT 'x' FROM", m);
        db.scalar(&sql, &binds).map(|v| v.is_some()).map_err(|e| db.error(&format!("read {}", self.table()), &e))
    }

    /// `<verb> <table> WHERE <the row of m>`.
    fn matching(&self, db: &Db, verb: &str, m: &Migration) -> (String, Vec<Value>) {
        match self.framework {
            FrameworkHistory::Rails | FrameworkHistory::Ecto => {
                (format!("{verb} schema_migrations WHERE version = {}", db.placeholder(1)), vec![self.version(m)])
            }
            FrameworkHistory::Django { app } => (
                format!("{verb} django_migrations WHERE app = {} AND name = {}", db.placeholder(1), db.placeholder(2)),
                vec![Value::Text(app.clone()), Value::Text(m.stem())],
            ),
        }
    }

    fn version(&self, m: &Migration) -> Value {
        match self.framework {
            FrameworkHistory::Ecto => Value::Int(m.version.parse().unwrap_or_default()),
            _ => Value::Text(m.version.clone()),
        }
    }
}

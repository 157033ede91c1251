//! Reading the schema of a running database through sqlx: PostgreSQL from `pg_catalog`,
//! MySQL/MariaDB from `information_schema`, SQLite from `sqlite_master` and pragmas.
//! URLs come only from the environment variable the config names or `--database-url`, and are
//! redacted in every error.

mod mysql;
mod postgres;
mod sqlite;

use crate::error::{Diagnostic, Error, Result};
use crate::redact::redact;
use crate::schema::Schema;

/// Introspect the database at `url` (`postgres://`, `mysql://`/`mariadb://`, `sqlite://`).
pub fn introspect(url: &str) -> Result<Schema> {
    let shown = redact(url);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::environment(Diagnostic::new(format!("cannot start a runtime to read {shown}: {e}"))))?;
    let scheme = url.split_once(':').map_or("", |(s, _)| s).to_ascii_lowercase();
    let mut schema = match scheme.as_str() {
        "postgres" | "postgresql" => runtime.block_on(postgres::introspect(url, &shown))?,
        "mysql" | "mariadb" => {
            // sqlx only knows `mysql://`; MariaDB speaks the same protocol.
            let url = match url.strip_prefix("mariadb:") {
                Some(rest) => format!("mysql:{rest}"),
                None => url.to_owned(),
            };
            runtime.block_on(mysql::introspect(&url, &shown))?
        }
        "sqlite" => runtime.block_on(sqlite::introspect(url, &shown))?,
        "mongodb" | "mongodb+srv" => {
            return Err(Error::input(
                Diagnostic::new(format!("cannot introspect `{shown}`: tandem does not read a live MongoDB database"))
                    .help("export the collections' validators to a JSON file committed in the repository (`db.getCollectionInfos()` printed with `EJSON.stringify`, or Parse Server's `_SCHEMA` with `mongoexport --jsonArray`) and point `schema` in [registry] at it; see docs/mongodb.md"),
            ));
        }
        _ => {
            return Err(Error::input(
                Diagnostic::new(format!("cannot introspect `{shown}`: unsupported database URL"))
                    .help("use a postgres://, mysql://, mariadb:// or sqlite:// URL"),
            ));
        }
    };
    schema.canonicalize();
    Ok(schema)
}

/// A database error while reading the schema: the environment failed (exit 3), URL redacted.
pub(crate) fn db_error(shown_url: &str, action: &str, e: impl std::fmt::Display) -> Error {
    Error::environment(Diagnostic::new(redact(&format!("{shown_url}: cannot {action}: {e}"))))
}

pub(crate) fn connect_error(shown_url: &str, e: impl std::fmt::Display) -> Error {
    Error::environment(
        Diagnostic::new(redact(&format!("cannot connect to {shown_url}: {e}")))
            .help("check that the database is running and that the URL (and its environment variable) is right"),
    )
}

//! The database's own dump programs, run as the frameworks run them: `pg_dump` with the URL, and
//! `mysqldump` (MariaDB's `mariadb-dump` when no `mysqldump` is installed) with the URL's parts
//! as options — the password through `MYSQL_PWD`, so that no process listing shows it.

use std::process::{Command, Output};

use crate::error::{Diagnostic, Error, Result};
use crate::redact::redact;

/// pg_dump's output for the database at `url`.
pub fn pg_dump(url: &str, flags: &[&str]) -> Result<String> {
    let out = Command::new("pg_dump").args(flags).arg(url).output().map_err(|e| {
        Error::environment(
            Diagnostic::new(format!("cannot run pg_dump: {e}"))
                .help("install the PostgreSQL client (pg_dump) of the server's major version or newer"),
        )
    })?;
    text("pg_dump", url, out)
}

/// mysqldump's output for the database at `url` (`mysql://user:password@host:port/db`).
pub fn mysqldump(url: &str, flags: &[&str]) -> Result<String> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::input(Diagnostic::new(format!("`{}` is not a usable database URL: {e}", redact(url)))))?;
    let decode = |s: &str| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned();
    let database = decode(parsed.path().trim_start_matches('/'));
    if database.is_empty() {
        return Err(Error::input(
            Diagnostic::new(format!("`{}` names no database", redact(url)))
                .help("expected mysql://user@host:port/DATABASE"),
        ));
    }
    let mut args = vec![format!("--host={}", parsed.host_str().unwrap_or("localhost"))];
    if let Some(port) = parsed.port() {
        args.push(format!("--port={port}"));
    }
    if !parsed.username().is_empty() {
        args.push(format!("--user={}", decode(parsed.username())));
    }
    args.extend(flags.iter().map(|f| f.to_string()));
    args.push(database);
    let run = |program: &str| {
        let mut cmd = Command::new(program);
        cmd.args(&args);
        if let Some(password) = parsed.password() {
            cmd.env("MYSQL_PWD", decode(password));
        }
        cmd.output()
    };
    let out = match run("mysqldump") {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => run("mariadb-dump"),
        other => other,
    }
    .map_err(|e| {
        Error::environment(
            Diagnostic::new(format!("cannot run mysqldump: {e}"))
                .help("install the MySQL or MariaDB client (mysqldump or mariadb-dump)"),
        )
    })?;
    text("mysqldump", url, out)
}

fn text(program: &str, url: &str, out: Output) -> Result<String> {
    if !out.status.success() {
        return Err(Error::environment(Diagnostic::new(redact(&format!(
            "{program} failed on {}: {}",
            redact(url),
            String::from_utf8_lossy(&out.stderr).trim()
        )))));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| Error::environment(Diagnostic::new(format!("{program} wrote text that is not UTF-8"))))
}

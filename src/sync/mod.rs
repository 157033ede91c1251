//! `tandem schema sync`: each app's committed dump regenerated from the live database the way
//! the app's own tool writes it — for a Rails `structure.sql` on PostgreSQL, the real `pg_dump`
//! with Rails' flags and Rails' post-processing ([`rails`]) — compared with the dump committed at
//! the app's head, and written into the app's work tree or committed on a branch when asked
//! ([`commit`]).

pub mod commit;
pub mod rails;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use crate::config::{App, AppSource, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::redact::redact;
use crate::runner::db::{ConnectOptions, Db};
use crate::schema::{Dialect, SchemaSource};

/// What to sync.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only these apps (every app with a `structure` when empty).
    pub apps: Vec<String>,
    /// The live database the dumps are made from (`--from env:VAR`).
    pub from: SchemaSource,
    pub output: Output,
}

/// What to do with a dump that differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Nothing: the caller shows the diff.
    Diff,
    /// Write it into the app's work tree.
    Write,
    /// Commit it on this branch of the app's repository (`message`: the commit's title).
    Commit { branch: String, message: Option<String> },
}

/// One app's dump: as committed and as regenerated.
#[derive(Debug, Clone, Serialize)]
pub struct AppSync {
    pub app: String,
    /// The dump's path in the app's repository.
    pub dump: String,
    pub in_sync: bool,
    /// Where the regenerated dump was written, with `--write`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<PathBuf>,
    /// The commit made with `--commit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip)]
    pub committed: String,
    #[serde(skip)]
    pub generated: String,
}

impl AppSync {
    /// The unified diff from the committed dump to the regenerated one.
    pub fn diff(&self) -> String {
        similar::TextDiff::from_lines(&self.committed, &self.generated)
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{}", self.dump), &format!("b/{}", self.dump))
            .to_string()
    }
}

pub fn run(config: &Config, options: &Options) -> Result<Vec<AppSync>> {
    config.sql_only("schema sync")?;
    let apps = crate::scan::select_apps(config, &options.apps)?;
    let with_dump: Vec<&App> = apps.into_iter().filter(|a| a.structure.is_some()).collect();
    if with_dump.is_empty() {
        return Err(Error::input(
            Diagnostic::new("no app names a committed schema dump: nothing to sync")
                .in_file(&config.path)
                .help("add `structure = \"db/structure.sql\"` (relative to the app's `path`) to the [[app]] that commits the dump"),
        ));
    }
    let url = database_url(&options.from)?;
    let mut out = Vec::new();
    for app in with_dump {
        out.push(sync_app(config, app, &url, &options.output)?);
    }
    Ok(out)
}

fn database_url(source: &SchemaSource) -> Result<String> {
    match source {
        SchemaSource::Url(url) => Ok(url.clone()),
        SchemaSource::UrlEnv(var) => match std::env::var(var) {
            Ok(url) if !url.trim().is_empty() => Ok(url.trim().to_owned()),
            _ => Err(Error::environment(
                Diagnostic::new(format!("environment variable `{var}` is not set; expected a database URL in it"))
                    .help(format!("export {var}=postgres://user@host/db")),
            )),
        },
        SchemaSource::File(path) => Err(Error::input(
            Diagnostic::new(format!("`--from {}` names a file; a dump is made from a live database", path.display()))
                .help("pass `--from env:DATABASE_URL`, naming the variable that holds the database's URL"),
        )),
    }
}

fn sync_app(config: &Config, app: &App, url: &str, output: &Output) -> Result<AppSync> {
    let structure = app.structure.as_deref().unwrap_or_default();
    let dump_path = crate::drift::in_app(app, structure);
    if app.source != AppSource::Repo {
        return Err(Error::input(
            Diagnostic::new(format!("app `{}` reads its code from the store: it has no dump to sync", app.name)).at(
                &config.path,
                app.line,
                1,
            ),
        ));
    }
    if config.registry.dialect != Dialect::Postgres || !dump_path.ends_with(".sql") {
        return Err(Error::input(
            Diagnostic::new(format!(
                "app `{}`: tandem syncs PostgreSQL `structure.sql` dumps; {dump_path} on {} is not one yet",
                app.name,
                config.registry.dialect.as_str()
            ))
            .at(&config.path, app.line, 1),
        ));
    }
    let repo = crate::git::open(&app.name, &app.repo)?;
    let commit = crate::git::resolve(&repo, &app.name, &app.head)?;
    let committed = match crate::git::blob_at(&repo, commit, &dump_path)? {
        Some(blob) => crate::git::blob_text(&repo, blob, Path::new(&dump_path))?,
        None => String::new(),
    };
    let generated = rails_structure(url, rails::VersionOrder::of(&committed))?;
    let in_sync = generated == committed;
    let (mut written, mut made) = (None, None);
    match output {
        _ if in_sync => {}
        Output::Diff => {}
        Output::Write => {
            let path = app.repo.join(&dump_path);
            std::fs::write(&path, &generated).map_err(|e| {
                Error::environment(Diagnostic::new(format!("cannot write the dump: {e}")).in_file(&path))
            })?;
            written = Some(path);
        }
        Output::Commit { branch, message } => {
            let default = format!("tandem schema sync: regenerate {dump_path}");
            let title = message.as_deref().unwrap_or(&default);
            let text = commit::message(title, &dump_path, &committed, &generated, config.registry.dialect);
            made = Some(commit::commit(&repo, commit, branch, &dump_path, &generated, &text)?.to_string());
        }
    }
    Ok(AppSync { app: app.name.clone(), dump: dump_path, in_sync, written, commit: made, committed, generated })
}

/// `db/structure.sql` of the database at `url`, as `rails db:schema:dump` writes it.
pub fn rails_structure(url: &str, order: rails::VersionOrder) -> Result<String> {
    let dumped = pg_dump(url, &rails::PG_DUMP_FLAGS)?;
    let mut db =
        Db::connect(url, &ConnectOptions { application_name: "tandem sync", busy_timeout: Default::default() })?;
    let search_path =
        db.scalar("SHOW search_path", &[]).map_err(|e| db.error("read the search path", &e))?.unwrap_or_default();
    let has_table = db
        .scalar("SELECT (to_regclass('schema_migrations') IS NOT NULL)::text", &[])
        .map_err(|e| db.error("look for schema_migrations", &e))?;
    let versions = if has_table.as_deref() == Some("true") {
        let rows = db
            .query("SELECT version::text FROM schema_migrations ORDER BY version ASC", &[])
            .map_err(|e| db.error("read schema_migrations", &e))?;
        Some(rows.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect::<Vec<_>>())
    } else {
        None
    };
    db.close();
    Ok(rails::structure(&dumped, &search_path, versions.as_deref(), order))
}

/// The real pg_dump's output for the database at `url`.
fn pg_dump(url: &str, flags: &[&str]) -> Result<String> {
    let out = Command::new("pg_dump").args(flags).arg(url).output().map_err(|e| {
        Error::environment(
            Diagnostic::new(format!("cannot run pg_dump: {e}"))
                .help("install the PostgreSQL client (pg_dump) of the server's major version or newer"),
        )
    })?;
    if !out.status.success() {
        return Err(Error::environment(Diagnostic::new(redact(&format!(
            "pg_dump failed on {}: {}",
            redact(url),
            String::from_utf8_lossy(&out.stderr).trim()
        )))));
    }
    String::from_utf8(out.stdout)
        .map_err(|_| Error::environment(Diagnostic::new("pg_dump wrote text that is not UTF-8")))
}

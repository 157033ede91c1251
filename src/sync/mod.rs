//! `tandem schema sync`: each app's committed dump regenerated from the live database the way
//! the app's own tool writes it — the real `pg_dump` or `mysqldump` ([`tools`]) with the flags and
//! the post-processing of Rails ([`rails`]) or Ecto ([`ecto`]), as the app's framework says
//! (`FrameworkSupport::dump_tool`) — compared with the dump committed at the app's head, and
//! written into the app's work tree or committed on a branch when asked ([`commit`]).

pub mod commit;
pub mod ecto;
pub mod rails;
pub mod replayed;
pub mod schema_rb;
pub mod tools;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::{App, AppSource, Config};
use crate::database::db::{ConnectOptions, Db, Kind};
use crate::error::{Diagnostic, Error, Result};
use crate::framework::DumpTool;
use crate::schema::SchemaSource;

/// What to sync.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only these apps (every app with a `structure` when empty).
    pub apps: Vec<String>,
    pub from: From,
    pub output: Output,
}

/// What the dumps are made from.
#[derive(Debug, Clone)]
pub enum From {
    /// A live database (`--from env:VAR`).
    Live(SchemaSource),
    /// Every app's migrations replayed (`--from migrations`), loaded into a throwaway database
    /// on the `scratch` server when there is one (`--scratch env:VAR`).
    Migrations { scratch: Option<SchemaSource> },
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
    /// How a dump made from the migrations was written (absent for a live database).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub made_by: Option<replayed::MadeBy>,
    /// The migrations' operations the replay could not follow: what they make is not in the dump.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreplayed: Vec<replayed::Unreplayed>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
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
    let url = match &options.from {
        From::Live(source) => Some(database_url(source)?),
        From::Migrations { scratch } => scratch.as_ref().map(database_url).transpose()?,
    };
    let mut out = Vec::new();
    for app in with_dump {
        out.push(sync_app(config, app, &options.from, url.as_deref(), &options.output)?);
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

/// `url`: the live database, or the scratch server with `From::Migrations`.
fn sync_app(config: &Config, app: &App, from: &From, url: Option<&str>, output: &Output) -> Result<AppSync> {
    let dump_path = crate::drift::in_app(app, app.structure.as_deref().unwrap_or_default());
    if app.source != AppSource::Repo {
        return Err(Error::input(
            Diagnostic::new(format!("app `{}` reads its code from the store: it has no dump to sync", app.name)).at(
                &config.path,
                app.line,
                1,
            ),
        ));
    }
    let tool = crate::framework::of(app.framework).dump_tool();
    // A Rails `schema.rb` (PostgreSQL): ActiveRecord's SchemaDumper, from the schema model.
    let schema_rb = tool == Some(DumpTool::Rails)
        && dump_path.ends_with(".rb")
        && config.registry.dialect == crate::schema::Dialect::Postgres;
    let Some(tool) = tool.filter(|_| dump_path.ends_with(".sql") || schema_rb) else {
        return Err(Error::input(
            Diagnostic::new(format!(
                "app `{}`: tandem syncs the `structure.sql` of Rails and Ecto apps and a Rails `schema.rb` on \
                 PostgreSQL; {dump_path} of a {} app on {} is not one yet",
                app.name,
                app.framework.as_str(),
                config.registry.dialect.as_str()
            ))
            .at(&config.path, app.line, 1),
        ));
    };
    let repo = crate::git::open(&app.name, &app.repo)?;
    let commit = crate::git::resolve(&repo, &app.name, &app.head)?;
    let committed = match crate::git::blob_at(&repo, commit, &dump_path)? {
        Some(blob) => crate::git::blob_text(&repo, blob, Path::new(&dump_path))?,
        None => String::new(),
    };
    let order = rails::VersionOrder::of(&committed);
    let rails_version = schema_rb.then(|| schema_rb::rails_version_of(&committed).unwrap_or(schema_rb::RAILS_VERSION));
    let (generated, made_by, unreplayed, notes) = match (from, url) {
        (From::Live(_), Some(url)) => match rails_version {
            Some(rails) => (live_schema_rb(url, rails)?, None, Vec::new(), Vec::new()),
            None => (structure(url, tool, order)?, None, Vec::new(), Vec::new()),
        },
        _ => {
            let r = replayed::structure(config, app, tool, url, order, rails_version)?;
            (r.text, Some(r.made_by), r.unreplayed, r.notes)
        }
    };
    let in_sync = ecto::without_restrict_key(&generated) == ecto::without_restrict_key(&committed);
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
            let mut text = commit::message(title, &dump_path, &committed, &generated, config.registry.dialect);
            if let Some(how) = &made_by {
                text.push_str(&format!("\n{}\n", replayed::describe(how)));
            }
            for u in &unreplayed {
                text.push_str(&format!("\nnot replayed, so not in this dump: {} {}", u.location, u.what));
            }
            made = Some(commit::commit(&repo, commit, branch, &dump_path, &generated, &text)?.to_string());
        }
    }
    Ok(AppSync {
        app: app.name.clone(),
        dump: dump_path,
        in_sync,
        written,
        commit: made,
        made_by,
        unreplayed,
        notes,
        committed,
        generated,
    })
}

/// The `structure.sql` of the database at `url`, as `tool` writes it (`order`: of the versions
/// in a Rails dump).
pub fn structure(url: &str, tool: DumpTool, order: rails::VersionOrder) -> Result<String> {
    let mut db =
        Db::connect(url, &ConnectOptions { application_name: "tandem sync", busy_timeout: Default::default() })?;
    let out = match (tool, db.kind) {
        (DumpTool::Rails, Kind::Postgres) => {
            let search_path = db
                .scalar("SHOW search_path", &[])
                .map_err(|e| db.error("read the search path", &e))?
                .unwrap_or_default();
            let versions = versions(&mut db, "schema_migrations")?;
            let dumped = tools::pg_dump(url, &rails::PG_DUMP_FLAGS)?;
            rails::structure(&dumped, &search_path, versions.as_deref(), order)
        }
        (DumpTool::Rails, Kind::Mysql | Kind::Mariadb) => {
            let versions = versions(&mut db, "schema_migrations")?;
            rails::mysql_structure(&tools::mysqldump(url, &rails::MYSQLDUMP_FLAGS)?, versions.as_deref(), order)
        }
        (DumpTool::Ecto, Kind::Postgres) => {
            let versions = versions(&mut db, ecto::MIGRATIONS)?.unwrap_or_default();
            ecto::structure(&tools::pg_dump(url, &ecto::PG_DUMP_FLAGS)?, &versions)
        }
        (_, kind) => {
            return Err(Error::input(Diagnostic::new(format!(
                "tandem does not yet write {} dumps of a {} database",
                match tool {
                    DumpTool::Rails => "Rails",
                    DumpTool::Ecto => "Ecto",
                },
                kind.dialect().as_str()
            ))));
        }
    };
    db.close();
    Ok(out)
}

/// `db/schema.rb` of the PostgreSQL database at `url`, as Rails `rails_version` dumps it.
pub fn live_schema_rb(url: &str, rails_version: &str) -> Result<String> {
    let schema = crate::schema::load(&SchemaSource::Url(url.to_owned()), Some(crate::schema::Dialect::Postgres))?;
    let mut db =
        Db::connect(url, &ConnectOptions { application_name: "tandem sync", busy_timeout: Default::default() })?;
    let versions = versions(&mut db, "schema_migrations")?.unwrap_or_default();
    db.close();
    let newest = versions.iter().max_by(|a, b| crate::migration::layout::compare_versions(a, b));
    Ok(schema_rb::render(&schema, rails_version, newest.map(String::as_str)))
}

/// The versions in `table` (as the dump tool names it), ascending; `None` when there is no such
/// table.
fn versions(db: &mut Db, table: &str) -> Result<Option<Vec<String>>> {
    let exists = match db.kind {
        Kind::Mysql | Kind::Mariadb => format!(
            "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.tables \
             WHERE table_schema = DATABASE() AND table_name = '{}'",
            table.trim_matches('`')
        ),
        _ => format!("SELECT (to_regclass('{}') IS NOT NULL)::text", table.replace('\'', "''")),
    };
    let found = db.scalar(&exists, &[]).map_err(|e| db.error("look for schema_migrations", &e))?;
    if !matches!(found.as_deref(), Some("true" | "1")) {
        return Ok(None);
    }
    let cast = if db.kind == Kind::Postgres { "version::text" } else { "CAST(version AS CHAR)" };
    let rows = db
        .query(&format!("SELECT {cast} FROM {table} ORDER BY version ASC"), &[])
        .map_err(|e| db.error("read schema_migrations", &e))?;
    Ok(Some(rows.into_iter().filter_map(|r| r.into_iter().next().flatten()).collect()))
}

//! The schema the migrations say the database has: every registered app's migrations at its
//! same-named ref (read from git) and the registry's shared `migrations/`, replayed in version
//! order from an empty database, one operation at a time.
//!
//! What cannot be replayed is kept, not guessed: an operation tandem cannot model (a library call
//! such as `Oban.Migrations.up()`, Django's `RunPython`, SQL it cannot read) is an [`Opaque`]
//! step, and an operation that does not apply to the replayed state (it depends on what an opaque
//! step made) is one too. The comparison turns what they may have created into `unverified`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::config::{App, AppSource, Config};
use crate::error::Result;
use crate::migration::apply::{ApplyNote, apply};
use crate::migration::layout::compare_versions;
use crate::migration::{Migration, OpKind, Operation};
use crate::schema::Schema;

use super::Location;

/// A migration and whose it is.
#[derive(Debug, Clone)]
pub struct Sourced {
    pub migration: Migration,
    /// The app whose repository holds it; `None` for the registry's shared migrations.
    pub app: Option<String>,
}

/// An operation the replay could not follow.
#[derive(Debug, Clone)]
pub struct Opaque {
    pub location: Location,
    /// What it is, in a line (`Elixir code: Oban.Migrations.up()`, the SQL's first words).
    pub what: String,
    /// Why it could not be followed, when it was an operation that did not apply.
    pub error: Option<String>,
    /// The lower-cased identifiers of its text: an opaque step that names a table can only have
    /// changed that table; one that names none (a library call) may have made anything.
    pub words: BTreeSet<String>,
    /// Raw SQL the reader understood (GRANT, COMMENT, …) cannot create tables or columns.
    pub creates_nothing: bool,
}

/// The replayed schema and how it came to be.
pub struct Expected {
    pub schema: Schema,
    pub migrations: Vec<Sourced>,
    /// The diff object key (`public.users.email`) → the migration (index into `migrations`)
    /// that last created or changed it.
    pub origins: BTreeMap<String, usize>,
    pub opaque: Vec<Opaque>,
    /// Where the migrations came from, for messages (`app `web`'s db/migrate at head`).
    pub sources: Vec<String>,
    /// The live database the truth was read from instead (`$DATABASE_URL`), with `--against`.
    pub live: Option<String>,
}

impl Expected {
    /// Where the migration that made `object` is, and the operation in it that names the
    /// object's last part.
    pub fn origin(&self, object: &str) -> Option<Location> {
        // An object inside one created with it (a new table's foreign key) comes from the
        // migration that created its parent.
        let mut key = object;
        let i = loop {
            if let Some(i) = self.origins.get(key) {
                break *i;
            }
            key = &key[..key.rfind('.')?];
        };
        let s = &self.migrations[i];
        let debug: Vec<String> = s.migration.up.iter().map(|op| format!("{:?}", op.kind)).collect();
        let named = |name: &str| debug.iter().position(|d| d.contains(&format!("\"{name}\"")));
        let last = object.rsplit('.').next().unwrap_or(object);
        let parent = key.rsplit('.').next().unwrap_or(key);
        let op = named(last).or_else(|| named(parent)).map(|i| &s.migration.up[i]).or_else(|| s.migration.up.first());
        Some(location(s, op.map_or(1, |op| op.span.line)))
    }
}

fn location(s: &Sourced, line: u32) -> Location {
    Location { app: s.app.clone(), file: crate::render::display_path(&s.migration.file), line }
}

/// Every migration of the registry and of every app at the ref named `ref_name` (`checked`
/// at `rev`), replayed.
pub fn build(config: &Config, checked: &App, ref_name: &str, rev: &str, notes: &mut Vec<String>) -> Result<Expected> {
    let dialect = config.registry.dialect;
    let mut all: Vec<Sourced> = Vec::new();
    let mut sources = Vec::new();
    if let Some(dir) = &config.registry.migrations {
        if dir.is_dir() {
            let root = crate::check::gather::report_root(config);
            let mut ms = crate::migration::load_path(dir, None, dialect)?;
            for m in &mut ms {
                crate::check::gather::relativize(m, &root);
            }
            sources.push(format!("the registry's {}", crate::check::baseline::shown_path(dir, &root)));
            all.extend(ms.into_iter().map(|migration| Sourced { migration, app: Some("registry".into()) }));
        } else {
            notes.push(format!("the registry's migrations ({}) are not a directory: not replayed", dir.display()));
        }
    }
    for (app, dir) in config.app_migration_dirs() {
        if app.source != AppSource::Repo {
            notes.push(format!("app `{}` reads its code from the store: its migrations are not replayed", app.name));
            continue;
        }
        let app_rev = if app.name == checked.name {
            rev
        } else if matches!(ref_name, "head" | "deployed") {
            super::revision_of(app, ref_name, notes)
        } else {
            &app.head
        };
        let dir = super::in_app(app, dir);
        let ms = read_at(app, &dir, app_rev, dialect)?;
        sources.push(format!("app `{}`'s {dir} at {app_rev}", app.name));
        let owner = (app.name != checked.name).then(|| app.name.clone());
        all.extend(ms.into_iter().map(|migration| Sourced { migration, app: owner.clone() }));
    }
    // A stable sort keeps each directory's own order among equal versions.
    all.sort_by(|a, b| compare_versions(&a.migration.version, &b.migration.version));
    Ok(replay(all, sources, dialect))
}

/// `dir` of `app`'s repository at `rev`, read as a migration directory.
fn read_at(app: &App, dir: &str, rev: &str, dialect: crate::schema::Dialect) -> Result<Vec<Migration>> {
    let repo = crate::git::open(&app.name, &app.repo)?;
    let commit = crate::git::resolve(&repo, &app.name, rev)?;
    let files = crate::git::files_in(&repo, commit, dir)?;
    let paths: Vec<PathBuf> = files.keys().map(|n| Path::new(dir).join(n)).collect();
    let ecto_config = ecto_config(&repo, commit, dir)?;
    crate::migration::load::load_files_with(
        paths,
        |p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            crate::git::blob_text(&repo, files[name], p)
        },
        None,
        dialect,
        &ecto_config,
    )
}

/// The migration settings of the Ecto repo whose migrations are `dir` (`priv/<repo>/migrations`),
/// from the app's `config/config.exs` at `commit` (the settings every environment shares).
fn ecto_config(
    repo: &git2::Repository,
    commit: git2::Oid,
    dir: &str,
) -> Result<crate::migration::readers::ecto::RepoConfig> {
    use crate::migration::readers::ecto::RepoConfig;
    let parts: Vec<&str> = dir.split('/').collect();
    let Some(at) = parts.windows(3).position(|w| w[0] == "priv" && w[2] == "migrations") else {
        return Ok(RepoConfig::default());
    };
    // The Mix project holding `priv/` holds `config/`.
    let project = parts[..at].join("/");
    let config_path =
        if project.is_empty() { "config/config.exs".to_owned() } else { format!("{project}/config/config.exs") };
    let Some(blob) = crate::git::blob_at(repo, commit, &config_path)? else { return Ok(RepoConfig::default()) };
    let text = crate::git::blob_text(repo, blob, Path::new(&config_path))?;
    RepoConfig::read(Path::new(&config_path), &text, parts[at + 1])
}

fn replay(migrations: Vec<Sourced>, sources: Vec<String>, dialect: crate::schema::Dialect) -> Expected {
    let mut schema = Schema::new(dialect);
    let mut origins = BTreeMap::new();
    let mut opaque = Vec::new();
    for (i, s) in migrations.iter().enumerate() {
        let before = schema.clone();
        for op in &s.migration.up {
            match apply(&mut schema, op) {
                Ok(notes) => {
                    if notes.iter().any(|n| matches!(n, ApplyNote::NotModelled { .. })) {
                        opaque.push(opaque_op(s, op, None));
                    }
                }
                Err(e) => opaque.push(opaque_op(s, op, Some(e.message))),
            }
        }
        if !s.migration.version.is_empty() {
            schema.migrations.push(s.migration.version.clone());
        }
        for d in crate::schema::diff::diff(&before, &schema) {
            if d.change != crate::schema::diff::ChangeKind::Removed {
                origins.insert(d.object, i);
            }
        }
    }
    schema.canonicalize();
    Expected { schema, migrations, origins, opaque, sources, live: None }
}

impl Expected {
    /// The truth is a live database: what it has is what the dump should have.
    pub fn live(schema: Schema, label: String) -> Expected {
        Expected {
            schema,
            migrations: Vec::new(),
            origins: BTreeMap::new(),
            opaque: Vec::new(),
            sources: vec![label.clone()],
            live: Some(label),
        }
    }

    /// How messages say the truth has an object: "the migrations create", "$DATABASE_URL has".
    pub fn has(&self) -> String {
        match &self.live {
            Some(l) => format!("the database in {l} has"),
            None => "the migrations create".to_owned(),
        }
    }

    /// How messages add that the truth lacks it too, after "the dump does not have it".
    pub fn nor(&self) -> String {
        match &self.live {
            Some(l) => format!("nor does the database in {l}"),
            None => "and no migration of any app creates it".to_owned(),
        }
    }

    /// How messages say the truth lacks an object.
    pub fn lacks(&self) -> String {
        match &self.live {
            Some(l) => format!("which the database in {l} does not have"),
            None => "which no migration of any app creates".to_owned(),
        }
    }
}

pub(super) fn opaque_op(s: &Sourced, op: &Operation, error: Option<String>) -> Opaque {
    let text = s.migration.source.get(op.span.start..op.span.end).unwrap_or_default();
    let what = match &op.kind {
        OpKind::Code { description } => description.clone(),
        _ => crate::migration::readers::excerpt(text),
    };
    let words = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    Opaque {
        location: location(s, op.span.line),
        what,
        creates_nothing: error.is_none() && matches!(op.kind, OpKind::Raw { .. }),
        error,
        words,
    }
}

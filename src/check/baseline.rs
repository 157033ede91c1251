//! The schema a check compares against: the database **before** the checked migrations.
//!
//! * A dump named in apps.toml, read as it is in the work tree — or, with `--since REV`, as it was
//!   at `REV` (the same path read from git): the pull request that adds a migration usually
//!   updates the dump too, and the updated dump no longer holds what the migration drops. When
//!   the dump did not exist at `REV`, the work tree's copy is used and the report says so.
//! * A live database (`database_url_env`), as it is now.
//! * No schema at all: the state is replayed from every registered migration directory (the
//!   registry's and each app's own), in version order, up to each checked migration.
//!
//! A dump whose list of applied migrations already holds a migration being checked is **ahead**
//! of it. The check says so and undoes it: each listed migration from the earliest such one on
//! is reversed with its `down` part, newest first, which gives the database before it. Why undo
//! rather than refuse: a Rails, Ecto or Django developer who runs the migration locally commits
//! the regenerated dump with it, so an ahead dump is the common case, and its `down` part is the
//! author's own statement of the state before it. Only when that cannot be done — a migration
//! with no `down`, a `down` that does not apply, a listed version with no file — does the check
//! refuse (exit 2) rather than compare against a schema it knows to be wrong.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::check::{Plan, Role, Step, schema_cache};
use crate::config::{Config, SchemaSetting};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::layout::compare_versions;
use crate::migration::{Migration, OpKind, Span};
use crate::rules::SCHEMA_STATE;
use crate::rules::finding::{Finding, Severity};
use crate::schema::{self, Schema, SchemaSource};
use crate::store::Store;

/// The schema before the migrations, and where it came from.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub schema: Schema,
    /// For messages: `schema/structure.sql at origin/main (1a2b3c4)`.
    pub origin: String,
    /// Read at the `--since` revision: a migration it lists was applied before that revision.
    pub at_revision: bool,
    /// What the report should say about it.
    pub notes: Vec<Finding>,
}

/// A migration the check was asked about.
#[derive(Debug, Clone)]
pub struct Selected {
    pub migration: Migration,
    /// Pending by request (named as a file, or changed since `--since`): when the schema lists
    /// it, the schema is ahead of it. A migration found by reading a directory is pending only
    /// when the schema does not list it.
    pub pending: bool,
}

/// The registry's schema before the migrations; `None` when apps.toml configures none.
/// `root` is the directory report paths are relative to. A dump parsed before is read back from
/// `store` while its bytes are the same ([`crate::check::schema_cache::dump`]).
pub fn load(config: &Config, since: Option<&str>, root: &Path, store: Option<&Store>) -> Result<Option<Baseline>> {
    let dialect = Some(config.registry.dialect);
    match &config.registry.schema {
        None => Ok(None),
        Some(SchemaSetting::UrlEnv(var)) => {
            let mut schema = schema::load(&SchemaSource::UrlEnv(var.clone()), dialect)?;
            // What `tandem migrate` applied there is in its history table, not in the schema.
            if let Ok(url) = std::env::var(var) {
                let applied = crate::database::history::applied(url.trim(), &config.migrate.history_table)?;
                schema.migrations.extend(applied.into_iter().map(|r| r.version));
                schema.canonicalize();
            }
            let mut notes = Vec::new();
            if let Some(rev) = since {
                notes.push(note(format!(
                    "the schema is the live database in `${var}` as it is now, not as it was at {rev}: \
                     migrations it lists as applied are not checked"
                )));
            }
            Ok(Some(Baseline { schema, origin: format!("${var}"), at_revision: false, notes }))
        }
        Some(SchemaSetting::File(path)) => {
            let shown = shown_path(path, root);
            if let Some(rev) = since {
                match read_at_revision(config, rev, path)? {
                    At::Found { bytes, commit } => {
                        let (shown_path, dialect) = (Path::new(&shown), config.registry.dialect);
                        let schema = schema_cache::dump(store, shown_path, Some(&bytes), dialect, || {
                            schema::source::load_bytes(shown_path, &bytes, Some(dialect))
                        })?;
                        let origin = format!("{shown} at {rev} ({})", &commit[..commit.len().min(7)]);
                        let notes = vec![note(format!(
                            "compared against {origin}: the database before the migrations changed since {rev}"
                        ))];
                        return Ok(Some(Baseline { schema, origin, at_revision: true, notes }));
                    }
                    At::Absent(why) => {
                        let schema = load_current_through(config, path, store)?;
                        let notes = vec![note(format!(
                            "{shown} {why} at {rev}: compared against the work tree's copy instead \
                             (migrations it already lists are undone with their down part)"
                        ))];
                        return Ok(Some(Baseline { schema, origin: shown, at_revision: false, notes }));
                    }
                }
            }
            let schema = load_current_through(config, path, store)?;
            Ok(Some(Baseline { schema, origin: shown, at_revision: false, notes: Vec::new() }))
        }
    }
}

/// The registry's schema as it stands now (the work tree's dump, the live database, or — when
/// apps.toml configures neither — every registered migration directory replayed): what `scan`,
/// `refs` and `graph` resolve references with. `None` when there is nothing to build it from.
pub fn current(config: &Config) -> Result<Option<Schema>> {
    match &config.registry.schema {
        None => replayed(config),
        Some(SchemaSetting::File(path)) => load_current(config, path).map(Some),
        Some(SchemaSetting::UrlEnv(var)) => {
            schema::load(&SchemaSource::UrlEnv(var.clone()), Some(config.registry.dialect)).map(Some)
        }
    }
}

/// The registered migration directories (the registry's and each app's own, as the work tree
/// holds them) replayed in version order from an empty database: many Phoenix and Django apps
/// commit no dump, and without a schema their references cannot be told from look-alikes.
/// Drops are not applied: a pending migration may drop what the apps still use, and the
/// references to it must still resolve (a column dropped long ago costs nothing to keep). An
/// operation that cannot be applied is skipped rather than fatal: a slightly wrong schema
/// resolves references better than none, and `check` reports such operations where it matters.
fn replayed(config: &Config) -> Result<Option<Schema>> {
    let root = crate::check::gather::report_root(config);
    let mut registry = None;
    let (history, sources) = history(config, None, &root, &mut registry, &mut Vec::new())?;
    if sources.is_empty() {
        return Ok(None);
    }
    let mut schema = Schema::new(config.registry.dialect);
    replay_onto(&mut schema, history);
    Ok(Some(schema))
}

/// Drops are skipped, except a table's that a later migration creates anew (hexpm drops and
/// re-creates `package_reports`): the new definition replaces the old one.
fn replay_onto(schema: &mut Schema, mut history: Vec<Migration>) {
    // Django's numbers count per Django app: its migrations keep the dependency order they were
    // read in, after the others' (which share one version order).
    let django = |m: &Migration| m.format == crate::migration::Format::Django;
    history.sort_by(|a, b| {
        django(a)
            .cmp(&django(b))
            .then_with(|| if django(a) { Ordering::Equal } else { compare_versions(&a.version, &b.version) })
    });
    let ops: Vec<&crate::migration::Operation> = history.iter().flat_map(|m| &m.up).collect();
    let recreated = |at: usize, dropped: &crate::schema::QualifiedName| {
        ops[at..].iter().any(|op| matches!(&op.kind, OpKind::CreateTable { table, .. } if table == dropped))
    };
    let mut at = 0;
    // The step never fails: an operation that cannot be applied is passed over (see `replayed`).
    let _ = crate::migration::apply::replay_with(schema, &history, |schema, op| {
        at += 1;
        match &op.kind {
            // Whatever still references it: the keys point at the new table by name.
            OpKind::DropTable { table, .. } if recreated(at, table) => schema.tables.retain(|t| &t.name != table),
            OpKind::DropTable { table, .. } => schema.dropped_tables.push(table.clone()),
            OpKind::DropColumn { .. } => {}
            _ => {
                let _ = crate::migration::apply::apply(schema, op);
            }
        }
        Ok(Vec::new())
    });
}

/// The schema the apps' references resolve against: [`current`], and over a dump that records
/// its migration versions, the registered migrations newer than its last one (replayed as
/// [`replayed`] does). A committed dump often lags the migrations beside it, and a column a
/// later migration adds is as real to the code that reads it as one the dump holds.
pub fn for_references(config: &Config) -> Result<Option<Schema>> {
    let Some(mut schema) = current(config)? else { return Ok(None) };
    let Some(SchemaSetting::File(_)) = &config.registry.schema else { return Ok(Some(schema)) };
    let Some(last) = schema.migrations.iter().max_by(|a, b| compare_versions(a, b)).cloned() else {
        return Ok(Some(schema));
    };
    let root = crate::check::gather::report_root(config);
    let (mut history, _) = history(config, None, &root, &mut None, &mut Vec::new())?;
    history.retain(|m| compare_versions(&m.version, &last) == std::cmp::Ordering::Greater);
    if !history.is_empty() {
        replay_onto(&mut schema, history);
    }
    Ok(Some(schema))
}

/// Every migration of the registered directories — the registry's `migrations` (read once: the
/// caller may already hold it in `registry`) and each repository app's own directory in its work
/// tree — with the directories named for messages. An app directory that is not in a work tree
/// is a note, not an error.
pub fn history(
    config: &Config,
    format: Option<crate::migration::Format>,
    root: &Path,
    registry: &mut Option<Vec<Migration>>,
    notes: &mut Vec<Finding>,
) -> Result<(Vec<Migration>, Vec<String>)> {
    use crate::check::gather::{load_dirs, load_registry_dir};
    let mut history = Vec::new();
    let mut sources = Vec::new();
    if let Some(dir) = &config.registry.migrations {
        let registry = match registry.take() {
            Some(r) => r,
            None => load_registry_dir(config, dir, format, root)?,
        };
        sources.push(format!("{}/", shown_path(dir, root)));
        history.extend(registry);
    }
    for app in config.apps.iter().filter(|a| a.source == crate::config::AppSource::Repo) {
        let mut present = Vec::new();
        for dir in &app.migrations {
            let path = app.repo.join(app.path.as_deref().unwrap_or("")).join(dir);
            if path.is_dir() {
                sources.push(format!("{}/", shown_path(&path, root)));
                present.push(path);
            } else {
                notes.push(Finding::new(
                    SCHEMA_STATE,
                    Severity::Info,
                    format!(
                        "app `{}`'s migrations ({dir}) are not in a work tree at {}: not replayed",
                        app.name,
                        path.display()
                    ),
                ));
            }
        }
        if !present.is_empty() {
            let dirs: Vec<&Path> = present.iter().map(PathBuf::as_path).collect();
            history.extend(load_dirs(&dirs, None, config.registry.dialect, root)?);
        }
    }
    Ok((history, sources))
}

/// The dump file as the work tree holds it; a file that is not there is an error at the
/// `schema` setting in apps.toml.
fn load_current(config: &Config, path: &Path) -> Result<Schema> {
    if !path.exists() {
        let d = Diagnostic::new(format!("`schema` names {}, which does not exist", path.display())).help(
            "write the dump there (pg_dump --schema-only, mysqldump --no-data, schema.rb), or comment out `schema` to replay the migrations instead",
        );
        return Err(Error::input(config.at_setting("schema", d)));
    }
    schema::load(&SchemaSource::File(path.to_path_buf()), Some(config.registry.dialect))
}

/// [`load_current`] through the store's parsed dumps.
fn load_current_through(config: &Config, path: &Path, store: Option<&Store>) -> Result<Schema> {
    if !path.exists() {
        return load_current(config, path);
    }
    schema_cache::dump(store, path, None, config.registry.dialect, || load_current(config, path))
}

enum At {
    Found {
        bytes: Vec<u8>,
        commit: String,
    },
    /// Why not: "did not exist", "is outside the repository".
    Absent(&'static str),
}

/// The file at `path` as the commit `rev` of the repository holding apps.toml has it.
fn read_at_revision(config: &Config, rev: &str, path: &Path) -> Result<At> {
    let repo = crate::git::discover(&config.root)?;
    let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
        return Ok(At::Absent("cannot be read from a bare repository"));
    };
    let commit = crate::git::since(&repo, rev)?;
    let Some(relative) = canonical(path).strip_prefix(&workdir).ok().map(Path::to_path_buf) else {
        return Ok(At::Absent("is outside the repository"));
    };
    let tree = commit
        .tree()
        .map_err(|e| Error::environment(Diagnostic::new(format!("cannot read the tree of {rev}: {}", e.message()))))?;
    let Ok(entry) = tree.get_path(&relative) else { return Ok(At::Absent("did not exist")) };
    let blob = repo.find_blob(entry.id()).map_err(|e| {
        Error::environment(Diagnostic::new(format!("cannot read {} at {rev}: {}", relative.display(), e.message())))
    })?;
    Ok(At::Found { bytes: blob.content().to_vec(), commit: commit.id().to_string() })
}

/// `path` with symbolic links resolved as far as it exists (the file itself may not).
fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (path.parent().and_then(|p| p.canonicalize().ok()), path.file_name()) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => path.to_path_buf(),
    }
}

/// `path` as reports show it: relative to `root` when below it.
pub fn shown_path(path: &Path, root: &Path) -> String {
    let c = canonical(path);
    crate::render::display_path(c.strip_prefix(root).unwrap_or(&c))
}

fn note(message: String) -> Finding {
    Finding::new(SCHEMA_STATE, Severity::Info, message)
}

fn note_at(message: String, m: &Migration) -> Finding {
    let first_line = m.source.lines().next().map_or(0, str::len);
    let span = Span { file: m.file.clone(), line: 1, column: 1, start: 0, end: first_line };
    let mut f = note(message).at(&span);
    f.migration = Some(m.version.clone());
    f
}

/// The plan of a check: the selected migrations in version order against the baseline, with the
/// history that builds the state around them. `history` is every registered migration (the
/// selected ones may be among them); `sources` names its directories for messages.
pub fn plan(
    baseline: Option<Baseline>,
    selected: Vec<Selected>,
    history: Vec<Migration>,
    sources: &[String],
    dialect: crate::schema::Dialect,
) -> Result<Plan> {
    // Every migration once, selected ones marked, in version order (a stable sort keeps a
    // directory's own order among equal versions).
    let chosen: BTreeSet<PathBuf> = selected.iter().map(|s| s.migration.file.clone()).collect();
    let history_order: Vec<PathBuf> = history.iter().map(|m| m.file.clone()).collect();
    let mut all: Vec<(Migration, Option<bool>)> =
        selected.into_iter().map(|s| (s.migration, Some(s.pending))).collect();
    all.extend(history.into_iter().filter(|m| !chosen.contains(&m.file)).map(|m| (m, None)));
    // Django's migrations are ordered by their dependencies, not by their numbers (`0002` of one
    // app may need `0005` of another): the history's order, as the reader gave it, is theirs.
    if all.iter().all(|(m, _)| m.format == crate::migration::Format::Django) {
        let rank: std::collections::HashMap<PathBuf, usize> =
            history_order.iter().enumerate().map(|(i, f)| (f.clone(), i)).collect();
        all.sort_by_key(|(m, _)| rank.get(&m.file).copied().unwrap_or(usize::MAX));
    } else {
        all.sort_by(|a, b| compare_versions(&a.0.version, &b.0.version));
    }
    // Nothing after the last selected migration matters.
    let last = all.iter().rposition(|(_, s)| s.is_some()).map_or(0, |i| i + 1);
    all.truncate(last);

    let Some(mut baseline) = baseline else {
        // No schema: the history builds it.
        let replayed = all.iter().filter(|(_, s)| s.is_none()).count();
        let origin = if sources.is_empty() {
            "no schema and no migration history".to_owned()
        } else {
            format!("the migrations of {} replayed", sources.join(" and "))
        };
        let message = if sources.is_empty() {
            "no schema is configured and no migration directory is registered: tandem knows nothing of the \
             database before these migrations, so it cannot tell what they drop exists"
                .to_owned()
        } else {
            format!(
                "no schema is configured: the schema before each migration is replayed from {} \
                 ({replayed} earlier migration{} replayed)",
                sources.join(" and "),
                if replayed == 1 { "" } else { "s" }
            )
        };
        let steps = all
            .into_iter()
            .map(|(migration, s)| Step { migration, role: if s.is_some() { Role::Check } else { Role::Replay } })
            .collect();
        return Ok(Plan { schema: Schema::new(dialect), origin, given: false, steps, notes: vec![note(message)] });
    };

    let listed = applied_names(&baseline.schema);
    let mut notes = std::mem::take(&mut baseline.notes);
    // Changed since the revision, yet the revision's schema lists it: it ran before and was
    // edited since. An applied migration does not run again, so the edit changes no database.
    if baseline.at_revision {
        for (m, _) in all.iter().filter(|(m, s)| *s == Some(true) && is_listed(m, &listed)) {
            let mut f = note_at(
                format!(
                    "migration {} changed since the revision, but {} already lists it as applied: it is not \
                     checked, and a database that ran it will not run it again",
                    m.history_name(),
                    baseline.origin
                ),
                m,
            );
            f.severity = Severity::Warn;
            f.recipes.push(crate::check::Recipe {
                framework: None,
                steps: vec!["leave applied migrations as they are and write a new migration for the change".into()],
            });
            notes.push(f);
        }
    }
    let ahead: Vec<&Migration> = all
        .iter()
        .filter(|(m, s)| !baseline.at_revision && *s == Some(true) && is_listed(m, &listed))
        .map(|(m, _)| m)
        .collect();
    let mut undone: BTreeSet<PathBuf> = BTreeSet::new();
    let mut origin = baseline.origin.clone();
    if let Some(earliest) = ahead.iter().map(|m| m.history_name()).min_by(|a, b| compare_versions(a, b)) {
        let from_earliest = |v: &str| at_or_after(v, &earliest);
        // Every listed version from the earliest ahead one on must be undone, and needs its file.
        let known: BTreeSet<String> =
            all.iter().flat_map(|(m, _)| std::iter::once(m.history_name()).chain(m.replaces.iter().cloned())).collect();
        if let Some(missing) = listed.iter().find(|v| from_earliest(v) && !known.contains(v.as_str())) {
            return Err(Error::input(
                Diagnostic::new(format!(
                    "{} is ahead of migration {earliest}: it lists it as applied, and also {missing}, which no registered migration has, so the database before {earliest} cannot be rebuilt",
                    baseline.origin
                ))
                .help("check with `--since <base>` so that the schema is read as it was there, or regenerate the dump without the pending migrations"),
            ));
        }
        let mut undo: Vec<&Migration> =
            all.iter().map(|(m, _)| m).filter(|m| is_listed(m, &listed) && from_earliest(&m.history_name())).collect();
        undo.reverse();
        for m in &undo {
            undo_one(&mut baseline.schema, m, &baseline.origin)?;
            undone.insert(m.file.clone());
        }
        baseline.schema.migrations.retain(|v| !from_earliest(v));
        baseline.schema.django_migrations.retain(|v| !from_earliest(v));
        let versions: Vec<String> = undo.iter().rev().map(|m| m.history_name()).collect();
        for m in &ahead {
            notes.push(note_at(
                format!(
                    "{} already lists migration {} as applied: it is ahead of this migration, so the check \
                     compares against it with the down part of {} replayed — the database before it",
                    baseline.origin,
                    m.history_name(),
                    versions.join(", ")
                ),
                m,
            ));
        }
        origin = format!("{} with {} undone", baseline.origin, versions.join(", "));
    }
    let still_listed = applied_names(&baseline.schema);
    let steps = all
        .into_iter()
        .filter_map(|(migration, s)| {
            let listed = is_listed(&migration, &still_listed);
            let role = match s {
                Some(_) if listed => Role::Applied,
                Some(_) => Role::Check,
                None if undone.contains(&migration.file) => Role::Replay,
                None => return None,
            };
            Some(Step { migration, role })
        })
        .collect();
    Ok(Plan { schema: baseline.schema, origin, given: true, steps, notes })
}

/// Every migration `schema` lists as applied, by [`Migration::history_name`].
fn applied_names(schema: &Schema) -> BTreeSet<String> {
    schema.migrations.iter().chain(&schema.django_migrations).cloned().collect()
}

/// Whether the database `listed` describes has applied `m`: it lists it, or `m` is a squashed
/// migration and it lists everything `m` replaces (as Django decides).
fn is_listed(m: &Migration, listed: &BTreeSet<String>) -> bool {
    listed.contains(&m.history_name()) || (!m.replaces.is_empty() && m.replaces.iter().all(|r| listed.contains(r)))
}

/// Whether history name `v` comes at or after `earliest`. Versions form one sequence; Django's
/// `label.name`s one per app label, so a name of another app is neither before nor after.
fn at_or_after(v: &str, earliest: &str) -> bool {
    fn django(n: &str) -> Option<(&str, &str)> {
        n.split_once('.').filter(|(label, _)| label.starts_with(|c: char| c.is_alphabetic() || c == '_'))
    }
    match (django(v), django(earliest)) {
        (Some((l, rest)), Some((el, erest))) => l == el && compare_versions(rest, erest) != Ordering::Less,
        (None, None) => compare_versions(v, earliest) != Ordering::Less,
        _ => false,
    }
}

/// Reverse `m` on `schema` with its down part, or refuse.
fn undo_one(schema: &mut Schema, m: &Migration, origin: &str) -> Result<()> {
    let refuse = |why: String, d: Diagnostic| {
        Error::input(d.help(format!(
            "{why}; check with `--since <base>` so that the schema is read as it was there, or regenerate {origin} without the pending migrations"
        )))
    };
    let Some(down) = &m.down else {
        return Err(refuse(
            "the schema cannot be rewound past it".into(),
            Diagnostic::new(format!(
                "{origin} already lists migration {} as applied, and it has no down part to undo it with",
                m.history_name()
            ))
            .at(&m.file, 1, 1),
        ));
    };
    for op in down {
        if let Err(e) = crate::migration::apply::apply(schema, op) {
            return Err(refuse(
                "so the database before it cannot be rebuilt".into(),
                Diagnostic::new(format!(
                    "{origin} already lists migration {} as applied, and its down part does not apply to it: {}",
                    m.history_name(),
                    e.message
                ))
                .at(&e.span.file, e.span.line, e.span.column),
            ));
        }
    }
    Ok(())
}

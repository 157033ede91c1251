//! Gathering what a check needs from the registry, with the policy that makes it fail closed —
//! here in the library, so that a caller of [`check`] gets the same gate as `tandem check`:
//!
//! * which migrations to check ([`Request`]): files and directories, the files changed since a
//!   revision, or the registry's `migrations` directory — or, when `schema` names a Prisma
//!   schema pushed with `prisma db push`, its changes since the revision ([`crate::check::push`]);
//! * the schema before them ([`crate::check::baseline`]);
//! * when a rule will consult the gate, every app at each of its refs, one ref at a time, so
//!   that a ref that cannot be read is blamed alone and fails the gate closed; files of an app
//!   that could not be read are failures too.
//!
//! Report paths are relative to the repository root (the work tree holding apps.toml), where CI
//! annotations resolve, whatever the current directory.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::check::baseline::{self, Selected};
use crate::check::{CheckOptions, CheckReport, Gate, Plan, ScanFailure, run_plan};
use crate::config::{Confidence, Config, Framework, Waiver};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::{self, Format, Migration};
use crate::rules::NO_MIGRATIONS;
use crate::rules::finding::{Finding, Severity};
use crate::scan::resolve::SchemaIndex;
use crate::scan::{self, ScanOptions, ScanResult};
use crate::schema::Schema;
use crate::store::Store;

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// Migration files or directories (relative to the current directory); empty: the
    /// registry's `migrations` directory.
    pub paths: Vec<PathBuf>,
    /// Check only the migration files added or changed since this revision, against the schema
    /// as it was there.
    pub since: Option<String>,
    /// Read migrations as this format instead of recognising it.
    pub format: Option<Format>,
}

/// Everything a check runs over.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub plan: Plan,
    pub scans: Vec<ScanResult>,
    /// Apps at refs, and files of them, that could not be read.
    pub failures: Vec<ScanFailure>,
    pub frameworks: BTreeMap<String, Framework>,
    pub min_confidence: Confidence,
    pub waivers: Vec<Waiver>,
    /// apps.toml as reports name it.
    pub waiver_file: PathBuf,
}

impl Inputs {
    pub fn gate(&self) -> Gate<'_> {
        Gate::new(&self.scans, &self.failures, self.min_confidence)
            .with_frameworks(self.frameworks.iter().map(|(a, f)| (a.clone(), *f)))
    }

    pub fn run(&self, options: &CheckOptions) -> Result<CheckReport> {
        run_plan(&self.plan, &self.gate(), &self.waivers, Some(&self.waiver_file), options)
    }
}

/// Gather the inputs of `request` from the registry and run the check.
pub fn check(config: &Config, request: &Request, options: &CheckOptions) -> Result<CheckReport> {
    let options = CheckOptions { rules: crate::rules::Selection::of(config)?, ..options.clone() };
    gather(config, request)?.run(&options)
}

/// Read the migrations, the schema before them and — when a rule will consult the gate — every
/// app's references.
pub fn gather(config: &Config, request: &Request) -> Result<Inputs> {
    let root = report_root(config);
    if let Some(path) = crate::check::push::prisma_schema(config) {
        let plan = crate::check::push::plan(config, path, request, &root)?;
        return inputs(config, plan, None, &root);
    }
    let dialect = config.registry.dialect;
    // Opened up front when there is a dump to read and apps to scan (the gate most often needs
    // them): the parsed dump is kept there too. One that cannot be opened is reported by the scan
    // that needs it, once; without it the dump is parsed.
    let dump = matches!(config.registry.schema, Some(crate::config::SchemaSetting::File(_)));
    let store = (dump && !config.apps.is_empty()).then(|| Store::open(&config.registry.store, &config.root));
    let baseline =
        baseline::load(config, request.since.as_deref(), &root, store.as_ref().and_then(|s| s.as_ref().ok()))?;
    let mut notes = Vec::new();
    let mut registry: Option<Vec<Migration>> = None;
    let selected = select(config, request, &root, &mut registry, &mut notes)?;

    // History builds the state when no schema is configured, and rebuilds it when the schema is
    // ahead of a migration being checked.
    let listed: BTreeSet<&str> =
        baseline.as_ref().map(|b| b.schema.migrations.iter().map(String::as_str).collect()).unwrap_or_default();
    let ahead = selected.iter().any(|s| s.pending && listed.contains(s.migration.version.as_str()));
    let (history, sources) = if baseline.is_none() || ahead {
        baseline::history(config, request.format, &root, &mut registry, &mut notes)?
    } else {
        (Vec::new(), Vec::new())
    };
    let mut plan = baseline::plan(baseline, selected, history, &sources, dialect)?;
    plan.notes.extend(notes);
    inputs(config, plan, store, &root)
}

/// The inputs of a check over `plan`: the apps scanned when a rule will consult the gate.
fn inputs(config: &Config, plan: Plan, store: Option<Result<Store>>, root: &Path) -> Result<Inputs> {
    crate::check::suppression::check_waivers(Some(&config.path), &config.waivers)?;
    let (scans, failures) = if plan.needs_gate() {
        scan_apps_in(config, &plan.schema_for_scanning(), store)?
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Inputs {
        plan,
        scans,
        failures,
        frameworks: config.apps.iter().map(|a| (a.name.clone(), a.framework)).collect(),
        min_confidence: config.registry.min_confidence,
        waivers: config.waivers.clone(),
        waiver_file: waiver_file(config, root),
    })
}

/// apps.toml as findings about its waivers name it: relative to the report root.
pub fn waiver_file(config: &Config, root: &Path) -> PathBuf {
    let file = config.path.canonicalize().unwrap_or_else(|_| config.path.clone());
    file.strip_prefix(root).map(Path::to_path_buf).unwrap_or(file)
}

/// The migrations the request names.
fn select(
    config: &Config,
    request: &Request,
    root: &Path,
    registry: &mut Option<Vec<Migration>>,
    notes: &mut Vec<Finding>,
) -> Result<Vec<Selected>> {
    let dialect = config.registry.dialect;
    let registry_dir = |why: &str| {
        config.registry.migrations.clone().ok_or_else(|| {
            Error::input(
                Diagnostic::new(format!("{why}: set `migrations` in [registry]"))
                    .in_file(&config.path)
                    .help("give migration files or directories as PATHs, or `migrations = \"DIR\"` in apps.toml"),
            )
        })
    };
    if let Some(rev) = &request.since {
        let dir = registry_dir("--since needs the registry's migrations directory to know which files are migrations")?;
        let changed = changed_since(config, rev)?;
        let all = load_registry_dir(config, &dir, request.format, root)?;
        let selected = all
            .iter()
            .filter(|m| changed.contains(&m.file) || m.down_file.as_ref().is_some_and(|d| changed.contains(d)))
            .map(|m| Selected { migration: m.clone(), pending: true })
            .collect();
        *registry = Some(all);
        return Ok(selected);
    }
    if request.paths.is_empty() {
        let dir = registry_dir("no migrations to check: give PATHs, --since REV")?;
        let all = load_registry_dir(config, &dir, request.format, root)?;
        if all.is_empty() {
            // A new project's directory: nothing to check yet is not an error.
            notes.push(Finding::new(
                NO_MIGRATIONS,
                Severity::Info,
                format!("no migration in {}/: nothing to check", baseline::shown_path(&dir, root)),
            ));
        }
        *registry = Some(all.clone());
        return Ok(all.into_iter().map(|migration| Selected { migration, pending: false }).collect());
    }
    let mut out = Vec::new();
    for path in &request.paths {
        let is_dir = std::fs::metadata(path).map_err(|e| Error::read(path, e))?.is_dir();
        let found = load(path, request.format, dialect, root)?;
        if found.is_empty() {
            // A directory named on the command line that holds no migration is most likely the
            // wrong directory: a pass would hide every migration of the right one.
            return Err(Error::input(
                Diagnostic::new(format!("{} holds no migration", path.display()))
                    .in_file(path)
                    .help("migrations are .sql, .rb (Rails), .exs (Ecto), .py (Django, Alembic) or .js/.ts (TypeORM, Sequelize, Knex) files; check the path"),
            ));
        }
        out.extend(found.into_iter().map(|migration| Selected { migration, pending: !is_dir }));
    }
    Ok(out)
}

/// The registry's `migrations` directory; one that does not exist is an error at the setting in
/// apps.toml.
pub(crate) fn load_registry_dir(
    config: &Config,
    dir: &Path,
    format: Option<Format>,
    root: &Path,
) -> Result<Vec<Migration>> {
    if !dir.is_dir() {
        let d = Diagnostic::new(format!("`migrations` names {}, which is not a directory", dir.display()))
            .help("create it, or point `migrations` at the directory holding the shared migrations");
        return Err(Error::input(config.at_setting("migrations", d)));
    }
    load(dir, format, config.registry.dialect, root)
}

/// Read an app's migration directories as one history ([`migration::load_dirs`]), their paths
/// relative to `root`.
pub(crate) fn load_dirs(
    dirs: &[&Path],
    format: Option<Format>,
    dialect: crate::schema::Dialect,
    root: &Path,
) -> Result<Vec<Migration>> {
    let mut migrations = migration::load_dirs(dirs, format, dialect)?;
    for m in &mut migrations {
        relativize(m, root);
    }
    Ok(migrations)
}

/// Read migrations, their paths relative to `root`.
pub(crate) fn load(
    path: &Path,
    format: Option<Format>,
    dialect: crate::schema::Dialect,
    root: &Path,
) -> Result<Vec<Migration>> {
    load_dirs(&[path], format, dialect, root)
}

/// The root report paths are relative to: the work tree of the git repository holding apps.toml
/// (where CI annotations resolve), or apps.toml's directory outside git.
pub fn report_root(config: &Config) -> PathBuf {
    let root = config.root.canonicalize().unwrap_or_else(|_| config.root.clone());
    git2::Repository::discover(&root).ok().and_then(|r| r.workdir().and_then(|w| w.canonicalize().ok())).unwrap_or(root)
}

/// A migration's paths relative to `root` (`migrations/x.sql`, however it was named: `./…`, an
/// absolute path, from a subdirectory); paths outside `root` stay absolute.
pub fn relativize(m: &mut Migration, root: &Path) {
    let rel = |p: &Path| {
        let abs = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        abs.strip_prefix(root).map(Path::to_path_buf).unwrap_or(abs)
    };
    let (file, down_file) = (m.file.clone(), m.down_file.clone());
    let (new_file, new_down) = (rel(&file), down_file.as_deref().map(rel));
    m.file = new_file.clone();
    m.down_file = new_down.clone();
    for op in m.up.iter_mut().chain(m.down.iter_mut().flatten()) {
        op.span.file = if op.span.file == file {
            new_file.clone()
        } else if Some(&op.span.file) == down_file.as_ref() {
            new_down.clone().unwrap_or_else(|| rel(&op.span.file))
        } else {
            rel(&op.span.file)
        };
    }
}

/// The files added or changed between `rev` and the work tree of the repository holding
/// apps.toml (staged, unstaged and untracked files included), relative to the work tree.
fn changed_since(config: &Config, rev: &str) -> Result<BTreeSet<PathBuf>> {
    let repo = crate::git::discover(&config.root)?;
    if repo.workdir().is_none() {
        return Err(Error::environment(Diagnostic::new("--since needs a repository with a work tree, not a bare one")));
    }
    let tree = crate::git::since(&repo, rev)?
        .tree()
        .map_err(|e| Error::environment(Diagnostic::new(format!("cannot read the tree of {rev}: {}", e.message()))))?;
    let mut opts = git2::DiffOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    let diff = repo.diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts)).map_err(|e| {
        Error::environment(Diagnostic::new(format!("cannot diff {rev} against the work tree: {}", e.message())))
    })?;
    Ok(diff
        .deltas()
        .filter(|d| d.status() != git2::Delta::Deleted)
        .filter_map(|d| d.new_file().path().map(Path::to_path_buf))
        .collect())
}

/// Scan every app at each of its refs, one ref at a time, so that a ref that cannot be read is
/// reported (and fails the gate closed) without hiding the app's other ref or the other apps.
/// Files that could not be read are failures of their own.
pub fn scan_apps(config: &Config, schema: &Schema) -> Result<(Vec<ScanResult>, Vec<ScanFailure>)> {
    scan_apps_in(config, schema, None)
}

/// [`scan_apps`] with the registry's store (or the error opening it) when the caller opened it
/// already.
fn scan_apps_in(
    config: &Config,
    schema: &Schema,
    store: Option<Result<Store>>,
) -> Result<(Vec<ScanResult>, Vec<ScanFailure>)> {
    let store = match store {
        Some(opened) => opened?,
        None => Store::open(&config.registry.store, &config.root)?,
    };
    let index = SchemaIndex::new(schema);
    let options = ScanOptions::default();
    let mut scans = Vec::new();
    let mut failures = Vec::new();
    for app in &config.apps {
        for (git_ref, revision) in app.refs() {
            match scan::run_ref(config, app, git_ref, revision, Some(&index), &store, &options) {
                Ok(result) => {
                    for s in result.summary.skipped.iter().filter(|s| s.unreadable()) {
                        failures.push(ScanFailure {
                            app: app.name.clone(),
                            git_ref: git_ref.to_owned(),
                            path: Some(s.path.clone()),
                            message: s.reason.clone(),
                            may_reference: s.is_directory() || scan::could_hold_references(app, &s.path),
                        });
                    }
                    scans.push(result);
                }
                Err(e) => failures.push(ScanFailure::app(&app.name, git_ref, e.diagnostic().message.clone())),
            }
        }
    }
    scans.sort_by(|a, b| (&a.app, &a.git_ref).cmp(&(&b.app, &b.git_ref)));
    failures.sort();
    Ok((scans, failures))
}

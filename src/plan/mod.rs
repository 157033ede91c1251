//! `tandem plan`: a destructive change written out as expand / keep in step / backfill /
//! contract migrations in the registry's migration directory, with each app's code steps
//! between the phases (from [`crate::framework::recipe`], the gate's own recipes), recorded in
//! the store as a change; [`status`] is the ledger.

mod format;
mod sql;
pub mod status;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::{Config, Framework};
use crate::error::{Diagnostic, Error, Result};
use crate::framework::recipe::{Change, CodeStep, Moment};
use crate::migration::Format;
use crate::migration::layout::{Layout, next_versions, parse_file_name};
use crate::schema::Schema;

pub use status::{ChangeStatus, StatusReport, status};

/// How the phases are written.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rows per backfill batch.
    pub batch_size: u64,
    /// Pause between backfill batches.
    pub pause: Duration,
    /// The lock wait every phase sets before its DDL.
    pub lock_timeout: Duration,
    /// Apps that write both columns themselves: no trigger is written, their code steps say so.
    pub dual_write: Vec<String>,
    /// SQL (in the directory's layout), or a framework's migration files.
    pub format: Format,
    /// Where to write [default: the registry's `migrations`].
    pub dir: Option<PathBuf>,
    /// Print the files; write and record nothing.
    pub dry_run: bool,
    /// Seconds since 1970 for timestamp versions (tests fix it).
    pub now: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            batch_size: 1000,
            pause: Duration::from_millis(100),
            lock_timeout: Duration::from_secs(5),
            dual_write: Vec::new(),
            format: Format::Sql,
            dir: None,
            dry_run: false,
            now: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseKind {
    /// Add the new column or table.
    Expand,
    /// Keep the old and the new in step (a trigger).
    Sync,
    /// Copy the existing rows, in batches.
    Backfill,
    /// Drop what is no longer used; the gate blocks it while an app uses the old name.
    Contract,
}

impl PhaseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PhaseKind::Expand => "expand",
            PhaseKind::Sync => "sync",
            PhaseKind::Backfill => "backfill",
            PhaseKind::Contract => "contract",
        }
    }
}

/// One phase's SQL.
#[derive(Debug, Clone)]
pub struct Phase {
    pub kind: PhaseKind,
    /// The migration's name (`add_users_email_address`).
    pub name: String,
    pub summary: String,
    pub up: String,
    pub down: String,
    pub transactional: bool,
}

/// A phase as written: its migration's version and files.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PlannedPhase {
    pub phase: PhaseKind,
    pub version: String,
    pub name: String,
    pub summary: String,
    /// Paths relative to the directory of apps.toml.
    pub files: Vec<String>,
    /// The text of each file, in the order of `files` (not stored in the ledger).
    #[serde(skip)]
    pub texts: Vec<String>,
}

/// What one app's developers do, and when.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AppSteps {
    pub app: String,
    pub framework: Framework,
    /// Writes both names itself instead of a trigger.
    pub dual_write: bool,
    pub steps: Vec<AppStep>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AppStep {
    pub moment: Moment,
    pub text: String,
}

impl From<CodeStep> for AppStep {
    fn from(s: CodeStep) -> Self {
        AppStep { moment: s.moment, text: s.text }
    }
}

/// A plan: the change, its phases as written, each app's steps.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Plan {
    pub version: u32,
    /// The ledger's key: `rename-column:users.email`.
    pub id: String,
    pub change: Change,
    /// The format and, for SQL, the layout the files were written in.
    pub format: Format,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub layout: Option<String>,
    /// The directory written to, relative to the directory of apps.toml.
    pub dir: String,
    pub phases: Vec<PlannedPhase>,
    pub apps: Vec<AppSteps>,
}

impl Change {
    pub fn kind(&self) -> &'static str {
        match self {
            Change::RenameColumn { .. } => "rename-column",
            Change::RenameTable { .. } => "rename-table",
            Change::ChangeType { .. } => "change-type",
            Change::DropColumn { .. } => "drop-column",
            Change::DropTable { .. } => "drop-table",
        }
    }

    /// The ledger's key for this change.
    pub fn id(&self) -> String {
        format!("{}:{}", self.kind(), self.old_name())
    }
}

/// The phases of `change` as SQL against `schema` (the database before the change).
pub fn phases(change: &Change, schema: &Schema, options: &Options) -> Result<Vec<Phase>> {
    sql::phases(change, schema, options)
}

/// Each registered app's code steps for `change`, from its framework's recipes.
pub fn app_steps(config: &Config, change: &Change, dual_write: &[String]) -> Vec<AppSteps> {
    config
        .apps
        .iter()
        .map(|app| {
            let dual = dual_write.contains(&app.name);
            let mut steps: Vec<AppStep> =
                crate::framework::of(app.framework).code_steps(change).into_iter().map(AppStep::from).collect();
            if dual && let Some((old, new)) = column_pair(change) {
                steps.push(AppStep {
                    moment: Moment::Now,
                    text: format!(
                        "write both `{old}` and `{new}` on every insert and update (no trigger keeps them in step), deploy before the backfill"
                    ),
                });
            }
            steps.sort_by_key(|s| s.moment);
            AppSteps { app: app.name.clone(), framework: app.framework, dual_write: dual, steps }
        })
        .collect()
}

fn column_pair(change: &Change) -> Option<(&str, &str)> {
    match change {
        Change::RenameColumn { from, to, .. } => Some((from, to)),
        Change::ChangeType { column, new_column, .. } => Some((column, new_column)),
        _ => None,
    }
}

/// Plan `change`: write its phases into the migration directory (unless `dry_run`) and record
/// it in the store.
pub fn plan(config: &Config, change: &Change, options: &Options) -> Result<Plan> {
    config.sql_only("plan")?;
    if !format::writes(options.format) {
        return Err(Error::input(
            Diagnostic::new(format!("tandem writes no {} migrations", options.format.as_str()))
                .help("plan in `--migration-format sql` (or rails, ecto, django) and run the SQL from the framework's migration"),
        ));
    }
    for app in &options.dual_write {
        if !config.apps.iter().any(|a| &a.name == app) {
            return Err(Error::input(
                Diagnostic::new(format!("`--dual-write {app}` names no registered app")).in_file(&config.path),
            ));
        }
    }
    if options.dual_write.is_empty()
        && config.registry.dialect == crate::schema::Dialect::Sqlite
        && column_pair(change).is_some()
    {
        return Err(Error::input(
            Diagnostic::new("tandem writes the trigger that keeps both columns in step for PostgreSQL and MySQL only")
                .help("pass `--dual-write APP` for the apps that write both columns themselves"),
        ));
    }
    let schema = crate::check::baseline::current(config)?.ok_or_else(|| {
        Error::input(
            Diagnostic::new("no schema to plan against: `schema` is not set in [registry]")
                .in_file(&config.path)
                .help("set `schema` to the database's dump, or `database_url_env` to read it live"),
        )
    })?;
    let phases = phases(change, &schema, options)?;
    let dir = match &options.dir {
        Some(d) => d.clone(),
        None => config.registry.migrations.clone().ok_or_else(|| {
            Error::input(
                Diagnostic::new("no migration directory: `migrations` is not set in [registry]")
                    .in_file(&config.path)
                    .help("set `migrations` in [registry], or pass --dir"),
            )
        })?,
    };
    let existing = read_dir(&dir)?;
    let versions = next_versions(
        &existing.iter().map(|(p, _)| parse_file_name(p).version).collect::<Vec<_>>(),
        phases.len(),
        options.now,
    );
    let layout = (options.format == Format::Sql).then(|| Layout::detect(&existing));
    let label = dir.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str()).unwrap_or("app").to_owned();
    let mut previous: Option<String> = existing
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "py") && !p.ends_with("__init__.py"))
        .filter_map(|(p, _)| p.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .max();
    let mut planned = Vec::new();
    for (phase, version) in phases.iter().zip(&versions) {
        let files: Vec<(String, String)> = match layout {
            Some(layout) => layout.files(version, &phase.name, &phase.up, &phase.down, phase.transactional),
            None => {
                let f = format::render(options.format, phase, version, schema.dialect, previous.as_deref(), &label);
                previous = Some(f.0.trim_end_matches(".py").to_owned());
                vec![f]
            }
        };
        for (name, _) in &files {
            if dir.join(name).exists() {
                return Err(Error::input(
                    Diagnostic::new(format!("{} already exists", dir.join(name).display()))
                        .help("remove it, or plan again later (versions come from the clock)"),
                ));
            }
        }
        planned.push(PlannedPhase {
            phase: phase.kind,
            version: version.clone(),
            name: phase.name.clone(),
            summary: phase.summary.clone(),
            files: files.iter().map(|(n, _)| shown(&dir.join(n), &config.root)).collect(),
            texts: files.iter().map(|(_, t)| t.clone()).collect(),
        });
    }
    let plan = Plan {
        version: 1,
        id: change.id(),
        change: change.clone(),
        format: options.format,
        layout: layout
            .map(|l| serde_json::to_value(l).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()),
        dir: shown(&dir, &config.root),
        phases: planned,
        apps: app_steps(config, change, &options.dual_write),
    };
    if options.dry_run {
        return Ok(plan);
    }
    std::fs::create_dir_all(&dir).map_err(|e| write_error(&dir, e))?;
    for p in &plan.phases {
        for (file, text) in p.files.iter().zip(&p.texts) {
            let path = config.root.join(file);
            std::fs::write(&path, text).map_err(|e| write_error(&path, e))?;
        }
    }
    let store = crate::store::Store::open(&config.registry.store, &config.root)?;
    let json = serde_json::to_string(&plan).map_err(|e| Error::msg(format!("cannot encode the plan: {e}")))?;
    store.put_change(&plan.id, &versions.first().cloned().unwrap_or_default(), &json)?;
    Ok(plan)
}

/// The files of a migration directory with their texts (none when it does not exist yet).
fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::read(dir, e))? {
        let path = entry.map_err(|e| Error::read(dir, e))?.path();
        if path.is_file() {
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            out.push((path, text));
        }
    }
    out.sort();
    Ok(out)
}

/// `path` relative to `root` when below it, `/`-separated.
fn shown(path: &Path, root: &Path) -> String {
    crate::check::baseline::shown_path(path, root)
}

fn write_error(path: &Path, e: std::io::Error) -> Error {
    Error::environment(Diagnostic::new(format!("cannot write {}: {e}", path.display())).in_file(path))
}

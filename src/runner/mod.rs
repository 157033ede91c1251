//! Applying the shared migrations (`tandem migrate`): a history table in the target database, a
//! run lock, one transaction per migration where the dialect allows, timing, lock-timeout
//! retries, and the gate and lint rules before each migration goes up.
//!
//! | module | its job |
//! |---|---|
//! | [`crate::database`] | the one connection of a run, statements as written, the database's errors; the history table |
//! | [`lock`] | the run lock (advisory lock, `GET_LOCK`) and who holds it |
//! | [`plan`] | files against history rows, a part's statements, transaction or not |
//! | [`gate`] | `tandem check`'s verdict on the migrations about to go up |
//! | [`apply`] | one part of one migration: timeouts, transaction, retries, history rows |
//! | [`interop`] | the framework's own history table (Rails, Ecto, Django) |
//!
//! This module runs the commands (`status`, `up`, `down`, `redo`, `repair`) over those and
//! builds their reports; the CLI renders them.

pub mod apply;
pub mod gate;
pub mod interop;
pub mod lock;
pub mod plan;

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

pub use crate::database::history::{AppliedMigration, applied};

use crate::check::{CheckReport, Finding};
use crate::config::Config;
use crate::database::db::{self, Db};
use crate::database::history::{self, History};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::{self, Direction, Migration};
use crate::redact::redact;
use apply::{Done, Job, Retry, Settings};
use interop::Interop;
use plan::{Entry, Mode, Sources, State, Statement};

/// What to do.
#[derive(Debug, Clone)]
pub enum Command {
    Status,
    Up { to: Option<String> },
    Down { to: Option<String>, steps: Option<usize> },
    Redo,
    Repair { version: String, mark: Option<RepairAs> },
}

/// What a failed or incomplete migration became after the user's manual fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepairAs {
    /// Finished by hand: record it as applied.
    Applied,
    /// Undone by hand: forget the row, so `up` runs it again.
    Pending,
}

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The target database's URL (never printed: messages show it redacted).
    pub url: String,
    pub dry_run: bool,
    /// Go on although an applied migration's file changed.
    pub allow_edited: bool,
    /// CI mode for the gate (`tandem check --strict`).
    pub strict: bool,
    /// Overrides `[migrate] lock_wait`.
    pub lock_wait: Option<Duration>,
    /// Paths in reports are relative to it.
    pub cwd: PathBuf,
}

/// What a run reports while it goes, for a progress display.
pub trait Observer {
    /// Another runner holds the lock; this one waits.
    fn waiting(&mut self, _holder: &str) {}
    /// A part starts.
    fn start(&mut self, _run: &MigrationRun) {}
    /// A lock timeout is tried again.
    fn retry(&mut self, _run: &MigrationRun, _retry: &Retry) {}
    /// A migration is done with (ran, failed, blocked, skipped, …).
    fn finish(&mut self, _run: &MigrationRun) {}
}

/// An observer that shows nothing.
pub struct Silent;
impl Observer for Silent {}

/// `tandem migrate status`: every migration and what the history says of it.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub version: u32,
    pub database: String,
    pub history_table: String,
    pub migrations: Vec<StatusEntry>,
    pub summary: StatusSummary,
    /// The gate's report on the pending migrations, for rendering their findings.
    #[serde(skip)]
    pub check: Option<CheckReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatusEntry {
    /// The history key: the version, or `R__name` for a repeatable migration.
    pub version: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    pub state: StatusState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<AppliedMigration>,
    /// The file's checksum now (differs from the record's when edited).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// Findings that block it (for `blocked`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StatusState {
    Applied,
    Edited,
    Pending,
    Blocked,
    Failed,
    Incomplete,
    Missing,
}

impl StatusState {
    pub fn as_str(self) -> &'static str {
        match self {
            StatusState::Applied => "applied",
            StatusState::Edited => "edited",
            StatusState::Pending => "pending",
            StatusState::Blocked => "blocked",
            StatusState::Failed => "failed",
            StatusState::Incomplete => "incomplete",
            StatusState::Missing => "missing",
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StatusSummary {
    pub applied: usize,
    pub edited: usize,
    pub pending: usize,
    pub blocked: usize,
    pub failed: usize,
    pub incomplete: usize,
    pub missing: usize,
}

impl StatusReport {
    /// Whether a deploy script should stop and look: anything but applied and unchanged.
    pub fn needs_attention(&self) -> bool {
        self.migrations.iter().any(|m| m.state != StatusState::Applied)
    }
}

/// `up`, `down`, `redo`, `repair`: what ran and how.
#[derive(Debug, Serialize)]
pub struct RunReport {
    pub version: u32,
    pub command: &'static str,
    pub database: String,
    pub history_table: String,
    pub dry_run: bool,
    /// Why nothing ran, when the history forbids it (failed or edited migrations).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refusal>,
    pub migrations: Vec<MigrationRun>,
    pub summary: RunSummary,
    /// The gate's report on the migrations that were to go up.
    #[serde(skip)]
    pub check: Option<CheckReport>,
    /// The failure that stopped the run, located in its migration file.
    #[serde(skip)]
    pub error: Option<Error>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Refusal {
    pub version: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<PathBuf>,
    pub state: State,
    pub reason: String,
    pub help: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationRun {
    pub version: String,
    pub name: String,
    pub file: PathBuf,
    pub direction: Direction,
    pub result: RunResult,
    /// Whether it ran (or would run) in one transaction, and why not.
    #[serde(flatten)]
    pub mode: Mode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_ms: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub retries: Vec<Retry>,
    /// The gate's and the rules' findings about it (`up` only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<Finding>,
    /// Its statements (`--dry-run`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<Statement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RunError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunResult {
    Applied,
    Reverted,
    /// The gate blocked it: not applied.
    Blocked,
    Failed,
    /// Not run because one before it was blocked or failed.
    Skipped,
    /// `--dry-run`: it would run.
    WouldApply,
    WouldRevert,
    /// Another runner applied (or reverted) it first.
    AlreadyDone,
    /// `repair` changed its record.
    Repaired,
    /// Running now.
    Running,
}

impl RunResult {
    pub fn as_str(self) -> &'static str {
        match self {
            RunResult::Applied => "applied",
            RunResult::Reverted => "reverted",
            RunResult::Blocked => "blocked",
            RunResult::Failed => "failed",
            RunResult::Skipped => "skipped",
            RunResult::WouldApply => "would apply",
            RunResult::WouldRevert => "would revert",
            RunResult::AlreadyDone => "already done by another runner",
            RunResult::Repaired => "repaired",
            RunResult::Running => "running",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RunError {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    pub statement: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Statements of the part that took effect and stay (outside a transaction).
    pub applied_statements: usize,
    pub rolled_back: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    pub applied: usize,
    pub reverted: usize,
    pub blocked: usize,
    pub failed: usize,
    pub skipped: usize,
    pub would_run: usize,
    pub already_done: usize,
    pub repaired: usize,
}

impl RunReport {
    fn new(command: &'static str, db: &Db, table: &str, dry_run: bool) -> RunReport {
        RunReport {
            version: 1,
            command,
            database: db.shown.clone(),
            history_table: table.to_owned(),
            dry_run,
            refused: Vec::new(),
            migrations: Vec::new(),
            summary: RunSummary::default(),
            check: None,
            error: None,
        }
    }

    /// Whether something blocked or was refused (exit 1).
    pub fn blocked(&self) -> bool {
        !self.refused.is_empty() || self.migrations.iter().any(|m| m.result == RunResult::Blocked)
    }

    fn push(&mut self, run: MigrationRun) {
        let s = &mut self.summary;
        match run.result {
            RunResult::Applied => s.applied += 1,
            RunResult::Reverted => s.reverted += 1,
            RunResult::Blocked => s.blocked += 1,
            RunResult::Failed => s.failed += 1,
            RunResult::Skipped => s.skipped += 1,
            RunResult::WouldApply | RunResult::WouldRevert => s.would_run += 1,
            RunResult::AlreadyDone => s.already_done += 1,
            RunResult::Repaired => s.repaired += 1,
            RunResult::Running => {}
        }
        self.migrations.push(run);
    }
}

/// `350 ms`, `1.2 s`, `2 min 5 s`.
pub fn human_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} min {} s", ms / 60_000, (ms % 60_000) / 1000)
    }
}

/// Everything a command needs: the registry, its migrations, the connection.
struct Ctx<'c> {
    config: &'c Config,
    options: &'c Options,
    migrations: Vec<Migration>,
    history: History,
    lock_wait: Duration,
}

/// The shared migrations of the registry: SQL files only (tandem runs statements; a Rails, Ecto
/// or Django migration is its framework's to run), paths relative to the repository root as every
/// report names them.
pub fn load_migrations(config: &Config) -> Result<Vec<Migration>> {
    let root = crate::check::gather::report_root(config);
    let dir = config.registry.migrations.clone().ok_or_else(|| {
        Error::input(
            Diagnostic::new("no migrations to run: `migrations` is not set in [registry]")
                .in_file(&config.path)
                .help("add `migrations = \"migrations\"` (the directory of the shared migrations) to [registry]"),
        )
    })?;
    let mut migrations = migration::load_path(&dir, None, config.registry.dialect)?;
    for m in &mut migrations {
        if let Some(how) = m.format.runner() {
            return Err(Error::input(
                Diagnostic::new(format!(
                    "{} is a {:?} migration; tandem migrate runs SQL migrations",
                    m.file.display(),
                    m.format
                ))
                .in_file(&m.file)
                .help(format!("run it with {how}; `tandem check` still gates it")),
            ));
        }
        // A migration tandem could not read (a `migration.ts` in Prisma's layout) has no SQL to
        // run: running "nothing" would record it as applied.
        if m.file.extension().is_none_or(|e| e != "sql") {
            return Err(Error::input(
                Diagnostic::new("this migration is not SQL; tandem migrate runs SQL migrations")
                    .in_file(&m.file)
                    .help("run it with the tool it was written for; `tandem check` still reports it"),
            ));
        }
        crate::check::gather::relativize(m, &root);
    }
    Ok(migrations)
}

/// Open the target database for a command.
fn connect(ctx: &Ctx<'_>) -> Result<Db> {
    let app = format!("tandem migrate: {} pid {}", history::who(), std::process::id());
    let db =
        Db::connect(&ctx.options.url, &db::ConnectOptions { application_name: &app, busy_timeout: ctx.lock_wait })?;
    let want = ctx.config.registry.dialect;
    if db.kind.dialect() != want {
        let kind = db.kind.dialect();
        db.close();
        return Err(Error::input(
            Diagnostic::new(format!(
                "the database is {kind} but the registry's dialect is {want}; its migrations are written for {want}"
            ))
            .in_file(&ctx.config.path)
            .help("point --database-url at the shared database, or fix `dialect` in [registry]"),
        ));
    }
    let m = &ctx.config.migrate;
    if db.kind == db::Kind::Sqlite
        && (m.statement_timeout.is_some() || m.overrides.iter().any(|o| o.statement_timeout.flatten().is_some()))
    {
        tracing::warn!("SQLite has no statement timeout: `statement_timeout` in [migrate] is not applied");
    }
    Ok(db)
}

/// Run `command` against the database of `options`.
pub fn status(config: &Config, options: &Options) -> Result<StatusReport> {
    let ctx = context(config, options)?;
    let mut db = connect(&ctx)?;
    let records = ctx.history.read(&mut db)?;
    let shown = db.shown.clone();
    db.close();
    let entries = plan::entries(&ctx.migrations, records);
    let pending: Vec<Migration> =
        entries.iter().filter(|e| e.state == State::Pending).filter_map(|e| e.migration.cloned()).collect();
    let check = if pending.is_empty() { None } else { Some(gate_report(&ctx, &pending)?) };
    let mut report = StatusReport {
        version: 1,
        database: shown,
        history_table: ctx.history.name().to_owned(),
        migrations: Vec::new(),
        summary: StatusSummary::default(),
        check: None,
    };
    for e in entries {
        let findings: Vec<Finding> = match (&check, e.migration) {
            (Some(c), Some(m)) if e.state == State::Pending => {
                let f = gate::findings_of(c, &m.version);
                f.into_iter()
                    .filter(|f| f.suppression.is_none() && f.severity == crate::check::Severity::Block)
                    .cloned()
                    .collect()
            }
            _ => Vec::new(),
        };
        let state = match e.state {
            State::Applied => StatusState::Applied,
            State::Edited => StatusState::Edited,
            State::Pending if !findings.is_empty() => StatusState::Blocked,
            State::Pending => StatusState::Pending,
            State::Failed => StatusState::Failed,
            State::Incomplete => StatusState::Incomplete,
            State::Missing => StatusState::Missing,
        };
        let s = &mut report.summary;
        *match state {
            StatusState::Applied => &mut s.applied,
            StatusState::Edited => &mut s.edited,
            StatusState::Pending => &mut s.pending,
            StatusState::Blocked => &mut s.blocked,
            StatusState::Failed => &mut s.failed,
            StatusState::Incomplete => &mut s.incomplete,
            StatusState::Missing => &mut s.missing,
        } += 1;
        report.migrations.push(StatusEntry {
            name: e
                .migration
                .map(|m| m.name.clone())
                .or_else(|| e.record.as_ref().map(|r| r.name.clone()))
                .unwrap_or_default(),
            file: e.migration.map(|m| m.file.clone()),
            version: e.key,
            state,
            record: e.record,
            checksum: e.checksum,
            findings,
        });
    }
    report.check = check;
    Ok(report)
}

/// `up`, `down`, `redo` or `repair`. A failed statement is reported in the report (and its
/// located error in `error`); `Err` is an input or environment failure before or around the run.
pub fn run(config: &Config, command: &Command, options: &Options, observer: &mut dyn Observer) -> Result<RunReport> {
    let ctx = context(config, options)?;
    let mut db = connect(&ctx)?;
    let name = match command {
        Command::Status => "status",
        Command::Up { .. } => "up",
        Command::Down { .. } => "down",
        Command::Redo => "redo",
        Command::Repair { .. } => "repair",
    };
    let mut report = RunReport::new(name, &db, ctx.history.name(), options.dry_run);
    let locked = !options.dry_run;
    if locked {
        lock::acquire(&mut db, ctx.history.name(), ctx.lock_wait, &mut |holder| observer.waiting(holder))?;
    }
    let result = (|| -> Result<()> {
        if locked {
            ctx.history.ensure(&mut db)?;
            if let Some(f) = &config.migrate.framework_history {
                Interop::new(f).ensure(&mut db)?;
            }
        }
        match command {
            Command::Status => Ok(()),
            Command::Up { to } => up(&ctx, &mut db, to.as_deref(), &mut report, observer),
            Command::Down { to, steps } => down(&ctx, &mut db, to.as_deref(), *steps, &mut report, observer),
            Command::Redo => {
                let before = report.migrations.len();
                down(&ctx, &mut db, None, Some(1), &mut report, observer)?;
                let reverted: Vec<String> = report.migrations[before..]
                    .iter()
                    .filter(|m| matches!(m.result, RunResult::Reverted | RunResult::WouldRevert))
                    .map(|m| m.version.clone())
                    .collect();
                if report.error.is_some() || !report.refused.is_empty() {
                    return Ok(());
                }
                match reverted.first() {
                    Some(v) if !options.dry_run => up(&ctx, &mut db, Some(v), &mut report, observer),
                    _ => Ok(()),
                }
            }
            Command::Repair { version, mark } => repair(&ctx, &mut db, version, *mark, &mut report),
        }
    })();
    if locked {
        lock::release(&mut db, ctx.history.name());
    }
    db.close();
    result.map(|()| report)
}

fn context<'c>(config: &'c Config, options: &'c Options) -> Result<Ctx<'c>> {
    config.sql_only("migrate")?;
    Ok(Ctx {
        config,
        options,
        migrations: load_migrations(config)?,
        history: History::new(&config.migrate.history_table),
        lock_wait: options.lock_wait.unwrap_or(config.migrate.lock_wait),
    })
}

/// The gate's report on `pending`, against the target database as it is now.
fn gate_report(ctx: &Ctx<'_>, pending: &[Migration]) -> Result<CheckReport> {
    let schema = crate::schema::live::introspect(&ctx.options.url)?;
    gate::check(ctx.config, pending, schema, ctx.options.strict)
}

/// Refuse to run past failed, incomplete (and, unless allowed, edited) migrations.
fn refusals(ctx: &Ctx<'_>, entries: &[Entry<'_>]) -> Vec<Refusal> {
    entries
        .iter()
        .filter_map(|e| {
            let (reason, help) = match e.state {
                State::Failed => (
                    format!(
                        "it failed{}",
                        e.record.as_ref().and_then(|r| r.error.as_deref()).map(|x| format!(": {x}")).unwrap_or_default()
                    ),
                    format!(
                        "fix the database by hand, then `tandem migrate repair {0} --applied` (it is done) or `--pending` (run it again)",
                        e.key
                    ),
                ),
                State::Incomplete => (
                    "it started and never finished: a runner stopped in the middle of it".to_owned(),
                    format!(
                        "see what it changed, finish or undo it by hand, then `tandem migrate repair {0} --applied` or `--pending`",
                        e.key
                    ),
                ),
                State::Edited if !ctx.options.allow_edited => (
                    format!(
                        "its file changed after it was applied (checksum {} then, {} now)",
                        short(e.record.as_ref().map_or("", |r| r.checksum.as_str())),
                        short(e.checksum.as_deref().unwrap_or(""))
                    ),
                    format!(
                        "an applied migration is not run again: put the change in a new migration; after review, `--allow-edited` goes on, `tandem migrate repair {}` records the new checksum",
                        e.key
                    ),
                ),
                _ => return None,
            };
            Some(Refusal {
                version: e.key.clone(),
                name: e.migration.map(|m| m.name.clone()).unwrap_or_default(),
                file: e.migration.map(|m| m.file.clone()),
                state: e.state,
                reason,
                help,
            })
        })
        .collect()
}

fn short(checksum: &str) -> &str {
    &checksum[..checksum.len().min(12)]
}

/// A migration that is not in the files: `--to` names versions.
fn unknown_version(ctx: &Ctx<'_>, version: &str) -> Error {
    let known: Vec<&str> = ctx.migrations.iter().map(|m| m.version.as_str()).filter(|v| !v.is_empty()).collect();
    let closest = known.iter().min_by_key(|k| strsim::levenshtein(k, version)).copied();
    let mut d = Diagnostic::new(format!("no migration has version `{version}`"));
    if let Some(c) = closest {
        d = d.help(format!("the closest is `{c}`; `tandem migrate status` lists them"));
    }
    Error::input(d)
}

fn settings(ctx: &Ctx<'_>, version: &str) -> Settings {
    let m = &ctx.config.migrate;
    let (lock_timeout, statement_timeout) = m.timeouts(version);
    Settings {
        lock_timeout,
        statement_timeout,
        retries: m.lock_retries,
        backoff: m.retry_backoff,
        lock_wait: ctx.lock_wait,
    }
}

fn new_run(m: &Migration, key: &str, direction: Direction, mode: Mode, result: RunResult) -> MigrationRun {
    MigrationRun {
        version: key.to_owned(),
        name: m.name.clone(),
        file: match direction {
            Direction::Up => m.file.clone(),
            Direction::Down => m.down_file.clone().unwrap_or_else(|| m.file.clone()),
        },
        direction,
        result,
        mode,
        duration_ms: None,
        retries: Vec::new(),
        findings: Vec::new(),
        statements: Vec::new(),
        error: None,
    }
}

/// A part ready to run: its statements and transaction mode, checked before anything runs.
struct Prepared<'m> {
    entry: Entry<'m>,
    migration: &'m Migration,
    statements: Vec<Statement>,
    mode: Mode,
}

fn prepare<'m>(
    ctx: &Ctx<'_>,
    db: &Db,
    entry: Entry<'m>,
    direction: Direction,
    sources: &mut Sources,
) -> Result<Prepared<'m>> {
    let m = entry.migration.expect("a runnable entry has its file");
    let statements = plan::statements(m, direction, ctx.config.registry.dialect, sources)?;
    let mode = plan::mode(m, direction, db.kind, db.server_version);
    if let Some(f) = &ctx.config.migrate.framework_history {
        Interop::new(f).check(m)?;
    }
    Ok(Prepared { entry, migration: m, statements, mode })
}

fn up(ctx: &Ctx<'_>, db: &mut Db, to: Option<&str>, report: &mut RunReport, observer: &mut dyn Observer) -> Result<()> {
    let records = ctx.history.read(db)?;
    let entries = plan::entries(&ctx.migrations, records);
    if let Some(v) = to
        && !entries.iter().any(|e| e.key == v)
    {
        return Err(unknown_version(ctx, v));
    }
    report.refused = refusals(ctx, &entries);
    if !report.refused.is_empty() {
        return Ok(());
    }
    let mut todo = Vec::new();
    for e in entries {
        let last = to.is_some_and(|v| e.key == v);
        if e.state == State::Pending && e.migration.is_some() {
            todo.push(e);
        }
        if last {
            break;
        }
    }
    if todo.is_empty() {
        return Ok(());
    }
    let mut sources = Sources::default();
    let prepared =
        todo.into_iter().map(|e| prepare(ctx, db, e, Direction::Up, &mut sources)).collect::<Result<Vec<_>>>()?;
    let pending: Vec<Migration> = prepared.iter().map(|p| p.migration.clone()).collect();
    let check = gate_report(ctx, &pending)?;
    let interop = ctx.config.migrate.framework_history.as_ref().map(Interop::new);
    let mut stopped = false;
    for p in &prepared {
        let m = p.migration;
        let findings: Vec<Finding> = gate::findings_of(&check, &m.version).into_iter().cloned().collect();
        let blocked = gate::blocks(&findings.iter().collect::<Vec<_>>());
        let mut run = new_run(m, &p.entry.key, Direction::Up, p.mode.clone(), RunResult::Skipped);
        run.findings = findings;
        if ctx.options.dry_run {
            run.statements = p.statements.clone();
        }
        if stopped {
            observer.finish(&run);
            report.push(run);
            continue;
        }
        if blocked {
            run.result = RunResult::Blocked;
            stopped = true;
            observer.finish(&run);
            report.push(run);
            continue;
        }
        if ctx.options.dry_run {
            run.result = RunResult::WouldApply;
            observer.finish(&run);
            report.push(run);
            continue;
        }
        let checksum = p.entry.checksum.clone().unwrap_or_default();
        let settings = settings(ctx, &m.version);
        let job = Job {
            migration: m,
            key: &p.entry.key,
            checksum: &checksum,
            direction: Direction::Up,
            statements: &p.statements,
            mode: &p.mode,
            settings: &settings,
            replaces: p.entry.record.is_some(),
        };
        stopped = execute(ctx, db, interop.as_ref(), &job, run, report, observer)?;
    }
    report.check = Some(check);
    Ok(())
}

/// Run one job and add its outcome to the report; whether the run must stop.
fn execute(
    ctx: &Ctx<'_>,
    db: &mut Db,
    interop: Option<&Interop<'_>>,
    job: &Job<'_>,
    mut run: MigrationRun,
    report: &mut RunReport,
    observer: &mut dyn Observer,
) -> Result<bool> {
    run.result = RunResult::Running;
    observer.start(&run);
    let outcome = {
        let run_ref = &run;
        apply::run(db, &ctx.history, interop, job, &mut |r| observer.retry(run_ref, r))?
    };
    run.retries = outcome.retries;
    run.duration_ms = Some(outcome.duration.as_millis() as u64);
    let stop = match outcome.result {
        Ok(Done::Ran) => {
            run.result = if job.direction == Direction::Up { RunResult::Applied } else { RunResult::Reverted };
            false
        }
        Ok(Done::AlreadyDone) => {
            run.result = RunResult::AlreadyDone;
            false
        }
        Err(f) => {
            let st = &job.statements[f.statement];
            run.result = RunResult::Failed;
            run.error = Some(RunError {
                file: st.file.clone(),
                line: st.line,
                column: st.column,
                statement: st.sql.clone(),
                message: f.error.message.clone(),
                code: f.error.code.clone(),
                applied_statements: f.kept,
                rolled_back: f.rolled_back,
            });
            report.error = Some(apply::failure_error(job, &f, db.kind));
            true
        }
    };
    observer.finish(&run);
    report.push(run);
    Ok(stop)
}

fn down(
    ctx: &Ctx<'_>,
    db: &mut Db,
    to: Option<&str>,
    steps: Option<usize>,
    report: &mut RunReport,
    observer: &mut dyn Observer,
) -> Result<()> {
    let records = ctx.history.read(db)?;
    let entries = plan::entries(&ctx.migrations, records);
    if let Some(v) = to
        && !entries.iter().any(|e| e.key == v)
    {
        return Err(unknown_version(ctx, v));
    }
    report.refused =
        refusals(ctx, &entries).into_iter().filter(|r| matches!(r.state, State::Failed | State::Incomplete)).collect();
    if !report.refused.is_empty() {
        return Ok(());
    }
    let applied: Vec<Entry<'_>> = entries
        .into_iter()
        .rev()
        .filter(|e| matches!(e.state, State::Applied | State::Edited | State::Missing) && !plan::is_repeatable(&e.key))
        .collect();
    let targets: Vec<Entry<'_>> = match to {
        Some(v) => applied
            .into_iter()
            .take_while(|e| crate::migration::layout::compare_versions(&e.key, v) == std::cmp::Ordering::Greater)
            .collect(),
        None => applied.into_iter().take(steps.unwrap_or(1)).collect(),
    };
    // Everything that could stop the rollback is found before anything changes.
    for e in &targets {
        let Some(m) = e.migration else {
            return Err(Error::input(
                Diagnostic::new(format!(
                    "migration {} is applied but no file has its version, so its down part is unknown; nothing was rolled back",
                    e.key
                ))
                .help("restore its file, or stop the rollback before it with `--to`"),
            ));
        };
        if m.down.as_ref().is_none_or(Vec::is_empty) {
            return Err(Error::input(
                Diagnostic::new(format!("migration {} has no down part; nothing was rolled back", e.key))
                    .in_file(&m.file)
                    .help("write its down part (`-- migrate:down`, a `.down.sql` or Flyway `U` file), or stop the rollback before it with `--to`"),
            ));
        }
        if e.state == State::Edited && !ctx.options.allow_edited {
            report.refused = refusals(ctx, std::slice::from_ref(e));
            return Ok(());
        }
    }
    let mut sources = Sources::default();
    let prepared =
        targets.into_iter().map(|e| prepare(ctx, db, e, Direction::Down, &mut sources)).collect::<Result<Vec<_>>>()?;
    let interop = ctx.config.migrate.framework_history.as_ref().map(Interop::new);
    let mut stopped = false;
    for p in &prepared {
        let m = p.migration;
        let mut run = new_run(m, &p.entry.key, Direction::Down, p.mode.clone(), RunResult::Skipped);
        if ctx.options.dry_run {
            run.statements = p.statements.clone();
            run.result = RunResult::WouldRevert;
        }
        if stopped || ctx.options.dry_run {
            observer.finish(&run);
            report.push(run);
            continue;
        }
        let checksum = p.entry.checksum.clone().unwrap_or_default();
        let settings = settings(ctx, &m.version);
        let job = Job {
            migration: m,
            key: &p.entry.key,
            checksum: &checksum,
            direction: Direction::Down,
            statements: &p.statements,
            mode: &p.mode,
            settings: &settings,
            replaces: false,
        };
        stopped = execute(ctx, db, interop.as_ref(), &job, run, report, observer)?;
    }
    Ok(())
}

fn repair(ctx: &Ctx<'_>, db: &mut Db, version: &str, mark: Option<RepairAs>, report: &mut RunReport) -> Result<()> {
    let records = ctx.history.read(db)?;
    let entries = plan::entries(&ctx.migrations, records);
    let Some(e) = entries.into_iter().find(|e| e.key == version && e.record.is_some()) else {
        return Err(Error::input(Diagnostic::new(format!(
            "migration {version} is not in the history table {}; there is nothing to repair",
            ctx.history.name()
        ))));
    };
    let interop = ctx.config.migrate.framework_history.as_ref().map(Interop::new);
    let recorded = e.record.as_ref().map(|r| r.checksum.clone()).unwrap_or_default();
    let checksum = e.checksum.clone().unwrap_or(recorded);
    match (e.state, mark) {
        (State::Failed | State::Incomplete, Some(RepairAs::Applied)) => {
            ctx.history.mark_applied(db, version, &checksum)?;
            if let (Some(i), Some(m)) = (&interop, e.migration) {
                i.record(db, m)?;
            }
        }
        (State::Failed | State::Incomplete, Some(RepairAs::Pending)) => {
            ctx.history.delete(db, version)?;
            if let (Some(i), Some(m)) = (&interop, e.migration) {
                i.remove(db, m)?;
            }
        }
        (State::Failed | State::Incomplete, None) => {
            return Err(Error::input(
                Diagnostic::new(format!("migration {version} is {}; say what it is now", state_word(e.state))).help(
                    "`--applied` if it is done (finished by hand), `--pending` if it is undone and should run again",
                ),
            ));
        }
        (State::Edited, None | Some(RepairAs::Applied)) => ctx.history.set_checksum(db, version, &checksum)?,
        (state, _) => {
            return Err(Error::input(Diagnostic::new(format!(
                "migration {version} is {}; there is nothing to repair",
                state_word(state)
            ))));
        }
    }
    let m = e.migration;
    report.push(MigrationRun {
        version: e.key.clone(),
        name: m.map(|m| m.name.clone()).or_else(|| e.record.as_ref().map(|r| r.name.clone())).unwrap_or_default(),
        file: m.map(|m| m.file.clone()).unwrap_or_default(),
        direction: Direction::Up,
        result: RunResult::Repaired,
        mode: Mode::Transaction,
        duration_ms: None,
        retries: Vec::new(),
        findings: Vec::new(),
        statements: Vec::new(),
        error: None,
    });
    Ok(())
}

fn state_word(s: State) -> &'static str {
    match s {
        State::Applied => "applied",
        State::Edited => "applied and edited since",
        State::Pending => "pending",
        State::Failed => "failed",
        State::Incomplete => "incomplete",
        State::Missing => "applied but its file is gone",
    }
}

/// The URL of the target database: `--database-url` (`env:VAR`, `$VAR` or a URL), else the
/// variable the registry's `database_url_env` names.
pub fn database_url(arg: Option<&str>, config: &Config) -> Result<String> {
    let var = match arg {
        Some(a) => match a.strip_prefix("env:").or_else(|| a.strip_prefix('$')) {
            Some(var) => var.to_owned(),
            None if a.contains("://") || a.starts_with("sqlite:") => return Ok(a.to_owned()),
            None => {
                return Err(Error::input(
                    Diagnostic::new(format!("`--database-url {}` is neither `env:VAR` nor a database URL", redact(a)))
                        .help("pass `env:DATABASE_URL` (the variable holding the URL), or a postgres://, mysql:// or sqlite:// URL"),
                ));
            }
        },
        None => match &config.registry.schema {
            Some(crate::config::SchemaSetting::UrlEnv(v)) => v.clone(),
            _ => {
                return Err(Error::input(
                    Diagnostic::new("no database to migrate: give `--database-url env:VAR`, or set `database_url_env` in [registry]")
                        .in_file(&config.path),
                ));
            }
        },
    };
    match std::env::var(&var) {
        Ok(url) if !url.trim().is_empty() => Ok(url.trim().to_owned()),
        _ => Err(Error::environment(
            Diagnostic::new(format!("environment variable `{var}` is not set; expected the database URL in it"))
                .help(format!("export {var}=postgres://user@host/db")),
        )),
    }
}

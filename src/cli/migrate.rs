//! `tandem migrate status | up | down | redo | repair`: gathers the database URL and options,
//! calls [`crate::runner`], shows a line per migration as it runs (a spinner with the elapsed
//! time on a terminal, plain lines otherwise, on stderr), then the report on stdout.

use std::io::IsTerminal;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::check::CheckReport;
use crate::cli::{FormatArg, Globals, Outcome, TextOrJson, write_out};
use crate::config::parse_duration;
use crate::error::{Diagnostic, Error, Result};
use crate::render;
use crate::render::display_path;
use crate::report;
use crate::runner::apply::Retry;
use crate::runner::plan::Mode;
use crate::runner::{
    self, Command, MigrationRun, Observer, Options, RepairAs, RunReport, RunResult, StatusReport, StatusState,
    human_duration,
};

#[derive(Debug, Subcommand)]
pub enum MigrateCommand {
    /// Every migration: applied (when, by whom, how long), edited since, pending, blocked by the
    /// gate, failed; exit 1 unless every one is applied and unchanged
    Status {
        #[command(flatten)]
        common: Common,
    },
    /// Apply the pending migrations in version order, each after the gate and the lint rules;
    /// stop at the first that is blocked or fails
    Up {
        /// Apply up to and including this version
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
        /// Print the SQL and the verdicts; change nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Roll back applied migrations with their down parts, newest first [default: the newest one]
    Down {
        /// Roll back every migration after this version (it stays applied)
        #[arg(long, value_name = "VERSION", conflicts_with = "steps")]
        to: Option<String>,
        /// Roll back this many migrations
        #[arg(long, value_name = "N")]
        steps: Option<usize>,
        /// Print the SQL; change nothing
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Roll back the newest migration and apply it again (for development)
    Redo {
        #[command(flatten)]
        common: Common,
    },
    /// Record a manual fix: a failed or incomplete migration as `--applied` or `--pending`, an
    /// edited one's new checksum
    Repair {
        /// The migration's version
        #[arg(value_name = "VERSION")]
        migration: String,
        /// It is done (finished by hand): record it as applied
        #[arg(long, conflicts_with = "pending")]
        applied: bool,
        /// It is undone: forget it, so that `up` runs it again
        #[arg(long)]
        pending: bool,
        #[command(flatten)]
        common: Common,
    },
}

#[derive(Debug, Args)]
pub struct Common {
    /// The database: `env:VAR` (the variable holding its URL) or a URL [default: the registry's
    /// `database_url_env`]; the password is never printed
    #[arg(long, value_name = "SRC")]
    pub database_url: Option<String>,
    /// Go on although an applied migration's file changed since (after review)
    #[arg(long)]
    pub allow_edited: bool,
    /// CI mode for the gate: statements tandem cannot analyse block [default: on when CI=true]
    #[arg(long)]
    pub strict: bool,
    /// How long to wait for another runner's lock [default: `lock_wait` in [migrate], 60s]
    #[arg(long, value_name = "DURATION")]
    pub lock_wait: Option<String>,
    #[command(flatten)]
    pub format: FormatArg,
}

pub fn run(g: &Globals, cmd: MigrateCommand) -> Result<Outcome> {
    let config = g.load_config()?;
    let (command, common, dry_run) = match cmd {
        MigrateCommand::Status { common } => (Command::Status, common, false),
        MigrateCommand::Up { to, dry_run, common } => (Command::Up { to }, common, dry_run),
        MigrateCommand::Down { to, steps, dry_run, common } => (Command::Down { to, steps }, common, dry_run),
        MigrateCommand::Redo { common } => (Command::Redo, common, false),
        MigrateCommand::Repair { migration: version, applied, pending, common } => {
            let mark = match (applied, pending) {
                (true, _) => Some(RepairAs::Applied),
                (_, true) => Some(RepairAs::Pending),
                _ => None,
            };
            (Command::Repair { version, mark }, common, false)
        }
    };
    let lock_wait = common
        .lock_wait
        .as_deref()
        .map(|w| {
            parse_duration(w).map(Option::unwrap_or_default).ok_or_else(|| {
                Error::input(Diagnostic::new(format!("`--lock-wait {w}` is not a duration")).help("e.g. 30s, 5min"))
            })
        })
        .transpose()?;
    let options = Options {
        url: runner::database_url(common.database_url.as_deref(), &config)?,
        dry_run,
        allow_edited: common.allow_edited,
        strict: common.strict || super::ci_mode(),
        lock_wait,
        cwd: std::env::current_dir().map_err(|e| Error::msg(format!("cannot read the current directory: {e}")))?,
    };
    let format = common.format.format;
    if let Command::Status = command {
        let report = runner::status(&config, &options)?;
        write_out(&match format {
            TextOrJson::Text => status_text(&report, g.color),
            TextOrJson::Json => render::json(&report),
        })?;
        return Ok(if report.needs_attention() { Outcome::Failure } else { Outcome::Success });
    }
    let mut progress = Progress::new(g.quiet);
    let report = runner::run(&config, &command, &options, &mut progress)?;
    write_out(&match format {
        TextOrJson::Text => run_text(&report, g.color),
        TextOrJson::Json => render::json(&report),
    })?;
    if let Some(e) = report.error {
        return Err(e);
    }
    Ok(if report.blocked() { Outcome::Failure } else { Outcome::Success })
}

/// A line per migration on stderr: a spinner with the elapsed time on a terminal, plain lines in
/// CI and pipes.
struct Progress {
    quiet: bool,
    terminal: bool,
    spinner: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        Progress { quiet, terminal: std::io::stderr().is_terminal(), spinner: None }
    }

    fn line(&mut self, text: &str) {
        if self.quiet {
            return;
        }
        match &self.spinner {
            Some(s) => s.println(text),
            None => eprintln!("{text}"),
        }
    }
}

fn label(run: &MigrationRun) -> String {
    if run.name.is_empty() || run.name == run.version {
        run.version.clone()
    } else {
        format!("{} {}", run.version, run.name)
    }
}

impl Observer for Progress {
    fn waiting(&mut self, holder: &str) {
        self.line(&format!("waiting for the migration lock, held by {holder}"));
    }

    fn start(&mut self, run: &MigrationRun) {
        if self.quiet {
            return;
        }
        let verb = if run.direction == crate::migration::Direction::Up { "applying" } else { "reverting" };
        let how = match &run.mode {
            Mode::Transaction => "in a transaction".to_owned(),
            Mode::Outside { reason } => format!("outside a transaction: {reason}"),
        };
        if self.terminal {
            let s = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
                s.set_style(style);
            }
            s.set_message(format!("{verb} {} ({how})", label(run)));
            s.enable_steady_tick(Duration::from_millis(100));
            self.spinner = Some(s);
        } else {
            eprintln!("{verb} {} ({how})", label(run));
        }
    }

    fn retry(&mut self, run: &MigrationRun, r: &Retry) {
        self.line(&format!(
            "lock timeout in {} at {} ({}): retry {} of {} in {}",
            run.version,
            r.statement,
            r.message,
            r.attempt,
            r.of,
            human_duration(Duration::from_millis(r.wait_ms))
        ));
    }

    fn finish(&mut self, run: &MigrationRun) {
        if let Some(s) = self.spinner.take() {
            s.finish_and_clear();
        }
        let text = match run.result {
            RunResult::WouldApply | RunResult::WouldRevert => return,
            RunResult::Applied | RunResult::Reverted => format!(
                "{} {} in {}",
                run.result.as_str(),
                label(run),
                human_duration(Duration::from_millis(run.duration_ms.unwrap_or(0)))
            ),
            RunResult::Blocked => {
                let why = run
                    .findings
                    .iter()
                    .find(|f| f.suppression.is_none() && f.severity == crate::check::Severity::Block)
                    .map(|f| format!("{}: {}", f.rule, f.message))
                    .unwrap_or_default();
                format!("blocked {}: {why}", label(run))
            }
            RunResult::Skipped => format!("skipped {}: a migration before it was blocked or failed", label(run)),
            other => format!("{} {}", other.as_str(), label(run)),
        };
        self.line(&text);
    }
}

fn run_text(report: &RunReport, color: bool) -> String {
    let mut out = String::new();
    for r in &report.refused {
        out.push_str(&format!(
            "refused: {} {}{}: {}\n  help: {}\n",
            r.version,
            r.name,
            r.file.as_deref().map(|f| format!(" ({})", display_path(f))).unwrap_or_default(),
            r.reason,
            r.help
        ));
    }
    if !report.refused.is_empty() {
        out.push_str("nothing was run\n");
        return out;
    }
    if report.migrations.is_empty() {
        out.push_str(match report.command {
            "down" | "redo" => "nothing to roll back\n",
            _ => "nothing to apply: every migration is applied\n",
        });
        return out;
    }
    if report.dry_run {
        for m in &report.migrations {
            let how = match &m.mode {
                Mode::Transaction => "in a transaction".to_owned(),
                Mode::Outside { reason } => format!("outside a transaction: {reason}"),
            };
            let what = match m.result {
                RunResult::WouldApply | RunResult::WouldRevert => format!("{}, {how}", m.result.as_str()),
                RunResult::Blocked => "blocked by the gate: would not be applied, nor anything after it".to_owned(),
                RunResult::Skipped => "would not run: a migration before it is blocked".to_owned(),
                other => other.as_str().to_owned(),
            };
            out.push_str(&format!("-- {} ({}): {what}\n", label(m), display_path(&m.file)));
            for st in &m.statements {
                out.push_str(&format!("-- {}:{}\n{};\n", display_path(&st.file), st.line, st.sql));
            }
            out.push('\n');
        }
        if let Some(check) = &report.check {
            out.push_str(&report::text::render(check, color));
            out.push('\n');
        }
    } else if let Some(check) = &report.check
        && let Some(blocked) = report.migrations.iter().find(|m| m.result == RunResult::Blocked)
    {
        out.push_str(&report::text::render(&only(check, &blocked.version), color));
        out.push('\n');
    }
    let mut table = report::table::new(&["version", "name", "result", "transaction", "duration", "retries"]);
    for m in &report.migrations {
        table.add_row(vec![
            m.version.clone(),
            m.name.clone(),
            m.result.as_str().to_owned(),
            if m.mode.transactional() { "yes".into() } else { "no".into() },
            m.duration_ms.map(|d| human_duration(Duration::from_millis(d))).unwrap_or_default(),
            if m.retries.is_empty() { String::new() } else { m.retries.len().to_string() },
        ]);
    }
    out.push_str(&format!("{table}\n"));
    let s = &report.summary;
    let mut parts = Vec::new();
    for (n, what) in [
        (s.applied, "applied"),
        (s.reverted, "reverted"),
        (s.would_run, "would run"),
        (s.blocked, "blocked"),
        (s.failed, "failed"),
        (s.skipped, "skipped"),
        (s.already_done, "done by another runner"),
        (s.repaired, "repaired"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    out.push_str(&format!("{}: {}\n", report.database, parts.join(", ")));
    out
}

/// The check report with only the findings about `version`.
fn only(check: &CheckReport, version: &str) -> CheckReport {
    let mut c = check.clone();
    c.findings.retain(|f| f.migration.as_deref().is_none_or(|v| v == version));
    c.migrations.retain(|m| m.version == version);
    c
}

fn status_text(report: &StatusReport, color: bool) -> String {
    let mut table = report::table::new(&["version", "name", "state", "applied at", "by", "duration", "note"]);
    for m in &report.migrations {
        let r = m.record.as_ref();
        let note = match m.state {
            StatusState::Blocked => {
                m.findings.first().map(|f| format!("{}: {}", f.rule, f.message)).unwrap_or_default()
            }
            StatusState::Edited => "the file changed after it was applied".to_owned(),
            StatusState::Failed => r.and_then(|r| r.error.clone()).unwrap_or_default(),
            StatusState::Incomplete => "started and never finished".to_owned(),
            StatusState::Missing => "no file has this version".to_owned(),
            StatusState::Applied | StatusState::Pending => String::new(),
        };
        table.add_row(vec![
            m.version.clone(),
            m.name.clone(),
            m.state.as_str().to_owned(),
            r.map(|r| r.applied_at.clone()).unwrap_or_default(),
            r.map(|r| r.applied_by.clone()).unwrap_or_default(),
            r.and_then(|r| r.duration)
                .map(|d| human_duration(Duration::from_millis(d.max(0) as u64)))
                .unwrap_or_default(),
            note,
        ]);
    }
    let mut out = String::new();
    if let Some(check) = &report.check
        && report.summary.blocked > 0
    {
        let mut c = check.clone();
        c.findings.retain(|f| f.suppression.is_none() && f.severity == crate::check::Severity::Block);
        out.push_str(&report::text::render(&c, color));
        out.push('\n');
    }
    out.push_str(&format!("{table}\n"));
    let s = &report.summary;
    out.push_str(&format!(
        "{} ({}): {} applied, {} edited, {} pending, {} blocked, {} failed, {} incomplete, {} missing\n",
        report.database,
        report.history_table,
        s.applied,
        s.edited,
        s.pending,
        s.blocked,
        s.failed,
        s.incomplete,
        s.missing
    ));
    out
}

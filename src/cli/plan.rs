//! `tandem plan rename-column | rename-table | change-type | drop-column | drop-table | status`:
//! parses the change, calls [`crate::plan`], prints the phases with each app's code steps
//! between them, or the ledger.

use std::fmt::Write as _;
use std::time::Duration;

use clap::{Args, Subcommand};

use crate::cli::{FormatArg, Globals, Outcome, TextOrJson, write_out};
use crate::config::parse_duration;
use crate::error::{Diagnostic, Error, Result};
use crate::framework::recipe::{Change, Moment};
use crate::migration::Format;
use crate::plan::{self, Options, PhaseKind, Plan, StatusReport, status::Uses};
use crate::render;

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Rename a column in phases: add the new one, a trigger keeping both in step, a batched
    /// backfill, then drop the old one once no app uses it
    RenameColumn {
        /// The column: TABLE.OLD
        #[arg(value_name = "TABLE.OLD")]
        column: String,
        /// Its new name (NEW or TABLE.NEW)
        #[arg(value_name = "NEW")]
        new: String,
        #[command(flatten)]
        common: Common,
    },
    /// Rename a table: rename it and leave an updatable view under the old name, then drop the
    /// view once no app uses it
    RenameTable {
        #[arg(value_name = "OLD")]
        old: String,
        #[arg(value_name = "NEW")]
        new: String,
        #[command(flatten)]
        common: Common,
    },
    /// Change a column's type through a new column (TABLE.COLUMN_new unless --new-column)
    ChangeType {
        #[arg(value_name = "TABLE.COLUMN")]
        column: String,
        /// The new type, as the database writes it (`bigint`, `varchar(320)`)
        #[arg(value_name = "TYPE")]
        new_type: String,
        /// The name of the column that replaces it
        #[arg(long, value_name = "NAME")]
        new_column: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Drop a column once no app uses it: the code steps, then the migration the gate checks
    DropColumn {
        #[arg(value_name = "TABLE.COLUMN")]
        column: String,
        #[command(flatten)]
        common: Common,
    },
    /// Drop a table once no app uses it
    DropTable {
        #[arg(value_name = "TABLE")]
        table: String,
        #[command(flatten)]
        common: Common,
    },
    /// The ledger: per change, which phases exist and have run, which apps still use the old
    /// name; exit 1 when a change cannot contract yet
    Status {
        /// One change's id (as `tandem plan status` lists them)
        #[arg(value_name = "ID")]
        id: Option<String>,
        /// The database whose history says which phases ran: `env:VAR` or a URL [default: the
        /// registry's `database_url_env`]
        #[arg(long, value_name = "SRC")]
        database_url: Option<String>,
        #[command(flatten)]
        format: FormatArg,
    },
}

#[derive(Debug, Args)]
pub struct Common {
    /// Write framework migrations instead of SQL in the directory's layout
    #[arg(long, value_enum, default_value_t = Format::Sql)]
    pub migration_format: Format,
    /// This app writes both columns itself: no trigger; its code steps say so (repeatable)
    #[arg(long, value_name = "APP")]
    pub dual_write: Vec<String>,
    /// Rows per backfill batch
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub batch_size: u64,
    /// Pause between backfill batches
    #[arg(long, value_name = "DURATION", default_value = "100ms")]
    pub pause: String,
    /// How long each phase's DDL waits for a lock before it fails
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub lock_timeout: String,
    /// Write into this directory [default: the registry's `migrations`]
    #[arg(long, value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,
    /// Print the plan; write and record nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub format: FormatArg,
}

fn duration(flag: &str, text: &str) -> Result<Duration> {
    parse_duration(text).map(Option::unwrap_or_default).ok_or_else(|| {
        Error::input(Diagnostic::new(format!("`--{flag} {text}` is not a duration")).help("e.g. 100ms, 5s, 1min"))
    })
}

/// `TABLE.COLUMN` → (table, column).
fn column(arg: &str) -> Result<(String, String)> {
    match arg.rsplit_once('.') {
        Some((t, c)) if !t.is_empty() && !c.is_empty() => Ok((t.to_owned(), c.to_owned())),
        _ => Err(Error::input(Diagnostic::new(format!("`{arg}` is not TABLE.COLUMN")).help("e.g. users.email"))),
    }
}

pub fn run(g: &Globals, cmd: PlanCommand) -> Result<Outcome> {
    let config = g.load_config()?;
    let (change, common) = match cmd {
        PlanCommand::Status { id, database_url, format } => {
            let report = plan::status(&config, id.as_deref(), database_url.as_deref())?;
            write_out(&match format.format {
                TextOrJson::Text => status_text(&report),
                TextOrJson::Json => render::json(&report),
            })?;
            let blocked = report.changes.iter().any(|c| !c.can_contract && !c.answer.starts_with("done"));
            return Ok(if blocked { Outcome::Failure } else { Outcome::Success });
        }
        PlanCommand::RenameColumn { column: c, new, common } => {
            let (table, from) = column(&c)?;
            let to = match new.split_once('.') {
                Some((t, n)) if t == table => n.to_owned(),
                Some((t, _)) => {
                    return Err(Error::input(Diagnostic::new(format!(
                        "`{new}` names table `{t}`; a column rename stays in `{table}` (use rename-table for tables)"
                    ))));
                }
                None => new,
            };
            (Change::RenameColumn { table, from, to }, common)
        }
        PlanCommand::RenameTable { old, new, common } => (Change::RenameTable { from: old, to: new }, common),
        PlanCommand::ChangeType { column: c, new_type, new_column, common } => {
            let (table, column) = column(&c)?;
            let new_column = new_column.unwrap_or_else(|| format!("{column}_new"));
            (Change::ChangeType { table, column, new_column, new_type }, common)
        }
        PlanCommand::DropColumn { column: c, common } => {
            let (table, column) = column(&c)?;
            (Change::DropColumn { table, column }, common)
        }
        PlanCommand::DropTable { table, common } => (Change::DropTable { table }, common),
    };
    let options = Options {
        batch_size: common.batch_size.max(1),
        pause: duration("pause", &common.pause)?,
        lock_timeout: duration("lock-timeout", &common.lock_timeout)?,
        dual_write: common.dual_write,
        format: common.migration_format,
        dir: common.dir,
        dry_run: common.dry_run,
        ..Options::default()
    };
    let plan = plan::plan(&config, &change, &options)?;
    write_out(&match common.format.format {
        TextOrJson::Text => plan_text(&plan, options.dry_run),
        TextOrJson::Json => render::json(&plan),
    })?;
    Ok(Outcome::Success)
}

/// The phases in order, each app's code steps where they fall between them.
fn plan_text(plan: &Plan, dry_run: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "plan {} — {}", plan.id, plan.change.command());
    let steps_at = |out: &mut String, moment: Moment| {
        for app in &plan.apps {
            let steps: Vec<&str> = app.steps.iter().filter(|s| s.moment == moment).map(|s| s.text.as_str()).collect();
            if steps.is_empty() {
                continue;
            }
            let _ = writeln!(out, "\n   code, {} — {} ({}):", moment.describe(), app.app, app.framework);
            for s in steps {
                let _ = writeln!(out, "     - {s}");
            }
        }
    };
    steps_at(&mut out, Moment::Now);
    let after_backfill =
        plan.phases.iter().rposition(|p| p.phase == PhaseKind::Backfill || p.phase == PhaseKind::Expand);
    for (i, p) in plan.phases.iter().enumerate() {
        if p.phase == PhaseKind::Contract {
            steps_at(&mut out, Moment::BeforeContract);
        }
        let _ = writeln!(out, "\n{}. {} ({}): {}", i + 1, p.phase.as_str(), p.version, p.summary);
        for f in &p.files {
            let _ = writeln!(out, "   {}{f}", if dry_run { "would write " } else { "wrote " });
        }
        if Some(i) == after_backfill {
            steps_at(&mut out, Moment::AfterBackfill);
        }
    }
    if dry_run {
        for p in &plan.phases {
            for (f, t) in p.files.iter().zip(&p.texts) {
                let _ = writeln!(out, "\n--- {f}\n{t}");
            }
        }
    } else {
        let _ = writeln!(
            out,
            "\nrecorded as `{}`: `tandem plan status {}` tells when the contract can run",
            plan.id, plan.id
        );
    }
    out
}

fn status_text(report: &StatusReport) -> String {
    let mut out = String::new();
    if report.changes.is_empty() {
        out.push_str("no changes planned (`tandem plan rename-column …` records one)\n");
        return out;
    }
    let _ = writeln!(out, "database: {}", report.database);
    for c in &report.changes {
        let _ = writeln!(out, "\n{} — {}", c.id, c.answer);
        for p in &c.phases {
            let run = match p.applied {
                Some(true) => "applied",
                Some(false) => "pending",
                None => "unknown",
            };
            let missing: Vec<&str> = p.files.iter().filter(|f| !f.exists).map(|f| f.path.as_str()).collect();
            let files =
                if missing.is_empty() { "files present".to_owned() } else { format!("missing {}", missing.join(", ")) };
            let _ = writeln!(out, "  {:<9} {:<16} {run:<8} {files}", p.phase.as_str(), p.version);
        }
        for a in &c.apps {
            let uses = match a.uses {
                Uses::Old => format!("uses the old name ({})", a.old.join(", ")),
                Uses::New => format!("uses the new name ({})", a.new.join(", ")),
                Uses::Both => format!("uses both ({}; {})", a.old.join(", "), a.new.join(", ")),
                Uses::Neither => "uses neither".to_owned(),
                Uses::Unknown => format!("unknown: {}", a.error.clone().unwrap_or_default()),
            };
            let _ = writeln!(out, "  {}@{}: {uses}", a.app, a.git_ref);
        }
    }
    out
}

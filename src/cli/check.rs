//! `tandem check`: parse the arguments, run [`check::check`] (which gathers the migrations, the
//! schema before them and the apps' references, and holds the fail-closed policy), render the
//! report, exit 0 (pass), 1 (blocked, or at or above `--fail-on`), 2 (bad input), 3
//! (environment).

use std::path::PathBuf;

use clap::Args;
use comfy_table::{Table, presets};

use crate::check::{self, CheckOptions, Severity};
use crate::cli::{Globals, Outcome, write_out};
use crate::error::Result;
use crate::migration::Format;
use crate::report::{self, ReportFormat};
use crate::rules;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Migration files or directories [default: the registry's `migrations` directory]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Check only the migration files added or changed since this revision (what CI wants)
    #[arg(long, value_name = "REV", conflicts_with = "paths")]
    pub since: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,

    /// Exit 1 when a finding is at or above this severity
    #[arg(long, value_enum, default_value_t = Severity::Block, value_name = "SEVERITY")]
    pub fail_on: Severity,

    /// Read migrations as this format instead of recognising it from names and content
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub migration_format: Option<Format>,

    /// CI mode: statements tandem cannot analyse block instead of warning [default: on when CI=true]
    #[arg(long)]
    pub strict: bool,

    /// List the rules and exit
    #[arg(long, exclusive = true)]
    pub list_rules: bool,
}

pub fn run(g: &Globals, args: CheckArgs) -> Result<Outcome> {
    if args.list_rules {
        write_out(&list_rules())?;
        return Ok(Outcome::Success);
    }
    let config = g.load_config()?;
    let request = check::Request { paths: args.paths, since: args.since, format: args.migration_format };
    let options = CheckOptions { strict: args.strict || super::ci_mode(), ..CheckOptions::default() };
    let report = check::check(&config, &request, &options)?;
    write_out(&report::render(&report, args.format, g.color))?;
    Ok(if report.fails(args.fail_on) { Outcome::Failure } else { Outcome::Success })
}

fn list_rules() -> String {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL);
    table.set_header(vec!["rule", "severity", "kind", "summary"]);
    for r in rules::ALL {
        let kind = if r.gate() { "gate" } else { "lint" };
        table.add_row(vec![r.id(), r.severity().as_str(), kind, r.summary()]);
    }
    format!("{table}\n")
}

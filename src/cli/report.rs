//! `tandem report --format html [-o FILE]`: one self-contained page for people — the registry,
//! the pending migrations with their verdicts and the references behind them, the drift of the
//! committed dumps (`tandem schema drift`), the changes in flight (`tandem plan status`), the
//! dependency graph. Exit 0 once the page is written, whatever the verdicts on it.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::check::{self, CheckOptions, Gate};

use crate::cli::{Globals, Outcome, write_out};
use crate::error::{Diagnostic, Error, Result};
use crate::graph::DepGraph;

use crate::report::html::{self, AppRow, DriftStatus, Page};
use crate::schema::Schema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum PageFormat {
    #[default]
    Html,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = PageFormat::Html)]
    pub format: PageFormat,
    /// Write the page to this file instead of standard output
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(g: &Globals, args: ReportArgs) -> Result<Outcome> {
    let config = g.load_config()?;
    let dialect = config.registry.dialect;
    let schema = check::baseline::current(&config)?.unwrap_or_else(|| Schema::new(dialect));
    // The pending migrations as `tandem check` sees them (the same gathering and policy).
    let inputs = match &config.registry.migrations {
        Some(_) => Some(check::gather(&config, &check::Request::default())?),
        None => None,
    };
    let report = match &inputs {
        Some(inputs) => inputs.run(&CheckOptions::default())?,
        None => check::run(&[], &schema, &Gate::default(), &config.waivers, None, &CheckOptions::default())?,
    };
    // The graph shows every app, whether or not a migration needed the gate.
    let (scans, failures) = match inputs {
        Some(inputs) if !inputs.scans.is_empty() || !inputs.failures.is_empty() => (inputs.scans, inputs.failures),
        _ => check::gather::scan_apps(&config, &schema)?,
    };

    let apps = config
        .apps
        .iter()
        .map(|a| AppRow {
            name: a.name.clone(),
            framework: a.framework.to_string(),
            owner: a.owner.clone(),
            refs: a
                .refs()
                .into_iter()
                .map(|(name, rev)| {
                    let commit = scans.iter().find(|s| s.app == a.name && s.git_ref == name).map(|s| s.commit.clone());
                    (name.to_owned(), rev.to_owned(), commit)
                })
                .collect(),
            problem: {
                let problems: Vec<String> = failures
                    .iter()
                    .filter(|f| f.app == a.name)
                    .map(|f| format!("{}: {}", f.git_ref, f.message))
                    .collect();
                (!problems.is_empty()).then(|| problems.join("; "))
            },
        })
        .collect();
    let graph = DepGraph::build(Some(&schema), &scans).to_svg(&[]);
    // Drift as `tandem schema drift` checks it by default; a registry without a dump, or a dump
    // that cannot be checked, is said in the section rather than failing the whole page.
    let drift = if config.apps.iter().any(|a| a.structure.is_some()) {
        match crate::drift::run(&config, &crate::drift::Options::default()) {
            Ok(r) => DriftStatus::Checked(r),
            Err(Error::Input(d)) => DriftStatus::Failed(d.to_string()),
            Err(e) => return Err(e),
        }
    } else {
        DriftStatus::NoDump
    };
    let drift = html::drift_section(&drift);
    // The ledger as `tandem plan status` shows it; without a database, phases' run is unknown.
    let changes = html::changes_section(&crate::plan::status(&config, None, None)?);
    let page = match args.format {
        PageFormat::Html => html::render_page(&Page {
            title: "tandem report".to_owned(),
            apps,
            check: &report,
            graph,
            drift: Some(drift),
            changes: Some(changes),
        }),
    };
    match &args.output {
        Some(path) => std::fs::write(path, page)
            .map_err(|e| Error::input(Diagnostic::new(format!("cannot write the report: {e}")).in_file(path)))?,
        None => write_out(&page)?,
    }
    Ok(Outcome::Success)
}

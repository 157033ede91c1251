//! Command-line definitions (clap) and one handler module per command. Handlers return an
//! [`Outcome`] or an [`Error`]; `main.rs` maps both to exit codes.

mod apps;
pub(crate) mod check;
mod graph;
pub mod init;
mod migrate;
mod plan;
mod refs;
mod release_notes;
mod report;
mod scan;
mod schema;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{self, Config};
use crate::error::Result;

#[derive(Debug, Parser)]
#[command(
    name = "tandem",
    version,
    about = "Keeps apps that share one database from breaking each other",
    long_about = "tandem keeps a registry of the apps that share one relational database, finds which tables and \
                  columns each app's code uses at its deployed and next git refs, and blocks destructive \
                  migrations while any app still depends on the target."
)]
pub struct Cli {
    /// The registry file [default: apps.toml, found by walking up from the current directory]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// When to use colors
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Print more about what is being done (-vv for debug logs)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented apps.toml, schema/ and migrations/ into the current directory
    Init(init::InitArgs),
    /// Validate the registry and list its apps with the commits their refs resolve to
    Apps(apps::AppsArgs),
    /// Lint migrations and block destructive ones while any app still uses the target
    Check(check::CheckArgs),
    /// Inspect, dump and compare schemas
    #[command(subcommand)]
    Schema(schema::SchemaCommand),
    /// Scan every app's code at its refs and store the references it finds
    Scan(scan::ScanArgs),
    /// Every reference to a table or column, grouped by app and ref
    Refs(refs::RefsArgs),
    /// The dependency graph of apps, tables, columns, foreign keys and views
    Graph(graph::GraphArgs),
    /// The database section of release notes for a range: what each migration does, who is
    /// affected, the risk and the rollback
    ReleaseNotes(release_notes::ReleaseNotesArgs),
    /// One self-contained HTML page: the registry, pending migrations and their verdicts, the graph
    Report(report::ReportArgs),
    /// Apply the shared migrations with a history, a lock and timing, the gate before each
    #[command(subcommand)]
    Migrate(migrate::MigrateCommand),
    /// Write a rename, type change or drop as expand / keep in step / backfill / contract
    /// migrations, with each app's code steps; `plan status` is the ledger
    #[command(subcommand)]
    Plan(plan::PlanCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Output format of commands that print a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TextOrJson {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct FormatArg {
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// How a command that ran to the end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing blocks, nothing differs: exit 0.
    Success,
    /// Something blocks or differs: exit 1.
    Failure,
}

/// Settings every command shares.
#[derive(Debug, Clone)]
pub struct Globals {
    pub config: Option<PathBuf>,
    pub color: bool,
    pub quiet: bool,
    pub verbose: u8,
}

impl Globals {
    /// Load the registry named by `--config`, or the apps.toml found walking up from the current
    /// directory.
    pub fn load_config(&self) -> Result<Config> {
        let path = match &self.config {
            Some(p) => p.clone(),
            None => {
                let cwd = std::env::current_dir()
                    .map_err(|e| crate::Error::msg(format!("cannot read the current directory: {e}")))?;
                config::discover(&cwd)?
            }
        };
        config::load(&path)
    }
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<Outcome> {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let globals = Globals { config: cli.config, color, quiet: cli.quiet, verbose: cli.verbose };
    match cli.command {
        Command::Init(args) => init::run(&globals, args),
        Command::Apps(args) => apps::run(&globals, args),
        Command::Schema(cmd) => schema::run(&globals, cmd),
        Command::Check(args) => check::run(&globals, args),
        Command::Scan(args) => scan::run(&globals, args),
        Command::Refs(args) => refs::run(&globals, args),
        Command::Graph(args) => graph::run(&globals, args),
        Command::ReleaseNotes(args) => release_notes::run(&globals, args),
        Command::Report(args) => report::run(&globals, args),
        Command::Migrate(cmd) => migrate::run(&globals, cmd),
        Command::Plan(cmd) => plan::run(&globals, cmd),
    }
}

/// Write a command's report to stdout. A closed pipe (`tandem … | head`) is not an error.
pub fn write_out(text: &str) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(crate::Error::msg(format!("cannot write output: {e}"))),
    }
}

/// Whether CI mode is on by default: the `CI` environment variable every CI service sets. Read
/// here, at the edge, so the library's behaviour depends only on the options it is given.
pub fn ci_mode() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

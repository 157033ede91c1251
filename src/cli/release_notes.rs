//! `tandem release-notes FROM..TO`: the database section of release notes for a range of the
//! repository that holds the migrations. Exit 1 when a migration of the range is blocked.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::check::gather::scan_apps;
use crate::check::{self, CheckOptions, Gate};
use crate::cli::{Globals, Outcome, write_out};
use crate::error::Result;
use crate::migration::Format;
use crate::notes::{self, History, NotesFormat};

#[derive(Debug, Args)]
pub struct ReleaseNotesArgs {
    /// Two revisions (tags, branches, commits) of the repository that holds the migrations
    #[arg(value_name = "FROM..TO")]
    pub range: String,

    /// The migrations of this app's own directory (its `migrations` in apps.toml) instead of the
    /// registry's shared ones
    #[arg(long, value_name = "NAME")]
    pub app: Option<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = NotesFormat::Markdown)]
    pub format: NotesFormat,

    /// Read migrations as this format instead of recognising it from names and content
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub migration_format: Option<Format>,

    /// CI mode: statements tandem cannot analyse block instead of warning [default: on when CI=true]
    #[arg(long)]
    pub strict: bool,
}

pub fn run(g: &Globals, args: ReleaseNotesArgs) -> Result<Outcome> {
    let config = g.load_config()?;
    let (from, to) = notes::parse_range(&args.range)?;
    let (repo, dir) = notes::locate(&config, args.app.as_deref())?;
    let history = History::read(repo, &dir, &from, &to)?;
    let dialect = config.registry.dialect;
    let selected = notes::select(&history, args.migration_format, dialect)?;
    let (schema, schema_words) = notes::schema_before(&config, args.app.as_deref(), &history)?;

    let (scans, failures) =
        if selected.migrations.is_empty() { (Vec::new(), Vec::new()) } else { scan_apps(&config, &schema)? };
    let gate = Gate::new(&scans, &failures, config.registry.min_confidence)
        .with_frameworks(config.apps.iter().map(|a| (a.name.clone(), a.framework)));
    let strict = args.strict || super::ci_mode();
    let options = CheckOptions { strict, rules: crate::rules::Selection::of(&config)?, ..CheckOptions::default() };
    let waiver_file = waiver_file(&config.path);
    let report = check::run(&selected.migrations, &schema, &gate, &config.waivers, Some(&waiver_file), &options)?;

    let notes = notes::build(&notes::Input {
        history: &history,
        app: args.app.as_deref(),
        schema: schema_words,
        selected: &selected,
        report: &report,
        gate: &gate,
        apps: &config.apps,
        dialect,
    });
    write_out(&notes::render(&notes, args.format))?;
    Ok(if notes.summary.blocked > 0 { Outcome::Failure } else { Outcome::Success })
}

/// apps.toml as findings about expired waivers name it: relative to the current directory.
fn waiver_file(config: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| config.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| config.to_path_buf())
}

//! `tandem check`: read migrations, lint them, run the destructive gate against every app's
//! deployed and head refs, print the report, exit 0 (pass), 1 (blocked, or at or above
//! `--fail-on`), 2 (bad input), 3 (environment).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use comfy_table::{Table, presets};

use crate::check::{self, CheckOptions, Gate, ScanFailure, Severity};
use crate::cli::{Globals, Outcome, write_out};
use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::migration::{self, Format, Migration};
use crate::report::{self, ReportFormat};
use crate::rules;
use crate::scan::{self, ScanOptions, ScanResult};
use crate::schema::{self, Schema, SchemaSource};
use crate::store::Store;

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
    #[arg(long, value_enum, default_value_t = FailOn::Block, value_name = "SEVERITY")]
    pub fail_on: FailOn,

    /// Read migrations as this format instead of recognising it from names and content
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub migration_format: Option<MigrationFormat>,

    /// CI mode: statements tandem cannot analyse block instead of warning [default: on when CI=true]
    #[arg(long)]
    pub strict: bool,

    /// List the rules and exit
    #[arg(long, exclusive = true)]
    pub list_rules: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Warn,
    Block,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MigrationFormat {
    Sql,
    Rails,
    Ecto,
    Django,
}

impl From<MigrationFormat> for Format {
    fn from(f: MigrationFormat) -> Self {
        match f {
            MigrationFormat::Sql => Format::Sql,
            MigrationFormat::Rails => Format::Rails,
            MigrationFormat::Ecto => Format::Ecto,
            MigrationFormat::Django => Format::Django,
        }
    }
}

pub fn run(g: &Globals, args: CheckArgs) -> Result<Outcome> {
    if args.list_rules {
        write_out(&list_rules())?;
        return Ok(Outcome::Success);
    }
    let config = g.load_config()?;
    let format = args.migration_format.map(Format::from);
    let dialect = config.registry.dialect;
    let cwd = std::env::current_dir().map_err(|e| Error::msg(format!("cannot read the current directory: {e}")))?;

    let mut migrations = match &args.since {
        Some(rev) => changed_migrations(&config, rev, format)?,
        None if args.paths.is_empty() => {
            let dir = config.registry.migrations.clone().ok_or_else(|| {
                Error::input(
                    Diagnostic::new("no migrations to check: give PATHs, --since REV, or `migrations` in [registry]")
                        .in_file(&config.path),
                )
            })?;
            migration::load_path(&dir, format, dialect)?
        }
        None => {
            let mut all = Vec::new();
            for p in &args.paths {
                all.extend(migration::load_path(p, format, dialect)?);
            }
            all
        }
    };
    for m in &mut migrations {
        relativize(m, &cwd);
    }

    let schema = match &config.registry.schema {
        Some(crate::config::SchemaSetting::File(p)) => schema::load(&SchemaSource::File(p.clone()), Some(dialect))?,
        Some(crate::config::SchemaSetting::UrlEnv(v)) => schema::load(&SchemaSource::UrlEnv(v.clone()), Some(dialect))?,
        None => Schema::new(dialect),
    };

    let (scans, failures) =
        if check::needs_gate(&migrations) { scan_apps(&config, &schema)? } else { (Vec::new(), Vec::new()) };
    let gate = Gate::new(&scans, &failures, config.registry.min_confidence)
        .with_frameworks(config.apps.iter().map(|a| (a.name.clone(), a.framework)));
    let strict = args.strict || std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
    let options = CheckOptions { strict, ..CheckOptions::default() };
    let waiver_file = config.path.strip_prefix(&cwd).map(Path::to_path_buf).unwrap_or_else(|_| config.path.clone());
    let report = check::run(&migrations, &schema, &gate, &config.waivers, Some(&waiver_file), &options)?;

    write_out(&report::render(&report, args.format, g.color))?;
    let threshold = match args.fail_on {
        FailOn::Warn => Severity::Warn,
        FailOn::Block => Severity::Block,
    };
    Ok(if report.fails(threshold) { Outcome::Failure } else { Outcome::Success })
}

/// Scan every app at each of its refs, one app at a time so that one unreadable app is reported
/// (and fails the gate closed) without hiding the others.
pub(crate) fn scan_apps(config: &Config, schema: &Schema) -> Result<(Vec<ScanResult>, Vec<ScanFailure>)> {
    let store = Store::open(&config.registry.store, &config.root)?;
    let mut scans = Vec::new();
    let mut failures = Vec::new();
    for app in &config.apps {
        let options = ScanOptions { apps: vec![app.name.clone()], ..ScanOptions::default() };
        match scan::run(config, Some(schema), &store, &options) {
            Ok(results) => {
                let got: BTreeSet<&str> = results.iter().map(|r| r.git_ref.as_str()).collect();
                for (git_ref, _) in app.refs() {
                    if !got.contains(git_ref) {
                        failures.push(ScanFailure {
                            app: app.name.clone(),
                            git_ref: git_ref.to_owned(),
                            message: "no scan result for this ref".into(),
                        });
                    }
                }
                scans.extend(results);
            }
            Err(e) => {
                for (git_ref, _) in app.refs() {
                    failures.push(ScanFailure {
                        app: app.name.clone(),
                        git_ref: git_ref.to_owned(),
                        message: e.diagnostic().message.clone(),
                    });
                }
            }
        }
    }
    Ok((scans, failures))
}

/// The migrations whose files were added or changed between `rev` and the work tree of the
/// repository holding apps.toml (staged, unstaged and untracked files included).
fn changed_migrations(config: &Config, rev: &str, format: Option<Format>) -> Result<Vec<Migration>> {
    let dir = config.registry.migrations.clone().ok_or_else(|| {
        Error::input(
            Diagnostic::new("--since needs `migrations` in [registry] to know which files are migrations")
                .in_file(&config.path),
        )
    })?;
    let repo = git2::Repository::discover(&config.root).map_err(|e| {
        Error::environment(Diagnostic::new(format!(
            "{} is not in a git repository: {}",
            config.root.display(),
            e.message()
        )))
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| {
            Error::environment(Diagnostic::new("--since needs a repository with a work tree, not a bare one"))
        })?
        .to_path_buf();
    let tree = repo.revparse_single(rev).and_then(|o| o.peel_to_tree()).map_err(|e| {
        Error::input(Diagnostic::new(format!("--since {rev}: {}", e.message())).help("give a branch, tag or commit"))
    })?;
    let mut opts = git2::DiffOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    let diff = repo.diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts)).map_err(|e| {
        Error::environment(Diagnostic::new(format!("cannot diff {rev} against the work tree: {}", e.message())))
    })?;
    let canonical_dir = dir.canonicalize().unwrap_or(dir.clone());
    let canonical_workdir = workdir.canonicalize().unwrap_or(workdir);
    let mut changed = BTreeSet::new();
    for delta in diff.deltas() {
        if delta.status() == git2::Delta::Deleted {
            continue;
        }
        if let Some(p) = delta.new_file().path() {
            let abs = canonical_workdir.join(p);
            if abs.starts_with(&canonical_dir) {
                changed.insert(abs);
            }
        }
    }
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    let all = migration::load_path(&canonical_dir, format, config.registry.dialect)?;
    Ok(all
        .into_iter()
        .filter(|m| changed.contains(&m.file) || m.down_file.as_ref().is_some_and(|d| changed.contains(d)))
        .collect())
}

/// Report paths relative to the current directory (GitHub annotations and SARIF want
/// repository-relative paths; CI runs at the repository root).
pub(crate) fn relativize(m: &mut Migration, cwd: &Path) {
    let rel = |p: &Path| p.strip_prefix(cwd).map(Path::to_path_buf).unwrap_or_else(|_| p.to_path_buf());
    m.file = rel(&m.file);
    m.down_file = m.down_file.as_deref().map(rel);
    for op in m.up.iter_mut().chain(m.down.iter_mut().flatten()) {
        op.span.file = rel(&op.span.file);
    }
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

//! The registry of apps that share the database: `apps.toml`, its model, loading and validation.

mod load;
mod migrate;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::schema::Dialect;

pub use load::{discover, load, load_str};
pub use migrate::{DEFAULT_HISTORY_TABLE, FrameworkHistory, MigrateOverride, MigrateSettings, parse_duration};

/// The name of the registry file, found by walking up from the current directory.
pub const FILE_NAME: &str = "apps.toml";

#[derive(Debug, Clone)]
pub struct Config {
    /// The apps.toml this was read from.
    pub path: PathBuf,
    /// Its directory: relative paths in the file are relative to it.
    pub root: PathBuf,
    pub registry: Registry,
    pub scan: ScanSettings,
    pub apps: Vec<App>,
    pub waivers: Vec<Waiver>,
    /// `[migrate]`: how `tandem migrate` runs the shared migrations.
    pub migrate: MigrateSettings,
    /// `[lint]`: which rules run beyond (or instead of) the defaults, as written; `rules` resolves
    /// the ids (the registry is below the rules and does not know them).
    pub lint: LintSettings,
}

/// apps.toml's `[lint]`: rule ids as written, each with where it is written, for the error when
/// it names no rule.
#[derive(Debug, Clone, Default)]
pub struct LintSettings {
    pub enable: Vec<LintId>,
    pub disable: Vec<LintId>,
}

#[derive(Debug, Clone)]
pub struct LintId {
    pub id: String,
    pub line: u32,
    /// The line of apps.toml it is written on, and where on that line: the error shows it.
    pub source_line: String,
    pub span: Range<usize>,
}

#[derive(Debug, Clone)]
pub struct Registry {
    pub dialect: Dialect,
    /// The canonical schema: a dump file (absolute) or an environment variable with a URL.
    pub schema: Option<SchemaSetting>,
    /// The shared migrations directory (absolute).
    pub migrations: Option<PathBuf>,
    /// Where the registry keeps its state: `sqlite://…` (relative to apps.toml) or `postgres://…`.
    pub store: String,
    /// References below this confidence do not block.
    pub min_confidence: Confidence,
}

impl Config {
    /// Refuse a command that runs or writes SQL (`migrate`, `plan`, `schema sync`) on a MongoDB
    /// registry, at `dialect` in apps.toml.
    pub fn sql_only(&self, command: &str) -> crate::error::Result<()> {
        if self.registry.dialect.is_sql() {
            return Ok(());
        }
        Err(crate::error::Error::input(
            self.at_setting(
                "dialect",
                crate::error::Diagnostic::new(format!(
                    "`tandem {command}` runs SQL, and the registry's dialect is {}",
                    self.registry.dialect
                ))
                .help("run MongoDB migrations with their own tool (`migrate-mongo up`); `tandem check` gates them"),
            ),
        ))
    }

    /// `d` located at the value of `[registry] key` (`schema`, `migrations`) in apps.toml, with
    /// an excerpt — so that an error about a path from apps.toml points at its line there.
    pub fn at_setting(&self, key: &str, d: crate::error::Diagnostic) -> crate::error::Diagnostic {
        let text = std::fs::read_to_string(&self.path).unwrap_or_default();
        match load::registry_span(&text, key) {
            Some(span) => d.at_offset(&self.path, &text, span),
            None => d.in_file(&self.path),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSetting {
    File(PathBuf),
    UrlEnv(String),
}

#[derive(Debug, Clone)]
pub struct ScanSettings {
    /// Files larger than this many bytes are skipped (and reported).
    pub max_file_size: u64,
}

#[derive(Debug, Clone)]
pub struct App {
    pub name: String,
    /// The git repository (absolute; bare or not). Unused when `source` is `Store`.
    pub repo: PathBuf,
    /// Subdirectory of the repository holding the app (monorepos), `/`-separated, no trailing `/`.
    pub path: Option<String>,
    pub framework: Framework,
    /// The revision deployed now, if the registry knows it.
    pub deployed: Option<String>,
    /// The revision that deploys next.
    pub head: String,
    pub include: Vec<String>,
    pub exclude: Vec<String>,
    /// The app's committed schema dump, relative to `path`.
    pub structure: Option<String>,
    /// The app's own migration directories, relative to `path` (one for most frameworks; a
    /// Django project has one per Django app). Empty: none registered.
    pub migrations: Vec<String>,
    pub owner: Option<String>,
    pub source: AppSource,
    /// Model class → table overrides, for conventions the scanner cannot infer.
    pub tables: BTreeMap<String, String>,
    /// 1-based line of the `[[app]]` entry in apps.toml, for messages.
    pub line: u32,
}

impl Config {
    /// Every app's own migration directories: (app, directory relative to its `path`).
    pub fn app_migration_dirs(&self) -> impl Iterator<Item = (&App, &str)> {
        self.apps.iter().flat_map(|a| a.migrations.iter().map(move |d| (a, d.as_str())))
    }
}

impl App {
    /// The refs to check, in order: (`deployed`, rev) then (`head`, rev).
    pub fn refs(&self) -> Vec<(&'static str, &str)> {
        let mut refs = Vec::new();
        if let Some(d) = &self.deployed {
            refs.push(("deployed", d.as_str()));
        }
        refs.push(("head", self.head.as_str()));
        refs
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AppSource {
    /// Read the app's code from its git repository.
    #[default]
    Repo,
    /// Read the latest scan the app's own CI published to the store.
    Store,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Framework {
    Rails,
    Phoenix,
    Django,
    Sqlalchemy,
    Prisma,
    Drizzle,
    Typeorm,
    Sequelize,
    Mongoose,
    Parse,
    Mongodb,
    Generic,
}

impl Framework {
    pub const ALL: [Framework; 12] = [
        Framework::Rails,
        Framework::Phoenix,
        Framework::Django,
        Framework::Sqlalchemy,
        Framework::Prisma,
        Framework::Drizzle,
        Framework::Typeorm,
        Framework::Sequelize,
        Framework::Mongoose,
        Framework::Parse,
        Framework::Mongodb,
        Framework::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Rails => "rails",
            Framework::Phoenix => "phoenix",
            Framework::Django => "django",
            Framework::Sqlalchemy => "sqlalchemy",
            Framework::Prisma => "prisma",
            Framework::Drizzle => "drizzle",
            Framework::Typeorm => "typeorm",
            Framework::Sequelize => "sequelize",
            Framework::Mongoose => "mongoose",
            Framework::Parse => "parse",
            Framework::Mongodb => "mongodb",
            Framework::Generic => "generic",
        }
    }
}

impl fmt::Display for Framework {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How sure the scanner is that a reference is real. Ordered: `Low < Medium < High`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    #[default]
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A recorded exception to a finding: which rule on which object, why, who, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Waiver {
    pub rule: String,
    /// `table` or `table.column` (optionally schema-qualified).
    pub object: String,
    pub reason: String,
    pub owner: String,
    /// `YYYY-MM-DD`; the waiver no longer applies after this day.
    pub until: String,
    pub line: u32,
    /// Byte range of the `rule` value in apps.toml, for the error when it names no rule.
    #[serde(skip)]
    pub rule_span: Range<usize>,
}

//! `tandem schema drift`: every way an app's committed schema dump disagrees with the truth —
//! the migrations of every app replayed ([`expected`], [`compare`]), the versions they record
//! ([`versions`]), applied migrations edited in place ([`edited`]), and code of any app that uses
//! what neither the dump nor the truth has ([`dangling`]).
//!
//! Each app whose `structure` key names a dump is checked at one of its refs (`head` unless told
//! otherwise); the dump and every app's migrations are read from git, never from a work tree, so
//! the answer is the same on a laptop and in CI.

pub mod compare;
pub mod dangling;
pub mod edited;
pub mod expected;
pub mod render;
pub mod since;
pub mod versions;

use std::path::Path;

use serde::Serialize;

use crate::config::{App, AppSource, Config};
use crate::error::{Diagnostic, Error, Result};

/// What a finding says is wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    MissingTable,
    ExtraTable,
    MissingColumn,
    ExtraColumn,
    ColumnTypeDiffers,
    NullabilityDiffers,
    DefaultDiffers,
    MissingIndex,
    ExtraIndex,
    MissingConstraint,
    ExtraConstraint,
    MissingForeignKey,
    ExtraForeignKey,
    MissingView,
    ExtraView,
    MissingFunction,
    MissingTrigger,
    MissingVersion,
    ExtraVersion,
    EditedMigration,
    ChangedWithoutMigration,
    DanglingReference,
    /// Not drift: what an operation tandem cannot replay may have created.
    Unverified,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::MissingTable => "missing_table",
            Kind::ExtraTable => "extra_table",
            Kind::MissingColumn => "missing_column",
            Kind::ExtraColumn => "extra_column",
            Kind::ColumnTypeDiffers => "column_type_differs",
            Kind::NullabilityDiffers => "nullability_differs",
            Kind::DefaultDiffers => "default_differs",
            Kind::MissingIndex => "missing_index",
            Kind::ExtraIndex => "extra_index",
            Kind::MissingConstraint => "missing_constraint",
            Kind::ExtraConstraint => "extra_constraint",
            Kind::MissingForeignKey => "missing_foreign_key",
            Kind::ExtraForeignKey => "extra_foreign_key",
            Kind::MissingView => "missing_view",
            Kind::ExtraView => "extra_view",
            Kind::MissingFunction => "missing_function",
            Kind::MissingTrigger => "missing_trigger",
            Kind::MissingVersion => "missing_version",
            Kind::ExtraVersion => "extra_version",
            Kind::EditedMigration => "edited_migration",
            Kind::ChangedWithoutMigration => "changed_without_migration",
            Kind::DanglingReference => "dangling_reference",
            Kind::Unverified => "unverified",
        }
    }

    /// Whether the finding is drift (exit 1); `unverified` is listed apart and is not.
    pub fn is_drift(self) -> bool {
        self != Kind::Unverified
    }
}

/// A file and line; `app` names the repository when it is not the dump's own (a migration of
/// another app), `registry` for the registry's shared migrations.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    pub file: String,
    pub line: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.app {
            Some(app) => write!(f, "{}:{} ({app})", self.file, self.line),
            None => write!(f, "{}:{}", self.file, self.line),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    /// `table`, `table.column`, a constraint or index name (`table.name`), a version.
    pub object: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Where else the finding comes from: the migration that creates the object, the dump line
    /// that has it, the operation that could not be replayed.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Drift,
    InSync,
}

/// One app's dump and what disagrees with it.
#[derive(Debug, Clone, Serialize)]
pub struct AppReport {
    pub app: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub commit: String,
    /// The dump's path in the app's repository.
    pub dump: String,
    pub findings: Vec<Finding>,
    /// What the reader should know about how the answer was reached (apps not replayed, …).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub version: u32,
    pub verdict: Verdict,
    pub apps: Vec<AppReport>,
}

impl Report {
    pub fn drifts(&self) -> bool {
        self.verdict == Verdict::Drift
    }
}

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only these apps' dumps (all apps with a `structure` when empty).
    pub apps: Vec<String>,
    /// `head` (the default) or `deployed`: which of each app's refs the dump and every app's
    /// migrations are read at. Any other value is a revision of the checked app's repository;
    /// the other apps are then read at `head`.
    pub git_ref: Option<String>,
    /// Compare with this live database instead of the replayed migrations (`--against env:VAR`).
    pub against: Option<crate::schema::SchemaSource>,
    /// Also compare the dump with itself at this revision of the checked app's repository.
    pub since: Option<String>,
}

/// Check every selected app's dump.
pub fn run(config: &Config, options: &Options) -> Result<Report> {
    let apps = crate::scan::select_apps(config, &options.apps)?;
    let with_dump: Vec<&App> = apps.into_iter().filter(|a| a.structure.is_some()).collect();
    if with_dump.is_empty() {
        return Err(Error::input(
            Diagnostic::new("no app names a committed schema dump: nothing to check for drift")
                .in_file(&config.path)
                .help("add `structure = \"db/structure.sql\"` (relative to the app's `path`) to the [[app]] that commits the dump"),
        ));
    }
    let ref_name = options.git_ref.as_deref().unwrap_or("head");
    let live = match &options.against {
        Some(source) => Some((crate::schema::load(source, Some(config.registry.dialect))?, source.to_string())),
        None => None,
    };
    let mut out = Vec::new();
    for app in with_dump {
        out.push(check_app(config, app, ref_name, live.as_ref(), options.since.as_deref())?);
    }
    let verdict =
        if out.iter().any(|a| a.findings.iter().any(|f| f.kind.is_drift())) { Verdict::Drift } else { Verdict::InSync };
    Ok(Report { version: 1, verdict, apps: out })
}

/// The revision an app is read at for the ref name `name`: its `head`, its `deployed` (its
/// `head` when it has none, with a note), or `name` itself.
pub(crate) fn revision_of<'a>(app: &'a App, name: &'a str, notes: &mut Vec<String>) -> &'a str {
    match name {
        "head" => &app.head,
        "deployed" => match &app.deployed {
            Some(d) => d,
            None => {
                notes.push(format!("app `{}` has no `deployed` ref: read at its head ({})", app.name, app.head));
                &app.head
            }
        },
        other => other,
    }
}

/// `dir` of `app`, relative to its repository's root.
pub(crate) fn in_app(app: &App, dir: &str) -> String {
    match &app.path {
        Some(p) => format!("{p}/{dir}"),
        None => dir.to_owned(),
    }
}

fn check_app(
    config: &Config,
    app: &App,
    ref_name: &str,
    live: Option<&(crate::schema::Schema, String)>,
    since: Option<&str>,
) -> Result<AppReport> {
    let structure = app.structure.as_deref().unwrap_or_default();
    let dump_path = in_app(app, structure);
    let mut notes = Vec::new();
    if app.source != AppSource::Repo {
        return Err(Error::input(
            Diagnostic::new(format!(
                "app `{}` reads its code from the store, so its dump {dump_path} cannot be read from git",
                app.name
            ))
            .at(&config.path, app.line, 1),
        ));
    }
    let repo = crate::git::open(&app.name, &app.repo)?;
    let rev = revision_of(app, ref_name, &mut notes);
    let commit = crate::git::resolve(&repo, &app.name, rev)?;
    let Some(blob) = crate::git::blob_at(&repo, commit, &dump_path)? else {
        return Err(Error::input(
            Diagnostic::new(format!(
                "app `{}`: `structure` names {dump_path}, which does not exist at {rev} ({})",
                app.name,
                crate::render::short_commit(&commit.to_string())
            ))
            .at(&config.path, app.line, 1)
            .help("commit the dump there, or correct `structure` (it is relative to the app's `path`)"),
        ));
    };
    let text = crate::git::blob_text(&repo, blob, Path::new(&dump_path))?;
    let dump = crate::schema::source::parse_dump(Path::new(&dump_path), &text, Some(config.registry.dialect))?;

    let expected = match live {
        Some((schema, label)) => expected::Expected::live(schema.clone(), label.clone()),
        None => expected::build(config, app, ref_name, rev, &mut notes)?,
    };
    let mut findings = compare::compare(config, &expected, &dump, &Dump { path: &dump_path, text: &text });
    findings.extend(versions::compare(&expected, &dump, &Dump { path: &dump_path, text: &text }, &mut notes));
    findings.extend(dangling::find(config, app, (ref_name, rev), &dump, &dump_path, &expected, &mut notes)?);
    if let Some(since_rev) = since {
        let at = crate::git::since(&repo, since_rev)?.id();
        match crate::git::blob_at(&repo, at, &dump_path)? {
            Some(blob) => {
                let then_text = crate::git::blob_text(&repo, blob, Path::new(&dump_path))?;
                let then = crate::schema::source::parse_dump(
                    Path::new(&dump_path),
                    &then_text,
                    Some(config.registry.dialect),
                )?;
                let history = config.migrate.history_table.as_str();
                let text = Dump { path: &dump_path, text: &text };
                // The migrations added since explain the changes, whatever the truth compared with.
                let replayed = match live {
                    Some(_) => Some(expected::build(config, app, ref_name, rev, &mut notes)?),
                    None => None,
                };
                let migrations = replayed.as_ref().unwrap_or(&expected);
                findings.extend(since::compare(migrations, &then, &dump, &text, since_rev, history));
            }
            None => notes.push(format!("{dump_path} did not exist at {since_rev}: nothing to compare it with")),
        }
    }
    findings.extend(edited::find(config, app, &repo, commit, &dump_path, ref_name, &mut notes)?);
    findings.sort_by(|a, b| (!a.kind.is_drift(), a.kind, &a.object).cmp(&(!b.kind.is_drift(), b.kind, &b.object)));
    Ok(AppReport {
        app: app.name.clone(),
        git_ref: ref_name.to_owned(),
        commit: commit.to_string(),
        dump: dump_path,
        findings,
        notes,
    })
}

/// The dump as committed, for locating what it has.
pub struct Dump<'a> {
    pub path: &'a str,
    pub text: &'a str,
}

impl Dump<'_> {
    /// The 1-based line of the first line at or after `from` (0-based) that satisfies `pred`.
    fn line_where(&self, from: usize, pred: impl Fn(&str) -> bool) -> Option<usize> {
        self.text.lines().enumerate().skip(from).find(|(_, l)| pred(l)).map(|(i, _)| i + 1)
    }

    pub fn at(&self, line: usize) -> Location {
        Location { app: None, file: self.path.to_owned(), line: line as u32 }
    }

    /// Where the dump defines table `table` (`CREATE TABLE`, `create_table`).
    pub fn table_line(&self, table: &str) -> Option<usize> {
        self.line_where(0, |l| {
            let lower = l.to_ascii_lowercase();
            (lower.contains("create table") || lower.trim_start().starts_with("create_table")) && has_word(l, table)
        })
    }

    /// Where the dump defines column `column` of `table`: the first line of the table's body
    /// that starts with the column's name.
    pub fn column_line(&self, table: &str, column: &str) -> Option<usize> {
        let start = self.table_line(table)?;
        self.line_where(start, |l| {
            let first = l.trim_start().trim_start_matches("t.").split([' ', '\t', ',']).next().unwrap_or("");
            let first = first.trim_matches(|c| c == '"' || c == '`' || c == ':');
            first == column
                || l.trim_start().split(['(', ' ']).nth(1).is_some_and(|s| s.trim_matches(['"', ',']) == column)
        })
        .filter(|&n| self.text.lines().take(n).skip(start).all(|l| !l.trim_start().starts_with(");")))
    }

    /// The first line naming `name` as a word, preferring one that also holds `hint`.
    pub fn named_line(&self, name: &str, hint: &str) -> Option<usize> {
        let hint = hint.to_ascii_lowercase();
        self.line_where(0, |l| has_word(l, name) && l.to_ascii_lowercase().contains(&hint))
            .or_else(|| self.line_where(0, |l| has_word(l, name)))
    }
}

/// Whether `name` occurs in `line` as a whole identifier.
pub(crate) fn has_word(line: &str, name: &str) -> bool {
    let is_ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    line.match_indices(name).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + name.len()..].chars().next();
        !before.is_some_and(is_ident) && !after.is_some_and(is_ident)
    })
}

//! Release notes of database changes: for every migration added or changed between two revisions
//! of the repository that holds the migrations, what it does in plain words, who is affected (the
//! gate's answer for each destructive or locking operation), the risk (lint findings, waivers and
//! suppressions), the rollback, and whether it was edited after it first appeared; then totals and
//! the apps affected.
//!
//! [`history`] reads the range through libgit2, [`select`] picks the migrations it touched,
//! `crate::check` checks them, and [`build`] turns the check's findings into the notes, which
//! [`render`] writes as markdown, JSON (`"version": 1`) or HTML.

pub mod describe;
pub mod history;
pub mod html;
pub mod markdown;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use crate::check::{CheckReport, CheckedRef, Finding, Gate, ScanFailure, Severity, Suppression, Verdict};
use crate::rules::gate::object;
use git2::Repository;

use crate::config::{App, Config, SchemaSetting};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::layout::parse_file_name;
use crate::migration::{self, Format, Migration};
use crate::render::display_path;
use crate::scan::Reference;
use crate::schema::{Dialect, Schema, SchemaSource};
use describe::Names;
pub use history::{Change, Edit, History, Revision, parse_range};

/// The formats `tandem release-notes` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum NotesFormat {
    #[default]
    Markdown,
    Json,
    Html,
}

pub fn render(notes: &ReleaseNotes, format: NotesFormat) -> String {
    match format {
        NotesFormat::Markdown => markdown::render(notes),
        NotesFormat::Json => crate::render::json(notes),
        NotesFormat::Html => html::render(notes),
    }
}

/// The release notes. Serialized as the `json` format: field names are stable.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseNotes {
    pub version: u32,
    pub range: Range,
    /// The schema the migrations were checked against.
    pub schema: String,
    /// Every app and ref the gate consulted.
    pub checked: Vec<CheckedRef>,
    /// Apps (at refs) that could not be read: every destructive operation blocks on them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<ScanFailure>,
    pub migrations: Vec<Entry>,
    /// Migration files present at `from` and gone at `to`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<Removed>,
    pub summary: Totals,
    pub apps_affected: Vec<AffectedApp>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Range {
    pub from: Revision,
    pub to: Revision,
    /// The migration directory, relative to its repository's root.
    pub directory: String,
    /// The app whose own migrations these are (`--app`); absent for the shared migrations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
}

/// One migration added or changed in the range.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub version: String,
    pub name: String,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_file: Option<String>,
    pub format: Format,
    pub change: Change,
    /// Commits of the range that edited it after it first appeared, oldest first: it may have
    /// run (in CI, staging, production) in an earlier form.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edits: Vec<Edit>,
    /// Already applied according to the schema before the range: it is not checked again.
    pub applied_before: bool,
    pub verdict: Verdict,
    pub operations: Vec<OpNote>,
    /// Every finding on the migration, suppressed ones with what suppressed them.
    pub risks: Vec<Risk>,
    pub rollback: Rollback,
}

impl Entry {
    pub fn edited(&self) -> bool {
        !self.edits.is_empty() || self.change == Change::Changed
    }

    pub fn destructive(&self) -> bool {
        self.operations.iter().any(|o| o.destructive)
    }

    pub fn waived(&self) -> bool {
        self.risks.iter().any(|r| r.suppression.is_some())
    }

    pub fn irreversible(&self) -> bool {
        !self.rollback.down && !self.operations.is_empty()
    }

    pub fn format_name(&self) -> &'static str {
        self.format.as_str()
    }
}

/// One operation of a migration's up part.
#[derive(Debug, Clone, Serialize)]
pub struct OpNote {
    pub line: u32,
    /// What it does, in plain words.
    pub does: String,
    /// A destructive gate rule judged it.
    pub destructive: bool,
    /// The gate's verdict in words: who still uses the target, or that no app does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<String>,
    /// What its lock keeps from the apps, when a lint rule found it hazardous.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// The apps, at each ref, whose code references what it changes or locks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
}

/// An app at a ref that references what an operation drops, changes or locks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Affected {
    pub app: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub commit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `file:line` of each reference, sorted, without repeats.
    pub references: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    pub rule: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub message: String,
    /// The waiver or `tandem:allow` comment that keeps it from counting, with its reason, owner
    /// and expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rollback {
    /// Whether the migration has a down part.
    pub down: bool,
    /// What the down part does, in plain words.
    pub steps: Vec<String>,
    /// What the up part destroys that no down part brings back.
    pub cannot_undo: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    pub file: String,
    pub version: String,
    pub name: String,
}

/// Counts of migrations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub migrations: usize,
    /// With at least one destructive operation.
    pub destructive: usize,
    /// Whose verdict is block.
    pub blocked: usize,
    /// With at least one finding waived or suppressed.
    pub waived: usize,
    /// Without a down part.
    pub irreversible: usize,
    /// Edited after they first appeared.
    pub edited: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct AffectedApp {
    pub app: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The refs at which its code references what the migrations change or lock.
    pub refs: Vec<String>,
    /// The versions of the migrations that affect it.
    pub migrations: Vec<String>,
}

/// The migrations a range added or changed, with how and by which commits.
pub struct Selected {
    pub migrations: Vec<Migration>,
    /// Parallel to `migrations`.
    pub changes: Vec<(Change, Vec<Edit>)>,
    pub removed: Vec<Removed>,
}

/// Read every migration at the end of the range (as `load_path` reads a directory: pairs
/// joined, version order) and keep those whose files the range added or changed.
pub fn select(history: &History, format: Option<Format>, dialect: Dialect) -> Result<Selected> {
    let all = migration::load_files(history.files_after(), |p| history.text_after(p), format, dialect)?;
    let name_of = |p: &Path| history.key_of(p);
    let mut out = Selected { migrations: Vec::new(), changes: Vec::new(), removed: Vec::new() };
    for m in all {
        let files: Vec<String> = std::iter::once(&m.file).chain(m.down_file.as_ref()).map(|p| name_of(p)).collect();
        let changes: Vec<Change> = files.iter().filter_map(|f| history.change(f)).collect();
        if changes.is_empty() {
            continue;
        }
        let change = if changes.len() == files.len() && changes.iter().all(|c| *c == Change::Added) {
            Change::Added
        } else {
            Change::Changed
        };
        let mut edits: Vec<Edit> = Vec::new();
        for f in &files {
            for e in history.edits.get(f).into_iter().flatten() {
                if !edits.iter().any(|x| x.commit == e.commit) {
                    edits.push(e.clone());
                }
            }
        }
        out.migrations.push(m);
        out.changes.push((change, edits));
    }
    for name in history.before.keys().filter(|n| !history.after.contains_key(*n)) {
        let path = history.path_of(name);
        if name == "__init__.py" || migration::detect_format(&path, "").is_none() {
            continue;
        }
        let parsed = parse_file_name(&path);
        out.removed.push(Removed { file: display_path(&path), version: parsed.version, name: parsed.name });
    }
    Ok(out)
}

/// The repository that holds the migrations and their directory in it (relative to its root):
/// the registry's `migrations`, or with `app` that app's own `migrations` in its repository.
pub fn locate(config: &Config, app: Option<&str>) -> Result<(Repository, String)> {
    if let Some(name) = app {
        let app = crate::scan::select_apps(config, &[name.to_owned()])?[0];
        let dir = match app.migrations.as_slice() {
            [dir] => dir.as_str(),
            [] => {
                return Err(Error::input(
                    Diagnostic::new(format!("app `{name}` has no `migrations` directory"))
                        .at(&config.path, app.line, 1)
                        .help("add `migrations = \"db/migrate\"` (relative to the app's `path`) to its [[app]] entry"),
                ));
            }
            several => {
                return Err(Error::input(
                    Diagnostic::new(format!(
                        "app `{name}` lists {} migration directories; release notes describe one directory's range",
                        several.len()
                    ))
                    .at(&config.path, app.line, 1),
                ));
            }
        };
        let dir = match &app.path {
            Some(p) => format!("{p}/{dir}"),
            None => dir.to_owned(),
        };
        return Ok((crate::git::open(name, &app.repo)?, dir));
    }
    let dir = config.registry.migrations.clone().ok_or_else(|| {
        Error::input(
            Diagnostic::new("no migrations to describe: set `migrations` in [registry], or give --app NAME")
                .in_file(&config.path),
        )
    })?;
    let repo = Repository::discover(&dir).map_err(|e| {
        Error::environment(Diagnostic::new(format!("{} is not in a git repository: {}", dir.display(), e.message())))
    })?;
    let workdir = repo
        .workdir()
        .ok_or_else(|| Error::environment(Diagnostic::new(format!("{} is in a bare repository", dir.display()))))?;
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let rel = canonical(dir.as_path())
        .strip_prefix(canonical(workdir))
        .map(display_path)
        .map_err(|_| Error::environment(Diagnostic::new(format!("{} is outside its repository", dir.display()))))?;
    Ok((repo, rel))
}

/// The schema the migrations of the range are checked against, and how it was found: the
/// schema dump as it was at the start of the range when the repository holds it (the app's
/// `structure` with `--app`, else the registry's `schema`), else the registry's schema as
/// configured, else an empty one.
pub fn schema_before(config: &Config, app: Option<&str>, history: &History) -> Result<(Schema, String)> {
    let dialect = config.registry.dialect;
    let from = &history.from.name;
    let in_repo: Option<String> = match app {
        Some(name) => {
            let app = crate::scan::select_apps(config, &[name.to_owned()])?[0];
            app.structure.as_ref().map(|s| match &app.path {
                Some(p) => format!("{p}/{s}"),
                None => s.clone(),
            })
        }
        None => match (&config.registry.schema, history.workdir()) {
            (Some(SchemaSetting::File(p)), Some(workdir)) => {
                let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
                canonical(p.as_path()).strip_prefix(canonical(workdir)).ok().map(display_path)
            }
            _ => None,
        },
    };
    // A SQLite schema is a database file, read live as it is now.
    let text_dump = |p: &str| !matches!(p.rsplit('.').next(), Some("sqlite" | "sqlite3" | "db"));
    if let Some(path) = in_repo.as_ref().filter(|p| text_dump(p))
        && let Some(text) = history.file_at_from(path)?
    {
        let schema = crate::schema::parse_dump(Path::new(path), &text, Some(dialect))?;
        return Ok((schema, format!("`{path}` at {from}")));
    }
    match &config.registry.schema {
        Some(SchemaSetting::File(p)) => {
            let schema = crate::schema::load(&SchemaSource::File(p.clone()), Some(dialect))?;
            let shown = p.strip_prefix(&config.root).unwrap_or(p);
            Ok((schema, format!("`{}` as it is now (not in the repository at {from})", display_path(shown))))
        }
        Some(SchemaSetting::UrlEnv(var)) => {
            let schema = crate::schema::load(&SchemaSource::UrlEnv(var.clone()), Some(dialect))?;
            Ok((schema, format!("the database in `${var}` as it is now")))
        }
        None => Ok((Schema::new(dialect), "an empty schema (the registry names none)".to_owned())),
    }
}

/// Everything [`build`] turns into release notes.
pub struct Input<'a> {
    pub history: &'a History,
    pub app: Option<&'a str>,
    /// How the schema before the range was found, for the reader.
    pub schema: String,
    pub selected: &'a Selected,
    /// The check of `selected.migrations`.
    pub report: &'a CheckReport,
    /// The gate the check consulted, asked again for the apps that use what a lock blocks.
    pub gate: &'a Gate<'a>,
    /// The registry's apps, for owners.
    pub apps: &'a [App],
    pub dialect: Dialect,
}

pub fn build(input: &Input<'_>) -> ReleaseNotes {
    let names = Names { default_schema: input.dialect.default_schema() };
    let owners: BTreeMap<&str, Option<&str>> =
        input.apps.iter().map(|a| (a.name.as_str(), a.owner.as_deref())).collect();
    let owner = |app: &str| owners.get(app).copied().flatten().map(str::to_owned);
    let applied: BTreeSet<&str> =
        input.report.migrations.iter().filter(|m| m.applied).map(|m| m.version.as_str()).collect();

    let mut entries = Vec::new();
    for (m, (change, edits)) in input.selected.migrations.iter().zip(&input.selected.changes) {
        let findings: Vec<&Finding> =
            input.report.findings.iter().filter(|f| f.migration.as_deref() == Some(m.version.as_str())).collect();
        let mut operations = Vec::new();
        for op in &m.up {
            let Some(does) = names.describe(&op.kind) else { continue };
            let here: Vec<&&Finding> = findings
                .iter()
                .filter(|f| f.location.as_ref().is_some_and(|l| l.file == op.span.file && l.start == op.span.start))
                .collect();
            let gate_finding = here.iter().find(|f| crate::rules::find(&f.rule).is_some_and(|r| r.gate()));
            let lock_risk = here
                .iter()
                .any(|f| f.severity >= Severity::Warn && !crate::rules::find(&f.rule).is_some_and(|r| r.gate()));
            let mut note = OpNote {
                line: op.span.line,
                does,
                destructive: gate_finding.is_some(),
                gate: gate_finding.map(|f| f.message.clone()),
                lock: None,
                affected: Vec::new(),
            };
            if let Some(f) = gate_finding {
                note.affected = affected(&f.references, &owner);
            } else if lock_risk && let Some((what, tables)) = names.lock(&op.kind) {
                let targets: Vec<_> = tables.iter().map(|t| object(t, None)).collect();
                note.lock = Some(what);
                note.affected = affected(&input.gate.consult(&targets).references, &owner);
            }
            operations.push(note);
        }
        let risks = findings
            .iter()
            .map(|f| Risk {
                rule: f.rule.clone(),
                severity: f.severity,
                line: f.location.as_ref().map(|l| l.line),
                object: f.object.clone(),
                message: f.message.clone(),
                suppression: f.suppression.clone(),
            })
            .collect();
        let rollback = Rollback {
            down: m.down.is_some(),
            steps: m.down.iter().flatten().filter_map(|op| names.describe(&op.kind)).collect(),
            cannot_undo: m.up.iter().filter_map(|op| names.cannot_undo(&op.kind)).collect(),
        };
        entries.push(Entry {
            version: m.version.clone(),
            name: m.name.clone(),
            file: display_path(&m.file),
            down_file: m.down_file.as_deref().filter(|d| *d != m.file.as_path()).map(display_path),
            format: m.format,
            change: *change,
            edits: edits.clone(),
            applied_before: applied.contains(m.version.as_str()),
            verdict: Verdict::of(&findings.iter().map(|f| (*f).clone()).collect::<Vec<_>>()),
            operations,
            risks,
            rollback,
        });
    }

    let summary = Totals {
        migrations: entries.len(),
        destructive: entries.iter().filter(|e| e.destructive()).count(),
        blocked: entries.iter().filter(|e| e.verdict == Verdict::Block).count(),
        waived: entries.iter().filter(|e| e.waived()).count(),
        irreversible: entries.iter().filter(|e| e.irreversible()).count(),
        edited: entries.iter().filter(|e| e.edited()).count(),
    };
    let mut by_app: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for e in &entries {
        for a in e.operations.iter().flat_map(|o| &o.affected) {
            let (refs, versions) = by_app.entry(a.app.clone()).or_default();
            refs.insert(a.git_ref.clone());
            versions.insert(e.version.clone());
        }
    }
    let apps_affected = by_app
        .into_iter()
        .map(|(app, (refs, versions))| AffectedApp {
            owner: owner(&app),
            app,
            refs: refs.into_iter().collect(),
            migrations: {
                let mut v: Vec<String> = versions.into_iter().collect();
                v.sort_by(|a, b| migration::layout::compare_versions(a, b));
                v
            },
        })
        .collect();

    ReleaseNotes {
        version: 1,
        range: Range {
            from: input.history.from.clone(),
            to: input.history.to.clone(),
            directory: if input.history.dir.is_empty() { ".".to_owned() } else { input.history.dir.clone() },
            app: input.app.map(str::to_owned),
        },
        schema: input.schema.clone(),
        checked: input.report.checked.clone(),
        unreadable: input.report.unreadable.clone(),
        migrations: entries,
        removed: input.selected.removed.clone(),
        summary,
        apps_affected,
    }
}

/// References grouped by app and ref, each as its `file:line`s.
fn affected(references: &[Reference], owner: &dyn Fn(&str) -> Option<String>) -> Vec<Affected> {
    let mut groups: BTreeMap<(String, String, String), BTreeSet<(String, u32)>> = BTreeMap::new();
    for r in references {
        groups
            .entry((r.app.to_string(), r.git_ref.to_string(), r.commit.to_string()))
            .or_default()
            .insert((r.path.to_string(), r.line));
    }
    groups
        .into_iter()
        .map(|((app, git_ref, commit), places)| Affected {
            owner: owner(&app),
            app,
            git_ref,
            commit,
            references: places.into_iter().map(|(p, l)| format!("{p}:{l}")).collect(),
        })
        .collect()
}

/// A waiver or suppression comment in words: by whom, until when, why.
pub fn suppression_words(s: &Suppression) -> String {
    match s {
        Suppression::Waiver { line, reason, owner, until } => {
            format!("waived in apps.toml (line {line}) by {owner} until {until}: {reason}")
        }
        Suppression::Comment { line, reason, until } => format!(
            "suppressed by a `tandem:allow` comment (line {line}){}: {reason}",
            until.as_ref().map_or(String::new(), |u| format!(" until {u}"))
        ),
    }
}

//! The gate for a Prisma schema applied with `prisma db push`: no migration file is ever written,
//! so what a pull request does to the database is the difference between the schema at the base
//! revision and the schema in the work tree. `check --since REV` reads both
//! ([`crate::schema::prisma`]), turns their difference into the operations a migration reader
//! would produce ([`crate::migration::diffed`]) and checks them as migrations: one per schema file,
//! what is removed located in the file as it was at REV (named `path@REV`, with that text for
//! excerpts), what is added or changed in the work tree's file.
//!
//! Without `--since` there is nothing to compare with, and the check says so (exit 2) rather than
//! pass: a pass would say that nothing is dropped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::baseline::shown_path;
use crate::check::gather::Request;
use crate::check::{Plan, Role, Step};
use crate::config::{Config, SchemaSetting};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::diffed::{self, Side};
use crate::migration::{Format, Migration, Operation, Span};
use crate::rules::SCHEMA_STATE;
use crate::rules::finding::{Finding, Severity};
use crate::schema::prisma::{self, Place, Read};

/// The registry's Prisma schema (a `.prisma` file or a folder of them), when `schema` names one.
pub fn prisma_schema(config: &Config) -> Option<&Path> {
    match &config.registry.schema {
        Some(SchemaSetting::File(path)) if prisma::is_prisma(path) => Some(path),
        _ => None,
    }
}

/// The plan of a check of the Prisma schema at `path`: its changes since `--since`.
pub fn plan(config: &Config, path: &Path, request: &Request, root: &Path) -> Result<Plan> {
    let shown = shown_path(path, root);
    if config.registry.migrations.is_some() {
        let d = Diagnostic::new(format!(
            "`schema` names the Prisma schema {shown} and `migrations` is set; expected one of them"
        ))
        .help(
            "with `prisma migrate`, leave `schema` out: the migrations are what reaches the database; with \
             `prisma db push`, leave `migrations` out: tandem gates the schema's changes",
        );
        return Err(Error::input(config.at_setting("schema", d)));
    }
    let Some(rev) = request.since.as_deref() else {
        let d = Diagnostic::new(format!(
            "`schema` names the Prisma schema {shown}, which `prisma db push` applies without migration files: \
             there is nothing to check without a revision to compare it with"
        ))
        .help("run `tandem check --since <base>` (the branch a pull request goes into): its changes since then are checked");
        return Err(Error::input(config.at_setting("schema", d)));
    };
    let repo = crate::git::discover(&config.root)?;
    let Some(workdir) = repo.workdir().and_then(|w| w.canonicalize().ok()) else {
        return Err(Error::environment(Diagnostic::new("--since needs a repository with a work tree, not a bare one")));
    };
    let commit = crate::git::since(&repo, rev)?;
    let short = commit.id().to_string()[..7].to_owned();
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let Ok(relative) = canonical.strip_prefix(&workdir).map(Path::to_path_buf) else {
        return Err(Error::input(config.at_setting(
            "schema",
            Diagnostic::new(format!(
                "the Prisma schema {shown} is outside the repository; --since cannot read it at {rev}"
            )),
        )));
    };
    let old = files_at(&repo, &commit, &relative, rev)?;
    let old: Vec<(PathBuf, String)> =
        old.into_iter().map(|(p, text)| (PathBuf::from(format!("{}@{rev}", display(&p))), text)).collect();
    let new = files_now(path, root)?;
    let dialect = config.registry.dialect;
    let before = prisma::read(&old, dialect)?;
    let after = prisma::read(&new, dialect)?;
    let place = |side: Side, kind: &str, object: &str| -> Span {
        let read: &Read = if side == Side::Before { &before } else { &after };
        match read.places.get(&(kind_key(kind), object.to_owned())) {
            Some(p) => span(p),
            None => Span { file: PathBuf::from(&shown), line: 1, column: 1, start: 0, end: 0 },
        }
    };
    let ops = diffed::operations(&before.schema, &after.schema, &place);
    let count = ops.len();
    // One migration per file, the work tree's before the revision's (additions before removals).
    let mut by_file: BTreeMap<(bool, PathBuf), Vec<Operation>> = BTreeMap::new();
    let was = |f: &Path| old.iter().any(|(p, _)| p == f);
    for op in ops {
        by_file.entry((was(&op.span.file), op.span.file.clone())).or_default().push(op);
    }
    let texts: BTreeMap<&PathBuf, &String> = old.iter().chain(&new).map(|(p, t)| (p, t)).collect();
    let steps = by_file
        .into_iter()
        .map(|((removed, file), up)| Step {
            migration: Migration {
                source: texts.get(&file).map(|t| (*t).clone()).unwrap_or_default(),
                file,
                down_file: None,
                version: if removed { rev.to_owned() } else { "work tree".to_owned() },
                name: "prisma db push".to_owned(),
                format: Format::PrismaSchema,
                up,
                // Pushing the schema as it was undoes it, as a down part would.
                down: Some(Vec::new()),
                transactional: false,
                replaces: Vec::new(),
            },
            role: Role::Check,
        })
        .collect();
    let origin = format!("{shown} at {rev} ({short})");
    let absent = if old.is_empty() { " (it did not exist there: everything in it is new)" } else { "" };
    let notes = vec![Finding::new(
        SCHEMA_STATE,
        Severity::Info,
        format!(
            "compared the Prisma schema {shown} at {rev} ({short}){absent} with the work tree: {count} change{} \
             `prisma db push` would make (a renamed model or field is a drop and an add, as `db push` does it)",
            if count == 1 { "" } else { "s" }
        ),
    )];
    Ok(Plan { schema: before.schema, origin, given: true, steps, notes })
}

/// The diff's kinds as the reader keys its places.
fn kind_key(kind: &str) -> &'static str {
    match kind {
        "table" => "table",
        "column" => "column",
        "index" => "index",
        "primary_key" => "primary_key",
        "foreign_key" => "foreign_key",
        "enum" => "enum",
        _ => "",
    }
}

fn span(p: &Place) -> Span {
    Span { file: p.file.clone(), line: p.line, column: p.column, start: p.start, end: p.end }
}

fn display(p: &Path) -> String {
    crate::render::display_path(p)
}

/// The schema's `.prisma` files in the work tree, named relative to `root`.
fn files_now(path: &Path, root: &Path) -> Result<Vec<(PathBuf, String)>> {
    let files = if path.is_dir() { prisma::files_under(path) } else { vec![path.to_path_buf()] };
    let mut out = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| Error::read(&f, e))?;
        out.push((PathBuf::from(shown_path(&f, root)), crate::error::utf8(&f, bytes)?));
    }
    Ok(out)
}

/// The schema's `.prisma` files at `commit` (the file, or every `.prisma` file under the folder),
/// by their paths in the repository; none when the path did not exist there.
fn files_at(
    repo: &git2::Repository,
    commit: &git2::Commit<'_>,
    relative: &Path,
    rev: &str,
) -> Result<Vec<(PathBuf, String)>> {
    let git = |e: git2::Error| {
        Error::environment(Diagnostic::new(format!("cannot read {} at {rev}: {}", display(relative), e.message())))
    };
    let tree = commit.tree().map_err(git)?;
    let Ok(entry) = tree.get_path(relative) else { return Ok(Vec::new()) };
    let mut blobs: Vec<(PathBuf, git2::Oid)> = Vec::new();
    match entry.kind() {
        Some(git2::ObjectType::Tree) => {
            let sub = repo.find_tree(entry.id()).map_err(git)?;
            sub.walk(git2::TreeWalkMode::PreOrder, |dir, e| {
                let name = e.name().unwrap_or_default();
                if e.kind() == Some(git2::ObjectType::Blob) && prisma::is_prisma_file(Path::new(name)) {
                    blobs.push((relative.join(dir).join(name), e.id()));
                }
                git2::TreeWalkResult::Ok
            })
            .map_err(git)?;
        }
        _ => blobs.push((relative.to_path_buf(), entry.id())),
    }
    blobs.sort();
    let mut out = Vec::new();
    for (p, id) in blobs {
        let blob = repo.find_blob(id).map_err(git)?;
        let text = crate::error::utf8(&p, blob.content().to_vec())?;
        out.push((p, text));
    }
    Ok(out)
}

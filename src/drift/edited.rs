//! Applied migrations edited in place (`edited_migration`): a database that ran a migration never
//! runs it again, so an edit makes two databases with the same version history differ.
//!
//! A migration counts as applied from the first commit of the checked app's history whose dump
//! lists its version, or from the app's `deployed` ref when its file is there. Its file is then
//! compared with the same file at the ref being checked: in the dump's repository exactly (the
//! tree of that commit), in another app's repository as that repository's history had it at the
//! dump commit's time (there is no common history to go by).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use git2::{Oid, Repository, Sort};

use crate::config::{App, AppSource, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::render::short_commit;

use super::{Finding, Kind, Location};

/// A migration directory as one commit of a history had it.
struct Snapshot {
    time: i64,
    files: BTreeMap<String, Oid>,
}

pub fn find(
    config: &Config,
    checked: &App,
    dump_repo: &Repository,
    dump_commit: Oid,
    dump_path: &str,
    ref_name: &str,
    notes: &mut Vec<String>,
) -> Result<Vec<Finding>> {
    let dumps = dump_history(dump_repo, dump_commit, dump_path)?;
    let mut out = Vec::new();
    for (app, dir) in config.app_migration_dirs().filter(|(a, _)| a.source == AppSource::Repo) {
        let dir = super::in_app(app, dir);
        let same_repo = app.name == checked.name;
        let repo = if same_repo { None } else { Some(crate::git::open(&app.name, &app.repo)?) };
        let repo = repo.as_ref().unwrap_or(dump_repo);
        let rev = if same_repo {
            None
        } else if matches!(ref_name, "head" | "deployed") {
            Some(super::revision_of(app, ref_name, &mut Vec::new()).to_owned())
        } else {
            Some(app.head.clone())
        };
        let tip = match &rev {
            Some(r) => crate::git::resolve(repo, &app.name, r)?,
            None => dump_commit,
        };
        let now = crate::git::files_in(repo, tip, &dir)?;
        let history = if same_repo { Vec::new() } else { dir_history(repo, tip, &dir)? };
        let owner = (!same_repo).then(|| app.name.clone());
        let mut reported = BTreeSet::new();

        // Edited after the dump first listed it.
        let version_of = |name: &str| crate::migration::layout::parse_file_name(Path::new(name)).version;
        let wanted = now.keys().map(|n| version_of(n)).filter(|v| !v.is_empty()).collect();
        let listed = first_listings(&dumps, dump_repo, dump_path, wanted)?;
        for (name, blob_now) in &now {
            let version = version_of(name);
            let Some(&(dumped_at, time)) = listed.get(&version) else { continue };
            let then = if same_repo {
                crate::git::files_in(repo, dumped_at, &dir)?.get(name).copied()
            } else {
                history.iter().rev().find(|s| s.time <= time).and_then(|s| s.files.get(name).copied())
            };
            let Some(then) = then.filter(|t| t != blob_now) else { continue };
            let path = format!("{dir}/{name}");
            let edit = last_change(repo, tip, &path)?;
            out.extend(edited(
                repo,
                &path,
                owner.clone(),
                (then, *blob_now),
                format!(
                    "{path} changed after {} first listed migration {version} as applied ({}); it was last changed in {}",
                    dump_path,
                    short_commit(&dumped_at.to_string()),
                    short_commit(&edit.to_string())
                ),
                vec![dumped_at, edit],
                config,
            )?);
            reported.insert(name.clone());
        }

        // Edited after it reached the deployed ref.
        if ref_name == "head"
            && let Some(deployed) = &app.deployed
        {
            let at = crate::git::resolve(repo, &app.name, deployed)?;
            if at != tip {
                for (name, blob_then) in crate::git::files_in(repo, at, &dir)? {
                    let Some(blob_now) = now.get(&name).filter(|b| **b != blob_then) else { continue };
                    if reported.contains(&name) {
                        continue;
                    }
                    let path = format!("{dir}/{name}");
                    let edit = last_change(repo, tip, &path)?;
                    out.extend(edited(
                        repo,
                        &path,
                        owner.clone(),
                        (blob_then, *blob_now),
                        format!(
                            "{path} changed after it reached app `{}`'s deployed ref {deployed} ({}); it was last changed in {}",
                            app.name,
                            short_commit(&at.to_string()),
                            short_commit(&edit.to_string())
                        ),
                        vec![at, edit],
                        config,
                    )?);
                }
            }
        }
    }
    if dumps.is_empty() {
        notes.push(format!("{dump_path} has no history: edits after it listed a migration are not looked for"));
    }
    Ok(out)
}

/// A finding for a migration file that differs between `blobs.0` (applied) and `blobs.1` (now),
/// with the operations that differ; `None` when no operation does.
fn edited(
    repo: &Repository,
    path: &str,
    app: Option<String>,
    blobs: (Oid, Oid),
    message: String,
    commits: Vec<Oid>,
    config: &Config,
) -> Result<Option<Finding>> {
    let dialect = config.registry.dialect;
    // Each operation as what it does (to compare) and as written (to show).
    let ops = |blob: Oid| -> Option<Vec<(String, String)>> {
        let text = crate::git::blob_text(repo, blob, Path::new(path)).ok()?;
        let ms = crate::migration::read_file(Path::new(path), &text, None, dialect).ok()?;
        Some(
            ms.iter()
                .flat_map(|m| &m.up)
                .map(|op| {
                    let what = crate::migration::readers::excerpt(&text[op.span.start..op.span.end]);
                    (format!("{:?}", op.kind), what)
                })
                .collect(),
        )
    };
    let (before, after) = (ops(blobs.0), ops(blobs.1));
    // An edit that changes no operation (formatting, the migration's Rails version) changes no
    // database; one that cannot be read either side is reported, since tandem cannot tell.
    if let (Some(b), Some(a)) = (&before, &after) {
        let kinds = |ops: &[(String, String)]| ops.iter().map(|o| o.0.clone()).collect::<Vec<_>>();
        if kinds(b) == kinds(a) {
            return Ok(None);
        }
    }
    let (before, after) = (before.unwrap_or_default(), after.unwrap_or_default());
    let mut evidence: Vec<String> = commits.iter().map(|c| format!("commit {c}")).collect();
    evidence.extend(before.iter().filter(|o| !after.iter().any(|x| x.0 == o.0)).map(|o| format!("- {}", o.1)));
    evidence.extend(after.iter().filter(|o| !before.iter().any(|x| x.0 == o.0)).map(|o| format!("+ {}", o.1)));
    let version = crate::migration::layout::parse_file_name(Path::new(path)).version;
    Ok(Some(Finding {
        kind: Kind::EditedMigration,
        object: version,
        message,
        location: Some(Location { app, file: path.to_owned(), line: 1 }),
        evidence,
    }))
}

/// The commits of the dump's history (oldest first) at which the dump changed, with its text.
fn dump_history(repo: &Repository, tip: Oid, path: &str) -> Result<Vec<(Oid, i64, Oid)>> {
    let mut out = Vec::new();
    for (commit, time, parent) in walk(repo, tip)? {
        let Some(blob) = crate::git::blob_at(repo, commit, path)? else { continue };
        let before = match parent {
            Some(p) => crate::git::blob_at(repo, p, path)?,
            None => None,
        };
        if before != Some(blob) {
            out.push((commit, time, blob));
        }
    }
    Ok(out)
}

/// For each of `wanted`, the first commit (and its time) whose dump lists it: one pass over the
/// dump's history, each version of it read once.
fn first_listings(
    dumps: &[(Oid, i64, Oid)],
    repo: &Repository,
    path: &str,
    mut wanted: BTreeSet<String>,
) -> Result<BTreeMap<String, (Oid, i64)>> {
    let mut out = BTreeMap::new();
    for (commit, time, blob) in dumps {
        if wanted.is_empty() {
            break;
        }
        let text = crate::git::blob_text(repo, *blob, Path::new(path))?;
        // Versions are listed as quoted literals (structure.sql) or `version:` (schema.rb).
        for line in text.lines().filter(|l| l.contains('\'') || l.contains("version")) {
            for word in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
                if wanted.remove(word) {
                    out.insert(word.to_owned(), (*commit, *time));
                }
            }
        }
    }
    Ok(out)
}

/// The directory at each commit of the history of `tip` that changed it, oldest first.
fn dir_history(repo: &Repository, tip: Oid, dir: &str) -> Result<Vec<Snapshot>> {
    let mut out: Vec<Snapshot> = Vec::new();
    for (commit, time, _) in walk(repo, tip)? {
        let files = crate::git::files_in(repo, commit, dir)?;
        if out.last().is_none_or(|s| s.files != files) {
            out.push(Snapshot { time, files });
        }
    }
    Ok(out)
}

/// The newest commit reachable from `tip` that changed `path`.
fn last_change(repo: &Repository, tip: Oid, path: &str) -> Result<Oid> {
    let mut last = tip;
    let mut previous = None;
    for (commit, _, _) in walk(repo, tip)? {
        let blob = crate::git::blob_at(repo, commit, path)?;
        if blob != previous {
            last = commit;
            previous = blob;
        }
    }
    Ok(last)
}

/// The first-parent history of `tip`, oldest first: (commit, time, parent).
fn walk(repo: &Repository, tip: Oid) -> Result<Vec<(Oid, i64, Option<Oid>)>> {
    let git = |e: git2::Error| Error::environment(Diagnostic::new(format!("git: {}", e.message())));
    let mut walk = repo.revwalk().map_err(git)?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).map_err(git)?;
    walk.simplify_first_parent().map_err(git)?;
    walk.push(tip).map_err(git)?;
    let mut out = Vec::new();
    for id in walk {
        let id = id.map_err(git)?;
        let commit = repo.find_commit(id).map_err(git)?;
        out.push((id, commit.time().seconds(), commit.parent_ids().next()));
    }
    Ok(out)
}

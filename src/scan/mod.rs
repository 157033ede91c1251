//! Reading each app's code at its refs through libgit2 and turning it into references.
//!
//! The pipeline, per app and ref: resolve the revision → list the app's blobs at that commit
//! ([`tree`]) → look every (blob, extractor) pair up in the store's cache in one batch → read and
//! extract only the misses, in parallel → store the new facts in one batch → resolve all facts
//! of the commit together ([`resolve`]) into references.

pub mod extract;
pub mod facts;
pub mod inflect;
pub mod reference;
pub mod resolve;
pub mod tree;

pub use reference::{ObjectRef, RefKind, Reference, ScanResult, ScanSummary};

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use crate::config::{App, AppSource, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::scan::extract::{ExtractContext, Extractor};
use crate::scan::facts::FileFacts;
use crate::scan::reference::Skipped;
use crate::scan::resolve::SchemaIndex;
use crate::scan::tree::{Content, FileEntry};
use crate::schema::Schema;
use crate::store::{BlobKey, Store};

/// What to scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Only these apps (all when empty).
    pub apps: Vec<String>,
    /// Scan this revision instead of each app's `deployed` and `head`.
    pub revision: Option<String>,
    /// Mark the stored scans as published.
    pub publish: bool,
    /// Show a progress bar (only ever on a terminal).
    pub progress: bool,
}

/// The apps selected by `names` (all when empty); an unknown name is an input error.
pub fn select_apps<'a>(config: &'a Config, names: &[String]) -> Result<Vec<&'a App>> {
    if names.is_empty() {
        return Ok(config.apps.iter().collect());
    }
    names
        .iter()
        .map(|n| {
            config.apps.iter().find(|a| &a.name == n).ok_or_else(|| {
                let known: Vec<&str> = config.apps.iter().map(|a| a.name.as_str()).collect();
                Error::input(
                    Diagnostic::new(format!("no app named `{n}` in {}", config.path.display()))
                        .help(format!("known apps: {}", known.join(", "))),
                )
            })
        })
        .collect()
}

/// The (ref name, revision) pairs to scan for `app`: `--ref REV` alone, or its `deployed` and
/// `head`.
pub fn refs_of<'a>(app: &'a App, revision: Option<&'a str>) -> Vec<(&'a str, &'a str)> {
    match revision {
        Some(rev) => vec![(rev, rev)],
        None => app.refs(),
    }
}

/// Scan every selected app at each of its refs (reading apps with `source = "store"` from their
/// latest published scan), store the results, and return them sorted by app then ref.
/// `schema` adds implicit references and the identifiers for the `name` fallback.
pub fn run(config: &Config, schema: Option<&Schema>, store: &Store, options: &ScanOptions) -> Result<Vec<ScanResult>> {
    let index = schema.map(SchemaIndex::new);
    let mut results = Vec::new();
    for app in select_apps(config, &options.apps)? {
        for (git_ref, revision) in refs_of(app, options.revision.as_deref()) {
            if app.source == AppSource::Store {
                let scan = store.latest_scan(&app.name, git_ref, true)?.ok_or_else(|| {
                    Error::environment(
                        Diagnostic::new(format!(
                            "app `{}` has `source = \"store\"` but no scan of its `{git_ref}` ref was published",
                            app.name
                        ))
                        .help(format!("run `tandem scan --app {} --publish` in the app's CI", app.name)),
                    )
                })?;
                results.push(scan);
                continue;
            }
            let scan = scan_ref(config, app, git_ref, revision, index.as_ref(), Some(store), options.progress)?;
            store.save_scan(&scan, options.publish)?;
            results.push(scan);
        }
    }
    results.sort_by(|a, b| (&a.app, &a.git_ref).cmp(&(&b.app, &b.git_ref)));
    Ok(results)
}

/// Scan one app at one revision. `cache` is the store's blob cache; without it every blob is
/// read and nothing is stored (used by tests and one-off runs).
pub fn scan_ref(
    config: &Config,
    app: &App,
    git_ref: &str,
    revision: &str,
    schema: Option<&SchemaIndex>,
    cache: Option<&Store>,
    progress: bool,
) -> Result<ScanResult> {
    let started = Instant::now();
    let repo = crate::git::open(&app.name, &app.repo)?;
    let commit = crate::git::resolve(&repo, &app.name, revision)?;
    let listing = tree::list(&repo, app, revision, commit)?;
    let files = &listing.files;
    let identifiers = schema.map(SchemaIndex::identifiers).unwrap_or_default();
    let ctx = ExtractContext { framework: app.framework, identifiers: &identifiers };
    let extractors = extract::all();
    let tags: Vec<String> = extractors
        .iter()
        .map(|e| format!("{}@{}:{}:{}", e.id(), e.version(), app.framework, e.fingerprint(&ctx)))
        .collect();

    // Which extractors read which file; files no extractor wants are not read at all.
    let plans: Vec<(usize, Vec<usize>)> = listing
        .files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let ex: Vec<usize> = extractors
                .iter()
                .enumerate()
                .filter(|(_, e)| e.applies(&f.app_path, app.framework))
                .map(|(j, _)| j)
                .collect();
            (!ex.is_empty()).then_some((i, ex))
        })
        .collect();
    let key = |f: &FileEntry, j: usize| BlobKey { blob: f.blob.to_string(), extractor: tags[j].clone() };
    let cached: HashMap<BlobKey, FileFacts> = match cache {
        Some(store) => {
            let keys: Vec<BlobKey> =
                plans.iter().flat_map(|(i, ex)| ex.iter().map(move |&j| key(&files[*i], j))).collect();
            store.cached_facts(&keys)?
        }
        None => HashMap::new(),
    };

    let mut facts: Vec<(String, FileFacts)> = Vec::new();
    let mut misses: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut summary = ScanSummary::default();
    for (i, ex) in &plans {
        let f = &listing.files[*i];
        let keys: Vec<BlobKey> = ex.iter().map(|&j| key(f, j)).collect();
        if keys.iter().all(|k| cached.contains_key(k)) {
            summary.blobs_from_cache += 1;
            facts.push((f.path.clone(), merge(keys.iter().filter_map(|k| cached.get(k).cloned()))));
        } else {
            misses.push((*i, ex.clone()));
        }
    }

    let bar = progress_bar(progress, misses.len() as u64, &app.name, git_ref);
    let max_size = config.scan.max_file_size;
    let repo_path = app.repo.clone();
    let read: Vec<Extracted> = misses
        .par_iter()
        // git2's Repository is not Sync: one handle per rayon job.
        .map_init(
            || open_quiet(&repo_path),
            |repo, (i, ex)| {
                let f = &listing.files[*i];
                let out = match repo.as_ref().map(|r| tree::read(r, f.blob, max_size)) {
                    Err(e) => (*i, Err(e.clone()), false),
                    Ok(Content::Skipped(reason)) => (*i, Err(reason), false),
                    Ok(Content::Text(text)) => {
                        (*i, Ok(run_extractors(&extractors, ex, &f.app_path, &text, &ctx)), false)
                    }
                    Ok(Content::Lossy(text)) => {
                        (*i, Ok(run_extractors(&extractors, ex, &f.app_path, &text, &ctx)), true)
                    }
                };
                if let Some(b) = &bar {
                    b.inc(1);
                }
                out
            },
        )
        .collect();
    if let Some(b) = bar {
        b.finish_and_clear();
    }

    let mut fresh: Vec<(BlobKey, FileFacts)> = Vec::new();
    let mut skipped: Vec<Skipped> = listing.skipped.clone();
    for (i, result, lossy) in read {
        let f = &listing.files[i];
        match result {
            Err(reason) => skipped.push(Skipped { path: f.path.clone(), reason }),
            Ok(per_extractor) => {
                summary.files_read += 1;
                if lossy {
                    // Not cached, so that every scan reports it, cold or warm.
                    skipped.push(Skipped {
                        path: f.path.clone(),
                        reason: "not valid UTF-8: read with invalid bytes replaced".to_owned(),
                    });
                } else {
                    fresh.extend(per_extractor.iter().map(|(j, ff)| (key(f, *j), ff.clone())));
                }
                facts.push((f.path.clone(), merge(per_extractor.into_iter().map(|(_, ff)| ff))));
            }
        }
    }
    if let Some(store) = cache
        && !fresh.is_empty()
    {
        store.put_facts(&fresh)?;
    }
    facts.sort_by(|a, b| a.0.cmp(&b.0));
    let commit_hex = commit.to_string();
    let ctx = resolve::Context { app, git_ref, commit: &commit_hex, schema };
    let references = resolve::resolve(&ctx, &facts);
    skipped.sort();
    summary.skipped = skipped;
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(ScanResult {
        app: app.name.clone(),
        git_ref: git_ref.to_owned(),
        revision: revision.to_owned(),
        commit: commit_hex,
        references,
        summary,
    })
}

/// One read file: its index, the facts per extractor (or why it was not read), and whether it
/// was decoded lossily.
type Extracted = (usize, Result<Vec<(usize, FileFacts)>, String>, bool);

fn open_quiet(path: &Path) -> std::result::Result<git2::Repository, String> {
    git2::Repository::open(path).map_err(|e| format!("cannot open the repository: {}", e.message()))
}

fn run_extractors(
    extractors: &[Box<dyn Extractor>],
    which: &[usize],
    path: &str,
    text: &str,
    ctx: &ExtractContext<'_>,
) -> Vec<(usize, FileFacts)> {
    which.iter().map(|&j| (j, extractors[j].extract(path, text, ctx))).collect()
}

fn merge(parts: impl Iterator<Item = FileFacts>) -> FileFacts {
    let mut out = FileFacts::default();
    for p in parts {
        out.hits.extend(p.hits);
        out.models.extend(p.models);
    }
    out
}

fn progress_bar(wanted: bool, len: u64, app: &str, git_ref: &str) -> Option<indicatif::ProgressBar> {
    if !wanted || len == 0 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(len), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} files") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(format!("{app}@{git_ref}"));
    Some(bar)
}

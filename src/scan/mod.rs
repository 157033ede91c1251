//! Reading each app's code at its refs through libgit2 and turning it into references.
//!
//! The pipeline, per app and ref: resolve the revision → list the app's blobs at that commit
//! ([`tree`]) → look every (blob, extractor) pair up in the store's cache in one batch → read and
//! extract only the misses, in parallel → store the new facts in one batch → resolve all facts
//! of the commit together ([`resolve`]) into references.

pub mod collect;
pub mod extract;
pub mod facts;
pub mod inflect;
pub mod pack_order;
pub mod reference;
pub mod resolve;
pub mod screen;
pub mod tree;

pub use reference::{ObjectRef, RefKind, Reference, ScanResult, ScanSummary};

use std::io::IsTerminal;
use std::time::Instant;

use crate::config::{App, AppSource, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::scan::extract::ExtractContext;
use crate::scan::reference::Skipped;
use crate::scan::resolve::SchemaIndex;
use crate::scan::tree::FileEntry;
use crate::schema::Schema;
use crate::store::Store;

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
    let identifiers = schema.map(SchemaIndex::identifiers).unwrap_or_default();
    let ctx = ExtractContext { framework: app.framework, identifiers: &identifiers };
    let extractors = extract::all();
    let tags: Vec<String> = extractors
        .iter()
        .map(|e| format!("{}@{}:{}:{}", e.id(), e.version(), app.framework, e.fingerprint(&ctx)))
        .collect();
    // Which extractors read which file; files no extractor wants are not read at all.
    let plans: Vec<(&FileEntry, Vec<usize>)> = listing
        .files
        .iter()
        .filter_map(|f| {
            let ex: Vec<usize> = extractors
                .iter()
                .enumerate()
                .filter(|(_, e)| e.applies(&f.app_path, app.framework))
                .map(|(j, _)| j)
                .collect();
            (!ex.is_empty()).then_some((f, ex))
        })
        .collect();
    let bar = progress_bar(progress, &app.name, git_ref);
    let job = collect::Job {
        repo: &app.repo,
        extractors: &extractors,
        tags: &tags,
        ctx: &ctx,
        max_size: config.scan.max_file_size,
        cache,
        progress: bar.as_ref(),
    };
    let listed = started.elapsed();
    let collected = collect::collect(&job, &plans)?;
    let gathered = started.elapsed();
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut skipped: Vec<Skipped> = listing.skipped.clone();
    skipped.extend(collected.skipped);
    skipped.sort();
    let commit_hex = commit.to_string();
    let ctx = resolve::Context { app, git_ref, commit: &commit_hex, schema };
    // Storing the new facts (one SQLite or PostgreSQL transaction, mostly I/O on the store's
    // own thread) overlaps resolving (CPU on this one).
    let (stored, references) = std::thread::scope(|scope| {
        let writer = cache
            .filter(|_| !collected.fresh.is_empty())
            .map(|store| scope.spawn(|| store.put_facts(&collected.fresh)));
        let references = resolve::resolve(&ctx, &collected.facts);
        let stored = match writer.map(|w| w.join()) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
        };
        (stored, references)
    });
    stored?;
    tracing::debug!(
        app = %app.name,
        git_ref,
        files = plans.len(),
        read = collected.files_read,
        "scan phases: list {:?}, facts {:?}, resolve {:?}",
        listed,
        gathered - listed,
        started.elapsed() - gathered
    );
    let summary = ScanSummary {
        files_read: collected.files_read,
        blobs_from_cache: collected.blobs_from_cache,
        skipped,
        elapsed_ms: started.elapsed().as_millis() as u64,
    };
    Ok(ScanResult {
        app: app.name.clone(),
        git_ref: git_ref.to_owned(),
        revision: revision.to_owned(),
        commit: commit_hex,
        references,
        summary,
    })
}

/// A progress bar on stderr when it is a terminal; its length grows as files are queued.
fn progress_bar(wanted: bool, app: &str, git_ref: &str) -> Option<indicatif::ProgressBar> {
    if !wanted || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(0), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} files") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(format!("{app}@{git_ref}"));
    Some(bar)
}

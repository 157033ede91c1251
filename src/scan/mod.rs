//! Reading each app's code at its refs through libgit2 and turning it into references.
//!
//! The pipeline, per app and ref: resolve the revision → list the app's blobs at that commit
//! ([`tree`]) → keep the references of the files an earlier scan's [`snapshot`] holds unchanged
//! → for the rest, look every (blob, path, extractor) up in the store's cache in one batch, read
//! and extract only the misses, in parallel ([`collect`]) → store the new facts in one batch →
//! resolve them with the models of the whole commit ([`resolve`]) → when the models changed,
//! resolve every file instead → store a new snapshot when worth it.

pub mod cache;
pub mod collect;
pub mod extract;
pub mod facts;
// The inflector is a leaf (`crate::inflect`) so the schema and migration readers can use it too.
pub use crate::inflect;
pub mod pack_order;
pub mod reference;
pub mod resolve;
pub mod screen;
pub mod snapshot;
pub mod tree;
pub mod words;

pub use reference::{KindCounts, ObjectRef, RefKind, Reference, ScanResult, ScanSummary, count_kinds};

use std::collections::HashSet;
use std::io::IsTerminal;
use std::time::Instant;

use crate::config::{App, AppSource, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::scan::cache::{EncodedFacts, ScanDelta, ScanStore};
use crate::scan::extract::ExtractContext;
use crate::scan::facts::{Binding, ModelDecl};
use crate::scan::reference::Skipped;
use crate::scan::resolve::SchemaIndex;
use crate::scan::snapshot::Snapshot;
use crate::scan::tree::FileEntry;
use crate::schema::Schema;

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
pub fn run(
    config: &Config,
    schema: Option<&Schema>,
    store: &dyn ScanStore,
    options: &ScanOptions,
) -> Result<Vec<ScanResult>> {
    Ok(run_all(config, schema, store, options, false)?.into_iter().map(|(scan, _)| scan).collect())
}

/// [`run`] for a caller that reads only how many references of each kind each scan found
/// (`tandem scan`'s table): a scan that starts from a snapshot and keeps it counts the unchanged
/// files' references there instead of restoring every one of them, most of a warm scan's work.
/// The `references` of a scan counted that way are left empty; the counts are exact either way.
pub fn run_counted(
    config: &Config,
    schema: Option<&Schema>,
    store: &dyn ScanStore,
    options: &ScanOptions,
) -> Result<Vec<(ScanResult, KindCounts)>> {
    run_all(config, schema, store, options, true)
}

fn run_all(
    config: &Config,
    schema: Option<&Schema>,
    store: &dyn ScanStore,
    options: &ScanOptions,
    counted: bool,
) -> Result<Vec<(ScanResult, KindCounts)>> {
    let index = schema.map(SchemaIndex::new);
    let mut results = Vec::new();
    for app in select_apps(config, &options.apps)? {
        for (git_ref, revision) in refs_of(app, options.revision.as_deref()) {
            results.push(run_ref_as(config, app, git_ref, revision, index.as_ref(), store, options, counted)?);
        }
    }
    results.sort_by(|(a, _), (b, _)| (&a.app, &a.git_ref).cmp(&(&b.app, &b.git_ref)));
    Ok(results)
}

/// One app at one ref, as [`run`] does it: its latest published scan for an app with
/// `source = "store"`, else a scan of its repository, stored. An error is about this ref alone.
pub fn run_ref(
    config: &Config,
    app: &App,
    git_ref: &str,
    revision: &str,
    index: Option<&SchemaIndex>,
    store: &dyn ScanStore,
    options: &ScanOptions,
) -> Result<ScanResult> {
    run_ref_as(config, app, git_ref, revision, index, store, options, false).map(|(scan, _)| scan)
}

/// [`run_ref`], and the scan's references counted by kind; with `counted`, a scan that keeps
/// its snapshot leaves its `references` empty (see [`run_counted`]).
#[allow(clippy::too_many_arguments)]
fn run_ref_as(
    config: &Config,
    app: &App,
    git_ref: &str,
    revision: &str,
    index: Option<&SchemaIndex>,
    store: &dyn ScanStore,
    options: &ScanOptions,
    counted: bool,
) -> Result<(ScanResult, KindCounts)> {
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
        let counts = count_kinds(&scan.references);
        return Ok((scan, counts));
    }
    let stored = scan_ref_stored(config, app, git_ref, revision, index, Some(store), options.progress, counted)?;
    match stored {
        (scan, delta, Some(counts)) => {
            // Only the changed files' references are at hand: the scan is kept on its snapshot
            // or not at all. Should another process have pruned that snapshot meanwhile, the
            // scan runs again and restores every reference (its facts are cached by now).
            if let Some(delta) = &delta
                && store.save_scan_on_base(&scan, delta, options.publish)?
            {
                return Ok((scan, counts));
            }
            run_ref_as(config, app, git_ref, revision, index, store, options, false)
        }
        (scan, delta, None) => {
            store.save_scan(&scan, delta.as_ref(), options.publish)?;
            let counts = count_kinds(&scan.references);
            Ok((scan, counts))
        }
    }
}

/// Whether `path` (in the repository) of `app` is a file the app's extractors read — a model, a
/// template, a file of one of its languages — so that, unread, it could hide a reference.
pub fn could_hold_references(app: &App, path: &str) -> bool {
    let base = app.path.as_deref().unwrap_or("").trim_matches('/');
    let app_path =
        if base.is_empty() { path } else { path.strip_prefix(base).map_or(path, |p| p.trim_start_matches('/')) };
    extract::all().iter().any(|e| e.applies(app_path, app.framework))
}

/// Scan one app at one revision. `cache` is the store's blob cache; without it every blob is
/// read and nothing is stored (used by tests and one-off runs).
pub fn scan_ref(
    config: &Config,
    app: &App,
    git_ref: &str,
    revision: &str,
    schema: Option<&SchemaIndex>,
    cache: Option<&dyn ScanStore>,
    progress: bool,
) -> Result<ScanResult> {
    scan_ref_stored(config, app, git_ref, revision, schema, cache, progress, false).map(|(scan, ..)| scan)
}

/// [`scan_ref`], and how the store can keep the result as a snapshot plus what differs from it
/// (with a store only). With `counted`, a scan that keeps its snapshot counts the unchanged
/// files' references by kind there and returns the counts, its `references` left empty.
#[allow(clippy::too_many_arguments)]
fn scan_ref_stored(
    config: &Config,
    app: &App,
    git_ref: &str,
    revision: &str,
    schema: Option<&SchemaIndex>,
    cache: Option<&dyn ScanStore>,
    progress: bool,
    counted: bool,
) -> Result<(ScanResult, Option<ScanDelta>, Option<KindCounts>)> {
    let started = Instant::now();
    // The repository is a path from apps.toml: an error about it points at the app's entry there.
    let repo = crate::git::open(&app.name, &app.repo).map_err(|e| e.or_at(&config.path, app.line))?;
    let commit = crate::git::resolve(&repo, &app.name, revision)?;
    let commit_hex = commit.to_string();
    let identifiers = schema.map(SchemaIndex::identifiers).unwrap_or_default();
    let ctx = ExtractContext { framework: app.framework, identifiers: &identifiers };
    let extractors = extract::all();
    let tags = cache_tags(&extractors, &ctx);
    let context = snapshot::context(app, &tags, schema, config.scan.max_file_size);
    // The snapshot comes from the store (I/O on its own thread) while the tree is listed.
    let (listing, stored) = std::thread::scope(|scope| {
        let reader = cache.map(|store| scope.spawn(|| store.snapshot(&app.name, &context, &commit_hex)));
        let listing = tree::list(&repo, app, revision, commit);
        (listing, joined(reader, Ok(None)))
    });
    let (listing, stored) = (listing?, stored?);
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
    // A snapshot is a cache: one that does not decode is passed over (and replaced by this
    // scan's), never an error.
    let base = stored.as_ref().and_then(|s| match Snapshot::decode(&s.data) {
        Ok(b) => Some(b),
        Err(e) => {
            tracing::warn!(
                "app `{}`: the stored snapshot of commit {} is not valid ({e}); scanning without it",
                app.name,
                s.commit
            );
            None
        }
    });
    // Files the snapshot holds as they are now, and the rest, whose facts are collected.
    let (kept, todo): (Vec<_>, Vec<_>) =
        plans.into_iter().partition(|(f, _)| base.as_ref().is_some_and(|b| b.has(&f.path, f.blob)));
    let kept_models: Vec<(&str, &ModelDecl)> = match &base {
        Some(b) => kept.iter().flat_map(|(f, _)| b.models(&f.path).iter().map(move |m| (f.path.as_str(), m))).collect(),
        None => Vec::new(),
    };
    let kept_bindings: Vec<(&str, &Binding)> = match &base {
        Some(b) => {
            kept.iter().flat_map(|(f, _)| b.bindings(&f.path).iter().map(move |x| (f.path.as_str(), x))).collect()
        }
        None => Vec::new(),
    };
    let kept_classes: Vec<&str> = kept_models.iter().map(|(_, m)| m.class.as_str()).collect();
    // Files added, changed or gone since the snapshot.
    let changed = base.as_ref().map_or(todo.len(), |b| {
        let still_there = kept.len() + todo.iter().filter(|(f, _)| b.holds(&f.path)).count();
        todo.len() + b.len().saturating_sub(still_there)
    });
    // Whether a scan that keeps its snapshot writes a new one all the same (it needs every
    // reference for that).
    let rewrites = cache.is_some() && snapshot::worth_writing(changed, kept.len() + todo.len());
    let listed = started.elapsed();
    // The new cache entries go to the store on a thread of their own as they come (mostly I/O,
    // and on a cold scan most of a second's work): the first reading round's while deferred
    // files are decided, the rest while this thread resolves and merges. The scan waits for
    // them only before it writes its snapshot.
    let (batches, received) = std::sync::mpsc::channel::<EncodedFacts>();
    let job = collect::Job {
        repo: &app.repo,
        extractors: &extractors,
        tags: &tags,
        ctx: &ctx,
        max_size: config.scan.max_file_size,
        cache,
        writer: cache.is_some().then_some(batches),
        other_models: &kept_classes,
        progress: bar.as_ref(),
    };
    let (stored_facts, gathered_and_resolved) = std::thread::scope(|scope| {
        let writer = cache.map(|store| {
            scope.spawn(move || -> Result<()> {
                for batch in received {
                    let t = Instant::now();
                    store.put_encoded_facts(&batch)?;
                    tracing::debug!(
                        "cache writer: {} entries, {} bytes of facts in {:?}",
                        batch.len(),
                        batch.iter().map(|(_, b)| b.len()).sum::<usize>(),
                        t.elapsed()
                    );
                }
                Ok(())
            })
        });
        let gather_and_resolve = || -> Result<_> {
            let mut collected = collect::collect(&job, &todo)?;
            // The snapshot fits when every file it does not keep declares the models it declared
            // then (a new or deleted file: none): then the app's models are the same, and so is
            // every kept file's resolution.
            let fits = base.as_ref().is_some_and(|b| {
                b.same_models(
                    kept.iter().map(|(f, _)| f.path.as_str()),
                    todo.iter().map(|(f, _)| f.path.as_str()),
                    &collected.facts,
                )
            });
            let gathered = started.elapsed();
            let ctx = resolve::Context { app, git_ref, commit: &commit_hex, schema };
            // The kept files' references come from the snapshot, merged with the rest's.
            let merged = match &base {
                Some(b) if fits => {
                    let models = kept_models
                        .iter()
                        .copied()
                        .chain(collected.facts.iter().flat_map(|(p, f)| f.models.iter().map(move |m| (p.as_str(), m))));
                    let bindings = kept_bindings.iter().copied().chain(
                        collected.facts.iter().flat_map(|(p, f)| f.bindings.iter().map(move |x| (p.as_str(), x))),
                    );
                    let fresh = resolve::resolve_among(&ctx, models, bindings, &collected.facts);
                    let paths: Vec<&str> = kept.iter().map(|(f, _)| f.path.as_str()).collect();
                    // What the scan's row keeps beside the snapshot: the changed files'
                    // references, encoded before the merge takes them.
                    let encoded = snapshot::encode_references(&fresh);
                    let outcome = if counted && !rewrites {
                        let mut counts = count_kinds(&fresh);
                        b.count_kinds(&paths, &mut counts).map(|()| (Vec::new(), Some(counts)))
                    } else {
                        b.merged(&paths, fresh, &app.name, git_ref, &commit_hex).map(|references| (references, None))
                    };
                    match outcome {
                        Ok((references, counts)) => Some((references, encoded.ok(), counts)),
                        Err(e) => {
                            tracing::warn!(
                                "app `{}`: the stored snapshot is not valid ({e}); resolving every file",
                                app.name
                            );
                            None
                        }
                    }
                }
                _ => None,
            };
            let fits = merged.is_some();
            let (references, fresh, counts) = match merged {
                Some((references, fresh, counts)) => (references, fresh, counts),
                None => {
                    // The models changed (or the snapshot is damaged): every file resolves anew,
                    // the kept ones from the blob cache.
                    if !kept.is_empty() {
                        let classes: Vec<&str> = collected
                            .facts
                            .iter()
                            .flat_map(|(_, f)| f.models.iter().map(|m| m.class.as_str()))
                            .collect();
                        let others = collect::collect(&collect::Job { other_models: &classes, ..job.clone() }, &kept)?;
                        collected.absorb(others);
                    }
                    (resolve::resolve(&ctx, &collected.facts), None, None)
                }
            };
            Ok((fits, gathered, references, fresh, counts, collected))
        };
        let outcome = gather_and_resolve();
        // No more batches (the job holds the only sender): the writer ends once it has written
        // what it has.
        drop(job);
        (joined(writer, Ok(())), outcome)
    });
    stored_facts?;
    let (fits, gathered, references, fresh, counts, collected) = gathered_and_resolved?;
    let kept_count = if fits { kept.len() } else { 0 };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let mut skipped: Vec<Skipped> = listing.skipped.clone();
    skipped.extend(collected.skipped.iter().cloned());
    skipped.sort();
    let resolved = started.elapsed();
    let write = cache.is_some() && (!fits || rewrites);
    // Files read lossily or not at all are left out of a snapshot: every scan reads them again.
    let unreadable: HashSet<String> = collected.skipped.iter().map(|s| s.path.clone()).collect();
    let snapshot = match cache.filter(|_| write) {
        Some(store) => {
            let files: Vec<&FileEntry> =
                kept.iter().chain(&todo).map(|(f, _)| *f).filter(|f| !unreadable.contains(f.path.as_str())).collect();
            let models = kept_models
                .iter()
                .copied()
                .filter(|_| fits)
                .chain(collected.facts.iter().flat_map(|(p, f)| f.models.iter().map(move |m| (p.as_str(), m))));
            let bindings = kept_bindings
                .iter()
                .copied()
                .filter(|_| fits)
                .chain(collected.facts.iter().flat_map(|(p, f)| f.bindings.iter().map(move |x| (p.as_str(), x))));
            let bytes = snapshot::encode(&files, models, bindings, &references).map_err(|e| {
                Error::environment(Diagnostic::new(format!("cannot encode the snapshot of app `{}`: {e}", app.name)))
            })?;
            Some((store, bytes))
        }
        None => None,
    };
    // Timed here, before the snapshot write; formatted only for a debug log.
    let phases = tracing::enabled!(tracing::Level::DEBUG).then(|| {
        format!(
            "list {listed:?}, facts {:?}, resolve {:?}, encode {:?} (base: {}, {} bytes, {kept_count} files kept, {changed} changed, {})",
            gathered - listed,
            resolved - gathered,
            started.elapsed() - resolved,
            stored.as_ref().map_or("none", |s| s.commit.as_str()),
            stored.as_ref().map_or(0, |s| s.data.len()),
            if write { "written" } else { "not written" },
        )
    });
    let (files_read, blobs_from_cache) = (collected.files_read, collected.blobs_from_cache + kept_count as u64);
    // Every file's facts (after a cold scan, hundreds of thousands of small allocations) are
    // freed while the store writes the new snapshot, rather than after it.
    let written = std::thread::scope(|scope| {
        let writer = snapshot.as_ref().map(|(store, bytes)| {
            scope.spawn(|| store.put_snapshot(&app.name, &context, &commit_hex, bytes).map(Some))
        });
        drop(collected);
        joined(writer, Ok(None))
    });
    // The scan as the store keeps it: on the snapshot just written, with the references of the
    // files it leaves out; else on the one it started from, with the changed files'.
    let delta = match (written?, &base, &stored) {
        (Some(id), _, _) => {
            let outside: Vec<Reference> =
                references.iter().filter(|r| unreadable.contains(&*r.path)).cloned().collect();
            snapshot::encode_references(&outside).ok().map(|fresh| ScanDelta { base: id, dropped: Vec::new(), fresh })
        }
        (None, Some(b), Some(s)) if cache.is_some() && fits => fresh.map(|fresh| {
            let kept: HashSet<&str> = kept.iter().map(|(f, _)| f.path.as_str()).collect();
            ScanDelta {
                base: s.id,
                dropped: b.paths().filter(|p| !kept.contains(p)).map(str::to_owned).collect(),
                fresh,
            }
        }),
        _ => None,
    };
    if let Some(phases) = phases {
        let files = kept.len() + todo.len();
        tracing::debug!(app = %app.name, git_ref, files, read = files_read, "scan phases: {phases}, written and freed at {:?}", started.elapsed());
    }
    let scan = ScanResult {
        app: app.name.clone(),
        git_ref: git_ref.to_owned(),
        revision: revision.to_owned(),
        commit: commit_hex,
        references,
        summary: ScanSummary {
            files_read,
            blobs_from_cache,
            skipped,
            elapsed_ms: started.elapsed().as_millis() as u64,
        },
    };
    Ok((scan, delta, counts))
}

/// What a scoped thread returned (`none` when none was started); its panic goes on here.
pub(crate) fn joined<T>(handle: Option<std::thread::ScopedJoinHandle<'_, T>>, none: T) -> T {
    match handle.map(|h| h.join()) {
        None => none,
        Some(Ok(value)) => value,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
    }
}

/// Each extractor's cache tag: id, version, the version of the SQL-in-code reading they all
/// share, the running build (an extractor changed without a new version must not be served the
/// facts of the build before: every session measuring accuracy met that), framework and context
/// fingerprint.
fn cache_tags(extractors: &[Box<dyn extract::Extractor>], ctx: &ExtractContext<'_>) -> Vec<String> {
    extractors
        .iter()
        .map(|e| {
            let (id, version, sql, build) = (e.id(), e.version(), extract::sql::VERSION, crate::digest::build());
            format!("{id}@{version}.{}.sql{sql}.{build}:{}:{}", facts::FORMAT, ctx.framework, e.fingerprint(ctx))
        })
        .collect()
}

/// The context key of `app`'s snapshots (see [`snapshot::context`]) under `schema`.
pub fn snapshot_context(config: &Config, app: &App, schema: Option<&SchemaIndex>) -> String {
    let identifiers = schema.map(SchemaIndex::identifiers).unwrap_or_default();
    let ctx = ExtractContext { framework: app.framework, identifiers: &identifiers };
    snapshot::context(app, &cache_tags(&extract::all(), &ctx), schema, config.scan.max_file_size)
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

//! The facts of every file of one app at one commit: from the blob cache where it has them,
//! otherwise read through libgit2 and extracted in parallel, with screening (see
//! [`crate::scan::screen`]) so that an expensive extractor parses only the files whose facts can
//! matter to this app.
//!
//! Per file and extractor, the cache holds one of three things, each keyed by blob id and the
//! extractor's tag (id, version, framework, context fingerprint):
//! * `tag` — the extracted facts;
//! * `tag|deferred` — the screen deferred this blob (it declares no model), nothing extracted;
//! * `tag|skip:<models>` — deferred, and none of its words names a model of the set `<models>`,
//!   so its facts would resolve to nothing: the verdict that lets a warm scan skip the blob
//!   without reading it.
//!
//! The steps: (1) one batch lookup of facts and deferral markers; (2) read every file missing
//! something else and extract, deferring what the screens defer; (3) with the app's model
//! classes now known (no deferred file declares one), one batch lookup of verdicts for the
//! deferred files, then read and extract those whose words name a model; (4) one batch write.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::Result;
use crate::scan::extract::{ExtractContext, Extractor};
use crate::scan::facts::FileFacts;
use crate::scan::pack_order;
use crate::scan::reference::Skipped;
use crate::scan::screen::{ModelKeys, Screen};
use crate::scan::tree::{self, Content, FileEntry};
use crate::store::{BlobKey, Store};

/// What [`collect`] found: facts per file path (sorted by path), unreadable files, counts.
#[derive(Debug, Default)]
pub struct Collected {
    pub facts: Vec<(String, FileFacts)>,
    pub skipped: Vec<Skipped>,
    pub files_read: u64,
    pub blobs_from_cache: u64,
}

/// Everything one scan's collection needs besides the files.
pub struct Job<'a> {
    pub repo: &'a std::path::Path,
    pub extractors: &'a [Box<dyn Extractor>],
    /// Cache tag of each extractor, same order.
    pub tags: &'a [String],
    pub ctx: &'a ExtractContext<'a>,
    pub max_size: u64,
    pub cache: Option<&'a Store>,
    pub progress: Option<&'a indicatif::ProgressBar>,
}

/// Where one (file, extractor) pair stands.
#[derive(Debug, Clone)]
enum Slot {
    /// Facts in hand.
    Done(FileFacts),
    /// Nothing known: the file must be read.
    Missing,
    /// Deferred by the screen in an earlier scan; the verdict depends on the app's models.
    Deferred,
    /// Deferred now, with the model keys the file's words can name.
    DeferredWith(Vec<u64>),
    /// Deferred, and no model of the app is named: no facts.
    Skipped,
}

struct FileState<'f> {
    file: &'f FileEntry,
    /// (extractor index, slot) for each extractor that reads this file.
    slots: Vec<(usize, Slot)>,
    read: bool,
    /// Read lossily (not valid UTF-8): reported, never cached.
    lossy: bool,
    unreadable: Option<String>,
}

fn deferred_tag(tag: &str) -> String {
    format!("{tag}|deferred")
}

fn skip_tag(tag: &str, models: &ModelKeys) -> String {
    format!("{tag}|skip:{}", models.fingerprint())
}

/// Collect the facts of `files`, each with the extractors (indices) that read it.
pub fn collect(job: &Job<'_>, files: &[(&FileEntry, Vec<usize>)]) -> Result<Collected> {
    let key = |f: &FileEntry, extractor: String| BlobKey { blob: f.blob.to_string(), extractor };

    // (1) Facts and deferral markers from the cache.
    let cached: HashMap<BlobKey, FileFacts> = match job.cache {
        Some(store) => {
            let keys: Vec<BlobKey> = files
                .iter()
                .flat_map(|(f, ex)| {
                    ex.iter().flat_map(move |&j| {
                        [key(f, job.tags[j].clone()), key(f, deferred_tag(&job.tags[j]))].into_iter()
                    })
                })
                .collect();
            store.cached_facts(&keys)?
        }
        None => HashMap::new(),
    };
    let mut states: Vec<FileState<'_>> = files
        .iter()
        .map(|(f, ex)| {
            let slots = ex
                .iter()
                .map(|&j| {
                    let slot = if let Some(facts) = cached.get(&key(f, job.tags[j].clone())) {
                        Slot::Done(facts.clone())
                    } else if cached.contains_key(&key(f, deferred_tag(&job.tags[j]))) {
                        Slot::Deferred
                    } else {
                        Slot::Missing
                    };
                    (j, slot)
                })
                .collect();
            FileState { file: f, slots, read: false, lossy: false, unreadable: None }
        })
        .collect();
    drop(cached);
    let mut fresh: Vec<(BlobKey, FileFacts)> = Vec::new();

    // (2) Read what is missing; extract, or defer what the screens defer.
    let wanted: Vec<usize> =
        (0..states.len()).filter(|&i| states[i].slots.iter().any(|(_, s)| matches!(s, Slot::Missing))).collect();
    let results = read_all(job, &states, &wanted, |text, path, slots| {
        slots
            .iter()
            .map(|(j, slot)| match slot {
                // A deferred slot is screened again while the text is at hand: its words are
                // what step (3) needs.
                Slot::Missing | Slot::Deferred => match job.extractors[*j].screen(path, text) {
                    Screen::Extract => Slot::Done(job.extractors[*j].extract(path, text, job.ctx)),
                    Screen::IfModel(keys) => Slot::DeferredWith(keys),
                },
                other => other.clone(),
            })
            .collect()
    });
    let was_missing = masks(&states, &wanted, |s| matches!(s, Slot::Missing | Slot::Deferred));
    apply_reads(&mut states, results);
    record(&states, &wanted, &was_missing, None, job, &mut fresh);

    // (3) Deferred files, now that every model class of the app is known.
    let models = ModelKeys::from_facts(states.iter().flat_map(|s| s.slots.iter()).filter_map(|(_, slot)| match slot {
        Slot::Done(f) => Some(f),
        _ => None,
    }));
    let pending: Vec<(usize, usize)> = states
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            s.slots
                .iter()
                .enumerate()
                .filter(|(_, (_, slot))| matches!(slot, Slot::Deferred | Slot::DeferredWith(_)))
                .map(move |(k, _)| (i, k))
        })
        .collect();
    if !pending.is_empty() {
        let verdicts: HashMap<BlobKey, FileFacts> = match job.cache {
            Some(store) => {
                let keys: Vec<BlobKey> = pending
                    .iter()
                    .map(|&(i, k)| key(states[i].file, skip_tag(&job.tags[states[i].slots[k].0], &models)))
                    .collect();
                store.cached_facts(&keys)?
            }
            None => HashMap::new(),
        };
        for &(i, k) in &pending {
            let s = &mut states[i];
            let j = s.slots[k].0;
            if verdicts.contains_key(&key(s.file, skip_tag(&job.tags[j], &models))) {
                s.slots[k].1 = Slot::Skipped;
            } else if let Slot::DeferredWith(needs) = &s.slots[k].1
                && !models.wants(needs)
            {
                s.slots[k].1 = Slot::Skipped;
                if !s.lossy {
                    fresh.push((key(s.file, skip_tag(&job.tags[j], &models)), FileFacts::default()));
                }
            }
        }
        // What is left either names a model or was deferred by an earlier scan under other
        // models: read it again and decide with its words.
        let again: Vec<usize> = (0..states.len())
            .filter(|&i| {
                states[i].unreadable.is_none()
                    && states[i].slots.iter().any(|(_, s)| matches!(s, Slot::Deferred | Slot::DeferredWith(_)))
            })
            .collect();
        let results = read_all(job, &states, &again, |text, path, slots| {
            slots
                .iter()
                .map(|(j, slot)| match slot {
                    Slot::Deferred | Slot::DeferredWith(_) => match job.extractors[*j].screen(path, text) {
                        Screen::IfModel(needs) if !models.wants(&needs) => Slot::Skipped,
                        _ => Slot::Done(job.extractors[*j].extract(path, text, job.ctx)),
                    },
                    other => other.clone(),
                })
                .collect()
        });
        let was_deferred = masks(&states, &again, |s| matches!(s, Slot::Deferred | Slot::DeferredWith(_)));
        apply_reads(&mut states, results);
        record(&states, &again, &was_deferred, Some(&models), job, &mut fresh);
    }

    // (4) Store, and hand the facts over.
    if let Some(store) = job.cache
        && !fresh.is_empty()
    {
        store.put_facts(&fresh)?;
    }
    let mut out = Collected::default();
    for s in states {
        if let Some(reason) = s.unreadable {
            out.skipped.push(Skipped { path: s.file.path.clone(), reason });
            continue;
        }
        if s.read {
            out.files_read += 1;
        } else {
            out.blobs_from_cache += 1;
        }
        if s.lossy {
            out.skipped.push(Skipped {
                path: s.file.path.clone(),
                reason: "not valid UTF-8: read with invalid bytes replaced".to_owned(),
            });
        }
        let mut merged = FileFacts::default();
        for (_, slot) in s.slots {
            if let Slot::Done(f) = slot {
                merged.hits.extend(f.hits);
                merged.models.extend(f.models);
            }
        }
        out.facts.push((s.file.path.clone(), merged));
    }
    out.facts.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// For each file of `which`, which of its slots `pick` selects (before a read changes them).
fn masks(states: &[FileState<'_>], which: &[usize], pick: impl Fn(&Slot) -> bool) -> Vec<Vec<bool>> {
    which.iter().map(|&i| states[i].slots.iter().map(|(_, s)| pick(s)).collect()).collect()
}

/// Queue for the cache what reading `which` produced in the slots `changed` marks: facts,
/// deferral markers, and (with `models`) skip verdicts. Lossy and unreadable files are never
/// cached, so that every scan reports them.
fn record(
    states: &[FileState<'_>],
    which: &[usize],
    changed: &[Vec<bool>],
    models: Option<&ModelKeys>,
    job: &Job<'_>,
    fresh: &mut Vec<(BlobKey, FileFacts)>,
) {
    for (&i, mask) in which.iter().zip(changed) {
        let s = &states[i];
        if s.lossy || s.unreadable.is_some() {
            continue;
        }
        for ((j, slot), &changed) in s.slots.iter().zip(mask) {
            let tag = &job.tags[*j];
            let extractor = match slot {
                _ if !changed => continue,
                Slot::Done(_) => tag.clone(),
                Slot::DeferredWith(_) => deferred_tag(tag),
                Slot::Skipped => match models {
                    Some(m) => skip_tag(tag, m),
                    None => continue,
                },
                Slot::Missing | Slot::Deferred => continue,
            };
            let facts = match slot {
                Slot::Done(f) => f.clone(),
                _ => FileFacts::default(),
            };
            fresh.push((BlobKey { blob: s.file.blob.to_string(), extractor }, facts));
        }
    }
}

/// The outcome of reading one file: new slots, or why it could not be read; and whether it was
/// decoded lossily.
type Read = (usize, std::result::Result<Vec<Slot>, String>, bool);

/// Read the files `which` (indices into `states`) in parallel and run `step` on each text.
fn read_all<F>(job: &Job<'_>, states: &[FileState<'_>], which: &[usize], step: F) -> Vec<Read>
where
    F: Fn(&str, &str, &[(usize, Slot)]) -> Vec<Slot> + Sync,
{
    if let Some(bar) = job.progress {
        bar.inc_length(which.len() as u64);
    }
    // libgit2 re-hashes every object it reads (SHA-1 with collision detection, ~4 % of a cold
    // scan); git itself does not when reading. A corrupt object still fails to inflate.
    static NO_HASH_CHECK: std::sync::Once = std::sync::Once::new();
    NO_HASH_CHECK.call_once(|| git2::opts::strict_hash_verification(false));
    let mut which = which.to_vec();
    if let Ok(repo) = git2::Repository::open(job.repo) {
        let blobs: Vec<git2::Oid> = which.iter().map(|&i| states[i].file.blob).collect();
        let keys = pack_order::keys(&repo, &blobs);
        let mut keyed: Vec<((usize, u64), usize)> = keys.into_iter().zip(which).collect();
        keyed.sort_unstable();
        which = keyed.into_iter().map(|(_, i)| i).collect();
    }
    // git2's Repository is not Sync, and each handle has its own cache of delta bases: one
    // handle per worker thread (not per rayon job, which would start cold for every split and
    // inflate the same delta chains over and over).
    let repos: Vec<Mutex<Option<std::result::Result<git2::Repository, String>>>> =
        (0..=rayon::current_num_threads()).map(|_| Mutex::new(None)).collect();
    which
        .par_iter()
        .map(|&i| {
            let s = &states[i];
            let slot = rayon::current_thread_index().map_or(repos.len() - 1, |t| t.min(repos.len() - 1));
            let content = {
                let mut guard = repos[slot].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let repo = guard.get_or_insert_with(|| {
                    git2::Repository::open(job.repo).map_err(|e| format!("cannot open the repository: {}", e.message()))
                });
                match repo {
                    Ok(r) => Ok(tree::read(r, s.file.blob, job.max_size)),
                    Err(e) => Err(e.clone()),
                }
            };
            let out = match content {
                Err(e) => (i, Err(e), false),
                Ok(Content::Skipped(reason)) => (i, Err(reason), false),
                Ok(Content::Text(text)) => (i, Ok(step(&text, &s.file.app_path, &s.slots)), false),
                Ok(Content::Lossy(text)) => (i, Ok(step(&text, &s.file.app_path, &s.slots)), true),
            };
            if let Some(bar) = job.progress {
                bar.inc(1);
            }
            out
        })
        .collect()
}

fn apply_reads(states: &mut [FileState<'_>], results: Vec<Read>) {
    for (i, result, lossy) in results {
        let s = &mut states[i];
        match result {
            Err(reason) => s.unreadable = Some(reason),
            Ok(slots) => {
                s.read = true;
                s.lossy |= lossy;
                for ((_, slot), new) in s.slots.iter_mut().zip(slots) {
                    *slot = new;
                }
            }
        }
    }
}

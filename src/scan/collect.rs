//! The facts of every file of one app at one commit: from the blob cache where it has them,
//! otherwise read through libgit2 and extracted in parallel, with screening (see
//! [`crate::scan::screen`]) so that an expensive extractor parses only the files whose facts can
//! matter to this app.
//!
//! The cache holds one entry per blob, path and extractor tag (id, version, framework, context
//! fingerprint): the extracted facts, or, for a file the screen deferred, a [`Deferral`] naming
//! the model sets under which its words were found to name no model — the verdict that lets a
//! warm scan skip the blob without reading it.
//!
//! The steps: (1) one batch lookup; (2) read every file missing an entry and extract, deferring
//! what the screens defer (the files where the framework keeps its models first, so that a
//! file naming one of their models is extracted at once); (3) with the app's model classes now
//! known (no deferred file declares one), skip the deferred files with a verdict for these
//! models, and read and decide the rest, while the store writes what step (2) extracted;
//! (4) hand what else is new to the store's writer, which writes it while the caller resolves.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::mpsc::Sender;

use rayon::prelude::*;

use crate::error::Result;
use crate::scan::cache::{BlobKey, EncodedFacts, ScanStore, encode_facts};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{Deferral, FileFacts};
use crate::scan::pack_order;
use crate::scan::reference::Skipped;
use crate::scan::screen::{ModelKeys, Screen};
use crate::scan::tree::{self, Content, FileEntry};

/// A deferred file stays skippable under this many model sets (a scan of `deployed` and one of
/// `head` with different models must not undo each other's verdicts).
const VERDICTS_KEPT: usize = 4;

/// What [`collect`] found: facts per file path (sorted by path), unreadable files, counts.
#[derive(Debug, Default)]
pub struct Collected {
    pub facts: Vec<(String, FileFacts)>,
    pub skipped: Vec<Skipped>,
    pub files_read: u64,
    pub blobs_from_cache: u64,
}

impl Collected {
    /// Add what another collection over other files of the same commit found.
    pub fn absorb(&mut self, other: Collected) {
        self.facts.extend(other.facts);
        self.facts.sort_by(|a, b| a.0.cmp(&b.0));
        self.skipped.extend(other.skipped);
        self.files_read += other.files_read;
        self.blobs_from_cache += other.blobs_from_cache;
    }
}

/// Everything one scan's collection needs besides the files.
#[derive(Clone)]
pub struct Job<'a> {
    pub repo: &'a std::path::Path,
    pub extractors: &'a [Box<dyn Extractor>],
    /// Cache tag of each extractor, same order.
    pub tags: &'a [String],
    pub ctx: &'a ExtractContext<'a>,
    pub max_size: u64,
    pub cache: Option<&'a dyn ScanStore>,
    /// Where new cache entries go, batch by batch (see [`ScanStore::put_encoded_facts`]): a thread
    /// that writes them while the scan goes on. Without one, they are written to `cache` at once.
    pub writer: Option<Sender<EncodedFacts>>,
    /// Model classes declared by files of the commit that are not collected here (their
    /// facts are known from elsewhere): deferred files are decided against these too.
    pub other_models: &'a [&'a str],
    pub progress: Option<&'a indicatif::ProgressBar>,
}

/// New cache entries from step (2) go to the writer before step (3) when there are at least this
/// many (a cold scan's tens of thousands); fewer go with the rest.
const EARLY_BATCH: usize = 2048;

/// Where one (file, extractor) pair stands.
#[derive(Debug, Clone)]
enum Slot {
    /// Facts in hand.
    Done(FileFacts),
    /// Nothing known: the file must be read.
    Missing,
    /// Deferred by the screen, with what the cache knows (empty for a deferral made now) and,
    /// once the file was read in this scan, the model keys its words can name.
    Deferred(Deferral, Option<Vec<crate::scan::screen::Key>>),
    /// Deferred, and no model of the app is named: no facts. Carries the verdicts the cache
    /// already had, to which this scan's model set is added when stored.
    Skipped(Deferral),
}

struct FileState<'f> {
    file: &'f FileEntry,
    /// (extractor index, slot, changed in this scan) for each extractor that reads the file.
    slots: Vec<(usize, Slot, bool)>,
    read: bool,
    /// Read lossily (not valid UTF-8): reported, never cached.
    lossy: bool,
    unreadable: Option<String>,
}

/// Collect the facts of `files`, each with the extractors (indices) that read it.
pub fn collect(job: &Job<'_>, files: &[(&FileEntry, Vec<usize>)]) -> Result<Collected> {
    let started = std::time::Instant::now();
    let repos = Handles::new(job.repo);
    let key = |f: &FileEntry, j: usize| BlobKey::new(f.blob, &f.app_path, &job.tags[j]);

    // (1) What the cache has.
    let keys: Vec<BlobKey> = files.iter().flat_map(|(f, ex)| ex.iter().map(move |&j| key(f, j))).collect();
    let mut cached: HashMap<BlobKey, FileFacts> = match job.cache {
        Some(store) => store.cached_facts(&keys)?,
        None => HashMap::new(),
    };
    let mut keys = keys.iter();
    let mut states: Vec<FileState<'_>> = files
        .iter()
        .map(|(f, ex)| {
            let slots = ex
                .iter()
                .map(|&j| {
                    let slot = match keys.next().and_then(|k| cached.remove(k)) {
                        Some(FileFacts { deferred: Some(d), .. }) => Slot::Deferred(d, None),
                        Some(facts) => Slot::Done(facts),
                        None => Slot::Missing,
                    };
                    (j, slot, false)
                })
                .collect();
            FileState { file: f, slots, read: false, lossy: false, unreadable: None }
        })
        .collect();
    drop(cached);
    let looked_up = started.elapsed();

    // (2) Read what is missing; extract, or defer what the screens defer. Files where the
    // framework keeps its models go first: a file read after them that names one of their
    // models is extracted at once, as step (3) would decide (the model set only grows), rather
    // than read a second time there.
    let (first, rest): (Vec<usize>, Vec<usize>) =
        (0..states.len()).filter(|&i| states[i].slots.iter().any(|(_, s, _)| matches!(s, Slot::Missing))).partition(
            |&i| states[i].slots.iter().any(|(j, ..)| job.extractors[*j].holds_models(&states[i].file.app_path)),
        );
    read_all(job, &repos, &mut states, &first, |j, slot, file| screened(job, None, j, slot, file));
    let known = models_of(&states, job.other_models);
    read_all(job, &repos, &mut states, &rest, |j, slot, file| screened(job, Some(&known), j, slot, file));
    let extracted = started.elapsed();
    // What step (2) extracted is final: the store takes it while step (3) reads and parses.
    // Encoding (postcard) runs in parallel here, on borrowed facts, not on the store's thread.
    // A small batch waits for the rest, to go in one transaction with it while the caller
    // resolves, which a warm scan's few files leave more time for than step (3) does.
    let extracted_now = states
        .iter()
        .flat_map(|s| &s.slots)
        .filter(|(_, slot, changed)| *changed && matches!(slot, Slot::Done(_)))
        .count();
    let early = if extracted_now >= EARLY_BATCH {
        encode_changed(&mut states, &key, None, |slot| matches!(slot, Slot::Done(_)))?
    } else {
        Vec::new()
    };
    store(job, early)?;
    let deferred =
        states.iter().filter(|s| s.slots.iter().any(|(_, slot, _)| matches!(slot, Slot::Deferred(..)))).count();

    // (3) Deferred files, now that every model class of the app is known.
    let models = models_of(&states, job.other_models);
    let mut again: Vec<usize> = Vec::new();
    for (i, s) in states.iter_mut().enumerate() {
        let mut read = false;
        for (_, slot, changed) in &mut s.slots {
            let Slot::Deferred(known, words) = slot else { continue };
            if known.skipped_under.iter().any(|fp| fp == models.fingerprint()) {
                *slot = Slot::Skipped(std::mem::take(known));
            } else if let Some(words) = words
                && !models.wants(words)
            {
                *slot = Slot::Skipped(std::mem::take(known));
                *changed = true;
            } else {
                read = true;
            }
        }
        if read && s.unreadable.is_none() {
            again.push(i);
        }
    }
    // What is left names a model, or was deferred by an earlier scan under other models: read
    // it (again) and decide with its words.
    read_all(job, &repos, &mut states, &again, |j, slot, file| match slot {
        Slot::Deferred(known, _) => Some(match job.extractors[j].screen(file.path, file.text) {
            Screen::IfModel(words) if !models.wants(&words) => Slot::Skipped(known.clone()),
            _ => Slot::Done(job.extractors[j].extract(file, job.ctx)),
        }),
        _ => None,
    });
    let decided = started.elapsed();
    let named = again.len();

    // (4) Hand over what changed since the early batch.
    let fresh = encode_changed(&mut states, &key, Some(&models), |_| true)?;
    let new_entries = fresh.len();
    store(job, fresh)?;
    tracing::debug!(
        "facts: cache lookup {looked_up:?}, read and extract {:?}, {deferred} files deferred {:?} ({named} of them read and extracted), {} new entries",
        extracted - looked_up,
        decided - extracted,
        new_entries
    );
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
            out.skipped
                .push(Skipped { path: s.file.path.clone(), reason: crate::scan::reference::reason::LOSSY.to_owned() });
        }
        let mut merged = FileFacts::default();
        for (_, slot, _) in s.slots {
            if let Slot::Done(f) = slot {
                merged.hits.extend(f.hits);
                merged.models.extend(f.models);
                merged.bindings.extend(f.bindings);
            }
        }
        out.facts.push((s.file.path.clone(), merged));
    }
    out.facts.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Step (2) for one slot of a file just read: its facts, or its deferral with the words that
/// step (3) decides by; a deferred file naming one of the models `known` so far is extracted.
fn screened(job: &Job<'_>, known: Option<&ModelKeys>, j: usize, slot: &Slot, file: &SourceFile<'_>) -> Option<Slot> {
    match slot {
        // A deferred slot is screened again while the text is at hand.
        Slot::Missing | Slot::Deferred(_, None) => match job.extractors[j].screen(file.path, file.text) {
            Screen::IfModel(words) if !known.is_some_and(|m| m.wants(&words)) => {
                let known = if let Slot::Deferred(d, _) = slot { d.clone() } else { Deferral::default() };
                Some(Slot::Deferred(known, Some(words)))
            }
            _ => Some(Slot::Done(job.extractors[j].extract(file, job.ctx))),
        },
        _ => None,
    }
}

/// The keys of the model classes declared by the files whose facts are in hand, and of `other`.
fn models_of(states: &[FileState<'_>], other: &[&str]) -> ModelKeys {
    ModelKeys::from_classes(
        states
            .iter()
            .flat_map(|s| s.slots.iter())
            .filter_map(|(_, slot, _)| match slot {
                Slot::Done(f) => Some(f),
                _ => None,
            })
            .flat_map(|f| f.models.iter().map(|m| m.class.as_str()))
            .chain(other.iter().copied()),
    )
}

/// Hand new cache entries to the job's writer, or write them now.
fn store(job: &Job<'_>, batch: EncodedFacts) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    match (&job.writer, job.cache) {
        // A writer that stopped has failed, and says so when it is joined.
        (Some(writer), _) => {
            let _ = writer.send(batch);
            Ok(())
        }
        (None, Some(store)) => store.put_encoded_facts(&batch),
        (None, None) => Ok(()),
    }
}

/// Encode the cache entries of the changed slots that `which` accepts, in parallel, and mark
/// them unchanged. Deferral verdicts need the app's `models` (only known after step 3).
fn encode_changed(
    states: &mut [FileState<'_>],
    key: &(impl Fn(&FileEntry, usize) -> BlobKey + Sync),
    models: Option<&ModelKeys>,
    which: impl Fn(&Slot) -> bool + Sync,
) -> Result<EncodedFacts> {
    let changed: Vec<(&FileState<'_>, usize, &Slot)> = states
        .iter()
        .filter(|s| !s.lossy && s.unreadable.is_none())
        .flat_map(|s| {
            s.slots.iter().filter(|(_, slot, changed)| *changed && which(slot)).map(move |(j, slot, _)| (s, *j, slot))
        })
        .collect();
    let encoded: EncodedFacts = changed
        .par_iter()
        .filter_map(|&(s, j, slot)| {
            let encoded = match (slot, models) {
                (Slot::Done(facts), _) => encode_facts(facts),
                (Slot::Skipped(known) | Slot::Deferred(known, _), Some(models)) => {
                    let mut skipped_under = known.skipped_under.clone();
                    if matches!(slot, Slot::Skipped(_)) {
                        skipped_under.retain(|fp| fp != models.fingerprint());
                        skipped_under.push(models.fingerprint().to_owned());
                    }
                    let excess = skipped_under.len().saturating_sub(VERDICTS_KEPT);
                    skipped_under.drain(..excess);
                    encode_facts(&FileFacts { deferred: Some(Deferral { skipped_under }), ..FileFacts::default() })
                }
                _ => return None,
            };
            Some(encoded.map(|bytes| (key(s.file, j), bytes)))
        })
        .collect::<Result<_>>()?;
    for s in states.iter_mut().filter(|s| !s.lossy && s.unreadable.is_none()) {
        for (_, slot, changed) in &mut s.slots {
            if *changed && which(slot) && (models.is_some() || matches!(slot, Slot::Done(_))) {
                *changed = false;
            }
        }
    }
    Ok(encoded)
}

/// Read the files `which` (indices into `states`) in parallel, in pack order, and let `step`
/// replace each slot it returns `Some` for (marking it changed).
fn read_all<F>(job: &Job<'_>, repos: &Handles, states: &mut [FileState<'_>], which: &[usize], step: F)
where
    F: Fn(usize, &Slot, &SourceFile<'_>) -> Option<Slot> + Sync,
{
    if which.is_empty() {
        return;
    }
    if let Some(bar) = job.progress {
        bar.inc_length(which.len() as u64);
    }
    // libgit2 re-hashes every object it reads (SHA-1 with collision detection, ~4 % of a cold
    // scan); git itself does not when reading. A corrupt object still fails to inflate.
    static NO_HASH_CHECK: std::sync::Once = std::sync::Once::new();
    NO_HASH_CHECK.call_once(|| git2::opts::strict_hash_verification(false));
    let mut order = which.to_vec();
    if let Some(packs) = &repos.packs {
        let blobs: Vec<git2::Oid> = order.iter().map(|&i| states[i].file.blob).collect();
        let mut keyed: Vec<((usize, u64), usize)> = packs.keys(&blobs).into_iter().zip(order).collect();
        keyed.sort_unstable();
        order = keyed.into_iter().map(|(_, i)| i).collect();
    }
    let shared: &[FileState<'_>] = states;
    let results: Vec<Read> = order
        .par_iter()
        .map(|&i| {
            let s = &shared[i];
            let handles = &repos.per_thread;
            let slot = rayon::current_thread_index().map_or(handles.len() - 1, |t| t.min(handles.len() - 1));
            let content = {
                let mut guard = handles[slot].lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let repo = guard.get_or_insert_with(|| {
                    git2::Repository::open(job.repo).map_err(|e| format!("cannot open the repository: {}", e.message()))
                });
                match repo {
                    Ok(r) => Ok(tree::read(r, s.file.blob, job.max_size)),
                    Err(e) => Err(e.clone()),
                }
            };
            let run = |text: &str| -> Vec<Option<Slot>> {
                // One view of the file for all its extractors, so what they share is derived once.
                let file = SourceFile::new(&s.file.app_path, text);
                s.slots.iter().map(|(j, slot, _)| step(*j, slot, &file)).collect()
            };
            let out = match content {
                Err(e) => (i, Err(e), false),
                Ok(Content::Skipped(reason)) => (i, Err(reason), false),
                Ok(Content::Text(text)) => (i, Ok(run(&text)), false),
                Ok(Content::Lossy(text)) => (i, Ok(run(&text)), true),
            };
            if let Some(bar) = job.progress {
                bar.inc(1);
            }
            out
        })
        .collect();
    for (i, result, lossy) in results {
        let s = &mut states[i];
        match result {
            Err(reason) => s.unreadable = Some(reason),
            Ok(new) => {
                s.read = true;
                s.lossy |= lossy;
                // An extractor that could not read the file makes the whole file unreadable: the
                // others' facts would be a partial reading, and a partial reading passes a gate.
                let gave_up = new.iter().flatten().find_map(|slot| match slot {
                    Slot::Done(facts) => facts.unreadable.clone(),
                    _ => None,
                });
                if gave_up.is_some() {
                    s.unreadable = gave_up;
                    continue;
                }
                for ((_, slot, changed), new) in s.slots.iter_mut().zip(new) {
                    if let Some(new) = new {
                        *slot = new;
                        *changed = true;
                    }
                }
            }
        }
    }
}

/// The repository as the reading threads use it, opened once per collection.
struct Handles {
    /// git2's Repository is not Sync, and each handle has its own cache of delta bases: one
    /// handle per worker thread, opened on first use (not per rayon job, which would start cold
    /// for every split and inflate the same delta chains over and over).
    per_thread: Vec<Mutex<Option<std::result::Result<git2::Repository, String>>>>,
    packs: Option<pack_order::Packs>,
}

impl Handles {
    fn new(repo: &std::path::Path) -> Handles {
        Handles {
            per_thread: (0..=rayon::current_num_threads()).map(|_| Mutex::new(None)).collect(),
            packs: git2::Repository::open(repo).ok().map(|repo| pack_order::Packs::open(&repo)),
        }
    }
}

/// The outcome of reading one file: replacement slots, or why it could not be read; and
/// whether it was decoded lossily.
type Read = (usize, std::result::Result<Vec<Option<Slot>>, String>, bool);

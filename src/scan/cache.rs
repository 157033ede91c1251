//! What the scanner keeps between runs — the blob extraction cache, snapshots, saved scans — as
//! the interface it needs ([`ScanStore`]). The registry store implements it: the store depends on
//! the scanner's types, and the scanner never on the store.

use std::collections::HashMap;

use crate::error::{Diagnostic, Error, Result};
use crate::scan::ScanResult;
use crate::scan::facts::FileFacts;

/// Cache key of one file's extraction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey {
    /// Hex git object id of the blob, `:`, and the path the extractor was given: extractors read
    /// the path too (`.erb` or `.rb`, under `app/models/` or not, a Django app's label), so the
    /// same blob at another path is another entry.
    pub blob: String,
    /// Extractor id, version and context fingerprint, e.g. `rails@3:9f2c…`.
    pub extractor: String,
}

/// A batch of cache entries as the store writes them: each key with its facts encoded by
/// [`encode_facts`].
pub type EncodedFacts = Vec<(BlobKey, Vec<u8>)>;

impl BlobKey {
    pub fn new(blob: git2::Oid, path: &str, extractor: &str) -> BlobKey {
        BlobKey { blob: format!("{blob}:{path}"), extractor: extractor.to_owned() }
    }
}

/// Facts as the blob cache stores them ([`FileFacts::encode`]).
pub fn encode_facts(facts: &FileFacts) -> Result<Vec<u8>> {
    facts.encode().map_err(|e| Error::environment(Diagnostic::new(format!("cannot serialize facts: {e}"))))
}

/// A stored snapshot (see [`crate::scan::snapshot`]): its row id, which a saved scan names as
/// its base, the commit it was taken at, and its bytes.
#[derive(Debug, Clone)]
pub struct StoredSnapshot {
    pub id: i64,
    pub commit: String,
    pub data: Vec<u8>,
}

/// A scan as the store keeps it when most of it is a snapshot's: the snapshot `base`, the paths
/// of it the scan did not take (changed, deleted, or not read), and the references of every
/// other file ([`crate::scan::snapshot::encode_references`]). A warm scan of one changed file
/// then stores that file's references, not the app's.
#[derive(Debug, Clone)]
pub struct ScanDelta {
    pub base: i64,
    pub dropped: Vec<String>,
    pub fresh: Vec<u8>,
}

/// Where a scan keeps what it learned, shared by the scan's threads.
pub trait ScanStore: Sync {
    /// Cached extractions for the given keys; missing keys are absent from the map.
    fn cached_facts(&self, keys: &[BlobKey]) -> Result<HashMap<BlobKey, FileFacts>>;
    /// Store extractions encoded with [`encode_facts`]; an existing entry for a key is replaced.
    fn put_encoded_facts(&self, entries: &[(BlobKey, Vec<u8>)]) -> Result<()>;
    /// The snapshot (commit, bytes) of `app` under `context` to start a scan of `commit` from.
    fn snapshot(&self, app: &str, context: &str, commit: &str) -> Result<Option<StoredSnapshot>>;
    /// Store a snapshot of `app` at `commit` under `context`; its id.
    fn put_snapshot(&self, app: &str, context: &str, commit: &str, data: &[u8]) -> Result<i64>;
    /// Record a scan; `published` marks it as the app's published scan for its ref. With a
    /// `delta`, only what differs from the delta's base snapshot is written (the base is kept as
    /// long as a scan names it); without, or when the base is gone, the whole scan.
    fn save_scan(&self, scan: &ScanResult, delta: Option<&ScanDelta>, published: bool) -> Result<()>;
    /// Record a scan as `delta` alone, for a scan whose caller did not restore the references of
    /// the base's files (`scan.references` is then not the scan's): `false`, and nothing written,
    /// when the base is gone.
    fn save_scan_on_base(&self, scan: &ScanResult, delta: &ScanDelta, published: bool) -> Result<bool>;
    /// The most recent scan of `app` at `git_ref`.
    fn latest_scan(&self, app: &str, git_ref: &str, published_only: bool) -> Result<Option<ScanResult>>;
}

//! The registry store: scan results per app/ref/commit, the blob extraction cache, published
//! scans. SQLite in `.tandem/` by default, PostgreSQL when `store = "postgres://…"` — one code
//! path through sqlx.

use std::path::Path;

use crate::error::Result;
use crate::scan::ScanResult;
use crate::scan::facts::FileFacts;

/// Cache key of one blob's extraction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobKey {
    /// Hex git object id of the blob.
    pub blob: String,
    /// Extractor id, version and context fingerprint, e.g. `rails@3:9f2c…`.
    pub extractor: String,
}

pub struct Store {
    _private: (),
}

impl Store {
    /// Open (creating if needed, and migrating) the store at `url`; a relative `sqlite://` path
    /// is relative to `root` (the directory of apps.toml).
    pub fn open(url: &str, root: &Path) -> Result<Store> {
        let _ = (url, root);
        todo!("store")
    }

    /// Cached extractions for the given keys; missing keys are absent from the map.
    pub fn cached_facts(&self, keys: &[BlobKey]) -> Result<std::collections::HashMap<BlobKey, FileFacts>> {
        let _ = keys;
        todo!("store")
    }

    pub fn put_facts(&self, entries: &[(BlobKey, FileFacts)]) -> Result<()> {
        let _ = entries;
        todo!("store")
    }

    /// Record a scan; `published` marks it as the app's published scan for its ref.
    pub fn save_scan(&self, scan: &ScanResult, published: bool) -> Result<()> {
        let _ = (scan, published);
        todo!("store")
    }

    /// The most recent scan of `app` at `git_ref` (`deployed`, `head` or a revision).
    pub fn latest_scan(&self, app: &str, git_ref: &str, published_only: bool) -> Result<Option<ScanResult>> {
        let _ = (app, git_ref, published_only);
        todo!("store")
    }
}

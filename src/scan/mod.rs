//! Reading each app's code at its refs through libgit2 and turning it into references.

pub mod extract;
pub mod facts;
pub mod inflect;
pub mod reference;

pub use reference::{ObjectRef, RefKind, Reference, ScanResult, ScanSummary};

use crate::config::Config;
use crate::error::Result;
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

/// Scan every selected app at each of its refs (reading apps with `source = "store"` from their
/// latest published scan), store the results, and return them sorted by app then ref.
/// `schema` adds implicit references and the identifiers for the `name` fallback.
pub fn run(config: &Config, schema: Option<&Schema>, store: &Store, options: &ScanOptions) -> Result<Vec<ScanResult>> {
    let _ = (config, schema, store, options);
    todo!("scanner")
}

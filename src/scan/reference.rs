//! What the scanner produces: references from an app's code, at a ref and commit, to schema
//! objects.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use crate::config::Confidence;

/// The kind of evidence a reference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    /// The ORM maps it: a schema block, a model field, `self.table_name`, `belongs_to`.
    Declaration,
    /// An ActiveRecord model loads and writes every column of its table it does not ignore.
    Implicit,
    /// The name used against a known model or table: `where(email: …)`, `u.email`, `filter(email=…)`.
    Query,
    /// Raw SQL in a string, parsed and resolved.
    Sql,
    /// Fallback: the identifier as a whole word in code. Low confidence.
    Name,
    /// A column the code names on a record or table the schema has, but which the schema's table
    /// lacks: dropped already, misspelt, or never migrated. Kept apart from the other kinds —
    /// it is no use of the schema as it is (the gate and the graph leave it out) — so that
    /// `tandem schema drift` can report it and `tandem refs` show it. Last, so that stored
    /// scans of earlier versions decode unchanged.
    Dangling,
}

impl RefKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RefKind::Declaration => "declaration",
            RefKind::Implicit => "implicit",
            RefKind::Query => "query",
            RefKind::Sql => "sql",
            RefKind::Name => "name",
            RefKind::Dangling => "dangling",
        }
    }
}

impl fmt::Display for RefKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A table, or a column of a table. `schema` is set only when the code or target named one.
///
/// The names are shared strings: a scan holds hundreds of thousands of references to a few
/// thousand objects, and restoring a warm scan's references from its snapshot then costs no
/// allocation per name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ObjectRef {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<Arc<str>>,
    pub table: Arc<str>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<Arc<str>>,
}

impl ObjectRef {
    pub fn table(table: &str) -> Self {
        ObjectRef { schema: None, table: Arc::from(table), column: None }
    }

    pub fn column(table: &str, column: &str) -> Self {
        ObjectRef { schema: None, table: Arc::from(table), column: Some(Arc::from(column)) }
    }

    /// Parse a target as users write it: `users`, `users.email`, `public.users.email`.
    /// Two parts are read as `table.column`; to name a table in a schema, give three parts or
    /// use [`ObjectRef::parse_with`] with the schema's knowledge.
    pub fn parse(text: &str) -> Option<Self> {
        let parts: Vec<&str> = text.split('.').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        match parts.as_slice() {
            [t] => Some(ObjectRef::table(t)),
            [t, c] => Some(ObjectRef::column(t, c)),
            [s, t, c] => {
                Some(ObjectRef { schema: Some(Arc::from(*s)), table: Arc::from(*t), column: Some(Arc::from(*c)) })
            }
            _ => None,
        }
    }

    /// The table part as a reference of its own.
    pub fn table_ref(&self) -> ObjectRef {
        ObjectRef { schema: self.schema.clone(), table: self.table.clone(), column: None }
    }

    /// Whether a reference to `self` is a reference to `target`: same table (schemas compared
    /// only when both are known) and, when `target` names a column, the same column. A
    /// reference to a whole table does not count as a reference to each of its columns — the
    /// scanner emits column references (implicit ones included) wherever a column is used.
    pub fn hits(&self, target: &ObjectRef) -> bool {
        let schema_ok = match (&self.schema, &target.schema) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        schema_ok && self.table == target.table && (target.column.is_none() || self.column == target.column)
    }
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = &self.schema {
            write!(f, "{s}.")?;
        }
        f.write_str(&self.table)?;
        if let Some(c) = &self.column {
            write!(f, ".{c}")?;
        }
        Ok(())
    }
}

/// Evidence that an app, at a ref and commit, depends on an object.
///
/// The strings that many references repeat (every reference of a scan has its app, ref and
/// commit; every reference of a file its path; every one of a line its snippet) are shared:
/// a scan holds hundreds of thousands of references, and a copy of each string per
/// reference was most of the memory of a warm scan.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Reference {
    pub app: Arc<str>,
    /// `deployed`, `head`, or the revision given with `--ref`.
    #[serde(rename = "ref")]
    pub git_ref: Arc<str>,
    pub commit: Arc<str>,
    /// Path inside the repository, `/`-separated.
    pub path: Arc<str>,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub object: ObjectRef,
    pub kind: RefKind,
    pub confidence: Confidence,
    /// The source line, trimmed.
    pub snippet: Arc<str>,
}

/// What every reference of one scan shares (app, ref, commit), allocated once: resolution and
/// the snapshot's decoding hand each reference a clone of these.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub app: Arc<str>,
    pub git_ref: Arc<str>,
    pub commit: Arc<str>,
}

impl Origin {
    pub fn new(app: &str, git_ref: &str, commit: &str) -> Origin {
        Origin { app: Arc::from(app), git_ref: Arc::from(git_ref), commit: Arc::from(commit) }
    }
}

/// How many references of each kind one scan found.
pub type KindCounts = std::collections::BTreeMap<RefKind, usize>;

/// `references` counted by kind.
pub fn count_kinds(references: &[Reference]) -> KindCounts {
    let mut counts = KindCounts::new();
    for r in references {
        *counts.entry(r.kind).or_default() += 1;
    }
    counts
}

/// Everything one scan of one app at one ref produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanResult {
    pub app: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The revision as written in apps.toml or on the command line.
    pub revision: String,
    pub commit: String,
    pub references: Vec<Reference>,
    pub summary: ScanSummary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ScanSummary {
    pub files_read: u64,
    pub blobs_from_cache: u64,
    /// Items that could not be read, each with its path and why (missing blob, submodule,
    /// symlink, binary, too large, not UTF-8). Never silently dropped.
    pub skipped: Vec<Skipped>,
    pub elapsed_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// The reasons for leaving a file out on purpose: it is not code, its code lives elsewhere, or it
/// was read anyway. Any other reason (an object missing from or corrupt in the object database,
/// an unreadable path) means the file could not be read.
pub(crate) mod reason {
    pub const BINARY: &str = "binary file";
    pub const SYMLINK: &str = "symbolic link; its target is scanned where it lives";
    pub const SUBMODULE: &str = "submodule at commit ";
    pub const LOSSY: &str = "not valid UTF-8: read with invalid bytes replaced";
    /// `N bytes, over the M-byte limit (scan.max_file_size)`: a limit the registry sets.
    pub const TOO_LARGE: &str = "-byte limit (scan.max_file_size)";
    /// A whole directory of the app: `tree <id> is …`.
    pub const TREE: &str = "tree ";
}

impl Skipped {
    /// Whether the item could not be read at all — its object is missing or corrupt, its path
    /// cannot be named — as opposed to left out on purpose (binary, over the size limit, a
    /// symbolic link or submodule) or read lossily. Told from the reason, the one field a stored
    /// scan keeps; a reason this list does not know counts as unreadable, so that the gate fails
    /// closed on it.
    pub fn unreadable(&self) -> bool {
        let r = self.reason.as_str();
        !(r == reason::BINARY
            || r == reason::SYMLINK
            || r.starts_with(reason::SUBMODULE)
            || r == reason::LOSSY
            || r.ends_with(reason::TOO_LARGE))
    }

    /// Whether the item is a directory (a tree the app's code was below), not one file.
    pub fn is_directory(&self) -> bool {
        self.reason.starts_with(reason::TREE)
    }
}

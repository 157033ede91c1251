//! What every renderer shares, below the modules whose results it renders (`check`, `drift`,
//! `notes`, `report`): paths and commits as reports write them, plurals, machine JSON, and the
//! HTML and Markdown primitives. It knows no command's result type, only the finding's
//! severity and verdict.

pub mod html;
pub mod markdown;

pub use crate::git::short_commit;

/// Path as written in reports: `/`-separated whatever the platform.
pub fn display_path(p: &std::path::Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// `1 migration`, `2 migrations`.
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Serialize a machine report: pretty JSON with a trailing newline. Every top-level report object
/// carries `"version": 1`.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

//! Rendering results for humans and machines.

pub mod diagnostic;
pub mod table;

/// Serialize a machine report: pretty JSON with a trailing newline. Every top-level report object
/// carries `"version": 1`.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}

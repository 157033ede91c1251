//! `--format json`: the check report, versioned (`"version": 1`) with stable field names.

use crate::check::CheckReport;

pub fn render(report: &CheckReport) -> String {
    let mut out = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

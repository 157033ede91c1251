//! `--format json`: the check report, versioned (`"version": 1`) with stable field names.

use crate::check::CheckReport;

pub fn render(report: &CheckReport) -> String {
    crate::render::json(report)
}

//! Rendering results for humans and machines.

pub mod diagnostic;
pub mod github;
pub mod html;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod table;
pub mod text;

use crate::check::CheckReport;

/// The formats `tandem check` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ReportFormat {
    #[default]
    Text,
    Json,
    Github,
    Sarif,
    Markdown,
}

/// Render a check report. `color` applies to `text` only.
pub fn render(report: &CheckReport, format: ReportFormat, color: bool) -> String {
    match format {
        ReportFormat::Text => text::render(report, color),
        ReportFormat::Json => json::render(report),
        ReportFormat::Github => github::render(report),
        ReportFormat::Sarif => sarif::render(report),
        ReportFormat::Markdown => markdown::render(report),
    }
}

/// What could not be read, as every format says it: `app@ref: message` for a whole app,
/// `path (app@ref): message` for a file of it.
pub(crate) fn unreadable(u: &crate::check::ScanFailure) -> String {
    match &u.path {
        None => format!("{}@{}: {}", u.app, u.git_ref, u.message),
        Some(p) => format!("{p} ({}@{}): {}", u.app, u.git_ref, u.message),
    }
}

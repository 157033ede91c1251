//! `--format markdown`: a pull-request comment. GitHub rejects comments over 65,536 characters,
//! so the full comment degrades step by step — fewer references per finding, then no details —
//! until it fits.

use std::fmt::Write as _;

use crate::check::{CheckReport, Finding, Severity, Verdict};
use crate::render::markdown::{cell, fit};
use crate::render::{display_path, short_commit};
use crate::report::unreadable;

pub fn render(report: &CheckReport) -> String {
    fit(&[usize::MAX, 20, 5, 0], |max_refs| build(report, max_refs), "run `tandem check` locally for the full report")
}

fn icon(f: &Finding) -> &'static str {
    match (f.suppression.is_some(), f.severity) {
        (true, _) => "⚪",
        (false, Severity::Block) => "⛔",
        (false, Severity::Warn) => "⚠️",
        (false, Severity::Info) => "ℹ️",
    }
}

/// `max_refs = None`: the summary table only.
fn build(report: &CheckReport, max_refs: Option<usize>) -> String {
    let mut out = String::new();
    let headline = match report.verdict {
        Verdict::Pass => "✅ **pass**",
        Verdict::Warn => "⚠️ **warn**",
        Verdict::Block => "⛔ **block**",
    };
    let s = &report.summary;
    let _ = writeln!(out, "## tandem check: {headline}\n");
    let _ = writeln!(
        out,
        "{} migration{} checked: {} block, {} warn, {} info, {} suppressed.",
        report.checked_migrations(),
        if report.checked_migrations() == 1 { "" } else { "s" },
        s.block,
        s.warn,
        s.info,
        s.suppressed
    );
    if !report.checked.is_empty() {
        let list: Vec<String> = report
            .checked
            .iter()
            .map(|c| format!("`{}`@{} (`{}`)", c.app, c.git_ref, short_commit(&c.commit)))
            .collect();
        let _ = writeln!(out, "Apps checked: {}.", list.join(", "));
    }
    for u in &report.unreadable {
        let _ = writeln!(out, "\n**Could not read** {}", cell(&unreadable(u)));
    }
    if report.findings.is_empty() {
        return out;
    }
    let _ = writeln!(out, "\n| | rule | where | object | message |\n|---|---|---|---|---|");
    for f in &report.findings {
        let loc = f.location.as_ref().map_or(String::new(), |l| format!("`{}:{}`", display_path(&l.file), l.line));
        let _ = writeln!(
            out,
            "| {} | `{}` | {loc} | {} | {} |",
            icon(f),
            f.rule,
            f.object.as_deref().map_or(String::new(), |o| format!("`{o}`")),
            cell(&f.message)
        );
    }
    let Some(max_refs) = max_refs else {
        let _ = writeln!(out, "\n_Details left out to fit in a comment: run `tandem check` for them._");
        return out;
    };
    for f in report.findings.iter().filter(|f| f.suppression.is_none() && f.severity > Severity::Info) {
        let loc = f
            .location
            .as_ref()
            .map_or(String::new(), |l| format!(" at <code>{}:{}</code>", display_path(&l.file), l.line));
        let _ = writeln!(out, "\n<details><summary>{} <code>{}</code>{loc}</summary>\n", icon(f), f.rule);
        let _ = writeln!(out, "{}\n", f.message);
        if !f.references.is_empty() {
            let _ = writeln!(out, "| app | ref | file | kind | code |\n|---|---|---|---|---|");
            for r in f.references.iter().take(max_refs) {
                let _ = writeln!(
                    out,
                    "| `{}` | {} (`{}`) | `{}:{}` | {} ({}) | `{}` |",
                    r.app,
                    r.git_ref,
                    short_commit(&r.commit),
                    r.path,
                    r.line,
                    r.kind,
                    r.confidence,
                    cell(&r.snippet).replace('`', "'")
                );
            }
            if f.references.len() > max_refs {
                let _ = writeln!(out, "\n…and {} more references.", f.references.len() - max_refs);
            }
            out.push('\n');
        }
        for recipe in &f.recipes {
            match recipe.framework {
                Some(fw) => {
                    let _ = writeln!(out, "**Safe alternative ({fw})**\n");
                }
                None => {
                    let _ = writeln!(out, "**Safe alternative**\n");
                }
            }
            for (i, step) in recipe.steps.iter().enumerate() {
                let _ = writeln!(out, "{}. {step}", i + 1);
            }
            out.push('\n');
        }
        let _ = writeln!(out, "</details>");
    }
    out
}

//! `--format github`: GitHub Actions workflow commands, one annotation per unsuppressed finding on
//! the migration line, followed by a one-line verdict.

use crate::check::{CheckReport, Finding, Severity};
use crate::report::{display_path, short_commit, unreadable};

/// Data of a workflow command: `%`, CR and LF are escaped.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Property values additionally escape `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn body(f: &Finding) -> String {
    let mut text = f.message.clone();
    if !f.references.is_empty() {
        text.push_str("\nUsed by:");
        for r in &f.references {
            text.push_str(&format!(
                "\n  {}@{} ({}) {}:{} [{}] {}",
                r.app,
                r.git_ref,
                short_commit(&r.commit),
                r.path,
                r.line,
                r.kind,
                r.snippet
            ));
        }
    }
    for recipe in &f.recipes {
        match recipe.framework {
            Some(fw) => text.push_str(&format!("\nSafe alternative ({fw}):")),
            None => text.push_str("\nSafe alternative:"),
        }
        for (i, step) in recipe.steps.iter().enumerate() {
            text.push_str(&format!("\n  {}. {step}", i + 1));
        }
    }
    text
}

pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    for f in report.findings.iter().filter(|f| f.suppression.is_none()) {
        let level = match f.severity {
            Severity::Block => "error",
            Severity::Warn => "warning",
            Severity::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(loc) = &f.location {
            props.push(format!("file={}", escape_property(&display_path(&loc.file))));
            props.push(format!("line={}", loc.line));
            props.push(format!("col={}", loc.column));
        }
        props.push(format!("title={}", escape_property(&format!("tandem {}", f.rule))));
        out.push_str(&format!("::{level} {}::{}\n", props.join(","), escape_data(&body(f))));
    }
    // Not tied to a line: what could not be read (the gate findings say what it blocks).
    for u in &report.unreadable {
        out.push_str(&format!(
            "::warning title={}::{}\n",
            escape_property("tandem could not read"),
            escape_data(&unreadable(u))
        ));
    }
    let s = &report.summary;
    out.push_str(&format!(
        "tandem check: {} ({} block, {} warn, {} info, {} suppressed)\n",
        report.verdict, s.block, s.warn, s.info, s.suppressed
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_workflow_command_data_and_properties() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}

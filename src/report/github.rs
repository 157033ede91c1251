//! `--format github`: GitHub Actions workflow commands, one annotation per unsuppressed finding on
//! the migration line, followed by a one-line verdict. GitHub shows at most [`PER_LEVEL`]
//! annotations of each level in a step (and 50 in a job) and drops the rest without a word, so
//! past that the findings are listed as plain log lines behind a line that says how many and why.

use crate::check::{CheckReport, Finding, Severity};
use crate::render::{display_path, short_commit};
use crate::report::unreadable;

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

/// Annotations of one level (error, warning, notice) GitHub shows in one step.
pub const PER_LEVEL: usize = 10;

pub fn render(report: &CheckReport) -> String {
    let mut out = String::new();
    let mut shown = [0usize; 3];
    let mut rest = Vec::new();
    let mut annotate = |level: usize, line: String, plain: String, out: &mut String| {
        if shown[level] < PER_LEVEL {
            shown[level] += 1;
            out.push_str(&line);
        } else {
            rest.push(plain);
        }
    };
    for f in report.findings.iter().filter(|f| f.suppression.is_none()) {
        let (level, name) = match f.severity {
            Severity::Block => (0, "error"),
            Severity::Warn => (1, "warning"),
            Severity::Info => (2, "notice"),
        };
        let mut props = Vec::new();
        let mut at = String::new();
        if let Some(loc) = &f.location {
            props.push(format!("file={}", escape_property(&display_path(&loc.file))));
            props.push(format!("line={}", loc.line));
            props.push(format!("col={}", loc.column));
            at = format!("{}:{}:{}: ", display_path(&loc.file), loc.line, loc.column);
        }
        props.push(format!("title={}", escape_property(&format!("tandem {}", f.rule))));
        let line = format!("::{name} {}::{}\n", props.join(","), escape_data(&body(f)));
        let plain = format!("{at}{name} [{}] {}\n", f.rule, f.message.replace('\n', " "));
        annotate(level, line, plain, &mut out);
    }
    // Not tied to a line: what could not be read (the gate findings say what it blocks).
    for u in &report.unreadable {
        let line =
            format!("::warning title={}::{}\n", escape_property("tandem could not read"), escape_data(&unreadable(u)));
        annotate(1, line, format!("warning [unreadable] {}\n", unreadable(u).replace('\n', " ")), &mut out);
    }
    if !rest.is_empty() {
        out.push_str(&format!(
            "tandem check: {} more finding{} below are not annotated: GitHub shows {PER_LEVEL} annotations of each level per step\n",
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ));
        rest.iter().for_each(|r| out.push_str(r));
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

    fn finding(severity: Severity, line: u32) -> Finding {
        let mut f = Finding::new("drop-column", severity, format!("finding at line {line}"));
        f.location = Some(crate::check::Location { file: "m.sql".into(), line, column: 1, start: 0, end: 1 });
        f
    }

    /// GitHub drops annotations past ten of a level in a step: those findings are plain lines
    /// behind a count, so none is lost.
    #[test]
    fn annotations_stop_at_githubs_limit_per_level() {
        let findings: Vec<Finding> = (1..=25)
            .map(|l| finding(Severity::Block, l))
            .chain((100..103).map(|l| finding(Severity::Warn, l)))
            .collect();
        let report = CheckReport {
            version: 1,
            verdict: crate::check::Verdict::of(&findings),
            migrations: Vec::new(),
            checked: Vec::new(),
            unreadable: Vec::new(),
            findings,
            summary: Default::default(),
            sources: Default::default(),
        };
        let out = render(&report);
        assert_eq!(out.lines().filter(|l| l.starts_with("::error ")).count(), PER_LEVEL);
        assert_eq!(out.lines().filter(|l| l.starts_with("::warning ")).count(), 3);
        assert!(out.contains("::error file=m.sql,line=10,"), "{out}");
        assert!(out.contains("15 more findings below are not annotated"), "{out}");
        for l in 11..=25 {
            assert!(out.contains(&format!("m.sql:{l}:1: error [drop-column] finding at line {l}\n")), "{out}");
        }
    }

    #[test]
    fn escapes_workflow_command_data_and_properties() {
        assert_eq!(escape_data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}

//! `--format text`: each finding with the migration excerpt (caret under the statement), the
//! consuming code lines and the recipe; a summary table last. Color only when asked.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use comfy_table::{Table, presets};

use crate::check::{CheckReport, Finding, Severity, Suppression, Verdict};
use crate::report::{display_path, short_commit, unreadable};

struct Paint {
    on: bool,
}

impl Paint {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.on { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_owned() }
    }

    fn severity(&self, s: Severity) -> String {
        let color = match s {
            Severity::Block => AnsiColor::Red,
            Severity::Warn => AnsiColor::Yellow,
            Severity::Info => AnsiColor::Cyan,
        };
        self.paint(Style::new().fg_color(Some(color.into())).bold(), s.as_str())
    }

    fn dim(&self, text: &str) -> String {
        self.paint(Style::new().fg_color(Some(AnsiColor::Blue.into())), text)
    }
}

pub fn render(report: &CheckReport, color: bool) -> String {
    let p = Paint { on: color };
    let mut out = String::new();
    for f in &report.findings {
        finding(&mut out, report, f, &p);
        out.push('\n');
    }
    summary(&mut out, report, &p);
    out
}

fn finding(out: &mut String, report: &CheckReport, f: &Finding, p: &Paint) {
    let head = match &f.suppression {
        Some(_) => format!("{}[{}] (suppressed)", f.severity, f.rule),
        None => format!("{}[{}]", p.severity(f.severity), f.rule),
    };
    let _ = writeln!(out, "{head}: {}", f.message);
    let Some(loc) = &f.location else {
        trailer(out, f, p, "");
        return;
    };
    let gutter = loc.line.to_string().len();
    let pad = " ".repeat(gutter);
    let _ = writeln!(out, "{pad}{} {}:{}:{}", p.dim("-->"), display_path(&loc.file), loc.line, loc.column);
    if let Some(text) = report.sources.get(&loc.file)
        && let Some(src_line) = text.lines().nth(loc.line as usize - 1)
    {
        let statement = text.get(loc.start..loc.end.max(loc.start)).unwrap_or_default();
        let first = statement.lines().next().unwrap_or_default();
        let width =
            first.chars().count().max(1).min(src_line.chars().count().saturating_sub(loc.column as usize - 1).max(1));
        let more = statement.lines().count() > 1;
        let _ = writeln!(out, "{pad} {}", p.dim("|"));
        let _ = writeln!(out, "{} {} {src_line}", p.dim(&loc.line.to_string()), p.dim("|"));
        let _ = writeln!(
            out,
            "{pad} {} {}{}{}",
            p.dim("|"),
            " ".repeat(loc.column as usize - 1),
            p.paint(Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), &"^".repeat(width)),
            if more { " …" } else { "" }
        );
    }
    trailer(out, f, p, &pad);
}

fn trailer(out: &mut String, f: &Finding, p: &Paint, pad: &str) {
    let eq = p.dim("=");
    if !f.references.is_empty() {
        let _ = writeln!(out, "{pad} {eq} used by:");
        for r in &f.references {
            let _ = writeln!(
                out,
                "{pad}     {}@{} ({}) {}:{}:{} [{}, {}]",
                r.app,
                r.git_ref,
                short_commit(&r.commit),
                r.path,
                r.line,
                r.column,
                r.kind,
                r.confidence
            );
            let _ = writeln!(out, "{pad}         {}", r.snippet);
        }
    }
    if !f.dependents.is_empty() {
        let _ = writeln!(out, "{pad} {eq} goes with it: {}", f.dependents.join(", "));
    }
    if !f.checked.is_empty() && f.references.is_empty() {
        let list: Vec<String> =
            f.checked.iter().map(|c| format!("{}@{} ({})", c.app, c.git_ref, short_commit(&c.commit))).collect();
        let _ = writeln!(out, "{pad} {eq} checked: {}", list.join(", "));
    }
    if f.severity > Severity::Info || !f.references.is_empty() {
        for recipe in &f.recipes {
            match recipe.framework {
                Some(fw) => {
                    let _ = writeln!(out, "{pad} {eq} safe alternative ({fw}):");
                }
                None => {
                    let _ = writeln!(out, "{pad} {eq} safe alternative:");
                }
            }
            for (i, step) in recipe.steps.iter().enumerate() {
                let _ = writeln!(out, "{pad}     {}. {step}", i + 1);
            }
        }
    }
    match &f.suppression {
        Some(Suppression::Comment { line, reason, until }) => {
            let until = until.as_deref().map(|u| format!(" until {u}")).unwrap_or_default();
            let _ = writeln!(out, "{pad} {eq} suppressed by the comment on line {line}{until}: {reason}");
        }
        Some(Suppression::Waiver { line, reason, owner, until }) => {
            let _ = writeln!(out, "{pad} {eq} waived in apps.toml line {line} by {owner} until {until}: {reason}");
        }
        None => {}
    }
}

fn summary(out: &mut String, report: &CheckReport, p: &Paint) {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL);
    table.set_header(vec!["migration", "block", "warn", "info", "suppressed"]);
    for m in report.migrations.iter().filter(|m| !m.applied) {
        let of = |pred: &dyn Fn(&Finding) -> bool| {
            report.findings.iter().filter(|f| f.location.as_ref().is_some_and(|l| l.file == m.file) && pred(f)).count()
        };
        table.add_row(vec![
            display_path(&m.file),
            of(&|f| f.suppression.is_none() && f.severity == Severity::Block).to_string(),
            of(&|f| f.suppression.is_none() && f.severity == Severity::Warn).to_string(),
            of(&|f| f.suppression.is_none() && f.severity == Severity::Info).to_string(),
            of(&|f| f.suppression.is_some()).to_string(),
        ]);
    }
    let _ = writeln!(out, "{table}");
    let applied = report.migrations.iter().filter(|m| m.applied).count();
    if applied > 0 {
        let _ = writeln!(
            out,
            "{applied} migration{} already applied (listed in the schema's migration versions): not checked",
            if applied == 1 { "" } else { "s" }
        );
    }
    if !report.checked.is_empty() {
        let list: Vec<String> =
            report.checked.iter().map(|c| format!("{}@{} ({})", c.app, c.git_ref, short_commit(&c.commit))).collect();
        let _ = writeln!(out, "apps checked: {}", list.join(", "));
    }
    for u in &report.unreadable {
        let _ = writeln!(out, "could not read {}", unreadable(u));
    }
    let verdict = match report.verdict {
        Verdict::Pass => p.paint(Style::new().fg_color(Some(AnsiColor::Green.into())).bold(), "pass"),
        Verdict::Warn => p.severity(Severity::Warn),
        Verdict::Block => p.severity(Severity::Block),
    };
    let s = &report.summary;
    let _ = writeln!(
        out,
        "verdict: {verdict} — {} migration{}, {} block, {} warn, {} info, {} suppressed",
        report.checked_migrations(),
        if report.checked_migrations() == 1 { "" } else { "s" },
        s.block,
        s.warn,
        s.info,
        s.suppressed
    );
}

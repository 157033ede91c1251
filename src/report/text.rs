//! `--format text`: each finding with the migration excerpt (caret under the statement, the line
//! cut to a window around it and redacted), the consuming code lines and the recipe; findings of
//! one rule on one line gathered; a summary table last. Color only when asked.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use comfy_table::{Table, presets};

use crate::check::{CheckReport, Finding, Severity, Suppression, Verdict};
use crate::render::{display_path, short_commit};
use crate::report::diagnostic::excerpt;
use crate::report::unreadable;

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
    let mut lines = Lines::default();
    for group in groups(&report.findings) {
        finding(&mut out, report, &mut lines, group[0], &p);
        if group.len() > 1 {
            more(&mut out, group[0], &group[1..], &p);
        }
        out.push('\n');
    }
    summary(&mut out, report, &p);
    out
}

/// How many objects a group of findings names before it only counts the rest.
const GROUP_NAMES: usize = 8;

/// The findings in report order, those of one rule on one line at the same severity gathered
/// behind the first: one statement per line is the rule, but a generated file can hold
/// thousands on one, and each would print the same excerpt and recipe again. Findings that list
/// references or are suppressed stay on their own — they carry what the reader must see.
fn groups(findings: &[Finding]) -> Vec<Vec<&Finding>> {
    let mut out: Vec<Vec<&Finding>> = Vec::new();
    let mut line_start = 0;
    let mut open: std::collections::HashMap<(&str, Severity), usize> = std::collections::HashMap::new();
    for f in findings {
        let same_line = |g: &Vec<&Finding>| {
            let (a, b) = (g[0].location.as_ref(), f.location.as_ref());
            a.zip(b).is_some_and(|(a, b)| a.file == b.file && a.line == b.line)
        };
        if !out.last().is_some_and(same_line) {
            line_start = out.len();
            open.clear();
        }
        let groupable = f.location.is_some() && f.references.is_empty() && f.suppression.is_none();
        match open.get(&(f.rule.as_str(), f.severity)) {
            Some(&i) if groupable && i >= line_start => out[i].push(f),
            _ => {
                if groupable {
                    open.insert((f.rule.as_str(), f.severity), out.len());
                }
                out.push(vec![f]);
            }
        }
    }
    out
}

fn more(out: &mut String, first: &Finding, rest: &[&Finding], p: &Paint) {
    let pad = " ".repeat(first.location.as_ref().map_or(0, |l| l.line.to_string().len()));
    let names: Vec<String> = rest
        .iter()
        .take(GROUP_NAMES)
        .map(|f| match (&f.object, &f.location) {
            (Some(o), Some(l)) => format!("`{o}` at {}", l.column),
            (None, Some(l)) => format!("column {}", l.column),
            (Some(o), None) => format!("`{o}`"),
            (None, None) => String::new(),
        })
        .collect();
    let left = rest.len().saturating_sub(GROUP_NAMES);
    let tail = if left > 0 { format!(" and {left} more") } else { String::new() };
    let _ = writeln!(
        out,
        "{pad} {} {} more [{}] on this line: {}{tail}",
        p.dim("="),
        rest.len(),
        first.rule,
        names.join(", ")
    );
}

/// Byte offsets of the line starts of each source, computed once per file: a finding's line is
/// then found without rescanning the text.
#[derive(Default)]
struct Lines {
    starts: std::collections::HashMap<std::path::PathBuf, Vec<usize>>,
}

impl Lines {
    /// Line `line` (1-based) of `text`, without its line break, and the byte offset it starts at.
    fn get<'t>(&mut self, file: &std::path::Path, text: &'t str, line: u32) -> Option<(&'t str, usize)> {
        let starts = self
            .starts
            .entry(file.to_path_buf())
            .or_insert_with(|| std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect());
        let start = *starts.get((line as usize).checked_sub(1)?)?;
        let end = starts.get(line as usize).map_or(text.len(), |e| e - 1);
        let s = text.get(start..end)?;
        Some((s.strip_suffix('\r').unwrap_or(s), start))
    }
}

fn finding(out: &mut String, report: &CheckReport, lines: &mut Lines, f: &Finding, p: &Paint) {
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
        && let Some((src_line, line_start)) = lines.get(&loc.file, text, loc.line)
    {
        // The statement's own offset when it starts on this line; else its column.
        let start = match loc.start.checked_sub(line_start) {
            Some(s) if s <= src_line.len() => s,
            _ => src_line.char_indices().nth(loc.column as usize - 1).map_or(src_line.len(), |(i, _)| i),
        };
        let statement = text.get(loc.start..loc.end.max(loc.start)).unwrap_or_default();
        let first = statement.lines().next().unwrap_or_default();
        let more = statement.lines().nth(1).is_some();
        let e = excerpt(src_line, start..start + first.len());
        let _ = writeln!(out, "{pad} {}", p.dim("|"));
        let _ = writeln!(out, "{} {} {}", p.dim(&loc.line.to_string()), p.dim("|"), e.text);
        let _ = writeln!(
            out,
            "{pad} {} {}{}{}",
            p.dim("|"),
            " ".repeat(e.caret),
            p.paint(Style::new().fg_color(Some(AnsiColor::Red.into())).bold(), &"^".repeat(e.width)),
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

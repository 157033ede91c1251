//! Suppressions written in migrations — `-- tandem:allow <rule>[,<rule>] reason="…" until=YYYY-MM-DD`
//! on the line(s) before a statement (or at the end of its first line), `tandem:allow-file` for
//! the whole file, `#` instead of `--` in Ruby, Elixir and Python — and waivers from apps.toml.
//!
//! A suppression without a reason is an input error; an expired one no longer suppresses and is
//! reported; one that suppresses nothing is reported.

use std::path::{Path, PathBuf};

use crate::config::Waiver;
use crate::error::{Diagnostic, Error, Result};
use crate::rules::finding::{Finding, Location, Severity, Suppression as Applied};
use crate::rules::{self, EXPIRED_SUPPRESSION, UNUSED_SUPPRESSION};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub rules: Vec<String>,
    pub reason: String,
    pub until: Option<String>,
    /// 1-based line of the comment.
    pub line: u32,
    pub column: u32,
    pub start: usize,
    pub end: usize,
    /// The statement line it applies to; `None` for a file-level suppression.
    pub target_line: Option<u32>,
}

const MARKERS: [&str; 2] = ["tandem:allow-file", "tandem:allow"];

/// Read every suppression comment of a migration's source.
pub fn parse(file: &Path, source: &str) -> Result<Vec<Suppression>> {
    let lines: Vec<&str> = source.lines().collect();
    let mut offset = 0;
    let mut out = Vec::new();
    for (idx, line) in lines.iter().enumerate() {
        let line_start = offset;
        offset += line.len() + 1;
        let Some((comment_at, marker)) = find_marker(line) else { continue };
        let (code, rest) = (&line[..comment_at], &line[comment_at..]);
        let code = code.trim_end().trim_end_matches("--").trim_end_matches('#').trim();
        let body = &rest[marker.len()..];
        let start = line_start + comment_at;
        let column = line[..comment_at].chars().count() as u32 + 1;
        let at = |msg: String, help: &str| {
            Error::input(
                Diagnostic::new(msg).at_offset(file, source, start..line_start + line.len()).help(help.to_owned()),
            )
        };
        let (rule_list, attrs) = split_rules(body);
        if rule_list.is_empty() {
            return Err(at(format!("`{marker}` names no rule"), "write `tandem:allow <rule-id> reason=\"…\"`"));
        }
        let mut rule_list = rule_list;
        for r in &mut rule_list {
            match rules::canonical_id(r) {
                // A former id (`changing-column-type`) suppresses the rule under its current one.
                Some(id) => *r = id.to_owned(),
                None => return Err(at(format!("`{r}` is not a rule"), &did_you_mean(r))),
            }
        }
        let attrs = parse_attrs(attrs).map_err(|m| at(m, "write key=value pairs: reason=\"…\" until=YYYY-MM-DD"))?;
        let mut reason = None;
        let mut until = None;
        for (k, v) in attrs {
            match k.as_str() {
                "reason" => reason = Some(v),
                "until" if is_date(&v) => until = Some(v),
                "until" => return Err(at(format!("`until={v}` is not a date"), "expected until=YYYY-MM-DD")),
                other => {
                    return Err(at(
                        format!("unknown key `{other}`"),
                        "expected reason=\"…\" and optionally until=YYYY-MM-DD",
                    ));
                }
            }
        }
        let Some(reason) = reason.filter(|r| !r.trim().is_empty()) else {
            return Err(at(
                format!("suppression of {} has no reason", rule_list.join(", ")),
                "say why it is safe: reason=\"…\" (and until=YYYY-MM-DD if it should lapse)",
            ));
        };
        let target_line = if marker == "tandem:allow-file" {
            None
        } else if !code.is_empty() {
            Some(idx as u32 + 1)
        } else {
            // The first line after the comment block that holds code.
            lines[idx + 1..]
                .iter()
                .position(|l| {
                    let t = l.trim();
                    !t.is_empty() && !t.starts_with("--") && !t.starts_with('#')
                })
                .map(|p| (idx + 1 + p) as u32 + 1)
                .or(Some(u32::MAX))
        };
        out.push(Suppression {
            rules: rule_list,
            reason,
            until,
            line: idx as u32 + 1,
            column,
            start,
            end: line_start + line.len(),
            target_line,
        });
    }
    Ok(out)
}

/// Byte offset of the comment marker holding a suppression, and which marker.
fn find_marker(line: &str) -> Option<(usize, &'static str)> {
    for comment in ["--", "#"] {
        let mut from = 0;
        while let Some(pos) = line[from..].find(comment) {
            let at = from + pos;
            let after = line[at + comment.len()..].trim_start();
            for m in MARKERS {
                if let Some(rest) = after.strip_prefix(m)
                    && (rest.is_empty() || rest.starts_with(char::is_whitespace))
                {
                    return Some((line.len() - after.len(), m));
                }
            }
            from = at + comment.len();
        }
    }
    None
}

/// Rule ids come first (comma- or space-separated); the first `key=` starts the attributes.
fn split_rules(body: &str) -> (Vec<String>, &str) {
    let mut rules = Vec::new();
    let mut rest = body.trim_start();
    loop {
        let word_end = rest.find(|c: char| c.is_whitespace() || c == ',').unwrap_or(rest.len());
        let word = &rest[..word_end];
        if word.is_empty() || word.contains('=') {
            return (rules, rest);
        }
        rules.push(word.to_owned());
        rest = rest[word_end..].trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    }
}

fn parse_attrs(mut text: &str) -> std::result::Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    loop {
        text = text.trim_start();
        if text.is_empty() {
            return Ok(out);
        }
        let eq = text.find('=').ok_or_else(|| format!("expected key=value, found `{text}`"))?;
        let key = text[..eq].trim().to_owned();
        let after = &text[eq + 1..];
        let (value, rest) = if let Some(q) = after.strip_prefix('"') {
            let close = q.find('"').ok_or_else(|| format!("the value of `{key}` has no closing quote"))?;
            (q[..close].to_owned(), &q[close + 1..])
        } else {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            (after[..end].to_owned(), &after[end..])
        };
        out.push((key, value));
        text = rest;
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && (1..=12).contains(&s[5..7].parse::<u32>().unwrap_or(0))
        && (1..=31).contains(&s[8..10].parse::<u32>().unwrap_or(0))
}

/// Apply one migration's suppressions to its findings; returns the findings about the
/// suppressions themselves (expired, unused).
pub fn apply(file: &Path, suppressions: &[Suppression], findings: &mut [Finding], today: &str) -> Vec<Finding> {
    let mut meta = Vec::new();
    for s in suppressions {
        let loc = Location { file: file.to_path_buf(), line: s.line, column: s.column, start: s.start, end: s.end };
        let rules = s.rules.join(", ");
        if let Some(until) = s.until.as_deref().filter(|u| *u < today) {
            let mut f = Finding::new(
                EXPIRED_SUPPRESSION,
                Severity::Warn,
                format!(
                    "the suppression of {rules} expired on {until}: it no longer applies (reason was: {})",
                    s.reason
                ),
            )
            .recipe(["fix what it suppressed, or extend `until` with a new reason"]);
            f.location = Some(loc);
            meta.push(f);
            continue;
        }
        let mut used = false;
        for f in findings.iter_mut() {
            let line = f.location.as_ref().map(|l| l.line);
            let applies = s.rules.contains(&f.rule)
                && f.suppression.is_none()
                && match s.target_line {
                    None => true,
                    Some(t) => line == Some(t),
                };
            if applies {
                f.suppression =
                    Some(Applied::Comment { line: s.line, reason: s.reason.clone(), until: s.until.clone() });
                used = true;
            }
        }
        if !used {
            let scope = if s.target_line.is_some() { "the statement after it" } else { "this file" };
            let mut f = Finding::new(
                UNUSED_SUPPRESSION,
                Severity::Warn,
                format!("the suppression of {rules} suppresses nothing: no such finding on {scope}"),
            )
            .recipe(["remove the comment"]);
            f.location = Some(loc);
            meta.push(f);
        }
    }
    meta
}

/// The help for an unknown rule id.
fn did_you_mean(id: &str) -> String {
    rules::closest_id(id)
        .map_or(String::new(), |c| format!("did you mean `{c}`? (`tandem check --list-rules` lists them)"))
}

/// Every waiver must name a rule (or a former id of one): a misspelt rule would waive nothing,
/// silently. The error points at the waiver's `rule` in apps.toml.
pub fn check_waivers(config_file: Option<&PathBuf>, waivers: &[Waiver]) -> Result<()> {
    if let Some(w) = waivers.iter().find(|w| !rules::is_known(&w.rule)) {
        let message = format!("waiver of `{}`: `{}` is not a rule", w.object, w.rule);
        let mut d = Diagnostic::new(message).help(did_you_mean(&w.rule));
        if let Some(file) = config_file {
            d = match std::fs::read_to_string(file) {
                Ok(text) if w.rule_span.end <= text.len() && w.rule_span.end > 0 => {
                    d.at_offset(file, &text, w.rule_span.clone())
                }
                _ => d.at(file, w.line, 1),
            };
        }
        return Err(Error::input(d));
    }
    Ok(())
}

fn normalize_object(o: &str) -> String {
    o.strip_prefix("public.").unwrap_or(o).to_owned()
}

/// Apply apps.toml waivers; returns a finding for each expired waiver that would have applied.
pub fn apply_waivers(
    config_file: Option<&PathBuf>,
    waivers: &[Waiver],
    findings: &mut [Finding],
    today: &str,
) -> Vec<Finding> {
    let mut meta = Vec::new();
    for w in waivers {
        let object = normalize_object(&w.object);
        let rule = rules::canonical_id(&w.rule).unwrap_or(&w.rule);
        let matches = |f: &Finding| {
            f.rule == rule && f.object.as_deref().map(normalize_object).as_deref() == Some(object.as_str())
        };
        let expired = w.until.as_str() < today;
        let mut hit = false;
        for f in findings.iter_mut().filter(|f| f.suppression.is_none() && matches(f)) {
            hit = true;
            if !expired {
                f.suppression = Some(Applied::Waiver {
                    line: w.line,
                    reason: w.reason.clone(),
                    owner: w.owner.clone(),
                    until: w.until.clone(),
                });
            }
        }
        if expired && hit {
            let mut f = Finding::new(
                EXPIRED_SUPPRESSION,
                Severity::Warn,
                format!(
                    "the waiver of {} on `{}` (owner {}) expired on {}: it no longer applies",
                    w.rule, w.object, w.owner, w.until
                ),
            )
            .object(w.object.clone())
            .recipe(["fix what it waived, or renew the waiver in apps.toml with a new reason and date"]);
            if let Some(file) = config_file {
                f.location = Some(Location { file: file.clone(), line: w.line, column: 1, start: 0, end: 0 });
            }
            meta.push(f);
        }
    }
    meta
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = crate::migration::layout::civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        use crate::migration::layout::civil_from_days;
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_413), (2025, 11, 21));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert!(is_date("2026-01-31"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("26-01-01"));
    }

    #[test]
    fn parses_statement_and_file_suppressions() {
        let src = "-- migrate:up\n-- tandem:allow drop-column, require-lock-timeout reason=\"ignored since v3\" until=2030-01-01\n-- more comment\n\nALTER TABLE users DROP COLUMN x;\n# tandem:allow-file prefer-jsonb reason=legacy\nDROP INDEX i; -- tandem:allow require-concurrent-index-deletion reason=\"tiny table\"\n";
        let s = parse(Path::new("m.sql"), src).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].rules, ["drop-column", "require-lock-timeout"]);
        assert_eq!(s[0].reason, "ignored since v3");
        assert_eq!(s[0].until.as_deref(), Some("2030-01-01"));
        assert_eq!((s[0].line, s[0].target_line), (2, Some(5)));
        assert_eq!((s[1].rules[0].as_str(), s[1].reason.as_str(), s[1].target_line), ("prefer-jsonb", "legacy", None));
        assert_eq!((s[2].line, s[2].target_line, s[2].column), (7, Some(7), 18));
    }

    #[test]
    fn a_suppression_without_a_reason_is_a_located_input_error() {
        let err = parse(Path::new("m.sql"), "SELECT 1;\n  -- tandem:allow drop-table\nDROP TABLE t;\n").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        let d = err.diagnostic();
        assert_eq!((d.line, d.column), (Some(2), Some(6)));
        assert!(d.message.contains("no reason"), "{}", d.message);
        let err = parse(Path::new("m.sql"), "-- tandem:allow drop-tabel reason=x\n").unwrap_err();
        assert!(err.diagnostic().help.as_deref().unwrap_or_default().contains("drop-table"));
        let err = parse(Path::new("m.sql"), "-- tandem:allow drop-table reason=x until=tomorrow\n").unwrap_err();
        assert!(err.diagnostic().message.contains("not a date"));
    }
}

//! Database URLs carry passwords; no message, log line or report may show one.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

const MASK: &str = "***";

/// The byte ranges of `text` that hold a password: of a URL (`scheme://user:password@host`) or
/// of a `password=` / `pwd=` parameter, in order and without overlap.
fn secrets(text: &str) -> Vec<Range<usize>> {
    // Both readings need a byte that most text lacks (the `@` closing a URL's password, the `=`
    // after a parameter's name): without one, the patterns need not be compiled, which every
    // process paid for once, for the store's URL.
    if !text.bytes().any(|b| b == b'@' || b == b'=') {
        return Vec::new();
    }
    static URL_PASSWORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*):([^@\s/]*)@").expect("valid regex"));
    static PARAM_PASSWORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(password|pwd)=([^&\s]+)").expect("valid regex"));
    let mut ranges: Vec<Range<usize>> = URL_PASSWORD
        .captures_iter(text)
        .filter_map(|c| c.get(2))
        .chain(PARAM_PASSWORD.captures_iter(text).filter_map(|c| c.get(2)))
        .map(|m| m.range())
        .collect();
    // A URL's password may itself read `password=…`: the URL's reading wins, as it starts first.
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        if out.last().is_none_or(|last| r.start >= last.end) {
            out.push(r);
        }
    }
    out
}

/// Replace every password in `text` with `***`.
pub fn redact(text: &str) -> String {
    redact_at(text, &mut [])
}

/// [`redact`], moving each byte offset of `offsets` (into `text`) to where the same place is in
/// the result — so that a caret computed on the original lands under the same text. An offset
/// inside a password moves to the start of its `***`.
pub fn redact_at(text: &str, offsets: &mut [usize]) -> String {
    let secrets = secrets(text);
    let mut out = String::with_capacity(text.len());
    let mut done = 0;
    for r in &secrets {
        out.push_str(&text[done..r.start]);
        out.push_str(MASK);
        done = r.end;
    }
    out.push_str(&text[done..]);
    for o in offsets.iter_mut() {
        let mut shift: isize = 0;
        let mut at = *o;
        for r in &secrets {
            if at >= r.end {
                shift += MASK.len() as isize - r.len() as isize;
            } else if at > r.start {
                at = r.start;
            }
        }
        *o = (at as isize + shift).max(0) as usize;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{redact, redact_at};

    #[test]
    fn hides_passwords_in_urls_and_query_parameters() {
        assert_eq!(redact("postgres://app:s3cr3t@db:5432/x"), "postgres://app:***@db:5432/x");
        assert_eq!(redact("mysql://root@localhost/x"), "mysql://root@localhost/x");
        assert_eq!(redact("postgres://h/x?password=hunter2&ssl=1"), "postgres://h/x?password=***&ssl=1");
        assert_eq!(redact("failed: postgres://u:p@h/db refused"), "failed: postgres://u:***@h/db refused");
        assert_eq!(redact("postgres://u:password=x@h"), "postgres://u:***@h");
        // Neither `@` nor `=`: nothing to hide.
        assert_eq!(redact("sqlite://.tandem/registry.db"), "sqlite://.tandem/registry.db");
        assert_eq!(redact("postgres://u:p@h"), "postgres://u:***@h");
        assert_eq!(redact("pwd=x"), "pwd=***");
    }

    #[test]
    fn offsets_follow_the_text_they_pointed_at() {
        let text = "-- postgres://app:longsecret@db/x\nALTER TABLE t";
        let alter = text.find("ALTER").unwrap();
        let inside = text.find("secret").unwrap();
        let mut offsets = [alter, inside, 3];
        let out = redact_at(text, &mut offsets);
        assert_eq!(&out[offsets[0]..offsets[0] + 5], "ALTER");
        assert_eq!(&out[offsets[1]..offsets[1] + 3], "***");
        assert_eq!(offsets[2], 3);
    }
}

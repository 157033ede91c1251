//! Errors for humans: `error: file:line:col: message`, an excerpt of the source with a caret
//! under the offending text when the text is known, and the help line. Passwords in URLs are
//! redacted from everything printed.
//!
//! [`excerpt`] is the one way a source line is shown, here and in the text report: redacted,
//! and cut to a window around what it marks.

use std::ops::Range;

use crate::error::Error;
use crate::redact::{redact, redact_at};

/// The most characters of a source line an excerpt shows. A generated or minified migration can
/// hold thousands of statements on one line; each finding shows the part around its statement,
/// not the whole line again.
pub const EXCERPT_WIDTH: usize = 120;

pub use crate::error::Excerpt;

/// `line` (without its newline) with the bytes `mark` of it marked, redacted and cut to at most
/// [`EXCERPT_WIDTH`] characters around the marked text (`crate::error::window`); `mark` is
/// clamped to the line and to character boundaries.
pub fn excerpt(line: &str, mark: Range<usize>) -> Excerpt {
    let floor = |i: usize| line.floor_char_boundary(i.min(line.len()));
    let mut offsets = [floor(mark.start), floor(mark.end.max(mark.start))];
    let shown = redact_at(line, &mut offsets);
    crate::error::window(&shown, offsets[0]..offsets[1], EXCERPT_WIDTH)
}

/// The line of `text` holding byte `at` (without its line break): found from the span, since the
/// text may be a part of the file that starts at some later line.
fn line_at(text: &str, at: usize) -> Option<&str> {
    if at >= text.len() && (text.is_empty() || text.ends_with('\n')) {
        return None;
    }
    let at = text.floor_char_boundary(at.min(text.len()));
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    Some(text[start..end].trim_end_matches('\r'))
}

pub fn render_error(err: &Error) -> String {
    let d = err.diagnostic();
    let mut out = String::from("error: ");
    if let Some(loc) = d.location() {
        out.push_str(&loc);
        out.push_str(": ");
    }
    out.push_str(&d.message);
    if let (Some((text, span)), Some(line)) = (&d.source, d.line)
        && let Some(src_line) = line_at(text, span.start)
    {
        let col = d.column.unwrap_or(1).max(1) as usize;
        let start = src_line.char_indices().nth(col - 1).map_or(src_line.len(), |(i, _)| i);
        let marked = text.get(span.clone()).and_then(|s| s.lines().next()).unwrap_or("");
        let e = excerpt(src_line, start..start + marked.len());
        let gutter = " ".repeat(line.to_string().len());
        out.push_str(&format!(
            "\n{gutter} |\n{line} | {}\n{gutter} | {}{}",
            e.text,
            " ".repeat(e.caret),
            "^".repeat(e.width)
        ));
    }
    if let Some(help) = &d.help {
        out.push_str("\n  help: ");
        out.push_str(help);
    }
    redact(&out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Diagnostic;

    #[test]
    fn excerpt_puts_a_caret_under_the_span() {
        let text = "[[app]]\nframwork = \"rails\"\n";
        let err = Error::input(
            Diagnostic::new("unknown field").at_offset("apps.toml", text, 8..16).help("did you mean `framework`?"),
        );
        assert_eq!(
            render_error(&err),
            "error: apps.toml:2:1: unknown field\n  |\n2 | framwork = \"rails\"\n  | ^^^^^^^^\n  help: did you mean `framework`?"
        );
    }

    /// The caret sits under the same text after a password before it on the line is redacted.
    #[test]
    fn caret_stays_under_its_text_after_a_redacted_url() {
        let text = "url = \"postgres://app:averylongpassword@db/x\"\nstroe = \"x\"\nurl2 = \"postgres://u:p4ssw0rd@h/db\" bogus = 1\n";
        let at = text.find("bogus").unwrap();
        let err = Error::input(Diagnostic::new("unknown key").at_offset("apps.toml", text, at..at + 5));
        let out = render_error(&err);
        let lines: Vec<&str> = out.lines().collect();
        assert!(!out.contains("p4ssw0rd"), "{out}");
        let shown = lines[2].split_once(" | ").unwrap().1;
        let caret = lines[3].split_once(" | ").unwrap().1;
        let col = caret.find('^').unwrap();
        assert_eq!(&shown[col..col + 5], "bogus", "{out}");
        assert_eq!(caret.trim(), "^^^^^", "{out}");
    }

    #[test]
    fn a_long_line_is_cut_around_the_mark() {
        let line = format!("{}ALTER TABLE t ADD COLUMN c int;{}", "SELECT 1; ".repeat(1000), " SELECT 2;".repeat(1000));
        let at = line.find("ALTER").unwrap();
        let e = excerpt(&line, at..at + "ALTER TABLE t ADD COLUMN c int;".len());
        assert!(e.text.chars().count() <= EXCERPT_WIDTH + 2, "{}", e.text);
        assert!(e.text.starts_with('…') && e.text.ends_with('…'));
        let under: String = e.text.chars().skip(e.caret).take(e.width).collect();
        assert_eq!(under, "ALTER TABLE t ADD COLUMN c int;");
        // At the end of the line, the window ends with it.
        let end = excerpt(&line, line.len() - 9..line.len());
        assert!(end.text.ends_with("SELECT 2;") && !end.text.ends_with('…'));
        let under: String = end.text.chars().skip(end.caret).take(end.width).collect();
        assert_eq!(under, "SELECT 2;");
    }
}

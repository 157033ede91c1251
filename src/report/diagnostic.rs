//! Errors for humans: `error: file:line:col: message`, an excerpt of the source with a caret
//! under the offending text when the text is known, and the help line. Passwords in URLs are
//! redacted from everything printed.

use crate::error::Error;
use crate::redact::redact;

pub fn render_error(err: &Error) -> String {
    let d = err.diagnostic();
    let mut out = String::from("error: ");
    if let Some(loc) = d.location() {
        out.push_str(&loc);
        out.push_str(": ");
    }
    out.push_str(&d.message);
    if let (Some((text, span)), Some(line)) = (&d.source, d.line)
        && let Some(src_line) = text.lines().nth((line as usize).saturating_sub(1))
    {
        let col = d.column.unwrap_or(1).max(1) as usize;
        let marked = text.get(span.clone()).and_then(|s| s.lines().next()).unwrap_or("");
        let width = marked.chars().count().clamp(1, src_line.chars().count().saturating_sub(col - 1).max(1));
        let gutter = " ".repeat(line.to_string().len());
        out.push_str(&format!(
            "\n{gutter} |\n{line} | {src_line}\n{gutter} | {}{}",
            " ".repeat(col - 1),
            "^".repeat(width)
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
}

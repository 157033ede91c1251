//! Errors for humans: `error: file:line:col: message`, an excerpt of the source with a caret
//! when the text is known, and the help line.

use crate::error::Error;
use crate::redact::redact;

pub fn render_error(err: &Error) -> String {
    let d = err.diagnostic();
    let mut out = String::new();
    out.push_str("error: ");
    if let Some(loc) = d.location() {
        out.push_str(&loc);
        out.push_str(": ");
    }
    out.push_str(&d.message);
    if let (Some((text, span)), Some(line)) = (&d.source, d.line) {
        if let Some(src_line) = text.lines().nth(line as usize - 1) {
            let col = d.column.unwrap_or(1) as usize;
            let width = text[span.clone()].lines().next().map_or(1, |s| s.chars().count().max(1));
            let gutter = line.to_string().len();
            out.push_str(&format!(
                "\n{:gutter$} |\n{line} | {src_line}\n{:gutter$} | {}{}",
                "",
                "",
                " ".repeat(col - 1),
                "^".repeat(width)
            ));
        }
    }
    if let Some(help) = &d.help {
        out.push_str("\n  help: ");
        out.push_str(help);
    }
    redact(&out)
}

//! One reader per source format. Each turns a file's text into operations with spans.

pub mod django;
pub mod ecto;
pub mod mysql;
pub mod rails;
pub mod ruby_value;
pub mod sql;
pub mod types;

use std::path::Path;

use crate::error::line_col;
use crate::migration::{Direction, OpKind, Operation, Span};

/// A span over `start..end` (byte offsets) of `source`, the text of `file`.
pub fn span(file: &Path, source: &str, start: usize, end: usize) -> Span {
    let (line, column) = line_col(source, start);
    Span { file: file.to_path_buf(), line, column, start, end: end.max(start) }
}

/// An operation at `start..end` of `source`.
pub fn op(file: &Path, source: &str, start: usize, end: usize, direction: Direction, kind: OpKind) -> Operation {
    Operation { kind, span: span(file, source, start, end), direction }
}

/// A short, single-line excerpt of source text for `Unparsed`/`Code` descriptions.
pub fn excerpt(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 200 {
        let cut: String = one_line.chars().take(200).collect();
        format!("{cut}…")
    } else {
        one_line
    }
}

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

/// The default of a `serial` column as pg_dump prints it: the sequence is named
/// `<table>_<column>_seq` and qualified by the table's schema.
pub fn serial_default(table: &crate::schema::QualifiedName, column: &str) -> String {
    match &table.schema {
        Some(schema) => format!("nextval('{schema}.{}_{column}_seq'::regclass)", table.name),
        None => format!("nextval('{}_{column}_seq'::regclass)", table.name),
    }
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

/// Every node under `root` (itself included) in document order, without recursion: a deeply
/// nested file cannot overflow the stack.
pub fn descendants<'t>(root: tree_sitter::Node<'t>) -> Vec<tree_sitter::Node<'t>> {
    let mut out = Vec::new();
    let mut cursor = root.walk();
    loop {
        out.push(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == root {
                return out;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

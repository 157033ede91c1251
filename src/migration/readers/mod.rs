//! One reader per source format. Each turns a file's text into operations with spans.

pub mod alembic;
pub mod django;
pub mod ecto;
pub mod js;
pub mod knex;
pub mod migrate_mongo;
pub mod mysql;
pub mod python_value;
pub mod rails;
pub mod ruby_value;
pub mod sequelize;
pub mod sql;
pub mod sqlite;
pub mod typeorm;
pub mod types;

use crate::grammar::NodeExt;
use std::path::Path;

pub use crate::error::LineIndex;
use crate::error::{Diagnostic, Error, Result};
use crate::migration::{Direction, OpKind, Operation, Span};

/// A span over `start..end` (byte offsets) of `source`, the indexed text of `file`.
pub fn span(file: &Path, source: &LineIndex, start: usize, end: usize) -> Span {
    let (line, column) = source.line_col(start);
    Span { file: file.to_path_buf(), line, column, start, end: end.max(start) }
}

/// An operation at `start..end` of `source`.
pub fn op(file: &Path, source: &LineIndex, start: usize, end: usize, direction: Direction, kind: OpKind) -> Operation {
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

/// The character a string literal's escape sequence stands for (`\n`, `\t`, quotes, `\\`),
/// or the sequence as written when it is another (Unicode escapes stay as they are).
pub fn unescape(sequence: &str) -> &str {
    match sequence {
        "\\n" => "\n",
        "\\t" => "\t",
        "\\'" => "'",
        "\\\"" => "\"",
        "\\`" => "`",
        "\\\\" => "\\",
        other => other,
    }
}

/// Parse `src` with a tree-sitter grammar, rejecting a file it does not accept (see
/// [`reject_syntax_errors`]); `language` names it in messages.
pub fn parse(path: &Path, src: &str, grammar: tree_sitter::Language, language: &str) -> Result<tree_sitter::Tree> {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&grammar)
        .map_err(|e| Error::environment(Diagnostic::new(format!("cannot load the {language} grammar: {e}"))))?;
    let tree = crate::grammar::parse(&mut parser, src)
        .map_err(|gave_up| Error::input(Diagnostic::new(format!("{language}: {gave_up}")).in_file(path)))?;
    reject_syntax_errors(&tree, path, src, language)?;
    Ok(tree)
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

/// A file the grammar rejects is bad input, located at its first error: reading around the error
/// would guess at what the framework, which refuses to load the file, would do.
pub fn reject_syntax_errors(tree: &tree_sitter::Tree, path: &Path, src: &str, language: &str) -> Result<()> {
    let root = tree.root_node();
    if !root.has_error() {
        return Ok(());
    }
    let Some(node) = descendants(root).into_iter().find(|n| n.is_error() || n.is_missing()) else {
        return Ok(());
    };
    // An error node that runs to the end of the file started where the parser lost hope, often
    // the first line: the file ended inside an open block or bracket, so point at its end.
    let content_end = src.trim_end().len();
    if node.is_error() && node.end_byte() >= content_end {
        return Err(Error::input(
            Diagnostic::new("syntax error: the file ends before a block or bracket is closed")
                .at_offset(path, src, content_end..content_end)
                .help(format!(
                    "this file does not parse as {language}, so neither the framework nor tandem can run it"
                )),
        ));
    }
    let what = if node.is_missing() {
        format!("expected `{}`", node.kind_name())
    } else {
        let text = src.get(node.start_byte()..node.end_byte()).unwrap_or_default();
        match text.split_whitespace().next() {
            Some(token) => format!("unexpected `{}`", excerpt(token)),
            None => "unexpected end of file".to_owned(),
        }
    };
    // An error node can span many lines; point at where it starts.
    let start = node.start_byte().min(src.len());
    let end = if node.is_missing() { start } else { src[start..].find('\n').map_or(src.len(), |i| start + i) };
    Err(Error::input(
        Diagnostic::new(format!("syntax error: {what}"))
            .at_offset(path, src, start..end.min(node.end_byte()).max(start))
            .help(format!("this file does not parse as {language}, so neither the framework nor tandem can run it")),
    ))
}

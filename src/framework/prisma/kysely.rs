//! Kysely beside Prisma (prisma-kysely's `DB` types, prisma-extension-kysely's `$kysely`): a
//! query names a column as a `'Table.column'` string (`eb('Recipient.documentDeletedAt', 'is',
//! null)`, `.select(['Envelope.id as envelopeId'])`), with the table's name in the database.
//! Read only in a file that uses Kysely, so a dotted string elsewhere (a translation key, a
//! file name) is not taken for a column.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::config::Confidence;
use crate::scan::extract::treesit::{Src, string_value};
use crate::scan::facts::{Hit, Target};
use crate::scan::reference::RefKind;

/// The `'Table.column'` strings of a file that imports Kysely or a Kysely client.
pub fn read(src: &Src<'_>, nodes: &[Node<'_>], hits: &mut Vec<Hit>) {
    if !nodes
        .iter()
        .any(|n| n.kind_name() == "import_statement" && src.node_text(*n).to_ascii_lowercase().contains("kysely"))
    {
        return;
    }
    for &node in nodes.iter().filter(|n| n.kind_name() == "string") {
        // A call's argument, or an element of an array that is one (`select([…])`).
        let Some(parent) = node.parent() else { continue };
        let argument = match parent.kind_name() {
            "arguments" => true,
            "array" => parent.parent().is_some_and(|p| p.kind_name() == "arguments"),
            _ => false,
        };
        if !argument {
            continue;
        }
        let Some((value, offset)) = string_value(src, node) else { continue };
        let reference = value.split_once(" as ").map_or(value.as_str(), |(r, _)| r).trim();
        let Some((table, column)) = reference.split_once('.') else { continue };
        if identifier(table) && identifier(column) {
            let target = Target::Column { table: table.to_owned(), column: column.to_owned() };
            hits.push(src.hit(offset, target, RefKind::Query, Confidence::Medium));
        }
    }
}

fn identifier(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

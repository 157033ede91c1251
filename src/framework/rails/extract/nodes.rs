//! tree-sitter-ruby helpers: field ids, arguments, literals, locals.

use super::*;
use crate::grammar::NodeExt;

/// tree-sitter-ruby's field ids, looked up once: `child_by_field_name` compares the name with
/// every field name of the grammar on each call, and the walker asks for fields on most nodes.
pub(super) mod field {
    use std::sync::LazyLock;

    fn id(name: &str) -> u16 {
        let language: tree_sitter::Language = tree_sitter_ruby::LANGUAGE.into();
        // 0 is no field: `child_by_field_id(0)` finds nothing, like an unknown name did.
        language.field_id_for_name(name).map_or(0, |f| f.get())
    }

    pub static ARGUMENTS: LazyLock<u16> = LazyLock::new(|| id("arguments"));
    pub static BLOCK: LazyLock<u16> = LazyLock::new(|| id("block"));
    pub static BODY: LazyLock<u16> = LazyLock::new(|| id("body"));
    pub static CONDITION: LazyLock<u16> = LazyLock::new(|| id("condition"));
    pub static CONSEQUENCE: LazyLock<u16> = LazyLock::new(|| id("consequence"));
    pub static ALTERNATIVE: LazyLock<u16> = LazyLock::new(|| id("alternative"));
    pub static KEY: LazyLock<u16> = LazyLock::new(|| id("key"));
    pub static LEFT: LazyLock<u16> = LazyLock::new(|| id("left"));
    pub static METHOD: LazyLock<u16> = LazyLock::new(|| id("method"));
    pub static NAME: LazyLock<u16> = LazyLock::new(|| id("name"));
    pub static OBJECT: LazyLock<u16> = LazyLock::new(|| id("object"));
    pub static OPERATOR: LazyLock<u16> = LazyLock::new(|| id("operator"));
    pub static PARAMETERS: LazyLock<u16> = LazyLock::new(|| id("parameters"));
    pub static PATTERN: LazyLock<u16> = LazyLock::new(|| id("pattern"));
    pub static RECEIVER: LazyLock<u16> = LazyLock::new(|| id("receiver"));
    pub static RIGHT: LazyLock<u16> = LazyLock::new(|| id("right"));
    pub static SUPERCLASS: LazyLock<u16> = LazyLock::new(|| id("superclass"));
    pub static VALUE: LazyLock<u16> = LazyLock::new(|| id("value"));
}

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The argument nodes of a call (named children of its argument list, and of a
/// parenthesis-less `command` form).
pub(super) fn arguments<'t>(call: Node<'t>) -> Vec<Node<'t>> {
    let Some(list) = call.child_by_field_id(*field::ARGUMENTS) else { return Vec::new() };
    let mut cursor = list.walk();
    list.named_children(&mut cursor).filter(|n| n.kind_name() != "comment").collect()
}

/// The values an argument may be: each branch of a ternary (`cond ? {} : { ip: … }`), else
/// itself.
pub(super) fn branches(arg: Node<'_>) -> Vec<Node<'_>> {
    match arg.kind_name() {
        "conditional" => [arg.child_by_field_id(*field::CONSEQUENCE), arg.child_by_field_id(*field::ALTERNATIVE)]
            .into_iter()
            .flatten()
            .collect(),
        _ => vec![arg],
    }
}

/// The pairs of a `hash` argument, or the pair itself (braceless trailing hashes are pairs
/// directly in the argument list).
pub(super) fn pairs(node: Node<'_>) -> Vec<Node<'_>> {
    match node.kind_name() {
        "pair" => vec![node],
        "hash" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).filter(|n| n.kind_name() == "pair").collect()
        }
        _ => Vec::new(),
    }
}

/// The text and byte offset of a symbol (`:email`, `:"email"`), a hash-key symbol (`email:`)
/// or a plain string (`"email"`, without interpolation).
pub(super) fn symbol_or_string(node: Node<'_>, code: &str) -> Option<(String, usize)> {
    let text = code.get(node.byte_range())?;
    match node.kind_name() {
        "simple_symbol" => Some((text.trim_start_matches(':').to_owned(), node.start_byte() + 1)),
        "hash_key_symbol" | "identifier" | "constant" => Some((text.to_owned(), node.start_byte())),
        "string" | "delimited_symbol" => {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            match children.as_slice() {
                [content] if content.kind_name() == "string_content" => {
                    Some((code.get(content.byte_range())?.to_owned(), content.start_byte()))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

pub(super) fn string_value(node: Node<'_>, code: &str) -> Option<String> {
    symbol_or_string(node, code).map(|(s, _)| s)
}

pub(super) fn string_offset(node: Node<'_>) -> usize {
    match node.kind_name() {
        "simple_symbol" => node.start_byte() + 1,
        _ => node.named_child(0).map_or(node.start_byte(), |c| c.start_byte()),
    }
}

/// Every string or symbol in `%w[a b]`, `%i[a b]`, `["a", :b]`, `"a"`, `:a`.
pub(super) fn strings_in(node: Node<'_>, code: &str) -> Vec<(String, usize)> {
    match node.kind_name() {
        "string_array" | "symbol_array" | "array" => {
            let mut cursor = node.walk();
            let items: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            items
                .into_iter()
                .filter_map(|item| match item.kind_name() {
                    "bare_string" | "bare_symbol" => {
                        let content = item.named_child(0).unwrap_or(item);
                        Some((code.get(content.byte_range())?.to_owned(), content.start_byte()))
                    }
                    _ => symbol_or_string(item, code),
                })
                .collect()
        }
        _ => symbol_or_string(node, code).into_iter().collect(),
    }
}

/// The first string or symbol literal node in a method body.
pub(super) fn first_string_node(node: Node<'_>) -> Option<Node<'_>> {
    if matches!(node.kind_name(), "string" | "simple_symbol") {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    children.into_iter().find_map(first_string_node)
}

/// The first string literal in a method body (`def self.table_name_prefix = "admin_"`).
pub(super) fn first_string(node: Node<'_>, code: &str) -> Option<String> {
    if node.kind_name() == "string" {
        return string_value(node, code);
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    children.into_iter().find_map(|c| first_string(c, code))
}

/// Names bound as locals anywhere in a method: assignment targets, parameters of the method and
/// its blocks and lambdas, rescued exceptions, loop variables. One walk of the subtree, not a
/// recursion per level: a file decides how deep that is (a fuzzed one overflowed the stack).
pub(super) fn collect_locals<'c>(node: Node<'_>, code: &'c str, out: &mut HashSet<&'c str>) {
    for node in crate::scan::extract::treesit::descendants(node) {
        let binds_all = node.kind_name().ends_with("parameters")
            || matches!(
                node.kind_name(),
                "exception_variable" | "left_assignment_list" | "destructured_left_assignment"
            );
        if binds_all {
            identifiers_under(node, code, out);
        } else if matches!(node.kind_name(), "assignment" | "operator_assignment")
            && let Some(left) = node.child_by_field_id(*field::LEFT)
            && left.kind_name() == "identifier"
        {
            out.insert(code.get(left.byte_range()).unwrap_or(""));
        } else if node.kind_name() == "for"
            && let Some(pattern) = node.child_by_field_id(*field::PATTERN)
        {
            identifiers_under(pattern, code, out);
        }
    }
}

pub(super) fn identifiers_under<'c>(node: Node<'_>, code: &'c str, out: &mut HashSet<&'c str>) {
    for n in crate::scan::extract::treesit::descendants(node) {
        if n.kind_name() == "identifier" {
            out.insert(code.get(n.byte_range()).unwrap_or(""));
        }
    }
}

pub(super) fn last_named_child(node: Node<'_>) -> Option<Node<'_>> {
    let last = u32::try_from(node.named_child_count().checked_sub(1)?).ok()?;
    node.named_child(last)
}

pub(super) fn first_block_param<'c>(block: Node<'_>, code: &'c str) -> Option<&'c str> {
    let params = block.child_by_field_id(*field::PARAMETERS)?;
    let first = params.named_child(0)?;
    let first = if first.kind_name() == "destructured_parameter" { first.named_child(0)? } else { first };
    (first.kind_name() == "identifier").then(|| code.get(first.byte_range())).flatten()
}

/// The expression inside parentheses (`(a + b)` → `a + b`), or the node itself.
pub(super) fn unparenthesized(node: Node<'_>) -> Node<'_> {
    let mut node = node;
    while node.kind_name() == "parenthesized_statements" && node.named_child_count() == 1 {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

//! JavaScript/TypeScript syntax helpers shared by the Prisma, Drizzle, TypeORM and Sequelize
//! extractors.

use crate::grammar::NodeExt;
use std::collections::HashMap;

use tree_sitter::Node;

use crate::scan::extract::treesit::{Src, named_children, string_value};

/// A key of an object literal: `{ email: …}`, `{ "email": … }`, shorthand `{ email }`.
pub struct Key<'t> {
    pub name: String,
    pub offset: usize,
    /// `None` for shorthand properties.
    pub value: Option<Node<'t>>,
}

/// Keys of an object literal, in order; computed keys and spreads are skipped (their names are
/// not known), methods too.
pub fn object_keys<'t>(src: &Src<'_>, object: Node<'t>) -> Vec<Key<'t>> {
    let mut out = Vec::new();
    if object.kind_name() != "object" {
        return out;
    }
    for child in named_children(object) {
        match child.kind_name() {
            "pair" => {
                let Some(key) = child.field("key") else { continue };
                let name = match key.kind_name() {
                    "property_identifier" => Some((src.node_text(key).to_owned(), key.start_byte())),
                    "string" => string_value(src, key),
                    _ => None,
                };
                if let Some((name, offset)) = name {
                    out.push(Key { name, offset, value: child.field("value").map(unwrap) });
                }
            }
            "shorthand_property_identifier" => {
                out.push(Key { name: src.node_text(child).to_owned(), offset: child.start_byte(), value: None })
            }
            _ => {}
        }
    }
    out
}

/// Look through `x as T`, `x satisfies T`, `(x)`, `x!`.
pub fn unwrap(node: Node<'_>) -> Node<'_> {
    let mut n = node;
    while matches!(
        n.kind_name(),
        "as_expression" | "satisfies_expression" | "parenthesized_expression" | "non_null_expression"
    ) {
        match n.named_child(0) {
            Some(c) => n = c,
            None => break,
        }
    }
    n
}

/// The value of a key of an object literal.
pub fn key_value<'t>(src: &Src<'_>, object: Node<'t>, name: &str) -> Option<Node<'t>> {
    object_keys(src, object).into_iter().find(|k| k.name == name).and_then(|k| k.value)
}

/// Arguments of a call (empty for tagged templates).
pub fn call_args(call: Node<'_>) -> Vec<Node<'_>> {
    match call.field("arguments") {
        Some(a) if a.kind_name() == "arguments" => {
            named_children(a).into_iter().filter(|n| n.kind_name() != "comment").map(unwrap).collect()
        }
        _ => Vec::new(),
    }
}

/// The property name of a member expression (`a.b` → `b`).
pub fn property<'a>(src: &Src<'a>, member: Node<'_>) -> Option<&'a str> {
    if member.kind_name() != "member_expression" {
        return None;
    }
    member.field("property").map(|p| src.node_text(p))
}

/// The name a call is made through: `f(…)` → `f`, `a.b.f(…)` → `f`.
pub fn callee_name<'a>(src: &Src<'a>, call: Node<'_>) -> Option<&'a str> {
    let f = unwrap(call.field("function")?);
    match f.kind_name() {
        "identifier" => Some(src.node_text(f)),
        "member_expression" => property(src, f),
        _ => None,
    }
}

/// String literals in an array (or the string itself).
pub fn strings(src: &Src<'_>, node: Node<'_>) -> Vec<(String, usize)> {
    let node = unwrap(node);
    match node.kind_name() {
        "array" => named_children(node).into_iter().filter_map(|n| string_value(src, unwrap(n))).collect(),
        _ => string_value(src, node).into_iter().collect(),
    }
}

/// Whether an identifier looks like a class or model name.
pub fn is_pascal(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// Decorators of a class declaration.
pub fn decorators_of(class: Node<'_>) -> Vec<Node<'_>> {
    let mut out: Vec<Node<'_>> = named_children(class).into_iter().filter(|n| n.kind_name() == "decorator").collect();
    // `export @Dec class …` / `@Dec export class …` put decorators on the export statement.
    if let Some(parent) = class.parent().filter(|p| p.kind_name() == "export_statement") {
        out.extend(named_children(parent).into_iter().filter(|n| n.kind_name() == "decorator"));
    }
    out
}

/// `@Column(…)` / `@Column` / `@x.Column` → `Column`.
pub fn decorator_name<'a>(src: &Src<'a>, decorator: Node<'_>) -> Option<&'a str> {
    let inner = decorator.named_child(0)?;
    match inner.kind_name() {
        "identifier" => Some(src.node_text(inner)),
        "call_expression" => callee_name(src, inner),
        "member_expression" => property(src, inner),
        _ => None,
    }
}

/// Arguments of a decorator call (empty for a bare `@Column`).
pub fn decorator_args(decorator: Node<'_>) -> Vec<Node<'_>> {
    match decorator.named_child(0) {
        Some(c) if c.kind_name() == "call_expression" => call_args(c),
        _ => Vec::new(),
    }
}

/// Node id → the nearest enclosing scope (see [`enclosing_scopes`]).
pub type Scopes<'t> = HashMap<usize, Node<'t>, foldhash::fast::RandomState>;

/// Whether a node opens a scope of names: a function or the file.
pub fn is_scope(kind: &str) -> bool {
    matches!(
        kind,
        "program"
            | "function_declaration"
            | "function_expression"
            | "function"
            | "arrow_function"
            | "method_definition"
            | "generator_function_declaration"
    )
}

/// Each node's function (or the file): node id → the nearest enclosing scope, the root's being
/// itself. Computed once per file, top down: `Node::parent` walks down from the root each time,
/// and asking it for every name and declaration made a cold scan twice as slow.
pub fn enclosing_scopes<'t>(root: Node<'t>) -> Scopes<'t> {
    let mut out = Scopes::default();
    let mut stack = vec![(root, root)];
    let mut cursor = root.walk();
    while let Some((node, scope)) = stack.pop() {
        out.insert(node.id(), scope);
        let inner = if is_scope(node.kind_name()) { node } else { scope };
        stack.extend(node.named_children(&mut cursor).map(|c| (c, inner)));
    }
    out
}

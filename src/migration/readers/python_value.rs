//! Literal Python values of a migration file (strings, numbers, lists, dicts, calls) as
//! tree-sitter-python gives them, and SQL held in Python strings: shared by the Django and
//! Alembic readers.

use crate::grammar::NodeExt;
use std::collections::BTreeMap;
use std::path::Path;

use tree_sitter::Node;

use super::{LineIndex, excerpt, op, sql};
use crate::migration::{Direction, OpKind, Operation};
use crate::schema::Dialect;

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Bool(bool),
    None,
    List(Vec<Val>),
    Dict(Vec<(String, Val)>),
    /// `models.CharField(max_length=40)`: the last segment of the callee, positional and keyword arguments.
    Call {
        name: String,
        args: Vec<Val>,
        kwargs: Vec<(String, Val)>,
    },
    Other(String),
}

impl Val {
    pub fn str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn truthy(&self) -> bool {
        !matches!(self, Val::Bool(false) | Val::None)
    }

    pub fn strs(&self) -> Option<Vec<String>> {
        match self {
            Val::List(items) => items.iter().map(|v| v.str().map(str::to_owned)).collect(),
            Val::Str(s) => Some(vec![s.clone()]),
            _ => None,
        }
    }

    pub fn int(&self) -> Option<u32> {
        match self {
            Val::Int(i) => u32::try_from(*i).ok(),
            _ => None,
        }
    }

    pub fn kw(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Call { kwargs, .. } => kwargs.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            Val::Dict(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Keyword argument, or positional argument `i` (Django operations accept both).
    pub fn arg(&self, key: &str, i: usize) -> Option<&Val> {
        self.kw(key).or(match self {
            Val::Call { args, .. } => args.get(i),
            _ => None,
        })
    }
}

/// Module-level `name = value` (or `name: T = value`) assignments; a name assigned twice holds
/// the later value, as when the module runs (shared by the Alembic and Django readers).
pub fn assignments<'t>(root: Node<'t>, src: &str) -> BTreeMap<String, Node<'t>> {
    let mut out = BTreeMap::new();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        let Some(assign) =
            stmt.named_child(0).filter(|a| stmt.kind_name() == "expression_statement" && a.kind_name() == "assignment")
        else {
            continue;
        };
        if let (Some(left), Some(right)) = (assign.field("left"), assign.field("right")) {
            out.insert(text(left, src).to_owned(), right);
        }
    }
    out
}

pub fn text<'a>(node: Node, src: &'a str) -> &'a str {
    &src[node.byte_range()]
}

/// Literal values nested deeper than this are kept as text: no input can exhaust the stack.
const MAX_DEPTH: usize = 64;

pub fn value(node: Node, src: &str) -> Val {
    value_at(node, src, 0)
}

fn value_at(node: Node, src: &str, depth: usize) -> Val {
    if depth > MAX_DEPTH {
        return Val::Other(text(node, src).to_owned());
    }
    let value = |n: Node, src: &str| value_at(n, src, depth + 1);
    match node.kind_name() {
        "string" => {
            let mut cursor = node.walk();
            let mut out = String::new();
            for c in node.named_children(&mut cursor) {
                match c.kind_name() {
                    "string_start" | "string_end" => {}
                    "string_content" => out.push_str(text(c, src)),
                    "escape_sequence" => out.push_str(super::unescape(text(c, src))),
                    _ => return Val::Other(text(node, src).to_owned()),
                }
            }
            Val::Str(out)
        }
        "concatenated_string" => {
            let mut cursor = node.walk();
            let mut out = String::new();
            for c in node.named_children(&mut cursor) {
                match value(c, src) {
                    Val::Str(s) => out.push_str(&s),
                    _ => return Val::Other(text(node, src).to_owned()),
                }
            }
            Val::Str(out)
        }
        "integer" => {
            text(node, src).replace('_', "").parse().map_or_else(|_| Val::Other(text(node, src).into()), Val::Int)
        }
        "true" => Val::Bool(true),
        "false" => Val::Bool(false),
        "none" => Val::None,
        "list" | "tuple" => {
            let mut cursor = node.walk();
            Val::List(
                node.named_children(&mut cursor)
                    .filter(|c| c.kind_name() != "comment")
                    .map(|c| value(c, src))
                    .collect(),
            )
        }
        "parenthesized_expression" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).next().map_or(Val::None, |c| value(c, src))
        }
        "dictionary" => {
            let mut cursor = node.walk();
            Val::Dict(
                node.named_children(&mut cursor)
                    .filter(|p| p.kind_name() == "pair")
                    .filter_map(|p| {
                        let k = value(p.field("key")?, src);
                        Some((k.str()?.to_owned(), value(p.field("value")?, src)))
                    })
                    .collect(),
            )
        }
        "call" => {
            let callee = node.field("function").map(|f| text(f, src)).unwrap_or("");
            let name = callee.rsplit('.').next().unwrap_or(callee).to_owned();
            let mut args = Vec::new();
            let mut kwargs = Vec::new();
            if let Some(list) = node.field("arguments") {
                let mut cursor = list.walk();
                for a in list.named_children(&mut cursor) {
                    match a.kind_name() {
                        "keyword_argument" => {
                            if let (Some(k), Some(v)) = (a.field("name"), a.field("value")) {
                                kwargs.push((text(k, src).to_owned(), value(v, src)));
                            }
                        }
                        "comment" => {}
                        _ => args.push(value(a, src)),
                    }
                }
            }
            Val::Call { name, args, kwargs }
        }
        _ => Val::Other(text(node, src).to_owned()),
    }
}

/// SQL held in a Python expression: a string (spans point into the file), a list of strings, a
/// `(sql, params)` tuple, `text("…")`/`sa.text("…")`; anything built at run time is `Unparsed`.
pub fn sql_of(
    file: &Path,
    src: &str,
    lines: &LineIndex,
    dialect: Dialect,
    node: Node,
    dir: Direction,
) -> Vec<Operation> {
    sql_of_at(file, src, lines, dialect, node, dir, 0)
}

fn sql_of_at(
    file: &Path,
    src: &str,
    lines: &LineIndex,
    dialect: Dialect,
    node: Node,
    dir: Direction,
    depth: usize,
) -> Vec<Operation> {
    let at = |kind: OpKind| op(file, lines, node.start_byte(), node.end_byte(), dir, kind);
    let runtime = || {
        vec![at(OpKind::Unparsed {
            text: excerpt(text(node, src)),
            reason: "SQL built at run time cannot be read".into(),
        })]
    };
    let kind = if depth > 4 { "too deeply nested" } else { node.kind_name() };
    match kind {
        "string" => {
            let mut cursor = node.walk();
            let parts: Vec<Node> = node.named_children(&mut cursor).collect();
            let contents: Vec<&Node> = parts.iter().filter(|p| p.kind_name() == "string_content").collect();
            let plain = parts.iter().all(|p| matches!(p.kind_name(), "string_start" | "string_end" | "string_content"));
            match (plain, contents.first(), contents.last()) {
                (true, Some(a), Some(b)) => {
                    let (s, e) = (a.start_byte(), b.end_byte());
                    sql::read_statements(file, lines, s, &src[s..e], dialect, dir)
                }
                (true, _, _) => Vec::new(),
                (false, _, _) => sql_value(file, src, lines, dialect, node, dir),
            }
        }
        "list" | "tuple" => {
            let mut cursor = node.walk();
            let items: Vec<Node> = node.named_children(&mut cursor).filter(|n| n.kind_name() != "comment").collect();
            if node.kind_name() == "tuple" && items.len() == 2 && items[0].kind_name() == "string" {
                // `(sql, params)`
                return sql_of_at(file, src, lines, dialect, items[0], dir, depth + 1);
            }
            items.into_iter().flat_map(|n| sql_of_at(file, src, lines, dialect, n, dir, depth + 1)).collect()
        }
        "parenthesized_expression" | "concatenated_string" => sql_value(file, src, lines, dialect, node, dir),
        // `sql = "…"` earlier in the file: the literal the name was last given before its use.
        "identifier" => match assigned_literal(node, src) {
            Some(literal) => sql_of_at(file, src, lines, dialect, literal, dir, depth + 1),
            None => runtime(),
        },
        "call" => {
            // `text("…")`, `sa.text("…")`, `sqlalchemy.text("…")`: the SQL is the one argument.
            let callee = node.field("function").map(|f| text(f, src)).unwrap_or("");
            let args = node.field("arguments");
            let first = args.and_then(|a| a.named_child(0));
            match first {
                Some(arg)
                    if callee.rsplit('.').next() == Some("text")
                        && args.is_some_and(|a| a.named_child_count() == 1) =>
                {
                    sql_of_at(file, src, lines, dialect, arg, dir, depth + 1)
                }
                _ => runtime(),
            }
        }
        _ => runtime(),
    }
}

fn sql_value(
    file: &Path,
    src: &str,
    lines: &LineIndex,
    dialect: Dialect,
    node: Node,
    dir: Direction,
) -> Vec<Operation> {
    match value(node, src) {
        Val::Str(s) => sql::read_statements(file, &LineIndex::new(&s), 0, &s, dialect, dir)
            .into_iter()
            .map(|o| op(file, lines, node.start_byte(), node.end_byte(), dir, o.kind))
            .collect(),
        _ => vec![op(
            file,
            lines,
            node.start_byte(),
            node.end_byte(),
            dir,
            OpKind::Unparsed { text: excerpt(text(node, src)), reason: "SQL built at run time cannot be read".into() },
        )],
    }
}

/// The string literal `name` was last assigned before `node` uses it, anywhere in the file.
fn assigned_literal<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    let mut root = node;
    while let Some(p) = root.parent() {
        root = p;
    }
    let name = text(node, src);
    super::descendants(root)
        .into_iter()
        .filter(|a| a.kind_name() == "assignment" && a.end_byte() <= node.start_byte())
        .filter(|a| a.field("left").is_some_and(|l| text(l, src) == name))
        .filter_map(|a| a.field("right"))
        .rfind(|r| matches!(r.kind_name(), "string" | "concatenated_string"))
}

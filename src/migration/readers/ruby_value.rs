//! Literal values of Ruby call arguments (`:users`, `"x"`, `[:a, :b]`, `null: false`), read from
//! tree-sitter-ruby nodes, plus the SHA-256 Rails uses to name foreign keys and checks.

use crate::grammar::NodeExt;
use tree_sitter::Node;

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Sym(String),
    Str(String),
    Int(i64),
    Float(String),
    Bool(bool),
    Nil,
    Array(Vec<Val>),
    Hash(Vec<(String, Val)>),
    /// `-> { "now()" }`: a SQL expression for a default.
    Lambda(Option<String>),
    /// Anything else (a constant, a method call, an interpolated string): its source text.
    Other(String),
}

impl Val {
    /// A symbol or string as a name.
    pub fn name(&self) -> Option<&str> {
        match self {
            Val::Sym(s) | Val::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A name or a list of names (`:email` or `[:email, :org_id]`).
    pub fn names(&self) -> Option<Vec<String>> {
        match self {
            Val::Sym(s) | Val::Str(s) => Some(vec![s.clone()]),
            Val::Array(items) => items.iter().map(|v| v.name().map(str::to_owned)).collect(),
            _ => None,
        }
    }

    pub fn truthy(&self) -> bool {
        !matches!(self, Val::Bool(false) | Val::Nil)
    }

    pub fn int(&self) -> Option<u32> {
        match self {
            Val::Int(i) => u32::try_from(*i).ok(),
            _ => None,
        }
    }

    /// The value as a SQL default expression; `None` for `nil` (no default).
    pub fn sql_default(&self) -> Option<String> {
        match self {
            Val::Nil => None,
            Val::Str(s) | Val::Sym(s) => Some(format!("'{}'", s.replace('\'', "''"))),
            Val::Int(i) => Some(i.to_string()),
            Val::Float(f) => Some(f.clone()),
            Val::Bool(b) => Some(b.to_string()),
            Val::Lambda(Some(expr)) => Some(expr.clone()),
            Val::Lambda(None) | Val::Array(_) | Val::Hash(_) | Val::Other(_) => Some(String::from("?")),
        }
    }
}

pub fn text<'a>(node: Node, src: &'a str) -> &'a str {
    &src[node.byte_range()]
}

/// The literal content of a string node, or `None` when it interpolates.
pub fn string_content(node: Node, src: &str) -> Option<String> {
    let mut out = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind_name() {
            "string_content" => out.push_str(text(child, src)),
            "escape_sequence" => out.push_str(match text(child, src) {
                "\\n" => "\n",
                "\\t" => "\t",
                "\\\"" => "\"",
                "\\'" => "'",
                "\\\\" => "\\",
                other => other,
            }),
            _ => return None,
        }
    }
    Some(out)
}

/// Literal values nested deeper than this are not read (their text is kept): no input can
/// exhaust the stack.
const MAX_DEPTH: usize = 64;

pub fn value(node: Node, src: &str) -> Val {
    value_at(node, src, 0)
}

fn value_at(node: Node, src: &str, depth: usize) -> Val {
    if depth > MAX_DEPTH {
        return Val::Other(text(node, src).to_owned());
    }
    let value = |n: Node, src: &str| value_at(n, src, depth + 1);
    let pair = |n: Node, src: &str| pair_at(n, src, depth + 1);
    match node.kind_name() {
        "simple_symbol" => Val::Sym(text(node, src).trim_start_matches(':').to_owned()),
        "hash_key_symbol" => Val::Sym(text(node, src).to_owned()),
        "delimited_symbol" => match string_content(node, src) {
            Some(s) => Val::Sym(s),
            None => Val::Other(text(node, src).to_owned()),
        },
        "string" => match string_content(node, src) {
            Some(s) => Val::Str(s),
            None => Val::Other(text(node, src).to_owned()),
        },
        "integer" => {
            text(node, src).replace('_', "").parse().map(Val::Int).unwrap_or(Val::Other(text(node, src).into()))
        }
        "float" => Val::Float(text(node, src).to_owned()),
        "true" => Val::Bool(true),
        "false" => Val::Bool(false),
        "nil" => Val::Nil,
        "array" => {
            let mut cursor = node.walk();
            Val::Array(
                node.named_children(&mut cursor)
                    .filter(|c| c.kind_name() != "comment")
                    .map(|c| value(c, src))
                    .collect(),
            )
        }
        "string_array" | "symbol_array" => {
            let mut cursor = node.walk();
            let sym = node.kind_name() == "symbol_array";
            Val::Array(
                node.named_children(&mut cursor)
                    .map(|c| {
                        let t = text(c, src).to_owned();
                        if sym { Val::Sym(t) } else { Val::Str(t) }
                    })
                    .collect(),
            )
        }
        "hash" => {
            let mut cursor = node.walk();
            Val::Hash(node.named_children(&mut cursor).filter_map(|p| pair(p, src)).collect())
        }
        "lambda" => {
            let body = node.field("body");
            let expr = body.and_then(|b| {
                let mut cursor = b.walk();
                let inner = b.named_children(&mut cursor).find(|c| c.kind_name().ends_with("body"))?;
                let mut c2 = inner.walk();
                let first = inner.named_children(&mut c2).next()?;
                match value(first, src) {
                    Val::Str(s) => Some(s),
                    _ => None,
                }
            });
            Val::Lambda(expr)
        }
        "parenthesized_statements" => {
            let mut cursor = node.walk();
            match node.named_children(&mut cursor).next() {
                Some(c) => value(c, src),
                None => Val::Nil,
            }
        }
        _ => Val::Other(text(node, src).to_owned()),
    }
}

/// `key: value` or `:key => value` / `"key" => value`.
pub fn pair(node: Node, src: &str) -> Option<(String, Val)> {
    pair_at(node, src, 0)
}

fn pair_at(node: Node, src: &str, depth: usize) -> Option<(String, Val)> {
    let value = |n: Node, src: &str| value_at(n, src, depth + 1);
    if node.kind_name() != "pair" {
        return None;
    }
    let key = node.field("key")?;
    let key = match key.kind_name() {
        "hash_key_symbol" | "identifier" | "constant" => text(key, src).to_owned(),
        _ => value(key, src).name()?.to_owned(),
    };
    Some((key, value(node.field("value")?, src)))
}

/// Positional arguments and keyword options of a call.
#[derive(Debug, Default)]
pub struct Args {
    pub positional: Vec<Val>,
    pub options: Vec<(String, Val)>,
    /// `heredoc_beginning` nodes among the arguments, in order.
    pub heredocs: usize,
}

impl Args {
    pub fn of(call: Node, src: &str) -> Args {
        let mut args = Args::default();
        let Some(list) = call.field("arguments") else { return args };
        let mut cursor = list.walk();
        for child in list.named_children(&mut cursor) {
            match child.kind_name() {
                "pair" => args.options.extend(pair(child, src)),
                "hash" => {
                    if let Val::Hash(items) = value(child, src) {
                        args.options.extend(items);
                    }
                }
                "heredoc_beginning" => {
                    args.heredocs += 1;
                    args.positional.push(Val::Other(text(child, src).to_owned()));
                }
                "comment" => {}
                // `*%i[a b]` passes the list's items one by one; a splat of anything else stays
                // one unknown value, so that a reader never mistakes it for nothing.
                "splat_argument" => match child.named_child(0).map(|v| value(v, src)) {
                    Some(Val::Array(items)) => args.positional.extend(items),
                    _ => args.positional.push(Val::Other(text(child, src).to_owned())),
                },
                _ => args.positional.push(value(child, src)),
            }
        }
        args
    }

    pub fn opt(&self, key: &str) -> Option<&Val> {
        self.options.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn name(&self, i: usize) -> Option<&str> {
        self.positional.get(i).and_then(Val::name)
    }
}

/// SHA-256 of `data` as lower-case hex (schema-history checksums, advisory lock keys).
pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_matches_known_digests() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}

//! The small part of Ruby that `db/schema.rb` is written in — method calls with literal
//! arguments (strings, symbols, numbers, arrays, hashes, `-> { "sql" }` lambdas, heredocs) — read
//! from a tree-sitter-ruby syntax tree into plain values.

use crate::grammar::NodeExt;
use std::collections::VecDeque;

use tree_sitter::Node;

/// A literal argument value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Sym(String),
    Int(i64),
    Float(String),
    Bool(bool),
    Nil,
    Array(Vec<Value>),
    Hash(Vec<(String, Value)>),
    /// `-> { "now()" }`: the SQL text inside.
    Lambda(String),
}

impl Value {
    /// A string or symbol as text.
    pub fn name(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Sym(s) => Some(s),
            _ => None,
        }
    }

    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Bool(false) | Value::Nil)
    }
}

/// A method call: `recv.method(args, key: value) do |p| … end`.
pub struct Call<'t> {
    pub receiver: Option<String>,
    pub method: String,
    pub args: Vec<Value>,
    pub kwargs: Vec<(String, Value)>,
    pub block: Option<Node<'t>>,
    pub node: Node<'t>,
}

impl Call<'_> {
    pub fn kw(&self, key: &str) -> Option<&Value> {
        self.kwargs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// An argument that is not a literal, at this node.
pub struct NotLiteral<'t> {
    pub node: Node<'t>,
    pub what: String,
}

pub struct Reader<'s> {
    pub src: &'s str,
    /// Heredoc bodies in document order, consumed as their `<<~SQL` openers are met.
    pub heredocs: VecDeque<String>,
}

impl<'s> Reader<'s> {
    pub fn new(src: &'s str, root: Node<'_>) -> Self {
        let mut heredocs = VecDeque::new();
        collect_heredocs(root, src, &mut heredocs);
        Reader { src, heredocs }
    }

    pub fn text(&self, n: Node<'_>) -> &'s str {
        &self.src[n.byte_range()]
    }

    /// Read `node` as a call, if it is one.
    pub fn call<'t>(&mut self, node: Node<'t>) -> Result<Option<Call<'t>>, NotLiteral<'t>> {
        match node.kind_name() {
            "call" => {
                let Some(method) = node.field("method") else { return Ok(None) };
                let receiver = node.field("receiver").map(|r| self.text(r).to_owned());
                let mut call = Call {
                    receiver,
                    method: self.text(method).to_owned(),
                    args: Vec::new(),
                    kwargs: Vec::new(),
                    block: node.field("block"),
                    node,
                };
                if let Some(args) = node.field("arguments") {
                    let mut cursor = args.walk();
                    for a in args.named_children(&mut cursor) {
                        match a.kind_name() {
                            "pair" => {
                                let (k, v) = self.pair(a)?;
                                call.kwargs.push((k, v));
                            }
                            "comment" | "heredoc_body" => {}
                            _ => call.args.push(self.value(a)?),
                        }
                    }
                }
                Ok(Some(call))
            }
            "identifier" => Ok(Some(Call {
                receiver: None,
                method: self.text(node).to_owned(),
                args: Vec::new(),
                kwargs: Vec::new(),
                block: None,
                node,
            })),
            _ => Ok(None),
        }
    }

    fn pair<'t>(&mut self, pair: Node<'t>) -> Result<(String, Value), NotLiteral<'t>> {
        let key = pair.field("key").ok_or(NotLiteral { node: pair, what: "a key".into() })?;
        let value = pair.field("value").ok_or(NotLiteral { node: pair, what: "a value".into() })?;
        let k = match key.kind_name() {
            "hash_key_symbol" | "identifier" | "constant" => self.text(key).to_owned(),
            _ => match self.value(key)? {
                Value::Str(s) | Value::Sym(s) => s,
                _ => return Err(NotLiteral { node: key, what: "a string or symbol key".into() }),
            },
        };
        Ok((k, self.value(value)?))
    }

    pub fn value<'t>(&mut self, n: Node<'t>) -> Result<Value, NotLiteral<'t>> {
        let bad = |what: &str| NotLiteral { node: n, what: what.to_owned() };
        Ok(match n.kind_name() {
            "string" => Value::Str(self.string(n)?),
            "simple_symbol" => Value::Sym(self.text(n).trim_start_matches(':').to_owned()),
            "delimited_symbol" => Value::Sym(self.string(n)?),
            "hash_key_symbol" => Value::Sym(self.text(n).to_owned()),
            "integer" => {
                let t: String = self.text(n).chars().filter(|c| *c != '_').collect();
                Value::Int(t.parse().map_err(|_| bad("an integer"))?)
            }
            "float" => Value::Float(self.text(n).replace('_', "")),
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "nil" => Value::Nil,
            "unary" => {
                let operand = n.field("operand").ok_or_else(|| bad("a number"))?;
                match (self.text(n).starts_with('-'), self.value(operand)?) {
                    (true, Value::Int(i)) => Value::Int(-i),
                    (true, Value::Float(f)) => Value::Float(format!("-{f}")),
                    _ => return Err(bad("a literal")),
                }
            }
            "array" => {
                let mut out = Vec::new();
                let mut c = n.walk();
                for e in n.named_children(&mut c) {
                    if e.kind_name() != "comment" {
                        out.push(self.value(e)?);
                    }
                }
                Value::Array(out)
            }
            "string_array" | "symbol_array" => {
                let mut out = Vec::new();
                let mut c = n.walk();
                for e in n.named_children(&mut c) {
                    out.push(Value::Str(self.text(e).to_owned()));
                }
                Value::Array(out)
            }
            "hash" => {
                let mut out = Vec::new();
                let mut c = n.walk();
                for e in n.named_children(&mut c) {
                    if e.kind_name() == "pair" {
                        out.push(self.pair(e)?);
                    }
                }
                Value::Hash(out)
            }
            "lambda" => Value::Lambda(self.lambda_sql(n)?),
            "heredoc_beginning" => Value::Str(self.heredocs.pop_front().ok_or_else(|| bad("a heredoc body"))?),
            "parenthesized_statements" => {
                let inner = n.named_child(0).ok_or_else(|| bad("a literal"))?;
                self.value(inner)?
            }
            other => return Err(bad(&format!("a literal value, not `{other}`"))),
        })
    }

    fn lambda_sql<'t>(&mut self, n: Node<'t>) -> Result<String, NotLiteral<'t>> {
        // `-> { "now()" }`: the only statement of the body is a string.
        let mut stack = vec![n];
        while let Some(x) = stack.pop() {
            if x.kind_name() == "string" {
                return self.string(x);
            }
            let mut c = x.walk();
            let children: Vec<Node<'t>> = x.named_children(&mut c).collect();
            stack.extend(children.into_iter().rev());
        }
        Err(NotLiteral { node: n, what: "a lambda returning a SQL string".into() })
    }

    fn string<'t>(&self, n: Node<'t>) -> Result<String, NotLiteral<'t>> {
        let mut out = String::new();
        let mut c = n.walk();
        let single = self.text(n).starts_with('\'');
        for part in n.named_children(&mut c) {
            match part.kind_name() {
                "string_content" => out.push_str(self.text(part)),
                "escape_sequence" => out.push_str(&unescape(self.text(part), single)),
                "interpolation" => {
                    return Err(NotLiteral { node: part, what: "a string without interpolation".into() });
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

fn unescape(esc: &str, single: bool) -> String {
    if single {
        return esc.strip_prefix('\\').unwrap_or(esc).to_owned();
    }
    match esc {
        "\\n" => "\n".into(),
        "\\t" => "\t".into(),
        "\\r" => "\r".into(),
        "\\0" => "\0".into(),
        "\\s" => " ".into(),
        e => e.strip_prefix('\\').unwrap_or(e).to_owned(),
    }
}

fn collect_heredocs(n: Node<'_>, src: &str, out: &mut VecDeque<String>) {
    if n.kind_name() == "heredoc_body" {
        let mut end = n.end_byte();
        let mut c = n.walk();
        for part in n.named_children(&mut c) {
            if part.kind_name() == "heredoc_end" {
                end = part.start_byte();
            }
        }
        let text = src[n.start_byte()..end].to_owned();
        out.push_back(text);
        return;
    }
    let mut c = n.walk();
    for child in n.children(&mut c) {
        collect_heredocs(child, src, out);
    }
}

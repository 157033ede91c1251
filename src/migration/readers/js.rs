//! What the JavaScript and TypeScript migration readers share (TypeORM, Sequelize, Knex,
//! migrate-mongo): parsing
//! through tree-sitter, finding `up` and `down` whatever shape declares them (a class method,
//! an object's method or arrow property, `exports.up = …`, an exported function), literal values
//! of arguments, SQL held in strings, and the calls made on the receiver `up` is given.

use crate::grammar::NodeExt;
use std::path::Path;

use tree_sitter::{Node, Tree};

use super::{LineIndex, descendants, excerpt, op, sql};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::{Direction, Format, Migration, OpKind, Operation};
use crate::schema::{Dialect, QualifiedName};

/// The JS migration format a file's content says, if any: TypeORM's `MigrationInterface` or
/// `queryRunner`, Sequelize's `queryInterface`, migrate-mongo's calls on `db.collection(…)`,
/// Knex's `knex.schema`/`exports.up = function(knex)`.
pub fn detect(src: &str) -> Option<Format> {
    if src.contains("MigrationInterface") || src.contains("queryRunner") {
        Some(Format::Typeorm)
    } else if src.contains("queryInterface") || src.contains("sequelize-cli") {
        Some(Format::Sequelize)
    } else if super::migrate_mongo::detect(src) {
        Some(Format::MigrateMongo)
    } else if src.contains(".schema.") || src.contains("knex") || src.contains("Knex") {
        Some(Format::Knex)
    } else {
        None
    }
}

pub fn parse(path: &Path, src: &str) -> Result<Tree> {
    let ts = matches!(path.extension().and_then(|e| e.to_str()), Some("ts" | "mts" | "cts"));
    let language: tree_sitter::Language =
        if ts { tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into() } else { tree_sitter_javascript::LANGUAGE.into() };
    super::parse(path, src, language, if ts { "TypeScript" } else { "JavaScript" })
}

pub fn text<'a>(node: Node, src: &'a str) -> &'a str {
    &src[node.byte_range()]
}

/// A function declaring a migration direction: its body and the name of its first parameter
/// (the `queryRunner`, `queryInterface` or `knex` the calls are made on).
#[derive(Clone, Copy)]
pub struct Function<'t> {
    pub body: Node<'t>,
    pub receiver: Option<Node<'t>>,
    /// The second parameter (Sequelize's `Sequelize` / `DataTypes`).
    pub second: Option<Node<'t>>,
}

fn param_name(p: Node) -> Option<Node> {
    descendants(p).into_iter().find(|n| n.kind_name() == "identifier")
}

fn named_children(n: Node) -> Vec<Node> {
    let mut cursor = n.walk();
    n.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").collect()
}

fn function_parts(f: Node) -> Option<Function> {
    let body = f.field("body")?;
    let params = f.field("parameters");
    let (receiver, second) = match (params, f.field("parameter")) {
        (_, Some(single)) => (Some(single), None),
        (Some(ps), None) => {
            let list = named_children(ps);
            (list.first().and_then(|p| param_name(*p)), list.get(1).and_then(|p| param_name(*p)))
        }
        (None, None) => (None, None),
    };
    Some(Function { body, receiver, second })
}

/// A function given as an argument (`t => {…}`, `function (t) {…}`).
pub fn find_callback(node: Node) -> Option<Function> {
    matches!(node.kind_name(), "function_expression" | "arrow_function" | "function")
        .then(|| function_parts(node))
        .flatten()
}

/// The `up` or `down` function of a migration file, whatever declares it.
pub fn find<'t>(root: Node<'t>, src: &str, name: &str) -> Option<Function<'t>> {
    let is_fn = |n: Node| matches!(n.kind_name(), "function_expression" | "arrow_function" | "function");
    for n in descendants(root) {
        let found = match n.kind_name() {
            "method_definition" => n.field("name").filter(|k| text(*k, src) == name).map(|_| n),
            "function_declaration" => n.field("name").filter(|k| text(*k, src) == name).map(|_| n),
            "pair" => {
                let key = n.field("key").map(|k| text(k, src).trim_matches(['"', '\'']));
                n.field("value").filter(|v| key == Some(name) && is_fn(*v))
            }
            "assignment_expression" => {
                let left = n.field("left").map(|l| text(l, src));
                let target =
                    left.is_some_and(|l| l == format!("exports.{name}") || l == format!("module.exports.{name}"));
                n.field("right").filter(|v| target && is_fn(*v))
            }
            "variable_declarator" => {
                let named = n.field("name").is_some_and(|k| text(k, src) == name);
                n.field("value").filter(|v| named && is_fn(*v))
            }
            _ => None,
        };
        if let Some(f) = found.and_then(function_parts) {
            return Some(f);
        }
    }
    None
}

/// A literal value of an argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    List(Vec<Val>),
    Obj(Vec<(String, Val)>),
    /// `f(…)` or `new F(…)`: the last segment of the callee and the arguments.
    Call {
        name: String,
        args: Vec<Val>,
    },
    /// A name or member chain (`Sequelize.STRING`, `queryRunner`): its text.
    Name(String),
    Other(String),
}

impl Val {
    pub fn str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Obj(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn int(&self) -> Option<u32> {
        match self {
            Val::Num(n) if *n >= 0.0 && n.fract() == 0.0 && *n < f64::from(u32::MAX) => Some(*n as u32),
            Val::Str(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn truthy(&self) -> bool {
        !matches!(self, Val::Bool(false) | Val::Null)
    }

    /// The value as JSON, when it is all literals (a BSON document written in a migration).
    pub fn json(&self) -> Option<serde_json::Value> {
        use serde_json::Value as J;
        Some(match self {
            Val::Str(s) => J::String(s.clone()),
            Val::Num(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
            Val::Bool(b) => J::Bool(*b),
            Val::Null => J::Null,
            Val::List(items) => J::Array(items.iter().map(Val::json).collect::<Option<_>>()?),
            Val::Obj(items) => {
                J::Object(items.iter().map(|(k, v)| Some((k.clone(), v.json()?))).collect::<Option<_>>()?)
            }
            Val::Call { .. } | Val::Name(_) | Val::Other(_) => return None,
        })
    }

    pub fn strs(&self) -> Option<Vec<String>> {
        match self {
            Val::List(items) => items.iter().map(|v| v.str().map(str::to_owned)).collect(),
            Val::Str(s) => Some(vec![s.clone()]),
            _ => None,
        }
    }
}

/// Values nested deeper than this are kept as text: no input can exhaust the stack.
const MAX_DEPTH: usize = 32;

pub fn value(node: Node, src: &str) -> Val {
    value_at(node, src, 0)
}

/// The text of a string or a template string without substitutions, escapes resolved.
pub fn string(node: Node, src: &str) -> Option<String> {
    if !matches!(node.kind_name(), "string" | "template_string") {
        return None;
    }
    let mut out = String::new();
    let mut cursor = node.walk();
    for c in node.named_children(&mut cursor) {
        match c.kind_name() {
            "string_fragment" => out.push_str(text(c, src)),
            "escape_sequence" => out.push_str(super::unescape(text(c, src))),
            _ => return None,
        }
    }
    Some(out)
}

fn value_at(node: Node, src: &str, depth: usize) -> Val {
    if depth > MAX_DEPTH {
        return Val::Other(text(node, src).to_owned());
    }
    let value = |n: Node| value_at(n, src, depth + 1);
    let named = named_children;
    match node.kind_name() {
        "string" | "template_string" => {
            string(node, src).map_or_else(|| Val::Other(text(node, src).to_owned()), Val::Str)
        }
        "number" => text(node, src).parse().map_or_else(|_| Val::Other(text(node, src).to_owned()), Val::Num),
        // `-1`: a descending index key.
        "unary_expression" if node.field("operator").is_some_and(|o| text(o, src) == "-") => {
            match node.field("argument").map(value) {
                Some(Val::Num(n)) => Val::Num(-n),
                _ => Val::Other(text(node, src).to_owned()),
            }
        }
        "true" => Val::Bool(true),
        "false" => Val::Bool(false),
        "null" | "undefined" => Val::Null,
        "array" => Val::List(named(node).into_iter().map(value).collect()),
        "object" => Val::Obj(
            named(node)
                .into_iter()
                .filter_map(|p| match p.kind_name() {
                    "pair" => {
                        let key = p.field("key")?;
                        let key = string(key, src).unwrap_or_else(|| text(key, src).to_owned());
                        Some((key, value(p.field("value")?)))
                    }
                    "shorthand_property_identifier" => {
                        Some((text(p, src).to_owned(), Val::Name(text(p, src).to_owned())))
                    }
                    _ => None,
                })
                .collect(),
        ),
        "call_expression" | "new_expression" => {
            let callee = node.field("function").or_else(|| node.field("constructor"));
            let callee = callee.map(|c| text(c, src)).unwrap_or("");
            let args = node.field("arguments").map(|a| named(a).into_iter().map(value).collect());
            Val::Call { name: callee.rsplit('.').next().unwrap_or(callee).to_owned(), args: args.unwrap_or_default() }
        }
        "identifier" | "member_expression" | "property_identifier" => Val::Name(text(node, src).to_owned()),
        "parenthesized_expression" | "as_expression" | "satisfies_expression" | "non_null_expression" => {
            named(node).first().map_or(Val::Null, |c| value(*c))
        }
        _ => Val::Other(text(node, src).to_owned()),
    }
}

/// A call on the migration's receiver: `receiver.<path…>.method(args)`, with the member path
/// between them (`["schema"]` for `knex.schema.dropTable`, `["sequelize"]` for
/// `queryInterface.sequelize.query`). Chained calls (`knex.schema.createTable(…).dropTable(…)`)
/// are each a call.
pub struct Call<'t> {
    pub node: Node<'t>,
    pub path: Vec<String>,
    pub method: String,
    pub args: Vec<Node<'t>>,
}

/// Every call made on `receiver` (by name) inside `body`, in source order; calls inside another
/// call's callback (a Knex table builder, a Sequelize transaction) included.
pub fn calls_on<'t>(body: Node<'t>, receiver: &str, src: &str) -> Vec<Call<'t>> {
    let mut out = Vec::new();
    for n in descendants(body).into_iter().filter(|n| n.kind_name() == "call_expression") {
        let Some(callee) = n.field("function").filter(|c| c.kind_name() == "member_expression") else {
            continue;
        };
        let Some(method) = callee.field("property").map(|p| text(p, src).to_owned()) else { continue };
        // Walk the object back to the receiver, through member accesses and earlier calls of a chain.
        let mut path = Vec::new();
        let mut object = callee.field("object");
        let mut found = false;
        while let Some(o) = object {
            match o.kind_name() {
                "identifier" | "this" => {
                    found = text(o, src) == receiver;
                    break;
                }
                "member_expression" => {
                    if let Some(p) = o.field("property") {
                        path.push(text(p, src).to_owned());
                    }
                    object = o.field("object");
                }
                "call_expression" => {
                    // `knex.schema.createTable(…).dropTable(…)`: the chain's earlier call is its own
                    // call; this one continues from the same path.
                    path.clear();
                    object = o.field("function").and_then(|f| f.field("object"));
                }
                "await_expression" | "parenthesized_expression" => object = o.named_child(0),
                _ => break,
            }
        }
        if !found {
            continue;
        }
        path.reverse();
        let args = n.field("arguments").map_or_else(Vec::new, named_children);
        out.push(Call { node: n, path, method, args });
    }
    out
}

/// The reading of one JS/TS migration file: its path, text, spans.
pub struct Ctx<'a> {
    pub file: &'a Path,
    pub src: &'a str,
    pub lines: &'a LineIndex<'a>,
    pub dialect: Dialect,
}

impl Ctx<'_> {
    pub fn at(&self, node: Node, dir: Direction, kind: OpKind) -> Operation {
        op(self.file, self.lines, node.start_byte(), node.end_byte(), dir, kind)
    }

    pub fn unparsed(&self, node: Node, dir: Direction, reason: &str) -> Operation {
        self.at(node, dir, OpKind::Unparsed { text: excerpt(text(node, self.src)), reason: reason.to_owned() })
    }

    pub fn dynamic(&self, node: Node, dir: Direction) -> Vec<Operation> {
        vec![self.unparsed(node, dir, "a table or column name computed at run time cannot be read")]
    }

    /// A table argument: `"users"`, `"audit.users"` (Knex), `{ tableName, schema }` (Sequelize).
    pub fn table(&self, v: &Val) -> Option<QualifiedName> {
        let (schema, name) = match v {
            Val::Str(s) => match s.split_once('.') {
                Some((schema, name)) => (Some(schema.to_owned()), name.to_owned()),
                None => (None, s.clone()),
            },
            Val::Obj(_) => {
                (v.get("schema").and_then(Val::str).map(str::to_owned), v.get("tableName")?.str()?.to_owned())
            }
            _ => return None,
        };
        Some(QualifiedName::new(schema.as_deref().or(self.dialect.default_schema()), &name))
    }

    /// SQL passed as a string: read by the SQL reader with spans in the file when the literal
    /// is written without escapes, else at the string; a variable is followed to the literal
    /// it was last given before the call; a string with `${…}` substitutions or an expression
    /// is `Unparsed`. `rewrite` turns the text into SQL without changing its length (bind
    /// parameters the ORM fills in).
    pub fn sql(&self, node: Node, dir: Direction, rewrite: fn(&str) -> String) -> Vec<Operation> {
        let node = self.literal_of(node);
        let plain = matches!(node.kind_name(), "string" | "template_string") && {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).all(|c| c.kind_name() == "string_fragment")
        };
        if plain {
            let (s, e) = (node.start_byte() + 1, node.end_byte().saturating_sub(1).max(node.start_byte() + 1));
            return sql::read_statements(self.file, self.lines, s, &rewrite(&self.src[s..e]), self.dialect, dir);
        }
        match string(node, self.src) {
            Some(s) => {
                let s = rewrite(&s);
                sql::read_statements(self.file, &LineIndex::new(&s), 0, &s, self.dialect, dir)
                    .into_iter()
                    .map(|o| self.at(node, dir, o.kind))
                    .collect()
            }
            None => vec![self.unparsed(node, dir, "SQL built at run time cannot be read")],
        }
    }

    /// The literal an identifier was last declared with before `node` (`const sql = \`…\``), or
    /// `node` itself.
    pub fn literal_of<'t>(&self, node: Node<'t>) -> Node<'t> {
        self.declared(node, &["string", "template_string"])
    }

    /// The value of one of the `kinds` an identifier was last declared with before `node`, or
    /// `node` itself.
    pub fn declared<'t>(&self, node: Node<'t>, kinds: &[&str]) -> Node<'t> {
        if node.kind_name() != "identifier" {
            return node;
        }
        let mut root = node;
        while let Some(p) = root.parent() {
            root = p;
        }
        let name = text(node, self.src);
        descendants(root)
            .into_iter()
            .filter(|d| d.kind_name() == "variable_declarator" && d.end_byte() <= node.start_byte())
            .filter(|d| d.field("name").is_some_and(|n| text(n, self.src) == name))
            .filter_map(|d| d.field("value"))
            .rfind(|v| kinds.contains(&v.kind_name()))
            .unwrap_or(node)
    }
}

/// SQL as written, for [`Ctx::sql`].
pub fn verbatim(sql: &str) -> String {
    sql.to_owned()
}

/// How one ORM's reader turns the calls of a direction into operations.
pub trait Api {
    const FORMAT: Format;
    /// What the file must declare, for the error when it does not.
    const EXPECTED: &'static str;
    /// The version and name: the file name's (`20240101120000-add-x.js`) unless the format
    /// says otherwise.
    fn version_and_name(path: &Path, root: Node, src: &str) -> (String, String) {
        let _ = (root, src);
        let f = crate::migration::layout::parse_file_name(path);
        (f.version, f.name)
    }
    fn direction(ctx: &Ctx, f: Function, dir: Direction) -> Vec<Operation>;
}

/// Read a migration file of one of the JS ORMs: `up` (required) and `down`.
pub fn read<A: Api>(path: &Path, src: &str, dialect: Dialect) -> Result<Migration> {
    let tree = parse(path, src)?;
    let root = tree.root_node();
    let up = find(root, src, "up").ok_or_else(|| {
        Error::input(Diagnostic::new("no `up` function in this migration").at(path, 1, 1).help(A::EXPECTED))
    })?;
    let lines = LineIndex::new(src);
    let ctx = Ctx { file: path, src, lines: &lines, dialect };
    let (version, name) = A::version_and_name(path, root, src);
    let read = |f: Function, dir: Direction| match f.receiver {
        Some(_) => A::direction(&ctx, f, dir),
        // `async up() { execFileSync(…) }`: no migration interface, so whatever it does is code.
        None if f.body.named_child_count() > 0 => vec![ctx.at(
            f.body,
            dir,
            OpKind::Code {
                description: format!("`{}` runs code without the migration interface", excerpt(text(f.body, src))),
            },
        )],
        None => Vec::new(),
    };
    let down = find(root, src, "down").map(|d| read(d, Direction::Down));
    // A `down` that does nothing (or only throws) reverses nothing.
    let down = down.filter(|ops| !ops.is_empty());
    Ok(Migration {
        file: path.to_path_buf(),
        down_file: None,
        version,
        name,
        format: A::FORMAT,
        up: read(up, Direction::Up),
        down,
        transactional: true,
        replaces: Vec::new(),
        source: src.to_owned(),
    })
}

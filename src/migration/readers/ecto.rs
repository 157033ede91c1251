//! Ecto `priv/repo/migrations/*.exs` migrations → operations, through tree-sitter-elixir.
//!
//! `change` gets the inverse Ecto itself computes (create ↔ drop, add ↔ remove, `modify … from:`
//! back, renames back, `execute(up, down)`); where Ecto raises `Ecto.MigrationError` on rollback
//! (a `remove` without a type, `modify` without `from:`, a one-argument `execute`), the migration
//! has no down part.

use crate::grammar::NodeExt;
use std::cell::RefCell;
use std::path::Path;

use tree_sitter::Node;

use super::types::{TypeOptions, ecto_type};
use super::{LineIndex, excerpt, op, sql};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::layout::parse_file_name;
use crate::migration::{Direction, Format, Migration, OpKind, Operation};
use crate::schema::{
    CheckConstraint, Column, Dialect, FkAction, ForeignKey, Index, IndexKey, IndexPart, PrimaryKey, QualifiedName,
    postgres,
};

/// A literal Elixir argument.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Atom(String),
    Str(String),
    Int(i64),
    Float(String),
    Bool(bool),
    Nil,
    List(Vec<Val>),
    Tuple(Vec<Val>),
    Keywords(Vec<(String, Val)>),
    /// `table(:users, prefix: "x")`, `references(:orgs)`, `fragment("now()")`.
    Call(String, Vec<Val>),
    Other(String),
}

impl Val {
    fn name(&self) -> Option<&str> {
        match self {
            Val::Atom(s) | Val::Str(s) => Some(s),
            _ => None,
        }
    }

    fn names(&self) -> Option<Vec<String>> {
        match self {
            Val::Atom(s) | Val::Str(s) => Some(vec![s.clone()]),
            Val::List(items) => items.iter().map(|v| v.name().map(str::to_owned)).collect(),
            _ => None,
        }
    }

    fn truthy(&self) -> bool {
        !matches!(self, Val::Bool(false) | Val::Nil)
    }

    fn sql_default(&self) -> Option<String> {
        match self {
            Val::Nil => None,
            Val::Str(s) => Some(format!("'{}'", s.replace('\'', "''"))),
            Val::Atom(s) => Some(format!("'{s}'")),
            Val::Int(i) => Some(i.to_string()),
            Val::Float(f) => Some(f.clone()),
            Val::Bool(b) => Some(b.to_string()),
            Val::List(items) if items.is_empty() => Some("'{}'".into()),
            Val::Call(name, args) if name == "fragment" => args.first().and_then(Val::name).map(str::to_owned),
            _ => Some("?".into()),
        }
    }
}

fn kw<'v>(args: &'v [Val], key: &str) -> Option<&'v Val> {
    args.iter().rev().find_map(|a| match a {
        Val::Keywords(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    })
}

fn positional(args: &[Val]) -> Vec<&Val> {
    args.iter().filter(|a| !matches!(a, Val::Keywords(_))).collect()
}

fn text<'a>(node: Node, src: &'a str) -> &'a str {
    &src[node.byte_range()]
}

fn string_content(node: Node, src: &str) -> Option<String> {
    let mut out = String::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind_name() {
            "quoted_content" => out.push_str(text(child, src)),
            "escape_sequence" => out.push_str(match text(child, src) {
                "\\n" => "\n",
                "\\t" => "\t",
                "\\\"" => "\"",
                "\\\\" => "\\",
                other => other,
            }),
            _ => return None,
        }
    }
    Some(out)
}

/// Literal values nested deeper than this are kept as text: no input can exhaust the stack.
const MAX_DEPTH: usize = 64;

fn value_at(node: Node, src: &str, depth: usize) -> Val {
    if depth > MAX_DEPTH {
        return Val::Other(text(node, src).to_owned());
    }
    let value = |n: Node, src: &str| value_at(n, src, depth + 1);
    let keywords = |n: Node, src: &str| keywords_at(n, src, depth + 1);
    let call_args = |n: Node, src: &str| call_args_at(n, src, depth + 1);
    match node.kind_name() {
        "atom" => Val::Atom(text(node, src).trim_start_matches(':').to_owned()),
        "quoted_atom" => Val::Atom(string_content(node, src).unwrap_or_default()),
        "string" | "charlist" => match string_content(node, src) {
            Some(s) => Val::Str(s),
            None => Val::Other(text(node, src).to_owned()),
        },
        "sigil" => {
            let mut cursor = node.walk();
            let content: Option<String> = node
                .named_children(&mut cursor)
                .find(|c| c.kind_name() == "quoted_content")
                .map(|c| text(c, src).to_owned());
            content.map_or_else(|| Val::Other(text(node, src).to_owned()), Val::Str)
        }
        "integer" => {
            text(node, src).replace('_', "").parse().map_or_else(|_| Val::Other(text(node, src).into()), Val::Int)
        }
        "float" => Val::Float(text(node, src).to_owned()),
        "boolean" => Val::Bool(text(node, src) == "true"),
        "nil" => Val::Nil,
        "list" | "tuple" => {
            let mut cursor = node.walk();
            let mut items = Vec::new();
            for c in node.named_children(&mut cursor) {
                match c.kind_name() {
                    "comment" => {}
                    "keywords" => items.push(keywords(c, src)),
                    _ => items.push(value(c, src)),
                }
            }
            if node.kind_name() == "list" { Val::List(items) } else { Val::Tuple(items) }
        }
        "keywords" => keywords(node, src),
        "call" => {
            let name = node.field("target").map(|t| text(t, src).to_owned()).unwrap_or_default();
            Val::Call(name, call_args(node, src))
        }
        _ => Val::Other(text(node, src).to_owned()),
    }
}

fn keywords_at(node: Node, src: &str, depth: usize) -> Val {
    let value = |n: Node, src: &str| value_at(n, src, depth + 1);
    let mut cursor = node.walk();
    let items = node
        .named_children(&mut cursor)
        .filter(|p| p.kind_name() == "pair")
        .filter_map(|p| {
            let key = p.field("key")?;
            let key = text(key, src).trim().trim_end_matches(':').trim_matches('"').to_owned();
            Some((key, value(p.field("value")?, src)))
        })
        .collect();
    Val::Keywords(items)
}

fn arguments_node(call: Node) -> Option<Node> {
    let mut cursor = call.walk();
    call.named_children(&mut cursor).find(|c| c.kind_name() == "arguments")
}

fn call_args(call: Node, src: &str) -> Vec<Val> {
    call_args_at(call, src, 0)
}

fn call_args_at(call: Node, src: &str, depth: usize) -> Vec<Val> {
    let value = |n: Node, src: &str| value_at(n, src, depth + 1);
    let Some(args) = arguments_node(call) else { return Vec::new() };
    let mut cursor = args.walk();
    args.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").map(|c| value(c, src)).collect()
}

fn do_block(call: Node) -> Option<Node> {
    let mut cursor = call.walk();
    call.named_children(&mut cursor).find(|c| c.kind_name() == "do_block")
}

/// The only argument of a call, when it is a string literal: `@sql "…"`'s value.
fn only_argument(call: Node) -> Option<Node> {
    let args = arguments_node(call)?;
    let mut cursor = args.walk();
    let all: Vec<Node> = args.named_children(&mut cursor).collect();
    match all.as_slice() {
        [v] if matches!(v.kind_name(), "string" | "sigil") => Some(*v),
        _ => None,
    }
}

/// The string literal a function definition's body is, in either form: `defp sql, do: "…"`
/// or `defp sql do "…" end`.
fn returned_literal<'t>(def: Node<'t>, src: &str) -> Option<Node<'t>> {
    let literal = |n: Node<'t>| matches!(n.kind_name(), "string" | "sigil").then_some(n);
    if let Some(block) = do_block(def) {
        let mut cursor = block.walk();
        let body: Vec<Node> = block.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").collect();
        return match body.as_slice() {
            [only] => literal(*only),
            _ => None,
        };
    }
    let args = arguments_node(def)?;
    let mut cursor = args.walk();
    let keywords = args.named_children(&mut cursor).find(|c| c.kind_name() == "keywords")?;
    let mut cursor = keywords.walk();
    let pair = keywords
        .named_children(&mut cursor)
        .find(|p| p.field("key").is_some_and(|k| text(k, src).trim_end().trim_end_matches(':').trim() == "do"))?;
    literal(pair.field("value")?)
}

fn target<'a>(call: Node, src: &'a str) -> Option<&'a str> {
    if call.kind_name() != "call" {
        return None;
    }
    call.field("target").map(|t| text(t, src))
}

/// Read one Ecto migration file.
/// What a repo's configuration changes in its migrations: `config :app, App.Repo,
/// migration_timestamps: […], migration_primary_key: […], migration_foreign_key: […]` (ecto_sql's
/// `Ecto.Migration.Runner.repo_config`), merged under each call's own options as Ecto merges them.
/// A schema's `@timestamps_opts` is not among them: it shapes the schema's fields, not the columns
/// a migration's `timestamps()` creates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepoConfig {
    timestamps: Vec<Val>,
    primary_key: Vec<Val>,
    foreign_key: Vec<Val>,
}

impl RepoConfig {
    /// The migration settings in a config file (`config/config.exs`) for the repo whose
    /// migrations live in `priv/<repo>/migrations` (`repo` is that folder's name, `repo` for
    /// `MyApp.Repo`); the file's only repo with such settings when none matches.
    pub fn read(path: &Path, text_: &str, repo: &str) -> Result<RepoConfig> {
        let tree = parse(path, text_)?;
        let mut found: Vec<(String, RepoConfig)> = Vec::new();
        for node in super::descendants(tree.root_node()) {
            if target(node, text_) != Some("config") {
                continue;
            }
            let args = call_args(node, text_);
            let Some(Val::Other(module)) = args.get(1) else { continue };
            let list = |key: &str| match kw(&args, key) {
                Some(Val::List(items)) => items.clone(),
                Some(v @ Val::Keywords(_)) => vec![v.clone()],
                _ => Vec::new(),
            };
            let config = RepoConfig {
                timestamps: list("migration_timestamps"),
                primary_key: list("migration_primary_key"),
                foreign_key: list("migration_foreign_key"),
            };
            if config != RepoConfig::default() {
                let last = module.rsplit('.').next().unwrap_or(module);
                found.push((crate::inflect::underscore(last), config));
            }
        }
        let only = found.len() == 1;
        Ok(found.into_iter().find(|(name, _)| only || name == repo).map(|(_, c)| c).unwrap_or_default())
    }
}

fn parse(path: &Path, src: &str) -> Result<tree_sitter::Tree> {
    super::parse(path, src, tree_sitter_elixir::LANGUAGE.into(), "Elixir")
}

pub fn read(path: &Path, text_: &str, dialect: Dialect) -> Result<Migration> {
    read_with(path, text_, dialect, &RepoConfig::default())
}

/// Read a migration of a repo configured with `config`.
pub fn read_with(path: &Path, text_: &str, dialect: Dialect, config: &RepoConfig) -> Result<Migration> {
    let src = text_;
    let tree = parse(path, src)?;
    let module = find_module(tree.root_node(), src).ok_or_else(|| {
        Error::input(
            Diagnostic::new("no migration module found")
                .at(path, 1, 1)
                .help("expected `defmodule … do use Ecto.Migration … end` with a `change` or `up` function"),
        )
    })?;
    let name = parse_file_name(path);
    let mut m = Migration {
        file: path.to_path_buf(),
        down_file: None,
        version: name.version,
        name: name.name,
        format: Format::Ecto,
        up: Vec::new(),
        down: None,
        transactional: true,
        replaces: Vec::new(),
        source: src.to_owned(),
    };
    let lines = LineIndex::new(src);
    let (mut change, mut up, mut down) = (None, None, None);
    // Functions of no arguments `change`/`up` may call (`def change do groups() end`,
    // `defp groups do alter table(:groups) do … end end`); a name defined twice is left out.
    let mut locals: Vec<(&str, Node)> = Vec::new();
    // Module attributes and functions of no arguments whose value is a string literal.
    let mut attributes: Vec<(&str, Node)> = Vec::new();
    let mut literals: Vec<(&str, Node)> = Vec::new();
    let (mut seen, mut twice): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    if let Some(block) = do_block(module) {
        let mut cursor = block.walk();
        for child in block.named_children(&mut cursor) {
            match child.kind_name() {
                "unary_operator" => {
                    // `@disable_ddl_transaction true`, `@disable_migration_lock true`
                    let t = text(child, src);
                    if t.starts_with("@disable_ddl_transaction") && t.trim_end().ends_with("true") {
                        m.transactional = false;
                    }
                    // `@sql "ALTER TABLE …"`, for `execute(@sql)`.
                    if let Some(operand) = child.field("operand")
                        && let (Some(name), Some(value)) = (target(operand, src), only_argument(operand))
                        && t.starts_with('@')
                    {
                        if seen.contains(&name) {
                            twice.push(name);
                        }
                        seen.push(name);
                        attributes.push((name, value));
                    }
                }
                "call" if matches!(target(child, src), Some("def" | "defp")) => {
                    let head = arguments_node(child).and_then(|a| {
                        let mut c = a.walk();
                        a.named_children(&mut c).next()
                    });
                    let fname = head.map(|n| match n.kind_name() {
                        "call" => target(n, src).unwrap_or(""),
                        _ => text(n, src),
                    });
                    match fname {
                        Some("change") => change = Some(child),
                        Some("up") => up = Some(child),
                        Some("down") => down = Some(child),
                        Some(name) => {
                            let no_args = head.is_some_and(|n| {
                                n.kind_name() == "identifier"
                                    || (n.kind_name() == "call" && call_args(n, src).is_empty())
                            });
                            if seen.contains(&name) {
                                twice.push(name);
                            }
                            seen.push(name);
                            if no_args && do_block(child).is_some() {
                                locals.push((name, child));
                            }
                            if no_args && let Some(value) = returned_literal(child, src) {
                                literals.push((name, value));
                            }
                        }
                        None => {}
                    }
                }
                _ => {}
            }
        }
    }
    locals.retain(|(n, _)| !twice.contains(n));
    attributes.retain(|(n, _)| !twice.contains(n));
    literals.retain(|(n, _)| !twice.contains(n));
    let r = Reader {
        file: path,
        src,
        lines: &lines,
        dialect,
        config,
        locals,
        attributes,
        literals,
        inlining: RefCell::new(Vec::new()),
    };
    if let Some(f) = change {
        let (ops, inverse) = r.body(do_block(f), Direction::Up);
        m.up = ops;
        m.down = inverse.map(|mut inv| {
            inv.reverse();
            inv.into_iter().flatten().collect()
        });
    } else {
        if let Some(f) = up {
            m.up = r.body(do_block(f), Direction::Up).0;
        }
        if let Some(f) = down {
            m.down = Some(r.body(do_block(f), Direction::Down).0);
        }
    }
    Ok(m)
}

fn find_module<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    super::descendants(node).into_iter().find(|n| target(*n, src) == Some("defmodule"))
}

struct Reader<'a> {
    file: &'a Path,
    src: &'a str,
    lines: &'a LineIndex<'a>,
    dialect: Dialect,
    config: &'a RepoConfig,
    /// The module's functions of no arguments, by name, whose bodies a call inlines.
    locals: Vec<(&'a str, Node<'a>)>,
    /// `@name "…"`: module attributes holding a string literal, by name.
    attributes: Vec<(&'a str, Node<'a>)>,
    /// Functions of no arguments whose body is one string literal, by name.
    literals: Vec<(&'a str, Node<'a>)>,
    /// The functions being inlined, innermost last: a call of one of them is not followed again.
    inlining: RefCell<Vec<&'a str>>,
}

/// Operations of a body and, for `change`, the inverse of each statement (`None` when one
/// cannot be inverted).
type Body = (Vec<Operation>, Option<Vec<Vec<Operation>>>);

impl<'a> Reader<'a> {
    fn op(&self, node: Node, dir: Direction, kind: OpKind) -> Operation {
        op(self.file, self.lines, node.start_byte(), node.end_byte(), dir, kind)
    }

    fn unparsed(&self, node: Node, dir: Direction, reason: &str) -> Operation {
        self.op(node, dir, OpKind::Unparsed { text: excerpt(text(node, self.src)), reason: reason.to_owned() })
    }

    fn table(&self, v: &Val) -> Option<QualifiedName> {
        let (name, args) = match v {
            Val::Call(f, args) if f == "table" => (args.first()?.name()?, args.as_slice()),
            other => (other.name()?, &[][..]),
        };
        let prefix = kw(args, "prefix").and_then(Val::name);
        Some(QualifiedName::new(prefix.or(self.dialect.default_schema()), name))
    }

    fn body(&self, block: Option<Node>, dir: Direction) -> Body {
        let mut ops = Vec::new();
        let mut inverse = Some(Vec::new());
        let Some(block) = block else { return (ops, inverse) };
        let mut cursor = block.walk();
        for stmt in block.named_children(&mut cursor) {
            if stmt.kind_name() == "comment" {
                continue;
            }
            let (o, inv) = if stmt.has_error() {
                (vec![self.unparsed(stmt, dir, "does not parse as Elixir")], None)
            } else {
                self.stmt(stmt, dir)
            };
            ops.extend(o);
            match (&mut inverse, inv) {
                (Some(all), Some(i)) => all.push(i),
                _ => inverse = None,
            }
        }
        (ops, inverse)
    }

    fn column(&self, name: &str, ty: &Val, opts: &[Val]) -> Column {
        let mut topts = TypeOptions {
            limit: kw(opts, "size").and_then(|v| if let Val::Int(i) = v { u32::try_from(*i).ok() } else { None }),
            precision: kw(opts, "precision")
                .and_then(|v| if let Val::Int(i) = v { u32::try_from(*i).ok() } else { None }),
            scale: kw(opts, "scale").and_then(|v| if let Val::Int(i) = v { u32::try_from(*i).ok() } else { None }),
            array: false,
        };
        let ty_name = match ty {
            Val::Tuple(items) if items.first().and_then(Val::name) == Some("array") => {
                topts.array = true;
                items.get(1).and_then(Val::name).unwrap_or("unknown").to_owned()
            }
            Val::Call(f, args) if f == "references" => kw(args, "type")
                .or_else(|| kw(&self.config.foreign_key, "type"))
                .and_then(Val::name)
                .unwrap_or("bigint")
                .to_owned(),
            other => other.name().unwrap_or("unknown").to_owned(),
        };
        let mut c = Column::new(name, &ecto_type(&ty_name, &topts, self.dialect));
        if let Some(null) = kw(opts, "null") {
            c.nullable = null.truthy();
        }
        if let Some(d) = kw(opts, "default") {
            c.default = d.sql_default();
        }
        if kw(opts, "primary_key").is_some_and(Val::truthy) {
            c.nullable = false;
        }
        if let Some(Val::Str(comment)) = kw(opts, "comment") {
            c.comment = Some(comment.clone());
        }
        c
    }

    fn references(&self, table: &QualifiedName, column: &str, r: &Val) -> Option<(ForeignKey, bool)> {
        let Val::Call(f, args) = r else { return None };
        if f != "references" {
            return None;
        }
        let to = args.first()?.name()?;
        let prefix = kw(args, "prefix").and_then(Val::name);
        let action = |k: &str| match kw(args, k).and_then(Val::name) {
            Some("delete_all" | "update_all") => FkAction::Cascade,
            Some("nilify_all") => FkAction::SetNull,
            Some("restrict") => FkAction::Restrict,
            _ => FkAction::NoAction,
        };
        let not_valid = kw(args, "validate").is_some_and(|v| !v.truthy());
        Some((
            ForeignKey {
                name: Some(
                    kw(args, "name")
                        .and_then(Val::name)
                        .map_or_else(|| format!("{}_{column}_fkey", table.name), str::to_owned),
                ),
                columns: vec![column.to_owned()],
                references: QualifiedName::new(prefix.or(table.schema.as_deref()), to),
                referenced_columns: vec![
                    kw(args, "column")
                        .or_else(|| kw(&self.config.foreign_key, "column"))
                        .and_then(Val::name)
                        .unwrap_or("id")
                        .to_owned(),
                ],
                on_delete: action("on_delete"),
                on_update: action("on_update"),
                deferrable: false,
                validated: !not_valid,
            },
            not_valid,
        ))
    }

    fn timestamps(&self, opts: &[Val]) -> Vec<Column> {
        let merged: Vec<Val> = self.config.timestamps.iter().chain(opts).cloned().collect();
        let opts = merged.as_slice();
        let ty = kw(opts, "type").cloned().unwrap_or(Val::Atom("naive_datetime".into()));
        let inserted = kw(opts, "inserted_at").and_then(Val::name).unwrap_or("inserted_at").to_owned();
        let updated = kw(opts, "updated_at").and_then(Val::name).unwrap_or("updated_at").to_owned();
        [inserted, updated]
            .iter()
            .map(|n| {
                let mut c = self.column(n, &ty, opts);
                if kw(opts, "null").is_none() {
                    c.nullable = false;
                }
                c
            })
            .collect()
    }

    fn index(&self, v: &Val) -> Option<(QualifiedName, Index, bool)> {
        let Val::Call(f, args) = v else { return None };
        let unique = f == "unique_index" || kw(args, "unique").is_some_and(Val::truthy);
        if f != "index" && f != "unique_index" {
            return None;
        }
        let pos = positional(args);
        let table_name = pos.first()?.name()?;
        let prefix = kw(args, "prefix").and_then(Val::name);
        let table = QualifiedName::new(prefix.or(self.dialect.default_schema()), table_name);
        let cols = pos.get(1).and_then(|c| c.names()).unwrap_or_default();
        let keys: Vec<IndexKey> = cols
            .iter()
            .map(|c| {
                if c.contains(['(', ' ']) {
                    IndexKey { part: IndexPart::Expression(postgres::normalize_expr(c)), order: None, opclass: None }
                } else {
                    IndexKey::column(c)
                }
            })
            .collect();
        let name = kw(args, "name").and_then(Val::name).map(str::to_owned).unwrap_or_else(|| {
            let cleaned: Vec<String> = cols
                .iter()
                .map(|c| c.chars().map(|ch| if ch.is_alphanumeric() || ch == '_' { ch } else { '_' }).collect())
                .collect();
            format!("{table_name}_{}_index", cleaned.join("_"))
        });
        let concurrently = kw(args, "concurrently").is_some_and(Val::truthy);
        Some((
            table,
            Index {
                name,
                unique,
                method: kw(args, "using").and_then(Val::name).map_or_else(|| "btree".to_owned(), str::to_lowercase),
                keys,
                include: kw(args, "include").and_then(Val::names).unwrap_or_default(),
                predicate: kw(args, "where").and_then(Val::name).map(postgres::normalize_expr),
            },
            concurrently,
        ))
    }

    fn stmt(&self, node: Node, dir: Direction) -> (Vec<Operation>, Option<Vec<Operation>>) {
        let src = self.src;
        let inv_dir = match dir {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
        };
        let one = |k: OpKind| vec![self.op(node, dir, k)];
        let back = |k: Vec<OpKind>| Some(k.into_iter().map(|k| self.op(node, inv_dir, k)).collect::<Vec<_>>());
        let unparsed = |reason: &str| (vec![self.unparsed(node, dir, reason)], None);
        if node.kind_name() == "call"
            && let Some(dot) = node.field("target")
            && dot.kind_name() == "dot"
        {
            // `repo().query!(sql)`, `Ecto.Adapters.SQL.query(repo(), sql)` run SQL like `execute`:
            // read it when it is a literal, and never take it for harmless code when it is not.
            let method = dot.field("right").map(|m| text(m, src));
            if matches!(method, Some("query" | "query!")) {
                let sql = arguments_node(node).and_then(|args| {
                    let mut cursor = args.walk();
                    args.named_children(&mut cursor).find_map(|a| self.literal(a))
                });
                return match sql {
                    Some(sql) => (self.sql(sql, dir), None),
                    None => unparsed("SQL built at run time cannot be read"),
                };
            }
            // `MyApp.Repo.update_all(…)`: data code the reader cannot analyse.
            return (one(OpKind::Code { description: format!("Elixir code: {}", excerpt(text(node, src))) }), None);
        }
        if node.kind_name() == "identifier"
            && let Some(inlined) = self.inline(text(node, src), true, dir)
        {
            return inlined;
        }
        let Some(fname) = target(node, src) else {
            return unparsed("code the migration reader cannot follow");
        };
        let args = call_args(node, src);
        let pos = positional(&args);
        match fname {
            "flush" => (Vec::new(), Some(Vec::new())),
            "create" | "create_if_not_exists" => {
                let Some(first) = pos.first() else { return unparsed("`create` of what?") };
                let if_not_exists = fname == "create_if_not_exists";
                if let Val::Call(f, targs) = first {
                    match f.as_str() {
                        "table" => {
                            let Some(table) = self.table(first) else { return unparsed("table name not understood") };
                            let (create, after) = self.create_table(&table, targs, do_block(node), dir, if_not_exists);
                            let mut ops = vec![self.op(node, dir, create)];
                            ops.extend(after.into_iter().map(|(k, n)| self.op(n, dir, k)));
                            let drop = OpKind::DropTable { table, if_exists: if_not_exists, cascade: false };
                            return (ops, back(vec![drop]));
                        }
                        "index" | "unique_index" => {
                            let Some((table, index, concurrently)) = self.index(first) else {
                                return unparsed("index not understood");
                            };
                            let drop = OpKind::DropIndex {
                                name: QualifiedName { schema: table.schema.clone(), name: index.name.clone() },
                                concurrently,
                                if_exists: if_not_exists,
                            };
                            return (
                                one(OpKind::AddIndex { table, index, concurrently, if_not_exists }),
                                back(vec![drop]),
                            );
                        }
                        "constraint" => {
                            let cpos = positional(targs);
                            let (Some(t), Some(name)) =
                                (cpos.first().and_then(|t| self.table(t)), cpos.get(1).and_then(|n| n.name()))
                            else {
                                return unparsed("constraint not understood");
                            };
                            let name = name.to_owned();
                            let drop =
                                OpKind::DropConstraint { table: t.clone(), name: name.clone(), if_exists: false };
                            if let Some(check) = kw(targs, "check").and_then(Val::name) {
                                let not_valid = kw(targs, "validate").is_some_and(|v| !v.truthy());
                                let constraint = CheckConstraint {
                                    name: Some(name),
                                    expression: postgres::normalize_expr(check),
                                    validated: !not_valid,
                                };
                                return (one(OpKind::AddCheck { table: t, constraint, not_valid }), back(vec![drop]));
                            }
                            return (
                                one(OpKind::Raw { sql: format!("ALTER TABLE {t} ADD CONSTRAINT {name} EXCLUDE …") }),
                                back(vec![drop]),
                            );
                        }
                        _ => {}
                    }
                }
                unparsed("`create` of something the reader does not know")
            }
            "drop" | "drop_if_exists" => {
                let if_exists = fname == "drop_if_exists";
                let Some(first) = pos.first() else { return unparsed("`drop` of what?") };
                let Val::Call(f, targs) = first else {
                    return unparsed("`drop` of something the reader does not know");
                };
                match f.as_str() {
                    "table" => {
                        let Some(table) = self.table(first) else { return unparsed("table name not understood") };
                        let cascade = kw(&args, "mode").and_then(Val::name) == Some("cascade");
                        (one(OpKind::DropTable { table, if_exists, cascade }), None)
                    }
                    "index" | "unique_index" => {
                        let Some((table, index, concurrently)) = self.index(first) else {
                            return unparsed("index not understood");
                        };
                        let name = QualifiedName { schema: table.schema.clone(), name: index.name.clone() };
                        let add = OpKind::AddIndex { table, index, concurrently, if_not_exists: false };
                        (one(OpKind::DropIndex { name, concurrently, if_exists }), back(vec![add]))
                    }
                    "constraint" => {
                        let cpos = positional(targs);
                        let (Some(t), Some(name)) =
                            (cpos.first().and_then(|t| self.table(t)), cpos.get(1).and_then(|n| n.name()))
                        else {
                            return unparsed("constraint not understood");
                        };
                        (one(OpKind::DropConstraint { table: t, name: name.to_owned(), if_exists }), None)
                    }
                    _ => unparsed("`drop` of something the reader does not know"),
                }
            }
            "alter" => {
                let Some(table) = pos.first().and_then(|t| self.table(t)) else {
                    return unparsed("table name not understood");
                };
                self.alter(&table, do_block(node), dir)
            }
            "rename" => {
                // `rename table(:a), to: table(:b)` or `rename table(:a), :x, to: :y`
                let Some(table) = pos.first().and_then(|t| self.table(t)) else {
                    return unparsed("table name not understood");
                };
                match (pos.get(1), kw(&args, "to")) {
                    (None, Some(to)) => {
                        let Some(to) = self.table(to) else { return unparsed("new table name not understood") };
                        let fwd = OpKind::RenameTable { from: table.clone(), to: to.clone() };
                        (one(fwd), back(vec![OpKind::RenameTable { from: to, to: table }]))
                    }
                    (Some(from), Some(to)) => {
                        let (Some(from), Some(to)) = (from.name(), to.name()) else {
                            return unparsed("column names not understood");
                        };
                        let fwd =
                            OpKind::RenameColumn { table: table.clone(), from: from.to_owned(), to: to.to_owned() };
                        (one(fwd), back(vec![OpKind::RenameColumn { table, from: to.to_owned(), to: from.to_owned() }]))
                    }
                    _ => unparsed("`rename` needs `to:`"),
                }
            }
            "execute" => {
                // A function, a variable or any other expression runs SQL the reader cannot see:
                // it may be DDL, so it is never taken for harmless code.
                // The down part may be a function (`fn -> :ok end`): the up SQL is still read.
                let args: Vec<Node> = arguments_node(node)
                    .map(|a| {
                        let mut cursor = a.walk();
                        a.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").collect()
                    })
                    .unwrap_or_default();
                match args.first().filter(|_| args.len() <= 2).and_then(|up| self.literal(*up)) {
                    Some(up) => {
                        let down = args.get(1).and_then(|d| self.literal(*d)).map(|d| self.sql(d, inv_dir));
                        (self.sql(up, dir), down)
                    }
                    None => unparsed("SQL built at run time cannot be read"),
                }
            }
            _ => match self.inline(fname, args.is_empty(), dir) {
                Some(inlined) => inlined,
                None => unparsed(&format!("unknown migration function `{fname}`")),
            },
        }
    }

    /// The operations of a call of the module's own function of no arguments (`groups()`), read
    /// from its body where they are written, and their inverse in reverse order; `None` for
    /// anything else, or a call inside that function's own body.
    fn inline(&self, name: &str, no_args: bool, dir: Direction) -> Option<(Vec<Operation>, Option<Vec<Operation>>)> {
        let &(name, def) = self.locals.iter().find(|(n, _)| *n == name && no_args)?;
        if self.inlining.borrow().contains(&name) {
            return None;
        }
        self.inlining.borrow_mut().push(name);
        let (ops, inverse) = self.body(do_block(def), dir);
        self.inlining.borrow_mut().pop();
        Some((
            ops,
            inverse.map(|mut inv| {
                inv.reverse();
                inv.into_iter().flatten().collect()
            }),
        ))
    }

    /// The string literal `arg` is or names: itself, a module attribute holding one, or a call
    /// of a function of no arguments whose body is one.
    fn literal<'t>(&self, arg: Node<'t>) -> Option<Node<'t>>
    where
        'a: 't,
    {
        match arg.kind_name() {
            "string" | "sigil" => Some(arg),
            "unary_operator" if text(arg, self.src).starts_with('@') => {
                let name = arg.field("operand").map(|o| text(o, self.src))?;
                self.attributes.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
            }
            "call" if call_args(arg, self.src).is_empty() && arguments_node(arg).is_some() => {
                let name = target(arg, self.src)?;
                self.literals.iter().find(|(n, _)| *n == name).map(|&(_, v)| v)
            }
            _ => None,
        }
    }

    fn sql(&self, node: Node, dir: Direction) -> Vec<Operation> {
        let mut cursor = node.walk();
        let parts: Vec<Node> = node.named_children(&mut cursor).collect();
        if parts.iter().any(|p| p.kind_name() == "interpolation") {
            return vec![self.unparsed(node, dir, "SQL with Elixir interpolation cannot be read")];
        }
        let contents: Vec<&Node> = parts.iter().filter(|p| p.kind_name() == "quoted_content").collect();
        match (contents.first(), contents.last()) {
            (Some(a), Some(b))
                if parts
                    .iter()
                    .all(|p| matches!(p.kind_name(), "quoted_content" | "sigil_name" | "sigil_modifiers")) =>
            {
                let (s, e) = (a.start_byte(), b.end_byte());
                sql::read_statements(self.file, self.lines, s, &self.src[s..e], self.dialect, dir)
            }
            _ => match string_content(node, self.src) {
                Some(text) => sql::read_statements(self.file, &LineIndex::new(&text), 0, &text, self.dialect, dir)
                    .into_iter()
                    .map(|o| self.op(node, dir, o.kind))
                    .collect(),
                None => vec![self.unparsed(node, dir, "SQL the reader cannot extract")],
            },
        }
    }

    /// `create table(…) do … end`: the `CreateTable` first, then extra operations with their nodes.
    fn create_table<'t>(
        &self,
        table: &QualifiedName,
        targs: &[Val],
        block: Option<Node<'t>>,
        dir: Direction,
        if_not_exists: bool,
    ) -> (OpKind, Vec<(OpKind, Node<'t>)>) {
        let mut columns = Vec::new();
        let mut pk = Vec::new();
        let mut fks = Vec::new();
        let mut after: Vec<(OpKind, Node<'t>)> = Vec::new();
        let primary_key = kw(targs, "primary_key").cloned().unwrap_or(Val::Bool(true));
        if primary_key.truthy() {
            // The table's own options over the repo's `migration_primary_key`.
            let mut merged = self.config.primary_key.clone();
            match &primary_key {
                Val::List(items) => merged.extend(items.iter().cloned()),
                v @ Val::Keywords(_) => merged.push(v.clone()),
                _ => {}
            }
            let name = kw(&merged, "name").and_then(Val::name).unwrap_or("id").to_owned();
            let ty = kw(&merged, "type").cloned().unwrap_or(Val::Atom("bigserial".into()));
            let mut c = self.column(&name, &ty, &[]);
            c.nullable = false;
            if ty.name() == Some("bigserial") || ty.name() == Some("serial") {
                c.default = Some(super::serial_default(table, &name));
            }
            columns.push(c);
            pk.push(name);
        }
        if let Some(block) = block {
            let mut cursor = block.walk();
            for call in block.named_children(&mut cursor) {
                if call.kind_name() == "comment" {
                    continue;
                }
                let args = call_args(call, self.src);
                let pos = positional(&args);
                match target(call, self.src) {
                    Some("add" | "add_if_not_exists") => {
                        let (Some(name), Some(ty)) = (pos.first().and_then(|n| n.name()), pos.get(1)) else {
                            after.push((
                                OpKind::Unparsed {
                                    text: excerpt(text(call, self.src)),
                                    reason: "column not understood".into(),
                                },
                                call,
                            ));
                            continue;
                        };
                        let c = self.column(name, ty, &args);
                        if kw(&args, "primary_key").is_some_and(Val::truthy) {
                            pk.push(name.to_owned());
                        }
                        if let Some((fk, _)) = self.references(table, name, ty) {
                            fks.push(fk);
                        }
                        columns.push(c);
                    }
                    Some("timestamps") => columns.extend(self.timestamps(&args)),
                    _ => after.push((
                        OpKind::Unparsed {
                            text: excerpt(text(call, self.src)),
                            reason: "expected `add`, `timestamps` in a table block".into(),
                        },
                        call,
                    )),
                }
            }
        }
        let _ = dir;
        for c in &mut columns {
            if pk.contains(&c.name) {
                c.nullable = false;
            }
        }
        let create = OpKind::CreateTable {
            table: table.clone(),
            columns,
            primary_key: (!pk.is_empty()).then_some(PrimaryKey { name: None, columns: pk }),
            foreign_keys: fks,
            if_not_exists,
        };
        (create, after)
    }

    /// `alter table(…) do … end`: one operation per call, each with its inverse.
    fn alter(
        &self,
        table: &QualifiedName,
        block: Option<Node>,
        dir: Direction,
    ) -> (Vec<Operation>, Option<Vec<Operation>>) {
        let inv_dir = match dir {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
        };
        let mut ops = Vec::new();
        let mut inverses: Option<Vec<Vec<Operation>>> = Some(Vec::new());
        let Some(block) = block else { return (ops, Some(Vec::new())) };
        let mut cursor = block.walk();
        for call in block.named_children(&mut cursor) {
            if call.kind_name() == "comment" {
                continue;
            }
            let args = call_args(call, self.src);
            let pos = positional(&args);
            let name = pos.first().and_then(|n| n.name()).map(str::to_owned);
            let mut fwd: Vec<OpKind> = Vec::new();
            let mut inv: Option<Vec<OpKind>> = None;
            match (target(call, self.src), name) {
                (Some(f @ ("add" | "add_if_not_exists")), Some(name)) if pos.len() >= 2 => {
                    let column = self.column(&name, pos[1], &args);
                    fwd.push(OpKind::AddColumn {
                        table: table.clone(),
                        column,
                        if_not_exists: f == "add_if_not_exists",
                    });
                    let mut back = Vec::new();
                    if let Some((key, not_valid)) = self.references(table, &name, pos[1]) {
                        back.push(OpKind::DropConstraint {
                            table: table.clone(),
                            name: key.name.clone().unwrap_or_default(),
                            if_exists: false,
                        });
                        fwd.push(OpKind::AddForeignKey { table: table.clone(), key, not_valid });
                    }
                    back.push(OpKind::DropColumn { table: table.clone(), column: name, if_exists: false });
                    inv = Some(back);
                }
                (Some(f @ ("remove" | "remove_if_exists")), Some(name)) => {
                    fwd.push(OpKind::DropColumn {
                        table: table.clone(),
                        column: name.clone(),
                        if_exists: f == "remove_if_exists",
                    });
                    if let Some(ty) = pos.get(1) {
                        let column = self.column(&name, ty, &args);
                        inv = Some(vec![OpKind::AddColumn { table: table.clone(), column, if_not_exists: false }]);
                    }
                }
                (Some("modify"), Some(name)) if pos.len() >= 2 => {
                    let col = self.column(&name, pos[1], &args);
                    fwd.push(OpKind::ChangeColumnType {
                        table: table.clone(),
                        column: name.clone(),
                        new_type: col.data_type.clone(),
                        using: None,
                    });
                    // `modify :x, references(:t)` adds the constraint; `from: references(…)` had one.
                    if let Some(from @ Val::Call(f, _)) = kw(&args, "from")
                        && f == "references"
                        && let Some((old, _)) = self.references(table, &name, from)
                    {
                        fwd.push(OpKind::DropConstraint {
                            table: table.clone(),
                            name: old.name.clone().unwrap_or_default(),
                            if_exists: false,
                        });
                    }
                    if let Some((key, not_valid)) = self.references(table, &name, pos[1]) {
                        fwd.push(OpKind::AddForeignKey { table: table.clone(), key, not_valid });
                    }
                    if let Some(null) = kw(&args, "null") {
                        fwd.push(if null.truthy() {
                            OpKind::DropNotNull { table: table.clone(), column: name.clone() }
                        } else {
                            OpKind::SetNotNull { table: table.clone(), column: name.clone() }
                        });
                    }
                    if let Some(d) = kw(&args, "default") {
                        fwd.push(match d.sql_default() {
                            Some(default) => OpKind::SetDefault { table: table.clone(), column: name.clone(), default },
                            None => OpKind::DropDefault { table: table.clone(), column: name.clone() },
                        });
                    }
                    if let Some(from) = kw(&args, "from") {
                        // `from: :text` or `from: {:text, null: true}`
                        let (from_ty, from_opts) = match from {
                            Val::Tuple(items) if items.len() == 2 => (items[0].clone(), vec![items[1].clone()]),
                            other => (other.clone(), Vec::new()),
                        };
                        let old = self.column(&name, &from_ty, &from_opts);
                        let mut back = vec![OpKind::ChangeColumnType {
                            table: table.clone(),
                            column: name.clone(),
                            new_type: old.data_type,
                            using: None,
                        }];
                        if let Some(null) = kw(&from_opts, "null") {
                            back.push(if null.truthy() {
                                OpKind::DropNotNull { table: table.clone(), column: name.clone() }
                            } else {
                                OpKind::SetNotNull { table: table.clone(), column: name.clone() }
                            });
                        }
                        inv = Some(back);
                    }
                }
                (Some("timestamps"), _) => {
                    let cols = self.timestamps(&args);
                    inv = Some(
                        cols.iter()
                            .rev()
                            .map(|c| OpKind::DropColumn {
                                table: table.clone(),
                                column: c.name.clone(),
                                if_exists: false,
                            })
                            .collect(),
                    );
                    fwd.extend(cols.into_iter().map(|column| OpKind::AddColumn {
                        table: table.clone(),
                        column,
                        if_not_exists: false,
                    }));
                }
                _ => {
                    ops.push(self.unparsed(call, dir, "expected `add`, `remove`, `modify` or `timestamps` in `alter`"));
                    inverses = None;
                    continue;
                }
            }
            ops.extend(fwd.into_iter().map(|k| self.op(call, dir, k)));
            match (&mut inverses, inv) {
                (Some(all), Some(i)) => all.push(i.into_iter().map(|k| self.op(call, inv_dir, k)).collect()),
                _ => inverses = None,
            }
        }
        let inverse = inverses.map(|mut v| {
            v.reverse();
            v.into_iter().flatten().collect()
        });
        (ops, inverse)
    }
}

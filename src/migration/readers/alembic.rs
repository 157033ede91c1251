//! Alembic `versions/<rev>_<slug>.py` migrations → operations, through tree-sitter-python.
//!
//! `upgrade()` is the up part and `downgrade()` the down part; every `op.<operation>(…)` call in
//! them (and in the module's own helper functions they call) is read, `with
//! op.batch_alter_table("t") as batch_op:` blocks included. `op.execute` and `<conn>.execute`
//! SQL goes through the SQL reader with spans in the `.py` file. The version is the `revision`
//! id; [`order`] sorts a directory by the `down_revision` chain, not by file name.

use crate::grammar::NodeExt;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use tree_sitter::Node;

use super::python_value::{Val, assignments, sql_of, text, value};
use super::types::{TypeOptions, sqlalchemy_type};
use super::{LineIndex, excerpt, op};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::{Direction, Format, Migration, OpKind, Operation};
use crate::schema::{
    CheckConstraint, Column, Dialect, FkAction, ForeignKey, Index, IndexKey, IndexPart, PrimaryKey, QualifiedName,
    UniqueConstraint,
};

/// Whether a Python file is an Alembic revision rather than a Django migration or a helper.
pub fn is_alembic(src: &str) -> bool {
    src.contains("def upgrade") && (src.contains("down_revision") || src.contains("from alembic"))
}

/// Helper functions a migration calls are read where they are called, this deep at most.
const MAX_HELPER_DEPTH: usize = 4;

fn parse(path: &Path, src: &str) -> Result<tree_sitter::Tree> {
    super::parse(path, src, tree_sitter_python::LANGUAGE.into(), "Python")
}

/// Module-level function definitions (decorated ones included), by name.
fn functions<'t>(root: Node<'t>, src: &str) -> BTreeMap<String, Node<'t>> {
    let mut out = BTreeMap::new();
    let mut cursor = root.walk();
    for stmt in root.named_children(&mut cursor) {
        let def = match stmt.kind_name() {
            "function_definition" => Some(stmt),
            "decorated_definition" => stmt.field("definition"),
            _ => None,
        };
        if let Some(def) = def.filter(|d| d.kind_name() == "function_definition")
            && let Some(name) = def.field("name")
        {
            out.insert(text(name, src).to_owned(), def);
        }
    }
    out
}

/// `revision` and the revisions it follows (`down_revision`: none, one, or a tuple for a merge).
pub struct Revision {
    pub id: String,
    pub parents: Vec<String>,
}

fn revision_of(root: Node, src: &str) -> Option<Revision> {
    let vars = assignments(root, src);
    let id = vars.get("revision").and_then(|n| value(*n, src).str().map(str::to_owned))?;
    let parents = match vars.get("down_revision").map(|n| value(*n, src)) {
        Some(Val::Str(s)) => vec![s],
        Some(Val::List(items)) => items.iter().filter_map(|v| v.str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    Some(Revision { id, parents })
}

pub fn read(path: &Path, src: &str, dialect: Dialect) -> Result<Migration> {
    let tree = parse(path, src)?;
    let root = tree.root_node();
    let rev = revision_of(root, src).ok_or_else(|| {
        Error::input(
            Diagnostic::new("no `revision = \"…\"` in this Alembic migration")
                .at(path, 1, 1)
                .help("Alembic orders migrations by `revision` and `down_revision`; every revision file sets both"),
        )
    })?;
    let defs = functions(root, src);
    let upgrade = defs
        .get("upgrade")
        .copied()
        .ok_or_else(|| Error::input(Diagnostic::new("no `def upgrade():` in this Alembic migration").at(path, 1, 1)))?;
    // `<rev>_<slug>.py`, or a dated template's `2024_01_01_1200-<rev>_<slug>.py`.
    let file_stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let name =
        file_stem.split_once(&format!("{}_", rev.id)).map_or_else(|| file_stem.to_owned(), |(_, slug)| slug.to_owned());
    let lines = LineIndex::new(src);
    let r = Reader { file: path, src, lines: &lines, dialect, defs: &defs };
    let up = r.body(upgrade, Direction::Up, 0);
    // A `downgrade` that only `pass`es or raises reverses nothing: the migration is irreversible.
    // A `downgrade` that only passes or raises reverses nothing: the migration is irreversible.
    let down = defs.get("downgrade").and_then(|d| {
        let body = d.field("body")?;
        let mut cursor = body.walk();
        let reverses = body.named_children(&mut cursor).any(|s| match s.kind_name() {
            "pass_statement" | "raise_statement" | "comment" => false,
            // A docstring.
            "expression_statement" => s.named_child(0).is_none_or(|e| e.kind_name() != "string"),
            _ => true,
        });
        reverses.then(|| r.body(*d, Direction::Down, 0))
    });
    Ok(Migration {
        file: path.to_path_buf(),
        down_file: None,
        version: rev.id,
        name,
        format: Format::Alembic,
        up,
        down,
        transactional: true,
        replaces: Vec::new(),
        source: src.to_owned(),
    })
}

fn descendants_calls(node: Node) -> impl Iterator<Item = Node> {
    super::descendants(node).into_iter().filter(|n| n.kind_name() == "call")
}

/// Order a directory's revisions by their `down_revision` chain: a revision comes after every
/// one it revises; branches are read in revision-id order after their common parent, and a merge
/// after both branches. A revision that names a parent the directory lacks, two files with one
/// id, or a cycle is a located error.
pub fn order(migrations: Vec<Migration>) -> Result<Vec<Migration>> {
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut by_id: BTreeMap<String, Migration> = BTreeMap::new();
    for m in migrations {
        let tree = parse(&m.file, &m.source)?;
        let rev = revision_of(tree.root_node(), &m.source).map(|r| r.parents).unwrap_or_default();
        if let Some(first) = by_id.get(&m.version) {
            return Err(Error::input(
                Diagnostic::new(format!("revision `{}` is defined twice", m.version))
                    .in_file(&m.file)
                    .help(format!("{} defines it too; give one of them a new revision id", first.file.display())),
            ));
        }
        parents.insert(m.version.clone(), rev);
        by_id.insert(m.version.clone(), m);
    }
    for (id, ps) in &parents {
        if let Some(missing) = ps.iter().find(|p| !parents.contains_key(*p)) {
            let m = &by_id[id];
            let line = m.source.lines().position(|l| l.trim_start().starts_with("down_revision")).map_or(1, |i| i + 1);
            return Err(Error::input(
                Diagnostic::new(format!(
                    "`down_revision` names `{missing}`, which no migration of this directory defines"
                ))
                .at(&m.file, line as u32, 1)
                .help("Alembic cannot place this revision; restore the missing revision file or fix the id"),
            ));
        }
    }
    // Kahn's algorithm, ties broken by revision id so that the order is deterministic.
    let mut done: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    while out.len() < parents.len() {
        let next = parents.iter().find(|(id, ps)| !done.contains(*id) && ps.iter().all(|p| done.contains(p)));
        let Some((id, _)) = next else {
            let stuck = parents.keys().find(|id| !done.contains(*id)).cloned().unwrap_or_default();
            return Err(Error::input(
                Diagnostic::new(format!("revision `{stuck}` is part of a `down_revision` cycle"))
                    .in_file(&by_id[&stuck].file)
                    .help("a revision cannot follow itself; fix the `down_revision` ids"),
            ));
        };
        let id = id.clone();
        done.insert(id.clone());
        out.push(id);
    }
    Ok(out.into_iter().filter_map(|id| by_id.remove(&id)).collect())
}

struct Reader<'a> {
    file: &'a Path,
    src: &'a str,
    lines: &'a LineIndex<'a>,
    dialect: Dialect,
    defs: &'a BTreeMap<String, Node<'a>>,
}

/// An `op` call's arguments: positional and keyword values, with their nodes for spans and SQL.
struct Args<'t> {
    pos: Vec<(Node<'t>, Val)>,
    kw: Vec<(String, Node<'t>, Val)>,
}

impl<'t> Args<'t> {
    fn of(call: Node<'t>, src: &str) -> Args<'t> {
        let mut pos = Vec::new();
        let mut kw = Vec::new();
        if let Some(list) = call.field("arguments") {
            let mut cursor = list.walk();
            for a in list.named_children(&mut cursor) {
                match a.kind_name() {
                    "keyword_argument" => {
                        if let (Some(k), Some(v)) = (a.field("name"), a.field("value")) {
                            kw.push((text(k, src).to_owned(), v, value(v, src)));
                        }
                    }
                    "comment" => {}
                    _ => pos.push((a, value(a, src))),
                }
            }
        }
        Args { pos, kw }
    }

    fn kw(&self, key: &str) -> Option<&Val> {
        self.kw.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v)
    }

    fn kw_node(&self, key: &str) -> Option<Node<'t>> {
        self.kw.iter().find(|(k, _, _)| k == key).map(|(_, n, _)| *n)
    }

    /// Keyword argument `key`, or positional argument `i`.
    fn get(&self, key: &str, i: usize) -> Option<&Val> {
        self.kw(key).or(self.pos.get(i).map(|(_, v)| v))
    }

    fn node(&self, key: &str, i: usize) -> Option<Node<'t>> {
        self.kw_node(key).or(self.pos.get(i).map(|(n, _)| *n))
    }

    fn flag(&self, key: &str) -> bool {
        self.kw(key).is_some_and(Val::truthy)
    }
}

/// A name argument: a string, or `op.f("name")` (Alembic's "already converted" marker).
fn name_of(v: &Val) -> Option<String> {
    match v {
        Val::Str(s) => Some(s.clone()),
        Val::Call { name, args, .. } if name == "f" || name == "quoted_name" || name == "conv" => {
            args.first().and_then(|a| a.str()).map(str::to_owned)
        }
        _ => None,
    }
}

fn names_of(v: &Val) -> Option<Vec<String>> {
    match v {
        Val::List(items) => items.iter().map(name_of).collect(),
        other => name_of(other).map(|n| vec![n]),
    }
}

/// `op.<name>(…)` calls that change nothing in the database, or only name another thing.
const NOT_OPERATIONS: &[&str] = &[
    "f",
    "get_bind",
    "get_context",
    "inline_literal",
    "batch_alter_table",
    "implementation_for",
    "invoke",
    "run_async",
];

impl<'a> Reader<'a> {
    fn at(&self, node: Node, dir: Direction, kind: OpKind) -> Operation {
        op(self.file, self.lines, node.start_byte(), node.end_byte(), dir, kind)
    }

    fn unparsed(&self, node: Node, dir: Direction, reason: &str) -> Operation {
        self.at(node, dir, OpKind::Unparsed { text: excerpt(text(node, self.src)), reason: reason.to_owned() })
    }

    fn qn(&self, table: &str, schema: Option<&Val>) -> QualifiedName {
        match schema.and_then(Val::str) {
            Some(s) => QualifiedName::new(Some(s), table),
            None => QualifiedName::new(self.dialect.default_schema(), table),
        }
    }

    /// Every operation of a function's body, in source order.
    fn body(&self, def: Node<'a>, dir: Direction, depth: usize) -> Vec<Operation> {
        let Some(body) = def.field("body") else { return Vec::new() };
        // `with op.batch_alter_table("t", schema=…) as batch_op:` → the alias, its table, its block.
        let mut batches: Vec<(String, QualifiedName, std::ops::Range<usize>)> = Vec::new();
        for with in super::descendants(body).into_iter().filter(|n| n.kind_name() == "with_statement") {
            let block = with.field("body").map_or(0..0, |b| b.byte_range());
            for item in super::descendants(with).into_iter().filter(|n| n.kind_name() == "as_pattern") {
                let (Some(call), Some(alias)) = (item.named_child(0), item.field("alias")) else {
                    continue;
                };
                let callee = call.field("function").map(|f| text(f, self.src)).unwrap_or("");
                if call.kind_name() == "call" && callee.ends_with("batch_alter_table") {
                    let args = Args::of(call, self.src);
                    if let Some(table) = args.get("table_name", 0).and_then(name_of) {
                        batches.push((
                            text(alias, self.src).to_owned(),
                            self.qn(&table, args.kw("schema")),
                            block.clone(),
                        ));
                    }
                }
            }
        }
        let mut out = Vec::new();
        for call in descendants_calls(body) {
            // A call inside another call's arguments (`sa.Column` in `op.add_column`) is read by it.
            if call.parent().is_some_and(|p| p.kind_name() == "argument_list" || p.kind_name() == "keyword_argument") {
                continue;
            }
            let Some(callee) = call.field("function") else { continue };
            match callee.kind_name() {
                "identifier" => {
                    let name = text(callee, self.src);
                    if let Some(helper) = self.defs.get(name).filter(|_| !matches!(name, "upgrade" | "downgrade")) {
                        if depth < MAX_HELPER_DEPTH {
                            out.extend(self.body(*helper, dir, depth + 1));
                        } else {
                            out.push(self.unparsed(call, dir, "helper functions nested too deeply to follow"));
                        }
                    }
                }
                "attribute" => {
                    let (Some(object), Some(attr)) = (callee.field("object"), callee.field("attribute")) else {
                        continue;
                    };
                    let (object, method) = (text(object, self.src), text(attr, self.src));
                    let batch = batches
                        .iter()
                        .filter(|(alias, _, range)| alias == object && range.contains(&call.start_byte()))
                        .map(|(_, t, _)| t.clone())
                        .next_back();
                    if object == "op" || batch.is_some() {
                        out.extend(self.operation(call, method, batch, dir));
                    } else if method == "execute" {
                        out.extend(self.execute(call, dir));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// `op.execute(sql)` / `conn.execute(sql)`: SQL text, a SQLAlchemy Core statement (`t.update()…`:
    /// data), or something built at run time (`Unparsed`).
    fn execute(&self, call: Node, dir: Direction) -> Vec<Operation> {
        let args = Args::of(call, self.src);
        let Some(arg) = args.node("sqltext", 0).or_else(|| args.node("statement", 0)) else {
            return vec![self.unparsed(call, dir, "`execute` without a statement")];
        };
        let chain = text(arg, self.src);
        for (needle, verb) in [(".update(", "UPDATE"), (".insert(", "INSERT"), (".delete(", "DELETE")] {
            if arg.kind_name() == "call" && chain.contains(needle) {
                return vec![self.at(call, dir, OpKind::Data { verb: verb.to_owned(), table: None })];
            }
        }
        if arg.kind_name() == "call" && chain.contains(".select(") || chain.starts_with("select(") {
            return Vec::new();
        }
        sql_of(self.file, self.src, self.lines, self.dialect, arg, dir)
    }

    fn column(&self, v: &Val) -> Option<(Column, bool)> {
        let Val::Call { name, args, kwargs } = v else { return None };
        if name != "Column" {
            return None;
        }
        let col_name = args.first().and_then(name_of)?;
        let kw = |k: &str| kwargs.iter().find(|(key, _)| key == k).map(|(_, v)| v);
        let ty = args.get(1).or_else(|| kw("type_"));
        let data_type = ty.map_or_else(|| "unknown".to_owned(), |t| self.type_of(t));
        let primary = kw("primary_key").is_some_and(Val::truthy);
        let mut column = Column::new(&col_name, &data_type);
        column.nullable = kw("nullable").map_or(!primary, Val::truthy);
        column.default = kw("server_default").and_then(|d| match d {
            Val::Str(s) => Some(format!("'{}'", s.replace('\'', "''"))),
            Val::Call { name, args, .. } if name == "text" => args.first().and_then(Val::str).map(str::to_owned),
            _ => None,
        });
        Some((column, primary))
    }

    fn type_of(&self, v: &Val) -> String {
        match v {
            Val::Call { name, args, kwargs } => {
                let kw = |k: &str| kwargs.iter().find(|(key, _)| key == k).map(|(_, v)| v);
                if name == "ARRAY" {
                    return format!("{}[]", args.first().map_or_else(|| "text".to_owned(), |t| self.type_of(t)));
                }
                let opts = TypeOptions {
                    limit: kw("length").or(args.first()).and_then(Val::int),
                    precision: kw("precision").or(args.first()).and_then(Val::int),
                    scale: kw("scale").or(args.get(1)).and_then(Val::int),
                    array: false,
                };
                let timezone = kw("timezone").is_some_and(Val::truthy);
                sqlalchemy_type(name, &opts, timezone, self.dialect)
            }
            // `sa.Integer` without parentheses, `db.Text`.
            Val::Other(t) => {
                let class = t.rsplit('.').next().unwrap_or(t);
                sqlalchemy_type(class, &TypeOptions::default(), false, self.dialect)
            }
            _ => "unknown".to_owned(),
        }
    }

    /// One `op.<method>(…)` call, or `batch_op.<method>(…)` on `batch`'s table.
    fn operation(&self, call: Node, method: &str, batch: Option<QualifiedName>, dir: Direction) -> Vec<Operation> {
        if NOT_OPERATIONS.contains(&method) {
            return Vec::new();
        }
        let args = Args::of(call, self.src);
        let schema = args.kw("schema");
        // Batch operations name no table: their positional arguments start one earlier.
        let shift = usize::from(batch.is_none());
        let table = |key: &str, i: usize| -> Option<QualifiedName> {
            match &batch {
                Some(t) => Some(t.clone()),
                None => args.get(key, i).and_then(name_of).map(|t| self.qn(&t, schema)),
            }
        };
        let dynamic = || vec![self.unparsed(call, dir, "a table or column name computed at run time cannot be read")];
        let one = |kind: OpKind| vec![self.at(call, dir, kind)];
        match method {
            "execute" => self.execute(call, dir),
            "add_column" => {
                let (Some(t), Some((column, _))) =
                    (table("table_name", 0), args.get("column", shift).and_then(|c| self.column(c)))
                else {
                    return dynamic();
                };
                one(OpKind::AddColumn { table: t, column, if_not_exists: args.flag("if_not_exists") })
            }
            "drop_column" => {
                let (Some(t), Some(c)) = (table("table_name", 0), args.get("column_name", shift).and_then(name_of))
                else {
                    return dynamic();
                };
                one(OpKind::DropColumn { table: t, column: c, if_exists: args.flag("if_exists") })
            }
            "alter_column" => {
                let (Some(t), Some(c)) = (table("table_name", 0), args.get("column_name", shift).and_then(name_of))
                else {
                    return dynamic();
                };
                // Alembic's order: nullability, default, type, then the new name.
                let mut out = Vec::new();
                match args.kw("nullable") {
                    Some(Val::Bool(false)) => out.push(OpKind::SetNotNull { table: t.clone(), column: c.clone() }),
                    Some(Val::Bool(true)) => out.push(OpKind::DropNotNull { table: t.clone(), column: c.clone() }),
                    _ => {}
                }
                match (args.kw("server_default"), args.kw_node("server_default")) {
                    (Some(Val::None), _) => out.push(OpKind::DropDefault { table: t.clone(), column: c.clone() }),
                    (Some(Val::Bool(false)) | None, _) => {}
                    (Some(Val::Str(s)), _) => out.push(OpKind::SetDefault {
                        table: t.clone(),
                        column: c.clone(),
                        default: format!("'{}'", s.replace('\'', "''")),
                    }),
                    (Some(_), Some(n)) => out.push(OpKind::SetDefault {
                        table: t.clone(),
                        column: c.clone(),
                        default: text(n, self.src).to_owned(),
                    }),
                    (Some(_), None) => {}
                }
                if let Some(ty) = args.kw("type_") {
                    let using = args.kw("postgresql_using").and_then(Val::str).map(str::to_owned);
                    out.push(OpKind::ChangeColumnType {
                        table: t.clone(),
                        column: c.clone(),
                        new_type: self.type_of(ty),
                        using,
                    });
                }
                if let Some(v) = args.kw("new_column_name") {
                    match name_of(v) {
                        Some(to) => out.push(OpKind::RenameColumn { table: t, from: c, to }),
                        None => return dynamic(),
                    }
                }
                out.into_iter().map(|k| self.at(call, dir, k)).collect()
            }
            "rename_table" => {
                let (Some(from), Some(to)) =
                    (args.get("old_table_name", 0).and_then(name_of), args.get("new_table_name", 1).and_then(name_of))
                else {
                    return dynamic();
                };
                one(OpKind::RenameTable { from: self.qn(&from, schema), to: self.qn(&to, schema) })
            }
            "drop_table" => match args.get("table_name", 0).and_then(name_of) {
                Some(t) => one(OpKind::DropTable {
                    table: self.qn(&t, schema),
                    if_exists: args.flag("if_exists"),
                    cascade: false,
                }),
                None => dynamic(),
            },
            "create_table" => {
                let Some(t) = args.get("table_name", 0).and_then(name_of) else { return dynamic() };
                let mut columns = Vec::new();
                let mut pk = Vec::new();
                let mut constraint_pk = None;
                let mut foreign_keys = Vec::new();
                for (_, v) in args.pos.iter().skip(1) {
                    if let Some((c, primary)) = self.column(v) {
                        if primary {
                            pk.push(c.name.clone());
                        }
                        columns.push(c);
                    } else if let Val::Call { name, args: a, kwargs } = v {
                        let kw_name = kwargs.iter().find(|(k, _)| k == "name").and_then(|(_, v)| name_of(v));
                        match name.as_str() {
                            "PrimaryKeyConstraint" => {
                                constraint_pk =
                                    Some(PrimaryKey { name: kw_name, columns: a.iter().filter_map(name_of).collect() });
                            }
                            "ForeignKeyConstraint" => {
                                if let (Some(cols), Some(refs)) =
                                    (a.first().and_then(names_of), a.get(1).and_then(names_of))
                                    && let Some((rt, _)) = refs.first().and_then(|r| r.rsplit_once('.'))
                                {
                                    foreign_keys.push(ForeignKey {
                                        name: kw_name,
                                        columns: cols,
                                        references: self.qn(rt, None),
                                        referenced_columns: refs
                                            .iter()
                                            .filter_map(|r| r.rsplit_once('.').map(|x| x.1.to_owned()))
                                            .collect(),
                                        on_delete: FkAction::default(),
                                        on_update: FkAction::default(),
                                        deferrable: false,
                                        validated: true,
                                    });
                                }
                            }
                            _ => {}
                        }
                    }
                }
                for c in &mut columns {
                    if pk.contains(&c.name) || constraint_pk.as_ref().is_some_and(|p| p.columns.contains(&c.name)) {
                        c.nullable = false;
                    }
                }
                let primary_key =
                    constraint_pk.or_else(|| (!pk.is_empty()).then_some(PrimaryKey { name: None, columns: pk }));
                one(OpKind::CreateTable {
                    table: self.qn(&t, schema),
                    columns,
                    primary_key,
                    foreign_keys,
                    if_not_exists: args.flag("if_not_exists"),
                })
            }
            "create_index" => {
                let (Some(name), Some(t)) = (args.get("index_name", 0).and_then(name_of), table("table_name", 1))
                else {
                    return dynamic();
                };
                let Some(Val::List(cols)) = args.get("columns", 1 + shift) else { return dynamic() };
                let keys: Option<Vec<IndexKey>> = cols
                    .iter()
                    .map(|c| match c {
                        Val::Str(s) => Some(IndexKey::column(s)),
                        Val::Call { name, args, .. } if name == "text" => args.first().and_then(Val::str).map(|e| {
                            IndexKey { part: IndexPart::Expression(e.to_owned()), order: None, opclass: None }
                        }),
                        _ => None,
                    })
                    .collect();
                let Some(keys) = keys else { return dynamic() };
                let index = Index {
                    name,
                    unique: args.flag("unique"),
                    method: args.kw("postgresql_using").and_then(Val::str).unwrap_or("btree").to_owned(),
                    keys,
                    include: Vec::new(),
                    predicate: args.kw_node("postgresql_where").map(|n| text(n, self.src).to_owned()),
                };
                one(OpKind::AddIndex {
                    table: t,
                    index,
                    concurrently: args.flag("postgresql_concurrently"),
                    if_not_exists: args.flag("if_not_exists"),
                })
            }
            "drop_index" => match args.get("index_name", 0).and_then(name_of) {
                Some(name) => one(OpKind::DropIndex {
                    name: self.qn(&name, schema),
                    concurrently: args.flag("postgresql_concurrently"),
                    if_exists: args.flag("if_exists"),
                }),
                None => dynamic(),
            },
            "create_unique_constraint" => {
                let (Some(t), Some(cols)) = (table("table_name", 1), args.get("columns", 1 + shift).and_then(names_of))
                else {
                    return dynamic();
                };
                let name = args.get("constraint_name", 0).and_then(name_of);
                one(OpKind::AddUnique {
                    table: t,
                    constraint: UniqueConstraint { name, columns: cols },
                    using_index: None,
                })
            }
            "create_primary_key" => {
                let (Some(t), Some(cols)) = (table("table_name", 1), args.get("columns", 1 + shift).and_then(names_of))
                else {
                    return dynamic();
                };
                let name = args.get("constraint_name", 0).and_then(name_of);
                one(OpKind::AddPrimaryKey { table: t, key: PrimaryKey { name, columns: cols }, using_index: None })
            }
            "create_check_constraint" => {
                let (Some(t), Some(cond)) = (table("table_name", 1), args.node("condition", 1 + shift)) else {
                    return dynamic();
                };
                let expression = match value(cond, self.src) {
                    Val::Str(s) => s,
                    _ => text(cond, self.src).to_owned(),
                };
                let name = args.get("constraint_name", 0).and_then(name_of);
                one(OpKind::AddCheck {
                    table: t,
                    constraint: CheckConstraint { name, expression, validated: true },
                    not_valid: false,
                })
            }
            "create_foreign_key" => {
                let (Some(t), Some(referent), Some(local), Some(remote)) = (
                    table("source_table", 1),
                    args.get("referent_table", 1 + shift).and_then(name_of),
                    args.get("local_cols", 2 + shift).and_then(names_of),
                    args.get("remote_cols", 3 + shift).and_then(names_of),
                ) else {
                    return dynamic();
                };
                let key = ForeignKey {
                    name: args.get("constraint_name", 0).and_then(name_of),
                    columns: local,
                    references: self.qn(&referent, args.kw("referent_schema")),
                    referenced_columns: remote,
                    on_delete: FkAction::default(),
                    on_update: FkAction::default(),
                    deferrable: false,
                    validated: true,
                };
                one(OpKind::AddForeignKey { table: t, key, not_valid: false })
            }
            "drop_constraint" => {
                let (Some(name), Some(t)) = (args.get("constraint_name", 0).and_then(name_of), table("table_name", 1))
                else {
                    return dynamic();
                };
                one(OpKind::DropConstraint { table: t, name, if_exists: args.flag("if_exists") })
            }
            "bulk_insert" => {
                let t = args.get("table", 0).and_then(|v| match v {
                    Val::Call { args, .. } => args.first().and_then(name_of),
                    _ => None,
                });
                one(OpKind::Data { verb: "INSERT".to_owned(), table: t.map(|t| self.qn(&t, None)) })
            }
            "create_table_comment" | "drop_table_comment" | "create_exclude_constraint" => {
                one(OpKind::Raw { sql: excerpt(text(call, self.src)) })
            }
            other => vec![self.unparsed(call, dir, &format!("unknown Alembic operation `{other}`"))],
        }
    }
}

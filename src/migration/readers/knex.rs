//! Knex migrations (`migrations/20240101120000_add_x.js`, `exports.up = function (knex) {…}`) →
//! operations: `knex.schema.createTable/alterTable/table(name, t => {…})` with the table
//! builder's column methods and modifiers, `dropTable`, `renameTable`, and `knex.raw` /
//! `knex.schema.raw` SQL through the SQL reader.

use crate::grammar::NodeExt;
use std::path::Path;

use tree_sitter::Node;

use super::js::{self, Api, Ctx, Function, Val, text, value};
use super::types::{TypeOptions, knex_type, sql_type};
use crate::error::Result;
use crate::migration::{Direction, Format, Migration, OpKind, Operation};
use crate::schema::{Column, Dialect, Index, IndexKey, PrimaryKey, QualifiedName};

pub fn read(path: &Path, src: &str, dialect: Dialect) -> Result<Migration> {
    js::read::<Knex>(path, src, dialect)
}

struct Knex;

/// `knex.schema` methods that only ask (`hasTable`) or set the schema of what follows.
const NOT_OPERATIONS: &[&str] = &["hasTable", "hasColumn", "withSchema"];

impl Api for Knex {
    const FORMAT: Format = Format::Knex;
    const EXPECTED: &'static str = "expected `exports.up = function (knex) {…}` (or `export async function up(knex)`)";

    fn direction(ctx: &Ctx, f: Function, dir: Direction) -> Vec<Operation> {
        let Some(receiver) = f.receiver.map(|r| text(r, ctx.src)) else { return Vec::new() };
        let mut out = Vec::new();
        for call in js::calls_on(f.body, receiver, ctx.src) {
            match (call.path.as_slice(), call.method.as_str()) {
                ([] | [_], "raw") => match call.args.first() {
                    Some(sql) => out.extend(ctx.sql(*sql, dir, js::verbatim)),
                    None => out.push(ctx.unparsed(call.node, dir, "`raw` without SQL")),
                },
                ([s], m) if s == "schema" && NOT_OPERATIONS.contains(&m) => {}
                ([s], m) if s == "schema" => out.extend(schema_call(ctx, call.node, m, &call.args, dir)),
                // `knex.transaction(…)`, `knex.fn.now()`, `knex.client…`: no schema change themselves.
                _ => {}
            }
        }
        out
    }
}

fn schema_call(ctx: &Ctx, node: Node, method: &str, args: &[Node], dir: Direction) -> Vec<Operation> {
    let vals: Vec<Val> = args.iter().map(|a| value(*a, ctx.src)).collect();
    let table = |i: usize| vals.get(i).and_then(|t| ctx.table(t));
    let one = |kind: OpKind| vec![ctx.at(node, dir, kind)];
    match method {
        "createTable" | "createTableIfNotExists" | "alterTable" | "table" => {
            let Some(t) = table(0) else { return ctx.dynamic(node, dir) };
            let Some(builder) = args.get(1).and_then(|f| js::find_callback(*f)) else {
                return vec![ctx.unparsed(node, dir, "a table builder that is not a literal function cannot be read")];
            };
            let create = method.starts_with("createTable");
            let ops = builder_ops(ctx, &t, builder, create, dir);
            if !create {
                return ops;
            }
            // The columns and primary key of a new table form one CreateTable; indexes follow it.
            let mut columns = Vec::new();
            let mut pk = Vec::new();
            let mut rest = Vec::new();
            for o in ops {
                match o.kind {
                    OpKind::AddColumn { column, .. } => columns.push(column),
                    OpKind::AddPrimaryKey { key, .. } => pk.extend(key.columns),
                    _ => rest.push(o),
                }
            }
            for c in &mut columns {
                if pk.contains(&c.name) {
                    c.nullable = false;
                }
            }
            let primary_key = (!pk.is_empty()).then_some(PrimaryKey { name: None, columns: pk });
            let mut out = one(OpKind::CreateTable {
                table: t,
                columns,
                primary_key,
                foreign_keys: Vec::new(),
                if_not_exists: method == "createTableIfNotExists",
            });
            out.extend(rest);
            out
        }
        "dropTable" | "dropTableIfExists" => match table(0) {
            Some(t) => one(OpKind::DropTable { table: t, if_exists: method == "dropTableIfExists", cascade: false }),
            None => ctx.dynamic(node, dir),
        },
        "renameTable" => match (table(0), table(1)) {
            (Some(from), Some(to)) => one(OpKind::RenameTable { from, to }),
            _ => ctx.dynamic(node, dir),
        },
        other => vec![ctx.unparsed(node, dir, &format!("unknown knex.schema method `{other}`"))],
    }
}

/// The calls of a table builder callback (`t => { t.string('x').notNullable(); … }`): each
/// column method with the modifiers chained on it.
fn builder_ops(ctx: &Ctx, table: &QualifiedName, f: Function, create: bool, dir: Direction) -> Vec<Operation> {
    let Some(t) = f.receiver.map(|r| text(r, ctx.src)) else { return Vec::new() };
    let mut out = Vec::new();
    for call in js::calls_on(f.body, t, ctx.src) {
        // Only the first call of a chain: its modifiers are read with it.
        let callee_object = call.node.field("function").and_then(|c| c.field("object"));
        if !call.path.is_empty() || callee_object.is_none_or(|o| o.kind_name() != "identifier") {
            continue;
        }
        let args: Vec<Val> = call.args.iter().map(|a| value(*a, ctx.src)).collect();
        let mut modifiers: Vec<(String, Vec<Val>)> = Vec::new();
        let mut top = call.node;
        while let Some(member) = top.parent().filter(|p| p.kind_name() == "member_expression")
            && let Some(next) = member.parent().filter(|p| p.kind_name() == "call_expression")
        {
            let name = member.field("property").map(|p| text(p, ctx.src).to_owned()).unwrap_or_default();
            let margs = next.field("arguments").map_or_else(Vec::new, |a| {
                let mut cursor = a.walk();
                a.named_children(&mut cursor).map(|n| value(n, ctx.src)).collect()
            });
            modifiers.push((name, margs));
            top = next;
        }
        out.extend(builder_call(ctx, table, top, &call.method, &args, &modifiers, create, dir));
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn builder_call(
    ctx: &Ctx,
    table: &QualifiedName,
    node: Node,
    method: &str,
    args: &[Val],
    modifiers: &[(String, Vec<Val>)],
    create: bool,
    dir: Direction,
) -> Vec<Operation> {
    let at = |kind: OpKind| ctx.at(node, dir, kind);
    let t = || table.clone();
    let has = |m: &str| modifiers.iter().any(|(name, _)| name == m);
    let names = |v: Option<&Val>| match v {
        Some(Val::List(_)) => v.and_then(Val::strs),
        Some(Val::Str(s)) => Some(vec![s.clone()]),
        _ => None,
    };
    match method {
        "dropColumn" | "dropColumns" => {
            match args.iter().map(|a| a.str().map(str::to_owned)).collect::<Option<Vec<_>>>() {
                Some(cols) => cols
                    .into_iter()
                    .map(|c| at(OpKind::DropColumn { table: t(), column: c, if_exists: false }))
                    .collect(),
                None => ctx.dynamic(node, dir),
            }
        }
        "renameColumn" => match (args.first().and_then(Val::str), args.get(1).and_then(Val::str)) {
            (Some(from), Some(to)) => {
                vec![at(OpKind::RenameColumn { table: t(), from: from.to_owned(), to: to.to_owned() })]
            }
            _ => ctx.dynamic(node, dir),
        },
        "dropTimestamps" => ["created_at", "updated_at"]
            .into_iter()
            .map(|c| at(OpKind::DropColumn { table: t(), column: c.to_owned(), if_exists: false }))
            .collect(),
        "index" | "unique" => {
            let Some(cols) = names(args.first()) else { return ctx.dynamic(node, dir) };
            let suffix = if method == "unique" { "unique" } else { "index" };
            let name = args
                .get(1)
                .and_then(|n| n.str().map(str::to_owned).or_else(|| n.get("indexName")?.str().map(str::to_owned)));
            let name = name.unwrap_or_else(|| format!("{}_{}_{suffix}", table.name, cols.join("_")).to_lowercase());
            let index = Index {
                name,
                unique: method == "unique",
                method: "btree".to_owned(),
                keys: cols.iter().map(|c| IndexKey::column(c)).collect(),
                include: Vec::new(),
                predicate: None,
            };
            vec![at(OpKind::AddIndex { table: t(), index, concurrently: false, if_not_exists: false })]
        }
        "dropIndex" | "dropUnique" => {
            let suffix = if method == "dropUnique" { "unique" } else { "index" };
            let name = match (args.get(1).and_then(Val::str), names(args.first())) {
                (Some(n), _) => n.to_owned(),
                (None, Some(cols)) => format!("{}_{}_{suffix}", table.name, cols.join("_")).to_lowercase(),
                _ => return ctx.dynamic(node, dir),
            };
            vec![at(OpKind::DropIndex {
                name: QualifiedName::new(table.schema.as_deref(), &name),
                concurrently: false,
                if_exists: false,
            })]
        }
        "primary" => match names(args.first()) {
            Some(columns) => vec![at(OpKind::AddPrimaryKey {
                table: t(),
                key: PrimaryKey { name: None, columns },
                using_index: None,
            })],
            None => ctx.dynamic(node, dir),
        },
        "timestamps" => {
            let ty = knex_type("timestamp", &TypeOptions::default(), ctx.dialect).unwrap_or_default();
            ["created_at", "updated_at"]
                .into_iter()
                .map(|c| {
                    let mut column = Column::new(c, &ty);
                    column.nullable = !args.get(1).is_some_and(Val::truthy);
                    at(OpKind::AddColumn { table: t(), column, if_not_exists: false })
                })
                .collect()
        }
        // Foreign keys and comments change no column a reader depends on.
        "foreign" | "dropForeign" | "comment" | "engine" | "charset" | "collate" | "inherits" => {
            vec![at(OpKind::Raw { sql: super::excerpt(text(node, ctx.src)) })]
        }
        m => {
            let Some(name) = args.first().and_then(Val::str) else { return ctx.dynamic(node, dir) };
            let opts = TypeOptions {
                limit: args.get(1).and_then(Val::int),
                precision: args.get(1).and_then(Val::int),
                scale: args.get(2).and_then(Val::int),
                array: false,
            };
            let ty = match m {
                "specificType" => {
                    args.get(1).and_then(Val::str).map(|s| sql_type(s, ctx.dialect).unwrap_or_else(|| s.to_owned()))
                }
                _ => knex_type(m, &opts, ctx.dialect),
            };
            let Some(ty) = ty else {
                return vec![ctx.unparsed(node, dir, &format!("unknown Knex table builder method `{m}`"))];
            };
            let increments = matches!(m, "increments" | "bigIncrements");
            let mut column = Column::new(name, &ty);
            column.nullable = !increments && !has("notNullable") && !has("primary");
            column.default = modifiers.iter().find(|(n, _)| n == "defaultTo").and_then(|(_, a)| match a.first() {
                Some(Val::Str(s)) => Some(format!("'{}'", s.replace('\'', "''"))),
                Some(Val::Num(n)) => Some(n.to_string()),
                Some(Val::Bool(b)) => Some(b.to_string()),
                _ => None,
            });
            if has("alter") && !create {
                let mut out = vec![at(OpKind::ChangeColumnType {
                    table: t(),
                    column: name.to_owned(),
                    new_type: ty,
                    using: None,
                })];
                out.push(at(if column.nullable {
                    OpKind::DropNotNull { table: t(), column: name.to_owned() }
                } else {
                    OpKind::SetNotNull { table: t(), column: name.to_owned() }
                }));
                return out;
            }
            let mut out = vec![at(OpKind::AddColumn { table: t(), column, if_not_exists: false })];
            if increments || has("primary") {
                out.push(at(OpKind::AddPrimaryKey {
                    table: t(),
                    key: PrimaryKey { name: None, columns: vec![name.to_owned()] },
                    using_index: None,
                }));
            }
            if has("unique") || has("index") {
                let unique = has("unique");
                let suffix = if unique { "unique" } else { "index" };
                let index = Index {
                    name: format!("{}_{name}_{suffix}", table.name).to_lowercase(),
                    unique,
                    method: "btree".to_owned(),
                    keys: vec![IndexKey::column(name)],
                    include: Vec::new(),
                    predicate: None,
                };
                out.push(at(OpKind::AddIndex { table: t(), index, concurrently: false, if_not_exists: false }));
            }
            out
        }
    }
}

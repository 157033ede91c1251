//! Sequelize CLI migrations (`migrations/20240101120000-add-x.js`, `module.exports = { up, down }`)
//! → operations: the `queryInterface` calls of `up` and `down`, `queryInterface.sequelize.query`
//! SQL through the SQL reader.

use std::path::Path;

use tree_sitter::Node;

use super::js::{self, Api, Ctx, Function, Val, text, value};
use super::types::{TypeOptions, sequelize_type};
use crate::error::Result;
use crate::migration::{Direction, Format, Migration, OpKind, Operation};
use crate::schema::{Column, Dialect, Index, IndexKey, PrimaryKey, QualifiedName, UniqueConstraint};

pub fn read(path: &Path, src: &str, dialect: Dialect) -> Result<Migration> {
    js::read::<Sequelize>(path, src, dialect)
}

struct Sequelize;

/// `queryInterface` methods that read or wrap and change nothing themselves.
const NOT_OPERATIONS: &[&str] = &[
    "describeTable",
    "showAllTables",
    "showAllSchemas",
    "tableExists",
    "showIndex",
    "getForeignKeyReferencesForTable",
];

impl Api for Sequelize {
    const FORMAT: Format = Format::Sequelize;
    const EXPECTED: &'static str =
        "expected `module.exports = { async up(queryInterface, Sequelize) {…}, async down(…) {…} }`";

    fn direction(ctx: &Ctx, f: Function, dir: Direction) -> Vec<Operation> {
        let Some(receiver) = f.receiver.map(|r| text(r, ctx.src)) else { return Vec::new() };
        let mut out = Vec::new();
        for call in js::calls_on(f.body, receiver, ctx.src) {
            let args: Vec<Val> = call.args.iter().map(|a| value(*a, ctx.src)).collect();
            match (call.path.as_slice(), call.method.as_str()) {
                ([s], "query") if s == "sequelize" => match call.args.first() {
                    Some(sql) => {
                        let named = call
                            .args
                            .get(1)
                            .map(|o| value(*o, ctx.src))
                            .is_some_and(|o| o.get("replacements").is_some());
                        out.extend(ctx.sql(*sql, dir, if named { bind_parameters } else { js::verbatim }));
                    }
                    None => out.push(ctx.unparsed(call.node, dir, "`query` without SQL")),
                },
                ([s], _) if s == "sequelize" => {}
                ([], m) if NOT_OPERATIONS.contains(&m) => {}
                ([], m) => out.extend(operation(ctx, call.node, m, &args, dir)),
                _ => out.push(ctx.unparsed(call.node, dir, "unknown queryInterface call")),
            }
        }
        out
    }
}

/// Sequelize's `:name` replacements as PostgreSQL parameters (`$1` and spaces: the same length,
/// so spans stay true); `::` casts are left alone.
fn bind_parameters(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i] == b':'
            && (i == 0 || bytes[i - 1] != b':')
            && bytes.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
        if starts {
            let end = (i + 1..bytes.len())
                .find(|j| !(bytes[*j].is_ascii_alphanumeric() || bytes[*j] == b'_'))
                .unwrap_or(bytes.len());
            out.push_str("$1");
            out.push_str(&" ".repeat(end - i - 2));
            i = end;
        } else {
            let c = sql[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

fn type_of(v: &Val, dialect: Dialect) -> Option<String> {
    let (name, args) = match v {
        // `type: "UUID"`, `type: "CHARACTER VARYING"`: SQL, as the database names it.
        Val::Str(s) => return Some(super::types::sql_type(s, dialect).unwrap_or_else(|| s.to_lowercase())),
        Val::Name(n) => (n.rsplit('.').next().unwrap_or(n).to_owned(), Vec::new()),
        Val::Call { name, args } => (name.clone(), args.clone()),
        Val::Obj(_) => return v.get("type").and_then(|t| type_of(t, dialect)),
        _ => return None,
    };
    if name == "ARRAY" {
        let inner = args.first().and_then(|a| type_of(a, dialect)).unwrap_or_else(|| "text".to_owned());
        return Some(format!("{inner}[]"));
    }
    let opts = TypeOptions {
        limit: args.first().and_then(Val::int),
        precision: args.first().and_then(Val::int),
        scale: args.get(1).and_then(Val::int),
        array: false,
    };
    Some(sequelize_type(&name, &opts, dialect))
}

/// A column from its attributes (`{ type, allowNull, defaultValue, primaryKey }`, or a bare type).
fn column(name: &str, attrs: &Val, dialect: Dialect) -> Option<(Column, bool)> {
    let data_type = type_of(attrs, dialect)?;
    let primary = attrs.get("primaryKey").is_some_and(Val::truthy);
    let mut c = Column::new(name, &data_type);
    c.nullable = !primary && attrs.get("allowNull").is_none_or(Val::truthy);
    if attrs.get("autoIncrement").is_some_and(Val::truthy) {
        c.data_type = if data_type == "bigint" { "bigint" } else { "integer" }.to_owned();
    }
    c.default = attrs.get("defaultValue").and_then(|d| match d {
        Val::Str(s) => Some(format!("'{}'", s.replace('\'', "''"))),
        Val::Num(n) => Some(n.to_string()),
        Val::Bool(b) => Some(b.to_string()),
        _ => None,
    });
    Some((c, primary))
}

fn operation(ctx: &Ctx, node: Node, method: &str, args: &[Val], dir: Direction) -> Vec<Operation> {
    let table = || args.first().and_then(|t| ctx.table(t));
    let arg_str = |i: usize| args.get(i).and_then(Val::str).map(str::to_owned);
    let one = |kind: OpKind| vec![ctx.at(node, dir, kind)];
    match method {
        "addColumn" => {
            let (Some(t), Some(name)) = (table(), arg_str(1)) else { return ctx.dynamic(node, dir) };
            match args.get(2).and_then(|a| column(&name, a, ctx.dialect)) {
                Some((column, _)) => one(OpKind::AddColumn { table: t, column, if_not_exists: false }),
                None => vec![ctx.unparsed(node, dir, "a column type computed at run time cannot be read")],
            }
        }
        "removeColumn" => match (table(), arg_str(1)) {
            (Some(t), Some(c)) => one(OpKind::DropColumn { table: t, column: c, if_exists: false }),
            _ => ctx.dynamic(node, dir),
        },
        "renameColumn" => match (table(), arg_str(1), arg_str(2)) {
            (Some(t), Some(from), Some(to)) => one(OpKind::RenameColumn { table: t, from, to }),
            _ => ctx.dynamic(node, dir),
        },
        "changeColumn" => {
            let (Some(t), Some(c), Some(attrs)) = (table(), arg_str(1), args.get(2)) else {
                return ctx.dynamic(node, dir);
            };
            let Some(new_type) = type_of(attrs, ctx.dialect) else {
                return vec![ctx.unparsed(node, dir, "a column type computed at run time cannot be read")];
            };
            // Sequelize's PostgreSQL `changeColumn` restates the type and the nullability.
            let null = if attrs.get("allowNull").is_some_and(|a| !a.truthy()) {
                OpKind::SetNotNull { table: t.clone(), column: c.clone() }
            } else {
                OpKind::DropNotNull { table: t.clone(), column: c.clone() }
            };
            vec![
                ctx.at(node, dir, OpKind::ChangeColumnType { table: t, column: c, new_type, using: None }),
                ctx.at(node, dir, null),
            ]
        }
        "renameTable" => match (table(), args.get(1).and_then(|t| ctx.table(t))) {
            (Some(from), Some(to)) => one(OpKind::RenameTable { from, to }),
            _ => ctx.dynamic(node, dir),
        },
        "dropTable" => match table() {
            Some(t) => one(OpKind::DropTable { table: t, if_exists: false, cascade: false }),
            None => ctx.dynamic(node, dir),
        },
        "createTable" => {
            let (Some(t), Some(Val::Obj(cols))) = (table(), args.get(1)) else { return ctx.dynamic(node, dir) };
            let mut columns = Vec::new();
            let mut pk = Vec::new();
            for (name, attrs) in cols {
                match column(name, attrs, ctx.dialect) {
                    Some((c, primary)) => {
                        if primary {
                            pk.push(c.name.clone());
                        }
                        columns.push(c);
                    }
                    None => return vec![ctx.unparsed(node, dir, "a column type computed at run time cannot be read")],
                }
            }
            let primary_key = (!pk.is_empty()).then_some(PrimaryKey { name: None, columns: pk });
            one(OpKind::CreateTable { table: t, columns, primary_key, foreign_keys: Vec::new(), if_not_exists: false })
        }
        "addIndex" => {
            let Some(t) = table() else { return ctx.dynamic(node, dir) };
            // `addIndex(table, [fields], options)` or `addIndex(table, { fields, … })`.
            let (fields, options) = match args.get(1) {
                Some(Val::List(_)) => (args.get(1).and_then(index_fields), args.get(2)),
                Some(o @ Val::Obj(_)) => (o.get("fields").and_then(index_fields), Some(o)),
                _ => (None, None),
            };
            let Some(fields) = fields else { return ctx.dynamic(node, dir) };
            let opt = |k: &str| options.and_then(|o| o.get(k));
            let name = opt("name").and_then(Val::str).map_or_else(|| default_index_name(&t, &fields), str::to_owned);
            let index = Index {
                name,
                unique: opt("unique").is_some_and(Val::truthy),
                method: opt("using").and_then(Val::str).unwrap_or("btree").to_lowercase(),
                keys: fields.iter().map(|f| IndexKey::column(f)).collect(),
                include: Vec::new(),
                predicate: None,
            };
            let concurrently = opt("concurrently").is_some_and(Val::truthy);
            one(OpKind::AddIndex { table: t, index, concurrently, if_not_exists: false })
        }
        "removeIndex" => {
            let Some(t) = table() else { return ctx.dynamic(node, dir) };
            let name = match args.get(1) {
                Some(Val::Str(s)) => s.clone(),
                Some(l @ Val::List(_)) => match index_fields(l) {
                    Some(f) => default_index_name(&t, &f),
                    None => return ctx.dynamic(node, dir),
                },
                _ => return ctx.dynamic(node, dir),
            };
            let concurrently = args.get(2).and_then(|o| o.get("concurrently")).is_some_and(Val::truthy);
            let name = QualifiedName::new(t.schema.as_deref(), &name);
            one(OpKind::DropIndex { name, concurrently, if_exists: false })
        }
        "addConstraint" => {
            // `addConstraint(table, { type: 'unique', fields, name })`; other kinds are kept raw.
            let (Some(t), Some(o)) = (table(), args.get(1)) else { return ctx.dynamic(node, dir) };
            let fields = o.get("fields").and_then(index_fields);
            let name = o.get("name").and_then(Val::str).map(str::to_owned);
            match (o.get("type").and_then(Val::str).map(str::to_lowercase).as_deref(), fields) {
                (Some("unique"), Some(columns)) => one(OpKind::AddUnique {
                    table: t,
                    constraint: UniqueConstraint { name, columns },
                    using_index: None,
                }),
                _ => one(OpKind::Raw { sql: super::excerpt(text(node, ctx.src)) }),
            }
        }
        "removeConstraint" => match (table(), arg_str(1)) {
            (Some(t), Some(name)) => one(OpKind::DropConstraint { table: t, name, if_exists: false }),
            _ => ctx.dynamic(node, dir),
        },
        "bulkInsert" | "bulkUpdate" | "bulkDelete" => {
            let verb = match method {
                "bulkInsert" => "INSERT",
                "bulkUpdate" => "UPDATE",
                _ => "DELETE",
            };
            one(OpKind::Data { verb: verb.to_owned(), table: table() })
        }
        other => vec![ctx.unparsed(node, dir, &format!("unknown queryInterface method `{other}`"))],
    }
}

/// Index fields: names, or `{ name, order }` objects.
fn index_fields(v: &Val) -> Option<Vec<String>> {
    match v {
        Val::List(items) => items
            .iter()
            .map(|i| match i {
                Val::Str(s) => Some(s.clone()),
                Val::Obj(_) => i.get("name").or(i.get("attribute")).and_then(Val::str).map(str::to_owned),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// Sequelize's name for an unnamed index: `<table>_<field>_<field>`.
fn default_index_name(table: &QualifiedName, fields: &[String]) -> String {
    format!("{}_{}", table.name, fields.join("_"))
}

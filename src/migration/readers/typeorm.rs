//! TypeORM migrations (`src/migration/1700000000000-AddX.ts`, `class AddX1700000000000 implements
//! MigrationInterface`) → operations: `queryRunner.query(…)` SQL through the SQL reader, and the
//! `queryRunner` schema methods (`dropColumn`, `renameColumn`, `changeColumn`, `createTable`, …)
//! of `up` and `down`. The version is the timestamp that ends the class name, as TypeORM orders.

use crate::grammar::NodeExt;
use std::path::Path;

use tree_sitter::Node;

use super::js::{self, Api, Ctx, Function, Val, text, value};
use super::types::sql_type;
use crate::error::Result;
use crate::migration::layout::parse_file_name;
use crate::migration::{Direction, Format, Migration, OpKind, Operation};
use crate::schema::{
    CheckConstraint, Column, Dialect, FkAction, ForeignKey, Index, IndexKey, PrimaryKey, QualifiedName,
    UniqueConstraint,
};

pub fn read(path: &Path, src: &str, dialect: Dialect) -> Result<Migration> {
    js::read::<TypeOrm>(path, src, dialect)
}

struct TypeOrm;

/// `queryRunner` methods that read, or manage the connection, and change nothing.
const NOT_OPERATIONS: &[&str] = &[
    "hasTable",
    "hasColumn",
    "hasDatabase",
    "hasSchema",
    "getTable",
    "getTables",
    "getView",
    "startTransaction",
    "commitTransaction",
    "rollbackTransaction",
    "release",
    "connect",
    "clearSqlMemory",
    "enableSqlMemory",
    "disableSqlMemory",
];

impl Api for TypeOrm {
    const FORMAT: Format = Format::Typeorm;
    const EXPECTED: &'static str = "expected `export class Name1700000000000 implements MigrationInterface { async up(queryRunner) {…} async down(queryRunner) {…} }`";

    /// `class AddUserEmail1700000000000` → (`1700000000000`, `AddUserEmail`); the file name
    /// (`1700000000000-AddUserEmail.ts`) when no class says.
    fn version_and_name(path: &Path, root: Node, src: &str) -> (String, String) {
        let class = super::descendants(root)
            .into_iter()
            .filter(|n| n.kind_name() == "class_declaration" || n.kind_name() == "class")
            .find_map(|c| c.field("name").map(|n| text(n, src).to_owned()));
        if let Some(class) = class {
            let digits = class.len() - class.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            if digits >= 10 {
                let (name, version) = class.split_at(class.len() - digits);
                return (version.to_owned(), name.to_owned());
            }
        }
        let f = parse_file_name(path);
        (f.version, f.name)
    }

    fn direction(ctx: &Ctx, f: Function, dir: Direction) -> Vec<Operation> {
        let Some(receiver) = f.receiver.map(|r| text(r, ctx.src)) else { return Vec::new() };
        let mut out = Vec::new();
        for call in js::calls_on(f.body, receiver, ctx.src) {
            match (call.path.as_slice(), call.method.as_str()) {
                ([], "query") => match call.args.first() {
                    Some(sql) => out.extend(ctx.sql(*sql, dir, js::verbatim)),
                    None => out.push(ctx.unparsed(call.node, dir, "`query` without SQL")),
                },
                ([], m) if NOT_OPERATIONS.contains(&m) => {}
                ([], m) => {
                    let args: Vec<Val> = call.args.iter().map(|a| value(*a, ctx.src)).collect();
                    out.extend(operation(ctx, call.node, m, &args, dir));
                }
                // `queryRunner.manager.…`, `queryRunner.connection.…`: data access through the ORM.
                ([p, ..], _) if p == "manager" || p == "connection" => out.push(ctx.at(
                    call.node,
                    dir,
                    OpKind::Code { description: super::excerpt(text(call.node, ctx.src)) },
                )),
                _ => out.push(ctx.unparsed(call.node, dir, "unknown queryRunner call")),
            }
        }
        out
    }
}

/// The options object of `new TableColumn({…})`, `new Table({…})`, or a plain object.
fn options(v: &Val) -> Option<&Val> {
    match v {
        Val::Call { args, .. } => args.first().filter(|a| matches!(a, Val::Obj(_))),
        Val::Obj(_) => Some(v),
        _ => None,
    }
}

/// A name given as a string or as an object with a `name` (`TableColumn`, `TableIndex`, `Table`).
fn name_of(v: &Val) -> Option<String> {
    match v {
        Val::Str(s) => Some(s.clone()),
        other => options(other)?.get("name")?.str().map(str::to_owned),
    }
}

/// TypeORM's column options → a column. TypeORM columns are `NOT NULL` unless `isNullable`.
fn column(o: &Val, dialect: Dialect) -> Option<(Column, bool)> {
    let name = o.get("name")?.str()?;
    let ty = o.get("type")?.str()?;
    let length = o.get("length").and_then(|l| l.int());
    let sql = match (length, o.get("precision").and_then(Val::int), o.get("scale").and_then(Val::int)) {
        (Some(l), _, _) => format!("{ty}({l})"),
        (None, Some(p), Some(s)) => format!("{ty}({p},{s})"),
        (None, Some(p), None) => format!("{ty}({p})"),
        _ => ty.to_owned(),
    };
    let sql = if o.get("isArray").is_some_and(Val::truthy) { format!("{sql}[]") } else { sql };
    let data_type = sql_type(&sql, dialect).unwrap_or(sql);
    let primary = o.get("isPrimary").is_some_and(Val::truthy);
    let mut c = Column::new(name, super::types::pg_serial(&data_type).unwrap_or(&data_type));
    c.nullable = !primary && o.get("isNullable").is_some_and(Val::truthy);
    c.default = o.get("default").and_then(|d| match d {
        Val::Str(s) => Some(s.clone()),
        Val::Num(n) => Some(n.to_string()),
        Val::Bool(b) => Some(b.to_string()),
        _ => None,
    });
    Some((c, primary))
}

fn operation(ctx: &Ctx, node: Node, method: &str, args: &[Val], dir: Direction) -> Vec<Operation> {
    let table = |i: usize| args.get(i).and_then(name_of).and_then(|t| ctx.table(&Val::Str(t)));
    let one = |kind: OpKind| vec![ctx.at(node, dir, kind)];
    let many = |kinds: Vec<OpKind>| kinds.into_iter().map(|k| ctx.at(node, dir, k)).collect::<Vec<_>>();
    let typed = || vec![ctx.unparsed(node, dir, "a column given without a literal name and type cannot be read")];
    match method {
        "dropColumn" | "dropColumns" => {
            let Some(t) = table(0) else { return ctx.dynamic(node, dir) };
            let cols: Option<Vec<String>> = match args.get(1) {
                Some(Val::List(items)) => items.iter().map(name_of).collect(),
                Some(v) => name_of(v).map(|n| vec![n]),
                None => None,
            };
            match cols {
                Some(cols) => many(
                    cols.into_iter()
                        .map(|c| OpKind::DropColumn { table: t.clone(), column: c, if_exists: false })
                        .collect(),
                ),
                None => ctx.dynamic(node, dir),
            }
        }
        "addColumn" | "addColumns" => {
            let Some(t) = table(0) else { return ctx.dynamic(node, dir) };
            let items: Vec<&Val> = match args.get(1) {
                Some(Val::List(items)) => items.iter().collect(),
                Some(v) => vec![v],
                None => Vec::new(),
            };
            let cols: Option<Vec<Column>> =
                items.iter().map(|v| options(v).and_then(|o| column(o, ctx.dialect)).map(|c| c.0)).collect();
            match cols {
                Some(cols) if !cols.is_empty() => many(
                    cols.into_iter()
                        .map(|column| OpKind::AddColumn { table: t.clone(), column, if_not_exists: false })
                        .collect(),
                ),
                _ => typed(),
            }
        }
        "renameColumn" => match (table(0), args.get(1).and_then(name_of), args.get(2).and_then(name_of)) {
            (Some(t), Some(from), Some(to)) => one(OpKind::RenameColumn { table: t, from, to }),
            _ => ctx.dynamic(node, dir),
        },
        "changeColumn" => {
            let (Some(t), Some(old)) = (table(0), args.get(1).and_then(name_of)) else { return ctx.dynamic(node, dir) };
            let Some((new, _)) = args.get(2).and_then(options).and_then(|o| column(o, ctx.dialect)) else {
                return typed();
            };
            // The old column's type changes, then its name; TypeORM compares the nullability with
            // the live table, which a migration file does not show.
            let mut kinds = vec![OpKind::ChangeColumnType {
                table: t.clone(),
                column: old.clone(),
                new_type: new.data_type.clone(),
                using: None,
            }];
            if new.name != old {
                kinds.push(OpKind::RenameColumn { table: t, from: old, to: new.name });
            }
            many(kinds)
        }
        "renameTable" => match (table(0), table(1)) {
            (Some(from), Some(to)) => one(OpKind::RenameTable { from, to }),
            _ => ctx.dynamic(node, dir),
        },
        "dropTable" => match table(0) {
            Some(t) => {
                one(OpKind::DropTable { table: t, if_exists: args.get(1).is_some_and(Val::truthy), cascade: false })
            }
            None => ctx.dynamic(node, dir),
        },
        "createTable" => {
            let Some(o) = args.first().and_then(options) else { return typed() };
            let Some(t) = o.get("name").and_then(Val::str).and_then(|n| ctx.table(&Val::Str(n.to_owned()))) else {
                return ctx.dynamic(node, dir);
            };
            let Some(Val::List(items)) = o.get("columns") else { return typed() };
            let parsed: Option<Vec<(Column, bool)>> = items.iter().map(|c| column(c, ctx.dialect)).collect();
            let Some(parsed) = parsed else { return typed() };
            let pk: Vec<String> = parsed.iter().filter(|(_, p)| *p).map(|(c, _)| c.name.clone()).collect();
            let primary_key = (!pk.is_empty()).then_some(PrimaryKey { name: None, columns: pk });
            let columns = parsed.into_iter().map(|(c, _)| c).collect();
            one(OpKind::CreateTable {
                table: t,
                columns,
                primary_key,
                foreign_keys: Vec::new(),
                if_not_exists: args.get(1).is_some_and(Val::truthy),
            })
        }
        "createIndex" => {
            let (Some(t), Some(o)) = (table(0), args.get(1).and_then(options)) else { return ctx.dynamic(node, dir) };
            let (Some(name), Some(cols)) = (o.get("name").and_then(Val::str), o.get("columnNames").and_then(Val::strs))
            else {
                return ctx.dynamic(node, dir);
            };
            let index = Index {
                name: name.to_owned(),
                unique: o.get("isUnique").is_some_and(Val::truthy),
                method: "btree".to_owned(),
                keys: cols.iter().map(|c| IndexKey::column(c)).collect(),
                include: Vec::new(),
                predicate: o.get("where").and_then(Val::str).map(str::to_owned),
            };
            one(OpKind::AddIndex { table: t, index, concurrently: false, if_not_exists: false })
        }
        "dropIndex" => match (table(0), args.get(1).and_then(name_of)) {
            (Some(t), Some(name)) => one(OpKind::DropIndex {
                name: QualifiedName::new(t.schema.as_deref(), &name),
                concurrently: false,
                if_exists: false,
            }),
            _ => ctx.dynamic(node, dir),
        },
        "createForeignKey" => {
            let (Some(t), Some(o)) = (table(0), args.get(1).and_then(options)) else { return ctx.dynamic(node, dir) };
            let (Some(cols), Some(refs), Some(rt)) = (
                o.get("columnNames").and_then(Val::strs),
                o.get("referencedColumnNames").and_then(Val::strs),
                o.get("referencedTableName").and_then(Val::str),
            ) else {
                return ctx.dynamic(node, dir);
            };
            let Some(references) = ctx.table(&Val::Str(rt.to_owned())) else { return ctx.dynamic(node, dir) };
            let key = ForeignKey {
                name: o.get("name").and_then(Val::str).map(str::to_owned),
                columns: cols,
                references,
                referenced_columns: refs,
                on_delete: FkAction::default(),
                on_update: FkAction::default(),
                deferrable: false,
                validated: true,
            };
            one(OpKind::AddForeignKey { table: t, key, not_valid: false })
        }
        "createUniqueConstraint" => {
            let (Some(t), Some(o)) = (table(0), args.get(1).and_then(options)) else { return ctx.dynamic(node, dir) };
            let Some(columns) = o.get("columnNames").and_then(Val::strs) else { return ctx.dynamic(node, dir) };
            let name = o.get("name").and_then(Val::str).map(str::to_owned);
            one(OpKind::AddUnique { table: t, constraint: UniqueConstraint { name, columns }, using_index: None })
        }
        "createCheckConstraint" => {
            let (Some(t), Some(o)) = (table(0), args.get(1).and_then(options)) else { return ctx.dynamic(node, dir) };
            let Some(expression) = o.get("expression").and_then(Val::str).map(str::to_owned) else {
                return ctx.dynamic(node, dir);
            };
            let name = o.get("name").and_then(Val::str).map(str::to_owned);
            one(OpKind::AddCheck {
                table: t,
                constraint: CheckConstraint { name, expression, validated: true },
                not_valid: false,
            })
        }
        "createPrimaryKey" => match (table(0), args.get(1).and_then(Val::strs)) {
            (Some(t), Some(columns)) => {
                one(OpKind::AddPrimaryKey { table: t, key: PrimaryKey { name: None, columns }, using_index: None })
            }
            _ => ctx.dynamic(node, dir),
        },
        "dropForeignKey" | "dropUniqueConstraint" | "dropCheckConstraint" => {
            match (table(0), args.get(1).and_then(name_of)) {
                (Some(t), Some(name)) => one(OpKind::DropConstraint { table: t, name, if_exists: false }),
                _ => ctx.dynamic(node, dir),
            }
        }
        other => vec![ctx.unparsed(node, dir, &format!("unknown queryRunner method `{other}`"))],
    }
}

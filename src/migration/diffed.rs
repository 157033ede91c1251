//! The operations that take a database from one schema to another, as a tool that diffs
//! schemas runs them (`prisma db push`): what [`crate::schema::diff`] finds, as the operations
//! migration readers produce, so that the rules and the gate judge a schema change as they judge
//! a migration. A diff cannot know a rename: a renamed table or column is a drop and an add,
//! which is what such a tool does to it.

use crate::migration::{Direction, OpKind, Operation, Span};
use crate::schema::diff::{ChangeKind, diff};
use crate::schema::{Column, Index, QualifiedName, Schema, Table};

/// Which schema an object's place is read in: the one before (what is removed) or after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Before,
    After,
}

/// The operations from `before` to `after`; `place` says where an object (by the diff's kind and
/// object name) is written on a side. Additions come first, then changes, then removals (keys
/// and indexes before the columns and tables they name), as `prisma db push` orders them.
pub fn operations(before: &Schema, after: &Schema, place: &dyn Fn(Side, &str, &str) -> Span) -> Vec<Operation> {
    let mut adds = Vec::new();
    let mut changes = Vec::new();
    let mut removals = Vec::new();
    let op = |kind: OpKind, side: Side, what: &str, object: &str| Operation {
        kind,
        span: place(side, what, object),
        direction: Direction::Up,
    };
    for d in diff(before, after) {
        let (o, k) = (d.object.as_str(), d.kind);
        match (k, &d.change) {
            ("table", ChangeKind::Added) => {
                let Some(t) = table(after, o) else { continue };
                adds.push(op(
                    OpKind::CreateTable {
                        table: t.name.clone(),
                        columns: t.columns.clone(),
                        primary_key: t.primary_key.clone(),
                        foreign_keys: t.foreign_keys.clone(),
                        if_not_exists: false,
                    },
                    Side::After,
                    k,
                    o,
                ));
                for i in &t.indexes {
                    let object = format!("{o}.{}", i.name);
                    adds.push(op(add_index(&t.name, i), Side::After, "index", &object));
                }
            }
            ("table", ChangeKind::Removed) => {
                let Some(t) = table(before, o) else { continue };
                removals.push((
                    3,
                    op(
                        OpKind::DropTable { table: t.name.clone(), if_exists: false, cascade: false },
                        Side::Before,
                        k,
                        o,
                    ),
                ));
            }
            ("column", ChangeKind::Added) => {
                let Some((t, c)) = column(after, o) else { continue };
                adds.push(op(
                    OpKind::AddColumn { table: t.name.clone(), column: c.clone(), if_not_exists: false },
                    Side::After,
                    k,
                    o,
                ));
            }
            ("column", ChangeKind::Removed) => {
                let Some((t, c)) = column(before, o) else { continue };
                removals.push((
                    2,
                    op(
                        OpKind::DropColumn { table: t.name.clone(), column: c.name.clone(), if_exists: false },
                        Side::Before,
                        k,
                        o,
                    ),
                ));
            }
            ("column", ChangeKind::Changed) => {
                let (Some((t, c)), Some(_)) = (column(after, o), column(before, o)) else { continue };
                let (table, name) = (t.name.clone(), c.name.clone());
                let kind = match d.field {
                    Some("type") => {
                        OpKind::ChangeColumnType { table, column: name, new_type: c.data_type.clone(), using: None }
                    }
                    Some("nullable") if c.nullable => OpKind::DropNotNull { table, column: name },
                    Some("nullable") => OpKind::SetNotNull { table, column: name },
                    Some("default") => match &c.default {
                        Some(default) => OpKind::SetDefault { table, column: name, default: default.clone() },
                        None => OpKind::DropDefault { table, column: name },
                    },
                    _ => continue,
                };
                changes.push(op(kind, Side::After, k, o));
            }
            ("index", change) => {
                let removed = || index(before, o).map(|(t, i)| drop_index(&t.name, i));
                let added = || index(after, o).map(|(t, i)| add_index(&t.name, i));
                if matches!(change, ChangeKind::Removed | ChangeKind::Changed) {
                    removals.extend(removed().map(|kind| (1, op(kind, Side::Before, k, o))));
                }
                if matches!(change, ChangeKind::Added | ChangeKind::Changed) {
                    changes.extend(added().map(|kind| op(kind, Side::After, k, o)));
                }
            }
            ("primary_key", _) => {
                if let Some(t) = table(before, o)
                    && t.primary_key.is_some()
                {
                    let name =
                        t.primary_key.as_ref().and_then(|p| p.name.clone()).unwrap_or_else(|| "PRIMARY".to_owned());
                    let kind = OpKind::DropConstraint { table: t.name.clone(), name, if_exists: false };
                    removals.push((0, op(kind, Side::Before, k, o)));
                }
                if let Some(t) = table(after, o)
                    && let Some(key) = &t.primary_key
                {
                    let kind = OpKind::AddPrimaryKey { table: t.name.clone(), key: key.clone(), using_index: None };
                    changes.push(op(kind, Side::After, k, o));
                }
            }
            ("foreign_key", change) => {
                if matches!(change, ChangeKind::Removed | ChangeKind::Changed)
                    && let Some((t, fk)) = foreign_key(before, o)
                {
                    let name = fk.name.clone().unwrap_or_default();
                    let kind = OpKind::DropConstraint { table: t.name.clone(), name, if_exists: false };
                    removals.push((0, op(kind, Side::Before, k, o)));
                }
                if matches!(change, ChangeKind::Added | ChangeKind::Changed)
                    && let Some((t, fk)) = foreign_key(after, o)
                {
                    let kind = OpKind::AddForeignKey { table: t.name.clone(), key: fk.clone(), not_valid: false };
                    changes.push(op(kind, Side::After, k, o));
                }
            }
            ("enum", ChangeKind::Added) => {
                let Some(e) = after.enums.iter().find(|e| e.name.to_string() == o) else { continue };
                adds.insert(
                    0,
                    op(OpKind::CreateEnum { name: e.name.clone(), values: e.values.clone() }, Side::After, k, o),
                );
            }
            ("enum", ChangeKind::Removed) => {
                let Some(e) = before.enums.iter().find(|e| e.name.to_string() == o) else { continue };
                let kind = OpKind::DropType { name: e.name.clone(), if_exists: false, cascade: false };
                removals.push((4, op(kind, Side::Before, k, o)));
            }
            ("enum", ChangeKind::Changed) => {
                let (Some(a), Some(b)) = (
                    before.enums.iter().find(|e| e.name.to_string() == o),
                    after.enums.iter().find(|e| e.name.to_string() == o),
                ) else {
                    continue;
                };
                if b.values.starts_with(&a.values) {
                    for v in &b.values[a.values.len()..] {
                        changes.push(op(
                            OpKind::AddEnumValue { name: b.name.clone(), value: v.clone() },
                            Side::After,
                            k,
                            o,
                        ));
                    }
                    continue;
                }
                // Values removed or reordered: the type is made anew with the values left (the
                // old one renamed away first, as `prisma migrate` writes it) and every column of
                // it cast by its text, which fails on a row holding a removed value.
                changes.push(op(
                    OpKind::CreateEnum { name: b.name.clone(), values: b.values.clone() },
                    Side::After,
                    k,
                    o,
                ));
                for t in &after.tables {
                    for c in t.columns.iter().filter(|c| enum_column(c, &b.name)) {
                        let kind = OpKind::ChangeColumnType {
                            table: t.name.clone(),
                            column: c.name.clone(),
                            new_type: c.data_type.clone(),
                            using: Some(format!("\"{}\"::text::{}", c.name, c.data_type)),
                        };
                        let object = format!("{}.{}", t.name, c.name);
                        changes.push(op(kind, Side::After, "column", &object));
                    }
                }
            }
            _ => {}
        }
    }
    removals.sort_by_key(|(rank, _)| *rank);
    adds.into_iter().chain(changes).chain(removals.into_iter().map(|(_, o)| o)).collect()
}

/// Whether column `c` has the PostgreSQL enum type `name` (as the Prisma reader spells it).
fn enum_column(c: &Column, name: &QualifiedName) -> bool {
    let base = c.data_type.trim_end_matches("[]").trim_matches('"');
    base == name.name || base.rsplit('.').next().is_some_and(|n| n.trim_matches('"') == name.name)
}

fn add_index(table: &QualifiedName, i: &Index) -> OpKind {
    OpKind::AddIndex { table: table.clone(), index: i.clone(), concurrently: false, if_not_exists: false }
}

fn drop_index(table: &QualifiedName, i: &Index) -> OpKind {
    OpKind::DropIndex {
        name: QualifiedName::new(table.schema.as_deref(), &i.name),
        concurrently: false,
        if_exists: false,
    }
}

fn table<'s>(schema: &'s Schema, object: &str) -> Option<&'s Table> {
    schema.tables.iter().find(|t| t.name.to_string() == object)
}

/// The table and the thing of it a diff's object (`{table}.{name}`) names.
fn within<'s, T>(
    schema: &'s Schema,
    object: &str,
    items: impl Fn(&'s Table) -> &'s [T],
    name: impl Fn(&T) -> String,
) -> Option<(&'s Table, &'s T)> {
    schema.tables.iter().find_map(|t| {
        let rest = object.strip_prefix(&t.name.to_string())?.strip_prefix('.')?;
        items(t).iter().find(|x| name(x) == rest).map(|x| (t, x))
    })
}

fn column<'s>(schema: &'s Schema, object: &str) -> Option<(&'s Table, &'s Column)> {
    within(schema, object, |t| &t.columns, |c| c.name.clone())
}

fn index<'s>(schema: &'s Schema, object: &str) -> Option<(&'s Table, &'s Index)> {
    within(schema, object, |t| &t.indexes, |i| i.name.clone())
}

fn foreign_key<'s>(schema: &'s Schema, object: &str) -> Option<(&'s Table, &'s crate::schema::ForeignKey)> {
    within(schema, object, |t| &t.foreign_keys, |f| f.name.clone().unwrap_or_default())
}

//! [`Schema`] → canonical MySQL DDL: tables by name, then views in dependency order, then
//! routines and triggers, then the applied migrations. Deterministic, and read back by
//! [`super::parse`] into the same model.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::schema::{Column, FkAction, ForeignKey, Identity, Index, IndexPart, Schema, Table, View};

pub fn render(schema: &Schema) -> String {
    let mut out = String::new();
    for seq in &schema.sequences {
        let _ = write!(out, "CREATE SEQUENCE {}", ident(&seq.name.name));
        if let Some(s) = seq.start {
            let _ = write!(out, " start with {s}");
        }
        if let Some(i) = seq.increment {
            let _ = write!(out, " increment by {i}");
        }
        out.push_str(";\n\n");
    }
    for table in &schema.tables {
        table_ddl(&mut out, table);
    }
    for view in ordered_views(&schema.views) {
        let _ = writeln!(out, "CREATE VIEW {} AS {};\n", ident(&view.name.name), view.definition);
    }
    let trigger_bodies: BTreeSet<&str> = schema.triggers.iter().map(|t| t.function.name.as_str()).collect();
    let routines: Vec<_> = schema
        .functions
        .iter()
        .filter(|f| !(f.returns == "trigger" && trigger_bodies.contains(f.name.name.as_str())))
        .collect();
    if !routines.is_empty() || !schema.triggers.is_empty() {
        out.push_str("DELIMITER ;;\n");
        for f in routines {
            if f.returns.is_empty() {
                let _ = writeln!(out, "CREATE PROCEDURE {}({}) {};;", ident(&f.name.name), f.arguments, f.body);
            } else {
                let _ = writeln!(
                    out,
                    "CREATE FUNCTION {}({}) RETURNS {} {};;",
                    ident(&f.name.name),
                    f.arguments,
                    f.returns,
                    f.body
                );
            }
        }
        for t in &schema.triggers {
            let body = schema
                .functions
                .iter()
                .find(|f| f.name.name == t.function.name && f.returns == "trigger")
                .map_or("BEGIN END", |f| f.body.as_str());
            let _ = writeln!(
                out,
                "CREATE TRIGGER {} {} {} ON {} FOR EACH ROW {body};;",
                ident(&t.name),
                t.timing,
                t.events.join(" OR "),
                ident(&t.table.name)
            );
        }
        out.push_str("DELIMITER ;\n\n");
    }
    if !schema.migrations.is_empty() {
        out.push_str("INSERT INTO `schema_migrations` (version) VALUES\n");
        let rows: Vec<String> = schema.migrations.iter().map(|v| format!("({})", string(v))).collect();
        out.push_str(&rows.join(",\n"));
        out.push_str(";\n");
    }
    out
}

fn table_ddl(out: &mut String, table: &Table) {
    let mut lines: Vec<String> = table.columns.iter().map(column_ddl).collect();
    if let Some(pk) = &table.primary_key {
        lines.push(format!("PRIMARY KEY ({})", idents(&pk.columns)));
    }
    for u in &table.uniques {
        let name = u.name.as_deref().map(|n| format!("{} ", ident(n))).unwrap_or_default();
        lines.push(format!("UNIQUE KEY {name}({})", idents(&u.columns)));
    }
    for ix in &table.indexes {
        lines.push(index_ddl(ix));
    }
    for fk in &table.foreign_keys {
        lines.push(fk_ddl(fk));
    }
    for ck in &table.checks {
        let name = ck.name.as_deref().map(|n| format!("CONSTRAINT {} ", ident(n))).unwrap_or_default();
        lines.push(format!("{name}CHECK ({})", ck.expression));
    }
    let _ = write!(out, "CREATE TABLE {} (\n  {}\n)", ident(&table.name.name), lines.join(",\n  "));
    if let Some(c) = &table.comment {
        let _ = write!(out, " COMMENT={}", string(c));
    }
    if let Some(p) = &table.partition_by {
        let _ = write!(out, " PARTITION BY {p}");
    }
    out.push_str(";\n\n");
}

fn column_ddl(c: &Column) -> String {
    let mut s = format!("{} {}", ident(&c.name), c.data_type);
    if let Some(coll) = &c.collation {
        let _ = write!(s, " COLLATE {coll}");
    }
    if let Some(g) = &c.generated {
        let _ = write!(s, " GENERATED ALWAYS AS ({g}) VIRTUAL");
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(d) = &c.default {
        let _ = write!(s, " DEFAULT {d}");
    }
    if c.identity.is_some_and(|i| i == Identity::AutoIncrement || i == Identity::Always || i == Identity::ByDefault) {
        s.push_str(" AUTO_INCREMENT");
    }
    if let Some(comment) = &c.comment {
        let _ = write!(s, " COMMENT {}", string(comment));
    }
    s
}

fn index_ddl(ix: &Index) -> String {
    let kind = match (ix.method.as_str(), ix.unique) {
        ("fulltext", _) => "FULLTEXT KEY",
        ("spatial", _) => "SPATIAL KEY",
        (_, true) => "UNIQUE KEY",
        (_, false) => "KEY",
    };
    let keys: Vec<String> = ix
        .keys
        .iter()
        .map(|k| {
            let part = match &k.part {
                IndexPart::Column(c) => ident(c),
                IndexPart::Expression(e) => format!("({e})"),
            };
            match &k.order {
                Some(o) => format!("{part} {o}"),
                None => part,
            }
        })
        .collect();
    let using = match ix.method.as_str() {
        "hash" => " USING HASH",
        _ => "",
    };
    format!("{kind} {} ({}){using}", ident(&ix.name), keys.join(","))
}

fn fk_ddl(fk: &ForeignKey) -> String {
    let mut s = String::new();
    if let Some(n) = &fk.name {
        let _ = write!(s, "CONSTRAINT {} ", ident(n));
    }
    let _ = write!(
        s,
        "FOREIGN KEY ({}) REFERENCES {} ({})",
        idents(&fk.columns),
        ident(&fk.references.name),
        idents(&fk.referenced_columns)
    );
    if fk.on_delete != FkAction::NoAction {
        let _ = write!(s, " ON DELETE {}", fk.on_delete.sql());
    }
    if fk.on_update != FkAction::NoAction {
        let _ = write!(s, " ON UPDATE {}", fk.on_update.sql());
    }
    s
}

/// Views after the views they read, ties broken by name.
fn ordered_views(views: &[View]) -> Vec<&View> {
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::with_capacity(views.len());
    let names: BTreeSet<&str> = views.iter().map(|v| v.name.name.as_str()).collect();
    while out.len() < views.len() {
        let before = out.len();
        for v in views {
            if done.contains(v.name.name.as_str()) {
                continue;
            }
            let ready = v.depends_on.iter().all(|d| {
                let r = d.relation.name.as_str();
                r == v.name.name || !names.contains(r) || done.contains(r)
            });
            if ready {
                done.insert(&v.name.name);
                out.push(v);
            }
        }
        if out.len() == before {
            // A cycle cannot be created in MySQL; emit the rest by name rather than loop.
            out.extend(views.iter().filter(|v| !done.contains(v.name.name.as_str())));
            break;
        }
    }
    out
}

pub(super) fn ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn idents(names: &[String]) -> String {
    names.iter().map(|n| ident(n)).collect::<Vec<_>>().join(",")
}

fn string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
}

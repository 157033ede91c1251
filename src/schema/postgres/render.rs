//! Canonical PostgreSQL DDL for a [`Schema`], in pg_dump's order: schemas, extensions, types,
//! functions, sequences, tables (with their own keys and checks), sequence ownership, partition
//! attachments, indexes, views (dependencies first), triggers, foreign keys, comments, and the
//! `schema_migrations` rows. Reading the output back gives the same model.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use super::types::quote_ident;
use crate::schema::{Column, FkAction, Identity, Index, IndexPart, QualifiedName, Schema, Sequence, Table, View};

fn qn(n: &QualifiedName) -> String {
    match &n.schema {
        Some(s) => format!("{}.{}", quote_ident(s), quote_ident(&n.name)),
        None => quote_ident(&n.name),
    }
}

fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn idents(cols: &[String]) -> String {
    cols.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", ")
}

pub fn render(schema: &Schema) -> String {
    let mut out = String::new();
    out.push_str("-- Canonical schema rendered by tandem.\n\nSET check_function_bodies = false;\n\n");
    for ns in &schema.namespaces {
        let _ = writeln!(out, "CREATE SCHEMA {};\n", quote_ident(ns));
    }
    for e in &schema.extensions {
        match &e.schema {
            Some(s) => {
                let _ = writeln!(
                    out,
                    "CREATE EXTENSION IF NOT EXISTS {} WITH SCHEMA {};\n",
                    quote_ident(&e.name),
                    quote_ident(s)
                );
            }
            None => {
                let _ = writeln!(out, "CREATE EXTENSION IF NOT EXISTS {};\n", quote_ident(&e.name));
            }
        }
    }
    for e in &schema.enums {
        let values: Vec<String> = e.values.iter().map(|v| format!("    {}", literal(v))).collect();
        let _ = writeln!(out, "CREATE TYPE {} AS ENUM (\n{}\n);\n", qn(&e.name), values.join(",\n"));
    }
    for c in &schema.composites {
        let attrs: Vec<String> =
            c.attributes.iter().map(|a| format!("    {} {}", quote_ident(&a.name), a.data_type)).collect();
        let _ = writeln!(out, "CREATE TYPE {} AS (\n{}\n);\n", qn(&c.name), attrs.join(",\n"));
    }
    for f in &schema.functions {
        render_function(&mut out, f);
    }

    // Identity sequences are part of their column's definition.
    let identity_seq: HashMap<(QualifiedName, String), &Sequence> = schema
        .sequences
        .iter()
        .filter_map(|s| {
            let owner = s.owned_by.as_ref()?;
            let table = schema.tables.iter().find(|t| t.name == owner.table)?;
            table.column(&owner.column)?.identity?;
            Some(((owner.table.clone(), owner.column.clone()), s))
        })
        .collect();
    let is_identity_seq = |s: &Sequence| identity_seq.values().any(|x| x.name == s.name);
    for s in schema.sequences.iter().filter(|s| !is_identity_seq(s)) {
        let _ = write!(out, "CREATE SEQUENCE {}", qn(&s.name));
        if let Some(t) = &s.data_type {
            let _ = write!(out, "\n    AS {t}");
        }
        if let Some(v) = s.start {
            let _ = write!(out, "\n    START WITH {v}");
        }
        if let Some(v) = s.increment {
            let _ = write!(out, "\n    INCREMENT BY {v}");
        }
        out.push_str(";\n\n");
    }

    for t in &schema.tables {
        render_table(&mut out, t, &identity_seq);
    }
    for s in schema.sequences.iter().filter(|s| !is_identity_seq(s)) {
        if let Some(o) = &s.owned_by {
            let _ =
                writeln!(out, "ALTER SEQUENCE {} OWNED BY {}.{};\n", qn(&s.name), qn(&o.table), quote_ident(&o.column));
        }
    }
    for t in &schema.tables {
        if let Some(p) = &t.partition_of {
            let _ = writeln!(out, "ALTER TABLE ONLY {} ATTACH PARTITION {} {};\n", qn(&p.parent), qn(&t.name), p.bound);
        }
    }
    for t in &schema.tables {
        for c in t.checks.iter().filter(|c| !c.validated) {
            let name = c.name.as_ref().map(|n| format!("CONSTRAINT {} ", quote_ident(n))).unwrap_or_default();
            let _ = writeln!(out, "ALTER TABLE {}\n    ADD {name}CHECK ({}) NOT VALID;\n", qn(&t.name), c.expression);
        }
    }
    for t in &schema.tables {
        for i in &t.indexes {
            render_index(&mut out, &t.name, i);
        }
    }
    for v in views_in_dependency_order(&schema.views) {
        render_view(&mut out, v);
    }
    for tr in &schema.triggers {
        let when = tr.when.as_ref().map(|w| format!(" WHEN ({w})")).unwrap_or_default();
        let each = if tr.for_each_row { "ROW" } else { "STATEMENT" };
        let _ = writeln!(
            out,
            "CREATE TRIGGER {} {} {} ON {} FOR EACH {each}{when} EXECUTE FUNCTION {}();\n",
            quote_ident(&tr.name),
            tr.timing,
            tr.events.join(" OR "),
            qn(&tr.table),
            qn(&tr.function)
        );
    }
    for t in &schema.tables {
        for fk in &t.foreign_keys {
            let name = fk.name.as_ref().map(|n| format!("CONSTRAINT {} ", quote_ident(n))).unwrap_or_default();
            let _ = write!(
                out,
                "ALTER TABLE ONLY {}\n    ADD {name}FOREIGN KEY ({}) REFERENCES {}({})",
                qn(&t.name),
                idents(&fk.columns),
                qn(&fk.references),
                idents(&fk.referenced_columns)
            );
            if fk.on_update != FkAction::NoAction {
                let _ = write!(out, " ON UPDATE {}", fk.on_update.sql());
            }
            if fk.on_delete != FkAction::NoAction {
                let _ = write!(out, " ON DELETE {}", fk.on_delete.sql());
            }
            if fk.deferrable {
                out.push_str(" DEFERRABLE");
            }
            if !fk.validated {
                out.push_str(" NOT VALID");
            }
            out.push_str(";\n\n");
        }
    }
    for t in &schema.tables {
        if let Some(c) = &t.comment {
            let _ = writeln!(out, "COMMENT ON TABLE {} IS {};\n", qn(&t.name), literal(c));
        }
        for col in &t.columns {
            if let Some(c) = &col.comment {
                let _ =
                    writeln!(out, "COMMENT ON COLUMN {}.{} IS {};\n", qn(&t.name), quote_ident(&col.name), literal(c));
            }
        }
    }
    if !schema.migrations.is_empty() {
        let rows: Vec<String> = schema.migrations.iter().map(|m| format!("({})", literal(m))).collect();
        let _ = writeln!(out, "INSERT INTO \"schema_migrations\" (version) VALUES\n{};", rows.join(",\n"));
    }
    out
}

fn render_function(out: &mut String, f: &crate::schema::Function) {
    let kind = if f.returns.is_empty() { "PROCEDURE" } else { "FUNCTION" };
    let _ = write!(out, "CREATE {kind} {}({})", qn(&f.name), f.arguments);
    if !f.returns.is_empty() {
        let _ = write!(out, " RETURNS {}", f.returns);
    }
    let _ = write!(out, "\n    LANGUAGE {}", quote_ident(&f.language));
    if f.body.starts_with("BEGIN ATOMIC") || f.body.starts_with("RETURN ") {
        let _ = writeln!(out, "\n{};\n", f.body);
        return;
    }
    let mut tag = String::from("$_$");
    let mut n = 0;
    while f.body.contains(&tag) {
        n += 1;
        tag = format!("$_{n}$");
    }
    let _ = writeln!(out, "\n    AS {tag}\n{}\n{tag};\n", f.body);
}

fn render_column(c: &Column, identity_seq: Option<&&Sequence>) -> String {
    let mut s = format!("    {} {}", quote_ident(&c.name), c.data_type);
    if let Some(coll) = &c.collation {
        let parts: Vec<String> = coll.split('.').map(quote_ident).collect();
        let _ = write!(s, " COLLATE {}", parts.join("."));
    }
    if let Some(d) = &c.default {
        let _ = write!(s, " DEFAULT {d}");
    }
    if let Some(g) = &c.generated {
        let _ = write!(s, " GENERATED ALWAYS AS ({g}) STORED");
    }
    if let Some(id) = c.identity {
        let kind = match id {
            Identity::Always => "ALWAYS",
            Identity::ByDefault | Identity::AutoIncrement => "BY DEFAULT",
        };
        let _ = write!(s, " GENERATED {kind} AS IDENTITY");
        if let Some(seq) = identity_seq {
            let _ = write!(s, " (SEQUENCE NAME {}", qn(&seq.name));
            if let Some(v) = seq.start {
                let _ = write!(s, " START WITH {v}");
            }
            if let Some(v) = seq.increment {
                let _ = write!(s, " INCREMENT BY {v}");
            }
            s.push(')');
        }
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    s
}

fn render_table(out: &mut String, t: &Table, identity_seq: &HashMap<(QualifiedName, String), &Sequence>) {
    let mut lines: Vec<String> =
        t.columns.iter().map(|c| render_column(c, identity_seq.get(&(t.name.clone(), c.name.clone())))).collect();
    let named = |n: &Option<String>| n.as_ref().map(|n| format!("CONSTRAINT {} ", quote_ident(n))).unwrap_or_default();
    if let Some(pk) = &t.primary_key {
        lines.push(format!("    {}PRIMARY KEY ({})", named(&pk.name), idents(&pk.columns)));
    }
    for u in &t.uniques {
        lines.push(format!("    {}UNIQUE ({})", named(&u.name), idents(&u.columns)));
    }
    for c in t.checks.iter().filter(|c| c.validated) {
        lines.push(format!("    {}CHECK ({})", named(&c.name), c.expression));
    }
    let unlogged = if t.unlogged { "UNLOGGED " } else { "" };
    let _ = write!(out, "CREATE {unlogged}TABLE {} (\n{}\n)", qn(&t.name), lines.join(",\n"));
    if let Some(p) = &t.partition_by {
        let _ = write!(out, "\nPARTITION BY {p}");
    }
    out.push_str(";\n\n");
}

fn render_index(out: &mut String, table: &QualifiedName, i: &Index) {
    let keys: Vec<String> = i
        .keys
        .iter()
        .map(|k| {
            let mut s = match &k.part {
                IndexPart::Column(c) => quote_ident(c),
                IndexPart::Expression(e) => format!("({e})"),
            };
            if let Some(op) = &k.opclass {
                s.push(' ');
                s.push_str(&op.split('.').map(quote_ident).collect::<Vec<_>>().join("."));
            }
            if let Some(o) = &k.order {
                s.push(' ');
                s.push_str(o);
            }
            s
        })
        .collect();
    let unique = if i.unique { "UNIQUE " } else { "" };
    let _ = write!(
        out,
        "CREATE {unique}INDEX {} ON {} USING {} ({})",
        quote_ident(&i.name),
        qn(table),
        i.method,
        keys.join(", ")
    );
    if !i.include.is_empty() {
        let _ = write!(out, " INCLUDE ({})", idents(&i.include));
    }
    if let Some(p) = &i.predicate {
        let _ = write!(out, " WHERE {p}");
    }
    out.push_str(";\n\n");
}

fn render_view(out: &mut String, v: &View) {
    let kind = if v.materialized { "MATERIALIZED VIEW" } else { "VIEW" };
    let cols = if v.columns.is_empty() { String::new() } else { format!(" ({})", idents(&v.columns)) };
    let data = if v.materialized { "\n  WITH NO DATA" } else { "" };
    let _ = writeln!(out, "CREATE {kind} {}{cols} AS\n{}{data};\n", qn(&v.name), v.definition);
    for i in &v.indexes {
        render_index(out, &v.name, i);
    }
}

/// Views after the views they read; otherwise by name.
fn views_in_dependency_order(views: &[View]) -> Vec<&View> {
    let mut done: BTreeSet<&QualifiedName> = BTreeSet::new();
    let mut out = Vec::with_capacity(views.len());
    let names: BTreeSet<&QualifiedName> = views.iter().map(|v| &v.name).collect();
    while out.len() < views.len() {
        let before = out.len();
        for v in views {
            if done.contains(&v.name) {
                continue;
            }
            let ready = v
                .depends_on
                .iter()
                .all(|d| d.relation == v.name || !names.contains(&d.relation) || done.contains(&d.relation));
            if ready {
                done.insert(&v.name);
                out.push(v);
            }
        }
        if out.len() == before {
            // A cycle cannot be created in PostgreSQL; render the rest in name order regardless.
            out.extend(views.iter().filter(|v| !done.contains(&v.name)));
            break;
        }
    }
    out
}

//! [`Schema`] → canonical SQLite DDL: tables (columns in order, then primary key, uniques,
//! checks, foreign keys), their indexes, views and triggers, each group sorted by name.
//! Identifiers are always double-quoted so no name can collide with a keyword. What SQLite
//! cannot express (sequences, enums, functions, extensions, partitioning) is listed in a
//! leading comment rather than dropped silently.

use std::fmt::Write;

use crate::schema::{Column, FkAction, ForeignKey, Identity, Index, IndexPart, QualifiedName, Schema, Table};

pub fn render(schema: &Schema) -> String {
    let mut schema = schema.clone();
    schema.canonicalize();
    let mut out = String::new();

    let mut omitted: Vec<String> = Vec::new();
    omitted.extend(schema.extensions.iter().map(|e| format!("extension {}", e.name)));
    omitted.extend(schema.enums.iter().map(|e| format!("enum type {}", e.name)));
    omitted.extend(schema.composites.iter().map(|c| format!("composite type {}", c.name)));
    omitted.extend(schema.sequences.iter().map(|s| format!("sequence {}", s.name)));
    omitted.extend(schema.functions.iter().map(|f| format!("function {}({})", f.name, f.arguments)));
    for t in &schema.tables {
        if let Some(p) = &t.partition_by {
            omitted.push(format!("partitioning of {} ({p})", t.name));
        }
    }
    for v in schema.views.iter().filter(|v| v.materialized) {
        omitted.push(format!("materialized view {} (rendered as a plain view)", v.name));
    }
    if !omitted.is_empty() {
        out.push_str("-- Not expressible in SQLite:\n");
        for o in &omitted {
            let _ = writeln!(out, "--   {o}");
        }
        out.push('\n');
    }

    for t in &schema.tables {
        render_table(&mut out, t);
        for index in &t.indexes {
            render_index(&mut out, &t.name, index);
        }
        out.push('\n');
    }
    for v in &schema.views {
        if v.columns.is_empty() {
            let _ = writeln!(out, "CREATE VIEW {} AS {};", name(&v.name), v.definition.trim().trim_end_matches(';'));
        } else {
            let cols: Vec<String> = v.columns.iter().map(|c| ident(c)).collect();
            let _ = writeln!(
                out,
                "CREATE VIEW {} ({}) AS {};",
                name(&v.name),
                cols.join(", "),
                v.definition.trim().trim_end_matches(';')
            );
        }
        for index in &v.indexes {
            let _ = writeln!(out, "-- index {} on view {} is not expressible in SQLite", index.name, v.name);
        }
    }
    if !schema.views.is_empty() {
        out.push('\n');
    }
    for tr in &schema.triggers {
        // The model keeps no trigger body; SQLite has no trigger functions to point at.
        let when = tr.when.as_deref().map(|w| format!(" WHEN {w}")).unwrap_or_default();
        let _ = writeln!(
            out,
            "-- trigger {} {} {} ON {}{}{} EXECUTE {}",
            ident(&tr.name),
            tr.timing,
            tr.events.join(" OR "),
            name(&tr.table),
            if tr.for_each_row { " FOR EACH ROW" } else { "" },
            when,
            tr.function
        );
    }
    if !schema.migrations.is_empty() {
        out.push_str("INSERT INTO \"schema_migrations\" (\"version\") VALUES\n");
        let values: Vec<String> = schema.migrations.iter().map(|v| format!("({})", literal(v))).collect();
        out.push_str(&values.join(",\n"));
        out.push_str(";\n");
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

fn render_table(out: &mut String, t: &Table) {
    if let Some(c) = &t.comment {
        let _ = writeln!(out, "-- {}: {}", t.name, c.replace('\n', " "));
    }
    let _ = writeln!(out, "CREATE TABLE {} (", name(&t.name));
    let mut items: Vec<String> = Vec::new();
    // A single-column integer key with an identity is SQLite's rowid alias, written inline.
    let inline_pk = t.primary_key.as_ref().and_then(|pk| match pk.columns.as_slice() {
        [col] if t.column(col).is_some_and(|c| c.identity.is_some()) => Some(col.clone()),
        _ => None,
    });
    for c in &t.columns {
        items.push(column(c, inline_pk.as_deref() == Some(c.name.as_str())));
    }
    if let Some(pk) = &t.primary_key
        && inline_pk.is_none()
    {
        items.push(format!("{}PRIMARY KEY ({})", constraint_name(pk.name.as_deref()), idents(&pk.columns)));
    }
    for u in &t.uniques {
        items.push(format!("{}UNIQUE ({})", constraint_name(u.name.as_deref()), idents(&u.columns)));
    }
    for ch in &t.checks {
        items.push(format!("{}CHECK ({})", constraint_name(ch.name.as_deref()), strip_outer_parens(&ch.expression)));
    }
    for fk in &t.foreign_keys {
        items.push(foreign_key(fk));
    }
    for (i, item) in items.iter().enumerate() {
        let comma = if i + 1 < items.len() { "," } else { "" };
        let _ = writeln!(out, "  {item}{comma}");
    }
    out.push_str(");\n");
}

fn column(c: &Column, inline_pk: bool) -> String {
    let mut s = ident(&c.name);
    if !c.data_type.is_empty() {
        s.push(' ');
        s.push_str(&c.data_type);
    }
    if inline_pk {
        s.push_str(" PRIMARY KEY");
        if c.identity == Some(Identity::AutoIncrement) {
            s.push_str(" AUTOINCREMENT");
        }
    }
    if !c.nullable {
        s.push_str(" NOT NULL");
    }
    if let Some(coll) = &c.collation {
        let _ = write!(s, " COLLATE {}", ident(coll));
    }
    if let Some(d) = &c.default {
        // Anything but a literal or a bare keyword must be parenthesized in SQLite.
        if is_simple_default(d) {
            let _ = write!(s, " DEFAULT {d}");
        } else {
            let _ = write!(s, " DEFAULT ({})", strip_outer_parens(d));
        }
    }
    if let Some(g) = &c.generated {
        let _ = write!(s, " GENERATED ALWAYS AS ({}) STORED", strip_outer_parens(g));
    }
    s
}

fn is_simple_default(d: &str) -> bool {
    let d = d.trim();
    let upper = d.to_ascii_uppercase();
    let quoted =
        d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'') && !d[1..d.len() - 1].replace("''", "").contains('\'');
    quoted
        || d.parse::<f64>().is_ok()
        || matches!(upper.as_str(), "NULL" | "TRUE" | "FALSE" | "CURRENT_TIMESTAMP" | "CURRENT_DATE" | "CURRENT_TIME")
        || (d.starts_with('(') && d.ends_with(')'))
}

fn foreign_key(fk: &ForeignKey) -> String {
    let mut s = format!(
        "{}FOREIGN KEY ({}) REFERENCES {}",
        constraint_name(fk.name.as_deref()),
        idents(&fk.columns),
        name(&fk.references)
    );
    if !fk.referenced_columns.is_empty() {
        let _ = write!(s, " ({})", idents(&fk.referenced_columns));
    }
    if fk.on_update != FkAction::NoAction {
        let _ = write!(s, " ON UPDATE {}", fk.on_update.sql());
    }
    if fk.on_delete != FkAction::NoAction {
        let _ = write!(s, " ON DELETE {}", fk.on_delete.sql());
    }
    if fk.deferrable {
        s.push_str(" DEFERRABLE INITIALLY DEFERRED");
    }
    s
}

fn render_index(out: &mut String, table: &QualifiedName, index: &Index) {
    let keys: Vec<String> = index
        .keys
        .iter()
        .map(|k| {
            let mut s = match &k.part {
                IndexPart::Column(c) => ident(c),
                IndexPart::Expression(e) => e.clone(),
            };
            // SQLite knows only ASC/DESC; NULLS FIRST/LAST (3.30+) is kept as written.
            if let Some(o) = &k.order {
                s.push(' ');
                s.push_str(o);
            }
            s
        })
        .collect();
    let unique = if index.unique { "UNIQUE " } else { "" };
    let _ = write!(out, "CREATE {unique}INDEX {} ON {} ({})", ident(&index.name), name(table), keys.join(", "));
    if let Some(p) = &index.predicate {
        let _ = write!(out, " WHERE {p}");
    }
    out.push_str(";\n");
}

fn constraint_name(n: Option<&str>) -> String {
    n.map(|n| format!("CONSTRAINT {} ", ident(n))).unwrap_or_default()
}

/// `(expr)` → `expr` when the parentheses enclose the whole text.
fn strip_outer_parens(e: &str) -> &str {
    let e = e.trim();
    if !(e.starts_with('(') && e.ends_with(')')) {
        return e;
    }
    let mut depth = 0i32;
    let mut in_string = false;
    for (i, ch) in e.char_indices() {
        match ch {
            '\'' => in_string = !in_string,
            '(' if !in_string => depth += 1,
            ')' if !in_string => {
                depth -= 1;
                if depth == 0 && i + 1 < e.len() {
                    return e;
                }
            }
            _ => {}
        }
    }
    &e[1..e.len() - 1]
}

fn ident(n: &str) -> String {
    format!("\"{}\"", n.replace('"', "\"\""))
}

fn idents(cols: &[String]) -> String {
    cols.iter().map(|c| ident(c)).collect::<Vec<_>>().join(", ")
}

/// A relation name: SQLite's own schemas (`main`) and PostgreSQL's `public` are dropped.
fn name(q: &QualifiedName) -> String {
    match q.schema.as_deref() {
        Some(s) if s != "public" && s != "main" => format!("{}.{}", ident(s), ident(&q.name)),
        _ => ident(&q.name),
    }
}

fn literal(v: &str) -> String {
    format!("'{}'", v.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Dialect, IndexKey, PrimaryKey};

    #[test]
    fn renders_a_table_with_its_keys_and_indexes() {
        let mut s = Schema::new(Dialect::Sqlite);
        let mut t = Table::new(QualifiedName::unqualified("users"));
        let mut id = Column::new("id", "integer");
        id.nullable = false;
        id.identity = Some(Identity::AutoIncrement);
        t.columns.push(id);
        let mut email = Column::new("email", "varchar(255)");
        email.nullable = false;
        email.default = Some("''".to_owned());
        t.columns.push(email);
        t.primary_key = Some(PrimaryKey { name: None, columns: vec!["id".to_owned()] });
        t.indexes.push(Index {
            name: "index_users_on_email".to_owned(),
            unique: true,
            method: "btree".to_owned(),
            keys: vec![IndexKey::column("email")],
            include: Vec::new(),
            predicate: Some("email <> ''".to_owned()),
        });
        s.tables.push(t);
        assert_eq!(
            render(&s),
            "CREATE TABLE \"users\" (\n  \"id\" integer PRIMARY KEY AUTOINCREMENT NOT NULL,\n  \
             \"email\" varchar(255) NOT NULL DEFAULT ''\n);\n\
             CREATE UNIQUE INDEX \"index_users_on_email\" ON \"users\" (\"email\") WHERE email <> '';\n"
        );
    }

    #[test]
    fn outer_parentheses_are_stripped_only_when_they_enclose_everything() {
        assert_eq!(strip_outer_parens("(a > 0)"), "a > 0");
        assert_eq!(strip_outer_parens("(a) + (b)"), "(a) + (b)");
        assert_eq!(strip_outer_parens("(')(')"), "')('");
    }
}

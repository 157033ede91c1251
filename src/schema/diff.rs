//! Semantic diff of two schemas: what exists in one and not the other, and what differs in
//! objects both have. Formatting, ordering and comments never count: the readers already reduced
//! both sides to canonical forms, and this module ignores order and comments.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::schema::{Column, ForeignKey, Index, Schema, Table};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Present in the first schema only.
    Removed,
    /// Present in the second schema only.
    Added,
    /// Present in both, with a different `field`.
    Changed,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Difference {
    /// `table`, `column`, `index`, `primary_key`, `unique`, `check`, `foreign_key`, `view`, `enum`,
    /// `composite_type`, `sequence`, `function`, `trigger`, `extension`, `namespace`, `migration`.
    pub kind: &'static str,
    pub object: String,
    pub change: ChangeKind,
    /// For `changed`: which property differs (`type`, `nullable`, `default`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub a: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub b: Option<String>,
}

/// Differences between `a` and `b`, sorted by object then kind.
pub fn diff(a: &Schema, b: &Schema) -> Vec<Difference> {
    let mut out = Differ::default();
    out.keyed("namespace", &a.namespaces, &b.namespaces, |n| n.clone(), |_, _, _, _| {});
    out.keyed(
        "extension",
        &a.extensions,
        &b.extensions,
        |e| e.name.clone(),
        |d, o, x, y| {
            d.field(o, "extension", "schema", &x.schema, &y.schema);
        },
    );
    out.keyed(
        "enum",
        &a.enums,
        &b.enums,
        |e| e.name.to_string(),
        |d, o, x, y| {
            d.field(o, "enum", "values", &x.values.join(", "), &y.values.join(", "));
        },
    );
    out.keyed(
        "composite_type",
        &a.composites,
        &b.composites,
        |c| c.name.to_string(),
        |d, o, x, y| {
            let show = |c: &crate::schema::CompositeType| {
                c.attributes.iter().map(|a| format!("{} {}", a.name, a.data_type)).collect::<Vec<_>>().join(", ")
            };
            d.field(o, "composite_type", "attributes", &show(x), &show(y));
        },
    );
    out.keyed(
        "sequence",
        &a.sequences,
        &b.sequences,
        |s| s.name.to_string(),
        |d, o, x, y| {
            d.field(
                o,
                "sequence",
                "owned_by",
                &x.owned_by.as_ref().map(|c| c.to_string()),
                &y.owned_by.as_ref().map(|c| c.to_string()),
            );
        },
    );
    out.keyed("table", &a.tables, &b.tables, |t| t.name.to_string(), table_diff);
    out.keyed(
        "view",
        &a.views,
        &b.views,
        |v| v.name.to_string(),
        |d, o, x, y| {
            d.field(o, "view", "materialized", &x.materialized, &y.materialized);
            d.field(o, "view", "definition", &x.definition, &y.definition);
            d.keyed("index", &x.indexes, &y.indexes, |i| format!("{o}.{}", i.name), index_diff);
        },
    );
    out.keyed(
        "function",
        &a.functions,
        &b.functions,
        |f| format!("{}({})", f.name, f.arguments),
        |d, o, x, y| {
            d.field(o, "function", "returns", &x.returns, &y.returns);
            d.field(o, "function", "language", &x.language, &y.language);
            d.field(o, "function", "body", &squash(&x.body), &squash(&y.body));
        },
    );
    out.keyed(
        "trigger",
        &a.triggers,
        &b.triggers,
        |t| format!("{}.{}", t.table, t.name),
        |d, o, x, y| {
            d.field(o, "trigger", "function", &x.function.to_string(), &y.function.to_string());
            d.field(o, "trigger", "timing", &x.timing, &y.timing);
            d.field(o, "trigger", "events", &x.events.join(" OR "), &y.events.join(" OR "));
            d.field(o, "trigger", "for_each_row", &x.for_each_row, &y.for_each_row);
            d.field(o, "trigger", "when", &x.when, &y.when);
        },
    );
    out.keyed("migration", &a.migrations, &b.migrations, |m| m.clone(), |_, _, _, _| {});
    let mut list = out.0;
    list.sort_by(|x, y| (&x.object, x.kind, &x.change, x.field).cmp(&(&y.object, y.kind, &y.change, y.field)));
    list
}

fn table_diff(d: &mut Differ, o: &str, x: &Table, y: &Table) {
    d.field(o, "table", "unlogged", &x.unlogged, &y.unlogged);
    d.field(o, "table", "partition_by", &x.partition_by, &y.partition_by);
    let part = |t: &Table| t.partition_of.as_ref().map(|p| format!("{} {}", p.parent, p.bound));
    d.field(o, "table", "partition_of", &part(x), &part(y));
    d.keyed("column", &x.columns, &y.columns, |c| format!("{o}.{}", c.name), column_diff);
    let pk = |t: &Table| t.primary_key.as_ref().map(|p| p.columns.join(", "));
    d.field(o, "primary_key", "columns", &pk(x), &pk(y));
    // Unnamed constraints (schema.rb, SQLite) are matched by content; named ones by name.
    d.keyed(
        "unique",
        &x.uniques,
        &y.uniques,
        |u| format!("{o}.{}", u.name.clone().unwrap_or_else(|| u.columns.join(","))),
        |d, o, x, y| {
            d.field(o, "unique", "columns", &x.columns.join(", "), &y.columns.join(", "));
        },
    );
    d.keyed(
        "check",
        &x.checks,
        &y.checks,
        |c| format!("{o}.{}", c.name.clone().unwrap_or_else(|| c.expression.clone())),
        |d, o, x, y| {
            d.field(o, "check", "expression", &x.expression, &y.expression);
            d.field(o, "check", "validated", &x.validated, &y.validated);
        },
    );
    d.keyed("index", &x.indexes, &y.indexes, |i| format!("{o}.{}", i.name), index_diff);
    d.keyed(
        "foreign_key",
        &x.foreign_keys,
        &y.foreign_keys,
        |f| format!("{o}.{}", fk_key(f)),
        |d, o, x, y| {
            d.field(o, "foreign_key", "definition", &fk_text(x), &fk_text(y));
            d.field(o, "foreign_key", "validated", &x.validated, &y.validated);
        },
    );
}

fn column_diff(d: &mut Differ, o: &str, x: &Column, y: &Column) {
    d.field(o, "column", "type", &x.data_type, &y.data_type);
    d.field(o, "column", "nullable", &x.nullable, &y.nullable);
    d.field(o, "column", "default", &x.default, &y.default);
    d.field(o, "column", "identity", &x.identity.map(|i| format!("{i:?}")), &y.identity.map(|i| format!("{i:?}")));
    d.field(o, "column", "generated", &x.generated, &y.generated);
    d.field(o, "column", "collation", &x.collation, &y.collation);
}

fn index_diff(d: &mut Differ, o: &str, x: &Index, y: &Index) {
    d.field(o, "index", "definition", &index_text(x), &index_text(y));
}

pub(crate) fn index_text(i: &Index) -> String {
    let keys: Vec<String> = i
        .keys
        .iter()
        .map(|k| {
            let mut s = match &k.part {
                crate::schema::IndexPart::Column(c) => c.clone(),
                crate::schema::IndexPart::Expression(e) => format!("({e})"),
            };
            if let Some(op) = &k.opclass {
                s.push(' ');
                s.push_str(op);
            }
            if let Some(ord) = &k.order {
                s.push(' ');
                s.push_str(ord);
            }
            s
        })
        .collect();
    let mut s = format!("{}{} ({})", if i.unique { "UNIQUE " } else { "" }, i.method, keys.join(", "));
    if !i.include.is_empty() {
        s.push_str(&format!(" INCLUDE ({})", i.include.join(", ")));
    }
    if let Some(p) = &i.predicate {
        s.push_str(&format!(" WHERE {p}"));
    }
    s
}

fn fk_key(f: &ForeignKey) -> String {
    f.name.clone().unwrap_or_else(|| format!("({}) → {}", f.columns.join(", "), f.references))
}

fn fk_text(f: &ForeignKey) -> String {
    let mut s = format!("({}) REFERENCES {} ({})", f.columns.join(", "), f.references, f.referenced_columns.join(", "));
    if f.on_delete != Default::default() {
        s.push_str(&format!(" ON DELETE {}", f.on_delete.sql()));
    }
    if f.on_update != Default::default() {
        s.push_str(&format!(" ON UPDATE {}", f.on_update.sql()));
    }
    if f.deferrable {
        s.push_str(" DEFERRABLE");
    }
    s
}

/// Whitespace runs collapse to one space: a function body re-indented is the same body.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Default)]
struct Differ(Vec<Difference>);

impl Differ {
    fn keyed<T>(
        &mut self,
        kind: &'static str,
        a: &[T],
        b: &[T],
        key: impl Fn(&T) -> String,
        mut both: impl FnMut(&mut Differ, &str, &T, &T),
    ) {
        let left: BTreeMap<String, &T> = a.iter().map(|x| (key(x), x)).collect();
        let right: BTreeMap<String, &T> = b.iter().map(|x| (key(x), x)).collect();
        for (k, x) in &left {
            match right.get(k) {
                Some(y) => both(self, k, x, y),
                None => self.0.push(Difference {
                    kind,
                    object: k.clone(),
                    change: ChangeKind::Removed,
                    field: None,
                    a: None,
                    b: None,
                }),
            }
        }
        for k in right.keys().filter(|k| !left.contains_key(*k)) {
            self.0.push(Difference {
                kind,
                object: k.clone(),
                change: ChangeKind::Added,
                field: None,
                a: None,
                b: None,
            });
        }
    }

    fn field<V: PartialEq + Show>(&mut self, object: &str, kind: &'static str, field: &'static str, a: &V, b: &V) {
        if a != b {
            self.0.push(Difference {
                kind,
                object: object.to_owned(),
                change: ChangeKind::Changed,
                field: Some(field),
                a: Some(a.show()),
                b: Some(b.show()),
            });
        }
    }
}

trait Show {
    fn show(&self) -> String;
}

impl Show for String {
    fn show(&self) -> String {
        self.clone()
    }
}

impl Show for bool {
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Show for Option<String> {
    fn show(&self) -> String {
        self.clone().unwrap_or_else(|| "(none)".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, Dialect, IndexKey, QualifiedName, Table};

    fn users() -> Table {
        let mut t = Table::new(QualifiedName::new(Some("public"), "users"));
        t.columns.push(Column::new("id", "bigint"));
        t.columns.push(Column::new("email", "text"));
        t
    }

    #[test]
    fn equal_schemas_have_no_differences_whatever_the_column_order() {
        let mut a = Schema::new(Dialect::Postgres);
        a.tables.push(users());
        let mut b = a.clone();
        b.tables[0].columns.reverse();
        b.tables[0].comment = Some("comments never count".into());
        assert!(diff(&a, &b).is_empty());
    }

    #[test]
    fn reports_added_removed_and_changed_objects() {
        let mut a = Schema::new(Dialect::Postgres);
        a.tables.push(users());
        a.migrations = vec!["1".into(), "2".into()];
        let mut b = a.clone();
        b.tables[0].columns[1].data_type = "character varying(255)".into();
        b.tables[0].columns[1].nullable = false;
        b.tables[0].columns.push(Column::new("name", "text"));
        b.tables[0].indexes.push(Index {
            name: "users_email".into(),
            unique: true,
            method: "btree".into(),
            keys: vec![IndexKey::column("email")],
            include: vec![],
            predicate: None,
        });
        b.migrations.pop();
        let d = diff(&a, &b);
        let summary: Vec<(String, &str, ChangeKind, Option<&str>)> =
            d.iter().map(|x| (x.object.clone(), x.kind, x.change.clone(), x.field)).collect();
        assert_eq!(
            summary,
            vec![
                ("2".into(), "migration", ChangeKind::Removed, None),
                ("public.users.email".into(), "column", ChangeKind::Changed, Some("nullable")),
                ("public.users.email".into(), "column", ChangeKind::Changed, Some("type")),
                ("public.users.name".into(), "column", ChangeKind::Added, None),
                ("public.users.users_email".into(), "index", ChangeKind::Added, None),
            ]
        );
    }
}

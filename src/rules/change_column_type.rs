//! The destructive gate for a column type change: apps deployed now read and write the old type.
//! A widening that PostgreSQL does without a rewrite (varchar(50) → varchar(100), varchar → text)
//! keeps every value readable and is only a warning.

use crate::config::Framework;
use crate::framework::recipe::{Change, gate_on};
use crate::migration::OpKind;
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::Subject;
use crate::rules::types::{rewrites, same};
use crate::rules::{OpContext, absent_target};
use crate::schema::Dialect;

pub struct Rule;

fn recipe(table: &str, column: &str, new_type: &str, fw: Option<Framework>, dialect: Dialect) -> Vec<String> {
    let new_column = format!("{column}_new");
    gate_on(
        &Change::ChangeType { table: table.into(), column: column.into(), new_column, new_type: new_type.into() },
        fw,
        dialect,
    )
}

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "change-column-type"
    }
    fn summary(&self) -> &'static str {
        "Changing the type of a column an app still uses"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn gate(&self) -> bool {
        true
    }
    fn consults_gate(&self, op: &OpKind) -> bool {
        matches!(op, OpKind::ChangeColumnType { .. })
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::ChangeColumnType { table, column, new_type, using } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_column(table, column) {
            return vec![];
        }
        // Ecto's `modify`, Rails' `change_column` and Django's `AlterField` restate the type when
        // they change only nullability or a default: the same type is no type change.
        if using.is_none() && cx.state.column(table, column).is_some_and(|c| same(&c.data_type, new_type)) {
            return vec![];
        }
        let subject = Subject::column(table, column);
        let mut f = cx.gate.finding(
            self.id(),
            &cx.op.span,
            &format!("changes the type of {} {{}} to `{new_type}`", cx.state.schema.dialect.nouns().0),
            &subject,
            &|fw| recipe(&table.name, column, new_type, fw, cx.state.schema.dialect),
        );
        let widening =
            using.is_none() && cx.state.column(table, column).is_some_and(|c| !rewrites(&c.data_type, new_type));
        if widening && f.severity == Severity::Block && !f.references.is_empty() {
            f.severity = Severity::Warn;
            f.message.push_str("; the change only widens the type, so the values apps read stay valid");
        }
        // `prisma migrate` removes an enum value by making the type anew (`X_new`, or `X` after
        // the old one is renamed `X_old`) and moving the columns to it: what changes is the
        // values a row may hold. The new type's values are those this migration created it with.
        let created = cx.migration.up[..cx.index].iter().rev().find_map(|op| match &op.kind {
            OpKind::CreateEnum { name, values } if enum_named(new_type, &name.name) => Some(values.as_slice()),
            _ => None,
        });
        if let Some(old) = cx.state.column(table, column).and_then(|c| enum_values(&cx.state.schema, &c.data_type))
            && let Some(new) = created.or_else(|| enum_values(&cx.state.schema, new_type))
        {
            let removed: Vec<String> = old.iter().filter(|v| !new.contains(v)).map(|v| format!("`{v}`")).collect();
            if !removed.is_empty() {
                let (one, many) = ("the enum value", "the enum values");
                f.message.push_str(&format!(
                    "; {} {} {} removed: a row holding {} makes the change fail, and an app that writes {} fails after it",
                    if removed.len() == 1 { one } else { many },
                    removed.join(", "),
                    if removed.len() == 1 { "is" } else { "are" },
                    if removed.len() == 1 { "it" } else { "one" },
                    if removed.len() == 1 { "it" } else { "one" },
                ));
            }
        }
        absent_target(
            cx,
            &mut f,
            &format!("changes the type of {}", cx.state.schema.dialect.nouns().0),
            table,
            Some(column),
            false,
        );
        vec![f]
    }
}

/// The values of the enum type a column type names (`"Role"`, `public."Role_new"`, `role[]`).
fn enum_values<'s>(schema: &'s crate::schema::Schema, data_type: &str) -> Option<&'s [String]> {
    schema.enums.iter().find(|e| enum_named(data_type, &e.name.name)).map(|e| e.values.as_slice())
}

/// Whether column type `data_type` names the type `name`, whatever its schema and quotes.
fn enum_named(data_type: &str, name: &str) -> bool {
    let base = data_type.trim().trim_end_matches("[]");
    base.rsplit('.').next().is_some_and(|n| n.trim_matches('"') == name)
}

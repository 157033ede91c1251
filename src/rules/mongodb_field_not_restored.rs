//! A MongoDB migration that renames (`$rename`) or removes (`$unset`) a field and whose down part
//! does not bring it back: rolling the release back leaves the previous code reading a field that
//! is no longer there. A rename is restored by the inverse `$rename`; a removed field by a down
//! part that writes it again (from a copy the up part kept).

use crate::migration::{Direction, Migration, OpKind};
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};
use crate::schema::{Dialect, QualifiedName};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "mongodb-field-not-restored"
    }
    fn summary(&self) -> &'static str {
        "A `$rename` or `$unset` of a MongoDB field that no down part restores"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn applies_to(&self, dialect: Dialect) -> bool {
        dialect == Dialect::Mongodb
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let m = cx.migration;
        let (table, field, what, restored) = match &cx.op.kind {
            OpKind::RenameColumn { table, from, to } => (table, from, "renames", renamed_back(m, table, from, to)),
            OpKind::DropColumn { table, column, .. } => (table, column, "removes", written_back(m, table, column)),
            _ => return vec![],
        };
        if restored || cx.state.is_new_column(table, field) {
            return vec![];
        }
        let down =
            if m.down.is_some() { "its down part does not restore it" } else { "the migration has no down part" };
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "migration {} {what} field `{table}.{field}` and {down}: rolling the release back leaves the previous code without it",
                    m.version
                ),
            )
            .object(format!("{table}.{field}"))
            .recipe(match &cx.op.kind {
                OpKind::RenameColumn { to, .. } => vec![format!(
                    "in `down`: db.collection('{table}').updateMany({{ {to}: {{ $exists: true }} }}, {{ $rename: {{ '{to}': '{field}' }} }})"
                )],
                _ => vec![
                    format!("keep the values before removing them (copy `{field}` to a backup field or collection in `up`)"),
                    format!("and write them back in `down` (`$set` / `$rename` of `{field}` on `{table}`)"),
                ],
            }),
        ]
    }
}

/// Whether the down part renames `to` back to `from` on `table`.
fn renamed_back(m: &Migration, table: &QualifiedName, from: &str, to: &str) -> bool {
    m.down.iter().flatten().any(|o| {
        matches!(&o.kind, OpKind::RenameColumn { table: t, from: f, to: back } if t.name == table.name && f == to && back == from)
    })
}

/// Whether the down part writes `field` of `table` again: renames something to it, or updates the
/// collection with a call that names it.
fn written_back(m: &Migration, table: &QualifiedName, field: &str) -> bool {
    m.down.iter().flatten().filter(|o| o.direction == Direction::Down).any(|o| match &o.kind {
        OpKind::RenameColumn { table: t, to, .. } => t.name == table.name && to == field,
        OpKind::AddColumn { table: t, column, .. } => t.name == table.name && column.name == field,
        OpKind::Data { table: Some(t), verb } if t.name == table.name && verb.starts_with("UPDATE") => {
            m.source.get(o.span.start..o.span.end).is_some_and(|call| call.contains(field))
        }
        _ => false,
    })
}

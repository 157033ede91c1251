//! A constraint is a guarantee every app sharing the database relies on, often without knowing
//! it: a unique constraint behind `ON CONFLICT` or a find-or-create, a foreign key that keeps
//! orphans out, a check the code never repeats. Dropping it lets bad rows in for every app.

use crate::migration::OpKind;
use crate::rules::finding::{Finding, Severity};
use crate::rules::{OpContext, added_constraint};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "ban-drop-constraint"
    }
    fn summary(&self) -> &'static str {
        "Dropping a constraint removes a guarantee the apps rely on"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropConstraint { table, name, .. } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_table(table) {
            return vec![];
        }
        // Dropped and added again under the same name in the same transaction (how Prisma and
        // Django change a foreign key's ON DELETE): no app ever sees the table without it.
        let re_added = cx.in_transaction
            && cx.migration.up[cx.index + 1..].iter().any(|op| {
                added_constraint(&op.kind).is_some_and(|(t, n)| t.matches(table) && n.eq_ignore_ascii_case(name))
            });
        if re_added {
            return vec![];
        }
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "dropping constraint `{name}` on `{table}` lets rows in that it rejected: every app that relies on it (a unique key behind an upsert, a foreign key behind a join) gets them"
                ),
            )
            .object(table.to_string())
            .recipe([
                format!("make sure no app relies on `{name}` (an upsert or find-or-create on its columns, a join assuming the referenced row exists)"),
                "to change a constraint, add the new one (NOT VALID, then VALIDATE CONSTRAINT) before dropping the old one, or drop and add it again in one transaction".to_owned(),
            ]),
        ]
    }
}

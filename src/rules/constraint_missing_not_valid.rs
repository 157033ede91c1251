//! `ADD CONSTRAINT … CHECK` scans the whole table under an ACCESS EXCLUSIVE lock.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "constraint-missing-not-valid"
    }
    fn summary(&self) -> &'static str {
        "Add check constraints NOT VALID, then VALIDATE them separately"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::AddCheck { table, constraint, not_valid: false } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_table(table) {
            return vec![];
        }
        let name = constraint.name.clone().unwrap_or_else(|| format!("{}_check", table.name));
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "adding check constraint `{name}` scans all of `{table}` while locking it against reads and writes"
                ),
            )
            .object(name.clone())
            .recipe([
                format!("ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({}) NOT VALID;", constraint.expression),
                format!("in a later migration: ALTER TABLE {table} VALIDATE CONSTRAINT {name};"),
            ]),
        ]
    }
}

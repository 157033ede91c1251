//! `ADD CONSTRAINT … UNIQUE` builds its index while holding an ACCESS EXCLUSIVE lock.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "disallowed-unique-constraint"
    }
    fn summary(&self) -> &'static str {
        "Build unique constraints from an index created concurrently"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::AddUnique { table, constraint, using_index: None } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_table(table) {
            return vec![];
        }
        let cols = constraint.columns.join(", ");
        let name =
            constraint.name.clone().unwrap_or_else(|| format!("{}_{}_key", table.name, constraint.columns.join("_")));
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "adding unique constraint `{name}` builds its index on `{table}` while blocking reads and writes"
                ),
            )
            .object(name.clone())
            .recipe([
                format!("CREATE UNIQUE INDEX CONCURRENTLY {name}_idx ON {table} ({cols}); (outside a transaction)"),
                format!("ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE USING INDEX {name}_idx;"),
            ]),
        ]
    }
}

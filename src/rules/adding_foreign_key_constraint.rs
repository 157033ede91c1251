//! Adding a foreign key validates every existing row while holding a SHARE ROW EXCLUSIVE lock on
//! both tables, blocking writes to each.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "adding-foreign-key-constraint"
    }
    fn summary(&self) -> &'static str {
        "Add foreign keys NOT VALID, then VALIDATE them separately"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::AddForeignKey { table, key, not_valid: false } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_table(table) {
            return vec![];
        }
        let name = key.name.clone().unwrap_or_else(|| format!("{}_{}_fkey", table.name, key.columns.join("_")));
        let cols = key.columns.join(", ");
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "adding foreign key `{name}` validates every row of `{table}` while blocking writes to `{table}` and `{}`",
                    key.references
                ),
            )
            .object(name.clone())
            .recipe([
                format!(
                    "ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({cols}) REFERENCES {} ({}) NOT VALID;",
                    key.references,
                    key.referenced_columns.join(", ")
                ),
                format!("in a later migration: ALTER TABLE {table} VALIDATE CONSTRAINT {name}; (takes only SHARE UPDATE EXCLUSIVE)"),
                "Rails: add_foreign_key …, validate: false, then validate_foreign_key in the next migration".to_owned(),
            ]),
        ]
    }
}

//! Dropping NOT NULL lets NULLs into a column that the code deployed now (and every reader of the
//! shared database) assumes always has a value.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "ban-drop-not-null"
    }
    fn summary(&self) -> &'static str {
        "Dropping NOT NULL breaks readers that assume a value"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropNotNull { table, column } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_column(table, column) {
            return vec![];
        }
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!("dropping NOT NULL on `{table}.{column}` lets NULLs reach readers that assume a value"),
            )
            .object(format!("{table}.{column}"))
            .recipe([
                format!(
                    "make every app handle a NULL `{column}` (check `tandem refs {}.{column}`) and deploy them first",
                    table.name
                ),
                "then drop the constraint".to_owned(),
            ]),
        ]
    }
}

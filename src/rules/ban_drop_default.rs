//! The code deployed now keeps inserting without the column while the migration runs and until
//! every app is updated; without its default, such an insert stores NULL — or fails, when the
//! column is NOT NULL.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "ban-drop-default"
    }
    fn summary(&self) -> &'static str {
        "Dropping a default breaks inserts that leave the column out"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropDefault { table, column } = &cx.op.kind else { return vec![] };
        // A column added earlier in this migration counts: adding it with a default to fill the
        // existing rows and then dropping the default is exactly what breaks the deployed code,
        // which inserts without it. Only a new table has no such inserts.
        if cx.state.is_new_table(table) {
            return vec![];
        }
        // MySQL's `MODIFY` restates the whole column, so one without `DEFAULT` drops a default
        // only if the column had one. A column the schema does not know may have had one.
        let known = cx.state.column(table, column);
        if known.is_some_and(|c| c.default.is_none()) {
            return vec![];
        }
        let not_null = known.is_some_and(|c| !c.nullable);
        let outcome = if not_null { "fails (the column is NOT NULL)" } else { "stores NULL instead" };
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!("dropping the default of `{table}.{column}`: an insert that leaves `{column}` out {outcome}"),
            )
            .object(format!("{table}.{column}"))
            .recipe([
                format!(
                    "make every app write `{column}` explicitly on insert (check `tandem refs {}.{column}`) and deploy them first",
                    table.name
                ),
                "then drop the default".to_owned(),
            ]),
        ]
    }
}

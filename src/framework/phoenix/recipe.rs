//! Ecto's side of an expand/contract change: a schema reads and writes every declared field, and
//! `source:` maps a field's name onto another column.

use crate::framework::recipe::{Change, CodeStep, Moment, step};

pub fn code_steps(change: &Change) -> Vec<CodeStep> {
    match change {
        Change::RenameColumn { table, from, to } => vec![
            step(
                Moment::Now,
                format!(
                    "in the Ecto schema of `{table}`: turn `field :{from}` into `field :{to}, …, source: :{from}` and move the code to `{to}`, deploy"
                ),
            ),
            step(
                Moment::AfterBackfill,
                format!(
                    "switch to the new column: `field :{to}` without `source:` (Ecto stops writing `{from}`), deploy"
                ),
            ),
        ],
        Change::ChangeType { table, column, new_column, .. } => vec![
            step(
                Moment::AfterBackfill,
                format!(
                    "add `field :{new_column}` to the Ecto schema of `{table}` and move reads and writes to it, deploy"
                ),
            ),
            step(Moment::BeforeContract, format!("remove `field :{column}` from the Ecto schema, deploy")),
        ],
        Change::RenameTable { to, .. } => {
            vec![step(Moment::AfterBackfill, format!("change the Ecto schema to `schema \"{to}\"`"))]
        }
        Change::DropColumn { table, column } => vec![
            step(
                Moment::BeforeContract,
                format!(
                    "remove `field :{column}` from the Ecto schema of `{table}` and every use of it (queries, changesets)"
                ),
            ),
            step(Moment::BeforeContract, "deploy"),
        ],
        Change::DropTable { table } => vec![step(
            Moment::BeforeContract,
            format!("delete the Ecto schema of `{table}` (`schema \"{table}\"`) and every use of it"),
        )],
    }
}

//! Ecto's side of an expand/contract change: a schema reads and writes every declared field, and
//! `source:` maps a field's name onto another column.

use crate::framework::recipe::{Change, CodeStep, mapped};

pub fn code_steps(change: &Change) -> Vec<CodeStep> {
    let texts = match change {
        Change::RenameColumn { table, from, to } => vec![
            format!(
                "in the Ecto schema of `{table}`: turn `field :{from}` into `field :{to}, …, source: :{from}` and move the code to `{to}`, deploy"
            ),
            format!("switch to the new column: `field :{to}` without `source:` (Ecto stops writing `{from}`), deploy"),
        ],
        Change::ChangeType { table, column, new_column, .. } => vec![
            format!(
                "add `field :{new_column}` to the Ecto schema of `{table}` and move reads and writes to it, deploy"
            ),
            format!("remove `field :{column}` from the Ecto schema, deploy"),
        ],
        Change::RenameTable { to, .. } => {
            vec![format!("change the Ecto schema to `schema \"{to}\"`")]
        }
        Change::DropColumn { table, column } => vec![
            format!(
                "remove `field :{column}` from the Ecto schema of `{table}` and every use of it (queries, changesets)"
            ),
            "deploy".to_owned(),
        ],
        Change::DropTable { table } => {
            vec![format!("delete the Ecto schema of `{table}` (`schema \"{table}\"`) and every use of it")]
        }
    };
    mapped(change, texts)
}

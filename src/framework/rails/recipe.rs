//! ActiveRecord's side of an expand/contract change: it caches every column of a model's table,
//! so a column goes only after `ignored_columns` names it; `alias_attribute` lets the code use a
//! new name before the column has it.

use crate::framework::recipe::{Change, CodeStep, mapped};

pub fn code_steps(change: &Change) -> Vec<CodeStep> {
    let texts = match change {
        Change::RenameColumn { table, from, to } => vec![
            format!("in the model of `{table}`: `alias_attribute :{to}, :{from}` and move the code to `{to}`, deploy"),
            format!(
                "remove the `alias_attribute` so that `{to}` is its own column, and stop writing `{from}`: `self.ignored_columns += [\"{from}\"]`, deploy"
            ),
        ],
        Change::ChangeType { table, column, new_column, .. } => vec![
            format!("in the model of `{table}`: move reads and writes to `{new_column}`, deploy"),
            format!("`self.ignored_columns += [\"{column}\"]`, deploy"),
        ],
        Change::RenameTable { to, .. } => {
            vec![format!("point the model at the new name: `self.table_name = \"{to}\"`")]
        }
        Change::DropColumn { table, column } => vec![
            format!(
                "in the model of `{table}`: `self.ignored_columns += [\"{column}\"]` and remove every use of `{column}`"
            ),
            "deploy: ActiveRecord stops loading and writing the column".to_owned(),
        ],
        Change::DropTable { table } => {
            vec![format!("delete the model of `{table}` and every use of it (associations, queries, raw SQL)")]
        }
    };
    mapped(change, texts)
}

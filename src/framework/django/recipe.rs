//! Django's side of an expand/contract change: a model selects every field, `db_column` maps a
//! field's name onto another column, and state-only migrations change what Django believes
//! without touching the shared database.

use crate::framework::recipe::{Change, CodeStep, mapped};

pub fn code_steps(change: &Change) -> Vec<CodeStep> {
    let texts = match change {
        Change::RenameColumn { table, from, to } => vec![
            format!(
                "in the model of `{table}`: rename the field to `{to}` with `db_column=\"{from}\"` in a state-only migration (SeparateDatabaseAndState), deploy"
            ),
            format!("remove `db_column` so that `{to}` reads its own column (state only), deploy"),
        ],
        Change::ChangeType { table, new_column, .. } => vec![
            format!("add the field `{new_column}` to the model of `{table}` (state only) and move reads to it, deploy"),
            "remove the old field with SeparateDatabaseAndState (state only), deploy".to_owned(),
        ],
        Change::RenameTable { to, .. } => {
            vec![format!("set `db_table = \"{to}\"` in the model's Meta (AlterModelTable)")]
        }
        Change::DropColumn { column, .. } => vec![
            format!(
                "remove the field `{column}` from the model with a migration that only changes state: SeparateDatabaseAndState(state_operations=[RemoveField(…)])"
            ),
            "deploy: Django stops selecting the column".to_owned(),
        ],
        Change::DropTable { table } => vec![format!(
            "delete the model of `{table}` with a migration that only changes state: SeparateDatabaseAndState(state_operations=[DeleteModel(…)])"
        )],
    };
    mapped(change, texts)
}

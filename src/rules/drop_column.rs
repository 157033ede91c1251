//! The destructive gate for `DROP COLUMN`: blocks while any app, deployed or next, uses the
//! column (an ORM that maps the table counts) or a view that reads it.

use crate::check::finding::{Finding, Severity};
use crate::check::gate::Subject;
use crate::config::Framework;
use crate::migration::OpKind;
use crate::rules::{OpContext, absent_target};

pub struct Rule;

fn recipe(table: &str, column: &str, fw: Option<Framework>) -> Vec<String> {
    let mut steps = match fw {
        Some(Framework::Rails) => vec![
            format!(
                "in the model of `{table}`: `self.ignored_columns += [\"{column}\"]` and remove every use of `{column}`"
            ),
            "deploy: ActiveRecord stops loading and writing the column".to_owned(),
        ],
        Some(Framework::Phoenix) => vec![
            format!(
                "remove `field :{column}` from the Ecto schema of `{table}` and every use of it (queries, changesets)"
            ),
            "deploy".to_owned(),
        ],
        Some(Framework::Django) => vec![
            format!(
                "remove the field `{column}` from the model with a migration that only changes state: SeparateDatabaseAndState(state_operations=[RemoveField(…)])"
            ),
            "deploy: Django stops selecting the column".to_owned(),
        ],
        Some(Framework::Sqlalchemy)
        | Some(Framework::Prisma)
        | Some(Framework::Drizzle)
        | Some(Framework::Typeorm)
        | Some(Framework::Sequelize) => vec![
            format!(
                "remove `{column}` from the model/schema declaration of `{table}` (the ORM lists declared columns in its SQL) and every use"
            ),
            "deploy".to_owned(),
        ],
        _ => vec![format!("remove every use of `{table}.{column}`"), "deploy".to_owned()],
    };
    steps.push(format!("then drop `{table}.{column}` (check with `tandem refs {table}.{column}`)"));
    steps
}

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "drop-column"
    }
    fn summary(&self) -> &'static str {
        "Dropping a column an app still uses"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn gate(&self) -> bool {
        true
    }
    fn consults_gate(&self, op: &OpKind) -> bool {
        matches!(op, OpKind::DropColumn { .. })
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropColumn { table, column, if_exists } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_column(table, column) {
            return vec![];
        }
        let mut subject = Subject::column(table, column);
        subject.dependents = cx.state.dependent_views(table, Some(column));
        let mut f =
            cx.gate.finding(self.id(), &cx.op.span, "drops column", &subject, &|fw| recipe(&table.name, column, fw));
        absent_target(cx, &mut f, "drops column", table, Some(column), *if_exists);
        vec![f]
    }
}

//! The destructive gate for `RENAME COLUMN`: to every app still using the old name, a rename is
//! a drop. Done as expand/contract instead.

use crate::check::finding::{Finding, Severity};
use crate::check::gate::Subject;
use crate::config::Framework;
use crate::migration::OpKind;
use crate::rules::{OpContext, absent_target};

pub struct Rule;

fn recipe(table: &str, from: &str, to: &str, fw: Option<Framework>) -> Vec<String> {
    let stop = match fw {
        Some(Framework::Rails) => format!("stop writing `{from}`: `self.ignored_columns += [\"{from}\"]`, deploy"),
        Some(Framework::Phoenix) => format!("remove `field :{from}` from the Ecto schema, deploy"),
        Some(Framework::Django) => "remove the old field with SeparateDatabaseAndState (state only), deploy".to_owned(),
        _ => format!("stop reading and writing `{from}`, deploy"),
    };
    vec![
        format!(
            "expand: ALTER TABLE {table} ADD COLUMN {to} …; (`tandem plan rename-column {table}.{from} {table}.{to}` writes the steps)"
        ),
        format!("write to both `{from}` and `{to}` (app code or a trigger), backfill `{to}` in batches"),
        format!("move every read to `{to}`, deploy"),
        stop,
        format!("contract: ALTER TABLE {table} DROP COLUMN {from};"),
    ]
}

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "rename-column"
    }
    fn summary(&self) -> &'static str {
        "Renaming a column an app still uses"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn gate(&self) -> bool {
        true
    }
    fn consults_gate(&self, op: &OpKind) -> bool {
        matches!(op, OpKind::RenameColumn { .. })
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::RenameColumn { table, from, to } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_column(table, from) {
            return vec![];
        }
        let subject = Subject::column(table, from);
        let mut f =
            cx.gate.finding(self.id(), &cx.op.span, &format!("renames column {{}} to `{to}`"), &subject, &|fw| {
                recipe(&table.name, from, to, fw)
            });
        absent_target(cx, &mut f, "renames column", table, Some(from), false);
        vec![f]
    }
}

//! The destructive gate for `RENAME COLUMN`: to every app still using the old name, a rename is
//! a drop. Done as expand/contract instead.

use crate::config::Framework;
use crate::framework::recipe::{Change, gate_on};
use crate::migration::OpKind;
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::Subject;
use crate::rules::{OpContext, absent_target};
use crate::schema::Dialect;

pub struct Rule;

fn recipe(table: &str, from: &str, to: &str, fw: Option<Framework>, dialect: Dialect) -> Vec<String> {
    gate_on(&Change::RenameColumn { table: table.into(), from: from.into(), to: to.into() }, fw, dialect)
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
        let mut f = cx.gate.finding(
            self.id(),
            &cx.op.span,
            &format!("renames {} {{}} to `{to}`", cx.state.schema.dialect.nouns().0),
            &subject,
            &|fw| recipe(&table.name, from, to, fw, cx.state.schema.dialect),
        );
        absent_target(cx, &mut f, &format!("renames {}", cx.state.schema.dialect.nouns().0), table, Some(from), false);
        vec![f]
    }
}

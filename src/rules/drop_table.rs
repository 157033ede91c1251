//! The destructive gate for `DROP TABLE`: blocks while any app, deployed or next, uses the table,
//! any of its columns, or a view that reads it.

use crate::config::Framework;
use crate::framework::recipe::{Change, gate_on};
use crate::migration::OpKind;
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::Subject;
use crate::rules::{OpContext, absent_target};
use crate::schema::Dialect;

pub struct Rule;

fn recipe(table: &str, fw: Option<Framework>, dialect: Dialect) -> Vec<String> {
    gate_on(&Change::DropTable { table: table.into() }, fw, dialect)
}

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "drop-table"
    }
    fn summary(&self) -> &'static str {
        "Dropping a table an app still uses"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn gate(&self) -> bool {
        true
    }
    fn consults_gate(&self, op: &OpKind) -> bool {
        matches!(op, OpKind::DropTable { .. })
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropTable { table, if_exists, .. } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_table(table) {
            return vec![];
        }
        let mut subject = Subject::table(table);
        subject.dependents = cx.state.dependent_views(table, None);
        let mut f = cx.gate.finding(
            self.id(),
            &cx.op.span,
            &format!("drops {}", cx.state.schema.dialect.nouns().1),
            &subject,
            &|fw| recipe(&table.name, fw, cx.state.schema.dialect),
        );
        absent_target(cx, &mut f, &format!("drops {}", cx.state.schema.dialect.nouns().1), table, None, *if_exists);
        vec![f]
    }
}

//! The destructive gate for `DROP COLUMN`: blocks while any app, deployed or next, uses the
//! column (an ORM that maps the table counts) or a view that reads it.

use crate::config::Framework;
use crate::framework::recipe::{Change, gate_on};
use crate::migration::OpKind;
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::Subject;
use crate::rules::{OpContext, absent_target};
use crate::schema::Dialect;

pub struct Rule;

fn recipe(table: &str, column: &str, fw: Option<Framework>, dialect: Dialect) -> Vec<String> {
    gate_on(&Change::DropColumn { table: table.into(), column: column.into() }, fw, dialect)
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
        let mut f = cx.gate.finding(
            self.id(),
            &cx.op.span,
            &format!("drops {}", cx.state.schema.dialect.nouns().0),
            &subject,
            &|fw| recipe(&table.name, column, fw, cx.state.schema.dialect),
        );
        absent_target(
            cx,
            &mut f,
            &format!("drops {}", cx.state.schema.dialect.nouns().0),
            table,
            Some(column),
            *if_exists,
        );
        vec![f]
    }
}

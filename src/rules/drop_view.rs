//! The destructive gate for `DROP VIEW`: apps query views like tables.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::Subject;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "drop-view"
    }
    fn summary(&self) -> &'static str {
        "Dropping a view an app still uses"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn gate(&self) -> bool {
        true
    }
    fn consults_gate(&self, op: &OpKind) -> bool {
        matches!(op, OpKind::DropView { .. })
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropView { name, materialized, .. } = &cx.op.kind else { return vec![] };
        // `CREATE OR REPLACE` cannot change a view's columns, so migrations drop and recreate it:
        // a drop followed by a create of the same name is a redefinition, not a removal.
        let recreated = cx.migration.up[cx.index + 1..]
            .iter()
            .any(|op| matches!(&op.kind, OpKind::CreateView { view, .. } if view.name.matches(name)));
        if recreated {
            return vec![];
        }
        let mut subject = Subject::table(name);
        subject.dependents = cx.state.dependent_views(name, None);
        let what = if *materialized { "drops materialized view" } else { "drops view" };
        let view = name.to_string();
        vec![cx.gate.finding(self.id(), &cx.op.span, what, &subject, &|_| {
            vec![format!("remove every query of `{view}` from the app"), "deploy".into(), format!("then drop `{view}`")]
        })]
    }
}

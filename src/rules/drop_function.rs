//! The destructive gate for `DROP FUNCTION`: raw SQL in an app may call it.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::Subject;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "drop-function"
    }
    fn summary(&self) -> &'static str {
        "Dropping a function an app still calls"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn gate(&self) -> bool {
        true
    }
    fn consults_gate(&self, op: &OpKind) -> bool {
        matches!(op, OpKind::DropFunction { .. })
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropFunction { name, .. } = &cx.op.kind else { return vec![] };
        let recreated = cx.migration.up[cx.index + 1..]
            .iter()
            .any(|op| matches!(&op.kind, OpKind::CreateFunction { name: n, .. } if n.matches(name)));
        if recreated {
            return vec![];
        }
        // The scanner records objects as relations; a function called from an app's SQL is
        // recorded under its name.
        let subject = Subject::table(name);
        let f = name.to_string();
        vec![cx.gate.finding(self.id(), &cx.op.span, "drops function", &subject, &|_| {
            vec![format!("remove every call of `{f}` from the app"), "deploy".into(), format!("then drop `{f}`")]
        })]
    }
}

//! The destructive gate for `DROP TYPE`: with CASCADE it drops every column of the type; apps
//! that read those columns break.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::{Subject, object};
use crate::rules::types::parse;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "drop-type"
    }
    fn summary(&self) -> &'static str {
        "Dropping a type whose columns an app still uses"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn gate(&self) -> bool {
        true
    }
    fn consults_gate(&self, op: &OpKind) -> bool {
        matches!(op, OpKind::DropType { .. })
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropType { name, .. } = &cx.op.kind else { return vec![] };
        let wanted = parse(&name.name).base;
        let mut subject = Subject::table(name);
        for t in &cx.state.schema.tables {
            for c in &t.columns {
                let ty = parse(&c.data_type);
                let base = ty.base.rsplit('.').next().unwrap_or(&ty.base);
                if base == wanted {
                    subject.dependents.push(object(&t.name, Some(&c.name)));
                }
            }
        }
        let ty = name.to_string();
        vec![cx.gate.finding(self.id(), &cx.op.span, "drops type", &subject, &|_| {
            vec![
                format!("move every column of type `{ty}` to another type (expand/contract per column) or drop them once unused"),
                "deploy every app".into(),
                format!("then drop `{ty}`"),
            ]
        })]
    }
}

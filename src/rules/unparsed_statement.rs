//! A statement the reader could not understand cannot be checked: the check fails closed.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "unparsed-statement"
    }
    fn summary(&self) -> &'static str {
        "A statement tandem could not analyse (blocks in CI mode)"
    }
    fn applies_to(&self, _dialect: crate::schema::Dialect) -> bool {
        true
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::Unparsed { text, reason } = &cx.op.kind else { return vec![] };
        let first = text.lines().next().unwrap_or_default().trim();
        let severity = if cx.strict { Severity::Block } else { Severity::Warn };
        vec![
            Finding::new(
                self.id(),
                severity,
                format!("cannot analyse `{first}`: {reason}; it may drop or rename something an app uses"),
            )
            .recipe([
                "rewrite the statement in a form tandem reads (plain SQL, or the framework's migration DSL)",
                "or, after reviewing it by hand, allow it: `-- tandem:allow unparsed-statement reason=\"…\"` on the line before",
            ]),
        ]
    }
}

//! `json` stores text and re-parses it on every access, has no equality operator (so no
//! DISTINCT, GROUP BY or unique index), and cannot be indexed with GIN. `jsonb` can.

use crate::rules::finding::{Finding, Severity};
use crate::rules::{OpContext, prefer_type};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "prefer-jsonb"
    }
    fn summary(&self) -> &'static str {
        "Use jsonb instead of json"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        prefer_type(
            self,
            &cx.op.kind,
            "json",
            "is `json`: it is re-parsed on every read, cannot be compared or GIN-indexed",
            "jsonb",
        )
    }
}

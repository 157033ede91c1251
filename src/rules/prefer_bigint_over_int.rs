//! A 32-bit integer key runs out at 2,147,483,647; widening it later rewrites the table and every
//! index on it under an ACCESS EXCLUSIVE lock. `bigint` costs four bytes more per row. A style
//! rule: off unless apps.toml's `[lint] enable` names it.

use crate::rules::finding::{Finding, Severity};
use crate::rules::{OpContext, prefer_type};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "prefer-bigint-over-int"
    }
    fn summary(&self) -> &'static str {
        "Use bigint instead of integer (style, off by default)"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn on_by_default(&self) -> bool {
        false
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        prefer_type(
            self,
            &cx.op.kind,
            "integer",
            "is a 32-bit integer: it overflows at 2^31, and widening it later rewrites the table",
            "bigint",
        )
    }
}

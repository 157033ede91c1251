//! `timestamp` (without time zone) stores a wall-clock reading with no zone: two apps with
//! different session time zones read and write different instants for the same value.
//! `timestamptz` stores the instant. A style rule: off unless apps.toml's `[lint] enable` names it.

use crate::rules::finding::{Finding, Severity};
use crate::rules::{OpContext, prefer_type};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "prefer-timestamp-tz"
    }
    fn summary(&self) -> &'static str {
        "Use timestamptz instead of timestamp (style, off by default)"
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
            "timestamp without time zone",
            "is a timestamp without time zone: apps in different session time zones read different instants from it",
            "timestamptz (timestamp with time zone)",
        )
    }
}

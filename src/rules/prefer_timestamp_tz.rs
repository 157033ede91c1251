//! `timestamp` (without time zone) stores a wall-clock reading with no zone: two apps with
//! different session time zones read and write different instants for the same value.
//! `timestamptz` stores the instant. A style rule: off unless apps.toml's `[lint] enable` names it.

use crate::rules::finding::{Finding, Severity};
use crate::rules::{OpContext, typed_columns};

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
        typed_columns(&cx.op.kind)
            .into_iter()
            .filter(|(.., ty)| super::types::parse(ty).base == "timestamp without time zone")
            .map(|(table, c, _)| {
                Finding::new(
                    self.id(),
                    self.severity(),
                    format!("`{table}.{c}` is a timestamp without time zone: apps in different session time zones read different instants from it"),
                )
                .object(format!("{table}.{c}"))
                .recipe([format!("declare `{table}.{c}` as timestamptz (timestamp with time zone)")])
            })
            .collect()
    }
}

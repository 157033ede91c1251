//! `json` stores text and re-parses it on every access, has no equality operator (so no
//! DISTINCT, GROUP BY or unique index), and cannot be indexed with GIN. `jsonb` can.

use crate::rules::finding::{Finding, Severity};
use crate::rules::{OpContext, typed_columns};

pub struct Rule;

fn is_json(ty: &str) -> bool {
    super::types::parse(ty).base == "json"
}

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
        typed_columns(&cx.op.kind)
            .into_iter()
            .filter(|(.., ty)| is_json(ty))
            .map(|(table, c, _)| {
                Finding::new(
                    self.id(),
                    self.severity(),
                    format!(
                        "`{table}.{c}` is `json`: it is re-parsed on every read, cannot be compared or GIN-indexed"
                    ),
                )
                .object(format!("{table}.{c}"))
                .recipe([format!("declare `{table}.{c}` as jsonb")])
            })
            .collect()
    }
}

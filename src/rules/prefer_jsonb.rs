//! `json` stores text and re-parses it on every access, has no equality operator (so no
//! DISTINCT, GROUP BY or unique index), and cannot be indexed with GIN. `jsonb` can.

use crate::check::finding::{Finding, Severity};
use crate::migration::OpKind;
use crate::rules::OpContext;

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
        let (table, columns): (_, Vec<&str>) = match &cx.op.kind {
            OpKind::AddColumn { table, column, .. } if is_json(&column.data_type) => (table, vec![&column.name]),
            OpKind::ChangeColumnType { table, column, new_type, .. } if is_json(new_type) => (table, vec![column]),
            OpKind::CreateTable { table, columns, .. } => {
                (table, columns.iter().filter(|c| is_json(&c.data_type)).map(|c| c.name.as_str()).collect())
            }
            _ => return vec![],
        };
        columns
            .into_iter()
            .map(|c| {
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

//! A type change that is not binary-coercible rewrites the table and every index under an ACCESS
//! EXCLUSIVE lock. Squawk calls it `changing-column-type`, which read as the gate's
//! `change-column-type`; the old id stays accepted.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};
use crate::rules::types::rewrites;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "type-change-rewrites-table"
    }
    fn aliases(&self) -> &'static [&'static str] {
        &["changing-column-type"]
    }
    fn summary(&self) -> &'static str {
        "A column type change that rewrites the table"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::ChangeColumnType { table, column, new_type, using } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_table(table) {
            return vec![];
        }
        let message = match cx.state.column(table, column) {
            // A USING expression may compute anything: PostgreSQL rewrites whenever one is given
            // with a different type.
            // The same type restated (a nullability or default change) rewrites nothing either.
            Some(old) if !rewrites(&old.data_type, new_type) && using.is_none() => return vec![],
            Some(old) => format!(
                "changing `{table}.{column}` from `{}` to `{new_type}` rewrites `{table}` and its indexes under an ACCESS EXCLUSIVE lock",
                old.data_type
            ),
            None => format!(
                "changing `{table}.{column}` to `{new_type}`: the column is not in the schema, so whether it rewrites `{table}` cannot be told; assume it does"
            ),
        };
        vec![
            Finding::new(self.id(), self.severity(), message).object(format!("{table}.{column}")).recipe([
                format!("add a new column of type {new_type}"),
                "write to both columns (app code or a trigger), backfill in batches".to_owned(),
                "move reads to the new column, stop writing the old one, then drop it".to_owned(),
                "changes that never rewrite: varchar(n) → varchar(m ≥ n) or text, numeric(p,s) → numeric(q ≥ p,s), timestamp → timestamptz with TimeZone=UTC (PostgreSQL 12+)".to_owned(),
            ]),
        ]
    }
}

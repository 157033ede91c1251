//! A NOT NULL column without a default cannot be added to a table that has rows: the migration
//! fails, and the apps deployed now do not write the column either.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "adding-required-field"
    }
    fn summary(&self) -> &'static str {
        "A NOT NULL column needs a default (or to be added nullable, backfilled, then constrained)"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::AddColumn { table, column, .. } = &cx.op.kind else { return vec![] };
        if column.nullable || column.default.is_some() || column.identity.is_some() || column.generated.is_some() {
            return vec![];
        }
        if super::types::parse(&column.data_type).base.contains("serial") || cx.state.is_new_table(table) {
            return vec![];
        }
        let c = &column.name;
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "adding NOT NULL column `{table}.{c}` without a default fails on a table with rows, and the apps deployed now insert rows without it"
                ),
            )
            .object(format!("{table}.{c}"))
            .recipe([
                format!("add it nullable: ALTER TABLE {table} ADD COLUMN {c} {};", column.data_type),
                "deploy the apps so that they write it; backfill existing rows in batches".to_owned(),
                format!("then make it NOT NULL through a validated CHECK ({c} IS NOT NULL) NOT VALID constraint (see adding-not-nullable-field)"),
                "or, when a constant default is right for every row, add it with DEFAULT (no rewrite since PostgreSQL 11)".to_owned(),
            ]),
        ]
    }
}

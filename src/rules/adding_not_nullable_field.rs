//! `SET NOT NULL` on an existing column scans the whole table under an ACCESS EXCLUSIVE lock,
//! unless a validated `CHECK (col IS NOT NULL)` already proves it (PostgreSQL 12+).

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "adding-not-nullable-field"
    }
    fn summary(&self) -> &'static str {
        "SET NOT NULL on an existing column through a validated CHECK constraint"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::SetNotNull { table, column } = &cx.op.kind else { return vec![] };
        // Only a table created in this migration has no rows: a column added to an existing
        // table earlier in the migration (and backfilled) is checked on every row all the same.
        if cx.state.is_new_table(table) {
            return vec![];
        }
        // InnoDB makes a column NOT NULL in place with concurrent reads and writes allowed
        // (online DDL: in place, rebuilds the table, permits concurrent DML): no lock to warn of.
        if cx.state.schema.dialect == crate::name::Dialect::Mysql {
            return vec![];
        }
        let proven = cx.state.table(table).is_some_and(|t| {
            t.checks.iter().any(|c| {
                let e = c.expression.to_ascii_lowercase().replace(['(', ')', '"'], "");
                c.validated && e.trim() == format!("{column} is not null")
            })
        });
        if proven {
            return vec![];
        }
        let check = format!("{}_{column}_not_null", table.name);
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!("SET NOT NULL on `{table}.{column}` scans every row while locking `{table}` against reads and writes"),
            )
            .object(format!("{table}.{column}"))
            .recipe([
                format!("ALTER TABLE {table} ADD CONSTRAINT {check} CHECK ({column} IS NOT NULL) NOT VALID;"),
                format!("in a later migration: ALTER TABLE {table} VALIDATE CONSTRAINT {check};"),
                format!("then: ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL; (PostgreSQL 12+ uses the constraint and skips the scan)"),
                format!("finally: ALTER TABLE {table} DROP CONSTRAINT {check};"),
            ]),
        ]
    }
}

//! `lock_timeout` bounds the wait for a lock; once the lock is held, a statement that rewrites or
//! scans a large table holds it for as long as it runs. `statement_timeout` bounds that, so a
//! migration that turns out slower than expected fails instead of blocking the apps for minutes.

use crate::migration::Format;
use crate::name::Dialect;
use crate::rules::MigrationContext;
use crate::rules::finding::{Finding, Severity};
use crate::rules::locks::first_unbounded_lock;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "require-statement-timeout"
    }
    fn summary(&self) -> &'static str {
        "Set statement_timeout before a statement that locks an existing table"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_migration(&self, cx: &MigrationContext<'_>) -> Vec<Finding> {
        // `prisma db push` runs SQL it writes itself: no statement of the user's to set
        // `statement_timeout` before (as for `require-lock-timeout`).
        if cx.migration.format == Format::PrismaSchema {
            return vec![];
        }
        // MySQL has no setting that bounds a DDL statement (`max_execution_time` bounds only
        // SELECT): nothing to require there.
        if cx.state.schema.dialect == Dialect::Mysql {
            return vec![];
        }
        let Some((i, table)) = first_unbounded_lock(cx.migration, cx.state, "statement_timeout") else {
            return vec![];
        };
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "this statement locks `{table}` with no statement_timeout set: if it runs long, it holds the lock and every query on `{table}` waits for as long"
                ),
            )
            .at(&cx.migration.up[i].span)
            .object(table.to_string())
            .recipe([
                "SET statement_timeout = '30s'; before the first statement (SET LOCAL inside a transaction), sized to what the statement should take",
                "for a statement that must run long (a backfill, a validation), move it out of the locking migration: NOT VALID then VALIDATE CONSTRAINT, an index built CONCURRENTLY",
            ]),
        ]
    }
}

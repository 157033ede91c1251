//! PostgreSQL refuses `CREATE INDEX CONCURRENTLY` (and `DROP INDEX CONCURRENTLY`) inside a
//! transaction block: the migration fails when it runs.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "ban-concurrent-index-creation-in-transaction"
    }
    fn summary(&self) -> &'static str {
        "CONCURRENTLY cannot run inside a transaction"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let (verb, name) = match &cx.op.kind {
            OpKind::AddIndex { index, concurrently: true, .. } => ("CREATE INDEX CONCURRENTLY", index.name.clone()),
            OpKind::DropIndex { name, concurrently: true, .. } => ("DROP INDEX CONCURRENTLY", name.to_string()),
            _ => return vec![],
        };
        if !cx.in_transaction {
            return vec![];
        }
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!("{verb} `{name}` runs inside a transaction; PostgreSQL rejects it and the migration fails"),
            )
            .object(name)
            .recipe([
                "run the migration outside a transaction: Rails `disable_ddl_transaction!`; Ecto `@disable_ddl_transaction true` and `@disable_migration_lock true`; Django `atomic = False`; dbmate `-- migrate:up transaction:false`; `tandem migrate`: a `-- tandem:no-transaction` line; remove explicit BEGIN/COMMIT around the statement",
                "keep the concurrent statement alone in its migration so that a failure leaves nothing half-applied",
            ]),
        ]
    }
}

//! `CREATE INDEX` without `CONCURRENTLY` holds a SHARE lock that blocks every write to the table
//! for as long as the build takes.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "require-concurrent-index-creation"
    }
    fn summary(&self) -> &'static str {
        "Build indexes on existing tables with CREATE INDEX CONCURRENTLY"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::AddIndex { table, index, concurrently: false, .. } = &cx.op.kind else { return vec![] };
        // `CONCURRENTLY` is PostgreSQL's: InnoDB builds and drops a secondary index in place while
        // writes go on, and the statement has no such option to recommend.
        if cx.state.schema.dialect != crate::name::Dialect::Postgres {
            return vec![];
        }
        // A table created in the same change has no rows and no traffic: a plain build is instant.
        if cx.state.is_new_table(table) {
            return vec![];
        }
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "creating index `{}` on `{table}` without CONCURRENTLY blocks writes to `{table}` until the build finishes",
                    index.name
                ),
            )
            .object(index.name.clone())
            .recipe([
                format!("CREATE INDEX CONCURRENTLY {} ON {table} (…);", index.name),
                "run it outside a transaction (Rails: disable_ddl_transaction! + algorithm: :concurrently; Ecto: @disable_ddl_transaction true, @disable_migration_lock true, concurrently: true)".to_owned(),
                "a failed concurrent build leaves an INVALID index: drop it and retry".to_owned(),
            ]),
        ]
    }
}

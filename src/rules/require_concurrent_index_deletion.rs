//! `DROP INDEX` without `CONCURRENTLY` takes an ACCESS EXCLUSIVE lock on the index's table.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "require-concurrent-index-deletion"
    }
    fn summary(&self) -> &'static str {
        "Drop indexes with DROP INDEX CONCURRENTLY"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropIndex { name, concurrently: false, if_exists } = &cx.op.kind else { return vec![] };
        // `CONCURRENTLY` is PostgreSQL's: InnoDB builds and drops a secondary index in place while
        // writes go on, and the statement has no such option to recommend.
        if cx.state.schema.dialect != crate::name::Dialect::Postgres {
            return vec![];
        }
        let if_exists = if *if_exists { "IF EXISTS " } else { "" };
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!("dropping index `{name}` without CONCURRENTLY locks its table against reads and writes"),
            )
            .object(name.to_string())
            .recipe([
                format!("DROP INDEX CONCURRENTLY {if_exists}{name};"),
                "run it outside a transaction (Rails: disable_ddl_transaction! + algorithm: :concurrently; Ecto: @disable_ddl_transaction true)".to_owned(),
            ]),
        ]
    }
}

//! `ADD PRIMARY KEY (col)` builds a unique index under an ACCESS EXCLUSIVE lock: reads and writes
//! on the table stop for as long as the build takes. Building the index CONCURRENTLY first and
//! then adding the key `USING INDEX` takes the lock only for a catalog update.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};
use crate::rules::locks::existed_before;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "adding-serial-primary-key-field"
    }
    fn summary(&self) -> &'static str {
        "Adding a primary key to an existing table blocks reads and writes while it builds its index"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::AddPrimaryKey { table, key, using_index: None } = &cx.op.kind else { return vec![] };
        if !existed_before(cx.migration, cx.index, cx.state, table) {
            return vec![];
        }
        let columns = key.columns.join(", ");
        let index = format!("{}_pkey", table.name);
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "adding a primary key on `{table}` ({columns}) builds its unique index under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole build"
                ),
            )
            .object(table.to_string())
            .recipe([
                format!("CREATE UNIQUE INDEX CONCURRENTLY {index} ON {table} ({columns}); in a migration without a transaction"),
                format!("ALTER TABLE {table} ADD CONSTRAINT {index} PRIMARY KEY USING INDEX {index};"),
            ]),
        ]
    }
}

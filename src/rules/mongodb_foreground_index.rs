//! A MongoDB index built in the foreground: before MongoDB 4.2 the build holds an exclusive lock
//! on the collection (every read and write waits) until it finishes. From 4.2 on every build is
//! the same optimized one, locking only at its start and end, and `background` is ignored — so
//! the finding is information, for registries whose server may be older.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};
use crate::schema::Dialect;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "mongodb-foreground-index"
    }
    fn summary(&self) -> &'static str {
        "A MongoDB index built without `background: true` blocks the collection on servers before 4.2"
    }
    fn severity(&self) -> Severity {
        Severity::Info
    }
    fn applies_to(&self, dialect: Dialect) -> bool {
        dialect == Dialect::Mongodb
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::AddIndex { table, index, concurrently: false, .. } = &cx.op.kind else { return vec![] };
        // A collection created in the same change is empty: the build is instant.
        if cx.state.is_new_table(table) {
            return vec![];
        }
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "index `{}` on `{table}` is built in the foreground: on a MongoDB server before 4.2 every read and write of `{table}` waits until it is built (4.2 and later ignore `background` and lock only at the start and end of the build)",
                    index.name
                ),
            )
            .object(index.name.clone())
            .recipe([
                format!("db.collection('{table}').createIndex({{ … }}, {{ background: true }}) on servers before 4.2"),
                "on a replica set, build large indexes one member at a time (rolling index build) to keep the primary free"
                    .to_owned(),
            ]),
        ]
    }
}

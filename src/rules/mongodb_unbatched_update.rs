//! An `updateMany` with an empty filter rewrites every document of a collection in one operation:
//! on a large collection it runs for minutes, floods the oplog (secondaries lag, a change stream
//! or a resumable reader falls behind) and leaves the apps reading a half-migrated collection
//! meanwhile, with nothing to resume from if it is interrupted.

use crate::migration::OpKind;
use crate::migration::readers::migrate_mongo::UPDATE_EVERY_DOCUMENT;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};
use crate::schema::Dialect;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "mongodb-unbatched-update"
    }
    fn summary(&self) -> &'static str {
        "An `updateMany` with an empty filter rewrites a whole MongoDB collection at once"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn applies_to(&self, dialect: Dialect) -> bool {
        dialect == Dialect::Mongodb
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::Data { verb, table: Some(table) } = &cx.op.kind else { return vec![] };
        if verb != UPDATE_EVERY_DOCUMENT || cx.state.is_new_table(table) {
            return vec![];
        }
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "`updateMany` with an empty filter rewrites every document of `{table}` in one operation: on a large collection it runs long, floods the oplog and cannot resume if interrupted"
                ),
            )
            .object(table.to_string())
            .recipe([
                "filter on what is left to do (`{ old: { $exists: true } }`), so that a rerun resumes where it stopped".to_owned(),
                format!(
                    "batch it: read `_id`s in pages of about 1000 (`db.collection('{table}').find(filter, {{ projection: {{ _id: 1 }} }}).limit(1000)`), `updateMany({{ _id: {{ $in: ids }} }}, …)` per page, pause between pages"
                ),
            ]),
        ]
    }
}

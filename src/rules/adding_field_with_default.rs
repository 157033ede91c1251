//! Since PostgreSQL 11, adding a column with a constant (or stable) default only touches the
//! catalog. A volatile default (`random()`, `gen_random_uuid()`, `clock_timestamp()`, a serial's
//! `nextval`) or a stored generated column still rewrites the table under an ACCESS EXCLUSIVE lock.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

/// Functions whose value differs per row: the default cannot be stored once in the catalog.
const VOLATILE: &[&str] = &[
    "random(",
    "gen_random_uuid(",
    "uuid_generate_v1(",
    "uuid_generate_v1mc(",
    "uuid_generate_v4(",
    "clock_timestamp(",
    "timeofday(",
    "nextval(",
    "txid_current(",
    "setseed(",
];

/// Why adding `column` rewrites the table, when it does.
fn rewrite_reason(column: &crate::schema::Column) -> Option<String> {
    let ty = super::types::parse(&column.data_type);
    let written = column.data_type.to_ascii_lowercase();
    if written.contains("serial") {
        return Some(format!("its type `{}` fills every row from a sequence", column.data_type));
    }
    if column.generated.is_some() {
        return Some("a stored generated column is computed for every row".into());
    }
    if column.identity.is_some() && !ty.base.is_empty() {
        return Some("an identity column is filled for every row".into());
    }
    let default = column.default.as_deref()?;
    let lower = default.to_ascii_lowercase().replace(' ', "");
    VOLATILE.iter().find(|f| lower.contains(*f)).map(|f| {
        format!("its default `{default}` is volatile ({}) and is evaluated for every row", f.trim_end_matches('('))
    })
}

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "adding-field-with-default"
    }
    fn summary(&self) -> &'static str {
        "A volatile default on a new column rewrites the table"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::AddColumn { table, column, .. } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_table(table) {
            return vec![];
        }
        let Some(reason) = rewrite_reason(column) else { return vec![] };
        let c = &column.name;
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!("adding `{table}.{c}` rewrites `{table}` under an ACCESS EXCLUSIVE lock: {reason}"),
            )
            .object(format!("{table}.{c}"))
            .recipe([
                format!("add the column without the default: ALTER TABLE {table} ADD COLUMN {c} {};", column.data_type),
                format!("set the default for new rows: ALTER TABLE {table} ALTER COLUMN {c} SET DEFAULT …;"),
                "backfill existing rows in batches outside the migration's transaction".to_owned(),
            ]),
        ]
    }
}

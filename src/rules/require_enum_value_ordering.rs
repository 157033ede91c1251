//! `ADD VALUE` without `BEFORE` or `AFTER` appends the value, and an enum sorts and compares in
//! declaration order: `ORDER BY status` and `status < 'done'` in every app silently change
//! meaning when the new value belongs elsewhere in the order.

use crate::migration::{Format, OpKind};
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

/// Whether the statement places the value: `BEFORE`/`AFTER` in SQL, `before:`/`after:` in a
/// Rails `add_enum_value`. Unknown (not SQL that parses) counts as placed, to stay quiet on what
/// cannot be read — the reader reports such statements itself.
fn placed(text: &str, format: Format) -> bool {
    // A value added to a Prisma enum for `prisma db push`: the push writes the `ALTER TYPE`, and
    // the user cannot say where it goes.
    if format == Format::PrismaSchema {
        return true;
    }
    if format != Format::Sql {
        let lower = text.to_ascii_lowercase();
        return lower.contains("before:") || lower.contains("after:");
    }
    let Ok(parsed) = pg_query::parse(text, 0) else { return true };
    parsed.protobuf.stmts.iter().all(|s| match s.stmt.as_ref().and_then(|n| n.node.as_ref()) {
        Some(pg_query::NodeEnum::AlterEnumStmt(ae)) => !ae.new_val_neighbor.is_empty(),
        _ => true,
    })
}

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "require-enum-value-ordering"
    }
    fn summary(&self) -> &'static str {
        "Say where a new enum value goes (BEFORE or AFTER)"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::AddEnumValue { name, value } = &cx.op.kind else { return vec![] };
        let span = &cx.op.span;
        let text = cx.migration.source.get(span.start..span.end).unwrap_or_default();
        if placed(text, cx.migration.format) {
            return vec![];
        }
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!(
                    "`{value}` is appended to enum `{name}`: values sort and compare in declaration order, so ORDER BY and comparisons on `{name}` put it last"
                ),
            )
            .object(name.to_string())
            .recipe([format!(
                "say where it goes: ALTER TYPE {name} ADD VALUE '{value}' BEFORE '…' (or AFTER '…'); keep the order on purpose if last is right"
            )]),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn before_or_after_places_the_value() {
        assert!(!placed("ALTER TYPE mood ADD VALUE 'meh'", Format::Sql));
        assert!(!placed("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'", Format::Sql));
        assert!(placed("ALTER TYPE mood ADD VALUE 'meh' AFTER 'ok'", Format::Sql));
        assert!(placed("ALTER TYPE mood ADD VALUE 'meh' BEFORE 'ok'", Format::Sql));
        assert!(!placed("add_enum_value :mood, \"meh\"", Format::Rails));
        assert!(placed("add_enum_value :mood, \"meh\", after: \"ok\"", Format::Rails));
    }
}

//! A migration that runs outside a transaction and fails half way leaves its first statements
//! applied: running it again fails on the first one (the table exists already) unless each
//! statement can run twice — `IF NOT EXISTS`, `IF EXISTS`, a constraint dropped `IF EXISTS` before
//! it is added. Inside a transaction the failure undoes everything, so the rule looks only at
//! statements outside one. A style rule: off unless apps.toml's `[lint] enable` names it.

use crate::migration::OpKind;
use crate::rules::finding::{Finding, Severity};
use crate::rules::{OpContext, added_constraint};

pub struct Rule;

/// What makes `op` safe to run again, when it is not already; `None` when it can run twice as is.
fn missing_guard(cx: &OpContext<'_>) -> Option<String> {
    use OpKind::*;
    Some(match &cx.op.kind {
        CreateTable { if_not_exists: false, .. }
        | AddColumn { if_not_exists: false, .. }
        | AddIndex { if_not_exists: false, .. } => "IF NOT EXISTS".into(),
        DropTable { if_exists: false, .. }
        | DropColumn { if_exists: false, .. }
        | DropIndex { if_exists: false, .. }
        | DropConstraint { if_exists: false, .. }
        | DropView { if_exists: false, .. }
        | DropFunction { if_exists: false, .. }
        | DropTrigger { if_exists: false, .. }
        | DropType { if_exists: false, .. } => "IF EXISTS".into(),
        RenameTable { .. } | RenameColumn { .. } => {
            "a check that the old name still exists (a DO block), as a rename cannot say IF EXISTS".into()
        }
        op => {
            let (table, name) = added_constraint(op)?;
            let dropped_before = cx.migration.up[..cx.index].iter().any(|o| {
                matches!(&o.kind, DropConstraint { table: t, name: n, if_exists: true }
                    if t.matches(table) && n.eq_ignore_ascii_case(name))
            });
            if dropped_before {
                return None;
            }
            format!("ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}; before it")
        }
    })
}

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "prefer-robust-stmts"
    }
    fn summary(&self) -> &'static str {
        "Outside a transaction, write statements that can run again (style, off by default)"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn on_by_default(&self) -> bool {
        false
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        if cx.in_transaction {
            return vec![];
        }
        let Some(guard) = missing_guard(cx) else { return vec![] };
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                "this statement runs outside a transaction and cannot run twice: if the migration fails after it, running the migration again fails here",
            )
            .recipe([format!("add {guard}")]),
        ]
    }
}

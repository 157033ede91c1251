//! Locks are held until the transaction ends. Once a statement has taken an ACCESS EXCLUSIVE lock
//! on a busy table, every further statement in the same transaction — waiting for another
//! table's lock, or scanning and writing rows — keeps all traffic to the first table stalled.

use crate::migration::OpKind;
use crate::rules::MigrationContext;
use crate::rules::finding::{Finding, Severity};
use crate::rules::locks::{Lock, existed_before, lock_of, transaction_flags};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "ddl-after-access-exclusive-lock"
    }
    fn summary(&self) -> &'static str {
        "Further statements while an ACCESS EXCLUSIVE lock is held in the same transaction"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_migration(&self, cx: &MigrationContext<'_>) -> Vec<Finding> {
        let m = cx.migration;
        let tx = transaction_flags(m);
        let mut held: Option<(String, u32)> = None;
        for (i, op) in m.up.iter().enumerate() {
            if !tx[i] || matches!(op.kind, OpKind::Begin | OpKind::Commit) {
                held = None;
                continue;
            }
            let lock = lock_of(&op.kind);
            if let Some((table, line)) = &held {
                let other_table = lock.as_ref().is_some_and(|(_, ts)| {
                    ts.iter().any(|t| t.to_string() != *table && existed_before(m, i, cx.state, t))
                });
                let data = matches!(op.kind, OpKind::Data { .. } | OpKind::Code { .. });
                if other_table || data {
                    let what = if data { "changes data" } else { "locks another table" };
                    return vec![
                        Finding::new(
                            self.id(),
                            self.severity(),
                            format!(
                                "this statement {what} while the ACCESS EXCLUSIVE lock on `{table}` taken at line {line} is held: `{table}` stays unreadable until the transaction commits"
                            ),
                        )
                        .at(&op.span)
                        .object(table.clone())
                        .recipe([
                            "split the migration: one lock-taking statement per transaction (or per migration)",
                            "move data changes (backfills) out of the transaction that alters the table",
                        ]),
                    ];
                }
            }
            if held.is_none()
                && let Some((Lock::AccessExclusive, tables)) = &lock
                && let Some(t) = tables.iter().find(|t| existed_before(m, i, cx.state, t))
            {
                held = Some((t.to_string(), op.span.line));
            }
        }
        vec![]
    }
}

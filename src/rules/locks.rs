//! Which lock an operation takes on which tables (PostgreSQL), for the lock-timeout and
//! lock-holding rules.

use crate::migration::OpKind;
use crate::schema::QualifiedName;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lock {
    /// Blocks writes (`CREATE INDEX`), not reads.
    Share,
    /// Blocks writes (`ADD FOREIGN KEY`, `CREATE TRIGGER`).
    ShareRowExclusive,
    /// Blocks everything, reads included.
    AccessExclusive,
}

/// The lock `op` takes and on which tables; `None` for operations that take no lock that
/// queues behind application traffic (concurrent index builds, creating new objects, settings).
pub fn lock_of(op: &OpKind) -> Option<(Lock, Vec<QualifiedName>)> {
    use OpKind::*;
    let one = |t: &QualifiedName| vec![t.clone()];
    Some(match op {
        DropTable { table, .. } => (Lock::AccessExclusive, one(table)),
        RenameTable { from, .. } => (Lock::AccessExclusive, one(from)),
        AddColumn { table, .. }
        | DropColumn { table, .. }
        | RenameColumn { table, .. }
        | ChangeColumnType { table, .. }
        | SetNotNull { table, .. }
        | DropNotNull { table, .. }
        | SetDefault { table, .. }
        | DropDefault { table, .. }
        | AddPrimaryKey { table, .. }
        | AddUnique { table, .. }
        | AddCheck { table, .. }
        | ValidateConstraint { table, .. }
        | DropConstraint { table, .. } => {
            // VALIDATE CONSTRAINT takes SHARE UPDATE EXCLUSIVE, which does not block reads or
            // writes; it is listed so that it counts as a statement run under a held lock.
            (Lock::AccessExclusive, one(table))
        }
        AddForeignKey { table, key, .. } => (Lock::ShareRowExclusive, vec![table.clone(), key.references.clone()]),
        // SQLite's `DROP TRIGGER name` names no table: which one it locks is not known.
        DropTrigger { table, .. } if table.name.is_empty() => return None,
        CreateTrigger { table, .. } | DropTrigger { table, .. } => (Lock::ShareRowExclusive, one(table)),
        AddIndex { table, concurrently: false, .. } => (Lock::Share, one(table)),
        DropIndex { name, concurrently: false, .. } => (Lock::AccessExclusive, one(name)),
        Truncate { tables, .. } => (Lock::AccessExclusive, tables.clone()),
        LockTable { tables, mode } => {
            let lock = if mode.eq_ignore_ascii_case("access exclusive") { Lock::AccessExclusive } else { Lock::Share };
            (lock, tables.clone())
        }
        DropView { name, .. } => (Lock::AccessExclusive, one(name)),
        _ => return None,
    })
}

/// Whether the operation is a schema change (as opposed to data, settings, transaction control).
pub fn is_ddl(op: &OpKind) -> bool {
    !matches!(
        op,
        OpKind::SetSetting { .. }
            | OpKind::Begin
            | OpKind::Commit
            | OpKind::Data { .. }
            | OpKind::Code { .. }
            | OpKind::Raw { .. }
            | OpKind::Unparsed { .. }
    )
}

/// For each operation of `m.up`, whether it runs inside a transaction: the migration's own
/// wrapping one, or an explicit `BEGIN` … `COMMIT`.
pub fn transaction_flags(m: &crate::migration::Migration) -> Vec<bool> {
    let mut in_tx = m.transactional;
    m.up.iter()
        .map(|op| match op.kind {
            OpKind::Begin => {
                in_tx = true;
                true
            }
            OpKind::Commit => {
                in_tx = false;
                true
            }
            _ => in_tx,
        })
        .collect()
}

/// Whether `table` existed before the migration (so it has rows and traffic): not created by an
/// operation of the migration before `index`, nor earlier in the checked change. A table the
/// schema does not know is assumed to exist — the schema may lag behind.
pub fn existed_before(
    m: &crate::migration::Migration,
    index: usize,
    state: &crate::rules::state::State,
    table: &QualifiedName,
) -> bool {
    !state.is_new_table(table)
        && !m.up[..index].iter().any(|op| match &op.kind {
            OpKind::CreateTable { table: t, .. } => t.matches(table),
            OpKind::RenameTable { to, .. } => to.matches(table),
            _ => false,
        })
}

/// The first statement of `m` that locks a table which existed before the migration, when no
/// `SET setting` (`lock_timeout`, `statement_timeout`) comes before it: its index and the table.
pub fn first_unbounded_lock(
    m: &crate::migration::Migration,
    state: &crate::rules::state::State,
    setting: &str,
) -> Option<(usize, QualifiedName)> {
    for (i, op) in m.up.iter().enumerate() {
        if let OpKind::SetSetting { name, .. } = &op.kind
            && name.eq_ignore_ascii_case(setting)
        {
            return None;
        }
        let Some((_, tables)) = lock_of(&op.kind) else { continue };
        if let Some(table) = tables.into_iter().find(|t| existed_before(m, i, state, t)) {
            return Some((i, table));
        }
    }
    None
}

//! The SQL of each phase, per dialect: the expand, the trigger that keeps both names in step,
//! the batched backfill and the contract, each with its down part.

use crate::error::{Diagnostic, Error, Result};
use crate::framework::recipe::Change;
use crate::plan::{Options, Phase, PhaseKind};
use crate::schema::{Column, Dialect, Schema, Table};

/// The phases of `change` against `schema` (the database before it).
pub fn phases(change: &Change, schema: &Schema, options: &Options) -> Result<Vec<Phase>> {
    let d = Sql { dialect: schema.dialect, options };
    match change {
        Change::RenameColumn { table, from, to } => {
            let t = table_of(schema, table)?;
            let c = column_of(t, from)?;
            absent_column(t, to)?;
            unread_by_views(schema, t, from)?;
            Ok(d.column_swap(t, c, to, &c.data_type, false))
        }
        Change::ChangeType { table, column, new_column, new_type } => {
            let t = table_of(schema, table)?;
            let c = column_of(t, column)?;
            absent_column(t, new_column)?;
            unread_by_views(schema, t, column)?;
            Ok(d.column_swap(t, c, new_column, new_type, true))
        }
        Change::RenameTable { from, to } => {
            table_of(schema, from)?;
            if schema.table(to).is_some() || schema.view(to).is_some() {
                return Err(Error::input(Diagnostic::new(format!("`{to}` already exists in the schema"))));
            }
            Ok(d.rename_table(from, to))
        }
        Change::DropColumn { table, column } => {
            let t = table_of(schema, table)?;
            let c = column_of(t, column)?;
            unread_by_views(schema, t, column)?;
            Ok(vec![d.drop_column(t, c)])
        }
        Change::DropTable { table } => {
            let t = table_of(schema, table)?;
            Ok(vec![d.drop_table(schema, t)])
        }
    }
}

fn table_of<'s>(schema: &'s Schema, name: &str) -> Result<&'s Table> {
    schema.table(name).ok_or_else(|| {
        Error::input(
            Diagnostic::new(format!("the schema has no table `{name}`"))
                .help("name a table of the registry's schema (`tandem schema show`)"),
        )
    })
}

fn column_of<'t>(table: &'t Table, name: &str) -> Result<&'t Column> {
    table.column(name).ok_or_else(|| {
        let known: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        Error::input(
            Diagnostic::new(format!("table `{}` has no column `{name}`", table.name.name))
                .help(format!("its columns: {}", known.join(", "))),
        )
    })
}

/// The contract drops the old column, which a view reading it would prevent: say so now rather
/// than at the last phase.
fn unread_by_views(schema: &Schema, table: &Table, column: &str) -> Result<()> {
    let views: Vec<String> = schema.views_using(&table.name, Some(column)).map(|v| format!("`{}`", v.name)).collect();
    if views.is_empty() {
        return Ok(());
    }
    Err(Error::input(
        Diagnostic::new(format!(
            "`{}.{column}` is read by {}: the contract could not drop it",
            table.name.name,
            views.join(", ")
        ))
        .help("recreate the views on the new column first (or drop them), then plan again"),
    ))
}

fn absent_column(table: &Table, name: &str) -> Result<()> {
    if table.column(name).is_some() {
        return Err(Error::input(Diagnostic::new(format!(
            "table `{}` already has a column `{name}`",
            table.name.name
        ))));
    }
    Ok(())
}

/// The single-column key the backfill pages through.
fn key_of(table: &Table) -> Option<&Column> {
    match &table.primary_key {
        Some(pk) if pk.columns.len() == 1 => table.column(&pk.columns[0]),
        _ => None,
    }
}

struct Sql<'o> {
    dialect: Dialect,
    options: &'o Options,
}

impl Sql<'_> {
    fn pg(&self) -> bool {
        self.dialect != Dialect::Mysql
    }

    /// The session's wait for a lock, so that a DDL statement queued behind a long transaction
    /// fails fast instead of blocking every query queued behind it.
    fn lock_timeout(&self) -> String {
        let t = &self.options.lock_timeout;
        if self.pg() {
            format!("SET lock_timeout = '{}ms';\n", t.as_millis())
        } else {
            let secs = t.as_secs().max(1);
            format!("SET SESSION lock_wait_timeout = {secs};\nSET SESSION innodb_lock_wait_timeout = {secs};\n")
        }
    }

    /// `value` (an expression of another column's type) as `ty`: PostgreSQL casts; MySQL converts
    /// on assignment.
    fn cast(&self, value: &str, ty: &str, needed: bool) -> String {
        if needed && self.pg() { format!("{value}::{ty}") } else { value.to_owned() }
    }

    fn distinct(&self, a: &str, b: &str) -> String {
        if self.pg() { format!("{a} IS DISTINCT FROM {b}") } else { format!("NOT ({a} <=> {b})") }
    }

    fn sync_name(&self, table: &Table, new: &str) -> String {
        format!("tandem_sync_{}_{new}", table.name.name)
    }

    fn add_column(&self, table: &str, name: &str, ty: &str, default: Option<&str>) -> String {
        let default = default.map(|d| format!(" DEFAULT {d}")).unwrap_or_default();
        let null = if self.pg() { "" } else { " NULL" };
        format!("ALTER TABLE {table} ADD COLUMN {name} {ty}{null}{default};\n")
    }

    /// Rename or retype a column through a new one: expand, keep in step, backfill, contract.
    fn column_swap(&self, table: &Table, old: &Column, new: &str, new_type: &str, retype: bool) -> Vec<Phase> {
        let t = &table.name.name;
        let from = &old.name;
        let lock = self.lock_timeout();
        let default = if retype { None } else { old.default.as_deref() };
        let mut phases = Vec::new();
        phases.push(Phase {
            kind: PhaseKind::Expand,
            name: format!("add_{t}_{new}"),
            summary: format!("adds `{t}.{new}` ({new_type}, nullable until the backfill)"),
            up: format!("{lock}{}", self.add_column(t, new, new_type, default)),
            down: format!("{lock}ALTER TABLE {t} DROP COLUMN {new};\n"),
            transactional: true,
        });
        if self.options.dual_write.is_empty() {
            phases.push(Phase {
                kind: PhaseKind::Sync,
                name: format!("sync_{t}_{from}_{new}"),
                summary: format!(
                    "a trigger writes `{new}` from `{from}` and `{from}` from `{new}` on every insert and update"
                ),
                up: self.trigger(table, old, new, new_type, retype),
                down: format!("{lock}{}", self.drop_trigger(table, new)),
                transactional: true,
            });
        }
        let mut backfill = self.backfill(table, from, new, &self.cast(from, new_type, retype));
        let mut undo = String::from("-- the backfilled values stay; nothing to undo\n");
        if !old.nullable {
            backfill.push_str(&self.set_not_null(t, new, new_type));
            undo = if self.pg() {
                format!("{lock}ALTER TABLE {t} ALTER COLUMN {new} DROP NOT NULL;\n")
            } else {
                format!("{lock}ALTER TABLE {t} MODIFY {new} {new_type} NULL;\n")
            };
        }
        phases.push(Phase {
            kind: PhaseKind::Backfill,
            name: format!("backfill_{t}_{new}"),
            summary: format!(
                "copies `{from}` into `{new}` {} rows at a time in key order, pausing {} ms between batches{}",
                self.options.batch_size,
                self.options.pause.as_millis(),
                if old.nullable { "" } else { ", then makes it NOT NULL" }
            ),
            up: backfill,
            down: undo,
            transactional: false,
        });
        let mut contract = lock.clone();
        if self.options.dual_write.is_empty() {
            contract.push_str(&self.drop_trigger(table, new));
        }
        contract.push_str(&format!("ALTER TABLE {t} DROP COLUMN {from};\n"));
        let mut restore = format!("{lock}{}", self.add_column(t, from, &old.data_type, old.default.as_deref()));
        if self.options.dual_write.is_empty() {
            restore.push_str(&self.trigger(table, old, new, new_type, retype).replacen(&lock, "", 1));
        }
        restore.push_str(&self.copy_all(t, new, from, &self.cast(new, &old.data_type, retype)));
        phases.push(Phase {
            kind: PhaseKind::Contract,
            name: format!("drop_{t}_{from}"),
            summary: format!("drops the trigger and `{t}.{from}` (the gate blocks it while an app uses `{from}`)"),
            up: contract,
            down: restore,
            transactional: true,
        });
        phases
    }

    /// Before each insert and update: whichever of the two columns the statement wrote is copied
    /// into the other (the old one first when both changed). The backfill marks its session so
    /// that its own updates copy nothing back.
    fn trigger(&self, table: &Table, old: &Column, new: &str, new_type: &str, retype: bool) -> String {
        let t = &table.name.name;
        let from = &old.name;
        let name = self.sync_name(table, new);
        let lock = self.lock_timeout();
        let to_new = self.cast(&format!("NEW.{from}"), new_type, retype);
        let to_old = self.cast(&format!("NEW.{new}"), &old.data_type, retype);
        if self.pg() {
            format!(
                "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n\
                 BEGIN\n\
                 \x20 IF current_setting('tandem.backfill', true) = 'on' THEN\n\
                 \x20   RETURN NEW;\n\
                 \x20 END IF;\n\
                 \x20 IF TG_OP = 'INSERT' THEN\n\
                 \x20   IF NEW.{new} IS NULL THEN\n\
                 \x20     NEW.{new} := {to_new};\n\
                 \x20   ELSIF NEW.{from} IS NULL THEN\n\
                 \x20     NEW.{from} := {to_old};\n\
                 \x20   END IF;\n\
                 \x20 ELSIF {} THEN\n\
                 \x20   NEW.{new} := {to_new};\n\
                 \x20 ELSIF {} THEN\n\
                 \x20   NEW.{from} := {to_old};\n\
                 \x20 END IF;\n\
                 \x20 RETURN NEW;\n\
                 END\n\
                 $$;\n\
                 {lock}CREATE TRIGGER {name} BEFORE INSERT OR UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {name}();\n",
                self.distinct(&format!("NEW.{from}"), &format!("OLD.{from}")),
                self.distinct(&format!("NEW.{new}"), &format!("OLD.{new}")),
            )
        } else {
            format!(
                "{lock}DELIMITER //\n\
                 CREATE TRIGGER {name}_insert BEFORE INSERT ON {t} FOR EACH ROW\n\
                 BEGIN\n\
                 \x20 IF NEW.{new} IS NULL THEN\n\
                 \x20   SET NEW.{new} = {to_new};\n\
                 \x20 ELSEIF NEW.{from} IS NULL THEN\n\
                 \x20   SET NEW.{from} = {to_old};\n\
                 \x20 END IF;\n\
                 END//\n\
                 CREATE TRIGGER {name}_update BEFORE UPDATE ON {t} FOR EACH ROW\n\
                 BEGIN\n\
                 \x20 IF @tandem_backfill IS NULL THEN\n\
                 \x20   IF {} THEN\n\
                 \x20     SET NEW.{new} = {to_new};\n\
                 \x20   ELSEIF {} THEN\n\
                 \x20     SET NEW.{from} = {to_old};\n\
                 \x20   END IF;\n\
                 \x20 END IF;\n\
                 END//\n\
                 DELIMITER ;\n",
                self.distinct(&format!("NEW.{from}"), &format!("OLD.{from}")),
                self.distinct(&format!("NEW.{new}"), &format!("OLD.{new}")),
            )
        }
    }

    fn drop_trigger(&self, table: &Table, new: &str) -> String {
        let name = self.sync_name(table, new);
        let t = &table.name.name;
        if self.pg() {
            format!("DROP TRIGGER IF EXISTS {name} ON {t};\nDROP FUNCTION IF EXISTS {name}();\n")
        } else {
            format!("DROP TRIGGER IF EXISTS {name}_insert;\nDROP TRIGGER IF EXISTS {name}_update;\n")
        }
    }

    /// Copy `value` into `dst` batch by batch in key order (keyset pagination, one commit per
    /// batch, a pause between batches). Only rows not yet in step are written, so a run that was
    /// interrupted resumes where it stopped when run again.
    fn backfill(&self, table: &Table, _from: &str, dst: &str, value: &str) -> String {
        let t = &table.name.name;
        let n = self.options.batch_size;
        let pause = self.options.pause.as_secs_f64();
        let lock = self.lock_timeout();
        let Some(key) = key_of(table) else {
            // Without a single-column key there is no order to page in: the plan says so in the
            // file, and the batches are bounded by the rows still out of step.
            return self.backfill_unkeyed(t, dst, value);
        };
        let k = &key.name;
        let differs = self.distinct(dst, value);
        if self.pg() {
            format!(
                "{lock}SET tandem.backfill = 'on';\n\
                 DO $$\n\
                 DECLARE\n\
                 \x20 lo {t}.{k}%TYPE;\n\
                 \x20 hi {t}.{k}%TYPE;\n\
                 BEGIN\n\
                 \x20 SELECT min({k}) INTO lo FROM {t};\n\
                 \x20 WHILE lo IS NOT NULL LOOP\n\
                 \x20   SELECT max({k}) INTO hi FROM (SELECT {k} FROM {t} WHERE {k} >= lo ORDER BY {k} LIMIT {n}) AS batch;\n\
                 \x20   UPDATE {t} SET {dst} = {value} WHERE {k} >= lo AND {k} <= hi AND {differs};\n\
                 \x20   COMMIT;\n\
                 \x20   PERFORM pg_sleep({pause});\n\
                 \x20   SELECT min({k}) INTO lo FROM {t} WHERE {k} > hi;\n\
                 \x20 END LOOP;\n\
                 END\n\
                 $$;\n\
                 RESET tandem.backfill;\n"
            )
        } else {
            let proc = format!("tandem_backfill_{t}_{dst}");
            let ty = &key.data_type;
            format!(
                "{lock}SET @tandem_backfill = 1;\n\
                 DROP PROCEDURE IF EXISTS {proc};\n\
                 DELIMITER //\n\
                 CREATE PROCEDURE {proc}()\n\
                 BEGIN\n\
                 \x20 DECLARE lo {ty};\n\
                 \x20 DECLARE hi {ty};\n\
                 \x20 SELECT MIN({k}) INTO lo FROM {t};\n\
                 \x20 WHILE lo IS NOT NULL DO\n\
                 \x20   SELECT MAX({k}) INTO hi FROM (SELECT {k} FROM {t} WHERE {k} >= lo ORDER BY {k} LIMIT {n}) AS batch;\n\
                 \x20   UPDATE {t} SET {dst} = {value} WHERE {k} >= lo AND {k} <= hi AND {differs};\n\
                 \x20   COMMIT;\n\
                 \x20   DO SLEEP({pause});\n\
                 \x20   SET lo = (SELECT MIN({k}) FROM {t} WHERE {k} > hi);\n\
                 \x20 END WHILE;\n\
                 END//\n\
                 DELIMITER ;\n\
                 CALL {proc}();\n\
                 DROP PROCEDURE {proc};\n\
                 SET @tandem_backfill = NULL;\n"
            )
        }
    }

    fn backfill_unkeyed(&self, t: &str, dst: &str, value: &str) -> String {
        let n = self.options.batch_size;
        let differs = self.distinct(dst, value);
        format!(
            "-- `{t}` has no single-column primary key to page through: each statement updates at most\n\
             -- {n} rows still out of step; run this migration again until it updates none.\n{}\
             UPDATE {t} SET {dst} = {value} WHERE {differs} LIMIT {n};\n",
            self.lock_timeout()
        )
    }

    /// A rollback's copy back into the restored column: one statement, since the contract's
    /// down part runs in its transaction.
    fn copy_all(&self, t: &str, src: &str, dst: &str, value: &str) -> String {
        let _ = src;
        format!("UPDATE {t} SET {dst} = {value};\n")
    }

    /// NOT NULL without a long exclusive lock on PostgreSQL: a NOT VALID check validated under a
    /// weaker lock, which `SET NOT NULL` then trusts instead of scanning the table.
    fn set_not_null(&self, t: &str, c: &str, ty: &str) -> String {
        if self.pg() {
            format!(
                "ALTER TABLE {t} ADD CONSTRAINT {t}_{c}_not_null CHECK ({c} IS NOT NULL) NOT VALID;\n\
                 ALTER TABLE {t} VALIDATE CONSTRAINT {t}_{c}_not_null;\n\
                 ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL;\n\
                 ALTER TABLE {t} DROP CONSTRAINT {t}_{c}_not_null;\n"
            )
        } else {
            format!("ALTER TABLE {t} MODIFY {c} {ty} NOT NULL;\n")
        }
    }

    /// Rename the table and leave an updatable view under the old name in the same step, so
    /// that apps still using the old name read and write the renamed table.
    fn rename_table(&self, from: &str, to: &str) -> Vec<Phase> {
        let lock = self.lock_timeout();
        let rename = if self.pg() {
            format!("ALTER TABLE {from} RENAME TO {to};\n")
        } else {
            format!("RENAME TABLE {from} TO {to};\n")
        };
        let back = if self.pg() {
            format!("ALTER TABLE {to} RENAME TO {from};\n")
        } else {
            format!("RENAME TABLE {to} TO {from};\n")
        };
        vec![
            Phase {
                kind: PhaseKind::Expand,
                name: format!("rename_{from}_to_{to}"),
                summary: format!("renames `{from}` to `{to}` and leaves an updatable view `{from}` in its place"),
                up: format!("{lock}{rename}CREATE VIEW {from} AS SELECT * FROM {to};\n"),
                down: format!("{lock}DROP VIEW {from};\n{back}"),
                transactional: true,
            },
            Phase {
                kind: PhaseKind::Contract,
                name: format!("drop_view_{from}"),
                summary: format!("drops the view `{from}` (the gate blocks it while an app uses `{from}`)"),
                up: format!("{lock}DROP VIEW {from};\n"),
                down: format!("CREATE VIEW {from} AS SELECT * FROM {to};\n"),
                transactional: true,
            },
        ]
    }

    fn drop_column(&self, table: &Table, c: &Column) -> Phase {
        let t = &table.name.name;
        let lock = self.lock_timeout();
        // The column comes back nullable: its values are gone, and NOT NULL without a default
        // would fail on every existing row.
        let restore = self.add_column(t, &c.name, &c.data_type, c.default.as_deref());
        Phase {
            kind: PhaseKind::Contract,
            name: format!("drop_{t}_{}", c.name),
            summary: format!("drops `{t}.{}` (the gate blocks it while an app uses it)", c.name),
            up: format!("{lock}ALTER TABLE {t} DROP COLUMN {};\n", c.name),
            down: format!("-- the column comes back empty: its values are not restored\n{lock}{restore}"),
            transactional: true,
        }
    }

    fn drop_table(&self, schema: &Schema, table: &Table) -> Phase {
        let t = &table.name.name;
        let mut only = Schema::new(schema.dialect);
        only.tables.push(table.clone());
        // The sequences the table owns go with it (DROP TABLE drops them), so they come back too.
        only.sequences = schema
            .sequences
            .iter()
            .filter(|q| q.owned_by.as_ref().is_some_and(|o| o.table.matches(&table.name)))
            .cloned()
            .collect();
        let create = crate::schema::render::render(&only);
        Phase {
            kind: PhaseKind::Contract,
            name: format!("drop_{t}"),
            summary: format!("drops `{t}` (the gate blocks it while an app uses it or a view reads it)"),
            up: format!("{}DROP TABLE {t};\n", self.lock_timeout()),
            down: format!("-- the table comes back empty: its rows are not restored\n{}", create.trim_start()),
            transactional: true,
        }
    }
}

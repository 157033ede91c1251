//! The schema as it stands before each operation of the checked migrations: the canonical schema
//! with every earlier operation applied, plus what the current migration created itself (an index
//! on a table created in the same migration is harmless; a column added in it has no rows to scan).
//! What an earlier migration created is not new: by the time a later one runs it may hold rows.
//!
//! The state is the database before the checked migrations (see [`crate::check::gather`]): a
//! destructive operation on an object it does not hold is an error finding, not a pass — unless
//! nothing is known of the database (no schema, no history before the migration).

use std::collections::BTreeSet;

use crate::graph::DepGraph;
use crate::migration::{OpKind, Operation};
use crate::scan::ObjectRef;
use crate::schema::{Column, Dialect, QualifiedName, Schema, Table};

pub struct State {
    pub schema: Schema,
    /// What the schema was built from, for messages: `schema/structure.sql at origin/main`.
    pub origin: String,
    /// Whether the schema was given as the database before the migrations (a dump, a live
    /// database); when not, it is known once an earlier migration has built some of it.
    given: bool,
    /// Tables created by the current migration (current names), as `schema.name` keys.
    created_tables: BTreeSet<String>,
    /// Columns added by the current migration: `table-key.column`.
    created_columns: BTreeSet<String>,
}

impl State {
    /// The state of a schema given as the database before the migrations.
    pub fn new(schema: &Schema) -> Self {
        State::from(schema.clone(), "the schema".to_owned(), true)
    }

    /// `given`: whether `schema` is what the database holds before the migrations (a dump, a
    /// live database), rather than an empty start that migrations build up.
    pub fn from(schema: Schema, origin: String, given: bool) -> Self {
        State { schema, origin, given, created_tables: BTreeSet::new(), created_columns: BTreeSet::new() }
    }

    /// Whether the state says what the database holds, so that an object missing from it is
    /// missing from the database. Tables the current migration created say nothing of the
    /// database before it: a lone migration that creates one table and alters an older one,
    /// checked with no schema, must not be told the older one does not exist.
    pub fn known(&self) -> bool {
        self.given
            || !self.schema.views.is_empty()
            || self.schema.tables.iter().any(|t| !self.created_tables.contains(&self.key(&t.name)))
    }

    /// Why `table` (or its `column`) is not in the state, when the state is known and does not
    /// hold it: `` `widgets` has no column `a` in the schema state (structure.sql) ``.
    pub fn absent(&self, table: &QualifiedName, column: Option<&str>) -> Option<String> {
        if !self.known() {
            return None;
        }
        let is_view = || self.schema.views.iter().any(|v| v.name.matches(table));
        match (self.table(table), column) {
            // A MongoDB collection's validator lists the fields it checks, not every field its
            // documents hold: a field it does not list may well exist.
            (Some(t), Some(c)) if t.column(c).is_none() && self.schema.dialect != Dialect::Mongodb => {
                Some(format!("`{table}` has no column `{c}` in the schema state ({})", self.origin))
            }
            (Some(_), _) => None,
            (None, None) if is_view() => None,
            (None, _) => Some(format!("there is no table `{table}` in the schema state ({})", self.origin)),
        }
    }

    /// The views that read `table` (or its `column`), directly or through other views: the same
    /// graph query as `tandem refs` and `tandem graph`.
    pub fn dependent_views(&self, table: &QualifiedName, column: Option<&str>) -> Vec<ObjectRef> {
        let target = crate::rules::gate::object(table, column);
        DepGraph::of_views(&self.schema).dependent_views(&target).iter().map(|v| ObjectRef::table(v)).collect()
    }

    /// The columns the table or view `old` has that the view `new`, created in its place (a
    /// redefinition, or a view left under a renamed table's old name), lacks; `None` when either
    /// list is unknown (a relation the state does not hold, a `*` over an unknown relation, a
    /// definition libpg_query does not read). `renamed` (new name, old name): a relation the
    /// view reads under a name the migration gave it earlier.
    pub fn columns_lost(
        &self,
        old: &QualifiedName,
        new: &crate::schema::View,
        renamed: Option<(&QualifiedName, &QualifiedName)>,
    ) -> Option<Vec<String>> {
        let had = self.schema.relation_columns(old).filter(|c| !c.is_empty())?;
        let lookup = |rel: &QualifiedName| match renamed {
            Some((to, from)) if rel.matches(to) => self.schema.relation_columns(from),
            _ => self.schema.relation_columns(rel),
        };
        let kept = if new.columns.is_empty() {
            crate::sql::columns::view_columns(&new.definition, &lookup).filter(|c| c.complete)?.names
        } else {
            new.columns.clone()
        };
        Some(had.into_iter().filter(|c| !kept.contains(c)).collect())
    }

    /// A table's key: `schema.name` where the dialect has schemas (a missing one is the
    /// default), the name alone where it has none (MySQL, SQLite: a schema a migration names is
    /// the database it runs in).
    fn key(&self, name: &QualifiedName) -> String {
        match self.schema.dialect.default_schema() {
            Some(default) => format!("{}.{}", name.schema.as_deref().unwrap_or(default), name.name),
            None => name.name.clone(),
        }
    }

    /// Start the next migration: what earlier migrations created is no longer new.
    pub fn begin_migration(&mut self) {
        self.created_tables.clear();
        self.created_columns.clear();
    }

    /// Whether `table` was created by an operation checked earlier in this migration (so it has no rows
    /// and no concurrent users yet).
    pub fn is_new_table(&self, table: &QualifiedName) -> bool {
        self.created_tables.contains(&self.key(table))
    }

    pub fn is_new_column(&self, table: &QualifiedName, column: &str) -> bool {
        self.is_new_table(table) || self.created_columns.contains(&format!("{}.{column}", self.key(table)))
    }

    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.schema.tables.iter().find(|t| name.matches(&t.name) && self.key(&t.name) == self.key(name))
    }

    pub fn column(&self, table: &QualifiedName, column: &str) -> Option<&Column> {
        self.table(table)?.column(column)
    }

    /// Apply one operation: the schema through [`crate::migration::apply`] (an operation on an
    /// object the schema does not know changes nothing — the canonical schema may lag behind the
    /// migrations), and what this check created.
    pub fn apply(&mut self, op: &Operation) {
        let _ = crate::migration::apply::apply(&mut self.schema, op);
        match &op.kind {
            OpKind::CreateTable { table, .. } => {
                let key = self.key(table);
                self.created_tables.insert(key);
            }
            OpKind::DropTable { table, .. } => {
                let key = self.key(table);
                self.created_tables.remove(&key);
            }
            OpKind::RenameTable { from, to } => {
                let old = self.key(from);
                let mut new_name = to.clone();
                if new_name.schema.is_none() {
                    new_name.schema = from.schema.clone();
                }
                let new = self.key(&new_name);
                if self.created_tables.remove(&old) {
                    self.created_tables.insert(new.clone());
                }
                let prefix = format!("{old}.");
                let moved: Vec<String> =
                    self.created_columns.iter().filter(|c| c.starts_with(&prefix)).cloned().collect();
                for c in moved {
                    self.created_columns.remove(&c);
                    self.created_columns.insert(format!("{new}.{}", &c[prefix.len()..]));
                }
            }
            OpKind::AddColumn { table, column, .. } => {
                let key = format!("{}.{}", self.key(table), column.name);
                self.created_columns.insert(key);
            }
            OpKind::DropColumn { table, column, .. } => {
                let key = format!("{}.{column}", self.key(table));
                self.created_columns.remove(&key);
            }
            OpKind::RenameColumn { table, from, to } => {
                let old = format!("{}.{from}", self.key(table));
                if self.created_columns.remove(&old) {
                    let key = format!("{}.{to}", self.key(table));
                    self.created_columns.insert(key);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::{Direction, Span};

    fn op(kind: OpKind) -> Operation {
        Operation {
            kind,
            span: Span { file: "m.sql".into(), line: 1, column: 1, start: 0, end: 0 },
            direction: Direction::Up,
        }
    }

    #[test]
    fn tracks_tables_created_and_renamed_in_the_change() {
        let mut base = Schema::new(crate::schema::Dialect::Postgres);
        base.tables.push(Table::new(QualifiedName::new(Some("public"), "users")));
        let mut s = State::new(&base);
        let users = QualifiedName::unqualified("users");
        let audits = QualifiedName::unqualified("audits");
        assert!(s.table(&users).is_some());
        assert!(!s.is_new_table(&users));
        s.apply(&op(OpKind::CreateTable {
            table: audits.clone(),
            columns: vec![Column::new("id", "bigint")],
            primary_key: None,
            foreign_keys: vec![],
            if_not_exists: false,
        }));
        assert!(s.is_new_table(&QualifiedName::new(Some("public"), "audits")));
        s.apply(&op(OpKind::RenameTable { from: audits, to: QualifiedName::unqualified("audit_log") }));
        assert!(s.is_new_table(&QualifiedName::unqualified("audit_log")));
        assert!(s.column(&QualifiedName::unqualified("audit_log"), "id").is_some());
        s.apply(&op(OpKind::AddColumn {
            table: users.clone(),
            column: Column::new("tz", "text"),
            if_not_exists: false,
        }));
        assert!(s.is_new_column(&users, "tz"));
        assert!(!s.is_new_column(&users, "email"));
    }
}

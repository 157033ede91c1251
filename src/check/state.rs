//! The schema as it stands before each operation of the checked migrations: the canonical schema
//! with every earlier operation applied, plus what this check created itself (an index on a table
//! created in the same change is harmless; a column added in the same change has no rows to scan).
//!
//! Only what rules ask about is tracked: tables, columns (type, null, default) and views.
//! Unknown objects are tolerated — the canonical schema may lag behind the migrations.

use std::collections::BTreeSet;

use crate::migration::OpKind;
use crate::schema::{Column, QualifiedName, Schema, Table};

pub struct State {
    pub schema: Schema,
    /// Tables created by the checked migrations (current names), as `schema.name` keys.
    created_tables: BTreeSet<String>,
    /// Columns added by the checked migrations: `table-key.column`.
    created_columns: BTreeSet<String>,
}

impl State {
    pub fn new(schema: &Schema) -> Self {
        State { schema: schema.clone(), created_tables: BTreeSet::new(), created_columns: BTreeSet::new() }
    }

    fn key(&self, name: &QualifiedName) -> String {
        let schema = name.schema.as_deref().or(self.schema.dialect.default_schema()).unwrap_or("");
        format!("{schema}.{}", name.name)
    }

    /// Whether `table` was created by an operation checked earlier in this run (so it has no rows
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

    fn table_mut(&mut self, name: &QualifiedName) -> Option<&mut Table> {
        let key = self.key(name);
        let default = self.schema.dialect.default_schema();
        self.schema.tables.iter_mut().find(|t| {
            let s = t.name.schema.as_deref().or(default).unwrap_or("");
            format!("{s}.{}", t.name.name) == key
        })
    }

    pub fn column(&self, table: &QualifiedName, column: &str) -> Option<&Column> {
        self.table(table)?.column(column)
    }

    /// Apply one operation. Operations on unknown objects change nothing.
    pub fn apply(&mut self, op: &OpKind) {
        match op {
            OpKind::CreateTable { table, columns, primary_key, foreign_keys, .. } => {
                let key = self.key(table);
                if self.table(table).is_none() {
                    let mut t = Table::new(table.clone());
                    t.columns = columns.clone();
                    t.primary_key = primary_key.clone();
                    t.foreign_keys = foreign_keys.clone();
                    self.schema.tables.push(t);
                }
                self.created_tables.insert(key);
            }
            OpKind::DropTable { table, .. } => {
                let key = self.key(table);
                let default = self.schema.dialect.default_schema().map(str::to_owned);
                self.schema.tables.retain(|t| {
                    let s = t.name.schema.clone().or(default.clone()).unwrap_or_default();
                    format!("{s}.{}", t.name.name) != key
                });
                self.created_tables.remove(&key);
            }
            OpKind::RenameTable { from, to } => {
                let (old, mut new_name) = (self.key(from), to.clone());
                if new_name.schema.is_none() {
                    new_name.schema = from.schema.clone();
                }
                if let Some(t) = self.table_mut(from) {
                    if new_name.schema.is_none() {
                        new_name.schema = t.name.schema.clone();
                    }
                    t.name = new_name.clone();
                }
                if self.created_tables.remove(&old) {
                    let key = self.key(&new_name);
                    self.created_tables.insert(key);
                }
                let prefix = format!("{old}.");
                let moved: Vec<String> = self.created_columns.iter().filter(|c| c.starts_with(&prefix)).cloned().collect();
                for c in moved {
                    self.created_columns.remove(&c);
                    let key = format!("{}.{}", self.key(&new_name), &c[prefix.len()..]);
                    self.created_columns.insert(key);
                }
            }
            OpKind::AddColumn { table, column, .. } => {
                let key = format!("{}.{}", self.key(table), column.name);
                if let Some(t) = self.table_mut(table)
                    && t.column(&column.name).is_none()
                {
                    t.columns.push(column.clone());
                }
                self.created_columns.insert(key);
            }
            OpKind::DropColumn { table, column, .. } => {
                let key = format!("{}.{column}", self.key(table));
                if let Some(t) = self.table_mut(table) {
                    t.columns.retain(|c| &c.name != column);
                }
                self.created_columns.remove(&key);
            }
            OpKind::RenameColumn { table, from, to } => {
                let old = format!("{}.{from}", self.key(table));
                if let Some(c) = self.table_mut(table).and_then(|t| t.column_mut(from)) {
                    c.name = to.clone();
                }
                if self.created_columns.remove(&old) {
                    let key = format!("{}.{to}", self.key(table));
                    self.created_columns.insert(key);
                }
            }
            OpKind::ChangeColumnType { table, column, new_type, .. } => {
                if let Some(c) = self.table_mut(table).and_then(|t| t.column_mut(column)) {
                    c.data_type = new_type.clone();
                }
            }
            OpKind::SetNotNull { table, column } => {
                if let Some(c) = self.table_mut(table).and_then(|t| t.column_mut(column)) {
                    c.nullable = false;
                }
            }
            OpKind::DropNotNull { table, column } => {
                if let Some(c) = self.table_mut(table).and_then(|t| t.column_mut(column)) {
                    c.nullable = true;
                }
            }
            OpKind::SetDefault { table, column, default } => {
                if let Some(c) = self.table_mut(table).and_then(|t| t.column_mut(column)) {
                    c.default = Some(default.clone());
                }
            }
            OpKind::DropDefault { table, column } => {
                if let Some(c) = self.table_mut(table).and_then(|t| t.column_mut(column)) {
                    c.default = None;
                }
            }
            OpKind::AddCheck { table, constraint, not_valid } => {
                if let Some(t) = self.table_mut(table) {
                    let mut c = constraint.clone();
                    c.validated = !not_valid;
                    t.checks.push(c);
                }
            }
            OpKind::ValidateConstraint { table, name } => {
                if let Some(t) = self.table_mut(table) {
                    for c in t.checks.iter_mut().filter(|c| c.name.as_deref() == Some(name.as_str())) {
                        c.validated = true;
                    }
                }
            }
            OpKind::CreateView { view, .. } => {
                self.schema.views.retain(|v| !v.name.matches(&view.name));
                self.schema.views.push(view.clone());
            }
            OpKind::DropView { name, .. } => self.schema.views.retain(|v| !v.name.matches(name)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_tables_created_and_renamed_in_the_change() {
        let mut base = Schema::new(crate::schema::Dialect::Postgres);
        base.tables.push(Table::new(QualifiedName::new(Some("public"), "users")));
        let mut s = State::new(&base);
        let users = QualifiedName::unqualified("users");
        let audits = QualifiedName::unqualified("audits");
        assert!(s.table(&users).is_some());
        assert!(!s.is_new_table(&users));
        s.apply(&OpKind::CreateTable {
            table: audits.clone(),
            columns: vec![Column::new("id", "bigint")],
            primary_key: None,
            foreign_keys: vec![],
            if_not_exists: false,
        });
        assert!(s.is_new_table(&QualifiedName::new(Some("public"), "audits")));
        s.apply(&OpKind::RenameTable { from: audits, to: QualifiedName::unqualified("audit_log") });
        assert!(s.is_new_table(&QualifiedName::unqualified("audit_log")));
        assert!(s.column(&QualifiedName::unqualified("audit_log"), "id").is_some());
        s.apply(&OpKind::AddColumn { table: users.clone(), column: Column::new("tz", "text"), if_not_exists: false });
        assert!(s.is_new_column(&users, "tz"));
        assert!(!s.is_new_column(&users, "email"));
    }
}

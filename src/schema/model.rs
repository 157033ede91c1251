//! The canonical model of a relational schema, shared by every reader (pg_dump `structure.sql`,
//! mysqldump, Rails `schema.rb`, live introspection) and every consumer (diff, render, scanner,
//! gate). One model for PostgreSQL, MySQL/MariaDB and SQLite.
//!
//! Canonical forms, so that two readers of the same database agree:
//! * names are stored unquoted, exactly as the database stores them (PostgreSQL folds unquoted
//!   identifiers to lower case; readers do that folding).
//! * PostgreSQL: every relation name carries its schema (`public` when the dump leaves it out);
//!   MySQL and SQLite: `schema` is `None`.
//! * `data_type` is what the database itself prints for the type: PostgreSQL's `format_type()`
//!   (`character varying(255)`, `timestamp(6) without time zone`, `integer[]`), MySQL's
//!   `information_schema.COLUMNS.COLUMN_TYPE` (`int(11)`, `varchar(255)`), SQLite's declared type
//!   in lower case.
//! * expressions (defaults, checks, index predicates, view definitions) are normalized by the
//!   dialect's `normalize_expr`, so formatting never makes two schemas differ.
//! * [`Schema::canonicalize`] sorts every collection whose order carries no meaning. Column order,
//!   enum value order, index key order and foreign key column order are kept: they mean something.

use std::fmt;

use serde::{Deserialize, Serialize};

pub use crate::name::{Dialect, QualifiedName};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Schema {
    pub dialect: Dialect,
    /// Namespaces created explicitly (`CREATE SCHEMA`), not counting `public`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub namespaces: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enums: Vec<EnumType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub composites: Vec<CompositeType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sequences: Vec<Sequence>,
    #[serde(default)]
    pub tables: Vec<Table>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub views: Vec<View>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<Function>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// Applied migration versions (`schema_migrations` rows in a dump), sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub migrations: Vec<String>,
    /// Applied Django migrations (`django_migrations` rows of a live database) as
    /// `app_label.name`, sorted. Kept apart from `migrations`: a dump written from this model
    /// lists only `schema_migrations` versions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub django_migrations: Vec<String>,
    /// Tables a replay of the migrations kept though a migration drops them (the replay for
    /// references applies no drops, see `check::baseline::current`): the resolver does not let
    /// such a table, when no model maps it, make an attribute's column ambiguous.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dropped_tables: Vec<QualifiedName>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumType {
    pub name: QualifiedName,
    /// In declaration order: the order is part of the type.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeType {
    pub name: QualifiedName,
    pub attributes: Vec<CompositeAttribute>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompositeAttribute {
    pub name: String,
    pub data_type: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub name: QualifiedName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    /// The column that owns the sequence (`ALTER SEQUENCE … OWNED BY t.c`, or an identity column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<ColumnRef>,
}

/// A column of a table or view.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ColumnRef {
    pub table: QualifiedName,
    pub column: String,
}

impl fmt::Display for ColumnRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.table, self.column)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub name: QualifiedName,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlogged: bool,
    /// `PARTITION BY RANGE (created_at)` → `RANGE (created_at)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_by: Option<String>,
    /// For a partition: its parent and bound (`FOR VALUES FROM (…) TO (…)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_of: Option<PartitionOf>,
    /// In ordinal order.
    pub columns: Vec<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<UniqueConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckConstraint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Table {
    pub fn new(name: QualifiedName) -> Self {
        Table {
            name,
            unlogged: false,
            partition_by: None,
            partition_of: None,
            columns: Vec::new(),
            primary_key: None,
            uniques: Vec::new(),
            checks: Vec::new(),
            indexes: Vec::new(),
            foreign_keys: Vec::new(),
            comment: None,
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    pub bound: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    pub data_type: String,
    pub nullable: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Column {
    pub fn new(name: &str, data_type: &str) -> Self {
        Column {
            name: name.to_owned(),
            data_type: data_type.to_owned(),
            nullable: true,
            default: None,
            identity: None,
            generated: None,
            collation: None,
            comment: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Always,
    ByDefault,
    /// MySQL `AUTO_INCREMENT`, SQLite `AUTOINCREMENT`.
    AutoIncrement,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UniqueConstraint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CheckConstraint {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub expression: String,
    /// False for a constraint added `NOT VALID` and not validated since.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// Access method in lower case: `btree`, `gin`, `gist`, `hash`, `brin`, `fulltext`, …
    pub method: String,
    pub keys: Vec<IndexKey>,
    /// `INCLUDE (…)` columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Partial index predicate (`WHERE …`), normalized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
}

impl Index {
    /// Plain column names among the keys, in key order.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().filter_map(|k| match &k.part {
            IndexPart::Column(c) => Some(c.as_str()),
            IndexPart::Expression(_) => None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexKey {
    pub part: IndexPart,
    /// `DESC`, `ASC NULLS FIRST`, …; `None` for the default ascending order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
}

impl IndexKey {
    pub fn column(name: &str) -> Self {
        IndexKey { part: IndexPart::Column(name.to_owned()), order: None, opclass: None }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexPart {
    Column(String),
    /// A normalized expression (`lower(email)`), for expression indexes.
    Expression(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FkAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ForeignKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub references: QualifiedName,
    pub referenced_columns: Vec<String>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub on_delete: FkAction,
    #[serde(default, skip_serializing_if = "is_default")]
    pub on_update: FkAction,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    /// False for a key added `NOT VALID` and not validated since.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub validated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub name: QualifiedName,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub materialized: bool,
    /// The `SELECT`, normalized.
    pub definition: String,
    /// Output column names, in order, where the reader knows them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// Relations (tables or views) the view reads, and which of their columns. Sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<ViewDependency>,
    /// Indexes on a materialized view.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ViewDependency {
    pub relation: QualifiedName,
    /// Sorted, deduplicated. Empty when the view reads the relation only as a whole (`count(*)`).
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Function {
    pub name: QualifiedName,
    /// Argument list as the catalog prints it (`integer, text`), for overload identity.
    pub arguments: String,
    pub returns: String,
    pub language: String,
    /// The body with surrounding whitespace trimmed.
    pub body: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trigger {
    pub name: String,
    pub table: QualifiedName,
    pub function: QualifiedName,
    /// `BEFORE`, `AFTER`, `INSTEAD OF`.
    pub timing: String,
    /// `INSERT`, `UPDATE`, `UPDATE OF col`, `DELETE`, `TRUNCATE`, in that order.
    pub events: Vec<String>,
    pub for_each_row: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

impl Schema {
    pub fn new(dialect: Dialect) -> Self {
        Schema { dialect, ..Schema::default() }
    }

    /// Sort every collection whose order carries no meaning and deduplicate migration versions,
    /// so that equal schemas compare equal and render byte-identically.
    pub fn canonicalize(&mut self) {
        self.namespaces.sort();
        self.namespaces.dedup();
        self.extensions.sort();
        self.enums.sort_by(|a, b| a.name.cmp(&b.name));
        self.composites.sort_by(|a, b| a.name.cmp(&b.name));
        self.sequences.sort_by(|a, b| a.name.cmp(&b.name));
        self.tables.sort_by(|a, b| a.name.cmp(&b.name));
        for t in &mut self.tables {
            t.uniques.sort();
            t.checks.sort();
            t.indexes.sort_by(|a, b| a.name.cmp(&b.name));
            t.foreign_keys.sort();
        }
        self.views.sort_by(|a, b| a.name.cmp(&b.name));
        for v in &mut self.views {
            v.depends_on.sort();
            v.depends_on.dedup();
            for d in &mut v.depends_on {
                d.columns.sort();
                d.columns.dedup();
            }
            v.indexes.sort_by(|a, b| a.name.cmp(&b.name));
        }
        self.functions.sort_by(|a, b| (&a.name, &a.arguments).cmp(&(&b.name, &b.arguments)));
        self.triggers.sort_by(|a, b| (&a.table, &a.name).cmp(&(&b.table, &b.name)));
        self.migrations.sort();
        self.migrations.dedup();
        self.django_migrations.sort();
        self.django_migrations.dedup();
    }

    /// Find a table by `name` or `schema.name`; an unqualified name matches in any schema,
    /// preferring the dialect's default schema.
    pub fn table(&self, name: &str) -> Option<&Table> {
        let wanted = QualifiedName::parse(name);
        let mut found = self.tables.iter().filter(|t| wanted.matches(&t.name));
        let first = found.next()?;
        if wanted.schema.is_some() || first.name.schema.as_deref() == self.dialect.default_schema() {
            return Some(first);
        }
        let default = self.dialect.default_schema();
        Some(found.find(|t| t.name.schema.as_deref() == default).unwrap_or(first))
    }

    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        let idx = {
            let t = self.table(name)?;
            self.tables.iter().position(|x| std::ptr::eq(x, t))?
        };
        self.tables.get_mut(idx)
    }

    pub fn view(&self, name: &str) -> Option<&View> {
        let wanted = QualifiedName::parse(name);
        self.views.iter().find(|v| wanted.matches(&v.name))
    }

    /// The column names of the table or view `name`, in order; `None` when neither exists.
    pub fn relation_columns(&self, name: &QualifiedName) -> Option<Vec<String>> {
        match self.tables.iter().find(|t| t.name.matches(name)) {
            Some(t) => Some(t.columns.iter().map(|c| c.name.clone()).collect()),
            None => self.views.iter().find(|v| v.name.matches(name)).map(|v| v.columns.clone()),
        }
    }

    /// Views that read `table` (and, when given, its `column`).
    pub fn views_using<'a>(
        &'a self,
        table: &'a QualifiedName,
        column: Option<&'a str>,
    ) -> impl Iterator<Item = &'a View> + 'a {
        self.views.iter().filter(move |v| {
            v.depends_on.iter().any(|d| {
                d.relation.matches(table)
                    && column.is_none_or(|c| d.columns.is_empty() || d.columns.iter().any(|x| x == c))
            })
        })
    }

    /// Foreign keys of other tables (or the same table) that reference `table`.
    pub fn foreign_keys_into<'a>(
        &'a self,
        table: &'a QualifiedName,
    ) -> impl Iterator<Item = (&'a Table, &'a ForeignKey)> + 'a {
        self.tables
            .iter()
            .flat_map(|t| t.foreign_keys.iter().map(move |fk| (t, fk)))
            .filter(move |(_, fk)| fk.references.matches(table))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unqualified_lookup_prefers_the_default_schema() {
        let mut s = Schema::new(Dialect::Postgres);
        s.tables.push(Table::new(QualifiedName::new(Some("audit"), "users")));
        s.tables.push(Table::new(QualifiedName::new(Some("public"), "users")));
        assert_eq!(s.table("users").unwrap().name.schema.as_deref(), Some("public"));
        assert_eq!(s.table("audit.users").unwrap().name.schema.as_deref(), Some("audit"));
        assert!(s.table("other.users").is_none());
    }
}

//! Names: the SQL dialect and a relation's schema-qualified name, the one type every layer uses
//! for a table, view or type name (the scanner's `ObjectRef` aside, which shares its strings).
//! Where a name carries its schema is the dialect's rule: [`QualifiedName::canonical`] is the
//! schema model's form, [`QualifiedName::without_default_schema`] the form people write.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The schema an unqualified PostgreSQL name lives in.
const POSTGRES_DEFAULT_SCHEMA: &str = "public";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    #[default]
    Postgres,
    Mysql,
    Sqlite,
    /// MongoDB: collections are the model's tables (no schema), fields its columns (`a.b` for a
    /// nested object's field), a field's type its BSON type name.
    Mongodb,
}

impl Dialect {
    /// What the database calls a column and a table, as messages name them: MongoDB's field
    /// and collection.
    pub fn nouns(self) -> (&'static str, &'static str) {
        match self {
            Dialect::Mongodb => ("field", "collection"),
            _ => ("column", "table"),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
            Dialect::Mongodb => "mongodb",
        }
    }

    /// The schema an unqualified name lives in.
    pub fn is_sql(self) -> bool {
        self != Dialect::Mongodb
    }

    pub fn default_schema(self) -> Option<&'static str> {
        match self {
            Dialect::Postgres => Some(POSTGRES_DEFAULT_SCHEMA),
            Dialect::Mysql | Dialect::Sqlite | Dialect::Mongodb => None,
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `schema.name`, or just `name` where the dialect has no schemas.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: Option<&str>, name: &str) -> Self {
        QualifiedName { schema: schema.map(str::to_owned), name: name.to_owned() }
    }

    pub fn unqualified(name: &str) -> Self {
        QualifiedName { schema: None, name: name.to_owned() }
    }

    /// Parse `schema.name` or `name` (no quoting).
    pub fn parse(text: &str) -> Self {
        match text.rsplit_once('.') {
            Some((schema, name)) => QualifiedName::new(Some(schema), name),
            None => QualifiedName::unqualified(text),
        }
    }

    /// The name as the schema model keeps it in `dialect` (see `schema::model`): a PostgreSQL
    /// name always with its schema (the default one where it names none), a MySQL or SQLite name
    /// without one.
    pub fn canonical(&self, dialect: Dialect) -> QualifiedName {
        match (dialect.default_schema(), &self.schema) {
            (Some(default), None) => QualifiedName::new(Some(default), &self.name),
            (None, Some(_)) => QualifiedName::unqualified(&self.name),
            _ => self.clone(),
        }
    }

    /// The name as people write it: without PostgreSQL's default schema, so that `users` and
    /// `public.users` are one name to the scanner and in messages.
    pub fn without_default_schema(&self) -> QualifiedName {
        match self.schema.as_deref() {
            Some(POSTGRES_DEFAULT_SCHEMA) => QualifiedName::unqualified(&self.name),
            _ => self.clone(),
        }
    }

    /// Whether `self` names `other`, treating a missing schema on either side as "any schema".
    pub fn matches(&self, other: &QualifiedName) -> bool {
        self.name == other.name
            && match (&self.schema, &other.schema) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.schema {
            Some(s) => write!(f, "{s}.{}", self.name),
            None => f.write_str(&self.name),
        }
    }
}

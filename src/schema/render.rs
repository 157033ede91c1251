//! Canonical text of a schema, in its own dialect: SQL, or for MongoDB `getCollectionInfos` JSON.

use crate::schema::{Dialect, Schema, mongodb, mysql, postgres, sqlite};

pub fn render(schema: &Schema) -> String {
    match schema.dialect {
        Dialect::Postgres => postgres::render(schema),
        Dialect::Mysql => mysql::render(schema),
        Dialect::Sqlite => sqlite::render(schema),
        Dialect::Mongodb => mongodb::render(schema),
    }
}

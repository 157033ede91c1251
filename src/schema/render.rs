//! Canonical SQL of a schema, in its own dialect.

use crate::schema::{Dialect, Schema, mysql, postgres, sqlite};

pub fn render(schema: &Schema) -> String {
    match schema.dialect {
        Dialect::Postgres => postgres::render(schema),
        Dialect::Mysql => mysql::render(schema),
        Dialect::Sqlite => sqlite::render(schema),
    }
}

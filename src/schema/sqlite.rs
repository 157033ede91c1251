//! [`Schema`] → canonical SQLite DDL.

use crate::schema::Schema;

pub fn render(schema: &Schema) -> String {
    let _ = schema;
    todo!("sqlite renderer")
}

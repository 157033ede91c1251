//! MySQL/MariaDB structure (`mysqldump --no-data`, Rails `structure.sql` for MySQL) → [`Schema`],
//! and [`Schema`] → canonical MySQL DDL.

use std::path::Path;

use crate::error::Result;
use crate::schema::Schema;

pub fn parse(text: &str, file: &Path) -> Result<Schema> {
    let _ = (text, file);
    todo!("mysql dump reader")
}

pub fn render(schema: &Schema) -> String {
    let _ = schema;
    todo!("mysql renderer")
}

//! Rails `db/schema.rb` (the Ruby DSL ActiveRecord dumps) → [`Schema`].

use std::path::Path;

use crate::error::Result;
use crate::schema::{Dialect, Schema};

/// `dialect` decides how Rails types map to database types (`:string` → `character varying`
/// on PostgreSQL, `varchar(255)` on MySQL).
pub fn parse(text: &str, file: &Path, dialect: Dialect) -> Result<Schema> {
    let _ = (text, file, dialect);
    todo!("schema.rb reader")
}

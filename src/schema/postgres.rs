//! PostgreSQL `structure.sql` (pg_dump --schema-only, Rails, Ecto) → [`Schema`], through
//! libpg_query, and [`Schema`] → canonical PostgreSQL DDL.

use std::path::Path;

use crate::error::Result;
use crate::schema::Schema;

/// Parse a PostgreSQL schema dump. Errors name the file, line and column.
pub fn parse(text: &str, file: &Path) -> Result<Schema> {
    let _ = (text, file);
    todo!("postgres structure.sql reader")
}

/// Render canonical, deterministic PostgreSQL DDL for the model.
pub fn render(schema: &Schema) -> String {
    let _ = schema;
    todo!("postgres renderer")
}

/// Canonical text of a SQL expression (defaults, checks, predicates), so that formatting,
/// redundant parentheses and casts written differently never make two schemas differ.
pub fn normalize_expr(expr: &str) -> String {
    expr.trim().to_owned()
}

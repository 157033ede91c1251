//! PostgreSQL `structure.sql` (pg_dump --schema-only, Rails, Ecto) → [`Schema`], through
//! libpg_query, and [`Schema`] → canonical PostgreSQL DDL.

mod expr;
mod reader;
mod render;
mod stream;
mod types;
mod typmod;

use std::io::BufRead;
use std::path::Path;

use crate::error::Result;
use crate::schema::Schema;

pub use expr::deparse_expr;
pub use reader::IGNORED;
pub use types::{format_type, quote_ident};

/// Parse a PostgreSQL schema dump. Errors name the file, line and column.
pub fn parse(text: &str, file: &Path) -> Result<Schema> {
    reader::read(text.as_bytes(), file)
}

/// Read a PostgreSQL schema dump from `input` a batch of statements at a time: memory stays
/// bounded by the model whatever the file's size, and the first error is reported when met.
pub fn read(input: impl BufRead, file: &Path) -> Result<Schema> {
    reader::read(input, file)
}

/// Render canonical, deterministic PostgreSQL DDL for the model.
pub fn render(schema: &Schema) -> String {
    render::render(schema)
}

/// Canonical text of a SQL expression (defaults, checks, predicates), so that formatting,
/// redundant parentheses and casts written differently never make two schemas differ.
pub fn normalize_expr(expr: &str) -> String {
    expr::normalize_expr(expr)
}

//! PostgreSQL SQL analysis shared by the schema reader (view dependencies), the scanner (raw SQL in
//! app code) and the migration readers: which relations and columns a statement references, and
//! the rewriting of app-code placeholders so that libpg_query accepts the text.

pub mod ast;
pub mod columns;
pub mod placeholders;
pub mod refs;

pub use placeholders::{Rewritten, rewrite_placeholders};
pub use refs::{SqlError, SqlRef, statement_refs};

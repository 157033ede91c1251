//! One reader per source format. Each turns a file's text into operations with spans.

pub mod django;
pub mod ecto;
pub mod rails;
pub mod sql;

//! ecto migrations → operations.

use std::path::Path;

use crate::error::Result;
use crate::migration::Migration;
use crate::schema::Dialect;

/// Read one ecto migration file.
pub fn read(path: &Path, text: &str, dialect: Dialect) -> Result<Migration> {
    let _ = (path, text, dialect);
    todo!("ecto reader")
}

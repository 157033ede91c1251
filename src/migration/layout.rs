//! File layouts: which files form a migration, its version and name, and which part is up or down.

use std::path::Path;

use crate::error::Result;
use crate::migration::{Format, Migration};
use crate::schema::Dialect;

pub fn load_path(path: &Path, format: Option<Format>, dialect: Dialect) -> Result<Vec<Migration>> {
    let _ = (path, format, dialect);
    todo!("load_path")
}

pub fn read_file(path: &Path, text: &str, format: Option<Format>, dialect: Dialect) -> Result<Vec<Migration>> {
    let _ = (path, text, format, dialect);
    todo!("read_file")
}

pub fn detect_format(path: &Path, text: &str) -> Option<Format> {
    let _ = (path, text);
    todo!("detect_format")
}

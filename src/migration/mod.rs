//! Migration files of every supported format → [`Migration`]s of [`Operation`]s.
//!
//! * [`load_path`] reads a file or a directory (in version order, paired layouts joined);
//! * [`load_dirs`] reads an app's several directories as one history (Django's by dependencies);
//! * [`read_file`] reads one file's text;
//! * [`detect_format`] recognises the format from the name and content;
//! * [`diffed`] turns the difference of two schemas into operations (`prisma db push`);
//! * [`apply`] replays operations onto a [`crate::schema::Schema`] so rules know what exists.

pub mod apply;
pub mod diffed;
pub mod layout;
pub mod load;
pub mod operation;
pub mod readers;

use std::path::Path;

pub use apply::{ApplyError, ApplyErrorKind, ApplyNote, replay};
pub use operation::{Direction, Format, Migration, OpKind, Operation, Span};

use crate::error::Result;
use crate::schema::Dialect;

/// Read a migration file or a directory of them. A directory is read in version order; paired
/// layouts (`.up.sql` / `.down.sql`, Flyway `V` / `U`) are joined into one [`Migration`].
pub fn load_path(path: &Path, format: Option<Format>, dialect: Dialect) -> Result<Vec<Migration>> {
    load::load_path(path, format, dialect)
}

/// Read a migration directory whose files are not on disk (a git tree): the same as
/// [`load_path`] on a directory, with `read` giving each file's text.
pub fn load_files(
    files: Vec<std::path::PathBuf>,
    read: impl FnMut(&Path) -> Result<String>,
    format: Option<Format>,
    dialect: Dialect,
) -> Result<Vec<Migration>> {
    load::load_files(files, read, format, dialect)
}

/// Read several directories of one app as one history. Django keeps a `migrations/` folder per
/// Django app, ordered among each other by their `dependencies` (read so, with one model state
/// across them); other formats' directories are read one after another, each in version order.
pub fn load_dirs(dirs: &[&Path], format: Option<Format>, dialect: Dialect) -> Result<Vec<Migration>> {
    // A Python package of migrations: Django's.
    let django = |d: &&Path| d.join("__init__.py").is_file();
    if dirs.len() > 1 && format.is_none_or(|f| f == Format::Django) && dirs.iter().all(django) {
        return readers::django::read_dirs(dirs, dialect);
    }
    let mut out = Vec::new();
    for dir in dirs {
        out.extend(load_path(dir, format, dialect)?);
    }
    Ok(out)
}

/// Read one migration file from its text. Most files hold one migration; a goose or dbmate file
/// holds both directions of one; a plain `.sql` file is one migration with no down part.
pub fn read_file(path: &Path, text: &str, format: Option<Format>, dialect: Dialect) -> Result<Vec<Migration>> {
    load::read_file(path, text, format, dialect)
}

/// The format of a migration file from its extension, falling back to its content.
pub fn detect_format(path: &Path, text: &str) -> Option<Format> {
    load::detect_format(path, text)
}

//! File layouts: which files form a migration, its version and name, and which part is up or down.
//!
//! SQL layouts recognised: Flyway `V3__add_x.sql` / `U3__add_x.sql` (undo) / `R__x.sql`
//! (repeatable), golang-migrate and sqlx `NNN_name.up.sql` / `.down.sql`, dbmate `-- migrate:up` /
//! `-- migrate:down` sections, goose `-- +goose Up` / `-- +goose Down` sections, and plain ordered
//! `.sql` files (no down part).

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::migration::readers::{django, ecto, rails, sql};
use crate::migration::{Direction, Format, Migration};
use crate::schema::Dialect;

pub fn load_path(path: &Path, format: Option<Format>, dialect: Dialect) -> Result<Vec<Migration>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    if !meta.is_dir() {
        let text = Error::read_text(path)?;
        return read_file(path, &text, format, dialect);
    }
    let files: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| Error::read(path, e))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    load_files(files, Error::read_text, format, dialect)
}

/// Read the files of one migration directory, whatever holds them (the file system, a git tree):
/// `read` gives a file's text, asked only for files whose extension is a migration format's.
pub fn load_files(
    mut files: Vec<PathBuf>,
    mut read: impl FnMut(&Path) -> Result<String>,
    format: Option<Format>,
    dialect: Dialect,
) -> Result<Vec<Migration>> {
    files.sort();
    let mut out: Vec<Migration> = Vec::new();
    // Django migrations refer to models created earlier: carry their table and column names.
    let mut django_state = django::State::default();
    for file in files {
        let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file_name.starts_with('.') || file_name == "__init__.py" {
            continue;
        }
        let wanted = match format {
            Some(f) => extension_format(&file) == Some(f),
            None => extension_format(&file).is_some(),
        };
        if !wanted {
            continue;
        }
        let text = read(&file)?;
        // A Python or Ruby file in a migrations folder that is not a migration (helpers,
        // `schema.rb`) is not an error when reading a directory.
        let Some(fmt) = format.or_else(|| detect_format(&file, &text)) else { continue };
        let is_migration = match fmt {
            Format::Sql => true,
            Format::Rails => text.contains("Migration"),
            Format::Ecto => text.contains("Ecto.Migration"),
            Format::Django => text.contains("Migration"),
        };
        if !is_migration {
            continue;
        }
        if fmt == Format::Django {
            out.push(django::read_with_state(&file, &text, dialect, &mut django_state)?);
        } else {
            out.extend(read_file(&file, &text, Some(fmt), dialect)?);
        }
    }
    Ok(join_pairs(out))
}

/// Join separately read up and down files of one version (`.up.sql` + `.down.sql`, Flyway `V` +
/// `U`) and order by version; repeatable migrations come last, by name.
fn join_pairs(migrations: Vec<Migration>) -> Vec<Migration> {
    let mut out: Vec<Migration> = Vec::new();
    for m in migrations {
        let down_only = m.down_file.as_ref() == Some(&m.file);
        let partner = out.iter_mut().find(|o| o.version == m.version && o.format == m.format && !m.version.is_empty());
        match partner {
            Some(o) if down_only && o.down.is_none() => {
                o.down = m.down;
                o.down_file = m.down_file;
            }
            Some(o) if o.up.is_empty() && o.down_file.as_ref() == Some(&o.file) && !down_only => {
                let down = o.down.take();
                let down_file = o.down_file.take();
                *o = Migration { down, down_file, ..m };
            }
            _ => out.push(m),
        }
    }
    out.sort_by(|a, b| compare_versions(&a.version, &b.version).then_with(|| a.name.cmp(&b.name)));
    out
}

/// Compare versions part by part (`1.10` after `1.9`, `20240101120000` after `9`); the empty
/// version of a repeatable migration sorts last.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    let parts = |v: &str| v.split(['.', '_']).map(str::to_owned).collect::<Vec<_>>();
    let (pa, pb) = (parts(a), parts(b));
    for (x, y) in pa.iter().zip(&pb) {
        let ord = match (x.parse::<u128>(), y.parse::<u128>()) {
            (Ok(i), Ok(j)) => i.cmp(&j),
            _ => x.cmp(y),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    pa.len().cmp(&pb.len())
}

pub fn read_file(path: &Path, text: &str, format: Option<Format>, dialect: Dialect) -> Result<Vec<Migration>> {
    let format = format.or_else(|| detect_format(path, text)).ok_or_else(|| {
        Error::input(
            Diagnostic::new(format!("cannot tell the migration format of {}", path.display())).in_file(path).help(
                "expected a .sql, .rb (Rails), .exs (Ecto) or .py (Django) migration; pass --migration-format to say which",
            ),
        )
    })?;
    Ok(vec![match format {
        Format::Sql => read_sql_file(path, text, dialect),
        Format::Rails => rails::read(path, text, dialect)?,
        Format::Ecto => ecto::read(path, text, dialect)?,
        Format::Django => django::read(path, text, dialect)?,
    }])
}

fn extension_format(path: &Path) -> Option<Format> {
    match path.extension()?.to_str()? {
        "sql" => Some(Format::Sql),
        "rb" => Some(Format::Rails),
        "exs" | "ex" => Some(Format::Ecto),
        "py" => Some(Format::Django),
        _ => None,
    }
}

pub fn detect_format(path: &Path, text: &str) -> Option<Format> {
    extension_format(path).or_else(|| {
        if text.contains("ActiveRecord::Migration") {
            Some(Format::Rails)
        } else if text.contains("use Ecto.Migration") {
            Some(Format::Ecto)
        } else if text.contains("migrations.Migration") {
            Some(Format::Django)
        } else if text.contains("-- migrate:up") || text.contains("-- +goose Up") {
            Some(Format::Sql)
        } else {
            None
        }
    })
}

/// What a migration's file name says: its version, its name, and which part it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    pub version: String,
    pub name: String,
    /// `Some(Down)` for `.down.sql` and Flyway `U…`; `Some(Up)` for `.up.sql` and Flyway `V…`.
    pub part: Option<Direction>,
}

/// Parse a migration file name: `20240101120000_add_x.rb`, `0004_x.py`, `V3__add_x.sql`,
/// `U3__add_x.sql`, `R__x.sql`, `000003_add_x.up.sql`, `3_add_x.sql`, `add_x.sql`.
pub fn parse_file_name(path: &Path) -> FileName {
    let file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let mut stem = file;
    for ext in [".sql", ".rb", ".exs", ".ex", ".py"] {
        if let Some(s) = stem.strip_suffix(ext) {
            stem = s;
            break;
        }
    }
    let mut part = None;
    if let Some(s) = stem.strip_suffix(".up") {
        stem = s;
        part = Some(Direction::Up);
    } else if let Some(s) = stem.strip_suffix(".down") {
        stem = s;
        part = Some(Direction::Down);
    }
    // Flyway: a prefix letter, a version with `.` or `_` separators, then `__description`.
    let flyway = |prefix: char| -> Option<(String, String)> {
        let rest = stem.strip_prefix(prefix)?;
        let (version, name) = rest.split_once("__")?;
        if prefix == 'R' && version.is_empty() {
            return Some((String::new(), name.to_owned()));
        }
        (!version.is_empty() && version.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '_'))
            .then(|| (version.replace('_', "."), name.to_owned()))
    };
    if let Some((version, name)) = flyway('V') {
        return FileName { version, name, part: Some(Direction::Up) };
    }
    if let Some((version, name)) = flyway('U') {
        return FileName { version, name, part: Some(Direction::Down) };
    }
    if let Some((version, name)) = flyway('R') {
        return FileName { version, name, part };
    }
    let digits = stem.find(|c: char| !c.is_ascii_digit()).unwrap_or(stem.len());
    if digits == 0 {
        return FileName { version: stem.to_owned(), name: stem.to_owned(), part };
    }
    let version = stem[..digits].to_owned();
    let name = stem[digits..].trim_start_matches(['_', '-', '.']).to_owned();
    FileName { version, name, part }
}

/// A section of a file: its direction and its byte range.
struct Section {
    direction: Direction,
    start: usize,
    end: usize,
}

/// dbmate `-- migrate:up` / `-- migrate:down` and goose `-- +goose Up` / `-- +goose Down`
/// markers. Returns the sections and whether the file asked for no transaction.
fn sections(text: &str) -> Option<(Vec<Section>, bool)> {
    let mut out: Vec<Section> = Vec::new();
    let mut no_transaction = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let lower = trimmed.to_ascii_lowercase();
        let marker = if lower.starts_with("-- migrate:up") || lower.starts_with("-- +goose up") {
            Some(Direction::Up)
        } else if lower.starts_with("-- migrate:down") || lower.starts_with("-- +goose down") {
            Some(Direction::Down)
        } else {
            None
        };
        if lower.contains("transaction:false") || lower.starts_with("-- +goose no transaction") {
            no_transaction = true;
        }
        if let Some(direction) = marker {
            if let Some(last) = out.last_mut() {
                last.end = offset;
            }
            out.push(Section { direction, start: offset + line.len(), end: text.len() });
        }
        offset += line.len();
    }
    (!out.is_empty()).then_some((out, no_transaction))
}

/// The `-- tandem:no-transaction` line: the file asks to run outside a transaction, whatever its
/// statements are (the runner then writes its history row last, and the rules know it).
fn forces_no_transaction(text: &str) -> bool {
    text.lines().any(|l| l.trim().to_ascii_lowercase().starts_with("-- tandem:no-transaction"))
}

fn read_sql_file(path: &Path, text: &str, dialect: Dialect) -> Migration {
    let FileName { version, name, part } = parse_file_name(path);
    let mut m = Migration {
        file: path.to_path_buf(),
        down_file: None,
        version,
        name,
        format: Format::Sql,
        up: Vec::new(),
        down: None,
        transactional: !forces_no_transaction(text),
        source: text.to_owned(),
    };
    let lines = super::readers::LineIndex::new(text);
    if let Some((secs, no_transaction)) = sections(text) {
        m.transactional &= !no_transaction;
        for s in secs {
            let ops = sql::read_statements(path, &lines, s.start, &text[s.start..s.end], dialect, s.direction);
            match s.direction {
                Direction::Up => m.up.extend(ops),
                Direction::Down => m.down.get_or_insert_with(Vec::new).extend(ops),
            }
        }
        return m;
    }
    match part {
        Some(Direction::Down) => {
            m.down = Some(sql::read_statements(path, &lines, 0, text, dialect, Direction::Down));
            m.down_file = Some(path.to_path_buf());
        }
        _ => m.up = sql::read_statements(path, &lines, 0, text, dialect, Direction::Up),
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(p: &str) -> (String, String, Option<Direction>) {
        let f = parse_file_name(Path::new(p));
        (f.version, f.name, f.part)
    }

    #[test]
    fn file_names_of_every_layout() {
        let s = |x: &str| x.to_owned();
        assert_eq!(name("db/migrate/20240101120000_add_x.rb"), (s("20240101120000"), s("add_x"), None));
        assert_eq!(name("V3__add_x.sql"), (s("3"), s("add_x"), Some(Direction::Up)));
        assert_eq!(name("V1_2__add_x.sql"), (s("1.2"), s("add_x"), Some(Direction::Up)));
        assert_eq!(name("U3__add_x.sql"), (s("3"), s("add_x"), Some(Direction::Down)));
        assert_eq!(name("R__refresh_views.sql"), (s(""), s("refresh_views"), None));
        assert_eq!(name("000003_add_x.down.sql"), (s("000003"), s("add_x"), Some(Direction::Down)));
        assert_eq!(name("0004_auto.py"), (s("0004"), s("auto"), None));
        assert_eq!(name("seed.sql"), (s("seed"), s("seed"), None));
    }

    #[test]
    fn the_no_transaction_marker_clears_transactional() {
        let read = |text: &str| read_sql_file(Path::new("1_x.sql"), text, Dialect::Postgres).transactional;
        assert!(read("CREATE INDEX i ON t (c);\n"));
        assert!(!read("-- tandem:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);\n"));
        assert!(!read("-- migrate:up\n-- tandem:no-transaction\nVACUUM t;\n-- migrate:down\n"));
        assert!(!read("-- migrate:up transaction:false\nVACUUM t;\n"));
    }

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("1.10", "1.9"), Ordering::Greater);
        assert_eq!(compare_versions("10", "9"), Ordering::Greater);
        assert_eq!(compare_versions("", "9"), Ordering::Greater);
        assert_eq!(compare_versions("0004", "0003"), Ordering::Greater);
    }
}

//! File layouts: which files form a migration, its version and name, and which part is up or down.
//!
//! SQL layouts recognised: Flyway `V3__add_x.sql` / `U3__add_x.sql` (undo) / `R__x.sql`
//! (repeatable), golang-migrate and sqlx `NNN_name.up.sql` / `.down.sql`, dbmate `-- migrate:up` /
//! `-- migrate:down` sections, goose `-- +goose Up` / `-- +goose Down` sections, and plain ordered
//! `.sql` files (no down part). Prisma Migrate's `<timestamp>_<name>/migration.sql` folders are
//! named by their folder; a Drizzle Kit folder's `meta/_journal.json` gives its order.
//!
//! Framework files: Rails `.rb`, Ecto `.exs`, Django or Alembic `.py` (by content), TypeORM,
//! Sequelize, Knex or migrate-mongo `.js`/`.ts` (by content, which [`super::load`] tells apart through the
//! readers). Alembic revisions are ordered by their `down_revision` chain.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use crate::migration::{Direction, Format};

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

/// The file of a Prisma Migrate migration, in a folder named `<timestamp>_<name>`.
pub(crate) const PRISMA_FILE: &str = "migration.sql";
/// Drizzle Kit's list of a folder's migrations, in order.
pub(crate) const DRIZZLE_JOURNAL: &str = "_journal.json";

/// The formats a `.js` or `.ts` migration can be, told apart by content.
pub(crate) const JS: &[Format] = &[Format::Typeorm, Format::Sequelize, Format::Knex, Format::MigrateMongo];

/// The formats a file's extension allows.
pub(crate) fn extension_formats(path: &Path) -> &'static [Format] {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "sql" => &[Format::Sql],
        "rb" => &[Format::Rails],
        "exs" | "ex" => &[Format::Ecto],
        "py" => &[Format::Django, Format::Alembic],
        "js" | "cjs" | "mjs" | "ts" | "cts" | "mts" => JS,
        _ => &[],
    }
}

/// The format a file's content names when its extension names none (a `.txt` Rails migration,
/// dbmate sections in a file of another name).
pub(crate) fn format_by_content(text: &str) -> Option<Format> {
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
    let mut file = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    // Prisma Migrate: `20240101120000_add_x/migration.sql` is named by its folder.
    if file == PRISMA_FILE
        && let Some(folder) = path.parent().and_then(|p| p.file_name()).and_then(|n| n.to_str())
        && folder.starts_with(|c: char| c.is_ascii_digit())
    {
        file = folder;
    }
    let mut stem = file;
    for ext in [".sql", ".rb", ".exs", ".ex", ".py", ".js", ".cjs", ".mjs", ".ts", ".cts", ".mts"] {
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
pub(crate) struct Section {
    pub direction: Direction,
    pub start: usize,
    pub end: usize,
}

/// dbmate `-- migrate:up` / `-- migrate:down` and goose `-- +goose Up` / `-- +goose Down`
/// markers. Returns the sections and whether the file asked for no transaction.
pub(crate) fn sections(text: &str) -> Option<(Vec<Section>, bool)> {
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
pub(crate) fn forces_no_transaction(text: &str) -> bool {
    text.lines().any(|l| l.trim().to_ascii_lowercase().starts_with("-- tandem:no-transaction"))
}

/// How a directory of SQL migrations names and splits its files, for writing new ones in the
/// same way ([`Layout::detect`] reads it from the files already there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Layout {
    /// `V3__name.sql` with `U3__name.sql` (Flyway's undo) for the down part.
    Flyway,
    /// `000003_name.up.sql` / `000003_name.down.sql` (golang-migrate, sqlx).
    GolangMigrate,
    /// One file, `-- migrate:up` / `-- migrate:down` sections.
    Dbmate,
    /// One file, `-- +goose Up` / `-- +goose Down` sections.
    Goose,
    /// `3_name.sql` with no down part in the file: the down part goes to a `.down.sql` beside it.
    Plain,
}

impl Layout {
    /// The layout of the SQL migrations already in a directory (names and texts); dbmate when
    /// the directory holds none.
    pub fn detect(files: &[(PathBuf, String)]) -> Layout {
        let mut votes = [0usize; 5];
        for (path, text) in files {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if !name.ends_with(".sql") {
                continue;
            }
            let layout = if name.ends_with(".up.sql") || name.ends_with(".down.sql") {
                Layout::GolangMigrate
            } else if parse_file_name(path).part.is_some() && (name.starts_with('V') || name.starts_with('U')) {
                Layout::Flyway
            } else if text.lines().any(|l| l.trim().to_ascii_lowercase().starts_with("-- +goose up")) {
                Layout::Goose
            } else if text.lines().any(|l| l.trim().to_ascii_lowercase().starts_with("-- migrate:up")) {
                Layout::Dbmate
            } else {
                Layout::Plain
            };
            votes[layout as usize] += 1;
        }
        let all = [Layout::Flyway, Layout::GolangMigrate, Layout::Dbmate, Layout::Goose, Layout::Plain];
        match votes.iter().enumerate().max_by_key(|(i, v)| (**v, std::cmp::Reverse(*i))) {
            Some((i, v)) if *v > 0 => all[i],
            _ => Layout::Dbmate,
        }
    }

    /// The files of one migration in this layout: (file name, text). `up` and `down` are SQL;
    /// `transactional` false asks every tool that reads the layout to run it outside a
    /// transaction (and tandem, through `-- tandem:no-transaction`).
    pub fn files(self, version: &str, name: &str, up: &str, down: &str, transactional: bool) -> Vec<(String, String)> {
        let marker = if transactional { "" } else { "-- tandem:no-transaction\n" };
        match self {
            Layout::Flyway => vec![
                (format!("V{version}__{name}.sql"), format!("{marker}{up}")),
                (format!("U{version}__{name}.sql"), format!("{marker}{down}")),
            ],
            Layout::GolangMigrate => vec![
                (format!("{version}_{name}.up.sql"), format!("{marker}{up}")),
                (format!("{version}_{name}.down.sql"), format!("{marker}{down}")),
            ],
            Layout::Plain => vec![
                (format!("{version}_{name}.sql"), format!("{marker}{up}")),
                (format!("{version}_{name}.down.sql"), format!("{marker}{down}")),
            ],
            Layout::Dbmate => {
                let flag = if transactional { "" } else { " transaction:false" };
                vec![(
                    format!("{version}_{name}.sql"),
                    format!("-- migrate:up{flag}\n{up}\n-- migrate:down{flag}\n{down}"),
                )]
            }
            Layout::Goose => {
                // goose splits on semicolons unless told where a statement with its own begins and ends.
                let wrap = |sql: &str| {
                    if sql.contains("$$") || sql.contains("DELIMITER") {
                        format!("-- +goose StatementBegin\n{sql}-- +goose StatementEnd\n")
                    } else {
                        sql.to_owned()
                    }
                };
                let flag = if transactional { "" } else { "-- +goose NO TRANSACTION\n" };
                vec![(
                    format!("{version}_{name}.sql"),
                    format!("{flag}{marker}-- +goose Up\n{}\n-- +goose Down\n{}", wrap(up), wrap(down)),
                )]
            }
        }
    }
}

/// `count` versions after every one in `existing`, in its style: the next numbers at the same
/// width when the directory counts (`0004`, `V5`), timestamps `YYYYMMDDHHMMSS` (from `now`,
/// seconds since 1970, or after the newest) when it uses those or holds nothing yet.
pub fn next_versions(existing: &[String], count: usize, now: u64) -> Vec<String> {
    let newest = existing.iter().filter(|v| !v.is_empty()).max_by(|a, b| compare_versions(a, b));
    match newest {
        Some(v) if v.len() < 12 && v.chars().all(|c| c.is_ascii_digit()) => {
            let n: u64 = v.parse().unwrap_or(0);
            (1..=count as u64).map(|i| format!("{:0width$}", n + i, width = v.len())).collect()
        }
        Some(v) if v.contains('.') => {
            let major: u64 = v.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
            (1..=count as u64).map(|i| (major + i).to_string()).collect()
        }
        _ => {
            let stamp = |secs: u64| -> u64 {
                let (y, m, d) = civil_from_days((secs / 86_400) as i64);
                let rest = secs % 86_400;
                format!("{y:04}{m:02}{d:02}{:02}{:02}{:02}", rest / 3600, rest / 60 % 60, rest % 60)
                    .parse()
                    .unwrap_or(0)
            };
            let mut next = stamp(now);
            if let Some(v) = newest.and_then(|v| v.parse::<u64>().ok()) {
                next = next.max(v + 1);
            }
            (0..count as u64).map(|i| (next + i).to_string()).collect()
        }
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian calendar (Howard
/// Hinnant's civil-from-days algorithm): migration timestamps and waiver dates without a date crate.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
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
    fn new_versions_follow_the_directory() {
        let v = |xs: &[&str]| xs.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(next_versions(&v(&["0003", "0004"]), 2, 0), v(&["0005", "0006"]));
        assert_eq!(next_versions(&v(&["9"]), 1, 0), v(&["10"]));
        // 2026-12-05 21:49:50 UTC.
        assert_eq!(next_versions(&[], 2, 1_796_507_390), v(&["20261205214950", "20261205214951"]));
        assert_eq!(next_versions(&v(&["20991231000000"]), 1, 1_796_507_390), v(&["20991231000001"]));
    }

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("1.10", "1.9"), Ordering::Greater);
        assert_eq!(compare_versions("10", "9"), Ordering::Greater);
        assert_eq!(compare_versions("", "9"), Ordering::Greater);
        assert_eq!(compare_versions("0004", "0003"), Ordering::Greater);
    }
}

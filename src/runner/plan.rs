//! What a run does, decided before it changes anything: each migration file against its history
//! row (applied, edited, pending, failed, incomplete, or a row whose file is gone), the
//! statements of a part as written in the file, and whether the part can run in a transaction.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::database::db::Kind;
use crate::database::history::{self, AppliedMigration, RecordState};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::layout::compare_versions;
use crate::migration::readers::{mysql, sql};
use crate::migration::{Direction, Migration, OpKind, Operation};
use crate::schema::Dialect;

/// The history key of a migration: its version, or `R__name` for a Flyway repeatable one.
pub fn key(m: &Migration) -> String {
    if m.version.is_empty() { format!("R__{}", m.name) } else { m.version.clone() }
}

pub fn is_repeatable(key: &str) -> bool {
    key.starts_with("R__")
}

/// A migration's state, from its file and its history row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    Applied,
    /// Applied, but the file changed since.
    Edited,
    Pending,
    Failed,
    Incomplete,
    /// Applied according to the history, but no file has its version any more.
    Missing,
}

/// One migration as a run sees it.
#[derive(Debug, Clone)]
pub struct Entry<'m> {
    pub key: String,
    pub migration: Option<&'m Migration>,
    pub record: Option<AppliedMigration>,
    /// The file's checksum now.
    pub checksum: Option<String>,
    pub state: State,
}

/// Every migration file and every history row, joined by key, in the order they apply:
/// versions in order, repeatable migrations last.
pub fn entries(migrations: &[Migration], records: Vec<AppliedMigration>) -> Vec<Entry<'_>> {
    let mut by_key: BTreeMap<String, AppliedMigration> = records.into_iter().map(|r| (r.version.clone(), r)).collect();
    let mut out: Vec<Entry<'_>> = migrations
        .iter()
        .map(|m| {
            let key = key(m);
            let checksum = history::checksum(&m.source);
            let record = by_key.remove(&key);
            let state = match &record {
                None => State::Pending,
                Some(r) => match r.state() {
                    RecordState::Failed => State::Failed,
                    RecordState::Incomplete => State::Incomplete,
                    RecordState::Applied if r.checksum == checksum => State::Applied,
                    // A repeatable migration runs again whenever it changes.
                    RecordState::Applied if is_repeatable(&key) => State::Pending,
                    RecordState::Applied => State::Edited,
                },
            };
            Entry { key, migration: Some(m), record, checksum: Some(checksum), state }
        })
        .collect();
    out.extend(by_key.into_values().map(|r| Entry {
        key: r.version.clone(),
        migration: None,
        state: match r.state() {
            RecordState::Applied => State::Missing,
            RecordState::Failed => State::Failed,
            RecordState::Incomplete => State::Incomplete,
        },
        record: Some(r),
        checksum: None,
    }));
    out.sort_by(|a, b| {
        is_repeatable(&a.key).cmp(&is_repeatable(&b.key)).then_with(|| compare_versions(&a.key, &b.key))
    });
    out
}

/// One statement of a part, as written in its file.
#[derive(Debug, Clone, Serialize)]
pub struct Statement {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
    /// Byte range in the file.
    #[serde(skip)]
    pub start: usize,
    #[serde(skip)]
    pub end: usize,
    pub sql: String,
    /// The file's text, for locating errors.
    #[serde(skip)]
    pub source: Arc<str>,
}

impl Statement {
    /// `file:line`, for messages about it.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// The texts of migration files, read once.
#[derive(Default)]
pub struct Sources {
    texts: BTreeMap<PathBuf, Arc<str>>,
}

impl Sources {
    fn text(&mut self, m: &Migration, file: &Path) -> Result<Arc<str>> {
        if let Some(t) = self.texts.get(file) {
            return Ok(t.clone());
        }
        let text: Arc<str> =
            if file == m.file { Arc::from(m.source.as_str()) } else { Arc::from(Error::read_text(file)?) };
        self.texts.insert(file.to_path_buf(), text.clone());
        Ok(text)
    }
}

/// The operations of one part: `up`, or `down` (`None` when the migration has no down part).
pub fn ops(m: &Migration, direction: Direction) -> Option<&[Operation]> {
    match direction {
        Direction::Up => Some(&m.up),
        Direction::Down => m.down.as_deref(),
    }
}

/// The statements of one part, from the reader's spans (an `ALTER TABLE` with several
/// subcommands is one statement). Every statement the dialect's splitter finds among them must
/// be one the reader read: a run never leaves out part of a migration.
pub fn statements(
    m: &Migration,
    direction: Direction,
    dialect: Dialect,
    sources: &mut Sources,
) -> Result<Vec<Statement>> {
    let Some(ops) = ops(m, direction) else { return Ok(Vec::new()) };
    let mut out: Vec<Statement> = Vec::new();
    for op in ops {
        // Subcommands share their statement's span; what a `DO` block or function body does
        // lies inside it. Both run as part of that statement.
        if out.last().is_some_and(|s| s.file == op.span.file && s.start <= op.span.start && op.span.end <= s.end) {
            continue;
        }
        let source = sources.text(m, &op.span.file)?;
        let sql = source.get(op.span.start..op.span.end).unwrap_or_default().to_owned();
        if sql.trim().is_empty() {
            continue;
        }
        out.push(Statement {
            file: op.span.file.clone(),
            line: op.span.line,
            column: op.span.column,
            start: op.span.start,
            end: op.span.end,
            sql,
            source,
        });
    }
    for file in out.iter().map(|s| s.file.clone()).collect::<std::collections::BTreeSet<_>>() {
        let mine: Vec<&Statement> = out.iter().filter(|s| s.file == file).collect();
        let (lo, hi) = (mine.iter().map(|s| s.start).min().unwrap_or(0), mine.iter().map(|s| s.end).max().unwrap_or(0));
        let text = sources.text(m, &file)?;
        let pieces = match dialect {
            Dialect::Mysql => mysql::split(&text),
            Dialect::Postgres | Dialect::Sqlite | Dialect::Mongodb => sql::split(&text),
        };
        for (s, e) in pieces.into_iter().filter(|&(s, e)| s < hi && e > lo) {
            if !mine.iter().any(|st| s < st.end.max(st.start + 1) && e > st.start) {
                return Err(Error::input(
                    Diagnostic::new(format!(
                        "this statement of migration {} was not read, so tandem will not run the migration in part",
                        key(m)
                    ))
                    .at_offset(&file, &text, s..e)
                    .help("report it as a bug of tandem's migration reader"),
                ));
            }
        }
    }
    Ok(out)
}

/// Whether a part runs in one transaction, and why not when it does not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Mode {
    Transaction,
    Outside { reason: String },
}

impl Mode {
    pub fn transactional(&self) -> bool {
        matches!(self, Mode::Transaction)
    }
}

/// Statements PostgreSQL refuses inside a transaction block, by their leading words.
const PG_OUTSIDE: &[(&str, &str)] = &[
    ("VACUUM", "VACUUM"),
    ("CREATE DATABASE", "CREATE DATABASE"),
    ("DROP DATABASE", "DROP DATABASE"),
    ("CREATE TABLESPACE", "CREATE TABLESPACE"),
    ("DROP TABLESPACE", "DROP TABLESPACE"),
    ("ALTER SYSTEM", "ALTER SYSTEM"),
    ("REINDEX DATABASE", "REINDEX DATABASE"),
    ("REINDEX SYSTEM", "REINDEX SYSTEM"),
    ("CREATE SUBSCRIPTION", "CREATE SUBSCRIPTION"),
];

/// Whether `m`'s `direction` part runs in a transaction on this server.
pub fn mode(m: &Migration, direction: Direction, kind: Kind, server_version: u32) -> Mode {
    let outside = |reason: String| Mode::Outside { reason };
    if !m.transactional {
        return outside("the file asks to run outside a transaction".into());
    }
    let ops = ops(m, direction).unwrap_or_default();
    let at = |op: &Operation| format!("line {}", op.span.line);
    for op in ops {
        let words = normalized(op);
        let reason = match (&op.kind, kind) {
            (OpKind::Begin | OpKind::Commit, _) => Some("the file has its own BEGIN/COMMIT".to_owned()),
            (OpKind::AddIndex { concurrently: true, .. }, Kind::Postgres) => {
                Some("CREATE INDEX CONCURRENTLY cannot run in a transaction".into())
            }
            (OpKind::DropIndex { concurrently: true, .. }, Kind::Postgres) => {
                Some("DROP INDEX CONCURRENTLY cannot run in a transaction".into())
            }
            (OpKind::AddEnumValue { .. }, Kind::Postgres) if server_version < 120_000 => {
                Some("ALTER TYPE … ADD VALUE cannot run in a transaction before PostgreSQL 12".into())
            }
            (OpKind::Raw { .. } | OpKind::Unparsed { .. }, Kind::Postgres) => PG_OUTSIDE
                .iter()
                .find(|(p, _)| starts_with_words(&words, p))
                .map(|(_, what)| format!("{what} cannot run in a transaction"))
                .or_else(|| {
                    let concurrently = words.contains(" CONCURRENTLY");
                    (concurrently
                        && (starts_with_words(&words, "REINDEX")
                            || (starts_with_words(&words, "ALTER TABLE") && words.contains(" DETACH PARTITION "))))
                    .then(|| {
                        format!(
                            "{} … CONCURRENTLY cannot run in a transaction",
                            words.split(' ').take(2).collect::<Vec<_>>().join(" ")
                        )
                    })
                }),
            (OpKind::Raw { .. } | OpKind::Unparsed { .. }, Kind::Sqlite) if starts_with_words(&words, "VACUUM") => {
                Some("VACUUM cannot run in a transaction".into())
            }
            // DDL commits implicitly on MySQL/MariaDB: only data changes (and plain queries) can
            // share a transaction.
            (OpKind::Data { .. } | OpKind::SetSetting { .. }, Kind::Mysql | Kind::Mariadb) => None,
            (OpKind::Raw { .. }, Kind::Mysql | Kind::Mariadb)
                if starts_with_words(&words, "SELECT") || starts_with_words(&words, "DO") =>
            {
                None
            }
            (_, Kind::Mysql | Kind::Mariadb) => {
                Some("MySQL and MariaDB commit implicitly around schema changes".into())
            }
            _ => None,
        };
        if let Some(reason) = reason {
            return outside(format!("{reason} ({})", at(op)));
        }
    }
    Mode::Transaction
}

/// The statement's words upper-cased and single-spaced, for recognising its leading keywords.
fn normalized(op: &Operation) -> String {
    let text = match &op.kind {
        OpKind::Raw { sql } => sql.as_str(),
        OpKind::Unparsed { text, .. } => text.as_str(),
        _ => return String::new(),
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_ascii_uppercase()
}

fn starts_with_words(words: &str, prefix: &str) -> bool {
    words.starts_with(prefix)
        && words[prefix.len()..].chars().next().is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::read_file;

    fn read(name: &str, text: &str, dialect: Dialect) -> Migration {
        read_file(Path::new(name), text, None, dialect).unwrap().remove(0)
    }

    #[test]
    fn statements_are_the_readers_spans_one_per_statement() {
        let text = "-- migrate:up\nALTER TABLE t ADD a int, ADD b int;\n\nSELECT pg_sleep(0);\n-- migrate:down\nALTER TABLE t DROP a, DROP b;\n";
        let m = read("1_x.sql", text, Dialect::Postgres);
        let up = statements(&m, Direction::Up, Dialect::Postgres, &mut Sources::default()).unwrap();
        let sqls: Vec<_> = up.iter().map(|s| (s.line, s.sql.as_str())).collect();
        assert_eq!(sqls, [(2, "ALTER TABLE t ADD a int, ADD b int"), (4, "SELECT pg_sleep(0)")]);
        let down = statements(&m, Direction::Down, Dialect::Postgres, &mut Sources::default()).unwrap();
        assert_eq!(down.len(), 1);
        assert_eq!(down[0].line, 6);
    }

    #[test]
    fn mysql_statements_respect_delimiter() {
        let text = "DELIMITER //\nCREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END//\nDELIMITER ;\nINSERT INTO t VALUES (1);\n";
        let m = read("2_p.sql", text, Dialect::Mysql);
        let up = statements(&m, Direction::Up, Dialect::Mysql, &mut Sources::default()).unwrap();
        assert_eq!(up.len(), 2, "{up:#?}");
        assert!(up[0].sql.starts_with("CREATE PROCEDURE") && up[0].sql.ends_with("END"), "{}", up[0].sql);
    }

    #[test]
    fn what_cannot_run_in_a_transaction() {
        let pg = |text: &str, version: u32| {
            mode(&read("1_x.sql", text, Dialect::Postgres), Direction::Up, Kind::Postgres, version)
        };
        assert_eq!(pg("CREATE INDEX i ON t (c);", 150_000), Mode::Transaction);
        assert_eq!(
            pg("SET lock_timeout = '1s';\nCREATE INDEX CONCURRENTLY i ON t (c);", 150_000),
            Mode::Outside { reason: "CREATE INDEX CONCURRENTLY cannot run in a transaction (line 2)".into() }
        );
        assert!(!pg("VACUUM ANALYZE t;", 150_000).transactional());
        assert!(!pg("REINDEX INDEX CONCURRENTLY i;", 150_000).transactional());
        assert!(pg("REINDEX INDEX i;", 150_000).transactional());
        assert!(!pg("ALTER TYPE mood ADD VALUE 'meh';", 110_000).transactional());
        assert!(pg("ALTER TYPE mood ADD VALUE 'meh';", 150_000).transactional());
        assert!(!pg("BEGIN;\nCREATE TABLE t (id int);\nCOMMIT;", 150_000).transactional());
        assert!(!pg("-- tandem:no-transaction\nCREATE TABLE t (id int);", 150_000).transactional());
        let my = |text: &str| mode(&read("1_x.sql", text, Dialect::Mysql), Direction::Up, Kind::Mariadb, 0);
        assert!(my("INSERT INTO t VALUES (1);\nUPDATE t SET a = 2;\nSELECT SLEEP(1);").transactional());
        assert!(!my("INSERT INTO t VALUES (1);\nALTER TABLE t ADD b int;").transactional());
    }

    #[test]
    fn entries_join_files_and_rows() {
        let a = read("1_a.sql", "CREATE TABLE a (id int);", Dialect::Postgres);
        let b = read("2_b.sql", "CREATE TABLE b (id int);", Dialect::Postgres);
        let c = read("3_c.sql", "CREATE TABLE c (id int);", Dialect::Postgres);
        let row = |v: &str, checksum: &str, success: bool, finished: bool| AppliedMigration {
            version: v.into(),
            name: "x".into(),
            checksum: checksum.into(),
            applied_at: "2026-01-01T00:00:00.000Z".into(),
            finished_at: finished.then(|| "2026-01-01T00:00:01.000Z".into()),
            duration: Some(1),
            success,
            tandem_version: "0".into(),
            applied_by: "u@h".into(),
            error: None,
        };
        let migrations = [a.clone(), b, c];
        let records = vec![
            row("1", &history::checksum(&a.source), true, true),
            row("2", "other", true, true),
            row("0", "z", true, true),
            row("3", "z", false, false),
        ];
        let states: Vec<_> = entries(&migrations, records).into_iter().map(|e| (e.key, e.state)).collect();
        assert_eq!(
            states,
            [
                ("0".into(), State::Missing),
                ("1".into(), State::Applied),
                ("2".into(), State::Edited),
                ("3".into(), State::Incomplete)
            ]
        );
    }
}

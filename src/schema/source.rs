//! Where a schema comes from: a dump file (`structure.sql`, mysqldump, `schema.rb`), a Prisma
//! schema (a `.prisma` file or a folder of them), or a live
//! database whose URL is read from an environment variable or given with `--database-url`.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::redact::redact;
use crate::schema::{Dialect, Schema, live, mongodb, mysql, postgres, prisma, rails};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaSource {
    File(PathBuf),
    /// The name of an environment variable holding a database URL.
    UrlEnv(String),
    /// A URL given on the command line (`--database-url`).
    Url(String),
}

impl SchemaSource {
    /// Read a command-line argument: `env:NAME` or `$NAME` names an environment variable, a
    /// `scheme://` URL is a database, anything else a file.
    pub fn from_arg(arg: &str) -> SchemaSource {
        if let Some(var) = arg.strip_prefix("env:").or_else(|| arg.strip_prefix('$')) {
            SchemaSource::UrlEnv(var.to_owned())
        } else if arg.contains("://") {
            SchemaSource::Url(arg.to_owned())
        } else {
            SchemaSource::File(PathBuf::from(arg))
        }
    }
}

impl fmt::Display for SchemaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaSource::File(p) => write!(f, "{}", p.display()),
            SchemaSource::UrlEnv(v) => write!(f, "${v}"),
            SchemaSource::Url(u) => f.write_str(&redact(u)),
        }
    }
}

/// Load a schema. `dialect` (from apps.toml) decides how a `.sql` dump and a `schema.rb` are read;
/// without it the dialect is recognised from the dump's content.
pub fn load(source: &SchemaSource, dialect: Option<Dialect>) -> Result<Schema> {
    match source {
        SchemaSource::File(path) => load_file(path, dialect),
        SchemaSource::UrlEnv(var) => match std::env::var(var) {
            Ok(url) if !url.trim().is_empty() => live::introspect(url.trim()),
            _ => Err(Error::environment(
                Diagnostic::new(format!("environment variable `{var}` is not set; expected a database URL in it"))
                    .help(format!("export {var}=postgres://user@host/db, or point `schema` at a dump file")),
            )),
        },
        SchemaSource::Url(url) => live::introspect(url),
    }
}

fn is_database_file(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    matches!(ext.as_str(), "sqlite" | "sqlite3" | "db")
}

fn load_file(path: &Path, dialect: Option<Dialect>) -> Result<Schema> {
    if prisma::is_prisma(path) {
        return prisma::load(path, dialect.unwrap_or_default());
    }
    if path.is_dir() {
        return Err(Error::input(
            Diagnostic::new(
                "`schema` names a directory holding no .prisma file; expected one dump file (structure.sql, mysqldump, schema.rb) or a Prisma schema",
            )
                .in_file(path)
                .help(
                    "point `schema` at the dump file; a folder of migrations goes under `migrations`, and \
                     tandem replays it when no dump is given",
                ),
        ));
    }
    if is_database_file(path) {
        if !path.is_file() {
            return Err(Error::input(Diagnostic::new(format!("{} does not exist", path.display())).in_file(path)));
        }
        return live::introspect(&format!("sqlite://{}", path.display()));
    }
    // A PostgreSQL dump (the usual, and the one that grows to gigabytes with data) is read as a
    // stream; the first 64 KB tell the dialect and whether the file is empty.
    let file = std::fs::File::open(path).map_err(|e| Error::read(path, e))?;
    let mut input = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut head = Vec::with_capacity(SNIFF);
    (&mut input).take(SNIFF as u64).read_to_end(&mut head).map_err(|e| Error::read(path, e))?;
    let whole = head.len() < SNIFF;
    let head_text = String::from_utf8_lossy(&head);
    let postgres = !is_rails(path) && dialect.unwrap_or_else(|| sniff(&head_text)) == Dialect::Postgres;
    if postgres && !(whole && head_text.trim().is_empty()) {
        return postgres::read(std::io::Cursor::new(head).chain(input), path);
    }
    input.read_to_end(&mut head).map_err(|e| Error::read(path, e))?;
    let text = crate::error::utf8(path, head)?;
    parse_dump(path, &text, dialect)
}

/// How much of a dump [`sniff`] reads.
const SNIFF: usize = 64 * 1024;

fn is_rails(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("rb"))
}

/// Load a schema file from its content, as [`load`] reads the file at `path` (which names it in
/// messages and decides how it is read): used for a file as a git revision holds it. A SQLite
/// database goes through a temporary copy, which is all SQLite can open.
pub fn load_bytes(path: &Path, bytes: &[u8], dialect: Option<Dialect>) -> Result<Schema> {
    if prisma::is_prisma_file(path) {
        let text = crate::error::utf8(path, bytes.to_vec())?;
        return prisma::read(&[(path.to_path_buf(), text)], dialect.unwrap_or_default()).map(|r| r.schema);
    }
    if is_database_file(path) {
        static COPY: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COPY.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let copy = std::env::temp_dir().join(format!("tandem-schema-{}-{n}.sqlite", std::process::id()));
        std::fs::write(&copy, bytes).map_err(|e| {
            Error::environment(Diagnostic::new(format!("cannot write a copy of {}: {e}", path.display())))
        })?;
        let schema = live::introspect(&format!("sqlite://{}?mode=ro", copy.display()));
        let _ = std::fs::remove_file(&copy);
        return schema;
    }
    let text = crate::error::utf8(path, bytes.to_vec())?;
    parse_dump(path, &text, dialect)
}

/// Read a text dump (`structure.sql`, mysqldump, `schema.rb`) that is not on disk, such as a
/// dump as it was at a git revision; `path` names it in messages and decides `schema.rb`. An
/// empty dump is an error, not an empty database: a dump always holds something, and an empty
/// file is a dump that failed or was never written.
pub fn parse_dump(path: &Path, text: &str, dialect: Option<Dialect>) -> Result<Schema> {
    if dialect == Some(Dialect::Mongodb) {
        return mongodb::parse(text, path);
    }
    if text.trim().is_empty() {
        return Err(Error::input(
            Diagnostic::new("the schema dump is empty; expected the schema's statements (pg_dump --schema-only, mysqldump --no-data, schema.rb)")
                .at(path, 1, 1)
                .help("write the dump again, or point `schema` in apps.toml at the right file"),
        ));
    }
    if is_rails(path) {
        return rails::parse(text, path, dialect.unwrap_or_default());
    }
    match dialect.unwrap_or_else(|| sniff(text)) {
        Dialect::Postgres => postgres::parse(text, path),
        Dialect::Mysql => mysql::parse(text, path),
        Dialect::Sqlite => Err(Error::input(
            Diagnostic::new("SQLite schemas are read from a database file or a sqlite:// URL, not a text dump")
                .in_file(path),
        )),
        Dialect::Mongodb => mongodb::parse(text, path),
    }
}

/// MySQL dumps quote with backticks and carry table options or versioned comments; a JSON
/// document is a MongoDB schema; anything else is read as PostgreSQL.
fn sniff(text: &str) -> Dialect {
    let head = &text[..text.floor_char_boundary(text.len().min(SNIFF))];
    if head.trim_start().starts_with(['[', '{']) {
        Dialect::Mongodb
    } else if head.contains("ENGINE=") || head.contains("/*!40") || head.contains("CREATE TABLE `") {
        Dialect::Mysql
    } else {
        Dialect::Postgres
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_name_files_urls_and_variables() {
        assert_eq!(SchemaSource::from_arg("env:DB"), SchemaSource::UrlEnv("DB".into()));
        assert_eq!(SchemaSource::from_arg("$DB"), SchemaSource::UrlEnv("DB".into()));
        assert_eq!(SchemaSource::from_arg("postgres://x/y"), SchemaSource::Url("postgres://x/y".into()));
        assert_eq!(SchemaSource::from_arg("db/structure.sql"), SchemaSource::File("db/structure.sql".into()));
        assert_eq!(SchemaSource::Url("postgres://u:pw@h/d".into()).to_string(), "postgres://u:***@h/d");
    }

    #[test]
    fn a_prisma_schema_is_read_and_a_folder_without_one_is_no_dump() {
        let dir = tempfile::tempdir().unwrap();
        let err = load(&SchemaSource::File(dir.path().to_path_buf()), None).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{err}");
        assert!(err.to_string().contains("names a directory holding no .prisma file"), "{err}");
        let prisma = dir.path().join("schema.prisma");
        std::fs::write(&prisma, "datasource db {\n  provider = \"mysql\"\n}\nmodel A {\n  id Int @id\n}\n").unwrap();
        for path in [&prisma, &dir.path().to_path_buf()] {
            let schema = load(&SchemaSource::File(path.clone()), None).unwrap();
            assert_eq!((schema.dialect, schema.tables.len()), (Dialect::Mysql, 1));
        }
        let schema = load_bytes(&prisma, b"model B {\n  id Int @id\n}\n", None).unwrap();
        assert_eq!(schema.tables[0].name.to_string(), "public.B");
    }

    #[test]
    fn sniffs_mysql_dumps() {
        assert_eq!(sniff("CREATE TABLE `users` (\n) ENGINE=InnoDB;"), Dialect::Mysql);
        assert_eq!(sniff("CREATE TABLE public.users ();"), Dialect::Postgres);
        assert_eq!(sniff("\n[{\"name\": \"users\"}]"), Dialect::Mongodb);
    }
}

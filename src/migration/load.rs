//! Reading migrations: a directory's files (in version order, paired layouts joined) or one file,
//! each through its format's reader. What the file names and sections mean is [`super::layout`]'s;
//! this module is the one place that joins the layouts to the readers, so that the readers may
//! use the layout (`parse_file_name`) and the layout never the readers.

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::migration::layout::{
    DRIZZLE_JOURNAL, FileName, JS, PRISMA_FILE, compare_versions, extension_formats, forces_no_transaction,
    format_by_content, parse_file_name, sections,
};
use crate::migration::readers::{alembic, django, ecto, js, knex, migrate_mongo, rails, sequelize, sql, typeorm};
use crate::migration::{Direction, Format, Migration};
use crate::schema::Dialect;

/// The files inside a folder of a migrations directory that are read with it: Prisma's
/// `<timestamp>_<name>/migration.sql`, Drizzle's `meta/_journal.json`. Every other folder is
/// not part of the directory's migrations, but see [`nested`].
pub const NESTED: [&str; 2] = [PRISMA_FILE, DRIZZLE_JOURNAL];

/// Of the file names in a folder of a migrations directory, those read with the directory: the
/// ones [`NESTED`] names and any other `migration.*` (`migration.ts`) beside them. A folder laid
/// out as Prisma's, whose migration is not SQL — formbricks keeps data migrations as
/// `<version>_<name>/migration.ts` for its own runner — holds a migration tandem cannot read:
/// [`load_files`] reports it rather than pass over it.
pub fn nested<'n>(names: impl IntoIterator<Item = &'n str>) -> Vec<&'n str> {
    names
        .into_iter()
        .filter(|n| NESTED.contains(n) || n.strip_prefix("migration.").is_some_and(|e| !e.is_empty()))
        .collect()
}

/// A migration in Prisma's layout whose file is not `migration.sql`: tandem cannot read what it
/// does, so it becomes one `Unparsed` operation (a finding, a block in strict mode), never
/// nothing.
fn unreadable_nested(file: &Path, read: &mut impl FnMut(&Path) -> Result<String>) -> Option<Migration> {
    let name = file.file_name()?.to_str()?;
    let folder = file.parent()?.file_name()?.to_str()?;
    if name == PRISMA_FILE || !name.starts_with("migration.") || !folder.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let FileName { version, name: title, .. } = parse_file_name(&file.with_file_name(PRISMA_FILE));
    let shown = format!("{folder}/{name}");
    let reason = format!(
        "a migration folder without {PRISMA_FILE}: tandem cannot read `{name}`, which another tool runs, so what it does to the database is unknown"
    );
    let span = crate::migration::Span { file: file.to_path_buf(), line: 1, column: 1, start: 0, end: 0 };
    Some(Migration {
        file: file.to_path_buf(),
        down_file: None,
        version,
        name: title,
        format: Format::Sql,
        up: vec![crate::migration::Operation {
            kind: crate::migration::OpKind::Unparsed { text: shown, reason },
            span,
            direction: Direction::Up,
        }],
        down: None,
        transactional: true,
        // For the excerpt only: a file tandem does not read may be in any encoding.
        replaces: Vec::new(),
        source: read(file).unwrap_or_default(),
    })
}

pub fn load_path(path: &Path, format: Option<Format>, dialect: Dialect) -> Result<Vec<Migration>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::read(path, e))?;
    if !meta.is_dir() {
        let text = Error::read_text(path)?;
        return read_file(path, &text, format, dialect);
    }
    // migrate-mongo keeps its configuration beside the `migrations/` folder.
    let format = format.or_else(|| {
        path.parent().is_some_and(|p| p.join(migrate_mongo::CONFIG_FILE).is_file()).then_some(Format::MigrateMongo)
    });
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(path).map_err(|e| Error::read(path, e))? {
        let p = entry.map_err(|e| Error::read(path, e))?.path();
        if p.is_file() {
            files.push(p);
        } else if p.is_dir() {
            let inside: Vec<String> = std::fs::read_dir(&p)
                .map_err(|e| Error::read(&p, e))?
                .filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect();
            files.extend(nested(inside.iter().map(String::as_str)).into_iter().map(|n| p.join(n)));
        }
    }
    load_files(files, Error::read_text, format, dialect)
}

/// Read the files of one migration directory, whatever holds them (the file system, a git tree):
/// `read` gives a file's text, asked only for files whose extension is a migration format's.
pub fn load_files(
    files: Vec<PathBuf>,
    read: impl FnMut(&Path) -> Result<String>,
    format: Option<Format>,
    dialect: Dialect,
) -> Result<Vec<Migration>> {
    load_files_with(files, read, format, dialect, &ecto::RepoConfig::default())
}

/// [`load_files`] for an app whose configuration changes what its Ecto migrations create.
pub fn load_files_with(
    mut files: Vec<PathBuf>,
    mut read: impl FnMut(&Path) -> Result<String>,
    format: Option<Format>,
    dialect: Dialect,
    ecto_config: &ecto::RepoConfig,
) -> Result<Vec<Migration>> {
    files.sort();
    let mut out: Vec<Migration> = Vec::new();
    // Django migrations are read together at the end: they refer to models created earlier
    // (one state carries their table and column names) and a squashed one stands for those it
    // replaces.
    let mut django_sources: Vec<(PathBuf, String)> = Vec::new();
    let mut journal = None;
    let mut undetected = Vec::new();
    for file in files {
        let file_name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if file_name == DRIZZLE_JOURNAL {
            journal = Some((read(&file)?, file));
            continue;
        }
        if let Some(m) = unreadable_nested(&file, &mut read) {
            out.push(m);
            continue;
        }
        if file_name.starts_with('.')
            || file_name == "__init__.py"
            || file_name.ends_with(".d.ts")
            || file_name == migrate_mongo::CONFIG_FILE
        {
            continue;
        }
        let formats = extension_formats(&file);
        let wanted = match format {
            Some(f) => formats.contains(&f),
            None => !formats.is_empty(),
        };
        if !wanted {
            continue;
        }
        let text = read(&file)?;
        // A Python, Ruby or JavaScript file in a migrations folder that is not a migration
        // (helpers, `schema.rb`, Alembic's `env.py`) is not an error when reading a directory.
        // On a MongoDB registry a JS migration is migrate-mongo's: the SQL ORMs run no MongoDB.
        let mongo =
            (dialect == Dialect::Mongodb && formats.contains(&Format::MigrateMongo)).then_some(Format::MigrateMongo);
        let Some(fmt) = format.or(mongo).or_else(|| detect_format(&file, &text)) else {
            // A JS migration that names no ORM (`async up() { execSync(…) }`) is read as its
            // neighbours are, once they are known.
            if formats.contains(&Format::Knex) && text.contains("up") {
                undetected.push((file, text));
            }
            continue;
        };
        let is_migration = match fmt {
            Format::Sql => true,
            Format::Rails => text.contains("Migration"),
            Format::Ecto => text.contains("Ecto.Migration"),
            Format::Django => text.contains("Migration"),
            Format::Alembic => alembic::is_alembic(&text),
            Format::Typeorm | Format::Sequelize | Format::Knex | Format::MigrateMongo => text.contains("up"),
            Format::PrismaSchema => false,
        };
        if !is_migration {
            continue;
        }
        if fmt == Format::Django {
            django_sources.push((file, text));
        } else if fmt == Format::Ecto {
            out.push(ecto::read_with(&file, &text, dialect, ecto_config)?);
        } else {
            out.extend(read_file(&file, &text, Some(fmt), dialect)?);
        }
    }
    if !django_sources.is_empty() {
        out.extend(django::read_sources(django_sources, dialect)?);
    }
    let mut js_formats: Vec<Format> = out.iter().map(|m| m.format).filter(|f| JS.contains(f)).collect();
    js_formats.sort();
    let dominant = js_formats.chunk_by(|a, b| a == b).max_by_key(|run| run.len()).map(|run| run[0]);
    if let Some(fmt) = dominant {
        for (file, text) in undetected {
            out.extend(read_file(&file, &text, Some(fmt), dialect)?);
        }
    }
    let (revisions, others): (Vec<Migration>, Vec<Migration>) =
        out.into_iter().partition(|m| m.format == Format::Alembic);
    let mut out = join_pairs(others);
    if let Some((text, path)) = journal {
        order_by_journal(&mut out, &path, &text)?;
    }
    out.extend(alembic::order(revisions)?);
    Ok(out)
}

/// A file's format: its extension's, or where the extension allows several (`.py`: Django or
/// Alembic; `.js`/`.ts`: TypeORM, Sequelize or Knex) the one its content shows, which the readers
/// know; for any other file, the one its content names.
pub fn detect_format(path: &Path, text: &str) -> Option<Format> {
    let by_content = |formats: &[Format]| {
        if formats.contains(&Format::Alembic) && alembic::is_alembic(text) {
            Some(Format::Alembic)
        } else if formats.contains(&Format::Knex) {
            js::detect(text)
        } else {
            None
        }
    };
    match extension_formats(path) {
        [only] => Some(*only),
        [] => format_by_content(text),
        several => by_content(several).or_else(|| several.first().copied().filter(|f| *f == Format::Django)),
    }
}

/// Order the SQL migrations of a Drizzle Kit folder as `meta/_journal.json` lists them (by
/// `idx`; its `tag` is the file's name without `.sql`). An entry whose file is missing is an
/// error at the entry: Drizzle would fail on it.
fn order_by_journal(migrations: &mut [Migration], path: &Path, text: &str) -> Result<()> {
    #[derive(serde::Deserialize)]
    struct Journal {
        entries: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        idx: u64,
        tag: String,
    }
    let journal: Journal = serde_json::from_str(text).map_err(|e| {
        Error::input(
            Diagnostic::new(format!("Drizzle journal: {e}"))
                .at(path, e.line() as u32, e.column() as u32)
                .help("expected `{\"entries\": [{\"idx\": 0, \"tag\": \"0000_name\", …}]}` as drizzle-kit writes it"),
        )
    })?;
    let stem = |m: &Migration| m.file.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
    for entry in &journal.entries {
        if !migrations.iter().any(|m| stem(m) == entry.tag) {
            let line = text.lines().position(|l| l.contains(&format!("\"{}\"", entry.tag))).map_or(1, |i| i + 1);
            return Err(Error::input(
                Diagnostic::new(format!(
                    "the journal lists `{}`, but {}.sql is not in the folder",
                    entry.tag, entry.tag
                ))
                .at(path, line as u32, 1)
                .help("restore the migration file, or regenerate the journal with drizzle-kit"),
            ));
        }
    }
    let idx = |m: &Migration| journal.entries.iter().find(|e| e.tag == stem(m)).map_or(u64::MAX, |e| e.idx);
    migrations.sort_by_key(idx);
    Ok(())
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

pub fn read_file(path: &Path, text: &str, format: Option<Format>, dialect: Dialect) -> Result<Vec<Migration>> {
    let format = format.or_else(|| detect_format(path, text)).ok_or_else(|| {
        Error::input(
            Diagnostic::new(format!("cannot tell the migration format of {}", path.display())).in_file(path).help(
                "expected a .sql, .rb (Rails), .exs (Ecto), .py (Django, Alembic) or .js/.ts (TypeORM, Sequelize, Knex, migrate-mongo) migration; pass --migration-format to say which",
            ),
        )
    })?;
    Ok(vec![match format {
        Format::Sql => read_sql_file(path, text, dialect),
        Format::Rails => rails::read(path, text, dialect)?,
        Format::Ecto => ecto::read(path, text, dialect)?,
        Format::Django => django::read(path, text, dialect)?,
        Format::Alembic => alembic::read(path, text, dialect)?,
        Format::Typeorm => typeorm::read(path, text, dialect)?,
        Format::Sequelize => sequelize::read(path, text, dialect)?,
        Format::Knex => knex::read(path, text, dialect)?,
        Format::MigrateMongo => migrate_mongo::read(path, text, dialect)?,
        Format::PrismaSchema => {
            return Err(Error::input(
                Diagnostic::new(format!(
                    "{} is not a migration: a Prisma schema is diffed, not read as one",
                    path.display()
                ))
                .in_file(path)
                .help("set `schema` in apps.toml and run `tandem check --since REV` to gate a `prisma db push`"),
            ));
        }
    }])
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
        replaces: Vec::new(),
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
    use crate::migration::layout::Layout;

    #[test]
    fn the_no_transaction_marker_clears_transactional() {
        let read = |text: &str| read_sql_file(Path::new("1_x.sql"), text, Dialect::Postgres).transactional;
        assert!(read("CREATE INDEX i ON t (c);\n"));
        assert!(!read("-- tandem:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);\n"));
        assert!(!read("-- migrate:up\n-- tandem:no-transaction\nVACUUM t;\n-- migrate:down\n"));
        assert!(!read("-- migrate:up transaction:false\nVACUUM t;\n"));
    }

    #[test]
    fn written_files_read_back_in_their_layout() {
        for layout in [Layout::Flyway, Layout::GolangMigrate, Layout::Dbmate, Layout::Goose, Layout::Plain] {
            let files = layout.files(
                "7",
                "add_x",
                "ALTER TABLE t ADD COLUMN x int;\n",
                "ALTER TABLE t DROP COLUMN x;\n",
                false,
            );
            let paths: Vec<PathBuf> = files.iter().map(|(n, _)| PathBuf::from(n)).collect();
            let texts = files.clone();
            let read = |p: &Path| Ok(texts.iter().find(|(n, _)| Path::new(n) == p).unwrap().1.clone());
            let ms = load_files(paths, read, None, Dialect::Postgres).unwrap();
            assert_eq!(ms.len(), 1, "{layout:?}");
            assert_eq!((ms[0].version.as_str(), ms[0].up.len()), ("7", 1), "{layout:?}");
            assert_eq!(ms[0].down.as_ref().map(Vec::len), Some(1), "{layout:?}");
            assert!(!ms[0].transactional, "{layout:?}");
            let with_text: Vec<(PathBuf, String)> = files.into_iter().map(|(n, t)| (PathBuf::from(n), t)).collect();
            // A plain directory that gains `.down.sql` files reads as golang-migrate's pairs.
            let expected = if layout == Layout::Plain { Layout::GolangMigrate } else { layout };
            assert_eq!(Layout::detect(&with_text), expected);
        }
    }
}

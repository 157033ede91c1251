//! The schema `scan`, `refs` and `graph` resolve against ([`baseline::for_references`]), kept in
//! the store between runs.
//!
//! Building it means parsing a dump and, for apps that commit none (or whose dump lags), parsing
//! and replaying every registered migration: 0.1–0.2 s for a few hundred Django or Ecto
//! migrations, on every scan, when the scan of one changed file costs a tenth of that. The result
//! depends only on files in work trees and on this build of tandem, so it is stored under a
//! digest of all of them ([`key`]) and read back while the digest is the same.
//!
//! What the digest covers is what [`baseline::for_references`] reads: the dialect, the dump's
//! bytes, and every file under each registered migration directory (with its path), plus
//! migrate-mongo's configuration beside a directory, which decides its format. It covers more
//! than is read (a README in a migration folder): that only costs a rebuild. A live database
//! (`database_url_env`) changes without any file changing: never cached.

use std::path::Path;

use crate::digest::Key;

use crate::check::baseline;
use crate::config::{AppSource, Config, SchemaSetting};
use crate::error::Result;
use crate::schema::{Dialect, Schema};
use crate::store::Store;

/// Part of every key: bump when the stored encoding changes.
const FORMAT: u32 = 1;

/// Directories below a migration directory that are read (Prisma's `<name>/migration.sql` is one
/// level down); deeper ones are digested too, up to this depth, so that no layout is missed.
const DEPTH: usize = 4;

/// [`baseline::for_references`] through the store: the stored schema when every input is as it
/// was, else built and stored. Without a store, or for a live database, it is built each time. A
/// stored schema that does not decode is rebuilt, never an error; an input that cannot be read is
/// left to the builder, which reports it where it is.
pub fn for_references(config: &Config, store: Option<&Store>) -> Result<Option<Schema>> {
    let Some(store) = store else { return baseline::for_references(config) };
    let Some(key) = key(config) else { return baseline::for_references(config) };
    if let Some(bytes) = store.schema(&key)? {
        match serde_json::from_slice::<Option<Schema>>(&bytes) {
            Ok(schema) => return Ok(schema),
            Err(e) => tracing::warn!("the stored schema {key} does not decode ({e}); building it again"),
        }
    }
    let schema = baseline::for_references(config)?;
    store.put_schema(&key, &encode(&schema)?)?;
    Ok(schema)
}

/// A dump as [`crate::schema::load`] reads it (`parse`), through the store: `check` reads the
/// registry's dump on every run, hundreds of milliseconds for a large `structure.sql`, when it
/// has most often not changed since the last. `content` is the dump's bytes when the caller
/// holds them (read from git), else the file at `path` is digested as a stream (a dump with data
/// grows to gigabytes). Without a store, or when the dump cannot be read (`parse` reports that
/// where it is), it is parsed each time; a stored one that does not decode is parsed again.
pub fn dump(
    store: Option<&Store>,
    path: &Path,
    content: Option<&[u8]>,
    dialect: Dialect,
    parse: impl FnOnce() -> Result<Schema>,
) -> Result<Schema> {
    let Some(store) = store else { return parse() };
    let Some(key) = dump_key(path, content, dialect) else { return parse() };
    if let Some(bytes) = store.schema(&key)? {
        match serde_json::from_slice::<Schema>(&bytes) {
            Ok(schema) => return Ok(schema),
            Err(e) => tracing::warn!("the stored dump {key} does not decode ({e}); parsing it again"),
        }
    }
    let schema = parse()?;
    store.put_schema(&key, &encode(&schema)?)?;
    Ok(schema)
}

fn encode<T: serde::Serialize>(schema: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(schema).map_err(|e| {
        crate::error::Error::environment(crate::error::Diagnostic::new(format!("cannot encode the schema: {e}")))
    })
}

/// The digest a parsed dump is stored under: what [`key`] covers of the program, and the dump's
/// path (spans name it), dialect and bytes.
fn dump_key(path: &Path, content: Option<&[u8]>, dialect: Dialect) -> Option<String> {
    let mut key = Key::new(FORMAT);
    key.field(b"dump");
    key.field(dialect.to_string().as_bytes());
    key.field(path.as_os_str().as_encoded_bytes());
    match content {
        Some(bytes) => key.field(bytes),
        None => key.field_from(std::fs::metadata(path).ok()?.len(), &mut std::fs::File::open(path).ok()?)?,
    }
    Some(key.hex())
}

/// The digest of every input of [`baseline::for_references`], or `None` when one of them is not
/// a file (a live database) or cannot be read as the builder would (it reports that itself).
pub fn key(config: &Config) -> Option<String> {
    let mut key = Key::new(FORMAT);
    let mut field = |bytes: &[u8]| key.field(bytes);
    field(config.registry.dialect.to_string().as_bytes());
    // Migration paths are reported relative to it.
    field(crate::check::gather::report_root(config).as_os_str().as_encoded_bytes());
    match &config.registry.schema {
        None => field(b"no dump"),
        Some(SchemaSetting::UrlEnv(_)) => return None,
        Some(SchemaSetting::File(path)) => {
            field(path.as_os_str().as_encoded_bytes());
            field(&std::fs::read(path).ok()?);
        }
    }
    let mut dirs = Vec::new();
    if let Some(dir) = &config.registry.migrations {
        if !dir.is_dir() {
            return None;
        }
        dirs.push(dir.clone());
    }
    for app in config.apps.iter().filter(|a| a.source == AppSource::Repo) {
        field(app.name.as_bytes());
        for dir in &app.migrations {
            dirs.push(app.repo.join(app.path.as_deref().unwrap_or("")).join(dir));
        }
    }
    for dir in &dirs {
        field(dir.as_os_str().as_encoded_bytes());
        // An app's directory missing from its work tree is not replayed: that is an input too.
        if !dir.is_dir() {
            field(b"absent");
            continue;
        }
        let beside = dir.parent().map(|p| p.join(crate::migration::readers::migrate_mongo::CONFIG_FILE));
        match beside.and_then(|p| std::fs::read(p).ok()) {
            Some(bytes) => field(&bytes),
            None => field(b"no migrate-mongo configuration"),
        }
        digest_dir(dir, DEPTH, &mut field).ok()?;
    }
    Some(key.hex())
}

/// Every file under `dir` (names and bytes, in name order), to `depth` levels.
fn digest_dir(dir: &Path, depth: usize, field: &mut impl FnMut(&[u8])) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        field(entry.file_name().as_encoded_bytes());
        if path.is_file() {
            field(&std::fs::read(&path)?);
        } else if path.is_dir() && depth > 0 {
            digest_dir(&path, depth - 1, field)?;
        }
    }
    Ok(())
}

//! Listing the files of an app at one commit, straight from the object database: no checkout,
//! never the index or a work tree. Decides which paths are worth reading (the app's code) and
//! reports what it cannot read instead of dropping it silently.

use std::path::Path;

use git2::{ObjectType, Oid, Repository};
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::config::App;
use crate::error::{Diagnostic, Error, Result};
use crate::scan::reference::{Skipped, reason};

/// One blob of the app at the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path inside the repository, `/`-separated.
    pub path: String,
    /// Path relative to the app's `path` (what globs and framework conventions see).
    pub app_path: String,
    pub blob: Oid,
}

#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<FileEntry>,
    pub skipped: Vec<Skipped>,
}

/// Directory names that hold third-party, build or tool output anywhere in a tree.
const SKIP_DIRS: &[&str] = &[
    ".git",
    "vendor",
    "node_modules",
    "deps",
    "_build",
    "bower_components",
    "__pycache__",
    ".venv",
    "venv",
    "site-packages",
    ".bundle",
    "coverage",
    ".next",
    ".nuxt",
    ".elixir_ls",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
];

/// Lock files: dependency manifests, never application code.
const LOCK_FILES: &[&str] = &[
    "Gemfile.lock",
    "mix.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "Cargo.lock",
    "composer.lock",
    "go.sum",
];

/// Extensions of files that are never code (assets, archives, media, fonts, compiled output).
/// Skipped without a report: they are not "unreadable", they are not source.
const ASSET_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "ico", "bmp", "tiff", "svg", "psd", "pdf", "zip", "gz", "tgz", "bz2", "xz",
    "7z", "rar", "tar", "jar", "war", "class", "so", "dylib", "dll", "exe", "o", "a", "pyc", "pyo", "beam", "woff",
    "woff2", "ttf", "otf", "eot", "mp3", "mp4", "mov", "avi", "webm", "wav", "ogg", "flac", "map", "lock", "sqlite",
    "sqlite3", "db", "keystore", "pem", "crt", "der", "p12",
];

/// Schema dumps committed by the framework, relative to the app's path.
const SCHEMA_DUMPS: &[&str] = &["db/schema.rb", "db/structure.sql", "priv/repo/structure.sql"];

/// Decides which paths of an app are read.
pub struct Filter {
    include: Option<GlobSet>,
    exclude: GlobSet,
    migration_dirs: Vec<String>,
    /// Any directory of this name is a migration directory (Django apps, Alembic).
    migration_dir_names: &'static [&'static str],
    dumps: Vec<String>,
}

/// Why a path is not read, when the reason is worth reporting; `None` inside means "silently".
pub enum Decision {
    Read,
    /// Not code, or excluded by configuration: not reported.
    Ignore,
}

impl Filter {
    pub fn new(app: &App) -> Result<Filter> {
        let build = |globs: &[String]| -> Result<GlobSet> {
            let mut b = GlobSetBuilder::new();
            for g in globs {
                let glob = Glob::new(g).map_err(|e| {
                    Error::input(Diagnostic::new(format!("app `{}`: invalid glob `{g}`: {}", app.name, e.kind())))
                })?;
                b.add(glob);
            }
            b.build().map_err(|e| Error::input(Diagnostic::new(format!("app `{}`: invalid globs: {e}", app.name))))
        };
        let include = if app.include.is_empty() { None } else { Some(build(&app.include)?) };
        let exclude = build(&app.exclude)?;
        // The framework's own migrations are read by the migration readers; scanning them would
        // make every dropped column "still used".
        let framework = crate::framework::of(app.framework);
        let (migration_dirs, migration_dir_names): (Vec<String>, &'static [&'static str]) = if app.migrations.is_empty()
        {
            (framework.migration_dirs().iter().map(|s| (*s).to_owned()).collect(), framework.migration_dir_names())
        } else {
            (app.migrations.iter().map(|d| d.trim_end_matches('/').to_owned()).collect(), &[])
        };
        let mut dumps: Vec<String> = SCHEMA_DUMPS.iter().map(|s| (*s).to_owned()).collect();
        if let Some(s) = &app.structure {
            dumps.push(s.clone());
        }
        Ok(Filter { include, exclude, migration_dirs, migration_dir_names, dumps })
    }

    /// Whether to descend into the directory at `dir` (relative to the app's path).
    pub fn enter_dir(&self, dir: &str) -> bool {
        let name = dir.rsplit('/').next().unwrap_or(dir);
        if SKIP_DIRS.contains(&name) || self.migration_dir_names.contains(&name) {
            return false;
        }
        !self.migration_dirs.iter().any(|m| dir_matches(m, dir))
    }

    /// Whether to read the file at `path` (relative to the app's path).
    pub fn file(&self, path: &str) -> Decision {
        let name = path.rsplit('/').next().unwrap_or(path);
        if LOCK_FILES.contains(&name) || self.dumps.iter().any(|d| d == path) {
            return Decision::Ignore;
        }
        // Names compared without case, and without a lower-cased copy of each: every file of
        // every scan comes through here.
        if let Some((_, ext)) = name.rsplit_once('.')
            && ASSET_EXTENSIONS.iter().any(|a| a.eq_ignore_ascii_case(ext))
        {
            return Decision::Ignore;
        }
        if is_minified_or_generated_name(name) {
            return Decision::Ignore;
        }
        if let Some(inc) = &self.include
            && !inc.is_match(path)
        {
            return Decision::Ignore;
        }
        // An empty set still prepares the path for matching (allocating) before it finds nothing.
        if !self.exclude.is_empty() && self.exclude.is_match(path) {
            return Decision::Ignore;
        }
        Decision::Read
    }
}

/// `pattern` is a directory path where a `*` segment matches any one segment.
fn dir_matches(pattern: &str, dir: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').collect();
    let d: Vec<&str> = dir.split('/').collect();
    p.len() == d.len() && p.iter().zip(&d).all(|(a, b)| *a == "*" || a == b)
}

/// Whether a file name (in any case) is that of minified or generated code.
fn is_minified_or_generated_name(name: &str) -> bool {
    const SUFFIXES: [&str; 9] =
        [".min.js", ".min.css", ".min.mjs", ".bundle.js", ".chunk.js", ".pb.go", "_pb2.py", ".generated.ts", ".d.ts"];
    let name = name.as_bytes();
    SUFFIXES.iter().any(|s| name.len() >= s.len() && name[name.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes()))
}

/// List the files of `app` at `commit`. The app's `path` missing at that commit is an error
/// (the app cannot be checked there); everything below it that cannot be read is reported.
pub fn list(repo: &Repository, app: &App, rev: &str, commit: Oid) -> Result<Listing> {
    let env = |what: String| Error::environment(Diagnostic::new(format!("app `{}` at `{rev}`: {what}", app.name)));
    let commit_obj =
        repo.find_commit(commit).map_err(|e| env(format!("cannot read commit {commit}: {}", e.message())))?;
    let root = commit_obj.tree().map_err(|e| env(format!("cannot read the tree of {commit}: {}", e.message())))?;
    let base = app.path.as_deref().unwrap_or("").trim_matches('/');
    let tree = if base.is_empty() {
        root
    } else {
        let entry = root
            .get_path(Path::new(base))
            .map_err(|_| env(format!("path `{base}` does not exist in commit {commit}")))?;
        if entry.kind() != Some(ObjectType::Tree) {
            return Err(env(format!("path `{base}` is not a directory in commit {commit}")));
        }
        repo.find_tree(entry.id()).map_err(|e| {
            env(format!("the tree of `{base}` ({}) is missing from the object database: {}", entry.id(), e.message()))
        })?
    };
    let filter = Filter::new(app)?;
    let prefix = if base.is_empty() { String::new() } else { format!("{base}/") };
    let mut listing = Listing::default();
    // Walk by hand rather than with `Tree::walk`: a subtree missing from the odb must be reported
    // and skipped, where `walk` aborts the whole walk. Depth first and in order: git sorts a
    // tree's entries by name, a subtree's as if it ended in `/`, so the files come out sorted by
    // path and the sort below only confirms it.
    let mut stack = vec![(String::new(), tree, 0usize)];
    while let Some((dir, tree, next)) = stack.last_mut() {
        let Some(entry) = tree.get(*next) else {
            stack.pop();
            continue;
        };
        *next += 1;
        let (id, kind, mode) = (entry.id(), entry.kind(), entry.filemode());
        let app_path = match std::str::from_utf8(entry.name_bytes()) {
            Ok(name) => [dir.as_str(), name].concat(),
            Err(_) => {
                listing.skipped.push(Skipped {
                    path: format!("{prefix}{dir}{}", String::from_utf8_lossy(entry.name_bytes())),
                    reason: "path is not UTF-8".to_owned(),
                });
                continue;
            }
        };
        // The entry borrows the stack's top, which a subtree is pushed onto.
        drop(entry);
        let full = [prefix.as_str(), app_path.as_str()].concat();
        match kind {
            Some(ObjectType::Tree) => {
                if !filter.enter_dir(&app_path) {
                    continue;
                }
                match repo.find_tree(id) {
                    Ok(sub) => stack.push((format!("{app_path}/"), sub, 0)),
                    Err(e) => listing
                        .skipped
                        .push(Skipped { path: full, reason: format!("{}{}", reason::TREE, absent(repo, id, &e)) }),
                }
            }
            Some(ObjectType::Commit) => {
                if matches!(filter.file(&app_path), Decision::Read) {
                    listing.skipped.push(Skipped {
                        path: full,
                        reason: format!("{}{id}; its code is not scanned", reason::SUBMODULE),
                    });
                }
            }
            Some(ObjectType::Blob) if mode == 0o120000 => {
                if matches!(filter.file(&app_path), Decision::Read) {
                    listing.skipped.push(Skipped { path: full, reason: reason::SYMLINK.to_owned() });
                }
            }
            Some(ObjectType::Blob) => {
                if matches!(filter.file(&app_path), Decision::Read) {
                    listing.files.push(FileEntry { path: full, app_path, blob: id });
                }
            }
            _ => {
                listing.skipped.push(Skipped { path: full, reason: format!("unexpected tree entry of mode {mode:o}") })
            }
        }
    }
    listing.files.sort_by(|a, b| a.path.cmp(&b.path));
    listing.skipped.sort();
    Ok(listing)
}

/// What reading one blob gave.
pub enum Content {
    Text(String),
    /// Not valid UTF-8: decoded with invalid bytes replaced by U+FFFD, read anyway, and reported.
    Lossy(String),
    Skipped(String),
}

/// Read a blob for extraction. Missing blobs, binaries and files over `max_size` become a
/// reason, never an error. Text that is not valid UTF-8 (Latin-1 templates are common in old
/// apps) is decoded lossily and read anyway — identifiers are ASCII, and a replacement character
/// in a string literal changes no reference, so skipping it would only lose references — and it
/// is reported in the summary so nobody is surprised.
pub fn read(repo: &Repository, blob: Oid, max_size: u64) -> Content {
    let odb = match repo.odb() {
        Ok(o) => o,
        Err(e) => return Content::Skipped(format!("cannot open the object database: {}", e.message())),
    };
    // The size is checked after the read, not with `read_header` before it: for a blob stored as
    // a delta (most of them, once a repository is packed) the header costs a zlib stream of its
    // own, and reading an oversized blob once is cheaper than that over every file.
    let object = match odb.read(blob) {
        Ok(o) => o,
        Err(e) => return Content::Skipped(format!("blob {}", absent(repo, blob, &e))),
    };
    let data = object.data();
    if data.len() as u64 > max_size {
        return Content::Skipped(format!("{} bytes, over the {max_size}{}", data.len(), reason::TOO_LARGE));
    }
    // Same sniff as git's own `buffer_is_binary`: a NUL in the first 8000 bytes.
    if memchr::memchr(0, &data[..data.len().min(8000)]).is_some() {
        return Content::Skipped(reason::BINARY.to_owned());
    }
    match std::str::from_utf8(data) {
        Ok(s) => Content::Text(s.to_owned()),
        Err(_) => Content::Lossy(String::from_utf8_lossy(data).into_owned()),
    }
}

/// Why the object `id` could not be read, after `error`: missing from the object database, or
/// present (a pack index or loose file names it) but corrupt — it does not inflate, or its pack
/// entry fails its checksum. The two call for different repairs (fetch again, or restore the
/// repository), so they are told apart.
fn absent(repo: &Repository, id: Oid, error: &git2::Error) -> String {
    let present = repo.odb().is_ok_and(|odb| odb.exists(id));
    if present {
        format!("{id} is corrupt in the object database: {}", error.message())
    } else {
        format!("{id} is missing from the object database")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_patterns_match_one_segment_per_star() {
        assert!(dir_matches("priv/*/migrations", "priv/repo/migrations"));
        assert!(!dir_matches("priv/*/migrations", "priv/migrations"));
        assert!(dir_matches("db/migrate", "db/migrate"));
        assert!(!dir_matches("db/migrate", "db/migrate/old"));
    }

    #[test]
    fn minified_names_are_generated() {
        assert!(is_minified_or_generated_name("app.min.js"));
        assert!(is_minified_or_generated_name("App.MIN.JS"));
        assert!(is_minified_or_generated_name("types.d.ts"));
        assert!(!is_minified_or_generated_name("admin.js"));
        assert!(!is_minified_or_generated_name("d.ts"));
        assert!(!is_minified_or_generated_name("js"));
    }
}
#[cfg(test)]
mod filter_tests {
    use super::*;
    use crate::config::Framework;

    #[test]
    fn include_globs() {
        let app = App {
            name: "a".into(),
            repo: ".".into(),
            path: None,
            framework: Framework::Generic,
            deployed: None,
            head: "HEAD".into(),
            include: vec!["other/**".into()],
            exclude: vec![],
            structure: None,
            migrations: Vec::new(),
            owner: None,
            source: Default::default(),
            tables: Default::default(),
            line: 1,
        };
        let f = Filter::new(&app).unwrap();
        assert!(f.enter_dir("other"));
        assert!(matches!(f.file("other/outside.rb"), Decision::Read));
        // Assets, lock files and generated code by name, extensions in any case.
        for skipped in ["other/logo.png", "other/Logo.PNG", "other/Gemfile.lock", "other/app.MIN.js", "other/.png"] {
            assert!(matches!(f.file(skipped), Decision::Ignore), "{skipped}");
        }
        for read in ["other/png.rb", "other/lock", "other/pngs.rb", "other/noext"] {
            assert!(matches!(f.file(read), Decision::Read), "{read}");
        }
    }
}

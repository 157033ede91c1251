//! Reading apps.toml: every mistake is reported with the file, line and column, and a misspelt
//! key or value comes with the closest valid one.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::config::{
    App, AppSource, Confidence, Config, FILE_NAME, Framework, Registry, ScanSettings, SchemaSetting, Waiver,
};
use crate::error::{Diagnostic, Error, Result};
use crate::schema::Dialect;

/// The default location of the registry store, relative to apps.toml.
pub const DEFAULT_STORE: &str = "sqlite://.tandem/registry.db";
/// Files larger than this are not scanned unless apps.toml says otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 1024 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    registry: Option<RawRegistry>,
    scan: Option<RawScan>,
    #[serde(default)]
    app: Vec<Spanned<RawApp>>,
    #[serde(default)]
    waiver: Vec<Spanned<RawWaiver>>,
    migrate: Option<super::migrate::RawMigrate>,
    lint: Option<RawLint>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLint {
    #[serde(default)]
    enable: Vec<Spanned<String>>,
    #[serde(default)]
    disable: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegistry {
    dialect: Option<Dialect>,
    schema: Option<Spanned<String>>,
    database_url_env: Option<Spanned<String>>,
    migrations: Option<Spanned<String>>,
    store: Option<Spanned<String>>,
    min_confidence: Option<Confidence>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScan {
    max_file_size: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApp {
    name: Spanned<String>,
    repo: Option<Spanned<String>>,
    path: Option<Spanned<String>>,
    framework: Framework,
    deployed: Option<Spanned<String>>,
    head: Option<Spanned<String>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    structure: Option<Spanned<String>>,
    /// One directory, or a list (a Django project has a `migrations/` folder per Django app).
    migrations: Option<Spanned<toml::Value>>,
    owner: Option<String>,
    #[serde(default)]
    source: AppSource,
    #[serde(default)]
    tables: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    rule: Spanned<String>,
    object: String,
    reason: Spanned<String>,
    owner: String,
    until: Spanned<String>,
}

/// Find apps.toml in `start` or the nearest directory above it.
pub fn discover(start: &Path) -> Result<PathBuf> {
    for dir in start.ancestors() {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    Err(Error::input(
        Diagnostic::new(format!("no {FILE_NAME} found in {} or any directory above it", start.display()))
            .help("run `tandem init` to create one, or pass `--config PATH`"),
    ))
}

pub fn load(path: &Path) -> Result<Config> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::read(path, e))?;
    load_str(&text, path)
}

/// Parse and validate apps.toml text; `path` locates messages and anchors relative paths.
pub fn load_str(text: &str, path: &Path) -> Result<Config> {
    let raw: RawFile = toml::from_str(text).map_err(|e| toml_error(&e, text, path))?;
    let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
    let located = |span: Range<usize>, msg: String| Error::input(Diagnostic::new(msg).at_offset(path, text, span));

    let reg = raw.registry.unwrap_or(RawRegistry {
        dialect: None,
        schema: None,
        database_url_env: None,
        migrations: None,
        store: None,
        min_confidence: None,
    });
    let schema = match (reg.schema, reg.database_url_env) {
        (Some(_), Some(env)) => {
            return Err(located(
                env.span(),
                "`schema` and `database_url_env` are both set; expected one source for the canonical schema".into(),
            ));
        }
        (Some(file), None) => Some(SchemaSetting::File(relative_file(&root, &file, path, text)?)),
        (None, Some(env)) => {
            let name = env.get_ref();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(located(
                    env.span(),
                    format!("`{name}` is not an environment variable name; expected letters, digits and `_`"),
                ));
            }
            Some(SchemaSetting::UrlEnv(name.clone()))
        }
        (None, None) => None,
    };
    let migrations = reg.migrations.map(|m| relative_file(&root, &m, path, text)).transpose()?;
    let store = match reg.store {
        Some(s) => {
            let url = s.get_ref();
            let known = ["sqlite:", "postgres://", "postgresql://"];
            if !known.iter().any(|k| url.starts_with(k)) {
                return Err(located(
                    s.span(),
                    format!(
                        "store `{}` is not a supported URL; expected `sqlite://PATH` or `postgres://…`",
                        crate::redact::redact(url)
                    ),
                ));
            }
            url.clone()
        }
        None => DEFAULT_STORE.to_owned(),
    };
    let registry = Registry {
        dialect: reg.dialect.unwrap_or_default(),
        schema,
        migrations,
        store,
        min_confidence: reg.min_confidence.unwrap_or_default(),
    };
    let scan = ScanSettings { max_file_size: raw.scan.and_then(|s| s.max_file_size).unwrap_or(DEFAULT_MAX_FILE_SIZE) };

    let mut seen: HashMap<String, ()> = HashMap::new();
    let mut apps = Vec::with_capacity(raw.app.len());
    for entry in raw.app {
        let line = crate::error::line_col(text, entry.span().start).0;
        let app = entry.into_inner();
        let name = app.name.get_ref().clone();
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.')) {
            return Err(located(
                app.name.span(),
                format!("app name `{name}` is not valid; expected letters, digits, `-`, `_` or `.`"),
            ));
        }
        if seen.insert(name.clone(), ()).is_some() {
            return Err(located(app.name.span(), format!("duplicate app name `{name}`; each app needs a unique name")));
        }
        let repo = match (&app.repo, app.source) {
            (Some(r), _) => joined(&root, r.get_ref()),
            (None, AppSource::Store) => PathBuf::new(),
            (None, AppSource::Repo) => {
                return Err(located(
                    app.name.span(),
                    format!(
                        "app `{name}` has no `repo`; expected the path of its git repository (or `source = \"store\"`)"
                    ),
                ));
            }
        };
        let sub = |v: &Option<Spanned<String>>, what: &str| -> Result<Option<String>> {
            v.as_ref().map(|s| inner_path(s, what, path, text)).transpose()
        };
        for glob in app.include.iter().chain(&app.exclude) {
            if let Err(e) = globset::Glob::new(glob.get_ref()) {
                return Err(located(glob.span(), format!("invalid glob `{}`: {}", glob.get_ref(), e.kind())));
            }
        }
        let rev = |v: &Option<Spanned<String>>| -> Result<Option<String>> {
            match v {
                Some(s) if s.get_ref().trim().is_empty() => {
                    Err(located(s.span(), "empty revision; expected a branch, tag or commit id".into()))
                }
                Some(s) => Ok(Some(s.get_ref().clone())),
                None => Ok(None),
            }
        };
        apps.push(App {
            path: sub(&app.path, "path")?,
            structure: sub(&app.structure, "structure")?,
            migrations: migration_dirs(app.migrations, path, text)?,
            deployed: rev(&app.deployed)?,
            head: rev(&app.head)?.unwrap_or_else(|| "HEAD".to_owned()),
            name,
            repo,
            framework: app.framework,
            include: app.include.into_iter().map(Spanned::into_inner).collect(),
            exclude: app.exclude.into_iter().map(Spanned::into_inner).collect(),
            owner: app.owner,
            source: app.source,
            tables: app.tables,
            line,
        });
    }

    let mut waivers = Vec::with_capacity(raw.waiver.len());
    for entry in raw.waiver {
        let line = crate::error::line_col(text, entry.span().start).0;
        let w = entry.into_inner();
        if !is_date(w.until.get_ref()) {
            return Err(located(
                w.until.span(),
                format!("`until = \"{}\"` is not a date; expected YYYY-MM-DD", w.until.get_ref()),
            ));
        }
        if w.reason.get_ref().trim().is_empty() {
            return Err(located(w.reason.span(), "a waiver needs a reason".into()));
        }
        waivers.push(Waiver {
            rule_span: w.rule.span(),
            rule: w.rule.into_inner(),
            object: w.object,
            reason: w.reason.into_inner(),
            owner: w.owner,
            until: w.until.into_inner(),
            line,
        });
    }

    let migrate = super::migrate::settings(raw.migrate, path, text)?;
    let lint = lint_settings(raw.lint, text);
    Ok(Config { path: path.to_path_buf(), root, registry, scan, apps, waivers, migrate, lint })
}

/// `[lint]` as written, each id located; `rules::Selection::of` checks that each names a rule.
fn lint_settings(raw: Option<RawLint>, text: &str) -> super::LintSettings {
    let Some(raw) = raw else { return super::LintSettings::default() };
    let ids = |list: Vec<Spanned<String>>| {
        list.into_iter()
            .map(|id| {
                let span = id.span();
                let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
                let end = text[span.start..].find('\n').map_or(text.len(), |i| span.start + i);
                super::LintId {
                    line: crate::error::line_col(text, span.start).0,
                    source_line: text[start..end].to_owned(),
                    span: span.start - start..span.end.min(end) - start,
                    id: id.into_inner(),
                }
            })
            .collect()
    };
    super::LintSettings { enable: ids(raw.enable), disable: ids(raw.disable) }
}

/// Where the value of `[registry] key` (`schema`, `migrations`) is written in apps.toml `text`.
pub(crate) fn registry_span(text: &str, key: &str) -> Option<Range<usize>> {
    #[derive(Deserialize)]
    struct File {
        registry: Option<Paths>,
    }
    #[derive(Deserialize)]
    struct Paths {
        schema: Option<Spanned<String>>,
        migrations: Option<Spanned<String>>,
        dialect: Option<Spanned<String>>,
    }
    let registry = toml::from_str::<File>(text).ok()?.registry?;
    match key {
        "dialect" => registry.dialect.map(|s| s.span()),
        "schema" => registry.schema.map(|s| s.span()),
        "migrations" => registry.migrations.map(|s| s.span()),
        _ => None,
    }
}

/// A path in apps.toml, relative to its directory.
fn relative_file(root: &Path, value: &Spanned<String>, path: &Path, text: &str) -> Result<PathBuf> {
    if value.get_ref().trim().is_empty() {
        return Err(Error::input(Diagnostic::new("empty path; expected a path relative to apps.toml").at_offset(
            path,
            text,
            value.span(),
        )));
    }
    Ok(joined(root, value.get_ref()))
}

/// `rel` (from apps.toml) under `root`, folded lexically: `examples/app/../..` is `.`, so that
/// messages name paths as a person would. Symbolic links are not followed: a path whose `..`
/// steps out of a link reads differently here than on disk, and apps.toml paths are plain.
fn joined(root: &Path, rel: &str) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in root.join(rel).components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}

/// A path inside an app's repository: relative, `/`-separated, without `..`.
fn inner_path(value: &Spanned<String>, what: &str, path: &Path, text: &str) -> Result<String> {
    let raw = value.get_ref().trim_end_matches('/');
    let raw = raw.strip_prefix("./").unwrap_or(raw);
    let p = Path::new(raw);
    let bad = p.is_absolute() || p.components().any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)));
    if bad {
        return Err(Error::input(
            Diagnostic::new(format!(
                "`{what} = \"{}\"` leaves the repository; expected a path inside it",
                value.get_ref()
            ))
            .at_offset(path, text, value.span()),
        ));
    }
    Ok(raw.to_owned())
}

/// An app's `migrations`: a directory, or a non-empty list of distinct directories, each inside
/// the repository.
fn migration_dirs(value: Option<Spanned<toml::Value>>, path: &Path, text: &str) -> Result<Vec<String>> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let located = |span: Range<usize>, msg: String| Error::input(Diagnostic::new(msg).at_offset(path, text, span));
    let expected = "expected a directory (`migrations = \"db/migrate\"`) or a list of them \
                    (`migrations = [\"blog/migrations\", \"shop/migrations\"]`)";
    let span = value.span();
    let items: Vec<Spanned<String>> = match value.into_inner() {
        toml::Value::String(s) => vec![Spanned::new(span, s)],
        toml::Value::Array(list) if list.is_empty() => {
            return Err(located(span, format!("`migrations` is an empty list; {expected}")));
        }
        // toml gives no spans inside a `Value`: find each entry's string in the list's text.
        toml::Value::Array(list) => {
            let mut at = span.start;
            let mut out = Vec::with_capacity(list.len());
            for item in list {
                let toml::Value::String(s) = item else {
                    return Err(located(span, format!("`migrations` lists `{item}`; {expected}")));
                };
                let found = text[at..span.end].find(&s).map_or(at..span.end, |i| {
                    // Point at the opening quote, as toml's own spans do.
                    let quoted = i > 0 && matches!(text.as_bytes()[at + i - 1], b'"' | b'\'');
                    let q = usize::from(quoted);
                    at + i - q..at + i + s.len() + q
                });
                at = found.end;
                out.push(Spanned::new(found, s));
            }
            out
        }
        other => return Err(located(span, format!("`migrations = {other}` is not a directory; {expected}"))),
    };
    let mut dirs: Vec<String> = Vec::with_capacity(items.len());
    for item in &items {
        let dir = inner_path(item, "migrations", path, text)?;
        if dirs.contains(&dir) {
            return Err(located(item.span(), format!("`migrations` lists `{dir}` twice")));
        }
        dirs.push(dir);
    }
    Ok(dirs)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && matches!(s[5..7].parse::<u8>(), Ok(1..=12))
        && matches!(s[8..10].parse::<u8>(), Ok(1..=31))
}

/// Turn toml's error into a located diagnostic; for an unknown key or value, suggest the closest
/// expected one.
fn toml_error(err: &toml::de::Error, text: &str, path: &Path) -> Error {
    let message = err.message().trim().to_owned();
    let mut d = Diagnostic::new(message.clone());
    if let Some(span) = err.span() {
        d = d.at_offset(path, text, span);
    } else {
        d = d.in_file(path);
    }
    if let Some(help) = suggestion(&message) {
        d = d.help(help);
    }
    Error::input(d)
}

/// From serde's "unknown field `x`, expected one of `a`, `b`" (or "unknown variant"), the closest
/// expected name, if one is close enough to be a typo.
fn suggestion(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `").or_else(|| message.strip_prefix("unknown variant `"))?;
    let (given, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let best = expected
        .iter()
        .map(|e| (strsim::damerau_levenshtein(given, e), *e))
        .filter(|(d, e)| *d <= 2.max(e.len() / 3))
        .min()?;
    Some(format!("did you mean `{}`?", best.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_picks_the_closest_expected_name() {
        let m = "unknown field `framwork`, expected one of `name`, `repo`, `framework`";
        assert_eq!(suggestion(m).as_deref(), Some("did you mean `framework`?"));
        assert_eq!(suggestion("unknown field `zzzzzz`, expected `name`"), None);
    }

    #[test]
    fn dates() {
        assert!(is_date("2026-01-31"));
        assert!(!is_date("2026-13-01"));
        assert!(!is_date("26-01-01"));
    }
}

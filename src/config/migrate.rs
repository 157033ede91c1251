//! `[migrate]` of apps.toml: how `tandem migrate` runs the shared migrations — the history
//! table, timeouts and lock-timeout retries (with per-version overrides), how long to wait for
//! another runner, and the framework history to keep in step.

use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Diagnostic, Error, Result};

/// The history table's name unless `history_table` says otherwise.
pub const DEFAULT_HISTORY_TABLE: &str = "tandem_migrations";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateSettings {
    /// `table` or `schema.table`; letters, digits and `_` only, so it can be quoted safely.
    pub history_table: String,
    /// Set before every migration; `None` leaves the server's setting.
    pub lock_timeout: Option<Duration>,
    pub statement_timeout: Option<Duration>,
    /// How many times a statement (or a transactional migration) that hit the lock timeout is
    /// tried again.
    pub lock_retries: u32,
    /// The wait before the first retry; each further retry waits twice as long.
    pub retry_backoff: Duration,
    /// How long a runner waits for another runner's lock before giving up.
    pub lock_wait: Duration,
    /// Also record each version in the framework's own history table.
    pub framework_history: Option<FrameworkHistory>,
    pub overrides: Vec<MigrateOverride>,
}

impl Default for MigrateSettings {
    fn default() -> Self {
        MigrateSettings {
            history_table: DEFAULT_HISTORY_TABLE.to_owned(),
            lock_timeout: Some(Duration::from_secs(5)),
            statement_timeout: None,
            lock_retries: 3,
            retry_backoff: Duration::from_secs(1),
            lock_wait: Duration::from_secs(60),
            framework_history: None,
            overrides: Vec::new(),
        }
    }
}

impl MigrateSettings {
    /// `lock_timeout` and `statement_timeout` for one migration: its override, else the defaults.
    pub fn timeouts(&self, version: &str) -> (Option<Duration>, Option<Duration>) {
        let o = self.overrides.iter().find(|o| o.version == version);
        (
            o.and_then(|o| o.lock_timeout).unwrap_or(self.lock_timeout),
            o.and_then(|o| o.statement_timeout).unwrap_or(self.statement_timeout),
        )
    }
}

/// Which framework's history table also gets each applied version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameworkHistory {
    /// Rails' `schema_migrations (version)`.
    Rails,
    /// Ecto's `schema_migrations (version bigint, inserted_at)`.
    Ecto,
    /// Django's `django_migrations (app, name, applied)`, under this app label.
    Django { app: String },
}

/// `[[migrate.override]]`: other timeouts for one version. `Some(None)` means "none".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateOverride {
    pub version: String,
    pub lock_timeout: Option<Option<Duration>>,
    pub statement_timeout: Option<Option<Duration>>,
    pub line: u32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMigrate {
    history_table: Option<Spanned<String>>,
    lock_timeout: Option<Spanned<String>>,
    statement_timeout: Option<Spanned<String>>,
    lock_retries: Option<u32>,
    retry_backoff: Option<Spanned<String>>,
    lock_wait: Option<Spanned<String>>,
    framework_history: Option<Spanned<RawFramework>>,
    django_app: Option<Spanned<String>>,
    #[serde(default, rename = "override")]
    overrides: Vec<Spanned<RawOverride>>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum RawFramework {
    Rails,
    Ecto,
    Django,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOverride {
    version: Spanned<String>,
    lock_timeout: Option<Spanned<String>>,
    statement_timeout: Option<Spanned<String>>,
}

/// Validate `[migrate]`; every mistake is located in apps.toml (`path`, whose text is `text`).
pub(super) fn settings(raw: Option<RawMigrate>, path: &Path, text: &str) -> Result<MigrateSettings> {
    let mut out = MigrateSettings::default();
    let Some(raw) = raw else { return Ok(out) };
    let located = |span: Range<usize>, msg: String| Error::input(Diagnostic::new(msg).at_offset(path, text, span));
    let duration = |v: &Spanned<String>, key: &str| {
        parse_duration(v.get_ref()).ok_or_else(|| {
            located(
                v.span(),
                format!(
                    "`{key} = \"{}\"` is not a duration; expected e.g. \"500ms\", \"5s\", \"2min\", \"1h\" or \"none\"",
                    v.get_ref()
                ),
            )
        })
    };
    if let Some(t) = &raw.history_table {
        if !is_table_name(t.get_ref()) {
            return Err(located(
                t.span(),
                format!(
                    "`history_table = \"{}\"` is not a table name; expected `name` or `schema.name` of letters, digits and `_`",
                    t.get_ref()
                ),
            ));
        }
        out.history_table = t.get_ref().clone();
    }
    if let Some(v) = &raw.lock_timeout {
        out.lock_timeout = duration(v, "lock_timeout")?;
    }
    if let Some(v) = &raw.statement_timeout {
        out.statement_timeout = duration(v, "statement_timeout")?;
    }
    if let Some(n) = raw.lock_retries {
        out.lock_retries = n;
    }
    if let Some(v) = &raw.retry_backoff {
        out.retry_backoff = duration(v, "retry_backoff")?.unwrap_or_default();
    }
    if let Some(v) = &raw.lock_wait {
        out.lock_wait = duration(v, "lock_wait")?.unwrap_or_default();
    }
    out.framework_history = match (&raw.framework_history, &raw.django_app) {
        (None, Some(app)) => {
            return Err(located(app.span(), "`django_app` is set without `framework_history = \"django\"`".into()));
        }
        (Some(f), app) => Some(match (*f.get_ref(), app) {
            (RawFramework::Rails, None) => FrameworkHistory::Rails,
            (RawFramework::Ecto, None) => FrameworkHistory::Ecto,
            (RawFramework::Django, Some(app)) if !app.get_ref().trim().is_empty() => {
                FrameworkHistory::Django { app: app.get_ref().trim().to_owned() }
            }
            (RawFramework::Django, _) => {
                return Err(located(
                    f.span(),
                    "`framework_history = \"django\"` needs `django_app`: the app label django_migrations rows carry"
                        .into(),
                ));
            }
            (_, Some(app)) => {
                return Err(located(
                    app.span(),
                    "`django_app` only applies to `framework_history = \"django\"`".into(),
                ));
            }
        }),
        (None, None) => None,
    };
    for entry in &raw.overrides {
        let line = crate::error::line_col(text, entry.span().start).0;
        let o = entry.get_ref();
        let version = o.version.get_ref().trim();
        if version.is_empty() {
            return Err(located(o.version.span(), "empty version; expected a migration version".into()));
        }
        if out.overrides.iter().any(|x| x.version == version) {
            return Err(located(o.version.span(), format!("a second `[[migrate.override]]` for version `{version}`")));
        }
        out.overrides.push(MigrateOverride {
            version: version.to_owned(),
            lock_timeout: o.lock_timeout.as_ref().map(|v| duration(v, "lock_timeout")).transpose()?,
            statement_timeout: o.statement_timeout.as_ref().map(|v| duration(v, "statement_timeout")).transpose()?,
            line,
        });
    }
    Ok(out)
}

/// `500ms`, `5s`, `2min`, `1h`, `1.5s` → `Some(duration)`; `none`, `0` → `Some(None)`;
/// anything else → `None`.
pub fn parse_duration(text: &str) -> Option<Option<Duration>> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("none") || t == "0" {
        return Some(None);
    }
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = t.split_at(split);
    let n: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "ms" => 0.001,
        "s" => 1.0,
        "min" | "m" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    let d = Duration::try_from_secs_f64(n * scale).ok()?;
    Some(if d.is_zero() { None } else { Some(d) })
}

/// `name` or `schema.name`, each an unquoted identifier.
pub fn is_table_name(name: &str) -> bool {
    let ident = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && s.len() <= 63
    };
    match name.split_once('.') {
        Some((schema, table)) => ident(schema) && ident(table),
        None => ident(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("5s"), Some(Some(Duration::from_secs(5))));
        assert_eq!(parse_duration("500ms"), Some(Some(Duration::from_millis(500))));
        assert_eq!(parse_duration("2min"), Some(Some(Duration::from_secs(120))));
        assert_eq!(parse_duration("1.5s"), Some(Some(Duration::from_millis(1500))));
        assert_eq!(parse_duration("none"), Some(None));
        assert_eq!(parse_duration("0"), Some(None));
        assert_eq!(parse_duration("5"), None);
        assert_eq!(parse_duration("5 parsecs"), None);
        assert_eq!(parse_duration("s"), None);
    }

    #[test]
    fn table_names() {
        assert!(is_table_name("tandem_migrations"));
        assert!(is_table_name("ops.tandem_migrations"));
        assert!(!is_table_name("x; DROP TABLE users"));
        assert!(!is_table_name("a.b.c"));
        assert!(!is_table_name("1abc"));
        assert!(!is_table_name(""));
    }
}

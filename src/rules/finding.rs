//! What a check produces: findings (one rule's verdict on one operation or migration) and the
//! overall verdict.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::config::Framework;
use crate::migration::Span;
use crate::scan::Reference;

/// How bad a finding is. Ordered: `Info < Warn < Block`. Also `check --fail-on`'s value, where
/// `info` is not offered (every check has informational findings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[value(skip)]
    Info,
    Warn,
    Block,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Block => "block",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The outcome of a whole check: the worst severity that is not suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Block,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Block => "block",
        }
    }

    pub fn of(findings: &[Finding]) -> Verdict {
        findings.iter().filter(|f| f.suppression.is_none()).map(|f| f.severity).max().map_or(Verdict::Pass, |s| match s
        {
            Severity::Info => Verdict::Pass,
            Severity::Warn => Verdict::Warn,
            Severity::Block => Verdict::Block,
        })
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a migration file a finding points.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: PathBuf,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    /// Byte range of the statement in the file.
    pub start: usize,
    pub end: usize,
}

impl From<&Span> for Location {
    fn from(s: &Span) -> Self {
        Location { file: s.file.clone(), line: s.line, column: s.column, start: s.start, end: s.end }
    }
}

/// One app at one ref, as the gate consulted it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct CheckedRef {
    pub app: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub commit: String,
}

/// Why a finding does not count towards the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "lowercase")]
pub enum Suppression {
    /// A `tandem:allow` comment in the migration (line of the comment).
    Comment {
        line: u32,
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<String>,
    },
    /// A `[[waiver]]` in apps.toml (line of the entry).
    Waiver { line: u32, reason: String, owner: String, until: String },
}

impl Suppression {
    pub fn reason(&self) -> &str {
        match self {
            Suppression::Comment { reason, .. } | Suppression::Waiver { reason, .. } => reason,
        }
    }
}

/// An app whose code uses the object, with the steps that make it stop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipe {
    /// `None` for a recipe that is not specific to a framework.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framework: Option<Framework>,
    pub steps: Vec<String>,
}

/// One rule's verdict on one operation (or on a whole migration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// Absent only for findings that are about no migration (an app that could not be scanned).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// The migration version the finding is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration: Option<String>,
    /// The schema object: `users`, `users.email`, `index_users_on_email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// Gate findings: every reference that blocks, sorted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    /// Gate findings: views and other objects that depend on the target and go with it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependents: Vec<String>,
    /// Gate findings: every app and commit consulted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub checked: Vec<CheckedRef>,
    /// The safe alternative, one or more recipes (one per framework for the gate).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recipes: Vec<Recipe>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<Suppression>,
}

impl Finding {
    pub fn new(rule: &str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.to_owned(),
            severity,
            message: message.into(),
            location: None,
            migration: None,
            object: None,
            references: Vec::new(),
            dependents: Vec::new(),
            checked: Vec::new(),
            recipes: Vec::new(),
            suppression: None,
        }
    }

    pub fn at(mut self, span: &Span) -> Self {
        self.location = Some(Location::from(span));
        self
    }

    pub fn object(mut self, object: impl Into<String>) -> Self {
        self.object = Some(object.into());
        self
    }

    /// A recipe that applies whatever the framework.
    pub fn recipe<S: Into<String>>(mut self, steps: impl IntoIterator<Item = S>) -> Self {
        self.recipes.push(Recipe { framework: None, steps: steps.into_iter().map(Into::into).collect() });
        self
    }

    /// Sort key: file, position, rule — so reports are byte-identical across runs.
    pub fn sort_key(&self) -> (Option<&PathBuf>, u32, u32, &str, Option<&str>) {
        let loc = self.location.as_ref();
        (
            loc.map(|l| &l.file),
            loc.map_or(0, |l| l.line),
            loc.map_or(0, |l| l.column),
            &self.rule,
            self.object.as_deref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_is_the_worst_unsuppressed_severity() {
        let warn = Finding::new("a", Severity::Warn, "w");
        let mut block = Finding::new("b", Severity::Block, "b");
        assert_eq!(Verdict::of(&[]), Verdict::Pass);
        assert_eq!(Verdict::of(&[Finding::new("i", Severity::Info, "i")]), Verdict::Pass);
        assert_eq!(Verdict::of(&[warn.clone(), block.clone()]), Verdict::Block);
        block.suppression = Some(Suppression::Comment { line: 1, reason: "r".into(), until: None });
        assert_eq!(Verdict::of(&[warn, block]), Verdict::Warn);
    }
}

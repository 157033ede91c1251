//! The destructive gate as a pure function over scan results: which references, at or above the
//! configured confidence, in any app at any of its refs, hit a set of target objects — and, when
//! none do, which apps were checked at which commits. An app that could not be scanned makes the
//! gate fail closed, and so does a file of an app that could not be read when it could hold a
//! reference (or, in strict mode, any such file).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::config::{Confidence, Framework};
use crate::migration::Span;
use crate::rules::finding::{CheckedRef, Finding, Recipe, Severity};
use crate::scan::{ObjectRef, Reference, ScanResult};
use crate::schema::QualifiedName;

/// What the gate could not read: a whole app at a ref (`path` is `None`), or one file or directory
/// of it. Never ignored: a whole app, or a file that could hold a reference, blocks every
/// destructive operation; any of them does in strict mode.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScanFailure {
    pub app: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    /// The file or directory (path in the repository) when only it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub message: String,
    /// Whether what could not be read could hold a reference: a whole app, a directory, a file
    /// one of the app's extractors reads (a model, a template, any file of its languages).
    pub may_reference: bool,
}

impl ScanFailure {
    /// A whole app at a ref.
    pub fn app(app: &str, git_ref: &str, message: impl Into<String>) -> Self {
        ScanFailure {
            app: app.to_owned(),
            git_ref: git_ref.to_owned(),
            path: None,
            message: message.into(),
            may_reference: true,
        }
    }

    /// Whether it makes the gate fail closed.
    pub fn blocks(&self, strict: bool) -> bool {
        self.may_reference || strict
    }

    fn describe(&self) -> String {
        match &self.path {
            None => format!("`{}` at {}", self.app, self.git_ref),
            Some(p) => format!("`{p}` of `{}` at {}", self.app, self.git_ref),
        }
    }
}

/// Everything the gate consults.
#[derive(Debug, Clone, Default)]
pub struct Gate<'a> {
    pub scans: &'a [ScanResult],
    pub failures: &'a [ScanFailure],
    /// Each app's framework, for the recipe.
    pub frameworks: BTreeMap<String, Framework>,
    pub min_confidence: Confidence,
    /// CI mode: any file that could not be read blocks, not only those that could hold a
    /// reference. [`crate::check::run`] sets it from its options.
    pub strict: bool,
}

/// What the gate found for a set of targets.
#[derive(Debug, Clone, Default)]
pub struct Consultation {
    pub references: Vec<Reference>,
    /// References that hit but are below the configured confidence: reported, never blocking.
    pub below_confidence: usize,
    pub checked: Vec<CheckedRef>,
    pub failures: Vec<ScanFailure>,
}

impl<'a> Gate<'a> {
    pub fn new(scans: &'a [ScanResult], failures: &'a [ScanFailure], min_confidence: Confidence) -> Self {
        Gate { scans, failures, frameworks: BTreeMap::new(), min_confidence, strict: false }
    }

    pub fn with_frameworks(mut self, frameworks: impl IntoIterator<Item = (String, Framework)>) -> Self {
        self.frameworks = frameworks.into_iter().collect();
        self
    }

    /// Every reference in every scan that hits any target. A reference to a table hits the
    /// table's columns' targets only through the scanner's own column references; a table target
    /// is hit by references to the table and to each of its columns ([`ObjectRef::hits`]).
    pub fn consult(&self, targets: &[ObjectRef]) -> Consultation {
        let mut references = BTreeSet::new();
        let mut below = 0;
        for scan in self.scans {
            // A dangling reference names what the schema lacks: no use of what a migration drops.
            for r in scan.references.iter().filter(|r| r.kind != crate::scan::RefKind::Dangling) {
                if targets.iter().any(|t| r.object.hits(t)) {
                    if r.confidence >= self.min_confidence {
                        references.insert(r.clone());
                    } else {
                        below += 1;
                    }
                }
            }
        }
        let checked: BTreeSet<CheckedRef> = self
            .scans
            .iter()
            .map(|s| CheckedRef { app: s.app.clone(), git_ref: s.git_ref.clone(), commit: s.commit.clone() })
            .collect();
        Consultation {
            references: references.into_iter().collect(),
            below_confidence: below,
            checked: checked.into_iter().collect(),
            failures: self.failures.to_vec(),
        }
    }

    /// The gate's finding for one destructive operation: block listing every reference (and
    /// every app that could not be read), or a passing finding naming what was checked.
    pub fn finding(
        &self,
        rule: &str,
        span: &Span,
        what: &str,
        subject: &Subject,
        recipe: &dyn Fn(Option<Framework>) -> Vec<String>,
    ) -> Finding {
        let mut targets = vec![subject.target.clone()];
        targets.extend(subject.dependents.iter().cloned());
        let c = self.consult(&targets);
        let mut f = Finding::new(rule, Severity::Info, String::new()).at(span).object(subject.target.to_string());
        // `what` names the operation; `{}` in it stands for the target (`renames column {} to x`).
        let what = if what.contains("{}") {
            what.replace("{}", &format!("`{}`", subject.target))
        } else {
            format!("{what} `{}`", subject.target)
        };
        f.dependents = subject.dependents.iter().map(ToString::to_string).collect();
        f.checked = c.checked.clone();
        let via = if subject.dependents.is_empty() {
            String::new()
        } else {
            format!(" (and what depends on it: {})", list(&f.dependents))
        };
        let (blocking, other): (Vec<&ScanFailure>, Vec<&ScanFailure>) =
            c.failures.iter().partition(|x| x.blocks(self.strict));
        let unread = |failures: &[&ScanFailure]| {
            failures.iter().map(|x| format!("{} ({})", x.describe(), x.message)).collect::<Vec<_>>().join("; ")
        };
        if !c.references.is_empty() {
            let apps: BTreeSet<&str> = c.references.iter().map(|r| &*r.app).collect();
            let refs: BTreeSet<&str> = c.references.iter().map(|r| &*r.git_ref).collect();
            f.severity = Severity::Block;
            f.message = format!(
                "{what}{via}, but {} still use{} it: {} reference{} at {}",
                list(&apps.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>()),
                if apps.len() == 1 { "s" } else { "" },
                c.references.len(),
                plural(c.references.len()),
                list(&refs.iter().map(|r| r.to_string()).collect::<Vec<_>>()),
            );
            let frameworks: BTreeSet<Option<Framework>> =
                apps.iter().map(|a| self.frameworks.get(*a).copied()).collect();
            for fw in frameworks {
                f.recipes.push(Recipe { framework: fw, steps: recipe(fw) });
            }
            f.references = c.references;
            if !c.failures.is_empty() {
                let all: Vec<&ScanFailure> = c.failures.iter().collect();
                f.message.push_str(&format!("; and what could not be read may use it too: {}", unread(&all)));
            }
        } else if !blocking.is_empty() {
            f.severity = Severity::Block;
            let (apps, files): (Vec<&ScanFailure>, Vec<&ScanFailure>) = blocking.iter().partition(|x| x.path.is_none());
            let mut why = Vec::new();
            if !apps.is_empty() {
                why.push(format!(
                    "{} could not be checked",
                    list(&apps.iter().map(|x| format!("`{}` at {}", x.app, x.git_ref)).collect::<Vec<_>>())
                ));
            }
            if !files.is_empty() {
                why.push(format!("{} file{} that could use it could not be read", files.len(), plural(files.len())));
            }
            f.message = format!(
                "{what}{via}, but {}, so the gate fails closed: {}",
                why.join(" and "),
                apps.iter()
                    .map(|x| x.message.clone())
                    .chain(files.iter().map(|x| format!("{} ({})", x.describe(), x.message)))
                    .collect::<Vec<_>>()
                    .join("; "),
            );
            let step = if files.is_empty() {
                "make every app's repository and refs readable (see `tandem apps`), then check again"
            } else {
                "repair the repository (`git fsck` names what is missing or corrupt; fetch or clone it again), then check again"
            };
            f.recipes.push(Recipe { framework: None, steps: vec![step.into()] });
        } else {
            let checked = if c.checked.is_empty() {
                "no apps are registered".to_owned()
            } else {
                format!(
                    "checked {}",
                    list(
                        &c.checked
                            .iter()
                            .map(|x| format!("{}@{} ({})", x.app, x.git_ref, crate::git::short_commit(&x.commit)))
                            .collect::<Vec<_>>()
                    )
                )
            };
            let below = if c.below_confidence > 0 {
                format!(
                    "; {} mention{} below `min_confidence = \"{}\"` ignored (see `tandem refs {}`)",
                    c.below_confidence,
                    plural(c.below_confidence),
                    self.min_confidence,
                    subject.target
                )
            } else {
                String::new()
            };
            f.message = format!("{what}{via}: no app uses it ({checked}{below})");
            if !other.is_empty() {
                f.severity = Severity::Warn;
                f.message.push_str(&format!(
                    "; not read, and holding no code tandem reads: {} (blocks with --strict)",
                    unread(&other)
                ));
            }
        }
        f
    }
}

/// The object a destructive operation removes or changes, and the objects that go with it.
#[derive(Debug, Clone)]
pub struct Subject {
    pub target: ObjectRef,
    /// Objects that go or break with the target — views reading a dropped table or column, the
    /// columns of a dropped type: references to them block too.
    pub dependents: Vec<ObjectRef>,
}

impl Subject {
    pub fn table(table: &QualifiedName) -> Self {
        Subject { target: object(table, None), dependents: Vec::new() }
    }

    pub fn column(table: &QualifiedName, column: &str) -> Self {
        Subject { target: object(table, Some(column)), dependents: Vec::new() }
    }
}

/// The scanner's object for a schema name; `public` (the default schema) is left out so that
/// references that name no schema compare equal to it.
pub fn object(table: &QualifiedName, column: Option<&str>) -> ObjectRef {
    let table = table.without_default_schema();
    ObjectRef {
        schema: table.schema.as_deref().map(Arc::from),
        table: Arc::from(table.name.as_str()),
        column: column.map(Arc::from),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn list<S: AsRef<str>>(items: &[S]) -> String {
    match items {
        [] => String::new(),
        [one] => one.as_ref().to_owned(),
        [init @ .., last] => {
            format!("{} and {}", init.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", "), last.as_ref())
        }
    }
}

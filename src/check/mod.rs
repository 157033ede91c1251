//! Runs the rules and the destructive gate over migrations, applies suppressions and waivers, and
//! produces the findings and the verdict.
//!
//! Two steps: [`gather`] reads what a check needs from the registry — which migrations to check,
//! the schema as the database stands before them, every app's references when a rule will
//! consult the gate — and holds the policy of failing closed; [`run`] / [`run_plan`] are pure
//! over those inputs. [`check`] does both, as `tandem check` does.

pub mod baseline;
pub mod gather;
pub mod push;
pub mod schema_cache;
pub mod suppression;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

pub use crate::rules::finding::{CheckedRef, Finding, Location, Recipe, Severity, Suppression, Verdict};
pub use crate::rules::gate::{Gate, ScanFailure};
pub use gather::{Inputs, Request, check, gather};

use crate::config::Waiver;
use crate::error::Result;
use crate::migration::{Format, Migration};
use crate::rules::state::State;
use crate::rules::{self, MigrationContext, OpContext};
use crate::schema::Schema;

/// How to run a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// CI mode: what cannot be analysed blocks.
    pub strict: bool,
    /// `YYYY-MM-DD`, for expiring suppressions and waivers.
    pub today: String,
    /// Which rules run (apps.toml's `[lint]`; [`check`] takes it from the config).
    pub rules: rules::Selection,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { strict: false, today: suppression::today(), rules: rules::Selection::default() }
    }
}

/// What was checked and what came out. Serialized as the `json` format.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub version: u32,
    pub verdict: Verdict,
    pub migrations: Vec<MigrationInfo>,
    /// Every app and ref the gate consulted.
    pub checked: Vec<CheckedRef>,
    /// Apps (at refs), and files of them, that could not be read. Always present (empty when
    /// everything was read), so that a consumer never takes its absence for "all read".
    pub unreadable: Vec<ScanFailure>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// Migration sources by file, for excerpts.
    #[serde(skip)]
    pub sources: BTreeMap<PathBuf, String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MigrationInfo {
    pub file: PathBuf,
    pub version: String,
    pub name: String,
    pub format: Format,
    pub operations: usize,
    /// Already applied: its version is in the schema's list of applied migrations, so the schema
    /// already holds its effects and it is neither gated nor linted.
    pub applied: bool,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub block: usize,
    pub warn: usize,
    pub info: usize,
    pub suppressed: usize,
}

impl CheckReport {
    /// How many migrations were checked (not already applied).
    pub fn checked_migrations(&self) -> usize {
        self.migrations.iter().filter(|m| !m.applied).count()
    }

    /// Whether the check fails at the given threshold (`--fail-on`).
    pub fn fails(&self, fail_on: Severity) -> bool {
        self.findings.iter().any(|f| f.suppression.is_none() && f.severity >= fail_on)
    }
}

/// What the check does with a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Pending: gated and linted against the state just before it, then applied to the state.
    Check,
    /// Already in the schema (its version is in the schema's list of applied migrations): listed
    /// in the report as applied, neither checked nor applied again.
    Applied,
    /// History the schema does not hold (no dump, or undone because the dump is ahead): applied
    /// to the state without being checked, and not listed in the report.
    Replay,
}

/// One migration of a [`Plan`].
#[derive(Debug, Clone)]
pub struct Step {
    pub migration: Migration,
    pub role: Role,
}

/// Everything a check runs over: the schema before the first step, the steps in order, and what
/// the report should say about where the schema came from.
#[derive(Debug, Clone)]
pub struct Plan {
    pub schema: Schema,
    /// What `schema` was built from, for messages (`schema/structure.sql at origin/main`).
    pub origin: String,
    /// Whether `schema` is the database before the steps (a dump, a live database), rather than
    /// an empty start that the steps build up; see [`State::known`].
    pub given: bool,
    pub steps: Vec<Step>,
    /// Findings about the inputs themselves (`schema-state`, `no-migrations`), reported as they
    /// are.
    pub notes: Vec<Finding>,
}

impl Plan {
    /// Check every migration of `migrations` in the order given, except those `schema` lists as
    /// applied, against `schema` taken as the database before them.
    pub fn new(migrations: &[Migration], schema: &Schema) -> Plan {
        let applied: BTreeSet<&str> = schema.migrations.iter().map(String::as_str).collect();
        Plan {
            schema: schema.clone(),
            origin: "the schema".to_owned(),
            given: true,
            steps: migrations
                .iter()
                .map(|m| Step {
                    migration: m.clone(),
                    role: if applied.contains(m.version.as_str()) { Role::Applied } else { Role::Check },
                })
                .collect(),
            notes: Vec::new(),
        }
    }

    /// Whether any migration to check has an operation whose rule consults the gate (so that the
    /// apps are scanned only then). Derived from the rules: each says which operations it
    /// consults the gate for.
    pub fn needs_gate(&self) -> bool {
        self.steps
            .iter()
            .filter(|s| s.role == Role::Check)
            .flat_map(|s| &s.migration.up)
            .any(|op| rules::ALL.iter().any(|r| r.consults_gate(&op.kind)))
    }

    /// The schema the apps are scanned with (it decides, among others, which columns an ORM
    /// that maps a whole table reads): every table and column the state holds before any
    /// migration that consults the gate — so that a column an earlier migration of the plan adds
    /// and a later one drops is known to the scan.
    pub fn schema_for_scanning(&self) -> Schema {
        let mut union = self.schema.clone();
        let mut state = State::from(self.schema.clone(), self.origin.clone(), self.given);
        for step in &self.steps {
            if step.role == Role::Applied {
                continue;
            }
            let consults = step.role == Role::Check
                && step.migration.up.iter().any(|op| rules::ALL.iter().any(|r| r.consults_gate(&op.kind)));
            if consults {
                merge(&mut union, &state.schema);
            }
            step.migration.up.iter().for_each(|op| state.apply(op));
        }
        union
    }
}

/// Add to `into` the tables, columns and views of `from` it does not have.
fn merge(into: &mut Schema, from: &Schema) {
    for t in &from.tables {
        match into.tables.iter_mut().find(|x| x.name == t.name) {
            Some(x) => {
                for c in &t.columns {
                    if x.column(&c.name).is_none() {
                        x.columns.push(c.clone());
                    }
                }
            }
            None => into.tables.push(t.clone()),
        }
    }
    for v in &from.views {
        if !into.views.iter().any(|x| x.name == v.name) {
            into.views.push(v.clone());
        }
    }
}

/// Check `migrations` (in the order given) against `schema`, consulting `gate` for destructive
/// operations; migrations the schema lists as applied are not checked. Fails only on input
/// errors in suppression comments and waivers.
pub fn run(
    migrations: &[Migration],
    schema: &Schema,
    gate: &Gate<'_>,
    waivers: &[Waiver],
    waiver_file: Option<&PathBuf>,
    options: &CheckOptions,
) -> Result<CheckReport> {
    run_plan(&Plan::new(migrations, schema), gate, waivers, waiver_file, options)
}

/// Check a [`Plan`]: each step in order, against the state just before it.
pub fn run_plan(
    plan: &Plan,
    gate: &Gate<'_>,
    waivers: &[Waiver],
    waiver_file: Option<&PathBuf>,
    options: &CheckOptions,
) -> Result<CheckReport> {
    suppression::check_waivers(waiver_file, waivers)?;
    let gate = Gate { strict: options.strict, ..gate.clone() };
    let gate = &gate;
    let schema = &plan.schema;
    let mut state = State::from(schema.clone(), plan.origin.clone(), plan.given);
    let mut findings = plan.notes.clone();
    let mut sources = BTreeMap::new();
    let default_schema = schema.dialect.default_schema();
    for step in &plan.steps {
        // "Created in this change" means earlier in this migration: a table an earlier migration
        // created may hold rows and have users by the time this one runs.
        state.begin_migration();
        match step.role {
            Role::Applied => continue,
            Role::Replay => {
                step.migration.up.iter().for_each(|op| state.apply(op));
                continue;
            }
            Role::Check => {}
        }
        let m = &without_default_schema(&step.migration, default_schema);
        let suppressions = suppression::parse(&m.file, &m.source)?;
        let mut found = Vec::new();
        let mcx = MigrationContext { migration: m, state: &state, strict: options.strict };
        for rule in options.rules.rules_for(schema.dialect) {
            found.extend(rule.check_migration(&mcx));
        }
        let tx = rules::locks::transaction_flags(m);
        for (i, op) in m.up.iter().enumerate() {
            let cx = OpContext {
                migration: m,
                index: i,
                op,
                state: &state,
                in_transaction: tx[i],
                gate,
                strict: options.strict,
            };
            for rule in options.rules.rules_for(schema.dialect) {
                for mut f in rule.check_op(&cx) {
                    if f.location.is_none() {
                        f.location = Some(Location::from(&op.span));
                    }
                    found.push(f);
                }
            }
            state.apply(op);
        }
        for f in &mut found {
            f.migration = Some(m.version.clone());
        }
        let meta = suppression::apply(&m.file, &suppressions, &mut found, &options.today);
        found.extend(meta.into_iter().map(|mut f| {
            f.migration = Some(m.version.clone());
            f
        }));
        findings.extend(found);
        sources.insert(m.file.clone(), m.source.clone());
    }
    let expired = suppression::apply_waivers(waiver_file, waivers, &mut findings, &options.today);
    findings.extend(expired);
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let mut summary = Summary::default();
    for f in &findings {
        match (&f.suppression, f.severity) {
            (Some(_), _) => summary.suppressed += 1,
            (None, Severity::Block) => summary.block += 1,
            (None, Severity::Warn) => summary.warn += 1,
            (None, Severity::Info) => summary.info += 1,
        }
    }
    let checked: BTreeSet<CheckedRef> = gate
        .scans
        .iter()
        .map(|s| CheckedRef { app: s.app.clone(), git_ref: s.git_ref.clone(), commit: s.commit.clone() })
        .collect();
    Ok(CheckReport {
        version: 1,
        verdict: Verdict::of(&findings),
        migrations: plan
            .steps
            .iter()
            .filter(|s| s.role != Role::Replay)
            .map(|s| MigrationInfo {
                file: s.migration.file.clone(),
                version: s.migration.version.clone(),
                name: s.migration.name.clone(),
                format: s.migration.format,
                operations: s.migration.up.len(),
                applied: s.role == Role::Applied,
            })
            .collect(),
        checked: checked.into_iter().collect(),
        unreadable: gate.failures.to_vec(),
        findings,
        summary,
        sources,
    })
}

/// The migration with the dialect's default schema (`public`) left out of every name, so that
/// findings say `users.email` as people write it; rules and the schema state treat a missing
/// schema as the default one.
fn without_default_schema(m: &Migration, default: Option<&str>) -> Migration {
    fn strip(v: &mut serde_json::Value, default: &str) {
        match v {
            serde_json::Value::Object(map) => {
                if map.get("schema").and_then(|s| s.as_str()) == Some(default) {
                    map.remove("schema");
                }
                map.values_mut().for_each(|x| strip(x, default));
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|x| strip(x, default)),
            _ => {}
        }
    }
    let Some(default) = default else { return m.clone() };
    let mut out = m.clone();
    for ops in std::iter::once(&mut out.up).chain(out.down.as_mut()) {
        for op in ops.iter_mut() {
            let Ok(mut v) = serde_json::to_value(&op.kind) else { continue };
            strip(&mut v, default);
            if let Ok(kind) = serde_json::from_value(v) {
                op.kind = kind;
            }
        }
    }
    out
}

/// Whether any operation of `migrations` has a rule that consults the gate.
pub fn needs_gate(migrations: &[Migration]) -> bool {
    migrations.iter().flat_map(|m| &m.up).any(|op| rules::ALL.iter().any(|r| r.consults_gate(&op.kind)))
}

//! Runs the rules and the destructive gate over migrations, applies suppressions and waivers, and
//! produces the findings and the verdict. Pure over its inputs: migrations, the schema, scan
//! results — the CLI gathers those.

pub mod finding;
pub mod gate;
pub mod state;
pub mod suppression;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

pub use finding::{CheckedRef, Finding, Location, Recipe, Severity, Suppression, Verdict};
pub use gate::{Gate, ScanFailure};

use crate::config::Waiver;
use crate::error::Result;
use crate::migration::{Format, Migration, OpKind};
use crate::rules::{self, MigrationContext, OpContext};
use crate::schema::Schema;
use state::State;

/// How to run a check.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// CI mode: what cannot be analysed blocks.
    pub strict: bool,
    /// `YYYY-MM-DD`, for expiring suppressions and waivers.
    pub today: String,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions { strict: false, today: suppression::today() }
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
    /// Apps (at refs) that could not be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
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

/// Check `migrations` (in the order given) against `schema`, consulting `gate` for destructive
/// operations. Fails only on input errors in suppression comments.
pub fn run(
    migrations: &[Migration],
    schema: &Schema,
    gate: &Gate<'_>,
    waivers: &[Waiver],
    waiver_file: Option<&PathBuf>,
    options: &CheckOptions,
) -> Result<CheckReport> {
    let mut state = State::new(schema);
    let mut findings = Vec::new();
    let mut sources = BTreeMap::new();
    let default_schema = schema.dialect.default_schema();
    let unqualified: Vec<Migration> = migrations.iter().map(|m| without_default_schema(m, default_schema)).collect();
    let applied: BTreeSet<&str> = schema.migrations.iter().map(String::as_str).collect();
    for m in &unqualified {
        if applied.contains(m.version.as_str()) {
            continue;
        }
        // "Created in this change" means earlier in this migration: a table an earlier migration
        // created may hold rows and have users by the time this one runs.
        state.begin_migration();
        let suppressions = suppression::parse(&m.file, &m.source)?;
        let mut found = Vec::new();
        let mcx = MigrationContext { migration: m, state: &state, strict: options.strict };
        for rule in rules::ALL {
            found.extend(rule.check_migration(&mcx));
        }
        let tx = rules::locks::transaction_flags(m);
        let mut lock_timeout_set = false;
        for (i, op) in m.up.iter().enumerate() {
            let cx = OpContext {
                migration: m,
                index: i,
                op,
                state: &state,
                in_transaction: tx[i],
                lock_timeout_set,
                gate,
                strict: options.strict,
            };
            for rule in rules::ALL {
                for mut f in rule.check_op(&cx) {
                    if f.location.is_none() {
                        f.location = Some(Location::from(&op.span));
                    }
                    found.push(f);
                }
            }
            if let OpKind::SetSetting { name, .. } = &op.kind
                && name.eq_ignore_ascii_case("lock_timeout")
            {
                lock_timeout_set = true;
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
        migrations: migrations
            .iter()
            .map(|m| MigrationInfo {
                file: m.file.clone(),
                version: m.version.clone(),
                name: m.name.clone(),
                format: m.format,
                operations: m.up.len(),
                applied: applied.contains(m.version.as_str()),
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

/// Whether any operation of `migrations` needs the gate (so the CLI scans apps only then).
pub fn needs_gate(migrations: &[Migration]) -> bool {
    migrations.iter().flat_map(|m| &m.up).any(|op| {
        matches!(
            op.kind,
            OpKind::DropTable { .. }
                | OpKind::DropColumn { .. }
                | OpKind::RenameTable { .. }
                | OpKind::RenameColumn { .. }
                | OpKind::ChangeColumnType { .. }
                | OpKind::DropView { .. }
                | OpKind::DropFunction { .. }
                | OpKind::DropType { .. }
        )
    })
}

//! The gate and the lint rules before each migration runs, exactly as `tandem check` runs them:
//! the same rules, scans, waivers, suppressions and strictness, through [`crate::check`]. The
//! schema they compare against is the target database itself, read just before the run: it is
//! the database before the migration, which the gate is about.

use crate::check::{self, CheckOptions, CheckReport, Finding, Gate, Severity, gather};
use crate::config::Config;
use crate::error::Result;
use crate::migration::Migration;
use crate::schema::Schema;

/// Check `pending` (in the order they would run) against `schema`.
pub fn check(config: &Config, pending: &[Migration], mut schema: Schema, strict: bool) -> Result<CheckReport> {
    // The runner's history decides what is pending; a framework's `schema_migrations` listing a
    // version must not make the check skip a migration the runner is about to apply.
    schema.migrations.clear();
    let (scans, failures) =
        if check::needs_gate(pending) { gather::scan_apps(config, &schema)? } else { (Vec::new(), Vec::new()) };
    let gate = Gate::new(&scans, &failures, config.registry.min_confidence)
        .with_frameworks(config.apps.iter().map(|a| (a.name.clone(), a.framework)));
    let options = CheckOptions { strict, rules: crate::rules::Selection::of(config)?, ..CheckOptions::default() };
    let waiver_file = gather::waiver_file(config, &gather::report_root(config));
    check::run(pending, &schema, &gate, &config.waivers, Some(&waiver_file), &options)
}

/// The findings about migration `version`; findings about no migration in particular (an expired
/// waiver) count for every one.
pub fn findings_of<'r>(report: &'r CheckReport, version: &str) -> Vec<&'r Finding> {
    report.findings.iter().filter(|f| f.migration.as_deref().is_none_or(|v| v == version)).collect()
}

/// Whether any of `findings` blocks: a `block` finding no waiver or suppression covers.
pub fn blocks(findings: &[&Finding]) -> bool {
    findings.iter().any(|f| f.suppression.is_none() && f.severity == Severity::Block)
}

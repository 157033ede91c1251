//! `dangling_reference`: code that uses a table or a column the dump does not have and the truth
//! (the migrations of every app, or the live database) does not have either — it fails at run
//! time. Every registered app shares the database, so every app's code is scanned, at the ref
//! the dump is checked at, against the dump.
//!
//! What counts comes from the scanner: a column the dump's table lacks is a reference of kind
//! `dangling` only where something states the column (SQL naming the table with it, a model's
//! declared field or foreign key — see `scan::resolve`), never a name merely read on a record,
//! which may be a method or a virtual attribute; a table the dump lacks is any reference to it
//! but the `name` fallback's. Both at or above the registry's `min_confidence`, the gate's.
//! What the truth has and the dump lacks is the dump's drift (`missing_*`), not the code's;
//! what an operation tandem cannot replay may have made is `unverified`.

use std::collections::BTreeMap;

use crate::config::{App, Config};
use crate::error::Result;
use crate::scan::resolve::SchemaIndex;
use crate::scan::{RefKind, Reference, ScanOptions};
use crate::schema::Schema;

use super::compare::{BOOKKEEPING, evidence, may_have_made};
use super::expected::Expected;
use super::{Finding, Kind, Location};

/// Places listed as evidence for one missing object; the rest are counted.
const MAX_PLACES: usize = 10;

/// Every app's code at the ref named `ref_name` (`checked` at `rev`) against `dump`.
pub fn find(
    config: &Config,
    checked: &App,
    (ref_name, rev): (&str, &str),
    dump: &Schema,
    dump_path: &str,
    expected: &Expected,
    notes: &mut Vec<String>,
) -> Result<Vec<Finding>> {
    let index = SchemaIndex::new(dump);
    let truth = SchemaIndex::new(&expected.schema);
    let store = crate::store::Store::open(&config.registry.store, &config.root)?;
    let history = config.migrate.history_table.as_str();
    let known: Vec<String> = expected
        .schema
        .tables
        .iter()
        .chain(&dump.tables)
        .map(|t| t.name.name.to_ascii_lowercase())
        .chain(expected.schema.views.iter().chain(&dump.views).map(|v| v.name.name.to_ascii_lowercase()))
        .collect();
    // Missing object (`table` or `table.column`) → the references to it, in scan order.
    let mut missing: BTreeMap<String, Vec<Reference>> = BTreeMap::new();
    for app in &config.apps {
        let (label, app_rev) = if app.name == checked.name {
            (ref_name, rev)
        } else if matches!(ref_name, "head" | "deployed") {
            (ref_name, super::revision_of(app, ref_name, notes))
        } else {
            ("head", app.head.as_str())
        };
        let scan = crate::scan::run_ref(config, app, label, app_rev, Some(&index), &store, &ScanOptions::default())?;
        for r in scan.references {
            if r.confidence < config.registry.min_confidence || r.kind == RefKind::Name {
                continue;
            }
            let table = r.object.table.to_ascii_lowercase();
            if BOOKKEEPING.contains(&table.as_str()) || table == history {
                continue;
            }
            let object = if !index.has_table(&table) {
                if truth.has_table(&table) {
                    continue;
                }
                r.object.table.to_string()
            } else if r.kind == RefKind::Dangling
                && let Some(column) = &r.object.column
            {
                if truth.has_column(&table, column) == Some(true) {
                    continue;
                }
                format!("{}.{column}", r.object.table)
            } else {
                continue;
            };
            missing.entry(object).or_default().push(r);
        }
    }
    let mut out = Vec::new();
    for (object, refs) in missing {
        let table = object.split('.').next().unwrap_or_default();
        let opaque = may_have_made(&expected.opaque, &known, table, false);
        let first = &refs[0];
        // Annotations and paths are about the dump's repository; another's is named.
        let own_repo = config.apps.iter().any(|a| *a.name == *first.app && a.repo == checked.repo);
        let location = Location {
            app: (!own_repo).then(|| first.app.to_string()),
            file: first.path.to_string(),
            line: first.line,
        };
        let noun = if object.contains('.') { "column" } else { "table" };
        let apps: Vec<&str> = {
            let mut a: Vec<&str> = refs.iter().map(|r| &*r.app).collect();
            a.sort_unstable();
            a.dedup();
            a
        };
        let whose = match apps.as_slice() {
            [one] => format!("app `{one}`'s code uses"),
            _ => format!("the code of apps {} uses", apps.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")),
        };
        let places = if refs.len() == 1 { String::new() } else { format!(" ({} places)", refs.len()) };
        let mut evidence_lines: Vec<String> = refs
            .iter()
            .take(MAX_PLACES)
            .map(|r| format!("{}:{} ({} @ {}): {}", r.path, r.line, r.app, r.git_ref, r.snippet))
            .collect();
        if refs.len() > MAX_PLACES {
            evidence_lines.push(format!("… and {} more", refs.len() - MAX_PLACES));
        }
        if opaque.is_empty() {
            out.push(Finding {
                kind: Kind::DanglingReference,
                object: object.clone(),
                message: format!(
                    "{whose} {noun} `{object}`{places}, which {dump_path} does not have, {}: it fails at run time",
                    expected.lacks()
                ),
                location: Some(location),
                evidence: evidence_lines,
            });
        } else {
            evidence_lines.extend(opaque.iter().map(|o| evidence(o)));
            out.push(Finding {
                kind: Kind::Unverified,
                object: object.clone(),
                message: format!(
                    "{whose} {noun} `{object}`{places}, which {dump_path} does not have; it may come from {} tandem cannot replay",
                    if opaque.len() == 1 { "an operation" } else { "operations" }
                ),
                location: Some(location),
                evidence: evidence_lines,
            });
        }
    }
    Ok(out)
}

//! `dangling_reference`: code that uses a table or a column the dump does not have and the truth
//! (the migrations of every app, or the live database) does not have either — it fails at run
//! time. Every registered app shares the database, so every app's code is scanned, at the ref
//! the dump is checked at, against the dump (and the tables it lacks as the truth has them).
//!
//! What counts comes from the scanner: a column the dump's table lacks is a reference of kind
//! `dangling` only where something states the column (SQL naming the table with it, a model's
//! declared field or foreign key — see `scan::resolve`), never a name merely read on a record,
//! which may be a method or a virtual attribute; a table the dump lacks is a reference to the
//! table itself (not the `name` fallback's). Both at or above the registry's `min_confidence`,
//! the gate's.
//! What the truth has and the dump lacks is the dump's drift (`missing_*`), not the code's;
//! what an operation tandem cannot replay may have made is `unverified`.

use std::collections::BTreeMap;

use crate::config::{App, AppSource, Config};
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
    // The dump, and the tables it lacks as the truth has them: the code's uses of a table the
    // dump is missing (drift of its own) are checked column by column too.
    let mut against = dump.clone();
    let truth = SchemaIndex::new(&expected.schema);
    let in_dump = SchemaIndex::new(dump);
    against.tables.extend(expected.schema.tables.iter().filter(|t| !in_dump.has_table(&t.name.name)).cloned());
    let index = SchemaIndex::new(&against);
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
        let scan =
            match crate::scan::run_ref(config, app, label, app_rev, Some(&index), &store, &ScanOptions::default()) {
                Ok(scan) => scan,
                // An app whose CI publishes its scans may not have published one yet: said, not fatal.
                Err(e) if app.source == AppSource::Store => {
                    notes.push(format!(
                        "app `{}`'s code was not checked for dangling references: {}",
                        app.name,
                        e.diagnostic().message
                    ));
                    continue;
                }
                Err(e) => return Err(e),
            };
        for r in scan.references {
            if r.confidence < config.registry.min_confidence || r.kind == RefKind::Name {
                continue;
            }
            let table = r.object.table.to_ascii_lowercase();
            if BOOKKEEPING.contains(&table.as_str()) || table == history {
                continue;
            }
            let object = match &r.object.column {
                // A column the dump's table (or the truth's, for a table the dump lacks) does not
                // have, where something states it.
                Some(column) if r.kind == RefKind::Dangling => {
                    if truth.has_column(&table, column) == Some(true) {
                        continue;
                    }
                    format!("{}.{column}", r.object.table)
                }
                // A table neither has, named as a table: a qualifier of a column alone is no
                // evidence (`order("t.x")` on a subquery's alias, Rails' `where(story: {…})`
                // naming an association, PostgreSQL's `EXCLUDED.x`).
                None if !in_dump.has_table(&table) && !truth.has_table(&table) => r.object.table.to_string(),
                _ => continue,
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
            _ => format!(
                "the code of apps {} uses",
                apps.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
            ),
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
                    "{whose} {noun} `{object}`{places}, but {dump_path} does not have it {}: it fails at run time",
                    expected.nor()
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
                    "{whose} {noun} `{object}`{places}, but {dump_path} does not have it; it may come from {} tandem cannot replay, so it is neither drift nor trusted",
                    if opaque.len() == 1 { "an operation" } else { "operations" }
                ),
                location: Some(location),
                evidence: evidence_lines,
            });
        }
    }
    Ok(out)
}

//! `--since REV`: the dump at `REV` against the dump now, every difference attributed to a
//! migration added in between (a version the dump now lists and did not then). A difference no
//! such migration explains is `changed_without_migration` — a column type that changed because
//! a library's migration changed, a dump edited by hand, a dump regenerated from a database that
//! was altered by hand.

use std::collections::BTreeSet;

use crate::migration::apply::{ApplyNote, apply};
use crate::schema::Schema;
use crate::schema::diff::{ChangeKind, diff};

use super::compare::{BOOKKEEPING, dump_line, evidence, kinds, may_have_made, noun, owner, shown};
use super::expected::{Expected, Opaque};
use super::{Dump, Finding, Kind};

/// `then` is the dump at `rev` (`commit`); `expected` holds every app's migrations.
pub fn compare(
    expected: &Expected,
    then: &Schema,
    now: &Schema,
    text: &Dump<'_>,
    rev: &str,
    history_table: &str,
) -> Vec<Finding> {
    let listed: BTreeSet<&str> = then.migrations.iter().map(String::as_str).collect();
    let added: Vec<&super::expected::Sourced> = expected
        .migrations
        .iter()
        .filter(|s| now.migrations.contains(&s.migration.version) && !listed.contains(s.migration.version.as_str()))
        .collect();
    // What the added migrations do to the dump as it was.
    let mut replayed = then.clone();
    let mut opaque: Vec<Opaque> = Vec::new();
    for s in &added {
        for op in &s.migration.up {
            let failed = match apply(&mut replayed, op) {
                Ok(notes) => notes.iter().any(|n| matches!(n, ApplyNote::NotModelled { .. })).then_some(None),
                Err(e) => Some(Some(e.message)),
            };
            if let Some(error) = failed {
                opaque.push(super::expected::opaque_op(s, op, error));
            }
        }
    }
    replayed.canonicalize();
    let explained: BTreeSet<(String, Option<&'static str>)> =
        diff(then, &replayed).into_iter().map(|d| (d.object, d.field)).collect();
    let tables: Vec<_> = then.tables.iter().chain(&now.tables).map(|t| t.name.clone()).collect();
    let known: Vec<String> = tables.iter().map(|t| t.name.to_ascii_lowercase()).collect();
    let mut out = Vec::new();
    for d in diff(then, now) {
        if kinds(&d).is_none() || explained.contains(&(d.object.clone(), d.field)) {
            continue;
        }
        let table = owner(&tables, &d.object);
        let table_name = table.as_ref().map(|t| t.name.as_str()).unwrap_or_default();
        if BOOKKEEPING.contains(&table_name) || table_name == history_table {
            continue;
        }
        let object = shown(&d.object);
        let what = match d.change {
            ChangeKind::Added => format!("{} `{object}` appeared", noun(d.kind)),
            ChangeKind::Removed => format!("{} `{object}` disappeared", noun(d.kind)),
            ChangeKind::Changed => format!(
                "{} `{object}` changed its {} from {} to {}",
                noun(d.kind),
                d.field.unwrap_or("definition"),
                d.a.as_deref().unwrap_or("none"),
                d.b.as_deref().unwrap_or("none")
            ),
        };
        let location = dump_line(text, &d, table_name).map(|l| text.at(l));
        let maybe = may_have_made(&opaque, &known, table_name, d.change != ChangeKind::Added);
        if !maybe.is_empty() {
            out.push(Finding {
                kind: Kind::Unverified,
                object,
                message: format!(
                    "since {rev}, {what} in {}; a migration tandem cannot replay may explain it",
                    text.path
                ),
                location,
                evidence: maybe.iter().map(|o| evidence(o)).collect(),
            });
            continue;
        }
        out.push(Finding {
            kind: Kind::ChangedWithoutMigration,
            object,
            message: format!(
                "since {rev}, {what} in {}, and none of the {} added since explains it",
                text.path,
                crate::render::count(added.len(), "migration")
            ),
            location,
            evidence: added.iter().map(|s| format!("added since: {}", s.migration.version)).collect(),
        });
    }
    out
}

//! The replayed schema against the dump: the semantic diff (`schema::diff`) read as drift.
//!
//! Not drift: framework bookkeeping tables (`schema_migrations`, `ar_internal_metadata`,
//! `django_migrations`, the runner's history table); sequences (a table rename keeps its
//! sequence's old name, and a column's default names the sequence it uses, so a sequence that
//! matters is compared through that default); extensions and namespaces (created by the
//! database's administrators as often as by migrations). What an opaque step may have made is
//! `unverified`.

use crate::config::Config;
use crate::schema::diff::{ChangeKind, Difference, diff};
use crate::schema::{QualifiedName, Schema};

use super::expected::{Expected, Opaque};
use super::{Dump, Finding, Kind, Location};

/// Tables every framework keeps for its own bookkeeping.
pub(super) const BOOKKEEPING: [&str; 3] = ["schema_migrations", "ar_internal_metadata", "django_migrations"];

pub fn compare(config: &Config, expected: &Expected, dump: &Schema, text: &Dump<'_>) -> Vec<Finding> {
    let tables: Vec<QualifiedName> = expected
        .schema
        .tables
        .iter()
        .chain(&dump.tables)
        .map(|t| t.name.clone())
        .chain(expected.schema.views.iter().chain(&dump.views).map(|v| v.name.clone()))
        .collect();
    let known: Vec<String> = tables.iter().map(|t| t.name.to_ascii_lowercase()).collect();
    let history = config.migrate.history_table.as_str();
    let mut out = Vec::new();
    for d in diff(&expected.schema, dump) {
        let Some(kinds) = kinds(&d) else { continue };
        let table = owner(&tables, &d.object);
        let table_name = table.as_ref().map(|t| t.name.as_str()).unwrap_or_default();
        if BOOKKEEPING.contains(&table_name) || table_name == history {
            continue;
        }
        let object = shown(&d.object);
        let (missing, extra) = kinds;
        let opaque = may_have_made(&expected.opaque, &known, table_name, d.change != ChangeKind::Added);
        if !opaque.is_empty() {
            out.push(unverified(&d, &object, &opaque, expected, text, table_name));
            continue;
        }
        if d.kind == "table" && d.change == ChangeKind::Removed {
            out.extend(foreign_keys_of_missing(expected, &d.object, text));
        }
        out.push(match d.change {
            ChangeKind::Removed => {
                let location = expected.origin(&d.object);
                let mut f = Finding {
                    kind: missing,
                    object: object.clone(),
                    message: format!(
                        "{} {} `{object}`{}, but {} does not have it",
                        expected.has(),
                        noun(d.kind),
                        location.as_ref().map(by).unwrap_or_default(),
                        text.path
                    ),
                    location,
                    evidence: Vec::new(),
                };
                if let Some(l) = table.as_ref().and_then(|t| text.table_line(&t.name)).filter(|_| d.kind != "table") {
                    f.evidence.push(format!("{}: the dump's table `{table_name}`", text.at(l)));
                }
                f
            }
            ChangeKind::Added => Finding {
                kind: extra,
                object: object.clone(),
                message: format!("{} has {} `{object}`, {}", text.path, noun(d.kind), expected.lacks()),
                location: dump_line(text, &d, table_name).map(|l| text.at(l)),
                evidence: Vec::new(),
            },
            ChangeKind::Changed => changed(&d, &object, expected, text, table_name, missing),
        });
    }
    out
}

/// `(missing, extra)` finding kinds of a difference, `None` for what is not compared.
pub(super) fn kinds(d: &Difference) -> Option<(Kind, Kind)> {
    Some(match d.kind {
        "table" => (Kind::MissingTable, Kind::ExtraTable),
        "column" => (Kind::MissingColumn, Kind::ExtraColumn),
        "index" => (Kind::MissingIndex, Kind::ExtraIndex),
        "primary_key" | "unique" | "check" => (Kind::MissingConstraint, Kind::ExtraConstraint),
        "foreign_key" => (Kind::MissingForeignKey, Kind::ExtraForeignKey),
        "view" => (Kind::MissingView, Kind::ExtraView),
        // A function or trigger the migrations do not create comes with an extension or a
        // library as often as not: listed as unverified, never drift (see `compare`).
        "function" => (Kind::MissingFunction, Kind::Unverified),
        "trigger" => (Kind::MissingTrigger, Kind::Unverified),
        "enum" | "composite_type" => (Kind::ColumnTypeDiffers, Kind::ColumnTypeDiffers),
        _ => return None,
    })
}

pub(super) fn noun(kind: &str) -> &'static str {
    match kind {
        "table" => "table",
        "column" => "column",
        "index" => "index",
        "primary_key" => "primary key",
        "unique" => "unique constraint",
        "check" => "check constraint",
        "foreign_key" => "foreign key",
        "view" => "view",
        "function" => "function",
        "trigger" => "trigger",
        "enum" => "enum type",
        _ => "type",
    }
}

fn by(l: &Location) -> String {
    match &l.app {
        Some(app) if app == "registry" => format!(" (the registry's {}:{})", l.file, l.line),
        Some(app) => format!(" (app `{app}`'s {}:{})", l.file, l.line),
        None => format!(" ({}:{})", l.file, l.line),
    }
}

/// The table or view an object belongs to: the longest name that is the object or prefixes it.
pub(super) fn owner(tables: &[QualifiedName], object: &str) -> Option<QualifiedName> {
    tables
        .iter()
        .filter(|t| {
            let n = t.to_string();
            object == n || object.strip_prefix(&n).is_some_and(|rest| rest.starts_with('.'))
        })
        .max_by_key(|t| t.to_string().len())
        .cloned()
}

/// Objects as people write them: `users.email`, not `public.users.email`.
pub(super) fn shown(object: &str) -> String {
    object.strip_prefix("public.").unwrap_or(object).to_owned()
}

/// The opaque steps that may have made (or, for `either_way`, also removed or changed) something
/// of `table`: those naming it, and — for what exists in the dump only — those naming no known
/// table at all (a library call such as `Oban.Migrations.up()` may create anything). Raw SQL the
/// reader understood (GRANT, COMMENT) creates nothing the comparison looks at.
pub(super) fn may_have_made<'a>(
    opaque: &'a [Opaque],
    known: &[String],
    table: &str,
    either_way: bool,
) -> Vec<&'a Opaque> {
    let table = table.to_ascii_lowercase();
    let candidates = opaque.iter().filter(|o| !o.creates_nothing);
    let named: Vec<&Opaque> = candidates.clone().filter(|o| !table.is_empty() && o.words.contains(&table)).collect();
    if !named.is_empty() || either_way {
        return named;
    }
    candidates.filter(|o| !known.iter().any(|k| o.words.contains(k))).collect()
}

fn unverified(
    d: &Difference,
    object: &str,
    opaque: &[&Opaque],
    expected: &Expected,
    text: &Dump<'_>,
    table: &str,
) -> Finding {
    let location = match d.change {
        ChangeKind::Removed => expected.origin(&d.object),
        _ => dump_line(text, d, table).map(|l| text.at(l)),
    };
    let state = match d.change {
        ChangeKind::Added => format!("{} has {} `{object}`", text.path, noun(d.kind)),
        ChangeKind::Removed => format!("{} lacks {} `{object}`", text.path, noun(d.kind)),
        ChangeKind::Changed => format!("{} `{object}` differs in {}", noun(d.kind), d.field.unwrap_or("definition")),
    };
    Finding {
        kind: Kind::Unverified,
        object: object.to_owned(),
        message: format!(
            "{state}; it may come from {} tandem cannot replay, so it is neither drift nor trusted",
            if opaque.len() == 1 { "an operation" } else { "operations" }
        ),
        location,
        evidence: opaque.iter().map(|o| evidence(o)).collect(),
    }
}

pub(super) fn evidence(o: &Opaque) -> String {
    match &o.error {
        Some(e) => format!("{}: {} (does not apply to the replayed schema: {e})", o.location, o.what),
        None => format!("{}: {}", o.location, o.what),
    }
}

fn changed(d: &Difference, object: &str, expected: &Expected, text: &Dump<'_>, table: &str, missing: Kind) -> Finding {
    let kind = match (d.kind, d.field) {
        ("column", Some("nullable")) => Kind::NullabilityDiffers,
        ("column", Some("default" | "identity" | "generated")) => Kind::DefaultDiffers,
        ("column", _) => Kind::ColumnTypeDiffers,
        _ => missing,
    };
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
    let field = d.field.unwrap_or("definition");
    let mut evidence = Vec::new();
    if let Some(l) = expected.origin(&d.object) {
        evidence.push(format!("{l}: the migration that last sets it"));
    }
    Finding {
        kind,
        object: object.to_owned(),
        message: format!(
            "{} `{object}`: {} {field} {}, {} has {}",
            noun(d.kind),
            if expected.live.is_some() { "the database has" } else { "the migrations give" },
            show(&d.a),
            text.path,
            show(&d.b)
        ),
        location: dump_line(text, d, table).map(|l| text.at(l)),
        evidence,
    }
}

/// The dump's line for what it has of `d`.
pub(super) fn dump_line(text: &Dump<'_>, d: &Difference, table: &str) -> Option<usize> {
    let last = d.object.rsplit('.').next().unwrap_or(&d.object);
    match d.kind {
        "table" => text.table_line(table),
        "view" => text.named_line(last, "view"),
        "column" => text.column_line(table, last).or_else(|| text.table_line(table)),
        "index" => text.named_line(last, "index"),
        "foreign_key" | "unique" | "check" | "primary_key" => {
            text.named_line(last, "constraint").or_else(|| text.table_line(table))
        }
        _ => text.named_line(last, ""),
    }
}

/// The foreign keys of a table the dump lacks: each is drift of its own, since the referenced
/// table may well be in the dump.
fn foreign_keys_of_missing(expected: &Expected, table: &str, text: &Dump<'_>) -> Vec<Finding> {
    let Some(t) = expected.schema.tables.iter().find(|t| t.name.to_string() == table) else { return Vec::new() };
    t.foreign_keys
        .iter()
        .map(|fk| {
            let key = format!("{table}.{}", fk.name.clone().unwrap_or_else(|| fk.columns.join("_")));
            let object = shown(&key);
            let location = expected.origin(&key);
            Finding {
                kind: Kind::MissingForeignKey,
                object: object.clone(),
                message: format!(
                    "{} foreign key `{object}` ({}) → {}{}, but {} does not have it",
                    expected.has(),
                    fk.columns.join(", "),
                    shown(&fk.references.to_string()),
                    location.as_ref().map(by).unwrap_or_default(),
                    text.path
                ),
                location,
                evidence: Vec::new(),
            }
        })
        .collect()
}

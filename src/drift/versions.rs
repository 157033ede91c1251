//! The dump's applied versions (`schema_migrations` rows) against the union of every app's
//! migration files: a migration the dump does not list (`missing_version`), a version the dump
//! lists that no app has (`extra_version`: deployed, then reverted in git).

use std::collections::BTreeMap;

use crate::migration::layout::compare_versions;
use crate::schema::Schema;

use super::expected::Expected;
use super::{Dump, Finding, Kind};

pub fn compare(expected: &Expected, dump: &Schema, text: &Dump<'_>, notes: &mut Vec<String>) -> Vec<Finding> {
    if dump.migrations.is_empty() {
        notes.push(format!(
            "{} lists no applied migration versions (no schema_migrations rows): versions are not compared",
            text.path
        ));
        return Vec::new();
    }
    if let Some(live) = &expected.live {
        return against_live(&expected.schema, live, dump, text);
    }
    let mut files: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, s) in expected.migrations.iter().enumerate() {
        if !s.migration.version.is_empty() {
            files.entry(s.migration.version.as_str()).or_default().push(i);
        }
    }
    // Rails' schema.rb records only the newest version it was dumped at: every migration up to
    // it counts as applied.
    let ceiling =
        text.path.ends_with(".rb").then(|| dump.migrations.iter().max_by(|a, b| compare_versions(a, b))).flatten();
    let applied = |v: &str| match ceiling {
        Some(c) => compare_versions(v, c) != std::cmp::Ordering::Greater,
        None => dump.migrations.iter().any(|d| d == v),
    };
    let mut out = Vec::new();
    for (version, at) in &files {
        if applied(version) {
            continue;
        }
        let s = &expected.migrations[at[0]];
        let location =
            super::Location { app: s.app.clone(), file: crate::render::display_path(&s.migration.file), line: 1 };
        out.push(Finding {
            kind: Kind::MissingVersion,
            object: (*version).to_owned(),
            message: format!(
                "migration {version} ({}) is not listed as applied in {}",
                owner_of(s.app.as_deref()),
                text.path
            ),
            location: Some(location),
            evidence: Vec::new(),
        });
    }
    for version in &dump.migrations {
        if files.contains_key(version.as_str()) {
            continue;
        }
        let line = text.named_line(version, "'");
        out.push(Finding {
            kind: Kind::ExtraVersion,
            object: version.clone(),
            message: format!(
                "{} lists migration {version} as applied, but no app has a migration with that version \
                 (deployed, then removed from git?)",
                text.path
            ),
            location: line.map(|l| text.at(l)),
            evidence: Vec::new(),
        });
    }
    out
}

fn owner_of(app: Option<&str>) -> String {
    match app {
        None => "this app's".to_owned(),
        Some("registry") => "the registry's shared migrations".to_owned(),
        Some(a) => format!("app `{a}`"),
    }
}

/// The versions the live database has applied against those the dump lists.
fn against_live(db: &Schema, label: &str, dump: &Schema, text: &Dump<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    for v in db.migrations.iter().filter(|v| !dump.migrations.contains(v)) {
        out.push(Finding {
            kind: Kind::MissingVersion,
            object: v.clone(),
            message: format!("the database in {label} has applied migration {v}, but {} does not list it", text.path),
            location: None,
            evidence: Vec::new(),
        });
    }
    for v in dump.migrations.iter().filter(|v| !db.migrations.contains(v)) {
        out.push(Finding {
            kind: Kind::ExtraVersion,
            object: v.clone(),
            message: format!(
                "{} lists migration {v} as applied, but the database in {label} has not applied it",
                text.path
            ),
            location: text.named_line(v, "'").map(|l| text.at(l)),
            evidence: Vec::new(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::expected::Sourced;
    use crate::migration::{Format, Migration};

    fn expected(versions: &[&str]) -> Expected {
        let migrations = versions
            .iter()
            .map(|v| Sourced {
                migration: Migration {
                    file: format!("db/migrate/{v}_m.rb").into(),
                    down_file: None,
                    version: (*v).to_owned(),
                    name: "m".into(),
                    format: Format::Rails,
                    up: Vec::new(),
                    down: None,
                    transactional: true,
                    replaces: Vec::new(),
                    source: String::new(),
                },
                app: None,
            })
            .collect();
        let mut e = Expected::live(Schema::default(), String::new());
        e.live = None;
        e.migrations = migrations;
        e
    }

    fn kinds(path: &str, listed: &[&str], files: &[&str]) -> Vec<(Kind, String)> {
        let dump = Schema { migrations: listed.iter().map(|v| (*v).to_owned()).collect(), ..Schema::default() };
        let text = Dump { path, text: "" };
        compare(&expected(files), &dump, &text, &mut Vec::new()).into_iter().map(|f| (f.kind, f.object)).collect()
    }

    #[test]
    fn schema_rb_lists_only_the_newest_version() {
        let files = ["20240101000000", "20240201000000", "20240301000000"];
        assert_eq!(
            kinds("db/schema.rb", &["20240201000000"], &files),
            vec![(Kind::MissingVersion, "20240301000000".to_owned())]
        );
        // structure.sql lists every version: the ones it lacks are missing, whatever their order.
        assert_eq!(
            kinds("db/structure.sql", &["20240201000000", "20240301000000"], &files),
            vec![(Kind::MissingVersion, "20240101000000".to_owned())]
        );
        assert_eq!(
            kinds("db/schema.rb", &["20240401000000"], &files),
            vec![(Kind::ExtraVersion, "20240401000000".to_owned())]
        );
    }
}

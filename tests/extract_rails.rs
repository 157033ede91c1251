//! The Rails extractor on realistic files: exact (line, target, kind) sets.

use std::collections::BTreeSet;
use std::path::Path;

use tandem::config::Framework;
use tandem::scan::extract::rails::RailsExtractor;
use tandem::scan::extract::{ExtractContext, Extractor};
use tandem::scan::facts::{FileFacts, Target};

fn facts(path: &str) -> FileFacts {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract/rails").join(path);
    let source = std::fs::read_to_string(&full).unwrap();
    let extractor = RailsExtractor;
    assert!(extractor.applies(path, Framework::Rails), "{path}");
    extractor.extract(path, &source, &ExtractContext { framework: Framework::Rails, identifiers: &[] })
}

fn show(t: &Target) -> String {
    match t {
        Target::Table { table } => format!("table {table}"),
        Target::Column { table, column } => format!("{table}.{column}"),
        Target::Model { model } => format!("model {model}"),
        Target::ModelColumn { model, column } => format!("{model}#{column}"),
        Target::Identifier { name } => format!("ident {name}"),
        #[allow(unreachable_patterns)]
        other => format!("{other:?}"),
    }
}

fn hits(path: &str) -> BTreeSet<(u32, String, String)> {
    facts(path).hits.iter().map(|h| (h.line, show(&h.target), h.kind.as_str().to_owned())).collect()
}

#[test]
fn dump() {
    for p in [
        "app/models/user.rb",
        "app/models/admin.rb",
        "app/models/admin/audit_entry.rb",
        "app/controllers/users_controller.rb",
        "app/views/users/_form.html.erb",
        "app/views/users/show.json.jbuilder",
        "app/serializers/user_serializer.rb",
        "app/jobs/cleanup_job.rb",
    ] {
        let f = facts(p);
        println!("== {p}");
        for m in &f.models {
            println!(
                "  MODEL {} parent={:?} table={:?} abstract={} ignored={:?} line={}",
                m.class, m.parent, m.table, m.is_abstract, m.ignored_columns, m.line
            );
        }
        for h in &f.hits {
            println!(
                "  ({}, {:?}, {:?}), // c{} {:?} {}",
                h.line,
                show(&h.target),
                h.kind.as_str(),
                h.column,
                h.confidence,
                h.snippet
            );
        }
    }
}

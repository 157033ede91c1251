//! The Ecto extractor on realistic Phoenix files: exact (line, target, kind) sets.

use std::collections::BTreeSet;
use std::path::Path;

use tandem::config::Framework;
use tandem::scan::extract::ecto::EctoExtractor;
use tandem::scan::extract::{ExtractContext, Extractor};
use tandem::scan::facts::{FileFacts, Target};

fn facts(path: &str) -> FileFacts {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract/ecto").join(path);
    let source = std::fs::read_to_string(&full).unwrap();
    let extractor = EctoExtractor;
    assert!(extractor.applies(path, Framework::Phoenix), "{path}");
    extractor.extract(path, &source, &ExtractContext { framework: Framework::Phoenix, identifiers: &[] })
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

#[test]
fn dump() {
    for p in [
        "lib/my_app/accounts/user.ex",
        "lib/my_app/accounts/address.ex",
        "lib/my_app/blog/post.ex",
        "lib/my_app/accounts.ex",
        "lib/my_app_web/live/user_live.ex",
    ] {
        let f = facts(p);
        println!("== {p}");
        for m in &f.models {
            println!("  MODEL {} parent={:?} table={:?} line={}", m.class, m.parent, m.table, m.line);
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

//! Running one extractor on a file and showing what it found, for the extractor tests.

use std::collections::BTreeSet;
use std::path::Path;

use tandem::config::Framework;
use tandem::scan::extract::{ExtractContext, Extractor, SourceFile};
use tandem::scan::facts::{FileFacts, Root, Target};

/// The text of `tests/fixtures/extract/<path>`.
pub fn fixture(path: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract").join(path);
    std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// `extractor`'s facts of `source` as the file `path` of a `framework` app (which it must claim).
pub fn extract(extractor: &dyn Extractor, framework: Framework, path: &str, source: &str) -> FileFacts {
    assert!(extractor.applies(path, framework), "{path}");
    extractor.extract(&SourceFile::new(path, source), &ExtractContext { framework, identifiers: &[] })
}

/// `extractor`'s facts of the fixture `tests/fixtures/extract/<path>`.
pub fn run(extractor: &dyn Extractor, framework: Framework, path: &str) -> FileFacts {
    extract(extractor, framework, path, &fixture(path))
}

/// A hit's target, short: `table t`, `t.c`, `model M`, `M#c`.
pub fn show(t: &Target) -> String {
    match t {
        Target::Table { table } => format!("table {table}"),
        Target::Column { table, column } => format!("{table}.{column}"),
        Target::Model { model } => format!("model {model}"),
        Target::ModelColumn { model, column } => format!("{model}#{column}"),
        Target::Chain { root, path, attribute } => chain(root, path, attribute.as_deref()),
        other => format!("{other:?}"),
    }
}

/// A hit's target, spelled out: `column t.c`, `model_column M.c`, `any_column a|b.c`.
pub fn target(t: &Target) -> String {
    match t {
        Target::Table { table } => format!("table {table}"),
        Target::Column { table, column } => format!("column {table}.{column}"),
        Target::Model { model } => format!("model {model}"),
        Target::ModelColumn { model, column } => format!("model_column {model}.{column}"),
        Target::Identifier { name } => format!("identifier {name}"),
        Target::AnyColumn { tables, column } => format!("any_column {}.{column}", tables.join("|")),
        Target::Chain { root, path, attribute } => format!("chain {}", chain(root, path, attribute.as_deref())),
        Target::Attribute { name } => format!("attribute {name}"),
        Target::AttributeThrough { field, attribute } => format!("attribute {attribute} through {field}"),
        Target::FieldList { model, column, list } => {
            format!("field_list {}.{column} of {}", model.as_deref().unwrap_or("?"), list.join(","))
        }
    }
}

/// A chain as code spells it: `User.profile.sort`, `$rails:view:users/@user.email`.
pub fn chain(root: &Root, path: &[String], attribute: Option<&str>) -> String {
    let mut out = match root {
        Root::Model { model } => model.clone(),
        Root::Binding { scopes, name, guess } => {
            format!("${}/{name}{}", scopes.join("|"), guess.as_deref().map(|g| format!("?{g}")).unwrap_or_default())
        }
    };
    for step in path.iter().map(String::as_str).chain(attribute) {
        out.push('.');
        out.push_str(step);
    }
    out
}

/// Every hit as (line, short target, kind).
pub fn hits(facts: &FileFacts) -> BTreeSet<(u32, String, &'static str)> {
    facts.hits.iter().map(|h| (h.line, show(&h.target), h.kind.as_str())).collect()
}

/// Every hit as `line:column target kind`.
pub fn hit_lines(facts: &FileFacts) -> BTreeSet<String> {
    facts.hits.iter().map(|h| format!("{}:{} {} {}", h.line, h.column, target(&h.target), h.kind)).collect()
}

pub fn set(items: &[(u32, &str, &'static str)]) -> BTreeSet<(u32, String, &'static str)> {
    items.iter().map(|(l, t, k)| (*l, (*t).to_owned(), *k)).collect()
}

/// Lines on which any hit names `needle` (a column or table), for trap assertions.
pub fn lines_naming(facts: &FileFacts, needle: &str) -> Vec<u32> {
    facts.hits.iter().filter(|h| show(&h.target).ends_with(needle)).map(|h| h.line).collect()
}

/// Equality of two sets of hit lines, naming what is missing and what is unexpected.
pub fn assert_set(actual: BTreeSet<String>, expected: &[&str]) {
    let expected: BTreeSet<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing: {missing:#?}\nunexpected: {extra:#?}");
}

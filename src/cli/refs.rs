//! `tandem refs TARGET…`: every reference to a table or column, grouped by app and ref.

use std::collections::BTreeMap;
use std::io::IsTerminal;

use clap::Args;

use crate::cli::scan::scan_with;
use crate::cli::{Globals, Outcome, TextOrJson, write_out};
use crate::config::Confidence;
use crate::error::{Diagnostic, Error, Result};
use crate::graph::DepGraph;
use crate::scan::resolve::SchemaIndex;
use crate::scan::{ObjectRef, RefKind, Reference, ScanOptions};
use crate::schema::Schema;

#[derive(Debug, Args)]
pub struct RefsArgs {
    /// `table`, `table.column` or `schema.table.column`
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    /// Only references at least this sure [default: the registry's `min_confidence`, the
    /// gate's]; the rest are counted
    #[arg(long, value_enum)]
    pub min_confidence: Option<Confidence>,
    /// Only this app (repeatable)
    #[arg(long = "app", value_name = "NAME")]
    pub apps: Vec<String>,
    /// Scan this revision instead of each app's `deployed` and `head`
    #[arg(long = "ref", value_name = "REV")]
    pub revision: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

/// Read a target; with a schema, `a.b` where `a` is a schema name and `b` one of its tables is
/// read as `schema.table`.
pub fn parse_target(text: &str, schema: Option<&Schema>) -> Result<ObjectRef> {
    if schema.is_some_and(|s| s.dialect == crate::schema::Dialect::Mongodb) {
        // A collection has no schema qualifier and a field may be a path: `users.profile.nick`.
        let (collection, field) = text.split_once('.').map_or((text, None), |(c, f)| (c, Some(f)));
        if collection.is_empty() || field.is_some_and(|f| f.is_empty() || f.split('.').any(str::is_empty)) {
            return Err(Error::input(Diagnostic::new(format!(
                "invalid target `{text}`; expected `collection` or `collection.field` (a nested field as its path)"
            ))));
        }
        return Ok(match field {
            Some(f) => ObjectRef::column(collection, f),
            None => ObjectRef::table(collection),
        });
    }
    let target = ObjectRef::parse(text).ok_or_else(|| {
        Error::input(Diagnostic::new(format!(
            "invalid target `{text}`; expected `table`, `table.column` or `schema.table.column`"
        )))
    })?;
    if let (Some(schema), Some(column)) = (schema, &target.column)
        && target.schema.is_none()
        && !schema.tables.iter().any(|t| *t.name.name == *target.table)
        && schema.tables.iter().any(|t| t.name.schema.as_deref() == Some(&*target.table) && *t.name.name == **column)
    {
        return Ok(ObjectRef { schema: Some(target.table.clone()), table: column.clone(), column: None });
    }
    Ok(target)
}

pub fn run(g: &Globals, args: RefsArgs) -> Result<Outcome> {
    let options = ScanOptions {
        apps: args.apps,
        revision: args.revision,
        publish: false,
        progress: !g.quiet && std::io::stderr().is_terminal(),
    };
    let (config, schema, results) = scan_with(g, &options)?;
    let min_confidence = args.min_confidence.unwrap_or(config.registry.min_confidence);
    let targets: Vec<(String, ObjectRef)> =
        args.targets.iter().map(|t| parse_target(t, schema.as_ref()).map(|o| (t.clone(), o))).collect::<Result<_>>()?;
    if let Some(schema) = &schema {
        let index = SchemaIndex::new(schema);
        for (text, t) in &targets {
            let known = match &t.column {
                Some(c) => index.has_column(&t.table, c) == Some(true),
                None => index.has_table(&t.table),
            };
            if !known {
                eprintln!("warning: `{text}` is not in the schema");
            }
        }
    }
    let graph = DepGraph::build(schema.as_ref(), &results);
    let found: Vec<Found<'_>> = targets
        .iter()
        .map(|(text, t)| {
            let (shown, below): (Vec<&Reference>, Vec<&Reference>) =
                graph.references_to(t, Confidence::Low).into_iter().partition(|r| r.confidence >= min_confidence);
            // Not in the graph, which holds the schema's objects: uses of a column it lacks.
            let dangling = results
                .iter()
                .flat_map(|s| &s.references)
                .filter(|r| r.kind == RefKind::Dangling && r.confidence >= min_confidence && r.object.hits(t))
                .collect();
            Found { target: text.clone(), references: shown, below, dangling }
        })
        .collect();
    match args.format {
        TextOrJson::Json => write_out(&crate::render::json(&render_json(&found)))?,
        TextOrJson::Text => write_out(&render_text(&found, min_confidence))?,
    }
    Ok(Outcome::Success)
}

/// The references to one target at or above the minimum confidence, and those below it.
pub struct Found<'r> {
    pub target: String,
    pub references: Vec<&'r Reference>,
    pub below: Vec<&'r Reference>,
    /// Uses of a column the schema's table lacks (`RefKind::Dangling`): they fail at run time.
    pub dangling: Vec<&'r Reference>,
}

pub fn render_json(found: &[Found<'_>]) -> serde_json::Value {
    serde_json::json!({
        "version": 1,
        "targets": found.iter().map(|f| serde_json::json!({
            "target": f.target,
            "references": f.references,
            "below_min_confidence": f.below.len(),
            "dangling": f.dangling,
        })).collect::<Vec<_>>(),
    })
}

pub fn render_text(found: &[Found<'_>], min_confidence: Confidence) -> String {
    let mut out = String::new();
    for Found { target: text, references: refs, below, dangling } in found {
        let mut groups: BTreeMap<(&str, &str, &str), Vec<&Reference>> = BTreeMap::new();
        for r in refs {
            groups.entry((&r.app, &r.git_ref, &r.commit)).or_default().push(r);
        }
        out.push_str(&format!("{text}: {} reference{}\n", refs.len(), if refs.len() == 1 { "" } else { "s" }));
        for ((app, git_ref, commit), refs) in groups {
            out.push_str(&format!("  {app} @ {git_ref} ({})\n", &commit[..commit.len().min(12)]));
            let width = refs.iter().map(|r| format!("{}:{}", r.path, r.line).len()).max().unwrap_or(0);
            for r in refs {
                let loc = format!("{}:{}", r.path, r.line);
                out.push_str(&format!(
                    "    {loc:<width$}  {:<11}  {:<6}  {:<20}  {}\n",
                    r.kind.as_str(),
                    r.confidence.as_str(),
                    r.object.to_string(),
                    r.snippet
                ));
            }
        }
        if !below.is_empty() {
            let names = below.iter().filter(|r| r.kind == RefKind::Name).count();
            let what = if names == below.len() {
                format!("name-only match{}", if names == 1 { "" } else { "es" })
            } else {
                format!(
                    "match{} below {min_confidence} confidence ({names} name-only)",
                    if below.len() == 1 { "" } else { "es" }
                )
            };
            out.push_str(&format!("  and {} {what}: --min-confidence low lists them\n", below.len()));
        }
        if !dangling.is_empty() {
            out.push_str(&format!(
                "  and {} dangling (the schema's table has no such column; `tandem schema drift` reports them):\n",
                dangling.len()
            ));
            for r in dangling {
                out.push_str(&format!(
                    "    {} @ {}  {}:{}  {}  {}\n",
                    r.app, r.git_ref, r.path, r.line, r.object, r.snippet
                ));
            }
        }
    }
    out
}

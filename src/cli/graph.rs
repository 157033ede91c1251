//! `tandem graph`: the dependency graph of apps, tables, columns, foreign keys and views.

use clap::{Args, ValueEnum};

use crate::cli::scan::scan_with;
use crate::cli::{Globals, Outcome, write_out};
use crate::error::{Diagnostic, Error, Result};
use crate::graph::DepGraph;
use crate::scan::ScanOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum GraphFormat {
    #[default]
    Mermaid,
    Dot,
    Json,
    Svg,
}

#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = GraphFormat::Mermaid)]
    pub format: GraphFormat,
    /// Show only this table, its columns and what uses it (repeatable)
    #[arg(long = "table", value_name = "TABLE")]
    pub tables: Vec<String>,
}

pub fn run(g: &Globals, args: GraphArgs) -> Result<Outcome> {
    let (_, schema, results) = scan_with(g, &ScanOptions::default())?;
    let graph = DepGraph::build(schema.as_ref(), &results);
    let known = graph.relations();
    for t in &args.tables {
        if !known.contains(&t.as_str()) {
            let closest = known
                .iter()
                .map(|k| (strsim::jaro_winkler(k, t), *k))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let help = match closest {
                Some((_, k)) => format!("did you mean `{k}`?"),
                None if known.is_empty() => "the graph is empty: configure a schema or apps in apps.toml".to_owned(),
                None => "`tandem graph` without `--table` shows every table and view".to_owned(),
            };
            return Err(Error::input(
                Diagnostic::new(format!(
                    "`--table {t}`: no table or view of that name in the schema or the apps' code"
                ))
                .help(help),
            ));
        }
    }
    match args.format {
        GraphFormat::Mermaid => write_out(&graph.to_mermaid(&args.tables))?,
        GraphFormat::Dot => write_out(&graph.to_dot(&args.tables))?,
        GraphFormat::Json => write_out(&crate::render::json(&graph.to_json(&args.tables)))?,
        GraphFormat::Svg => write_out(&graph.to_svg(&args.tables))?,
    }
    Ok(Outcome::Success)
}

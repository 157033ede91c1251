//! `tandem scan`: scan every app (or the chosen ones) at its refs, store the results, print a
//! summary per app and ref.

use std::io::IsTerminal;

use clap::Args;
use comfy_table::{Table, presets::UTF8_FULL};

use crate::cli::{FormatArg, Globals, Outcome, TextOrJson, write_out};
use crate::config::Config;
use crate::error::Result;
use crate::scan::{self, KindCounts, ScanOptions, ScanResult};
use crate::schema::Schema;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scan only this app (repeatable)
    #[arg(long = "app", value_name = "NAME")]
    pub apps: Vec<String>,
    /// Scan this revision instead of each app's `deployed` and `head`
    #[arg(long = "ref", value_name = "REV")]
    pub revision: Option<String>,
    /// Publish the scans in the configured store, for registries that read this app from there
    #[arg(long)]
    pub publish: bool,
    #[command(flatten)]
    pub format: FormatArg,
}

/// Load config, schema and store, and scan with `options`.
pub fn scan_with(g: &Globals, options: &ScanOptions) -> Result<(Config, Option<Schema>, Vec<ScanResult>)> {
    let (config, store, schema) = load(g)?;
    let results = scan::run(&config, schema.as_ref(), &store, options)?;
    Ok((config, schema, results))
}

/// The config, its store, and the schema references resolve against.
fn load(g: &Globals) -> Result<(Config, Store, Option<Schema>)> {
    let config = g.load_config()?;
    let store = Store::open(&config.registry.store, &config.root)?;
    let schema = crate::check::schema_cache::for_references(&config, Some(&store))?;
    Ok((config, store, schema))
}

pub fn run(g: &Globals, args: ScanArgs) -> Result<Outcome> {
    let options = ScanOptions {
        apps: args.apps,
        revision: args.revision,
        publish: args.publish,
        progress: !g.quiet && std::io::stderr().is_terminal(),
    };
    match args.format.format {
        TextOrJson::Json => {
            let (_, _, results) = scan_with(g, &options)?;
            let json = serde_json::json!({ "version": 1, "scans": results });
            write_out(&crate::render::json(&json))?;
        }
        TextOrJson::Text => {
            // The table shows how many references of each kind, not the references: a warm
            // scan need not restore those of the files it did not read.
            let (config, store, schema) = load(g)?;
            let results = scan::run_counted(&config, schema.as_ref(), &store, &options)?;
            if !g.quiet {
                write_out(&render_text(&results))?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// References counted by kind, in kind order: `declaration 3, implicit 12`.
pub fn kinds(counts: &KindCounts) -> String {
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
}

pub fn render_text(results: &[(ScanResult, KindCounts)]) -> String {
    let mut table = Table::new();
    table.load_style(UTF8_FULL);
    table.set_header(vec!["app", "ref", "commit", "files read", "from cache", "references", "skipped", "time"]);
    for (s, counts) in results {
        table.add_row(vec![
            s.app.clone(),
            s.git_ref.clone(),
            s.commit.chars().take(12).collect(),
            s.summary.files_read.to_string(),
            s.summary.blobs_from_cache.to_string(),
            kinds(counts),
            s.summary.skipped.len().to_string(),
            format!("{} ms", s.summary.elapsed_ms),
        ]);
    }
    let mut out = format!("{table}\n");
    for (s, _) in results {
        if s.summary.skipped.is_empty() {
            continue;
        }
        out.push_str(&format!("\nnot scanned in {} @ {}:\n", s.app, s.git_ref));
        for item in &s.summary.skipped {
            out.push_str(&format!("  {}: {}\n", item.path, item.reason));
        }
    }
    out
}

//! `tandem apps`: validate the registry and show where each app's refs point.

use std::path::Path;

use clap::Args;
use serde::Serialize;

use crate::cli::{FormatArg, Globals, Outcome, TextOrJson, write_out};
use crate::config::{App, AppSource, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::render;
use crate::report;
use crate::store::Store;

#[derive(Debug, Args)]
pub struct AppsArgs {
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Serialize)]
struct AppRow {
    name: String,
    framework: String,
    repo: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    refs: Vec<RefRow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize)]
struct RefRow {
    #[serde(rename = "ref")]
    name: String,
    revision: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<String>,
}

#[derive(Serialize)]
struct AppsJson {
    version: u32,
    apps: Vec<AppRow>,
}

pub fn run(g: &Globals, args: AppsArgs) -> Result<Outcome> {
    let config = g.load_config()?;
    // Apps whose scans are published resolve through the store: its latest published scan of
    // each ref names the commit.
    let store = if config.apps.iter().any(|a| a.source == AppSource::Store) {
        Some(Store::open(&config.registry.store, &config.root)?)
    } else {
        None
    };
    let rows: Vec<AppRow> = config.apps.iter().map(|app| row(&config, app, store.as_ref())).collect();
    let failures: Vec<String> = rows.iter().filter_map(|r| r.error.clone()).collect();
    let text = match args.format.format {
        TextOrJson::Json => render::json(&AppsJson { version: 1, apps: rows }),
        TextOrJson::Text => text(&rows),
    };
    write_out(&text)?;
    if failures.is_empty() {
        Ok(Outcome::Success)
    } else {
        Err(Error::environment(Diagnostic::new(failures.join("\n"))))
    }
}

fn row(config: &Config, app: &App, store: Option<&Store>) -> AppRow {
    let mut row = AppRow {
        name: app.name.clone(),
        framework: app.framework.to_string(),
        repo: match app.source {
            AppSource::Store => "(published scans)".to_owned(),
            AppSource::Repo => relative(&config.root, &app.repo),
        },
        path: app.path.clone(),
        owner: app.owner.clone(),
        refs: app
            .refs()
            .into_iter()
            .map(|(name, rev)| RefRow { name: name.to_owned(), revision: rev.to_owned(), commit: None })
            .collect(),
        error: None,
    };
    if let (AppSource::Store, Some(store)) = (app.source, store) {
        let mut errors = Vec::new();
        for r in &mut row.refs {
            match store.latest_scan(&app.name, &r.name, true) {
                Ok(Some(scan)) => r.commit = Some(scan.commit),
                Ok(None) => errors.push(format!(
                    "app `{}`: no scan of its `{}` ref was published (run `tandem scan --app {} --publish` in its CI)",
                    app.name, r.name, app.name
                )),
                Err(e) => errors.push(e.diagnostic().message.clone()),
            }
        }
        if !errors.is_empty() {
            row.error = Some(errors.join("\n"));
        }
        return row;
    }
    let repo = match crate::git::open(&app.name, &app.repo) {
        Ok(r) => r,
        Err(e) => {
            row.error = Some(e.diagnostic().message.clone());
            return row;
        }
    };
    let mut errors = Vec::new();
    for r in &mut row.refs {
        match crate::git::resolve(&repo, &app.name, &r.revision) {
            Ok(oid) => r.commit = Some(oid.to_string()),
            Err(e) => errors.push(e.diagnostic().message.clone()),
        }
    }
    if !errors.is_empty() {
        row.error = Some(errors.join("\n"));
    }
    row
}

fn text(rows: &[AppRow]) -> String {
    let mut table = report::table::new(&["app", "framework", "repo", "path", "deployed", "head", "owner"]);
    for r in rows {
        let cell = |name: &str| {
            r.refs
                .iter()
                .find(|x| x.name == name)
                .map(|x| match &x.commit {
                    Some(c) => format!("{} → {}", x.revision, &c[..12.min(c.len())]),
                    None => format!("{} → ?", x.revision),
                })
                .unwrap_or_else(|| "-".to_owned())
        };
        table.add_row(vec![
            r.name.clone(),
            r.framework.clone(),
            r.repo.clone(),
            r.path.clone().unwrap_or_else(|| "-".to_owned()),
            cell("deployed"),
            cell("head"),
            r.owner.clone().unwrap_or_else(|| "-".to_owned()),
        ]);
    }
    format!("{table}\n{}\n", render::count(rows.len(), "app"))
}

/// Paths are shown relative to apps.toml, as the user wrote them.
fn relative(root: &Path, path: &Path) -> String {
    let shown = path.strip_prefix(root).unwrap_or(path);
    let s = shown.display().to_string();
    if s.is_empty() { ".".to_owned() } else { s }
}

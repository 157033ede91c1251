//! `tandem plan status`: the ledger. Per recorded change, which phase files exist and which have
//! run (from the runner's history, when the database is reachable), and per app and ref whether
//! its code uses the old name, the new one, or both — so that "can we contract yet?" has a
//! one-line answer.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::config::{Confidence, Config};
use crate::error::{Diagnostic, Error, Result};
use crate::framework::recipe::Change;
use crate::plan::{PhaseKind, Plan};
use crate::rules::gate::{ScanFailure, object};
use crate::scan::{ObjectRef, ScanResult};
use crate::schema::{QualifiedName, Schema};

#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub version: u32,
    /// Where the phases' state comes from: the database (URL without its password), or why it
    /// is unknown.
    pub database: String,
    pub changes: Vec<ChangeStatus>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ChangeStatus {
    pub id: String,
    pub change: Change,
    pub phases: Vec<PhaseStatus>,
    pub apps: Vec<AppUse>,
    /// Whether the contract phase can go now.
    pub can_contract: bool,
    /// The one-line answer.
    pub answer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhaseStatus {
    pub phase: PhaseKind,
    pub version: String,
    pub name: String,
    pub files: Vec<FileState>,
    /// `None` when the database could not be asked.
    pub applied: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileState {
    pub path: String,
    pub exists: bool,
}

/// What one app's code at one ref uses.
#[derive(Debug, Clone, Serialize)]
pub struct AppUse {
    pub app: String,
    #[serde(rename = "ref")]
    pub git_ref: String,
    pub commit: Option<String>,
    pub uses: Uses,
    /// `file:line` of references to the old name (the first few).
    pub old: Vec<String>,
    pub new: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Uses {
    Old,
    New,
    Both,
    Neither,
    /// The code could not be read: the ledger cannot say, and the contract waits.
    Unknown,
}

/// References shown per app, ref and name.
const SHOWN: usize = 3;

/// The ledger: every recorded change, or the one `id` names.
pub fn status(config: &Config, id: Option<&str>, database_url: Option<&str>) -> Result<StatusReport> {
    let store = crate::store::Store::open(&config.registry.store, &config.root)?;
    let mut plans: Vec<Plan> = Vec::new();
    for (key, _, json) in store.changes()? {
        let plan: Plan = serde_json::from_str(&json).map_err(|e| {
            Error::environment(Diagnostic::new(format!("the store's change `{key}` cannot be read: {e}")))
        })?;
        plans.push(plan);
    }
    drop(store);
    if let Some(id) = id {
        plans.retain(|p| p.id == id);
        if plans.is_empty() {
            return Err(Error::input(
                Diagnostic::new(format!("no change `{id}` in the ledger"))
                    .help("`tandem plan status` lists every change and its id"),
            ));
        }
    }
    let (database, applied) = applied_versions(config, database_url)?;
    let (scans, failures) = if plans.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        let mut schema = crate::check::baseline::current(config)?.unwrap_or_default();
        for p in &plans {
            with_new_names(&mut schema, &p.change);
        }
        crate::check::gather::scan_apps(config, &schema)?
    };
    let changes = plans.iter().map(|p| change_status(config, p, applied.as_ref(), &scans, &failures)).collect();
    Ok(StatusReport { version: 1, database, changes })
}

/// The versions the runner's history records as applied, and where they come from.
fn applied_versions(config: &Config, arg: Option<&str>) -> Result<(String, Option<BTreeSet<String>>)> {
    let configured = matches!(config.registry.schema, Some(crate::config::SchemaSetting::UrlEnv(_)));
    if arg.is_none() && !configured {
        return Ok(("not asked: give --database-url env:VAR to see which phases have run".into(), None));
    }
    let url = match crate::runner::database_url(arg, config) {
        Ok(url) => url,
        // The registry's variable unset (a laptop, `tandem report`): the ledger still answers,
        // with the phases' run unknown; a URL the user gave that is wrong is still an error.
        Err(e) if arg.is_none() => return Ok((format!("not asked: {}", e.diagnostic().message), None)),
        Err(e) => return Err(e),
    };
    let shown = crate::redact::redact(&url);
    match crate::database::history::applied(&url, &config.migrate.history_table) {
        Ok(rows) => Ok((shown, Some(rows.into_iter().map(|r| r.version).collect()))),
        Err(e) => Ok((format!("{shown} could not be read: {}", e.diagnostic().message), None)),
    }
}

/// The schema with the names a change introduces, so that the scanner keeps references to them
/// (it drops what the schema does not have).
fn with_new_names(schema: &mut Schema, change: &Change) {
    match change {
        Change::RenameColumn { table, from, to } => {
            if let Some(t) = schema.table_mut(table)
                && t.column(to).is_none()
                && let Some(mut c) = t.column(from).cloned()
            {
                c.name = to.clone();
                t.columns.push(c);
            }
        }
        Change::ChangeType { table, column, new_column, new_type } => {
            if let Some(t) = schema.table_mut(table)
                && t.column(new_column).is_none()
                && t.column(column).is_some()
            {
                t.columns.push(crate::schema::Column::new(new_column, new_type));
            }
        }
        Change::RenameTable { from, to } => {
            if schema.table(to).is_none()
                && let Some(mut t) = schema.table(from).cloned()
            {
                t.name = QualifiedName::new(t.name.schema.as_deref(), to);
                schema.tables.push(t);
            }
        }
        Change::DropColumn { .. } | Change::DropTable { .. } => {}
    }
}

fn target(name: &str) -> ObjectRef {
    match name.split_once('.') {
        Some((t, c)) => object(&QualifiedName::unqualified(t), Some(c)),
        None => object(&QualifiedName::unqualified(name), None),
    }
}

fn change_status(
    config: &Config,
    plan: &Plan,
    applied: Option<&BTreeSet<String>>,
    scans: &[ScanResult],
    failures: &[ScanFailure],
) -> ChangeStatus {
    let phases: Vec<PhaseStatus> = plan
        .phases
        .iter()
        .map(|p| PhaseStatus {
            phase: p.phase,
            version: p.version.clone(),
            name: p.name.clone(),
            files: p
                .files
                .iter()
                .map(|f| FileState { path: f.clone(), exists: config.root.join(Path::new(f)).exists() })
                .collect(),
            applied: applied.map(|a| a.contains(&p.version)),
        })
        .collect();
    let old = target(&plan.change.old_name());
    let new = plan.change.new_name().map(|n| target(&n));
    let min = config.registry.min_confidence;
    let mut apps = Vec::new();
    for app in &config.apps {
        for (git_ref, _) in app.refs() {
            let failure = failures.iter().find(|f| f.app == app.name && f.git_ref == git_ref && f.path.is_none());
            let Some(scan) = scans.iter().find(|s| s.app == app.name && s.git_ref == git_ref) else {
                apps.push(AppUse {
                    app: app.name.clone(),
                    git_ref: git_ref.to_owned(),
                    commit: None,
                    uses: Uses::Unknown,
                    old: Vec::new(),
                    new: Vec::new(),
                    error: Some(failure.map(|f| f.message.clone()).unwrap_or_else(|| "not scanned".into())),
                });
                continue;
            };
            let at = |t: &ObjectRef| -> Vec<String> {
                let mut v: Vec<String> = scan
                    .references
                    .iter()
                    .filter(|r| r.confidence >= min.max(Confidence::Low) && r.object.hits(t))
                    .map(|r| format!("{}:{}", r.path, r.line))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                v.truncate(SHOWN);
                v
            };
            let (o, n) = (at(&old), new.as_ref().map(&at).unwrap_or_default());
            let unreadable = failures
                .iter()
                .any(|f| f.app == app.name && f.git_ref == git_ref && f.may_reference && f.path.is_some());
            let uses = match (o.is_empty(), n.is_empty()) {
                (false, false) => Uses::Both,
                (false, true) => Uses::Old,
                (true, false) => Uses::New,
                (true, true) if unreadable => Uses::Unknown,
                (true, true) => Uses::Neither,
            };
            apps.push(AppUse {
                app: app.name.clone(),
                git_ref: git_ref.to_owned(),
                commit: Some(scan.commit.clone()),
                uses,
                old: o,
                new: n,
                error: unreadable.then(|| "files that could use it could not be read".to_owned()),
            });
        }
    }
    let old_name = plan.change.old_name();
    let blocking: Vec<&AppUse> =
        apps.iter().filter(|a| matches!(a.uses, Uses::Old | Uses::Both | Uses::Unknown)).collect();
    let pending: Vec<&PhaseStatus> =
        phases.iter().filter(|p| p.phase != PhaseKind::Contract && p.applied == Some(false)).collect();
    let contract = phases.iter().find(|p| p.phase == PhaseKind::Contract);
    let (can_contract, answer) = if let Some(a) = blocking.first() {
        let what = match a.uses {
            Uses::Unknown => format!("`{}`@{} could not be read", a.app, a.git_ref),
            _ => format!("`{}`@{} still uses `{old_name}` ({})", a.app, a.git_ref, a.old.join(", ")),
        };
        let more = if blocking.len() > 1 { format!(" and {} more", blocking.len() - 1) } else { String::new() };
        (false, format!("not yet: {what}{more}"))
    } else if let Some(p) = pending.first() {
        (false, format!("not yet: the {} phase ({}) has not run", p.phase.as_str(), p.version))
    } else if contract.is_some_and(|c| c.applied == Some(true)) {
        (false, "done: the contract has run".to_owned())
    } else {
        let version = contract.map(|c| c.version.clone()).unwrap_or_default();
        let unknown = if applied.is_none() { " (which phases have run is unknown without --database-url)" } else { "" };
        (true, format!("yes: no app uses `{old_name}`; the contract ({version}) can run{unknown}"))
    };
    ChangeStatus { id: plan.id.clone(), change: plan.change.clone(), phases, apps, can_contract, answer }
}

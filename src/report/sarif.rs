//! `--format sarif`: SARIF 2.1.0 for code scanning, with the metadata of every rule.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Invocation, Location, Message, MultiformatMessageString, Notification, PhysicalLocation,
    PropertyBag, Region, ReportingConfiguration, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif,
    Suppression, Tool, ToolComponent,
};

use crate::check::{CheckReport, Finding, Severity, Suppression as Applied};
use crate::render::{display_path, short_commit};
use crate::report::unreadable;
use crate::rules;

pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn level(s: Severity) -> ResultLevel {
    match s {
        Severity::Block => ResultLevel::Error,
        Severity::Warn => ResultLevel::Warning,
        Severity::Info => ResultLevel::Note,
    }
}

fn descriptor(id: &str, summary: &str, severity: Severity) -> ReportingDescriptor {
    ReportingDescriptor::builder()
        .id(id)
        .name(id.split('-').map(|w| w[..1].to_uppercase() + &w[1..]).collect::<String>())
        .short_description(MultiformatMessageString::builder().text(summary).build())
        .help_uri(rules::help_uri(id))
        .default_configuration(
            ReportingConfiguration::builder().level(serde_json::json!(level(severity).to_string())).build(),
        )
        .build()
}

fn descriptors() -> Vec<ReportingDescriptor> {
    let mut out: Vec<ReportingDescriptor> =
        rules::ALL.iter().map(|r| descriptor(r.id(), r.summary(), r.severity())).collect();
    out.extend(rules::CHECK_FINDINGS.iter().map(|(id, summary, severity)| descriptor(id, summary, *severity)));
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

fn message(f: &Finding) -> String {
    let mut text = f.message.clone();
    for r in &f.references {
        text.push_str(&format!(
            "\n- {}@{} ({}) {}:{} [{}] {}",
            r.app,
            r.git_ref,
            short_commit(&r.commit),
            r.path,
            r.line,
            r.kind,
            r.snippet
        ));
    }
    for recipe in f.recipes.iter().filter(|_| f.severity > Severity::Info) {
        let fw = recipe.framework.map(|f| format!(" ({f})")).unwrap_or_default();
        text.push_str(&format!("\nSafe alternative{fw}:"));
        for (i, step) in recipe.steps.iter().enumerate() {
            text.push_str(&format!("\n{}. {step}", i + 1));
        }
    }
    text
}

fn result(f: &Finding, index: &BTreeMap<String, i64>) -> SarifResult {
    let mut locations = Vec::new();
    if let Some(l) = &f.location {
        locations.push(
            Location::builder()
                .physical_location(
                    PhysicalLocation::builder()
                        .artifact_location(ArtifactLocation::builder().uri(display_path(&l.file)).build())
                        .region(
                            Region::builder().start_line(i64::from(l.line)).start_column(i64::from(l.column)).build(),
                        )
                        .build(),
                )
                .build(),
        );
    }
    let mut props = BTreeMap::new();
    if let Some(o) = &f.object {
        props.insert("object".to_owned(), serde_json::json!(o));
    }
    if let Some(m) = &f.migration {
        props.insert("migration".to_owned(), serde_json::json!(m));
    }
    props.insert("severity".to_owned(), serde_json::json!(f.severity.as_str()));
    if !f.references.is_empty() {
        props.insert("references".to_owned(), serde_json::to_value(&f.references).unwrap_or_default());
    }
    let mut r = SarifResult::builder()
        .rule_id(f.rule.clone())
        .rule_index(index.get(&f.rule).copied().unwrap_or(-1))
        .level(level(f.severity))
        .message(Message::builder().text(message(f)).build())
        .locations(locations)
        .properties(PropertyBag::builder().additional_properties(props).build())
        .build();
    if let Some(s) = &f.suppression {
        let (kind, justification) = match s {
            Applied::Comment { reason, .. } => ("inSource", reason.clone()),
            Applied::Waiver { reason, owner, .. } => ("external", format!("{reason} (waiver by {owner})")),
        };
        r.suppressions =
            Some(vec![Suppression::builder().kind(serde_json::json!(kind)).justification(justification).build()]);
    }
    r
}

pub fn render(report: &CheckReport) -> String {
    let rules = descriptors();
    let index: BTreeMap<String, i64> = rules.iter().enumerate().map(|(i, r)| (r.id.clone(), i as i64)).collect();
    let driver = ToolComponent::builder()
        .name("tandem")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .information_uri("https://github.com/tandem-db/tandem")
        .rules(rules)
        .build();
    // What could not be read goes with the run: it is about the analysis, not one line.
    let notifications: Vec<Notification> = report
        .unreadable
        .iter()
        .map(|u| {
            Notification::builder()
                .message(Message::builder().text(format!("could not read {}", unreadable(u))).build())
                .level(serde_json::json!("warning"))
                .build()
        })
        .collect();
    let mut run = Run::builder()
        .tool(Tool::builder().driver(driver).build())
        .results(report.findings.iter().map(|f| result(f, &index)).collect::<Vec<_>>())
        .build();
    if !notifications.is_empty() {
        run.invocations = Some(vec![
            Invocation::builder().execution_successful(true).tool_execution_notifications(notifications).build(),
        ]);
    }
    let sarif = Sarif::builder().schema(SCHEMA).version(serde_json::json!("2.1.0")).runs(vec![run]).build();
    crate::render::json(&sarif)
}

//! HTML: one self-contained page (styles inline, the graph as inline SVG, no script, nothing
//! fetched) for `tandem report --format html`, and the page shell the release notes share.
//!
//! The report shows the registry (apps, refs, owners), the pending migrations with their verdicts
//! and the references behind them, and the dependency graph. Two sections come from commands
//! other than `check`: the drift status (`tandem schema drift`, [`drift_section`]) and the
//! changes in flight (the `tandem plan` ledger, [`changes_section`]). They are [`Page::drift`] and
//! [`Page::changes`]: the report fills both from those commands' libraries; a page left without
//! one says nothing about it (an HTML comment marks the slot) rather than showing something made
//! up.

use std::fmt::Write as _;

use crate::check::{CheckReport, Finding, Severity, Verdict};
use crate::render::html::{anchor, badge, escape, inline, inline_svg, page, severity_badge, verdict_badge};
use crate::render::{display_path, short_commit};

/// One registered app as the page shows it.
#[derive(Debug, Clone)]
pub struct AppRow {
    pub name: String,
    pub framework: String,
    pub owner: Option<String>,
    /// (ref, revision, commit when it resolved).
    pub refs: Vec<(String, String, Option<String>)>,
    /// Why the app could not be read, when it could not.
    pub problem: Option<String>,
}

/// A section another command provides (drift status, changes in flight), already rendered.
#[derive(Debug, Clone)]
pub struct Section {
    pub title: String,
    pub html: String,
}

/// Everything `tandem report --format html` shows.
pub struct Page<'a> {
    pub title: String,
    pub apps: Vec<AppRow>,
    /// The check of the registry's pending migrations.
    pub check: &'a CheckReport,
    /// The dependency graph as SVG.
    pub graph: String,
    /// The drift status, from the `tandem schema drift` library ([`drift_section`]).
    pub drift: Option<Section>,
    /// The changes in flight, from the `tandem plan` ledger ([`changes_section`]).
    pub changes: Option<Section>,
}

pub fn render_page(p: &Page<'_>) -> String {
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", escape(&p.title));
    let pending = p.check.checked_migrations();
    let _ = writeln!(
        body,
        "<p>Pending migrations: {} {} · {} app{}</p>",
        verdict_badge(p.check.verdict),
        pending,
        p.apps.len(),
        if p.apps.len() == 1 { "" } else { "s" }
    );
    let mut nav = vec![("registry", "Registry"), ("migrations", "Pending migrations")];
    if p.drift.is_some() {
        nav.push(("drift", "Drift"));
    }
    if p.changes.is_some() {
        nav.push(("changes", "Changes in flight"));
    }
    nav.push(("graph", "Dependency graph"));
    let links: Vec<String> = nav.iter().map(|(id, t)| format!("<a href=\"#{id}\">{t}</a>")).collect();
    let _ = writeln!(body, "<nav>{}</nav>", links.join(""));

    registry(&mut body, &p.apps);
    migrations(&mut body, p.check);
    extension(&mut body, "drift", p.drift.as_ref());
    extension(&mut body, "changes", p.changes.as_ref());
    let _ =
        writeln!(body, "<h2 id=\"graph\">Dependency graph</h2>\n<div class=\"graph\">{}</div>", inline_svg(&p.graph));
    page(&p.title, &body)
}

fn extension(body: &mut String, id: &str, section: Option<&Section>) {
    match section {
        Some(s) => {
            let _ = writeln!(body, "<h2 id=\"{id}\">{}</h2>\n{}", escape(&s.title), s.html);
        }
        None => {
            let _ = writeln!(body, "<!-- tandem:section {id}: not provided by this version -->");
        }
    }
}

/// What the drift library said, as the report asks it (every app's dump at `head`).
pub enum DriftStatus {
    /// No app names a `structure` dump: nothing to compare.
    NoDump,
    /// The library could not check (an input error: a missing dump, an unreadable migration).
    Failed(String),
    Checked(crate::drift::Report),
}

/// The drift section: per app, in sync or its findings (kind, object, where), counts by kind.
pub fn drift_section(status: &DriftStatus) -> Section {
    let mut html = String::new();
    match status {
        DriftStatus::NoDump => html.push_str(
            "<p class=\"muted\">No app names a committed schema dump (<code>structure</code>): nothing to check for drift.</p>\n",
        ),
        DriftStatus::Failed(message) => {
            let _ = writeln!(html, "<p>{} drift could not be checked: {}</p>", badge("block", "error"), inline(message));
        }
        DriftStatus::Checked(r) => {
            for a in &r.apps {
                let _ = writeln!(
                    html,
                    "<div class=\"card\">\n<h3>{} <code>{}</code> at {} <code>{}</code></h3>",
                    escape(&a.app),
                    escape(&a.dump),
                    escape(&a.git_ref),
                    short_commit(&a.commit)
                );
                let drift = a.findings.iter().filter(|f| f.kind.is_drift()).count();
                if drift == 0 {
                    let _ = writeln!(html, "<p>{} with the migrations of every app.</p>", badge("pass", "in sync"));
                } else {
                    let mut by_kind = std::collections::BTreeMap::<&str, usize>::new();
                    for f in a.findings.iter().filter(|f| f.kind.is_drift()) {
                        *by_kind.entry(f.kind.as_str()).or_default() += 1;
                    }
                    let counts: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} <code>{k}</code>")).collect();
                    let _ = writeln!(html, "<p>{} {}</p>", badge("block", "drift"), counts.join(", "));
                }
                if !a.findings.is_empty() {
                    let _ = writeln!(
                        html,
                        "<table>\n<tr><th>kind</th><th>object</th><th>where</th><th>what</th></tr>"
                    );
                    for f in &a.findings {
                        let kind = if f.kind.is_drift() {
                            format!("<code>{}</code>", f.kind.as_str())
                        } else {
                            format!("<code>{}</code> (not drift)", f.kind.as_str())
                        };
                        let _ = writeln!(
                            html,
                            "<tr><td>{kind}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                            escape(&f.object),
                            f.location.as_ref().map_or(String::new(), |l| format!("<code>{}</code>", escape(&l.to_string()))),
                            inline(&f.message)
                        );
                    }
                    let _ = writeln!(html, "</table>");
                }
                for n in &a.notes {
                    let _ = writeln!(html, "<p class=\"muted\">{}</p>", inline(n));
                }
                let _ = writeln!(html, "</div>");
            }
        }
    }
    Section { title: "Drift".to_owned(), html }
}

/// The changes-in-flight section: the ledger as `tandem plan status` reports it.
pub fn changes_section(r: &crate::plan::StatusReport) -> Section {
    use crate::plan::status::Uses;
    let mut html = String::new();
    if r.changes.is_empty() {
        html.push_str(
            "<p class=\"muted\">No changes recorded (<code>tandem plan rename-column …</code> records one).</p>\n",
        );
        return Section { title: "Changes in flight".to_owned(), html };
    }
    let _ = writeln!(html, "<p class=\"muted\">Which phases ran: {}</p>", inline(&r.database));
    for c in &r.changes {
        let answer = if c.can_contract || c.answer.starts_with("done") { "pass" } else { "warn" };
        let _ = writeln!(
            html,
            "<div class=\"card\" id=\"{}\">\n<h3><code>{}</code> {}</h3>\n<p>{} {}</p>",
            anchor("change", &c.id),
            escape(&c.id),
            escape(c.change.kind()),
            badge(answer, if c.can_contract { "can contract" } else { "cannot contract yet" }),
            inline(&c.answer)
        );
        let _ = writeln!(html, "<table>\n<tr><th>phase</th><th>version</th><th>files</th><th>run</th></tr>");
        for p in &c.phases {
            let run = match p.applied {
                Some(true) => "applied",
                Some(false) => "pending",
                None => "unknown",
            };
            let missing: Vec<String> =
                p.files.iter().filter(|f| !f.exists).map(|f| format!("<code>{}</code>", escape(&f.path))).collect();
            let files =
                if missing.is_empty() { "present".to_owned() } else { format!("missing {}", missing.join(", ")) };
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td><code>{}</code></td><td>{files}</td><td>{run}</td></tr>",
                p.phase.as_str(),
                escape(&p.version)
            );
        }
        let _ = writeln!(html, "</table>");
        let _ = writeln!(html, "<table>\n<tr><th>app</th><th>ref</th><th>uses</th><th>where</th></tr>");
        for a in &c.apps {
            let (uses, at) = match a.uses {
                Uses::Old => ("the old name", a.old.join(", ")),
                Uses::New => ("the new name", a.new.join(", ")),
                Uses::Both => ("both", [a.old.join(", "), a.new.join(", ")].join("; ")),
                Uses::Neither => ("neither", String::new()),
                Uses::Unknown => ("unknown", a.error.clone().unwrap_or_default()),
            };
            let _ = writeln!(
                html,
                "<tr><td>{}</td><td>{}</td><td>{uses}</td><td>{}</td></tr>",
                escape(&a.app),
                escape(&a.git_ref),
                escape(&at)
            );
        }
        let _ = writeln!(html, "</table>\n</div>");
    }
    Section { title: "Changes in flight".to_owned(), html }
}

fn registry(body: &mut String, apps: &[AppRow]) {
    let _ = writeln!(body, "<h2 id=\"registry\">Registry</h2>");
    let _ = writeln!(body, "<table>\n<tr><th>app</th><th>framework</th><th>owner</th><th>refs</th></tr>");
    for a in apps {
        let refs: Vec<String> = a
            .refs
            .iter()
            .map(|(name, rev, commit)| match commit {
                Some(c) => format!("{} <code>{}</code> → <code>{}</code>", escape(name), escape(rev), short_commit(c)),
                None => format!("{} <code>{}</code> → ?", escape(name), escape(rev)),
            })
            .collect();
        let problem =
            a.problem.as_ref().map_or(String::new(), |m| format!("<br>{} {}", badge("block", "unreadable"), escape(m)));
        let _ = writeln!(
            body,
            "<tr id=\"{}\"><td><strong>{}</strong></td><td>{}</td><td>{}</td><td>{}{problem}</td></tr>",
            anchor("app", &a.name),
            escape(&a.name),
            escape(&a.framework),
            a.owner.as_deref().map_or("<span class=\"muted\">none</span>".to_owned(), escape),
            refs.join("<br>")
        );
    }
    let _ = writeln!(body, "</table>");
}

fn migrations(body: &mut String, report: &CheckReport) {
    let _ = writeln!(body, "<h2 id=\"migrations\">Pending migrations</h2>");
    let pending: Vec<_> = report.migrations.iter().filter(|m| !m.applied).collect();
    if pending.is_empty() {
        let _ = writeln!(body, "<p class=\"muted\">No pending migrations.</p>");
        return;
    }
    let _ = writeln!(body, "<table>\n<tr><th>version</th><th>name</th><th>verdict</th><th>file</th></tr>");
    for m in &pending {
        let findings: Vec<Finding> =
            report.findings.iter().filter(|f| f.migration.as_deref() == Some(m.version.as_str())).cloned().collect();
        let _ = writeln!(
            body,
            "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            anchor("migration", &m.version),
            escape(&m.version),
            escape(&m.name),
            verdict_badge(Verdict::of(&findings)),
            escape(&display_path(&m.file))
        );
    }
    let _ = writeln!(body, "</table>");
    for m in &pending {
        let _ = writeln!(
            body,
            "<div class=\"card\" id=\"{}\">\n<h3>{} {}</h3>",
            anchor("migration", &m.version),
            escape(&m.version),
            escape(&m.name)
        );
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.migration.as_deref() == Some(m.version.as_str()) && f.severity > Severity::Info)
            .collect();
        if findings.is_empty() {
            let _ = writeln!(body, "<p class=\"muted\">No findings.</p>");
        }
        for f in findings {
            let line = f.location.as_ref().map_or(String::new(), |l| format!(" line {}", l.line));
            let _ = writeln!(
                body,
                "<p>{} <code>{}</code>{line}: {}</p>",
                severity_badge(f.severity, f.suppression.is_some()),
                escape(&f.rule),
                inline(&f.message)
            );
            if let Some(s) = &f.suppression {
                let _ = writeln!(body, "<p class=\"muted\">{}</p>", inline(&crate::notes::suppression_words(s)));
            }
            if !f.references.is_empty() {
                let _ = writeln!(
                    body,
                    "<table>\n<tr><th>app</th><th>ref</th><th>where</th><th>kind</th><th>code</th></tr>"
                );
                for r in &f.references {
                    let _ = writeln!(
                        body,
                        "<tr><td><a href=\"#{}\">{}</a></td><td>{} <code>{}</code></td><td><code>{}:{}</code></td><td>{} ({})</td><td><code>{}</code></td></tr>",
                        anchor("app", &r.app),
                        escape(&r.app),
                        escape(&r.git_ref),
                        short_commit(&r.commit),
                        escape(&r.path),
                        r.line,
                        r.kind,
                        r.confidence,
                        escape(&r.snippet)
                    );
                }
                let _ = writeln!(body, "</table>");
            }
        }
        let _ = writeln!(body, "</div>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_code_spans() {
        assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(inline("drops `users.x` <now>"), "drops <code>users.x</code> &lt;now&gt;");
        assert_eq!(anchor("app", "Web App_1"), "app-web-app-1");
        assert_eq!(inline_svg("<?xml version=\"1.0\"?><svg></svg>"), "<svg></svg>");
    }

    #[test]
    fn sections_without_a_dump_a_check_or_a_change_say_so_in_one_line() {
        let none = drift_section(&DriftStatus::NoDump).html;
        assert!(none.contains("No app names a committed schema dump") && none.lines().count() == 1, "{none}");
        let failed = drift_section(&DriftStatus::Failed("apps.toml:3: `structure` names <db/x.sql>".into())).html;
        assert!(
            failed.contains("could not be checked: apps.toml:3: <code>structure</code> names &lt;db/x.sql&gt;"),
            "{failed}"
        );
        let empty = crate::plan::StatusReport { version: 1, database: "not asked".into(), changes: Vec::new() };
        let changes = changes_section(&empty).html;
        assert!(changes.contains("No changes recorded") && changes.lines().count() == 1, "{changes}");
    }
}

//! Release notes as one self-contained HTML page, in the report's page shell: the same content as
//! the markdown, every migration linked from the summary.

use std::fmt::Write as _;

use crate::check::Severity;
use crate::notes::{Entry, ReleaseNotes, suppression_words};
use crate::render::html::{anchor, badge, escape, inline, page, severity_badge, verdict_badge};
use crate::render::short_commit;

pub fn render(notes: &ReleaseNotes) -> String {
    let r = &notes.range;
    let title = format!("Database changes {}..{}", r.from.name, r.to.name);
    let mut body = String::new();
    let _ = writeln!(body, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        body,
        "<p>Migrations in <code>{}</code>{} from <code>{}</code> (<code>{}</code>) to <code>{}</code> (<code>{}</code>), \
         checked against {}.</p>",
        escape(&r.directory),
        r.app.as_ref().map_or(String::new(), |a| format!(" of app <code>{}</code>", escape(a))),
        escape(&r.from.name),
        short_commit(&r.from.commit),
        escape(&r.to.name),
        short_commit(&r.to.commit),
        inline(&notes.schema)
    );
    if !notes.checked.is_empty() {
        let list: Vec<String> = notes
            .checked
            .iter()
            .map(|c| {
                format!(
                    "<code>{}</code>@{} (<code>{}</code>)",
                    escape(&c.app),
                    escape(&c.git_ref),
                    short_commit(&c.commit)
                )
            })
            .collect();
        let _ = writeln!(body, "<p>Apps checked: {}.</p>", list.join(", "));
    }
    for u in &notes.unreadable {
        let _ = writeln!(
            body,
            "<p>{} could not read <code>{}</code>@{}: {}</p>",
            badge("block", "unreadable"),
            escape(&u.app),
            escape(&u.git_ref),
            escape(&u.message)
        );
    }

    let s = &notes.summary;
    let _ = writeln!(body, "<h2 id=\"summary\">Summary</h2>");
    let _ = writeln!(
        body,
        "<table>\n<tr><th>migrations</th><th>destructive</th><th>blocked</th><th>waived</th><th>irreversible</th><th>edited</th></tr>\n\
         <tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n</table>",
        s.migrations, s.destructive, s.blocked, s.waived, s.irreversible, s.edited
    );
    if !notes.migrations.is_empty() {
        let _ = writeln!(body, "<table>\n<tr><th>version</th><th>name</th><th>verdict</th><th>change</th></tr>");
        for e in &notes.migrations {
            let _ = writeln!(
                body,
                "<tr><td><a href=\"#{}\">{}</a></td><td>{}</td><td>{}</td><td>{}{}</td></tr>",
                anchor("migration", &e.version),
                escape(&e.version),
                escape(&e.name),
                verdict_badge(e.verdict),
                e.change.as_str(),
                if e.edited() { ", edited" } else { "" }
            );
        }
        let _ = writeln!(body, "</table>");
    } else {
        let _ = writeln!(body, "<p class=\"muted\">No migration was added or changed in this range.</p>");
    }
    let _ = writeln!(body, "<h2 id=\"apps\">Apps affected</h2>");
    if notes.apps_affected.is_empty() {
        let _ = writeln!(
            body,
            "<p class=\"muted\">None: no app references what these migrations drop, change or lock.</p>"
        );
    } else {
        let _ = writeln!(body, "<ul>");
        for a in &notes.apps_affected {
            let versions: Vec<String> = a
                .migrations
                .iter()
                .map(|v| format!("<a href=\"#{}\">{}</a>", anchor("migration", v), escape(v)))
                .collect();
            let _ = writeln!(
                body,
                "<li><code>{}</code>{} at {}: {}</li>",
                escape(&a.app),
                a.owner.as_ref().map_or(String::new(), |o| format!(" (owner {})", escape(o))),
                escape(&a.refs.join(", ")),
                versions.join(", ")
            );
        }
        let _ = writeln!(body, "</ul>");
    }

    let _ = writeln!(body, "<h2 id=\"migrations\">Migrations</h2>");
    for e in &notes.migrations {
        entry(&mut body, e);
    }
    if !notes.removed.is_empty() {
        let _ = writeln!(body, "<h2 id=\"removed\">Removed migration files</h2>\n<ul>");
        for m in &notes.removed {
            let _ = writeln!(
                body,
                "<li><code>{}</code> ({} {}): where it ran, its changes stay</li>",
                escape(&m.file),
                escape(&m.version),
                escape(&m.name)
            );
        }
        let _ = writeln!(body, "</ul>");
    }
    page(&title, &body)
}

fn entry(body: &mut String, e: &Entry) {
    let _ = writeln!(
        body,
        "<div class=\"card\" id=\"{}\">\n<h3>{} {} {}</h3>",
        anchor("migration", &e.version),
        escape(&e.version),
        escape(&e.name),
        verdict_badge(e.verdict)
    );
    let down = e.down_file.as_ref().map_or(String::new(), |d| format!(" (down: <code>{}</code>)", escape(d)));
    let _ =
        writeln!(body, "<p><code>{}</code>{down} · {} · {}</p>", escape(&e.file), e.change.as_str(), e.format_name());
    if e.edited() {
        let how = if e.edits.is_empty() {
            "changed since the start of the range".to_owned()
        } else {
            e.edits
                .iter()
                .map(|x| format!("<code>{}</code> ({})", short_commit(&x.commit), escape(&x.summary)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            body,
            "<p>{} edited after it first appeared: {how}. It may already have run in its earlier form.</p>",
            badge("warn", "edited")
        );
    }
    if e.applied_before {
        let _ = writeln!(
            body,
            "<p class=\"muted\">Already applied according to the schema before the range: not checked again.</p>"
        );
    }
    let _ = writeln!(body, "<h4>What it does</h4>\n<ul>");
    for op in &e.operations {
        let mut tags = String::new();
        if op.destructive {
            tags.push(' ');
            tags.push_str(&badge("block", "destructive"));
        }
        if let Some(lock) = &op.lock {
            let _ = write!(tags, " <span class=\"muted\">{} while it runs</span>", inline(lock));
        }
        let _ = writeln!(body, "<li>line {}: {}{tags}", op.line, inline(&op.does));
        if op.gate.is_some() || !op.affected.is_empty() {
            let _ = writeln!(body, "<ul>");
            if let Some(g) = &op.gate {
                let _ = writeln!(body, "<li>gate: {}</li>", inline(g));
            }
            for a in &op.affected {
                let places: Vec<String> = a.references.iter().map(|r| format!("<code>{}</code>", escape(r))).collect();
                let _ = writeln!(
                    body,
                    "<li><code>{}</code>@{} (<code>{}</code>{}): {}</li>",
                    escape(&a.app),
                    escape(&a.git_ref),
                    short_commit(&a.commit),
                    a.owner.as_ref().map_or(String::new(), |o| format!(", owner {}", escape(o))),
                    places.join(", ")
                );
            }
            let _ = writeln!(body, "</ul>");
        }
        let _ = writeln!(body, "</li>");
    }
    let _ = writeln!(body, "</ul>");
    let risks: Vec<_> = e.risks.iter().filter(|r| r.severity > Severity::Info || r.suppression.is_some()).collect();
    if !risks.is_empty() {
        let _ = writeln!(body, "<h4>Risk</h4>\n<ul>");
        for r in risks {
            let at = r.line.map_or(String::new(), |l| format!(" (line {l})"));
            let why = r.suppression.as_ref().map_or(String::new(), |s| {
                format!("<br><span class=\"muted\">{}</span>", inline(&suppression_words(s)))
            });
            let _ = writeln!(
                body,
                "<li>{} <code>{}</code>{at}: {}{why}</li>",
                severity_badge(r.severity, r.suppression.is_some()),
                escape(&r.rule),
                inline(&r.message)
            );
        }
        let _ = writeln!(body, "</ul>");
    }
    let _ = writeln!(body, "<h4>Rollback</h4>\n<ul>");
    if e.rollback.down {
        if e.rollback.steps.is_empty() {
            let _ = writeln!(body, "<li>the down part does nothing</li>");
        } else {
            let _ = writeln!(body, "<li>the down part {}</li>", inline(&e.rollback.steps.join("; then ")));
        }
    } else {
        let _ = writeln!(body, "<li>{} no down part: it cannot be rolled back</li>", badge("warn", "irreversible"));
    }
    for c in &e.rollback.cannot_undo {
        let _ = writeln!(body, "<li>cannot be undone: {}</li>", inline(c));
    }
    let _ = writeln!(body, "</ul>\n</div>");
}

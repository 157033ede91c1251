//! Release notes as markdown for a GitHub release or pull request. GitHub refuses bodies over
//! 65,536 characters, so the full notes degrade step by step — fewer `file:line`s per app, then
//! one line per migration — until they fit.

use std::fmt::Write as _;

use crate::check::{Severity, Verdict};
use crate::notes::{Entry, ReleaseNotes, suppression_words};
use crate::render::markdown::{cell, fit};
use crate::render::short_commit;

pub fn render(notes: &ReleaseNotes) -> String {
    fit(
        &[usize::MAX, 5, 1, 0],
        |max_refs| build(notes, max_refs),
        "run `tandem release-notes` locally for the full notes",
    )
}

fn verdict_icon(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✅",
        Verdict::Warn => "⚠️",
        Verdict::Block => "⛔",
    }
}

fn severity_icon(s: Severity, suppressed: bool) -> &'static str {
    match (suppressed, s) {
        (true, _) => "⚪",
        (false, Severity::Block) => "⛔",
        (false, Severity::Warn) => "⚠️",
        (false, Severity::Info) => "ℹ️",
    }
}

fn owner(o: &Option<String>) -> String {
    o.as_ref().map_or(String::new(), |o| format!(", owner {o}"))
}

/// `max_refs = None`: one line per migration, no details.
fn build(notes: &ReleaseNotes, max_refs: Option<usize>) -> String {
    let mut out = String::new();
    let r = &notes.range;
    let _ = writeln!(out, "## Database changes: {}..{}\n", r.from.name, r.to.name);
    let _ = writeln!(
        out,
        "Migrations in `{}`{} from `{}` (`{}`) to `{}` (`{}`), checked against {}.",
        r.directory,
        r.app.as_ref().map_or(String::new(), |a| format!(" of app `{a}`")),
        r.from.name,
        short_commit(&r.from.commit),
        r.to.name,
        short_commit(&r.to.commit),
        notes.schema
    );
    if !notes.checked.is_empty() {
        let list: Vec<String> = notes
            .checked
            .iter()
            .map(|c| format!("`{}`@{} (`{}`)", c.app, c.git_ref, short_commit(&c.commit)))
            .collect();
        let _ = writeln!(out, "Apps checked: {}.", list.join(", "));
    }
    for u in &notes.unreadable {
        let _ = writeln!(out, "\n**Could not read `{}`@{}**: {}", u.app, u.git_ref, cell(&u.message));
    }
    if notes.migrations.is_empty() {
        let _ = writeln!(out, "\nNo migration was added or changed in this range.");
    }
    match max_refs {
        Some(max_refs) => {
            for e in &notes.migrations {
                entry(&mut out, e, max_refs);
            }
        }
        None => {
            let _ = writeln!(out, "\n| | version | name | change | what it does |\n|---|---|---|---|---|");
            for e in &notes.migrations {
                let does: Vec<&str> = e.operations.iter().map(|o| o.does.as_str()).collect();
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {}{} | {} |",
                    verdict_icon(e.verdict),
                    e.version,
                    cell(&e.name),
                    e.change.as_str(),
                    if e.edited() { ", edited" } else { "" },
                    cell(&does.join("; "))
                );
            }
            let _ = writeln!(out, "\n_Details left out to fit: run `tandem release-notes` for them._");
        }
    }
    if !notes.removed.is_empty() {
        let _ = writeln!(out, "\n### Removed migration files\n");
        for m in &notes.removed {
            let _ = writeln!(
                out,
                "- `{}` ({} {}): present at `{}`, gone at `{}` — where it ran, its changes stay",
                m.file, m.version, m.name, r.from.name, r.to.name
            );
        }
    }
    let s = &notes.summary;
    let _ = writeln!(out, "\n### Summary\n");
    let _ = writeln!(out, "| migrations | destructive | blocked | waived | irreversible | edited |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} | {} |",
        s.migrations, s.destructive, s.blocked, s.waived, s.irreversible, s.edited
    );
    let _ = writeln!(out, "\n### Apps affected\n");
    if notes.apps_affected.is_empty() {
        let _ = writeln!(out, "None: no app references what these migrations drop, change or lock.");
    }
    for a in &notes.apps_affected {
        let _ = writeln!(
            out,
            "- `{}`{} at {}: {}",
            a.app,
            a.owner.as_ref().map_or(String::new(), |o| format!(" (owner {o})")),
            a.refs.join(", "),
            a.migrations.join(", ")
        );
    }
    out
}

fn entry(out: &mut String, e: &Entry, max_refs: usize) {
    let _ = writeln!(out, "\n### {} {} {}: {}\n", verdict_icon(e.verdict), e.version, e.name, e.verdict);
    let files = match &e.down_file {
        Some(d) => format!("`{}` (down: `{d}`)", e.file),
        None => format!("`{}`", e.file),
    };
    let _ = writeln!(out, "{files} · {} · {}", e.change.as_str(), e.format_name());
    if e.edited() {
        let how = if e.edits.is_empty() {
            "changed since the start of the range".to_owned()
        } else {
            e.edits
                .iter()
                .map(|x| format!("`{}` ({})", short_commit(&x.commit), cell(&x.summary)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "\n> ⚠️ **Edited after it first appeared**: {how}. It may already have run in its earlier form; \
             databases where it ran will not run the new one."
        );
    }
    if e.applied_before {
        let _ = writeln!(out, "\n> Already applied according to the schema before the range: not checked again.");
    }
    let _ = writeln!(out, "\n**What it does**\n");
    if e.operations.is_empty() {
        let _ = writeln!(out, "- nothing");
    }
    for op in &e.operations {
        let mut line = format!("- line {}: {}", op.line, op.does);
        if op.destructive {
            line.push_str(" — **destructive**");
        }
        if let Some(lock) = &op.lock {
            let _ = write!(line, " — {lock} while it runs");
        }
        let _ = writeln!(out, "{line}");
        if let Some(gate) = &op.gate {
            let _ = writeln!(out, "  - gate: {}", cell(gate));
        }
        for a in &op.affected {
            let shown: Vec<String> = a.references.iter().take(max_refs).map(|r| format!("`{r}`")).collect();
            let more = a.references.len().saturating_sub(max_refs);
            let mut places = shown.join(", ");
            if more > 0 {
                if !places.is_empty() {
                    places.push_str(", ");
                }
                let _ = write!(places, "{more} more");
            }
            let _ = writeln!(
                out,
                "  - `{}`@{} (`{}`{}): {places}",
                a.app,
                a.git_ref,
                short_commit(&a.commit),
                owner(&a.owner)
            );
        }
    }
    let risks: Vec<_> = e.risks.iter().filter(|r| r.severity > Severity::Info || r.suppression.is_some()).collect();
    if !risks.is_empty() {
        let _ = writeln!(out, "\n**Risk**\n");
        for r in risks {
            let at = r.line.map_or(String::new(), |l| format!(" (line {l})"));
            let _ = writeln!(
                out,
                "- {} `{}`{at}: {}",
                severity_icon(r.severity, r.suppression.is_some()),
                r.rule,
                cell(&r.message)
            );
            if let Some(s) = &r.suppression {
                let _ = writeln!(out, "  - {}", cell(&suppression_words(s)));
            }
        }
    }
    let _ = writeln!(out, "\n**Rollback**\n");
    if e.rollback.down {
        if e.rollback.steps.is_empty() {
            let _ = writeln!(out, "- the down part does nothing");
        } else {
            let _ = writeln!(out, "- the down part {}", e.rollback.steps.join("; then "));
        }
    } else {
        let _ = writeln!(out, "- **no down part**: it cannot be rolled back");
    }
    for c in &e.rollback.cannot_undo {
        let _ = writeln!(out, "- cannot be undone: {c}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::Verdict;
    use crate::migration::Format;
    use crate::notes::{Affected, Change, OpNote, Range, Revision, Rollback, Totals};
    use crate::render::markdown::LIMIT;

    fn notes(migrations: usize, references: usize) -> ReleaseNotes {
        let rev =
            |name: &str| Revision { name: name.into(), commit: "0123456789abcdef0123456789abcdef01234567".into() };
        let entry = |i: usize| Entry {
            version: format!("{i:014}"),
            name: format!("drop_column_{i}"),
            file: format!("migrations/{i:014}_drop_column_{i}.sql"),
            down_file: None,
            format: Format::Sql,
            change: Change::Added,
            edits: vec![],
            applied_before: false,
            verdict: Verdict::Block,
            operations: vec![OpNote {
                line: 1,
                does: format!("drops column `users.c{i}`"),
                destructive: true,
                gate: Some("drops column, but `web` still uses it".into()),
                lock: None,
                affected: vec![Affected {
                    app: "web".into(),
                    git_ref: "head".into(),
                    commit: "0123456789abcdef".into(),
                    owner: Some("team-web".into()),
                    references: (0..references).map(|l| format!("app/models/some/long/path/user_{i}.rb:{l}")).collect(),
                }],
            }],
            risks: vec![],
            rollback: Rollback { down: false, steps: vec![], cannot_undo: vec![format!("the data in `users.c{i}`")] },
        };
        ReleaseNotes {
            version: 1,
            range: Range { from: rev("v1"), to: rev("v2"), directory: "migrations".into(), app: None },
            schema: "an empty schema".into(),
            checked: vec![],
            unreadable: vec![],
            migrations: (0..migrations).map(entry).collect(),
            removed: vec![],
            summary: Totals { migrations, ..Totals::default() },
            apps_affected: vec![],
        }
    }

    #[test]
    fn small_notes_are_whole_and_large_ones_are_summarised_under_githubs_limit() {
        let small = render(&notes(2, 3));
        assert!(small.contains("`app/models/some/long/path/user_1.rb:2`"), "{small}");
        assert!(!small.contains("more"), "{small}");

        let many_refs = render(&notes(40, 2_000));
        assert!(many_refs.chars().count() <= LIMIT);
        assert!(many_refs.contains("**What it does**"), "fewer references first, details kept");
        assert!(many_refs.contains("more"), "how many were left out is said");

        let many_migrations = render(&notes(3_000, 1));
        assert!(many_migrations.chars().count() <= LIMIT);
        assert!(many_migrations.contains("Details left out") || many_migrations.contains("truncated"));
    }
}

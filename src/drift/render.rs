//! A drift report as text, Markdown (a pull-request comment) and GitHub workflow annotations; the
//! JSON is the report serialized (`render::json`).

use super::{AppReport, Finding, Report};
use crate::render::{count, short_commit};

fn heading(a: &AppReport) -> String {
    format!("{} {} at {} ({})", a.app, a.dump, a.git_ref, short_commit(&a.commit))
}

fn split(a: &AppReport) -> (Vec<&Finding>, Vec<&Finding>) {
    a.findings.iter().partition(|f| f.kind.is_drift())
}

fn verdict(r: &Report) -> String {
    let drift: usize = r.apps.iter().map(|a| split(a).0.len()).sum();
    let unverified: usize = r.apps.iter().map(|a| split(a).1.len()).sum();
    let mut s = if drift == 0 {
        format!("in sync: {} checked", count(r.apps.len(), "dump"))
    } else {
        format!("drift: {}", count(drift, "finding"))
    };
    if unverified > 0 {
        s.push_str(&format!(", {unverified} unverified"));
    }
    s
}

pub fn text(r: &Report) -> String {
    let mut out = String::new();
    for a in &r.apps {
        out.push_str(&heading(a));
        out.push('\n');
        let (drift, unverified) = split(a);
        for f in &drift {
            line(&mut out, f);
        }
        if !unverified.is_empty() {
            out.push_str("  unverified (not drift):\n");
            for f in &unverified {
                line(&mut out, f);
            }
        }
        for n in &a.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
    }
    out.push_str(&verdict(r));
    out.push('\n');
    out
}

fn line(out: &mut String, f: &Finding) {
    out.push_str(&format!("  {} {}: {}\n", f.kind.as_str(), f.object, f.message));
    if let Some(l) = &f.location {
        out.push_str(&format!("      at {l}\n"));
    }
    for e in &f.evidence {
        out.push_str(&format!("      {e}\n"));
    }
}

pub fn markdown(r: &Report) -> String {
    let mut out = format!("## tandem schema drift: {}\n", verdict(r));
    for a in &r.apps {
        out.push_str(&format!("\n### {}\n\n", heading(a).replace('|', "\\|")));
        if a.findings.is_empty() {
            out.push_str("In sync with the migrations of every app.\n");
        } else {
            out.push_str("| kind | object | where | what |\n|---|---|---|---|\n");
            let (drift, unverified) = split(a);
            for f in drift.iter().chain(&unverified) {
                let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
                out.push_str(&format!(
                    "| `{}` | `{}` | {} | {} |\n",
                    f.kind.as_str(),
                    cell(&f.object),
                    f.location.as_ref().map(|l| format!("`{}`", cell(&l.to_string()))).unwrap_or_default(),
                    cell(&f.message)
                ));
            }
        }
        for n in &a.notes {
            out.push_str(&format!("\n> {n}\n"));
        }
    }
    out
}

pub fn github(r: &Report) -> String {
    let data = |s: &str| s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let mut out = String::new();
    for a in &r.apps {
        for f in &a.findings {
            let level = if f.kind.is_drift() { "error" } else { "notice" };
            let mut props = Vec::new();
            // Annotations point into the repository the workflow runs in: the dump's app.
            if let Some(l) = f.location.as_ref().filter(|l| l.app.is_none()) {
                props.push(format!("file={}", prop(&l.file)));
                props.push(format!("line={}", l.line));
            }
            props.push(format!("title={}", prop(&format!("tandem {}", f.kind.as_str()))));
            let mut body = f.message.clone();
            if let Some(l) = f.location.as_ref().filter(|l| l.app.is_some()) {
                body.push_str(&format!("\nat {l}"));
            }
            for e in &f.evidence {
                body.push_str(&format!("\n{e}"));
            }
            out.push_str(&format!("::{level} {}::{}\n", props.join(","), data(&body)));
        }
    }
    out.push_str(&format!("tandem schema drift: {}\n", verdict(r)));
    out
}

//! `tandem report --format html` and `tandem graph --format svg`, looked at in a real headless
//! Chromium (Debian's `chromium` package): the page renders (a screenshot lands in the test's
//! output directory, target/tmp/report_html/), its text says what the registry and the check say,
//! and every link leads somewhere on the page. Chromium missing is a failure, not a skip.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::release_notes::repo;
use crate::support::cmd::{git, tandem, write};

const CHROMIUM: &str = "chromium";

/// Where this test leaves the page and its screenshot for people to look at.
fn output_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report_html");
    std::fs::create_dir_all(&dir).expect("create the output dir");
    dir
}

/// Run headless Chromium with a fresh profile on `args`; its stdout.
fn chromium(args: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("a profile dir");
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{CHROMIUM}` ({e}): this test needs Debian's chromium package: apt-get install -y chromium"
            )
        });
    assert!(out.status.success(), "chromium {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The page's text from the heading `id` to the next section's heading.
fn section<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom.find(&format!("<h2 id=\"{id}\">")).unwrap_or_else(|| panic!("no section {id}:\n{dom}"));
    let rest = &dom[start + 1..];
    &rest[..rest.find("<h2").unwrap_or(rest.len())]
}

fn attribute_values(dom: &str, attribute: &str) -> Vec<String> {
    let re = regex::Regex::new(&format!(r#"\s{attribute}="([^"]*)""#)).unwrap();
    re.captures_iter(dom).map(|c| c[1].to_owned()).collect()
}

#[test]
fn the_report_page_renders_in_chromium_with_its_text_and_working_links() {
    let dir = repo();
    let root = dir.path();
    // The platform commits a copy of the registry's dump, which lacks what the registry's
    // migrations create since (drift), and the ledger records a change portal's code still blocks.
    let apps = std::fs::read_to_string(root.join("apps.toml")).unwrap();
    write(
        root,
        "apps.toml",
        apps.replacen("path = \"platform\"\n", "path = \"platform\"\nstructure = \"db/structure.sql\"\n", 1),
    );
    write(root, "platform/db/structure.sql", std::fs::read(root.join("schema/structure.sql")).unwrap());
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "platform commits its dump"]);
    let plan =
        tandem().current_dir(root).args(["plan", "rename-column", "orders.notes", "internal_notes"]).output().unwrap();
    assert!(plan.status.success(), "{}", String::from_utf8_lossy(&plan.stderr));
    let out_dir = output_dir();
    let page = out_dir.join("report.html");
    let run = tandem()
        .current_dir(root)
        .env_remove("CI")
        .args(["report", "--format", "html", "-o"])
        .arg(&page)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    assert!(run.stdout.is_empty(), "-o writes the file, not stdout");

    let url = format!("file://{}", page.display());
    let dom = chromium(&["--dump-dom", &url]);
    // The registry: apps, refs resolved to commits, owners.
    for text in ["tandem report", "Registry", "platform", "team-platform", "portal", "team-portal", "rails", "phoenix"]
    {
        assert!(dom.contains(text), "no `{text}` in the rendered page:\n{dom}");
    }
    // The pending migrations with their verdicts and the references behind them (the v2 state
    // of the fixture: the deployed platform still maps users.legacy_flag).
    assert!(dom.contains("20260203000000"), "{dom}");
    assert!(dom.contains("<span class=\"badge block\">block</span>"), "{dom}");
    assert!(dom.contains("<code>platform/app/models/user.rb:1</code>"), "{dom}");
    // The graph is drawn inline, one group per node.
    assert!(dom.contains("<svg"), "{dom}");
    for node in ["t_users", "t_orders", "app_platform_deployed", "app_portal_head"] {
        assert!(dom.contains(&format!("id=\"{node}\"")), "no node {node} in the graph:\n{dom}");
    }
    // The drift of the platform's dump, as `tandem schema drift` finds it.
    let drift = section(&dom, "drift");
    assert!(drift.contains("<span class=\"badge block\">drift</span>"), "{drift}");
    assert!(drift.contains("<td><code>missing_table</code></td><td><code>audits</code></td>"), "{drift}");
    assert!(drift.contains("migrations/20260101000000_create_audits.sql:3 (registry)"), "located: {drift}");
    assert!(drift.contains("1 <code>missing_table</code>"), "counts by kind: {drift}");
    // The change in flight with the ledger's one-line answer; no database, so its phases' run is unknown.
    let changes = section(&dom, "changes");
    assert!(changes.contains("rename-column:orders.notes"), "{changes}");
    assert!(changes.contains("cannot contract yet") && changes.contains("not yet"), "{changes}");
    assert!(changes.contains("<td>expand</td>") && changes.contains("unknown"), "{changes}");
    assert!(changes.contains("<td>portal</td>") && changes.contains("the old name"), "{changes}");

    // Every link is to a place on the page; nothing is fetched from anywhere.
    let ids: BTreeSet<String> = attribute_values(&dom, "id").into_iter().collect();
    let links = attribute_values(&dom, "href");
    assert!(links.len() >= 5, "{links:?}");
    for link in &links {
        let target = link.strip_prefix('#').unwrap_or_else(|| panic!("a link off the page: {link}"));
        assert!(ids.contains(target), "link {link} leads nowhere; ids: {ids:?}");
    }
    assert!(attribute_values(&dom, "src").is_empty(), "the page loads nothing");

    let shot = out_dir.join("report.png");
    let _ = std::fs::remove_file(&shot);
    chromium(&[&format!("--screenshot={}", shot.display()), "--window-size=1280,2200", &url]);
    let png = std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 20_000, "a screenshot of a page with tables and a graph, not a blank one: {} bytes", png.len());
}

#[test]
fn graph_as_svg_renders_in_chromium() {
    let dir = repo();
    let root = dir.path();
    let run = tandem().current_dir(root).args(["graph", "--format", "svg"]).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let svg = String::from_utf8(run.stdout).unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");
    let again = tandem().current_dir(root).args(["graph", "--format", "svg"]).output().unwrap();
    assert_eq!(svg.as_bytes(), &again.stdout[..], "the same graph draws the same bytes");

    let file = output_dir().join("graph.svg");
    std::fs::write(&file, &svg).unwrap();
    let dom = chromium(&["--dump-dom", &format!("file://{}", file.display())]);
    for label in ["users", "orders", "platform @ deployed", "portal @ head"] {
        assert!(dom.contains(label), "no `{label}` in the drawn graph:\n{dom}");
    }
}

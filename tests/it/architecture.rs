//! The layer rules of docs/architecture.md hold for the tree, and `scripts/arch-check` catches a
//! use that breaks them.

use std::path::Path;
use std::process::Command;

fn arch_check(root: &Path) -> std::process::Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/arch-check");
    Command::new("python3").arg(script).arg("--root").arg(root).output().expect("python3 runs")
}

#[test]
fn the_tree_keeps_its_layers() {
    let out = arch_check(Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_forbidden_use_fails_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md")).unwrap();
    crate::support::cmd::write(dir.path(), "docs/architecture.md", docs);
    crate::support::cmd::write(dir.path(), "src/check/mod.rs", "use crate::rules::Rule;\n");
    crate::support::cmd::write(dir.path(), "src/migration/readers/mod.rs", "");
    crate::support::cmd::write(dir.path(), "src/migration/load.rs", "");
    let clean = "//! `crate::check` in a comment is no use.\nuse crate::{error::Result, schema};\n";
    crate::support::cmd::write(dir.path(), "src/rules/mod.rs", clean);
    crate::support::cmd::write(dir.path(), "src/scan/mod.rs", "use crate::git;\n");
    crate::support::cmd::write(dir.path(), "src/store/mod.rs", "use crate::scan::ScanResult;\n");
    crate::support::cmd::write(dir.path(), "src/migration/layout.rs", "fn f() {}\n");
    for dir_only in ["error", "git", "schema", "cli"] {
        crate::support::cmd::write(dir.path(), &format!("src/{dir_only}.rs"), "");
    }
    let out = arch_check(dir.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));

    crate::support::cmd::write(
        dir.path(),
        "src/rules/mod.rs",
        format!("{clean}use crate::{{check::Finding, schema}};\n"),
    );
    crate::support::cmd::write(dir.path(), "src/migration/layout.rs", "fn f() {\n    super::readers::sql::x();\n}\n");
    crate::support::cmd::write(dir.path(), "src/scan/mod.rs", "use crate::store::Store;\n");
    let out = arch_check(dir.path());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    for line in [
        "src/rules/mod.rs:3: `rules` uses `check`",
        "src/migration/layout.rs:2: `migration::layout` uses `migration::readers`",
        "src/scan/mod.rs:1: `scan` uses `store`",
    ] {
        assert!(stdout.contains(line), "{line} in:\n{stdout}");
    }
}

//! The layer rules of docs/architecture.md hold for the tree, and `scripts/arch-check` catches a
//! use that breaks them.

use std::path::Path;
use std::process::Command;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn arch_check(root: &Path) -> std::process::Output {
    let script = Path::new(REPO).join("scripts/arch-check");
    Command::new("python3").arg(script).arg("--root").arg(root).output().expect("python3 runs")
}

/// A copy of the repository's `src/` and `docs/architecture.md` in `to`.
fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&path, &target);
        } else if path.extension().is_some_and(|e| e == "rs") {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Append `line` to `file` under `root`; its line number.
fn append(root: &Path, file: &str, line: &str) -> usize {
    let path = root.join(file);
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(line);
    text.push('\n');
    std::fs::write(&path, &text).unwrap();
    text.lines().count()
}

#[test]
fn the_tree_keeps_its_layers() {
    let out = arch_check(Path::new(REPO));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn a_forbidden_use_fails_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    copy_tree(&Path::new(REPO).join("src"), &root.join("src"));
    crate::support::cmd::write(
        root,
        "docs/architecture.md",
        std::fs::read_to_string(Path::new(REPO).join("docs/architecture.md")).unwrap(),
    );
    // Paths in comments and allowed uses are no violation.
    append(root, "src/rules/mod.rs", "// crate::check::run is what runs the rules");
    append(root, "src/store/mod.rs", "use crate::scan::ScanResult as _Allowed;");
    let out = arch_check(root);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));

    let rules = append(root, "src/rules/mod.rs", "use crate::{check::Finding as _F, schema as _S};");
    let layout = append(root, "src/migration/layout.rs", "fn _f() { super::readers::sql::x(); }");
    let scan = append(root, "src/scan/words.rs", "use crate::store::Store as _S;");
    let out = arch_check(root);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    for line in [
        format!("src/rules/mod.rs:{rules}: `rules` uses `check`"),
        format!("src/migration/layout.rs:{layout}: `migration::layout` uses `migration::readers`"),
        format!("src/scan/words.rs:{scan}: `scan` uses `store`"),
    ] {
        assert!(stdout.contains(&line), "{line} in:\n{stdout}");
    }
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
}

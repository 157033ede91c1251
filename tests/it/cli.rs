//! The binary's contract: `tandem init`, `tandem apps` on the bundled example, exit codes.

use crate::support::cmd::tandem;

#[test]
fn init_writes_a_registry_that_loads_and_refuses_to_overwrite_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = tandem().current_dir(dir.path()).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("schema").is_dir());
    assert!(dir.path().join("migrations").is_dir());
    let written = std::fs::read_to_string(dir.path().join("apps.toml")).unwrap();
    assert_eq!(written, tandem::cli::init::TEMPLATE);

    std::fs::write(dir.path().join("apps.toml"), "# mine\n").unwrap();
    let again = tandem().current_dir(dir.path()).arg("init").output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("never overwrites"));
    assert_eq!(std::fs::read_to_string(dir.path().join("apps.toml")).unwrap(), "# mine\n");
}

#[test]
fn apps_lists_the_bundled_example() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = tandem().current_dir(root).args(["apps", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let names: Vec<&str> = v["apps"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["platform", "portal"]);
    let head = git2::Repository::open(root).unwrap().head().unwrap().peel_to_commit().unwrap().id().to_string();
    for app in v["apps"].as_array().unwrap() {
        for r in app["refs"].as_array().unwrap() {
            assert_eq!(r["commit"], head.as_str());
        }
    }
}

#[test]
fn no_registry_anywhere_is_an_input_error_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = tandem().current_dir(dir.path()).arg("apps").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no apps.toml found") && err.contains("tandem init"), "{err}");
}

#[test]
fn a_url_as_a_positional_schema_is_refused_without_echoing_it() {
    let out = tandem().args(["schema", "diff", "postgres://u:secret@h/db", "x.sql"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("secret"), "{err}");
    assert!(err.contains("env:VAR"), "{err}");
}

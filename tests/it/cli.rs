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

#[test]
fn init_then_check_works_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = tandem().current_dir(dir.path()).arg("init").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let out = tandem().current_dir(dir.path()).arg("check").output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("no migration in migrations/: nothing to check"), "{stdout}");
}

#[test]
fn a_path_from_apps_toml_that_is_missing_is_blamed_on_its_line_there() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("migrations")).unwrap();
    std::fs::write(
        dir.path().join("apps.toml"),
        "[registry]\ndialect = \"postgres\"\nschema = \"db/structure.sql\"\nmigrations = \"migrations\"\n",
    )
    .unwrap();
    let out = tandem().current_dir(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apps.toml:3:10: `schema` names"), "{err}");
    assert!(err.contains("which does not exist"), "{err}");

    std::fs::write(dir.path().join("apps.toml"), "[registry]\ndialect = \"postgres\"\nmigrations = \"db/migrate\"\n")
        .unwrap();
    let out = tandem().current_dir(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apps.toml:3:14: `migrations` names"), "{err}");

    // `scan`, `refs` and `graph` read the same settings.
    std::fs::write(
        dir.path().join("apps.toml"),
        "[registry]\nschema = \"db/structure.sql\"\n\n[[app]]\nname = \"gone\"\nrepo = \"missing\"\nframework = \"rails\"\n",
    )
    .unwrap();
    let out = tandem().current_dir(dir.path()).arg("scan").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("apps.toml:2:10: `schema` names"));
    std::fs::write(
        dir.path().join("apps.toml"),
        "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"gone\"\nrepo = \"missing\"\nframework = \"rails\"\n",
    )
    .unwrap();
    let out = tandem().current_dir(dir.path()).arg("scan").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("apps.toml:4:1: app `gone`: repository"), "{err}");
}

#[test]
fn apps_counts_in_words_and_resolves_published_apps_through_the_store() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("apps.toml"),
        "[[app]]\nname = \"billing\"\nframework = \"django\"\nsource = \"store\"\n",
    )
    .unwrap();
    let out = tandem().current_dir(dir.path()).arg("apps").output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    // Nothing published yet: the app cannot be checked, and `apps` says so.
    assert_eq!(out.status.code(), Some(3), "{stdout}\n{stderr}");
    assert!(stderr.contains("app `billing`: no scan of its `head` ref was published"), "{stderr}");
    assert!(stdout.ends_with("\n1 app\n"), "{stdout}");
}

#[test]
fn graph_of_an_unknown_table_is_an_error_with_a_suggestion() {
    let root = env!("CARGO_MANIFEST_DIR");
    let out = tandem().current_dir(root).args(["graph", "--table", "user"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`--table user`: no table or view of that name"), "{err}");
    assert!(err.contains("did you mean `users`?"), "{err}");
}

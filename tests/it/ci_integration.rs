//! The CI integrations (action.yml, ci/gitlab-ci.yml, .pre-commit-hooks.yaml) all run
//! scripts/ci-check.sh; run it here as a pull request would: a range whose new migration drops a
//! column an app still uses fails, with an annotation on the migration's line and a SARIF file
//! that names the same place.

use std::path::Path;
use std::process::Command;

use crate::support::cmd::{git, write};

const USER: &str = "class User < ApplicationRecord\n  validates :email, presence: true\nend\n";
const DROP: &str = "-- migrate:up\nSET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN email;\n";

/// A registry repository: `base` has the schema, an app reading users.email and no migration;
/// `main` adds the drop.
fn pull_request() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "apps.toml",
        "[registry]\ndialect = \"postgres\"\nschema = \"structure.sql\"\nmigrations = \"migrations\"\n\n\
         [[app]]\nname = \"platform\"\nrepo = \".\"\npath = \"platform\"\nframework = \"rails\"\nhead = \"HEAD\"\n",
    );
    write(root, "structure.sql", "CREATE TABLE public.users (\n    id bigint NOT NULL,\n    email text\n);\n");
    write(root, ".gitignore", ".tandem/\n");
    write(root, "platform/app/models/user.rb", USER);
    write(root, "migrations/.keep", "");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["tag", "base"]);
    write(root, "migrations/20261201000000_drop_users_email.sql", DROP);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "drop users.email"]);
    dir
}

fn ci_check(root: &Path, args: &[&str]) -> (i32, String, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ci-check.sh");
    let out = Command::new("bash")
        .arg(script)
        .args(args)
        .current_dir(root)
        .env("TANDEM", env!("CARGO_BIN_EXE_tandem"))
        .env_remove("CI")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_pull_request_that_drops_a_used_column_fails_with_an_annotation_on_its_line() {
    let dir = pull_request();
    let root = dir.path();
    let sarif = root.join("out.sarif");
    let (code, out, err) =
        ci_check(root, &["--base", "base", "--format", "github", "--sarif", sarif.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}\n{err}");
    let annotation = out
        .lines()
        .find(|l| l.starts_with("::error ") && l.contains("title=tandem drop-column"))
        .unwrap_or_else(|| panic!("no drop-column annotation:\n{out}\n{err}"));
    assert!(
        annotation.contains("file=migrations/20261201000000_drop_users_email.sql,line=3,"),
        "annotation not on the migration's line: {annotation}"
    );
    assert!(annotation.contains("platform/app/models/user.rb"), "the reference is named: {annotation}");

    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let located: Vec<(String, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ruleId"] == "drop-column")
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            (loc["artifactLocation"]["uri"].as_str().unwrap().to_owned(), loc["region"]["startLine"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(located, [("migrations/20261201000000_drop_users_email.sql".to_owned(), 3)]);
}

#[test]
fn the_range_without_the_drop_passes_and_a_base_that_cannot_be_had_is_exit_2() {
    let dir = pull_request();
    let root = dir.path();
    let (code, out, err) = ci_check(root, &["--base", "HEAD", "--format", "github"]);
    assert_eq!(code, 0, "nothing changed since HEAD: {out}\n{err}");
    assert!(!out.contains("::error"), "{out}");

    let (code, _, err) = ci_check(root, &["--base", "0123456789abcdef0123456789abcdef01234567"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("could not be fetched"), "{err}");
}

/// action.yml and the GitLab template against the schemas GitHub and GitLab publish (as
/// check-jsonschema vendors them: `pip install check-jsonschema`, which .ci/run does).
#[test]
fn the_action_and_the_gitlab_template_are_valid_and_run_the_script() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, schema) in [("action.yml", "vendor.github-actions"), ("ci/gitlab-ci.yml", "vendor.gitlab-ci")] {
        let out = Command::new("check-jsonschema")
            .args(["--builtin-schema", schema])
            .arg(root.join(file))
            .output()
            .expect("check-jsonschema is installed (pip install check-jsonschema)");
        assert!(
            out.status.success(),
            "{file}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(text.contains("ci-check.sh"), "{file} runs scripts/ci-check.sh");
    }
    let hooks = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml")).unwrap();
    assert!(hooks.contains("- id: tandem-check") && hooks.contains("entry: tandem check"), "{hooks}");
}

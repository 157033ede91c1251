//! The scanner on real git repositories built at test time: refs, filters, and everything a real
//! repository contains that cannot be read (missing blobs, submodules, symlinks, binaries, huge
//! and non-UTF-8 files), each reported while the scan goes on.

use crate::support;

use std::path::{Path, PathBuf};

use crate::support::cmd::{git, write};
use tandem::config::{App, Config, Framework};
use tandem::scan::resolve::SchemaIndex;
use tandem::scan::{ScanResult, scan_ref};
use tandem::schema::Schema;

fn schema() -> Schema {
    support::scan::schema(&[
        ("users", &["id", "email", "legacy_flag", "nickname"]),
        ("orders", &["id", "user_id", "total_cents"]),
        ("audit_events", &["id", "payload"]),
    ])
}

fn app(repo: &Path, path: Option<&str>) -> App {
    App {
        path: path.map(Into::into),
        deployed: Some("v1".into()),
        exclude: vec!["**/*_spec.rb".into()],
        migrations: vec!["db/migrate".into()],
        ..support::scan::app("shop", repo, Framework::Generic)
    }
}

/// A registry whose size limit (4 kB) the tests' big file exceeds.
fn config(root: &Path, apps: Vec<App>) -> Config {
    let mut config = support::scan::config(root, apps);
    config.scan.max_file_size = 4096;
    config
}

fn locations(scan: &ScanResult) -> Vec<String> {
    scan.references.iter().map(|r| format!("{}:{} {} {}", r.path, r.line, r.object, r.kind)).collect()
}

const REPORT_V1: &str = "# Nightly report\n\
def report\n\
  # legacy_flag is gone soon\n\
  db.execute(<<~SQL)\n\
    SELECT u.email, o.total_cents\n\
    FROM users u JOIN orders o ON o.user_id = u.id\n\
  SQL\n\
end\n";

/// A repository with the app under `web/`, tag v1 (deployed) and branch main (head, one commit
/// later), and every kind of unreadable entry.
fn build_repo(dir: &Path) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    write(&repo, "web/lib/report.rb", REPORT_V1.as_bytes());
    write(&repo, "web/lib/flags.js", b"// nickname\nexport const show = (u) => u.legacy_flag && \"nickname\";\n");
    write(&repo, "web/db/query.sql", b"-- audit\nINSERT INTO audit_events (payload) VALUES ('x');\n");
    write(&repo, "web/db/migrate/001_drop.rb", b"remove_column :users, :legacy_flag\n");
    write(&repo, "web/vendor/gem/lib/x.rb", b"legacy_flag\n");
    write(&repo, "web/node_modules/x/index.js", b"legacy_flag\n");
    write(&repo, "web/spec/user_spec.rb", b"legacy_flag\n");
    write(&repo, "web/Gemfile.lock", b"legacy_flag\n");
    write(&repo, "other/outside.rb", b"legacy_flag\n");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "v1"]);
    git(&repo, &["tag", "v1"]);

    // Head: the report no longer reads the email; the traps arrive.
    write(&repo, "web/lib/report.rb", REPORT_V1.replace("u.email, ", "").as_bytes());
    write(&repo, "web/lib/latin1.rb", b"# caf\xe9\nputs nickname\n");
    write(&repo, "web/lib/blob.rb", b"legacy_flag\x00\x01\x02");
    let mut huge = b"legacy_flag = 1\n".to_vec();
    huge.resize(10_000, b'#');
    write(&repo, "web/lib/huge.rb", &huge);
    write(&repo, "web/lib/gone.rb", b"legacy_flag # only here\n");
    std::os::unix::fs::symlink("flags.js", repo.join("web/lib/link.js")).expect("symlink");
    git(&repo, &["add", "-A"]);
    // A submodule entry, as a gitlink in the tree (no .gitmodules needed to read the tree).
    git(
        &repo,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            "160000,1111111111111111111111111111111111111111,web/engines/billing",
        ],
    );
    git(&repo, &["commit", "-qm", "head"]);
    // Damage the clone: the blob of gone.rb disappears from the object database.
    let blob = git(&repo, &["rev-parse", "main:web/lib/gone.rb"]);
    std::fs::remove_file(repo.join(".git/objects").join(&blob[..2]).join(&blob[2..])).expect("loose object");
    repo
}

#[test]
fn deployed_and_head_each_answer_for_their_own_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = build_repo(dir.path());
    let app = app(&repo, Some("web"));
    let cfg = config(dir.path(), vec![app.clone()]);
    let schema = schema();
    let index = SchemaIndex::new(&schema);

    let deployed = scan_ref(&cfg, &app, "deployed", "v1", Some(&index), None, false).expect("deployed scans");
    assert_eq!(deployed.commit, git(&repo, &["rev-parse", "v1"]));
    assert_eq!(
        locations(&deployed),
        vec![
            "web/db/query.sql:2 audit_events sql",
            "web/db/query.sql:2 audit_events.payload sql",
            "web/lib/flags.js:2 users.legacy_flag name",
            "web/lib/report.rb:5 users.email sql",
            "web/lib/report.rb:5 orders.total_cents sql",
            "web/lib/report.rb:6 users sql",
            "web/lib/report.rb:6 orders sql",
            "web/lib/report.rb:6 orders.user_id sql",
            "web/lib/report.rb:6 users.id sql",
        ]
    );
    assert!(deployed.summary.skipped.is_empty(), "{:?}", deployed.summary.skipped);
    assert_eq!(deployed.summary.files_read, 3);

    let head = scan_ref(&cfg, &app, "head", "main", Some(&index), None, false).expect("head scans despite damage");
    assert_eq!(head.commit, git(&repo, &["rev-parse", "main"]));
    assert_eq!(
        locations(&head),
        vec![
            "web/db/query.sql:2 audit_events sql",
            "web/db/query.sql:2 audit_events.payload sql",
            "web/lib/flags.js:2 users.legacy_flag name",
            "web/lib/latin1.rb:2 users.nickname name",
            "web/lib/report.rb:5 orders.total_cents sql",
            "web/lib/report.rb:6 users sql",
            "web/lib/report.rb:6 orders sql",
            "web/lib/report.rb:6 orders.user_id sql",
            "web/lib/report.rb:6 users.id sql",
        ]
    );
    let skipped: Vec<(String, String)> = head
        .summary
        .skipped
        .iter()
        .map(|s| (s.path.clone(), s.reason.split(':').next().unwrap_or("").to_owned()))
        .collect();
    let blob = git(&repo, &["rev-parse", "main:web/lib/gone.rb"]);
    assert_eq!(
        skipped,
        vec![
            (
                "web/engines/billing".into(),
                "submodule at commit 1111111111111111111111111111111111111111; its code is not scanned".into()
            ),
            ("web/lib/blob.rb".into(), "binary file".into()),
            ("web/lib/gone.rb".into(), format!("blob {blob} is missing from the object database")),
            ("web/lib/huge.rb".into(), "10000 bytes, over the 4096-byte limit (scan.max_file_size)".into()),
            ("web/lib/latin1.rb".into(), "not valid UTF-8".into()),
            ("web/lib/link.js".into(), "symbolic link; its target is scanned where it lives".into()),
        ]
    );
    assert_eq!(head.summary.files_read, 4);
    assert_eq!(head.summary.blobs_from_cache, 0);
}

#[test]
fn a_whole_repository_app_and_filters() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = build_repo(dir.path());
    let mut app = app(&repo, None);
    app.include = vec!["other/**".into(), "web/lib/flags.js".into()];
    let cfg = config(dir.path(), vec![app.clone()]);
    let index = SchemaIndex::new(&schema());
    let scan = scan_ref(&cfg, &app, "deployed", "v1", Some(&index), None, false).expect("scans");
    assert_eq!(
        locations(&scan),
        vec!["other/outside.rb:1 users.legacy_flag name", "web/lib/flags.js:2 users.legacy_flag name"]
    );
}

#[test]
fn missing_repository_and_unknown_ref_are_environment_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app_missing = app(&dir.path().join("nope"), None);
    let cfg = config(dir.path(), vec![app_missing.clone()]);
    let err = scan_ref(&cfg, &app_missing, "head", "main", None, None, false).expect_err("no repo");
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("app `shop`"), "{err}");

    let repo = build_repo(dir.path());
    let app = app(&repo, Some("web"));
    let err = scan_ref(&cfg, &app, "deployed", "v9", None, None, false).expect_err("no such ref");
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("ref `v9` does not resolve"), "{err}");

    let mut moved = app.clone();
    moved.path = Some("api".into());
    let err = scan_ref(&cfg, &moved, "head", "main", None, None, false).expect_err("no such path");
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("path `api` does not exist"), "{err}");
}

#[test]
fn bare_clones_scan_like_the_original() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = build_repo(dir.path());
    let bare = dir.path().join("bare.git");
    // A bare clone of v1 only (the damaged head is not cloneable).
    git(
        dir.path(),
        &["clone", "-q", "--bare", "--branch", "v1", repo.to_str().expect("utf-8 path"), bare.to_str().expect("utf-8")],
    );
    let app = app(&bare, Some("web"));
    let cfg = config(dir.path(), vec![app.clone()]);
    let index = SchemaIndex::new(&schema());
    let scan = scan_ref(&cfg, &app, "deployed", "v1", Some(&index), None, false).expect("bare scans");
    assert_eq!(scan.references.len(), 9);
    assert!(scan.summary.skipped.is_empty());
}

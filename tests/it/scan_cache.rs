//! The blob cache and published scans, through the real SQLite store: a re-scan reads only the
//! blobs that changed, and an app with `source = "store"` is answered from its published scan.

use crate::support;

use std::path::Path;

use crate::support::cmd::{git, write};
use support::scan::config;
use tandem::config::{App, AppSource, Framework};
use tandem::scan::{ScanOptions, run};
use tandem::schema::{Column, Schema};
use tandem::store::Store;

/// An empty repository at `<dir>/repo`, on branch `main`.
fn new_repo(dir: &Path) -> std::path::PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    repo
}

fn schema() -> Schema {
    support::scan::schema(&[("users", &["id", "email", "nickname"])])
}

fn app(name: &str, repo: &Path, source: AppSource) -> App {
    App { source, ..support::scan::app(name, repo, Framework::Generic) }
}

#[test]
fn a_rescan_reads_only_the_changed_blob() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = new_repo(dir.path());
    for i in 0..20 {
        write(&repo, &format!("lib/m{i}.rb"), format!("def m{i}(u)\n  u.nickname + {i}.to_s\nend\n"));
    }
    write(&repo, "lib/q.rb", "Q = \"SELECT email FROM users\"\n");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "one"]);

    let cfg = config(dir.path(), vec![app("shop", &repo, AppSource::Repo)]);
    let store = Store::open(&cfg.registry.store, &cfg.root).expect("store opens");
    let schema = schema();
    let options = ScanOptions::default();

    let cold = run(&cfg, Some(&schema), &store, &options).expect("cold scan");
    assert_eq!((cold[0].summary.files_read, cold[0].summary.blobs_from_cache), (21, 0));

    let warm = run(&cfg, Some(&schema), &store, &options).expect("warm scan");
    assert_eq!((warm[0].summary.files_read, warm[0].summary.blobs_from_cache), (0, 21));
    assert_eq!(warm[0].references, cold[0].references);

    write(&repo, "lib/m3.rb", "def m3(u)\n  u.email\nend\n");
    git(&repo, &["commit", "-qam", "two"]);
    let after = run(&cfg, Some(&schema), &store, &options).expect("scan after one change");
    assert_eq!((after[0].summary.files_read, after[0].summary.blobs_from_cache), (1, 20));
    let m3: Vec<String> = after[0]
        .references
        .iter()
        .filter(|r| &*r.path == "lib/m3.rb")
        .map(|r| format!("{}:{} {} {}", r.path, r.line, r.object, r.kind))
        .collect();
    assert_eq!(m3, vec!["lib/m3.rb:2 users.email name"]);

    // A different identifier set is a different extraction for the `name` fallback.
    let mut wider = schema.clone();
    wider.tables[0].columns.push(Column::new("m3", "text"));
    let rescan = run(&cfg, Some(&wider), &store, &options).expect("scan with another schema");
    assert_eq!(rescan[0].summary.files_read, 21);
}

#[test]
fn apps_read_from_the_store_answer_with_their_published_scan() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = new_repo(dir.path());
    write(&repo, "lib/q.rb", "Q = \"SELECT email FROM users\"\n");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "one"]);
    let commit = git(&repo, &["rev-parse", "main"]);

    // The app's own CI publishes …
    let publisher = config(dir.path(), vec![app("shop", &repo, AppSource::Repo)]);
    let store = Store::open(&publisher.registry.store, &publisher.root).expect("store opens");
    let published = run(&publisher, Some(&schema()), &store, &ScanOptions { publish: true, ..Default::default() })
        .expect("publish");

    // … and the migration repository's registry, which has no clone, reads it.
    let reader = config(dir.path(), vec![app("shop", &dir.path().join("no-clone-here"), AppSource::Store)]);
    let read = run(&reader, Some(&schema()), &store, &ScanOptions::default()).expect("read from the store");
    assert_eq!(read, published);
    assert_eq!(read[0].commit, commit);
    let refs: Vec<String> = read[0].references.iter().map(|r| format!("{}:{} {}", r.path, r.line, r.object)).collect();
    assert_eq!(refs, vec!["lib/q.rb:1 users.email", "lib/q.rb:1 users"]);

    // Nothing published for a ref: an environment failure naming the app, not a silent pass.
    let mut other = app("shop", &dir.path().join("no-clone-here"), AppSource::Store);
    other.deployed = Some("v1".into());
    let reader = config(dir.path(), vec![other]);
    let err = run(&reader, None, &store, &ScanOptions::default()).expect_err("nothing published for deployed");
    assert_eq!(err.exit_code(), 3);
    assert!(err.to_string().contains("app `shop`"), "{err}");
}

/// A cold scan of a larger app stores most of its new facts while it is still collecting (an
/// early batch, see `scan::collect`) and the rest afterwards: every one of them is in the cache.
/// A second app over the same repository has no snapshot of its own, so it must answer every
/// file from the blob cache.
#[test]
fn a_large_cold_scan_caches_every_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = new_repo(dir.path());
    const FILES: usize = 1_100;
    for i in 0..FILES {
        write(
            &repo,
            &format!("lib/d{}/m{i}.rb", i % 10),
            format!("Q{i} = \"SELECT email FROM users WHERE id = {i}\"\n"),
        );
    }
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "one"]);

    let cfg = config(dir.path(), vec![app("shop", &repo, AppSource::Repo), app("twin", &repo, AppSource::Repo)]);
    let store = Store::open(&cfg.registry.store, &cfg.root).expect("store opens");
    let schema = schema();
    let only = |name: &str| ScanOptions { apps: vec![name.to_owned()], ..ScanOptions::default() };
    let shop = run(&cfg, Some(&schema), &store, &only("shop")).expect("cold scan");
    assert_eq!((shop[0].summary.files_read, shop[0].summary.blobs_from_cache), (FILES as u64, 0));
    let twin = run(&cfg, Some(&schema), &store, &only("twin")).expect("scan of the twin");
    assert_eq!((twin[0].summary.files_read, twin[0].summary.blobs_from_cache), (0, FILES as u64));
    let strip = |r: &tandem::scan::Reference| format!("{}:{} {} {}", r.path, r.line, r.object, r.kind);
    assert_eq!(
        twin[0].references.iter().map(strip).collect::<Vec<_>>(),
        shop[0].references.iter().map(strip).collect::<Vec<_>>()
    );
    // `users`, `users.email` and `users.id` in each file.
    assert_eq!(shop[0].references.len(), 3 * FILES);
}

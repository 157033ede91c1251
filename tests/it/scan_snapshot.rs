//! Scans that start from a snapshot of an earlier scan (`tandem::scan::snapshot`): whatever
//! changed between the two commits — files, models, deletions, unreadable files, the schema, the
//! app's settings — a scan through the store gives exactly the references and skipped items of
//! a scan without any cache.

use crate::support;

use std::path::Path;

use support::git::TestRepo;
use support::scan::{app, config, schema};
use tandem::config::{App, Config, Framework};
use tandem::scan::resolve::SchemaIndex;
use tandem::scan::{ScanResult, scan_ref, snapshot_context};
use tandem::store::Store;

const TABLES: &[(&str, &[&str])] =
    &[("users", &["id", "email", "name"]), ("widgets", &["id", "label", "user_id"]), ("gadgets", &["id", "title"])];

/// Scan `rev` through the store and without a cache; they must agree.
fn check(cfg: &Config, app: &App, index: &SchemaIndex, store: &Store, rev: &str) -> ScanResult {
    let expected = scan_ref(cfg, app, "head", rev, Some(index), None, false).expect("uncached scan");
    let got = scan_ref(cfg, app, "head", rev, Some(index), Some(store), false).expect("scan through the store");
    assert_eq!(got.references, expected.references, "references at {rev}");
    assert_eq!(got.summary.skipped, expected.summary.skipped, "skipped at {rev}");
    got
}

/// The commit of the snapshot a scan of `rev` would start from.
fn base(cfg: &Config, app: &App, index: &SchemaIndex, store: &Store, repo: &TestRepo, rev: &str) -> Option<String> {
    let context = snapshot_context(cfg, app, Some(index));
    store.snapshot(&app.name, &context, &repo.rev(rev)).expect("read snapshot").map(|(commit, _)| commit)
}

/// App `shop` (Rails) on `repo`, its registry (in a temporary directory, kept alive by the
/// first item), the schema of [`TABLES`] and the store.
fn setup(repo: &TestRepo) -> (tempfile::TempDir, App, Config, SchemaIndex, Store) {
    let dir = tempfile::tempdir().expect("tempdir");
    let shop = app("shop", repo.path(), Framework::Rails);
    let cfg = config(dir.path(), vec![shop.clone()]);
    let index = SchemaIndex::new(&schema(TABLES));
    let store = Store::open(&cfg.registry.store, &cfg.root).expect("store");
    (dir, shop, cfg, index, store)
}

fn write_bytes(repo: &Path, path: &str, bytes: &[u8]) {
    let full = repo.join(path);
    std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
    std::fs::write(full, bytes).expect("write");
}

const BASE: &str = "class Base < ApplicationRecord\n  self.abstract_class = true\nend\n";

#[test]
fn scans_from_a_snapshot_equal_scans_without_one() {
    let mut repo = TestRepo::init();
    // The same blob at two paths: a model under app/models/, a plain class under lib/.
    let gadget = "class Gadget < Base\n  def shown\n    title\n  end\nend\n";
    repo.write(&[
        ("app/models/user.rb", "class User < ApplicationRecord\n  has_many :widgets\nend\n"),
        // The app's abstract base: `Gadget < Base` is a model because `Base` is a record.
        ("app/models/base.rb", BASE),
        ("app/models/gadget.rb", gadget),
        ("lib/gadget.rb", gadget),
        ("app/services/report.rb", "class Report\n  def run(user)\n    user.email + widget.label\n  end\nend\n"),
        ("app/services/plain.rb", "module Plain\n  def self.x(a)\n    a.to_s\n  end\nend\n"),
        ("lib/tasks/q.rb", "def q(x)\n  x.where(widgets: { label: 1 })\nend\n"),
        ("app/views/users/show.html.erb", "<p><%= @user.name %></p>\n<p><%= current_user.email %></p>\n"),
        ("db/queries/top.sql", "SELECT email FROM users ORDER BY name\n"),
    ]);
    write_bytes(repo.path(), "lib/latin1.rb", b"# caf\xe9\nUser.where(email: params[:e])\n");
    repo.commit("one");
    repo.tag("one");
    let (_dir, shop, cfg, index, store) = setup(&repo);
    let one = repo.rev("one");

    // Cold: every file read; the scan leaves a snapshot of its commit.
    let cold = check(&cfg, &shop, &index, &store, "one");
    let lines: Vec<String> = cold.references.iter().map(|r| format!("{}:{} {}", r.path, r.line, r.object)).collect();
    assert!(lines.contains(&"app/models/gadget.rb:1 gadgets.title".to_owned()), "{lines:#?}");
    // lib/gadget.rb is no model: only its `title` (a column of one table) counts, as a name.
    assert!(!lines.iter().any(|l| l.starts_with("lib/gadget.rb:1")), "{lines:#?}");
    assert!(lines.contains(&"lib/latin1.rb:2 users.email".to_owned()), "{lines:#?}");
    assert_eq!(base(&cfg, &shop, &index, &store, &repo, "one"), Some(one.clone()));
    // Again at the same commit: only the file that cannot be kept (not UTF-8) is read.
    let warm = check(&cfg, &shop, &index, &store, "one");
    assert_eq!(warm.summary.files_read, 1);

    // A small change that declares no model: resolved from the same snapshot, not rewritten.
    repo.write(&[
        ("app/services/plain.rb", "module Plain\n  def self.x(a)\n    User.where(name: a)\n  end\nend\n"),
        ("lib/new.rb", "def n\n  Gadget.pluck(:title)\nend\n"),
    ]);
    repo.commit("two");
    repo.tag("two");
    let two = check(&cfg, &shop, &index, &store, "two");
    assert_eq!(two.summary.files_read, 3, "the two changed files and the one not kept");
    assert_eq!(base(&cfg, &shop, &index, &store, &repo, "two"), Some(one.clone()));

    // A model appears: `widget.label` in the unchanged report.rb now resolves, so every file
    // resolves again (from the blob cache) and the scan writes a snapshot.
    repo.write(&[("app/models/widget.rb", "class Widget < ApplicationRecord\nend\n")]);
    repo.commit("three");
    repo.tag("three");
    let three = check(&cfg, &shop, &index, &store, "three");
    let report: Vec<String> = three
        .references
        .iter()
        .filter(|r| &*r.path == "app/services/report.rb")
        .map(|r| format!("{} {}", r.object, r.kind))
        .collect();
    assert!(report.contains(&"widgets.label query".to_owned()), "{report:?}");
    assert_eq!(base(&cfg, &shop, &index, &store, &repo, "three"), Some(repo.rev("three")));

    // A model changes what it maps (ignored columns), a file goes away.
    repo.write(&[(
        "app/models/user.rb",
        "class User < ApplicationRecord\n  self.ignored_columns += [\"name\"]\n  has_many :widgets\nend\n",
    )]);
    repo.remove("lib/tasks/q.rb");
    repo.commit("four");
    repo.tag("four");
    let four = check(&cfg, &shop, &index, &store, "four");
    assert!(!four.references.iter().any(|r| &*r.path == "lib/tasks/q.rb"));
    // A model's file goes away.
    repo.remove("app/models/widget.rb");
    repo.commit("five");
    repo.tag("five");
    check(&cfg, &shop, &index, &store, "five");

    // A snapshot that does not decode is a cache miss, not an error.
    let context = snapshot_context(&cfg, &shop, Some(&index));
    store.put_snapshot("shop", &context, &repo.rev("five"), b"not a snapshot").expect("put");
    check(&cfg, &shop, &index, &store, "five");

    // Back to earlier commits: from their own snapshots, or from another.
    check(&cfg, &shop, &index, &store, "one");
    check(&cfg, &shop, &index, &store, "two");
    check(&cfg, &shop, &index, &store, "four");

    // Another schema or other table overrides are another context: no snapshot fits.
    let wider: Vec<(&str, &[&str])> = vec![
        ("users", &["id", "email", "name", "nickname"]),
        ("widgets", &["id", "label", "user_id"]),
        ("gadgets", &["id", "title"]),
    ];
    let wider = SchemaIndex::new(&schema(&wider));
    assert_eq!(base(&cfg, &shop, &wider, &store, &repo, "five"), None);
    check(&cfg, &shop, &wider, &store, "five");
    let mut renamed = shop.clone();
    renamed.tables.insert("Gadget".into(), "widgets".into());
    assert_eq!(base(&cfg, &renamed, &index, &store, &repo, "five"), None);
    let moved = check(&cfg, &renamed, &index, &store, "five");
    assert!(moved.references.iter().any(|r| &*r.path == "app/models/gadget.rb" && r.object.to_string() == "widgets"));
}

#[test]
fn the_same_blob_at_two_paths_keeps_two_cache_entries() {
    // A scan that cannot use its snapshot (a model appeared) takes every unchanged file's facts
    // from the blob cache: the model under app/models/ and the identical plain class under lib/
    // must not share one entry.
    let mut repo = TestRepo::init();
    let gadget = "class Gadget < Base\n  def shown\n    title\n  end\nend\n";
    repo.commit_files(
        &[("app/models/base.rb", BASE), ("app/models/gadget.rb", gadget), ("lib/gadget.rb", gadget)],
        "one",
    );
    repo.tag("one");
    repo.commit_files(&[("app/models/user.rb", "class User < ApplicationRecord\nend\n")], "two");
    repo.tag("two");
    let (_dir, shop, cfg, index, store) = setup(&repo);
    check(&cfg, &shop, &index, &store, "one");
    let two = check(&cfg, &shop, &index, &store, "two");
    assert_eq!(two.summary.files_read, 1, "only the new model is read; the rest comes from the cache");
    assert!(two.references.iter().any(|r| &*r.path == "app/models/gadget.rb" && r.line == 1));
    assert!(!two.references.iter().any(|r| &*r.path == "lib/gadget.rb" && r.line == 1));
}

#[test]
fn a_snapshot_with_a_damaged_file_is_resolved_anew() {
    let mut repo = TestRepo::init();
    repo.write(&[
        ("app/models/user.rb", "class User < ApplicationRecord\nend\n"),
        ("app/services/report.rb", "class Report\n  def run\n    User.where(email: 1).pluck(:name)\n  end\nend\n"),
        ("lib/plain.rb", "def plain\n  1\nend\n"),
    ]);
    repo.commit("one");
    repo.tag("one");
    let (_dir, shop, cfg, index, store) = setup(&repo);
    check(&cfg, &shop, &index, &store, "one");

    // The snapshot still decodes, but report.rb's references claim one more than they hold.
    // As encoded: the path (length, bytes), the blob (20 bytes), its models (none: 0), then the
    // references as bytes (length), whose first byte is their count.
    let context = snapshot_context(&cfg, &shop, Some(&index));
    let (commit, mut bytes) = store.snapshot("shop", &context, &repo.rev("one")).expect("read").expect("a snapshot");
    let path = b"app/services/report.rb";
    let at = bytes.windows(path.len()).position(|w| w == path).expect("the path is in the snapshot") + path.len();
    assert_eq!(bytes[at + 20], 0, "report.rb declares no model");
    assert!(bytes[at + 21] < 0x80, "a one-byte length of references");
    let count = &mut bytes[at + 22];
    assert!((1..127).contains(count), "a one-byte count of references: {count}");
    *count += 1;
    store.put_snapshot("shop", &context, &commit, &bytes).expect("put");

    repo.write(&[("lib/plain.rb", "def plain\n  2\nend\n")]);
    repo.commit("two");
    repo.tag("two");
    check(&cfg, &shop, &index, &store, "two");
    // Resolving every file made a snapshot of its own; one that fits would have been kept.
    assert_eq!(base(&cfg, &shop, &index, &store, &repo, "two"), Some(repo.rev("two")));
}

/// Each saved scan's row (oldest first): whether it is kept on a snapshot, and its data's size.
fn rows(dir: &Path) -> Vec<(bool, i64)> {
    let db = dir.join("registry.db");
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime").block_on(async {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display())).await.expect("open");
        let rows: Vec<(bool, i64)> =
            sqlx::query_as("SELECT base IS NOT NULL, length(data) FROM tandem_scans ORDER BY id")
                .fetch_all(&pool)
                .await
                .expect("rows");
        pool.close().await;
        rows
    })
}

/// `n` services each reading `users` (`app/services/sNN.rb`), and the `User` and `Widget` models.
fn services(n: usize) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                format!("app/services/s{i:02}.rb"),
                format!("class S{i}\n  def run\n    User.where(email: {i}).pluck(:name)\n  end\nend\n"),
            )
        })
        .collect();
    files.push(("app/models/user.rb".into(), "class User < ApplicationRecord\n  has_many :widgets\nend\n".into()));
    files.push(("app/models/widget.rb".into(), "class Widget < ApplicationRecord\nend\n".into()));
    files
}

/// `tandem scan`'s table reads only how many references of each kind a scan found: a warm scan
/// that keeps its snapshot counts the unchanged files' references there without restoring them,
/// and gives the counts a full scan gives; the scan it saves reads back whole. A scan that does
/// not keep a snapshot (cold, or the models changed) restores them as before.
#[test]
fn a_counted_warm_scan_counts_what_a_full_scan_finds() {
    let mut repo = TestRepo::init();
    let files = services(20);
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    repo.write(&refs);
    repo.commit("one");
    repo.tag("one");
    repo.write(&[(
        "app/services/s07.rb",
        "class S7\n  def run\n    Widget.where(user_id: 7).pluck(:label)\n  end\nend\n",
    )]);
    repo.commit("two");
    repo.tag("two");
    // A model more: the snapshot no longer fits, and every file resolves anew.
    repo.write(&[
        ("app/models/gadget.rb", "class Gadget < ApplicationRecord\nend\n"),
        ("app/services/s08.rb", "class S8\n  def run\n    Gadget.pluck(:title)\n  end\nend\n"),
    ]);
    repo.commit("three");
    repo.tag("three");
    let (_dir, shop, cfg, index, store) = setup(&repo);
    let whole = schema(TABLES);
    for (rev, restored) in [("one", true), ("two", false), ("three", true)] {
        let options = tandem::scan::ScanOptions { revision: Some(rev.to_owned()), ..Default::default() };
        let counted = tandem::scan::run_counted(&cfg, Some(&whole), &store, &options).expect("counted scan");
        let cold = scan_ref(&cfg, &shop, rev, rev, Some(&index), None, false).expect("cold scan");
        let [(scan, counts)] = &counted[..] else { panic!("one scan: {counted:?}") };
        assert_eq!(*counts, tandem::scan::count_kinds(&cold.references), "the counts at {rev}");
        assert!(counts.values().sum::<usize>() > 20, "{counts:?}");
        assert_eq!(scan.references.is_empty(), !restored, "references restored at {rev}");
        if restored {
            assert_eq!(scan.references, cold.references, "the references at {rev}");
        }
        let read = store.latest_scan("shop", rev, false).expect("read").expect("a saved scan");
        assert_eq!(read.references, cold.references, "the saved scan of {rev}");
    }
    // Kept on a snapshot that is gone, a counted scan is not written at all (the caller scans
    // again and restores every reference): the row already there stays.
    let three = store.latest_scan("shop", "three", false).expect("read").expect("saved");
    let gone = tandem::scan::cache::ScanDelta { base: 1_000_000, dropped: Vec::new(), fresh: Vec::new() };
    assert!(!store.save_scan_on_base(&three, &gone, false).expect("save"));
    let still = store.latest_scan("shop", "three", false).expect("read").expect("still saved");
    assert_eq!(still.references, three.references);
}

#[test]
fn a_saved_warm_scan_reads_back_as_a_cold_scan_of_its_commit() {
    let mut repo = TestRepo::init();
    let mut files = services(40);
    files.push(("lib/old.rb".into(), "def old\n  Widget.where(label: 1)\nend\n".into()));
    let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    repo.write(&refs);
    write_bytes(repo.path(), "lib/latin1.rb", b"# caf\xe9\nUser.where(email: params[:e])\n");
    repo.commit("one");
    repo.tag("one");
    // One file changed, one added, one deleted; no model changes, so the scan keeps the rest
    // from the first scan's snapshot.
    repo.write(&[
        ("app/services/s07.rb", "class S7\n  def run\n    Widget.where(user_id: 7).pluck(:label)\n  end\nend\n"),
        ("lib/new.rb", "def n\n  User.pluck(:email)\nend\n"),
    ]);
    repo.remove("lib/old.rb");
    repo.commit("two");
    repo.tag("two");
    let (dir, shop, cfg, index, store) = setup(&repo);
    let options = tandem::scan::ScanOptions::default();
    for rev in ["one", "two"] {
        let saved = tandem::scan::run_ref(&cfg, &shop, rev, rev, Some(&index), &store, &options).expect("scan");
        let cold = scan_ref(&cfg, &shop, rev, rev, Some(&index), None, false).expect("cold scan");
        let read = store.latest_scan("shop", rev, false).expect("read").expect("a saved scan");
        assert_eq!(saved.references, cold.references, "the scan of {rev}");
        assert_eq!(read.references, cold.references, "the saved scan of {rev}");
        assert_eq!(read.summary.skipped, cold.summary.skipped);
        assert_eq!((read.commit.as_str(), read.revision.as_str()), (cold.commit.as_str(), rev));
    }
    let two = store.latest_scan("shop", "two", false).expect("read").expect("saved");
    let paths: std::collections::BTreeSet<&str> = two.references.iter().map(|r| &*r.path).collect();
    assert!(paths.contains("lib/new.rb") && paths.contains("lib/latin1.rb") && !paths.contains("lib/old.rb"));
    assert!(
        two.references.iter().any(|r| &*r.path == "app/services/s07.rb" && r.object.to_string() == "widgets.user_id")
    );
    // Both rows are kept on the first scan's snapshot: the second holds its few files alone.
    let kept = rows(dir.path());
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|(on_base, _)| *on_base), "{kept:?}");
    assert!(kept[1].1 < 1024, "the warm scan's row holds only what changed: {kept:?}");

    // The snapshot they are kept on outlives the prune of later ones.
    let context = snapshot_context(&cfg, &shop, Some(&index));
    for i in 0..6 {
        store.put_snapshot("shop", &context, &format!("c{i}"), b"later").expect("put");
    }
    let again = store.latest_scan("shop", "two", false).expect("read").expect("saved");
    assert_eq!(again.references, two.references);
}

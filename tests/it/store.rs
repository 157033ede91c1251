//! The registry store on SQLite (temp dir) and PostgreSQL (a fresh database per test): the same
//! behaviour through one code path.

use crate::support;

use std::path::Path;

use tandem::config::Confidence;
use tandem::scan::cache::BlobKey;
use tandem::scan::facts::{FileFacts, Hit, Target};
use tandem::scan::{ObjectRef, RefKind, Reference, ScanResult, ScanSummary};
use tandem::store::Store;

fn key(blob: &str, extractor: &str) -> BlobKey {
    BlobKey { blob: blob.to_owned(), extractor: extractor.to_owned() }
}

fn facts(table: &str, line: u32) -> FileFacts {
    FileFacts {
        hits: vec![Hit {
            line,
            column: 7,
            target: Target::Table { table: table.to_owned() },
            kind: RefKind::Sql,
            confidence: Confidence::High,
            snippet: format!("SELECT * FROM {table}"),
        }],
        ..FileFacts::default()
    }
}

fn scan(app: &str, git_ref: &str, commit: &str, column: &str) -> ScanResult {
    ScanResult {
        app: app.to_owned(),
        git_ref: git_ref.to_owned(),
        revision: format!("rev-of-{git_ref}"),
        commit: commit.to_owned(),
        references: vec![Reference {
            app: app.into(),
            git_ref: git_ref.into(),
            commit: commit.into(),
            path: "app/models/user.rb".into(),
            line: 3,
            column: 5,
            object: ObjectRef::column("users", column),
            kind: RefKind::Query,
            confidence: Confidence::High,
            snippet: format!("User.where({column}: x)").into(),
        }],
        summary: ScanSummary { files_read: 10, blobs_from_cache: 4, skipped: Vec::new(), elapsed_ms: 0 },
    }
}

/// Every behaviour, run against one store URL; `reopen` opens the same store again.
/// The store schema version this tandem migrates to.
const NEWEST: i64 = 10;

fn exercise(open: &dyn Fn() -> Store) {
    let store = open();
    assert_eq!(store.schema_version().unwrap(), NEWEST);

    // Facts round trip; missing keys are absent.
    let a = key("aaaa", "rails@1:x");
    let b = key("bbbb", "rails@1:x");
    let a_other = key("aaaa", "sql@2:y");
    store.put_facts(&[(a.clone(), facts("users", 1)), (b.clone(), facts("orders", 2))]).unwrap();
    let got = store.cached_facts(&[a.clone(), b.clone(), a_other.clone(), a.clone()]).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[&a], facts("users", 1));
    assert_eq!(got[&b], facts("orders", 2));
    assert!(!got.contains_key(&a_other));

    // Idempotent put; a second put of a key replaces its facts; empty put is fine.
    store.put_facts(&[(a.clone(), facts("users", 1))]).unwrap();
    store.put_facts(&[(a.clone(), facts("accounts", 9)), (a.clone(), facts("people", 4))]).unwrap();
    store.put_facts(&[]).unwrap();
    let got = store.cached_facts(std::slice::from_ref(&a)).unwrap();
    assert_eq!(got[&a], facts("people", 4));
    assert!(store.cached_facts(&[]).unwrap().is_empty());

    // Thousands of keys: chunked writes and reads.
    let many: Vec<(BlobKey, FileFacts)> =
        (0..2_345).map(|i| (key(&format!("{i:040x}"), "py@1:z"), facts(&format!("t{i}"), i))).collect();
    store.put_facts(&many).unwrap();
    let keys: Vec<BlobKey> = many.iter().map(|(k, _)| k.clone()).collect();
    let got = store.cached_facts(&keys).unwrap();
    assert_eq!(got.len(), 2_345);
    assert_eq!(got[&key(&format!("{:040x}", 1_234), "py@1:z")], facts("t1234", 1_234));

    // A small batch after a bulk one (a warm scan after a cold one) replaces what the bulk one
    // wrote; the next bulk batch keeps it unless it writes the key itself.
    let (k1, k2) = (key(&format!("{:040x}", 7), "py@1:z"), key(&format!("{:040x}", 8), "py@1:z"));
    store.put_facts(&[(k1.clone(), facts("small", 1)), (k2.clone(), facts("small", 2))]).unwrap();
    let got = store.cached_facts(&[k1.clone(), k2.clone()]).unwrap();
    assert_eq!((&got[&k1], &got[&k2]), (&facts("small", 1), &facts("small", 2)));
    let bulk: Vec<(BlobKey, FileFacts)> = many.iter().filter(|(k, _)| *k != k1).cloned().collect();
    assert!(bulk.len() >= 2_048, "a bulk batch");
    store.put_facts(&bulk).unwrap();
    let got = store.cached_facts(&keys).unwrap();
    assert_eq!(got.len(), 2_345);
    assert_eq!(got[&k1], facts("small", 1), "moved along with the bulk batch");
    assert_eq!(got[&k2], facts(&format!("t{}", 8), 8), "the bulk batch wrote it last");
    // A small batch again, for a tag that only it has written.
    let lone = key("cccc", "erb@1:q");
    store.put_facts(&[(lone.clone(), facts("lone", 3))]).unwrap();
    assert_eq!(store.cached_facts(std::slice::from_ref(&lone)).unwrap()[&lone], facts("lone", 3));

    // Scans: none yet.
    assert_eq!(store.latest_scan("portal", "head", false).unwrap(), None);

    let s1 = scan("portal", "head", "c1", "email");
    let s2 = scan("portal", "head", "c2", "email_address");
    let d1 = scan("portal", "deployed", "c0", "legacy_flag");
    store.save_scan(&s1, true).unwrap();
    store.save_scan(&d1, false).unwrap();
    store.save_scan(&s2, false).unwrap();
    assert_eq!(store.latest_scan("portal", "head", false).unwrap(), Some(s2.clone()));
    assert_eq!(store.latest_scan("portal", "head", true).unwrap(), Some(s1.clone()));
    assert_eq!(store.latest_scan("portal", "deployed", false).unwrap(), Some(d1.clone()));
    assert_eq!(store.latest_scan("portal", "deployed", true).unwrap(), None);
    assert_eq!(store.latest_scan("platform", "head", false).unwrap(), None);

    // Saving c1 again makes it the latest; it stays published even when saved unpublished.
    store.save_scan(&s1, false).unwrap();
    assert_eq!(store.latest_scan("portal", "head", false).unwrap(), Some(s1.clone()));
    assert_eq!(store.latest_scan("portal", "head", true).unwrap(), Some(s1.clone()));
    // Idempotent: saving the same scan twice leaves the same answers.
    store.save_scan(&s2, true).unwrap();
    store.save_scan(&s2, true).unwrap();
    assert_eq!(store.latest_scan("portal", "head", true).unwrap(), Some(s2.clone()));

    // A result whose references are not all its own (built by hand, not by a scan) is kept
    // whole too.
    let mut mixed = scan("portal", "mixed", "c7", "email");
    mixed.references.push(Reference { commit: "c6".into(), ..mixed.references[0].clone() });
    mixed.references.push(Reference { path: "lib/a.rb".into(), snippet: "".into(), ..mixed.references[0].clone() });
    store.save_scan(&mixed, false).unwrap();
    assert_eq!(store.latest_scan("portal", "mixed", false).unwrap(), Some(mixed));
    let mut two_files = scan("portal", "files", "c8", "email");
    two_files.references.push(Reference { path: "lib/a.rb".into(), ..two_files.references[0].clone() });
    two_files.references.push(Reference { line: 9, ..two_files.references[1].clone() });
    store.save_scan(&two_files, false).unwrap();
    assert_eq!(store.latest_scan("portal", "files", false).unwrap(), Some(two_files));

    // Snapshots: the one of the commit asked for, else the latest of the app and context.
    let snap = |app: &str, context: &str, commit: &str| store.snapshot(app, context, commit).unwrap();
    assert_eq!(snap("portal", "k1", "c1"), None);
    for (i, commit) in ["c1", "c2", "c3"].iter().enumerate() {
        store.put_snapshot("portal", "k1", commit, &[i as u8; 3]).unwrap();
    }
    assert_eq!(snap("portal", "k1", "c1"), Some(("c1".to_owned(), vec![0; 3])));
    assert_eq!(snap("portal", "k1", "c9"), Some(("c3".to_owned(), vec![2; 3])));
    assert_eq!(snap("portal", "k2", "c1"), None, "another context");
    assert_eq!(snap("platform", "k1", "c1"), None, "another app");
    // Writing a commit again replaces it and makes it the latest.
    store.put_snapshot("portal", "k1", "c1", b"new").unwrap();
    assert_eq!(snap("portal", "k1", "c9"), Some(("c1".to_owned(), b"new".to_vec())));
    // Four are kept per app, the oldest go first, whatever their context.
    store.put_snapshot("platform", "k1", "p1", b"p").unwrap();
    store.put_snapshot("portal", "k2", "c4", b"4").unwrap();
    store.put_snapshot("portal", "k2", "c5", b"5").unwrap();
    assert_eq!(snap("portal", "k1", "c2"), Some(("c1".to_owned(), b"new".to_vec())), "c2 was the oldest");
    assert_eq!(snap("portal", "k1", "c3").map(|s| s.0), Some("c3".to_owned()));
    assert_eq!(snap("portal", "k2", "c9").map(|s| s.0), Some("c5".to_owned()));
    assert_eq!(snap("platform", "k1", "p1").map(|s| s.0), Some("p1".to_owned()), "other apps keep theirs");

    // A scan kept on a snapshot (its references all there) reads back whole, and keeps the
    // snapshot from the prune.
    let kept = scan("portal", "kept", "c9", "email");
    let blob = git2::Oid::hash_object(git2::ObjectType::Blob, b"x").unwrap();
    let entry = tandem::scan::tree::FileEntry {
        path: "app/models/user.rb".into(),
        app_path: "app/models/user.rb".into(),
        blob,
    };
    let bytes = tandem::scan::snapshot::encode(&[&entry], [], [], &kept.references).unwrap();
    let base = store.put_snapshot("portal", "k9", "c9", &bytes).unwrap();
    let fresh = tandem::scan::snapshot::encode_references(&[]).unwrap();
    let delta = tandem::scan::cache::ScanDelta { base, dropped: Vec::new(), fresh };
    store.save_scan_on(&kept, Some(&delta), false).unwrap();
    for i in 0..5 {
        store.put_snapshot("portal", "k9", &format!("later{i}"), b"x").unwrap();
    }
    assert_eq!(store.latest_scan("portal", "kept", false).unwrap(), Some(kept));
    drop(store);

    // Reopen keeps everything, and migrating again is a no-op.
    let store = open();
    assert_eq!(store.schema_version().unwrap(), NEWEST);
    assert_eq!(store.latest_scan("portal", "head", false).unwrap(), Some(s2));
    assert_eq!(store.latest_scan("portal", "deployed", false).unwrap(), Some(d1));
    assert_eq!(store.cached_facts(std::slice::from_ref(&a)).unwrap()[&a], facts("people", 4));
}

#[test]
fn sqlite_store_round_trips_and_persists() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    exercise(&|| Store::open("sqlite://.tandem/registry.db", &root).unwrap());
    assert!(root.join(".tandem/registry.db").is_file(), "the default store lives in .tandem/ beside apps.toml");
}

#[test]
fn sqlite_store_accepts_absolute_paths() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nested/dir/store.db");
    let url = format!("sqlite://{}", file.display());
    let store = Store::open(&url, Path::new("/nonexistent-root")).unwrap();
    store.put_facts(&[(key("cc", "e@1"), facts("x", 1))]).unwrap();
    assert!(file.is_file());
}

#[test]
fn postgres_store_round_trips_and_persists() {
    let db = support::pg::TempDb::new();
    let url = db.url();
    exercise(&|| Store::open(&url, Path::new("/unused")).unwrap());
    // The change ledger: planning the same change again replaces its row.
    let store = Store::open(&url, Path::new("/unused")).unwrap();
    store.put_change("rename-column:users.email", "2", "{\"a\":1}").unwrap();
    store.put_change("drop-table:t", "1", "{}").unwrap();
    store.put_change("rename-column:users.email", "3", "{\"a\":2}").unwrap();
    assert_eq!(
        store.changes().unwrap(),
        [
            ("drop-table:t".to_owned(), "1".to_owned(), "{}".to_owned()),
            ("rename-column:users.email".to_owned(), "3".to_owned(), "{\"a\":2}".to_owned())
        ]
    );
    drop(store);
    let tables = db.query_strings(
        "SELECT table_name::text FROM information_schema.tables WHERE table_name LIKE 'tandem\\_%' ORDER BY 1",
    );
    assert_eq!(
        tables,
        [
            "tandem_changes",
            "tandem_facts",
            "tandem_facts_recent",
            "tandem_scans",
            "tandem_schemas",
            "tandem_snapshots",
            "tandem_store_version"
        ]
    );
    // What the last bulk write found in the small table, it moved into the big one.
    assert_eq!(db.query_strings("SELECT count(*)::text FROM tandem_facts_recent"), ["1"]);
}

/// Many processes (here threads with their own pools) opening a fresh store at once must all
/// succeed and see one migrated schema.
fn concurrent_opens(url: &str, root: &Path) {
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|i| {
                s.spawn(move || {
                    let store = Store::open(url, root).unwrap();
                    let entries: Vec<_> =
                        (0..50).map(|j| (key(&format!("{i}-{j}"), "e@1"), facts("users", j))).collect();
                    store.put_facts(&entries).unwrap();
                    store.save_scan(&scan("portal", "head", &format!("c{i}"), "email"), i % 2 == 0).unwrap();
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    let store = Store::open(url, root).unwrap();
    assert_eq!(store.schema_version().unwrap(), NEWEST);
    let keys: Vec<_> = (0..6).flat_map(|i| (0..50).map(move |j| key(&format!("{i}-{j}"), "e@1"))).collect();
    assert_eq!(store.cached_facts(&keys).unwrap().len(), 300);
    assert!(store.latest_scan("portal", "head", true).unwrap().is_some());
}

#[test]
fn sqlite_concurrent_opens_do_not_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    concurrent_opens("sqlite://registry.db", dir.path());
}

#[test]
fn postgres_concurrent_opens_do_not_corrupt() {
    let db = support::pg::TempDb::new();
    concurrent_opens(&db.url(), Path::new("/unused"));
}

#[test]
fn unreachable_postgres_store_is_an_environment_error_without_the_password() {
    let err = Store::open("postgres://app:s3cr3t-pw@127.0.0.1:1/registry", Path::new("/")).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    let shown = format!("{err}");
    assert!(!shown.contains("s3cr3t-pw"), "password leaked: {shown}");
    assert!(shown.contains("postgres://app:***@127.0.0.1:1/registry"), "{shown}");
}

#[test]
fn wrong_password_is_redacted_too() {
    let db = support::pg::TempDb::new();
    // Trust auth accepts any password, so use a database that does not exist to force an error.
    let url = format!("postgres://postgres:hunter2-secret@127.0.0.1:5432/{}_missing", db.name());
    let err = Store::open(&url, Path::new("/")).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(!format!("{err}").contains("hunter2-secret"), "{err}");
}

#[test]
fn unsupported_store_url_is_an_input_error() {
    let err = Store::open("redis://localhost/0", Path::new("/")).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(format!("{err}").contains("unsupported store URL"), "{err}");
}

#[test]
fn a_newer_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open("sqlite://s.db", dir.path()).unwrap();
    drop(store);
    // Simulate a store written by a future tandem.
    let db = dir.path().join("s.db");
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::raw_sql("INSERT INTO tandem_store_version VALUES (99)").execute(&mut c).await.unwrap();
    });
    let err = Store::open("sqlite://s.db", dir.path()).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(format!("{err}").contains("schema version 99"), "{err}");
}

/// The harness builds reproducible repositories: the same files and steps give the same commit
/// ids, so blob keys cached from one build are found for the other.
#[test]
fn facts_keyed_by_real_blob_ids_survive_a_rebuilt_repository() {
    use support::git::TestRepo;

    let build = || {
        let mut repo = TestRepo::with_files(&[("app/models/user.rb", "class User < ApplicationRecord\nend\n")]);
        repo.tag("v1");
        repo.branch("release");
        repo.commit_files(&[("db/query.sql", "SELECT email FROM users;\n")], "add query");
        repo.remove("app/models/user.rb");
        let head = repo.commit("drop model");
        (repo, head)
    };
    let (a, head_a) = build();
    let (b, head_b) = build();
    assert_eq!(head_a, head_b, "fixed author and dates make commits reproducible");
    assert_eq!(a.rev("v1"), a.rev("release"));
    assert_ne!(a.rev("v1"), head_a);
    assert_eq!(a.rev("main"), head_a);
    assert!(a.repo.revparse_single("HEAD:app/models/user.rb").is_err(), "the deletion was committed");

    let blob = a.blob_id("db/query.sql");
    assert_eq!(blob, b.blob_id("db/query.sql"));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open("sqlite://.tandem/registry.db", dir.path()).unwrap();
    store.put_facts(&[(key(&blob, "sql@1"), facts("users", 1))]).unwrap();
    let got = store.cached_facts(&[key(&b.blob_id("db/query.sql"), "sql@1")]).unwrap();
    assert_eq!(got.len(), 1);

    b.checkout("release");
    assert!(b.path().join("app/models/user.rb").is_file(), "checkout restores the branch's tree");
    assert!(!b.path().join("db/query.sql").exists());
}

/// Create the SQLite database `db` with `script`, then let `fill` add rows: a store as an older
/// tandem left it.
fn old_store(db: &Path, script: &str, fill: impl AsyncFnOnce(&sqlx::SqlitePool)) {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(db).create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        sqlx::raw_sql(script).execute(&pool).await.unwrap();
        fill(&pool).await;
        pool.close().await;
    });
}

/// A store written by a tandem with the JSON blob cache (schema version 1) opens, migrates to
/// the binary cache, and answers: old cache rows are gone (a cache may be dropped), scans stay.
#[test]
fn a_version_one_store_migrates_to_the_binary_cache() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let init = include_str!("../../src/store/migrations/sqlite/0001_init.sql");
    let script = format!(
        "{init}\nCREATE TABLE tandem_store_version (version BIGINT NOT NULL PRIMARY KEY);\n\
         INSERT INTO tandem_store_version VALUES (1);\n\
         INSERT INTO tandem_blob_facts VALUES ('abc', 'sql@1', '{{\"hits\":[],\"models\":[]}}');\n"
    );
    old_store(&db, &script, async |pool| {
        // A scan saved as JSON, as every tandem before store schema 4 saved them.
        sqlx::query(
            "INSERT INTO tandem_scans (app, git_ref, revision, commit_id, published, result) \
             VALUES ('portal', 'head', 'rev-of-head', 'c1', 1, ?)",
        )
        .bind(serde_json::to_string(&scan("portal", "head", "c1", "email")).unwrap())
        .execute(pool)
        .await
        .unwrap();
    });

    let store = Store::open("sqlite://registry.db", dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), NEWEST);
    assert!(store.cached_facts(&[key("abc", "sql@1")]).unwrap().is_empty());
    store.put_facts(&[(key("abc", "sql@1"), facts("users", 3))]).unwrap();
    assert_eq!(store.cached_facts(&[key("abc", "sql@1")]).unwrap()[&key("abc", "sql@1")], facts("users", 3));
    // The JSON scan still reads; a new save of it is binary and reads the same.
    let old = scan("portal", "head", "c1", "email");
    assert_eq!(store.latest_scan("portal", "head", true).unwrap(), Some(old.clone()));
    store.save_scan(&old, false).unwrap();
    assert_eq!(store.latest_scan("portal", "head", true).unwrap(), Some(old));
}

/// A store whose cached facts are in the encoding before snippets were shared (schema version
/// 6) migrates by dropping them: an old entry must not decode into wrong snippets.
#[test]
fn a_version_six_store_drops_facts_in_the_old_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let mut script: String = [
        include_str!("../../src/store/migrations/sqlite/0001_init.sql"),
        include_str!("../../src/store/migrations/sqlite/0002_binary_facts.sql"),
        include_str!("../../src/store/migrations/sqlite/0003_snapshots.sql"),
        include_str!("../../src/store/migrations/sqlite/0004_binary_scans.sql"),
        include_str!("../../src/store/migrations/sqlite/0005_facts_by_extractor.sql"),
        include_str!("../../src/store/migrations/sqlite/0006_recent_facts.sql"),
    ]
    .join("\n");
    script.push_str("\nCREATE TABLE tandem_store_version (version BIGINT NOT NULL PRIMARY KEY);\n");
    script.push_str("INSERT INTO tandem_store_version VALUES (1), (2), (3), (4), (5), (6);\n");
    let mut old = facts("users", 3);
    old.hits.push(old.hits[0].clone());
    let (bulk, recent) = (key("abc", "sql@1"), key("def", "sql@1"));
    old_store(&db, &script, async |pool| {
        for (table, k) in [("tandem_facts", &bulk), ("tandem_facts_recent", &recent)] {
            sqlx::query(&format!("INSERT INTO {table} (extractor, blob, facts) VALUES (?, ?, ?)"))
                .bind(&k.extractor)
                .bind(&k.blob)
                .bind(postcard::to_allocvec(&old).unwrap())
                .execute(pool)
                .await
                .unwrap();
        }
    });

    let store = Store::open("sqlite://registry.db", dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), NEWEST);
    assert!(store.cached_facts(&[bulk.clone(), recent.clone()]).unwrap().is_empty());
    store.put_facts(&[(bulk.clone(), old.clone())]).unwrap();
    assert_eq!(store.cached_facts(std::slice::from_ref(&bulk)).unwrap()[&bulk], old);
}

/// A store of schema version 9 — every scan kept whole, in postcard — opens, migrates to scans
/// kept on snapshots, and reads its old scan as it was; a new save of it reads the same, and a
/// snapshot it holds is still found.
#[test]
fn a_version_nine_store_keeps_reading_whole_scans() {
    #[derive(serde::Serialize)]
    struct WholeScan {
        revision: String,
        summary: ScanSummary,
        references: Vec<u8>,
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("registry.db");
    let mut script: String = [
        include_str!("../../src/store/migrations/sqlite/0001_init.sql"),
        include_str!("../../src/store/migrations/sqlite/0002_binary_facts.sql"),
        include_str!("../../src/store/migrations/sqlite/0003_snapshots.sql"),
        include_str!("../../src/store/migrations/sqlite/0004_binary_scans.sql"),
        include_str!("../../src/store/migrations/sqlite/0005_facts_by_extractor.sql"),
        include_str!("../../src/store/migrations/sqlite/0006_recent_facts.sql"),
        include_str!("../../src/store/migrations/sqlite/0007_shared_snippets.sql"),
        include_str!("../../src/store/migrations/sqlite/0008_changes.sql"),
        include_str!("../../src/store/migrations/sqlite/0009_schemas.sql"),
    ]
    .join("\n");
    script.push_str("\nCREATE TABLE tandem_store_version (version BIGINT NOT NULL PRIMARY KEY);\n");
    script.push_str("INSERT INTO tandem_store_version VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9);\n");
    let mut old = scan("portal", "head", "c1", "email");
    old.references.push(Reference { path: "lib/a.rb".into(), line: 7, ..old.references[0].clone() });
    let whole = WholeScan {
        revision: old.revision.clone(),
        summary: old.summary.clone(),
        references: tandem::scan::snapshot::encode_references(&old.references).unwrap(),
    };
    old_store(&db, &script, async |pool| {
        sqlx::query(
            "INSERT INTO tandem_scans (app, git_ref, revision, commit_id, published, result, data) \
             VALUES ('portal', 'head', 'rev-of-head', 'c1', 1, '', ?)",
        )
        .bind(postcard::to_allocvec(&whole).unwrap())
        .execute(pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO tandem_snapshots (app, context, commit_id, data) VALUES ('portal', 'k', 'c1', x'00')")
            .execute(pool)
            .await
            .unwrap();
    });

    let store = Store::open("sqlite://registry.db", dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), NEWEST);
    assert_eq!(store.latest_scan("portal", "head", true).unwrap(), Some(old.clone()));
    assert_eq!(store.snapshot("portal", "k", "c1").unwrap(), Some(("c1".to_owned(), vec![0])));
    store.save_scan(&old, false).unwrap();
    assert_eq!(store.latest_scan("portal", "head", true).unwrap(), Some(old));
}

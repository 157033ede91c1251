//! Shared harness for integration tests: throwaway databases on the real servers and real git
//! repositories in temp dirs. The test binary (`tests/it/main.rs`) declares it once; test modules
//! reach it as `crate::support`.
//!
//! Databases: PostgreSQL at 127.0.0.1:5432 (user `postgres`, trust) and MariaDB at
//! 127.0.0.1:3306 (`root`, empty password). A server that does not answer is started once if it
//! is installed locally; otherwise the test panics saying how to provide one. Tests never skip
//! silently: a missing database is a failure, not a pass.
//!
//! ```ignore
//! use crate::support;
//!
//! let db = support::pg::TempDb::new();          // dropped (sessions terminated) at scope end
//! db.execute("CREATE TABLE users (id bigint)"); // several statements allowed
//! db.psql(&dump_text);                          // psql syntax, stops at the first error
//! let schema = tandem::schema::live::introspect(&db.url())?;
//!
//! let mut repo = support::git::TestRepo::with_files(&[("app/models/user.rb", "class User; end\n")]);
//! repo.tag("v1");
//! let head = repo.commit_files(&[("db/q.sql", "SELECT 1")], "add query"); // fixed author and date
//! ```

#![allow(dead_code)]

pub mod cmd;
pub mod facts;
pub mod migration;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A runtime for the synchronous helpers: tests stay plain `#[test]` functions.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("build a tokio runtime")
}

/// A database name no other test (in this process or a parallel one) uses.
fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos:x}", std::process::id())
}

/// Run an external command with `stdin`, panicking with its stderr when it fails.
fn run_cli(program: &str, args: &[&str], stdin: &str) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}; install the {program} client"));
    child.stdin.take().expect("piped stdin").write_all(stdin.as_bytes()).expect("write to the client");
    let out = child.wait_with_output().expect("wait for the client");
    assert!(
        out.status.success(),
        "{program} {} failed: {}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Wait until `ready` answers, after trying `start` once. Panics with `how` if it never does.
fn ensure_server(what: &str, ready: impl Fn() -> bool, start: impl FnOnce(), how: &str) {
    if ready() {
        return;
    }
    start();
    for _ in 0..60 {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    panic!("no {what} server answers and none could be started. {how}");
}

pub mod pg {
    use std::sync::Once;

    use sqlx::Connection;
    use sqlx::postgres::PgConnection;

    pub const ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

    fn answers() -> bool {
        super::runtime().block_on(async { PgConnection::connect(ADMIN_URL).await.is_ok() })
    }

    fn ensure_server() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            super::ensure_server(
                "PostgreSQL",
                answers,
                || {
                    let versions = std::fs::read_dir("/etc/postgresql")
                        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect::<Vec<_>>())
                        .unwrap_or_default();
                    for v in versions {
                        let _ = std::process::Command::new("pg_ctlcluster")
                            .args(["--skip-systemctl-redirect", &v, "main", "start"])
                            .status();
                    }
                },
                "Run PostgreSQL on 127.0.0.1:5432 with user `postgres` trusted over TCP \
                 (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`).",
            )
        });
    }

    /// A fresh, uniquely named PostgreSQL database, dropped (with its sessions) on drop.
    pub struct TempDb {
        name: String,
    }

    impl TempDb {
        pub fn new() -> TempDb {
            ensure_server();
            let name = super::unique_name("tandem_test");
            super::runtime().block_on(async {
                let mut admin = PgConnection::connect(ADMIN_URL).await.expect("connect to PostgreSQL as postgres");
                // Concurrent CREATE DATABASE can collide on template1; retry briefly.
                let mut last = None;
                for _ in 0..10 {
                    match sqlx::raw_sql(&format!("CREATE DATABASE \"{name}\"")).execute(&mut admin).await {
                        Ok(_) => return,
                        Err(e) => last = Some(e),
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
                panic!("CREATE DATABASE {name}: {}", last.map(|e| e.to_string()).unwrap_or_default());
            });
            TempDb { name }
        }

        pub fn name(&self) -> &str {
            &self.name
        }

        pub fn url(&self) -> String {
            format!("postgres://postgres@127.0.0.1:5432/{}", self.name)
        }

        /// Run SQL text (several statements allowed) through the simple query protocol.
        pub fn execute(&self, sql: &str) {
            let url = self.url();
            super::runtime().block_on(async {
                let mut conn = PgConnection::connect(&url).await.expect("connect to the test database");
                sqlx::raw_sql(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("SQL failed: {e}\n{sql}"));
                let _ = conn.close().await;
            });
        }

        /// Run SQL text through `psql` (stops at the first error), for dumps with psql syntax.
        pub fn psql(&self, sql: &str) {
            let url = self.url();
            super::run_cli("psql", &["-X", "-q", "-v", "ON_ERROR_STOP=1", &url], sql);
        }

        /// The first column of every row of `sql`, as text.
        pub fn query_strings(&self, sql: &str) -> Vec<String> {
            use sqlx::Row;
            let url = self.url();
            super::runtime().block_on(async {
                let mut conn = PgConnection::connect(&url).await.expect("connect to the test database");
                let rows = sqlx::query(sql).fetch_all(&mut conn).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
                rows.iter().map(|r| r.get::<String, _>(0)).collect()
            })
        }
    }

    impl Default for TempDb {
        fn default() -> Self {
            TempDb::new()
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            let name = self.name.clone();
            super::runtime().block_on(async {
                let Ok(mut admin) = PgConnection::connect(ADMIN_URL).await else { return };
                let terminate = format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                );
                let _ = sqlx::raw_sql(&terminate).execute(&mut admin).await;
                let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .execute(&mut admin)
                    .await;
            });
        }
    }
}

pub mod mysql {
    use std::sync::Once;

    use sqlx::Connection;
    use sqlx::mysql::MySqlConnection;

    pub const ADMIN_URL: &str = "mysql://root@127.0.0.1:3306/mysql";

    fn answers() -> bool {
        super::runtime().block_on(async { MySqlConnection::connect(ADMIN_URL).await.is_ok() })
    }

    fn ensure_server() {
        static ONCE: Once = Once::new();
        ONCE.call_once(|| {
            super::ensure_server(
                "MariaDB/MySQL",
                answers,
                || {
                    let _ = std::process::Command::new("start-stop-daemon")
                        .args(["--start", "--oknodo", "--background", "--exec", "/usr/sbin/mariadbd"])
                        .status();
                },
                "Run MariaDB or MySQL on 127.0.0.1:3306 with user `root` and an empty password \
                 (e.g. `start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`).",
            )
        });
    }

    /// A fresh, uniquely named MariaDB/MySQL database, dropped on drop.
    pub struct TempDb {
        name: String,
    }

    impl TempDb {
        pub fn new() -> TempDb {
            ensure_server();
            let name = super::unique_name("tandem_test");
            super::runtime().block_on(async {
                let mut admin = MySqlConnection::connect(ADMIN_URL).await.expect("connect to MariaDB as root");
                sqlx::raw_sql(&format!("CREATE DATABASE `{name}`"))
                    .execute(&mut admin)
                    .await
                    .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
            });
            TempDb { name }
        }

        pub fn name(&self) -> &str {
            &self.name
        }

        pub fn url(&self) -> String {
            format!("mysql://root@127.0.0.1:3306/{}", self.name)
        }

        /// Run SQL text (several statements allowed).
        pub fn execute(&self, sql: &str) {
            let url = self.url();
            super::runtime().block_on(async {
                let mut conn = MySqlConnection::connect(&url).await.expect("connect to the test database");
                sqlx::raw_sql(sql).execute(&mut conn).await.unwrap_or_else(|e| panic!("SQL failed: {e}\n{sql}"));
                let _ = conn.close().await;
            });
        }

        /// Run SQL text through the `mariadb` (or `mysql`) client, for dumps with `DELIMITER`
        /// and the like.
        pub fn client(&self, sql: &str) {
            let db = self.name.clone();
            let program = if std::process::Command::new("mariadb").arg("--version").output().is_ok() {
                "mariadb"
            } else {
                "mysql"
            };
            super::run_cli(program, &["-h", "127.0.0.1", "-P", "3306", "-u", "root", &db], sql);
        }

        /// The first column of every row of `sql`, as text.
        pub fn query_strings(&self, sql: &str) -> Vec<String> {
            use sqlx::Row;
            let url = self.url();
            super::runtime().block_on(async {
                let mut conn = MySqlConnection::connect(&url).await.expect("connect to the test database");
                let rows = sqlx::query(sql).fetch_all(&mut conn).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
                rows.iter().map(|r| r.get::<String, _>(0)).collect()
            })
        }
    }

    impl Default for TempDb {
        fn default() -> Self {
            TempDb::new()
        }
    }

    impl Drop for TempDb {
        fn drop(&mut self) {
            let name = self.name.clone();
            super::runtime().block_on(async {
                let Ok(mut admin) = MySqlConnection::connect(ADMIN_URL).await else { return };
                let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS `{name}`")).execute(&mut admin).await;
            });
        }
    }
}

pub mod git {
    use std::path::{Path, PathBuf};

    use git2::{Oid, Repository, Signature, Time};

    /// Every commit has this author and committer, so commit ids are reproducible.
    pub const AUTHOR: &str = "Tandem Test";
    pub const EMAIL: &str = "test@tandem.invalid";
    /// 2026-01-01T00:00:00Z.
    pub const EPOCH: i64 = 1_767_225_600;

    /// A real repository with a work tree in a temp dir, removed on drop.
    pub struct TestRepo {
        dir: tempfile::TempDir,
        pub repo: Repository,
        /// Commits made so far, to give each a distinct, deterministic time.
        commits: i64,
    }

    impl TestRepo {
        /// An empty repository whose initial branch is `main`.
        pub fn init() -> TestRepo {
            let dir = tempfile::tempdir().expect("create a temp dir");
            let mut opts = git2::RepositoryInitOptions::new();
            opts.initial_head("main");
            let repo = Repository::init_opts(dir.path(), &opts).expect("git init");
            TestRepo { dir, repo, commits: 0 }
        }

        /// A repository with one commit holding `files` on `main`.
        pub fn with_files(files: &[(&str, &str)]) -> TestRepo {
            let mut r = TestRepo::init();
            r.write(files);
            r.commit("initial");
            r
        }

        pub fn path(&self) -> &Path {
            self.dir.path()
        }

        pub fn path_buf(&self) -> PathBuf {
            self.dir.path().to_path_buf()
        }

        /// Write files into the work tree (creating directories).
        pub fn write(&self, files: &[(&str, &str)]) {
            for (path, content) in files {
                let full = self.dir.path().join(path);
                if let Some(parent) = full.parent() {
                    std::fs::create_dir_all(parent).expect("create dirs");
                }
                std::fs::write(&full, content).expect("write file");
            }
        }

        /// Remove a file from the work tree.
        pub fn remove(&self, path: &str) {
            std::fs::remove_file(self.dir.path().join(path)).expect("remove file");
        }

        /// Stage every change (additions, modifications, deletions) and commit on the current
        /// branch with the fixed author. Returns the commit id in hex.
        pub fn commit(&mut self, message: &str) -> String {
            let mut index = self.repo.index().expect("index");
            index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).expect("add all");
            index.update_all(["*"], None).expect("update all");
            index.write().expect("write index");
            let tree_id = index.write_tree().expect("write tree");
            let tree = self.repo.find_tree(tree_id).expect("find tree");
            let time = Time::new(EPOCH + 60 * self.commits, 0);
            self.commits += 1;
            let sig = Signature::new(AUTHOR, EMAIL, &time).expect("signature");
            let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
            let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
            let id = self.repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents).expect("commit");
            id.to_string()
        }

        /// Write `files` and commit them.
        pub fn commit_files(&mut self, files: &[(&str, &str)], message: &str) -> String {
            self.write(files);
            self.commit(message)
        }

        /// Create a branch at HEAD (without switching to it).
        pub fn branch(&self, name: &str) {
            let head = self.repo.head().and_then(|h| h.peel_to_commit()).expect("HEAD commit");
            self.repo.branch(name, &head, true).expect("create branch");
        }

        /// Switch HEAD and the work tree to an existing branch.
        pub fn checkout(&self, name: &str) {
            let refname = format!("refs/heads/{name}");
            let obj = self.repo.revparse_single(&refname).expect("branch exists");
            self.repo.checkout_tree(&obj, Some(git2::build::CheckoutBuilder::new().force())).expect("checkout tree");
            self.repo.set_head(&refname).expect("set HEAD");
        }

        /// An annotated tag at HEAD, with the fixed tagger.
        pub fn tag(&self, name: &str) {
            let head = self.repo.head().and_then(|h| h.peel(git2::ObjectType::Commit)).expect("HEAD commit");
            let sig = Signature::new(AUTHOR, EMAIL, &Time::new(EPOCH, 0)).expect("signature");
            self.repo.tag(name, &head, &sig, name, true).expect("create tag");
        }

        /// A lightweight tag at HEAD.
        pub fn tag_lightweight(&self, name: &str) {
            let head = self.repo.head().and_then(|h| h.peel(git2::ObjectType::Commit)).expect("HEAD commit");
            self.repo.tag_lightweight(name, &head, true).expect("create tag");
        }

        /// The commit id (hex) a revision resolves to.
        pub fn rev(&self, rev: &str) -> String {
            self.repo.revparse_single(rev).and_then(|o| o.peel_to_commit()).map(|c| c.id().to_string()).expect("rev")
        }

        /// The blob id (hex) of `path` at HEAD.
        pub fn blob_id(&self, path: &str) -> String {
            let tree = self.repo.head().and_then(|h| h.peel_to_tree()).expect("HEAD tree");
            let entry = tree.get_path(Path::new(path)).expect("path at HEAD");
            entry.id().to_string()
        }

        pub fn oid(&self, rev: &str) -> Oid {
            self.repo.revparse_single(rev).and_then(|o| o.peel_to_commit()).map(|c| c.id()).expect("rev")
        }
    }
}

/// Registries for scan tests, built in code rather than from apps.toml.
pub mod scan {
    use std::collections::BTreeMap;
    use std::path::Path;

    use tandem::config::{App, AppSource, Config, Framework, Registry, ScanSettings};
    use tandem::schema::{Column, QualifiedName, Schema, Table};

    /// An app named `name` of `framework` at `repo`, scanned at `main`, with no other settings.
    pub fn app(name: &str, repo: &Path, framework: Framework) -> App {
        App {
            name: name.into(),
            repo: repo.to_path_buf(),
            path: None,
            framework,
            deployed: None,
            head: "main".into(),
            include: vec![],
            exclude: vec![],
            structure: None,
            migrations: Vec::new(),
            owner: None,
            source: AppSource::Repo,
            tables: BTreeMap::new(),
            line: 1,
        }
    }

    /// A registry of `apps` in `root`, with its store at `root/registry.db`.
    pub fn config(root: &Path, apps: Vec<App>) -> Config {
        Config {
            path: root.join("apps.toml"),
            root: root.to_path_buf(),
            registry: Registry {
                dialect: Default::default(),
                schema: None,
                migrations: None,
                store: "sqlite://registry.db".into(),
                min_confidence: Default::default(),
            },
            scan: ScanSettings { max_file_size: 1 << 20 },
            apps,
            waivers: vec![],
            migrate: Default::default(),
            lint: Default::default(),
        }
    }

    /// A schema of `tables`, each with its columns (type `text`).
    pub fn schema(tables: &[(&str, &[&str])]) -> Schema {
        let mut s = Schema::default();
        for (name, cols) in tables {
            let mut t = Table::new(QualifiedName::unqualified(name));
            t.columns = cols.iter().map(|c| Column::new(c, "text")).collect();
            s.tables.push(t);
        }
        s
    }

    /// Commit `files` to a fresh repository and scan them as the app `name` of `framework`
    /// against `tables`; the temporary directory holds the registry and must outlive the result.
    pub fn scan_files(
        name: &str,
        framework: Framework,
        files: &[(&str, &str)],
        tables: &[(&str, &[&str])],
    ) -> (tempfile::TempDir, tandem::scan::ScanResult) {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut repo = super::git::TestRepo::init();
        repo.write(files);
        repo.commit("app");
        let app = app(name, repo.path(), framework);
        let config = config(dir.path(), vec![app.clone()]);
        let index = tandem::scan::resolve::SchemaIndex::new(&schema(tables));
        let result = tandem::scan::scan_ref(&config, &app, "head", "main", Some(&index), None, false).expect("scans");
        (dir, result)
    }

    /// `path:line` of every reference to `object` at medium confidence or above.
    pub fn uses_of(result: &tandem::scan::ScanResult, object: &str) -> std::collections::BTreeSet<String> {
        result
            .references
            .iter()
            .filter(|r| r.confidence >= tandem::config::Confidence::Medium && r.object.to_string() == object)
            .map(|r| format!("{}:{}", r.path, r.line))
            .collect()
    }

    /// A Rails app's `ApplicationRecord`, as `rails new` writes it.
    pub const RAILS_APPLICATION_RECORD: (&str, &str) = (
        "app/models/application_record.rb",
        "class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n",
    );

    pub fn set(items: &[&str]) -> std::collections::BTreeSet<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }
}

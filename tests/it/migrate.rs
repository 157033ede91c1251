//! `tandem migrate` end to end against real PostgreSQL, MariaDB (each test its own database) and
//! SQLite (a temp file): the history table, the run lock with two real runners started at the
//! same moment, transactions and what cannot run in one, a runner killed mid-migration, lock
//! timeouts retried, edited files caught, down/redo/repair, the framework's history, the gate
//! before each migration, located errors, and the password never printed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::cmd::{git, write};
use crate::support::{mysql, pg};

/// A target database of one of the three kinds.
enum Target {
    Pg(pg::TempDb),
    My(mysql::TempDb),
    Lite(tempfile::TempDir),
}

impl Target {
    fn pg() -> Target {
        Target::Pg(pg::TempDb::new())
    }
    fn my() -> Target {
        Target::My(mysql::TempDb::new())
    }
    fn lite() -> Target {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("app.db"), b"").unwrap();
        Target::Lite(dir)
    }

    fn url(&self) -> String {
        match self {
            Target::Pg(db) => db.url(),
            Target::My(db) => db.url(),
            Target::Lite(dir) => format!("sqlite://{}", dir.path().join("app.db").display()),
        }
    }

    fn dialect(&self) -> &'static str {
        match self {
            Target::Pg(_) => "postgres",
            Target::My(_) => "mysql",
            Target::Lite(_) => "sqlite",
        }
    }

    /// The first column of every row, as text (the query casts).
    fn strings(&self, sql: &str) -> Vec<String> {
        match self {
            Target::Pg(db) => db.query_strings(sql),
            Target::My(db) => db.query_strings(sql),
            Target::Lite(_) => {
                use sqlx::{Connection, Row};
                let url = self.url();
                runtime().block_on(async {
                    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                    let rows = sqlx::query(sql).fetch_all(&mut c).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
                    rows.iter().map(|r| r.get::<String, _>(0)).collect()
                })
            }
        }
    }

    fn execute(&self, sql: &str) {
        match self {
            Target::Pg(db) => db.execute(sql),
            Target::My(db) => db.execute(sql),
            Target::Lite(_) => {
                use sqlx::Connection;
                let url = self.url();
                runtime().block_on(async {
                    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                    sqlx::raw_sql(sql).execute(&mut c).await.unwrap_or_else(|e| panic!("{e}\n{sql}"));
                })
            }
        }
    }

    /// Whether a table exists.
    fn has_table(&self, table: &str) -> bool {
        let sql = match self {
            Target::Pg(_) => format!("SELECT CAST(count(*) AS text) FROM pg_tables WHERE tablename = '{table}'"),
            Target::My(_) => format!(
                "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '{table}'"
            ),
            Target::Lite(_) => format!("SELECT CAST(count(*) AS TEXT) FROM sqlite_master WHERE name = '{table}'"),
        };
        self.strings(&sql) == ["1"]
    }

    fn count(&self, table: &str) -> usize {
        let text = if matches!(self, Target::My(_)) { "CHAR" } else { "TEXT" };
        self.strings(&format!("SELECT CAST(count(*) AS {text}) FROM {table}"))[0].parse().unwrap()
    }

    /// `version:success:finished` of every history row, in version order.
    fn history(&self, table: &str) -> Vec<String> {
        if !self.has_table(table) {
            return Vec::new();
        }
        let row = match self {
            Target::My(_) => {
                "CONVERT(CONCAT(version, ':', CAST(success AS CHAR), ':', IF(finished_at IS NULL, 'open', 'done')) USING utf8mb4)"
            }
            _ => {
                "version || ':' || CAST(success AS TEXT) || ':' || CASE WHEN finished_at IS NULL THEN 'open' ELSE 'done' END"
            }
        };
        self.strings(&format!("SELECT {row} FROM {table} ORDER BY version"))
            .into_iter()
            .map(|s| s.replace(":true:", ":1:").replace(":false:", ":0:"))
            .collect()
    }

    /// A statement that takes `secs` seconds on this database.
    fn sleep(&self, secs: u32) -> String {
        match self {
            Target::Pg(_) => format!("SELECT pg_sleep({secs})"),
            Target::My(_) => format!("SELECT SLEEP({secs})"),
            // About 3 million rows a second on a quiet machine; the point is that it is long.
            Target::Lite(_) => format!(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < {}) SELECT count(*) FROM c",
                u64::from(secs) * 3_000_000
            ),
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// A registry in a temp dir: apps.toml, a migrations directory.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(target: &Target, extra: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "apps.toml",
            format!("[registry]\ndialect = \"{}\"\nmigrations = \"migrations\"\n{extra}", target.dialect()),
        );
        std::fs::create_dir_all(dir.path().join("migrations")).unwrap();
        Project { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn migration(&self, file: &str, text: &str) {
        write(self.root(), &format!("migrations/{file}"), text);
    }

    fn command(&self, target: &Target, args: &[&str]) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin("tandem"));
        c.current_dir(self.root())
            .env("TANDEM_TEST_DATABASE_URL", target.url())
            .env_remove("CI")
            .arg("migrate")
            .args(args)
            .args(["--database-url", "env:TANDEM_TEST_DATABASE_URL"]);
        c
    }

    fn run(&self, target: &Target, args: &[&str]) -> Run {
        Run(self.command(target, args).output().unwrap())
    }

    fn spawn(&self, target: &Target, args: &[&str]) -> Child {
        self.command(target, args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
    }
}

struct Run(Output);

impl Run {
    fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    fn out(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    fn err(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.0.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", self.out(), self.err()))
    }
    #[track_caller]
    fn expect(&self, code: i32) -> &Run {
        assert_eq!(self.code(), code, "stdout:\n{}\nstderr:\n{}", self.out(), self.err());
        self
    }
}

const CREATE: &str =
    "-- migrate:up\nCREATE TABLE items (id bigint PRIMARY KEY, name text);\n\n-- migrate:down\nDROP TABLE items;\n";
const ADD: &str = "-- migrate:up\nALTER TABLE items ADD COLUMN price integer;\n\n-- migrate:down\nALTER TABLE items DROP COLUMN price;\n";
const SEED: &str = "-- migrate:up\nINSERT INTO items (id, name, price) VALUES (1, 'one', 10);\n\n-- migrate:down\nDELETE FROM items WHERE id = 1;\n";

fn three(p: &Project) {
    p.migration("0001_create_items.sql", CREATE);
    p.migration("0002_add_price.sql", ADD);
    p.migration("0003_seed.sql", SEED);
}

fn applies_in_order_with_a_history_and_status(target: Target) {
    let p = Project::new(&target, "");
    three(&p);
    let v = p.run(&target, &["status", "--format", "json"]).expect(1).json();
    assert_eq!(v["summary"]["pending"], 3, "{v:#}");
    assert!(!target.has_table("tandem_migrations"), "status creates nothing");

    let run = p.run(&target, &["up"]);
    run.expect(0);
    assert!(
        run.err().contains("applying 0001 create_items (in a transaction)") || target.dialect() == "mysql",
        "{}",
        run.err()
    );
    assert!(run.err().contains("applied 0003 seed in"), "{}", run.err());
    assert!(run.out().contains("3 applied"), "{}", run.out());
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done", "0002:1:done", "0003:1:done"]);
    assert_eq!(target.strings("SELECT name FROM items"), ["one"]);

    // Every column of the history, through the library function other commands use.
    let rows = tandem::runner::applied(&target.url(), "tandem_migrations").unwrap();
    assert_eq!(rows.len(), 3);
    let r = &rows[2];
    assert_eq!((r.version.as_str(), r.name.as_str()), ("0003", "seed"));
    assert_eq!(r.checksum, tandem::database::history::checksum(SEED));
    assert!(r.success && r.error.is_none());
    assert!(r.duration.is_some_and(|d| d >= 0));
    assert_eq!(r.tandem_version, env!("CARGO_PKG_VERSION"));
    assert!(r.applied_by.contains('@'), "{}", r.applied_by);
    assert!(r.applied_at.len() == 24 && r.applied_at.ends_with('Z'), "{}", r.applied_at);
    assert!(r.finished_at.as_deref().is_some_and(|f| f >= r.applied_at.as_str()), "{r:?}");

    let v = p.run(&target, &["status", "--format", "json"]).expect(0).json();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["applied"], 3);
    assert_eq!(v["migrations"][1]["record"]["name"], "add_price");

    // Nothing to do twice; a new file is pending.
    assert!(p.run(&target, &["up"]).expect(0).out().contains("nothing to apply"));
    p.migration("0004_more.sql", "-- migrate:up\nINSERT INTO items (id, name) VALUES (2, 'two');\n");
    let v = p.run(&target, &["status", "--format", "json"]).expect(1).json();
    assert_eq!(v["migrations"][3]["state"], "pending");
    let v = p.run(&target, &["up", "--format", "json"]).expect(0).json();
    assert_eq!(v["migrations"].as_array().unwrap().len(), 1);
    assert_eq!(v["migrations"][0]["result"], "applied");
}

#[test]
fn postgres_applies_in_order_with_a_history_and_status() {
    applies_in_order_with_a_history_and_status(Target::pg());
}

#[test]
fn mariadb_applies_in_order_with_a_history_and_status() {
    applies_in_order_with_a_history_and_status(Target::my());
}

#[test]
fn sqlite_applies_in_order_with_a_history_and_status() {
    applies_in_order_with_a_history_and_status(Target::lite());
}

/// Migration 2 fails at its second statement.
const BROKEN: &str = "-- migrate:up\nCREATE TABLE extra (id integer);\nALTER TABLE items ADD COLUMN nope nosuchtype;\n";
const BROKEN_OTHER: &str = "-- migrate:up\nCREATE TABLE extra (id integer);\nINSERT INTO nosuchtable VALUES (1);\n";

fn a_failure_is_recorded_located_and_stops_the_run(target: Target) {
    let p = Project::new(&target, "");
    p.migration("0001_create_items.sql", CREATE);
    let broken = if target.dialect() == "postgres" { BROKEN } else { BROKEN_OTHER };
    p.migration("0002_broken.sql", broken);
    p.migration("0003_seed.sql", SEED);
    let run = p.run(&target, &["up"]);
    let err = run.err();
    assert_eq!(run.code(), 2, "{err}");
    assert!(err.contains("migration 0002 failed"), "{err}");
    assert!(err.contains("migrations/0002_broken.sql:3:"), "{err}");
    assert!(run.out().contains("1 applied, 1 failed, 1 skipped"), "{}", run.out());
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done", "0002:0:done"]);
    assert!(!target.has_table("nosuchtable"));
    match &target {
        Target::Pg(_) => {
            // PostgreSQL says where in the statement: the unknown type, column 35.
            assert!(
                err.contains(
                    "0002_broken.sql:3:35: migration 0002 failed: type \"nosuchtype\" does not exist (SQLSTATE 42704)"
                ),
                "{err}"
            );
            assert!(err.contains("nothing of it was applied"), "{err}");
            assert!(!target.has_table("extra"), "rolled back with its transaction");
        }
        Target::Lite(_) => {
            assert!(err.contains("SQLite code"), "{err}");
            assert!(!target.has_table("extra"), "rolled back with its transaction");
        }
        Target::My(_) => {
            assert!(err.contains("(error 1146, SQLSTATE 42S02)"), "{err}");
            assert!(err.contains("statements at lines 2 were applied and stay"), "{err}");
            assert!(target.has_table("extra"), "MariaDB commits DDL as it goes");
        }
    }
    let row = tandem::database::history::records(&target.url(), "tandem_migrations").unwrap().remove(1);
    assert!(row.error.as_deref().is_some_and(|e| e.contains("0002_broken.sql:3")), "{row:?}");

    // Up refuses to go past the failed migration until it is repaired.
    let run = p.run(&target, &["up"]);
    run.expect(1);
    assert!(run.out().contains("refused: 0002 broken") && run.out().contains("repair 0002"), "{}", run.out());
    assert_eq!(target.history("tandem_migrations").len(), 2);
    let v = p.run(&target, &["status", "--format", "json"]).expect(1).json();
    assert_eq!(v["migrations"][1]["state"], "failed");

    // Fixed by hand and in the file, forgotten by repair: it runs again.
    if target.dialect() == "mysql" {
        target.execute("DROP TABLE extra");
    }
    p.migration(
        "0002_broken.sql",
        &format!("-- migrate:up\nCREATE TABLE extra (id integer);\n{}", ADD.lines().nth(1).unwrap()),
    );
    p.run(&target, &["repair", "0002"]).expect(2);
    p.run(&target, &["repair", "0002", "--pending"]).expect(0);
    p.run(&target, &["up"]).expect(0);
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done", "0002:1:done", "0003:1:done"]);
}

#[test]
fn postgres_failure_is_recorded_located_and_stops_the_run() {
    a_failure_is_recorded_located_and_stops_the_run(Target::pg());
}

#[test]
fn mariadb_failure_is_recorded_located_and_stops_the_run() {
    a_failure_is_recorded_located_and_stops_the_run(Target::my());
}

#[test]
fn sqlite_failure_is_recorded_located_and_stops_the_run() {
    a_failure_is_recorded_located_and_stops_the_run(Target::lite());
}

fn two_runners_apply_each_migration_once(target: Target) {
    let p = Project::new(&target, "");
    p.migration("0001_log.sql", "CREATE TABLE runs (migration varchar(20));\n");
    for n in 2..=6 {
        p.migration(
            &format!("000{n}_step.sql"),
            &format!("INSERT INTO runs (migration) VALUES ('m{n}');\n{};\n", target.sleep(1)),
        );
    }
    // SQLite has no run lock: each migration's exclusive transaction re-reads the history. To
    // have both runners plan the same pending migrations before either applies one, the test
    // holds the write lock (readers still read) until both are waiting for it.
    let writer = matches!(target, Target::Lite(_)).then(|| {
        p.run(&target, &["up", "--to", "0001"]).expect(0);
        hold_sqlite_write_lock(&target.url(), Duration::from_secs(4))
    });
    let a = p.spawn(&target, &["up", "--lock-wait", "120s"]);
    let b = p.spawn(&target, &["up", "--lock-wait", "120s"]);
    let (a, b) = (Run(a.wait_with_output().unwrap()), Run(b.wait_with_output().unwrap()));
    if let Some(w) = writer {
        w.join().unwrap();
    }
    a.expect(0);
    b.expect(0);
    let mut runs = target.strings("SELECT migration FROM runs");
    runs.sort();
    assert_eq!(runs, ["m2", "m3", "m4", "m5", "m6"], "each migration ran exactly once");
    assert_eq!(target.history("tandem_migrations").len(), 6);
    if !matches!(target, Target::Lite(_)) {
        // One runner waited for the other, and said who held the lock.
        let waited = [a.err(), b.err()].into_iter().find(|e| e.contains("waiting for the migration lock"));
        let waited = waited.unwrap_or_else(|| panic!("no runner waited:\n{}\n{}", a.err(), b.err()));
        let named = if matches!(target, Target::Pg(_)) { "(`tandem migrate:" } else { "connection " };
        assert!(waited.contains(named), "{waited}");
        let nothing = [a.out(), b.out()].iter().filter(|o| o.contains("nothing to apply")).count();
        assert_eq!(nothing, 1, "{}\n{}", a.out(), b.out());
    } else {
        // Both planned all five; each found the ones the other had applied.
        let (va, vb) = (a.out(), b.out());
        assert!(va.contains("done by another runner") || vb.contains("done by another runner"), "{va}\n{vb}");
    }
}

/// Hold SQLite's write lock (`BEGIN IMMEDIATE`) for `how_long` on another thread; returns once
/// it is held.
fn hold_sqlite_write_lock(url: &str, how_long: Duration) -> std::thread::JoinHandle<()> {
    let url = url.to_owned();
    let (tx, rx) = std::sync::mpsc::channel();
    let t = std::thread::spawn(move || {
        use sqlx::Connection;
        runtime().block_on(async {
            let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut c).await.unwrap();
            tx.send(()).unwrap();
            tokio::time::sleep(how_long).await;
            sqlx::raw_sql("ROLLBACK").execute(&mut c).await.unwrap();
        })
    });
    rx.recv().unwrap();
    t
}

#[test]
fn postgres_two_runners_apply_each_migration_once() {
    two_runners_apply_each_migration_once(Target::pg());
}

#[test]
fn mariadb_two_runners_apply_each_migration_once() {
    two_runners_apply_each_migration_once(Target::my());
}

#[test]
fn sqlite_two_runners_apply_each_migration_once() {
    two_runners_apply_each_migration_once(Target::lite());
}

#[test]
fn a_runner_that_cannot_get_the_lock_names_who_holds_it() {
    let target = Target::pg();
    let p = Project::new(&target, "");
    p.migration("0001_slow.sql", "SELECT pg_sleep(8);\n");
    let first = p.spawn(&target, &["up"]);
    wait_until("the first runner is in its migration", || {
        target.strings("SELECT CAST(count(*) AS text) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(8)%'")
            == ["1"]
    });
    let second = p.run(&target, &["up", "--lock-wait", "500ms"]);
    second.expect(3);
    let err = second.err();
    assert!(err.contains("another runner holds the migration lock"), "{err}");
    assert!(err.contains("of user postgres (`tandem migrate:") && err.contains("SELECT pg_sleep(8)"), "{err}");
    assert!(err.contains("waited 500 ms"), "{err}");
    Run(first.wait_with_output().unwrap()).expect(0);
}

#[test]
fn an_sqlite_runner_waits_for_the_write_lock_then_gives_up() {
    let target = Target::lite();
    let p = Project::new(&target, "");
    p.migration("0001_create_items.sql", CREATE);
    p.run(&target, &["up"]).expect(0);
    p.migration("0002_add_price.sql", ADD);
    let writer = hold_sqlite_write_lock(&target.url(), Duration::from_secs(3));
    let run = p.run(&target, &["up", "--lock-wait", "500ms"]);
    writer.join().unwrap();
    run.expect(3);
    assert!(run.err().contains("another connection holds the write lock of sqlite://"), "{}", run.err());
    assert!(run.err().contains("(SQLite does not say which); waited 500 ms"), "{}", run.err());
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done"]);
    p.run(&target, &["up"]).expect(0);
}

/// Poll `ready` every 50 ms for up to 60 s.
fn wait_until(what: &str, ready: impl Fn() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kill(mut child: Child) {
    // SIGKILL on Unix: no cleanup runs.
    child.kill().unwrap();
    child.wait().unwrap();
}

/// A runner killed during a long statement: the transactional migration is absent and applies
/// again; the one outside a transaction is incomplete, never applied, and blocks until repaired.
///
/// The server-side statement of a killed client may sleep on after the kill (PostgreSQL notices
/// the lost client only when the statement ends), so each phase sleeps for its own number of
/// seconds and waits for that statement: the second phase must not mistake the first's leftover.
fn a_killed_runner_leaves_a_consistent_history(target: Target, in_statement: &dyn Fn(&Target, u32) -> bool) {
    let p = Project::new(&target, "");
    p.migration("0001_create_items.sql", CREATE);
    let long = format!("-- migrate:up\nINSERT INTO items (id, name) VALUES (7, 'seven');\n{};\n", target.sleep(30));
    p.migration("0002_long.sql", &long);
    p.run(&target, &["up", "--to", "0001"]).expect(0);

    let runner = p.spawn(&target, &["up"]);
    wait_until("the runner is in the long statement", || in_statement(&target, 30));
    kill(runner);
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done"], "the transactional migration left no row");
    assert_eq!(target.count("items"), 0, "nor any of its effects");
    p.migration("0002_long.sql", "-- migrate:up\nINSERT INTO items (id, name) VALUES (7, 'seven');\n");
    p.run(&target, &["up", "--lock-wait", "60s"]).expect(0);
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done", "0002:1:done"]);

    let outside =
        format!("-- migrate:up\n-- tandem:no-transaction\nCREATE TABLE half (id integer);\n{};\n", target.sleep(31));
    p.migration("0003_outside.sql", &outside);
    let runner = p.spawn(&target, &["up"]);
    wait_until("the runner is in the long statement", || in_statement(&target, 31));
    kill(runner);
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done", "0002:1:done", "0003:0:open"]);
    assert!(target.has_table("half"), "what ran outside a transaction stays");
    let v = p.run(&target, &["status", "--format", "json"]).expect(1).json();
    assert_eq!(v["migrations"][2]["state"], "incomplete", "{v:#}");
    let refused = p.run(&target, &["up", "--lock-wait", "60s"]);
    refused.expect(1);
    assert!(refused.out().contains("never finished"), "{}", refused.out());
    p.run(&target, &["repair", "0003", "--applied", "--lock-wait", "60s"]).expect(0);
    p.run(&target, &["status"]).expect(0);
}

#[test]
fn postgres_a_killed_runner_leaves_a_consistent_history() {
    a_killed_runner_leaves_a_consistent_history(Target::pg(), &|t, secs| {
        t.strings(&format!(
            "SELECT CAST(count(*) AS text) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep({secs})%'",
        )) == ["1"]
    });
}

#[test]
fn mariadb_a_killed_runner_leaves_a_consistent_history() {
    a_killed_runner_leaves_a_consistent_history(Target::my(), &|t, secs| {
        t.strings(&format!(
            "SELECT CAST(COUNT(*) AS CHAR) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP({secs})%'",
        )) == ["1"]
    });
}

#[test]
fn sqlite_a_killed_runner_leaves_a_consistent_history() {
    a_killed_runner_leaves_a_consistent_history(Target::lite(), &|t, _| {
        // The runner is in its statement when the database is locked (its exclusive
        // transaction) or, outside a transaction, when its history row says it started. The
        // check takes the write lock itself, so the runner cannot take it meanwhile.
        use sqlx::{Connection, Row};
        let url = t.url();
        let (locked, started) = runtime().block_on(async {
            let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
            let mut c = sqlx::SqliteConnection::connect_with(&opts.busy_timeout(Duration::ZERO)).await.unwrap();
            if sqlx::raw_sql("BEGIN IMMEDIATE").execute(&mut c).await.is_err() {
                return (true, false);
            }
            let open = sqlx::query("SELECT version FROM tandem_migrations WHERE finished_at IS NULL")
                .fetch_all(&mut c)
                .await
                .map(|rows| rows.iter().map(|r| r.get::<String, _>(0)).collect::<Vec<_>>())
                .unwrap_or_default();
            sqlx::raw_sql("ROLLBACK").execute(&mut c).await.unwrap();
            (false, !open.is_empty())
        });
        if locked || started {
            // Let it get past BEGIN and the history row into the statement itself.
            std::thread::sleep(Duration::from_millis(500));
        }
        locked || started
    });
}

#[test]
fn what_cannot_run_in_a_transaction_runs_outside_one_and_a_failure_says_what_stays() {
    let target = Target::pg();
    let p = Project::new(&target, "");
    p.migration("0001_create_items.sql", CREATE);
    // Detected by the statement: VACUUM refuses a transaction block.
    p.migration("0002_vacuum.sql", "-- migrate:up\nVACUUM items;\n");
    // Forced by the marker; the gate accepts CONCURRENTLY outside a transaction.
    p.migration(
        "0003_index.sql",
        "-- migrate:up\n-- tandem:no-transaction\nSET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY items_name ON items (name);\n\n-- migrate:down\nDROP INDEX CONCURRENTLY items_name;\n",
    );
    let v = p.run(&target, &["up", "--format", "json"]).expect(0).json();
    let m = v["migrations"].as_array().unwrap();
    assert_eq!(m[0]["mode"], "transaction");
    assert_eq!(m[1]["mode"], "outside");
    assert_eq!(m[1]["reason"], "VACUUM cannot run in a transaction (line 2)");
    assert_eq!(m[2]["mode"], "outside");
    assert_eq!(m[2]["reason"], "the file asks to run outside a transaction");
    assert_eq!(
        target.strings("SELECT CAST(indisvalid AS text) FROM pg_index WHERE indexrelid = 'items_name'::regclass"),
        ["true"]
    );
    // Without the marker the gate refuses it, as `tandem check` does.
    p.migration(
        "0004_index.sql",
        "-- migrate:up\nSET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY items_id2 ON items (id);\n",
    );
    let run = p.run(&target, &["up"]);
    run.expect(1);
    assert!(run.out().contains("ban-concurrent-index-creation-in-transaction"), "{}", run.out());
    std::fs::remove_file(p.root().join("migrations/0004_index.sql")).unwrap();

    // A failure outside a transaction says which statements stay.
    p.migration(
        "0005_outside.sql",
        "-- migrate:up\n-- tandem:no-transaction\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE a (id int);\nCREATE TABLE c (id int);\n",
    );
    let run = p.run(&target, &["up"]);
    run.expect(2);
    let err = run.err();
    assert!(
        err.contains("0005_outside.sql:5:1: migration 0005 failed: relation \"a\" already exists (SQLSTATE 42P07)"),
        "{err}"
    );
    assert!(
        err.contains("statements at lines 3, 4 were applied and stay; this one and those at lines 6 were not"),
        "{err}"
    );
    assert!(target.has_table("b") && !target.has_table("c"));
    assert_eq!(target.history("tandem_migrations").last().unwrap(), "0005:0:done");
}

fn lock_timeouts_are_retried_with_backoff(target: Target, hold: &str) {
    let p =
        Project::new(&target, "\n[migrate]\nlock_timeout = \"300ms\"\nlock_retries = 6\nretry_backoff = \"200ms\"\n");
    p.migration("0001_create_items.sql", CREATE);
    p.run(&target, &["up"]).expect(0);
    p.migration("0002_add_price.sql", ADD);
    // Another session holds a lock on the table for four seconds.
    let url = target.url();
    let hold = hold.to_owned();
    let mysql = target.dialect() == "mysql";
    let (tx, rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        use sqlx::Connection;
        runtime().block_on(async {
            if mysql {
                let mut c = sqlx::MySqlConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(&hold).execute(&mut c).await.unwrap();
                tx.send(()).unwrap();
                tokio::time::sleep(Duration::from_secs(4)).await;
                sqlx::raw_sql("UNLOCK TABLES").execute(&mut c).await.unwrap();
            } else {
                let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                sqlx::raw_sql(&hold).execute(&mut c).await.unwrap();
                tx.send(()).unwrap();
                tokio::time::sleep(Duration::from_secs(4)).await;
                sqlx::raw_sql("COMMIT").execute(&mut c).await.unwrap();
            }
        })
    });
    rx.recv().unwrap();
    let run = p.run(&target, &["up", "--format", "json"]);
    holder.join().unwrap();
    let v = run.expect(0).json();
    let retries = v["migrations"][0]["retries"].as_array().unwrap();
    assert!(!retries.is_empty(), "{v:#}");
    assert_eq!(retries[0]["statement"], "migrations/0002_add_price.sql:2");
    assert_eq!(retries[0]["of"], 6);
    let waits: Vec<u64> = retries.iter().map(|r| r["wait_ms"].as_u64().unwrap()).collect();
    assert_eq!(waits[..2.min(waits.len())], [200, 400][..2.min(waits.len())], "backoff doubles");
    assert!(run.err().contains("lock timeout in 0002 at migrations/0002_add_price.sql:2"), "{}", run.err());
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done", "0002:1:done"]);
}

#[test]
fn postgres_lock_timeouts_are_retried_with_backoff() {
    lock_timeouts_are_retried_with_backoff(Target::pg(), "BEGIN; LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
}

#[test]
fn mariadb_lock_timeouts_are_retried_with_backoff() {
    // MariaDB counts lock waits in whole seconds: the 300 ms become 1 s.
    lock_timeouts_are_retried_with_backoff(Target::my(), "LOCK TABLES items WRITE");
}

#[test]
fn postgres_timeouts_come_from_the_registry_per_migration() {
    let target = Target::pg();
    let extra =
        "\n[migrate]\nlock_retries = 0\n\n[[migrate.override]]\nversion = \"0002\"\nstatement_timeout = \"300ms\"\n";
    let p = Project::new(&target, extra);
    p.migration("0001_fast.sql", "SELECT pg_sleep(0.5);\n");
    p.migration("0002_slow.sql", "SELECT pg_sleep(0.5);\n");
    let run = p.run(&target, &["up"]);
    run.expect(3);
    assert!(
        run.err().contains(
            "0002_slow.sql:1:1: migration 0002 failed: canceling statement due to statement timeout (SQLSTATE 57014)"
        ),
        "{}",
        run.err()
    );
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done", "0002:0:done"]);
}

fn edited_migrations_are_caught(target: Target) {
    let p = Project::new(&target, "");
    three(&p);
    p.run(&target, &["up"]).expect(0);
    // Line endings and trailing spaces are not edits.
    p.migration("0002_add_price.sql", &ADD.replace('\n', "  \r\n"));
    p.run(&target, &["status"]).expect(0);
    p.migration("0002_add_price.sql", &ADD.replace("integer", "bigint"));
    let status = p.run(&target, &["status"]);
    status.expect(1);
    assert!(
        status.out().contains("edited") && status.out().contains("the file changed after it was applied"),
        "{}",
        status.out()
    );
    p.migration("0004_more.sql", "-- migrate:up\nINSERT INTO items (id, name) VALUES (2, 'two');\n");
    let up = p.run(&target, &["up"]);
    up.expect(1);
    assert!(up.out().contains("refused: 0002 add_price") && up.out().contains("--allow-edited"), "{}", up.out());
    assert_eq!(target.history("tandem_migrations").len(), 3);
    p.run(&target, &["up", "--allow-edited"]).expect(0);
    assert_eq!(target.history("tandem_migrations").len(), 4);
    p.run(&target, &["repair", "0002"]).expect(0);
    p.run(&target, &["status"]).expect(0);
}

#[test]
fn postgres_edited_migrations_are_caught() {
    edited_migrations_are_caught(Target::pg());
}

#[test]
fn mariadb_edited_migrations_are_caught() {
    edited_migrations_are_caught(Target::my());
}

#[test]
fn sqlite_edited_migrations_are_caught() {
    edited_migrations_are_caught(Target::lite());
}

fn down_redo_and_a_missing_down_part(target: Target) {
    let p = Project::new(&target, "");
    three(&p);
    p.run(&target, &["up"]).expect(0);
    let run = p.run(&target, &["down"]);
    run.expect(0);
    assert!(run.err().contains("reverted 0003 seed"), "{}", run.err());
    assert_eq!(target.count("items"), 0);
    assert_eq!(target.history("tandem_migrations").len(), 2);
    p.run(&target, &["up"]).expect(0);
    let v = p.run(&target, &["down", "--to", "0001", "--format", "json"]).expect(0).json();
    let versions: Vec<&str> =
        v["migrations"].as_array().unwrap().iter().map(|m| m["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["0003", "0002"]);
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done"]);
    p.run(&target, &["up"]).expect(0);

    // Redo: the newest goes down and up again.
    let v = p.run(&target, &["redo", "--format", "json"]).expect(0).json();
    let results: Vec<&str> =
        v["migrations"].as_array().unwrap().iter().map(|m| m["result"].as_str().unwrap()).collect();
    assert_eq!(results, ["reverted", "applied"]);
    assert_eq!(target.strings("SELECT name FROM items"), ["one"]);

    // A migration without a down part stops the rollback before anything changes.
    p.migration("0004_more.sql", "INSERT INTO items (id, name) VALUES (2, 'two');\n");
    p.run(&target, &["up"]).expect(0);
    let run = p.run(&target, &["down", "--steps", "2"]);
    run.expect(2);
    assert!(
        run.err().contains("migrations/0004_more.sql: migration 0004 has no down part; nothing was rolled back"),
        "{}",
        run.err()
    );
    assert_eq!(target.history("tandem_migrations").len(), 4);
    let dry = p.run(&target, &["down", "--to", "0003", "--dry-run"]);
    dry.expect(2);
}

#[test]
fn postgres_down_redo_and_a_missing_down_part() {
    down_redo_and_a_missing_down_part(Target::pg());
}

#[test]
fn mariadb_down_redo_and_a_missing_down_part() {
    down_redo_and_a_missing_down_part(Target::my());
}

#[test]
fn sqlite_down_redo_and_a_missing_down_part() {
    down_redo_and_a_missing_down_part(Target::lite());
}

#[test]
fn every_layout_runs_with_its_down_part() {
    let target = Target::pg();
    let p = Project::new(&target, "");
    p.migration("V1__create_a.sql", "CREATE TABLE a (id int);\n");
    p.migration("U1__create_a.sql", "DROP TABLE a;\n");
    p.migration("000002_create_b.up.sql", "CREATE TABLE b (id int);\n");
    p.migration("000002_create_b.down.sql", "DROP TABLE b;\n");
    p.migration("3_create_c.sql", "-- +goose Up\nCREATE TABLE c (id int);\n-- +goose Down\nDROP TABLE c;\n");
    p.migration("4_create_d.sql", "-- migrate:up\nCREATE TABLE d (id int);\n-- migrate:down\nDROP TABLE d;\n");
    p.migration("R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT 1 AS one;\n");
    p.run(&target, &["up"]).expect(0);
    let mut history = target.history("tandem_migrations");
    history.sort();
    assert_eq!(history, ["000002:1:done", "1:1:done", "3:1:done", "4:1:done", "R__view:1:done"]);
    for t in ["a", "b", "c", "d"] {
        assert!(target.has_table(t), "{t}");
    }
    // A repeatable migration runs again when it changes, not otherwise.
    p.migration("R__view.sql", "CREATE OR REPLACE VIEW v AS SELECT 1 AS one, 2 AS two;\n");
    let v = p.run(&target, &["up", "--format", "json"]).expect(0).json();
    assert_eq!(v["migrations"][0]["version"], "R__view");
    assert_eq!(target.strings("SELECT CAST(two AS text) FROM v"), ["2"]);
    p.run(&target, &["down", "--steps", "4"]).expect(0);
    for t in ["a", "b", "c", "d"] {
        assert!(!target.has_table(t), "{t}");
    }
}

#[test]
fn the_framework_history_is_kept_in_step() {
    let target = Target::pg();
    let p = Project::new(&target, "\n[migrate]\nframework_history = \"rails\"\nhistory_table = \"ops_history\"\n");
    p.migration("20260101000000_create_items.sql", CREATE);
    p.run(&target, &["up"]).expect(0);
    assert_eq!(target.strings("SELECT version FROM schema_migrations"), ["20260101000000"]);
    assert_eq!(target.history("ops_history"), ["20260101000000:1:done"]);
    assert!(!target.has_table("tandem_migrations"));
    p.run(&target, &["down"]).expect(0);
    assert!(target.strings("SELECT version FROM schema_migrations").is_empty());

    let lite = Target::lite();
    let p = Project::new(&lite, "\n[migrate]\nframework_history = \"django\"\ndjango_app = \"shop\"\n");
    p.migration("0001_create_items.sql", CREATE);
    p.run(&lite, &["up"]).expect(0);
    assert_eq!(lite.strings("SELECT app || '.' || name FROM django_migrations"), ["shop.0001_create_items"]);
}

#[test]
fn registry_mistakes_are_located() {
    let target = Target::lite();
    let p = Project::new(&target, "\n[migrate]\nlock_timeout = \"5 parsecs\"\n");
    let run = p.run(&target, &["status"]);
    run.expect(2);
    assert!(run.err().contains("apps.toml:6:16: `lock_timeout = \"5 parsecs\"` is not a duration"), "{}", run.err());
    let p = Project::new(&target, "\n[migrate]\nhistory_table = \"x; DROP TABLE users\"\n");
    p.run(&target, &["status"]).expect(2);
    let p = Project::new(&target, "\n[migrate]\nframework_history = \"rials\"\n");
    let run = p.run(&target, &["status"]);
    run.expect(2);
    assert!(run.err().contains("did you mean `rails`?"), "{}", run.err());
    // The registry's dialect must be the database's.
    let p = Project::new(&Target::Lite(tempfile::tempdir().unwrap()), "");
    std::fs::write(p.root().join("apps.toml"), "[registry]\ndialect = \"postgres\"\nmigrations = \"migrations\"\n")
        .unwrap();
    let run = p.run(&target, &["status"]);
    run.expect(2);
    assert!(run.err().contains("the database is sqlite but the registry's dialect is postgres"), "{}", run.err());
}

#[test]
fn the_password_is_never_printed() {
    let target = Target::pg();
    let p = Project::new(&target, "");
    p.migration("0001_broken.sql", "SELECT nosuchcolumn FROM nosuchtable;\n");
    // Trust authentication ignores the password; it is in the URL all the same.
    let url = target.url().replace("postgres@", "postgres:hunter2secret@");
    let mut c = p.command(&target, &["up"]);
    c.env("TANDEM_TEST_DATABASE_URL", &url);
    let run = Run(c.output().unwrap());
    run.expect(2);
    let all = format!("{}{}", run.out(), run.err());
    assert!(!all.contains("hunter2secret"), "{all}");
    assert!(all.contains("postgres:***@"), "{all}");
    let bad = Run(Command::new(assert_cmd::cargo::cargo_bin("tandem"))
        .current_dir(p.root())
        .args(["migrate", "status", "--database-url", "postgres://u:hunter2secret@127.0.0.1:1/x"])
        .output()
        .unwrap());
    bad.expect(3);
    assert!(!bad.err().contains("hunter2secret"), "{}", bad.err());
}

/// A git repository holding the registry and a Rails app whose User model maps every column of
/// `users`, so dropping `users.legacy_flag` is blocked.
fn gated(target: &Target) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "apps.toml",
        format!(
            "[registry]\ndialect = \"{}\"\nmigrations = \"migrations\"\n\n\
             [[app]]\nname = \"platform\"\nrepo = \".\"\npath = \"platform\"\nframework = \"rails\"\nhead = \"main\"\n",
            target.dialect()
        ),
    );
    write(root, ".gitignore", ".tandem/\n");
    write(root, "platform/app/models/user.rb", "class User < ApplicationRecord\nend\n");
    write(
        root,
        "migrations/0001_users.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, email text, legacy_flag boolean);\n",
    );
    write(root, "migrations/0002_timezone.sql", "ALTER TABLE users ADD COLUMN timezone text;\n");
    write(
        root,
        "migrations/0003_drop_legacy_flag.sql",
        "-- migrate:up\nSET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN legacy_flag;\n\n-- migrate:down\nALTER TABLE users ADD COLUMN legacy_flag boolean;\n",
    );
    write(root, "migrations/0004_after.sql", "ALTER TABLE users ADD COLUMN locale text;\n");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "v1"]);
    dir
}

#[test]
fn the_gate_refuses_a_blocked_migration_and_everything_after_it() {
    let target = Target::pg();
    let dir = gated(&target);
    let p = Project { dir };
    p.run(&target, &["up", "--to", "0001"]).expect(0);

    let dry = p.run(&target, &["up", "--dry-run"]);
    dry.expect(1);
    let out = dry.out();
    assert!(out.contains("-- 0002 timezone (migrations/0002_timezone.sql): would apply, in a transaction"), "{out}");
    assert!(out.contains("ALTER TABLE users ADD COLUMN timezone text;"), "{out}");
    assert!(
        out.contains("-- 0003 drop_legacy_flag (migrations/0003_drop_legacy_flag.sql): blocked by the gate"),
        "{out}"
    );
    assert!(out.contains("block[drop-column]") && out.contains("platform/app/models/user.rb"), "{out}");
    assert!(out.contains("-- 0004 after (migrations/0004_after.sql): would not run"), "{out}");
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done"], "a dry run changes nothing");

    let v = p.run(&target, &["status", "--format", "json"]).expect(1).json();
    assert_eq!(v["migrations"][2]["state"], "blocked");
    assert_eq!(v["migrations"][2]["findings"][0]["rule"], "drop-column");

    let run = p.run(&target, &["up"]);
    run.expect(1);
    assert!(run.err().contains("blocked 0003 drop_legacy_flag: drop-column"), "{}", run.err());
    assert!(run.out().contains("1 applied, 1 blocked, 1 skipped"), "{}", run.out());
    assert_eq!(target.history("tandem_migrations"), ["0001:1:done", "0002:1:done"]);
    assert_eq!(target.strings("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'legacy_flag'"), ["legacy_flag"]);

    // A waiver covers it: it runs, and what comes after it.
    let toml = std::fs::read_to_string(p.root().join("apps.toml")).unwrap();
    write(
        p.root(),
        "apps.toml",
        format!(
            "{toml}\n[[waiver]]\nrule = \"drop-column\"\nobject = \"users.legacy_flag\"\nreason = \"unused\"\nowner = \"ops\"\nuntil = \"2999-12-31\"\n"
        ),
    );
    p.run(&target, &["up"]).expect(0);
    assert_eq!(target.history("tandem_migrations").len(), 4);
}

#[test]
fn the_bundled_example_refuses_its_blocked_migrations_in_a_dry_run() {
    let target = Target::pg();
    let Target::Pg(db) = &target else { unreachable!() };
    db.psql(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema/structure.sql")).unwrap());
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let run = Run(Command::new(assert_cmd::cargo::cargo_bin("tandem"))
        .current_dir(&root)
        .env("DATABASE_URL", target.url())
        .env_remove("CI")
        .args(["migrate", "up", "--dry-run", "--database-url", "env:DATABASE_URL", "--format", "json"])
        .output()
        .unwrap());
    let v = run.expect(1).json();
    let results: Vec<(&str, &str)> = v["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["version"].as_str().unwrap(), m["result"].as_str().unwrap()))
        .collect();
    assert_eq!(
        results,
        [
            ("20261101090000", "would_apply"),
            ("20261102090000", "blocked"),
            ("20261103090000", "skipped"),
            ("20261104090000", "skipped")
        ]
    );
    assert!(!target.has_table("tandem_migrations"), "a dry run creates nothing");
}

//! `tandem plan` for real: each kind of change planned on a registry like the bundled example,
//! its SQL phases applied one by one with the runner to a real PostgreSQL (the example's schema)
//! and MariaDB database holding rows, while a writer on its own connection keeps inserting and
//! updating through the old name; no write may be lost, the data must end in the new column or
//! table, and the final schema must be the intended one. Plus the files in each layout and
//! format, the code steps from the gate's recipes, and the ledger.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tandem::config::Config;
use tandem::database::db::{ConnectOptions, Db};
use tandem::framework::recipe::Change;
use tandem::plan::{Options, PhaseKind, Plan};
use tandem::runner::{self, Command, Silent};

use crate::support::{mysql, pg};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

/// A registry in `dir` with no apps (the gate has nothing to block), the given schema dump and
/// an empty migration directory.
fn registry(dir: &Path, dialect: &str, schema: &str) -> Config {
    std::fs::write(dir.join("structure.sql"), schema).unwrap();
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::write(
        dir.join("apps.toml"),
        format!("[registry]\ndialect = \"{dialect}\"\nschema = \"structure.sql\"\nmigrations = \"migrations\"\n"),
    )
    .unwrap();
    tandem::config::load(&dir.join("apps.toml")).unwrap()
}

fn options() -> Options {
    Options { batch_size: 50, pause: Duration::from_millis(5), now: 1_796_507_390, ..Options::default() }
}

fn connect(url: &str) -> Db {
    Db::connect(url, &ConnectOptions { application_name: "writer", busy_timeout: Duration::from_secs(5) }).unwrap()
}

/// Apply the plan's migrations up to and including `version` with the runner, strict as in CI:
/// every statement a plan writes must be one tandem's own gate reads.
fn up_to(config: &Config, url: &str, version: &str) {
    let options = runner::Options {
        url: url.to_owned(),
        dry_run: false,
        allow_edited: false,
        strict: true,
        lock_wait: None,
        cwd: config.root.clone(),
    };
    let report = runner::run(config, &Command::Up { to: Some(version.to_owned()) }, &options, &mut Silent).unwrap();
    assert!(report.error.is_none(), "{version}: {:?}", report.error.map(|e| e.diagnostic().message.clone()));
    assert!(!report.blocked(), "{version} was blocked: {}", tandem::render::json(&report));
}

/// A writer on its own connection: inserts new rows and updates existing ones through `insert`
/// and `update` (`{v}` the value, `{id}` the row), remembering the last value it wrote per row.
struct Writer {
    stop: Arc<AtomicBool>,
    handle: std::thread::JoinHandle<(BTreeMap<String, String>, usize)>,
}

impl Writer {
    fn start(url: String, insert: String, update: String, ids: i64) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::spawn(move || {
            let mut db = connect(&url);
            let mut written = BTreeMap::new();
            let mut i = 0usize;
            while !flag.load(Ordering::Relaxed) {
                i += 1;
                let v = format!("{i}");
                let rows = db.query(&insert.replace("{v}", &v), &[]).unwrap_or_else(|e| panic!("insert {i}: {e:?}"));
                let id = rows[0][0].clone().unwrap();
                written.insert(id, v.clone());
                let id = ((i as i64 * 7919) % ids + 1).to_string();
                let v = format!("{}", 1_000_000 + i);
                db.execute(&update.replace("{v}", &v).replace("{id}", &id))
                    .unwrap_or_else(|e| panic!("update {i}: {e:?}"));
                written.insert(id, v);
            }
            (written, i)
        });
        Writer { stop, handle }
    }

    fn finish(self) -> (BTreeMap<String, String>, usize) {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().unwrap()
    }
}

fn version(plan: &Plan, kind: PhaseKind) -> String {
    plan.phases.iter().find(|p| p.phase == kind).unwrap().version.clone()
}

/// Plan `change`, then apply every phase before the contract while `writer` writes through the
/// old name, stop it, apply the contract; returns what the writer wrote.
fn run_plan(
    config: &Config,
    url: &str,
    change: &Change,
    writer: Option<(String, String, i64)>,
) -> (Plan, BTreeMap<String, String>, usize) {
    let plan = tandem::plan::plan(config, change, &options()).unwrap();
    let writer = writer.map(|(insert, update, ids)| Writer::start(url.to_owned(), insert, update, ids));
    std::thread::sleep(Duration::from_millis(100));
    for p in plan.phases.iter().filter(|p| p.phase != PhaseKind::Contract) {
        up_to(config, url, &p.version);
        std::thread::sleep(Duration::from_millis(50));
    }
    let (written, writes) = writer.map(Writer::finish).unwrap_or_default();
    eprintln!("{}: the writer wrote {writes} rows and {writes} updates while the phases ran", plan.id);
    up_to(config, url, &version(&plan, PhaseKind::Contract));
    (plan, written, writes)
}

fn pg_example() -> (tempfile::TempDir, Config, pg::TempDb) {
    let dir = tempfile::tempdir().unwrap();
    let schema = std::fs::read_to_string(Path::new(REPO).join("schema/structure.sql")).unwrap();
    let config = registry(dir.path(), "postgres", &schema);
    let db = pg::TempDb::new();
    db.psql(&schema);
    db.execute(
        "INSERT INTO organizations (id, name, slug, created_at, updated_at) VALUES (1, 'o', 'o', now(), now());
         INSERT INTO users (id, organization_id, email, name, encrypted_password, created_at, updated_at)
           SELECT g, 1, 'u' || g || '@x', 'u' || g, 'x', now(), now() FROM generate_series(1, 300) g;
         INSERT INTO orders (id, user_id, number, total_cents, notes, created_at, updated_at)
           SELECT g, 1 + g % 300, 'n' || g, g, 'note ' || g, now(), now() FROM generate_series(1, 2000) g;
         SELECT setval('users_id_seq', 300); SELECT setval('orders_id_seq', 2000);",
    );
    (dir, config, db)
}

/// `id=value` lines as a map from id to value.
fn by_id(lines: Vec<String>) -> BTreeMap<String, String> {
    lines
        .into_iter()
        .map(|r| {
            let (a, b) = r.split_once('=').unwrap();
            (a.to_owned(), b.to_owned())
        })
        .collect()
}

/// No row was lost: the 2,000 orders there before the plan and every insert of the writer are in
/// `rows` (id → value), each of the writer's writes with its last value, and each order it did
/// not touch with the value it had (`before(id)`, where the test knows it).
fn assert_writes_kept(
    rows: &BTreeMap<String, String>,
    written: &BTreeMap<String, String>,
    writes: usize,
    before: Option<&dyn Fn(usize) -> String>,
) {
    assert_eq!(rows.len(), 2000 + writes, "inserted rows lost");
    for (id, v) in written {
        assert_eq!(rows.get(id), Some(v), "order {id}: the write of {v} was lost");
    }
    if let Some(before) = before {
        for id in 1..=2000 {
            let v = rows.get(&id.to_string()).unwrap();
            assert!(v == &before(id) || written.get(&id.to_string()) == Some(v), "order {id}: {v}");
        }
    }
}

fn pg_columns(db: &pg::TempDb, table: &str) -> Vec<String> {
    db.query_strings(&format!(
        "SELECT column_name || ' ' || data_type || ' ' || is_nullable FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position"
    ))
}

#[test]
fn pg_rename_column_under_a_concurrent_writer() {
    let (_dir, config, db) = pg_example();
    let change = Change::RenameColumn { table: "orders".into(), from: "notes".into(), to: "internal_notes".into() };
    let (plan, written, writes) = run_plan(
        &config,
        &db.url(),
        &change,
        Some((
            "INSERT INTO orders (user_id, number, notes, created_at, updated_at) VALUES (1, 'w{v}', '{v}', now(), now()) RETURNING id::text".into(),
            "UPDATE orders SET notes = '{v}' WHERE id = {id}".into(),
            2000,
        )),
    );
    assert_eq!(
        plan.phases.iter().map(|p| p.phase).collect::<Vec<_>>(),
        [PhaseKind::Expand, PhaseKind::Sync, PhaseKind::Backfill, PhaseKind::Contract]
    );
    assert!(writes > 5, "the writer wrote only {writes} times while the phases ran");
    let cols = pg_columns(&db, "orders");
    assert!(cols.contains(&"internal_notes text YES".to_owned()), "{cols:?}");
    assert!(!cols.iter().any(|c| c.starts_with("notes ")), "{cols:?}");
    // Every row written before the plan and every write of the writer is in the new column.
    let rows = by_id(db.query_strings("SELECT id || '=' || coalesce(internal_notes, 'NULL') FROM orders"));
    assert_writes_kept(&rows, &written, writes, Some(&|id| format!("note {id}")));
    assert!(db.query_strings("SELECT tgname::text FROM pg_trigger WHERE tgname LIKE 'tandem_%'").is_empty());
}

#[test]
fn pg_change_type_keeps_not_null_and_every_value() {
    let (_dir, config, db) = pg_example();
    // A column a view reads cannot be contracted: the plan says so before writing anything.
    let read_by_view = Change::ChangeType {
        table: "orders".into(),
        column: "total_cents".into(),
        new_column: "total_cents_big".into(),
        new_type: "bigint".into(),
    };
    let e = tandem::plan::plan(&config, &read_by_view, &options()).unwrap_err();
    assert!(e.diagnostic().message.contains("order_totals"), "{}", e.diagnostic().message);
    assert_eq!(std::fs::read_dir(config.root.join("migrations")).unwrap().count(), 0);
    let change = Change::ChangeType {
        table: "orders".into(),
        column: "number".into(),
        new_column: "number_text".into(),
        new_type: "text".into(),
    };
    let (_plan, written, writes) = run_plan(
        &config,
        &db.url(),
        &change,
        Some((
            "INSERT INTO orders (user_id, number, created_at, updated_at) VALUES (1, '{v}', now(), now()) RETURNING id::text".into(),
            "UPDATE orders SET number = '{v}' WHERE id = {id}".into(),
            2000,
        )),
    );
    let cols = pg_columns(&db, "orders");
    assert!(cols.contains(&"number_text text NO".to_owned()), "{cols:?}");
    assert!(!cols.iter().any(|c| c.starts_with("number ")), "{cols:?}");
    let rows = by_id(db.query_strings("SELECT id || '=' || number_text FROM orders"));
    assert_writes_kept(&rows, &written, writes, Some(&|id| format!("n{id}")));
}

#[test]
fn pg_rename_table_keeps_writes_through_the_old_name() {
    let (_dir, config, db) = pg_example();
    let change = Change::RenameTable { from: "orders".into(), to: "purchases".into() };
    let (plan, written, writes) = run_plan(
        &config,
        &db.url(),
        &change,
        Some((
            "INSERT INTO orders (user_id, number, notes, created_at, updated_at) VALUES (1, 'w{v}', '{v}', now(), now()) RETURNING id::text".into(),
            "UPDATE orders SET notes = '{v}' WHERE id = {id}".into(),
            2000,
        )),
    );
    assert_eq!(plan.phases.len(), 2);
    assert!(writes > 0);
    let tables = db.query_strings("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_name IN ('orders', 'purchases')");
    assert_eq!(tables, ["purchases"]);
    let rows = by_id(db.query_strings("SELECT id || '=' || coalesce(notes, 'NULL') FROM purchases"));
    assert_writes_kept(&rows, &written, writes, None);
}

#[test]
fn pg_drops_a_column_and_a_table() {
    let (_dir, config, db) = pg_example();
    run_plan(&config, &db.url(), &Change::DropColumn { table: "users".into(), column: "legacy_flag".into() }, None);
    assert!(!pg_columns(&db, "users").iter().any(|c| c.starts_with("legacy_flag ")));
    assert_eq!(db.query_strings("SELECT count(*)::text FROM users"), ["300"]);
    let config = tandem::config::load(&config.path).unwrap();
    run_plan(&config, &db.url(), &Change::DropTable { table: "audit_events".into() }, None);
    assert!(pg_columns(&db, "audit_events").is_empty());
    // Both down parts restore the object (empty): roll the last two migrations back.
    let options = runner::Options {
        url: db.url(),
        dry_run: false,
        allow_edited: false,
        strict: false,
        lock_wait: None,
        cwd: config.root.clone(),
    };
    let report = runner::run(&config, &Command::Down { to: None, steps: Some(2) }, &options, &mut Silent).unwrap();
    assert!(report.error.is_none(), "{:?}", report.error.map(|e| e.diagnostic().message.clone()));
    assert!(pg_columns(&db, "users").iter().any(|c| c.starts_with("legacy_flag boolean")));
    assert!(!pg_columns(&db, "audit_events").is_empty());
}

const MY_SCHEMA: &str = "CREATE TABLE `orders` (\n  `id` bigint NOT NULL AUTO_INCREMENT,\n  `number` varchar(255) NOT NULL,\n  `total_cents` int NOT NULL DEFAULT 0,\n  `notes` text,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n";

fn my_example() -> (tempfile::TempDir, Config, mysql::TempDb) {
    let dir = tempfile::tempdir().unwrap();
    let config = registry(dir.path(), "mysql", MY_SCHEMA);
    let db = mysql::TempDb::new();
    db.execute(MY_SCHEMA);
    db.execute(
        "INSERT INTO orders (id, number, total_cents, notes)
           SELECT seq, CONCAT('n', seq), seq, CONCAT('note ', seq) FROM seq_1_to_2000",
    );
    (dir, config, db)
}

#[test]
fn mariadb_rename_column_under_a_concurrent_writer() {
    let (_dir, config, db) = my_example();
    let change = Change::RenameColumn { table: "orders".into(), from: "notes".into(), to: "internal_notes".into() };
    let (_plan, written, writes) = run_plan(
        &config,
        &db.url(),
        &change,
        Some((
            "INSERT INTO orders (number, notes) VALUES ('w', '{v}') RETURNING CAST(id AS CHAR)".into(),
            "UPDATE orders SET notes = '{v}' WHERE id = {id}".into(),
            2000,
        )),
    );
    assert!(writes > 5, "{writes}");
    let cols = db.query_strings(&format!("SELECT column_name FROM information_schema.columns WHERE table_schema = '{}' AND table_name = 'orders' ORDER BY ordinal_position", db.name()));
    assert_eq!(cols, ["id", "number", "total_cents", "internal_notes"]);
    let rows = by_id(db.query_strings("SELECT CONCAT(id, '=', COALESCE(internal_notes, 'NULL')) FROM orders"));
    assert_writes_kept(&rows, &written, writes, Some(&|id| format!("note {id}")));
}

#[test]
fn mariadb_change_type_under_a_concurrent_writer() {
    let (_dir, config, db) = my_example();
    let change = Change::ChangeType {
        table: "orders".into(),
        column: "total_cents".into(),
        new_column: "total_cents_big".into(),
        new_type: "bigint".into(),
    };
    let (_plan, written, writes) = run_plan(
        &config,
        &db.url(),
        &change,
        Some((
            "INSERT INTO orders (number, total_cents) VALUES ('w', {v}) RETURNING CAST(id AS CHAR)".into(),
            "UPDATE orders SET total_cents = {v} WHERE id = {id}".into(),
            2000,
        )),
    );
    let cols = db.query_strings(&format!("SELECT CONCAT(column_name, ' ', column_type, ' ', is_nullable) FROM information_schema.columns WHERE table_schema = '{}' AND table_name = 'orders' ORDER BY ordinal_position", db.name()));
    assert_eq!(cols, ["id bigint(20) NO", "number varchar(255) NO", "notes text YES", "total_cents_big bigint(20) NO"]);
    let rows = by_id(db.query_strings("SELECT CONCAT(id, '=', total_cents_big) FROM orders"));
    assert_writes_kept(&rows, &written, writes, None);
}

#[test]
fn every_layout_and_format_reads_back_with_its_down_parts() {
    for (layout_file, format) in [
        ("V1__init.sql", tandem::migration::Format::Sql),
        ("000001_init.up.sql", tandem::migration::Format::Sql),
        ("1_init.sql", tandem::migration::Format::Sql),
        ("", tandem::migration::Format::Rails),
        ("", tandem::migration::Format::Ecto),
        ("", tandem::migration::Format::Django),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let schema = std::fs::read_to_string(Path::new(REPO).join("schema/structure.sql")).unwrap();
        let config = registry(dir.path(), "postgres", &schema);
        if !layout_file.is_empty() {
            std::fs::write(dir.path().join("migrations").join(layout_file), "SELECT 1;\n").unwrap();
        }
        let change = Change::RenameColumn { table: "orders".into(), from: "notes".into(), to: "internal_notes".into() };
        let plan = tandem::plan::plan(&config, &change, &Options { format, ..options() }).unwrap();
        let read = tandem::migration::load_path(
            &dir.path().join("migrations"),
            Some(format),
            tandem::schema::Dialect::Postgres,
        )
        .unwrap();
        let ours: Vec<_> = read.iter().filter(|m| plan.phases.iter().any(|p| p.version == m.version)).collect();
        assert_eq!(ours.len(), 4, "{layout_file} {format:?}: {:?}", read.iter().map(|m| &m.file).collect::<Vec<_>>());
        for m in ours {
            assert!(!m.up.is_empty(), "{}", m.file.display());
            assert!(m.down.is_some(), "{} has no down part", m.file.display());
            let backfill = plan.phases.iter().find(|p| p.version == m.version).unwrap().phase == PhaseKind::Backfill;
            assert_eq!(m.transactional, !backfill, "{}", m.file.display());
        }
    }
}

/// The ledger on a real app repository and database: which phases ran, which ref uses which
/// name, and the one-line answer as the app moves from the old name to the new one.
#[test]
fn the_ledger_answers_whether_the_contract_can_run() {
    use crate::support::git::TestRepo;
    let schema = "CREATE TABLE orders (\n    id bigint NOT NULL PRIMARY KEY,\n    notes text\n);\n";
    let ecto = |field: &str| {
        format!(
            "defmodule Shop.Order do\n  use Ecto.Schema\n\n  schema \"orders\" do\n    field :{field}, :string\n  end\nend\n"
        )
    };
    let mut app = TestRepo::with_files(&[("lib/shop/order.ex", &ecto("notes"))]);
    let deployed = app.rev("HEAD");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("structure.sql"), schema).unwrap();
    std::fs::create_dir_all(dir.path().join("migrations")).unwrap();
    let repo_path = app.path().to_path_buf();
    let toml = |deployed: &str| {
        format!(
            "[registry]\ndialect = \"postgres\"\nschema = \"structure.sql\"\nmigrations = \"migrations\"\n\n\
             [[app]]\nname = \"shop\"\nrepo = \"{}\"\nframework = \"phoenix\"\ndeployed = \"{deployed}\"\nhead = \"main\"\n",
            repo_path.display()
        )
    };
    std::fs::write(dir.path().join("apps.toml"), toml(&deployed)).unwrap();
    let config = tandem::config::load(&dir.path().join("apps.toml")).unwrap();
    let change = Change::RenameColumn { table: "orders".into(), from: "notes".into(), to: "internal_notes".into() };
    let plan = tandem::plan::plan(&config, &change, &options()).unwrap();
    // The app's code steps come from Phoenix's recipe, the one the gate prints.
    let steps: Vec<&str> = plan.apps[0].steps.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        steps,
        tandem::framework::of(tandem::config::Framework::Phoenix)
            .code_steps(&change)
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
    );
    assert!(steps[0].contains("source: :notes"), "{steps:?}");

    let db = pg::TempDb::new();
    db.execute(schema);
    up_to(&config, &db.url(), &plan.phases[0].version);
    let report = tandem::plan::status(&config, None, Some(&db.url())).unwrap();
    let c = &report.changes[0];
    assert_eq!(c.id, "rename-column:orders.notes");
    assert_eq!(
        c.phases.iter().map(|p| p.applied).collect::<Vec<_>>(),
        [Some(true), Some(false), Some(false), Some(false)]
    );
    assert!(c.phases.iter().all(|p| p.files.iter().all(|f| f.exists)));
    assert!(!c.can_contract);
    assert!(
        c.answer.starts_with("not yet: `shop`@deployed still uses `orders.notes` (lib/shop/order.ex:5)"),
        "{}",
        c.answer
    );

    // Head moves to the new name; deployed still has the old one.
    app.commit_files(&[("lib/shop/order.ex", &ecto("internal_notes"))], "use internal_notes");
    let report = tandem::plan::status(&config, Some("rename-column:orders.notes"), Some(&db.url())).unwrap();
    let uses: Vec<(String, String)> = report.changes[0]
        .apps
        .iter()
        .map(|a| (a.git_ref.clone(), serde_json::to_value(a.uses).unwrap().as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(uses, [("deployed".to_owned(), "old".to_owned()), ("head".to_owned(), "new".to_owned())]);

    // Deployed catches up and every phase before the contract has run: the contract can go.
    std::fs::write(dir.path().join("apps.toml"), toml("main")).unwrap();
    let config = tandem::config::load(&dir.path().join("apps.toml")).unwrap();
    up_to(&config, &db.url(), &plan.phases[2].version);
    let report = tandem::plan::status(&config, None, Some(&db.url())).unwrap();
    let c = &report.changes[0];
    assert!(c.can_contract, "{}", c.answer);
    assert!(c.answer.starts_with("yes: no app uses `orders.notes`"), "{}", c.answer);
    // A file of a phase that went missing shows.
    std::fs::remove_file(config.root.join(&plan.phases[3].files[0])).unwrap();
    let report = tandem::plan::status(&config, None, None).unwrap();
    assert!(!report.changes[0].phases[3].files[0].exists);
    assert_eq!(report.changes[0].phases[3].applied, None);
    assert!(tandem::plan::status(&config, Some("drop-table:nope"), None).is_err());
}

/// The command on a copy of the bundled example: the dry run prints every phase and both apps'
/// steps and writes nothing; the real run writes the files and the ledger says the apps still
/// use the old name (exit 1); a column that does not exist is a located input error (exit 2).
#[test]
fn the_command_on_the_bundled_example() {
    use crate::support::cmd::{git, tandem_in};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for path in ["apps.toml", "schema", "migrations", "examples"] {
        let status = std::process::Command::new("cp")
            .args(["-r", &format!("{REPO}/{path}"), &root.display().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "example"]);
    let before = std::fs::read_dir(root.join("migrations")).unwrap().count();

    let out = tandem_in(root)
        .args(["plan", "rename-column", "orders.notes", "internal_notes", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "1. expand",
        "2. sync",
        "3. backfill",
        "4. contract",
        "platform (rails)",
        "portal (phoenix)",
        "alias_attribute :internal_notes, :notes",
        "source: :notes",
        "CREATE TRIGGER",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
    assert_eq!(std::fs::read_dir(root.join("migrations")).unwrap().count(), before);

    let out = tandem_in(root)
        .args(["plan", "rename-column", "orders.notes", "internal_notes", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plan["id"], "rename-column:orders.notes");
    assert_eq!(plan["layout"], "dbmate");
    assert_eq!(std::fs::read_dir(root.join("migrations")).unwrap().count(), before + 4);

    let out = tandem_in(root).args(["plan", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("rename-column:orders.notes — not yet: `platform`@deployed still uses `orders.notes`"),
        "{text}"
    );
    assert!(text.contains("portal@head: uses the old name"), "{text}");

    // The contract is what the gate blocks.
    let out = tandem_in(root).args(["check", "--format", "json"]).output().unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let contract = plan["phases"][3]["files"][0].as_str().unwrap();
    let blocked = report["findings"].as_array().unwrap().iter().any(|f| {
        f["rule"] == "drop-column"
            && f["severity"] == "block"
            && f["location"]["file"].as_str().is_some_and(|p| p.ends_with(contract))
    });
    assert!(blocked, "the contract {contract} is not blocked: {report}");

    let out = tandem_in(root).args(["plan", "drop-column", "orders.nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("table `orders` has no column `nope`"), "{err}");
}

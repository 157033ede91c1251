//! `tandem schema show | dump | diff` end to end: the bundled example's dump against a real
//! PostgreSQL database it was loaded into.

use crate::support;

use assert_cmd::Command;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/structure.sql");

fn tandem() -> Command {
    let mut c = Command::cargo_bin("tandem").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn show_lists_every_table_of_the_example_with_totals() {
    let out = tandem().args(["schema", "show"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let tables: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("│ "))
        .map(|l| l.split_whitespace().next().unwrap())
        .filter(|t| *t != "table")
        .collect();
    assert_eq!(
        tables,
        [
            "ar_internal_metadata",
            "audit_events",
            "line_items",
            "orders",
            "organizations",
            "products",
            "schema_migrations",
            "support_tickets",
            "users",
            "9"
        ]
    );
    let users = text.lines().find(|l| l.starts_with("│ users ")).unwrap();
    let cells: Vec<&str> = users.split(['│', '┆']).map(str::trim).filter(|c| !c.is_empty()).collect();
    assert_eq!(cells, ["users", "11", "3", "1", "2", "active_users"]);
    assert!(text.contains("4 applied migrations"), "{text}");
}

#[test]
fn json_show_is_versioned_and_carries_the_model() {
    let out = tandem().args(["schema", "show", "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let users = v["schema"]["tables"].as_array().unwrap().iter().find(|t| t["name"]["name"] == "users").unwrap();
    let email = users["columns"].as_array().unwrap().iter().find(|c| c["name"] == "email").unwrap();
    assert_eq!(email["data_type"], "public.citext");
    assert_eq!(email["nullable"], false);
}

#[test]
fn dump_is_deterministic_and_reads_back_to_the_same_schema() {
    let first = tandem().args(["schema", "dump"]).output().unwrap();
    let second = tandem().args(["schema", "dump"]).output().unwrap();
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(first.stdout, second.stdout);
    let dir = tempfile::tempdir().unwrap();
    let dumped = dir.path().join("dumped.sql");
    std::fs::write(&dumped, &first.stdout).unwrap();
    let out = tandem().args(["schema", "diff", EXAMPLE]).arg(&dumped).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn diff_against_the_live_database_is_empty_then_shows_each_change() {
    let db = support::pg::TempDb::new();
    db.psql(&std::fs::read_to_string(EXAMPLE).unwrap());
    let var = format!("TANDEM_TEST_URL_{}", std::process::id());
    let run = || {
        tandem()
            .env(&var, db.url())
            .args(["schema", "diff", EXAMPLE, &format!("env:{var}"), "--format", "json"])
            .output()
            .unwrap()
    };
    let out = run();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["equal"], true);

    db.execute("ALTER TABLE organizations ALTER COLUMN plan TYPE text");
    db.execute("ALTER TABLE orders ALTER COLUMN notes SET NOT NULL");
    db.execute("DROP INDEX index_users_on_lower_name");
    db.execute("CREATE TABLE coupons (code text PRIMARY KEY)");
    db.execute("DELETE FROM schema_migrations WHERE version = '20251020143000'");
    let out = run();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let got: Vec<String> = v["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{} {} {} {}", d["object"].as_str().unwrap(), d["kind"], d["change"], d["field"]))
        .collect();
    assert_eq!(
        got,
        [
            "20251020143000 \"migration\" \"removed\" null",
            "public.coupons \"table\" \"added\" null",
            "public.orders.notes \"column\" \"changed\" \"nullable\"",
            "public.organizations.plan \"column\" \"changed\" \"type\"",
            "public.users.index_users_on_lower_name \"index\" \"removed\" null",
        ]
    );
}

#[test]
fn a_broken_dump_is_a_located_input_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.sql");
    std::fs::write(&bad, "CREATE TABLE ok (id int);\n\nCREATE TABLE broken (id int,,);\n").unwrap();
    let out = tandem().args(["schema", "show", "--schema"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:3:", bad.display())), "{err}");
}

#[test]
fn an_unreachable_database_is_an_environment_error_without_the_password() {
    let out = tandem()
        .env("TANDEM_TEST_DEAD_URL", "postgres://app:hunter2@127.0.0.1:1/nowhere")
        .args(["schema", "show", "--schema", "env:TANDEM_TEST_DEAD_URL"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("hunter2"), "{err}");
}

/// A registry with migrations and no dump (many Phoenix and Django apps commit none): `schema
/// show` shows the migrations replayed, and says so; with neither, the error names both.
#[test]
fn show_without_a_dump_replays_the_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("migrations")).unwrap();
    std::fs::write(root.join("apps.toml"), "[registry]\ndialect = \"postgres\"\nmigrations = \"migrations\"\n")
        .unwrap();
    std::fs::write(
        root.join("migrations/20260101000000_users.sql"),
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
    )
    .unwrap();
    std::fs::write(root.join("migrations/20260102000000_name.sql"), "ALTER TABLE users ADD COLUMN name text;\n")
        .unwrap();
    let out = tandem().current_dir(root).args(["schema", "show", "--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["source"].as_str().unwrap().contains("migrations, replayed"), "{}", v["source"]);
    let users = &v["schema"]["tables"][0];
    let columns: Vec<&str> = users["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(columns, ["id", "email", "name"]);

    std::fs::write(root.join("apps.toml"), "[registry]\ndialect = \"postgres\"\n").unwrap();
    let out = tandem().current_dir(root).args(["schema", "show"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no schema source and no migrations") && err.contains("apps.toml"), "{err}");
}

//! The MySQL/MariaDB dump reader on realistic dumps (MariaDB 10.11 `mariadb-dump`, MySQL 8
//! `mysqldump`, Rails' MySQL `structure.sql`) and on a dump taken from the real MariaDB server.

use std::path::{Path, PathBuf};
use std::process::Command;

use tandem::schema::{Dialect, FkAction, Identity, IndexPart, Schema, mysql};

fn fixture(name: &str) -> (PathBuf, String) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema/mysql").join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (p, text)
}

fn parse_fixture(name: &str) -> Schema {
    let (p, text) = fixture(name);
    mysql::parse(&text, &p).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_fixture_round_trips_through_render() {
    for name in ["mariadb_dump.sql", "mysql8.sql", "rails_structure.sql", "mariadb_load.sql", "mariadb_features.sql"] {
        let first = parse_fixture(name);
        let rendered = mysql::render(&first);
        let second = mysql::parse(&rendered, Path::new("rendered.sql")).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(first, second, "{name}");
        assert_eq!(rendered, mysql::render(&second), "{name}: render is not stable");
    }
}

#[test]
fn mariadb_dump_columns_match_information_schema_forms() {
    let s = parse_fixture("mariadb_dump.sql");
    assert_eq!(s.dialect, Dialect::Mysql);
    let names: Vec<&str> = s.tables.iter().map(|t| t.name.name.as_str()).collect();
    assert_eq!(names, ["organizations", "users"]);
    let orgs = s.table("organizations").unwrap();
    assert!(orgs.name.schema.is_none());
    let col = |n: &str| orgs.column(n).unwrap();
    assert_eq!(col("id").data_type, "bigint(20)");
    assert_eq!(col("id").identity, Some(Identity::AutoIncrement));
    assert!(!col("id").nullable);
    assert_eq!(col("status").default.as_deref(), Some("'active'"));
    assert_eq!(col("status").comment.as_deref(), Some("lifecycle"));
    assert_eq!(col("plan").data_type, "enum('free','pro')");
    assert_eq!(col("price").default.as_deref(), Some("0.00"));
    assert_eq!(col("score").default, None);
    assert_eq!(col("flag").data_type, "tinyint(1)");
    assert_eq!(col("flag").default.as_deref(), Some("0"));
    assert_eq!(col("tiny").data_type, "tinyint(3) unsigned");
    assert_eq!(col("created_at").default.as_deref(), Some("current_timestamp(6)"));
    assert_eq!(col("updated_at").default.as_deref(), Some("current_timestamp()"));
    assert_eq!(col("data").data_type, "longtext");
    assert_eq!(col("data").collation.as_deref(), Some("utf8mb4_bin"));
    assert_eq!(col("body").collation, None);
    assert_eq!(col("bits").default.as_deref(), Some("b'1'"));
    assert_eq!(col("d").default.as_deref(), Some("'2020-01-01'"));
    assert_eq!(col("full_name").generated.as_deref(), Some("concat(`name`, ' ', `status`)"));
    assert_eq!(col("n").default.as_deref(), Some("-1"));
    assert_eq!(col("yr").data_type, "year(4)");
    assert_eq!(orgs.comment.as_deref(), Some("orgs"));
    assert_eq!(orgs.primary_key.as_ref().unwrap().columns, ["id"]);
    let idx: Vec<(&str, bool, &str)> =
        orgs.indexes.iter().map(|i| (i.name.as_str(), i.unique, i.method.as_str())).collect();
    assert_eq!(
        idx,
        [("ft_body", false, "fulltext"), ("idx_status", false, "btree"), ("index_orgs_on_name", true, "btree")]
    );
    assert_eq!(orgs.indexes[1].columns().collect::<Vec<_>>(), ["status", "created_at"]);
    let checks: Vec<(Option<&str>, &str)> =
        orgs.checks.iter().map(|c| (c.name.as_deref(), c.expression.as_str())).collect();
    assert_eq!(checks, [(Some("chk_price"), "price >= 0"), (Some("data"), "json_valid(`data`)")]);

    let users = s.table("users").unwrap();
    let fk = &users.foreign_keys[0];
    assert_eq!(fk.name.as_deref(), Some("fk_rails_1"));
    assert_eq!(fk.columns, ["organization_id"]);
    assert_eq!(fk.references.name, "organizations");
    assert_eq!(fk.referenced_columns, ["id"]);
    assert_eq!((fk.on_delete, fk.on_update), (FkAction::Cascade, FkAction::SetNull));

    // The stand-in written first is replaced by the real view, which knows what it reads.
    assert_eq!(s.views.len(), 1);
    let v = &s.views[0];
    assert_eq!(v.name.name, "active_users");
    let deps: Vec<(&str, Vec<&str>)> = v
        .depends_on
        .iter()
        .map(|d| (d.relation.name.as_str(), d.columns.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        deps,
        [("organizations", vec!["id", "name", "status"]), ("users", vec!["email", "id", "organization_id"])]
    );

    assert_eq!(s.triggers.len(), 1);
    let t = &s.triggers[0];
    assert_eq!((t.name.as_str(), t.table.name.as_str(), t.timing.as_str()), ("trg", "users", "BEFORE"));
    assert_eq!(t.events, ["INSERT"]);
    assert_eq!(s.functions[0].body, "SET NEW.email = lower(NEW.email)");
}

#[test]
fn mysql8_dump_normalizes_to_mariadb_forms() {
    let s = parse_fixture("mysql8.sql");
    let c = s.table("customers").unwrap();
    let col = |n: &str| c.column(n).unwrap();
    assert_eq!(col("id").data_type, "bigint(20)");
    assert_eq!(col("visits").data_type, "int(10) unsigned");
    // MySQL 8 quotes numeric defaults; the server stores numbers.
    assert_eq!(col("visits").default.as_deref(), Some("0"));
    assert_eq!(col("credit").default.as_deref(), Some("0.00"));
    assert_eq!(col("is_admin").default.as_deref(), Some("0"));
    assert_eq!(col("status").default.as_deref(), Some("'pending'"));
    assert_eq!(col("created_at").default.as_deref(), Some("current_timestamp(6)"));
    assert_eq!(col("updated_at").default.as_deref(), Some("current_timestamp()"));
    assert!(col("updated_at").nullable);
    assert_eq!(col("profile").data_type, "json");
    assert!(col("email_domain").generated.is_some());
    assert_eq!(c.checks[0].expression, "credit >= 0");
    let expr_index = c.indexes.iter().find(|i| i.name == "index_customers_on_lower_email").unwrap();
    assert_eq!(expr_index.keys[0].part, IndexPart::Expression("lower(email)".into()));
    let desc = c.indexes.iter().find(|i| i.name == "index_customers_on_status_and_created_at").unwrap();
    assert_eq!(desc.keys[1].order.as_deref(), Some("DESC"));
    assert_eq!(c.comment.as_deref(), Some("People who buy things"));
    assert_eq!(s.table("orders").unwrap().column("id").unwrap().data_type, "bigint(20) unsigned");
    assert_eq!(
        s.table("orders").unwrap().column("note").unwrap().comment.as_deref(),
        Some("free text, shown to support")
    );

    assert!(s.table("customer_totals").is_none(), "the stand-in table must be gone");
    let v = s.view("customer_totals").unwrap();
    let deps: Vec<(&str, Vec<&str>)> = v
        .depends_on
        .iter()
        .map(|d| (d.relation.name.as_str(), d.columns.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(deps, [("customers", vec!["email", "id"]), ("orders", vec!["customer_id", "total"])]);

    let f = &s.functions[0];
    assert_eq!(
        (f.name.name.as_str(), f.arguments.as_str(), f.returns.as_str()),
        ("order_tax", "amount DECIMAL(10,2)", "decimal(10,2)")
    );
}

#[test]
fn rails_structure_keeps_migrations_and_triggers() {
    let s = parse_fixture("rails_structure.sql");
    assert_eq!(s.migrations, ["20231201120000", "20240101000000", "20240215093000"]);
    let names: Vec<&str> = s.tables.iter().map(|t| t.name.name.as_str()).collect();
    assert_eq!(names, ["ar_internal_metadata", "posts", "schema_migrations", "users"]);
    let posts = s.table("posts").unwrap();
    assert_eq!(posts.foreign_keys[0].on_delete, FkAction::NoAction);
    assert_eq!(posts.column("published").unwrap().default.as_deref(), Some("0"));
    assert_eq!(s.table("users").unwrap().column("email").unwrap().default.as_deref(), Some("''"));
    assert_eq!(s.triggers[0].name, "posts_touch_user");
    assert_eq!(s.triggers[0].timing, "AFTER");
}

#[test]
fn a_statement_that_does_not_parse_is_located() {
    let text = "/*!40101 SET NAMES utf8mb4 */;\n\nCREATE TABLE `t` (\n  `a` int NOT NULL,\n  `b` varchar(10) DEFAULT 'x' NOT NOT NULL\n);\n";
    let err = mysql::parse(text, Path::new("db/structure.sql")).unwrap_err();
    let d = err.diagnostic();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(d.file.as_deref(), Some(Path::new("db/structure.sql")));
    assert_eq!(d.line, Some(5), "{d}");
    assert!(d.message.contains("cannot parse MySQL statement"), "{d}");

    let err = mysql::parse("SET x = 1;\nGRANT ALL ON *.* TO app;\n", Path::new("d.sql")).unwrap_err();
    assert_eq!(err.diagnostic().location().as_deref(), Some("d.sql:2:1"));
    assert!(err.diagnostic().message.contains("unsupported statement `GRANT ALL ON`"), "{}", err.diagnostic());

    let err = mysql::parse("CREATE TABLE t (a varchar(3) DEFAULT 'x);\n", Path::new("d.sql")).unwrap_err();
    assert_eq!(err.diagnostic().location().as_deref(), Some("d.sql:1:38"));
}

/// Runs a MariaDB client binary against the local server.
fn client(bin: &str, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut cmd = Command::new(bin);
    cmd.args(["-h127.0.0.1", "-P3306", "-uroot"]).args(args);
    cmd.stdin(std::process::Stdio::piped()).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    let mut child =
        cmd.spawn().unwrap_or_else(|e| panic!("cannot run {bin} (MariaDB client tools must be installed): {e}"));
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{bin} {args:?} failed (is MariaDB answering on 127.0.0.1:3306 as root?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct TempDb(String);

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = Command::new("mariadb")
            .args(["-h127.0.0.1", "-uroot", "-e", &format!("DROP DATABASE IF EXISTS `{}`", self.0)])
            .status();
    }
}

#[test]
fn a_real_mariadb_dump_parses_and_agrees_with_information_schema() {
    let db = TempDb(format!(
        "tandem_mysqlrb_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000
    ));
    client("mariadb", &["-e", &format!("CREATE DATABASE `{}`", db.0)], None);
    let (_, ddl) = fixture("mariadb_load.sql");
    client("mariadb", &[&db.0], Some(&ddl));
    let dump = client("mariadb-dump", &["--no-data", "--routines", &db.0], None);
    let schema = mysql::parse(&dump, Path::new("live-dump.sql")).unwrap_or_else(|e| panic!("{e}\n{dump}"));
    assert_eq!(schema, mysql::parse(&mysql::render(&schema), Path::new("r.sql")).unwrap());

    // Every column's type and default must read exactly as information_schema prints them.
    let rows = client(
        "mariadb",
        &[
            "-N",
            "-B",
            "-e",
            &format!(
                "SELECT c.TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COALESCE(COLUMN_DEFAULT, 'NULL') FROM information_schema.COLUMNS c JOIN information_schema.TABLES t USING (TABLE_SCHEMA, TABLE_NAME) WHERE TABLE_SCHEMA = '{}' AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY c.TABLE_NAME, ORDINAL_POSITION",
                db.0
            ),
        ],
        None,
    );
    let mut seen = 0;
    for row in rows.lines() {
        let f: Vec<&str> = row.split('\t').collect();
        let col = schema.table(f[0]).unwrap().column(f[1]).unwrap();
        assert_eq!(col.data_type, f[2], "{}.{}", f[0], f[1]);
        assert_eq!(col.nullable, f[3] == "YES", "{}.{}", f[0], f[1]);
        let want = if f[4] == "NULL" { None } else { Some(f[4]) };
        assert_eq!(col.default.as_deref(), want, "{}.{}", f[0], f[1]);
        seen += 1;
    }
    assert_eq!(seen, 24);
    assert_eq!(schema.views[0].depends_on.len(), 2);
    assert_eq!(schema.triggers.len(), 1);
}

#[test]
fn hand_written_alter_table_and_create_index_are_read() {
    let text = "CREATE TABLE a (id int PRIMARY KEY, b_id int, email varchar(100) UNIQUE);\nCREATE TABLE b (id int NOT NULL, PRIMARY KEY (id));\nALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id) ON DELETE SET NULL;\nCREATE UNIQUE INDEX a_b_email ON a (b_id, email);\nDROP TABLE IF EXISTS gone;\n";
    let s = mysql::parse(text, Path::new("hand.sql")).unwrap_or_else(|e| panic!("{e}"));
    let a = s.table("a").unwrap();
    assert_eq!(a.column("id").unwrap().data_type, "int(11)");
    assert!(!a.column("id").unwrap().nullable);
    assert_eq!(a.foreign_keys[0].name.as_deref(), Some("a_b"));
    assert_eq!(a.foreign_keys[0].on_delete, FkAction::SetNull);
    let names: Vec<(&str, bool)> = a.indexes.iter().map(|i| (i.name.as_str(), i.unique)).collect();
    assert_eq!(names, [("a_b_email", true), ("email", true)]);
    assert_eq!(mysql::parse(&mysql::render(&s), Path::new("r.sql")).unwrap(), s);

    let err = mysql::parse("CREATE TABLE a (id int);\nDROP INDEX i ON a;\n", Path::new("x.sql")).unwrap_err();
    assert_eq!(err.diagnostic().location().as_deref(), Some("x.sql:2:1"));
    let err =
        mysql::parse("ALTER TABLE missing ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES y (id);", Path::new("x.sql"))
            .unwrap_err();
    assert!(err.diagnostic().message.contains("table `missing` is not defined"), "{}", err.diagnostic());
}

#[test]
fn mariadb_features_dump() {
    // mariadb-dump --no-data --routines of tests/fixtures/schema/mysql/mariadb_features.sql's source:
    // sequences, partitions, system versioning, invisible columns, hash uniques, routines.
    let s = parse_fixture("mariadb_features.sql");
    let seq = &s.sequences[0];
    assert_eq!((seq.name.name.as_str(), seq.start, seq.increment), ("s1", Some(10), Some(1)));
    let events = s.table("events").unwrap();
    assert_eq!(events.partition_by.as_deref(), Some("RANGE (year(happened_on))"));
    assert_eq!(events.primary_key.as_ref().unwrap().columns, ["id", "happened_on"]);
    let col = |n: &str| events.column(n).unwrap();
    assert_eq!(col("kind").collation.as_deref(), Some("ascii_general_ci"));
    assert_eq!(col("kind").default.as_deref(), Some("'x'"));
    assert_eq!(col("rate").data_type, "double(8,3)");
    assert_eq!(col("rate").default.as_deref(), Some("1.500"));
    assert_eq!(col("flags").data_type, "set('a','b','c')");
    assert_eq!(col("flags").default.as_deref(), Some("'a,b'"));
    assert_eq!(col("uid").default.as_deref(), Some("uuid()"));
    assert_eq!(col("q").default.as_deref(), Some("'it''s'"));
    let idx: Vec<(&str, bool, &str)> =
        events.indexes.iter().map(|i| (i.name.as_str(), i.unique, i.method.as_str())).collect();
    assert_eq!(idx, [("k_kind", false, "btree"), ("u_note", true, "hash")]);
    assert!(s.table("hist").is_some());
    let routines: Vec<(&str, &str, &str)> =
        s.functions.iter().map(|f| (f.name.name.as_str(), f.arguments.as_str(), f.returns.as_str())).collect();
    assert_eq!(routines, [("f1", "a int", "int(11)"), ("p1", "IN x int", "")]);
}

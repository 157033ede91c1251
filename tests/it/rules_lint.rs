//! One positive and one negative test per lint rule, on SQL migrations read by the real reader
//! against a schema built by replaying setup SQL.

use tandem::check::{self, CheckOptions, Finding, Gate, Severity};
use tandem::schema::Schema;

use crate::support::migration::{read, schema_of};

fn schema() -> Schema {
    schema_of(SETUP)
}

const SETUP: &str = "
CREATE TABLE users (
  id bigint PRIMARY KEY,
  email varchar(100) NOT NULL,
  name text,
  bio varchar(50),
  score numeric(10,2),
  seen_at timestamp,
  legacy_flag boolean DEFAULT false NOT NULL
);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, notes text, total integer);
CREATE TABLE line_items (id bigint PRIMARY KEY, order_id bigint REFERENCES orders (id));
";

/// Check a dbmate migration (`sql` is its up part; a trivial down part is added so that only
/// `irreversible-migration` tests see a missing one).
fn check(sql: &str) -> Vec<Finding> {
    check_file("20260101000000_m.sql", &format!("-- migrate:up\n{sql}\n-- migrate:down\nSELECT 1;\n"))
}

fn check_file(name: &str, text: &str) -> Vec<Finding> {
    let migrations = read(name, text);
    let gate = Gate::default();
    let options = CheckOptions { strict: true, today: "2026-06-01".into(), ..Default::default() };
    check::run(&migrations, &schema(), &gate, &[], None, &options).expect("check runs").findings
}

fn rule<'a>(findings: &'a [Finding], id: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == id).collect()
}

fn fires(sql: &str, id: &str) -> Finding {
    let all = check(sql);
    let hits = rule(&all, id);
    assert_eq!(hits.len(), 1, "{id} should fire once on {sql:?}; findings: {all:#?}");
    hits[0].clone()
}

fn quiet(sql: &str, id: &str) {
    let all = check(sql);
    assert!(rule(&all, id).is_empty(), "{id} should not fire on {sql:?}; findings: {all:#?}");
}

#[test]
fn require_concurrent_index_creation() {
    let f = fires(
        "SET lock_timeout = '1s';\nCREATE INDEX idx_users_name ON users (name);",
        "require-concurrent-index-creation",
    );
    assert_eq!(f.severity, Severity::Warn);
    assert_eq!(f.object.as_deref(), Some("idx_users_name"));
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(3));
    assert!(f.recipes[0].steps[0].contains("CREATE INDEX CONCURRENTLY idx_users_name"));
    quiet("CREATE INDEX CONCURRENTLY idx_users_name ON users (name);", "require-concurrent-index-creation");
    // Harmless on a table created in the same migration.
    quiet(
        "CREATE TABLE audits (id bigint, at timestamptz);\nCREATE INDEX idx_audits_at ON audits (at);",
        "require-concurrent-index-creation",
    );
}

#[test]
fn require_concurrent_index_deletion() {
    let f = fires("DROP INDEX idx_users_name;", "require-concurrent-index-deletion");
    assert!(f.recipes[0].steps[0].contains("DROP INDEX CONCURRENTLY"));
    quiet("DROP INDEX CONCURRENTLY idx_users_name;", "require-concurrent-index-deletion");
}

#[test]
fn ban_concurrent_index_creation_in_transaction() {
    let f = fires(
        "CREATE INDEX CONCURRENTLY idx_users_name ON users (name);",
        "ban-concurrent-index-creation-in-transaction",
    );
    assert_eq!(f.severity, Severity::Block);
    let all = check_file(
        "20260101000000_m.sql",
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY idx_users_name ON users (name);\n-- migrate:down\nSELECT 1;\n",
    );
    assert!(rule(&all, "ban-concurrent-index-creation-in-transaction").is_empty(), "{all:#?}");
}

#[test]
fn adding_foreign_key_constraint() {
    let f = fires(
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
        "adding-foreign-key-constraint",
    );
    assert_eq!(f.object.as_deref(), Some("orders_user_fk"));
    assert!(f.recipes[0].steps[0].ends_with("NOT VALID;"), "{:?}", f.recipes);
    quiet(
        "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
        "adding-foreign-key-constraint",
    );
}

#[test]
fn constraint_missing_not_valid() {
    fires("ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0);", "constraint-missing-not-valid");
    quiet(
        "ALTER TABLE orders ADD CONSTRAINT total_positive CHECK (total > 0) NOT VALID;",
        "constraint-missing-not-valid",
    );
}

#[test]
fn adding_not_nullable_field() {
    let f = fires("ALTER TABLE users ALTER COLUMN name SET NOT NULL;", "adding-not-nullable-field");
    assert_eq!(f.object.as_deref(), Some("users.name"));
    // A column added earlier in the migration and backfilled is still checked on every row of
    // its table (the Prisma pattern: ADD COLUMN, UPDATE, SET NOT NULL).
    let f = fires(
        "ALTER TABLE users ADD COLUMN tz text;\nUPDATE users SET tz = 'UTC';\nALTER TABLE users ALTER COLUMN tz SET NOT NULL;",
        "adding-not-nullable-field",
    );
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(4));
    // A table created in the same migration has no rows to scan.
    quiet(
        "CREATE TABLE audits (id bigint, at text);\nALTER TABLE audits ALTER COLUMN at SET NOT NULL;",
        "adding-not-nullable-field",
    );
}

#[test]
fn adding_required_field() {
    let f = fires("ALTER TABLE users ADD COLUMN tz text NOT NULL;", "adding-required-field");
    assert_eq!(f.severity, Severity::Block);
    quiet("ALTER TABLE users ADD COLUMN tz text NOT NULL DEFAULT 'UTC';", "adding-required-field");
    quiet("ALTER TABLE users ADD COLUMN tz text;", "adding-required-field");
}

#[test]
fn adding_field_with_default() {
    let f = fires("ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", "adding-field-with-default");
    assert!(f.message.contains("volatile"), "{}", f.message);
    // Constant and stable defaults only touch the catalog since PostgreSQL 11.
    quiet("ALTER TABLE users ADD COLUMN active boolean DEFAULT true;", "adding-field-with-default");
    quiet("ALTER TABLE users ADD COLUMN added_at timestamptz DEFAULT now();", "adding-field-with-default");
}

#[test]
fn disallowed_unique_constraint() {
    fires("ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", "disallowed-unique-constraint");
    quiet(
        "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
        "disallowed-unique-constraint",
    );
}

#[test]
fn type_change_rewrites_table() {
    let f = fires("ALTER TABLE orders ALTER COLUMN total TYPE bigint;", "type-change-rewrites-table");
    assert!(f.message.contains("from `integer` to `bigint`"), "{}", f.message);
    quiet("ALTER TABLE users ALTER COLUMN bio TYPE varchar(200);", "type-change-rewrites-table");
    quiet("ALTER TABLE users ALTER COLUMN bio TYPE text;", "type-change-rewrites-table");
    quiet("ALTER TABLE users ALTER COLUMN score TYPE numeric(12,2);", "type-change-rewrites-table");
}

#[test]
fn prefer_jsonb() {
    fires("ALTER TABLE users ADD COLUMN prefs json;", "prefer-jsonb");
    quiet("ALTER TABLE users ADD COLUMN prefs jsonb;", "prefer-jsonb");
}

#[test]
fn require_lock_timeout() {
    let f =
        fires("ALTER TABLE users ADD COLUMN tz text;\nALTER TABLE orders ADD COLUMN x text;", "require-lock-timeout");
    assert_eq!(f.object.as_deref(), Some("users"));
    quiet("SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN tz text;", "require-lock-timeout");
    quiet("CREATE TABLE audits (id bigint);\nALTER TABLE audits ADD COLUMN at timestamptz;", "require-lock-timeout");
}

/// On MySQL/MariaDB the wait for a table's metadata lock is `lock_wait_timeout`, and no setting
/// bounds a DDL statement's run time, so only the first rule applies there.
#[test]
fn mysql_timeouts_are_its_own_settings() {
    use tandem::schema::Dialect;
    let read_as = |name: &str, sql: &str| {
        tandem::migration::read_file(std::path::Path::new(name), sql, None, Dialect::Mysql).unwrap()
    };
    let read = |sql: &str| read_as("20260101000000_m.sql", sql);
    let mut schema = Schema::new(Dialect::Mysql);
    let setup = read_as("20250101000000_setup.sql", "CREATE TABLE orders (id bigint PRIMARY KEY, notes text);");
    tandem::migration::replay(&mut schema, &setup).unwrap();
    let findings = |sql: &str| {
        let options = CheckOptions { strict: true, today: "2026-06-01".into(), ..Default::default() };
        check::run(&read(sql), &schema, &Gate::default(), &[], None, &options).unwrap().findings
    };
    let bare = findings("ALTER TABLE orders ADD COLUMN note2 text;");
    let hits = rule(&bare, "require-lock-timeout");
    assert_eq!(hits.len(), 1, "{bare:#?}");
    assert!(hits[0].message.contains("lock_wait_timeout"), "{}", hits[0].message);
    assert!(rule(&bare, "require-statement-timeout").is_empty(), "{bare:#?}");
    for set in ["SET SESSION lock_wait_timeout = 5", "SET lock_wait_timeout = 5", "SET @@session.lock_wait_timeout = 5"]
    {
        let all = findings(&format!("{set};\nALTER TABLE orders ADD COLUMN note2 text;"));
        assert!(rule(&all, "require-lock-timeout").is_empty(), "{set}: {all:#?}");
    }
    // InnoDB makes a column NOT NULL in place under concurrent writes, and `MODIFY` without
    // `DEFAULT` on a column that has none drops nothing.
    let all = findings("SET SESSION lock_wait_timeout = 5;\nALTER TABLE orders MODIFY notes text NOT NULL;");
    for id in ["adding-not-nullable-field", "ban-drop-default"] {
        assert!(rule(&all, id).is_empty(), "{id}: {all:#?}");
    }
    // InnoDB builds and drops a secondary index online; `CONCURRENTLY` is PostgreSQL's.
    let sql = "SET SESSION lock_wait_timeout = 5;\nCREATE INDEX idx_notes ON orders (notes(20));\nDROP INDEX idx_notes ON orders;";
    let kinds: Vec<String> = read(sql)[0].up.iter().map(|o| format!("{:?}", std::mem::discriminant(&o.kind))).collect();
    let ops = &read(sql)[0].up;
    assert!(ops.iter().any(|o| matches!(o.kind, tandem::migration::OpKind::AddIndex { .. })), "{kinds:?}");
    assert!(ops.iter().any(|o| matches!(o.kind, tandem::migration::OpKind::DropIndex { .. })), "{kinds:?}");
    let all = findings(sql);
    for id in ["require-concurrent-index-creation", "require-concurrent-index-deletion"] {
        assert!(rule(&all, id).is_empty(), "{id}: {all:#?}");
    }
    // A global setting or a user variable bounds nothing in the migration's session.
    for set in ["SET GLOBAL lock_wait_timeout = 5", "SET @lock_wait_timeout = 5"] {
        let all = findings(&format!("{set};\nALTER TABLE orders ADD COLUMN note2 text;"));
        assert_eq!(rule(&all, "require-lock-timeout").len(), 1, "{set}: {all:#?}");
    }
}

#[test]
fn ban_drop_not_null() {
    fires("ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", "ban-drop-not-null");
    quiet("ALTER TABLE users ALTER COLUMN email SET DEFAULT '';", "ban-drop-not-null");
}

#[test]
fn ban_truncate_cascade() {
    let f = fires("TRUNCATE orders CASCADE;", "ban-truncate-cascade");
    assert!(f.message.contains("line_items"), "{}", f.message);
    quiet("TRUNCATE orders;", "ban-truncate-cascade");
}

#[test]
fn ddl_after_access_exclusive_lock() {
    let f = fires(
        "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN tz text;\nALTER TABLE orders ADD COLUMN note text;",
        "ddl-after-access-exclusive-lock",
    );
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(4));
    quiet(
        "SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN tz text;\nALTER TABLE users ADD COLUMN tz2 text;",
        "ddl-after-access-exclusive-lock",
    );
}

#[test]
fn irreversible_migration() {
    let all = check_file("20260101000000_m.sql", "-- migrate:up\nALTER TABLE users ADD COLUMN tz text;\n");
    let f = rule(&all, "irreversible-migration");
    assert_eq!(f.len(), 1, "{all:#?}");
    assert_eq!(f[0].location.as_ref().map(|l| l.line), Some(1));
    quiet("ALTER TABLE users ADD COLUMN tz text;", "irreversible-migration");
}

#[test]
fn unparsed_statement_blocks_in_strict_mode() {
    let f = fires("ALTER TABLE users FROBNICATE;", "unparsed-statement");
    assert_eq!(f.severity, Severity::Block);
    quiet("ALTER TABLE users ADD COLUMN tz text;", "unparsed-statement");
}

/// Check with the style rules `enable` turned on, as apps.toml's `[lint] enable` does.
fn check_enabled(sql: &str, enable: &[&'static str]) -> Vec<Finding> {
    let migrations = read("20260101000000_m.sql", &format!("-- migrate:up\n{sql}\n-- migrate:down\nSELECT 1;\n"));
    let rules = tandem::rules::Selection { enable: enable.to_vec(), disable: vec![] };
    let options = CheckOptions { strict: true, today: "2026-06-01".into(), rules };
    check::run(&migrations, &schema(), &Gate::default(), &[], None, &options).expect("check runs").findings
}

#[test]
fn require_statement_timeout() {
    let f = fires("SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN tz text;", "require-statement-timeout");
    assert_eq!(f.object.as_deref(), Some("users"));
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(3));
    quiet("SET statement_timeout = '30s';\nALTER TABLE users ADD COLUMN tz text;", "require-statement-timeout");
    quiet("CREATE TABLE audits (id bigint);\nALTER TABLE audits ADD COLUMN at text;", "require-statement-timeout");
}

#[test]
fn ban_drop_constraint() {
    let f = fires("ALTER TABLE orders DROP CONSTRAINT orders_user_fk;", "ban-drop-constraint");
    assert!(f.message.contains("orders_user_fk"), "{}", f.message);
    // Dropped and added back under the same name in the transaction: never without it.
    quiet(
        "ALTER TABLE orders DROP CONSTRAINT orders_user_fk;\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE;",
        "ban-drop-constraint",
    );
    // ... but not outside one: there is a moment without it.
    let all = check_file(
        "20260101000000_m.sql",
        "-- migrate:up transaction:false\nALTER TABLE orders DROP CONSTRAINT orders_user_fk;\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n-- migrate:down\nSELECT 1;\n",
    );
    assert_eq!(rule(&all, "ban-drop-constraint").len(), 1, "{all:#?}");
    quiet(
        "CREATE TABLE t (id bigint, CONSTRAINT c CHECK (id > 0));\nALTER TABLE t DROP CONSTRAINT c;",
        "ban-drop-constraint",
    );
}

#[test]
fn ban_drop_default() {
    let f = fires("ALTER TABLE users ALTER COLUMN legacy_flag DROP DEFAULT;", "ban-drop-default");
    assert!(f.message.contains("fails (the column is NOT NULL)"), "{}", f.message);
    let f = fires(
        "ALTER TABLE users ADD COLUMN tz text DEFAULT 'UTC';\nALTER TABLE users ALTER COLUMN tz DROP DEFAULT;",
        "ban-drop-default",
    );
    assert!(f.message.contains("stores NULL"), "{}", f.message);
    // `name` has no default: there is nothing to drop (MySQL's `MODIFY` without `DEFAULT` reads
    // as a drop of the default, whether or not the column had one).
    quiet("ALTER TABLE users ALTER COLUMN name DROP DEFAULT;", "ban-drop-default");
    // Added with a default to fill the existing rows, then the default dropped (how Prisma adds a
    // required column): the code deployed now inserts without `tz`, and those inserts now fail.
    let f = fires(
        "ALTER TABLE users ADD COLUMN tz text NOT NULL DEFAULT 'UTC';\nALTER TABLE users ALTER COLUMN tz DROP DEFAULT;",
        "ban-drop-default",
    );
    assert!(f.message.contains("fails (the column is NOT NULL)"), "{}", f.message);
    quiet(
        "CREATE TABLE t (id bigint, a text DEFAULT 'x');\nALTER TABLE t ALTER COLUMN a DROP DEFAULT;",
        "ban-drop-default",
    );
}

#[test]
fn ban_drop_sequence() {
    let f = fires("DROP SEQUENCE IF EXISTS public.order_numbers;", "ban-drop-sequence");
    assert_eq!(f.object.as_deref(), Some("public.order_numbers"));
    quiet("CREATE SEQUENCE order_numbers;", "ban-drop-sequence");
}

#[test]
fn require_enum_value_ordering() {
    let setup = "CREATE TYPE mood AS ENUM ('ok', 'sad');";
    let f = fires(&format!("{setup}\nALTER TYPE mood ADD VALUE 'meh';"), "require-enum-value-ordering");
    assert!(f.message.contains("`meh`"), "{}", f.message);
    quiet(&format!("{setup}\nALTER TYPE mood ADD VALUE 'meh' AFTER 'ok';"), "require-enum-value-ordering");
}

#[test]
fn adding_serial_primary_key_field() {
    let f = fires(
        "ALTER TABLE line_items DROP CONSTRAINT IF EXISTS x;\nALTER TABLE orders ADD PRIMARY KEY (user_id);",
        "adding-serial-primary-key-field",
    );
    assert!(f.recipes[0].steps[0].contains("CREATE UNIQUE INDEX CONCURRENTLY orders_pkey ON orders (user_id)"));
    quiet(
        "ALTER TABLE orders ADD CONSTRAINT orders_pkey PRIMARY KEY USING INDEX orders_uniq;",
        "adding-serial-primary-key-field",
    );
    quiet("CREATE TABLE t (id bigint);\nALTER TABLE t ADD PRIMARY KEY (id);", "adding-serial-primary-key-field");
}

#[test]
fn style_rules_are_off_until_enabled() {
    let sql =
        "CREATE TABLE events (id serial PRIMARY KEY, at timestamp, n integer);\nALTER TABLE users ADD COLUMN c bigint;";
    let off = check(sql);
    for id in ["prefer-bigint-over-int", "prefer-identity", "prefer-timestamp-tz", "prefer-robust-stmts"] {
        assert!(rule(&off, id).is_empty(), "{id} is a style rule: off by default; {off:#?}");
    }
    let on = check_enabled(sql, &["prefer-bigint-over-int", "prefer-identity", "prefer-timestamp-tz"]);
    let objects = |id| rule(&on, id).iter().filter_map(|f| f.object.clone()).collect::<Vec<_>>();
    assert_eq!(objects("prefer-bigint-over-int"), ["events.id", "events.n"]);
    assert_eq!(objects("prefer-identity"), ["events.id"]);
    assert_eq!(objects("prefer-timestamp-tz"), ["events.at"]);
    let on = check_enabled(
        "CREATE TABLE e (id bigint GENERATED BY DEFAULT AS IDENTITY, at timestamptz);",
        &["prefer-identity", "prefer-timestamp-tz", "prefer-bigint-over-int"],
    );
    assert!(on.iter().all(|f| !f.rule.starts_with("prefer-")), "{on:#?}");
}

#[test]
fn prefer_robust_stmts_only_outside_a_transaction() {
    let sql = "CREATE TABLE t (id bigint);\nALTER TABLE users ADD COLUMN IF NOT EXISTS c text;\nDROP INDEX CONCURRENTLY idx;\nALTER TABLE orders DROP CONSTRAINT IF EXISTS c1;\nALTER TABLE orders ADD CONSTRAINT c1 CHECK (total > 0) NOT VALID;\nALTER TABLE orders ADD CONSTRAINT c2 CHECK (total > 0) NOT VALID;";
    let enabled = &["prefer-robust-stmts"][..];
    assert!(
        rule(&check_enabled(sql, enabled), "prefer-robust-stmts").is_empty(),
        "in a transaction a failure undoes all"
    );
    let migrations =
        read("20260101000000_m.sql", &format!("-- migrate:up transaction:false\n{sql}\n-- migrate:down\nSELECT 1;\n"));
    let rules = tandem::rules::Selection { enable: enabled.to_vec(), disable: vec![] };
    let options = CheckOptions { strict: true, today: "2026-06-01".into(), rules };
    let all = check::run(&migrations, &schema(), &Gate::default(), &[], None, &options).expect("check runs").findings;
    let lines: Vec<u32> =
        rule(&all, "prefer-robust-stmts").iter().filter_map(|f| f.location.as_ref().map(|l| l.line)).collect();
    // CREATE TABLE without IF NOT EXISTS (line 2), DROP INDEX without IF EXISTS (4), and the
    // constraint not dropped IF EXISTS before it (7).
    assert_eq!(lines, [2, 4, 7], "{all:#?}");
}

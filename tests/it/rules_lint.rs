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
    let options = CheckOptions { strict: true, today: "2026-06-01".into() };
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
    // A column added in the same migration has no rows to scan.
    quiet(
        "ALTER TABLE users ADD COLUMN tz text;\nALTER TABLE users ALTER COLUMN tz SET NOT NULL;",
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

//! The destructive gate over hand-built scan results, suppressions and waivers.

use tandem::check::{self, CheckOptions, CheckReport, Finding, Gate, ScanFailure, Severity, Suppression, Verdict};
use tandem::config::{Confidence, Framework, Waiver};
use tandem::scan::{ObjectRef, RefKind, Reference, ScanResult, ScanSummary};
use tandem::schema::Schema;

use crate::support::migration::{read, schema_of};

fn schema() -> Schema {
    schema_of(SETUP)
}

const SETUP: &str = "
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, legacy_flag boolean, status text);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, notes text, total integer);
CREATE VIEW active_users AS SELECT id, email FROM users WHERE status = 'active';
CREATE VIEW active_emails AS SELECT email FROM active_users;
";

fn reference(app: &str, git_ref: &str, object: ObjectRef, kind: RefKind, confidence: Confidence) -> Reference {
    Reference {
        app: app.into(),
        git_ref: git_ref.into(),
        commit: format!("{app}{git_ref}0000000000").into(),
        path: "app/models/user.rb".into(),
        line: 7,
        column: 3,
        object,
        kind,
        confidence,
        snippet: "validates :legacy_flag".into(),
    }
}

fn scan(app: &str, git_ref: &str, references: Vec<Reference>) -> ScanResult {
    ScanResult {
        app: app.into(),
        git_ref: git_ref.into(),
        revision: git_ref.into(),
        commit: format!("{app}{git_ref}0000000000"),
        references,
        summary: ScanSummary::default(),
    }
}

fn run_with(
    sql: &str,
    scans: &[ScanResult],
    failures: &[ScanFailure],
    waivers: &[Waiver],
    today: &str,
) -> tandem::Result<CheckReport> {
    let migrations = read(
        "20260101000000_m.sql",
        &format!(
            "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\n{sql}\n-- migrate:down\nSELECT 1;\n"
        ),
    );
    let gate = Gate::new(scans, failures, Confidence::Medium)
        .with_frameworks([("platform".to_owned(), Framework::Rails), ("portal".to_owned(), Framework::Phoenix)]);
    let options = CheckOptions { strict: true, today: today.into(), ..Default::default() };
    check::run(&migrations, &schema(), &gate, waivers, Some(&"apps.toml".into()), &options)
}

fn run(sql: &str, scans: &[ScanResult]) -> CheckReport {
    run_with(sql, scans, &[], &[], "2026-06-01").expect("check runs")
}

fn gate_finding<'a>(r: &'a CheckReport, rule: &str) -> &'a Finding {
    r.findings.iter().find(|f| f.rule == rule).unwrap_or_else(|| panic!("no {rule} finding in {:#?}", r.findings))
}

fn clean_scans() -> Vec<ScanResult> {
    vec![scan("platform", "deployed", vec![]), scan("platform", "head", vec![]), scan("portal", "head", vec![])]
}

#[test]
fn drop_column_blocks_listing_every_reference_and_the_rails_recipe() {
    let mut scans = clean_scans();
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::column("users", "legacy_flag"),
        RefKind::Implicit,
        Confidence::High,
    ));
    scans[1].references.push(reference(
        "platform",
        "head",
        ObjectRef::column("users", "legacy_flag"),
        RefKind::Query,
        Confidence::High,
    ));
    let r = run("ALTER TABLE users DROP COLUMN legacy_flag;", &scans);
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.severity, Severity::Block);
    assert_eq!(r.verdict, Verdict::Block);
    assert_eq!(f.object.as_deref(), Some("users.legacy_flag"));
    assert_eq!(f.references.len(), 2);
    assert_eq!(
        f.message,
        "drops column `users.legacy_flag`, but `platform` still uses it: 2 references at deployed and head"
    );
    assert_eq!(f.recipes.len(), 1);
    assert_eq!(f.recipes[0].framework, Some(Framework::Rails));
    assert!(f.recipes[0].steps[0].contains("self.ignored_columns += [\"legacy_flag\"]"), "{:?}", f.recipes);
}

#[test]
fn the_deployed_ref_blocks_even_when_head_is_clean() {
    let mut scans = clean_scans();
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::column("users", "legacy_flag"),
        RefKind::Declaration,
        Confidence::High,
    ));
    let r = run("ALTER TABLE users DROP COLUMN legacy_flag;", &scans);
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.severity, Severity::Block);
    assert_eq!(&*f.references[0].git_ref, "deployed");
}

#[test]
fn no_reference_passes_and_says_what_was_checked() {
    let r = run("ALTER TABLE users DROP COLUMN legacy_flag;", &clean_scans());
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.severity, Severity::Info);
    assert_eq!(r.verdict, Verdict::Pass);
    assert_eq!(
        f.message,
        "drops column `users.legacy_flag`: no app uses it (checked platform@deployed (platfor), platform@head (platfor) and portal@head (portalh))"
    );
    assert_eq!(f.checked.len(), 3);
}

#[test]
fn references_below_min_confidence_do_not_block_but_are_counted() {
    let mut scans = clean_scans();
    scans[2].references.push(reference(
        "portal",
        "head",
        ObjectRef::column("users", "legacy_flag"),
        RefKind::Name,
        Confidence::Low,
    ));
    let r = run("ALTER TABLE users DROP COLUMN legacy_flag;", &scans);
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.severity, Severity::Info);
    assert!(f.message.contains("1 mention below `min_confidence = \"medium\"` ignored"), "{}", f.message);
}

#[test]
fn every_reference_kind_can_block() {
    for kind in [RefKind::Declaration, RefKind::Implicit, RefKind::Query, RefKind::Sql, RefKind::Name] {
        let mut scans = clean_scans();
        scans[2].references.push(reference(
            "portal",
            "head",
            ObjectRef::column("orders", "notes"),
            kind,
            Confidence::Medium,
        ));
        let r = run("ALTER TABLE orders RENAME COLUMN notes TO internal_notes;", &scans);
        let f = gate_finding(&r, "rename-column");
        assert_eq!(f.severity, Severity::Block, "{kind}");
        assert_eq!(f.recipes[0].framework, Some(Framework::Phoenix));
        assert!(f.recipes[0].steps.iter().any(|s| s.contains("field :notes")), "{:?}", f.recipes);
    }
}

#[test]
fn dropping_a_table_is_hit_by_references_to_its_columns_and_to_views_on_it() {
    let mut scans = clean_scans();
    scans[1].references.push(reference(
        "platform",
        "head",
        ObjectRef::column("users", "email"),
        RefKind::Query,
        Confidence::High,
    ));
    let r = run("DROP TABLE users CASCADE;", &scans);
    let f = gate_finding(&r, "drop-table");
    assert_eq!(f.severity, Severity::Block);
    assert_eq!(f.dependents, ["active_emails", "active_users"]);

    let mut scans = clean_scans();
    scans[2].references.push(reference(
        "portal",
        "head",
        ObjectRef::table("active_users"),
        RefKind::Sql,
        Confidence::High,
    ));
    let r = run("ALTER TABLE users DROP COLUMN email CASCADE;", &scans);
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.severity, Severity::Block, "{f:#?}");
    assert!(f.message.contains("(and what depends on it: active_emails and active_users)"), "{}", f.message);
}

#[test]
fn views_of_views_go_with_what_they_read_as_refs_and_graph_say() {
    // An app reads only the view built on the view that reads `users.email`.
    let mut scans = clean_scans();
    scans[2].references.push(reference(
        "portal",
        "head",
        ObjectRef::table("active_emails"),
        RefKind::Sql,
        Confidence::High,
    ));
    let r = run("ALTER TABLE users DROP COLUMN email CASCADE;", &scans);
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.severity, Severity::Block, "{f:#?}");
    assert_eq!(f.dependents, ["active_emails", "active_users"]);
    assert_eq!(&*f.references[0].object.table, "active_emails");
    // The same answer as the graph `tandem refs` and `tandem graph` build.
    let graph = tandem::graph::DepGraph::build(Some(&schema()), &scans);
    assert_eq!(graph.dependent_views(&ObjectRef::column("users", "email")), f.dependents);
    let r = run("DROP VIEW active_users CASCADE;", &scans);
    assert_eq!(gate_finding(&r, "drop-view").severity, Severity::Block);
}

#[test]
fn a_file_that_could_not_be_read_blocks_when_it_could_hold_a_reference_and_in_strict_mode() {
    let file = |may_reference| ScanFailure {
        app: "portal".into(),
        git_ref: "head".into(),
        path: Some("portal/assets/logo.bin".into()),
        message: "blob 1234 is corrupt in the object database".into(),
        may_reference,
    };
    let sql = "ALTER TABLE users DROP COLUMN legacy_flag;";
    let migrations = read(
        "20260101000000_m.sql",
        &format!(
            "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\n{sql}\n-- migrate:down\nSELECT 1;\n"
        ),
    );
    let check = |failure: ScanFailure, strict: bool| {
        let scans = clean_scans();
        let failures = [failure];
        let gate = Gate::new(&scans, &failures, Confidence::Medium);
        let options = CheckOptions { strict, today: "2026-06-01".into(), ..Default::default() };
        let r = check::run(&migrations, &schema(), &gate, &[], None, &options).unwrap();
        gate_finding(&r, "drop-column").clone()
    };
    let f = check(file(true), false);
    assert_eq!(f.severity, Severity::Block);
    assert!(
        f.message.contains("1 file that could use it could not be read, so the gate fails closed"),
        "{}",
        f.message
    );
    assert!(f.message.contains("`portal/assets/logo.bin` of `portal` at head (blob 1234 is corrupt"), "{}", f.message);
    // A file no extractor reads: said, a warning; blocks in strict mode.
    let f = check(file(false), false);
    assert_eq!(f.severity, Severity::Warn, "{f:#?}");
    assert!(f.message.contains("not read, and holding no code tandem reads"), "{}", f.message);
    assert_eq!(check(file(false), true).severity, Severity::Block);
}

#[test]
fn waivers_and_suppressions_accept_a_rules_former_id() {
    let r = run(
        "-- tandem:allow changing-column-type reason=\"orders has 10 rows\"\nALTER TABLE orders ALTER COLUMN total TYPE bigint;",
        &clean_scans(),
    );
    let f = gate_finding(&r, "type-change-rewrites-table");
    assert!(f.suppression.is_some(), "{f:#?}");
    let waiver = Waiver {
        rule: "drop-colum".into(),
        object: "users.legacy_flag".into(),
        reason: "r".into(),
        owner: "o".into(),
        until: "2099-01-01".into(),
        line: 3,
        rule_span: 0..0,
    };
    let err = run_with("ALTER TABLE users DROP COLUMN legacy_flag;", &clean_scans(), &[], &[waiver], "2026-06-01")
        .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(
        err.to_string().contains("apps.toml:3:1: waiver of `users.legacy_flag`: `drop-colum` is not a rule"),
        "{err}"
    );
    assert!(err.to_string().contains("did you mean `drop-column`?"), "{err}");
}

#[test]
fn dropping_what_the_schema_does_not_hold_blocks_naming_it() {
    let r = run("ALTER TABLE users DROP COLUMN nickname;", &clean_scans());
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.severity, Severity::Block);
    assert_eq!(
        f.message,
        "drops column `users.nickname`, but `users` has no column `nickname` in the schema state (the schema): \
         either the migration fails there, or the schema is not the database before it"
    );
    let r = run("DROP TABLE audits;", &clean_scans());
    assert!(gate_finding(&r, "drop-table").message.contains("there is no table `audits` in the schema state"));
    // IF EXISTS says the migration expects it may be gone.
    let r = run("ALTER TABLE users DROP COLUMN IF EXISTS nickname;", &clean_scans());
    assert_eq!(gate_finding(&r, "drop-column").severity, Severity::Info);
}

#[test]
fn rename_table_and_type_change_and_drop_view_consult_the_gate() {
    let mut scans = clean_scans();
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::table("orders"),
        RefKind::Declaration,
        Confidence::High,
    ));
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::column("orders", "total"),
        RefKind::Implicit,
        Confidence::High,
    ));
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::table("active_users"),
        RefKind::Sql,
        Confidence::High,
    ));
    let r = run("ALTER TABLE orders RENAME TO purchases;", &scans);
    assert_eq!(gate_finding(&r, "rename-table").severity, Severity::Block);
    let r = run("ALTER TABLE orders ALTER COLUMN total TYPE bigint;", &scans);
    assert_eq!(gate_finding(&r, "change-column-type").severity, Severity::Block);
    let r = run("DROP VIEW active_users;", &scans);
    assert_eq!(gate_finding(&r, "drop-view").severity, Severity::Block);
    // Dropping and recreating a view in one migration redefines it: with the same columns
    // (named, or through `*`) nothing is dropped.
    let r = run("DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT id, email FROM users;", &scans);
    assert!(r.findings.iter().all(|f| f.rule != "drop-view"), "{:#?}", r.findings);
    let r = run("DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT * FROM users;", &scans);
    assert!(r.findings.iter().all(|f| f.rule != "drop-view"), "{:#?}", r.findings);
}

#[test]
fn a_view_recreated_without_a_column_an_app_reads_blocks_on_that_column() {
    let mut scans = clean_scans();
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::column("active_users", "email"),
        RefKind::Sql,
        Confidence::High,
    ));
    let r = run("DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT id FROM users;", &scans);
    let f = gate_finding(&r, "drop-view");
    assert_eq!(f.severity, Severity::Block);
    assert!(f.message.starts_with("recreates the view without column `active_users.email`"), "{}", f.message);
    // The view reading that column goes with it.
    assert_eq!(f.dependents, ["active_emails"]);
    // Without the app's reference the same redefinition only says what was checked.
    let r = run("DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT id FROM users;", &clean_scans());
    assert_eq!(gate_finding(&r, "drop-view").severity, Severity::Info);
    // A new definition whose columns cannot be told gates the whole view.
    let mut scans = clean_scans();
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::table("active_users"),
        RefKind::Sql,
        Confidence::High,
    ));
    let r = run("DROP VIEW active_users;\nCREATE VIEW active_users AS SELECT * FROM elsewhere;", &scans);
    let f = gate_finding(&r, "drop-view");
    assert_eq!(f.severity, Severity::Block);
    assert!(f.message.contains("which of its columns stay cannot be told"), "{}", f.message);
}

#[test]
fn a_table_renamed_behind_a_view_blocks_only_on_the_columns_the_view_lacks() {
    let mut scans = clean_scans();
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::column("orders", "notes"),
        RefKind::Sql,
        Confidence::High,
    ));
    // The view under the old name has every column: the old name keeps working.
    let r = run("ALTER TABLE orders RENAME TO purchases;\nCREATE VIEW orders AS SELECT * FROM purchases;", &scans);
    assert!(r.findings.iter().all(|f| f.rule != "rename-table"), "{:#?}", r.findings);
    // It lacks `notes`, which the app reads.
    let r = run(
        "ALTER TABLE orders RENAME TO purchases;\nCREATE VIEW orders AS SELECT id, user_id, total FROM purchases;",
        &scans,
    );
    let f = gate_finding(&r, "rename-table");
    assert_eq!(f.severity, Severity::Block);
    assert!(
        f.message.starts_with(
            "renames table `orders` to `purchases`, and the view left under the old name lacks column `orders.notes`"
        ),
        "{}",
        f.message
    );
    assert_eq!(r.findings.iter().filter(|f| f.rule == "rename-table").count(), 1, "{:#?}", r.findings);
}

#[test]
fn an_app_that_could_not_be_scanned_fails_closed() {
    let failures = [ScanFailure::app("portal", "head", "repository /x does not exist")];
    let r = run_with("ALTER TABLE users DROP COLUMN legacy_flag;", &clean_scans()[..2], &failures, &[], "2026-06-01")
        .unwrap();
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.severity, Severity::Block);
    assert!(f.message.contains("`portal` at head could not be checked, so the gate fails closed"), "{}", f.message);
}

#[test]
fn a_suppression_comment_with_a_reason_suppresses_and_the_verdict_follows() {
    let mut scans = clean_scans();
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::column("users", "legacy_flag"),
        RefKind::Name,
        Confidence::High,
    ));
    let sql = "-- tandem:allow drop-column reason=\"the match is a comment\" until=2026-12-31\nALTER TABLE users DROP COLUMN legacy_flag;";
    let r = run(sql, &scans);
    let f = gate_finding(&r, "drop-column");
    assert_eq!(
        f.suppression,
        Some(Suppression::Comment {
            line: 3,
            reason: "the match is a comment".into(),
            until: Some("2026-12-31".into())
        })
    );
    assert_eq!(r.verdict, Verdict::Pass);
    assert_eq!(r.summary.suppressed, 1);

    // Expired: no longer suppresses, and says so.
    let r = run_with(sql, &scans, &[], &[], "2027-01-01").unwrap();
    assert_eq!(gate_finding(&r, "drop-column").suppression, None);
    let e = gate_finding(&r, "expired-suppression");
    assert!(e.message.contains("expired on 2026-12-31"), "{}", e.message);
    assert_eq!(r.verdict, Verdict::Block);
}

#[test]
fn unused_and_reasonless_suppressions() {
    let r =
        run("-- tandem:allow drop-table reason=\"not needed\"\nALTER TABLE users ADD COLUMN tz text;", &clean_scans());
    let f = gate_finding(&r, "unused-suppression");
    assert_eq!(f.severity, Severity::Warn);
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(3));

    let err = run_with(
        "-- tandem:allow drop-column\nALTER TABLE users DROP COLUMN legacy_flag;",
        &clean_scans(),
        &[],
        &[],
        "2026-06-01",
    )
    .unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(err.diagnostic().line, Some(3));
}

#[test]
fn waivers_from_apps_toml() {
    let mut scans = clean_scans();
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::column("users", "legacy_flag"),
        RefKind::Implicit,
        Confidence::High,
    ));
    let waiver = Waiver {
        rule: "drop-column".into(),
        object: "users.legacy_flag".into(),
        reason: "ignored_columns shipped in v3".into(),
        owner: "team-platform".into(),
        until: "2026-07-01".into(),
        line: 12,
        rule_span: 0..0,
    };
    let r = run_with(
        "ALTER TABLE users DROP COLUMN legacy_flag;",
        &scans,
        &[],
        std::slice::from_ref(&waiver),
        "2026-06-01",
    )
    .unwrap();
    assert!(matches!(gate_finding(&r, "drop-column").suppression, Some(Suppression::Waiver { line: 12, .. })));
    assert_eq!(r.verdict, Verdict::Pass);

    let r = run_with("ALTER TABLE users DROP COLUMN legacy_flag;", &scans, &[], &[waiver], "2026-07-02").unwrap();
    assert_eq!(r.verdict, Verdict::Block);
    let e = gate_finding(&r, "expired-suppression");
    assert_eq!(e.location.as_ref().map(|l| (l.file.to_str().unwrap(), l.line)), Some(("apps.toml", 12)));
}

fn run_file(name: &str, text: &str, scans: &[ScanResult]) -> CheckReport {
    let migrations = read(name, text);
    let gate = Gate::new(scans, &[], Confidence::Medium)
        .with_frameworks([("platform".to_owned(), Framework::Rails), ("portal".to_owned(), Framework::Phoenix)]);
    let options = CheckOptions { strict: true, today: "2026-06-01".into(), ..Default::default() };
    check::run(&migrations, &schema(), &gate, &[], None, &options).expect("check runs")
}

#[test]
fn rails_and_ecto_migrations_go_through_the_same_gate_and_hash_comments_suppress() {
    let mut scans = clean_scans();
    scans[2].references.push(reference(
        "portal",
        "head",
        ObjectRef::column("users", "legacy_flag"),
        RefKind::Declaration,
        Confidence::High,
    ));
    scans[2].references.push(reference(
        "portal",
        "head",
        ObjectRef::column("orders", "notes"),
        RefKind::Query,
        Confidence::High,
    ));

    let rails = "class RemoveLegacyFlag < ActiveRecord::Migration[7.1]\n  def change\n    # tandem:allow drop-column reason=\"portal drops the field in the same release\"\n    remove_column :users, :legacy_flag, :boolean\n  end\nend\n";
    let r = run_file("db/migrate/20260101000000_remove_legacy_flag.rb", rails, &scans);
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(4));
    assert_eq!(f.severity, Severity::Block);
    assert!(matches!(&f.suppression, Some(Suppression::Comment { line: 3, .. })), "{f:#?}");

    let ecto = "defmodule Portal.Repo.Migrations.DropNotes do\n  use Ecto.Migration\n\n  def change do\n    alter table(:orders) do\n      remove :notes\n    end\n  end\nend\n";
    let r = run_file("priv/repo/migrations/20260101000000_drop_notes.exs", ecto, &scans);
    let f = gate_finding(&r, "drop-column");
    assert_eq!(f.object.as_deref(), Some("orders.notes"));
    assert_eq!(f.severity, Severity::Block);
    assert_eq!(f.location.as_ref().map(|l| l.line), Some(6));
    assert_eq!(f.recipes[0].framework, Some(Framework::Phoenix));
}

#[test]
fn rename_messages_name_both_sides() {
    let mut scans = clean_scans();
    scans[2].references.push(reference(
        "portal",
        "head",
        ObjectRef::column("orders", "notes"),
        RefKind::Query,
        Confidence::High,
    ));
    let r = run("ALTER TABLE orders RENAME COLUMN notes TO internal_notes;", &scans);
    assert_eq!(
        gate_finding(&r, "rename-column").message,
        "renames column `orders.notes` to `internal_notes`, but `portal` still uses it: 1 reference at head"
    );
}

/// `prisma migrate`'s removal of an enum value makes the type anew and moves the column to it,
/// in either of the two orders Prisma has written: the finding names the removed values.
#[test]
fn a_prisma_enum_recreated_without_a_value_names_the_removed_value() {
    let setup = "CREATE TYPE \"Role\" AS ENUM ('USER', 'ADMIN', 'GUEST');\nCREATE TABLE \"User\" (id bigint PRIMARY KEY, role \"Role\" NOT NULL);\n";
    let schema = schema_of(setup);
    let mut scans = clean_scans();
    scans[0].references.push(reference(
        "platform",
        "deployed",
        ObjectRef::column("User", "role"),
        RefKind::Implicit,
        Confidence::High,
    ));
    let gate = Gate::new(&scans, &[], Confidence::Medium);
    for body in [
        "CREATE TYPE \"Role_new\" AS ENUM ('USER');\nALTER TABLE \"User\" ALTER COLUMN \"role\" TYPE \"Role_new\" USING (\"role\"::text::\"Role_new\");\nALTER TYPE \"Role\" RENAME TO \"Role_old\";\nALTER TYPE \"Role_new\" RENAME TO \"Role\";\nDROP TYPE \"Role_old\";",
        "ALTER TYPE \"Role\" RENAME TO \"Role_old\";\nCREATE TYPE \"Role\" AS ENUM ('USER');\nALTER TABLE \"User\" ALTER COLUMN \"role\" TYPE \"Role\" USING (\"role\"::text::\"Role\");\nDROP TYPE \"Role_old\";",
    ] {
        let migrations = read("20260101000000_m/migration.sql", &format!("-- AlterEnum\nBEGIN;\n{body}\nCOMMIT;\n"));
        let r = check::run(&migrations, &schema, &gate, &[], None, &CheckOptions::default()).unwrap();
        let f = gate_finding(&r, "change-column-type");
        assert_eq!(f.severity, Severity::Block, "{body}");
        assert!(f.message.contains("the enum values `ADMIN`, `GUEST` are removed"), "{body}: {}", f.message);
    }
}

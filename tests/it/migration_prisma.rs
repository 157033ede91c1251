//! Prisma Migrate folders: each `<timestamp>_<name>/migration.sql` is one migration named by its
//! folder, in timestamp order; `migration_lock.toml` is not a migration; and the gate on a
//! Prisma app.

use crate::support::migration::{gate_blocks_then_passes, lines};
use tandem::migration::{self, Format};
use tandem::schema::Dialect;

#[test]
fn folders_name_and_order_the_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let write = |folder: &str, sql: &str| {
        std::fs::create_dir_all(dir.path().join(folder)).unwrap();
        std::fs::write(dir.path().join(folder).join("migration.sql"), sql).unwrap();
    };
    write("20240203100000_drop_legacy_flag", "-- AlterTable\nALTER TABLE \"users\" DROP COLUMN \"legacy_flag\";\n");
    write(
        "20240102100000_init",
        "-- CreateTable\nCREATE TABLE \"users\" (\n    \"id\" SERIAL NOT NULL,\n    \"legacy_flag\" BOOLEAN,\n\n    CONSTRAINT \"users_pkey\" PRIMARY KEY (\"id\")\n);\n",
    );
    std::fs::write(dir.path().join("migration_lock.toml"), "provider = \"postgresql\"\n").unwrap();
    let ms = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap();
    let names: Vec<(&str, &str, Format)> = ms.iter().map(|m| (m.version.as_str(), m.name.as_str(), m.format)).collect();
    assert_eq!(
        names,
        vec![("20240102100000", "init", Format::Sql), ("20240203100000", "drop_legacy_flag", Format::Sql)],
        "named by the folder, not `migration`"
    );
    assert_eq!(lines(&ms[1].up), vec!["2:1 drop_column public.users.legacy_flag"]);
    assert!(ms[1].file.ends_with("20240203100000_drop_legacy_flag/migration.sql"));
}

#[test]
fn the_gate_blocks_while_the_prisma_model_declares_the_field() {
    let schema = |extra: &str| {
        format!(
            "datasource db {{\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}}\n\n\
             model User {{\n  id    Int    @id\n  email String?\n{extra}\n  @@map(\"users\")\n}}\n"
        )
    };
    gate_blocks_then_passes(
        "prisma",
        "",
        &[("prisma/schema.prisma", &schema("  legacy_flag Boolean?\n"))],
        &[("prisma/schema.prisma", &schema(""))],
        (
            "prisma/migrations/20240501000000_drop_legacy_flag/migration.sql",
            "-- AlterTable\nALTER TABLE \"users\" DROP COLUMN \"legacy_flag\";\n",
        ),
    );
}

/// A folder in Prisma's layout whose migration is not SQL (formbricks keeps data migrations as
/// `<version>_<name>/migration.ts` for its own runner) is a migration tandem cannot read: one
/// `unparsed` finding, a block in CI, never passed over; `tandem migrate` refuses to run it.
#[test]
fn a_migration_folder_without_migration_sql_is_reported_not_skipped() {
    use crate::support::cmd::{tandem_in, write};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "apps.toml", "[registry]\ndialect = \"postgres\"\nmigrations = \"migrations\"\n");
    write(root, "migrations/20240101000000_init/migration.sql", "CREATE TABLE t (id int);\n");
    write(
        root,
        "migrations/20240102000000_backfill/migration.ts",
        "export const up = async (tx) => { await tx.$executeRaw`DROP TABLE t`; };\n",
    );
    write(root, "migrations/20240102000000_backfill/README.md", "notes\n");
    write(root, "migrations/meta/notes.ts", "not a migration folder\n");

    let ms = migration::load_path(&root.join("migrations"), None, Dialect::Postgres).unwrap();
    let seen: Vec<(&str, &str, Vec<String>)> =
        ms.iter().map(|m| (m.version.as_str(), m.name.as_str(), lines(&m.up))).collect();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!((seen[1].0, seen[1].1), ("20240102000000", "backfill"));
    assert_eq!(seen[1].2.len(), 1);
    assert!(seen[1].2[0].contains("unparsed"), "{seen:?}");

    let out = tandem_in(root).args(["check", "--format", "json"]).env("CI", "true").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("20240102000000_backfill/migration.ts"), "{stdout}");
    assert!(stdout.contains("unparsed-statement"), "{stdout}");

    let out = tandem_in(root).args(["migrate", "status", "--database-url", "sqlite://:memory:"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("migration.ts: this migration is not SQL"), "{stderr}");
}

//! Properties of the migration readers over generated input: a SQL file split or joined at
//! statement boundaries reads into the same operations, and no input makes a reader panic.

use std::path::Path;

use proptest::prelude::*;
use tandem::migration::{self, Format, Migration};
use tandem::schema::Dialect;

use crate::support::migration::describe;

/// Statement templates: DDL the gate cares about, data changes with `;` inside strings, a
/// PL/pgSQL block and a statement that does not parse (which sends the reader to its fallback).
const TEMPLATES: &[&str] = &[
    "CREATE TABLE {t} (id bigint PRIMARY KEY, {c} text NOT NULL DEFAULT ';')",
    "ALTER TABLE {t} ADD COLUMN {c} integer DEFAULT 0",
    "ALTER TABLE {t} DROP COLUMN {c}, ADD COLUMN {c}_v2 text",
    "CREATE INDEX CONCURRENTLY {t}_{c}_idx ON {t} ({c}) WHERE {c} IS NOT NULL",
    "DROP TABLE IF EXISTS {t} CASCADE",
    "ALTER TABLE {t} RENAME COLUMN {c} TO {c}_old",
    "UPDATE {t} SET {c} = 'a;b' WHERE id = 1",
    "SET lock_timeout = '5s'",
    "DO $$ BEGIN ALTER TABLE {t} DROP COLUMN {c}; EXECUTE 'DROP INDEX {t}_{c}_idx'; END $$",
    "CREATE VIEW {t}_v AS SELECT id, {c} FROM {t}",
    "ALTER TABLE {t} ADD COLUM {c} int",
];

fn statement() -> impl Strategy<Value = String> {
    (0..TEMPLATES.len(), "[a-z][a-z0-9_]{0,6}", "[a-z][a-z0-9_]{0,6}")
        .prop_map(|(i, t, c)| TEMPLATES[i].replace("{t}", &format!("t_{t}")).replace("{c}", &format!("c_{c}")))
}

/// Each operation as its description and the source text its span covers.
fn read(text: &str) -> Vec<(String, String)> {
    let ms: Vec<Migration> = migration::read_file(Path::new("m.sql"), text, Some(Format::Sql), Dialect::Postgres)
        .expect("a SQL file always reads");
    ms.iter()
        .flat_map(|m| m.up.iter())
        .map(|op| (describe(&op.kind), text[op.span.start..op.span.end].to_owned()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn statements_read_alone_or_joined_give_the_same_operations(
        stmts in prop::collection::vec(statement(), 1..8),
        separator in prop::sample::select(vec![";\n", ";", ";\n\n-- between\n", " ;\n/* c; */\n"]),
        cut in 0usize..8,
    ) {
        let alone: Vec<(String, String)> = stmts.iter().flat_map(|s| read(&format!("{s};\n"))).collect();
        let joined = stmts.join(separator) + ";\n";
        prop_assert_eq!(&read(&joined), &alone);
        // Cut the file in two at a statement boundary: the halves read into the same operations.
        let cut = cut.min(stmts.len());
        let (a, b) = stmts.split_at(cut);
        let halves: Vec<(String, String)> = [a, b]
            .iter()
            .filter(|h| !h.is_empty())
            .flat_map(|h| read(&(h.join(separator) + ";\n")))
            .collect();
        prop_assert_eq!(&halves, &alone);
    }

    #[test]
    fn no_input_makes_a_reader_panic(
        text in prop::collection::vec(
            prop::sample::select(vec![
                "(", ")", "[", "]", "{", "}", "'", "\"", "$$", "$a$", ";", "\n", " ", "\0", "é", "#{", "<<~SQL",
                "--", "/*", "*/", "do", "end", "def change", "class X < ActiveRecord::Migration[7.1]",
                "defmodule M do", "use Ecto.Migration", "class Migration(migrations.Migration):",
                "operations = [", "migrations.RemoveField(", "execute", "DO $$ BEGIN", "EXECUTE", "END",
                "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS", "ALTER TABLE t DROP COLUMN c",
                "remove_column :t, :c", "remove :c", "DELIMITER", "-- migrate:up", "-- +goose Down",
                "from alembic import op", "def upgrade():", "op.drop_column('t', 'c')", "revision = 'a'",
                "export class M1 implements MigrationInterface {", "async up(queryRunner: QueryRunner) {",
                "await queryRunner.query(`", "`", "${x}", "module.exports = {", "up: async (queryInterface) => {",
                "queryInterface.removeColumn('t', 'c')", "exports.up = function (knex) {", "return knex.schema",
                ".alterTable('t', (t) => {", "t.dropColumn('c')", "=>", "});",
                "async up(db, client) {", "db.collection('c')", ".updateMany({}, { $rename: { a: 'b' } })",
                "[{ $set: { a: { $toInt: '$a' } } }]", "for (const n of ['a', 'b'])", "db.collection(n).drop()",
                "-1", "...args",
            ]),
            0..40,
        ).prop_map(|parts| parts.concat()),
    ) {
        let formats = [
            Format::Sql, Format::Rails, Format::Ecto, Format::Django, Format::Alembic, Format::Typeorm,
            Format::Sequelize, Format::Knex,
        ];
        for format in formats {
            for dialect in [Dialect::Postgres, Dialect::Mysql] {
                let _ = migration::read_file(Path::new("m"), &text, Some(format), dialect);
            }
        }
        let _ = migration::read_file(Path::new("m.js"), &text, Some(Format::MigrateMongo), Dialect::Mongodb);
        // Prisma Migrate's files are SQL named by their folder.
        let _ = migration::read_file(Path::new("prisma/migrations/1_init/migration.sql"), &text, None, Dialect::Postgres);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    /// A file larger than the reader's batch (64 KB) is parsed a batch at a time: the cuts fall
    /// at statement ends, so it reads as its statements read alone.
    #[test]
    fn a_file_read_in_batches_gives_the_operations_of_its_statements(
        stmts in prop::collection::vec(statement(), 1200..1600),
    ) {
        let alone: Vec<(String, String)> = stmts.iter().flat_map(|s| read(&format!("{s};\n"))).collect();
        let joined = stmts.join(";\n") + ";\n";
        prop_assert!(joined.len() > 64 * 1024);
        prop_assert_eq!(read(&joined), alone);
    }
}

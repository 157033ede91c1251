//! Knex migrations: table builders with column methods and modifiers, `dropColumn`,
//! `renameColumn`, `.alter()`, `dropTable`, `knex.raw` SQL, unparsed calls, syntax errors, and
//! the gate on an app whose SQL reads the column.

use crate::support::migration::{down_lines, gate_blocks_then_passes, lines};
use tandem::migration::{self, Format};
use tandem::schema::Dialect;

const CREATE: &str = r#"/**
 * @param { import("knex").Knex } knex
 */
exports.up = function (knex) {
  return knex.schema.createTable("users", (table) => {
    table.increments("id");
    table.string("email", 120).notNullable().unique();
    table.boolean("legacy_flag").defaultTo(false);
    table.timestamps(true, true);
  });
};

exports.down = function (knex) {
  return knex.schema.dropTable("users");
};
"#;

const CHANGE: &str = r#"export async function up(knex) {
  await knex.schema.alterTable("users", (t) => {
    t.renameColumn("email", "email_address");
    t.dropColumn("legacy_flag");
    t.text("nickname").alter();
    t.frobnicate("x");
  });
  await knex.raw('UPDATE users SET nickname = email_address');
  await knex.schema.dropTableIfExists(tableName);
}

export async function down(knex) {
  await knex.schema.table("users", (t) => {
    t.boolean("legacy_flag");
  });
}
"#;

#[test]
fn builders_modifiers_raw_sql_and_unparsed_calls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("20240102100000_create_users.js"), CREATE).unwrap();
    std::fs::write(dir.path().join("20240203100000_reshape_users.mjs"), CHANGE).unwrap();
    let ms = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(
        (ms[0].version.as_str(), ms[0].name.as_str(), ms[0].format),
        ("20240102100000", "create_users", Format::Knex)
    );
    assert_eq!(
        lines(&ms[0].up),
        vec![
            "5:10 create_table public.users (id integer not null, email character varying(120) not null, \
             legacy_flag boolean default false, created_at timestamp with time zone not null, \
             updated_at timestamp with time zone not null) pk(id)",
            "7:5 add_index users_email_unique on public.users btree(email) unique",
        ]
    );
    assert_eq!(down_lines(&ms[0]).unwrap(), vec!["14:10 drop_table public.users"]);
    assert_eq!(
        lines(&ms[1].up),
        vec![
            "3:5 rename_column public.users.email -> email_address",
            "4:5 drop_column public.users.legacy_flag",
            "5:5 change_type public.users.nickname text",
            "5:5 drop_not_null public.users.nickname",
            "6:5 unparsed t.frobnicate(\"x\") (unknown Knex table builder method `frobnicate`)",
            "8:19 data UPDATE public.users",
            "9:9 unparsed knex.schema.dropTableIfExists(tableName) (a table or column name computed at run time cannot be read)",
        ]
    );
    assert_eq!(down_lines(&ms[1]).unwrap(), vec!["14:5 add_column public.users.legacy_flag boolean null"]);
}

#[test]
fn a_syntax_error_is_a_located_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("20240301000000_broken.js"),
        "exports.up = function (knex) {\n  return knex.schema.alterTable(\"users\", (t) => {\n    t.dropColumn(\"x\";\n  });\n};\n",
    )
    .unwrap();
    let err = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let shown = format!("{err:?}");
    assert!(shown.contains("20240301000000_broken.js") && shown.contains("syntax error"), "{shown}");
}

#[test]
fn the_gate_blocks_while_the_apps_sql_reads_the_column() {
    gate_blocks_then_passes(
        "generic",
        "migrations = \"migrations\"\n",
        &[("src/users.js", "exports.flagged = (db) => db.raw(\"SELECT id, legacy_flag FROM users\");\n")],
        &[("src/users.js", "exports.flagged = (db) => db.raw(\"SELECT id, email FROM users\");\n")],
        (
            "migrations/20240501000000_drop_legacy_flag.js",
            "exports.up = function (knex) {\n  return knex.schema.alterTable(\"users\", (t) => {\n    t.dropColumn(\"legacy_flag\");\n  });\n};\n\n\
             exports.down = function (knex) {\n  return knex.schema.alterTable(\"users\", (t) => {\n    t.boolean(\"legacy_flag\");\n  });\n};\n",
        ),
    );
}

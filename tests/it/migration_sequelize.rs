//! Sequelize CLI migrations: queryInterface operations, `sequelize.query` SQL with spans in the
//! file, replacements, unparsed calls, syntax errors, and the gate on a Sequelize app.

use crate::support::migration::{down_lines, gate_blocks_then_passes, lines};
use tandem::migration::{self, Format};
use tandem::schema::Dialect;

const CREATE: &str = r#""use strict";

/** @type {import('sequelize-cli').Migration} */
module.exports = {
  async up(queryInterface, Sequelize) {
    await queryInterface.createTable("users", {
      id: { type: Sequelize.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      email: { type: Sequelize.STRING(120), allowNull: false },
      legacy_flag: { type: Sequelize.BOOLEAN, defaultValue: false },
      createdAt: Sequelize.DATE,
    });
    await queryInterface.addIndex("users", ["email"], { unique: true, concurrently: true });
  },

  async down(queryInterface) {
    await queryInterface.dropTable("users");
  },
};
"#;

const CHANGE: &str = r#"module.exports = {
  up: async (queryInterface, Sequelize) => {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.renameColumn("users", "email", "email_address", { transaction });
      await queryInterface.changeColumn("users", "email_address", { type: "TEXT", allowNull: true });
      await queryInterface.removeColumn("users", "legacy_flag", { transaction });
    });
    const backfill = `UPDATE users SET "createdAt" = now() WHERE id = :id`;
    await queryInterface.sequelize.query(backfill, { replacements: { id: 1 } });
    for (const table of ["a", "b"]) {
      await queryInterface.dropTable(table);
    }
    await queryInterface.sequelize.query(`DROP TABLE ${name}`);
    await queryInterface.frobnicate("users");
  },
  down: async (queryInterface, Sequelize) => {
    await queryInterface.addColumn("users", "legacy_flag", { type: Sequelize.BOOLEAN });
  },
};
"#;

#[test]
fn operations_sql_and_unparsed_calls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("20240102100000-create-users.js"), CREATE).unwrap();
    std::fs::write(dir.path().join("20240203100000-reshape-users.js"), CHANGE).unwrap();
    std::fs::write(dir.path().join("helpers.js"), "exports.now = () => new Date();\n").unwrap();
    let ms = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap();
    assert_eq!(ms.len(), 2, "a helper with no `up` is not a migration");
    assert_eq!(
        (ms[0].version.as_str(), ms[0].name.as_str(), ms[0].format),
        ("20240102100000", "create-users", Format::Sequelize)
    );
    assert_eq!(
        lines(&ms[0].up),
        vec![
            "6:11 create_table public.users (id integer not null, email character varying(120) not null, \
             legacy_flag boolean default false, createdAt timestamp with time zone) pk(id)",
            "12:11 add_index users_email on public.users btree(email) unique concurrently",
        ]
    );
    assert_eq!(down_lines(&ms[0]).unwrap(), vec!["16:11 drop_table public.users"]);
    assert_eq!(
        lines(&ms[1].up),
        vec![
            "4:13 rename_column public.users.email -> email_address",
            "5:13 change_type public.users.email_address text",
            "5:13 drop_not_null public.users.email_address",
            "6:13 drop_column public.users.legacy_flag",
            // The variable's literal, read at its declaration, with `:id` as a parameter.
            "8:23 data UPDATE public.users",
            "11:13 unparsed queryInterface.dropTable(table) (a table or column name computed at run time cannot be read)",
            "13:42 unparsed `DROP TABLE ${name}` (SQL built at run time cannot be read)",
            "14:11 unparsed queryInterface.frobnicate(\"users\") (unknown queryInterface method `frobnicate`)",
        ]
    );
    assert_eq!(down_lines(&ms[1]).unwrap(), vec!["17:11 add_column public.users.legacy_flag boolean null"]);
}

#[test]
fn a_migration_running_a_script_is_code_and_a_syntax_error_is_located() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("20240101000000-base.js"), CREATE).unwrap();
    std::fs::write(
        dir.path().join("20240301000000-run-script.js"),
        "const { execSync } = require(\"child_process\");\n\nmodule.exports = {\n  async up() {\n    execSync(\"node scripts/backfill.js\");\n  },\n  async down() {},\n};\n",
    )
    .unwrap();
    let ms = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap();
    assert_eq!(ms.len(), 2, "a migration naming no ORM is read as its neighbours");
    assert_eq!(lines(&ms[1].up).len(), 1);
    assert!(lines(&ms[1].up)[0].starts_with("4:14 code "), "{:?}", lines(&ms[1].up));
    assert_eq!(ms[1].down, None);

    std::fs::write(dir.path().join("20240401000000-broken.js"), "module.exports = {\n  up: async (queryInterface) => {\n    await queryInterface.removeColumn(\"users\", \"x\";\n  },\n};\n").unwrap();
    let err = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let shown = format!("{err:?}");
    assert!(shown.contains("20240401000000-broken.js") && shown.contains("syntax error"), "{shown}");
}

#[test]
fn the_gate_blocks_while_the_sequelize_model_declares_the_column() {
    let model = |extra: &str| {
        format!(
            "const {{ Model, DataTypes }} = require(\"sequelize\");\n\nclass User extends Model {{}}\n\n\
             module.exports = (sequelize) => {{\n  User.init(\n    {{\n      email: DataTypes.STRING,\n{extra}    }},\n    \
             {{ sequelize, tableName: \"users\" }},\n  );\n  return User;\n}};\n"
        )
    };
    gate_blocks_then_passes(
        "sequelize",
        "",
        &[("models/user.js", &model("      legacy_flag: DataTypes.BOOLEAN,\n"))],
        &[("models/user.js", &model(""))],
        (
            "migrations/20240501000000-drop-legacy-flag.js",
            "module.exports = {\n  async up(queryInterface) {\n    await queryInterface.removeColumn(\"users\", \"legacy_flag\");\n  },\n  \
             async down(queryInterface, Sequelize) {\n    await queryInterface.addColumn(\"users\", \"legacy_flag\", { type: Sequelize.BOOLEAN });\n  },\n};\n",
        ),
    );
}

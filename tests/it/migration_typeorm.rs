//! TypeORM migrations: `queryRunner.query` SQL with spans in the file, the schema methods with
//! `Table`/`TableColumn`/`TableIndex` objects, the class name's timestamp as the version,
//! unparsed calls, syntax errors, and the gate on a TypeORM app.

use crate::support::migration::{down_lines, gate_blocks_then_passes, lines};
use tandem::migration::{self, Format};
use tandem::schema::Dialect;

const GENERATED: &str = r#"import { MigrationInterface, QueryRunner } from "typeorm";

export class CreateUsers1714000000000 implements MigrationInterface {
    name = "CreateUsers1714000000000";

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "users" ("id" SERIAL NOT NULL, "email" character varying NOT NULL, CONSTRAINT "PK_users" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "IDX_users_email" ON "users" ("email") `);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."IDX_users_email"`);
        await queryRunner.query(`DROP TABLE "users"`);
    }
}
"#;

const HANDWRITTEN: &str = r#"import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from "typeorm";

export class ReshapeUsers1715000000000 implements MigrationInterface {
    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.addColumn("users", new TableColumn({ name: "nickname", type: "varchar", length: "40", isNullable: true }));
        await queryRunner.renameColumn("users", "email", "email_address");
        await queryRunner.changeColumn("users", "nickname", new TableColumn({ name: "handle", type: "text" }));
        await queryRunner.dropColumn("users", "legacy_flag");
        await queryRunner.createIndex("users", new TableIndex({ name: "IDX_handle", columnNames: ["handle"], isUnique: true }));
        await queryRunner.dropTable(tableName);
        await queryRunner.query(`DROP TABLE ${name}`);
        await queryRunner.frobnicate("users");
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.addColumn("users", new TableColumn({ name: "legacy_flag", type: "boolean", isNullable: true }));
    }
}
"#;

#[test]
fn sql_schema_methods_and_unparsed_calls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1714000000000-CreateUsers.ts"), GENERATED).unwrap();
    std::fs::write(dir.path().join("1715000000000-ReshapeUsers.ts"), HANDWRITTEN).unwrap();
    let ms = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(
        (ms[0].version.as_str(), ms[0].name.as_str(), ms[0].format),
        ("1714000000000", "CreateUsers", Format::Typeorm)
    );
    assert_eq!(
        lines(&ms[0].up),
        vec![
            "7:34 create_table public.users (id integer not null default nextval('public.users_id_seq'::regclass), \
             email character varying not null) pk(id)",
            "8:34 add_index IDX_users_email on public.users btree(email)",
        ]
    );
    assert_eq!(
        down_lines(&ms[0]).unwrap(),
        vec!["12:34 drop_index public.IDX_users_email", "13:34 drop_table public.users"]
    );
    assert_eq!(
        lines(&ms[1].up),
        vec![
            "5:15 add_column public.users.nickname character varying(40) null",
            "6:15 rename_column public.users.email -> email_address",
            "7:15 change_type public.users.nickname text",
            "7:15 rename_column public.users.nickname -> handle",
            "8:15 drop_column public.users.legacy_flag",
            "9:15 add_index IDX_handle on public.users btree(handle) unique",
            "10:15 unparsed queryRunner.dropTable(tableName) (a table or column name computed at run time cannot be read)",
            "11:33 unparsed `DROP TABLE ${name}` (SQL built at run time cannot be read)",
            "12:15 unparsed queryRunner.frobnicate(\"users\") (unknown queryRunner method `frobnicate`)",
        ]
    );
}

#[test]
fn a_syntax_error_is_a_located_input_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("1716000000000-Broken.ts"),
        "import { MigrationInterface, QueryRunner } from \"typeorm\";\n\nexport class Broken1716000000000 implements MigrationInterface {\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.dropColumn(\"users\", \"x\";\n    }\n}\n",
    )
    .unwrap();
    let err = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let shown = format!("{err:?}");
    assert!(shown.contains("1716000000000-Broken.ts") && shown.contains("syntax error"), "{shown}");
}

#[test]
fn the_gate_blocks_while_the_typeorm_entity_maps_the_column() {
    let entity = |extra: &str| {
        format!(
            "import {{ Entity, PrimaryGeneratedColumn, Column }} from \"typeorm\";\n\n@Entity(\"users\")\nexport class User {{\n    \
             @PrimaryGeneratedColumn()\n    id: number;\n\n    @Column()\n    email: string;\n{extra}}}\n"
        )
    };
    gate_blocks_then_passes(
        "typeorm",
        "",
        &[("src/entities/user.ts", &entity("\n    @Column({ name: \"legacy_flag\" })\n    legacyFlag: boolean;\n"))],
        &[("src/entities/user.ts", &entity(""))],
        (
            "src/migrations/1717000000000-DropLegacyFlag.ts",
            "import { MigrationInterface, QueryRunner } from \"typeorm\";\n\nexport class DropLegacyFlag1717000000000 implements MigrationInterface {\n    \
             public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.dropColumn(\"users\", \"legacy_flag\");\n    }\n\n    \
             public async down(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(`ALTER TABLE \"users\" ADD \"legacy_flag\" boolean`);\n    }\n}\n",
        ),
    );
}

//! Drizzle Kit folders: `NNNN_tag.sql` files in the order `meta/_journal.json` gives, with
//! `--> statement-breakpoint` markers; a journal entry without its file is a located error; and
//! the gate on a Drizzle app.

use crate::support::migration::{gate_blocks_then_passes, lines};
use tandem::migration;
use tandem::schema::Dialect;

fn journal(tags: &[&str]) -> String {
    let entries: Vec<String> = tags
        .iter()
        .enumerate()
        .map(|(i, t)| format!("    {{\n      \"idx\": {i},\n      \"version\": \"7\",\n      \"when\": 17000000000{i:02},\n      \"tag\": \"{t}\",\n      \"breakpoints\": true\n    }}"))
        .collect();
    format!(
        "{{\n  \"version\": \"7\",\n  \"dialect\": \"postgresql\",\n  \"entries\": [\n{}\n  ]\n}}\n",
        entries.join(",\n")
    )
}

#[test]
fn the_journal_orders_the_folder_and_must_name_files_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("meta")).unwrap();
    // Custom names that do not sort the way the journal orders them.
    std::fs::write(
        root.join("b_create_users.sql"),
        "CREATE TABLE \"users\" (\n\t\"id\" serial PRIMARY KEY NOT NULL,\n\t\"legacy_flag\" boolean\n);\n--> statement-breakpoint\nCREATE INDEX \"users_flag_idx\" ON \"users\" (\"legacy_flag\");\n",
    )
    .unwrap();
    std::fs::write(root.join("a_drop_flag.sql"), "ALTER TABLE \"users\" DROP COLUMN \"legacy_flag\";\n").unwrap();
    std::fs::write(root.join("meta/_journal.json"), journal(&["b_create_users", "a_drop_flag"])).unwrap();
    std::fs::write(root.join("meta/0000_snapshot.json"), "{}\n").unwrap();
    let ms = migration::load_path(root, None, Dialect::Postgres).unwrap();
    let order: Vec<&str> = ms.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(order, vec!["b_create_users", "a_drop_flag"]);
    assert_eq!(lines(&ms[0].up).len(), 2, "{:?}", lines(&ms[0].up));
    assert_eq!(lines(&ms[1].up), vec!["1:1 drop_column public.users.legacy_flag"]);

    std::fs::write(root.join("meta/_journal.json"), journal(&["b_create_users", "a_drop_flag", "c_gone"])).unwrap();
    let err = migration::load_path(root, None, Dialect::Postgres).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let shown = format!("{err:?}");
    assert!(shown.contains("c_gone") && shown.contains("_journal.json") && shown.contains("line: Some(23)"), "{shown}");
}

#[test]
fn the_gate_blocks_while_the_drizzle_table_declares_the_column() {
    let schema = |extra: &str| {
        format!(
            "import {{ pgTable, serial, text, boolean }} from \"drizzle-orm/pg-core\";\n\n\
             export const users = pgTable(\"users\", {{\n  id: serial(\"id\").primaryKey(),\n  email: text(\"email\"),\n{extra}}});\n"
        )
    };
    gate_blocks_then_passes(
        "drizzle",
        "",
        &[("src/db/schema.ts", &schema("  legacyFlag: boolean(\"legacy_flag\"),\n"))],
        &[("src/db/schema.ts", &schema(""))],
        ("drizzle/0001_drop_legacy_flag.sql", "ALTER TABLE \"users\" DROP COLUMN \"legacy_flag\";\n"),
    );
}

//! `tandem schema sync` of a Rails app on MariaDB against a real server and a real git repository:
//! the dump is what `rails db:schema:dump` writes for mysql2/trilogy (the real mysqldump with
//! Rails' flags, its output kept, the `schema_migrations` INSERT block appended), it loads back
//! into an empty database as `db:structure:load` does and dumps again byte for byte.

use std::process::Command;

use crate::support::cmd::{schema_sync, write};
use crate::support::git::TestRepo;
use crate::support::mysql::TempDb;

const SCHEMA: &str = "CREATE TABLE schema_migrations (version varchar(255) NOT NULL PRIMARY KEY);\n\
CREATE TABLE ar_internal_metadata (`key` varchar(255) NOT NULL PRIMARY KEY, value varchar(255));\n\
CREATE TABLE users (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, email varchar(255) NOT NULL, \
  UNIQUE KEY index_users_on_email (email)) COMMENT 'people';\n\
CREATE PROCEDURE touch_users() UPDATE users SET email = email;\n\
INSERT INTO users (email) VALUES ('a@example.com');\n\
INSERT INTO schema_migrations VALUES ('20250101000000'), ('20250102000000');\n";
const EVENTS: &str = "CREATE TABLE events (id bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, user_id bigint, \
  CONSTRAINT fk_rails_0cb5590091 FOREIGN KEY (user_id) REFERENCES users (id));\n\
INSERT INTO schema_migrations VALUES ('20250201000000');\n";

/// What Rails' `structure_dump` and `dump_schema` write, step by step as its source says:
/// mysqldump with the connection's options and `--no-data --routines --skip-comments`, then
/// `puts` of the INSERT of the versions newest first, then a newline.
fn what_rails_writes(db: &TempDb, versions_newest_first: &[&str]) -> String {
    let out = Command::new("mysqldump")
        .args(["--host=127.0.0.1", "--port=3306", "--user=root", "--no-data", "--routines", "--skip-comments"])
        .arg(db.name())
        .output()
        .expect("run mysqldump");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<String> = versions_newest_first.iter().map(|v| format!("('{v}')")).collect();
    format!(
        "{}INSERT INTO `schema_migrations` (version) VALUES\n{};\n\n",
        String::from_utf8(out.stdout).unwrap(),
        rows.join(",\n")
    )
}

fn sync(registry: &std::path::Path, db: &TempDb, args: &[&str]) -> (i32, String, String) {
    schema_sync(registry, &db.url(), args)
}

#[test]
fn a_rails_structure_sql_on_mariadb_is_what_rails_writes_and_loads_back_byte_for_byte() {
    let db = TempDb::new();
    db.client(SCHEMA);
    let mut web = TestRepo::init();
    web.commit_files(&[("db/structure.sql", ""), ("app/models/user.rb", "class User; end\n")], "web");
    let registry = tempfile::tempdir().unwrap();
    write(
        registry.path(),
        "apps.toml",
        format!(
            "[registry]\ndialect = \"mysql\"\n\n[[app]]\nname = \"web\"\nrepo = \"{}\"\nframework = \"rails\"\n\
             head = \"main\"\nstructure = \"db/structure.sql\"\n",
            web.path().display()
        ),
    );
    let work_tree = web.path_buf().join("db/structure.sql");
    let dump = || std::fs::read_to_string(&work_tree).unwrap();

    let (code, out, err) = sync(registry.path(), &db, &["--write"]);
    assert_eq!(code, 0, "{out}{err}");
    let before = dump();
    assert_eq!(before, what_rails_writes(&db, &["20250102000000", "20250101000000"]));
    assert!(before.contains("CREATE DEFINER=") && before.contains("PROCEDURE `touch_users`"), "--routines: {before}");
    web.commit_files(&[("db/structure.sql", &before)], "dump");
    let (code, out, _) = sync(registry.path(), &db, &[]);
    assert_eq!((code, out.as_str()), (0, "db/structure.sql (web): in sync\n"));

    db.client(EVENTS);
    let (code, out, _) = sync(registry.path(), &db, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\n+CREATE TABLE `events` (\n"), "{out}");
    assert!(out.contains("\n+('20250201000000'),\n"), "{out}");
    assert_eq!(dump(), before, "without --write the work tree is untouched");

    let (code, _, _) = sync(registry.path(), &db, &["--commit", "--branch", "tandem/sync"]);
    assert_eq!(code, 0);
    let shown =
        Command::new("git").current_dir(web.path()).args(["show", "tandem/sync:db/structure.sql"]).output().unwrap();
    let after = String::from_utf8(shown.stdout).unwrap();
    assert_eq!(after, what_rails_writes(&db, &["20250201000000", "20250102000000", "20250101000000"]));

    // `db:structure:load`: the mysql client with foreign key checks off; its dump is the same.
    let copy = TempDb::new();
    copy.client(&format!("SET FOREIGN_KEY_CHECKS = 0;\n{after}\nSET FOREIGN_KEY_CHECKS = 1;\n"));
    let again = tandem::sync::structure(
        &copy.url(),
        tandem::framework::DumpTool::Rails,
        tandem::sync::rails::VersionOrder::NewestFirst,
    )
    .unwrap();
    assert_eq!(again, after);
}

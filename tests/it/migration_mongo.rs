//! MongoDB end to end: `dialect = "mongodb"` with the collections' schema committed as JSON
//! (`db.getCollectionInfos()`), migrate-mongo migrations beside `migrate-mongo-config.js`, and
//! `tandem check` on a real git repository. No MongoDB server runs on the test machine (Debian
//! packages none, and the official binaries' host is unreachable), so the live source is tested
//! only for its refusal.

use std::path::Path;

use crate::support::cmd::{git, tandem_in, write};
use tandem::migration::{self, Format, OpKind};
use tandem::schema::Dialect;

const COLLECTIONS: &str = r#"[
  {
    "name": "users",
    "type": "collection",
    "options": {
      "validator": {
        "$jsonSchema": {
          "bsonType": "object",
          "required": ["email"],
          "properties": {
            "email": { "bsonType": "string" },
            "legacy_flag": { "bsonType": ["bool", "null"] },
            "profile": { "bsonType": "object", "properties": { "nick": { "bsonType": "string" } } }
          }
        }
      }
    },
    "info": { "readOnly": false },
    "idIndex": { "v": 2, "key": { "_id": 1 }, "name": "_id_" }
  },
  { "name": "audit", "type": "collection", "options": {} }
]
"#;

const DROP_FLAG: &str = r#"module.exports = {
  async up(db, client) {
    await db.collection('users').updateMany({}, { $unset: { legacy_flag: '' } });
  },

  async down(db, client) {
    await db.collection('users').updateMany({}, { $set: { legacy_flag: false } });
  },
};
"#;

const ADD_FIELD: &str = r#"module.exports = {
  async up(db) {
    await db.collection('users').updateMany({ plan: { $exists: false } }, { $set: { plan: 'free' } });
    await db.collection('users').createIndex({ plan: 1 }, { background: true });
  },

  async down(db) {
    await db.collection('users').dropIndex('plan_1');
    await db.collection('users').updateMany({}, { $unset: { plan: '' } });
  },
};
"#;

/// A repository with a MongoDB registry, one app at `app/` whose code is `app_code`, and the
/// migrations given.
fn repo(root: &Path, app_code: &str, migrations: &[(&str, &str)]) {
    repo_with(root, "generic", "min_confidence = \"low\"\n", app_code, migrations);
}

/// The same with the app's `framework` and extra `[registry]` lines.
fn repo_with(root: &Path, framework: &str, registry: &str, app_code: &str, migrations: &[(&str, &str)]) {
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "apps.toml",
        format!(
            "[registry]\ndialect = \"mongodb\"\nschema = \"schema/collections.json\"\nmigrations = \"migrations\"\n\
             {registry}\n[[app]]\nname = \"app\"\nrepo = \".\"\npath = \"app\"\nframework = \"{framework}\"\nhead = \"main\"\n"
        ),
    );
    write(root, ".gitignore", ".tandem/\n");
    write(root, "schema/collections.json", COLLECTIONS);
    write(
        root,
        "migrate-mongo-config.js",
        "module.exports = { migrationsDir: 'migrations', changelogCollectionName: 'changelog' };\n",
    );
    write(root, "app/src/users.js", app_code);
    for (name, text) in migrations {
        write(root, &format!("migrations/{name}"), text);
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "registry"]);
}

fn check(root: &Path, path: &str) -> (Option<i32>, serde_json::Value) {
    let out = tandem_in(root).env("CI", "true").args(["check", path, "--format", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code(), v)
}

fn rules(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| format!("{} {}", f["rule"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect()
}

#[test]
fn a_directory_beside_migrate_mongo_config_reads_as_migrate_mongo() {
    let dir = tempfile::tempdir().unwrap();
    repo(
        dir.path(),
        "\n",
        &[("20240501000000-drop-legacy-flag.js", DROP_FLAG), ("20240502000000-add-plan.ts", ADD_FIELD)],
    );
    // Read with a relational dialect, the config file still names the format.
    let ms = migration::load_path(&dir.path().join("migrations"), None, Dialect::Postgres).unwrap();
    assert_eq!(ms.iter().map(|m| m.format).collect::<Vec<_>>(), [Format::MigrateMongo, Format::MigrateMongo]);
    assert_eq!(ms[0].version, "20240501000000");
    assert!(
        ms[0].up.iter().any(|o| matches!(&o.kind, OpKind::DropColumn { table, column, .. } if table.name == "users" && column == "legacy_flag"))
    );
    let index = ms[1].up.iter().find_map(|o| match &o.kind {
        OpKind::AddIndex { index, concurrently, .. } => Some((index.name.clone(), *concurrently)),
        _ => None,
    });
    assert_eq!(index, Some(("plan_1".to_owned(), true)));
}

#[test]
fn the_gate_blocks_an_unset_field_the_app_reads_and_passes_once_it_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    repo(
        root,
        "exports.flagged = (db) => db.collection('users').find({ legacy_flag: true }).toArray();\n",
        &[("20240501000000-drop-legacy-flag.js", DROP_FLAG), ("20240502000000-add-plan.js", ADD_FIELD)],
    );
    let (code, v) = check(root, "migrations/20240501000000-drop-legacy-flag.js");
    assert_eq!(code, Some(1), "{v:#}");
    let drop = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "drop-column").unwrap();
    assert_eq!(drop["severity"], "block", "{drop:#}");
    assert_eq!(drop["object"], "users.legacy_flag", "{drop:#}");
    assert_eq!(drop["location"]["line"], 3, "{drop:#}");
    assert!(drop["references"].as_array().unwrap().iter().any(|r| r["path"] == "app/src/users.js"), "{drop:#}");
    // The safe way is MongoDB's: no DDL in the recipe.
    assert!(drop.to_string().contains("$unset") && !drop.to_string().contains("ALTER TABLE"), "{drop:#}");
    let found = rules(&v);
    assert!(found.contains(&"mongodb-unbatched-update warn".to_owned()), "{found:?}");
    // SQL's lint rules say nothing about MongoDB; the down part writes the field back.
    assert!(
        found.iter().all(|r| r.starts_with("drop-column") || r.starts_with("mongodb-unbatched-update")),
        "{found:?}"
    );

    // Adding a field passes: a filtered update, an index built in the background.
    let (code, v) = check(root, "migrations/20240502000000-add-plan.js");
    assert_eq!(code, Some(0), "{v:#}");
    assert!(rules(&v).iter().all(|r| !r.ends_with("block")), "{v:#}");

    write(root, "app/src/users.js", "exports.all = (db) => db.collection('users').find({}).toArray();\n");
    git(root, &["commit", "-qam", "the app no longer reads legacy_flag"]);
    let (code, v) = check(root, "migrations/20240501000000-drop-legacy-flag.js");
    assert_eq!(code, Some(0), "{v:#}");
}

#[test]
fn a_rename_without_a_down_and_a_foreground_index_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let rename = "module.exports = {\n  async up(db) {\n    await db.collection('users').updateMany({ email: { $exists: true } }, { $rename: { email: 'email_address' } });\n    await db.collection('users').createIndex({ email_address: 1 });\n  },\n  async down() {},\n};\n";
    repo(root, "\n", &[("20240601000000-rename-email.js", rename)]);
    let (code, v) = check(root, "migrations/20240601000000-rename-email.js");
    let found = rules(&v);
    assert_eq!(code, Some(0), "no app reads the field: {v:#}");
    for expected in [
        "rename-column info",
        "mongodb-field-not-restored warn",
        "mongodb-foreground-index info",
        "irreversible-migration warn",
    ] {
        assert!(found.contains(&expected.to_owned()), "{expected}: {found:?}");
    }
}

#[test]
fn schema_files_sql_commands_and_live_urls_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    repo(root, "\n", &[("20240501000000-drop-legacy-flag.js", DROP_FLAG)]);

    // The canonical rendering is getCollectionInfos' shape; it reads back the same.
    let dump = tandem_in(root).args(["schema", "dump", "--schema", "schema/collections.json"]).output().unwrap();
    assert_eq!(dump.status.code(), Some(0), "{}", String::from_utf8_lossy(&dump.stderr));
    let text = String::from_utf8(dump.stdout).unwrap();
    assert!(text.contains("\"legacy_flag\"") && text.contains("\"profile\""), "{text}");
    write(root, "again.json", &text);
    let again = tandem_in(root).args(["schema", "diff", "schema/collections.json", "again.json"]).output().unwrap();
    assert_eq!(again.status.code(), Some(0), "{}", String::from_utf8_lossy(&again.stdout));

    // A malformed schema file is located.
    write(
        root,
        "schema/collections.json",
        "[\n  {\"name\": \"users\",\n   \"options\": {\"validator\": {\"$jsonSchema\": {\"bsonType\": 7}}}}\n]\n",
    );
    let out = tandem_in(root).env("CI", "true").args(["check", "migrations"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("collections.json:3:"), "{err}");

    // `migrate` runs SQL: refused on a MongoDB registry, at `dialect`.
    let out = tandem_in(root).args(["migrate", "status", "--database-url", "mongodb://localhost/x"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("runs SQL") && err.contains("apps.toml:2"), "{err}");

    // A live MongoDB source is refused with the alternative named.
    let out = tandem_in(root)
        .args(["schema", "show", "--database-url", "mongodb://user:secret@localhost/app"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("does not read a live MongoDB") && err.contains("getCollectionInfos"), "{err}");
    assert!(!err.contains("secret"), "{err}");
}

const RENAME_NICK: &str = r#"module.exports = {
  async up(db) {
    await db.collection('users').updateMany({}, { $rename: { 'profile.nick': 'profile.handle' } });
  },
  async down(db) {
    await db.collection('users').updateMany({}, { $rename: { 'profile.handle': 'profile.nick' } });
  },
};
"#;

const MONGOOSE_USER: &str = r#"const mongoose = require('mongoose');

const userSchema = new mongoose.Schema({
  email: { type: String, required: true },
  profile: { nick: String },
});

const User = mongoose.model('User', userSchema);

async function nickOf(email) {
  const user = await User.findOne({ email });
  return user.profile.nick;
}

module.exports = { User, nickOf };
"#;

/// The issue's acceptance on a Mongoose app at the gate's own confidence (medium): renaming a
/// field the app's model declares and its code reads is blocked; adding one passes; once the
/// app reads the field no more, the rename passes.
#[test]
fn a_mongoose_app_blocks_the_rename_of_a_field_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    repo_with(
        root,
        "mongoose",
        "",
        MONGOOSE_USER,
        &[("20240501000000-rename-nick.js", RENAME_NICK), ("20240502000000-add-plan.js", ADD_FIELD)],
    );
    let (code, v) = check(root, "migrations/20240501000000-rename-nick.js");
    assert_eq!(code, Some(1), "{v:#}");
    let rename = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "rename-column").unwrap();
    assert_eq!(rename["severity"], "block", "{rename:#}");
    assert_eq!(rename["object"], "users.profile.nick", "{rename:#}");
    let lines: Vec<i64> = rename["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "app/src/users.js")
        .map(|r| r["line"].as_i64().unwrap())
        .collect();
    // The schema declaration and the read on the document `findOne` returned.
    assert!(lines.contains(&5) && lines.contains(&12), "{rename:#}");

    let (code, v) = check(root, "migrations/20240502000000-add-plan.js");
    assert_eq!(code, Some(0), "{v:#}");

    write(
        root,
        "app/src/users.js",
        MONGOOSE_USER
            .replace("  profile: { nick: String },\n", "")
            .replace("return user.profile.nick;", "return user.email;"),
    );
    git(root, &["commit", "-qam", "the app no longer reads profile.nick"]);
    let (code, v) = check(root, "migrations/20240501000000-rename-nick.js");
    assert_eq!(code, Some(0), "{v:#}");
}

/// The README's "MongoDB, on the bundled example", command by command, on the example as
/// committed (in a repository of its own at the same place).
#[test]
fn the_readme_mongodb_example_runs_as_written() {
    const COMMANDS: [&str; 2] = [
        "check examples/mongo/migrations/20260301090000-rename-nick.js",
        "check examples/mongo/migrations/20260302090000-add-plan.js",
    ];
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(manifest.join("README.md")).unwrap();
    for command in COMMANDS {
        assert!(
            readme.contains(&format!("tandem --config examples/mongo/apps.toml {command}")),
            "README lacks {command}"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    for rel in [
        "apps.toml",
        "migrate-mongo-config.js",
        "schema/collections.json",
        "migrations/20260301090000-rename-nick.js",
        "migrations/20260302090000-add-plan.js",
        "api/src/models/user.js",
        "api/src/users.js",
    ] {
        let text = std::fs::read_to_string(manifest.join("examples/mongo").join(rel)).unwrap();
        write(root, &format!("examples/mongo/{rel}"), &text);
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "the example"]);
    let run = |command: &str| {
        let out = tandem_in(root)
            .args(["--config", "examples/mongo/apps.toml", "--color", "never"])
            .args(command.split_whitespace())
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let (code, text) = run(COMMANDS[0]);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("block[rename-column]: renames field `users.profile.nick` to `profile.handle`, but `api` still uses it: 3 references at head"),
        "{text}"
    );
    assert!(text.contains("warn[mongodb-unbatched-update]"), "{text}");
    let (code, text) = run(COMMANDS[1]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("verdict: pass"), "{text}");
    // `refs` takes a nested field as its path, not as `schema.table.column`.
    let (code, text) = run("refs users.profile.nick");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("users.profile.nick: 3 references"), "{text}");
    let (code, _) = run("refs users..nick");
    assert_eq!(code, Some(2));
}

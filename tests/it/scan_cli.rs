//! `tandem scan`, `tandem refs` and `tandem graph` as a user runs them: a registry file, a git
//! repository, the SQLite store, exit codes.

use std::path::Path;

use crate::support::cmd::{git, tandem_in};

fn setup(dir: &Path) {
    let repo = dir.join("shop");
    std::fs::create_dir_all(repo.join("app/models")).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(
        repo.join("app/models/user.rb"),
        "class User < ApplicationRecord\n  def self.by_email(e)\n    where(email: e).first\n  end\nend\n",
    )
    .expect("write");
    std::fs::write(repo.join("app/models/report.rb"), "SQL = \"SELECT u.email FROM users u\"\n").expect("write");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "one"]);
    git(&repo, &["tag", "v1"]);
    std::fs::write(
        dir.join("apps.toml"),
        "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"shop\"\nrepo = \"shop\"\nframework = \"rails\"\ndeployed = \"v1\"\nhead = \"main\"\n",
    )
    .expect("write apps.toml");
}

#[test]
fn scan_then_refs_then_graph() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path());

    let out = tandem_in(dir.path()).args(["scan", "--format", "json"]).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["version"], 1);
    let scans = json["scans"].as_array().expect("scans");
    let refs: Vec<(&str, u64)> = scans
        .iter()
        .map(|s| (s["ref"].as_str().unwrap_or(""), s["summary"]["files_read"].as_u64().unwrap_or(99)))
        .collect();
    // deployed and head are the same commit: the second reads nothing.
    assert_eq!(refs, vec![("deployed", 2), ("head", 0)]);

    let out = tandem_in(dir.path())
        .args(["refs", "users.email", "--format", "json", "--ref", "main"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(json["version"], 1);
    let found: Vec<String> = json["targets"][0]["references"]
        .as_array()
        .expect("references")
        .iter()
        .map(|r| {
            format!(
                "{}:{} {} {}",
                r["path"].as_str().unwrap_or(""),
                r["line"],
                r["kind"].as_str().unwrap_or(""),
                r["ref"].as_str().unwrap_or("")
            )
        })
        .collect();
    // No schema is configured: the model's class line, which loads every column, is a use too.
    assert_eq!(
        found,
        vec![
            "app/models/report.rb:1 sql main",
            "app/models/user.rb:1 implicit main",
            "app/models/user.rb:3 query main"
        ]
    );

    let out = tandem_in(dir.path()).args(["refs", "users.email"]).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("users.email: 6 references\n  shop @ deployed ("), "{text}");

    let out = tandem_in(dir.path()).args(["graph", "--format", "dot"]).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("app_shop_head -> t_users [label=\"4 refs\"];"), "{text}");
}

#[test]
fn unknown_app_is_input_error_and_missing_repo_environment_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path());
    tandem_in(dir.path()).args(["scan", "--app", "nope"]).assert().code(2);
    tandem_in(dir.path()).args(["scan", "--ref", "v9"]).assert().code(3);
    std::fs::remove_dir_all(dir.path().join("shop")).expect("rm");
    tandem_in(dir.path()).args(["scan"]).assert().code(3);
}

#[test]
fn refs_lists_the_gates_confidence_and_counts_the_rest() {
    let dir = tempfile::tempdir().expect("tempdir");
    setup(dir.path());
    std::fs::write(
        dir.path().join("structure.sql"),
        "CREATE TABLE public.users (id bigint, email text, nickname text);\n",
    )
    .expect("write");
    let toml = std::fs::read_to_string(dir.path().join("apps.toml")).expect("read");
    std::fs::write(
        dir.path().join("apps.toml"),
        toml.replace("[registry]\n", "[registry]\nschema = \"structure.sql\"\n"),
    )
    .expect("write");
    let repo = dir.path().join("shop");
    // A bare word in a script: the `name` fallback's low-confidence match, not the gate's.
    std::fs::write(repo.join("notes.rb"), "puts :nickname\n").expect("write");
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "two"]);

    let out = tandem_in(dir.path()).args(["refs", "users.nickname", "--ref", "main"]).output().expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The model maps every column (high); the bare word is only counted.
    assert!(text.starts_with("users.nickname: 1 reference\n"), "{text}");
    assert!(text.contains("app/models/user.rb:1  implicit"), "{text}");
    assert!(!text.contains("notes.rb"), "{text}");
    assert!(text.ends_with("\n  and 1 name-only match: --min-confidence low lists them\n"), "{text}");

    let out = tandem_in(dir.path())
        .args(["refs", "users.nickname", "--ref", "main", "--min-confidence", "low", "--format", "json"])
        .output()
        .expect("runs");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let paths: Vec<&str> = json["targets"][0]["references"]
        .as_array()
        .expect("references")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(paths, ["app/models/user.rb", "notes.rb"]);
    assert_eq!(json["targets"][0]["below_min_confidence"], 0);
}

/// Many Phoenix and Django apps commit no dump: with no `schema`, `refs` builds one from the
/// registered migrations, so a model's implicit use of every column of its table is known — and a
/// pending drop does not hide the column it drops.
#[test]
fn without_a_schema_refs_replays_the_registered_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    crate::support::cmd::write(
        root,
        "apps.toml",
        "[registry]\nmigrations = \"migrations\"\n\n[[app]]\nname = \"web\"\nrepo = \".\"\npath = \"web\"\n\
         framework = \"rails\"\nhead = \"HEAD\"\n",
    );
    crate::support::cmd::write(
        root,
        "migrations/001_users.sql",
        "CREATE TABLE users (id bigint PRIMARY KEY, nickname text);\nCREATE TABLE posts (id bigint PRIMARY KEY, title text);\n",
    );
    crate::support::cmd::write(root, "migrations/002_drop.sql", "ALTER TABLE users DROP COLUMN nickname;\n");
    crate::support::cmd::write(root, "web/app/models/user.rb", "class User < ApplicationRecord\nend\n");
    crate::support::cmd::write(root, ".gitignore", ".tandem/\n");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "init"]);
    let out = tandem_in(root).args(["refs", "users.nickname", "--format", "json"]).output().unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let found: Vec<(String, u64, String)> = v["targets"][0]["references"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["path"].as_str().unwrap().to_owned(),
                r["line"].as_u64().unwrap(),
                r["confidence"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(found, [("web/app/models/user.rb".to_owned(), 1, "high".to_owned())], "{v:#}");
}

/// A committed dump lags the migrations beside it: `refs` replays the ones newer than the dump's
/// last `schema_migrations` version over it, and a table a later migration drops and creates
/// anew takes its new columns.
#[test]
fn refs_replays_the_migrations_newer_than_the_dump() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    crate::support::cmd::write(
        root,
        "apps.toml",
        "[registry]\nschema = \"structure.sql\"\nmigrations = \"migrations\"\n\n[[app]]\nname = \"web\"\nrepo = \".\"\n\
         path = \"web\"\nframework = \"rails\"\nhead = \"HEAD\"\n",
    );
    crate::support::cmd::write(
        root,
        "structure.sql",
        "CREATE TABLE public.users (id bigint NOT NULL, email text);\n\
         CREATE TABLE public.reports (id bigint NOT NULL, state text);\n\
         INSERT INTO public.\"schema_migrations\" (version) VALUES ('001');\n",
    );
    crate::support::cmd::write(root, "migrations/001_init.sql", "CREATE TABLE users (id bigint, email text);\n");
    crate::support::cmd::write(root, "migrations/002_drop_reports.sql", "DROP TABLE reports;\n");
    crate::support::cmd::write(
        root,
        "migrations/003_reports.sql",
        "CREATE TABLE reports (id bigint PRIMARY KEY, summary text);\nALTER TABLE users ADD COLUMN nickname text;\n",
    );
    crate::support::cmd::write(root, "web/app/models/report.rb", "class Report < ApplicationRecord\nend\n");
    crate::support::cmd::write(root, "web/app/models/user.rb", "class User < ApplicationRecord\nend\n");
    crate::support::cmd::write(root, ".gitignore", ".tandem/\n");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "init"]);
    let out = tandem_in(root)
        .args(["refs", "reports.summary", "users.nickname", "reports.state", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let found: Vec<(String, String)> = v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["references"].as_array().unwrap().iter().map(|r| {
                (t["target"].as_str().unwrap().to_owned(), format!("{}:{}", r["path"].as_str().unwrap(), r["line"]))
            })
        })
        .collect();
    let expected = [
        ("reports.summary".to_owned(), "web/app/models/report.rb:1".to_owned()),
        ("users.nickname".to_owned(), "web/app/models/user.rb:1".to_owned()),
    ];
    // `reports.state` went with the old table.
    assert_eq!(found, expected, "{v:#}");
}

/// A Django project's migration folders, one per Django app, listed for one app: replayed in
/// Django's dependency order (a `shop` migration that needs `blog`'s second one runs after it,
/// whatever the directories' order) with one model state across them, so that a foreign key to
/// another Django app's model with its own `db_table` reaches that table, and a squashed
/// migration stands for those it replaces.
#[test]
fn a_django_projects_migration_folders_replay_in_dependency_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let w = |p: &str, t: &str| crate::support::cmd::write(root, p, t);
    w(
        "apps.toml",
        "[[app]]\nname = \"web\"\nrepo = \".\"\nframework = \"django\"\nhead = \"HEAD\"\n\
         migrations = [\"shop/migrations\", \"blog/migrations\"]\n",
    );
    let head = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n";
    w("blog/migrations/__init__.py", "");
    w(
        "blog/migrations/0001_initial.py",
        &format!(
            "{head}    dependencies = []\n    operations = [\n        migrations.CreateModel(\"Author\", [(\"id\", models.AutoField(primary_key=True))], options={{\"db_table\": \"writers\"}}),\n    ]\n"
        ),
    );
    w(
        "blog/migrations/0002_pen_name.py",
        &format!(
            "{head}    dependencies = [(\"blog\", \"0001_initial\")]\n    operations = [\n        migrations.AddField(\"author\", \"pen_name\", models.CharField(max_length=20)),\n    ]\n"
        ),
    );
    // Squashes the two above: read in their place.
    w(
        "blog/migrations/0001_squashed_0002.py",
        &format!(
            "{head}    replaces = [(\"blog\", \"0001_initial\"), (\"blog\", \"0002_pen_name\")]\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\"Author\", [(\"id\", models.AutoField(primary_key=True)), (\"pen_name\", models.CharField(max_length=20)), (\"bio\", models.TextField())], options={{\"db_table\": \"writers\"}}),\n    ]\n"
        ),
    );
    w("shop/migrations/__init__.py", "");
    w(
        "shop/migrations/0001_initial.py",
        &format!(
            "{head}    dependencies = [(\"blog\", \"0002_pen_name\")]\n    operations = [\n        migrations.CreateModel(\"Book\", [(\"id\", models.AutoField(primary_key=True)), (\"author\", models.ForeignKey(\"blog.Author\", models.CASCADE))]),\n        migrations.RunSQL(\"UPDATE writers SET pen_name = 'x'\"),\n    ]\n"
        ),
    );
    w(
        "shop/views.py",
        "from django.db import connection\n\n\ndef f():\n    connection.cursor().execute(\"SELECT bio, pen_name FROM writers JOIN shop_book ON shop_book.author_id = writers.id\")\n",
    );
    w(".gitignore", ".tandem/\n");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "init"]);
    let out = tandem_in(root)
        .args(["refs", "writers.bio", "writers.pen_name", "shop_book.author_id", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    for (i, target) in ["writers.bio", "writers.pen_name", "shop_book.author_id"].iter().enumerate() {
        let refs: Vec<(String, u64)> = v["targets"][i]["references"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["path"].as_str().unwrap().to_owned(), r["line"].as_u64().unwrap()))
            .collect();
        assert_eq!(v["targets"][i]["target"], *target, "{v:#}");
        assert_eq!(refs, [("shop/views.py".to_owned(), 5)], "{target}: {v:#}");
    }
}

//! `tandem check` against a live database takes what the database says it has applied as applied
//! — replayed to build the state, not gated: the versions `tandem migrate` recorded in its history
//! table, and for a Django app the rows of `django_migrations` (by app label and name, as Django
//! records them), a squashed migration counting as applied once everything it replaces is listed.
//! Before, each of these was gated again, so every historical drop blocked as "drops a column the
//! schema does not have" — `tandem migrate up` then `tandem check` on the same database disagreed.

use serde_json::Value;

use crate::support::cmd::{tandem_in, write};
use crate::support::git::TestRepo;
use crate::support::{mysql, pg};

/// A database server a test runs against: its URL and a way to run SQL on it.
trait Server {
    fn url(&self) -> String;
    fn execute(&self, sql: &str);
}

impl Server for pg::TempDb {
    fn url(&self) -> String {
        pg::TempDb::url(self)
    }
    fn execute(&self, sql: &str) {
        pg::TempDb::execute(self, sql)
    }
}

impl Server for mysql::TempDb {
    fn url(&self) -> String {
        mysql::TempDb::url(self)
    }
    fn execute(&self, sql: &str) {
        mysql::TempDb::execute(self, sql)
    }
}

const MODELS: &str = "from django.db import models\n\n\
class Post(models.Model):\n    title = models.CharField(max_length=100)\n    body = models.TextField()\n";

const INITIAL: &str = r#"from django.db import migrations, models

class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Post",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("title", models.CharField(max_length=100)),
                ("body", models.TextField()),
                ("legacy", models.TextField()),
            ],
        ),
    ]
"#;

const REMOVE_LEGACY: &str = r#"from django.db import migrations

class Migration(migrations.Migration):
    dependencies = [("blog", "0001_initial")]
    operations = [migrations.RemoveField(model_name="post", name="legacy")]
"#;

/// The two above squashed into one, kept beside them as `squashmigrations` leaves it.
const SQUASHED: &str = r#"from django.db import migrations, models

class Migration(migrations.Migration):
    replaces = [("blog", "0001_initial"), ("blog", "0002_remove_post_legacy")]
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Post",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("title", models.CharField(max_length=100)),
                ("body", models.TextField()),
            ],
        ),
    ]
"#;

/// Pending: drops a column the model still declares.
const REMOVE_BODY: &str = r#"from django.db import migrations

class Migration(migrations.Migration):
    dependencies = [("blog", "0002_remove_post_legacy")]
    operations = [migrations.RemoveField(model_name="post", name="body")]
"#;

/// A PostgreSQL database Django migrated through `applied` (rows of `django_migrations`);
/// another app's rows (Django's own `auth`) are there too, as in every real one.
fn database(applied: &[&str]) -> pg::TempDb {
    let db = pg::TempDb::new();
    db.execute("CREATE TABLE blog_post (id bigserial PRIMARY KEY, title varchar(100) NOT NULL, body text NOT NULL)");
    db.execute(
        "CREATE TABLE django_migrations (id bigserial PRIMARY KEY, app varchar(255) NOT NULL, \
         name varchar(255) NOT NULL, applied timestamptz NOT NULL)",
    );
    record(&db, applied);
    db
}

/// The same on MariaDB, with the tables Django creates there.
fn mariadb(applied: &[&str]) -> mysql::TempDb {
    let db = mysql::TempDb::new();
    db.execute("CREATE TABLE blog_post (id bigint AUTO_INCREMENT PRIMARY KEY, title varchar(100) NOT NULL, body longtext NOT NULL)");
    db.execute(
        "CREATE TABLE django_migrations (id bigint AUTO_INCREMENT PRIMARY KEY, app varchar(255) NOT NULL, \
         name varchar(255) NOT NULL, applied datetime(6) NOT NULL)",
    );
    record(&db, applied);
    db
}

fn record(db: &dyn Server, applied: &[&str]) {
    for name in applied.iter().copied().chain(["auth.0001_initial", "auth.0012_alter_user_first_name_max_length"]) {
        let (app, name) = name.split_once('.').unwrap();
        db.execute(&format!("INSERT INTO django_migrations (app, name, applied) VALUES ('{app}', '{name}', now())"));
    }
}

/// A registry beside a Django app with `migrations`, checked against `db`: the JSON report.
fn check(db: &dyn Server, migrations: &[(&str, &str)]) -> (i32, Value) {
    check_on(db, "postgres", migrations)
}

fn check_on(db: &dyn Server, dialect: &str, migrations: &[(&str, &str)]) -> (i32, Value) {
    let mut files = vec![("blog/__init__.py", ""), ("blog/models.py", MODELS), ("blog/migrations/__init__.py", "")];
    files.extend(migrations.iter().copied());
    let app = TestRepo::with_files(&files);
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "apps.toml",
        format!(
            "[registry]\ndialect = \"{dialect}\"\ndatabase_url_env = \"BLOG_DB\"\n\n[[app]]\nname = \"blog\"\n\
             repo = \"{}\"\nframework = \"django\"\nhead = \"main\"\nmigrations = \"blog/migrations\"\n",
            app.path().display()
        ),
    );
    let out = tandem_in(dir.path())
        .env("BLOG_DB", db.url())
        .args(["check", "--format", "json"])
        .arg(app.path().join("blog/migrations"))
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap(), json)
}

/// (file name, applied) of each migration in the report.
fn migrations(report: &Value) -> Vec<(String, bool)> {
    report["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let file = m["file"].as_str().unwrap();
            (file.rsplit('/').next().unwrap().to_owned(), m["applied"].as_bool().unwrap())
        })
        .collect()
}

/// (rule, line) of each finding that blocks.
fn blocks(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "block")
        .map(|f| (f["rule"].as_str().unwrap().to_owned(), f["location"]["file"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[test]
fn migrations_the_database_lists_are_applied_not_gated() {
    let db = database(&["blog.0001_initial", "blog.0002_remove_post_legacy"]);
    let (code, report) = check(
        &db,
        &[("blog/migrations/0001_initial.py", INITIAL), ("blog/migrations/0002_remove_post_legacy.py", REMOVE_LEGACY)],
    );
    assert_eq!(blocks(&report), Vec::<(String, String)>::new(), "{report:#}");
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        migrations(&report),
        [("0001_initial.py".to_owned(), true), ("0002_remove_post_legacy.py".to_owned(), true)]
    );
}

#[test]
fn a_pending_migration_after_the_listed_ones_is_gated_against_the_database() {
    let db = database(&["blog.0001_initial", "blog.0002_remove_post_legacy"]);
    let (code, report) = check(
        &db,
        &[
            ("blog/migrations/0001_initial.py", INITIAL),
            ("blog/migrations/0002_remove_post_legacy.py", REMOVE_LEGACY),
            ("blog/migrations/0003_remove_post_body.py", REMOVE_BODY),
        ],
    );
    assert_eq!(code, 1, "{report:#}");
    let blocks = blocks(&report);
    assert_eq!(blocks.len(), 1, "{report:#}");
    assert_eq!(blocks[0].0, "drop-column");
    assert!(blocks[0].1.ends_with("0003_remove_post_body.py"), "{blocks:?}");
    assert_eq!(
        migrations(&report),
        [
            ("0001_initial.py".to_owned(), true),
            ("0002_remove_post_legacy.py".to_owned(), true),
            ("0003_remove_post_body.py".to_owned(), false)
        ]
    );
}

#[test]
fn a_squashed_migration_is_applied_when_the_database_lists_all_it_replaces() {
    // The database ran the originals before the squash existed; Django would not run it again.
    let db = database(&["blog.0001_initial", "blog.0002_remove_post_legacy"]);
    let (code, report) = check(
        &db,
        &[
            ("blog/migrations/0001_initial.py", INITIAL),
            ("blog/migrations/0001_squashed_0002_remove_post_legacy.py", SQUASHED),
            ("blog/migrations/0002_remove_post_legacy.py", REMOVE_LEGACY),
            ("blog/migrations/0003_remove_post_body.py", REMOVE_BODY),
        ],
    );
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(
        migrations(&report),
        [("0001_squashed_0002_remove_post_legacy.py".to_owned(), true), ("0003_remove_post_body.py".to_owned(), false)]
    );
    let blocks = blocks(&report);
    assert_eq!(blocks.len(), 1, "{report:#}");
    assert!(blocks[0].1.ends_with("0003_remove_post_body.py"), "{blocks:?}");
}

#[test]
fn a_squashed_migration_is_pending_while_one_it_replaces_is_not_listed() {
    // Only the first original ran: the squashed migration has not, so it is checked — against a
    // database that still lacks what its second half removes, as Django would run it.
    let db = database(&["blog.0001_initial"]);
    let (_, report) = check(
        &db,
        &[
            ("blog/migrations/0001_initial.py", INITIAL),
            ("blog/migrations/0001_squashed_0002_remove_post_legacy.py", SQUASHED),
            ("blog/migrations/0002_remove_post_legacy.py", REMOVE_LEGACY),
        ],
    );
    assert_eq!(migrations(&report), [("0001_squashed_0002_remove_post_legacy.py".to_owned(), false)], "{report:#}");
}

#[test]
fn mariadb_django_migrations_rows_are_read_too() {
    let db = mariadb(&["blog.0001_initial", "blog.0002_remove_post_legacy"]);
    let (code, report) = check_on(
        &db,
        "mysql",
        &[
            ("blog/migrations/0001_initial.py", INITIAL),
            ("blog/migrations/0002_remove_post_legacy.py", REMOVE_LEGACY),
            ("blog/migrations/0003_remove_post_body.py", REMOVE_BODY),
        ],
    );
    assert_eq!(code, 1, "{report:#}");
    let blocks = blocks(&report);
    assert_eq!(blocks.len(), 1, "{report:#}");
    assert!(blocks[0].1.ends_with("0003_remove_post_body.py"), "{blocks:?}");
    assert_eq!(
        migrations(&report),
        [
            ("0001_initial.py".to_owned(), true),
            ("0002_remove_post_legacy.py".to_owned(), true),
            ("0003_remove_post_body.py".to_owned(), false)
        ]
    );
}

#[test]
fn what_tandem_migrate_applied_is_not_gated_again() {
    let db = pg::TempDb::new();
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "apps.toml", "[registry]\ndatabase_url_env = \"SHARED_DB\"\nmigrations = \"migrations\"\n");
    write(dir.path(), "migrations/20250101000000_create.sql", "CREATE TABLE t (id int PRIMARY KEY, a text, b text);\n");
    write(dir.path(), "migrations/20250102000000_drop_a.sql", "ALTER TABLE t DROP COLUMN a;\n");
    let up = tandem_in(dir.path()).env("SHARED_DB", db.url()).args(["migrate", "up"]).output().unwrap();
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    write(dir.path(), "migrations/20250103000000_drop_b.sql", "ALTER TABLE t DROP COLUMN b;\n");

    let out = tandem_in(dir.path()).env("SHARED_DB", db.url()).args(["check", "--format", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(
        migrations(&report),
        [
            ("20250101000000_create.sql".to_owned(), true),
            ("20250102000000_drop_a.sql".to_owned(), true),
            ("20250103000000_drop_b.sql".to_owned(), false)
        ]
    );
    // The pending drop is gated against the database as it is: `b` exists, nobody uses it.
    let drops: Vec<&Value> =
        report["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "drop-column").collect();
    assert_eq!(drops.len(), 1, "{report:#}");
    assert_eq!(drops[0]["object"], "t.b");
    assert_eq!(drops[0]["severity"], "info");
}

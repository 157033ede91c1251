//! Bad input never panics: every reader returns operations (`Unparsed` where it must) or a
//! located error for truncated, non-ASCII and nonsense files.

use std::path::Path;

use tandem::migration::{self, Format, OpKind};
use tandem::schema::Dialect;

const SAMPLES: &[&str] = &[
    "",
    "é",
    "ALTER TABLE «users» ADD COLUMN ä int; DROP TABLE ü;",
    "CREATE TABLE t (a int",
    "'unterminated",
    "/* never closed",
    "DELIMITER",
    "DELIMITER é\nSELECT 1é",
    "class X < ActiveRecord::Migration[7.1]\n  def change\n    add_column :t\n    remove_columns\n    execute <<~SQL\n",
    "defmodule M do\n use Ecto.Migration\n def change do\n  create table(\n",
    "class Migration(migrations.Migration):\n    operations = [migrations.AddField(\n",
    "class Migration(migrations.Migration):\n    operations = [migrations.RunSQL(f\"x {y}\"), 42, None]\n",
    "defmodule M do\n use Ecto.Migration\n def change do\n  execute \"é#{x}\"\n  alter table(:t) do\n   weird\n  end\n end\nend\n",
    "class X < ActiveRecord::Migration[7.1]\n  def change\n    execute \"SELECT \\\"é\\\"\"\n    if x\n      y\n    end\n    t.string\n  end\nend\n",
];

#[test]
fn no_reader_panics_on_bad_input() {
    for format in [Format::Sql, Format::Rails, Format::Ecto, Format::Django] {
        for dialect in [Dialect::Postgres, Dialect::Mysql] {
            for text in SAMPLES {
                let _ = migration::read_file(Path::new("bad"), text, Some(format), dialect);
            }
        }
    }
}

#[test]
fn truncated_sql_is_unparsed_not_dropped() {
    let ms = migration::read_file(Path::new("x.sql"), "DROP TABLE a;\nCREATE TABLE t (a int", None, Dialect::Postgres)
        .unwrap();
    let kinds: Vec<&OpKind> = ms[0].up.iter().map(|o| &o.kind).collect();
    assert_eq!(kinds.len(), 2);
    assert!(matches!(kinds[1], OpKind::Unparsed { .. }));
    assert_eq!((ms[0].up[1].span.line, ms[0].up[1].span.column), (2, 1));
}

#[test]
fn a_ruby_file_without_a_migration_class_is_a_located_input_error() {
    let err = migration::read_file(Path::new("db/migrate/1_x.rb"), "puts 1\n", None, Dialect::Postgres).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(
        err.to_string(),
        "db/migrate/1_x.rb:1:1: no migration class found\n  help: expected `class Name < ActiveRecord::Migration[7.1]` with a `change` or `up` method"
    );
}

/// A file the framework's grammar rejects is bad input at its first error, never a pass.
fn syntax_error(path: &str, text: &str) -> String {
    let err = migration::read_file(Path::new(path), text, None, Dialect::Postgres)
        .map(|ms| format!("read as {:?}", ms.iter().map(|m| &m.up).collect::<Vec<_>>()))
        .unwrap_err();
    assert_eq!(err.exit_code(), 2, "{err}");
    err.to_string()
}

#[test]
fn a_file_the_grammar_rejects_is_a_located_syntax_error() {
    let cases = [
        (
            "db/migrate/1_x.rb",
            "class X < ActiveRecord::Migration[7.1]\n  def change\n    add_column :users, :a, :string\n    remove_column :users, :b, :string, default: (\n    add_index :users, :a\n  end\nend\n",
            "db/migrate/1_x.rb:5:25: syntax error: expected `)`",
        ),
        (
            "db/migrate/2_missing_end.rb",
            "class X < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :b, :string\n  end\n",
            "db/migrate/2_missing_end.rb:4:6: syntax error: the file ends before a block or bracket is closed",
        ),
        (
            "priv/repo/migrations/1_stray.exs",
            "defmodule M do\n  use Ecto.Migration\n  def change do\n    alter table(:users) do\n      remove :email, :string)\n    end\n  end\nend\n",
            "priv/repo/migrations/1_stray.exs:5:",
        ),
        (
            "priv/repo/migrations/2_cut.exs",
            "defmodule M do\n  use Ecto.Migration\n  def change do\n    alter table(:users) do\n      remove :email\n",
            "priv/repo/migrations/2_cut.exs:",
        ),
        (
            "app/migrations/0002_x.py",
            "from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RemoveField(model_name='a', name='b'),\n        migrations.RemoveField(\n",
            "app/migrations/0002_x.py:",
        ),
    ];
    for (path, text, located) in cases {
        let err = syntax_error(path, text);
        assert!(err.starts_with(located) && err.contains("syntax error"), "{path}: {err}");
        assert!(!err.contains(":1:1:"), "{path}: {err}");
    }
}

#[test]
fn deeply_nested_input_does_not_exhaust_the_stack() {
    let depth = 5_000;
    let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let rb = format!(
        "class X < ActiveRecord::Migration[7.1]\n  def change\n    add_column :t, :c, :string, default: {nested}\n{}    drop_table :t\n{}  end\nend\n",
        "    say_with_time 'x' do\n".repeat(200),
        "    end\n".repeat(200)
    );
    let ex = format!(
        "defmodule M do\n use Ecto.Migration\n def change do\n  alter table(:t) do\n   add :c, :string, default: {nested}\n  end\n end\nend\n"
    );
    let py = format!(
        "from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL({nested})]\n"
    );
    let sql = format!("SELECT {};", "(".repeat(depth) + "1" + &")".repeat(depth));
    let mut cases =
        vec![("db/migrate/1_x.rb", rb), ("m/1_x.exs", ex), ("app/migrations/0001_x.py", py), ("1_x.sql", sql)];
    for d in [50, 200, 1000] {
        let p = |d: usize| "(".repeat(d) + "1" + &")".repeat(d);
        cases.push(("2_x.sql", format!("CREATE VIEW v AS SELECT {} AS x FROM t;", p(d))));
        cases.push(("3_x.sql", format!("ALTER TABLE t ADD COLUMN c int DEFAULT {};", p(d))));
        cases.push(("4_x.sql", format!("CREATE INDEX i ON t (a) WHERE {} > 0;", p(d))));
    }
    for (path, text) in cases {
        let result = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || migration::read_file(Path::new(path), &text, None, Dialect::Postgres).map(|m| m.len()))
            .unwrap()
            .join();
        assert!(result.is_ok(), "{path} panicked");
    }
}

#[test]
fn reading_grows_linearly_with_the_statements() {
    // Locating every operation by rescanning the file from its start made this quadratic: 30k
    // statements took minutes. One line index per file keeps it to a parse.
    let sql: String = (0..30_000).map(|i| format!("ALTER TABLE users ADD COLUMN c{i} integer;\n")).collect();
    let started = std::time::Instant::now();
    let ms = migration::read_file(Path::new("big.sql"), &sql, None, Dialect::Postgres).unwrap();
    let elapsed = started.elapsed();
    assert_eq!(ms[0].up.len(), 30_000);
    assert_eq!(ms[0].up[29_999].span.line, 30_000);
    assert!(elapsed.as_secs() < 15, "{elapsed:?}");
}

#[test]
fn invalid_utf8_is_located_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("1_x.sql");
    std::fs::write(&path, b"ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users DROP COLUMN \xff\xfeb;\n").unwrap();
    let err = migration::load_path(&path, None, Dialect::Postgres).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("{}:2:31: not valid UTF-8: byte 0xFF at byte offset 66", path.display())),
        "{shown}"
    );

    let dump = dir.path().join("structure.sql");
    std::fs::write(&dump, b"CREATE TABLE a (id int);\n\n-- \xc3\n").unwrap();
    let err =
        tandem::schema::source::load(&tandem::schema::source::SchemaSource::File(dump.clone()), None).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!("{}:3:4: not valid UTF-8: byte 0xC3 at byte offset 29", dump.display())),
        "{err}"
    );
}

#[test]
fn a_nul_byte_and_nesting_too_deep_are_named_where_they_are() {
    let sql = "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users\n  ADD COLUMN b int,\n  ADD COLUMN c\0 int;\n";
    let ms = migration::read_file(Path::new("1_x.sql"), sql, None, Dialect::Postgres).unwrap();
    let reasons: Vec<&str> = ms[0]
        .up
        .iter()
        .filter_map(|o| match &o.kind {
            OpKind::Unparsed { reason, .. } => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(reasons, vec!["a NUL byte (0x00) is not allowed in SQL text (line 4, column 15)"]);

    let deep = format!("SELECT {}1{};\n", "(".repeat(20_000), ")".repeat(20_000));
    let sql = format!("SELECT 1;\n{deep}");
    let ms = std::thread::Builder::new()
        .stack_size(64 * 1024 * 1024)
        .spawn(move || migration::read_file(Path::new("2_x.sql"), &sql, None, Dialect::Postgres).unwrap())
        .unwrap()
        .join()
        .unwrap();
    let reason = ms[0]
        .up
        .iter()
        .find_map(|o| match &o.kind {
            OpKind::Unparsed { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .expect("the deep statement is unparsed");
    assert!(reason.starts_with("nesting deeper than PostgreSQL's parser can hold"), "{reason}");
    assert!(!reason.contains("memory exhausted"), "{reason}");

    // The dump reader points at the NUL's own line, with a caret.
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("structure.sql");
    std::fs::write(&dump, "CREATE TABLE a (id int);\n\nCREATE TABLE b (\n  id int\0\n);\n").unwrap();
    let err =
        tandem::schema::source::load(&tandem::schema::source::SchemaSource::File(dump.clone()), None).unwrap_err();
    assert!(err.to_string().starts_with(&format!("{}:4:9: cannot parse SQL", dump.display())), "{err}");
    assert!(err.to_string().contains("NUL byte"), "{err}");
}

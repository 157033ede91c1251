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

#[test]
fn syntax_errors_inside_a_method_are_unparsed_at_their_line() {
    let rb = "class X < ActiveRecord::Migration[7.1]\n  def change\n    add_column :users, :a, :string\n    remove_column :users, :b, :string, default: (\n    add_index :users, :a\n  end\nend\n";
    let ms = migration::read_file(Path::new("db/migrate/1_x.rb"), rb, None, Dialect::Postgres).unwrap();
    let kinds: Vec<String> =
        ms[0].up.iter().map(|o| format!("{}:{:?}", o.span.line, std::mem::discriminant(&o.kind))).collect();
    assert!(
        ms[0].up.iter().any(|o| matches!(&o.kind, OpKind::Unparsed { reason, .. } if reason.contains("Ruby"))),
        "{kinds:?}"
    );
    assert!(matches!(ms[0].up[0].kind, OpKind::AddColumn { .. }));

    let py = "from django.db import migrations\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RemoveField(model_name='a', name='b'),\n        migrations.AddField(model_name='a', name=,\n    ]\n";
    let ms = migration::read_file(Path::new("app/migrations/0002_x.py"), py, None, Dialect::Postgres).unwrap();
    assert!(matches!(ms[0].up[0].kind, OpKind::DropColumn { .. }));
    assert!(ms[0].up.iter().any(|o| matches!(&o.kind, OpKind::Unparsed { .. })));
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

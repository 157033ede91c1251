//! A phase's SQL as a framework migration (Rails, Ecto, Django): one `execute` per statement,
//! since Postgrex and Django's cursors run one statement per call, with the framework's own
//! switch for running outside a transaction. The statements are cut by the readers' splitters.

use crate::migration::Format;
use crate::migration::readers::{mysql, sql};
use crate::plan::Phase;
use crate::schema::Dialect;

/// The statements of `text`, without the comments between them (MySQL's `DELIMITER` lines and
/// `//` ends removed: a client's syntax, not the server's).
pub fn statements(text: &str, dialect: Dialect) -> Vec<String> {
    let ranges = match dialect {
        Dialect::Mysql => mysql::split(text),
        _ => sql::split(text),
    };
    ranges
        .into_iter()
        .map(|(s, e)| {
            let stmt = text[s..e].trim();
            let stmt = stmt.trim_end_matches("//").trim_end_matches(';').trim();
            stmt.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n")
        })
        .filter(|s| !s.trim().is_empty() && !s.trim_start().to_ascii_uppercase().starts_with("DELIMITER"))
        .collect()
}

/// `(file name, text)` of `phase` as a migration of `format` at `version`; `previous` is the
/// name (without `.py`) of the Django migration it depends on, `label` the Django app's.
/// Whether [`render`] writes migrations in `format` (the readers know more formats than tandem
/// writes).
pub fn writes(format: Format) -> bool {
    matches!(format, Format::Sql | Format::Rails | Format::Ecto | Format::Django)
}

pub fn render(
    format: Format,
    phase: &Phase,
    version: &str,
    dialect: Dialect,
    previous: Option<&str>,
    label: &str,
) -> (String, String) {
    let up = statements(&phase.up, dialect);
    let down = statements(&phase.down, dialect);
    match format {
        Format::Sql
        | Format::Alembic
        | Format::Typeorm
        | Format::Sequelize
        | Format::Knex
        | Format::MigrateMongo
        | Format::PrismaSchema => {
            unreachable!(
                "SQL phases are written by the directory's layout; `plan` refuses the formats `writes` excludes"
            )
        }
        Format::Rails => {
            let class = camel_case(&phase.name);
            let block = |stmts: &[String]| {
                stmts
                    .iter()
                    .map(|s| format!("    execute <<~'SQL'\n{}\n    SQL\n", indent(s, 6)))
                    .collect::<Vec<_>>()
                    .join("")
            };
            let no_tx = if phase.transactional { "" } else { "  disable_ddl_transaction!\n\n" };
            (
                format!("{version}_{}.rb", phase.name),
                format!(
                    "class {class} < ActiveRecord::Migration[7.1]\n{no_tx}  def up\n{}  end\n\n  def down\n{}  end\nend\n",
                    block(&up),
                    block(&down)
                ),
            )
        }
        Format::Ecto => {
            let module = camel_case(&phase.name);
            let block = |stmts: &[String]| {
                stmts.iter().map(|s| format!("    execute \"\"\"\n{}\n    \"\"\"\n", indent(s, 4))).collect::<String>()
            };
            let no_tx = if phase.transactional {
                String::new()
            } else {
                "  @disable_ddl_transaction true\n  @disable_migration_lock true\n\n".to_owned()
            };
            (
                format!("{version}_{}.exs", phase.name),
                format!(
                    "defmodule Repo.Migrations.{module} do\n  use Ecto.Migration\n{no_tx}\n  def up do\n{}  end\n\n  def down do\n{}  end\nend\n",
                    block(&up),
                    block(&down)
                ),
            )
        }
        Format::Django => {
            let py = |stmts: &[String]| {
                stmts
                    .iter()
                    .map(|s| format!("                \"\"\"\n{}\n                \"\"\",\n", indent(s, 16)))
                    .collect::<String>()
            };
            let deps = previous.map(|p| format!("(\"{label}\", \"{p}\")")).unwrap_or_default();
            let atomic = if phase.transactional { "" } else { "    atomic = False\n\n" };
            (
                format!("{version}_{}.py", phase.name),
                format!(
                    "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n{atomic}    dependencies = [{deps}]\n\n    operations = [\n        migrations.RunSQL(\n            sql=[\n{}            ],\n            reverse_sql=[\n{}            ],\n        ),\n    ]\n",
                    py(&up),
                    py(&down)
                ),
            )
        }
    }
}

/// `expand_users_email` → `ExpandUsersEmail`: the class or module a Rails or Ecto migration's
/// file name asks for (each word's first letter raised, the rest kept).
fn camel_case(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

fn indent(text: &str, n: usize) -> String {
    let pad = " ".repeat(n);
    text.lines().map(|l| if l.is_empty() { String::new() } else { format!("{pad}{l}") }).collect::<Vec<_>>().join("\n")
}

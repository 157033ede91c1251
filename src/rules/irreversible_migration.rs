//! A migration without a down part cannot be rolled back when the release that needs it is.

use crate::migration::{Format, Span};
use crate::rules::MigrationContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "irreversible-migration"
    }
    fn summary(&self) -> &'static str {
        "A migration without a down part cannot be rolled back"
    }
    fn applies_to(&self, _dialect: crate::schema::Dialect) -> bool {
        true
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_migration(&self, cx: &MigrationContext<'_>) -> Vec<Finding> {
        let m = cx.migration;
        if m.down.is_some() || m.up.is_empty() {
            return vec![];
        }
        let first_line = m.source.lines().next().map_or(0, str::len);
        let span = Span { file: m.file.clone(), line: 1, column: 1, start: 0, end: first_line };
        let how = match m.format {
            Format::Sql => "add the down part (`-- migrate:down`, a `.down.sql` file, a Flyway `U` file)",
            Format::Rails => "write `down` (or use reversible operations in `change`)",
            Format::Ecto => "write `down` (or use reversible operations in `change`)",
            Format::Django => "give RunSQL a reverse_sql and RunPython a reverse_code",
            Format::Alembic => "write `downgrade()`",
            Format::Typeorm | Format::Sequelize | Format::Knex | Format::MigrateMongo => "write `down`",
            // A pushed schema is undone by pushing the schema as it was: it always has a down part.
            Format::PrismaSchema => "push the schema as it was",
        };
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!("migration {} has no down part: it cannot be rolled back", m.version),
            )
            .at(&span)
            .recipe([
                how.to_owned(),
                "if it truly cannot be reversed, say why with `tandem:allow-file irreversible-migration reason=\"…\"`"
                    .to_owned(),
            ]),
        ]
    }
}

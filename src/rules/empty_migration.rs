//! A migration file that does nothing: an empty file, comments alone, an up part with no
//! statement. Usually a file saved before it was written, or a migration whose statements sit
//! under the wrong marker — worth a look before it is recorded as applied.

use crate::migration::{Format, Span};
use crate::rules::MigrationContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "empty-migration"
    }
    fn summary(&self) -> &'static str {
        "A migration that does nothing"
    }
    fn applies_to(&self, _dialect: crate::schema::Dialect) -> bool {
        true
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_migration(&self, cx: &MigrationContext<'_>) -> Vec<Finding> {
        let m = cx.migration;
        // A Django migration with only state operations (AlterModelOptions, …) changes no table
        // on purpose; an empty Django file is still empty.
        if !m.up.is_empty() || (m.format == Format::Django && !m.source.trim().is_empty()) {
            return vec![];
        }
        let first_line = m.source.lines().next().map_or(0, str::len);
        let span = Span { file: m.file.clone(), line: 1, column: 1, start: 0, end: first_line };
        let what = if m.source.trim().is_empty() { "is empty" } else { "has no statement in its up part" };
        vec![
            Finding::new(self.id(), self.severity(), format!("migration {} {what}: it does nothing", m.version))
                .at(&span)
                .recipe(["write the migration's statements, or delete the file"]),
        ]
    }
}

//! A lock-taking statement waits behind any long query on its table — and every query after it
//! waits behind the statement. `lock_timeout` bounds that wait so the migration fails fast
//! instead of stalling the applications.

use crate::migration::Format;
use crate::name::Dialect;
use crate::rules::MigrationContext;
use crate::rules::finding::{Finding, Severity};
use crate::rules::locks::first_unbounded_lock;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "require-lock-timeout"
    }
    fn summary(&self) -> &'static str {
        "Set lock_timeout before a statement that locks an existing table"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_migration(&self, cx: &MigrationContext<'_>) -> Vec<Finding> {
        // `prisma db push` writes and runs its own SQL from the schema diff: there is no
        // statement of the user's to put a `SET lock_timeout` before, so the advice cannot be
        // acted on (the destructive gate still reads every change of the push).
        if cx.migration.format == Format::PrismaSchema {
            return vec![];
        }
        // MySQL's wait for a table's metadata lock is `lock_wait_timeout`.
        let setting = match cx.state.schema.dialect {
            Dialect::Mysql => "lock_wait_timeout",
            Dialect::Postgres | Dialect::Sqlite => "lock_timeout",
            Dialect::Mongodb => return vec![],
        };
        let Some((i, table)) = first_unbounded_lock(cx.migration, cx.state, setting) else { return vec![] };
        let op = &cx.migration.up[i];
        vec![
                Finding::new(
                    self.id(),
                    self.severity(),
                    format!("this statement locks `{table}` with no {setting} set: if it waits behind a long query, every query on `{table}` queues behind it"),
                )
                .at(&op.span)
                .object(table.to_string())
                .recipe(match cx.state.schema.dialect {
                    Dialect::Mysql => [
                        "SET SESSION lock_wait_timeout = 5; before the first statement, and retry the migration when it times out",
                        "Rails: `execute \"SET SESSION lock_wait_timeout = 5\"` as the first step of the migration",
                    ],
                    Dialect::Postgres | Dialect::Sqlite | Dialect::Mongodb => [
                        "SET lock_timeout = '5s'; before the first statement (SET LOCAL inside a transaction), and retry the migration when it times out",
                        "Rails: strong_migrations' lock_timeout setting or `execute \"SET lock_timeout = '5s'\"`; Ecto: `execute \"SET lock_timeout TO '5s'\"` as the first step",
                    ],
                }),
        ]
    }
}

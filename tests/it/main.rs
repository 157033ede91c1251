//! Every integration test in one binary (one link of libgit2, libpg_query, sqlx and tree-sitter
//! instead of one per file): a module per area, shared helpers in `support`.

#[path = "../support/mod.rs"]
mod support;

mod architecture;
mod check_cli;
mod check_gate;
mod check_report;
mod ci_integration;
mod cli;
mod config;
mod drift;
mod extract_ecto;
mod extract_js;
mod extract_python;
mod extract_rails;
mod extract_robustness;
mod fuzz_regressions;
mod grammars;
mod migrate;
mod migration_alembic;
mod migration_django;
mod migration_drizzle;
mod migration_ecto;
mod migration_knex;
mod migration_prisma;
mod migration_properties;
mod migration_rails;
mod migration_replay_mysql;
mod migration_replay_pg;
mod migration_robustness;
mod migration_sequelize;
mod migration_sql;
mod migration_typeorm;
mod plan;
mod receivers_django;
mod receivers_phoenix;
mod receivers_prisma;
mod receivers_rails;
mod release_notes;
mod report_html;
mod rules_lint;
mod scan_cache;
mod scan_cli;
mod scan_example;
mod scan_frameworks;
mod scan_git;
mod scan_screen;
mod scan_snapshot;
mod schema_cli;
mod schema_live;
mod schema_mysql;
mod schema_postgres;
mod schema_rails;
mod schema_sync;
mod store;

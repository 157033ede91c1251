//! What `rails db:schema:dump` makes of the database dump program's output to write
//! `db/structure.sql`, reproduced from Rails' source (rails/rails at
//! 2a2db1e8d6d104ee0611efcae7eb023af65cff34):
//!
//! * `activerecord/lib/active_record/tasks/postgresql_database_tasks.rb`, `structure_dump`: pg_dump
//!   runs with `--schema-only --no-privileges --no-owner`; `remove_sql_header_comments` drops the
//!   comment and blank lines before the first statement, pg_dump's `\restrict KEY` line, and the
//!   comment and blank lines that follow an `\unrestrict KEY` line; then
//!   `SET search_path TO <the connection's search path>;` and a blank line are appended.
//! * `activerecord/lib/active_record/tasks/mysql_database_tasks.rb`, `structure_dump`: mysqldump
//!   runs with `--no-data --routines --skip-comments` (after the connection's options) and its
//!   output is kept as it is.
//! * `activerecord/lib/active_record/tasks/database_tasks.rb`, `dump_schema`: when
//!   `schema_migrations` exists, `dump_schema_versions` is appended with `puts`, then a newline.
//! * `activerecord/lib/active_record/migration/default_schema_versions_formatter.rb`: the versions
//!   (`SchemaMigration#versions`, ascending) as one `INSERT INTO <quote_table_name> (version)
//!   VALUES` statement, newest first, one `('v')` per line — `"schema_migrations"` on PostgreSQL,
//!   `` `schema_migrations` `` on MySQL (`connection_adapters/mysql/quoting.rb`). Rails before 7.1
//!   listed them oldest first; the order of the committed dump is kept so that a sync never
//!   churns every line.

/// pg_dump's flags in `structure_dump`.
pub const PG_DUMP_FLAGS: [&str; 3] = ["--schema-only", "--no-privileges", "--no-owner"];

/// mysqldump's flags in `structure_dump` (Rails adds no `--ignore-table` unless the app sets
/// `SchemaDumper.ignore_tables`).
pub const MYSQLDUMP_FLAGS: [&str; 3] = ["--no-data", "--routines", "--skip-comments"];

/// The order of the versions in the `INSERT INTO "schema_migrations"` statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionOrder {
    /// Rails 7.1 and later.
    NewestFirst,
    OldestFirst,
}

impl VersionOrder {
    /// The order a committed dump uses; newest first (today's Rails) when it lists fewer than two.
    pub fn of(dump: &str) -> VersionOrder {
        let versions: Vec<&str> =
            ["INSERT INTO \"schema_migrations\" (version) VALUES", "INSERT INTO `schema_migrations` (version) VALUES"]
                .iter()
                .find_map(|insert| dump.split(insert).nth(1))
                .map(|rest| rest.split(';').next().unwrap_or_default())
                .unwrap_or_default()
                .split(',')
                .map(|v| v.trim().trim_start_matches("('").trim_end_matches("')"))
                .filter(|v| !v.is_empty())
                .collect();
        match (versions.first(), versions.last()) {
            (Some(first), Some(last)) if versions.len() > 1 && first < last => VersionOrder::OldestFirst,
            _ => VersionOrder::NewestFirst,
        }
    }
}

/// `db/structure.sql` from pg_dump's output, the connection's `search_path` and the applied
/// versions in ascending order (`None`: no `schema_migrations` table).
pub fn structure(pg_dump: &str, search_path: &str, versions: Option<&[String]>, order: VersionOrder) -> String {
    let mut out = without_header_comments(pg_dump);
    out.push_str(&format!("SET search_path TO {search_path};\n\n"));
    push_versions(&mut out, "\"schema_migrations\"", versions, order);
    out
}

/// `db/structure.sql` on MySQL/MariaDB from mysqldump's output and the applied versions in
/// ascending order (`None`: no `schema_migrations` table).
pub fn mysql_structure(mysqldump: &str, versions: Option<&[String]>, order: VersionOrder) -> String {
    let mut out = mysqldump.to_owned();
    push_versions(&mut out, "`schema_migrations`", versions, order);
    out
}

/// `text` with the INSERT of `versions` (ascending) into `table` (quoted) appended as Rails does.
pub fn with_versions(mut text: String, table: &str, versions: &[String], order: VersionOrder) -> String {
    push_versions(&mut text, table, Some(versions), order);
    text
}

/// `dump_schema`'s `f.puts connection.dump_schema_versions` and `f.print "\n"`.
fn push_versions(out: &mut String, table: &str, versions: Option<&[String]>, order: VersionOrder) {
    let Some(versions) = versions else { return };
    // `puts` of no versions (nil) still writes a newline.
    if !versions.is_empty() {
        // `connection.quote` of a string: single quotes doubled (MySQL's also escapes
        // backslashes; Rails' versions are digits).
        let mut listed: Vec<String> = versions.iter().map(|v| format!("('{}')", v.replace('\'', "''"))).collect();
        if order == VersionOrder::NewestFirst {
            listed.reverse();
        }
        out.push_str(&format!("INSERT INTO {table} (version) VALUES\n"));
        out.push_str(&listed.join(",\n"));
        out.push(';');
    }
    out.push_str("\n\n");
}

/// `remove_sql_header_comments`: lines are compared as Ruby's `String#blank?` sees them.
fn without_header_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut removing = true;
    for line in text.split_inclusive('\n') {
        if line.starts_with("\\restrict ") {
            continue;
        }
        if line.starts_with("\\unrestrict ") {
            removing = true;
            continue;
        }
        if !(removing && (line.starts_with("--") || line.trim().is_empty())) {
            out.push_str(line);
            removing = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_comments_and_restrict_lines_go_and_versions_follow_the_committed_order() {
        let dump = "--\n-- PostgreSQL database dump\n--\n\\restrict abc\n\nSET x = 1;\n\n--\n-- Name: t\n--\n\nCREATE TABLE t ();\n\n\\unrestrict abc\n\n--\n-- done\n";
        let versions = vec!["1".to_owned(), "2".to_owned()];
        let newest = structure(dump, "\"$user\", public", Some(&versions), VersionOrder::NewestFirst);
        assert_eq!(
            newest,
            "SET x = 1;\n\n--\n-- Name: t\n--\n\nCREATE TABLE t ();\n\nSET search_path TO \"$user\", public;\n\n\
             INSERT INTO \"schema_migrations\" (version) VALUES\n('2'),\n('1');\n\n"
        );
        assert_eq!(VersionOrder::of(&newest), VersionOrder::NewestFirst);
        let oldest = structure(dump, "public", Some(&versions), VersionOrder::OldestFirst);
        assert_eq!(VersionOrder::of(&oldest), VersionOrder::OldestFirst);
        assert!(structure(dump, "public", None, VersionOrder::NewestFirst).ends_with("SET search_path TO public;\n\n"));
    }
}

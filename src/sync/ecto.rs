//! What `mix ecto.dump` writes for an Ecto repo on PostgreSQL, reproduced from ecto_sql's source
//! (elixir-ecto/ecto_sql at 5e45b435a764bd719e9aec2c4e52aa1c5a678014,
//! `lib/ecto/adapters/postgres.ex`, `structure_dump`):
//!
//! * `select_versions`: `SELECT version FROM public."schema_migrations" ORDER BY version` (the
//!   repo's `dump_prefixes`, default `["public"]`; no table, no versions);
//! * `pg_dump`: the real pg_dump with `--schema-only --no-acl --no-owner`, its output kept as it
//!   is — header comments, and pg_dump's `\restrict KEY` / `\unrestrict KEY` lines with their
//!   random key;
//! * `append_versions`: one `INSERT INTO public."schema_migrations" (version) VALUES (V);` line
//!   per version, oldest first, nothing when there are none.
//!
//! A repo that sets `migration_source` or `dump_prefixes` is not read yet: the defaults are used.

/// pg_dump's flags in `pg_dump/2`.
pub const PG_DUMP_FLAGS: [&str; 3] = ["--schema-only", "--no-acl", "--no-owner"];

/// The `schema_migrations` table `structure_dump` reads, as it names it.
pub const MIGRATIONS: &str = "public.\"schema_migrations\"";

/// The dump from pg_dump's output and the applied versions in ascending order.
pub fn structure(pg_dump: &str, versions: &[String]) -> String {
    let mut out = pg_dump.to_owned();
    for v in versions {
        out.push_str(&format!("INSERT INTO {MIGRATIONS} (version) VALUES ({v});\n"));
    }
    out
}

/// The dump with pg_dump's random `\restrict` key blanked: two dumps of the same database differ
/// in nothing else, so this is what "in sync" compares.
pub fn without_restrict_key(dump: &str) -> String {
    dump.split_inclusive('\n')
        .map(|line| match line.split_once(' ') {
            Some((cmd @ ("\\restrict" | "\\unrestrict"), _)) => format!("{cmd} KEY\n"),
            _ => line.to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_dump_one_insert_a_line_oldest_first() {
        let versions = vec!["20250101000000".to_owned(), "20250102000000".to_owned()];
        assert_eq!(
            structure("\\restrict k\nSET x = 1;\n\n\\unrestrict k\n\n", &versions),
            "\\restrict k\nSET x = 1;\n\n\\unrestrict k\n\n\
             INSERT INTO public.\"schema_migrations\" (version) VALUES (20250101000000);\n\
             INSERT INTO public.\"schema_migrations\" (version) VALUES (20250102000000);\n"
        );
        assert_eq!(structure("SET x = 1;\n", &[]), "SET x = 1;\n");
        assert_eq!(
            without_restrict_key("\\restrict abc\nSET x;\n\\unrestrict abc\n"),
            without_restrict_key("\\restrict xyz\nSET x;\n\\unrestrict xyz\n")
        );
        assert_ne!(without_restrict_key("SET x;\n"), without_restrict_key("SET y;\n"));
    }
}

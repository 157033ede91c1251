//! PostgreSQL type names as migrations write them and as the catalog prints them, and which type
//! changes rewrite the table.

/// A type reduced to its canonical base name and its modifiers: `varchar(255)` and
/// `character varying(255)` both become (`character varying`, [255]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgType {
    pub base: String,
    pub mods: Vec<u32>,
    pub array: bool,
}

pub fn parse(text: &str) -> PgType {
    let lower = text.trim().to_ascii_lowercase();
    let (mut body, array) = match lower.strip_suffix("[]") {
        Some(b) => (b.trim().to_owned(), true),
        None => (lower.clone(), false),
    };
    let mut mods = Vec::new();
    if let (Some(open), Some(close)) = (body.find('('), body.find(')'))
        && open < close
    {
        mods = body[open + 1..close].split(',').filter_map(|m| m.trim().parse().ok()).collect();
        body = format!("{} {}", &body[..open], &body[close + 1..]);
    }
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let body = body.strip_prefix("pg_catalog.").or_else(|| body.strip_prefix("public.")).unwrap_or(&body);
    let base = match body {
        "varchar" | "character varying" => "character varying",
        "char" | "character" | "bpchar" => "character",
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer",
        "int8" | "bigint" | "bigserial" | "serial8" => "bigint",
        "int2" | "smallint" | "smallserial" | "serial2" => "smallint",
        "bool" | "boolean" => "boolean",
        "decimal" | "numeric" => "numeric",
        "float8" | "double precision" => "double precision",
        "float4" | "real" => "real",
        "timestamptz" | "timestamp with time zone" => "timestamp with time zone",
        "timestamp" | "timestamp without time zone" => "timestamp without time zone",
        "timetz" | "time with time zone" => "time with time zone",
        "time" | "time without time zone" => "time without time zone",
        "varbit" | "bit varying" => "bit varying",
        other => other,
    };
    PgType { base: base.to_owned(), mods, array }
}

/// Whether `old` and `new` name the same type (`varchar(20)` and `character varying(20)`), so
/// that "changing" one into the other changes nothing.
pub fn same(old: &str, new: &str) -> bool {
    parse(old) == parse(new)
}

/// Whether changing a column from `old` to `new` rewrites the table (and its indexes) under an
/// ACCESS EXCLUSIVE lock. `false` only for the changes PostgreSQL performs in the catalog alone:
/// binary-coercible casts that cannot fail (widening `varchar`, `varchar` ↔ `text`, raising
/// `numeric` precision at the same scale, raising timestamp precision, `cidr` → `inet`,
/// `text` ↔ `citext`), and `timestamp` ↔ `timestamptz` — which since PostgreSQL 12 skips the
/// rewrite when the session time zone is UTC.
pub fn rewrites(old: &str, new: &str) -> bool {
    let (o, n) = (parse(old), parse(new));
    if o == n {
        return false;
    }
    if o.array != n.array {
        return true;
    }
    let unbounded_or_wider = |o: &[u32], n: &[u32]| n.is_empty() || (!o.is_empty() && n[0] >= o[0]);
    match (o.base.as_str(), n.base.as_str()) {
        ("character varying", "character varying") | ("bit varying", "bit varying") => {
            !unbounded_or_wider(&o.mods, &n.mods)
        }
        ("character varying", "text")
        | ("text", "citext")
        | ("citext", "text")
        | ("cidr", "inet")
        | ("xml", "text") => false,
        ("text", "character varying") | ("citext", "character varying") => !n.mods.is_empty(),
        ("numeric", "numeric") => match (o.mods.as_slice(), n.mods.as_slice()) {
            (_, []) => false,
            ([p1, s1], [p2, s2]) => !(s1 == s2 && p2 >= p1),
            ([p1], [p2]) => p2 < p1,
            _ => true,
        },
        (a, b) if a.starts_with("timestamp") && b.starts_with("timestamp") => {
            !unbounded_or_wider(&o.mods, &n.mods) && o.mods != n.mods
        }
        (a, b) if a == b && (a.starts_with("time ") || a == "interval") => !unbounded_or_wider(&o.mods, &n.mods),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_and_migration_spellings_agree() {
        assert_eq!(parse("varchar(255)"), parse("character varying(255)"));
        assert_eq!(parse("timestamp(6) without time zone").base, "timestamp without time zone");
        assert_eq!(parse("timestamp(6) without time zone").mods, vec![6]);
        assert_eq!(parse("TIMESTAMPTZ"), parse("timestamp with time zone"));
        assert_eq!(parse("numeric(10, 2)").mods, vec![10, 2]);
        assert!(parse("jsonb[]").array);
    }

    #[test]
    fn knows_which_changes_rewrite() {
        assert!(!rewrites("character varying(50)", "varchar(100)"));
        assert!(rewrites("character varying(100)", "varchar(50)"));
        assert!(!rewrites("character varying(100)", "varchar"));
        assert!(!rewrites("character varying", "text"));
        assert!(!rewrites("text", "varchar"));
        assert!(rewrites("text", "varchar(20)"));
        assert!(!rewrites("numeric(10,2)", "numeric(12,2)"));
        assert!(rewrites("numeric(10,2)", "numeric(12,3)"));
        assert!(!rewrites("numeric(10,2)", "numeric"));
        assert!(!rewrites("timestamp without time zone", "timestamptz"));
        assert!(!rewrites("timestamp(3) without time zone", "timestamp(6) without time zone"));
        assert!(rewrites("timestamp(6) without time zone", "timestamp(3) without time zone"));
        assert!(rewrites("integer", "bigint"));
        assert!(rewrites("text", "jsonb"));
        assert!(!rewrites("cidr", "inet"));
        assert!(!rewrites("text", "public.citext"));
        assert!(rewrites("integer", "integer[]"));
    }
}

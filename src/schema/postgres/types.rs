//! Type names as PostgreSQL's `format_type()` prints them with an empty `search_path` (which is
//! how pg_dump runs): built-in types by their SQL names (`integer`, `character varying(255)`,
//! `timestamp(6) without time zone`), every other type schema-qualified (`public.citext`), arrays
//! with one `[]` whatever their declared dimensions. Live introspection must call `format_type`
//! under `SET search_path = ''` to print the same text.

use pg_query::NodeEnum;
use pg_query::protobuf::{self, Node};

use super::expr::{deparse_expr, string_of};

/// Format a parsed type name. `default_schema` qualifies a user type written without a schema.
pub fn format_type(t: &protobuf::TypeName, default_schema: &str) -> String {
    let names: Vec<&str> = t.names.iter().filter_map(string_of).collect();
    let mods: Vec<String> = t.typmods.iter().map(typmod_text).collect();
    let (schema, name) = match names.as_slice() {
        [name] => (None, *name),
        [.., schema, name] => (Some(*schema), *name),
        [] => (None, ""),
    };
    let builtin = match schema {
        Some("pg_catalog") => builtin_name(name, &mods).or_else(|| Some(plain_with_mods(&quote_ident(name), &mods))),
        None => builtin_name(name, &mods),
        Some(_) => None,
    };
    let mut out = match builtin {
        Some(b) => b,
        None => {
            let schema = schema.unwrap_or(default_schema);
            plain_with_mods(&format!("{}.{}", quote_ident(schema), quote_ident(name)), &mods)
        }
    };
    if !t.array_bounds.is_empty() {
        out.push_str("[]");
    }
    if t.setof {
        out.insert_str(0, "SETOF ");
    }
    out
}

fn plain_with_mods(name: &str, mods: &[String]) -> String {
    if mods.is_empty() { name.to_owned() } else { format!("{name}({})", mods.join(",")) }
}

fn typmod_text(n: &Node) -> String {
    match n.node.as_ref() {
        Some(NodeEnum::AConst(c)) => match &c.val {
            Some(protobuf::a_const::Val::Ival(i)) => i.ival.to_string(),
            Some(protobuf::a_const::Val::Fval(f)) => f.fval.clone(),
            Some(protobuf::a_const::Val::Sval(s)) => s.sval.clone(),
            _ => deparse_expr(n),
        },
        Some(NodeEnum::ColumnRef(c)) => c.fields.iter().filter_map(string_of).collect::<Vec<_>>().join("."),
        _ => deparse_expr(n),
    }
}

/// Interval field masks (`INTERVAL_MASK` in PostgreSQL's datetime.h) → the words format_type prints.
fn interval_fields(mask: i64) -> Option<&'static str> {
    const YEAR: i64 = 1 << 2;
    const MONTH: i64 = 1 << 1;
    const DAY: i64 = 1 << 3;
    const HOUR: i64 = 1 << 10;
    const MINUTE: i64 = 1 << 11;
    const SECOND: i64 = 1 << 12;
    Some(match mask {
        m if m == YEAR => " year",
        m if m == MONTH => " month",
        m if m == DAY => " day",
        m if m == HOUR => " hour",
        m if m == MINUTE => " minute",
        m if m == SECOND => " second",
        m if m == YEAR | MONTH => " year to month",
        m if m == DAY | HOUR => " day to hour",
        m if m == DAY | HOUR | MINUTE => " day to minute",
        m if m == DAY | HOUR | MINUTE | SECOND => " day to second",
        m if m == HOUR | MINUTE => " hour to minute",
        m if m == HOUR | MINUTE | SECOND => " hour to second",
        m if m == MINUTE | SECOND => " minute to second",
        _ => return None,
    })
}

/// Whether an unqualified type name is a pg_catalog type.
pub fn is_builtin(name: &str) -> bool {
    builtin_name(name, &[]).is_some() || name == "interval"
}

/// The format_type text of a type in pg_catalog, by its internal or SQL name.
fn builtin_name(name: &str, mods: &[String]) -> Option<String> {
    let with_precision = |base: &str, suffix: &str| match mods.first() {
        Some(p) => format!("{base}({p}){suffix}"),
        None => format!("{base}{suffix}"),
    };
    let s = match name {
        "int2" | "smallint" => "smallint".to_owned(),
        "int4" | "integer" | "int" => "integer".to_owned(),
        "int8" | "bigint" => "bigint".to_owned(),
        "float4" | "real" => "real".to_owned(),
        "float8" => "double precision".to_owned(),
        "bool" | "boolean" => "boolean".to_owned(),
        "varchar" => plain_with_mods("character varying", mods),
        "bpchar" if mods.is_empty() => "bpchar".to_owned(),
        "bpchar" => plain_with_mods("character", mods),
        "numeric" | "decimal" => plain_with_mods("numeric", mods),
        "timestamp" => with_precision("timestamp", " without time zone"),
        "timestamptz" => with_precision("timestamp", " with time zone"),
        "time" => with_precision("time", " without time zone"),
        "timetz" => with_precision("time", " with time zone"),
        "bit" => plain_with_mods("bit", mods),
        "varbit" => plain_with_mods("bit varying", mods),
        "char" => "\"char\"".to_owned(),
        "interval" => {
            // The grammar stores `interval(6)` as [full-range mask, 6] and `interval day` as [mask].
            let full = (1i64 << 15) - 1;
            let mask = mods.first().and_then(|m| m.parse::<i64>().ok()).unwrap_or(full);
            let fields = if mask == full { "" } else { interval_fields(mask)? };
            match mods.get(1) {
                Some(p) => format!("interval{fields}({p})"),
                None => format!("interval{fields}"),
            }
        }
        n if PLAIN_BUILTINS.binary_search(&n).is_ok() => plain_with_mods(n, mods),
        _ => return None,
    };
    Some(s)
}

/// pg_catalog types whose format_type name is their own name. Sorted (binary search).
const PLAIN_BUILTINS: &[&str] = &[
    "aclitem",
    "any",
    "anyarray",
    "anyelement",
    "anyenum",
    "anynonarray",
    "anyrange",
    "box",
    "bytea",
    "cid",
    "cidr",
    "circle",
    "cstring",
    "date",
    "datemultirange",
    "daterange",
    "event_trigger",
    "gtsvector",
    "inet",
    "int4multirange",
    "int4range",
    "int8multirange",
    "int8range",
    "internal",
    "json",
    "jsonb",
    "jsonpath",
    "language_handler",
    "line",
    "lseg",
    "macaddr",
    "macaddr8",
    "money",
    "name",
    "nummultirange",
    "numrange",
    "oid",
    "path",
    "pg_lsn",
    "pg_snapshot",
    "point",
    "polygon",
    "record",
    "refcursor",
    "regclass",
    "regcollation",
    "regconfig",
    "regdictionary",
    "regnamespace",
    "regoper",
    "regoperator",
    "regproc",
    "regprocedure",
    "regrole",
    "regtype",
    "text",
    "tid",
    "trigger",
    "tsmultirange",
    "tsquery",
    "tsrange",
    "tstzmultirange",
    "tstzrange",
    "tsvector",
    "txid_snapshot",
    "uuid",
    "void",
    "xid",
    "xid8",
    "xml",
];

/// Quote an identifier the way PostgreSQL's `quote_ident` does: only when it is not a plain
/// lower-case name or is a keyword other than an unreserved one.
pub fn quote_ident(name: &str) -> String {
    let plain = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'$');
    if plain && !is_quoted_keyword(name) {
        return name.to_owned();
    }
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn is_quoted_keyword(name: &str) -> bool {
    // KeywordKind: 0 none, 1 unreserved; column-name, type-function-name and reserved keywords
    // must be quoted to be used as identifiers.
    match pg_query::scan(name) {
        Ok(r) => r.tokens.first().is_some_and(|t| t.keyword_kind > 1),
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(sql_type: &str) -> String {
        let sql = format!("CREATE TABLE t (c {sql_type})");
        let parsed = pg_query::parse(&sql, 0).unwrap();
        let stmt = parsed.protobuf.stmts[0].stmt.as_ref().unwrap().node.as_ref().unwrap();
        let NodeEnum::CreateStmt(c) = stmt else { panic!() };
        let Some(NodeEnum::ColumnDef(cd)) = c.table_elts[0].node.as_ref() else { panic!() };
        format_type(cd.type_name.as_ref().unwrap(), "public")
    }

    #[test]
    fn builtin_types_print_like_format_type() {
        assert_eq!(fmt("int"), "integer");
        assert_eq!(fmt("int8"), "bigint");
        assert_eq!(fmt("serial4"), "public.serial4");
        assert_eq!(fmt("varchar(255)"), "character varying(255)");
        assert_eq!(fmt("character varying"), "character varying");
        assert_eq!(fmt("char(3)"), "character(3)");
        assert_eq!(fmt("character"), "character(1)");
        assert_eq!(fmt("numeric(10, 2)"), "numeric(10,2)");
        assert_eq!(fmt("decimal"), "numeric");
        assert_eq!(fmt("timestamp(6) without time zone"), "timestamp(6) without time zone");
        assert_eq!(fmt("timestamptz"), "timestamp with time zone");
        assert_eq!(fmt("timestamp with time zone"), "timestamp with time zone");
        assert_eq!(fmt("time(3)"), "time(3) without time zone");
        assert_eq!(fmt("double precision"), "double precision");
        assert_eq!(fmt("float"), "double precision");
        assert_eq!(fmt("float4"), "real");
        assert_eq!(fmt("text[]"), "text[]");
        assert_eq!(fmt("integer[][]"), "integer[]");
        assert_eq!(fmt("bool"), "boolean");
        assert_eq!(fmt("interval"), "interval");
        assert_eq!(fmt("interval(6)"), "interval(6)");
        assert_eq!(fmt("interval year to month"), "interval year to month");
        assert_eq!(fmt("bit varying(5)"), "bit varying(5)");
        assert_eq!(fmt("\"char\""), "\"char\"");
        assert_eq!(fmt("jsonb"), "jsonb");
        assert_eq!(fmt("uuid"), "uuid");
    }

    #[test]
    fn user_types_are_schema_qualified() {
        assert_eq!(fmt("public.citext"), "public.citext");
        assert_eq!(fmt("citext"), "public.citext");
        assert_eq!(fmt("app.\"Mood\"[]"), "app.\"Mood\"[]");
    }

    #[test]
    fn quoting_follows_quote_ident() {
        assert_eq!(quote_ident("users"), "users");
        assert_eq!(quote_ident("Users"), "\"Users\"");
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("order"), "\"order\"");
        assert_eq!(quote_ident("name"), "name");
        assert_eq!(quote_ident("a b"), "\"a b\"");
    }
}

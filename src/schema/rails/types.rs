//! Rails column types and defaults → the canonical type and default text of the dialect's
//! `structure.sql` reader: PostgreSQL's `format_type()` and `pg_get_expr()`, MySQL's
//! `information_schema.COLUMNS` (through [`crate::schema::mysql`]'s normalizers).

use super::ruby::Value;
use crate::schema::{Dialect, mysql};

const TYPES: &[&str] = &[
    "string",
    "text",
    "integer",
    "bigint",
    "float",
    "decimal",
    "numeric",
    "datetime",
    "timestamp",
    "timestamptz",
    "time",
    "date",
    "binary",
    "blob",
    "boolean",
    "json",
    "jsonb",
    "uuid",
    "inet",
    "cidr",
    "macaddr",
    "citext",
    "hstore",
    "ltree",
    "enum",
    "xml",
    "money",
    "interval",
    "tsvector",
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "bit",
    "bit_varying",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "oid",
    "serial",
    "bigserial",
    "virtual",
    "smallint",
    "mediumint",
    "tinyint",
    "unsigned_integer",
    "unsigned_bigint",
    "unsigned_float",
    "unsigned_decimal",
    "mediumtext",
    "longtext",
    "tinytext",
    "mediumblob",
    "longblob",
    "tinyblob",
    "char",
    "set",
    "geometry",
    "year",
];

pub fn is_column_type(method: &str) -> bool {
    TYPES.contains(&method)
}

fn kw<'a>(kwargs: &'a [(String, Value)], key: &str) -> Option<&'a Value> {
    kwargs.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn int_kw(kwargs: &[(String, Value)], key: &str) -> Option<i64> {
    match kw(kwargs, key)? {
        Value::Int(i) => Some(*i),
        Value::Str(s) => s.parse().ok(),
        _ => None,
    }
}

/// The canonical type of a column declared `t.<kind> …, <kwargs>`. `rails7` switches the
/// `datetime` precision default to 6.
pub fn column_type(dialect: Dialect, kind: &str, kwargs: &[(String, Value)], rails7: bool) -> Result<String, String> {
    // Rails 5.2+ writes `size: :medium` for MySQL text/blob columns where older versions wrote
    // `limit: 16777215`.
    let limit = int_kw(kwargs, "limit").or_else(|| match kw(kwargs, "size").and_then(Value::name) {
        Some("tiny") => Some(255),
        Some("medium") => Some(16_777_215),
        Some("long") => Some(4_294_967_295),
        _ => None,
    });
    let precision_given = kw(kwargs, "precision").is_some();
    let precision = int_kw(kwargs, "precision");
    let scale = int_kw(kwargs, "scale");
    // Rails 7 creates datetime columns with precision 6 unless `precision: nil` is written.
    let datetime_precision = if precision_given {
        precision
    } else if rails7 {
        Some(6)
    } else {
        None
    };
    let t = match dialect {
        Dialect::Mongodb => return Err(format!("type `{kind}`: a Rails schema describes no MongoDB collection")),
        Dialect::Postgres => {
            let base = match kind {
                "string" => match limit {
                    Some(n) => format!("character varying({n})"),
                    None => "character varying".to_owned(),
                },
                "char" => format!("character({})", limit.unwrap_or(1)),
                "text" | "mediumtext" | "longtext" | "tinytext" => "text".to_owned(),
                "integer" | "serial" => match limit {
                    Some(1 | 2) => "smallint".to_owned(),
                    Some(8) => "bigint".to_owned(),
                    _ => "integer".to_owned(),
                },
                "smallint" => "smallint".to_owned(),
                "bigint" | "bigserial" => "bigint".to_owned(),
                "float" => "double precision".to_owned(),
                "decimal" | "numeric" => match (precision, scale) {
                    (Some(p), Some(s)) => format!("numeric({p},{s})"),
                    (Some(p), None) => format!("numeric({p},0)"),
                    _ => "numeric".to_owned(),
                },
                "datetime" | "timestamp" => match datetime_precision {
                    Some(p) => format!("timestamp({p}) without time zone"),
                    None => "timestamp without time zone".to_owned(),
                },
                "timestamptz" => match datetime_precision {
                    Some(p) => format!("timestamp({p}) with time zone"),
                    None => "timestamp with time zone".to_owned(),
                },
                "time" => match precision {
                    Some(p) => format!("time({p}) without time zone"),
                    None => "time without time zone".to_owned(),
                },
                "binary" | "blob" => "bytea".to_owned(),
                "bit" => format!("bit({})", limit.unwrap_or(1)),
                "bit_varying" => match limit {
                    Some(n) => format!("bit varying({n})"),
                    None => "bit varying".to_owned(),
                },
                // Types outside pg_catalog print schema-qualified (format_type under pg_dump's
                // empty search_path): enums and extension types live in `public` unless named.
                "enum" => match kw(kwargs, "enum_type").and_then(Value::name) {
                    Some(t) if t.contains('.') => t.to_owned(),
                    Some(t) => format!("public.{t}"),
                    None => return Err("expected `enum_type:` on an enum column".to_owned()),
                },
                "citext" | "hstore" | "ltree" => format!("public.{kind}"),
                "date" | "boolean" | "json" | "jsonb" | "uuid" | "inet" | "cidr" | "macaddr" | "xml" | "money"
                | "interval" | "tsvector" | "point" | "line" | "lseg" | "box" | "path" | "polygon" | "circle"
                | "int4range" | "int8range" | "numrange" | "tsrange" | "tstzrange" | "daterange" | "oid" => {
                    kind.to_owned()
                }
                other => return Err(format!("type `{other}` does not exist on PostgreSQL")),
            };
            if kw(kwargs, "array").is_some_and(Value::truthy) { format!("{base}[]") } else { base }
        }
        // SQLite keeps the declared type; the live reader lower-cases it. These are the types
        // Rails' SQLite adapter declares.
        Dialect::Sqlite => {
            let sized = |base: &str| match limit {
                Some(n) => format!("{base}({n})"),
                None => base.to_owned(),
            };
            match kind {
                "string" => sized("varchar"),
                "char" => sized("char"),
                "text" | "mediumtext" | "longtext" | "tinytext" => sized("text"),
                "integer" | "serial" | "smallint" | "mediumint" | "tinyint" => sized("integer"),
                "bigint" | "bigserial" => sized("bigint"),
                "float" => "float".to_owned(),
                "decimal" | "numeric" => match (precision, scale) {
                    (Some(p), Some(s)) => format!("decimal({p},{s})"),
                    (Some(p), None) => format!("decimal({p})"),
                    _ => "decimal".to_owned(),
                },
                "datetime" | "timestamp" => match datetime_precision {
                    Some(p) => format!("datetime({p})"),
                    None => "datetime".to_owned(),
                },
                "time" => match precision {
                    Some(p) => format!("time({p})"),
                    None => "time".to_owned(),
                },
                "date" | "boolean" | "json" => kind.to_owned(),
                "binary" | "blob" => sized("blob"),
                other => return Err(format!("type `{other}` is not one Rails declares on SQLite")),
            }
        }
        Dialect::Mysql => {
            let unsigned = kw(kwargs, "unsigned").is_some_and(Value::truthy) || kind.starts_with("unsigned_");
            let kind = kind.strip_prefix("unsigned_").unwrap_or(kind);
            let sql = match kind {
                "string" => format!("varchar({})", limit.unwrap_or(255)),
                "char" => format!("char({})", limit.unwrap_or(1)),
                "text" => match limit {
                    Some(n) if n <= 255 => "tinytext".to_owned(),
                    Some(n) if n <= 65_535 => "text".to_owned(),
                    Some(n) if n <= 16_777_215 => "mediumtext".to_owned(),
                    Some(_) => "longtext".to_owned(),
                    None => "text".to_owned(),
                },
                "mediumtext" | "longtext" | "tinytext" | "mediumblob" | "longblob" | "tinyblob" | "json" | "date"
                | "year" | "geometry" | "point" => kind.to_owned(),
                "integer" => match limit {
                    Some(1) => "tinyint".to_owned(),
                    Some(2) => "smallint".to_owned(),
                    Some(3) => "mediumint".to_owned(),
                    Some(5..=8) => "bigint".to_owned(),
                    _ => "int".to_owned(),
                },
                "bigint" => "bigint".to_owned(),
                "smallint" | "mediumint" | "tinyint" => kind.to_owned(),
                "float" => "float".to_owned(),
                "decimal" | "numeric" => match (precision, scale) {
                    (Some(p), Some(s)) => format!("decimal({p},{s})"),
                    (Some(p), None) => format!("decimal({p},0)"),
                    _ => "decimal(10,0)".to_owned(),
                },
                "datetime" => match datetime_precision {
                    Some(p) if p > 0 => format!("datetime({p})"),
                    _ => "datetime".to_owned(),
                },
                "timestamp" => match datetime_precision {
                    Some(p) if p > 0 => format!("timestamp({p})"),
                    _ => "timestamp".to_owned(),
                },
                "time" => match precision {
                    Some(p) if p > 0 => format!("time({p})"),
                    _ => "time".to_owned(),
                },
                "boolean" => "tinyint(1)".to_owned(),
                "binary" | "blob" => match limit {
                    Some(n) if n <= 255 => "tinyblob".to_owned(),
                    Some(n) if n <= 65_535 => "blob".to_owned(),
                    Some(n) if n <= 16_777_215 => "mediumblob".to_owned(),
                    Some(_) => "longblob".to_owned(),
                    None => "blob".to_owned(),
                },
                "enum" | "set" => match kw(kwargs, "limit").or(kw(kwargs, "values")) {
                    Some(Value::Array(vs)) => {
                        let values: Vec<String> =
                            vs.iter().filter_map(Value::name).map(|v| format!("'{}'", v.replace('\'', "''"))).collect();
                        format!("{kind}({})", values.join(","))
                    }
                    _ => return Err(format!("expected `limit: [values]` on a MySQL {kind} column")),
                },
                other => return Err(format!("type `{other}` does not exist on MySQL")),
            };
            let sql = if unsigned { format!("{sql} unsigned") } else { sql };
            mysql::normalize_type(&sql)
        }
    };
    Ok(t)
}

/// The canonical default of a column of canonical type `data_type`; `None` for `nil`.
pub fn default(dialect: Dialect, data_type: &str, v: &Value) -> Option<String> {
    match dialect {
        Dialect::Postgres => pg_default(data_type, v),
        Dialect::Mongodb => None,
        // SQLite reports a default exactly as the DDL wrote it; Rails writes these literals.
        Dialect::Sqlite => match v {
            Value::Nil | Value::Array(_) | Value::Hash(_) => None,
            Value::Lambda(sql) => Some(sql.clone()),
            Value::Bool(b) => Some((if *b { "1" } else { "0" }).to_owned()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.clone()),
            Value::Str(s) | Value::Sym(s) => Some(format!("'{}'", s.replace('\'', "''"))),
        },
        Dialect::Mysql => {
            let literal = match v {
                Value::Nil => return None,
                Value::Lambda(sql) => sql.clone(),
                Value::Bool(b) => (if *b { "1" } else { "0" }).to_owned(),
                Value::Int(i) => i.to_string(),
                Value::Float(f) => f.clone(),
                Value::Str(s) | Value::Sym(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''")),
                Value::Array(_) | Value::Hash(_) => return None,
            };
            mysql::normalize_default(&literal, data_type)
        }
    }
}

/// What `pg_get_expr(adbin)` prints: `'active'::character varying`, `0`, `'-1'::integer`,
/// `false`, `now()`, `'{}'::jsonb`.
fn pg_default(data_type: &str, v: &Value) -> Option<String> {
    pg_default_text(data_type, v).map(|text| crate::schema::postgres::normalize_expr(&text))
}

fn pg_default_text(data_type: &str, v: &Value) -> Option<String> {
    // A cast names the type without its modifier: `character varying(20)` → `character varying`.
    let cast_type = strip_typmod(data_type);
    let numeric =
        matches!(cast_type.as_str(), "smallint" | "integer" | "bigint" | "numeric" | "double precision" | "real");
    Some(match v {
        Value::Nil => return None,
        Value::Lambda(sql) => sql.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) if numeric && *i >= 0 => i.to_string(),
        Value::Int(i) if numeric => format!("'{i}'::{cast_type}"),
        Value::Float(f) if numeric && !f.starts_with('-') => f.clone(),
        Value::Str(s) if numeric && !s.starts_with('-') && s.parse::<f64>().is_ok() => s.clone(),
        Value::Int(i) => format!("'{i}'::{cast_type}"),
        Value::Float(f) => format!("'{f}'::{cast_type}"),
        Value::Str(s) | Value::Sym(s) => format!("'{}'::{cast_type}", s.replace('\'', "''")),
        Value::Array(items) => {
            let inner: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::Str(s) | Value::Sym(s) => s.clone(),
                    Value::Int(n) => n.to_string(),
                    Value::Float(f) => f.clone(),
                    Value::Bool(b) => b.to_string(),
                    _ => String::new(),
                })
                .collect();
            format!("'{{{}}}'::{cast_type}", inner.join(","))
        }
        // hstore prints `"k"=>"v"` pairs; json and jsonb print JSON.
        Value::Hash(pairs) if cast_type.ends_with("hstore") => {
            let items: Vec<String> = pairs.iter().map(|(k, v)| format!("{}=>{}", json_str(k), json(v))).collect();
            format!("'{}'::{cast_type}", items.join(", ").replace('\'', "''"))
        }
        Value::Hash(_) => format!("'{}'::{cast_type}", json(v).replace('\'', "''")),
    })
}

/// The JSON text PostgreSQL prints for a `json`/`jsonb` default written as a Ruby hash.
fn json(v: &Value) -> String {
    match v {
        Value::Hash(pairs) => {
            let items: Vec<String> = pairs.iter().map(|(k, v)| format!("{}: {}", json_str(k), json(v))).collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(json).collect::<Vec<_>>().join(", ")),
        Value::Str(s) | Value::Sym(s) | Value::Lambda(s) => json_str(s),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Nil => "null".to_owned(),
    }
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

fn strip_typmod(t: &str) -> String {
    let array = t.ends_with("[]");
    let base = t.trim_end_matches("[]");
    let stripped = match (base.find('('), base.find(')')) {
        (Some(open), Some(close)) if close > open => format!("{}{}", &base[..open], &base[close + 1..]),
        _ => base.to_owned(),
    };
    if array { format!("{stripped}[]") } else { stripped }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kw(pairs: &[(&str, Value)]) -> Vec<(String, Value)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn postgres_types_are_format_type_forms() {
        let pg = |k: &str, o: &[(&str, Value)], r7: bool| column_type(Dialect::Postgres, k, &kw(o), r7).unwrap();
        assert_eq!(pg("string", &[], true), "character varying");
        assert_eq!(pg("string", &[("limit", Value::Int(20))], true), "character varying(20)");
        assert_eq!(pg("datetime", &[], true), "timestamp(6) without time zone");
        assert_eq!(pg("datetime", &[], false), "timestamp without time zone");
        assert_eq!(pg("datetime", &[("precision", Value::Nil)], true), "timestamp without time zone");
        assert_eq!(pg("decimal", &[("precision", Value::Int(10)), ("scale", Value::Int(2))], true), "numeric(10,2)");
        assert_eq!(pg("integer", &[("limit", Value::Int(8))], true), "bigint");
        assert_eq!(pg("string", &[("array", Value::Bool(true))], true), "character varying[]");
        assert_eq!(pg("citext", &[], true), "public.citext");
        assert_eq!(pg("enum", &[("enum_type", Value::Str("mood".into()))], true), "public.mood");
        assert_eq!(pg("float", &[], true), "double precision");
    }

    #[test]
    fn mysql_types_are_column_type_forms() {
        let my = |k: &str, o: &[(&str, Value)]| column_type(Dialect::Mysql, k, &kw(o), false).unwrap();
        assert_eq!(my("string", &[]), "varchar(255)");
        assert_eq!(my("integer", &[]), "int(11)");
        assert_eq!(my("integer", &[("limit", Value::Int(2))]), "smallint(6)");
        assert_eq!(my("bigint", &[("unsigned", Value::Bool(true))]), "bigint(20) unsigned");
        assert_eq!(my("boolean", &[]), "tinyint(1)");
        assert_eq!(my("text", &[("limit", Value::Int(16_777_215))]), "mediumtext");
        assert_eq!(my("decimal", &[("precision", Value::Int(8)), ("scale", Value::Int(2))]), "decimal(8,2)");
    }

    #[test]
    fn sqlite_types_are_the_declared_ones() {
        let lite = |k: &str, o: &[(&str, Value)]| column_type(Dialect::Sqlite, k, &kw(o), true).unwrap();
        assert_eq!(lite("string", &[]), "varchar");
        assert_eq!(lite("string", &[("limit", Value::Int(20))]), "varchar(20)");
        assert_eq!(lite("datetime", &[]), "datetime(6)");
        assert_eq!(lite("boolean", &[]), "boolean");
        assert_eq!(default(Dialect::Sqlite, "boolean", &Value::Bool(true)).as_deref(), Some("1"));
        assert_eq!(default(Dialect::Sqlite, "varchar", &Value::Str("a'b".into())).as_deref(), Some("'a''b'"));
    }

    fn norm(e: &str) -> String {
        crate::schema::postgres::normalize_expr(e)
    }

    #[test]
    fn postgres_defaults_are_pg_get_expr_forms() {
        assert_eq!(
            pg_default("character varying(20)", &Value::Str("active".into())).unwrap(),
            norm("'active'::character varying")
        );
        assert_eq!(pg_default("integer", &Value::Int(0)).unwrap(), norm("0"));
        assert_eq!(pg_default("integer", &Value::Int(-1)).unwrap(), norm("'-1'::integer"));
        assert_eq!(pg_default("boolean", &Value::Bool(false)).unwrap(), norm("false"));
        assert_eq!(pg_default("numeric(10,2)", &Value::Str("0.0".into())).unwrap(), norm("0.0"));
        assert_eq!(pg_default("jsonb", &Value::Hash(vec![])).unwrap(), norm("'{}'::jsonb"));
        assert_eq!(
            pg_default("character varying[]", &Value::Array(vec![])).unwrap(),
            norm("'{}'::character varying[]")
        );
        assert_eq!(
            pg_default("timestamp(6) without time zone", &Value::Lambda("now()".into())).unwrap(),
            norm("now()")
        );
    }
}

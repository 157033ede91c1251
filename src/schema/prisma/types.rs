//! A Prisma field's column type as `prisma migrate` and `prisma db push` create it for the
//! datasource's provider, in the model's canonical spelling (PostgreSQL's `format_type()`,
//! MySQL's `COLUMN_TYPE`, SQLite's declared type in lower case): the scalar's default type, or
//! the `@db.` attribute's native type.

use crate::schema::Dialect;

/// The default column type of a Prisma scalar (`String`, `DateTime`, …) for `dialect`; `None`
/// for a type that is no scalar.
pub fn scalar(dialect: Dialect, scalar: &str) -> Option<&'static str> {
    let (pg, my, lite) = match scalar {
        "String" => ("text", "varchar(191)", "text"),
        "Boolean" => ("boolean", "tinyint(1)", "boolean"),
        "Int" => ("integer", "int", "integer"),
        "BigInt" => ("bigint", "bigint", "bigint"),
        "Float" => ("double precision", "double", "real"),
        "Decimal" => ("numeric(65,30)", "decimal(65,30)", "decimal"),
        "DateTime" => ("timestamp(3) without time zone", "datetime(3)", "datetime"),
        "Json" => ("jsonb", "json", "jsonb"),
        "Bytes" => ("bytea", "longblob", "blob"),
        _ => return None,
    };
    Some(match dialect {
        Dialect::Mysql => my,
        Dialect::Sqlite => lite,
        _ => pg,
    })
}

/// The type a `@db.Name(args)` attribute gives (`VarChar`, `["191"]`).
pub fn native(dialect: Dialect, name: &str, args: &[&str]) -> String {
    let with = |base: &str| if args.is_empty() { base.to_owned() } else { format!("{base}({})", args.join(",")) };
    match dialect {
        Dialect::Mysql => {
            let unsigned = name.strip_prefix("Unsigned");
            match (unsigned, name) {
                (Some(base), _) => format!("{} unsigned", with(&base.to_ascii_lowercase())),
                (None, "Bit") if args.is_empty() => "bit(1)".to_owned(),
                _ => with(&name.to_ascii_lowercase()),
            }
        }
        Dialect::Sqlite => with(&name.to_ascii_lowercase()),
        _ => {
            // PostgreSQL prints a time type's precision before its zone.
            let time = |base: &str, zone: &str| match args {
                [] => format!("{base} {zone}"),
                _ => format!("{base}({}) {zone}", args.join(",")),
            };
            match name {
                "VarChar" => with("character varying"),
                "Char" => with("character"),
                "VarBit" => with("bit varying"),
                "Integer" => "integer".to_owned(),
                "DoublePrecision" => "double precision".to_owned(),
                "Decimal" => with("numeric"),
                "Timestamp" => time("timestamp", "without time zone"),
                "Timestamptz" => time("timestamp", "with time zone"),
                "Time" => time("time", "without time zone"),
                "Timetz" => time("time", "with time zone"),
                "JsonB" => "jsonb".to_owned(),
                "ByteA" => "bytea".to_owned(),
                _ => with(&name.to_ascii_lowercase()),
            }
        }
    }
}

/// The column type of an enum field: a PostgreSQL enum type by name (quoted as `format_type()`
/// prints a name with capitals), MySQL's inline `enum('A','B')`, SQLite's text.
pub fn enumeration(dialect: Dialect, schema: Option<&str>, name: &str, values: &[String]) -> String {
    match dialect {
        Dialect::Mysql => {
            let quoted: Vec<String> = values.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect();
            format!("enum({})", quoted.join(","))
        }
        Dialect::Sqlite => "text".to_owned(),
        _ => {
            let plain = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            let name = if plain { name.to_owned() } else { format!("\"{name}\"") };
            match schema {
                Some(s) if Some(s) != dialect.default_schema() => format!("{s}.{name}"),
                _ => name,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_types_print_as_the_database_does() {
        assert_eq!(native(Dialect::Postgres, "VarChar", &["255"]), "character varying(255)");
        assert_eq!(native(Dialect::Postgres, "Timestamptz", &["6"]), "timestamp(6) with time zone");
        assert_eq!(native(Dialect::Postgres, "Uuid", &[]), "uuid");
        assert_eq!(native(Dialect::Mysql, "VarChar", &["400"]), "varchar(400)");
        assert_eq!(native(Dialect::Mysql, "UnsignedInt", &[]), "int unsigned");
        assert_eq!(native(Dialect::Mysql, "LongText", &[]), "longtext");
        assert_eq!(scalar(Dialect::Mysql, "DateTime"), Some("datetime(3)"));
        assert_eq!(scalar(Dialect::Postgres, "Link"), None);
        assert_eq!(enumeration(Dialect::Postgres, Some("public"), "Role", &[]), "\"Role\"");
        assert_eq!(enumeration(Dialect::Mysql, None, "Role", &["A".into(), "B".into()]), "enum('A','B')");
    }
}

//! Type names as the schema model stores them (see the top of `schema/model.rs`): what
//! PostgreSQL's `format_type()` prints (SQL types come from `schema::postgres::format_type`),
//! what MySQL's `COLUMN_TYPE` holds. Framework type symbols
//! (Rails `:string`, Ecto `:utc_datetime`, Django `CharField`) map onto the same forms.

use crate::schema::Dialect;

/// `serial` and friends: the integer type they stand for, when `name` is one.
pub fn pg_serial(name: &str) -> Option<&'static str> {
    match name {
        "serial" | "serial4" => Some("integer"),
        "bigserial" | "serial8" => Some("bigint"),
        "smallserial" | "serial2" => Some("smallint"),
        _ => None,
    }
}

/// Options a framework passes with a column type (`limit:`, `precision:`, `scale:`, `size:`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeOptions {
    pub limit: Option<u32>,
    pub precision: Option<u32>,
    pub scale: Option<u32>,
    pub array: bool,
}

/// Rails column type symbols (`:string`, `:datetime`, …) → canonical type, as Rails 7+ creates
/// them (datetime → `timestamp(6)`, bigint primary and foreign keys).
pub fn rails_type(ty: &str, opts: &TypeOptions, dialect: Dialect) -> String {
    let pg = dialect != Dialect::Mysql;
    let lim = |default: Option<u32>| opts.limit.or(default);
    let base = match (ty, pg) {
        ("primary_key", true) | ("bigint", true) | ("references" | "belongs_to", true) => "bigint".to_owned(),
        ("primary_key", false) | ("bigint", false) | ("references" | "belongs_to", false) => "bigint(20)".to_owned(),
        ("integer", true) => match opts.limit {
            Some(1 | 2) => "smallint".to_owned(),
            Some(l) if l > 4 => "bigint".to_owned(),
            _ => "integer".to_owned(),
        },
        ("integer", false) => match opts.limit {
            Some(1) => "tinyint(4)".to_owned(),
            Some(2) => "smallint(6)".to_owned(),
            Some(3) => "mediumint(9)".to_owned(),
            Some(l) if l > 4 => "bigint(20)".to_owned(),
            _ => "int(11)".to_owned(),
        },
        ("string", true) => match lim(None) {
            Some(l) => format!("character varying({l})"),
            None => "character varying".to_owned(),
        },
        ("string", false) => format!("varchar({})", lim(Some(255)).unwrap_or(255)),
        ("text", _) => "text".to_owned(),
        ("boolean", true) => "boolean".to_owned(),
        ("boolean", false) => "tinyint(1)".to_owned(),
        ("datetime" | "timestamp" | "timestamptz", _) => rails_datetime(ty, Some(opts.precision.unwrap_or(6)), dialect),
        ("time", true) => "time without time zone".to_owned(),
        ("time", false) => "time".to_owned(),
        ("date", _) => "date".to_owned(),
        ("decimal" | "numeric", true) => numeric("numeric", opts),
        ("decimal" | "numeric", false) => numeric("decimal", opts),
        ("float", true) => "double precision".to_owned(),
        ("float", false) => "float".to_owned(),
        ("binary", true) => "bytea".to_owned(),
        ("binary", false) => "blob".to_owned(),
        ("json", false) => "json".to_owned(),
        ("uuid", false) => "char(36)".to_owned(),
        ("virtual", _) => "virtual".to_owned(),
        // Extension types live in a schema: format_type qualifies them.
        ("citext" | "hstore" | "ltree", true) => format!("public.{ty}"),
        (other, _) => other.to_owned(),
    };
    if opts.array && pg { format!("{base}[]") } else { base }
}

/// A Rails datetime type with `precision` (none: the database's default, as migrations older
/// than Rails 7.0 create `t.datetime`).
pub fn rails_datetime(ty: &str, precision: Option<u32>, dialect: Dialect) -> String {
    let p = precision.map(|p| format!("({p})")).unwrap_or_default();
    match (ty, dialect != Dialect::Mysql) {
        ("timestamptz", _) => format!("timestamp{p} with time zone"),
        (_, true) => format!("timestamp{p} without time zone"),
        (_, false) => format!("datetime{p}"),
    }
}

fn numeric(name: &str, opts: &TypeOptions) -> String {
    match (opts.precision, opts.scale) {
        (Some(p), Some(s)) => format!("{name}({p},{s})"),
        (Some(p), None) => format!("{name}({p},0)"),
        _ => name.to_owned(),
    }
}

/// Ecto migration types (`:string`, `:utc_datetime`, `{:array, :string}`) → canonical type, as
/// `ecto_sql`'s PostgreSQL and MySQL adapters create them.
pub fn ecto_type(ty: &str, opts: &TypeOptions, dialect: Dialect) -> String {
    let pg = dialect != Dialect::Mysql;
    let base = match (ty, pg) {
        ("id" | "bigint" | "bigserial" | "references", true) => "bigint".to_owned(),
        ("id" | "bigint" | "bigserial" | "references", false) => "bigint(20) unsigned".to_owned(),
        ("integer" | "serial", true) => "integer".to_owned(),
        ("integer" | "serial", false) => "int(11)".to_owned(),
        ("string", true) => format!("character varying({})", opts.limit.unwrap_or(255)),
        ("string", false) => format!("varchar({})", opts.limit.unwrap_or(255)),
        ("text", _) => "text".to_owned(),
        ("boolean", true) => "boolean".to_owned(),
        ("boolean", false) => "tinyint(1)".to_owned(),
        ("naive_datetime" | "utc_datetime", true) => "timestamp(0) without time zone".to_owned(),
        ("naive_datetime_usec" | "utc_datetime_usec", true) => "timestamp without time zone".to_owned(),
        ("naive_datetime" | "utc_datetime", false) => "datetime".to_owned(),
        ("naive_datetime_usec" | "utc_datetime_usec", false) => "datetime(6)".to_owned(),
        ("timestamptz", _) => "timestamp with time zone".to_owned(),
        ("time", true) => "time(0) without time zone".to_owned(),
        ("time_usec", true) => "time without time zone".to_owned(),
        ("time" | "time_usec", false) => "time".to_owned(),
        ("date", _) => "date".to_owned(),
        ("decimal" | "numeric", true) => numeric("numeric", opts),
        ("decimal" | "numeric", false) => numeric("decimal", opts),
        ("float", true) => "double precision".to_owned(),
        ("float", false) => "double".to_owned(),
        ("map" | "jsonb", true) => "jsonb".to_owned(),
        ("map" | "json", false) => "json".to_owned(),
        ("binary_id" | "uuid", true) => "uuid".to_owned(),
        ("binary_id" | "uuid", false) => "binary(16)".to_owned(),
        ("binary", true) => "bytea".to_owned(),
        ("binary", false) => "blob".to_owned(),
        (other, _) => other.to_owned(),
    };
    if opts.array && pg { format!("{base}[]") } else { base }
}

/// Django model field classes → canonical type, as Django's schema editors create them.
/// `None` for fields with no column (`ManyToManyField`).
pub fn django_type(field: &str, opts: &TypeOptions, dialect: Dialect) -> Option<String> {
    let pg = dialect != Dialect::Mysql;
    let varchar = |n: u32| if pg { format!("character varying({n})") } else { format!("varchar({n})") };
    Some(match field {
        "ManyToManyField" => return None,
        "AutoField" | "IntegerField" | "PositiveIntegerField" => {
            if pg {
                "integer".to_owned()
            } else {
                "int(11)".to_owned()
            }
        }
        "BigAutoField" | "BigIntegerField" | "PositiveBigIntegerField" | "ForeignKey" | "OneToOneField" => {
            if pg {
                "bigint".to_owned()
            } else {
                "bigint(20)".to_owned()
            }
        }
        "SmallAutoField" | "SmallIntegerField" | "PositiveSmallIntegerField" => {
            if pg {
                "smallint".to_owned()
            } else {
                "smallint(6)".to_owned()
            }
        }
        "CharField" => varchar(opts.limit.unwrap_or(255)),
        "EmailField" => varchar(opts.limit.unwrap_or(254)),
        "SlugField" => varchar(opts.limit.unwrap_or(50)),
        "URLField" => varchar(opts.limit.unwrap_or(200)),
        "FileField" | "ImageField" | "FilePathField" => varchar(opts.limit.unwrap_or(100)),
        "GenericIPAddressField" => {
            if pg {
                "inet".to_owned()
            } else {
                "char(39)".to_owned()
            }
        }
        "TextField" => {
            if pg {
                "text".to_owned()
            } else {
                "longtext".to_owned()
            }
        }
        "BooleanField" | "NullBooleanField" => {
            if pg {
                "boolean".to_owned()
            } else {
                "tinyint(1)".to_owned()
            }
        }
        "DateTimeField" => {
            if pg {
                "timestamp with time zone".to_owned()
            } else {
                "datetime(6)".to_owned()
            }
        }
        "DateField" => "date".to_owned(),
        "TimeField" => {
            if pg {
                "time without time zone".to_owned()
            } else {
                "time(6)".to_owned()
            }
        }
        "DurationField" => {
            if pg {
                "interval".to_owned()
            } else {
                "bigint(20)".to_owned()
            }
        }
        "DecimalField" => numeric(if pg { "numeric" } else { "decimal" }, opts),
        "FloatField" => {
            if pg {
                "double precision".to_owned()
            } else {
                "double".to_owned()
            }
        }
        "UUIDField" => {
            if pg {
                "uuid".to_owned()
            } else {
                "char(32)".to_owned()
            }
        }
        "JSONField" => {
            if pg {
                "jsonb".to_owned()
            } else {
                "json".to_owned()
            }
        }
        "BinaryField" => {
            if pg {
                "bytea".to_owned()
            } else {
                "longblob".to_owned()
            }
        }
        // A field class of another package (django-colorfield's `ColorField`, a `CharField`): its
        // column type is unknown, but a new `max_length` may well change it, so the length is
        // part of the type and its change is seen (Kiwi TCMS's `ColorField` 18 → 25).
        other => match opts.limit {
            Some(n) => format!("{other}({n})"),
            None => other.to_owned(),
        },
    })
}

/// A type written as SQL (`varchar(40)`, `timestamptz`, `int4`, TypeORM's `type: "uuid"`,
/// Knex's `specificType`) → canonical type, through the SQL reader so that it is named as the
/// dump names it. `None` when the text is not a type the SQL reader accepts.
pub fn sql_type(text: &str, dialect: Dialect) -> Option<String> {
    use crate::migration::{Direction, OpKind};
    let ddl = format!("CREATE TABLE t (c {text});");
    let file = std::path::Path::new("");
    let ops = super::sql::read_statements(file, &super::LineIndex::new(&ddl), 0, &ddl, dialect, Direction::Up);
    match ops.into_iter().next().map(|o| o.kind) {
        Some(OpKind::CreateTable { columns, .. }) => columns.into_iter().next().map(|c| c.data_type),
        _ => None,
    }
}

/// SQLAlchemy type classes (`String`, `DateTime`, `postgresql.JSONB`, `VARCHAR`, in
/// `op.add_column(…, sa.Column(…, sa.String(40)))`) → canonical type, as SQLAlchemy's DDL
/// compiler writes them. `timezone` is `DateTime(timezone=True)`.
pub fn sqlalchemy_type(class: &str, opts: &TypeOptions, timezone: bool, dialect: Dialect) -> String {
    let sql = match class {
        "String" | "Unicode" | "VARCHAR" | "NVARCHAR" => match opts.limit {
            Some(n) => format!("varchar({n})"),
            None if dialect == Dialect::Mysql => "varchar(255)".to_owned(),
            None => "varchar".to_owned(),
        },
        "CHAR" | "NCHAR" => format!("char({})", opts.limit.unwrap_or(1)),
        "Text" | "UnicodeText" | "TEXT" => "text".to_owned(),
        "Integer" | "INTEGER" | "INT" => "integer".to_owned(),
        "BigInteger" | "BIGINT" => "bigint".to_owned(),
        "SmallInteger" | "SMALLINT" => "smallint".to_owned(),
        "Boolean" | "BOOLEAN" => "boolean".to_owned(),
        "DateTime" | "DATETIME" if dialect == Dialect::Mysql => "datetime".to_owned(),
        "DateTime" | "TIMESTAMP" if timezone => "timestamp with time zone".to_owned(),
        "DateTime" | "TIMESTAMP" | "DATETIME" => "timestamp without time zone".to_owned(),
        "Date" | "DATE" => "date".to_owned(),
        "Time" | "TIME" => "time".to_owned(),
        "Interval" | "INTERVAL" => "interval".to_owned(),
        "Numeric" | "NUMERIC" | "DECIMAL" => {
            return numeric(if dialect == Dialect::Mysql { "decimal" } else { "numeric" }, opts);
        }
        "Float" | "FLOAT" | "Double" | "DOUBLE_PRECISION" => "double precision".to_owned(),
        "REAL" => "real".to_owned(),
        "LargeBinary" | "BLOB" | "BYTEA" => if dialect == Dialect::Mysql { "blob" } else { "bytea" }.to_owned(),
        "JSON" => "json".to_owned(),
        "JSONB" => "jsonb".to_owned(),
        "UUID" | "Uuid" => if dialect == Dialect::Mysql { "char(32)" } else { "uuid" }.to_owned(),
        "INET" => "inet".to_owned(),
        "CITEXT" => "citext".to_owned(),
        other => other.to_lowercase(),
    };
    sql_type(&sql, dialect).unwrap_or(sql)
}

/// Sequelize `DataTypes` (`Sequelize.STRING(100)`, `DataTypes.DATE`) → canonical type, as
/// Sequelize's query generator writes them.
pub fn sequelize_type(name: &str, opts: &TypeOptions, dialect: Dialect) -> String {
    let pg = dialect != Dialect::Mysql;
    let sql = match name {
        "STRING" => format!("varchar({})", opts.limit.unwrap_or(255)),
        "CHAR" => format!("char({})", opts.limit.unwrap_or(255)),
        "TEXT" | "CITEXT" => name.to_lowercase(),
        "INTEGER" => "integer".to_owned(),
        "BIGINT" => "bigint".to_owned(),
        "SMALLINT" => "smallint".to_owned(),
        "TINYINT" if pg => "smallint".to_owned(),
        "BOOLEAN" if pg => "boolean".to_owned(),
        "BOOLEAN" => "tinyint(1)".to_owned(),
        "DATE" if pg => "timestamp with time zone".to_owned(),
        "DATE" => "datetime".to_owned(),
        "DATEONLY" => "date".to_owned(),
        "TIME" => "time".to_owned(),
        "FLOAT" | "DOUBLE" if pg => "double precision".to_owned(),
        "REAL" => "real".to_owned(),
        "DECIMAL" => return numeric(if pg { "numeric" } else { "decimal" }, opts),
        "UUID" if pg => "uuid".to_owned(),
        "UUID" => "char(36)".to_owned(),
        "JSON" => "json".to_owned(),
        "JSONB" => "jsonb".to_owned(),
        "BLOB" if pg => "bytea".to_owned(),
        "INET" => "inet".to_owned(),
        other => other.to_lowercase(),
    };
    let ty = sql_type(&sql, dialect).unwrap_or(sql);
    if opts.array && pg { format!("{ty}[]") } else { ty }
}

/// Knex schema builder column methods (`t.string('x', 40)`, `t.timestamp('at')`) → canonical
/// type, as Knex's column compilers write them. `None` for a method that adds no column.
pub fn knex_type(method: &str, opts: &TypeOptions, dialect: Dialect) -> Option<String> {
    let pg = dialect != Dialect::Mysql;
    let sql = match method {
        "increments" => if pg { "serial" } else { "int unsigned" }.to_owned(),
        "bigIncrements" => if pg { "bigserial" } else { "bigint unsigned" }.to_owned(),
        "integer" => "integer".to_owned(),
        "bigInteger" | "bigint" => "bigint".to_owned(),
        "smallint" | "tinyint" => "smallint".to_owned(),
        "string" => format!("varchar({})", opts.limit.unwrap_or(255)),
        "text" => "text".to_owned(),
        "boolean" => "boolean".to_owned(),
        "date" => "date".to_owned(),
        "time" => "time".to_owned(),
        "datetime" | "timestamp" if pg => "timestamptz".to_owned(),
        "datetime" | "timestamp" => "datetime".to_owned(),
        "float" => "real".to_owned(),
        "double" => "double precision".to_owned(),
        "decimal" => {
            let o =
                TypeOptions { precision: opts.precision.or(Some(8)), scale: opts.scale.or(Some(2)), ..opts.clone() };
            return Some(numeric(if pg { "numeric" } else { "decimal" }, &o));
        }
        "uuid" => if pg { "uuid" } else { "char(36)" }.to_owned(),
        "json" => "json".to_owned(),
        "jsonb" => if pg { "jsonb" } else { "json" }.to_owned(),
        "binary" => if pg { "bytea" } else { "blob" }.to_owned(),
        "enu" | "enum" => if pg { "text" } else { "varchar(255)" }.to_owned(),
        _ => return None,
    };
    let ty = sql_type(&sql, dialect).unwrap_or(sql);
    Some(match pg_serial(&ty) {
        Some(int) => int.to_owned(),
        None => ty,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framework_types_map_per_dialect() {
        let none = TypeOptions::default();
        assert_eq!(rails_type("string", &none, Dialect::Postgres), "character varying");
        assert_eq!(rails_type("string", &none, Dialect::Mysql), "varchar(255)");
        assert_eq!(rails_type("datetime", &none, Dialect::Postgres), "timestamp(6) without time zone");
        assert_eq!(ecto_type("string", &none, Dialect::Postgres), "character varying(255)");
        assert_eq!(ecto_type("utc_datetime", &none, Dialect::Postgres), "timestamp(0) without time zone");
        assert_eq!(django_type("DateTimeField", &none, Dialect::Postgres).as_deref(), Some("timestamp with time zone"));
        let dec = TypeOptions { precision: Some(10), scale: Some(2), ..TypeOptions::default() };
        assert_eq!(rails_type("decimal", &dec, Dialect::Postgres), "numeric(10,2)");
        let forty = TypeOptions { limit: Some(40), ..TypeOptions::default() };
        assert_eq!(sqlalchemy_type("String", &forty, false, Dialect::Postgres), "character varying(40)");
        assert_eq!(sqlalchemy_type("DateTime", &none, true, Dialect::Postgres), "timestamp with time zone");
        assert_eq!(sequelize_type("STRING", &none, Dialect::Postgres), "character varying(255)");
        assert_eq!(sequelize_type("DATE", &none, Dialect::Postgres), "timestamp with time zone");
        assert_eq!(knex_type("increments", &none, Dialect::Postgres).as_deref(), Some("integer"));
        assert_eq!(knex_type("timestamp", &none, Dialect::Postgres).as_deref(), Some("timestamp with time zone"));
        assert_eq!(sql_type("int4", Dialect::Postgres).as_deref(), Some("integer"));
        assert_eq!(sql_type("not a type (", Dialect::Postgres), None);
    }
}

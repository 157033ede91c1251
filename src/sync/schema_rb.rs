//! `db/schema.rb` on PostgreSQL as `rails db:schema:dump` writes it, from the schema model (the
//! live database's catalog as tandem reads it, or the replayed migrations), reproduced from
//! Rails' source (rails/rails at 2a2db1e8d6d104ee0611efcae7eb023af65cff34):
//!
//! * `activerecord/lib/active_record/schema_dumper.rb`: the header comment,
//!   `ActiveRecord::Schema[<Rails version>].define(version: YYYY_MM_DD_HHMMSS) do`, then
//!   extensions, enum types, tables sorted by name (one blank line between them; primary key
//!   options on the `create_table` line, every other column as `t.<type> "name", <options>`, the
//!   table's indexes sorted as text, check constraints), then a blank line and the foreign keys
//!   of every table as `add_foreign_key` sorted as text per table, then `end`.
//!   `schema_migrations` and `ar_internal_metadata` are left out; names matching
//!   `fk_rails_<10 hex>` / `chk_rails_<10 hex>` are not written. Rails 8.1 sorted the columns by
//!   name (e403adf8720, reverted on main by 21bedd80512): a schema.rb that names `[8.1]` gets
//!   them sorted.
//! * `activerecord/lib/active_record/connection_adapters/abstract/schema_dumper.rb`:
//!   `prepare_column_options` (`limit`, `precision`, `scale`, `default`, `null: false`,
//!   `collation`, `comment`, in that order; datetime precision 6 is the default and not written,
//!   none is `precision: nil`), `column_spec_for_primary_key`.
//! * `activerecord/lib/active_record/connection_adapters/postgresql/schema_dumper.rb`:
//!   `enable_extension` (`pg_catalog.plpgsql`, which every database has), `create_enum`,
//!   `array: true`, `enum_type:`, serial primary keys (`bigserial` is the default, `id: :serial`),
//!   `default: nil` on a uuid or non-serial integer key.
//!
//! Only the `public` schema is dumped (`ActiveRecord.dump_schemas` defaults to the search path).
//! A column of a type Rails has no name for makes the table `# Could not dump table …` as Rails
//! does. Not rendered yet: views (Rails dumps none), exclusion and unique constraints written as
//! such, generated (`virtual`) columns, index `length:`/`type:`, defaults other than literals,
//! `now()`-like functions and empty JSON/arrays.

use std::fmt::Write as _;

use crate::schema::{Column, FkAction, Index, IndexPart, Schema, Table};

/// `ActiveRecord::Migration.current_version` at the cited Rails commit.
pub const RAILS_VERSION: &str = "8.2";

const HEADER: &str = "\
# This file is auto-generated from the current state of the database. Instead
# of editing this file, please use the migrations feature of Active Record to
# incrementally modify your database, and then regenerate this schema definition.
#
# This file is the source Rails uses to define your schema when running `bin/rails
# db:schema:load`. When creating a new database, `bin/rails db:schema:load` tends to
# be faster and is potentially less error prone than running all of your
# migrations from scratch. Old migrations may fail to apply correctly if those
# migrations use external dependencies or application code.
#
# It's strongly recommended that you check this file into your version control system.

";

/// The Rails version a committed schema.rb names (`ActiveRecord::Schema[7.1]`), so that a sync
/// does not rewrite it.
pub fn rails_version_of(committed: &str) -> Option<&str> {
    let rest = committed.split("ActiveRecord::Schema[").nth(1)?;
    rest.split(']').next().filter(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// `schema.rb` of `schema`; `version`: the highest applied migration version.
pub fn render(schema: &Schema, rails_version: &str, version: Option<&str>) -> String {
    let mut out = String::from(HEADER);
    let version = version.map(formatted_version).unwrap_or_else(|| "0".to_owned());
    let _ = writeln!(out, "ActiveRecord::Schema[{rails_version}].define(version: {version}) do");
    let mut extensions: Vec<String> = vec!["pg_catalog.plpgsql".to_owned()];
    extensions.extend(schema.extensions.iter().map(|e| match e.schema.as_deref() {
        Some(s) if s != "public" => format!("{s}.{}", e.name),
        _ => e.name.clone(),
    }));
    extensions.sort();
    out.push_str("  # These are extensions that must be enabled in order to support this database\n");
    for e in &extensions {
        let _ = writeln!(out, "  enable_extension {}", inspect(e));
    }
    out.push('\n');
    let enums: Vec<_> = schema.enums.iter().filter(|e| in_public(e.name.schema.as_deref())).collect();
    if !enums.is_empty() {
        out.push_str("  # Custom types defined in this database.\n");
        out.push_str(
            "  # Note that some types may not work with other database engines. Be careful if changing database.\n",
        );
        let mut lines: Vec<String> = enums
            .iter()
            .map(|e| {
                let values: Vec<String> = e.values.iter().map(|v| inspect(v)).collect();
                format!("  create_enum {}, [{}]", inspect(&e.name.name), values.join(", "))
            })
            .collect();
        lines.sort();
        for l in lines {
            let _ = writeln!(out, "{l}");
        }
        out.push('\n');
    }
    let mut tables: Vec<&Table> = schema
        .tables
        .iter()
        .filter(|t| in_public(t.name.schema.as_deref()))
        .filter(|t| !matches!(t.name.name.as_str(), "schema_migrations" | "ar_internal_metadata"))
        .collect();
    tables.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    for (i, t) in tables.iter().enumerate() {
        out.push_str(&table(schema, t, rails_version));
        if i + 1 < tables.len() {
            out.push('\n');
        }
    }
    let fks: String = tables.iter().map(|t| foreign_keys(t)).collect();
    if !fks.is_empty() {
        out.push('\n');
        out.push_str(&fks);
    }
    out.push_str("end\n");
    out
}

fn in_public(schema: Option<&str>) -> bool {
    matches!(schema, None | Some("public"))
}

/// `20170404131909` → `2017_04_04_131909`.
fn formatted_version(v: &str) -> String {
    if v.len() == 14 && v.is_ascii() {
        format!("{}_{}_{}_{}", &v[..4], &v[4..6], &v[6..8], &v[8..])
    } else {
        v.to_owned()
    }
}

/// Ruby's `String#inspect` for the text Rails writes.
fn inspect(s: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '#' if matches!(chars.peek(), Some('{' | '$' | '@')) => out.push_str("\\#"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// What the adapter makes of a column's type: the dump's type name and its options.
struct Spec {
    kind: String,
    options: Vec<(&'static str, String)>,
    serial: bool,
}

/// `column_spec`: the Rails type and `prepare_column_options` of a column; `None` when Rails
/// has no name for the type.
fn column_spec(schema: &Schema, c: &Column) -> Option<Spec> {
    let (base, array) = match c.data_type.strip_suffix("[]") {
        Some(b) => (b, true),
        None => (c.data_type.as_str(), false),
    };
    let args = |t: &str| -> Option<Vec<i64>> {
        let inner = t.split_once('(')?.1.split(')').next()?;
        inner.split(',').map(|n| n.trim().parse().ok()).collect()
    };
    let head = base.split('(').next().unwrap_or(base).trim();
    let tail = base.split(')').nth(1).unwrap_or("").trim();
    let (mut limit, mut precision, mut scale) = (None, None, None);
    let serial = c.default.as_deref().is_some_and(|d| d.starts_with("nextval(")) || c.identity.is_some();
    let kind: String = match (head, tail) {
        ("character varying", _) => {
            limit = args(base).and_then(|a| a.first().copied());
            "string".into()
        }
        ("text", _) => "text".into(),
        ("smallint", _) => {
            limit = Some(2);
            "integer".into()
        }
        ("integer", _) => "integer".into(),
        ("bigint", _) => "bigint".into(),
        ("boolean", _) => "boolean".into(),
        ("date", _) => "date".into(),
        ("double precision", _) => "float".into(),
        ("numeric", _) => {
            if let Some(a) = args(base) {
                precision = a.first().copied();
                scale = a.get(1).copied();
            }
            "decimal".into()
        }
        ("timestamp", "without time zone") | ("timestamp without time zone", _) => {
            precision = Some(args(base).and_then(|a| a.first().copied()).unwrap_or(-1));
            "datetime".into()
        }
        ("timestamp", "with time zone") | ("timestamp with time zone", _) => {
            precision = args(base).and_then(|a| a.first().copied());
            "timestamptz".into()
        }
        ("time", "without time zone") | ("time without time zone", _) => {
            precision = args(base).and_then(|a| a.first().copied());
            "time".into()
        }
        ("bytea", _) => "binary".into(),
        ("bit", _) => {
            limit = args(base).and_then(|a| a.first().copied());
            "bit".into()
        }
        ("bit varying", _) => {
            limit = args(base).and_then(|a| a.first().copied());
            "bit_varying".into()
        }
        ("public.citext" | "citext", _) => "citext".into(),
        ("public.hstore" | "hstore", _) => "hstore".into(),
        ("public.ltree" | "ltree", _) => "ltree".into(),
        (
            t @ ("json" | "jsonb" | "uuid" | "inet" | "cidr" | "macaddr" | "xml" | "money" | "interval" | "tsvector"
            | "point" | "line" | "lseg" | "box" | "path" | "polygon" | "circle" | "int4range" | "int8range"
            | "numrange" | "tsrange" | "tstzrange" | "daterange" | "oid"),
            _,
        ) => t.into(),
        (t, _) => {
            let name = crate::schema::QualifiedName::parse(t);
            schema.enums.iter().find(|e| e.name.matches(&name))?;
            "enum".into()
        }
    };
    let mut options: Vec<(&'static str, String)> = Vec::new();
    if let Some(l) = limit {
        options.push(("limit", l.to_string()));
    }
    match (kind.as_str(), precision) {
        ("datetime", Some(-1)) => options.push(("precision", "nil".into())),
        ("datetime", Some(6)) => {}
        (_, Some(p)) => options.push(("precision", p.to_string())),
        _ => {}
    }
    if let Some(s) = scale {
        options.push(("scale", s.to_string()));
    }
    if !serial && let Some(d) = c.default.as_deref().and_then(|d| default(&kind, d)) {
        options.push(("default", d));
    }
    if !c.nullable {
        options.push(("null", "false".into()));
    }
    if let Some(coll) = &c.collation {
        options.push(("collation", inspect(coll)));
    }
    if let Some(comment) = c.comment.as_deref().filter(|c| !c.is_empty()) {
        options.push(("comment", inspect(comment)));
    }
    if array {
        options.push(("array", "true".into()));
    }
    if kind == "enum" {
        let name = crate::schema::QualifiedName::parse(base);
        options.push(("enum_type", inspect(&name.name)));
    }
    Some(Spec { kind, options, serial })
}

/// `schema_default`: the default as `type_cast_for_schema` writes the deserialized value, or
/// `-> { "expr" }` for an expression.
fn default(kind: &str, expr: &str) -> Option<String> {
    let literal = |e: &str| -> Option<String> {
        let body = e.strip_prefix('\'')?;
        let end = body.rfind('\'')?;
        let rest = &body[end + 1..];
        (rest.is_empty() || rest.starts_with("::")).then(|| body[..end].replace("''", "'"))
    };
    let value = literal(expr)
        .or_else(|| (expr.parse::<f64>().is_ok() || matches!(expr, "true" | "false")).then(|| expr.to_owned()));
    let Some(v) = value else {
        return Some(format!("-> {{ {} }}", inspect(expr)));
    };
    Some(match kind {
        "integer" | "bigint" => v.parse::<i64>().ok()?.to_string(),
        "float" => {
            let f: f64 = v.parse().ok()?;
            if f.fract() == 0.0 && f.abs() < 1e16 { format!("{f:.1}") } else { f.to_string() }
        }
        // ActiveSupport's `BigDecimal#to_s`: plain notation, at least one decimal.
        "decimal" => {
            let t = v.trim_start_matches('+');
            let t = if t.contains('.') {
                let trimmed = t.trim_end_matches('0');
                if trimmed.ends_with('.') { format!("{trimmed}0") } else { trimmed.to_owned() }
            } else {
                format!("{t}.0")
            };
            inspect(&t)
        }
        "boolean" => match v.as_str() {
            "true" => "true".into(),
            "false" => "false".into(),
            _ => return None,
        },
        _ => inspect(&v),
    })
}

fn options_text(options: &[(&str, String)]) -> String {
    options.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ")
}

/// `create_table … end` of one table, or Rails' comment when a column's type has no name.
fn table(schema: &Schema, t: &Table, rails_version: &str) -> String {
    let name = &t.name.name;
    let pk: Vec<&str> =
        t.primary_key.as_ref().map(|p| p.columns.iter().map(String::as_str).collect()).unwrap_or_default();
    let mut specs = Vec::new();
    for c in &t.columns {
        match column_spec(schema, c) {
            Some(s) => specs.push((c, s)),
            None => {
                return format!(
                    "# Could not dump table {} because of following StandardError\n#   Unknown type '{}' for column '{}'\n\n",
                    inspect(name),
                    c.data_type,
                    c.name
                );
            }
        }
    }
    let mut out = format!("  create_table {}", inspect(name));
    match pk.as_slice() {
        [single] => {
            if *single != "id" {
                let _ = write!(out, ", primary_key: {}", inspect(single));
            }
            if let Some((_, spec)) = specs.iter().find(|(c, _)| c.name == *single) {
                let _ = write!(out, "{}", primary_key_spec(spec));
            }
        }
        [] => out.push_str(", id: false"),
        many => {
            let names: Vec<String> = many.iter().map(|n| inspect(n)).collect();
            let _ = write!(out, ", primary_key: [{}]", names.join(", "));
        }
    }
    out.push_str(", force: :cascade do |t|\n");
    // Rails 8.1 wrote the columns sorted by name (rails e403adf8720); main reverted it
    // (21bedd80512: `db:prepare` made tables in that order).
    if rails_version == "8.1" {
        specs.sort_by(|(a, _), (b, _)| a.name.cmp(&b.name));
    }
    for (c, spec) in &specs {
        if pk.len() == 1 && c.name == pk[0] {
            continue;
        }
        let _ = write!(out, "    t.{} {}", spec.kind, inspect(&c.name));
        if !spec.options.is_empty() {
            let _ = write!(out, ", {}", options_text(&spec.options));
        }
        out.push('\n');
    }
    let mut indexes: Vec<String> = t.indexes.iter().filter_map(|i| index(t, i)).collect();
    indexes.sort();
    for i in indexes {
        let _ = writeln!(out, "{i}");
    }
    let mut checks: Vec<String> = t
        .checks
        .iter()
        .filter(|c| c.validated)
        .map(|c| {
            let mut parts = vec![inspect(&c.expression)];
            if let Some(n) = c.name.as_deref().filter(|n| !is_rails_name(n, "chk_rails_")) {
                parts.push(format!("name: {}", inspect(n)));
            }
            format!("    t.check_constraint {}", parts.join(", "))
        })
        .collect();
    checks.sort();
    for c in checks {
        let _ = writeln!(out, "{c}");
    }
    out.push_str("  end\n");
    out
}

/// `column_spec_for_primary_key`: nothing for a bigserial `id`, else `id: :type` and its
/// options (`default: nil` for a uuid or a non-serial integer).
fn primary_key_spec(spec: &Spec) -> String {
    let kind = match (spec.kind.as_str(), spec.serial) {
        ("bigint", true) => return String::new(),
        ("integer", true) => "serial",
        (k, _) => k,
    };
    let mut options: Vec<(&str, String)> = spec.options.iter().filter(|(k, _)| *k != "null").cloned().collect();
    if !options.iter().any(|(k, _)| *k == "default") && (kind == "uuid" || matches!(kind, "integer" | "bigint")) {
        options.push(("default", "nil".into()));
    }
    let only_default = options.iter().all(|(k, _)| *k == "default");
    if only_default {
        let mut all = vec![("id", format!(":{kind}"))];
        all.extend(options);
        format!(", {}", options_text(&all))
    } else {
        let mut all = vec![("type", format!(":{kind}"))];
        all.extend(options);
        format!(", id: {{ {} }}", options_text(&all))
    }
}

fn is_rails_name(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix).is_some_and(|h| h.len() == 10 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

/// `t.index` of one index; `None` for an index that backs a constraint (the primary key).
fn index(t: &Table, i: &Index) -> Option<String> {
    if t.primary_key.as_ref().and_then(|p| p.name.as_deref()) == Some(i.name.as_str()) {
        return None;
    }
    let columns: Vec<String> = i
        .keys
        .iter()
        .map(|k| match &k.part {
            IndexPart::Column(c) => c.clone(),
            IndexPart::Expression(e) => e.clone(),
        })
        .collect();
    let cols = if i.keys.iter().all(|k| matches!(k.part, IndexPart::Column(_))) {
        format!("[{}]", columns.iter().map(|c| inspect(c)).collect::<Vec<_>>().join(", "))
    } else {
        inspect(&columns.join(", "))
    };
    let mut parts = vec![cols, format!("name: {}", inspect(&i.name))];
    if i.unique {
        parts.push("unique: true".into());
    }
    let orders: Vec<String> = i
        .keys
        .iter()
        .filter_map(|k| {
            let order = k.order.as_deref()?.to_ascii_lowercase();
            let name = match &k.part {
                IndexPart::Column(c) => c.clone(),
                IndexPart::Expression(_) => return None,
            };
            Some(format!("{}: :{}", if is_plain(&name) { name } else { inspect(&name) }, order.replace(' ', "_")))
        })
        .collect();
    if !orders.is_empty() {
        parts.push(format!("order: {{ {} }}", orders.join(", ")));
    }
    // Rails reads the predicate out of `pg_get_indexdef`, which parenthesizes it.
    if let Some(w) = &i.predicate {
        let w = if wrapped(w) { w.clone() } else { format!("({w})") };
        parts.push(format!("where: {}", inspect(&w)));
    }
    if !i.method.is_empty() && i.method != "btree" {
        parts.push(format!("using: :{}", i.method));
    }
    if !i.include.is_empty() {
        parts.push(format!("include: [{}]", i.include.iter().map(|c| inspect(c)).collect::<Vec<_>>().join(", ")));
    }
    Some(format!("    t.index {}", parts.join(", ")))
}

/// Whether `(`…`)` encloses the whole expression.
fn wrapped(e: &str) -> bool {
    let mut depth = 0;
    for (i, c) in e.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 && i + 1 < e.len() {
                    return false;
                }
            }
            _ if depth == 0 => return false,
            _ => {}
        }
    }
    depth == 0 && e.starts_with('(')
}

/// A name Ruby writes as a bare symbol key (`email: :desc`).
fn is_plain(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `add_foreign_key` lines of one table, sorted.
fn foreign_keys(t: &Table) -> String {
    let mut lines: Vec<String> = t
        .foreign_keys
        .iter()
        .map(|fk| {
            let to = &fk.references.name;
            let mut parts = vec![inspect(&t.name.name), inspect(to)];
            let column = fk.columns.join(", ");
            // `foreign_key_column_for(to_table, "id")`: the singular of the table, `_id`.
            if column != format!("{}_id", crate::inflect::singularize(to)) {
                parts.push(format!("column: {}", inspect(&column)));
            }
            let primary_key = fk.referenced_columns.join(", ");
            if primary_key != "id" {
                parts.push(format!("primary_key: {}", inspect(&primary_key)));
            }
            if let Some(n) = fk.name.as_deref().filter(|n| !is_rails_name(n, "fk_rails_")) {
                parts.push(format!("name: {}", inspect(n)));
            }
            if let Some(a) = action(fk.on_update) {
                parts.push(format!("on_update: :{a}"));
            }
            if let Some(a) = action(fk.on_delete) {
                parts.push(format!("on_delete: :{a}"));
            }
            if fk.deferrable {
                parts.push("deferrable: :immediate".into());
            }
            if !fk.validated {
                parts.push("validate: false".into());
            }
            format!("  add_foreign_key {}", parts.join(", "))
        })
        .collect();
    lines.sort();
    lines.iter().map(|l| format!("{l}\n")).collect()
}

fn action(a: FkAction) -> Option<&'static str> {
    match a {
        FkAction::NoAction => None,
        FkAction::Cascade => Some("cascade"),
        FkAction::SetNull => Some("nullify"),
        FkAction::Restrict => Some("restrict"),
        FkAction::SetDefault => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_strings_are_written_as_rails_writes_them() {
        assert_eq!(formatted_version("20170404131909"), "2017_04_04_131909");
        assert_eq!(inspect("a \"b\" #{c}\n"), "\"a \\\"b\\\" \\#{c}\\n\"");
        assert_eq!(default("decimal", "10"), Some("\"10.0\"".into()));
        assert_eq!(default("decimal", "1.50"), Some("\"1.5\"".into()));
        assert_eq!(default("string", "'it''s'::character varying"), Some("\"it's\"".into()));
        assert_eq!(default("integer", "'-1'::integer"), Some("-1".into()));
        assert_eq!(default("datetime", "now()"), Some("-> { \"now()\" }".into()));
        assert_eq!(rails_version_of("ActiveRecord::Schema[7.1].define(version: 1) do"), Some("7.1"));
    }
}

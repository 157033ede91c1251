//! The `sql` kind: SQL written by hand in app code — `.sql` files, and string literals the
//! framework extractors (or the generic pass here) recognise as SQL. Parsed with PostgreSQL's own
//! grammar (pg_query); columns are resolved against the tables of the statement's
//! `FROM`/`JOIN`/`INSERT`/`UPDATE`/`DELETE`. An unqualified column with several candidate
//! tables becomes one [`Target::AnyColumn`], settled by the resolver with the schema.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::config::{Confidence, Framework};
use crate::scan::extract::name::{Lang, LineIndex, lang_of, segments};
use crate::scan::extract::{ExtractContext, Extractor};
use crate::scan::facts::{FileFacts, Hit, Target};
use crate::scan::reference::RefKind;

/// Whether a string literal reads as SQL rather than as a value: a statement shape, not just a
/// keyword (`"select"` alone is a value; `"SELECT id FROM users"` is SQL).
pub fn looks_like_sql(s: &str) -> bool {
    if s.len() < 10 {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    let has = |w: &str| {
        memchr::memmem::find_iter(lower.as_bytes(), w.as_bytes()).any(|p| {
            let before = p.checked_sub(1).map(|i| lower.as_bytes()[i]);
            let after = lower.as_bytes().get(p + w.len()).copied();
            let boundary = |c: Option<u8>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == b'_'));
            boundary(before) && boundary(after)
        })
    };
    (has("select") && has("from"))
        || (has("insert") && has("into"))
        || (has("update") && has("set"))
        || (has("delete") && has("from"))
        || (has("join") && has("on"))
}

/// Rewrite driver placeholders into the `$n` form pg_query accepts, keeping, for every byte of
/// the rewritten text, the offset it came from.
fn rewrite_placeholders(sql: &str) -> (String, Vec<usize>) {
    let b = sql.as_bytes();
    let mut out = String::with_capacity(sql.len() + 8);
    let mut map = Vec::with_capacity(sql.len() + 8);
    let mut i = 0;
    let mut quote: Option<u8> = None;
    let emit = |out: &mut String, map: &mut Vec<usize>, text: &str, from: usize| {
        out.push_str(text);
        map.extend(std::iter::repeat_n(from, text.len()));
    };
    while i < b.len() {
        let c = b[i];
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
        } else if c == b'\'' || c == b'"' {
            quote = Some(c);
        } else {
            // `?` (Rails, ActiveRecord, JDBC), `%s` / `%(name)s` (Python DB-API), `:name` (Rails,
            // SQLAlchemy `text()`), `#{…}` / `${…}` (Ruby, Elixir, JS interpolation).
            let next = b.get(i + 1).copied();
            let len = if c == b'?' {
                1
            } else if c == b'%' && next == Some(b's') {
                2
            } else if c == b'%' && next == Some(b'(') {
                sql[i..].find(")s").map_or(0, |p| p + 2)
            } else if c == b':'
                && next.is_some_and(|n| n.is_ascii_alphabetic() || n == b'_')
                && (i == 0 || b[i - 1] != b':')
            {
                1 + sql[i + 1..].bytes().take_while(|c| c.is_ascii_alphanumeric() || *c == b'_').count()
            } else if (c == b'#' || c == b'$') && next == Some(b'{') {
                sql[i..].find('}').map_or(0, |p| p + 1)
            } else {
                0
            };
            if len > 0 {
                emit(&mut out, &mut map, "$1", i);
                i += len;
                continue;
            }
        }
        let ch_len = sql[i..].chars().next().map_or(1, char::len_utf8);
        emit(&mut out, &mut map, &sql[i..i + ch_len], i);
        i += ch_len;
    }
    map.push(sql.len());
    (out, map)
}

/// A reference found in one SQL text, with its byte offset in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlRef {
    pub offset: usize,
    pub target: Target,
}

/// Parse `sql` (PostgreSQL grammar; a bare expression such as an Ecto `fragment` is parsed as
/// `SELECT <expr>`) and return its table and column references, offsets into `sql`. Text that
/// does not parse yields nothing: the `name` fallback still sees it.
pub fn sql_refs(sql: &str) -> Vec<SqlRef> {
    let (rewritten, map) = rewrite_placeholders(sql);
    let (parsed, shift) = match pg_query::parse(&rewritten, 0) {
        Ok(p) => (p, 0usize),
        Err(_) => {
            let wrapped = format!("SELECT {rewritten}");
            match pg_query::parse(&wrapped, 0) {
                Ok(p) => (p, 7),
                Err(_) => return Vec::new(),
            }
        }
    };
    let original = |loc: i64| -> usize {
        let pos = (loc.max(0) as usize).saturating_sub(shift);
        map.get(pos).copied().unwrap_or(sql.len())
    };
    let Ok(tree) = serde_json::to_value(&parsed.protobuf) else { return Vec::new() };
    let mut out = Vec::new();
    let stmts = tree.get("stmts").and_then(Value::as_array).cloned().unwrap_or_default();
    for stmt in &stmts {
        let mut scope = Scope::default();
        collect(stmt, &mut scope);
        let tables: BTreeSet<String> = scope.tables.iter().map(|(t, _)| t.clone()).collect();
        for (table, loc) in &scope.tables {
            out.push(SqlRef { offset: original(*loc), target: Target::Table { table: table.clone() } });
        }
        for (table, column, loc) in &scope.assigned {
            out.push(SqlRef {
                offset: original(*loc),
                target: Target::Column { table: table.clone(), column: column.clone() },
            });
        }
        for (qualifier, column, loc) in &scope.columns {
            let target = match qualifier {
                Some(q) => {
                    let table = scope.aliases.get(q).cloned().unwrap_or_else(|| q.clone());
                    if scope.ctes.contains(&table) {
                        continue;
                    }
                    Target::Column { table, column: column.clone() }
                }
                None => match tables.len() {
                    0 => Target::Identifier { name: column.clone() },
                    1 => Target::Column {
                        table: tables.iter().next().cloned().unwrap_or_default(),
                        column: column.clone(),
                    },
                    _ => Target::AnyColumn { tables: tables.iter().cloned().collect(), column: column.clone() },
                },
            };
            out.push(SqlRef { offset: original(*loc), target });
        }
    }
    out.sort_by(|a, b| a.offset.cmp(&b.offset).then_with(|| a.target.cmp(&b.target)));
    out.dedup();
    out
}

#[derive(Default)]
struct Scope {
    /// (table as written, `schema.table` when qualified; location).
    tables: Vec<(String, i64)>,
    aliases: HashMap<String, String>,
    ctes: BTreeSet<String>,
    /// Columns assigned by INSERT column lists and UPDATE SET (table known).
    assigned: Vec<(String, String, i64)>,
    /// Column references: (qualifier, column, location).
    columns: Vec<(Option<String>, String, i64)>,
}

fn loc(v: &Value) -> i64 {
    v.get("location").and_then(Value::as_i64).unwrap_or(0)
}

fn range_var(v: &Value, scope: &mut Scope) -> Option<String> {
    let rel = v.get("relname").and_then(Value::as_str)?.to_owned();
    if rel.is_empty() {
        return None;
    }
    let schema = v.get("schemaname").and_then(Value::as_str).unwrap_or("");
    let name = if schema.is_empty() { rel.clone() } else { format!("{schema}.{rel}") };
    if schema.is_empty() && scope.ctes.contains(&rel) {
        return None;
    }
    if let Some(alias) = v.get("alias").and_then(|a| a.get("aliasname")).and_then(Value::as_str) {
        scope.aliases.insert(alias.to_owned(), name.clone());
    }
    scope.aliases.insert(rel, name.clone());
    scope.tables.push((name.clone(), loc(v)));
    Some(name)
}

fn sval(node: &Value) -> Option<&str> {
    node.get("node").and_then(|n| n.get("String")).and_then(|s| s.get("sval")).and_then(Value::as_str)
}

fn collect(v: &Value, scope: &mut Scope) {
    match v {
        Value::Array(items) => items.iter().for_each(|i| collect(i, scope)),
        Value::Object(map) => {
            // CTE names first, so that `FROM cte` is not taken for a table.
            if let Some(with) = map.get("with_clause").or_else(|| map.get("withClause"))
                && let Some(ctes) = with.get("ctes").and_then(Value::as_array)
            {
                for cte in ctes {
                    if let Some(name) = cte.pointer("/node/CommonTableExpr/ctename").and_then(Value::as_str) {
                        scope.ctes.insert(name.to_owned());
                    }
                }
            }
            for (key, value) in map {
                match key.as_str() {
                    "RangeVar" => {
                        range_var(value, scope);
                    }
                    "ColumnRef" => {
                        let fields: Vec<&Value> =
                            value.get("fields").and_then(Value::as_array).into_iter().flatten().collect();
                        let names: Vec<Option<&str>> = fields.iter().map(|f| sval(f)).collect();
                        // `*` and `t.*` name no column.
                        if names.iter().any(Option::is_none) {
                            continue;
                        }
                        let names: Vec<&str> = names.into_iter().flatten().collect();
                        let entry = match names.as_slice() {
                            [c] => (None, (*c).to_owned()),
                            [t, c] => (Some((*t).to_owned()), (*c).to_owned()),
                            [s, t, c] => (Some(format!("{s}.{t}")), (*c).to_owned()),
                            _ => continue,
                        };
                        scope.columns.push((entry.0, entry.1, loc(value)));
                    }
                    "InsertStmt" | "UpdateStmt" | "DeleteStmt" => {
                        let mut inner = Scope { ctes: scope.ctes.clone(), ..Scope::default() };
                        if let Some(with) = value.get("with_clause") {
                            collect(&serde_json::json!({ "with_clause": with }), &mut inner);
                        }
                        let target = value.get("relation").and_then(|r| range_var(r, &mut inner));
                        let list = if key == "InsertStmt" { "cols" } else { "target_list" };
                        if let Some(table) = &target {
                            for item in value.get(list).and_then(Value::as_array).into_iter().flatten() {
                                if let Some(rt) = item.pointer("/node/ResTarget")
                                    && let Some(name) = rt.get("name").and_then(Value::as_str)
                                    && !name.is_empty()
                                {
                                    inner.assigned.push((table.clone(), name.to_owned(), loc(rt)));
                                }
                            }
                        }
                        for (k, child) in value.as_object().into_iter().flatten() {
                            if k != "relation" && k != list {
                                collect(child, &mut inner);
                            }
                        }
                        // UPDATE … SET col = expr: the expressions still reference columns.
                        if key == "UpdateStmt" {
                            for item in value.get(list).and_then(Value::as_array).into_iter().flatten() {
                                if let Some(val) = item.pointer("/node/ResTarget/val") {
                                    collect(val, &mut inner);
                                }
                            }
                        }
                        scope.tables.extend(inner.tables);
                        scope.aliases.extend(inner.aliases);
                        scope.assigned.extend(inner.assigned);
                        scope.columns.extend(inner.columns);
                    }
                    _ => collect(value, scope),
                }
            }
        }
        _ => {}
    }
}

/// Map the references in an SQL text found at `origin` (byte offset of the SQL's first byte in
/// `file_text`) to hits located in the file.
pub fn sql_hits(sql: &str, origin: usize, lines: &LineIndex<'_>, confidence: Confidence) -> Vec<Hit> {
    sql_refs(sql)
        .into_iter()
        .map(|r| {
            let (line, column) = lines.line_col(origin + r.offset);
            let confidence = match r.target {
                Target::Identifier { .. } => Confidence::Low,
                _ => confidence,
            };
            Hit { line, column, target: r.target, kind: RefKind::Sql, confidence, snippet: lines.snippet(line) }
        })
        .collect()
}

/// Raw SQL in `.sql` files of the app, and SQL-looking string literals in any language the
/// framework extractors do not cover.
#[derive(Default)]
pub struct SqlExtractor;

impl Extractor for SqlExtractor {
    fn id(&self) -> &'static str {
        "sql"
    }

    fn version(&self) -> u32 {
        1
    }

    fn applies(&self, path: &str, _framework: Framework) -> bool {
        lang_of(path).is_some()
    }

    fn extract(&self, path: &str, source: &str, _ctx: &ExtractContext<'_>) -> FileFacts {
        let mut facts = FileFacts::default();
        let Some(lang) = lang_of(path) else { return facts };
        let lines = LineIndex::new(source);
        if lang == Lang::Sql {
            // Statement by statement, so that one unparseable statement costs only itself.
            let mut start = 0;
            for stmt in split_statements(source) {
                facts.hits.extend(sql_hits(&source[stmt.clone()], stmt.start, &lines, Confidence::High));
                start = stmt.end;
            }
            let _ = start;
        } else {
            for seg in segments(source, lang) {
                let text = &source[seg.start..seg.end];
                if seg.string && looks_like_sql(text) {
                    facts.hits.extend(sql_hits(text, seg.start, &lines, Confidence::Medium));
                }
            }
        }
        facts
    }
}

/// Byte ranges of the statements of an SQL file, split at top-level `;` (outside quotes,
/// comments and `$$` bodies).
fn split_statements(src: &str) -> Vec<std::ops::Range<usize>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\'' | b'"' => {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |p| i + 2 + p + 1);
            }
            b'$' => {
                let tag_end = b[i + 1..].iter().position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'));
                if let Some(len) = tag_end
                    && b.get(i + 1 + len) == Some(&b'$')
                {
                    let tag = &b[i..i + len + 2];
                    i = memchr::memmem::find(&b[i + tag.len()..], tag)
                        .map_or(b.len(), |p| i + tag.len() + p + tag.len() - 1);
                }
            }
            b';' => {
                out.push(start..i + 1);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if !src[start..].trim().is_empty() {
        out.push(start..src.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(sql: &str) -> Vec<(usize, Target)> {
        sql_refs(sql).into_iter().map(|r| (r.offset, r.target)).collect()
    }

    fn col(t: &str, c: &str) -> Target {
        Target::Column { table: t.into(), column: c.into() }
    }

    #[test]
    fn aliases_resolve_and_placeholders_parse() {
        let sql = "SELECT u.email, o.total FROM users u JOIN orders o ON o.user_id = u.id WHERE u.name = ?";
        assert_eq!(
            refs(sql),
            vec![
                (7, col("users", "email")),
                (16, col("orders", "total")),
                (29, Target::Table { table: "users".into() }),
                (42, Target::Table { table: "orders".into() }),
                (54, col("orders", "user_id")),
                (66, col("users", "id")),
                (77, col("users", "name")),
            ]
        );
    }

    #[test]
    fn unqualified_columns_keep_their_candidates() {
        let got = refs("SELECT email FROM users, accounts WHERE :x = 1");
        assert_eq!(
            got[0],
            (7, Target::AnyColumn { tables: vec!["accounts".into(), "users".into()], column: "email".into() })
        );
    }

    #[test]
    fn insert_and_update_columns_and_ctes() {
        let got = refs(
            "WITH recent AS (SELECT id FROM posts) UPDATE users SET status = 'x' WHERE id IN (SELECT id FROM recent)",
        );
        assert!(got.contains(&(55, col("users", "status"))), "{got:?}");
        assert!(!got.iter().any(|(_, t)| matches!(t, Target::Table { table } if table == "recent")), "{got:?}");
        let got = refs("INSERT INTO audit_log (user_id, action) VALUES ($1, %s)");
        assert!(got.contains(&(23, col("audit_log", "user_id"))), "{got:?}");
        assert!(got.contains(&(32, col("audit_log", "action"))), "{got:?}");
    }

    #[test]
    fn fragments_parse_as_expressions() {
        assert_eq!(refs("lower(?) = lower(email)"), vec![(17, Target::Identifier { name: "email".into() })]);
    }

    #[test]
    fn sql_shape() {
        assert!(looks_like_sql("SELECT id FROM users"));
        assert!(!looks_like_sql("selected from the list"));
        assert!(!looks_like_sql("pending"));
    }

    #[test]
    fn statements_split_outside_bodies() {
        let src = "SELECT 1; CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n";
        assert_eq!(split_statements(src).len(), 2);
    }
}

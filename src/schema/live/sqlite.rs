//! SQLite from `sqlite_master` and the table pragmas. SQLite keeps the `CREATE` text of every
//! object; the pragmas give the parsed columns, keys and indexes, which is what the model wants.

use std::collections::BTreeMap;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{ConnectOptions, Connection, Row};

use super::{connect_error, db_error};
use crate::error::Result;
use crate::schema::{
    CheckConstraint, Column, Dialect, FkAction, ForeignKey, Identity, Index, IndexKey, IndexPart, PrimaryKey,
    QualifiedName, Schema, Table, Trigger, UniqueConstraint, View,
};

struct Ctx<'a> {
    conn: SqliteConnection,
    shown: &'a str,
}

impl Ctx<'_> {
    async fn rows(&mut self, what: &str, sql: &str) -> Result<Vec<SqliteRow>> {
        sqlx::query(sql).fetch_all(&mut self.conn).await.map_err(|e| db_error(self.shown, &format!("read {what}"), e))
    }
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>>(
    row: &'r SqliteRow,
    col: &str,
    shown: &str,
) -> Result<T> {
    row.try_get(col).map_err(|e| db_error(shown, "decode the schema", e))
}

/// `'x'` with quotes doubled: pragma arguments cannot be bound.
fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

pub(super) async fn introspect(url: &str, shown: &str) -> Result<Schema> {
    // Read-only and never created: introspection must not leave an empty file behind a typo.
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| connect_error(shown, e))?
        .read_only(true)
        .create_if_missing(false);
    let conn = options.connect().await.map_err(|e| connect_error(shown, e))?;
    let mut cx = Ctx { conn, shown };
    let mut schema = Schema::new(Dialect::Sqlite);

    let objects = cx
        .rows(
            "sqlite_master",
            "SELECT type, name, tbl_name, COALESCE(sql, '') AS sql FROM sqlite_master \
             WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
        )
        .await?;
    let mut tables = Vec::new();
    let mut triggers = Vec::new();
    for r in &objects {
        let kind: String = get(r, "type", shown)?;
        let name: String = get(r, "name", shown)?;
        let sql: String = get(r, "sql", shown)?;
        match kind.as_str() {
            "table" => tables.push((name, sql)),
            "view" => schema.views.push(View {
                name: QualifiedName::unqualified(&name),
                materialized: false,
                definition: view_select(&sql),
                columns: Vec::new(),
                depends_on: Vec::new(),
                indexes: Vec::new(),
            }),
            "trigger" => triggers.push((name, get::<String>(r, "tbl_name", shown)?, sql)),
            _ => {}
        }
    }
    for (name, sql) in tables {
        schema.tables.push(table(&mut cx, &name, &sql).await?);
    }
    for v in &mut schema.views {
        let rows = cx.rows("view columns", &format!("PRAGMA table_info({})", lit(&v.name.name))).await?;
        v.columns = rows.iter().map(|r| get(r, "name", shown)).collect::<Result<_>>()?;
    }
    for (name, table, sql) in triggers {
        schema.triggers.push(trigger(&name, &table, &sql));
    }
    if schema.table("schema_migrations").is_some_and(|t| t.column("version").is_some()) {
        let rows = cx.rows("schema_migrations", "SELECT CAST(version AS TEXT) AS v FROM schema_migrations").await?;
        schema.migrations = rows.iter().map(|r| get(r, "v", shown)).collect::<Result<_>>()?;
    }
    if schema.table("django_migrations").is_some_and(|t| t.column("app").is_some() && t.column("name").is_some()) {
        let sql = "SELECT CAST(app || '.' || name AS TEXT) AS v FROM django_migrations";
        let rows = cx.rows("django_migrations", sql).await?;
        schema.django_migrations = rows.iter().map(|r| get(r, "v", shown)).collect::<Result<_>>()?;
    }
    let _ = cx.conn.close().await;
    Ok(schema)
}

async fn table(cx: &mut Ctx<'_>, name: &str, create_sql: &str) -> Result<Table> {
    let shown = cx.shown;
    let mut t = Table::new(QualifiedName::unqualified(name));
    let autoincrement = create_sql.to_ascii_lowercase().contains("autoincrement");
    let mut pk: Vec<(i64, String)> = Vec::new();
    for r in cx.rows("columns", &format!("PRAGMA table_xinfo({})", lit(name))).await? {
        let hidden: i64 = get(&r, "hidden", shown)?;
        // 1: a virtual table's hidden column; 2/3: generated columns (kept, with no expression
        // from the pragma: the CREATE text holds it).
        if hidden == 1 {
            continue;
        }
        let col_name: String = get(&r, "name", shown)?;
        let mut c = Column::new(&col_name, &get::<String>(&r, "type", shown)?.to_ascii_lowercase());
        if hidden == 2 || hidden == 3 {
            c.generated = Some(generated_expr(create_sql, &col_name).unwrap_or_default());
        }
        c.nullable = get::<i64>(&r, "notnull", shown)? == 0;
        c.default = get::<Option<String>>(&r, "dflt_value", shown)?;
        let pk_pos: i64 = get(&r, "pk", shown)?;
        if pk_pos > 0 {
            pk.push((pk_pos, col_name));
        }
        t.columns.push(c);
    }
    pk.sort();
    if !pk.is_empty() {
        if autoincrement
            && pk.len() == 1
            && let Some(c) = t.column_mut(&pk[0].1)
        {
            c.identity = Some(Identity::AutoIncrement);
        }
        // SQLite's implicit NOT NULL on a rowid alias is not reported; the key is what matters.
        t.primary_key = Some(PrimaryKey { name: None, columns: pk.into_iter().map(|(_, c)| c).collect() });
    }

    t.checks = checks(create_sql);

    let list = cx.rows("indexes", &format!("PRAGMA index_list({})", lit(name))).await?;
    for r in list {
        let index_name: String = get(&r, "name", shown)?;
        let origin: String = get(&r, "origin", shown)?;
        let unique = get::<i64>(&r, "unique", shown)? != 0;
        let partial = get::<i64>(&r, "partial", shown)? != 0;
        let info = cx.rows("index columns", &format!("PRAGMA index_xinfo({})", lit(&index_name))).await?;
        let mut keys = Vec::new();
        for k in info {
            if get::<i64>(&k, "key", shown)? == 0 {
                continue;
            }
            let cid: i64 = get(&k, "cid", shown)?;
            let col: Option<String> = get(&k, "name", shown)?;
            let desc = get::<i64>(&k, "desc", shown)? != 0;
            let part = match (cid, col) {
                (-2, _) | (_, None) => IndexPart::Expression(String::new()),
                (_, Some(c)) => IndexPart::Column(c),
            };
            keys.push(IndexKey { part, order: desc.then(|| "DESC".to_owned()), opclass: None });
        }
        match origin.as_str() {
            // `UNIQUE` in the table definition: a constraint, not an index.
            "u" => t.uniques.push(UniqueConstraint {
                name: None,
                columns: keys.iter().filter_map(|k| key_column(&k.part)).collect(),
            }),
            "pk" => {}
            _ => {
                let sql = cx
                    .rows(
                        "index definition",
                        &format!("SELECT sql FROM sqlite_master WHERE name = {}", lit(&index_name)),
                    )
                    .await?;
                let sql: Option<String> = match sql.first() {
                    Some(r) => get(r, "sql", shown)?,
                    None => None,
                };
                let sql = sql.unwrap_or_default();
                fill_expressions(&mut keys, &sql);
                t.indexes.push(Index {
                    name: index_name,
                    unique,
                    method: "btree".to_owned(),
                    keys,
                    include: Vec::new(),
                    predicate: if partial { where_clause(&sql) } else { None },
                });
            }
        }
    }

    let fks = cx.rows("foreign keys", &format!("PRAGMA foreign_key_list({})", lit(name))).await?;
    let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
    for r in fks {
        let id: i64 = get(&r, "id", shown)?;
        let from: String = get(&r, "from", shown)?;
        let to: Option<String> = get(&r, "to", shown)?;
        let target: String = get(&r, "table", shown)?;
        let fk = by_id.entry(id).or_insert_with(|| ForeignKey {
            name: None,
            columns: Vec::new(),
            references: QualifiedName::unqualified(&target),
            referenced_columns: Vec::new(),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: false,
            validated: true,
        });
        fk.columns.push(from);
        fk.referenced_columns.extend(to);
        fk.on_delete = action(&get::<String>(&r, "on_delete", shown)?);
        fk.on_update = action(&get::<String>(&r, "on_update", shown)?);
    }
    let deferrable = create_sql.to_ascii_lowercase().contains("deferrable initially deferred");
    for mut fk in by_id.into_values() {
        fk.deferrable = deferrable;
        t.foreign_keys.push(fk);
    }
    Ok(t)
}

/// The top-level comma-separated items of the `CREATE TABLE` body.
fn table_items(sql: &str) -> Vec<&str> {
    let Some(open) = sql.find('(') else { return Vec::new() };
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut quote: Option<char> = None;
    for (i, ch) in sql.char_indices().skip_while(|(i, _)| *i <= open) {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`' | '[') => quote = Some(if ch == '[' { ']' } else { ch }),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => {
                items.push(sql[start..i].trim());
                return items;
            }
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(sql[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

/// Byte offsets of `keyword` as a whole word outside quotes and at parenthesis depth 0.
fn keyword_positions(text: &str, keyword: &str) -> Vec<usize> {
    let upper = text.to_ascii_uppercase();
    let bytes = upper.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' | b'`' => quote = Some(b),
                b'[' => quote = Some(b']'),
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                _ if depth == 0 && upper[i..].starts_with(keyword) => {
                    let before = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
                    let end = i + keyword.len();
                    let after = end >= bytes.len() || !(bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_');
                    if before && after {
                        out.push(i);
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    out
}

/// The text inside the parenthesized group that starts at or after `from`.
fn group_after(text: &str, from: usize) -> Option<&str> {
    let open = from + text[from..].find('(')?;
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (i, ch) in text[open..].char_indices() {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth -= 1;
                if depth == 0 {
                    return Some(text[open + 1..open + i].trim());
                }
            }
            _ => {}
        }
    }
    None
}

fn unquote(name: &str) -> String {
    let n = name.trim();
    for (open, close) in [('"', '"'), ('`', '`'), ('[', ']')] {
        if let Some(inner) = n.strip_prefix(open).and_then(|x| x.strip_suffix(close)) {
            return inner.to_owned();
        }
    }
    n.to_owned()
}

/// `CHECK (…)` clauses of the table, column-level and table-level, with their names.
fn checks(create_sql: &str) -> Vec<CheckConstraint> {
    let mut out = Vec::new();
    for item in table_items(create_sql) {
        let constraints = keyword_positions(item, "CONSTRAINT");
        for at in keyword_positions(item, "CHECK") {
            let Some(expr) = group_after(item, at) else { continue };
            // `CONSTRAINT name CHECK`: the name is the token between the two keywords.
            let name = constraints
                .iter()
                .rev()
                .find(|&&c| c < at)
                .map(|&c| item[c + "CONSTRAINT".len()..at].trim())
                .filter(|n| !n.is_empty() && !n.contains(char::is_whitespace))
                .map(unquote);
            out.push(CheckConstraint { name, expression: expr.to_owned(), validated: true });
        }
    }
    out
}

/// The expression of generated column `column` (`… [GENERATED ALWAYS] AS (expr)`).
fn generated_expr(create_sql: &str, column: &str) -> Option<String> {
    let item = table_items(create_sql).into_iter().find(|item| {
        let first = item.split_whitespace().next().unwrap_or_default();
        unquote(first) == column
    })?;
    let at = *keyword_positions(item, "AS").first()?;
    group_after(item, at).map(str::to_owned)
}

fn key_column(part: &IndexPart) -> Option<String> {
    match part {
        IndexPart::Column(c) => Some(c.clone()),
        IndexPart::Expression(_) => None,
    }
}

fn action(text: &str) -> FkAction {
    match text.to_ascii_uppercase().as_str() {
        "RESTRICT" => FkAction::Restrict,
        "CASCADE" => FkAction::Cascade,
        "SET NULL" => FkAction::SetNull,
        "SET DEFAULT" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// Top-level comma-separated items of the first parenthesized list after `ON table`, for
/// expression keys the pragma cannot name.
fn index_items(sql: &str) -> Vec<String> {
    let upper = sql.to_ascii_uppercase();
    let Some(on) = upper.find(" ON ") else { return Vec::new() };
    let Some(open) = sql[on..].find('(').map(|i| on + i) else { return Vec::new() };
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut start = open + 1;
    let mut quote: Option<char> = None;
    for (i, ch) in sql.char_indices().skip_while(|(i, _)| *i <= open) {
        match (quote, ch) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(ch),
            (None, '(') => depth += 1,
            (None, ')') if depth == 0 => {
                items.push(sql[start..i].trim().to_owned());
                return items;
            }
            (None, ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                items.push(sql[start..i].trim().to_owned());
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

fn fill_expressions(keys: &mut [IndexKey], sql: &str) {
    let items = index_items(sql);
    for (key, item) in keys.iter_mut().zip(items) {
        if let IndexPart::Expression(e) = &mut key.part {
            let upper = item.to_ascii_uppercase();
            let body = if upper.ends_with(" DESC") {
                &item[..item.len() - 5]
            } else if upper.ends_with(" ASC") {
                &item[..item.len() - 4]
            } else {
                &item[..]
            };
            *e = body.trim().to_owned();
        }
    }
}

/// The predicate of a partial index's `CREATE INDEX … WHERE …`.
fn where_clause(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    let at = upper.rfind(" WHERE ")?;
    Some(sql[at + 7..].trim().trim_end_matches(';').trim().to_owned())
}

/// The `SELECT` of a `CREATE VIEW … AS SELECT …`.
fn view_select(sql: &str) -> String {
    let upper = sql.to_ascii_uppercase();
    match upper.find(" AS ") {
        Some(at) => sql[at + 4..].trim().trim_end_matches(';').trim().to_owned(),
        None => sql.trim().to_owned(),
    }
}

/// Timing, events and granularity from the trigger's `CREATE TRIGGER` text; SQLite has no
/// trigger functions, so `function` names the trigger itself.
fn trigger(name: &str, table: &str, sql: &str) -> Trigger {
    let upper = sql.to_ascii_uppercase();
    let head = upper.split(" BEGIN").next().unwrap_or(&upper);
    let timing = if head.contains(" INSTEAD OF ") {
        "INSTEAD OF"
    } else if head.contains(" BEFORE ") {
        "BEFORE"
    } else {
        "AFTER"
    };
    let mut events = Vec::new();
    for ev in ["INSERT", "UPDATE", "DELETE"] {
        if head.contains(&format!(" {ev} ")) || head.contains(&format!(" {ev}\n")) {
            if ev == "UPDATE"
                && let Some(of) = head.find(" UPDATE OF ")
            {
                let rest = &sql[of + " UPDATE OF ".len()..];
                let cols = rest[..rest.to_ascii_uppercase().find(" ON ").unwrap_or(rest.len())].trim();
                events.push(format!("UPDATE OF {cols}"));
                continue;
            }
            events.push(ev.to_owned());
        }
    }
    let when = head.find(" WHEN ").map(|at| sql[at + 6..head.len()].trim().to_owned());
    Trigger {
        name: name.to_owned(),
        table: QualifiedName::unqualified(table),
        function: QualifiedName::unqualified(name),
        timing: timing.to_owned(),
        events,
        for_each_row: true,
        when,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_items_split_at_top_level() {
        assert_eq!(index_items("CREATE INDEX i ON t (lower(a, ','), b DESC)"), ["lower(a, ',')", "b DESC"]);
        assert_eq!(where_clause("CREATE INDEX i ON t (a) WHERE b IS NOT NULL").as_deref(), Some("b IS NOT NULL"));
    }

    #[test]
    fn checks_come_with_their_names() {
        let sql = "CREATE TABLE t (a int CHECK (a > 0), b text, CONSTRAINT \"b_len\" CHECK (length(b) < 10), \
                   c int GENERATED ALWAYS AS (a * 2) STORED, CHECK (b <> 'CHECK (x)'))";
        let got = checks(sql);
        let names: Vec<_> = got.iter().map(|c| (c.name.as_deref(), c.expression.as_str())).collect();
        assert_eq!(names, [(None, "a > 0"), (Some("b_len"), "length(b) < 10"), (None, "b <> 'CHECK (x)'")]);
        assert_eq!(generated_expr(sql, "c").as_deref(), Some("a * 2"));
    }
}

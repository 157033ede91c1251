//! The `sql` kind: SQL written by hand in app code — `.sql` files, and string literals the
//! framework extractors (or the generic pass here) recognise as SQL. Parsed with PostgreSQL's own
//! grammar through the shared walker in [`crate::sql::refs`]; columns are resolved against the
//! tables in scope (`FROM`/`JOIN`/`INSERT`/`UPDATE`/`DELETE`, CTEs, subqueries). An unqualified
//! column with several candidate tables becomes one [`Target::AnyColumn`], settled by the
//! resolver with the schema.

use crate::config::{Confidence, Framework};
use crate::scan::extract::name::{Lang, LineIndex, lang_of, snippet_of};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{FileFacts, Hit, Target};
use crate::scan::reference::RefKind;
use crate::sql::placeholders::rewrite_placeholders;
use crate::sql::refs::statement_refs;

/// Whether a string literal reads as SQL rather than as a value: a statement shape, not just a
/// keyword (`"select"` alone is a value; `"SELECT id FROM users"` is SQL).
pub fn looks_like_sql(s: &str) -> bool {
    if s.len() < 10 {
        return false;
    }
    // One pass over the words (maximal runs of ASCII alphanumerics and `_`), noting which
    // keywords occur: this runs on every string literal of every file, so no lower-cased copy
    // and no substring search per keyword.
    const KEYWORDS: [&[u8]; 9] = [b"select", b"from", b"insert", b"into", b"update", b"set", b"delete", b"join", b"on"];
    let bytes = s.as_bytes();
    let mut seen = 0u16;
    let mut i = 0;
    while i < bytes.len() {
        if !(bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        let word = &bytes[start..i];
        if let Some(k) = KEYWORDS.iter().position(|k| k.eq_ignore_ascii_case(word)) {
            seen |= 1 << k;
        }
    }
    let has = |w: &[u8]| KEYWORDS.iter().position(|k| *k == w).is_some_and(|k| seen & (1 << k) != 0);
    (has(b"select") && has(b"from"))
        || (has(b"insert") && has(b"into"))
        || (has(b"update") && has(b"set"))
        || (has(b"delete") && has(b"from"))
        || (has(b"join") && has(b"on"))
}

/// A reference found in one SQL text, with its byte offset in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlHit {
    pub offset: usize,
    pub target: Target,
}

/// Parse `sql` with the shared walker ([`crate::sql::refs`], PostgreSQL's grammar, placeholders
/// rewritten first) and return its table and column references as hit targets, offsets into
/// `sql`. A bare expression such as an Ecto `fragment` body is parsed as `SELECT <expr>`. Text
/// that does not parse yields nothing: the `name` fallback still sees it.
pub fn sql_refs(sql: &str) -> Vec<SqlHit> {
    let mut out = statement_hits(sql);
    if sql.contains("$$") {
        for (at, statement) in function_body_statements(sql) {
            // An unqualified name there may be a variable or parameter of the function
            // (`> last_block`): only tables and qualified columns are the schema's.
            let qualified = |h: &SqlHit| {
                let rest = statement.get(h.offset..).unwrap_or("");
                let word = rest.bytes().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'"')).count();
                matches!(h.target, Target::Table { .. })
                    || statement.get(..h.offset).is_some_and(|s| s.ends_with('.'))
                    || rest[word..].starts_with('.')
            };
            out.extend(
                statement_hits(&statement).into_iter().filter(qualified).map(|h| SqlHit { offset: at + h.offset, ..h }),
            );
        }
        out.sort_by(|a, b| a.offset.cmp(&b.offset).then_with(|| a.target.cmp(&b.target)));
        out.dedup();
    }
    out
}

/// The SQL statements of the `$$`-quoted bodies of a function (`CREATE FUNCTION … AS $$ …
/// $$ LANGUAGE plpgsql`), each with its offset in `sql`: PostgreSQL keeps a body as a string,
/// so its queries are read apart. A statement runs from its first `SELECT`, `INSERT`, `UPDATE`,
/// `DELETE` or `WITH` to its `;`; PL/pgSQL's `SELECT … INTO [STRICT] a, b FROM` has its `INTO`
/// blanked (offsets kept). What does not parse then (`FOR r IN SELECT … LOOP`) names nothing.
fn function_body_statements(sql: &str) -> Vec<(usize, String)> {
    let quotes: Vec<usize> = sql.match_indices("$$").map(|(i, _)| i).collect();
    let mut out = Vec::new();
    for pair in quotes.chunks_exact(2) {
        let (start, end) = (pair[0] + 2, pair[1]);
        let mut from = start;
        for piece in sql[start..end].split_inclusive(';') {
            let at = from;
            from += piece.len();
            let Some(piece) = piece.strip_suffix(';') else { continue };
            let words = word_spans(piece);
            let Some(&(first, _)) = words.iter().find(|&&(i, j)| {
                ["select", "insert", "update", "delete", "with"].iter().any(|k| piece[i..j].eq_ignore_ascii_case(k))
            }) else {
                continue;
            };
            let mut statement = piece[first..].to_owned();
            if statement.get(..6).is_some_and(|w| w.eq_ignore_ascii_case("select")) {
                blank_into(&mut statement);
            }
            out.push((at + first, statement));
        }
    }
    out
}

/// Blanks PL/pgSQL's `INTO [STRICT] target, …` of a `SELECT`, up to its next keyword.
fn blank_into(statement: &mut String) {
    let words = word_spans(statement);
    let Some(into) = words.iter().position(|&(i, j)| statement[i..j].eq_ignore_ascii_case("into")) else { return };
    let stop = words[into + 1..]
        .iter()
        .find(|&&(i, j)| {
            ["from", "where", "order", "group", "limit", "union", "having"]
                .iter()
                .any(|k| statement[i..j].eq_ignore_ascii_case(k))
        })
        .map_or(statement.len(), |&(i, _)| i);
    let start = words[into].0;
    // As many spaces as bytes: offsets stay.
    statement.replace_range(start..stop, &" ".repeat(stop - start));
}

/// The byte spans of the words (runs of ASCII alphanumerics and `_`) of `text`.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !word(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && word(b[i]) {
            i += 1;
        }
        out.push((start, i));
    }
    out
}

fn statement_hits(sql: &str) -> Vec<SqlHit> {
    const WRAP: &str = "SELECT ";
    let mut rw = rewrite_placeholders(sql);
    // Whether clause fragments were left out: their tables are unknown.
    let mut partial = false;
    let (refs, shift) = match statement_refs(&rw.sql) {
        Ok(r) => (r, 0),
        Err(_) => match statement_refs(&format!("{WRAP}{}", rw.sql)) {
            Ok(r) => (r, WRAP.len()),
            Err(_) => {
                let subqueries = subquery_placeholders(&rw.sql);
                let base = subqueries.as_deref().unwrap_or(&rw.sql);
                let columns = column_placeholders(base);
                // Whether each attempt leaves clause fragments out.
                let attempts = [(subqueries.clone(), true), (columns, false), (without_fragments(base), true)];
                let found = attempts
                    .into_iter()
                    .filter_map(|(s, leaves_out)| Some((s?, leaves_out)))
                    .find_map(|(s, leaves_out)| statement_refs(&s).ok().map(|r| (r, s, leaves_out)));
                match found {
                    Some((r, s, leaves_out)) => {
                        rw.sql = s;
                        partial = leaves_out;
                        (r, 0)
                    }
                    None => return Vec::new(),
                }
            }
        },
    };
    let mut out: Vec<SqlHit> = refs
        .into_iter()
        .filter_map(|r| {
            let offset = rw.original_offset(r.offset.checked_sub(shift)?);
            // A fragment left out may have joined other tables: an unqualified column's table
            // is unknown.
            let unqualified = partial
                && r.column.is_some()
                && !rw.sql.get(r.offset..r.offset + r.len).is_some_and(|w| w.contains('.'));
            if unqualified {
                return r
                    .column
                    .filter(|c| c != "*")
                    .map(|name| SqlHit { offset, target: Target::Identifier { name } });
            }
            // A column named elsewhere (`v.#{checksum_column}`): no column of ours.
            if r.column.as_deref().is_some_and(is_stand_in) {
                return None;
            }
            if r.relation.as_ref().is_some_and(|rel| is_stand_in(&rel.to_string())) {
                // A column of a subquery built elsewhere: its table is unknown.
                return r
                    .column
                    .filter(|c| c != "*")
                    .map(|name| SqlHit { offset, target: Target::Identifier { name } });
            }
            let target = match (r.relation, r.column) {
                (Some(rel), None) => Target::Table { table: rel.to_string() },
                // `SELECT *` reads every column, but names none: the table reference covers it.
                (_, Some(c)) if c == "*" => return None,
                (Some(rel), Some(column)) => Target::Column { table: rel.to_string(), column },
                (None, Some(column)) => match r.candidates.as_slice() {
                    [] => Target::Identifier { name: column },
                    [only] => Target::Column { table: only.to_string(), column },
                    many => Target::AnyColumn { tables: many.iter().map(ToString::to_string).collect(), column },
                },
                (None, None) => return None,
            };
            Some(SqlHit { offset, target })
        })
        .collect();
    out.sort_by(|a, b| a.offset.cmp(&b.offset).then_with(|| a.target.cmp(&b.target)));
    out.dedup();
    out
}

/// The SQL with each placeholder that stands alone on its line blanked out, or `None` when
/// there is none. A query assembled from parts (`${joinQuery}`, `${filterQuery}`, a CTE built
/// elsewhere) holds clause fragments there, not values, and does not parse as written; without
/// them the rest of the statement usually does. Blanked with spaces, so offsets stay valid.
fn without_fragments(sql: &str) -> Option<String> {
    let mut out = String::with_capacity(sql.len());
    let mut changed = false;
    for line in sql.split_inclusive('\n') {
        let t = line.trim();
        let fragment = t.len() > 1 && t.starts_with('$') && t[1..].bytes().all(|b| b.is_ascii_digit());
        if fragment {
            changed = true;
            out.extend(line.chars().map(|c| if c == '\n' { c } else { ' ' }));
        } else {
            out.push_str(line);
        }
    }
    changed.then_some(out)
}

/// The SQL with each subquery built elsewhere — `FROM (#{scope.to_sql}) t`, `JOIN (${sub}) s`,
/// a placeholder alone in parentheses after `FROM` or `JOIN` — standing in as a table named by
/// underscores of the same length (offsets stay valid), or `None` when there is none.
fn subquery_placeholders(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = sql.to_owned().into_bytes();
    let mut changed = false;
    let mut i = 0;
    while let Some(p) = sql[i..].find('(').map(|p| i + p) {
        i = p + 1;
        let before = sql[..p].trim_end();
        let keyword = before.rsplit(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or("");
        if !(keyword.eq_ignore_ascii_case("from") || keyword.eq_ignore_ascii_case("join")) {
            continue;
        }
        let Some(close) = sql[p..].find(')').map(|c| p + c) else { break };
        let inner = sql[p + 1..close].trim();
        if inner.len() > 1 && inner.starts_with('$') && inner[1..].bytes().all(|b| b.is_ascii_digit()) {
            out[p..=close]
                .iter_mut()
                .zip(&bytes[p..=close])
                .for_each(|(o, b)| *o = if *b == b'\n' { b'\n' } else { b'_' });
            changed = true;
        }
    }
    changed.then(|| String::from_utf8(out).expect("only ASCII bytes were replaced"))
}

/// The SQL with each placeholder that follows a qualifier — a column named by the code,
/// `v.#{checksum_column}` — standing in as a column named by underscores of the same length
/// (offsets stay valid), or `None` when there is none.
fn column_placeholders(sql: &str) -> Option<String> {
    let bytes = sql.as_bytes();
    let mut out = bytes.to_vec();
    let mut changed = false;
    for (i, _) in sql.match_indices(".$") {
        let digits = bytes[i + 2..].iter().take_while(|b| b.is_ascii_digit()).count();
        let qualified = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || matches!(bytes[i - 1], b'_' | b'"'));
        if digits > 0 && qualified {
            out[i + 1..i + 2 + digits].fill(b'_');
            changed = true;
        }
    }
    changed.then(|| String::from_utf8(out).expect("only ASCII bytes were replaced"))
}

/// Whether a relation (or column) name is a stand-in of [`subquery_placeholders`] or
/// [`column_placeholders`].
fn is_stand_in(relation: &str) -> bool {
    !relation.is_empty() && relation.bytes().all(|b| b == b'_')
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
            Hit {
                line,
                column,
                target: r.target,
                kind: RefKind::Sql,
                confidence,
                snippet: snippet_of(lines.line(line), origin + r.offset - lines.line_start(line)),
            }
        })
        .collect()
}

/// Raw SQL in `.sql` files of the app, and SQL-looking string literals in any language the
/// framework extractors do not cover.
#[derive(Default)]
pub struct SqlExtractor;

/// The version of the SQL-in-code reading ([`sql_hits`]), which every framework's extractor
/// calls on the SQL strings of its code: part of every extractor's cache tag.
pub const VERSION: u32 = 6;

impl Extractor for SqlExtractor {
    fn id(&self) -> &'static str {
        "sql"
    }

    fn version(&self) -> u32 {
        VERSION
    }

    fn applies(&self, path: &str, _framework: Framework) -> bool {
        lang_of(path).is_some()
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let mut facts = FileFacts::default();
        let source = file.text;
        let Some((lang, segments)) = file.lexed() else { return facts };
        let lines = file.lines();
        if lang == Lang::Sql {
            // Statement by statement, so that one unparseable statement costs only itself.
            for stmt in split_statements(source) {
                facts.hits.extend(sql_hits(&source[stmt.clone()], stmt.start, lines, Confidence::High));
            }
        } else {
            for seg in segments.iter().filter(|s| s.sql) {
                let text = &source[seg.start..seg.end];
                // `COLLATE \"C\"` in a double-quoted literal is `"C"` in the SQL: the backslash
                // blanked keeps every offset.
                let text: std::borrow::Cow<'_, str> =
                    if text.contains("\\\"") { text.replace("\\\"", " \"").into() } else { text.into() };
                facts.hits.extend(sql_hits(&text, seg.start, lines, Confidence::Medium));
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

    #[test]
    fn clause_fragments_on_their_own_lines_are_left_out() {
        let sql = "select sr.event_count, title\n  from session_replay sr\n  $1\n  where sr.website_id = $2\n  $3\n  group by 1";
        let got = refs(sql);
        let at = |w: &str| sql.find(w).unwrap_or(usize::MAX);
        // The qualified column is read; the unqualified one may belong to a table the join
        // fragment brings in, so it names no table.
        assert!(
            got.contains(&(
                at("sr.event_count"),
                Target::Column { table: "session_replay".into(), column: "event_count".into() }
            )),
            "{got:?}"
        );
        assert!(got.contains(&(at("title"), Target::Identifier { name: "title".into() })), "{got:?}");
        assert!(
            got.contains(&(
                at("sr.website_id"),
                Target::Column { table: "session_replay".into(), column: "website_id".into() }
            )),
            "{got:?}"
        );
        // A placeholder in a value position is no fragment: the text parses as written.
        assert!(without_fragments("select a from t where b = $1").is_none());
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
            (7, Target::AnyColumn { tables: vec!["users".into(), "accounts".into()], column: "email".into() })
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
        assert_eq!(
            refs("(SELECT count(*) FROM orders WHERE orders.user_id = ?) > 0"),
            vec![(22, Target::Table { table: "orders".into() }), (35, col("orders", "user_id")),]
        );
    }

    #[test]
    fn a_subquery_built_elsewhere_stands_in_as_an_unknown_table() {
        let sql = "SELECT c.id, at.kind FROM ($1) at\n  JOIN entries ae ON ae.entryable_id = at.id\n  LEFT JOIN exchange_rates er ON er.from_currency = ae.currency\n WHERE ae.excluded = false";
        let got = refs(sql);
        let at = |needle: &str| sql.find(needle).unwrap();
        assert!(got.contains(&(at("er.from_currency"), col("exchange_rates", "from_currency"))), "{got:?}");
        assert!(got.contains(&(at("ae.excluded"), col("entries", "excluded"))), "{got:?}");
        // The subquery's columns name no table.
        assert!(got.iter().all(|(_, t)| !format!("{t:?}").contains("__")), "{got:?}");
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

//! SQL migrations → operations. PostgreSQL goes through libpg_query (PostgreSQL's own grammar);
//! MySQL/MariaDB through sqlparser ([`super::mysql`]). SQLite goes through libpg_query too (the
//! DDL the two share reads the same), and what PostgreSQL's grammar rejects is read again by
//! sqlparser's SQLite dialect ([`super::sqlite`]: virtual tables, triggers).
//!
//! A file is parsed in batches of whole statements of about [`BATCH`] bytes (the whole file when
//! a batch boundary could fall inside a statement); a batch that does not parse is split with
//! PostgreSQL's lexical rules and each statement parsed alone, so one bad statement becomes
//! `Unparsed` and the rest is still read.

use std::collections::BTreeMap;
use std::path::Path;

use pg_query::NodeEnum;
use pg_query::protobuf::{
    self, AlterTableType, ColumnDef, ConstrType, DropBehavior, ObjectType, RangeVar, TransactionStmtKind, TypeName,
    VariableSetKind,
};

use super::{LineIndex, op, types};
use crate::migration::{Direction, OpKind, Operation};
use crate::schema::{
    CheckConstraint, Column, Dialect, FkAction, ForeignKey, Identity, Index, IndexKey, IndexPart, PrimaryKey,
    QualifiedName, UniqueConstraint, View, ViewDependency, postgres,
};

/// Read SQL text into operations. `text` sits at byte offset `base` of `source`, the text of
/// `file` (SQL embedded in a Ruby/Elixir/Python migration, or one section of a dbmate/goose file),
/// so spans point into the file.
pub fn read_statements(
    file: &Path,
    source: &LineIndex,
    base: usize,
    text: &str,
    dialect: Dialect,
    direction: Direction,
) -> Vec<Operation> {
    match dialect {
        Dialect::Mysql => super::mysql::read_statements(file, source, base, text, direction),
        Dialect::Postgres => read_postgres(file, source, base, text, direction, false),
        Dialect::Sqlite => read_postgres(file, source, base, text, direction, true),
        // A MongoDB database runs no SQL: a string a migration hands it as SQL cannot be read.
        Dialect::Mongodb => vec![super::op(
            file,
            source,
            base,
            base + text.len(),
            direction,
            OpKind::Unparsed {
                text: super::excerpt(text),
                reason: "SQL on a MongoDB registry: the dialect in [registry] is mongodb".to_owned(),
            },
        )],
    }
}

fn read_postgres(
    file: &Path,
    source: &LineIndex,
    base: usize,
    text: &str,
    direction: Direction,
    sqlite: bool,
) -> Vec<Operation> {
    Reading { file, source, direction, depth: 0, sqlite }.read(base, text)
}

/// How deep SQL read out of PL/pgSQL bodies and `EXECUTE` strings may nest (a `DO` block whose
/// `EXECUTE` string holds another `DO` block …) before the rest is reported unread.
const MAX_BODY_DEPTH: usize = 4;

/// One file's SQL being read: where the operations point, and how deep inside procedural bodies.
#[derive(Clone, Copy)]
struct Reading<'a> {
    file: &'a Path,
    source: &'a LineIndex<'a>,
    direction: Direction,
    depth: usize,
    /// SQLite's SQL: statements cut by its rules (a trigger's body holds `;`s), and what
    /// PostgreSQL's grammar rejects read again by [`super::sqlite`].
    sqlite: bool,
}

impl Reading<'_> {
    /// The operations of `text`, which sits at byte offset `base` of the source.
    fn read(self, base: usize, text: &str) -> Vec<Operation> {
        let mut out = Vec::new();
        let mut emit = |start: usize, end: usize, raw: Option<&protobuf::RawStmt>, kinds: Vec<OpKind>| {
            let (start, end) = trim_statement(text, start, end);
            for kind in kinds {
                out.push(op(self.file, self.source, base + start, base + end, self.direction, kind));
            }
            if let Some(node) = raw.and_then(|r| r.stmt.as_ref()).and_then(|n| n.node.as_ref()) {
                out.extend(self.body(node, base + start, &text[start..end]));
            }
        };
        // A SQLite trigger's body holds `;`s: no batch boundary may fall inside it.
        let batches = if self.sqlite { vec![(0, text.len())] } else { batches(text) };
        for (from, to) in batches {
            let batch = &text[from..to];
            match pg_query::parse(batch, 0) {
                Ok(parsed) => {
                    for raw in &parsed.protobuf.stmts {
                        let (start, end) = raw_range(batch, raw);
                        emit(from + start, from + end, Some(raw), convert_raw(raw, &batch[start..end]));
                    }
                }
                Err(_) => {
                    // libpg_query's own scanner split drops everything after an unbalanced
                    // parenthesis, so the fallback splits by itself and never loses text.
                    let pieces = if self.sqlite { super::sqlite::split(batch) } else { split(batch) };
                    for (start, end) in pieces {
                        let (start, end) = (from + start, from + end);
                        let piece = &text[start..end];
                        match pg_query::parse(piece, 0) {
                            Ok(parsed) => {
                                for raw in &parsed.protobuf.stmts {
                                    let (s, e) = raw_range(piece, raw);
                                    emit(start + s, start + e, Some(raw), convert_raw(raw, &piece[s..e]));
                                }
                            }
                            Err(e) => {
                                let reason = self.reason(base + start, piece, e);
                                match self.sqlite.then(|| super::sqlite::read(piece)) {
                                    Some(Ok(kinds)) => emit(start, end, None, kinds),
                                    // PostgreSQL's reason unless sqlparser's says more: it has a
                                    // reading for the statement but none the gate can use.
                                    Some(Err(why)) if why.starts_with("a SQLite statement") => {
                                        emit(start, end, None, vec![unparsed(piece, &why)])
                                    }
                                    _ => emit(start, end, None, vec![unparsed(piece, &reason)]),
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// Why `piece` (at `at` in the source) does not parse. A NUL byte or nesting too deep for
    /// the parser is named where it is, which may be lines below the statement's start.
    fn reason(self, at: usize, piece: &str, e: pg_query::Error) -> String {
        let located = matches!(&e, pg_query::Error::Conversion(_))
            || matches!(&e, pg_query::Error::Parse(m) if m.contains("memory exhausted") || m.contains("stack depth limit"));
        if !located {
            return e.to_string();
        }
        let e = crate::sql::SqlError::from_pg(piece, e);
        match e.offset {
            Some(offset) => {
                let (line, column) = self.source.line_col(at + offset);
                format!("{} (line {line}, column {column})", e.message)
            }
            None => e.message,
        }
    }

    /// The operations a `DO` block or a function body performs, located where the body states
    /// them. A `DO` block runs now, so everything it does counts; a function runs whenever it is
    /// called — tandem cannot tell when —, so what its body would change in the schema is
    /// reported where it is written. A body or a dynamic string that cannot be read is
    /// `Unparsed`, never nothing.
    fn body(self, node: &NodeEnum, at: usize, statement: &str) -> Vec<Operation> {
        let (options, is_do) = match node {
            NodeEnum::DoStmt(d) => (&d.args, true),
            NodeEnum::CreateFunctionStmt(cf) => (&cf.options, false),
            _ => return Vec::new(),
        };
        let mut language = String::from(if is_do { "plpgsql" } else { "sql" });
        let mut body = None;
        for opt in options {
            let Some(NodeEnum::DefElem(d)) = opt.node.as_ref() else { continue };
            let arg = d.arg.as_deref().and_then(|a| a.node.as_ref());
            match (d.defname.as_str(), arg) {
                ("language", Some(NodeEnum::String(s))) => language = s.sval.to_lowercase(),
                ("as", Some(NodeEnum::String(s))) => body = Some(s.sval.clone()),
                // `AS 'obj_file', 'link_symbol'` of a C function has two items; the body is the first.
                ("as", Some(NodeEnum::List(l))) => body = l.items.first().and_then(string_of),
                _ => {}
            }
        }
        let here = |kind: OpKind| op(self.file, self.source, at, at + statement.len(), self.direction, kind);
        let Some(body) = body else { return Vec::new() };
        // Where the body starts in the file, when it is written as it reads (dollar quotes, or
        // single quotes without doubled quotes); otherwise its operations point at the statement.
        let body_at = statement.find(body.as_str()).map(|i| at + i);
        if self.depth >= MAX_BODY_DEPTH {
            return vec![here(unparsed(statement, "procedural code nested too deeply to be read"))];
        }
        let inner = Reading { depth: self.depth + 1, ..self };
        let ops = match language.as_str() {
            "plpgsql" => inner.plpgsql(at, statement, &body, body_at),
            "sql" => match body_at {
                Some(b) => inner.read(b, &body),
                None => inner
                    .read(at, &body)
                    .into_iter()
                    .map(|mut o| {
                        o.span = super::span(self.file, self.source, at, at + statement.len());
                        o
                    })
                    .collect(),
            },
            "c" | "internal" => Vec::new(),
            other => vec![here(unparsed(statement, &format!("a function body in language {other} cannot be read")))],
        };
        // A `DO` block runs now: all it does counts, but a statement that changes nothing.
        ops.into_iter()
            .filter(|o| if is_do { !matches!(o.kind, OpKind::Raw { .. }) } else { o.kind.changes_schema() })
            .collect()
    }

    /// The SQL a PL/pgSQL body runs: its statements and the literal strings it `EXECUTE`s.
    fn plpgsql(self, at: usize, statement: &str, body: &str, body_at: Option<usize>) -> Vec<Operation> {
        let here = |kind: OpKind| op(self.file, self.source, at, at + statement.len(), self.direction, kind);
        let functions = match pg_query::parse_plpgsql(statement) {
            Ok(v) => v,
            // libpg_query compiled the body but printed invalid JSON for it (it does for some
            // trigger functions): the body is valid, so read it by its statements instead.
            Err(pg_query::Error::InvalidJson(_)) => return self.plpgsql_by_statements(at, statement, body, body_at),
            Err(e) => return vec![here(unparsed(statement, &format!("PL/pgSQL body: {e}")))],
        };
        let mut found = Vec::new();
        plpgsql_sql(&functions, &mut found);
        found.sort_by_key(|f| f.line);
        let mut out = Vec::new();
        for f in found {
            // The query text is the body's own text from the statement's line on.
            let located = body_at.and_then(|b| {
                let rel = b - at;
                let line_start = body
                    .match_indices('\n')
                    .nth(f.line.saturating_sub(2) as usize)
                    .filter(|_| f.line > 1)
                    .map_or(0, |(i, _)| i + 1);
                body[line_start..]
                    .find(f.query.as_str())
                    .map(|i| line_start + i)
                    .or_else(|| body.find(f.query.as_str()))
                    .map(|i| at + rel + i)
            });
            if f.dynamic {
                match literal(&f.query) {
                    Some((quote, sql)) => {
                        let ops = match located {
                            Some(q) if sql.len() + 2 * quote <= f.query.len() && f.query[quote..].starts_with(&sql) => {
                                self.read(q + quote, &sql)
                            }
                            _ => self
                                .read(at, &sql)
                                .into_iter()
                                .map(|mut o| {
                                    o.span = super::span(self.file, self.source, at, at + statement.len());
                                    o
                                })
                                .collect(),
                        };
                        out.extend(ops);
                    }
                    None => {
                        let (s, e) = located.map_or((at, at + statement.len()), |q| (q, q + f.query.len()));
                        out.push(op(
                            self.file,
                            self.source,
                            s,
                            e,
                            self.direction,
                            unparsed(
                                &f.query,
                                "EXECUTE runs SQL built at run time, which tandem cannot read; \
                                 write the statement itself, or EXECUTE a literal string",
                            ),
                        ));
                    }
                }
            } else {
                match located {
                    Some(q) => out.extend(self.read(q, &f.query)),
                    None => out.extend(self.read(at, &f.query).into_iter().map(|mut o| {
                        o.span = super::span(self.file, self.source, at, at + statement.len());
                        o
                    })),
                }
            }
        }
        out
    }
}

impl Reading<'_> {
    /// A valid PL/pgSQL body read without libpg_query's JSON: each `;`-separated piece, past the
    /// block keywords before it, is read as SQL when it parses; an `EXECUTE` as in
    /// [`Reading::plpgsql`]; a piece that does not parse but names a schema change is `Unparsed`;
    /// the rest (assignments, `RETURN`, `END IF`) is procedural code with no SQL of its own.
    fn plpgsql_by_statements(self, at: usize, statement: &str, body: &str, body_at: Option<usize>) -> Vec<Operation> {
        const BLOCK_WORDS: &[&str] = &["begin", "then", "else", "loop", "declare"];
        let mut out = Vec::new();
        for (s, e) in split(body) {
            let mut from = s;
            loop {
                let rest = &body[from..e];
                let trimmed = rest.trim_start();
                let word_len = trimmed.bytes().take_while(u8::is_ascii_alphabetic).count();
                if word_len > 0 && BLOCK_WORDS.contains(&trimmed[..word_len].to_ascii_lowercase().as_str()) {
                    from += rest.len() - trimmed.len() + word_len;
                } else {
                    from += rest.len() - trimmed.len();
                    break;
                }
            }
            let piece = &body[from..e];
            if piece.is_empty() {
                continue;
            }
            let located = |o: Vec<Operation>| -> Vec<Operation> {
                if body_at.is_some() {
                    return o;
                }
                o.into_iter()
                    .map(|mut o| {
                        o.span = super::span(self.file, self.source, at, at + statement.len());
                        o
                    })
                    .collect()
            };
            let piece_at = body_at.map_or(at, |b| b + from);
            let words: Vec<String> =
                piece.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').map(str::to_ascii_lowercase).collect();
            if words.first().is_some_and(|w| w == "execute") {
                let expr = piece["execute".len()..].trim_start();
                let expr_at = piece_at + (piece.len() - expr.len());
                match literal(expr) {
                    Some((quote, sql)) if expr[quote..].starts_with(&sql) => {
                        out.extend(located(self.read(expr_at + quote, &sql)))
                    }
                    _ => out.push(op(
                        self.file,
                        self.source,
                        piece_at,
                        piece_at + piece.len(),
                        self.direction,
                        unparsed(piece, "EXECUTE runs SQL built at run time, which tandem cannot read"),
                    )),
                }
            } else if pg_query::parse(piece, 0).is_ok() {
                out.extend(located(self.read(piece_at, piece)));
            } else if words.iter().any(|w| matches!(w.as_str(), "alter" | "drop" | "truncate" | "rename")) {
                out.push(op(
                    self.file,
                    self.source,
                    piece_at,
                    piece_at + piece.len(),
                    self.direction,
                    unparsed(piece, "PL/pgSQL the reader could not follow"),
                ));
            }
        }
        out
    }
}

/// SQL found in a PL/pgSQL function's JSON: the statement text, its line in the body, and whether
/// it is an `EXECUTE`d expression rather than a statement.
struct BodySql {
    query: String,
    line: u64,
    dynamic: bool,
}

fn plpgsql_sql(value: &serde_json::Value, out: &mut Vec<BodySql>) {
    match value {
        serde_json::Value::Array(items) => items.iter().for_each(|v| plpgsql_sql(v, out)),
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let (field, dynamic) = match key.as_str() {
                    "PLpgSQL_stmt_execsql" => ("sqlstmt", false),
                    "PLpgSQL_stmt_dynexecute" | "PLpgSQL_stmt_dynfors" => ("query", true),
                    "PLpgSQL_stmt_open" | "PLpgSQL_stmt_return_query" => ("dynquery", true),
                    _ => ("", false),
                };
                let query = v.get(field).and_then(|e| e.get("PLpgSQL_expr")).and_then(|e| e.get("query"));
                if let Some(query) = query.and_then(|q| q.as_str()) {
                    let line = v.get("lineno").and_then(|l| l.as_u64()).unwrap_or(1);
                    out.push(BodySql { query: query.to_owned(), line, dynamic });
                }
                plpgsql_sql(v, out);
            }
        }
        _ => {}
    }
}

/// The text of a string literal expression (`'…'` with `''`, or `$tag$…$tag$`) and the length
/// of its opening quote; `None` for anything computed.
fn literal(expr: &str) -> Option<(usize, String)> {
    let expr = expr.trim();
    if let Some(inner) = expr.strip_prefix('\'').and_then(|e| e.strip_suffix('\'')) {
        let unescaped = inner.replace("''", "'");
        // A lone quote inside means two literals were concatenated or juxtaposed.
        return (!unescaped.contains('\'') || inner.matches('\'').count() == 2 * unescaped.matches('\'').count())
            .then_some((1, unescaped));
    }
    if let Some(after) = expr.strip_prefix('$') {
        let tag_end = after.find('$')? + 2;
        let tag = &expr[..tag_end];
        let inner = expr[tag_end..].strip_suffix(tag)?;
        return (!inner.contains(tag)).then(|| (tag.len(), inner.to_owned()));
    }
    None
}

/// Byte ranges of the statements of `text` by PostgreSQL's lexical rules: `'…'` (with `''`),
/// `E'…'` (with backslash escapes), `"…"`, `$tag$…$tag$`, `--` and nested `/* */` comments.
/// Statements are cut at top-level `;`; comments between statements belong to none.
pub fn split(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut i = 0;
    let line_end = |from: usize| memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |n| from + n);
    while i < bytes.len() {
        let b = bytes[i];
        let rest = &bytes[i..];
        if rest.starts_with(b"--") {
            i = line_end(i);
            continue;
        }
        if rest.starts_with(b"/*") {
            let mut depth = 0;
            let mut j = i;
            while j < bytes.len() {
                if bytes[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if bytes[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            i = j;
            continue;
        }
        if b == b';' {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
            i += 1;
            continue;
        }
        if !b.is_ascii_whitespace() && start.is_none() {
            start = Some(i);
        }
        match b {
            b'\'' => {
                let escapes = i > 0 && matches!(bytes[i - 1], b'E' | b'e');
                let mut j = i + 1;
                while j < bytes.len() {
                    if escapes && bytes[j] == b'\\' {
                        j += 2;
                        continue;
                    }
                    if bytes[j] == b'\'' {
                        if bytes.get(j + 1) == Some(&b'\'') {
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    j += 1;
                }
                i = (j + 1).min(bytes.len());
            }
            b'"' => {
                i = memchr::memchr(b'"', &bytes[i + 1..]).map_or(bytes.len(), |n| i + 1 + n + 1);
            }
            b'$' => {
                // `$tag$` opens a dollar-quoted string; `$1` is a parameter.
                let tag_len = bytes[i + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
                let first_is_digit = bytes.get(i + 1).is_some_and(u8::is_ascii_digit);
                if !first_is_digit && bytes.get(i + 1 + tag_len) == Some(&b'$') {
                    let tag = &bytes[i..i + tag_len + 2];
                    let body = i + tag.len();
                    i = memchr::memmem::find(&bytes[body..], tag).map_or(bytes.len(), |n| body + n + tag.len());
                } else {
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    if let Some(s) = start {
        out.push((s, bytes.len()));
    }
    out.into_iter()
        .map(|(s, e)| {
            let mut e = e;
            while e > s && bytes[e - 1].is_ascii_whitespace() {
                e -= 1;
            }
            (s, e)
        })
        .filter(|(s, e)| e > s)
        .collect()
}

/// The size a batch of statements grows to before it is cut at the next statement's end.
const BATCH: usize = 64 * 1024;

/// Byte ranges of `text` cut into runs of whole statements of about [`BATCH`] bytes, each parsed
/// on its own: libpg_query's tree of a whole file, as protobuf and again as Rust structs, costs
/// several kilobytes per statement (800 MB for 100,000 `ADD COLUMN`s), a batch's is freed before
/// the next is parsed. [`split`] cuts at every top-level `;`, which is not always a statement's
/// end: a `BEGIN ATOMIC` body and a multi-action `CREATE RULE … DO (…; …)` hold `;`s. A text
/// with either (a piece with `atomic` in it, or with more `(` than `)`) is parsed whole, as one
/// batch, so that no cut falls inside a statement.
fn batches(text: &str) -> Vec<(usize, usize)> {
    if text.len() <= BATCH {
        return vec![(0, text.len())];
    }
    let pieces = split(text);
    let unsure = pieces.iter().any(|&(s, e)| {
        let piece = &text.as_bytes()[s..e];
        let opens = memchr::memchr_iter(b'(', piece).count();
        opens > memchr::memchr_iter(b')', piece).count() || piece.windows(6).any(|w| w.eq_ignore_ascii_case(b"atomic"))
    });
    if unsure {
        return vec![(0, text.len())];
    }
    let mut out = Vec::new();
    let mut from = 0;
    for &(_, end) in &pieces {
        // The batch ends after the statement's `;` ([`split`] trimmed only whitespace before it),
        // or at the end of the text.
        let gap = text.as_bytes()[end..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        let cut = if text.as_bytes().get(end + gap) == Some(&b';') { end + gap + 1 } else { text.len() };
        if cut - from >= BATCH {
            out.push((from, cut));
            from = cut;
        }
    }
    if from < text.len() {
        out.push((from, text.len()));
    }
    out
}

fn unparsed(text: &str, reason: &str) -> OpKind {
    OpKind::Unparsed { text: text.trim().to_owned(), reason: reason.to_owned() }
}

fn raw_range(text: &str, raw: &protobuf::RawStmt) -> (usize, usize) {
    let start = (raw.stmt_location.max(0) as usize).min(text.len());
    let end = if raw.stmt_len <= 0 { text.len() } else { (start + raw.stmt_len as usize).min(text.len()) };
    (start, end)
}

/// Skip the whitespace and comments libpg_query counts as part of a statement, so the span starts
/// at its first keyword and ends at its last character (before the `;`).
fn trim_statement(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    loop {
        while start < end && bytes[start].is_ascii_whitespace() {
            start += 1;
        }
        if text[start..end].starts_with("--") {
            start = text[start..end].find('\n').map_or(end, |i| start + i + 1);
        } else if text[start..end].starts_with("/*") {
            start = text[start..end].find("*/").map_or(end, |i| start + i + 2);
        } else {
            break;
        }
    }
    while end > start && (bytes[end - 1].is_ascii_whitespace() || bytes[end - 1] == b';') {
        end -= 1;
    }
    (start, end)
}

/// `text` is the statement.
fn convert_raw(raw: &protobuf::RawStmt, text: &str) -> Vec<OpKind> {
    match raw.stmt.as_ref().and_then(|n| n.node.as_ref()) {
        Some(node) => convert(node, text),
        None => Vec::new(),
    }
}

fn raw(text: &str) -> OpKind {
    OpKind::Raw { sql: text.trim().to_owned() }
}

fn qname(rv: &RangeVar) -> QualifiedName {
    let schema = if rv.schemaname.is_empty() { Some("public") } else { Some(rv.schemaname.as_str()) };
    QualifiedName::new(schema, &rv.relname)
}

fn opt_qname(rv: &Option<RangeVar>) -> QualifiedName {
    rv.as_ref().map(qname).unwrap_or_else(|| QualifiedName::unqualified(""))
}

/// A dotted name from a list of `String` nodes (`{public, users}`), schema defaulted to `public`.
fn list_qname(items: &[protobuf::Node]) -> QualifiedName {
    let parts: Vec<String> = items.iter().filter_map(string_of).collect();
    match parts.as_slice() {
        [name] => QualifiedName::new(Some("public"), name),
        [.., schema, name] => QualifiedName::new(Some(schema), name),
        [] => QualifiedName::unqualified(""),
    }
}

fn string_of(node: &protobuf::Node) -> Option<String> {
    match node.node.as_ref()? {
        NodeEnum::String(s) => Some(s.sval.clone()),
        _ => None,
    }
}

fn strings(nodes: &[protobuf::Node]) -> Vec<String> {
    nodes.iter().filter_map(string_of).collect()
}

/// An expression's canonical text, as the schema readers print it; `?` for one the deparser cannot
/// print (a type modifier that is an expression: the grammar takes `x::varchar(f())`, only
/// analysis rejects it).
pub fn expr_text(node: &protobuf::Node) -> String {
    let text = postgres::deparse_expr(node);
    if text.is_empty() { String::from("?") } else { text }
}

/// The canonical type text (PostgreSQL's `format_type()` under an empty search_path, as the
/// schema readers print it), and for `serial` types the integer type they stand for.
fn type_name(tn: &TypeName) -> (String, Option<&'static str>) {
    let names = strings(&tn.names);
    let serial = match names.as_slice() {
        [n] => types::pg_serial(n),
        _ => None,
    };
    match serial {
        Some(int) => (int.to_owned(), Some(int)),
        None => (postgres::format_type(tn, "public"), None),
    }
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// Constraints written inside a column definition or a table, as extra operations.
struct TableParts {
    primary_key: Option<PrimaryKey>,
    foreign_keys: Vec<(ForeignKey, bool)>,
    uniques: Vec<(UniqueConstraint, Option<String>)>,
    checks: Vec<(CheckConstraint, bool)>,
    other: Vec<String>,
}

impl TableParts {
    fn new() -> Self {
        TableParts {
            primary_key: None,
            foreign_keys: Vec::new(),
            uniques: Vec::new(),
            checks: Vec::new(),
            other: Vec::new(),
        }
    }

    /// Record a table or column constraint; `column` is set for a column constraint.
    fn add(&mut self, c: &protobuf::Constraint, column: Option<&str>, text: &str) {
        let name = (!c.conname.is_empty()).then(|| c.conname.clone());
        let keys = |nodes: &[protobuf::Node]| -> Vec<String> {
            let k = strings(nodes);
            if k.is_empty() { column.map(|c| vec![c.to_owned()]).unwrap_or_default() } else { k }
        };
        match ConstrType::try_from(c.contype) {
            Ok(ConstrType::ConstrPrimary) => {
                self.primary_key = Some(PrimaryKey { name, columns: keys(&c.keys) });
            }
            Ok(ConstrType::ConstrUnique) => {
                let using = (!c.indexname.is_empty()).then(|| c.indexname.clone());
                self.uniques.push((UniqueConstraint { name, columns: keys(&c.keys) }, using));
            }
            Ok(ConstrType::ConstrCheck) => {
                let expression = c.raw_expr.as_deref().map(expr_text).unwrap_or_default();
                self.checks
                    .push((CheckConstraint { name, expression, validated: !c.skip_validation }, c.skip_validation));
            }
            Ok(ConstrType::ConstrForeign) => {
                let key = ForeignKey {
                    name,
                    columns: keys(&c.fk_attrs),
                    references: opt_qname(&c.pktable),
                    referenced_columns: strings(&c.pk_attrs),
                    on_delete: fk_action(&c.fk_del_action),
                    on_update: fk_action(&c.fk_upd_action),
                    deferrable: c.deferrable,
                    validated: !c.skip_validation,
                };
                self.foreign_keys.push((key, c.skip_validation));
            }
            Ok(ConstrType::ConstrExclusion) => self.other.push(text.to_owned()),
            _ => {}
        }
    }

    /// The extra operations for constraints that `CreateTable`/`AddColumn` cannot carry.
    fn into_ops(self, table: &QualifiedName, with_pk: bool, with_fks: bool) -> Vec<OpKind> {
        let mut ops = Vec::new();
        if with_pk && let Some(key) = self.primary_key {
            ops.push(OpKind::AddPrimaryKey { table: table.clone(), key, using_index: None });
        }
        for (constraint, using_index) in self.uniques {
            ops.push(OpKind::AddUnique { table: table.clone(), constraint, using_index });
        }
        for (constraint, not_valid) in self.checks {
            ops.push(OpKind::AddCheck { table: table.clone(), constraint, not_valid });
        }
        if with_fks {
            for (key, not_valid) in self.foreign_keys {
                ops.push(OpKind::AddForeignKey { table: table.clone(), key, not_valid });
            }
        }
        for sql in self.other {
            ops.push(OpKind::Raw { sql });
        }
        ops
    }
}

fn column_def(cd: &ColumnDef, table: &QualifiedName, parts: &mut TableParts, text: &str) -> Column {
    let (data_type, serial) = cd.type_name.as_ref().map(type_name).unwrap_or((String::from("unknown"), None));
    let mut col = Column::new(&cd.colname, &data_type);
    if cd.is_not_null {
        col.nullable = false;
    }
    if let Some(d) = &cd.raw_default {
        col.default = Some(expr_text(d));
    }
    if let Some(int) = serial {
        col.data_type = int.to_owned();
        col.nullable = false;
        col.default = Some(super::serial_default(table, &cd.colname));
    }
    for c in &cd.constraints {
        let Some(NodeEnum::Constraint(c)) = c.node.as_ref() else { continue };
        match ConstrType::try_from(c.contype) {
            Ok(ConstrType::ConstrNotnull) => col.nullable = false,
            Ok(ConstrType::ConstrNull) => col.nullable = true,
            Ok(ConstrType::ConstrDefault) => col.default = c.raw_expr.as_deref().map(expr_text),
            Ok(ConstrType::ConstrIdentity) => {
                col.nullable = false;
                col.identity = Some(if c.generated_when == "a" { Identity::Always } else { Identity::ByDefault });
            }
            Ok(ConstrType::ConstrGenerated) => col.generated = c.raw_expr.as_deref().map(expr_text),
            Ok(ConstrType::ConstrPrimary) => {
                col.nullable = false;
                parts.add(c, Some(&cd.colname), text);
            }
            _ => parts.add(c, Some(&cd.colname), text),
        }
    }
    if let Some(coll) = &cd.coll_clause {
        let names = strings(&coll.collname);
        col.collation = names.last().cloned();
    }
    col
}

fn behavior_cascade(b: i32) -> bool {
    DropBehavior::try_from(b) == Ok(DropBehavior::DropCascade)
}

fn convert(node: &NodeEnum, text: &str) -> Vec<OpKind> {
    match node {
        NodeEnum::CreateStmt(cs) => {
            let table = opt_qname(&cs.relation);
            let mut parts = TableParts::new();
            let mut columns = Vec::new();
            for elt in &cs.table_elts {
                match elt.node.as_ref() {
                    Some(NodeEnum::ColumnDef(cd)) => columns.push(column_def(cd, &table, &mut parts, text)),
                    Some(NodeEnum::Constraint(c)) => parts.add(c, None, text),
                    _ => {}
                }
            }
            if let Some(pk) = &parts.primary_key {
                for c in &mut columns {
                    if pk.columns.contains(&c.name) {
                        c.nullable = false;
                    }
                }
            }
            let primary_key = parts.primary_key.take();
            let foreign_keys: Vec<ForeignKey> = parts.foreign_keys.drain(..).map(|(k, _)| k).collect();
            let mut ops = vec![OpKind::CreateTable {
                table: table.clone(),
                columns,
                primary_key,
                foreign_keys,
                if_not_exists: cs.if_not_exists,
            }];
            ops.extend(parts.into_ops(&table, false, false));
            ops
        }
        NodeEnum::AlterTableStmt(at) => {
            if ObjectType::try_from(at.objtype) != Ok(ObjectType::ObjectTable) {
                return vec![raw(text)];
            }
            let table = opt_qname(&at.relation);
            at.cmds
                .iter()
                .flat_map(|c| match c.node.as_ref() {
                    Some(NodeEnum::AlterTableCmd(cmd)) => alter_cmd(&table, cmd, text),
                    _ => vec![raw(text)],
                })
                .collect()
        }
        NodeEnum::RenameStmt(rs) => match ObjectType::try_from(rs.rename_type) {
            Ok(ObjectType::ObjectTable) => {
                let from = opt_qname(&rs.relation);
                let to = QualifiedName { schema: from.schema.clone(), name: rs.newname.clone() };
                vec![OpKind::RenameTable { from, to }]
            }
            Ok(ObjectType::ObjectColumn) if ObjectType::try_from(rs.relation_type) == Ok(ObjectType::ObjectTable) => {
                vec![OpKind::RenameColumn {
                    table: opt_qname(&rs.relation),
                    from: rs.subname.clone(),
                    to: rs.newname.clone(),
                }]
            }
            _ => vec![raw(text)],
        },
        NodeEnum::IndexStmt(is) => {
            let table = opt_qname(&is.relation);
            vec![OpKind::AddIndex {
                index: index_of(is, &table),
                table,
                concurrently: is.concurrent,
                if_not_exists: is.if_not_exists,
            }]
        }
        NodeEnum::DropStmt(ds) => drop_stmt(ds, text),
        NodeEnum::ViewStmt(vs) => {
            let name = opt_qname(&vs.view);
            let view = view_of(name, false, vs.query.as_deref(), strings(&vs.aliases), text);
            vec![OpKind::CreateView { view, or_replace: vs.replace }]
        }
        NodeEnum::CreateTableAsStmt(ct) if ObjectType::try_from(ct.objtype) == Ok(ObjectType::ObjectMatview) => {
            let into = ct.into.as_deref();
            let name = into.map(|i| opt_qname(&i.rel)).unwrap_or_else(|| QualifiedName::unqualified(""));
            let columns = into.map(|i| strings(&i.col_names)).unwrap_or_default();
            vec![OpKind::CreateView {
                view: view_of(name, true, ct.query.as_deref(), columns, text),
                or_replace: false,
            }]
        }
        NodeEnum::CreateFunctionStmt(cf) => {
            vec![OpKind::CreateFunction { name: list_qname(&cf.funcname), or_replace: cf.replace }]
        }
        NodeEnum::CreateTrigStmt(ct) => {
            vec![OpKind::CreateTrigger { name: ct.trigname.clone(), table: opt_qname(&ct.relation) }]
        }
        NodeEnum::CreateEnumStmt(ce) => {
            vec![OpKind::CreateEnum { name: list_qname(&ce.type_name), values: strings(&ce.vals) }]
        }
        NodeEnum::AlterEnumStmt(ae) if ae.old_val.is_empty() && !ae.new_val.is_empty() => {
            vec![OpKind::AddEnumValue { name: list_qname(&ae.type_name), value: ae.new_val.clone() }]
        }
        NodeEnum::TruncateStmt(ts) => {
            let tables = ts
                .relations
                .iter()
                .filter_map(|n| match n.node.as_ref() {
                    Some(NodeEnum::RangeVar(rv)) => Some(qname(rv)),
                    _ => None,
                })
                .collect();
            vec![OpKind::Truncate { tables, cascade: behavior_cascade(ts.behavior) }]
        }
        NodeEnum::VariableSetStmt(vs) if VariableSetKind::try_from(vs.kind) == Ok(VariableSetKind::VarSetValue) => {
            let value = vs
                .args
                .iter()
                .map(|a| match a.node.as_ref() {
                    Some(NodeEnum::AConst(c)) => match &c.val {
                        Some(protobuf::a_const::Val::Sval(s)) => s.sval.clone(),
                        Some(protobuf::a_const::Val::Ival(i)) => i.ival.to_string(),
                        Some(protobuf::a_const::Val::Fval(f)) => f.fval.clone(),
                        _ => expr_text(a),
                    },
                    _ => expr_text(a),
                })
                .collect::<Vec<_>>()
                .join(", ");
            vec![OpKind::SetSetting { name: vs.name.clone(), value, local: vs.is_local }]
        }
        NodeEnum::LockStmt(ls) => {
            let tables = ls
                .relations
                .iter()
                .filter_map(|n| match n.node.as_ref() {
                    Some(NodeEnum::RangeVar(rv)) => Some(qname(rv)),
                    _ => None,
                })
                .collect();
            vec![OpKind::LockTable { tables, mode: lock_mode(ls.mode).to_owned() }]
        }
        NodeEnum::TransactionStmt(ts) => match TransactionStmtKind::try_from(ts.kind) {
            Ok(TransactionStmtKind::TransStmtBegin | TransactionStmtKind::TransStmtStart) => vec![OpKind::Begin],
            Ok(TransactionStmtKind::TransStmtCommit) => vec![OpKind::Commit],
            _ => vec![raw(text)],
        },
        NodeEnum::InsertStmt(s) => vec![data("INSERT", s.relation.as_ref())],
        NodeEnum::UpdateStmt(s) => vec![data("UPDATE", s.relation.as_ref())],
        NodeEnum::DeleteStmt(s) => vec![data("DELETE", s.relation.as_ref())],
        NodeEnum::MergeStmt(s) => vec![data("MERGE", s.relation.as_ref())],
        NodeEnum::CopyStmt(s) => vec![data("COPY", s.relation.as_ref())],
        NodeEnum::DoStmt(_) => vec![OpKind::Code { description: format!("DO block: {}", super::excerpt(text)) }],
        _ => vec![raw(text)],
    }
}

fn data(verb: &str, rel: Option<&RangeVar>) -> OpKind {
    OpKind::Data { verb: verb.to_owned(), table: rel.map(qname) }
}

fn lock_mode(mode: i32) -> &'static str {
    match mode {
        1 => "ACCESS SHARE",
        2 => "ROW SHARE",
        3 => "ROW EXCLUSIVE",
        4 => "SHARE UPDATE EXCLUSIVE",
        5 => "SHARE",
        6 => "SHARE ROW EXCLUSIVE",
        7 => "EXCLUSIVE",
        _ => "ACCESS EXCLUSIVE",
    }
}

fn alter_cmd(table: &QualifiedName, cmd: &protobuf::AlterTableCmd, text: &str) -> Vec<OpKind> {
    let column = cmd.name.clone();
    match AlterTableType::try_from(cmd.subtype) {
        Ok(AlterTableType::AtAddColumn) => {
            let Some(NodeEnum::ColumnDef(cd)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
                return vec![raw(text)];
            };
            let mut parts = TableParts::new();
            let col = column_def(cd, table, &mut parts, text);
            let mut ops = vec![OpKind::AddColumn { table: table.clone(), column: col, if_not_exists: cmd.missing_ok }];
            ops.extend(parts.into_ops(table, true, true));
            ops
        }
        Ok(AlterTableType::AtDropColumn) => {
            vec![OpKind::DropColumn { table: table.clone(), column, if_exists: cmd.missing_ok }]
        }
        Ok(AlterTableType::AtAlterColumnType) => {
            let Some(NodeEnum::ColumnDef(cd)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
                return vec![raw(text)];
            };
            let new_type = cd.type_name.as_ref().map(|t| type_name(t).0).unwrap_or_default();
            let using = cd.raw_default.as_deref().map(expr_text);
            vec![OpKind::ChangeColumnType { table: table.clone(), column, new_type, using }]
        }
        Ok(AlterTableType::AtSetNotNull) => vec![OpKind::SetNotNull { table: table.clone(), column }],
        Ok(AlterTableType::AtDropNotNull) => vec![OpKind::DropNotNull { table: table.clone(), column }],
        Ok(AlterTableType::AtColumnDefault) => match cmd.def.as_deref() {
            Some(d) => vec![OpKind::SetDefault { table: table.clone(), column, default: expr_text(d) }],
            None => vec![OpKind::DropDefault { table: table.clone(), column }],
        },
        Ok(AlterTableType::AtAddConstraint) => {
            let Some(NodeEnum::Constraint(c)) = cmd.def.as_ref().and_then(|d| d.node.as_ref()) else {
                return vec![raw(text)];
            };
            if ConstrType::try_from(c.contype) == Ok(ConstrType::ConstrPrimary) && !c.indexname.is_empty() {
                let key =
                    PrimaryKey { name: (!c.conname.is_empty()).then(|| c.conname.clone()), columns: strings(&c.keys) };
                return vec![OpKind::AddPrimaryKey {
                    table: table.clone(),
                    key,
                    using_index: Some(c.indexname.clone()),
                }];
            }
            let mut parts = TableParts::new();
            parts.add(c, None, text);
            let ops = parts.into_ops(table, true, true);
            if ops.is_empty() { vec![raw(text)] } else { ops }
        }
        Ok(AlterTableType::AtValidateConstraint) => {
            vec![OpKind::ValidateConstraint { table: table.clone(), name: cmd.name.clone() }]
        }
        Ok(AlterTableType::AtDropConstraint) => {
            vec![OpKind::DropConstraint { table: table.clone(), name: cmd.name.clone(), if_exists: cmd.missing_ok }]
        }
        _ => vec![raw(text)],
    }
}

fn index_of(is: &protobuf::IndexStmt, table: &QualifiedName) -> Index {
    let keys: Vec<IndexKey> = is
        .index_params
        .iter()
        .filter_map(|p| match p.node.as_ref() {
            Some(NodeEnum::IndexElem(e)) => Some(index_key(e)),
            _ => None,
        })
        .collect();
    let include = is
        .index_including_params
        .iter()
        .filter_map(|p| match p.node.as_ref() {
            Some(NodeEnum::IndexElem(e)) => Some(e.name.clone()),
            _ => None,
        })
        .collect();
    let name = if is.idxname.is_empty() { default_index_name(table, &keys) } else { is.idxname.clone() };
    Index {
        name,
        unique: is.unique,
        method: if is.access_method.is_empty() { "btree".to_owned() } else { is.access_method.to_lowercase() },
        keys,
        include,
        predicate: is.where_clause.as_deref().map(expr_text),
    }
}

/// PostgreSQL names an unnamed index `<table>_<col>[_<col>…]_idx` (`expr` for expressions).
fn default_index_name(table: &QualifiedName, keys: &[IndexKey]) -> String {
    let cols: Vec<&str> = keys
        .iter()
        .map(|k| match &k.part {
            IndexPart::Column(c) => c.as_str(),
            IndexPart::Expression(_) => "expr",
        })
        .collect();
    format!("{}_{}_idx", table.name, cols.join("_"))
}

fn index_key(e: &protobuf::IndexElem) -> IndexKey {
    let part = match e.expr.as_deref() {
        Some(expr) => IndexPart::Expression(expr_text(expr)),
        None => IndexPart::Column(e.name.clone()),
    };
    // SortByDir: 3 is DESC; SortByNulls: 2 FIRST, 3 LAST. Only non-default null ordering is kept,
    // as pg_get_indexdef prints it.
    let desc = e.ordering == 3;
    let dir = desc.then_some("DESC");
    let nulls = match e.nulls_ordering {
        2 if !desc => Some("NULLS FIRST"),
        3 if desc => Some("NULLS LAST"),
        _ => None,
    };
    let order = match (dir, nulls) {
        (Some(d), Some(n)) => Some(format!("{d} {n}")),
        (Some(d), None) => Some(d.to_owned()),
        (None, Some(n)) => Some(n.to_owned()),
        (None, None) => None,
    };
    let opclass = strings(&e.opclass).last().cloned();
    IndexKey { part, order, opclass }
}

fn drop_stmt(ds: &protobuf::DropStmt, text: &str) -> Vec<OpKind> {
    let cascade = behavior_cascade(ds.behavior);
    let if_exists = ds.missing_ok;
    let kind = ObjectType::try_from(ds.remove_type);
    ds.objects
        .iter()
        .map(|obj| {
            let names = match obj.node.as_ref() {
                Some(NodeEnum::List(l)) => strings(&l.items),
                Some(NodeEnum::String(s)) => vec![s.sval.clone()],
                Some(NodeEnum::TypeName(t)) => strings(&t.names),
                Some(NodeEnum::ObjectWithArgs(o)) => strings(&o.objname),
                _ => Vec::new(),
            };
            let qualified = || match names.as_slice() {
                [name] => QualifiedName::new(Some("public"), name),
                [.., schema, name] => QualifiedName::new(Some(schema), name),
                [] => QualifiedName::unqualified(""),
            };
            match kind {
                Ok(ObjectType::ObjectTable) => OpKind::DropTable { table: qualified(), if_exists, cascade },
                Ok(ObjectType::ObjectIndex) => {
                    OpKind::DropIndex { name: qualified(), concurrently: ds.concurrent, if_exists }
                }
                Ok(ObjectType::ObjectView) => {
                    OpKind::DropView { name: qualified(), materialized: false, if_exists, cascade }
                }
                Ok(ObjectType::ObjectMatview) => {
                    OpKind::DropView { name: qualified(), materialized: true, if_exists, cascade }
                }
                Ok(ObjectType::ObjectFunction | ObjectType::ObjectProcedure | ObjectType::ObjectRoutine) => {
                    OpKind::DropFunction { name: qualified(), if_exists }
                }
                Ok(ObjectType::ObjectType | ObjectType::ObjectDomain) => {
                    OpKind::DropType { name: qualified(), if_exists, cascade }
                }
                Ok(ObjectType::ObjectTrigger) => {
                    // `DROP TRIGGER t ON [schema.]table` is stored as {[schema,] table, trigger}.
                    let (table, name) = match names.split_last() {
                        Some((trigger, rest)) => {
                            let table = match rest {
                                [name] => QualifiedName::new(Some("public"), name),
                                [.., schema, name] => QualifiedName::new(Some(schema), name),
                                [] => QualifiedName::unqualified(""),
                            };
                            (table, trigger.clone())
                        }
                        None => (QualifiedName::unqualified(""), String::new()),
                    };
                    OpKind::DropTrigger { name, table, if_exists }
                }
                _ => raw(text),
            }
        })
        .collect()
}

/// A view and what it reads, through `sql::refs` (aliases, joins, subqueries, CTEs). Without a
/// schema at hand, an ambiguous column goes to its innermost candidate and `*` is kept as the
/// column `*`: applying the operation to a schema expands it to the relation's columns.
fn view_of(
    name: QualifiedName,
    materialized: bool,
    query: Option<&protobuf::Node>,
    columns: Vec<String>,
    statement: &str,
) -> View {
    let mut definition = String::new();
    let mut deps: BTreeMap<QualifiedName, Vec<String>> = BTreeMap::new();
    if let Some(q) = query.and_then(|q| q.node.as_ref()) {
        let result = protobuf::ParseResult {
            version: 0,
            stmts: vec![protobuf::RawStmt {
                stmt: Some(Box::new(protobuf::Node { node: Some(q.clone()) })),
                stmt_location: 0,
                stmt_len: 0,
            }],
        };
        definition = pg_query::deparse(&result, Default::default()).unwrap_or_default();
        // The statement parsed a moment ago, by the same library: it parses again.
        for r in crate::sql::statement_refs(statement).unwrap_or_default() {
            let Some(rel) = r.relation.as_ref().or_else(|| r.candidates.first()) else { continue };
            let rel = match &rel.schema {
                Some(_) => rel.clone(),
                None => QualifiedName::new(Some("public"), &rel.name),
            };
            let entry = deps.entry(rel).or_default();
            if let Some(c) = r.column {
                entry.push(c);
            }
        }
    }
    let depends_on = deps
        .into_iter()
        .map(|(relation, mut columns)| {
            columns.sort();
            columns.dedup();
            ViewDependency { relation, columns }
        })
        .collect();
    View {
        name,
        materialized,
        definition: postgres::normalize_expr(&definition),
        columns,
        depends_on,
        indexes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(sql: &str) -> Vec<OpKind> {
        read_statements(Path::new("m.sql"), &LineIndex::new(sql), 0, sql, Dialect::Postgres, Direction::Up)
            .into_iter()
            .map(|o| o.kind)
            .collect()
    }

    #[test]
    fn alter_table_subcommands_become_one_operation_each() {
        let ops = kinds(
            "ALTER TABLE users ADD COLUMN nickname varchar(40) NOT NULL DEFAULT '', DROP COLUMN legacy_flag, \
             ALTER COLUMN age TYPE bigint USING age::bigint, ALTER COLUMN email SET NOT NULL;",
        );
        let users = QualifiedName::new(Some("public"), "users");
        let mut col = Column::new("nickname", "character varying(40)");
        col.nullable = false;
        col.default = Some("''".into());
        assert_eq!(
            ops,
            vec![
                OpKind::AddColumn { table: users.clone(), column: col, if_not_exists: false },
                OpKind::DropColumn { table: users.clone(), column: "legacy_flag".into(), if_exists: false },
                OpKind::ChangeColumnType {
                    table: users.clone(),
                    column: "age".into(),
                    new_type: "bigint".into(),
                    using: Some("age::bigint".into()),
                },
                OpKind::SetNotNull { table: users, column: "email".into() },
            ]
        );
    }

    #[test]
    fn a_bad_statement_is_unparsed_and_the_rest_is_read() {
        let sql = "CREATE INDEX CONCURRENTLY i ON t (a);\nALTER TABLE t ADD COLUM x int;\nDROP TABLE t;\n";
        let ops = read_statements(Path::new("m.sql"), &LineIndex::new(sql), 0, sql, Dialect::Postgres, Direction::Up);
        assert_eq!(ops.len(), 3);
        assert!(matches!(ops[0].kind, OpKind::AddIndex { concurrently: true, .. }));
        assert!(matches!(&ops[1].kind, OpKind::Unparsed { text, .. } if text == "ALTER TABLE t ADD COLUM x int"));
        assert_eq!((ops[1].span.line, ops[1].span.column), (2, 1));
        assert!(matches!(ops[2].kind, OpKind::DropTable { .. }));
        assert_eq!(ops[2].span.line, 3);
    }

    #[test]
    fn split_keeps_everything_after_an_unbalanced_parenthesis() {
        let sql = "DROP TABLE a;\nCREATE TABLE t (a int;\nCREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n/* c; */ SELECT ';', E'\\';', $1";
        let parts: Vec<&str> = split(sql).into_iter().map(|(s, e)| &sql[s..e]).collect();
        assert_eq!(
            parts,
            vec![
                "DROP TABLE a",
                "CREATE TABLE t (a int",
                "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                "SELECT ';', E'\\';', $1",
            ]
        );
    }

    #[test]
    fn view_dependencies_follow_aliases() {
        let ops =
            kinds("CREATE VIEW active AS SELECT u.id, u.email, o.name FROM users u JOIN orgs o ON o.id = u.org_id;");
        let OpKind::CreateView { view, .. } = &ops[0] else { panic!("{ops:?}") };
        assert_eq!(view.depends_on.len(), 2);
        assert_eq!(view.depends_on[1].relation.name, "users");
        assert_eq!(view.depends_on[1].columns, vec!["email", "id", "org_id"]);
        assert_eq!(view.depends_on[0].columns, vec!["id", "name"]);
    }

    #[test]
    fn a_long_file_is_cut_into_batches_at_statement_ends() {
        let sql: String = (0..4000).map(|i| format!("ALTER TABLE users ADD COLUMN c{i} integer; -- x;\n")).collect();
        let cuts = batches(&sql);
        assert!(cuts.len() > 2, "{} batches", cuts.len());
        assert_eq!((cuts[0].0, cuts[cuts.len() - 1].1), (0, sql.len()));
        for pair in cuts.windows(2) {
            assert_eq!(pair[0].1, pair[1].0);
            assert!(sql[..pair[0].1].ends_with(';'), "cut inside a statement at {}", pair[0].1);
        }
        let ops = kinds(&sql);
        assert_eq!(ops.len(), 4000);
        assert!(matches!(&ops[3999], OpKind::AddColumn { column, .. } if column.name == "c3999"));
    }

    /// `BEGIN ATOMIC` bodies and multi-action rules hold `;`s that do not end the statement: a
    /// long file with one is parsed whole rather than cut there.
    #[test]
    fn a_long_file_with_semicolons_inside_a_statement_is_one_batch() {
        let filler: String = (0..2000).map(|i| format!("ALTER TABLE users ADD COLUMN c{i} integer;\n")).collect();
        for inner in [
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n",
            "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));\n",
        ] {
            let sql = format!("{filler}{inner}{filler}DROP TABLE t;\n");
            assert_eq!(batches(&sql), vec![(0, sql.len())]);
            let ops = kinds(&sql);
            assert!(!ops.iter().any(|o| matches!(o, OpKind::Unparsed { .. })), "{inner}");
            assert!(matches!(ops.last(), Some(OpKind::DropTable { .. })));
        }
    }
}

//! The SQLite statements PostgreSQL's grammar does not read, through sqlparser's `SQLiteDialect`:
//! `CREATE VIRTUAL TABLE … USING module(…)` (FTS5, FTS4, R*Tree: a table the app reads like any
//! other), `CREATE TRIGGER … BEGIN … END` and `DROP TRIGGER name` (no `ON table` in SQLite).
//! Everything else SQLite shares with PostgreSQL is read by [`super::sql`]; a statement neither
//! grammar reads, or one sqlparser reads but this module has no meaning for, stays `Unparsed`.

use sqlparser::ast::{ObjectName, ObjectNamePart, Statement};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::migration::OpKind;
use crate::schema::{Column, QualifiedName};

/// Byte ranges of the statements of `text`: [`super::sql::split`]'s, with the pieces of a
/// `CREATE TRIGGER` rejoined up to the `END` that closes its body (a trigger's body holds `;`s,
/// and ends at `; END` — how SQLite's own `sqlite3_complete` tells a statement's end).
pub fn split(text: &str) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut open = false;
    for (s, e) in super::sql::split(text) {
        let piece = &text[s..e];
        if open {
            if let Some(last) = out.last_mut() {
                last.1 = e;
            }
            open = !piece.trim().eq_ignore_ascii_case("end");
            continue;
        }
        out.push((s, e));
        open = creates_trigger(piece) && has_word(piece, "begin");
    }
    out
}

fn words(text: &str) -> Vec<String> {
    let tokens = Tokenizer::new(&SQLiteDialect {}, text).tokenize().unwrap_or_default();
    tokens
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

fn has_word(text: &str, word: &str) -> bool {
    words(text).iter().any(|w| w == word)
}

/// `CREATE [TEMP|TEMPORARY] TRIGGER`.
fn creates_trigger(text: &str) -> bool {
    let w = words(text);
    let w: Vec<&str> = w.iter().map(String::as_str).take(3).collect();
    matches!(w.as_slice(), ["create", "trigger", ..] | ["create", "temp" | "temporary", "trigger"])
}

/// The operations of one SQLite statement PostgreSQL's grammar rejected, or why it cannot be read.
pub fn read(stmt: &str) -> Result<Vec<OpKind>, String> {
    if let Some(kind) = virtual_table(stmt) {
        return Ok(vec![kind]);
    }
    let parsed = Parser::parse_sql(&SQLiteDialect {}, stmt).map_err(|e| e.to_string())?;
    parsed
        .iter()
        .map(|s| match s {
            // A trigger runs data statements (SQLite allows no DDL in its body): it changes no
            // column or table an app reads.
            Statement::CreateTrigger(t) => {
                Ok(OpKind::CreateTrigger { name: last(&t.name), table: qname(&t.table_name) })
            }
            Statement::DropTrigger(d) => Ok(OpKind::DropTrigger {
                name: last(&d.trigger_name),
                // SQLite names a trigger once per database: no table (any table matches).
                table: d.table_name.as_ref().map_or_else(|| QualifiedName::unqualified(""), qname),
                if_exists: d.if_exists,
            }),
            Statement::Pragma { .. } => Ok(OpKind::Raw { sql: stmt.trim().to_owned() }),
            other => {
                Err(format!("a SQLite statement the gate has no reading for: {}", super::excerpt(&other.to_string())))
            }
        })
        .collect()
}

fn last(name: &ObjectName) -> String {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => i.value.clone(),
        _ => name.to_string(),
    }
}

/// As [`super::sql`] names a relation: schema `public` unless one is written (the state drops it
/// for SQLite, `QualifiedName::canonical`).
fn qname(name: &ObjectName) -> QualifiedName {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(i) => i.value.clone(),
            other => other.to_string(),
        })
        .collect();
    match parts.as_slice() {
        [.., schema, table] => QualifiedName::new(Some(schema), table),
        [table] => QualifiedName::new(Some("public"), table),
        [] => QualifiedName::unqualified(""),
    }
}

/// `CREATE VIRTUAL TABLE [IF NOT EXISTS] [schema.]name USING module[(args)]`, read by tokens:
/// sqlparser takes only bare names as the module's arguments, but FTS5 mixes columns with options
/// (`title, body UNINDEXED, tokenize = 'porter', content = ''`). An argument with a top-level `=`
/// is an option; any other names a column by its first word (FTS and R*Tree columns have no
/// type, and what follows — FTS5's `UNINDEXED` — is no type either: the type is empty).
fn virtual_table(stmt: &str) -> Option<OpKind> {
    let tokens: Vec<Token> = Tokenizer::new(&SQLiteDialect {}, stmt)
        .tokenize()
        .ok()?
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::SemiColon | Token::EOF))
        .collect();
    let word = |i: usize, w: &str| matches!(tokens.get(i), Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w));
    if !(word(0, "create") && word(1, "virtual") && word(2, "table")) {
        return None;
    }
    let mut i = 3;
    let if_not_exists = word(3, "if") && word(4, "not") && word(5, "exists");
    if if_not_exists {
        i = 6;
    }
    let ident = |i: usize| match tokens.get(i) {
        Some(Token::Word(w)) => Some(w.value.clone()),
        _ => None,
    };
    let mut name = vec![ident(i)?];
    i += 1;
    while matches!(tokens.get(i), Some(Token::Period)) {
        name.push(ident(i + 1)?);
        i += 2;
    }
    if !word(i, "using") {
        return None;
    }
    ident(i + 1)?;
    i += 2;
    let mut columns = Vec::new();
    if matches!(tokens.get(i), Some(Token::LParen)) {
        let mut depth = 0;
        let mut arg: Vec<&Token> = Vec::new();
        let mut args = Vec::new();
        let mut closed = false;
        for t in &tokens[i + 1..] {
            match t {
                Token::LParen => depth += 1,
                Token::RParen if depth == 0 => {
                    closed = true;
                    break;
                }
                Token::RParen => depth -= 1,
                Token::Comma if depth == 0 => {
                    args.push(std::mem::take(&mut arg));
                    continue;
                }
                _ => {}
            }
            arg.push(t);
        }
        if !closed {
            return None;
        }
        args.push(arg);
        for arg in args.into_iter().filter(|a| !a.is_empty()) {
            if arg.iter().any(|t| matches!(t, Token::Eq)) {
                continue;
            }
            let Token::Word(first) = arg[0] else { return None };
            columns.push(Column::new(&first.value, ""));
        }
    }
    let table = match name.as_slice() {
        [schema, table] => QualifiedName::new(Some(schema), table),
        [table] => QualifiedName::new(Some("public"), table),
        _ => return None,
    };
    Some(OpKind::CreateTable { table, columns, primary_key: None, foreign_keys: Vec::new(), if_not_exists })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trigger_body_is_one_statement() {
        let sql = "CREATE TRIGGER t AFTER INSERT ON a BEGIN INSERT INTO b VALUES (1); UPDATE c SET x = CASE WHEN 1 THEN 2 END; END;\nDROP TRIGGER IF EXISTS t;";
        let pieces: Vec<&str> = split(sql).into_iter().map(|(s, e)| &sql[s..e]).collect();
        assert_eq!(pieces.len(), 2, "{pieces:?}");
        assert!(pieces[0].ends_with("END"), "{pieces:?}");
    }

    #[test]
    fn fts5_options_are_not_columns() {
        let Some(OpKind::CreateTable { table, columns, .. }) =
            virtual_table("CREATE VIRTUAL TABLE s USING fts5(title, body UNINDEXED, tokenize='porter', content='')")
        else {
            panic!()
        };
        assert_eq!(table.name, "s");
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["title", "body"]);
    }
}

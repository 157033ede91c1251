//! MySQL/MariaDB SQL → operations through sqlparser's `MySqlDialect`. sqlparser is all-or-nothing
//! per call, so the text is split into statements first (quotes, comments and `DELIMITER`
//! respected) and each is parsed alone: one bad statement becomes `Unparsed`, the rest is read.

use std::path::Path;

use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnOption, DataType, Expr, ObjectName, ObjectNamePart, ObjectType,
    ReferentialAction, RenameTableNameKind, Statement, TableConstraint,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

use super::{LineIndex, op};
use crate::migration::{Direction, OpKind, Operation};
use crate::schema::{
    CheckConstraint, Column, FkAction, ForeignKey, Identity, Index, IndexKey, IndexPart, PrimaryKey, QualifiedName,
    UniqueConstraint, View,
};

pub fn read_statements(
    file: &Path,
    source: &LineIndex,
    base: usize,
    text: &str,
    direction: Direction,
) -> Vec<Operation> {
    let mut out = Vec::new();
    for (start, end) in split(text) {
        let stmt_text = &text[start..end];
        let kinds = match Parser::parse_sql(&MySqlDialect {}, stmt_text) {
            Ok(stmts) => stmts.iter().flat_map(|s| convert(s, stmt_text)).collect(),
            Err(e) => match routine_body(stmt_text) {
                Some(body) => {
                    out.push(op(
                        file,
                        source,
                        base + start,
                        base + end,
                        direction,
                        OpKind::Raw { sql: stmt_text.to_owned() },
                    ));
                    out.extend(read_body(file, source, base + start + body.start, &stmt_text[body], direction));
                    continue;
                }
                None => vec![OpKind::Unparsed { text: stmt_text.to_owned(), reason: e.to_string() }],
            },
        };
        for kind in kinds {
            out.push(op(file, source, base + start, base + end, direction, kind));
        }
    }
    out
}

/// The body of `CREATE [OR REPLACE] [DEFINER = …] PROCEDURE|FUNCTION name(…) … BEGIN … END`
/// (between its `BEGIN` and `END`), which sqlparser's MySQL dialect does not read.
fn routine_body(stmt: &str) -> Option<std::ops::Range<usize>> {
    let words = words(stmt);
    let lower = |i: usize| words.get(i).map(|&(at, w)| (at, w.to_ascii_lowercase()));
    if lower(0)?.1 != "create" {
        return None;
    }
    let kind = (1..words.len().min(10))
        .find(|&i| matches!(lower(i).map(|w| w.1).as_deref(), Some("procedure" | "function")))?;
    let header = (1..kind)
        .filter_map(lower)
        .all(|(_, w)| !matches!(w.as_str(), "table" | "view" | "trigger" | "index" | "event"));
    let begin = (kind + 1..words.len()).find(|&i| lower(i).is_some_and(|w| w.1 == "begin"))?;
    // The routine ends at its last `END` (a label may follow it).
    let end = (begin + 1..words.len()).rev().take(2).find(|&i| lower(i).is_some_and(|w| w.1 == "end"))?;
    let from = words[begin].0 + words[begin].1.len();
    header.then_some(from..words[end].0)
}

/// Words (identifiers and keywords) of `text` outside quotes and comments, with their offsets.
fn words(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match lexeme(bytes, i) {
            // An executable comment's content is SQL: only its `/*!NNNNN` marker is skipped.
            Some((Lexeme::Executable, _)) => {
                i += 3;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
                continue;
            }
            Some((_, end)) => {
                i = end;
                continue;
            }
            None => {}
        }
        match bytes[i] {
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'$')) {
                    i += 1;
                }
                out.push((start, &text[start..i]));
            }
            _ => i += 1,
        }
    }
    out
}

/// The operations a stored routine's body would perform when called. Like a PostgreSQL function
/// body, it runs whenever it is called — tandem cannot tell when —, so what it would change in the
/// schema is reported where it is written; its data changes and control flow are not. A body
/// statement that cannot be read (dynamic SQL included) is `Unparsed`, never nothing.
fn read_body(file: &Path, source: &LineIndex, base: usize, body: &str, direction: Direction) -> Vec<Operation> {
    let mut out = Vec::new();
    for (start, end) in split(body) {
        let piece = &body[start..end];
        let skip = compound_prefix(piece);
        let stmt = piece[skip..].trim_start();
        let at = base + start + (piece.len() - stmt.len());
        let first = words(stmt).first().map(|&(_, w)| w.to_ascii_lowercase()).unwrap_or_default();
        let kinds = match first.as_str() {
            // Control flow, variables, queries and transaction control change no schema.
            "" | "declare" | "set" | "select" | "do" | "commit" | "rollback" | "start" | "leave" | "iterate"
            | "return" | "open" | "close" | "fetch" | "signal" | "resignal" | "end" | "until" | "insert" | "update"
            | "delete" | "replace" | "call" | "deallocate" | "execute" => Vec::new(),
            "prepare" => vec![OpKind::Unparsed {
                text: stmt.to_owned(),
                reason: "dynamic SQL in a stored routine cannot be read".to_owned(),
            }],
            _ => match Parser::parse_sql(&MySqlDialect {}, stmt) {
                Ok(stmts) => stmts.iter().flat_map(|s| convert(s, stmt)).filter(OpKind::changes_schema).collect(),
                Err(e) => vec![OpKind::Unparsed { text: stmt.to_owned(), reason: e.to_string() }],
            },
        };
        out.extend(kinds.into_iter().map(|k| op(file, source, at, base + end, direction, k)));
    }
    out
}

/// The length of the compound-statement openers before a routine body's statement: labels,
/// `BEGIN`, `LOOP`, `REPEAT`, `WHILE … DO`, `IF … THEN`, `ELSEIF … THEN`, `ELSE`, `CASE …`,
/// `WHEN … THEN`.
fn compound_prefix(piece: &str) -> usize {
    let words = words(piece);
    let mut skip = 0;
    let mut i = 0;
    while let Some(&(at, w)) = words.get(i) {
        if at < skip {
            i += 1;
            continue;
        }
        let w = w.to_ascii_lowercase();
        let until =
            |stop: &str| words[i + 1..].iter().find(|(_, x)| x.eq_ignore_ascii_case(stop)).map(|&(a, x)| a + x.len());
        let next = match w.as_str() {
            "begin" | "loop" | "repeat" | "else" => Some(at + w.len()),
            "while" => until("do"),
            "if" | "elseif" | "when" => until("then"),
            // `CASE [value]` up to its first `WHEN`, which the next turn reads.
            "case" => Some(
                words[i + 1..].iter().find(|(_, x)| x.eq_ignore_ascii_case("when")).map_or(at + w.len(), |&(a, _)| a),
            ),
            _ if piece[at + w.len()..].trim_start().starts_with(':')
                && !piece[at + w.len()..].trim_start().starts_with(":=") =>
            {
                piece[at + w.len()..].find(':').map(|n| at + w.len() + n + 1)
            }
            _ => None,
        };
        match next {
            Some(n) => skip = n,
            None => break,
        }
        i += 1;
    }
    skip
}

/// Byte ranges of the statements of `text`, trimmed of surrounding whitespace and comments.
pub fn split(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut delimiter = String::from(";");
    let mut i = 0;
    let mut start: Option<usize> = None;
    let at_line_start = |i: usize| i == 0 || bytes[i - 1] == b'\n';
    // Work on bytes: every byte that matters here is ASCII, so offsets found this way are
    // always on character boundaries of `text`.
    let line_end = |from: usize| memchr::memchr(b'\n', &bytes[from..]).map_or(bytes.len(), |n| from + n);
    while i < bytes.len() {
        let b = bytes[i];
        let rest = &bytes[i..];
        if start.is_none() && at_line_start(i) && rest.len() >= 10 && rest[..10].eq_ignore_ascii_case(b"DELIMITER ") {
            let end = line_end(i);
            delimiter = text[i + 10..end].trim().to_owned();
            if delimiter.is_empty() {
                delimiter = ";".into();
            }
            i = end;
            continue;
        }
        if let Some((lexeme, end)) = lexeme(bytes, i) {
            // Quoted text and executable comments `/*!40101 … */` are statements' content.
            if lexeme != Lexeme::Comment && start.is_none() {
                start = Some(i);
            }
            i = end;
            continue;
        }
        if rest.starts_with(delimiter.as_bytes()) {
            if let Some(s) = start.take() {
                out.push((s, trim_end(text, s, i)));
            }
            i += delimiter.len();
            continue;
        }
        if start.is_none() && !b.is_ascii_whitespace() {
            start = Some(i);
        }
        i += 1;
    }
    if let Some(s) = start {
        let e = trim_end(text, s, text.len());
        if e > s {
            out.push((s, e));
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lexeme {
    /// `-- …`, `# …`, `/* … */`.
    Comment,
    /// `/*!40101 … */`: a comment to other servers, SQL to MySQL.
    Executable,
    /// A string or quoted identifier: `'…'`, `"…"`, `` `…` ``.
    Quoted,
}

/// The comment or quoted text that starts at `i`, and where it ends. The one place that knows
/// how MySQL quotes and comments, for the statement splitter and the word scanner.
fn lexeme(bytes: &[u8], i: usize) -> Option<(Lexeme, usize)> {
    let rest = &bytes[i..];
    let line_end = || memchr::memchr(b'\n', rest).map_or(bytes.len(), |n| i + n);
    match *rest.first()? {
        b'-' if rest.starts_with(b"-- ") || rest.starts_with(b"--\n") || rest.starts_with(b"--\t") => {
            Some((Lexeme::Comment, line_end()))
        }
        b'#' => Some((Lexeme::Comment, line_end())),
        b'/' if rest.starts_with(b"/*") => {
            let end = memchr::memmem::find(&rest[2..], b"*/").map_or(bytes.len(), |n| i + 2 + n + 2);
            Some((if rest.starts_with(b"/*!") { Lexeme::Executable } else { Lexeme::Comment }, end))
        }
        q @ (b'\'' | b'"' | b'`') => {
            let mut j = i + 1;
            while j < bytes.len() {
                if bytes[j] == b'\\' && q != b'`' {
                    j += 2;
                    continue;
                }
                if bytes[j] == q {
                    // A doubled quote is the quote itself.
                    if bytes.get(j + 1) == Some(&q) {
                        j += 2;
                        continue;
                    }
                    break;
                }
                j += 1;
            }
            Some((Lexeme::Quoted, (j + 1).min(bytes.len())))
        }
        _ => None,
    }
}

fn trim_end(text: &str, start: usize, mut end: usize) -> usize {
    while end > start && text.as_bytes()[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

fn ident_name(name: &ObjectName) -> String {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(i)) => i.value.clone(),
        _ => name.to_string(),
    }
}

/// MySQL has no schemas in the model: a `db.table` name keeps only the table.
fn qname(name: &ObjectName) -> QualifiedName {
    QualifiedName::unqualified(&ident_name(name))
}

/// The type as `information_schema.COLUMNS.COLUMN_TYPE` prints it (MariaDB/MySQL 5.7 widths).
pub fn mysql_type(dt: &DataType) -> String {
    let printed = dt.to_string().to_lowercase();
    let (base, unsigned) = match printed.strip_suffix(" unsigned") {
        Some(b) => (b.to_owned(), true),
        None => (printed.clone(), false),
    };
    let width = |name: &str, signed: u32, unsigned_w: u32| {
        if base.contains('(') {
            base.clone()
        } else {
            format!("{name}({})", if unsigned { unsigned_w } else { signed })
        }
    };
    let out = match base.split('(').next().unwrap_or("") {
        "int" | "integer" => width("int", 11, 10).replacen("integer", "int", 1),
        "bigint" => width("bigint", 20, 20),
        "smallint" => width("smallint", 6, 5),
        "mediumint" => width("mediumint", 9, 8),
        "tinyint" => width("tinyint", 4, 3),
        "bool" | "boolean" => "tinyint(1)".to_owned(),
        "character varying" => base.replacen("character varying", "varchar", 1),
        "character" => base.replacen("character", "char", 1),
        "numeric" => base.replacen("numeric", "decimal", 1),
        "decimal" if !base.contains('(') => "decimal(10,0)".to_owned(),
        _ => base.clone(),
    };
    let out = out.replace(", ", ",");
    if unsigned { format!("{out} unsigned") } else { out }
}

fn expr(e: &Expr) -> String {
    e.to_string()
}

fn fk_action(a: &Option<ReferentialAction>) -> FkAction {
    match a {
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

fn index_columns(cols: &[sqlparser::ast::IndexColumn]) -> Vec<IndexKey> {
    cols.iter()
        .map(|c| {
            let part = match &c.column.expr {
                Expr::Identifier(i) => IndexPart::Column(i.value.clone()),
                other => IndexPart::Expression(other.to_string()),
            };
            let order =
                matches!(c.column.options.sort, Some(sqlparser::ast::OrderBySort::Desc)).then(|| "DESC".to_owned());
            IndexKey { part, order, opclass: None }
        })
        .collect()
}

fn key_names(keys: &[IndexKey]) -> Vec<String> {
    keys.iter()
        .filter_map(|k| match &k.part {
            IndexPart::Column(c) => Some(c.clone()),
            IndexPart::Expression(_) => None,
        })
        .collect()
}

/// Constraints become their own operations after the table or column they belong to.
fn constraint(table: &QualifiedName, c: &TableConstraint, not_valid: bool) -> OpKind {
    match c {
        TableConstraint::PrimaryKey(pk) => OpKind::AddPrimaryKey {
            table: table.clone(),
            key: PrimaryKey { name: None, columns: key_names(&index_columns(&pk.columns)) },
            using_index: None,
        },
        TableConstraint::Unique(u) => OpKind::AddUnique {
            table: table.clone(),
            constraint: UniqueConstraint {
                name: u.name.as_ref().or(u.index_name.as_ref()).map(|n| n.value.clone()),
                columns: key_names(&index_columns(&u.columns)),
            },
            using_index: None,
        },
        TableConstraint::ForeignKey(fk) => OpKind::AddForeignKey {
            table: table.clone(),
            key: ForeignKey {
                name: fk.name.as_ref().map(|n| n.value.clone()),
                columns: fk.columns.iter().map(|c| c.value.clone()).collect(),
                references: qname(&fk.foreign_table),
                referenced_columns: fk.referred_columns.iter().map(|c| c.value.clone()).collect(),
                on_delete: fk_action(&fk.on_delete),
                on_update: fk_action(&fk.on_update),
                deferrable: false,
                validated: !not_valid,
            },
            not_valid,
        },
        TableConstraint::Check(ch) => OpKind::AddCheck {
            table: table.clone(),
            constraint: CheckConstraint {
                name: ch.name.as_ref().map(|n| n.value.clone()),
                expression: expr(&ch.expr),
                validated: !not_valid,
            },
            not_valid,
        },
        TableConstraint::Index(ix) => {
            let keys = index_columns(&ix.columns);
            let name = ix.name.as_ref().map_or_else(|| key_names(&keys).join("_"), |n| n.value.clone());
            OpKind::AddIndex {
                table: table.clone(),
                index: Index {
                    name,
                    unique: false,
                    method: ix.index_type.as_ref().map_or_else(|| "btree".to_owned(), |t| t.to_string().to_lowercase()),
                    keys,
                    include: Vec::new(),
                    predicate: None,
                },
                concurrently: false,
                if_not_exists: false,
            }
        }
        other => OpKind::Raw { sql: other.to_string() },
    }
}

fn column(def: &sqlparser::ast::ColumnDef, table: &QualifiedName, extra: &mut Vec<OpKind>) -> Column {
    let mut c = Column::new(&def.name.value, &mysql_type(&def.data_type));
    for o in &def.options {
        match &o.option {
            ColumnOption::NotNull => c.nullable = false,
            ColumnOption::Null => c.nullable = true,
            ColumnOption::Default(e) => c.default = Some(expr(e)),
            ColumnOption::Comment(s) => c.comment = Some(s.clone()),
            ColumnOption::PrimaryKey(_) => {
                c.nullable = false;
                extra.push(OpKind::AddPrimaryKey {
                    table: table.clone(),
                    key: PrimaryKey { name: None, columns: vec![c.name.clone()] },
                    using_index: None,
                });
            }
            ColumnOption::Unique(_) => extra.push(OpKind::AddUnique {
                table: table.clone(),
                constraint: UniqueConstraint { name: None, columns: vec![c.name.clone()] },
                using_index: None,
            }),
            ColumnOption::ForeignKey(fk) => {
                let mut fk = fk.clone();
                fk.columns = vec![def.name.clone()];
                extra.push(constraint(table, &TableConstraint::ForeignKey(fk), false));
            }
            ColumnOption::Check(ch) => extra.push(constraint(table, &TableConstraint::Check(ch.clone()), false)),
            ColumnOption::DialectSpecific(tokens)
                if tokens.iter().any(|t| t.to_string().eq_ignore_ascii_case("AUTO_INCREMENT")) =>
            {
                c.identity = Some(Identity::AutoIncrement);
                c.nullable = false;
            }
            _ => {}
        }
    }
    c
}

fn data_table(text: &str, keyword: &str) -> Option<QualifiedName> {
    let lower = text.to_ascii_lowercase();
    let pos = lower.find(keyword)? + keyword.len();
    let rest = text[pos..].trim_start();
    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '`' | '.' | '$')).collect();
    let name = name.replace('`', "");
    let name = name.rsplit('.').next().unwrap_or(&name).to_owned();
    (!name.is_empty()).then(|| QualifiedName::unqualified(&name))
}

fn convert(stmt: &Statement, text: &str) -> Vec<OpKind> {
    match stmt {
        Statement::CreateTable(ct) => {
            let table = qname(&ct.name);
            let mut extra = Vec::new();
            let mut columns: Vec<Column> = ct.columns.iter().map(|d| column(d, &table, &mut extra)).collect();
            let mut primary_key = None;
            let mut foreign_keys = Vec::new();
            let mut after = Vec::new();
            for k in extra.into_iter().chain(ct.constraints.iter().map(|c| constraint(&table, c, false))) {
                match k {
                    OpKind::AddPrimaryKey { key, .. } => primary_key = Some(key),
                    OpKind::AddForeignKey { key, .. } => foreign_keys.push(key),
                    other => after.push(other),
                }
            }
            if let Some(pk) = &primary_key {
                for c in &mut columns {
                    if pk.columns.contains(&c.name) {
                        c.nullable = false;
                    }
                }
            }
            let mut ops = vec![OpKind::CreateTable {
                table,
                columns,
                primary_key,
                foreign_keys,
                if_not_exists: ct.if_not_exists,
            }];
            ops.extend(after);
            ops
        }
        Statement::AlterTable(at) => {
            let table = qname(&at.name);
            at.operations.iter().flat_map(|o| alter(&table, o, text)).collect()
        }
        Statement::CreateIndex(ci) => {
            let table = qname(&ci.table_name);
            let keys = index_columns(&ci.columns);
            let name = ci.name.as_ref().map_or_else(|| key_names(&keys).join("_"), ident_name);
            vec![OpKind::AddIndex {
                table,
                index: Index {
                    name,
                    unique: ci.unique,
                    method: ci.using.as_ref().map_or_else(|| "btree".to_owned(), |t| t.to_string().to_lowercase()),
                    keys,
                    include: ci.include.iter().map(|i| i.value.clone()).collect(),
                    predicate: ci.predicate.as_ref().map(expr),
                },
                concurrently: false,
                if_not_exists: ci.if_not_exists,
            }]
        }
        Statement::Drop { object_type, if_exists, names, cascade, table, .. } => names
            .iter()
            .map(|n| match object_type {
                ObjectType::Table => OpKind::DropTable { table: qname(n), if_exists: *if_exists, cascade: *cascade },
                ObjectType::View => {
                    OpKind::DropView { name: qname(n), materialized: false, if_exists: *if_exists, cascade: *cascade }
                }
                ObjectType::Index => {
                    let _ = table;
                    OpKind::DropIndex { name: qname(n), concurrently: false, if_exists: *if_exists }
                }
                _ => OpKind::Raw { sql: text.to_owned() },
            })
            .collect(),
        Statement::RenameTable(renames) => {
            renames.iter().map(|r| OpKind::RenameTable { from: qname(&r.old_name), to: qname(&r.new_name) }).collect()
        }
        Statement::CreateView(cv) => vec![OpKind::CreateView {
            view: View {
                name: qname(&cv.name),
                materialized: cv.materialized,
                definition: cv.query.to_string(),
                columns: cv.columns.iter().map(|c| c.name.value.clone()).collect(),
                depends_on: Vec::new(),
                indexes: Vec::new(),
            },
            or_replace: cv.or_replace,
        }],
        Statement::Truncate(t) => vec![OpKind::Truncate {
            tables: t.table_names.iter().map(|n| qname(&n.name)).collect(),
            cascade: t.cascade.is_some(),
        }],
        Statement::Insert(_) => vec![OpKind::Data { verb: "INSERT".into(), table: data_table(text, "into") }],
        Statement::Update(_) => vec![OpKind::Data { verb: "UPDATE".into(), table: data_table(text, "update") }],
        Statement::Delete(_) => vec![OpKind::Data { verb: "DELETE".into(), table: data_table(text, "from") }],
        Statement::StartTransaction { .. } => vec![OpKind::Begin],
        Statement::Commit { .. } => vec![OpKind::Commit],
        Statement::Set(_) => set_setting(text).map_or_else(|| vec![OpKind::Raw { sql: text.to_owned() }], |k| vec![k]),
        _ => vec![OpKind::Raw { sql: text.to_owned() }],
    }
}

/// `SET [SESSION|LOCAL] name = value` and `SET @@[session.]name = value`: a session setting (a
/// user variable `@x` is not one, and `GLOBAL` settings outlive the migration's session).
fn set_setting(text: &str) -> Option<OpKind> {
    let rest = text.trim().get(3..)?.trim_start();
    let lower = rest.to_ascii_lowercase();
    let rest =
        ["session ", "local "].iter().find(|p| lower.starts_with(*p)).map_or(rest, |p| rest[p.len()..].trim_start());
    let rest = rest
        .strip_prefix("@@session.")
        .or_else(|| rest.strip_prefix("@@SESSION."))
        .or_else(|| rest.strip_prefix("@@"))
        .unwrap_or(rest);
    let (name, value) = rest.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || name.contains(['@', ' ', ',']) || name.eq_ignore_ascii_case("global") || value.contains(',') {
        return None;
    }
    Some(OpKind::SetSetting { name: name.to_ascii_lowercase(), value: value.trim().to_owned(), local: false })
}

fn alter(table: &QualifiedName, o: &AlterTableOperation, text: &str) -> Vec<OpKind> {
    match o {
        AlterTableOperation::AddColumn { if_not_exists, column_def, .. } => {
            let mut extra = Vec::new();
            let c = column(column_def, table, &mut extra);
            let mut ops = vec![OpKind::AddColumn { table: table.clone(), column: c, if_not_exists: *if_not_exists }];
            ops.extend(extra);
            ops
        }
        AlterTableOperation::DropColumn { column_names, if_exists, .. } => column_names
            .iter()
            .map(|c| OpKind::DropColumn { table: table.clone(), column: c.value.clone(), if_exists: *if_exists })
            .collect(),
        AlterTableOperation::RenameColumn { old_column_name, new_column_name } => vec![OpKind::RenameColumn {
            table: table.clone(),
            from: old_column_name.value.clone(),
            to: new_column_name.value.clone(),
        }],
        AlterTableOperation::ChangeColumn { old_name, new_name, data_type, options, .. } => {
            let mut ops = Vec::new();
            if old_name.value != new_name.value {
                ops.push(OpKind::RenameColumn {
                    table: table.clone(),
                    from: old_name.value.clone(),
                    to: new_name.value.clone(),
                });
            }
            ops.extend(modify(table, &new_name.value, data_type, options));
            ops
        }
        AlterTableOperation::ModifyColumn { col_name, data_type, options, .. } => {
            modify(table, &col_name.value, data_type, options)
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = column_name.value.clone();
            vec![match op {
                AlterColumnOperation::SetNotNull => OpKind::SetNotNull { table: table.clone(), column },
                AlterColumnOperation::DropNotNull => OpKind::DropNotNull { table: table.clone(), column },
                AlterColumnOperation::SetDefault { value } => {
                    OpKind::SetDefault { table: table.clone(), column, default: expr(value) }
                }
                AlterColumnOperation::DropDefault => OpKind::DropDefault { table: table.clone(), column },
                AlterColumnOperation::SetDataType { data_type, using, .. } => OpKind::ChangeColumnType {
                    table: table.clone(),
                    column,
                    new_type: mysql_type(data_type),
                    using: using.as_ref().map(expr),
                },
                _ => OpKind::Raw { sql: text.to_owned() },
            }]
        }
        AlterTableOperation::AddConstraint { constraint: c, not_valid } => vec![constraint(table, c, *not_valid)],
        AlterTableOperation::DropConstraint { if_exists, name, .. } => {
            vec![OpKind::DropConstraint { table: table.clone(), name: name.value.clone(), if_exists: *if_exists }]
        }
        AlterTableOperation::DropForeignKey { name, .. } => {
            vec![OpKind::DropConstraint { table: table.clone(), name: name.value.clone(), if_exists: false }]
        }
        AlterTableOperation::DropIndex { name } => {
            vec![OpKind::DropIndex {
                name: QualifiedName::unqualified(&name.value),
                concurrently: false,
                if_exists: false,
            }]
        }
        AlterTableOperation::DropPrimaryKey { .. } => {
            vec![OpKind::DropConstraint { table: table.clone(), name: "PRIMARY".into(), if_exists: false }]
        }
        AlterTableOperation::RenameTable { table_name } => {
            let to = match table_name {
                RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => qname(n),
            };
            vec![OpKind::RenameTable { from: table.clone(), to }]
        }
        _ => vec![OpKind::Raw { sql: text.to_owned() }],
    }
}

/// `MODIFY c type [NOT NULL] [DEFAULT …]`: MySQL redefines the whole column.
fn modify(table: &QualifiedName, name: &str, data_type: &DataType, options: &[ColumnOption]) -> Vec<OpKind> {
    let mut ops = vec![OpKind::ChangeColumnType {
        table: table.clone(),
        column: name.to_owned(),
        new_type: mysql_type(data_type),
        using: None,
    }];
    let not_null = options.iter().any(|o| matches!(o, ColumnOption::NotNull));
    ops.push(if not_null {
        OpKind::SetNotNull { table: table.clone(), column: name.to_owned() }
    } else {
        OpKind::DropNotNull { table: table.clone(), column: name.to_owned() }
    });
    ops.push(match options.iter().find_map(|o| if let ColumnOption::Default(e) = o { Some(expr(e)) } else { None }) {
        Some(default) => OpKind::SetDefault { table: table.clone(), column: name.to_owned(), default },
        None => OpKind::DropDefault { table: table.clone(), column: name.to_owned() },
    });
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_respects_quotes_comments_and_delimiter() {
        let sql = "-- c;\nINSERT INTO t VALUES ('a;b');\n/* x; */ UPDATE t SET a = \"q;\";\nDELIMITER //\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END//\nDELIMITER ;\nSELECT 1";
        let parts: Vec<&str> = split(sql).into_iter().map(|(s, e)| &sql[s..e]).collect();
        assert_eq!(
            parts,
            vec![
                "INSERT INTO t VALUES ('a;b')",
                "UPDATE t SET a = \"q;\"",
                "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END",
                "SELECT 1"
            ]
        );
    }

    fn read(sql: &str) -> Vec<Operation> {
        read_statements(Path::new("m.sql"), &LineIndex::new(sql), 0, sql, Direction::Up)
    }

    #[test]
    fn a_stored_procedure_is_read_by_its_body() {
        // A keyset backfill: its control flow, queries and updates change no schema.
        let backfill = "DELIMITER //\nCREATE DEFINER = `admin`@`%` PROCEDURE fill()\nBEGIN\n  DECLARE lo bigint;\n  \
                        SELECT MIN(id) INTO lo FROM t;\n  batches: WHILE lo IS NOT NULL DO\n    \
                        UPDATE t SET b = a WHERE id >= lo LIMIT 50;\n    COMMIT;\n    DO SLEEP(0.1);\n    \
                        SET lo = (SELECT MIN(id) FROM t WHERE id > lo);\n  END WHILE batches;\nEND//\nDELIMITER ;\nCALL fill();\n";
        let ops = read(backfill);
        assert!(ops.iter().all(|o| !matches!(o.kind, OpKind::Unparsed { .. })), "{ops:#?}");
        assert_eq!(ops.len(), 2, "{ops:#?}");

        // What the body would change in the schema is reported where it is written.
        let dropping = "DELIMITER //\nCREATE PROCEDURE p() BEGIN\n  IF (SELECT 1) THEN\n    ALTER TABLE users DROP COLUMN email;\n  END IF;\nEND//";
        let ops = read(dropping);
        let drop =
            ops.iter().find(|o| matches!(o.kind, OpKind::DropColumn { .. })).unwrap_or_else(|| panic!("{ops:#?}"));
        assert_eq!((drop.span.line, drop.span.column), (4, 5));

        // Dynamic SQL and a body statement that does not parse fail closed.
        for body in ["PREPARE s FROM @sql; EXECUTE s;", "ALTER TABLE users FROBNICATE email;"] {
            let ops = read(&format!("DELIMITER //\nCREATE PROCEDURE p() BEGIN {body} END//"));
            assert!(ops.iter().any(|o| matches!(o.kind, OpKind::Unparsed { .. })), "{body}: {ops:#?}");
        }
        // Without `BEGIN … END` the routine stays unparsed.
        let ops = read("CREATE PROCEDURE p() FROBNICATE");
        assert!(matches!(ops[0].kind, OpKind::Unparsed { .. }), "{ops:#?}");
    }

    #[test]
    fn mysql_types_print_like_column_type() {
        let ty = |s: &str| {
            let stmt = Parser::parse_sql(&MySqlDialect {}, &format!("CREATE TABLE t (c {s})")).unwrap();
            let Statement::CreateTable(ct) = &stmt[0] else { panic!() };
            mysql_type(&ct.columns[0].data_type)
        };
        assert_eq!(ty("INT"), "int(11)");
        assert_eq!(ty("BIGINT UNSIGNED"), "bigint(20) unsigned");
        assert_eq!(ty("VARCHAR(255)"), "varchar(255)");
        assert_eq!(ty("BOOLEAN"), "tinyint(1)");
        assert_eq!(ty("DECIMAL(10, 2)"), "decimal(10,2)");
        assert_eq!(ty("DATETIME(6)"), "datetime(6)");
    }
}

//! MySQL/MariaDB structure (`mysqldump --no-data`, `mariadb-dump`, Rails' MySQL `structure.sql`)
//! → [`Schema`], and [`Schema`] → canonical MySQL DDL.
//!
//! Canonical forms (a live `information_schema` reader must produce the same):
//! * `data_type` is `COLUMN_TYPE` as MariaDB 10.11 prints it: `int(11)`, `bigint(20) unsigned`,
//!   `tinyint(1)`, `varchar(255)`, `decimal(10,2)`, `enum('a','b')` ([`normalize_type`]).
//! * `default` is `COLUMN_DEFAULT` as MariaDB 10.11 prints it — strings quoted (`'active'`),
//!   numbers bare (`0`, `0.00` for `decimal(10,2)`), `current_timestamp()` /
//!   `current_timestamp(6)`, `b'1'` — and `None` for no default and for `DEFAULT NULL`.
//! * expressions (checks, generated columns, view definitions) go through [`normalize_expr`]:
//!   sqlparser's rendering, identifiers unquoted where that is safe, function names lower case.
//! * `UNIQUE KEY`s are indexes (`unique: true`), as `information_schema.STATISTICS` shows them;
//!   `uniques` stays empty. The primary key has no name (it is always `PRIMARY`).
//! * `collation` is set only where the column names one (`COLLATE …`), i.e. where it differs
//!   from the table's default.
//! * foreign key actions `RESTRICT` and `NO ACTION` are the same in InnoDB and both read as
//!   [`FkAction::NoAction`]; MySQL/MariaDB dumps leave them out.
//!
//! Not in the model, so not kept: index prefix lengths (`name(100)`), `ON UPDATE
//! CURRENT_TIMESTAMP`, `VIRTUAL`/`STORED`, table options (engine, charset).

mod deps;
mod render;
pub mod split;
mod types;

use std::collections::HashMap;
use std::ops::{ControlFlow, Range};
use std::path::Path;
use std::sync::LazyLock;

use regex::Regex;
use sqlparser::ast::{
    self as sql, ColumnOption, Expr, FunctionArguments, Ident, ObjectName, ReferentialAction, Statement,
    TableConstraint, Value, VisitMut, VisitorMut,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::keywords::ALL_KEYWORDS;
use sqlparser::parser::Parser;

use crate::error::{Diagnostic, Error, Result, line_col};
use crate::schema::{
    CheckConstraint, Column, Dialect, FkAction, ForeignKey, Function, Identity, Index, IndexKey, IndexPart, PrimaryKey,
    QualifiedName, Schema, Sequence, Table, Trigger, View,
};

pub use render::render;
pub use types::normalize_type;

/// Parse a MySQL/MariaDB schema dump. Errors name the file, line and column of the statement.
pub fn parse(text: &str, file: &Path) -> Result<Schema> {
    let parts = split::split(text).map_err(|u| {
        Error::input(
            Diagnostic::new(format!("unterminated {}", u.what))
                .at_offset(file, text, u.at..u.at + 1)
                .help("expected the closing quote or `*/` before the end of the file"),
        )
    })?;
    let mut reader = Reader {
        file,
        source: text,
        blanked: &parts.text,
        schema: Schema::new(Dialect::Mysql),
        view_queries: HashMap::new(),
    };
    for range in &parts.statements {
        reader.statement(range.clone())?;
    }
    let Reader { mut schema, view_queries, .. } = reader;
    for view in &mut schema.views {
        if let Some(query) = view_queries.get(&view.name.name) {
            view.depends_on = deps::dependencies(query, &schema.tables, &view.name);
        }
    }
    schema.canonicalize();
    Ok(schema)
}

/// Canonical text of a MySQL expression: sqlparser's rendering with identifiers unquoted where
/// that is safe and function names in lower case, so `` CONCAT(`a`,' ',`b`) `` and
/// `concat(a, ' ', b)` agree. Text that does not parse is returned with whitespace collapsed.
pub fn normalize_expr(expr: &str) -> String {
    let parsed = Parser::new(&MySqlDialect {}).try_with_sql(expr).and_then(|mut p| {
        let e = p.parse_expr()?;
        p.expect_token(&sqlparser::tokenizer::Token::EOF)?;
        Ok(e)
    });
    match parsed {
        Ok(mut e) => {
            canonical_idents(&mut e);
            e.to_string()
        }
        Err(_) => expr.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

/// Canonical text of a view's `SELECT` (as stored in [`crate::schema::View::definition`]).
/// Text that does not parse is returned with whitespace collapsed.
pub fn normalize_view(select: &str) -> String {
    match Parser::new(&MySqlDialect {}).try_with_sql(select).and_then(|mut p| p.parse_query()) {
        Ok(mut q) => {
            canonical_idents(&mut q);
            q.to_string()
        }
        Err(_) => collapse(select),
    }
}

/// The relations and columns a view's `SELECT` reads, resolving unqualified columns against
/// `tables`. Empty when the text does not parse.
pub fn view_dependencies(select: &str, tables: &[Table], view: &QualifiedName) -> Vec<crate::schema::ViewDependency> {
    match Parser::new(&MySqlDialect {}).try_with_sql(select).and_then(|mut p| p.parse_query()) {
        Ok(q) => deps::dependencies(&q, tables, view),
        Err(_) => Vec::new(),
    }
}

/// Canonical `COLUMN_DEFAULT` text for a default written as `expr` on a column of the canonical
/// type `data_type`; `None` for `NULL`. Exposed for the live reader, which sees MySQL 8's
/// `CURRENT_TIMESTAMP` and MariaDB's `current_timestamp()` for the same default.
pub fn normalize_default(expr: &str, data_type: &str) -> Option<String> {
    let parsed = Parser::new(&MySqlDialect {}).try_with_sql(expr).and_then(|mut p| p.parse_expr());
    match parsed {
        Ok(e) => default_text(&e, data_type),
        Err(_) => Some(expr.trim().to_owned()),
    }
}

/// Statements a dump may hold that do not change the model, skipped on purpose. Anything not
/// listed here and not read into the model is an error, so nothing is skipped silently.
pub const IGNORED: &[&str] = &[
    "SET … (session variables, character sets, sql_mode, time zone)",
    "USE db",
    "DO … (mariadb-dump's `DO SETVAL(seq, n, 0)` after a sequence: its current value is data)",
    "LOCK TABLES … / UNLOCK TABLES",
    "START TRANSACTION / BEGIN / COMMIT / ROLLBACK",
    "CREATE DATABASE / ALTER DATABASE / DROP DATABASE (the model is one database, whatever its name)",
    "DROP EVENT / CREATE EVENT (scheduled events are not schema objects the model tracks)",
    "INSERT/REPLACE INTO any table but schema_migrations (data rows)",
    "DROP TABLE/VIEW/TRIGGER/FUNCTION/PROCEDURE of an object not defined yet (mysqldump's IF EXISTS guards)",
];

struct Reader<'a> {
    file: &'a Path,
    source: &'a str,
    /// `source` with comments and versioned-comment markers blanked (same offsets).
    blanked: &'a str,
    schema: Schema,
    view_queries: HashMap<String, sql::Query>,
}

static IDENT: &str = r"(?:`(?:[^`]|``)+`|[\w$]+)";

static TRIGGER_RE: LazyLock<Regex> = LazyLock::new(|| {
    let id = format!(r"{IDENT}(?:\s*\.\s*{IDENT})?");
    Regex::new(&format!(
        r"(?is)^CREATE\s+(?:DEFINER\s*=\s*\S+\s+)?TRIGGER\s+(?:IF\s+NOT\s+EXISTS\s+)?({id})\s+(BEFORE|AFTER)\s+(INSERT|UPDATE|DELETE)\s+ON\s+({id})\s+FOR\s+EACH\s+ROW\s+(?:(?:FOLLOWS|PRECEDES)\s+{id}\s+)?(.*)$"
    ))
    .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

static ROUTINE_RE: LazyLock<Regex> = LazyLock::new(|| {
    let id = format!(r"{IDENT}(?:\s*\.\s*{IDENT})?");
    Regex::new(&format!(r"(?is)^CREATE\s+(?:OR\s+REPLACE\s+)?(?:DEFINER\s*=\s*\S+\s+)?(FUNCTION|PROCEDURE)\s+(?:IF\s+NOT\s+EXISTS\s+)?({id})\s*\("))
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

static SQLPARSER_POS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*at Line: (\d+), Column: (\d+)").unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

impl Reader<'_> {
    fn statement(&mut self, range: Range<usize>) -> Result<()> {
        let blanked = self.blanked;
        let stmt = &blanked[range.clone()];
        let words = leading_words(stmt, 8);
        let w = |i: usize| words.get(i).map(String::as_str).unwrap_or_default();
        match w(0) {
            // Session settings, locks and transaction control around the DDL: nothing to model.
            "SET" | "USE" | "LOCK" | "UNLOCK" | "START" | "BEGIN" | "COMMIT" | "ROLLBACK" | "DO" => Ok(()),
            "DROP" => self.drop(stmt, &words, range),
            "INSERT" | "REPLACE" => self.insert(stmt, range),
            "CREATE" | "ALTER" => {
                let kind = words
                    .iter()
                    .skip(1)
                    .find(|w| {
                        matches!(
                            w.as_str(),
                            "TABLE"
                                | "VIEW"
                                | "TRIGGER"
                                | "FUNCTION"
                                | "PROCEDURE"
                                | "INDEX"
                                | "SEQUENCE"
                                | "DATABASE"
                                | "SCHEMA"
                                | "EVENT"
                        )
                    })
                    .map(String::as_str)
                    .unwrap_or_default();
                match (w(0), kind) {
                    ("CREATE", "TRIGGER") => self.trigger(stmt, range),
                    ("CREATE", "FUNCTION" | "PROCEDURE") => self.routine(stmt, range),
                    ("CREATE", "SEQUENCE") => self.sequence(stmt, range),
                    // The dump's own database: the model is of one database, whatever its name.
                    (_, "DATABASE" | "SCHEMA" | "EVENT") => Ok(()),
                    ("CREATE", "TABLE" | "VIEW" | "INDEX") | ("ALTER", "TABLE") => self.parsed(range),
                    _ => Err(self.unsupported(stmt, range)),
                }
            }
            _ => Err(self.unsupported(stmt, range)),
        }
    }

    fn unsupported(&self, stmt: &str, range: Range<usize>) -> Error {
        let head: String = leading_words(stmt, 3).join(" ");
        Error::input(
            Diagnostic::new(format!("unsupported statement `{head}` in a MySQL schema dump"))
                .at_offset(self.file, self.source, range.start..range.start + head.len().min(range.len()))
                .help(
                    "expected CREATE TABLE/VIEW/INDEX/TRIGGER/FUNCTION/PROCEDURE, ALTER TABLE, DROP, SET, \
                     LOCK/UNLOCK TABLES, or INSERT INTO schema_migrations",
                ),
        )
    }

    fn sqlparser_error(&self, range: &Range<usize>, err: sqlparser::parser::ParserError) -> Error {
        let msg = err.to_string();
        let (start_line, start_col) = line_col(self.source, range.start);
        let (message, line, col) = match SQLPARSER_POS.captures(&msg) {
            Some(c) => {
                let l: u32 = c[1].parse().unwrap_or(1);
                let col: u32 = c[2].parse().unwrap_or(1);
                let stripped = SQLPARSER_POS.replace(&msg, "").into_owned();
                if l <= 1 { (stripped, start_line, start_col + col - 1) } else { (stripped, start_line + l - 1, col) }
            }
            None => (msg, start_line, start_col),
        };
        let message = message.trim_start_matches("sql parser error: ").to_owned();
        Error::input(Diagnostic::new(format!("cannot parse MySQL statement: {message}")).at(self.file, line, col))
    }

    fn parse_one(&self, range: &Range<usize>, text: &str) -> Result<Statement> {
        let mut stmts = Parser::parse_sql(&MySqlDialect {}, text).map_err(|e| self.sqlparser_error(range, e))?;
        match stmts.len() {
            1 => Ok(stmts.remove(0)),
            _ => Err(Error::input(Diagnostic::new("expected exactly one statement here").at_offset(
                self.file,
                self.source,
                range.start..range.start + 1,
            ))),
        }
    }

    fn parsed(&mut self, range: Range<usize>) -> Result<()> {
        let blanked = self.blanked;
        // sqlparser reads neither MariaDB's system versioning nor MySQL's partition clauses;
        // they are cut from the text (blanked, so positions stay right) and read here.
        let (text, partition_by) = table_tail(&blanked[range.clone()]);
        let stmt = self.parse_one(&range, &text)?;
        match stmt {
            Statement::CreateTable(ct) => {
                let mut table = self.table(&ct, &range)?;
                table.partition_by = partition_by;
                let name = table.name.name.clone();
                // A view's stand-in table (mysqldump writes one before the real view) is replaced.
                self.schema.views.retain(|v| v.name.name != name);
                self.schema.tables.retain(|t| t.name.name != name);
                self.schema.tables.push(table);
                Ok(())
            }
            Statement::CreateView(cv) => {
                let name = object_name(&cv.name);
                let mut query = *cv.query;
                canonical_idents(&mut query);
                let columns = cv.columns.iter().map(|c| c.name.value.clone()).collect();
                self.schema.tables.retain(|t| t.name.name != name);
                self.schema.views.retain(|v| v.name.name != name);
                self.schema.views.push(View {
                    name: QualifiedName::unqualified(&name),
                    materialized: false,
                    definition: query.to_string(),
                    columns,
                    depends_on: Vec::new(),
                    indexes: Vec::new(),
                });
                self.view_queries.insert(name, query);
                Ok(())
            }
            Statement::CreateIndex(ci) => {
                let table_name = object_name(&ci.table_name);
                let index = Index {
                    name: ci.name.as_ref().map(object_name).unwrap_or_default(),
                    unique: ci.unique,
                    method: ci.using.as_ref().map_or("btree".to_owned(), |u| u.to_string().to_lowercase()),
                    keys: ci.columns.iter().map(|c| index_key(&c.column)).collect(),
                    include: Vec::new(),
                    predicate: None,
                };
                let table = self.table_named(&table_name, &range)?;
                table.indexes.retain(|i| i.name != index.name);
                table.indexes.push(index);
                Ok(())
            }
            Statement::AlterTable(at) => {
                let table_name = object_name(&at.name);
                for op in &at.operations {
                    match op {
                        sql::AlterTableOperation::AddConstraint { constraint, .. } => {
                            let mut scratch = Table::new(QualifiedName::unqualified(&table_name));
                            self.constraint(&mut scratch, constraint, &range)?;
                            let table = self.table_named(&table_name, &range)?;
                            if scratch.primary_key.is_some() {
                                table.primary_key = scratch.primary_key;
                            }
                            table.indexes.extend(scratch.indexes);
                            table.foreign_keys.extend(scratch.foreign_keys);
                            table.checks.extend(scratch.checks);
                        }
                        other => {
                            return Err(Error::input(
                                Diagnostic::new(format!(
                                    "unsupported ALTER TABLE operation `{other}` in a schema dump"
                                ))
                                .at_offset(self.file, self.source, range.start..range.start + 1)
                                .help("expected ADD CONSTRAINT / ADD KEY / ADD FOREIGN KEY"),
                            ));
                        }
                    }
                }
                Ok(())
            }
            other => Err(Error::input(
                Diagnostic::new(format!(
                    "unsupported statement in a MySQL schema dump: {}",
                    first_line(&other.to_string())
                ))
                .at_offset(self.file, self.source, range.start..range.start + 1),
            )),
        }
    }

    fn table_named(&mut self, name: &str, range: &Range<usize>) -> Result<&mut Table> {
        let file = self.file;
        let source = self.source;
        self.schema.tables.iter_mut().find(|t| t.name.name == name).ok_or_else(|| {
            Error::input(Diagnostic::new(format!("table `{name}` is not defined before this statement")).at_offset(
                file,
                source,
                range.start..range.start + 1,
            ))
        })
    }

    fn table(&self, ct: &sql::CreateTable, range: &Range<usize>) -> Result<Table> {
        let mut table = Table::new(QualifiedName::unqualified(&object_name(&ct.name)));
        for def in &ct.columns {
            let data_type = normalize_type(&def.data_type.to_string());
            let mut col = Column::new(&def.name.value, &data_type);
            for opt in &def.options {
                match &opt.option {
                    ColumnOption::Null => col.nullable = true,
                    ColumnOption::NotNull => col.nullable = false,
                    ColumnOption::Default(e) => col.default = default_text(e, &data_type),
                    ColumnOption::DialectSpecific(tokens) => {
                        let t = tokens.iter().map(ToString::to_string).collect::<String>().to_ascii_uppercase();
                        if t == "AUTO_INCREMENT" {
                            col.identity = Some(Identity::AutoIncrement);
                        }
                    }
                    ColumnOption::Collation(c) => col.collation = Some(object_name(c)),
                    ColumnOption::Comment(c) => col.comment = Some(c.clone()),
                    ColumnOption::Generated { generation_expr: Some(e), .. } => {
                        col.generated = Some(expr_text(e));
                    }
                    ColumnOption::PrimaryKey(_) => {
                        table.primary_key = Some(PrimaryKey { name: None, columns: vec![def.name.value.clone()] });
                        col.nullable = false;
                    }
                    ColumnOption::Unique(_) => table.indexes.push(Index {
                        name: def.name.value.clone(),
                        unique: true,
                        method: "btree".to_owned(),
                        keys: vec![IndexKey::column(&def.name.value)],
                        include: Vec::new(),
                        predicate: None,
                    }),
                    // MariaDB names a column-level check after the column.
                    ColumnOption::Check(c) => table.checks.push(CheckConstraint {
                        name: Some(c.name.as_ref().map_or_else(|| def.name.value.clone(), |n| n.value.clone())),
                        expression: expr_text(&c.expr),
                        validated: true,
                    }),
                    ColumnOption::ForeignKey(fk) => table.foreign_keys.push(ForeignKey {
                        name: fk.name.as_ref().map(|n| n.value.clone()),
                        columns: vec![def.name.value.clone()],
                        references: QualifiedName::unqualified(&object_name(&fk.foreign_table)),
                        referenced_columns: fk.referred_columns.iter().map(|c| c.value.clone()).collect(),
                        on_delete: fk_action(fk.on_delete),
                        on_update: fk_action(fk.on_update),
                        deferrable: false,
                        validated: true,
                    }),
                    // Charset, ON UPDATE, SRID, INVISIBLE and the like are not part of the model.
                    _ => {}
                }
            }
            table.columns.push(col);
        }
        for c in &ct.constraints {
            self.constraint(&mut table, c, range)?;
        }
        // A primary key column is NOT NULL whether or not the dump says so.
        if let Some(pk) = &table.primary_key {
            for name in pk.columns.clone() {
                if let Some(c) = table.column_mut(&name) {
                    c.nullable = false;
                }
            }
        }
        table.comment = table_comment(ct);
        Ok(table)
    }

    fn constraint(&self, table: &mut Table, c: &TableConstraint, range: &Range<usize>) -> Result<()> {
        match c {
            TableConstraint::PrimaryKey(pk) => {
                table.primary_key = Some(PrimaryKey {
                    name: None,
                    columns: pk.columns.iter().map(|k| key_column(&k.column)).collect(),
                });
            }
            TableConstraint::Unique(u) => {
                let keys: Vec<IndexKey> = u.columns.iter().map(|k| index_key(&k.column)).collect();
                let name = u
                    .index_name
                    .as_ref()
                    .or(u.name.as_ref())
                    .map(|n| n.value.clone())
                    .unwrap_or_else(|| first_column(&keys));
                table.indexes.push(Index {
                    name,
                    unique: true,
                    method: index_method(u.index_type.as_ref(), &u.index_options),
                    keys,
                    include: Vec::new(),
                    predicate: None,
                });
            }
            TableConstraint::Index(ix) => {
                let keys: Vec<IndexKey> = ix.columns.iter().map(|k| index_key(&k.column)).collect();

                table.indexes.push(Index {
                    name: ix.name.as_ref().map(|n| n.value.clone()).unwrap_or_else(|| first_column(&keys)),
                    unique: false,
                    method: index_method(ix.index_type.as_ref(), &ix.index_options),
                    keys,
                    include: Vec::new(),
                    predicate: None,
                });
            }
            TableConstraint::FulltextOrSpatial(fs) => {
                let keys: Vec<IndexKey> = fs.columns.iter().map(|k| index_key(&k.column)).collect();
                table.indexes.push(Index {
                    name: fs.opt_index_name.as_ref().map(|n| n.value.clone()).unwrap_or_else(|| first_column(&keys)),
                    unique: false,
                    method: if fs.fulltext { "fulltext" } else { "spatial" }.to_owned(),
                    keys,
                    include: Vec::new(),
                    predicate: None,
                });
            }
            TableConstraint::ForeignKey(fk) => table.foreign_keys.push(ForeignKey {
                name: fk.name.as_ref().map(|n| n.value.clone()),
                columns: fk.columns.iter().map(|c| c.value.clone()).collect(),
                references: QualifiedName::unqualified(&object_name(&fk.foreign_table)),
                referenced_columns: fk.referred_columns.iter().map(|c| c.value.clone()).collect(),
                on_delete: fk_action(fk.on_delete),
                on_update: fk_action(fk.on_update),
                deferrable: false,
                validated: true,
            }),
            TableConstraint::Check(ck) => table.checks.push(CheckConstraint {
                name: ck.name.as_ref().map(|n| n.value.clone()),
                expression: expr_text(&ck.expr),
                validated: true,
            }),
            other => {
                return Err(Error::input(
                    Diagnostic::new(format!("unsupported table constraint `{other}` in a MySQL schema dump"))
                        .at_offset(self.file, self.source, range.start..range.start + 1),
                ));
            }
        }
        Ok(())
    }

    fn drop(&mut self, stmt: &str, words: &[String], range: Range<usize>) -> Result<()> {
        let kind = words.iter().skip(1).find(|w| *w != "TEMPORARY").map(String::as_str).unwrap_or_default();
        let names = drop_names(stmt);
        match kind {
            "TABLE" => self.schema.tables.retain(|t| !names.contains(&t.name.name)),
            "VIEW" => self.schema.views.retain(|v| !names.contains(&v.name.name)),
            "TRIGGER" => {
                self.schema.triggers.retain(|t| !names.contains(&t.name));
                self.schema.functions.retain(|f| !(f.returns == "trigger" && names.contains(&f.name.name)));
            }
            "FUNCTION" | "PROCEDURE" => self.schema.functions.retain(|f| !names.contains(&f.name.name)),
            "SEQUENCE" => self.schema.sequences.retain(|q| !names.contains(&q.name.name)),
            "DATABASE" | "SCHEMA" | "EVENT" => {}
            _ => return Err(self.unsupported(stmt, range)),
        }
        Ok(())
    }

    fn insert(&mut self, stmt: &str, range: Range<usize>) -> Result<()> {
        let parsed = self.parse_one(&range, stmt)?;
        let Statement::Insert(ins) = parsed else { return Ok(()) };
        let table = match &ins.table {
            sql::TableObject::TableName(n) => object_name(n),
            _ => return Ok(()),
        };
        // Data rows other than the applied migrations are not schema.
        if table != "schema_migrations" {
            return Ok(());
        }
        let column = ins.columns.iter().position(|c| object_name(c) == "version").unwrap_or(0);
        let Some(source) = &ins.source else { return Ok(()) };
        let sql::SetExpr::Values(values) = source.body.as_ref() else { return Ok(()) };
        for row in &values.rows {
            match row.get(column) {
                Some(Expr::Value(v)) => match &v.value {
                    Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) | Value::Number(s, _) => {
                        self.schema.migrations.push(s.clone())
                    }
                    other => return Err(self.bad_version(&range, &other.to_string())),
                },
                Some(other) => return Err(self.bad_version(&range, &other.to_string())),
                None => return Err(self.bad_version(&range, "nothing")),
            }
        }
        Ok(())
    }

    fn bad_version(&self, range: &Range<usize>, got: &str) -> Error {
        Error::input(
            Diagnostic::new(format!("expected a migration version string in schema_migrations, found {got}"))
                .at_offset(self.file, self.source, range.start..range.start + 1),
        )
    }

    fn trigger(&mut self, stmt: &str, range: Range<usize>) -> Result<()> {
        let Some(c) = TRIGGER_RE.captures(stmt) else {
            return Err(Error::input(
                Diagnostic::new("cannot parse CREATE TRIGGER")
                    .at_offset(self.file, self.source, range.start..range.start + 1)
                    .help("expected CREATE [DEFINER=…] TRIGGER name {BEFORE|AFTER} {INSERT|UPDATE|DELETE} ON table FOR EACH ROW body"),
            ));
        };
        let name = last_ident(&c[1]);
        let table = last_ident(&c[4]);
        self.schema.triggers.retain(|t| t.name != name);
        self.schema.functions.retain(|f| !(f.returns == "trigger" && f.name.name == name));
        self.schema.triggers.push(Trigger {
            name: name.clone(),
            table: QualifiedName::unqualified(&table),
            // MySQL triggers carry their body inline; it is kept as a function of the same name.
            function: QualifiedName::unqualified(&name),
            timing: c[2].to_ascii_uppercase(),
            events: vec![c[3].to_ascii_uppercase()],
            for_each_row: true,
            when: None,
        });
        self.schema.functions.push(Function {
            name: QualifiedName::unqualified(&name),
            arguments: String::new(),
            returns: "trigger".to_owned(),
            language: "sql".to_owned(),
            body: collapse(&c[5]),
        });
        Ok(())
    }

    /// MariaDB's `CREATE SEQUENCE s start with 1 minvalue 1 … increment by 1 cache 1000 nocycle`.
    fn sequence(&mut self, stmt: &str, range: Range<usize>) -> Result<()> {
        static SEQ: LazyLock<Regex> = LazyLock::new(|| {
            let id = format!(r"{IDENT}(?:\s*\.\s*{IDENT})?");
            Regex::new(&format!(r"(?is)^CREATE\s+(?:OR\s+REPLACE\s+)?SEQUENCE\s+(?:IF\s+NOT\s+EXISTS\s+)?({id})(.*)$"))
                .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
        });
        static OPT: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?i)\b(start|increment)(?:\s+with|\s+by)?\s*=?\s*(-?\d+)")
                .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
        });
        let c = SEQ.captures(stmt).ok_or_else(|| {
            Error::input(
                Diagnostic::new("cannot parse CREATE SEQUENCE")
                    .at_offset(self.file, self.source, range.start..range.start + 1)
                    .help("expected CREATE SEQUENCE name [START WITH n] [INCREMENT BY n] …"),
            )
        })?;
        let name = last_ident(&c[1]);
        let mut seq = Sequence {
            name: QualifiedName::unqualified(&name),
            data_type: None,
            start: None,
            increment: None,
            owned_by: None,
        };
        for o in OPT.captures_iter(&c[2]) {
            let n = o[2].parse().ok();
            if o[1].eq_ignore_ascii_case("start") {
                seq.start = n;
            } else {
                seq.increment = n;
            }
        }
        self.schema.sequences.retain(|q| q.name.name != name);
        self.schema.sequences.push(seq);
        Ok(())
    }

    fn routine(&mut self, stmt: &str, range: Range<usize>) -> Result<()> {
        let bad = || {
            Error::input(
                Diagnostic::new("cannot parse CREATE FUNCTION/PROCEDURE")
                    .at_offset(self.file, self.source, range.start..range.start + 1)
                    .help("expected CREATE [DEFINER=…] {FUNCTION|PROCEDURE} name (parameters) …"),
            )
        };
        let c = ROUTINE_RE.captures(stmt).ok_or_else(bad)?;
        let open = c.get(0).map_or(0, |m| m.end() - 1);
        let close = matching_paren(stmt, open).ok_or_else(bad)?;
        let name = last_ident(&c[2]);
        let arguments = collapse(&stmt[open + 1..close]);
        let rest = stmt[close + 1..].trim();
        let (returns, body) = if c[1].eq_ignore_ascii_case("FUNCTION") {
            let after = rest.get(7..).filter(|_| rest.len() >= 7 && rest[..7].eq_ignore_ascii_case("RETURNS"));
            match after {
                Some(after) => {
                    let after = after.trim_start();
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (after[..end].to_lowercase(), collapse(&after[end..]))
                }
                None => (String::new(), collapse(rest)),
            }
        } else {
            (String::new(), collapse(rest))
        };
        self.schema.functions.retain(|f| f.name.name != name);
        self.schema.functions.push(Function {
            name: QualifiedName::unqualified(&name),
            arguments,
            returns,
            language: "sql".to_owned(),
            body,
        });
        Ok(())
    }
}

/// Upper-cased leading words, skipping `DEFINER=…`, `ALGORITHM=…`, `SQL SECURITY …` and
/// `OR REPLACE`, which sit between CREATE and the object kind.
fn leading_words(stmt: &str, n: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut it = stmt.split(|c: char| c.is_whitespace() || c == '(' || c == ';').filter(|w| !w.is_empty());
    while let Some(w) = it.next() {
        let up = w.to_ascii_uppercase();
        if up.starts_with("DEFINER=") || up.starts_with("ALGORITHM=") || up == "OR" || up == "REPLACE" && out.len() == 1
        {
            continue;
        }
        if up == "SQL" {
            it.next();
            it.next();
            continue;
        }
        out.push(up);
        if out.len() >= n {
            break;
        }
    }
    out
}

/// The statement with `WITH SYSTEM VERSIONING` and a trailing `PARTITION BY …` clause blanked
/// out, and the partitioning as the model keeps it (`RANGE (year(happened_on))`).
fn table_tail(stmt: &str) -> (String, Option<String>) {
    let bytes = stmt.as_bytes();
    let Some(open) = stmt.find('(') else { return (stmt.to_owned(), None) };
    let Some(close) = matching_paren(stmt, open) else { return (stmt.to_owned(), None) };
    let mut out = stmt.to_owned();
    let tail_upper = stmt[close..].to_ascii_uppercase();
    let mut partition = None;
    if let Some(i) = find_top_level(&tail_upper, "PARTITION BY") {
        let start = close + i;
        let spec = &stmt[start + "PARTITION BY".len()..];
        // The method and its key: everything up to the end of the first parenthesized group.
        let spec_open = spec.find('(');
        let key_end = spec_open.and_then(|o| matching_paren(spec, o));
        partition = match (spec_open, key_end) {
            (Some(o), Some(e)) => {
                let method = collapse(&spec[..o]).to_ascii_uppercase();
                Some(format!("{method} ({})", normalize_expr(&spec[o + 1..e])))
            }
            _ => Some(collapse(spec)),
        };
        blank_range(&mut out, start, bytes.len());
    }
    let upper = out.to_ascii_uppercase();
    if let Some(i) = find_top_level(&upper[close..], "WITH SYSTEM VERSIONING") {
        blank_range(&mut out, close + i, close + i + "WITH SYSTEM VERSIONING".len());
    }
    (out, partition)
}

fn blank_range(s: &mut String, start: usize, end: usize) {
    let replaced: String = s[start..end].chars().map(|c| if c == '\n' { '\n' } else { ' ' }).collect();
    s.replace_range(start..end, &replaced);
}

/// Byte offset of `needle` (upper case) in `hay` outside quotes and parentheses.
fn find_top_level(hay: &str, needle: &str) -> Option<usize> {
    let bytes = hay.as_bytes();
    let mut depth = 0i32;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' | b'`' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' && q != b'`' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'(' => depth += 1,
            b')' => depth -= 1,
            _ if depth <= 0
                && bytes[i..].starts_with(needle.as_bytes())
                && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) =>
            {
                return Some(i);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn drop_names(stmt: &str) -> Vec<String> {
    static NAME: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(&format!(r"{IDENT}(?:\s*\.\s*{IDENT})?")).unwrap_or_else(|e| unreachable!("constant regex: {e}"))
    });
    NAME.find_iter(stmt)
        .map(|m| last_ident(m.as_str()))
        .filter(|w| {
            !matches!(
                w.to_ascii_uppercase().as_str(),
                "DROP"
                    | "TABLE"
                    | "VIEW"
                    | "TRIGGER"
                    | "FUNCTION"
                    | "PROCEDURE"
                    | "IF"
                    | "EXISTS"
                    | "TEMPORARY"
                    | "CASCADE"
                    | "RESTRICT"
            )
        })
        .collect()
}

/// The unquoted last part of a possibly qualified, possibly backquoted name.
fn last_ident(text: &str) -> String {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' if quoted && chars.peek() == Some(&'`') => {
                cur.push('`');
                chars.next();
            }
            '`' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut cur)),
            c if c.is_whitespace() && !quoted => {}
            c => cur.push(c),
        }
    }
    parts.push(cur);
    parts.pop().unwrap_or_default()
}

fn matching_paren(s: &str, open: usize) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < bytes.len() {
        match bytes[i] {
            b'\'' | b'"' | b'`' => {
                let q = bytes[i];
                i += 1;
                while i < bytes.len() && bytes[i] != q {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

fn object_name(n: &ObjectName) -> String {
    n.0.last().and_then(|p| p.as_ident()).map(|i| i.value.clone()).unwrap_or_else(|| n.to_string())
}

fn fk_action(a: Option<ReferentialAction>) -> FkAction {
    match a {
        None | Some(ReferentialAction::NoAction) | Some(ReferentialAction::Restrict) => FkAction::NoAction,
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
    }
}

fn table_comment(ct: &sql::CreateTable) -> Option<String> {
    let options = match &ct.table_options {
        sql::CreateTableOptions::Plain(o)
        | sql::CreateTableOptions::With(o)
        | sql::CreateTableOptions::Options(o)
        | sql::CreateTableOptions::TableProperties(o) => o.as_slice(),
        sql::CreateTableOptions::None => &[],
    };
    options.iter().find_map(|o| match o {
        sql::SqlOption::Comment(sql::CommentDef::WithEq(c) | sql::CommentDef::WithoutEq(c)) => Some(c.clone()),
        _ => None,
    })
}

/// `USING HASH` before or after the key parts; B-tree when not given.
fn index_method(index_type: Option<&sql::IndexType>, options: &[sql::IndexOption]) -> String {
    let using = index_type.or_else(|| {
        options.iter().find_map(|o| match o {
            sql::IndexOption::Using(t) => Some(t),
            _ => None,
        })
    });
    using.map_or("btree".to_owned(), |t| t.to_string().to_lowercase())
}

fn first_column(keys: &[IndexKey]) -> String {
    keys.iter()
        .find_map(|k| match &k.part {
            IndexPart::Column(c) => Some(c.clone()),
            IndexPart::Expression(_) => None,
        })
        .unwrap_or_default()
}

/// A key part: a column, a column prefix (`name(100)`, read as the column — prefix lengths are
/// not in the model), or an expression (MySQL 8 functional key parts, `((lower(email)))`).
fn index_key(k: &sql::OrderByExpr) -> IndexKey {
    let part = match &k.expr {
        Expr::Identifier(i) => IndexPart::Column(i.value.clone()),
        Expr::Function(f) if is_prefix_call(f) => IndexPart::Column(object_name(&f.name)),
        Expr::Nested(e) => IndexPart::Expression(expr_text(e)),
        other => IndexPart::Expression(expr_text(other)),
    };
    let order = match k.options.sort {
        Some(sql::OrderBySort::Desc) => Some("DESC".to_owned()),
        _ => None,
    };
    IndexKey { part, order, opclass: None }
}

fn key_column(k: &sql::OrderByExpr) -> String {
    match index_key(k).part {
        IndexPart::Column(c) | IndexPart::Expression(c) => c,
    }
}

fn is_prefix_call(f: &sql::Function) -> bool {
    match &f.args {
        FunctionArguments::List(l) => {
            l.args.len() == 1
                && matches!(&l.args[0], sql::FunctionArg::Unnamed(sql::FunctionArgExpr::Expr(Expr::Value(v)))
                    if matches!(v.value, Value::Number(..)))
                && f.name.0.len() == 1
        }
        _ => false,
    }
}

fn expr_text(e: &Expr) -> String {
    let mut e = e.clone();
    canonical_idents(&mut e);
    // `CHECK ((a > 0))` as MySQL 8 dumps it and `CHECK (a > 0)` as MariaDB does mean the same.
    while let Expr::Nested(inner) = e {
        e = *inner;
    }
    e.to_string()
}

/// The canonical `COLUMN_DEFAULT` text of a default expression; `None` for `NULL`.
fn default_text(e: &Expr, data_type: &str) -> Option<String> {
    let mut e = e;
    while let Expr::Nested(inner) = e {
        e = inner;
    }
    match e {
        Expr::Value(v) => match &v.value {
            Value::Null => None,
            Value::Boolean(b) => Some(if *b { "1" } else { "0" }.to_owned()),
            Value::Number(n, _) => Some(types::format_number(n, data_type)),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => Some(if types::is_numeric(data_type) {
                // MySQL 8 quotes numeric defaults (`DEFAULT '0'`); the server stores a number.
                types::format_number(s, data_type)
            } else {
                types::quote_string(s)
            }),
            Value::SingleQuotedByteStringLiteral(s) => Some(format!("b'{s}'")),
            Value::HexStringLiteral(s) => Some(format!("0x{s}")),
            other => Some(other.to_string()),
        },
        Expr::UnaryOp { op: sql::UnaryOperator::Minus, expr } => match expr.as_ref() {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => Some(types::format_number(&format!("-{n}"), data_type)),
                _ => Some(expr_text(e)),
            },
            _ => Some(expr_text(e)),
        },
        Expr::Function(f) if is_now(&f.name) => {
            let precision = match &f.args {
                FunctionArguments::List(l) => l.args.first().map(|a| a.to_string()),
                _ => None,
            };
            Some(format!("current_timestamp({})", precision.unwrap_or_default()))
        }
        Expr::Identifier(i) if i.quote_style.is_none() && is_now_word(&i.value) => {
            Some("current_timestamp()".to_owned())
        }
        other => Some(expr_text(other)),
    }
}

fn is_now(name: &ObjectName) -> bool {
    name.0.len() == 1 && is_now_word(&object_name(name))
}

fn is_now_word(w: &str) -> bool {
    matches!(w.to_ascii_lowercase().as_str(), "current_timestamp" | "now" | "localtime" | "localtimestamp")
}

/// Unquote identifiers that need no quoting and lower-case function names, in place.
fn canonical_idents<T: VisitMut>(node: &mut T) {
    struct Canon;
    impl VisitorMut for Canon {
        type Break = ();
        fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
            if let Expr::Function(f) = expr {
                for part in &mut f.name.0 {
                    if let sql::ObjectNamePart::Identifier(i) = part
                        && i.quote_style.is_none()
                    {
                        i.value = i.value.to_lowercase();
                    }
                }
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_relation(&mut self, relation: &mut ObjectName) -> ControlFlow<()> {
            for part in &mut relation.0 {
                if let sql::ObjectNamePart::Identifier(i) = part {
                    unquote(i);
                }
            }
            ControlFlow::Continue(())
        }
        fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
            match expr {
                Expr::Identifier(i) => unquote(i),
                Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(unquote),
                _ => {}
            }
            ControlFlow::Continue(())
        }
    }
    let _ = node.visit(&mut Canon);
    // Aliases (`AS `id``, `users `u``) are not expressions; unquote them where they are declared.
    struct Aliases;
    impl VisitorMut for Aliases {
        type Break = ();
        fn pre_visit_select(&mut self, select: &mut sql::Select) -> ControlFlow<()> {
            for item in &mut select.projection {
                if let sql::SelectItem::ExprWithAlias { alias, .. } = item {
                    unquote(alias);
                }
            }
            ControlFlow::Continue(())
        }
        fn pre_visit_table_factor(&mut self, factor: &mut sql::TableFactor) -> ControlFlow<()> {
            unquote_factor(factor);
            ControlFlow::Continue(())
        }
    }
    let _ = node.visit(&mut Aliases);
}

fn unquote_factor(f: &mut sql::TableFactor) {
    if let sql::TableFactor::Table { alias: Some(a), .. } | sql::TableFactor::Derived { alias: Some(a), .. } = f {
        unquote(&mut a.name);
    }
}

fn unquote(i: &mut Ident) {
    let plain = i.value.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && i.value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    let keyword = ALL_KEYWORDS.binary_search(&i.value.to_ascii_uppercase().as_str()).is_ok();
    if plain && !keyword {
        i.quote_style = None;
    } else {
        i.quote_style = Some('`');
    }
}

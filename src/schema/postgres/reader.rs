//! pg_dump `--schema-only` output (9.6 – 17) and Rails / Ecto `structure.sql` → [`Schema`].
//!
//! The file is read a batch of statements at a time (`stream.rs`) and parsed by libpg_query; each
//! statement is then applied to the model in file order (pg_dump's order: types and tables first, then `ALTER TABLE … ADD CONSTRAINT`,
//! indexes, triggers, foreign keys). A statement that does not parse, or that a schema dump has no
//! business containing, is a located error. Statements that carry nothing the model records are
//! skipped; the complete list is [`IGNORED`].

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;

use pg_query::NodeEnum;
use pg_query::protobuf::{self, ConstrType, Node};

use super::expr::{deparse_expr_in, string_of};
use super::stream::{Batch, Batches};
use super::types::format_type;
use super::typmod::non_constant_typmod;
use crate::error::{Diagnostic, Error, Result};
use crate::schema::{
    CheckConstraint, Column, ColumnRef, CompositeAttribute, CompositeType, EnumType, Extension, FkAction, ForeignKey,
    Function, Identity, Index, IndexKey, IndexPart, PartitionOf, PrimaryKey, QualifiedName, Schema, Sequence, Table,
    Trigger, UniqueConstraint, View, ViewDependency,
};
use crate::sql::SqlError;

/// Statements skipped on purpose, with why: they carry ownership, privileges, storage or objects
/// the model does not represent (and that no consuming app's queries name as tables or columns).
pub const IGNORED: &[(&str, &str)] = &[
    ("SET …, SELECT pg_catalog.set_config(…), SELECT pg_catalog.setval(…)", "session settings / sequence values"),
    ("psql meta-commands (\\restrict, \\unrestrict, \\connect, …)", "client directives, not SQL"),
    ("ALTER … OWNER TO, GRANT, REVOKE, ALTER DEFAULT PRIVILEGES", "ownership and privileges"),
    ("COMMENT ON (anything but TABLE and COLUMN)", "documentation the model does not store"),
    ("SECURITY LABEL, CREATE POLICY, ALTER TABLE … ROW LEVEL SECURITY", "access control"),
    (
        "CREATE DOMAIN, CREATE TYPE … AS RANGE / base types, CREATE CAST, CREATE OPERATOR [CLASS|FAMILY]",
        "not in the model",
    ),
    (
        "CREATE AGGREGATE, CREATE COLLATION, CREATE TEXT SEARCH …, CREATE CONVERSION, CREATE STATISTICS",
        "not in the model",
    ),
    (
        "CREATE RULE, CREATE EVENT TRIGGER, CREATE PUBLICATION / SUBSCRIPTION, CREATE [PROCEDURAL] LANGUAGE",
        "not in the model",
    ),
    (
        "ALTER TABLE … CLUSTER ON / REPLICA IDENTITY / SET STATISTICS / SET STORAGE / SET (…) / ENABLE|DISABLE TRIGGER",
        "storage and replication details",
    ),
    ("ALTER TABLE … INHERIT, ALTER FUNCTION … SET, EXCLUDE constraints", "not in the model"),
    ("CREATE EXTENSION plpgsql, BEGIN / COMMIT", "built in since PostgreSQL 9.0 / transaction control"),
    ("ALTER INDEX … ATTACH PARTITION", "partition indexes are recorded by their own CREATE INDEX"),
    ("COPY … FROM stdin and its rows (but schema_migrations')", "data, not schema"),
];

/// Read a dump from `input`, a batch of statements at a time ([`Batches`]): memory is bounded by
/// the model and a few batches, never by the file, and the first wrong statement is reported
/// when it is met. A window of batches is parsed in parallel (libpg_query is thread-safe), then
/// applied to the model in file order.
pub fn read(input: impl BufRead, file: &Path) -> Result<Schema> {
    let mut batches = Batches::new(input, file);
    let mut r = Reader::new(file);
    let window = 2 * rayon::current_num_threads().max(1);
    loop {
        let mut read = Vec::with_capacity(window);
        while read.len() < window {
            match batches.next_batch()? {
                Some(b) => read.push(b),
                None => break,
            }
        }
        if read.is_empty() {
            break;
        }
        use rayon::prelude::*;
        // Checked in parallel with parsing: the check walks the whole tree.
        let parsed: Vec<_> = read
            .par_iter()
            .map(|b| {
                let parsed = pg_query::parse(&b.text, 0)?;
                let bad = parsed.protobuf.stmts.iter().find_map(non_constant_typmod);
                Ok::<_, pg_query::Error>((parsed.protobuf.stmts, bad))
            })
            .collect();
        for (batch, parsed) in read.into_iter().zip(parsed) {
            let (stmts, bad) = parsed.map_err(|e| locate_parse_error(&batch, file, e))?;
            if let Some(at) = bad {
                let offset = usize::try_from(at).unwrap_or(0);
                return Err(Error::input(
                    Diagnostic::new("type modifier is not a constant: PostgreSQL accepts only numbers, strings or names inside a type's parentheses, as in varchar(255)")
                        .at_offset_from(file, &batch.text, offset..offset + 1, batch.line),
                ));
            }
            r.batch(batch, &stmts)?;
        }
    }
    r.finish()
}

/// Skip whitespace and comments so a statement's location points at its first keyword.
fn skip_blank(sql: &str, mut i: usize) -> usize {
    let b = sql.as_bytes();
    loop {
        while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
            i += 1;
        }
        if b.get(i) == Some(&b'-') && b.get(i + 1) == Some(&b'-') {
            i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n + 1);
        } else if b.get(i) == Some(&b'/') && b.get(i + 1) == Some(&b'*') {
            i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |n| i + 2 + n + 2);
        } else {
            return i;
        }
    }
}

/// A batch failed to parse: find the statement that fails on its own, and the token in it.
fn locate_parse_error(batch: &Batch, file: &Path, err: pg_query::Error) -> Error {
    let sql = batch.text.as_str();
    let at = |offset: usize, message: String| {
        Diagnostic::new(message).at_offset_from(file, sql, offset..offset + 1, batch.line)
    };
    let base = sql.as_ptr() as usize;
    if let Ok(stmts) = pg_query::split_with_scanner(sql) {
        for stmt in stmts {
            if let Err(e) = pg_query::parse(stmt, 0) {
                let start = stmt.as_ptr() as usize - base;
                let e = SqlError::from_pg(stmt, e);
                let offset = start + e.offset.unwrap_or_else(|| skip_blank(stmt, 0));
                return Error::input(
                    at(offset, format!("cannot parse SQL statement: {}", e.message))
                        .help("the file should be pg_dump --schema-only output or a Rails/Ecto structure.sql"),
                );
            }
        }
    }
    let whole = SqlError::from_pg(sql, err);
    Error::input(at(whole.offset.unwrap_or(0), format!("cannot parse SQL: {}", whole.message)))
}

fn strings(list: &[Node]) -> Vec<String> {
    list.iter().filter_map(string_of).map(str::to_owned).collect()
}

fn node(n: &Option<Box<Node>>) -> Option<&NodeEnum> {
    n.as_deref().and_then(|n| n.node.as_ref())
}

fn fk_action(c: &str) -> FkAction {
    match c {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

fn int_arg(n: &Option<Box<Node>>) -> Option<i64> {
    match node(n)? {
        NodeEnum::Integer(i) => Some(i64::from(i.ival)),
        NodeEnum::Float(f) => f.fval.parse().ok(),
        NodeEnum::AConst(c) => match c.val.as_ref()? {
            protobuf::a_const::Val::Ival(i) => Some(i64::from(i.ival)),
            protobuf::a_const::Val::Fval(f) => f.fval.parse().ok(),
            _ => None,
        },
        _ => None,
    }
}

struct Reader<'a> {
    file: &'a Path,
    /// The batch being applied: its statements' node locations count from its start.
    batch: Batch,
    schema: Schema,
    /// Where unqualified names live: the first schema of the dump's `search_path`.
    search_schema: String,
    tables: HashMap<QualifiedName, usize>,
    views: HashMap<QualifiedName, usize>,
    sequences: HashMap<QualifiedName, usize>,
    stmt_start: usize,
    stmt_end: usize,
}

impl<'a> Reader<'a> {
    fn new(file: &'a Path) -> Self {
        Reader {
            file,
            batch: Batch::default(),
            schema: Schema::new(crate::schema::Dialect::Postgres),
            search_schema: "public".to_owned(),
            tables: HashMap::new(),
            views: HashMap::new(),
            sequences: HashMap::new(),
            stmt_start: 0,
            stmt_end: 0,
        }
    }

    /// Apply a batch's statements, in order.
    fn batch(&mut self, batch: Batch, stmts: &[protobuf::RawStmt]) -> Result<()> {
        self.batch = batch;
        let len = self.batch.text.len();
        for (i, raw) in stmts.iter().enumerate() {
            let Some(node) = raw.stmt.as_deref().and_then(|n| n.node.as_ref()) else { continue };
            let at = raw.stmt_location.max(0) as usize;
            self.stmt_start = skip_blank(&self.batch.text, at);
            // A length of 0 means "to the end of the input": the next statement, or the batch's end.
            self.stmt_end = match usize::try_from(raw.stmt_len) {
                Ok(l) if l > 0 => at + l,
                _ => stmts.get(i + 1).map_or(len, |next| next.stmt_location.max(0) as usize),
            };
            self.statement(node)?;
        }
        Ok(())
    }

    fn error(&self, message: impl Into<String>, at: Option<i32>) -> Error {
        let offset = at.and_then(|l| usize::try_from(l).ok()).unwrap_or(self.stmt_start);
        Error::input(Diagnostic::new(message).at_offset_from(
            self.file,
            &self.batch.text,
            offset..offset + 1,
            self.batch.line,
        ))
    }

    fn statement_words(&self) -> String {
        let text = &self.batch.text;
        let rest = &text[self.stmt_start.min(text.len())..];
        rest.split_whitespace().take(3).collect::<Vec<_>>().join(" ").to_uppercase()
    }

    fn qname(&self, rv: &protobuf::RangeVar) -> QualifiedName {
        let schema = if rv.schemaname.is_empty() { self.search_schema.as_str() } else { rv.schemaname.as_str() };
        QualifiedName::new(Some(schema), &rv.relname)
    }

    fn qname_list(&self, names: &[Node]) -> QualifiedName {
        let parts = strings(names);
        match parts.as_slice() {
            [name] => QualifiedName::new(Some(&self.search_schema), name),
            [.., schema, name] => QualifiedName::new(Some(schema), name),
            [] => QualifiedName::new(Some(&self.search_schema), ""),
        }
    }

    fn expr(&self, n: &Node) -> String {
        deparse_expr_in(n, &self.search_schema)
    }

    fn type_text(&self, t: Option<&protobuf::TypeName>) -> String {
        t.map(|t| format_type(t, &self.search_schema)).unwrap_or_default()
    }

    fn table_index(&self, name: &QualifiedName, at: i32) -> Result<usize> {
        self.tables.get(name).copied().ok_or_else(|| {
            self.error(
                format!("{} refers to table {name}, which this dump does not create", self.statement_words()),
                Some(at),
            )
        })
    }

    fn statement(&mut self, n: &NodeEnum) -> Result<()> {
        match n {
            NodeEnum::VariableSetStmt(s) => {
                if s.name == "search_path" {
                    self.set_search_path(&s.args);
                }
            }
            NodeEnum::SelectStmt(s) => self.select(s)?,
            NodeEnum::CreateSchemaStmt(s) => {
                if !s.schema_elts.is_empty() {
                    return Err(self.error("CREATE SCHEMA with embedded statements is not supported", None));
                }
                if s.schemaname != "public" {
                    self.schema.namespaces.push(s.schemaname.clone());
                }
            }
            NodeEnum::CreateExtensionStmt(s) => {
                if s.extname != "plpgsql" {
                    let schema = s.options.iter().find_map(|o| match o.node.as_ref() {
                        Some(NodeEnum::DefElem(d)) if d.defname == "schema" => {
                            d.arg.as_deref().and_then(string_of).map(str::to_owned)
                        }
                        _ => None,
                    });
                    self.schema.extensions.push(Extension { name: s.extname.clone(), schema });
                }
            }
            NodeEnum::CreateEnumStmt(s) => {
                let name = self.qname_list(&s.type_name);
                self.schema.enums.push(EnumType { name, values: strings(&s.vals) });
            }
            NodeEnum::CompositeTypeStmt(s) => {
                let Some(rv) = &s.typevar else { return Ok(()) };
                let mut attributes = Vec::new();
                for c in &s.coldeflist {
                    if let Some(NodeEnum::ColumnDef(cd)) = c.node.as_ref() {
                        attributes.push(CompositeAttribute {
                            name: cd.colname.clone(),
                            data_type: self.type_text(cd.type_name.as_ref()),
                        });
                    }
                }
                let name = self.qname(rv);
                self.schema.composites.push(CompositeType { name, attributes });
            }
            NodeEnum::CreateFunctionStmt(f) => self.function(f),
            NodeEnum::CreateStmt(c) => self.create_table(c)?,
            NodeEnum::CreateSeqStmt(s) => self.create_sequence(s),
            NodeEnum::AlterSeqStmt(s) => self.alter_sequence(s)?,
            NodeEnum::AlterTableStmt(a) => self.alter_table(a)?,
            NodeEnum::IndexStmt(i) => self.index(i)?,
            NodeEnum::CreateTrigStmt(t) => self.trigger(t)?,
            NodeEnum::CommentStmt(c) => self.comment(c)?,
            NodeEnum::ViewStmt(v) => {
                let Some(rv) = &v.view else { return Ok(()) };
                let name = self.qname(rv);
                // pg_dump breaks view dependency cycles with a placeholder view replaced later.
                if v.replace
                    && let Some(i) = self.views.remove(&name)
                {
                    self.schema.views.remove(i);
                    self.views = self.schema.views.iter().enumerate().map(|(i, v)| (v.name.clone(), i)).collect();
                }
                self.view(name, false, &strings(&v.aliases), node(&v.query))?;
            }
            NodeEnum::CreateTableAsStmt(c) => {
                let Some(into) = c.into.as_deref() else { return Ok(()) };
                let Some(rv) = &into.rel else { return Ok(()) };
                if c.objtype != protobuf::ObjectType::ObjectMatview as i32 {
                    return Err(
                        self.error("CREATE TABLE … AS in a schema dump: expected CREATE MATERIALIZED VIEW", None)
                    );
                }
                let name = self.qname(rv);
                self.view(name, true, &strings(&into.col_names), node(&c.query))?;
            }
            NodeEnum::InsertStmt(i) => self.insert(i)?,
            // A dump with data: the rows were skipped as the file was read (`stream.rs`), but
            // schema_migrations' versions, which say which migrations the dump holds.
            NodeEnum::CopyStmt(c) if c.is_from && c.filename.is_empty() => {
                if c.relation.as_ref().is_some_and(|rv| rv.relname == "schema_migrations") {
                    let rows = std::mem::take(&mut self.batch.copy_rows);
                    self.schema.migrations.extend(rows);
                }
            }
            NodeEnum::AlterOwnerStmt(_)
            | NodeEnum::GrantStmt(_)
            | NodeEnum::GrantRoleStmt(_)
            | NodeEnum::AlterDefaultPrivilegesStmt(_)
            | NodeEnum::SecLabelStmt(_)
            | NodeEnum::CreatePolicyStmt(_)
            | NodeEnum::CreateDomainStmt(_)
            | NodeEnum::AlterDomainStmt(_)
            | NodeEnum::CreateRangeStmt(_)
            | NodeEnum::DefineStmt(_)
            | NodeEnum::CreateCastStmt(_)
            | NodeEnum::CreateOpClassStmt(_)
            | NodeEnum::CreateOpFamilyStmt(_)
            | NodeEnum::AlterOpFamilyStmt(_)
            | NodeEnum::CreateConversionStmt(_)
            | NodeEnum::CreateStatsStmt(_)
            | NodeEnum::AlterStatsStmt(_)
            | NodeEnum::RuleStmt(_)
            | NodeEnum::CreateEventTrigStmt(_)
            | NodeEnum::CreatePublicationStmt(_)
            | NodeEnum::CreateSubscriptionStmt(_)
            | NodeEnum::CreatePlangStmt(_)
            | NodeEnum::AlterFunctionStmt(_)
            | NodeEnum::AlterTsconfigurationStmt(_)
            | NodeEnum::AlterTsdictionaryStmt(_)
            | NodeEnum::TransactionStmt(_) => {}
            _ => {
                return Err(self.error(
                    format!(
                        "unexpected statement in a schema dump: {} (expected pg_dump --schema-only DDL)",
                        self.statement_words()
                    ),
                    None,
                ));
            }
        }
        Ok(())
    }

    fn set_search_path(&mut self, args: &[Node]) {
        let first = args
            .iter()
            .filter_map(|a| match a.node.as_ref() {
                Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
                    Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                    _ => None,
                },
                _ => None,
            })
            .find(|s| s != "pg_catalog" && s != "$user" && !s.is_empty());
        self.search_schema = first.unwrap_or_else(|| "public".to_owned());
    }

    fn select(&mut self, s: &protobuf::SelectStmt) -> Result<()> {
        // pg_dump emits `SELECT pg_catalog.set_config('search_path', '', false);` and, for data
        // dumps, `SELECT pg_catalog.setval(…)`.
        let only_call = match (s.target_list.as_slice(), s.from_clause.is_empty()) {
            ([t], true) => match t.node.as_ref() {
                Some(NodeEnum::ResTarget(rt)) => match node(&rt.val) {
                    Some(NodeEnum::FuncCall(f)) => Some(f),
                    _ => None,
                },
                _ => None,
            },
            _ => None,
        };
        let Some(f) = only_call else {
            return Err(self.error("unexpected SELECT in a schema dump", None));
        };
        let name = strings(&f.funcname);
        match name.last().map(String::as_str) {
            Some("set_config") => {
                let args: Vec<String> = f
                    .args
                    .iter()
                    .map(|a| match a.node.as_ref() {
                        Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
                            Some(protobuf::a_const::Val::Sval(s)) => s.sval.clone(),
                            _ => String::new(),
                        },
                        _ => String::new(),
                    })
                    .collect();
                if args.first().is_some_and(|a| a == "search_path") {
                    let path = args.get(1).cloned().unwrap_or_default();
                    let first = path
                        .split(',')
                        .map(|p| p.trim().trim_matches('"'))
                        .find(|p| !p.is_empty() && *p != "pg_catalog" && *p != "$user");
                    self.search_schema = first.unwrap_or("public").to_owned();
                }
                Ok(())
            }
            Some("setval") => Ok(()),
            _ => Err(self.error(format!("unexpected SELECT {}(…) in a schema dump", name.join(".")), Some(f.location))),
        }
    }

    fn function(&mut self, f: &protobuf::CreateFunctionStmt) {
        use protobuf::FunctionParameterMode as M;
        let name = self.qname_list(&f.funcname);
        let mut args = Vec::new();
        let mut table_cols = Vec::new();
        for p in &f.parameters {
            let Some(NodeEnum::FunctionParameter(p)) = p.node.as_ref() else { continue };
            let ty = self.type_text(p.arg_type.as_ref());
            let named =
                if p.name.is_empty() { ty.clone() } else { format!("{} {ty}", super::types::quote_ident(&p.name)) };
            match M::try_from(p.mode).unwrap_or(M::FuncParamIn) {
                M::FuncParamOut => {}
                M::FuncParamTable => table_cols.push(named),
                M::FuncParamInout => args.push(format!("INOUT {named}")),
                M::FuncParamVariadic => args.push(format!("VARIADIC {named}")),
                _ => args.push(named),
            }
        }
        let returns = if !table_cols.is_empty() {
            format!("TABLE({})", table_cols.join(", "))
        } else if f.is_procedure {
            String::new()
        } else {
            self.type_text(f.return_type.as_ref())
        };
        let mut language = String::new();
        let mut body = String::new();
        for o in &f.options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else { continue };
            match d.defname.as_str() {
                "language" => language = d.arg.as_deref().and_then(string_of).unwrap_or_default().to_lowercase(),
                "as" => {
                    if let Some(NodeEnum::List(l)) = node(&d.arg) {
                        body = strings(&l.items).join(", ");
                    }
                }
                _ => {}
            }
        }
        if f.sql_body.is_some() {
            // `BEGIN ATOMIC … END` / `RETURN expr`: keep the deparser's text from the body on.
            let stmt = NodeEnum::CreateFunctionStmt(Box::new(f.clone()));
            let text = stmt.deparse(Default::default()).unwrap_or_default();
            let at = text.find("BEGIN ATOMIC").or_else(|| text.rfind(" RETURN ").map(|i| i + 1));
            body = at.map(|i| text[i..].to_owned()).unwrap_or_default();
            if language.is_empty() {
                language = "sql".to_owned();
            }
        }
        let arguments = args.join(", ");
        self.schema.functions.retain(|f| !(f.name == name && f.arguments == arguments));
        self.schema.functions.push(Function { name, arguments, returns, language, body: body.trim().to_owned() });
    }

    /// Add a sequence, replacing one of the same name (a serial column's implicit sequence
    /// followed by an explicit CREATE SEQUENCE, for instance).
    fn upsert_sequence(&mut self, seq: Sequence) {
        match self.sequences.get(&seq.name) {
            Some(&i) => self.schema.sequences[i] = seq,
            None => {
                self.sequences.insert(seq.name.clone(), self.schema.sequences.len());
                self.schema.sequences.push(seq);
            }
        }
    }

    fn add_table(&mut self, table: Table) {
        self.tables.insert(table.name.clone(), self.schema.tables.len());
        self.schema.tables.push(table);
    }

    fn create_table(&mut self, c: &protobuf::CreateStmt) -> Result<()> {
        let Some(rv) = &c.relation else { return Ok(()) };
        let name = self.qname(rv);
        if self.tables.contains_key(&name) {
            return Err(self.error(format!("table {name} is created twice"), Some(rv.location)));
        }
        let mut table = Table::new(name.clone());
        table.unlogged = rv.relpersistence == "u";
        if let Some(spec) = &c.partspec {
            table.partition_by = Some(self.partition_spec(spec));
        }
        if let Some(bound) = &c.partbound {
            let parent = match c.inh_relations.first().and_then(|n| n.node.as_ref()) {
                Some(NodeEnum::RangeVar(p)) => self.qname(p),
                _ => return Err(self.error("PARTITION OF without a parent table", Some(rv.location))),
            };
            let idx = self.table_index(&parent, rv.location)?;
            // A partition has its parent's columns; the statement may only add constraints.
            table.columns = self.schema.tables[idx].columns.clone();
            table.partition_of = Some(PartitionOf { parent, bound: partition_bound(bound) });
        }
        if c.partbound.is_none() {
            // `INHERITS (parent)`: pg_dump lists only the child's own columns.
            for parent in &c.inh_relations {
                let Some(NodeEnum::RangeVar(p)) = parent.node.as_ref() else { continue };
                let idx = self.table_index(&self.qname(p), p.location)?;
                for col in &self.schema.tables[idx].columns {
                    if table.column(&col.name).is_none() {
                        table.columns.push(Column { comment: None, ..col.clone() });
                    }
                }
            }
        }
        let mut deferred = Vec::new();
        for elt in &c.table_elts {
            match elt.node.as_ref() {
                Some(NodeEnum::ColumnDef(cd)) => {
                    if table.partition_of.is_some()
                        && let Some(pos) = table.columns.iter().position(|col| col.name == cd.colname)
                    {
                        // `PARTITION OF p (col WITH OPTIONS NOT NULL …)` refines an inherited column.
                        let existing = table.columns.remove(pos);
                        let mut refined = self.column(&mut table, cd, &mut deferred)?;
                        refined.data_type = existing.data_type;
                        table.columns.insert(pos, refined);
                        continue;
                    }
                    let col = self.column(&mut table, cd, &mut deferred)?;
                    match table.columns.iter().position(|c| c.name == col.name) {
                        // An inherited column redeclared locally: the local definition wins.
                        Some(pos) => table.columns[pos] = col,
                        None => table.columns.push(col),
                    }
                }
                Some(NodeEnum::Constraint(con)) => deferred.push((**con).clone()),
                Some(NodeEnum::TableLikeClause(_)) => {
                    return Err(
                        self.error("CREATE TABLE … (LIKE …) is not supported in a schema dump", Some(rv.location))
                    );
                }
                _ => {}
            }
        }
        for con in deferred.iter().chain(c.constraints.iter().filter_map(|n| match n.node.as_ref() {
            Some(NodeEnum::Constraint(c)) => Some(&**c),
            _ => None,
        })) {
            self.table_constraint(&mut table, con)?;
        }
        self.add_table(table);
        Ok(())
    }

    fn partition_spec(&self, spec: &protobuf::PartitionSpec) -> String {
        let strategy = match protobuf::PartitionStrategy::try_from(spec.strategy) {
            Ok(protobuf::PartitionStrategy::List) => "LIST",
            Ok(protobuf::PartitionStrategy::Hash) => "HASH",
            _ => "RANGE",
        };
        let params: Vec<String> = spec
            .part_params
            .iter()
            .filter_map(|p| match p.node.as_ref() {
                Some(NodeEnum::PartitionElem(e)) => {
                    let mut s = if e.name.is_empty() {
                        e.expr.as_deref().map(|x| format!("({})", self.expr(x))).unwrap_or_default()
                    } else {
                        super::types::quote_ident(&e.name)
                    };
                    let opclass = strings(&e.opclass);
                    if !opclass.is_empty() {
                        s.push(' ');
                        s.push_str(&opclass.join("."));
                    }
                    Some(s)
                }
                _ => None,
            })
            .collect();
        format!("{strategy} ({})", params.join(", "))
    }

    /// Build a column from its definition; table-level effects (inline PRIMARY KEY, UNIQUE,
    /// REFERENCES, CHECK) are pushed to `deferred` as table constraints naming the column.
    fn column(
        &mut self,
        table: &mut Table,
        cd: &protobuf::ColumnDef,
        deferred: &mut Vec<protobuf::Constraint>,
    ) -> Result<Column> {
        let type_names = cd.type_name.as_ref().map(|t| strings(&t.names)).unwrap_or_default();
        let serial = match type_names.as_slice() {
            [n] if cd.type_name.as_ref().is_some_and(|t| t.array_bounds.is_empty()) => match n.as_str() {
                "serial" | "serial4" => Some("integer"),
                "bigserial" | "serial8" => Some("bigint"),
                "smallserial" | "serial2" => Some("smallint"),
                _ => None,
            },
            _ => None,
        };
        let mut col =
            Column::new(&cd.colname, &serial.map_or_else(|| self.type_text(cd.type_name.as_ref()), str::to_owned));
        if cd.is_not_null {
            col.nullable = false;
        }
        if let Some(d) = cd.raw_default.as_deref() {
            col.default = Some(self.default_expr(d));
        }
        if let Some(coll) = cd.coll_clause.as_deref() {
            col.collation = Some(collation_name(&strings(&coll.collname)));
        }
        if let Some(ty) = serial {
            let seq =
                QualifiedName::new(table.name.schema.as_deref(), &format!("{}_{}_seq", table.name.name, cd.colname));
            col.nullable = false;
            col.default = Some(super::expr::normalize_expr(&format!(
                "nextval('{}'::regclass)",
                format!("{}.{}", seq.schema.as_deref().unwrap_or("public"), seq.name).replace('\'', "''")
            )));
            self.upsert_sequence(Sequence {
                name: seq,
                data_type: Some(ty.to_owned()),
                start: Some(1),
                increment: Some(1),
                owned_by: Some(ColumnRef { table: table.name.clone(), column: cd.colname.clone() }),
            });
        }
        for c in &cd.constraints {
            let Some(NodeEnum::Constraint(con)) = c.node.as_ref() else { continue };
            match ConstrType::try_from(con.contype).unwrap_or(ConstrType::Undefined) {
                ConstrType::ConstrNotnull => col.nullable = false,
                ConstrType::ConstrNull => col.nullable = true,
                ConstrType::ConstrDefault => {
                    if let Some(e) = con.raw_expr.as_deref() {
                        col.default = Some(self.default_expr(e));
                    }
                }
                ConstrType::ConstrIdentity => {
                    col.nullable = false;
                    col.identity = Some(if con.generated_when == "a" { Identity::Always } else { Identity::ByDefault });
                    self.identity_sequence(&table.name, &cd.colname, &col.data_type, &con.options);
                }
                ConstrType::ConstrGenerated => {
                    col.generated = con.raw_expr.as_deref().map(|e| self.expr(e));
                }
                ConstrType::ConstrPrimary
                | ConstrType::ConstrUnique
                | ConstrType::ConstrForeign
                | ConstrType::ConstrCheck => {
                    let mut con = (**con).clone();
                    let key = Node { node: Some(NodeEnum::String(protobuf::String { sval: cd.colname.clone() })) };
                    match ConstrType::try_from(con.contype) {
                        Ok(ConstrType::ConstrForeign) => con.fk_attrs = vec![key],
                        Ok(ConstrType::ConstrCheck) => {
                            if con.conname.is_empty() {
                                con.conname = format!("{}_{}_check", table.name.name, cd.colname);
                            }
                        }
                        _ => con.keys = vec![key],
                    }
                    deferred.push(con);
                }
                _ => {}
            }
        }
        Ok(col)
    }

    /// A column default; `nextval('seq'::regclass)` written unqualified (pre-10 dumps, with
    /// `search_path = public`) is qualified so both dump styles of one database agree.
    fn default_expr(&self, n: &Node) -> String {
        if let Some(NodeEnum::FuncCall(f)) = n.node.as_ref()
            && strings(&f.funcname).last().is_some_and(|s| s == "nextval")
            && let [arg] = f.args.as_slice()
            && let Some(NodeEnum::TypeCast(tc)) = arg.node.as_ref()
            && let Some(NodeEnum::AConst(c)) = node(&tc.arg)
            && let Some(protobuf::a_const::Val::Sval(s)) = c.val.as_ref()
            && !s.sval.contains('.')
        {
            let mut f2 = (**f).clone();
            let mut tc2 = (**tc).clone();
            let mut c2 = c.clone();
            c2.val = Some(protobuf::a_const::Val::Sval(protobuf::String {
                sval: format!("{}.{}", self.search_schema, s.sval),
            }));
            tc2.arg = Some(Box::new(Node { node: Some(NodeEnum::AConst(c2)) }));
            f2.args = vec![Node { node: Some(NodeEnum::TypeCast(Box::new(tc2))) }];
            return self.expr(&Node { node: Some(NodeEnum::FuncCall(Box::new(f2))) });
        }
        self.expr(n)
    }

    fn identity_sequence(&mut self, table: &QualifiedName, column: &str, data_type: &str, options: &[Node]) {
        let mut seq = Sequence {
            name: QualifiedName::new(table.schema.as_deref(), &format!("{}_{column}_seq", table.name)),
            data_type: Some(data_type.to_owned()),
            start: Some(1),
            increment: Some(1),
            owned_by: Some(ColumnRef { table: table.clone(), column: column.to_owned() }),
        };
        self.sequence_options(&mut seq, options);
        self.upsert_sequence(seq);
    }

    fn sequence_options(&self, seq: &mut Sequence, options: &[Node]) {
        let mut start_given = false;
        for o in options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else { continue };
            match d.defname.as_str() {
                "sequence_name" => {
                    if let Some(NodeEnum::List(l)) = node(&d.arg) {
                        seq.name = self.qname_list(&l.items);
                    }
                }
                "as" => {
                    if let Some(NodeEnum::TypeName(t)) = node(&d.arg) {
                        seq.data_type = Some(format_type(t, &self.search_schema));
                    }
                }
                "start" => {
                    seq.start = int_arg(&d.arg);
                    start_given = true;
                }
                "increment" => seq.increment = int_arg(&d.arg),
                _ => {}
            }
        }
        // A descending sequence starts at -1 unless told otherwise.
        if !start_given && seq.increment.is_some_and(|i| i < 0) {
            seq.start = Some(-1);
        }
    }

    fn table_constraint(&mut self, table: &mut Table, con: &protobuf::Constraint) -> Result<()> {
        let t = table.name.name.clone();
        match ConstrType::try_from(con.contype).unwrap_or(ConstrType::Undefined) {
            ConstrType::ConstrPrimary => {
                let columns = strings(&con.keys);
                for c in &columns {
                    if let Some(col) = table.column_mut(c) {
                        col.nullable = false;
                    }
                }
                let name = if con.conname.is_empty() { format!("{t}_pkey") } else { con.conname.clone() };
                table.primary_key = Some(PrimaryKey { name: Some(name), columns });
            }
            ConstrType::ConstrUnique => {
                let columns = strings(&con.keys);
                let name =
                    if con.conname.is_empty() { format!("{t}_{}_key", columns.join("_")) } else { con.conname.clone() };
                table.uniques.push(UniqueConstraint { name: Some(name), columns });
            }
            ConstrType::ConstrCheck => {
                let expression = con.raw_expr.as_deref().map(|e| self.expr(e)).unwrap_or_default();
                let name = if con.conname.is_empty() {
                    match single_column(con.raw_expr.as_deref()) {
                        Some(c) => format!("{t}_{c}_check"),
                        None => format!("{t}_check"),
                    }
                } else {
                    con.conname.clone()
                };
                table.checks.push(CheckConstraint { name: Some(name), expression, validated: !con.skip_validation });
            }
            ConstrType::ConstrForeign => {
                let Some(pk) = &con.pktable else { return Ok(()) };
                let columns = strings(&con.fk_attrs);
                let name = if con.conname.is_empty() {
                    format!("{t}_{}_fkey", columns.join("_"))
                } else {
                    con.conname.clone()
                };
                table.foreign_keys.push(ForeignKey {
                    name: Some(name),
                    columns,
                    references: self.qname(pk),
                    referenced_columns: strings(&con.pk_attrs),
                    on_delete: fk_action(&con.fk_del_action),
                    on_update: fk_action(&con.fk_upd_action),
                    deferrable: con.deferrable,
                    validated: !con.skip_validation,
                });
            }
            ConstrType::ConstrNotnull => {
                for c in strings(&con.keys) {
                    if let Some(col) = table.column_mut(&c) {
                        col.nullable = false;
                    }
                }
            }
            // EXCLUDE constraints are not in the model (see IGNORED).
            ConstrType::ConstrExclusion => {}
            _ => return Err(self.error("unsupported table constraint", Some(con.location))),
        }
        Ok(())
    }

    fn create_sequence(&mut self, s: &protobuf::CreateSeqStmt) {
        let Some(rv) = &s.sequence else { return };
        let mut seq = Sequence {
            name: self.qname(rv),
            data_type: Some("bigint".to_owned()),
            start: Some(1),
            increment: Some(1),
            owned_by: None,
        };
        self.sequence_options(&mut seq, &s.options);
        self.upsert_sequence(seq);
    }

    fn alter_sequence(&mut self, s: &protobuf::AlterSeqStmt) -> Result<()> {
        let Some(rv) = &s.sequence else { return Ok(()) };
        let name = self.qname(rv);
        let search = self.search_schema.clone();
        let Some(&pos) = self.sequences.get(&name) else {
            return Err(self.error(
                format!("ALTER SEQUENCE refers to sequence {name}, which this dump does not create"),
                Some(rv.location),
            ));
        };
        let mut seq = self.schema.sequences[pos].clone();
        for o in &s.options {
            let Some(NodeEnum::DefElem(d)) = o.node.as_ref() else { continue };
            if d.defname == "owned_by" {
                let Some(NodeEnum::List(l)) = node(&d.arg) else { continue };
                let parts = strings(&l.items);
                seq.owned_by = match parts.as_slice() {
                    [none] if none == "none" => None,
                    [table, column] => {
                        Some(ColumnRef { table: QualifiedName::new(Some(&search), table), column: column.clone() })
                    }
                    [.., schema, table, column] => {
                        Some(ColumnRef { table: QualifiedName::new(Some(schema), table), column: column.clone() })
                    }
                    _ => None,
                };
            }
        }
        self.sequence_options(&mut seq, &s.options);
        self.schema.sequences[pos] = seq;
        Ok(())
    }

    fn alter_table(&mut self, a: &protobuf::AlterTableStmt) -> Result<()> {
        use protobuf::AlterTableType as T;
        let Some(rv) = &a.relation else { return Ok(()) };
        let name = self.qname(rv);
        let cmds: Vec<&protobuf::AlterTableCmd> = a
            .cmds
            .iter()
            .filter_map(|c| match c.node.as_ref() {
                Some(NodeEnum::AlterTableCmd(c)) => Some(&**c),
                _ => None,
            })
            .collect();
        let ignorable = |t: T| {
            matches!(
                t,
                T::AtChangeOwner
                    | T::AtClusterOn
                    | T::AtDropCluster
                    | T::AtReplicaIdentity
                    | T::AtSetStatistics
                    | T::AtSetOptions
                    | T::AtResetOptions
                    | T::AtSetStorage
                    | T::AtSetCompression
                    | T::AtSetRelOptions
                    | T::AtResetRelOptions
                    | T::AtReplaceRelOptions
                    | T::AtGenericOptions
                    | T::AtSetTableSpace
                    | T::AtSetAccessMethod
                    | T::AtEnableTrig
                    | T::AtEnableAlwaysTrig
                    | T::AtEnableReplicaTrig
                    | T::AtDisableTrig
                    | T::AtEnableTrigAll
                    | T::AtDisableTrigAll
                    | T::AtEnableTrigUser
                    | T::AtDisableTrigUser
                    | T::AtEnableRule
                    | T::AtEnableAlwaysRule
                    | T::AtEnableReplicaRule
                    | T::AtDisableRule
                    | T::AtEnableRowSecurity
                    | T::AtDisableRowSecurity
                    | T::AtForceRowSecurity
                    | T::AtNoForceRowSecurity
                    | T::AtAddInherit
                    | T::AtDropInherit
            )
        };
        // `ALTER INDEX parent_idx ATTACH PARTITION child_idx`: partition indexes are not modelled
        // apart from their own CREATE INDEX.
        if a.objtype == protobuf::ObjectType::ObjectIndex as i32 {
            return Ok(());
        }
        let kinds: Vec<T> = cmds.iter().map(|c| T::try_from(c.subtype).unwrap_or(T::Undefined)).collect();
        if kinds.iter().all(|&k| ignorable(k)) {
            return Ok(());
        }
        // `ALTER VIEW v ALTER COLUMN c SET DEFAULT …` and the like: views keep no such details.
        if !self.tables.contains_key(&name) && self.views.contains_key(&name) {
            return Ok(());
        }
        let idx = self.table_index(&name, rv.location)?;
        for (cmd, kind) in cmds.iter().zip(kinds) {
            let mut table = std::mem::replace(&mut self.schema.tables[idx], Table::new(name.clone()));
            let outcome = self.alter_table_cmd(&mut table, cmd, kind, rv.location);
            self.schema.tables[idx] = table;
            match outcome {
                Ok(()) => {}
                Err(_) if ignorable(kind) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn alter_table_cmd(
        &mut self,
        table: &mut Table,
        cmd: &protobuf::AlterTableCmd,
        kind: protobuf::AlterTableType,
        at: i32,
    ) -> Result<()> {
        use protobuf::AlterTableType as T;
        let column =
            |table: &mut Table, name: &str| -> Option<usize> { table.columns.iter().position(|c| c.name == name) };
        match kind {
            T::AtAddConstraint => {
                if let Some(NodeEnum::Constraint(c)) = node(&cmd.def) {
                    self.table_constraint(table, c)?;
                }
            }
            T::AtColumnDefault => {
                let Some(i) = column(table, &cmd.name) else {
                    return Err(self.error(format!("table {} has no column {}", table.name, cmd.name), Some(at)));
                };
                table.columns[i].default = cmd.def.as_deref().map(|d| self.default_expr(d));
            }
            T::AtAddIdentity => {
                let Some(i) = column(table, &cmd.name) else {
                    return Err(self.error(format!("table {} has no column {}", table.name, cmd.name), Some(at)));
                };
                if let Some(NodeEnum::Constraint(c)) = node(&cmd.def) {
                    let col = &mut table.columns[i];
                    col.nullable = false;
                    col.identity = Some(if c.generated_when == "a" { Identity::Always } else { Identity::ByDefault });
                    let ty = col.data_type.clone();
                    self.identity_sequence(&table.name, &cmd.name, &ty, &c.options);
                }
            }
            T::AtSetNotNull | T::AtDropNotNull => {
                let Some(i) = column(table, &cmd.name) else {
                    return Err(self.error(format!("table {} has no column {}", table.name, cmd.name), Some(at)));
                };
                table.columns[i].nullable = kind == T::AtDropNotNull;
            }
            T::AtAddColumn => {
                if let Some(NodeEnum::ColumnDef(cd)) = node(&cmd.def) {
                    let mut deferred = Vec::new();
                    let col = self.column(table, cd, &mut deferred)?;
                    table.columns.push(col);
                    for con in &deferred {
                        self.table_constraint(table, con)?;
                    }
                }
            }
            T::AtValidateConstraint => {
                for c in &mut table.checks {
                    if c.name.as_deref() == Some(cmd.name.as_str()) {
                        c.validated = true;
                    }
                }
                for f in &mut table.foreign_keys {
                    if f.name.as_deref() == Some(cmd.name.as_str()) {
                        f.validated = true;
                    }
                }
            }
            T::AtSetUnLogged => table.unlogged = true,
            T::AtSetLogged => table.unlogged = false,
            T::AtAttachPartition => {
                let Some(NodeEnum::PartitionCmd(pc)) = node(&cmd.def) else { return Ok(()) };
                let (Some(child), Some(bound)) = (&pc.name, &pc.bound) else { return Ok(()) };
                let child_name = self.qname(child);
                let idx = self.table_index(&child_name, child.location)?;
                self.schema.tables[idx].partition_of =
                    Some(PartitionOf { parent: table.name.clone(), bound: partition_bound(bound) });
            }
            other => {
                return Err(self.error(
                    format!(
                        "unsupported ALTER TABLE action in a schema dump ({})",
                        other.as_str_name().trim_start_matches("AT_")
                    ),
                    Some(at),
                ));
            }
        }
        Ok(())
    }

    fn index(&mut self, i: &protobuf::IndexStmt) -> Result<()> {
        let Some(rv) = &i.relation else { return Ok(()) };
        let name = self.qname(rv);
        let mut keys = Vec::new();
        for p in &i.index_params {
            let Some(NodeEnum::IndexElem(e)) = p.node.as_ref() else { continue };
            keys.push(index_key(e, &self.search_schema));
        }
        let index = Index {
            name: i.idxname.clone(),
            unique: i.unique,
            method: if i.access_method.is_empty() { "btree".to_owned() } else { i.access_method.to_lowercase() },
            keys,
            include: i
                .index_including_params
                .iter()
                .filter_map(|p| match p.node.as_ref() {
                    Some(NodeEnum::IndexElem(e)) => Some(e.name.clone()),
                    _ => None,
                })
                .collect(),
            predicate: i.where_clause.as_deref().map(|e| self.expr(e)),
        };
        if let Some(&t) = self.tables.get(&name) {
            self.schema.tables[t].indexes.push(index);
        } else if let Some(&v) = self.views.get(&name) {
            self.schema.views[v].indexes.push(index);
        } else {
            return Err(self.error(
                format!("CREATE INDEX {} on {name}, which this dump does not create", i.idxname),
                Some(rv.location),
            ));
        }
        Ok(())
    }

    fn trigger(&mut self, t: &protobuf::CreateTrigStmt) -> Result<()> {
        let Some(rv) = &t.relation else { return Ok(()) };
        let table = self.qname(rv);
        if !self.tables.contains_key(&table) && !self.views.contains_key(&table) {
            return Err(self.error(
                format!("CREATE TRIGGER {} on {table}, which this dump does not create", t.trigname),
                Some(rv.location),
            ));
        }
        let timing = match t.timing {
            2 => "BEFORE",
            64 => "INSTEAD OF",
            _ => "AFTER",
        };
        let mut events = Vec::new();
        if t.events & 4 != 0 {
            events.push("INSERT".to_owned());
        }
        if t.events & 16 != 0 {
            let cols = strings(&t.columns);
            events.push(if cols.is_empty() { "UPDATE".to_owned() } else { format!("UPDATE OF {}", cols.join(", ")) });
        }
        if t.events & 8 != 0 {
            events.push("DELETE".to_owned());
        }
        if t.events & 32 != 0 {
            events.push("TRUNCATE".to_owned());
        }
        self.schema.triggers.push(Trigger {
            name: t.trigname.clone(),
            table,
            function: self.qname_list(&t.funcname),
            timing: timing.to_owned(),
            events,
            for_each_row: t.row,
            when: t.when_clause.as_deref().map(|e| self.expr(e)),
        });
        Ok(())
    }

    fn comment(&mut self, c: &protobuf::CommentStmt) -> Result<()> {
        use protobuf::ObjectType as O;
        let kind = O::try_from(c.objtype).unwrap_or(O::Undefined);
        if !matches!(kind, O::ObjectTable | O::ObjectColumn) {
            return Ok(());
        }
        let Some(NodeEnum::List(l)) = node(&c.object) else { return Ok(()) };
        let mut parts = strings(&l.items);
        let column = if kind == O::ObjectColumn { parts.pop() } else { None };
        let name = self.qname_list(
            &parts
                .iter()
                .map(|p| Node { node: Some(NodeEnum::String(protobuf::String { sval: p.clone() })) })
                .collect::<Vec<_>>(),
        );
        let comment = (!c.comment.is_empty()).then(|| c.comment.clone());
        let Some(&idx) = self.tables.get(&name) else {
            // Comments on view columns have no place in the model.
            if self.views.contains_key(&name) {
                return Ok(());
            }
            return Err(self.error(format!("COMMENT ON {name}, which this dump does not create"), None));
        };
        let table = &mut self.schema.tables[idx];
        match column {
            None => table.comment = comment,
            Some(col) => match table.column_mut(&col) {
                Some(c) => c.comment = comment,
                None => return Err(self.error(format!("COMMENT ON COLUMN {name}.{col}: no such column"), None)),
            },
        }
        Ok(())
    }

    fn view(
        &mut self,
        name: QualifiedName,
        materialized: bool,
        aliases: &[String],
        query: Option<&NodeEnum>,
    ) -> Result<()> {
        let Some(query) = query else { return Ok(()) };
        let definition = query
            .deparse(Default::default())
            .map_err(|e| self.error(format!("cannot print view {name}: {e}"), None))?;
        // Resolution reads its own parse of the statement; its offsets are shifted to the
        // batch's, which the query's node locations count from.
        let statement = self.batch.text.get(self.stmt_start..self.stmt_end).unwrap_or_default();
        let shift = self.stmt_start;
        let refs: Vec<crate::sql::SqlRef> = crate::sql::statement_refs(statement)
            .map_err(|e| self.error(format!("cannot read the query of view {name}: {e}"), None))?
            .into_iter()
            .map(|r| crate::sql::SqlRef { offset: r.offset + shift, ..r })
            .collect();
        let mut deps: Vec<ViewDependency> = Vec::new();
        for r in &refs {
            let has =
                |t: &QualifiedName, c: &str| self.relation_columns(t).is_some_and(|cols| cols.iter().any(|x| x == c));
            let Some(rel) = r.resolve(|t, c| has(&self.qualify(t), c)).or_else(|| r.candidates.first()) else {
                continue;
            };
            let rel = self.qualify(rel);
            let entry = match deps.iter_mut().position(|d| d.relation == rel) {
                Some(i) => &mut deps[i],
                None => {
                    deps.push(ViewDependency { relation: rel.clone(), columns: Vec::new() });
                    let last = deps.len() - 1;
                    &mut deps[last]
                }
            };
            match r.column.as_deref() {
                Some("*") => entry.columns.extend(self.relation_columns(&rel).unwrap_or_default()),
                Some(c) => entry.columns.push(c.to_owned()),
                None => {}
            }
        }
        let columns = if aliases.is_empty() {
            let lookup = |rel: &QualifiedName| self.relation_columns(&self.qualify(rel));
            crate::sql::columns::output_columns(query, &refs, &lookup).names
        } else {
            aliases.to_vec()
        };
        let view =
            View { name: name.clone(), materialized, definition, columns, depends_on: deps, indexes: Vec::new() };
        if self.views.contains_key(&name) || self.tables.contains_key(&name) {
            return Err(self.error(format!("relation {name} is created twice"), None));
        }
        self.views.insert(name, self.schema.views.len());
        self.schema.views.push(view);
        Ok(())
    }

    fn qualify(&self, t: &QualifiedName) -> QualifiedName {
        match &t.schema {
            Some(_) => t.clone(),
            None => QualifiedName::new(Some(&self.search_schema), &t.name),
        }
    }

    fn relation_columns(&self, t: &QualifiedName) -> Option<Vec<String>> {
        if let Some(&i) = self.tables.get(t) {
            return Some(self.schema.tables[i].columns.iter().map(|c| c.name.clone()).collect());
        }
        self.views.get(t).map(|&i| self.schema.views[i].columns.clone())
    }

    fn insert(&mut self, i: &protobuf::InsertStmt) -> Result<()> {
        let Some(rv) = &i.relation else { return Ok(()) };
        if rv.relname != "schema_migrations" {
            return Err(self.error(
                format!(
                    "unexpected INSERT INTO {} in a schema dump (only schema_migrations rows are read)",
                    rv.relname
                ),
                Some(rv.location),
            ));
        }
        let Some(NodeEnum::SelectStmt(s)) = node(&i.select_stmt) else { return Ok(()) };
        for row in &s.values_lists {
            let Some(NodeEnum::List(l)) = row.node.as_ref() else { continue };
            for v in &l.items {
                let value = match v.node.as_ref() {
                    Some(NodeEnum::AConst(c)) => match c.val.as_ref() {
                        Some(protobuf::a_const::Val::Sval(s)) => Some(s.sval.clone()),
                        Some(protobuf::a_const::Val::Ival(n)) => Some(n.ival.to_string()),
                        Some(protobuf::a_const::Val::Fval(f)) => Some(f.fval.clone()),
                        _ => None,
                    },
                    _ => None,
                };
                match value {
                    Some(v) => self.schema.migrations.push(v),
                    None => return Err(self.error("schema_migrations rows must be constant versions", None)),
                }
            }
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Schema> {
        // `REFERENCES t` without columns means t's primary key.
        let pks: HashMap<QualifiedName, Vec<String>> = self
            .schema
            .tables
            .iter()
            .filter_map(|t| t.primary_key.as_ref().map(|pk| (t.name.clone(), pk.columns.clone())))
            .collect();
        for t in &mut self.schema.tables {
            for fk in &mut t.foreign_keys {
                if fk.referenced_columns.is_empty()
                    && let Some(cols) = pks.get(&fk.references)
                {
                    fk.referenced_columns = cols.clone();
                }
            }
        }
        self.schema.canonicalize();
        Ok(self.schema)
    }
}

fn collation_name(parts: &[String]) -> String {
    match parts {
        [schema, name] if schema == "pg_catalog" => name.clone(),
        _ => parts.join("."),
    }
}

fn index_key(e: &protobuf::IndexElem, schema: &str) -> IndexKey {
    use protobuf::{SortByDir as D, SortByNulls as N};
    let part = match e.expr.as_deref() {
        Some(x) if e.name.is_empty() => match x.node.as_ref() {
            // `(col)` written as an expression is still the column.
            Some(NodeEnum::ColumnRef(c)) if c.fields.len() == 1 => {
                IndexPart::Column(c.fields.first().and_then(string_of).unwrap_or_default().to_owned())
            }
            _ => IndexPart::Expression(deparse_expr_in(x, schema)),
        },
        _ => IndexPart::Column(e.name.clone()),
    };
    let desc = D::try_from(e.ordering) == Ok(D::SortbyDesc);
    let nulls = N::try_from(e.nulls_ordering).unwrap_or(N::SortbyNullsDefault);
    // pg_get_indexdef prints only what differs from the default: DESC implies NULLS FIRST.
    let order = match (desc, nulls) {
        (false, N::SortbyNullsFirst) => Some("NULLS FIRST"),
        (true, N::SortbyNullsLast) => Some("DESC NULLS LAST"),
        (true, _) => Some("DESC"),
        _ => None,
    };
    let opclass = strings(&e.opclass);
    let opclass = match opclass.as_slice() {
        [] => None,
        [schema, name] if schema == "pg_catalog" => Some(name.clone()),
        parts => Some(parts.join(".")),
    };
    IndexKey { part, order: order.map(str::to_owned), opclass }
}

fn partition_bound(b: &protobuf::PartitionBoundSpec) -> String {
    let list = |l: &[Node]| l.iter().map(|x| deparse_expr_in(x, "public")).collect::<Vec<_>>().join(", ");
    if b.is_default {
        return "DEFAULT".to_owned();
    }
    match b.strategy.as_str() {
        "l" => format!("FOR VALUES IN ({})", list(&b.listdatums)),
        "h" => format!("FOR VALUES WITH (modulus {}, remainder {})", b.modulus, b.remainder),
        _ => format!("FOR VALUES FROM ({}) TO ({})", list(&b.lowerdatums), list(&b.upperdatums)),
    }
}

/// The column a CHECK expression reads, when it reads exactly one (PostgreSQL names such a
/// constraint `table_column_check`).
fn single_column(expr: Option<&Node>) -> Option<String> {
    let expr = expr?.node.as_ref()?;
    let mut names: Vec<String> = expr
        .nodes()
        .into_iter()
        .filter_map(|(n, ..)| match n {
            pg_query::NodeRef::ColumnRef(c) => c.fields.last().and_then(string_of).map(str::to_owned),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    match names.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

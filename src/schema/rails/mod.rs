//! Rails `db/schema.rb` (the Ruby DSL ActiveRecord dumps, Rails 4.2–8) → [`Schema`].
//!
//! The file is parsed with tree-sitter-ruby and read as a sequence of method calls with literal
//! arguments. Types and defaults come out in the same canonical forms as the `structure.sql`
//! readers of the dialect (PostgreSQL `format_type()` / `pg_get_expr()`, MySQL
//! `information_schema.COLUMNS`), so a `schema.rb` and a dump of the same database compare equal
//! table by table. What Rails creates implicitly is made explicit: the `id` primary key (with its
//! owned sequence on PostgreSQL), `fk_rails_…`/`chk_rails_…` constraint names, and the
//! `datetime` precision 6 default of Rails 7+.

pub mod naming;
mod ruby;
mod types;

use crate::grammar::NodeExt;
use std::path::Path;

use tree_sitter::{Node, Parser};

use crate::error::{Diagnostic, Error, Result};
use crate::inflect::{pluralize, singularize};
use crate::schema::rails::naming::{check_name, foreign_key_name};
use crate::schema::{
    CheckConstraint, Column, ColumnRef, Dialect, EnumType, Extension, FkAction, ForeignKey, Identity, Index, IndexKey,
    IndexPart, PrimaryKey, QualifiedName, Schema, Sequence, Table, View,
};
use ruby::{Call, NotLiteral, Value};

/// `dialect` decides how Rails types map to database types (`:string` → `character varying`
/// on PostgreSQL, `varchar(255)` on MySQL).
pub fn parse(text: &str, file: &Path, dialect: Dialect) -> Result<Schema> {
    if dialect == Dialect::Mongodb {
        return Err(Error::input(
            Diagnostic::new("a Rails schema.rb describes a relational database, but the registry's dialect is mongodb")
                .in_file(file)
                .help("point `schema` at a JSON file of the collections (see docs/mongodb.md), or fix `dialect` in [registry]"),
        ));
    }
    crate::grammar::reject_ruby_unreadable(file, text)?;
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_ruby::LANGUAGE.into())
        .map_err(|e| Error::environment(Diagnostic::new(format!("cannot load the Ruby grammar: {e}")).in_file(file)))?;
    let tree = crate::grammar::parse(&mut parser, text)
        .map_err(|gave_up| Error::input(Diagnostic::new(format!("cannot read schema.rb: {gave_up}")).in_file(file)))?;
    let root = tree.root_node();
    if let Some(err) = first_error(root) {
        return Err(Error::input(
            Diagnostic::new("Ruby syntax error in schema.rb")
                .at_offset(file, text, err.byte_range())
                .help("expected the file `rails db:schema:dump` writes"),
        ));
    }
    let mut reader = SchemaReader {
        file,
        text,
        dialect,
        rb: ruby::Reader::new(text, root),
        schema: Schema::new(dialect),
        rails_version: None,
        integer_ids: false,
    };
    reader.program(root)?;
    let mut schema = reader.schema;
    if dialect == Dialect::Mysql {
        let tables = std::mem::take(&mut schema.tables);
        for v in &mut schema.views {
            v.depends_on = crate::schema::mysql::view_dependencies(&v.definition, &tables, &v.name);
        }
        schema.tables = tables;
    }
    schema.canonicalize();
    Ok(schema)
}

fn first_error(n: Node<'_>) -> Option<Node<'_>> {
    if !n.has_error() {
        return None;
    }
    if n.is_error() || n.is_missing() {
        return Some(n);
    }
    let mut c = n.walk();
    let children: Vec<Node<'_>> = n.children(&mut c).collect();
    children.into_iter().find_map(first_error).or(Some(n))
}

struct SchemaReader<'a> {
    file: &'a Path,
    text: &'a str,
    dialect: Dialect,
    rb: ruby::Reader<'a>,
    schema: Schema,
    /// `ActiveRecord::Schema[7.1]` → (7, 1); `None` for the pre-7.0 `ActiveRecord::Schema.define`.
    rails_version: Option<(u32, u32)>,
    /// Rails before 5.1 created `integer` primary keys, not `bigint`. Its schema.rb is recognised
    /// by a version written without the digit separators Rails 5.2+ prints (`20150101000000`).
    integer_ids: bool,
}

impl<'a> SchemaReader<'a> {
    fn err(&self, node: Node<'_>, message: impl Into<String>) -> Error {
        Error::input(Diagnostic::new(message).at_offset(self.file, self.text, node.byte_range()))
    }

    fn not_literal(&self, e: NotLiteral<'_>) -> Error {
        self.err(e.node, format!("expected {}", e.what))
    }

    fn call<'t>(&mut self, node: Node<'t>) -> Result<Option<Call<'t>>> {
        self.rb.call(node).map_err(|e| self.not_literal(e))
    }

    fn program(&mut self, root: Node<'_>) -> Result<()> {
        let mut c = root.walk();
        let top: Vec<Node<'_>> = root.named_children(&mut c).filter(|n| n.kind_name() != "comment").collect();
        let mut found = false;
        for node in top {
            let Some(call) = self.call(node)? else {
                return Err(self.err(node, "expected `ActiveRecord::Schema.define(version: …) do … end`"));
            };
            if call.method != "define" || call.block.is_none() {
                return Err(self.err(node, format!("expected `ActiveRecord::Schema.define`, found `{}`", call.method)));
            }
            found = true;
            self.rails_version = call.receiver.as_deref().and_then(parse_rails_version);
            let args = call.node.field("arguments").map(|a| self.rb.text(a)).unwrap_or_default();
            self.integer_ids = self.rails_version.is_none() && !args.contains('_');
            if let Some(v) = call.kw("version") {
                let version = match v {
                    Value::Int(i) => i.to_string(),
                    Value::Str(s) | Value::Float(s) => s.replace(['_', '.'], ""),
                    _ => return Err(self.err(call.node, "expected `version:` to be a number")),
                };
                if version != "0" {
                    self.schema.migrations.push(version);
                }
            }
            if let Some(block) = call.block {
                for stmt in block_statements(block) {
                    self.top_statement(stmt)?;
                }
            }
        }
        if !found {
            return Err(Error::input(
                Diagnostic::new("no `ActiveRecord::Schema.define` block in schema.rb").at(self.file, 1, 1),
            ));
        }
        Ok(())
    }

    fn top_statement(&mut self, node: Node<'_>) -> Result<()> {
        let Some(call) = self.call(node)? else {
            return Err(self.err(node, "expected a schema statement (create_table, add_index, add_foreign_key, …)"));
        };
        match call.method.as_str() {
            "enable_extension" => {
                let name = self.arg_name(&call, 0)?;
                // `enable_extension "schema.name"` (Rails 7.1+ with a non-default schema).
                let (schema, name) = match name.split_once('.') {
                    Some((s, n)) => (Some(s.to_owned()), n.to_owned()),
                    None => (self.dialect.default_schema().map(str::to_owned), name),
                };
                // pg_dump leaves out plpgsql, which every database has; so does the model.
                if name != "plpgsql" {
                    self.schema.extensions.push(Extension { name, schema });
                }
            }
            "create_schema" => {
                let name = self.arg_name(&call, 0)?;
                self.schema.namespaces.push(name);
            }
            "create_enum" => {
                let name = self.arg_name(&call, 0)?;
                let values = match call.args.get(1) {
                    Some(Value::Array(vs)) => vs.iter().filter_map(|v| v.name().map(str::to_owned)).collect(),
                    _ => return Err(self.err(call.node, "expected `create_enum \"name\", [\"value\", …]`")),
                };
                let name = self.qualified(&name);
                self.schema.enums.push(EnumType { name, values });
            }
            "create_table" => self.create_table(&call)?,
            "add_index" => {
                let table = self.arg_name(&call, 0)?;
                let columns =
                    call.args.get(1).cloned().ok_or_else(|| self.err(call.node, "expected the index columns"))?;
                let index = self.index(&call, &table, &columns, &call.kwargs)?;
                self.table_mut(&call, &table)?.indexes.push(index);
            }
            "add_foreign_key" => {
                let from = self.arg_name(&call, 0)?;
                let to = self.arg_name(&call, 1)?;
                let fk = self.foreign_key(&call, &from, &to, &call.kwargs)?;
                self.table_mut(&call, &from)?.foreign_keys.push(fk);
            }
            "add_check_constraint" => {
                let table = self.arg_name(&call, 0)?;
                let expr = self.arg_name(&call, 1)?;
                let check = self.check(&table, &expr, &call.kwargs);
                self.table_mut(&call, &table)?.checks.push(check);
            }
            "create_view" => self.create_view(&call)?,
            // Scenic's functions/triggers gems and fx write these; their bodies are opaque here.
            "create_function" | "create_trigger" => {}
            // SQLite virtual tables (`create_virtual_table "x_fts", "fts5", ["col", "opt=…"]`, Rails 8)
            // belong to their module: untyped columns, no keys, rebuilt from the data; the model
            // has no place for them and no migration rule applies to them.
            "create_virtual_table" => {}
            other => {
                return Err(self.err(
                    call.node,
                    format!(
                        "unknown schema.rb statement `{other}`; expected create_table, add_index, add_foreign_key, \
                         add_check_constraint, create_enum, enable_extension, create_schema or create_view"
                    ),
                ));
            }
        }
        Ok(())
    }

    fn arg_name(&self, call: &Call<'_>, i: usize) -> Result<String> {
        call.args.get(i).and_then(Value::name).map(str::to_owned).ok_or_else(|| {
            self.err(call.node, format!("expected argument {} of `{}` to be a name", i + 1, call.method))
        })
    }

    fn qualified(&self, name: &str) -> QualifiedName {
        match self.dialect.default_schema() {
            Some(default) => match name.split_once('.') {
                Some((s, n)) => QualifiedName::new(Some(s), n),
                None => QualifiedName::new(Some(default), name),
            },
            None => QualifiedName::unqualified(name),
        }
    }

    fn table_mut(&mut self, call: &Call<'_>, name: &str) -> Result<&mut Table> {
        let q = self.qualified(name);
        let node = call.node;
        match self.schema.tables.iter().position(|t| t.name == q) {
            Some(i) => Ok(&mut self.schema.tables[i]),
            None => Err(self.err(node, format!("table `{name}` is not created before this statement"))),
        }
    }

    fn rails7(&self) -> bool {
        self.rails_version.is_some_and(|v| v >= (7, 0))
    }

    fn create_table(&mut self, call: &Call<'_>) -> Result<()> {
        let name = self.arg_name(call, 0)?;
        let qname = self.qualified(&name);
        let mut table = Table::new(qname.clone());
        table.comment = call.kw("comment").and_then(Value::name).map(str::to_owned);

        for (k, _) in &call.kwargs {
            if !matches!(
                k.as_str(),
                "id" | "primary_key"
                    | "default"
                    | "force"
                    | "comment"
                    | "options"
                    | "charset"
                    | "collation"
                    | "if_not_exists"
                    | "temporary"
                    | "unlogged"
                    | "auto_increment"
            ) {
                return Err(self.err(call.node, format!("unknown create_table option `{k}:`")));
            }
        }
        // The implicit primary key: `id: false` leaves it out, `id: :uuid` changes its type,
        // `primary_key: "code"` its name, `primary_key: ["a", "b"]` makes a composite key of
        // columns declared in the block.
        let id = call.kw("id").cloned();
        let pk = call.kw("primary_key").cloned();
        match (&id, &pk) {
            (Some(Value::Bool(false)), Some(Value::Array(cols))) | (_, Some(Value::Array(cols))) => {
                let columns = cols.iter().filter_map(|v| v.name().map(str::to_owned)).collect();
                table.primary_key = Some(PrimaryKey { name: self.pk_name(&name), columns });
            }
            (Some(Value::Bool(false)), _) => {}
            _ => {
                let pk_name = pk.as_ref().and_then(Value::name).unwrap_or("id").to_owned();
                let kind = id.as_ref().and_then(Value::name).unwrap_or("primary_key").to_owned();
                let col = self.implicit_id(&name, &pk_name, &kind, call)?;
                table.columns.push(col);
                table.primary_key = Some(PrimaryKey { name: self.pk_name(&name), columns: vec![pk_name] });
            }
        }
        self.schema.tables.push(table);

        if let Some(block) = call.block {
            let var = block_param(block, self.text).unwrap_or_else(|| "t".to_owned());
            for stmt in block_statements(block) {
                let Some(inner) = self.call(stmt)? else {
                    return Err(
                        self.err(stmt, format!("expected a `{var}.<column type> \"name\"` call in create_table"))
                    );
                };
                self.table_statement(&qname, &name, &var, &inner)?;
            }
        }
        // Primary key columns are NOT NULL whatever the block says.
        let t = self.schema.tables.iter_mut().find(|t| t.name == qname);
        if let Some(t) = t
            && let Some(pk) = t.primary_key.clone()
        {
            for c in &pk.columns {
                if let Some(col) = t.column_mut(c) {
                    col.nullable = false;
                }
            }
        }
        Ok(())
    }

    fn pk_name(&self, table: &str) -> Option<String> {
        match self.dialect {
            Dialect::Postgres => Some(format!("{table}_pkey")),
            _ => None,
        }
    }

    fn implicit_id(&mut self, table: &str, column: &str, kind: &str, call: &Call<'_>) -> Result<Column> {
        let serial = match (self.dialect, kind) {
            // SQLite's rowid alias must be declared `integer`, whatever Rails' default key type.
            (Dialect::Sqlite, "primary_key" | "bigint" | "bigserial" | "integer" | "serial") => Some("integer"),
            (_, "primary_key") if self.integer_ids => Some("integer"),
            (_, "primary_key" | "bigint" | "bigserial") => Some("bigint"),
            (_, "integer" | "serial") => Some("integer"),
            _ => None,
        };
        let mut col = match serial {
            Some(int) => {
                let data_type = types::column_type(
                    self.dialect,
                    if int == "bigint" { "bigint" } else { "integer" },
                    &[],
                    self.rails7(),
                )
                .map_err(|m| self.err(call.node, m))?;
                let mut col = Column::new(column, &data_type);
                match self.dialect {
                    Dialect::Postgres => {
                        let seq_name = format!("{table}_{column}_seq");
                        let seq = self.qualified(&seq_name);
                        col.default =
                            Some(crate::schema::postgres::normalize_expr(&format!("nextval('{seq}'::regclass)")));
                        self.schema.sequences.push(Sequence {
                            name: seq,
                            data_type: Some(int.to_owned()),
                            start: Some(1),
                            increment: Some(1),
                            owned_by: Some(ColumnRef { table: self.qualified(table), column: column.to_owned() }),
                        });
                    }
                    Dialect::Mysql | Dialect::Sqlite | Dialect::Mongodb => col.identity = Some(Identity::AutoIncrement),
                }
                col
            }
            None => {
                let data_type = types::column_type(self.dialect, kind, &call.kwargs, self.rails7())
                    .map_err(|m| self.err(call.node, m))?;
                Column::new(column, &data_type)
            }
        };
        col.nullable = false;
        if let Some(d) = call.kw("default") {
            col.default = types::default(self.dialect, &col.data_type, d);
        }
        Ok(col)
    }

    fn table_statement(&mut self, qname: &QualifiedName, table: &str, var: &str, call: &Call<'_>) -> Result<()> {
        if call.receiver.as_deref() != Some(var) {
            return Err(
                self.err(call.node, format!("expected a `{var}.…` call inside create_table, found `{}`", call.method))
            );
        }
        match call.method.as_str() {
            "index" => {
                let cols =
                    call.args.first().cloned().ok_or_else(|| self.err(call.node, "expected the index columns"))?;
                let index = self.index(call, table, &cols, &call.kwargs)?;
                self.find_table(qname).indexes.push(index);
            }
            "check_constraint" => {
                let expr = self.arg_name(call, 0)?;
                let check = self.check(table, &expr, &call.kwargs);
                self.find_table(qname).checks.push(check);
            }
            "timestamps" => {
                for name in ["created_at", "updated_at"] {
                    let mut kwargs = call.kwargs.clone();
                    if !kwargs.iter().any(|(k, _)| k == "null") {
                        kwargs.push(("null".into(), Value::Bool(false)));
                    }
                    self.column(qname, table, name, "datetime", &kwargs, call)?;
                }
            }
            "references" | "belongs_to" => {
                for v in &call.args {
                    let Some(r) = v.name() else { return Err(self.err(call.node, "expected a reference name")) };
                    self.reference(qname, table, r, call)?;
                }
            }
            "column" => {
                let name = self.arg_name(call, 0)?;
                let kind = self.arg_name(call, 1)?;
                self.column(qname, table, &name, &kind, &call.kwargs, call)?;
            }
            kind if types::is_column_type(kind) => {
                if call.args.is_empty() {
                    return Err(self.err(call.node, format!("expected a column name after `{var}.{kind}`")));
                }
                for v in &call.args {
                    let Some(name) = v.name() else { return Err(self.err(call.node, "expected a column name")) };
                    self.column(qname, table, name, kind, &call.kwargs, call)?;
                }
            }
            other => {
                return Err(
                    self.err(call.node, format!("unknown call `{var}.{other}` inside create_table \"{table}\""))
                );
            }
        }
        Ok(())
    }

    fn find_table(&mut self, q: &QualifiedName) -> &mut Table {
        let i = self.schema.tables.iter().position(|t| &t.name == q).unwrap_or(self.schema.tables.len() - 1);
        &mut self.schema.tables[i]
    }

    fn column(
        &mut self,
        qname: &QualifiedName,
        table: &str,
        name: &str,
        kind: &str,
        kwargs: &[(String, Value)],
        call: &Call<'_>,
    ) -> Result<()> {
        for (k, _) in kwargs {
            if !matches!(
                k.as_str(),
                "null"
                    | "default"
                    | "limit"
                    | "precision"
                    | "scale"
                    | "comment"
                    | "array"
                    | "collation"
                    | "unsigned"
                    | "enum_type"
                    | "index"
                    | "charset"
                    | "auto_increment"
                    | "primary_key"
                    | "first"
                    | "after"
                    | "if_not_exists"
                    | "as"
                    | "stored"
                    | "virtual"
                    | "srid"
                    | "geographic"
                    | "values"
                    | "size"
                    | "type"
            ) {
                return Err(self.err(call.node, format!("unknown column option `{k}:` on `{name}`")));
            }
        }
        let kw = |k: &str| kwargs.iter().find(|(x, _)| x == k).map(|(_, v)| v);
        // `t.virtual "full_name", type: :string, as: "…", stored: true`: a generated column.
        let kind = match (kind, kw("type").and_then(Value::name)) {
            ("virtual", Some(t)) => t,
            ("virtual", None) => {
                return Err(self.err(call.node, format!("expected `type:` on virtual column `{name}`")));
            }
            (k, _) => k,
        };
        let data_type =
            types::column_type(self.dialect, kind, kwargs, self.rails7()).map_err(|m| self.err(call.node, m))?;
        let mut col = Column::new(name, &data_type);
        col.nullable = kw("null").is_none_or(Value::truthy);
        if let Some(d) = kw("default") {
            col.default = types::default(self.dialect, &data_type, d);
        }
        col.comment = kw("comment").and_then(Value::name).map(str::to_owned);
        col.collation = kw("collation").and_then(Value::name).map(str::to_owned);
        if let Some(Value::Str(expr)) = kw("as") {
            col.generated = Some(expr.clone());
        }
        if kw("auto_increment").is_some_and(Value::truthy) {
            col.identity = Some(Identity::AutoIncrement);
        }
        let index = kw("index").cloned();
        let primary = kw("primary_key").is_some_and(Value::truthy);
        let pk_name = self.pk_name(table);
        let t = self.find_table(qname);
        t.columns.retain(|c| c.name != name);
        t.columns.push(col);
        if primary {
            t.primary_key = Some(PrimaryKey { name: pk_name, columns: vec![name.to_owned()] });
        }
        if let Some(opts) = index.filter(Value::truthy) {
            let kwargs = match opts {
                Value::Hash(h) => h,
                _ => Vec::new(),
            };
            let index = self.index(call, table, &Value::Str(name.to_owned()), &kwargs)?;
            self.find_table(qname).indexes.push(index);
        }
        Ok(())
    }

    /// `t.references :user, polymorphic: true, foreign_key: true, index: …, type: :uuid`.
    fn reference(&mut self, qname: &QualifiedName, table: &str, r: &str, call: &Call<'_>) -> Result<()> {
        let kw = |k: &str| call.kw(k);
        let kind = kw("type").and_then(Value::name).unwrap_or("bigint").to_owned();
        let polymorphic = kw("polymorphic").is_some_and(Value::truthy);
        let mut col_kwargs: Vec<(String, Value)> = call
            .kwargs
            .iter()
            .filter(|(k, _)| matches!(k.as_str(), "null" | "default" | "comment" | "limit" | "unsigned"))
            .cloned()
            .collect();
        if !col_kwargs.iter().any(|(k, _)| k == "null") && self.rails_version.is_some_and(|v| v >= (5, 0)) {
            // belongs_to is required by default since Rails 5, but the column stays nullable
            // unless `null: false` is written; nothing to add.
        }
        let id_col = format!("{r}_id");
        self.column(qname, table, &id_col, &kind, &col_kwargs, call)?;
        let mut index_cols = vec![Value::Str(id_col.clone())];
        if polymorphic {
            col_kwargs.retain(|(k, _)| k == "null");
            let type_col = format!("{r}_type");
            self.column(qname, table, &type_col, "string", &col_kwargs, call)?;
            index_cols.insert(0, Value::Str(type_col));
        }
        let index = kw("index").cloned().unwrap_or(Value::Bool(true));
        if index.truthy() {
            let opts = match index {
                Value::Hash(h) => h,
                _ => Vec::new(),
            };
            let ix = self.index(call, table, &Value::Array(index_cols), &opts)?;
            self.find_table(qname).indexes.push(ix);
        }
        if let Some(fk) = kw("foreign_key").filter(|v| v.truthy()).cloned() {
            let mut opts = match fk {
                Value::Hash(h) => h,
                _ => Vec::new(),
            };
            let to = opts
                .iter()
                .find(|(k, _)| k == "to_table")
                .and_then(|(_, v)| v.name().map(str::to_owned))
                .unwrap_or_else(|| pluralize(r));
            opts.retain(|(k, _)| k != "to_table");
            if !opts.iter().any(|(k, _)| k == "column") {
                opts.push(("column".into(), Value::Str(id_col)));
            }
            let fk = self.foreign_key(call, table, &to, &opts)?;
            self.find_table(qname).foreign_keys.push(fk);
        }
        Ok(())
    }

    fn index(&self, call: &Call<'_>, table: &str, columns: &Value, kwargs: &[(String, Value)]) -> Result<Index> {
        let kw = |k: &str| kwargs.iter().find(|(x, _)| x == k).map(|(_, v)| v);
        let parts: Vec<IndexPart> = match columns {
            Value::Array(cols) => cols
                .iter()
                .map(|c| c.name().map(|n| IndexPart::Column(n.to_owned())))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| self.err(call.node, "expected index columns as strings or symbols"))?,
            // A string that is not a plain column name is an expression (`"lower((email)::text)"`).
            Value::Str(s) if !is_plain_name(s) => vec![IndexPart::Expression(self.normalize_expr(s))],
            Value::Str(s) | Value::Sym(s) => vec![IndexPart::Column(s.clone())],
            _ => return Err(self.err(call.node, "expected index columns")),
        };
        let col_names: Vec<String> = parts
            .iter()
            .map(|p| match p {
                IndexPart::Column(c) => c.clone(),
                IndexPart::Expression(e) => e.clone(),
            })
            .collect();
        let name = match kw("name").and_then(Value::name) {
            Some(n) => n.to_owned(),
            None => format!("index_{table}_on_{}", col_names.join("_and_")),
        };
        let per_column = |v: Option<&Value>, col: &str| -> Option<String> {
            match v? {
                Value::Hash(h) => h.iter().find(|(k, _)| k == col).and_then(|(_, v)| v.name().map(str::to_owned)),
                other => other.name().map(str::to_owned),
            }
        };
        let keys = parts
            .into_iter()
            .zip(&col_names)
            .map(|(part, col)| {
                let order = per_column(kw("order"), col).map(|o| o.to_uppercase()).filter(|o| o != "ASC");
                let opclass = per_column(kw("opclass"), col).map(|o| self.qualify_opclass(o));
                IndexKey { part, order, opclass }
            })
            .collect();
        let method = match (kw("type").and_then(Value::name), kw("using").and_then(Value::name)) {
            (Some(t), _) => t.to_lowercase(),
            (None, Some(u)) => u.to_lowercase(),
            (None, None) => "btree".to_owned(),
        };
        let include = match kw("include") {
            Some(Value::Array(cols)) => cols.iter().filter_map(|c| c.name().map(str::to_owned)).collect(),
            Some(v) => v.name().map(|n| vec![n.to_owned()]).unwrap_or_default(),
            None => Vec::new(),
        };
        Ok(Index {
            name,
            unique: kw("unique").is_some_and(Value::truthy),
            method,
            keys,
            include,
            predicate: kw("where").and_then(Value::name).map(|w| self.normalize_expr(w)),
        })
    }

    fn foreign_key(&self, call: &Call<'_>, from: &str, to: &str, kwargs: &[(String, Value)]) -> Result<ForeignKey> {
        let kw = |k: &str| kwargs.iter().find(|(x, _)| x == k).map(|(_, v)| v);
        let names = |v: Option<&Value>| -> Option<Vec<String>> {
            match v? {
                Value::Array(a) => a.iter().map(|x| x.name().map(str::to_owned)).collect(),
                other => other.name().map(|n| vec![n.to_owned()]),
            }
        };
        let columns = names(kw("column")).unwrap_or_else(|| vec![format!("{}_id", singularize(to))]);
        let referenced_columns = names(kw("primary_key")).unwrap_or_else(|| vec!["id".to_owned()]);
        let action = |k: &str| -> Result<FkAction> {
            Ok(match kw(k).and_then(Value::name) {
                None => FkAction::NoAction,
                Some("cascade") => FkAction::Cascade,
                Some("nullify") => FkAction::SetNull,
                Some("restrict") if self.dialect == Dialect::Mysql => FkAction::NoAction,
                Some("restrict") => FkAction::Restrict,
                Some("no_action") => FkAction::NoAction,
                Some("default") => FkAction::SetDefault,
                Some(other) => {
                    return Err(self.err(
                        call.node,
                        format!("unknown `{k}: :{other}`; expected :cascade, :nullify, :restrict or :no_action"),
                    ));
                }
            })
        };
        let name = match kw("name").and_then(Value::name) {
            Some(n) => n.to_owned(),
            // Rails' default: "fk_rails_" + the first 10 hex digits of SHA256("<table>_<column>_fk").
            None => foreign_key_name(from, &columns.join("_")),
        };
        Ok(ForeignKey {
            name: Some(name),
            columns,
            references: self.qualified(to),
            referenced_columns,
            on_delete: action("on_delete")?,
            on_update: action("on_update")?,
            deferrable: kw("deferrable").is_some_and(Value::truthy),
            validated: kw("validate").is_none_or(Value::truthy),
        })
    }

    fn check(&self, table: &str, expr: &str, kwargs: &[(String, Value)]) -> CheckConstraint {
        let kw = |k: &str| kwargs.iter().find(|(x, _)| x == k).map(|(_, v)| v);
        let name = match kw("name").and_then(Value::name) {
            Some(n) => n.to_owned(),
            None => check_name(table, expr),
        };
        CheckConstraint {
            name: Some(name),
            expression: self.normalize_expr(expr),
            validated: kw("validate").is_none_or(Value::truthy),
        }
    }

    fn create_view(&mut self, call: &Call<'_>) -> Result<()> {
        let name = self.arg_name(call, 0)?;
        let definition = match call.kw("sql_definition") {
            Some(Value::Str(s)) => s.clone(),
            _ => return Err(self.err(call.node, "expected `create_view \"name\", sql_definition: <<-SQL … SQL`")),
        };
        let definition = definition.trim().trim_end_matches(';').trim().to_owned();
        self.schema.views.push(View {
            name: self.qualified(&name),
            materialized: call.kw("materialized").is_some_and(Value::truthy),
            definition: self.normalize_view(&definition),
            columns: Vec::new(),
            // Filled in for MySQL once every table is known; PostgreSQL needs a shared SQL
            // reference extractor (`crate::sql::refs`) that does not exist yet.
            depends_on: Vec::new(),
            indexes: Vec::new(),
        });
        Ok(())
    }

    /// pg_trgm's operator classes live in the extension's schema and print qualified.
    fn qualify_opclass(&self, opclass: String) -> String {
        match (self.dialect, opclass.as_str()) {
            (Dialect::Postgres, "gin_trgm_ops" | "gist_trgm_ops") => format!("public.{opclass}"),
            _ => opclass,
        }
    }

    fn normalize_expr(&self, e: &str) -> String {
        match self.dialect {
            Dialect::Postgres => crate::schema::postgres::normalize_expr(e),
            Dialect::Mysql => crate::schema::mysql::normalize_expr(e),
            Dialect::Sqlite | Dialect::Mongodb => e.trim().to_owned(),
        }
    }

    fn normalize_view(&self, definition: &str) -> String {
        match self.dialect {
            Dialect::Mysql => crate::schema::mysql::normalize_view(definition),
            _ => definition.split_whitespace().collect::<Vec<_>>().join(" "),
        }
    }
}

fn parse_rails_version(receiver: &str) -> Option<(u32, u32)> {
    let inside = receiver.split_once('[')?.1.split(']').next()?;
    let (major, minor) = inside.trim().split_once('.').unwrap_or((inside.trim(), "0"));
    Some((major.parse().ok()?, minor.parse().ok()?))
}

fn block_statements(block: Node<'_>) -> Vec<Node<'_>> {
    let mut c = block.walk();
    let mut out = Vec::new();
    for child in block.named_children(&mut c) {
        match child.kind_name() {
            "body_statement" | "block_body" => {
                let mut c2 = child.walk();
                out.extend(
                    child.named_children(&mut c2).filter(|n| !matches!(n.kind_name(), "comment" | "heredoc_body")),
                );
            }
            "block_parameters" | "comment" | "heredoc_body" => {}
            _ => out.push(child),
        }
    }
    out
}

fn block_param(block: Node<'_>, src: &str) -> Option<String> {
    let params = block.field("parameters")?;
    let first = params.named_child(0)?;
    Some(src[first.byte_range()].to_owned())
}

fn is_plain_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

//! A Prisma schema (one `schema.prisma`, or a folder of `.prisma` files: Prisma's multi-file
//! schemas) → the schema model, as `prisma db push` or `prisma migrate` would create the database
//! for the datasource's provider: models (and `@@ignore`d ones, whose tables exist) → tables
//! (`@@map`, `@@schema`), scalar and enum fields → columns (`@map`; the type from the scalar or
//! its `@db.` attribute, see [`types`]), `@id`/`@@id` → the primary key, `@unique`/`@@unique`/
//! `@@index`/`@@fulltext` → indexes under Prisma's default names, relations' `fields:` → foreign
//! keys (none with `relationMode = "prisma"`), enums → PostgreSQL enum types or MySQL's inline
//! `enum(…)`. Defaults the client fills in (`cuid()`, `uuid()`, `@updatedAt`) are no database
//! defaults.
//!
//! What the schema cannot say (hand-written SQL, index names Prisma shortens past the provider's
//! limit) is not read: the model is for diffing two versions of one schema, where both sides are
//! read alike. Each object's place (file, line) is kept for the findings about it.
//!
//! A line the reader does not understand is an error at its file and line, never skipped: a
//! field the reader missed would be a column drop no one is told about.

pub mod syntax;
pub mod types;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::schema::{
    Column, Dialect, EnumType, FkAction, ForeignKey, Identity, Index, IndexKey, IndexPart, PrimaryKey, QualifiedName,
    Schema, Table,
};
use syntax::{Block, CodeBytes, FIELD, blocks};

/// Where an object of the schema is written: the line of its model, field or attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: PathBuf,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    /// Byte range of the written line (without its indentation) in the file.
    pub start: usize,
    pub end: usize,
}

/// A read schema, with where each of its objects is written, keyed as [`crate::schema::diff`]
/// names them: (`table`, `public.users`), (`column`, `public.users.email`), (`index`,
/// `public.users.users_email_key`), (`primary_key`, `public.users`), (`foreign_key`, …),
/// (`enum`, `public.Role`).
#[derive(Debug, Clone, Default)]
pub struct Read {
    pub schema: Schema,
    pub places: BTreeMap<(&'static str, String), Place>,
}

/// Whether `path` names a Prisma schema: a `.prisma` file, or a folder holding `.prisma` files.
pub fn is_prisma(path: &Path) -> bool {
    if path.is_dir() {
        return !files_under(path).is_empty();
    }
    is_prisma_file(path)
}

pub fn is_prisma_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("prisma"))
}

/// The `.prisma` files of a folder and its subfolders, sorted (Prisma reads them all as one
/// schema).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if is_prisma_file(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Read the Prisma schema at `path` (a file or a folder) from disk; `dialect` is the provider to
/// assume when no file has a `datasource`.
pub fn load(path: &Path, dialect: Dialect) -> Result<Schema> {
    let files = if path.is_dir() { files_under(path) } else { vec![path.to_path_buf()] };
    let mut texts = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).map_err(|e| Error::read(&f, e))?;
        texts.push((f.clone(), crate::error::utf8(&f, bytes)?));
    }
    read(&texts, dialect).map(|r| r.schema)
}

/// Read the files of one Prisma schema (their paths name them in messages and places).
pub fn read(files: &[(PathBuf, String)], dialect: Dialect) -> Result<Read> {
    for (path, text) in files {
        if let Err((offset, message)) = syntax::check(text) {
            let (line, column) = line_col(text, offset);
            return Err(Error::input(
                Diagnostic::new(format!("cannot read the Prisma schema: {message}"))
                    .at(path, line, column)
                    .help("`prisma format` or `prisma validate` says what is wrong with it"),
            ));
        }
    }
    let parsed: Vec<(usize, Block<'_>)> =
        files.iter().enumerate().flat_map(|(i, (_, text))| blocks(text).into_iter().map(move |b| (i, b))).collect();
    let mut reader = Reader { files, dialect, relation_mode_prisma: false, default_schema: None, out: Read::default() };
    reader.datasource(&parsed)?;
    reader.out.schema.dialect = reader.dialect;
    reader.models(&parsed)?;
    reader.out.schema.canonicalize();
    Ok(reader.out)
}

fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    (line, column)
}

struct Reader<'a> {
    files: &'a [(PathBuf, String)],
    dialect: Dialect,
    /// `relationMode = "prisma"`: relations are kept by the client, the database has no keys.
    relation_mode_prisma: bool,
    /// The first of the datasource's `schemas` (multiSchema), where a model without `@@schema`
    /// would go; PostgreSQL's `public` otherwise.
    default_schema: Option<String>,
    out: Read,
}

/// A field of a model, as written.
struct Field<'a> {
    name: &'a str,
    ty: &'a str,
    list: bool,
    optional: bool,
    attrs: &'a str,
    /// Byte offset of the field's name and of its line's end in its file.
    offset: usize,
    end: usize,
}

struct Model<'a> {
    file: usize,
    block: &'a Block<'a>,
    table: QualifiedName,
    fields: Vec<Field<'a>>,
}

impl<'a> Reader<'a> {
    fn place(&self, file: usize, offset: usize, end: usize) -> Place {
        let (path, text) = &self.files[file];
        let (line, column) = line_col(text, offset);
        Place { file: path.clone(), line, column, start: offset, end: end.max(offset) }
    }

    fn error(&self, file: usize, offset: usize, message: String) -> Error {
        let (path, text) = &self.files[file];
        let (line, column) = line_col(text, offset);
        Error::input(Diagnostic::new(message).at(path, line, column))
    }

    fn datasource(&mut self, parsed: &[(usize, Block<'_>)]) -> Result<()> {
        for (file, block) in parsed.iter().filter(|(_, b)| b.kind == "datasource") {
            for line in &block.body {
                let Some((key, value)) = line.text.split_once('=') else { continue };
                let value = value.trim();
                let string = value.trim_matches('"');
                match key.trim() {
                    "provider" => {
                        self.dialect = match string {
                            "postgresql" | "postgres" | "cockroachdb" => Dialect::Postgres,
                            "mysql" => Dialect::Mysql,
                            "sqlite" => Dialect::Sqlite,
                            other => {
                                return Err(self.error(
                                    *file,
                                    line.offset,
                                    format!("the datasource's provider `{other}` is not one tandem reads a Prisma schema for; expected postgresql, mysql or sqlite"),
                                ));
                            }
                        }
                    }
                    "relationMode" | "referentialIntegrity" => self.relation_mode_prisma = string == "prisma",
                    "schemas" => {
                        self.default_schema = value
                            .trim_start_matches('[')
                            .split(',')
                            .next()
                            .map(|s| s.trim().trim_matches('"').to_owned())
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn schema_of(&self, block: &Block<'_>) -> Option<String> {
        let default = || self.dialect.default_schema().map(str::to_owned);
        self.dialect.default_schema()?;
        block_attr(block, "schema").and_then(first_string).or_else(default)
    }

    fn models(&mut self, parsed: &'a [(usize, Block<'a>)]) -> Result<()> {
        // Enums first: fields are typed by them, whichever file declares them.
        let mut enums: BTreeMap<&str, (Option<String>, String, Vec<String>)> = BTreeMap::new();
        for (file, block) in parsed.iter().filter(|(_, b)| b.kind == "enum") {
            let schema = self.schema_of(block);
            let name = block_attr(block, "map").and_then(first_string).unwrap_or_else(|| block.name.to_owned());
            let values: Vec<String> = block
                .body
                .iter()
                .map(|l| l.text.trim())
                .filter(|t| !t.is_empty() && !t.starts_with("@@"))
                .flat_map(|t| {
                    // `enum Kind { A B }` on one line: its values without attributes.
                    if !t.contains('@') {
                        return t.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
                    }
                    let (value, attrs) = t.split_once(char::is_whitespace).unwrap_or((t, ""));
                    vec![attr_args(attrs, "@map").and_then(first_string).unwrap_or_else(|| value.to_owned())]
                })
                .collect();
            if self.dialect == Dialect::Postgres {
                let qn = QualifiedName::new(schema.as_deref(), &name);
                let end = line_end(&self.files[*file].1, block.name_offset);
                self.out.places.insert(("enum", qn.to_string()), self.place(*file, block.name_offset, end));
                self.out.schema.enums.push(EnumType { name: qn, values: values.clone() });
            }
            enums.insert(block.name, (schema, name, values));
        }
        let mut models: Vec<Model<'a>> = Vec::new();
        for (file, block) in parsed.iter().filter(|(_, b)| b.kind == "model") {
            let name = block_attr(block, "map").and_then(first_string).unwrap_or_else(|| block.name.to_owned());
            let table = QualifiedName::new(self.schema_of(block).as_deref(), &name);
            let mut fields = Vec::new();
            for line in &block.body {
                let t = line.text.trim();
                if t.is_empty() || t.starts_with("@@") {
                    continue;
                }
                let Some(c) = FIELD.captures(line.text) else {
                    return Err(self.error(
                        *file,
                        line.offset,
                        format!("cannot read `{t}` as a field of model {}", block.name),
                    ));
                };
                let (Some(name), Some(ty)) = (c.get(1), c.get(2)) else { continue };
                fields.push(Field {
                    name: name.as_str(),
                    ty: ty.as_str(),
                    list: c.get(3).is_some(),
                    optional: c.get(4).is_some(),
                    attrs: c.get(5).map_or("", |m| m.as_str()),
                    offset: line.offset + name.start(),
                    end: line.offset + line.text.trim_end().len(),
                });
            }
            models.push(Model { file: *file, block, table, fields });
        }
        let model_names: BTreeSet<&str> = models.iter().map(|m| m.block.name).collect();
        let composite: BTreeSet<&str> = parsed.iter().filter(|(_, b)| b.kind == "type").map(|(_, b)| b.name).collect();
        // Each model's field → column names, for keys that name the fields of another model.
        let columns_of: BTreeMap<&str, BTreeMap<&str, String>> = models
            .iter()
            .map(|m| (m.block.name, m.fields.iter().map(|f| (f.name, column_name(f))).collect()))
            .collect();
        let tables: BTreeMap<&str, QualifiedName> = models.iter().map(|m| (m.block.name, m.table.clone())).collect();
        for m in &models {
            self.model(m, &enums, &model_names, &composite, &columns_of, &tables)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn model(
        &mut self,
        m: &Model<'a>,
        enums: &BTreeMap<&str, (Option<String>, String, Vec<String>)>,
        models: &BTreeSet<&str>,
        composite: &BTreeSet<&str>,
        columns_of: &BTreeMap<&str, BTreeMap<&str, String>>,
        tables: &BTreeMap<&str, QualifiedName>,
    ) -> Result<()> {
        let key = m.table.to_string();
        let text = &self.files[m.file].1;
        let name_end = line_end(text, m.block.name_offset);
        self.out.places.insert(("table", key.clone()), self.place(m.file, m.block.name_offset, name_end));
        let own = &columns_of[m.block.name];
        let column = |field: &str| own.get(field).cloned().unwrap_or_else(|| field.to_owned());
        let mut table = Table::new(m.table.clone());
        let table_name = m.table.name.clone();
        for f in &m.fields {
            let base = f.ty.split('(').next().unwrap_or(f.ty);
            let place = self.place(m.file, f.offset, f.end);
            if models.contains(base) {
                // A relation: the side with `fields:` holds the foreign key.
                let Some(args) = attr_args(f.attrs, "@relation") else { continue };
                let Some(fields) = named_list(args, "fields") else { continue };
                let refs = named_list(args, "references").unwrap_or_default();
                if self.relation_mode_prisma {
                    continue;
                }
                let target = &columns_of[base];
                let columns: Vec<String> = fields.iter().map(|x| column(x)).collect();
                let name =
                    named_string(args, "map").unwrap_or_else(|| format!("{table_name}_{}_fkey", columns.join("_")));
                let action = |key: &str, default: FkAction| match named_value(args, key) {
                    Some("Cascade") => FkAction::Cascade,
                    Some("Restrict") => FkAction::Restrict,
                    Some("SetNull") => FkAction::SetNull,
                    Some("SetDefault") => FkAction::SetDefault,
                    Some("NoAction") => FkAction::NoAction,
                    _ => default,
                };
                let key_optional = m.fields.iter().any(|x| fields.contains(&x.name.to_owned()) && x.optional);
                let fk = ForeignKey {
                    name: Some(name),
                    columns,
                    references: tables[base].clone(),
                    referenced_columns: refs
                        .iter()
                        .map(|r| target.get(r.as_str()).cloned().unwrap_or_else(|| r.clone()))
                        .collect(),
                    on_delete: action("onDelete", if key_optional { FkAction::SetNull } else { FkAction::Restrict }),
                    on_update: action("onUpdate", FkAction::Cascade),
                    deferrable: false,
                    validated: true,
                };
                let fk_key = format!("{key}.{}", fk.name.clone().unwrap_or_default());
                self.out.places.insert(("foreign_key", fk_key), place);
                table.foreign_keys.push(fk);
                continue;
            }
            let data_type = if let Some((schema, name, values)) = enums.get(base) {
                let t = types::enumeration(self.dialect, schema.as_deref(), name, values);
                if f.list { format!("{t}[]") } else { t }
            } else if base == "Unsupported" {
                f.ty.trim_start_matches("Unsupported(").trim_end_matches(')').trim_matches('"').to_owned()
            } else if let Some(t) =
                native_type(self.dialect, f.attrs).or_else(|| types::scalar(self.dialect, base).map(str::to_owned))
            {
                if f.list { format!("{t}[]") } else { t }
            } else if composite.contains(base) {
                return Err(self.error(
                    m.file,
                    f.offset,
                    format!("field `{}` has the composite type `{base}`, which only MongoDB stores", f.name),
                ));
            } else {
                return Err(self.error(
                    m.file,
                    f.offset,
                    format!(
                        "field `{}` of model {} has the type `{base}`, which is no scalar, enum or model of the schema",
                        f.name, m.block.name
                    ),
                ));
            };
            let name = column(f.name);
            let mut col = Column::new(&name, &data_type);
            col.nullable = f.optional || f.list;
            if let Some(default) = attr_args(f.attrs, "@default") {
                self.default(&mut col, default.trim(), &table_name);
            }
            if has_attr(f.attrs, "@id") {
                table.primary_key = Some(PrimaryKey {
                    name: self.pk_name(&table_name, attr_args(f.attrs, "@id")),
                    columns: vec![name.clone()],
                });
                col.nullable = false;
                self.out.places.insert(("primary_key", key.clone()), place.clone());
            }
            if has_attr(f.attrs, "@unique") {
                let args = attr_args(f.attrs, "@unique");
                let index = self.index(&table_name, vec![IndexKey::column(&name)], true, "key", args);
                self.out.places.insert(("index", format!("{key}.{}", index.name)), place.clone());
                table.indexes.push(index);
            }
            self.out.places.insert(("column", format!("{key}.{name}")), place);
            table.columns.push(col);
        }
        for line in &m.block.body {
            let t = line.text.trim();
            let Some(rest) = t.strip_prefix("@@") else { continue };
            let attr = rest.split('(').next().unwrap_or(rest).trim();
            let args = attr_args(t, &format!("@@{attr}")).unwrap_or("");
            let place = self.place(
                m.file,
                line.offset + (line.text.len() - line.text.trim_start().len()),
                line.offset + line.text.trim_end().len(),
            );
            let keys = || -> Vec<IndexKey> {
                field_list(args)
                    .into_iter()
                    .map(|(field, order)| IndexKey { part: IndexPart::Column(column(&field)), order, opclass: None })
                    .collect()
            };
            match attr {
                "id" => {
                    let columns = keys()
                        .into_iter()
                        .filter_map(|k| match k.part {
                            IndexPart::Column(c) => Some(c),
                            IndexPart::Expression(_) => None,
                        })
                        .collect::<Vec<_>>();
                    for c in &columns {
                        if let Some(col) = table.column_mut(c) {
                            col.nullable = false;
                        }
                    }
                    table.primary_key = Some(PrimaryKey { name: self.pk_name(&table_name, Some(args)), columns });
                    self.out.places.insert(("primary_key", key.clone()), place);
                }
                "unique" | "index" | "fulltext" => {
                    let suffix = if attr == "unique" { "key" } else { "idx" };
                    let mut index = self.index(&table_name, keys(), attr == "unique", suffix, Some(args));
                    if attr == "fulltext" {
                        index.method = "fulltext".to_owned();
                    } else if let Some(method) = named_value(args, "type") {
                        index.method = method.to_ascii_lowercase();
                    }
                    self.out.places.insert(("index", format!("{key}.{}", index.name)), place);
                    table.indexes.push(index);
                }
                "map" | "schema" | "ignore" | "allow" | "shardKey" => {}
                _ => {
                    return Err(self.error(
                        m.file,
                        line.offset,
                        format!("`@@{attr}` is no block attribute tandem knows"),
                    ));
                }
            }
        }
        self.out.schema.tables.push(table);
        Ok(())
    }

    /// The primary key's name: `map:`, else PostgreSQL's `{table}_pkey` (MySQL's is always
    /// `PRIMARY`, SQLite's none).
    fn pk_name(&self, table: &str, args: Option<&str>) -> Option<String> {
        match self.dialect {
            Dialect::Postgres => {
                Some(args.and_then(|a| named_string(a, "map")).unwrap_or_else(|| format!("{table}_pkey")))
            }
            _ => None,
        }
    }

    /// An index under its `map:` name or Prisma's default, `{table}_{columns}_{key|idx}`.
    fn index(&self, table: &str, keys: Vec<IndexKey>, unique: bool, suffix: &str, args: Option<&str>) -> Index {
        let columns: Vec<&str> = keys
            .iter()
            .filter_map(|k| match &k.part {
                IndexPart::Column(c) => Some(c.as_str()),
                IndexPart::Expression(_) => None,
            })
            .collect();
        let name = args
            .and_then(|a| named_string(a, "map"))
            .unwrap_or_else(|| format!("{table}_{}_{suffix}", columns.join("_")));
        Index { name, unique, method: "btree".to_owned(), keys, include: Vec::new(), predicate: None }
    }

    /// A `@default(…)` the database holds; the client's own (`cuid()`, `uuid()`, `nanoid()`) are
    /// none.
    fn default(&self, col: &mut Column, value: &str, table: &str) {
        let call = value.split('(').next().unwrap_or(value).trim();
        col.default = match call {
            "now" => Some("CURRENT_TIMESTAMP".to_owned()),
            "autoincrement" => {
                if self.dialect == Dialect::Postgres {
                    Some(format!("nextval('\"{table}_{}_seq\"'::regclass)", col.name))
                } else {
                    col.identity = Some(Identity::AutoIncrement);
                    None
                }
            }
            "dbgenerated" => {
                first_string(value.trim_start_matches("dbgenerated").trim_start_matches('(').trim_end_matches(')'))
            }
            "cuid" | "uuid" | "nanoid" | "ulid" | "auto" | "sequence" => None,
            _ if value.starts_with('"') => Some(format!("'{}'", value.trim_matches('"').replace('\'', "''"))),
            _ if value.starts_with(|c: char| c.is_ascii_digit() || c == '-') || value == "true" || value == "false" => {
                Some(value.to_owned())
            }
            // An enum value.
            _ => Some(format!("'{value}'")),
        };
    }
}

fn line_end(text: &str, offset: usize) -> usize {
    text[offset..].find('\n').map_or(text.len(), |i| offset + i)
}

fn column_name(f: &Field<'_>) -> String {
    attr_args(f.attrs, "@map").and_then(first_string).unwrap_or_else(|| f.name.to_owned())
}

/// The `@db.Name(args)` of a field's attributes, as a type.
fn native_type(dialect: Dialect, attrs: &str) -> Option<String> {
    let at = attrs.find("@db.")?;
    let rest = &attrs[at + 4..];
    let name_len = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
    let name = &rest[..name_len];
    let args: Vec<&str> = attr_args(attrs, &format!("@db.{name}"))
        .map(|a| split_top(a).into_iter().map(str::trim).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    Some(types::native(dialect, name, &args))
}

/// Whether `attrs` has the attribute `name` (`@id`, not `@ignore`'s prefix).
fn has_attr(attrs: &str, name: &str) -> bool {
    attr_at(attrs, name).is_some()
}

fn attr_at(attrs: &str, name: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = attrs[from..].find(name) {
        let at = from + i;
        let after = attrs[at + name.len()..].chars().next();
        let before = attrs[..at].chars().next_back();
        let bounded = !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            && !before.is_some_and(|c| c == '@' || c.is_ascii_alphanumeric());
        if bounded && !in_string(attrs, at) {
            return Some(at + name.len());
        }
        from = at + name.len();
    }
    None
}

/// Whether byte `at` of `text` lies inside a string literal.
fn in_string(text: &str, at: usize) -> bool {
    let mut code = CodeBytes::new(&text[..at]);
    code.by_ref().for_each(drop);
    code.in_string()
}

/// The text between the parentheses after attribute `name` (`@default(now())` → `now()`).
fn attr_args<'t>(attrs: &'t str, name: &str) -> Option<&'t str> {
    let at = attr_at(attrs, name)?;
    let rest = &attrs[at..];
    if !rest.starts_with('(') {
        return None;
    }
    let mut depth = 0usize;
    for (i, b) in CodeBytes::new(rest) {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[1..i]);
                }
            }
            _ => {}
        }
    }
    None
}

fn block_attr<'t>(block: &Block<'t>, name: &str) -> Option<&'t str> {
    let name = format!("@@{name}");
    block.body.iter().find_map(|l| if l.text.trim_start().starts_with(&name) { attr_args(l.text, &name) } else { None })
}

/// Top-level comma-separated parts (not inside brackets, parentheses or strings).
fn split_top(args: &str) -> Vec<&str> {
    let (mut out, mut start, mut depth) = (Vec::new(), 0, 0usize);
    for (i, b) in CodeBytes::new(args) {
        match b {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push(&args[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&args[start..]);
    out
}

/// The value of a `key: value` argument.
fn named_value<'t>(args: &'t str, key: &str) -> Option<&'t str> {
    split_top(args).into_iter().find_map(|p| {
        let (k, v) = p.split_once(':')?;
        (k.trim() == key).then_some(v.trim())
    })
}

fn named_string(args: &str, key: &str) -> Option<String> {
    named_value(args, key).and_then(first_string)
}

/// The first positional argument as a string (`@map("x")`, `@map(name: "x")`).
fn first_string(args: &str) -> Option<String> {
    let first = split_top(args).into_iter().next()?.trim();
    let value = first.strip_prefix("name:").map_or(first, str::trim);
    value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).map(str::to_owned)
}

fn named_list(args: &str, key: &str) -> Option<Vec<String>> {
    let v = named_value(args, key)?;
    Some(field_list(v).into_iter().map(|(f, _)| f).collect())
}

/// The fields a block attribute or a `fields:` names, with their sort order: `[a, b(sort:
/// Desc)]`, `fields: [a]`, or one field without brackets (`@@index(a)`).
fn field_list(args: &str) -> Vec<(String, Option<String>)> {
    let parts = split_top(args);
    let list = parts
        .iter()
        .find_map(|p| {
            let p = p.trim();
            let p = p.strip_prefix("fields:").map_or(p, str::trim);
            p.strip_prefix('[').and_then(|x| x.strip_suffix(']'))
        })
        .map(split_top)
        .unwrap_or_else(|| parts.first().filter(|p| !p.contains(':')).map(|p| vec![*p]).unwrap_or_default());
    list.into_iter()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let name = p.split('(').next().unwrap_or(p).trim().to_owned();
            let order = p.contains("Desc").then(|| "DESC".to_owned());
            (name, order)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Read {
        read(&[(PathBuf::from("schema.prisma"), text.to_owned())], Dialect::Postgres).unwrap()
    }

    #[test]
    fn models_become_tables_with_their_keys_and_indexes() {
        let r = one(
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n\nenum Role {\n  USER\n  ADMIN @map(\"admin\")\n}\n\nmodel User {\n  id Int @id @default(autoincrement())\n  email String @unique @db.VarChar(255)\n  name String? @map(\"full_name\")\n  role Role @default(USER)\n  tags String[]\n  createdAt DateTime @default(now()) @map(\"created_at\")\n  posts Post[]\n  @@map(\"users\")\n}\n\nmodel Post {\n  id String @id @default(cuid())\n  authorId Int\n  author User @relation(fields: [authorId], references: [id], onDelete: Cascade)\n  @@index([authorId(sort: Desc)])\n  @@unique([id, authorId], map: \"post_pair\")\n}\n",
        );
        let users = r.schema.table("users").unwrap();
        let cols: Vec<(&str, &str, bool)> =
            users.columns.iter().map(|c| (c.name.as_str(), c.data_type.as_str(), c.nullable)).collect();
        assert_eq!(
            cols,
            vec![
                ("id", "integer", false),
                ("email", "character varying(255)", false),
                ("full_name", "text", true),
                ("role", "\"Role\"", false),
                ("tags", "text[]", true),
                ("created_at", "timestamp(3) without time zone", false),
            ]
        );
        assert_eq!(users.column("role").unwrap().default.as_deref(), Some("'USER'"));
        assert_eq!(users.indexes[0].name, "users_email_key");
        assert_eq!(r.schema.enums[0].values, vec!["USER", "admin"]);
        let post = r.schema.table("Post").unwrap();
        assert_eq!(post.column("id").unwrap().default, None);
        let names: Vec<&str> = post.indexes.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, vec!["Post_authorId_idx", "post_pair"]);
        assert_eq!(post.indexes[0].keys[0].order.as_deref(), Some("DESC"));
        let fk = &post.foreign_keys[0];
        assert_eq!(
            (fk.name.as_deref(), fk.references.to_string().as_str()),
            (Some("Post_authorId_fkey"), "public.users")
        );
        assert_eq!(fk.on_delete, FkAction::Cascade);
        let place = &r.places[&("column", "public.users.full_name".to_owned())];
        assert_eq!((place.line, place.column), (14, 3));
        assert_eq!(r.places[&("table", "public.Post".to_owned())].line, 22);
    }

    #[test]
    fn mysql_with_relation_mode_prisma_has_no_foreign_keys() {
        let r = one(
            "datasource db {\n  provider = \"mysql\"\n  relationMode = \"prisma\"\n}\nenum Kind { A B }\nmodel Link {\n  id String @id\n  url String @db.LongText\n  kind Kind\n  userId String\n  user User @relation(fields: [userId], references: [id])\n}\nmodel User {\n  id String @id\n  links Link[]\n}\n",
        );
        let link = r.schema.table("Link").unwrap();
        assert!(link.foreign_keys.is_empty());
        assert_eq!(link.column("url").unwrap().data_type, "longtext");
        assert_eq!(link.column("kind").unwrap().data_type, "enum('A','B')");
        assert_eq!(link.column("userId").unwrap().data_type, "varchar(191)");
        assert_eq!(link.name.schema, None);
    }

    #[test]
    fn what_cannot_be_read_is_an_error_at_its_line() {
        for (text, line) in [
            ("model A {\n  id Int @id\n  name String @default(\n}\n", 3),
            ("model A {\n  id Int @id\n  owner Person\n}\n", 3),
            ("model A {\n  id Int @id\n", 1),
            ("model A {\n  id Int @id\n}\nstray\n", 4),
            ("model A {\n  id Int @id\n  @@indx([id])\n}\n", 3),
        ] {
            let err = read(&[(PathBuf::from("s.prisma"), text.to_owned())], Dialect::Postgres).unwrap_err();
            assert_eq!(err.exit_code(), 2);
            assert!(err.to_string().contains(&format!("s.prisma:{line}:")), "{text}: {err}");
        }
    }
}

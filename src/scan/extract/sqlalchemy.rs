//! SQLAlchemy (and Flask-SQLAlchemy): declarative classes (`__tablename__`, `Column`,
//! `mapped_column`, annotation-only `Mapped[...]`), core `Table(...)` definitions, `ForeignKey`
//! targets, and uses: `Model.attr` expressions, `filter_by`/`values` keywords, model
//! constructors, raw SQL in `text()`/`execute()`.
//!
//! Flask-SQLAlchemy names a `db.Model` subclass without `__tablename__` after the class in
//! snake_case (its default since 3.0); plain declarative classes without a table inherit their
//! parent's (single-table inheritance).

use crate::grammar::NodeExt;
use std::collections::BTreeMap;

use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::scan::extract::python::{
    args, assignments, bases, callee, class_defs, from_imports, is_class_name, last_segment,
};
use crate::scan::extract::treesit::{self, SqlString, Src, descendants, snake_case, string_value};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{FileFacts, Hit, ModelDecl, Target};
use crate::scan::reference::RefKind;

pub struct Sqlalchemy;

impl Extractor for Sqlalchemy {
    fn id(&self) -> &'static str {
        "sqlalchemy"
    }

    fn version(&self) -> u32 {
        1
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Sqlalchemy && path.ends_with(".py")
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let (path, source) = (file.path, file.text);
        let (mut facts, sql) = collect(path, source);
        facts.hits.extend(treesit::sql_hits(&Src::new(source), &sql));
        facts
    }
}

/// The raw SQL strings of a file (what the SQL extractor is handed).
pub fn sql_strings(path: &str, source: &str) -> Vec<SqlString> {
    collect(path, source).1
}

/// Class attributes of mapped classes that are never columns.
const NOT_COLUMNS: &[&str] = &["query", "metadata", "registry", "c", "columns", "query_class"];

/// Top-level packages whose classes are never mapped classes.
const LIBRARIES: &[&str] = &[
    "sqlalchemy",
    "flask_sqlalchemy",
    "sqlmodel",
    "typing",
    "datetime",
    "decimal",
    "uuid",
    "enum",
    "dataclasses",
    "pydantic",
    "fastapi",
    "flask",
    "marshmallow",
    "collections",
];

/// SQLAlchemy constructs used through `sa.`-less star imports or `db.`-less aliases.
const SQLALCHEMY_NAMES: &[&str] = &[
    "Column",
    "Table",
    "ForeignKey",
    "ForeignKeyConstraint",
    "Index",
    "UniqueConstraint",
    "CheckConstraint",
    "Sequence",
];

#[derive(Clone)]
struct Mapped {
    name: String,
    parent: Option<String>,
    table: Option<String>,
    is_abstract: bool,
    /// (attribute, column, offset of the attribute).
    columns: Vec<(String, String, usize)>,
    /// `relationship()` / `association_proxy()` attributes: not columns.
    relations: Vec<String>,
    name_offset: usize,
}

fn collect(_path: &str, source: &str) -> (FileFacts, Vec<SqlString>) {
    let tree = match crate::grammar::parse_as(source, &tree_sitter_python::LANGUAGE.into()) {
        Ok(tree) => tree,
        Err(gave_up) => return (FileFacts::unreadable(gave_up), Vec::new()),
    };
    let root = tree.root_node();
    let src = Src::new(source);
    let mut hits: Vec<Hit> = Vec::new();
    let mut sql = Vec::new();
    let mut classes: BTreeMap<String, Mapped> = BTreeMap::new();
    let mut order = Vec::new();
    let mut sqlmodel_classes: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();

    for (class, _) in class_defs(root) {
        let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else {
            continue;
        };
        let name_text = src.node_text(name).to_owned();
        let written = bases(&src, class);
        let mut m = Mapped {
            name: name_text.clone(),
            parent: written
                .iter()
                .map(|b| last_segment(b))
                .find(|b| match classes.get(*b) {
                    Some(c) => c.table.is_some(),
                    None => !(b.ends_with("Base") || b.ends_with("Model") || b.ends_with("Mixin") || *b == "object"),
                })
                .map(str::to_owned),
            table: None,
            is_abstract: false,
            columns: Vec::new(),
            relations: Vec::new(),
            name_offset: name.start_byte(),
        };
        let mut has_tablename = false;
        let flask = written.iter().any(|b| *b == "db.Model" || b.ends_with(".Model") || *b == "Model");
        // SQLModel: `class Hero(HeroBase, table=True)`; every annotated field is a column.
        let superclasses = class.field("superclasses").map_or("", |s| src.node_text(s));
        let sqlmodel_table = superclasses.contains("table=True");
        let sqlmodel = sqlmodel_table
            || written.iter().any(|b| last_segment(b) == "SQLModel" || sqlmodel_classes.contains(last_segment(b)));
        if sqlmodel {
            sqlmodel_classes.insert(name_text.clone());
        }
        for (target, annotation, value) in assignments(body) {
            let attr = src.node_text(target);
            match attr {
                "__tablename__" => {
                    has_tablename = true;
                    m.table = value.and_then(|v| string_value(&src, v)).map(|(s, _)| s);
                    continue;
                }
                "__abstract__" => {
                    m.is_abstract = value.is_some_and(|v| src.node_text(v) == "True");
                    continue;
                }
                "__table__" => {
                    has_tablename = true;
                    if let Some(v) = value
                        && callee(&src, v).is_some_and(|c| last_segment(c) == "Table")
                    {
                        m.table = args(v).positional.first().and_then(|n| string_value(&src, *n)).map(|(s, _)| s);
                    }
                    continue;
                }
                _ => {}
            }
            let called = value.and_then(|v| callee(&src, v)).map(last_segment);
            if let Some(column) = column_of(&src, attr, annotation, value) {
                m.columns.push((attr.to_owned(), column, target.start_byte()));
            } else if called.is_some_and(|c| {
                matches!(
                    c,
                    "relationship" | "Relationship" | "relation" | "backref" | "association_proxy" | "dynamic_loader"
                )
            }) {
                m.relations.push(attr.to_owned());
            } else if sqlmodel
                && annotation.is_some_and(|a| !src.node_text(a).contains("ClassVar"))
                && attr != "model_config"
                && (value.is_none() || called.is_some_and(|c| c == "Field") || called.is_none())
            {
                m.columns.push((attr.to_owned(), sqlmodel_column(&src, attr, value), target.start_byte()));
            }
        }
        // Columns mixed in from same-file mixins and abstract bases.
        for b in &written {
            if let Some(base) = classes.get(last_segment(b))
                && (base.table.is_none() || base.is_abstract)
            {
                for c in base.columns.clone() {
                    if !m.columns.iter().any(|(a, _, _)| *a == c.0) {
                        m.columns.push(c);
                    }
                }
            }
        }
        if sqlmodel_table && !has_tablename {
            // SQLModel's default `__tablename__` is the class name in lower case.
            m.table = Some(m.name.to_lowercase());
            has_tablename = true;
        }
        if !has_tablename && !m.is_abstract {
            if let Some(p) = m.parent.as_ref().and_then(|p| classes.get(p)).filter(|p| p.table.is_some()) {
                // Single-table inheritance: the subclass's columns live in the parent's table.
                m.table = p.table.clone();
            } else if flask && !m.columns.is_empty() {
                m.table = Some(snake_case(&m.name));
            }
        }
        order.push(name_text.clone());
        classes.insert(name_text, m);
    }

    let mut decls = Vec::new();
    for name in &order {
        let Some(m) = classes.get(name) else { continue };
        // A subclass of a class from another file with columns and no table of its own maps
        // into its parent's table (single-table inheritance), resolved across files.
        let inherits = m.table.is_none() && m.parent.is_some() && !m.columns.is_empty();
        let is_model = m.table.is_some() || m.is_abstract || inherits;
        if !is_model {
            continue;
        }
        if let Some(table) = &m.table {
            hits.push(src.hit(
                m.name_offset,
                Target::Table { table: table.clone() },
                RefKind::Declaration,
                Confidence::High,
            ));
            for (_, column, offset) in &m.columns {
                hits.push(src.hit(
                    *offset,
                    Target::Column { table: table.clone(), column: column.clone() },
                    RefKind::Declaration,
                    Confidence::High,
                ));
            }
        }
        if inherits {
            for (attr, _, offset) in &m.columns {
                hits.push(src.hit(
                    *offset,
                    Target::ModelColumn { model: m.name.clone(), column: attr.clone() },
                    RefKind::Declaration,
                    Confidence::High,
                ));
            }
        }
        let (line, column) = src.pos(m.name_offset);
        decls.push(ModelDecl {
            framework: Framework::Sqlalchemy,
            class: m.name.clone(),
            parent: m.parent.clone(),
            table: m.table.clone(),
            is_abstract: m.is_abstract,
            ignored_columns: Vec::new(),
            fields: m
                .columns
                .iter()
                .map(|(a, c, _)| (a.clone(), c.clone()))
                .chain(m.relations.iter().map(|r| (r.clone(), String::new())))
                .collect(),
            associations: Vec::new(),
            mixins: Vec::new(),
            line,
            column,
            snippet: src.snippet(m.name_offset),
        });
    }

    // Classes imported from libraries are not mapped classes: their keyword arguments are options.
    let library: Vec<String> = from_imports(&src, root)
        .into_iter()
        .filter(|i| i.level == 0 && i.module.first().is_some_and(|m| LIBRARIES.contains(&m.as_str())))
        .map(|i| i.local)
        .collect();
    for node in descendants(root) {
        match node.kind_name() {
            "call" => call_use(&src, node, &library, &mut hits, &mut sql),
            "attribute" => attribute_use(&src, node, &mut hits),
            // Plain SQL-looking literals are the generic SQL pass's; implicitly concatenated ones
            // only parse joined.
            "concatenated_string" => {
                if let Some(s) = treesit::python_sql(&src, node)
                    && treesit::looks_like_sql(&s.sql)
                {
                    sql.push(s);
                }
            }
            _ => {}
        }
    }
    sql.sort_by_key(|s| s.offset);
    sql.dedup_by_key(|s| s.offset);
    (FileFacts { hits, models: decls, ..FileFacts::default() }, sql)
}

/// A SQLModel field's column: `Field(sa_column=Column("name", …))`,
/// `Field(sa_column_kwargs={"name": "…"})`, else the attribute.
fn sqlmodel_column(src: &Src<'_>, attr: &str, value: Option<Node<'_>>) -> String {
    let a = value.filter(|v| v.kind_name() == "call").map(args);
    let from_column =
        a.as_ref().and_then(|a| a.keyword(src, "sa_column")).and_then(|c| column_of(src, attr, None, Some(c)));
    let from_kwargs = a.as_ref().and_then(|a| a.keyword(src, "sa_column_kwargs")).and_then(|d| {
        descendants(d).into_iter().filter(|n| n.kind_name() == "pair").find_map(|p| {
            let key = p.field("key").and_then(|k| string_value(src, k))?;
            if key.0 != "name" {
                return None;
            }
            p.field("value").and_then(|v| string_value(src, v)).map(|(s, _)| s)
        })
    });
    from_column.or(from_kwargs).unwrap_or_else(|| attr.to_owned())
}

/// The column a class attribute maps, if any: `Column("db_name", …)`, `mapped_column(…)`,
/// `deferred(Column(…))`, or annotation-only `Mapped[T]`.
fn column_of(src: &Src<'_>, attr: &str, annotation: Option<Node<'_>>, value: Option<Node<'_>>) -> Option<String> {
    let Some(value) = value else {
        let ann = src.node_text(annotation?);
        return ann.trim_start().starts_with("Mapped[").then(|| attr.to_owned());
    };
    let mut call = value;
    let mut f = last_segment(callee(src, call)?);
    if f == "deferred" || f == "column_property" {
        call = *args(call).positional.first()?;
        f = last_segment(callee(src, call)?);
    }
    if f != "Column" && f != "mapped_column" {
        return None;
    }
    let a = args(call);
    let named = a
        .keyword(src, "name")
        .or_else(|| a.positional.first().copied())
        .and_then(|n| string_value(src, n))
        .map(|(s, _)| s);
    Some(named.unwrap_or_else(|| attr.to_owned()))
}

fn hit(src: &Src<'_>, hits: &mut Vec<Hit>, offset: usize, target: Target, kind: RefKind, confidence: Confidence) {
    hits.push(src.hit(offset, target, kind, confidence));
}

fn call_use(src: &Src<'_>, call: Node<'_>, library: &[String], hits: &mut Vec<Hit>, sql: &mut Vec<SqlString>) {
    let Some(function) = call.field("function") else { return };
    let full = src.node_text(function);
    let name = last_segment(full);
    let a = args(call);
    match name {
        "ForeignKey" => {
            if let Some((s, offset)) = a.positional.first().and_then(|n| string_value(src, *n)) {
                let parts: Vec<&str> = s.split('.').collect();
                if parts.len() >= 2 {
                    let (t, c) = (parts[parts.len() - 2], parts[parts.len() - 1]);
                    let table_offset = offset + s.len() - c.len() - 1 - t.len();
                    hit(
                        src,
                        hits,
                        table_offset,
                        Target::Column { table: t.to_owned(), column: c.to_owned() },
                        RefKind::Declaration,
                        Confidence::High,
                    );
                }
            }
        }
        "Table" => {
            let Some((table, offset)) = a.positional.first().and_then(|n| string_value(src, *n)) else { return };
            hit(src, hits, offset, Target::Table { table: table.clone() }, RefKind::Declaration, Confidence::High);
            for p in &a.positional {
                if callee(src, *p).is_some_and(|c| last_segment(c) == "Column")
                    && let Some((column, offset)) = args(*p).positional.first().and_then(|n| string_value(src, *n))
                {
                    hit(
                        src,
                        hits,
                        offset,
                        Target::Column { table: table.clone(), column },
                        RefKind::Declaration,
                        Confidence::High,
                    );
                }
            }
        }
        "text" | "execute" | "exec_driver_sql" => {
            if let Some(s) = a.positional.first().and_then(|n| treesit::python_sql(src, *n)) {
                sql.push(s);
            }
        }
        "filter_by" | "values" => {
            if let Some(model) = chain_model(src, call) {
                for (k, _) in &a.keywords {
                    hit(
                        src,
                        hits,
                        k.start_byte(),
                        Target::ModelColumn { model: model.to_owned(), column: src.node_text(*k).to_owned() },
                        RefKind::Query,
                        Confidence::High,
                    );
                }
            }
        }
        _ => {
            // `User(email=…)`: a mapped class's constructor takes its attributes.
            if function.kind_name() == "identifier"
                && is_class_name(name)
                && !library.iter().any(|l| l == name)
                && !SQLALCHEMY_NAMES.contains(&name)
            {
                for (k, _) in &a.keywords {
                    hit(
                        src,
                        hits,
                        k.start_byte(),
                        Target::ModelColumn { model: name.to_owned(), column: src.node_text(*k).to_owned() },
                        RefKind::Query,
                        Confidence::Medium,
                    );
                }
            }
        }
    }
}

/// The mapped class a query chain is about: `session.query(User)…`, `select(User)…`,
/// `update(User)…`, `User.query…`.
fn chain_model<'a>(src: &Src<'a>, call: Node<'_>) -> Option<&'a str> {
    let mut node = call.field("function")?.field("object")?;
    loop {
        match node.kind_name() {
            "call" => {
                let f = node.field("function")?;
                let name = last_segment(src.node_text(f));
                if matches!(name, "query" | "select" | "update" | "insert" | "delete") {
                    let first = *args(node).positional.first()?;
                    let model = src.node_text(first);
                    return (first.kind_name() == "identifier" && is_class_name(model)).then_some(model);
                }
                node = f;
            }
            "attribute" => {
                let object = node.field("object")?;
                let attr = src.node_text(node.field("attribute")?);
                if attr == "query" && object.kind_name() == "identifier" {
                    let model = src.node_text(object);
                    return is_class_name(model).then_some(model);
                }
                node = object;
            }
            _ => return None,
        }
    }
}

/// `User.email` as an expression (not a method call, not a dunder, not a constant).
fn attribute_use(src: &Src<'_>, node: Node<'_>, hits: &mut Vec<Hit>) {
    let (Some(object), Some(attr)) = (node.field("object"), node.field("attribute")) else {
        return;
    };
    if object.kind_name() != "identifier" {
        return;
    }
    let model = src.node_text(object);
    let column = src.node_text(attr);
    if !is_class_name(model)
        || column.starts_with('_')
        || !column.starts_with(|c: char| c.is_ascii_lowercase())
        || NOT_COLUMNS.contains(&column)
    {
        return;
    }
    if let Some(parent) = node.parent() {
        let called = parent.kind_name() == "call" && parent.field("function") == Some(node);
        let assigned = parent.kind_name() == "assignment" && parent.field("left") == Some(node);
        if called || assigned {
            return;
        }
    }
    hit(
        src,
        hits,
        node.start_byte(),
        Target::ModelColumn { model: model.to_owned(), column: column.to_owned() },
        RefKind::Query,
        Confidence::High,
    );
}

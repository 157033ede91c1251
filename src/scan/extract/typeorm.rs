//! TypeORM: `@Entity` classes (columns from `@Column`, `@PrimaryGeneratedColumn`, date and
//! version columns, `@ManyToOne`/owning `@OneToOne` join columns, `@JoinTable` names) and uses
//! through repositories (`Repository<User>` / `getRepository(User)` / `BaseEntity` statics /
//! `manager.find(User, …)`): `find({ where, select, order })`, `findOneBy({ … })`, `update`,
//! `save`, …, and `createQueryBuilder("u")` chains whose strings name `u.property`.
//!
//! Names follow TypeORM's `DefaultNamingStrategy` (a custom `namingStrategy` on the data source
//! is not visible per file): table = `@Entity("name")` or the class name in snake_case; column =
//! `name` option or the property name as written; join column = `@JoinColumn({ name })` or
//! `<property>Id` (camelCase of property + `_` + referenced column).

use crate::grammar::NodeExt;
use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::scan::extract::js::{
    call_args, callee_name, decorator_args, decorator_name, decorators_of, is_pascal, key_value, object_keys, property,
    strings, unwrap,
};
use crate::scan::extract::treesit::{
    self, SqlString, Src, descendants, named_children, snake_case, string_value, template_sql,
};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{FileFacts, Hit, ModelDecl, Target};
use crate::scan::reference::RefKind;

pub struct Typeorm;

impl Extractor for Typeorm {
    fn id(&self) -> &'static str {
        "typeorm"
    }

    fn version(&self) -> u32 {
        1
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Typeorm && treesit::is_js_path(path)
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

const COLUMN_DECORATORS: &[&str] = &[
    "Column",
    "PrimaryColumn",
    "PrimaryGeneratedColumn",
    "CreateDateColumn",
    "UpdateDateColumn",
    "DeleteDateColumn",
    "VersionColumn",
    "ObjectIdColumn",
    "ViewColumn",
];

const FIND_METHODS: &[&str] = &["find", "findOne", "findAndCount", "findOneOrFail", "count", "exist", "exists"];
const CRITERIA_METHODS: &[&str] = &[
    "findBy",
    "findOneBy",
    "findOneByOrFail",
    "findAndCountBy",
    "countBy",
    "existsBy",
    "delete",
    "softDelete",
    "restore",
];
const VALUE_METHODS: &[&str] = &["insert", "save", "create", "upsert"];
const COLUMN_ARG_METHODS: &[&str] = &["increment", "decrement", "sum", "average", "minimum", "maximum"];

/// TypeORM's `camelCase` (`author_id` → `authorId`).
fn camel_case(s: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for (i, c) in s.chars().enumerate() {
        if c == '_' || c == '-' || c == ' ' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else if i == 0 {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[derive(Clone)]
struct Col {
    attr: String,
    column: String,
    offset: usize,
}

/// A `@JoinTable({ name })`: (table, offset of the name, named join columns with offsets).
type JoinTable = (String, usize, Vec<(String, usize)>);

struct Class {
    name: String,
    name_offset: usize,
    entity: bool,
    table: Option<String>,
    parent: Option<String>,
    columns: Vec<Col>,
    /// Relation properties that map no column of this table (`@OneToMany`, `@ManyToMany`, the
    /// inverse side of `@OneToOne`, `@RelationId`).
    relations: Vec<String>,
    join_tables: Vec<JoinTable>,
}

fn collect(path: &str, source: &str) -> (FileFacts, Vec<SqlString>) {
    let tree = match crate::grammar::parse_as(source, &treesit::js_language(path)) {
        Ok(tree) => tree,
        Err(gave_up) => return (FileFacts::unreadable(gave_up), Vec::new()),
    };
    let src = Src::new(source);
    let mut facts = FileFacts::default();
    let mut sql = Vec::new();
    let all = descendants(tree.root_node());

    let mut classes: Vec<Class> = Vec::new();
    for node in &all {
        if (node.kind_name() == "class_declaration" || node.kind_name() == "abstract_class_declaration")
            && let Some(c) = read_class(&src, *node)
        {
            classes.push(c);
        }
    }
    let by_name: BTreeMap<String, usize> = classes.iter().enumerate().map(|(i, c)| (c.name.clone(), i)).collect();
    for c in &classes {
        if !c.entity && c.columns.is_empty() {
            continue;
        }
        // Columns inherited from base classes declared in this file.
        let mut columns = Vec::new();
        let mut cur = c.parent.as_ref().and_then(|p| by_name.get(p)).map(|i| &classes[*i]);
        let mut depth = 0;
        while let Some(p) = cur.filter(|_| depth < 8) {
            columns.extend(p.columns.iter().cloned());
            cur = p.parent.as_ref().and_then(|q| by_name.get(q)).map(|i| &classes[*i]);
            depth += 1;
        }
        columns.extend(c.columns.iter().cloned());
        let table = c.entity.then(|| c.table.clone().unwrap_or_else(|| snake_case(&c.name)));
        if let Some(t) = &table {
            facts.hits.push(src.hit(
                c.name_offset,
                Target::Table { table: t.clone() },
                RefKind::Declaration,
                Confidence::High,
            ));
            for col in &columns {
                facts.hits.push(src.hit(
                    col.offset,
                    Target::Column { table: t.clone(), column: col.column.clone() },
                    RefKind::Declaration,
                    Confidence::High,
                ));
            }
            for (jt, offset, cols) in &c.join_tables {
                facts.hits.push(src.hit(
                    *offset,
                    Target::Table { table: jt.clone() },
                    RefKind::Declaration,
                    Confidence::High,
                ));
                for (col, o) in cols {
                    facts.hits.push(src.hit(
                        *o,
                        Target::Column { table: jt.clone(), column: col.clone() },
                        RefKind::Declaration,
                        Confidence::High,
                    ));
                }
            }
        }
        let (line, column) = src.pos(c.name_offset);
        facts.models.push(ModelDecl {
            framework: Framework::Typeorm,
            class: c.name.clone(),
            parent: c.parent.clone().filter(|p| p != "BaseEntity"),
            table,
            is_abstract: !c.entity,
            ignored_columns: Vec::new(),
            fields: columns
                .iter()
                .map(|c| (c.attr.clone(), c.column.clone()))
                .chain(c.relations.iter().map(|r| (r.clone(), String::new())))
                .collect(),
            associations: Vec::new(),
            mixins: Vec::new(),
            line,
            column,
            snippet: src.snippet(c.name_offset),
        });
    }

    let repos = repositories(&src, &all);
    let mut builders: BTreeMap<String, (String, String)> = BTreeMap::new();
    for node in &all {
        if node.kind_name() != "call_expression" {
            continue;
        }
        let Some(method) = callee_name(&src, *node) else { continue };
        let function = node.field("function").map(unwrap);
        let receiver = function.and_then(|f| f.field("object")).map(unwrap);
        let args = call_args(*node);
        if matches!(method, "query") {
            if let Some(s) =
                args.first().and_then(|a| template_sql(&src, *a)).filter(|s| treesit::looks_like_sql(&s.sql))
            {
                sql.push(s);
            }
            continue;
        }
        // `manager.find(User, {...})` / `createQueryBuilder(User, "u")`: the entity comes first.
        let explicit =
            args.first().filter(|a| a.kind_name() == "identifier" && is_pascal(src.node_text(**a)) && args.len() > 1);
        let entity = match explicit {
            Some(e) => Some(src.node_text(*e).to_owned()),
            None => receiver.and_then(|r| entity_of(&src, r, &repos)),
        };
        let rest: &[Node<'_>] = if explicit.is_some() { &args[1..] } else { &args[..] };
        if method == "createQueryBuilder" {
            let Some(entity) = entity else { continue };
            let Some((alias, _)) = rest.first().and_then(|a| string_value(&src, *a)) else { continue };
            // Assigned to a variable: later `qb.where(…)` calls use the alias too.
            if let Some(decl) = node.parent().filter(|p| p.kind_name() == "variable_declarator")
                && let Some(name) = decl.field("name")
            {
                builders.insert(src.node_text(name).to_owned(), (alias.clone(), entity.clone()));
            }
            builder_chain(&src, &mut facts.hits, *node, &alias, &entity);
            continue;
        }
        let Some(entity) = entity else { continue };
        let first = rest.first().copied();
        if FIND_METHODS.contains(&method) {
            if let Some(o) = first.filter(|o| o.kind_name() == "object") {
                find_options(&src, &mut facts.hits, &entity, o);
            }
        } else if CRITERIA_METHODS.contains(&method) {
            if let Some(o) = first {
                criteria(&src, &mut facts.hits, &entity, o);
            }
        } else if method == "update" {
            if let Some(o) = first {
                criteria(&src, &mut facts.hits, &entity, o);
            }
            if let Some(v) = rest.get(1) {
                values(&src, &mut facts.hits, &entity, *v);
            }
        } else if VALUE_METHODS.contains(&method) {
            if let Some(v) = first {
                values(&src, &mut facts.hits, &entity, v);
            }
            if method == "upsert"
                && let Some(paths) = rest.get(1)
            {
                for (name, offset) in strings(&src, *paths) {
                    hit(&src, &mut facts.hits, &entity, &name, offset);
                }
            }
        } else if COLUMN_ARG_METHODS.contains(&method) {
            let column_arg = if method == "increment" || method == "decrement" { rest.get(1) } else { rest.first() };
            if let Some((name, offset)) = column_arg.and_then(|a| string_value(&src, *a)) {
                hit(&src, &mut facts.hits, &entity, &name, offset);
            }
            let where_arg = if method == "increment" || method == "decrement" { rest.first() } else { rest.get(1) };
            if let Some(w) = where_arg {
                criteria(&src, &mut facts.hits, &entity, *w);
            }
        }
    }
    // Query builders held in variables: `qb.where("u.email = :e")`.
    if !builders.is_empty() {
        for node in &all {
            if node.kind_name() != "call_expression" {
                continue;
            }
            let Some(root) = chain_root(*node) else { continue };
            if root.kind_name() == "identifier"
                && let Some((alias, entity)) = builders.get(src.node_text(root))
                && node.parent().is_none_or(|p| p.kind_name() != "member_expression")
            {
                builder_strings_in_chain(&src, &mut facts.hits, *node, root, alias, entity);
            }
        }
    }
    sql.sort_by_key(|s| s.offset);
    sql.dedup_by_key(|s| s.offset);
    (facts, sql)
}

fn read_class(src: &Src<'_>, class: Node<'_>) -> Option<Class> {
    let name = class.field("name")?;
    let decorators = decorators_of(class);
    let entity_dec =
        decorators.iter().find(|d| matches!(decorator_name(src, **d), Some("Entity" | "ViewEntity" | "ChildEntity")));
    let mut table = None;
    if let Some(d) = entity_dec {
        let first = decorator_args(*d).first().copied();
        table = match first {
            Some(a) if a.kind_name() == "object" => {
                key_value(src, a, "name").and_then(|n| string_value(src, n)).map(|(s, _)| s)
            }
            Some(a) => string_value(src, a).map(|(s, _)| s),
            None => None,
        };
    }
    let parent = named_children(class)
        .into_iter()
        .find(|n| n.kind_name() == "class_heritage")
        .and_then(|h| descendants(h).into_iter().find(|n| n.kind_name() == "identifier"))
        .map(|n| src.node_text(n).to_owned());
    let mut c = Class {
        name: src.node_text(name).to_owned(),
        name_offset: name.start_byte(),
        entity: entity_dec.is_some(),
        table,
        parent,
        columns: Vec::new(),
        relations: Vec::new(),
        join_tables: Vec::new(),
    };
    let body = class.field("body")?;
    let mut pending: Vec<Node<'_>> = Vec::new();
    for member in named_children(body) {
        if member.kind_name() == "decorator" {
            pending.push(member);
            continue;
        }
        if member.kind_name() != "public_field_definition" && member.kind_name() != "field_definition" {
            pending.clear();
            continue;
        }
        let mut decs: Vec<Node<'_>> =
            named_children(member).into_iter().filter(|n| n.kind_name() == "decorator").collect();
        decs.append(&mut pending);
        let Some(prop) = member.field("name").or_else(|| member.field("property")) else {
            continue;
        };
        let attr = src.node_text(prop).to_owned();
        let named = |d: &str| decs.iter().find(|x| decorator_name(src, **x) == Some(d)).copied();
        let name_option = |d: Node<'_>| {
            decorator_args(d)
                .into_iter()
                .filter(|a| a.kind_name() == "object")
                .find_map(|o| key_value(src, o, "name").and_then(|n| string_value(src, n)).map(|(s, _)| s))
        };
        if let Some(d) = decs.iter().find(|d| decorator_name(src, **d).is_some_and(|n| COLUMN_DECORATORS.contains(&n)))
        {
            // `@Column(() => Profile)` embeds another class's columns under a prefix.
            if decorator_args(*d).first().is_some_and(|a| a.kind_name() == "arrow_function") {
                continue;
            }
            let column = name_option(*d).unwrap_or_else(|| attr.clone());
            c.columns.push(Col { attr, column, offset: prop.start_byte() });
            continue;
        }
        let join_column = named("JoinColumn");
        let owning = named("ManyToOne").is_some() || (named("OneToOne").is_some() && join_column.is_some());
        if owning {
            let (column, referenced) = match join_column {
                Some(j) => {
                    let o = decorator_args(j).into_iter().find(|a| a.kind_name() == "object");
                    let name =
                        o.and_then(|o| key_value(src, o, "name")).and_then(|n| string_value(src, n)).map(|(s, _)| s);
                    let referenced = o
                        .and_then(|o| key_value(src, o, "referencedColumnName"))
                        .and_then(|n| string_value(src, n))
                        .map(|(s, _)| s);
                    (name, referenced)
                }
                None => (None, None),
            };
            let column =
                column.unwrap_or_else(|| camel_case(&format!("{attr}_{}", referenced.as_deref().unwrap_or("id"))));
            c.columns.push(Col { attr, column, offset: prop.start_byte() });
            continue;
        }
        if ["OneToMany", "ManyToMany", "OneToOne", "RelationId", "RelationCount", "VirtualColumn"]
            .iter()
            .any(|d| named(d).is_some())
        {
            c.relations.push(attr.clone());
        }
        if let Some(j) = named("JoinTable")
            && let Some(o) = decorator_args(j).into_iter().find(|a| a.kind_name() == "object")
            && let Some((table, offset)) = key_value(src, o, "name").and_then(|n| string_value(src, n))
        {
            let mut cols = Vec::new();
            for side in ["joinColumn", "inverseJoinColumn"] {
                if let Some(jc) = key_value(src, o, side)
                    && let Some(n) = key_value(src, jc, "name").and_then(|n| string_value(src, n))
                {
                    cols.push(n);
                }
            }
            c.join_tables.push((table, offset, cols));
        }
    }
    Some(c)
}

/// Names bound to a repository of an entity: `Repository<User>` annotations (parameters,
/// properties, variables) and `… = x.getRepository(User)`.
fn repositories(src: &Src<'_>, all: &[Node<'_>]) -> BTreeMap<String, String> {
    static REPO_TYPE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^:\s*(?:Repository|TreeRepository|MongoRepository)<\s*([A-Z][A-Za-z0-9_]*)\s*>")
            .unwrap_or_else(|_| unreachable!())
    });
    let mut out = BTreeMap::new();
    for node in all {
        match node.kind_name() {
            "type_annotation" => {
                let Some(c) = REPO_TYPE.captures(src.node_text(*node)) else { continue };
                let Some(entity) = c.get(1) else { continue };
                let Some(owner) = node.parent() else { continue };
                let name = owner.field("pattern").or_else(|| owner.field("name")).or_else(|| owner.field("property"));
                if let Some(n) = name {
                    out.insert(src.node_text(n).to_owned(), entity.as_str().to_owned());
                }
            }
            "variable_declarator" | "assignment_expression" => {
                let (target, value) = if node.kind_name() == "variable_declarator" {
                    (node.field("name"), node.field("value"))
                } else {
                    (node.field("left"), node.field("right"))
                };
                let (Some(target), Some(value)) = (target, value) else { continue };
                let value = unwrap(value);
                let value = if value.kind_name() == "await_expression" {
                    value.named_child(0).map(unwrap)
                } else {
                    Some(value)
                };
                let Some(value) = value.filter(|v| v.kind_name() == "call_expression") else { continue };
                if callee_name(src, value) == Some("getRepository")
                    && let Some(e) = call_args(value).first().filter(|a| a.kind_name() == "identifier")
                {
                    let key = match target.kind_name() {
                        "member_expression" => property(src, target).unwrap_or(""),
                        _ => src.node_text(target),
                    };
                    out.insert(key.to_owned(), src.node_text(*e).to_owned());
                }
            }
            _ => {}
        }
    }
    out
}

/// The entity a call's receiver stands for: a repository name (`repo`, `this.repo`), a
/// `getRepository(User)` call, or an entity class with `BaseEntity` statics (`User.find`).
fn entity_of(src: &Src<'_>, receiver: Node<'_>, repos: &BTreeMap<String, String>) -> Option<String> {
    match receiver.kind_name() {
        "identifier" => {
            let name = src.node_text(receiver);
            repos
                .get(name)
                .cloned()
                .or_else(|| (is_pascal(name) && name.chars().any(|c| c.is_ascii_lowercase())).then(|| name.to_owned()))
        }
        "member_expression" => property(src, receiver).and_then(|p| repos.get(p).cloned()),
        "call_expression" => {
            if callee_name(src, receiver) == Some("getRepository") {
                call_args(receiver)
                    .first()
                    .filter(|a| a.kind_name() == "identifier")
                    .map(|a| src.node_text(*a).to_owned())
            } else {
                None
            }
        }
        _ => None,
    }
}

fn hit(src: &Src<'_>, hits: &mut Vec<Hit>, entity: &str, name: &str, offset: usize) {
    if name.is_empty() {
        return;
    }
    hits.push(src.hit(
        offset,
        Target::ModelColumn { model: entity.to_owned(), column: name.to_owned() },
        RefKind::Query,
        Confidence::High,
    ));
}

/// Keys of a where-object (or array of them); a nested object is a relation's condition.
fn criteria(src: &Src<'_>, hits: &mut Vec<Hit>, entity: &str, node: Node<'_>) {
    let node = unwrap(node);
    let items = if node.kind_name() == "array" { named_children(node) } else { vec![node] };
    for item in items {
        for k in object_keys(src, unwrap(item)) {
            if k.value.is_some_and(|v| unwrap(v).kind_name() == "object") {
                continue;
            }
            hit(src, hits, entity, &k.name, k.offset);
        }
    }
}

fn values(src: &Src<'_>, hits: &mut Vec<Hit>, entity: &str, node: Node<'_>) {
    criteria(src, hits, entity, node);
}

fn find_options(src: &Src<'_>, hits: &mut Vec<Hit>, entity: &str, options: Node<'_>) {
    for k in object_keys(src, options) {
        let Some(v) = k.value else { continue };
        match k.name.as_str() {
            "where" | "order" => criteria(src, hits, entity, v),
            "select" => {
                if v.kind_name() == "array" {
                    for (name, offset) in strings(src, v) {
                        hit(src, hits, entity, &name, offset);
                    }
                } else {
                    criteria(src, hits, entity, v);
                }
            }
            _ => {}
        }
    }
}

/// The innermost receiver of a call chain (`qb.where(…).andWhere(…)` → `qb`).
fn chain_root(call: Node<'_>) -> Option<Node<'_>> {
    let mut node = call;
    loop {
        match node.kind_name() {
            "call_expression" => node = unwrap(node.field("function")?),
            "member_expression" => node = unwrap(node.field("object")?),
            _ => return Some(node),
        }
    }
}

/// `alias.property` in the strings of every call chained after `start`.
fn builder_chain(src: &Src<'_>, hits: &mut Vec<Hit>, start: Node<'_>, alias: &str, entity: &str) {
    let mut node = start;
    while let Some(member) =
        node.parent().filter(|p| p.kind_name() == "member_expression" && p.field("object") == Some(node))
    {
        let Some(call) = member.parent().filter(|p| p.kind_name() == "call_expression") else { break };
        for a in call_args(call) {
            alias_uses(src, hits, a, alias, entity);
        }
        node = call;
    }
}

fn builder_strings_in_chain(
    src: &Src<'_>,
    hits: &mut Vec<Hit>,
    outer: Node<'_>,
    root: Node<'_>,
    alias: &str,
    entity: &str,
) {
    let mut node = outer;
    while node != root {
        if node.kind_name() == "call_expression" {
            for a in call_args(node) {
                alias_uses(src, hits, a, alias, entity);
            }
            match node.field("function") {
                Some(f) => node = unwrap(f),
                None => break,
            }
        } else if node.kind_name() == "member_expression" {
            match node.field("object") {
                Some(o) => node = unwrap(o),
                None => break,
            }
        } else {
            break;
        }
    }
}

fn alias_uses(src: &Src<'_>, hits: &mut Vec<Hit>, arg: Node<'_>, alias: &str, entity: &str) {
    let Some(s) = template_sql(src, unwrap(arg)) else { return };
    let Ok(re) = Regex::new(&format!(r"\b{}\.([A-Za-z_][A-Za-z0-9_]*)", regex::escape(alias))) else { return };
    for c in re.captures_iter(&s.sql) {
        if let Some(m) = c.get(1)
            && let Some(whole) = c.get(0)
            && (whole.start() == 0 || !s.sql[..whole.start()].ends_with(['.', ':']))
        {
            hit(src, hits, entity, m.as_str(), s.offset + m.start());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::camel_case;

    #[test]
    fn join_column_names() {
        assert_eq!(camel_case("author_id"), "authorId");
        assert_eq!(camel_case("createdBy_uuid"), "createdByUuid");
    }
}

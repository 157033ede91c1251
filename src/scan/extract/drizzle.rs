//! Drizzle ORM: table definitions (`pgTable`/`mysqlTable`/`sqliteTable`/`singlestoreTable`,
//! `schema.table(…)`) whose keys map to the column named by the builder's first argument (or the
//! key itself), and uses of a table object's columns (`users.email` in `eq(…)`, `select({ … })`,
//! `insert(users).values({ … })`, `update(users).set({ … })`, `db.query.users.findMany({ columns })`),
//! plus `sql`…`` templates as SQL.
//!
//! A table object is named by its variable (`users`); uses in other files resolve through the
//! model declared here (class = variable name, `fields` = key → column). A `casing: "snake_case"`
//! option on the `drizzle()` client changes unnamed columns' names and is not seen per file:
//! unnamed columns are taken as named by their key.

use crate::grammar::NodeExt;
use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::scan::extract::js::{call_args, callee_name, object_keys, property, unwrap};
use crate::scan::extract::treesit::{self, SqlString, Src, descendants, named_children, string_value, template_sql};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{FileFacts, ModelDecl, Target};
use crate::scan::reference::RefKind;

pub struct Drizzle;

impl Extractor for Drizzle {
    fn id(&self) -> &'static str {
        "drizzle"
    }

    fn version(&self) -> u32 {
        1
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Drizzle && treesit::is_js_path(path)
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

const TABLE_FUNCTIONS: &[&str] = &["pgTable", "mysqlTable", "sqliteTable", "singlestoreTable"];

struct Table {
    name: String,
    /// key → column.
    columns: BTreeMap<String, String>,
}

fn collect(path: &str, source: &str) -> (FileFacts, Vec<SqlString>) {
    let tree = match crate::grammar::parse_as(source, &treesit::js_language(path)) {
        Ok(tree) => tree,
        Err(gave_up) => return (FileFacts::unreadable(gave_up), Vec::new()),
    };
    let root = tree.root_node();
    let src = Src::new(source);
    let mut facts = FileFacts::default();
    let mut sql = Vec::new();
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    // Member expressions already reported as declarations (`.references(() => users.id)`).
    let mut declared: BTreeSet<usize> = BTreeSet::new();

    let all = descendants(root);
    let creators = table_creators(&src, &all);
    for node in &all {
        if node.kind_name() != "variable_declarator" {
            continue;
        }
        let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
            continue;
        };
        let value = unwrap(value);
        if value.kind_name() != "call_expression" || name.kind_name() != "identifier" {
            continue;
        }
        let Some(f) = callee_name(&src, value) else { continue };
        let via_schema =
            f == "table" && value.field("function").is_some_and(|f| unwrap(f).kind_name() == "member_expression");
        let creator = creators.iter().find(|(n, _, _)| n == f);
        if !TABLE_FUNCTIONS.contains(&f) && !via_schema && creator.is_none() {
            continue;
        }
        let args = call_args(value);
        let Some((table, table_offset)) = args.first().and_then(|a| string_value(&src, *a)) else { continue };
        let table = match creator {
            Some((_, prefix, suffix)) => format!("{prefix}{table}{suffix}"),
            None => table,
        };
        let var = src.node_text(name).to_owned();
        facts.hits.push(src.hit(
            table_offset,
            Target::Table { table: table.clone() },
            RefKind::Declaration,
            Confidence::High,
        ));
        let mut columns = BTreeMap::new();
        let object = args.get(1).map(|a| columns_object(*a));
        for key in object.into_iter().flatten().flat_map(|o| object_keys(&src, o)) {
            let Some(v) = key.value else { continue };
            let Some(column) = builder_column(&src, v, &key.name) else { continue };
            facts.hits.push(src.hit(
                key.offset,
                Target::Column { table: table.clone(), column: column.clone() },
                RefKind::Declaration,
                Confidence::High,
            ));
            // `.references(() => users.id)`.
            for n in descendants(v) {
                if n.kind_name() == "call_expression"
                    && callee_name(&src, n) == Some("references")
                    && let Some(arrow) = call_args(n).first().copied()
                    && let Some(body) = arrow.field("body").map(unwrap)
                    && body.kind_name() == "member_expression"
                    && let (Some(obj), Some(prop)) = (body.field("object"), property(&src, body))
                {
                    declared.insert(body.start_byte());
                    facts.hits.push(src.hit(
                        body.start_byte(),
                        Target::ModelColumn { model: src.node_text(obj).to_owned(), column: prop.to_owned() },
                        RefKind::Declaration,
                        Confidence::High,
                    ));
                }
            }
            columns.insert(key.name.clone(), column);
        }
        let (line, column) = src.pos(name.start_byte());
        facts.models.push(ModelDecl {
            framework: Framework::Drizzle,
            class: var.clone(),
            parent: None,
            table: Some(table.clone()),
            is_abstract: false,
            ignored_columns: Vec::new(),
            fields: columns.iter().map(|(k, c)| (k.clone(), c.clone())).collect(),
            associations: Vec::new(),
            mixins: Vec::new(),
            line,
            column,
            snippet: src.snippet(name.start_byte()),
        });
        tables.insert(var, Table { name: table, columns });
    }

    let (imported, namespaces) = imports(&src, root);
    let is_table = |name: &str| tables.contains_key(name) || imported.contains(name);
    let use_hit = |facts: &mut FileFacts, offset: usize, var: &str, key: &str| {
        let target = match tables.get(var) {
            Some(t) => Target::Column {
                table: t.name.clone(),
                column: t.columns.get(key).cloned().unwrap_or_else(|| key.to_owned()),
            },
            None => Target::ModelColumn { model: var.to_owned(), column: key.to_owned() },
        };
        facts.hits.push(src.hit(offset, target, RefKind::Query, Confidence::High));
    };

    for node in &all {
        match node.kind_name() {
            "member_expression" => {
                if declared.contains(&node.start_byte()) {
                    continue;
                }
                let (Some(object), Some(prop)) = (node.field("object"), property(&src, *node)) else {
                    continue;
                };
                let object = unwrap(object);
                let var = match object.kind_name() {
                    "identifier" if is_table(src.node_text(object)) => src.node_text(object),
                    // `schema.users.email` through `import * as schema`.
                    "member_expression" => match (object.field("object"), property(&src, object)) {
                        (Some(ns), Some(t))
                            if ns.kind_name() == "identifier" && namespaces.contains(src.node_text(ns)) =>
                        {
                            t
                        }
                        _ => continue,
                    },
                    _ => continue,
                };
                let called = node
                    .parent()
                    .is_some_and(|p| p.kind_name() == "call_expression" && p.field("function") == Some(*node));
                // `db.query.users`: the outer member names the table, if anything.
                let object_of_member = node
                    .parent()
                    .is_some_and(|p| p.kind_name() == "member_expression" && p.field("object") == Some(*node));
                if called || object_of_member || prop.starts_with('$') || prop.starts_with('_') || prop == "prototype" {
                    continue;
                }
                use_hit(&mut facts, node.start_byte(), var, prop);
            }
            "call_expression" => {
                let Some(f) = callee_name(&src, *node) else { continue };
                let function = node.field("function").map(unwrap);
                match f {
                    "sql" if function.is_some_and(|f| f.kind_name() == "identifier") => {
                        if let Some(t) = node.field("arguments").filter(|a| a.kind_name() == "template_string")
                            && let Some(s) = template_sql(&src, t)
                        {
                            sql.push(s);
                        }
                    }
                    "raw" if function.is_some_and(|f| src.node_text(f) == "sql.raw") => {
                        if let Some((s, offset)) = call_args(*node).first().and_then(|a| string_value(&src, *a)) {
                            sql.push(SqlString::plain(s, offset));
                        }
                    }
                    "values" | "set" => {
                        let Some(var) = function.and_then(|f| f.field("object")).and_then(|o| write_target(&src, o))
                        else {
                            continue;
                        };
                        if !is_table(var) {
                            continue;
                        }
                        for arg in call_args(*node) {
                            let items = if arg.kind_name() == "array" { named_children(arg) } else { vec![arg] };
                            for item in items {
                                for k in object_keys(&src, unwrap(item)) {
                                    use_hit(&mut facts, k.offset, var, &k.name);
                                }
                            }
                        }
                    }
                    "findMany" | "findFirst" => {
                        // `db.query.users.findMany({ columns: { email: true } })`.
                        let Some(accessor) = function.and_then(|f| f.field("object")).map(unwrap) else {
                            continue;
                        };
                        let through_query = accessor
                            .field("object")
                            .and_then(|o| property(&src, unwrap(o)))
                            .is_some_and(|p| p == "query");
                        let Some(var) = property(&src, accessor).filter(|_| through_query) else { continue };
                        if let Some(arg) = call_args(*node).first().filter(|a| a.kind_name() == "object")
                            && let Some(cols) =
                                object_keys(&src, *arg).into_iter().find(|k| k.name == "columns").and_then(|k| k.value)
                        {
                            for k in object_keys(&src, cols) {
                                use_hit(&mut facts, k.offset, var, &k.name);
                            }
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    sql.sort_by_key(|s| s.offset);
    sql.dedup_by_key(|s| s.offset);
    (facts, sql)
}

/// `const createTable = pgTableCreator((name) => `app_${name}`)` (create-t3-app's default):
/// (function name, prefix, suffix) of the table names it makes.
fn table_creators(src: &Src<'_>, all: &[Node<'_>]) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for node in all {
        if node.kind_name() != "variable_declarator" {
            continue;
        }
        let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
            continue;
        };
        let value = unwrap(value);
        if value.kind_name() != "call_expression"
            || !callee_name(src, value).is_some_and(|f| f.ends_with("TableCreator"))
        {
            continue;
        }
        let Some(body) = call_args(value).first().and_then(|a| a.field("body")).map(unwrap) else {
            continue;
        };
        let (prefix, suffix) = match body.kind_name() {
            "template_string" => {
                let text = src.node_text(body).trim_matches('`');
                match (text.find("${"), text.find('}')) {
                    (Some(open), Some(close)) if close > open => {
                        (text[..open].to_owned(), text[close + 1..].to_owned())
                    }
                    _ => continue,
                }
            }
            // `(name) => name`
            "identifier" => (String::new(), String::new()),
            _ => continue,
        };
        out.push((src.node_text(name).to_owned(), prefix, suffix));
    }
    out
}

/// The object literal of a table's columns: `{ … }` or `(t) => ({ … })`.
fn columns_object(arg: Node<'_>) -> Option<Node<'_>> {
    let arg = unwrap(arg);
    match arg.kind_name() {
        "object" => Some(arg),
        "arrow_function" => arg.field("body").map(unwrap).filter(|b| b.kind_name() == "object"),
        _ => None,
    }
}

/// The column a builder chain defines: `varchar("email_address", { length: 256 }).notNull()` →
/// `email_address`; `t.integer().primaryKey()` → the key.
fn builder_column(src: &Src<'_>, value: Node<'_>, key: &str) -> Option<String> {
    let mut node = unwrap(value);
    loop {
        if node.kind_name() != "call_expression" {
            return None;
        }
        let f = unwrap(node.field("function")?);
        let inner = f.field("object").map(unwrap);
        match inner {
            Some(o) if o.kind_name() == "call_expression" => node = o,
            _ => break,
        }
    }
    let name = call_args(node).first().and_then(|a| string_value(src, *a)).map(|(s, _)| s);
    Some(name.unwrap_or_else(|| key.to_owned()))
}

/// `db.insert(users)` / `db.update(users)` → `users`.
fn write_target<'a>(src: &Src<'a>, node: Node<'_>) -> Option<&'a str> {
    let node = unwrap(node);
    if node.kind_name() != "call_expression" {
        return None;
    }
    let f = callee_name(src, node)?;
    if f != "insert" && f != "update" {
        return None;
    }
    let arg = call_args(node).into_iter().next()?;
    (arg.kind_name() == "identifier").then(|| src.node_text(arg))
}

/// Named imports (local names) and namespace imports of the file, except from `drizzle-orm`
/// itself (operators such as `eq`, `sql`).
fn imports(src: &Src<'_>, root: Node<'_>) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut named = BTreeSet::new();
    let mut namespaces = BTreeSet::new();
    for stmt in named_children(root) {
        if stmt.kind_name() != "import_statement" {
            continue;
        }
        let from = stmt.field("source").and_then(|s| string_value(src, s)).map(|(s, _)| s).unwrap_or_default();
        if from.starts_with("drizzle-orm") {
            continue;
        }
        for n in descendants(stmt) {
            match n.kind_name() {
                "import_specifier" => {
                    let local = n.field("alias").or(n.field("name"));
                    if let Some(l) = local {
                        named.insert(src.node_text(l).to_owned());
                    }
                }
                "namespace_import" => {
                    if let Some(id) = named_children(n).into_iter().find(|c| c.kind_name() == "identifier") {
                        namespaces.insert(src.node_text(id).to_owned());
                    }
                }
                _ => {}
            }
        }
    }
    (named, namespaces)
}

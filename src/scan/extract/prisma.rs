//! Prisma: `schema.prisma` models (table = `@@map` or the model name; column = `@map` or the
//! field name; relation fields are not columns; `@ignore`/`@@ignore` are not read by the client)
//! and Prisma Client calls in JS/TS — `prisma.user.findMany({ where, select, data, orderBy … })`
//! → the model's fields — plus `$queryRaw`/`$executeRaw` SQL.
//!
//! There is no tree-sitter grammar for Prisma's schema language here, so the schema is read by a
//! small line-oriented parser; `prisma format` output (one field per line) is what real schemas
//! contain.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::scan::extract::js::{call_args, callee_name, key_value, object_keys, property, strings, unwrap};
use crate::scan::extract::treesit::{self, SqlString, Src, descendants, named_children, template_sql};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{FileFacts, Hit, ModelDecl, Target};
use crate::scan::reference::RefKind;

pub struct Prisma;

impl Extractor for Prisma {
    fn id(&self) -> &'static str {
        "prisma"
    }

    fn version(&self) -> u32 {
        1
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Prisma && (path.ends_with(".prisma") || treesit::is_js_path(path))
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let (path, source) = (file.path, file.text);
        if path.ends_with(".prisma") {
            return schema(source);
        }
        let (mut facts, sql) = client(path, source);
        facts.hits.extend(treesit::sql_hits(&Src::new(source), &sql));
        facts
    }
}

/// The raw SQL strings of a JS/TS file (what the SQL extractor is handed).
pub fn sql_strings(path: &str, source: &str) -> Vec<SqlString> {
    client(path, source).1
}

const SCALARS: &[&str] = &["String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"];

static BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(model|view|enum|type|datasource|generator)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{")
        .unwrap_or_else(|_| unreachable!())
});
static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+(Unsupported\([^)]*\)|[A-Za-z_][A-Za-z0-9_]*)(\[\])?(\?)?(.*)$")
        .unwrap_or_else(|_| unreachable!())
});
static MAP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"@map\(\s*(?:name:\s*)?"([^"]*)"\s*\)"#).unwrap_or_else(|_| unreachable!()));
static BLOCK_MAP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*@@map\(\s*(?:name:\s*)?"([^"]*)"\s*\)"#).unwrap_or_else(|_| unreachable!()));
static REFERENCES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"references:\s*\[([^\]]*)\]").unwrap_or_else(|_| unreachable!()));
static IGNORE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"@ignore\b").unwrap_or_else(|_| unreachable!()));
static BLOCK_IGNORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*@@ignore\b").unwrap_or_else(|_| unreachable!()));

/// A line without its `//` comment (strings may contain `//`).
fn strip_comment(line: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            return &line[..i];
        }
    }
    line
}

struct Line<'a> {
    text: &'a str,
    offset: usize,
}

fn lines(source: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in source.split_inclusive('\n') {
        let text = strip_comment(raw.trim_end_matches(['\n', '\r']));
        out.push(Line { text, offset });
        offset += raw.len();
    }
    out
}

struct Block<'a> {
    kind: &'a str,
    name: &'a str,
    name_offset: usize,
    body: Vec<Line<'a>>,
}

fn blocks(source: &str) -> Vec<Block<'_>> {
    let mut out: Vec<Block<'_>> = Vec::new();
    let mut open = false;
    for line in lines(source) {
        if open {
            if line.text.trim_start().starts_with('}') {
                open = false;
            } else if let Some(b) = out.last_mut() {
                b.body.push(line);
            }
            continue;
        }
        if let Some(c) = BLOCK.captures(line.text)
            && let (Some(kind), Some(name), Some(whole)) = (c.get(1), c.get(2), c.get(0))
        {
            let rest = &line.text[whole.end()..];
            let mut block = Block {
                kind: kind.as_str(),
                name: name.as_str(),
                name_offset: line.offset + name.start(),
                body: Vec::new(),
            };
            // `enum Role { USER ADMIN }` on one line.
            if let Some(close) = rest.find('}') {
                block.body.push(Line { text: &rest[..close], offset: line.offset + whole.end() });
            } else {
                open = true;
            }
            out.push(block);
        }
    }
    out
}

/// Read a Prisma schema file.
pub fn schema(source: &str) -> FileFacts {
    let src = Src::new(source);
    let blocks = blocks(source);
    let models: BTreeSet<&str> =
        blocks.iter().filter(|b| b.kind == "model" || b.kind == "view").map(|b| b.name).collect();
    let enums: BTreeSet<&str> = blocks.iter().filter(|b| b.kind == "enum").map(|b| b.name).collect();
    let mut facts = FileFacts::default();
    for block in blocks.iter().filter(|b| b.kind == "model" || b.kind == "view") {
        if block.body.iter().any(|l| BLOCK_IGNORE.is_match(l.text)) {
            continue;
        }
        let table = block
            .body
            .iter()
            .find_map(|l| BLOCK_MAP.captures(l.text).and_then(|c| c.get(1)).map(|m| m.as_str().to_owned()))
            .unwrap_or_else(|| block.name.to_owned());
        facts.hits.push(src.hit(
            block.name_offset,
            Target::Table { table: table.clone() },
            RefKind::Declaration,
            Confidence::High,
        ));
        let mut fields = Vec::new();
        for line in &block.body {
            let t = line.text.trim_start();
            if t.starts_with('@') || t.is_empty() {
                continue;
            }
            let Some(c) = FIELD.captures(line.text) else { continue };
            let (Some(name), Some(ty)) = (c.get(1), c.get(2)) else { continue };
            let attrs = c.get(5).map_or("", |m| m.as_str());
            let list = c.get(3).is_some();
            let ty = ty.as_str();
            let base = ty.split('(').next().unwrap_or(ty);
            let scalar = SCALARS.contains(&base) || base == "Unsupported" || enums.contains(base);
            // A type from another schema file: an enum is usually given a bare default value.
            let foreign_enum = !scalar && !models.contains(base) && !attrs.contains("@relation") && !list && {
                static ENUM_DEFAULT: LazyLock<Regex> = LazyLock::new(|| {
                    Regex::new(r"@default\(\s*[A-Z][A-Za-z0-9_]*\s*\)").unwrap_or_else(|_| unreachable!())
                });
                ENUM_DEFAULT.is_match(attrs)
            };
            if !scalar && !foreign_enum {
                fields.push((name.as_str().to_owned(), String::new()));
                // A relation field: its `references` name columns of the other model.
                if let Some(r) = REFERENCES.captures(attrs).and_then(|c| c.get(1)) {
                    let attrs_offset = line.offset + c.get(5).map_or(0, |m| m.start());
                    for (i, part) in r.as_str().split(',').enumerate() {
                        let field = part.trim();
                        if field.is_empty() {
                            continue;
                        }
                        let within = r.as_str().split(',').take(i).map(|p| p.len() + 1).sum::<usize>()
                            + (part.len() - part.trim_start().len());
                        facts.hits.push(src.hit(
                            attrs_offset + r.start() + within,
                            Target::ModelColumn { model: model_name(base), column: field.to_owned() },
                            RefKind::Declaration,
                            Confidence::High,
                        ));
                    }
                }
                continue;
            }
            if IGNORE.is_match(attrs) {
                continue;
            }
            let column = MAP.captures(attrs).and_then(|c| c.get(1)).map_or(name.as_str(), |m| m.as_str());
            fields.push((name.as_str().to_owned(), column.to_owned()));
            facts.hits.push(src.hit(
                line.offset + name.start(),
                Target::Column { table: table.clone(), column: column.to_owned() },
                RefKind::Declaration,
                Confidence::High,
            ));
        }
        let (line, column) = src.pos(block.name_offset);
        facts.models.push(ModelDecl {
            framework: Framework::Prisma,
            class: model_name(block.name),
            parent: None,
            table: Some(table),
            is_abstract: false,
            ignored_columns: Vec::new(),
            fields,
            associations: Vec::new(),
            mixins: Vec::new(),
            line,
            column,
            snippet: src.snippet(block.name_offset),
        });
    }
    facts
}

/// Prisma Client model methods.
const METHODS: &[&str] = &[
    "findMany",
    "findUnique",
    "findUniqueOrThrow",
    "findFirst",
    "findFirstOrThrow",
    "create",
    "createMany",
    "createManyAndReturn",
    "update",
    "updateMany",
    "updateManyAndReturn",
    "upsert",
    "delete",
    "deleteMany",
    "count",
    "aggregate",
    "groupBy",
];

/// Top-level argument keys Prisma Client understands; an object with none of these is not a
/// Prisma call.
const ARG_KEYS: &[&str] = &[
    "where", "data", "select", "include", "omit", "orderBy", "distinct", "by", "cursor", "take", "skip", "create",
    "update", "_count", "_sum", "_avg", "_min", "_max", "having",
];

/// Keys of a relation filter or a nested write: the key before them is a relation, not a column.
const RELATION_KEYS: &[&str] = &[
    "some",
    "every",
    "none",
    "is",
    "isNot",
    "connect",
    "connectOrCreate",
    "disconnect",
    "create",
    "createMany",
    "upsert",
    "delete",
    "deleteMany",
    "update",
    "updateMany",
];

fn client(path: &str, source: &str) -> (FileFacts, Vec<SqlString>) {
    let Some(tree) = treesit::parse(source, &treesit::js_language(path)) else {
        return (FileFacts::default(), Vec::new());
    };
    let src = Src::new(source);
    let mut hits = Vec::new();
    let mut sql = Vec::new();
    for node in descendants(tree.root_node()) {
        if node.kind() != "call_expression" {
            continue;
        }
        let Some(function) = node.child_by_field_name("function").map(unwrap) else { continue };
        let Some(method) = property(&src, function) else { continue };
        if method.starts_with("$queryRaw") || method.starts_with("$executeRaw") {
            let arg = node.child_by_field_name("arguments");
            let literal = match arg {
                Some(a) if a.kind() == "template_string" => Some(a),
                Some(a) => call_args(node).into_iter().next().filter(|_| a.kind() == "arguments"),
                None => None,
            };
            if let Some(s) = literal.and_then(|l| template_sql(&src, l)) {
                sql.push(s);
            }
            continue;
        }
        if !METHODS.contains(&method) {
            continue;
        }
        let Some(accessor) = function.child_by_field_name("object").map(unwrap) else { continue };
        let Some(model) = property(&src, accessor).filter(|a| !a.starts_with('$')) else { continue };
        let args = call_args(node);
        let arg = args.first().copied().filter(|a| a.kind() == "object");
        if let Some(arg) = arg
            && !object_keys(&src, arg).iter().any(|k| ARG_KEYS.contains(&k.name.as_str()))
        {
            continue;
        }
        let model = model_name(model);
        hits.push(src.hit(
            accessor.start_byte(),
            Target::Model { model: model.clone() },
            RefKind::Query,
            Confidence::High,
        ));
        if let Some(arg) = arg {
            arguments(&src, &model, arg, &mut hits);
        }
    }
    for node in descendants(tree.root_node()) {
        // `Prisma.sql`…`` fragments.
        if node.kind() == "call_expression"
            && callee_name(&src, node) == Some("sql")
            && node.child_by_field_name("function").is_some_and(|f| src.node_text(f) == "Prisma.sql")
            && let Some(t) = node.child_by_field_name("arguments").filter(|a| a.kind() == "template_string")
            && let Some(s) = template_sql(&src, t)
        {
            sql.push(s);
        }
    }
    sql.sort_by_key(|s| s.offset);
    sql.dedup_by_key(|s| s.offset);
    (FileFacts { hits, models: Vec::new(), ..FileFacts::default() }, sql)
}

/// How Prisma models are named in facts: as Prisma Client names them, the model name with its
/// first letter in lower case (`UserProfile` → `userProfile`, an introspected `users` → `users`),
/// so that client calls (`prisma.userProfile.…`) and schema declarations meet without guessing
/// the case the schema used.
pub fn model_name(model: &str) -> String {
    let mut c = model.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn field(src: &Src<'_>, model: &str, name: &str, offset: usize, hits: &mut Vec<Hit>) {
    if name.starts_with('_') || name.is_empty() {
        return;
    }
    hits.push(src.hit(
        offset,
        Target::ModelColumn { model: model.to_owned(), column: name.to_owned() },
        RefKind::Query,
        Confidence::High,
    ));
}

fn is_relation_value(src: &Src<'_>, value: Option<Node<'_>>) -> bool {
    value.is_some_and(|v| {
        v.kind() == "object" && object_keys(src, v).iter().any(|k| RELATION_KEYS.contains(&k.name.as_str()))
    })
}

fn arguments(src: &Src<'_>, model: &str, arg: Node<'_>, hits: &mut Vec<Hit>) {
    for key in object_keys(src, arg) {
        let Some(value) = key.value else { continue };
        match key.name.as_str() {
            "where" | "having" => filter(src, model, value, hits),
            "data" | "create" | "update" => {
                let items = if value.kind() == "array" { named_children(value) } else { vec![value] };
                for item in items {
                    for k in object_keys(src, unwrap(item)) {
                        if !is_relation_value(src, k.value) {
                            field(src, model, &k.name, k.offset, hits);
                        }
                    }
                }
            }
            "select" | "omit" | "_count" | "_sum" | "_avg" | "_min" | "_max" => {
                for k in object_keys(src, value) {
                    // `select: { posts: { … } }` selects a relation.
                    if k.value.is_none_or(|v| v.kind() == "true" || v.kind() == "false") {
                        field(src, model, &k.name, k.offset, hits);
                    }
                }
            }
            "orderBy" | "cursor" => {
                let items = if value.kind() == "array" { named_children(value) } else { vec![value] };
                for item in items {
                    for k in object_keys(src, unwrap(item)) {
                        // `{ author: { name: "asc" } }` orders by a relation's field.
                        let scalar =
                            k.value.is_none_or(|v| v.kind() != "object" || key_value(src, v, "sort").is_some());
                        if scalar {
                            field(src, model, &k.name, k.offset, hits);
                        }
                    }
                }
            }
            "distinct" | "by" => {
                for (name, offset) in strings(src, value) {
                    field(src, model, &name, offset, hits);
                }
            }
            _ => {}
        }
    }
}

fn filter(src: &Src<'_>, model: &str, value: Node<'_>, hits: &mut Vec<Hit>) {
    let value = unwrap(value);
    if value.kind() == "array" {
        for item in named_children(value) {
            filter(src, model, item, hits);
        }
        return;
    }
    for k in object_keys(src, value) {
        match k.name.as_str() {
            "AND" | "OR" | "NOT" => {
                if let Some(v) = k.value {
                    filter(src, model, v, hits);
                }
            }
            _ if is_relation_value(src, k.value) => {}
            _ => field(src, model, &k.name, k.offset, hits),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_end_outside_strings() {
        assert_eq!(
            strip_comment(r#"url String @default("http://x") // the site"#),
            r#"url String @default("http://x") "#
        );
        assert_eq!(strip_comment("/// doc"), "");
    }

    #[test]
    fn accessor_to_model() {
        assert_eq!(model_name("UserProfile"), "userProfile");
        assert_eq!(model_name("users"), "users");
    }
}

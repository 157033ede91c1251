//! Sequelize: models from `sequelize.define("User", attributes, options)`, `User.init(attributes,
//! options)` and sequelize-typescript `@Table` classes, and model method calls
//! (`User.findAll({ where, attributes, order, group })`, `create`, `update`, `destroy`, …),
//! plus `sequelize.query("…")` SQL.
//!
//! Defaults follow Sequelize v6: table = `tableName`, else the model name when
//! `freezeTableName`, else the pluralized model name (underscored when `underscored: true`);
//! column = `field`, else the attribute (underscored when `underscored: true`); `VIRTUAL`
//! attributes are not columns; `timestamps` (default on) add `createdAt`/`updatedAt` (renamed or
//! disabled by `createdAt: "…" | false`), `paranoid` adds `deletedAt`; an `id` primary key is
//! added unless an attribute is the primary key. Options set globally in `new Sequelize(…, {
//! define })` are not visible per file.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::scan::extract::js::{
    Key, call_args, callee_name, decorator_args, decorator_name, decorators_of, is_pascal, key_value, object_keys,
    property, strings, unwrap,
};
use crate::scan::extract::treesit::{
    self, SqlString, Src, descendants, named_children, snake_case, string_value, template_sql,
};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{FileFacts, Hit, ModelDecl, Target};
use crate::scan::reference::RefKind;

pub struct Sequelize;

impl Extractor for Sequelize {
    fn id(&self) -> &'static str {
        "sequelize"
    }

    fn version(&self) -> u32 {
        1
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Sequelize && treesit::is_js_path(path)
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

/// Model methods whose arguments name attributes.
const METHODS: &[&str] = &[
    "findAll",
    "findOne",
    "findAndCountAll",
    "findOrCreate",
    "findOrBuild",
    "findCreateFind",
    "count",
    "create",
    "bulkCreate",
    "build",
    "update",
    "destroy",
    "restore",
    "upsert",
    "max",
    "min",
    "sum",
    "increment",
    "decrement",
    "aggregate",
];

struct ModelOptions {
    table: Option<String>,
    model_name: Option<String>,
    underscored: bool,
    freeze: bool,
    timestamps: bool,
    paranoid: bool,
    created_at: Option<Option<String>>,
    updated_at: Option<Option<String>>,
    deleted_at: Option<Option<String>>,
}

fn options(src: &Src<'_>, node: Option<Node<'_>>) -> ModelOptions {
    let mut o = ModelOptions {
        table: None,
        model_name: None,
        underscored: false,
        freeze: false,
        timestamps: true,
        paranoid: false,
        created_at: None,
        updated_at: None,
        deleted_at: None,
    };
    let Some(node) = node.filter(|n| n.kind_name() == "object") else { return o };
    for k in object_keys(src, node) {
        let Some(v) = k.value else { continue };
        let text = src.node_text(v);
        let string = || string_value(src, v).map(|(s, _)| s);
        // `createdAt: false` disables, `createdAt: "created"` renames.
        let rename = || if text == "false" { Some(None) } else { string().map(Some) };
        match k.name.as_str() {
            "tableName" => o.table = string(),
            "modelName" => o.model_name = string(),
            "underscored" => o.underscored = text == "true",
            "freezeTableName" => o.freeze = text == "true",
            "timestamps" => o.timestamps = text != "false",
            "paranoid" => o.paranoid = text == "true",
            "createdAt" => o.created_at = rename(),
            "updatedAt" => o.updated_at = rename(),
            "deletedAt" => o.deleted_at = rename(),
            _ => {}
        }
    }
    o
}

/// English plural as the `inflection` package Sequelize uses forms it, for model names.
pub fn pluralize(word: &str) -> String {
    const UNCOUNTABLE: &[&str] = &[
        "equipment",
        "information",
        "rice",
        "money",
        "species",
        "series",
        "fish",
        "sheep",
        "moose",
        "deer",
        "news",
        "data",
        "metadata",
    ];
    const IRREGULAR: &[(&str, &str)] = &[
        ("person", "people"),
        ("man", "men"),
        ("woman", "women"),
        ("child", "children"),
        ("sex", "sexes"),
        ("move", "moves"),
    ];
    let lower = word.to_ascii_lowercase();
    // The last word of a CamelCase or snake_case name is what gets inflected.
    let split = word
        .char_indices()
        .filter(|(i, c)| *i > 0 && (c.is_ascii_uppercase() || *c == '_'))
        .map(|(i, c)| if c == '_' { i + 1 } else { i })
        .next_back()
        .unwrap_or(0);
    let (head, last) = word.split_at(split);
    let last_lower = last.to_ascii_lowercase();
    if UNCOUNTABLE.contains(&last_lower.as_str()) || UNCOUNTABLE.contains(&lower.as_str()) {
        return word.to_owned();
    }
    if let Some((_, plural)) = IRREGULAR.iter().find(|(s, _)| *s == last_lower) {
        let mut p = String::new();
        let upper = last.starts_with(|c: char| c.is_ascii_uppercase());
        for (i, c) in plural.chars().enumerate() {
            p.push(if i == 0 && upper { c.to_ascii_uppercase() } else { c });
        }
        return format!("{head}{p}");
    }
    let ends = |s: &str| last_lower.ends_with(s);
    let stem = |n: usize| &word[..word.len() - n];
    let vowel_before_y = last_lower.len() >= 2 && {
        let b = last_lower.as_bytes()[last_lower.len() - 2];
        matches!(b, b'a' | b'e' | b'i' | b'o' | b'u') && !ends("quy")
    };
    if ends("quiz") {
        format!("{word}zes")
    } else if ends("matrix") || ends("vertex") || ends("index") {
        format!("{}ices", stem(2))
    } else if ends("x") || ends("ch") || ends("ss") || ends("sh") {
        format!("{word}es")
    } else if ends("y") && !vowel_before_y {
        format!("{}ies", stem(1))
    } else if ends("sis") {
        format!("{}ses", stem(3))
    } else if ends("alias") || ends("status") || ends("bus") {
        format!("{word}es")
    } else if ends("fe") && !ends("ffe") {
        format!("{}ves", stem(2))
    } else if (ends("lf") || ends("rf")) && last_lower.len() > 2 {
        format!("{}ves", stem(1))
    } else if ends("tomato") || ends("potato") || ends("buffalo") {
        format!("{word}es")
    } else if ends("s") {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

struct Attr {
    name: String,
    column: String,
    offset: usize,
    primary_key: bool,
}

fn attributes(src: &Src<'_>, node: Node<'_>, underscored: bool) -> Vec<Attr> {
    let mut out = Vec::new();
    for k in object_keys(src, node) {
        let Some(v) = k.value else { continue };
        let text = src.node_text(v);
        if text.contains("VIRTUAL")
            && (v.kind_name() != "object"
                || key_value(src, v, "type").is_some_and(|t| src.node_text(t).contains("VIRTUAL")))
        {
            // Not a column; recorded so that uses of it resolve to nothing.
            out.push(Attr { name: k.name, column: String::new(), offset: k.offset, primary_key: false });
            continue;
        }
        let field = if v.kind_name() == "object" {
            key_value(src, v, "field").and_then(|f| string_value(src, f))
        } else {
            None
        };
        let primary_key =
            v.kind_name() == "object" && key_value(src, v, "primaryKey").is_some_and(|p| src.node_text(p) == "true");
        let column =
            field.map(|(s, _)| s).unwrap_or_else(|| if underscored { snake_case(&k.name) } else { k.name.clone() });
        out.push(Attr { name: k.name, column, offset: k.offset, primary_key });
    }
    out
}

fn declare(src: &Src<'_>, facts: &mut FileFacts, class: &str, decl_offset: usize, attrs: Vec<Attr>, o: &ModelOptions) {
    let name = o.model_name.clone().unwrap_or_else(|| class.to_owned());
    let table = o.table.clone().unwrap_or_else(|| {
        if o.freeze {
            name.clone()
        } else if o.underscored {
            snake_case(&pluralize(&name))
        } else {
            pluralize(&name)
        }
    });
    let column_hit = |column: &str, offset: usize| {
        src.hit(
            offset,
            Target::Column { table: table.clone(), column: column.to_owned() },
            RefKind::Declaration,
            Confidence::High,
        )
    };
    facts.hits.push(src.hit(
        decl_offset,
        Target::Table { table: table.clone() },
        RefKind::Declaration,
        Confidence::High,
    ));
    let mut fields: Vec<(String, String)> = Vec::new();
    if !attrs.iter().any(|a| a.primary_key) {
        facts.hits.push(column_hit("id", decl_offset));
        fields.push(("id".into(), "id".into()));
    }
    for a in &attrs {
        if !a.column.is_empty() {
            facts.hits.push(column_hit(&a.column, a.offset));
        }
        fields.push((a.name.clone(), a.column.clone()));
    }
    let mut stamps = Vec::new();
    if o.timestamps {
        stamps.push((o.created_at.clone(), "createdAt"));
        stamps.push((o.updated_at.clone(), "updatedAt"));
        if o.paranoid {
            stamps.push((o.deleted_at.clone(), "deletedAt"));
        }
    }
    for (setting, default) in stamps {
        let attr = match setting {
            Some(None) => continue,
            Some(Some(name)) => name,
            None => default.to_owned(),
        };
        if attrs.iter().any(|a| a.name == attr) {
            continue;
        }
        let column = if o.underscored { snake_case(&attr) } else { attr.clone() };
        facts.hits.push(column_hit(&column, decl_offset));
        fields.push((attr, column));
    }
    let (line, col) = src.pos(decl_offset);
    facts.models.push(ModelDecl {
        framework: Framework::Sequelize,
        class: class.to_owned(),
        parent: None,
        table: Some(table.clone()),
        is_abstract: false,
        ignored_columns: Vec::new(),
        fields,
        associations: Vec::new(),
        mixins: Vec::new(),
        line,
        column: col,
        snippet: src.snippet(decl_offset),
    });
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
    for node in &all {
        match node.kind_name() {
            "call_expression" => {
                let Some(f) = callee_name(&src, *node) else { continue };
                let function = node.field("function").map(unwrap);
                let args = call_args(*node);
                match f {
                    "define" => {
                        let Some((name, offset)) = args.first().and_then(|a| string_value(&src, *a)) else { continue };
                        let Some(attrs) = args.get(1).filter(|a| a.kind_name() == "object") else { continue };
                        let o = options(&src, args.get(2).copied());
                        let attrs = attributes(&src, *attrs, o.underscored);
                        // The model is named by its modelName (the first argument).
                        let o = ModelOptions { model_name: Some(name.clone()), ..o };
                        declare(&src, &mut facts, &name, offset, attrs, &o);
                        continue;
                    }
                    "init" => {
                        let receiver = function.and_then(|f| f.field("object")).map(unwrap);
                        if let Some(r) =
                            receiver.filter(|r| r.kind_name() == "identifier" && is_pascal(src.node_text(*r)))
                            && let Some(attrs) = args.first().filter(|a| a.kind_name() == "object")
                            && args.get(1).is_some_and(|o| o.kind_name() == "object")
                        {
                            let o = options(&src, args.get(1).copied());
                            let attrs = attributes(&src, *attrs, o.underscored);
                            declare(&src, &mut facts, src.node_text(r), r.start_byte(), attrs, &o);
                            continue;
                        }
                    }
                    "query" => {
                        let literal = args.first().copied().and_then(|a| template_sql(&src, a));
                        if let Some(s) = literal.filter(|s| treesit::looks_like_sql(&s.sql)) {
                            sql.push(s);
                        }
                        continue;
                    }
                    "belongsTo" | "hasMany" | "hasOne" => {
                        // An explicit foreign key: on the source for belongsTo, on the target
                        // otherwise.
                        let source_model = function.and_then(|f| f.field("object")).and_then(|o| model_of(&src, o));
                        let target_model = args.first().and_then(|a| model_of(&src, *a));
                        let owner = if f == "belongsTo" { source_model } else { target_model };
                        let fk = args
                            .get(1)
                            .filter(|o| o.kind_name() == "object")
                            .and_then(|o| key_value(&src, *o, "foreignKey"));
                        let fk = fk.and_then(|v| match v.kind_name() {
                            "object" => key_value(&src, v, "name").and_then(|n| string_value(&src, n)),
                            _ => string_value(&src, v),
                        });
                        if let (Some(owner), Some((column, offset))) = (owner, fk) {
                            facts.hits.push(src.hit(
                                offset,
                                Target::ModelColumn { model: owner, column },
                                RefKind::Declaration,
                                Confidence::High,
                            ));
                        }
                        continue;
                    }
                    "literal" => {
                        if let Some(s) = args.first().copied().and_then(|a| template_sql(&src, a)) {
                            sql.push(s);
                        }
                        continue;
                    }
                    _ => {}
                }
                if METHODS.contains(&f)
                    && let Some(model) = function.and_then(|f| f.field("object")).and_then(|o| model_of(&src, o))
                {
                    method_use(&src, &mut facts.hits, &model, f, &args);
                }
            }
            "class_declaration" => typescript_model(&src, &mut facts, *node),
            _ => {}
        }
    }
    sql.sort_by_key(|s| s.offset);
    sql.dedup_by_key(|s| s.offset);
    (facts, sql)
}

/// sequelize-typescript: `@Table({ tableName }) class User extends Model { @Column email }`.
fn typescript_model(src: &Src<'_>, facts: &mut FileFacts, class: Node<'_>) {
    let decorators = decorators_of(class);
    let Some(table_dec) = decorators.iter().find(|d| decorator_name(src, **d) == Some("Table")) else { return };
    let Some(name) = class.field("name") else { return };
    let o = options(src, decorator_args(*table_dec).first().copied());
    let mut attrs = Vec::new();
    let Some(body) = class.field("body") else { return };
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
        let Some(column) = decs.iter().find(|d| {
            matches!(
                decorator_name(src, **d),
                Some("Column" | "PrimaryKey" | "ForeignKey" | "CreatedAt" | "UpdatedAt" | "DeletedAt")
            )
        }) else {
            continue;
        };
        let Some(prop) = member.field("name").or_else(|| member.field("property")) else {
            continue;
        };
        let attr = src.node_text(prop).to_owned();
        let first = decorator_args(*column).first().copied();
        let opts = first.filter(|a| a.kind_name() == "object");
        let type_text = match opts {
            Some(o) => key_value(src, o, "type").map_or("", |t| src.node_text(t)),
            None => first.map_or("", |a| src.node_text(a)),
        };
        if type_text.contains("VIRTUAL") {
            attrs.push(Attr { name: attr, column: String::new(), offset: prop.start_byte(), primary_key: false });
            continue;
        }
        let field = opts.and_then(|o| key_value(src, o, "field")).and_then(|f| string_value(src, f)).map(|(s, _)| s);
        let primary_key = decs.iter().any(|d| decorator_name(src, *d) == Some("PrimaryKey"));
        let column = field.unwrap_or_else(|| if o.underscored { snake_case(&attr) } else { attr.clone() });
        attrs.push(Attr { name: attr, column, offset: prop.start_byte(), primary_key });
    }
    let class_name = src.node_text(name).to_owned();
    declare(src, facts, &class_name, name.start_byte(), attrs, &o);
}

/// `User` or `db.User` / `models.User` / `sequelize.models.User`.
fn model_of(src: &Src<'_>, node: Node<'_>) -> Option<String> {
    let node = unwrap(node);
    let name = match node.kind_name() {
        "identifier" => src.node_text(node),
        "member_expression" => property(src, node)?,
        _ => return None,
    };
    (is_pascal(name) && name.chars().any(|c| c.is_ascii_lowercase())).then(|| name.to_owned())
}

fn attr_hit(src: &Src<'_>, hits: &mut Vec<Hit>, model: &str, name: &str, offset: usize) {
    if name.is_empty() || name.starts_with('$') {
        return;
    }
    hits.push(src.hit(
        offset,
        Target::ModelColumn { model: model.to_owned(), column: name.to_owned() },
        RefKind::Query,
        Confidence::High,
    ));
}

fn method_use(src: &Src<'_>, hits: &mut Vec<Hit>, model: &str, method: &str, args: &[Node<'_>]) {
    let first = args.first().copied();
    let options_at = match method {
        "create" | "build" | "bulkCreate" | "upsert" | "update" => {
            if let Some(values) = first {
                let items = if values.kind_name() == "array" { named_children(values) } else { vec![values] };
                for item in items {
                    for k in object_keys(src, unwrap(item)) {
                        attr_hit(src, hits, model, &k.name, k.offset);
                    }
                }
            }
            1
        }
        "max" | "min" | "sum" | "increment" | "decrement" | "aggregate" => {
            if let Some(f) = first {
                let names = if f.kind_name() == "object" {
                    object_keys(src, f).into_iter().map(|k: Key<'_>| (k.name, k.offset)).collect()
                } else {
                    strings(src, f)
                };
                for (name, offset) in names {
                    attr_hit(src, hits, model, &name, offset);
                }
            }
            1
        }
        _ => 0,
    };
    let Some(opts) = args.get(options_at).filter(|o| o.kind_name() == "object") else { return };
    query_options(src, hits, model, *opts, 0);
}

/// Finder options; `include: [{ model: Post, where, attributes }]` applies to the included model.
fn query_options(src: &Src<'_>, hits: &mut Vec<Hit>, model: &str, opts: Node<'_>, depth: u32) {
    for k in object_keys(src, opts) {
        let Some(v) = k.value else { continue };
        match k.name.as_str() {
            "include" if depth < 8 => {
                let items = if v.kind_name() == "array" { named_children(v) } else { vec![v] };
                for item in items.into_iter().map(unwrap).filter(|i| i.kind_name() == "object") {
                    if let Some(included) = key_value(src, item, "model").and_then(|m| model_of(src, m)) {
                        query_options(src, hits, &included, item, depth + 1);
                    }
                }
            }
            "where" => where_clause(src, hits, model, v),
            "defaults" => {
                for d in object_keys(src, v) {
                    attr_hit(src, hits, model, &d.name, d.offset);
                }
            }
            "attributes" | "fields" | "group" | "order" => {
                // Lists of names, `[name, alias]` pairs, `[name, "DESC"]` pairs, or
                // `{ include, exclude }`.
                let lists = if v.kind_name() == "object" {
                    ["include", "exclude"].iter().filter_map(|n| key_value(src, v, n)).collect()
                } else {
                    vec![v]
                };
                for list in lists {
                    let items = if list.kind_name() == "array" { named_children(list) } else { vec![list] };
                    for item in items {
                        let item = unwrap(item);
                        let first = if item.kind_name() == "array" { item.named_child(0) } else { Some(item) };
                        if let Some((name, offset)) = first.and_then(|n| string_value(src, n)) {
                            attr_hit(src, hits, model, &name, offset);
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Keys of a `where` object; `[Op.or]: [...]` / `[Op.and]: {...}` recurse.
fn where_clause(src: &Src<'_>, hits: &mut Vec<Hit>, model: &str, node: Node<'_>) {
    let node = unwrap(node);
    if node.kind_name() == "array" {
        for item in named_children(node) {
            where_clause(src, hits, model, item);
        }
        return;
    }
    if node.kind_name() != "object" {
        return;
    }
    for k in object_keys(src, node) {
        attr_hit(src, hits, model, &k.name, k.offset);
    }
    for pair in named_children(node).into_iter().filter(|p| p.kind_name() == "pair") {
        if pair.field("key").is_some_and(|k| k.kind_name() == "computed_property_name")
            && let Some(v) = pair.field("value")
        {
            where_clause(src, hits, model, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::pluralize;

    #[test]
    fn plurals_of_model_names() {
        for (s, p) in [
            ("User", "Users"),
            ("Category", "Categories"),
            ("Day", "Days"),
            ("Address", "Addresses"),
            ("Box", "Boxes"),
            ("Person", "People"),
            ("UserPerson", "UserPeople"),
            ("Status", "Statuses"),
            ("Analysis", "Analyses"),
            ("Knife", "Knives"),
            ("Equipment", "Equipment"),
            ("order_item", "order_items"),
        ] {
            assert_eq!(pluralize(s), p, "{s}");
        }
    }
}

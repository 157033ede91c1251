//! Mongoose's model index: `new Schema({ … }, { collection, timestamps, versionKey })` held in
//! a variable (or written inline), grown by `schema.add({ … })`, its virtuals (no fields), and
//! the models `mongoose.model('Name', schema[, 'collection'])` makes of it. A model's collection
//! is the third argument, else the schema's `collection` option, else Mongoose's pluralisation
//! of its name ([`super::pluralize`]). Every declared field is a declaration of its column
//! (Mongoose reads and writes every path of its schema); a nested path is `a.b` and `a`.

use crate::grammar::NodeExt;
use std::collections::BTreeMap;

use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::framework::mongoose::pluralize::collection_name;
use crate::scan::extract::js::{call_args, callee_name, key_value, object_keys, property, unwrap};
use crate::scan::extract::treesit::{Src, named_children, string_value};
use crate::scan::facts::{FileFacts, ModelDecl, Target};
use crate::scan::reference::RefKind;

/// One schema of the file.
#[derive(Debug, Default, Clone)]
pub struct Schema {
    /// Field paths and where they are declared.
    pub fields: Vec<(String, usize)>,
    pub virtuals: Vec<String>,
    pub collection: Option<String>,
    /// `createdAt`/`updatedAt` (or their renames) when `timestamps` is on.
    pub timestamps: Vec<String>,
    /// `__v` unless `versionKey: false` (or its rename).
    pub version_key: Option<String>,
    /// The model made of it in this file.
    pub model: Option<String>,
}

/// The file's schemas by the variable holding them, and the models made of them.
#[derive(Debug, Default)]
pub struct Index {
    pub schemas: BTreeMap<String, Schema>,
}

/// `new Schema(…)`, `new mongoose.Schema(…)`, `mongoose.Schema(…)`.
fn is_schema(src: &Src<'_>, node: Node<'_>) -> bool {
    let node = unwrap(node);
    let constructor = match node.kind_name() {
        "new_expression" => node.field("constructor"),
        "call_expression" => node.field("function"),
        _ => None,
    };
    constructor.is_some_and(|c| {
        let c = unwrap(c);
        matches!(c.kind_name(), "identifier" | "member_expression")
            && (src.node_text(c) == "Schema" || property(src, c) == Some("Schema"))
    })
}

fn schema_args(node: Node<'_>) -> Vec<Node<'_>> {
    let node = unwrap(node);
    if node.kind_name() == "new_expression" {
        node.field("arguments").map(named_children).unwrap_or_default().into_iter().map(unwrap).collect()
    } else {
        call_args(node)
    }
}

impl Index {
    /// Reads the schemas and models of a file; `nodes` are its named nodes in source order.
    pub fn read(src: &Src<'_>, nodes: &[Node<'_>]) -> Index {
        let mut index = Index::default();
        for &node in nodes {
            if node.kind_name() == "variable_declarator"
                && let (Some(name), Some(value)) = (node.field("name"), node.field("value"))
                && name.kind_name() == "identifier"
                && is_schema(src, value)
            {
                let schema = index.schema(src, value);
                index.schemas.insert(src.node_text(name).to_owned(), schema);
            }
        }
        for &node in nodes {
            if node.kind_name() != "call_expression" {
                continue;
            }
            let Some(function) = node.field("function").map(unwrap) else { continue };
            let Some(receiver) = function.field("object").map(|o| src.node_text(unwrap(o))) else {
                continue;
            };
            let args = call_args(node);
            let Some(schema) = index.schemas.get_mut(receiver) else { continue };
            match property(src, function) {
                Some("add") => {
                    if let Some(fields) = args.first().filter(|a| a.kind_name() == "object") {
                        let mut out = Vec::new();
                        schema_fields(src, &BTreeMap::new(), *fields, "", &mut out, 0);
                        schema.fields.extend(out);
                    }
                }
                Some("virtual") => {
                    if let Some((name, _)) = args.first().and_then(|a| string_value(src, *a)) {
                        schema.virtuals.push(name);
                    }
                }
                Some("set") => {
                    let key = args.first().and_then(|a| string_value(src, *a)).map(|(k, _)| k);
                    if key.as_deref() == Some("collection") {
                        schema.collection = args.get(1).and_then(|a| string_value(src, *a)).map(|(v, _)| v);
                    }
                }
                _ => {}
            }
        }
        index
    }

    fn schema(&self, src: &Src<'_>, node: Node<'_>) -> Schema {
        let args = schema_args(node);
        let mut schema = Schema { version_key: Some("__v".into()), ..Schema::default() };
        if let Some(fields) = args.first().filter(|a| a.kind_name() == "object") {
            schema_fields(src, &self.schemas, *fields, "", &mut schema.fields, 0);
        }
        let Some(options) = args.get(1).filter(|a| a.kind_name() == "object") else { return schema };
        for key in object_keys(src, *options) {
            let Some(value) = key.value else { continue };
            let text = src.node_text(value);
            match key.name.as_str() {
                "collection" => schema.collection = string_value(src, value).map(|(s, _)| s),
                "versionKey" => {
                    schema.version_key = if text == "false" { None } else { string_value(src, value).map(|(s, _)| s) }
                }
                "timestamps" if text == "true" => {
                    schema.timestamps = vec!["createdAt".into(), "updatedAt".into()];
                }
                "timestamps" if value.kind_name() == "object" => {
                    for (key, default) in [("createdAt", "createdAt"), ("updatedAt", "updatedAt")] {
                        match key_value(src, value, key) {
                            Some(v) if src.node_text(v) == "false" => {}
                            Some(v) => schema
                                .timestamps
                                .push(string_value(src, v).map(|(s, _)| s).unwrap_or_else(|| default.to_owned())),
                            None => schema.timestamps.push(default.to_owned()),
                        }
                    }
                }
                _ => {}
            }
        }
        schema
    }

    /// Writes the model declarations (`mongoose.model('User', userSchema)`) and their columns'
    /// declaration hits, and notes which model each schema variable became (for `this` in its
    /// methods and hooks).
    pub fn models(&mut self, src: &Src<'_>, nodes: &[Node<'_>], facts: &mut FileFacts) {
        for &node in nodes {
            if node.kind_name() != "call_expression" || callee_name(src, node) != Some("model") {
                continue;
            }
            let args = call_args(node);
            let (Some((name, offset)), Some(schema_arg)) =
                (args.first().and_then(|a| string_value(src, *a)), args.get(1).copied())
            else {
                continue;
            };
            let schema = match schema_arg.kind_name() {
                "identifier" => match self.schemas.get_mut(src.node_text(schema_arg)) {
                    Some(s) => {
                        s.model.get_or_insert_with(|| name.clone());
                        s.clone()
                    }
                    None => Schema { version_key: Some("__v".into()), ..Schema::default() },
                },
                _ if is_schema(src, schema_arg) => self.schema(src, schema_arg),
                _ => continue,
            };
            let collection = args
                .get(2)
                .and_then(|a| string_value(src, *a))
                .map(|(s, _)| s)
                .or_else(|| schema.collection.clone())
                .unwrap_or_else(|| collection_name(&name));
            declare(src, facts, &name, offset, &collection, &schema);
            // `const Account = mongoose.model('User', …)`: other files import the variable.
            if let Some(holder) = holder(src, node)
                && holder != name
            {
                declare_model(src, facts, holder, offset, &collection, &schema);
            }
        }
    }
}

/// The variable a call's value is assigned to.
fn holder<'a>(src: &Src<'a>, call: Node<'_>) -> Option<&'a str> {
    let parent = call.parent()?;
    let parent = if parent.kind_name() == "await_expression" { parent.parent()? } else { parent };
    (parent.kind_name() == "variable_declarator")
        .then(|| parent.field("name"))
        .flatten()
        .filter(|n| n.kind_name() == "identifier")
        .map(|n| src.node_text(n))
}

/// The field paths a schema definition object declares.
fn schema_fields(
    src: &Src<'_>,
    known: &BTreeMap<String, Schema>,
    object: Node<'_>,
    prefix: &str,
    out: &mut Vec<(String, usize)>,
    depth: u32,
) {
    if depth > 12 {
        return;
    }
    for key in object_keys(src, object) {
        let path = if prefix.is_empty() { key.name.clone() } else { format!("{prefix}.{}", key.name) };
        out.push((path.clone(), key.offset));
        let Some(value) = key.value.map(unwrap) else { continue };
        let nested = match value.kind_name() {
            // `{ type: String, … }` is one field; `{ type: { a: String } }` a nested one; any
            // other object a nested path.
            "object" => match key_value(src, value, "type").map(unwrap) {
                Some(t) if t.kind_name() == "object" => Some(t),
                Some(_) => None,
                None => Some(value),
            },
            // `[{ … }]`, `[subSchema]`: an array of subdocuments.
            "array" => {
                let element = named_children(value).into_iter().map(unwrap).next();
                if let Some(sub) =
                    element.filter(|e| e.kind_name() == "identifier").and_then(|e| known.get(src.node_text(e)))
                {
                    out.extend(sub.fields.iter().map(|(f, _)| (format!("{path}.{f}"), key.offset)));
                }
                element.filter(|e| e.kind_name() == "object" && key_value(src, *e, "type").is_none())
            }
            "new_expression" | "call_expression" if is_schema(src, value) => {
                schema_args(value).into_iter().next().filter(|a| a.kind_name() == "object")
            }
            "identifier" => {
                if let Some(sub) = known.get(src.node_text(value)) {
                    out.extend(sub.fields.iter().map(|(f, _)| (format!("{path}.{f}"), key.offset)));
                }
                None
            }
            _ => None,
        };
        if let Some(nested) = nested {
            schema_fields(src, known, nested, &path, out, depth + 1);
        }
    }
}

fn declare(src: &Src<'_>, facts: &mut FileFacts, model: &str, offset: usize, collection: &str, schema: &Schema) {
    let hit = |target: Target, at: usize| src.hit(at, target, RefKind::Declaration, Confidence::High);
    facts.hits.push(hit(Target::Table { table: collection.to_owned() }, offset));
    let column = |c: &str| Target::Column { table: collection.to_owned(), column: c.to_owned() };
    facts.hits.push(hit(column("_id"), offset));
    for c in schema.timestamps.iter().chain(&schema.version_key) {
        facts.hits.push(hit(column(c), offset));
    }
    for (path, at) in &schema.fields {
        facts.hits.push(hit(column(path), *at));
    }
    declare_model(src, facts, model, offset, collection, schema);
}

fn declare_model(src: &Src<'_>, facts: &mut FileFacts, model: &str, offset: usize, collection: &str, schema: &Schema) {
    let (line, column) = src.pos(offset);
    let mut fields: Vec<(String, String)> = schema.virtuals.iter().map(|v| (v.clone(), String::new())).collect();
    // `doc.id` is Mongoose's virtual for `_id`.
    fields.push(("id".into(), "_id".into()));
    let mut decl =
        ModelDecl::mapped(Framework::Mongoose, model, Some(collection.to_owned()), (line, column), src.snippet(offset));
    decl.fields = fields;
    facts.models.push(decl);
}

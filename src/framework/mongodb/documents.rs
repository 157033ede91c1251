//! Which fields a MongoDB document names: a filter, an update, a projection, a sort, an
//! aggregation pipeline, a document written whole. The native driver, Mongoose and Parse hand
//! the server the same documents, so all three read them here.
//!
//! A field is named by its path as the server sees it (`address.city`); array positions
//! (`items.0`, `items.$`, `items.$[]`, `items.$[elem]`) are no part of it. [`columns`] says which
//! fields of the collection a path uses: itself and, when nested, its top-level field.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::scan::extract::js::{object_keys, unwrap};
use crate::scan::extract::treesit::{Src, named_children, string_value};

/// A field named at a byte offset of the file; `collection` when the field is another
/// collection's (`$lookup`'s `foreignField`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub path: String,
    pub offset: usize,
    pub collection: Option<String>,
}

/// How a document is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{ a: 1, b: { $gt: 2 }, $or: [...] }`.
    Filter,
    /// `{ $set: { a: 1 } }`, or a replacement document, or an update pipeline.
    Update,
    /// A document written whole (`insertOne`, `new Model({...})`): nested objects are nested
    /// fields.
    Insert,
    /// `{ a: 1, b: 0 }`, `{ a: { $slice: 2 } }`; also index keys and sort documents.
    Keys,
    /// `[{ $match }, { $project }, …]`.
    Pipeline,
}

/// Nested objects deeper than this are not followed.
const MAX_DEPTH: u32 = 16;

/// Update operators whose keys are fields.
const UPDATE_OPERATORS: &[&str] = &[
    "$set",
    "$unset",
    "$inc",
    "$mul",
    "$min",
    "$max",
    "$rename",
    "$push",
    "$pull",
    "$pullAll",
    "$pop",
    "$addToSet",
    "$currentDate",
    "$setOnInsert",
    "$bit",
];

/// Pipeline stages after which field names are the stage's own output, not the collection's.
const RESHAPING_STAGES: &[&str] = &[
    "$group",
    "$project",
    "$replaceRoot",
    "$replaceWith",
    "$bucket",
    "$bucketAuto",
    "$facet",
    "$count",
    "$sortByCount",
];

/// Reads documents; `lookup` finds the object (or array) literal a variable holds at a node, so
/// that `const filter = {…}; coll.find(filter)` reads the filter.
pub struct Reader<'s, 'a, 't> {
    pub src: &'s Src<'a>,
    pub lookup: &'s dyn Fn(&str, Node<'t>) -> Option<Node<'t>>,
    pub out: Vec<Field>,
    /// Fields a pipeline's stages add (`$lookup`'s `as`, `$addFields`): no collection's.
    added: Vec<String>,
}

impl<'s, 'a, 't> Reader<'s, 'a, 't> {
    pub fn new(src: &'s Src<'a>, lookup: &'s dyn Fn(&str, Node<'t>) -> Option<Node<'t>>) -> Self {
        Reader { src, lookup, out: Vec::new(), added: Vec::new() }
    }

    /// The literal a value is, or that the variable it names holds.
    fn literal(&self, value: Node<'t>) -> Node<'t> {
        let value = unwrap(value);
        if value.kind_name() == "identifier" {
            (self.lookup)(self.src.node_text(value), value).map(unwrap).unwrap_or(value)
        } else {
            value
        }
    }

    fn push(&mut self, prefix: &str, name: &str, offset: usize) {
        let path = if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") };
        let top = path.split('.').next().unwrap_or_default();
        if clean(&path).is_some() && !self.added.iter().any(|a| a == top) {
            self.out.push(Field { path, offset, collection: None });
        }
    }

    pub fn read(&mut self, shape: Shape, value: Node<'t>) {
        self.read_at(shape, "", value, 0);
    }

    fn read_at(&mut self, shape: Shape, prefix: &str, value: Node<'t>, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        let value = self.literal(value);
        match (shape, value.kind_name()) {
            (Shape::Pipeline | Shape::Update, "array") => self.pipeline(value, depth),
            (Shape::Insert, "array") => {
                for item in named_children(value) {
                    self.read_at(shape, prefix, item, depth + 1);
                }
            }
            (_, "object") => match shape {
                Shape::Filter => self.filter(prefix, value, depth),
                Shape::Update => self.update(value, depth),
                Shape::Insert => self.insert(prefix, value, depth),
                Shape::Keys => self.keys(prefix, value),
                Shape::Pipeline => {}
            },
            _ => {}
        }
    }

    fn filter(&mut self, prefix: &str, object: Node<'t>, depth: u32) {
        for key in object_keys(self.src, object) {
            match key.name.as_str() {
                "$and" | "$or" | "$nor" => {
                    if let Some(v) = key.value.map(|v| self.literal(v)).filter(|v| v.kind_name() == "array") {
                        for item in named_children(v) {
                            self.read_at(Shape::Filter, prefix, item, depth + 1);
                        }
                    }
                }
                "$expr" => {
                    if let Some(v) = key.value {
                        self.expression(v, depth + 1);
                    }
                }
                name if name.starts_with('$') => {
                    // `$not`, `$elemMatch` under a field; `$text`, `$where`, `$comment` at the
                    // top name no field.
                    if name == "$elemMatch"
                        && !prefix.is_empty()
                        && let Some(v) = key.value
                    {
                        self.read_at(Shape::Filter, prefix, v, depth + 1);
                    } else if name == "$not"
                        && let Some(v) = key.value
                    {
                        self.read_at(Shape::Filter, prefix, v, depth + 1);
                    }
                }
                name => {
                    self.push(prefix, name, key.offset);
                    let path = join(prefix, name);
                    // `{ a: { $gt: 1 } }` applies operators; `{ a: { b: 1 } }` matches an
                    // embedded document whose fields it names.
                    if let Some(v) = key.value.map(|v| self.literal(v)).filter(|v| v.kind_name() == "object") {
                        self.filter(&path, v, depth + 1);
                    }
                }
            }
        }
    }

    fn update(&mut self, object: Node<'t>, depth: u32) {
        let keys = object_keys(self.src, object);
        if !keys.iter().any(|k| k.name.starts_with('$')) {
            // A replacement document.
            self.insert("", object, depth);
            return;
        }
        for key in keys {
            if !UPDATE_OPERATORS.contains(&key.name.as_str()) {
                continue;
            }
            let Some(v) = key.value.map(|v| self.literal(v)).filter(|v| v.kind_name() == "object") else { continue };
            for field in object_keys(self.src, v) {
                self.push("", &field.name, field.offset);
                if key.name == "$rename"
                    && let Some((to, offset)) = field.value.and_then(|t| string_value(self.src, t))
                {
                    self.push("", &to, offset);
                }
            }
        }
    }

    fn insert(&mut self, prefix: &str, object: Node<'t>, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        for key in object_keys(self.src, object) {
            if key.name.starts_with('$') {
                continue;
            }
            self.push(prefix, &key.name, key.offset);
            if let Some(v) = key.value.map(|v| self.literal(v)).filter(|v| v.kind_name() == "object") {
                self.insert(&join(prefix, &key.name), v, depth + 1);
            }
        }
    }

    fn keys(&mut self, prefix: &str, object: Node<'t>) {
        for key in object_keys(self.src, object) {
            if !key.name.starts_with('$') {
                self.push(prefix, &key.name, key.offset);
            }
        }
    }

    fn pipeline(&mut self, array: Node<'t>, depth: u32) {
        for stage in named_children(array) {
            let stage = self.literal(stage);
            if stage.kind_name() != "object" {
                continue;
            }
            let Some(key) = object_keys(self.src, stage).into_iter().next() else { continue };
            let Some(value) = key.value else { continue };
            match key.name.as_str() {
                "$match" => self.read_at(Shape::Filter, "", value, depth + 1),
                "$sort" => self.read_at(Shape::Keys, "", value, depth + 1),
                "$unset" => {
                    for (name, offset) in crate::scan::extract::js::strings(self.src, value) {
                        self.push("", &name, offset);
                    }
                }
                "$unwind" => match string_value(self.src, unwrap(value)) {
                    Some(_) => self.expression(value, depth + 1),
                    None => {
                        if let Some(path) = crate::scan::extract::js::key_value(self.src, unwrap(value), "path") {
                            self.expression(path, depth + 1);
                        }
                    }
                },
                "$lookup" => self.lookup_stage(unwrap(value)),
                "$addFields" | "$set" => {
                    // New fields are the stage's; the expressions read the collection's.
                    let keys = object_keys(self.src, unwrap(value));
                    for k in &keys {
                        if let Some(v) = k.value {
                            self.expression(v, depth + 1);
                        }
                    }
                    self.added.extend(keys.into_iter().map(|k| k.name));
                }
                name if RESHAPING_STAGES.contains(&name) => {
                    match name {
                        "$project" => {
                            for k in object_keys(self.src, unwrap(value)) {
                                let included = k
                                    .value
                                    .is_none_or(|v| matches!(self.src.node_text(v), "1" | "true" | "0" | "false"));
                                if included && !k.name.starts_with('$') {
                                    self.push("", &k.name, k.offset);
                                } else if let Some(v) = k.value {
                                    self.expression(v, depth + 1);
                                }
                            }
                        }
                        _ => self.expression(value, depth + 1),
                    }
                    // What follows reads the stage's output.
                    return;
                }
                _ => {}
            }
        }
    }

    fn lookup_stage(&mut self, object: Node<'t>) {
        if object.kind_name() != "object" {
            return;
        }
        let from = crate::scan::extract::js::key_value(self.src, object, "from")
            .and_then(|v| string_value(self.src, v))
            .map(|(s, _)| s);
        for key in object_keys(self.src, object) {
            let Some((name, offset)) = key.value.and_then(|v| string_value(self.src, v)) else { continue };
            match key.name.as_str() {
                "localField" => self.push("", &name, offset),
                "as" => self.added.push(name),
                "foreignField" if from.is_some() && clean(&name).is_some() => {
                    self.out.push(Field { path: name, offset, collection: from.clone() })
                }
                _ => {}
            }
        }
    }

    /// `'$field.path'` strings anywhere in an aggregation expression.
    fn expression(&mut self, value: Node<'t>, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        let value = unwrap(value);
        if let Some((s, offset)) = string_value(self.src, value) {
            if let Some(path) = s.strip_prefix('$').filter(|p| !p.starts_with('$') && !p.is_empty()) {
                self.push("", path, offset + 1);
            }
            return;
        }
        for child in named_children(value) {
            match child.kind_name() {
                "pair" => {
                    if let Some(v) = child.field("value") {
                        self.expression(v, depth + 1);
                    }
                }
                _ => self.expression(child, depth + 1),
            }
        }
    }
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
}

/// A path without its array positions; `None` when nothing of a field is left.
fn clean(path: &str) -> Option<String> {
    let parts: Vec<&str> = path
        .split('.')
        .filter(|p| !p.is_empty() && !p.starts_with('$') && !p.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    (!parts.is_empty() && path.split('.').next().is_some_and(|first| !first.starts_with('$'))).then(|| parts.join("."))
}

/// The fields of the collection a path uses: the path itself and, when nested, its top-level
/// field (`address.city` → `address.city`, `address`).
pub fn columns(path: &str) -> Vec<String> {
    let Some(path) = clean(path) else { return Vec::new() };
    match path.split_once('.') {
        Some((top, _)) => vec![path.clone(), top.to_owned()],
        None => vec![path],
    }
}

/// The fields of a field list in a string, with their offsets: Mongoose's `select('a -b +c')`
/// and `sort('-a b')`, Parse's `ascending('a,b')`.
pub fn listed(src: &Src<'_>, node: Node<'_>) -> Vec<Field> {
    let Some((text, offset)) = string_value(src, unwrap(node)) else { return Vec::new() };
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
        let sep = c.is_whitespace() || c == ',';
        match (start, sep) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                let word = &text[s..i];
                let trimmed = word.trim_start_matches(['-', '+']);
                let at = s + (word.len() - trimmed.len());
                if clean(trimmed).is_some() {
                    out.push(Field { path: trimmed.to_owned(), offset: offset + at, collection: None });
                }
                start = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_no_part_of_a_field() {
        assert_eq!(columns("items.$.qty"), ["items.qty", "items"]);
        assert_eq!(columns("items.0.qty"), ["items.qty", "items"]);
        assert_eq!(columns("items.$[elem].qty"), ["items.qty", "items"]);
        assert_eq!(columns("email"), ["email"]);
        assert!(columns("$where").is_empty());
    }
}

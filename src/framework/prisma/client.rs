//! The argument objects of Prisma Client calls (`where`, `data`, `select`, `include`, `orderBy`
//! …): each key a field of the model the object is about, and the objects under a relation key
//! about the relation's model (`include: { user: { select: { email: true } } }` selects
//! `User.email`). Whether a key is a scalar field or a relation is the model index's to say: the
//! keys are handed to resolution as attributes of the model reached so far, and a relation key
//! (or an operator such as `contains`) names no column of it.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::config::Confidence;
use crate::framework::prisma::model_name;
use crate::scan::extract::js::{Key, call_args, key_value, object_keys, property, strings, unwrap};
use crate::scan::extract::treesit::{Src, descendants_outside, named_children};
use crate::scan::facts::{Hit, Root, Target};
use crate::scan::reference::RefKind;

/// Prisma Client model methods.
pub const METHODS: &[&str] = &[
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

/// The methods whose result is the model's records (what a later `row.field` reads).
pub const ROW_METHODS: &[&str] = &[
    "findMany",
    "findUnique",
    "findUniqueOrThrow",
    "findFirst",
    "findFirstOrThrow",
    "create",
    "createManyAndReturn",
    "update",
    "updateManyAndReturn",
    "upsert",
    "delete",
];

/// Top-level argument keys Prisma Client understands; an object with none of these is not a
/// Prisma call.
pub const ARG_KEYS: &[&str] = &[
    "where", "data", "select", "include", "omit", "orderBy", "distinct", "by", "cursor", "take", "skip", "create",
    "update", "_count", "_sum", "_avg", "_min", "_max", "having",
];

/// Keys of a relation filter: the key before them is a relation.
const RELATION_FILTERS: &[&str] = &["some", "every", "none", "is", "isNot"];

/// Keys of a nested write: the key before them is a relation.
const NESTED_WRITES: &[&str] = &[
    "connect",
    "connectOrCreate",
    "disconnect",
    "set",
    "create",
    "createMany",
    "upsert",
    "delete",
    "deleteMany",
    "update",
    "updateMany",
];

/// Nested objects deeper than this are not followed (and a variable spread into itself ends).
const MAX_DEPTH: u32 = 12;

/// What an argument object is about: the records reached from `root` through the relations of
/// `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct On {
    pub root: Root,
    pub path: Vec<String>,
    pub confidence: Confidence,
}

impl On {
    pub fn model(model: &str, confidence: Confidence) -> On {
        On { root: Root::Model { model: model.to_owned() }, path: Vec::new(), confidence }
    }

    fn step(&self, relation: &str) -> On {
        let mut path = self.path.clone();
        path.push(relation.to_owned());
        On { root: self.root.clone(), path, confidence: self.confidence }
    }

    /// A use of `attribute` on these records.
    pub fn target(&self, attribute: &str) -> Target {
        match &self.root {
            Root::Model { model } if self.path.is_empty() => {
                Target::ModelColumn { model: model.clone(), column: attribute.to_owned() }
            }
            root => {
                Target::Chain { root: root.clone(), path: self.path.clone(), attribute: Some(attribute.to_owned()) }
            }
        }
    }
}

/// How an argument object is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The whole argument of a client method (`{ where, data, select … }`).
    Args,
    Filter,
    Data,
    Select,
    Order,
}

/// Writes the hits of argument objects; `lookup` finds the object literal a variable named at a
/// node holds (`where: filter`, `{ where }`, `findMany(query)`), so that objects built apart and
/// passed in are read as what they are passed as.
pub struct Writer<'s, 'a, 't> {
    pub src: &'s Src<'a>,
    pub hits: &'s mut Vec<Hit>,
    pub lookup: &'s dyn Fn(&str, Node<'t>) -> Option<Node<'t>>,
    /// The value a name is declared with where a node sees it (`const column = … ?? 'name'`).
    pub value: &'s dyn Fn(&str, Node<'t>) -> Option<Node<'t>>,
}

impl<'t> Writer<'_, '_, 't> {
    fn field(&mut self, on: &On, name: &str, offset: usize) {
        if name.starts_with('_') || name.is_empty() || matches!(name, "AND" | "OR" | "NOT") {
            return;
        }
        self.hits.push(self.src.hit(offset, on.target(name), RefKind::Query, on.confidence));
    }

    /// The object a value is, or that the variable it names holds.
    fn object(&self, value: Node<'t>) -> Option<Node<'t>> {
        let value = unwrap(value);
        match value.kind_name() {
            "object" => Some(value),
            "identifier" => (self.lookup)(self.src.node_text(value), value),
            _ => None,
        }
    }

    /// The value of a key as an object: written there, or held by the variable it names (a
    /// shorthand `{ where }` names one too).
    fn key_object(&self, key: &Key<'t>, at: Node<'t>) -> Option<Node<'t>> {
        match key.value {
            Some(v) => self.object(v),
            None => (self.lookup)(&key.name, at),
        }
    }

    /// Items of a value that may be one object or a list of them, written out or built by a
    /// `map` (see [`Writer::mapped`]).
    fn items(&self, value: Node<'t>) -> Vec<Node<'t>> {
        let value = unwrap(value);
        if value.kind_name() == "array" {
            named_children(value).into_iter().filter_map(|n| self.object(n)).collect()
        } else if let Some(object) = self.object(value) {
            vec![object]
        } else {
            let chosen = self.chosen(value);
            if chosen.is_empty() { self.mapped(value) } else { chosen }
        }
    }

    /// The objects a condition chooses between (`flag ? { a: 1 } : { a: 1, b }`, `: undefined`
    /// chooses none), written there or declared by the name it is held in.
    fn chosen(&self, value: Node<'t>) -> Vec<Node<'t>> {
        let mut v = unwrap(value);
        if v.kind_name() == "identifier" {
            match (self.value)(self.src.node_text(v), v) {
                Some(held) => v = unwrap(held),
                None => return Vec::new(),
            }
        }
        if v.kind_name() != "ternary_expression" {
            return Vec::new();
        }
        ["consequence", "alternative"].iter().filter_map(|f| v.field(f)).filter_map(|b| self.object(b)).collect()
    }

    /// `data: users.map((user) => ({ email: user.email, … }))`, or a name declared with such a
    /// list (`.filter(…)` after the `map` keeps its objects): the objects the callback returns
    /// are the list's items, read as what the list is given as.
    fn mapped(&self, value: Node<'t>) -> Vec<Node<'t>> {
        let mut v = unwrap(value);
        if v.kind_name() == "identifier" {
            match (self.value)(self.src.node_text(v), v) {
                Some(held) => v = unwrap(held),
                None => return Vec::new(),
            }
        }
        for _ in 0..4 {
            let Some(f) = v.field("function").map(unwrap).filter(|_| v.kind_name() == "call_expression") else {
                return Vec::new();
            };
            match property(self.src, f) {
                Some("filter" | "slice") => match f.field("object") {
                    Some(o) => v = unwrap(o),
                    None => return Vec::new(),
                },
                Some("map" | "flatMap") => {
                    let Some(callback) = call_args(v)
                        .into_iter()
                        .next()
                        .filter(|c| matches!(c.kind_name(), "arrow_function" | "function_expression" | "function"))
                    else {
                        return Vec::new();
                    };
                    let Some(body) = callback.field("body") else { return Vec::new() };
                    if body.kind_name() != "statement_block" {
                        return self.object(body).into_iter().collect();
                    }
                    let nested = |n: Node<'t>| {
                        matches!(
                            n.kind_name(),
                            "arrow_function" | "function_expression" | "function" | "function_declaration"
                        )
                    };
                    return descendants_outside(body, nested)
                        .into_iter()
                        .filter(|r| r.kind_name() == "return_statement")
                        .filter_map(|r| r.named_child(0))
                        .filter_map(|r| self.object(r))
                        .collect();
                }
                _ => return Vec::new(),
            }
        }
        Vec::new()
    }

    /// Objects spread into `object` (`{ ...base, where }`) that a variable holds, or that a
    /// helper building the spread object is handed (`...searchParams(text, [{ name: 'contains' }])`).
    fn spreads(&self, object: Node<'t>) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        for value in named_children(object)
            .into_iter()
            .filter(|c| c.kind_name() == "spread_element")
            .filter_map(|c| c.named_child(0))
        {
            out.extend(self.spread_objects(value, 0));
        }
        out
    }

    /// The objects a spread value may be: itself, a helper's object arguments, or the object
    /// branches of a condition (`...(flag && { x })`, `...(flag ? { x } : {})`).
    fn spread_objects(&self, value: Node<'t>, depth: u32) -> Vec<Node<'t>> {
        let value = unwrap(value);
        match value.kind_name() {
            "call_expression" => call_args(value).into_iter().flat_map(|arg| self.items(arg)).collect(),
            "binary_expression" | "ternary_expression" if depth < 4 => {
                // The condition of a ternary is not spread; `a && b` spreads `b`, `a || b` either.
                let skip = usize::from(value.kind_name() == "ternary_expression");
                let operands = named_children(value).into_iter().skip(skip);
                operands.flat_map(|o| self.spread_objects(o, depth + 1)).collect()
            }
            _ => self.object(value).into_iter().collect(),
        }
    }

    /// `new PrismaClient({ omit: { user: { passwordHash: true } } })`: fields left out of every
    /// query of a model, keyed by its accessor.
    pub fn global_omit(&mut self, node: Node<'t>) {
        let src = self.src;
        if !node.field("constructor").is_some_and(|c| src.node_text(c).ends_with("PrismaClient")) {
            return;
        }
        let options = node.field("arguments").and_then(|a| named_children(a).into_iter().next()).map(unwrap);
        let Some(omit) =
            options.filter(|o| o.kind_name() == "object").and_then(|o| key_value(src, o, "omit")).map(unwrap)
        else {
            return;
        };
        for model in object_keys(src, omit).into_iter().filter(|_| omit.kind_name() == "object") {
            if let Some(fields) = model.value.map(unwrap).filter(|v| v.kind_name() == "object") {
                self.read(&On::model(&model_name(&model.name), Confidence::High), Shape::Select, fields);
            }
        }
    }

    pub fn read(&mut self, on: &On, shape: Shape, value: Node<'t>) {
        self.read_at(on, shape, value, 0);
    }

    fn read_at(&mut self, on: &On, shape: Shape, value: Node<'t>, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        for object in self.items(value) {
            for spread in self.spreads(object) {
                self.read_at(on, shape, spread, depth + 1);
            }
            match shape {
                Shape::Args => self.arguments(on, object, depth),
                Shape::Filter => self.filter(on, object, depth),
                Shape::Data => self.data(on, object, depth),
                Shape::Select => self.select(on, object, depth),
                Shape::Order => self.order(on, object, depth),
            }
        }
    }

    fn arguments(&mut self, on: &On, object: Node<'t>, depth: u32) {
        for key in object_keys(self.src, object) {
            let shape = match key.name.as_str() {
                "where" | "having" | "cursor" => Shape::Filter,
                "data" | "create" | "update" => Shape::Data,
                // A top-level `_count: { id: true }` counts a column; under `select` it counts
                // relations (see [`Writer::select`]).
                "select" | "include" | "omit" | "_count" | "_sum" | "_avg" | "_min" | "_max" => Shape::Select,
                "orderBy" => Shape::Order,
                "distinct" | "by" => {
                    if let Some(v) = key.value {
                        for (name, offset) in strings(self.src, v) {
                            self.field(on, &name, offset);
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            if let Some(v) = self.key_object(&key, object) {
                self.read_at(on, shape, v, depth + 1);
            } else if let Some(v) = key.value.filter(|v| {
                unwrap(*v).kind_name() == "array" || !self.mapped(*v).is_empty() || !self.chosen(*v).is_empty()
            }) {
                self.read_at(on, shape, v, depth + 1);
            }
        }
    }

    fn filter(&mut self, on: &On, object: Node<'t>, depth: u32) {
        // A relation filter nests without `read_at` (`{ a: { a: { … } } }`): bounded here too.
        if depth > MAX_DEPTH {
            return;
        }
        for key in object_keys(self.src, object) {
            if matches!(key.name.as_str(), "AND" | "OR" | "NOT") {
                if let Some(v) = key.value {
                    self.read_at(on, Shape::Filter, v, depth + 1);
                }
                continue;
            }
            self.field(on, &key.name, key.offset);
            let Some(v) = key.value.and_then(|v| self.object(v)) else { continue };
            let keys = object_keys(self.src, v);
            // `key_action_bucket: { key, action, bucket }`: a compound unique or id, which Prisma
            // names by joining its fields; the name reads each of them too.
            if keys.len() > 1 && keys.iter().map(|k| k.name.as_str()).collect::<Vec<_>>().join("_") == key.name {
                for k in &keys {
                    self.field(on, &k.name, key.offset);
                }
                self.filter(on, v, depth + 1);
                continue;
            }
            let relation = on.step(&key.name);
            if keys.iter().any(|k| RELATION_FILTERS.contains(&k.name.as_str())) {
                for k in keys.iter().filter(|k| RELATION_FILTERS.contains(&k.name.as_str())) {
                    if let Some(inner) = k.value {
                        self.read_at(&relation, Shape::Filter, inner, depth + 1);
                    }
                }
            } else {
                // A to-one relation filter, or a scalar's operators (`{ contains: … }`), which
                // name nothing of a model reached through a scalar.
                self.filter(&relation, v, depth + 1);
            }
        }
    }

    fn data(&mut self, on: &On, object: Node<'t>, depth: u32) {
        for key in object_keys(self.src, object) {
            self.field(on, &key.name, key.offset);
            let Some(v) = key.value.and_then(|v| self.object(v)) else { continue };
            let relation = on.step(&key.name);
            for k in object_keys(self.src, v).into_iter().filter(|k| NESTED_WRITES.contains(&k.name.as_str())) {
                let Some(inner) = k.value else { continue };
                match k.name.as_str() {
                    "create" => self.read_at(&relation, Shape::Data, inner, depth + 1),
                    "connect" | "disconnect" | "set" | "delete" => {
                        self.read_at(&relation, Shape::Filter, inner, depth + 1)
                    }
                    // `{ where, data }`, `{ where, create, update }`, `{ data: [...] }`, or (a
                    // to-one `update`) the data itself.
                    _ => {
                        for object in self.items(inner) {
                            let keys = object_keys(self.src, object);
                            if keys.iter().any(|k| matches!(k.name.as_str(), "where" | "data" | "create" | "update")) {
                                self.arguments(&relation, object, depth + 1);
                            } else if k.name == "deleteMany" {
                                self.filter(&relation, object, depth + 1);
                            } else {
                                self.data(&relation, object, depth + 1);
                            }
                        }
                    }
                }
            }
        }
    }

    fn select(&mut self, on: &On, object: Node<'t>, depth: u32) {
        for key in object_keys(self.src, object) {
            if key.name == "_count" {
                // `_count: { select: { posts: true } }` counts relations: no column is read.
                continue;
            }
            self.field(on, &key.name, key.offset);
            // `credentials: withCredentials ? { select: { iv: true } } : undefined`.
            let relation: Vec<Node<'t>> = match key.value {
                Some(v) => self.object(v).map_or_else(|| self.chosen(v), |o| vec![o]),
                None => Vec::new(),
            };
            for v in relation {
                self.arguments(&on.step(&key.name), v, depth + 1);
            }
        }
    }

    fn order(&mut self, on: &On, object: Node<'t>, depth: u32) {
        if depth > MAX_DEPTH {
            return;
        }
        // `{ [orderByColumn]: 'desc' }` with `const orderByColumn = orderBy?.column ??
        // 'lastUsedAt'`: the column a default names.
        for pair in named_children(object).into_iter().filter(|p| p.kind_name() == "pair") {
            let Some(name) = pair
                .field("key")
                .filter(|k| k.kind_name() == "computed_property_name")
                .and_then(|k| k.named_child(0))
                .filter(|n| n.kind_name() == "identifier")
            else {
                continue;
            };
            if let Some(value) = (self.value)(self.src.node_text(name), name) {
                for (column, offset) in defaults(self.src, value, 0) {
                    self.field(on, &column, offset);
                }
            }
        }
        for key in object_keys(self.src, object) {
            if key.name == "_count" {
                continue;
            }
            self.field(on, &key.name, key.offset);
            // `{ author: { name: "asc" } }` orders by a relation's field; `{ sort, nulls }` is the
            // field's own order.
            if let Some(v) = key.value.and_then(|v| self.object(v))
                && key_value(self.src, v, "sort").is_none()
            {
                self.order(&on.step(&key.name), v, depth + 1);
            }
        }
    }
}

/// The strings a value falls back to or chooses between (`x ?? 'name'`, `c ? 'a' : 'b'`, `'a'`):
/// what a computed key built from it may be.
fn defaults(src: &Src<'_>, value: Node<'_>, depth: u32) -> Vec<(String, usize)> {
    let value = unwrap(value);
    match value.kind_name() {
        "string" => crate::scan::extract::treesit::string_value(src, value).into_iter().collect(),
        "binary_expression" if depth < 4 => {
            let operator = value.field("operator").map(|o| src.node_text(o));
            if !matches!(operator, Some("??" | "||")) {
                return Vec::new();
            }
            value.field("right").map(|r| defaults(src, r, depth + 1)).unwrap_or_default()
        }
        "ternary_expression" if depth < 4 => ["consequence", "alternative"]
            .iter()
            .filter_map(|f| value.field(f))
            .flat_map(|b| defaults(src, b, depth + 1))
            .collect(),
        _ => Vec::new(),
    }
}

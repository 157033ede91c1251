//! What a JS/TS expression holds in code that talks to MongoDB — a collection (or a model, or a
//! Parse class), a query, one document or several — flow-insensitive and per function, as the
//! Prisma receivers do: a name declared anywhere in a function has one type there. The native
//! driver, Mongoose and Parse differ only in which calls make and return these, which each says
//! through [`Api`]; the walk, the variables, loops and array callbacks, destructuring and the
//! field reads on documents are shared.

use crate::grammar::NodeExt;
use std::collections::HashMap;

use tree_sitter::Node;

use crate::config::Confidence;
use crate::framework::mongodb::documents::{Field, Reader, Shape, columns, listed};
use crate::scan::extract::js::{Scopes, call_args, enclosing_scopes, is_scope, object_keys, property, unwrap};
use crate::scan::extract::treesit::{Src, descendants, named_children, string_value};
use crate::scan::facts::{Hit, Target};
use crate::scan::reference::RefKind;

/// Maps keyed by node ids and names of one file: hashed fast, nothing an attacker chooses.
type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Whose fields an expression's documents have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handle {
    /// A collection named in the code (`db.collection('users')`, `new Parse.Query('Post')`).
    Collection(String),
    /// A model class, resolved to its collection through the app's model declarations.
    Model(String),
    /// A document of no known collection (a Parse object handed to a helper): its fields are
    /// attributes the resolver matches against every collection (medium when one has it).
    Untyped,
}

impl Handle {
    pub fn target(&self, column: String) -> Target {
        match self {
            Handle::Collection(table) => Target::Column { table: table.clone(), column },
            Handle::Model(model) => Target::ModelColumn { model: model.clone(), column },
            Handle::Untyped => Target::Attribute { name: column },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// What queries are made on: a collection, a model, a Parse class.
    Source,
    /// A query or cursor not yet run; `many` when awaiting it gives several documents.
    Query {
        many: bool,
    },
    Doc,
    Docs,
}

/// What an expression holds, and how sure the walk is of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ty {
    pub kind: Kind,
    pub handle: Handle,
    pub confidence: Confidence,
}

impl Ty {
    pub fn new(kind: Kind, handle: Handle, confidence: Confidence) -> Ty {
        Ty { kind, handle, confidence }
    }

    pub fn with(&self, kind: Kind) -> Ty {
        Ty { kind, ..self.clone() }
    }
}

/// What one library's API means.
pub trait Api {
    /// What an expression is by itself, whatever the variables hold: `db.collection('users')`,
    /// `mongoose.model('User')`, `Parse.User`, `new Parse.Query('Post')`, `new User({…})`.
    fn source(&self, w: &Walker<'_, '_, '_>, node: Node<'_>) -> Option<Ty>;
    /// What `method` called on a receiver of type `recv` returns.
    fn result(&self, recv: &Ty, method: &str, call: Node<'_>) -> Option<Ty>;
    /// The fields a call of `method` on a receiver of type `recv` names.
    fn uses<'t>(&self, w: &mut Walker<'_, '_, 't>, recv: &Ty, method: &str, call: Node<'t>);
    /// The fields a `new …(…)` expression of type `ty` names (`new User({ email })`).
    fn constructed<'t>(&self, w: &mut Walker<'_, '_, 't>, ty: &Ty, node: Node<'t>) {
        let _ = (w, ty, node);
    }
    /// The field a property read on a document is, if any (`user.email` → `email`; a Parse
    /// object's attributes are read through `get`).
    fn property(&self, ty: &Ty, name: &str) -> Option<String>;
    /// Names the library types by convention at `node` (the `this` of a schema method, the
    /// request of a Cloud Code trigger): called for every node before the other bindings.
    fn bind(&self, w: &mut Walker<'_, '_, '_>, node: Node<'_>) {
        let _ = (w, node);
    }
    /// The collection a call or `new` expression names by a string (`db.collection('users')`,
    /// `new Parse.Query('Post')`): a use of the collection itself.
    fn table(&self, w: &Walker<'_, '_, '_>, node: Node<'_>) -> Option<(String, usize)> {
        let _ = (w, node);
        None
    }
    /// What an untyped receiver called `name` holds, by its name alone.
    fn guess(&self, name: &str) -> Option<Ty> {
        let _ = name;
        None
    }
}

/// Constructors and globals of JavaScript that are no model or class of the database's.
pub const JS_GLOBALS: &[&str] = &[
    "Schema",
    "Error",
    "Date",
    "Map",
    "Set",
    "WeakMap",
    "Promise",
    "RegExp",
    "ObjectId",
    "Buffer",
    "URL",
    "URLSearchParams",
    "Array",
    "Object",
    "JSON",
    "Math",
    "Number",
    "String",
    "Boolean",
    "Symbol",
    "Intl",
    "Headers",
    "Request",
    "Response",
    "FormData",
    "Blob",
    "File",
    "Parse",
];

/// Array methods whose callback's first parameter is an element.
const ELEMENT_CALLBACKS: &[&str] =
    &["map", "forEach", "filter", "find", "some", "every", "flatMap", "findLast", "sort", "each"];

pub struct Walker<'s, 'a, 't> {
    pub src: &'s Src<'a>,
    root: Node<'t>,
    scopes: Scopes<'t>,
    /// (scope node id, name) → what the name holds there; a member read `req.object` and
    /// `this.x` are names too.
    vars: Map<(usize, String), Ty>,
    /// (scope node id, name) → the object or array literal the name holds there.
    objects: Map<(usize, String), Node<'t>>,
    /// (scope node id, name) → keys set on the object literal the name holds (`query.tag = …`).
    assigned: Map<(usize, String), Vec<(String, usize)>>,
    /// Node id → its parent (`Node::parent` walks down from the root each time).
    parents: Map<usize, Node<'t>>,
    pub hits: Vec<Hit>,
}

impl<'s, 'a, 't> Walker<'s, 'a, 't> {
    pub fn text(&self, node: Node<'_>) -> &'a str {
        self.src.node_text(node)
    }

    /// The function (or the file) a node belongs to.
    pub fn scope_of(&self, node: Node<'_>) -> Node<'t> {
        self.scopes.get(&node.id()).copied().unwrap_or(self.root)
    }

    pub fn root(&self) -> Node<'t> {
        self.root
    }

    pub fn parent(&self, node: Node<'_>) -> Option<Node<'t>> {
        self.parents.get(&node.id()).copied()
    }

    fn scope_chain(&self, at: Node<'_>) -> Vec<usize> {
        let mut out = Vec::new();
        if is_scope(at.kind_name()) {
            out.push(at.id());
        }
        let mut next = self.scopes.get(&at.id()).copied();
        while let Some(scope) = next {
            out.push(scope.id());
            let parent = self.scope_of(scope);
            next = (parent.id() != scope.id()).then_some(parent);
        }
        out
    }

    /// `name` holds `ty` in `scope` (the first type a name gets in a scope stays).
    pub fn bind_in(&mut self, scope: Node<'_>, name: &str, ty: Ty) {
        self.vars.entry((scope.id(), name.to_owned())).or_insert(ty);
    }

    fn var(&self, name: &str, at: Node<'_>) -> Option<Ty> {
        self.scope_chain(at).into_iter().find_map(|s| self.vars.get(&(s, name.to_owned())).cloned())
    }

    /// Whether a name is declared in a scope around `at` with something the walk could not type.
    fn declared(&self, name: &str, at: Node<'_>) -> bool {
        self.scope_chain(at).into_iter().any(|s| self.objects.contains_key(&(s, format!("#{name}"))))
    }

    pub fn object(&self, name: &str, at: Node<'t>) -> Option<Node<'t>> {
        self.scope_chain(at).into_iter().find_map(|s| self.objects.get(&(s, name.to_owned())).copied())
    }

    /// What an expression holds.
    pub fn ty(&self, api: &dyn Api, node: Node<'t>) -> Option<Ty> {
        self.ty_at(api, node, 0)
    }

    fn ty_at(&self, api: &dyn Api, node: Node<'t>, depth: u32) -> Option<Ty> {
        if depth > 24 {
            return None;
        }
        let node = unwrap(node);
        match node.kind_name() {
            "await_expression" => {
                let inner = node.named_child(0)?;
                let ty = self.ty_at(api, inner, depth + 1)?;
                Some(match ty.kind {
                    Kind::Query { many: true } => ty.with(Kind::Docs),
                    Kind::Query { many: false } => ty.with(Kind::Doc),
                    _ => ty,
                })
            }
            "identifier" | "this" => {
                let name = self.text(node);
                self.var(name, node).or_else(|| if self.declared(name, node) { None } else { api.source(self, node) })
            }
            "member_expression" => {
                let object = node.field("object").map(unwrap);
                if object.is_some_and(|o| matches!(o.kind_name(), "identifier" | "this"))
                    && let Some(ty) = self.var(self.text(node), node)
                {
                    return Some(ty);
                }
                api.source(self, node)
            }
            "subscript_expression" => {
                let ty = self.ty_at(api, node.field("object")?, depth + 1)?;
                (ty.kind == Kind::Docs).then(|| ty.with(Kind::Doc))
            }
            "call_expression" => {
                let function = unwrap(node.field("function")?);
                if let Some(method) = property(self.src, function)
                    && let Some(object) = function.field("object")
                    && let Some(recv) = self.ty_at(api, object, depth + 1)
                {
                    if recv.kind == Kind::Docs {
                        return match method {
                            "find" | "findLast" | "at" | "pop" | "shift" => Some(recv.with(Kind::Doc)),
                            "filter" | "slice" | "sort" | "reverse" | "concat" => Some(recv),
                            _ => None,
                        };
                    }
                    return api.result(&recv, method, node);
                }
                api.source(self, node)
            }
            "new_expression" => api.source(self, node),
            _ => None,
        }
    }

    /// A use of `field` (a path) on `ty`'s documents at `offset`.
    pub fn field(&mut self, ty: &Ty, path: &str, offset: usize, confidence: Confidence) {
        for column in columns(path) {
            self.hits.push(self.src.hit(offset, ty.handle.target(column), RefKind::Query, confidence));
        }
    }

    pub fn fields(&mut self, ty: &Ty, fields: Vec<Field>, confidence: Confidence) {
        for f in fields {
            match f.collection {
                Some(c) => {
                    self.field(&Ty::new(Kind::Doc, Handle::Collection(c), confidence), &f.path, f.offset, confidence)
                }
                None => self.field(ty, &f.path, f.offset, confidence),
            }
        }
    }

    /// `query.tag = …` on a name holding an object literal: a key of that object.
    fn assigned_key(&mut self, left: Node<'t>) {
        let Some(object) = left.field("object").filter(|o| o.kind_name() == "identifier") else { return };
        let Some(key) = left.field("property").filter(|p| p.kind_name() == "property_identifier") else {
            return;
        };
        let name = self.text(object);
        let Some(scope) =
            self.scope_chain(left).into_iter().find(|s| self.objects.contains_key(&(*s, name.to_owned())))
        else {
            return;
        };
        let text = self.text(key).to_owned();
        let keys = self.assigned.entry((scope, name.to_owned())).or_default();
        if !keys.iter().any(|(_, at)| *at == key.start_byte()) {
            keys.push((text, key.start_byte()));
        }
    }

    /// The fields a document argument of `ty`'s collection names.
    pub fn document(&mut self, ty: &Ty, shape: Shape, value: Node<'t>) {
        let mut fields = {
            let lookup = |name: &str, at: Node<'t>| self.object(name, at);
            let mut reader = Reader::new(self.src, &lookup);
            reader.read(shape, value);
            reader.out
        };
        let value = unwrap(value);
        if value.kind_name() == "identifier" && matches!(shape, Shape::Filter | Shape::Insert | Shape::Keys) {
            let name = self.text(value);
            if let Some(keys) =
                self.scope_chain(value).into_iter().find_map(|s| self.assigned.get(&(s, name.to_owned())))
            {
                fields.extend(keys.iter().filter(|(k, _)| !k.starts_with('$')).map(|(k, at)| Field {
                    path: k.clone(),
                    offset: *at,
                    collection: None,
                }));
            }
        }
        self.fields(ty, fields, ty.confidence);
    }

    /// A field list in a string (`'a -b'`, `'a,b'`) or an array of them.
    pub fn listed(&mut self, ty: &Ty, value: Node<'t>) {
        let value = unwrap(value);
        let items = if value.kind_name() == "array" { named_children(value) } else { vec![value] };
        for item in items {
            let fields = listed(self.src, item);
            self.fields(ty, fields, ty.confidence);
        }
    }

    /// A field named by a string argument.
    pub fn string_field(&mut self, ty: &Ty, value: Option<Node<'t>>, confidence: Confidence) {
        if let Some((name, offset)) = value.and_then(|v| string_value(self.src, unwrap(v))) {
            self.field(ty, &name, offset, confidence);
        }
    }

    /// Binds the first parameter of a callback (`users.map((u) => …)`).
    fn bind_param(&mut self, function: Node<'t>, ty: Ty) {
        if !matches!(function.kind_name(), "arrow_function" | "function_expression" | "function") {
            return;
        }
        let param = match function.field("parameter") {
            Some(p) => Some(p),
            None => function.field("parameters").and_then(|ps| named_children(ps).into_iter().next()),
        };
        let Some(param) = param else { return };
        let name = match param.kind_name() {
            "required_parameter" | "optional_parameter" => param.field("pattern"),
            _ => Some(param),
        };
        if let Some(name) = name {
            self.pattern(function, name, ty);
        }
    }

    /// Binds what a declaration's pattern names; a destructured document reads its fields.
    fn pattern(&mut self, scope: Node<'t>, pattern: Node<'t>, ty: Ty) {
        match pattern.kind_name() {
            "identifier" => self.bind_in(scope, self.text(pattern), ty),
            "object_pattern" if ty.kind == Kind::Doc => {
                for child in named_children(pattern) {
                    let key = match child.kind_name() {
                        "shorthand_property_identifier_pattern" => Some(child),
                        "pair_pattern" => child.field("key"),
                        "object_assignment_pattern" => child.field("left"),
                        _ => None,
                    };
                    if let Some(key) = key {
                        let name =
                            string_value(self.src, key).map(|(s, _)| s).unwrap_or_else(|| self.text(key).to_owned());
                        self.field(&ty, &name, key.start_byte(), Confidence::Medium);
                    }
                }
            }
            "array_pattern" if ty.kind == Kind::Docs => {
                for child in named_children(pattern).into_iter().filter(|c| c.kind_name() == "identifier") {
                    self.bind_in(scope, self.text(child), ty.with(Kind::Doc));
                }
            }
            _ => {}
        }
    }

    /// `const [user, posts] = await Promise.all([User.findById(id), Post.find()])`: each name
    /// what its query gives.
    fn promise_all(&mut self, api: &dyn Api, scope: Node<'t>, pattern: Node<'t>, value: Node<'t>) -> bool {
        let value = unwrap(value);
        let call = if value.kind_name() == "await_expression" { value.named_child(0).map(unwrap) } else { None };
        let Some(call) = call.filter(|c| {
            c.kind_name() == "call_expression" && c.field("function").is_some_and(|f| self.text(f) == "Promise.all")
        }) else {
            return false;
        };
        let Some(items) = call_args(call).into_iter().next().filter(|a| a.kind_name() == "array") else { return false };
        for (name, item) in named_children(pattern).into_iter().zip(named_children(items)) {
            if let Some(ty) = self.ty(api, item).and_then(settled) {
                self.pattern(scope, name, ty);
            }
        }
        true
    }

    /// One pass of bindings over the file.
    fn declare(&mut self, api: &dyn Api, nodes: &[Node<'t>]) {
        for &node in nodes {
            match node.kind_name() {
                "variable_declarator" => {
                    let (Some(name), Some(value)) = (node.field("name"), node.field("value")) else {
                        continue;
                    };
                    let scope = self.scope_of(node);
                    let literal = unwrap(value);
                    if name.kind_name() == "identifier" && matches!(literal.kind_name(), "object" | "array") {
                        self.objects.insert((scope.id(), self.text(name).to_owned()), literal);
                    }
                    if name.kind_name() == "array_pattern" && self.promise_all(api, scope, name, value) {
                        continue;
                    }
                    match self.ty(api, value) {
                        Some(ty) => self.pattern(scope, name, ty),
                        // `require('../models/user')`, `await import(…)`: another file's, read
                        // as what its name says.
                        None if name.kind_name() == "identifier" && is_other_value(value) => {
                            // Declared with something else (`const users = new Map()`): not
                            // guessed from its name, nor read as a model.
                            self.objects.insert((scope.id(), format!("#{}", self.text(name))), value);
                        }
                        None => {}
                    }
                }
                "assignment_expression" => {
                    let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                        continue;
                    };
                    self.assigned_key(left);
                    let Some(ty) = self.ty(api, right) else { continue };
                    match left.kind_name() {
                        "identifier" => {
                            let scope = self.scope_of(node);
                            self.bind_in(scope, self.text(left), ty);
                        }
                        // `this.users = db.collection('users')`: the class's other methods read it;
                        // `req.article = article`: the app's other handlers do.
                        "member_expression"
                            if left.field("object").is_some_and(|o| matches!(o.kind_name(), "this" | "identifier")) =>
                        {
                            let root = self.root;
                            self.bind_in(root, self.text(left), ty);
                        }
                        _ => {}
                    }
                }
                "public_field_definition" | "field_definition" => {
                    let name = node.field("name").or_else(|| node.field("property"));
                    if let (Some(name), Some(value)) = (name, node.field("value"))
                        && let Some(ty) = self.ty(api, value)
                    {
                        let root = self.root;
                        self.bind_in(root, &format!("this.{}", self.text(name)), ty);
                    }
                }
                "for_in_statement" => {
                    let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                        continue;
                    };
                    if let Some(ty) = self.ty(api, right).filter(|t| matches!(t.kind, Kind::Docs | Kind::Query { .. }))
                    {
                        let scope = self.scope_of(node);
                        self.pattern(scope, left, ty.with(Kind::Doc));
                    }
                }
                "call_expression" => {
                    let Some(function) = node.field("function").map(unwrap) else { continue };
                    let Some(method) = property(self.src, function) else { continue };
                    self.callbacks(api, node, function, method);
                    if !ELEMENT_CALLBACKS.contains(&method) {
                        continue;
                    }
                    let Some(recv) = function.field("object").and_then(|o| self.ty(api, o)) else {
                        continue;
                    };
                    if matches!(recv.kind, Kind::Docs | Kind::Query { .. })
                        && let Some(callback) = call_args(node).into_iter().next()
                    {
                        self.bind_param(callback, recv.with(Kind::Doc));
                    }
                }
                _ => {}
            }
        }
    }

    /// What a query hands its callbacks: `.then((user) => …)`, and Node's `(err, user)` as a
    /// query method's or `exec`'s last argument.
    fn callbacks(&mut self, api: &dyn Api, call: Node<'t>, function: Node<'t>, method: &str) {
        let args = call_args(call);
        if method == "then" {
            let recv = function.field("object").and_then(|o| self.ty(api, o)).and_then(settled);
            if let (Some(ty), Some(callback)) = (recv, args.first()) {
                self.bind_param(*callback, ty);
            }
            return;
        }
        let Some(callback) = args
            .last()
            .copied()
            .filter(|a| matches!(a.kind_name(), "arrow_function" | "function_expression" | "function"))
        else {
            return;
        };
        let ty = self.ty(api, call).and_then(settled);
        let second = callback.field("parameters").and_then(|ps| named_children(ps).into_iter().nth(1));
        if let (Some(ty), Some(param)) = (ty, second) {
            let name = match param.kind_name() {
                "required_parameter" | "optional_parameter" => param.field("pattern"),
                _ => Some(param),
            };
            if let Some(name) = name {
                self.pattern(callback, name, ty);
            }
        }
    }

    /// The uses of fields the file makes.
    fn uses(&mut self, api: &dyn Api, nodes: &[Node<'t>]) {
        for &node in nodes {
            if matches!(node.kind_name(), "call_expression" | "new_expression")
                && let Some((table, offset)) = api.table(self, node)
            {
                self.hits.push(self.src.hit(offset, Target::Table { table }, RefKind::Query, Confidence::High));
            }
            match node.kind_name() {
                "call_expression" => {
                    let Some(function) = node.field("function").map(unwrap) else { continue };
                    let Some(method) = property(self.src, function) else { continue };
                    let Some(object) = function.field("object") else { continue };
                    let recv = self.ty(api, object).or_else(|| self.guessed(api, object));
                    if let Some(recv) = recv {
                        api.uses(self, &recv, method, node);
                    }
                }
                "new_expression" => {
                    if let Some(ty) = api.source(self, node) {
                        api.constructed(self, &ty, node);
                    }
                }
                "member_expression" => self.property_read(api, node),
                _ => {}
            }
        }
    }

    /// A receiver nothing types, read as what its name suggests.
    fn guessed(&self, api: &dyn Api, object: Node<'t>) -> Option<Ty> {
        let object = unwrap(object);
        if object.kind_name() != "identifier" || self.declared(self.text(object), object) {
            return None;
        }
        api.guess(self.text(object))
    }

    /// `user.email` (and `user.address.city`) on a document; not a method called on it.
    fn property_read(&mut self, api: &dyn Api, node: Node<'t>) {
        let Some(object) = node.field("object") else { return };
        let Some(prop) = node.field("property").filter(|p| p.kind_name() == "property_identifier") else {
            return;
        };
        let parent = self.parent(node);
        if parent.is_some_and(|p| p.kind_name() == "call_expression" && p.field("function") == Some(node)) {
            return;
        }
        let Some(ty) = self.ty(api, object).filter(|t| t.kind == Kind::Doc) else { return };
        let Some(field) = api.property(&ty, self.text(prop)) else { return };
        // `user.address.city`: the nested field too, unless it is a method called on it.
        let nested = parent
            .filter(|p| p.kind_name() == "member_expression" && p.field("object") == Some(node))
            .filter(|p| {
                !self.parent(*p).is_some_and(|g| g.kind_name() == "call_expression" && g.field("function") == Some(*p))
            })
            .and_then(|p| p.field("property"))
            .filter(|p| p.kind_name() == "property_identifier")
            .map(|p| self.text(p));
        let path = match nested {
            Some(inner) if !is_value_method(inner) => format!("{field}.{inner}"),
            _ => field,
        };
        self.field(&ty, &path, prop.start_byte(), Confidence::Medium);
    }
}

/// What a query or a promise of documents gives once it has run: its documents.
fn settled(ty: Ty) -> Option<Ty> {
    match ty.kind {
        Kind::Query { many: true } => Some(ty.with(Kind::Docs)),
        Kind::Query { many: false } => Some(ty.with(Kind::Doc)),
        Kind::Doc | Kind::Docs => Some(ty),
        Kind::Source => None,
    }
}

/// A value that is plainly no document (`new Map()`, a literal, a function): a name holding it
/// is not read as what its name suggests. A call's result or a property (`require('…')`,
/// `request.object`) may be one.
fn is_other_value(value: Node<'_>) -> bool {
    matches!(
        unwrap(value).kind_name(),
        "new_expression"
            | "object"
            | "array"
            | "string"
            | "template_string"
            | "number"
            | "true"
            | "false"
            | "null"
            | "arrow_function"
            | "function_expression"
            | "function"
            | "class"
            | "regex"
    )
}

/// Properties every JS value has: `user.tags.length` reads `tags`, not `tags.length`.
fn is_value_method(name: &str) -> bool {
    matches!(name, "length" | "constructor" | "prototype")
}

/// The facts of one JS/TS file read through `api`: its field uses.
pub fn read<'t>(src: &Src<'_>, root: Node<'t>, api: &dyn Api) -> Vec<Hit> {
    let nodes = descendants(root);
    let mut parents = Map::default();
    for &node in &nodes {
        for child in named_children(node) {
            parents.insert(child.id(), node);
        }
    }
    let mut w = Walker {
        src,
        root,
        scopes: enclosing_scopes(root),
        vars: Map::default(),
        objects: Map::default(),
        assigned: Map::default(),
        parents,
        hits: Vec::new(),
    };
    for &node in &nodes {
        api.bind(&mut w, node);
    }
    // Twice, so that a name typed by another declared later in the file (a function declared
    // below its caller) is typed too.
    w.declare(api, &nodes);
    w.hits.clear();
    w.declare(api, &nodes);
    w.uses(api, &nodes);
    w.hits
}

/// Keys of an object argument (`{ projection, sort }`), by name.
pub fn option<'t>(src: &Src<'_>, value: Option<Node<'t>>, name: &str) -> Option<Node<'t>> {
    let value = unwrap(value?);
    object_keys(src, value).into_iter().find(|k| k.name == name).and_then(|k| k.value)
}

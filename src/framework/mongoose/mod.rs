//! Mongoose: schemas and models ([`schema`]; collections named by Mongoose's pluralisation,
//! [`pluralize`]), queries and updates on models (`User.find({ … }).select('a -b').sort('-c')`,
//! `updateOne(filter, { $set })`, `aggregate([…])`, `populate`, `where('a')`), documents
//! created or returned (`new User({ … })`, `await User.findById(id)` then `user.email`,
//! `user.get('a')`, `user.set('a', …)`), and `this` in a schema's methods, statics, query helpers
//! and hooks. The documents are read by [`crate::framework::mongodb::documents`], the receivers
//! by [`crate::framework::mongodb::walk`].

pub mod pluralize;
pub mod schema;

use crate::grammar::NodeExt;
use std::collections::BTreeMap;

use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::framework::FrameworkSupport;
use crate::framework::mongodb::documents::Shape;
use crate::framework::mongodb::walk::{self, Api, Handle, JS_GLOBALS, Kind, Ty, Walker, option};
use crate::framework::mongodb::{collection_call, documents};
use crate::scan::extract::js::{call_args, callee_name, is_pascal, property, unwrap};
use crate::scan::extract::treesit::{self, Src, descendants, named_children, string_value};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::FileFacts;

pub struct Mongoose;

impl FrameworkSupport for Mongoose {
    fn id(&self) -> Framework {
        Framework::Mongoose
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(MongooseExtractor)]
    }

    fn migration_dirs(&self) -> &'static [&'static str] {
        &["migrations"]
    }

    fn default_table(&self, class: &str) -> Option<String> {
        Some(pluralize::collection_name(class))
    }

    /// A schema's paths are read and written on every load and save.
    fn declares_columns(&self) -> bool {
        true
    }
}

pub struct MongooseExtractor;

impl Extractor for MongooseExtractor {
    fn id(&self) -> &'static str {
        "mongoose"
    }

    fn version(&self) -> u32 {
        2
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Mongoose && treesit::is_js_path(path)
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let tree = match crate::grammar::parse_as(file.text, &treesit::js_language(file.path)) {
            Ok(tree) => tree,
            Err(gave_up) => return FileFacts::unreadable(gave_up),
        };
        let src = Src::new(file.text);
        let nodes = descendants(tree.root_node());
        let mut index = schema::Index::read(&src, &nodes);
        let mut facts = FileFacts::default();
        index.models(&src, &nodes, &mut facts);
        let schema_models =
            index.schemas.into_iter().filter_map(|(var, s)| s.model.map(|m| (var, m))).collect::<BTreeMap<_, _>>();
        facts.hits.extend(walk::read(&src, tree.root_node(), &MongooseApi { schema_models }));
        facts
    }
}

/// Mongoose's API, with the file's schema variables and the models made of them.
struct MongooseApi {
    schema_models: BTreeMap<String, String>,
}

/// Query methods that return the query (the path operators below do too).
const QUERY_CHAIN: &[&str] = &[
    "select",
    "sort",
    "populate",
    "where",
    "exists",
    "or",
    "and",
    "nor",
    "limit",
    "skip",
    "lean",
    "exec",
    "session",
    "collation",
    "hint",
    "maxTimeMS",
    "read",
    "setOptions",
    "projection",
    "orFail",
    "batchSize",
    "comment",
    "allowDiskUse",
    "transform",
    "set",
    "find",
    "findOne",
];

/// Query methods that take a path first when handed a value after it (`gt('age', 18)`).
const PATH_OPERATORS: &[&str] = &[
    "gt",
    "gte",
    "lt",
    "lte",
    "ne",
    "eq",
    "in",
    "nin",
    "all",
    "size",
    "regex",
    "mod",
    "elemMatch",
    "slice",
    "near",
    "equals",
];

/// Model methods that return one document (once awaited or `exec`'d).
const ONE: &[&str] = &[
    "findOne",
    "findById",
    "findOneAndUpdate",
    "findByIdAndUpdate",
    "findOneAndDelete",
    "findByIdAndDelete",
    "findOneAndRemove",
    "findByIdAndRemove",
    "findOneAndReplace",
];

/// Document hooks (`this` is the document); other hook names are query or aggregate hooks.
const DOCUMENT_HOOKS: &[&str] = &["save", "validate", "remove", "init"];

impl MongooseApi {
    fn hook_this(&self, w: &mut Walker<'_, '_, '_>, model: &str, kind: Kind, function: Node<'_>) {
        if matches!(function.kind_name(), "function_expression" | "function" | "method_definition" | "arrow_function") {
            w.bind_in(function, "this", Ty::new(kind, Handle::Model(model.to_owned()), Confidence::High));
        }
    }

    /// A schema's methods object (`schema.methods = { a() {…} }`).
    fn methods_object(&self, w: &mut Walker<'_, '_, '_>, model: &str, kind: Kind, object: Node<'_>) {
        for child in named_children(unwrap(object)) {
            let function = match child.kind_name() {
                "method_definition" => Some(child),
                "pair" => child.field("value").map(unwrap),
                _ => None,
            };
            if let Some(f) = function {
                self.hook_this(w, model, kind, f);
            }
        }
    }
}

impl Api for MongooseApi {
    fn source(&self, w: &Walker<'_, '_, '_>, node: Node<'_>) -> Option<Ty> {
        let node = unwrap(node);
        let model = |name: &str| Some(Ty::new(Kind::Source, Handle::Model(name.to_owned()), Confidence::High));
        match node.kind_name() {
            "identifier" if is_pascal(w.text(node)) && !JS_GLOBALS.contains(&w.text(node)) => model(w.text(node)),
            "call_expression" if callee_name(w.src, node) == Some("model") => {
                let (name, _) = call_args(node).first().and_then(|a| string_value(w.src, *a))?;
                model(&name)
            }
            "new_expression" => {
                let ty = w.ty(self, node.field("constructor")?)?;
                (ty.kind == Kind::Source).then(|| ty.with(Kind::Doc))
            }
            _ => None,
        }
    }

    fn result(&self, recv: &Ty, method: &str, call: Node<'_>) -> Option<Ty> {
        let kind = match recv.kind {
            Kind::Source if method == "find" || method == "where" => Kind::Query { many: true },
            Kind::Source if ONE.contains(&method) => Kind::Query { many: false },
            Kind::Source if method == "create" => match call_args(call).first().map(|a| a.kind_name()) {
                Some("array") => Kind::Docs,
                _ => Kind::Doc,
            },
            Kind::Source if method == "insertMany" => Kind::Docs,
            Kind::Source if method == "hydrate" => Kind::Doc,
            Kind::Query { many } if QUERY_CHAIN.contains(&method) => match method {
                "findOne" => Kind::Query { many: false },
                "find" => Kind::Query { many: true },
                _ => Kind::Query { many },
            },
            Kind::Doc if matches!(method, "save" | "populate" | "toObject" | "toJSON" | "depopulate") => Kind::Doc,
            _ => return None,
        };
        Some(recv.with(kind))
    }

    fn uses<'t>(&self, w: &mut Walker<'_, '_, 't>, recv: &Ty, method: &str, call: Node<'t>) {
        let args = call_args(call);
        let arg = |i: usize| args.get(i).copied();
        match recv.kind {
            Kind::Source => match method {
                "find" | "findOne" => {
                    if let Some(a) = arg(0) {
                        w.document(recv, Shape::Filter, a);
                    }
                    projection(w, recv, arg(1));
                    options(w, recv, arg(2));
                }
                "findById" => {
                    projection(w, recv, arg(1));
                    options(w, recv, arg(2));
                }
                "findByIdAndUpdate" => {
                    if let Some(a) = arg(1) {
                        w.document(recv, Shape::Update, a);
                    }
                    options(w, recv, arg(2));
                }
                "findByIdAndDelete" | "findByIdAndRemove" => options(w, recv, arg(1)),
                "findOneAndUpdate" => {
                    collection_call(w, recv, method, &args);
                    options(w, recv, arg(2));
                }
                "findOneAndDelete" | "findOneAndRemove" => {
                    if let Some(a) = arg(0) {
                        w.document(recv, Shape::Filter, a);
                    }
                    options(w, recv, arg(1));
                }
                "exists" | "remove" => {
                    if let Some(a) = arg(0) {
                        w.document(recv, Shape::Filter, a);
                    }
                }
                "create" => {
                    for a in &args {
                        w.document(recv, Shape::Insert, *a);
                    }
                }
                "where" => query_call(w, recv, method, &args),
                _ => collection_call(w, recv, method, &args),
            },
            Kind::Query { .. } => query_call(w, recv, method, &args),
            Kind::Doc => match method {
                "get" | "isModified" | "markModified" | "unmarkModified" | "isDirectModified" | "isSelected"
                | "isInit" | "depopulate" | "invalidate" | "$isDefault" | "$isEmpty" | "populated" => {
                    w.string_field(recv, arg(0), Confidence::Medium)
                }
                "set" => match arg(0).map(unwrap) {
                    Some(o) if o.kind_name() == "object" => w.document(&recv.with(Kind::Doc), Shape::Insert, o),
                    a => w.string_field(recv, a, Confidence::Medium),
                },
                "populate" => populate(w, recv, arg(0)),
                "updateOne" => {
                    if let Some(a) = arg(0) {
                        w.document(recv, Shape::Update, a);
                    }
                }
                "overwrite" => {
                    if let Some(a) = arg(0) {
                        w.document(recv, Shape::Insert, a);
                    }
                }
                _ => {}
            },
            Kind::Docs => {}
        }
    }

    fn constructed<'t>(&self, w: &mut Walker<'_, '_, 't>, ty: &Ty, node: Node<'t>) {
        let args = node.field("arguments").map(named_children).unwrap_or_default();
        if let Some(first) = args.into_iter().next() {
            w.document(ty, Shape::Insert, first);
        }
    }

    fn property(&self, _ty: &Ty, name: &str) -> Option<String> {
        match name {
            "id" => Some("_id".into()),
            "_doc" | "isNew" | "errors" | "schema" | "db" | "collection" | "modelName" | "baseModelName" => None,
            n if n.starts_with('$') => None,
            n => Some(n.to_owned()),
        }
    }

    fn bind(&self, w: &mut Walker<'_, '_, '_>, node: Node<'_>) {
        match node.kind_name() {
            // `schema.methods.x = function () {…}`, `schema.statics = {…}`, `schema.query.x = …`.
            "assignment_expression" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    return;
                };
                let text = w.text(left);
                let mut parts = text.split('.');
                let (Some(schema), Some(group)) = (parts.next(), parts.next()) else { return };
                let Some(model) = self.schema_models.get(schema) else { return };
                let kind = match group {
                    "methods" => Kind::Doc,
                    "statics" => Kind::Source,
                    "query" => Kind::Query { many: true },
                    _ => return,
                };
                let right = unwrap(right);
                if parts.next().is_some() {
                    self.hook_this(w, model, kind, right);
                } else if right.kind_name() == "object" {
                    self.methods_object(w, model, kind, right);
                }
            }
            "call_expression" => {
                let Some(function) = node.field("function").map(unwrap) else { return };
                let Some(method) = property(w.src, function) else { return };
                let object = function.field("object").map(unwrap);
                let args = call_args(node);
                // `schema.virtual('full').get(function () {…})`.
                if matches!(method, "get" | "set")
                    && let Some(inner) = object.filter(|o| o.kind_name() == "call_expression")
                    && let Some(f) = inner.field("function").map(unwrap)
                    && property(w.src, f) == Some("virtual")
                    && let Some(schema) = f.field("object")
                    && let Some(model) = self.schema_models.get(w.text(schema))
                {
                    if let Some(fun) = args.first() {
                        self.hook_this(w, model, Kind::Doc, *fun);
                    }
                    return;
                }
                let Some(model) = object.and_then(|o| self.schema_models.get(w.text(o))) else { return };
                let model = model.clone();
                let kind = match method {
                    "method" => Kind::Doc,
                    "static" => Kind::Source,
                    "pre" | "post" => {
                        let names = args.first().map(|a| documents::listed(w.src, *a)).unwrap_or_default();
                        let document =
                            !names.is_empty() && names.iter().all(|f| DOCUMENT_HOOKS.contains(&f.path.as_str()));
                        // `this` of an aggregate or insertMany hook is no query on the model.
                        let other = names.iter().any(|f| matches!(f.path.as_str(), "aggregate" | "insertMany"));
                        if document {
                            Kind::Doc
                        } else if other {
                            return;
                        } else {
                            Kind::Query { many: true }
                        }
                    }
                    _ => return,
                };
                // The hook's or method's name comes first, unless an object of methods does.
                let named = matches!(method, "pre" | "post") || args.len() > 1;
                for a in args.iter().skip(usize::from(named)) {
                    match a.kind_name() {
                        "object" if matches!(method, "method" | "static") => self.methods_object(w, &model, kind, *a),
                        _ => self.hook_this(w, &model, kind, *a),
                    }
                }
            }
            _ => {}
        }
    }
}

/// A projection: `'a b -c'`, `['a', 'b']` or `{ a: 1 }`.
fn projection<'t>(w: &mut Walker<'_, '_, 't>, recv: &Ty, value: Option<Node<'t>>) {
    let Some(value) = value.map(unwrap) else { return };
    match value.kind_name() {
        "string" | "template_string" | "array" => w.listed(recv, value),
        _ => w.document(recv, Shape::Keys, value),
    }
}

/// Query options: `{ sort, projection, select, populate }`.
fn options<'t>(w: &mut Walker<'_, '_, 't>, recv: &Ty, value: Option<Node<'t>>) {
    for key in ["sort", "projection", "select", "fields"] {
        let v = option(w.src, value, key);
        projection(w, recv, v);
    }
    populate(w, recv, option(w.src, value, "populate"));
}

/// `populate('author comments')`, `populate(['a', 'b'])`, `populate({ path: 'a', … })`.
fn populate<'t>(w: &mut Walker<'_, '_, 't>, recv: &Ty, value: Option<Node<'t>>) {
    let Some(value) = value.map(unwrap) else { return };
    let items = if value.kind_name() == "array" { named_children(value) } else { vec![value] };
    for item in items.into_iter().map(unwrap) {
        if item.kind_name() == "object" {
            let path = option(w.src, Some(item), "path");
            if let Some(path) = path {
                w.listed(recv, path);
            }
        } else {
            w.listed(recv, item);
        }
    }
}

fn query_call<'t>(w: &mut Walker<'_, '_, 't>, recv: &Ty, method: &str, args: &[Node<'t>]) {
    let arg = |i: usize| args.get(i).copied();
    match method {
        "select" | "projection" => projection(w, recv, arg(0)),
        "sort" | "hint" => projection(w, recv, arg(0)),
        "populate" => populate(w, recv, arg(0)),
        "where" => match arg(0).map(unwrap) {
            Some(o) if o.kind_name() == "object" => w.document(recv, Shape::Filter, o),
            a => w.string_field(recv, a, recv.confidence),
        },
        "or" | "and" | "nor" => {
            if let Some(a) = arg(0).map(unwrap).filter(|a| a.kind_name() == "array") {
                for item in named_children(a) {
                    w.document(recv, Shape::Filter, item);
                }
            }
        }
        "exists" if args.len() <= 2 && arg(0).is_some_and(|a| string_value(w.src, a).is_some()) => {
            w.string_field(recv, arg(0), recv.confidence)
        }
        m if PATH_OPERATORS.contains(&m) && args.len() >= 2 => w.string_field(recv, arg(0), recv.confidence),
        "set" => match arg(0).map(unwrap) {
            Some(o) if o.kind_name() == "object" => w.document(recv, Shape::Update, o),
            a => w.string_field(recv, a, recv.confidence),
        },
        "distinct" => w.string_field(recv, arg(0), recv.confidence),
        "find" | "findOne" | "countDocuments" | "count" | "deleteOne" | "deleteMany" | "updateOne" | "updateMany"
        | "findOneAndUpdate" | "replaceOne" => collection_call(w, recv, method, args),
        _ => {}
    }
}

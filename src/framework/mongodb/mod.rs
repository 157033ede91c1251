//! The bare MongoDB driver (`framework = "mongodb"`): `db.collection('users')` (through any
//! receiver: `client.db(x).collection(…)`, a variable, a class field) and the documents its
//! methods are handed — filters, updates, projections, sorts, pipelines, bulk writes, index keys
//! — and the documents they return, read as the collection's records. A collection is a table,
//! a field a column. [`documents`] and [`walk`] are shared with Mongoose and Parse.

pub mod documents;
pub mod walk;

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::framework::FrameworkSupport;
use crate::framework::mongodb::documents::Shape;
use crate::framework::mongodb::walk::{Api, Handle, Kind, Ty, Walker, option};
use crate::scan::extract::js::{call_args, callee_name, object_keys, unwrap};
use crate::scan::extract::treesit::{self, Src, named_children, string_value};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::FileFacts;

pub struct Mongodb;

impl FrameworkSupport for Mongodb {
    fn id(&self) -> Framework {
        Framework::Mongodb
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(DriverExtractor)]
    }

    fn migration_dirs(&self) -> &'static [&'static str] {
        &["migrations"]
    }
}

pub struct DriverExtractor;

impl Extractor for DriverExtractor {
    fn id(&self) -> &'static str {
        "mongodb"
    }

    fn version(&self) -> u32 {
        2
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Mongodb && treesit::is_js_path(path)
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let tree = match crate::grammar::parse_as(file.text, &treesit::js_language(file.path)) {
            Ok(tree) => tree,
            Err(gave_up) => return FileFacts::unreadable(gave_up),
        };
        let src = Src::new(file.text);
        FileFacts { hits: walk::read(&src, tree.root_node(), &Driver), ..FileFacts::default() }
    }
}

/// The driver's API.
pub struct Driver;

/// Cursor methods that return the cursor.
const CURSOR_CHAIN: &[&str] = &[
    "project",
    "sort",
    "limit",
    "skip",
    "filter",
    "batchSize",
    "hint",
    "collation",
    "comment",
    "maxTimeMS",
    "allowDiskUse",
    "addCursorFlag",
    "min",
    "max",
    "returnKey",
    "showRecordId",
    "withReadPreference",
    "match",
    "group",
    "unwind",
    "lookup",
    "addStage",
];

impl Api for Driver {
    fn source(&self, w: &Walker<'_, '_, '_>, node: Node<'_>) -> Option<Ty> {
        collection(w.src, node)
    }

    fn result(&self, recv: &Ty, method: &str, _call: Node<'_>) -> Option<Ty> {
        let kind = match (recv.kind, method) {
            (Kind::Source, "find" | "aggregate" | "watch") => Kind::Query { many: true },
            (Kind::Source, "findOne" | "findOneAndUpdate" | "findOneAndReplace" | "findOneAndDelete") => Kind::Doc,
            (Kind::Query { many }, m) if CURSOR_CHAIN.contains(&m) => Kind::Query { many },
            (Kind::Query { .. }, "toArray") => Kind::Docs,
            (Kind::Query { .. }, "next" | "tryNext") => Kind::Doc,
            (Kind::Query { .. }, "map") => Kind::Query { many: true },
            _ => return None,
        };
        Some(recv.with(kind))
    }

    fn uses<'t>(&self, w: &mut Walker<'_, '_, 't>, recv: &Ty, method: &str, call: Node<'t>) {
        let args = call_args(call);
        match recv.kind {
            Kind::Source => collection_call(w, recv, method, &args),
            Kind::Query { .. } => match method {
                "project" | "sort" | "min" | "max" | "hint" => {
                    if let Some(a) = args.first() {
                        w.document(recv, Shape::Keys, *a);
                    }
                }
                "filter" | "match" => {
                    if let Some(a) = args.first() {
                        w.document(recv, Shape::Filter, *a);
                    }
                }
                _ => {}
            },
            Kind::Doc | Kind::Docs => {}
        }
    }

    fn property(&self, _ty: &Ty, name: &str) -> Option<String> {
        Some(name.to_owned())
    }

    fn table(&self, w: &Walker<'_, '_, '_>, node: Node<'_>) -> Option<(String, usize)> {
        collection(w.src, node)?;
        call_args(node).first().and_then(|a| string_value(w.src, *a))
    }
}

/// `x.collection('users')`, `x.getCollection('users')` (the shell's).
pub fn collection(src: &Src<'_>, node: Node<'_>) -> Option<Ty> {
    let node = unwrap(node);
    if node.kind_name() != "call_expression" || !matches!(callee_name(src, node), Some("collection" | "getCollection"))
    {
        return None;
    }
    let function = unwrap(node.field("function")?);
    if function.kind_name() != "member_expression" {
        return None;
    }
    let (name, _) = call_args(node).first().and_then(|a| string_value(src, *a))?;
    Some(Ty::new(Kind::Source, Handle::Collection(name), Confidence::High))
}

/// The documents a driver collection method is handed (Mongoose models take the same, with a
/// few differences their extractor handles before calling this).
pub fn collection_call<'t>(w: &mut Walker<'_, '_, 't>, recv: &Ty, method: &str, args: &[Node<'t>]) {
    let arg = |i: usize| args.get(i).copied();
    let options = |w: &mut Walker<'_, '_, 't>, value: Option<Node<'t>>| {
        for key in ["projection", "sort"] {
            if let Some(v) = option(w.src, value, key) {
                w.document(recv, Shape::Keys, v);
            }
        }
    };
    match method {
        "find" | "findOne" | "countDocuments" | "count" | "deleteOne" | "deleteMany" | "findOneAndDelete" | "watch" => {
            if let Some(a) = arg(0) {
                w.document(recv, Shape::Filter, a);
            }
            options(w, arg(1));
        }
        "updateOne" | "updateMany" | "findOneAndUpdate" | "update" => {
            if let Some(a) = arg(0) {
                w.document(recv, Shape::Filter, a);
            }
            if let Some(a) = arg(1) {
                w.document(recv, Shape::Update, a);
            }
            options(w, arg(2));
        }
        "replaceOne" | "findOneAndReplace" => {
            if let Some(a) = arg(0) {
                w.document(recv, Shape::Filter, a);
            }
            if let Some(a) = arg(1) {
                w.document(recv, Shape::Insert, a);
            }
            options(w, arg(2));
        }
        "insertOne" | "insertMany" | "insert" => {
            if let Some(a) = arg(0) {
                w.document(recv, Shape::Insert, a);
            }
        }
        "distinct" => {
            w.string_field(recv, arg(0), recv.confidence);
            if let Some(a) = arg(1) {
                w.document(recv, Shape::Filter, a);
            }
        }
        "aggregate" => {
            if let Some(a) = arg(0) {
                w.document(recv, Shape::Pipeline, a);
            }
        }
        "createIndex" | "ensureIndex" => {
            if let Some(a) = arg(0) {
                w.document(recv, Shape::Keys, a);
            }
            if let Some(v) = option(w.src, arg(1), "partialFilterExpression") {
                w.document(recv, Shape::Filter, v);
            }
        }
        "createIndexes" => {
            for spec in arg(0).filter(|a| a.kind_name() == "array").map(named_children).unwrap_or_default() {
                if let Some(v) = option(w.src, Some(spec), "key") {
                    w.document(recv, Shape::Keys, v);
                }
            }
        }
        "bulkWrite" => {
            for op in arg(0).filter(|a| a.kind_name() == "array").map(named_children).unwrap_or_default() {
                let op = unwrap(op);
                for key in object_keys(w.src, op) {
                    let Some(body) = key.value else { continue };
                    for part in object_keys(w.src, unwrap(body)) {
                        let Some(v) = part.value else { continue };
                        let shape = match part.name.as_str() {
                            "filter" => Shape::Filter,
                            "update" => Shape::Update,
                            "document" | "replacement" => Shape::Insert,
                            _ => continue,
                        };
                        w.document(recv, shape, v);
                    }
                }
            }
        }
        _ => {}
    }
}

//! Parse (Parse Server, the JS SDK, Cloud Code): a class is a collection of the same name
//! (`Parse.User` is `_User`, `Parse.Role` `_Role`, `Parse.Session` `_Session`,
//! `Parse.Installation` `_Installation`). Classes come from `Parse.Object.extend('Post')`,
//! `class Post extends Parse.Object` registered with `Parse.Object.registerSubclass('Post',
//! Post)` (model declarations, so that other files importing `Post` reach the collection),
//! `new Parse.Query('Post' | Post)` and `new Parse.Object('Post')`; fields are strings handed to
//! an object's `get/set/increment/unset/add/addUnique/remove…` and to a query's constraints
//! (`equalTo`, `containedIn`, `include`, `select`, `ascending`, `matchesQuery`, …), and the
//! objects of Cloud Code triggers (`Parse.Cloud.beforeSave('Post', (req) => req.object.get('x'))`;
//! `req.user` everywhere). A receiver nothing types is read as its name suggests: `user` the
//! `_User` class (medium); any other name (not declared with something else, such as a `Map`)
//! an object of some class, whose field the resolver takes as medium when one class has it and
//! low otherwise.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::framework::FrameworkSupport;
use crate::framework::mongodb::documents::Shape;
use crate::framework::mongodb::walk::{self, Api, Handle, JS_GLOBALS, Kind, Ty, Walker};
use crate::scan::extract::js::{call_args, callee_name, is_pascal, object_keys, property, unwrap};
use crate::scan::extract::treesit::{self, Src, descendants, named_children, string_value};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{FileFacts, Hit, ModelDecl, Target};
use crate::scan::reference::RefKind;

pub struct Parse;

impl FrameworkSupport for Parse {
    fn id(&self) -> Framework {
        Framework::Parse
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(ParseExtractor)]
    }

    fn migration_dirs(&self) -> &'static [&'static str] {
        &["migrations"]
    }

    /// A class is the collection of its name.
    fn default_table(&self, class: &str) -> Option<String> {
        Some(class.to_owned())
    }
}

pub struct ParseExtractor;

impl Extractor for ParseExtractor {
    fn id(&self) -> &'static str {
        "parse"
    }

    fn version(&self) -> u32 {
        3
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Parse && treesit::is_js_path(path)
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let tree = match crate::grammar::parse_as(file.text, &treesit::js_language(file.path)) {
            Ok(tree) => tree,
            Err(gave_up) => return FileFacts::unreadable(gave_up),
        };
        let src = Src::new(file.text);
        let nodes = descendants(tree.root_node());
        let mut facts = FileFacts::default();
        classes(&src, &nodes, &mut facts);
        let hits = walk::read(&src, tree.root_node(), &ParseApi);
        // The same field as Parse Server stores it, which is what a `_SCHEMA`-derived schema and
        // migrate-mongo migrations name. As attributes: a class's field that is no pointer has no `_p_` twin, and that must not
        // read as a dangling reference; the resolver keeps the name where a collection has it
        // (medium when only one does).
        let stored: Vec<Hit> = hits
            .iter()
            .flat_map(|h| {
                let field = match &h.target {
                    Target::Column { column, .. } | Target::ModelColumn { column, .. } => column.as_str(),
                    Target::Attribute { name } => name.as_str(),
                    _ => return Vec::new(),
                };
                stored_names(field)
                    .into_iter()
                    .map(|name| Hit { target: Target::Attribute { name }, ..h.clone() })
                    .collect::<Vec<_>>()
            })
            .collect();
        facts.hits.extend(hits);
        facts.hits.extend(stored);
        facts
    }
}

/// How Parse Server stores a field in MongoDB besides its name: `objectId` as `_id`, the
/// timestamps as `_created_at`/`_updated_at`, a pointer `owner` as `_p_owner`.
fn stored_names(field: &str) -> Vec<String> {
    match field {
        "objectId" | "id" => vec!["_id".to_owned()],
        "createdAt" => vec!["_created_at".to_owned()],
        "updatedAt" => vec!["_updated_at".to_owned()],
        f if !f.starts_with('_') && !f.contains('.') => vec![format!("_p_{f}")],
        _ => Vec::new(),
    }
}

/// The collection of a built-in class (`User` of `Parse.User`).
fn builtin(name: &str) -> Option<&'static str> {
    match name {
        "User" => Some("_User"),
        "Role" => Some("_Role"),
        "Session" => Some("_Session"),
        "Installation" => Some("_Installation"),
        _ => None,
    }
}

/// `Parse.User`, `Parse.Role`, …: the built-in class's collection.
fn builtin_class(src: &Src<'_>, node: Node<'_>) -> Option<&'static str> {
    let node = unwrap(node);
    let object = node.field("object")?;
    (node.kind_name() == "member_expression" && src.node_text(object) == "Parse")
        .then(|| property(src, node).and_then(builtin))
        .flatten()
}

/// `Parse.Object.extend('Post')` / `Parse.Object.extend({ className: 'Post' })`: the class name.
fn extended(src: &Src<'_>, node: Node<'_>) -> Option<(String, usize)> {
    let node = unwrap(node);
    if node.kind_name() != "call_expression" || callee_name(src, node) != Some("extend") {
        return None;
    }
    let function = unwrap(node.field("function")?);
    if src.node_text(function.field("object")?) != "Parse.Object" {
        return None;
    }
    let first = call_args(node).into_iter().next()?;
    string_value(src, first).or_else(|| {
        object_keys(src, first).into_iter().find(|k| k.name == "className").and_then(|k| string_value(src, k.value?))
    })
}

/// A Parse class's collection from a string naming it (`'Post'`, `'_User'`): the SDK rewrites
/// `'User'` to `_User` (`PERFORM_USER_REWRITE`, on by default) in `new Parse.Query('User')`,
/// `new Parse.Object('User')` and `Parse.Object.extend('User')`.
fn collection(name: String) -> Handle {
    Handle::Collection(if name == "User" { "_User".into() } else { name })
}

/// The model declarations of a file: `const Post = Parse.Object.extend('Post')`,
/// `Parse.Object.registerSubclass('Post', Post)`, `class X extends Parse.Object { constructor()
/// { super('Post') } }`, `class Me extends Parse.User`.
fn classes(src: &Src<'_>, nodes: &[Node<'_>], facts: &mut FileFacts) {
    let mut declare = |class: &str, table: &str, offset: usize| {
        let table = if table == "User" { "_User" } else { table };
        let (line, column) = src.pos(offset);
        facts.hits.push(src.hit(offset, Target::Table { table: table.to_owned() }, RefKind::Query, Confidence::High));
        // A class registered and also naming its collection in `super('X')` is declared once.
        if facts.models.iter().any(|m| m.class == class) {
            return;
        }
        facts.models.push(ModelDecl::mapped(
            Framework::Parse,
            class,
            Some(table.to_owned()),
            (line, column),
            src.snippet(offset),
        ));
    };
    for &node in nodes {
        match node.kind_name() {
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (node.field("name"), node.field("value"))
                    && name.kind_name() == "identifier"
                    && let Some((class, offset)) = extended(src, value)
                {
                    declare(src.node_text(name), &class, offset);
                }
            }
            "call_expression" if callee_name(src, node) == Some("registerSubclass") => {
                let args = call_args(node);
                if let (Some((class, offset)), Some(local)) = (
                    args.first().and_then(|a| string_value(src, *a)),
                    args.get(1).filter(|a| a.kind_name() == "identifier"),
                ) {
                    declare(src.node_text(*local), &class, offset);
                }
            }
            "class_declaration" => {
                let (Some(name), Some(heritage)) =
                    (node.field("name"), named_children(node).into_iter().find(|c| c.kind_name() == "class_heritage"))
                else {
                    continue;
                };
                let parent = src.node_text(heritage).trim_start_matches("extends").trim();
                let table = match parent.strip_prefix("Parse.") {
                    Some("Object") => super_class_name(src, node),
                    Some(b) => builtin(b).map(|t| (t.to_owned(), name.start_byte())),
                    None => None,
                };
                if let Some((table, offset)) = table {
                    declare(src.node_text(name), &table, offset);
                }
            }
            _ => {}
        }
    }
}

/// `super('Post')` in a class's constructor.
fn super_class_name(src: &Src<'_>, class: Node<'_>) -> Option<(String, usize)> {
    descendants(class.field("body")?).into_iter().find_map(|n| {
        (n.kind_name() == "call_expression" && n.field("function").is_some_and(|f| f.kind_name() == "super"))
            .then(|| call_args(n).first().and_then(|a| string_value(src, *a)))
            .flatten()
    })
}

struct ParseApi;

/// Query methods whose first argument is a field (an array of them for `include`, `select`,
/// `exclude`, any number of them for the last two).
const FIELD_CONSTRAINTS: &[&str] = &[
    "equalTo",
    "notEqualTo",
    "containedIn",
    "notContainedIn",
    "containsAll",
    "containsAllStartingWith",
    "greaterThan",
    "greaterThanOrEqualTo",
    "lessThan",
    "lessThanOrEqualTo",
    "exists",
    "doesNotExist",
    "include",
    "select",
    "exclude",
    "matchesQuery",
    "doesNotMatchQuery",
    "matchesKeyInQuery",
    "doesNotMatchKeyInQuery",
    "startsWith",
    "endsWith",
    "contains",
    "matches",
    "fullText",
    "near",
    "withinKilometers",
    "withinMiles",
    "withinRadians",
    "withinGeoBox",
    "withinPolygon",
    "polygonContains",
    "distinct",
];

/// Sort methods: comma-separated field lists, any number of them.
const ORDER: &[&str] = &["ascending", "descending", "addAscending", "addDescending"];

/// Query methods that return the query.
const QUERY_CHAIN: &[&str] = &["limit", "skip", "withCount", "hint", "readPreference", "includeAll", "explain"];

/// Object methods whose first argument is a field.
const OBJECT_FIELDS: &[&str] = &[
    "get",
    "set",
    "increment",
    "decrement",
    "unset",
    "add",
    "addUnique",
    "addAll",
    "addAllUnique",
    "remove",
    "removeAll",
    "has",
    "dirty",
    "relation",
    "op",
    "escape",
];

/// Cloud Code triggers and what their request's properties hold.
const TRIGGERS: &[&str] = &[
    "beforeSave",
    "afterSave",
    "beforeDelete",
    "afterDelete",
    "beforeFind",
    "afterFind",
    "beforeLogin",
    "afterLogin",
    "afterLogout",
    "beforeSubscribe",
    "afterLiveQueryEvent",
];

impl ParseApi {
    /// The class a trigger is about: its first argument.
    fn trigger_class(&self, w: &Walker<'_, '_, '_>, method: &str, first: Option<Node<'_>>) -> Option<Handle> {
        if matches!(method, "beforeLogin" | "afterLogin" | "afterLogout") {
            return Some(collection("_User".into()));
        }
        let first = unwrap(first?);
        match string_value(w.src, first) {
            Some((name, _)) => Some(collection(name)),
            None => self.source(w, first).map(|t| t.handle),
        }
    }
}

impl Api for ParseApi {
    fn source(&self, w: &Walker<'_, '_, '_>, node: Node<'_>) -> Option<Ty> {
        let node = unwrap(node);
        let high = |kind, handle| Some(Ty::new(kind, handle, Confidence::High));
        match node.kind_name() {
            "member_expression" => builtin_class(w.src, node).and_then(|t| high(Kind::Source, collection(t.into()))),
            "identifier" if is_pascal(w.text(node)) && !JS_GLOBALS.contains(&w.text(node)) => {
                high(Kind::Source, Handle::Model(w.text(node).to_owned()))
            }
            "call_expression" => {
                if let Some((class, _)) = extended(w.src, node) {
                    return high(Kind::Source, collection(class));
                }
                // `Parse.Query.or(a, b)`: what its queries are about.
                let function = unwrap(node.field("function")?);
                if function.kind_name() == "member_expression"
                    && w.text(function.field("object")?) == "Parse.Query"
                    && matches!(property(w.src, function), Some("or" | "and" | "nor"))
                {
                    return call_args(node).into_iter().find_map(|a| w.ty(self, a));
                }
                None
            }
            "new_expression" => {
                let constructor = unwrap(node.field("constructor")?);
                let first = node.field("arguments").and_then(|a| named_children(a).into_iter().next());
                let named = |kind| -> Option<Ty> {
                    let first = unwrap(first?);
                    match string_value(w.src, first) {
                        Some((class, _)) => high(kind, collection(class)),
                        None => w.ty(self, first).filter(|t| t.kind == Kind::Source).map(|t| t.with(kind)),
                    }
                };
                match w.text(constructor) {
                    "Parse.Query" => named(Kind::Query { many: true }),
                    "Parse.Object" => named(Kind::Doc),
                    _ => w.ty(self, constructor).filter(|t| t.kind == Kind::Source).map(|t| t.with(Kind::Doc)),
                }
            }
            _ => None,
        }
    }

    fn result(&self, recv: &Ty, method: &str, _call: Node<'_>) -> Option<Ty> {
        let kind = match recv.kind {
            Kind::Source
                if matches!(
                    method,
                    "current"
                        | "currentAsync"
                        | "logIn"
                        | "signUp"
                        | "become"
                        | "me"
                        | "createWithoutData"
                        | "logInWith"
                ) =>
            {
                Kind::Doc
            }
            Kind::Query { .. }
                if FIELD_CONSTRAINTS.contains(&method) && method != "distinct"
                    || ORDER.contains(&method)
                    || QUERY_CHAIN.contains(&method) =>
            {
                recv.kind
            }
            Kind::Query { .. } if matches!(method, "find" | "findAll") => Kind::Docs,
            Kind::Query { .. } if matches!(method, "first" | "get") => Kind::Doc,
            Kind::Doc if matches!(method, "save" | "fetch" | "fetchWithInclude" | "fetchIfNeeded" | "clone") => {
                Kind::Doc
            }
            _ => return None,
        };
        Some(recv.with(kind))
    }

    fn uses<'t>(&self, w: &mut Walker<'_, '_, 't>, recv: &Ty, method: &str, call: Node<'t>) {
        let args = call_args(call);
        match recv.kind {
            Kind::Query { .. } => match method {
                "include" | "select" | "exclude" | "fetchWithInclude" => {
                    for a in &args {
                        w.listed(recv, *a);
                    }
                }
                m if ORDER.contains(&m) => {
                    for a in &args {
                        w.listed(recv, *a);
                    }
                }
                m if FIELD_CONSTRAINTS.contains(&m) => w.string_field(recv, args.first().copied(), recv.confidence),
                "aggregate" => {
                    if let Some(a) = args.first() {
                        w.document(recv, Shape::Pipeline, *a);
                    }
                }
                "each" | "map" | "filter" | "reduce" => {}
                _ => {}
            },
            Kind::Doc => match method {
                "set" | "save" if args.first().is_some_and(|a| unwrap(*a).kind_name() == "object") => {
                    w.document(recv, Shape::Insert, args[0]);
                }
                m if OBJECT_FIELDS.contains(&m) => w.string_field(recv, args.first().copied(), recv.confidence),
                "save" => w.string_field(recv, args.first().copied(), recv.confidence),
                "fetchWithInclude" => {
                    if let Some(a) = args.first() {
                        w.listed(recv, *a);
                    }
                }
                _ => {}
            },
            Kind::Source | Kind::Docs => {}
        }
    }

    fn constructed<'t>(&self, w: &mut Walker<'_, '_, 't>, ty: &Ty, node: Node<'t>) {
        let args = node.field("arguments").map(named_children).unwrap_or_default();
        let named = node.field("constructor").is_some_and(|c| w.text(c) == "Parse.Object");
        if ty.kind == Kind::Doc
            && let Some(attrs) = args.get(usize::from(named)).filter(|a| unwrap(**a).kind_name() == "object")
        {
            w.document(ty, Shape::Insert, *attrs);
        }
    }

    /// A Parse object's attributes are read with `get`; its properties (`id`, `className`,
    /// `attributes`) are no fields.
    fn property(&self, _ty: &Ty, _name: &str) -> Option<String> {
        None
    }

    fn bind(&self, w: &mut Walker<'_, '_, '_>, node: Node<'_>) {
        match node.kind_name() {
            "call_expression" => {
                let Some(function) = node.field("function").map(unwrap) else { return };
                if function.kind_name() != "member_expression"
                    || function.field("object").is_none_or(|o| w.text(o) != "Parse.Cloud")
                {
                    return;
                }
                let method = property(w.src, function).unwrap_or("");
                let args = call_args(node);
                let Some(handler) = args
                    .iter()
                    .rev()
                    .copied()
                    .find(|a| matches!(a.kind_name(), "arrow_function" | "function_expression" | "function"))
                else {
                    return;
                };
                let class = if TRIGGERS.contains(&method) {
                    self.trigger_class(w, method, args.first().copied())
                } else {
                    None
                };
                let user = Ty::new(Kind::Doc, collection("_User".into()), Confidence::High);
                let mut held: Vec<(&str, Ty)> = vec![("user", user)];
                if let Some(class) = class {
                    let ty = |kind| Ty::new(kind, class.clone(), Confidence::High);
                    held.extend([
                        ("object", ty(Kind::Doc)),
                        ("original", ty(Kind::Doc)),
                        ("objects", ty(Kind::Docs)),
                        ("query", ty(Kind::Query { many: true })),
                    ]);
                }
                let param = handler
                    .field("parameter")
                    .or_else(|| handler.field("parameters").and_then(|ps| named_children(ps).into_iter().next()));
                let Some(param) = param else { return };
                let param = match param.kind_name() {
                    "required_parameter" | "optional_parameter" => param.field("pattern"),
                    _ => Some(param),
                };
                let Some(param) = param else { return };
                match param.kind_name() {
                    "identifier" => {
                        let name = w.text(param);
                        for (key, ty) in held {
                            w.bind_in(handler, &format!("{name}.{key}"), ty);
                        }
                    }
                    "object_pattern" => {
                        for child in named_children(param) {
                            let (key, local) = match child.kind_name() {
                                "shorthand_property_identifier_pattern" => (w.text(child), w.text(child)),
                                "pair_pattern" => match (child.field("key"), child.field("value")) {
                                    (Some(k), Some(v)) if v.kind_name() == "identifier" => (w.text(k), w.text(v)),
                                    _ => continue,
                                },
                                _ => continue,
                            };
                            if let Some((_, ty)) = held.iter().find(|(k, _)| *k == key) {
                                w.bind_in(handler, local, ty.clone());
                            }
                        }
                    }
                    _ => {}
                }
            }
            // Methods of `class Post extends Parse.Object`: `this` is a Post.
            "class_declaration" => {
                let (Some(name), Some(heritage), Some(body)) = (
                    node.field("name"),
                    named_children(node).into_iter().find(|c| c.kind_name() == "class_heritage"),
                    node.field("body"),
                ) else {
                    return;
                };
                let parent = w.text(heritage).trim_start_matches("extends").trim();
                let handle = match parent.strip_prefix("Parse.") {
                    Some("Object") => Handle::Model(w.text(name).to_owned()),
                    Some(b) => match builtin(b) {
                        Some(t) => collection(t.into()),
                        None => return,
                    },
                    None => return,
                };
                for method in named_children(body).into_iter().filter(|m| m.kind_name() == "method_definition") {
                    w.bind_in(method, "this", Ty::new(Kind::Doc, handle.clone(), Confidence::High));
                }
            }
            _ => {}
        }
    }

    fn table(&self, w: &Walker<'_, '_, '_>, node: Node<'_>) -> Option<(String, usize)> {
        let first = |n: Node<'_>| -> Option<(String, usize)> {
            let args = n.field("arguments")?;
            let (name, at) = named_children(args).into_iter().next().and_then(|a| string_value(w.src, unwrap(a)))?;
            match collection(name) {
                Handle::Collection(c) => Some((c, at)),
                Handle::Model(_) | Handle::Untyped => None,
            }
        };
        match node.kind_name() {
            "new_expression"
                if node.field("constructor").is_some_and(|c| matches!(w.text(c), "Parse.Query" | "Parse.Object")) =>
            {
                first(node)
            }
            "call_expression" => {
                let function = unwrap(node.field("function")?);
                let trigger = function.field("object").is_some_and(|o| w.text(o) == "Parse.Cloud")
                    && property(w.src, function).is_some_and(|m| TRIGGERS.contains(&m));
                if trigger { first(node) } else { None }
            }
            _ => None,
        }
    }

    fn guess(&self, name: &str) -> Option<Ty> {
        match name {
            "user" | "currentUser" | "me" | "owner" => {
                Some(Ty::new(Kind::Doc, collection("_User".into()), Confidence::Medium))
            }
            "role" => Some(Ty::new(Kind::Doc, collection("_Role".into()), Confidence::Medium)),
            "installation" => Some(Ty::new(Kind::Doc, collection("_Installation".into()), Confidence::Medium)),
            // Any other name: a Parse object of a class the code does not say (`book` handed to
            // a helper), its fields matched against every class.
            _ => Some(Ty::new(Kind::Doc, Handle::Untyped, Confidence::Medium)),
        }
    }
}

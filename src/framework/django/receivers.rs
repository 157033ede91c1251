//! Receiver typing: which model's records (or querysets) a Python name or expression holds, so
//! that `check.name`, `self.status` or `qs.update(kind=…)` are read against that model and no
//! other. Flow-insensitive and local to one function: a name assigned values of two types holds
//! neither.
//!
//! Typed: `self` in a model's methods (and an abstract model's: resolution spreads it over the
//! models that inherit it), `cls` in its classmethods; `self` in a custom QuerySet or Manager;
//! a model signal's `instance` when connected with one sender; `Model.objects…` chains; `get/first/last/create/…` results;
//! `get_object_or_404(Model, …)`; `Model(…)`; parameters annotated with a model; loop and
//! comprehension variables over querysets; `x, created = ….get_or_create(…)`; association steps
//! (`check.project`, `project.check_set`); `request.user`; a class-based view's `self.object`,
//! a `ModelForm`'s `self.instance`, and the `obj` / `instance` parameters of a `ModelAdmin`'s or
//! serializer's methods.

use crate::grammar::NodeExt;
use std::collections::HashMap;
use std::rc::Rc;

use tree_sitter::Node;

use super::extract::Ctx;
use super::lookups::is_field_name;
use crate::config::Confidence;
use crate::scan::extract::python::{args, assignments, inner_class_body, is_class_name, last_segment};
use crate::scan::extract::treesit::{Nodes, Src, descendants, descendants_outside, named_children, string_value};
use crate::scan::facts::{Binding, EVERY_NAME, MEMBER_SCOPE, OWNED_SCOPE_PREFIX, Root, Target};
use crate::scan::reference::RefKind;

/// The scope of the bindings that give a module's function the records it returns, under
/// `module.function` (the file's stem): a `class:` scope, so a function nothing binds reads
/// nothing.
pub(super) const RETURNS_SCOPE: &str = "class:django:returns";

/// The scope of the bindings that give a model's classmethod the records it returns, under
/// `Class.method` (the class's own name): `@classmethod def privacy_filter(cls, …)` returning
/// `cls.objects.filter(…)` binds `Status.privacy_filter` to `Status`. A `class:` scope, so a
/// classmethod nothing binds (one returning a record or a value) reads nothing.
pub(super) const CLASSMETHODS_SCOPE: &str = "class:django:classmethods";

/// The scope of the bindings that give a class with a `Meta` its model, under the class's name:
/// a class whose `Meta` names one (or inherits it from a class of its file) binds it, a class
/// whose `Meta` inherits another file's (`class Meta(IssueSerializer.Meta)`) binds that class.
pub(super) const META_SCOPE: &str = "class:django:meta";

/// After [`OWNED_SCOPE_PREFIX`], the scopes of what the subclasses of a class that are no model
/// declare in their bodies, by the class's name (`owned:django-subclasses:TemplateEmailView`):
/// the class's methods read them on `self` as its own attributes, no column.
const SUBCLASSES: &str = "django-subclasses:";

/// The scope of the binding `request.user` is read through: `settings.AUTH_USER_MODEL` binds it.
pub(super) const AUTH_SCOPE: &str = "django:auth";

/// A record (or relation) reached from `root` through the associations of `path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rec {
    pub(super) root: Root,
    pub(super) path: Vec<String>,
}

impl Rec {
    pub(super) fn model(class: impl Into<String>) -> Rec {
        Rec { root: Root::Model { model: class.into() }, path: Vec::new() }
    }

    pub(super) fn then(&self, step: &str) -> Rec {
        let mut path = self.path.clone();
        path.push(step.to_owned());
        Rec { root: self.root.clone(), path }
    }

    /// What a use of `attribute` on this record names.
    pub(super) fn attribute(&self, attribute: &str) -> Target {
        match &self.root {
            Root::Model { model } if self.path.is_empty() => {
                Target::ModelColumn { model: model.clone(), column: attribute.to_owned() }
            }
            _ => Target::Chain {
                root: self.root.clone(),
                path: self.path.clone(),
                attribute: Some(attribute.to_owned()),
            },
        }
    }
}

/// What `request.<attribute>` holds: the user (`AUTH_USER_MODEL` when the app binds it, else a
/// model called `User`), or what a middleware sets — the model the attribute is named after
/// (`request.profile` → `Profile`), when the app has one.
pub(super) fn request_attribute(attribute: &str) -> Option<Root> {
    if attribute == "user" {
        return Some(Root::Binding {
            scopes: vec![AUTH_SCOPE.to_owned()],
            name: "user".into(),
            guess: Some("User".into()),
        });
    }
    (attribute.len() >= 3 && attribute.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')).then(|| Root::Binding {
        scopes: vec!["django:request".to_owned()],
        name: attribute.to_owned(),
        guess: Some(crate::scan::inflect::camelize(attribute)),
    })
}

/// A typed value: one record, or many (a queryset, a manager, a list of records).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Ty {
    pub(super) rec: Rec,
    pub(super) many: bool,
    /// What the queryset yields, or what the one value is: a record, or a row of its columns.
    pub(super) rows: Rows,
}

/// What a queryset yields: records, or rows of their columns — a `values()` queryset's dicts
/// (keyed by the column, `row["is_encrypted"]`), a `values_list()` queryset's tuples. Either is
/// still the model's queryset to the QuerySet methods chained on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Rows {
    Records,
    Dicts,
    Tuples,
    /// A name given the records in one place and rows in another: an attribute read on what it
    /// yields is a record's, a key read a dict row's (each access is valid for one of them only).
    Either,
}

impl Ty {
    fn one(rec: Rec) -> Ty {
        Ty { rec, many: false, rows: Rows::Records }
    }
    fn many(rec: Rec) -> Ty {
        Ty { rec, many: true, rows: Rows::Records }
    }
    /// One record (not a row of its columns).
    pub(super) fn is_record(&self) -> bool {
        !self.many && matches!(self.rows, Rows::Records | Rows::Either)
    }
    /// One `values()` row: a dict of the model's columns.
    pub(super) fn is_dict_row(&self) -> bool {
        !self.many && matches!(self.rows, Rows::Dicts | Rows::Either)
    }
}

/// Names that hold the framework's own objects in a view or hook (`request.user`,
/// `context.get`), never a record of the model they would be called after.
pub(super) const FRAMEWORK_OBJECTS: &[&str] = &["request", "response", "context", "info", "kwargs", "options", "args"];

/// Builtins whose result is a plain value, never a record.
const PLAIN_BUILTINS: &[&str] = &["str", "int", "float", "bool", "dict", "len", "repr", "bytes", "range", "format"];

/// Names that hold a client of another system (an HTTP API, an RPC server): what its methods
/// answer is that system's object, never a record of the app.
const CLIENTS: &[&str] = &["client", "rpc", "api", "api_client", "rpc_client", "http_client"];

/// Top-level modules of Python's standard library that code commonly calls into (what they
/// return is no model's record).
const STDLIB: &[&str] = &[
    "argparse",
    "base64",
    "calendar",
    "collections",
    "contextlib",
    "copy",
    "csv",
    "dataclasses",
    "datetime",
    "decimal",
    "difflib",
    "email",
    "enum",
    "fractions",
    "functools",
    "gzip",
    "hashlib",
    "hmac",
    "html",
    "http",
    "io",
    "ipaddress",
    "itertools",
    "json",
    "locale",
    "logging",
    "math",
    "mimetypes",
    "operator",
    "os",
    "pathlib",
    "pickle",
    "platform",
    "random",
    "re",
    "secrets",
    "shlex",
    "shutil",
    "smtplib",
    "socket",
    "statistics",
    "string",
    "struct",
    "subprocess",
    "sys",
    "tempfile",
    "textwrap",
    "threading",
    "time",
    "traceback",
    "typing",
    "unicodedata",
    "urllib",
    "uuid",
    "xml",
    "zipfile",
    "zlib",
    "zoneinfo",
];

/// QuerySet methods that return a queryset of the same model.
const MANY_METHODS: &[&str] = &[
    "all",
    "filter",
    "exclude",
    "order_by",
    "select_related",
    "prefetch_related",
    "distinct",
    "annotate",
    "alias",
    "only",
    "defer",
    "using",
    "select_for_update",
    "none",
    "reverse",
    "iterator",
    "union",
    "intersection",
    "difference",
];

/// QuerySet methods that return one record.
const ONE_METHODS: &[&str] = &[
    "get",
    "first",
    "last",
    "create",
    "latest",
    "earliest",
    "aget",
    "afirst",
    "alast",
    "acreate",
    "in_bulk_one",
    "create_user",
    "create_superuser",
];

/// Methods of a record that name no column of it.
pub(super) fn is_manager_name(attr: &str) -> bool {
    attr == "objects" || attr.ends_with("_objects") || attr == "_default_manager" || attr == "_base_manager"
}

/// Names in scope in one function.
#[derive(Debug, Default, Clone)]
pub(super) struct Env {
    /// `None`: assigned values of different types.
    vars: HashMap<String, Option<Ty>>,
    /// The model of the class the function is a method of, when the class says which model it
    /// works on (`model = X`, `Meta.model`, `admin.register(X)`).
    class_model: Option<String>,
    /// Else the records of a class whose `Meta` inherits another's ([`Ctx::inherited_meta`]).
    class_rec: Option<Rec>,
    /// Names assigned what a function of the standard library (or a builtin) returns: no record,
    /// whatever attribute is read on them (`urlsplit(url).scheme`).
    plain: std::collections::HashSet<String>,
    /// What a class that is no model and works on none declares in its body (a dataclass's
    /// `fiber: float | None`): `self.fiber` in its methods is that attribute, not a column.
    own: std::collections::HashSet<String>,
    /// The bases of that class (their names): what one of them assigns itself is the class's own
    /// too ([`OWNED_SCOPE_PREFIX`], resolved across files).
    own_bases: Vec<String>,
    /// That class's name: what a subclass of it that is no model declares in its body
    /// (`subject_template = "adj_email_subject"`, in any file) is the object's own too
    /// ([`SUBCLASSES`]).
    own_class: Option<String>,
    /// Names an `if isinstance(x, URLResolver):` narrows to a class of Django itself, the
    /// standard library or a builtin, with the bytes of the block where it holds no record.
    narrowed: Vec<(String, std::ops::Range<usize>)>,
    /// Names assigned a model class itself (`model_type = Unit`), then called or queried as it
    /// (`model_type(…)`, `model_type.objects.filter(…)`); `None`: assigned anything else too.
    classes: HashMap<String, Option<String>>,
    /// For a name the function gives a model class only in statements of its own body, none
    /// nested in a loop or branch (`model_type = Food` … `model_type = Property`): where each
    /// assignment starts and the class it gives (`None`: something else).
    class_steps: HashMap<String, Vec<(usize, Option<String>)>>,
    /// Every statement of the function that gives each name a value ([`Ctx::reaching`]).
    bound: HashMap<String, Vec<Bound>>,
    /// The bytes of the function's loops.
    loops: Vec<std::ops::Range<usize>>,
}

/// A statement giving a name a value: its bytes, and for a plain `name = value` the block
/// holding it and the value's bytes.
#[derive(Debug, Clone)]
struct Bound {
    at: std::ops::Range<usize>,
    plain: Option<(std::ops::Range<usize>, std::ops::Range<usize>)>,
}

impl Env {
    /// The model class a name holds, when every value the function gives it is that class.
    pub(super) fn class_of(&self, name: &str) -> Option<&str> {
        self.classes.get(name).and_then(Option::as_deref)
    }

    /// The model class a name holds at `offset`: [`Env::class_of`], or when the function gives
    /// it several, each in a statement of its own body, the last one given before `offset` —
    /// statements of a body run in order, so no other reaches there.
    pub(super) fn class_at(&self, name: &str, offset: usize) -> Option<&str> {
        self.class_of(name).or_else(|| {
            let steps = self.class_steps.get(name)?;
            steps.iter().rev().find(|(at, _)| *at < offset).and_then(|(_, class)| class.as_deref())
        })
    }

    fn set_class(&mut self, name: &str, model: Option<String>) {
        let entry = self.classes.entry(name.to_owned()).or_insert_with(|| model.clone());
        if *entry != model {
            *entry = None;
        }
    }

    fn set(&mut self, name: &str, ty: Option<Ty>) {
        let Some(ty) = ty else { return };
        match self.vars.get(name) {
            // `issues = issues.annotate(…).values(…)` over a parameter typed as the model's
            // queryset: the same queryset, whose rows are either.
            Some(Some(old)) if old.rec == ty.rec && old.many == ty.many && old.rows != ty.rows => {
                self.vars.insert(name.to_owned(), Some(Ty { rows: Rows::Either, ..ty }));
            }
            Some(Some(old)) if *old != ty => {
                self.vars.insert(name.to_owned(), None);
            }
            Some(None) => {}
            _ => {
                self.vars.insert(name.to_owned(), Some(ty));
            }
        }
    }
}

/// The function (or lambda) whose body holds `node`.
pub(super) fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    let mut n = node.parent();
    while let Some(p) = n {
        if p.kind_name() == "function_definition" {
            return Some(p);
        }
        n = p.parent();
    }
    None
}

/// The [`enclosing_function`] of every named node of the file that has one, by node id, in one
/// walk: asked of each node it was a walk up its parents, and tree-sitter finds a node's parent
/// by searching down from the root, so a file nested a few thousand levels deep took minutes.
pub(super) fn function_scopes(root: Node<'_>) -> HashMap<usize, usize> {
    let mut out = HashMap::new();
    // The functions holding the cursor's node: (depth, id), innermost last.
    let mut open: Vec<(usize, usize)> = Vec::new();
    let mut cursor = root.walk();
    let mut depth = 0;
    loop {
        let n = cursor.node();
        while open.last().is_some_and(|(d, _)| *d >= depth) {
            open.pop();
        }
        if n.is_named() {
            if let Some((_, f)) = open.last() {
                out.insert(n.id(), *f);
            }
            if n.kind_name() == "function_definition" {
                open.push((depth, n.id()));
            }
            if cursor.goto_first_child() {
                depth += 1;
                continue;
            }
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
            depth -= 1;
        }
    }
}

/// The nodes under `node` whose [`enclosing_function`] is `node`'s (or `node` itself, a
/// function): the subtree without the bodies of the functions nested in it.
pub(super) fn own_scope(node: Node<'_>) -> Vec<Node<'_>> {
    let top = node.id();
    descendants_outside(node, |n| n.id() != top && n.kind_name() == "function_definition")
}

/// The classes a class inherits from, by name (`throttling.SimpleRateThrottle` →
/// `SimpleRateThrottle`), `object` and generic parameters left out.
fn owned_bases(src: &Src<'_>, class: Node<'_>) -> Vec<String> {
    crate::scan::extract::python::bases(src, class)
        .into_iter()
        .map(last_segment)
        .filter(|b| is_class_name(b) && *b != "object")
        .map(str::to_owned)
        .collect()
}

/// The module node holding `node`.
fn root_of(node: Node<'_>) -> Node<'_> {
    let mut n = node;
    while let Some(p) = n.parent() {
        n = p;
    }
    n
}

/// The first parameter of a method decorated `@classmethod`, which Python hands the class.
fn classmethod_receiver<'a>(src: &Src<'a>, func: Node<'_>) -> Option<&'a str> {
    let decorated = func.parent().filter(|p| p.kind_name() == "decorated_definition")?;
    named_children(decorated)
        .into_iter()
        .any(|d| d.kind_name() == "decorator" && src.node_text(d).trim_start_matches('@').trim() == "classmethod")
        .then_some(())?;
    let first = named_children(func.field("parameters")?).into_iter().next()?;
    (first.kind_name() == "identifier").then(|| src.node_text(first))
}

/// The class a function is a method of.
pub(super) fn method_class(func: Node<'_>) -> Option<Node<'_>> {
    let mut n = func.parent()?;
    if n.kind_name() == "decorated_definition" {
        n = n.parent()?;
    }
    if n.kind_name() != "block" {
        return None;
    }
    n.parent().filter(|c| c.kind_name() == "class_definition")
}

impl Ctx<'_> {
    /// The model a class works on: `model = X` in its body, `Meta.model` (`Django.model`), or
    /// the model it is registered as the admin of.
    pub(super) fn class_model(&self, class: Node<'_>) -> Option<String> {
        let name = self.src.node_text(class.field("name")?);
        let body = class.field("body")?;
        let model_of = |block: Node<'_>| {
            assignments(block)
                .into_iter()
                .find(|(t, _, _)| self.src.node_text(*t) == "model")
                .and_then(|(_, _, v)| v)
                .filter(|v| v.kind_name() == "identifier" || v.kind_name() == "attribute")
                .map(|v| self.src.node_text(v).to_owned())
                .filter(|m| is_class_name(last_segment(m)))
        };
        // A generic view's `queryset = Task.objects.none()`, or the model a generic base is
        // parameterised with (`ReadOnlyModelViewSet[Task]`).
        let queryset_of = |block: Node<'_>| {
            let (_, _, v) = assignments(block).into_iter().find(|(t, _, _)| self.src.node_text(*t) == "queryset")?;
            self.chain_model(v?)
        };
        let parameterised = || {
            let supers = class.field("superclasses")?;
            named_children(supers).into_iter().filter(|n| n.kind_name() == "subscript").find_map(|n| {
                let m = self.src.node_text(n.field("subscript")?);
                (is_class_name(m) && self.is_known_model(m)).then(|| m.to_owned())
            })
        };
        let local = model_of(body)
            .or_else(|| inner_class_body(&self.src, body, "Meta").and_then(model_of))
            // A django-elasticsearch-dsl `Document`'s `class Django: model = Project`.
            .or_else(|| inner_class_body(&self.src, body, "Django").and_then(model_of))
            .or_else(|| queryset_of(body))
            .or_else(parameterised)
            .or_else(|| self.get_queryset_model(body))
            .or_else(|| self.registrations.get(name).and_then(|m| (m.len() == 1).then(|| m[0].clone())))
            .or_else(|| {
                let decorated = class.parent().filter(|p| p.kind_name() == "decorated_definition")?;
                let call = descendants(decorated).into_iter().find(|n| {
                    n.kind_name() == "call"
                        && n.field("function").is_some_and(|f| last_segment(self.src.node_text(f)) == "register")
                })?;
                let a = args(call);
                (a.positional.len() == 1).then(|| self.src.node_text(a.positional[0]).to_owned())
            })?;
        Some(self.model_ref(&local))
    }

    /// The records a custom QuerySet or Manager class of this file runs on: the one model of the
    /// file that uses it, else — a class of a QuerySet's file — those its binding gives
    /// ([`super::models::QUERYSET_SCOPE`]). `None` for a class several models of the file use.
    fn queryset_records(&self, class: &str) -> Option<Rec> {
        let models: Vec<&str> = self
            .querysets
            .get(class)
            .into_iter()
            .flatten()
            .filter_map(|m| self.models.get(m))
            .map(|m| m.class.as_str())
            .collect();
        match models.as_slice() {
            [model] => Some(Rec::model(*model)),
            [] if self.queryset_classes.contains(class) => Some(Rec {
                root: Root::Binding {
                    scopes: vec![super::models::QUERYSET_SCOPE.to_owned()],
                    name: class.to_owned(),
                    guess: None,
                },
                path: Vec::new(),
            }),
            _ => None,
        }
    }

    /// The records of a class whose `Meta` inherits another class's and names no model of its
    /// own (`class Meta(IssueSerializer.Meta): fields = […]`, the base maybe in another file):
    /// those that `Meta` names, as the class binds them under its name ([`META_SCOPE`]).
    pub(super) fn inherited_meta(&self, class: Node<'_>) -> Option<Rec> {
        let name = self.src.node_text(class.field("name")?);
        let meta = inner_class_body(&self.src, class.field("body")?, "Meta")?;
        if assignments(meta).iter().any(|(t, _, _)| self.src.node_text(*t) == "model") {
            return None;
        }
        let inherits = crate::scan::extract::python::bases(&self.src, meta.parent()?)
            .into_iter()
            .any(|b| b.strip_suffix(".Meta").is_some_and(|c| is_class_name(last_segment(c))));
        inherits.then(|| Rec {
            root: Root::Binding { scopes: vec![META_SCOPE.to_owned()], name: name.to_owned(), guess: None },
            path: Vec::new(),
        })
    }

    /// The model a `Model.objects…` chain starts at.
    fn chain_model(&self, mut root: Node<'_>) -> Option<String> {
        while let Some(inner) = match root.kind_name() {
            "call" => root.field("function"),
            "attribute" => root.field("object"),
            // Black wraps a long chain in parentheses: `return (\n    Cycle.objects.filter(…)\n)`.
            "parenthesized_expression" => named_children(root).into_iter().next(),
            _ => None,
        } {
            if root.kind_name() == "attribute"
                && root.field("attribute").is_some_and(|a| self.src.node_text(a) == "objects")
            {
                return Some(self.src.node_text(inner).to_owned()).filter(|m| is_class_name(last_segment(m)));
            }
            root = inner;
        }
        None
    }

    /// What a view's `get_queryset` returns, when every `return` in it is a chain on one model
    /// (`return WorkoutSession.objects.filter(user=self.request.user)`).
    pub(super) fn get_queryset_model(&self, body: Node<'_>) -> Option<String> {
        let func = named_children(body)
            .into_iter()
            .map(|n| if n.kind_name() == "decorated_definition" { n.field("definition").unwrap_or(n) } else { n })
            .find(|n| {
                n.kind_name() == "function_definition"
                    && n.field("name").is_some_and(|id| self.src.node_text(id) == "get_queryset")
            })?;
        let mut models = own_scope(func)
            .into_iter()
            .filter(|n| n.kind_name() == "return_statement")
            .map(|r| named_children(r).into_iter().next().and_then(|v| self.chain_model(v)));
        let first = models.next()??;
        models.all(|m| m.as_deref() == Some(first.as_str())).then_some(first)
    }

    /// Types the names of every function of the file, after what the file's own functions
    /// return (`def _get_check(…) -> Check`).
    pub(super) fn type_functions(&mut self, nodes: &Nodes<'_>) {
        for func in nodes.of_kind("function_definition") {
            if let (Some(name), Some(t)) = (func.field("name"), func.field("return_type"))
                && let Some(ty) = self.annotation(t)
            {
                self.returns.insert(self.src.node_text(name).to_owned(), ty);
            }
        }
        self.connected = self.connected_receivers(nodes);
        for func in nodes.of_kind("function_definition") {
            let env = self.function_env(func);
            self.envs.insert(func.id(), Rc::new(env));
        }
        self.type_by_callers(nodes);
        // What a class's methods return, then again the methods of the classes that have such:
        // `self.get_roles().filter(…)` in another method of the class.
        for func in nodes.of_kind("function_definition") {
            let Some(class) = method_class(func) else { continue };
            self.method_classes.insert(func.id(), class.id());
            let Some(name) = func.field("name") else { continue };
            if let Some(first) = self.returned(func) {
                self.method_returns.insert((class.id(), self.src.node_text(name).to_owned()), first);
            }
        }
        if !self.method_returns.is_empty() {
            let typed: std::collections::HashSet<usize> = self.method_returns.keys().map(|(c, _)| *c).collect();
            for func in nodes.of_kind("function_definition") {
                if self.method_classes.get(&func.id()).is_some_and(|c| typed.contains(c)) {
                    let env = self.function_env(func);
                    self.envs.insert(func.id(), Rc::new(env));
                }
            }
        }
        // A model's classmethod whose every return is a queryset of the class
        // (`return cls.objects.filter(…)`, `queryset = super().privacy_filter(…)`): what a call
        // of it on the model returns, in any file.
        for func in nodes.of_kind("function_definition") {
            let Some(class) = method_class(func) else { continue };
            let Some(class_name) = class.field("name").map(|n| self.src.node_text(n)) else { continue };
            let (Some(m), Some(name)) = (self.models.get(class_name), func.field("name")) else {
                continue;
            };
            if classmethod_receiver(&self.src, func).is_none() {
                continue;
            }
            let own = Rec::model(m.class.clone());
            if self.returned(func).is_some_and(|t| t.many && t.rows == Rows::Records && t.rec == own) {
                self.bindings.push(Binding {
                    scope: CLASSMETHODS_SCOPE.to_owned(),
                    name: format!("{}.{}", last_segment(&m.class), self.src.node_text(name)),
                    root: own.root,
                    path: Vec::new(),
                });
            }
        }
        // A model's property whose every return is one record or queryset (`schedule, _ =
        // self.schedules.get_or_create(…)`, `return schedule`): what a chain through it reaches,
        // in any file; a property returning a column of the model (`return self.title`) none.
        for (local, func) in super::models::property_defs(self, nodes.root()) {
            let (Some(model), Some(name)) = (self.models.get(&local), func.field("name")) else {
                continue;
            };
            let Some(t) = self
                .returned(func)
                .filter(|t| matches!(t.rec.root, Root::Model { .. }))
                .or_else(|| self.returned_import(func).map(Ty::many))
            else {
                continue;
            };
            let own_column = |step: &String| {
                model.fields.iter().any(|f| {
                    f.attr == *step && matches!(f.kind, super::models::FieldKind::Column { fk_target: None, .. })
                })
            };
            if t.rec.root == (Root::Model { model: model.class.clone() }) && t.rec.path.first().is_some_and(own_column)
            {
                continue;
            }
            self.bindings.push(Binding {
                scope: MEMBER_SCOPE.to_owned(),
                name: format!("{}.{}", model.class, self.src.node_text(name)),
                root: t.rec.root,
                path: t.rec.path,
            });
        }
        // What the module's own functions return, for the modules that import them.
        for func in named_children(nodes.root()).into_iter().filter_map(|n| match n.kind_name() {
            "function_definition" => Some(n),
            "decorated_definition" => n.field("definition"),
            _ => None,
        }) {
            let Some(name) = func.field("name").map(|n| self.src.node_text(n)) else { continue };
            let Some(first) = self.returned(func).filter(|t| matches!(t.rec.root, Root::Model { .. })) else {
                continue;
            };
            self.bindings.push(Binding {
                scope: RETURNS_SCOPE.to_owned(),
                name: format!("{}.{name}", self.module),
                root: first.rec.root.clone(),
                path: first.rec.path.clone(),
            });
        }
    }

    /// What `func` returns when every `return` of it gives one type, as its names are typed.
    fn returned(&self, func: Node<'_>) -> Option<Ty> {
        let env = self.envs.get(&func.id()).cloned()?;
        let mut returned = own_scope(func)
            .into_iter()
            .filter(|n| n.kind_name() == "return_statement")
            .map(|r| named_children(r).into_iter().next().and_then(|v| self.ty(v, &env)));
        let first = returned.next()??;
        returned.all(|t| t.as_ref() == Some(&first)).then_some(first)
    }

    /// What a function returns when every `return` calls one function another module defines
    /// (`return submitters_for_event(self)`), imported at the top of the file or, as models do
    /// to break an import cycle, in the function itself: that module's binding of it
    /// ([`RETURNS_SCOPE`]).
    fn returned_import(&self, func: Node<'_>) -> Option<Rec> {
        let local =
            func.field("body").map(|b| crate::scan::extract::python::from_imports(&self.src, b)).unwrap_or_default();
        let mut names = own_scope(func).into_iter().filter(|n| n.kind_name() == "return_statement").map(|r| {
            let call = named_children(r).into_iter().next().filter(|v| v.kind_name() == "call")?;
            let f = call.field("function").filter(|f| f.kind_name() == "identifier")?;
            let name = self.src.node_text(f);
            let import = local.iter().chain(&self.imports).find(|i| i.local == name && !is_class_name(&i.name))?;
            Some(format!("{}.{}", import.module.last()?, import.name))
        });
        let first = names.next()??;
        names.all(|n| n.as_ref() == Some(&first)).then(|| Rec {
            root: Root::Binding { scopes: vec![RETURNS_SCOPE.to_owned()], name: first, guess: None },
            path: Vec::new(),
        })
    }

    /// The records a call of a function another module defines returns, through the QuerySet
    /// methods chained on it (`other_speaker_profiles(speaker).exclude(…)`), as that module
    /// binds them ([`RETURNS_SCOPE`]); `None` for a function this file does not import by name.
    pub(super) fn imported_result(&self, object: Node<'_>) -> Option<Rec> {
        let mut node = object;
        while let Some(f) =
            node.field("function").filter(|f| node.kind_name() == "call" && f.kind_name() == "attribute")
        {
            let method = self.src.node_text(f.field("attribute")?);
            if !super::lookups::is_queryset_method(method) {
                return None;
            }
            node = f.field("object")?;
        }
        let f = node.field("function").filter(|f| node.kind_name() == "call" && f.kind_name() == "identifier")?;
        let local = self.src.node_text(f);
        let import = self.imports.iter().find(|i| i.local == local && !is_class_name(&i.name))?;
        let module = import.module.last()?;
        Some(Rec {
            root: Root::Binding {
                scopes: vec![RETURNS_SCOPE.to_owned()],
                name: format!("{module}.{}", import.name),
                guess: None,
            },
            path: Vec::new(),
        })
    }

    /// What a class that is no model and works on none assigns itself: the names its body
    /// declares (a dataclass's `fiber: float | None`), and the attributes its `__init__` sets on
    /// `self` (`self.num_requests, self.duration = self.parse_rate(self.rate)`): the object's own
    /// state, no column, in its methods and its subclasses' alike.
    fn owned_attributes(&self, body: Node<'_>) -> std::collections::HashSet<String> {
        let mut own: std::collections::HashSet<String> =
            assignments(body).into_iter().map(|(t, _, _)| self.src.node_text(t).to_owned()).collect();
        let init = named_children(body).into_iter().find(|n| {
            n.kind_name() == "function_definition"
                && n.field("name").is_some_and(|id| self.src.node_text(id) == "__init__")
        });
        for assign in init.map(own_scope).unwrap_or_default().into_iter().filter(|n| n.kind_name() == "assignment") {
            let Some(left) = assign.field("left") else { continue };
            let targets = if matches!(left.kind_name(), "pattern_list" | "tuple_pattern") {
                named_children(left)
            } else {
                vec![left]
            };
            for t in targets {
                if t.kind_name() == "attribute"
                    && t.field("object").is_some_and(|o| self.src.node_text(o) == "self")
                    && let Some(a) = t.field("attribute")
                {
                    own.insert(self.src.node_text(a).to_owned());
                }
            }
        }
        own
    }

    /// The bindings that say what each class of the file that is no model and works on none
    /// assigns itself ([`Ctx::owned_attributes`]), under [`OWNED_SCOPE_PREFIX`] and the class's
    /// name, and that its bases' own attributes are its own too.
    pub(super) fn owned_bindings(&mut self, classes: &[Node<'_>]) {
        let plain = Root::Binding { scopes: Vec::new(), name: String::new(), guess: None };
        let mut out = Vec::new();
        for class in classes {
            let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else {
                continue;
            };
            let name = self.src.node_text(name);
            if self.models.contains_key(name) {
                continue;
            }
            // What it declares in its body is declared by a subclass of each of its bases, and
            // what its subclasses declare too.
            let declared: Vec<String> = assignments(body)
                .into_iter()
                .map(|(t, _, _)| self.src.node_text(t).to_owned())
                .filter(|a| is_field_name(a))
                .collect();
            for base in owned_bases(&self.src, *class) {
                let scope = format!("{OWNED_SCOPE_PREFIX}{SUBCLASSES}{base}");
                for attr in &declared {
                    out.push(Binding {
                        scope: scope.clone(),
                        name: attr.clone(),
                        root: plain.clone(),
                        path: Vec::new(),
                    });
                }
                let root = Root::Binding {
                    scopes: vec![format!("{OWNED_SCOPE_PREFIX}{SUBCLASSES}{name}")],
                    name: EVERY_NAME.to_owned(),
                    guess: None,
                };
                out.push(Binding { scope, name: EVERY_NAME.to_owned(), root, path: Vec::new() });
            }
            if self.class_model(*class).is_some() {
                continue;
            }
            let scope = format!("{OWNED_SCOPE_PREFIX}django:{name}");
            let mut owned: Vec<String> = self.owned_attributes(body).into_iter().collect();
            owned.sort();
            for attr in owned.into_iter().filter(|a| is_field_name(a)) {
                out.push(Binding { scope: scope.clone(), name: attr, root: plain.clone(), path: Vec::new() });
            }
            for base in owned_bases(&self.src, *class) {
                let root = Root::Binding {
                    scopes: vec![format!("{OWNED_SCOPE_PREFIX}django:{base}")],
                    name: EVERY_NAME.to_owned(),
                    guess: None,
                };
                out.push(Binding { scope: scope.clone(), name: EVERY_NAME.to_owned(), root, path: Vec::new() });
            }
        }
        self.bindings.extend(out);
    }

    pub(super) fn function_env(&self, func: Node<'_>) -> Env {
        let mut env = Env::default();
        if let Some(class) = method_class(func) {
            let class_name = class.field("name").map(|n| self.src.node_text(n)).unwrap_or("");
            if let Some(m) = self.models.get(class_name) {
                env.set("self", Some(Ty::one(Rec::model(m.class.clone()))));
                // `cls.objects…` in a `@classmethod`: the model class itself.
                if let Some(cls) = classmethod_receiver(&self.src, func) {
                    env.set_class(cls, Some(m.class.clone()));
                }
            } else if let Some(rec) = self.queryset_records(class_name) {
                // A custom QuerySet's or Manager's own records: `queryset = self.annotate(…)`
                // then `queryset.filter(…)`.
                env.set("self", Some(Ty::many(rec)));
            } else {
                env.class_model = self.class_model(class);
                if env.class_model.is_none() {
                    env.class_rec = self.inherited_meta(class);
                }
                if env.class_model.is_none()
                    && let Some(body) = class.field("body")
                {
                    env.own = self.owned_attributes(body);
                    env.own_class = Some(class_name.to_owned());
                    env.own_bases = owned_bases(&self.src, class);
                }
            }
        }
        // A method an admin shows is called with a record of its model, whatever it names it.
        let shown = env.class_model.is_some() && self.is_display_method(func);
        let sender = self.signal_sender(func);
        if let Some(params) = func.field("parameters") {
            for (i, p) in named_children(params).into_iter().enumerate() {
                let (name, ty) = match p.kind_name() {
                    "typed_parameter" | "typed_default_parameter" => {
                        let name = p
                            .field("name")
                            .or_else(|| named_children(p).into_iter().find(|n| n.kind_name() == "identifier"));
                        (name, p.field("type").and_then(|t| self.annotation(t)))
                    }
                    "identifier" => (Some(p), None),
                    "default_parameter" => (p.field("name"), None),
                    _ => continue,
                };
                let Some(name) = name.map(|n| self.src.node_text(n)) else { continue };
                // `other: "NutritionalValues"` in a method of that plain class: no record.
                if ty.is_none()
                    && let Some(t) = p.field("type")
                    && self.is_plain_class(root_of(func), self.src.node_text(t).trim_matches(['"', '\'']))
                {
                    env.plain.insert(name.to_owned());
                    continue;
                }
                let ty = ty.or_else(|| {
                    let model = sender.as_ref().filter(|_| name == "instance")?;
                    Some(Ty::one(Rec::model(model.clone())))
                });
                let ty = ty.or_else(|| {
                    let callers = self.callers.get(&func.id())?;
                    callers.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone())
                });
                let ty = ty.or_else(|| {
                    // An admin's or serializer's hook is handed the model's records; a filter
                    // set's `method=` filter (`def search(self, queryset, name, value)`) and an
                    // admin action its queryset.
                    let rec = env.class_model.clone().map(Rec::model).or_else(|| env.class_rec.clone())?;
                    match name {
                        _ if shown && i == 1 && p.kind_name() == "identifier" => Some(Ty::one(rec)),
                        "obj" | "instance" => Some(Ty::one(rec)),
                        "queryset" => Some(Ty::many(rec)),
                        _ => None,
                    }
                });
                env.set(name, ty);
            }
        }
        let Some(body) = func.field("body") else { return env };
        env.narrowed = self.narrowed(body);
        let nodes: Vec<Node<'_>> = own_scope(body)
            .into_iter()
            .filter(|n| matches!(n.kind_name(), "assignment" | "for_statement" | "for_in_clause" | "call"))
            .collect();
        env.class_steps = self.class_steps(body, &nodes);
        (env.bound, env.loops) = self.bindings_of(body);
        // Twice: a name may be typed from one assigned further down a loop.
        for _ in 0..2 {
            for n in &nodes {
                if n.kind_name() == "call" {
                    // `trainers.append(user)`: a list built of records holds many of them.
                    // (A record's own `add`, `group.add(x)`, leaves the record as it is.)
                    if let Some((list, ty)) = self.collected(*n, &env)
                        && env.vars.get(&list).is_none_or(|t| t.as_ref().is_none_or(|t| t.many))
                    {
                        env.set(&list, Some(ty));
                    }
                    continue;
                }
                let (left, right) = (n.field("left"), n.field("right"));
                let (Some(left), Some(right)) = (left, right) else { continue };
                let ty = self.ty(right, &env);
                if n.kind_name() == "assignment" && left.kind_name() == "identifier" {
                    let class = self.model_class_of(right);
                    let name = self.src.node_text(left);
                    if class.is_some() || env.classes.contains_key(name) {
                        env.set_class(name, class);
                    }
                }
                match (n.kind_name(), left.kind_name()) {
                    ("assignment", "identifier") if ty.is_none() && self.is_plain_call(right) => {
                        env.plain.insert(self.src.node_text(left).to_owned());
                    }
                    ("assignment", "identifier") => env.set(self.src.node_text(left), ty),
                    ("assignment", "pattern_list" | "tuple_pattern") => {
                        // `obj, created = X.objects.get_or_create(…)`.
                        let first = named_children(left).into_iter().next();
                        if let (Some(first), Some(ty)) = (first, self.tuple_first(right, &env)) {
                            env.set(self.src.node_text(first), Some(ty));
                        }
                    }
                    (_, "identifier") if n.kind_name() != "assignment" => {
                        env.set(self.src.node_text(left), ty.filter(|t| t.many).map(|t| Ty { many: false, ..t }));
                    }
                    _ => {}
                }
            }
        }
        env
    }

    /// The model whose records a model signal hands `func` as `instance`: the one sender it is
    /// connected with, by `@receiver(post_save, sender=Project)` or, in the file,
    /// `post_save.connect(func, sender=Project)` ([`Ctx::connected`]).
    fn signal_sender(&self, func: Node<'_>) -> Option<String> {
        let name = self.src.node_text(func.field("name")?);
        let decorated = func.parent().filter(|p| p.kind_name() == "decorated_definition");
        let decorators = decorated.map(named_children).unwrap_or_default();
        let mut senders = decorators.into_iter().filter(|d| d.kind_name() == "decorator").filter_map(|d| {
            let call = named_children(d).into_iter().next().filter(|c| c.kind_name() == "call")?;
            (last_segment(self.src.node_text(call.field("function")?)) == "receiver").then_some(())?;
            self.model_signal_sender(call)
        });
        match senders.next() {
            Some(model) => senders.next().is_none().then_some(model),
            None if method_class(func).is_none() => self.connected.get(name).cloned(),
            None => None,
        }
    }

    /// The sender model of a call connecting a model signal (`receiver(post_save,
    /// sender=Project)`, `post_save.connect(f, sender=Project)`), whose signal (or list of
    /// signals) is its first argument or the object `connect` is called on.
    fn model_signal_sender(&self, call: Node<'_>) -> Option<String> {
        let a = args(call);
        let signal = match call.field("function")? {
            f if f.kind_name() == "attribute" && last_segment(self.src.node_text(f)) == "connect" => {
                f.field("object")?
            }
            _ => *a.positional.first()?,
        };
        let signals =
            if matches!(signal.kind_name(), "list" | "tuple") { named_children(signal) } else { vec![signal] };
        let model_signal = |s: &Node<'_>| {
            matches!(
                last_segment(self.src.node_text(*s)),
                "pre_save" | "post_save" | "pre_delete" | "post_delete" | "post_init"
            )
        };
        if signals.is_empty() || !signals.iter().all(model_signal) {
            return None;
        }
        let sender = a.keyword(&self.src, "sender")?;
        let text = self.src.node_text(sender);
        match sender.kind_name() {
            "identifier" | "attribute" if is_class_name(last_segment(text)) && self.is_known_model(text) => {
                Some(self.model_ref(text))
            }
            _ => None,
        }
    }

    /// The module functions the file connects to a model signal with one sender
    /// (`post_save.connect(func, sender=Project)`): function name → model.
    fn connected_receivers(&self, nodes: &Nodes<'_>) -> HashMap<String, String> {
        let mut out: HashMap<String, Option<String>> = HashMap::new();
        for call in nodes.of_kind("call") {
            let Some(f) = call.field("function").filter(|f| f.kind_name() == "attribute") else { continue };
            if f.field("attribute").is_none_or(|a| self.src.node_text(a) != "connect") {
                continue;
            }
            let Some(func) = args(call).positional.first().copied().filter(|p| p.kind_name() == "identifier") else {
                continue;
            };
            let model = self.model_signal_sender(call);
            let entry = out.entry(self.src.node_text(func).to_owned()).or_insert_with(|| model.clone());
            if *entry != model {
                *entry = None;
            }
        }
        out.into_iter().filter_map(|(f, m)| Some((f, m?))).collect()
    }

    /// Whether `func` is a method its admin shows, which Django calls with one of the model's
    /// records: named in the class's `list_display`, `list_display_links` or `readonly_fields`
    /// (`def visual_icon(self, record)`), or decorated with `@admin.display`.
    fn is_display_method(&self, func: Node<'_>) -> bool {
        let Some(name) = func.field("name").map(|n| self.src.node_text(n)) else { return false };
        let decorated = func.parent().filter(|p| p.kind_name() == "decorated_definition");
        if decorated.is_some_and(|d| {
            named_children(d).into_iter().filter(|n| n.kind_name() == "decorator").any(|n| {
                let text = self.src.node_text(n).trim_start_matches('@');
                let callee = text.split('(').next().unwrap_or(text).trim();
                callee == "admin.display" || callee == "display"
            })
        }) {
            return true;
        }
        let Some(body) = method_class(func).and_then(|c| c.field("body")) else { return false };
        assignments(body).into_iter().any(|(t, _, v)| {
            matches!(self.src.node_text(t), "list_display" | "list_display_links" | "readonly_fields")
                && v.is_some_and(|v| super::names::strings_of(&self.src, v, body).iter().any(|(s, _)| s == name))
        })
    }

    /// Every statement of `body` that gives a name a value (an assignment, a loop's or a
    /// comprehension's target, `+=`, `:=`, `with … as`), by name, and the function's loops.
    fn bindings_of(&self, body: Node<'_>) -> (HashMap<String, Vec<Bound>>, Vec<std::ops::Range<usize>>) {
        let mut bound: HashMap<String, Vec<Bound>> = HashMap::new();
        let mut loops = Vec::new();
        for n in own_scope(body) {
            let target = match n.kind_name() {
                "for_statement" | "while_statement" => {
                    loops.push(n.byte_range());
                    n.field("left")
                }
                "assignment" | "augmented_assignment" | "for_in_clause" => n.field("left"),
                "named_expression" => n.field("name"),
                "as_pattern" => n.field("alias"),
                _ => None,
            };
            let Some(target) = target else { continue };
            let plain = (n.kind_name() == "assignment" && target.kind_name() == "identifier")
                .then(|| {
                    let block = n.parent()?.parent()?;
                    Some((block.byte_range(), n.field("right")?.byte_range()))
                })
                .flatten();
            // An assignment gives the value once its right side is read (a use there reads the
            // value before); a loop's target, each time round.
            let at = if matches!(n.kind_name(), "assignment" | "augmented_assignment") {
                n.byte_range()
            } else {
                target.byte_range()
            };
            for id in descendants(target).into_iter().filter(|d| d.kind_name() == "identifier") {
                bound
                    .entry(self.src.node_text(id).to_owned())
                    .or_default()
                    .push(Bound { at: at.clone(), plain: plain.clone() });
            }
        }
        (bound, loops)
    }

    /// What a name the function gives values of several types holds at `node`: the value of the
    /// last plain assignment before it in a block that holds it (`users = ProjectMember.objects…`
    /// then `users = users.values(…)` in one branch, `users = WorkspaceMember.objects…` in
    /// another), when no other statement gives the name a value between the two and no loop
    /// around `node` but not the assignment gives it one.
    fn reaching(&self, node: Node<'_>, env: &Env, depth: u32) -> Option<Ty> {
        let list = env.bound.get(self.src.node_text(node))?;
        let at = node.start_byte();
        let (chosen, (_, value)) = list
            .iter()
            .filter_map(|b| b.plain.as_ref().map(|p| (b, p)))
            .filter(|(b, (block, _))| b.at.end <= at && block.contains(&at))
            .max_by_key(|(b, _)| b.at.start)?;
        let other = |b: &&Bound| b.at.start != chosen.at.start;
        if list.iter().filter(other).any(|b| chosen.at.end <= b.at.start && b.at.start < at && !b.at.contains(&at)) {
            return None;
        }
        let repeats = env.loops.iter().any(|l| {
            l.contains(&at)
                && !l.contains(&chosen.at.start)
                && list.iter().filter(other).any(|b| l.contains(&b.at.start))
        });
        if repeats {
            return None;
        }
        let value = root_of(node).named_descendant_for_byte_range(value.start, value.end)?;
        self.ty_at(value, env, depth + 1)
    }

    /// The names `if isinstance(x, C):` (or `elif`, or `isinstance(…) and …`) narrows to a
    /// class that is no record of the app — a builtin, a class the standard library or Django
    /// itself (not a `models` module of it) defines —, each with the block where it does.
    fn narrowed(&self, body: Node<'_>) -> Vec<(String, std::ops::Range<usize>)> {
        let mut out = Vec::new();
        for n in own_scope(body).into_iter().filter(|n| matches!(n.kind_name(), "if_statement" | "elif_clause")) {
            let (Some(mut cond), Some(block)) = (n.field("condition"), n.field("consequence")) else {
                continue;
            };
            while cond.kind_name() == "boolean_operator"
                && cond.field("operator").is_some_and(|o| self.src.node_text(o) == "and")
                && let Some(left) = cond.field("left")
            {
                cond = left;
            }
            if cond.kind_name() != "call"
                || cond.field("function").is_none_or(|f| self.src.node_text(f) != "isinstance")
            {
                continue;
            }
            let a = args(cond);
            let [name, class] = a.positional.as_slice() else { continue };
            let classes = if class.kind_name() == "tuple" { named_children(*class) } else { vec![*class] };
            if name.kind_name() == "identifier"
                && !classes.is_empty()
                && classes.iter().all(|c| self.is_foreign_class(*c))
            {
                out.push((self.src.node_text(*name).to_owned(), block.byte_range()));
            }
        }
        out
    }

    /// Whether a class named in `isinstance` is a builtin type or one the standard library or
    /// Django itself defines (imported from it, a `models` module aside): never a model's.
    fn is_foreign_class(&self, class: Node<'_>) -> bool {
        let text = self.src.node_text(class);
        if class.kind_name() == "identifier"
            && matches!(text, "str" | "int" | "float" | "bool" | "bytes" | "dict" | "list" | "tuple" | "set")
        {
            return true;
        }
        let first = text.split('.').next().unwrap_or(text);
        let Some(import) = self.imports.iter().find(|i| i.local == first && i.level == 0) else { return false };
        let root = import.module.first().map(String::as_str).unwrap_or("");
        let from_django = root == "django" && !import.module.iter().any(|m| m == "models");
        from_django || STDLIB.contains(&root)
    }

    /// The names [`Env::class_steps`] follows: those given a model class at least once, every
    /// assignment of them a statement of the function's own `body`.
    fn class_steps(&self, body: Node<'_>, nodes: &[Node<'_>]) -> HashMap<String, Vec<(usize, Option<String>)>> {
        let mut steps: HashMap<String, Vec<(usize, Option<String>)>> = HashMap::new();
        let mut nested: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for n in nodes {
            let Some(left) = n.field("left") else { continue };
            if n.kind_name() != "assignment" || left.kind_name() != "identifier" {
                // A loop variable, a tuple target: reassigned where the order is not the text's.
                for id in descendants(left).into_iter().filter(|i| i.kind_name() == "identifier") {
                    nested.insert(self.src.node_text(id));
                }
                continue;
            }
            let name = self.src.node_text(left);
            let top =
                n.parent().filter(|p| p.kind_name() == "expression_statement").and_then(|p| p.parent()) == Some(body);
            if !top {
                nested.insert(name);
                continue;
            }
            let class = n.field("right").and_then(|r| self.model_class_of(r));
            steps.entry(name.to_owned()).or_default().push((n.start_byte(), class));
        }
        steps.retain(|name, list| !nested.contains(name.as_str()) && list.iter().any(|(_, c)| c.is_some()));
        steps
    }

    /// The model class an assigned value is: a model named (`Unit`), or the one Django's app
    /// registry is asked for by name (`apps.get_model("timeline", "Timeline")`,
    /// `get_model("timeline.Timeline")`), as code does to avoid a circular import.
    fn model_class_of(&self, right: Node<'_>) -> Option<String> {
        match right.kind_name() {
            "identifier" => Some(self.src.node_text(right))
                .filter(|c| is_class_name(c) && self.is_known_model(c))
                .map(|c| self.model_ref(c)),
            "call" => {
                let f = self.src.node_text(right.field("function")?);
                if last_segment(f) != "get_model" {
                    return None;
                }
                let names: Vec<String> = args(right)
                    .positional
                    .iter()
                    .map(|p| string_value(&self.src, *p).map(|(s, _)| s))
                    .collect::<Option<_>>()?;
                let class = match names.as_slice() {
                    [label, model] => format!("{label}.{model}"),
                    [dotted] => dotted.clone(),
                    _ => return None,
                };
                let (label, model) = class.split_once('.')?;
                (is_field_name(label) && is_class_name(model) && !model.contains('.')).then_some(class)
            }
            _ => None,
        }
    }

    /// `xs.append(record)` / `xs.add(record)` on a plain name (`xs.extend(records)`): the name
    /// and the records it collects, as many.
    fn collected(&self, call: Node<'_>, env: &Env) -> Option<(String, Ty)> {
        let f = call.field("function").filter(|f| f.kind_name() == "attribute")?;
        let list = f.field("object").filter(|o| o.kind_name() == "identifier")?;
        let method = self.src.node_text(f.field("attribute")?);
        let a = args(call);
        let [value] = a.positional.as_slice() else { return None };
        if !a.keywords.is_empty() {
            return None;
        }
        let ty = self.ty(*value, env)?;
        let one = match method {
            "append" | "add" => !ty.many,
            "extend" => ty.many,
            _ => return None,
        };
        one.then(|| (self.src.node_text(list).to_owned(), Ty { many: true, ..ty }))
    }

    /// Whether `name` is a class this file declares that is no model (abstract or not) and
    /// names none it works on: a dataclass, a value object.
    fn is_plain_class(&self, root: Node<'_>, name: &str) -> bool {
        if !is_class_name(name) || self.models.contains_key(name) {
            return false;
        }
        super::extract::all_classes(root).into_iter().any(|(c, _)| {
            c.field("name").is_some_and(|n| self.src.node_text(n) == name) && self.class_model(c).is_none()
        })
    }

    /// Whether `node` calls a builtin that makes a plain value or a function of the standard
    /// library (`urlsplit(…)` imported from `urllib.parse`, `json.loads(…)`): its result is no
    /// record of the app.
    fn is_plain_call(&self, node: Node<'_>) -> bool {
        let Some(f) = node.field("function").filter(|_| node.kind_name() == "call") else { return false };
        // `self.rpc.getbug(…)`, `self._client.get(…)`, `client.get_repos(…)`: what a client of
        // another system answers is that system's object (a bug tracker's bug, a JSON answer).
        if let Some(holder) = f.field("object").filter(|_| f.kind_name() == "attribute") {
            let holder = self.src.node_text(holder);
            let holder = holder.strip_prefix("self.").unwrap_or(holder).trim_start_matches('_');
            if CLIENTS.contains(&holder) {
                return true;
            }
        }
        let mut base = f;
        while base.kind_name() == "attribute" {
            let Some(o) = base.field("object") else { return false };
            base = o;
        }
        if base.kind_name() != "identifier" {
            return false;
        }
        let name = self.src.node_text(base);
        if base == f && PLAIN_BUILTINS.contains(&name) {
            return true;
        }
        let module = match self.imports.iter().find(|i| i.local == name) {
            Some(i) if i.level == 0 => i.module.first().cloned(),
            Some(_) => None,
            // `import json`, `import urllib.parse`.
            None => self.imported_modules.iter().find(|m| *m == name).cloned(),
        };
        module.is_some_and(|m| STDLIB.contains(&m.as_str()))
    }

    /// A model named by a parameter's annotation: `Check`, `"Check"`, `Optional[Check]`, `Check
    /// | None`; `list[Check]` and `QuerySet[Check]` hold many.
    pub(super) fn annotation(&self, t: Node<'_>) -> Option<Ty> {
        let text = self.src.node_text(t).trim_matches(['"', '\'']);
        let (many, union, inner) = match text.split_once('[') {
            Some((outer, rest)) => {
                let many = matches!(
                    last_segment(outer),
                    "list" | "List" | "QuerySet" | "Sequence" | "Iterable" | "Iterator" | "set" | "Set"
                );
                (many, last_segment(outer) == "Union", rest.strip_suffix(']').unwrap_or(rest))
            }
            None => (false, false, text),
        };
        // `Check | None`; a union of several models (`Notification | Flip`) types nothing.
        let mut depth = 0;
        let alternatives = inner.split(|c: char| {
            match c {
                '[' => depth += 1,
                ']' => depth -= 1,
                _ => {}
            }
            depth == 0 && (c == '|' || (union && c == ','))
        });
        let mut models: Vec<&str> = alternatives
            .map(|a| last_segment(a.trim().trim_matches(['"', '\''])))
            .filter(|n| is_class_name(n) && self.is_known_model(n))
            .collect();
        models.dedup();
        match models.as_slice() {
            [name] => Some(Ty { rec: Rec::model(self.model_ref(name)), many, rows: Rows::Records }),
            _ => None,
        }
    }

    /// The first element of what `get_or_create`/`update_or_create` return.
    fn tuple_first(&self, right: Node<'_>, env: &Env) -> Option<Ty> {
        let right = if right.kind_name() == "await" { named_children(right).into_iter().next()? } else { right };
        let f = right.field("function").filter(|f| f.kind_name() == "attribute")?;
        let m = self.src.node_text(f.field("attribute")?);
        if !matches!(m, "get_or_create" | "update_or_create" | "aget_or_create" | "aupdate_or_create") {
            return None;
        }
        self.ty(f.field("object")?, env).map(|t| Ty::one(t.rec))
    }

    /// The type of an expression in a function whose names are `env`.
    pub(super) fn ty(&self, node: Node<'_>, env: &Env) -> Option<Ty> {
        self.ty_at(node, env, 0)
    }

    fn ty_at(&self, node: Node<'_>, env: &Env, depth: u32) -> Option<Ty> {
        if depth > 32 {
            return None;
        }
        let text = |n: Node<'_>| self.src.node_text(n);
        match node.kind_name() {
            "identifier" => match env.vars.get(text(node)) {
                Some(Some(t)) => Some(t.clone()),
                Some(None) => self.reaching(node, env, depth),
                None => None,
            },
            "attribute" => {
                let object = node.field("object")?;
                let attr = text(node.field("attribute")?);
                // `Check.objects`, `models.Check.objects`.
                if matches!(object.kind_name(), "identifier" | "attribute") && is_class_name(last_segment(text(object)))
                {
                    return is_manager_name(attr).then(|| Ty::many(Rec::model(self.model_ref(text(object)))));
                }
                // `model_type.objects` with `model_type = Unit`.
                if object.kind_name() == "identifier"
                    && let Some(model) = env.class_at(text(object), object.start_byte())
                {
                    return is_manager_name(attr).then(|| Ty::many(Rec::model(model)));
                }
                // `apps.get_model("likes", "Like").objects`.
                if object.kind_name() == "call"
                    && let Some(model) = self.model_class_of(object)
                {
                    return is_manager_name(attr).then(|| Ty::many(Rec::model(model)));
                }
                if matches!(text(object), "request" | "self.request" | "info.context") {
                    return request_attribute(attr).map(|root| Ty::one(Rec { root, path: Vec::new() }));
                }
                // `self.model.objects` in an admin (the registered model) or a view (`model =`).
                if text(object) == "self.model"
                    && let Some(m) = &env.class_model
                {
                    return is_manager_name(attr).then(|| Ty::many(Rec::model(m.clone())));
                }
                if text(object) == "self"
                    && let Some(m) = &env.class_model
                {
                    return match attr {
                        "object" | "instance" => Some(Ty::one(Rec::model(m.clone()))),
                        "queryset" | "object_list" => Some(Ty::many(Rec::model(m.clone()))),
                        _ => None,
                    };
                }
                let t = self.ty_at(object, env, depth + 1)?;
                if !t.is_record() || attr.starts_with('_') {
                    return None;
                }
                Some(Ty { rec: t.rec.then(attr), many: attr.ends_with("_set"), rows: Rows::Records })
            }
            "call" => {
                let f = node.field("function")?;
                let a = args(node);
                match f.kind_name() {
                    "identifier" => {
                        let name = text(f);
                        // `get_object_or_404(Job, …)`, `get_object_or_404(models.Job, …)`.
                        let first_model = || {
                            a.positional
                                .first()
                                .filter(|n| match n.kind_name() {
                                    "identifier" => is_class_name(text(**n)),
                                    "attribute" => {
                                        is_class_name(last_segment(text(**n))) && self.is_known_model(text(**n))
                                    }
                                    _ => false,
                                })
                                .map(|n| Rec::model(self.model_ref(text(*n))))
                        };
                        // The shortcuts take a model, a manager or a queryset
                        // (`get_object_or_404(self.queryset, pk=pk)`).
                        let first_rec = || {
                            first_model().or_else(|| {
                                let t = self.ty_at(*a.positional.first()?, env, depth + 1)?;
                                t.many.then_some(t.rec)
                            })
                        };
                        match name {
                            "get_object_or_404" | "aget_object_or_404" => first_rec().map(Ty::one),
                            "get_list_or_404" | "aget_list_or_404" => first_rec().map(Ty::many),
                            // `Paginator(qs, 25)`: its pages hold the queryset's records.
                            "list" | "sorted" | "reversed" | "Paginator" => {
                                a.positional.first().and_then(|p| self.ty_at(*p, env, depth + 1)).filter(|t| t.many)
                            }
                            _ if is_class_name(name) && self.is_known_model(name) => {
                                Some(Ty::one(Rec::model(self.model_ref(name))))
                            }
                            _ if env.class_at(name, f.start_byte()).is_some() => {
                                env.class_at(name, f.start_byte()).map(|m| Ty::one(Rec::model(m)))
                            }
                            _ => self.returns.get(name).cloned(),
                        }
                    }
                    "attribute" => {
                        let object = f.field("object")?;
                        let m = text(f.field("attribute")?);
                        // The generic view's own queryset, through `super()` too when a
                        // subclass narrows it (`super().get_queryset().filter(…)`).
                        let this = text(object) == "self"
                            || object.kind_name() == "call"
                                && object.field("function").is_some_and(|s| text(s) == "super");
                        if this && let Some(model) = &env.class_model {
                            match m {
                                "get_object" => return Some(Ty::one(Rec::model(model.clone()))),
                                "get_queryset" => return Some(Ty::many(Rec::model(model.clone()))),
                                _ => {}
                            }
                        }
                        // `item = form.save(commit=False)` with `form = ListItemForm(…)`: a model
                        // form's instance, of the model its `Meta` names ([`META_SCOPE`]).
                        if m == "save"
                            && object.kind_name() == "identifier"
                            && let Some(class) = self.constructed_class(object)
                        {
                            // A form no scanned file binds is the model it is named after
                            // (`CaseForm` → `Case`), as Django's convention names it.
                            let guess = class.strip_suffix("Form").filter(|g| !g.is_empty()).map(str::to_owned);
                            return Some(Ty::one(Rec {
                                root: Root::Binding { scopes: vec![META_SCOPE.to_owned()], name: class, guess },
                                path: Vec::new(),
                            }));
                        }
                        // `super().privacy_filter(viewer)` in a model's classmethod: the parent's
                        // classmethod run on the same class, a queryset of it.
                        if object.kind_name() == "call"
                            && object.field("function").is_some_and(|s| text(s) == "super")
                            && let Some(model) = env.class_of("cls")
                            && !m.starts_with('_')
                        {
                            return Some(Ty::many(Rec::model(model)));
                        }
                        // `Status.privacy_filter(viewer)`: a classmethod of the model, what the
                        // model's file binds it to return (a queryset of the class), else nothing.
                        if matches!(object.kind_name(), "identifier" | "attribute")
                            && is_class_name(last_segment(text(object)))
                            && self.is_known_model(text(object))
                            && !MANY_METHODS.contains(&m)
                            && !ONE_METHODS.contains(&m)
                            && !m.starts_with('_')
                        {
                            let model = self.model_ref(text(object));
                            return Some(Ty::many(Rec {
                                root: Root::Binding {
                                    scopes: vec![CLASSMETHODS_SCOPE.to_owned()],
                                    name: format!("{}.{m}", last_segment(&model)),
                                    guess: None,
                                },
                                path: Vec::new(),
                            }));
                        }
                        // `self.get_roles()`: what that method of the class returns.
                        if text(object) == "self"
                            && let Some(class) = self.scopes.get(&node.id()).and_then(|f| self.method_classes.get(f))
                            && let Some(t) = self.method_returns.get(&(*class, m.to_owned()))
                        {
                            return Some(t.clone());
                        }
                        let t = self.ty_at(object, env, depth + 1)?;
                        // A `values()` / `values_list()` queryset stays the model's queryset;
                        // what it yields are rows of the columns.
                        let rows = match m {
                            "values" => Rows::Dicts,
                            "values_list" => Rows::Tuples,
                            _ => t.rows,
                        };
                        if !t.many && !t.is_record() {
                            None
                        } else if MANY_METHODS.contains(&m)
                            || matches!(m, "values" | "values_list")
                            || t.many && matches!(m, "get_page" | "page")
                        {
                            Some(Ty { rec: t.rec, many: true, rows })
                        } else if ONE_METHODS.contains(&m) {
                            Some(Ty { rec: t.rec, many: false, rows })
                        } else {
                            None
                        }
                    }
                    _ => None,
                }
            }
            "subscript" => {
                let value = node.field("value")?;
                let t = self.ty_at(value, env, depth + 1).filter(|t| t.many)?;
                // `qs[0]` is a record, `qs[:10]` still a queryset.
                let slice = node.field("subscript").is_some_and(|s| s.kind_name() == "slice");
                Some(Ty { many: slice, ..t })
            }
            "await" | "parenthesized_expression" => {
                self.ty_at(named_children(node).into_iter().next()?, env, depth + 1)
            }
            // `books = books or Edition.objects`: the side that is known.
            "boolean_operator" if node.field("operator").is_some_and(|o| text(o) == "or") => {
                [node.field("left"), node.field("right")]
                    .into_iter()
                    .flatten()
                    .find_map(|n| self.ty_at(n, env, depth + 1))
            }
            // `Tag.objects.all() if everyone else get_objects_for_user(…)`: the branch that is known.
            "conditional_expression" => {
                let parts = named_children(node);
                [parts.first(), parts.get(2)].into_iter().flatten().find_map(|n| self.ty_at(*n, env, depth + 1))
            }
            _ => None,
        }
    }

    /// The class (its own name) a function assigns the name `name` an instance of, when every
    /// assignment of it calls one class that is no model: `form = forms.ListItemForm(request.POST)`.
    fn constructed_class(&self, name: Node<'_>) -> Option<String> {
        let func = enclosing_function(name)?;
        let var = self.src.node_text(name);
        let mut classes = descendants(func).into_iter().filter(|n| n.kind_name() == "assignment").filter_map(|a| {
            a.field("left").filter(|l| self.src.node_text(*l) == var)?;
            let right = a.field("right")?;
            let f = right.field("function").filter(|_| right.kind_name() == "call")?;
            let class = self.src.node_text(f);
            (matches!(f.kind_name(), "identifier" | "attribute")
                && is_class_name(last_segment(class))
                && !self.is_known_model(class))
            .then(|| last_segment(class).to_owned())
        });
        let first = classes.next()?;
        classes.all(|c| c == first).then_some(first)
    }

    /// The names in scope where `node` is.
    pub(super) fn env_at(&self, node: Node<'_>) -> Rc<Env> {
        self.scopes.get(&node.id()).and_then(|f| self.envs.get(f)).cloned().unwrap_or_default()
    }

    /// The record an untyped plain local or parameter is named after (`submission` →
    /// `Submission`), as [`Ctx::guessed_relation`] reads the start of a relation: resolution
    /// takes the guess when a model has that name, else the attribute on an unknown receiver.
    pub(super) fn guessed_record(&self, object: Node<'_>, env: &Env) -> Option<Rec> {
        let root = self.guessed_root(object, env)?;
        Some(Rec { root, path: Vec::new() })
    }

    /// What a plain local or parameter nothing types stands for: the model it is named after,
    /// if any. `None` for `self`, a module, a class, a short or mixed-case name, or a name the
    /// function gives a plain value.
    pub(super) fn guessed_root(&self, node: Node<'_>, env: &Env) -> Option<Root> {
        let base = self.src.node_text(node);
        if node.kind_name() != "identifier"
            || base.len() < 3
            || !base.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            || matches!(base, "self" | "cls" | "settings" | "models")
            || env.plain.contains(base)
            || self.imports.iter().any(|i| i.local == base)
            || self.imported_modules.iter().any(|m| m == base)
        {
            return None;
        }
        Some(Root::Binding {
            scopes: Vec::new(),
            name: base.to_owned(),
            guess: Some(crate::scan::inflect::camelize(base)),
        })
    }

    /// The records a QuerySet call on an untyped relation works on, as a person reads it: the
    /// record a plain local or parameter is named after, then its associations
    /// (`event.submissions.filter(…)` with `event` untyped: `Event`'s `submissions`), through
    /// the QuerySet methods chained below the call (`event.schedules.filter(…).order_by(…)`).
    /// `None` for a bare name (`qs.filter(…)`), `self`, a module or class, or a name the
    /// function gives a plain value.
    pub(super) fn guessed_relation(&self, object: Node<'_>, env: &Env) -> Option<Rec> {
        let mut node = object;
        while node.kind_name() == "call" {
            let f = node.field("function").filter(|f| f.kind_name() == "attribute")?;
            let method = self.src.node_text(f.field("attribute")?);
            if !super::lookups::is_queryset_method(method) {
                return None;
            }
            node = f.field("object")?;
        }
        let mut path = Vec::new();
        while node.kind_name() == "attribute" {
            let step = self.src.node_text(node.field("attribute")?);
            if step.starts_with('_') || !step.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return None;
            }
            path.push(step.to_owned());
            node = node.field("object")?;
        }
        if path.is_empty() || path.iter().any(|p| is_manager_name(p)) {
            return None;
        }
        // `self.tournament.round_set.filter(…)` in a class whose `tournament` nothing types (a
        // view mixin's property, a form's `__init__` argument): the record the attribute is
        // named after, then its relation — never `self.queryset.filter(…)` alone.
        if node.kind_name() == "identifier" && self.src.node_text(node) == "self" && path.len() >= 2 {
            let first = path.pop()?;
            if first.len() < 3 || !first.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                return None;
            }
            path.reverse();
            let guess = Some(crate::scan::inflect::camelize(&first));
            return Some(Rec { root: Root::Binding { scopes: Vec::new(), name: first, guess }, path });
        }
        let root = self.guessed_root(node, env)?;
        path.reverse();
        Some(Rec { root, path })
    }

    /// Attribute reads and writes on typed receivers, and — at the confidence resolution gives
    /// a name no receiver types — on others.
    pub(super) fn attribute_uses(&mut self, nodes: &Nodes<'_>) {
        let modules: Vec<String> = self.module_names(nodes);
        let empty = Env::default();
        let mut found: Vec<(usize, Target)> = Vec::new();
        let attributes: Vec<Node<'_>> = nodes.of_kind("attribute").collect();
        // Computed once per file, not per node: `Node::parent` searches down from the root and a
        // chain's base is as far down as the chain is long (both quadratic on a long chain).
        let called: std::collections::HashSet<usize> =
            nodes.of_kind("call").filter_map(|c| c.field("function")).map(|f| f.id()).collect();
        // A chain's base object: an inner `attribute` comes after its outer one in `nodes`.
        let mut bases: HashMap<usize, Node<'_>> = HashMap::new();
        for node in attributes.iter().rev() {
            if let Some(object) = node.field("object") {
                let base = if object.kind_name() == "attribute" { bases.get(&object.id()).copied() } else { None };
                bases.insert(node.id(), base.unwrap_or(object));
            }
        }
        for node in attributes {
            let (Some(object), Some(attr)) = (node.field("object"), node.field("attribute")) else {
                continue;
            };
            let name = self.src.node_text(attr);
            if name.starts_with('_') || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                continue;
            }
            // A method call: no column.
            if called.contains(&node.id()) {
                continue;
            }
            let env = self.scopes.get(&node.id()).and_then(|f| self.envs.get(f)).map_or(&empty, |e| &**e);
            match self.ty(object, env) {
                Some(t) if t.is_record() => found.push((attr.start_byte(), t.rec.attribute(name))),
                Some(_) => {}
                None => {
                    let base = bases.get(&node.id()).copied().unwrap_or(object);
                    let base_text = self.src.node_text(base);
                    if !matches!(base.kind_name(), "identifier" | "subscript")
                        || env.plain.contains(base_text)
                        || env.narrowed.iter().any(|(n, r)| n == base_text && r.contains(&node.start_byte()))
                        || (object.kind_name() == "identifier" && base_text == "self" && env.own.contains(name))
                        || is_class_name(base_text)
                        || modules.iter().any(|m| m == base_text)
                        || matches!(base_text, "cls" | "settings" | "models" | "forms" | "serializers")
                        || is_manager_name(name)
                    {
                        continue;
                    }
                    if object.kind_name() == "identifier"
                        && base_text == "self"
                        && (!env.own_bases.is_empty() || env.own_class.is_some())
                    {
                        // Unless a base of the class (another file's) assigns it itself, or a
                        // subclass declares it.
                        let scopes = env
                            .own_bases
                            .iter()
                            .map(|b| format!("{OWNED_SCOPE_PREFIX}django:{b}"))
                            .chain(env.own_class.iter().map(|c| format!("{OWNED_SCOPE_PREFIX}{SUBCLASSES}{c}")))
                            .collect();
                        let root = Root::Binding { scopes, name: name.to_owned(), guess: None };
                        found.push((
                            attr.start_byte(),
                            Target::Chain { root, path: Vec::new(), attribute: Some(name.to_owned()) },
                        ));
                        continue;
                    }
                    found.push((attr.start_byte(), Target::Attribute { name: name.to_owned() }));
                    // Through an association from a name nothing types (`user.userprofile
                    // .notification_language.short_name` on an untyped parameter): the record the
                    // name suggests, when it has those associations (the inverse accessors of a
                    // model the app relates to without declaring it included). One step
                    // (`recipe.file_uid` on an untyped `recipe`) is the column of the model the
                    // name is called after when it has one; on no such model the untyped
                    // attribute above stands alone.
                    if base.kind_name() == "identifier"
                        && base_text != "self"
                        && (object.kind_name() == "attribute" || !FRAMEWORK_OBJECTS.contains(&base_text))
                        && base_text.len() >= 3
                        && base_text.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    {
                        let mut path = Vec::new();
                        let mut step = object;
                        while step.kind_name() == "attribute" {
                            path.push(step.field("attribute").map(|a| self.src.node_text(a)));
                            let Some(o) = step.field("object") else { break };
                            step = o;
                        }
                        if path.iter().all(Option::is_some) {
                            let path: Vec<String> = path.into_iter().rev().flatten().map(str::to_owned).collect();
                            let root = Root::Binding {
                                scopes: Vec::new(),
                                name: base_text.to_owned(),
                                guess: Some(crate::scan::inflect::camelize(base_text)),
                            };
                            found.push((
                                attr.start_byte(),
                                Target::Chain { root, path, attribute: Some(name.to_owned()) },
                            ));
                        }
                    }
                }
            }
        }
        for (offset, target) in found {
            self.hit(offset, target, RefKind::Query, Confidence::Medium);
        }
    }

    /// The top-level modules of the file's `import x.y` statements.
    pub(super) fn modules_of_imports(&self, root: Node<'_>) -> Vec<String> {
        named_children(root)
            .into_iter()
            .filter(|n| n.kind_name() == "import_statement")
            .flat_map(named_children)
            .filter(|n| n.kind_name() == "dotted_name")
            .map(|n| self.src.node_text(n).split('.').next().unwrap_or("").to_owned())
            .collect()
    }

    /// Names the file imports (modules and what it takes from them): `x.y` on one of them is no
    /// record's attribute.
    fn module_names(&self, nodes: &Nodes<'_>) -> Vec<String> {
        let mut out: Vec<String> = self.imports.iter().map(|i| i.local.clone()).collect();
        for n in nodes.of_kind("import_statement") {
            for name in named_children(n) {
                let text = match name.kind_name() {
                    "aliased_import" => name.field("alias").map(|a| self.src.node_text(a)),
                    _ => Some(self.src.node_text(name)),
                };
                if let Some(t) = text {
                    out.push(t.split('.').next().unwrap_or(t).to_owned());
                }
            }
        }
        out
    }

    /// The names a view hands a template: `render(request, "t.html", {"checks": qs})` (or a
    /// context dict built in the function), `TemplateResponse`, `render_to_string`; a
    /// class-based view's `model` under `template_name` or Django's default template names, and
    /// what its `get_context_data` adds.
    pub(super) fn template_bindings(&mut self, nodes: &Nodes<'_>) {
        for call in nodes.of_kind("call") {
            let Some(f) = call.field("function") else { continue };
            let name = last_segment(self.src.node_text(f));
            let skip = match name {
                "render" | "TemplateResponse" | "render_to_response" => 1,
                "render_to_string" => 0,
                _ => continue,
            };
            let a = args(call);
            let template = a.keyword(&self.src, "template_name").or_else(|| a.positional.get(skip).copied());
            let context = a.keyword(&self.src, "context").or_else(|| a.positional.get(skip + 1).copied());
            let (Some(template), Some(context)) = (template, context) else { continue };
            let templates: Vec<String> = self.template_names(template);
            if templates.is_empty() {
                continue;
            }
            let env = self.env_at(call);
            let pairs = self.context_pairs(context, call);
            for (key, value) in pairs {
                if let Some(t) = self.ty(value, &env) {
                    for tpl in &templates {
                        self.bindings.push(binding(tpl, &key, &t.rec));
                    }
                }
            }
        }
        for class in nodes.of_kind("class_definition") {
            let Some(body) = class.field("body") else { continue };
            let assigns = assignments(body);
            let template = assigns
                .iter()
                .find(|(t, _, _)| self.src.node_text(*t) == "template_name")
                .and_then(|(_, _, v)| *v)
                .and_then(|v| string_value(&self.src, v))
                .map(|(s, _)| s);
            let has_model = assigns.iter().any(|(t, _, _)| self.src.node_text(*t) == "model");
            let model = if has_model { self.class_model(class) } else { None };
            let mut templates: Vec<String> = template.into_iter().collect();
            if templates.is_empty()
                && let Some(m) = &model
                && let Some((label, class)) = m.split_once('.')
            {
                let lower = class.to_lowercase();
                templates = ["detail", "list", "form", "confirm_delete"]
                    .iter()
                    .map(|s| format!("{label}/{lower}_{s}.html"))
                    .collect();
            }
            if templates.is_empty() {
                continue;
            }
            // `context_object_name = "view_language"`: the name the view gives its record(s).
            let own_name = assigns
                .iter()
                .find(|(t, _, _)| self.src.node_text(*t) == "context_object_name")
                .and_then(|(_, _, v)| *v)
                .and_then(|v| string_value(&self.src, v))
                .map(|(s, _)| s);
            if let Some(m) = &model {
                let lower = last_segment(m).to_lowercase();
                let one = Rec::model(m.clone());
                for tpl in &templates {
                    for name in ["object", lower.as_str()].into_iter().chain(own_name.as_deref()) {
                        self.bindings.push(binding(tpl, name, &one));
                    }
                    for name in ["object_list".to_owned(), format!("{lower}_list")] {
                        self.bindings.push(binding(tpl, &name, &one));
                    }
                }
            }
            // `context["k"] = v` in the view's `get_context_data`.
            for func in named_children(body)
                .into_iter()
                .flat_map(|n| if n.kind_name() == "decorated_definition" { n.field("definition") } else { Some(n) })
            {
                if func.kind_name() != "function_definition"
                    || func.field("name").is_none_or(|n| self.src.node_text(n) != "get_context_data")
                {
                    continue;
                }
                let env = self.envs.get(&func.id()).cloned().unwrap_or_default();
                for (key, value) in self.subscript_assignments(func, None) {
                    if let Some(t) = self.ty(value, &env) {
                        for tpl in &templates {
                            self.bindings.push(binding(tpl, &key, &t.rec));
                        }
                    }
                }
            }
        }
        // `AUTH_USER_MODEL = "accounts.User"` in the settings.
        let settings = assignments(nodes.root());
        for (t, _, v) in &settings {
            let (t, v) = (*t, *v);
            if self.src.node_text(t) == "AUTH_USER_MODEL"
                && let Some((model, _)) = v.and_then(|v| string_value(&self.src, v))
            {
                self.bindings.push(Binding {
                    scope: AUTH_SCOPE.to_owned(),
                    name: "user".into(),
                    root: Root::Model { model },
                    path: Vec::new(),
                });
            }
        }
    }

    /// Template names a `render` argument names: a string, or either of a conditional's.
    fn template_names(&self, node: Node<'_>) -> Vec<String> {
        match node.kind_name() {
            "conditional_expression" => named_children(node).into_iter().flat_map(|n| self.template_names(n)).collect(),
            "list" | "tuple" => named_children(node).into_iter().flat_map(|n| self.template_names(n)).collect(),
            _ => string_value(&self.src, node).map(|(s, _)| s).into_iter().collect(),
        }
    }

    /// The (key, value) pairs of a context: a dict literal, `dict(k=v)`, or a name the function
    /// assigns such a dict to and fills with `ctx["k"] = v`.
    fn context_pairs<'t>(&self, node: Node<'t>, at: Node<'t>) -> Vec<(String, Node<'t>)> {
        match node.kind_name() {
            "dictionary" => named_children(node)
                .into_iter()
                .filter(|p| p.kind_name() == "pair")
                .filter_map(|p| {
                    let k = string_value(&self.src, p.field("key")?)?.0;
                    Some((k, p.field("value")?))
                })
                .collect(),
            "call" if node.field("function").is_some_and(|f| self.src.node_text(f) == "dict") => {
                args(node).keywords.iter().map(|(k, v)| (self.src.node_text(*k).to_owned(), *v)).collect()
            }
            "identifier" => {
                let Some(func) = enclosing_function(at) else { return Vec::new() };
                let name = self.src.node_text(node);
                let mut out = Vec::new();
                for a in descendants(func).into_iter().filter(|n| n.kind_name() == "assignment") {
                    if a.field("left").is_some_and(|l| self.src.node_text(l) == name)
                        && let Some(right) = a.field("right")
                        && right.kind_name() != "identifier"
                    {
                        out.extend(self.context_pairs(right, at));
                    }
                }
                out.extend(self.subscript_assignments(func, Some(name)));
                out
            }
            _ => Vec::new(),
        }
    }

    /// `x["k"] = v` in a function (for the dict `name` only, when given).
    fn subscript_assignments<'t>(&self, func: Node<'t>, name: Option<&str>) -> Vec<(String, Node<'t>)> {
        let mut out = Vec::new();
        for a in descendants(func).into_iter().filter(|n| n.kind_name() == "assignment") {
            let (Some(left), Some(right)) = (a.field("left"), a.field("right")) else {
                continue;
            };
            if left.kind_name() != "subscript" {
                continue;
            }
            let (Some(value), Some(key)) = (left.field("value"), left.field("subscript")) else {
                continue;
            };
            if name.is_some_and(|n| self.src.node_text(value) != n) {
                continue;
            }
            if let Some((k, _)) = string_value(&self.src, key) {
                out.push((k, right));
            }
        }
        out
    }
}

/// The scope a template's names are bound in.
pub(super) fn template_scope(template: &str) -> String {
    format!("django:template:{template}")
}

fn binding(template: &str, name: &str, rec: &Rec) -> Binding {
    Binding { scope: template_scope(template), name: name.to_owned(), root: rec.root.clone(), path: rec.path.clone() }
}

//! Django: model declarations in `models.py` / `models/*.py`, and uses of model fields across the
//! app — QuerySet chains on `Model.objects`, `F`/`Q`/aggregate expressions, DRF serializer and
//! `ModelForm` `Meta.fields`, admin option lists — plus raw SQL strings.
//!
//! Tables follow Django's conventions: `db_table`, else `<app_label>_<modelname lowercased>`
//! where the app label is the directory of the app (the folder holding `models.py` or the
//! `models/` package) unless `Meta.app_label` says otherwise. Model classes are named
//! `app_label.Class` (as Django's `"app_label.Model"` strings do) when the file tells which app
//! the class belongs to (declared here, or imported from an app's `models`), else by the bare
//! class name.

use crate::grammar::NodeExt;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use tree_sitter::Node;

use super::lookups::{chain_call, expressions, is_field_name, lookup};
use super::models::{Model, QUERYSET_SCOPE, contrib_user, model_decls, queryset_bindings, querysets, read_models};
use super::names::{block_of, strings_of};
use super::options::{
    admin_registrations, class_options, model_and_names, model_field_pair, serializer_fields, serializer_instance,
};
use super::receivers::{Env, Rec, Ty};
use crate::config::{Confidence, Framework};
use crate::scan::extract::python::{Import, args, class_defs, from_imports, is_class_name, last_segment, string_items};
use crate::scan::extract::treesit::{self, Nodes, SqlString, Src, descendants, named_children, string_value};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{Binding, FileFacts, Hit, Root, Target};
use crate::scan::reference::RefKind;

pub struct Django;

impl Extractor for Django {
    fn id(&self) -> &'static str {
        "django"
    }

    fn version(&self) -> u32 {
        24
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Django && path.ends_with(".py")
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

pub(super) struct Ctx<'a> {
    pub(super) src: Src<'a>,
    /// Directories of the file's path, `/`-separated components.
    pub(super) dirs: Vec<&'a str>,
    /// The module's own name: the file's stem, a package's folder for `__init__.py`.
    pub(super) module: &'a str,
    pub(super) imports: Vec<Import>,
    /// The top-level modules of `import x.y` statements.
    pub(super) imported_modules: Vec<String>,
    pub(super) models: BTreeMap<String, Model>,
    pub(super) hits: Vec<Hit>,
    pub(super) bindings: Vec<Binding>,
    pub(super) sql: Vec<SqlString>,
    /// Annotation aliases of the chain being read; field paths starting with one are skipped.
    pub(super) aliases: super::lookups::Aliases<'a>,
    /// The aliases of each link of the file's chains and of the links below it, by node id
    /// ([`super::lookups::chain_aliases`]).
    pub(super) chain_aliases: HashMap<usize, super::lookups::Aliases<'a>>,
    /// Custom QuerySet/Manager classes of this file → the model classes (local names) using them.
    pub(super) querysets: BTreeMap<String, Vec<String>>,
    /// Classes of this file that are a custom QuerySet or Manager by their bases
    /// (`class RecipeQuerySet(models.QuerySet)`) and no model: their models may be another
    /// file's ([`super::models::QUERYSET_SCOPE`]).
    pub(super) queryset_classes: BTreeSet<String>,
    /// `admin.site.register(Model, Admin)`: admin class → model classes (local names).
    pub(super) registrations: BTreeMap<String, Vec<String>>,
    /// The typed names of each function, by the function's node id.
    pub(super) envs: HashMap<usize, std::rc::Rc<Env>>,
    /// What the file's functions return, when annotated with a model.
    pub(super) returns: HashMap<String, Ty>,
    /// What each method returns when every `return` of it is one type, by the class's node id
    /// and the method's name (`def get_roles(self): return self.roles.all()`).
    pub(super) method_returns: HashMap<(usize, String), Ty>,
    /// The class each method of the file belongs to, by the method's and the class's node ids.
    pub(super) method_classes: HashMap<usize, usize>,
    /// The function holding each node, by node id (see [`super::receivers::function_scopes`]).
    pub(super) scopes: HashMap<usize, usize>,
    /// Whether each link of the file's call chains starts at `self` ([`chain_on_self`]), by node id.
    pub(super) on_self: HashMap<usize, bool>,
    /// The [`enclosing_class`] of each function that has a chain on `self`, by the function's
    /// node id: asked of every link of a chain, it was a walk up from each (depth squared).
    pub(super) class_of_function: HashMap<usize, Option<&'a str>>,
    /// Parameters every call of the file types, by their function's node id
    /// ([`super::callers`]).
    pub(super) callers: HashMap<usize, Vec<(String, super::receivers::Ty)>>,
    /// Module functions the file connects to a model signal of one sender
    /// (`post_save.connect(f, sender=Project)`): function name → the model (as the file names it).
    pub(super) connected: HashMap<String, String>,
}

pub(super) fn collect(path: &str, source: &str) -> (FileFacts, Vec<SqlString>) {
    let tree = match crate::grammar::parse_as(source, &tree_sitter_python::LANGUAGE.into()) {
        Ok(tree) => tree,
        Err(gave_up) => return (FileFacts::unreadable(gave_up), Vec::new()),
    };
    let root = tree.root_node();
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let file = parts.pop().unwrap_or("");
    let mut cx = Ctx {
        src: Src::new(source),
        module: match file.strip_suffix(".py") {
            Some("__init__") | None => parts.last().copied().unwrap_or(""),
            Some(stem) => stem,
        },
        dirs: parts,
        imports: Vec::new(),
        imported_modules: Vec::new(),
        models: BTreeMap::new(),
        hits: Vec::new(),
        bindings: Vec::new(),
        sql: Vec::new(),
        aliases: None,
        chain_aliases: HashMap::new(),
        querysets: BTreeMap::new(),
        queryset_classes: BTreeSet::new(),
        registrations: BTreeMap::new(),
        envs: HashMap::new(),
        returns: HashMap::new(),
        method_returns: HashMap::new(),
        method_classes: HashMap::new(),
        scopes: super::receivers::function_scopes(root),
        on_self: HashMap::new(),
        class_of_function: HashMap::new(),
        callers: HashMap::new(),
        connected: HashMap::new(),
    };
    cx.imports = from_imports(&cx.src, root);
    cx.imported_modules = cx.modules_of_imports(root);

    let in_models = file == "models.py" || cx.dirs.last() == Some(&"models");
    let mut decls = Vec::new();
    if in_models {
        read_models(&mut cx, root);
        cx.querysets = querysets(&cx, root);
        let bound = queryset_bindings(&cx, root);
        cx.bindings.extend(bound);
        decls = model_decls(&mut cx, root);
    }
    cx.queryset_classes = queryset_classes(&cx, root);
    super::spread::bindings(&mut cx, root);
    decls.extend(contrib_user(&cx, root));
    cx.registrations = admin_registrations(&cx, root);
    let registrations = cx.registrations.clone();
    for (class, decorators) in all_classes(root) {
        class_options(&mut cx, class, &decorators, &registrations);
    }
    let nodes = Nodes::new(root);
    let classes: Vec<Node<'_>> = nodes.of_kind("class_definition").collect();
    cx.owned_bindings(&classes);
    cx.type_functions(&nodes);
    cx.attribute_uses(&nodes);
    cx.template_bindings(&nodes);
    for (node, kind) in nodes.all() {
        if kind == "call" {
            call_use(&mut cx, node);
            model_and_names(&mut cx, node);
            serializer_fields(&mut cx, node);
            serializer_instance(&mut cx, node);
            super::to_dict::model_to_dict(&mut cx, node);
            super::rows::row_key(&mut cx, node);
        } else if kind == "subscript" {
            super::rows::row_key(&mut cx, node);
        } else if kind == "tuple" {
            model_field_pair(&mut cx, node);
        } else if kind == "concatenated_string"
            // Plain SQL-looking literals are the generic SQL pass's; implicitly concatenated
            // ones only parse joined.
            && let Some(s) = treesit::python_sql(&cx.src, node)
            && treesit::looks_like_sql(&s.sql)
        {
            cx.sql.push(s);
        }
    }
    cx.sql.sort_by_key(|s| s.offset);
    cx.sql.dedup_by_key(|s| s.offset);
    (FileFacts { hits: cx.hits, models: decls, bindings: cx.bindings, ..FileFacts::default() }, cx.sql)
}

pub(super) fn all_classes(root: Node<'_>) -> Vec<(Node<'_>, Vec<Node<'_>>)> {
    let mut out = class_defs(root);
    // Classes declared under a module-level `with` / `if` / `try` (django-scopes' `with
    // scopes_disabled():` around a FilterSet).
    let mut blocks: Vec<Node<'_>> = named_children(root)
        .into_iter()
        .filter(|n| matches!(n.kind_name(), "with_statement" | "if_statement" | "try_statement"))
        .collect();
    while let Some(stmt) = blocks.pop() {
        for child in named_children(stmt) {
            match child.kind_name() {
                "block" => {
                    out.extend(class_defs(child));
                    blocks.extend(
                        named_children(child)
                            .into_iter()
                            .filter(|n| matches!(n.kind_name(), "with_statement" | "if_statement" | "try_statement")),
                    );
                }
                "else_clause" | "elif_clause" | "except_clause" | "finally_clause" => blocks.push(child),
                _ => {}
            }
        }
    }
    let mut i = 0;
    while i < out.len() {
        if let Some(body) = out[i].0.field("body") {
            let nested = class_defs(body);
            out.extend(nested);
        }
        i += 1;
    }
    out
}

impl Ctx<'_> {
    /// The app label of the file's app: the folder holding `models.py`, or holding `models/`.
    pub(super) fn file_app_label(&self) -> String {
        let mut dirs = self.dirs.clone();
        if dirs.last() == Some(&"models") {
            dirs.pop();
        }
        dirs.last().map_or_else(String::new, |d| (*d).to_owned())
    }

    /// How other code names the model class `local` as seen from this file.
    /// `models.Child` with `from core import models` is `core.Child`.
    pub(super) fn model_ref(&self, local: &str) -> String {
        if let Some((module, class)) = local.rsplit_once('.') {
            if let Some(import) = self.imports.iter().find(|i| i.local == module && i.name == "models") {
                let full = self.import_path(import);
                if let Some(app) = full.last() {
                    return format!("{app}.{class}");
                }
            }
            return self.model_ref(class);
        }
        if let Some(m) = self.models.get(local) {
            return m.class.clone();
        }
        if let Some(import) = self.imports.iter().find(|i| i.local == local) {
            let full = self.import_path(import);
            // `from django.db.models import Index, Q`: the ORM's own classes, no app's models.
            if let Some(i) = full.iter().rposition(|c| c == "models")
                && i > 0
                && full != ["django", "db", "models"]
            {
                return format!("{}.{}", full[i - 1], import.name);
            }
            return import.name.clone();
        }
        local.to_owned()
    }

    /// The module an import names, relative imports made absolute from the file's folders.
    fn import_path(&self, import: &Import) -> Vec<String> {
        let mut full: Vec<String> = Vec::new();
        if import.level > 0 {
            let keep = self.dirs.len().saturating_sub(import.level - 1);
            full.extend(self.dirs[..keep].iter().map(|d| (*d).to_owned()));
        }
        full.extend(import.module.iter().cloned());
        full
    }

    /// Whether this file knows `local` to be a model class: declared here, or imported from an
    /// app's `models` module.
    pub(super) fn is_known_model(&self, local: &str) -> bool {
        self.models.get(local).is_some_and(|m| !m.is_abstract) || self.model_ref(local).contains('.')
    }

    /// A model named in a relation (`ForeignKey(User)`, `ForeignKey("auth.User")`,
    /// `ForeignKey("self")`).
    pub(super) fn relation_target(&self, node: Node<'_>, this: &str, app_label: &str) -> Option<String> {
        match node.kind_name() {
            "identifier" => Some(self.model_ref(self.src.node_text(node))),
            "attribute" => {
                let text = self.src.node_text(node);
                // `settings.AUTH_USER_MODEL`: the app's user model, `auth.User` unless it has its own.
                Some(if text.ends_with("AUTH_USER_MODEL") { "User".to_owned() } else { self.model_ref(text) })
            }
            _ => {
                let (s, _) = string_value(&self.src, node)?;
                if s == "self" {
                    Some(this.to_owned())
                } else if s.contains('.') {
                    Some(s)
                } else {
                    Some(format!("{app_label}.{s}"))
                }
            }
        }
    }

    pub(super) fn hit(&mut self, offset: usize, target: Target, kind: RefKind, confidence: Confidence) {
        let h = self.src.hit(offset, target, kind, confidence);
        self.hits.push(h);
    }
}

/// The SQL a name handed to a raw SQL entry point holds (`sql = """SELECT …"""` then
/// `sql = sql.format(tbl=…)`, `cursor.execute(sql)`): the SQL-looking string literals the
/// function (or module, at its level) assigns the name, as written or formatted
/// (`"…".format(…)`, `"…" % (…)`).
fn sql_held(cx: &Ctx<'_>, call: Node<'_>, name: Node<'_>) -> Vec<SqlString> {
    if name.kind_name() != "identifier" {
        return Vec::new();
    }
    let held = cx.src.node_text(name);
    let mut scope = call;
    while let Some(p) = scope.parent() {
        scope = p;
        if scope.kind_name() == "function_definition" {
            break;
        }
    }
    let mut out = Vec::new();
    for assign in descendants(scope).into_iter().filter(|n| n.kind_name() == "assignment") {
        let (Some(left), Some(mut right)) = (assign.field("left"), assign.field("right")) else {
            continue;
        };
        if left.kind_name() != "identifier" || cx.src.node_text(left) != held {
            continue;
        }
        // `"…".format(…)`, `"…" % args`.
        let mut formatted = false;
        if right.kind_name() == "call"
            && let Some(f) = right.field("function").filter(|f| f.kind_name() == "attribute")
            && f.field("attribute").is_some_and(|m| cx.src.node_text(m) == "format")
            && let Some(o) = f.field("object")
        {
            right = o;
            formatted = true;
        } else if right.kind_name() == "binary_operator"
            && let Some(l) = right.field("left")
        {
            right = l;
        }
        if !matches!(right.kind_name(), "string" | "concatenated_string") {
            continue;
        }
        if let Some(mut s) = treesit::python_sql(&cx.src, right)
            && treesit::looks_like_sql(&s.sql)
        {
            formatted |= descendants(scope).into_iter().any(|n| {
                n.kind_name() == "call"
                    && n.field("function").is_some_and(|f| cx.src.node_text(f) == format!("{held}.format"))
            });
            if formatted {
                s.sql = format_fields_as_names(&s.sql);
            }
            out.push(s);
        }
    }
    out
}

/// psycopg2's `execute_values` template with its `VALUES %s` written `VALUES (%s)`, a row the
/// SQL parser takes; the pieces keep every other offset the literal's. Only a SQL string of one
/// piece is rewritten.
fn values_row(s: SqlString) -> SqlString {
    if s.pieces.len() > 1 {
        return s;
    }
    let upper = s.sql.to_ascii_uppercase();
    let Some(at) = upper.find("VALUES %S").map(|i| i + "VALUES ".len()) else { return s };
    let mut sql = String::with_capacity(s.sql.len() + 2);
    sql.push_str(&s.sql[..at]);
    sql.push('(');
    sql.push_str("%s");
    sql.push(')');
    sql.push_str(&s.sql[at + 2..]);
    let pieces = vec![(0, s.offset), (at + 1, s.offset + at), (at + 4, s.offset + at + 2)];
    SqlString { sql, offset: s.offset, pieces }
}

/// A `str.format` template with each replacement field (`{tbl}`, `{0}`, `{}`) turned into a
/// name of the same length (`_tbl_`), so that it parses as the table or column the code fills
/// in and every offset stays the template's. `{{` / `}}` escapes are left alone.
fn format_fields_as_names(sql: &str) -> String {
    let b = sql.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'{' && b.get(i + 1) == Some(&b'{') {
            i += 2;
            continue;
        }
        if b[i] == b'{' {
            let n = b[i + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
            if b.get(i + 1 + n) == Some(&b'}') {
                out[i] = b'_';
                out[i + 1 + n] = b'_';
                i += n + 2;
                continue;
            }
        }
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| sql.to_owned())
}

pub(super) fn call_use(cx: &mut Ctx<'_>, call: Node<'_>) {
    let Some(function) = call.field("function") else { return };
    let name = match function.kind_name() {
        "attribute" => function.field("attribute").map_or("", |a| cx.src.node_text(a)),
        _ => cx.src.node_text(function),
    };
    let a = args(call);

    // Raw SQL entry points; psycopg2's `execute_values(cursor, sql, rows)` / `execute_batch`
    // take the SQL second.
    let sql_arg = match name {
        "raw" | "execute" | "executemany" | "RawSQL" => a.positional.first(),
        "execute_values" | "execute_batch" => a.positional.get(1),
        _ => None,
    };
    if let Some(arg) = sql_arg {
        let found = match treesit::python_sql(&cx.src, *arg) {
            Some(s) => vec![s],
            None => sql_held(cx, call, *arg),
        };
        for s in found {
            // `execute_values` expands `VALUES %s` into the rows: one parenthesised row parses.
            cx.sql.push(if name == "execute_values" { values_row(s) } else { s });
        }
    }
    if name == "extra" {
        for key in ["where", "select"] {
            if let Some(v) = a.keyword(&cx.src, key) {
                for n in descendants(v) {
                    let is_key = n.parent().is_some_and(|p| p.kind_name() == "pair" && p.field("key") == Some(n));
                    if is_key {
                        continue;
                    }
                    if n.kind_name() == "string"
                        && let Some((sql, offset)) = string_value(&cx.src, n)
                    {
                        cx.sql.push(SqlString::plain(sql, offset));
                    } else if n.kind_name() == "identifier"
                        && n.parent().is_some_and(|p| matches!(p.kind_name(), "pair" | "list" | "tuple"))
                    {
                        // `extra(select={as_field: sql})`, `sql` a string the function holds.
                        let held = sql_held(cx, call, n);
                        cx.sql.extend(held);
                    }
                }
            }
        }
    }

    // `Post(title=…)`: a model's constructor takes its fields; so does a name holding the class
    // (`model_type = Unit`, then `model_type(name=…)`).
    let ctor = if function.kind_name() != "identifier" {
        None
    } else if is_class_name(name) && cx.is_known_model(name) {
        Some(cx.model_ref(name))
    } else {
        cx.env_at(call).class_at(name, call.start_byte()).map(str::to_owned)
    };
    if let Some(ctor) = ctor {
        let model = Rec::model(ctor);
        cx.aliases = None;
        for (k, _) in &a.keywords {
            let key = cx.src.node_text(*k);
            lookup(cx, &model, key, k.start_byte(), Confidence::High);
        }
        for (key, offset) in super::names::splat_keys(&cx.src, call) {
            lookup(cx, &model, &key, offset, Confidence::Medium);
        }
        return;
    }

    // A call on a typed receiver: `qs.update(…)`, `check.flip_set.filter(…)`,
    // `Check.objects.filter(…)`, `obj.save(update_fields=[…])`.
    if function.kind_name() == "attribute"
        && let Some(object) = function.field("object")
    {
        let env = cx.env_at(call);
        if let Some(t) = cx.ty(object, &env) {
            if !t.many && !t.is_record() {
                // A `values()` / `values_list()` row: its keys are read by `rows::row_key`.
                return;
            }
            if t.many {
                chain_call(cx, call, name, &a, &t.rec);
                super::spread::spread_call(cx, name, &a, &t.rec);
            } else if matches!(name, "save" | "asave" | "refresh_from_db" | "arefresh_from_db") {
                cx.aliases = None;
                for key in ["update_fields", "fields"] {
                    if let Some(v) = a.keyword(&cx.src, key) {
                        // A set or tuple built up in the function: `update_fields.add("x")`.
                        for (item, offset) in strings_of(&cx.src, v, block_of(call)) {
                            lookup(cx, &t.rec, &item, offset, Confidence::High);
                        }
                    }
                }
            } else {
                chain_call(cx, call, name, &a, &t.rec);
            }
            return;
        }
        // `event.submissions.filter(is_featured=True)` on an untyped `event`: the relation its
        // names suggest, at medium — resolution keeps only what the models have.
        if super::lookups::is_queryset_method(name)
            && let Some(rec) = cx.guessed_relation(object, &env)
        {
            let before = cx.hits.len();
            chain_call(cx, call, name, &a, &rec);
            for h in &mut cx.hits[before..] {
                h.confidence = h.confidence.min(Confidence::Medium);
            }
            return;
        }
        // `other_speaker_profiles(speaker).exclude(biography="")`: a function another module
        // defines, whose every return is a queryset of one model (bound there).
        if super::lookups::is_queryset_method(name)
            && let Some(rec) = cx.imported_result(object)
        {
            let before = cx.hits.len();
            chain_call(cx, call, name, &a, &rec);
            for h in &mut cx.hits[before..] {
                h.confidence = h.confidence.min(Confidence::Medium);
            }
            return;
        }
        // `x.save(update_fields=[…])` on a receiver nothing types: the names are columns of some
        // model, settled by resolution.
        if matches!(name, "save" | "asave" | "refresh_from_db" | "arefresh_from_db") {
            for key in ["update_fields", "fields"] {
                if let Some(v) = a.keyword(&cx.src, key) {
                    for (item, offset) in strings_of(&cx.src, v, block_of(call)) {
                        cx.hit(offset, Target::Attribute { name: item }, RefKind::Query, Confidence::Medium);
                    }
                }
            }
        }
    }

    // `setattr(check, key, v)` / `getattr(check, key)` with the name in a string, or in a name
    // the function fills with strings (`for key in ("a", "b"):`).
    if matches!(name, "setattr" | "getattr" | "hasattr")
        && function.kind_name() == "identifier"
        && let (Some(object), Some(key)) = (a.positional.first(), a.positional.get(1))
    {
        let env = cx.env_at(call);
        if let Some(t) = cx.ty(*object, &env).filter(Ty::is_record) {
            cx.aliases = None;
            for (item, offset) in strings_of(&cx.src, *key, block_of(call)) {
                lookup(cx, &t.rec, &item, offset, Confidence::High);
            }
        } else if let Some(rec) = cx.guessed_record(*object, &env) {
            // `getattr(submission, field)` on an untyped `submission`: `submission.<field>`.
            for (item, offset) in strings_of(&cx.src, *key, block_of(call)) {
                if is_field_name(&item) && !item.starts_with('_') {
                    cx.hit(offset, rec.attribute(&item), RefKind::Query, Confidence::Medium);
                }
            }
        }
        return;
    }

    // `Model._meta.get_field("x")`: the model's field by name.
    if name == "get_field"
        && let Some(object) = function.field("object")
        && object.kind_name() == "attribute"
        && object.field("attribute").is_some_and(|a| cx.src.node_text(a) == "_meta")
        && let Some(class) = object.field("object").filter(|c| c.kind_name() == "identifier")
        && is_class_name(cx.src.node_text(class))
        && cx.is_known_model(cx.src.node_text(class))
        && let Some(key) = a.positional.first()
    {
        let rec = Rec::model(cx.model_ref(cx.src.node_text(class)));
        cx.aliases = None;
        for (item, offset) in strings_of(&cx.src, *key, block_of(call)) {
            lookup(cx, &rec, &item, offset, Confidence::High);
        }
        return;
    }

    // `Meta.indexes` / `constraints` of a model: `Index(fields=[…], condition=Q(…))`.
    if matches!(name, "Index" | "UniqueConstraint" | "CheckConstraint" | "ExclusionConstraint")
        && let Some(model) = meta_model(cx, call)
    {
        let rec = Rec::model(model);
        cx.aliases = None;
        for key in ["fields", "include"] {
            if let Some(v) = a.keyword(&cx.src, key) {
                for (item, offset) in string_items(&cx.src, v) {
                    lookup(cx, &rec, &item, offset, Confidence::High);
                }
            }
        }
        for key in ["condition", "check"] {
            if let Some(v) = a.keyword(&cx.src, key) {
                expressions(cx, &rec, v);
            }
        }
        for p in &a.positional {
            expressions(cx, &rec, *p);
        }
        return;
    }

    let model = if matches!(name, "get_object_or_404" | "get_list_or_404") && function.kind_name() == "identifier" {
        a.positional
            .first()
            .filter(|n| n.kind_name() == "identifier")
            .map(|n| cx.src.node_text(*n))
            .filter(|n| is_class_name(n))
    } else {
        None
    };
    let models: Vec<Rec> = match model {
        Some(m) => vec![Rec::model(cx.model_ref(m))],
        // `self.filter(…)` in a custom QuerySet or Manager: the models that use it — declared
        // in this file, or binding the class from theirs (`objects =
        // Manager.from_queryset(RecipeQuerySet)()` in models.py, the class in managers.py).
        None if function.kind_name() == "attribute"
            && (!cx.querysets.is_empty() || !cx.queryset_classes.is_empty())
            && chain_on_self(cx, call) =>
        {
            let class = match cx.scopes.get(&call.id()) {
                Some(&f) => *cx.class_of_function.entry(f).or_insert_with(|| enclosing_class(&cx.src, call)),
                None => enclosing_class(&cx.src, call),
            };
            match class.map(|c| (c, cx.querysets.get(c))) {
                Some((_, Some(ms))) => {
                    ms.iter().filter_map(|m| cx.models.get(m)).map(|m| Rec::model(m.class.clone())).collect()
                }
                Some((c, None)) if cx.queryset_classes.contains(c) => vec![Rec {
                    root: Root::Binding { scopes: vec![QUERYSET_SCOPE.to_owned()], name: c.to_owned(), guess: None },
                    path: Vec::new(),
                }],
                _ => Vec::new(),
            }
        }
        None => Vec::new(),
    };
    for rec in models {
        chain_call(cx, call, name, &a, &rec);
    }
}

/// The file's classes that derive from a QuerySet or Manager (`models.QuerySet`, a base of
/// the file's own that does, or a base another module declares that is named as one: `class
/// DomainQueryset(RelatedProjectQuerySet)`) and are no model.
fn queryset_classes(cx: &Ctx<'_>, root: Node<'_>) -> BTreeSet<String> {
    let classes: Vec<(String, Vec<String>)> = all_classes(root)
        .into_iter()
        .filter_map(|(c, _)| {
            let name = cx.src.node_text(c.field("name")?).to_owned();
            let bases = crate::scan::extract::python::bases(&cx.src, c).into_iter().map(|b| last_segment(b).to_owned());
            Some((name, bases.collect()))
        })
        .collect();
    let mut out: BTreeSet<String> = BTreeSet::new();
    for _ in 0..4 {
        for (name, bases) in &classes {
            if !cx.models.contains_key(name)
                && bases.iter().any(|b| {
                    matches!(b.as_str(), "QuerySet" | "Manager" | "BaseManager")
                        || out.contains(b)
                        || super::models::is_queryset_class(b)
                })
            {
                out.insert(name.clone());
            }
        }
    }
    out
}

/// Whether a call chain starts at `self` or `super()`. Each link's answer is kept for the file
/// (`Ctx::on_self`): every call of a chain asks it of the rest of the chain, which cost a chain
/// its length squared.
pub(super) fn chain_on_self(cx: &mut Ctx<'_>, call: Node<'_>) -> bool {
    let mut node = call.field("function").and_then(|f| f.field("object"));
    let mut links = Vec::new();
    let answer = loop {
        let Some(n) = node else { break false };
        if let Some(known) = cx.on_self.get(&n.id()) {
            break *known;
        }
        links.push(n.id());
        node = match n.kind_name() {
            "call" => {
                let f = n.field("function");
                if f.is_some_and(|f| cx.src.node_text(f) == "super") {
                    break true;
                }
                f
            }
            "attribute" => n.field("object"),
            "identifier" => break cx.src.node_text(n) == "self",
            _ => break false,
        };
    };
    cx.on_self.extend(links.into_iter().map(|id| (id, answer)));
    answer
}

/// The name of the class whose method contains `node`.
pub(super) fn enclosing_class<'a>(src: &Src<'a>, node: Node<'_>) -> Option<&'a str> {
    let mut n = node.parent();
    while let Some(p) = n {
        if p.kind_name() == "class_definition" {
            return p.field("name").map(|id| src.node_text(id));
        }
        n = p.parent();
    }
    None
}

/// The model whose `class Meta` holds `node`.
fn meta_model(cx: &Ctx<'_>, node: Node<'_>) -> Option<String> {
    let mut n = node.parent();
    while let Some(p) = n {
        if p.kind_name() == "class_definition" {
            let name = cx.src.node_text(p.field("name")?);
            if name != "Meta" {
                return None;
            }
            let outer = p.parent()?.parent().filter(|c| c.kind_name() == "class_definition")?;
            let model = cx.src.node_text(outer.field("name")?);
            return cx.models.get(model).map(|m| m.class.clone());
        }
        n = p.parent();
    }
    None
}

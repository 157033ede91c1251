//! The model index of one file: model classes, their fields, tables and associations, and the
//! custom managers and querysets that serve them.

use crate::grammar::NodeExt;
use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::Node;

use super::extract::Ctx;
use crate::config::{Confidence, Framework};
use crate::scan::extract::python::{
    Args, args, assignments, bases, callee, class_defs, inner_class_body, is_class_name, last_segment, string_items,
};
use crate::scan::extract::treesit::{descendants, named_children, string_value};
use crate::scan::facts::{Association, Binding, ModelDecl, Root, Target};
use crate::scan::reference::RefKind;

/// Base classes that make a class a Django model even when declared in another package.
pub(super) const MODEL_BASES: &[&str] = &[
    "Model",
    "AbstractUser",
    "AbstractBaseUser",
    "PermissionsMixin",
    "TimeStampedModel",
    "TimeFramedModel",
    "StatusModel",
    "SoftDeletableModel",
    "UUIDModel",
    "PolymorphicModel",
    "MPTTModel",
    "Page",
];

#[derive(Debug, Clone)]
pub(super) struct Field {
    pub(super) attr: String,
    offset: usize,
    pub(super) kind: FieldKind,
    /// For a relation: the accessor the related model gets back (`related_name`, else
    /// `<model>_set`, or `<model>` for a one-to-one); `None` when hidden (`related_name="+"`).
    inverse: Option<(String, bool)>,
}

#[derive(Debug, Clone)]
pub(super) enum FieldKind {
    NotColumn,
    Column { column: String, primary_key: bool, fk_target: Option<String> },
    ManyToMany { target: Option<String>, db_table: Option<String>, through: bool },
}

#[derive(Debug, Clone)]
pub(super) struct Model {
    pub(super) local: String,
    pub(super) class: String,
    pub(super) app_label: String,
    pub(super) parent_local: Option<String>,
    pub(super) parent_written: Option<String>,
    /// The other bases, as written (last segment): abstract models and mixins whose fields the
    /// model has too (netbox's `class Interface(ModularComponentModel, BaseInterface, …)`).
    pub(super) other_bases: Vec<String>,
    pub(super) db_table: Option<String>,
    pub(super) is_abstract: bool,
    pub(super) proxy: bool,
    pub(super) fields: Vec<Field>,
    pub(super) name_offset: usize,
}

pub(super) fn read_models(cx: &mut Ctx<'_>, root: Node<'_>) {
    let file_label = cx.file_app_label();
    for (class, _) in class_defs(root) {
        let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else {
            continue;
        };
        let local = cx.src.node_text(name).to_owned();
        let written = bases(&cx.src, class);
        let meta = inner_class_body(&cx.src, body, "Meta");
        let fields_here = assignments(body).into_iter().any(|(_, _, v)| {
            v.and_then(|v| callee(&cx.src, v)).is_some_and(|c| field_kind_name(last_segment(c)).is_some())
        });
        let known_base = written.iter().any(|b| {
            let last = last_segment(b);
            MODEL_BASES.contains(&last) || cx.models.contains_key(last)
        });
        let non_model_base = !written.is_empty()
            && written.iter().all(|b| {
                let last = last_segment(b);
                ["Choices", "Enum", "Manager", "QuerySet", "Form", "Serializer", "Error", "Exception", "Admin"]
                    .iter()
                    .any(|s| last.ends_with(s))
                    || last == "object"
            });
        if !(known_base || (!non_model_base && !written.is_empty() && (fields_here || meta.is_some()))) {
            continue;
        }
        let parent =
            written.iter().map(|b| last_segment(b)).find(|b| *b != "Model" && !b.ends_with("Mixin")).map(str::to_owned);
        let mut model = Model {
            local: local.clone(),
            class: String::new(),
            app_label: file_label.clone(),
            parent_local: parent.clone().filter(|p| cx.models.contains_key(p)),
            other_bases: written
                .iter()
                .map(|b| last_segment(b))
                .filter(|b| Some(*b) != parent.as_deref() && !MODEL_BASES.contains(b))
                .map(str::to_owned)
                .collect(),
            parent_written: parent,
            db_table: None,
            is_abstract: false,
            proxy: false,
            fields: Vec::new(),
            name_offset: name.start_byte(),
        };
        if let Some(meta) = meta {
            for (target, _, value) in assignments(meta) {
                let Some(value) = value else { continue };
                let text = cx.src.node_text(value);
                match cx.src.node_text(target) {
                    "abstract" => model.is_abstract = text == "True",
                    "proxy" => model.proxy = text == "True",
                    "db_table" => model.db_table = string_value(&cx.src, value).map(|(s, _)| s),
                    "app_label" => {
                        if let Some((s, _)) = string_value(&cx.src, value) {
                            model.app_label = s;
                        }
                    }
                    _ => {}
                }
            }
        }
        model.class = format!("{}.{}", model.app_label, local);
        // Register before reading fields so `ForeignKey("self")`/`ForeignKey(Local)` resolve.
        cx.models.insert(local.clone(), model.clone());
        for (target, _, value) in assignments(body) {
            let Some(value) = value else { continue };
            if let Some(field) = read_field(cx, target, value, &model.class, &model.app_label) {
                model.fields.push(field);
            }
        }
        cx.models.insert(local, model);
    }
}

pub(super) enum FieldClass {
    /// A model attribute that maps no column of this table (generic relations).
    NotColumn,
    Column,
    ForeignKey,
    ManyToMany,
}

pub(super) fn field_kind_name(name: &str) -> Option<FieldClass> {
    match name {
        "ForeignKey" | "OneToOneField" | "ParentalKey" | "TreeForeignKey" | "TreeOneToOneField" => {
            Some(FieldClass::ForeignKey)
        }
        "ManyToManyField" | "ParentalManyToManyField" | "TreeManyToManyField" => Some(FieldClass::ManyToMany),
        // Not columns: generic relations live in other tables or in two other fields.
        "GenericForeignKey" | "GenericRelation" => Some(FieldClass::NotColumn),
        // Another package's subclass of a relation field (django-annoying's `AutoOneToOneField`).
        n if n.ends_with("OneToOneField") || n.ends_with("ForeignKey") => Some(FieldClass::ForeignKey),
        n if n.ends_with("Field") => Some(FieldClass::Column),
        _ => None,
    }
}

pub(super) fn read_field(
    cx: &Ctx<'_>,
    target: Node<'_>,
    value: Node<'_>,
    this: &str,
    app_label: &str,
) -> Option<Field> {
    let class = field_kind_name(last_segment(callee(&cx.src, value)?))?;
    let attr = cx.src.node_text(target).to_owned();
    let a: Args<'_> = args(value);
    let str_kw = |name: &str| a.keyword(&cx.src, name).and_then(|v| string_value(&cx.src, v)).map(|(s, _)| s);
    let rel_target = || {
        a.keyword(&cx.src, "to").or(a.positional.first().copied()).and_then(|n| cx.relation_target(n, this, app_label))
    };
    let kind = match class {
        FieldClass::NotColumn => FieldKind::NotColumn,
        FieldClass::Column => FieldKind::Column {
            column: str_kw("db_column").unwrap_or_else(|| attr.clone()),
            primary_key: a.keyword(&cx.src, "primary_key").is_some_and(|v| cx.src.node_text(v) == "True"),
            fk_target: None,
        },
        FieldClass::ForeignKey => FieldKind::Column {
            column: str_kw("db_column").unwrap_or_else(|| format!("{attr}_id")),
            primary_key: a.keyword(&cx.src, "primary_key").is_some_and(|v| cx.src.node_text(v) == "True"),
            fk_target: rel_target(),
        },
        FieldClass::ManyToMany => FieldKind::ManyToMany {
            target: rel_target(),
            db_table: str_kw("db_table"),
            through: a.keyword(&cx.src, "through").is_some(),
        },
    };
    let inverse = match class {
        FieldClass::ForeignKey | FieldClass::ManyToMany => {
            let own = this.rsplit('.').next().unwrap_or(this).to_lowercase();
            let one = callee(&cx.src, value).is_some_and(|c| last_segment(c).contains("OneToOne"));
            match str_kw("related_name") {
                Some(name) if name.ends_with('+') => None,
                Some(name) => {
                    Some((name.replace("%(class)s", &own).replace("%(app_label)s", &app_label.to_lowercase()), !one))
                }
                None if one => Some((own, false)),
                None => Some((format!("{own}_set"), true)),
            }
        }
        _ => None,
    };
    Some(Field { attr, offset: target.start_byte(), kind, inverse })
}

/// Fields a model has from its abstract ancestors declared in this file — every base, not only
/// the first —, then its own.
pub(super) fn all_fields(models: &BTreeMap<String, Model>, model: &Model) -> Vec<Field> {
    let mut chain = Vec::new();
    let mut seen = BTreeSet::new();
    ancestry(models, model, &mut seen, &mut chain);
    let mut out: Vec<Field> = Vec::new();
    for m in chain {
        for f in &m.fields {
            // A nearer class redeclaring a field replaces the inherited one.
            out.retain(|g| g.attr != f.attr);
            out.push(f.clone());
        }
    }
    out
}

/// `model` after its abstract ancestors in this file, farthest and last-listed bases first, so
/// that a nearer or earlier-listed class's field is pushed last and wins, as in Python's MRO.
fn ancestry<'m>(
    models: &'m BTreeMap<String, Model>,
    model: &'m Model,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<&'m Model>,
) {
    if !seen.insert(model.local.clone()) {
        return;
    }
    let bases = model.parent_local.iter().chain(model.other_bases.iter());
    let abstract_bases: Vec<&Model> = bases.filter_map(|b| models.get(b)).filter(|b| b.is_abstract).collect();
    for base in abstract_bases.into_iter().rev() {
        ancestry(models, base, seen, out);
    }
    out.push(model);
}

pub(super) fn default_table(m: &Model) -> String {
    m.db_table.clone().unwrap_or_else(|| format!("{}_{}", m.app_label, m.local.to_lowercase()))
}

/// The table a model maps, following proxies to their concrete parent in this file.
pub(super) fn table_of(models: &BTreeMap<String, Model>, m: &Model) -> Option<String> {
    if m.is_abstract {
        return None;
    }
    if m.proxy {
        let parent = models.get(m.parent_local.as_ref()?)?;
        return table_of(models, parent);
    }
    Some(default_table(m))
}

pub(super) fn model_decls(cx: &mut Ctx<'_>, root: Node<'_>) -> Vec<ModelDecl> {
    let models: Vec<Model> = cx.models.values().cloned().collect();
    let mut properties = model_properties(cx, root);
    let property_names = property_names(cx, root);
    let mut decls = Vec::new();
    for m in &models {
        let table = table_of(&cx.models, m);
        let fields = all_fields(&cx.models, m);
        let concrete_parent =
            m.parent_local.as_ref().and_then(|p| cx.models.get(p)).filter(|p| !p.is_abstract && !m.proxy).cloned();
        let mut map: Vec<(String, String)> = Vec::new();
        let mut pk = None;
        for f in &fields {
            match &f.kind {
                FieldKind::Column { column, primary_key, .. } => {
                    map.push((f.attr.clone(), column.clone()));
                    if *primary_key {
                        pk = Some(column.clone());
                    }
                }
                FieldKind::ManyToMany { .. } | FieldKind::NotColumn => map.push((f.attr.clone(), String::new())),
            }
        }
        if let Some(p) = &concrete_parent {
            // Multi-table inheritance: the child's primary key is a one-to-one to the parent.
            let ptr = format!("{}_ptr_id", p.local.to_lowercase());
            map.push((format!("{}_ptr", p.local.to_lowercase()), ptr.clone()));
            pk.get_or_insert(ptr);
        }
        let pk = pk.unwrap_or_else(|| {
            map.push(("id".into(), "id".into()));
            "id".into()
        });
        // Its properties are attributes of its records with no column (`family`, `is_primary_ip`):
        // a list of names that includes them still names the model's attributes.
        for name in property_names.get(&m.local).into_iter().flatten() {
            if !map.iter().any(|(a, _)| a == name) {
                map.push((name.clone(), String::new()));
            }
        }
        map.push(("pk".into(), pk.clone()));
        map.sort();
        map.dedup();

        if let Some(table) = table.as_ref().filter(|_| !m.proxy) {
            let t = table.clone();
            cx.hit(m.name_offset, Target::Table { table: t.clone() }, RefKind::Declaration, Confidence::High);
            let declared_pk =
                fields.iter().any(|f| matches!(&f.kind, FieldKind::Column { column, .. } if *column == pk));
            if !declared_pk {
                cx.hit(
                    m.name_offset,
                    Target::Column { table: t.clone(), column: pk.clone() },
                    RefKind::Declaration,
                    Confidence::High,
                );
            }
            for f in &fields {
                match &f.kind {
                    FieldKind::Column { column, .. } => cx.hit(
                        f.offset,
                        Target::Column { table: t.clone(), column: column.clone() },
                        RefKind::Declaration,
                        Confidence::High,
                    ),
                    FieldKind::ManyToMany { through: true, .. } | FieldKind::NotColumn => {}
                    FieldKind::ManyToMany { target, db_table, .. } => {
                        let join = db_table.clone().unwrap_or_else(|| format!("{t}_{}", f.attr));
                        cx.hit(f.offset, Target::Table { table: join.clone() }, RefKind::Declaration, Confidence::High);
                        let own = m.local.to_lowercase();
                        let other = target.as_deref().map(|t| last_segment(t).to_lowercase());
                        let (from, to) = match other {
                            Some(o) if o == own => (format!("from_{own}_id"), Some(format!("to_{o}_id"))),
                            Some(o) => (format!("{own}_id"), Some(format!("{o}_id"))),
                            None => (format!("{own}_id"), None),
                        };
                        for column in std::iter::once(from).chain(to) {
                            cx.hit(
                                f.offset,
                                Target::Column { table: join.clone(), column },
                                RefKind::Declaration,
                                Confidence::High,
                            );
                        }
                    }
                }
            }
        }
        let (line, column) = cx.src.pos(m.name_offset);
        decls.push(ModelDecl {
            framework: Framework::Django,
            class: m.class.clone(),
            parent: m.parent_written.as_ref().map(|p| cx.model_ref(p)),
            table,
            is_abstract: m.is_abstract,
            ignored_columns: Vec::new(),
            fields: map,
            associations: associations(&fields)
                .into_iter()
                .chain(properties.remove(&m.local).unwrap_or_default())
                .collect(),
            mixins: m.other_bases.iter().map(|b| cx.model_ref(b)).collect(),
            line,
            column,
            snippet: cx.src.snippet(m.name_offset),
        });
    }
    decls
}

/// Every model's `@property` / `@cached_property` methods: (model class, local name; the
/// method's `function_definition`).
pub(super) fn property_defs<'t>(cx: &Ctx<'_>, root: Node<'t>) -> Vec<(String, Node<'t>)> {
    let mut out = Vec::new();
    for (class, _) in class_defs(root) {
        let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else {
            continue;
        };
        let local = cx.src.node_text(name);
        if !cx.models.contains_key(local) {
            continue;
        }
        for def in named_children(body).into_iter().filter(|n| n.kind_name() == "decorated_definition") {
            let is_property = descendants(def).into_iter().any(|d| {
                d.kind_name() == "decorator"
                    && matches!(
                        last_segment(cx.src.node_text(d).trim_start_matches('@').trim()),
                        "property" | "cached_property"
                    )
            });
            if let Some(func) = def.field("definition").filter(|_| is_property) {
                out.push((local.to_owned(), func));
            }
        }
    }
    out
}

/// The names of every model's properties, by model class (local name).
fn property_names(cx: &Ctx<'_>, root: Node<'_>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (local, func) in property_defs(cx, root) {
        if let Some(prop) = func.field("name") {
            out.entry(local).or_default().push(cx.src.node_text(prop).to_owned());
        }
    }
    out
}

/// Properties of a model annotated to return a model (`@property def owner_profile(self) ->
/// Profile`): associations with no column, so that `project.owner_profile.theme` reads
/// `Profile`'s column. Model class (local name) → its properties.
fn model_properties(cx: &Ctx<'_>, root: Node<'_>) -> BTreeMap<String, Vec<Association>> {
    let mut out: BTreeMap<String, Vec<Association>> = BTreeMap::new();
    for (local, func) in property_defs(cx, root) {
        let Some(prop) = func.field("name") else { continue };
        let annotated = func.field("return_type").and_then(|t| cx.annotation(t)).and_then(|ty| match ty.rec.root {
            crate::scan::facts::Root::Model { model } => Some((model, ty.many)),
            _ => None,
        });
        let Some((model, many)) = annotated.or_else(|| returned_relation(cx, func, &local)) else { continue };
        out.entry(local).or_default().push(Association {
            name: cx.src.node_text(prop).to_owned(),
            model,
            many,
            foreign_key: None,
            inverse: None,
            associated_keys: Vec::new(),
        });
    }
    out
}

/// The relation a model's property returns when every `return` gives one relation field of the
/// model, as is or through QuerySet methods (`return self.speakers.order_by("…")`, `return
/// self.speakers.all()`): the related model, many unless a foreign key is returned as is.
fn returned_relation(cx: &Ctx<'_>, func: Node<'_>, local: &str) -> Option<(String, bool)> {
    let fields = &cx.models.get(local)?.fields;
    let mut found: Option<(String, bool)> = None;
    for ret in descendants(func).into_iter().filter(|n| n.kind_name() == "return_statement") {
        let mut node = named_children(ret).into_iter().next()?;
        let mut called = false;
        while node.kind_name() == "call" {
            let f = node.field("function").filter(|f| f.kind_name() == "attribute")?;
            let method = cx.src.node_text(f.field("attribute")?);
            if !super::lookups::is_queryset_method(method) || matches!(method, "get" | "create" | "update") {
                return None;
            }
            called = true;
            node = f.field("object")?;
        }
        let object = node.field("object").filter(|_| node.kind_name() == "attribute")?;
        if cx.src.node_text(object) != "self" {
            return None;
        }
        let attr = cx.src.node_text(node.field("attribute")?);
        let this = match &fields.iter().find(|f| f.attr == attr)?.kind {
            FieldKind::ManyToMany { target: Some(t), .. } => (t.clone(), true),
            FieldKind::Column { fk_target: Some(t), .. } if !called => (t.clone(), false),
            _ => return None,
        };
        if found.as_ref().is_some_and(|f| *f != this) {
            return None;
        }
        found = Some(this);
    }
    found
}

/// Custom managers and querysets: `objects = PostQuerySet.as_manager()`, `objects =
/// PostManager()`, `PostManager.from_queryset(PostQuerySet)()` in a model body; a base
/// QuerySet class serves the models of its subclasses too.
pub(super) fn querysets(cx: &Ctx<'_>, root: Node<'_>) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut bases_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (class, _) in class_defs(root) {
        let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else {
            continue;
        };
        let name = cx.src.node_text(name).to_owned();
        bases_of.insert(name.clone(), bases(&cx.src, class).iter().map(|b| last_segment(b).to_owned()).collect());
        if !cx.models.contains_key(&name) {
            continue;
        }
        for (_, _, value) in assignments(body) {
            let Some(value) = value.filter(|v| v.kind_name() == "call") else { continue };
            for n in descendants(value) {
                let text = match n.kind_name() {
                    "identifier" => cx.src.node_text(n),
                    _ => continue,
                };
                if is_class_name(text) && !cx.models.contains_key(text) {
                    map.entry(text.to_owned()).or_default().push(name.clone());
                }
            }
        }
    }
    // `RecipeManager = models.Manager.from_queryset(RecipeQuerySet)` at module level, the
    // manager a model names: the queryset serves the same models.
    for (target, _, value) in assignments(root) {
        let Some(models) = map.get(cx.src.node_text(target)).cloned() else { continue };
        let Some(value) = value.filter(|v| v.kind_name() == "call") else { continue };
        for n in descendants(value) {
            let text = cx.src.node_text(n);
            if n.kind_name() == "identifier" && is_class_name(text) && !cx.models.contains_key(text) {
                let entry = map.entry(text.to_owned()).or_default();
                for m in &models {
                    if !entry.contains(m) {
                        entry.push(m.clone());
                    }
                }
            }
        }
    }
    // Methods of a base QuerySet run on the subclasses' models as well.
    for _ in 0..4 {
        let snapshot = map.clone();
        for (class, models) in &snapshot {
            for base in bases_of.get(class).into_iter().flatten() {
                if bases_of.contains_key(base) {
                    let entry = map.entry(base.clone()).or_default();
                    for m in models {
                        if !entry.contains(m) {
                            entry.push(m.clone());
                        }
                    }
                }
            }
        }
    }
    map
}

/// The scope of the bindings that give a custom QuerySet or Manager declared in another file
/// (`cookbook/managers.py`) the models that use it: bound under the class's name.
pub(super) const QUERYSET_SCOPE: &str = "class:django:queryset";

/// Whether a class name reads as a custom QuerySet or Manager (`RecipeQuerySet`,
/// `ActiveManager`).
pub(super) fn is_queryset_class(name: &str) -> bool {
    name.ends_with("QuerySet") || name.ends_with("Queryset") || name.ends_with("Manager")
}

/// The custom QuerySets and Managers a model of this file uses that the file does not declare
/// (imported from `managers.py`), as bindings of [`QUERYSET_SCOPE`]: `self.filter(…)` in their
/// methods runs on those models.
pub(super) fn queryset_bindings(cx: &Ctx<'_>, root: Node<'_>) -> Vec<Binding> {
    let declared: BTreeSet<&str> =
        class_defs(root).into_iter().filter_map(|(c, _)| c.field("name")).map(|n| cx.src.node_text(n)).collect();
    let mut out = Vec::new();
    for (class, models) in &cx.querysets {
        if declared.contains(class.as_str()) || !is_queryset_class(class) {
            continue;
        }
        for m in models.iter().filter_map(|m| cx.models.get(m)) {
            out.push(Binding {
                scope: QUERYSET_SCOPE.to_owned(),
                name: class.clone(),
                root: Root::Model { model: m.class.clone() },
                path: Vec::new(),
            });
        }
    }
    out
}

/// The relations among `fields`, as associations: a foreign key or one-to-one reads its column, a
/// many-to-many its join table; each gives the related model an accessor back.
fn associations(fields: &[Field]) -> Vec<Association> {
    fields
        .iter()
        .filter_map(|f| {
            let (model, many, foreign_key) = match &f.kind {
                FieldKind::Column { fk_target: Some(t), column, .. } => (t.clone(), false, Some(column.clone())),
                FieldKind::ManyToMany { target: Some(t), .. } => (t.clone(), true, None),
                _ => return None,
            };
            Some(Association {
                name: f.attr.clone(),
                model,
                many,
                foreign_key,
                inverse: f.inverse.clone(),
                associated_keys: Vec::new(),
            })
        })
        .collect()
}

/// `django.contrib.auth`'s `User`, when the settings in this file install the app and name no
/// other user model: the app's relations to it (`OneToOneField(User, related_name="profile")`)
/// and `request.user` then reach it like any model of the app.
pub(super) fn contrib_user(cx: &Ctx<'_>, root: Node<'_>) -> Option<ModelDecl> {
    let settings = assignments(root);
    if settings.iter().any(|(t, _, _)| cx.src.node_text(*t) == "AUTH_USER_MODEL") {
        return None;
    }
    let (target, _, value) = settings.into_iter().find(|(t, _, _)| cx.src.node_text(*t) == "INSTALLED_APPS")?;
    string_items(&cx.src, value?).iter().any(|(app, _)| app == "django.contrib.auth").then_some(())?;
    let (line, column) = cx.src.pos(target.start_byte());
    Some(ModelDecl {
        framework: Framework::Django,
        class: "auth.User".into(),
        parent: None,
        table: Some("auth_user".into()),
        is_abstract: false,
        ignored_columns: Vec::new(),
        fields: Vec::new(),
        associations: Vec::new(),
        mixins: Vec::new(),
        line,
        column,
        snippet: cx.src.snippet(target.start_byte()),
    })
}

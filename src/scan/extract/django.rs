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

use std::collections::{BTreeMap, BTreeSet};

use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::scan::extract::python::{
    Args, Import, args, assignments, bases, callee, class_defs, from_imports, inner_class_body, is_class_name,
    last_segment, method_names, string_items,
};
use crate::scan::extract::treesit::{self, SqlString, Src, descendants, named_children, string_value};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{FileFacts, Hit, ModelDecl, Target};
use crate::scan::reference::RefKind;

pub struct Django;

impl Extractor for Django {
    fn id(&self) -> &'static str {
        "django"
    }

    fn version(&self) -> u32 {
        1
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

/// Base classes that make a class a Django model even when declared in another package.
const MODEL_BASES: &[&str] = &[
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

/// QuerySet methods whose keyword arguments are field lookups.
const KEYWORD_METHODS: &[&str] = &[
    "filter",
    "exclude",
    "get",
    "get_or_create",
    "update_or_create",
    "create",
    "update",
    "aget",
    "acreate",
    "aupdate",
    "aget_or_create",
    "aupdate_or_create",
];

/// QuerySet methods whose string arguments are field paths.
const STRING_METHODS: &[&str] = &[
    "values",
    "values_list",
    "order_by",
    "only",
    "defer",
    "select_related",
    "distinct",
    "latest",
    "earliest",
    "dates",
    "datetimes",
];

/// Methods whose keyword names are new aliases, not fields.
const ALIAS_METHODS: &[&str] = &["annotate", "aggregate", "alias"];

/// Expressions whose string arguments are field paths (for `Extract`/`Trunc` only the first).
const EXPRESSIONS: &[&str] = &[
    "F",
    "Count",
    "Sum",
    "Avg",
    "Min",
    "Max",
    "StdDev",
    "Variance",
    "Lower",
    "Upper",
    "Length",
    "Trim",
    "Coalesce",
    "Concat",
    "Greatest",
    "Least",
    "NullIf",
    "Abs",
    "Round",
    "ArrayAgg",
    "StringAgg",
    "JSONBAgg",
    "BoolAnd",
    "BoolOr",
];
const FIRST_ARG_EXPRESSIONS: &[&str] = &[
    "Cast",
    "Extract",
    "ExtractYear",
    "ExtractMonth",
    "ExtractDay",
    "ExtractWeekDay",
    "ExtractHour",
    "Trunc",
    "TruncDate",
    "TruncDay",
    "TruncWeek",
    "TruncMonth",
    "TruncQuarter",
    "TruncYear",
    "TruncHour",
    "Collate",
];

/// Field lookups and transforms that may follow a field in `a__b` paths.
const LOOKUPS: &[&str] = &[
    "exact",
    "iexact",
    "contains",
    "icontains",
    "in",
    "gt",
    "gte",
    "lt",
    "lte",
    "startswith",
    "istartswith",
    "endswith",
    "iendswith",
    "range",
    "date",
    "year",
    "month",
    "day",
    "week",
    "week_day",
    "iso_week_day",
    "quarter",
    "time",
    "hour",
    "minute",
    "second",
    "isnull",
    "regex",
    "iregex",
    "search",
    "unaccent",
    "trigram_similar",
    "has_key",
    "has_keys",
    "has_any_keys",
    "contained_by",
    "overlap",
    "len",
];

/// Admin options whose values list field names.
const ADMIN_LISTS: &[&str] = &[
    "list_display",
    "list_display_links",
    "list_filter",
    "list_editable",
    "list_select_related",
    "search_fields",
    "ordering",
    "readonly_fields",
    "fields",
    "exclude",
    "raw_id_fields",
    "autocomplete_fields",
    "filter_horizontal",
    "filter_vertical",
    "sortable_by",
    "date_hierarchy",
];

#[derive(Debug, Clone)]
struct Field {
    attr: String,
    offset: usize,
    kind: FieldKind,
}

#[derive(Debug, Clone)]
enum FieldKind {
    NotColumn,
    Column { column: String, primary_key: bool, fk_target: Option<String> },
    ManyToMany { target: Option<String>, db_table: Option<String>, through: bool },
}

#[derive(Debug, Clone)]
struct Model {
    local: String,
    class: String,
    app_label: String,
    parent_local: Option<String>,
    parent_written: Option<String>,
    db_table: Option<String>,
    is_abstract: bool,
    proxy: bool,
    fields: Vec<Field>,
    name_offset: usize,
}

struct Ctx<'a> {
    src: Src<'a>,
    /// Directories of the file's path, `/`-separated components.
    dirs: Vec<&'a str>,
    imports: Vec<Import>,
    models: BTreeMap<String, Model>,
    hits: Vec<Hit>,
    sql: Vec<SqlString>,
    /// Annotation aliases of the chain being read; field paths starting with one are skipped.
    aliases: Vec<String>,
    /// Custom QuerySet/Manager classes of this file → the model classes (local names) using them.
    querysets: BTreeMap<String, Vec<String>>,
}

fn collect(path: &str, source: &str) -> (FileFacts, Vec<SqlString>) {
    let Some(tree) = treesit::parse(source, &tree_sitter_python::LANGUAGE.into()) else {
        return (FileFacts::default(), Vec::new());
    };
    let root = tree.root_node();
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let file = parts.pop().unwrap_or("");
    let mut cx = Ctx {
        src: Src::new(source),
        dirs: parts,
        imports: Vec::new(),
        models: BTreeMap::new(),
        hits: Vec::new(),
        sql: Vec::new(),
        aliases: Vec::new(),
        querysets: BTreeMap::new(),
    };
    cx.imports = from_imports(&cx.src, root);

    let in_models = file == "models.py" || cx.dirs.last() == Some(&"models");
    let mut decls = Vec::new();
    if in_models {
        read_models(&mut cx, root);
        cx.querysets = querysets(&cx, root);
        decls = model_decls(&mut cx);
    }
    let registrations = admin_registrations(&cx, root);
    for (class, decorators) in all_classes(root) {
        class_options(&mut cx, class, &decorators, &registrations);
    }
    for node in descendants(root) {
        if node.kind() == "call" {
            call_use(&mut cx, node);
        } else if node.kind() == "concatenated_string"
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
    (FileFacts { hits: cx.hits, models: decls, ..FileFacts::default() }, cx.sql)
}

fn all_classes(root: Node<'_>) -> Vec<(Node<'_>, Vec<Node<'_>>)> {
    let mut out = class_defs(root);
    let mut i = 0;
    while i < out.len() {
        if let Some(body) = out[i].0.child_by_field_name("body") {
            let nested = class_defs(body);
            out.extend(nested);
        }
        i += 1;
    }
    out
}

impl Ctx<'_> {
    /// The app label of the file's app: the folder holding `models.py`, or holding `models/`.
    fn file_app_label(&self) -> String {
        let mut dirs = self.dirs.clone();
        if dirs.last() == Some(&"models") {
            dirs.pop();
        }
        dirs.last().map_or_else(String::new, |d| (*d).to_owned())
    }

    /// How other code names the model class `local` as seen from this file.
    fn model_ref(&self, local: &str) -> String {
        if let Some(m) = self.models.get(local) {
            return m.class.clone();
        }
        if let Some(import) = self.imports.iter().find(|i| i.local == local) {
            let mut full: Vec<String> = Vec::new();
            if import.level > 0 {
                let keep = self.dirs.len().saturating_sub(import.level - 1);
                full.extend(self.dirs[..keep].iter().map(|d| (*d).to_owned()));
            }
            full.extend(import.module.iter().cloned());
            if let Some(i) = full.iter().rposition(|c| c == "models")
                && i > 0
            {
                return format!("{}.{}", full[i - 1], import.name);
            }
            return import.name.clone();
        }
        local.to_owned()
    }

    /// Whether this file knows `local` to be a model class: declared here, or imported from an
    /// app's `models` module.
    fn is_known_model(&self, local: &str) -> bool {
        self.models.get(local).is_some_and(|m| !m.is_abstract) || self.model_ref(local).contains('.')
    }

    /// A model named in a relation (`ForeignKey(User)`, `ForeignKey("auth.User")`,
    /// `ForeignKey("self")`).
    fn relation_target(&self, node: Node<'_>, this: &str, app_label: &str) -> Option<String> {
        match node.kind() {
            "identifier" => Some(self.model_ref(self.src.node_text(node))),
            "attribute" => {
                let text = self.src.node_text(node);
                (!text.contains("settings.")).then(|| self.model_ref(last_segment(text)))
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

    fn hit(&mut self, offset: usize, target: Target, kind: RefKind, confidence: Confidence) {
        let h = self.src.hit(offset, target, kind, confidence);
        self.hits.push(h);
    }
}

fn read_models(cx: &mut Ctx<'_>, root: Node<'_>) {
    let file_label = cx.file_app_label();
    for (class, _) in class_defs(root) {
        let (Some(name), Some(body)) = (class.child_by_field_name("name"), class.child_by_field_name("body")) else {
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

enum FieldClass {
    /// A model attribute that maps no column of this table (generic relations).
    NotColumn,
    Column,
    ForeignKey,
    ManyToMany,
}

fn field_kind_name(name: &str) -> Option<FieldClass> {
    match name {
        "ForeignKey" | "OneToOneField" | "ParentalKey" | "TreeForeignKey" | "TreeOneToOneField" => {
            Some(FieldClass::ForeignKey)
        }
        "ManyToManyField" | "ParentalManyToManyField" | "TreeManyToManyField" => Some(FieldClass::ManyToMany),
        // Not columns: generic relations live in other tables or in two other fields.
        "GenericForeignKey" | "GenericRelation" => Some(FieldClass::NotColumn),
        n if n.ends_with("Field") => Some(FieldClass::Column),
        _ => None,
    }
}

fn read_field(cx: &Ctx<'_>, target: Node<'_>, value: Node<'_>, this: &str, app_label: &str) -> Option<Field> {
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
    Some(Field { attr, offset: target.start_byte(), kind })
}

/// Fields a model has from its abstract ancestors declared in this file, then its own.
fn all_fields(models: &BTreeMap<String, Model>, model: &Model) -> Vec<Field> {
    let mut chain = vec![model];
    let mut seen = BTreeSet::new();
    let mut cur = model;
    while let Some(p) = cur.parent_local.as_ref().and_then(|p| models.get(p)) {
        if !p.is_abstract || !seen.insert(p.local.clone()) {
            break;
        }
        chain.push(p);
        cur = p;
    }
    let mut out: Vec<Field> = Vec::new();
    for m in chain.iter().rev() {
        for f in &m.fields {
            // A child redeclaring a field replaces the inherited one.
            out.retain(|g| g.attr != f.attr);
            out.push(f.clone());
        }
    }
    out
}

fn default_table(m: &Model) -> String {
    m.db_table.clone().unwrap_or_else(|| format!("{}_{}", m.app_label, m.local.to_lowercase()))
}

/// The table a model maps, following proxies to their concrete parent in this file.
fn table_of(models: &BTreeMap<String, Model>, m: &Model) -> Option<String> {
    if m.is_abstract {
        return None;
    }
    if m.proxy {
        let parent = models.get(m.parent_local.as_ref()?)?;
        return table_of(models, parent);
    }
    Some(default_table(m))
}

fn model_decls(cx: &mut Ctx<'_>) -> Vec<ModelDecl> {
    let models: Vec<Model> = cx.models.values().cloned().collect();
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
            associations: Vec::new(),
            mixins: Vec::new(),
            line,
            column,
            snippet: cx.src.snippet(m.name_offset),
        });
    }
    decls
}

/// Custom managers and querysets: `objects = PostQuerySet.as_manager()`, `objects =
/// PostManager()`, `PostManager.from_queryset(PostQuerySet)()` in a model body; a base
/// QuerySet class serves the models of its subclasses too.
fn querysets(cx: &Ctx<'_>, root: Node<'_>) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut bases_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (class, _) in class_defs(root) {
        let (Some(name), Some(body)) = (class.child_by_field_name("name"), class.child_by_field_name("body")) else {
            continue;
        };
        let name = cx.src.node_text(name).to_owned();
        bases_of.insert(name.clone(), bases(&cx.src, class).iter().map(|b| last_segment(b).to_owned()).collect());
        if !cx.models.contains_key(&name) {
            continue;
        }
        for (_, _, value) in assignments(body) {
            let Some(value) = value.filter(|v| v.kind() == "call") else { continue };
            for n in descendants(value) {
                let text = match n.kind() {
                    "identifier" => cx.src.node_text(n),
                    _ => continue,
                };
                if is_class_name(text) && !cx.models.contains_key(text) {
                    map.entry(text.to_owned()).or_default().push(name.clone());
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

/// `admin.site.register(User, UserAdmin)` at module level: admin class → model classes.
fn admin_registrations(cx: &Ctx<'_>, root: Node<'_>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for node in named_children(root) {
        for call in named_children(node).into_iter().filter(|n| n.kind() == "call") {
            let Some(f) = callee(&cx.src, call) else { continue };
            if !f.ends_with("site.register") {
                continue;
            }
            let a = args(call);
            let (Some(models), Some(admin)) = (a.positional.first(), a.positional.get(1)) else { continue };
            let names: Vec<String> = match models.kind() {
                "list" | "tuple" => named_children(*models).iter().map(|n| cx.src.node_text(*n).to_owned()).collect(),
                _ => vec![cx.src.node_text(*models).to_owned()],
            };
            out.entry(cx.src.node_text(*admin).to_owned()).or_default().extend(names);
        }
    }
    out
}

/// Serializer / ModelForm / FilterSet `Meta` field lists and admin option lists.
fn class_options(
    cx: &mut Ctx<'_>,
    class: Node<'_>,
    decorators: &[Node<'_>],
    registrations: &BTreeMap<String, Vec<String>>,
) {
    let (Some(name), Some(body)) = (class.child_by_field_name("name"), class.child_by_field_name("body")) else {
        return;
    };
    let class_name = cx.src.node_text(name);
    // A `Meta` is read with the class that holds it.
    if cx.models.contains_key(class_name) || class_name == "Meta" {
        return;
    }
    let written = bases(&cx.src, class);
    let is_admin = written.iter().any(|b| {
        let l = last_segment(b);
        l.contains("Admin") || l.ends_with("Inline")
    });

    if is_admin {
        let mut models: Vec<String> = registrations.get(class_name).cloned().unwrap_or_default();
        for d in decorators {
            for call in descendants(*d).into_iter().filter(|n| n.kind() == "call") {
                if callee(&cx.src, call).is_some_and(|c| last_segment(c) == "register") {
                    models.extend(args(call).positional.iter().map(|n| cx.src.node_text(*n).to_owned()));
                }
            }
        }
        let body_assigns = assignments(body);
        for (t, _, v) in &body_assigns {
            if cx.src.node_text(*t) == "model"
                && let Some(v) = v
            {
                models.push(last_segment(cx.src.node_text(*v)).to_owned());
            }
        }
        let methods = method_names(&cx.src, body);
        let refs: Vec<String> = models.iter().filter(|m| is_class_name(m)).map(|m| cx.model_ref(m)).collect();
        for (t, _, v) in body_assigns {
            let Some(v) = v else { continue };
            let opt = cx.src.node_text(t);
            let mut items = Vec::new();
            if ADMIN_LISTS.contains(&opt) {
                items = string_items(&cx.src, v);
            } else if opt == "prepopulated_fields" || opt == "radio_fields" {
                items = dict_strings(&cx.src, v, opt == "prepopulated_fields");
            } else if opt == "fieldsets" {
                for d in descendants(v).into_iter().filter(|n| n.kind() == "pair") {
                    if d.child_by_field_name("key")
                        .and_then(|k| string_value(&cx.src, k))
                        .is_some_and(|(k, _)| k == "fields")
                        && let Some(val) = d.child_by_field_name("value")
                    {
                        items.extend(descendants(val).into_iter().filter_map(|n| string_value(&cx.src, n)));
                    }
                }
            }
            for (item, offset) in items {
                let path = item.trim_start_matches(['^', '=', '@', '-']);
                if methods.contains(&path) || path.starts_with("__") {
                    continue;
                }
                let offset = offset + (item.len() - path.len());
                for model in &refs {
                    lookup(cx, model, path, offset, Confidence::High);
                }
            }
        }
        return;
    }

    // Generic views: `class PostUpdate(UpdateView): model = Post; fields = [...]`.
    let body_assigns = assignments(body);
    let view_model = body_assigns
        .iter()
        .find(|(t, _, _)| cx.src.node_text(*t) == "model")
        .and_then(|(_, _, v)| *v)
        .filter(|v| v.kind() == "identifier" || v.kind() == "attribute")
        .map(|v| last_segment(cx.src.node_text(v)).to_owned())
        .filter(|m| is_class_name(m));
    if let Some(model) = view_model {
        let model = cx.model_ref(&model);
        for (t, _, v) in &body_assigns {
            let Some(v) = v else { continue };
            let items = match cx.src.node_text(*t) {
                "fields" | "ordering" => string_items(&cx.src, *v),
                "slug_field" | "date_field" => string_value(&cx.src, *v).into_iter().collect(),
                _ => continue,
            };
            for (item, offset) in items {
                if item != "__all__" {
                    lookup(cx, &model, &item, offset, Confidence::High);
                }
            }
        }
    }

    let Some(meta) = inner_class_body(&cx.src, body, "Meta") else { return };
    let meta_assigns = assignments(meta);
    let Some(model) = meta_assigns
        .iter()
        .find(|(t, _, _)| cx.src.node_text(*t) == "model")
        .and_then(|(_, _, v)| *v)
        .map(|v| last_segment(cx.src.node_text(v)).to_owned())
        .filter(|m| is_class_name(m))
    else {
        return;
    };
    let model = cx.model_ref(&model);
    // Fields the serializer computes itself name no model attribute.
    let computed: Vec<String> = assignments(body)
        .into_iter()
        .filter(|(_, _, v)| {
            v.is_some_and(|v| {
                callee(&cx.src, v).is_some_and(|c| c.ends_with("MethodField"))
                    || (v.kind() == "call" && args(v).keyword(&cx.src, "source").is_some())
            })
        })
        .map(|(t, _, _)| cx.src.node_text(t).to_owned())
        .collect();
    for (t, _, v) in meta_assigns {
        let Some(v) = v else { continue };
        let opt = cx.src.node_text(t);
        let items = match opt {
            // django-filter also takes `fields = {"email": ["exact", "icontains"]}`.
            "fields" if v.kind() == "dictionary" => dict_strings(&cx.src, v, false),
            "fields" | "exclude" | "read_only_fields" => string_items(&cx.src, v),
            "extra_kwargs" => dict_strings(&cx.src, v, false),
            _ => continue,
        };
        for (item, offset) in items {
            if item == "__all__" || computed.contains(&item) {
                continue;
            }
            lookup(cx, &model, &item, offset, Confidence::High);
        }
    }
}

/// String keys of a dict literal (and string items of its values when `values`).
fn dict_strings(src: &Src<'_>, node: Node<'_>, values: bool) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    if node.kind() != "dictionary" {
        return out;
    }
    for pair in named_children(node).into_iter().filter(|n| n.kind() == "pair") {
        if let Some(k) = pair.child_by_field_name("key").and_then(|k| string_value(src, k)) {
            out.push(k);
        }
        if values && let Some(v) = pair.child_by_field_name("value") {
            out.extend(string_items(src, v));
        }
    }
    out
}

/// A field path used against `model` (`author__name__icontains`, `-created`): the first part is
/// a field of the model; the next one a field of the related model when this file knows it.
fn lookup(cx: &mut Ctx<'_>, model: &str, path: &str, offset: usize, confidence: Confidence) {
    let (path, offset) = match path.strip_prefix('-') {
        Some(p) => (p, offset + 1),
        None => (path, offset),
    };
    let mut parts = path.split("__");
    let Some(first) = parts.next().filter(|f| is_field_name(f)) else { return };
    if cx.aliases.iter().any(|a| a == first) {
        return;
    }
    cx.hit(
        offset,
        Target::ModelColumn { model: model.to_owned(), column: first.to_owned() },
        RefKind::Query,
        confidence,
    );
    let Some(second) = parts.next().filter(|s| is_field_name(s) && !LOOKUPS.contains(s)) else { return };
    let related = cx.models.values().find(|m| m.class == model).and_then(|m| {
        m.fields.iter().find(|f| f.attr == first).and_then(|f| match &f.kind {
            FieldKind::Column { fk_target, .. } => fk_target.clone(),
            FieldKind::ManyToMany { target, .. } => target.clone(),
            FieldKind::NotColumn => None,
        })
    });
    if let Some(related) = related {
        cx.hit(
            offset + first.len() + 2,
            Target::ModelColumn { model: related, column: second.to_owned() },
            RefKind::Query,
            confidence,
        );
    }
}

fn is_field_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s != "?"
}

/// The model a call chain is rooted at: `User.objects.filter(…).order_by(…)` → `User`.
fn chain_model<'a>(src: &Src<'a>, call: Node<'_>) -> Option<&'a str> {
    let mut node = call.child_by_field_name("function")?.child_by_field_name("object")?;
    loop {
        match node.kind() {
            "call" => node = node.child_by_field_name("function")?,
            "attribute" => {
                let object = node.child_by_field_name("object")?;
                let attr = src.node_text(node.child_by_field_name("attribute")?);
                let manager = attr == "objects"
                    || attr.ends_with("_objects")
                    || attr == "_default_manager"
                    || attr == "_base_manager";
                if manager && object.kind() == "identifier" {
                    let name = src.node_text(object);
                    return is_class_name(name).then_some(name);
                }
                node = object;
            }
            _ => return None,
        }
    }
}

fn call_use(cx: &mut Ctx<'_>, call: Node<'_>) {
    let Some(function) = call.child_by_field_name("function") else { return };
    let name = match function.kind() {
        "attribute" => function.child_by_field_name("attribute").map_or("", |a| cx.src.node_text(a)),
        _ => cx.src.node_text(function),
    };
    let a = args(call);

    // Raw SQL entry points.
    if matches!(name, "raw" | "execute" | "executemany" | "RawSQL")
        && let Some(first) = a.positional.first()
        && let Some(s) = treesit::python_sql(&cx.src, *first)
    {
        cx.sql.push(s);
    }
    if name == "extra" {
        for key in ["where", "select"] {
            if let Some(v) = a.keyword(&cx.src, key) {
                for n in descendants(v) {
                    if n.kind() == "string"
                        && let Some((sql, offset)) = string_value(&cx.src, n)
                    {
                        let is_key =
                            n.parent().is_some_and(|p| p.kind() == "pair" && p.child_by_field_name("key") == Some(n));
                        if !is_key {
                            cx.sql.push(SqlString::plain(sql, offset));
                        }
                    }
                }
            }
        }
    }

    // `Post(title=…)`: a model's constructor takes its fields.
    if function.kind() == "identifier" && is_class_name(name) && cx.is_known_model(name) {
        let model = cx.model_ref(name);
        cx.aliases.clear();
        for (k, _) in &a.keywords {
            let key = cx.src.node_text(*k);
            lookup(cx, &model, key, k.start_byte(), Confidence::High);
        }
        return;
    }

    let model = if matches!(name, "get_object_or_404" | "get_list_or_404") && function.kind() == "identifier" {
        a.positional
            .first()
            .filter(|n| n.kind() == "identifier")
            .map(|n| cx.src.node_text(*n))
            .filter(|n| is_class_name(n))
    } else if function.kind() == "attribute" {
        chain_model(&cx.src, call)
    } else {
        None
    };
    let models: Vec<String> = match model {
        Some(m) => vec![cx.model_ref(m)],
        // `self.filter(…)` in a custom QuerySet or Manager: the models that use it.
        None if function.kind() == "attribute" && chain_on_self(&cx.src, call) => enclosing_class(&cx.src, call)
            .and_then(|c| cx.querysets.get(c))
            .map(|ms| ms.iter().filter_map(|m| cx.models.get(m)).map(|m| m.class.clone()).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    };
    for model in models {
        chain_call(cx, call, name, &a, &model);
    }
}

/// Whether a call chain starts at `self` or `super()`.
fn chain_on_self(src: &Src<'_>, call: Node<'_>) -> bool {
    let mut node = call.child_by_field_name("function").and_then(|f| f.child_by_field_name("object"));
    while let Some(n) = node {
        node = match n.kind() {
            "call" => {
                let f = n.child_by_field_name("function");
                if f.is_some_and(|f| src.node_text(f) == "super") {
                    return true;
                }
                f
            }
            "attribute" => n.child_by_field_name("object"),
            "identifier" => return src.node_text(n) == "self",
            _ => return false,
        };
    }
    false
}

/// The name of the class whose method contains `node`.
fn enclosing_class<'a>(src: &Src<'a>, node: Node<'_>) -> Option<&'a str> {
    let mut n = node.parent();
    while let Some(p) = n {
        if p.kind() == "class_definition" {
            return p.child_by_field_name("name").map(|id| src.node_text(id));
        }
        n = p.parent();
    }
    None
}

/// The field names one QuerySet call on `model` uses.
fn chain_call(cx: &mut Ctx<'_>, call: Node<'_>, name: &str, a: &Args<'_>, model: &str) {
    let model = model.to_owned();
    cx.aliases = chain_aliases(&cx.src, call).into_iter().map(str::to_owned).collect();
    let shortcut = matches!(name, "get_object_or_404" | "get_list_or_404");

    if KEYWORD_METHODS.contains(&name) || shortcut {
        for (k, v) in &a.keywords {
            let key = cx.src.node_text(*k);
            if key == "defaults" || key == "create_defaults" {
                for (item, offset) in dict_strings(&cx.src, *v, false) {
                    lookup(cx, &model, &item, offset, Confidence::High);
                }
            } else {
                lookup(cx, &model, key, k.start_byte(), Confidence::High);
            }
            expressions(cx, &model, *v);
        }
        for p in a.positional.iter().skip(usize::from(shortcut)) {
            expressions(cx, &model, *p);
        }
    } else if STRING_METHODS.contains(&name) {
        let limit = if matches!(name, "dates" | "datetimes") { 1 } else { usize::MAX };
        for p in a.positional.iter().take(limit) {
            if let Some((s, offset)) = string_value(&cx.src, *p) {
                lookup(cx, &model, &s, offset, Confidence::High);
            } else {
                expressions(cx, &model, *p);
            }
        }
        for (_, v) in &a.keywords {
            expressions(cx, &model, *v);
        }
    } else if ALIAS_METHODS.contains(&name) {
        for p in &a.positional {
            expressions(cx, &model, *p);
        }
        for (_, v) in &a.keywords {
            expressions(cx, &model, *v);
        }
    } else if name == "bulk_update" || name == "bulk_create" {
        for (k, v) in &a.keywords {
            let key = cx.src.node_text(*k);
            if key == "fields" || key == "update_fields" || key == "unique_fields" {
                for (item, offset) in string_items(&cx.src, *v) {
                    lookup(cx, &model, &item, offset, Confidence::High);
                }
            }
        }
        if name == "bulk_update"
            && let Some(fields) = a.positional.get(1)
        {
            for (item, offset) in string_items(&cx.src, *fields) {
                lookup(cx, &model, &item, offset, Confidence::High);
            }
        }
    }
}

/// Names a chain defines before `call` (`annotate(n=Count(…))`, `alias(…)`, `values(total=…)`):
/// later `filter(n__gt=1)` / `order_by("-n")` name these, not fields.
fn chain_aliases<'a>(src: &Src<'a>, call: Node<'_>) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut node = call.child_by_field_name("function").and_then(|f| f.child_by_field_name("object"));
    while let Some(n) = node {
        node = match n.kind() {
            "call" => {
                let f = n.child_by_field_name("function");
                let method = f.and_then(|f| f.child_by_field_name("attribute")).map(|a| src.node_text(a));
                if method.is_some_and(|m| ALIAS_METHODS.contains(&m) || m == "values" || m == "values_list") {
                    out.extend(args(n).keywords.iter().map(|(k, _)| src.node_text(*k)));
                }
                f
            }
            "attribute" => n.child_by_field_name("object"),
            _ => None,
        };
    }
    out
}

/// `F("x")`, `Q(x=…)`, aggregates and functions inside the arguments of a chain on `model`.
fn expressions(cx: &mut Ctx<'_>, model: &str, node: Node<'_>) {
    for call in descendants(node).into_iter().filter(|n| n.kind() == "call") {
        let Some(f) = callee(&cx.src, call) else { continue };
        let f = last_segment(f);
        let a = args(call);
        if f == "Q" {
            for (k, _) in &a.keywords {
                let key = cx.src.node_text(*k);
                lookup(cx, model, key, k.start_byte(), Confidence::High);
            }
        } else if EXPRESSIONS.contains(&f) || FIRST_ARG_EXPRESSIONS.contains(&f) {
            let limit = if FIRST_ARG_EXPRESSIONS.contains(&f) { 1 } else { usize::MAX };
            for p in a.positional.iter().take(limit) {
                if let Some((s, offset)) = string_value(&cx.src, *p) {
                    lookup(cx, model, &s, offset, Confidence::High);
                }
            }
        }
    }
}

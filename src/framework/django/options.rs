//! Classes that list a model's fields by name: `ModelAdmin` options, `ModelForm` / DRF serializer
//! / FilterSet `Meta`, generic class-based views.

use crate::grammar::NodeExt;
use std::collections::BTreeMap;

use tree_sitter::Node;

use super::extract::Ctx;
use super::lookups::{dict_strings, is_field_name, lookup};
use super::names::{block_of, strings_of, strings_of_name};
use super::receivers::{Env, META_SCOPE, Rec};
use crate::config::Confidence;
use crate::scan::extract::python::{
    args, assignments, bases, callee, class_defs, inner_class_body, is_class_name, last_segment, method_names,
    string_items,
};
use crate::scan::extract::treesit::{descendants, descendants_outside, named_children, string_value};
use crate::scan::facts::{Binding, Root, Target};
use crate::scan::reference::RefKind;

/// Admin options whose values list field names.
pub(super) const ADMIN_LISTS: &[&str] = &[
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

/// `admin.site.register(User, UserAdmin)` at module level: admin class → model classes.
pub(super) fn admin_registrations(cx: &Ctx<'_>, root: Node<'_>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for node in named_children(root) {
        for call in named_children(node).into_iter().filter(|n| n.kind_name() == "call") {
            let Some(f) = callee(&cx.src, call) else { continue };
            if !f.ends_with("site.register") {
                continue;
            }
            let a = args(call);
            let (Some(models), Some(admin)) = (a.positional.first(), a.positional.get(1)) else { continue };
            let names: Vec<String> = match models.kind_name() {
                "list" | "tuple" => named_children(*models).iter().map(|n| cx.src.node_text(*n).to_owned()).collect(),
                _ => vec![cx.src.node_text(*models).to_owned()],
            };
            out.entry(cx.src.node_text(*admin).to_owned()).or_default().extend(names);
        }
    }
    out
}

/// Serializer / ModelForm / FilterSet `Meta` field lists and admin option lists.
pub(super) fn class_options(
    cx: &mut Ctx<'_>,
    class: Node<'_>,
    decorators: &[Node<'_>],
    registrations: &BTreeMap<String, Vec<String>>,
) {
    let (Some(name), Some(body)) = (class.field("name"), class.field("body")) else {
        return;
    };
    let class_name = cx.src.node_text(name);
    // A `Meta` is read with the class that holds it.
    if class_name == "Meta" {
        return;
    }
    if cx.models.contains_key(class_name) {
        // `clone_fields = ("device", "mtu")` on the model itself.
        let model = cx.model_ref(class_name);
        field_lists(cx, body, &model, false);
        model_meta(cx, body, &model);
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
            for call in descendants(*d).into_iter().filter(|n| n.kind_name() == "call") {
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
                models.push(cx.src.node_text(*v).to_owned());
            }
        }
        let methods = method_names(&cx.src, body);
        let refs: Vec<String> =
            models.iter().filter(|m| is_class_name(last_segment(m))).map(|m| cx.model_ref(m)).collect();
        let mut done: Vec<&str> = Vec::new();
        for (t, _, v) in body_assigns {
            let Some(v) = v else { continue };
            let opt = cx.src.node_text(t);
            let mut items = Vec::new();
            if ADMIN_LISTS.contains(&opt) {
                // Every value the option is given, `fields.append("x")` under an `if` included.
                if done.contains(&opt) {
                    continue;
                }
                done.push(opt);
                items = strings_of_name(&cx.src, opt, body);
            } else if opt == "prepopulated_fields" || opt == "radio_fields" {
                items = dict_strings(&cx.src, v, opt == "prepopulated_fields");
            } else if opt == "fieldsets" {
                for d in descendants(v).into_iter().filter(|n| n.kind_name() == "pair") {
                    if d.field("key").and_then(|k| string_value(&cx.src, k)).is_some_and(|(k, _)| k == "fields")
                        && let Some(val) = d.field("value")
                    {
                        // `{"fields": _profile_fields}`: a tuple the class holds.
                        items.extend(strings_of(&cx.src, val, body));
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
                    lookup(cx, &Rec::model(model.clone()), path, offset, Confidence::High);
                }
            }
        }
        return;
    }

    // strawberry-django: `@strawberry_django.type(models.Interface)` or `.filter_type(…)` over a
    // model; each annotated attribute (`wwn: str | None`, `phase: … = filter_field()`) is the
    // model's field of that name.
    if let Some(model) = decorators.iter().find_map(|d| strawberry_model(cx, *d)) {
        let model = cx.model_ref(&model);
        bind_mixins(cx, &written, &model);
        let rec = Rec::model(model);
        for (t, ty, _) in assignments(body) {
            let name = cx.src.node_text(t);
            if ty.is_some() && !name.starts_with('_') {
                lookup(cx, &rec, name, t.start_byte(), Confidence::Medium);
            }
        }
        return;
    }

    // Generic views and DRF viewsets: `class PostUpdate(UpdateView): model = Post; fields = [...]`,
    // `queryset = Post.objects.all(); filterset_fields = (...)`.
    let body_assigns = assignments(body);
    let view_model = body_assigns
        .iter()
        .find(|(t, _, _)| cx.src.node_text(*t) == "model")
        .and_then(|(_, _, v)| *v)
        .filter(|v| v.kind_name() == "identifier" || v.kind_name() == "attribute")
        .map(|v| cx.src.node_text(v).to_owned())
        .filter(|m| is_class_name(last_segment(m)))
        .map(|m| Rec::model(cx.model_ref(&m)))
        .or_else(|| {
            let (_, _, v) = body_assigns.iter().find(|(t, _, _)| cx.src.node_text(*t) == "queryset")?;
            cx.ty((*v)?, &Env::default()).map(|t| t.rec)
        })
        .or_else(|| cx.get_queryset_model(body).map(|m| Rec::model(cx.model_ref(&m))));
    let class_model = body_assigns
        .iter()
        .find(|(t, _, _)| cx.src.node_text(*t) == "model")
        .and_then(|(_, _, v)| *v)
        .filter(|v| v.kind_name() == "identifier" || v.kind_name() == "attribute")
        .map(|v| cx.src.node_text(v).to_owned())
        .filter(|m| is_class_name(last_segment(m)));
    if let Some(model) = &class_model {
        // A form naming its model outside a `Meta` (`model = Interface` on a bulk-edit form)
        // edits the model's fields as a model form does, unless it is a filter form (`…Filter…`
        // in its name or a base's), whose fields are query parameters: its lists count only as
        // a whole.
        let model = cx.model_ref(model);
        let is_form = written.iter().any(|b| last_segment(b).ends_with("Form"));
        let is_filter = class_name.contains("Filter") || written.iter().any(|b| b.contains("Filter"));
        if is_form && !is_filter {
            bind_mixins(cx, &written, &model);
            declared_fields(cx, body, &Rec::model(model.clone()));
        }
        field_lists(cx, body, &model, is_form && !is_filter);
    }
    let bound = view_model.is_some() || class_model.is_some();
    if let Some(rec) = &view_model {
        bind_serializers(cx, body, &body_assigns, rec);
    }
    if let Some(rec) = &view_model {
        // A generic editing view's `form_valid(self, form)`: `"capacity" in form.changed_data`,
        // `form.cleaned_data["x"]` name the fields of the form over the view's model, at medium
        // (a form may declare fields of its own).
        let keys = key_nodes(cx, body, |n| matches!(cx.src.node_text(n), "form.cleaned_data" | "form.changed_data"));
        for key in keys {
            cx.aliases = None;
            for (item, offset) in strings_of(&cx.src, key, block_of(key)) {
                if item.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                    lookup(cx, rec, &item, offset, Confidence::Medium);
                }
            }
        }
    }
    if let Some(rec) = view_model {
        for (t, _, v) in &body_assigns {
            let Some(v) = v else { continue };
            let items = match cx.src.node_text(*t) {
                n if VIEW_LISTS.contains(&n) => strings_of(&cx.src, *v, body),
                "slug_field" | "date_field" => string_value(&cx.src, *v).into_iter().collect(),
                _ => continue,
            };
            for (item, offset) in items {
                let path = item.trim_start_matches(['^', '=', '@']);
                if path != "__all__" {
                    lookup(cx, &rec, path, offset + (item.len() - path.len()), Confidence::High);
                }
            }
        }
    }

    // A form without a `Meta` of its own keeps the model of a base class's in this file
    // (`class PrefixBulkAddForm(PrefixForm): fieldsets = (…)`).
    let meta = inner_class_body(&cx.src, body, "Meta");
    let meta_assigns = meta.map(assignments).unwrap_or_default();
    let Some(model) = meta_model(cx, body, 0) else {
        // `class Meta(IssueSerializer.Meta)`, the base in another file: the class's records are
        // that class's.
        let base = meta
            .and_then(|m| m.parent())
            .and_then(|m| bases(&cx.src, m).into_iter().find_map(|b| b.strip_suffix(".Meta")).map(last_segment));
        if let Some(base) = base.filter(|b| is_class_name(b) && cx.inherited_meta(class).is_some()) {
            let root = Root::Binding { scopes: vec![META_SCOPE.to_owned()], name: base.to_owned(), guess: None };
            cx.bindings.push(Binding {
                scope: META_SCOPE.to_owned(),
                name: class_name.to_owned(),
                root,
                path: Vec::new(),
            });
        }
        if !bound {
            bound_serializer(cx, class_name, &written, body);
            mixin_fields(cx, class_name, &written, body, decorators);
            attribute_names(cx, body);
        }
        return;
    };
    let model = cx.model_ref(&model);
    bind_mixins(cx, &written, &model);
    cx.bindings.push(Binding {
        scope: META_SCOPE.to_owned(),
        name: class_name.to_owned(),
        root: Root::Model { model: model.clone() },
        path: Vec::new(),
    });
    let rec = Rec::model(model.clone());
    declared_fields(cx, body, &rec);
    form_field_keys(cx, body, &rec);
    // What a serializer's `validate(attrs)`, `create(validated_data)` and `update(instance,
    // validated_data)` read by key are the model's fields; so are the keys of the incoming
    // `data` its `run_validation(data)` / `to_internal_value(data)` read or rewrite
    // (`data["completed_at"] = timezone.now()`).
    for func in named_children(body).into_iter().filter_map(|n| match n.kind_name() {
        "function_definition" => Some(n),
        "decorated_definition" => n.field("definition"),
        _ => None,
    }) {
        let name = func.field("name").map(|n| cx.src.node_text(n)).unwrap_or("");
        let data = match name {
            "validate" => "attrs",
            "create" | "update" => "validated_data",
            "run_validation" | "to_internal_value" => "data",
            _ => continue,
        };
        for (key, offset) in keys_read(cx, func, data) {
            lookup(cx, &rec, &key, offset, Confidence::Medium);
        }
    }
    // Fields the serializer computes itself name no model attribute.
    let computed: Vec<String> = assignments(body)
        .into_iter()
        .filter(|(_, _, v)| {
            v.is_some_and(|v| {
                callee(&cx.src, v).is_some_and(|c| c.ends_with("MethodField"))
                    || (v.kind_name() == "call" && args(v).keyword(&cx.src, "source").is_some())
            })
        })
        .map(|(t, _, _)| cx.src.node_text(t).to_owned())
        .collect();
    // A crispy-forms layout of the form's fields: `self.helper.layout = Layout(Row(Column("brand",
    // css_class=…)), "fiber")`. A name the model lacks is a field of the form's own.
    for call in descendants(body).into_iter().filter(|n| n.kind_name() == "call") {
        if callee(&cx.src, call).is_some_and(|c| last_segment(c) == "Layout") {
            for (item, offset) in layout_names(cx, call, 0) {
                lookup(cx, &rec, &item, offset, Confidence::Medium);
            }
        }
    }
    if class_model.is_none() {
        // A model form's fields are its model's: each group of a layout stands on its own.
        field_lists(cx, body, &model, true);
    }
    // A form's own `fieldsets = [{"fields": [...]}]` lays out its model's fields.
    for (t, _, v) in assignments(body) {
        if cx.src.node_text(t) != "fieldsets" {
            continue;
        }
        let Some(v) = v else { continue };
        for pair in descendants(v).into_iter().filter(|n| n.kind_name() == "pair") {
            if pair.field("key").and_then(|k| string_value(&cx.src, k)).is_some_and(|(k, _)| k == "fields")
                && let Some(val) = pair.field("value")
            {
                for (item, offset) in string_items(&cx.src, val) {
                    lookup(cx, &Rec::model(model.clone()), &item, offset, Confidence::High);
                }
            }
        }
    }
    // The names of `Meta.fields`: another list of the `Meta` naming only these selects among the
    // same fields (a table's `default_columns`, a serializer's `brief_fields`).
    let field_names: Vec<String> = meta_assigns
        .iter()
        .find(|(t, _, v)| {
            cx.src.node_text(*t) == "fields" && v.is_some_and(|v| matches!(v.kind_name(), "tuple" | "list"))
        })
        .zip(meta)
        .map(|(_, meta)| strings_of_name(&cx.src, "fields", meta).into_iter().map(|(n, _)| n).collect())
        .unwrap_or_default();
    for (t, _, v) in meta_assigns {
        let (Some(v), Some(meta)) = (v, meta) else { continue };
        let opt = cx.src.node_text(t);
        let items = match opt {
            // django-filter also takes `fields = {"email": ["exact", "icontains"]}`.
            "fields" if v.kind_name() == "dictionary" => dict_strings(&cx.src, v, false),
            // `fields.append("picture")` under an `if`, `sorted(Base.Meta.fields + ["x"])`.
            "fields" | "exclude" | "read_only_fields" => strings_of_name(&cx.src, opt, meta),
            "extra_kwargs" | "widgets" | "labels" | "help_texts" => dict_strings(&cx.src, v, false),
            _ if matches!(v.kind_name(), "tuple" | "list" | "set") => {
                let items = string_items(&cx.src, v);
                let strings = !items.is_empty() && items.len() == named_children(v).len();
                // A list the `Meta` names after fields (`model_fields`, `public_fields`) lists
                // the model's fields whether or not `fields` holds them.
                let subset = items.iter().all(|(n, _)| field_names.contains(n));
                if !strings || !(subset || opt.ends_with("_fields")) {
                    continue;
                }
                items
            }
            _ => continue,
        };
        for (item, offset) in items {
            if item == "__all__" || computed.contains(&item) {
                continue;
            }
            lookup(cx, &Rec::model(model.clone()), &item, offset, Confidence::High);
        }
    }
}

/// The field names a crispy-forms layout object lists: its positional strings, and those of the
/// layout objects it nests (`Row`, `Column`, `Fieldset`, `Div`, `Field`, …); keyword values
/// (`css_class=`), markup (`HTML`), buttons and translated legends (`_("…")`) are none.
fn layout_names(cx: &Ctx<'_>, call: Node<'_>, depth: usize) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    if depth > 8 {
        return out;
    }
    for p in args(call).positional {
        match p.kind_name() {
            "call" => {
                let Some(c) = callee(&cx.src, p) else { continue };
                let c = last_segment(c);
                if is_class_name(c) && !matches!(c, "HTML" | "Submit" | "Button" | "Reset" | "Hidden") {
                    out.extend(layout_names(cx, p, depth + 1));
                }
            }
            _ => out.extend(string_value(&cx.src, p)),
        }
    }
    out
}

/// The options of a generic view, viewset or filter set that list its model's fields
/// (`filter_fields`: REST framework 2.x's and django-filter 1's name for `filterset_fields`).
const VIEW_LISTS: &[&str] =
    &["fields", "ordering", "filterset_fields", "filter_fields", "ordering_fields", "search_fields"];

/// Tuples and lists of names a class bound to `model` holds (`fieldsets = (FieldSet("device",
/// "mtu", name=_("Interface")), …)`, `nullable_fields = ("label", "mtu")`, `clone_fields`): the
/// model's fields when every name in one is a field of the model, which resolution checks (a
/// single other name says the list names something else: a filter form's query parameters, a
/// model's related app labels). Strings are read as [`layout_names`] reads a layout object's;
/// `by_group` makes each layout object of the list (`FieldSet(…)`) a list of its own.
fn field_lists(cx: &mut Ctx<'_>, body: Node<'_>, model: &str, by_group: bool) {
    // A group may mix the model's fields with fields the form declares itself
    // (`FieldSet('vrf', 'mask_length')` beside `mask_length = forms.IntegerField(…)`): those
    // are no evidence either way.
    let own: Vec<String> = if by_group {
        assignments(body)
            .into_iter()
            .filter(|(_, _, v)| v.is_some_and(|v| v.kind_name() == "call"))
            .map(|(t, _, _)| cx.src.node_text(t).to_owned())
            .collect()
    } else {
        Vec::new()
    };
    for (t, _, v) in assignments(body) {
        // A generic view's or viewset's own options are read as such (`class_options`), once.
        if VIEW_LISTS.contains(&cx.src.node_text(t)) {
            continue;
        }
        if let Some(v) = v.filter(|v| matches!(v.kind_name(), "tuple" | "list")) {
            name_list(cx, v, model, by_group, &own);
        }
    }
}

/// A call handed a model and a list of names, `form_from_model(Interface, ["type", "mtu"])`:
/// the model's fields under the same rule as [`field_lists`], the list taken whole. The class
/// need not be known as a model here (netbox imports its models with `*`): resolution drops a
/// class that is none.
pub(super) fn model_and_names(cx: &mut Ctx<'_>, call: Node<'_>) {
    let a = args(call);
    let [model, list] = a.positional[..] else { return };
    let local = cx.src.node_text(model);
    if matches!(model.kind_name(), "identifier" | "attribute")
        && matches!(list.kind_name(), "tuple" | "list")
        && is_class_name(last_segment(local))
    {
        let model = cx.model_ref(local);
        name_list(cx, list, &model, false, &[]);
    }
}

/// A pair of a model and one of its fields' names, `(Submission, "abstract")` (a table of
/// configurable fields later handed to `model._meta.get_field(name)`): that field, when the
/// class is a model this file knows and the name one of its fields.
pub(super) fn model_field_pair(cx: &mut Ctx<'_>, tuple: Node<'_>) {
    let [model, name] = named_children(tuple)[..] else { return };
    let local = cx.src.node_text(model);
    if !matches!(model.kind_name(), "identifier" | "attribute")
        || !is_class_name(last_segment(local))
        || !cx.is_known_model(local)
    {
        return;
    }
    let Some((name, offset)) = string_value(&cx.src, name).filter(|(n, _)| is_field_name(n) && !n.contains("__"))
    else {
        return;
    };
    let target = Target::FieldList { model: Some(cx.model_ref(local)), column: name.clone(), list: vec![name] };
    cx.hit(offset, target, RefKind::Query, Confidence::Medium);
}

/// A serializer given the fields to show, `IPAddressSerializer(nested=True, fields=['dns_name',
/// 'nat_inside'])` (REST framework's dynamic-fields serializer): the names are fields of the
/// serializer's model, which is not known here (the class is usually another file's), so of the
/// one model that has every one of them ([`Target::FieldList`] without a model). Unpacked
/// lists (`*X.Meta.brief_fields`) and lookup paths name none.
pub(super) fn serializer_fields(cx: &mut Ctx<'_>, call: Node<'_>) {
    if !callee(&cx.src, call).is_some_and(|c| last_segment(c).ends_with("Serializer")) {
        return;
    }
    let Some(list) = args(call).keyword(&cx.src, "fields").filter(|v| matches!(v.kind_name(), "tuple" | "list")) else {
        return;
    };
    let names: Vec<(String, usize)> =
        string_items(&cx.src, list).into_iter().filter(|(n, _)| is_field_name(n) && !n.contains("__")).collect();
    if names.is_empty() {
        return;
    }
    let list: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
    for (name, offset) in names {
        let target = Target::FieldList { model: None, column: name, list: list.clone() };
        cx.hit(offset, target, RefKind::Query, Confidence::Medium);
    }
}

/// The names of one tuple or list literal (`v`), each a [`Target::FieldList`] of `model`; the
/// names in `own` are left out of the list the model is checked against.
fn name_list(cx: &mut Ctx<'_>, v: Node<'_>, model: &str, by_group: bool, own: &[String]) {
    let mut groups: Vec<Vec<(String, usize)>> = vec![Vec::new()];
    for item in named_children(v) {
        match item.kind_name() {
            "call" => {
                let Some(c) = callee(&cx.src, item).map(last_segment) else { continue };
                if !is_class_name(c) || matches!(c, "HTML" | "Submit" | "Button" | "Reset" | "Hidden") {
                    continue;
                }
                let names = layout_names(cx, item, 1);
                if by_group {
                    groups.push(names);
                } else {
                    groups[0].extend(names);
                }
            }
            _ => groups[0].extend(string_value(&cx.src, item)),
        }
    }
    for names in groups.into_iter().filter(|g| !g.is_empty()) {
        if !names.iter().all(|(n, _)| is_field_name(n) && !n.contains("__")) {
            continue;
        }
        let list: Vec<String> = names.iter().map(|(n, _)| n.clone()).filter(|n| !own.contains(n)).collect();
        for (name, offset) in &names {
            let target = Target::FieldList { model: Some(model.to_owned()), column: name.clone(), list: list.clone() };
            cx.hit(*offset, target, RefKind::Query, Confidence::Medium);
        }
    }
}

/// A class bound to no model whose attributes each name an attribute of the object it presents
/// (a detail panel's `facility = attrs.TextAttr('facility')`, `tz = attrs.TimezoneAttr('time_zone')`):
/// the names are the fields of the one model that has every one of them, if one does
/// ([`Target::FieldList`] without a model). Only calls of a class with a lower-case name as first
/// argument count, two at least: `title = _('Behavior')` and `name = Column('Name')` name none.
fn attribute_names(cx: &mut Ctx<'_>, body: Node<'_>) {
    let mut names: Vec<(String, usize)> = Vec::new();
    for (_, _, v) in assignments(body) {
        let Some(v) = v.filter(|v| v.kind_name() == "call") else { continue };
        if !callee(&cx.src, v).is_some_and(|c| is_class_name(last_segment(c))) {
            continue;
        }
        if let Some((name, offset)) = args(v).positional.first().and_then(|p| string_value(&cx.src, *p))
            && is_field_name(&name)
            && !name.starts_with('_')
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            names.push((name, offset));
        }
    }
    if names.len() < 2 {
        return;
    }
    let list: Vec<String> = names.iter().map(|(n, _)| n.clone()).collect();
    for (name, offset) in names {
        let target = Target::FieldList { model: None, column: name, list: list.clone() };
        cx.hit(offset, target, RefKind::Query, Confidence::Medium);
    }
}

/// The scope of the bindings that give a serializer with no `Meta.model` the model of the
/// viewset that names it ([`bind_serializers`]), of a serializer inheriting it, or of the
/// relation a bound serializer nests it under ([`bound_serializer`]).
const SERIALIZER_SCOPE: &str = "class:django:serializer";

/// A generic view or viewset over a model binds the serializer it names to that model:
/// `serializer_class = MilestoneSerializer` (REST framework serializes the view's records with
/// it), the classes its `get_serializer_class` returns (`return serializers.TaskListSerializer`,
/// `return self.admin_serializer_class`, a class attribute of the view).
fn bind_serializers(
    cx: &mut Ctx<'_>,
    body: Node<'_>,
    assigns: &[(Node<'_>, Option<Node<'_>>, Option<Node<'_>>)],
    rec: &Rec,
) {
    let class_attr =
        |name: &str| assigns.iter().find(|(t, _, _)| cx.src.node_text(*t) == name).and_then(|(_, _, v)| *v);
    let mut named: Vec<Node<'_>> = class_attr("serializer_class").into_iter().collect();
    let func = named_children(body)
        .into_iter()
        .map(|n| if n.kind_name() == "decorated_definition" { n.field("definition").unwrap_or(n) } else { n })
        .find(|n| {
            n.kind_name() == "function_definition"
                && n.field("name").is_some_and(|id| cx.src.node_text(id) == "get_serializer_class")
        });
    for ret in func.map(descendants).unwrap_or_default().into_iter().filter(|n| n.kind_name() == "return_statement") {
        let Some(v) = named_children(ret).into_iter().next() else { continue };
        let own = (v.kind_name() == "attribute")
            .then(|| cx.src.node_text(v).strip_prefix("self."))
            .flatten()
            .filter(|a| !a.contains('.'));
        match own {
            Some(attr) => named.extend(class_attr(attr)),
            None => named.push(v),
        }
    }
    let mut names: Vec<String> = named
        .into_iter()
        .filter(|v| matches!(v.kind_name(), "identifier" | "attribute"))
        .map(|v| last_segment(cx.src.node_text(v)).to_owned())
        .filter(|n| is_class_name(n))
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        cx.bindings.push(Binding {
            scope: SERIALIZER_SCOPE.to_owned(),
            name,
            root: rec.root.clone(),
            path: rec.path.clone(),
        });
    }
}

/// A serializer with no `Meta.model` (`class MilestoneSerializer(Serializer): closed = Field()`)
/// reads, in each declared field, the attribute of its name (or of its `source=` / `attr=`)
/// from the records of the models it is bound to ([`SERIALIZER_SCOPE`]): a viewset's, or those
/// of a bound class inheriting it or nesting it. It binds its own bases, and the serializers
/// it nests (`user_stories = UserStoryNestedSerializer(many=True)`) to the relation of their
/// name. A class nothing binds reads nothing; a name that is no column of the model, nothing.
fn bound_serializer(cx: &mut Ctx<'_>, class_name: &str, written: &[&str], body: Node<'_>) {
    let is_serializer =
        class_name.ends_with("Serializer") || written.iter().any(|b| last_segment(b).contains("Serializer"));
    if !is_serializer {
        return;
    }
    let me = Root::Binding { scopes: vec![SERIALIZER_SCOPE.to_owned()], name: class_name.to_owned(), guess: None };
    for base in written {
        let name = last_segment(base);
        if is_class_name(name) && name != class_name {
            cx.bindings.push(Binding {
                scope: SERIALIZER_SCOPE.to_owned(),
                name: name.to_owned(),
                root: me.clone(),
                path: Vec::new(),
            });
        }
    }
    let rec = Rec { root: me.clone(), path: Vec::new() };
    for (t, _, v) in assignments(body) {
        let Some(v) = v.filter(|v| v.kind_name() == "call") else { continue };
        let Some(c) = callee(&cx.src, v).map(last_segment) else { continue };
        let nested = is_class_name(c) && c.ends_with("Serializer");
        if !(nested || c.ends_with("Field")) || c.ends_with("MethodField") {
            continue;
        }
        let name = cx.src.node_text(t);
        let a = args(v);
        let source = ["source", "attr", "field_name"].iter().find_map(|k| a.keyword(&cx.src, k));
        let path = match source {
            Some(n) => match string_value(&cx.src, n) {
                Some((path, offset)) if path != "*" => {
                    let path = path.replace('.', "__");
                    lookup(cx, &rec, &path, offset, Confidence::High);
                    path
                }
                _ => continue,
            },
            None => {
                lookup(cx, &rec, name, t.start_byte(), Confidence::Medium);
                name.to_owned()
            }
        };
        if nested && path.split("__").all(is_field_name) {
            cx.bindings.push(Binding {
                scope: SERIALIZER_SCOPE.to_owned(),
                name: c.to_owned(),
                root: me.clone(),
                path: path.split("__").map(str::to_owned).collect(),
            });
        }
    }
}

/// A serializer instantiated on records serializes them (REST framework's `instance`, first or
/// `instance=`): `ProjectExportSerializer(project)`, `AttachmentSerializer(attachments_qs,
/// many=True)`, `UserStoryNestedSerializer(obj.user_stories.all(), many=True)`. The call binds
/// the class ([`SERIALIZER_SCOPE`]) to what the argument holds: a typed record or queryset, the
/// record a serializer bound elsewhere is handed in its own method (`obj`, `instance`) or a
/// relation of it, else the model a plain name is called after (with `many=True`, the singular
/// of a plural name, `_qs` / `_queryset` / `_list` left out). `Serializer(data=…)` serializes
/// no record; a name nothing suggests a model of binds nothing that resolves.
pub(super) fn serializer_instance(cx: &mut Ctx<'_>, call: Node<'_>) {
    let Some(class) = callee(&cx.src, call).map(last_segment) else { return };
    if !class.ends_with("Serializer") || !is_class_name(class) || cx.is_known_model(class) {
        return;
    }
    let a = args(call);
    let Some(arg) = a.positional.first().copied().or_else(|| a.keyword(&cx.src, "instance")) else { return };
    let many = a.keyword(&cx.src, "many").is_some_and(|v| cx.src.node_text(v) == "True");
    let env = cx.env_at(call);
    let rec = match cx.ty(arg, &env) {
        Some(t) => Some(t.rec),
        None => serialized_relation(cx, arg).or_else(|| guessed_records(cx, arg, &env, many)),
    };
    let Some(rec) = rec else { return };
    cx.bindings.push(Binding {
        scope: SERIALIZER_SCOPE.to_owned(),
        name: class.to_owned(),
        root: rec.root,
        path: rec.path,
    });
}

/// `obj.user_stories.all()` in a method of a serializer with no model of its own, `obj` (or
/// `instance`) an untyped parameter: the relation of the record the serializer is bound to
/// elsewhere ([`SERIALIZER_SCOPE`]), through the QuerySet methods chained on it.
fn serialized_relation(cx: &Ctx<'_>, arg: Node<'_>) -> Option<Rec> {
    let mut node = arg;
    while node.kind_name() == "call" {
        let f = node.field("function").filter(|f| f.kind_name() == "attribute")?;
        if !super::lookups::is_queryset_method(cx.src.node_text(f.field("attribute")?)) {
            return None;
        }
        node = f.field("object")?;
    }
    let mut path = Vec::new();
    while node.kind_name() == "attribute" {
        let step = cx.src.node_text(node.field("attribute")?);
        if !is_field_name(step) || step.starts_with('_') {
            return None;
        }
        path.push(step.to_owned());
        node = node.field("object")?;
    }
    let name = cx.src.node_text(node);
    if node.kind_name() != "identifier" || !matches!(name, "obj" | "instance") {
        return None;
    }
    let func = super::receivers::enclosing_function(arg)?;
    let is_param = func
        .field("parameters")
        .map(named_children)
        .unwrap_or_default()
        .into_iter()
        .any(|p| p.kind_name() == "identifier" && cx.src.node_text(p) == name);
    let class = super::receivers::method_class(func).filter(|_| is_param)?;
    let class_name = cx.src.node_text(class.field("name")?);
    let is_serializer = class_name.ends_with("Serializer")
        || bases(&cx.src, class).iter().any(|b| last_segment(b).contains("Serializer"));
    if !is_serializer || cx.class_model(class).is_some() {
        return None;
    }
    path.reverse();
    let root = Root::Binding { scopes: vec![SERIALIZER_SCOPE.to_owned()], name: class_name.to_owned(), guess: None };
    Some(Rec { root, path })
}

/// The records a plain name handed to a serializer is called after: `project` a `Project`, and
/// with `many=True` `attachments_qs` many `Attachment`s. Never a framework object (`request`).
fn guessed_records(cx: &Ctx<'_>, arg: Node<'_>, env: &Env, many: bool) -> Option<Rec> {
    let Root::Binding { scopes, name, .. } = cx.guessed_root(arg, env)? else { return None };
    if super::receivers::FRAMEWORK_OBJECTS.contains(&name.as_str()) {
        return None;
    }
    let noun = if many {
        let stem = ["_qs", "_queryset", "_list"].iter().find_map(|s| name.strip_suffix(s)).unwrap_or(&name);
        crate::inflect::singularize(stem)
    } else {
        name.clone()
    };
    let guess = Some(crate::inflect::camelize(&noun));
    Some(Rec { root: Root::Binding { scopes, name, guess }, path: Vec::new() })
}

/// The scope of the bindings that give a mixin the models of the classes inheriting it (see
/// [`crate::scan::facts::CLASS_SCOPE_PREFIX`]).
const MIXIN_SCOPE: &str = "class:django:mixin";

/// A class over `model` (a model form, serializer or filter set, a strawberry-django type)
/// binds the classes it inherits from to that model: a mixin another file declares
/// (`class InterfaceForm(InterfaceCommonForm, …)`) declares fields of the model.
fn bind_mixins(cx: &mut Ctx<'_>, written: &[&str], model: &str) {
    for base in written {
        let name = last_segment(base);
        if is_class_name(name) {
            cx.bindings.push(Binding {
                scope: MIXIN_SCOPE.to_owned(),
                name: name.to_owned(),
                root: Root::Model { model: model.to_owned() },
                path: Vec::new(),
            });
        }
    }
}

/// The fields a mixin bound to no model declares, read on the models of the classes that
/// inherit it ([`bind_mixins`]): a form's declared fields (`class InterfaceCommonForm(forms.Form):
/// mtu = forms.IntegerField(…)`, not a filter form's), a dataclass's strawberry-django fields
/// (`mtu: … = strawberry_django.filter_field()`). A class nothing binds reads nothing.
fn mixin_fields(cx: &mut Ctx<'_>, class_name: &str, written: &[&str], body: Node<'_>, decorators: &[Node<'_>]) {
    let rec = Rec {
        root: Root::Binding { scopes: vec![MIXIN_SCOPE.to_owned()], name: class_name.to_owned(), guess: None },
        path: Vec::new(),
    };
    let is_form = written.iter().any(|b| last_segment(b).ends_with("Form"));
    let is_filter = class_name.contains("Filter") || written.iter().any(|b| b.contains("Filter"));
    if is_form && !is_filter {
        declared_fields(cx, body, &rec);
        return;
    }
    let strawberry = |v: Node<'_>| {
        descendants(v).into_iter().any(|n| {
            n.kind_name() == "call"
                && callee(&cx.src, n)
                    .is_some_and(|c| c.starts_with("strawberry_django.") || c.starts_with("strawberry."))
        })
    };
    let dataclass = decorators.iter().any(|d| {
        let text = cx.src.node_text(*d).trim_start_matches('@').trim();
        last_segment(text.split('(').next().unwrap_or(text)) == "dataclass"
    });
    let annotated: Vec<(Node<'_>, Option<Node<'_>>)> =
        assignments(body).into_iter().filter(|(_, ty, _)| ty.is_some()).map(|(t, _, v)| (t, v)).collect();
    if !dataclass || !annotated.iter().any(|(_, v)| v.is_some_and(strawberry)) {
        return;
    }
    for (t, _) in annotated {
        let name = cx.src.node_text(t);
        if !name.starts_with('_') {
            lookup(cx, &rec, name, t.start_byte(), Confidence::Medium);
        }
    }
}

/// The model a class's `Meta` names, or inherits from another class's `Meta` in this file
/// (`class Meta(DeviceSerializer.Meta): fields = [...]`).
fn meta_model(cx: &Ctx<'_>, body: Node<'_>, depth: usize) -> Option<String> {
    if depth > 4 {
        return None;
    }
    let Some(meta) = inner_class_body(&cx.src, body, "Meta") else {
        // No `Meta`: the first base class of this file that has one.
        let class = body.parent()?;
        return bases(&cx.src, class).into_iter().find_map(|b| {
            let parent = same_file_class(cx, class, last_segment(b))?;
            meta_model(cx, parent.field("body")?, depth + 1)
        });
    };
    let named = assignments(meta)
        .into_iter()
        .find(|(t, _, _)| cx.src.node_text(*t) == "model")
        .and_then(|(_, _, v)| v)
        .map(|v| cx.src.node_text(v).to_owned());
    if named.is_some() || depth > 4 {
        return named.filter(|m| is_class_name(last_segment(m)));
    }
    let meta_class = meta.parent()?;
    let base = bases(&cx.src, meta_class).into_iter().find_map(|b| b.strip_suffix(".Meta"))?;
    let parent = same_file_class(cx, meta_class, last_segment(base))?;
    meta_model(cx, parent.field("body")?, depth + 1)
}

/// The class named `name` defined in the file that holds `node`.
fn same_file_class<'t>(cx: &Ctx<'_>, node: Node<'t>, name: &str) -> Option<Node<'t>> {
    let mut root = node;
    while let Some(p) = root.parent() {
        root = p;
    }
    class_defs(root)
        .into_iter()
        .find(|(c, _)| c.field("name").is_some_and(|n| cx.src.node_text(n) == name))
        .map(|(c, _)| c)
}

/// The model a strawberry-django decorator maps a class onto: its first argument, a model class.
fn strawberry_model(cx: &Ctx<'_>, decorator: Node<'_>) -> Option<String> {
    let call = descendants(decorator).into_iter().find(|n| n.kind_name() == "call")?;
    callee(&cx.src, call).filter(|c| c.starts_with("strawberry_django."))?;
    let first = *args(call).positional.first()?;
    let model = cx.src.node_text(first);
    (matches!(first.kind_name(), "identifier" | "attribute") && is_class_name(last_segment(model)))
        .then(|| model.to_owned())
}

/// The fields a class over `rec`'s model declares: a filter's `field_name="x"` and a serializer
/// field's `source="x"` name the attribute they read (a dotted source is a path across
/// relations); a declared form field, serializer field, filter or django-tables2 column that
/// names none reads the attribute of its own name (`wwn = forms.CharField(…)` on a `ModelForm`,
/// `started = DateTimeFilter()`, `started = columns.DateTimeColumn()`), at medium: the name is
/// only a column when the model has one, and a form may declare a field it never saves.
fn declared_fields(cx: &mut Ctx<'_>, body: Node<'_>, rec: &Rec) {
    for (t, _, v) in assignments(body) {
        let Some(v) = v.filter(|v| v.kind_name() == "call") else { continue };
        let a = args(v);
        let mut named = false;
        for key in ["field_name", "source"] {
            if let Some(n) = a.keyword(&cx.src, key) {
                named = true;
                if let Some((path, offset)) = string_value(&cx.src, n)
                    && path != "*"
                {
                    lookup(cx, rec, &path.replace('.', "__"), offset, Confidence::High);
                }
            }
        }
        // A column's `accessor`, a filter's `method` and a serializer's `…MethodField` compute
        // the value some other way.
        let computed = ["accessor", "method"].iter().any(|k| a.keyword(&cx.src, k).is_some())
            || callee(&cx.src, v).is_none_or(|c| c.ends_with("MethodField"));
        if !named && !computed {
            lookup(cx, rec, cx.src.node_text(t), t.start_byte(), Confidence::Medium);
        }
    }
}

/// Options of a model's own `Meta` that name its fields: `ordering = ("-published",)`,
/// `get_latest_by`, `order_with_respect_to`, `unique_together`, `index_together`.
fn model_meta(cx: &mut Ctx<'_>, body: Node<'_>, model: &str) {
    let Some(meta) = inner_class_body(&cx.src, body, "Meta") else { return };
    let rec = Rec::model(model.to_owned());
    for (t, _, v) in assignments(meta) {
        let Some(v) = v else { continue };
        if !matches!(
            cx.src.node_text(t),
            "ordering" | "get_latest_by" | "order_with_respect_to" | "unique_together" | "index_together"
        ) {
            continue;
        }
        cx.aliases = None;
        for (item, offset) in strings_of(&cx.src, v, meta) {
            lookup(cx, &rec, &item, offset, Confidence::High);
        }
    }
}

/// The form fields a model form or model serializer works on in its methods by name:
/// `self.fields["abstract"]`, `self.fields.pop(field, None)`, `"x" in self.fields`,
/// `self.initial["x"] = False` (a field's initial value) — the
/// fields its model's fields made, the name a string or a name the method fills with strings
/// (`for field in request_require: self.fields[field]…`). At medium: a form may also declare a
/// field of its own. A serializer's `get_fields` override holds the same fields in the name it
/// gives `super().get_fields()` (`fields = super().get_fields(); … del fields[f]`).
fn form_field_keys(cx: &mut Ctx<'_>, body: Node<'_>, rec: &Rec) {
    let held: Vec<(&str, usize)> = descendants_outside(body, is_class)
        .into_iter()
        .filter(|n| n.kind_name() == "assignment")
        .filter_map(|a| {
            let (left, right) = (a.field("left")?, a.field("right")?);
            let f = right.field("function").filter(|f| right.kind_name() == "call" && f.kind_name() == "attribute")?;
            (left.kind_name() == "identifier"
                && f.field("attribute").is_some_and(|m| cx.src.node_text(m) == "get_fields"))
            .then(|| (cx.src.node_text(left), block_of(a).id()))
        })
        .collect();
    let keys = key_nodes(cx, body, |n| {
        cx.src.node_text(n) == "self.fields"
            || (n.kind_name() == "identifier"
                && held.iter().any(|(h, _)| *h == cx.src.node_text(n))
                && held.contains(&(cx.src.node_text(n), block_of(n).id())))
    });
    // A field the form declares itself (`next_dose_interval = forms.DecimalField(…)`, hours
    // where the model keeps a duration) starts from a value of the form's own.
    let declared: Vec<&str> = assignments(body).into_iter().map(|(t, _, _)| cx.src.node_text(t)).collect();
    let initial: Vec<Node<'_>> = key_nodes(cx, body, |n| cx.src.node_text(n) == "self.initial")
        .into_iter()
        .filter(|k| string_value(&cx.src, *k).is_none_or(|(key, _)| !declared.contains(&key.as_str())))
        .collect();
    for key in keys.into_iter().chain(initial) {
        cx.aliases = None;
        for (item, offset) in strings_of(&cx.src, key, block_of(key)) {
            if item.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                lookup(cx, rec, &item, offset, Confidence::Medium);
            }
        }
    }
}

/// The keys `node`'s code uses on a mapping `is_map` recognises: `m[key]`, `m.get(key)`,
/// `m.pop(key, …)`, `m.setdefault(key, …)`, `key in m`, `key not in m`. A class nested in
/// `node` is no part of it: its methods' `self` is its own (a serializer declared inside
/// another, over another model).
fn key_nodes<'t>(cx: &Ctx<'_>, node: Node<'t>, is_map: impl Fn(Node<'_>) -> bool) -> Vec<Node<'t>> {
    let is_map = |n: Option<Node<'_>>| n.is_some_and(&is_map);
    let mut out = Vec::new();
    for node in descendants_outside(node, is_class) {
        let key = match node.kind_name() {
            "subscript" if is_map(node.field("value")) => node.field("subscript"),
            "call" => {
                let f = node.field("function").filter(|f| f.kind_name() == "attribute");
                let method = f.and_then(|f| f.field("attribute")).map(|a| cx.src.node_text(a));
                (is_map(f.and_then(|f| f.field("object"))) && matches!(method, Some("get" | "pop" | "setdefault")))
                    .then(|| args(node).positional.first().copied())
                    .flatten()
            }
            "comparison_operator" => {
                let parts = named_children(node);
                let operator =
                    |a: Node<'_>, b: Node<'_>| cx.src.text.get(a.end_byte()..b.start_byte()).unwrap_or("").trim();
                (parts.len() == 2
                    && is_map(parts.get(1).copied())
                    && matches!(operator(parts[0], parts[1]), "in" | "not in"))
                .then(|| parts[0])
            }
            _ => None,
        };
        out.extend(key);
    }
    out
}

/// String keys a function reads or writes on its parameter `name` (a dict of field values):
/// `attrs["x"]`, `attrs.get("x")`, `attrs.pop("x", None)`, `"x" in attrs`.
fn keys_read(cx: &Ctx<'_>, func: Node<'_>, name: &str) -> Vec<(String, usize)> {
    let takes =
        func.field("parameters").is_some_and(|p| named_children(p).iter().any(|n| cx.src.node_text(*n) == name));
    if !takes {
        return Vec::new();
    }
    let mut out = Vec::new();
    for key in key_nodes(cx, func, |n| n.kind_name() == "identifier" && cx.src.node_text(n) == name) {
        if let Some((key, offset)) = string_value(&cx.src, key)
            && !key.is_empty()
            && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            out.push((key, offset));
        }
    }
    out
}

/// Whether `n` declares a class (a fence for the walks over one class's own code).
fn is_class(n: Node<'_>) -> bool {
    n.kind_name() == "class_definition"
}

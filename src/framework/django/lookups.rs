//! Field lookups: QuerySet methods, `F`/`Q`/aggregate expressions and `a__b` paths across
//! relations, each naming attributes of the model (or the record chain) a query runs on.

use crate::grammar::NodeExt;
use std::rc::Rc;

use tree_sitter::Node;

use super::extract::Ctx;
use super::receivers::{Rec, enclosing_function};
use crate::config::Confidence;
use crate::scan::extract::python::{Args, args, callee, last_segment, string_items};
use crate::scan::extract::treesit::{Src, descendants, named_children, string_value};
use crate::scan::reference::RefKind;

/// QuerySet methods whose keyword arguments are field lookups.
pub(super) const KEYWORD_METHODS: &[&str] = &[
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
    // `User.objects.create_user(username, email, password, **extra_fields)`: the manager builds
    // `self.model(…, **extra_fields)`.
    "create_user",
    "create_superuser",
];

/// QuerySet methods whose string arguments are field paths.
pub(super) const STRING_METHODS: &[&str] = &[
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
pub(super) const ALIAS_METHODS: &[&str] = &["annotate", "aggregate", "alias"];

/// Expressions whose string arguments are field paths (for `Extract`/`Trunc` only the first).
pub(super) const EXPRESSIONS: &[&str] = &[
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
pub(super) const FIRST_ARG_EXPRESSIONS: &[&str] = &[
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
pub(super) const LOOKUPS: &[&str] = &[
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

/// Whether a method is one of a QuerySet's (or a manager's) that take field names or return
/// another QuerySet of the same model.
pub(super) fn is_queryset_method(name: &str) -> bool {
    KEYWORD_METHODS.contains(&name)
        || STRING_METHODS.contains(&name)
        || ALIAS_METHODS.contains(&name)
        || matches!(name, "all" | "none" | "prefetch_related" | "reverse" | "using" | "select_for_update")
}

/// String keys of a dict literal (and string items of its values when `values`).
pub(super) fn dict_strings(src: &Src<'_>, node: Node<'_>, values: bool) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    if node.kind_name() != "dictionary" {
        return out;
    }
    for pair in named_children(node).into_iter().filter(|n| n.kind_name() == "pair") {
        if let Some(k) = pair.field("key").and_then(|k| string_value(src, k)) {
            out.push(k);
        }
        if values && let Some(v) = pair.field("value") {
            out.extend(string_items(src, v));
        }
    }
    out
}

/// A field path used against `rec` (`author__name__icontains`, `-created`): the first part is an
/// attribute of its model, each next one an attribute of the model the one before leads to
/// (resolution follows the associations and drops what is none), up to the first lookup.
pub(super) fn lookup(cx: &mut Ctx<'_>, rec: &Rec, path: &str, offset: usize, confidence: Confidence) {
    let (path, mut offset) = match path.strip_prefix('-') {
        Some(p) => (p, offset + 1),
        None => (path, offset),
    };
    let mut rec = rec.clone();
    for (k, part) in path.split("__").enumerate() {
        if !is_field_name(part) || (k == 0 && aliased(&cx.aliases, part)) || (k > 0 && LOOKUPS.contains(&part)) {
            return;
        }
        cx.hit(offset, rec.attribute(part), RefKind::Query, confidence);
        rec = rec.then(part);
        offset += part.len() + 2;
    }
}

pub(super) fn is_field_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s != "?"
}

/// The field names one QuerySet call on `model` uses.
pub(super) fn chain_call(cx: &mut Ctx<'_>, call: Node<'_>, name: &str, a: &Args<'_>, rec: &Rec) {
    cx.aliases = chain_aliases(cx, call);
    let shortcut = matches!(name, "get_object_or_404" | "get_list_or_404");

    if KEYWORD_METHODS.contains(&name) || shortcut {
        for (k, v) in &a.keywords {
            let key = cx.src.node_text(*k);
            if key == "defaults" || key == "create_defaults" {
                for (item, offset) in dict_strings(&cx.src, *v, false) {
                    lookup(cx, rec, &item, offset, Confidence::High);
                }
                // `defaults = {"rank": …}; defaults["remark"] = remark` before the call.
                if v.kind_name() == "identifier" {
                    let name = cx.src.node_text(*v);
                    for (item, offset) in super::names::keys_given(&cx.src, name, super::names::block_of(call)) {
                        lookup(cx, rec, &item, offset, Confidence::Medium);
                    }
                }
            } else {
                lookup(cx, rec, key, k.start_byte(), Confidence::High);
            }
            expressions(cx, rec, *v);
        }
        for p in a.positional.iter().skip(usize::from(shortcut)) {
            expressions(cx, rec, *p);
        }
        // `Recipe.objects.create(**fields)` with `fields["working_time"] = …` before it.
        for (key, offset) in super::names::splat_keys(&cx.src, call) {
            lookup(cx, rec, &key, offset, Confidence::Medium);
        }
    } else if STRING_METHODS.contains(&name) {
        let limit = if matches!(name, "dates" | "datetimes") { 1 } else { usize::MAX };
        for p in a.positional.iter().take(limit) {
            if let Some((s, offset)) = string_value(&cx.src, *p) {
                lookup(cx, rec, &s, offset, Confidence::High);
            } else {
                expressions(cx, rec, *p);
            }
        }
        for (_, v) in &a.keywords {
            expressions(cx, rec, *v);
        }
        // `values("pk", *field_list)` with `field_list = ["name", …]` in the function, or a
        // comprehension picking them out of pairs.
        if let Some(list) = call.field("arguments") {
            for splat in named_children(list).into_iter().filter(|n| n.kind_name() == "list_splat") {
                let Some(inner) = named_children(splat).into_iter().next() else { continue };
                let block = super::names::block_of(call);
                // `values_list(*[value for _, value in values])` over `(label, field)` pairs.
                let names = match inner.kind_name() {
                    "identifier" => super::names::strings_of_name(&cx.src, cx.src.node_text(inner), block),
                    _ => super::names::picked_strings(&cx.src, inner, block),
                };
                for (s, offset) in names {
                    lookup(cx, rec, &s, offset, Confidence::Medium);
                }
            }
        }
    } else if ALIAS_METHODS.contains(&name) {
        for p in &a.positional {
            expressions(cx, rec, *p);
        }
        for (_, v) in &a.keywords {
            expressions(cx, rec, *v);
        }
    } else if name == "bulk_update" || name == "bulk_create" {
        for (k, v) in &a.keywords {
            let key = cx.src.node_text(*k);
            if key == "fields" || key == "update_fields" || key == "unique_fields" {
                for (item, offset) in string_items(&cx.src, *v) {
                    lookup(cx, rec, &item, offset, Confidence::High);
                }
            }
        }
        if name == "bulk_update"
            && let Some(fields) = a.positional.get(1)
        {
            for (item, offset) in string_items(&cx.src, *fields) {
                lookup(cx, rec, &item, offset, Confidence::High);
            }
        }
    }
}

/// The alias names a chain's links introduce, innermost link last: a list shared by the links
/// above, so that each link adds only its own names.
pub(super) type Aliases<'a> = Option<Rc<AliasLink<'a>>>;

pub(super) struct AliasLink<'a> {
    names: Vec<&'a str>,
    below: Aliases<'a>,
}

fn aliased(aliases: &Aliases<'_>, name: &str) -> bool {
    let mut link = aliases.as_deref();
    while let Some(l) = link {
        if l.names.contains(&name) {
            return true;
        }
        link = l.below.as_deref();
    }
    false
}

/// The names `annotate`/`alias`/`values`… introduce below `call` in its chain
/// (`qs.annotate(n=Count("x")).filter(n__gt=1)`: `n` is no field). Each link's answer is kept for
/// the file (`Ctx::chain_aliases`): every call of a chain asks it of the rest of the chain.
pub(super) fn chain_aliases<'a>(cx: &mut Ctx<'a>, call: Node<'_>) -> Aliases<'a> {
    let mut links = Vec::new();
    let mut node = call.field("function").and_then(|f| f.field("object"));
    let mut below = None;
    while let Some(n) = node {
        if let Some(known) = cx.chain_aliases.get(&n.id()) {
            below = known.clone();
            break;
        }
        links.push(n);
        node = match n.kind_name() {
            "call" => n.field("function"),
            "attribute" => n.field("object"),
            _ => None,
        };
    }
    for n in links.into_iter().rev() {
        let method = (n.kind_name() == "call")
            .then(|| n.field("function"))
            .flatten()
            .and_then(|f| f.field("attribute"))
            .map(|a| cx.src.node_text(a));
        if method.is_some_and(|m| ALIAS_METHODS.contains(&m) || m == "values" || m == "values_list") {
            let names: Vec<&str> = args(n).keywords.iter().map(|(k, _)| cx.src.node_text(*k)).collect();
            if !names.is_empty() {
                below = Some(Rc::new(AliasLink { names, below }));
            }
        }
        cx.chain_aliases.insert(n.id(), below.clone());
    }
    below
}

/// Whether `node` combines `Q(…)` objects only (`Q(a=v) | Q(b=v)`): a query of its own
/// (`Other.objects.filter(Q(…))`) runs on another model.
fn is_q_expression(cx: &Ctx<'_>, node: Node<'_>) -> bool {
    match node.kind_name() {
        "call" => callee(&cx.src, node).is_some_and(|f| last_segment(f) == "Q"),
        "binary_operator" | "parenthesized_expression" | "unary_operator" => {
            let parts = named_children(node);
            !parts.is_empty() && parts.into_iter().all(|n| is_q_expression(cx, n))
        }
        _ => false,
    }
}

/// The names an argument is made of when it is a name or names combined by operators (`page |
/// exact | html`, `~ok`): none for anything else (a call's arguments are no such names).
#[recursive::recursive]
fn operands(node: Node<'_>) -> Vec<Node<'_>> {
    match node.kind_name() {
        "identifier" => vec![node],
        "binary_operator" | "parenthesized_expression" | "unary_operator" => {
            named_children(node).into_iter().flat_map(operands).collect()
        }
        _ => Vec::new(),
    }
}

/// `F("x")`, `Q(x=…)`, aggregates and functions inside the arguments of a chain on `model`.
/// A name is read through what the function assigns it: `qs_filter = Q(name__icontains=v) |
/// Q(facility__icontains=v)`, `qs_filter |= Q(…)`, then `queryset.filter(qs_filter)`.
pub(super) fn expressions(cx: &mut Ctx<'_>, rec: &Rec, node: Node<'_>) {
    let mut nodes = vec![node];
    // The names combined (`page | exact`, `~ok`) or passed alone.
    let names = operands(node);
    if !names.is_empty()
        && let Some(func) = enclosing_function(node)
    {
        let names: Vec<&str> = names.into_iter().map(|n| cx.src.node_text(n)).collect();
        for n in descendants(func) {
            if matches!(n.kind_name(), "assignment" | "augmented_assignment")
                && n.field("left").is_some_and(|l| names.contains(&cx.src.node_text(l)))
                && let Some(right) = n.field("right")
                && is_q_expression(cx, right)
            {
                nodes.push(right);
            }
        }
    }
    for call in nodes.into_iter().flat_map(descendants).filter(|n| n.kind_name() == "call") {
        let Some(f) = callee(&cx.src, call) else { continue };
        let f = last_segment(f);
        let a = args(call);
        if f == "Q" {
            for (k, _) in &a.keywords {
                let key = cx.src.node_text(*k);
                lookup(cx, rec, key, k.start_byte(), Confidence::High);
            }
            // `Q(**f) for f in filters` with `filters.append({"invite__times_used": 0})`.
            for (key, offset) in super::names::splat_keys(&cx.src, call) {
                lookup(cx, rec, &key, offset, Confidence::Medium);
            }
        } else if EXPRESSIONS.contains(&f) || FIRST_ARG_EXPRESSIONS.contains(&f) {
            let limit = if FIRST_ARG_EXPRESSIONS.contains(&f) { 1 } else { usize::MAX };
            for p in a.positional.iter().take(limit) {
                if let Some((s, offset)) = string_value(&cx.src, *p) {
                    lookup(cx, rec, &s, offset, Confidence::High);
                }
            }
        }
    }
}

//! Field names held in Python names: the strings a list, tuple or set is built from and what is
//! added to it later in the same block — `fields.append("picture")` under an `if` in a form's
//! `Meta`, an admin's `_profile_fields` tuple spread into `fieldsets`, `update_fields.add("x")`
//! before `check.save(update_fields=update_fields)`, `for key in ("a", "b"): setattr(check, key,
//! …)`. Flow-insensitive: every value a name is given in its block counts.

use crate::grammar::NodeExt;
use std::collections::BTreeSet;

use tree_sitter::Node;

use crate::scan::extract::treesit::{Src, descendants, named_children, string_value};

/// Methods that add their argument's strings to a list or set.
const ADDING: &[&str] = &["append", "insert", "add", "extend", "update", "remove", "discard"];

/// The string literals `node` stands for in `block` (a class body or a function), each with its
/// offset: a string; a list, tuple or set of them (nested, as `fieldsets` nest); `a + b`,
/// `a | b`; `sorted(…)`, `list(…)`, `tuple(…)`, `set(…)` of them; a name, through every value
/// the block gives it. What it cannot follow (an attribute, another call) adds nothing.
pub(super) fn strings_of(src: &Src<'_>, node: Node<'_>, block: Node<'_>) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    collect(src, node, block, &mut BTreeSet::new(), &mut out, 0);
    in_order(out)
}

/// Every string the name `name` is given in `block` (see [`strings_of`]).
pub(super) fn strings_of_name(src: &Src<'_>, name: &str, block: Node<'_>) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    name_values(src, name, block, &mut BTreeSet::new(), &mut out, 0);
    in_order(out)
}

/// The strings a comprehension takes from one place of each tuple a name holds: `[value for _,
/// value in values]` with `values = [("Views", "view_count"), …]` in `block` gives each pair's
/// second string (a CSV export's column names beside their labels). Nothing for any other
/// comprehension, or a name given anything but a literal list or tuple of tuples.
pub(super) fn picked_strings(src: &Src<'_>, comprehension: Node<'_>, block: Node<'_>) -> Vec<(String, usize)> {
    if !matches!(comprehension.kind_name(), "list_comprehension" | "generator_expression") {
        return Vec::new();
    }
    let Some(body) = comprehension.field("body").filter(|b| b.kind_name() == "identifier") else {
        return Vec::new();
    };
    let clauses: Vec<Node<'_>> =
        named_children(comprehension).into_iter().filter(|n| n.kind_name() == "for_in_clause").collect();
    let [clause] = clauses.as_slice() else { return Vec::new() };
    let (Some(left), Some(right)) = (clause.field("left"), clause.field("right")) else {
        return Vec::new();
    };
    let Some(place) = pattern_place(src, left, src.node_text(body)).filter(|_| right.kind_name() == "identifier")
    else {
        return Vec::new();
    };
    let held = src.node_text(right);
    let mut out = Vec::new();
    for n in own_nodes(block).into_iter().filter(|n| n.kind_name() == "assignment") {
        let (Some(l), Some(r)) = (n.field("left"), n.field("right")) else { continue };
        if l.kind_name() != "identifier" || src.node_text(l) != held || !matches!(r.kind_name(), "list" | "tuple") {
            continue;
        }
        for item in named_children(r) {
            let mut node = Some(item);
            for &i in &place {
                node = node.filter(|n| n.kind_name() == "tuple").and_then(|n| named_children(n).into_iter().nth(i));
            }
            out.extend(node.and_then(|n| string_value(src, n)));
        }
    }
    in_order(out)
}

/// Each string once (a name may reach one literal twice), in source order.
fn in_order(mut out: Vec<(String, usize)>) -> Vec<(String, usize)> {
    out.sort_by_key(|(_, offset)| *offset);
    out.dedup_by_key(|(_, offset)| *offset);
    out
}

const MAX_DEPTH: u32 = 16;

fn collect(
    src: &Src<'_>,
    node: Node<'_>,
    block: Node<'_>,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<(String, usize)>,
    depth: u32,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match node.kind_name() {
        "list" | "tuple" | "set" | "parenthesized_expression" | "expression_list" => {
            for c in named_children(node) {
                collect(src, c, block, seen, out, depth + 1);
            }
        }
        "binary_operator" => {
            for side in ["left", "right"] {
                if let Some(c) = node.field(side) {
                    collect(src, c, block, seen, out, depth + 1);
                }
            }
        }
        "call" => {
            let f = node.field("function").map(|f| src.node_text(f));
            if matches!(f, Some("sorted" | "list" | "tuple" | "set" | "frozenset"))
                && let Some(first) = node.field("arguments").and_then(|a| a.named_child(0))
            {
                collect(src, first, block, seen, out, depth + 1);
            }
        }
        "identifier" => {
            let name = src.node_text(node);
            name_values(src, name, block, seen, out, depth + 1);
            // A module's constant read in a function (`for field in MERGE_FIELDS:`).
            if name.bytes().any(|b| b.is_ascii_uppercase())
                && name.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                let mut module = block;
                while let Some(p) = module.parent() {
                    module = p;
                }
                if module != block {
                    seen.remove(name);
                    name_values(src, name, module, seen, out, depth + 1);
                }
            }
        }
        _ => out.extend(string_value(src, node)),
    }
}

/// The values `block` gives `name`: assignments (`=`, `+=`, `|=`), loops over it (`for name in
/// …`), and the arguments of `name.append(…)` and the other [`ADDING`] methods.
fn name_values(
    src: &Src<'_>,
    name: &str,
    block: Node<'_>,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<(String, usize)>,
    depth: u32,
) {
    if !seen.insert(name.to_owned()) {
        return;
    }
    for n in own_nodes(block) {
        let is_name =
            |n: Option<Node<'_>>| n.is_some_and(|n| n.kind_name() == "identifier" && src.node_text(n) == name);
        match n.kind_name() {
            "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" if is_name(n.field("left")) => {
                if let Some(right) = n.field("right") {
                    collect(src, right, block, seen, out, depth);
                }
            }
            // `for field, default in defaults.items():` with `defaults = {"vcpus": …}`: the
            // dict's keys (or, deeper in the pattern, the strings of its values).
            "for_statement" | "for_in_clause" => {
                let (Some(left), Some(right)) = (n.field("left"), n.field("right")) else {
                    continue;
                };
                let Some(place) = pattern_place(src, left, name) else { continue };
                if let Some(dict) = items_of(src, right) {
                    for pair in dict_literals(src, dict, block) {
                        out.extend(pair_strings(src, pair, &place));
                    }
                } else if right.kind_name() == "identifier" {
                    // `for ap_field, bw_field in ap_fields:` with `ap_fields = [("hideFollows",
                    // "hide_follows"), …]`: the string at that place of each tuple.
                    for item in tuple_literals(src, src.node_text(right), block) {
                        out.extend(nth_string(src, item, &place));
                    }
                }
            }
            "call" => {
                let Some(f) = n.field("function").filter(|f| f.kind_name() == "attribute") else { continue };
                let method = f.field("attribute").map(|a| src.node_text(a));
                if is_name(f.field("object")) && method.is_some_and(|m| ADDING.contains(&m)) {
                    let args = n.field("arguments").map(named_children).unwrap_or_default();
                    // `insert(i, x)`: the item is the last argument.
                    if let Some(item) = args.last() {
                        collect(src, *item, block, seen, out, depth);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Where `name` sits in a loop's tuple pattern (`k, (a, b)`: `b` at `[1, 1]`); `None` when the
/// pattern is the name itself or lacks it.
fn pattern_place(src: &Src<'_>, pattern: Node<'_>, name: &str) -> Option<Vec<usize>> {
    if !matches!(pattern.kind_name(), "pattern_list" | "tuple_pattern" | "list_pattern") {
        return None;
    }
    for (i, c) in named_children(pattern).into_iter().enumerate() {
        if c.kind_name() == "identifier" && src.node_text(c) == name {
            return Some(vec![i]);
        }
        if let Some(mut rest) = pattern_place(src, c, name) {
            rest.insert(0, i);
            return Some(rest);
        }
    }
    None
}

/// The dict name a loop runs over with `name.items()`.
fn items_of<'t>(src: &Src<'_>, right: Node<'t>) -> Option<Node<'t>> {
    let f = right.field("function").filter(|f| right.kind_name() == "call" && f.kind_name() == "attribute")?;
    let dict = f.field("object").filter(|o| o.kind_name() == "identifier")?;
    let method = src.node_text(f.field("attribute")?);
    (method == "items" && right.field("arguments").is_some_and(|a| a.named_child_count() == 0)).then_some(dict)
}

/// The `key: value` pairs of the dict literals `block` gives the name `dict`.
fn dict_literals<'t>(src: &Src<'_>, dict: Node<'_>, block: Node<'t>) -> Vec<Node<'t>> {
    let name = src.node_text(dict);
    own_nodes(block)
        .into_iter()
        .filter(|n| n.kind_name() == "assignment")
        .filter(|n| n.field("left").is_some_and(|l| l.kind_name() == "identifier" && src.node_text(l) == name))
        .filter_map(|n| n.field("right").filter(|r| r.kind_name() == "dictionary"))
        .flat_map(named_children)
        .filter(|p| p.kind_name() == "pair")
        .collect()
}

/// The tuples (or lists) of the list or tuple literals `block` gives the name `name`.
fn tuple_literals<'t>(src: &Src<'_>, name: &str, block: Node<'t>) -> Vec<Node<'t>> {
    own_nodes(block)
        .into_iter()
        .filter(|n| n.kind_name() == "assignment")
        .filter(|n| n.field("left").is_some_and(|l| l.kind_name() == "identifier" && src.node_text(l) == name))
        .filter_map(|n| n.field("right").filter(|r| matches!(r.kind_name(), "list" | "tuple")))
        .flat_map(named_children)
        .filter(|i| matches!(i.kind_name(), "tuple" | "list"))
        .collect()
}

/// The string at `place` of a tuple (`[1]`: its second item; `[1, 0]` further down).
fn nth_string(src: &Src<'_>, tuple: Node<'_>, place: &[usize]) -> Option<(String, usize)> {
    let mut node = tuple;
    for &i in place {
        if !matches!(node.kind_name(), "tuple" | "list" | "parenthesized_expression") {
            return None;
        }
        node = named_children(node).into_iter().nth(i)?;
    }
    string_value(src, node)
}

/// The string at `place` of a `(key, value)` pair: the key at `[0]`, the value at `[1]`, an
/// item of a tuple value further down (`[1, 1]`).
fn pair_strings(src: &Src<'_>, pair: Node<'_>, place: &[usize]) -> Option<(String, usize)> {
    let (first, rest) = place.split_first()?;
    let mut node = match first {
        0 => pair.field("key")?,
        1 => pair.field("value")?,
        _ => return None,
    };
    for &i in rest {
        if !matches!(node.kind_name(), "tuple" | "list" | "parenthesized_expression") {
            return None;
        }
        node = named_children(node).into_iter().nth(i)?;
    }
    string_value(src, node)
}

/// The nodes of `block` that belong to it: not those of functions or classes nested in it (a
/// method's `fields` is another name than its class's).
fn own_nodes(block: Node<'_>) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut stack = named_children(block);
    stack.reverse();
    while let Some(n) = stack.pop() {
        if matches!(n.kind_name(), "function_definition" | "class_definition" | "lambda") {
            continue;
        }
        out.push(n);
        let mut children = named_children(n);
        children.reverse();
        stack.extend(children);
    }
    out
}

/// The block whose names `node` reads: its function's body, else the module.
pub(super) fn block_of(node: Node<'_>) -> Node<'_> {
    let mut n = node;
    while let Some(p) = n.parent() {
        if p.kind_name() == "function_definition"
            && let Some(body) = p.field("body")
        {
            return body;
        }
        n = p;
    }
    n
}

/// The keys a call's `**d` arguments pass as keywords: a dict literal's (a key held in a name,
/// `**{lookup: 0}`, as the strings the function gives it), or those the name `d`
/// is given in the call's function (`args = {"from_date": day, …}`, `fields["working_time"] =
/// …`, `kwargs.setdefault("resource", …)`, then `MealPlan(**args)`,
/// `Recipe.objects.create(**fields, space=…)`). Other splats
/// (a parameter's `**kwargs`, a call's result) give none.
pub(super) fn splat_keys(src: &Src<'_>, call: Node<'_>) -> Vec<(String, usize)> {
    let Some(list) = call.field("arguments") else { return Vec::new() };
    let splats: Vec<Node<'_>> = named_children(list)
        .into_iter()
        .filter(|n| n.kind_name() == "dictionary_splat")
        .filter_map(|n| named_children(n).into_iter().next())
        .collect();
    if splats.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let block = block_of(call);
    for d in splats {
        if d.kind_name() == "dictionary" {
            out.extend(super::lookups::dict_strings(src, d, false));
            // `**{lookup: 0}` with `lookup = "weight__gt"` (or another string) in the function.
            for key in named_children(d).into_iter().filter_map(|p| p.field("key")) {
                if key.kind_name() == "identifier" {
                    out.extend(strings_of_name(src, src.node_text(key), block));
                }
            }
            continue;
        }
        if d.kind_name() != "identifier" {
            continue;
        }
        // `Q(**f) for f in filters`: the keys of each dict the list holds.
        if let Some(list) = loop_source(src, call, src.node_text(d)) {
            out.extend(dicts_held(src, list, block));
            continue;
        }
        out.extend(keys_given(src, src.node_text(d), block));
    }
    in_order(out)
}

/// The name a loop or comprehension enclosing `node` takes `var` from: `filters` for
/// `(Q(**f) for f in filters)` and `for f in filters:`.
fn loop_source<'a>(src: &Src<'a>, node: Node<'_>, var: &str) -> Option<&'a str> {
    let named =
        |n: Option<Node<'_>>, text: &str| n.is_some_and(|n| n.kind_name() == "identifier" && src.node_text(n) == text);
    let mut n = node;
    while let Some(p) = n.parent() {
        if p.kind_name() == "function_definition" {
            return None;
        }
        let clauses = match p.kind_name() {
            "generator_expression" | "list_comprehension" | "set_comprehension" => {
                named_children(p).into_iter().filter(|c| c.kind_name() == "for_in_clause").collect()
            }
            "for_statement" => vec![p],
            _ => Vec::new(),
        };
        for c in clauses {
            let right = c.field("right").filter(|r| r.kind_name() == "identifier");
            if named(c.field("left"), var)
                && let Some(right) = right
            {
                return Some(src.node_text(right));
            }
        }
        n = p;
    }
    None
}

/// The string keys of the dict literals `block` puts in the list held in `name`: `filters =
/// [{"a": 1}]`, `filters.append({"invite__isnull": True})`.
fn dicts_held(src: &Src<'_>, name: &str, block: Node<'_>) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut dicts = |n: Node<'_>| {
        let items = if n.kind_name() == "list" { named_children(n) } else { vec![n] };
        for d in items.into_iter().filter(|d| d.kind_name() == "dictionary") {
            out.extend(super::lookups::dict_strings(src, d, false));
        }
    };
    for n in descendants(block) {
        match n.kind_name() {
            "assignment" => {
                if n.field("left").is_some_and(|l| l.kind_name() == "identifier" && src.node_text(l) == name)
                    && let Some(right) = n.field("right")
                {
                    dicts(right);
                }
            }
            "call" => {
                let Some(f) = n.field("function").filter(|f| f.kind_name() == "attribute") else { continue };
                let adds =
                    f.field("attribute").is_some_and(|m| matches!(src.node_text(m), "append" | "extend" | "insert"));
                let on = f.field("object").is_some_and(|o| o.kind_name() == "identifier" && src.node_text(o) == name);
                if adds
                    && on
                    && let Some(list) = n.field("arguments")
                {
                    named_children(list).into_iter().for_each(&mut dicts);
                }
            }
            _ => {}
        }
    }
    out
}

/// The string keys the statements of `block` give the dict held in `name`: a dict literal it
/// is assigned (`defaults = {"rank": …}`), a key set by subscript (`defaults["remark"] = …`) or
/// by `setdefault` (`kwargs.setdefault("resource", …)`).
pub(super) fn keys_given(src: &Src<'_>, name: &str, block: Node<'_>) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    // `kwargs.setdefault("resource", …)`: a key the function sets if the caller did not.
    for n in descendants(block).into_iter().filter(|n| n.kind_name() == "call") {
        let Some(f) = n.field("function").filter(|f| f.kind_name() == "attribute") else { continue };
        if f.field("attribute").is_some_and(|m| src.node_text(m) == "setdefault")
            && f.field("object").is_some_and(|o| o.kind_name() == "identifier" && src.node_text(o) == name)
            && let Some(list) = n.field("arguments")
            && let Some(key) = named_children(list).into_iter().next()
            && let Some(key) = string_value(src, key)
        {
            out.push(key);
        }
    }
    for n in descendants(block).into_iter().filter(|n| n.kind_name() == "assignment") {
        let (Some(left), Some(right)) = (n.field("left"), n.field("right")) else {
            continue;
        };
        if left.kind_name() == "identifier" && src.node_text(left) == name {
            out.extend(super::lookups::dict_strings(src, right, false));
        } else if left.kind_name() == "subscript"
            && left.field("value").is_some_and(|v| v.kind_name() == "identifier" && src.node_text(v) == name)
            && let Some(key) = left.field("subscript").and_then(|k| string_value(src, k))
        {
            out.push(key);
        }
    }
    in_order(out)
}

//! `django.forms.models.model_to_dict(record, fields=…, exclude=…)`: a dict of the record's
//! fields under their own names. Its `fields` / `exclude` names are the model's fields, and so
//! are the string keys read or set on a name the function gives only such dicts of one model
//! (`result = model_to_dict(test_case)`, then `result["setup_duration"] = str(…)`): the record
//! typed, or the model its name is called after (`test_case = form.save()`).

use crate::grammar::NodeExt;
use tree_sitter::Node;

use super::extract::Ctx;
use super::lookups::lookup;
use super::receivers::{Rec, enclosing_function};
use crate::config::Confidence;
use crate::scan::extract::python::{args, last_segment, string_items};
use crate::scan::extract::treesit::{descendants_outside, string_value};
use crate::scan::reference::RefKind;

/// The record a `model_to_dict(…)` call is made of, and whether its type is known (else its name
/// says it).
fn dict_of(cx: &Ctx<'_>, call: Node<'_>) -> Option<(Rec, bool)> {
    let f = call.field("function").filter(|_| call.kind_name() == "call")?;
    if !matches!(f.kind_name(), "identifier" | "attribute") || last_segment(cx.src.node_text(f)) != "model_to_dict" {
        return None;
    }
    let record = *args(call).positional.first()?;
    let env = cx.env_at(call);
    match cx.ty(record, &env) {
        Some(t) if !t.many => Some((t.rec, true)),
        Some(_) => None,
        None => cx.guessed_record(record, &env).map(|r| (r, false)),
    }
}

/// What a `model_to_dict(…)` call names: its field lists, and the keys of the name it is given.
pub(super) fn model_to_dict(cx: &mut Ctx<'_>, call: Node<'_>) {
    let Some((rec, typed)) = dict_of(cx, call) else { return };
    let confidence = if typed { Confidence::High } else { Confidence::Medium };
    cx.aliases = None;
    for key in ["fields", "exclude"] {
        if let Some(v) = args(call).keyword(&cx.src, key) {
            for (item, offset) in string_items(&cx.src, v) {
                lookup(cx, &rec, &item, offset, confidence);
            }
        }
    }
    let Some(assign) = call.parent().filter(|p| p.kind_name() == "assignment") else { return };
    let Some(name) = assign.field("left").filter(|l| l.kind_name() == "identifier") else { return };
    let name = cx.src.node_text(name);
    let Some(body) = enclosing_function(call).and_then(|f| f.field("body")) else { return };
    let own =
        descendants_outside(body, |n| matches!(n.kind_name(), "function_definition" | "lambda" | "class_definition"));
    // Every value the function gives the name is such a dict of the same record.
    let given: Vec<Node<'_>> = own
        .iter()
        .filter(|a| {
            a.kind_name() == "assignment"
                && a.field("left").is_some_and(|l| l.kind_name() == "identifier" && cx.src.node_text(l) == name)
        })
        .copied()
        .collect();
    let same = given.iter().all(|a| a.field("right").and_then(|r| dict_of(cx, r)).is_some_and(|(r, _)| r == rec));
    // Read once, from the first of them.
    if !same || given.first() != Some(&assign) {
        return;
    }
    let keys: Vec<(String, usize)> = own
        .iter()
        .filter(|n| n.kind_name() == "subscript")
        .filter(|n| n.field("value").is_some_and(|v| cx.src.node_text(v) == name))
        .filter_map(|n| string_value(&cx.src, n.field("subscript")?))
        .collect();
    for (key, offset) in keys {
        cx.hit(offset, rec.attribute(&key), RefKind::Query, Confidence::Medium);
    }
}

//! Rows of a `values()` queryset: dicts keyed by the model's columns
//! (`Configuration.objects.values("key", "is_encrypted")`). A key read from one —
//! `item.get("is_encrypted")`, `row["value"]`, the row `first()` gives — names that column;
//! a key of a dict nothing types names none.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use super::extract::Ctx;
use super::lookups::lookup;
use super::receivers::Ty;
use crate::config::Confidence;
use crate::scan::extract::python::args;
use crate::scan::extract::treesit::string_value;

/// The column a `subscript` or a `.get(…)` call reads from a `values()` row, at medium: an
/// annotation may name a key of its own, which resolution drops when the model has no such
/// column.
pub(super) fn row_key(cx: &mut Ctx<'_>, node: Node<'_>) {
    let (object, key) = match node.kind_name() {
        "subscript" => (node.field("value"), node.field("subscript")),
        "call" => {
            let Some(f) = node.field("function").filter(|f| f.kind_name() == "attribute") else { return };
            if f.field("attribute").is_none_or(|a| cx.src.node_text(a) != "get") {
                return;
            }
            (f.field("object"), args(node).positional.first().copied())
        }
        _ => return,
    };
    let (Some(object), Some(key)) = (object, key) else { return };
    if key.kind_name() != "string" {
        return;
    }
    let Some((name, offset)) = string_value(&cx.src, key) else { return };
    let env = cx.env_at(node);
    let Some(t) = cx.ty(object, &env).filter(Ty::is_dict_row) else { return };
    cx.aliases = None;
    lookup(cx, &t.rec, &name, offset, Confidence::Medium);
}

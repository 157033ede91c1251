//! Strong parameters read through a subscript of `params`.

use super::*;
use crate::grammar::NodeExt;

/// The model key of `params[:agent]` (or `params["agent"]`), which `permit` reads as
/// `params.require(:agent)` does.
pub(super) fn params_subscript_key(node: Node<'_>, code: &str) -> Option<String> {
    if node.kind_name() != "element_reference" || node.named_child_count() != 2 {
        return None;
    }
    let object = node.child_by_field_id(*field::OBJECT)?;
    if code.get(object.byte_range()) != Some("params") {
        return None;
    }
    let (key, _) = symbol_or_string(node.named_child(1)?, code)?;
    is_identifier(&key).then_some(key)
}

//! better-auth over Prisma: its options name the columns of the Prisma models its adapter reads
//! and writes. `session: { fields: { expiresAt: "expires" } }` maps one of the library's field
//! names onto the model's column, `user: { additionalFields: { locale: {…} } }` declares more of
//! the model's columns, `modelName: "…"` renames the model. The adapter's reads never pass
//! through the app's code, so these strings and keys are where the app says it uses the columns.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::config::Confidence;
use crate::framework::prisma::model_name;
use crate::scan::extract::js::{call_args, object_keys, unwrap};
use crate::scan::extract::treesit::{Src, string_value};
use crate::scan::facts::{Hit, Root, Target};
use crate::scan::reference::RefKind;

/// The columns a `betterAuth({ … })` call's options name.
pub fn read(src: &Src<'_>, call: Node<'_>, hits: &mut Vec<Hit>) {
    let Some(function) = call.field("function").map(unwrap) else { return };
    if function.kind_name() != "identifier" || src.node_text(function) != "betterAuth" {
        return;
    }
    let Some(options) = call_args(call).into_iter().next().map(unwrap) else { return };
    for model in object_keys(src, options) {
        let Some(body) = model.value.filter(|v| v.kind_name() == "object") else { continue };
        let keys = object_keys(src, body);
        let named = keys
            .iter()
            .find(|k| k.name == "modelName")
            .and_then(|k| k.value)
            .and_then(|v| string_value(src, v))
            .map(|(name, _)| name);
        let model = model_name(named.as_deref().unwrap_or(&model.name));
        let column = |attribute: String| Target::Chain {
            root: Root::Model { model: model.clone() },
            path: Vec::new(),
            attribute: Some(attribute),
        };
        for key in &keys {
            let Some(inner) = key.value.filter(|v| v.kind_name() == "object") else { continue };
            match key.name.as_str() {
                // `fields: { expiresAt: "expires" }`: the value is the column.
                "fields" => {
                    for field in object_keys(src, inner) {
                        if let Some((name, offset)) = field.value.and_then(|v| string_value(src, v)) {
                            hits.push(src.hit(offset, column(name), RefKind::Query, Confidence::Medium));
                        }
                    }
                }
                // `additionalFields: { locale: { type: "string" } }`: the key is the column.
                "additionalFields" => {
                    for field in object_keys(src, inner) {
                        hits.push(src.hit(field.offset, column(field.name), RefKind::Query, Confidence::Medium));
                    }
                }
                _ => {}
            }
        }
    }
}

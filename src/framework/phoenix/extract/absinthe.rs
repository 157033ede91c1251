//! Absinthe GraphQL types over Ecto schemas: `object :ticket do field(:remarks, :string) end` in
//! a module that uses `Absinthe.Schema` (or its `Notation`) exposes a `Ticket`'s column — the
//! default resolver reads the record's field of that name —, and `input_object :ticket_input`
//! (or `:ticket_filter`) takes the params a writer (or a filter) uses as its fields. The schema
//! is the one the type's name suggests (`:locations` → `Location`), at medium; a field that is
//! no column of it (a computed field, a result type's) resolves to nothing.

use tree_sitter::Node;

use super::{Walker, arguments, atom, do_block};
use crate::config::Confidence;
use crate::scan::facts::Target;
use crate::scan::inflect;
use crate::scan::reference::RefKind;

/// Suffixes of an input type named after its schema: `:ticket_input`, `:group_filter`.
const INPUT_SUFFIXES: &[&str] = &["_input", "_filter"];

impl Walker<'_> {
    /// Whether this file defines GraphQL types with Absinthe.
    pub(super) fn uses_absinthe(&self) -> bool {
        self.src.contains("Absinthe.Schema")
    }

    /// `object :x do … end` / `input_object :x_input do … end`: each `field :f` of its block.
    pub(super) fn visit_absinthe_object(&mut self, node: Node<'_>, args: &[Node<'_>], input: bool) {
        if let (Some(name), Some(block)) = (args.first().and_then(|a| atom(*a, self.src)), do_block(node)) {
            let base = if input {
                INPUT_SUFFIXES.iter().find_map(|s| name.0.strip_suffix(s)).unwrap_or(&name.0)
            } else {
                &name.0
            };
            let model = self.resolve(&inflect::classify(base));
            let mut cursor = block.walk();
            let fields: Vec<(String, usize)> = block
                .named_children(&mut cursor)
                .filter(|c| c.kind() == "call" && self.callee(*c).is_some_and(|(n, r)| n == "field" && r.is_none()))
                .filter_map(|c| arguments(c).first().and_then(|a| atom(*a, self.src)))
                .collect();
            for (field, offset) in fields {
                let target = Target::ModelColumn { model: model.clone(), column: field };
                self.hit_at(offset, target, RefKind::Query, Confidence::Medium);
            }
        }
        self.visit_children(node);
    }
}

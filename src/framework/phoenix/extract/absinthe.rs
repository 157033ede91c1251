//! Absinthe GraphQL types over Ecto schemas: `object :ticket do field(:remarks, :string) end` in
//! a module that uses `Absinthe.Schema` (or its `Notation`) exposes a `Ticket`'s column — the
//! default resolver reads the record's field of that name —, and `input_object :ticket_input`
//! (or `:ticket_filter`) takes the params a writer (or a filter) uses as its fields. The schema
//! is the one the type's name suggests (`:locations` → `Location`), at medium; a field that is
//! no column of it (a computed field, a result type's) resolves to nothing.
//! The fields that take an input say more, when the file declares them (`field :edit_template,
//! :session_template_result do arg(:input, :edit_template_input)`): an input no `arg` of the
//! file takes is params nothing writes (low), and an input named after its mutation rather than
//! a type of the file takes the fields of the type the mutation returns (`SessionTemplate`).

use tree_sitter::Node;

use super::{Walker, arguments, atom, do_block};
use crate::config::Confidence;
use crate::scan::facts::Target;
use crate::scan::inflect;
use crate::scan::reference::RefKind;

/// Suffixes of an input type named after its schema: `:ticket_input`, `:group_filter`.
const INPUT_SUFFIXES: &[&str] = &["_input", "_filter"];

/// Suffixes of a mutation's result type named after the type it carries: `:ticket_result`.
const RESULT_SUFFIXES: &[&str] = &["_result", "_payload"];

/// What a file's fields say of its input types.
#[derive(Default)]
pub(super) struct Args {
    /// Whether any field of the file declares an `arg` whose type is a name (not a scalar alone).
    any: bool,
    /// Each input type an `arg` takes, with the type of the field that declares it.
    taken: Vec<(String, Option<String>)>,
    /// The `object` types the file defines.
    objects: Vec<String>,
}

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
            let mut model = self.resolve(&inflect::classify(base));
            let mut confidence = Confidence::Medium;
            if input {
                // Read once per file: a file of many inputs costs its length, not its square.
                if self.absinthe.is_none() {
                    self.absinthe = Some(self.absinthe_args(node));
                }
                let file = self.absinthe.take().unwrap_or_default();
                let results: Vec<Option<&String>> =
                    file.taken.iter().filter(|(t, _)| *t == name.0).map(|(_, r)| r.as_ref()).collect();
                if results.is_empty() && file.any {
                    confidence = Confidence::Low;
                } else if !file.objects.iter().any(|o| o == base)
                    && let Some(carried) = carried_type(&results, &file.objects)
                {
                    model = self.resolve(&inflect::classify(&carried));
                }
                self.absinthe = Some(file);
            }
            let mut cursor = block.walk();
            let fields: Vec<(String, usize)> = block
                .named_children(&mut cursor)
                .filter(|c| c.kind() == "call" && self.callee(*c).is_some_and(|(n, r)| n == "field" && r.is_none()))
                .filter_map(|c| arguments(c).first().and_then(|a| atom(*a, self.src)))
                .collect();
            for (field, offset) in fields {
                let target = Target::ModelColumn { model: model.clone(), column: field };
                self.hit_at(offset, target, RefKind::Query, confidence);
            }
        }
        self.visit_children(node);
    }

    /// The `arg`s and `object`s of the whole file `node` is in.
    fn absinthe_args(&self, node: Node<'_>) -> Args {
        let mut root = node;
        while let Some(parent) = root.parent() {
            root = parent;
        }
        let mut out = Args::default();
        let mut stack = vec![(root, None::<String>)];
        while let Some((node, field_type)) = stack.pop() {
            let mut inner_type = field_type.clone();
            if node.kind() == "call"
                && let Some((name, None)) = self.callee(node)
            {
                let args = arguments(node);
                match name {
                    "object" => out.objects.extend(args.first().and_then(|a| atom(*a, self.src)).map(|(o, _)| o)),
                    "field" => inner_type = args.get(1).and_then(|t| self.type_name(*t)),
                    "arg" => {
                        if let Some(taken) = args.get(1).and_then(|t| self.type_name(*t)) {
                            out.any = true;
                            out.taken.push((taken, field_type.clone()));
                        }
                    }
                    _ => {}
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor).map(|c| (c, inner_type.clone())));
        }
        out
    }

    /// `:ticket`, `non_null(:ticket)`, `list_of(non_null(:ticket))`: `ticket`.
    fn type_name(&self, node: Node<'_>) -> Option<String> {
        if let Some((name, _)) = atom(node, self.src) {
            return Some(name);
        }
        match self.callee(node) {
            Some(("non_null" | "list_of", None)) => arguments(node).first().and_then(|a| self.type_name(*a)),
            _ => None,
        }
    }
}

/// The one type the fields taking an input carry — each `:x_result` (or `:x`) of an `object :x`
/// of the file —, if they agree.
fn carried_type(results: &[Option<&String>], objects: &[String]) -> Option<String> {
    let mut carried: Option<&str> = None;
    for result in results {
        let result = result.map(String::as_str)?;
        let base = RESULT_SUFFIXES.iter().find_map(|s| result.strip_suffix(s)).unwrap_or(result);
        if !objects.iter().any(|o| o == base) || carried.is_some_and(|c| c != base) {
            return None;
        }
        carried = Some(base);
    }
    carried.map(str::to_owned)
}

//! Field lists a module chooses or returns: `required = if c do @initial else @full end` (each
//! branch's list, for a later `validate_required(cs, required)`), and a schema module's function
//! returning a list of its own fields (`def filepath_attributes, do: ~w(media_filepath …)a`).

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::grammar::NodeExt;

impl Walker<'_> {
    /// `required = if stage == :initial do @initially_required else @pre_insert_required end`:
    /// the variable holds every branch's field list when each branch is one.
    pub(super) fn branch_list(&mut self, var: Node<'_>, value: Node<'_>) {
        if var.kind_name() != "identifier" {
            return;
        }
        let Some(ends) = self.branch_ends(value) else { return };
        let mut atoms: Vec<(String, usize)> = Vec::new();
        for end in &ends {
            if !matches!(end.kind_name(), "list" | "sigil" | "unary_operator" | "binary_operator") {
                return;
            }
            let list = self.field_list(*end);
            if list.is_empty() {
                return;
            }
            atoms.extend(list);
        }
        let name = self.text(var).to_owned();
        if let Some(module) = self.modules.last_mut()
            && !atoms.is_empty()
        {
            module.local_lists.insert(name, atoms);
        }
    }

    /// `defp select_fields, do: [:id, :title, :uploaded_at]`: a function returning a list of
    /// atoms, kept for the module's queries that select it (`select(^select_fields())`).
    pub(super) fn record_returned_list(&mut self, head: Node<'_>, last: Node<'_>) {
        if !matches!(last.kind_name(), "list" | "sigil")
            || (last.kind_name() == "list" && !super::query::atom_list(last))
        {
            return;
        }
        let target = match calls::head_call(head, self.src) {
            Some((call, args)) if args.is_empty() => call.field("target"),
            Some(_) => None,
            None => (head.kind_name() == "identifier").then_some(head),
        };
        let Some(target) = target else { return };
        let Some(module) = self.modules.last().map(|m| m.name.clone()) else { return };
        let atoms = atoms_in(last, self.src);
        if !atoms.is_empty() {
            self.lists.insert((module, self.text(target).to_owned()), atoms);
        }
    }

    /// The atoms `^select_fields()` selects: what the module's function of that name returns.
    pub(super) fn pinned_list(&self, node: Node<'_>) -> Vec<(String, usize)> {
        let Some(operand) = node.field("operand").filter(|_| node.kind_name() == "unary_operator") else {
            return Vec::new();
        };
        let Some((name, None)) =
            self.callee(operand).filter(|_| operand.kind_name() == "call" && arguments(operand).is_empty())
        else {
            return Vec::new();
        };
        let Some(module) = self.modules.last() else { return Vec::new() };
        let key = (module.name.clone(), name.to_owned());
        self.lists.get(&key).or_else(|| self.previous_lists.get(&key)).cloned().unwrap_or_default()
    }

    /// `def filepath_attributes, do: ~w(media_filepath thumbnail_filepath)a` in a schema's module:
    /// a list whose every atom is one of the schema's fields names them.
    pub(super) fn own_field_list(&mut self, last: Node<'_>) {
        if !matches!(last.kind_name(), "list" | "sigil") {
            return;
        }
        let Some(schema) = self.current_schema() else { return };
        let atoms = atoms_in(last, self.src);
        let Some(fields) = self.modules.last().and_then(|m| m.schema.as_ref()).map(|(_, _, f)| f) else { return };
        if atoms.is_empty() || !atoms.iter().all(|(a, _)| fields.contains_key(a)) {
            return;
        }
        for (field, offset) in atoms {
            self.field_hit(offset, &schema, &field, RefKind::Query, Confidence::High);
        }
    }
}

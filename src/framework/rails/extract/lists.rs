//! Lists of attribute names a class method returns, read where another file writes records
//! with them: `PermittedAttributes::TagRules.attributes` returning `[:id, :priority, …]`, and
//! `rule.update(attrs.permit(PermittedAttributes::TagRules.attributes))`. The caller binds the
//! method (scope [`LIST_SCOPE`]`<Class>.<method>`) to the records it writes; the method's names
//! are read through that binding on its own lines. A list nobody hands to a write reads
//! nothing (a `class:` scope nothing binds).

use super::*;
use crate::grammar::NodeExt;

const LIST_SCOPE: &str = "class:rails:list:";

/// The name each list's binding is under (one list per method).
const LISTED: &str = "listed";

impl<'a> Walker<'a> {
    /// A class method (or a module's function) whose last expression is a literal list of
    /// symbols: each is an attribute of whatever records its callers write with it.
    pub(super) fn listed_method(&mut self, method: Node<'_>, name: &str, instance: bool) {
        let Some(scope) = self.scopes.last() else { return };
        if self.screened || (instance && !scope.module) {
            return;
        }
        let Some(last) = method.child_by_field_id(*field::BODY).and_then(last_named_child) else { return };
        let items: Vec<Node<'_>> = match last.kind_name() {
            "array" => {
                let mut cursor = last.walk();
                last.named_children(&mut cursor).filter(|n| n.kind_name() == "simple_symbol").collect()
            }
            "symbol_array" => vec![last],
            _ => return,
        };
        let root = Root::Binding {
            scopes: vec![format!("{LIST_SCOPE}{}.{name}", scope.name)],
            name: LISTED.to_owned(),
            guess: None,
        };
        for item in items {
            for (column, offset) in strings_in(item, self.code) {
                if is_identifier(&column) {
                    let target = Target::Chain { root: root.clone(), path: Vec::new(), attribute: Some(column) };
                    self.hit_at(offset, target, RefKind::Query, Confidence::Medium);
                }
            }
        }
    }

    /// `Const.method` (no arguments) handed where `rec`'s attributes are named (a permit list
    /// written into its records): the list the method returns names them.
    pub(super) fn list_handed(&mut self, call: Node<'_>, rec: &Rec) {
        let (Some(receiver), Some(method)) =
            (call.child_by_field_id(*field::RECEIVER), call.child_by_field_id(*field::METHOD))
        else {
            return;
        };
        if !matches!(receiver.kind_name(), "constant" | "scope_resolution")
            || !arguments(call).is_empty()
            || !is_identifier(self.text(method))
        {
            return;
        }
        for class in self.constant_candidates(self.text(receiver)) {
            let binding = Binding {
                scope: format!("{LIST_SCOPE}{class}.{}", self.text(method)),
                name: LISTED.to_owned(),
                root: rec.root.clone(),
                path: rec.path.clone(),
            };
            if !self.facts.bindings.contains(&binding) {
                self.facts.bindings.push(binding);
            }
        }
    }
}

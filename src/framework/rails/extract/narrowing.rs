//! A type narrowed by a class test: in `x.col = v if x.is_a?(Contact)`, `if x.is_a?(Story)
//! … end` and `x.is_a?(Comment) && x.col`, the name `x` holds a record of that class where the
//! test has passed (the branch, the right operand), whatever it held before. A bare method
//! call tested so (`if syncable.is_a?(Family)`) keeps being read as the call it is.

use super::*;
use crate::grammar::NodeExt;

impl Walker<'_> {
    /// The local or instance variable a class test narrows, and the record it then holds:
    /// `x.is_a?(C)`, `x.kind_of?(C)`, `x.instance_of?(C)` with `C` a constant.
    fn narrowed(&self, condition: Node<'_>) -> Option<(String, Ty)> {
        let condition =
            if condition.kind_name() == "parenthesized_statements" { condition.named_child(0)? } else { condition };
        if condition.kind_name() != "call" {
            return None;
        }
        let method = condition.child_by_field_id(*field::METHOD)?;
        if !matches!(self.text(method), "is_a?" | "kind_of?" | "instance_of?") {
            return None;
        }
        let receiver = condition.child_by_field_id(*field::RECEIVER)?;
        // A local, a parameter or an instance variable: a bare method call (`syncable` of a
        // polymorphic association) is read again where it is named, so it is not narrowed.
        let name = self.text(receiver);
        let variable = match receiver.kind_name() {
            "instance_variable" => true,
            "identifier" => self.lookup(name).is_some() || !(self.in_instance_method && self.not_a_local(name)),
            _ => false,
        };
        if !variable {
            return None;
        }
        let [class] = arguments(condition)[..] else { return None };
        if !matches!(class.kind_name(), "constant" | "scope_resolution") {
            return None;
        }
        let class = self.text(class).trim_start_matches("::");
        if is_core_class(class) {
            return None;
        }
        let ty = Ty::Record(Rec::model(class.to_owned()), Confidence::Medium);
        Some((name.to_owned(), ty))
    }

    /// Visits `node` (an `if`, `elsif`, `if_modifier` or `&&`) with the name its class test
    /// narrows bound in the part that runs when it passes; false when it tests no class.
    pub(super) fn visit_narrowing(&mut self, node: Node<'_>) -> bool {
        let (condition, passed) = match node.kind_name() {
            "if" | "elsif" => (node.child_by_field_id(*field::CONDITION), node.child_by_field_id(*field::CONSEQUENCE)),
            "if_modifier" => (node.child_by_field_id(*field::CONDITION), node.child_by_field_id(*field::BODY)),
            "binary"
                if node.child_by_field_id(*field::OPERATOR).is_some_and(|o| matches!(self.text(o), "&&" | "and")) =>
            {
                (node.child_by_field_id(*field::LEFT), node.child_by_field_id(*field::RIGHT))
            }
            _ => return false,
        };
        let (Some(condition), Some(passed)) = (condition, passed) else { return false };
        let Some((name, ty)) = self.narrowed(condition) else { return false };
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child != passed {
                self.visit(child);
                continue;
            }
            self.frames.push(HashMap::new());
            self.bind(&name, ty.clone());
            self.visit(child);
            // What the branch binds besides the narrowed name outlives it.
            let frame = self.frames.pop().unwrap_or_default();
            for (other, value) in frame.into_iter().filter(|(n, _)| *n != name) {
                self.bind(&other, value);
            }
        }
        true
    }
}

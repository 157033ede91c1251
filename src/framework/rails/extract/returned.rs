//! What a class's own small methods return, followed by name where it is used: strong-parameter
//! lists a service object or controller assembles (`params.require(:subscription).permit(
//! basic_attributes + other_attributes)`, each name a method returning a literal list, or
//! `permit(self.class.attributes)` with `def self.attributes`), permitted as if written in the
//! `permit` call; and SQL conditions (`where(query_stock)` with `def query_stock; "( #{in_stock}
//! OR … )" end` and `def in_stock; "stock_items.count_on_hand > 0" end`), read as if written
//! in the `where`.

use super::*;
use crate::grammar::NodeExt;

/// A request's parameters: `params`, or a service object's `@params` holding them.
pub(super) fn is_params(text: &str) -> bool {
    matches!(text, "params" | "@params")
}

/// How many methods deep a list is followed (`attributes` → `basic_attributes` → …).
const MAX_DEPTH: u32 = 4;

impl<'a> Walker<'a> {
    /// The literal lists (by byte range) a `permit` argument stands for when it is not one
    /// itself: a local holding one, a call of a method of the enclosing class (bare, on `self`,
    /// `self.class`, or the class by name) whose last expression is one, or a sum (`a + b`) of
    /// such.
    pub(super) fn permit_lists(&self, arg: Node<'_>) -> Vec<Node<'a>> {
        let mut ranges = Vec::new();
        self.collect_lists(arg, 0, &mut ranges);
        let root = self.tree.root_node();
        ranges.into_iter().filter_map(|(start, end)| root.descendant_for_byte_range(start, end)).collect()
    }

    fn collect_lists(&self, node: Node<'_>, depth: u32, out: &mut Vec<(usize, usize)>) {
        if depth > MAX_DEPTH {
            return;
        }
        match node.kind_name() {
            "array" | "hash" | "symbol_array" | "string_array" => {
                out.push((node.start_byte(), node.end_byte()));
            }
            "parenthesized_statements" => {
                if let Some(last) = last_named_child(node) {
                    self.collect_lists(last, depth, out);
                }
            }
            "binary" => {
                if node.child_by_field_id(*field::OPERATOR).is_some_and(|o| self.text(o) == "+")
                    && let (Some(left), Some(right)) =
                        (node.child_by_field_id(*field::LEFT), node.child_by_field_id(*field::RIGHT))
                {
                    self.collect_lists(left, depth, out);
                    self.collect_lists(right, depth, out);
                }
            }
            "identifier" => {
                let name = self.text(node);
                // In the method being walked its locals are the walker's; in the body of a
                // method followed, a bare name is a call.
                let here = self
                    .method_locals
                    .as_ref()
                    .is_some_and(|l| l.range.0 <= node.start_byte() && node.end_byte() <= l.range.1);
                if here {
                    if let Some(Ty::Literal(ranges)) = self.lookup(name) {
                        out.extend(ranges);
                        return;
                    }
                    if !self.not_a_local(name) || self.method_params.iter().any(|p| p == name) {
                        return;
                    }
                }
                if let Some(body) = self.own_method(node, name, None) {
                    self.collect_lists(body, depth + 1, out);
                }
            }
            "call" => {
                let (Some(receiver), Some(method)) =
                    (node.child_by_field_id(*field::RECEIVER), node.child_by_field_id(*field::METHOD))
                else {
                    return;
                };
                if !arguments(node).is_empty() || node.child_by_field_id(*field::BLOCK).is_some() {
                    return;
                }
                let class_method = match self.text(receiver) {
                    "self.class" => true,
                    "self" => false,
                    // The class by its name: `Subscription.attributes` inside `class Subscription`.
                    written => {
                        let Some(class) = enclosing_class(node) else { return };
                        let own = class.child_by_field_id(*field::NAME).map(|n| self.text(n)).unwrap_or("");
                        if matches!(receiver.kind_name(), "constant" | "scope_resolution") && own == written {
                            true
                        } else {
                            return;
                        }
                    }
                };
                let instance = (!class_method).then(|| !in_singleton_method(node));
                if let Some(body) = self.own_method(node, self.text(method), Some(instance.unwrap_or(false))) {
                    self.collect_lists(body, depth + 1, out);
                }
            }
            _ => {}
        }
    }

    /// The literal parts of an SQL condition the class's own method `name` returns, named at
    /// `at`: its string's text and, for each interpolation of another such method
    /// (`#{variant_on_demand}`), that method's parts, in order.
    pub(super) fn method_fragment_parts(&self, at: Node<'_>, name: &str, depth: u32) -> Option<Vec<(usize, usize)>> {
        if depth > MAX_DEPTH {
            return None;
        }
        let last = self.own_method(at, name, None)?;
        self.string_parts(last, depth + 1)
    }

    /// A string's literal parts, and those of the own methods its interpolations call.
    pub(super) fn string_parts(&self, node: Node<'_>, depth: u32) -> Option<Vec<(usize, usize)>> {
        if node.kind_name() != "string" {
            return None;
        }
        let mut parts = Vec::new();
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            match child.kind_name() {
                "string_content" => parts.push((child.start_byte(), child.end_byte())),
                "interpolation" if child.named_child_count() == 1 => {
                    if let Some(inner) = child.named_child(0).filter(|n| n.kind_name() == "identifier")
                        && let Some(more) = self.method_fragment_parts(inner, self.text(inner), depth)
                    {
                        parts.extend(more);
                    }
                }
                _ => {}
            }
        }
        Some(parts)
    }

    /// The last expression of the method `name` that the class enclosing `at` defines: an
    /// instance method (`instance` true), a singleton method (`def self.x`, false), or, for a bare
    /// name (`None`), the kind the calling method is.
    fn own_method<'t>(&self, at: Node<'t>, name: &str, instance: Option<bool>) -> Option<Node<'t>> {
        let class = enclosing_class(at)?;
        let instance = instance.unwrap_or_else(|| !in_singleton_method(at));
        let kind = if instance { "method" } else { "singleton_method" };
        let body = class.child_by_field_id(*field::BODY)?;
        let mut cursor = body.walk();
        let def = body.named_children(&mut cursor).find(|d| {
            d.kind_name() == kind && d.child_by_field_id(*field::NAME).is_some_and(|n| self.text(n) == name)
        })?;
        let statements = def.child_by_field_id(*field::BODY)?;
        let mut cursor = statements.walk();
        statements.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").last()
    }
}

/// The class (or module) whose body holds `node`.
fn enclosing_class(node: Node<'_>) -> Option<Node<'_>> {
    let mut at = node.parent();
    while let Some(n) = at {
        if matches!(n.kind_name(), "class" | "module") {
            return Some(n);
        }
        at = n.parent();
    }
    None
}

/// Whether `node` is inside a `def self.x` (before any class around it).
fn in_singleton_method(node: Node<'_>) -> bool {
    let mut at = node.parent();
    while let Some(n) = at {
        match n.kind_name() {
            "singleton_method" => return true,
            "method" | "class" | "module" => return false,
            _ => at = n.parent(),
        }
    }
    false
}

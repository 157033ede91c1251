//! Lists of maps as rows: a list literal of maps (`contacts = [%{phone: p, optin_method: "BSP"},
//! …]`), a comprehension over one that merges each element (`for c <- contacts do %{…} |>
//! Map.merge(c) end`), `Enum.map(range, fn _ -> build_row(org) end)` and `Enum.map(xs,
//! &build_row(&1, now))` carry the keys of their
//! maps, as a params map carries its own: handed to `Repo.insert_all(Schema, rows)` — also
//! chunked, `rows |> Enum.chunk_every(300) |> Enum.map(&Repo.insert_all(Schema, &1))` — they
//! are the schema's fields.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::grammar::NodeExt;

impl Walker<'_> {
    /// The keys of a list whose every item is a map literal (no struct): their union.
    pub(super) fn list_keys(&self, list: Node<'_>) -> Vec<(String, usize)> {
        let mut cursor = list.walk();
        let items: Vec<Node<'_>> = list.named_children(&mut cursor).filter(|i| i.kind_name() != "comment").collect();
        if items.is_empty() || items.iter().any(|i| i.kind_name() != "map" || self.struct_of(*i).is_some()) {
            return Vec::new();
        }
        items.into_iter().flat_map(|i| map_keys(i, self.src)).collect()
    }

    /// `for c <- contacts do … end` (the keys of its body's last expression, and the generator's
    /// list's where that expression merges the element) or `Enum.map(xs, fn x -> … end)` (the
    /// keys of each clause's last expression): what the list it builds carries.
    pub(super) fn built_list_keys(&self, call: Node<'_>) -> Vec<(String, usize)> {
        fn last(body: Node<'_>) -> Option<Node<'_>> {
            let mut cursor = body.walk();
            body.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").last()
        }
        match self.callee(call) {
            Some(("for", None)) => {
                let Some(end) = do_block(call).and_then(last) else { return Vec::new() };
                let mut out = self.merged_keys(end);
                for generator in arguments(call) {
                    let is_in = generator.kind_name() == "binary_operator"
                        && generator.field("operator").is_some_and(|o| self.text(o) == "<-");
                    let (Some(var), Some(list)) = (generator.field("left"), generator.field("right")) else {
                        continue;
                    };
                    if is_in && var.kind_name() == "identifier" && self.merges(end, self.text(var)) {
                        out.extend(self.merged_keys(list));
                    }
                }
                out
            }
            Some(("map" | "flat_map", Some(m))) if matches!(self.text(m), "Enum" | "Stream") => arguments(call)
                .into_iter()
                .flat_map(|f| match f.kind_name() {
                    "anonymous_function" => {
                        let mut cursor = f.walk();
                        let clauses: Vec<Node<'_>> = f.named_children(&mut cursor).collect();
                        clauses
                            .into_iter()
                            .filter_map(|c| c.field("right").and_then(last))
                            .flat_map(|e| self.merged_keys(e))
                            .collect::<Vec<_>>()
                    }
                    // `Enum.map(clicks, &row(&1, now))`: what the captured function returns.
                    "unary_operator" if self.text(f).starts_with('&') => f
                        .field("operand")
                        .filter(|c| c.kind_name() == "call")
                        .map(|c| self.merged_keys(c))
                        .unwrap_or_default(),
                    _ => Vec::new(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether an expression's value is a map merged with variable `var`: `%{…} |>
    /// Map.merge(var)`, `Map.merge(%{…}, var)`, `var |> Map.put(…)`.
    fn merges(&self, node: Node<'_>, var: &str) -> bool {
        let merge_of = |call: Node<'_>| {
            matches!(self.callee(call), Some(("merge", Some(m))) if self.text(m) == "Map")
                && arguments(call).iter().any(|a| a.kind_name() == "identifier" && self.text(*a) == var)
        };
        match node.kind_name() {
            "identifier" => self.text(node) == var,
            "binary_operator" if node.field("operator").is_some_and(|o| self.text(o) == "|>") => {
                node.field("right").is_some_and(merge_of) || node.field("left").is_some_and(|l| self.merges(l, var))
            }
            "call" => merge_of(node),
            _ => false,
        }
    }

    /// A pipeline's stage `Enum.map(&Repo.insert_all(Contact, &1))` (or `Enum.each`) on rows
    /// `piped` carries: the rows' keys are the schema's fields.
    pub(super) fn piped_insert_all(&mut self, stage: Node<'_>, piped: Node<'_>) {
        let Some(("map" | "each", Some(m))) = self.callee(stage) else { return };
        if !matches!(self.text(m), "Enum" | "Stream") {
            return;
        }
        let Some(capture) = arguments(stage).into_iter().next().filter(|c| c.kind_name() == "unary_operator") else {
            return;
        };
        let Some(call) = capture.field("operand").filter(|c| c.kind_name() == "call") else { return };
        let Some(("insert_all", Some(repo))) = self.callee(call) else { return };
        let args = arguments(call);
        let (Some(schema), Some(rows)) = (args.first(), args.get(1)) else { return };
        if !self.text(repo).ends_with("Repo") || self.text(*rows) != "&1" {
            return;
        }
        let Some(source) = self.source_of(*schema) else { return };
        for (key, offset) in self.merged_keys(piped) {
            self.field_hit(offset, &source, &key, RefKind::Query, Confidence::Medium);
        }
    }
}

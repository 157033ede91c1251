//! A changeset's record and changes: `changeset.data.x`, `changeset.changes.x`,
//! `Ecto.Changeset.apply_changes(changeset)`, a head `%{changes: changes} = changeset` and
//! `is_map_key(changes, :x)`; and `case {a, b} do {%{x: …}, %{y: …}} ->` read element by element.
//! A changeset variable (`changeset`, `cs`, `…_changeset`) is the schema of the module walked
//! (high), or of the context module walked (medium).

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::grammar::NodeExt;

impl Walker<'_> {
    /// The schema of the changeset a variable holds: the variable's own type when one is
    /// bound, else the module's schema or the context's.
    fn changeset_schema(&self, var: Node<'_>) -> Option<(Source, Confidence)> {
        if var.kind_name() != "identifier" {
            return None;
        }
        let name = self.text(var);
        if !(name == "changeset" || name == "cs" || name.ends_with("_changeset")) {
            return None;
        }
        if let Some((source, confidence)) = self.lookup_typed(name)
            && !matches!(&source, Source::Schema(m) if m.rsplit('.').next() == Some("Changeset"))
        {
            return Some((source, confidence));
        }
        if let Some(schema) = self.current_schema() {
            return Some((schema, Confidence::High));
        }
        self.own_context_schema().map(|s| (s, Confidence::Medium))
    }

    /// `changeset.data`, `changeset.changes`, `apply_changes(changeset)`: the changeset's record
    /// (or its changes, keyed by the same fields).
    pub(super) fn changeset_part(&self, node: Node<'_>) -> Option<(Source, Confidence)> {
        if node.kind_name() != "call" {
            return None;
        }
        if !has_arguments(node)
            && let Some(target) = node.field("target").filter(|t| t.kind_name() == "dot")
            && let (Some(left), Some(right)) = (target.field("left"), target.field("right"))
            && matches!(self.text(right), "data" | "changes")
        {
            return self.changeset_schema(left);
        }
        let (name, remote) = self.callee(node)?;
        if name == "apply_changes"
            && remote.is_none_or(|r| matches!(self.text(r), "Ecto.Changeset" | "Changeset"))
            && let Some(first) = arguments(node).first()
        {
            return self.changeset_schema(*first);
        }
        None
    }

    /// A head `%{changes: changes, data: %{id: nil}} = changeset`: `changes` is bound to the
    /// changeset's schema, and a nested map's keys are its fields.
    pub(super) fn changeset_pattern(&mut self, pattern: Node<'_>, var: Node<'_>) {
        let Some((schema, confidence)) = self.changeset_schema(var) else { return };
        let mut cursor = pattern.walk();
        let content: Vec<Node<'_>> =
            pattern.named_children(&mut cursor).filter(|c| c.kind_name() == "map_content").collect();
        let pairs: Vec<(String, Node<'_>)> = content
            .iter()
            .flat_map(|c| {
                let mut cursor = c.walk();
                c.named_children(&mut cursor).collect::<Vec<_>>()
            })
            .flat_map(|kw| keyword_pairs(kw, self.src))
            .collect();
        for (key, value) in pairs {
            if !matches!(key.as_str(), "changes" | "data") {
                continue;
            }
            match value.kind_name() {
                "identifier" => {
                    let name = self.text(value).to_owned();
                    self.bind_as(&name, schema.clone(), confidence);
                }
                "map" if self.struct_of(value).is_none() => {
                    for (field, offset) in keyword_keys(value, self.src) {
                        self.field_hit(offset, &schema, &field, RefKind::Query, confidence);
                    }
                }
                _ => {}
            }
        }
    }

    /// `is_map_key(changes, :uploaded_at)` on a typed record or changes map.
    pub(super) fn map_key_guard(&mut self, name: &str, remote: Option<&str>, args: &[Node<'_>]) {
        if !(name == "is_map_key" && remote.is_none()) {
            return;
        }
        let [record, key, ..] = args else { return };
        let Some((field, offset)) = atom(*key, self.src) else { return };
        if let Some((source, confidence)) = self.record(*record) {
            self.field_hit(offset, &source, &field, RefKind::Query, confidence);
        }
    }

    /// `case {changeset.changes, apply_changes(changeset)} do {%{a: true}, %{b: true}} -> …`: each
    /// element of a tuple pattern matches the keys of the record that element of the subject is.
    pub(super) fn case_tuple_patterns(&mut self, node: Node<'_>, subject: Node<'_>) {
        if subject.kind_name() != "tuple" {
            return;
        }
        let mut cursor = subject.walk();
        // Only what is typed: a bound variable, a changeset's parts, a fetched record.
        let elements: Vec<Option<(Source, Confidence)>> = subject
            .named_children(&mut cursor)
            .map(|e| match e.kind_name() {
                "identifier" => self.lookup_typed(self.text(e)),
                _ => self.changeset_part(e).or_else(|| self.record_of(e)),
            })
            .collect();
        if elements.iter().all(Option::is_none) {
            return;
        }
        for pattern in case_clause_patterns(node) {
            if pattern.kind_name() != "tuple" {
                continue;
            }
            let mut cursor = pattern.walk();
            let items: Vec<Node<'_>> = pattern.named_children(&mut cursor).collect();
            if items.len() != elements.len() {
                continue;
            }
            for (item, element) in items.iter().zip(&elements) {
                let Some((source, confidence)) = element else { continue };
                if item.kind_name() != "map" || self.struct_of(*item).is_some() {
                    continue;
                }
                for (key, offset) in keyword_keys(*item, self.src) {
                    self.field_hit(offset, source, &key, RefKind::Query, *confidence);
                }
            }
        }
    }
}

//! Params maps that cross modules: a map one module's function returns and another module
//! writes (`MetadataParser.parse_for_media_item()` piped into `Media.update_media_item(item,
//! attrs)`), and a map handed to a function whose parameter reaches a writer
//! (`Media.delete_media_files(item, %{prevent_download: true})` where `delete_media_files`
//! merges its `addl_attrs` into `update_media_item`). One file sees one end of each, so each
//! end is written as a binding the resolver joins:
//! * a function's returned keys are hits on `phoenix:written` `Module.fn` (what its result is
//!   written as), and a map literal handed to a call is hits on `phoenix:passed` `Module.fn#i`
//!   (what its parameter `i` is written as);
//! * inside a function, each parameter carries a marker key `@p:Module.fn#i`, and the result of
//!   another module's function a marker `@w:Module.fn`, through the same map-key tracking the
//!   params maps use (`merged_keys`). Where a marker reaches a writer of a schema, a call's
//!   parameter, or the function's own result, the binding of its name is that sink.
//!
//! A marker is no identifier, so no rule that reads keys as fields ever takes one for a column.

#![allow(clippy::wildcard_imports)]

use super::*;

/// What a function's result is written as, by `Module.fn`.
const WRITTEN: &str = "phoenix:written";

/// What a function's parameter is written as, by `Module.fn#i`.
const PASSED: &str = "phoenix:passed";

/// Local calls that are definitions or declarations, not the module's functions.
pub(super) const LOCAL_FORMS: &[&str] = &[
    "alias",
    "import",
    "require",
    "use",
    "schema",
    "embedded_schema",
    "field",
    "belongs_to",
    "has_many",
    "has_one",
    "many_to_many",
    "embeds_one",
    "embeds_many",
    "timestamps",
    "defstruct",
    "plug",
    "pipe_through",
];

/// Modules whose functions' results are no app's params.
const LIBRARY: &[&str] = &["Map", "Enum", "Keyword", "Jason", "Poison", "Stream", "String", "Kernel", "Access"];

fn written(name: String) -> Root {
    Root::Binding { scopes: vec![WRITTEN.to_owned()], name, guess: None }
}

fn passed(name: String) -> Root {
    Root::Binding { scopes: vec![PASSED.to_owned()], name, guess: None }
}

/// The marker of another module's function's result.
pub(super) fn result_marker(function: &str) -> String {
    format!("@w:{function}")
}

/// A marker's binding scope and name.
fn marker(key: &str) -> Option<(&'static str, &str)> {
    if let Some(name) = key.strip_prefix("@w:") {
        return Some((WRITTEN, name));
    }
    key.strip_prefix("@p:").map(|name| (PASSED, name))
}

impl Walker<'_> {
    /// The module function a call names: `Mod.fn` resolved, or this module's `fn`.
    fn callee_name(&self, name: &str, remote: Option<Node<'_>>) -> Option<String> {
        match remote {
            Some(r) if r.kind() == "alias" => {
                let module = self.resolve(self.text(r));
                let library = LIBRARY.contains(&module.as_str())
                    || module.starts_with("Ecto.")
                    || module.ends_with("Repo")
                    || module.starts_with("Phoenix.");
                (!library).then(|| format!("{module}.{name}"))
            }
            Some(_) => None,
            None => {
                let module = self.modules.last()?;
                (!super::templates::SPECIAL_FORMS.contains(&name) && is_identifier(name))
                    .then(|| format!("{}.{name}", module.name))
            }
        }
    }

    /// `Mod.fn(…)`, another module's function: the marker of its result, as a key.
    pub(super) fn result_key(&self, node: Node<'_>) -> Option<(String, usize)> {
        let (name, remote) = self.callee(node)?;
        let remote = remote?;
        let function = self.callee_name(name, Some(remote))?;
        Some((result_marker(&function), node.start_byte()))
    }

    /// The markers among `keys` bound to `sink`.
    fn bind_markers(&mut self, keys: &[(String, usize)], sink: &Root) {
        for (key, _) in keys {
            let Some((scope, name)) = marker(key) else { continue };
            // A function passing its parameter to itself.
            if matches!(sink, Root::Binding { name: n, .. } if n == name) {
                continue;
            }
            let binding =
                Binding { scope: scope.to_owned(), name: name.to_owned(), root: sink.clone(), path: Vec::new() };
            if !self.facts.bindings.contains(&binding) {
                self.facts.bindings.push(binding);
            }
        }
    }

    /// Keys a writer of `schema` takes: the markers among them are written as that schema.
    pub(super) fn written_markers(&mut self, keys: &[(String, usize)], schema: &Source) {
        if let Source::Schema(model) = schema {
            self.bind_markers(keys, &Root::Model { model: model.clone() });
        }
    }

    /// At a function's head: each parameter variable carries its marker.
    pub(super) fn param_markers(&mut self, head: Node<'_>) {
        let Some((call, params)) = calls::head_call(head, self.src) else { return };
        let Some(target) = call.child_by_field_name("target") else { return };
        let Some(function) = self.callee_name(self.text(target), None) else { return };
        for (i, param) in params.iter().enumerate() {
            let mut var = *param;
            // `attrs \\ %{}`, `%{} = attrs`.
            if var.kind() == "binary_operator"
                && let (Some(l), Some(r)) = (var.child_by_field_name("left"), var.child_by_field_name("right"))
            {
                var = if l.kind() == "identifier" { l } else { r };
            }
            if var.kind() != "identifier" || self.text(var).starts_with('_') {
                continue;
            }
            let name = self.text(var).to_owned();
            if self.local_map(&name).is_some() {
                continue;
            }
            if let Some(frame) = self.maps.last_mut() {
                frame.insert(name, vec![(format!("@p:{function}#{i}"), var.start_byte())]);
            }
        }
    }

    /// A call (not a definition's head): each argument's map literal keys are what the
    /// parameter it lands in is written as, and its markers are passed to that parameter.
    pub(super) fn call_flows(&mut self, node: Node<'_>, name: &str, remote: Option<Node<'_>>, args: &[Node<'_>]) {
        if self.heads.contains(&node.id()) {
            return;
        }
        let Some(function) = self.callee_name(name, remote) else { return };
        // `x |> Mod.fn(a)`: `x` is the first argument.
        let piped = node.parent().filter(|p| {
            p.kind() == "binary_operator"
                && p.child_by_field_name("operator").is_some_and(|o| self.text(o) == "|>")
                && p.child_by_field_name("right").is_some_and(|r| r.id() == node.id())
        });
        let mut all: Vec<Node<'_>> = piped.and_then(|p| p.child_by_field_name("left")).into_iter().collect();
        all.extend(args.iter().copied());
        for (i, arg) in all.iter().enumerate() {
            let sink = passed(format!("{function}#{i}"));
            if arg.kind() == "map" && self.struct_of(*arg).is_none() {
                for (key, offset) in map_keys(*arg, self.src) {
                    if is_identifier(&key) {
                        let target = Target::Chain { root: sink.clone(), path: Vec::new(), attribute: Some(key) };
                        self.hit_at(offset, target, RefKind::Query, Confidence::Medium);
                    }
                }
            }
            let keys = self.merged_keys(*arg);
            self.bind_markers(&keys, &sink);
        }
    }

    /// After the file's last walk: each public function's returned keys are what its result is
    /// written as, and the markers it returns are written as that too.
    pub(super) fn returned_flows(&mut self) {
        let returns: Vec<((String, String), Vec<(String, usize)>)> =
            self.returns.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        for ((module, name), keys) in returns {
            if !self.public.contains(&(module.clone(), name.clone())) {
                continue;
            }
            let sink = written(format!("{module}.{name}"));
            for (key, offset) in &keys {
                if is_identifier(key) {
                    let target = Target::Chain { root: sink.clone(), path: Vec::new(), attribute: Some(key.clone()) };
                    self.hit_at(*offset, target, RefKind::Query, Confidence::Medium);
                }
            }
            self.bind_markers(&keys, &sink);
        }
    }
}

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
use crate::grammar::NodeExt;

/// What a function's result is written as, by `Module.fn`.
const WRITTEN: &str = "phoenix:written";

/// What a function's parameter is written as, by `Module.fn#i`.
const PASSED: &str = "phoenix:passed";

/// What record a function's parameter names a field of, by `Module.fn#i`: `def get(name), do:
/// Map.fetch(record(), name)` makes `Settings.get(:youtube_api_key)` read that field.
const KEYED: &str = "phoenix:keyed";

/// Local calls that are definitions or declarations, not the module's functions.
pub(super) const LOCAL_FORMS: &[&str] = &[
    "alias",
    "import",
    "require",
    "use",
    "schema",
    "embedded_schema",
    "typed_schema",
    "typed_embedded_schema",
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
const LIBRARY: &[&str] = &[
    "Map",
    "Enum",
    "Keyword",
    "Jason",
    "Poison",
    "Stream",
    "String",
    "Kernel",
    "Access",
    "Application",
    "Logger",
    "Process",
    "GenServer",
    "Oban",
    "Gettext",
];

/// One argument of a call, as [`Walker::call_flows`] reads it: an atom, a variable's name, the
/// keys of a map it is or a variable's map was built with.
#[derive(Debug, Clone)]
pub(super) struct Arg {
    atom: Option<(String, usize)>,
    identifier: Option<String>,
    keys: Vec<(String, usize)>,
}

fn written(name: String) -> Root {
    Root::Binding { scopes: vec![WRITTEN.to_owned()], name, guess: None }
}

fn keyed(name: String) -> Root {
    Root::Binding { scopes: vec![KEYED.to_owned()], name, guess: None }
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
    pub(super) fn callee_name(&self, name: &str, remote: Option<Node<'_>>) -> Option<String> {
        match remote {
            Some(r) if r.kind_name() == "alias" => {
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
                (!super::templates::SPECIAL_FORMS.contains(&name) && is_identifier(name.trim_end_matches(['?', '!'])))
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

    /// The markers among `keys` bound to `sink` (`local`: a parameter of a function of this
    /// module, whose own sinks this file resolves).
    fn bind_markers(&mut self, keys: &[(String, usize)], sink: &Root, local: Option<String>) {
        for (key, _) in keys {
            let Some((scope, name)) = marker(key) else { continue };
            if scope == PASSED {
                let edge = (name.to_owned(), local.clone().map_or_else(|| Sink::Leaf(sink.clone()), Sink::Local));
                if !self.param_edges.contains(&edge) {
                    self.param_edges.push(edge);
                }
                continue;
            }
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

    /// What the parameter `Module.fn#i` is written as, known where the function is defined.
    pub(super) fn bind_passed(&mut self, name: &str, root: Root) {
        self.push_binding(PASSED, name, root);
    }

    fn push_binding(&mut self, scope: &str, name: &str, root: Root) {
        if matches!(&root, Root::Binding { name: n, .. } if n == name) {
            return;
        }
        let binding = Binding { scope: scope.to_owned(), name: name.to_owned(), root, path: Vec::new() };
        if !self.facts.bindings.contains(&binding) {
            self.facts.bindings.push(binding);
        }
    }

    /// `Map.fetch(record(), name)`, `Map.get(setting, name)` with `name` a parameter: that
    /// parameter names a field of the record.
    pub(super) fn keyed_param(&mut self, args: &[Node<'_>]) {
        let [record, key, ..] = args else { return };
        if key.kind_name() != "identifier" {
            return;
        }
        let Some(held) = self.local_map(self.text(*key)).cloned() else { return };
        let Some(root) = self.value_root(*record) else { return };
        for (marker, _) in held {
            if let Some(name) = marker.strip_prefix("@p:") {
                let edge = (name.to_owned(), Sink::Leaf(root.clone()));
                if !self.keyed_edges.contains(&edge) {
                    self.keyed_edges.push(edge);
                }
            }
        }
    }

    /// Keys a writer of `schema` takes: the markers among them are written as that schema.
    pub(super) fn written_markers(&mut self, keys: &[(String, usize)], schema: &Source) {
        if let Source::Schema(model) = schema {
            self.bind_markers(keys, &Root::Model { model: model.clone() }, None);
        }
    }

    /// `config :my_app, :pow, user: MyApp.Users.User` (Pow's configuration): the params
    /// `Pow.Plug.create_user(conn, params)` and `Pow.Plug.update_user(conn, params)` take are
    /// that schema's.
    pub(super) fn pow_user(&mut self, args: &[Node<'_>]) {
        if args.get(1).and_then(|a| atom(*a, self.src)).is_none_or(|(k, _)| k != "pow") {
            return;
        }
        let user = args
            .iter()
            .skip(2)
            .flat_map(|a| keyword_pairs(*a, self.src))
            .find_map(|(k, v)| (k == "user" && v.kind_name() == "alias").then(|| self.resolve(self.text(v))));
        let Some(model) = user else { return };
        for writer in ["create_user", "update_user"] {
            self.push_binding(PASSED, &format!("Pow.Plug.{writer}#1"), Root::Model { model: model.clone() });
        }
    }

    /// At a function's head: each parameter variable carries its marker.
    pub(super) fn param_markers(&mut self, head: Node<'_>) {
        let Some((call, params)) = calls::head_call(head, self.src) else { return };
        let Some(target) = call.field("target") else { return };
        let Some(function) = self.callee_name(self.text(target), None) else { return };
        for (i, param) in params.iter().enumerate() {
            let mut var = *param;
            // `attrs \\ %{}`, `%{} = attrs`.
            if var.kind_name() == "binary_operator"
                && let (Some(l), Some(r)) = (var.field("left"), var.field("right"))
            {
                var = if l.kind_name() == "identifier" { l } else { r };
            }
            if var.kind_name() != "identifier" || self.text(var).starts_with('_') {
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

    /// What [`Walker::call_flows`] reads of one argument, taken while its node is at hand.
    pub(super) fn flow_arg(&self, arg: Node<'_>) -> Arg {
        Arg {
            atom: atom(arg, self.src),
            identifier: (arg.kind_name() == "identifier").then(|| self.text(arg).to_owned()),
            keys: self.merged_keys(arg),
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
        let mut all: Vec<Arg> = self.piped_args.get(&node.id()).cloned().into_iter().collect();
        all.extend(args.iter().map(|a| self.flow_arg(*a)));
        for (i, arg) in all.into_iter().enumerate() {
            let sink = passed(format!("{function}#{i}"));
            // `Settings.get!(:youtube_api_key)`: a field of what that parameter keys.
            if remote.is_some()
                && let Some((key, offset)) = arg.atom
                && is_identifier(&key)
            {
                let root = keyed(format!("{function}#{i}"));
                let target = Target::Chain { root, path: Vec::new(), attribute: Some(key) };
                self.hit_at(offset, target, RefKind::Query, Confidence::Medium);
            }
            // `def get!(name), do: get(name)`: the parameter keys what `get`'s does (a function
            // of this module only).
            if remote.is_none()
                && let Some(held) = arg.identifier.as_deref().and_then(|n| self.local_map(n)).cloned()
            {
                for (key, _) in held {
                    if let Some(name) = key.strip_prefix("@p:") {
                        let edge = (name.to_owned(), Sink::Local(format!("{function}#{i}")));
                        if !self.keyed_edges.contains(&edge) {
                            self.keyed_edges.push(edge);
                        }
                    }
                }
            }
            // A map literal, or the keys a variable's map was built with.
            let keys = arg.keys;
            for (key, offset) in &keys {
                if is_identifier(key) {
                    let target = Target::Chain { root: sink.clone(), path: Vec::new(), attribute: Some(key.clone()) };
                    self.hit_at(*offset, target, RefKind::Query, Confidence::Medium);
                }
            }
            // A parameter handed to a function of this module is followed here (`close_edges`),
            // one handed to another module's is bound to that function's parameter.
            let local = remote.is_none().then(|| format!("{function}#{i}"));
            self.bind_markers(&keys, &sink, local);
        }
    }

    /// After the file's last walk: each public function's returned keys are what its result is
    /// written as, and the markers it returns are written as that too.
    pub(super) fn returned_flows(&mut self) {
        // In a stable order: the bindings are the file's facts.
        let mut returns: Vec<_> = self.returns.clone().into_iter().collect();
        returns.sort();
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
            // (A parameter it returns is written only where a caller writes what it passed.)
            let keys: Vec<(String, usize)> = keys.into_iter().filter(|(k, _)| !k.starts_with("@p:")).collect();
            self.bind_markers(&keys, &sink, None);
        }
        let (params, keyed) = (std::mem::take(&mut self.param_edges), std::mem::take(&mut self.keyed_edges));
        self.close_edges(PASSED, params);
        self.close_edges(KEYED, keyed);
    }

    /// Each parameter's sinks through the module's own functions it is handed to, bound to it.
    fn close_edges(&mut self, scope: &str, edges: Vec<(String, Sink)>) {
        let mut from: Vec<&String> = edges.iter().map(|(f, _)| f).collect();
        from.sort();
        from.dedup();
        for start in from {
            let mut seen: Vec<&String> = vec![start];
            let mut stack: Vec<&String> = vec![start];
            let mut leaves: Vec<Root> = Vec::new();
            while let Some(name) = stack.pop() {
                for (_, sink) in edges.iter().filter(|(f, _)| f == name) {
                    match sink {
                        Sink::Leaf(root) if !leaves.contains(root) => leaves.push(root.clone()),
                        Sink::Leaf(_) => {}
                        Sink::Local(next) if !seen.contains(&next) => {
                            seen.push(next);
                            stack.push(next);
                        }
                        Sink::Local(_) => {}
                    }
                }
            }
            for root in leaves {
                self.push_binding(scope, start, root);
            }
        }
    }
}

/// Where a parameter's map goes: a sink another file or the resolver knows, or a parameter of a
/// function of this module (followed here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Sink {
    Leaf(Root),
    Local(String),
}

//! Params maps built in one function and written in another: `defp put_checksum(params), do:
//! Map.put(params, :checksum, …)` or `def default_params, do: %{last_seen_at: now}` hands its
//! caller a map whose keys are known. A caller that hands that result (or a variable holding it)
//! to a schema's changeset or a context's writer writes those keys, as if the map were written
//! there. Functions of one module in one file only; a function's later clauses and the functions
//! it calls are seen by walking the file again (see [`super::calls::walk`]).
//! The rows of a `select: %{…}` query are such maps too (`Repo.one(query)` handed to
//! `Drive.changeset(drive, attrs)`), as is the map of an `{:ok, params}` a function returns.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::grammar::NodeExt;

/// The map keys each function of the file returns, by module and name.
pub(super) type Returns = HashMap<(String, String), Vec<(String, usize)>>;

/// The module's functions returning the map a parameter of theirs holds, by module and name:
/// the parameter's index.
pub(super) type Passes = HashMap<(String, String), usize>;

/// `Map` functions whose result is still a map of the keys given.
const MAP_KEEPS: &[&str] = &[
    "put",
    "put_new",
    "put_new_lazy",
    "update",
    "update!",
    "replace",
    "replace!",
    "merge",
    "delete",
    "drop",
    "take",
    "new",
    "filter",
    "reject",
];

/// `Map` functions whose key argument names a key the result carries.
const PUTS: &[&str] = &["put", "put_new", "put_new_lazy", "update", "update!", "replace", "replace!"];

impl<'a> Walker<'a> {
    /// At the end of a function's body: the keys of the map it returns, kept for its callers.
    pub(super) fn record_returned_keys(&mut self, head: Node<'_>, last: Node<'_>) {
        // `def default_params do`: no parentheses to read a call from.
        let target = match calls::head_call(head, self.src) {
            Some((call, _)) => call.field("target"),
            None => (head.kind_name() == "identifier").then_some(head),
        };
        let Some(target) = target else { return };
        let Some(module) = self.modules.last().map(|m| m.name.clone()) else { return };
        self.record_passed_param(&module, head, target, last);
        let keys = self.branch_keys(last);
        if keys.is_empty() {
            return;
        }
        let entry = self.returns.entry((module, self.text(target).to_owned())).or_default();
        for key in keys {
            if !entry.contains(&key) {
                entry.push(key);
            }
        }
    }

    /// The keys of what an expression evaluates to, through the branches of a `case`, `if`,
    /// `cond`, `unless` or `with` (each branch's last expression) and an `{:ok, map}` tuple.
    #[recursive::recursive]
    pub(super) fn branch_keys(&self, node: Node<'_>) -> Vec<(String, usize)> {
        // `{:ok, params}`: the map the tuple carries.
        if let Some(var) = ok_var(node, self.src).filter(|_| node.kind_name() == "tuple") {
            return self.branch_keys(var);
        }
        let Some(ends) = self.branch_ends(node) else {
            return if self.keeps_map(node) { self.merged_keys(node) } else { Vec::new() };
        };
        ends.into_iter().flat_map(|e| self.branch_keys(e)).collect()
    }

    /// The last expression of each branch of a `case`, `if`, `cond`, `unless` or `with`; `None`
    /// for any other expression.
    pub(super) fn branch_ends<'t>(&self, node: Node<'t>) -> Option<Vec<Node<'t>>> {
        let branching = node.kind_name() == "call"
            && matches!(self.callee(node), Some(("case" | "if" | "cond" | "unless" | "with", None)));
        if !branching {
            return None;
        }
        let Some(block) = do_block(node) else {
            // `if c, do: a, else: b`.
            let ends: Vec<Node<'t>> = arguments(node)
                .into_iter()
                .flat_map(|a| keyword_pairs(a, self.src))
                .filter(|(k, _)| matches!(k.as_str(), "do" | "else"))
                .map(|(_, v)| v)
                .collect();
            return Some(ends);
        };
        let mut ends: Vec<Node<'t>> = Vec::new();
        let mut cursor = block.walk();
        let children: Vec<Node<'t>> =
            block.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").collect();
        for child in &children {
            match child.kind_name() {
                "stab_clause" => ends.extend(child.field("right").and_then(last_named)),
                "else_block" => {
                    let mut inner = child.walk();
                    let parts: Vec<Node<'t>> = child.named_children(&mut inner).collect();
                    if parts.iter().any(|p| p.kind_name() == "stab_clause") {
                        ends.extend(parts.iter().filter_map(|p| p.field("right").and_then(last_named)));
                    } else {
                        ends.extend(parts.into_iter().rfind(|p| p.kind_name() != "comment"));
                    }
                }
                _ => {}
            }
        }
        // `if c do a end`: the do part's last expression.
        ends.extend(children.iter().rfind(|c| !matches!(c.kind_name(), "stab_clause" | "else_block")));
        Some(ends)
    }

    /// Whether an expression's value is still the map its keys were read from: a pipe only
    /// through `Map`'s and `Enum`'s map functions and the module's own map-returning functions
    /// (`params |> Map.merge(%{a: 1}) |> create_thing()` returns the record, not the map).
    #[recursive::recursive]
    fn keeps_map(&self, node: Node<'_>) -> bool {
        let stage_keeps = |stage: Node<'_>| match self.callee(stage) {
            Some((name, Some(m))) => match self.text(m) {
                "Map" => MAP_KEEPS.contains(&name),
                "Enum" => matches!(name, "into" | "reject" | "filter"),
                _ => false,
            },
            Some((name, None)) => !self.returned_keys(name).is_empty(),
            None => false,
        };
        match node.kind_name() {
            "binary_operator" if node.field("operator").is_some_and(|o| self.text(o) == "|>") => {
                node.field("left").is_some_and(|l| self.keeps_map(l)) && node.field("right").is_some_and(stage_keeps)
            }
            // `for … do %{…} end`, `Enum.map(xs, fn x -> %{…} end)`: a list of maps (`rows.rs`).
            "call" => {
                stage_keeps(node)
                    || matches!(self.callee(node), Some(("for", None)))
                    || matches!(self.callee(node), Some(("map" | "flat_map", Some(m))) if matches!(self.text(m), "Enum" | "Stream"))
            }
            _ => true,
        }
    }

    /// `defp fix_attrs(attrs), do: attrs |> Map.put(:name, n)`: a function whose value is its
    /// parameter's map piped through `Map`'s functions returns that map, whatever keys a caller
    /// gave it.
    fn record_passed_param(&mut self, module: &str, head: Node<'_>, target: Node<'_>, last: Node<'_>) {
        let Some((_, params)) = calls::head_call(head, self.src) else { return };
        let mut root = last;
        while root.kind_name() == "binary_operator"
            && root.field("operator").is_some_and(|o| self.text(o) == "|>")
            && root.field("right").is_some_and(|r| {
                matches!(self.callee(r), Some((name, Some(m))) if self.text(m) == "Map" && MAP_KEEPS.contains(&name))
            })
            && let Some(left) = root.field("left")
        {
            root = left;
        }
        if root.id() == last.id() || root.kind_name() != "identifier" {
            return;
        }
        if let Some(k) = params.iter().position(|p| p.kind_name() == "identifier" && self.text(*p) == self.text(root)) {
            self.passes.insert((module.to_owned(), self.text(target).to_owned()), k);
        }
    }

    /// The keys the argument a local function passes back carries: `fix_attrs(attrs)` → `attrs`'s.
    pub(super) fn passed_keys(&self, name: &str, args: &[Node<'_>]) -> Vec<(String, usize)> {
        let Some(module) = self.modules.last() else { return Vec::new() };
        let key = (module.name.clone(), name.to_owned());
        let Some(k) = self.passes.get(&key).or_else(|| self.previous_passes.get(&key)) else { return Vec::new() };
        args.get(*k).map(|a| self.merged_keys(*a)).unwrap_or_default()
    }

    /// The keys a local function's result carries (`name(…)` in the module that defines it).
    /// A parameter's marker among them (`flow.rs`) is left out: which map that is depends on
    /// the call (`passed_keys`).
    pub(super) fn returned_keys(&self, name: &str) -> Vec<(String, usize)> {
        let Some(module) = self.modules.last() else { return Vec::new() };
        let key = (module.name.clone(), name.to_owned());
        let keys = self.returns.get(&key).or_else(|| self.previous_returns.get(&key)).cloned().unwrap_or_default();
        keys.into_iter().filter(|(k, _)| !k.starts_with("@p:")).collect()
    }

    /// Whether the key written at `offset` is one a function returns.
    pub(super) fn is_returned_key(&self, offset: usize) -> bool {
        self.returns.values().chain(self.previous_returns.values()).flatten().any(|(_, o)| *o == offset)
    }

    /// `Map.put(params, :checksum, …)` (or the piped stage `|> Map.put(:checksum, …)`, whose map is
    /// `piped`): the key it puts.
    pub(super) fn put_key(&self, name: &str, args: &[Node<'_>], piped: bool) -> Option<(String, usize)> {
        if !PUTS.contains(&name) {
            return None;
        }
        let key = if piped { args.first() } else { args.get(1) };
        // `Map.put(attrs, "specification", ip)`: a params map's string key too.
        key.and_then(|k| atom(*k, self.src).or_else(|| string(*k, self.src).filter(|(s, _)| is_identifier(s))))
    }
}

impl Walker<'_> {
    /// `from(…)` as Ecto's macro: the bare `from` or `Ecto.Query.from`.
    pub(super) fn is_from(&self, node: Node<'_>) -> bool {
        matches!(self.callee(node), Some(("from", None)))
            || matches!(self.callee(node), Some(("from", Some(m))) if self.text(m) == "Ecto.Query")
    }

    /// `from p in Position, select: %{outside_temp_avg: avg(p.outside_temp), …}`: the keys of the
    /// map each row of the query is — a params map once a caller hands a row to a changeset
    /// (`Repo.one(query)` → `Drive.changeset(drive, attrs)`).
    pub(super) fn select_keys(&self, from: Node<'_>) -> Vec<(String, usize)> {
        let args = arguments(from);
        let pairs: Vec<(String, Node<'_>)> = args.iter().skip(1).flat_map(|a| keyword_pairs(*a, self.src)).collect();
        let Some((_, select)) = pairs.iter().find(|(k, _)| k == "select") else { return Vec::new() };
        if select.kind_name() != "map" || self.struct_of(*select).is_some() {
            return Vec::new();
        }
        // The query's bindings: `d0 in subquery(drive_data)` and each join's.
        let mut bindings: Vec<Node<'_>> = args.first().copied().into_iter().collect();
        bindings.extend(pairs.iter().filter(|(k, _)| k.ends_with("join")).map(|(_, v)| *v));
        self.row_keys(*select, &bindings)
    }

    /// `case Repo.one(query) do %{count: n} = attrs when n > 1 -> …`: the variable a clause
    /// binds the whole subject to holds the subject's keys (a query's row, a params map).
    pub(super) fn case_rows(&mut self, node: Node<'_>, subject: Node<'_>) {
        let keys = self.merged_keys(subject);
        if keys.is_empty() {
            return;
        }
        for pattern in case_clause_patterns(node) {
            let var = pattern_var(pattern, self.src);
            let Some(var) = var.map(|v| self.text(v).to_owned()).filter(|v| !v.starts_with('_')) else { continue };
            if let Some(frame) = self.maps.last_mut() {
                frame.insert(var, keys.clone());
            }
        }
    }

    /// The keys of a select map, with those of the row a `%{d0 | ascent: …}` update starts from
    /// when `d0` is bound `in subquery(q)` over a query whose rows are maps.
    pub(super) fn row_keys(&self, map: Node<'_>, bindings: &[Node<'_>]) -> Vec<(String, usize)> {
        let mut out = map_keys(map, self.src);
        let mut cursor = map.walk();
        let contents: Vec<Node<'_>> =
            map.named_children(&mut cursor).filter(|c| c.kind_name() == "map_content").collect();
        for content in contents {
            let mut inner = content.walk();
            let bases: Vec<Node<'_>> =
                content.named_children(&mut inner).filter_map(|c| map_update_base(c, self.src)).collect();
            for base in bases.into_iter().filter(|b| b.kind_name() == "identifier") {
                let sub = bindings.iter().find_map(|b| {
                    let in_op =
                        b.kind_name() == "binary_operator" && b.field("operator").is_some_and(|o| self.text(o) == "in");
                    let var = b.field("left").filter(|_| in_op)?;
                    let right = b.field("right").filter(|_| self.text(var) == self.text(base))?;
                    (right.kind_name() == "call" && matches!(self.callee(right), Some(("subquery", None))))
                        .then(|| arguments(right).first().copied())
                        .flatten()
                });
                out.extend(sub.map(|q| self.merged_keys(q)).unwrap_or_default());
            }
        }
        out
    }
}

fn last_named(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").last()
}

impl Walker<'_> {
    /// Params nested under a key of a params map, as `cast_assoc` reads them: `%{name: n,
    /// presentation_file: %{"status" => "done"}}`, `params |> Map.put("presentation_file",
    /// %{…})`, `poll_opts: Enum.map(opts, fn o -> %{vote_count: 0} end)`. (key, nested key, its
    /// offset): resolution reads the nested key on the association the key names, and on
    /// nothing when the writer's schema has no such association.
    #[recursive::recursive]
    pub(super) fn nested_params(&self, node: Node<'_>) -> Vec<(String, String, usize)> {
        let nested = |key: String, value: Node<'_>| -> Vec<(String, String, usize)> {
            if !matches!(value.kind_name(), "map" | "list" | "call" | "binary_operator") {
                return Vec::new();
            }
            let keys = self.merged_keys(value);
            keys.into_iter().filter(|(k, _)| is_identifier(k)).map(|(k, o)| (key.clone(), k, o)).collect()
        };
        let key_of = |k: Node<'_>| atom(k, self.src).or_else(|| string(k, self.src)).map(|(k, _)| k);
        match node.kind_name() {
            "map" if self.struct_of(node).is_none() => {
                let mut cursor = node.walk();
                let contents: Vec<Node<'_>> =
                    node.named_children(&mut cursor).filter(|c| c.kind_name() == "map_content").collect();
                let mut out = Vec::new();
                for content in contents {
                    let mut cursor = content.walk();
                    for item in content.named_children(&mut cursor) {
                        let pairs: Vec<(String, Node<'_>)> = match item.kind_name() {
                            "keywords" => keyword_pairs(item, self.src),
                            "binary_operator" if self.operator(item) == Some("=>") => item
                                .field("left")
                                .and_then(|l| string(l, self.src))
                                .zip(item.field("right"))
                                .map(|((k, _), v)| (k, v))
                                .into_iter()
                                .collect(),
                            _ => Vec::new(),
                        };
                        for (key, value) in pairs {
                            out.extend(nested(key, value));
                        }
                    }
                }
                out
            }
            "binary_operator" if self.operator(node) == Some("|>") => {
                let mut out = node.field("left").map(|l| self.nested_params(l)).unwrap_or_default();
                if let Some(stage) = node.field("right")
                    && let Some(("put", Some(m))) = self.callee(stage)
                    && self.text(m) == "Map"
                    && let [key, value, ..] = arguments(stage)[..]
                    && let Some(key) = key_of(key)
                {
                    out.extend(nested(key, value));
                }
                out
            }
            "call" => match (self.callee(node), &arguments(node)[..]) {
                (Some(("put", Some(m))), [map, key, value, ..]) if self.text(m) == "Map" => {
                    let mut out = self.nested_params(*map);
                    out.extend(key_of(*key).map(|k| nested(k, *value)).unwrap_or_default());
                    out
                }
                (Some(("merge", Some(m))), args) if self.text(m) == "Map" => {
                    args.iter().flat_map(|a| self.nested_params(*a)).collect()
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    fn operator(&self, node: Node<'_>) -> Option<&str> {
        node.field("operator").map(|o| self.text(o))
    }
}

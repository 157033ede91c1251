//! Functions dispatched on a literal and the rows they give: `defp get_query("groups", org, a),
//! do: Group |> where(…) |> order_by(…)` — one clause per literal, each a query over a schema —
//! and a function that hands its parameter on to them and returns the rows (`defp
//! fetch_data(table, org, a) do query = get_query(table, org, a); Repo.all(query) end`). A call of
//! the latter with the literal (`fetch_data("groups", …) |> Enum.reduce([], fn row, acc ->
//! row.group_type …`) gives records of that clause's schema: Elixir runs the clause whose
//! pattern the literal matches. Functions of one module in one file; one defined below its
//! callers is seen by walking the file again (see [`super::calls::walk`]).

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::grammar::NodeExt;

/// What the file's functions dispatched on a literal give.
#[derive(Default, Clone, PartialEq, Eq)]
pub(super) struct Dispatch {
    /// (module, function, literal) → the schema the query of the clause matching it is over.
    /// A string literal is kept as `"groups"`, an atom as `:groups`.
    queries: HashMap<(String, String, String), Source>,
    /// (module, function) → the dispatched function whose query's rows it returns, and which of
    /// its own parameters it hands on as that function's first argument.
    rows: HashMap<(String, String), (String, usize)>,
}

impl Dispatch {
    /// Whether a walk that saw `previous` must be followed by another: rows typed by a literal
    /// need both halves, and either may be defined below its use.
    pub(super) fn wants_walk(&self, previous: &Dispatch) -> bool {
        !self.queries.is_empty() && !self.rows.is_empty() && self != previous
    }
}

/// The literal a node is: `"groups"` or `:groups`, kept apart.
fn literal(node: Node<'_>, src: &str) -> Option<String> {
    string(node, src).map(|(s, _)| format!("\"{s}\"")).or_else(|| atom(node, src).map(|(a, _)| format!(":{a}")))
}

impl Walker<'_> {
    /// The literal a clause's first parameter matches: `"groups"` in `defp get_query("groups", …)`.
    pub(super) fn dispatch_literal(&self, head: Node<'_>) -> Option<String> {
        let (_, params) = calls::head_call(head, self.src)?;
        literal(*params.first()?, self.src)
    }

    /// A clause `name(literal, …)` returns a query over `source`.
    pub(super) fn record_dispatched_query(&mut self, name: &str, literal: String, source: Source) {
        let Some(module) = self.modules.last().map(|m| m.name.clone()) else { return };
        self.dispatch.queries.insert((module, name.to_owned(), literal), source);
    }

    /// At the end of a function's body (`last`, in `def`): whether each way out returns
    /// `Repo.all(q)` (any repo: `RepoReplica.all(q)`) of a query `q = g(param, …)` — a local
    /// function handed one of this function's parameters first —, to type its callers' rows.
    pub(super) fn record_row_fn(&mut self, def: Node<'_>, head: Node<'_>, last: Node<'_>) {
        let Some((call, params)) = calls::head_call(head, self.src) else { return };
        let Some(target) = call.field("target") else { return };
        let Some(module) = self.modules.last().map(|m| m.name.clone()) else { return };
        let params: Vec<Option<&str>> =
            params.iter().map(|p| (p.kind_name() == "identifier").then(|| self.text(*p))).collect();
        let mut found: Option<(String, usize)> = None;
        for end in self.ends(last) {
            let Some(query) = self.repo_all_of(end) else { return };
            let query = match query.kind_name() {
                "identifier" => match self.assigned_call(def, self.text(query)) {
                    Some(call) => call,
                    None => return,
                },
                _ => query,
            };
            let Some((g, None)) = self.callee(query) else { return };
            let Some(first) = arguments(query).first().filter(|a| a.kind_name() == "identifier").map(|a| self.text(*a))
            else {
                return;
            };
            let Some(k) = params.iter().position(|p| *p == Some(first)) else { return };
            let this = (g.to_owned(), k);
            if found.as_ref().is_some_and(|f| *f != this) {
                return;
            }
            found = Some(this);
        }
        if let Some(found) = found {
            self.dispatch.rows.insert((module, self.text(target).to_owned()), found);
        }
    }

    /// The records a local call gives when it is a row function called with a literal that a
    /// dispatched function's clause matches: `fetch_data("groups", …)` → `Group`.
    pub(super) fn dispatched_rows(&self, call: Node<'_>) -> Option<Source> {
        if call.kind_name() != "call" {
            return None;
        }
        let (name, None) = self.callee(call)? else { return None };
        let module = self.modules.last()?.name.clone();
        let key = (module, name.to_owned());
        let (g, k) = self.dispatch.rows.get(&key).or_else(|| self.previous_dispatch.rows.get(&key))?;
        let literal = literal(*arguments(call).get(*k)?, self.src)?;
        let key = (key.0, g.clone(), literal);
        self.dispatch.queries.get(&key).or_else(|| self.previous_dispatch.queries.get(&key)).cloned()
    }

    /// The expressions a body's value may be: through the branches of `if`, `unless`, `case`
    /// and `cond` (each branch's last expression), else the expression itself.
    fn ends<'t>(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let mut out = Vec::new();
        let mut stack = vec![node];
        while let Some(node) = stack.pop() {
            let branching = node.kind_name() == "call"
                && matches!(self.callee(node), Some(("if" | "unless" | "case" | "cond", None)));
            let Some(block) = do_block(node).filter(|_| branching) else {
                out.push(node);
                continue;
            };
            let last = |n: Node<'t>| {
                let mut cursor = n.walk();
                n.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").last()
            };
            let mut cursor = block.walk();
            let children: Vec<Node<'t>> =
                block.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").collect();
            for child in &children {
                match child.kind_name() {
                    "stab_clause" => stack.extend(child.field("right").and_then(last)),
                    "else_block" => stack.extend(last(*child)),
                    _ => {}
                }
            }
            // `if c do a else b end`: the do part's last expression.
            stack.extend(children.iter().rfind(|c| !matches!(c.kind_name(), "stab_clause" | "else_block")).copied());
        }
        out
    }

    /// `Repo.all(q)`, `Repo.all(q, opts)` or `q |> Repo.all()`: the query `q`.
    fn repo_all_of<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        let is_all = |call: Node<'_>| matches!(self.callee(call), Some(("all", Some(m))) if self.text(m).rsplit('.').next().is_some_and(|r| r.starts_with("Repo") || r.ends_with("Repo")));
        match node.kind_name() {
            "call" if is_all(node) => arguments(node).first().copied(),
            "binary_operator"
                if node.field("operator").is_some_and(|o| self.text(o) == "|>")
                    && node.field("right").is_some_and(is_all) =>
            {
                node.field("left")
            }
            _ => None,
        }
    }

    /// The call a variable is assigned in a function's own statements: `query = get_query(…)`.
    fn assigned_call<'t>(&self, def: Node<'t>, var: &str) -> Option<Node<'t>> {
        let block = do_block(def)?;
        let mut cursor = block.walk();
        let statements: Vec<Node<'t>> = block.named_children(&mut cursor).collect();
        statements.into_iter().rev().find_map(|s| {
            let assigns = s.kind_name() == "binary_operator"
                && s.field("operator").is_some_and(|o| self.text(o) == "=")
                && s.field("left").is_some_and(|l| l.kind_name() == "identifier" && self.text(l) == var);
            s.field("right").filter(|r| assigns && r.kind_name() == "call")
        })
    }
}

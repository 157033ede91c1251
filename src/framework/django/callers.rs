//! Call-site typing within one file, as Rails' and Phoenix's extractors do it: a module
//! function's parameter that every call the file makes of it gives one model's records (or
//! queryset) holds them (`_get_field_count_map(test_cases, …)` called twice with `test_cases =
//! TestCase.objects.filter(…)`). A parameter two calls give different types, or one call a value
//! or something untyped, stays untyped; so does every parameter of a function the file also
//! names other than to call it (handed on as a callback), or calls with `*args` / `**kwargs`.
//! The calls are typed with their callers' names, so the file's functions are typed again with
//! what the calls said until nothing changes (four rounds at most).

use crate::grammar::NodeExt;
use std::collections::HashMap;
use std::rc::Rc;

use tree_sitter::Node;

use super::extract::Ctx;
use super::receivers::Ty;
use crate::scan::extract::python::args;
use crate::scan::extract::treesit::{Nodes, named_children};

/// A parameter of a module function: its name, and its position when a call may give it so.
struct Param {
    name: String,
    position: Option<usize>,
}

impl Ctx<'_> {
    /// Types the parameters of the file's module functions by the file's calls of them
    /// ([`Ctx::callers`]) and types those functions' names again.
    pub(super) fn type_by_callers(&mut self, nodes: &Nodes<'_>) {
        let mut defs: HashMap<&str, Option<Node<'_>>> = HashMap::new();
        for func in named_children(nodes.root()).into_iter().filter_map(|n| match n.kind_name() {
            "function_definition" => Some(n),
            "decorated_definition" => n.field("definition"),
            _ => None,
        }) {
            let Some(name) = func.field("name").map(|n| self.src.node_text(n)) else { continue };
            // Defined twice (under an `if`, say): which one a call reaches is not known.
            defs.entry(name).and_modify(|d| *d = None).or_insert(Some(func));
        }
        let mut calls: HashMap<&str, Vec<Node<'_>>> = HashMap::new();
        let mut named: HashMap<&str, usize> = HashMap::new();
        for id in nodes.of_kind("identifier") {
            let text = self.src.node_text(id);
            if defs.get(text).is_some_and(Option::is_some) {
                *named.entry(text).or_default() += 1;
            }
        }
        for call in nodes.of_kind("call") {
            if let Some(f) = call.field("function").filter(|f| f.kind_name() == "identifier") {
                let name = self.src.node_text(f);
                if defs.get(name).is_some_and(Option::is_some) {
                    calls.entry(name).or_default().push(call);
                }
            }
        }
        // Only functions the file does nothing with but call (its `def` names it once).
        let typed: Vec<(Node<'_>, Vec<Param>, Vec<Node<'_>>)> = calls
            .into_iter()
            .filter(|(name, c)| named.get(name).copied().unwrap_or(0) == c.len() + 1)
            .filter_map(|(name, c)| {
                let func = defs.get(name).copied().flatten()?;
                Some((func, self.params(func), c))
            })
            .collect();
        if typed.is_empty() {
            return;
        }
        for _ in 0..4 {
            let mut found: HashMap<usize, Vec<(String, Ty)>> = HashMap::new();
            for (func, params, calls) in &typed {
                let bound: Vec<(String, Ty)> =
                    params.iter().filter_map(|p| self.agreed(*func, p, calls).map(|t| (p.name.clone(), t))).collect();
                if !bound.is_empty() {
                    found.insert(func.id(), bound);
                }
            }
            if found == self.callers {
                return;
            }
            self.callers = found;
            for (func, _, _) in &typed {
                let env = self.function_env(*func);
                self.envs.insert(func.id(), Rc::new(env));
            }
        }
    }

    /// The parameters of `func` a call may type: plain names (with a default or not), by
    /// position up to a `*` or `*args`, by keyword after it.
    fn params(&self, func: Node<'_>) -> Vec<Param> {
        let mut out = Vec::new();
        let (mut positional, mut at) = (true, 0);
        let Some(list) = func.field("parameters") else { return out };
        for p in named_children(list) {
            let name = match p.kind_name() {
                "identifier" => Some(p),
                "default_parameter" => p.field("name"),
                // Annotated: what the annotation says, never what the calls do.
                "typed_parameter" | "typed_default_parameter" => None,
                "list_splat_pattern" | "keyword_separator" => {
                    positional = false;
                    continue;
                }
                _ => continue,
            };
            if let Some(name) = name {
                out.push(Param { name: self.src.node_text(name).to_owned(), position: positional.then_some(at) });
            }
            at += 1;
        }
        out
    }

    /// The one type every call of `func` gives `param` (a call that leaves it to its default
    /// says nothing), or none.
    fn agreed(&self, func: Node<'_>, param: &Param, calls: &[Node<'_>]) -> Option<Ty> {
        let mut one: Option<Ty> = None;
        for call in calls {
            let spread = call.field("arguments").is_some_and(|l| {
                named_children(l).iter().any(|a| matches!(a.kind_name(), "list_splat" | "dictionary_splat"))
            });
            if spread {
                return None;
            }
            let a = args(*call);
            let given = a
                .keywords
                .iter()
                .find(|(k, _)| self.src.node_text(*k) == param.name)
                .map(|(_, v)| *v)
                .or_else(|| a.positional.get(param.position?).copied());
            let Some(given) = given else { continue };
            // The function handing its own parameter on to itself: no evidence either way.
            if self.scopes.get(&call.id()) == Some(&func.id())
                && given.kind_name() == "identifier"
                && self.src.node_text(given) == param.name
            {
                continue;
            }
            let ty = self.ty(given, &self.env_at(given))?;
            match &one {
                Some(seen) if *seen != ty => return None,
                _ => one = Some(ty),
            }
        }
        one
    }
}

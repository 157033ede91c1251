//! Private functions typed by their callers: every call of a `defp` is in its own module, so
//! when every call passes a record of one schema (`youtube_url(episode)` where `episode` is an
//! `Episode`), the parameter is one — a map pattern's keys are its fields
//! (`defp youtube_url(%{youtube_id: id})`), a variable is bound to it. A parameter that two
//! calls give different schemas, or that one call passes something untyped, stays as it was.
//! The file is walked once to see the calls and again with what they say.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::grammar::NodeExt;

/// A private function: its module, name and arity.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct FnKey {
    module: String,
    name: String,
    arity: usize,
}

/// What each function of a module returns when it is a record (see `Walker::record_fns`).
pub(super) type RecordFns = HashMap<FnKey, Option<(Source, Confidence)>>;

#[derive(Default)]
pub(super) struct CallSites {
    /// Each local call's arguments: the schema each is a record of, if known.
    calls: HashMap<FnKey, Vec<Vec<Option<Source>>>>,
    /// The module's private functions.
    private: std::collections::HashSet<FnKey>,
    /// Parameters some call hands a map literal holding a typed record under a key
    /// (`do_webhook_pr(conn, %{project: project, pr: pr, is_draft: pr.draft})`): a dispatch map
    /// the code builds, no record, so the head's map pattern there reads no table's columns.
    pub(super) plain_maps: std::collections::HashSet<(FnKey, usize)>,
}

impl CallSites {
    /// The schema each parameter of each private function is given by all its calls.
    pub(super) fn param_types(&self) -> HashMap<FnKey, Vec<Option<Source>>> {
        let mut out = HashMap::new();
        for key in &self.private {
            let Some(calls) = self.calls.get(key) else { continue };
            let types: Vec<Option<Source>> = (0..key.arity)
                .map(|i| {
                    let first = calls.first()?.get(i)?.clone()?;
                    calls.iter().all(|c| c.get(i).is_some_and(|a| a.as_ref() == Some(&first))).then_some(first)
                })
                .collect();
            if types.iter().any(Option::is_some) {
                out.insert(key.clone(), types);
            }
        }
        out
    }
}

impl<'a> Walker<'a> {
    fn fn_key(&self, name: &str, arity: usize) -> Option<FnKey> {
        Some(FnKey { module: self.modules.last()?.name.clone(), name: name.to_owned(), arity })
    }

    /// A call of a function of this module (no module named): what each argument is a record of.
    pub(super) fn observe_local_call(&mut self, node: Node<'_>, name: &str, args: &[Node<'_>]) {
        if self.heads.contains(&node.id()) {
            return;
        }
        let Some(key) = self.fn_key(name, args.len()) else { return };
        for (i, arg) in args.iter().enumerate() {
            if arg.kind_name() == "map" && self.struct_of(*arg).is_none() && self.holds_records(*arg) {
                self.call_sites.plain_maps.insert((key.clone(), i));
            }
        }
        let types: Vec<Option<Source>> = args
            .iter()
            .map(|a| {
                // An `event` nothing binds is guessed where it is read, never handed on as typed.
                let named = a.kind_name() == "identifier" && !self.named_only(*a);
                let typed = self.record_of(*a).or_else(|| if named { self.record(*a) } else { None });
                match typed {
                    Some((Source::Schema(s), _)) => Some(Source::Schema(s)),
                    _ => None,
                }
            })
            .collect();
        self.call_sites.calls.entry(key).or_default().push(types);
    }

    /// A map literal with a record a binding types (not a name only) under one of its keys.
    fn holds_records(&self, map: Node<'_>) -> bool {
        map_pairs(map, self.src).into_iter().any(|(_, value)| {
            value.kind_name() == "identifier"
                && matches!(self.lookup_typed(self.text(value)), Some((Source::Schema(_), Confidence::High)))
        })
    }

    /// A head whose map pattern a call of the module hands a map holding records (see
    /// [`CallSites::plain_maps`]), by the previous walk: its pattern is kept in `plain_heads`.
    pub(super) fn plain_head(&mut self, head: Node<'_>) {
        let Some((call, params)) = head_call(head, self.src) else { return };
        let name = self.text(call.field("target").unwrap_or(call));
        let Some(key) = self.fn_key(name, params.len()) else { return };
        for (i, param) in params.iter().enumerate() {
            if !self.caller_plain.contains(&(key.clone(), i)) {
                continue;
            }
            if let Some(map) = param_map(*param) {
                self.plain_heads.insert(map.id());
            }
        }
    }

    /// What a value piped into a call is a record of, as `observe_local_call` reads an argument.
    pub(super) fn piped_type(&self, value: Node<'_>) -> Option<Source> {
        let named = value.kind_name() == "identifier" && !self.named_only(value);
        let typed = self.record_of(value).or_else(|| if named { self.record(value) } else { None });
        match typed {
            Some((Source::Schema(s), _)) => Some(Source::Schema(s)),
            _ => None,
        }
    }

    /// A pipe's stage calling a function of this module (`%Integration{} |> changeset(params)`):
    /// the piped value is its first argument. A pipe of what nothing types says nothing (as
    /// before pipes were read: `conn |> current_user() |> has_role?(roles)`).
    pub(super) fn observe_piped_call(&mut self, node: Node<'_>, name: &str, piped: Option<Source>) {
        if piped.is_none() {
            return;
        }
        let args = arguments(node);
        let Some(key) = self.fn_key(name, args.len() + 1) else { return };
        let mut types = vec![piped];
        types.extend(args.iter().map(|a| self.piped_type(*a)));
        self.call_sites.calls.entry(key).or_default().push(types);
    }

    /// `defp lock_run!(id), do: from(r in Run, …) |> Repo.one!()`: the function's value is a
    /// record of that schema (two clauses that disagree say nothing).
    pub(super) fn record_returned_record(&mut self, head: Node<'_>, last: Node<'_>) {
        let Some((call, params)) = head_call(head, self.src) else { return };
        let name = self.text(call.field("target").unwrap_or(call));
        let Some(key) = self.fn_key(name, params.len()) else { return };
        let returned = self.record_of(last).filter(|(s, _)| matches!(s, Source::Schema(_)));
        match self.record_fns.get(&key) {
            Some(seen) if *seen != returned => {
                self.record_fns.insert(key, None);
            }
            Some(_) => {}
            None => {
                self.record_fns.insert(key, returned);
            }
        }
    }

    /// A call of the module's function that returns a record, as this walk or the previous saw it.
    pub(super) fn local_record(&self, name: &str, arity: usize) -> Option<(Source, Confidence)> {
        let key = self.fn_key(name, arity)?;
        self.record_fns.get(&key).or_else(|| self.previous_record_fns.get(&key)).cloned().flatten()
    }

    /// A `defp` head: recorded as private; its parameters typed by the previous walk's calls.
    pub(super) fn private_head(&mut self, head: Node<'_>) {
        let Some((call, params)) = head_call(head, self.src) else { return };
        let name = self.text(call.field("target").unwrap_or(call));
        let Some(key) = self.fn_key(name, params.len()) else { return };
        self.call_sites.private.insert(key.clone());
        let Some(types) = self.caller_types.get(&key).cloned() else { return };
        for (param, ty) in params.iter().zip(types) {
            if let Some(schema) = ty {
                self.type_param(*param, schema, Confidence::Medium);
            }
        }
    }

    /// A parameter known to be a record of `schema`: a map pattern's keys are its fields, its
    /// variable (`%{…} = x`, or bare) is bound to it.
    pub(super) fn type_param(&mut self, param: Node<'_>, schema: Source, confidence: Confidence) {
        let (pattern, var) = match param.kind_name() {
            "binary_operator" if param.field("operator").is_some_and(|o| self.text(o) == "=") => {
                let (l, r) = (param.field("left"), param.field("right"));
                match (l, r) {
                    (Some(l), Some(r)) if l.kind_name() == "map" => (Some(l), Some(r)),
                    (Some(l), Some(r)) => (Some(r).filter(|r| r.kind_name() == "map"), Some(l)),
                    _ => (None, None),
                }
            }
            "map" => (Some(param), None),
            "identifier" => (None, Some(param)),
            _ => (None, None),
        };
        if let Some(map) = pattern.filter(|m| self.struct_of(*m).is_none()) {
            for (key, offset) in keyword_keys(map, self.src) {
                self.field_hit(offset, &schema, &key, RefKind::Query, confidence);
            }
        }
        if let Some(var) = var.filter(|v| v.kind_name() == "identifier") {
            let name = self.text(var).to_owned();
            self.bind_as(&name, schema, confidence);
        }
    }
}

/// The call node of a function head, through its guard.
pub(super) fn head_call<'t>(head: Node<'t>, src: &str) -> Option<(Node<'t>, Vec<Node<'t>>)> {
    let call = if head.kind_name() == "binary_operator"
        && head.field("operator").is_some_and(|o| src.get(o.byte_range()) == Some("when"))
    {
        head.field("left")?
    } else {
        head
    };
    (call.kind_name() == "call" && call.field("target")?.kind_name() == "identifier").then(|| (call, arguments(call)))
}

/// Extracts an Elixir file: walked once to see its private functions' calls and the maps its
/// functions return, and again while a walk learns more of either (a function returning what
/// another defined below it returns needs one walk more; a few suffice).
pub(super) fn walk(source: &str, path: &str, root: Node<'_>) -> FileFacts {
    let mut walker = Walker::new(source, path);
    walker.visit(root);
    let mut types = walker.call_sites.param_types();
    let plain = std::mem::take(&mut walker.call_sites.plain_maps);
    let mut walks = 1;
    // Parameters a walk typed otherwise than the walk before (a call of a function defined below).
    let mut grew = false;
    while ((!types.is_empty() || !plain.is_empty()) && walks == 1)
        || grew
        || (walker.record_fns.values().any(Option::is_some) && walker.record_fns != walker.previous_record_fns)
        || (!walker.returns.is_empty() && keys_only(&walker.returns) != keys_only(&walker.previous_returns))
        || walker.dispatch.wants_walk(&walker.previous_dispatch)
        || (!walker.passes.is_empty() && walker.passes != walker.previous_passes)
        || (!walker.lists.is_empty() && walker.lists != walker.previous_lists)
        || (!walker.positions.is_empty() && walker.positions != walker.previous_positions)
    {
        if walks == 4 {
            break;
        }
        let mut next = Walker::new(source, path);
        next.caller_types = types.clone();
        next.caller_plain = plain.clone();
        next.previous_returns = std::mem::take(&mut walker.returns);
        next.previous_dispatch = std::mem::take(&mut walker.dispatch);
        next.previous_passes = std::mem::take(&mut walker.passes);
        next.previous_lists = std::mem::take(&mut walker.lists);
        next.previous_positions = std::mem::take(&mut walker.positions);
        next.previous_record_fns = std::mem::take(&mut walker.record_fns);
        next.visit(root);
        walker = next;
        walks += 1;
        grew = false;
        for (key, fresh) in walker.call_sites.param_types() {
            let known = types.entry(key).or_insert_with(|| vec![None; fresh.len()]);
            for (old, new) in known.iter_mut().zip(fresh) {
                // (A walk that knows more replaces a guess by name: `run` → `IndexRun`, not `Run`.)
                if new.is_some() && *old != new {
                    *old = new;
                    grew = true;
                }
            }
        }
    }
    walker.returned_flows();
    walker.facts
}

/// What functions return, less the markers of where their maps came from (`flow.rs`): those
/// take no walk more.
fn keys_only(returns: &params::Returns) -> params::Returns {
    returns
        .iter()
        .map(|(k, v)| (k.clone(), v.iter().filter(|(key, _)| is_identifier(key)).cloned().collect::<Vec<_>>()))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

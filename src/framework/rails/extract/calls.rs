//! Call-site typing within one file: a method's parameters typed by the calls the file makes of
//! it (`stop?(sub)` where every caller's `sub` is a subscription types `def stop?(sub)`), and a
//! receiverless call typed by the called method's last expression
//! (`def assignment; @assignment ||= user.issue_assignments.last; end`, a method returning a
//! hash literal handed to `update!`). Flow-insensitive: the file is walked again with what the
//! previous walk learnt until nothing changes. A parameter that two calls give different models,
//! or a value, or an argument nothing types, stays untyped (its name alone is the guess, as for
//! any other name).

use super::*;
use crate::grammar::NodeExt;

/// The method a receiverless call reaches: one of the enclosing class (or module), an instance
/// method when an instance method calls it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct MethodKey {
    pub(super) scope: String,
    pub(super) name: String,
    pub(super) instance: bool,
}

/// What one walk of a file learnt about its methods, used by the next walk.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Summaries {
    /// Parameter types bound at a method's entry.
    params: HashMap<MethodKey, Vec<(String, Ty)>>,
    /// What a call of the method evaluates to.
    returns: HashMap<MethodKey, Ty>,
    /// Positional parameters whose hash the method writes into a model's records (see
    /// `forwarded.rs`).
    pub(super) writes: HashMap<MethodKey, Vec<Write>>,
}

/// One argument of one call, as evidence about the parameter it binds.
#[derive(Debug, Clone)]
enum Arg {
    /// A record, relation or form builder of a model.
    Known(Ty),
    /// The calling method's own parameter, passed on in a recursive call: no evidence either way.
    Recursive,
    /// A value, or an expression nothing types: the parameter may be anything.
    Other,
}

struct Call {
    positional: Vec<Arg>,
    keywords: Vec<(String, Arg)>,
    /// A splat argument: every position from its own on may be anything.
    splat: bool,
}

#[derive(Default)]
pub(super) struct Params {
    pub(super) positional: Vec<String>,
    pub(super) keywords: Vec<String>,
}

/// What a walk observes: methods defined, receiverless calls made, results, bare names used.
#[derive(Default)]
pub(super) struct Observed {
    pub(super) defs: HashMap<MethodKey, Params>,
    calls: HashMap<MethodKey, Vec<Call>>,
    returns: HashMap<MethodKey, Ty>,
    /// Names used bare in instance methods (`assignment.update!(…)`): calls of zero arguments.
    bare: HashSet<String>,
    pub(super) writes: HashMap<MethodKey, Vec<Write>>,
}

impl Observed {
    pub(super) fn summarize(self) -> Summaries {
        let mut out = Summaries::default();
        for (key, params) in &self.defs {
            let Some(calls) = self.calls.get(key) else { continue };
            let mut bound = Vec::new();
            for (i, name) in params.positional.iter().enumerate() {
                // A call passing fewer arguments leaves the default: no caller's type.
                let args = calls.iter().filter_map(|c| match c.positional.get(i) {
                    Some(a) => Some(a),
                    None if c.splat => Some(&Arg::Other),
                    None => None,
                });
                if let Some(ty) = agree(args) {
                    bound.push((name.clone(), ty));
                }
            }
            for name in &params.keywords {
                let args = calls.iter().flat_map(|c| c.keywords.iter().filter(|(k, _)| k == name).map(|(_, a)| a));
                if let Some(ty) = agree(args) {
                    bound.push((name.clone(), ty));
                }
            }
            if !bound.is_empty() {
                out.params.insert(key.clone(), bound);
            }
        }
        out.writes = self.writes;
        for (key, ty) in self.returns {
            if self.calls.contains_key(&key) || (key.instance && self.bare.contains(&key.name)) {
                out.returns.insert(key, ty);
            }
        }
        out
    }
}

/// The one model every argument agrees on (at most medium: the callers are evidence, not a
/// declaration), or none when one is a value, untyped, or of another model or kind.
fn agree<'x>(args: impl Iterator<Item = &'x Arg>) -> Option<Ty> {
    let mut one: Option<Ty> = None;
    for arg in args {
        let ty = match arg {
            Arg::Other => return None,
            Arg::Recursive => continue,
            Arg::Known(ty) => weaken(ty)?,
        };
        one = match one {
            None => Some(ty),
            Some(seen) => Some(same(&seen, &ty)?),
        };
    }
    one
}

fn weaken(ty: &Ty) -> Option<Ty> {
    Some(match ty {
        Ty::Record(r, c) => Ty::Record(r.clone(), (*c).min(Confidence::Medium)),
        Ty::Relation(r, c) => Ty::Relation(r.clone(), (*c).min(Confidence::Medium)),
        Ty::Form(r, c) => Ty::Form(r.clone(), (*c).min(Confidence::Medium)),
        Ty::Arel(r, c) => Ty::Arel(r.clone(), (*c).min(Confidence::Medium)),
        // Rows a caller built (`upsert_rows(rates)` with `rates = ….map { {from_currency: …} }`),
        // written by the method (`upsert_all(batch)`).
        Ty::Literal(ranges) => Ty::Literal(ranges.clone()),
        _ => return None,
    })
}

/// The two types when they are one (the lower confidence kept).
fn same(a: &Ty, b: &Ty) -> Option<Ty> {
    match (a, b) {
        (Ty::Record(x, c), Ty::Record(y, d)) if x == y => Some(Ty::Record(x.clone(), (*c).min(*d))),
        (Ty::Relation(x, c), Ty::Relation(y, d)) if x == y => Some(Ty::Relation(x.clone(), (*c).min(*d))),
        (Ty::Form(x, c), Ty::Form(y, d)) if x == y => Some(Ty::Form(x.clone(), (*c).min(*d))),
        (Ty::Arel(x, c), Ty::Arel(y, d)) if x == y => Some(Ty::Arel(x.clone(), (*c).min(*d))),
        (Ty::Literal(x), Ty::Literal(y)) if x == y => Some(Ty::Literal(x.clone())),
        _ => None,
    }
}

/// The parameter names of a `def`: positional (plain and optional) and keyword.
fn params_of(method: Node<'_>, code: &str) -> Params {
    let mut out = Params::default();
    let Some(list) = method.child_by_field_id(*field::PARAMETERS) else { return out };
    let mut cursor = list.walk();
    let mut positional = true;
    for p in list.named_children(&mut cursor) {
        let name = |n: Node<'_>| code.get(n.byte_range()).unwrap_or("").to_owned();
        match p.kind_name() {
            "identifier" if positional => out.positional.push(name(p)),
            "optional_parameter" if positional => {
                if let Some(n) = p.child_by_field_id(*field::NAME) {
                    out.positional.push(name(n));
                }
            }
            "keyword_parameter" => {
                if let Some(n) = p.child_by_field_id(*field::NAME) {
                    out.keywords.push(name(n));
                }
            }
            // After a splat, positions no longer name one parameter each.
            "splat_parameter" | "destructured_parameter" | "forward_parameter" => positional = false,
            _ => {}
        }
    }
    out
}

impl<'a> Walker<'a> {
    pub(super) fn method_key(&self, name: &str, instance: bool) -> MethodKey {
        MethodKey {
            scope: self.scopes.last().map(|s| s.name.clone()).unwrap_or_default(),
            name: name.to_owned(),
            instance,
        }
    }

    /// Entering a `def`: its parameters as its callers typed them; what it defines.
    pub(super) fn enter_method(&mut self, node: Node<'_>, name: &str, instance: bool) {
        let key = self.method_key(name, instance);
        let params = params_of(node, self.code);
        self.method_params = params.positional.iter().chain(&params.keywords).cloned().collect();
        self.observed.defs.insert(key.clone(), params);
        let bound = self.summaries.params.get(&key).cloned().unwrap_or_default();
        let typed: Vec<String> = bound.iter().map(|(param, _)| param.clone()).collect();
        let positional = self.observed.defs.get(&key).map(|p| p.positional.clone()).unwrap_or_default();
        self.helper_params(name, &positional, &typed);
        for (param, ty) in bound {
            self.bind(&param, ty);
        }
        self.method_key = Some(key);
    }

    /// Leaving a `def` (its locals still bound): what its last expression evaluates to.
    pub(super) fn leave_method(&mut self, node: Node<'_>) {
        if let Some(key) = self.method_key.take()
            && let Some(body) = node.child_by_field_id(*field::BODY)
            && let Some(ty) = self.result_of(body)
        {
            if key.instance && self.controller_concern().is_some() {
                // A controller concern's method is called bare from the controllers (and the
                // other concerns) that include it: what it returns is theirs to read.
                self.bind_for(CONTROLLER_METHODS.to_owned(), &key.name, &ty);
            }
            self.helper_result(&key.name, key.instance, &ty);
            self.observed.returns.insert(key, ty);
        }
    }

    #[recursive::recursive]
    fn result_of(&self, node: Node<'_>) -> Option<Ty> {
        match node.kind_name() {
            "body_statement" | "parenthesized_statements" | "begin" => {
                let mut cursor = node.walk();
                let last = node.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").last()?;
                self.result_of(last)
            }
            // `@x ||= …`, `x = …`: the value assigned.
            "assignment" | "operator_assignment" => self.result_of(node.child_by_field_id(*field::RIGHT)?),
            "hash" => Some(Ty::Literal(vec![(node.start_byte(), node.end_byte())])),
            // `def recently_played_entry_params; params.require(:x).permit(:progress) end`: the
            // keys permitted, written by whatever record the caller updates with them.
            "call" if node.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "permit") => {
                Some(Ty::Literal(vec![(node.start_byte(), node.end_byte())]))
            }
            // `categories.map { |c| { id: c.id, name: c.name } }`: rows of hashes, not records.
            "call" if mapped_hash(node, self.code).is_some() => {
                mapped_hash(node, self.code).map(|row| Ty::Literal(vec![(row.start_byte(), row.end_byte())]))
            }
            // `base.merge(email: e)`: the keys of both.
            "call" if node.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "merge") => {
                let mut ranges = match self.result_of(node.child_by_field_id(*field::RECEIVER)?)? {
                    Ty::Literal(ranges) => ranges,
                    _ => return None,
                };
                for arg in arguments(node) {
                    match arg.kind_name() {
                        "hash" | "pair" => ranges.push((arg.start_byte(), arg.end_byte())),
                        _ => return None,
                    }
                }
                Some(Ty::Literal(ranges))
            }
            "identifier" => {
                let name = self.text(node);
                let returned = || (self.in_instance_method && self.not_a_local(name)).then(|| self.returned(name));
                self.lookup(name).or_else(|| returned().flatten()).or_else(|| self.eval(node))
            }
            _ => self.eval(node),
        }
    }

    /// A receiverless call of a method of this file: records its arguments as evidence.
    pub(super) fn observe_call(&mut self, method: &str, args: &[Node<'_>]) {
        let key = self.method_key(method, self.in_instance_method);
        let mut call = Call { positional: Vec::new(), keywords: Vec::new(), splat: false };
        for arg in args {
            match arg.kind_name() {
                "pair" => {
                    if let (Some(k), Some(v)) =
                        (arg.child_by_field_id(*field::KEY), arg.child_by_field_id(*field::VALUE))
                        && let Some((name, _)) = symbol_or_string(k, self.code)
                    {
                        let value = self.argument(v, &key);
                        call.keywords.push((name, value));
                    }
                }
                "splat_argument" | "hash_splat_argument" => call.splat = true,
                "block_argument" => {}
                _ if call.splat => {}
                _ => {
                    let value = self.argument(*arg, &key);
                    call.positional.push(value);
                }
            }
        }
        if template_location(self.path).is_some() {
            // A view's call of a helper: its arguments, for the helper's parameters.
            let scope = helper_params_scope(method);
            for (i, arg) in call.positional.iter().enumerate() {
                if let Arg::Known(ty) = arg {
                    self.bind_for(scope.clone(), &format!("#{i}"), ty);
                }
            }
        }
        self.observed.calls.entry(key).or_default().push(call);
    }

    fn argument(&self, node: Node<'_>, callee: &MethodKey) -> Arg {
        if node.kind_name() == "identifier" {
            let name = self.text(node);
            if let Some(ty) = self.lookup(name) {
                // Of literals, only rows of hashes are evidence: a list (`users = []` filled
                // with records) says nothing of what the callee gets.
                let rows = !matches!(ty, Ty::Literal(_)) || self.holds_rows(&ty);
                return if rows && weaken(&ty).is_some() { Arg::Known(ty) } else { Arg::Other };
            }
            if self.method_params.iter().any(|p| p == name) {
                // The caller's own parameter, untyped so far: evidence only once it is typed,
                // save in a recursive call, where it is the parameter itself.
                return if self.method_key.as_ref() == Some(callee) { Arg::Recursive } else { Arg::Other };
            }
        }
        if let Some(held) = self.built_hash(node) {
            // `all_feeds?(action_params)`, `log(build_entry(item))`: a hash, whatever the
            // parameter's name suggests.
            return Arg::Known(held);
        }
        match self.eval(node) {
            Some(ty) if weaken(&ty).is_some() => Arg::Known(ty),
            _ => Arg::Other,
        }
    }

    /// Whether `ty` holds hash literals only (rows built by `map { {…} }`).
    pub(super) fn holds_rows(&self, ty: &Ty) -> bool {
        let Ty::Literal(ranges) = ty else { return false };
        let root = self.tree.root_node();
        !ranges.is_empty()
            && ranges.iter().all(|&(start, end)| {
                root.descendant_for_byte_range(start, end)
                    .is_some_and(|n| n.kind_name() == "hash" && n.end_byte() == end)
            })
    }

    /// A bare name used in an instance method, which may be a call of one of its class's methods.
    pub(super) fn observe_bare(&mut self, name: &str) {
        if !self.observed.bare.contains(name) {
            self.observed.bare.insert(name.to_owned());
        }
    }

    /// What a receiverless call of `name` returns, when this file's `def` of it says.
    pub(super) fn returned(&self, name: &str) -> Option<Ty> {
        // A `def` at a script's top level (a rake file's helper) is called from its task blocks.
        let instance = self.in_instance_method || self.scopes.is_empty();
        self.summaries.returns.get(&self.method_key(name, instance)).cloned()
    }

    /// Walks the file until what it learns of its methods no longer changes (a bounded number
    /// of times: each walk can carry a type one call further).
    pub(super) fn walk_to_fixpoint(mut make: impl FnMut() -> Walker<'a>, root: Node<'_>) -> FileFacts {
        let mut summaries = Summaries::default();
        let mut round = 0;
        loop {
            let mut walker = make();
            walker.summaries = summaries;
            walker.visit(root);
            let next = std::mem::take(&mut walker.observed).summarize();
            if next == walker.summaries || round == 3 {
                return walker.facts;
            }
            summaries = next;
            round += 1;
        }
    }
}

//! Keyword arguments handed to the app's own methods, across files:
//! `Submissions.create_from_emails(source: :api)` where `def create_from_emails(source:)` (a
//! `module_function`, a `def self.`) writes `source:` into a record (`submissions.new(source:)`)
//! or hands it on under the same name to another such method. The callee binds each keyword it
//! writes (scope [`KEYWORD_SCOPE`]`<Module>.<method>`, name the keyword) to the records it
//! writes, or to the keyword of the method it forwards to; a caller's key reads the attribute
//! of its name through that binding. A model's instance method binds under `<Model>#<method>`,
//! read by its bare calls in the class and by calls on a record of the model
//! (`flag.resolve(action_taken: :ban)` where `Flag#resolve` does `update(action_taken:)`). Nothing binds a keyword the callee only reads, and a
//! `class:` scope nothing binds reads nothing, so a call of any other method names nothing.

use super::*;
use crate::grammar::NodeExt;

/// The start of the scopes a method's written keywords are bound in (see the module's doc).
const KEYWORD_SCOPE: &str = "class:rails:keyword:";

impl<'a> Walker<'a> {
    /// The keyword scope of the method being walked: `Mod.m` for a module's method or a class
    /// method (what `Mod.m(…)` calls), `Klass#m` for a class's instance method (a bare `m(…)`
    /// in its other instance methods).
    fn own_keyword_scope(&self) -> Option<String> {
        let key = self.method_key.as_ref()?;
        let scope = self.scopes.last()?;
        let sep = if key.instance && !scope.module { '#' } else { '.' };
        Some(format!("{KEYWORD_SCOPE}{}{sep}{}", key.scope, key.name))
    }

    /// The keyword parameter of the method being walked that `pair` hands on under its own
    /// name: `source:` (Ruby 3.1's shorthand) or `source: source`.
    fn forwarded_keyword(&self, pair: Node<'_>) -> Option<String> {
        let key = pair.child_by_field_id(*field::KEY).filter(|k| k.kind_name() == "hash_key_symbol")?;
        let name = self.text(key);
        if let Some(value) = pair.child_by_field_id(*field::VALUE)
            && (value.kind_name() != "identifier" || self.text(value) != name)
        {
            return None;
        }
        let method = self.method_key.as_ref()?;
        self.observed.defs.get(method)?.keywords.iter().any(|k| k == name).then(|| name.to_owned())
    }

    /// `hash` written into records of `rec` (`submissions.new(source:, …)`): each pair handing
    /// on a keyword parameter makes the method's callers' keyword of that name this attribute.
    /// A finder's condition (`where(directory:)`) is no write: its callers' key is a value
    /// looked for.
    pub(super) fn keyword_written(&mut self, hash: Node<'_>, rec: &Rec, confidence: Confidence) {
        if confidence < Confidence::Medium {
            return;
        }
        let Some(scope) = self.own_keyword_scope() else { return };
        for pair in pairs(hash) {
            if let Some(name) = self.forwarded_keyword(pair) {
                self.bind_keyword(scope.clone(), name, rec.root.clone(), rec.path.clone());
            }
        }
    }

    /// `record.source = source` on a typed record: the method writes its keyword parameter.
    pub(super) fn keyword_assigned(&mut self, attribute: &str, value: Node<'_>, rec: &Rec, confidence: Confidence) {
        if confidence < Confidence::Medium || value.kind_name() != "identifier" || self.text(value) != attribute {
            return;
        }
        let Some(method) = self.method_key.as_ref() else { return };
        let keyword = self.observed.defs.get(method).is_some_and(|p| p.keywords.iter().any(|k| k == attribute));
        if keyword && let Some(scope) = self.own_keyword_scope() {
            self.bind_keyword(scope, attribute.to_owned(), rec.root.clone(), rec.path.clone());
        }
    }

    /// A call of a method that may be the app's own: each key of its keyword arguments reads
    /// the attribute the callee writes it to, when it writes one; a key handing on the caller's
    /// own keyword parameter makes the caller write what the callee does.
    pub(super) fn keyword_call(&mut self, receiver: Option<Node<'_>>, method: &str, args: &[Node<'_>]) {
        if !is_identifier(method.trim_end_matches(['!', '?'])) {
            return;
        }
        let receiver = receiver.filter(|r| r.kind_name() != "self");
        if let Some(scopes) = receiver.and_then(|r| self.instance_keyword_scopes(r, method)) {
            // The scope names the record's model, which this file's words name: a deferred file
            // loses nothing another file's binding would decide.
            return self.keyword_keys(scopes, args);
        }
        if self.screened {
            return;
        }
        let scopes = match receiver {
            // A bare call of a method the file does not define (`render`, a helper of a gem)
            // is none of the app's that this file could bind.
            None if !self.defines(method) => return,
            None => match (self.method_key.as_ref(), self.scopes.last()) {
                // A bare call reaches a method of the enclosing class or module.
                (Some(key), Some(scope)) => {
                    let sep = if key.instance && !scope.module { '#' } else { '.' };
                    vec![format!("{KEYWORD_SCOPE}{}{sep}{method}", scope.name)]
                }
                _ => return,
            },
            Some(r) if matches!(r.kind_name(), "constant" | "scope_resolution") => {
                let written = self.text(r);
                if is_core_class(written) || is_active_record_api(method) {
                    // Ruby's classes, and a model's own query and write methods (their hash
                    // is read against the model where the call is typed).
                    return;
                }
                self.constant_candidates(written)
                    .into_iter()
                    .map(|class| format!("{KEYWORD_SCOPE}{class}.{method}"))
                    .collect()
            }
            _ => return,
        };
        self.keyword_keys(scopes, args);
    }

    /// `flag.resolve(action_taken: :ban)` on a record of a model the file names: the scopes of
    /// that model's instance method (`Flag#resolve`, wherever the class is looked up from).
    fn instance_keyword_scopes(&self, receiver: Node<'_>, method: &str) -> Option<Vec<String>> {
        if matches!(receiver.kind_name(), "constant" | "scope_resolution") || is_active_record_api(method) {
            return None;
        }
        let Some(Ty::Record(Rec { root: Root::Model { model }, path }, _)) = self.eval(receiver) else { return None };
        if !path.is_empty() {
            return None;
        }
        let candidates = self.constant_candidates(&model);
        Some(candidates.into_iter().map(|class| format!("{KEYWORD_SCOPE}{class}#{method}")).collect())
    }

    /// Each key of a call's keyword arguments reads the attribute the callee (in `scopes`)
    /// writes it to; a key handing on the caller's own keyword parameter makes the caller write
    /// what the callee does.
    fn keyword_keys(&mut self, scopes: Vec<String>, args: &[Node<'_>]) {
        let own = self.own_keyword_scope();
        for pair in args.iter().filter(|a| a.kind_name() == "pair") {
            let Some(key) = pair.child_by_field_id(*field::KEY).filter(|k| k.kind_name() == "hash_key_symbol") else {
                continue;
            };
            let name = self.text(key).to_owned();
            if !is_identifier(&name) {
                continue;
            }
            let root = Root::Binding { scopes: scopes.clone(), name: name.clone(), guess: None };
            let target = Target::Chain { root: root.clone(), path: Vec::new(), attribute: Some(name.clone()) };
            self.hit_at(key.start_byte(), target, RefKind::Query, Confidence::Medium);
            if let Some(own) = own.clone()
                && self.forwarded_keyword(*pair).is_some()
            {
                self.bind_keyword(own, name, root, Vec::new());
            }
        }
    }

    /// The classes a constant written here may be: Ruby looks it up in each lexically
    /// enclosing namespace, innermost first, then at the top level (`::X` only there).
    pub(super) fn constant_candidates(&self, written: &str) -> Vec<String> {
        if let Some(absolute) = written.strip_prefix("::") {
            return vec![absolute.to_owned()];
        }
        let outer = self.scopes.last().map(|s| s.name.as_str()).unwrap_or("");
        let mut prefixes: Vec<&str> = outer.match_indices("::").map(|(i, _)| &outer[..i]).chain([outer]).collect();
        prefixes.retain(|p| !p.is_empty());
        prefixes.reverse();
        prefixes.iter().map(|p| format!("{p}::{written}")).chain([written.to_owned()]).collect()
    }

    /// Whether the file defines a method `name` (in any class).
    fn defines(&self, name: &str) -> bool {
        self.defined_methods
            .get_or_init(|| {
                let mut out = HashSet::new();
                let mut cursor = self.tree.root_node().walk();
                loop {
                    let node = cursor.node();
                    if matches!(node.kind_name(), "method" | "singleton_method")
                        && let Some(n) = node.child_by_field_id(*field::NAME)
                    {
                        out.insert(self.text(n));
                    }
                    if cursor.goto_first_child() {
                        continue;
                    }
                    while !cursor.goto_next_sibling() {
                        if !cursor.goto_parent() {
                            return out;
                        }
                    }
                }
            })
            .contains(name)
    }

    fn bind_keyword(&mut self, scope: String, name: String, root: Root, path: Vec<String>) {
        let binding = Binding { scope, name, root, path };
        if !self.facts.bindings.contains(&binding) {
            self.facts.bindings.push(binding);
        }
    }
}

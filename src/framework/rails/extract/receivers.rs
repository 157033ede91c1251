//! Receivers: what an expression denotes (a model's relation, a record, a form, a literal) —
//! `self`, locals, instance variables, association chains and names that name a model.

use super::*;
use crate::grammar::NodeExt;

/// What records are of: a model class the file names, or a name another file binds (a
/// controller's instance variable in its views, a partial's local), followed through the
/// associations of `path` (`@user.profile` → `@user`'s model's `profile`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Rec {
    pub(super) root: Root,
    pub(super) path: Vec<String>,
}

impl Rec {
    pub(super) fn model(class: impl Into<String>) -> Rec {
        Rec { root: Root::Model { model: class.into() }, path: Vec::new() }
    }

    pub(super) fn bound(scopes: Vec<String>, name: &str, guess: Option<String>) -> Rec {
        Rec { root: Root::Binding { scopes, name: name.to_owned(), guess }, path: Vec::new() }
    }

    /// The records an association of these reads.
    pub(super) fn via(&self, association: &str) -> Rec {
        let mut next = self.clone();
        next.path.push(association.to_owned());
        next
    }

    /// A use of these records' `name`; `table.column` names a table's column directly.
    pub(super) fn attribute(&self, name: &str) -> Target {
        if let Some((table, column)) = name.split_once('.') {
            return Target::Column { table: table.to_owned(), column: column.to_owned() };
        }
        match (&self.root, self.path.is_empty()) {
            (Root::Model { model }, true) => Target::ModelColumn { model: model.clone(), column: name.to_owned() },
            _ => Target::Chain { root: self.root.clone(), path: self.path.clone(), attribute: Some(name.to_owned()) },
        }
    }
}

/// The hash literal each item of `node` is, when `node` maps a collection into hashes
/// (`….map do |d| { date: d } end`).
pub(super) fn mapped_hash<'t>(node: Node<'t>, code: &str) -> Option<Node<'t>> {
    if node.kind_name() != "call" {
        return None;
    }
    let method = node.child_by_field_id(*field::METHOD)?;
    if !matches!(code.get(method.byte_range()), Some("map" | "collect")) {
        return None;
    }
    let block = node.child_by_field_id(*field::BLOCK)?;
    let last = last_named_child(block.child_by_field_id(*field::BODY)?)?;
    (last.kind_name() == "hash").then_some(last)
}

/// What an expression is known to evaluate to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Ty {
    /// A relation (or the class itself) of the model.
    Relation(Rec, Confidence),
    /// One record of the model.
    Record(Rec, Confidence),
    /// `Model.arel_table`, or what is keyed like it: a record's hash of attribute values by name
    /// (`saved_changes`, `attributes`). A subscript (`changes["status"]`) names a column.
    Arel(Rec, Confidence),
    /// A form builder for the model (`form_with model: @user do |f|`).
    Form(Rec, Confidence),
    /// A literal value: a variable holding it is no record, whatever its name.
    Value,
    /// Hash and list literals a local holds (`attrs = %w[a b]`, `args = {a: 1}`, then
    /// `attrs.push :c`, `rows << {…}`), by byte range: passed to a query or write later
    /// (`User.select(*attrs)`, `User.create!(args)`, `super(only: attrs)`), their keys or items
    /// name attributes.
    Literal(Vec<(usize, usize)>),
}

pub(super) const LITERALS: &[&str] = &[
    "string",
    "integer",
    "float",
    "hash",
    "array",
    "string_array",
    "symbol_array",
    "simple_symbol",
    "delimited_symbol",
    "true",
    "false",
    "nil",
    "regex",
    "lambda",
    "rational",
    "complex",
    "chained_string",
];

/// The type after calling `method` on `ty`.
pub(super) fn apply_method(ty: Ty, method: &str, implicit: bool) -> Option<Ty> {
    match ty {
        Ty::Relation(model, c) => {
            if method == "arel_table" {
                Some(Ty::Arel(model, c))
            } else if RECORD_METHODS.contains(&method) || dynamic_finder(method).is_some() {
                Some(Ty::Record(model, c))
            } else if RELATION_METHODS.contains(&method) {
                Some(Ty::Relation(model, c))
            } else if !implicit && is_identifier(method) && !method.ends_with('?') {
                // A scope or class method returning a relation: `User.active.where(…)`.
                Some(Ty::Relation(model, c.min(Confidence::Medium)))
            } else {
                None
            }
        }
        Ty::Record(rec, c) => {
            if matches!(method, "reload" | "lock!" | "dup" | "presence" | "tap" | "itself") {
                Some(Ty::Record(rec, c))
            } else if !implicit && ATTRIBUTE_HASHES.contains(&method) {
                // `changes = contact.saved_changes` then `changes["status"]`: dirty tracking.
                Some(Ty::Arel(rec, c.min(Confidence::Medium)))
            } else if rec.path.is_empty() && !implicit && matches!(method, "where" | "order" | "joins" | "includes") {
                // A record has no `where`: a variable named like one record holds the model's
                // relation (`query = repo.where(…)`).
                Some(Ty::Relation(rec, c.min(Confidence::Medium)))
            } else if is_identifier(method) && is_plural_association(method) {
                // `user.posts`: a has_many association; resolution follows it (or, when the
                // model declares none of that name, Rails' default class name).
                Some(Ty::Relation(rec.via(method), c.min(Confidence::Medium)))
            } else if is_identifier(method) && !implicit && !NOT_ATTRIBUTES.contains(&method) {
                // `comment.user`: a belongs_to / has_one association.
                Some(Ty::Record(rec.via(method), c.min(Confidence::Medium)))
            } else {
                None
            }
        }
        // `Model.arel_table.alias('subfolders')`: the same table under another name.
        Ty::Arel(rec, c) if method == "alias" => Some(Ty::Arel(rec, c)),
        // `form.object`: the record a form builder is over.
        Ty::Form(rec, c) if method == "object" && !implicit => Some(Ty::Record(rec, c)),
        _ => None,
    }
}

/// The start of the scope a local's value is bound in when its name suggests another model
/// (see `Walker::keep_guess`): a `class:` scope, so that a value reaching no model is no
/// attribute on an unknown receiver either.
const LOCAL_SCOPE: &str = "class:rails:local:";

/// Ruby's own classes and modules, named as a receiver (`Array.wrap(x)`, `Time.current`): no
/// model's class, whatever the app declares.
const CORE_CLASSES: &[&str] = &[
    "Array",
    "Hash",
    "String",
    "Integer",
    "Float",
    "Set",
    "Struct",
    "OpenStruct",
    "JSON",
    "Kernel",
    "Math",
    "Time",
    "Date",
    "DateTime",
    "Regexp",
    "Range",
    "Symbol",
    "URI",
    "SecureRandom",
    "Base64",
    "Digest",
    "BigDecimal",
    "Rational",
    "Enumerable",
    "Comparable",
    "YAML",
    "Pathname",
    "Tempfile",
];

/// Whether `name` is one of Ruby's own classes (see [`CORE_CLASSES`]).
pub(super) fn is_core_class(name: &str) -> bool {
    CORE_CLASSES.contains(&name.trim_start_matches("::"))
}

/// A receiver known only by its name: `@user`, `user` → a `User` record; `@users` → a relation.
pub(super) fn named_like_model(name: &str) -> Option<Ty> {
    if !is_identifier(name) || NOT_MODELS.contains(&name) || name.starts_with('_') || name.len() < 3 {
        return None;
    }
    if is_plural_association(name) {
        Some(Ty::Relation(Rec::model(inflect::classify(name)), Confidence::Medium))
    } else {
        Some(Ty::Record(Rec::model(inflect::camelize(name)), Confidence::Medium))
    }
}

/// The model records of `ty` are of, as far as this file can tell: the class it names, or the
/// guess a bound name stands for.
pub(super) fn guessed_model(ty: &Ty) -> Option<String> {
    let (Ty::Record(rec, _) | Ty::Relation(rec, _)) = ty else { return None };
    if !rec.path.is_empty() {
        return rec.path.last().map(|a| inflect::classify(a));
    }
    match &rec.root {
        Root::Model { model } => Some(model.clone()),
        Root::Binding { guess, .. } => guess.clone(),
    }
}

/// Whether an association / variable name is plural (`posts`, `people`), by the inflector.
pub(super) fn is_plural_association(name: &str) -> bool {
    let singular = inflect::singularize(name);
    singular != name && inflect::pluralize(&singular) == name
}

impl<'a> Walker<'a> {
    /// The innermost class scope (or concern), if it is a model: its records.
    pub(super) fn current_model(&self) -> Option<Rec> {
        if let Some(rec) = &self.association_scope {
            return Some(rec.clone());
        }
        let scope = self.scopes.last()?;
        match scope.model {
            Some(i) => Some(Rec::model(self.facts.models[i].class.clone())),
            // A library's model the app reopens (`class Delayed::Job` adding scopes).
            None => is_library_model(&scope.name).then(|| Rec::model(scope.name.clone())),
        }
    }

    /// Whether the model being visited declares `name` as a polymorphic association (whose
    /// model is whatever `_type` names): its name's guess (`syncable` → the `Syncable` concern's
    /// models) says more than the association.
    fn polymorphic_here(&self, name: &str) -> bool {
        self.scopes
            .last()
            .and_then(|s| s.model)
            .is_some_and(|i| self.facts.models[i].associations.iter().any(|a| a.name == name && a.model.is_empty()))
    }

    /// Whether the class being visited defines an instance method `name` that does not reach
    /// the attribute of that name (see `Scope::own_methods`).
    pub(super) fn defines_method(&self, name: &str) -> bool {
        self.scopes.last().is_some_and(|s| s.own_methods.contains(name))
    }

    pub(super) fn lookup(&self, name: &str) -> Option<Ty> {
        self.bound().find_map(|i| self.frames[i].get(name).cloned())
    }

    /// The indexes of the frames that may hold a name, innermost first (see `bound_frames`).
    pub(super) fn bound(&self) -> impl Iterator<Item = usize> + '_ {
        self.bound_frames.iter().rev().copied().filter(|&i| i < self.frames.len())
    }

    pub(super) fn bind(&mut self, name: &str, ty: Ty) {
        let Some(top) = self.frames.len().checked_sub(1) else { return };
        while self.bound_frames.last().is_some_and(|&i| i > top) {
            self.bound_frames.pop();
        }
        if self.bound_frames.last() != Some(&top) {
            self.bound_frames.push(top);
        }
        self.frames[top].insert(name.to_owned(), ty);
    }

    /// Whether the instance method being visited has no local (or parameter) named `name`;
    /// false outside instance methods.
    pub(super) fn not_a_local(&self, name: &str) -> bool {
        let Some(locals) = &self.method_locals else { return false };
        let names = locals.names.get_or_init(|| {
            let mut out = HashSet::new();
            // The smallest node spanning a method's bytes is the method itself.
            if let Some(method) = self.tree.root_node().descendant_for_byte_range(locals.range.0, locals.range.1) {
                collect_locals(method, self.code, &mut out);
            }
            out
        });
        !names.contains(name)
    }

    /// The type of `self` for a receiverless call.
    pub(super) fn implicit_self(&self) -> Option<Ty> {
        let model = self.current_model()?;
        Some(if self.in_instance_method {
            Ty::Record(model, Confidence::High)
        } else {
            Ty::Relation(model, Confidence::High)
        })
    }

    /// `x = value` or `@x = value` (of type `ty`, the assignment at `at`): the local, or the
    /// instance variable with the views and controller concern that read it.
    fn bind_value(&mut self, left: Node<'_>, right: Node<'_>, ty: Ty, at: usize) {
        let name = self.text(left).to_owned();
        // `@recently_played = a.where(…).first || b.where(…).first`: a record of either.
        let other = self.other_model(right, &ty);
        if left.kind_name() == "instance_variable"
            && let Some(dir) = self.controller_views().map(str::to_owned)
        {
            self.bind_for(view_scope(&dir), &name, &ty);
            if let Some(other) = &other {
                self.bind_for(view_scope(&dir), &name, other);
            }
        }
        let ty = match other {
            Some(other) if left.kind_name() == "identifier" => self.union(&name, [ty.clone(), other], at).unwrap_or(ty),
            _ => ty,
        };
        if left.kind_name() == "instance_variable"
            && let Some(concern) = self.controller_concern().map(str::to_owned)
        {
            self.bind_for(concern, &name, &ty);
        }
        let ty = if left.kind_name() == "identifier" { self.keep_guess(&name, ty, at) } else { ty };
        self.bind(&name, ty);
    }

    /// pagy's `@pagy, @records = pagy(relation)` (`pagy_countless`, `pagy_array` …): the
    /// second name holds a page of the relation's records.
    fn pagy_assignment(&mut self, left: Node<'_>, right: Node<'_>, at: usize) {
        let mut cursor = left.walk();
        let names: Vec<Node<'_>> = left.named_children(&mut cursor).collect();
        let [_, records] = names.as_slice() else { return };
        if right.kind_name() != "call"
            || right.child_by_field_id(*field::RECEIVER).is_some()
            || !right.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m).starts_with("pagy"))
            || !matches!(records.kind_name(), "identifier" | "instance_variable")
        {
            return;
        }
        let Some(relation) = arguments(right).into_iter().next() else { return };
        if let Some(ty @ Ty::Relation(..)) = self.eval(relation) {
            self.bind_value(*records, relation, ty, at);
        }
    }

    /// `self.table_name = …`, `self.ignored_columns += …`, `record.email = …`, `x = User.find(…)`.
    pub(super) fn assignment(&mut self, node: Node<'_>) {
        let (Some(left), Some(right)) = (node.child_by_field_id(*field::LEFT), node.child_by_field_id(*field::RIGHT))
        else {
            return;
        };
        if left.kind_name() == "left_assignment_list" {
            self.pagy_assignment(left, right, node.start_byte());
            self.mailer_params_assignment(left, right);
            return;
        }
        if left.kind_name() == "call"
            && let Some(method) = left.child_by_field_id(*field::METHOD)
        {
            let method = self.text(method);
            let receiver = left.child_by_field_id(*field::RECEIVER);
            let on_self = receiver.is_some_and(|r| r.kind_name() == "self");
            if on_self && !self.in_instance_method && self.model_setting(method, right) {
                return;
            }
            // A relation has no attribute writers: `bc.budgeted_spending = x` on what was typed
            // as a relation (a scope that returns a record, `tap` on it) writes a record. A
            // class's own writer (`Post.per_page = 10`) is a class attribute, not a column.
            if let Some(receiver) = receiver
                && let Some(Ty::Record(model, confidence) | Ty::Relation(model, confidence)) = self.eval(receiver)
                && !matches!(receiver.kind_name(), "constant" | "scope_resolution")
                && let Some(name_node) = left.child_by_field_id(*field::METHOD)
            {
                if method == "attributes" {
                    // `self.attributes = { on_demand: false, count_on_hand: n }`: mass assignment.
                    self.hash_keys(right, &model, confidence.min(Confidence::Medium), false);
                    return;
                }
                self.column_hit(name_node, &model, method, RefKind::Query, confidence);
                self.keyword_assigned(method, right, &model, confidence);
            }
            return;
        }
        // `LINKS = %w[home code].freeze` in a class body: `LINKS.each do |url| validates url…`.
        if node.kind_name() == "assignment" && left.kind_name() == "constant" {
            let list = match right.kind_name() {
                "call" if right.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "freeze") => {
                    right.child_by_field_id(*field::RECEIVER)
                }
                _ => Some(right),
            };
            // `SERIALIZE_PARAMS = { only: %i[…] }.freeze`, later `record.as_json(SERIALIZE_PARAMS)`.
            if let Some(list) =
                list.filter(|l| matches!(l.kind_name(), "array" | "string_array" | "symbol_array" | "hash"))
            {
                self.bind(self.text(left), Ty::Literal(vec![(list.start_byte(), list.end_byte())]));
            }
            return;
        }
        // `@version ||= @gem.latest_version` (a memoizing reader) binds as `=` does.
        let or_assign = node.kind_name() == "operator_assignment"
            && node.child_by_field_id(*field::OPERATOR).is_some_and(|o| self.text(o) == "||=");
        if (node.kind_name() == "assignment" || (or_assign && left.kind_name() == "instance_variable"))
            && matches!(left.kind_name(), "identifier" | "instance_variable")
        {
            let name = self.text(left).to_owned();
            if let Some(row) = mapped_hash(right, self.code) {
                // `rates = dates.map do |d| { from_currency: …, date: d } end`: rows of hashes,
                // whatever the receiver's name suggests.
                self.bind(&name, Ty::Literal(vec![(row.start_byte(), row.end_byte())]));
            } else if left.kind_name() == "identifier"
                && let Some(held) = self.built_hash(right)
            {
                self.bind(&name, held);
            } else if let Some(ty) = self.eval(right) {
                self.bind_value(left, right, ty, node.start_byte());
            } else if matches!(right.kind_name(), "hash" | "array" | "string_array" | "symbol_array") {
                self.bind(&name, Ty::Literal(vec![(right.start_byte(), right.end_byte())]));
            } else if LITERALS.contains(&right.kind_name()) {
                // `status = "active"`: whatever its name, the variable holds no record.
                self.bind(&name, Ty::Value);
            }
        } else if node.kind_name() == "operator_assignment" && left.kind_name() == "identifier" {
            // `attrs += %i[a b]`
            self.extend_literal(self.text(left), right);
        } else if node.kind_name() == "assignment"
            && left.kind_name() == "element_reference"
            && let Some(object) = left.child_by_field_id(*field::OBJECT).filter(|o| o.kind_name() == "identifier")
            && matches!(self.lookup(self.text(object)), Some(Ty::Literal(_)))
        {
            // `update["original"] = {…}` on a hash a local holds: one more key of it.
            self.extend_literal(self.text(object), left);
        }
    }

    /// The hash a local is assigned when the expression builds one another way than a literal:
    /// a call of this file's method returning a hash literal or a permit
    /// (`data = build_entry(item)`), `x.slice("author", …)` (the keys kept), and
    /// `{}.tap do |hash| hash[:muted] = false end` (the keys the block sets).
    pub(super) fn built_hash(&self, right: Node<'_>) -> Option<Ty> {
        let (method, receiver) = match right.kind_name() {
            "identifier" => (right, None),
            "call" => (right.child_by_field_id(*field::METHOD)?, right.child_by_field_id(*field::RECEIVER)),
            _ => return None,
        };
        let name = self.text(method);
        match receiver {
            None if right.kind_name() == "call" || (self.in_instance_method && self.not_a_local(name)) => {
                let held = self.returned(name)?;
                let Ty::Literal(ranges) = &held else { return None };
                let root = self.tree.root_node();
                let hashes = ranges.iter().all(|&(start, end)| {
                    root.descendant_for_byte_range(start, end).is_some_and(|n| {
                        n.kind_name() == "hash"
                            || (n.kind_name() == "call"
                                && n.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "permit"))
                    })
                });
                hashes.then_some(held)
            }
            Some(_) if name == "slice" && !arguments(right).is_empty() => {
                Some(Ty::Literal(vec![(right.start_byte(), right.end_byte())]))
            }
            Some(r) if name == "tap" && r.kind_name() == "hash" => {
                let block = right.child_by_field_id(*field::BLOCK)?;
                let param = first_block_param(block, self.code)?;
                let mut held = vec![(r.start_byte(), r.end_byte())];
                let mut stack = vec![block];
                while let Some(node) = stack.pop() {
                    if node.kind_name() == "assignment"
                        && let Some(left) =
                            node.child_by_field_id(*field::LEFT).filter(|l| l.kind_name() == "element_reference")
                        && left.child_by_field_id(*field::OBJECT).is_some_and(|o| self.text(o) == param)
                    {
                        held.push((left.start_byte(), left.end_byte()));
                    }
                    let mut cursor = node.walk();
                    stack.extend(node.named_children(&mut cursor));
                }
                Some(Ty::Literal(held))
            }
            _ => None,
        }
    }

    /// `a || b` (through parentheses) whose right side is a record or relation of another model
    /// than `ty`, the left side's: that side's type.
    pub(super) fn other_model(&self, node: Node<'_>, ty: &Ty) -> Option<Ty> {
        let node = unparenthesized(node);
        if node.kind_name() != "binary" {
            return None;
        }
        let op = self.text(node.child_by_field_id(*field::OPERATOR)?);
        if !matches!(op, "||" | "or" | "+") {
            return None;
        }
        let other = self.eval(node.child_by_field_id(*field::RIGHT)?)?;
        match (ty, &other) {
            (Ty::Record(a, _), Ty::Record(b, _)) | (Ty::Relation(a, _), Ty::Relation(b, _)) if a != b => Some(other),
            _ => None,
        }
    }

    /// Records (or relations) of two models in one name (`a || b`, `(a + b).each do |item|`):
    /// a binding scope of its own holding both, where resolution reaches each (at most medium).
    pub(super) fn union(&mut self, name: &str, tys: [Ty; 2], at: usize) -> Option<Ty> {
        if self.screened {
            return None;
        }
        let scope = format!("{LOCAL_SCOPE}{}:{at}", self.path);
        let mut confidence = Confidence::Medium;
        let mut record = true;
        for ty in &tys {
            let (Ty::Record(rec, c) | Ty::Relation(rec, c)) = ty else { return None };
            record = matches!(ty, Ty::Record(..));
            confidence = confidence.min(*c);
            let binding =
                Binding { scope: scope.clone(), name: name.to_owned(), root: rec.root.clone(), path: rec.path.clone() };
            self.facts.bindings.push(binding);
        }
        let rec = Rec::bound(vec![scope], name, None);
        Some(if record { Ty::Record(rec, confidence) } else { Ty::Relation(rec, confidence) })
    }

    /// What a local named `name` holds when assigned `ty` at byte `at`: records of another model
    /// than its name suggests (`submissions = filter(…)` returning `Submissions::Filter.call(…)`,
    /// `enterprise = find || new` over an untyped `@owner.owned_enterprises`) are those of
    /// that model where it is one, else of the name's (a value that reaches no model is no
    /// evidence against the name): bound in a scope of its own, the name's model the guess.
    fn keep_guess(&mut self, name: &str, ty: Ty, at: usize) -> Ty {
        let (Ty::Record(rec, c) | Ty::Relation(rec, c)) = &ty else { return ty };
        if self.screened {
            return ty;
        }
        let Some(guess) = named_like_model(name).as_ref().and_then(guessed_model) else { return ty };
        // Only a value reached through an association or a namespaced class's method may well be
        // no model's: a model named as written, or a name's guess (`old_events` for `Event`,
        // resolved by its role), is kept as it is.
        let unsure = match &rec.root {
            Root::Model { model } => !rec.path.is_empty() || (model.contains("::") && *model != guess),
            Root::Binding { .. } => false,
        };
        if !unsure {
            return ty;
        }
        let scope = format!("{LOCAL_SCOPE}{}:{at}", self.path);
        let binding =
            Binding { scope: scope.clone(), name: name.to_owned(), root: rec.root.clone(), path: rec.path.clone() };
        self.facts.bindings.push(binding);
        // (A local's own name: it may name the model with a role before it.)
        let kept = Rec::bound(vec![scope], name, Some(format!("~{guess}")));
        match ty {
            Ty::Record(_, _) => Ty::Record(kept, *c),
            _ => Ty::Relation(kept, *c),
        }
    }

    /// `rates << shipping_method.shipping_rates.new(cost:)` on a local that holds only `[]`:
    /// the local is a list of those records (`rates.sort_by! { |r| r.cost }`).
    pub(super) fn push_record(&mut self, name: &str, item: Node<'_>) {
        let Some(Ty::Record(rec, confidence)) = self.eval(item) else { return };
        let bound: Vec<usize> = self.bound().collect();
        for i in bound {
            if let Some(ty) = self.frames[i].get(name) {
                let empty = matches!(ty, Ty::Literal(ranges)
                if !ranges.is_empty() && ranges.iter().all(|&(start, end)| {
                    self.code.get(start..end).is_some_and(|t| t.trim_start_matches('[').trim() == "]")
                }));
                if empty {
                    self.frames[i].insert(name.to_owned(), Ty::Relation(rec, confidence.min(Confidence::Medium)));
                }
                return;
            }
        }
    }

    /// Adds a literal to the ones a local holds (`rows << {…}`, `attrs.push :karma`).
    pub(super) fn extend_literal(&mut self, name: &str, item: Node<'_>) {
        let bound: Vec<usize> = self.bound().collect();
        for i in bound {
            if let Some(ty) = self.frames[i].get_mut(name) {
                if let Ty::Literal(ranges) = ty {
                    ranges.push((item.start_byte(), item.end_byte()));
                }
                return;
            }
        }
    }

    /// The literals an argument stands for: itself, or what the local it names (`attrs`,
    /// `*attrs`, `**args`) holds.
    pub(super) fn literals(&self, arg: Node<'_>) -> Vec<Node<'a>> {
        let name = match arg.kind_name() {
            "identifier" => arg,
            // A constant the file assigned a list or hash (`select(*COLUMNS)`).
            "constant" => return self.held_literals(self.lookup(self.text(arg))),
            "splat_argument" | "hash_splat_argument" => match arg.named_child(0) {
                Some(n) if n.kind_name() == "identifier" => n,
                Some(n) if n.kind_name() == "constant" => return self.held_literals(self.lookup(self.text(n))),
                _ => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        // A local holding literals, or a call of this file's method returning one (`user_params`).
        let held = self.lookup(self.text(name)).or_else(|| {
            (self.in_instance_method && self.not_a_local(self.text(name)))
                .then(|| self.returned(self.text(name)))
                .flatten()
        });
        self.held_literals(held)
    }

    /// The literal nodes a `Ty::Literal` holds.
    fn held_literals(&self, held: Option<Ty>) -> Vec<Node<'a>> {
        let Some(Ty::Literal(ranges)) = held else { return Vec::new() };
        let root = self.tree.root_node();
        ranges.iter().filter_map(|&(start, end)| root.descendant_for_byte_range(start, end)).collect()
    }

    /// `list.filter_map { |item| submission.submitters.find { … } }`, `attrs.map do … template
    /// .submissions.new(…) end`: a list of the records the block's last expression gives, whatever
    /// the list mapped (`flat_map` over relations the same).
    fn mapped_records(&self, node: Node<'_>, method: &str) -> Option<Ty> {
        if !matches!(method, "map" | "filter_map" | "collect" | "flat_map") {
            return None;
        }
        let block = node.child_by_field_id(*field::BLOCK)?;
        let last = last_named_child(block.child_by_field_id(*field::BODY)?)?;
        match (self.eval(last)?, method) {
            (Ty::Record(rec, c), "map" | "filter_map" | "collect") | (Ty::Relation(rec, c), "flat_map") => {
                Some(Ty::Relation(rec, c.min(Confidence::Medium)))
            }
            _ => None,
        }
    }

    /// What an expression evaluates to, when that is a model, relation, record or builder.
    // Nesting is as deep as the file makes it: the stack grows on the heap instead of
    // overflowing (a fuzzed file of 10 KB nested 3,000 calls deep).
    pub(super) fn eval(&self, node: Node<'_>) -> Option<Ty> {
        let on = self.chain_memo.borrow().on;
        if let Some(known) = self.chain_memo.borrow().types.get(&node.id()).filter(|_| on) {
            return known.clone();
        }
        let found = self.eval_uncached(node);
        if on {
            self.chain_memo.borrow_mut().types.insert(node.id(), found.clone());
        }
        found
    }

    #[recursive::recursive]
    fn eval_uncached(&self, node: Node<'_>) -> Option<Ty> {
        match node.kind_name() {
            "constant" | "scope_resolution" => {
                let name = self.text(node).trim_start_matches("::");
                name.chars().next().filter(char::is_ascii_uppercase)?;
                // Ruby's own classes, and a plural name (`Submissions.create_from_submitters(…)`,
                // `TemplateFolders.filter_active(…)`): a module of functions, no model's class
                // (Rails names models in the singular). What a call on it returns is unknown, and
                // a variable assigned it keeps its name's guess.
                let last = name.rsplit("::").next().unwrap_or(name);
                let plural = last.ends_with('s') && is_plural_association(&inflect::underscore(last));
                if is_core_class(name) || plural {
                    return None;
                }
                Some(Ty::Relation(Rec::model(name), Confidence::High))
            }
            "self" => self.implicit_self(),
            // A value-less pair's key (`form_with model:`, Ruby 3.1's shorthand for `model:
            // model`) is the name it stands for.
            kind @ ("identifier" | "instance_variable" | "hash_key_symbol")
                if kind != "hash_key_symbol"
                    || node
                        .parent()
                        .is_some_and(|p| p.kind_name() == "pair" && p.child_by_field_id(*field::VALUE).is_none()) =>
            {
                let name = self.text(node);
                let bare = kind != "instance_variable";
                if let Some(ty) = self.lookup(name) {
                    return (ty != Ty::Value).then_some(ty);
                }
                if bare
                    && ((self.in_instance_method && self.not_a_local(name)) || self.scopes.is_empty())
                    && let Some(ty) = self.returned(name)
                {
                    // A call of this class's method, typed by its last expression.
                    return (!matches!(ty, Ty::Value | Ty::Literal(_))).then_some(ty);
                }
                if bare
                    && name == DEVISE_RESOURCE
                    && !self.method_params.iter().any(|p| p == name)
                    && (!self.in_instance_method || self.not_a_local(name))
                    && self.devise_context()
                {
                    // Devise's views and controllers: the record of the app's Devise model.
                    return Some(Ty::Record(devise_resource(), Confidence::Medium));
                }
                if let Some(current) = current_record(name) {
                    // Devise's (and most apps') `current_user`: the signed-in record.
                    return Some(current);
                }
                if bare
                    && self.in_instance_method
                    && is_plural_association(name)
                    && self.not_a_local(name)
                    && !self.method_params.iter().any(|p| p == name)
                    && !self.defines_method(name)
                    && let Some(model) = self.current_model()
                {
                    // `sent_messages.update_all(…)` in a model's method: its own association,
                    // which resolution follows (a name that is none resolves to nothing).
                    return Some(Ty::Relation(model.via(name), Confidence::Medium));
                }
                if bare
                    && !self.in_instance_method
                    && !self.method_params.iter().any(|p| p == name)
                    && node.parent().is_some_and(|call| {
                        call.kind_name() == "call"
                            && call.child_by_field_id(*field::RECEIVER) == Some(node)
                            && call
                                .child_by_field_id(*field::METHOD)
                                .is_some_and(|m| RELATION_METHODS.contains(&self.text(m)))
                    })
                    && let Some(model) = self.current_model()
                {
                    // `pending.limit(1)` in a model's class method, `-> { latest.order(:position) }`
                    // in an association's scope: a scope of the model, called on it implicitly.
                    return Some(Ty::Relation(model, Confidence::Medium));
                }
                if bare
                    && name == "arel_table"
                    && !self.in_instance_method
                    && !self.method_params.iter().any(|p| p == name)
                    && let Some(model) = self.current_model()
                {
                    // `where(arel_table[:zone].st_contains(point))` in a model's class method or
                    // scope: the model's own table.
                    return Some(Ty::Arel(model, Confidence::High));
                }
                if name == "object"
                    && let Some(rec) = self.serialized(false)
                {
                    return Some(Ty::Record(rec, Confidence::Medium));
                }
                if let Some(ty) = self.role_record(name, bare) {
                    return Some(ty);
                }
                if name == "record"
                    && bare
                    && !self.method_params.iter().any(|p| p == name)
                    && let Some(action) = self.scopes.iter().rev().find_map(|s| s.avo_action.clone())
                {
                    // An Avo action's `record` (in its `message`/`visible` lambdas): a record of
                    // the model of each resource that lists the action.
                    return Some(Ty::Record(Rec::bound(vec![action], name, None), Confidence::Medium));
                }
                if bare
                    && self.in_instance_method
                    && self.not_a_local(name)
                    && !self.method_params.iter().any(|p| p == name)
                    && matches!(named_like_model(name), Some(Ty::Record(..)))
                    && self.controller_concern().is_none()
                    && !self.polymorphic_here(name)
                    && let Some(model) = self.current_model()
                {
                    // `latest = most_recent_version` in a model's (or a concern's) method: the
                    // record of its own association, declared there or in the model that includes
                    // the concern; resolution falls back to the name's model, as the guess below.
                    return Some(Ty::Record(model.via(name), Confidence::Medium));
                }
                let guess = named_like_model(name.trim_start_matches('@'));
                // An instance variable of a view or controller, or a partial's local: bound by
                // the controller (or the `render` call) in another file.
                let scopes = if node.kind_name() == "instance_variable" {
                    self.ivar_scopes()
                } else if self.not_bound_here(name) {
                    self.partial_scopes()
                } else if bare
                    && self.in_instance_method
                    && (self.controller_views().is_some() || self.controller_concern().is_some())
                    && self.not_a_local(name)
                {
                    // A bare call in a controller: perhaps a method of a concern it includes,
                    // typed where the concern defines it; else the name's guess, as before.
                    vec![CONTROLLER_METHODS.to_owned()]
                } else {
                    Vec::new()
                };
                if scopes.is_empty() {
                    return guess;
                }
                let model = match &guess {
                    Some(Ty::Record(rec, _) | Ty::Relation(rec, _)) => match &rec.root {
                        Root::Model { model } => Some(model.clone()),
                        Root::Binding { .. } => None,
                    },
                    _ => None,
                };
                let rec = Rec::bound(scopes, name, model);
                let bare = name.trim_start_matches('@');
                if matches!(bare, "f" | "form" | "builder") || bare.ends_with("_form") {
                    // A partial's form builder, passed by `render "form", f: f`.
                    return Some(Ty::Form(rec, Confidence::Medium));
                }
                Some(if is_plural_association(name.trim_start_matches('@')) {
                    Ty::Relation(rec, Confidence::Medium)
                } else {
                    Ty::Record(rec, Confidence::Medium)
                })
            }
            "parenthesized_statements" | "then" | "else" | "begin" | "body_statement" => {
                self.eval(last_named_child(node)?)
            }
            // `variant.stock_items[0]`: a record of the relation, by position.
            "element_reference" => {
                let index = node.named_child(1)?;
                if let Some(param) = self.mailer_param(node.child_by_field_id(*field::OBJECT)?, index) {
                    return Some(param);
                }
                let integer = index.kind_name() == "integer"
                    || (index.kind_name() == "unary"
                        && index.named_child(0).is_some_and(|n| n.kind_name() == "integer"));
                if !integer || node.named_child_count() != 2 {
                    return None;
                }
                match self.eval(node.child_by_field_id(*field::OBJECT)?)? {
                    Ty::Relation(rec, confidence) => Some(Ty::Record(rec, confidence)),
                    _ => None,
                }
            }
            // `@user = if … then User.new(…) else User.find_by(…) end`, `a ? b : c`, `x || y`:
            // the first branch that is known.
            "if" | "unless" | "elsif" | "conditional" | "case" | "when" => {
                let condition = node.child_by_field_id(*field::CONDITION);
                let mut cursor = node.walk();
                let branches: Vec<Node<'_>> = node
                    .named_children(&mut cursor)
                    .filter(|c| Some(*c) != condition && c.kind_name() != "pattern")
                    .collect();
                branches.into_iter().find_map(|b| self.eval(b))
            }
            "binary" => {
                let op = node.child_by_field_id(*field::OPERATOR).map(|o| self.text(o))?;
                let (left, right) = (node.child_by_field_id(*field::LEFT)?, node.child_by_field_id(*field::RIGHT)?);
                match op {
                    "||" | "or" => self.eval(left).or_else(|| self.eval(right)),
                    "&&" | "and" => self.eval(right),
                    _ => None,
                }
            }
            "call" => {
                let method_node = node.child_by_field_id(*field::METHOD)?;
                let method = self.text(method_node);
                let receiver = node.child_by_field_id(*field::RECEIVER);
                if receiver.is_none_or(|r| r.kind_name() == "self")
                    && let Some(ty) = self.returned(method)
                {
                    // A call of this class's method, typed by its last expression.
                    return (!matches!(ty, Ty::Value | Ty::Literal(_))).then_some(ty);
                }
                if method == "becomes"
                    && receiver.is_some()
                    && let Some(class) =
                        arguments(node).first().filter(|a| matches!(a.kind_name(), "constant" | "scope_resolution"))
                    && let name = self.text(*class).trim_start_matches("::")
                    && !is_core_class(name)
                {
                    // `@item.becomes(Item)`: the same row as a record of the class named.
                    return Some(Ty::Record(Rec::model(name), Confidence::High));
                }
                if method == "fetch"
                    && let (Some(r), Some(key)) = (receiver, arguments(node).first())
                    && let Some(param) = self.mailer_param(r, *key)
                {
                    return Some(param);
                }
                if receiver.is_some()
                    && let Some(ty) = self.mapped_records(node, method)
                {
                    return Some(ty);
                }
                match receiver {
                    None => {
                        // `current_order(false)` too: an argument says how to find it.
                        if let Some(current) = current_record(method) {
                            return Some(current);
                        }
                        // A method the class body defines itself (`previous_payloads(n)`), whose
                        // result nothing here typed: no association of that name.
                        if self.in_instance_method && self.defines_method(method) {
                            return None;
                        }
                        // In a class body a call with arguments is a class method, most often a
                        // scope (`base(user).order(:hotness)`); in an instance method a bare name
                        // may be an attribute.
                        let implicit = self.in_instance_method || arguments(node).is_empty();
                        apply_method(self.implicit_self()?, method, implicit)
                    }
                    Some(r) if r.kind_name() == "identifier" && self.text(r) == "where" => {
                        self.implicit_self().map(|t| match t {
                            Ty::Record(m, c) | Ty::Relation(m, c) => Ty::Relation(m, c),
                            other => other,
                        })
                    }
                    Some(r)
                        if matches!(r.kind_name(), "constant" | "scope_resolution")
                            && self.text(r).trim_start_matches("::").rsplit("::").next() == Some("Current")
                            && arguments(node).is_empty()
                            && is_identifier(method) =>
                    {
                        // Rails' `Current` (`ActiveSupport::CurrentAttributes`): `Current.user`,
                        // `Current.family` hold the request's records, named as `current_user` is;
                        // so does one nested in a class (`PasswordsController::Current.user`).
                        Some(Ty::Record(Rec::model(inflect::camelize(method)), Confidence::Medium))
                    }
                    Some(r) => match self.eval(r) {
                        // `agent.try(:user)`, `record.public_send(:owner)`: the named method.
                        Some(ty) if matches!(method, "try" | "try!" | "public_send" | "send") => {
                            let named = arguments(node).first().and_then(|a| symbol_or_string(*a, self.code))?;
                            is_identifier(&named.0).then(|| apply_method(ty, &named.0, false)).flatten()
                        }
                        Some(ty) => apply_method(ty, method, false),
                        // `sub.issue_assignments` on a receiver nothing types: a plural name read
                        // off a record is a `has_many`, and names its model as a local would.
                        None if arguments(node).is_empty() && r.kind_name() != "constant" => {
                            named_like_model(method).filter(|ty| matches!(ty, Ty::Relation(..)))
                        }
                        None => None,
                    },
                }
            }
            _ => None,
        }
    }
}

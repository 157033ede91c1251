//! Classes a gem's (or Rails') convention hands a record: a Draper decorator's `object` (and
//! `model`; with `delegate_all` its bare calls), a Pundit policy's `record` (and the attributes
//! its `permitted_attributes` lists), an `ActiveModel::Validator`'s `record`, bound by each
//! model whose `validates_with` names the class (`rails:validator:<Class>`).

use super::*;
use crate::grammar::NodeExt;

/// What the class being visited is handed, by its convention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Role {
    /// `class XDecorator < Draper::Decorator` (or the app's `ApplicationDecorator`): `object`
    /// and `model` are an X (`decorates :y` says another); with `delegate_all`, a bare call
    /// the class does not define is X's.
    Decorator { model: String, delegate_all: bool },
    /// `class XPolicy < ApplicationPolicy`: `record` is an X, and the lists
    /// `permitted_attributes` returns are X's attributes.
    Policy { model: String },
    /// `class XValidator < ActiveModel::Validator` (or `EachValidator`): the `record` its
    /// methods are handed is one of each model that names it in `validates_with`.
    Validator { scope: String },
}

/// The scope a validator class's `record` is bound in, by the class's last name.
pub(super) fn validator_scope(class: &str) -> String {
    format!("rails:validator:{}", inflect::demodulize(class.trim_start_matches("::")))
}

/// The role a class `name < parent` plays, by the names its gem gives.
pub(super) fn role_of(name: &str, parent: &str) -> Option<Role> {
    let last = inflect::demodulize(name);
    let base = inflect::demodulize(parent);
    let named = |suffix: &str| {
        last.strip_suffix(suffix).filter(|m| !m.is_empty() && !matches!(*m, "Application" | "Base")).map(str::to_owned)
    };
    if parent == "Draper::Decorator" || (base.ends_with("Decorator") && base != "Decorator") {
        return named("Decorator").map(|model| Role::Decorator { model, delegate_all: false });
    }
    if base.ends_with("Policy") && base != "Policy" {
        return named("Policy").map(|model| Role::Policy { model });
    }
    if matches!(parent, "ActiveModel::Validator" | "ActiveModel::EachValidator")
        || (base.ends_with("Validator") && base != "Validator" && parent.starts_with("Application"))
    {
        return Some(Role::Validator { scope: validator_scope(name) });
    }
    None
}

/// The literal lists a method body builds (`[:a, {x_attributes: %i[b]}]`, `%i[c d]`, a hash),
/// outermost only.
fn literal_lists<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    if matches!(node.kind_name(), "array" | "symbol_array" | "string_array" | "hash") {
        out.push(node);
        return;
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        literal_lists(child, out);
    }
}

impl<'a> Walker<'a> {
    /// The role of the innermost class being visited.
    pub(super) fn role(&self) -> Option<&Role> {
        self.scopes.last()?.role.as_ref()
    }

    /// What a bare name (or `@record`) is by the class's role: a decorator's `object`/`model`,
    /// a policy's `record`.
    pub(super) fn role_record(&self, name: &str, bare: bool) -> Option<Ty> {
        if bare && self.method_params.iter().any(|p| p == name) {
            return None;
        }
        let model = match (self.role()?, name) {
            (Role::Decorator { model, .. }, "object" | "model") if bare => model,
            (Role::Policy { model }, "record" | "@record") => model,
            _ => return None,
        };
        Some(Ty::Record(Rec::model(model.clone()), Confidence::Medium))
    }

    /// A decorator's records when it delegates every call to them (`delegate_all`).
    pub(super) fn delegated_all(&self) -> Option<Rec> {
        match self.role()? {
            Role::Decorator { model, delegate_all: true } => Some(Rec::model(model.clone())),
            _ => None,
        }
    }

    /// A class-body macro of a role's class: `delegate_all`, `decorates :user`. Returns whether
    /// it was one.
    pub(super) fn role_macro(&mut self, method: &str, args: &[Node<'_>]) -> bool {
        let named = args.first().and_then(|a| symbol_or_string(*a, self.code)).map(|(s, _)| inflect::camelize(&s));
        let Some(Role::Decorator { model, delegate_all }) = self.scopes.last_mut().and_then(|s| s.role.as_mut()) else {
            return false;
        };
        match (method, named) {
            ("delegate_all", _) => *delegate_all = true,
            ("decorates", Some(named)) => *model = named,
            _ => return false,
        }
        true
    }

    /// Entering a method of a validator: its `record` parameter is a record of the models
    /// that name the class in `validates_with`.
    pub(super) fn role_params(&mut self) {
        if let Some(Role::Validator { scope }) = self.role().cloned()
            && self.method_params.iter().any(|p| p == "record")
        {
            let rec = Rec::bound(vec![scope], "record", None);
            self.bind("record", Ty::Record(rec, Confidence::Medium));
        }
    }

    /// `validates_with CourtReportValidator` in a model (or a concern): the validator's
    /// `record` is one of the model's.
    pub(super) fn bind_validator(&mut self, validator: Node<'_>, rec: &Rec) {
        if !matches!(validator.kind_name(), "constant" | "scope_resolution") {
            return;
        }
        let binding = Binding {
            scope: validator_scope(self.text(validator)),
            name: "record".to_owned(),
            root: rec.root.clone(),
            path: rec.path.clone(),
        };
        if !self.facts.bindings.contains(&binding) {
            self.facts.bindings.push(binding);
        }
    }

    /// A policy's `def permitted_attributes` (`permitted_attributes_for_update`, and the
    /// `x_attributes` helpers it calls): the lists it builds are the model's attributes,
    /// `x_attributes: […]` the association's, as in a `permit`.
    pub(super) fn policy_attributes(&mut self, node: Node<'_>, name: &str) {
        let Some(Role::Policy { model }) = self.role() else { return };
        if !(name.starts_with("permitted_attributes") || name.ends_with("_attributes")) {
            return;
        }
        let rec = Rec::model(model.clone());
        let Some(body) = node.child_by_field_id(*field::BODY) else { return };
        let mut lists = Vec::new();
        literal_lists(body, &mut lists);
        self.permitted(&rec, &lists);
    }
}

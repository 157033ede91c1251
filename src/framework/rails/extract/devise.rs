//! Devise: the model a class body's `devise :database_authenticatable, …` makes the app's
//! authenticated resource, read where Devise names it `resource` (its views under
//! `app/views/devise/` or a scope's `app/views/<scope>/{registrations,sessions,…}/`, controllers
//! inheriting `Devise::*Controller`) and where the app permits its attributes
//! (`devise_parameter_sanitizer.permit(:sign_up, keys: [:username])`).

use super::*;
use crate::grammar::NodeExt;

/// The scope in which each Devise model binds `resource` (see [`DEVISE_RESOURCE`]).
pub(super) const DEVISE_SCOPE: &str = "rails:devise";

/// The name Devise's views and controllers give the record they work on.
pub(super) const DEVISE_RESOURCE: &str = "resource";

/// Devise's controllers, whose views a scoped app copies to `app/views/<scope>/<controller>/`.
const DEVISE_CONTROLLERS: &[&str] =
    &["registrations", "sessions", "passwords", "confirmations", "unlocks", "invitations"];

/// The records of the app's Devise models.
pub(super) fn devise_resource() -> Rec {
    Rec::bound(vec![DEVISE_SCOPE.to_owned()], DEVISE_RESOURCE, None)
}

impl<'a> Walker<'a> {
    /// `devise …` in model `class`'s body: its records are Devise's `resource`.
    pub(super) fn bind_devise_resource(&mut self, class: &str) {
        let binding = Binding {
            scope: DEVISE_SCOPE.to_owned(),
            name: DEVISE_RESOURCE.to_owned(),
            root: Root::Model { model: class.to_owned() },
            path: Vec::new(),
        };
        if !self.facts.bindings.contains(&binding) {
            self.facts.bindings.push(binding);
        }
    }

    /// Whether a bare `resource` here is Devise's: in a Devise view (`app/views/devise/…`, or a
    /// scope's `app/views/users/registrations/`) or a controller of those views
    /// (`Users::RegistrationsController < Devise::RegistrationsController`).
    pub(super) fn devise_context(&self) -> bool {
        let devise_dir = |dir: &str| {
            dir == "devise"
                || dir.starts_with("devise/")
                || DEVISE_CONTROLLERS.contains(&dir.rsplit('/').next().unwrap_or(""))
        };
        self.view_dir.as_deref().is_some_and(devise_dir) || self.controller_views().is_some_and(devise_dir)
    }

    /// `devise_parameter_sanitizer.permit(:sign_up, keys: [:username, …])`, or its block form
    /// `….permit(:account_update) do |u| u.permit(:email, …) end`: the attributes the resource
    /// may be given (or, for `:sign_in`, looked up by). True when `node` was that call.
    pub(super) fn devise_permit(
        &mut self,
        node: Node<'_>,
        receiver: Node<'_>,
        method: &str,
        args: &[Node<'_>],
    ) -> bool {
        if method != "permit" || self.text(receiver) != "devise_parameter_sanitizer" {
            return false;
        }
        let rec = devise_resource();
        if let Some(block) = node.child_by_field_id(*field::BLOCK)
            && let Some(param) = first_block_param(block, self.code)
        {
            let mut stack = vec![block];
            while let Some(inner) = stack.pop() {
                if inner.kind_name() == "call"
                    && inner.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "permit")
                    && inner.child_by_field_id(*field::RECEIVER).is_some_and(|r| self.text(r) == param)
                {
                    self.permitted(&rec, &arguments(inner));
                }
                let mut cursor = inner.walk();
                stack.extend(inner.named_children(&mut cursor));
            }
        }
        for pair in args.iter().flat_map(|a| pairs(*a)) {
            if pair
                .child_by_field_id(*field::KEY)
                .and_then(|k| symbol_or_string(k, self.code))
                .is_some_and(|(k, _)| k == "keys")
                && let Some(value) = pair.child_by_field_id(*field::VALUE)
            {
                self.permitted(&rec, &[value]);
            }
        }
        true
    }
}

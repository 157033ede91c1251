//! Parameterized mailers and Noticed's notifiers: `UserMailer.with(user: @user).welcome
//! .deliver_later` gives `welcome`'s `params[:user]` (`params.fetch(:user)`, `user, token =
//! params.fetch_values(:user, :token)`) the caller's record; `CommentNotifier.with(record:
//! comment)` gives the notifier's params, which its `deliver_by :email` (`config.mailer =
//! "UserMailer"`, `config.method = "comment_notification"`, or `mailer:`/`method:` options) hands
//! to that mailer method.

use super::*;
use crate::grammar::NodeExt;

/// The scope a mailer method's `params` are bound in, by key.
pub(super) fn mailer_params_scope(mailer: &str, method: &str) -> String {
    format!("rails:mailer-param:{}#{method}", inflect::demodulize(mailer.trim_start_matches("::")))
}

/// The scope a Noticed notifier's params (`record` among them) are bound in, by key.
pub(super) fn notifier_params_scope(notifier: &str) -> String {
    format!("rails:notifier-param:{}", inflect::demodulize(notifier.trim_start_matches("::")))
}

/// Whether a class is a Noticed notifier (v2 `…Notifier`, v1 `…Notification`).
fn is_notifier(class: &str) -> bool {
    class.ends_with("Notifier") || class.ends_with("Notification")
}

impl<'a> Walker<'a> {
    /// `X.with(key: value, …)` on a mailer or notifier class: each value for its key.
    pub(super) fn parameterized(&mut self, node: Node<'_>, class: &str, args: &[Node<'_>]) {
        let scope = if class.ends_with("Mailer") {
            // The mailer method called on the result.
            let Some(call) = node.parent().filter(|p| {
                p.kind_name() == "call" && p.child_by_field_id(*field::RECEIVER).is_some_and(|r| r.id() == node.id())
            }) else {
                return;
            };
            let Some(method) = call.child_by_field_id(*field::METHOD) else { return };
            mailer_params_scope(class, self.text(method))
        } else if is_notifier(class) {
            notifier_params_scope(class)
        } else {
            return;
        };
        for pair in args.iter().flat_map(|a| pairs(*a)) {
            if let (Some(k), Some(v)) = (pair.child_by_field_id(*field::KEY), pair.child_by_field_id(*field::VALUE))
                && let Some((key, _)) = symbol_or_string(k, self.code)
                && let Some(ty) = self.eval(v)
            {
                self.bind_for(scope.clone(), &key, &ty);
            }
        }
    }

    /// `deliver_by :email …` in a notifier class body: its params (`record` and those it
    /// declares with `param`/`required_param`) are the named mailer method's.
    pub(super) fn notifier_delivery(&mut self, node: Node<'_>, args: &[Node<'_>]) {
        let Some(notifier) = self.scopes.last().map(|s| s.name.clone()).filter(|n| is_notifier(n)) else { return };
        let mut mailer = None;
        let mut method = None;
        // `mailer: "UserMailer", method: :welcome` (Noticed 1).
        for pair in args.iter().flat_map(|a| pairs(*a)) {
            if let (Some(k), Some(v)) = (pair.child_by_field_id(*field::KEY), pair.child_by_field_id(*field::VALUE))
                && let (Some((key, _)), Some((value, _))) =
                    (symbol_or_string(k, self.code), symbol_or_string(v, self.code))
            {
                match key.as_str() {
                    "mailer" => mailer = Some(value),
                    "method" => method = Some(value),
                    _ => {}
                }
            }
        }
        // `config.mailer = "UserMailer"` in its block (Noticed 2).
        if let Some(block) = node.child_by_field_id(*field::BLOCK) {
            let mut stack = vec![block];
            while let Some(n) = stack.pop() {
                if n.kind_name() == "assignment"
                    && let (Some(left), Some(right)) =
                        (n.child_by_field_id(*field::LEFT), n.child_by_field_id(*field::RIGHT))
                    && left.kind_name() == "call"
                    && let Some(setting) = left.child_by_field_id(*field::METHOD)
                    && let Some((value, _)) = symbol_or_string(right, self.code)
                {
                    match self.text(setting) {
                        "mailer" => mailer = Some(value),
                        "method" => method = Some(value),
                        _ => {}
                    }
                }
                let mut cursor = n.walk();
                stack.extend(n.named_children(&mut cursor));
            }
        }
        let (Some(mailer), Some(method)) = (mailer, method) else { return };
        let scope = mailer_params_scope(&mailer, &method);
        let declared = self.notifier_params(node);
        for key in std::iter::once("record".to_owned()).chain(declared) {
            let ty = Ty::Record(Rec::bound(vec![notifier_params_scope(&notifier)], &key, None), Confidence::Medium);
            self.bind_for(scope.clone(), &key, &ty);
        }
    }

    /// The params a notifier's class body declares: `param :post`, `required_params :a, :b`.
    fn notifier_params(&self, deliver_by: Node<'_>) -> Vec<String> {
        let Some(body) = deliver_by.parent() else { return Vec::new() };
        let mut out = Vec::new();
        let mut cursor = body.walk();
        for call in body.named_children(&mut cursor).filter(|c| c.kind_name() == "call") {
            let declares = call
                .child_by_field_id(*field::METHOD)
                .is_some_and(|m| matches!(self.text(m), "param" | "params" | "required_param" | "required_params"));
            if declares && call.child_by_field_id(*field::RECEIVER).is_none() {
                out.extend(arguments(call).iter().filter_map(|a| symbol_or_string(*a, self.code)).map(|(k, _)| k));
            }
        }
        out
    }

    /// The mailer class and method being visited, when an instance method of a mailer.
    fn mailer_method(&self) -> Option<(String, String)> {
        let class = self.scopes.last().filter(|s| s.name.ends_with("Mailer"))?;
        let method = self.method_name.filter(|_| self.in_instance_method)?;
        Some((class.name.clone(), method.to_owned()))
    }

    /// `params[:user]`, `params.fetch(:user)` in a mailer method: what its callers' `with`
    /// gave (else the key's model, by name).
    pub(super) fn mailer_param(&self, receiver: Node<'_>, key: Node<'_>) -> Option<Ty> {
        if receiver.kind_name() != "identifier" || self.text(receiver) != "params" || self.lookup("params").is_some() {
            return None;
        }
        let (mailer, method) = self.mailer_method()?;
        let (key, _) = symbol_or_string(key, self.code)?;
        let guess = match named_like_model(&key) {
            Some(Ty::Record(rec, _)) => match rec.root {
                Root::Model { model } => Some(model),
                Root::Binding { .. } => None,
            },
            _ => None,
        };
        let rec = Rec::bound(vec![mailer_params_scope(&mailer, &method)], &key, guess);
        Some(Ty::Record(rec, Confidence::Medium))
    }

    /// `comment, recipient = params.fetch_values(:record, :recipient)` in a mailer method.
    pub(super) fn mailer_params_assignment(&mut self, left: Node<'_>, right: Node<'_>) {
        if left.kind_name() != "left_assignment_list"
            || right.kind_name() != "call"
            || right.child_by_field_id(*field::METHOD).is_none_or(|m| self.text(m) != "fetch_values")
        {
            return;
        }
        let Some(receiver) = right.child_by_field_id(*field::RECEIVER) else { return };
        let keys = arguments(right);
        let mut cursor = left.walk();
        let names: Vec<Node<'_>> = left.named_children(&mut cursor).collect();
        for (name, key) in names.iter().zip(&keys) {
            if name.kind_name() == "identifier"
                && let Some(ty) = self.mailer_param(receiver, *key)
            {
                let name = self.text(*name).to_owned();
                self.bind(&name, ty);
            }
        }
    }
}

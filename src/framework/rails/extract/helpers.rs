//! What a view reads that a helper module or a `render` of a partial family gives it: the
//! `current_distributor` an `app/helpers` module returns (`@current_distributor ||=
//! current_order(false)&.distributor`), and the locals `render "admin/form/#{item[:name]}", f:
//! f` hands every partial of `admin/form`.

use super::*;
use crate::grammar::NodeExt;

/// The scope `app/helpers` modules bind what their `current_*` methods return in, by name:
/// every view (and controller that includes the helper) may call them bare.
pub(super) const HELPER_METHODS: &str = "rails:helper-method";

/// The scope a view's receiverless call binds its arguments in, by position (`#0`, `#1`…): the
/// `app/helpers` method of that name reads them as its parameters.
pub(super) fn helper_params_scope(method: &str) -> String {
    format!("rails:helper-param:{method}")
}

/// Whether `path` is a helper module Rails makes available to every view.
pub(super) fn under_helpers(path: &str) -> bool {
    path.starts_with("app/helpers/") || path.contains("/app/helpers/")
}

/// `current_user`, `current_distributor(…)`: the request's record, as the helper module of that
/// name returns it, else (no helper says) the model the name says.
pub(super) fn current_record(name: &str) -> Option<Ty> {
    let rest = name.strip_prefix("current_").filter(|r| is_identifier(r))?;
    let guess = Some(inflect::camelize(rest));
    Some(Ty::Record(Rec::bound(vec![HELPER_METHODS.to_owned()], name, guess), Confidence::Medium))
}

/// `"admin/enterprises/form/#{item[:name]}"`: a partial path whose last segment is computed names
/// every partial of its directory, as `admin/enterprises/form/*`.
pub(super) fn partial_family(node: Node<'_>, code: &str) -> Option<String> {
    if node.kind_name() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    match children.as_slice() {
        [dir, computed] if dir.kind_name() == "string_content" && computed.kind_name() == "interpolation" => {
            let dir = code.get(dir.byte_range())?;
            (dir.ends_with('/') && dir.len() > 1).then(|| format!("{dir}*"))
        }
        _ => None,
    }
}

impl<'a> Walker<'a> {
    /// The scopes a partial's locals are bound in: its own, and its directory's family (see
    /// [`partial_family`]).
    pub(super) fn partial_scopes(&self) -> Vec<String> {
        let Some(own) = &self.partial_scope else { return Vec::new() };
        let mut out = vec![own.clone()];
        if let Some((dir, _)) = template_location(self.path) {
            out.push(partial_scope(&dir, "*"));
        }
        out
    }

    /// Entering a helper module's instance method: each positional parameter is what the views'
    /// calls of it pass in its position (`note_description(@note.author, …,
    /// @note.comments.first)`), else, as before, what its name says. A parameter its own file's
    /// calls typed keeps that type.
    pub(super) fn helper_params(&mut self, method: &str, positional: &[String], typed: &[String]) {
        if !under_helpers(self.path) || !self.in_instance_method {
            return;
        }
        for (i, param) in positional.iter().enumerate() {
            if typed.contains(param) || !is_identifier(param) || param.starts_with('_') {
                continue;
            }
            let guess = match named_like_model(param) {
                Some(Ty::Record(rec, _) | Ty::Relation(rec, _)) => match rec.root {
                    Root::Model { model } => Some(model),
                    Root::Binding { .. } => None,
                },
                _ => None,
            };
            let rec = Rec::bound(vec![helper_params_scope(method)], &format!("#{i}"), guess);
            let ty = if matches!(param.as_str(), "f" | "form" | "builder") || param.ends_with("_form") {
                Ty::Form(rec, Confidence::Medium)
            } else if is_plural_association(param) {
                Ty::Relation(rec, Confidence::Medium)
            } else {
                Ty::Record(rec, Confidence::Medium)
            };
            self.bind(param, ty);
        }
    }

    /// Leaving a helper module's `current_*` method: what it returns, for the views.
    pub(super) fn helper_result(&mut self, name: &str, instance: bool, ty: &Ty) {
        if instance && name.starts_with("current_") && under_helpers(self.path) {
            self.bind_for(HELPER_METHODS.to_owned(), name, ty);
        }
    }
}

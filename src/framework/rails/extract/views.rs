//! Views and templates: ERB reduced to Ruby (Haml and Slim: `scan::extract::indented`), the view directories a controller's
//! instance variables reach, partial locals from `render`, form builders and strong parameters.

use super::*;
use crate::grammar::NodeExt;

/// The Ruby code of an ERB template with every byte outside `<% %>` tags blanked (newlines
/// kept) and each tag closed with `;`, so offsets into it are offsets into the template.
/// `<%# %>` comments and `<%%` literals are blanked too.
pub fn erb_to_ruby(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = vec![b' '; bytes.len()];
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for i in from..to {
            if bytes[i] == b'\n' {
                out[i] = b'\n';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let Some(open) = memchr::memmem::find(&bytes[i..], b"<%").map(|p| i + p) else {
            blank(&mut out, i, bytes.len());
            break;
        };
        blank(&mut out, i, open);
        let close = memchr::memmem::find(&bytes[open + 2..], b"%>").map_or(bytes.len(), |p| open + 2 + p);
        let literal = bytes.get(open + 2) == Some(&b'%');
        let comment = bytes.get(open + 2) == Some(&b'#');
        let mut start = open + 2;
        if matches!(bytes.get(start), Some(b'=' | b'-')) {
            start += 1;
            if bytes.get(start) == Some(&b'=') {
                start += 1;
            }
        }
        let mut end = close;
        if end > start && bytes[end - 1] == b'-' {
            end -= 1;
        }
        if literal || comment {
            blank(&mut out, open, close.min(bytes.len()));
        } else {
            blank(&mut out, open, start);
            out[start..end].copy_from_slice(&bytes[start..end]);
        }
        if close < bytes.len() {
            out[close] = b';';
        }
        i = (close + 2).min(bytes.len());
    }
    // Only ASCII bytes were written outside copied code, and copied code is whole UTF-8 text
    // between ASCII delimiters; a lossy conversion is a no-op kept for safety.
    String::from_utf8_lossy(&out).into_owned()
}

/// The scope a view directory's templates read instance variables from.
pub(super) fn view_scope(dir: &str) -> String {
    format!("rails:view:{dir}")
}

/// The scope a controller concern (a module under `app/controllers/`) binds its instance
/// variables in, keyed by its last name: `include Admin::Paging` and `include Paging` (from
/// within `module Admin`) both name `Paging`.
pub(super) fn concern_scope(module: &str) -> String {
    format!("rails:controller-concern:{}", inflect::demodulize(module))
}

/// The scope every controller concern binds what its instance methods return in, by method
/// name: a controller calls them bare, and so do other concerns that the same controllers include
/// (`RequireMfa` calling `WebauthnVerifiable`'s `user_webauthn_credential`), which no include of
/// one by the other would tell.
pub(super) const CONTROLLER_METHODS: &str = "rails:controller-method";

/// The scope a partial's locals are bound in (`home/single_tag` for `home/_single_tag.html.erb`).
pub(super) fn partial_scope(dir: &str, name: &str) -> String {
    if dir.is_empty() { format!("rails:partial:{name}") } else { format!("rails:partial:{dir}/{name}") }
}

/// The scopes a template of view directory `dir` (or its controller) reads instance variables
/// from: its own and each enclosing directory's, where a namespace's base controller and
/// `ApplicationController` bind.
pub(super) fn view_scopes(dir: &str) -> Vec<String> {
    let mut out = vec![view_scope(dir)];
    let mut rest = dir;
    while let Some((parent, _)) = rest.rsplit_once('/') {
        out.push(view_scope(parent));
        rest = parent;
    }
    if !dir.is_empty() {
        out.push(view_scope(""));
    }
    out
}

/// Where a template lives: its directory under `app/views/` and, for a partial, its name
/// (`app/views/home/_single_tag.html.erb` → (`home`, Some(`single_tag`))).
pub(super) fn template_location(path: &str) -> Option<(String, Option<String>)> {
    let rest = match path.find("app/views/") {
        Some(i) if i == 0 || path.as_bytes()[i - 1] == b'/' => &path[i + "app/views/".len()..],
        _ => return None,
    };
    let (dir, file) = rest.rsplit_once('/').unwrap_or(("", rest));
    let name = file.split('.').next().unwrap_or(file);
    Some((dir.to_owned(), name.strip_prefix('_').map(str::to_owned)))
}

/// The view directory of a controller or mailer class: `Admin::UsersController` →
/// `admin/users`, `UserMailer` → `user_mailer`; a base class (`ApplicationController`,
/// `Admin::BaseController`) binds for its whole namespace.
pub(super) fn controller_views(class: &str) -> Option<String> {
    let path = inflect::underscore(class);
    let (dir, last) = path.rsplit_once('/').unwrap_or(("", &path));
    if let Some(name) = last.strip_suffix("_controller") {
        return Some(if matches!(name, "application" | "base") {
            dir.to_owned()
        } else {
            format!("{dir}/{name}").trim_start_matches('/').to_owned()
        });
    }
    if last.ends_with("_mailer") {
        return Some(if last == "application_mailer" { dir.to_owned() } else { path.clone() });
    }
    None
}

pub(super) const FORM_HELPERS: &[&str] = &[
    "form_with",
    "form_for",
    "simple_form_for",
    "semantic_form_for",
    "bootstrap_form_for",
    "bootstrap_form_with",
    "fields_for",
    "fields",
    "simple_fields_for",
];

/// Whether a receiverless call opens a form over a model: Rails' and the form gems' helpers,
/// and an app's own wrappers around them (`styled_form_with`, `admin_form_for`), which keep the
/// helper's name as their suffix and its `model:` argument.
pub(super) fn is_form_helper(method: &str) -> bool {
    FORM_HELPERS.contains(&method) || method.ends_with("_form_with") || method.ends_with("_form_for")
}

/// Form builder methods that do not name an attribute.
pub(super) const FORM_NON_FIELDS: &[&str] =
    &["submit", "button", "fields_for", "fields", "simple_fields_for", "error_notification", "object", "hidden"];

impl<'a> Walker<'a> {
    /// The view directory of the innermost controller or mailer class being visited.
    pub(super) fn controller_views(&self) -> Option<&str> {
        self.scopes.iter().rev().find_map(|s| s.views.as_deref())
    }

    /// The scopes an instance variable read here is bound in: the controller's (and its
    /// namespace's), or the template's directory's; none elsewhere.
    pub(super) fn ivar_scopes(&self) -> Vec<String> {
        if let Some(concern) = self.controller_concern() {
            // A controller concern's own and those every controller binds: it runs in them.
            return vec![concern.to_owned(), view_scope("")];
        }
        match self.controller_views().or(self.view_dir.as_deref()) {
            Some(dir) => view_scopes(dir),
            None => Vec::new(),
        }
    }

    /// The scope of the innermost controller concern being visited (see [`concern_scope`]).
    pub(super) fn controller_concern(&self) -> Option<&str> {
        self.scopes.iter().rev().find_map(|s| s.concern.as_deref())
    }

    /// `include Paging` in a controller: its views (and its own methods) see the instance
    /// variables the concern binds, and what its methods return.
    pub(super) fn include_concerns(&mut self, node: Node<'_>) {
        let Some(dir) = self.controller_views().map(str::to_owned) else { return };
        for arg in arguments(node) {
            if !matches!(arg.kind_name(), "constant" | "scope_resolution") {
                continue;
            }
            let binding = Binding {
                scope: view_scope(&dir),
                name: EVERY_NAME.to_owned(),
                root: Root::Binding {
                    scopes: vec![concern_scope(self.text(arg))],
                    name: EVERY_NAME.to_owned(),
                    guess: None,
                },
                path: Vec::new(),
            };
            if !self.facts.bindings.contains(&binding) {
                self.facts.bindings.push(binding);
            }
        }
    }

    /// In a partial: whether `name` is bound nowhere in the template itself, so that it may be
    /// one of the locals `render` passes.
    pub(super) fn not_bound_here(&self, name: &str) -> bool {
        if self.partial_scope.is_none() {
            return false;
        }
        let locals = self.template_locals.get_or_init(|| {
            let mut out = HashSet::new();
            collect_locals(self.tree.root_node(), self.code, &mut out);
            out
        });
        !locals.contains(name)
    }

    /// Record that `name` holds `ty`'s records for the files of `scope`.
    pub(super) fn bind_for(&mut self, scope: String, name: &str, ty: &Ty) {
        // A form builder passed to a partial (`render "form", f: f`) binds its model's record.
        if let Ty::Record(rec, _) | Ty::Relation(rec, _) | Ty::Form(rec, _) = ty {
            let binding = Binding { scope, name: name.to_owned(), root: rec.root.clone(), path: rec.path.clone() };
            // `@user = @user` or a binding of a name by itself says nothing.
            let circular = matches!(&binding.root, Root::Binding { scopes, name: n, .. } if *n == binding.name && scopes.contains(&binding.scope));
            if !circular && !self.facts.bindings.contains(&binding) {
                self.facts.bindings.push(binding);
            }
        }
    }

    /// `render` in a template or controller: the partial's locals are bound to what is passed —
    /// `render "tag", tag: @tag`, `render partial: "tag", locals: { tag: t }`, `render partial:
    /// "tag", collection: @tags, as: :tag`, `render @tags` (each record, as `tag`, in
    /// `tags/_tag`).
    pub(super) fn render(&mut self, args: &[Node<'_>]) {
        let Some(here) = self.controller_views().or(self.view_dir.as_deref()).map(str::to_owned) else { return };
        let options: Vec<Node<'_>> = args.iter().flat_map(|a| pairs(*a)).collect();
        let option = |name: &str| {
            options.iter().find_map(|p| {
                let key = p.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code))?;
                (key.0 == name).then(|| p.child_by_field_id(*field::VALUE)).flatten()
            })
        };
        // The partial: a string first argument, `partial:`, or a record's or collection's own.
        let named = args
            .first()
            .filter(|a| a.kind_name() == "string")
            .or(option("partial").as_ref())
            .and_then(|n| string_value(*n, self.code).or_else(|| partial_family(*n, self.code)));
        let string_first = args.first().is_some_and(|a| a.kind_name() == "string");
        let (partial, passed) = match named {
            Some(name) => (name, None),
            None => {
                let Some(value) = args.first().filter(|a| !matches!(a.kind_name(), "pair" | "hash")) else { return };
                let Some(ty) = self.eval(*value) else { return };
                let Some(model) = guessed_model(&ty) else { return };
                let singular = inflect::underscore(inflect::demodulize(&model));
                (format!("{}/{singular}", inflect::pluralize(&singular)), Some((singular, ty)))
            }
        };
        let (dir, name) = match partial.rsplit_once('/') {
            Some((dir, name)) => (dir.to_owned(), name.to_owned()),
            None => (here, partial.clone()),
        };
        let scope = partial_scope(&dir, name.trim_start_matches('_'));
        if let Some((local, ty)) = passed {
            self.bind_for(scope.clone(), &local, &ty);
        }
        for key in ["collection", "object"] {
            if let Some(value) = option(key)
                && let Some(ty) = self.eval(value)
            {
                let local = option("as").and_then(|a| string_value(a, self.code)).unwrap_or_else(|| name.clone());
                self.bind_for(scope.clone(), &local, &ty);
            }
        }
        // `locals: { tag: @tag }`, or the pairs after the partial's name.
        let locals: Vec<Node<'_>> = match option("locals") {
            Some(hash) => pairs(hash),
            None if string_first => options.clone(),
            None => Vec::new(),
        };
        for pair in locals {
            let Some(key) = pair.child_by_field_id(*field::KEY) else { continue };
            let Some((local, _)) = symbol_or_string(key, self.code) else { continue };
            // `render 'role_select', f:` (Ruby 3.1's shorthand): the local of the key's name.
            let ty = match pair.child_by_field_id(*field::VALUE) {
                // `model: [@lesson, @submission]`, the shape `form_with model:` and the route
                // helpers take: the record, last (a singular name, that no list is iterated).
                Some(value) if value.kind_name() == "array" && !is_plural_association(&local) => {
                    last_named_child(value).and_then(|last| self.eval(last)).filter(|t| matches!(t, Ty::Record(..)))
                }
                Some(value) => self.eval(value),
                None => self.lookup(&local).filter(|t| !matches!(t, Ty::Value | Ty::Literal(_))),
            };
            if let Some(ty) = ty {
                self.bind_for(scope.clone(), &local, &ty);
            }
        }
    }

    /// The model of `form_with(model: @user)`, `form_for @user`, `form_for :user`.
    pub(super) fn form_model(&self, args: &[Node<'_>]) -> Option<(Rec, Confidence)> {
        for pair in args.iter().flat_map(|a| pairs(*a)) {
            let key = pair.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code));
            if key.is_some_and(|(k, _)| k == "model")
                // `model:` alone (Ruby 3.1's shorthand): the local `model`.
                && let Some(value) = pair.child_by_field_id(*field::VALUE).or(pair.child_by_field_id(*field::KEY))
                // `model: [:admin, @user]`: a namespaced route, the record last.
                && let Some(value) = if value.kind_name() == "array" { last_named_child(value) } else { Some(value) }
                && let Some(Ty::Record(m, c)) = self.eval(value)
            {
                return Some((m, c.min(Confidence::Medium)));
            }
        }
        let first = *args.first()?;
        match first.kind_name() {
            "simple_symbol" => {
                symbol_or_string(first, self.code).map(|(s, _)| (Rec::model(inflect::camelize(&s)), Confidence::Medium))
            }
            "array" => match self.eval(last_named_child(first)?) {
                Some(Ty::Record(m, c)) => Some((m, c.min(Confidence::Medium))),
                _ => None,
            },
            _ => match self.eval(first) {
                Some(Ty::Record(m, c)) => Some((m, c.min(Confidence::Medium))),
                // `simple_form_for form` in `_form`, rendered `render partial: "form", object:
                // @partner`: the partial's local (named like a builder) holds the record.
                Some(Ty::Form(m, c)) if first.kind_name() == "identifier" => Some((m, c.min(Confidence::Medium))),
                _ => None,
            },
        }
    }

    /// Strong parameters permitted for `model`: symbols are attributes, `x_attributes: […]` are
    /// nested attributes of the associated model.
    pub(super) fn permitted(&mut self, rec: &Rec, args: &[Node<'_>]) {
        for arg in args {
            match arg.kind_name() {
                "simple_symbol" | "delimited_symbol" | "string" => {
                    if let Some((column, offset)) = symbol_or_string(*arg, self.code)
                        && is_identifier(&column)
                    {
                        self.hit_at(offset, rec.attribute(&column), RefKind::Query, Confidence::Medium);
                    }
                }
                "array" => {
                    let mut cursor = arg.walk();
                    let items: Vec<Node<'_>> = arg.named_children(&mut cursor).collect();
                    self.permitted(rec, &items);
                }
                // `permitted = %i[email role]`, then `permit(permitted)`.
                "symbol_array" | "string_array" => {
                    for (column, offset) in strings_in(*arg, self.code) {
                        if is_identifier(&column) {
                            self.hit_at(offset, rec.attribute(&column), RefKind::Query, Confidence::Medium);
                        }
                    }
                }
                "hash" | "pair" => {
                    for pair in pairs(*arg) {
                        let (Some(key), Some(value)) =
                            (pair.child_by_field_id(*field::KEY), pair.child_by_field_id(*field::VALUE))
                        else {
                            continue;
                        };
                        let Some((name, offset)) = symbol_or_string(key, self.code) else { continue };
                        if let Some(association) = name.strip_suffix("_attributes") {
                            // Nested attributes: the association's records.
                            self.permitted(&rec.via(association), &[value]);
                        } else if is_identifier(&name) {
                            // `tags: []` permits an array attribute.
                            self.hit_at(offset, rec.attribute(&name), RefKind::Query, Confidence::Medium);
                        }
                    }
                }
                // `permit(PermittedAttributes::TagRules.attributes)`: another class's list.
                "call"
                    if arg
                        .child_by_field_id(*field::RECEIVER)
                        .is_some_and(|r| matches!(r.kind_name(), "constant" | "scope_resolution")) =>
                {
                    self.list_handed(*arg, rec);
                    let lists = self.permit_lists(*arg);
                    self.permitted(rec, &lists);
                }
                // `permit(basic_attributes + [...])`, `permit([:name, …] + extra_keys)`: literal
                // lists and those the class's own methods return.
                "identifier" | "call" | "binary" | "parenthesized_statements" => {
                    let lists = self.permit_lists(*arg);
                    self.permitted(rec, &lists);
                }
                _ => {}
            }
        }
    }

    /// A route helper's nested parameters: `repo_subscriptions_path(repo_subscription: {
    /// email_limit: 3 })` fills the form a controller reads back as the model's attributes, so
    /// a key named after a model with a hash for value lists that model's attributes.
    pub(super) fn route_params(&mut self, args: &[Node<'_>]) {
        for pair in args.iter().flat_map(|a| pairs(*a)) {
            let (Some(key), Some(value)) = (pair.child_by_field_id(*field::KEY), pair.child_by_field_id(*field::VALUE))
            else {
                continue;
            };
            if value.kind_name() != "hash" {
                continue;
            }
            if let Some((name, _)) = symbol_or_string(key, self.code)
                && let Some(Ty::Record(rec, confidence)) = named_like_model(&name)
            {
                self.hash_keys(value, &rec, confidence, false);
            }
        }
    }

    /// `button_to …, params: { template: { shared_link: true } }`: the hidden fields the button
    /// posts, named as a route helper's nested parameters are (see `route_params`).
    pub(super) fn button_params(&mut self, args: &[Node<'_>]) {
        let values: Vec<Node<'_>> = args
            .iter()
            .flat_map(|a| pairs(*a))
            .filter(|p| {
                p.child_by_field_id(*field::KEY)
                    .and_then(|k| symbol_or_string(k, self.code))
                    .is_some_and(|(k, _)| k == "params")
            })
            .filter_map(|p| p.child_by_field_id(*field::VALUE))
            .filter(|v| v.kind_name() == "hash")
            .collect();
        self.route_params(&values);
    }

    /// A field whose name is a model's parameter (`hidden_field_tag "user_block[needs_view]"`,
    /// `f.check_box "entry[excluded]"` on a form with no model): the controller reads it back
    /// as that model's attribute.
    pub(super) fn field_param_name(&mut self, method: &str, args: &[Node<'_>]) {
        if !is_field_method(method) {
            return;
        }
        let Some((name, offset)) = args.first().and_then(|a| symbol_or_string(*a, self.code)) else { return };
        let Some((key, rest)) = name.split_once('[') else { return };
        let Some(attribute) = rest.strip_suffix(']') else { return };
        if !is_identifier(key) || !is_identifier(attribute) {
            return;
        }
        let target = Rec::model(inflect::camelize(key)).attribute(attribute);
        self.hit_at(offset + key.len() + 1, target, RefKind::Query, Confidence::Medium);
    }
}

/// A form builder's or a tag helper's method that renders one input named by its first argument.
fn is_field_method(method: &str) -> bool {
    let base = method.strip_suffix("_tag").unwrap_or(method);
    base.ends_with("_field")
        || matches!(base, "check_box" | "radio_button" | "select" | "text_area" | "collection_select")
}

//! phx.gen.context's functions named after their schema: `Events.get_event!(id)`,
//! `Accounts.get_user_by_email(e)`, `Posts.list_posts()`, `Events.create_event(attrs)` (a
//! `{:ok, event}`) return records of the schema of that name in the context's namespace
//! (`App.Events.Event`, `App.Accounts.User`), as the file aliases it. Medium: the name is the
//! evidence (resolution drops a schema that does not exist: `get_event_count`, `get_token`).

use crate::grammar::NodeExt;
use tree_sitter::Node;

use super::calls;
use super::templates::returned;
use super::{
    RefKind, Source, Walker, case_clause_patterns, context_schema_of, holds_no_record, is_identifier, is_plural,
    keyword_keys, ok_var, param_map,
};
use crate::config::Confidence;
use crate::inflect;
use crate::scan::facts::Root;

/// A getter's words after its noun: `get_user_by_email`, `get_event_with_code!`,
/// `list_posts_for_event`.
const QUALIFIERS: &[&str] = &["_by_", "_with_", "_for_"];

/// Functions Ecto and Phoenix import whose names look like a getter's (`get_field(cs, :x)`,
/// `get_flash(conn)`): a bare call of one is no context's.
const IMPORTED: &[&str] = &["field", "change", "flash", "session", "req_header", "resp_header", "connect_info", "env"];

/// What a context function named after its schema returns.
pub(super) struct Named {
    /// `Module.function`, as the function's own module binds what it returns (`phoenix:returns`).
    pub(super) function: String,
    /// The context (or module) the function belongs to.
    module: String,
    /// Whether `module` is a context (plural), whose schemas the file may alias.
    context: bool,
    /// The schema's name in snake case, singular (`user_event` for `get_user_event!`).
    noun: String,
    pub(super) schema: Source,
    /// `create_*`/`update_*`/`delete_*`: the record comes in `{:ok, record}`.
    pub(super) tuple: bool,
}

/// Words `inflect` would singularise that name one thing (`message_media`, `metadata`).
const UNCOUNTED: &[&str] = &["media", "data", "metadata"];

fn singular(noun: &str) -> String {
    if UNCOUNTED.iter().any(|u| noun == *u || noun.ends_with(&format!("_{u}"))) {
        noun.to_owned()
    } else {
        inflect::singularize(noun)
    }
}

/// Whether `part` is `whole` or its last or first words (`event` of `user_event`).
fn words_of(part: &str, whole: &str) -> bool {
    part == whole
        || whole.strip_suffix(part).is_some_and(|head| head.ends_with('_'))
        || whole.strip_prefix(part).is_some_and(|tail| tail.starts_with('_'))
}

impl Walker<'_> {
    /// `Events.get_event!(id)`, or `get_event!(id)` inside `App.Events`: the schema its name says.
    pub(super) fn named_getter(&self, node: Node<'_>) -> Option<Named> {
        if node.kind_name() != "call" {
            return None;
        }
        let (name, remote) = self.callee(node)?;
        let (prefix, rest) = ["get_", "fetch_", "list_", "create_", "update_", "delete_"]
            .iter()
            .find_map(|p| name.strip_prefix(p).map(|rest| (*p, rest.trim_end_matches('!'))))?;
        let noun = QUALIFIERS.iter().filter_map(|q| rest.find(q)).min().map_or(rest, |cut| &rest[..cut]);
        let noun = noun.strip_suffix("_by").unwrap_or(noun);
        // `get_delta_or_firmware`: no one schema; `update_changeset`: a changeset;
        // `get_for_verification`: no noun.
        let compound = ["by_", "or_", "for_", "with_", "all_"].iter().any(|w| noun.starts_with(w))
            || ["_or_", "_and_", "changeset"].iter().any(|w| noun.contains(w));
        if noun.len() < 2 || !is_identifier(noun) || compound {
            return None;
        }
        let tuple = matches!(prefix, "create_" | "update_" | "delete_");
        let one = singular(noun);
        let plural = one != noun && is_plural(noun);
        // A list is `list_<plural>`; a writer takes one record.
        if (prefix == "list_" && !plural) || (tuple && plural) {
            return None;
        }
        let (module, context) = match remote {
            Some(remote) if remote.kind_name() == "alias" => {
                let full = self.resolve(self.text(remote));
                let context = context_schema_of(&full).is_some();
                (full, context)
            }
            // Inside a context (`fetch_data("groups", …)` in a worker is no getter).
            None if !IMPORTED.contains(&noun) => {
                let module = self.modules.last().filter(|m| m.schema.is_none())?;
                context_schema_of(&module.name)?;
                (module.name.clone(), true)
            }
            _ => return None,
        };
        // (A web module's functions are no context's: an Absinthe resolver's `update_flow(_, %{id:
        // id}, _)` takes GraphQL arguments.)
        if module.ends_with("Repo") || module.starts_with("Ecto.") || module.split('.').any(|s| s.ends_with("Web")) {
            return None;
        }
        // A plural noun a file names as a module (`alias …UserSettings`) is that record (not the
        // context itself: `alias App.Posts` for `Posts.list_posts()`). A role before the
        // context's own schema (`get_user_event!` in `Events`) is resolution's to see through
        // when no `UserEvent` exists.
        let whole = inflect::camelize(noun);
        let named = self.resolve(&whole);
        let noun = if plural && named != whole && named != module { noun.to_owned() } else { one };
        let schema = self.schema_in(&module, context, &noun)?;
        Some(Named { function: format!("{module}.{name}"), module, context, noun, schema, tuple })
    }

    /// The schema `noun` names in `module`'s namespace, in the context's own spelling when it is
    /// the context's schema (`CACertificates` → `CACertificate`). A context (plural) names its
    /// schemas through the file's aliases; any other module (`Log.get_car!`) only as its own
    /// namespace's, so that `Changeset.get_field` is never an aliased `Field`.
    fn schema_in(&self, module: &str, context: bool, noun: &str) -> Option<Source> {
        let own = context_schema_of(module).and_then(|s| match s {
            Source::Schema(full) => full.rsplit('.').next().map(str::to_owned),
            _ => None,
        });
        let class = own.filter(|o| inflect::underscore(o) == noun).unwrap_or_else(|| inflect::camelize(noun));
        let full = format!("{module}.{class}");
        if context { self.aliased(Source::Schema(full)) } else { Some(Source::Schema(full)) }
    }

    /// The record a variable holds from a named getter (`e = Events.get_event!(id)`, `{:ok, u}
    /// <- Accounts.update_user(…)`, `fn p -> … end` over `Posts.list_posts()`) when its own name
    /// says nothing (`e`, `rows`, `event`): the getter's schema, or the schema of the variable's
    /// name when that is the noun's last or first words (`event = Events.get_user_event!(id)`).
    /// A name that types the variable itself keeps that type (`{:ok, user} =
    /// Users.update_password(…)` holds a `User`, `invite = Accounts.get_valid_invite(t)` an
    /// `Invite`).
    pub(super) fn getter_for(&self, var: &str, node: Node<'_>) -> Option<(Source, Confidence)> {
        if var.len() >= 3 && !var.starts_with('_') && !holds_no_record(var) && is_identifier(var) {
            return None;
        }
        let named = self.named_getter(node)?;
        let own = singular(var);
        let schema = if own != named.noun && words_of(&own, &named.noun) {
            self.schema_in(&named.module, named.context, &own)?
        } else {
            named.schema
        };
        Some((schema, Confidence::Medium))
    }

    /// What an assign of a named getter's result holds: what its body returns where a file binds
    /// that (`def get_event!(id), do: Repo.get!(Event, id)`), else the schema its name says.
    pub(super) fn named_getter_root(&self, node: Node<'_>) -> Option<Root> {
        let named = self.named_getter(node).filter(|n| !n.tuple)?;
        let Source::Schema(model) = named.schema else { return None };
        match returned(named.function) {
            Root::Binding { scopes, name, .. } => Some(Root::Binding { scopes, name, guess: Some(model) }),
            root => Some(root),
        }
    }

    /// `case Events.get_event(id) do nil -> …; found -> found.name end`, `case Posts.create_post(a)
    /// do {:ok, post} -> …`: a clause binding the subject's value holds its record.
    pub(super) fn case_getter(&mut self, node: Node<'_>, subject: Node<'_>) {
        let reader = self.named_getter(subject).is_some_and(|n| !n.tuple);
        for pattern in case_clause_patterns(node) {
            let var = match pattern.kind_name() {
                "identifier" if reader => Some(pattern),
                "tuple" => ok_var(pattern, self.src),
                _ => None,
            };
            let Some(var) = var else { continue };
            let name = self.text(var).to_owned();
            let typed = if pattern.kind_name() == "tuple" { self.record_of(subject) } else { None };
            if let Some((schema, confidence)) = typed.or_else(|| self.getter_for(&name, subject)) {
                self.bind_as(&name, schema, confidence);
            }
        }
    }

    /// `Enum.map(Posts.list_posts(e), fn p -> … end)`: each function's parameter, as
    /// [`Walker::getter_for`] types it.
    pub(super) fn bind_getter_elements(&mut self, args: &[Node<'_>], collection: Node<'_>) {
        for name in self.fn_first_params(args) {
            if let Some((schema, confidence)) = self.getter_for(&name, collection) {
                self.bind_as(&name, schema, confidence);
            }
        }
    }

    /// `def delete_reaction(%{post: post, icon: icon} = _params)` in `Posts`: a context's public
    /// function named after a schema takes that schema's fields in a map pattern, so a map its
    /// callers hand there (`Posts.delete_reaction(%{icon: type, …})`, through their own
    /// functions too) carries that schema's fields (medium: its `phoenix:passed` binding), and so
    /// do the pattern's own keys.
    pub(super) fn named_params(&mut self, head: Node<'_>) {
        let Some((call, params)) = calls::head_call(head, self.src) else { return };
        let Some(named) = self.named_getter(call) else { return };
        let Source::Schema(model) = named.schema else { return };
        for (i, param) in params.iter().enumerate() {
            let Some(map) = param_map(*param).filter(|m| self.struct_of(*m).is_none()) else { continue };
            self.bind_passed(&format!("{}#{i}", named.function), Root::Model { model: model.clone() });
            // The pattern's own keys are the schema's fields too.
            let schema = Source::Schema(model.clone());
            for (key, offset) in keyword_keys(map, self.src) {
                self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::Medium);
            }
        }
    }
}

//! Templates (EEx, HEEx, `~H`): assigns typed through the bindings of the controller or live
//! view that renders them, comprehension variables, form fields; and those bindings, written
//! where a controller or live view renders or assigns.

#![allow(clippy::wildcard_imports)]

use crate::grammar::NodeExt;
use std::sync::LazyLock;

use regex::Regex;

use super::*;
use crate::scan::extract::indented;

impl Walker<'_> {
    /// `render(conn, :show, person: person)`, `assign(socket, :person, person)`: the assigns the
    /// templates of this controller or live view read, typed where the value's type is known
    /// (or suggested by the variable's name).
    pub(super) fn assign_bindings(&mut self, name: &str, args: &[Node<'_>]) {
        let Some(scope) = self.module_scope() else { return };
        let embeds = self.modules.last().map(|m| m.embeds.clone()).unwrap_or_default();
        let mut pairs: Vec<(String, Node<'_>)> = args.iter().flat_map(|a| keyword_pairs(*a, self.src)).collect();
        if name != "render" {
            for pair in args.windows(2) {
                if let Some((key, _)) = atom(pair[0], self.src) {
                    pairs.push((key, pair[1]));
                }
            }
        }
        for (key, value) in pairs {
            if let Some(root) = self.value_root(value) {
                for scope in std::iter::once(&scope).chain(&embeds) {
                    let binding =
                        Binding { scope: scope.clone(), name: format!("@{key}"), root: root.clone(), path: Vec::new() };
                    if !self.facts.bindings.contains(&binding) {
                        self.facts.bindings.push(binding);
                    }
                }
            }
        }
    }

    /// The record (or relation) type of a value handed to a template, or held in a variable:
    /// a record or list of a schema, a changeset of one and a form over that (`to_form(change(
    /// %Token{}))`), what a function returns (`Accounts.list_tokens(user)`: bound where that
    /// function is defined, see [`Walker::bind_return`]).
    pub(super) fn value_root(&self, node: Node<'_>) -> Option<Root> {
        if let Some(root) = self.named_getter_root(node) {
            return Some(root);
        }
        if let Some((Source::Schema(model), _)) = self.record_of(node) {
            return Some(Root::Model { model });
        }
        match node.kind_name() {
            "identifier" => {
                let name = self.text(node);
                if let Some(root) = self.roots.iter().rev().find_map(|f| f.get(name)) {
                    return Some(root.clone());
                }
                match self.lookup(name) {
                    Some(Source::Schema(model)) => Some(Root::Model { model }),
                    Some(Source::Returned(function)) => Some(returned(function)),
                    Some(Source::Table(_) | Source::Assoc { .. }) => None,
                    None => match self.named_record(node) {
                        Some(Source::Schema(model)) => Some(Root::Model { model }),
                        _ => None,
                    },
                }
            }
            "call" => {
                let (name, remote) = self.callee(node)?;
                let remote_text = remote.map(|r| self.text(r));
                // `to_form(changeset)`: a form over the changeset's record.
                if name == "to_form" && matches!(remote_text, None | Some("Phoenix.Component")) {
                    return arguments(node).first().and_then(|a| self.value_root(*a));
                }
                // `change(%Token{})`, `Ecto.Changeset.change(socket.assigns.device)`: a changeset of
                // that record.
                if matches!(name, "change" | "cast")
                    && matches!(remote_text, None | Some("Ecto.Changeset" | "Changeset"))
                {
                    let first = arguments(node).into_iter().next()?;
                    return self.value_root(first).or_else(|| match self.record(first) {
                        Some((Source::Schema(model), _)) => Some(Root::Model { model }),
                        _ => None,
                    });
                }
                let Some(remote) = remote else {
                    // A function of this module: what it returns.
                    let module = &self.modules.last()?.name;
                    let special = SPECIAL_FORMS.contains(&name);
                    return (has_arguments(node) && !special).then(|| returned(format!("{module}.{name}")));
                };
                if remote.kind_name() == "alias" && name.contains("changeset") {
                    return Some(Root::Model { model: self.resolve(self.text(remote)) });
                }
                if self.text(remote).ends_with("Repo") && matches!(name, "all" | "preload" | "insert!" | "update!") {
                    return match arguments(node).first().and_then(|a| self.source_of(*a)) {
                        Some(Source::Schema(model)) => Some(Root::Model { model }),
                        // `Repo.all(Project.orphans())`: the rows of the query that function returns.
                        Some(Source::Returned(function)) => Some(returned(function)),
                        _ => None,
                    };
                }
                (remote.kind_name() == "alias").then(|| returned(format!("{}.{name}", self.resolve(self.text(remote)))))
            }
            _ => None,
        }
    }

    /// `def list_tokens(user), do: Token |> where(…) |> Repo.all()`: what the function returns,
    /// bound for every file that calls it (by module and name: its clauses' results together).
    pub(super) fn bind_return(&mut self, head: Node<'_>, last: Node<'_>) {
        // `def new_group, do: …` has no parentheses to read a call from.
        let target = match calls::head_call(head, self.src) {
            Some((call, _)) => call.field("target"),
            None => (head.kind_name() == "identifier").then_some(head),
        };
        let Some(target) = target else { return };
        let Some(module) = self.modules.last().map(|m| m.name.clone()) else { return };
        let name = format!("{module}.{}", self.text(target));
        // `def new, do: MediaItem`: the schema, a query's base (`MediaQuery.new() |> where(…)`).
        let bare = (last.kind_name() == "alias").then(|| Root::Model { model: self.resolve(self.text(last)) });
        // `def get_for_batch(id), do: from(s in Status, where: …)`: a query over the schema, whose
        // rows `Repo.all(Status.get_for_batch(id))` and `Repo.update_all(…, set: […])` reach.
        let query = || match self.query_over(last)? {
            Source::Schema(model) => Some(Root::Model { model }),
            Source::Returned(function) => Some(returned(function)),
            Source::Table(_) | Source::Assoc { .. } => None,
        };
        let Some(root) = bare.or_else(query).or_else(|| self.value_root(last)) else { return };
        // A function returning what it is named after returns nothing more.
        if matches!(&root, Root::Binding { name: n, .. } if *n == name) {
            return;
        }
        let binding = Binding { scope: RETURNS.to_owned(), name, root, path: Vec::new() };
        if !self.facts.bindings.contains(&binding) {
            self.facts.bindings.push(binding);
        }
    }

    /// The binding scope of the templates the current module renders (a controller, a view, an
    /// HTML module, a live view): `ShopWeb.Admin.PersonController` → `phoenix:view:admin/person`,
    /// the key [`template_scope`] derives from the templates' paths.
    pub(super) fn module_scope(&self) -> Option<String> {
        let module = self.modules.last()?;
        let segments: Vec<&str> = module.name.split('.').collect();
        let web = segments.iter().position(|s| s.ends_with("Web")).map_or(1, |i| i + 1);
        let rest = segments.get(web..).filter(|r| !r.is_empty())?;
        let mut parts: Vec<String> = rest.iter().map(|s| inflect::underscore(s)).collect();
        let last = parts.last_mut()?;
        for suffix in ["_controller", "_view", "_html"] {
            if let Some(stripped) = last.strip_suffix(suffix) {
                *last = stripped.to_owned();
                break;
            }
        }
        Some(format!("phoenix:view:{}", parts.join("/")))
    }

    /// Field reads in a HEEx / EEx template (or a `~H` sigil): `@user.email`, `{@current_user.name}`,
    /// `assigns.user.email`, `t.subject` where `:for={t <- @tickets}` or `for t <- @tickets do`
    /// binds `t`, and form fields (`text_input f, :email`, `f[:email]`, `@form[:email]`). An
    /// assign is typed by the bindings of the controller or live view that renders the template
    /// (its scope), else by its name (`@user` → `User`); every field read also stands as an
    /// untyped attribute, which resolution keeps only when one table alone has such a column.
    /// Only code regions count: `<%… %>`, and `{…}` in HEEx; never markup or text.
    pub(super) fn template(&mut self, text: &str, base: usize, heex: bool, dir_model: &str) {
        let regions = eex_regions(text, heex);
        self.template_code(text, &regions, base, dir_model);
    }

    /// A Slime template (`.html.slime`, `phoenix_slime`): its code as [`indented::to_code`]
    /// reads it — code lines, code after a tag, attribute values, `#{…}` — walked as an EEx
    /// template's regions, each `end` the indentation writes a region of its own.
    pub(super) fn slime_template(&mut self, source: &str, dir_model: &str) {
        let code = indented::to_code(source, indented::Dialect::Slim);
        let mut regions: Vec<(usize, usize)> = code.spans.clone();
        regions.extend(code.ends.iter().filter(|&&e| e + 3 <= source.len()).map(|&e| (e, e + 3)));
        regions.sort_unstable();
        let text = &code.text[..source.len()];
        self.template_code(text, &regions, 0, dir_model);
    }

    /// The template walk over `text`'s code `regions` (byte ranges of `text`).
    fn template_code(&mut self, text: &str, regions: &[(usize, usize)], base: usize, dir_model: &str) {
        let scopes: Vec<String> = self.template_scopes.clone();
        // An assign named like no record (`@request`) is typed only by what its controller binds.
        let assign_root = |assign: &str| -> Root {
            let named = assign.strip_prefix("current_").unwrap_or(assign);
            let guess = if is_plural(named) { inflect::classify(named) } else { inflect::camelize(named) };
            // A name that is most often no record (`@settings`) still denotes the schema whose
            // table it names exactly (`=settings`: the resolver's table-only guess).
            // `@event` is the app's `Event` when it has one (`:Event`, the resolver's class-only
            // guess; no attribute fallback, as below).
            let guess = if NAMED_IF_SCHEMA.contains(&assign) {
                format!(":{guess}")
            } else if NOT_RECORDS.contains(&assign) {
                format!("={assign}")
            } else {
                guess
            };
            let guess = Some(guess);
            Root::Binding { scopes: scopes.clone(), name: format!("@{assign}"), guess }
        };
        // The form the template's fields belong to: `form_for(@changeset, …)`, `<.form for={@form}>`.
        // The form each field belongs to: the nearest `form_for(@x, …)` / `<.form for={…@x…}>`
        // before it (a template may hold several forms), `@changeset` when there is none.
        let form_sources: Vec<(usize, String)> = FORM_SOURCE
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .map(|m| (base + m.start(), m.as_str().trim_start_matches('@').to_owned()))
            .collect();
        // A form over a named record (`for={get_in(@car_settings, …)}`) is guessed by that name,
        // a bare `@changeset`/`@form` by the template's directory.
        let form_at = |at: usize| -> Root {
            let name = form_sources.iter().rev().find(|(o, _)| *o < at).map_or("changeset", |(_, n)| n.as_str());
            let by_dir = (!dir_model.is_empty()).then(|| dir_model.to_owned());
            let guess = match assign_root(name) {
                Root::Binding { guess: Some(g), .. }
                    if !matches!(name, "changeset" | "form")
                        && !name.ends_with("changeset")
                        && !g.starts_with(['=', ':']) =>
                {
                    Some(g)
                }
                _ => by_dir,
            };
            Root::Binding { scopes: scopes.clone(), name: format!("@{name}"), guess }
        };
        // `@f`: a form a parent template hands its partial (`render "_form.html", f: f`).
        let mut form_vars: Vec<String> =
            vec!["f".to_owned(), "@f".to_owned(), "@form".to_owned(), "@changeset".to_owned()];
        form_vars.extend(form_sources.iter().map(|(_, n)| format!("@{n}")));
        for c in FORM_VAR.captures_iter(text) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                form_vars.push(m.as_str().to_owned());
            }
        }
        let mut locals: HashMap<String, Root> = HashMap::new();
        // A local over an association's records (`embed <- @event.presentation_file.embeds`): the
        // steps from its root.
        let mut local_paths: HashMap<String, Vec<String>> = HashMap::new();
        // `<.table rows={@sources}>` … `<:col :let={source}>`: the slot's variable is a row.
        for (var, collection) in slot_rows(text) {
            let root = match collection.strip_prefix('@') {
                Some(assign) => match assign_root(assign) {
                    // The row variable's own name is the better guess when nothing binds the
                    // collection (`rows={@records}`, `:let={media_item}`).
                    Root::Binding { scopes, name, .. }
                        if !NOT_RECORDS.contains(&var) && !is_plural(var) && var.len() > 2 =>
                    {
                        Root::Binding { scopes, name, guess: Some(inflect::camelize(var)) }
                    }
                    root => root,
                },
                None => match locals.get(collection) {
                    Some(root) => root.clone(),
                    None => continue,
                },
            };
            local_paths.remove(var);
            locals.insert(var.to_owned(), root);
        }
        // The blocks open at each region (`case x do`, `for … do`, `fn f ->`): a `case` over a
        // local keeps what the local held before its struct clauses typed it.
        let mut blocks: Vec<Option<(String, Option<Root>)>> = Vec::new();
        for &(start, end) in regions {
            let Some(code) = text.get(start..end) else { continue };
            self.template_block(code, base + start, &mut blocks, &mut locals, &mut local_paths);
            for (var, collection) in comprehension_bindings(code) {
                let root = match collection.strip_prefix('@') {
                    Some(assign) => assign_root(assign),
                    None => match locals.get(collection) {
                        Some(root) => root.clone(),
                        // `for req <- requirements`: a local list named after its schema.
                        None if is_plural(collection) && !NOT_RECORDS.contains(&collection) => {
                            Root::Model { model: inflect::classify(collection) }
                        }
                        None => continue,
                    },
                };
                local_paths.remove(var);
                locals.insert(var.to_owned(), root);
            }
            // `for {patch, project} <- @patch_proj`: pairs a controller built, each element
            // guessed by its own name (as a local named after a schema is in code).
            for (var, assign) in tuple_comprehensions(code) {
                if var.len() > 2 && !NOT_RECORDS.contains(&var) && !is_plural(var) {
                    local_paths.remove(var);
                    locals.insert(var.to_owned(), Root::Model { model: inflect::camelize(var) });
                } else if assign.rsplit('_').next().is_some_and(|last| inflect::singularize(last) == var) {
                    // `{body, entry} <- @dnp_entries`: the element the collection is named
                    // after, whatever else the pairs hold (`item`, `entry` say nothing alone).
                    local_paths.remove(var);
                    locals.insert(var.to_owned(), assign_root(assign));
                }
            }
            for (var, head, steps) in chained_comprehensions(code) {
                let (root, mut path) = match head.strip_prefix('@') {
                    Some(assign) => (assign_root(assign), Vec::new()),
                    None => match locals.get(head) {
                        Some(root) => (root.clone(), local_paths.get(head).cloned().unwrap_or_default()),
                        None => continue,
                    },
                };
                path.extend(steps.iter().map(|s| (*s).to_owned()));
                local_paths.insert(var.to_owned(), path);
                locals.insert(var.to_owned(), root);
            }
            // `Enum.map(@media_profiles, &{&1.name, &1.id})`, `Enum.map(@users, fn u -> … end)`:
            // the function's argument is an element of the collection.
            for (collection, steps, var, from, to) in enum_captures(code) {
                // `Enum.min_max_by(c.items, &(&1.base_price))`: the elements of an association
                // read on the collection, reached by its steps (no attribute fallback then).
                let (root, mut path) = match collection.strip_prefix('@') {
                    Some(assign) => (assign_root(assign), Vec::new()),
                    None => match locals.get(collection) {
                        Some(root) => (root.clone(), local_paths.get(collection).cloned().unwrap_or_default()),
                        None => continue,
                    },
                };
                path.extend(steps.iter().map(|s| (*s).to_owned()));
                let Some(var) = var else {
                    for (at, field) in captured_fields(&code[from..to]) {
                        let at = base + start + from + at;
                        let target =
                            Target::Chain { root: root.clone(), path: path.clone(), attribute: Some(field.to_owned()) };
                        self.hit_at(at, target, RefKind::Query, Confidence::Medium);
                        if path.is_empty() {
                            self.attribute_hit(at, field);
                        }
                    }
                    continue;
                };
                if path.is_empty() {
                    local_paths.remove(var);
                } else {
                    local_paths.insert(var.to_owned(), path);
                }
                locals.insert(var.to_owned(), root);
            }
            // Form fields: a call taking the form and an atom, and `f[:email]`.
            for c in FORM_FIELD.captures_iter(code) {
                let (Some(var), Some(field)) = (c.get(1).or_else(|| c.get(3)), c.get(2).or_else(|| c.get(4))) else {
                    continue;
                };
                if !form_vars.iter().any(|v| v == var.as_str()) {
                    continue;
                }
                let at = base + start + field.start();
                let target =
                    Target::Chain { root: form_at(at), path: Vec::new(), attribute: Some(field.as_str().to_owned()) };
                self.hit_at(at, target, RefKind::Query, Confidence::Medium);
                self.attribute_hit(at, field.as_str());
            }
            for (offset, chain) in dotted_chains(code) {
                let mut parts: Vec<&str> = chain.split('.').collect();
                // `assigns.user.email` is `@user.email`.
                let mut head_len = 0;
                // `@conn.assigns.settings.x` and `@socket.assigns.user.x` are `@settings.x`, `@user.x`.
                if matches!(parts[0], "@conn" | "conn" | "@socket" | "socket")
                    && parts.get(1) == Some(&"assigns")
                    && parts.len() > 3
                {
                    head_len = parts[0].len() + 1;
                    parts.remove(0);
                }
                let head: String = if parts[0] == "assigns" && parts.len() > 2 {
                    head_len += parts[0].len() + 1;
                    parts.remove(0);
                    format!("@{}", parts[0])
                } else {
                    parts[0].to_owned()
                };
                head_len += parts[0].len() + 1;
                let head = head.as_str();
                // `f.data.editor`: the form's record.
                let (root, skip) = if form_vars.iter().any(|v| v == head) && parts.get(1) == Some(&"data") {
                    (Some(form_at(base + start + offset)), 2)
                } else {
                    match head.strip_prefix('@') {
                        Some(assign) if assign.len() < 2 => continue,
                        Some(assign) => (Some(assign_root(assign)), 1),
                        None => match locals.get(head) {
                            Some(root) => (Some(root.clone()), 1),
                            // `row.release.has_docs` on an unknown local: the record the last
                            // singular step is named after.
                            None if parts.len() > 2
                                && inflect::singularize(parts[parts.len() - 2]) == parts[parts.len() - 2] =>
                            {
                                (
                                    Some(Root::Model { model: inflect::camelize(parts[parts.len() - 2]) }),
                                    parts.len() - 1,
                                )
                            }
                            None => (None, 1),
                        },
                    }
                };
                let fields = &parts[skip..];
                let Some((last, path)) = fields.split_last() else { continue };
                // Steps the text does not show: those to the association a local ranges over.
                let hidden: &[String] = match local_paths.get(head) {
                    Some(steps) if skip == 1 && !head.starts_with('@') => steps,
                    _ => &[],
                };
                let at = base
                    + start
                    + offset
                    + head_len
                    + parts[1..skip].iter().map(|p| p.len() + 1).sum::<usize>()
                    + path.iter().map(|p| p.len() + 1).sum::<usize>();
                match root {
                    Some(root) => {
                        // `@user.handles.url` reads `handles` (an embed's column, a belongs-to's key).
                        for k in 0..path.len() {
                            let target = Target::Chain {
                                root: root.clone(),
                                path: hidden.iter().cloned().chain(path[..k].iter().map(|p| (*p).to_owned())).collect(),
                                attribute: Some(path[k].to_owned()),
                            };
                            let step_at = at - path[k..].iter().map(|p| p.len() + 1).sum::<usize>();
                            self.hit_at(step_at, target, RefKind::Query, Confidence::Medium);
                        }
                        let target = Target::Chain {
                            root,
                            path: hidden.iter().cloned().chain(path.iter().map(|p| (*p).to_owned())).collect(),
                            attribute: Some((*last).to_owned()),
                        };
                        self.hit_at(at, target, RefKind::Query, Confidence::Medium);
                        // `@conn.host`: no fallback to whichever table has the column; nor for
                        // a local over a chain, which only its steps type (`entry <-
                        // @uploads.archive.entries` holds LiveView uploads).
                        if !head.strip_prefix('@').is_some_and(|a| NOT_RECORDS.contains(&a)) && hidden.is_empty() {
                            self.attribute_hit(at, last);
                        }
                    }
                    // An unknown local: only its direct field, which may be any schema's.
                    None if path.is_empty() && !NOT_RECORDS.contains(&head) && head.len() > 1 => {
                        self.attribute_hit(at, last)
                    }
                    None => {}
                }
            }
        }
    }
}

impl Walker<'_> {
    /// One region's part in the template's blocks: `<%= case entry do %>` opens a `case` over
    /// `entry`; its clause `<% %Crash{component: c} -> %>` reads the struct's fields (as the same
    /// pattern in a `.ex` does) and makes `entry` a `Crash` until the next clause or the `end`.
    fn template_block(
        &mut self,
        code: &str,
        at: usize,
        blocks: &mut Vec<Option<(String, Option<Root>)>>,
        locals: &mut HashMap<String, Root>,
        local_paths: &mut HashMap<String, Vec<String>>,
    ) {
        static CASE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r"^=?\s*case\s*\(?\s*([a-z_]\w*)\s*\)?\s+do\s*$").expect("valid regex"));
        static CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"(?s)^%([A-Z][\w.]*)\{(.*)\}(?:\s*=\s*[a-z_]\w*)?\s*->\s*$").expect("valid regex")
        });
        static KEY: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?:^|,)\s*([a-z_]\w*):\s").expect("valid regex"));
        let trimmed = code.trim();
        let restore = |locals: &mut HashMap<String, Root>, subject: &str, previous: &Option<Root>| match previous {
            Some(root) => {
                locals.insert(subject.to_owned(), root.clone());
            }
            None => {
                locals.remove(subject);
            }
        };
        if let Some(c) = CASE.captures(trimmed) {
            let subject = c[1].to_owned();
            blocks.push(Some((subject.clone(), locals.get(&subject).cloned())));
        } else if trimmed == "end" || trimmed.starts_with("end ") || trimmed == "end)" {
            if let Some(Some((subject, previous))) = blocks.pop() {
                restore(locals, &subject, &previous);
            }
        } else if trimmed.ends_with(" do") || (trimmed.ends_with("->") && trimmed.contains("fn ")) {
            blocks.push(None);
        } else if trimmed.ends_with("->") {
            let Some(Some((subject, previous))) = blocks.last() else { return };
            let (subject, previous) = (subject.clone(), previous.clone());
            restore(locals, &subject, &previous);
            let Some(c) = CLAUSE.captures(trimmed) else { return };
            let (Some(module), Some(inner)) = (c.get(1), c.get(2)) else { return };
            let model = module.as_str().to_owned();
            // The pattern's own keys, where a nested map or struct has none of its own.
            let offset = at + (code.len() - code.trim_start().len()) + inner.start();
            let inner_text = inner.as_str();
            if !inner_text.contains(['{', '[']) {
                for k in KEY.captures_iter(inner_text) {
                    let Some(key) = k.get(1) else { continue };
                    let target = Target::Chain {
                        root: Root::Model { model: model.clone() },
                        path: Vec::new(),
                        attribute: Some(key.as_str().to_owned()),
                    };
                    self.hit_at(offset + key.start(), target, RefKind::Query, Confidence::Medium);
                }
            }
            local_paths.remove(&subject);
            locals.insert(subject, Root::Model { model });
        }
    }
}

/// Calls that are the language's, not the module's functions.
pub(super) const SPECIAL_FORMS: &[&str] =
    &["case", "cond", "with", "for", "if", "unless", "try", "receive", "quote", "unquote", "fn", "raise", "throw"];

/// The scope of what the app's functions return, by `Module.function`.
const RETURNS: &str = "phoenix:returns";

/// What the function `Module.function` returns, wherever it is defined.
pub(super) fn returned(name: String) -> Root {
    Root::Binding { scopes: vec![RETURNS.to_owned()], name, guess: None }
}

/// `t <- @tickets` in `:for={…}` and `for … do`: (variable, collection).
/// The code regions of an EEx / HEEx template: `<%… %>` (not `<%#`, `<%!`), and `{…}` in HEEx;
/// never markup, text or `<!-- -->` comments.
fn eex_regions(text: &str, heex: bool) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut regions: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(b"<%") {
            let end = memchr::memmem::find(&bytes[i + 2..], b"%>").map_or(bytes.len(), |p| i + 2 + p);
            if bytes.get(i + 2) != Some(&b'#') && bytes.get(i + 2) != Some(&b'!') {
                regions.push((i + 2, end));
            }
            i = end + 2;
        } else if bytes[i..].starts_with(b"<!--") {
            i = memchr::memmem::find(&bytes[i..], b"-->").map_or(bytes.len(), |p| i + p + 3);
        } else if heex && bytes[i] == b'{' {
            let mut depth = 0usize;
            let mut j = i;
            while j < bytes.len() {
                match bytes[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            regions.push((i + 1, j.min(bytes.len())));
            i = j + 1;
        } else {
            i += 1;
        }
    }
    regions
}

fn comprehension_bindings(code: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut search = 0;
    while let Some(p) = code[search..].find("<-").map(|p| search + p) {
        let before = code[..p].trim_end();
        let var_start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let var = &before[var_start..];
        let after = code[p + 2..].trim_start();
        let coll_len = after
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_alphanumeric() || *c == '_' || (*i == 0 && *c == '@')))
            .map_or(after.len(), |(i, _)| i);
        let collection = &after[..coll_len];
        if is_identifier(var) && collection.len() > 1 && !after[coll_len..].starts_with('.') {
            out.push((var, collection));
        }
        search = p + 2;
    }
    out
}

/// `{patch, project} <- @patch_proj`: the names a tuple pattern binds over an assign (and the
/// assign's name) — never
/// over a call (`{question, _idx} <- Enum.with_index(quiz.quiz_questions)` holds a
/// `QuizQuestion`, which its name does not say) nor a stream (`{id, submission} <-
/// @streams.form_submits`, `FormSubmit`s).
fn tuple_comprehensions(code: &str) -> Vec<(&str, &str)> {
    static TUPLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\{\s*([a-z_]\w*(?:\s*,\s*[a-z_]\w*)+)\s*\}\s*<-\s*@([a-z_]\w*)(?:[\s})]|$)").expect("valid regex")
    });
    TUPLE
        .captures_iter(code)
        .filter_map(|c| Some((c.get(1)?.as_str(), c.get(2)?.as_str())))
        .flat_map(|(vars, assign)| vars.split(',').map(str::trim).map(move |v| (v, assign)))
        .filter(|(v, _)| !v.starts_with('_'))
        .collect()
}

/// `embed <- @event.presentation_file.embeds` in `:for={…}` and `for … do`: (variable, the
/// chain's head, its steps). A call's result (`@event.embeds()`) is no association read.
fn chained_comprehensions(code: &str) -> Vec<(&str, &str, Vec<&str>)> {
    static CHAINED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^\w.@])([a-z_]\w*)\s*<-\s*(@?[a-z_]\w*)((?:\.[a-z_]\w*)+)").expect("valid regex")
    });
    CHAINED
        .captures_iter(code)
        .filter_map(|c| {
            let (var, head, steps) = (c.get(1)?, c.get(2)?, c.get(3)?);
            let next = code[steps.end()..].chars().next();
            if matches!(next, Some('(' | '.' | '[')) || (head.as_str().starts_with('@') && head.as_str().len() < 3) {
                return None;
            }
            Some((var.as_str(), head.as_str(), steps.as_str()[1..].split('.').collect()))
        })
        .collect()
}

/// One [`enum_captures`] call: collection, steps, parameter, arguments' span.
type EnumCapture<'a> = (&'a str, Vec<&'a str>, Option<&'a str>, usize, usize);

/// `Enum.map(@profiles, &{&1.name, &1.id})` and `Enum.map(@users, fn u -> … end)` in template
/// code: (collection, the association steps read on it — `c.items` is `c` and `items` —, the
/// function's parameter — none for a capture —, and the span of the call's arguments after the
/// collection's name).
fn enum_captures(code: &str) -> Vec<EnumCapture<'_>> {
    static ENUM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bEnum\.[a-z_]+[?!]?\(\s*(@?[a-z_]\w*)((?:\.[a-z_]\w*)*)\s*,\s*(?:&|fn\s+([a-z_]\w*)\s*->)")
            .expect("valid regex")
    });
    let mut out = Vec::new();
    for c in ENUM.captures_iter(code) {
        let (Some(all), Some(collection), Some(steps)) = (c.get(0), c.get(1), c.get(2)) else { continue };
        // The call's closing parenthesis.
        let mut depth = 1usize;
        let mut end = code.len();
        for (i, b) in code.bytes().enumerate().skip(all.start() + all.as_str().find('(').unwrap_or(0) + 1) {
            match b {
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let steps: Vec<&str> = steps.as_str().split('.').filter(|s| !s.is_empty()).collect();
        out.push((
            collection.as_str(),
            steps,
            c.get(3).map(|m| m.as_str()),
            collection.end(),
            end.max(collection.end()),
        ));
    }
    out
}

/// `&1.name` in a capture: (offset of the field, field).
fn captured_fields(code: &str) -> Vec<(usize, &str)> {
    static FIELD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"&1\.([a-z_]\w*)").expect("valid regex"));
    FIELD
        .captures_iter(code)
        .filter_map(|c| c.get(1))
        .filter(|m| !code[m.end()..].starts_with(['(', '.']))
        .map(|m| (m.start(), m.as_str()))
        .collect()
}

/// `<.table rows={@sources} …>` then `<:col :let={source} …>`: (row variable, collection) for
/// each slot's `:let` after the nearest `rows={…}` before it. A `:let` outside a slot tag (`<.form
/// :let={f}>`) is no row.
fn slot_rows(text: &str) -> Vec<(&str, &str)> {
    static ROWS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\brows=\{\s*(@?[a-z_]\w*)\s*\}").expect("valid regex"));
    static LET: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<:[a-z_]\w*[^<>]*?:let=\{([a-z_]\w*)\}").expect("valid regex"));
    let rows: Vec<(usize, &str)> =
        ROWS.captures_iter(text).filter_map(|c| c.get(1)).map(|m| (m.start(), m.as_str())).collect();
    let mut out = Vec::new();
    for c in LET.captures_iter(text) {
        let Some(var) = c.get(1) else { continue };
        if let Some((_, collection)) = rows.iter().rev().find(|(at, _)| *at < var.start()) {
            out.push((var.as_str(), *collection));
        }
    }
    out
}

/// `@user.email`, `t.order.notes` in template code: (offset of the chain, chain). Quoted text,
/// module names and calls with arguments are skipped.
fn dotted_chains(code: &str) -> Vec<(usize, &str)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    // Where the scan is: `None` a string's text, `Some(depth)` code at that brace depth inside
    // an interpolation (`class={"p-2 #{if opt.is_correct, do: "bg-green"}"}`: Elixir again).
    // A stack, not recursion: strings nest as deep as a file makes them.
    let mut nest: Vec<Option<usize>> = Vec::new();
    while i < bytes.len() {
        let b = bytes[i];
        match nest.last_mut() {
            Some(None) => {
                match b {
                    b'\\' => i += 1,
                    b'"' => {
                        nest.pop();
                    }
                    b'#' if bytes.get(i + 1) == Some(&b'{') => {
                        nest.push(Some(0));
                        i += 1;
                    }
                    _ => {}
                }
                i += 1;
                continue;
            }
            Some(Some(depth)) if matches!(b, b'{' | b'}') => {
                match (b, *depth) {
                    (b'{', _) => *depth += 1,
                    (_, 0) => {
                        nest.pop();
                    }
                    _ => *depth -= 1,
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        if b == b'"' {
            nest.push(None);
            i += 1;
            continue;
        }
        if b == b'\'' {
            i = memchr::memchr(b, &bytes[i + 1..]).map_or(bytes.len(), |p| i + p + 2);
            continue;
        }
        let starts = (b == b'@' || b.is_ascii_lowercase() || b == b'_')
            && (i == 0 || !(word(bytes[i - 1]) || matches!(bytes[i - 1], b'.' | b'@' | b':')));
        if !starts {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len()
            && (word(bytes[i])
                || (bytes[i] == b'.' && bytes.get(i + 1).is_some_and(|c| c.is_ascii_lowercase() || *c == b'_')))
        {
            i += 1;
        }
        let chain = &code[start..i];
        let called = bytes.get(i) == Some(&b'(');
        if chain.contains('.') && !called {
            out.push((start, chain));
        }
    }
    out
}

/// The form a template's fields belong to: `form_for(@changeset, …)`, `<.form for={@form} …>`,
/// or the first assign of the `for={…}` expression (`for={get_in(@car_settings, [@car, :changeset])}`);
/// never a comprehension's `:for={e <- @errors}` nor a label's `for={@id}`.
static FORM_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:form_for\(?\s*|<[\w.]*form\b[^>]*?[^:\w]for=\{[^}@]*)(@[a-z_]\w*)").expect("valid regex")
});

/// Variables holding a form: `form_for … fn f ->`, `inputs_for … fn fh ->`, `:let={f}`.
static FORM_VAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:form_for|inputs_for|\.form|\.inputs_for)\b[^\n]*?fn\s+([a-z_]\w*)\s*->|:let=\{([a-z_]\w*)\}")
        .expect("valid regex")
});

/// A call taking a form and a field (`text_input f, :email`, `label(f, :email)`,
/// `AdminHelpers.error_class(f, :email)`), or a form indexed by a field (`f[:email]`).
static FORM_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:[a-z_][\w.]*[?!]?\s*\(\s*|[a-z_][\w.]*[?!]?\s+)(@?[a-z_]\w*)\s*,\s*:([a-z_]\w*)|(@?[a-z_]\w*)\[:([a-z_]\w*)\]")
        .expect("valid regex")
});

/// The binding scope of a template, from its path: `…/templates/admin/person/_form.html.eex` →
/// `phoenix:view:admin/person`, `…/controllers/person_html/show.html.heex` →
/// `phoenix:view:person`, `…/live/dashboard/foo_live.html.heex` → `phoenix:view:dashboard/foo_live`
/// (the keys [`Walker::module_scope`] gives the controllers and live views that render them).
pub(super) fn template_scope(path: &str) -> Option<String> {
    let scope = if let Some((_, rest)) = path.split_once("/templates/") {
        rest.rsplit_once('/')?.0.to_owned()
    } else if let Some((_, rest)) = path.split_once("/live/") {
        rest.split_once('.')?.0.to_owned()
    } else if let Some((_, rest)) = path.split_once("/controllers/") {
        let dir = rest.rsplit_once('/')?.0;
        dir.strip_suffix("_html").unwrap_or(dir).to_owned()
    } else {
        return None;
    };
    Some(format!("phoenix:view:{scope}"))
}

/// Every binding scope a template's assigns may be bound in: [`template_scope`]'s; under
/// `live/`, the same with the folder's `Live` module segment (`AppWeb.Live.Devices.Index`
/// renders `live/devices/index.html.heex`); and its folder's [`embed_scope`], for the module
/// that embeds the folder's templates (`embed_templates("account_templates/*")`).
pub(super) fn template_scopes(path: &str) -> Vec<String> {
    let mut scopes: Vec<String> = template_scope(path).into_iter().collect();
    if let Some((_, rest)) = path.split_once("/live/")
        && let Some((stem, _)) = rest.split_once('.')
    {
        scopes.push(format!("phoenix:view:live/{stem}"));
    }
    if let Some((dir, _)) = path.rsplit_once('/') {
        scopes.push(embed_scope(dir));
    }
    scopes
}

/// The scope of the templates of one folder (`lib/app_web/live/account_templates`): a module
/// embedding them binds its assigns there too.
pub(super) fn embed_scope(dir: &str) -> String {
    format!("phoenix:embed:{dir}")
}

/// The schema a template's folder is named after (`templates/admin/person/` → `Person`), the
/// guess for its form when no controller says what the form is for.
pub(super) fn dir_model(path: &str) -> String {
    let Some(scope) = template_scope(path) else { return String::new() };
    let dir = scope.rsplit(['/', ':']).next().unwrap_or("");
    if dir.is_empty() || dir.ends_with("_live") { String::new() } else { inflect::camelize(&inflect::singularize(dir)) }
}

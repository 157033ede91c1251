//! Ecto queries: `from u in User`, query macros with binding lists, keyword filters,
//! `fragment` columns, and the `Repo` functions that take a queryable.

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::grammar::NodeExt;

impl Walker<'_> {
    /// One query macro with its binding list: binds the list positionally to `sources`.
    pub(super) fn query_stage(
        &mut self,
        node: Node<'_>,
        name: &str,
        args: &[Node<'_>],
        sources: &mut Vec<Option<Source>>,
    ) {
        // `dynamic([mi], fragment("date(?)", mi.uploaded_at))` in a module whose queries start
        // from one schema (`def new, do: MediaItem`): over that schema.
        let base = self.query_base().filter(|_| args.first().is_some_and(|a| a.kind_name() == "list"));
        let root = sources.first().cloned().flatten().or_else(|| base.clone());
        self.with_frame(|w| {
            let mut rest = args;
            if name == "join" {
                // `join(:inner, [u], o in Org, on: …)`: skip the qualifier.
                if let Some(first) = rest.first()
                    && first.kind_name() == "atom"
                {
                    rest = &rest[1..];
                }
            }
            // `select([:id, :email])` names fields, not bindings.
            if let Some(first) = rest.first()
                && first.kind_name() == "list"
                && !atom_list(*first)
            {
                let mut cursor = first.walk();
                let vars: Vec<Node<'_>> = first.named_children(&mut cursor).collect();
                for (i, var) in vars.iter().enumerate() {
                    if var.kind_name() != "identifier" {
                        continue;
                    }
                    let v = w.text(*var).to_owned();
                    match sources.get(i) {
                        Some(Some(source)) => w.bind(&v, source.clone()),
                        // `dynamic([s, mp], mp.name)`: the module's `from` that binds the same
                        // names at the same places (`from s in Source, inner_join: mp in …`).
                        _ if !sources.first().is_some_and(Option::is_some)
                            && let Some(source) = w.positional(i, &v) =>
                        {
                            w.bind_as(&v, source, Confidence::Medium);
                        }
                        // `dynamic([c], c.status == ^v)` or `where(query, [c], …)` on a query
                        // nothing types, inside a context module (`MyApp.Customers`): most
                        // likely a query over the context's schema.
                        Some(None) if i == 0 => {
                            if let Some(schema) = w.own_context_schema().or_else(|| base.clone()) {
                                w.bind_as(&v, schema, Confidence::Medium);
                            }
                        }
                        _ => {}
                    }
                }
                // Named bindings `[user: u]`: the binding is named after its schema by
                // convention (`as: :user`), so `user` → `User`, resolved through aliases.
                // A join of this module named `as: :settings` says what it is.
                for (name, var) in keyword_pairs(*first, w.src) {
                    if var.kind_name() == "identifier" && is_identifier(&name) {
                        let v = w.text(var).to_owned();
                        let named = w.modules.iter().rev().find_map(|m| m.named_joins.get(&name).cloned());
                        let source = named.unwrap_or_else(|| Source::Schema(w.resolve(&inflect::camelize(&name))));
                        w.bind(&v, source);
                    }
                }
                rest = &rest[1..];
            }
            if name == "join" {
                let joined = rest.first().and_then(|a| w.binding_in(*a));
                if let Some(first) = rest.first()
                    && joined.is_some()
                {
                    w.schema_use(*first);
                }
                if let Some((var, source)) = joined.clone() {
                    // `join(:left, [u], s in assoc(u, :settings), as: :settings)`: later queries
                    // of the module (`where([_u, settings: s], …)`) reach it by that name.
                    let named = rest
                        .iter()
                        .flat_map(|a| keyword_pairs(*a, w.src))
                        .find_map(|(k, v)| (k == "as").then(|| atom(v, w.src)).flatten());
                    if let Some((as_name, _)) = named
                        && let Some(module) = w.modules.last_mut()
                    {
                        module.named_joins.insert(as_name, source.clone());
                    }
                    w.bind(&var, source);
                }
                sources.push(joined.map(|(_, s)| s));
            }
            for arg in rest {
                if let Some(root) = &root {
                    if sources.first().is_some_and(Option::is_some) {
                        w.keyword_fields(name, *arg, root);
                        // `query |> from(select: [:tag], where: [tag: ^t])`: the keyword form.
                        if name == "from" {
                            for (key, value) in keyword_pairs(*arg, w.src) {
                                w.keyword_fields(&key, value, root);
                            }
                        }
                    }
                    w.fragments(*arg, root);
                }
                w.visit(*arg);
            }
        });
        let _ = node;
    }

    /// At the end of a function's body: a query over a schema it returns (`Group |> order_by(…)
    /// |> limit(^n)` ending in a query macro, or `from(g in Group, …)`), kept for the module's
    /// pipelines that start from a call of it.
    pub(super) fn record_returned_query(&mut self, head: Node<'_>, last: Node<'_>) {
        let target = match calls::head_call(head, self.src) {
            Some((call, _)) => call.field("target"),
            None => (head.kind_name() == "identifier").then_some(head),
        };
        let Some(name) = target.map(|t| self.text(t).to_owned()) else { return };
        // `def new, do: MediaItem`: the schema itself, the base of the module's queries.
        if last.kind_name() == "alias" {
            let source = Source::Schema(self.resolve(self.text(last)));
            let bare = calls::head_call(head, self.src).map_or(head.kind_name() == "identifier", |(_, a)| a.is_empty());
            if let Some(module) = self.modules.last_mut()
                && bare
            {
                if !module.bases.contains(&source) {
                    module.bases.push(source.clone());
                }
                module.query_fns.insert(name, source);
            }
            return;
        }
        let Some(source) = self.query_over(last) else { return };
        // `defp get_query("groups", …)`: the query of the clause that literal matches only.
        if let Some(literal) = self.dispatch_literal(head) {
            return self.record_dispatched_query(&name, literal, source);
        }
        if let Some(module) = self.modules.last_mut() {
            module.query_fns.insert(name, source);
        }
    }

    /// The source of a query an expression builds: `from(g in Group, …)`, or a pipeline ending
    /// in a query macro (`Group |> order_by(…) |> limit(^n)`) over a schema or what another
    /// module's function returns.
    pub(super) fn query_over(&self, node: Node<'_>) -> Option<Source> {
        let mut root = node;
        let mut final_stage = None;
        while root.kind_name() == "binary_operator"
            && root.field("operator").is_some_and(|o| self.text(o) == "|>")
            && let (Some(l), Some(r)) = (root.field("left"), root.field("right"))
        {
            final_stage.get_or_insert(r);
            root = l;
        }
        let is_query = match final_stage {
            Some(stage) => self.callee(stage).is_some_and(|(n, remote)| {
                QUERY_MACROS.contains(&n) && remote.is_none_or(|r| self.text(r) == "Ecto.Query")
            }),
            None => {
                self.callee(root).is_some_and(|(n, remote)| n == "from" && remote.is_none())
                    || self.unpiped_query_first(root).is_some()
            }
        };
        if !is_query {
            return None;
        }
        self.source_of(root).filter(|s| matches!(s, Source::Schema(_) | Source::Returned(_)))
    }

    /// The queryable of a query macro called with it first, not piped (`where(Image, [i], …)`,
    /// `order_by(query, desc: :id)`); never `from`, `dynamic`, nor a binding list or an atom first.
    pub(super) fn unpiped_query_first<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        if node.kind_name() != "call" || self.piped_args.contains_key(&node.id()) {
            return None;
        }
        let (name, remote) = self.callee(node)?;
        if !QUERY_MACROS.contains(&name)
            || matches!(name, "from" | "dynamic")
            || remote.is_some_and(|r| self.text(r) != "Ecto.Query")
        {
            return None;
        }
        let args = arguments(node);
        // (A pipe's stage has no queryable first: `|> join(:left, [p], …)` starts with its kind.)
        (args.len() >= 2).then(|| args[0]).filter(|first| matches!(first.kind_name(), "alias" | "identifier" | "call"))
    }

    /// The one schema the module's functions of no argument return bare (`def new, do:
    /// MediaItem`), in a module that declares none: its queries on nothing else are over it.
    fn query_base(&self) -> Option<Source> {
        let module = self.modules.last().filter(|m| m.schema.is_none())?;
        match module.bases.as_slice() {
            [base] => Some(base.clone()),
            _ => None,
        }
    }

    /// The source a module's `from`s bind at place `i` under the name `var`, when they agree.
    fn positional(&self, i: usize, var: &str) -> Option<Source> {
        let module = &self.modules.last()?.name;
        let mut found: Option<Source> = None;
        for (m, list) in self.positions.iter().chain(&self.previous_positions) {
            if m != module {
                continue;
            }
            match list.get(i) {
                Some((name, source)) if name == var => match &found {
                    Some(seen) if seen != source => return None,
                    _ => found = Some(source.clone()),
                },
                _ => {}
            }
        }
        found
    }

    /// `from u in User, join: o in Org, where: …`.
    pub(super) fn visit_from(&mut self, node: Node<'_>, args: &[Node<'_>]) {
        let cap = self.cap_by(args.first().copied());
        self.with_frame(|w| {
            let mut root = None;
            if let Some(first) = args.first() {
                w.schema_use(*first);
                if let Some((var, source)) = w.binding_in(*first) {
                    w.bind(&var, source.clone());
                    root = Some(source);
                } else {
                    root = w.source_of(*first);
                    w.visit(*first);
                }
            }
            let pairs: Vec<(String, Node<'_>)> =
                args.iter().skip(1).flat_map(|a| keyword_pairs(*a, self.src)).collect();
            // Joins bind before any clause uses them.
            let mut positions: Vec<(String, Source)> =
                args.first().and_then(|a| w.binding_in(*a)).into_iter().collect();
            for (key, value) in &pairs {
                if key.ends_with("join")
                    && let Some((var, source)) = w.binding_in(*value)
                {
                    w.schema_use(*value);
                    w.bind(&var, source.clone());
                    positions.push((var, source));
                }
            }
            if positions.len() > 1
                && let Some(module) = w.modules.last().map(|m| m.name.clone())
                && !w.positions.contains(&(module.clone(), positions.clone()))
            {
                w.positions.push((module, positions));
            }
            for (key, value) in &pairs {
                if let Some(root) = &root {
                    w.keyword_fields(key, *value, root);
                    w.fragments(*value, root);
                }
                w.visit(*value);
            }
        });
        self.cap = cap;
        let _ = node;
    }

    /// A schema used as a query source (`from u in User`, `Repo.all(User)`, `User |> where(…)`):
    /// a use of its table.
    pub(super) fn schema_use(&mut self, node: Node<'_>) {
        let node = if node.kind_name() == "binary_operator" {
            match node.field("right") {
                Some(right) => right,
                None => return,
            }
        } else {
            node
        };
        if node.kind_name() == "alias" {
            let model = self.resolve(self.text(node));
            self.hit_at(node.start_byte(), Target::Model { model }, RefKind::Query, Confidence::High);
        } else if let Some((table, offset)) = string(node, self.src)
            && !table.contains(char::is_whitespace)
        {
            // A schemaless query: `from u in "users"`.
            self.hit_at(offset, Target::Table { table }, RefKind::Query, Confidence::High);
        }
    }

    /// `u in User` → ("u", User); `u in "users"` → ("u", table users).
    pub(super) fn binding_in(&self, node: Node<'_>) -> Option<(String, Source)> {
        if node.kind_name() != "binary_operator" || node.field("operator").map(|o| self.text(o)) != Some("in") {
            return None;
        }
        let var = node.field("left").filter(|l| l.kind_name() == "identifier")?;
        let source = self.source_of(node.field("right")?)?;
        Some((self.text(var).to_owned(), source))
    }

    /// The query source an expression denotes: a schema alias, a table name string, `from(…)`.
    pub(super) fn source_of(&self, node: Node<'_>) -> Option<Source> {
        match node.kind_name() {
            "alias" => Some(Source::Schema(self.resolve(self.text(node)))),
            "string" => {
                string(node, self.src).filter(|(t, _)| !t.contains(char::is_whitespace)).map(|(t, _)| Source::Table(t))
            }
            "identifier" if self.text(node) == "__MODULE__" => self.current_schema(),
            // `def published(query \\ __MODULE__), do: from(q in query, …)` in the schema's module,
            // or in `MyApp.Scopes.Version` (medium, see `source_typed`).
            // `translations = from(t in Translation, …)`, later `from(translations, where: …)`.
            "identifier" if let Some(held) = self.lookup(&query_var(self.text(node))) => Some(held),
            "identifier" if matches!(self.text(node), "query" | "queryable") => {
                self.current_schema().or_else(|| self.scope_schema())
            }
            "call" => {
                let (name, remote) = self.callee(node)?;
                // `assoc(p, :security_advisories)` on a binding of a schema, `Ecto.assoc(user,
                // :tokens)` on a record.
                if name == "assoc"
                    && let Some(source) = self.assoc_source(node, remote)
                {
                    return Some(source);
                }
                if name == "from" && remote.is_none() {
                    let first = arguments(node).into_iter().next()?;
                    return self.binding_in(first).map(|(_, s)| s).or_else(|| self.source_of(first));
                }
                // `where(Image, [i], i.id in ^ids)`: the query over its first argument.
                if let Some(first) = self.unpiped_query_first(node) {
                    return self.source_of(first);
                }
                if remote.is_none() && !QUERY_MACROS.contains(&name) {
                    return self.modules.iter().rev().find_map(|m| m.query_fns.get(name).cloned());
                }
                // `MediaQuery.new() |> where(…)`: what that module's function returns, a query.
                let remote = remote.filter(|r| r.kind_name() == "alias")?;
                let module = self.resolve(self.text(remote));
                (!module.ends_with("Repo") && !module.starts_with("Ecto."))
                    .then(|| Source::Returned(format!("{module}.{name}")))
            }
            _ => None,
        }
    }

    /// `assoc(p, :x)` on a binding of a schema; `Ecto.assoc(user, :x)` also on a record a name
    /// types (`source_typed` says medium).
    fn assoc_source(&self, node: Node<'_>, remote: Option<Node<'_>>) -> Option<Source> {
        let ecto = remote.is_some_and(|r| self.text(r) == "Ecto");
        if remote.is_some() && !ecto {
            return None;
        }
        let [var, assoc, ..] = arguments(node)[..] else { return None };
        let (assoc, _) = atom(assoc, self.src)?;
        let model = match self.lookup(self.text(var)) {
            Some(Source::Schema(model)) if var.kind_name() == "identifier" => model,
            _ if ecto => match self.record(var)? {
                (Source::Schema(model), _) => model,
                _ => return None,
            },
            _ => return None,
        };
        Some(Source::Assoc { model, assoc })
    }

    /// The schema a query-composition module is named after: `MyApp.Scopes.Version`, whose
    /// functions take a `query` over `Version` (`def from_tag(query, tag)`). Medium.
    pub(super) fn scope_schema(&self) -> Option<Source> {
        let module = self.modules.last().filter(|m| m.schema.is_none())?;
        let mut segments = module.name.rsplit('.');
        let (own, parent) = (segments.next()?, segments.next()?);
        matches!(parent, "Scopes" | "Queries").then(|| Source::Schema(self.resolve(own)))
    }

    /// [`Walker::source_of`] and how sure it is: medium when a name only types it (a `Scopes`
    /// module's `query`, `Ecto.assoc` on a parameter named after a schema, a variable holding
    /// such a query).
    pub(super) fn source_typed(&self, node: Node<'_>) -> Option<(Source, Confidence)> {
        let source = self.source_of(node)?;
        let confidence = match node.kind_name() {
            "identifier" if let Some((_, held)) = self.lookup_typed(&query_var(self.text(node))) => held,
            "identifier" if matches!(self.text(node), "query" | "queryable") && self.current_schema().is_none() => {
                Confidence::Medium
            }
            "call" => match self.callee(node) {
                Some(("assoc", Some(_))) => {
                    arguments(node).first().and_then(|v| self.record(*v)).map_or(Confidence::Medium, |(_, c)| c).min(
                        match arguments(node).first().map(|v| self.lookup(self.text(*v))) {
                            Some(Some(_)) => Confidence::High,
                            _ => Confidence::Medium,
                        },
                    )
                }
                _ if let Some(first) = self.unpiped_query_first(node) => {
                    self.source_typed(first).map_or(Confidence::High, |(_, c)| c)
                }
                Some(("from", None)) => {
                    let first = arguments(node).into_iter().next()?;
                    let inner = match self.binding_in(first) {
                        Some(_) => first.field("right")?,
                        None => first,
                    };
                    self.source_typed(inner).map_or(Confidence::High, |(_, c)| c)
                }
                _ => Confidence::High,
            },
            _ => Confidence::High,
        };
        Some((source, confidence))
    }

    /// The cap a query's source puts on its hits (see [`Walker::cap`]), to restore after.
    pub(super) fn cap_by(&mut self, node: Option<Node<'_>>) -> Option<Confidence> {
        let before = self.cap;
        let inner = node.map(|n| match self.binding_in(n) {
            Some(_) => n.field("right").unwrap_or(n),
            None => n,
        });
        if let Some((_, confidence)) = inner.and_then(|n| self.source_typed(n))
            && confidence < Confidence::High
        {
            self.cap = Some(confidence.min(self.cap.unwrap_or(Confidence::High)));
        }
        before
    }

    /// A variable assigned a query (`q = from(t in Translation, …)`, `q = Translation |>
    /// where(…)`): bound under its [`query_var`] name, for `from(q, …)` and `Repo.update_all(q, …)`.
    pub(super) fn bind_query_var(&mut self, var: Node<'_>, value: Node<'_>) {
        if var.kind_name() != "identifier" {
            return;
        }
        let head = match value.kind_name() {
            "call" if matches!(self.callee(value), Some(("from", None))) => value,
            // `q = where(Image, id: ^id)`: a query macro over its first argument, unpiped.
            "call" if self.unpiped_query_first(value).is_some() => value,
            "binary_operator" if value.field("operator").is_some_and(|o| self.text(o) == "|>") => {
                let mut root = value;
                let last = value.field("right");
                let queried = last.and_then(|l| self.callee(l)).is_some_and(|(n, remote)| {
                    QUERY_MACROS.contains(&n) && remote.is_none_or(|r| self.text(r) == "Ecto.Query")
                });
                if !queried {
                    return;
                }
                while root.kind_name() == "binary_operator"
                    && root.field("operator").is_some_and(|o| self.text(o) == "|>")
                    && let Some(l) = root.field("left")
                {
                    root = l;
                }
                root
            }
            _ => return,
        };
        if let Some((source, confidence)) = self.source_typed(head) {
            let name = query_var(self.text(var));
            self.bind_as(&name, source, confidence);
        }
    }

    /// `where: [email: ^e]`, `select: [:id, :email]`, `update: [set: [name: ^n]]` on the root.
    pub(super) fn keyword_fields(&mut self, clause: &str, value: Node<'_>, root: &Source) {
        match clause {
            "where" | "or_where" | "having" => {
                for (key, offset) in keyword_keys(value, self.src) {
                    self.field_hit(offset, root, &key, RefKind::Query, Confidence::High);
                }
            }
            // `order_by(desc: :last_seen_at)` in a pipeline: a keyword list without brackets.
            "select" | "order_by" | "group_by" | "distinct" if matches!(value.kind_name(), "list" | "keywords") => {
                for (field, offset) in atoms_in(value, self.src) {
                    self.field_hit(offset, root, &field, RefKind::Query, Confidence::High);
                }
                for (key, v) in keyword_pairs(value, self.src) {
                    // `order_by: [desc: :inserted_at]`
                    if let Some((field, offset)) = atom(v, self.src) {
                        let _ = key;
                        self.field_hit(offset, root, &field, RefKind::Query, Confidence::High);
                    }
                }
            }
            // `select(^select_fields())`: the list the module's function returns.
            "select" if value.kind_name() == "unary_operator" && self.text(value).starts_with('^') => {
                for (field, offset) in self.pinned_list(value) {
                    self.field_hit(offset, root, &field, RefKind::Query, Confidence::High);
                }
            }
            "update" => {
                for (_, inner) in keyword_pairs(value, self.src) {
                    for (key, offset) in keyword_keys(inner, self.src) {
                        self.field_hit(offset, root, &key, RefKind::Query, Confidence::High);
                    }
                }
            }
            _ => {}
        }
    }

    /// Bare column names in `fragment("lower(email) = ?", …)` inside a query on `root`.
    pub(super) fn fragments(&mut self, node: Node<'_>, root: &Source) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.kind_name() == "call"
                && let Some(("fragment", None)) = self.callee(n)
                && let Some(first) = arguments(n).first()
                && let Some((text, origin)) = string(*first, self.src)
                && !is_statement(&text)
            {
                for (offset, table, column) in fragment_identifiers(&text) {
                    let target = match (table, root) {
                        (Some(table), _) => Target::Column { table: table.to_owned(), column: column.to_owned() },
                        (None, Source::Schema(m)) => {
                            Target::ModelColumn { model: m.clone(), column: column.to_owned() }
                        }
                        (None, Source::Table(t)) => Target::Column { table: t.clone(), column: column.to_owned() },
                        (None, Source::Assoc { model, assoc }) => Target::Chain {
                            root: Root::Model { model: model.clone() },
                            path: vec![assoc.clone()],
                            attribute: Some(column.to_owned()),
                        },
                        (None, Source::Returned(function)) => Target::Chain {
                            root: super::templates::returned(function.clone()),
                            path: Vec::new(),
                            attribute: Some(column.to_owned()),
                        },
                    };
                    self.hit_at(origin + offset, target, RefKind::Sql, Confidence::Medium);
                }
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
    }

    /// `Repo.get_by(User, email: e)`, `Repo.update_all(User, set: […])`, `Repo.insert_all(User,
    /// [%{email: e}])`, `Repo.aggregate(User, :count, :id)`.
    pub(super) fn repo_call(&mut self, name: &str, args: &[Node<'_>]) {
        // Only the Repo functions whose first argument is a queryable (not `query/3`'s SQL).
        let queryable = matches!(
            name,
            "all"
                | "one"
                | "one!"
                | "get"
                | "get!"
                | "get_by"
                | "get_by!"
                // The `{:ok, x}` finders apps add to their Repo (`Repo.fetch_by(Group, %{…})`).
                | "fetch"
                | "fetch_by"
                | "insert_all"
                | "update_all"
                | "delete_all"
                | "aggregate"
                | "exists?"
                | "stream"
                | "reload"
                | "preload"
        );
        if !queryable {
            return;
        }
        let Some(first) = args.first() else { return };
        let Some(source) = self.source_of(*first) else { return };
        self.schema_use(*first);
        let cap = self.cap_by(Some(*first));
        self.repo_keywords(name, &args[1..], &source);
        self.cap = cap;
    }

    /// The rows handed to `insert_all`: a list's items, or what `Enum.map(…, fn … -> %{…} end)`
    /// and `for … do %{…} end` produce (their body's last expression).
    fn rows_of<'t>(&self, node: Node<'t>) -> Vec<Node<'t>> {
        let last_of = |body: Node<'t>| {
            let mut cursor = body.walk();
            body.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").last()
        };
        match node.kind_name() {
            "list" => {
                let mut cursor = node.walk();
                node.named_children(&mut cursor).collect()
            }
            "call" => match self.callee(node) {
                Some((_, Some(remote))) if matches!(self.text(remote), "Enum" | "Stream") => {
                    let mut out = Vec::new();
                    for f in arguments(node).into_iter().filter(|a| a.kind_name() == "anonymous_function") {
                        let mut cursor = f.walk();
                        let clauses: Vec<Node<'t>> = f.named_children(&mut cursor).collect();
                        out.extend(clauses.into_iter().filter_map(|c| c.field("right")).filter_map(last_of));
                    }
                    out
                }
                Some(("for", None)) => do_block(node).and_then(last_of).into_iter().collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    pub(super) fn repo_keywords(&mut self, name: &str, args: &[Node<'_>], source: &Source) {
        match name {
            "get_by" | "get_by!" | "fetch_by" | "exists?" => {
                // Keywords or a map: `get_by(User, email: e)`, `fetch_by(Group, %{label: l})`.
                for arg in args {
                    let keys =
                        if arg.kind_name() == "map" { map_keys(*arg, self.src) } else { keyword_keys(*arg, self.src) };
                    for (key, offset) in keys {
                        self.field_hit(offset, source, &key, RefKind::Query, Confidence::High);
                    }
                }
            }
            "update_all" => {
                for arg in args {
                    for (_, inner) in keyword_pairs(*arg, self.src) {
                        for (key, offset) in keyword_keys(inner, self.src) {
                            self.field_hit(offset, source, &key, RefKind::Query, Confidence::High);
                        }
                    }
                }
            }
            "insert_all" => {
                // Rows built elsewhere in the function: `Repo.insert_all(Contact, entries)`.
                let built = args
                    .first()
                    .filter(|a| matches!(a.kind_name(), "identifier" | "call" | "binary_operator"))
                    .map(|a| self.merged_keys(*a))
                    .unwrap_or_default();
                for (key, offset) in built {
                    self.field_hit(offset, source, &key, RefKind::Query, Confidence::Medium);
                }
                if let Some(rows) = args.first().map(|a| self.rows_of(*a)) {
                    for row in rows {
                        let keys = if row.kind_name() == "map" {
                            let mut c = row.walk();
                            let contents: Vec<Node<'_>> =
                                row.named_children(&mut c).filter(|n| n.kind_name() == "map_content").collect();
                            contents
                                .iter()
                                .flat_map(|m| {
                                    let mut c = m.walk();
                                    m.named_children(&mut c).flat_map(|i| keyword_keys(i, self.src)).collect::<Vec<_>>()
                                })
                                .collect()
                        } else {
                            keyword_keys(row, self.src)
                        };
                        for (key, offset) in keys {
                            self.field_hit(offset, source, &key, RefKind::Query, Confidence::High);
                        }
                    }
                }
            }
            "aggregate" => {
                if let Some((field, offset)) = args.get(1).and_then(|a| atom(*a, self.src)) {
                    self.field_hit(offset, source, &field, RefKind::Query, Confidence::High);
                }
            }
            _ => {}
        }
    }
}

/// `[:id, :email]`: a list of atoms (fields), never a binding list (`[u]`, `[u, org: o]`).
pub(super) fn atom_list(list: Node<'_>) -> bool {
    let mut cursor = list.walk();
    let items: Vec<Node<'_>> = list.named_children(&mut cursor).collect();
    !items.is_empty() && items.iter().all(|i| matches!(i.kind_name(), "atom" | "quoted_atom"))
}

/// The frame key of a variable holding a query (apart from the records a frame binds).
pub(super) fn query_var(name: &str) -> String {
    format!("?{name}")
}

//! Ecto (Phoenix): schemas, their fields, and the places code uses them. The walker is here;
//! the schema side, the templates and the queries each have their file.
//!
//! One file at a time, through tree-sitter-elixir:
//! * `schema "users" do … end` makes the module a [`ModelDecl`] with its table; the table, the
//!   primary key (`id` unless `@primary_key` says otherwise) and every persisted field are
//!   `declaration` hits: `field` (by its `source:` name; `virtual: true` fields are not
//!   columns), `belongs_to` (`x_id`, `foreign_key:`, unless `define_field: false`),
//!   `timestamps()` (with its options and `@timestamps_opts`), `embeds_one`/`embeds_many` (the
//!   embed's column on this table), `many_to_many` join tables, and `has_many`/`has_one`
//!   foreign keys on the associated schema. An `embedded_schema` maps no table.
//! * `query` hits for fields named against a known schema: `u.email` where `u` is bound by
//!   `from u in User`, by a join, or by a binding list in a pipeline rooted at a schema;
//!   keyword filters (`where: [email: ^e]`, `Repo.get_by(User, email: e)`); struct literals
//!   (`%User{email: e}`); changeset functions (`cast`, `validate_*`, `*_constraint`,
//!   `put_change`, `get_field` …) in the schema's own module or on a `%User{}` pipeline,
//!   module attributes such as `@required ~w(email name)a` included.
//! * `sql` hits for bare column names in `fragment("lower(email)")` within a query.
//!   Whole SQL statements (`Repo.query("SELECT …")`) are left to the SQL extractor.
//!
//! Module names are resolved through `alias` (with `as:` and `{A, B}` groups) and
//! `__MODULE__`, so hits name schemas fully qualified whenever the file makes that possible.

use crate::grammar::NodeExt;
use std::collections::HashMap;

use tree_sitter::Node;

mod absinthe;
mod calls;
mod changes;
mod dispatch;
mod flow;
mod getters;
mod lists;
mod params;
mod query;
mod rows;
mod schema;
mod templates;

use templates::{dir_model, embed_scope, template_scopes};

use crate::config::{Confidence, Framework};
use crate::scan::extract::rails::{fragment_identifiers, is_identifier, is_statement};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{Association, Binding, FileFacts, Hit, ModelDecl, Root, Target};
use crate::scan::inflect;
use crate::scan::reference::RefKind;

#[derive(Default)]
pub struct EctoExtractor;

impl Extractor for EctoExtractor {
    fn id(&self) -> &'static str {
        "ecto"
    }

    fn version(&self) -> u32 {
        23
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Phoenix
            && [".ex", ".exs", ".heex", ".eex", ".leex", ".slime"].iter().any(|ext| path.ends_with(ext))
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let (path, source) = (file.path, file.text);
        if path.ends_with(".ex") || path.ends_with(".exs") {
            return extract_at(path, source);
        }
        let mut walker = Walker::new(source, path);
        walker.template_scopes = template_scopes(path);
        if path.ends_with(".slime") {
            walker.slime_template(source, &dir_model(path));
        } else {
            walker.template(source, 0, path.ends_with(".heex"), &dir_model(path));
        }
        let mut facts = walker.facts;
        facts.hits.sort_by(|a, b| (a.line, a.column, &a.target, a.kind).cmp(&(b.line, b.column, &b.target, b.kind)));
        facts
            .hits
            .dedup_by(|a, b| a.line == b.line && a.column == b.column && a.target == b.target && a.kind == b.kind);
        facts
    }
}

/// Extract the facts of one Elixir file.
pub fn extract(source: &str) -> FileFacts {
    extract_at("", source)
}

/// Extract the facts of the Elixir file at `path` (its folder locates the templates a module
/// embeds).
pub fn extract_at(path: &str, source: &str) -> FileFacts {
    let tree = match crate::grammar::parse_as(source, &tree_sitter_elixir::LANGUAGE.into()) {
        Ok(tree) => tree,
        Err(gave_up) => return FileFacts::unreadable(gave_up),
    };
    let mut facts = calls::walk(source, path, tree.root_node());
    facts.hits.sort_by(|a, b| (a.line, a.column, &a.target, a.kind).cmp(&(b.line, b.column, &b.target, b.kind)));
    facts.hits.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.target == b.target && a.kind == b.kind);
    facts
}

/// What a query binding stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Schema(String),
    /// A schemaless query over a table: `from u in "users"`.
    Table(String),
    /// The records of a schema's association: `join: a in assoc(p, :security_advisories)`.
    Assoc {
        model: String,
        assoc: String,
    },
    /// What a function of another module returns, as that module binds it (`phoenix:returns`):
    /// `MediaQuery.new() |> where(…)` where `def new, do: MediaItem`. Its fields are medium.
    Returned(String),
}

#[derive(Default)]
struct Module {
    name: String,
    aliases: HashMap<String, String>,
    /// Module attributes holding atom lists: `@required ~w(email name)a`.
    atom_lists: HashMap<String, Vec<(String, usize)>>,
    /// `@primary_key`: `None` = Ecto's default `id`; `Some(None)` = `false`.
    primary_key: Option<Option<(String, usize)>>,
    /// `@schema_prefix "billing"`: the schema's table lives in that database schema.
    schema_prefix: Option<String>,
    /// `@timestamps_opts` keywords.
    timestamps_opts: Vec<(String, Option<String>)>,
    /// The schema this module declares: (index into models, table, field → source column).
    schema: Option<(usize, String, HashMap<String, String>)>,
    /// Variables holding atom lists: `allowed = ~w(email name)a`, later `cast(attrs, allowed)`.
    local_lists: HashMap<String, Vec<(String, usize)>>,
    /// The binding scopes of the templates `embed_templates("x/*")` makes this module's.
    embeds: Vec<String>,
    /// Joins named `as: :name` in the module's queries, for named bindings elsewhere in it.
    named_joins: HashMap<String, Source>,
    /// The module's functions (defined above their use) that return a query over a schema:
    /// `defp groups_query(opts), do: Group |> order_by(…) |> limit(^n)`, for the pipelines a
    /// call of theirs heads (`groups_query(opts) |> where([g], …)`).
    query_fns: HashMap<String, Source>,
    /// The schemas the module's functions of no argument return bare (`def new, do: MediaItem`
    /// in a query module): with one, the module's queries on nothing else are over it.
    bases: Vec<Source>,
    /// Modules the module `use`s, by last segment: `use App.Media.MediaQuery` whose `__using__`
    /// aliases itself (`alias unquote(__MODULE__)`) lets the module write `MediaQuery`.
    uses: HashMap<String, String>,
    /// The module declares a plain struct (`defstruct`, no schema): a map of its own, whose
    /// keys another module may write (`Map.from_struct(Media.response_to_struct(r))`).
    plain_struct: bool,
    /// `defimpl Proto, for: Schema`: the schema whose records the module's `def`s take first.
    impl_for: Option<String>,
}

struct Walker<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
    facts: FileFacts,
    modules: Vec<Module>,
    /// Query bindings and struct-typed variables, innermost frame last.
    /// A binding typed by a pattern, a query or a Repo call is high; one typed by a name (a
    /// list's element, a context module's result) is medium.
    frames: Vec<HashMap<String, (Source, Confidence)>>,
    /// Variables holding a map literal, by frame: `params = %{summary: s}` handed later to
    /// `Advisory.changeset(params)` (its keys are then the schema's fields).
    maps: Vec<HashMap<String, Vec<(String, usize)>>>,
    /// Variables holding what a library's function returned (`uri = URI.parse(url)`), by frame:
    /// its own struct or a plain value, never a record.
    library_values: Vec<std::collections::HashSet<String>>,
    /// The folder of the file walked (`lib/app_web/live`), where embedded templates are found.
    dir: &'a str,
    /// The binding scopes of the template this file is, or of its `~H` (see [`template_scopes`]).
    template_scopes: Vec<String>,
    /// Variables whose value a changeset or another file's function types (`changeset =
    /// Team.changeset(…)`, `tokens = Accounts.list_tokens(user)`): what an assign of theirs holds.
    roots: Vec<HashMap<String, Root>>,
    /// What this walk sees of the calls of the module's private functions.
    call_sites: calls::CallSites,
    /// What the previous walk's calls typed the private functions' parameters as.
    caller_types: HashMap<calls::FnKey, Vec<Option<Source>>>,
    /// The parameters the previous walk's calls hand a map holding records (see
    /// [`calls::CallSites::plain_maps`]).
    caller_plain: std::collections::HashSet<(calls::FnKey, usize)>,
    /// Map patterns of this walk's function heads that such a call matches (`node.id()`).
    plain_heads: std::collections::HashSet<usize>,
    /// Function heads already read as definitions, never as calls (`node.id()`).
    heads: std::collections::HashSet<usize>,
    /// The value piped into each call that is a pipe's stage (`x |> Mod.f(a)`), by the call's
    /// `node.id()`, as the pipe's walk read it: the call's own visit cannot ask for its parent
    /// (`Node::parent` searches down from the root: a nest of calls would cost its square).
    piped_args: HashMap<usize, flow::Arg>,
    /// The map keys this walk has seen the module's functions return.
    returns: params::Returns,
    /// What the previous walk saw them return (a function defined below its caller).
    previous_returns: params::Returns,
    /// The module's functions that return the map one of their parameters holds, changed
    /// (`defp fix_attrs(attrs), do: attrs |> Map.put(:name, n)`): which parameter.
    passes: params::Passes,
    /// What the previous walk saw of them.
    previous_passes: params::Passes,
    /// The module's functions returning a list of atoms (`defp select_fields, do: [:id, :title]`),
    /// for a query's `select(^select_fields())`.
    lists: params::Returns,
    /// What the previous walk saw of them (a function defined below its caller).
    previous_lists: params::Returns,
    /// The module's functions whose value is a record (`defp lock!(id), do: from(r in Run, …)
    /// |> Repo.one!()`): `None` where two clauses disagree.
    record_fns: calls::RecordFns,
    /// What the previous walk saw of them (a function defined below its caller).
    previous_record_fns: calls::RecordFns,
    /// The module functions defined with `def` (by module and name), whose results other
    /// modules may write.
    public: std::collections::HashSet<(String, String)>,
    /// The positional bindings of each `from` of a module, in order (`from s in Source,
    /// inner_join: mp in assoc(s, :media_profile)` → `[s, mp]`), for its `dynamic([s, mp], …)`.
    positions: Vec<(String, Vec<(String, Source)>)>,
    /// Where each parameter's map goes (`flow.rs`), and what each parameter keys.
    param_edges: Vec<(String, flow::Sink)>,
    keyed_edges: Vec<(String, flow::Sink)>,
    /// What the previous walk saw of them (a query defined below the fragments that use it).
    previous_positions: Vec<(String, Vec<(String, Source)>)>,
    /// The `arg`s and `object`s of the file, once an Absinthe input asks for them.
    absinthe: Option<absinthe::Args>,
    /// The queries and rows of functions dispatched on a literal this walk has seen.
    dispatch: dispatch::Dispatch,
    /// What the previous walk saw of them (a function defined below its caller).
    previous_dispatch: dispatch::Dispatch,
    /// `record`, `untyped_record` and `merged_keys` of the nodes of one chain, kept while it is read.
    chain_memo: std::cell::RefCell<ChainMemo>,
    /// The most a hit may be while a query typed by a name only is read (`from(query, where: …)`
    /// in a `Scopes.Version` module, `Ecto.assoc(user, :tokens)` on a parameter named `user`).
    cap: Option<Confidence>,
    /// Per `Enum`/`Stream` call being walked: whether its collection is known to hold no records
    /// (`Enum.map(info.columns, & &1.type)`), so that its capture's `&1` is none either.
    opaque_captures: Vec<bool>,
    /// The first parameters of the file's `Multi.run` callbacks (`fn repo, changes -> …`): each
    /// is the Repo there, as `Repo` is.
    repo_params: std::collections::HashSet<String>,
}

/// What the walker asks of every level of a chain — the record under `a.b.c…` (`visit_call`), the
/// keys a pipe `x |> f() |> …` carries (`visit_binary`) —, each answer walking down the rest of
/// the chain: asked of each level, the chain cost its length squared (cubed for `untyped_record`,
/// which asks `record` of each level below). The answers depend on the bindings, which do not
/// change while one chain is read (only hits are added), so they are kept by node from the
/// chain's top down, `on` only while the chain is read, and forgotten at the next chain.
#[derive(Default)]
struct ChainMemo {
    on: bool,
    /// The node of the level read next, when it continues the chain being read.
    next: Option<usize>,
    records: HashMap<usize, Option<(Source, Confidence)>>,
    untyped: HashMap<usize, bool>,
    keys: HashMap<usize, Vec<(String, usize)>>,
}

impl ChainMemo {
    /// The chain's memo from now on: this chain's if `node` continues it, else an empty one.
    fn enter(&mut self, node: Node<'_>, continuing: bool) {
        if !continuing {
            self.records.clear();
            self.untyped.clear();
            self.keys.clear();
        }
        self.next = Some(node.id());
        self.on = true;
    }
}

const QUERY_MACROS: &[&str] = &[
    "dynamic",
    "where",
    "or_where",
    "select",
    "select_merge",
    "order_by",
    "group_by",
    "having",
    "or_having",
    "join",
    "distinct",
    "update",
    "preload",
    "windows",
    "lock",
    "limit",
    "offset",
    "with_cte",
    "from",
];

/// Changeset functions whose field arguments are the first positional atom or atom list.
const CHANGESET_FIRST: &[&str] = &[
    "validate_required",
    "validate_length",
    "validate_format",
    "validate_inclusion",
    "validate_exclusion",
    "validate_number",
    "validate_confirmation",
    "validate_acceptance",
    "validate_change",
    "validate_subset",
    "unique_constraint",
    "unsafe_validate_unique",
    "foreign_key_constraint",
    "check_constraint",
    "exclusion_constraint",
    "put_change",
    "force_change",
    "get_field",
    "get_change",
    "fetch_field",
    "fetch_field!",
    "fetch_change",
    "fetch_change!",
    "delete_change",
    "update_change",
    "cast_embed",
    "optimistic_lock",
    "validate_url",
    "validate_email",
    "put_embed",
    "add_error",
];

impl<'a> Walker<'a> {
    fn new(src: &'a str, path: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        Walker {
            src,
            line_starts,
            facts: FileFacts::default(),
            modules: Vec::new(),
            frames: vec![HashMap::new()],
            maps: vec![HashMap::new()],
            library_values: vec![std::collections::HashSet::new()],
            dir: path.rsplit_once('/').map_or("", |(d, _)| d),
            template_scopes: Vec::new(),
            roots: vec![HashMap::new()],
            call_sites: calls::CallSites::default(),
            caller_types: HashMap::new(),
            caller_plain: std::collections::HashSet::new(),
            plain_heads: std::collections::HashSet::new(),
            heads: std::collections::HashSet::new(),
            piped_args: HashMap::new(),
            returns: params::Returns::new(),
            previous_returns: params::Returns::new(),
            passes: params::Passes::new(),
            previous_passes: params::Passes::new(),
            lists: params::Returns::new(),
            previous_lists: params::Returns::new(),
            record_fns: calls::RecordFns::new(),
            previous_record_fns: calls::RecordFns::new(),
            public: std::collections::HashSet::new(),
            repo_params: std::collections::HashSet::new(),
            positions: Vec::new(),
            param_edges: Vec::new(),
            keyed_edges: Vec::new(),
            previous_positions: Vec::new(),
            absinthe: None,
            dispatch: dispatch::Dispatch::default(),
            previous_dispatch: dispatch::Dispatch::default(),
            chain_memo: Default::default(),
            cap: None,
            opaque_captures: Vec::new(),
        }
    }

    fn text(&self, node: Node<'_>) -> &'a str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    fn hit_at(&mut self, offset: usize, target: Target, kind: RefKind, confidence: Confidence) {
        let confidence = self.cap.map_or(confidence, |cap| confidence.min(cap));
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.src.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        let end = self.line_starts.get(line).map_or(self.src.len(), |e| e.saturating_sub(1));
        let snippet = crate::scan::extract::name::snippet_of(self.src.get(start..end).unwrap_or(""), offset - start);
        self.facts.hits.push(Hit { line: line as u32, column: column as u32, target, kind, confidence, snippet });
    }

    fn field_hit(&mut self, offset: usize, source: &Source, field: &str, kind: RefKind, confidence: Confidence) {
        if !is_identifier(field) {
            return;
        }
        let target = match source {
            Source::Table(table) => Target::Column { table: table.clone(), column: field.to_owned() },
            Source::Assoc { model, assoc } => Target::Chain {
                root: Root::Model { model: model.clone() },
                path: vec![assoc.clone()],
                attribute: Some(field.to_owned()),
            },
            Source::Returned(function) => {
                let target = Target::Chain {
                    root: templates::returned(function.clone()),
                    path: Vec::new(),
                    attribute: Some(field.to_owned()),
                };
                return self.hit_at(offset, target, kind, confidence.min(Confidence::Medium));
            }
            Source::Schema(module) => {
                // A field of this file's own schema is known by its source column.
                let own = self.modules.iter().rev().find_map(|m| match &m.schema {
                    Some((_, _, sources)) if &m.name == module => Some(sources),
                    _ => None,
                });
                let column = own.and_then(|s| s.get(field)).cloned().unwrap_or_else(|| field.to_owned());
                if column.is_empty() {
                    return;
                }
                Target::ModelColumn { model: module.clone(), column }
            }
        };
        self.hit_at(offset, target, kind, confidence);
    }

    /// The schema of the context module walked (`MyApp.Customers`, which declares none itself).
    fn own_context_schema(&self) -> Option<Source> {
        let module = self.modules.last().filter(|m| m.schema.is_none())?;
        self.aliased(context_schema_of(&module.name)?)
    }

    /// A context's schema as the file aliases it (`alias Shop.Sales.Order` in `Shop.Orders`),
    /// else as the context's name lays it out.
    fn aliased(&self, schema: Source) -> Option<Source> {
        let Source::Schema(full) = &schema else { return Some(schema) };
        let last = full.rsplit('.').next().unwrap_or(full);
        let resolved = self.resolve(last);
        Some(if resolved == last { schema } else { Source::Schema(resolved) })
    }

    fn current_schema(&self) -> Option<Source> {
        let module = self.modules.last()?;
        module.schema.as_ref().map(|_| Source::Schema(module.name.clone()))
    }

    /// A module name as written, resolved through the enclosing modules' aliases.
    fn resolve(&self, written: &str) -> String {
        let written = written.trim();
        if written == "__MODULE__" {
            return self.modules.last().map_or_else(String::new, |m| m.name.clone());
        }
        if let Some(rest) = written.strip_prefix("__MODULE__.") {
            return match self.modules.last() {
                Some(m) => format!("{}.{rest}", m.name),
                None => rest.to_owned(),
            };
        }
        let (head, rest) = written.split_once('.').map_or((written, None), |(h, r)| (h, Some(r)));
        for module in self.modules.iter().rev() {
            if let Some(full) = module.aliases.get(head) {
                return match rest {
                    Some(rest) => format!("{full}.{rest}"),
                    None => full.clone(),
                };
            }
        }
        // A name no alias gives, the last segment of a module `use`d (whose `__using__` aliases it).
        if let Some(full) = self.modules.iter().rev().find_map(|m| m.uses.get(head)) {
            return match rest {
                Some(rest) => format!("{full}.{rest}"),
                None => full.clone(),
            };
        }
        written.to_owned()
    }

    fn lookup(&self, var: &str) -> Option<Source> {
        self.lookup_typed(var).map(|(s, _)| s)
    }

    fn lookup_typed(&self, var: &str) -> Option<(Source, Confidence)> {
        self.frames.iter().rev().find_map(|f| f.get(var).cloned())
    }

    fn bind(&mut self, var: &str, source: Source) {
        self.bind_as(var, source, Confidence::High);
    }

    fn bind_as(&mut self, var: &str, source: Source, confidence: Confidence) {
        if var.starts_with('_') {
            return;
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(var.to_owned(), (source, confidence));
        }
        if let Some(frame) = self.library_values.last_mut() {
            frame.remove(var);
        }
    }

    /// Whether `var` holds what a library's function returned (see [`LIBRARY_VALUES`]).
    fn library_value(&self, var: &str) -> bool {
        self.library_values.iter().rev().any(|f| f.contains(var))
    }

    /// `uri = URI.parse(url)`, `now = url |> URI.parse()`: remembers (or, bound to anything
    /// else, forgets) that the variable holds a library's value.
    fn bind_library_value(&mut self, var: Node<'_>, value: Node<'_>) {
        if var.kind_name() != "identifier" {
            return;
        }
        let call = match value.kind_name() {
            "binary_operator" if value.field("operator").is_some_and(|o| self.text(o) == "|>") => value.field("right"),
            _ => Some(value),
        };
        let library =
            call.filter(|c| c.kind_name() == "call").and_then(|c| self.callee(c)).is_some_and(|(_, remote)| {
                remote.is_some_and(|r| r.kind_name() == "alias" && LIBRARY_VALUES.contains(&self.text(r)))
            });
        let name = self.text(var).to_owned();
        if library {
            if let Some(frame) = self.frames.last_mut() {
                frame.remove(&name);
            }
            if let Some(frame) = self.library_values.last_mut() {
                frame.insert(name);
            }
        } else if let Some(frame) = self.library_values.last_mut() {
            frame.remove(&name);
        }
    }

    fn with_frame(&mut self, f: impl FnOnce(&mut Self)) {
        self.frames.push(HashMap::new());
        self.maps.push(HashMap::new());
        self.library_values.push(std::collections::HashSet::new());
        self.roots.push(HashMap::new());
        f(self);
        self.roots.pop();
        self.library_values.pop();
        self.maps.pop();
        self.frames.pop();
    }

    fn local_map(&self, var: &str) -> Option<&Vec<(String, usize)>> {
        self.maps.iter().rev().find_map(|f| f.get(var))
    }

    // Nesting is as deep as the file makes it: the stack grows on the heap instead of
    // overflowing (a fuzzed file of 10 KB nested 3,000 calls deep).
    #[recursive::recursive]
    fn visit(&mut self, node: Node<'_>) {
        match node.kind_name() {
            "comment" => {}
            "call" => self.visit_call(node),
            "stab_clause" => self.visit_stab_clause(node),
            "unary_operator" => self.visit_attribute(node),
            "binary_operator" => self.visit_binary(node),
            "map" => {
                self.struct_literal(node);
                self.map_update(node);
                self.table_column_lists(node);
                self.visit_children(node);
            }
            "sigil" => {
                // `~H"""…"""` (and the older `~L`, `~E`): a template inside the module.
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                let template =
                    children.iter().any(|c| c.kind_name() == "sigil_name" && matches!(self.text(*c), "H" | "L" | "E"));
                if template && let Some(content) = children.iter().find(|c| c.kind_name() == "quoted_content") {
                    self.template_scopes = self.module_scope().into_iter().collect();
                    self.template(self.text(*content), content.start_byte(), true, "");
                }
            }
            _ => self.visit_children(node),
        }
    }

    /// `fn {"status", value}, dynamic -> dynamic([c], ^dynamic and c.status == ^value) end`: a
    /// clause keyed by a field's name whose body reads that field names the field too (an app's
    /// filter map: `list_conversations(%{"status" => "open"})`).
    fn visit_stab_clause(&mut self, node: Node<'_>) {
        let key = clause_params(node)
            .and_then(|params| params.named_child(0))
            .filter(|p| p.kind_name() == "tuple")
            .and_then(|t| t.named_child(0))
            .and_then(|k| string(k, self.src).or_else(|| atom(k, self.src)));
        let before = self.facts.hits.len();
        self.visit_children(node);
        let Some((key, offset)) = key else { return };
        let read: Vec<(Target, Confidence)> = self.facts.hits[before..]
            .iter()
            .filter(|h| h.kind == RefKind::Query && field_of(&h.target) == Some(key.as_str()))
            .map(|h| (h.target.clone(), h.confidence))
            .collect();
        for (target, confidence) in read {
            self.hit_at(offset, target, RefKind::Query, confidence);
        }
    }

    /// `if args[:filter][:group_type], do: where(query, [g], g.group_type == ^…)` or `topic =
    /// Map.get(params, :topic)` then `where: t.topic == ^topic`: a function whose query reads a
    /// field names it too where it reads the filter key of that name (the hits after `before`).
    fn filter_keys(&mut self, def: Node<'_>, before: usize) {
        let mut keys: Vec<(String, usize)> = Vec::new();
        let mut stack = vec![def];
        while let Some(node) = stack.pop() {
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
            match node.kind_name() {
                // `args[:filter][:k]`: a key of the `filter` map.
                "access_call" => {
                    let outer = node.field("target").filter(|t| t.kind_name() == "access_call");
                    let filter = outer
                        .and_then(|t| t.field("key"))
                        .and_then(|k| atom(k, self.src).or_else(|| string(k, self.src)))
                        .is_some_and(|(k, _)| k == "filter");
                    if filter && let Some(key) = node.field("key").and_then(|k| atom(k, self.src)) {
                        keys.push(key);
                    }
                }
                // `Map.get(params, :k)` / `params |> Map.get(:k, default)`.
                "call" if matches!(self.callee(node), Some(("get", Some(m))) if self.text(m) == "Map") => {
                    let args = arguments(node);
                    let piped = node.parent().is_some_and(|p| {
                        p.kind_name() == "binary_operator"
                            && p.field("operator").is_some_and(|o| self.text(o) == "|>")
                            && p.field("right").is_some_and(|r| r.id() == node.id())
                    });
                    let key = if piped { args.first() } else { args.get(1) };
                    keys.extend(key.and_then(|k| atom(*k, self.src)));
                }
                _ => {}
            }
        }
        for (key, offset) in keys {
            let read: Vec<(Target, Confidence)> = self.facts.hits[before..]
                .iter()
                .filter(|h| h.kind == RefKind::Query && field_of(&h.target) == Some(key.as_str()))
                .map(|h| (h.target.clone(), h.confidence.min(Confidence::Medium)))
                .collect();
            if let Some((target, confidence)) = read.into_iter().next() {
                self.hit_at(offset, target, RefKind::Query, confidence);
            }
        }
    }

    /// `%{"tickets" => ~w(id body topic)a, "flows" => [:id, :name]}`: a map whose every entry
    /// keys a list of atoms by a table's name lists columns of those tables (the fields a generic
    /// endpoint selects or exports per table). Two entries at least; a key that is no table, or an
    /// atom that is no column of it, resolves to nothing.
    fn table_column_lists(&mut self, node: Node<'_>) {
        let mut cursor = node.walk();
        let contents: Vec<Node<'_>> =
            node.named_children(&mut cursor).filter(|c| c.kind_name() == "map_content").collect();
        let mut entries: Vec<(String, Vec<(String, usize)>)> = Vec::new();
        for content in contents {
            let mut cursor = content.walk();
            for item in content.named_children(&mut cursor) {
                if item.kind_name() == "comment" {
                    continue;
                }
                let pair = (item.kind_name() == "binary_operator"
                    && item.field("operator").map(|o| self.text(o)) == Some("=>"))
                .then(|| (item.field("left"), item.field("right")));
                let Some((Some(key), Some(value))) = pair else { return };
                let Some((table, _)) = string(key, self.src).filter(|(t, _)| is_identifier(t)) else { return };
                let columns = atoms_in(value, self.src);
                if columns.is_empty() || !matches!(value.kind_name(), "list" | "sigil") {
                    return;
                }
                entries.push((table, columns));
            }
        }
        if entries.len() < 2 {
            return;
        }
        for (table, columns) in entries {
            for (column, offset) in columns {
                let target = Target::Column { table: table.clone(), column };
                self.hit_at(offset, target, RefKind::Query, Confidence::Medium);
            }
        }
    }

    fn visit_children(&mut self, node: Node<'_>) {
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.children(&mut cursor).collect();
        for child in children {
            self.visit(child);
        }
    }

    /// The callee of a call: `("cast", None)` or `("get_by", Some(Repo))`.
    fn callee<'t>(&self, call: Node<'t>) -> Option<(&'a str, Option<Node<'t>>)> {
        let target = call.field("target")?;
        match target.kind_name() {
            "identifier" => Some((self.text(target), None)),
            "dot" => {
                let right = target.field("right")?;
                (right.kind_name() == "identifier").then(|| (self.text(right), target.field("left")))
            }
            _ => None,
        }
    }

    fn visit_call(&mut self, node: Node<'_>) {
        let continuing = self.chain_memo.get_mut().next.take() == Some(node.id());
        let Some((name, remote)) = self.callee(node) else { return self.visit_children(node) };
        let args = arguments(node);
        // `u.email`: a field of a bound query source, or of a variable named after a schema.
        if let Some(left) = remote
            && matches!(left.kind_name(), "identifier" | "call" | "unary_operator")
            && !has_arguments(node)
            && let Some(target) = node.field("target")
            && let Some(right) = target.field("right")
        {
            // `firmware_or_delta.checksum`: a record of either schema the name joins.
            if left.kind_name() == "identifier"
                && self.lookup(self.text(left)).is_none()
                && let Some(models) = either(self.text(left))
            {
                for model in models {
                    let root = Root::Model { model: self.resolve(&model) };
                    let target = Target::Chain { root, path: Vec::new(), attribute: Some(name.to_owned()) };
                    self.hit_at(right.start_byte(), target, RefKind::Query, Confidence::Medium);
                }
                return;
            }
            self.chain_memo.get_mut().enter(left, continuing);
            match self.record(left) {
                // (What another module's function returns may be bound nowhere: the attribute too.)
                Some((source, Confidence::High)) if !matches!(source, Source::Returned(_)) => {
                    self.field_hit(right.start_byte(), &source, name, RefKind::Query, Confidence::High);
                }
                // A receiver typed by its name only: that schema if there is one, else whichever
                // table alone has such a column (never for a name that mostly holds no record).
                Some((source, confidence)) => {
                    self.field_hit(right.start_byte(), &source, name, RefKind::Query, confidence);
                    // (`Ctx.get_x(id).field`: only the schema the call names.)
                    if !(self.named_only(left) || (left.kind_name() == "call" && has_arguments(left))) {
                        self.attribute_hit_on(left, right.start_byte(), name);
                    }
                }
                None if self.untyped_record(left) => self.attribute_hit_on(left, right.start_byte(), name),
                // `Partners.organization(id).signature_phrase`: only the schema the call names.
                None => {
                    if let Some(source) = self.noun_record(left) {
                        self.field_hit(right.start_byte(), &source, name, RefKind::Query, Confidence::Medium);
                    }
                }
            }
            self.chain_memo.get_mut().on = false;
            if left.kind_name() == "call" {
                self.visit(left);
            }
            return;
        }
        if !flow::LOCAL_FORMS.contains(&name) && !QUERY_MACROS.contains(&name) && !name.starts_with("def") {
            self.call_flows(node, name, remote, &args);
        }
        // `field(u, :email)`, `map(u, [:id, :email])`, `struct(u, [:id])` on a bound source.
        if remote.is_none()
            && matches!(name, "field" | "map" | "struct")
            && let [var, fields, ..] = args.as_slice()
            && var.kind_name() == "identifier"
            && let Some(source) = self.lookup(self.text(*var))
        {
            for (field, offset) in atoms_in(*fields, self.src) {
                self.field_hit(offset, &source, &field, RefKind::Query, Confidence::High);
            }
        }
        if remote.is_none() && !args.is_empty() {
            self.observe_local_call(node, name, &args);
            // `update_conversation(conversation, %{read: true})` inside `Conversations`.
            if !self.heads.contains(&node.id())
                && let Some(schema) = self.own_context_schema()
            {
                self.context_call(name, &schema, &args, &[]);
            }
        }
        let remote_text = remote.map(|r| self.text(r));
        // `Multi.run(:bump, fn repo, _changes -> repo.update_all(q, inc: […]) end)`.
        if name == "run"
            && remote_text.is_some_and(|m| m == "Ecto.Multi" || self.resolve(m) == "Ecto.Multi")
            && let Some(param) = self.fn_first_params(&args).into_iter().next()
        {
            self.repo_params.insert(param);
        }
        self.map_key_guard(name, remote_text, &args);
        // (A Repo's own writers, and a library's, take no record and map.)
        if remote.is_none_or(|r| r.kind_name() == "alias" && self.callee_name(name, Some(r)).is_some())
            && !self.heads.contains(&node.id())
        {
            self.writer_helper(name, &args);
        }
        // `Enum.map(info.columns, & &1.type)`: a list read off what holds no record.
        if matches!(remote_text, Some("Enum" | "Stream"))
            && let Some(collection) = args.first()
            && self.opaque_collection(*collection)
        {
            self.opaque_captures.push(true);
            self.visit_children(node);
            self.opaque_captures.pop();
            return;
        }
        if matches!(remote_text, Some("Enum" | "Stream"))
            && let Some(collection) = args.first()
            && let Some(element) = self.element_of(*collection)
        {
            return self.with_frame(|w| {
                w.bind_fn_params(&args, element);
                w.visit_children(node);
            });
        }
        if matches!(remote_text, Some("Enum" | "Stream"))
            && let Some(collection) = args.first().copied()
            && self.named_getter(collection).is_some_and(|n| !n.tuple)
        {
            return self.with_frame(|w| {
                w.bind_getter_elements(&args, collection);
                w.visit_children(node);
            });
        }
        match (name, remote_text) {
            ("case", None) => {
                if let [subject] = args.as_slice() {
                    self.case_patterns(node, *subject);
                    self.case_assigns(node);
                    self.case_tuple_patterns(node, *subject);
                    self.case_rows(node, *subject);
                    self.case_found(node, *subject);
                    self.case_record(node, *subject);
                    self.case_getter(node, *subject);
                }
            }
            ("defmodule", None) => return self.visit_module(node, &args),
            ("defimpl", None) => return self.visit_impl(node, &args),
            ("alias", None) => {
                self.alias(&args);
                return;
            }
            // `config :my_app, :pow, user: MyApp.Users.User`: Pow's writers take that schema's params.
            ("config", None) => self.pow_user(&args),
            ("use", None) => {
                if let Some(used) = args.first().filter(|a| a.kind_name() == "alias") {
                    let full = self.resolve(self.text(*used));
                    let last = full.rsplit('.').next().unwrap_or(&full).to_owned();
                    if let Some(module) = self.modules.last_mut() {
                        module.uses.insert(last, full);
                    }
                }
            }
            // TypedEctoSchema's `typed_schema "users" do` is `schema` with a typespec.
            ("schema" | "typed_schema", None) => return self.visit_schema(node, &args),
            ("object" | "input_object" | "interface", None) if self.uses_absinthe() && do_block(node).is_some() => {
                return self.visit_absinthe_object(node, &args, name == "input_object");
            }
            ("field", None) if self.uses_absinthe() => self.absinthe_mutation(node, &args),
            // `embed_templates("account_templates/*")`: the folder's templates are this module's,
            // found beside its file.
            ("embed_templates", None) => {
                if let Some((pattern, _)) = args.first().and_then(|a| string(*a, self.src)) {
                    let sub = pattern.rsplit_once('/').map_or("", |(d, _)| d).trim_start_matches("./");
                    let dir = if sub.is_empty() { self.dir.to_owned() } else { format!("{}/{sub}", self.dir) };
                    if let Some(module) = self.modules.last_mut() {
                        module.embeds.push(embed_scope(&dir));
                    }
                }
                return;
            }
            // An embedded schema is stored inside its parent's column, not in a table.
            ("embedded_schema" | "typed_embedded_schema", None) => return,
            // A plain struct is no table, but its keys are names some record has that are no
            // column (resolution's attribute fallback needs to know them).
            ("defstruct", None) if self.current_schema().is_none() => {
                let mut keys: Vec<String> = Vec::new();
                for arg in &args {
                    keys.extend(atoms_in(*arg, self.src).into_iter().map(|(k, _)| k));
                    keys.extend(keyword_keys(*arg, self.src).into_iter().map(|(k, _)| k));
                }
                if let Some(module) = self.modules.last_mut() {
                    module.plain_struct = true;
                }
                if let Some(module) = self.modules.last() {
                    let line = self.line_starts.partition_point(|&s| s <= node.start_byte()).max(1);
                    let snippet = self.text(node).lines().next().unwrap_or("").trim().to_owned();
                    self.facts.models.push(ModelDecl {
                        framework: Framework::Phoenix,
                        class: module.name.clone(),
                        parent: None,
                        table: None,
                        is_abstract: false,
                        ignored_columns: Vec::new(),
                        fields: keys.into_iter().map(|k| (k.clone(), k)).collect(),
                        associations: Vec::new(),
                        mixins: Vec::new(),
                        line: line as u32,
                        column: 1,
                        snippet,
                    });
                }
                return;
            }
            ("def" | "defp" | "defmacro" | "defmacrop", None) => {
                self.struct_field_list(&args);
                let private = matches!(name, "defp" | "defmacrop");
                let before = self.facts.hits.len();
                return self.with_frame(|w| {
                    if let Some(head) = args.first() {
                        if let Some((call, _)) = calls::head_call(*head, w.src) {
                            w.heads.insert(call.id());
                        }
                        w.plain_head(*head);
                        w.bind_patterns(*head);
                        if !private {
                            w.impl_param(*head);
                        }
                        w.writer_params(node, *head);
                        w.param_markers(*head);
                        if private {
                            w.private_head(*head);
                        } else if let Some((call, _)) = calls::head_call(*head, w.src)
                            .or_else(|| (head.kind_name() == "identifier").then_some((*head, Vec::new())))
                            && let Some(module) = w.modules.last()
                        {
                            let target = call.field("target").unwrap_or(call);
                            let key = (module.name.clone(), w.text(target).to_owned());
                            w.public.insert(key);
                            w.named_params(*head);
                        }
                    }
                    w.visit_children(node);
                    if let Some(head) = args.first()
                        && let Some(last) = body_last(node, &args, w.src)
                    {
                        w.bind_return(*head, last);
                        w.own_field_list(last);
                        w.record_returned_list(*head, last);
                        w.record_returned_keys(*head, last);
                        w.record_returned_query(*head, last);
                        w.record_returned_record(*head, last);
                        w.record_row_fn(node, *head, last);
                    }
                    w.filter_keys(node, before);
                });
            }
            ("from", None | Some("Ecto.Query")) => return self.visit_from(node, &args),
            (_, Some(repo)) if self.is_repo(repo) => self.repo_call(name, &args),
            // `Multi.update_all(multi, :name, query, set: […])`: Repo's, after the multi and name.
            ("update_all" | "delete_all" | "insert_all", Some(multi))
                if multi == "Ecto.Multi" || self.resolve(multi) == "Ecto.Multi" =>
            {
                let skip = if self.piped_args.contains_key(&node.id()) { 1 } else { 2 };
                if let Some(rest) = args.get(skip..) {
                    self.repo_call(name, rest);
                }
            }
            ("build_assoc", Some("Ecto")) => self.build_assoc(&args),
            (_, Some(_)) => {
                if let Some(remote) = remote {
                    self.context_write(name, remote, &args);
                }
            }
            _ => {}
        }
        if QUERY_MACROS.contains(&name) && matches!(remote_text, None | Some("Ecto.Query")) {
            // Function form: `where(User, [u], u.email == ^e)` / `where(query, [u], …)`.
            if let Some((first, rest)) = args.split_first()
                && first.kind_name() != "list"
            {
                let root = self.source_of(*first);
                self.schema_use(*first);
                let mut sources = vec![root];
                let cap = self.cap_by(Some(*first));
                self.query_stage(node, name, rest, &mut sources);
                self.cap = cap;
                return;
            }
            // `dynamic([u], …)` or a query macro whose query is not known: named bindings only.
            if args.first().is_some_and(|a| a.kind_name() == "list") {
                let mut sources = vec![None];
                return self.query_stage(node, name, &args, &mut sources);
            }
        }
        if (name == "cast" || name == "change" || is_changeset_fn(name, remote_text))
            && matches!(remote_text, None | Some("Ecto.Changeset" | "Changeset"))
        {
            // `change(release, has_docs: true)`: the record's schema, by its type or its name.
            let literal = args.first().and_then(|a| self.struct_of(*a));
            let bound =
                args.first().filter(|a| a.kind_name() == "identifier").and_then(|a| match self.lookup(self.text(*a)) {
                    Some(Source::Schema(m)) if m.rsplit('.').next() == Some("Changeset") => None,
                    other => other,
                });
            let schema = literal
                .clone()
                .or(bound)
                .or_else(|| self.current_schema())
                .or_else(|| args.first().and_then(|a| self.named_record(*a)));
            if let Some(schema) = schema {
                let fields = if literal.is_some() { &args[1..] } else { &args[..] };
                self.changeset_fields(name, fields, &schema);
            }
        } else if name.contains("changeset") {
            // `DeviceCode.changeset(%DeviceCode{}, %{interval: i})`, or a local `changeset(%{…})`
            // in the schema's module: the params map's keys are the schema's fields.
            let schema = match remote {
                Some(r) if r.kind_name() == "alias" => Some(Source::Schema(self.resolve(self.text(r)))),
                None => self.current_schema(),
                _ => None,
            };
            if let Some(schema) = schema {
                let mut keys: Vec<(String, usize)> = Vec::new();
                for arg in &args {
                    if arg.kind_name() == "map" && self.struct_of(*arg).is_none() {
                        keys.extend(map_keys(*arg, self.src));
                    } else if arg.kind_name() == "identifier"
                        && let Some(held) = self.local_map(self.text(*arg))
                    {
                        keys.extend(held.iter().cloned());
                    } else if arg.kind_name() == "call" && matches!(self.callee(*arg), Some((_, None))) {
                        // `Trigger.changeset(fix_attrs(attrs))`: what the module's function returns.
                        keys.extend(self.merged_keys(*arg));
                    }
                }
                self.written_markers(&keys, &schema);
                for (key, offset) in keys {
                    self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::High);
                }
            }
        } else if remote_text == Some("Map")
            && MAP_FIELD_FNS.contains(&name)
            && let [record, fields, ..] = args.as_slice()
        {
            if matches!(name, "get" | "fetch" | "fetch!") {
                self.keyed_param(&args);
            }
            self.map_fields(*record, *fields);
        } else if remote.is_none()
            && (name.starts_with("insert") || name.starts_with("build") || name == "params_for")
            && let Some((factory, _)) = args.iter().find_map(|a| atom(*a, self.src))
        {
            // ExMachina: `insert(:release, has_docs: true)` builds the schema the factory is
            // named after (`release_factory` → `%Release{}`), else whichever table has the field;
            // the app's own wrappers (`insert_with_tarball(:release, …)`) alike.
            let schema = Source::Schema(self.resolve(&inflect::camelize(&factory)));
            let keys: Vec<(String, usize)> = args.iter().flat_map(|a| keyword_keys(*a, self.src)).collect();
            for (key, offset) in keys {
                self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::Medium);
                self.attribute_hit(offset, &key);
            }
        } else if remote.is_none() && matches!(name, "render" | "assign" | "assign_new" | "live_render") {
            self.assign_bindings(name, &args);
        }
        self.visit_children(node);
    }

    /// `Map.take(advisory, @fields)`, `Map.delete(podcast, :vanity_domain)`, `record |>
    /// Map.take([:a, :b])`: fields of the record.
    fn map_fields(&mut self, record: Node<'_>, fields: Node<'_>) {
        let fields = self.field_list(fields);
        match self.record(record) {
            Some((source, confidence)) => {
                for (field, offset) in fields {
                    self.field_hit(offset, &source, &field, RefKind::Query, confidence);
                    if confidence < Confidence::High && !self.named_only(record) {
                        self.attribute_hit(offset, &field);
                    }
                }
            }
            None if self.untyped_record(record) => {
                for (field, offset) in fields {
                    self.attribute_hit(offset, &field);
                }
            }
            None => {}
        }
    }

    /// A variable named after a schema (`release` → `Release`, `episodes` → `Episode`).
    fn named_record(&self, node: Node<'_>) -> Option<Source> {
        if node.kind_name() != "identifier" {
            return None;
        }
        let name = self.text(node);
        if let Some(source) = self.lookup(name) {
            // `%Ecto.Changeset{} = changeset` binds a changeset, not a record.
            return match &source {
                Source::Schema(m) if m.rsplit('.').next() == Some("Changeset") => None,
                _ => Some(source),
            };
        }
        if name.len() < 3
            || name.starts_with('_')
            || holds_no_record(name)
            || !is_identifier(name)
            || self.library_value(name)
        {
            return None;
        }
        let class = if is_plural(name) { inflect::classify(name) } else { inflect::camelize(name) };
        Some(Source::Schema(self.resolve(&class)))
    }

    /// Whether a receiver the walker cannot type may still be a record: a variable not known to
    /// hold something else, a capture argument (`& &1.verified`), a field of one.
    fn untyped_record(&self, node: Node<'_>) -> bool {
        self.memoized(node, |m| &mut m.untyped, || self.untyped_record_uncached(node))
    }

    #[recursive::recursive]
    fn untyped_record_uncached(&self, node: Node<'_>) -> bool {
        match node.kind_name() {
            "identifier" => {
                let name = self.text(node);
                !name.starts_with('_')
                    && !holds_no_record(name)
                    && is_identifier(name)
                    && name != "__MODULE__"
                    && !self.library_value(name)
            }
            "unary_operator" => {
                let text = self.text(node);
                self.opaque_captures.last() != Some(&true)
                    && text.strip_prefix('&').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            }
            "call" if !has_arguments(node) => node
                .field("target")
                .filter(|t| t.kind_name() == "dot")
                .and_then(|t| t.field("left"))
                .is_some_and(|left| self.record(left).is_some() || self.untyped_record(left)),
            _ => false,
        }
    }

    /// `Ecto.build_assoc(project, :collaborators, %{role: "bot"})`: the map's keys are fields of
    /// the association's schema — of the record's association when it is typed, else of the
    /// schema the association is named after (medium).
    fn build_assoc(&mut self, args: &[Node<'_>]) {
        let [record, assoc, attrs, ..] = args else { return };
        let Some((assoc, _)) = atom(*assoc, self.src) else { return };
        let mut sources: Vec<(Source, Confidence)> = Vec::new();
        let typed = self.record(*record);
        if let Some((Source::Schema(model), confidence)) = &typed {
            sources.push((Source::Assoc { model: model.clone(), assoc: assoc.clone() }, *confidence));
        }
        // A record typed by its name only may be named after no schema (`changeset.data`).
        if !matches!(typed, Some((_, Confidence::High))) {
            sources.push((Source::Schema(self.resolve(&inflect::classify(&assoc))), Confidence::Medium));
        }
        let keys = if attrs.kind_name() == "map" { map_keys(*attrs, self.src) } else { keyword_keys(*attrs, self.src) };
        for (key, offset) in keys {
            for (source, confidence) in &sources {
                self.field_hit(offset, source, &key, RefKind::Query, *confidence);
            }
        }
    }

    /// `update(operation.translation, %{conflicted: true})`, `update_all(operation, %{rollbacked:
    /// true})`, `insert_all(Translation, row)`, `CollaboratorUpdater.update(collaborator, %{"role"
    /// => r})`: the app's own writer named as a Repo function (imported from a helper module, the
    /// module's own or another of the app's), given a record — typed, or named after its schema —
    /// or a schema, and maps: the maps' keys are that schema's fields. Medium at most: what the
    /// helper does with them is its own.
    fn writer_helper(&mut self, name: &str, args: &[Node<'_>]) {
        if !REPO_WRITERS.contains(&name) {
            return;
        }
        let [written, rest @ ..] = args else { return };
        let typed = match written.kind_name() {
            "alias" => Some((Source::Schema(self.resolve(self.text(*written))), Confidence::Medium)),
            "map" => self.struct_of(*written).map(|s| (s, Confidence::Medium)),
            "identifier" | "call" => self.record(*written),
            _ => None,
        };
        let Some((source, confidence)) = typed else { return };
        let keys: Vec<(String, usize)> = rest
            .iter()
            .filter(|a| matches!(a.kind_name(), "map" | "identifier" | "list"))
            .flat_map(|a| self.merged_keys(*a))
            .collect();
        for (key, offset) in keys {
            self.field_hit(offset, &source, &key, RefKind::Query, confidence.min(Confidence::Medium));
        }
    }

    /// A list read off what holds no record (`info.columns`, `params.items`): its elements are
    /// none either. A socket's or conn's assigns hold records.
    fn opaque_collection(&self, node: Node<'_>) -> bool {
        if node.kind_name() != "call" || has_arguments(node) {
            return false;
        }
        let Some(left) = node.field("target").and_then(|t| t.field("left")) else {
            return false;
        };
        let name = self.text(left);
        left.kind_name() == "identifier"
            && holds_no_record(name)
            && !matches!(name, "socket" | "conn" | "assigns" | "state")
            && self.lookup_typed(name).is_none()
    }

    /// A field read on a receiver of unknown type: resolution keeps it at medium confidence only
    /// when one table alone has such a column.
    fn attribute_hit(&mut self, offset: usize, name: &str) {
        if is_identifier(name) {
            self.hit_at(offset, Target::Attribute { name: name.to_owned() }, RefKind::Query, Confidence::Medium);
        }
    }

    /// `message.data.record`: a field read through a field of the receiver — an attribute
    /// resolution keeps only while that field is no embed (whose fields are the embedded
    /// schema's, inside the parent's column).
    fn attribute_hit_on(&mut self, receiver: Node<'_>, offset: usize, name: &str) {
        let through = Some(receiver)
            .filter(|r| r.kind_name() == "call" && !has_arguments(*r))
            .and_then(|r| r.field("target"))
            .filter(|t| t.kind_name() == "dot")
            .and_then(|t| t.field("right"))
            .filter(|r| r.kind_name() == "identifier")
            .map(|r| self.text(r));
        match through {
            Some(field) if is_identifier(name) => {
                let target = Target::AttributeThrough { field: field.to_owned(), attribute: name.to_owned() };
                self.hit_at(offset, target, RefKind::Query, Confidence::Medium);
            }
            _ => self.attribute_hit(offset, name),
        }
    }

    fn visit_module(&mut self, node: Node<'_>, args: &[Node<'_>]) {
        let written = args.first().map(|a| self.text(*a)).unwrap_or("");
        let name = match self.modules.last() {
            // `defmodule Inner` inside `defmodule Outer` is `Outer.Inner`.
            Some(outer) if !written.contains("__MODULE__") => format!("{}.{written}", outer.name),
            _ => self.resolve(written),
        };
        let module = Module { name, ..Module::default() };
        // A nested module is reachable by its last segment from the enclosing one.
        if let Some(outer) = self.modules.last_mut() {
            outer.aliases.insert(
                written.split('.').next().unwrap_or(written).to_owned(),
                format!("{}.{}", outer.name, written.split('.').next().unwrap_or(written)),
            );
        }
        self.module_body(node, module);
    }

    /// The `do` block of a module named `module.name` (also its `__MODULE__`), walked inside it.
    fn module_body(&mut self, node: Node<'_>, mut module: Module) {
        module.aliases.insert("__MODULE__".to_owned(), module.name.clone());
        self.modules.push(module);
        self.with_frame(|w| {
            if let Some(block) = do_block(node) {
                w.visit_children(block);
            }
        });
        self.modules.pop();
    }

    /// `defimpl Proto, for: Schema do … end` (or inside the schema's module, `for:` left out): a
    /// module `Proto.Schema` of its own whose `def`s each take a record of the schema first.
    fn visit_impl(&mut self, node: Node<'_>, args: &[Node<'_>]) {
        let Some(protocol) = args.first().filter(|a| a.kind_name() == "alias") else {
            return self.visit_children(node);
        };
        let target = args.iter().skip(1).flat_map(|a| keyword_pairs(*a, self.src)).find(|(k, _)| k == "for");
        let impl_for = match target {
            Some((_, value)) if value.kind_name() == "alias" || self.text(value) == "__MODULE__" => {
                Some(self.resolve(self.text(value)))
            }
            Some(_) => None,
            None => self.modules.last().map(|m| m.name.clone()),
        };
        let protocol = self.resolve(self.text(*protocol));
        let name = format!("{protocol}.{}", impl_for.as_deref().unwrap_or("Any"));
        let module = Module { name, impl_for, ..Module::default() };
        self.module_body(node, module);
    }

    /// The first parameter of a `def` in a `defimpl … for: Schema`: a record of the schema.
    fn impl_param(&mut self, head: Node<'_>) {
        let Some(schema) = self.modules.last().and_then(|m| m.impl_for.clone()) else { return };
        let Some((_, params)) = calls::head_call(head, self.src) else { return };
        let Some(first) = params.first() else { return };
        // `%Other{} = x` already says what it holds.
        let var = pattern_var(*first, self.src).or_else(|| (first.kind_name() == "identifier").then_some(*first));
        if var.is_some_and(|v| self.frames.last().is_some_and(|f| f.contains_key(self.text(v)))) {
            return;
        }
        self.type_param(*first, Source::Schema(schema), Confidence::High);
    }

    /// `alias A.B.C`, `alias A.B.C, as: D`, `alias A.B.{C, D}`, `alias __MODULE__.Sub`.
    fn alias(&mut self, args: &[Node<'_>]) {
        let Some(first) = args.first() else { return };
        let as_name = args
            .iter()
            .flat_map(|a| keyword_pairs(*a, self.src))
            .find_map(|(k, v)| (k == "as").then(|| self.text(v).to_owned()));
        let mut entries: Vec<(String, String)> = Vec::new();
        if first.kind_name() == "dot"
            && let (Some(left), Some(right)) = (first.field("left"), first.field("right"))
            && right.kind_name() == "tuple"
        {
            let base = self.resolve(self.text(left));
            let mut cursor = right.walk();
            let items: Vec<Node<'_>> = right.named_children(&mut cursor).collect();
            for item in items {
                let item = self.text(item);
                let short = item.rsplit('.').next().unwrap_or(item).to_owned();
                entries.push((short, format!("{base}.{item}")));
            }
        } else {
            let full = self.resolve(self.text(*first));
            let short = as_name.unwrap_or_else(|| full.rsplit('.').next().unwrap_or(&full).to_owned());
            entries.push((short, full));
        }
        if let Some(module) = self.modules.last_mut() {
            module.aliases.extend(entries);
        }
    }

    /// Variables bound to schema structs by patterns in a function head: `%User{} = user`.
    fn bind_patterns(&mut self, head: Node<'_>) {
        let mut stack = vec![head];
        while let Some(node) = stack.pop() {
            if node.kind_name() == "binary_operator"
                && node.field("operator").is_some_and(|o| self.text(o) == "=")
                && let (Some(l), Some(r)) = (node.field("left"), node.field("right"))
            {
                let (pattern, var) = if l.kind_name() == "map" { (l, r) } else { (r, l) };
                if pattern.kind_name() == "map" {
                    self.changeset_pattern(pattern, var);
                }
                if var.kind_name() == "identifier"
                    && let Some(schema) = self.struct_of(pattern)
                {
                    let name = self.text(var).to_owned();
                    self.bind(&name, schema);
                } else if pattern.kind_name() == "map"
                    && self.current_schema().is_none()
                    && let Some(schema) = self.named_record(var)
                {
                    // `def live_url(episode = %{youtube_id: id})`: the keys of the record the
                    // variable is named after (head_map_keys adds them as attributes too).
                    for (key, offset) in keyword_keys(pattern, self.src) {
                        self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::Medium);
                    }
                }
            }
            if node.kind_name() == "map" {
                self.struct_literal(node);
                self.assigns_pattern(node);
                if self.struct_of(node).is_none() {
                    self.head_map_keys(node);
                    self.view_resource(node);
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }

    /// `def call(%{assigns: %{current_user: %{} = user}} = conn, _)`: an assign destructured from
    /// a conn or a socket holds what a template's `@current_user` does, a record of the schema
    /// its name (less `current_`) names (medium; resolution drops a name that is no schema).
    fn assigns_pattern(&mut self, node: Node<'_>) {
        // A conn or a socket, or an app's own struct with assigns (whose keys say nothing).
        if self
            .struct_of(node)
            .is_some_and(|s| !matches!(&s, Source::Schema(m) if m == "Plug.Conn" || m == "Phoenix.LiveView.Socket"))
        {
            return;
        }
        let Some((_, assigns)) =
            map_pairs(node, self.src).into_iter().find(|(k, v)| k == "assigns" && v.kind_name() == "map")
        else {
            return;
        };
        for (key, value) in map_pairs(assigns, self.src) {
            let noun = key.strip_prefix("current_").unwrap_or(&key);
            if noun.len() < 3 || holds_no_record(noun) || !is_identifier(noun) || inflect::singularize(noun) != noun {
                continue;
            }
            let schema = Source::Schema(self.resolve(&inflect::camelize(noun)));
            // `%{assigns: %{user: %{is_admin: true}}}`: the record's fields.
            if value.kind_name() == "map" && self.struct_of(value).is_none() {
                for (field, offset) in keyword_keys(value, self.src) {
                    self.field_hit(offset, &schema, &field, RefKind::Query, Confidence::Medium);
                }
            }
            let Some(var) = pattern_var(value, self.src) else { continue };
            let name = self.text(var).to_owned();
            self.bind_as(&name, schema, Confidence::Medium);
        }
    }

    /// `case conn do %{assigns: %{user: %{is_admin: true}}} -> …`: a clause's pattern on a conn's
    /// assigns, as in a function head.
    fn case_assigns(&mut self, node: Node<'_>) {
        for pattern in case_clause_maps(node) {
            self.assigns_pattern(pattern);
        }
    }

    /// `defp set_url(settings, socket) do … Settings.update_global_settings(settings, %{…})`: a
    /// context's `update_x`, `change_x` and `delete_x` take a record of `X` first, as
    /// phx.gen.context writes them (`def update_x(%X{} = x, attrs)`), so a parameter named after
    /// the record (or its last words) handed there is one in the whole function (medium). Two
    /// schemas for one parameter type it as neither.
    fn writer_params(&mut self, def: Node<'_>, head: Node<'_>) {
        let Some((_, params)) = calls::head_call(head, self.src) else { return };
        let names: Vec<&str> = params
            .iter()
            .filter(|p| p.kind_name() == "identifier")
            .map(|p| self.text(*p))
            .filter(|n| !n.starts_with('_') && self.lookup(n).is_none())
            .collect();
        if names.is_empty() {
            return;
        }
        let mut found: HashMap<&str, Option<Source>> = HashMap::new();
        // Pipe stages, whose first argument is the piped value's.
        let mut piped: std::collections::HashSet<usize> = std::collections::HashSet::new();
        let mut stack = vec![def];
        while let Some(node) = stack.pop() {
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
            if node.kind_name() == "binary_operator"
                && node.field("operator").is_some_and(|o| self.text(o) == "|>")
                && let Some(stage) = node.field("right")
            {
                piped.insert(stage.id());
            }
            if node.kind_name() != "call" || piped.contains(&node.id()) {
                continue;
            }
            let Some((name, Some(remote))) = self.callee(node) else { continue };
            let Some(noun) = ["update_", "change_", "delete_"].iter().find_map(|p| name.strip_prefix(p)) else {
                continue;
            };
            let noun = noun.trim_end_matches('!');
            let Some(var) = arguments(node).first().filter(|a| a.kind_name() == "identifier").map(|a| self.text(*a))
            else {
                continue;
            };
            // The parameter is named after the record, maybe shortened (`settings` for
            // `global_settings`): `update_flow_localization(flow)` updates a part of a flow.
            let named = noun == var || noun.strip_suffix(var).is_some_and(|head| head.ends_with('_'));
            if !names.contains(&var) || !named || !is_identifier(noun) || self.context_schema(remote).is_none() {
                continue;
            }
            // Named as a name guess is (resolution finds `WAGroup` for `WaGroup`).
            let schema = Source::Schema(self.resolve(&inflect::camelize(noun)));
            let entry = found.entry(var).or_insert_with(|| Some(schema.clone()));
            if entry.as_ref() != Some(&schema) {
                *entry = None;
            }
        }
        let typed: Vec<(String, Source)> =
            found.into_iter().filter_map(|(var, schema)| Some((var.to_owned(), schema?))).collect();
        for (var, schema) in typed {
            self.bind_as(&var, schema, Confidence::Medium);
        }
    }

    /// `case conversation do %{status: "open", first_replied_at: nil} -> …`: a clause's map
    /// pattern matches the keys of the record the subject is.
    fn case_patterns(&mut self, node: Node<'_>, subject: Node<'_>) {
        // (`case Repo.get_by(Person, …) do`: what a Repo finder returns.)
        let typed = self.record_of(subject).filter(|(_, c)| *c == Confidence::High).or_else(|| self.record(subject));
        let Some((source, confidence)) = typed else { return };
        for pattern in case_clause_maps(node) {
            if self.struct_of(pattern).is_some() {
                continue;
            }
            for (key, offset) in keyword_keys(pattern, self.src) {
                self.field_hit(offset, &source, &key, RefKind::Query, confidence);
                if confidence < Confidence::High {
                    self.attribute_hit(offset, &key);
                }
            }
        }
    }

    /// `case lock_run(id) do nil -> …; run -> … end`: a clause binding the whole subject holds
    /// the record a Repo finder (or a function of the module returning one) gives.
    fn case_record(&mut self, node: Node<'_>, subject: Node<'_>) {
        if subject.kind_name() != "call" && subject.kind_name() != "binary_operator" {
            return;
        }
        // (`q |> Repo.all()` is a list: its clauses bind none of its records.)
        let last = match subject.kind_name() {
            "binary_operator" => subject.field("right"),
            _ => Some(subject),
        };
        if last.and_then(|l| self.callee(l)).is_some_and(|(name, _)| name == "all") {
            return;
        }
        let Some((source, confidence)) = self.record_of(subject) else { return };
        for pattern in case_clause_patterns(node) {
            let Some(var) = pattern_var(pattern, self.src) else { continue };
            let name = self.text(var).to_owned();
            if self.lookup_typed(&name).is_none() {
                self.bind_as(&name, source.clone(), confidence);
            }
        }
    }

    /// `case Enum.find(sessions, &(&1.id == id)) do nil -> …; session -> session.token end`: a
    /// clause binding the whole subject holds an element of the list searched.
    fn case_found(&mut self, node: Node<'_>, subject: Node<'_>) {
        let Some(("find", Some(m))) = self.callee(subject) else { return };
        if self.text(m) != "Enum" {
            return;
        }
        let Some(element) = arguments(subject).first().and_then(|list| self.element_of(*list)) else { return };
        for var in case_clause_patterns(node).into_iter().filter(|p| p.kind_name() == "identifier") {
            let name = self.text(var).to_owned();
            self.bind_element(&name, &element);
        }
    }

    /// `def render("message.json", %{message: message})` in `MessageView` (or `MessageJSON`):
    /// `render_one`/`render_many` hand each record under the key the view is named after, so
    /// the variable holds a record of that schema.
    fn view_resource(&mut self, node: Node<'_>) {
        let Some(resource) = self.modules.last().and_then(|m| {
            let last = m.name.rsplit('.').next()?;
            ["View", "JSON"].iter().find_map(|suffix| last.strip_suffix(suffix)).filter(|s| !s.is_empty())
        }) else {
            return;
        };
        let key = inflect::underscore(resource);
        let schema = Source::Schema(self.resolve(resource));
        for (name, value) in map_pairs(node, self.src) {
            if name == key && value.kind_name() == "identifier" {
                let var = self.text(value).to_owned();
                self.bind_as(&var, schema.clone(), Confidence::Medium);
            } else if name == key
                && value.kind_name() == "binary_operator"
                && let Some(var) = value.field("right").filter(|v| v.kind_name() == "identifier")
            {
                // `%{message: %{customer: %Customer{}} = message}`.
                let var = self.text(var).to_owned();
                self.bind_as(&var, schema.clone(), Confidence::Medium);
            }
        }
    }

    /// `defp fields(%Release{}), do: [:id, :has_docs]`: a clause per schema answering with a
    /// list of atoms names that schema's fields.
    fn struct_field_list(&mut self, args: &[Node<'_>]) {
        let [head, body, ..] = args else { return };
        let params = arguments(*head);
        let [pattern] = params.as_slice() else { return };
        let Some(schema) = self.struct_of(*pattern) else { return };
        if !keyword_keys(*pattern, self.src).is_empty() {
            return;
        }
        let Some((_, list)) = keyword_pairs(*body, self.src).into_iter().find(|(k, _)| k == "do") else { return };
        if list.kind_name() != "list" {
            return;
        }
        for (field, offset) in atoms_in(list, self.src) {
            self.field_hit(offset, &schema, &field, RefKind::Query, Confidence::Medium);
        }
    }

    /// `%User{…}` → the schema.
    fn struct_of(&self, node: Node<'_>) -> Option<Source> {
        if node.kind_name() != "map" {
            return None;
        }
        let mut cursor = node.walk();
        let found = node.named_children(&mut cursor).find(|c| c.kind_name() == "struct")?;
        let name = found
            .named_child(0)
            .map(|n| self.text(n))
            .filter(|n| *n == "__MODULE__" || n.starts_with(|c: char| c.is_ascii_uppercase()))?;
        Some(Source::Schema(self.resolve(name)))
    }

    /// Keys of a struct literal or pattern: `%User{email: e}`.
    fn struct_literal(&mut self, node: Node<'_>) {
        let Some(schema) = self.struct_of(node) else { return };
        let mut cursor = node.walk();
        let contents: Vec<Node<'_>> =
            node.named_children(&mut cursor).filter(|c| c.kind_name() == "map_content").collect();
        for content in contents {
            // `%Sub{base() | unsubscribed_at: t}` too: the keys after the bar.
            for (key, offset) in keyword_keys(content, self.src) {
                self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::High);
            }
        }
    }

    /// `%{advisory | aliases: a}` on a record that is no struct literal: its fields.
    fn map_update(&mut self, node: Node<'_>) {
        if self.struct_of(node).is_some() {
            return;
        }
        let mut cursor = node.walk();
        let contents: Vec<Node<'_>> =
            node.named_children(&mut cursor).filter(|c| c.kind_name() == "map_content").collect();
        for content in contents {
            let mut cursor = content.walk();
            let updates: Vec<Node<'_>> = content.named_children(&mut cursor).collect();
            for update in updates {
                let Some(base) = map_update_base(update, self.src) else { continue };
                let record = self.record(base);
                if record.is_none() && !self.untyped_record(base) {
                    continue;
                }
                let Some(keys) = update.field("right") else { continue };
                for (key, offset) in keyword_keys(keys, self.src) {
                    if let Some((source, confidence)) = &record {
                        self.field_hit(offset, source, &key, RefKind::Query, *confidence);
                    }
                    if record.as_ref().is_none_or(|(_, c)| *c < Confidence::High) && !self.named_only(base) {
                        self.attribute_hit(offset, &key);
                    }
                }
            }
        }
    }

    /// Keys of a map pattern in a function head (`def credit(%{pronunciation: p})`): fields of the
    /// schema in the schema's own module, of the schema a view or controller is named after,
    /// and otherwise of whichever table alone has such a column.
    fn head_map_keys(&mut self, node: Node<'_>) {
        let keys = keyword_keys(node, self.src);
        if keys.is_empty() {
            return;
        }
        let owner = self.current_schema();
        let named = self.modules.last().and_then(|m| {
            let last = m.name.rsplit('.').next()?;
            ["View", "HTML", "Controller", "Live", "Helpers"]
                .iter()
                .find_map(|suffix| last.strip_suffix(suffix))
                .filter(|s| !s.is_empty())
                .map(|s| Source::Schema(self.resolve(s)))
        });
        for (key, offset) in keys {
            match (&owner, &named) {
                (Some(schema), _) => {
                    let schema = schema.clone();
                    self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::High);
                }
                // (A map its module's calls build around records is no record: no table's column.)
                (None, Some(schema)) => {
                    let schema = schema.clone();
                    self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::Medium);
                    if !self.plain_heads.contains(&node.id()) {
                        self.attribute_hit(offset, &key);
                    }
                }
                (None, None) if !self.plain_heads.contains(&node.id()) => self.attribute_hit(offset, &key),
                (None, None) => {}
            }
        }
    }

    /// A pipeline: `User |> where([u], u.email == ^e) |> select([u], u.name)`, or
    /// `%User{} |> cast(attrs, [:email])`.
    fn visit_binary(&mut self, node: Node<'_>) {
        let operator = node.field("operator").map(|o| self.text(o));
        if operator == Some("=") {
            // `user = Repo.get!(User, id)` and `%User{} = user` bind the variable.
            if let (Some(l), Some(r)) = (node.field("left"), node.field("right")) {
                self.bind_library_value(l, r);
                // `changeset = Team.changeset(…)`, `tokens = Accounts.list_tokens(user)`.
                if l.kind_name() == "identifier"
                    && matches!(r.kind_name(), "call" | "binary_operator")
                    && self.record_of(r).is_none()
                    && let Some(root) = self.value_root(r)
                {
                    let name = self.text(l).to_owned();
                    if let Some(frame) = self.roots.last_mut() {
                        frame.insert(name, root);
                    }
                }
                self.branch_list(l, r);
                self.bind_query_var(l, r);
                if l.kind_name() == "identifier" && matches!(r.kind_name(), "list" | "sigil") {
                    // `allowed = ~w(email name)a`, for a later `cast(attrs, allowed)`.
                    let atoms = atoms_in(r, self.src);
                    let name = self.text(l).to_owned();
                    // In the schema's own module such a list is its fields, whichever of the
                    // app's helpers it is handed to (`changeset_with_allowed_attrs(p, attrs, allowed)`).
                    if let Some(schema) = self.current_schema()
                        && r.kind_name() == "sigil"
                    {
                        for (field, offset) in &atoms {
                            self.field_hit(*offset, &schema, field, RefKind::Query, Confidence::High);
                        }
                    }
                    // `contacts = [%{phone: p}, …]`: rows, whose keys a later `insert_all` writes.
                    let rows = if atoms.is_empty() && r.kind_name() == "list" { self.list_keys(r) } else { Vec::new() };
                    if !rows.is_empty()
                        && let Some(frame) = self.maps.last_mut()
                    {
                        frame.insert(name.clone(), rows);
                    }
                    if let Some(module) = self.modules.last_mut()
                        && !atoms.is_empty()
                    {
                        module.local_lists.insert(name, atoms);
                    }
                } else if l.kind_name() == "identifier"
                    && ((r.kind_name() == "map" && self.struct_of(r).is_none())
                        || (matches!(r.kind_name(), "call" | "binary_operator")
                            && self.merged_keys(r).iter().any(|(k, _)| is_identifier(k))))
                {
                    let keys = self.merged_keys(r);
                    let name = self.text(l).to_owned();
                    if let Some(frame) = self.maps.last_mut() {
                        frame.insert(name, keys);
                    }
                } else if let Some(var) = ok_var(l, self.src)
                    && let Some((schema, confidence)) = self.record_of(r).or_else(|| self.getter_for(self.text(var), r))
                {
                    let name = self.text(var).to_owned();
                    self.bind_as(&name, schema, confidence);
                } else if l.kind_name() == "identifier"
                    && matches!(r.kind_name(), "call" | "binary_operator")
                    && !self.merged_keys(r).is_empty()
                {
                    // Only markers (`attrs = Parser.parse(json)`): where the map came from.
                    let keys = self.merged_keys(r);
                    let name = self.text(l).to_owned();
                    if let Some(frame) = self.maps.last_mut() {
                        frame.insert(name, keys);
                    }
                } else if r.kind_name() == "identifier"
                    && let Some(schema) = self.struct_of(l)
                {
                    let name = self.text(r).to_owned();
                    self.bind(&name, schema);
                }
            }
            return self.visit_children(node);
        }
        if operator == Some("<-")
            && let (Some(l), Some(r)) = (node.field("left"), node.field("right"))
        {
            // `[%{slack_thread_ts: ts}] <- Threads.get_threads_by_conversation_id(id)`: a
            // context's records matched by their keys.
            let patterns: Vec<Node<'_>> = match l.kind_name() {
                "map" => vec![l],
                "list" => {
                    let mut cursor = l.walk();
                    l.named_children(&mut cursor).filter(|i| i.kind_name() == "map").collect()
                }
                _ => Vec::new(),
            };
            if !patterns.is_empty()
                && let Some((_, Some(remote))) = self.callee(r)
                && let Some(schema) = self.context_schema(remote)
            {
                let keys: Vec<(String, usize)> = patterns
                    .into_iter()
                    .filter(|p| self.struct_of(*p).is_none())
                    .flat_map(|p| keyword_keys(p, self.src))
                    .collect();
                for (key, offset) in keys {
                    self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::Medium);
                }
            }
            // `with {:ok, params} <- build_params(…)`: the map a local function returns.
            if l.kind_name() == "tuple"
                && let Some(var) = ok_var(l, self.src)
                && r.kind_name() == "call"
            {
                let keys = self.merged_keys(r);
                let name = self.text(var).to_owned();
                if !keys.is_empty()
                    && let Some(frame) = self.maps.last_mut()
                {
                    frame.insert(name, keys);
                }
            }
            // `with {:ok, user} <- Users.create(…)`, `for req <- requirements`.
            let typed = if l.kind_name() == "tuple" { self.record_of(r) } else { self.element_of(r) };
            // `for p <- Posts.list_posts()`, `{:ok, u} <- Accounts.update_user(…)`.
            let typed = typed.or_else(|| ok_var(l, self.src).and_then(|v| self.getter_for(self.text(v), r)));
            if let (Some(var), Some(typed)) = (ok_var(l, self.src), typed) {
                let name = self.text(var).to_owned();
                if l.kind_name() == "tuple" {
                    self.bind_as(&name, typed.0, typed.1);
                } else {
                    self.bind_element(&name, &typed);
                }
            }
            return self.visit_children(node);
        }
        if operator != Some("|>") {
            return self.visit_children(node);
        }
        let mut stages = Vec::new();
        let mut current = node;
        self.chain_memo.get_mut().enter(node, false);
        loop {
            let is_pipe = current.kind_name() == "binary_operator"
                && current.field("operator").is_some_and(|o| self.text(o) == "|>");
            if !is_pipe {
                break;
            }
            let (Some(l), Some(r)) = (current.field("left"), current.field("right")) else {
                break;
            };
            // `Map.merge(params, %{role: "admin"}) |> create_user()`: the piped params.
            // (A query's stages take no params: `from(…, select: %{…}) |> where(…)` filters rows.)
            if let Some((name, remote)) = self.callee(r)
                && !(remote.is_none() && QUERY_MACROS.contains(&name))
            {
                let schema = match remote {
                    Some(m) => self.context_schema(m),
                    None => self.own_context_schema(),
                };
                let piped = self.merged_keys(l);
                if let Some(schema) = schema
                    && !piped.is_empty()
                {
                    self.context_call(name, &schema, &[], &piped);
                }
            }
            if r.kind_name() == "call" {
                let arg = self.flow_arg(l);
                self.piped_args.insert(r.id(), arg);
                // `%Integration{} |> changeset(params)`: a call of the module's own function,
                // whose first argument is the piped record (see `calls.rs`).
                if let Some((name, None)) = self.callee(r)
                    && !QUERY_MACROS.contains(&name)
                    && !flow::LOCAL_FORMS.contains(&name)
                    && !is_changeset_fn(name, None)
                    && !matches!(name, "cast" | "change")
                {
                    let piped = self.piped_type(l);
                    self.observe_piped_call(r, name, piped);
                }
            }
            self.piped_insert_all(r, l);
            stages.push(r);
            current = l;
        }
        self.chain_memo.get_mut().on = false;
        stages.reverse();
        let root = current;
        self.visit(root);
        let root_source = self.source_of(root).or_else(|| self.struct_of(root));
        let cap = self.cap_by(Some(root));
        let queried = stages.iter().any(|stage| {
            self.callee(*stage).is_some_and(|(name, remote)| {
                let remote = remote.map(|r| self.text(r));
                (QUERY_MACROS.contains(&name) && matches!(remote, None | Some("Ecto.Query")))
                    || remote.is_some_and(|r| self.is_repo(r))
            })
        });
        if queried {
            self.schema_use(root);
        }
        let bound = (root.kind_name() == "identifier").then(|| self.lookup(self.text(root))).flatten();
        let changeset_schema = self.struct_of(root).or_else(|| bound.clone()).or_else(|| self.current_schema());
        // `prompt |> cast(params, [:content])` outside the schema's module: a variable cast
        // into a schema is a record of the schema it is named after (medium, a name only).
        let named_cast = stages
            .first()
            .filter(|_| changeset_schema.is_none())
            .and_then(|first| self.callee(*first))
            .filter(|(name, remote)| {
                matches!(*name, "cast" | "change")
                    && remote.is_none_or(|r| matches!(self.text(r), "Ecto.Changeset" | "Changeset"))
            })
            .and_then(|_| self.named_record(root));
        let mut sources = vec![root_source];
        // After `Repo.one!()` on the query the pipeline holds one record of its root.
        let mut fetched = false;
        // After `cast(…)` the pipeline holds a changeset.
        let mut casted = false;
        for (i, stage) in stages.into_iter().enumerate() {
            if stage.kind_name() != "call" {
                self.visit(stage);
                continue;
            }
            let Some((name, remote)) = self.callee(stage) else {
                self.visit(stage);
                continue;
            };
            let remote_text = remote.map(|r| self.text(r));
            let args = arguments(stage);
            // `project |> Ecto.assoc(:integrations) |> where(service: ^s)`: the association's records.
            if i == 0
                && name == "assoc"
                && remote_text == Some("Ecto")
                && let Some((assoc, _)) = args.first().and_then(|a| atom(*a, self.src))
                && let Some((Source::Schema(model), confidence)) = self.record(root)
            {
                sources = vec![Some(Source::Assoc { model, assoc })];
                if confidence < Confidence::High {
                    self.cap = Some(Confidence::Medium);
                }
                self.visit(stage);
                continue;
            }
            // `%AccessToken{} |> cast(…) |> cast_assoc(:user, with: fn cs, params -> cs |> cast(…)
            // end)`: the function's changeset is of the association's schema.
            if name == "cast_assoc"
                && remote.is_none()
                && let Some(Source::Schema(model)) = &changeset_schema
                && let Some((assoc, _)) = args.first().and_then(|a| atom(*a, self.src))
                && let Some(with) = args
                    .iter()
                    .flat_map(|a| keyword_pairs(*a, self.src))
                    .find_map(|(k, v)| (k == "with" && v.kind_name() == "anonymous_function").then_some(v))
            {
                let source = Source::Assoc { model: model.clone(), assoc };
                let confidence = if self.struct_of(root).is_some() { Confidence::High } else { Confidence::Medium };
                self.with_frame(|w| {
                    w.bind_fn_params(&[with], (source, confidence));
                    w.visit_children(stage);
                });
                continue;
            }
            // `batch.id |> Status.get_for_batch(identifier) |> Repo.update_all(set: […])`: the
            // query a schema module's function returns (bound where it is defined), from here on.
            // (An app's module, as the file aliases it: never `Enum`, `Map` or `Jason`.)
            if sources.iter().all(Option::is_none)
                && !fetched
                && let Some(module) = remote
                && let Some(full) = self.schema_module(module).filter(|m| m.contains('.'))
            {
                sources = vec![Some(Source::Returned(format!("{full}.{name}")))];
                self.visit(stage);
                continue;
            }
            // `releases |> Enum.map(fn r -> … end)`: the function's parameter is an element.
            if i == 0
                && matches!(remote_text, Some("Enum" | "Stream"))
                && let Some(element) = self.element_of(root)
            {
                self.with_frame(|w| {
                    w.bind_fn_params(&args, element);
                    w.visit_children(stage);
                });
                continue;
            }
            if i == 0
                && remote_text == Some("Map")
                && MAP_FIELD_FNS.contains(&name)
                && let Some(fields) = args.first()
            {
                self.map_fields(root, *fields);
                self.visit_children(stage);
            } else if fetched
                && remote_text == Some("Map")
                && MAP_FIELD_FNS.contains(&name)
                && let Some(fields) = args.first()
                && let Some(Some(source)) = sources.first().cloned()
            {
                // `Account |> where(id: ^id) |> Repo.one!() |> Map.get(:subscription_plan)`.
                for (field, offset) in self.field_list(*fields) {
                    self.field_hit(offset, &source, &field, RefKind::Query, Confidence::High);
                }
                self.visit_children(stage);
            } else if QUERY_MACROS.contains(&name) && matches!(remote_text, None | Some("Ecto.Query")) {
                self.query_stage(stage, name, &args, &mut sources);
            } else if (name == "cast" || name == "change" || is_changeset_fn(name, remote_text))
                && matches!(remote_text, None | Some("Ecto.Changeset" | "Changeset"))
            {
                if let Some(schema) = &changeset_schema {
                    self.changeset_fields(name, &args, schema);
                } else if let Some(schema) = &named_cast {
                    let cap = self.cap.replace(self.cap.map_or(Confidence::Medium, |c| c.min(Confidence::Medium)));
                    self.changeset_fields(name, &args, schema);
                    self.cap = cap;
                }
                casted |= matches!(name, "cast" | "change");
                self.visit_children(stage);
            } else if casted
                && remote.is_none()
                && changeset_schema.is_some()
                && changeset_schema == self.current_schema()
            {
                // `|> dynamic_default(:custom_name, fn cs -> … end)` after `cast` in the schema's
                // own module: the app's changeset helper, given one of the schema's fields.
                self.own_field_argument(&args);
                self.visit(stage);
            } else if let Some(repo) = remote_text
                && repo.ends_with("Repo")
                && matches!(name, "insert" | "insert!" | "insert_or_update" | "insert_or_update!")
                && let Some(schema) = &changeset_schema
            {
                // `%Reaction{} |> changeset(attrs) |> Repo.insert(on_conflict: {:replace, [:x]})`.
                let schema = schema.clone();
                for arg in &args {
                    self.upsert_fields(*arg, &schema);
                }
                self.visit_children(stage);
            } else if let Some(repo) = remote_text
                && self.is_repo(repo)
                && let Some(Some(root)) = sources.first()
            {
                // `User |> Repo.get_by(email: e)`: the piped schema is the first argument.
                let root = root.clone();
                fetched = matches!(name, "one" | "one!" | "get" | "get!" | "get_by" | "get_by!");
                self.repo_keywords(name, &args, &root);
                self.visit_children(stage);
            } else {
                self.visit(stage);
            }
        }
        self.cap = cap;
    }

    /// The fields an upsert's options name: `conflict_target: [:a, :b]`, `on_conflict:
    /// {:replace, [:a]}` and `on_conflict: [set: [a: v]]`.
    fn upsert_fields(&mut self, options: Node<'_>, schema: &Source) {
        for (key, value) in keyword_pairs(options, self.src) {
            let fields = match (key.as_str(), value.kind_name()) {
                ("conflict_target", _) => atoms_in(value, self.src),
                ("on_conflict", "tuple") => {
                    let mut cursor = value.walk();
                    let items: Vec<Node<'_>> = value.named_children(&mut cursor).collect();
                    match items.as_slice() {
                        [op, list] if atom(*op, self.src).is_some_and(|(a, _)| a == "replace") => {
                            atoms_in(*list, self.src)
                        }
                        _ => Vec::new(),
                    }
                }
                ("on_conflict", _) => {
                    keyword_pairs(value, self.src).into_iter().flat_map(|(_, v)| keyword_keys(v, self.src)).collect()
                }
                _ => Vec::new(),
            };
            for (field, offset) in fields {
                self.field_hit(offset, schema, &field, RefKind::Query, Confidence::High);
            }
        }
    }

    /// The schema a dotted receiver is a record of: a bound variable (high), a variable named
    /// after a schema (`ticket` → `Ticket`, medium), or an association read off one
    /// (`ticket.order` → `Order`, medium). Resolution drops names that are no schema.
    fn record(&self, node: Node<'_>) -> Option<(Source, Confidence)> {
        self.memoized(node, |m| &mut m.records, || self.record_uncached(node))
    }

    #[recursive::recursive]
    fn record_uncached(&self, node: Node<'_>) -> Option<(Source, Confidence)> {
        if let Some(part) = self.changeset_part(node) {
            return Some(part);
        }
        match node.kind_name() {
            "identifier" => {
                let name = self.text(node);
                if let Some(typed) = self.lookup_typed(name) {
                    return Some(typed);
                }
                if self.library_value(name) {
                    return None;
                }
                if let Some(schema) = self.schema_named(name) {
                    return Some((schema, Confidence::Medium));
                }
                if name.len() < 3 || name.starts_with('_') || holds_no_record(name) || !is_identifier(name) {
                    return None;
                }
                Some((Source::Schema(self.resolve(&inflect::camelize(name))), Confidence::Medium))
            }
            "unary_operator" if self.text(node) == CAPTURED => self.lookup_typed(CAPTURED),
            // `Events.get_event!(id).name`.
            "call" if has_arguments(node) => {
                self.named_getter(node).filter(|n| !n.tuple).map(|n| (n.schema, Confidence::Medium))
            }
            "call" => {
                let target = node.field("target").filter(|t| t.kind_name() == "dot")?;
                let left = target.field("left")?;
                let right = target.field("right").filter(|r| r.kind_name() == "identifier")?;
                // `row.release.has_docs`: a name that never holds a record itself may still hold
                // one under a field named after its schema.
                // `socket.assigns.device` is named as `assigns.device` is, and an assign
                // `current_user` as a template's `@current_user` is: `User`.
                let assigns = matches!(self.text(left), "assigns" | "socket.assigns" | "conn.assigns");
                let named_base = (left.kind_name() == "identifier" && !self.text(left).starts_with('_')) || assigns;
                if !named_base {
                    self.record(left)?;
                }
                let field = self.text(right);
                let field = if assigns { field.strip_prefix("current_").unwrap_or(field) } else { field };
                let singular = inflect::singularize(field);
                (singular == field)
                    .then(|| (Source::Schema(self.resolve(&inflect::camelize(field))), Confidence::Medium))
            }
            _ => None,
        }
    }

    /// An unbound `event` (a name on [`NAMED_IF_SCHEMA`]): the `Event` this file names — one it
    /// aliases (`alias Claper.Events.Event`), the schema it defines, or its context's schema
    /// (`Claper.Events`). A file that names no such module is no evidence: glific's webhook
    /// calls an HTTP response `message`, papercups' SES code a mail `message`.
    fn schema_named(&self, name: &str) -> Option<Source> {
        if !NAMED_IF_SCHEMA.contains(&name) {
            return None;
        }
        let class = inflect::camelize(name);
        let resolved = self.resolve(&class);
        if resolved != class {
            return Some(Source::Schema(resolved));
        }
        [self.current_schema(), self.own_context_schema()]
            .into_iter()
            .flatten()
            .find(|s| matches!(s, Source::Schema(m) if m.rsplit('.').next() == Some(class.as_str())))
    }

    /// Whether `node` is a name typed by [`Walker::schema_named`] alone, nothing binding it.
    fn named_only(&self, node: Node<'_>) -> bool {
        node.kind_name() == "identifier" && {
            let name = self.text(node);
            NAMED_IF_SCHEMA.contains(&name) && self.lookup_typed(name).is_none()
        }
    }

    /// `Partners.organization(id)`: a module's function named after a schema of its namespace
    /// (`Partners.Organization`) returns one of its records. Resolution drops a name that is no
    /// schema (`Partners.count(…)`, `Accounts.hash(…)`).
    fn noun_record(&self, node: Node<'_>) -> Option<Source> {
        let (name, Some(remote)) = self.callee(node)? else { return None };
        let plain = name.len() >= 3 && is_identifier(name) && !NOT_RECORDS.contains(&name);
        if node.kind_name() != "call" || remote.kind_name() != "alias" || !plain || inflect::singularize(name) != name {
            return None;
        }
        Some(Source::Schema(format!("{}.{}", self.resolve(self.text(remote)), inflect::camelize(name))))
    }

    /// What a right-hand side evaluates to when it is one record of a schema.
    /// A schema's context module (`Organizations` beside `Organization`) returns its records from
    /// `get`, `create`, `update` …: medium, since a context may return something else.
    fn record_of(&self, node: Node<'_>) -> Option<(Source, Confidence)> {
        if let Some(schema) = self.struct_of(node) {
            return Some((schema, Confidence::High));
        }
        if let Some(part) = self.changeset_part(node) {
            return Some(part);
        }
        if node.kind_name() == "binary_operator" {
            return self.piped_record(node);
        }
        if node.kind_name() != "call" {
            return None;
        }
        let (name, remote) = self.callee(node)?;
        let Some(remote_node) = remote else { return self.local_record(name, arguments(node).len()) };
        let remote = self.text(remote_node);
        if remote.ends_with("Repo") && matches!(name, "get" | "get!" | "get_by" | "get_by!" | "one" | "one!") {
            return arguments(node).first().and_then(|a| self.source_of(*a)).map(|s| (s, Confidence::High));
        }
        if matches!(
            name,
            "get" | "get!" | "get_by" | "get_by!" | "fetch" | "fetch!" | "create" | "create!" | "update" | "update!"
        ) && let Some(schema) = self.context_schema(remote_node)
        {
            return Some((schema, Confidence::Medium));
        }
        None
    }

    /// `podcast |> assoc(:episode_requests) |> EpisodeRequest.preload_all() |> Repo.get!(id)`:
    /// a pipeline ending in a `Repo` fetch of one record (or `Repo.all`: a list, bound to its
    /// elements' schema as lists are), from a schema root, an `assoc` stage or a stage of a
    /// schema's own module.
    fn piped_record(&self, node: Node<'_>) -> Option<(Source, Confidence)> {
        let mut stages = Vec::new();
        let mut current = node;
        while current.kind_name() == "binary_operator"
            && current.field("operator").is_some_and(|o| self.text(o) == "|>")
        {
            stages.push(current.field("right")?);
            current = current.field("left")?;
        }
        let (last, remote) = self.callee(*stages.first()?)?;
        // (`run |> Run.changeset(…) |> Repo.update!()`: the record written.)
        if !remote.is_some_and(|r| self.text(r).ends_with("Repo"))
            || !matches!(
                last,
                "get"
                    | "get!"
                    | "get_by"
                    | "get_by!"
                    | "one"
                    | "one!"
                    | "all"
                    | "update!"
                    | "insert!"
                    | "insert_or_update!"
            )
        {
            return None;
        }
        for stage in stages.iter().skip(1).copied().chain(std::iter::once(current)) {
            if let Some(Source::Schema(s)) = self.source_of(stage) {
                return Some((Source::Schema(s), Confidence::High));
            }
            match self.callee(stage) {
                Some(("assoc", None)) => {
                    let (assoc, _) = arguments(stage).iter().find_map(|a| atom(*a, self.src))?;
                    return Some((Source::Schema(self.resolve(&inflect::classify(&assoc))), Confidence::Medium));
                }
                Some((_, Some(module))) => {
                    if let Some(full) = self.schema_module(module) {
                        return Some((Source::Schema(full), Confidence::Medium));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// A module named as a schema is (`Status`, not `Statuses`, `StatusQuery` or `Repo`): its
    /// query functions (`Status.get_for_batch(id)`) return queries over it.
    fn schema_module(&self, module: Node<'_>) -> Option<String> {
        if module.kind_name() != "alias" {
            return None;
        }
        let full = self.resolve(self.text(module));
        let last = full.rsplit('.').next().unwrap_or(&full);
        let snake = inflect::underscore(last);
        (!last.ends_with("Repo") && !last.ends_with("Query") && !is_plural(&snake) && !full.starts_with("Ecto."))
            .then_some(full)
    }

    /// The schema a context module serves: `Hexpm.Security.Advisories` → `…Advisory`.
    fn context_schema(&self, remote: Node<'_>) -> Option<Source> {
        if remote.kind_name() != "alias" {
            return None;
        }
        self.aliased(context_schema_of(&self.resolve(self.text(remote)))?)
    }

    /// `Advisories.upsert([record])` with `record = %{summary: s}` earlier, or
    /// `CACertificates.update_ca_certificate(ca, %{last_used: now})`: a context module's writer
    /// given maps takes them as its schema's attributes (medium, and an attribute whichever table
    /// alone has the column).
    /// A schema module's own writer named after it (`WaReaction.create_wa_reaction(attrs)`,
    /// `Location.update_location(l, attrs)`) is one too, of that schema.
    fn context_write(&mut self, name: &str, remote: Node<'_>, args: &[Node<'_>]) {
        if let Some(schema) = self.context_schema(remote) {
            self.context_call(name, &schema, args, &[]);
        } else if remote.kind_name() == "alias" {
            let full = self.resolve(self.text(remote));
            let last = full.rsplit('.').next().unwrap_or(&full);
            let own = ["create_", "update_", "upsert_"]
                .iter()
                .any(|w| name.strip_prefix(w).is_some_and(|rest| rest == inflect::underscore(last)));
            if own {
                self.context_call(name, &Source::Schema(full.clone()), args, &[]);
            }
        }
    }

    /// A call of a context's function (`schema` is the context's) given maps, or `piped` keys:
    /// a writer's maps are the schema's attributes; any other function's map literals are its
    /// filters (`Conversations.count_conversations_where(id, %{"read" => false})`), the
    /// schema's fields only (no attribute fallback: a map of options names no column).
    fn context_call(&mut self, name: &str, schema: &Source, args: &[Node<'_>], piped: &[(String, usize)]) {
        let writer = ["create", "update", "insert", "upsert", "put", "new", "change", "build"]
            .iter()
            .any(|w| name.starts_with(w));
        let mut keys: Vec<(String, usize)> = piped.to_vec();
        if writer {
            let mut vars: Vec<Node<'_>> = Vec::new();
            for arg in args {
                if arg.kind_name() == "list" {
                    let mut cursor = arg.walk();
                    vars.extend(arg.named_children(&mut cursor).filter(|i| i.kind_name() == "identifier"));
                } else if arg.kind_name() == "identifier" {
                    vars.push(*arg);
                }
            }
            keys.extend(vars.iter().filter_map(|v| self.local_map(self.text(*v))).flatten().cloned());
            for arg in args.iter().filter(|a| matches!(a.kind_name(), "call" | "binary_operator")) {
                keys.extend(self.merged_keys(*arg));
            }
        }
        for arg in args.iter().filter(|a| a.kind_name() == "map" && self.struct_of(**a).is_none()) {
            keys.extend(map_keys(*arg, self.src));
        }
        // A map another function built is the schema's only where a writer takes it.
        if !writer {
            keys.retain(|(_, offset)| !self.is_returned_key(*offset));
        }
        if writer {
            self.written_markers(&keys, schema);
            // A nested record's params (`cast_assoc`): only that association's, never a fallback.
            if let Source::Schema(model) = schema {
                for arg in args {
                    for (assoc, key, offset) in self.nested_params(*arg) {
                        let source = Source::Assoc { model: model.clone(), assoc };
                        self.field_hit(offset, &source, &key, RefKind::Query, Confidence::Medium);
                    }
                }
            }
        }
        for (key, offset) in keys {
            self.field_hit(offset, schema, &key, RefKind::Query, Confidence::Medium);
            // Another function's map may be built for more than this writer (a nested record's
            // params): only the writer's schema is sure enough to read its keys as columns.
            if writer && !self.is_returned_key(offset) {
                self.attribute_hit(offset, &key);
            }
        }
    }

    /// Keys of the map literals a params expression merges: `%{"a" => 1} |> Map.merge(params)`,
    /// `Map.merge(params, %{role: "admin"})`, `Enum.into(params, %{"b" => 2})`, and a variable
    /// already holding such keys.
    fn merged_keys(&self, node: Node<'_>) -> Vec<(String, usize)> {
        self.memoized(node, |m| &mut m.keys, || self.merged_keys_uncached(node))
    }

    /// `compute` for `node`, kept in one of the chain memo's `table`s while a chain is read (see
    /// [`ChainMemo`]): each level of a chain asks it of the levels below, once each.
    fn memoized<T: Clone>(
        &self,
        node: Node<'_>,
        table: fn(&mut ChainMemo) -> &mut HashMap<usize, T>,
        compute: impl FnOnce() -> T,
    ) -> T {
        let on = self.chain_memo.borrow().on;
        if !on {
            return compute();
        }
        let known = table(&mut self.chain_memo.borrow_mut()).get(&node.id()).cloned();
        if let Some(known) = known {
            return known;
        }
        let found = compute();
        table(&mut self.chain_memo.borrow_mut()).insert(node.id(), found.clone());
        found
    }

    #[recursive::recursive]
    fn merged_keys_uncached(&self, node: Node<'_>) -> Vec<(String, usize)> {
        match node.kind_name() {
            "map" if self.struct_of(node).is_none() => map_keys(node, self.src),
            // `%Media{title: t}` in the plain struct's own module.
            "map"
                if self.modules.last().is_some_and(|m| {
                    m.plain_struct && self.struct_of(node) == Some(Source::Schema(m.name.clone()))
                }) =>
            {
                map_keys(node, self.src)
            }
            "identifier" => self.local_map(self.text(node)).cloned().unwrap_or_default(),
            "binary_operator" if node.field("operator").is_some_and(|o| self.text(o) == "|>") => {
                let mut out = node.field("left").map(|l| self.merged_keys(l)).unwrap_or_default();
                let Some(stage) = node.field("right") else { return out };
                match self.callee(stage) {
                    Some(("merge" | "into", Some(m))) if matches!(self.text(m), "Map" | "Enum") => {
                        for arg in arguments(stage) {
                            out.extend(self.merged_keys(arg));
                        }
                    }
                    Some((name, Some(m))) if self.text(m) == "Map" => {
                        out.extend(self.put_key(name, &arguments(stage), true));
                    }
                    // `… |> select([c], %{start_date: min(c.date)})`: the rows' keys.
                    Some(("select" | "select_merge", None)) => {
                        out.extend(
                            arguments(stage)
                                .last()
                                .filter(|m| m.kind_name() == "map")
                                .map(|m| self.row_keys(*m, &[]))
                                .unwrap_or_default(),
                        );
                    }
                    Some((name, None)) => out.extend(self.returned_keys(name)),
                    // `json |> Parser.parse()`: that function's result, not `json`.
                    Some(_) => {
                        if let Some(key) = self.result_key(stage) {
                            out.retain(|(k, _)| is_identifier(k));
                            out.push(key);
                        }
                    }
                    _ => {}
                }
                out
            }
            "list" => self.list_keys(node),
            "call" if matches!(self.callee(node), Some(("for", None)) | Some(("map" | "flat_map", Some(_)))) => {
                self.built_list_keys(node)
            }
            "call" if matches!(self.callee(node), Some(("merge" | "into", Some(m))) if matches!(self.text(m), "Map" | "Enum")) => {
                arguments(node).into_iter().flat_map(|a| self.merged_keys(a)).collect()
            }
            // `Repo.one(query)`: the row a `select: %{…}` query gives.
            "call" if matches!(self.callee(node), Some(("one" | "one!", Some(m))) if self.text(m).ends_with("Repo")) => {
                arguments(node).first().map(|q| self.merged_keys(*q)).unwrap_or_default()
            }
            "call" if self.is_from(node) => self.select_keys(node),
            // `row || %{end_date: now}`: either.
            "binary_operator" if node.field("operator").is_some_and(|o| self.text(o) == "||") => {
                let mut out = node.field("left").map(|l| self.merged_keys(l)).unwrap_or_default();
                out.extend(node.field("right").map(|r| self.merged_keys(r)).unwrap_or_default());
                out
            }
            // `changes = if c do %{a: 1} else %{b: 2} end`: every branch's.
            "call" if matches!(self.callee(node), Some(("case" | "if" | "cond" | "unless", None))) => {
                self.branch_keys(node)
            }
            "call" => match self.callee(node) {
                // `Map.drop(attrs, [:id])`, `Map.take(attrs, [:a])`: what is left of the map.
                Some((name @ ("drop" | "delete" | "take" | "filter" | "reject" | "from_struct"), Some(m)))
                    if self.text(m) == "Map" =>
                {
                    let args = arguments(node);
                    let mut out = args.first().map(|a| self.merged_keys(*a)).unwrap_or_default();
                    let named: Vec<String> = args
                        .get(1)
                        .map(|a| atoms_in(*a, self.src))
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, _)| k)
                        .collect();
                    match name {
                        "drop" | "delete" => out.retain(|(k, _)| !named.contains(k)),
                        "take" => out.retain(|(k, _)| named.contains(k) || !is_identifier(k)),
                        _ => {}
                    }
                    out
                }
                Some((name, Some(m))) if self.text(m) == "Map" => {
                    let args = arguments(node);
                    let Some(key) = self.put_key(name, &args, false) else { return Vec::new() };
                    let mut out = args.first().map(|a| self.merged_keys(*a)).unwrap_or_default();
                    out.push(key);
                    out
                }
                Some((name, None)) => {
                    let mut out = self.returned_keys(name);
                    out.extend(self.passed_keys(name, &arguments(node)));
                    out
                }
                // `Parser.parse(json)`: what another module's function returns.
                Some(_) => self.result_key(node).into_iter().collect(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// The schema of a collection's elements: a typed variable, a plural name (`requirements` →
    /// `Requirement`), an association read (`release.requirements`).
    fn element_of(&self, node: Node<'_>) -> Option<(Source, Confidence)> {
        let plural = |name: &str| {
            (name.len() >= 3 && !NOT_RECORDS.contains(&name) && is_identifier(name) && is_plural(name))
                .then(|| (Source::Schema(self.resolve(&inflect::classify(name))), Confidence::Medium))
        };
        match node.kind_name() {
            "identifier" => {
                let name = self.text(node);
                self.lookup_typed(name).or_else(|| plural(name))
            }
            "call" if !has_arguments(node) => {
                let right = node.field("target")?.field("right")?;
                plural(self.text(right))
            }
            // `fetch_data("groups", …)`: the rows of the query a literal dispatches to.
            "call" => self.dispatched_rows(node).map(|s| (s, Confidence::High)),
            _ => None,
        }
    }

    /// An element of a typed list: a name that never holds a record (`map`, `row`) is bound only
    /// when it abbreviates the schema's (`req` over requirements) or a query typed the list.
    fn bind_element(&mut self, var: &str, element: &(Source, Confidence)) {
        let schema = match &element.0 {
            Source::Schema(m) => inflect::underscore(m.rsplit('.').next().unwrap_or(m)),
            Source::Table(t) => inflect::singularize(t),
            Source::Assoc { assoc, .. } => inflect::singularize(assoc),
            Source::Returned(function) => function.rsplit('.').next().unwrap_or(function).to_owned(),
        };
        // A list a query typed holds records whatever its elements are called (`fn row ->`).
        // A name apps give schemas is the last word of the schema's (`fn event ->` over
        // `wal_events`).
        let role = NAMED_IF_SCHEMA.contains(&var) && schema.ends_with(&format!("_{var}"));
        if NOT_RECORDS.contains(&var) && !schema.starts_with(var) && !role && element.1 < Confidence::High {
            return;
        }
        self.bind_as(var, element.0.clone(), element.1);
    }

    /// Binds the first parameter of each `fn x -> … end` among `args` to `element`.
    fn bind_fn_params(&mut self, args: &[Node<'_>], element: (Source, Confidence)) {
        for name in self.fn_first_params(args) {
            self.bind_element(&name, &element);
        }
        // `Enum.sort_by(batches, &{-&1.priority, &1.last_polled})`: a capture's `&1` is the
        // element as the `fn`'s parameter is (captures do not nest, so no inner one rebinds it).
        if args.iter().any(|a| a.kind_name() == "unary_operator" && self.text(*a).starts_with('&')) {
            self.bind_as(CAPTURED, element.0, element.1);
        }
    }

    /// A Repo as a call's module: `Repo`, `MyApp.Repo`, the one a changeset carries in
    /// `prepare_changes(fn changeset -> … |> changeset.repo.update_all(…) end)`, or a
    /// `Multi.run` callback's first parameter.
    fn is_repo(&self, remote: &str) -> bool {
        remote.ends_with("Repo") || remote == "changeset.repo" || self.repo_params.contains(remote)
    }

    /// The first parameter of each clause of each `fn … end` among `args`, where it is a name.
    fn fn_first_params(&self, args: &[Node<'_>]) -> Vec<String> {
        let mut names = Vec::new();
        for arg in args.iter().filter(|a| a.kind_name() == "anonymous_function") {
            let mut cursor = arg.walk();
            for clause in arg.named_children(&mut cursor).filter(|c| c.kind_name() == "stab_clause") {
                let Some(params) = clause.field("left") else { continue };
                if let Some(first) = params.named_child(0).filter(|p| p.kind_name() == "identifier") {
                    names.push(self.text(first).to_owned());
                }
            }
        }
        names
    }

    /// The first argument of an app's changeset helper (`dynamic_default(:custom_name, f)`)
    /// piped a changeset of the schema this module declares, when it is one of its fields.
    fn own_field_argument(&mut self, args: &[Node<'_>]) {
        let Some(schema) = self.current_schema() else { return };
        let Some((field, offset)) = args.first().and_then(|a| atom(*a, self.src)) else { return };
        let declared =
            self.modules.last().and_then(|m| m.schema.as_ref()).is_some_and(|(_, _, f)| f.contains_key(&field));
        if declared {
            self.field_hit(offset, &schema, &field, RefKind::Query, Confidence::High);
        }
    }

    /// Field arguments of a changeset function (`cast(attrs, [:email])`, `validate_required(@required)`).
    fn changeset_fields(&mut self, name: &str, args: &[Node<'_>], schema: &Source) {
        let mut fields: Vec<(String, usize)> = Vec::new();
        match name {
            "cast" => {
                for arg in args {
                    fields.extend(self.field_list(*arg));
                }
            }
            "change" => {
                for arg in args {
                    fields.extend(keyword_keys(*arg, self.src));
                }
            }
            _ => {
                if let Some(found) = args.iter().map(|a| self.field_list(*a)).find(|f| !f.is_empty()) {
                    fields = found;
                }
            }
        }
        // `validate_change(:key, fn _, v -> [key: "has spaces"] end)`: the validator's errors are
        // keyed by the field it validates.
        if name == "validate_change"
            && let Some((field, _)) = fields.first().cloned()
        {
            let mut stack: Vec<Node<'_>> =
                args.iter().filter(|a| a.kind_name() == "anonymous_function").copied().collect();
            while let Some(node) = stack.pop() {
                if node.kind_name() == "list" {
                    fields.extend(keyword_keys(node, self.src).into_iter().filter(|(k, _)| *k == field));
                }
                // `[{:key, "is invalid"} | acc]`: the same error written as a tuple.
                if node.kind_name() == "tuple"
                    && node.named_child_count() == 2
                    && let Some(key) = node.named_child(0).and_then(|k| atom(k, self.src)).filter(|(k, _)| *k == field)
                {
                    fields.push(key);
                }
                let mut cursor = node.walk();
                stack.extend(node.named_children(&mut cursor));
            }
        }
        for (field, offset) in fields {
            self.field_hit(offset, schema, &field, RefKind::Query, Confidence::High);
        }
    }

    /// Atoms of `:email`, `[:email, :name]`, `~w(email name)a`, `@required`, `@a ++ @b`.
    fn field_list(&self, node: Node<'_>) -> Vec<(String, usize)> {
        match node.kind_name() {
            "atom" | "list" | "sigil" => atoms_in(node, self.src),
            "identifier" => {
                let name = self.text(node);
                self.modules.iter().rev().find_map(|m| m.local_lists.get(name).cloned()).unwrap_or_default()
            }
            "unary_operator" => {
                let Some(operand) = node.field("operand") else { return Vec::new() };
                let name = self.text(operand);
                self.modules.iter().rev().find_map(|m| m.atom_lists.get(name).cloned()).unwrap_or_default()
            }
            "binary_operator" => {
                let mut out = Vec::new();
                if let Some(l) = node.field("left") {
                    out.extend(self.field_list(l));
                }
                if let Some(r) = node.field("right") {
                    out.extend(self.field_list(r));
                }
                out
            }
            _ => Vec::new(),
        }
    }
}

/// Repo's writers by name: a local or imported function so named is the app's own writer.
const REPO_WRITERS: &[&str] =
    &["insert", "insert!", "update", "update!", "insert_all", "update_all", "insert_or_update", "insert_or_update!"];

/// `Map` functions whose second argument (the first in a pipeline) names a record's fields.
const MAP_FIELD_FNS: &[&str] = &["take", "get", "fetch", "fetch!", "drop", "put", "delete", "has_key?", "update"];

/// Suffixes of a variable's name that say it holds params or options, no record
/// (`template_payload`, `message_params`, `update_attrs`).
const MAP_NAME_SUFFIXES: &[&str] = &["_payload", "_params", "_attrs", "_opts", "_options", "_args"];

/// The frame key of a capture's first argument, bound where its collection is typed.
const CAPTURED: &str = "&1";

/// Whether a variable's name says it never holds a record: one of [`NOT_RECORDS`], or a name
/// ending in one of [`MAP_NAME_SUFFIXES`].
fn holds_no_record(name: &str) -> bool {
    NOT_RECORDS.contains(&name) || MAP_NAME_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Names on [`NOT_RECORDS`] that apps also give their own schemas (an `Event` of a
/// presentation tool, a `Message` of a chat app, a `State` log): unbound, such a name is a record
/// of the schema it names when the app has one — resolution drops it otherwise — and never
/// another table's (no attribute fallback). The rest of the list names the framework's own values
/// (a socket, a form, a changeset, an Oban job) or maps, whatever the app's schemas are called.
const NAMED_IF_SCHEMA: &[&str] = &["event", "message", "state", "item", "entry", "session"];

/// Modules whose functions return their own structs or plain values, never an app's records: a
/// variable bound to such a call (`uri = URI.parse(url)`) holds no record, whatever its name.
/// (Not `Map`, `Enum` or `Keyword`, whose functions hand records back.)
const LIBRARY_VALUES: &[&str] = &[
    "URI",
    "DateTime",
    "NaiveDateTime",
    "Date",
    "Time",
    "Regex",
    "Version",
    "Path",
    "File",
    "System",
    "Integer",
    "Float",
    "String",
    "Decimal",
    "Base",
    "Req",
    "HTTPoison",
    "Finch",
    "Tesla",
    "Timex",
];

/// Variables that are never schema structs, whatever their name (but see [`NAMED_IF_SCHEMA`]).
const NOT_RECORDS: &[&str] = &[
    "socket",
    "conn",
    "assigns",
    "params",
    "opts",
    "options",
    "state",
    "acc",
    "config",
    "changeset",
    "attrs",
    "query",
    "repo",
    "data",
    "result",
    "results",
    "map",
    "env",
    "meta",
    "metadata",
    "context",
    "ctx",
    "args",
    "session",
    "payload",
    "event",
    "message",
    "msg",
    "error",
    "reason",
    "struct",
    "schema",
    "module",
    "mod",
    "value",
    "item",
    "entry",
    "row",
    "rows",
    "resp",
    "response",
    "req",
    "request",
    "body",
    "headers",
    "form",
    "field",
    "fields",
    "multi",
    "job",
    "info",
    "stats",
    "settings",
    "record",
    "records",
    // What a renderer returned (`@rendered.description`: markdown rendered per field).
    "rendered",
    // `:telemetry` handlers' `handle_event(event, measurements, metadata, config)`.
    "measurement",
    "measurements",
];

/// The schema a context module serves, named as phx.gen.context lays it out: `MyApp.Accounts`
/// → `MyApp.Accounts.Account` (resolution falls back to `MyApp.Account`, the older layout).
/// `CACertificates` → `CACertificate`: the context's own spelling when only its plural ending
/// goes, so an acronym keeps its case.
fn context_schema_of(full: &str) -> Option<Source> {
    let last = full.rsplit('.').next().unwrap_or(full);
    let snake = inflect::underscore(last);
    if !is_plural(&snake) {
        return None;
    }
    let singular = inflect::singularize(&snake);
    let schema = snake
        .len()
        .checked_sub(singular.len())
        .and_then(|dropped| last.len().checked_sub(dropped))
        .and_then(|keep| last.get(..keep))
        .filter(|kept| inflect::underscore(kept) == singular)
        .map_or_else(|| inflect::classify(&snake), str::to_owned);
    Some(Source::Schema(format!("{full}.{schema}")))
}

/// The pattern of each clause of a `case … do` block (through its guard).
fn case_clause_patterns(node: Node<'_>) -> Vec<Node<'_>> {
    let Some(block) = do_block(node) else { return Vec::new() };
    let mut cursor = block.walk();
    block
        .named_children(&mut cursor)
        .filter(|c| c.kind_name() == "stab_clause")
        .filter_map(|c| clause_params(c).and_then(|p| p.named_child(0)))
        .collect()
}

/// A stab clause's parameters, through its guard (`%{a: x} when x > 0 ->`).
fn clause_params(clause: Node<'_>) -> Option<Node<'_>> {
    let left = clause.field("left")?;
    if left.kind_name() == "binary_operator" && left.field("operator").is_some_and(|o| o.kind_name() == "when") {
        return left.field("left");
    }
    Some(left)
}

/// The field a hit names, whatever its receiver.
fn field_of(target: &Target) -> Option<&str> {
    match target {
        Target::ModelColumn { column, .. } | Target::Column { column, .. } => Some(column),
        Target::Attribute { name } | Target::AttributeThrough { attribute: name, .. } => Some(name),
        Target::Chain { attribute: Some(attribute), .. } => Some(attribute),
        _ => None,
    }
}

/// The schemas a variable named `a_or_b` may hold a record of: `A`, `B`, and `AB` (the second
/// word sharing the first's head: `firmware_or_delta` → `Firmware`, `Delta`, `FirmwareDelta`).
fn either(name: &str) -> Option<Vec<String>> {
    let (a, b) = name.split_once("_or_")?;
    (is_identifier(a) && is_identifier(b) && !a.is_empty() && !b.is_empty() && !b.contains("_or_"))
        .then(|| vec![inflect::camelize(a), inflect::camelize(b), inflect::camelize(&format!("{a}_{b}"))])
}

/// The last expression of a function's body: `do … end`'s last, or `do: …`.
fn body_last<'t>(def: Node<'t>, args: &[Node<'t>], src: &str) -> Option<Node<'t>> {
    if let Some(block) = do_block(def) {
        let mut cursor = block.walk();
        return block.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").last();
    }
    args.iter().skip(1).flat_map(|a| keyword_pairs(*a, src)).find_map(|(k, v)| (k == "do").then_some(v))
}

/// `x` and `{:ok, x}`: the variable a call's record lands in.
fn ok_var<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    match node.kind_name() {
        "identifier" => Some(node),
        "tuple" => {
            let mut cursor = node.walk();
            let items: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
            match items.as_slice() {
                [ok, var] if src.get(ok.byte_range()) == Some(":ok") && var.kind_name() == "identifier" => Some(*var),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A changeset function whose fields are its first atom argument: Ecto's, and the app's own
/// local validators of the same shape (`validate_nil_field(changeset, :session_token, …)`).
fn is_changeset_fn(name: &str, remote: Option<&str>) -> bool {
    CHANGESET_FIRST.contains(&name)
        || (remote.is_none()
            && (name.starts_with("validate_") || name.ends_with("_constraint"))
            // `assoc_constraint(:author)` names an association, not a column.
            && !name.ends_with("assoc_constraint"))
}

fn is_plural(name: &str) -> bool {
    let singular = inflect::singularize(name);
    singular != name && inflect::pluralize(&singular) == name
}

fn has_arguments(call: Node<'_>) -> bool {
    let mut cursor = call.walk();
    call.children(&mut cursor).any(|c| matches!(c.kind_name(), "arguments" | "do_block"))
}

fn arguments(call: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = call.walk();
    let Some(list) = call.children(&mut cursor).find(|c| c.kind_name() == "arguments") else { return Vec::new() };
    let mut cursor = list.walk();
    list.named_children(&mut cursor).filter(|n| n.kind_name() != "comment").collect()
}

fn do_block(call: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = call.walk();
    call.children(&mut cursor).find(|c| c.kind_name() == "do_block")
}

/// `(key, value)` of a `keywords` node (or a list holding one): `[type: :utc_datetime]`.
fn keyword_pairs<'t>(node: Node<'t>, src: &str) -> Vec<(String, Node<'t>)> {
    let keywords: Vec<Node<'t>> = match node.kind_name() {
        "keywords" => vec![node],
        "list" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).filter(|c| c.kind_name() == "keywords").collect()
        }
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for kw in keywords {
        let mut cursor = kw.walk();
        for pair in kw.named_children(&mut cursor).filter(|p| p.kind_name() == "pair") {
            if let (Some(key), Some(value)) = (pair.field("key"), pair.field("value"))
                && let Some(text) = src.get(key.byte_range())
            {
                out.push((text.trim_end().trim_end_matches(':').trim_matches('"').to_owned(), value));
            }
        }
    }
    out
}

/// The variable a pattern binds whole: `user`, `%{} = user`, `user = %{…}`.
/// The map patterns of a `case`'s clauses, `%{…} = x` read as `%{…}`.
fn case_clause_maps(node: Node<'_>) -> Vec<Node<'_>> {
    case_clause_patterns(node)
        .into_iter()
        .filter_map(|pattern| match pattern.kind_name() {
            "binary_operator" => pattern.field("left").filter(|l| l.kind_name() == "map"),
            "map" => Some(pattern),
            _ => None,
        })
        .collect()
}

/// The map pattern of a function head's parameter: `%{…}`, `%{…} = x` or `x = %{…}`.
pub(super) fn param_map(param: Node<'_>) -> Option<Node<'_>> {
    match param.kind_name() {
        "binary_operator" => {
            [param.field("left"), param.field("right")].into_iter().flatten().find(|side| side.kind_name() == "map")
        }
        "map" => Some(param),
        _ => None,
    }
}

fn pattern_var<'t>(pattern: Node<'t>, src: &str) -> Option<Node<'t>> {
    match pattern.kind_name() {
        "identifier" => Some(pattern),
        "binary_operator" if pattern.field("operator").and_then(|o| src.get(o.byte_range())) == Some("=") => {
            [pattern.field("left"), pattern.field("right")]
                .into_iter()
                .flatten()
                .find(|side| side.kind_name() == "identifier")
        }
        _ => None,
    }
}

/// `(key, value)` of a map's atom keys: `%{assigns: a}`.
fn map_pairs<'t>(map: Node<'t>, src: &str) -> Vec<(String, Node<'t>)> {
    let mut cursor = map.walk();
    let contents: Vec<Node<'t>> = map.named_children(&mut cursor).filter(|c| c.kind_name() == "map_content").collect();
    let mut out = Vec::new();
    for content in contents {
        let mut inner = content.walk();
        let keywords: Vec<Node<'t>> = content.named_children(&mut inner).collect();
        out.extend(keywords.into_iter().flat_map(|kw| keyword_pairs(kw, src)));
    }
    out
}

/// Keys with their offsets of a keyword list or map content: `[email: e]`, `%{email: e}`.
fn keyword_keys(node: Node<'_>, src: &str) -> Vec<(String, usize)> {
    let keywords: Vec<Node<'_>> = match node.kind_name() {
        "keywords" => vec![node],
        "list" | "map_content" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .filter_map(|c| match c.kind_name() {
                    "keywords" => Some(c),
                    // `%User{user | email: e}`: the keys after the bar.
                    "binary_operator" if map_update_base(c, src).is_some() => {
                        c.field("right").filter(|r| r.kind_name() == "keywords")
                    }
                    _ => None,
                })
                .collect()
        }
        "map" => {
            let mut cursor = node.walk();
            let contents: Vec<Node<'_>> =
                node.named_children(&mut cursor).filter(|c| c.kind_name() == "map_content").collect();
            return contents.into_iter().flat_map(|c| keyword_keys(c, src)).collect();
        }
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for kw in keywords {
        let mut cursor = kw.walk();
        for pair in kw.named_children(&mut cursor).filter(|p| p.kind_name() == "pair") {
            if let Some(key) = pair.field("key")
                && let Some(text) = src.get(key.byte_range())
            {
                let name = text.trim_end().trim_end_matches(':').trim_matches('"');
                out.push((name.to_owned(), key.start_byte() + usize::from(text.starts_with('"'))));
            }
        }
    }
    out
}

/// Keys of a params map, atom (`%{email: e}`) and string (`%{"email" => e}`) alike.
fn map_keys(node: Node<'_>, src: &str) -> Vec<(String, usize)> {
    let mut out = keyword_keys(node, src);
    let mut cursor = node.walk();
    let contents: Vec<Node<'_>> = node.named_children(&mut cursor).filter(|c| c.kind_name() == "map_content").collect();
    for content in contents {
        let mut cursor = content.walk();
        for item in content.named_children(&mut cursor) {
            if item.kind_name() == "binary_operator"
                && item.field("operator").and_then(|o| src.get(o.byte_range())) == Some("=>")
                && let Some(key) = item.field("left")
                // `%{"k" => v}`, and `%{:k => v}`, the same map as `%{k: v}`.
                && let Some(found) = string(key, src).or_else(|| atom(key, src))
            {
                out.push(found);
            }
        }
    }
    out
}

/// The record a map update (`x | key: value`) starts from.
fn map_update_base<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    (node.kind_name() == "binary_operator" && node.field("operator").and_then(|o| src.get(o.byte_range())) == Some("|"))
        .then(|| node.field("left"))
        .flatten()
}

/// `:email` → ("email", offset of `e`).
fn atom(node: Node<'_>, src: &str) -> Option<(String, usize)> {
    let text = src.get(node.byte_range())?;
    match node.kind_name() {
        "atom" => Some((text.trim_start_matches(':').to_owned(), node.start_byte() + 1)),
        "quoted_atom" => {
            let inner = text.trim_start_matches(':').trim_matches('"');
            Some((inner.to_owned(), node.start_byte() + 2))
        }
        _ => None,
    }
}

fn string(node: Node<'_>, src: &str) -> Option<(String, usize)> {
    if node.kind_name() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let parts: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    match parts.as_slice() {
        [content] if content.kind_name() == "quoted_content" => {
            Some((src.get(content.byte_range())?.to_owned(), content.start_byte()))
        }
        _ => None,
    }
}

/// Atoms in an atom, a list of atoms, or a `~w(…)a` sigil.
fn atoms_in(node: Node<'_>, src: &str) -> Vec<(String, usize)> {
    match node.kind_name() {
        "atom" | "quoted_atom" => atom(node, src).into_iter().collect(),
        "list" => {
            let mut cursor = node.walk();
            let items: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            items.into_iter().filter_map(|i| atom(i, src)).collect()
        }
        "sigil" => {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            // `~w(email name)a`, and `~w(email name)`: `cast` accepted string lists before atoms.
            let is_w = children.iter().any(|c| c.kind_name() == "sigil_name" && src.get(c.byte_range()) == Some("w"));
            let Some(content) = children.iter().find(|c| c.kind_name() == "quoted_content") else { return Vec::new() };
            if !is_w {
                return Vec::new();
            }
            let text = src.get(content.byte_range()).unwrap_or("");
            let base = content.start_byte();
            let mut out = Vec::new();
            let mut start = None;
            for (i, c) in text.char_indices().chain(std::iter::once((text.len(), ' '))) {
                match (c.is_whitespace(), start) {
                    (false, None) => start = Some(i),
                    (true, Some(s)) => {
                        out.push((text[s..i].to_owned(), base + s));
                        start = None;
                    }
                    _ => {}
                }
            }
            out
        }
        _ => Vec::new(),
    }
}

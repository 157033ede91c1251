//! Ecto (Phoenix): schemas, their fields, and the places code uses them.
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

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use tree_sitter::{Node, Parser};

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
        2
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Phoenix
            && [".ex", ".exs", ".heex", ".eex", ".leex"].iter().any(|ext| path.ends_with(ext))
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let (path, source) = (file.path, file.text);
        if path.ends_with(".ex") || path.ends_with(".exs") {
            return extract(source);
        }
        let mut walker = Walker::new(source);
        walker.template_scope = template_scope(path);
        walker.template(source, 0, path.ends_with(".heex"), &dir_model(path));
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
    let mut parser = Parser::new();
    if parser.set_language(&tree_sitter_elixir::LANGUAGE.into()).is_err() {
        return FileFacts::default();
    }
    let Some(tree) = parser.parse(source, None) else { return FileFacts::default() };
    let mut walker = Walker::new(source);
    walker.visit(tree.root_node());
    let mut facts = walker.facts;
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
}

struct Walker<'a> {
    src: &'a str,
    line_starts: Vec<usize>,
    facts: FileFacts,
    modules: Vec<Module>,
    /// Query bindings and struct-typed variables, innermost frame last.
    frames: Vec<HashMap<String, Source>>,
    /// The binding scope of the templates this file renders or is (see [`template_scope`]).
    template_scope: Option<String>,
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
];

impl<'a> Walker<'a> {
    fn new(src: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i + 1));
        Walker {
            src,
            line_starts,
            facts: FileFacts::default(),
            modules: Vec::new(),
            frames: vec![HashMap::new()],
            template_scope: None,
        }
    }

    fn text(&self, node: Node<'_>) -> &'a str {
        self.src.get(node.byte_range()).unwrap_or("")
    }

    fn hit_at(&mut self, offset: usize, target: Target, kind: RefKind, confidence: Confidence) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.src.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        let end = self.line_starts.get(line).map_or(self.src.len(), |e| e.saturating_sub(1));
        let snippet = self.src.get(start..end).unwrap_or("").trim().to_owned();
        self.facts.hits.push(Hit { line: line as u32, column: column as u32, target, kind, confidence, snippet });
    }

    fn field_hit(&mut self, offset: usize, source: &Source, field: &str, kind: RefKind, confidence: Confidence) {
        if !is_identifier(field) {
            return;
        }
        let target = match source {
            Source::Table(table) => Target::Column { table: table.clone(), column: field.to_owned() },
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
        written.to_owned()
    }

    fn lookup(&self, var: &str) -> Option<Source> {
        self.frames.iter().rev().find_map(|f| f.get(var).cloned())
    }

    fn bind(&mut self, var: &str, source: Source) {
        if var.starts_with('_') {
            return;
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(var.to_owned(), source);
        }
    }

    fn with_frame(&mut self, f: impl FnOnce(&mut Self)) {
        self.frames.push(HashMap::new());
        f(self);
        self.frames.pop();
    }

    fn visit(&mut self, node: Node<'_>) {
        match node.kind() {
            "comment" => {}
            "call" => self.visit_call(node),
            "unary_operator" => self.visit_attribute(node),
            "binary_operator" => self.visit_binary(node),
            "map" => {
                self.struct_literal(node);
                self.map_update(node);
                self.visit_children(node);
            }
            "sigil" => {
                // `~H"""…"""` (and the older `~L`, `~E`): a template inside the module.
                let mut cursor = node.walk();
                let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                let template =
                    children.iter().any(|c| c.kind() == "sigil_name" && matches!(self.text(*c), "H" | "L" | "E"));
                if template && let Some(content) = children.iter().find(|c| c.kind() == "quoted_content") {
                    self.template_scope = self.module_scope();
                    self.template(self.text(*content), content.start_byte(), true, "");
                }
            }
            _ => self.visit_children(node),
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
        let target = call.child_by_field_name("target")?;
        match target.kind() {
            "identifier" => Some((self.text(target), None)),
            "dot" => {
                let right = target.child_by_field_name("right")?;
                (right.kind() == "identifier").then(|| (self.text(right), target.child_by_field_name("left")))
            }
            _ => None,
        }
    }

    fn visit_call(&mut self, node: Node<'_>) {
        let Some((name, remote)) = self.callee(node) else { return self.visit_children(node) };
        let args = arguments(node);
        // `u.email`: a field of a bound query source, or of a variable named after a schema.
        if let Some(left) = remote
            && matches!(left.kind(), "identifier" | "call" | "unary_operator")
            && !has_arguments(node)
            && let Some(target) = node.child_by_field_name("target")
            && let Some(right) = target.child_by_field_name("right")
        {
            match self.record(left) {
                Some((source, Confidence::High)) => {
                    self.field_hit(right.start_byte(), &source, name, RefKind::Query, Confidence::High);
                }
                // A receiver typed by its name only: that schema if there is one, else whichever
                // table alone has such a column.
                Some((source, confidence)) => {
                    self.field_hit(right.start_byte(), &source, name, RefKind::Query, confidence);
                    self.attribute_hit(right.start_byte(), name);
                }
                None if self.untyped_record(left) => self.attribute_hit(right.start_byte(), name),
                None => {}
            }
            if left.kind() == "call" {
                self.visit(left);
            }
            return;
        }
        // `field(u, :email)`, `map(u, [:id, :email])`, `struct(u, [:id])` on a bound source.
        if remote.is_none()
            && matches!(name, "field" | "map" | "struct")
            && let [var, fields, ..] = args.as_slice()
            && var.kind() == "identifier"
            && let Some(source) = self.lookup(self.text(*var))
        {
            for (field, offset) in atoms_in(*fields, self.src) {
                self.field_hit(offset, &source, &field, RefKind::Query, Confidence::High);
            }
        }
        let remote_text = remote.map(|r| self.text(r));
        match (name, remote_text) {
            ("defmodule", None) => return self.visit_module(node, &args),
            ("alias", None) => {
                self.alias(&args);
                return;
            }
            ("schema", None) => return self.visit_schema(node, &args),
            // An embedded schema is stored inside its parent's column, not in a table.
            ("embedded_schema", None) => return,
            // A plain struct is no table, but its keys are names some record has that are no
            // column (resolution's attribute fallback needs to know them).
            ("defstruct", None) if self.current_schema().is_none() => {
                let mut keys: Vec<String> = Vec::new();
                for arg in &args {
                    keys.extend(atoms_in(*arg, self.src).into_iter().map(|(k, _)| k));
                    keys.extend(keyword_keys(*arg, self.src).into_iter().map(|(k, _)| k));
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
                return self.with_frame(|w| {
                    if let Some(head) = args.first() {
                        w.bind_patterns(*head);
                    }
                    w.visit_children(node);
                });
            }
            ("from", None | Some("Ecto.Query")) => return self.visit_from(node, &args),
            (_, Some(repo)) if repo.ends_with("Repo") => self.repo_call(name, &args),
            _ => {}
        }
        if QUERY_MACROS.contains(&name) && matches!(remote_text, None | Some("Ecto.Query")) {
            // Function form: `where(User, [u], u.email == ^e)` / `where(query, [u], …)`.
            if let Some((first, rest)) = args.split_first()
                && first.kind() != "list"
            {
                let root = self.source_of(*first);
                self.schema_use(*first);
                let mut sources = vec![root];
                return self.query_stage(node, name, rest, &mut sources);
            }
            // `dynamic([u], …)` or a query macro whose query is not known: named bindings only.
            if args.first().is_some_and(|a| a.kind() == "list") {
                let mut sources = vec![None];
                return self.query_stage(node, name, &args, &mut sources);
            }
        }
        if (name == "cast" || name == "change" || CHANGESET_FIRST.contains(&name))
            && matches!(remote_text, None | Some("Ecto.Changeset" | "Changeset"))
        {
            // `change(release, has_docs: true)`: the record's schema, by its type or its name.
            let literal = args.first().and_then(|a| self.struct_of(*a));
            let bound = args.first().filter(|a| a.kind() == "identifier").and_then(|a| match self.lookup(self.text(*a)) {
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
                Some(r) if r.kind() == "alias" => Some(Source::Schema(self.resolve(self.text(r)))),
                None => self.current_schema(),
                _ => None,
            };
            if let Some(schema) = schema {
                let maps: Vec<Node<'_>> =
                    args.iter().copied().filter(|a| a.kind() == "map" && self.struct_of(*a).is_none()).collect();
                for (key, offset) in maps.into_iter().flat_map(|m| keyword_keys(m, self.src)) {
                    self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::High);
                }
            }
        } else if remote_text == Some("Map")
            && matches!(name, "take" | "get" | "fetch" | "fetch!" | "drop" | "put" | "delete" | "has_key?" | "update")
            && let [record, fields, ..] = args.as_slice()
        {
            // `Map.take(advisory, @fields)`, `Map.delete(podcast, :vanity_domain)` on a record.
            let fields = self.field_list(*fields);
            match self.record(*record) {
                Some((source, confidence)) => {
                    for (field, offset) in fields {
                        self.field_hit(offset, &source, &field, RefKind::Query, confidence);
                        if confidence < Confidence::High {
                            self.attribute_hit(offset, &field);
                        }
                    }
                }
                None if self.untyped_record(*record) => {
                    for (field, offset) in fields {
                        self.attribute_hit(offset, &field);
                    }
                }
                None => {}
            }
        } else if remote.is_none()
            && matches!(name, "insert" | "insert!" | "build" | "params_for" | "insert_list" | "build_list")
            && let Some((factory, _)) = args.iter().find_map(|a| atom(*a, self.src))
        {
            // ExMachina: `insert(:release, has_docs: true)` builds the schema the factory is
            // named after (`release_factory` → `%Release{}`), else whichever table has the field.
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

    /// `render(conn, :show, person: person)`, `assign(socket, :person, person)`: the assigns the
    /// templates of this controller or live view read, typed where the value's type is known
    /// (or suggested by the variable's name).
    fn assign_bindings(&mut self, name: &str, args: &[Node<'_>]) {
        let Some(scope) = self.module_scope() else { return };
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
                let binding = Binding { scope: scope.clone(), name: format!("@{key}"), root, path: Vec::new() };
                if !self.facts.bindings.contains(&binding) {
                    self.facts.bindings.push(binding);
                }
            }
        }
    }

    /// The record (or relation) type of a value handed to a template.
    fn value_root(&self, node: Node<'_>) -> Option<Root> {
        if let Some(Source::Schema(model)) = self.record_of(node) {
            return Some(Root::Model { model });
        }
        match node.kind() {
            "identifier" => match self.lookup(self.text(node)) {
                Some(Source::Schema(model)) => Some(Root::Model { model }),
                Some(Source::Table(_)) => None,
                None => match self.named_record(node) {
                    Some(Source::Schema(model)) => Some(Root::Model { model }),
                    _ => None,
                },
            },
            "call" => {
                let (name, remote) = self.callee(node)?;
                let remote = remote?;
                if remote.kind() == "alias" && name.contains("changeset") {
                    return Some(Root::Model { model: self.resolve(self.text(remote)) });
                }
                if self.text(remote).ends_with("Repo") && matches!(name, "all" | "preload" | "insert!" | "update!") {
                    return match arguments(node).first().and_then(|a| self.source_of(*a)) {
                        Some(Source::Schema(model)) => Some(Root::Model { model }),
                        _ => None,
                    };
                }
                None
            }
            _ => None,
        }
    }

    /// A variable named after a schema (`release` → `Release`, `episodes` → `Episode`).
    fn named_record(&self, node: Node<'_>) -> Option<Source> {
        if node.kind() != "identifier" {
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
        if name.len() < 3 || name.starts_with('_') || NOT_RECORDS.contains(&name) || !is_identifier(name) {
            return None;
        }
        let class = if is_plural(name) { inflect::classify(name) } else { inflect::camelize(name) };
        Some(Source::Schema(self.resolve(&class)))
    }

    /// Whether a receiver the walker cannot type may still be a record: a variable not known to
    /// hold something else, a capture argument (`& &1.verified`), a field of one.
    fn untyped_record(&self, node: Node<'_>) -> bool {
        match node.kind() {
            "identifier" => {
                let name = self.text(node);
                !name.starts_with('_') && !NOT_RECORDS.contains(&name) && is_identifier(name) && name != "__MODULE__"
            }
            "unary_operator" => {
                let text = self.text(node);
                text.strip_prefix('&').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            }
            "call" if !has_arguments(node) => node
                .child_by_field_name("target")
                .filter(|t| t.kind() == "dot")
                .and_then(|t| t.child_by_field_name("left"))
                .is_some_and(|left| self.record(left).is_some() || self.untyped_record(left)),
            _ => false,
        }
    }

    /// A field read on a receiver of unknown type: resolution keeps it at medium confidence only
    /// when one table alone has such a column.
    fn attribute_hit(&mut self, offset: usize, name: &str) {
        if is_identifier(name) {
            self.hit_at(offset, Target::Attribute { name: name.to_owned() }, RefKind::Query, Confidence::Medium);
        }
    }

    /// The binding scope of the templates the current module renders (a controller, a view, an
    /// HTML module, a live view): `ShopWeb.Admin.PersonController` → `phoenix:view:admin/person`,
    /// the key [`template_scope`] derives from the templates' paths.
    fn module_scope(&self) -> Option<String> {
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

    fn visit_module(&mut self, node: Node<'_>, args: &[Node<'_>]) {
        let written = args.first().map(|a| self.text(*a)).unwrap_or("");
        let name = match self.modules.last() {
            // `defmodule Inner` inside `defmodule Outer` is `Outer.Inner`.
            Some(outer) if !written.contains("__MODULE__") => format!("{}.{written}", outer.name),
            _ => self.resolve(written),
        };
        let mut module = Module { name: name.clone(), ..Module::default() };
        // A nested module is reachable by its last segment from the enclosing one.
        if let Some(outer) = self.modules.last_mut() {
            outer.aliases.insert(
                written.split('.').next().unwrap_or(written).to_owned(),
                format!("{}.{}", outer.name, written.split('.').next().unwrap_or(written)),
            );
        }
        module.aliases.insert("__MODULE__".to_owned(), name);
        self.modules.push(module);
        self.with_frame(|w| {
            if let Some(block) = do_block(node) {
                w.visit_children(block);
            }
        });
        self.modules.pop();
    }

    /// `alias A.B.C`, `alias A.B.C, as: D`, `alias A.B.{C, D}`, `alias __MODULE__.Sub`.
    fn alias(&mut self, args: &[Node<'_>]) {
        let Some(first) = args.first() else { return };
        let as_name = args
            .iter()
            .flat_map(|a| keyword_pairs(*a, self.src))
            .find_map(|(k, v)| (k == "as").then(|| self.text(v).to_owned()));
        let mut entries: Vec<(String, String)> = Vec::new();
        if first.kind() == "dot"
            && let (Some(left), Some(right)) = (first.child_by_field_name("left"), first.child_by_field_name("right"))
            && right.kind() == "tuple"
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

    /// `@name value`: remembers atom lists and the schema settings.
    fn visit_attribute(&mut self, node: Node<'_>) {
        let operator = node.child_by_field_name("operator").map(|o| self.text(o));
        let operand = node.child_by_field_name("operand");
        let (Some("@"), Some(operand)) = (operator, operand) else { return self.visit_children(node) };
        if operand.kind() != "call" {
            return;
        }
        let Some((name, None)) = self.callee(operand) else { return };
        let args = arguments(operand);
        let Some(value) = args.first().copied() else { return };
        let Some(module) = self.modules.last() else { return };
        let _ = module;
        match name {
            // Documentation is never code.
            "doc" | "moduledoc" | "typedoc" | "spec" | "type" | "typep" | "opaque" | "callback" | "impl" => {}
            "schema_prefix" => {
                let prefix = string(value, self.src).map(|(p, _)| p).or_else(|| atom(value, self.src).map(|(a, _)| a));
                if let Some(m) = self.modules.last_mut() {
                    m.schema_prefix = prefix;
                }
            }
            "primary_key" => {
                let pk =
                    if value.kind() == "tuple" { value.named_child(0).and_then(|a| atom(a, self.src)) } else { None };
                if let Some(m) = self.modules.last_mut() {
                    m.primary_key = Some(pk);
                }
            }
            "timestamps_opts" => {
                let opts = keyword_pairs(value, self.src)
                    .into_iter()
                    .map(|(k, v)| (k, atom(v, self.src).map(|(a, _)| a)))
                    .collect::<Vec<_>>();
                if let Some(m) = self.modules.last_mut() {
                    m.timestamps_opts = opts;
                }
            }
            _ => {
                let atoms = atoms_in(value, self.src);
                if !atoms.is_empty()
                    && let Some(m) = self.modules.last_mut()
                {
                    m.atom_lists.insert(name.to_owned(), atoms);
                }
                self.visit(value);
            }
        }
    }

    fn visit_schema(&mut self, node: Node<'_>, args: &[Node<'_>]) {
        let Some(table_node) = args.first().filter(|a| a.kind() == "string") else { return self.visit_children(node) };
        let Some((table, table_offset)) = string(*table_node, self.src) else { return };
        // `@schema_prefix` qualifies the table (`billing.invoices`); resolution splits it.
        let table = match self.modules.last().and_then(|m| m.schema_prefix.as_deref()) {
            Some(prefix) if !table.contains('.') => format!("{prefix}.{table}"),
            _ => table,
        };
        let Some(module_index) = self.modules.len().checked_sub(1) else { return };
        let line = self.line_starts.partition_point(|&s| s <= node.start_byte()).max(1);
        let start = self.line_starts[line - 1];
        let column = self.src.get(start..node.start_byte()).map_or(0, |s| s.chars().count()) + 1;
        let snippet = self
            .src
            .get(start..self.line_starts.get(line).map_or(self.src.len(), |e| e - 1))
            .unwrap_or("")
            .trim()
            .to_owned();
        let class = self.modules[module_index].name.clone();
        self.facts.models.push(ModelDecl {
            framework: Framework::Phoenix,
            class,
            parent: None,
            table: Some(table.clone()),
            is_abstract: false,
            ignored_columns: Vec::new(),
            fields: Vec::new(),
            associations: Vec::new(),
            mixins: Vec::new(),
            line: line as u32,
            column: column as u32,
            snippet,
        });
        let model_index = self.facts.models.len() - 1;
        self.modules[module_index].schema = Some((model_index, table.clone(), HashMap::new()));
        let decl = RefKind::Declaration;
        let high = Confidence::High;
        self.hit_at(table_offset, Target::Table { table: table.clone() }, decl, high);
        let column = |c: &str| Target::Column { table: table.clone(), column: c.to_owned() };
        match self.modules[module_index].primary_key.clone() {
            None => self.hit_at(table_offset, column("id"), decl, high),
            Some(Some((pk, offset))) => self.hit_at(offset, column(&pk), decl, high),
            Some(None) => {}
        }
        let Some(block) = do_block(node) else { return };
        let mut cursor = block.walk();
        let statements: Vec<Node<'_>> = block.named_children(&mut cursor).collect();
        for statement in statements {
            if statement.kind() != "call" {
                continue;
            }
            let Some((macro_name, None)) = self.callee(statement) else { continue };
            let args = arguments(statement);
            let name = args.first().and_then(|a| atom(*a, self.src));
            let opts: Vec<(String, Node<'_>)> = args.iter().flat_map(|a| keyword_pairs(*a, self.src)).collect();
            let opt = |key: &str| opts.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
            let src = self.src;
            let opt_atom = |key: &str| opt(key).and_then(|v| atom(v, src)).map(|(a, _)| a);
            let is_false = |key: &str| opt(key).is_some_and(|v| src.get(v.byte_range()) == Some("false"));
            let is_true = |key: &str| opt(key).is_some_and(|v| src.get(v.byte_range()) == Some("true"));
            let related = args.get(1).filter(|a| a.kind() == "alias").map(|a| self.resolve(self.text(*a)));
            match macro_name {
                "field" | "embeds_one" | "embeds_many" => {
                    let Some((field, offset)) = name else { continue };
                    if is_true("virtual") {
                        // Remembered so that uses of a virtual field are not taken for columns.
                        if let Some((_, _, sources)) = self.modules[module_index].schema.as_mut() {
                            sources.insert(field.clone(), String::new());
                        }
                        self.facts.models[model_index].fields.push((field, String::new()));
                        continue;
                    }
                    let source = opt_atom("source").unwrap_or_else(|| field.clone());
                    // Every field, so that resolution knows which schemas declare a name.
                    self.facts.models[model_index].fields.push((field.clone(), source.clone()));
                    if macro_name != "field"
                        && let Some(related) = &related
                    {
                        // An embed is read through its accessor, and it is this table's column.
                        self.facts.models[model_index].associations.push(Association {
                            name: field.clone(),
                            model: related.clone(),
                            many: macro_name == "embeds_many",
                            foreign_key: Some(source.clone()),
                            inverse: None,
                        });
                    }
                    if let Some((_, _, sources)) = self.modules[module_index].schema.as_mut() {
                        sources.insert(field.clone(), source.clone());
                    }
                    self.hit_at(offset, column(&source), decl, high);
                }
                "belongs_to" => {
                    let Some((assoc, offset)) = name else { continue };
                    let fk = opt_atom("foreign_key").unwrap_or_else(|| format!("{assoc}_id"));
                    if let Some(related) = &related {
                        self.hit_at(offset, Target::Model { model: related.clone() }, decl, high);
                        let foreign_key = opt_atom("source").unwrap_or_else(|| fk.clone());
                        self.facts.models[model_index].associations.push(Association {
                            name: assoc.clone(),
                            model: related.clone(),
                            many: false,
                            foreign_key: Some(foreign_key),
                            inverse: None,
                        });
                    }
                    if !is_false("define_field") {
                        let source = opt_atom("source").unwrap_or_else(|| fk.clone());
                        if let Some((_, _, sources)) = self.modules[module_index].schema.as_mut() {
                            sources.insert(fk.clone(), source.clone());
                        }
                        self.hit_at(offset, column(&source), decl, high);
                    }
                }
                "has_many" | "has_one" => {
                    let Some((assoc, offset)) = name else { continue };
                    let through = opt("through").map(|t| atoms_in(t, src).into_iter().map(|(a, _)| a).collect::<Vec<_>>());
                    self.facts.models[model_index].associations.push(Association {
                        name: assoc.clone(),
                        // `through: [:a, :b]` reaches another schema that only the chain of
                        // associations names: resolved by convention from the last step.
                        model: match (&related, &through) {
                            (Some(r), _) => r.clone(),
                            (None, Some(steps)) => steps.last().map(|s| inflect::classify(s)).unwrap_or_default(),
                            (None, None) => String::new(),
                        },
                        many: macro_name == "has_many",
                        foreign_key: None,
                        inverse: None,
                    });
                    let Some(related) = &related else { continue };
                    self.hit_at(offset, Target::Model { model: related.clone() }, decl, high);
                    // `where: [unsubscribed_at: nil]` filters the associated schema's rows.
                    if let Some(filter) = opt("where") {
                        for (key, key_offset) in keyword_keys(filter, src) {
                            let target = Target::ModelColumn { model: related.clone(), column: key };
                            self.hit_at(key_offset, target, RefKind::Query, high);
                        }
                    }
                    if opt("through").is_none() {
                        let own = &self.modules[module_index].name;
                        // Ecto's `association_key`: the schema's last segment, underscored,
                        // with `_` and the `references:` key (`id` by default).
                        let references = opt_atom("references").unwrap_or_else(|| "id".to_owned());
                        let fk = opt_atom("foreign_key").unwrap_or_else(|| {
                            format!("{}_{references}", inflect::underscore(inflect::demodulize(own)))
                        });
                        let target = Target::ModelColumn { model: related.clone(), column: fk };
                        self.hit_at(offset, target, decl, high);
                    }
                }
                "many_to_many" => {
                    let Some((assoc, offset)) = name else { continue };
                    if let Some(related) = &related {
                        self.hit_at(offset, Target::Model { model: related.clone() }, decl, high);
                        self.facts.models[model_index].associations.push(Association {
                            name: assoc.clone(),
                            model: related.clone(),
                            many: true,
                            foreign_key: None,
                            inverse: None,
                        });
                    }
                    let own = self.modules[module_index].name.clone();
                    let own_key = format!("{}_id", inflect::underscore(inflect::demodulize(&own)));
                    let related_key =
                        related.as_deref().map(|r| format!("{}_id", inflect::underscore(inflect::demodulize(r))));
                    let mut keys: Vec<String> = vec![own_key];
                    keys.extend(related_key);
                    if let Some(join_keys) = opt("join_keys") {
                        keys = keyword_pairs(join_keys, self.src).into_iter().map(|(k, _)| k).collect();
                    }
                    match opt("join_through") {
                        Some(through) if through.kind() == "string" => {
                            if let Some((join, join_offset)) = string(through, self.src) {
                                self.hit_at(join_offset, Target::Table { table: join.clone() }, decl, high);
                                for key in keys {
                                    let target = Target::Column { table: join.clone(), column: key };
                                    self.hit_at(join_offset, target, decl, high);
                                }
                            }
                        }
                        Some(through) if through.kind() == "alias" => {
                            let join = self.resolve(self.text(through));
                            self.hit_at(through.start_byte(), Target::Model { model: join.clone() }, decl, high);
                            for key in keys {
                                let target = Target::ModelColumn { model: join.clone(), column: key };
                                self.hit_at(through.start_byte(), target, decl, high);
                            }
                        }
                        _ => {}
                    }
                }
                "timestamps" => {
                    let module_opts = self.modules[module_index].timestamps_opts.clone();
                    let setting = |key: &str| -> Option<Option<String>> {
                        if opts.iter().any(|(k, _)| k == key) {
                            return Some(opt(key).and_then(|v| atom(v, src)).map(|(a, _)| a));
                        }
                        module_opts.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
                    };
                    for (key, default) in [("inserted_at", "inserted_at"), ("updated_at", "updated_at")] {
                        // `updated_at: false` turns the column off.
                        let column_name = match setting(key) {
                            Some(Some(name)) => name,
                            Some(None) => continue,
                            None => default.to_owned(),
                        };
                        self.hit_at(statement.start_byte(), column(&column_name), decl, high);
                    }
                }
                _ => {}
            }
        }
    }

    /// Variables bound to schema structs by patterns in a function head: `%User{} = user`.
    fn bind_patterns(&mut self, head: Node<'_>) {
        let mut stack = vec![head];
        while let Some(node) = stack.pop() {
            if node.kind() == "binary_operator"
                && node.child_by_field_name("operator").is_some_and(|o| self.text(o) == "=")
                && let (Some(l), Some(r)) = (node.child_by_field_name("left"), node.child_by_field_name("right"))
            {
                let (pattern, var) = if l.kind() == "map" { (l, r) } else { (r, l) };
                if var.kind() == "identifier"
                    && let Some(schema) = self.struct_of(pattern)
                {
                    let name = self.text(var).to_owned();
                    self.bind(&name, schema);
                }
            }
            if node.kind() == "map" {
                self.struct_literal(node);
                if self.struct_of(node).is_none() {
                    self.head_map_keys(node);
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }

    /// `%User{…}` → the schema.
    fn struct_of(&self, node: Node<'_>) -> Option<Source> {
        if node.kind() != "map" {
            return None;
        }
        let mut cursor = node.walk();
        let found = node.named_children(&mut cursor).find(|c| c.kind() == "struct")?;
        let name = found.named_child(0).map(|n| self.text(n)).filter(|n| {
            *n == "__MODULE__" || n.starts_with(|c: char| c.is_ascii_uppercase())
        })?;
        Some(Source::Schema(self.resolve(name)))
    }

    /// Keys of a struct literal or pattern: `%User{email: e}`.
    fn struct_literal(&mut self, node: Node<'_>) {
        let Some(schema) = self.struct_of(node) else { return };
        let mut cursor = node.walk();
        let contents: Vec<Node<'_>> = node.named_children(&mut cursor).filter(|c| c.kind() == "map_content").collect();
        for content in contents {
            let mut cursor = content.walk();
            let items: Vec<Node<'_>> = content.named_children(&mut cursor).collect();
            for item in items {
                for (key, offset) in keyword_keys(item, self.src) {
                    self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::High);
                }
            }
        }
    }

    /// `%{advisory | aliases: a}` on a record that is no struct literal: its fields.
    fn map_update(&mut self, node: Node<'_>) {
        if self.struct_of(node).is_some() {
            return;
        }
        let mut cursor = node.walk();
        let contents: Vec<Node<'_>> = node.named_children(&mut cursor).filter(|c| c.kind() == "map_content").collect();
        for content in contents {
            let mut cursor = content.walk();
            let updates: Vec<Node<'_>> = content.named_children(&mut cursor).collect();
            for update in updates {
                let Some(base) = map_update_base(update, self.src) else { continue };
                let record = self.record(base);
                if record.is_none() && !self.untyped_record(base) {
                    continue;
                }
                let Some(keys) = update.child_by_field_name("right") else { continue };
                for (key, offset) in keyword_keys(keys, self.src) {
                    if let Some((source, confidence)) = &record {
                        self.field_hit(offset, source, &key, RefKind::Query, *confidence);
                    }
                    if record.as_ref().is_none_or(|(_, c)| *c < Confidence::High) {
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
                (None, Some(schema)) => {
                    let schema = schema.clone();
                    self.field_hit(offset, &schema, &key, RefKind::Query, Confidence::Medium);
                    self.attribute_hit(offset, &key);
                }
                (None, None) => self.attribute_hit(offset, &key),
            }
        }
    }

    /// A pipeline: `User |> where([u], u.email == ^e) |> select([u], u.name)`, or
    /// `%User{} |> cast(attrs, [:email])`.
    fn visit_binary(&mut self, node: Node<'_>) {
        let operator = node.child_by_field_name("operator").map(|o| self.text(o));
        if operator == Some("=") {
            // `user = Repo.get!(User, id)` and `%User{} = user` bind the variable.
            if let (Some(l), Some(r)) = (node.child_by_field_name("left"), node.child_by_field_name("right")) {
                if l.kind() == "identifier" && matches!(r.kind(), "list" | "sigil") {
                    // `allowed = ~w(email name)a`, for a later `cast(attrs, allowed)`.
                    let atoms = atoms_in(r, self.src);
                    let name = self.text(l).to_owned();
                    // In the schema's own module such a list is its fields, whichever of the
                    // app's helpers it is handed to (`changeset_with_allowed_attrs(p, attrs, allowed)`).
                    if let Some(schema) = self.current_schema()
                        && r.kind() == "sigil"
                    {
                        for (field, offset) in &atoms {
                            self.field_hit(*offset, &schema, field, RefKind::Query, Confidence::High);
                        }
                    }
                    if let Some(module) = self.modules.last_mut()
                        && !atoms.is_empty()
                    {
                        module.local_lists.insert(name, atoms);
                    }
                } else if l.kind() == "identifier"
                    && let Some(schema) = self.record_of(r)
                {
                    let name = self.text(l).to_owned();
                    self.bind(&name, schema);
                } else if r.kind() == "identifier"
                    && let Some(schema) = self.struct_of(l)
                {
                    let name = self.text(r).to_owned();
                    self.bind(&name, schema);
                }
            }
            return self.visit_children(node);
        }
        if operator != Some("|>") {
            return self.visit_children(node);
        }
        let mut stages = Vec::new();
        let mut current = node;
        loop {
            let is_pipe = current.kind() == "binary_operator"
                && current.child_by_field_name("operator").is_some_and(|o| self.text(o) == "|>");
            if !is_pipe {
                break;
            }
            let (Some(l), Some(r)) = (current.child_by_field_name("left"), current.child_by_field_name("right")) else {
                break;
            };
            stages.push(r);
            current = l;
        }
        stages.reverse();
        let root = current;
        self.visit(root);
        let root_source = self.source_of(root).or_else(|| self.struct_of(root));
        let queried = stages.iter().any(|stage| {
            self.callee(*stage).is_some_and(|(name, remote)| {
                let remote = remote.map(|r| self.text(r));
                (QUERY_MACROS.contains(&name) && matches!(remote, None | Some("Ecto.Query")))
                    || remote.is_some_and(|r| r.ends_with("Repo"))
            })
        });
        if queried {
            self.schema_use(root);
        }
        let bound = (root.kind() == "identifier").then(|| self.lookup(self.text(root))).flatten();
        let changeset_schema = self.struct_of(root).or_else(|| bound.clone()).or_else(|| self.current_schema());
        let mut sources = vec![root_source];
        for stage in stages {
            if stage.kind() != "call" {
                self.visit(stage);
                continue;
            }
            let Some((name, remote)) = self.callee(stage) else {
                self.visit(stage);
                continue;
            };
            let remote_text = remote.map(|r| self.text(r));
            let args = arguments(stage);
            if QUERY_MACROS.contains(&name) && matches!(remote_text, None | Some("Ecto.Query")) {
                self.query_stage(stage, name, &args, &mut sources);
            } else if (name == "cast" || name == "change" || CHANGESET_FIRST.contains(&name))
                && matches!(remote_text, None | Some("Ecto.Changeset" | "Changeset"))
            {
                if let Some(schema) = &changeset_schema {
                    self.changeset_fields(name, &args, schema);
                }
                self.visit_children(stage);
            } else if let Some(repo) = remote_text
                && repo.ends_with("Repo")
                && let Some(Some(root)) = sources.first()
            {
                // `User |> Repo.get_by(email: e)`: the piped schema is the first argument.
                let root = root.clone();
                self.repo_keywords(name, &args, &root);
                self.visit_children(stage);
            } else {
                self.visit(stage);
            }
        }
    }

    /// One query macro with its binding list: binds the list positionally to `sources`.
    fn query_stage(&mut self, node: Node<'_>, name: &str, args: &[Node<'_>], sources: &mut Vec<Option<Source>>) {
        let root = sources.first().cloned().flatten();
        self.with_frame(|w| {
            let mut rest = args;
            if name == "join" {
                // `join(:inner, [u], o in Org, on: …)`: skip the qualifier.
                if let Some(first) = rest.first()
                    && first.kind() == "atom"
                {
                    rest = &rest[1..];
                }
            }
            if let Some(first) = rest.first()
                && first.kind() == "list"
            {
                let mut cursor = first.walk();
                let vars: Vec<Node<'_>> = first.named_children(&mut cursor).collect();
                for (i, var) in vars.iter().enumerate() {
                    if var.kind() == "identifier"
                        && let Some(Some(source)) = sources.get(i)
                    {
                        let v = w.text(*var).to_owned();
                        w.bind(&v, source.clone());
                    }
                }
                // Named bindings `[user: u]`: the binding is named after its schema by
                // convention (`as: :user`), so `user` → `User`, resolved through aliases.
                for (name, var) in keyword_pairs(*first, w.src) {
                    if var.kind() == "identifier" && is_identifier(&name) {
                        let v = w.text(var).to_owned();
                        let schema = w.resolve(&inflect::camelize(&name));
                        w.bind(&v, Source::Schema(schema));
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
                    w.bind(&var, source);
                }
                sources.push(joined.map(|(_, s)| s));
            }
            for arg in rest {
                if let Some(root) = &root {
                    w.keyword_fields(name, *arg, root);
                    w.fragments(*arg, root);
                }
                w.visit(*arg);
            }
        });
        let _ = node;
    }

    /// `from u in User, join: o in Org, where: …`.
    fn visit_from(&mut self, node: Node<'_>, args: &[Node<'_>]) {
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
            for (key, value) in &pairs {
                if key.ends_with("join")
                    && let Some((var, source)) = w.binding_in(*value)
                {
                    w.schema_use(*value);
                    w.bind(&var, source);
                }
            }
            for (key, value) in &pairs {
                if let Some(root) = &root {
                    w.keyword_fields(key, *value, root);
                    w.fragments(*value, root);
                }
                w.visit(*value);
            }
        });
        let _ = node;
    }

    /// A schema used as a query source (`from u in User`, `Repo.all(User)`, `User |> where(…)`):
    /// a use of its table.
    fn schema_use(&mut self, node: Node<'_>) {
        let node = if node.kind() == "binary_operator" {
            match node.child_by_field_name("right") {
                Some(right) => right,
                None => return,
            }
        } else {
            node
        };
        if node.kind() == "alias" {
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
    fn binding_in(&self, node: Node<'_>) -> Option<(String, Source)> {
        if node.kind() != "binary_operator" || node.child_by_field_name("operator").map(|o| self.text(o)) != Some("in")
        {
            return None;
        }
        let var = node.child_by_field_name("left").filter(|l| l.kind() == "identifier")?;
        let source = self.source_of(node.child_by_field_name("right")?)?;
        Some((self.text(var).to_owned(), source))
    }

    /// The query source an expression denotes: a schema alias, a table name string, `from(…)`.
    fn source_of(&self, node: Node<'_>) -> Option<Source> {
        match node.kind() {
            "alias" => Some(Source::Schema(self.resolve(self.text(node)))),
            "string" => {
                string(node, self.src).filter(|(t, _)| !t.contains(char::is_whitespace)).map(|(t, _)| Source::Table(t))
            }
            "identifier" if self.text(node) == "__MODULE__" => self.current_schema(),
            // `def published(query \\ __MODULE__), do: from(q in query, …)` in the schema's module.
            "identifier" if matches!(self.text(node), "query" | "queryable") => self.current_schema(),
            "call" => {
                let (name, remote) = self.callee(node)?;
                if name == "from" && remote.is_none() {
                    let first = arguments(node).into_iter().next()?;
                    return self.binding_in(first).map(|(_, s)| s).or_else(|| self.source_of(first));
                }
                None
            }
            _ => None,
        }
    }

    /// The schema a dotted receiver is a record of: a bound variable (high), a variable named
    /// after a schema (`ticket` → `Ticket`, medium), or an association read off one
    /// (`ticket.order` → `Order`, medium). Resolution drops names that are no schema.
    fn record(&self, node: Node<'_>) -> Option<(Source, Confidence)> {
        match node.kind() {
            "identifier" => {
                let name = self.text(node);
                if let Some(source) = self.lookup(name) {
                    return Some((source, Confidence::High));
                }
                if name.len() < 3 || name.starts_with('_') || NOT_RECORDS.contains(&name) || !is_identifier(name) {
                    return None;
                }
                Some((Source::Schema(self.resolve(&inflect::camelize(name))), Confidence::Medium))
            }
            "call" if !has_arguments(node) => {
                let target = node.child_by_field_name("target").filter(|t| t.kind() == "dot")?;
                let left = target.child_by_field_name("left")?;
                let right = target.child_by_field_name("right").filter(|r| r.kind() == "identifier")?;
                self.record(left)?;
                let field = self.text(right);
                let singular = inflect::singularize(field);
                (singular == field)
                    .then(|| (Source::Schema(self.resolve(&inflect::camelize(field))), Confidence::Medium))
            }
            _ => None,
        }
    }

    /// Field reads in a HEEx / EEx template (or a `~H` sigil): `@user.email`, `{@current_user.name}`,
    /// `assigns.user.email`, `t.subject` where `:for={t <- @tickets}` or `for t <- @tickets do`
    /// binds `t`, and form fields (`text_input f, :email`, `f[:email]`, `@form[:email]`). An
    /// assign is typed by the bindings of the controller or live view that renders the template
    /// (its scope), else by its name (`@user` → `User`); every field read also stands as an
    /// untyped attribute, which resolution keeps only when one table alone has such a column.
    /// Only code regions count: `<%… %>`, and `{…}` in HEEx; never markup or text.
    fn template(&mut self, text: &str, base: usize, heex: bool, dir_model: &str) {
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
        let scopes: Vec<String> = self.template_scope.iter().cloned().collect();
        let assign_root = |assign: &str| -> Root {
            let named = assign.strip_prefix("current_").unwrap_or(assign);
            let guess = if is_plural(named) { inflect::classify(named) } else { inflect::camelize(named) };
            Root::Binding { scopes: scopes.clone(), name: format!("@{assign}"), guess: Some(guess) }
        };
        // The form the template's fields belong to: `form_for(@changeset, …)`, `<.form for={@form}>`.
        let form_root = FORM_SOURCE
            .captures(text)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().trim_start_matches('@').to_owned())
            .unwrap_or_else(|| "changeset".to_owned());
        let form = Root::Binding {
            scopes: scopes.clone(),
            name: format!("@{form_root}"),
            guess: (!dir_model.is_empty()).then(|| dir_model.to_owned()),
        };
        let mut form_vars: Vec<String> = vec!["f".to_owned(), "@form".to_owned(), format!("@{form_root}")];
        for c in FORM_VAR.captures_iter(text) {
            if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                form_vars.push(m.as_str().to_owned());
            }
        }
        let mut locals: HashMap<String, Root> = HashMap::new();
        for (start, end) in regions {
            let Some(code) = text.get(start..end) else { continue };
            for (var, collection) in comprehension_bindings(code) {
                let root = match collection.strip_prefix('@') {
                    Some(assign) => assign_root(assign),
                    None => match locals.get(collection) {
                        Some(root) => root.clone(),
                        None => continue,
                    },
                };
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
                let target = Target::Chain { root: form.clone(), path: Vec::new(), attribute: Some(field.as_str().to_owned()) };
                self.hit_at(at, target, RefKind::Query, Confidence::Medium);
                self.attribute_hit(at, field.as_str());
            }
            for (offset, chain) in dotted_chains(code) {
                let mut parts: Vec<&str> = chain.split('.').collect();
                // `assigns.user.email` is `@user.email`.
                let mut head_len = 0;
                let head: String = if parts[0] == "assigns" && parts.len() > 2 {
                    head_len = parts[0].len() + 1;
                    parts.remove(0);
                    format!("@{}", parts[0])
                } else {
                    parts[0].to_owned()
                };
                head_len += parts[0].len() + 1;
                let head = head.as_str();
                // `f.data.editor`: the form's record.
                let (root, skip) = if form_vars.iter().any(|v| v == head) && parts.get(1) == Some(&"data") {
                    (Some(form.clone()), 2)
                } else {
                    let root = match head.strip_prefix('@') {
                        Some(assign) if NOT_RECORDS.contains(&assign) || assign.len() < 2 => continue,
                        Some(assign) => Some(assign_root(assign)),
                        None => locals.get(head).cloned(),
                    };
                    (root, 1)
                };
                let fields = &parts[skip..];
                let Some((last, path)) = fields.split_last() else { continue };
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
                                path: path[..k].iter().map(|p| (*p).to_owned()).collect(),
                                attribute: Some(path[k].to_owned()),
                            };
                            let step_at = at - path[k..].iter().map(|p| p.len() + 1).sum::<usize>();
                            self.hit_at(step_at, target, RefKind::Query, Confidence::Medium);
                        }
                        let target = Target::Chain {
                            root,
                            path: path.iter().map(|p| (*p).to_owned()).collect(),
                            attribute: Some((*last).to_owned()),
                        };
                        self.hit_at(at, target, RefKind::Query, Confidence::Medium);
                        self.attribute_hit(at, last);
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

    /// What a right-hand side evaluates to when it is one record of a schema.
    fn record_of(&self, node: Node<'_>) -> Option<Source> {
        if let Some(schema) = self.struct_of(node) {
            return Some(schema);
        }
        if node.kind() != "call" {
            return None;
        }
        let (name, remote) = self.callee(node)?;
        let remote = remote.map(|r| self.text(r))?;
        if remote.ends_with("Repo") && matches!(name, "get" | "get!" | "get_by" | "get_by!" | "one" | "one!") {
            return arguments(node).first().and_then(|a| self.source_of(*a));
        }
        None
    }

    /// `where: [email: ^e]`, `select: [:id, :email]`, `update: [set: [name: ^n]]` on the root.
    fn keyword_fields(&mut self, clause: &str, value: Node<'_>, root: &Source) {
        match clause {
            "where" | "or_where" | "having" => {
                for (key, offset) in keyword_keys(value, self.src) {
                    self.field_hit(offset, root, &key, RefKind::Query, Confidence::High);
                }
            }
            "select" | "order_by" | "group_by" | "distinct" if value.kind() == "list" => {
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
    fn fragments(&mut self, node: Node<'_>, root: &Source) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.kind() == "call"
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
    fn repo_call(&mut self, name: &str, args: &[Node<'_>]) {
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
        self.repo_keywords(name, &args[1..], &source);
    }

    fn repo_keywords(&mut self, name: &str, args: &[Node<'_>], source: &Source) {
        match name {
            "get_by" | "get_by!" | "exists?" => {
                for arg in args {
                    for (key, offset) in keyword_keys(*arg, self.src) {
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
                if let Some(list) = args.first().filter(|a| a.kind() == "list") {
                    let mut cursor = list.walk();
                    let rows: Vec<Node<'_>> = list.named_children(&mut cursor).collect();
                    for row in rows {
                        let keys = if row.kind() == "map" {
                            let mut c = row.walk();
                            let contents: Vec<Node<'_>> =
                                row.named_children(&mut c).filter(|n| n.kind() == "map_content").collect();
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
        for (field, offset) in fields {
            self.field_hit(offset, schema, &field, RefKind::Query, Confidence::High);
        }
    }

    /// Atoms of `:email`, `[:email, :name]`, `~w(email name)a`, `@required`, `@a ++ @b`.
    fn field_list(&self, node: Node<'_>) -> Vec<(String, usize)> {
        match node.kind() {
            "atom" | "list" | "sigil" => atoms_in(node, self.src),
            "identifier" => {
                let name = self.text(node);
                self.modules.iter().rev().find_map(|m| m.local_lists.get(name).cloned()).unwrap_or_default()
            }
            "unary_operator" => {
                let Some(operand) = node.child_by_field_name("operand") else { return Vec::new() };
                let name = self.text(operand);
                self.modules.iter().rev().find_map(|m| m.atom_lists.get(name).cloned()).unwrap_or_default()
            }
            "binary_operator" => {
                let mut out = Vec::new();
                if let Some(l) = node.child_by_field_name("left") {
                    out.extend(self.field_list(l));
                }
                if let Some(r) = node.child_by_field_name("right") {
                    out.extend(self.field_list(r));
                }
                out
            }
            _ => Vec::new(),
        }
    }
}

/// Variables that are never schema structs, whatever their name.
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
];

fn is_plural(name: &str) -> bool {
    let singular = inflect::singularize(name);
    singular != name && inflect::pluralize(&singular) == name
}

/// `t <- @tickets` in `:for={…}` and `for … do`: (variable, collection).
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

/// `@user.email`, `t.order.notes` in template code: (offset of the chain, chain). Quoted text,
/// module names and calls with arguments are skipped.
fn dotted_chains(code: &str) -> Vec<(usize, &str)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' || b == b'\'' {
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

fn has_arguments(call: Node<'_>) -> bool {
    let mut cursor = call.walk();
    call.children(&mut cursor).any(|c| matches!(c.kind(), "arguments" | "do_block"))
}

fn arguments(call: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = call.walk();
    let Some(list) = call.children(&mut cursor).find(|c| c.kind() == "arguments") else { return Vec::new() };
    let mut cursor = list.walk();
    list.named_children(&mut cursor).filter(|n| n.kind() != "comment").collect()
}

fn do_block(call: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = call.walk();
    call.children(&mut cursor).find(|c| c.kind() == "do_block")
}

/// `(key, value)` of a `keywords` node (or a list holding one): `[type: :utc_datetime]`.
fn keyword_pairs<'t>(node: Node<'t>, src: &str) -> Vec<(String, Node<'t>)> {
    let keywords: Vec<Node<'t>> = match node.kind() {
        "keywords" => vec![node],
        "list" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).filter(|c| c.kind() == "keywords").collect()
        }
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for kw in keywords {
        let mut cursor = kw.walk();
        for pair in kw.named_children(&mut cursor).filter(|p| p.kind() == "pair") {
            if let (Some(key), Some(value)) = (pair.child_by_field_name("key"), pair.child_by_field_name("value"))
                && let Some(text) = src.get(key.byte_range())
            {
                out.push((text.trim_end().trim_end_matches(':').trim_matches('"').to_owned(), value));
            }
        }
    }
    out
}

/// Keys with their offsets of a keyword list or map content: `[email: e]`, `%{email: e}`.
fn keyword_keys(node: Node<'_>, src: &str) -> Vec<(String, usize)> {
    let keywords: Vec<Node<'_>> = match node.kind() {
        "keywords" => vec![node],
        "list" | "map_content" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .filter_map(|c| match c.kind() {
                    "keywords" => Some(c),
                    // `%User{user | email: e}`: the keys after the bar.
                    "binary_operator" if map_update_base(c, src).is_some() => {
                        c.child_by_field_name("right").filter(|r| r.kind() == "keywords")
                    }
                    _ => None,
                })
                .collect()
        }
        "map" => {
            let mut cursor = node.walk();
            let contents: Vec<Node<'_>> =
                node.named_children(&mut cursor).filter(|c| c.kind() == "map_content").collect();
            return contents.into_iter().flat_map(|c| keyword_keys(c, src)).collect();
        }
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for kw in keywords {
        let mut cursor = kw.walk();
        for pair in kw.named_children(&mut cursor).filter(|p| p.kind() == "pair") {
            if let Some(key) = pair.child_by_field_name("key")
                && let Some(text) = src.get(key.byte_range())
            {
                let name = text.trim_end().trim_end_matches(':').trim_matches('"');
                out.push((name.to_owned(), key.start_byte() + usize::from(text.starts_with('"'))));
            }
        }
    }
    out
}

/// The record a map update (`x | key: value`) starts from.
fn map_update_base<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    (node.kind() == "binary_operator"
        && node.child_by_field_name("operator").and_then(|o| src.get(o.byte_range())) == Some("|"))
    .then(|| node.child_by_field_name("left"))
    .flatten()
}

/// `:email` → ("email", offset of `e`).
fn atom(node: Node<'_>, src: &str) -> Option<(String, usize)> {
    let text = src.get(node.byte_range())?;
    match node.kind() {
        "atom" => Some((text.trim_start_matches(':').to_owned(), node.start_byte() + 1)),
        "quoted_atom" => {
            let inner = text.trim_start_matches(':').trim_matches('"');
            Some((inner.to_owned(), node.start_byte() + 2))
        }
        _ => None,
    }
}

fn string(node: Node<'_>, src: &str) -> Option<(String, usize)> {
    if node.kind() != "string" {
        return None;
    }
    let mut cursor = node.walk();
    let parts: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    match parts.as_slice() {
        [content] if content.kind() == "quoted_content" => {
            Some((src.get(content.byte_range())?.to_owned(), content.start_byte()))
        }
        _ => None,
    }
}

/// Atoms in an atom, a list of atoms, or a `~w(…)a` sigil.
fn atoms_in(node: Node<'_>, src: &str) -> Vec<(String, usize)> {
    match node.kind() {
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
            let is_w = children.iter().any(|c| c.kind() == "sigil_name" && src.get(c.byte_range()) == Some("w"));
            let Some(content) = children.iter().find(|c| c.kind() == "quoted_content") else { return Vec::new() };
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

/// The form a template's fields belong to: `form_for(@changeset, …)`, `<.form for={@form} …>`.
static FORM_SOURCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:form_for\(?\s*|for=\{)(@[a-z_]\w*)").expect("valid regex"));

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
fn template_scope(path: &str) -> Option<String> {
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

/// The schema a template's folder is named after (`templates/admin/person/` → `Person`), the
/// guess for its form when no controller says what the form is for.
fn dir_model(path: &str) -> String {
    let Some(scope) = template_scope(path) else { return String::new() };
    let dir = scope.rsplit(['/', ':']).next().unwrap_or("");
    if dir.is_empty() || dir.ends_with("_live") { String::new() } else { inflect::camelize(&inflect::singularize(dir)) }
}

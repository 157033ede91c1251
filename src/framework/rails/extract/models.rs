//! The model index a file contributes: classes that may be models, their table settings and
//! the declarations of their class bodies (associations, enums, attributes, serializers …).

use super::*;
use crate::grammar::NodeExt;

pub(super) struct Scope {
    /// Fully qualified name of the class or module.
    pub(super) name: String,

    /// Index into `facts.models` when the class may be a model.
    pub(super) model: Option<usize>,
    /// The model a serializer / blueprint class renders.
    pub(super) serializes: Option<String>,
    /// `table_name_prefix` defined by this module (in this file).
    pub(super) table_prefix: Option<String>,
    /// For a controller or mailer: the view directory whose templates read its instance
    /// variables (`Admin::UsersController` → `admin/users`; `ApplicationController` → ``).
    pub(super) views: Option<String>,
    /// For a module under `app/controllers/`: the scope binding its instance variables for
    /// the controllers that include it (see [`concern_scope`]).
    pub(super) concern: Option<String>,
    /// Instance methods the class body defines (or aliases) without reaching the attribute
    /// (no `super`, no `self[…]`/`read_attribute`): a bare call of one is that method, even
    /// when a column has its name (`def prerelease?` computed from the version number).
    pub(super) own_methods: HashSet<String>,
    /// For an Avo action (a class under `app/avo/actions/`): the scope its `record` is bound in
    /// by the resources that list it (see [`avo_action_scope`]).
    pub(super) avo_action: Option<String>,
    /// Methods a `delegate …, to: :invoice` defines in the class body: `date` → the records it
    /// reads and their `date` (`invoice_date` with `prefix: true`, `bill_date` with `prefix:
    /// :bill`: the model `Invoice`'s).
    pub(super) delegated: HashMap<String, (Rec, String)>,
    /// A module, whose `def`s (`module_function`, `extend self`) are called on it: `Mod.m(…)`.
    pub(super) module: bool,
    /// What the class is handed by its gem's convention (a decorator's `object`, a policy's or
    /// validator's `record`).
    pub(super) role: Option<Role>,
}

/// The scope an Avo action's `record` is bound in, keyed by the action's last name: a resource's
/// `action Avo::Actions::VersionAfterWrite` binds it to the resource's model.
pub(super) fn avo_action_scope(action: &str) -> String {
    format!("rails:avo-action:{}", inflect::demodulize(action))
}

/// The instance methods a class body defines or aliases that shadow an attribute reader of the
/// same name: their bodies never reach the attribute (`super`, `self[:x]`, `read_attribute`).
fn shadowing_methods(body: Node<'_>, code: &str) -> HashSet<String> {
    let text = |n: Node<'_>| code.get(n.byte_range()).unwrap_or("");
    let reaches_attribute = |n: Node<'_>| {
        let t = text(n);
        t.contains("super") || t.contains("self[") || t.contains("read_attribute") || t.contains("attributes[")
    };
    let mut own: HashSet<String> = HashSet::new();
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut cursor = body.walk();
    for child in body.named_children(&mut cursor) {
        match child.kind_name() {
            "method" => {
                if let Some(name) = child.child_by_field_id(*field::NAME)
                    && !reaches_attribute(child)
                {
                    own.insert(text(name).to_owned());
                }
            }
            "alias" => {
                if let (Some(new), Some(old)) = (child.named_child(0), child.named_child(1)) {
                    aliases.push((
                        text(new).trim_start_matches(':').to_owned(),
                        text(old).trim_start_matches(':').to_owned(),
                    ));
                }
            }
            _ => {}
        }
    }
    for (new, old) in aliases {
        if own.contains(&old) {
            own.insert(new);
        }
    }
    own
}

/// Whether a superclass is ActiveRecord's root (`ActiveRecord::Base`) or an app's abstract base
/// named the Rails way (`ApplicationRecord`, `PrimaryRecord`): a class whose ancestry reaches one
/// is a model, any other class under `app/models` is plain Ruby.
pub fn is_record_base(parent: &str) -> bool {
    parent == "ActiveRecord::Base" || (inflect::demodulize(parent).ends_with("Record") && !parent.starts_with("Active"))
}

/// The model a serializer class renders: `UserSerializer < ActiveModel::Serializer` → `User`,
/// `Api::V1::UserBlueprint < Blueprinter::Base` → `User`.
pub(super) fn serialized_model(class: &str, parent: &str) -> Option<String> {
    let last = inflect::demodulize(class);
    // An admin resource named as its model (Avo's `Avo::Resources::Version < Avo::BaseResource`;
    // `self.model_class = ::Rubygem` says otherwise, see `Walker::model_setting`).
    if inflect::demodulize(parent) == "BaseResource" && class.contains("Resources::") && !last.ends_with("Resource") {
        return Some(last.to_owned());
    }
    let lower = parent.to_ascii_lowercase();
    let serializer = ["serializer", "blueprint", "jsonapi", "resource"].iter().any(|k| lower.contains(k));
    ["Serializer", "Blueprint", "Resource"]
        .iter()
        .find_map(|suffix| last.strip_suffix(suffix))
        .filter(|m| serializer && !m.is_empty())
        .map(str::to_owned)
}

/// Rails' HABTM join table: the two table names in lexical order joined with `_`, a common
/// prefix ending in `_` written once (`catalog_categories` + `catalog_products` →
/// `catalog_categories_products`).
pub fn join_table_name(a: &str, b: &str) -> String {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    // The longest prefix ending in `_` or `.` shared by both, leaving both non-empty.
    let mut best = 0;
    for (i, c) in first.char_indices() {
        if (c == '_' || c == '.') && second.len() > i + 1 && first.len() > i + 1 && first[..=i] == second[..=i] {
            best = i + 1;
        }
    }
    if best > 0 { format!("{}_{}", first, &second[best..]) } else { format!("{first}_{second}") }
}

impl<'a> Walker<'a> {
    pub(super) fn visit_namespace(&mut self, node: Node<'_>, is_class: bool) {
        let Some(name_node) = node.child_by_field_id(*field::NAME) else { return self.visit_children(node) };
        let written = self.text(name_node);
        let name = match written.strip_prefix("::") {
            Some(absolute) => absolute.to_owned(),
            None => match self.scopes.last() {
                Some(outer) => format!("{}::{written}", outer.name),
                None => written.to_owned(),
            },
        };
        let superclass = node
            .child_by_field_id(*field::SUPERCLASS)
            .and_then(|s| s.named_child(0))
            .filter(|s| matches!(s.kind_name(), "constant" | "scope_resolution"))
            .map(|s| self.text(s).trim_start_matches("::").to_owned());
        let views = if is_class { controller_views(&name) } else { None };
        let concern = (!is_class && self.path.contains("app/controllers/")).then(|| concern_scope(&name));
        let own_methods = node
            .child_by_field_id(*field::BODY)
            .filter(|_| is_class)
            .map(|body| shadowing_methods(body, self.code))
            .unwrap_or_default();
        // The outermost class of an action file (not the handler classes it nests).
        let avo_action =
            (is_class && self.path.contains("app/avo/actions/") && !self.scopes.iter().any(|s| s.avo_action.is_some()))
                .then(|| avo_action_scope(&name));
        let mut scope = Scope {
            name: name.clone(),
            model: None,
            serializes: None,
            table_prefix: None,
            views,
            concern,
            own_methods,
            avo_action,
            delegated: HashMap::new(),
            module: !is_class,
            role: None,
        };
        if is_class && let Some(parent) = &superclass {
            if self.may_be_model(parent) {
                let (line, column) = self.line_col(node.start_byte());
                let table = self.nested_table(&name);
                self.facts.models.push(ModelDecl {
                    framework: Framework::Rails,
                    class: name.clone(),
                    parent: Some(parent.clone()),
                    table,
                    is_abstract: false,
                    ignored_columns: Vec::new(),
                    fields: Vec::new(),
                    associations: Vec::new(),
                    mixins: Vec::new(),
                    line,
                    column,
                    snippet: self.snippet(line),
                });
                scope.model = Some(self.facts.models.len() - 1);
            } else if let Some(model) = serialized_model(&name, parent) {
                scope.serializes = Some(model);
            } else {
                scope.role = role_of(&name, parent);
            }
        }
        if !is_class && self.text(node).contains("ActiveSupport::Concern") {
            // A concern: what its `included` block declares and its instance methods read
            // belong to every model that includes it.
            let (line, column) = self.line_col(node.start_byte());
            self.facts.models.push(ModelDecl {
                framework: Framework::Rails,
                class: name.clone(),
                parent: None,
                table: None,
                is_abstract: true,
                ignored_columns: Vec::new(),
                fields: Vec::new(),
                associations: Vec::new(),
                mixins: Vec::new(),
                line,
                column,
                snippet: self.snippet(line),
            });
            scope.model = Some(self.facts.models.len() - 1);
        }
        self.scopes.push(scope);
        self.frames.push(HashMap::new());
        let saved = std::mem::replace(&mut self.in_instance_method, false);
        if let Some(body) = node.child_by_field_id(*field::BODY) {
            self.visit(body);
        }
        self.in_instance_method = saved;
        self.frames.pop();
        self.scopes.pop();
    }

    pub(super) fn may_be_model(&self, parent: &str) -> bool {
        let last = inflect::demodulize(parent);
        if is_record_base(parent) {
            return true;
        }
        // Single-table inheritance: a subclass of a model is a model. Within `app/models` a
        // superclass that is not a well-known non-model is taken as a possible model. The
        // resolver maps every declared class to a table, so this stays narrow: a namespaced
        // superclass counts only inside the app's own namespace (`Billing::Invoice` from
        // `module Billing`), never a gem's (`Reform::Form`, `Dry::Struct`).
        if self.facts.models.iter().any(|m| m.class == parent || m.class.ends_with(&format!("::{parent}"))) {
            return true;
        }
        let under_models = self.path.starts_with("app/models/") || self.path.contains("/app/models/");
        let not_model =
            ["Error", "Exception", "Struct", "Object", "Serializer", "Job", "Mailer", "Controller", "Delegator"]
                .iter()
                .any(|s| last.ends_with(s))
                || ["Hash", "Array", "String", "OpenStruct", "Set", "Data"].contains(&parent)
                || parent.starts_with("Active")
                || parent.starts_with("Action");
        let own_namespace = match parent.split_once("::") {
            None => true,
            Some((head, _)) => self.scopes.iter().any(|s| s.name.split("::").next() == Some(head)),
        };
        under_models && !not_model && own_namespace
    }

    /// Module `module` gives the tables of its models `prefix`, in every file (see
    /// [`TABLE_PREFIX_SCOPE`]); `engine`: through an engine's `isolate_namespace`.
    pub(super) fn namespace_prefix(&mut self, module: String, prefix: String, engine: bool) {
        let mut path = vec![prefix];
        if engine {
            path.push(NAMESPACE_ENGINE.to_owned());
        }
        let binding = Binding {
            scope: TABLE_PREFIX_SCOPE.to_owned(),
            name: module.clone(),
            root: Root::Model { model: module },
            path,
        };
        if !self.facts.bindings.contains(&binding) {
            self.facts.bindings.push(binding);
        }
    }

    /// The table of a base model when this file alone decides it: the enclosing module's
    /// `table_name_prefix`, or an enclosing (concrete) model class.
    pub(super) fn nested_table(&self, class: &str) -> Option<String> {
        let outer = self.scopes.last()?;
        if let Some(i) = outer.model {
            let parent = &self.facts.models[i];
            if parent.is_abstract {
                return None;
            }
            let parent_table = parent.table.clone().unwrap_or_else(|| inflect::tableize(&parent.class));
            let naming =
                inflect::TableNaming { nesting_table: Some(&parent_table), ..inflect::TableNaming::rails_default() };
            return Some(inflect::table_name(class, &naming));
        }
        let prefix = self.scopes.iter().rev().find_map(|s| s.table_prefix.as_deref())?;
        let naming = inflect::TableNaming { prefix, ..inflect::TableNaming::rails_default() };
        Some(inflect::table_name(class, &naming))
    }

    /// `only:` / `except:` of a serialization (`as_json(only: [:a])`, `super(only: attrs)` in a
    /// model's `as_json`): the listed names are attributes.
    pub(super) fn serialized_attributes(&mut self, rec: &Rec, confidence: Confidence, args: &[Node<'_>]) {
        // `as_json(SERIALIZE_PARAMS)`: the options hash a constant holds.
        let options: Vec<Node<'_>> =
            args.iter().flat_map(|a| if a.kind_name() == "constant" { self.literals(*a) } else { vec![*a] }).collect();
        for pair in options.iter().flat_map(|a| pairs(*a)) {
            let key = pair.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code));
            let (Some((key, _)), Some(value)) = (key, pair.child_by_field_id(*field::VALUE)) else { continue };
            if !matches!(key.as_str(), "only" | "except") {
                continue;
            }
            let mut values: Vec<Node<'_>> = self.literals(value);
            if values.is_empty() {
                values.push(value);
            }
            for value in values {
                for (column, offset) in strings_in(value, self.code) {
                    if is_identifier(&column) {
                        self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence.min(Confidence::Medium));
                    }
                }
            }
        }
    }

    /// The associations `includes`/`preload`/`eager_load` name, nested ones on the records of
    /// the association they hang off (`folder: :parent_folder`, `[:author, { folder: [...] }]`).
    pub(super) fn preloaded(&mut self, node: Node<'_>, rec: &Rec, confidence: Confidence, depth: u32) {
        if depth > 4 {
            return;
        }
        match node.kind_name() {
            "simple_symbol" | "delimited_symbol" | "string" => {
                if let Some((name, offset)) = symbol_or_string(node, self.code)
                    && is_identifier(&name)
                {
                    self.hit_at(offset, rec.attribute(&name), RefKind::Query, confidence);
                }
            }
            "array" => {
                let mut cursor = node.walk();
                let items: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
                for item in items {
                    self.preloaded(item, rec, confidence, depth + 1);
                }
            }
            "hash" | "pair" => {
                for pair in pairs(node) {
                    let Some(key) = pair.child_by_field_id(*field::KEY) else { continue };
                    let Some((name, offset)) = symbol_or_string(key, self.code) else { continue };
                    if !is_identifier(&name) {
                        continue;
                    }
                    self.hit_at(offset, rec.attribute(&name), RefKind::Query, confidence);
                    if let Some(value) = pair.child_by_field_id(*field::VALUE) {
                        self.preloaded(value, &rec.via(&name), confidence, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// `self.x = …` in a model's class body. Returns whether it was a model setting.
    pub(super) fn model_setting(&mut self, setting: &str, value: Node<'_>) -> bool {
        if let Some(model) = self.scopes.last().and_then(|s| s.serializes.clone()) {
            return self.resource_setting(&model, setting, value);
        }
        let Some(index) = self.scopes.last().and_then(|s| s.model) else {
            if setting == "table_name_prefix"
                && let Some(prefix) = string_value(value, self.code)
                && let Some(scope) = self.scopes.last_mut()
            {
                scope.table_prefix = Some(prefix.clone());
                let module = scope.name.clone();
                self.namespace_prefix(module, prefix, false);
                return true;
            }
            return false;
        };
        let model = self.facts.models[index].class.clone();
        match setting {
            "table_name" => {
                if let Some(table) = string_value(value, self.code) {
                    let offset = string_offset(value);
                    self.facts.models[index].table = Some(table.clone());
                    self.hit_at(offset, Target::Table { table }, RefKind::Declaration, Confidence::High);
                }
            }
            "abstract_class" => self.facts.models[index].is_abstract = value.kind_name() == "true",
            "ignored_columns" => {
                let names = strings_in(value, self.code);
                let ignored = &mut self.facts.models[index].ignored_columns;
                for (name, _) in names {
                    if !ignored.contains(&name) {
                        ignored.push(name);
                    }
                }
            }
            "primary_key" | "inheritance_column" | "locking_column" => {
                for (column, offset) in strings_in(value, self.code) {
                    let target = Target::ModelColumn { model: model.clone(), column };
                    self.hit_at(offset, target, RefKind::Declaration, Confidence::High);
                }
            }
            "table_name_prefix" => {
                if let Some(prefix) = string_value(value, self.code)
                    && let Some(scope) = self.scopes.last_mut()
                {
                    scope.table_prefix = Some(prefix);
                }
            }
            _ => return false,
        }
        true
    }

    /// `self.x = …` in a serializer's or admin resource's class body: `model_class = ::Rubygem`
    /// names the model it renders, `title = :full_name` the attribute that labels a record.
    fn resource_setting(&mut self, model: &str, setting: &str, value: Node<'_>) -> bool {
        match setting {
            "model_class" => {
                let class = match value.kind_name() {
                    "constant" | "scope_resolution" => Some(self.text(value).trim_start_matches("::").to_owned()),
                    _ => string_value(value, self.code),
                };
                if let (Some(class), Some(scope)) = (class, self.scopes.last_mut()) {
                    scope.serializes = Some(class.trim_start_matches("::").to_owned());
                }
                true
            }
            "title" => {
                if let Some((column, offset)) = symbol_or_string(value, self.code)
                    && is_identifier(&column)
                {
                    self.hit_at(
                        offset,
                        Rec::model(model.to_owned()).attribute(&column),
                        RefKind::Query,
                        Confidence::Medium,
                    );
                }
                true
            }
            _ => false,
        }
    }

    /// The model an association declared by `call` in a model's class body points at.
    pub(super) fn association_target(&self, call: Node<'_>) -> Option<Rec> {
        if self.in_instance_method || call.child_by_field_id(*field::RECEIVER).is_some() {
            return None;
        }
        self.scopes.last().and_then(|s| s.model)?;
        let method = self.text(call.child_by_field_id(*field::METHOD)?);
        if !matches!(method, "has_many" | "has_one" | "belongs_to" | "has_and_belongs_to_many") {
            return None;
        }
        let args = arguments(call);
        let (name, _) = args.first().and_then(|a| symbol_or_string(*a, self.code))?;
        let class_name = args.iter().flat_map(|a| pairs(*a)).find_map(|p| {
            let key = p.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code))?;
            (key.0 == "class_name")
                .then(|| p.child_by_field_id(*field::VALUE).and_then(|v| symbol_or_string(v, self.code)))?
        });
        Some(Rec::model(match class_name {
            Some((class, _)) => class.trim_start_matches("::").to_owned(),
            None if matches!(method, "has_many" | "has_and_belongs_to_many") => inflect::classify(&name),
            None => inflect::camelize(&name),
        }))
    }

    /// `[:num_changes, :num_created].each do |counter| validates counter, …`: a name that holds
    /// a literal list stands for each of its items (medium: the list may hold more than names).
    fn listed_attributes<'x>(&mut self, args: &[Node<'x>], rec: &Rec, kind: RefKind) {
        // `validates_formatting_of url.to_sym`: the name as a symbol is the name.
        let named = |a: Node<'x>| match a.kind_name() {
            "identifier" => Some(a),
            "call"
                if a.child_by_field_id(*field::METHOD).is_some_and(|m| matches!(self.text(m), "to_sym" | "to_s")) =>
            {
                a.child_by_field_id(*field::RECEIVER).filter(|r| r.kind_name() == "identifier")
            }
            _ => None,
        };
        let names: Vec<Node<'x>> = args.iter().filter_map(|a| named(*a)).collect();
        for arg in names {
            for literal in self.literals(arg) {
                for (column, offset) in strings_in(literal, self.code) {
                    if is_identifier(&column) {
                        self.hit_at(offset, rec.attribute(&column), kind, Confidence::Medium);
                    }
                }
            }
        }
    }

    /// A declaration in a model's class body. Returns whether `method` was one.
    pub(super) fn declaration(&mut self, call: Node<'_>, index: usize, method: &str, args: &[Node<'_>]) -> bool {
        let model = self.facts.models[index].class.clone();
        let rec = Rec::model(model.clone());
        let high = Confidence::High;
        let decl = RefKind::Declaration;
        let symbols: Vec<(String, Node<'_>)> = args
            .iter()
            .filter(|a| matches!(a.kind_name(), "simple_symbol" | "delimited_symbol" | "string"))
            .filter_map(|a| symbol_or_string(*a, self.code).map(|(s, _)| (s, *a)))
            .collect();
        let options: Vec<Node<'_>> = args.iter().flat_map(|a| pairs(*a)).collect();
        let option = |name: &str| -> Option<Node<'_>> {
            options.iter().copied().find(|p| {
                p.child_by_field_id(*field::KEY)
                    .and_then(|k| symbol_or_string(k, self.code))
                    .is_some_and(|(k, _)| k == name)
            })
        };
        let option_value = |name: &str| option(name).and_then(|p| p.child_by_field_id(*field::VALUE));
        if names_no_attribute(method) || method.starts_with("validates") {
            for condition in ["if", "unless"].into_iter().filter_map(option_value) {
                self.callback_condition(condition);
            }
        }
        if method.starts_with("validates") {
            // A validator's own `if:`/`unless:` (`numericality: { unless: :backorderable? }`).
            for value in options.iter().filter_map(|p| p.child_by_field_id(*field::VALUE)) {
                for pair in pairs(value) {
                    let key = pair.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code));
                    if key.is_some_and(|(k, _)| matches!(k.as_str(), "if" | "unless"))
                        && let Some(condition) = pair.child_by_field_id(*field::VALUE)
                    {
                        self.callback_condition(condition);
                    }
                }
            }
        }
        let option_string =
            |name: &str| option_value(name).and_then(|v| symbol_or_string(v, self.code)).map(|(s, _)| s);
        match method {
            "primary_abstract_class" => self.facts.models[index].is_abstract = true,
            "include" | "prepend" => {
                for arg in args.iter().filter(|a| matches!(a.kind_name(), "constant" | "scope_resolution")) {
                    let module = self.text(*arg).trim_start_matches("::").to_owned();
                    let mixins = &mut self.facts.models[index].mixins;
                    if !mixins.contains(&module) {
                        mixins.push(module);
                    }
                }
            }
            "attribute" | "serialize" | "store" | "store_accessor" | "has_secure_token" | "composed_of" => {
                if let Some((column, node)) = symbols.first() {
                    let column = if method == "composed_of" {
                        option_string("mapping").unwrap_or_default()
                    } else {
                        column.clone()
                    };
                    self.column_hit(*node, &rec, &column, decl, high);
                } else if method == "has_secure_token" {
                    // `has_secure_token` without a name maps the `token` column.
                    self.column_hit(call, &rec, "token", decl, high);
                }
            }
            "encrypts" | "normalizes" | "attr_readonly" | "validates" | "validates!" | "validates_each"
            | "validates_with" => {
                let kind = if matches!(method, "encrypts" | "attr_readonly") { decl } else { RefKind::Query };
                for (column, node) in &symbols {
                    self.column_hit(*node, &rec, column, kind, high);
                }
                self.listed_attributes(args, &rec, kind);
                self.scope_option(&options, &rec);
                if method == "validates_with" {
                    // `validates_with CourtReportValidator, fields: [:court_report_status]`: the
                    // validator's `record` is the model's, and the fields it is told are its.
                    if let Some(validator) = args.first() {
                        self.bind_validator(*validator, &rec);
                    }
                    if let Some(fields) = option_value("fields") {
                        for (column, offset) in strings_in(fields, self.code) {
                            if is_identifier(&column) {
                                self.hit_at(offset, rec.attribute(&column), RefKind::Query, high);
                            }
                        }
                    }
                }
            }
            _ if method.starts_with("validates_") && method.ends_with("_of") => {
                for (column, node) in &symbols {
                    self.column_hit(*node, &rec, column, RefKind::Query, high);
                }
                self.listed_attributes(args, &rec, RefKind::Query);
                self.scope_option(&options, &rec);
            }
            "alias_attribute" => {
                if let Some((column, node)) = symbols.get(1) {
                    self.column_hit(*node, &rec, column, decl, high);
                }
            }
            "has_secure_password" => {
                let attr = symbols.first().map_or("password".to_owned(), |(s, _)| s.clone());
                let at = symbols.first().map_or(call, |(_, n)| *n);
                self.column_hit(at, &rec, &format!("{attr}_digest"), decl, high);
            }
            "enum" => {
                // What `enum` names: the column, its values, and the affixes of the generated
                // predicates (`prefix: true` → `status_active?`, `suffix: :state` → `active_state?`).
                let affix =
                    |name: &str, column: &str| match option_value(name).or_else(|| option_value(&format!("_{name}"))) {
                        Some(v) if v.kind_name() == "true" => Some(column.to_owned()),
                        Some(v) => symbol_or_string(v, self.code).map(|(s, _)| s),
                        None => None,
                    };
                let mut declared: Vec<(String, Option<Node<'_>>)> = Vec::new();
                if let Some((column, node)) = symbols.first() {
                    self.column_hit(*node, &rec, column, decl, high);
                    declared.push((column.clone(), args.get(1).copied()));
                } else {
                    // Rails < 7: `enum status: {…}, _prefix: true`.
                    for pair in &options {
                        if let Some(key) = pair.child_by_field_id(*field::KEY)
                            && let Some((column, _)) = symbol_or_string(key, self.code)
                            && !column.starts_with('_')
                            && !matches!(
                                column.as_str(),
                                "prefix" | "suffix" | "scopes" | "default" | "validate" | "instance_methods"
                            )
                        {
                            self.column_hit(key, &rec, &column, decl, high);
                            declared.push((column, pair.child_by_field_id(*field::VALUE)));
                        }
                    }
                }
                for (column, values) in declared {
                    let values = match values {
                        Some(v) if v.kind_name() == "hash" => pairs(v)
                            .iter()
                            .filter_map(|p| p.child_by_field_id(*field::KEY))
                            .filter_map(|k| symbol_or_string(k, self.code))
                            .map(|(s, _)| s)
                            .collect(),
                        Some(v) => strings_in(v, self.code).into_iter().map(|(s, _)| s).collect(),
                        None => Vec::new(),
                    };
                    let prefix = affix("prefix", &column).map(|p| format!("{p}_")).unwrap_or_default();
                    let suffix = affix("suffix", &column).map(|s| format!("_{s}")).unwrap_or_default();
                    // `record.active?` reads the enum's column: resolution maps the predicate to
                    // it, as it maps any declared field; `record.active!` writes it. The value
                    // gives the record nothing else: a reader, writer, form field or hash key
                    // `notes` beside `notes: "notes"` is the `notes` column's, not `status`.
                    let fields = &mut self.facts.models[index].fields;
                    for value in values.iter().filter(|v| is_identifier(v)) {
                        let attribute = format!("{prefix}{value}{suffix}");
                        for method in [format!("{attribute}?"), format!("{attribute}!")] {
                            if !fields.iter().any(|(a, _)| *a == method) {
                                fields.push((method, column.clone()));
                            }
                        }
                    }
                }
            }
            "belongs_to" | "has_many" | "has_one" | "has_and_belongs_to_many" => {
                let Some((name, node)) = symbols.first() else { return true };
                let class_name = option_string("class_name").map(|c| c.trim_start_matches("::").to_owned());
                let many = matches!(method, "has_many" | "has_and_belongs_to_many");
                let polymorphic = option_value("polymorphic").is_some_and(|v| v.kind_name() == "true");
                let concern = self.facts.models[index].is_abstract && self.facts.models[index].parent.is_none();
                let association = Association {
                    name: name.clone(),
                    // A polymorphic association reads whichever model `_type` names.
                    model: match &class_name {
                        _ if polymorphic => String::new(),
                        Some(class) => class.clone(),
                        None if many => inflect::classify(name),
                        None => inflect::camelize(name),
                    },
                    many,
                    foreign_key: (method == "belongs_to")
                        .then(|| option_string("foreign_key").unwrap_or_else(|| format!("{name}_id"))),
                    inverse: None,
                    // Loading a `has_many`/`has_one` reads the associated table's key (a
                    // `through:` reads the joined association's instead).
                    // A concern's key is named after the class including it, and `inverse_of:`
                    // may name it after the inverse (Rails 7.1): only a stated one is known.
                    associated_keys: match (option_string("as"), option_string("foreign_key")) {
                        _ if !matches!(method, "has_many" | "has_one") || option("through").is_some() => Vec::new(),
                        (Some(poly), _) => vec![format!("{poly}_id"), format!("{poly}_type")],
                        (None, Some(fk)) => vec![fk],
                        (None, None) if concern || option("inverse_of").is_some() => Vec::new(),
                        (None, None) => vec![inflect::foreign_key(&model)],
                    },
                };
                let associations = &mut self.facts.models[index].associations;
                if !associations.contains(&association) {
                    associations.push(association);
                }
                match method {
                    "belongs_to" => {
                        let fk = option_string("foreign_key").unwrap_or_else(|| format!("{name}_id"));
                        // A stated key is used where it is written (often lines below the name).
                        let fk_at = option_value("foreign_key").unwrap_or(*node);
                        self.column_hit(fk_at, &rec, &fk, decl, high);
                        if option_value("polymorphic").is_some_and(|v| v.kind_name() == "true") {
                            self.column_hit(*node, &rec, &format!("{name}_type"), decl, high);
                        } else {
                            let target = class_name.unwrap_or_else(|| inflect::camelize(name));
                            self.hit_at(node.start_byte(), Target::Model { model: target.clone() }, decl, high);
                            // `primary_key: :uuid`: the key the foreign key points at.
                            if let Some(pk) = option_string("primary_key") {
                                self.column_hit(*node, &Rec::model(target.clone()), &pk, decl, high);
                            }
                            if let Some(cache) = option_value("counter_cache") {
                                let column = match symbol_or_string(cache, self.code) {
                                    Some((c, _)) => c,
                                    None if cache.kind_name() == "true" => {
                                        format!(
                                            "{}_count",
                                            inflect::pluralize(&inflect::underscore(inflect::demodulize(&model)))
                                        )
                                    }
                                    None => String::new(),
                                };
                                self.column_hit(cache, &Rec::model(target.clone()), &column, decl, high);
                            }
                        }
                    }
                    "has_many" | "has_one" => {
                        let target = class_name.unwrap_or_else(|| {
                            if method == "has_many" { inflect::classify(name) } else { inflect::camelize(name) }
                        });
                        self.hit_at(node.start_byte(), Target::Model { model: target.clone() }, decl, high);
                        // `has_many :resharers, through: :reshares`: loading joins through the
                        // other association, reading its keys (resolution maps them).
                        if let Some(through) = option_value("through")
                            && let Some((via, _)) = symbol_or_string(through, self.code)
                        {
                            self.column_hit(through, &rec, &via, RefKind::Query, high);
                        }
                        if option("through").is_none() {
                            if let Some(poly) = option_string("as") {
                                self.column_hit(*node, &Rec::model(target.clone()), &format!("{poly}_id"), decl, high);
                                self.column_hit(
                                    *node,
                                    &Rec::model(target.clone()),
                                    &format!("{poly}_type"),
                                    decl,
                                    high,
                                );
                            } else {
                                let fk = option_string("foreign_key").unwrap_or_else(|| inflect::foreign_key(&model));
                                let fk_at = option_value("foreign_key").unwrap_or(*node);
                                self.column_hit(fk_at, &Rec::model(target.clone()), &fk, decl, high);
                            }
                        }
                    }
                    _ => {
                        let target = class_name.unwrap_or_else(|| inflect::classify(name));
                        self.hit_at(node.start_byte(), Target::Model { model: target.clone() }, decl, high);
                        let own_table =
                            self.facts.models[index].table.clone().unwrap_or_else(|| inflect::tableize(&model));
                        let join = option_string("join_table")
                            .unwrap_or_else(|| join_table_name(&own_table, &inflect::tableize(&target)));
                        let fk = option_string("foreign_key").unwrap_or_else(|| inflect::foreign_key(&model));
                        let afk =
                            option_string("association_foreign_key").unwrap_or_else(|| inflect::foreign_key(&target));
                        let at = node.start_byte();
                        let at_option = |name: &str| option_value(name).map_or(at, |v| v.start_byte());
                        self.hit_at(at_option("join_table"), Target::Table { table: join.clone() }, decl, high);
                        self.hit_at(
                            at_option("foreign_key"),
                            Target::Column { table: join.clone(), column: fk },
                            decl,
                            high,
                        );
                        self.hit_at(
                            at_option("association_foreign_key"),
                            Target::Column { table: join, column: afk },
                            decl,
                            high,
                        );
                    }
                }
            }
            "devise" => {
                self.bind_devise_resource(&model);
                // Each Devise module maps its columns (devise/lib/generators templates).
                for (module, node) in &symbols {
                    let columns: &[&str] = match module.as_str() {
                        "database_authenticatable" => &["email", "encrypted_password"],
                        "recoverable" => &["reset_password_token", "reset_password_sent_at"],
                        "rememberable" => &["remember_created_at"],
                        "trackable" => &[
                            "sign_in_count",
                            "current_sign_in_at",
                            "last_sign_in_at",
                            "current_sign_in_ip",
                            "last_sign_in_ip",
                        ],
                        "confirmable" => {
                            &["confirmation_token", "confirmed_at", "confirmation_sent_at", "unconfirmed_email"]
                        }
                        "lockable" => &["failed_attempts", "unlock_token", "locked_at"],
                        // devise-two-factor (its model's `otp_secret`, the legacy encrypted one,
                        // `consumed_timestep`; its strategy reads `otp_required_for_login`).
                        "two_factor_authenticatable" => &[
                            "otp_secret",
                            "encrypted_otp_secret",
                            "encrypted_otp_secret_iv",
                            "encrypted_otp_secret_salt",
                            "consumed_timestep",
                            "otp_required_for_login",
                        ],
                        "two_factor_backupable" => &["otp_backup_codes"],
                        _ => &[],
                    };
                    for column in columns {
                        self.column_hit(*node, &rec, column, decl, high);
                    }
                }
            }
            "monetize" => {
                // money-rails: `monetize :price_cents` defines `price` and `price=` over the
                // column (its name less `_cents`), `monetize :amount_in_cents, as: :amount` the
                // name `as:` gives; reading or writing that name is the column's use.
                let named = option_string("as").filter(|a| is_identifier(a));
                for (column, node) in &symbols {
                    if !is_identifier(column) {
                        continue;
                    }
                    self.hit_at(node.start_byte(), rec.attribute(column), RefKind::Query, Confidence::Medium);
                    let attribute = match &named {
                        Some(name) if symbols.len() == 1 => Some(name.clone()),
                        _ => column.strip_suffix("_cents").filter(|a| !a.is_empty()).map(str::to_owned),
                    };
                    let fields = &mut self.facts.models[index].fields;
                    if let Some(attribute) = attribute
                        && attribute != *column
                        && !fields.iter().any(|(a, _)| *a == attribute)
                    {
                        fields.push((attribute, column.clone()));
                    }
                }
            }
            "acts_as_paranoid" | "acts_as_list" => {
                let default = if method == "acts_as_paranoid" { "deleted_at" } else { "position" };
                let column = option_string("column").unwrap_or_else(|| default.to_owned());
                self.column_hit(call, &rec, &column, decl, high);
            }
            _ if !names_no_attribute(method) => {
                // A gem's macro over the model's attributes (`monetize :price`, `friendly_id
                // :slug`, `auto_strip_attributes :name`): its symbols are attributes where the
                // model has such a column (resolution keeps only those). The call is still
                // walked as any other.
                for arg in args.iter().filter(|a| matches!(a.kind_name(), "simple_symbol" | "delimited_symbol")) {
                    if let Some((column, _)) = symbol_or_string(*arg, self.code)
                        && is_identifier(&column)
                    {
                        self.hit_at(arg.start_byte(), rec.attribute(&column), RefKind::Query, Confidence::Medium);
                    }
                }
                return false;
            }
            _ => return false,
        }
        true
    }

    /// `delegate :email, to: :user` in any class body reads `users.email` through the method
    /// named `user` (an association in a model, an `attr_reader` elsewhere); it defines `email`
    /// (`user_email` with `prefix: true`, `author_email` with `prefix: :author`), whose bare
    /// calls in the same class read it too (see [`Self::delegated_read`]).
    pub(super) fn delegation(&mut self, args: &[Node<'_>]) {
        let mut to = None;
        let mut to_at = None;
        let mut prefix = None;
        for pair in args.iter().flat_map(|a| pairs(*a)) {
            let key = pair.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code)).map(|(k, _)| k);
            let Some(value) = pair.child_by_field_id(*field::VALUE) else { continue };
            match key.as_deref() {
                Some("to") => {
                    to = symbol_or_string(value, self.code).map(|(s, _)| s);
                    to_at = Some(value);
                }
                Some("prefix") if self.text(value) == "true" => prefix = Some(None),
                Some("prefix") => prefix = symbol_or_string(value, self.code).map(|(s, _)| Some(s)),
                _ => {}
            }
        }
        let Some(to) = to.filter(|t| is_identifier(t)) else { return };
        // In a model, the delegated methods are called on what `to:` reads: an association
        // (its key: `delegate :author, to: :root` loads `root` through `root_guid`) or a column.
        if let Some(at) = to_at
            && self.scopes.last().is_some_and(|s| s.model.is_some())
            && let Some(model) = self.current_model()
        {
            self.column_hit(at, &model, &to, RefKind::Query, Confidence::Medium);
        }
        // What a bare call of an unprefixed delegated method is called on: in a model the
        // association (or method) `to:` names; elsewhere a record of the model the name says,
        // when it says one (`to: :record`, a policy's, says none).
        let bare = if self.scopes.last().is_some_and(|s| s.model.is_some()) {
            self.current_model().map(|m| m.via(&to))
        } else {
            match named_like_model(&to) {
                Some(Ty::Record(rec, _)) => Some(rec),
                _ => None,
            }
        };
        let rec = Rec::model(inflect::camelize(&to));
        for arg in args.iter().filter(|a| matches!(a.kind_name(), "simple_symbol" | "delimited_symbol" | "string")) {
            let Some((column, _)) = symbol_or_string(*arg, self.code) else { continue };
            self.column_hit(*arg, &rec, &column, RefKind::Query, Confidence::Medium);
            let defined = match &prefix {
                Some(prefix) => Some((format!("{}_{column}", prefix.as_deref().unwrap_or(&to)), rec.clone())),
                None => bare.clone().map(|on| (column.clone(), on)),
            };
            if is_identifier(&column)
                && let Some((name, on)) = defined
                && let Some(scope) = self.scopes.last_mut()
            {
                scope.delegated.insert(name, (on, column));
            }
        }
    }

    /// A bare call of a method a `delegate` defined in this class (`invoice_date`, `date`).
    pub(super) fn delegated_read(&mut self, node: Node<'_>) {
        let name = self.text(node);
        // A local or parameter of the name hides the delegated method.
        if self.lookup(name).is_some() || !self.not_a_local(name) || self.method_params.iter().any(|p| p == name) {
            return;
        }
        let Some((rec, column)) = self.scopes.last().and_then(|s| s.delegated.get(name)).cloned() else { return };
        self.hit_at(node.start_byte(), rec.attribute(&column), RefKind::Query, Confidence::Medium);
    }

    /// A callback's or validation's `if:`/`unless:` runs on the record: `:home_changed?` (or a
    /// list of such names) is an attribute method called on it, and so is each bare name in
    /// `-> { saved_change_to_indexed? || indexed? }`.
    fn callback_condition(&mut self, condition: Node<'_>) {
        match condition.kind_name() {
            "lambda" => {
                let saved = std::mem::replace(&mut self.in_instance_method, true);
                let locals =
                    MethodLocals { range: (condition.start_byte(), condition.end_byte()), names: OnceCell::new() };
                let saved_locals = self.method_locals.replace(locals);
                self.frames.push(HashMap::new());
                self.visit(condition);
                self.frames.pop();
                self.method_locals = saved_locals;
                self.in_instance_method = saved;
            }
            _ => {
                let Some(model) = self.current_model() else { return };
                for (name, offset) in strings_in(condition, self.code) {
                    let column = attribute_of(&name);
                    // Only the methods Rails generates for an attribute (a callback's own
                    // predicate, `:publishable?`, is a method of the model).
                    let generated = column.len() < name.trim_end_matches('?').len() || name.contains("change_to_");
                    // A plain predicate the class body does not define (`:backorderable?`) is the
                    // attribute's, when the model has such a column (resolution decides).
                    let predicate = !generated && name.ends_with('?') && !self.defines_method(&name);
                    if (generated || predicate) && is_identifier(column) {
                        let at = offset + name.find(column).unwrap_or(0);
                        let confidence = if generated { Confidence::High } else { Confidence::Medium };
                        self.hit_at(at, model.attribute(attribute_called(&name)), RefKind::Query, confidence);
                    }
                }
            }
        }
    }

    /// `uniqueness: { scope: [:account_id] }` / `scope: :account_id` anywhere in validation options.
    pub(super) fn scope_option(&mut self, options: &[Node<'_>], rec: &Rec) {
        let mut stack: Vec<Node<'_>> = options.to_vec();
        while let Some(pair) = stack.pop() {
            let key = pair.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code)).map(|(k, _)| k);
            let Some(value) = pair.child_by_field_id(*field::VALUE) else { continue };
            if key.as_deref() == Some("scope") {
                for (column, offset) in strings_in(value, self.code) {
                    if is_identifier(&column) {
                        self.hit_at(offset, rec.attribute(&column), RefKind::Query, Confidence::High);
                    }
                }
            } else if value.kind_name() == "hash" {
                stack.extend(pairs(value));
            }
        }
    }
}

//! The walker: one pass over a file's tree, dispatching calls, assignments and methods.

use super::*;
use crate::grammar::NodeExt;

/// The locals of one method, collected when first asked for.
pub(super) struct MethodLocals<'a> {
    pub(super) range: (usize, usize),
    pub(super) names: OnceCell<HashSet<&'a str>>,
}

pub(super) struct Walker<'a> {
    pub(super) path: &'a str,
    pub(super) original: &'a str,
    pub(super) code: &'a str,
    pub(super) line_starts: Vec<usize>,
    pub(super) facts: FileFacts,
    pub(super) scopes: Vec<Scope>,
    /// Local variable types, innermost frame last.
    pub(super) frames: Vec<HashMap<String, Ty>>,
    /// The indexes of the frames `bind` has bound a name in, ascending (some may be frames
    /// popped since): a lookup visits these, not every block's frame around it (a file nested
    /// thousands of blocks deep made each lookup walk thousands of empty frames).
    pub(super) bound_frames: Vec<usize>,
    /// Block parameters (by frame depth) over a collection typed by its name alone
    /// (`images.each do |image|`): weak evidence of records (see [`Self::element_reference`]).
    pub(super) guessed_params: Vec<(usize, String)>,
    pub(super) in_instance_method: bool,
    /// Inside `class << self`: a `def` there defines a class method.
    pub(super) in_singleton_class: bool,
    /// Local variables and parameters of the instance method being visited: any other bare
    /// identifier there is a method call on `self`.
    /// Computed on first use (most methods never need it), from the method's byte range.
    pub(super) method_locals: Option<MethodLocals<'a>>,
    pub(super) tree: &'a tree_sitter::Tree,
    /// Heredoc bodies by the byte offset of their `<<~TAG`: the literal parts' byte ranges.
    pub(super) heredocs: HashMap<usize, Vec<(usize, usize)>>,
    /// The associated model while visiting an association's scope lambda
    /// (`has_many :posts, -> { where(published: true) }` queries `Post`).
    pub(super) association_scope: Option<Rec>,
    /// For a template: its directory under `app/views/` (`admin/users`).
    pub(super) view_dir: Option<String>,
    /// The name of the method being visited (`as_json`: its `super(only: …)` serializes).
    pub(super) method_name: Option<&'a str>,
    /// For a partial (`app/views/home/_tag.html.erb`): the scope its locals are bound in.
    pub(super) partial_scope: Option<String>,
    /// Every name a template binds itself (assignments, block parameters), collected when first
    /// asked for: any other bare name in a partial may be one of its locals.
    pub(super) template_locals: OnceCell<HashSet<&'a str>>,
    /// What the previous walk of the file learnt of its methods (parameters, results).
    pub(super) summaries: Summaries,
    /// What this walk learns of them.
    pub(super) observed: Observed,
    /// The parameters of the method being visited, and the method.
    pub(super) method_params: Vec<String>,
    pub(super) method_key: Option<MethodKey>,
    /// What `eval` answered for the receivers of a method chain, kept while the chain is read.
    pub(super) chain_memo: std::cell::RefCell<ChainMemo>,
    /// The names of the methods the file defines, collected when first asked for.
    pub(super) defined_methods: OnceCell<HashSet<&'a str>>,
    /// Whether the screen may defer the file (see `screening::always_extracted`): then it gives
    /// only hits on models its words name, never ones another file's binding decides.
    pub(super) screened: bool,
}

/// `a.b.c…` is read from its top call down, and each level's call evaluates its receiver
/// (`eval`), which walks down the rest of the chain: the chain cost its length squared. What
/// `eval` depends on (the locals, the method, the class) does not change from one level to the
/// next (a level's call only adds hits and bindings), so its answers are kept by node, `on`
/// only while a level's call is read, and forgotten when a call that is no receiver of the
/// previous one is read.
#[derive(Default)]
pub(super) struct ChainMemo {
    pub(super) on: bool,
    /// The receiver of the last call read: the next level, when it is a call.
    next: Option<usize>,
    pub(super) types: HashMap<usize, Option<Ty>>,
}

/// Heredoc bodies follow their line in the tree, in the order their `<<~TAG`s appear on it:
/// pairing the n-th beginning with the n-th body in document order matches them.
pub(super) fn heredocs(root: Node<'_>) -> HashMap<usize, Vec<(usize, usize)>> {
    let mut beginnings = Vec::new();
    let mut bodies = Vec::new();
    // One cursor over the whole tree, pre-order.
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        match node.kind_name() {
            "heredoc_beginning" => beginnings.push(node.start_byte()),
            "heredoc_body" => {
                let mut inner = node.walk();
                let parts: Vec<(usize, usize)> = node
                    .children(&mut inner)
                    .filter(|c| c.kind_name() == "heredoc_content")
                    .map(|c| (c.start_byte(), c.end_byte()))
                    .collect();
                bodies.push((node.start_byte(), parts));
            }
            _ => {}
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                beginnings.sort_unstable();
                bodies.sort_by_key(|(start, _)| *start);
                return beginnings.into_iter().zip(bodies.into_iter().map(|(_, parts)| parts)).collect();
            }
        }
    }
}

impl<'a> Walker<'a> {
    pub(super) fn new(path: &'a str, original: &'a str, code: &'a str, tree: &'a tree_sitter::Tree) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', original.as_bytes()).map(|i| i + 1));
        Walker {
            path,
            original,
            code,
            line_starts,
            facts: FileFacts::default(),
            scopes: Vec::new(),
            frames: vec![HashMap::new()],
            bound_frames: Vec::new(),
            guessed_params: Vec::new(),
            in_instance_method: false,
            in_singleton_class: false,
            method_locals: None,
            tree,
            association_scope: None,
            heredocs: HashMap::new(),
            view_dir: template_location(path).map(|(dir, _)| dir),
            partial_scope: template_location(path).and_then(|(dir, name)| Some(partial_scope(&dir, &name?))),
            template_locals: OnceCell::new(),
            method_name: None,
            summaries: Summaries::default(),
            observed: Observed::default(),
            method_params: Vec::new(),
            method_key: None,
            chain_memo: Default::default(),
            defined_methods: OnceCell::new(),
            screened: !always_extracted(path, original),
        }
    }

    pub(super) fn text(&self, node: Node<'_>) -> &'a str {
        self.code.get(node.byte_range()).unwrap_or("")
    }

    pub(super) fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.original.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (line as u32, column as u32)
    }

    pub(super) fn snippet(&self, line: u32) -> String {
        self.snippet_around(line, 0)
    }

    /// A line as the snippet of a hit at byte `at` of it (`snippet_of`: a long line is cut).
    fn snippet_around(&self, line: u32, at: usize) -> String {
        let start = self.line_starts.get(line as usize - 1).copied().unwrap_or(0);
        let end = self.line_starts.get(line as usize).map_or(self.original.len(), |e| e.saturating_sub(1));
        crate::scan::extract::name::snippet_of(self.original.get(start..end).unwrap_or(""), at)
    }

    pub(super) fn hit_at(&mut self, offset: usize, target: Target, kind: RefKind, confidence: Confidence) {
        let (line, column) = self.line_col(offset);
        let line_start = self.line_starts.get(line as usize - 1).copied().unwrap_or(0);
        let snippet = self.snippet_around(line, offset.saturating_sub(line_start));
        self.facts.hits.push(Hit { line, column, target, kind, confidence, snippet });
    }

    pub(super) fn column_hit(
        &mut self,
        node: Node<'_>,
        rec: &Rec,
        column: &str,
        kind: RefKind,
        confidence: Confidence,
    ) {
        if !is_identifier(column) {
            return;
        }
        self.hit_at(node.start_byte(), rec.attribute(column), kind, confidence);
    }

    // Nesting is as deep as the file makes it: the stack grows on the heap instead of
    // overflowing (a fuzzed file of 10 KB nested 3,000 calls deep).
    #[recursive::recursive]
    pub(super) fn visit(&mut self, node: Node<'_>) {
        match node.kind_name() {
            "comment" => {}
            "module" | "class" => {
                // A class opened inside `class << self` has instance methods of its own.
                let saved = std::mem::replace(&mut self.in_singleton_class, false);
                self.visit_namespace(node, node.kind_name() == "class");
                self.in_singleton_class = saved;
            }
            "method" => self.visit_method(node, !self.in_singleton_class),
            "singleton_method" => self.visit_method(node, false),
            "singleton_class" => {
                let saved = std::mem::replace(&mut self.in_instance_method, false);
                let saved_singleton = std::mem::replace(&mut self.in_singleton_class, true);
                self.visit_children(node);
                self.in_singleton_class = saved_singleton;
                self.in_instance_method = saved;
            }
            "assignment" | "operator_assignment" => {
                self.assignment(node);
                self.visit_children(node);
            }
            "call" => self.visit_call(node),
            "if" | "elsif" | "if_modifier" | "binary" if self.visit_narrowing(node) => {}
            "binary" => {
                // `rows << {…}`: one more literal the local holds.
                if let (Some(left), Some(op), Some(right)) = (
                    node.child_by_field_id(*field::LEFT),
                    node.child_by_field_id(*field::OPERATOR),
                    node.child_by_field_id(*field::RIGHT),
                ) && left.kind_name() == "identifier"
                    && self.text(op) == "<<"
                    && matches!(right.kind_name(), "hash" | "array" | "simple_symbol" | "string")
                {
                    self.extend_literal(self.text(left), right);
                } else if let (Some(left), Some(op), Some(right)) = (
                    node.child_by_field_id(*field::LEFT),
                    node.child_by_field_id(*field::OPERATOR),
                    node.child_by_field_id(*field::RIGHT),
                ) && left.kind_name() == "identifier"
                    && self.text(op) == "<<"
                {
                    self.push_record(self.text(left), right);
                }
                self.visit_children(node);
            }
            "identifier" if self.in_instance_method => {
                self.observe_bare(self.text(node));
                self.dirty_attribute(node);
                self.delegated_read(node);
            }
            // Ruby 3.1's shorthand `compose(city:, state:)`: each key reads the name it is, a
            // bare call of the model's attribute when no local has it.
            "hash_key_symbol"
                if self.in_instance_method
                    && node
                        .parent()
                        .is_some_and(|p| p.kind_name() == "pair" && p.child_by_field_id(*field::VALUE).is_none()) =>
            {
                self.dirty_attribute(node);
            }
            "identifier" if self.scopes.is_empty() => {
                // A rake task's (a script's) call of a helper its file defines at the top level.
                self.observe_bare(self.text(node));
            }
            "identifier" if self.role_macro(self.text(node), &[]) => {}
            "identifier" => {
                // A bare macro in a class body: `has_secure_password`, `primary_abstract_class`.
                if let Some(index) = self.scopes.last().and_then(|s| s.model) {
                    let name = self.text(node);
                    self.declaration(node, index, name, &[]);
                }
            }
            "element_reference" => {
                self.element_reference(node);
                self.visit_children(node);
            }
            _ => self.visit_children(node),
        }
    }

    pub(super) fn visit_children(&mut self, node: Node<'_>) {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.visit(child);
        }
    }

    pub(super) fn visit_method(&mut self, node: Node<'_>, instance: bool) {
        let name = node.child_by_field_id(*field::NAME).map(|n| self.text(n)).unwrap_or("");
        if !instance && name == "table_name_prefix" {
            // `def self.table_name_prefix; "admin_"; end` in a namespace module.
            if let Some(body) = node.child_by_field_id(*field::BODY)
                && let Some(prefix) = first_string(body, self.code)
                && let Some(scope) = self.scopes.last_mut()
            {
                scope.table_prefix = Some(prefix.clone());
                if scope.model.is_none() {
                    // For its models in other files too (`app/models/admin.rb` beside
                    // `app/models/admin/user.rb`, as Rails' generator writes them).
                    let module = scope.name.clone();
                    self.namespace_prefix(module, prefix, false);
                }
            }
        }
        if !instance
            && name == "table_name"
            && let Some(index) = self.scopes.last().and_then(|s| s.model)
            && let Some(body) = node.child_by_field_id(*field::BODY)
            && let Some(string) = first_string_node(body)
            && let Some((table, offset)) = symbol_or_string(string, self.code)
        {
            // `def self.table_name = "legacy_users"`: the method form of `self.table_name =`.
            self.facts.models[index].table = Some(table.clone());
            self.hit_at(offset, Target::Table { table }, RefKind::Declaration, Confidence::High);
        }
        if instance
            && let Some(column) = name.strip_suffix('=')
            && is_identifier(column)
            && let Some(model) = self.current_model()
            && let Some(name_node) = node.child_by_field_id(*field::NAME)
        {
            // `def selector=(s) … super` in a model overrides the attribute's writer: the column
            // is written through it (a name that is no column is dropped by resolution).
            self.hit_at(name_node.start_byte(), model.attribute(column), RefKind::Query, Confidence::Medium);
        }
        if instance
            && is_identifier(name)
            && let Some(model) = self.current_model()
            && let Some(name_node) = node.child_by_field_id(*field::NAME)
            && self.reads_own_attribute(node, name)
        {
            // `def languages; self[:languages].split(",") end`: the reader an override of the
            // attribute's reader stands in for (a computed method of the name is not).
            self.hit_at(name_node.start_byte(), model.attribute(name), RefKind::Query, Confidence::Medium);
        }
        let saved_name = self.method_name.replace(name);
        let saved = std::mem::replace(&mut self.in_instance_method, instance);
        let locals = MethodLocals { range: (node.start_byte(), node.end_byte()), names: OnceCell::new() };
        let saved_locals = std::mem::replace(&mut self.method_locals, instance.then_some(locals));
        self.frames.push(HashMap::new());
        let saved_params = std::mem::take(&mut self.method_params);
        let saved_key = self.method_key.take();
        self.enter_method(node, name, instance);
        self.listed_method(node, name, instance);
        if instance {
            self.role_params();
            self.policy_attributes(node, name);
        }
        let name_node = node.child_by_field_id(*field::NAME);
        let mut cursor = node.walk();
        for child in node.children(&mut cursor).filter(|c| Some(*c) != name_node) {
            self.visit(child);
        }
        self.leave_method(node);
        self.method_params = saved_params;
        self.method_key = saved_key;
        self.frames.pop();
        self.method_locals = saved_locals;
        self.in_instance_method = saved;
        self.method_name = saved_name;
    }

    /// Whether a method's body reaches the attribute of its own name: `super`, `self[:name]`,
    /// `read_attribute(:name)`.
    fn reads_own_attribute(&self, method: Node<'_>, name: &str) -> bool {
        let Some(body) = method.child_by_field_id(*field::BODY) else { return false };
        let text = self.text(body);
        let has_super = text.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == "super");
        has_super
            || [format!("self[:{name}]"), format!("self[\"{name}\"]"), format!("read_attribute(:{name})")]
                .iter()
                .any(|p| text.contains(p.as_str()))
    }

    /// The model key of strong parameters: `params.require(:user).permit(…)`, `params.expect(user:
    /// […])`.
    pub(super) fn permitted_key(&self, node: Node<'_>) -> Option<String> {
        if node.kind_name() != "call" {
            return None;
        }
        let method = self.text(node.child_by_field_id(*field::METHOD)?);
        let receiver = node.child_by_field_id(*field::RECEIVER)?;
        let key = match method {
            "permit" => {
                let is_require = receiver.kind_name() == "call"
                    && receiver.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "require")
                    && receiver.child_by_field_id(*field::RECEIVER).is_some_and(|r| self.text(r) == "params");
                if !is_require {
                    return None;
                }
                arguments(receiver).first().copied()?
            }
            "expect" if self.text(receiver) == "params" => {
                let pairs: Vec<Node<'_>> = arguments(node).into_iter().flat_map(pairs).collect();
                let [pair] = pairs.as_slice() else { return None };
                pair.child_by_field_id(*field::KEY)?
            }
            _ => return None,
        };
        symbol_or_string(key, self.code).map(|(k, _)| k)
    }

    /// For a `permit` on something other than `params.require(…)`: the model key of the one
    /// `params.require(:k)` / `params.expect(k: …)` of the enclosing method.
    fn method_permitted_key(&self, permit: Node<'_>) -> Option<String> {
        let receiver = permit.child_by_field_id(*field::RECEIVER)?;
        if self.text(receiver) == "params" || self.permitted_key(permit).is_some() {
            return None;
        }
        let mut method = permit.parent();
        while let Some(m) = method.filter(|m| m.kind_name() != "method") {
            method = m.parent();
        }
        let mut keys: Vec<String> = Vec::new();
        let mut stack = vec![method?];
        while let Some(node) = stack.pop() {
            if node.kind_name() == "call"
                && node != permit
                && let Some(key) = self.permitted_key(node).or_else(|| {
                    // `params.require(:k)` alone, permitted later.
                    (node.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "require")
                        && node.child_by_field_id(*field::RECEIVER).is_some_and(|r| self.text(r) == "params"))
                    .then(|| arguments(node).first().and_then(|a| symbol_or_string(*a, self.code)).map(|(k, _)| k))
                    .flatten()
                })
                && !keys.contains(&key)
            {
                keys.push(key);
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
        let [key] = <[String; 1]>::try_from(keys).ok()?;
        Some(key)
    }

    pub(super) fn element_reference(&mut self, node: Node<'_>) {
        let Some(object) = node.child_by_field_id(*field::OBJECT) else { return };
        let Some(index) = node.named_child(1) else { return };
        let Some((column, offset)) = symbol_or_string(index, self.code) else { return };
        if self.named_only(object) {
            // `image[:alt]` where `image` is a record by its name alone (a partial's local, a
            // block parameter over `images` no code typed): a hash subscript says it is a hash.
            return;
        }
        let model = match self.eval(object) {
            Some(Ty::Arel(rec, confidence)) | Some(Ty::Record(rec, confidence)) => Some((rec, confidence)),
            _ if object.kind_name() == "call" => {
                // `User.columns_hash["email"]`, `User.attribute_types["email"]`.
                let method = object.child_by_field_id(*field::METHOD).map(|m| self.text(m));
                match (method, object.child_by_field_id(*field::RECEIVER).and_then(|r| self.eval(r))) {
                    (Some("columns_hash" | "attribute_types" | "column_defaults"), Some(Ty::Relation(m, c))) => {
                        Some((m, c))
                    }
                    _ => None,
                }
            }
            // `attributes["reply"]`, `saved_changes["status"]` in a model's instance method.
            _ if object.kind_name() == "identifier"
                && ATTRIBUTE_HASHES.contains(&self.text(object))
                && self.not_a_local(self.text(object)) =>
            {
                self.current_model().map(|m| (m, Confidence::High))
            }
            _ if object.kind_name() == "self" && self.in_instance_method => {
                self.current_model().map(|m| (m, Confidence::High))
            }
            _ => None,
        };
        if let Some((rec, confidence)) = model
            && is_identifier(&column)
        {
            self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence);
        }
    }

    /// Whether an identifier is typed by its name alone: no local, block parameter or method of
    /// this file gives its type, or it is a block parameter over such a collection.
    pub(super) fn named_only(&self, node: Node<'_>) -> bool {
        if node.kind_name() != "identifier" {
            return false;
        }
        let name = self.text(node);
        match self.bound().find(|&i| self.frames[i].contains_key(name)) {
            Some(depth) => self.guessed_params.iter().any(|(d, n)| *d == depth + 1 && n == name),
            None => {
                !self.method_params.iter().any(|p| p == name)
                    && named_like_model(name).is_some_and(|guess| self.eval(node) == Some(guess))
            }
        }
    }

    pub(super) fn visit_call(&mut self, node: Node<'_>) {
        let memo = self.chain_memo.get_mut();
        if memo.next.take() != Some(node.id()) {
            memo.types.clear();
        }
        memo.on = true;
        let block_binding = self.call(node);
        let memo = self.chain_memo.get_mut();
        memo.on = false;
        memo.next = node.child_by_field_id(*field::RECEIVER).map(|r| r.id());
        let association = self.association_target(node);
        let saved_scope = if association.is_some() {
            std::mem::replace(&mut self.association_scope, association)
        } else {
            self.association_scope.clone()
        };
        if let Some((record, block)) = self.callback_block(node) {
            // Rails runs the block on the record (`instance_exec`, the record its parameter
            // too): its bare calls are the record's, as in an instance method.
            let saved = std::mem::replace(&mut self.in_instance_method, true);
            let locals = MethodLocals { range: (block.start_byte(), block.end_byte()), names: OnceCell::new() };
            let saved_locals = self.method_locals.replace(locals);
            self.visit_call_children(node, Some(record));
            self.method_locals = saved_locals;
            self.in_instance_method = saved;
        } else {
            let block_binding = block_binding.or_else(|| self.iterated_union(node));
            self.visit_call_children(node, block_binding);
        }
        self.association_scope = saved_scope;
    }

    /// `(queued_entries + recently_played_entries).each do |item|`: the block's parameter is a
    /// record of either model.
    fn iterated_union(&mut self, node: Node<'_>) -> Option<Ty> {
        let method = self.text(node.child_by_field_id(*field::METHOD)?);
        let receiver = node.child_by_field_id(*field::RECEIVER)?;
        node.child_by_field_id(*field::BLOCK)?;
        if !RECORD_ITERATORS.contains(&method) || receiver.kind_name() != "parenthesized_statements" {
            return None;
        }
        let sum = unparenthesized(receiver);
        let left = self.eval(sum.child_by_field_id(*field::LEFT)?)?;
        let other = self.other_model(sum, &left)?;
        let (Ty::Relation(a, c), Ty::Relation(b, d)) = (left, other) else { return None };
        let param = first_block_param(node.child_by_field_id(*field::BLOCK)?, self.code)?.to_owned();
        self.union(&param, [Ty::Record(a, c), Ty::Record(b, d)], node.start_byte())
    }

    /// `validate do |action| … end`, `before_save do … end`, `after_commit { … }` in a model's
    /// class body: the record the block runs on, and the block.
    fn callback_block<'n>(&self, node: Node<'n>) -> Option<(Ty, Node<'n>)> {
        if self.in_instance_method || node.child_by_field_id(*field::RECEIVER).is_some() {
            return None;
        }
        let method = self.text(node.child_by_field_id(*field::METHOD)?);
        let callback = method == "validate"
            || ["before_", "after_", "around_"].iter().any(|p| {
                method.strip_prefix(p).is_some_and(|event| {
                    let event = event.strip_suffix("_commit").filter(|e| !e.is_empty()).unwrap_or(event);
                    matches!(
                        event,
                        "validation"
                            | "save"
                            | "create"
                            | "update"
                            | "destroy"
                            | "commit"
                            | "rollback"
                            | "initialize"
                            | "find"
                            | "touch"
                    )
                })
            });
        if !callback {
            return None;
        }
        let index = self.scopes.last().and_then(|s| s.model)?;
        let block = node.child_by_field_id(*field::BLOCK)?;
        let model = Rec::model(self.facts.models[index].class.clone());
        Some((Ty::Record(model, Confidence::High), block))
    }

    pub(super) fn visit_call_children(&mut self, node: Node<'_>, block_binding: Option<Ty>) {
        let method_node = node.child_by_field_id(*field::METHOD);
        let mut cursor = node.walk();
        for child in node.children(&mut cursor).filter(|c| Some(*c) != method_node) {
            if matches!(child.kind_name(), "do_block" | "block") {
                self.frames.push(HashMap::new());
                let mut guessed = false;
                if let Some(ty) = block_binding.clone()
                    && let Some(param) = first_block_param(child, self.code)
                {
                    self.bind(param, ty);
                    if node.child_by_field_id(*field::RECEIVER).is_some_and(|r| self.named_only(r)) {
                        self.guessed_params.push((self.frames.len(), param.to_owned()));
                        guessed = true;
                    }
                }
                self.visit(child);
                if guessed {
                    self.guessed_params.pop();
                }
                self.frames.pop();
            } else {
                self.visit(child);
            }
        }
    }

    /// Emit the hits of one call; return what its block's first parameter is.
    pub(super) fn call(&mut self, node: Node<'_>) -> Option<Ty> {
        let method_node = node.child_by_field_id(*field::METHOD);
        let method = method_node.map(|m| self.text(m)).unwrap_or("");
        let receiver = node.child_by_field_id(*field::RECEIVER);
        let args = arguments(node);
        if receiver.is_none_or(|r| r.kind_name() == "self") && !args.is_empty() {
            self.observe_call(method, &args);
            self.forwarded_writes(method, &args);
        }
        if !args.is_empty() {
            self.keyword_call(receiver, method, &args);
        }
        if !args.is_empty() {
            self.serializer_use(node, method, &args);
        }
        if let Some(class) = library_writer(method) {
            let rec = Rec::model(class);
            for arg in &args {
                self.hash_keys(*arg, &rec, Confidence::Medium, false);
            }
        }
        if method == "with"
            && let Some(class) = receiver.filter(|r| matches!(r.kind_name(), "constant" | "scope_resolution"))
        {
            self.parameterized(node, self.text(class), &args);
        }
        if method == "deliver_by" && receiver.is_none() {
            self.notifier_delivery(node, &args);
        }

        if receiver.is_none_or(|r| r.kind_name() == "identifier") {
            self.field_param_name(method, &args);
        }
        if let Some(r) = receiver
            && matches!(r.kind_name(), "array" | "symbol_array")
            && method == "each"
        {
            // `[:a, :b].each do |name|`: the block's name is one of the list's.
            return Some(Ty::Literal(vec![(r.start_byte(), r.end_byte())]));
        }
        if let Some(r) = receiver
            && matches!(method, "each" | "each_slice" | "in_groups_of" | "each_with_index")
            && let Some(held @ Ty::Literal(_)) = self.lookup(self.text(r))
            && ((r.kind_name() == "constant" && !self.holds_rows(&held))
                || (r.kind_name() == "identifier" && self.holds_rows(&held)))
        {
            // `LINKS.each do |url|` over a list the class body assigned, `rows.each_slice(200)
            // do |batch|` over rows of hashes: the block's name holds items of the same literals.
            return Some(held);
        }
        if let Some(r) = receiver
            && r.kind_name() == "identifier"
            && matches!(method, "push" | "append" | "concat" | "unshift" | "prepend" | "merge!" | "<<")
            && matches!(self.lookup(self.text(r)), Some(Ty::Literal(_)))
        {
            let name = self.text(r);
            for arg in &args {
                self.extend_literal(name, *arg);
            }
            return None;
        }
        if receiver.is_none() && method == "include" && !self.in_instance_method {
            self.include_concerns(node);
        }
        if receiver.is_none()
            && method == "isolate_namespace"
            && !self.in_instance_method
            && let Some(module) = args.first().filter(|a| matches!(a.kind_name(), "constant" | "scope_resolution"))
        {
            // An engine's `isolate_namespace Spree`: the module's models map `spree_*` tables
            // (Rails names the prefix after the engine: the module's name, underscored).
            let module = self.text(*module).trim_start_matches("::").to_owned();
            let prefix = format!("{}_", inflect::underscore(&module).replace('/', "_"));
            self.namespace_prefix(module, prefix, true);
            return None;
        }
        if receiver.is_none() {
            if let Some(index) = self.scopes.last().and_then(|s| s.model)
                && !self.in_instance_method
                && let Some(rest) = method.strip_prefix("create_")
                && !self.facts.models[index].associations.iter().any(|a| a.name == rest.trim_end_matches('!'))
            {
                // A model's own creating helper (`create_without_dupe!(user: u, note: n)`), not
                // a has_one's `create_<association>`: its hash is the model's attributes.
                let rec = Rec::model(self.facts.models[index].class.clone());
                for arg in &args {
                    self.hash_keys(*arg, &rec, Confidence::Medium, false);
                }
            }
            if self.in_instance_method
                && args.is_empty()
                && let Some(method_node) = method_node
            {
                self.dirty_attribute(method_node);
                self.delegated_read(method_node);
            }
            if !self.in_instance_method
                && matches!(method, "delegate_all" | "decorates")
                && self.role_macro(method, &args)
            {
                return None;
            }
            if method == "delegate" && !self.in_instance_method && !self.scopes.is_empty() {
                self.delegation(&args);
                return None;
            }
            // Inside an association's scope lambda (`has_many :lessons, -> { order(:position) }`)
            // a bare call queries the associated model: no macro of the declaring one.
            if let Some(index) = self.scopes.last().and_then(|s| s.model)
                && !self.in_instance_method
                && self.association_scope.is_none()
                && self.declaration(node, index, method, &args)
            {
                return None;
            }
            // `action Avo::Actions::VersionAfterWrite` in an Avo resource: the action's `record`
            // is one of the resource's model.
            if method == "action"
                && let Some(model) = self.scopes.last().and_then(|s| s.serializes.clone())
                && let Some(action) = args.first().filter(|a| matches!(a.kind_name(), "constant" | "scope_resolution"))
            {
                let binding = Binding {
                    scope: avo_action_scope(self.text(*action)),
                    name: "record".to_owned(),
                    root: Root::Model { model },
                    path: Vec::new(),
                };
                if !self.facts.bindings.contains(&binding) {
                    self.facts.bindings.push(binding);
                }
                return None;
            }
            // Avo declares a resource's fields in its `fields` method and the methods it calls.
            if let Some(rec) = self.serialized(true)
                && (!self.in_instance_method || method == "field")
                && matches!(method, "attributes" | "attribute" | "fields" | "field" | "identifier")
            {
                for arg in &args {
                    if let Some((column, offset)) = symbol_or_string(*arg, self.code) {
                        let target = rec.attribute(&column);
                        if is_identifier(target_column(&target)) {
                            self.hit_at(offset, target, RefKind::Query, Confidence::Medium);
                        }
                    }
                }
                return None;
            }
            if is_form_helper(method) {
                return self.form_model(&args).map(|(m, c)| Ty::Form(m, c));
            }
            if method == "render" {
                self.render(&args);
                return None;
            }
            if method.ends_with("_path") || method.ends_with("_url") {
                self.route_params(&args);
            }
            if method == "button_to" {
                // `button_to "Enable", path, params: { template: { shared_link: true } }`: the
                // button posts the nested hash as a form's fields, read back as the model's.
                self.button_params(&args);
            }
        }

        if let Some(receiver) = receiver {
            let receiver_text = self.text(receiver);
            if self.devise_permit(node, receiver, method, &args) {
                return None;
            }
            // `params[:agent].permit([:name, …])`: as `params.require(:agent)`, without the
            // requirement.
            if method == "permit"
                && let Some(key) = params_subscript_key(receiver, self.code)
            {
                self.permitted(&Rec::model(inflect::camelize(&key)), &args);
                return None;
            }
            // Strong parameters: `params.require(:user).permit(:email, …)`, `params.expect(user: […])`.
            if method == "permit"
                && receiver.kind_name() == "call"
                && receiver.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "require")
                && receiver.child_by_field_id(*field::RECEIVER).is_some_and(|r| is_params(self.text(r)))
            {
                if let Some((key, _)) = arguments(receiver).first().and_then(|a| symbol_or_string(*a, self.code)) {
                    self.permitted(&Rec::model(inflect::camelize(&key)), &args);
                }
                return None;
            }
            if method == "permit" && receiver_text == "params" {
                // `params.permit(variant_overrides: [:price, :count_on_hand])`: a list of a
                // model's records (the key is its plural, or its name) and the attributes each
                // may carry; a bare `params.permit(:page)` names no model.
                for pair in args.iter().flat_map(|a| pairs(*a)) {
                    if let (Some(key), Some(value)) =
                        (pair.child_by_field_id(*field::KEY), pair.child_by_field_id(*field::VALUE))
                        && value.kind_name() == "array"
                        && let Some((key, _)) = symbol_or_string(key, self.code)
                    {
                        self.permitted(&Rec::model(inflect::classify(&key)), &[value]);
                    }
                }
                return None;
            }
            if method == "expect" && receiver_text == "params" {
                for pair in args.iter().flat_map(|a| pairs(*a)) {
                    if let (Some(key), Some(value)) =
                        (pair.child_by_field_id(*field::KEY), pair.child_by_field_id(*field::VALUE))
                        && let Some((key, _)) = symbol_or_string(key, self.code)
                    {
                        self.permitted(&Rec::model(inflect::camelize(&key)), &[value]);
                    }
                }
                return None;
            }
            // `params.require(:budget_category).permit(:budgeted_spending).tap do |p|`: the
            // block's hash holds that model's attributes (`p[:budgeted_spending] = …`).
            if matches!(method, "tap" | "then")
                && let Some(key) = self.permitted_key(receiver)
            {
                return Some(Ty::Record(Rec::model(inflect::camelize(&key)), Confidence::Medium));
            }
            // `ActionController::Parameters.new.permit(:title, …)` as a params method's fallback
            // (`rescue ParameterMissing`): the same model's attributes as its `params.expect`.
            if method == "permit"
                && let Some(key) = self.method_permitted_key(node)
            {
                self.permitted(&Rec::model(inflect::camelize(&key)), &args);
                return None;
            }
            // jbuilder: `json.extract! user, :a`, `json.(user, :a)`, `json.array! @users, :a`.
            if receiver_text == "json" && matches!(method, "extract!" | "" | "array!") {
                if let Some((first, rest)) = args.split_first()
                    && let Some(ty @ (Ty::Record(..) | Ty::Relation(..))) = self.eval(*first)
                {
                    let (Ty::Record(rec, c) | Ty::Relation(rec, c)) = &ty else { return None };
                    for arg in rest {
                        if let Some((column, offset)) = symbol_or_string(*arg, self.code)
                            && is_identifier(&column)
                        {
                            self.hit_at(offset, rec.attribute(&column), RefKind::Query, (*c).min(Confidence::Medium));
                        }
                    }
                    if method == "array!"
                        && let Ty::Relation(rec, c) = ty
                    {
                        return Some(Ty::Record(rec, c.min(Confidence::Medium)));
                    }
                }
                return None;
            }
            if receiver_text == "json" {
                // `json.comments(note.comments) do |comment|`, `json.array! @posts do |post|`:
                // each record of the collection is the block's.
                return match args.first().and_then(|a| self.eval(*a)) {
                    Some(Ty::Relation(rec, c)) => Some(Ty::Record(rec, c.min(Confidence::Medium))),
                    _ => None,
                };
            }
            // Form builders: `f.text_field :email`, `f.fields_for :address do |af|`.
            if let Some(Ty::Form(rec, confidence)) = self.eval(receiver) {
                if matches!(method, "fields_for" | "fields" | "simple_fields_for") {
                    // The nested form is for the association's records.
                    let nested = args.first().and_then(|a| symbol_or_string(*a, self.code)).map(|(k, _)| k)?;
                    return Some(Ty::Form(rec.via(&nested), confidence.min(Confidence::Medium)));
                }
                if !FORM_NON_FIELDS.contains(&method)
                    && let Some(first) = args.first()
                    && let Some((column, offset)) = symbol_or_string(*first, self.code)
                    && is_identifier(&column)
                {
                    self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence.min(Confidence::Medium));
                }
                return None;
            }
        }

        // The model the call is made against.
        let subject = match receiver {
            // `where.not(…)` inside a model: the receiver is the bare `where`.
            Some(r) if r.kind_name() == "identifier" && self.text(r) == "where" => {
                self.current_model().map(|m| Ty::Relation(m, Confidence::High))
            }
            Some(r) => self.eval(r),
            None => self.implicit_self(),
        };
        let Some(subject) = subject else {
            // A receiver nothing types (a concern's `visible_accounts.joins("LEFT JOIN …")`):
            // the fragment's qualified names still name their tables.
            if FRAGMENT_METHODS.contains(&method) {
                for arg in &args {
                    self.fragment(*arg, None, Confidence::Medium, receiver);
                }
            }
            return None;
        };
        let (rec, confidence) = match &subject {
            Ty::Relation(m, c) | Ty::Record(m, c) => (m.clone(), *c),
            Ty::Arel(..) | Ty::Form(..) | Ty::Value | Ty::Literal(_) => return None,
        };
        // `User.where(…)`, `User.find(…)`: the class itself used through ActiveRecord's API is a
        // use of its table (resolution drops classes that are no model).
        if let Some(r) = receiver
            && matches!(r.kind_name(), "constant" | "scope_resolution")
            && is_active_record_api(method)
        {
            let name = self.text(r).trim_start_matches("::").to_owned();
            self.hit_at(r.start_byte(), Target::Model { model: name }, RefKind::Query, Confidence::High);
        }

        let mut known = false;
        if HASH_KEY_METHODS.contains(&method) {
            known = true;
            let where_like = matches!(method, "where" | "not" | "rewhere" | "where_not" | "find_by" | "exists?");
            let bulk = matches!(method, "insert" | "insert!" | "upsert" | "insert_all" | "insert_all!" | "upsert_all");
            // `where(shared ? {} : { ip: … })`: either branch is the argument.
            let args: Vec<Node<'_>> = args.iter().flat_map(|a| branches(*a)).collect();
            for arg in &args {
                if bulk && arg.kind_name() == "pair" {
                    // Options of a bulk write: `unique_by: :email`, `update_only: [:name]`.
                    let key = arg.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code));
                    if let Some((key, _)) = key
                        && matches!(key.as_str(), "unique_by" | "update_only")
                        && let Some(value) = arg.child_by_field_id(*field::VALUE)
                    {
                        for (column, offset) in strings_in(value, self.code) {
                            if is_identifier(&column) {
                                self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence);
                            }
                        }
                    }
                    continue;
                }
                let held = self.literals(*arg);
                // A write (not a finder's condition) of the method's own keyword parameter.
                let writes = !where_like && !matches!(method, "find_by!" | "find_sole_by");
                if held.is_empty() {
                    self.hash_keys(*arg, &rec, confidence, where_like);
                    self.observe_write(*arg, &rec, confidence);
                    if writes {
                        self.keyword_written(*arg, &rec, confidence);
                    }
                }
                for literal in held {
                    self.hash_keys(literal, &rec, confidence.min(Confidence::Medium), false);
                    if writes {
                        self.keyword_written(literal, &rec, confidence.min(Confidence::Medium));
                    }
                }
            }
        }
        if matches!(method, "import" | "import!") && matches!(subject, Ty::Relation(..)) {
            for arg in &args {
                self.import_options(*arg, &rec, confidence);
            }
        }
        if matches!(subject, Ty::Relation(..))
            && (RECORD_ITERATORS.contains(&method) || SYMBOL_METHODS.contains(&method))
        {
            // `budget_categories.sum(&:budgeted_spending)`, `users.map(&:email)`: the method
            // called on each record, an attribute unless it is a record's own method.
            for arg in args.iter().filter(|a| a.kind_name() == "block_argument") {
                // `versions.none?(&:indexed?)`: a predicate reads its attribute.
                if let Some(symbol) = arg.named_child(0).filter(|s| s.kind_name() == "simple_symbol")
                    && let Some((method, offset)) = symbol_or_string(symbol, self.code)
                    && let column = attribute_of(&method)
                    && is_identifier(column)
                    && !RECORD_METHODS.contains(&column)
                    && !NOT_ATTRIBUTES.contains(&column)
                {
                    known = true;
                    self.hit_at(offset, rec.attribute(attribute_called(&method)), RefKind::Query, confidence);
                }
            }
        }
        if matches!(method, "includes" | "preload" | "eager_load") && matches!(subject, Ty::Relation(..)) {
            // `preload(:author, folder: :parent_folder)`: each association is loaded through its
            // key, as its reader is (`x.parent_folder`); resolution maps a belongs_to to its
            // foreign key and any other association to nothing of this table.
            known = true;
            for arg in &args {
                self.preloaded(*arg, &rec, confidence.min(Confidence::Medium), 0);
            }
        }
        if SYMBOL_METHODS.contains(&method) {
            known = true;
            let only_first = FIRST_ARG_ONLY.contains(&method);
            // `select(full ? nil : COLUMNS)`: either branch is the argument.
            let args: Vec<Node<'_>> = args.iter().flat_map(|a| branches(*a)).collect();
            for (i, arg) in args.iter().enumerate() {
                if only_first && i > 0 {
                    break;
                }
                if matches!(arg.kind_name(), "simple_symbol" | "delimited_symbol")
                    && let Some((column, offset)) = symbol_or_string(*arg, self.code)
                {
                    let target = rec.attribute(&column);
                    if is_identifier(target_column(&target)) {
                        self.hit_at(offset, target, RefKind::Query, confidence);
                    }
                } else if method == "unscope" && arg.kind_name() == "pair" {
                    // `unscope(where: :confirmed_at)`: the condition on that attribute is lifted.
                    if let Some(value) = arg.child_by_field_id(*field::VALUE) {
                        for (column, offset) in strings_in(value, self.code) {
                            if is_identifier(&column) {
                                self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence);
                            }
                        }
                    }
                } else if arg.kind_name() == "hash" || arg.kind_name() == "pair" {
                    self.hash_keys(*arg, &rec, confidence, false);
                } else {
                    // `User.select(*attrs)` with `attrs = %w[id karma]`.
                    for literal in self.literals(*arg) {
                        for (column, offset) in strings_in(literal, self.code) {
                            if is_identifier(&column) {
                                let c = confidence.min(Confidence::Medium);
                                self.hit_at(offset, rec.attribute(&column), RefKind::Query, c);
                            }
                        }
                    }
                }
            }
        }
        let serializes = |name: &str| matches!(name, "as_json" | "to_json" | "serializable_hash" | "to_xml");
        if serializes(method) || (method == "super" && self.method_name.is_some_and(serializes)) {
            known = true;
            self.serialized_attributes(&rec, confidence, &args);
        }
        if method == "values_at" && matches!(subject, Ty::Record(..)) {
            // `user.values_at(*headers)` with `headers = %w[email role]`, `values_at(:a, :b)`:
            // the record's attributes by name.
            known = true;
            let c = confidence.min(Confidence::Medium);
            for arg in &args {
                let listed = if matches!(arg.kind_name(), "simple_symbol" | "string") {
                    vec![*arg]
                } else {
                    self.literals(*arg)
                };
                for item in listed {
                    for (column, offset) in strings_in(item, self.code) {
                        if is_identifier(&column) {
                            self.hit_at(offset, rec.attribute(&column), RefKind::Query, c);
                        }
                    }
                }
            }
        }
        if matches!(method, "try" | "try!" | "public_send" | "send" | "[]")
            && matches!(subject, Ty::Record(..))
            && let Some((column, offset)) = args.first().and_then(|a| symbol_or_string(*a, self.code))
            && is_identifier(&column)
        {
            // `current_user.try(:favorite_languages)`, `record.public_send(:email)`.
            known = true;
            self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence.min(Confidence::Medium));
        }
        if FRAGMENT_METHODS.contains(&method) {
            known = true;
            let first =
                args.first().copied().map(|a| if a.kind_name() == "array" { a.named_child(0).unwrap_or(a) } else { a });
            let fragments: Vec<Node<'_>> = if matches!(method, "where" | "not" | "rewhere" | "having" | "update_all") {
                first.into_iter().collect()
            } else {
                args.clone()
            };
            for arg in fragments {
                self.fragment(arg, Some(&rec), confidence, receiver);
            }
        }
        if let Some(columns) = dynamic_finder(method)
            && let Some(method_node) = method_node
        {
            known = true;
            let mut offset = method_node.start_byte() + (method.len() - columns.len());
            for column in columns.trim_end_matches('!').split("_and_") {
                self.hit_at(offset, rec.attribute(column), RefKind::Query, confidence);
                offset += column.len() + "_and_".len();
            }
        }

        // A block over a relation's records.
        let block_ty = match &subject {
            Ty::Relation(m, c) if RECORD_ITERATORS.contains(&method) => Some(Ty::Record(m.clone(), *c)),
            Ty::Relation(m, c) if matches!(method, "find_in_batches" | "in_batches") => {
                Some(Ty::Relation(m.clone(), *c))
            }
            Ty::Record(m, c) if matches!(method, "tap" | "then" | "with_lock") => Some(Ty::Record(m.clone(), *c)),
            Ty::Relation(m, c) if matches!(method, "tap" | "then") => Some(Ty::Relation(m.clone(), *c)),
            // `find_or_create_by!(…) do |bc|`, `Post.new do |p|`: the block builds the record.
            Ty::Relation(m, c)
                if matches!(
                    method,
                    "new"
                        | "build"
                        | "create"
                        | "create!"
                        | "find_or_create_by"
                        | "find_or_create_by!"
                        | "find_or_initialize_by"
                        | "create_or_find_by"
                        | "create_or_find_by!"
                        | "first_or_create"
                        | "first_or_create!"
                        | "first_or_initialize"
                ) =>
            {
                Some(Ty::Record(m.clone(), *c))
            }
            _ => None,
        };

        // An attribute read on a record: `user.email`, `user.email_changed?`.
        if !known
            && let (Some(_), Ty::Record(rec, confidence), Some(method_node)) = (receiver, &subject, method_node)
            && args.is_empty()
            && method_node.kind_name() == "identifier"
            && block_ty.is_none()
            && !RECORD_METHODS.contains(&method)
            && !RELATION_METHODS.contains(&method)
        {
            // A plural name may be a has_many association or a column (`comment.flags`):
            // resolution knows the model's associations and decides.
            // `request.status_started!`: an enum's bang (`enum :status, …, prefix: true`), a
            // field of that name its declaration maps to the column; any other bang maps nothing.
            let column = match method.strip_suffix('!') {
                Some(stem) if is_identifier(stem) && !method.ends_with("_will_change!") => method,
                _ => attribute_called(method),
            };
            if is_identifier(column.trim_end_matches(['!', '?'])) && !NOT_ATTRIBUTES.contains(&method) {
                let offset = method_node.start_byte() + method.find(column).unwrap_or(0);
                self.hit_at(offset, rec.attribute(column), RefKind::Query, *confidence);
            }
        }
        block_ty
    }

    /// activerecord-import's `Entry.import!(rows, on_duplicate_key_update: {conflict_target:
    /// :public_id, columns: [:author]})` (or a bare list of columns): the receiver model's
    /// columns, the conflict's and the ones updated.
    fn import_options(&mut self, arg: Node<'_>, rec: &Rec, confidence: Confidence) {
        for pair in pairs(arg) {
            let key = pair.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code));
            let Some(value) = pair.child_by_field_id(*field::VALUE) else { continue };
            if key.is_none_or(|(k, _)| k != "on_duplicate_key_update") {
                continue;
            }
            let lists: Vec<Node<'_>> = if value.kind_name() == "hash" {
                pairs(value)
                    .into_iter()
                    .filter(|p| {
                        p.child_by_field_id(*field::KEY)
                            .and_then(|k| symbol_or_string(k, self.code))
                            .is_some_and(|(k, _)| matches!(k.as_str(), "conflict_target" | "columns"))
                    })
                    .filter_map(|p| p.child_by_field_id(*field::VALUE))
                    .collect()
            } else {
                vec![value]
            };
            for list in lists {
                for (column, offset) in strings_in(list, self.code) {
                    if is_identifier(&column) {
                        self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence.min(Confidence::Medium));
                    }
                }
            }
        }
    }

    /// Keys of hash arguments: `where(email: x)`, `where("email" => x)`, and in `where`-like
    /// calls `where(posts: { title: t })` (a column of table `posts`).
    pub(super) fn hash_keys(&mut self, arg: Node<'_>, rec: &Rec, confidence: Confidence, where_like: bool) {
        match arg.kind_name() {
            "array" => {
                // `insert_all([{…}, {…}])`
                let mut cursor = arg.walk();
                let items: Vec<Node<'_>> = arg.named_children(&mut cursor).collect();
                for item in items {
                    if item.kind_name() == "hash" {
                        self.hash_keys(item, rec, confidence, false);
                    }
                }
            }
            "hash" | "pair" => {
                for pair in pairs(arg) {
                    let Some(key) = pair.child_by_field_id(*field::KEY) else { continue };
                    let Some((name, offset)) = symbol_or_string(key, self.code) else { continue };
                    let value = pair.child_by_field_id(*field::VALUE);
                    if where_like && let Some(value) = value.filter(|v| v.kind_name() == "hash") {
                        for inner in pairs(value) {
                            if let Some(k) = inner.child_by_field_id(*field::KEY)
                                && let Some((column, at)) = symbol_or_string(k, self.code)
                                && is_identifier(&column)
                            {
                                let target = Target::Column { table: name.clone(), column };
                                self.hit_at(at, target, RefKind::Query, confidence);
                            }
                        }
                        continue;
                    }
                    let target = rec.attribute(&name);
                    if is_identifier(target_column(&target)) {
                        self.hit_at(offset, target, RefKind::Query, confidence);
                    }
                }
            }
            // `DiaryEntry.new(entry_params.reverse_merge(language_code: …))`: the merged hash's
            // keys are attributes too (the receiver's are whatever it holds, but may be a slice
            // of a record's attributes).
            "call"
                if arg
                    .child_by_field_id(*field::METHOD)
                    .is_some_and(|m| matches!(self.text(m), "merge" | "reverse_merge" | "with_defaults")) =>
            {
                for inner in arguments(arg) {
                    if matches!(inner.kind_name(), "hash" | "pair") {
                        self.hash_keys(inner, rec, confidence, false);
                    }
                }
                if let Some(receiver) = arg.child_by_field_id(*field::RECEIVER) {
                    self.hash_keys(receiver, rec, confidence, false);
                }
            }
            // `update!(template.attributes.slice("date_format", …))`, `new(original.slice(:schedule,
            // …))`, `build(hash.slice("name", …))`: whatever the hash, the keys kept are the
            // attributes written.
            "call"
                if arg.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "slice")
                    && arg.child_by_field_id(*field::RECEIVER).is_some() =>
            {
                for inner in arguments(arg) {
                    if matches!(inner.kind_name(), "string" | "simple_symbol" | "delimited_symbol")
                        && let Some((column, offset)) = symbol_or_string(inner, self.code)
                        && is_identifier(&column)
                    {
                        self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence.min(Confidence::Medium));
                    }
                }
            }
            // `update["original"] = {…}`, `hash[:muted] = false`: a key set on a hash a local
            // holds (see `Walker::built_hash`).
            "element_reference" => {
                if let Some(index) = arg.named_child(1)
                    && arg.named_child_count() == 2
                    && let Some((column, offset)) = symbol_or_string(index, self.code)
                    && is_identifier(&column)
                {
                    self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence.min(Confidence::Medium));
                }
            }
            // `rule.update(attrs.permit(:name, Lists.attributes))`: the keys permitted are the
            // attributes written.
            "call" if arg.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "permit") => {
                self.permitted(rec, &arguments(arg));
            }
            // `upsert_all(@balances.map { |b| {…} })`: each row is what the block gives.
            "call"
                if arg.child_by_field_id(*field::METHOD).is_some_and(|m| matches!(self.text(m), "map" | "collect")) =>
            {
                if let Some(block) = arg.child_by_field_id(*field::BLOCK)
                    && let Some(body) = block.child_by_field_id(*field::BODY)
                    && let Some(last) = last_named_child(body)
                {
                    self.hash_keys(last, rec, confidence, false);
                }
            }
            _ => {}
        }
    }
}

//! Absinthe GraphQL types over Ecto schemas: `object :ticket do field(:remarks, :string) end` in
//! a module that uses `Absinthe.Schema` (or its `Notation`) exposes a `Ticket`'s column — the
//! default resolver reads the record's field of that name —, and `input_object :ticket_input`
//! (or `:ticket_filter`) takes the params a writer (or a filter) uses as its fields. The schema
//! is the one the type's name suggests (`:locations` → `Location`), at medium; a field that is
//! no column of it (a computed field, a result type's) resolves to nothing.
//! The fields that take an input say more, when the file declares them (`field :edit_template,
//! :session_template_result do arg(:input, :edit_template_input)`): an input no `arg` of the
//! file takes is params nothing writes (low), and an input named after its mutation rather than
//! a type of the file takes the fields of the type the mutation returns (`SessionTemplate`).

use crate::grammar::NodeExt;
use tree_sitter::Node;

use super::{Walker, arguments, atom, atoms_in, clause_params, do_block, map_keys};
use crate::config::Confidence;
use crate::scan::facts::{Binding, Root, Target};
use crate::scan::inflect;
use crate::scan::reference::RefKind;

/// The scope of the GraphQL types the app binds to a schema elsewhere than by their name: a
/// field typed by one that resolves with `dataloader(…)` loads the parent's association of the
/// field's name (`field(:integration, non_null(:project_integration), resolve:
/// dataloader(Integration))` on `:integration_execution` → `IntegrationExecution.integration`).
const ABSINTHE: &str = "phoenix:absinthe";

/// Suffixes of an input type named after its schema: `:ticket_input`, `:group_filter`.
const INPUT_SUFFIXES: &[&str] = &["_input", "_filter"];

/// Suffixes of a mutation's result type named after the type it carries: `:ticket_result`.
const RESULT_SUFFIXES: &[&str] = &["_result", "_payload"];

/// What a file's fields say of its input types.
#[derive(Default)]
pub(super) struct Args {
    /// Whether any field of the file declares an `arg` whose type is a name (not a scalar alone).
    any: bool,
    /// Each input type an `arg` takes, with the type of the field that declares it.
    taken: Vec<(String, Option<String>)>,
    /// The `object` types the file defines.
    objects: Vec<String>,
}

impl Walker<'_> {
    /// Whether this file defines GraphQL types with Absinthe.
    pub(super) fn uses_absinthe(&self) -> bool {
        self.src.contains("Absinthe.Schema")
    }

    /// `object :x do … end` / `input_object :x_input do … end`: each `field :f` of its block.
    pub(super) fn visit_absinthe_object(&mut self, node: Node<'_>, args: &[Node<'_>], input: bool) {
        if let (Some(name), Some(block)) = (args.first().and_then(|a| atom(*a, self.src)), do_block(node)) {
            let base = if input {
                INPUT_SUFFIXES.iter().find_map(|s| name.0.strip_suffix(s)).unwrap_or(&name.0)
            } else {
                &name.0
            };
            let mut model = self.resolve(&inflect::classify(base));
            let mut confidence = Confidence::Medium;
            if input {
                // Read once per file: a file of many inputs costs its length, not its square.
                if self.absinthe.is_none() {
                    self.absinthe = Some(self.absinthe_args(node));
                }
                let file = self.absinthe.take().unwrap_or_default();
                let results: Vec<Option<&String>> =
                    file.taken.iter().filter(|(t, _)| *t == name.0).map(|(_, r)| r.as_ref()).collect();
                if results.is_empty() && file.any {
                    confidence = Confidence::Low;
                } else if !file.objects.iter().any(|o| o == base)
                    && let Some(carried) = carried_type(&results, &file.objects)
                {
                    model = self.resolve(&inflect::classify(&carried));
                }
                self.absinthe = Some(file);
            }
            let mut cursor = block.walk();
            let calls: Vec<Node<'_>> = block.named_children(&mut cursor).filter(|c| c.kind_name() == "call").collect();
            let fields: Vec<(String, usize)> = calls
                .iter()
                .filter(|c| self.callee(**c).is_some_and(|(n, r)| n == "field" && r.is_none()))
                .filter_map(|c| arguments(*c).first().and_then(|a| atom(*a, self.src)))
                .collect();
            // The type's own name, and each interface it implements (`interface(:collaborator)`,
            // `interfaces([:project_integration])`): its records are the interface's.
            let mut roots: Vec<Root> = Vec::new();
            if !input {
                roots.push(self.type_root(&name.0));
                for call in &calls {
                    if let Some(("interface" | "interfaces", None)) = self.callee(*call) {
                        for arg in arguments(*call) {
                            roots.extend(atoms_in(arg, self.src).into_iter().map(|(i, _)| self.type_root(&i)));
                        }
                    }
                }
                self.dataloaded(&name.0, &calls);
            }
            for (field, offset) in fields {
                let target = Target::ModelColumn { model: model.clone(), column: field.clone() };
                self.hit_at(offset, target, RefKind::Query, confidence);
                for root in &roots {
                    let target = Target::Chain { root: root.clone(), path: Vec::new(), attribute: Some(field.clone()) };
                    self.hit_at(offset, target, RefKind::Query, confidence);
                }
            }
            // `resolve_type(fn %{service: "slack"}, _ -> :slack_integration end)`: the keys its
            // clauses match are fields of the interface's records.
            if let Some(own) = roots.first() {
                for call in &calls {
                    if let Some(("resolve_type", None)) = self.callee(*call) {
                        for (key, offset) in self.clause_keys(*call) {
                            let target = Target::Chain { root: own.clone(), path: Vec::new(), attribute: Some(key) };
                            self.hit_at(offset, target, RefKind::Query, confidence);
                        }
                    }
                }
            }
        }
        self.visit_children(node);
    }

    /// What the records of the GraphQL type `name` are: the schema bound to it elsewhere, else the
    /// one its name suggests (a name, not an alias of the file: `object :translation` in a file
    /// that aliases `Resolvers.Translation` is still `Translation`'s).
    fn type_root(&self, name: &str) -> Root {
        Root::Binding {
            scopes: vec![ABSINTHE.to_owned()],
            name: name.to_owned(),
            guess: Some(self.resolve(&inflect::classify(name))),
        }
    }

    /// The keys the first parameter's map pattern of each clause of `fn` arguments of `call` matches.
    fn clause_keys(&self, call: Node<'_>) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        for f in arguments(call).into_iter().filter(|a| a.kind_name() == "anonymous_function") {
            let mut cursor = f.walk();
            for clause in f.named_children(&mut cursor).filter(|c| c.kind_name() == "stab_clause") {
                if let Some(first) =
                    clause_params(clause).and_then(|p| p.named_child(0)).filter(|p| p.kind_name() == "map")
                {
                    out.extend(map_keys(first, self.src));
                }
            }
        }
        out
    }

    /// The fields of the object `parent` among `calls` that resolve with `dataloader(Source)`
    /// (or `dataloader(Source, :assoc)`): their type's records are the parent's association of
    /// that name, when the parent is named after its schema.
    fn dataloaded(&mut self, parent: &str, calls: &[Node<'_>]) {
        let guess = Root::Binding {
            scopes: Vec::new(),
            name: String::new(),
            guess: Some(self.resolve(&inflect::classify(parent))),
        };
        for call in calls {
            if !matches!(self.callee(*call), Some(("field", None))) {
                continue;
            }
            let args = arguments(*call);
            let (Some((field, _)), Some(ty)) =
                (args.first().and_then(|a| atom(*a, self.src)), args.get(1).and_then(|t| self.type_name(*t)))
            else {
                continue;
            };
            let Some(loader) = self.find_call(*call, "dataloader") else { continue };
            let assoc = match arguments(loader).get(1) {
                None => field,
                Some(key) => match atom(*key, self.src) {
                    Some((assoc, _)) => assoc,
                    None if matches!(key.kind_name(), "keywords" | "list") => field,
                    None => continue,
                },
            };
            let binding = Binding { scope: ABSINTHE.to_owned(), name: ty, root: guess.clone(), path: vec![assoc] };
            if !self.facts.bindings.contains(&binding) {
                self.facts.bindings.push(binding);
            }
        }
    }

    /// The first call of `name` (no module) under `node`.
    fn find_call<'t>(&self, node: Node<'t>, name: &str) -> Option<Node<'t>> {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            if n.kind_name() == "call" && n.id() != node.id() && matches!(self.callee(n), Some((c, None)) if c == name)
            {
                return Some(n);
            }
            let mut cursor = n.walk();
            stack.extend(n.named_children(&mut cursor));
        }
        None
    }

    /// `field :create_project_prompt, :mutated_prompt do arg(:content, :string) … end`: a
    /// mutation that creates or updates an X takes X's fields as flat `arg`s. X is the mutation's
    /// name after `create_`/`update_` (its type's records, [`Walker::type_root`]), and the words
    /// it ends with that its result type's name ends with too (`:mutated_prompt`,
    /// `:lint_entry_payload`): the schema is named twice.
    pub(super) fn absinthe_mutation(&mut self, node: Node<'_>, args: &[Node<'_>]) {
        let Some(block) = do_block(node) else { return };
        let Some((name, _)) = args.first().and_then(|a| atom(*a, self.src)) else { return };
        let Some(made) = name.strip_prefix("create_").or_else(|| name.strip_prefix("update_")) else { return };
        if made.is_empty() {
            return;
        }
        let mut roots = vec![self.type_root(made)];
        if let Some(result) = args.get(1).and_then(|t| self.type_name(*t)) {
            let result = RESULT_SUFFIXES.iter().find_map(|s| result.strip_suffix(s)).unwrap_or(&result).to_owned();
            let (a, b): (Vec<&str>, Vec<&str>) = (made.split('_').collect(), result.split('_').collect());
            let common = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
            if common > 0 && common < a.len() {
                roots.push(self.type_root(&a[a.len() - common..].join("_")));
            }
        }
        let mut cursor = block.walk();
        let taken: Vec<(String, usize)> = block
            .named_children(&mut cursor)
            .filter(|c| c.kind_name() == "call" && matches!(self.callee(*c), Some(("arg", None))))
            .filter_map(|c| arguments(c).first().and_then(|a| atom(*a, self.src)))
            .collect();
        for (arg, offset) in taken {
            for root in &roots {
                let target = Target::Chain { root: root.clone(), path: Vec::new(), attribute: Some(arg.clone()) };
                self.hit_at(offset, target, RefKind::Query, Confidence::Medium);
            }
        }
    }

    /// The `arg`s and `object`s of the whole file `node` is in.
    fn absinthe_args(&self, node: Node<'_>) -> Args {
        let mut root = node;
        while let Some(parent) = root.parent() {
            root = parent;
        }
        let mut out = Args::default();
        let mut stack = vec![(root, None::<String>)];
        while let Some((node, field_type)) = stack.pop() {
            let mut inner_type = field_type.clone();
            if node.kind_name() == "call"
                && let Some((name, None)) = self.callee(node)
            {
                let args = arguments(node);
                match name {
                    "object" => out.objects.extend(args.first().and_then(|a| atom(*a, self.src)).map(|(o, _)| o)),
                    "field" => inner_type = args.get(1).and_then(|t| self.type_name(*t)),
                    "arg" => {
                        if let Some(taken) = args.get(1).and_then(|t| self.type_name(*t)) {
                            out.any = true;
                            out.taken.push((taken, field_type.clone()));
                        }
                    }
                    _ => {}
                }
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor).map(|c| (c, inner_type.clone())));
        }
        out
    }

    /// `:ticket`, `non_null(:ticket)`, `list_of(non_null(:ticket))`: `ticket`.
    fn type_name(&self, node: Node<'_>) -> Option<String> {
        if let Some((name, _)) = atom(node, self.src) {
            return Some(name);
        }
        match self.callee(node) {
            Some(("non_null" | "list_of", None)) => arguments(node).first().and_then(|a| self.type_name(*a)),
            _ => None,
        }
    }
}

/// The one type the fields taking an input carry — each `:x_result` (or `:x`) of an `object :x`
/// of the file —, if they agree.
fn carried_type(results: &[Option<&String>], objects: &[String]) -> Option<String> {
    let mut carried: Option<&str> = None;
    for result in results {
        let result = result.map(String::as_str)?;
        let base = RESULT_SUFFIXES.iter().find_map(|s| result.strip_suffix(s)).unwrap_or(result);
        if !objects.iter().any(|o| o == base) || carried.is_some_and(|c| c != base) {
            return None;
        }
        carried = Some(base);
    }
    carried.map(str::to_owned)
}

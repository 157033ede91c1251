//! The schema side: `schema "users" do … end` as a [`ModelDecl`] (table, fields with their
//! source columns, associations with their foreign keys) and the declaration hits, and the
//! module attributes that shape it (`@primary_key`, `@schema_prefix`, `@timestamps_opts`).

#![allow(clippy::wildcard_imports)]

use super::*;
use crate::grammar::NodeExt;

impl Walker<'_> {
    /// `@name value`: remembers atom lists and the schema settings.
    pub(super) fn visit_attribute(&mut self, node: Node<'_>) {
        let operator = node.field("operator").map(|o| self.text(o));
        let operand = node.field("operand");
        let (Some("@"), Some(operand)) = (operator, operand) else { return self.visit_children(node) };
        if operand.kind_name() != "call" {
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
                let pk = if value.kind_name() == "tuple" {
                    value.named_child(0).and_then(|a| atom(a, self.src))
                } else {
                    None
                };
                if let Some(m) = self.modules.last_mut() {
                    m.primary_key = Some(pk);
                }
            }
            // `@derive {Phoenix.Param, key: :short_code}`, `@derive {Jason.Encoder, only: [:id]}`:
            // fields of this module's schema (declared below it; resolution drops them when the
            // module has none).
            "derive" => {
                let Some(module) = self.modules.last().map(|m| Source::Schema(m.name.clone())) else { return };
                let mut fields = Vec::new();
                let mut stack = vec![value];
                while let Some(n) = stack.pop() {
                    for (key, v) in keyword_pairs(n, self.src) {
                        if matches!(key.as_str(), "key" | "only" | "except") {
                            fields.extend(atoms_in(v, self.src));
                        }
                    }
                    let mut cursor = n.walk();
                    stack.extend(n.named_children(&mut cursor));
                }
                for (field, offset) in fields {
                    self.field_hit(offset, &module, &field, RefKind::Query, Confidence::High);
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
                let atoms = self.field_list(value);
                if !atoms.is_empty()
                    && let Some(m) = self.modules.last_mut()
                {
                    m.atom_lists.insert(name.to_owned(), atoms);
                }
                self.visit(value);
            }
        }
    }

    pub(super) fn visit_schema(&mut self, node: Node<'_>, args: &[Node<'_>]) {
        let Some(table_node) = args.first().filter(|a| a.kind_name() == "string") else {
            return self.visit_children(node);
        };
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
        let snippet = crate::scan::extract::name::snippet_of(
            self.src.get(start..self.line_starts.get(line).map_or(self.src.len(), |e| e - 1)).unwrap_or(""),
            node.start_byte() - start,
        );
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
            // TypedEctoSchema's `field(:password, Encrypted) :: String.t()` types the field.
            let statement = match statement.field("operator").map(|o| self.text(o)) {
                Some("::") => statement.field("left").unwrap_or(statement),
                _ => statement,
            };
            if statement.kind_name() != "call" {
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
            let related = args.get(1).filter(|a| a.kind_name() == "alias").map(|a| self.resolve(self.text(*a)));
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
                            associated_keys: Vec::new(),
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
                            associated_keys: Vec::new(),
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
                    let through =
                        opt("through").map(|t| atoms_in(t, src).into_iter().map(|(a, _)| a).collect::<Vec<_>>());
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
                        associated_keys: Vec::new(),
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
                            associated_keys: Vec::new(),
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
                        Some(through) if through.kind_name() == "string" => {
                            if let Some((join, join_offset)) = string(through, self.src) {
                                self.hit_at(join_offset, Target::Table { table: join.clone() }, decl, high);
                                for key in keys {
                                    let target = Target::Column { table: join.clone(), column: key };
                                    self.hit_at(join_offset, target, decl, high);
                                }
                            }
                        }
                        Some(through) if through.kind_name() == "alias" => {
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
}

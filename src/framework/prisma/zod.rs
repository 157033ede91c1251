//! zod schemas of the models. A generator beside Prisma Client (zod-prisma-types) writes one per
//! model (`RecipientSchema` in `…/generated/zod/modelSchema/RecipientSchema`), and the app
//! derives its API's shapes from them (`export const ZRecipientLiteSchema =
//! RecipientSchema.pick({ email: true, … })`, picked again in another file): the keys a `pick` or
//! `omit` names are the model's fields, and a dropped column breaks the schema. A schema the app
//! writes out itself (`z.object({ … })`) names no model, whatever its keys are called.

use crate::grammar::NodeExt;
use std::collections::HashMap;

use tree_sitter::Node;

use crate::config::Confidence;
use crate::framework::prisma::model_name;
use crate::framework::prisma::receivers::is_client_module;
use crate::scan::extract::js::{call_args, object_keys, property, unwrap};
use crate::scan::extract::treesit::{Src, descendants, named_children, string_value};
use crate::scan::facts::{Binding, Hit, Root, Target};
use crate::scan::reference::RefKind;

/// The scope of bindings for the schemas the app derives from a model's: name = the exported
/// name (`ZRecipientLiteSchema`); files import them from the app's packages by alias
/// (`@documenso/lib/types/recipient`), so the name alone keys them.
pub const ZOD: &str = "prisma:zod";

/// Methods whose result is a schema of (some of) the same model's fields.
const DERIVE: &[&str] = &[
    "pick",
    "omit",
    "extend",
    "merge",
    "partial",
    "required",
    "strict",
    "passthrough",
    "strip",
    "deepPartial",
    "array",
    "optional",
    "nullable",
    "nullish",
];

/// zod's functions whose result holds records of the schema they are given (`z.array(S)`).
const WRAP: &[&str] = &["array", "optional", "nullable", "nullish"];

/// zod's type helpers whose result is a schema's records (`z.infer<typeof S>`).
const INFER: &[&str] = &["infer", "output", "TypeOf"];

/// Methods whose object argument's keys are the model's fields.
const FIELDS: &[&str] = &["pick", "omit"];

/// The hits of a file's `pick`/`omit` keys on a model's schema, and the bindings of the schemas
/// it derives at its top level.
pub fn read<'t>(src: &Src<'_>, root: Node<'t>, nodes: &[Node<'t>], hits: &mut Vec<Hit>, bindings: &mut Vec<Binding>) {
    let mut known: HashMap<&str, Root> = HashMap::new();
    for &node in nodes.iter().filter(|n| n.kind_name() == "import_statement") {
        let Some((source, _)) = node.field("source").and_then(|s| string_value(src, s)) else {
            continue;
        };
        let generated = is_generated(&source);
        for n in descendants(node) {
            match n.kind_name() {
                "import_specifier" => {
                    let Some(name) = n.field("name") else { continue };
                    let local = src.node_text(n.field("alias").unwrap_or(name));
                    let name = src.node_text(name);
                    if generated {
                        if let Some(model) = model_of(name) {
                            known.insert(local, Root::Model { model });
                        }
                    } else if name.ends_with("Schema") {
                        let root = Root::Binding { scopes: vec![ZOD.to_owned()], name: name.to_owned(), guess: None };
                        known.insert(local, root);
                    }
                }
                // `import ApiTokenSchema from '…/modelSchema/ApiTokenSchema'`: the module names it.
                "import_clause" if generated => {
                    let file = source.rsplit('/').next().unwrap_or(&source);
                    if let (Some(local), Some(model)) =
                        (named_children(n).into_iter().find(|c| c.kind_name() == "identifier"), model_of(file))
                    {
                        known.insert(src.node_text(local), Root::Model { model });
                    }
                }
                _ => {}
            }
        }
    }
    let declarators: Vec<Node<'t>> = nodes.iter().copied().filter(|n| n.kind_name() == "variable_declarator").collect();
    // A top-level schema's keys added by `extend` whose values are a model's schema.
    let mut members: HashMap<&str, Vec<(String, Root)>> = HashMap::new();
    // A schema derived from one declared further down is learnt on the second pass.
    for _ in 0..2 {
        for &d in &declarators {
            let (Some(name), Some(value)) = (d.field("name"), d.field("value")) else {
                continue;
            };
            if name.kind_name() == "identifier"
                && let Some(r) = schema_root(src, &known, value)
            {
                known.insert(src.node_text(name), r);
            }
        }
    }
    for &d in &declarators {
        let Some(name) = d.field("name").filter(|n| n.kind_name() == "identifier") else { continue };
        let top = d.parent().and_then(|p| p.parent()).is_some_and(|s| {
            s.id() == root.id()
                || s.kind_name() == "export_statement" && s.parent().is_some_and(|r| r.id() == root.id())
        });
        if top && let Some(Root::Model { model }) = known.get(src.node_text(name)) {
            bindings.push(Binding {
                scope: ZOD.to_owned(),
                name: src.node_text(name).to_owned(),
                root: Root::Model { model: model.clone() },
                path: Vec::new(),
            });
        }
        if top && let Some(value) = d.field("value") {
            members.insert(src.node_text(name), extended(src, &known, value));
        }
    }
    // `export type TRecipientLite = z.infer<typeof ZRecipientLiteSchema>`: the type is the
    // schema's records, for the files that declare values with it (keyed by its exported name).
    for &alias in nodes.iter().filter(|n| n.kind_name() == "type_alias_declaration") {
        let top = alias.parent().is_some_and(|p| {
            p.id() == root.id()
                || p.kind_name() == "export_statement" && p.parent().is_some_and(|r| r.id() == root.id())
        });
        let (Some(name), Some(value)) = (alias.field("name"), alias.field("value")) else {
            continue;
        };
        let Some((schema, r)) = top.then(|| inferred(src, &known, value)).flatten() else { continue };
        let name = src.node_text(name);
        bindings.push(Binding { scope: ZOD.to_owned(), name: name.to_owned(), root: r, path: Vec::new() });
        // `TEditorEnvelope['recipients']`: the records under a key the schema extends it with.
        for (key, root) in members.get(schema).into_iter().flatten() {
            bindings.push(Binding {
                scope: ZOD.to_owned(),
                name: format!("{name}.{key}"),
                root: root.clone(),
                path: Vec::new(),
            });
        }
    }
    for &call in nodes.iter().filter(|n| n.kind_name() == "call_expression") {
        let Some(f) = call.field("function").map(unwrap) else { continue };
        if !property(src, f).is_some_and(|m| FIELDS.contains(&m)) {
            continue;
        }
        let Some(r) = f.field("object").and_then(|o| schema_root(src, &known, o)) else { continue };
        let Some(arg) = call_args(call).into_iter().next().map(unwrap).filter(|a| a.kind_name() == "object") else {
            continue;
        };
        for key in object_keys(src, arg) {
            let target = match &r {
                Root::Model { model } => Target::ModelColumn { model: model.clone(), column: key.name.clone() },
                other => Target::Chain { root: other.clone(), path: Vec::new(), attribute: Some(key.name.clone()) },
            };
            hits.push(src.hit(key.offset, target, RefKind::Query, Confidence::Medium));
        }
    }
}

/// The schema whose records a type is: `z.infer<typeof S>` of a model's schema or one derived
/// from it (here or, by its exported name, in another file).
fn inferred<'a>(src: &Src<'a>, known: &HashMap<&str, Root>, value: Node<'_>) -> Option<(&'a str, Root)> {
    if value.kind_name() != "generic_type" {
        return None;
    }
    let name = value.field("name")?;
    let helper = match name.kind_name() {
        "nested_type_identifier" => name.field("name").map(|n| src.node_text(n))?,
        _ => return None,
    };
    if !INFER.contains(&helper) {
        return None;
    }
    let query = value.field("type_arguments")?.named_child(0)?;
    let schema = query.named_child(0).filter(|s| query.kind_name() == "type_query" && s.kind_name() == "identifier")?;
    let schema = src.node_text(schema);
    Some((schema, known.get(schema).cloned()?))
}

/// The keys `extend({ recipients: ZRecipientSchema.array() })` adds along a schema's chain of
/// derivations, with the model's schema each holds.
fn extended(src: &Src<'_>, known: &HashMap<&str, Root>, value: Node<'_>) -> Vec<(String, Root)> {
    let mut out = Vec::new();
    let mut v = unwrap(value);
    for _ in 0..16 {
        if v.kind_name() != "call_expression" {
            break;
        }
        let Some(f) = v.field("function").map(unwrap) else { break };
        if property(src, f) == Some("extend")
            && let Some(object) = call_args(v).into_iter().next().map(unwrap)
        {
            for key in object_keys(src, object) {
                if let Some(root) = key.value.and_then(|k| schema_root(src, known, k)) {
                    out.push((key.name, root));
                }
            }
        }
        match f.field("object").map(unwrap) {
            Some(o) => v = o,
            None => break,
        }
    }
    out
}

/// Whether an import is a zod generator's output for the Prisma schema.
fn is_generated(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.contains("zod") && is_client_module(source)
}

/// `RecipientSchema` → `recipient`, as facts name models.
fn model_of(name: &str) -> Option<String> {
    let model = name.strip_suffix("Schema").filter(|m| m.starts_with(|c: char| c.is_ascii_uppercase()))?;
    Some(model_name(model))
}

/// The model whose schema an expression is: a generated schema, or one derived from it.
fn schema_root(src: &Src<'_>, known: &HashMap<&str, Root>, value: Node<'_>) -> Option<Root> {
    let mut v = unwrap(value);
    for _ in 0..16 {
        match v.kind_name() {
            "identifier" => return known.get(src.node_text(v)).cloned(),
            "call_expression" => {
                let f = v.field("function").map(unwrap)?;
                let method = property(src, f)?;
                let object = f.field("object").map(unwrap)?;
                // `z.array(RecipientSchema)`: a list of the schema's records.
                if object.kind_name() == "identifier" && src.node_text(object) == "z" && WRAP.contains(&method) {
                    v = call_args(v).into_iter().next().map(unwrap)?;
                    continue;
                }
                if !DERIVE.contains(&method) {
                    return None;
                }
                v = object;
            }
            _ => return None,
        }
    }
    None
}

/// The value a zod schema's `.parse` validates, which is what the call returns (the fields the
/// schema keeps of it): `tokenSchema.array().parse(tokens)`, `z.array(PayoutSchema).parse(rows)`,
/// `await WorkspaceSchema.parseAsync({ ...workspace, … })`. A schema is a name that says so
/// (`…Schema…`, `…schema…`), what zod's functions build, or what is derived from either; other
/// `parse`s (`JSON.parse`, `Date.parse`) read text.
pub(crate) fn parsed<'t>(src: &Src<'_>, call: Node<'t>) -> Option<Node<'t>> {
    let f = call.field("function").map(unwrap).filter(|_| call.kind_name() == "call_expression")?;
    if !matches!(property(src, f)?, "parse" | "parseAsync") || !is_schema(src, f.field("object")?) {
        return None;
    }
    call_args(call).into_iter().next().map(unwrap)
}

fn is_schema(src: &Src<'_>, value: Node<'_>) -> bool {
    let says = |name: &str| name.to_ascii_lowercase().contains("schema");
    let mut v = unwrap(value);
    for _ in 0..16 {
        match v.kind_name() {
            "identifier" => return says(src.node_text(v)),
            "member_expression" => return property(src, v).is_some_and(says),
            "call_expression" => {
                let Some(g) = v.field("function").map(unwrap) else { return false };
                let (Some(method), Some(object)) = (property(src, g), g.field("object").map(unwrap)) else {
                    return false;
                };
                if object.kind_name() == "identifier" && src.node_text(object) == "z" {
                    return true;
                }
                if !DERIVE.contains(&method) {
                    return false;
                }
                v = object;
            }
            _ => return false,
        }
    }
    false
}

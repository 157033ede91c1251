//! Python syntax helpers shared by the Django and SQLAlchemy extractors.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::scan::extract::treesit::{Src, named_children, string_value};

/// The last dotted segment of a callee or base class: `models.CharField` → `CharField`.
pub fn last_segment(text: &str) -> &str {
    text.rsplit('.').next().unwrap_or(text)
}

/// The callee of a `call` node as written (`models.ForeignKey`), or `None` for other nodes.
pub fn callee<'a>(src: &Src<'a>, call: Node<'_>) -> Option<&'a str> {
    if call.kind_name() != "call" {
        return None;
    }
    call.field("function").map(|f| src.node_text(f))
}

/// Positional and keyword arguments of a call.
pub struct Args<'t> {
    pub positional: Vec<Node<'t>>,
    pub keywords: Vec<(Node<'t>, Node<'t>)>,
}

impl<'t> Args<'t> {
    pub fn keyword<'a>(&self, src: &Src<'a>, name: &str) -> Option<Node<'t>> {
        self.keywords.iter().find(|(k, _)| src.node_text(*k) == name).map(|(_, v)| *v)
    }
}

pub fn args(call: Node<'_>) -> Args<'_> {
    let mut out = Args { positional: Vec::new(), keywords: Vec::new() };
    let Some(list) = call.field("arguments") else {
        return out;
    };
    for arg in named_children(list) {
        match arg.kind_name() {
            "keyword_argument" => {
                if let (Some(k), Some(v)) = (arg.field("name"), arg.field("value")) {
                    out.keywords.push((k, v));
                }
            }
            "comment" | "list_splat" | "dictionary_splat" => {}
            _ => out.positional.push(arg),
        }
    }
    out
}

/// String literals directly inside a list, tuple or set (or the string itself), with offsets.
pub fn string_items(src: &Src<'_>, node: Node<'_>) -> Vec<(String, usize)> {
    match node.kind_name() {
        "list" | "tuple" | "set" | "parenthesized_expression" => {
            named_children(node).into_iter().filter_map(|n| string_value(src, n)).collect()
        }
        _ => string_value(src, node).into_iter().collect(),
    }
}

/// `name = value` and `name: T = value` statements directly in a class body or module:
/// (target identifier, annotation, value).
pub fn assignments(block: Node<'_>) -> Vec<(Node<'_>, Option<Node<'_>>, Option<Node<'_>>)> {
    let mut out = Vec::new();
    for stmt in named_children(block) {
        if stmt.kind_name() != "expression_statement" {
            continue;
        }
        for a in named_children(stmt) {
            if a.kind_name() != "assignment" {
                continue;
            }
            let Some(left) = a.field("left") else { continue };
            if left.kind_name() != "identifier" {
                continue;
            }
            out.push((left, a.field("type"), a.field("right")));
        }
    }
    out
}

/// The statements of a class body, looking through decorators.
pub fn class_defs(block: Node<'_>) -> Vec<(Node<'_>, Vec<Node<'_>>)> {
    let mut out = Vec::new();
    for stmt in named_children(block) {
        match stmt.kind_name() {
            "class_definition" => out.push((stmt, Vec::new())),
            "decorated_definition" => {
                let decorators: Vec<Node<'_>> =
                    named_children(stmt).into_iter().filter(|n| n.kind_name() == "decorator").collect();
                if let Some(def) = stmt.field("definition")
                    && def.kind_name() == "class_definition"
                {
                    out.push((def, decorators));
                }
            }
            _ => {}
        }
    }
    out
}

/// Base classes of a class definition, as written.
pub fn bases<'a>(src: &Src<'a>, class: Node<'_>) -> Vec<&'a str> {
    class
        .field("superclasses")
        .map(|s| {
            named_children(s)
                .into_iter()
                .filter(|n| n.kind_name() != "keyword_argument" && n.kind_name() != "comment")
                .map(|n| src.node_text(n))
                .collect()
        })
        .unwrap_or_default()
}

/// Names of functions defined directly in a class body.
pub fn method_names<'a>(src: &Src<'a>, body: Node<'_>) -> Vec<&'a str> {
    let mut out = Vec::new();
    for stmt in named_children(body) {
        let def = match stmt.kind_name() {
            "function_definition" => Some(stmt),
            "decorated_definition" => stmt.field("definition"),
            _ => None,
        };
        if let Some(def) = def
            && def.kind_name() == "function_definition"
            && let Some(name) = def.field("name")
        {
            out.push(src.node_text(name));
        }
    }
    out
}

/// The body of an inner class of a class body (`class Meta:`).
pub fn inner_class_body<'t>(src: &Src<'_>, body: Node<'t>, name: &str) -> Option<Node<'t>> {
    named_children(body)
        .into_iter()
        .filter(|n| n.kind_name() == "class_definition")
        .find(|n| n.field("name").is_some_and(|id| src.node_text(id) == name))
        .and_then(|n| n.field("body"))
}

/// Whether an identifier looks like a class name (`User`, not `user` or `USER_LIMIT`).
pub fn is_class_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && name.chars().any(|c| c.is_ascii_lowercase())
}

/// Model names imported into a module: local name → (module path components, imported name).
/// `from accounts.models import User as Member` → `Member` → (["accounts", "models"], "User");
/// relative imports keep their leading dots as an empty first components count in `level`.
pub struct Import {
    pub local: String,
    pub name: String,
    pub module: Vec<String>,
    /// Number of leading dots of a relative import (0 for absolute).
    pub level: usize,
}

pub fn from_imports(src: &Src<'_>, root: Node<'_>) -> Vec<Import> {
    let mut out = Vec::new();
    for stmt in named_children(root) {
        if stmt.kind_name() != "import_from_statement" {
            continue;
        }
        let Some(module) = stmt.field("module_name") else { continue };
        let module_text = src.node_text(module);
        let level = module_text.chars().take_while(|&c| c == '.').count();
        let module: Vec<String> =
            module_text.trim_start_matches('.').split('.').filter(|s| !s.is_empty()).map(str::to_owned).collect();
        let mut cursor = stmt.walk();
        for name in stmt.children_by_field_name("name", &mut cursor) {
            let (imported, local) = match name.kind_name() {
                "aliased_import" => {
                    let n = name.field("name").map(|n| src.node_text(n)).unwrap_or("");
                    let a = name.field("alias").map(|n| src.node_text(n)).unwrap_or(n);
                    (n, a)
                }
                _ => (src.node_text(name), src.node_text(name)),
            };
            out.push(Import { local: local.to_owned(), name: imported.to_owned(), module: module.clone(), level });
        }
    }
    out
}

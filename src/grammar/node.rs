//! A node's kind and its children by field, answered from tables read once per grammar.
//!
//! tree-sitter's Rust binding turns the C name of a node's kind into `&str` on every
//! `Node::kind` call (a `strlen` and a UTF-8 check), and `Node::child_by_field_name` looks the
//! field up by comparing its name with each of the grammar's field names, on every call. The
//! extractors ask both of nearly every node they visit: a fifth to a quarter of a cold scan of a
//! TypeScript app went there (docs/performance.md, 2026-12-07 14:15). The node already carries
//! both as numbers — its kind id and the grammar's field ids — so [`NodeExt`] reads the names
//! from tables built the first time a grammar is met, and answers exactly what the binding
//! would (a unit test compares the two on every node of real code in each grammar).

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::Mutex;

use tree_sitter::{Language, Node};

/// What every tree-sitter node of tandem is asked through.
pub trait NodeExt<'t> {
    /// The node's kind, as `Node::kind` gives it.
    fn kind_name(&self) -> &'t str;
    /// The first child in the field `name`, as `Node::child_by_field_name` gives it.
    fn field(&self, name: &str) -> Option<Node<'t>>;
}

// The one place the binding's own answers are asked: as the fallback, and in the test that
// compares them with the tables'.
#[allow(clippy::disallowed_methods)]
impl<'t> NodeExt<'t> for Node<'t> {
    fn kind_name(&self) -> &'t str {
        match names(self).kinds.get(usize::from(self.kind_id())) {
            Some(kind) => kind,
            None => self.kind(),
        }
    }

    fn field(&self, name: &str) -> Option<Node<'t>> {
        let id = *names(self).fields.get(name)?;
        self.child_by_field_id(id)
    }
}

/// One grammar's kind and field names by number. Built once per grammar and kept for the life
/// of the process: a handful of grammars are linked, each a few hundred short names.
struct Names {
    language: Language,
    kinds: Box<[&'static str]>,
    fields: HashMap<&'static str, u16, foldhash::fast::FixedState>,
}

/// Every grammar's tables, shared by the threads.
static ALL: Mutex<Vec<&'static Names>> = Mutex::new(Vec::new());

thread_local! {
    /// The tables this thread used last: a worker reads one file, in one grammar, at a time.
    static LAST: Cell<Option<&'static Names>> = const { Cell::new(None) };
}

fn names(node: &Node<'_>) -> &'static Names {
    let language = node.language();
    LAST.with(|last| match last.get() {
        Some(names) if names.language == *language => names,
        _ => {
            let names = shared(&language);
            last.set(Some(names));
            names
        }
    })
}

fn shared(language: &Language) -> &'static Names {
    let mut all = ALL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(names) = all.iter().find(|names| names.language == *language) {
        return names;
    }
    let leak = |name: &str| -> &'static str { Box::leak(name.into()) };
    let kinds = (0..language.node_kind_count())
        .map(|id| u16::try_from(id).ok().and_then(|id| language.node_kind_for_id(id)).map_or("", leak))
        .collect();
    let fields = (1..=language.field_count())
        .filter_map(|id| {
            let id = u16::try_from(id).ok()?;
            Some((leak(language.field_name_for_id(id)?), id))
        })
        .collect();
    let names: &'static Names = Box::leak(Box::new(Names { language: language.clone(), kinds, fields }));
    all.push(names);
    names
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::*;

    fn same_answers(language: Language, code: &str) {
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language).unwrap();
        let tree = parser.parse(code, None).unwrap();
        let field_names: Vec<&str> =
            (1..=language.field_count() as u16).filter_map(|id| language.field_name_for_id(id)).collect();
        let mut cursor = tree.walk();
        let mut nodes = 0;
        loop {
            let node = cursor.node();
            nodes += 1;
            assert_eq!(node.kind_name(), node.kind());
            for name in &field_names {
                assert_eq!(node.field(name), node.child_by_field_name(name), "{} of {}", name, node.kind());
            }
            assert_eq!(node.field("no_such_field"), None);
            if cursor.goto_first_child() || cursor.goto_next_sibling() {
                continue;
            }
            while cursor.goto_parent() {
                if cursor.goto_next_sibling() {
                    break;
                }
            }
            if cursor.node() == tree.root_node() {
                break;
            }
        }
        assert!(nodes > 20, "{nodes} nodes");
    }

    #[test]
    fn kinds_and_fields_are_the_bindings_own() {
        same_answers(
            tree_sitter_ruby::LANGUAGE.into(),
            "class User < ApplicationRecord\n  has_many :posts\n  def name = \"#{first} #{last}\"\nend\n",
        );
        same_answers(
            tree_sitter_elixir::LANGUAGE.into(),
            "defmodule A.User do\n  schema \"users\" do\n    field :name, :string\n  end\n  def f(%{a: 1} = x), do: x.a |> g()\nend\n",
        );
        same_answers(
            tree_sitter_python::LANGUAGE.into(),
            "class A(models.Model):\n    name = models.CharField()\n    def f(self):\n        return [x for x in self.name if x]\n",
        );
        same_answers(
            tree_sitter_javascript::LANGUAGE.into(),
            "const { a } = await prisma.user.findFirst({ where: { id } });\nexport default () => <div>{a.name}</div>;\n",
        );
        same_answers(
            tree_sitter_typescript::LANGUAGE_TSX.into(),
            "type P = { user: User };\nexport function F({ user }: P) { return <b>{user?.name as string}</b>; }\n",
        );
        same_answers(
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            "class R { constructor(private db: PrismaClient) {} async f(): Promise<User[]> { return this.db.user.findMany(); } }\n",
        );
    }
}

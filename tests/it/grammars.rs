//! Every tree-sitter grammar the crate links must load into the linked core: an ABI mismatch
//! between a grammar and `tree-sitter` only shows when `set_language` runs, never at build time.

use tandem::grammar::NodeExt;
use tree_sitter::{Language, Parser};

fn parses(language: Language, name: &str, snippet: &str, expect_root: &str) {
    let mut parser = Parser::new();
    if let Err(e) = parser.set_language(&language) {
        panic!("grammar {name} does not load into tree-sitter {}: {e}", tree_sitter::LANGUAGE_VERSION);
    }
    let tree = parser.parse(snippet, None).unwrap_or_else(|| panic!("{name}: parser returned no tree"));
    let root = tree.root_node();
    assert_eq!(root.kind_name(), expect_root, "{name}");
    assert!(!root.has_error(), "{name}: {}", root.to_sexp());
}

#[test]
fn every_grammar_loads_and_parses() {
    parses(
        tree_sitter_ruby::LANGUAGE.into(),
        "ruby",
        "class User < ApplicationRecord\n  belongs_to :org\nend\n",
        "program",
    );
    parses(
        tree_sitter_elixir::LANGUAGE.into(),
        "elixir",
        "defmodule A.User do\n  schema \"users\" do\n    field :email, :string\n  end\nend\n",
        "source",
    );
    parses(
        tree_sitter_python::LANGUAGE.into(),
        "python",
        "class User(models.Model):\n    email = models.EmailField()\n",
        "module",
    );
    parses(
        tree_sitter_javascript::LANGUAGE.into(),
        "javascript",
        "const u = await prisma.user.findMany({ where: { email } });\n",
        "program",
    );
    parses(
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        "typescript",
        "@Entity()\nexport class User { @Column() email!: string; }\n",
        "program",
    );
    parses(
        tree_sitter_typescript::LANGUAGE_TSX.into(),
        "tsx",
        "const A = (p: { e: string }) => <div>{p.e}</div>;\n",
        "program",
    );
}

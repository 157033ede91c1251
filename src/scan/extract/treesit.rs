//! Shared plumbing for the tree-sitter based extractors (Python and JavaScript/TypeScript; they
//! parse through `grammar::parse_as`): byte offset → 1-based line and character column,
//! snippets, hits, and string literal contents.

use crate::grammar::NodeExt;
use tree_sitter::{Language, Node};

use crate::config::Confidence;
use crate::scan::extract::sql;
use crate::scan::facts::{Hit, Target};
use crate::scan::reference::RefKind;

/// The JavaScript-family grammar for a path: TSX for `.tsx`, TypeScript for `.ts`/`.mts`/`.cts`,
/// JavaScript (which includes JSX) otherwise.
pub fn js_language(path: &str) -> Language {
    if path.ends_with(".tsx") {
        tree_sitter_typescript::LANGUAGE_TSX.into()
    } else if path.ends_with(".ts") || path.ends_with(".mts") || path.ends_with(".cts") {
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
    } else {
        tree_sitter_javascript::LANGUAGE.into()
    }
}

pub fn is_js_path(path: &str) -> bool {
    const EXTS: [&str; 8] = [".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts"];
    !path.ends_with(".d.ts") && EXTS.iter().any(|e| path.ends_with(e))
}

/// A raw SQL string found in code, for the SQL extractor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlString {
    /// The SQL text (template substitutions replaced by `$1`, `$2`, …; implicitly concatenated
    /// literals joined).
    pub sql: String,
    /// Byte offset in the file of the first character of `sql`.
    pub offset: usize,
    /// (offset in `sql`, offset in the file) where each contiguous piece of `sql` starts, so that
    /// positions after a substitution or in a later literal map back exactly.
    pub pieces: Vec<(usize, usize)>,
}

impl SqlString {
    /// SQL written as one literal starting at `offset`.
    pub fn plain(sql: String, offset: usize) -> Self {
        SqlString { sql, offset, pieces: vec![(0, offset)] }
    }

    /// The file offset of a byte offset in `sql`.
    pub fn file_offset(&self, at: usize) -> usize {
        let i = self.pieces.partition_point(|(s, _)| *s <= at);
        match i.checked_sub(1).and_then(|i| self.pieces.get(i)) {
            Some((s, f)) => f + (at - s),
            None => self.offset + at,
        }
    }
}

/// A Python string literal, or implicitly concatenated literals joined, as SQL.
pub fn python_sql(src: &Src<'_>, node: Node<'_>) -> Option<SqlString> {
    if node.kind_name() != "concatenated_string" {
        return string_value(src, node).map(|(sql, offset)| SqlString::plain(sql, offset));
    }
    let mut sql = String::new();
    let mut pieces = Vec::new();
    for child in named_children(node) {
        let (v, o) = string_value(src, child)?;
        pieces.push((sql.len(), o));
        sql.push_str(&v);
    }
    let offset = pieces.first().map_or(node.start_byte(), |p| p.1);
    Some(SqlString { sql, offset, pieces })
}

/// One source file with a line index.
pub struct Src<'a> {
    pub text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Src<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Src { text, line_starts }
    }

    /// 1-based line and 1-based character column of a byte offset.
    pub fn pos(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let col = self.text.get(start..offset).map_or(0, |s| s.chars().count());
        (line as u32, col as u32 + 1)
    }

    /// The source line containing a byte offset, as a snippet (`name::snippet_of`).
    pub fn snippet(&self, offset: usize) -> String {
        let (line, _) = self.pos(offset);
        let start = self.line_starts[line as usize - 1];
        let end = self.line_starts.get(line as usize).map_or(self.text.len(), |e| e - 1);
        super::name::snippet_of(self.text.get(start..end).unwrap_or(""), offset.saturating_sub(start))
    }

    pub fn hit(&self, offset: usize, target: Target, kind: RefKind, confidence: Confidence) -> Hit {
        let (line, column) = self.pos(offset);
        Hit { line, column, target, kind, confidence, snippet: self.snippet(offset) }
    }

    pub fn node_text(&self, node: Node<'_>) -> &'a str {
        self.text.get(node.start_byte()..node.end_byte()).unwrap_or("")
    }
}

/// Named children of a node, collected (tree-sitter's iterator borrows a cursor), without
/// comments: a grammar lets a comment sit between any two tokens and names it, so a comment
/// among an array's elements, a call's arguments or a pattern's names would otherwise take a
/// place and shift every element after it (`const [a, b] = await Promise.all([/* x */ x, y])`
/// bound `b` to `x`'s row).
pub fn named_children(node: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).filter(|c| !is_comment(*c)).collect()
}

/// Whether a node is a comment (`html_comment` is tree-sitter-javascript's `<!-- … -->`).
pub fn is_comment(node: Node<'_>) -> bool {
    matches!(node.kind_name(), "comment" | "html_comment")
}

/// Every named node of a subtree, depth first, in source order.
pub fn descendants(node: Node<'_>) -> Vec<Node<'_>> {
    descendants_outside(node, |_| false)
}

/// Every named node of a subtree, depth first, in source order, without the nodes under one
/// that `fence` holds (a nested function, for the statements of a function's own scope): what
/// walking each node's parents up would find, in one walk. `parent()` is not stored in a
/// tree-sitter node but searched from the root, so asking it of every node was cubic on a
/// deep tree (a fuzzed 8 KB Python file took 21 s).
pub fn descendants_outside<'t>(node: Node<'t>, fence: impl Fn(Node<'t>) -> bool) -> Vec<Node<'t>> {
    // One cursor for the whole walk: a vector of children per node was a third of a cold
    // Prisma scan.
    let mut out = vec![node];
    let mut cursor = node.walk();
    if !cursor.goto_first_child() {
        return out;
    }
    loop {
        let n = cursor.node();
        // Anonymous nodes are tokens: neither listed nor descended into.
        if n.is_named() {
            out.push(n);
            if !fence(n) && cursor.goto_first_child() {
                continue;
            }
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() || cursor.node().id() == node.id() {
                return out;
            }
        }
    }
}

/// Every named node of a tree, as [`descendants`] lists them, each with its kind: read once for
/// an extractor that looks for several kinds over the whole file. Walking the tree again for
/// each kind, and asking each node its kind again (a C string measured and checked as UTF-8
/// each time), was a quarter of a cold Django scan.
pub struct Nodes<'t> {
    root: Node<'t>,
    nodes: Vec<(Node<'t>, &'t str)>,
}

impl<'t> Nodes<'t> {
    pub fn new(root: Node<'t>) -> Self {
        Nodes { root, nodes: descendants(root).into_iter().map(|n| (n, n.kind_name())).collect() }
    }

    /// The node the list was read from.
    pub fn root(&self) -> Node<'t> {
        self.root
    }

    /// Every node, in [`descendants`]' order, with its kind.
    pub fn all(&self) -> impl Iterator<Item = (Node<'t>, &'t str)> + '_ {
        self.nodes.iter().copied()
    }

    /// The nodes of one kind, in [`descendants`]' order.
    pub fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = Node<'t>> + 's {
        self.nodes.iter().filter(move |(_, k)| *k == kind).map(|(n, _)| *n)
    }
}

/// A string literal's value and the byte offset of its first character, for Python `string`
/// nodes (no f-strings: their value is not known) and JavaScript `string` nodes. Concatenated
/// Python strings are joined. `None` when the node is not a plain string literal.
pub fn string_value(src: &Src<'_>, node: Node<'_>) -> Option<(String, usize)> {
    match node.kind_name() {
        "string" => {
            let start = node.child(0)?;
            // Python string prefix (f, rb, …) lives in `string_start`.
            if start.kind_name() == "string_start" {
                let prefix = src.node_text(start).to_ascii_lowercase();
                if prefix.contains('f') {
                    return None;
                }
            }
            let mut value = String::new();
            let mut offset = None;
            for child in named_children(node) {
                match child.kind_name() {
                    "string_content" | "string_fragment" => {
                        offset.get_or_insert(child.start_byte());
                        value.push_str(src.node_text(child));
                    }
                    "escape_sequence" => {
                        offset.get_or_insert(child.start_byte());
                        value.push_str(&unescape(src.node_text(child)));
                    }
                    "interpolation" => return None,
                    _ => {}
                }
            }
            let offset = offset.unwrap_or_else(|| start.end_byte());
            Some((value, offset))
        }
        "concatenated_string" => {
            let mut value = String::new();
            let mut offset = None;
            for child in named_children(node) {
                let (v, o) = string_value(src, child)?;
                offset.get_or_insert(o);
                value.push_str(&v);
            }
            Some((value, offset.unwrap_or(node.start_byte())))
        }
        "template_string" => {
            // A template without substitutions is a plain string.
            let mut value = String::new();
            for child in named_children(node) {
                match child.kind_name() {
                    "string_fragment" => value.push_str(src.node_text(child)),
                    "escape_sequence" => value.push_str(&unescape(src.node_text(child))),
                    _ => return None,
                }
            }
            Some((value, node.start_byte() + 1))
        }
        _ => None,
    }
}

fn unescape(escape: &str) -> String {
    match escape {
        "\\n" => "\n".into(),
        "\\t" => "\t".into(),
        "\\'" => "'".into(),
        "\\\"" => "\"".into(),
        "\\\\" => "\\".into(),
        "\\`" => "`".into(),
        other => other.trim_start_matches('\\').into(),
    }
}

/// A JavaScript template literal as SQL: substitutions become `$1`, `$2`, … (the placeholder
/// form PostgreSQL's parser accepts). Offsets inside the SQL are exact up to the first
/// substitution.
pub fn template_sql(src: &Src<'_>, node: Node<'_>) -> Option<SqlString> {
    if node.kind_name() != "template_string" {
        return string_value(src, node).map(|(sql, offset)| SqlString::plain(sql, offset));
    }
    let mut sql = String::new();
    let mut pieces = Vec::new();
    let mut n = 0;
    let mut last = node.start_byte() + 1;
    for child in named_children(node) {
        // Raw text between named children (tree-sitter may not emit fragments for everything).
        if child.start_byte() > last {
            pieces.push((sql.len(), last));
            sql.push_str(src.text.get(last..child.start_byte()).unwrap_or(""));
        }
        pieces.push((sql.len(), child.start_byte()));
        match child.kind_name() {
            "template_substitution" => {
                n += 1;
                sql.push_str(&format!("${n}"));
            }
            _ => sql.push_str(src.node_text(child)),
        }
        last = child.end_byte();
    }
    let end = node.end_byte().saturating_sub(1);
    if end > last {
        pieces.push((sql.len(), last));
        sql.push_str(src.text.get(last..end).unwrap_or(""));
    }
    Some(SqlString { sql, offset: node.start_byte() + 1, pieces })
}

/// Whether a string is plausibly SQL (a statement keyword first), so that values such as
/// `"select a plan"` in UI code are not handed to the SQL parser as queries by accident.
pub fn looks_like_sql(s: &str) -> bool {
    let t = s.trim_start().trim_start_matches('(').to_ascii_uppercase();
    let first = t.split_whitespace().next().unwrap_or("");
    let rest = t.get(first.len()..).unwrap_or("");
    match first {
        "SELECT" => rest.split_whitespace().any(|w| w == "FROM"),
        "INSERT" => rest.trim_start().starts_with("INTO"),
        "UPDATE" => rest.contains(" SET ") || rest.contains("\nSET"),
        "DELETE" => rest.trim_start().starts_with("FROM"),
        "WITH" | "MERGE" | "TRUNCATE" | "ALTER" | "CREATE" | "DROP" => rest.split_whitespace().count() >= 2,
        _ => false,
    }
}

/// `sql`-kind hits for the raw SQL strings a framework extractor found at SQL entry points
/// (`raw()`, `cursor.execute()`, `text()`, `$queryRaw`, `sql```, …), through the SQL extractor.
/// The generic SQL pass also reads SQL-looking literals; where both find the same reference at
/// the same place, resolution merges them (keeping the higher confidence).
pub fn sql_hits(src: &Src<'_>, strings: &[SqlString]) -> Vec<Hit> {
    let mut out = Vec::new();
    for s in strings {
        for r in sql::sql_refs(&s.sql) {
            let confidence = match r.target {
                Target::Identifier { .. } => Confidence::Low,
                _ => Confidence::High,
            };
            out.push(src.hit(s.file_offset(r.offset), r.target, RefKind::Sql, confidence));
        }
    }
    out
}

/// Split a CamelCase or mixedCase identifier into snake_case (`UserProfile` → `user_profile`,
/// `HTTPLog` → `http_log`).
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = if i > 0 { chars.get(i - 1).copied() } else { None };
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) => {
                    p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
                }
                None => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_in_characters() {
        let src = Src::new("ab\n  é x\n");
        assert_eq!(src.pos(0), (1, 1));
        assert_eq!(src.pos(3), (2, 1));
        // 'x' is after a two-byte 'é'.
        assert_eq!(src.pos(8), (2, 5));
        assert_eq!(src.snippet(8), "é x");
    }

    #[test]
    fn snake_case_splits_acronyms() {
        assert_eq!(snake_case("UserProfile"), "user_profile");
        assert_eq!(snake_case("HTTPLog"), "http_log");
        assert_eq!(snake_case("createdAt"), "created_at");
        assert_eq!(snake_case("user"), "user");
        assert_eq!(snake_case("OAuth2Token"), "o_auth2_token");
    }

    #[test]
    fn template_offsets_map_back_after_substitutions() {
        let text = "q`SELECT a FROM t WHERE b = ${x} AND c = 1`";
        let tree = crate::grammar::parse_as(text, &tree_sitter_javascript::LANGUAGE.into()).ok();
        let src = Src::new(text);
        let template = tree
            .as_ref()
            .and_then(|t| descendants(t.root_node()).into_iter().find(|n| n.kind_name() == "template_string"));
        let s = template.and_then(|t| template_sql(&src, t));
        let s = s.unwrap_or_else(|| SqlString::plain(String::new(), 0));
        assert_eq!(s.sql, "SELECT a FROM t WHERE b = $1 AND c = 1");
        let c_in_sql = s.sql.find("c =").unwrap_or(0);
        assert_eq!(s.file_offset(c_in_sql), text.find("c =").unwrap_or(usize::MAX));
    }

    #[test]
    fn comments_are_no_named_children() {
        let text = "f([/* one */ a, // two\n b, c])";
        let tree = crate::grammar::parse_as(text, &tree_sitter_javascript::LANGUAGE.into()).ok();
        let array =
            tree.as_ref().and_then(|t| descendants(t.root_node()).into_iter().find(|n| n.kind_name() == "array"));
        let src = Src::new(text);
        let elements: Vec<&str> =
            array.map(named_children).unwrap_or_default().into_iter().map(|n| src.node_text(n)).collect();
        assert_eq!(elements, ["a", "b", "c"]);
    }

    #[test]
    fn sql_sniffing() {
        assert!(looks_like_sql("SELECT id FROM users WHERE email = %s"));
        assert!(looks_like_sql("  update users set a = 1 where id = 2"));
        assert!(looks_like_sql("INSERT INTO t (a) VALUES (1)"));
        assert!(!looks_like_sql("select"));
        assert!(!looks_like_sql("Update your profile"));
        assert!(!looks_like_sql("delete me"));
    }
}

//! SQL fragments handed to query methods (`where("email = ?")`), read against the relation's model.

use super::*;
use crate::grammar::NodeExt;

/// Whether SQL text contains a statement (`SELECT … FROM`, `INSERT INTO`, `UPDATE … SET`,
/// `DELETE FROM`) rather than only an expression over one relation's columns.
pub fn is_statement(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let words: HashSet<&str> =
        lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(w);
    (has("select") && has("from"))
        || (has("insert") && has("into"))
        || (has("update") && has("set"))
        || (has("delete") && has("from"))
}

pub(super) const SQL_WORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "null",
    "is",
    "in",
    "like",
    "ilike",
    "between",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "true",
    "false",
    "case",
    "when",
    "then",
    "else",
    "end",
    "distinct",
    "as",
    "exists",
    "any",
    "all",
    "select",
    "from",
    "where",
    "order",
    "by",
    "group",
    "having",
    "limit",
    "offset",
    "join",
    "on",
    "inner",
    "left",
    "right",
    "outer",
    "cross",
    "using",
    "interval",
    "current_date",
    "current_timestamp",
    "now",
    "date",
    "cast",
    "escape",
    "similar",
    "to",
    "some",
    "collate",
    "unknown",
    "with",
    "zone",
    "time",
    "timestamp",
    "at",
    "count",
    "sum",
    "min",
    "max",
    "avg",
    "over",
    "partition",
    "filter",
    "array",
    "row",
    "union",
    "except",
    "intersect",
    "lateral",
    "natural",
    "full",
    "default",
    "integer",
    "text",
    "varchar",
    "boolean",
    "bigint",
    "numeric",
    "jsonb",
    "json",
    "uuid",
];

/// Identifiers of an SQL fragment that may be columns: `(offset, table, column)`.
pub fn fragment_identifiers(text: &str) -> Vec<(usize, Option<&str>, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' {
            // A quoted value; `''` escapes a quote.
            i += 1;
            while i < bytes.len() && !(bytes[i] == b'\'' && bytes.get(i + 1) != Some(&b'\'')) {
                i += if bytes[i] == b'\'' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        if c == b':' && bytes.get(i + 1) == Some(&b':') {
            // `::type` cast: skip the type name.
            i += 2;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            continue;
        }
        if c == b':' || c == b'$' || c == b'@' || c == b'%' {
            // Named binds (`:email`), positional `$1`, format placeholders.
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            continue;
        }
        let quoted = c == b'"' || c == b'`';
        if c.is_ascii_alphabetic() || c == b'_' || quoted {
            let (first, first_start, mut end) = read_ident(bytes, i);
            let mut parts = vec![(first, first_start)];
            while end < bytes.len() && bytes[end] == b'.' {
                let (part, start, next) = read_ident(bytes, end + 1);
                if part.0 == part.1 {
                    break;
                }
                parts.push((part, start));
                end = next;
            }
            let mut after = end;
            while after < bytes.len() && bytes[after] == b' ' {
                after += 1;
            }
            let is_call = bytes.get(after) == Some(&b'(');
            let numeric_before = i > 0 && bytes[i - 1].is_ascii_digit();
            if !is_call && !numeric_before {
                let slice = |(s, e): (usize, usize)| text.get(s..e).unwrap_or("");
                match parts.as_slice() {
                    [(only, start)] => {
                        let word = slice(*only);
                        if !SQL_WORDS.contains(&word.to_ascii_lowercase().as_str()) && is_identifier(word) {
                            out.push((*start, None, word));
                        }
                    }
                    [.., (table, _), (column, start)] => {
                        let (table, column) = (slice(*table), slice(*column));
                        if is_identifier(table) && is_identifier(column) {
                            out.push((*start, Some(table), column));
                        }
                    }
                    [] => {}
                }
            }
            i = end.max(i + 1);
            continue;
        }
        if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    out
}

/// The aliases a join fragment gives its tables: `LEFT JOIN exchange_rates er ON …` and
/// `JOIN accounts AS a` map `er` and `a` to their tables (a subquery's alias maps to nothing).
fn join_aliases(text: &str) -> Vec<(String, String)> {
    let words: Vec<&str> =
        text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',').filter(|w| !w.is_empty()).collect();
    let mut out = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if !(word.eq_ignore_ascii_case("join") || word.eq_ignore_ascii_case("from")) {
            continue;
        }
        let Some(table) = words.get(i + 1).map(|t| t.trim_matches('"')) else { continue };
        let mut next = i + 2;
        if words.get(next).is_some_and(|w| w.eq_ignore_ascii_case("as")) {
            next += 1;
        }
        if let Some(alias) = words.get(next).map(|a| a.trim_matches('"'))
            && is_identifier(table.rsplit('.').next().unwrap_or(table))
            && is_identifier(alias)
            && !SQL_WORDS.contains(&alias.to_ascii_lowercase().as_str())
        {
            out.push((alias.to_owned(), table.rsplit('.').next().unwrap_or(table).to_owned()));
        }
    }
    out
}

/// One identifier at `i`, bare or quoted: ((start, end) of its text, start, end after it).
pub(super) fn read_ident(bytes: &[u8], i: usize) -> ((usize, usize), usize, usize) {
    match bytes.get(i) {
        Some(&q @ (b'"' | b'`')) => {
            let close = bytes[i + 1..].iter().position(|&b| b == q).map_or(bytes.len(), |p| i + 1 + p);
            ((i + 1, close), i + 1, (close + 1).min(bytes.len()))
        }
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            let mut end = i;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            ((i, end), i, end)
        }
        _ => ((i, i), i, i),
    }
}

/// The value of the one assignment to local `name` in the method around `usage`, when it comes
/// before `usage`; none when the method assigns the name more than once (or never).
fn sole_assignment<'t>(usage: Node<'t>, name: &str, code: &str) -> Option<Node<'t>> {
    let mut method = usage.parent();
    while let Some(m) =
        method.filter(|m| !matches!(m.kind_name(), "method" | "singleton_method" | "block" | "do_block"))
    {
        method = m.parent();
    }
    let mut found = None;
    let mut stack = vec![method?];
    while let Some(node) = stack.pop() {
        if node.kind_name() == "assignment"
            && let (Some(left), Some(right)) =
                (node.child_by_field_id(*field::LEFT), node.child_by_field_id(*field::RIGHT))
            && left.kind_name() == "identifier"
            && code.get(left.byte_range()) == Some(name)
        {
            if found.is_some() {
                return None;
            }
            found = Some(right);
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    found.filter(|f| f.end_byte() <= usage.start_byte())
}

impl<'a> Walker<'a> {
    /// An SQL fragment string (`"email = ? AND users.name LIKE ?"`, `"created_at DESC"`):
    /// qualified names are table columns, bare names columns of the relation's model. Function
    /// names, keywords, bind names and quoted literals are skipped; bare names that are not
    /// columns of the model are dropped by resolution; without a model only qualified names count.
    ///
    /// `receiver` is the chain the call is made on: the aliases its `joins("INNER JOIN items
    /// kit_items ON …")` declare name their tables here too (`.where("kit_items.x = …")`).
    pub(super) fn fragment(
        &mut self,
        arg: Node<'_>,
        rec: Option<&Rec>,
        confidence: Confidence,
        receiver: Option<Node<'_>>,
    ) {
        let Some(parts) = self.fragment_parts(arg) else { return };
        if parts.iter().any(|&(start, end)| is_statement(self.code.get(start..end).unwrap_or(""))) {
            // A whole statement (`where("id IN (SELECT …)")`): the SQL extractor parses it.
            return;
        }
        let text_of = |(start, end): (usize, usize)| self.code.get(start..end).unwrap_or("");
        let mut aliases: HashMap<String, String> = self.chain_join_aliases(receiver).into_iter().collect();
        aliases.extend(parts.iter().flat_map(|p| join_aliases(text_of(*p))));
        // Whether the previous part ended inside a quoted value (`= '#{DATE}'` splits it in two).
        let mut in_quote = false;
        for (start, end) in parts {
            let whole = text_of((start, end));
            let skip = if in_quote { whole.find('\'').map_or(whole.len(), |q| q + 1) } else { 0 };
            in_quote ^= whole.bytes().filter(|&b| b == b'\'').count() % 2 == 1;
            let (start, text) = (start + skip, &whole[skip..]);
            for (offset, table, column) in fragment_identifiers(text) {
                let target = match table {
                    Some(table) => Target::Column {
                        table: aliases.get(table).cloned().unwrap_or_else(|| table.to_owned()),
                        column: column.to_owned(),
                    },
                    None => match rec {
                        Some(rec) => rec.attribute(column),
                        None => continue,
                    },
                };
                self.hit_at(start + offset, target, RefKind::Sql, confidence.min(Confidence::Medium));
            }
        }
    }

    /// The aliases the string `joins`/`left_joins`/`from` fragments of a query chain declare,
    /// read down from `link` (its receiver's calls, the nearest 16: a chain read link by link
    /// costs its length, never its square).
    fn chain_join_aliases(&self, mut link: Option<Node<'_>>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for _ in 0..16 {
            let Some(call) = link.filter(|l| l.kind_name() == "call") else { break };
            let method = call.child_by_field_id(*field::METHOD).map(|m| self.text(m));
            if method.is_some_and(|m| matches!(m, "joins" | "left_joins" | "left_outer_joins" | "from")) {
                for arg in
                    arguments(call).into_iter().filter(|a| matches!(a.kind_name(), "string" | "heredoc_beginning"))
                {
                    for (start, end) in self.fragment_parts(arg).unwrap_or_default() {
                        out.extend(join_aliases(self.code.get(start..end).unwrap_or("")));
                    }
                }
            }
            link = call.child_by_field_id(*field::RECEIVER);
        }
        out
    }

    /// Byte ranges of the literal text of an SQL fragment argument: a string (interpolations
    /// left out), a heredoc (`where(<<~SQL.squish, x)`), or `Arel.sql(…)` around either.
    pub(super) fn fragment_parts(&self, arg: Node<'_>) -> Option<Vec<(usize, usize)>> {
        match arg.kind_name() {
            // Interpolations of the class's own condition methods included (see `returned.rs`).
            "string" => self.string_parts(arg, 0),
            "heredoc_beginning" => self.heredocs.get(&arg.start_byte()).cloned(),
            // `conditions = <<~SQL … SQL` then `where(conditions, …)`: the string the method
            // assigned to that local (once, before the call).
            "identifier" => match sole_assignment(arg, self.text(arg), self.code) {
                Some(assigned) => match assigned.kind_name() {
                    "string" | "heredoc_beginning" | "call" => self.fragment_parts(assigned),
                    _ => None,
                },
                // `where(query_stock)`: the condition the class's own method returns.
                None => {
                    let name = self.text(arg);
                    let local = self.method_params.iter().any(|p| p == name)
                        || (self.method_locals.is_some() && !self.not_a_local(name));
                    if local { None } else { self.method_fragment_parts(arg, name, 0) }
                }
            },
            "call" => {
                // `sanitize_sql_array` is most often called bare, in the model's own class.
                let receiver = arg.child_by_field_id(*field::RECEIVER);
                if let Some(receiver) = receiver.filter(|r| r.kind_name() == "heredoc_beginning") {
                    return self.heredocs.get(&receiver.start_byte()).cloned();
                }
                let method = self.text(arg.child_by_field_id(*field::METHOD)?);
                if receiver.is_some_and(|r| self.text(r) == "Arel") && method == "sql" {
                    return self.fragment_parts(*arguments(arg).first()?);
                }
                if method.starts_with("sanitize_sql") {
                    // `sanitize_sql_array(["… = ?", v])`, `sanitize_sql_for_order(…)`: the
                    // template is the first argument, or the first element of its array.
                    let first = *arguments(arg).first()?;
                    let template = if first.kind_name() == "array" { first.named_child(0)? } else { first };
                    return self.fragment_parts(template);
                }
                None
            }
            // `update_all "expires_at = " + date_add_sql(…)`: the literal sides of a
            // concatenation.
            "binary" if arg.child_by_field_id(*field::OPERATOR).is_some_and(|o| self.text(o) == "+") => {
                let parts: Vec<(usize, usize)> = [*field::LEFT, *field::RIGHT]
                    .iter()
                    .filter_map(|f| arg.child_by_field_id(*f))
                    .filter_map(|side| self.fragment_parts(side))
                    .flatten()
                    .collect();
                (!parts.is_empty()).then_some(parts)
            }
            _ => None,
        }
    }
}

//! Prisma's schema language, line by line: blocks (`model`, `view`, `enum`, `type`, `datasource`,
//! `generator`), their lines without comments, and the patterns of a field and of the attributes
//! both readers of a schema need — the scanner's model index (`framework::prisma::schema`) and
//! the schema reader (`schema::prisma`). There is no tree-sitter grammar for the language here;
//! `prisma format` output (one field per line) is what real schemas contain.

use std::sync::LazyLock;

use regex::Regex;

pub(crate) const SCALARS: &[&str] =
    &["String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"];

pub(crate) static BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(model|view|enum|type|datasource|generator)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{")
        .unwrap_or_else(|_| unreachable!())
});
pub(crate) static FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s+(Unsupported\([^)]*\)|[A-Za-z_][A-Za-z0-9_]*)(\[\])?(\?)?(.*)$")
        .unwrap_or_else(|_| unreachable!())
});
pub(crate) static MAP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"@map\(\s*(?:name:\s*)?"([^"]*)"\s*\)"#).unwrap_or_else(|_| unreachable!()));
pub(crate) static BLOCK_MAP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*@@map\(\s*(?:name:\s*)?"([^"]*)"\s*\)"#).unwrap_or_else(|_| unreachable!()));
pub(crate) static FIELDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"fields:\s*\[([^\]]*)\]").unwrap_or_else(|_| unreachable!()));
pub(crate) static REFERENCES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"references:\s*\[([^\]]*)\]").unwrap_or_else(|_| unreachable!()));
pub(crate) static IGNORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"@ignore\b").unwrap_or_else(|_| unreachable!()));
/// `@@index([a, b(sort: Desc)])`, `@@unique([…])`, `@@id([…])`: the list of fields they name
/// (group 1); or the one field of a list written without its brackets, which Prisma accepts
/// (`@@index(hash)`, `@@index(lastChecked(sort: Asc))`, `@@unique(slug, map: "…")`: group 2);
/// `fields:` may follow a `name:` or `map:`.
pub(crate) static BLOCK_FIELDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"^\s*@@(?:index|unique|id|fulltext)\(\s*(?:(?:[A-Za-z]+:\s*"[^"]*"\s*,\s*)*fields:\s*)?(?:\[([^\]]*)\]|([A-Za-z_][A-Za-z0-9_]*(?:\([^)]*\))?)\s*[,)])"#,
    )
    .unwrap_or_else(|_| unreachable!())
});
/// The `name:` of a compound `@@unique`/`@@id` (not `map:`, the database's name of it).
pub(crate) static COMPOUND_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*@@(?:unique|id)\(.*\bname:\s*"([A-Za-z_][A-Za-z0-9_]*)""#).unwrap_or_else(|_| unreachable!())
});
pub(crate) static FIELD_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]*").unwrap_or_else(|_| unreachable!()));
pub(crate) static BLOCK_IGNORE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*@@ignore\b").unwrap_or_else(|_| unreachable!()));

/// The bytes of a schema text outside its string literals, with their offsets: a `"` opens or
/// closes a string (the quotes are not yielded), a backslash inside one escapes the next byte.
/// Every reader that must not take a string's `//`, `,`, `(` or `@` for syntax walks this.
pub(crate) struct CodeBytes<'a> {
    bytes: std::iter::Enumerate<std::str::Bytes<'a>>,
    inside: bool,
    escaped: bool,
}

impl<'a> CodeBytes<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        CodeBytes { bytes: text.bytes().enumerate(), inside: false, escaped: false }
    }

    /// Whether the bytes walked so far end inside a string.
    pub(crate) fn in_string(&self) -> bool {
        self.inside
    }
}

impl Iterator for CodeBytes<'_> {
    type Item = (usize, u8);

    fn next(&mut self) -> Option<(usize, u8)> {
        for (i, b) in self.bytes.by_ref() {
            match b {
                _ if self.escaped => self.escaped = false,
                b'\\' if self.inside => self.escaped = true,
                b'"' => self.inside = !self.inside,
                _ if self.inside => {}
                _ => return Some((i, b)),
            }
        }
        None
    }
}

/// A line without its `//` comment (strings may contain `//`).
pub(crate) fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    match CodeBytes::new(line).find(|&(i, b)| b == b'/' && bytes.get(i + 1) == Some(&b'/')) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

pub(crate) struct Line<'a> {
    pub text: &'a str,
    /// Byte offset of the line's start in the file.
    pub offset: usize,
}

pub(crate) fn lines(source: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in source.split_inclusive('\n') {
        let text = strip_comment(raw.trim_end_matches(['\n', '\r']));
        out.push(Line { text, offset });
        offset += raw.len();
    }
    out
}

pub(crate) struct Block<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub name_offset: usize,
    pub body: Vec<Line<'a>>,
}

pub(crate) fn blocks(source: &str) -> Vec<Block<'_>> {
    let mut out: Vec<Block<'_>> = Vec::new();
    let mut open = false;
    for line in lines(source) {
        if open {
            if line.text.trim_start().starts_with('}') {
                open = false;
            } else if let Some(b) = out.last_mut() {
                b.body.push(line);
            }
            continue;
        }
        if let Some(c) = BLOCK.captures(line.text)
            && let (Some(kind), Some(name), Some(whole)) = (c.get(1), c.get(2), c.get(0))
        {
            let rest = &line.text[whole.end()..];
            let mut block = Block {
                kind: kind.as_str(),
                name: name.as_str(),
                name_offset: line.offset + name.start(),
                body: Vec::new(),
            };
            // `enum Role { USER ADMIN }` on one line.
            if let Some(close) = rest.find('}') {
                block.body.push(Line { text: &rest[..close], offset: line.offset + whole.end() });
            } else {
                open = true;
            }
            out.push(block);
        }
    }
    out
}

/// The first thing in `source` the schema reader cannot read, as (byte offset, what is wrong):
/// text outside a block, a block never closed, a line of a model that is no field or block
/// attribute, a line whose brackets, parentheses or quotes do not close. The scanner's reading
/// passes over such lines; a schema diff must not (a field it missed is a drop no one sees).
pub(crate) fn check(source: &str) -> Result<(), (usize, String)> {
    static ENUM_VALUE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*[A-Za-z_][A-Za-z0-9_]*(\s+@.*)?\s*$").unwrap_or_else(|_| unreachable!()));
    static SETTING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*[A-Za-z_][A-Za-z0-9_]*\s*=\s*\S").unwrap_or_else(|_| unreachable!()));
    let mut open: Option<(&str, &str, usize)> = None;
    for line in lines(source) {
        let t = line.text.trim();
        let indent = line.text.len() - line.text.trim_start().len();
        let at = line.offset + indent;
        if t.is_empty() {
            continue;
        }
        if let Some(problem) = unbalanced(t) {
            return Err((at, format!("{problem} in `{t}`")));
        }
        let Some((kind, name, _)) = open else {
            let Some(c) = BLOCK.captures(line.text) else {
                return Err((at, format!("expected a block (`model`, `enum`, `datasource`, …), found `{t}`")));
            };
            let whole = c.get(0).map_or(0, |m| m.end());
            if !line.text[whole..].contains('}') {
                let kind = c.get(1).map_or("", |m| m.as_str());
                let name = c.get(2).map_or("", |m| m.as_str());
                open = Some((kind, name, at));
            }
            continue;
        };
        if let Some(rest) = t.strip_prefix('}') {
            if !rest.trim().is_empty() {
                return Err((at, format!("unexpected `{}` after the end of {kind} {name}", rest.trim())));
            }
            open = None;
            continue;
        }
        let ok = match kind {
            "model" | "view" | "type" => t.starts_with("@@") || FIELD.is_match(line.text),
            "enum" => t.starts_with("@@") || ENUM_VALUE.is_match(line.text),
            _ => SETTING.is_match(line.text),
        };
        if !ok {
            return Err((at, format!("cannot read `{t}` in {kind} {name}")));
        }
    }
    match open {
        Some((kind, name, at)) => Err((at, format!("{kind} {name} is never closed (no `}}`)"))),
        None => Ok(()),
    }
}

/// What does not close on a line: a string, a parenthesis or a bracket.
fn unbalanced(line: &str) -> Option<&'static str> {
    let mut stack = Vec::new();
    let mut code = CodeBytes::new(line);
    for (_, b) in &mut code {
        match b {
            b'(' | b'[' => stack.push(b),
            b')' if stack.pop() != Some(b'(') => return Some("a `)` that closes nothing"),
            b']' if stack.pop() != Some(b'[') => return Some("a `]` that closes nothing"),
            _ => {}
        }
    }
    if code.in_string() {
        Some("a string that does not end")
    } else if stack.is_empty() {
        None
    } else {
        Some("a parenthesis or bracket that does not close")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_end_outside_strings() {
        assert_eq!(
            strip_comment(r#"url String @default("http://x") // the site"#),
            r#"url String @default("http://x") "#
        );
        assert_eq!(strip_comment("/// doc"), "");
    }

    #[test]
    fn code_bytes_skip_strings_and_their_escaped_quotes() {
        let text = r#"a("x\"(,", b)"#;
        let code: String = CodeBytes::new(text).map(|(_, b)| b as char).collect();
        assert_eq!(code, "a(, b)");
        let mut open = CodeBytes::new(r#"x "y\""#);
        open.by_ref().for_each(drop);
        assert!(open.in_string());
        assert_eq!(unbalanced(r#"@default("(")"#), None);
        assert_eq!(unbalanced(r#"@default("x)"#), Some("a string that does not end"));
    }
}

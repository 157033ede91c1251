//! The `name` fallback: a schema identifier as a whole word in code, in any language, outside
//! comments and outside string literals that are values rather than SQL. Low confidence. It
//! exists so that nothing is silently missed in code no framework extractor understands; the
//! resolver drops it where a framework extractor found stronger evidence on the same line.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};

use crate::config::{Confidence, Framework};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{FileFacts, Hit, Target};
use crate::scan::reference::RefKind;
use crate::scan::words;

/// Every word of every file is looked up: a fast hasher (the words are not attacker-chosen
/// keys of a long-lived table).
type FastSet<T> = HashSet<T, foldhash::fast::FixedState>;

/// How a language writes comments and strings, as far as skipping them needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// `#` comments; `'`/`"` strings; heredocs (`<<~SQL`); `=begin`/`=end`.
    Ruby,
    /// `#` comments; `'`/`"` strings and `"""` heredocs.
    Elixir,
    /// `#` comments; `'`/`"`, `'''`/`"""` strings.
    Python,
    /// `//` and `/* */` comments; `'`/`"`/`` ` `` strings.
    CLike,
    /// `--` and `/* */` comments; strings are values.
    Sql,
    /// ERB/EEx templates: only `<% … %>` is code (`<%#` is a comment).
    Erb,
    /// Anything else we still read: every word counts.
    Plain,
}

pub fn lang_of(path: &str) -> Option<Lang> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let lang = match ext.as_deref() {
        Some("rb" | "rake" | "ru" | "jbuilder" | "builder" | "axlsx" | "gemspec") => Lang::Ruby,
        None if matches!(name, "Rakefile" | "Gemfile") => Lang::Ruby,
        Some("ex" | "exs") => Lang::Elixir,
        Some("py" | "pyi") => Lang::Python,
        Some(
            "js" | "jsx" | "mjs" | "cjs" | "ts" | "tsx" | "mts" | "cts" | "vue" | "svelte" | "java" | "kt" | "kts"
            | "scala" | "go" | "cs" | "php" | "swift" | "dart" | "prisma" | "graphql" | "gql" | "groovy" | "c" | "h"
            | "cc" | "cpp" | "hpp" | "rs",
        ) => Lang::CLike,
        Some("sql") => Lang::Sql,
        Some("erb" | "eex" | "heex" | "leex") => Lang::Erb,
        Some("haml" | "slim" | "sh" | "bash") => Lang::Plain,
        _ => return None,
    };
    Some(lang)
}

/// A byte range of the file and whether it is code or a string literal's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: usize,
    pub end: usize,
    pub string: bool,
    /// A string literal that reads as SQL ([`crate::scan::extract::sql::looks_like_sql`]); set by
    /// [`crate::scan::extract::SourceFile::lexed`], never by [`segments`].
    pub sql: bool,
}

/// Split `src` into code and string segments, dropping comments. A small hand lexer rather than
/// a full parser: it must be fast on every file and never fail; where it guesses wrong (e.g. a
/// Ruby `%q()` literal) the cost is a low-confidence hit more or less.
pub fn segments(src: &str, lang: Lang) -> Vec<Segment> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut code_start = 0;
    let mut i = 0;
    let n = b.len();
    let push = |out: &mut Vec<Segment>, start: usize, end: usize, string: bool| {
        if end > start {
            out.push(Segment { start, end, string, sql: false });
        }
    };
    if lang == Lang::Plain {
        push(&mut out, 0, n, false);
        return out;
    }
    if lang == Lang::Erb {
        while let Some(open) = find(b, i, b"<%") {
            let close = find(b, open + 2, b"%>").unwrap_or(n);
            if b.get(open + 2) != Some(&b'#') {
                // Lex the embedded code as Ruby/Elixir (both use `#` comments and the same quotes).
                let inner = &src[open + 2..close];
                for s in segments(inner, Lang::Ruby) {
                    out.push(Segment { start: s.start + open + 2, end: s.end + open + 2, ..s });
                }
            }
            i = close + 2;
        }
        return out;
    }
    let hash_comments = matches!(lang, Lang::Ruby | Lang::Elixir | Lang::Python);
    let slash_comments = matches!(lang, Lang::CLike | Lang::Sql);
    let mut pending_heredocs: Vec<(Vec<u8>, bool)> = Vec::new();
    let at_line_start = |i: usize| i == 0 || b[i - 1] == b'\n';
    // The bytes that may start a comment, a string or a heredoc; runs of anything else are
    // skipped in a tight loop (most of a file is plain code).
    let mut special = [false; 256];
    for c in [b'"', b'\'', b'`'] {
        special[usize::from(c)] = true;
    }
    for (on, c) in [
        (hash_comments, b'#'),
        (lang == Lang::Ruby, b'='),
        (lang == Lang::Ruby, b'<'),
        (lang == Lang::Ruby, b'%'),
        (slash_comments, b'/'),
        (lang == Lang::Sql, b'-'),
    ] {
        special[usize::from(c)] |= on;
    }
    while i < n {
        if pending_heredocs.is_empty() {
            while i < n && !special[usize::from(b[i])] {
                i += 1;
            }
            if i == n {
                break;
            }
        }
        let c = b[i];
        if c == b'\n' && !pending_heredocs.is_empty() {
            // Ruby heredoc bodies start on the next line and end at a line holding the tag.
            push(&mut out, code_start, i, false);
            let mut pos = i + 1;
            for (tag, squiggly) in std::mem::take(&mut pending_heredocs) {
                let body_start = pos;
                let mut end = n;
                let mut next = n;
                let mut p = pos;
                while p < n {
                    let line_end = find(b, p, b"\n").unwrap_or(n);
                    let line = &b[p..line_end];
                    let trimmed = if squiggly { trim_ascii(line) } else { line };
                    if trimmed == tag.as_slice() {
                        end = p;
                        next = (line_end + 1).min(n);
                        break;
                    }
                    p = line_end + 1;
                }
                push(&mut out, body_start, end, true);
                pos = next;
            }
            i = pos;
            code_start = i;
            continue;
        }
        if hash_comments && c == b'#' {
            push(&mut out, code_start, i, false);
            i = find(b, i, b"\n").unwrap_or(n);
            code_start = i;
            continue;
        }
        if lang == Lang::Ruby && c == b'=' && at_line_start(i) && b[i..].starts_with(b"=begin") {
            push(&mut out, code_start, i, false);
            i = find(b, i, b"\n=end").map_or(n, |p| find(b, p + 1, b"\n").unwrap_or(n));
            code_start = i;
            continue;
        }
        if slash_comments && c == b'/' && b.get(i + 1) == Some(&b'/') && lang != Lang::Sql
            || lang == Lang::Sql && c == b'-' && b.get(i + 1) == Some(&b'-')
        {
            push(&mut out, code_start, i, false);
            i = find(b, i, b"\n").unwrap_or(n);
            code_start = i;
            continue;
        }
        if slash_comments && c == b'/' && b.get(i + 1) == Some(&b'*') {
            push(&mut out, code_start, i, false);
            i = find(b, i + 2, b"*/").map_or(n, |p| p + 2);
            code_start = i;
            continue;
        }
        if lang == Lang::Ruby
            && c == b'<'
            && b[i..].starts_with(b"<<")
            && let Some((tag, squiggly, len)) = heredoc_tag(&b[i + 2..])
        {
            pending_heredocs.push((tag, squiggly));
            i += 2 + len;
            continue;
        }
        if lang == Lang::Ruby
            && c == b'%'
            && let Some((body_start, body_end)) = percent_string(b, i)
        {
            push(&mut out, code_start, i, false);
            push(&mut out, body_start, body_end, true);
            i = (body_end + 1).min(n);
            code_start = i;
            continue;
        }
        if c == b'"' || c == b'\'' || (c == b'`' && lang != Lang::Sql) {
            if lang == Lang::Sql {
                // SQL strings are values; identifiers in double quotes are code.
                if c == b'"' {
                    i += 1;
                    continue;
                }
            }
            // Ruby `?'` char literals and Elixir `?'` would open a string that never closes; a
            // string never spans past the end of the file either way.
            let triple = matches!(lang, Lang::Python | Lang::Elixir) && b[i..].starts_with(&[c, c, c]);
            push(&mut out, code_start, i, false);
            let (body_start, body_end, next) = if triple {
                let close = find(b, i + 3, &[c, c, c]).unwrap_or(n);
                (i + 3, close, (close + 3).min(n))
            } else {
                let mut p = i + 1;
                while p < n && b[p] != c {
                    if b[p] == b'\\' {
                        p += 1;
                    } else if b[p] == b'\n' && c != b'`' && !matches!(lang, Lang::Ruby | Lang::Elixir) {
                        break;
                    }
                    p += 1;
                }
                let p = p.min(n);
                (i + 1, p, (p + 1).min(n))
            };
            push(&mut out, body_start, body_end, true);
            i = next;
            code_start = i;
            continue;
        }
        i += 1;
    }
    push(&mut out, code_start, n, false);
    out
}

/// A Ruby string literal `%(…)`, `%Q[…]`, `%q{…}` starting at `b[at]` (a `%` where a value
/// begins: after `=`, `(`, `,`, `[`, `{`, `|`, `?`, `:` or at a line's start — `a %(b)` is a
/// modulo): its body's byte range, nested delimiters included, up to the closing one (or the end).
fn percent_string(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let before = b[..at].iter().rev().find(|c| **c != b' ' && **c != b'\t');
    if !matches!(before, None | Some(b'=' | b'(' | b',' | b'[' | b'{' | b'|' | b'?' | b':' | b'\n')) {
        return None;
    }
    let mut i = at + 1;
    if matches!(b.get(i), Some(b'Q' | b'q')) {
        i += 1;
    }
    let (open, close) = match b.get(i)? {
        b'(' => (b'(', b')'),
        b'[' => (b'[', b']'),
        b'{' => (b'{', b'}'),
        b'<' => (b'<', b'>'),
        b'|' => (b'|', b'|'),
        b'!' => (b'!', b'!'),
        _ => return None,
    };
    let start = i + 1;
    let mut depth = 0usize;
    let mut p = start;
    while p < b.len() {
        match b[p] {
            b'\\' => p += 1,
            c if c == close && depth == 0 => return Some((start, p)),
            c if c == close => depth -= 1,
            c if c == open && open != close => depth += 1,
            _ => {}
        }
        p += 1;
    }
    Some((start, b.len()))
}

/// `<<~SQL`, `<<-SQL`, `<<SQL`, `<<~'SQL'`: the tag, whether it may be indented, and the bytes
/// consumed after `<<`.
fn heredoc_tag(rest: &[u8]) -> Option<(Vec<u8>, bool, usize)> {
    let mut i = 0;
    let squiggly = matches!(rest.first(), Some(b'~' | b'-'));
    if squiggly {
        i += 1;
    }
    let quote = match rest.get(i) {
        Some(q @ (b'\'' | b'"')) => {
            i += 1;
            Some(*q)
        }
        _ => None,
    };
    let start = i;
    while i < rest.len() && (rest[i].is_ascii_uppercase() || rest[i] == b'_' || rest[i].is_ascii_digit()) {
        i += 1;
    }
    // Only upper-case tags: `a <<b` is a shift, `<<~SQL` is a heredoc.
    if i == start || !rest[start].is_ascii_uppercase() {
        return None;
    }
    let tag = rest[start..i].to_vec();
    if let Some(q) = quote {
        if rest.get(i) != Some(&q) {
            return None;
        }
        i += 1;
    }
    Some((tag, squiggly, i))
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    let start = s.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(s.len());
    let end = s.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |p| p + 1);
    &s[start..end]
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    // The lexer mostly looks for one byte (`\n`); memmem would build a searcher every call.
    match needle {
        [byte] => memchr::memchr(*byte, &hay[from..]),
        _ => memchr::memmem::find(&hay[from..], needle),
    }
    .map(|p| p + from)
}

/// Calls `f(start, end)` for every identifier-like word in `text[start..end]`: an ASCII word
/// (see [`words`]) not starting with a digit. A word with non-ASCII letters in it or at either
/// side (`café_name`) names no identifier, nor does any ASCII part of it.
pub fn words(text: &[u8], start: usize, end: usize, mut f: impl FnMut(usize, usize)) {
    words::for_each(text, start..end, |s, e| {
        let glued = (s > 0 && text[s - 1] >= 0x80) || (e < text.len() && text[e] >= 0x80);
        if !glued && !text[s].is_ascii_digit() && text[s..e].is_ascii() {
            f(s, e);
        }
    });
}

/// Whether the code just before a word is `def ` / `defp ` / `def self.` (a definition).
fn defines(before: &[u8]) -> bool {
    let t = before.strip_suffix(b"self.").unwrap_or(before);
    let t = trim_end_spaces(t);
    if t.len() == before.len() {
        return false;
    }
    [&b"def"[..], b"defp"].iter().any(|kw| {
        t.ends_with(kw)
            && t.len().checked_sub(kw.len() + 1).is_none_or(|i| !(t[i].is_ascii_alphanumeric() || t[i] == b'_'))
    })
}

fn trim_end_spaces(s: &[u8]) -> &[u8] {
    let end = s.iter().rposition(|c| *c != b' ' && *c != b'\t').map_or(0, |p| p + 1);
    &s[..end]
}

pub use crate::error::LineIndex;

/// The most characters of a source line a hit's snippet shows.
pub const SNIPPET_WIDTH: usize = 200;

/// A source line as the snippet of a hit at byte `at` of it: trimmed, and a line longer than
/// [`SNIPPET_WIDTH`] characters cut to a window around the hit, with `…` where it was cut
/// (`crate::error::window`, the window of check findings' excerpts too). Every extractor's
/// snippets are made here: a minified line with thousands of hits costs a window for each, not
/// a copy of the line for each.
pub fn snippet_of(line: &str, at: usize) -> String {
    let t = line.trim_start();
    let at = at.saturating_sub(line.len() - t.len());
    crate::error::window(t.trim_end(), at..at, SNIPPET_WIDTH).text
}

/// The lower-case identifier set of one scan, built once and shared by every file.
struct IdSet {
    set: FastSet<String>,
    /// Bit `n` (63 for 63 and longer) is set when some identifier is `n` bytes long: most words
    /// of a file are rejected by their length before they are hashed.
    lengths: u64,
}

impl IdSet {
    fn new(ids: &[String]) -> IdSet {
        let set: FastSet<String> = ids.iter().map(|s| s.to_ascii_lowercase()).collect();
        let lengths = set.iter().fold(0, |bits, id| bits | IdSet::length_bit(id));
        IdSet { set, lengths }
    }

    fn length_bit(word: &str) -> u64 {
        1 << word.len().min(63)
    }

    /// Whether `word` is an identifier, as it is written or, with `any_case`, lower-cased.
    fn contains(&self, word: &str, any_case: bool) -> bool {
        if self.lengths & IdSet::length_bit(word) == 0 {
            return false;
        }
        self.set.contains(word)
            || any_case
                && word.bytes().any(|c| c.is_ascii_uppercase())
                && self.set.contains(word.to_ascii_lowercase().as_str())
    }
}

/// The identifier set of the scan at hand, keyed by the identity of its slice.
struct Identifiers {
    key: (usize, usize),
    set: Arc<IdSet>,
}

#[derive(Default)]
pub struct NameExtractor {
    cache: RwLock<Option<Identifiers>>,
}

impl NameExtractor {
    fn identifiers(&self, ids: &[String]) -> Arc<IdSet> {
        let key = (ids.as_ptr() as usize, ids.len());
        if let Ok(guard) = self.cache.read()
            && let Some(c) = guard.as_ref()
            && c.key == key
        {
            return c.set.clone();
        }
        let set = Arc::new(IdSet::new(ids));
        if let Ok(mut guard) = self.cache.write() {
            *guard = Some(Identifiers { key, set: set.clone() });
        }
        set
    }
}

/// FNV-1a: a stable hash for cache keys (std's hasher may change between Rust releases).
pub fn stable_hash(parts: impl IntoIterator<Item = impl AsRef<[u8]>>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.as_ref().iter().chain(std::iter::once(&0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

impl Extractor for NameExtractor {
    fn id(&self) -> &'static str {
        "name"
    }

    fn version(&self) -> u32 {
        3
    }

    fn applies(&self, path: &str, _framework: Framework) -> bool {
        lang_of(path).is_some()
    }

    fn fingerprint(&self, ctx: &ExtractContext<'_>) -> String {
        let mut ids: Vec<&str> = ctx.identifiers.iter().map(String::as_str).collect();
        ids.sort_unstable();
        ids.dedup();
        format!("{:016x}", stable_hash(ids))
    }

    fn extract(&self, file: &SourceFile<'_>, ctx: &ExtractContext<'_>) -> FileFacts {
        let mut facts = FileFacts::default();
        let source = file.text;
        let Some((lang, segments)) = file.lexed() else { return facts };
        if ctx.identifiers.is_empty() {
            return facts;
        }
        let ids = self.identifiers(ctx.identifiers);
        let bytes = source.as_bytes();
        let lines = file.lines();
        let mut seen: FastSet<(u32, &str)> = FastSet::default();
        for seg in segments {
            if seg.string && !seg.sql {
                continue;
            }
            words(bytes, seg.start, seg.end, |s, e| {
                let word = &source[s..e];
                // SQL keywords and identifiers are case-insensitive: `SELECT EMAIL FROM USERS`.
                if !ids.contains(word, seg.string || lang == Lang::Sql) {
                    return;
                }
                // `def pending?` defines a method named like a column; it uses nothing.
                if matches!(lang, Lang::Ruby | Lang::Python | Lang::Elixir) && defines(&bytes[seg.start..s]) {
                    return;
                }
                let (line, column) = lines.line_col(s);
                // One hit per identifier and line is enough evidence; more is noise.
                if seen.insert((line, word)) {
                    facts.hits.push(Hit {
                        line,
                        column,
                        target: Target::Identifier { name: word.to_ascii_lowercase() },
                        kind: RefKind::Name,
                        confidence: Confidence::Low,
                        snippet: snippet_of(lines.line(line), s - lines.line_start(line)),
                    });
                }
            });
        }
        facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A short line is the snippet whole (trimmed); a long one a window around the hit, the
    /// start of the line when the hit is near it, as before windows.
    #[test]
    fn snippet_is_the_line_or_a_window_around_the_hit() {
        assert_eq!(snippet_of("    where(email: x)  ", 10), "where(email: x)");
        let line = format!("  {} email {}", "a + ".repeat(500), " + b".repeat(500));
        let at = line.find("email").unwrap();
        let s = snippet_of(&line, at);
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert_eq!(s.chars().count(), SNIPPET_WIDTH + 2);
        assert_eq!(s.chars().position(|c| c == 'e'), Some(1 + SNIPPET_WIDTH / 4), "{s}");
        let first: String = line.trim().chars().take(SNIPPET_WIDTH).collect();
        assert_eq!(snippet_of(&line, 4), format!("{first}…"));
        // At the end of the line, the window ends with it.
        let end = snippet_of(&line, line.len() - 1);
        assert!(end.starts_with('…') && end.ends_with(" + b"), "{end}");
    }

    fn hits(path: &str, src: &str, ids: &[&str]) -> Vec<(u32, u32, String)> {
        let ids: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
        let ctx = ExtractContext { framework: Framework::Generic, identifiers: &ids };
        NameExtractor::default()
            .extract(&SourceFile::new(path, src), &ctx)
            .hits
            .into_iter()
            .map(|h| match h.target {
                Target::Identifier { name } => (h.line, h.column, name),
                other => panic!("unexpected target {other:?}"),
            })
            .collect()
    }

    #[test]
    fn ruby_comments_and_value_strings_do_not_count() {
        let src = "# == Schema: email :string\nclass User\n  def x\n    status == \"email\" && email\n  end\nend\n";
        assert_eq!(
            hits("app/models/user.rb", src, &["email", "status"]),
            vec![(4, 5, "status".to_owned()), (4, 26, "email".to_owned())]
        );
    }

    #[test]
    fn sql_strings_and_heredocs_count() {
        let src = "x = <<~SQL\n  SELECT email FROM users\nSQL\ny = \"SELECT name FROM accounts\"\nz = \"name\"\n";
        assert_eq!(
            hits("a.rb", src, &["email", "users", "name", "accounts"]),
            vec![
                (2, 10, "email".to_owned()),
                (2, 21, "users".to_owned()),
                (4, 13, "name".to_owned()),
                (4, 23, "accounts".to_owned()),
            ]
        );
    }

    #[test]
    fn definitions_are_not_uses() {
        let src = "def pending?\n  pending\nend\ndef self.status; end\n";
        assert_eq!(hits("a.rb", src, &["pending", "status"]), vec![(2, 3, "pending".to_owned())]);
    }

    #[test]
    fn whole_words_only() {
        assert_eq!(hits("a.py", "user_email = emails + email\n", &["email"]), vec![(1, 23, "email".to_owned())]);
    }

    #[test]
    fn js_block_comments_and_templates() {
        let src = "/* email */ const a = `SELECT email FROM users`; // email\nconst b = obj.email;\n";
        assert_eq!(hits("a.ts", src, &["email"]), vec![(1, 31, "email".to_owned()), (2, 15, "email".to_owned())]);
    }

    #[test]
    fn erb_only_code_counts() {
        let src = "<p>email</p>\n<%= user.email %> <%# email %>\n";
        assert_eq!(hits("a.html.erb", src, &["email"]), vec![(2, 10, "email".to_owned())]);
    }

    #[test]
    fn python_triple_quoted_sql() {
        let src = "q = '''\nSELECT email\nFROM users'''\nd = {'email': 1}\n";
        assert_eq!(
            hits("a.py", src, &["email", "users"]),
            vec![(2, 8, "email".to_owned()), (3, 6, "users".to_owned())]
        );
    }

    #[test]
    fn unknown_files_are_not_read() {
        assert!(!NameExtractor::default().applies("README.md", Framework::Rails));
        assert!(NameExtractor::default().applies("lib/a.ex", Framework::Phoenix));
    }
}

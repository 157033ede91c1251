//! What the linked tree-sitter grammars cannot take, and the one way every tree-sitter parse is
//! made.
//!
//! * Tree-sitter's Ruby scanner saves an open heredoc's identifier with a one-byte length, so an
//!   identifier of 255 bytes or more — a quoted one never closed runs to the end of its line and
//!   beyond — fails an `assert` in C and aborts the whole process (found by the fuzzer). Every Ruby
//!   parse goes through here first: the readers of migrations and schema.rb refuse such a file
//!   with a located syntax error (Ruby itself rejects it), and the scanner blanks the `<<` so that
//!   the rest of an app's file is still read.
//! * Tree-sitter's GLR parser can take time far beyond linear on text no person writes (F8 in
//!   docs/robustness.md: a fuzzed 28 KB Ruby file took 4 s, a 38 KB TypeScript one 9 s). [`parse`]
//!   gives every parse a budget of CPU time proportional to the text, several times what real
//!   code needs, and a parse over it gives up: the file is unreadable, and the gate fails closed
//!   on it, rather than a scan or a check that does not end.

use std::borrow::Cow;
use std::ops::{ControlFlow, Range};
use std::path::Path;
use std::time::Duration;

use tree_sitter::{Language, ParseOptions, ParseState, Parser, Tree};

use crate::error::{Diagnostic, Error, Result};

mod node;
pub use node::NodeExt;

/// The longest heredoc identifier the Ruby scanner can store.
const MAX_IDENTIFIER: usize = u8::MAX as usize - 1;

/// The `<<` of every heredoc in `src` whose identifier the Ruby scanner cannot store, each with
/// the rest of its line (at most the identifier's bound): where a syntax error points.
pub fn ruby_unreadable_heredocs(src: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let bytes = src.as_bytes();
    memchr::memmem::find_iter(bytes, b"<<").filter_map(move |at| {
        let mut i = at + 2;
        if matches!(bytes.get(i), Some(b'~' | b'-')) {
            i += 1;
        }
        let line_end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
        let too_long = match bytes.get(i) {
            Some(&q @ (b'\'' | b'"' | b'`')) => {
                memchr::memchr(q, &bytes[i + 1..line_end]).is_none_or(|n| n > MAX_IDENTIFIER)
            }
            _ => bytes[i..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count() > MAX_IDENTIFIER,
        };
        too_long.then_some(at..line_end.min(at + 2 + MAX_IDENTIFIER))
    })
}

/// A Ruby file to be read whole (a migration, schema.rb): one the Ruby scanner cannot take is a
/// syntax error at its first such `<<` — Ruby rejects a quoted heredoc identifier not closed on
/// its line too.
pub fn reject_ruby_unreadable(path: &Path, src: &str) -> Result<()> {
    match ruby_unreadable_heredocs(src).next() {
        None => Ok(()),
        Some(at) => Err(Error::input(
            Diagnostic::new("syntax error: a heredoc identifier not closed on its line, or longer than 254 bytes")
                .at_offset(path, src, at)
                .help("close the quote of the identifier on the same line (`<<~'SQL'`)"),
        )),
    }
}

/// A heredoc's opener on a line: `<<~ID`, `<<-ID`, `<<ID` (a capital first), quoted or not.
struct Opener {
    /// The bytes of `<<…ID` (closing quote included).
    at: Range<usize>,
    id: Range<usize>,
    /// `~` or `-`: the terminator may be indented.
    indented: bool,
    /// `<<~'ID'`: no interpolation in the body.
    literal: bool,
}

/// The heredoc openers of one line (`bytes[start..end]`), in order; none on a comment line.
fn openers(bytes: &[u8], start: usize, end: usize) -> Vec<Opener> {
    let line = &bytes[start..end];
    let first = line.iter().position(|b| !b.is_ascii_whitespace());
    if first.is_some_and(|f| line[f] == b'#' && line.get(f + 1) != Some(&b'{')) {
        return Vec::new();
    }
    let mut found = Vec::new();
    for at in memchr::memmem::find_iter(line, b"<<") {
        let mut i = at + 2;
        let indented = matches!(line.get(i), Some(b'~' | b'-'));
        if indented {
            i += 1;
        }
        let (id, close, literal) = match line.get(i) {
            Some(&q @ (b'\'' | b'"' | b'`')) => match memchr::memchr(q, &line[i + 1..]) {
                Some(n) if n > 0 => (i + 1..i + 1 + n, i + 2 + n, q == b'\''),
                _ => continue,
            },
            Some(c) if (indented && (c.is_ascii_alphabetic() || *c == b'_')) || c.is_ascii_uppercase() => {
                let n = line[i..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
                (i..i + n, i + n, false)
            }
            _ => continue,
        };
        found.push(Opener { at: start + at..start + close, id: start + id.start..start + id.end, indented, literal });
    }
    found
}

/// Heredocs opened inside an interpolation of another heredoc's body (`#{ f(<<~MD) … MD }` in a
/// help text): Ruby reads the inner one's lines as its body, tree-sitter-ruby as code, and loses
/// the whole file to one error. Each as its opener and the lines of its body and terminator.
fn nested_heredocs(src: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let bytes = src.as_bytes();
    let mut lines: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len())) {
        lines.push(start..end);
        start = end + 1;
    }
    lines.retain(|l| l.start <= l.end);
    // Whether line `n` ends a heredoc's body.
    let ends = |o: &Opener, n: usize| {
        let line = &bytes[lines[n].clone()];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let id = &bytes[o.id.clone()];
        if o.indented { line.trim_ascii() == id } else { line == id }
    };
    let mut nested = Vec::new();
    let mut n = 0;
    while n < lines.len() {
        let found = openers(bytes, lines[n].start, lines[n].end);
        n += 1;
        for outer in found {
            // The body, line by line: an opener inside `#{…}` is a nested heredoc, whose lines
            // come first (its terminator may be the outer one's word).
            let mut inner = Vec::new();
            let mut depth = 0usize;
            let mut m = n;
            while m < lines.len() && !ends(&outer, m) {
                let line = lines[m].clone();
                m += 1;
                if outer.literal {
                    continue;
                }
                let mut inside = Vec::new();
                let mut i = line.start;
                while i < line.end {
                    match bytes[i] {
                        b'\\' => i += 1,
                        b'#' if bytes.get(i + 1) == Some(&b'{') => {
                            depth += 1;
                            i += 1;
                        }
                        b'{' if depth > 0 => depth += 1,
                        b'}' if depth > 0 => depth -= 1,
                        b'<' if depth > 0 => inside.push(i),
                        _ => {}
                    }
                    i += 1;
                }
                for opener in openers(bytes, line.start, line.end) {
                    if !inside.contains(&opener.at.start) {
                        continue;
                    }
                    let Some(last) = (m..lines.len()).find(|&t| ends(&opener, t)) else { continue };
                    inner.push((opener.at.clone(), lines[m].start..lines[last].end));
                    m = last + 1;
                }
            }
            if m == lines.len() {
                // Never closed: no heredoc after all.
                continue;
            }
            nested.append(&mut inner);
            n = m + 1;
        }
    }
    nested
}

/// `src` with the `<<` of every heredoc the Ruby scanner cannot store replaced by spaces, and
/// every heredoc nested in another's interpolation replaced by `""` and blank lines (byte
/// offsets, lines and columns stay those of `src`); `src` itself when there is none.
pub fn ruby_parseable(src: &str) -> Cow<'_, str> {
    let mut out: Option<Vec<u8>> = None;
    for r in ruby_unreadable_heredocs(src) {
        let bytes = out.get_or_insert_with(|| src.as_bytes().to_vec());
        bytes[r.start..r.start + 2].copy_from_slice(b"  ");
    }
    if memchr::memmem::find(src.as_bytes(), b"#{").is_some() {
        for (opener, body) in nested_heredocs(src) {
            let bytes = out.get_or_insert_with(|| src.as_bytes().to_vec());
            bytes[opener.clone()].fill(b' ');
            bytes[opener.start..opener.start + 2].copy_from_slice(b"\"\"");
            for b in &mut bytes[body] {
                if !matches!(*b, b'\n' | b'\r') {
                    *b = b' ';
                }
            }
        }
    }
    match out {
        // Whole characters replaced by ASCII bytes: still UTF-8.
        Some(bytes) => Cow::Owned(String::from_utf8(bytes).expect("ASCII replaced by ASCII")),
        None => Cow::Borrowed(src),
    }
}

/// A parse's budget of CPU time: a floor for small files, plus so much per byte. On 3,293 real
/// source files of five public applications (Ruby, Elixir, Python, TypeScript and JavaScript, 35
/// MB, vendored minified JavaScript included) a release build parsed at 0.095 µs of CPU a byte
/// on average and 0.22 µs at worst (files over 20 KB; minified JavaScript). Text ambiguous to
/// the grammar in a way code is not takes far more: `a &b a &b …` in Ruby 7.5 µs a byte, a
/// fuzzed file (F8) over 100 µs. The budget leaves real code nine times its worst rate, and
/// bounds a file at the size limit (`scan.max_file_size`, 1 MB) to under 3 s.
///
/// Time, not tree-sitter's count of operations: the count is about the same on such text as on
/// minified JavaScript (39 progress calls a KB against 19) while the work per operation is
/// thirty times larger. CPU time of the parsing thread, so that a loaded machine does not turn
/// a slow file unreadable.
const BUDGET_FLOOR: Duration = Duration::from_millis(500);
const BUDGET_PER_BYTE: Duration = Duration::from_micros(2);

/// Why a parse gave no tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaveUp(pub String);

impl std::fmt::Display for GaveUp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parse `text` with `parser` (its language set) within its CPU budget: `GaveUp` when the parse
/// needs more, or the parser has no language. The parser is reset after giving up, so that its
/// next parse starts afresh rather than resuming this one.
pub fn parse(parser: &mut Parser, text: &str) -> std::result::Result<Tree, GaveUp> {
    parse_within(parser, text, BUDGET_FLOOR + BUDGET_PER_BYTE * text.len().min(u32::MAX as usize) as u32)
}

fn parse_within(parser: &mut Parser, text: &str, budget: Duration) -> std::result::Result<Tree, GaveUp> {
    let started = thread_cpu();
    let (mut calls, mut over) = (0u32, false);
    // Tree-sitter calls this once every hundred parse operations; the thread's CPU clock is a
    // system call (no vDSO), so it is read on every sixteenth call only: reading it on each call
    // added 4 to 23 % to the parse of the 3,293 real files (two runs, a loaded machine), every
    // sixteenth call no difference beyond the runs' noise.
    let mut progress = |_: &ParseState| {
        calls = calls.wrapping_add(1);
        over = over || (calls % 16 == 0 && thread_cpu().saturating_sub(started) > budget);
        if over { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    };
    let bytes = text.as_bytes();
    let tree = parser.parse_with_options(
        &mut |i, _| bytes.get(i..).unwrap_or_default(),
        None,
        Some(ParseOptions::new().progress_callback(&mut progress)),
    );
    tree.ok_or_else(|| {
        parser.reset();
        GaveUp(match over {
            true => format!(
                "the parser gave up after {:.2} s of CPU on {} KB, nine times what real code of that size takes \
                 at worst (text ambiguous to the grammar in a way code is not)",
                budget.as_secs_f64(),
                text.len().div_ceil(1024)
            ),
            false => "the parser gave up: no grammar loaded".to_owned(),
        })
    })
}

/// The CPU time this thread has used (the wall clock where there is no such clock).
fn thread_cpu() -> Duration {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: clock_gettime only writes the timespec it is handed, which lives on this stack.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// [`parse`] with a parser of `language` kept per thread (a new parser and grammar per file is
/// measurable next to parsing a small one): how the scanner's extractors parse. Syntax errors
/// still give a tree, with ERROR nodes to walk around; a parse that gave up is the extractor's
/// `FileFacts::unreadable`, so that the file is reported, not read as empty.
pub fn parse_as(text: &str, language: &Language) -> std::result::Result<Tree, GaveUp> {
    thread_local! {
        static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new(Parser::new());
    }
    PARSER.with(|cell| {
        let mut parser = cell.borrow_mut();
        if parser.language().as_deref() != Some(language) {
            parser.set_language(language).map_err(|e| GaveUp(format!("cannot load the grammar: {e}")))?;
        }
        parse(&mut parser, text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ruby() -> Parser {
        let mut parser = Parser::new();
        parser.set_language(&tree_sitter_ruby::LANGUAGE.into()).expect("the Ruby grammar loads");
        parser
    }

    #[test]
    fn a_parse_over_its_budget_gives_up_and_the_parser_starts_afresh() {
        let mut parser = ruby();
        let long = "x = 1\n".repeat(2_000);
        let err = parse_within(&mut parser, &long, Duration::ZERO).expect_err("no time at all");
        assert!(err.0.starts_with("the parser gave up after 0.00 s of CPU on 12 KB"), "{err}");
        // Not a resumption of the cancelled parse: the whole of the next text, and only it.
        let tree = parse(&mut parser, "class User < ApplicationRecord\nend\n").expect("a real file parses");
        assert_eq!(tree.root_node().end_byte(), 35);
        assert!(!tree.root_node().has_error());
    }

    #[test]
    fn a_parser_without_a_language_gives_up_with_the_reason() {
        let err = parse(&mut Parser::new(), "x = 1\n").expect_err("no grammar");
        assert_eq!(err.0, "the parser gave up: no grammar loaded");
    }

    #[test]
    fn long_and_unclosed_heredoc_identifiers_are_found_and_blanked() {
        let unclosed = "x = <<~'SQL\nSELECT 1\n";
        assert_eq!(ruby_unreadable_heredocs(unclosed).next(), Some(4..11));
        assert_eq!(ruby_unreadable_heredocs(unclosed).count(), 1);
        assert_eq!(ruby_parseable(unclosed), "x =   ~'SQL\nSELECT 1\n");
        let long = format!("x = <<{}\n", "A".repeat(255));
        assert_eq!(ruby_unreadable_heredocs(&long).count(), 1);
        for fine in ["x = <<~SQL\nSELECT 1\nSQL\n", "x = <<-'SQL'\nSELECT 1\nSQL\n", "a << b\n", "x = 1 <<2\n"] {
            assert_eq!(ruby_unreadable_heredocs(fine).count(), 0, "{fine}");
            assert!(matches!(ruby_parseable(fine), Cow::Borrowed(_)));
        }
    }

    #[test]
    fn a_heredoc_nested_in_another_ones_interpolation_is_blanked() {
        let src = "class A < B\n  d <<~MD\n    a\n    #{\n      f('t', <<~MD)\n        \"k\": \"é\",\n      MD\n    }\n  MD\nend\n";
        let got = ruby_parseable(src);
        assert_eq!(got.len(), src.len());
        assert_eq!(
            got,
            "class A < B\n  d <<~MD\n    a\n    #{\n      f('t', \"\"   )\n                  \n        \n    }\n  MD\nend\n"
        );
        // On the interpolation's own line, and a quoted identifier.
        let same = "x = <<-EOS\n  #{ g(<<~'SQL') }\n  SELECT 1\n  SQL\nEOS\n";
        assert_eq!(ruby_parseable(same), "x = <<-EOS\n  #{ g(\"\"      ) }\n          \n     \nEOS\n");
        for fine in [
            // Not inside an interpolation, a literal body, an interpolation closed before it.
            "x = <<~A\n  f(<<~B)\n  B\nA\n",
            "x = <<~'A'\n  #{ f(<<~B) }\n  B\nA\n",
            "x = <<~A\n  #{y} <<~B\n  B\nA\n",
            // Sequential heredocs, an interpolation in plain code, an inner one never closed.
            "f(<<~A, <<~B)\n  a\nA\n  #{b}\nB\n",
            "x = \"#{f(<<~A)}\"\n  a\nA\n",
            "x = <<~A\n  #{ f(<<~B) }\nA\n",
        ] {
            assert!(matches!(ruby_parseable(fine), Cow::Borrowed(_)), "{fine}");
        }
    }
}

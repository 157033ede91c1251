//! What the linked tree-sitter grammars cannot take. Tree-sitter's Ruby scanner saves an open
//! heredoc's identifier with a one-byte length, so an identifier of 255 bytes or more — a quoted
//! one never closed runs to the end of its line and beyond — fails an `assert` in C and aborts the
//! whole process (found by `benches/fuzz.rs`). Every Ruby parse goes through here first: the
//! readers of migrations and schema.rb refuse such a file with a located syntax error (Ruby itself
//! rejects it), and the scanner blanks the `<<` so that the rest of an app's file is still read.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use crate::error::{Diagnostic, Error, Result};

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

#[cfg(test)]
mod tests {
    use super::*;

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

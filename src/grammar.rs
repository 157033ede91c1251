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

/// `src` with the `<<` of every heredoc the Ruby scanner cannot store replaced by spaces (byte
/// offsets, lines and columns stay those of `src`); `src` itself when there is none.
pub fn ruby_parseable(src: &str) -> Cow<'_, str> {
    let mut out: Option<Vec<u8>> = None;
    for r in ruby_unreadable_heredocs(src) {
        let bytes = out.get_or_insert_with(|| src.as_bytes().to_vec());
        bytes[r.start..r.start + 2].copy_from_slice(b"  ");
    }
    match out {
        // Two ASCII bytes replaced by two ASCII bytes: still UTF-8.
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
}

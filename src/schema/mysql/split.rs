//! Splitting a MySQL dump into statements.
//!
//! sqlparser is all-or-nothing per call, so the dump is cut into statements first. The cut must
//! respect what mysqldump writes around the SQL: quoted strings and identifiers, `--`/`#`/`/* */`
//! comments, versioned comments (`/*!50001 CREATE VIEW … */`, whose content *is* SQL the server
//! runs) and `DELIMITER ;;` blocks around triggers and routines.
//!
//! Instead of copying text, the splitter blanks what is not SQL (comments, the `/*!NNNNN` and `*/`
//! markers of versioned comments, `DELIMITER` lines) with spaces in a buffer of the same length,
//! so every byte offset in a statement is also its offset in the original file and errors can be
//! located without a position map.

use std::ops::Range;

/// The dump with non-SQL blanked, and the byte ranges of its statements (without delimiters).
pub struct Split {
    pub text: String,
    pub statements: Vec<Range<usize>>,
}

/// An unterminated quote or comment, at this offset.
#[derive(Debug)]
pub struct Unterminated {
    pub what: &'static str,
    pub at: usize,
}

pub fn split(src: &str) -> Result<Split, Unterminated> {
    let bytes = src.as_bytes();
    let mut out = bytes.to_vec();
    let mut statements = Vec::new();
    let mut delimiter: Vec<u8> = b";".to_vec();
    let mut start = 0usize;
    // Inside `/*!NNNNN … */`: its `*/` ends the versioned comment, not a plain comment.
    let mut in_versioned = false;
    let mut i = 0usize;

    let blank = |out: &mut Vec<u8>, range: Range<usize>| {
        for b in &mut out[range] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
    };

    while i < bytes.len() {
        let c = bytes[i];
        // DELIMITER is a client command, only meaningful at the start of a statement.
        if (c == b'D' || c == b'd')
            && out[start..i].iter().all(u8::is_ascii_whitespace)
            && starts_word(bytes, i, b"DELIMITER")
        {
            let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            let new = src[i + b"DELIMITER".len()..end].trim();
            if !new.is_empty() {
                delimiter = new.as_bytes().to_vec();
            }
            blank(&mut out, i..end);
            i = end;
            start = i;
            continue;
        }
        match c {
            b'\'' | b'"' | b'`' => {
                i = skip_quoted(bytes, i).ok_or(Unterminated { what: quote_name(c), at: i })?;
                continue;
            }
            b'#' => {
                let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                blank(&mut out, i..end);
                i = end;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') && bytes.get(i + 2).is_none_or(|b| b.is_ascii_whitespace()) => {
                let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                blank(&mut out, i..end);
                i = end;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let versioned = match bytes.get(i + 2) {
                    Some(b'!') => Some(i + 3),
                    Some(b'M') if bytes.get(i + 3) == Some(&b'!') => Some(i + 4),
                    _ => None,
                };
                let close = find(bytes, i + 2, b"*/").ok_or(Unterminated { what: "comment", at: i })?;
                match versioned {
                    // `/*M!999999\- enable the sandbox mode */` is a client command, not SQL.
                    Some(mut j) if !in_versioned && !bytes[j..].starts_with(b"999999\\") => {
                        while j < bytes.len() && bytes[j].is_ascii_digit() {
                            j += 1;
                        }
                        blank(&mut out, i..j);
                        in_versioned = true;
                        i = j;
                    }
                    _ => {
                        blank(&mut out, i..close + 2);
                        i = close + 2;
                    }
                }
                continue;
            }
            b'*' if in_versioned && bytes.get(i + 1) == Some(&b'/') => {
                blank(&mut out, i..i + 2);
                in_versioned = false;
                i += 2;
                continue;
            }
            _ => {}
        }
        if bytes[i..].starts_with(&delimiter) {
            push_trimmed(&out, start..i, &mut statements);
            blank(&mut out, i..i + delimiter.len());
            i += delimiter.len();
            start = i;
            continue;
        }
        i += 1;
    }
    push_trimmed(&out, start..bytes.len(), &mut statements);
    // Only ASCII bytes were replaced (by spaces), and never inside a multi-byte character: every
    // blanked range starts and ends on ASCII markers, and the bytes in between are replaced whole.
    let text = String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(Split { text, statements })
}

fn quote_name(c: u8) -> &'static str {
    match c {
        b'\'' => "string literal",
        b'"' => "double-quoted string",
        _ => "backquoted identifier",
    }
}

fn starts_word(bytes: &[u8], i: usize, word: &[u8]) -> bool {
    bytes.len() >= i + word.len()
        && bytes[i..i + word.len()].eq_ignore_ascii_case(word)
        && bytes.get(i + word.len()).is_some_and(|b| *b == b' ' || *b == b'\t')
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(&bytes[from..], needle).map(|n| from + n)
}

/// Offset just past the closing quote. Backslash escapes and doubled quotes are both accepted
/// (MySQL's default `sql_mode`), except in backquoted identifiers, which only double.
fn skip_quoted(bytes: &[u8], open: usize) -> Option<usize> {
    let q = bytes[open];
    let mut i = open + 1;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\\' && q != b'`' {
            i += 2;
            continue;
        }
        if c == q {
            if bytes.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

fn push_trimmed(out: &[u8], range: Range<usize>, statements: &mut Vec<Range<usize>>) {
    let mut s = range.start;
    let mut e = range.end;
    while s < e && out[s].is_ascii_whitespace() {
        s += 1;
    }
    while e > s && out[e - 1].is_ascii_whitespace() {
        e -= 1;
    }
    if s < e {
        statements.push(s..e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stmts(src: &str) -> Vec<String> {
        let s = split(src).unwrap();
        s.statements.iter().map(|r| s.text[r.clone()].split_whitespace().collect::<Vec<_>>().join(" ")).collect()
    }

    #[test]
    fn versioned_comments_are_sql_and_plain_comments_are_not() {
        let src = "/*M!999999\\- enable the sandbox mode */ \n-- x;y\n/*!40101 SET NAMES utf8mb4 */;\n/* a;b */ CREATE TABLE `a;` (x int); # c;\n";
        assert_eq!(stmts(src), vec!["SET NAMES utf8mb4", "CREATE TABLE `a;` (x int)"]);
    }

    #[test]
    fn delimiter_blocks_and_offsets_are_preserved() {
        let src = "DELIMITER ;;\n/*!50003 CREATE*/ /*!50003 TRIGGER t BEFORE INSERT ON u FOR EACH ROW BEGIN SET NEW.a = 'x;'; END */;;\nDELIMITER ;\nSELECT 1;";
        let s = split(src).unwrap();
        assert_eq!(s.text.len(), src.len());
        let all = stmts(src);
        assert_eq!(
            all,
            vec!["CREATE TRIGGER t BEFORE INSERT ON u FOR EACH ROW BEGIN SET NEW.a = 'x;'; END", "SELECT 1"]
        );
        assert_eq!(&src[s.statements[1].clone()], "SELECT 1");
    }

    #[test]
    fn quotes_escape_with_backslash_and_doubling() {
        assert_eq!(stmts(r"SELECT 'a\';b', 'c'';d';SELECT 2"), vec![r"SELECT 'a\';b', 'c'';d'", "SELECT 2"]);
        assert!(split("SELECT 'open").is_err());
    }
}

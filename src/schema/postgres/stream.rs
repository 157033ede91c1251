//! A PostgreSQL dump read a piece at a time: [`Batches`] cuts the input, line by line, into runs
//! of whole statements of about [`BATCH`] bytes, so that a dump of any size is read with memory
//! bounded by one batch (and the longest statement) rather than by the file. Statements are found
//! by PostgreSQL's lexical rules (quotes, `E'…'`, `"…"`, `$tag$…$tag$`, `--` and nested `/* */`
//! comments) and psql's rule for `CREATE FUNCTION … BEGIN ATOMIC … END`, whose semicolons do not
//! end the statement. psql meta-command lines (`\restrict`, `\connect`) between statements are
//! blanked (their bytes kept as spaces, so offsets hold). The rows of a `COPY … FROM stdin` (a
//! dump with data) are skipped without being held, up to the `\.` line; only `schema_migrations`'
//! rows are kept, since they say which migrations the dump holds.

use std::io::BufRead;
use std::path::Path;

use crate::error::{Diagnostic, Error, Result};

/// The size a batch grows to before it is cut at the next statement boundary at a line's end.
pub const BATCH: usize = 64 * 1024;

/// Whole statements of the file, from a line start.
#[derive(Debug, Default)]
pub struct Batch {
    pub text: String,
    /// 1-based line of the file at which `text` starts.
    pub line: u32,
    /// The versions of a `COPY schema_migrations … FROM stdin` that ends the batch.
    pub copy_rows: Vec<String>,
}

pub struct Batches<'f, R> {
    input: R,
    file: &'f Path,
    line: u32,
    offset: usize,
    lex: Lexer,
    buf: Vec<u8>,
}

impl<'f, R: BufRead> Batches<'f, R> {
    pub fn new(input: R, file: &'f Path) -> Self {
        Batches { input, file, line: 1, offset: 0, lex: Lexer::default(), buf: Vec::new() }
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        io_error(self.file, self.line, e)
    }

    /// The next batch, `None` at the end of the input.
    pub fn next_batch(&mut self) -> Result<Option<Batch>> {
        let mut batch = Batch { line: self.line, ..Batch::default() };
        loop {
            self.buf.clear();
            let n = self.input.read_until(b'\n', &mut self.buf).map_err(|e| self.io_error(e))?;
            if n == 0 {
                return Ok((!batch.text.is_empty()).then_some(batch));
            }
            let line = std::str::from_utf8(&self.buf).map_err(|e| self.not_utf8(e.valid_up_to()))?;
            let from = batch.text.len();
            if self.lex.between_statements() && line.trim_start().starts_with('\\') {
                let body = line.trim_end_matches(['\n', '\r']);
                batch.text.extend(std::iter::repeat_n(' ', body.len()));
                batch.text.push_str(&line[body.len()..]);
            } else {
                batch.text.push_str(line);
                self.lex.scan(&batch.text, from);
            }
            self.offset += n;
            self.line += 1;
            if let Some(mut copy) = self.lex.copy.take() {
                copy.line = self.line - 1;
                batch.copy_rows = self.skip_copy_data(copy)?;
                return Ok(Some(batch));
            }
            if self.lex.between_statements() && batch.text.len() >= BATCH {
                return Ok(Some(batch));
            }
        }
    }

    fn not_utf8(&self, valid: usize) -> Error {
        let bad = self.buf[valid];
        let before = String::from_utf8_lossy(&self.buf[..valid]);
        let line = String::from_utf8_lossy(&self.buf).trim_end_matches(['\n', '\r']).to_owned();
        let at = before.len();
        let width = line[at..].chars().next().map_or(1, char::len_utf8);
        Error::input(
            Diagnostic::new(format!("not valid UTF-8: byte 0x{bad:02X} at byte offset {}", self.offset + valid))
                .at_offset_from(self.file, &line, at..at + width, self.line)
                .help("save the file as UTF-8"),
        )
    }

    /// Consume the rows of a `COPY … FROM stdin` up to the `\.` line, holding none of them but
    /// `schema_migrations`' first fields.
    fn skip_copy_data(&mut self, copy: Copy) -> Result<Vec<String>> {
        let mut rows = Vec::new();
        loop {
            // One row: its first bytes (enough to recognise `\.`), its length, and, for
            // `schema_migrations`, its first field.
            let mut head = [0u8; 3];
            let mut len = 0usize;
            let mut row = Vec::new();
            loop {
                let (file, line) = (self.file, self.line);
                let buf = self.input.fill_buf().map_err(|e| io_error(file, line, e))?;
                if buf.is_empty() {
                    return Err(Error::input(
                        Diagnostic::new("the COPY data ends without its `\\.` line; expected the rows, then `\\.`")
                            .at(self.file, copy.line, 1)
                            .help("the dump was cut short: write it again"),
                    ));
                }
                let (take, end) = match memchr::memchr(b'\n', buf) {
                    Some(k) => (k + 1, true),
                    None => (buf.len(), false),
                };
                let content = &buf[..if end { take - 1 } else { take }];
                for (i, b) in content.iter().enumerate() {
                    if len + i < head.len() {
                        head[len + i] = *b;
                    } else {
                        break;
                    }
                }
                if copy.keep_rows && row.len() < 256 {
                    row.extend_from_slice(&content[..content.len().min(256 - row.len())]);
                }
                len += content.len();
                self.input.consume(take);
                self.offset += take;
                if end {
                    break;
                }
            }
            self.line += 1;
            let trimmed = if len > 0 && head.get(len.min(3) - 1) == Some(&b'\r') { len - 1 } else { len };
            if trimmed == 2 && &head[..2] == b"\\." {
                return Ok(rows);
            }
            if copy.keep_rows {
                let first = row.split(|b| *b == b'\t').next().unwrap_or_default();
                let first = String::from_utf8_lossy(first).trim_end_matches('\r').to_owned();
                if !first.is_empty() {
                    rows.push(first);
                }
            }
        }
    }
}

fn io_error(file: &Path, line: u32, e: std::io::Error) -> Error {
    Error::input(Diagnostic::new(format!("cannot read this file: {e}")).at(file, line, 1))
}

/// A `COPY … FROM stdin` whose rows follow the line it ends on.
#[derive(Debug, Clone, Copy)]
struct Copy {
    /// The line the `COPY` statement ends on, for an error about its rows.
    line: u32,
    keep_rows: bool,
}

#[derive(Debug, Default, Clone, PartialEq)]
enum Mode {
    #[default]
    Code,
    Quote {
        escapes: bool,
    },
    Ident,
    Dollar(String),
    Comment(u32),
}

/// The lexical state carried from one line to the next.
#[derive(Debug, Default)]
struct Lexer {
    mode: Mode,
    /// A statement has begun and not yet ended.
    pending: bool,
    /// Where the pending statement starts in the batch's text.
    start: usize,
    /// psql's heuristic for `CREATE [OR REPLACE] FUNCTION|PROCEDURE … BEGIN ATOMIC … END`: the
    /// first letters of the statement's first four words, counted words, and BEGIN/CASE … END depth.
    words: usize,
    first: [u8; 4],
    begin_depth: u32,
    paren_depth: u32,
    /// The `COPY … FROM stdin` the current line ends, if any.
    copy: Option<Copy>,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

impl Lexer {
    fn between_statements(&self) -> bool {
        !self.pending && self.mode == Mode::Code
    }

    /// Scan `text[from..]`, one line, carrying the state on.
    fn scan(&mut self, text: &str, from: usize) {
        let b = text.as_bytes();
        let mut i = from;
        while i < b.len() {
            match &self.mode {
                Mode::Comment(depth) => {
                    let depth = *depth;
                    if b[i..].starts_with(b"*/") {
                        self.mode = if depth == 1 { Mode::Code } else { Mode::Comment(depth - 1) };
                        i += 2;
                    } else if b[i..].starts_with(b"/*") {
                        self.mode = Mode::Comment(depth + 1);
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                Mode::Quote { escapes } => match memchr::memchr2(b'\'', b'\\', &b[i..]) {
                    None => i = b.len(),
                    Some(k) => {
                        let at = i + k;
                        if b[at] == b'\\' {
                            i = at + if *escapes { 2 } else { 1 };
                        } else if b.get(at + 1) == Some(&b'\'') {
                            i = at + 2;
                        } else {
                            self.mode = Mode::Code;
                            i = at + 1;
                        }
                    }
                },
                Mode::Ident => match memchr::memchr(b'"', &b[i..]) {
                    None => i = b.len(),
                    Some(k) if b.get(i + k + 1) == Some(&b'"') => i += k + 2,
                    Some(k) => {
                        self.mode = Mode::Code;
                        i += k + 1;
                    }
                },
                Mode::Dollar(tag) => match memchr::memmem::find(&b[i..], tag.as_bytes()) {
                    None => i = b.len(),
                    Some(k) => {
                        i += k + tag.len();
                        self.mode = Mode::Code;
                    }
                },
                Mode::Code => i = self.code(text, i),
            }
        }
    }

    /// One token of code at `i`; returns where the next starts.
    fn code(&mut self, text: &str, i: usize) -> usize {
        let b = text.as_bytes();
        let c = b[i];
        if c.is_ascii_whitespace() {
            return i + 1;
        }
        if b[i..].starts_with(b"--") {
            return memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |k| i + k);
        }
        if b[i..].starts_with(b"/*") {
            self.mode = Mode::Comment(1);
            return i + 2;
        }
        if c == b';' {
            if self.begin_depth == 0 {
                self.end_statement(text, i);
            }
            return i + 1;
        }
        if !self.pending {
            self.pending = true;
            self.start = i;
        }
        match c {
            b'\'' => {
                self.mode = Mode::Quote { escapes: false };
                i + 1
            }
            b'"' => {
                self.mode = Mode::Ident;
                i + 1
            }
            b'(' => {
                self.paren_depth += 1;
                i + 1
            }
            b')' => {
                self.paren_depth = self.paren_depth.saturating_sub(1);
                i + 1
            }
            b'$' => {
                let tag_len = b[i + 1..].iter().take_while(|c| is_ident(**c) && **c != b'$').count();
                let digit = b.get(i + 1).is_some_and(u8::is_ascii_digit);
                if !digit && b.get(i + 1 + tag_len) == Some(&b'$') {
                    self.mode = Mode::Dollar(text[i..i + tag_len + 2].to_owned());
                    i + tag_len + 2
                } else {
                    i + 1
                }
            }
            c if c.is_ascii_digit() => i + b[i..].iter().take_while(|c| is_ident(**c) || **c == b'.').count(),
            c if is_ident_start(c) => {
                let len = b[i..].iter().take_while(|c| is_ident(**c)).count();
                let word = &text[i..i + len];
                if b.get(i + len) == Some(&b'\'') && word.eq_ignore_ascii_case("e") {
                    self.mode = Mode::Quote { escapes: true };
                    return i + len + 1;
                }
                self.word(word);
                i + len
            }
            _ => i + 1,
        }
    }

    /// psql's `identifier` rule (psqlscan.l).
    fn word(&mut self, w: &str) {
        if self.words == 0 {
            self.first = [0; 4];
        }
        if ["create", "function", "procedure", "or", "replace"].iter().any(|k| w.eq_ignore_ascii_case(k))
            && self.words < self.first.len()
        {
            self.first[self.words] = w.as_bytes()[0].to_ascii_lowercase();
        }
        self.words += 1;
        let f = self.first;
        let routine = f[0] == b'c'
            && (f[1] == b'f' || f[1] == b'p' || (f[1] == b'o' && f[2] == b'r' && (f[3] == b'f' || f[3] == b'p')));
        if routine && self.paren_depth == 0 {
            if w.eq_ignore_ascii_case("begin") {
                self.begin_depth += 1;
            } else if w.eq_ignore_ascii_case("case") {
                if self.begin_depth >= 1 {
                    self.begin_depth += 1;
                }
            } else if w.eq_ignore_ascii_case("end") && self.begin_depth > 0 {
                self.begin_depth -= 1;
            }
        }
    }

    fn end_statement(&mut self, text: &str, semi: usize) {
        if self.pending {
            let stmt = &text[self.start..semi];
            let mut words = stmt.split_whitespace();
            if words.next().is_some_and(|w| w.eq_ignore_ascii_case("copy")) {
                let target = words.next().unwrap_or_default().to_ascii_lowercase();
                let lower = stmt.to_ascii_lowercase();
                let tokens: Vec<&str> = lower.split_whitespace().collect();
                if tokens.windows(2).any(|w| w[0] == "from" && w[1] == "stdin") {
                    let keep_rows = target.trim_matches('"').ends_with("schema_migrations")
                        || target.ends_with("schema_migrations\"");
                    self.copy = Some(Copy { line: 0, keep_rows });
                }
            }
        }
        self.pending = false;
        self.words = 0;
        self.begin_depth = 0;
        self.paren_depth = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches(text: &str) -> Result<Vec<Batch>> {
        let mut b = Batches::new(text.as_bytes(), Path::new("structure.sql"));
        let mut out = Vec::new();
        while let Some(batch) = b.next_batch()? {
            out.push(batch);
        }
        Ok(out)
    }

    /// Filler statements of about `size` bytes, so that the next statement starts past a cut.
    fn filler(size: usize) -> String {
        let mut s = String::new();
        let mut i = 0;
        while s.len() < size {
            s.push_str(&format!("SET x{i} = 1;\n"));
            i += 1;
        }
        s
    }

    #[test]
    fn batches_are_cut_between_statements_only() {
        let tricky = "CREATE FUNCTION public.f() RETURNS integer\n    LANGUAGE sql\n    BEGIN ATOMIC\n SELECT 1;\n SELECT CASE WHEN true THEN 2 END;\nEND;\n\
            CREATE FUNCTION public.g() RETURNS text LANGUAGE plpgsql AS $body$\nBEGIN\n  RETURN ';';\nEND;\n$body$;\n\
            COMMENT ON TABLE public.t IS E'it''s\\';\nnot over';\n\
            CREATE TABLE \"we;ird\" (\"a\"\"b;\" integer);\n/* a /* nested ; */ comment;\n*/\n";
        // Put the tricky statements across every 64 KB boundary the filler reaches.
        let text = format!("{}{tricky}{}{tricky}", filler(BATCH - 30), filler(BATCH));
        let got = batches(&text).unwrap();
        assert!(got.len() >= 2, "{}", got.len());
        let joined: String = got.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(joined, text);
        for b in &got {
            let stmts = pg_query::split_with_scanner(&b.text).unwrap();
            pg_query::parse(&b.text, 0).unwrap_or_else(|e| panic!("batch at line {}: {e}", b.line));
            assert!(!stmts.is_empty());
            let line = text.lines().take(b.line as usize - 1).map(|l| l.len() + 1).sum::<usize>();
            assert!(text[line..].starts_with(&b.text));
        }
    }

    #[test]
    fn copy_rows_are_skipped_and_schema_migrations_kept() {
        let text = "CREATE TABLE public.t (a text);\nCOPY public.t (a) FROM stdin;\nx; y\n\\.not the end\n'open\n$$\n\\.\n\
            COPY public.schema_migrations (version) FROM stdin;\n20240101000000\n20240102000000\t2\r\n\\.\r\nSELECT 1;\n";
        let got = batches(text).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].text, "CREATE TABLE public.t (a text);\nCOPY public.t (a) FROM stdin;\n");
        assert!(got[0].copy_rows.is_empty());
        assert_eq!(got[1].text, "COPY public.schema_migrations (version) FROM stdin;\n");
        assert_eq!(got[1].line, 8);
        assert_eq!(got[1].copy_rows, ["20240101000000", "20240102000000"]);
        assert_eq!((got[2].text.as_str(), got[2].line), ("SELECT 1;\n", 12));
    }

    #[test]
    fn unterminated_copy_data_is_a_located_error() {
        let err = batches("SET a = 1;\nCOPY public.t (a) FROM stdin;\n1\n2\n").unwrap_err().to_string();
        assert!(err.starts_with("structure.sql:2:1: the COPY data ends without its `\\.` line"), "{err}");
    }

    #[test]
    fn meta_commands_between_statements_are_blanked() {
        let got = batches("\\restrict abc\nSET a = '\n\\not a command';\n\\unrestrict abc\n").unwrap();
        assert_eq!(got[0].text, "             \nSET a = '\n\\not a command';\n               \n");
    }

    #[test]
    fn bad_utf8_names_its_line_and_byte() {
        let mut bytes = b"SET a = 1;\nSET b = 'caf".to_vec();
        bytes.extend([0xE9, b'\'', b';', b'\n']);
        let mut b = Batches::new(bytes.as_slice(), Path::new("structure.sql"));
        let err = b.next_batch().unwrap_err().to_string();
        assert!(err.starts_with("structure.sql:2:13: not valid UTF-8: byte 0xE9 at byte offset 23"), "{err}");
    }
}

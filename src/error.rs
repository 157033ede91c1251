//! Errors of the library. Every error is a [`Diagnostic`] — a message with, where it can be known,
//! the file, line and column it is about — classified by who must act: the user's input (exit 2)
//! or the environment (exit 3). `main.rs` maps the class to the exit code; nothing else does.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A 1-based position in a file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// What went wrong, where, and what was expected.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub message: String,
    /// The file the message is about, when there is one.
    pub file: Option<PathBuf>,
    /// 1-based line and column, when known.
    pub line: Option<u32>,
    pub column: Option<u32>,
    /// The text of `file` (or of a part of it starting at a line start) and the byte range the
    /// message points at, for an excerpt.
    pub source: Option<(Arc<str>, Range<usize>)>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic { message: message.into(), file: None, line: None, column: None, source: None, help: None }
    }

    pub fn in_file(mut self, file: impl AsRef<Path>) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self
    }

    pub fn at(mut self, file: impl AsRef<Path>, line: u32, column: u32) -> Self {
        self.file = Some(file.as_ref().to_path_buf());
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Locate the diagnostic by a byte offset into `text` (the content of `file`).
    pub fn at_offset(self, file: impl AsRef<Path>, text: &str, span: Range<usize>) -> Self {
        let (line, column) = line_col(text, span.start);
        let mut d = self.at(file, line, column);
        d.source = Some((Arc::from(text), span));
        d
    }

    /// Locate the diagnostic by a byte offset into `text`, a part of `file` that starts at the
    /// beginning of its line `first_line`: a file read a piece at a time.
    pub fn at_offset_from(self, file: impl AsRef<Path>, text: &str, span: Range<usize>, first_line: u32) -> Self {
        let (line, column) = line_col(text, span.start);
        let mut d = self.at(file, line + first_line - 1, column);
        d.source = Some((Arc::from(text), span));
        d
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `file:line:column` as far as it is known.
    pub fn location(&self) -> Option<String> {
        let file = self.file.as_ref()?.display().to_string();
        Some(match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            (Some(l), None) => format!("{file}:{l}"),
            _ => file,
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some(loc) => write!(f, "{loc}: {}", self.message)?,
            None => write!(f, "{}", self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Line starts of a text, for locating many byte offsets in it: each lookup is a binary search
/// plus a count over its own line, where [`line_col`] rescans the text from its start.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|p| p + 1));
        LineIndex { text, starts }
    }

    /// The text indexed.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = self.text.floor_char_boundary(offset.min(self.text.len()));
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let column = self.text[self.starts[line]..offset].chars().count();
        (line as u32 + 1, column as u32 + 1)
    }

    /// The byte offset where a 1-based line starts (the text's end past the last line).
    pub fn line_start(&self, line: u32) -> usize {
        self.starts.get((line as usize).saturating_sub(1)).copied().unwrap_or(self.text.len())
    }

    /// The text of a 1-based line, without its line break (empty past the end).
    pub fn line(&self, line: u32) -> &'a str {
        let i = (line as usize).saturating_sub(1);
        let Some(&start) = self.starts.get(i) else { return "" };
        let end = self.starts.get(i + 1).map_or(self.text.len(), |e| e - 1);
        self.text.get(start..end).unwrap_or("")
    }
}

/// A source line as shown: at most a window's width of characters around the text it marks, with
/// `…` where it was cut, and where the caret goes under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    pub text: String,
    /// 0-based, in characters of `text`.
    pub caret: usize,
    /// In characters, at least 1.
    pub width: usize,
}

/// `line` (without its newline) cut to at most `width` characters around the bytes `mark` of it,
/// a quarter of the width kept before the mark (a mark near the end shows the line's last
/// `width` characters); `mark` is clamped to the line and to character boundaries. The cost is
/// the window's, not the line's: a minified line holding thousands of marks is cut once for each
/// in constant time. The one window of a source line: `report::diagnostic::excerpt` (redacted)
/// and the snippets of scan hits (`scan::extract::name::snippet_of`).
pub fn window(line: &str, mark: Range<usize>, width: usize) -> Excerpt {
    let width = width.max(1);
    let floor = |i: usize| line.floor_char_boundary(i.min(line.len()));
    let (start, end) = (floor(mark.start), floor(mark.end.max(mark.start)));
    // Up to `n` characters back from byte `i`, and forth: the byte reached and how many.
    let back = |i: usize, n: usize| line[..i].char_indices().rev().take(n).fold((i, 0), |(_, k), (j, _)| (j, k + 1));
    let forth = |i: usize, n: usize| line[i..].chars().take(n).fold((i, 0), |(at, k), c| (at + c.len_utf8(), k + 1));
    let chars = |from: usize, to: usize| line[from..to.max(from)].chars().count();
    let (mut from, _) = back(start, width / 4);
    let (mut to, taken) = forth(from, width);
    if taken < width {
        // The line ends inside the window: the window ends with it.
        to = line.len();
        from = back(to, width).0;
    }
    let mark_width = chars(start, end.min(to)).max(1);
    if from == 0 && to == line.len() {
        return Excerpt { text: line.to_owned(), caret: chars(0, start), width: mark_width };
    }
    let mut text = String::with_capacity(to - from + 6);
    if from > 0 {
        text.push('…');
    }
    text.push_str(&line[from..to]);
    if to < line.len() {
        text.push('…');
    }
    Excerpt { text, caret: chars(from, start) + usize::from(from > 0), width: mark_width }
}

/// 1-based line and column (in characters) of a byte offset, for a single lookup; locate many
/// offsets of one text through a [`LineIndex`].
pub fn line_col(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary(offset)];
    let line = before.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() as u32 + 1;
    (line, column)
}

/// `bytes` (the content of `path`) as text, or an input error at the first byte that is not
/// UTF-8: its line and column, its byte offset and value.
pub fn utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        // The text before the bad byte is valid, so the lossy text has the same offsets up to it.
        let text = String::from_utf8_lossy(bytes);
        let bad = text[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
        Error::input(
            Diagnostic::new(format!("not valid UTF-8: byte 0x{:02X} at byte offset {offset}", bytes[offset]))
                .at_offset(path, &text, offset..bad)
                .help("save the file as UTF-8"),
        )
    })
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is wrong: bad config, unreadable or unparseable file, unknown ref name syntax. Exit 2.
    #[error("{0}")]
    Input(Box<Diagnostic>),
    /// The environment failed: database unreachable, repository missing, ref not found. Exit 3.
    #[error("{0}")]
    Environment(Box<Diagnostic>),
}

impl Error {
    pub fn input(d: Diagnostic) -> Self {
        Error::Input(Box::new(d))
    }

    pub fn environment(d: Diagnostic) -> Self {
        Error::Environment(Box::new(d))
    }

    /// Shorthand for an input error with only a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::input(Diagnostic::new(message))
    }

    /// An unreadable file is the user's input being wrong (exit 2), per the design's conventions.
    pub fn read(path: &Path, err: std::io::Error) -> Self {
        Error::input(Diagnostic::new(format!("cannot read this file: {err}")).in_file(path))
    }

    /// A file's text, or where it stops being UTF-8.
    pub fn read_text(path: &Path) -> Result<String> {
        let bytes = std::fs::read(path).map_err(|e| Error::read(path, e))?;
        utf8(path, bytes)
    }

    /// The same error located at `line` of `file` (the entry in apps.toml that set what failed),
    /// unless it is located already.
    pub fn or_at(self, file: &Path, line: u32) -> Self {
        match self {
            Error::Input(d) if d.file.is_none() => Error::Input(Box::new((*d).at(file, line, 1))),
            Error::Environment(d) if d.file.is_none() => Error::Environment(Box::new((*d).at(file, line, 1))),
            located => located,
        }
    }

    pub fn diagnostic(&self) -> &Diagnostic {
        match self {
            Error::Input(d) | Error::Environment(d) => d,
        }
    }

    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) => 2,
            Error::Environment(_) => 3,
        }
    }
}

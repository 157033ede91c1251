//! Extractors: one per framework or file type. Adding one means one new file and one line in
//! [`all`].

pub mod drizzle;
pub use crate::framework::phoenix::extract as ecto;
pub mod indented;
pub mod js;
pub mod name;
pub mod python;
pub use crate::framework::rails::extract as rails;
pub mod sequelize;
pub mod sql;
pub mod sqlalchemy;
pub mod treesit;
pub mod typeorm;

use std::cell::OnceCell;

use crate::config::Framework;
use crate::scan::extract::name::{Lang, LineIndex, Segment, lang_of, segments};
use crate::scan::extract::sql::looks_like_sql;
use crate::scan::facts::FileFacts;
use crate::scan::screen::Screen;

/// One file as the extractors see it. What several of them derive from the text — the lexed
/// code and string segments, which strings read as SQL, the line index — is computed once, on
/// first use, and shared: the `sql` and `name` extractors read every file of every app.
pub struct SourceFile<'a> {
    /// The path inside the app.
    pub path: &'a str,
    pub text: &'a str,
    lexed: OnceCell<Option<(Lang, Vec<Segment>)>>,
    lines: OnceCell<LineIndex<'a>>,
}

impl<'a> SourceFile<'a> {
    pub fn new(path: &'a str, text: &'a str) -> SourceFile<'a> {
        SourceFile { path, text, lexed: OnceCell::new(), lines: OnceCell::new() }
    }

    /// The file's language as [`name::lang_of`] tells it and its segments (comments dropped,
    /// string segments marked when they look like SQL); `None` for a file no lexer reads.
    pub fn lexed(&self) -> Option<(Lang, &[Segment])> {
        self.lexed
            .get_or_init(|| {
                let lang = lang_of(self.path)?;
                let mut segs = segments(self.text, lang);
                for seg in segs.iter_mut().filter(|s| s.string) {
                    seg.sql = looks_like_sql(&self.text[seg.start..seg.end]);
                }
                Some((lang, segs))
            })
            .as_ref()
            .map(|(lang, segs)| (*lang, segs.as_slice()))
    }

    pub fn lines(&self) -> &LineIndex<'a> {
        self.lines.get_or_init(|| LineIndex::new(self.text))
    }
}

/// Context shared by every file of one scan.
pub struct ExtractContext<'a> {
    pub framework: Framework,
    /// Lower-case table and column names of the schema, for the `name` fallback; empty when no
    /// schema source is configured.
    pub identifiers: &'a [String],
}

pub trait Extractor: Sync + Send {
    /// Stable id, part of the cache key.
    fn id(&self) -> &'static str;
    /// Bump when output for the same input changes; part of the cache key.
    fn version(&self) -> u32;
    /// Whether this extractor reads `path` for an app of `framework`.
    fn applies(&self, path: &str, framework: Framework) -> bool;
    fn extract(&self, file: &SourceFile<'_>, ctx: &ExtractContext<'_>) -> FileFacts;
    /// What of the context the output depends on, as a short stable string; part of the cache
    /// key. The framework is always part of the key; extractors that read `identifiers` must
    /// return a fingerprint of them.
    fn fingerprint(&self, ctx: &ExtractContext<'_>) -> String {
        let _ = ctx;
        String::new()
    }
    /// A cheap look at the raw text before [`Extractor::extract`]: an extractor whose facts can
    /// only resolve through model classes may defer the file until the scan knows the app's
    /// models (see [`crate::scan::screen`]). It must never defer a file whose facts could
    /// resolve without one of the models it names. Cached deferrals are trusted: a change to
    /// what the screen defers must bump [`Extractor::version`].
    fn screen(&self, path: &str, source: &str) -> Screen {
        let _ = (path, source);
        Screen::Extract
    }
    /// Whether the framework's conventions put model classes at `path` (`app/models/` for
    /// Rails). Only an extractor that defers files needs it: the scan reads these files first,
    /// so that a deferred file naming one of their models is extracted while its text is at
    /// hand, not read a second time once every model is known.
    fn holds_models(&self, path: &str) -> bool {
        let _ = path;
        false
    }
}

/// Every extractor, in a fixed order: each framework's (see [`crate::framework`]), then the
/// framework-neutral ones.
pub fn all() -> Vec<Box<dyn Extractor>> {
    let mut out: Vec<Box<dyn Extractor>> = crate::framework::all().iter().flat_map(|f| f.extractors()).collect();
    out.push(Box::new(sql::SqlExtractor));
    out.push(Box::new(name::NameExtractor::default()));
    out
}

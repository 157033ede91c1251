//! Extractors: one per framework or file type. Adding one means one new file and one line in
//! [`all`].

pub mod django;
pub mod drizzle;
pub mod ecto;
pub mod js;
pub mod name;
pub mod prisma;
pub mod python;
pub mod rails;
pub mod sequelize;
pub mod sql;
pub mod sqlalchemy;
pub mod treesit;
pub mod typeorm;

use crate::config::Framework;
use crate::scan::facts::FileFacts;
use crate::scan::screen::Screen;

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
    fn extract(&self, path: &str, source: &str, ctx: &ExtractContext<'_>) -> FileFacts;
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
}

/// Every extractor, in a fixed order.
pub fn all() -> Vec<Box<dyn Extractor>> {
    vec![
        Box::new(rails::RailsExtractor),
        Box::new(ecto::EctoExtractor),
        Box::new(django::Django),
        Box::new(sqlalchemy::Sqlalchemy),
        Box::new(prisma::Prisma),
        Box::new(drizzle::Drizzle),
        Box::new(typeorm::Typeorm),
        Box::new(sequelize::Sequelize),
        Box::new(sql::SqlExtractor),
        Box::new(name::NameExtractor::default()),
    ]
}

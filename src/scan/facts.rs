//! What an extractor finds in one file, before cross-file resolution. Cached per blob id and
//! extractor version, so it must depend only on the file's path and content (and the extractor
//! context's fingerprint). The cache encodes it with postcard, which is not self-describing:
//! no `skip_serializing_if`, no internally tagged enums, and a change of shape needs a new
//! store migration (the cache is dropped) or new extractor versions.

use serde::{Deserialize, Serialize};

use crate::config::{Confidence, Framework};
use crate::scan::reference::RefKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FileFacts {
    pub hits: Vec<Hit>,
    pub models: Vec<ModelDecl>,
    /// Set instead of facts when the extractor's screen deferred the file (nothing extracted;
    /// see [`crate::scan::screen`]): the model sets under which its words are known to name no
    /// model, so that a scan with one of them skips the blob without reading it.
    pub deferred: Option<Deferral>,
}

/// What the cache remembers of a deferred file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Deferral {
    /// Fingerprints of model sets ([`crate::scan::screen::ModelKeys::fingerprint`]), newest last.
    pub skipped_under: Vec<String>,
}

/// One place in the file that may reference a schema object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    pub target: Target,
    pub kind: RefKind,
    pub confidence: Confidence,
    /// The source line, trimmed.
    pub snippet: String,
}

/// What a hit points at, as far as one file can tell.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A table named directly (possibly `schema.table`).
    Table { table: String },
    /// A column of a table named directly.
    Column { table: String, column: String },
    /// A whole model class (e.g. `User.all`, association target); resolved to its table if a
    /// model of that name exists anywhere in the app, dropped otherwise.
    Model { model: String },
    /// An attribute of a model class; resolved to `table.column` through the model's table.
    ModelColumn { model: String, column: String },
    /// A bare identifier (the `name` fallback); resolved to every table and column of that name.
    Identifier { name: String },
    /// An unqualified column in SQL whose statement reads several tables (`SELECT email FROM
    /// users, accounts`): resolved to the candidates whose table has the column in the schema,
    /// to all of them when there is no schema.
    AnyColumn { tables: Vec<String>, column: String },
}

/// An ORM model class declared in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelDecl {
    pub framework: Framework,
    /// The class as other code names it: `Admin::User`, `MyApp.Accounts.User`,
    /// `accounts.User` (Django `app_label.Model`), `User`.
    pub class: String,
    /// The superclass as written, when it may be a model (Rails STI, Django model inheritance).
    pub parent: Option<String>,
    /// The table, when the file states it or the convention needs no other file.
    /// `None` means "by the framework's convention from the class name" (e.g. Rails).
    pub table: Option<String>,
    /// Abstract models map no table (`self.abstract_class = true`, `class Meta: abstract = True`).
    pub is_abstract: bool,
    /// Columns the ORM is told to ignore (`self.ignored_columns`).
    pub ignored_columns: Vec<String>,
    /// Attribute → column for the fields this file declares on the model, where code names a
    /// column by something other than its column name (Django `author` → `author_id`, Prisma
    /// `createdAt @map("created_at")`, Sequelize `underscored`). Resolution maps a
    /// `Target::ModelColumn` whose column equals an attribute here to the mapped column; empty for
    /// frameworks whose attributes are the column names. An empty column marks an attribute that
    /// is not a column (a relation, a virtual field): uses of it resolve to nothing.
    #[serde(default)]
    pub fields: Vec<(String, String)>,
    /// 1-based line of the class declaration.
    pub line: u32,
    pub column: u32,
    pub snippet: String,
}

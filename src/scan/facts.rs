//! What an extractor finds in one file, before cross-file resolution. Cached per blob id and
//! extractor version, so it must depend only on the file's path and content (and the extractor
//! context's fingerprint). The cache encodes it with postcard ([`FileFacts::encode`]), which is
//! not self-describing: no `skip_serializing_if`, no internally tagged enums, and a change of
//! shape needs a new store migration (the cache is dropped) or new extractor versions.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::config::{Confidence, Framework};
use crate::scan::reference::RefKind;

/// Part of every extractor's cache tag and of the snapshot context: bump when the shape of
/// [`FileFacts`] (or of anything in it) changes, so that facts in the old encoding are never
/// decoded as the new one — or what every extractor puts in it (4: a hit's snippet on a line
/// longer than 200 characters is a window around the hit, `name::snippet_of`; 5: an
/// association's `associated_keys`).
pub const FORMAT: u32 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FileFacts {
    pub hits: Vec<Hit>,
    pub models: Vec<ModelDecl>,
    /// Names this file gives a type that other files read (see [`Binding`]).
    pub bindings: Vec<Binding>,
    /// Set instead of facts when the extractor's screen deferred the file (nothing extracted;
    /// see [`crate::scan::screen`]): the model sets under which its words are known to name no
    /// model, so that a scan with one of them skips the blob without reading it.
    pub deferred: Option<Deferral>,
    /// Set instead of facts when the extractor could not read the file (its parser gave up):
    /// the scan reports the file as unreadable, and never caches this.
    #[serde(skip)]
    pub unreadable: Option<String>,
}

impl FileFacts {
    /// No facts: the extractor could not read the file, for `reason`.
    pub fn unreadable(reason: impl std::fmt::Display) -> FileFacts {
        FileFacts { unreadable: Some(reason.to_string()), ..FileFacts::default() }
    }

    /// The facts as the blob cache stores them.
    pub fn encode(&self) -> Result<Vec<u8>, postcard::Error> {
        let hits = self
            .hits
            .iter()
            .enumerate()
            .map(|(i, h)| StoredHit {
                line: h.line,
                column: h.column,
                target: Cow::Borrowed(&h.target),
                kind: h.kind,
                confidence: h.confidence,
                snippet: (i == 0 || self.hits[i - 1].snippet != h.snippet).then_some(Cow::Borrowed(&*h.snippet)),
            })
            .collect();
        postcard::to_allocvec(&Stored {
            hits,
            models: Cow::Borrowed(&self.models),
            bindings: Cow::Borrowed(&self.bindings),
            deferred: Cow::Borrowed(&self.deferred),
        })
    }

    /// Facts written by [`FileFacts::encode`].
    pub fn decode(bytes: &[u8]) -> Result<FileFacts, postcard::Error> {
        let stored: Stored<'_> = postcard::from_bytes(bytes)?;
        let mut snippet: Cow<'_, str> = Cow::Borrowed("");
        let hits = stored
            .hits
            .into_iter()
            .map(|h| {
                if let Some(text) = h.snippet {
                    snippet = text;
                }
                Hit {
                    line: h.line,
                    column: h.column,
                    target: h.target.into_owned(),
                    kind: h.kind,
                    confidence: h.confidence,
                    snippet: snippet.to_string(),
                }
            })
            .collect();
        Ok(FileFacts {
            hits,
            models: stored.models.into_owned(),
            bindings: stored.bindings.into_owned(),
            deferred: stored.deferred.into_owned(),
            unreadable: None,
        })
    }
}

/// [`FileFacts`] as the blob cache stores them. Hits on one line are next to each other and
/// share the line as their snippet (a SQL statement's table and columns, in the `sql` and the
/// `name` extractor alike): a snippet equal to the previous hit's is left out, which halves what
/// a cold scan writes to the cache.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    #[serde(borrow)]
    hits: Vec<StoredHit<'a>>,
    models: Cow<'a, [ModelDecl]>,
    bindings: Cow<'a, [Binding]>,
    deferred: Cow<'a, Option<Deferral>>,
}

#[derive(Serialize, Deserialize)]
struct StoredHit<'a> {
    line: u32,
    column: u32,
    target: Cow<'a, Target>,
    kind: RefKind,
    confidence: Confidence,
    /// `None`: the previous hit's.
    #[serde(borrow)]
    snippet: Option<Cow<'a, str>>,
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
    /// A use of the record (or relation) reached from `root` through the associations named in
    /// `path` — of its `attribute` when there is one, of its table otherwise. `user.profile.sort`
    /// in a file where `user` holds a `User` is `Chain { root: Model("User"), path: ["profile"],
    /// attribute: Some("sort") }`; resolution follows `User`'s association `profile` to its model
    /// and names that model's column. An attribute that is an association of the last model is no
    /// column of it (`challenge.phases` with `has_many :phases`); a belongs-to association's use
    /// reads its foreign key.
    Chain { root: Root, path: Vec<String>, attribute: Option<String> },
    /// An attribute read or written on a receiver the file could not type (`x.email` where
    /// nothing says what `x` is). Resolved at medium confidence only when exactly one table of
    /// the schema has such a column and no model of the app declares it otherwise; low when
    /// several do.
    Attribute { name: String },
    /// An attribute read through a field of a receiver the file could not type
    /// (`message.data.record`): resolved as [`Target::Attribute`] `attribute`, but at low
    /// confidence when `field` is an embed of a model of the app (Ecto's `embeds_one :data,
    /// EventData`, an association kept in its own column) and no other association: what the
    /// embed holds are the embedded schema's fields, stored inside that column, never another
    /// table's columns.
    AttributeThrough { field: String, attribute: String },
    /// `column` of `model`, named in a list of names (`fieldsets = (FieldSet("device", "mtu"),)`
    /// in a form bound to the model, `clone_fields` on the model) whose every entry is in `list`.
    /// Resolved like [`Target::ModelColumn`] only when every name of `list` is a field (column or
    /// relation) of the model: one name that is none says the list is not the model's fields.
    /// Without a model (a class that presents some record's attributes by name), the model is
    /// the one of the app, if a single one, that has every name of `list` as a field.
    FieldList { model: Option<String>, column: String, list: Vec<String> },
}

/// Where a [`Target::Chain`] (or a [`Binding`]) starts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Root {
    /// A record or relation of a model class, named as the use site names it (resolved like
    /// [`Target::Model`]).
    Model { model: String },
    /// A name another file gives a type: a controller's instance variable that its views read,
    /// the context a Django view hands its template, the assigns a Phoenix controller renders.
    /// Resolved through every [`Binding`] of the app with this name in any of `scopes` (the
    /// framework's own keys, e.g. `rails:view:admin/users`, written by the extractor that binds
    /// and the one that reads alike; a view sees its controller's scope and the application-wide
    /// one). When no such binding exists anywhere, `guess` — the model the name suggests
    /// (`@user` → `User`) — stands in: `=t` is the model mapping table `t`, `:Event` only a class
    /// of that name, `~M` a local's own name, which may also be the one model `M` ends with in
    /// whole words (a role before the model's name: `cloned_template` → `Template`).
    Binding { scopes: Vec<String>, name: String, guess: Option<String> },
}

/// The name of a [`Binding`] that includes other scopes whole: bound in scope `s` with root
/// [`Root::Binding`] `{ scopes, .. }`, it gives `s` every binding of those scopes (a Rails
/// controller's views see the instance variables of the concerns it includes).
pub const EVERY_NAME: &str = "*";

/// The scope of the [`Binding`]s that give a namespace's models a table name prefix: bound under
/// the module's name (`Spree`), `path[0]` is the prefix (`spree_`). Rails' `def
/// self.table_name_prefix` in the module, or `isolate_namespace Spree` in an engine class (then
/// `path[1]` is [`NAMESPACE_ENGINE`]: a prefix the module defines itself wins), may be in
/// another file than the models: the resolver applies it to every model of the namespace that
/// maps no table of its own (see `FrameworkSupport::prefixed_table`).
pub const TABLE_PREFIX_SCOPE: &str = "table-name-prefix";

/// The start of the scopes whose bindings give a class declared in one file the models other
/// files use it with (Django's custom QuerySet in `managers.py`, a form mixin a model form
/// inherits), bound under the class's name. A [`Root::Binding`] of such scopes that nothing
/// binds is a class no model uses, not a name nothing types: its attributes read nothing.
pub const CLASS_SCOPE_PREFIX: &str = "class:";

/// The start of the scopes whose bindings say what a class that is no model assigns itself
/// (its own state, no column), bound under `<prefix><framework>:<Class>` with the attribute's
/// name and a root that reaches nothing; a class includes its bases' scopes whole
/// ([`EVERY_NAME`]). An attribute on a receiver nothing types, read as a [`Target::Chain`] from
/// a [`Root::Binding`] of such scopes (`self.duration` in a subclass of another file's class
/// whose `__init__` sets it), is that attribute on an unknown receiver unless one of them
/// binds its name: then it reads nothing.
pub const OWNED_SCOPE_PREFIX: &str = "owned:";

/// The scope of the [`Binding`]s that type a member of a model's records that is no association
/// (a Django `@cached_property` returning `self.schedules.get_or_create(…)`'s record), bound
/// under `<Class>.<member>` (the model's class as its declaration names it): a chain's step
/// through it reaches what the binding does.
pub const MEMBER_SCOPE: &str = "member";

/// `path[1]` of a [`TABLE_PREFIX_SCOPE`] binding that an engine's `isolate_namespace` gives.
pub const NAMESPACE_ENGINE: &str = "isolate_namespace";

/// A name that holds a record (or relation) of a known type for the files of a scope: `@user =
/// User.find(…)` in `UsersController` binds `@user` for the views under `app/views/users/`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Binding {
    pub scope: String,
    pub name: String,
    /// The value's type: the record reached from `root` through the associations of `path`.
    pub root: Root,
    pub path: Vec<String>,
}

/// An association a model declares: a name that reads another model's records.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Association {
    /// The accessor (`author`, `posts`).
    pub name: String,
    /// The associated model, as the declaration names it or the framework's convention derives it
    /// (Rails `has_many :posts` → `Post`, `class_name:` when given).
    pub model: String,
    /// Whether the accessor holds many records (`has_many`, `ManyToManyField`, `Post[]`).
    pub many: bool,
    /// The column of the declaring model's table that the association reads (`belongs_to
    /// :author` → `author_id`), when it has one.
    pub foreign_key: Option<String>,
    /// The accessor the associated model gets back, and whether it holds many, when the framework
    /// defines one without a declaration on that side (Django's `related_name`, `<model>_set`).
    pub inverse: Option<(String, bool)>,
    /// The columns of the associated model's table that loading the association reads, when
    /// its key is on that side (Rails `has_many :posts` in `User` → `user_id` of `posts`; `as:
    /// :commentable` → `commentable_id` and `commentable_type`; a stated `foreign_key:`).
    #[serde(default)]
    pub associated_keys: Vec<String>,
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
    /// The associations the class declares.
    #[serde(default)]
    pub associations: Vec<Association>,
    /// Modules (or mixin classes) the class includes, as written: a Rails concern, a Python
    /// mixin base. What they declare — fields, associations, ignored columns — is the class's
    /// too, and their own code runs on the class's records.
    #[serde(default)]
    pub mixins: Vec<String>,
    /// 1-based line of the class declaration.
    pub line: u32,
    pub column: u32,
    pub snippet: String,
}

impl ModelDecl {
    /// A model of `framework` mapping `table`, declared at `line`:`column`, with nothing else
    /// declared yet (fields, associations, mixins are the caller's to add).
    pub fn mapped(framework: Framework, class: &str, table: Option<String>, at: (u32, u32), snippet: String) -> Self {
        ModelDecl {
            framework,
            class: class.to_owned(),
            parent: None,
            table,
            is_abstract: false,
            ignored_columns: Vec::new(),
            fields: Vec::new(),
            associations: Vec::new(),
            mixins: Vec::new(),
            line: at.0,
            column: at.1,
            snippet,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(line: u32, column: u32, target: Target, snippet: &str) -> Hit {
        Hit { line, column, target, kind: RefKind::Sql, confidence: Confidence::High, snippet: snippet.to_owned() }
    }

    #[test]
    fn the_cache_encoding_round_trips_and_shares_repeated_snippets() {
        let select = "SELECT x.email FROM users x WHERE x.id = ?";
        let table = |t: &str| Target::Table { table: t.to_owned() };
        let column = |t: &str, c: &str| Target::Column { table: t.to_owned(), column: c.to_owned() };
        let facts = FileFacts {
            hits: vec![
                hit(3, 10, column("users", "email"), select),
                hit(3, 21, table("users"), select),
                hit(3, 33, column("users", "id"), select),
                hit(5, 1, Target::Identifier { name: "email".into() }, "email"),
                // The same text again, after another: stored again, and read back as written.
                hit(7, 10, column("users", "email"), select),
                hit(8, 1, Target::Identifier { name: "name".into() }, ""),
                hit(
                    9,
                    4,
                    Target::Chain {
                        root: Root::Binding {
                            scopes: vec!["rails:view:users".into(), "rails:view:".into()],
                            name: "@user".into(),
                            guess: Some("User".into()),
                        },
                        path: vec!["profile".into()],
                        attribute: Some("sort".into()),
                    },
                    "@user.profile.sort",
                ),
                hit(10, 2, Target::Attribute { name: "email".into() }, "x.email"),
            ],
            models: vec![ModelDecl {
                framework: Framework::Rails,
                class: "User".into(),
                parent: Some("ApplicationRecord".into()),
                table: None,
                is_abstract: false,
                ignored_columns: vec!["legacy".into()],
                fields: vec![("author".into(), "author_id".into())],
                associations: vec![Association {
                    name: "author".into(),
                    model: "User".into(),
                    many: false,
                    foreign_key: Some("author_id".into()),
                    inverse: Some(("books".into(), true)),
                    associated_keys: vec!["user_id".into()],
                }],
                mixins: vec!["Taggable".into()],
                line: 1,
                column: 1,
                snippet: "class User < ApplicationRecord".into(),
            }],
            bindings: vec![Binding {
                scope: "rails:view:users".into(),
                name: "@user".into(),
                root: Root::Model { model: "User".into() },
                path: vec!["profile".into()],
            }],
            deferred: None,
            unreadable: None,
        };
        let bytes = facts.encode().unwrap();
        assert_eq!(FileFacts::decode(&bytes).unwrap(), facts);
        // Two of the three snippets on line 3 are left out.
        let plain = postcard::to_allocvec(&facts).unwrap();
        assert!(bytes.len() + 2 * select.len() <= plain.len() + facts.hits.len(), "{} vs {}", bytes.len(), plain.len());

        for other in [
            FileFacts::default(),
            FileFacts { deferred: Some(Deferral { skipped_under: vec!["2-00ff".into()] }), ..FileFacts::default() },
        ] {
            assert_eq!(FileFacts::decode(&other.encode().unwrap()).unwrap(), other);
        }
    }

    #[test]
    fn damaged_cache_bytes_are_an_error() {
        let bytes = FileFacts {
            hits: vec![hit(1, 1, Target::Table { table: "users".into() }, "users")],
            ..FileFacts::default()
        }
        .encode()
        .unwrap();
        assert!(FileFacts::decode(&bytes[..bytes.len() - 3]).is_err());
    }
}

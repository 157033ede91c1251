//! Everything tandem knows about one framework, in one folder, behind one trait.
//!
//! `config::Framework` names a framework (what apps.toml says); [`FrameworkSupport`] is what
//! tandem knows of it: where its migrations live, how it names tables, whether its models read
//! every column, which extractors read its code. Code outside `src/framework/` asks [`of`] and
//! never matches on a `config::Framework` itself, so adding a framework is one folder here plus
//! one line in [`all`].

pub mod django;
mod drizzle;
mod generic;
pub mod mongodb;
pub mod mongoose;
pub mod parse;
pub mod phoenix;
pub mod prisma;
pub mod rails;
pub mod recipe;
mod sequelize;
mod sqlalchemy;
mod typeorm;

use crate::config::Framework;
use crate::framework::recipe::{Change, CodeStep};
use crate::scan::extract::Extractor;

/// What tandem knows about one framework.
pub trait FrameworkSupport: Sync + Send {
    /// The name apps.toml gives it.
    fn id(&self) -> Framework;

    /// The extractors that read this framework's code (each still says which files it reads;
    /// the framework-neutral `sql` and `name` extractors are not listed here).
    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        Vec::new()
    }

    /// Folders of an app (relative to its root) that hold the framework's migrations: read by
    /// the migration readers, never scanned as code — every dropped column would still be "used".
    /// Globs are allowed (`priv/*/migrations`).
    fn migration_dirs(&self) -> &'static [&'static str] {
        &[]
    }

    /// Folder names that hold migrations wherever they appear in the app (Django's
    /// `<app>/migrations/`).
    fn migration_dir_names(&self) -> &'static [&'static str] {
        &[]
    }

    /// The table a model class maps when neither its declaration nor apps.toml says: the
    /// framework's naming convention, when it has one that needs no other file.
    fn default_table(&self, class: &str) -> Option<String> {
        let _ = class;
        None
    }

    /// The table a model class maps, by the framework's convention, when an enclosing namespace
    /// (in any file) gives its models' tables `prefix` (Rails' `table_name_prefix`).
    fn prefixed_table(&self, class: &str, prefix: &str) -> Option<String> {
        let _ = (class, prefix);
        None
    }

    /// The model an association called `name` reads when the model that uses it declares no
    /// association of that name (one a gem or a metaprogrammed macro defines): the framework's
    /// naming convention, if it has one.
    fn association_by_convention(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// Models a library defines for the app's database (a gem's `Delayed::Job` over
    /// `delayed_jobs`), as (class, table): code that names the class by its full name uses the
    /// table when the app declares no class of that name. Never found by a last name or a guess
    /// (`job` is no `Delayed::Job`), and they carry no implicit reference (no file declares them).
    fn library_models(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// Whether a class is a model only when its ancestry, through the app's own classes, reaches
    /// a superclass this says is the ORM's root (Rails: `ApplicationRecord`,
    /// `ActiveRecord::Base`). `None`: the framework's extractors decide alone.
    fn is_model_root(&self, superclass: &str) -> Option<bool> {
        let _ = superclass;
        None
    }

    /// Whether a class name no model has may stand for the one model whose name ends with it
    /// in whole words (`Assignment` for `IssueAssignment`): apps name locals and parameters
    /// after the last words of a model (`assignment`, `subscriptions`).
    fn names_by_last_words(&self) -> bool {
        false
    }

    /// Whether a model's class may be named through the module that serves it: a Phoenix
    /// context `MyApp.Accounts` serves `MyApp.Accounts.User` (phx.gen.context) or, in older
    /// layouts, `MyApp.User`; the extractor names the first, resolution falls back to the second.
    fn names_models_through_contexts(&self) -> bool {
        false
    }

    /// Whether a model reads and writes every column of its table on each load and save
    /// (ActiveRecord caches all columns unless told to ignore some), so that the model's class
    /// line is an implicit reference to each of them.
    fn maps_every_column(&self) -> bool {
        false
    }

    /// Whether its models list every declared column in the SQL they generate, so that a
    /// column's declaration must go before the column does.
    fn declares_columns(&self) -> bool {
        false
    }

    /// What an app's developers change in its code, and when, for a destructive change done
    /// as expand/contract: the gate's recipe and `tandem plan` both print these.
    fn code_steps(&self, change: &Change) -> Vec<CodeStep> {
        recipe::generic(change, self.declares_columns())
    }

    /// Whether an attribute read on a name nothing types — no binding reaches a model and no
    /// model is named after it (`{{ event.scheme }}` in a Django template) — is read as an
    /// attribute on an unknown receiver: medium when one table has the column and nothing else
    /// shares its name, low otherwise. When false such a use resolves to nothing.
    fn reads_unresolved_names_as_attributes(&self) -> bool {
        false
    }

    /// Whether a model's declaration lists every attribute its records have (`schema.prisma`),
    /// so that an attribute it does not list is no column of its table, even when some table
    /// of the schema has a column of that name.
    fn declares_every_field(&self) -> bool {
        false
    }

    /// Whether a concrete parent model with a table of its own keeps the fields it declares in
    /// that table, its children joining it by key (Django's multi-table inheritance:
    /// `Speaker(Person)` reads `phone` from `participants_person`), rather than each child's
    /// table repeating them (TypeORM's concrete table inheritance).
    fn parent_tables_hold_inherited_fields(&self) -> bool {
        false
    }

    /// Whether a column a model's declaration names (an association's `foreign_key:`, an
    /// `enum`, an `attribute`) is the column as spelt even where an association has that name:
    /// Rails' `has_many :entries, foreign_key: "language"` queries `entries.language`, not the
    /// key of `Entry`'s `belongs_to :language`. (Django's `ordering = ["author"]` names the
    /// field, whose column is `author_id`.)
    fn declarations_name_columns(&self) -> bool {
        false
    }

    /// The tool whose shape a schema dump an app of this framework commits has, for
    /// `tandem schema sync` to write it the same way.
    fn dump_tool(&self) -> Option<DumpTool> {
        None
    }
}

/// Who writes a committed schema dump (`structure = …`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpTool {
    /// `rails db:schema:dump`: `db/structure.sql` or `db/schema.rb`.
    Rails,
    /// `mix ecto.dump`: `priv/repo/structure.sql`.
    Ecto,
}

/// Every framework, in a fixed order (the order of their extractors in a scan).
pub fn all() -> [&'static dyn FrameworkSupport; 12] {
    [
        &rails::Rails,
        &phoenix::Phoenix,
        &django::Django,
        &sqlalchemy::Sqlalchemy,
        &prisma::Prisma,
        &drizzle::Drizzle,
        &typeorm::Typeorm,
        &sequelize::Sequelize,
        &mongoose::Mongoose,
        &parse::Parse,
        &mongodb::Mongodb,
        &generic::Generic,
    ]
}

/// What tandem knows about `framework`.
pub fn of(framework: Framework) -> &'static dyn FrameworkSupport {
    all().into_iter().find(|f| f.id() == framework).expect("every framework is registered in framework::all")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_framework_is_registered_once() {
        let ids: Vec<Framework> = all().iter().map(|f| f.id()).collect();
        assert_eq!(ids, Framework::ALL);
    }
}

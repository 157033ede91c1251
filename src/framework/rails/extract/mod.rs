//! Rails / ActiveRecord: models, their declarations and the places code uses their attributes.
//!
//! One file at a time, through tree-sitter-ruby (ERB templates are reduced to their Ruby code
//! first, byte offsets kept). What a file can tell is recorded as:
//! * [`ModelDecl`] for each class that may be an ActiveRecord model (`< ApplicationRecord`,
//!   `< ActiveRecord::Base`, `< SomethingRecord`, or, under `app/models/`, `< AnyModel` for
//!   single-table inheritance), with `self.table_name`, `abstract_class` and `ignored_columns`;
//! * `declaration` hits for what the class body maps: `self.table_name`, `primary_key`,
//!   `attribute`, `enum`, associations (foreign keys, polymorphic `_type`, counter caches, join
//!   tables), `store_accessor`, `serialize`, `alias_attribute` …;
//! * `query` hits where code names an attribute against something known to be a model: a
//!   relation (`User.where(email: …)`, a scope body, `where.not`), a record (`User.find(id).email`,
//!   `@user`, a local named after the model, a block parameter of a relation), strong parameters,
//!   jbuilder, form builders and serializers;
//! * `sql` hits for SQL fragments handed to `where`/`order`/`select`… (`where("email = ?")`),
//!   resolved against the relation's model. Whole SQL statements in strings and heredocs
//!   (`find_by_sql`, `connection.execute`, `<<~SQL`) are left to the SQL extractor, which reads
//!   every SQL-looking string literal of the file; emitting them here too would double them.
//!
//! Receivers are typed conservatively: an unknown receiver yields nothing rather than a guess.
//! Where a variable's name is the only evidence (`user.email`), the hit has medium confidence and
//! names `User`; cross-file resolution drops it when no such model (or column) exists.

mod calls;
mod devise;
mod directives;
mod forwarded;
mod helpers;
mod html_fields;
mod keywords;
mod library;
mod lists;
mod mailers;
mod models;
mod narrowing;
mod nodes;
mod params;
mod receivers;
mod returned;
mod roles;
mod screening;
mod serializers;
mod sql;
mod views;
mod vocabulary;
mod walker;

use calls::*;
use devise::*;
use forwarded::*;
use helpers::*;
use library::*;
use models::*;
use nodes::*;
use params::*;
use receivers::*;
use returned::*;
use roles::*;
use screening::*;
use views::*;
use vocabulary::*;
use walker::*;

pub use library::LIBRARY_MODELS;
pub use models::{is_record_base, join_table_name};
pub use nodes::is_identifier;
pub use screening::screen_source;
pub use sql::{fragment_identifiers, is_statement};
pub use views::erb_to_ruby;

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::config::{Confidence, Framework};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile, indented};
use crate::scan::facts::{
    Association, Binding, EVERY_NAME, FileFacts, Hit, ModelDecl, NAMESPACE_ENGINE, Root, TABLE_PREFIX_SCOPE, Target,
};
use crate::scan::inflect;
use crate::scan::reference::RefKind;
use crate::scan::screen::{self, Screen};
use crate::scan::words;

#[derive(Default)]
pub struct RailsExtractor;

impl Extractor for RailsExtractor {
    fn id(&self) -> &'static str {
        "rails"
    }

    fn version(&self) -> u32 {
        25
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Rails
            && [".rb", ".erb", ".jbuilder", ".rake", ".builder", ".axlsx", ".haml", ".slim"]
                .iter()
                .any(|ext| path.ends_with(ext))
            && !path.ends_with("db/schema.rb")
    }

    fn screen(&self, path: &str, source: &str) -> Screen {
        screen_source(path, source)
    }

    fn holds_models(&self, path: &str) -> bool {
        under_models(path)
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let (path, source) = (file.path, file.text);
        extract(path, source)
    }
}

pub fn extract(path: &str, source: &str) -> FileFacts {
    let code = if path.ends_with(".erb") {
        erb_to_ruby(source)
    } else if path.ends_with(".haml") || path.ends_with(".slim") {
        let dialect = if path.ends_with(".slim") { indented::Dialect::Slim } else { indented::Dialect::Haml };
        indented::to_code(source, dialect).text
    } else {
        source.to_owned()
    };
    // A file (or template) the Ruby scanner cannot take would abort the whole scan: read it
    // without the heredoc it cannot store.
    let code = match crate::grammar::ruby_parseable(&code) {
        std::borrow::Cow::Owned(parseable) => parseable,
        std::borrow::Cow::Borrowed(_) => code,
    };
    let tree = match crate::grammar::parse_as(&code, &tree_sitter_ruby::LANGUAGE.into()) {
        Ok(tree) => tree,
        Err(gave_up) => return FileFacts::unreadable(gave_up),
    };
    // Without `<<` there is no heredoc: skip the extra walk of the whole tree.
    let heredocs = if memchr::memmem::find(code.as_bytes(), b"<<").is_some() {
        heredocs(tree.root_node())
    } else {
        HashMap::new()
    };
    let make = || {
        let mut walker = Walker::new(path, source, &code, &tree);
        walker.heredocs = heredocs.clone();
        walker
    };
    let mut facts = Walker::walk_to_fixpoint(make, tree.root_node());
    if template_location(path).is_some() {
        let mut walker = make();
        walker.directives();
        walker.html_field_names();
        facts.hits.append(&mut walker.facts.hits);
    }
    facts.hits.sort_by(|a, b| (a.line, a.column, &a.target, a.kind).cmp(&(b.line, b.column, &b.target, b.kind)));
    facts.hits.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.target == b.target && a.kind == b.kind);
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_lt_finds_what_memmem_finds() {
        for hay in ["", "<", "<<", "<<<", "<<<<", "a << b <<~SQL", "x <y <<-T << <", "<<é<<"] {
            let want: Vec<usize> = memchr::memmem::find_iter(hay.as_bytes(), b"<<").collect();
            assert_eq!(double_lt(hay.as_bytes()).collect::<Vec<_>>(), want, "{hay:?}");
        }
    }

    #[test]
    fn erb_keeps_offsets_and_drops_markup_and_comments() {
        let src = "<p class=\"email\"><%= @user.email %></p>\n<%# @user.name %><% if x -%>é<% end %>";
        let code = erb_to_ruby(src);
        assert_eq!(code.len(), src.len());
        assert_eq!(code.find("@user.email"), src.find("@user.email"));
        assert!(!code.contains("name"));
        assert!(!code.contains("class"));
        assert!(code.contains("if x"));
        assert!(code.contains("end ;"));
    }

    #[test]
    fn join_tables_follow_rails() {
        assert_eq!(join_table_name("posts", "tags"), "posts_tags");
        assert_eq!(join_table_name("tags", "posts"), "posts_tags");
        assert_eq!(join_table_name("developers", "projects"), "developers_projects");
        assert_eq!(join_table_name("catalog_categories", "catalog_products"), "catalog_categories_products");
        assert_eq!(join_table_name("paper_boxes", "papers"), "paper_boxes_papers");
        assert_eq!(join_table_name("music_artists", "music_records"), "music_artists_records");
    }

    #[test]
    fn fragment_identifiers_skip_literals_binds_and_functions() {
        let got: Vec<(usize, Option<&str>, &str)> = fragment_identifiers(
            "lower(email) = :email AND users.name LIKE 'a''b c' AND age > 3 ORDER BY created_at::date DESC",
        );
        assert_eq!(
            got,
            vec![(6, None, "email"), (32, Some("users"), "name"), (55, None, "age"), (72, None, "created_at")]
        );
    }

    #[test]
    fn attribute_methods() {
        assert_eq!(attribute_of("email_changed?"), "email");
        assert_eq!(attribute_of("saved_change_to_email?"), "email");
        assert_eq!(attribute_of("email_was"), "email");
        assert_eq!(attribute_of("admin?"), "admin");
        assert_eq!(attribute_of("email"), "email");
    }
}

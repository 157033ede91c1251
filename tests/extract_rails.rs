//! The Rails extractor on realistic files: exact (line, target, kind) sets per file, and the
//! traps from the scanner issue (comments, string values, routes, CSS classes, unrelated hashes).

use std::collections::BTreeSet;
use std::path::Path;

use tandem::config::Framework;
use tandem::scan::extract::rails::RailsExtractor;
use tandem::scan::extract::{ExtractContext, Extractor};
use tandem::scan::facts::{FileFacts, Target};

fn extract(path: &str, source: &str) -> FileFacts {
    let extractor = RailsExtractor;
    assert!(extractor.applies(path, Framework::Rails), "{path}");
    extractor.extract(path, source, &ExtractContext { framework: Framework::Rails, identifiers: &[] })
}

fn facts(path: &str) -> FileFacts {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/extract/rails").join(path);
    let source = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    extract(path, &source)
}

fn models(facts: &FileFacts) -> Vec<String> {
    facts
        .models
        .iter()
        .map(|m| {
            format!(
                "{} parent={:?} table={:?} abstract={} ignored={:?} line={}",
                m.class, m.parent, m.table, m.is_abstract, m.ignored_columns, m.line
            )
        })
        .collect()
}

fn show(t: &Target) -> String {
    match t {
        Target::Table { table } => format!("table {table}"),
        Target::Column { table, column } => format!("{table}.{column}"),
        Target::Model { model } => format!("model {model}"),
        Target::ModelColumn { model, column } => format!("{model}#{column}"),
        other => format!("{other:?}"),
    }
}

/// (line, target, kind) of every hit.
fn hits(facts: &FileFacts) -> BTreeSet<(u32, String, &'static str)> {
    facts.hits.iter().map(|h| (h.line, show(&h.target), h.kind.as_str())).collect()
}

fn set(items: &[(u32, &str, &'static str)]) -> BTreeSet<(u32, String, &'static str)> {
    items.iter().map(|(l, t, k)| (*l, (*t).to_owned(), *k)).collect()
}

/// Lines on which any hit names `needle` (a column or table), for trap assertions.
fn lines_naming(facts: &FileFacts, needle: &str) -> Vec<u32> {
    facts.hits.iter().filter(|h| show(&h.target).ends_with(needle)).map(|h| h.line).collect()
}

#[test]
fn models_user() {
    let facts = facts("app/models/user.rb");
    assert_eq!(
        hits(&facts),
        set(&[
            (18, "model Organization", "declaration"),
            (18, "User#organization_id", "declaration"),
            (18, "Organization#users_count", "declaration"),
            (19, "model User", "declaration"),
            (19, "User#invited_by_id", "declaration"),
            (20, "User#avatarable_id", "declaration"),
            (20, "User#avatarable_type", "declaration"),
            (21, "model Post", "declaration"),
            (21, "Post#user_id", "declaration"),
            (22, "model Comment", "declaration"),
            (22, "Comment#author_id", "declaration"),
            (23, "model Note", "declaration"),
            (23, "Note#notable_id", "declaration"),
            (23, "Note#notable_type", "declaration"),
            (24, "model Tag", "declaration"),
            (25, "model Profile", "declaration"),
            (25, "Profile#user_id", "declaration"),
            (26, "table roles_users", "declaration"),
            (26, "roles_users.role_id", "declaration"),
            (26, "roles_users.user_id", "declaration"),
            (26, "model Role", "declaration"),
            (28, "User#status", "declaration"),
            (29, "User#locale", "declaration"),
            (30, "User#time_zone", "declaration"),
            (31, "User#settings", "declaration"),
            (32, "User#preferences", "declaration"),
            (33, "User#username", "declaration"),
            (34, "User#password_digest", "declaration"),
            (36, "User#email", "query"),
            (36, "User#organization_id", "query"),
            (37, "User#name", "query"),
            (39, "Organization#plan", "query"),
            (41, "User#created_at", "query"),
            (41, "User#created_at", "query"),
            (42, "User#name", "sql"),
            (43, "User#hidden_at", "query"),
            (46, "User#email", "query"),
            (46, "User#email", "query"),
            (46, "User#status", "query"),
            (52, "User#nickname", "query"),
            (52, "User#email", "query"),
            (56, "User#last_login_at", "query"),
            (61, "Membership#token", "declaration"),
            (65, "Membership#role", "query"),
            (67, "Membership#role", "query"),
        ])
    );
    assert_eq!(
        models(&facts),
        [
            "User parent=Some(\"ApplicationRecord\") table=None abstract=false ignored=[\"legacy_flag\"] line=13",
            "Membership parent=Some(\"ApplicationRecord\") table=None abstract=false ignored=[] line=60",
        ]
    );
}

#[test]
fn models_admin() {
    let facts = facts("app/models/admin.rb");
    assert_eq!(hits(&facts), set(&[]));
    assert!(models(&facts).is_empty());
}

#[test]
fn models_admin_audit_entry() {
    let facts = facts("app/models/admin/audit_entry.rb");
    assert_eq!(
        hits(&facts),
        set(&[
            (3, "table audit_log", "declaration"),
            (4, "Admin::AuditEntry#entry_uuid", "declaration"),
            (6, "model User", "declaration"),
            (6, "Admin::AuditEntry#user_id", "declaration"),
            (9, "Admin::AuditEntry#user_id", "query"),
            (9, "User#id", "query"),
            (9, "Admin::AuditEntry#action", "query"),
            (9, "audit_log.created_at", "sql"),
            (23, "Announcement#kind", "declaration"),
        ])
    );
    assert_eq!(
        models(&facts),
        [
            "Admin::AuditEntry parent=Some(\"ApplicationRecord\") table=Some(\"audit_log\") abstract=false ignored=[] line=2",
            "Admin::Setting parent=Some(\"ApplicationRecord\") table=None abstract=false ignored=[] line=13",
            "Post parent=Some(\"ApplicationRecord\") table=None abstract=false ignored=[] line=17",
            "Post::Revision parent=Some(\"ApplicationRecord\") table=Some(\"post_revisions\") abstract=false ignored=[] line=18",
            "Announcement parent=Some(\"Post\") table=None abstract=false ignored=[] line=22",
        ]
    );
}

#[test]
fn controllers_users_controller() {
    let facts = facts("app/controllers/users_controller.rb");
    assert_eq!(
        hits(&facts),
        set(&[
            (3, "User#status", "query"),
            (3, "User#email", "query"),
            (9, "User#locked_at", "query"),
            (13, "User#email", "query"),
            (14, "User#last_seen_at", "query"),
            (16, "User#username", "query"),
            (19, "User#age", "query"),
            (20, "User#email", "query"),
            (28, "User#email", "query"),
            (28, "User#name", "query"),
            (28, "User#tag_ids", "query"),
            (28, "Profile#bio", "query"),
            (32, "Account#plan", "query"),
            (32, "Account#seats", "query"),
        ])
    );
    assert!(models(&facts).is_empty());
}

#[test]
fn views_users_form_html() {
    let facts = facts("app/views/users/_form.html.erb");
    assert_eq!(
        hits(&facts),
        set(&[
            (4, "User#email", "query"),
            (5, "User#email", "query"),
            (7, "Profile#bio", "query"),
            (12, "User#email", "query"),
            (12, "User#full_name", "query"),
        ])
    );
    assert!(models(&facts).is_empty());
}

#[test]
fn views_users_show_json() {
    let facts = facts("app/views/users/show.json.jbuilder");
    assert_eq!(
        hits(&facts),
        set(&[
            (1, "User#id", "query"),
            (1, "User#email", "query"),
            (1, "User#created_at", "query"),
            (2, "User#username", "query"),
            (3, "User#status", "query"),
            (5, "Comment#body", "query"),
        ])
    );
    assert!(models(&facts).is_empty());
}

#[test]
fn serializers_user_serializer() {
    let facts = facts("app/serializers/user_serializer.rb");
    assert_eq!(
        hits(&facts),
        set(&[
            (2, "User#id", "query"),
            (2, "User#email", "query"),
            (3, "User#avatar_url", "query"),
            (6, "User#avatar_url", "query"),
        ])
    );
    assert!(models(&facts).is_empty());
}

#[test]
fn jobs_cleanup_job() {
    let facts = facts("app/jobs/cleanup_job.rb");
    assert_eq!(
        hits(&facts),
        set(&[
            (3, "User#last_seen_at", "sql"),
            (3, "users.deleted_at", "sql"),
            (3, "User#status", "query"),
            (4, "users.email", "query"),
        ])
    );
    assert!(models(&facts).is_empty());
}

#[test]
fn traps_are_not_references() {
    let user = facts("app/models/user.rb");
    // The annotate block names every column; comments never count.
    assert!(
        user.hits.iter().all(|h| h.line > 12),
        "{:?}",
        user.hits.iter().filter(|h| h.line <= 12).collect::<Vec<_>>()
    );
    // `status == "pending"` compares a value; `"Anonymous"` is a value.
    assert!(!lines_naming(&user, "#status").contains(&50));
    // Ignored columns are the opposite of a use.
    assert!(lines_naming(&user, "legacy_flag").is_empty());

    let controller = facts("app/controllers/users_controller.rb");
    // `render "name"`, `redirect_to "/status"`, a local hash and a non-model call's keywords.
    assert!(!lines_naming(&controller, "#name").iter().any(|l| [4, 21, 22].contains(l)));
    assert!(!lines_naming(&controller, "#status").contains(&9));

    let form = facts("app/views/users/_form.html.erb");
    // CSS classes and the ERB comment.
    assert!(form.hits.iter().all(|h| h.line >= 4), "{:?}", form.hits);
    assert!(lines_naming(&form, "secret").is_empty());
}

#[test]
fn columns_are_characters_and_snippets_are_trimmed_lines() {
    let facts =
        extract("app/models/thing.rb", "class Thing < ApplicationRecord\n  scope :é, -> { where(title: 1) }\nend\n");
    let hit = facts.hits.iter().find(|h| show(&h.target) == "Thing#title").expect("title hit");
    assert_eq!((hit.line, hit.column), (2, 24));
    assert_eq!(hit.snippet, "scope :é, -> { where(title: 1) }");
}

#[test]
fn applies_to_ruby_erb_and_jbuilder_of_rails_apps_only() {
    let e = RailsExtractor;
    assert!(e.applies("app/views/users/index.html.erb", Framework::Rails));
    assert!(e.applies("lib/tasks/cleanup.rake", Framework::Rails));
    assert!(!e.applies("app/models/user.rb", Framework::Phoenix));
    assert!(!e.applies("app/assets/stylesheets/users.css", Framework::Rails));
    assert!(!e.applies("db/schema.rb", Framework::Rails));
}

#[test]
fn unparseable_ruby_yields_what_parses_and_never_panics() {
    let facts =
        extract("app/models/broken.rb", "class Broken < ApplicationRecord\n  belongs_to :owner\n\n  def x = (]\nend\n");
    assert!(hits(&facts).contains(&(2, "Broken#owner_id".to_owned(), "declaration")));
    let _ = extract("app/views/x.html.erb", "<% if %><%= <% %> %%>");
}

//! The Rails extractor on realistic files: exact (line, target, kind) sets per file, and the
//! traps from the scanner issue (comments, string values, routes, CSS classes, unrelated hashes).

use std::path::Path;

use tandem::config::Framework;
use tandem::scan::extract::Extractor;
use tandem::scan::extract::rails::RailsExtractor;
use tandem::scan::facts::FileFacts;

use crate::support::facts::{hits, lines_naming, set, show};

fn extract(path: &str, source: &str) -> FileFacts {
    crate::support::facts::extract(&RailsExtractor, Framework::Rails, path, source)
}

fn facts(path: &str) -> FileFacts {
    crate::support::facts::run(&RailsExtractor, Framework::Rails, &format!("rails/{path}"))
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
            // Loading through `posts` reads what `posts` reads (resolution).
            (24, "User#posts", "query"),
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
            // `delegate … to: :organization` in a model reads the association.
            (39, "User#organization", "query"),
            (41, "User#created_at", "query"),
            (41, "User#created_at", "query"),
            (42, "User#name", "sql"),
            (43, "User#hidden_at", "query"),
            (46, "User#email", "query"),
            (46, "User#email", "query"),
            (46, "User#status", "query"),
            (50, "User#status", "query"),
            (52, "User#email", "query"),
            (52, "User#nickname", "query"),
            (52, "User#email", "query"),
            (56, "User#last_login_at", "query"),
            (61, "Membership#token", "declaration"),
            // `if: :saved_change_to_role?`: the callback's condition reads the attribute.
            (62, "Membership#role", "query"),
            // A plain predicate as called: resolution maps an enum value's to its column, any
            // other to its stem.
            (65, "Membership#admin?", "query"),
            (65, "Membership#role", "query"),
            (67, "Membership#role", "query"),
            (72, "model Post", "declaration"),
            (72, "Post#publication_id", "declaration"),
            (72, "Post#published", "query"),
            (72, "Post#position", "query"),
            (73, "model Draft", "declaration"),
            (73, "Draft#publication_id", "declaration"),
            (76, "Publication#archived", "query"),
            (76, "Publication#hidden", "query"),
        ])
    );
    assert_eq!(
        models(&facts),
        [
            "User parent=Some(\"ApplicationRecord\") table=None abstract=false ignored=[\"legacy_flag\"] line=13",
            "Membership parent=Some(\"ApplicationRecord\") table=None abstract=false ignored=[] line=60",
            "Publication parent=Some(\"ApplicationRecord\") table=None abstract=false ignored=[] line=71",
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
            (3, "model User", "query"),
            (8, "model User", "query"),
            (15, "model User", "query"),
            (18, "model User", "query"),
            (19, "model User", "query"),
            (20, "model User", "query"),
            (3, "User#status", "query"),
            (3, "User#email", "query"),
            (9, "User#locked_at", "query"),
            (13, "User#email", "query"),
            (14, "User#last_seen_at", "query"),
            (16, "User#username", "query"),
            (19, "User#age", "query"),
            (20, "User#email", "query"),
            // The keyword read through what `Report.generate` writes, if it is the app's and
            // writes it (resolution: nothing binds it here, so nothing).
            (
                22,
                "$class:rails:keyword:UsersController::Report.generate|class:rails:keyword:Report.generate/name.name",
                "query",
            ),
            (28, "User#email", "query"),
            (28, "User#name", "query"),
            (28, "User#tag_ids", "query"),
            // Nested attributes: the association's records, followed at resolution.
            (28, "User.profile.bio", "query"),
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
            (4, "$rails:view:users|rails:view:/@user?User.email", "query"),
            (5, "$rails:view:users|rails:view:/@user?User.email", "query"),
            (7, "$rails:view:users|rails:view:/@user?User.profile.bio", "query"),
            (12, "$rails:view:users|rails:view:/@users?User.email", "query"),
            (12, "$rails:view:users|rails:view:/@users?User.full_name", "query"),
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
            (1, "$rails:view:users|rails:view:/@user?User.id", "query"),
            (1, "$rails:view:users|rails:view:/@user?User.email", "query"),
            (1, "$rails:view:users|rails:view:/@user?User.created_at", "query"),
            (2, "$rails:view:users|rails:view:/@user?User.username", "query"),
            (3, "$rails:view:users|rails:view:/@user?User.status", "query"),
            // An association or a column: resolution decides with the model's associations.
            (4, "$rails:view:users|rails:view:/@user?User.comments", "query"),
            // The key's collection types the block's record: `@user`'s `comments`, not a guess
            // from the name `comment`.
            (5, "$rails:view:users|rails:view:/@user?User.comments.body", "query"),
        ])
    );
    assert!(models(&facts).is_empty());
}

#[test]
fn serializers_user_serializer() {
    let facts = facts("app/serializers/user_serializer.rb");
    assert_eq!(
        hits(&facts),
        // The records the serializer's uses give it, else (none binds) the model its name says.
        set(&[
            (2, "$rails:serializer:UserSerializer/object?User.id", "query"),
            (2, "$rails:serializer:UserSerializer/object?User.email", "query"),
            (3, "$rails:serializer:UserSerializer/object?User.avatar_url", "query"),
            (6, "$rails:serializer:UserSerializer/object?User.avatar_url", "query"),
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
            (3, "model User", "query"),
            (4, "model Post", "query"),
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
    // `status == "pending"` reads the attribute (line 50) but `"pending"` and `"Anonymous"` are values.
    assert!(lines_naming(&user, "pending").is_empty() && lines_naming(&user, "Anonymous").is_empty());
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

/// The bundled example's Rails app: `legacy_flag` is ignored, not used; `Billing::Purchase`
/// maps `orders`; `has_many :invoices` names a model that does not exist (resolution drops it).
#[test]
fn bundled_example_platform() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/platform");
    let read = |p: &str| extract(p, &std::fs::read_to_string(root.join(p)).expect("example file"));
    let user = read("app/models/user.rb");
    assert_eq!(user.models[0].ignored_columns, ["legacy_flag"]);
    assert!(lines_naming(&user, "legacy_flag").is_empty());
    assert!(hits(&user).contains(&(38, "User#email".to_owned(), "query")));
    let purchase = read("app/models/billing/purchase.rb");
    assert_eq!(purchase.models[0].class, "Billing::Purchase");
    assert_eq!(purchase.models[0].table.as_deref(), Some("orders"));
    let report = read("app/queries/revenue_report.rb");
    // The heredoc is whole SQL: the SQL extractor reads it; here only the model's use counts.
    assert_eq!(hits(&report), set(&[(7, "model Billing::Purchase", "query")]));
}

#[test]
fn bulk_writes_and_update_all_fragments() {
    let src = "class Counter\n  def bump(ids, rows)\n    Post.where(id: ids).update_all(\"views = views + 1\")\n    Post.upsert_all(rows, unique_by: :slug, returning: false)\n    Post.insert_all([{ title: \"a\", slug: \"b\" }])\n  end\nend\n";
    let facts = extract("app/services/counter.rb", src);
    assert_eq!(
        hits(&facts),
        set(&[
            (3, "model Post", "query"),
            (4, "model Post", "query"),
            (5, "model Post", "query"),
            (3, "Post#id", "query"),
            (3, "Post#views", "sql"),
            (4, "Post#slug", "query"),
            (5, "Post#title", "query"),
            (5, "Post#slug", "query"),
        ])
    );
    // `views` is named twice on line 3: two hits at different columns.
    assert_eq!(facts.hits.iter().filter(|h| show(&h.target) == "Post#views").count(), 2);
}

#[test]
fn model_settings_and_remaining_query_methods() {
    let src = r#"class ApplicationRecord < ActiveRecord::Base
  primary_abstract_class
end

class AnimalsRecord < ApplicationRecord
  self.abstract_class = true
  connects_to database: { writing: :animals }
end

module Admin
  def self.table_name_prefix
    "admin_"
  end

  class Account < ApplicationRecord
    self.ignored_columns = [:legacy_plan, "old_name"]
    has_and_belongs_to_many :groups, join_table: "admin_memberships"

    def self.report
      select(:plan).group(:region).find_or_create_by(slug: "x").increment!(:visits)
    end
  end
end
"#;
    let facts = extract("app/models/admin.rb", src);
    assert_eq!(
        models(&facts),
        [
            "ApplicationRecord parent=Some(\"ActiveRecord::Base\") table=None abstract=true ignored=[] line=1",
            "AnimalsRecord parent=Some(\"ApplicationRecord\") table=None abstract=true ignored=[] line=5",
            "Admin::Account parent=Some(\"ApplicationRecord\") table=Some(\"admin_accounts\") abstract=false ignored=[\"legacy_plan\", \"old_name\"] line=15",
        ]
    );
    assert_eq!(
        hits(&facts),
        set(&[
            (17, "model Group", "declaration"),
            (17, "table admin_memberships", "declaration"),
            (17, "admin_memberships.account_id", "declaration"),
            (17, "admin_memberships.group_id", "declaration"),
            (20, "Admin::Account#plan", "query"),
            (20, "Admin::Account#region", "query"),
            (20, "Admin::Account#slug", "query"),
            (20, "Admin::Account#visits", "query"),
        ])
    );
}

#[test]
fn single_table_inheritance_is_narrow() {
    let src = "module Billing\n  class CreditInvoice < Billing::Invoice\n  end\n\n  class Checkout < Reform::Form\n  end\n\n  class Wrapper < SimpleDelegator\n  end\nend\n\nclass Admin < User\nend\n\nclass Export < Dry::Struct\nend\n";
    let facts = extract("app/models/billing.rb", src);
    assert_eq!(
        models(&facts),
        [
            "Billing::CreditInvoice parent=Some(\"Billing::Invoice\") table=None abstract=false ignored=[] line=2",
            "Admin parent=Some(\"User\") table=None abstract=false ignored=[] line=12",
        ]
    );
    // Outside app/models a class is a model only through an ActiveRecord base.
    assert!(extract("lib/admin.rb", "class Admin < User\nend\n").models.is_empty());
}

#[test]
fn heredoc_and_arel_sql_fragments() {
    let src = "class Session < ApplicationRecord\n  scope :stale, ->(since) {\n    where(<<~SQL.squish, since)\n      last_seen_at < ? AND revoked_at IS NULL\n    SQL\n  }\n  scope :ordered, -> { order(Arel.sql(\"COALESCE(expires_at, created_at) DESC\")) }\nend\n";
    let facts = extract("app/models/session.rb", src);
    assert_eq!(
        hits(&facts),
        set(&[
            (4, "Session#last_seen_at", "sql"),
            (4, "Session#revoked_at", "sql"),
            (7, "Session#expires_at", "sql"),
            (7, "Session#created_at", "sql"),
        ])
    );
}

#[test]
fn delegation_with_prefix_and_association_primary_keys() {
    let src = "class Status < ApplicationRecord\n  belongs_to :account, primary_key: :uuid, foreign_key: :account_uuid\n  delegate :domain, to: :account, prefix: true\nend\n";
    let facts = extract("app/models/status.rb", src);
    assert_eq!(
        hits(&facts),
        set(&[
            (2, "model Account", "declaration"),
            (2, "Status#account_uuid", "declaration"),
            (2, "Account#uuid", "declaration"),
            (3, "Account#domain", "query"),
            (3, "Status#account", "query"),
        ])
    );
}

#[test]
fn dynamic_finder_columns_point_at_each_attribute() {
    let facts = extract("app/x.rb", "User.find_by_email_and_name!(e, n)\n");
    let cols: Vec<(String, u32)> = facts
        .hits
        .iter()
        .filter(|h| show(&h.target).starts_with("User#"))
        .map(|h| (show(&h.target), h.column))
        .collect();
    assert_eq!(cols, [("User#email".to_owned(), 14), ("User#name".to_owned(), 24)]);
}

#[test]
fn gem_macros_and_method_form_table_name() {
    let src = "class Member < ApplicationRecord\n  def self.table_name = \"legacy_members\"\n\n  devise :database_authenticatable, :recoverable,\n         :trackable, :omniauthable\n  acts_as_paranoid column: :removed_at\n  acts_as_list\nend\n";
    let facts = extract("app/models/member.rb", src);
    assert_eq!(facts.models[0].table.as_deref(), Some("legacy_members"));
    assert_eq!(
        hits(&facts),
        set(&[
            (2, "table legacy_members", "declaration"),
            (4, "Member#email", "declaration"),
            (4, "Member#encrypted_password", "declaration"),
            (4, "Member#reset_password_token", "declaration"),
            (4, "Member#reset_password_sent_at", "declaration"),
            (5, "Member#sign_in_count", "declaration"),
            (5, "Member#current_sign_in_at", "declaration"),
            (5, "Member#last_sign_in_at", "declaration"),
            (5, "Member#current_sign_in_ip", "declaration"),
            (5, "Member#last_sign_in_ip", "declaration"),
            (6, "Member#removed_at", "declaration"),
            (7, "Member#position", "declaration"),
        ])
    );
}

#[test]
fn literals_shadow_model_like_variable_names() {
    let src = "class Mailer\n  def deliver(user)\n    user.email\n    account = \"acme\"\n    account.plan\n    account = Account.first\n    account.plan\n  end\nend\n";
    let facts = extract("app/services/mailer.rb", src);
    assert_eq!(
        hits(&facts),
        set(&[(3, "User#email", "query"), (6, "model Account", "query"), (7, "Account#plan", "query")])
    );
}

#[test]
fn haml_and_slim_templates() {
    let haml = facts("app/views/users/show.html.haml");
    assert_eq!(
        hits(&haml),
        set(&[
            (2, "$rails:view:users|rails:view:/@user?User.name", "query"),
            (4, "$rails:view:users|rails:view:/@user?User.created_at", "query"),
            (4, "$rails:view:users|rails:view:/@user?User.role", "query"),
            (7, "$rails:view:users|rails:view:/@user?User.posts", "query"),
            // The block `@user.posts.each do |post|` is closed where the indentation ends it, so
            // its parameter is typed: the records of `@user`'s `posts`, not a guess by name.
            (8, "$rails:view:users|rails:view:/@user?User.posts.title", "query"),
        ])
    );
    // `-#` and `/` comments, CSS classes, filters and text are not code.
    assert!(haml.hits.iter().all(|h| ![1, 3, 9, 10, 11, 12].contains(&h.line)));
    let slim = facts("app/views/users/index.html.slim");
    assert_eq!(
        hits(&slim),
        // `- @users.each do |user|` types `user` as one of the controller's `@users`.
        set(&[
            (6, "$rails:view:users|rails:view:/@users?User.email", "query"),
            (7, "$rails:view:users|rails:view:/@users?User.status", "query"),
            (8, "$rails:view:users|rails:view:/@users?User.last_seen_at", "query"),
        ])
    );
    assert!(lines_naming(&slim, "password_digest").is_empty());
}

#[test]
fn slim_attribute_values_whitespace_markers_and_ruby_blocks_are_code() {
    let src = "ruby:\n  total = @user.visits_count\na.prev href=user_path(id: @user.login) title=\"#{@user.nickname}\" Profile\np\n  => @user.email\n/ @user.secret\np Text @user.bogus\n";
    let slim = extract("app/views/users/show.html.slim", src);
    // A `ruby:` block, an attribute's Ruby value and a quoted one's `#{…}`, `=>`'s code (not
    // `> @user.email`); never a `/` comment or text.
    assert_eq!(
        hits(&slim),
        set(&[
            (2, "$rails:view:users|rails:view:/@user?User.visits_count", "query"),
            (3, "$rails:view:users|rails:view:/@user?User.login", "query"),
            (3, "$rails:view:users|rails:view:/@user?User.nickname", "query"),
            (5, "$rails:view:users|rails:view:/@user?User.email", "query"),
        ])
    );
}

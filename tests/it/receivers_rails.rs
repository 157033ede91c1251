//! Rails receiver resolution end to end: a real git repository scanned, each idiom's use of a
//! column found at its exact line, and the same word on another receiver not taken for it.

use std::collections::BTreeSet;

use tandem::config::Framework;
use tandem::scan::ScanResult;
use tandem::scan::resolve::SchemaIndex;
use tandem::scan::scan_ref;

use crate::support;
use crate::support::git::TestRepo;
use crate::support::scan::{RAILS_APPLICATION_RECORD, set};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("shop", Framework::Rails, files, tables)
}

/// `path:line object` of every reference at medium confidence or above, but the implicit ones.
fn uses(result: &ScanResult) -> BTreeSet<String> {
    result
        .references
        .iter()
        .filter(|r| r.confidence >= tandem::config::Confidence::Medium && r.kind.as_str() != "implicit")
        .map(|r| format!("{}:{} {}", r.path, r.line, r.object))
        .collect()
}

fn assert_has(got: &BTreeSet<String>, expected: &[&str]) {
    let missing: Vec<&&str> = expected.iter().filter(|e| !got.contains(**e)).collect();
    assert!(missing.is_empty(), "missing {missing:#?}\nin {got:#?}");
}

fn assert_lacks(got: &BTreeSet<String>, unexpected: &[&str]) {
    let present: Vec<&&str> = unexpected.iter().filter(|e| got.contains(**e)).collect();
    assert!(present.is_empty(), "unexpected {present:#?}\nin {got:#?}");
}

const TABLES: &[(&str, &[&str])] = &[
    ("posts", &["id", "title", "author_id", "published_at", "tags", "body"]),
    ("users", &["id", "name", "email"]),
    ("comments", &["id", "post_id", "body"]),
    ("tags", &["id", "post_id", "name"]),
    ("drafts", &["id", "title"]),
    ("accounts", &["id", "name"]),
];

const MODELS: &[(&str, &str)] = &[
    RAILS_APPLICATION_RECORD,
    (
        "app/models/post.rb",
        "class Post < ApplicationRecord\n  include Publishable\n  belongs_to :author, class_name: \"User\"\n  has_many :comments\n  has_many :tags\nend\n",
    ),
    ("app/models/user.rb", "class User < ApplicationRecord\n  has_many :posts, foreign_key: :author_id\nend\n"),
    ("app/models/comment.rb", "class Comment < ApplicationRecord\n  belongs_to :post\nend\n"),
    ("app/models/tag.rb", "class Tag < ApplicationRecord\nend\n"),
    ("app/models/draft.rb", "class Draft < ApplicationRecord\nend\n"),
    ("app/models/account.rb", "class Account < ApplicationRecord\nend\n"),
    (
        "app/models/concerns/publishable.rb",
        "module Publishable\n  extend ActiveSupport::Concern\n\n  included do\n    validates :published_at, presence: true\n  end\n\n  def live?\n    published_at.present?\n  end\nend\n",
    ),
];

/// `TABLES` with `drafts` given these columns.
fn with_drafts(columns: &'static [&'static str]) -> Vec<(&'static str, &'static [&'static str])> {
    TABLES.iter().copied().filter(|(t, _)| *t != "drafts").chain([("drafts", columns)]).collect()
}

fn with_models(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    MODELS.iter().copied().chain(extra.iter().copied()).collect()
}

#[test]
fn controller_instance_variables_type_their_views_and_partials() {
    let files = with_models(&[
        (
            "app/controllers/application_controller.rb",
            "class ApplicationController < ActionController::Base\n  before_action { @current_account = Account.find(1) }\nend\n",
        ),
        (
            "app/controllers/posts_controller.rb",
            "class PostsController < ApplicationController\n  before_action :set_post\n\n  def show\n  end\n\n  private\n\n  def set_post\n    @item = Post.find(params[:id])\n  end\nend\n",
        ),
        (
            "app/controllers/admin/posts_controller.rb",
            "module Admin\n  class PostsController < ApplicationController\n    def show\n      @item = Draft.find(params[:id])\n    end\n  end\nend\n",
        ),
        (
            "app/views/posts/show.html.erb",
            "<h1><%= @item.title %></h1>\n<p><%= @item.author.name %></p>\n<%= render partial: \"comment\", collection: @item.comments %>\n<%= render \"summary\", entry: @item %>\n<% @item.tags.each do |t| %><%= t.name %><% end %>\n<footer><%= @current_account.name %></footer>\n",
        ),
        ("app/views/posts/_comment.html.erb", "<div><%= comment.body %></div>\n"),
        ("app/views/posts/_summary.html.erb", "<p><%= entry.body %></p>\n"),
        ("app/views/admin/posts/show.html.erb", "<h1><%= @item.title %></h1>\n"),
    ]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            // `@item` is the Post `set_post` finds: no model is called Item.
            "app/views/posts/show.html.erb:1 posts.title",
            // Through `belongs_to :author, class_name: "User"`.
            "app/views/posts/show.html.erb:2 users.name",
            "app/views/posts/show.html.erb:2 posts.author_id",
            // A partial's local, from `render … collection:` and from `render "summary", entry:`.
            "app/views/posts/_comment.html.erb:1 comments.body",
            "app/views/posts/_summary.html.erb:1 posts.body",
            // A block over an association.
            "app/views/posts/show.html.erb:5 tags.name",
            // ApplicationController binds for every view.
            "app/views/posts/show.html.erb:6 accounts.name",
            // Another controller's `@item` is a Draft.
            "app/views/admin/posts/show.html.erb:1 drafts.title",
        ],
    );
    assert_lacks(
        &got,
        &[
            "app/views/admin/posts/show.html.erb:1 posts.title",
            "app/views/posts/show.html.erb:1 drafts.title",
            // `@item.tags` is the association, not the legacy `posts.tags` column.
            "app/views/posts/show.html.erb:5 posts.tags",
            "app/views/posts/_summary.html.erb:1 comments.body",
        ],
    );
}

#[test]
fn a_concern_reads_the_columns_of_the_models_that_include_it() {
    let (_dir, result) = scan(&with_models(&[]), TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            "app/models/concerns/publishable.rb:5 posts.published_at",
            "app/models/concerns/publishable.rb:9 posts.published_at",
        ],
    );
    // Nobody else includes it.
    assert!(!got.iter().any(|r| r.starts_with("app/models/concerns/") && !r.contains(" posts.")), "{got:#?}");
}

#[test]
fn association_chains_follow_declared_class_names_and_foreign_keys() {
    let files = with_models(&[(
        "app/services/digest.rb",
        "class Digest\n  def call(user)\n    user.posts.each do |post|\n      puts post.title\n      puts post.author.email\n    end\n    Comment.find(1).post.title\n  end\nend\n",
    )]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            "app/services/digest.rb:4 posts.title",
            "app/services/digest.rb:5 users.email",
            "app/services/digest.rb:7 posts.title",
            "app/services/digest.rb:7 comments.post_id",
        ],
    );
}

#[test]
fn a_warm_scan_re_resolves_views_when_their_controller_binds_anew() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut repo = TestRepo::init();
    let controller = |model: &str| {
        format!(
            "class PostsController < ApplicationController\n  def show\n    @item = {model}.find(params[:id])\n  end\nend\n"
        )
    };
    let mut files = with_models(&[("app/views/posts/show.html.erb", "<h1><%= @item.title %></h1>\n")]);
    let first = controller("Post");
    files.push(("app/controllers/posts_controller.rb", &first));
    repo.write(&files);
    repo.commit("post");
    let app = support::scan::app("shop", repo.path(), Framework::Rails);
    let config = support::scan::config(dir.path(), vec![app.clone()]);
    let index = SchemaIndex::new(&support::scan::schema(TABLES));
    let store = tandem::store::Store::open(&config.registry.store, &config.root).expect("store");
    let view = |r: &ScanResult| -> Vec<String> {
        uses(r).into_iter().filter(|u| u.starts_with("app/views/posts/show.html.erb:1 ")).collect()
    };
    let cold = scan_ref(&config, &app, "head", "main", Some(&index), Some(&store), false).expect("scans");
    assert_eq!(view(&cold), ["app/views/posts/show.html.erb:1 posts.title"]);
    // Only the controller changes: the view's snapshot references must not be reused as they were.
    repo.commit_files(&[("app/controllers/posts_controller.rb", &controller("Draft"))], "draft");
    let warm = scan_ref(&config, &app, "head", "main", Some(&index), Some(&store), false).expect("scans");
    assert_eq!(view(&warm), ["app/views/posts/show.html.erb:1 drafts.title"]);
}

/// The uses `uses` lists in one file, as `line object`.
fn in_file(got: &BTreeSet<String>, path: &str) -> BTreeSet<String> {
    got.iter().filter_map(|u| u.strip_prefix(path)?.strip_prefix(':').map(str::to_owned)).collect()
}

const MESSAGES: &[(&str, &[&str])] = &[
    ("posts", &["id", "title", "author_id", "published_at", "tags", "body"]),
    ("users", &["id", "name", "email", "karma"]),
    ("comments", &["id", "post_id", "body"]),
    ("tags", &["id", "post_id", "name"]),
    ("drafts", &["id", "title"]),
    ("accounts", &["id", "name"]),
    ("messages", &["id", "subject", "body", "deleted_by_author"]),
];

#[test]
fn hashes_and_lists_held_in_locals_name_attributes_where_they_are_written() {
    let files = with_models(&[
        (
            "app/models/message.rb",
            "class Message < ApplicationRecord\n  def as_json(_options = {})\n    attrs = [:subject, :body]\n    attrs.push :deleted_by_author if deleted_by_author\n    super(only: attrs)\n  end\nend\n",
        ),
        (
            "lib/tasks/seed.rb",
            "args = {\n  subject: \"hi\",\n  body: \"there\"\n}\nMessage.create!(args)\nrows = []\nrows << {title: \"a\"}\nPost.insert_all(rows)\nattrs = %w[id karma\n  name]\nUser.select(*attrs).to_a\nopts = {email: 1}\nputs opts\nUser.update_counters 1, karma: 2\n",
        ),
        ("app/views/users/show.html.erb", "<%= current_user.try(:email) %>\n<%= current_user.name %>\n"),
    ]);
    let (_dir, result) = scan(&files, MESSAGES);
    let got = uses(&result);
    assert_eq!(
        in_file(&got, "app/models/message.rb"),
        set(&[
            "3 messages.subject",
            "3 messages.body",
            "4 messages.deleted_by_author",
            // The predicate read in the modifier.
        ])
    );
    assert_eq!(
        in_file(&got, "lib/tasks/seed.rb"),
        set(&[
            "2 messages.subject",
            "3 messages.body",
            "5 messages",
            "7 posts.title",
            "8 posts",
            "9 users.id",
            "9 users.karma",
            "10 users.name",
            "11 users",
            // `opts` goes to no query: line 12 names nothing.
            "14 users.karma",
            "14 users",
        ])
    );
    assert_eq!(in_file(&got, "app/views/users/show.html.erb"), set(&["1 users.email", "2 users.name"]));
}

#[test]
fn model_helpers_writers_own_associations_and_class_body_scopes() {
    let files = with_models(&[
        (
            "app/models/message.rb",
            "class Message < ApplicationRecord\n  has_one :draft\n  scope :hot, ->(u) { base(u).order(:subject) }\n\n  def self.note!(s)\n    create_without_dupe!(subject: s)\n    create_draft(title: s)\n  end\n\n  def subject=(s)\n    super(s.strip)\n  end\n\n  def nickname=(n)\n    @nickname = n\n  end\nend\n",
        ),
        (
            "app/models/post.rb",
            "class Post < ApplicationRecord\n  include Publishable\n  belongs_to :author, class_name: \"User\"\n  has_many :comments\n  has_many :tags\n\n  def wipe!\n    comments.update_all(body: nil)\n  end\nend\n",
        ),
    ]);
    let (_dir, result) = scan(&files, MESSAGES);
    let got = uses(&result);
    assert_eq!(
        in_file(&got, "app/models/message.rb"),
        // `create_draft` is the has_one's: its `title` is no message column, and `nickname=`
        // writes no column.
        set(&["2 drafts", "3 messages.subject", "6 messages.subject", "10 messages.subject"])
    );
    assert_has(&in_file(&got, "app/models/post.rb"), &["8 comments.body"]);
    assert_lacks(&in_file(&got, "app/models/post.rb"), &["8 posts.body"]);
}

#[test]
fn plain_classes_under_app_models_are_no_models_and_message_may_be_one() {
    let files = with_models(&[
        ("app/models/message.rb", "class Message < ApplicationRecord\nend\n"),
        // A plain Ruby class and its subclass named like a model: no table is theirs.
        (
            "app/models/github/resource.rb",
            "module Github\n  class Resource\n    def title\n      @title\n    end\n  end\nend\n",
        ),
        (
            "app/models/github/post.rb",
            "module Github\n  class Post < Resource\n    def body\n      title\n    end\n  end\nend\n",
        ),
        (
            "app/jobs/notify_job.rb",
            "class NotifyJob < ApplicationJob\n  def perform(message)\n    message.subject\n  end\nend\n",
        ),
        (
            "app/controllers/users_controller.rb",
            "class UsersController < ApplicationController\n  def show\n    @shown = if params[:x]\n      User.new(name: params[:x])\n    else\n      User.find_by(name: params[:name])\n    end\n  end\nend\n",
        ),
        ("app/views/users/show.html.erb", "<%= @shown.email %>\n"),
    ]);
    let (_dir, result) = scan(&files, MESSAGES);
    // Not even the class line: only name-only (low) matches of `title` remain.
    let github: Vec<_> = result
        .references
        .iter()
        .filter(|r| r.path.starts_with("app/models/github/") && r.confidence >= tandem::config::Confidence::Medium)
        .collect();
    assert!(github.is_empty(), "{github:#?}");
    let got = uses(&result);
    assert_eq!(in_file(&got, "app/jobs/notify_job.rb"), set(&["3 messages.subject"]));
    assert_eq!(in_file(&got, "app/views/users/show.html.erb"), set(&["1 users.email"]));
}

#[test]
fn slim_blocks_type_their_parameters_and_form_builders_reach_partials() {
    let files = with_models(&[
        (
            "app/controllers/users_controller.rb",
            "class UsersController < ApplicationController\n  def edit\n    @user = current_user\n  end\nend\n",
        ),
        (
            "app/views/users/edit.html.slim",
            ".page\n  = form_for @user do |f|\n    = render partial: \"form\", locals: {f: f}\n  - @user.posts.each do |post|\n    p = post.title\n  .footer\n    = name\n",
        ),
        (
            "app/views/users/_form.html.slim",
            ".row\n  = f.label :email\n  = f.text_field :name\n  = f.submit \"Save\"\n",
        ),
    ]);
    let (_dir, result) = scan(&files, MESSAGES);
    let got = uses(&result);
    assert_eq!(in_file(&got, "app/views/users/_form.html.slim"), set(&["2 users.email", "3 users.name"]));
    assert_has(&in_file(&got, "app/views/users/edit.html.slim"), &["5 posts.title"]);
}

/// Without a schema the scan cannot list a model's columns; its class line still uses any
/// column of its table that a migration names — but not where the model listed its columns and
/// left one out (`ignored_columns`).
#[test]
fn a_models_class_line_uses_each_column_even_without_a_schema() {
    let files = with_models(&[(
        "app/models/message.rb",
        "class Message < ApplicationRecord\n  self.ignored_columns += [\"legacy\"]\nend\n",
    )]);
    let dir = tempfile::tempdir().expect("tempdir");
    let mut repo = TestRepo::init();
    repo.write(&files);
    repo.commit("app");
    let app = support::scan::app("shop", repo.path(), Framework::Rails);
    let config = support::scan::config(dir.path(), vec![app.clone()]);
    let lines = |index: Option<&SchemaIndex>, schema: Option<&tandem::schema::Schema>, column: &str| {
        let result = scan_ref(&config, &app, "head", "main", index, None, false).expect("scans");
        let graph = tandem::graph::DepGraph::build(schema, &[result]);
        let target = tandem::scan::ObjectRef::table("messages");
        let target = tandem::scan::ObjectRef { column: Some(column.into()), ..target };
        graph
            .references_to(&target, tandem::config::Confidence::Medium)
            .iter()
            .map(|r| format!("{}:{}", r.path, r.line))
            .collect::<BTreeSet<_>>()
    };
    // No schema: the class line stands for every column, `ignored_columns` listing none.
    assert_eq!(lines(None, None, "subject"), set(&["app/models/message.rb:1"]));
    // With one: the class line uses the columns the model loads, not the ignored one.
    let schema = support::scan::schema(&[("messages", &["id", "subject", "legacy"])]);
    let index = SchemaIndex::new(&schema);
    assert_eq!(lines(Some(&index), Some(&schema), "subject"), set(&["app/models/message.rb:1"]));
    assert_eq!(lines(Some(&index), Some(&schema), "legacy"), set(&[]));
}

/// `enum` generates predicates named after its values (with `prefix:`/`suffix:`): they read the
/// enum's column, not a column of their own name.
#[test]
fn enum_predicates_read_the_enum_column() {
    const ENUMS: &[(&str, &[&str])] =
        &[("users", &["id", "name", "email", "status", "role", "active"]), ("posts", &["id", "title", "author_id"])];
    let files = with_models(&[
        (
            "app/models/user.rb",
            "class User < ApplicationRecord\n  enum :status, { pending: 0, banned: 1 }\n  enum role: [:admin, :guest], _prefix: true\n\n  def shown?\n    pending? || role_admin?\n  end\nend\n",
        ),
        ("app/views/users/show.html.erb", "<%= @user.banned? %>\n<%= @user.role_guest? %>\n<%= @user.active? %>\n"),
        (
            "app/controllers/users_controller.rb",
            "class UsersController < ApplicationController\n  def show\n    @user = User.find(params[:id])\n  end\nend\n",
        ),
    ]);
    let (_dir, result) = scan(&files, ENUMS);
    let got = uses(&result);
    assert_eq!(
        in_file(&got, "app/models/user.rb"),
        set(&["2 users.status", "3 users.role", "6 users.status", "6 users.role"])
    );
    // A plain boolean column's predicate is still that column.
    assert_eq!(
        in_file(&got, "app/views/users/show.html.erb"),
        set(&["1 users.status", "2 users.role", "3 users.active"])
    );
}

/// A parameter or local named after the last words of a model (`assignment`, `assignments` for
/// `IssueAssignment`) is that model's record or relation when no model has the name itself and
/// only one ends with it; a plural name read off a receiver nothing types
/// (`sub.issue_assignments`) is that model's relation. A name two models end with stays unread.
#[test]
fn names_of_a_models_last_words_and_plural_associations_type_as_the_model() {
    let files = [
        RAILS_APPLICATION_RECORD,
        ("app/models/issue_assignment.rb", "class IssueAssignment < ApplicationRecord\nend\n"),
        ("app/models/hat_request.rb", "class HatRequest < ApplicationRecord\nend\n"),
        ("app/models/invitation_request.rb", "class InvitationRequest < ApplicationRecord\nend\n"),
        (
            "app/jobs/send_email_job.rb",
            "class SendEmailJob < ApplicationJob\n  def perform(user:, assignments:)\n    assignments.update_all(delivered: true)\n  end\n\n  def one(assignment)\n    assignment.update!(delivered: true)\n  end\n\n  def assign(sub)\n    sub.issue_assignments.create(issue_id: 1, delivered: true)\n  end\n\n  def other(request)\n    request.update!(reason: \"x\")\n  end\nend\n",
        ),
    ];
    let tables: &[(&str, &[&str])] = &[
        ("issue_assignments", &["id", "issue_id", "delivered"]),
        ("hat_requests", &["id", "reason"]),
        ("invitation_requests", &["id", "reason"]),
    ];
    let (_dir, result) = scan(&files, tables);
    let got = in_file(&uses(&result), "app/jobs/send_email_job.rb");
    assert_eq!(
        got,
        set(&[
            "3 issue_assignments.delivered",
            "7 issue_assignments.delivered",
            "11 issue_assignments.delivered",
            "11 issue_assignments.issue_id",
        ])
    );
}

/// Nested parameters of a route helper (`posts_path(post: { title: … })`) are the named
/// model's attributes; a chain off a receiver nothing types (a polymorphic `item`) reaches the
/// model a later step names (`act.item.post.title`). Keys under a name that is no model, and
/// steps that name none, stay unread.
#[test]
fn route_helper_params_and_chains_off_untyped_receivers_name_their_model() {
    let files = with_models(&[
        (
            "app/views/posts/index.html.erb",
            "<%= link_to \"x\", posts_path(post: { title: \"a\", body: \"b\" }) %>\n<%= link_to \"y\", search_path(q: { name: \"a\" }, tag: \"t\") %>\n",
        ),
        ("app/views/activities/_row.html.erb", "<%= act.item.post.title %>\n<%= act.item.name %>\n"),
    ]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    assert_eq!(in_file(&got, "app/views/posts/index.html.erb"), set(&["1 posts.title", "1 posts.body"]));
    assert_eq!(in_file(&got, "app/views/activities/_row.html.erb"), set(&["1 posts.title"]));
}

/// A service whose private methods are typed only by the calls the class makes of them, and by
/// what its methods return.
const DIGEST: &str = r#"class Digest
  def run(id)
    entry = Post.find(id)
    summarize(entry)
  end

  def mixed(id)
    show(Post.find(id))
    show(Draft.find(id))
  end

  def deliver
    latest.update!(body: "sent")
  end

  def signup
    User.find(1).update!(signup_attributes)
  end

  private

  def summarize(item)
    headline(item)
  end

  def headline(piece)
    piece.title
  end

  def show(thing)
    thing.title
  end

  def latest
    @latest ||= Comment.where(post_id: 1).last
  end

  def signup_attributes
    defaults.merge(email: "a@b")
  end

  def defaults
    @defaults ||= { name: "n" }
  end
end
"#;

#[test]
fn parameters_are_typed_by_their_callers_and_calls_by_what_methods_return() {
    let (_dir, result) = scan(&with_models(&[("app/services/digest.rb", DIGEST)]), TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            // `piece` is the Post `run` passes to `summarize`, which passes it on.
            "app/services/digest.rb:27 posts.title",
            // `latest` returns the comment its last expression finds.
            "app/services/digest.rb:13 comments.body",
            // The hash `signup_attributes` returns (merged with `defaults`'s) written to a user.
            "app/services/digest.rb:39 users.email",
            "app/services/digest.rb:43 users.name",
        ],
    );
    assert_lacks(
        &got,
        &[
            // `show` is called with a Post and with a Draft: its parameter is neither.
            "app/services/digest.rb:31 posts.title",
            "app/services/digest.rb:31 drafts.title",
            // A comment's body is not a post's.
            "app/services/digest.rb:13 posts.body",
        ],
    );
}

/// Idioms measured on an application tandem had not been tuned on (maybe-finance/maybe at
/// 77b54698, `benches/accuracy/maybe`): a gem's attribute macro, the app's own form helper,
/// `Current`'s records, a method called on each record by `&:name`, and join fragments.
const LEDGER: &[(&str, &str)] = &[
    (
        "app/models/post.rb",
        "class Post < ApplicationRecord\n  monetize :tags, :body\n  before_save :title\n  has_many :comments\n\n  def total\n    comments.sum(&:body) + comments.map(&:destroy).size\n  end\nend\n",
    ),
    (
        "app/models/current.rb",
        "class Current < ActiveSupport::CurrentAttributes\n  attribute :session\n  delegate :user, to: :session\nend\n",
    ),
    (
        "app/helpers/application_helper.rb",
        "module ApplicationHelper\n  def greeting\n    Current.user&.name\n  end\nend\n",
    ),
    (
        "app/views/posts/edit.html.erb",
        "<%= styled_form_with model: @post do |f| %>\n  <%= f.money_field :title %>\n<% end %>\n",
    ),
    (
        "app/models/seeder.rb",
        "class Seeder\n  def run\n    Comment.find_or_create_by!(post_id: 1) do |c|\n      c.body = \"x\"\n    end\n    Post.where(author_id: 2).tap do |p|\n      p.title = \"y\"\n    end\n  end\nend\n",
    ),
    (
        "app/models/report.rb",
        "class Report\n  def rows\n    visible.joins(ActiveRecord::Base.sanitize_sql_array([\n      \"LEFT JOIN users au ON au.id = posts.author_id AND au.email = ?\", 1\n    ]))\n  end\nend\n",
    ),
];

#[test]
fn gem_macros_app_form_helpers_current_symbol_procs_and_join_fragments() {
    let files: Vec<(&str, &str)> =
        MODELS.iter().copied().filter(|(p, _)| *p != "app/models/post.rb").chain(LEDGER.iter().copied()).collect();
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            // `monetize` is no macro tandem knows: its symbols are the model's columns.
            "app/models/post.rb:2 posts.tags",
            "app/models/post.rb:2 posts.body",
            // `&:body` is called on each comment.
            "app/models/post.rb:7 comments.body",
            // `Current.user` is the request's user.
            "app/helpers/application_helper.rb:3 users.name",
            // The app's own wrapper of `form_with`.
            "app/views/posts/edit.html.erb:2 posts.title",
            // A join fragment through `sanitize_sql_array`, its alias resolved, on a receiver
            // nothing types.
            "app/models/report.rb:4 users.email",
            "app/models/report.rb:4 posts.author_id",
            // The record a `find_or_create_by!` block builds; a writer on a relation `tap`
            // yields writes a record.
            "app/models/seeder.rb:4 comments.body",
            "app/models/seeder.rb:7 posts.title",
        ],
    );
    assert_lacks(
        &got,
        &[
            // A callback names a method, not the column it shares a name with.
            "app/models/post.rb:3 posts.title",
            // `destroy` is a record's method.
            "app/models/post.rb:7 comments.destroy",
        ],
    );
}

/// rubygems.org's idioms (issue 16, an app never tuned on): the tables its fixtures share.
const GEM_TABLES: &[(&str, &[&str])] = &[
    ("rubygems", &["id", "name", "indexed"]),
    (
        "versions",
        &["id", "rubygem_id", "number", "indexed", "position", "prerelease", "built_at", "yanked_at", "created_at"],
    ),
    ("ownerships", &["id", "rubygem_id", "confirmed_at"]),
    ("audits", &["id", "comment"]),
];

const GEM_MODELS: &[(&str, &str)] = &[
    RAILS_APPLICATION_RECORD,
    ("app/models/rubygem.rb", "class Rubygem < ApplicationRecord\n  has_many :versions\n  has_many :ownerships\nend\n"),
    ("app/models/ownership.rb", "class Ownership < ApplicationRecord\n  belongs_to :rubygem\nend\n"),
    ("app/models/audit.rb", "class Audit < ApplicationRecord\nend\n"),
];

fn with_gem_models(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    GEM_MODELS.iter().copied().chain(extra.iter().copied()).collect()
}

#[test]
fn an_admin_resource_names_the_columns_of_the_model_it_is_named_after() {
    let files = with_gem_models(&[
        ("app/models/version.rb", "class Version < ApplicationRecord\n  belongs_to :rubygem\nend\n"),
        (
            "app/avo/resources/version.rb",
            "class Avo::Resources::Version < Avo::BaseResource\n  self.title = :number\n\n  def fields\n    field :indexed, as: :boolean\n    field :rubygem, as: :belongs_to\n    tabs do\n      panel do\n        field :built_at, as: :date_time\n      end\n    end\n    sidebar_fields\n  end\n\n  def sidebar_fields\n    field :yanked_at, as: :date_time\n  end\nend\n",
        ),
        (
            "app/avo/resources/gem_resource.rb",
            "module Avo\n  module Resources\n    class GemResource < Avo::BaseResource\n      self.model_class = ::Rubygem\n\n      def fields\n        field :indexed, as: :boolean\n      end\n    end\n  end\nend\n",
        ),
        // An action's fields are its form's inputs, and a resource concern belongs to no model.
        (
            "app/avo/actions/yank.rb",
            "class Avo::Actions::Yank < Avo::BaseAction\n  def fields\n    field :comment, as: :textarea\n    field :indexed, as: :boolean\n  end\nend\n",
        ),
        (
            "app/avo/resources/concerns/auditable_resource.rb",
            "module AuditableResource\n  def fields\n    field :comment, as: :textarea\n  end\nend\n",
        ),
    ]);
    let (_dir, result) = scan(&files, GEM_TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            "app/avo/resources/version.rb:2 versions.number",
            "app/avo/resources/version.rb:5 versions.indexed",
            "app/avo/resources/version.rb:9 versions.built_at",
            "app/avo/resources/version.rb:16 versions.yanked_at",
            "app/avo/resources/gem_resource.rb:7 rubygems.indexed",
        ],
    );
    assert_lacks(
        &got,
        &[
            "app/avo/resources/gem_resource.rb:7 versions.indexed",
            "app/avo/actions/yank.rb:3 audits.comment",
            "app/avo/actions/yank.rb:4 versions.indexed",
            "app/avo/actions/yank.rb:4 rubygems.indexed",
            "app/avo/resources/concerns/auditable_resource.rb:3 audits.comment",
        ],
    );
}

#[test]
fn a_scope_called_implicitly_in_a_class_method_or_association_scope_is_a_relation_of_its_model() {
    let files = with_gem_models(&[
        (
            "app/models/version.rb",
            "class Version < ApplicationRecord\n  belongs_to :rubygem\n  enum :state, { pending: 0, done: 1 }\n\n  def self.pop(number: nil, built_at: nil)\n    scope = pending.limit(1).order(:position)\n    scope = scope.where(number: number) if number\n    built_at.where(indexed: true) if built_at\n    scope.take\n  end\nend\n",
        ),
        (
            "app/models/rubygem.rb",
            "class Rubygem < ApplicationRecord\n  has_many :versions\n  has_one :latest_version, -> { latest.order(:position) }, class_name: \"Version\"\nend\n",
        ),
    ]);
    let files: Vec<_> =
        files.into_iter().filter(|(p, c)| *p != "app/models/rubygem.rb" || c.contains("latest")).collect();
    let (_dir, result) = scan(&files, GEM_TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            "app/models/version.rb:6 versions.position",
            "app/models/version.rb:7 versions.number",
            "app/models/rubygem.rb:3 versions.position",
        ],
    );
    // A parameter is no scope, and the association's scope is not the owner's.
    assert_lacks(&got, &["app/models/version.rb:8 versions.indexed", "app/models/rubygem.rb:3 rubygems.position"]);
}

#[test]
fn a_rake_files_helper_method_types_the_calls_of_its_tasks() {
    let files = with_gem_models(&[
        ("app/models/version.rb", "class Version < ApplicationRecord\n  belongs_to :rubygem\nend\n"),
        (
            "lib/tasks/versions.rake",
            "namespace :versions do\n  def stale_versions\n    Version.where.not(\"built_at < created_at\")\n  end\n\n  task clean: :environment do\n    stale_versions.each do |v|\n      v.update_attribute(\"built_at\", v.built_at.to_s)\n    end\n    stale_versions.update_all([\"position = ?\", 0])\n    others = Rubygem.all\n    others.update_all([\"indexed = ?\", false])\n  end\nend\n",
        ),
    ]);
    let (_dir, result) = scan(&files, GEM_TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            "lib/tasks/versions.rake:3 versions.built_at",
            "lib/tasks/versions.rake:8 versions.built_at",
            "lib/tasks/versions.rake:10 versions.position",
            "lib/tasks/versions.rake:12 rubygems.indexed",
        ],
    );
    assert_lacks(&got, &["lib/tasks/versions.rake:12 versions.indexed"]);
}

#[test]
fn callback_conditions_run_on_the_record() {
    let files = with_gem_models(&[(
        "app/models/version.rb",
        "class Version < ApplicationRecord\n  belongs_to :rubygem\n  after_save :reorder, if: -> { saved_change_to_indexed? || saved_change_to_id? }\n  before_save :verify, if: :position_changed?\n  after_update :notify, unless: :saved_change_to_built_at?\n  scope :recent, -> { where(yanked_at: nil) }\n  validates :number, presence: true, if: -> { indexed? }\nend\n",
    )]);
    let (_dir, result) = scan(&files, GEM_TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            "app/models/version.rb:3 versions.indexed",
            "app/models/version.rb:4 versions.position",
            "app/models/version.rb:5 versions.built_at",
            "app/models/version.rb:6 versions.yanked_at",
            "app/models/version.rb:7 versions.indexed",
        ],
    );
    // The callback methods' own names are no attributes.
    assert_lacks(&got, &["app/models/version.rb:3 rubygems.indexed"]);
}

#[test]
fn a_models_own_method_named_like_a_column_is_not_the_column() {
    let files = with_gem_models(&[
        (
            "app/models/version.rb",
            "class Version < ApplicationRecord\n  belongs_to :rubygem\n  before_save :update_prerelease\n\n  def prerelease?\n    number.include?(\"pre\")\n  end\n  alias prerelease prerelease?\n\n  def payload\n    { \"prerelease\" => prerelease, \"indexed\" => indexed }\n  end\n\n  def suffix\n    \" --pre\" if prerelease?\n  end\n\n  private\n\n  def update_prerelease\n    self[:prerelease] = prerelease\n  end\nend\n",
        ),
        (
            "app/models/version_query.rb",
            "class VersionQuery\n  def prereleases\n    Version.where(prerelease: true)\n  end\n\n  def yanked?\n    Version.all.none?(&:indexed?)\n  end\nend\n",
        ),
    ]);
    let (_dir, result) = scan(&files, GEM_TABLES);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            // Still the column: the writer, a query, another attribute beside it.
            "app/models/version.rb:21 versions.prerelease",
            "app/models/version_query.rb:3 versions.prerelease",
            "app/models/version.rb:11 versions.indexed",
            // A predicate called on each record by a symbol proc.
            "app/models/version_query.rb:7 versions.indexed",
        ],
    );
    // `prerelease?` is defined by the model (and `prerelease` aliased to it): the reader is
    // shadowed, so calling it reads no column.
    assert_lacks(
        &got,
        &["app/models/version.rb:11 versions.prerelease", "app/models/version.rb:15 versions.prerelease"],
    );
}

#[test]
fn sql_with_comma_joined_aliases_and_interpolated_columns() {
    let files = with_gem_models(&[
        (
            "app/models/version.rb",
            "class Version < ApplicationRecord\n  belongs_to :rubygem\n\n  def self.oldest\n    minimum(\n      <<~SQL.squish\n        CASE WHEN DATE(created_at) = '#{IMPORTED_ON}'\n          AND built_at <= created_at THEN built_at ELSE created_at END\n      SQL\n    )\n  end\nend\n",
        ),
        (
            "app/models/concerns/compact_index.rb",
            "module CompactIndex\n  def versions_after(date, column)\n    query = [\"SELECT r.name, v.indexed, COALESCE(v.yanked_at, v.created_at) as stamp, v.#{column} as sum\n              FROM rubygems AS r, versions AS v\n              WHERE v.rubygem_id = r.id AND\n                    v.yanked_at > ?\n              ORDER BY r.name COLLATE \\\"C\\\", stamp\", date]\n    ActiveRecord::Base.connection.execute(ActiveRecord::Base.send(:sanitize_sql_array, query))\n  end\nend\n",
        ),
        (
            "app/models/user.rb",
            "class User < ApplicationRecord\n  has_many :ownerships, -> { where.not(confirmed_at: nil) }\n\n  def drop_all\n    ownerships.unscope(where: :confirmed_at).destroy_all\n  end\nend\n",
        ),
    ]);
    let tables: Vec<(&str, &[&str])> = GEM_TABLES.iter().copied().chain([("users", &["id"] as &[&str])]).collect();
    let (_dir, result) = scan(&files, &tables);
    let got = uses(&result);
    assert_has(
        &got,
        &[
            // After a quoted value an interpolation split in two.
            "app/models/version.rb:8 versions.built_at",
            "app/models/concerns/compact_index.rb:3 versions.indexed",
            "app/models/concerns/compact_index.rb:3 versions.yanked_at",
            "app/models/concerns/compact_index.rb:6 versions.yanked_at",
            "app/models/user.rb:5 ownerships.confirmed_at",
        ],
    );
    assert_lacks(&got, &["app/models/concerns/compact_index.rb:3 rubygems.indexed"]);
}

#[test]
fn a_controller_concern_types_the_instance_variables_of_the_controllers_that_include_it() {
    let files = with_models(&[
        (
            "app/controllers/concerns/latest_post.rb",
            "module LatestPost\n  extend ActiveSupport::Concern\n\n  included do\n    before_action :set_latest\n  end\n\n  def set_latest\n    @latest = Post.find(params[:post_id])\n  end\n\n  def pinned\n    @pinned ||= Post.first\n  end\nend\n",
        ),
        (
            "app/controllers/comments_controller.rb",
            "class CommentsController < ApplicationController\n  include LatestPost\n\n  def show\n    @heading = @latest.title\n  end\nend\n",
        ),
        (
            "app/views/comments/show.html.erb",
            "<h1><%= @latest.title %></h1>\n<p><%= @latest.body %></p>\n<p><%= @pinned.published_at %></p>\n",
        ),
        // A controller that does not include the concern: its `@latest` is none of the concern's.
        (
            "app/controllers/tags_controller.rb",
            "class TagsController < ApplicationController\n  def show\n  end\nend\n",
        ),
        ("app/views/tags/show.html.erb", "<h1><%= @latest.title %></h1>\n"),
    ]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    assert_eq!(
        in_file(&got, "app/views/comments/show.html.erb"),
        set(&["1 posts.title", "2 posts.body", "3 posts.published_at"])
    );
    assert_eq!(in_file(&got, "app/controllers/comments_controller.rb"), set(&["5 posts.title"]));
    assert_eq!(in_file(&got, "app/views/tags/show.html.erb"), set(&[]));
}

#[test]
fn a_jbuilder_keys_collection_block_gives_each_record() {
    let files = with_models(&[(
        "app/views/posts/_post.json.jbuilder",
        "json.id post.id\njson.comments(post.comments) do |comment|\n  json.body comment.body\nend\njson.array! post.tags do |tag|\n  json.label tag.name\nend\njson.extra(settings) do |entry|\n  json.body entry.body\nend\n",
    )]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    // `settings` is no relation: its block's `entry` is nothing known.
    assert_eq!(
        in_file(&got, "app/views/posts/_post.json.jbuilder"),
        set(&["1 posts.id", "2 comments.post_id", "3 comments.body", "5 tags.post_id", "6 tags.name"])
    );
}

#[test]
fn a_bare_arel_table_in_a_class_method_is_the_models() {
    let files = with_models(&[(
        "app/models/zone.rb",
        "class Zone < ApplicationRecord\n  def self.covering(point)\n    where(arel_table[:area].st_contains(point))\n  end\n\n  def self.other(arel_table)\n    arel_table[:area]\n  end\n\n  def area_of(table)\n    table[:area]\n  end\nend\n",
    )]);
    let tables: Vec<(&str, &[&str])> = TABLES.iter().copied().chain([("zones", &["id", "area"] as &[&str])]).collect();
    let (_dir, result) = scan(&files, &tables);
    let got = uses(&result);
    // A parameter named `arel_table` is whatever the caller passes.
    assert_eq!(in_file(&got, "app/models/zone.rb"), set(&["3 zones.area"]));
}

#[test]
fn a_field_named_after_a_models_parameter_is_its_attribute() {
    let files = with_models(&[(
        "app/views/posts/edit.html.erb",
        "<%= form_with url: \"/posts/1\" do |f| %>\n  <%= f.hidden_field \"post[title]\", value: 1 %>\n  <%= hidden_field_tag \"comment[body]\", false %>\n  <%= text_field_tag \"query[title]\" %>\n  <%= f.submit \"post[body]\" %>\n  <%= link_to \"post[body]\", \"/\" %>\n<% end %>\n",
    )]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    // `query` is no model; a button's or a link's text is no field.
    assert_eq!(in_file(&got, "app/views/posts/edit.html.erb"), set(&["2 posts.title", "3 comments.body"]));
}

#[test]
fn a_merged_hash_given_to_a_constructor_names_attributes() {
    let files = with_models(&[(
        "app/controllers/posts_controller.rb",
        "class PostsController < ApplicationController\n  def new\n    @post = Post.new(post_params.reverse_merge(:title => \"x\"))\n    @other = Post.new(post_params.merge(body: \"y\").slice(:published_at))\n    @p = Post.new(defaults.fetch(:author_id))\n  end\nend\n",
    )]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    // Only a hash merged last is the record's: a `fetch` is something else, and a `slice` of
    // it writes the keys it keeps (`published_at`), not those merged before (`body`).
    assert_eq!(
        in_file(&got, "app/controllers/posts_controller.rb"),
        set(&["3 posts", "3 posts.title", "4 posts", "4 posts.published_at", "5 posts"])
    );
}

#[test]
fn a_has_many_foreign_key_is_the_column_as_spelt_not_an_association_of_that_name() {
    let files = with_models(&[
        (
            "app/models/language.rb",
            "class Language < ApplicationRecord\n  has_many :entries, :foreign_key => \"language\"\n  has_many :notes, :foreign_key => \"language_code\"\nend\n",
        ),
        (
            "app/models/entry.rb",
            "class Entry < ApplicationRecord\n  belongs_to :language, :foreign_key => \"language_code\"\nend\n",
        ),
        (
            "app/models/note.rb",
            "class Note < ApplicationRecord\n  belongs_to :language, :foreign_key => \"language_code\"\nend\n",
        ),
    ]);
    let tables: Vec<(&str, &[&str])> = TABLES
        .iter()
        .copied()
        .chain([
            ("languages", &["code"] as &[&str]),
            ("entries", &["id", "language_code"] as &[&str]),
            ("notes", &["id", "language_code"] as &[&str]),
        ])
        .collect();
    let (_dir, result) = scan(&files, &tables);
    let got = uses(&result);
    // `entries.language` is no column: the first has_many reads nothing of `entries`.
    assert_eq!(in_file(&got, "app/models/language.rb"), set(&["2 entries", "3 notes", "3 notes.language_code"]));
    assert_eq!(in_file(&got, "app/models/entry.rb"), set(&["2 entries.language_code", "2 languages"]));
}

#[test]
fn a_readers_override_and_a_listed_validation_name_their_columns() {
    let files = with_models(&[(
        "app/models/draft.rb",
        "class Draft < ApplicationRecord\n  [:title,\n   :body].each do |counter|\n    validates counter, presence: true\n  end\n  %w[a b].each { |x| puts x }\n\n  def title\n    self[:title].to_s.split(\",\")\n  end\n\n  def body\n    \"computed\"\n  end\n\n  def state\n    super || \"new\"\n  end\nend\n",
    )]);
    let tables = with_drafts(&["id", "title", "body", "state"]);
    let (_dir, result) = scan(&files, &tables);
    let got = uses(&result);
    // `def body` computes its value: it is not the column's reader.
    assert_eq!(
        in_file(&got, "app/models/draft.rb"),
        set(&["2 drafts.title", "3 drafts.body", "8 drafts.title", "9 drafts.title", "16 drafts.state"])
    );
}

#[test]
fn a_controller_concerns_method_types_bare_calls_in_what_includes_it() {
    let files = with_models(&[
        (
            "app/controllers/concerns/post_lookup.rb",
            "module PostLookup\n  extend ActiveSupport::Concern\n\n  def found_post\n    @found_post ||= Post.find_by(id: params[:id])\n  end\nend\n",
        ),
        (
            "app/controllers/concerns/labels.rb",
            "module Labels\n  extend ActiveSupport::Concern\n\n  def label\n    @label = found_post.title\n  end\nend\n",
        ),
        (
            "app/controllers/posts_controller.rb",
            "class PostsController < ApplicationController\n  include PostLookup\n  include Labels\n\n  def show\n    render plain: found_post.title\n  end\n\n  def other\n    render plain: lost_post.title\n  end\n\n  def third\n    found_post = Draft.first\n    render plain: found_post.title\n  end\nend\n",
        ),
    ]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    // `Labels` does not include `PostLookup`: both run in the controllers that include them.
    assert_eq!(in_file(&got, "app/controllers/concerns/labels.rb"), set(&["5 posts.title"]));
    // A name no concern defines is its guess as before (`LostPost`: nothing); a local of that
    // name is the local.
    assert_eq!(
        in_file(&got, "app/controllers/posts_controller.rb"),
        set(&["14 drafts", "15 drafts.title", "6 posts.title"])
    );
}

#[test]
fn sql_templates_behind_sanitize_sql_array_and_a_local_heredoc_name_columns() {
    let files = with_models(&[(
        "app/models/account.rb",
        "class Account < ApplicationRecord\n  def self.with_posts\n    joins(sanitize_sql_array([\"LEFT JOIN posts ON posts.author_id = :id\", { id: 1 }]))\n  end\n\n  def self.search(q)\n    conditions = <<~SQL.squish\n      posts.title LIKE :q\n    SQL\n    where(conditions, q: q)\n  end\n\n  def self.twice(q)\n    cond = \"posts.body = 1\"\n    cond = \"posts.body = 2\" if q\n    where(cond)\n  end\nend\n",
    )]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    // A local assigned twice is not known to hold either string.
    assert_eq!(in_file(&got, "app/models/account.rb"), set(&["3 posts.author_id", "8 posts.title"]));
}

#[test]
fn an_attributes_slice_and_map_built_rows_of_a_write_name_attributes() {
    let files = with_models(&[
        (
            "app/models/draft.rb",
            "class Draft < ApplicationRecord\n  def copy_from(other)\n    update!(other.attributes.slice(\"title\", \"body\"))\n  end\n\n  def copy_some(other, key)\n    update!(other.slice(\"body\"))\n    update!(other.attributes.slice(key))\n  end\nend\n",
        ),
        (
            "app/services/tag_copier.rb",
            "class TagCopier\n  def run\n    post.tags.upsert_all(\n      @tags.map { |t| t.attributes.slice(\"name\").merge(\"post_id\" => 1) },\n      unique_by: :id\n    )\n  end\nend\n",
        ),
    ]);
    let tables = with_drafts(&["id", "title", "body"]);
    let (_dir, result) = scan(&files, &tables);
    let got = uses(&result);
    // A write takes a hash: the keys a slice of any hash keeps are the attributes written
    // (huginn's `new(original.slice(:schedule, …))`); a slice of a name says nothing.
    assert_eq!(in_file(&got, "app/models/draft.rb"), set(&["3 drafts.body", "3 drafts.title", "7 drafts.body"]));
    // (`post.tags` loads through `tags.post_id`.)
    assert_eq!(
        in_file(&got, "app/services/tag_copier.rb"),
        set(&["3 tags.post_id", "4 tags.name", "4 tags.post_id", "5 tags.id"])
    );
}

#[test]
fn a_permitted_hashs_tap_block_and_a_params_methods_fallback_name_attributes() {
    let files = with_models(&[(
        "app/controllers/posts_controller.rb",
        "class PostsController < ApplicationController\n  private\n    def post_params\n      params.require(:post).permit(:title).tap do |p|\n        p[:title] = p[:title].presence || \"Untitled\"\n      end\n    end\n\n    def draft_params\n      params.expect(draft: [:title])\n    rescue ActionController::ParameterMissing\n      ActionController::Parameters.new.permit(:title, :body)\n    end\n\n    def other_params\n      params.permit(:body)\n      other.permit(:body)\n    end\nend\n",
    )]);
    let tables = with_drafts(&["id", "title", "body"]);
    let (_dir, result) = scan(&files, &tables);
    let got = uses(&result);
    // A `permit` in a method that requires no model's key is nobody's.
    assert_eq!(
        in_file(&got, "app/controllers/posts_controller.rb"),
        set(&["10 drafts.title", "12 drafts.body", "12 drafts.title", "4 posts.title", "5 posts.title"])
    );
}

#[test]
fn a_concerns_bare_association_call_is_the_including_models_association() {
    let files = with_models(&[
        (
            "app/models/post.rb",
            "class Post < ApplicationRecord\n  include Searchable\n  belongs_to :author, class_name: \"User\"\n  has_many :comments\n  has_many :tags\nend\n",
        ),
        (
            "app/models/concerns/searchable.rb",
            "module Searchable\n  extend ActiveSupport::Concern\n\n  def search_data\n    if (writer = author)\n      { who: writer.email, n: shadow.email }\n    end\n  end\nend\n",
        ),
    ]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    // `author` is Post's association to `User` (reading it reads its foreign key); `shadow` is
    // no association and names no model.
    assert_eq!(in_file(&got, "app/models/concerns/searchable.rb"), set(&["5 posts.author_id", "6 users.email"]));
}

#[test]
fn an_avo_actions_record_is_a_record_of_each_resource_that_lists_it() {
    let files = with_models(&[
        (
            "app/avo/resources/post.rb",
            "class Avo::Resources::Post < Avo::BaseResource\n  def actions\n    action Avo::Actions::Publish\n  end\nend\n",
        ),
        (
            "app/avo/actions/publish.rb",
            "class Avo::Actions::Publish < Avo::BaseAction\n  self.message = lambda {\n    \"Publish #{record.title}?\"\n  }\nend\n",
        ),
        (
            "app/avo/actions/archive.rb",
            "class Avo::Actions::Archive < Avo::BaseAction\n  self.message = lambda {\n    \"Archive #{record.title}?\"\n  }\nend\n",
        ),
    ]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    assert_eq!(in_file(&got, "app/avo/actions/publish.rb"), set(&["3 posts.title"]));
    // An action no resource lists: its `record` is nothing known.
    assert_eq!(in_file(&got, "app/avo/actions/archive.rb"), set(&[]));
}

#[test]
fn a_validation_over_a_class_constants_list_names_its_items() {
    let files = with_models(&[(
        "app/models/draft.rb",
        "class Draft < ApplicationRecord\n  LINKS = %w[title body].freeze\n  OTHER = %w[state]\n\n  LINKS.each do |url|\n    validates_formatting_of url.to_sym, using: :url\n  end\n  OTHER.each { |x| puts x }\nend\n",
    )]);
    let tables = with_drafts(&["id", "title", "body", "state"]);
    let (_dir, result) = scan(&files, &tables);
    let got = uses(&result);
    // A list nothing validates names nothing.
    assert_eq!(in_file(&got, "app/models/draft.rb"), set(&["2 drafts.body", "2 drafts.title"]));
}

#[test]
fn rows_a_method_maps_into_hashes_are_written_by_the_method_it_hands_them_to() {
    let files = with_models(&[(
        "app/services/tag_importer.rb",
        "class TagImporter\n  def run(names)\n    rows = names.map do |n|\n      { name: n, post_id: 1 }\n    end\n    labels = names.map { |n| { body: n } }\n    upsert_rows(rows)\n    puts labels\n  end\n\n  def titles\n    posts = []\n    posts.each { |post| puts post.title }\n  end\n\n  private\n    def upsert_rows(rows)\n      rows.each_slice(100) do |batch|\n        Tag.upsert_all(batch, unique_by: :id)\n      end\n    end\nend\n",
    )]);
    let (_dir, result) = scan(&files, TABLES);
    let got = uses(&result);
    // Rows nothing writes (`labels`) name nothing; a list of records (`posts = []`) is no rows:
    // its block's `post` is still the name's guess.
    assert_eq!(
        in_file(&got, "app/services/tag_importer.rb"),
        set(&["13 posts.title", "19 tags", "19 tags.id", "4 tags.name", "4 tags.post_id"])
    );
}

//! Rails receiver resolution end to end: a real git repository scanned, each idiom's use of a
//! column found at its exact line, and the same word on another receiver not taken for it.

use std::collections::BTreeSet;

use tandem::config::Framework;
use tandem::scan::ScanResult;
use tandem::scan::resolve::SchemaIndex;
use tandem::scan::scan_ref;

use crate::support;
use crate::support::git::TestRepo;

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut repo = TestRepo::init();
    repo.write(files);
    repo.commit("app");

    let app = support::scan::app("shop", repo.path(), Framework::Rails);
    let config = support::scan::config(dir.path(), vec![app.clone()]);
    let index = SchemaIndex::new(&support::scan::schema(tables));
    let result = scan_ref(&config, &app, "head", "main", Some(&index), None, false).expect("scans");
    (dir, result)
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
    (
        "app/models/application_record.rb",
        "class ApplicationRecord < ActiveRecord::Base\n  primary_abstract_class\nend\n",
    ),
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

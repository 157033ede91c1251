//! Rails idioms measured on an application tandem had not been tuned on (diaspora at ea6c79a9,
//! `benches/accuracy/diaspora`), each on a fixture app scanned end to end: the exact lines a
//! column is used on, and the same word elsewhere not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{RAILS_APPLICATION_RECORD as APPLICATION_RECORD, set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("pod", Framework::Rails, files, tables)
}

/// A polymorphic `belongs_to :item, polymorphic: true` is loaded through `item_type` as well as
/// `item_id`: each read of the association (`report.item`, a bare `item` in the model) reads
/// both, as a plain `belongs_to` read reads its key. A plain `belongs_to :post` read reads no
/// `post_type` column of its table, and a block parameter named `item` elsewhere is no report's.
#[test]
fn a_polymorphic_belongs_to_read_reads_its_type_column() {
    let tables: &[(&str, &[&str])] = &[
        ("reports", &["id", "user_id", "item_id", "item_type"]),
        ("posts", &["id", "title"]),
        ("comments", &["id", "post_id", "post_type"]),
        ("carts", &["id", "item_type"]),
    ];
    let files = [
        APPLICATION_RECORD,
        (
            "app/models/report.rb",
            "class Report < ApplicationRecord\n  belongs_to :user\n  belongs_to :item, polymorphic: true\n\n  def reported_title\n    item.title if item\n  end\nend\n",
        ),
        ("app/models/post.rb", "class Post < ApplicationRecord\n  has_many :reports, as: :item\nend\n"),
        (
            "app/models/comment.rb",
            "class Comment < ApplicationRecord\n  belongs_to :post\n\n  def headline\n    post.title\n  end\nend\n",
        ),
        (
            "app/models/cart.rb",
            "class Cart < ApplicationRecord\n  def sum(items)\n    items.map { |item| item.price }\n  end\nend\n",
        ),
        (
            "app/helpers/report_helper.rb",
            "module ReportHelper\n  def report_content(report)\n    case (item = report.item)\n    when Post\n      item.title\n    end\n  end\nend\n",
        ),
        (
            "app/views/reports/index.html.erb",
            "<% Report.all.each do |report| %>\n  <% if report.item %>x<% end %>\n<% end %>\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "reports.item_type"),
        set(&[
            "app/models/report.rb:1",
            "app/models/report.rb:3",
            "app/models/report.rb:6",
            "app/models/post.rb:2",
            "app/helpers/report_helper.rb:3",
            "app/views/reports/index.html.erb:2",
        ])
    );
    // The plain association reads its key only.
    assert_eq!(uses(&result, "comments.post_type"), set(&["app/models/comment.rb:1"]));
    assert_eq!(
        uses(&result, "comments.post_id"),
        set(&["app/models/comment.rb:1", "app/models/comment.rb:2", "app/models/comment.rb:5"])
    );
    assert_eq!(uses(&result, "carts.item_type"), set(&["app/models/cart.rb:1"]));
}

/// In a model, `delegate :author, to: :root` calls `root`: the association is loaded through
/// its key (`root_guid`), and `has_many :resharers, through: :reshares` joins through
/// `reshares`, whose key is `root_guid` too. A class that is no model delegating to its own
/// `root` reader reads no model's key.
#[test]
fn a_delegation_and_a_through_association_read_the_association_they_name() {
    let tables: &[(&str, &[&str])] = &[
        ("posts", &["id", "type", "guid", "root_guid", "author_id"]),
        ("people", &["id", "name"]),
        ("trees", &["id", "root_guid"]),
    ];
    let files = [
        APPLICATION_RECORD,
        (
            "app/models/post.rb",
            "class Post < ApplicationRecord\n  belongs_to :author, class_name: \"Person\"\n  has_many :reshares, class_name: \"Reshare\", foreign_key: :root_guid, primary_key: :guid\n  has_many :resharers, class_name: \"Person\", through: :reshares, source: :author\nend\n",
        ),
        (
            "app/models/reshare.rb",
            "class Reshare < Post\n  belongs_to :root, class_name: \"Post\", foreign_key: :root_guid, primary_key: :guid, optional: true\n\n  delegate :author, to: :root\nend\n",
        ),
        ("app/models/person.rb", "class Person < ApplicationRecord\nend\n"),
        ("app/models/tree.rb", "class Tree < ApplicationRecord\nend\n"),
        (
            "app/presenters/tree_presenter.rb",
            "class TreePresenter\n  attr_reader :root\n\n  delegate :guid, to: :root\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "posts.root_guid"),
        set(&[
            "app/models/post.rb:1",
            "app/models/post.rb:3",
            "app/models/post.rb:4",
            "app/models/reshare.rb:1",
            "app/models/reshare.rb:2",
            "app/models/reshare.rb:4",
        ])
    );
    assert_eq!(uses(&result, "trees.root_guid"), set(&["app/models/tree.rb:1"]));
}

/// A class test narrows the name it tests where it has passed: `target.receiving = false if
/// target.is_a?(Contact)`, the branch of `if content.is_a?(Story)`, the right side of
/// `content.is_a?(Comment) && content.body`. The line after the modifier, the `else` branch and a
/// test of Ruby's own class (`value.is_a?(Hash)`) type nothing; a bare association call tested
/// so (`if syncable.is_a?(Story)`) is still read where it is named.
#[test]
fn a_class_test_narrows_the_name_it_tests() {
    let tables: &[(&str, &[&str])] = &[
        ("contacts", &["id", "receiving"]),
        ("stories", &["id", "title"]),
        ("comments", &["id", "body"]),
        ("syncs", &["id", "syncable_id", "syncable_type"]),
    ];
    let files = [
        APPLICATION_RECORD,
        ("app/models/contact.rb", "class Contact < ApplicationRecord\nend\n"),
        ("app/models/story.rb", "class Story < ApplicationRecord\nend\n"),
        ("app/models/comment.rb", "class Comment < ApplicationRecord\nend\n"),
        (
            "app/models/sync.rb",
            "class Sync < ApplicationRecord\n  belongs_to :syncable, polymorphic: true\n\n  def owner\n    if syncable.is_a?(Story)\n      syncable\n    end\n  end\nend\n",
        ),
        (
            "app/services/retraction.rb",
            "class Retraction\n  def self.for(target)\n    target.receiving = false if target.is_a?(Contact)\n    target.receiving\n  end\nend\n",
        ),
        (
            "app/helpers/users_helper.rb",
            "module UsersHelper\n  def badge(content)\n    if content.is_a?(Story)\n      content.title\n    elsif content.is_a?(Comment) && content.body\n      \"c\"\n    else\n      content.title\n    end\n  end\n\n  def plain(value)\n    value.body if value.is_a?(Hash)\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "contacts.receiving"), set(&["app/models/contact.rb:1", "app/services/retraction.rb:3"]));
    assert_eq!(uses(&result, "stories.title"), set(&["app/models/story.rb:1", "app/helpers/users_helper.rb:4"]));
    assert_eq!(uses(&result, "comments.body"), set(&["app/models/comment.rb:1", "app/helpers/users_helper.rb:5"]));
    let sync = set(&["app/models/sync.rb:1", "app/models/sync.rb:2", "app/models/sync.rb:5", "app/models/sync.rb:6"]);
    assert_eq!(uses(&result, "syncs.syncable_id"), sync);
    assert_eq!(uses(&result, "syncs.syncable_type"), sync);
}

//! Loading a `has_many` or `has_one` reads the associated table's key (issue 16, branch
//! `i2-rails`; the policy decided in docuseal's section of docs/accuracy.md): `folder.subfolders`
//! and `preload(:subfolders)` with `has_many :subfolders, foreign_key: :parent_folder_id` use
//! `template_folders.parent_folder_id`, `user.posts` uses `posts.user_id`, a polymorphic `as:`
//! its `_id` and `_type`. On a fixture app scanned end to end: the exact lines, and a `through:`
//! association (which reads the joined table's key) not taken for the target's.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("assoc", Framework::Rails, files, tables)
}

const TEMPLATE_FOLDER: &str = r#"class TemplateFolder < ActiveRecord::Base
  belongs_to :parent_folder, class_name: 'TemplateFolder', optional: true
  has_many :subfolders, class_name: 'TemplateFolder',
                        foreign_key: :parent_folder_id
  has_many :templates, foreign_key: :folder_id
end
"#;

const FOLDERS_CONTROLLER: &str = r#"class TemplateFoldersController < ApplicationController
  def show
    @template_folder = TemplateFolder.find(params[:id])
    @subfolders = @template_folder.subfolders.order(:name)
    folders = TemplateFolder.where(id: 1).preload(:subfolders)
    @templates = @template_folder.templates
  end
end
"#;

const USER: &str = r#"class User < ActiveRecord::Base
  has_many :posts
  has_one :profile
  has_many :comments, as: :commentable
  has_many :likes
  has_many :liked_posts, through: :likes, source: :post
end
"#;

const USERS_CONTROLLER: &str = r#"class UsersController < ApplicationController
  def show
    user = User.find(params[:id])
    user.posts.each { |post| post.title }
    user.profile
    user.comments.count
    user.liked_posts
  end
end
"#;

#[test]
fn loading_a_has_many_reads_the_associated_table_s_key() {
    let tables: &[(&str, &[&str])] = &[
        ("template_folders", &["id", "name", "parent_folder_id"]),
        ("templates", &["id", "folder_id"]),
        ("users", &["id"]),
        ("posts", &["id", "user_id", "title"]),
        ("profiles", &["id", "user_id"]),
        ("comments", &["id", "commentable_id", "commentable_type", "user_id"]),
        ("likes", &["id", "user_id", "post_id"]),
    ];
    let files = [
        ("app/models/template_folder.rb", TEMPLATE_FOLDER),
        (
            "app/models/template.rb",
            "class Template < ActiveRecord::Base\n  belongs_to :folder, class_name: 'TemplateFolder'\nend\n",
        ),
        ("app/models/user.rb", USER),
        ("app/models/post.rb", "class Post < ActiveRecord::Base\n  belongs_to :user\nend\n"),
        ("app/models/profile.rb", "class Profile < ActiveRecord::Base\n  belongs_to :user\nend\n"),
        (
            "app/models/comment.rb",
            "class Comment < ActiveRecord::Base\n  belongs_to :commentable, polymorphic: true\nend\n",
        ),
        ("app/models/like.rb", "class Like < ActiveRecord::Base\n  belongs_to :user\n  belongs_to :post\nend\n"),
        ("app/controllers/template_folders_controller.rb", FOLDERS_CONTROLLER),
        ("app/controllers/users_controller.rb", USERS_CONTROLLER),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "template_folders.parent_folder_id"),
        set(&[
            "app/models/template_folder.rb:1",
            "app/models/template_folder.rb:2",
            "app/models/template_folder.rb:4",
            "app/controllers/template_folders_controller.rb:4",
            "app/controllers/template_folders_controller.rb:5",
        ])
    );
    assert_eq!(
        uses(&result, "templates.folder_id"),
        set(&[
            "app/models/template.rb:1",
            "app/models/template.rb:2",
            "app/models/template_folder.rb:5",
            "app/controllers/template_folders_controller.rb:6",
        ])
    );
    // Not line 7: `liked_posts` joins `likes` and reads `likes.user_id`, not `posts.user_id`.
    assert_eq!(
        uses(&result, "posts.user_id"),
        set(&[
            "app/models/post.rb:1",
            "app/models/post.rb:2",
            "app/models/user.rb:2",
            "app/controllers/users_controller.rb:4",
        ])
    );
    assert_eq!(
        uses(&result, "profiles.user_id"),
        set(&[
            "app/models/profile.rb:1",
            "app/models/profile.rb:2",
            "app/models/user.rb:3",
            "app/controllers/users_controller.rb:5",
        ])
    );
    for column in ["commentable_id", "commentable_type"] {
        assert_eq!(
            uses(&result, &format!("comments.{column}")),
            set(&[
                "app/models/comment.rb:1",
                "app/models/comment.rb:2",
                "app/models/user.rb:4",
                "app/controllers/users_controller.rb:6",
            ])
        );
    }
    // A polymorphic `as:` is keyed by its own columns, not the owner's name.
    assert_eq!(uses(&result, "comments.user_id"), set(&["app/models/comment.rb:1"]));
}

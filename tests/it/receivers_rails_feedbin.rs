//! Rails idioms a seventh application never seen before (feedbin) showed (issue 16, branch
//! `i3-rails`): a hash a method returns, or a local builds in steps (`slice`, `{}.tap`, `h[k]
//! = v`), written by a record; a permit a method returns written into another model's record;
//! a class-body callback block run on the record; raw HTML form fields; activerecord-import's
//! `on_duplicate_key_update:`. Each on a fixture app scanned end to end: the exact lines a
//! column is used on, and the same word elsewhere not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("feedbin", Framework::Rails, files, tables)
}

const ENTRY: (&str, &str) = ("app/models/entry.rb", "class Entry < ApplicationRecord\nend\n");

/// `data = build_entry(item)` (or `attributes = build_entry`) where the file's `def build_entry`
/// ends with a hash literal, then `entries.create!(data)`: the literal's keys are the written
/// model's attributes. The same keys in a hash no write receives, and a key read back from the
/// local (`data[:public_id]`), are not.
#[test]
fn a_hash_a_method_returns_is_written_by_its_caller() {
    let tables: &[(&str, &[&str])] = &[("entries", &["id", "author", "public_id"]), ("feeds", &["id"])];
    let job = "class ImportFeed\n  def import(feed, items)\n    items.each do |item|\n      data = build_entry(item)\n      next if seen?(data[:public_id])\n      feed.entries.create!(data)\n    end\n  end\n\n  def save(feed)\n    attributes = build_page\n    Entry.create_with(attributes).find_or_create_by!(feed_id: feed.id)\n  end\n\n  def notify\n    payload = build_payload\n    Push.deliver(payload)\n  end\n\n  def build_entry(item)\n    {\n      author: item[\"author\"],\n      public_id: item[\"id\"],\n    }\n  end\n\n  def build_page\n    {\n      author: \"me\",\n    }\n  end\n\n  def build_payload\n    {author: \"x\"}\n  end\nend\n";
    let files = [
        support::scan::RAILS_APPLICATION_RECORD,
        ENTRY,
        ("app/models/feed.rb", "class Feed < ApplicationRecord\n  has_many :entries\nend\n"),
        ("app/jobs/import_feed.rb", job),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "entries.author"),
        set(&["app/models/entry.rb:1", "app/jobs/import_feed.rb:22", "app/jobs/import_feed.rb:29"])
    );
    assert_eq!(uses(&result, "entries.public_id"), set(&["app/models/entry.rb:1", "app/jobs/import_feed.rb:23"]));
}

/// A hash built in steps and then written or queried: `@data.slice("author", …)` held in a
/// local, a key added by `update["original"] = …`, and `{}.tap do |hash| hash[:muted] = false
/// end`. A key read (`update["content"]`) or set on a hash no write receives is not.
#[test]
fn a_hash_built_in_steps_names_what_is_written() {
    let tables: &[(&str, &[&str])] =
        &[("entries", &["id", "author", "content", "original"]), ("subscriptions", &["id", "muted", "active"])];
    let update = "class EntryUpdate\n  def initialize(data, entry)\n    @data = data\n    @entry = Entry.find(entry)\n  end\n\n  def create\n    update = @data.slice(\"author\", \"content\")\n    fresh = update[\"content\"].to_s\n    if fresh.empty?\n      update[\"original\"] = {\"author\" => \"x\"}\n    end\n    @entry.update(update)\n  end\n\n  def log\n    line = @data.slice(\"author\")\n    line[\"original\"] = 1\n    Rails.logger.info(line)\n  end\nend\n";
    let model = "class Subscription < ApplicationRecord\n  def self.unmuted(feed_id)\n    filters = {}.tap do |hash|\n      hash[:active] = true\n      hash[:muted] = false\n    end\n    where(filters)\n  end\n\n  def self.options\n    opts = {}.tap do |hash|\n      hash[:muted] = true\n    end\n    Client.call(opts)\n  end\nend\n";
    let files = [
        support::scan::RAILS_APPLICATION_RECORD,
        ENTRY,
        ("app/models/subscription.rb", model),
        ("app/jobs/entry_update.rb", update),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "entries.author"), set(&["app/models/entry.rb:1", "app/jobs/entry_update.rb:8"]));
    assert_eq!(uses(&result, "entries.original"), set(&["app/models/entry.rb:1", "app/jobs/entry_update.rb:11"]));
    assert_eq!(uses(&result, "entries.content"), set(&["app/models/entry.rb:1", "app/jobs/entry_update.rb:8"]));
    assert_eq!(
        uses(&result, "subscriptions.muted"),
        set(&["app/models/subscription.rb:1", "app/models/subscription.rb:5"])
    );
}

/// A controller's permit method whose result a record of another model than its `require` key
/// is updated with: the permitted keys are that model's attributes too. A permit method no
/// code calls is no one's write, and a parameter its result is passed to is a hash, whatever
/// its name (`queued_entry[:progress]`).
#[test]
fn a_permit_a_method_returns_is_written_into_another_model() {
    let tables: &[(&str, &[&str])] = &[
        ("queued_entries", &["id", "progress", "entry_id"]),
        ("recently_played_entries", &["id", "progress", "entry_id"]),
        ("users", &["id"]),
    ];
    let controller = "class RecentlyPlayedEntriesController < ApplicationController\n  def create\n    if queued = current_user.queued_entries.find_by(entry_id: params[:id])\n      queued.update(recently_played_entry_params)\n    end\n  end\n\n  private\n\n  def recently_played_entry_params\n    params.require(:recently_played_entry).permit(:progress)\n  end\n\n  def queued_entry_params\n    params.require(:other).permit(:progress)\n  end\n\n  def started?(queued_entry)\n    queued_entry[:progress].present?\n  end\n\n  def check\n    started?(recently_played_entry_params)\n  end\nend\n";
    let files = [
        support::scan::RAILS_APPLICATION_RECORD,
        ("app/models/queued_entry.rb", "class QueuedEntry < ApplicationRecord\nend\n"),
        ("app/models/recently_played_entry.rb", "class RecentlyPlayedEntry < ApplicationRecord\nend\n"),
        (
            "app/models/user.rb",
            "class User < ApplicationRecord\n  has_many :queued_entries\n  has_many :recently_played_entries\nend\n",
        ),
        ("app/controllers/recently_played_entries_controller.rb", controller),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "queued_entries.progress"),
        set(&["app/models/queued_entry.rb:1", "app/controllers/recently_played_entries_controller.rb:11"])
    );
    assert_eq!(
        uses(&result, "recently_played_entries.progress"),
        set(&["app/models/recently_played_entry.rb:1", "app/controllers/recently_played_entries_controller.rb:11"])
    );
}

/// `validate do |action| … end` and `before_save do … end` in a model's class body run on the
/// record: a bare call there, and a call on the block's parameter, are its attributes. The
/// same names in a class method's block, or in a block of a macro that is no callback, are not.
#[test]
fn a_class_body_callback_block_runs_on_the_record() {
    let tables: &[(&str, &[&str])] = &[("actions", &["id", "computed_feed_ids", "title"])];
    let model = "class Action < ApplicationRecord\n  validate do |action|\n    if computed_feed_ids.empty?\n      action.errors.add :base, \"none\"\n    end\n  end\n\n  before_save do\n    self.title = title.strip\n  end\n\n  after_commit { |a| a.title }\n\n  configure do\n    computed_feed_ids\n  end\n\n  def self.build\n    [1].each do\n      computed_feed_ids\n    end\n  end\nend\n";
    let files = [support::scan::RAILS_APPLICATION_RECORD, ("app/models/action.rb", model)];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "actions.computed_feed_ids"), set(&["app/models/action.rb:1", "app/models/action.rb:3"]));
    assert_eq!(
        uses(&result, "actions.title"),
        set(&["app/models/action.rb:1", "app/models/action.rb:9", "app/models/action.rb:12"])
    );
}

/// A raw HTML form field `<input name="subscription[view_mode]">` in an ERB view posts the
/// model's attribute as `hidden_field_tag "subscription[view_mode]"` does; a `<meta name=…>`,
/// a nested key and text outside a tag are not.
#[test]
fn a_raw_html_field_name_is_the_model_s_attribute() {
    let tables: &[(&str, &[&str])] = &[("subscriptions", &["id", "view_mode"])];
    let view = "<form action=\"<%= settings_path %>\" method=\"post\">\n  <input name=\"subscription[view_mode]\" type=\"hidden\" value=\"article\">\n  <input type=\"hidden\"\n    value=\"<%= x %>\" name=\"subscription[view_mode]\">\n  <meta name=\"subscription[view_mode]\">\n  <input name=\"subscription[options][view_mode]\">\n</form>\n<p>name=\"subscription[view_mode]\"</p>\n";
    let files = [
        support::scan::RAILS_APPLICATION_RECORD,
        ("app/models/subscription.rb", "class Subscription < ApplicationRecord\nend\n"),
        ("app/views/entries/_article.html.erb", view),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "subscriptions.view_mode"),
        set(&[
            "app/models/subscription.rb:1",
            "app/views/entries/_article.html.erb:2",
            "app/views/entries/_article.html.erb:4",
        ])
    );
}

/// activerecord-import's `on_duplicate_key_update:` names the receiver model's columns: the
/// conflict target and the columns updated, in a hash or as a bare list. An app's own
/// `import` without it, and the option on an untyped receiver, name none.
#[test]
fn activerecord_import_s_conflict_options_name_columns() {
    let tables: &[(&str, &[&str])] = &[("entries", &["id", "author", "public_id", "title"])];
    let job = "class FeedUpdate\n  def perform(entries, rows)\n    Entry.import!(entries, on_duplicate_key_update: {conflict_target: :public_id, columns: [:title, :author]})\n    Entry.import(rows, on_duplicate_key_update: [:author])\n    Entry.import(rows, validate: false, author: true)\n    client.import(rows, on_duplicate_key_update: [:title])\n  end\nend\n";
    let files = [support::scan::RAILS_APPLICATION_RECORD, ENTRY, ("app/jobs/feed_update.rb", job)];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "entries.author"),
        set(&["app/models/entry.rb:1", "app/jobs/feed_update.rb:3", "app/jobs/feed_update.rb:4"])
    );
    assert_eq!(uses(&result, "entries.public_id"), set(&["app/models/entry.rb:1", "app/jobs/feed_update.rb:3"]));
    assert_eq!(uses(&result, "entries.title"), set(&["app/models/entry.rb:1", "app/jobs/feed_update.rb:3"]));
}

/// `a.first || b.first` of two models' records, and `(a + b).each do |item|` over two models'
/// relations: a read of the value is a read of both models' attribute. A value on the right, a
/// list, or the same model twice add nothing.
#[test]
fn records_of_two_models_in_one_value() {
    let tables: &[(&str, &[&str])] = &[
        ("queued_entries", &["id", "progress", "user_id"]),
        ("recently_played_entries", &["id", "progress", "user_id"]),
        ("users", &["id"]),
    ];
    let user = "class User < ApplicationRecord\n  has_many :queued_entries\n  has_many :recently_played_entries\n\n  def progress_by_entry\n    (queued_entries + recently_played_entries).each do |item|\n      item.progress\n    end\n    (queued_entries + [1]).each do |other|\n      other.progress\n    end\n  end\nend\n";
    let controller = "class EntriesController < ApplicationController\n  def show\n    @recently_played = current_user.recently_played_entries.where(entry_id: 1).first || current_user.queued_entries.where(entry_id: 1).first\n    @fallback = current_user.recently_played_entries.first || \"none\"\n    latest = current_user.queued_entries.first || current_user.recently_played_entries.last\n    latest.progress\n  end\nend\n";
    let view = "<%= @recently_played.progress %>\n<%= @fallback.progress %>\n";
    let files = [
        support::scan::RAILS_APPLICATION_RECORD,
        ("app/models/queued_entry.rb", "class QueuedEntry < ApplicationRecord\nend\n"),
        ("app/models/recently_played_entry.rb", "class RecentlyPlayedEntry < ApplicationRecord\nend\n"),
        ("app/models/user.rb", user),
        ("app/controllers/entries_controller.rb", controller),
        ("app/views/entries/show.html.erb", view),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "queued_entries.progress"),
        set(&[
            "app/models/queued_entry.rb:1",
            "app/models/user.rb:7",
            "app/controllers/entries_controller.rb:6",
            "app/views/entries/show.html.erb:1",
        ])
    );
    assert_eq!(
        uses(&result, "recently_played_entries.progress"),
        set(&[
            "app/models/recently_played_entry.rb:1",
            "app/models/user.rb:7",
            "app/controllers/entries_controller.rb:6",
            "app/views/entries/show.html.erb:1",
            "app/views/entries/show.html.erb:2",
        ])
    );
}

//! Rails idioms where a record reaches the code that reads it from another file or another
//! statement (issue 16, branch `rails7`): a helper's parameters from the views' calls, a
//! mailer's `params` from `with(…)` and Noticed's `deliver_by`, a list filled by `<<`, and what
//! the scanner must read to see them at all (a heredoc nested in another's interpolation, a
//! PL/pgSQL body in a `%(…)` string). Each on a fixture app scanned end to end: the exact lines
//! a column is used on, and the same word elsewhere not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("flows", Framework::Rails, files, tables)
}

/// A heredoc opened inside another heredoc's interpolation (an agent's help text) is read as
/// Ruby reads it: the file's class line and the code after the heredocs are still seen, and
/// the help text's words are not.
#[test]
fn a_heredoc_nested_in_another_s_interpolation_keeps_the_file_readable() {
    let tables: &[(&str, &[&str])] = &[("agents", &["id", "type", "schedule"])];
    let agent = "module Agents\n  class StreamAgent < Agent\n    description <<~MD\n      Runs on its schedule.\n\n      #{\n        event_help('text', <<~MD)\n          \"schedule\": \"daily\",\n        MD\n      }\n    MD\n\n    def check\n      self.schedule\n    end\n  end\nend\n";
    let files = [
        ("app/models/agent.rb", "class Agent < ActiveRecord::Base\nend\n"),
        ("app/models/agents/stream_agent.rb", agent),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "agents.schedule"),
        set(&["app/models/agent.rb:1", "app/models/agents/stream_agent.rb:2", "app/models/agents/stream_agent.rb:14"])
    );
}

/// A local named after a model in another case (`webhook` for `WebHook`) or with a role
/// before its name (`outgoing_exchange` for `Exchange`) is that model's record; a namespaced
/// class, an instance variable a controller fills with a hash and a name two models end with
/// are not.
#[test]
fn a_local_s_name_in_another_case_or_with_a_role_names_its_model() {
    let tables: &[(&str, &[&str])] = &[
        ("web_hooks", &["id", "failure_count"]),
        ("exchanges", &["id", "pickup_time"]),
        ("links", &["id", "title"]),
        ("note_comments", &["id", "body"]),
        ("diary_comments", &["id", "body"]),
    ];
    let files = [
        ("app/models/web_hook.rb", "class WebHook < ActiveRecord::Base\nend\n"),
        ("app/models/exchange.rb", "class Exchange < ActiveRecord::Base\nend\n"),
        ("app/models/link.rb", "class Link < ActiveRecord::Base\nend\n"),
        ("app/models/note_comment.rb", "class NoteComment < ActiveRecord::Base\nend\n"),
        ("app/models/diary_comment.rb", "class DiaryComment < ActiveRecord::Base\nend\n"),
        (
            "app/services/notify.rb",
            "class Notify\n  def run(webhook, outgoing_exchange, first_comment)\n    webhook.failure_count\n    outgoing_exchange.pickup_time\n    first_comment.body\n  end\nend\n",
        ),
        (
            "app/controllers/home_controller.rb",
            "class HomeController < ApplicationController\n  def index\n    @rss_link = { title: \"Feed\", href: \"/rss\" }\n  end\nend\n",
        ),
        ("app/views/home/index.html.erb", "<link title=\"<%= @rss_link[:title] %>\">\n"),
        ("app/models/report/link.rb", "class Report::Link < Report::Base\n  attributes :title\nend\n"),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "web_hooks.failure_count"),
        set(&["app/models/web_hook.rb:1", "app/services/notify.rb:3"])
    );
    assert_eq!(uses(&result, "exchanges.pickup_time"), set(&["app/models/exchange.rb:1", "app/services/notify.rb:4"]));
    // Two models end with `Comment`; a hash and another namespace's class are no `Link`.
    assert_eq!(uses(&result, "note_comments.body"), set(&["app/models/note_comment.rb:1"]));
    assert_eq!(uses(&result, "diary_comments.body"), set(&["app/models/diary_comment.rb:1"]));
    assert_eq!(uses(&result, "links.title"), set(&["app/models/link.rb:1"]));
}

/// `agent.try(:user)` is `agent.user`: the local it is assigned to is that association's
/// record, not an association named `try`.
#[test]
fn try_with_a_symbol_calls_the_named_method() {
    let tables: &[(&str, &[&str])] = &[("agents", &["id", "user_id"]), ("users", &["id", "username"])];
    let files = [
        ("app/models/agent.rb", "class Agent < ActiveRecord::Base\n  belongs_to :owner, class_name: \"User\"\nend\n"),
        ("app/models/user.rb", "class User < ActiveRecord::Base\nend\n"),
        (
            "app/services/owners.rb",
            "class Owners\n  def name_of(agent)\n    if person = agent.try(:owner)\n      person.username\n    end\n    other = agent.try(:missing)\n    other.username\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "users.username"), set(&["app/models/user.rb:1", "app/services/owners.rb:4"]));
}

/// A helper's parameter is what the views' calls pass in its position (through a ternary too);
/// a parameter no view passes a record keeps its name's guess, and a position no call fills
/// is nothing.
#[test]
fn a_helper_s_parameters_are_what_the_views_pass() {
    let tables: &[(&str, &[&str])] = &[
        ("notes", &["id", "description"]),
        ("note_comments", &["id", "note_id", "event"]),
        ("diary_comments", &["id", "event"]),
        ("users", &["id", "status"]),
    ];
    let files = [
        (
            "app/models/note.rb",
            "class Note < ActiveRecord::Base\n  has_many :comments, class_name: \"NoteComment\"\n  belongs_to :author, class_name: \"User\"\nend\n",
        ),
        ("app/models/note_comment.rb", "class NoteComment < ActiveRecord::Base\n  belongs_to :note\nend\n"),
        ("app/models/diary_comment.rb", "class DiaryComment < ActiveRecord::Base\nend\n"),
        ("app/models/user.rb", "class User < ActiveRecord::Base\nend\n"),
        (
            "app/controllers/notes_controller.rb",
            "class NotesController < ApplicationController\n  def show\n    @note = Note.find(params[:id])\n  end\nend\n",
        ),
        (
            "app/views/notes/show.html.erb",
            "<%= note_description(@note.author, @note.description, admin? ? @note.comments.unscope(:where => :visible).first : @note.comments.first) %>\n<%= shown(\"text\") %>\n",
        ),
        (
            "app/helpers/note_helper.rb",
            "module NoteHelper\n  def note_description(author, description, first_comment)\n    return if author.status == \"deleted\"\n    first_comment&.event\n  end\n\n  def shown(text, last_comment)\n    last_comment.event\n    text.event\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "note_comments.event"),
        set(&["app/models/note_comment.rb:1", "app/helpers/note_helper.rb:4"])
    );
    assert_eq!(uses(&result, "users.status"), set(&["app/models/user.rb:1", "app/helpers/note_helper.rb:3"]));
    assert_eq!(uses(&result, "diary_comments.event"), set(&["app/models/diary_comment.rb:1"]));
}

/// `XNotifier.with(record: comment)` and the notifier's `deliver_by :email` name the mailer
/// method whose `params` hold it (`comment, recipient = params.fetch_values(:record, …)`), as
/// `UserMailer.with(user: u).welcome` does for `welcome`'s `params[:user]`; another method of
/// the mailer gets nothing from them.
#[test]
fn mailer_params_are_what_with_and_deliver_by_give() {
    let tables: &[(&str, &[&str])] =
        &[("note_comments", &["id", "event"]), ("accounts", &["id", "email"]), ("users", &["id", "email"])];
    let files = [
        ("app/models/note_comment.rb", "class NoteComment < ActiveRecord::Base\nend\n"),
        ("app/models/account.rb", "class Account < ActiveRecord::Base\nend\n"),
        ("app/models/user.rb", "class User < ActiveRecord::Base\nend\n"),
        (
            "app/notifiers/note_comment_notifier.rb",
            "class NoteCommentNotifier < ApplicationNotifier\n  deliver_by :email do |config|\n    config.mailer = \"UserMailer\"\n    config.method = \"note_comment_notification\"\n  end\nend\n",
        ),
        (
            "app/controllers/comments_controller.rb",
            "class CommentsController < ApplicationController\n  def create\n    comment = NoteComment.create!(event: \"commented\")\n    NoteCommentNotifier.with(:record => comment).deliver_later\n    UserMailer.with(owner: Account.first).welcome.deliver_later\n  end\nend\n",
        ),
        (
            "app/mailers/user_mailer.rb",
            "class UserMailer < ApplicationMailer\n  def note_comment_notification\n    comment, recipient = params.fetch_values(:record, :recipient)\n    @event = comment.event\n  end\n\n  def welcome\n    @to = params[:owner].email\n    params.fetch(:owner).email\n  end\n\n  def other\n    params[:record].event\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "note_comments.event"),
        set(&[
            "app/models/note_comment.rb:1",
            "app/controllers/comments_controller.rb:3",
            "app/mailers/user_mailer.rb:4"
        ])
    );
    assert_eq!(
        uses(&result, "accounts.email"),
        set(&["app/models/account.rb:1", "app/mailers/user_mailer.rb:8", "app/mailers/user_mailer.rb:9"])
    );
    assert_eq!(uses(&result, "users.email"), set(&["app/models/user.rb:1"]));
}

/// The statements of a PL/pgSQL function body kept in a Ruby `%(…)` string: qualified columns
/// and tables, never the function's variables (`> last_block`).
#[test]
fn a_plpgsql_body_in_a_percent_string_is_read() {
    let tables: &[(&str, &[&str])] = &[("changesets", &["id", "user_id", "num_changes", "created_at"])];
    let body = "module DatabaseFunctions\n  API_RATE_LIMIT = %(\n    CREATE OR REPLACE FUNCTION api_rate_limit(user_id int8)\n      RETURNS int4\n      AS $$\n    DECLARE\n      last_block timestamp := #{Settings.start};\n      recent_changes int4;\n    BEGIN\n      SELECT COALESCE(SUM(changesets.num_changes), 0) INTO STRICT recent_changes FROM changesets WHERE changesets.user_id = api_rate_limit.user_id AND changesets.created_at > last_block;\n      RETURN recent_changes;\n    END;\n    $$ LANGUAGE plpgsql STABLE;\n  ).freeze\n\n  def self.ratio(a, b)\n    a %(b)\n  end\nend\n";
    let files = [
        ("app/models/changeset.rb", "class Changeset < ActiveRecord::Base\nend\n"),
        ("lib/database_functions.rb", body),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "changesets.num_changes"),
        set(&["app/models/changeset.rb:1", "lib/database_functions.rb:10"])
    );
    assert_eq!(
        uses(&result, "changesets.created_at"),
        set(&["app/models/changeset.rb:1", "lib/database_functions.rb:10"])
    );
    assert!(!result.references.iter().any(|r| r.object.to_string().contains("last_block")));
}

/// Records pushed into a local that held `[]` make it a list of them (`sort_by!` iterates it);
/// strings pushed do not, and a method mapping records into hashes returns hashes
/// (`c[:name]` on one is a key).
#[test]
fn a_list_filled_with_records_holds_them_and_mapped_rows_are_hashes() {
    let tables: &[(&str, &[&str])] = &[
        ("shipping_rates", &["id", "cost", "shipping_method_id"]),
        ("shipping_methods", &["id", "name"]),
        ("categories", &["id", "name"]),
    ];
    let files = [
        (
            "app/models/shipping_rate.rb",
            "class ShippingRate < ActiveRecord::Base\n  belongs_to :shipping_method\nend\n",
        ),
        (
            "app/models/shipping_method.rb",
            "class ShippingMethod < ActiveRecord::Base\n  has_many :shipping_rates\nend\n",
        ),
        ("app/models/category.rb", "class Category < ActiveRecord::Base\nend\n"),
        (
            "app/services/estimator.rb",
            "class Estimator\n  def rates(shipping_methods)\n    rates = []\n    shipping_methods.each do |shipping_method|\n      rates << shipping_method.shipping_rates.new(cost: 1)\n    end\n    rates.sort_by! { |r| r.cost || 0 }\n    labels = []\n    labels << \"x\"\n    labels.each { |r| r.cost }\n  end\n\n  def match(x)\n    normalized_categories.find { |category| category[:name] == x }\n  end\n\n  def normalized_categories\n    Category.all.map { |c| { id: c.id, label: c.name } }\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "shipping_rates.cost"),
        set(&["app/models/shipping_rate.rb:1", "app/services/estimator.rb:5", "app/services/estimator.rb:7"])
    );
    assert_eq!(uses(&result, "categories.name"), set(&["app/models/category.rb:1", "app/services/estimator.rb:18"]));
}

/// In a client-side directive, an element of a camel-cased collection named after a model
/// (`variantOverrides[hub_id][variant.id].count_on_hand`) is one of its records; an indexed
/// collection no model is named after is nothing.
#[test]
fn an_indexed_collection_in_a_directive_holds_its_model_s_records() {
    let tables: &[(&str, &[&str])] = &[("variant_overrides", &["id", "count_on_hand"])];
    let files = [
        ("app/models/variant_override.rb", "class VariantOverride < ActiveRecord::Base\nend\n"),
        (
            "app/controllers/admin/overrides_controller.rb",
            "class Admin::OverridesController < ApplicationController\nend\n",
        ),
        (
            "app/views/admin/overrides/_row.html.haml",
            "%td\n  %input{ \"ng-model\": 'variantOverrides[hub_id][variant.id].count_on_hand' }\n  %input{ \"ng-model\": 'stockLevels[hub_id].count_on_hand' }\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses(&result, "variant_overrides.count_on_hand"),
        set(&["app/models/variant_override.rb:1", "app/views/admin/overrides/_row.html.haml:2"])
    );
}

/// A plural parameter of a model's method (`old_events`) is the parameter, typed by its name
/// (a role before `Event`), not an association of the model; a bare plural the model does not
/// declare is still read as its association, and names nothing.
#[test]
fn a_model_method_s_plural_parameter_is_no_association() {
    let tables: &[(&str, &[&str])] = &[("agents", &["id"]), ("events", &["id", "agent_id", "expires_at", "payload"])];
    let files = [
        ("app/models/event.rb", "class Event < ActiveRecord::Base\nend\n"),
        (
            "app/models/agent.rb",
            "class Agent < ActiveRecord::Base\n  def store!(old_events, result)\n    if found = old_events.find { |event| event.payload == result }\n      found.update!(expires_at: 1)\n    end\n    sent_events.each { |e| e.expires_at }\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "events.expires_at"), set(&["app/models/event.rb:1", "app/models/agent.rb:4"]));
    assert_eq!(uses(&result, "events.payload"), set(&["app/models/event.rb:1", "app/models/agent.rb:3"]));
}

/// A bare call of a method the model defines itself (`previous_events(n)`) is no association
/// of that name: what it returns untyped, the parameter it is passed to keeps its name's guess.
#[test]
fn a_model_s_own_method_called_bare_is_no_association() {
    let tables: &[(&str, &[&str])] = &[("agents", &["id"]), ("events", &["id", "agent_id", "expires_at"])];
    let files = [
        ("app/models/event.rb", "class Event < ActiveRecord::Base\nend\n"),
        (
            "app/models/agent.rb",
            "class Agent < ActiveRecord::Base\n  has_many :events\n\n  def previous_events(n)\n    events.order(:id).limit(n) if n > 0\n  end\n\n  def check(n)\n    store!(previous_events(n))\n  end\n\n  def store!(old_events)\n    old_events.first.expires_at\n  end\nend\n",
        ),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses(&result, "events.expires_at"), set(&["app/models/event.rb:1", "app/models/agent.rb:13"]));
}

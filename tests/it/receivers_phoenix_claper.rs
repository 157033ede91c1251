//! Phoenix idioms measured on an application tandem had never seen (Claper at 98355277,
//! `benches/accuracy/claper`), each on a fixture app scanned end to end: the exact lines a column
//! is used on, and the same word elsewhere (a value that is no record, another table's column)
//! not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `status` is on two tables, `inserted_at` on one; `livemode` on one.
const TABLES: &[(&str, &[&str])] = &[
    ("events", &["id", "name", "expired_at", "audience_peak"]),
    ("presentation_files", &["id", "event_id", "status"]),
    ("polls", &["id", "title"]),
    ("poll_opts", &["id", "poll_id", "vote_count"]),
    ("messages", &["id", "status"]),
    ("sessions", &["id", "inserted_at"]),
    ("webhooks", &["id", "livemode"]),
];

const EVENT: &str = r#"defmodule App.Events.Event do
  use Ecto.Schema

  schema "events" do
    field :name, :string
    field :expired_at, :naive_datetime
    field :audience_peak, :integer
    has_one :presentation_file, App.Presentations.PresentationFile
    has_many :messages, App.Chat.Message
  end

  def finished?(event), do: event.expired_at != nil
end
"#;

const PRESENTATION_FILE: &str = r#"defmodule App.Presentations.PresentationFile do
  use Ecto.Schema

  schema "presentation_files" do
    field :status, :string
    belongs_to :event, App.Events.Event
  end
end
"#;

const POLL: &str = r#"defmodule App.Polls.Poll do
  use Ecto.Schema

  schema "polls" do
    field :title, :string
    has_many :poll_opts, App.Polls.PollOpt
  end
end
"#;

const POLL_OPT: &str = r#"defmodule App.Polls.PollOpt do
  use Ecto.Schema

  schema "poll_opts" do
    field :vote_count, :integer
    belongs_to :poll, App.Polls.Poll
  end
end
"#;

const MESSAGE: &str = r#"defmodule App.Chat.Message do
  use Ecto.Schema

  schema "messages" do
    field :status, :string
  end
end
"#;

const PLUG_SESSION: &str = r#"defmodule App.PlugSession do
  use Ecto.Schema

  schema "sessions" do
    timestamps()
  end
end
"#;

const WEBHOOK: &str = r#"defmodule App.Webhook do
  use Ecto.Schema

  schema "webhooks" do
    field :livemode, :boolean
  end
end
"#;

fn scan(extra: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    let mut files: Vec<(&str, &str)> = vec![
        ("lib/app/events/event.ex", EVENT),
        ("lib/app/presentations/presentation_file.ex", PRESENTATION_FILE),
        ("lib/app/polls/poll.ex", POLL),
        ("lib/app/polls/poll_opt.ex", POLL_OPT),
        ("lib/app/chat/message.ex", MESSAGE),
        ("lib/app/plug_session.ex", PLUG_SESSION),
        ("lib/app/webhook.ex", WEBHOOK),
    ];
    files.extend_from_slice(extra);
    support::scan::scan_files("app", Framework::Phoenix, &files, TABLES)
}

/// `event` and `message` name schemas of this app: read where the file names that schema (its
/// alias, the schema itself, its context), never where it names none or another `Event`.
const EVENTS: &str = r#"defmodule App.Events do
  def touch(event, online), do: online > event.audience_peak
end
"#;

const EVENT_LIVE: &str = r#"defmodule AppWeb.EventLive.Index do
  alias App.Events
  alias App.Events.Event

  def check(id) do
    event = Events.get_user_event!(id)
    event.expired_at
  end
end
"#;

const CHAT: &str = r#"defmodule AppWeb.Chat do
  alias App.Chat.Message

  def delivered?(message), do: message.status == "delivered"
end
"#;

/// An HTTP response called `message`, a Stripe event called `event` and handed on: no record.
const HOOKS: &str = r#"defmodule App.Hooks do
  alias Stripe.Event

  def logged(message), do: message.status

  def handle(event) do
    Logger.info(event.expired_at)
    live?(event)
  end

  defp live?(data), do: data.livemode
end
"#;

/// An `@event` nothing binds is the app's `Event`; an `@session` is no `sessions` row for want of
/// a `Session` schema (the app's `PlugSession` maps that table).
const STATS_HEEX: &str = r#"<h1>{@event.name}</h1>
<p>{@event.audience_peak}</p>
<p>{@session.inserted_at}</p>
<p :if={!@event.expired_at}>open</p>
"#;

#[test]
fn a_name_that_mostly_holds_no_record_types_the_schema_it_names() {
    let (_dir, result) = scan(&[
        ("lib/app/events.ex", EVENTS),
        ("lib/app_web/live/event_live/index.ex", EVENT_LIVE),
        ("lib/app_web/chat.ex", CHAT),
        ("lib/app/hooks.ex", HOOKS),
        ("lib/app_web/live/stat_live/index.html.heex", STATS_HEEX),
    ]);
    assert_eq!(
        uses(&result, "events.expired_at"),
        set(&[
            "lib/app/events/event.ex:6",
            "lib/app/events/event.ex:12",
            "lib/app_web/live/event_live/index.ex:7",
            "lib/app_web/live/stat_live/index.html.heex:4",
        ])
    );
    assert_eq!(
        uses(&result, "events.audience_peak"),
        set(&["lib/app/events/event.ex:7", "lib/app/events.ex:2", "lib/app_web/live/stat_live/index.html.heex:2"])
    );
    assert_eq!(uses(&result, "messages.status"), set(&["lib/app/chat/message.ex:5", "lib/app_web/chat.ex:4"]));
    assert_eq!(uses(&result, "sessions.inserted_at"), set(&["lib/app/plug_session.ex:5"]));
    // `live?(event)` does not make `data` an event: no fallback to the one table with `livemode`.
    assert_eq!(uses(&result, "webhooks.livemode"), set(&["lib/app/webhook.ex:5"]));
}

/// Record fields interpolated into strings inside template code (Alpine.js data, CSS classes,
/// verified routes), and a plain string that only looks like one.
const MANAGE_HEEX: &str = r#"<div x-data={"{date: moment.utc('#{@event.expired_at}').local()}"}>
  <div :for={opt <- @poll_opts} class={"p-2 #{if opt.vote_count > 0, do: "bg-green-600"} rounded"}>
    x
  </div>
  <a href={~p"/events/#{@event.audience_peak}/stats"}>stats</a>
  <span title={"@event.name"}>{"opt.vote_count"}</span>
  <%= if @event.name, do: "Event #{@event.audience_peak}" %>
</div>
"#;

#[test]
fn interpolations_inside_template_strings_are_code() {
    let (_dir, result) = scan(&[("lib/app_web/live/event_live/manage.html.heex", MANAGE_HEEX)]);
    assert_eq!(
        uses(&result, "events.expired_at"),
        set(&[
            "lib/app/events/event.ex:6",
            "lib/app/events/event.ex:12",
            "lib/app_web/live/event_live/manage.html.heex:1",
        ])
    );
    assert_eq!(
        uses(&result, "poll_opts.vote_count"),
        set(&["lib/app/polls/poll_opt.ex:5", "lib/app_web/live/event_live/manage.html.heex:2"])
    );
    assert_eq!(
        uses(&result, "events.audience_peak"),
        set(&[
            "lib/app/events/event.ex:7",
            "lib/app_web/live/event_live/manage.html.heex:5",
            "lib/app_web/live/event_live/manage.html.heex:7",
        ])
    );
    // Line 6's strings hold no code.
    assert_eq!(
        uses(&result, "events.name"),
        set(&["lib/app/events/event.ex:5", "lib/app_web/live/event_live/manage.html.heex:7"])
    );
}

/// Params nested under an association's key, as the parent's changeset `cast_assoc`s them; a key
/// that is no association, and a function that writes nothing, read no nested key.
const CREATE: &str = r#"defmodule AppWeb.EventLive.New do
  alias App.Events
  alias App.Polls

  def save(event_params) do
    Events.create_event(
      event_params
      |> Map.put("presentation_file", %{
        "status" => "progress"
      })
    )
  end

  def import(title) do
    Events.create_event(%{
      name: title,
      presentation_file: %{"status" => "done"},
      settings: %{"status" => "ignored"}
    })
  end

  def copy(poll) do
    Polls.create_poll(%{
      title: poll.title,
      poll_opts: Enum.map(poll.poll_opts, fn opt -> %{vote_count: 0} end)
    })
  end

  def find(title), do: Events.list_events(%{name: title, presentation_file: %{"status" => "done"}})
end
"#;

#[test]
fn nested_params_are_the_associations() {
    let (_dir, result) = scan(&[("lib/app_web/live/event_live/new.ex", CREATE)]);
    assert_eq!(
        uses(&result, "presentation_files.status"),
        set(&[
            "lib/app/presentations/presentation_file.ex:5",
            "lib/app_web/live/event_live/new.ex:9",
            "lib/app_web/live/event_live/new.ex:17",
        ])
    );
    assert_eq!(uses(&result, "messages.status"), set(&["lib/app/chat/message.ex:5"]));
    assert_eq!(
        uses(&result, "poll_opts.vote_count"),
        set(&["lib/app/polls/poll_opt.ex:5", "lib/app_web/live/event_live/new.ex:25"])
    );
}

/// A comprehension over an association read off an assign: its variable is that association's
/// record; a step that is no association, or a call, binds nothing (`status` is on two tables).
const CHAINED_HEEX: &str = r#"<div :for={a <- @event.messages}>{a.status}</div>
<div :for={b <- @event.presentation_files}>{b.status}</div>
<%= for c <- @event.messages() do %>{c.status}<% end %>
<div :for={entry <- @uploads.archive.entries}>{entry.vote_count}</div>
"#;

#[test]
fn a_comprehension_over_an_association_binds_its_records() {
    let (_dir, result) = scan(&[("lib/app_web/live/event_live/show.html.heex", CHAINED_HEEX)]);
    assert_eq!(
        uses(&result, "messages.status"),
        set(&["lib/app/chat/message.ex:5", "lib/app_web/live/event_live/show.html.heex:1"])
    );
    assert_eq!(uses(&result, "presentation_files.status"), set(&["lib/app/presentations/presentation_file.ex:5"]));
    // LiveView uploads: no record, and no fallback to the one table with `vote_count`.
    assert_eq!(uses(&result, "poll_opts.vote_count"), set(&["lib/app/polls/poll_opt.ex:5"]));
}

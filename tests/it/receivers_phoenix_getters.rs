//! phx.gen.context's getters named after their schema: `Events.get_event!(id)`,
//! `Accounts.get_user_by_email(e)`, `Posts.list_posts()`, `{:ok, x} = Events.create_event(…)`
//! return records of `App.Events.Event`, `App.Accounts.User`, `App.Posts.Post`. Each on a fixture
//! app scanned end to end: the exact lines a column is used on, and the look-alikes (a count, an
//! application setting, a name that is no schema) not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `icon` is on two tables. `name` is on every table: only a typed receiver says which. `pinned`, `locale` and
/// `expired_at` are each on one table (what an untyped receiver's attribute fallback would take).
const TABLES: &[(&str, &[&str])] = &[
    ("events", &["id", "name", "expired_at"]),
    ("users", &["id", "name", "locale"]),
    ("posts", &["id", "name", "pinned", "event_id"]),
    ("reactions", &["id", "icon", "post_id"]),
    ("badges", &["id", "icon", "url"]),
    ("post_images", &["id", "url"]),
];

const EVENT: &str = r#"defmodule App.Events.Event do
  use Ecto.Schema

  schema "events" do
    field :name, :string
    field :expired_at, :naive_datetime
    has_many :posts, App.Posts.Post
  end
end
"#;

const USER: &str = r#"defmodule App.Accounts.User do
  use Ecto.Schema

  schema "users" do
    field :name, :string
    field :locale, :string
  end
end
"#;

const POST: &str = r#"defmodule App.Posts.Post do
  use Ecto.Schema

  schema "posts" do
    field :name, :string
    field :pinned, :boolean
    belongs_to :event, App.Events.Event
  end
end
"#;

/// The context: its getters' bodies are not readable (a cache), so only their names type them;
/// inside the context a bare call is typed alike.
const EVENTS: &str = r#"defmodule App.Events do
  alias App.Cache

  def get_event!(id), do: Cache.lookup(:event, id)

  def rename(id) do
    ev = get_event!(id)
    ev.name
  end
end
"#;

fn scan(extra: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    let mut files: Vec<(&str, &str)> = vec![
        ("lib/app/events/event.ex", EVENT),
        ("lib/app/accounts/user.ex", USER),
        ("lib/app/posts/post.ex", POST),
        ("lib/app/events.ex", EVENTS),
    ];
    files.extend_from_slice(extra);
    support::scan::scan_files("app", Framework::Phoenix, &files, TABLES)
}

/// Records held in variables whose names say nothing, from the context's getters, lists,
/// writers' `{:ok, x}` and `case` clauses; the context's schema as the last words of a getter's
/// noun (`get_user_event!`); look-alikes that are no getter of a schema, and a variable whose own
/// name says what it holds (`{:ok, user} = Posts.update_pinned(…)`).
const CONTROLLER: &str = r#"defmodule AppWeb.EventController do
  alias App.Accounts
  alias App.Events
  alias App.Posts

  def show(id, email) do
    e = Events.get_event!(id)
    u = Accounts.get_user_by_email(email)
    po = Posts.get_post(id)
    {e.name, u.name, po.name}
  end

  def index do
    for p <- Posts.list_posts(), do: p.name
    rows = Events.list_events()
    Enum.map(rows, fn r -> r.name end)
  end

  def create(attrs) do
    {:ok, ev} = Events.create_event(attrs)
    with {:ok, us} <- Accounts.update_user(attrs) do
      us.name
    end
    ev.name
  end

  def direct(code), do: Events.get_event_by_code!(code).name

  def cases(id, attrs) do
    case Events.get_event(id) do
      nil -> nil
      x -> x.name
    end
    case Posts.create_post(attrs) do
      {:ok, po} -> po.name
      {:error, cs} -> cs
    end
  end

  def traps(id, attrs) do
    count = Events.get_event_count(id)
    setting = Application.get_env(:app, :x)
    token = Accounts.get_token(id)
    other = Config.get_user(id)
    {count.name, setting.name, token.name, other.name}
    {:ok, user} = Posts.update_pinned(attrs)
    user.name
    ev = Events.get_user_event!(id)
    ev.name
  end
end
"#;

#[test]
fn a_context_getter_named_after_its_schema_returns_its_records() {
    let (_dir, result) = scan(&[("lib/app_web/controllers/event_controller.ex", CONTROLLER)]);
    assert_eq!(
        uses(&result, "events.name"),
        set(&[
            "lib/app/events/event.ex:5",
            "lib/app/events.ex:8",
            "lib/app_web/controllers/event_controller.ex:10",
            "lib/app_web/controllers/event_controller.ex:16",
            "lib/app_web/controllers/event_controller.ex:24",
            "lib/app_web/controllers/event_controller.ex:27",
            "lib/app_web/controllers/event_controller.ex:32",
            "lib/app_web/controllers/event_controller.ex:49",
        ])
    );
    assert_eq!(
        uses(&result, "users.name"),
        set(&[
            "lib/app/accounts/user.ex:5",
            "lib/app_web/controllers/event_controller.ex:10",
            "lib/app_web/controllers/event_controller.ex:22",
            "lib/app_web/controllers/event_controller.ex:47",
        ])
    );
    assert_eq!(
        uses(&result, "posts.name"),
        set(&[
            "lib/app/posts/post.ex:5",
            "lib/app_web/controllers/event_controller.ex:10",
            "lib/app_web/controllers/event_controller.ex:14",
            "lib/app_web/controllers/event_controller.ex:35",
        ])
    );
}

/// Assigns from getters whose bodies no file types: the name stands in for the body.
const LIVE: &str = r#"defmodule AppWeb.EventLive.Show do
  use AppWeb, :live_view
  alias App.Accounts
  alias App.Events

  def mount(%{"id" => id}, _session, socket) do
    {:ok,
     socket
     |> assign(:ev, Events.get_event!(id))
     |> assign(:people, Accounts.list_users())
     |> assign(:total, Events.get_event_count(id))}
  end
end
"#;

const SHOW_HEEX: &str = r#"<h1>{@ev.expired_at}</h1>
<p :for={x <- @people}>{x.locale}</p>
<p>{@total.name}</p>
"#;

#[test]
fn an_assign_from_a_context_getter_is_its_schema() {
    let (_dir, result) = scan(&[
        ("lib/app_web/live/event_live/show.ex", LIVE),
        ("lib/app_web/live/event_live/show.html.heex", SHOW_HEEX),
    ]);
    assert_eq!(
        uses(&result, "events.expired_at"),
        set(&["lib/app/events/event.ex:6", "lib/app_web/live/event_live/show.html.heex:1"])
    );
    assert_eq!(
        uses(&result, "users.locale"),
        set(&["lib/app/accounts/user.ex:6", "lib/app_web/live/event_live/show.html.heex:2"])
    );
    // `@total` is a count: nothing (the context's own `ev.name` is the first test's).
    assert_eq!(uses(&result, "events.name"), set(&["lib/app/events/event.ex:5", "lib/app/events.ex:8"]));
}

const REACTION: &str = r#"defmodule App.Posts.Reaction do
  use Ecto.Schema

  schema "reactions" do
    field :icon, :string
    belongs_to :post, App.Posts.Post
  end
end
"#;

/// A context function named after a schema destructures that schema's fields from a map; one
/// named after none (`count_likes`) takes a filter map of the context's own schema.
const POSTS: &str = r#"defmodule App.Posts do
  alias App.Repo
  alias App.Posts.Reaction

  def delete_reaction(%{post: post, icon: icon} = _params) do
    Reaction |> Repo.get_by!(post_id: post.id, icon: icon) |> Repo.delete()
  end

  def count_likes(%{icon: icon}), do: icon
end
"#;

/// The map reaches the context through the live view's own function.
const POST_LIVE: &str = r#"defmodule AppWeb.PostLive.Show do
  alias App.Posts

  def handle_event("unlike", %{"type" => type}, socket) do
    {:noreply, remove(socket, %{icon: type})}
  end

  def handle_event("count", %{"type" => type}, socket) do
    {:noreply, Posts.count_likes(%{icon: type})}
  end

  defp remove(socket, params) do
    Posts.delete_reaction(Map.merge(params, %{post: socket.assigns.post}))
  end
end
"#;

#[test]
fn a_context_function_named_after_a_schema_takes_its_fields() {
    let (_dir, result) = scan(&[
        ("lib/app/posts/reaction.ex", REACTION),
        ("lib/app/posts.ex", POSTS),
        ("lib/app_web/live/post_live/show.ex", POST_LIVE),
    ]);
    assert_eq!(
        uses(&result, "reactions.icon"),
        set(&[
            "lib/app/posts/reaction.ex:5",
            "lib/app/posts.ex:5",
            "lib/app/posts.ex:6",
            "lib/app_web/live/post_live/show.ex:5",
        ])
    );
    assert_eq!(uses(&result, "badges.icon"), set(&[]));
}

/// A schema beside its context rather than inside it (`App.Posts.PostImage` served by
/// `App.Posts.Images`): resolution finds it by the name the getter gives (`url` is on two tables).
const POST_IMAGE: &str = r#"defmodule App.Posts.PostImage do
  use Ecto.Schema

  schema "post_images" do
    field :url, :string
  end
end
"#;

const UPLOAD: &str = r#"defmodule AppWeb.Upload do
  alias App.Posts.Images

  def save(attrs) do
    {:ok, pi} = Images.create_post_image(attrs)
    pi.url
  end
end
"#;

#[test]
fn a_schema_beside_its_context_is_the_one_its_getter_names() {
    let (_dir, result) = scan(&[("lib/app/posts/post_image.ex", POST_IMAGE), ("lib/app_web/upload.ex", UPLOAD)]);
    assert_eq!(uses(&result, "post_images.url"), set(&["lib/app/posts/post_image.ex:5", "lib/app_web/upload.ex:6"]));
    assert_eq!(uses(&result, "badges.url"), set(&[]));
}

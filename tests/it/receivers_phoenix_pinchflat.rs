//! Phoenix idioms measured on pinchflat (`benches/accuracy/pinchflat`, Ecto on SQLite): a
//! changeset's record and changes (`changeset.data.x`, `%{changes: changes} = changeset`,
//! `is_map_key(changes, :x)`, `apply_changes(changeset)`), tuple clauses of a `case` over them,
//! and `<:col :let={row}>` slots over a table's `rows={@xs}` — each with the same word elsewhere
//! (a plain struct's key, another table's column) not taken for the column.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `enabled` is on two tables; `uploaded_at` is also a plain struct's key.
const TABLES: &[(&str, &[&str])] = &[
    ("media_items", &["id", "uploaded_at", "title"]),
    ("sources", &["id", "enabled", "download_media"]),
    ("feeds", &["id", "enabled"]),
    ("profiles", &["id", "name", "template"]),
    ("settings", &["id", "api_key"]),
];

const MEDIA_ITEM: &str = r#"defmodule App.Media.MediaItem do
  use Ecto.Schema
  import Ecto.Changeset

  schema "media_items" do
    field :uploaded_at, :utc_datetime
    field :title, :string
  end

  def changeset(item, attrs), do: cast(item, attrs, [:title])

  defp index(%{changes: changes} = changeset) when is_map_key(changes, :uploaded_at) do
    old = changeset.data.uploaded_at
    {old, changes.uploaded_at}
  end

  defp retitle(%{changes: %{title: t}} = changeset), do: {t, changeset}
end
"#;

/// A plain struct with the same keys: no table.
const YT_MEDIA: &str = r#"defmodule App.Yt.Media do
  defstruct [:uploaded_at, :enabled]

  def at(media), do: media.uploaded_at

  def keyed(map), do: is_map_key(map, :uploaded_at)
end
"#;

const SOURCE: &str = "defmodule App.Sources.Source do\n  use Ecto.Schema\n\n  schema \"sources\" do\n    field :enabled, :boolean\n    field :download_media, :boolean\n  end\nend\n";
const FEED: &str = "defmodule App.Feeds.Feed do\n  use Ecto.Schema\n\n  schema \"feeds\" do\n    field :enabled, :boolean\n  end\nend\n";

/// The `Sources` context: a changeset there is a `Source`'s.
const SOURCES: &str = r#"defmodule App.Sources do
  alias App.Sources.Source

  defp handle_tasks(changeset, source) do
    current = changeset.changes
    applied = Ecto.Changeset.apply_changes(changeset)

    case {current, applied} do
      {%{download_media: true}, %{enabled: true}} -> source
      {%{enabled: false}, _} -> nil
      _ -> source
    end
  end

  def toggle(a, b) do
    case {a, b} do
      {%{enabled: true}, _} -> :on
      _ -> :off
    end
  end

  defp details(source, changes, same) do
    collection =
      if same do
        %{download_media: true}
      else
        %{download_media: false}
      end

    change_source(source, Map.merge(changes, collection))
  end
end
"#;

const HISTORY: &str = r#"defmodule AppWeb.Pages.HistoryLive do
  use AppWeb, :live_view

  def render(assigns) do
    ~H"""
    <.table rows={@records}>
      <:col :let={media_item} label="Uploaded">
        {media_item.uploaded_at}
      </:col>
      <:col :let={row} label="Again">
        {row.uploaded_at}
      </:col>
    </.table>
    """
  end
end
"#;

const SOURCE_INDEX: &str = r#"<.table rows={@sources}>
  <:col :let={source} label="Enabled?">
    {source.enabled}
  </:col>
</.table>
<.form :let={f} for={@form}>
  {f.enabled}
</.form>
"#;

const FEED_SHOW: &str = "<section>\n  {feed.enabled}\n</section>\n";

fn scan(files: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("app", Framework::Phoenix, files, TABLES)
}

#[test]
fn a_changesets_record_and_changes_and_tuple_clauses_over_them() {
    let (_dir, result) = scan(&[
        ("lib/app/media/media_item.ex", MEDIA_ITEM),
        ("lib/app/yt/media.ex", YT_MEDIA),
        ("lib/app/sources/source.ex", SOURCE),
        ("lib/app/feeds/feed.ex", FEED),
        ("lib/app/sources.ex", SOURCES),
    ]);
    // The guard, `changeset.data.x` and `changes.x` in the schema's module; the plain struct's
    // `media.uploaded_at` and `is_map_key(map, …)` are no column's.
    assert_eq!(
        uses(&result, "media_items.uploaded_at"),
        set(&[
            "lib/app/media/media_item.ex:6",
            "lib/app/media/media_item.ex:12",
            "lib/app/media/media_item.ex:13",
            "lib/app/media/media_item.ex:14",
        ])
    );
    // `%{changes: %{title: t}} = changeset`: the nested map's keys are fields.
    assert_eq!(
        uses(&result, "media_items.title"),
        set(&["lib/app/media/media_item.ex:7", "lib/app/media/media_item.ex:10", "lib/app/media/media_item.ex:17"])
    );
    // `case {changeset.changes, apply_changes(changeset)}` in the `Sources` context; a tuple of
    // untyped values names nothing, and `feeds.enabled` is never taken.
    assert_eq!(
        uses(&result, "sources.enabled"),
        set(&["lib/app/sources/source.ex:5", "lib/app/sources.ex:9", "lib/app/sources.ex:10"])
    );
    assert_eq!(
        uses(&result, "sources.download_media"),
        set(&["lib/app/sources/source.ex:6", "lib/app/sources.ex:9", "lib/app/sources.ex:25", "lib/app/sources.ex:27"])
    );
    assert_eq!(uses(&result, "feeds.enabled"), set(&["lib/app/feeds/feed.ex:5"]));
}

#[test]
fn a_table_slots_let_variable_is_a_row() {
    let (_dir, result) = scan(&[
        ("lib/app/media/media_item.ex", MEDIA_ITEM),
        ("lib/app/yt/media.ex", YT_MEDIA),
        ("lib/app/sources/source.ex", SOURCE),
        ("lib/app/feeds/feed.ex", FEED),
        ("lib/app_web/live/pages/history_live.ex", HISTORY),
        ("lib/app_web/controllers/source_html/index.html.heex", SOURCE_INDEX),
        ("lib/app_web/controllers/feed_html/show.html.heex", FEED_SHOW),
    ]);
    // `:let={media_item}` over `@records` (which nothing binds): the row's own name; `row` is no
    // record's name, and the form's `:let={f}` is no row.
    let uploaded = uses(&result, "media_items.uploaded_at");
    assert!(uploaded.contains("lib/app_web/live/pages/history_live.ex:8"), "{uploaded:?}");
    assert!(!uploaded.contains("lib/app_web/live/pages/history_live.ex:11"), "{uploaded:?}");
    assert_eq!(
        uses(&result, "sources.enabled"),
        set(&["lib/app/sources/source.ex:5", "lib/app_web/controllers/source_html/index.html.heex:3"])
    );
    // `feed.enabled` outside any slot is not guessed from a neighbour's rows.
    assert!(!uses(&result, "sources.enabled").contains("lib/app_web/controllers/feed_html/show.html.heex:2"));
}

const PROFILE: &str = r#"defmodule App.Profiles.Profile do
  use Ecto.Schema
  import Ecto.Changeset

  @initial ~w(name)a
  @full @initial ++ ~w(template)a

  schema "profiles" do
    field :name, :string
    field :template, :string
  end

  def changeset(profile, attrs, stage) do
    required = if stage == :initial, do: @initial, else: @full
    profile |> cast(attrs, [:name, :template]) |> validate_required(required)
  end

  def file_fields, do: ~w(template)a

  def excluded_fields, do: ~w(__meta__ name)a
end
"#;

#[test]
fn field_lists_chosen_by_a_condition_or_returned_by_the_schema() {
    let (_dir, result) = scan(&[("lib/app/profiles/profile.ex", PROFILE)]);
    // Both branches' lists (one built with `++`) reach `validate_required`; `file_fields` lists
    // only fields, `excluded_fields` also `__meta__`: no field list.
    assert_eq!(
        uses(&result, "profiles.name"),
        set(&["lib/app/profiles/profile.ex:5", "lib/app/profiles/profile.ex:9", "lib/app/profiles/profile.ex:15"])
    );
    assert_eq!(
        uses(&result, "profiles.template"),
        set(&[
            "lib/app/profiles/profile.ex:6",
            "lib/app/profiles/profile.ex:10",
            "lib/app/profiles/profile.ex:15",
            "lib/app/profiles/profile.ex:18",
        ])
    );
}

/// A query module per schema: `new/0` returns the schema, the others `dynamic` fragments over it.
const MEDIA_QUERY: &str = r#"defmodule App.Media.MediaQuery do
  import Ecto.Query, warn: false

  alias App.Media.MediaItem

  def new do
    MediaItem
  end

  def uploaded_after(date), do: dynamic([mi], fragment("date(?) > ?", mi.uploaded_at, ^date))

  def stale do
    dynamic(
      [mi, source],
      fragment("DATE(uploaded_at) < DATE('now')")
    )
  end
end
"#;

/// A module returning two schemas bare: its queries on nothing are over neither.
const MIXED_QUERY: &str = r#"defmodule App.MixedQuery do
  import Ecto.Query, warn: false

  alias App.Media.MediaItem
  alias App.Profiles.Profile

  def items, do: MediaItem
  def profiles, do: Profile

  def after_date(d), do: dynamic([x], x.uploaded_at > ^d)
end
"#;

const PODCASTS: &str = r#"defmodule App.Podcasts do
  import Ecto.Query, warn: false
  alias App.Media.MediaQuery
  alias App.Repo

  def recent do
    MediaQuery.new()
    |> where(^MediaQuery.uploaded_after(~D[2020-01-01]))
    |> order_by(desc: :uploaded_at)
    |> Repo.all()
  end

  def listed do
    MediaQuery.new()
    |> select(^select_fields())
    |> Repo.all()
  end

  def other do
    App.Yt.Media.fetch()
    |> order_by(desc: :uploaded_at)
  end

  defp select_fields do
    [:id, :title, :uploaded_at]
  end
end
"#;

#[test]
fn a_query_modules_base_schema_and_pipelines_from_it() {
    let (_dir, result) = scan(&[
        ("lib/app/media/media_item.ex", MEDIA_ITEM),
        ("lib/app/yt/media.ex", YT_MEDIA),
        ("lib/app/profiles/profile.ex", PROFILE),
        ("lib/app/media/media_query.ex", MEDIA_QUERY),
        ("lib/app/mixed_query.ex", MIXED_QUERY),
        ("lib/app/podcasts.ex", PODCASTS),
    ]);
    // `dynamic([mi], …)` and a raw fragment in the query module; `MediaQuery.new() |>
    // order_by(…)` and `select(^select_fields())` elsewhere. `App.Yt.Media.fetch()`, which
    // returns nothing known, names nothing, nor does the mixed module's `x.uploaded_at`.
    assert_eq!(
        uses(&result, "media_items.uploaded_at"),
        set(&[
            "lib/app/media/media_item.ex:6",
            "lib/app/media/media_item.ex:12",
            "lib/app/media/media_item.ex:13",
            "lib/app/media/media_item.ex:14",
            "lib/app/media/media_query.ex:10",
            "lib/app/media/media_query.ex:15",
            "lib/app/podcasts.ex:9",
            "lib/app/podcasts.ex:25",
        ])
    );
    // `select_fields` also lists `title`.
    assert_eq!(
        uses(&result, "media_items.title"),
        set(&[
            "lib/app/media/media_item.ex:7",
            "lib/app/media/media_item.ex:10",
            "lib/app/media/media_item.ex:17",
            "lib/app/podcasts.ex:25",
        ])
    );
}

/// The app's own changeset helper given a field after `cast`; the same helper given a name that
/// is no field of the schema, and an atom outside a changeset pipeline, name nothing.
const FEED_WITH_HELPER: &str = r#"defmodule App.Feeds.Feed do
  use Ecto.Schema
  import Ecto.Changeset
  import App.ChangesetUtils

  schema "feeds" do
    field :enabled, :boolean
    field :label, :string, virtual: true
  end

  def changeset(feed, attrs) do
    feed
    |> cast(attrs, [])
    |> dynamic_default(:enabled, fn _ -> true end)
    |> dynamic_default(:label, fn _ -> "x" end)
    |> dynamic_default(:download_media, fn _ -> true end)
  end

  def toggle(feed), do: feed |> Map.from_struct() |> flag(:enabled)
end
"#;

/// Template code: a capture's `&1.name` over a collection, and a `fn p -> p.name end`.
const SOURCE_FORM: &str = r#"<.form :let={f} for={@changeset}>
  <.input field={f[:profile_id]} options={Enum.map(@profiles, &{&1.name, &1.id})} type="select" />
  <.input field={f[:other_id]} options={Enum.map(@profiles, fn p -> {p.name, p.id} end)} type="select" />
  <span>{Enum.map(@feeds, &(&1.enabled))}</span>
  <span>{Enum.count(@profiles, &1)}</span>
</.form>
"#;

#[test]
fn a_changeset_helpers_field_and_a_templates_capture() {
    let (_dir, result) = scan(&[
        ("lib/app/sources/source.ex", SOURCE),
        ("lib/app/feeds/feed.ex", FEED_WITH_HELPER),
        ("lib/app/profiles/profile.ex", PROFILE),
        ("lib/app_web/controllers/source_html/source_form.html.heex", SOURCE_FORM),
    ]);
    // `dynamic_default(:enabled, …)` after `cast`; not the `flag(:enabled)` on a plain map, nor
    // the virtual field or another schema's field. `&1.enabled` over `@feeds` is a feed's, not
    // a source's.
    assert_eq!(
        uses(&result, "feeds.enabled"),
        set(&[
            "lib/app/feeds/feed.ex:7",
            "lib/app/feeds/feed.ex:14",
            "lib/app_web/controllers/source_html/source_form.html.heex:4",
        ])
    );
    assert_eq!(uses(&result, "sources.enabled"), set(&["lib/app/sources/source.ex:5"]));
    assert_eq!(uses(&result, "sources.download_media"), set(&["lib/app/sources/source.ex:6"]));
    // `&1.name` and `p.name` over `@profiles`.
    assert_eq!(
        uses(&result, "profiles.name"),
        set(&[
            "lib/app/profiles/profile.ex:5",
            "lib/app/profiles/profile.ex:9",
            "lib/app/profiles/profile.ex:15",
            "lib/app_web/controllers/source_html/source_form.html.heex:2",
            "lib/app_web/controllers/source_html/source_form.html.heex:3",
        ])
    );
}

/// Maps that cross modules: a parser's result written by another module, a map handed to a
/// context function whose parameter reaches its writer, and a settings getter keyed by a name.
const SETTING: &str = "defmodule App.Settings.Setting do\n  use Ecto.Schema\n\n  schema \"settings\" do\n    field :api_key, :string\n  end\nend\n";

const SETTINGS: &str = r#"defmodule App.Settings do
  import Ecto.Query, warn: false
  alias App.Repo
  alias App.Settings.Setting

  def record do
    Setting
    |> limit(1)
    |> Repo.one()
  end

  def get(name) do
    case Map.fetch(record(), name) do
      {:ok, value} -> {:ok, value}
      :error -> {:error, :invalid_key}
    end
  end

  def get!(name) do
    {:ok, value} = get(name)
    value
  end
end
"#;

const MEDIA: &str = r#"defmodule App.Media do
  alias App.Media.MediaItem
  alias App.Repo

  def update_media_item(%MediaItem{} = media_item, attrs) do
    update_attrs = Map.drop(attrs, [:id])

    media_item
    |> MediaItem.changeset(update_attrs)
    |> Repo.update()
  end

  def delete_files(%MediaItem{} = media_item, addl_attrs \\ %{}) do
    update_media_item(media_item, Map.merge(%{}, addl_attrs))
  end

  def log_files(%MediaItem{} = media_item, opts \\ %{}) do
    IO.inspect({media_item, opts})
  end
end
"#;

const PARSER: &str = r#"defmodule App.Parser do
  def parse_for_media_item(json) do
    Map.new()
    |> Map.merge(parse_media(json))
  end

  defp parse_media(json) do
    %{title: json["title"]}
  end

  def parse_for_log(json), do: %{title: json["title"]}
end
"#;

const WORKER: &str = r#"defmodule App.Worker do
  alias App.{Media, Parser, Settings}

  def perform(item, json) do
    Settings.get!(:api_key)
    Media.delete_files(item, %{uploaded_at: nil})
    Media.log_files(item, %{uploaded_at: nil})
    attrs = json |> Parser.parse_for_media_item() |> Map.merge(%{uploaded_at: nil})
    Media.update_media_item(item, attrs)
    IO.inspect(Parser.parse_for_log(json))
    Other.get!(:api_key)
  end
end
"#;

#[test]
fn maps_and_keys_that_cross_modules() {
    let (_dir, result) = scan(&[
        ("lib/app/media/media_item.ex", MEDIA_ITEM),
        ("lib/app/yt/media.ex", YT_MEDIA),
        ("lib/app/settings/setting.ex", SETTING),
        ("lib/app/settings.ex", SETTINGS),
        ("lib/app/media.ex", MEDIA),
        ("lib/app/parser.ex", PARSER),
        ("lib/app/worker.ex", WORKER),
    ]);
    // `delete_files`' `addl_attrs` reaches `update_media_item`'s changeset through `Map.drop`;
    // `log_files`' `opts` reaches nothing.
    let uploaded = uses(&result, "media_items.uploaded_at");
    assert!(uploaded.contains("lib/app/worker.ex:6"), "{uploaded:?}");
    assert!(uploaded.contains("lib/app/worker.ex:8"), "{uploaded:?}");
    assert!(!uploaded.contains("lib/app/worker.ex:7"), "{uploaded:?}");
    // The parser's key, returned through a private function, is written by the worker; the
    // same key of `parse_for_log`, which nothing writes, is not.
    let title = uses(&result, "media_items.title");
    assert!(title.contains("lib/app/parser.ex:8"), "{title:?}");
    assert!(!title.contains("lib/app/parser.ex:11"), "{title:?}");
    // `Settings.get!(:api_key)` through `get(name)`'s `Map.fetch(record(), name)`; another
    // module's `get!` is not the settings'.
    assert_eq!(uses(&result, "settings.api_key"), set(&["lib/app/settings/setting.ex:5", "lib/app/worker.ex:5"]));
}

const POW_CONFIG: &str = "import Config\n\nconfig :app, :pow,\n  user: App.Settings.Setting,\n  repo: App.Repo\n";

const REGISTRATION: &str = r#"defmodule AppWeb.RegistrationController do
  def create(conn, params) do
    user = Enum.into(params, %{"api_key" => "x"})
    Pow.Plug.create_user(conn, user)
    conn |> Pow.Plug.update_user(%{api_key: "y"})
    Other.Plug.create_user(conn, %{api_key: "z"})
  end
end
"#;

#[test]
fn pows_writers_take_the_configured_users_params() {
    let (_dir, result) = scan(&[
        ("lib/app/settings/setting.ex", SETTING),
        ("config/config.exs", POW_CONFIG),
        ("lib/app_web/controllers/registration_controller.ex", REGISTRATION),
    ]);
    // Pow's `create_user` / piped `update_user` params; another module's `create_user` is not Pow's.
    assert_eq!(
        uses(&result, "settings.api_key"),
        set(&[
            "lib/app/settings/setting.ex:5",
            "lib/app_web/controllers/registration_controller.ex:3",
            "lib/app_web/controllers/registration_controller.ex:5",
        ])
    );
}

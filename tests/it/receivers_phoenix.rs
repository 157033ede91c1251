//! Phoenix / Ecto receiver resolution end to end: a real git repository scanned, each idiom's use
//! of a column found at its exact line, and the same word elsewhere (an association named like a
//! column, a value, an option map, a plain struct) not taken for it.

use std::collections::BTreeSet;

use tandem::config::Framework;
use tandem::scan::ScanResult;
use tandem::scan::resolve::SchemaIndex;
use tandem::scan::scan_ref;

use crate::support;
use crate::support::git::TestRepo;
use crate::support::scan::{set, uses_of as uses};

const TABLES: &[(&str, &[&str])] = &[
    // `phases` is a legacy column; the schema's `phases` is an association.
    ("challenges", &["id", "name", "status", "phases", "owner_id", "inserted_at", "updated_at"]),
    ("users", &["id", "email", "name", "settings"]),
    ("phases", &["id", "challenge_id", "title"]),
    ("entries", &["id", "challenge_id", "score", "verdict"]),
];

const CHALLENGE: &str = r#"defmodule Shop.Catalog.Challenge do
  use Ecto.Schema
  import Ecto.Changeset
  import Ecto.Query

  schema "challenges" do
    field :name, :string
    field :status, :string
    belongs_to :owner, Shop.Accounts.User
    has_many :phases, Shop.Catalog.Phase
    timestamps()
  end

  def changeset(challenge, attrs) do
    allowed = ~w(name status)a
    challenge
    |> cast(attrs, allowed)
    |> validate_required([:name])
  end

  def published(query \\ __MODULE__), do: from(c in query, where: c.status == "published")

  def pending?(%{status: "pending"}), do: true
end
"#;

const USER: &str = r#"defmodule Shop.Accounts.User do
  use Ecto.Schema

  schema "users" do
    field :email, :string
    field :name, :string
    embeds_one :settings, Shop.Accounts.Settings
    has_many :challenges, Shop.Catalog.Challenge, foreign_key: :owner_id
  end
end
"#;

const PHASE: &str = r#"defmodule Shop.Catalog.Phase do
  use Ecto.Schema

  schema "phases" do
    field :title, :string
    belongs_to :challenge, Shop.Catalog.Challenge
  end
end
"#;

const ENTRY: &str = r#"defmodule Shop.Catalog.Entry do
  use Ecto.Schema

  schema "entries" do
    field :score, :integer
    field :verdict, :string
    belongs_to :challenge, Shop.Catalog.Challenge
  end
end
"#;

const CONTEXT: &str = r#"defmodule Shop.Catalog do
  import Ecto.Query
  alias Shop.Repo
  alias Shop.Catalog.{Challenge, Entry}

  def get_challenge!(id) do
    found = Repo.get!(Challenge, id)
    found.name
  end

  def rename(%Challenge{} = c, name) do
    {c.name, name}
  end

  def best do
    from e in Entry, where: e.score > 3, select: e.verdict
  end

  def scores(list), do: Enum.map(list, & &1.score)

  def create(attrs) do
    Challenge.changeset(%Challenge{}, %{status: "draft", name: attrs.title})
  end

  def poll(opts) do
    {opts.status, "status", :status}
  end
end
"#;

const CONTROLLER: &str = r#"defmodule ShopWeb.ChallengeController do
  use ShopWeb, :controller
  alias Shop.Catalog.Challenge

  def show(conn, %{"id" => id}) do
    item = Shop.Repo.get!(Challenge, id)
    render(conn, :show, contest: item, changeset: Challenge.changeset(item, %{}))
  end
end
"#;

const SHOW: &str = r#"<h1>{@contest.name}</h1>
<p>{@contest.owner.email}</p>
<p>{@contest.phases}</p>
<.form :let={f} for={@changeset}>
  <%= text_input f, :status %>
  <.input field={f[:name]} />
</.form>
<p class="status">name</p>
"#;

const INDEX: &str = r#"<%= for c <- @challenges do %>
  <li><%= c.name %> <%= c.status %></li>
<% end %>
"#;

const LIVE: &str = r#"defmodule ShopWeb.EntryLive do
  use ShopWeb, :live_view

  def mount(_params, _session, socket) do
    {:ok, assign(socket, :best, Shop.Repo.get!(Shop.Catalog.Entry, 1))}
  end

  def render(assigns) do
    ~H"""
    <p>{@best.score}</p>
    """
  end
end
"#;

/// A plain struct with a key named like a column of one table.
const RESULT: &str = r#"defmodule Shop.Report do
  defstruct [:verdict, :total]

  def line(report), do: report.verdict
end
"#;

fn scan() -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files(
        "shop",
        Framework::Phoenix,
        &[
            ("lib/shop/catalog/challenge.ex", CHALLENGE),
            ("lib/shop/accounts/user.ex", USER),
            ("lib/shop/catalog/phase.ex", PHASE),
            ("lib/shop/catalog/entry.ex", ENTRY),
            ("lib/shop/catalog.ex", CONTEXT),
            ("lib/shop_web/controllers/challenge_controller.ex", CONTROLLER),
            ("lib/shop_web/templates/challenge/show.html.heex", SHOW),
            ("lib/shop_web/templates/challenge/index.html.eex", INDEX),
            ("lib/shop_web/live/entry_live.ex", LIVE),
            ("lib/shop/report.ex", RESULT),
        ],
        TABLES,
    )
}

#[test]
fn each_idiom_types_its_receiver() {
    let (_dir, result) = scan();
    assert_eq!(
        uses(&result, "challenges.name"),
        set(&[
            // The field, the `allowed` list handed to `cast`, `validate_required`.
            "lib/shop/catalog/challenge.ex:7",
            "lib/shop/catalog/challenge.ex:15",
            "lib/shop/catalog/challenge.ex:18",
            // `Repo.get!` result, `%Challenge{} = c`, the params map of `Challenge.changeset`.
            "lib/shop/catalog.ex:8",
            "lib/shop/catalog.ex:12",
            "lib/shop/catalog.ex:22",
            // `@contest` is what the controller renders: a Challenge (no schema is called Contest).
            "lib/shop_web/templates/challenge/show.html.heex:1",
            // The form over `@changeset`, typed by the controller's `Challenge.changeset(…)`.
            "lib/shop_web/templates/challenge/show.html.heex:6",
            // The comprehension variable over `@challenges`.
            "lib/shop_web/templates/challenge/index.html.eex:2",
        ])
    );
    assert_eq!(
        uses(&result, "challenges.status"),
        set(&[
            "lib/shop/catalog/challenge.ex:8",
            "lib/shop/catalog/challenge.ex:15",
            // A query over the `query` parameter of the schema's own module, a head's map key.
            "lib/shop/catalog/challenge.ex:21",
            "lib/shop/catalog/challenge.ex:23",
            "lib/shop/catalog.ex:22",
            "lib/shop_web/templates/challenge/show.html.heex:5",
            "lib/shop_web/templates/challenge/index.html.eex:2",
        ])
    );
    // Through `belongs_to :owner`: the user's email, and the key the association reads.
    assert_eq!(
        uses(&result, "users.email"),
        set(&["lib/shop/accounts/user.ex:5", "lib/shop_web/templates/challenge/show.html.heex:2"])
    );
    assert_eq!(
        uses(&result, "challenges.owner_id"),
        set(&[
            "lib/shop/catalog/challenge.ex:9",
            "lib/shop/accounts/user.ex:8",
            "lib/shop_web/templates/challenge/show.html.heex:2",
        ])
    );
    // A query binding, a capture on a list nothing types (`score` is one table's column), and
    // a live view's assign.
    assert_eq!(
        uses(&result, "entries.score"),
        set(&[
            "lib/shop/catalog/entry.ex:5",
            "lib/shop/catalog.ex:16",
            "lib/shop/catalog.ex:19",
            "lib/shop_web/live/entry_live.ex:10",
        ])
    );
}

#[test]
fn what_is_not_the_column_is_not_reported() {
    let (_dir, result) = scan();
    // `has_many :phases` is the association, not the legacy column, in a template and in the
    // schema alike.
    assert_eq!(uses(&result, "challenges.phases"), BTreeSet::new());
    // `opts.status`, the string and the atom on one line of the context; the word in markup.
    let status = uses(&result, "challenges.status");
    assert!(!status.contains("lib/shop/catalog.ex:26"), "{status:#?}");
    assert!(!status.contains("lib/shop_web/templates/challenge/show.html.heex:8"), "{status:#?}");
    let name = uses(&result, "challenges.name");
    assert!(!name.contains("lib/shop_web/templates/challenge/show.html.heex:8"), "{name:#?}");
    // `attrs.title` is a params map, not a phase; a plain struct's key is not the entries column.
    assert!(!uses(&result, "phases.title").contains("lib/shop/catalog.ex:22"));
    assert_eq!(uses(&result, "entries.verdict"), set(&["lib/shop/catalog/entry.ex:6", "lib/shop/catalog.ex:16"]));
}

#[test]
fn schemas_record_their_associations() {
    let facts = tandem::scan::extract::ecto::extract(USER);
    let user = &facts.models[0];
    let associations: Vec<String> = user
        .associations
        .iter()
        .map(|a| format!("{} {} many={} fk={:?}", a.name, a.model, a.many, a.foreign_key))
        .collect();
    assert_eq!(
        associations,
        [
            // An embed is read through its accessor, which is this table's column.
            "settings Shop.Accounts.Settings many=false fk=Some(\"settings\")",
            "challenges Shop.Catalog.Challenge many=true fk=None",
        ]
    );
    let challenge = tandem::scan::extract::ecto::extract(CHALLENGE);
    let owner = &challenge.models[0].associations[0];
    assert_eq!((owner.name.as_str(), owner.foreign_key.as_deref()), ("owner", Some("owner_id")));
}

/// A second app for the idioms of hexpm and changelog.com: records typed by the context module
/// that returns them, by the list they come from, by a `Repo` fetch at the end of a pipeline;
/// params maps held in variables; the app's own factory and validator helpers.
const HUB_TABLES: &[(&str, &[&str])] = &[
    ("releases", &["id", "version", "has_docs"]),
    // `version` here too: a bare `version` key is no one table's column.
    ("requirements", &["id", "release_id", "app", "optional", "version"]),
    ("advisories", &["id", "summary", "cvss_score"]),
    ("organizations", &["id", "billing_seats"]),
    ("subscriptions", &["id", "unsubscribed_at"]),
];

const HUB_RELEASE: &str = r#"defmodule Hub.Release do
  use Ecto.Schema
  import Ecto.Changeset

  @derive {Phoenix.Param, key: :version}

  schema "releases" do
    field :version, :string
    field :has_docs, :boolean
    has_many :requirements, Hub.Requirement
  end

  def changeset(release, attrs) do
    release
    |> cast(attrs, [:version])
    |> validate_nil_field(:has_docs)
  end

  defp validate_nil_field(changeset, _field), do: changeset
end
"#;

const HUB_REQUIREMENT: &str = r#"defmodule Hub.Requirement do
  use Ecto.Schema

  schema "requirements" do
    field :app, :string
    field :optional, :boolean
    field :version, :string
    belongs_to :release, Hub.Release
  end
end
"#;

const HUB_ADVISORY: &str = r#"defmodule Hub.Advisory do
  use Ecto.Schema

  schema "advisories" do
    field :summary, :string
    field :cvss_score, :float
  end

  def changeset(advisory, attrs), do: Ecto.Changeset.cast(advisory, attrs, [:summary])
end
"#;

const HUB_ORGANIZATION: &str = r#"defmodule Hub.Organization do
  use Ecto.Schema

  schema "organizations" do
    field :billing_seats, :integer
  end
end
"#;

const HUB_SUBSCRIPTION: &str = r#"defmodule Hub.Subscription do
  use Ecto.Schema

  schema "subscriptions" do
    field :unsubscribed_at, :utc_datetime
  end
end
"#;

const HUB_ADVISORIES: &str = r#"defmodule Hub.Advisories do
  alias Hub.{Advisory, Repo}

  def upsert(records), do: records

  def import(feed) do
    params = %{"summary" => feed.title, cvss_score: feed.score}
    %Advisory{} |> Advisory.changeset(params) |> Repo.insert()
  end

  def note(feed) do
    params = %{summary: feed.title}
    Map.keys(params)
  end
end
"#;

const HUB_BILLING: &str = r#"defmodule Hub.Billing do
  alias Hub.Organizations
  alias Hub.Releases

  def update(id, seats) do
    if org = Organizations.get(id) do
      org |> Ecto.Changeset.change(billing_seats: seats) |> Hub.Repo.update!()
    end
  end

  def docs(id) do
    with {:ok, rel} <- Releases.fetch(id) do
      rel.has_docs
    end
  end

  def deps(requirements) do
    Enum.into(requirements, %{}, fn req -> {req.app, req.optional} end)
  end

  def rows(requirements) do
    Enum.map(requirements, fn map -> map.optional end)
  end

  defp fields(%Hub.Release{}), do: [:version, :has_docs]

  def seed(summary) do
    record = %{summary: summary, cvss_score: 1.0}
    Hub.Advisories.upsert([record])
  end

  def audit(titles) do
    Hub.Repo.insert_all(Hub.Advisory, Enum.map(titles, fn t -> %{summary: t} end))
  end

  def label(release = %{version: v}), do: {release, v}

  def label_any(%{version: v}), do: v
end
"#;

const HUB_FACTORY: &str = r#"defmodule Hub.Factory do
  def subscription_factory, do: %Hub.Subscription{}

  def unsubscribed_subscription_factory do
    %Hub.Subscription{subscription_factory() | unsubscribed_at: DateTime.utc_now()}
  end

  def seed do
    insert_with_tarball(:release, version: "1.0", has_docs: true)
  end

  defp insert_with_tarball(_factory, attrs), do: attrs
end
"#;

const HUB_REGISTRY: &str = r#"defmodule Hub.Registry do
  import Ecto.Query

  def optional_deps do
    from(r in Hub.Release,
      left_join: q in assoc(r, :requirements),
      select: {r.id, fragment("bool_or(?)", q.optional)}
    )
  end
end
"#;

const HUB_CONTROLLER: &str = r#"defmodule HubWeb.ReleaseController do
  use HubWeb, :controller

  def show(conn, %{"id" => id}) do
    request =
      conn.assigns.package
      |> assoc(:requirements)
      |> Hub.Repo.get!(id)

    render(conn, :show, request: request)
  end
end
"#;

const HUB_SHOW: &str = r#"<p>{@request.optional}</p>
"#;

const HUB_VERSIONS: &str = r#"<%= for row <- version_rows do %>
  <%= if row.release.has_docs do %>docs<% end %>
<% end %>
<%= for req <- requirements do %>
  {req.optional}
<% end %>
<p>{@request.summary}</p>
"#;

fn scan_hub() -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files(
        "hub",
        Framework::Phoenix,
        &[
            ("lib/hub/release.ex", HUB_RELEASE),
            ("lib/hub/requirement.ex", HUB_REQUIREMENT),
            ("lib/hub/advisory.ex", HUB_ADVISORY),
            ("lib/hub/organization.ex", HUB_ORGANIZATION),
            ("lib/hub/subscription.ex", HUB_SUBSCRIPTION),
            ("lib/hub/advisories.ex", HUB_ADVISORIES),
            ("lib/hub/billing.ex", HUB_BILLING),
            ("lib/hub/factory.ex", HUB_FACTORY),
            ("lib/hub/registry.ex", HUB_REGISTRY),
            ("lib/hub_web/controllers/release_controller.ex", HUB_CONTROLLER),
            ("lib/hub_web/templates/release/show.html.heex", HUB_SHOW),
            ("lib/hub_web/templates/release/versions.html.heex", HUB_VERSIONS),
        ],
        HUB_TABLES,
    )
}

#[test]
fn records_are_typed_by_context_list_and_pipeline() {
    let (_dir, result) = scan_hub();
    assert_eq!(
        uses(&result, "releases.has_docs"),
        set(&[
            "lib/hub/release.ex:9",
            // The app's own validator in the changeset pipeline.
            "lib/hub/release.ex:16",
            // `{:ok, rel}` from the context module `Releases`; a clause per schema listing its
            // fields.
            "lib/hub/billing.ex:13",
            "lib/hub/billing.ex:25",
            // The app's factory wrapper.
            "lib/hub/factory.ex:9",
            // `row.release.has_docs`: `row` holds no record, its `release` does.
            "lib/hub_web/templates/release/versions.html.heex:2",
        ])
    );
    assert_eq!(
        uses(&result, "requirements.optional"),
        set(&[
            "lib/hub/requirement.ex:6",
            // `fn req ->` over `requirements`: `req` abbreviates the element's schema.
            "lib/hub/billing.ex:18",
            // A join binding over `assoc(r, :requirements)`.
            "lib/hub/registry.ex:7",
            // `for req <- requirements` in a template; `@request`, a `Repo.get!` at the end of a
            // pipeline through `assoc(:requirements)`.
            "lib/hub_web/templates/release/versions.html.heex:5",
            "lib/hub_web/templates/release/show.html.heex:1",
        ])
    );
    // The result of the context's `get` piped into `change`.
    assert_eq!(
        uses(&result, "organizations.billing_seats"),
        set(&["lib/hub/organization.ex:5", "lib/hub/billing.ex:7"])
    );
    assert_eq!(
        uses(&result, "subscriptions.unsubscribed_at"),
        set(&["lib/hub/subscription.ex:5", "lib/hub/factory.ex:5"])
    );
}

#[test]
fn params_maps_reach_the_schema_they_are_handed_to() {
    let (_dir, result) = scan_hub();
    assert_eq!(
        uses(&result, "advisories.summary"),
        set(&[
            "lib/hub/advisory.ex:5",
            "lib/hub/advisory.ex:9",
            // A string-keyed params map handed to `Advisory.changeset`, a map handed to the
            // context's writer, the rows `insert_all` gets from `Enum.map`.
            "lib/hub/advisories.ex:7",
            "lib/hub/billing.ex:28",
            "lib/hub/billing.ex:33",
        ])
    );
    assert_eq!(
        uses(&result, "advisories.cvss_score"),
        set(&["lib/hub/advisory.ex:6", "lib/hub/advisories.ex:7", "lib/hub/billing.ex:28"])
    );
    // `@derive {Phoenix.Param, key: :version}`; a head `release = %{version: v}` by its name;
    // `version` is a column of two tables, so the untyped head `%{version: v}` is neither.
    let version = uses(&result, "releases.version");
    for line in ["lib/hub/release.ex:5", "lib/hub/billing.ex:25", "lib/hub/billing.ex:36"] {
        assert!(version.contains(line), "{line} in {version:#?}");
    }
    assert!(!version.contains("lib/hub/billing.ex:38"), "{version:#?}");
    assert!(!uses(&result, "requirements.version").contains("lib/hub/billing.ex:38"));
}

#[test]
fn names_that_hold_no_record_stay_untyped() {
    let (_dir, result) = scan_hub();
    // `fn map ->` over `requirements` is a map; a params map never handed to a changeset.
    let optional = uses(&result, "requirements.optional");
    assert!(!optional.contains("lib/hub/billing.ex:22"), "{optional:#?}");
    let summary = uses(&result, "advisories.summary");
    assert!(!summary.contains("lib/hub/advisories.ex:12"), "{summary:#?}");
    // `@request` is a Requirement by its controller; a name like no record is never guessed.
    assert!(!summary.contains("lib/hub_web/templates/release/versions.html.heex:7"), "{summary:#?}");
}

const LEAGUE_TABLES: &[(&str, &[&str])] =
    &[("teams", &["id", "name", "city"]), ("players", &["id", "name", "team_id", "rating"])];

const TEAM: &str = r#"defmodule League.Team do
  use Ecto.Schema

  schema "teams" do
    field :name, :string
    field :city, :string
    has_many :players, League.Player
  end
end
"#;

const PLAYER: &str = r#"defmodule League.Player do
  use Ecto.Schema
  import Ecto.Query

  schema "players" do
    field :name, :string
    field :rating, :integer
    belongs_to :team, League.Team
  end

  def of_team(team_id), do: from(p in __MODULE__, where: p.team_id == ^team_id)
end
"#;

/// Private functions typed only by their module's calls: one schema, and two.
const ROSTER: &str = r#"defmodule League.Roster do
  alias League.Repo
  alias League.{Team, Player}

  def team_card(id) do
    team = Repo.get!(Team, id)
    {heading(team), motto(team)}
  end

  def mixed(id) do
    {title_of(Repo.get!(Team, id)), title_of(Repo.get!(Player, id))}
  end

  defp heading(%{name: n}), do: n
  defp motto(club), do: club.name
  defp title_of(%{name: n}), do: n
end
"#;

const TEAM_CONTROLLER: &str = r#"defmodule LeagueWeb.TeamController do
  use LeagueWeb, :controller
  alias League.Player

  def index(conn, %{"team_id" => team_id}) do
    roster = team_id |> Player.of_team() |> League.Repo.all()
    conn |> assign(:roster, roster) |> render(:index)
  end
end
"#;

const TEAM_INDEX: &str = r#"<%= for p <- @roster do %>
  <li><%= p.name %></li>
<% end %>
"#;

#[test]
fn private_functions_are_typed_by_their_callers_and_lists_by_their_pipeline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut repo = TestRepo::init();
    repo.write(&[
        ("lib/league/team.ex", TEAM),
        ("lib/league/player.ex", PLAYER),
        ("lib/league/roster.ex", ROSTER),
        ("lib/league_web/controllers/team_controller.ex", TEAM_CONTROLLER),
        ("lib/league_web/templates/team/index.html.heex", TEAM_INDEX),
    ]);
    repo.commit("app");
    let app = support::scan::app("league", repo.path(), Framework::Phoenix);
    let config = support::scan::config(dir.path(), vec![app.clone()]);
    let index = SchemaIndex::new(&support::scan::schema(LEAGUE_TABLES));
    let result = scan_ref(&config, &app, "head", "main", Some(&index), None, false).expect("scans");

    let teams = uses(&result, "teams.name");
    let players = uses(&result, "players.name");
    // Every call of `heading` and `motto` passes the team `Repo.get!` fetched.
    assert!(teams.contains("lib/league/roster.ex:14"), "{teams:#?}");
    assert!(teams.contains("lib/league/roster.ex:15"), "{teams:#?}");
    // `title_of` is called with a team and with a player: neither.
    assert!(!teams.contains("lib/league/roster.ex:16"), "{teams:#?}");
    assert!(!players.contains("lib/league/roster.ex:16"), "{players:#?}");
    assert!(!players.contains("lib/league/roster.ex:14"), "{players:#?}");
    // `@roster` holds the players a pipeline of the schema's functions ends in `Repo.all` with.
    assert_eq!(
        players.iter().filter(|p| p.contains("templates")).cloned().collect::<BTreeSet<_>>(),
        set(&["lib/league_web/templates/team/index.html.heex:2"])
    );
    assert!(!teams.iter().any(|p| p.contains("templates")), "{teams:#?}");
}

/// Idioms measured on an application tandem had not been tuned on (teslamate at 8a692e29,
/// `benches/accuracy/teslamate`): an assign named after its schema's table rather than its
/// module (`@settings` for `GlobalSettings`, table `settings`), and a form whose `for={…}` is an
/// expression over an assign, in a template with two forms.
#[test]
fn assigns_named_after_a_table_and_forms_over_expressions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut repo = TestRepo::init();
    repo.write(&[
        (
            "lib/garage/global_settings.ex",
            "defmodule Garage.GlobalSettings do\n  use Ecto.Schema\n\n  schema \"settings\" do\n    field :preferred_range, :string\n  end\nend\n",
        ),
        (
            "lib/garage/car_settings.ex",
            "defmodule Garage.CarSettings do\n  use Ecto.Schema\n\n  schema \"car_settings\" do\n    field :idle_min, :integer\n  end\nend\n",
        ),
        (
            "lib/garage_web/live/summary_live.html.heex",
            "<td>\n  {case @settings.preferred_range do\n    :ideal -> \"ideal\"\n  end}\n</td>\n<%= @conn.assigns.settings.preferred_range %>\n",
        ),
        (
            "lib/garage_web/live/settings_live.html.heex",
            "<.form :let={f} for={get_in(@car_settings, [@car, :changeset])}>\n  {label(f, :idle_min, \"Idle\",\n    class: \"label\")}\n</.form>\n<.form :let={g} for={@global_settings.changeset}>\n  {select(g, :preferred_range, [])}\n</.form>\n",
        ),
    ]);
    repo.commit("app");
    let app = support::scan::app("garage", repo.path(), Framework::Phoenix);
    let config = support::scan::config(dir.path(), vec![app.clone()]);
    let tables: &[(&str, &[&str])] =
        &[("settings", &["id", "preferred_range", "idle_min"]), ("car_settings", &["id", "idle_min"])];
    let index = SchemaIndex::new(&support::scan::schema(tables));
    let result = scan_ref(&config, &app, "head", "main", Some(&index), None, false).expect("scans");
    let range = uses(&result, "settings.preferred_range");
    assert!(range.contains("lib/garage_web/live/summary_live.html.heex:2"), "{range:#?}");
    // `@conn.assigns.settings` is `@settings`.
    assert!(range.contains("lib/garage_web/live/summary_live.html.heex:6"), "{range:#?}");
    assert!(range.contains("lib/garage_web/live/settings_live.html.heex:6"), "{range:#?}");
    // `idle_min` is on both tables: the first form is over `@car_settings`.
    assert_eq!(
        uses(&result, "car_settings.idle_min"),
        set(&["lib/garage/car_settings.ex:5", "lib/garage_web/live/settings_live.html.heex:2"])
    );
    assert!(!uses(&result, "settings.idle_min").iter().any(|p| p.contains("heex")));
}

//! Phoenix / Ecto receiver resolution end to end: a real git repository scanned, each idiom's use
//! of a column found at its exact line, and the same word elsewhere (an association named like a
//! column, a value, an option map, a plain struct) not taken for it.

use std::collections::BTreeSet;

use tandem::config::{Confidence, Framework};
use tandem::scan::ScanResult;
use tandem::scan::resolve::SchemaIndex;
use tandem::scan::scan_ref;

use crate::support;
use crate::support::git::TestRepo;

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
    let dir = tempfile::tempdir().expect("tempdir");
    let mut repo = TestRepo::init();
    repo.write(&[
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
    ]);
    repo.commit("app");
    let app = support::scan::app("shop", repo.path(), Framework::Phoenix);
    let config = support::scan::config(dir.path(), vec![app.clone()]);
    let index = SchemaIndex::new(&support::scan::schema(TABLES));
    let result = scan_ref(&config, &app, "head", "main", Some(&index), None, false).expect("scans");
    (dir, result)
}

/// `path:line` of every reference to `object` at medium confidence or above.
fn uses(result: &ScanResult, object: &str) -> BTreeSet<String> {
    result
        .references
        .iter()
        .filter(|r| r.confidence >= Confidence::Medium && r.object.to_string() == object)
        .map(|r| format!("{}:{}", r.path, r.line))
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
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

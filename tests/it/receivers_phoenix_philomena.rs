//! Phoenix idioms measured on an application tandem had never seen (philomena at e84f22a1,
//! `benches/accuracy/philomena`): Slime templates (`phoenix_slime`), a `Multi.run` callback's
//! Repo, query macros called on a schema unpiped, `insert_all` rows built by a captured
//! function, a string key put into a writer's params. Each on a fixture app scanned end to end:
//! the exact lines a column is used on, and the same word elsewhere not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `score` is on two tables: only a typed read reaches `images.score`.
const TABLES: &[(&str, &[&str])] = &[
    ("images", &["id", "score", "faves_count"]),
    ("comments", &["id", "score"]),
    ("adverts", &["id", "notes", "clicks", "updated_at"]),
    ("polls", &["id", "vote_method"]),
    ("dnp_entries", &["id", "dnp_type"]),
    ("commissions", &["id"]),
    ("commission_items", &["id", "commission_id", "base_price"]),
    ("subnet_bans", &["id", "specification"]),
];

const SCHEMAS: &[(&str, &str)] = &[
    (
        "lib/app/images/image.ex",
        "defmodule App.Images.Image do\n  use Ecto.Schema\n\n  schema \"images\" do\n    field :score, :integer\n    field :faves_count, :integer\n  end\nend\n",
    ),
    (
        "lib/app/comments/comment.ex",
        "defmodule App.Comments.Comment do\n  use Ecto.Schema\n\n  schema \"comments\" do\n    field :score, :integer\n  end\nend\n",
    ),
    (
        "lib/app/adverts/advert.ex",
        "defmodule App.Adverts.Advert do\n  use Ecto.Schema\n\n  schema \"adverts\" do\n    field :notes, :string\n    field :clicks, :integer\n    field :updated_at, :utc_datetime\n  end\nend\n",
    ),
    (
        "lib/app/polls/poll.ex",
        "defmodule App.Polls.Poll do\n  use Ecto.Schema\n\n  schema \"polls\" do\n    field :vote_method, :string\n  end\nend\n",
    ),
    (
        "lib/app/dnp_entries/dnp_entry.ex",
        "defmodule App.DnpEntries.DnpEntry do\n  use Ecto.Schema\n\n  schema \"dnp_entries\" do\n    field :dnp_type, :string\n  end\nend\n",
    ),
    (
        "lib/app/commissions/commission.ex",
        "defmodule App.Commissions.Commission do\n  use Ecto.Schema\n\n  schema \"commissions\" do\n    has_many :items, App.Commissions.Item\n  end\nend\n",
    ),
    (
        "lib/app/commissions/item.ex",
        "defmodule App.Commissions.Item do\n  use Ecto.Schema\n\n  schema \"commission_items\" do\n    field :base_price, :decimal\n    belongs_to :commission, App.Commissions.Commission\n  end\nend\n",
    ),
    (
        "lib/app/bans/subnet.ex",
        "defmodule App.Bans.Subnet do\n  use Ecto.Schema\n\n  schema \"subnet_bans\" do\n    field :specification, :string\n  end\nend\n",
    ),
];

fn scan(extra: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    let mut files: Vec<(&str, &str)> = SCHEMAS.to_vec();
    files.extend_from_slice(extra);
    support::scan::scan_files("app", Framework::Phoenix, &files, TABLES)
}

/// The controller types `@top`, a name that says nothing.
const IMAGE_CONTROLLER: &str = r##"defmodule AppWeb.ImageController do
  use AppWeb, :controller
  alias App.Repo
  alias App.Images.Image

  def show(conn, %{"id" => id}) do
    top = Repo.get!(Image, id)
    render(conn, "show.html", image: top, top: top, adverts: [], rendered: %{notes: "x"})
  end
end
"##;

const IMAGE_SHOW: &str = r##"elixir:
  faves = @image.faves_count
/ @image.score in a comment
.media-box data-image-id=@image.id
  span.score title="Score" data-image-id=@image.id = @image.score
  th Score
  a href=~p"/images/#{@image.score}" title="#{@top.faves_count}" Link
  strong> = @top.score
  = for advert <- @adverts do
    td = advert.notes
    td
      => advert.clicks
    td = @rendered.notes
javascript:
  var x = image.score;
p The score is #{"high"}
"##;

const POLL_FORM: &str = r##"= form_for @changeset, ~p"/polls", fn f ->
  = render "_fields.html", f: f
"##;

const POLL_FIELDS: &str = r##".field
  ' Voting method (vote_method):
  = select @f, :vote_method, ["Single": :single], class: "input"
  = error_tag @f, :vote_method
"##;

const DNP_INDEX: &str = r##"table
  = for {body, entry} <- @dnp_entries do
    tr
      td = body
      td
        = entry.dnp_type
  = for {body, item} <- @reports do
    td = item.dnp_type
"##;

const COMMISSIONS: &str = r##"= for c <- @commissions do
  .commission
    - {min, max} = Enum.min_max_by(c.items, &Decimal.to_float(&1.base_price))
    p
      | $
      => Decimal.round(min.base_price, 2)
    p base_price
"##;

#[test]
fn slime_templates_are_read_like_eex_ones() {
    let (_dir, result) = scan(&[
        ("lib/app_web/controllers/image_controller.ex", IMAGE_CONTROLLER),
        ("lib/app_web/templates/image/show.html.slime", IMAGE_SHOW),
        ("lib/app_web/templates/poll/_form.html.slime", POLL_FORM),
        ("lib/app_web/templates/poll/_fields.html.slime", POLL_FIELDS),
        ("lib/app_web/templates/dnp_entry/index.html.slime", DNP_INDEX),
        ("lib/app_web/templates/commission/index.html.slime", COMMISSIONS),
    ]);
    // Code after a tag and its attributes, in an attribute value's `#{…}`, and after `strong> =`
    // (`@top` typed by the controller); never the comment, the text or the `javascript:` filter.
    assert_eq!(
        uses(&result, "images.score"),
        set(&[
            "lib/app/images/image.ex:5",
            "lib/app_web/templates/image/show.html.slime:5",
            "lib/app_web/templates/image/show.html.slime:7",
            "lib/app_web/templates/image/show.html.slime:8",
        ])
    );
    assert_eq!(uses(&result, "comments.score"), set(&["lib/app/comments/comment.ex:5"]));
    // An `elixir:` block is code; so is a quoted attribute's `#{…}`.
    assert_eq!(
        uses(&result, "images.faves_count"),
        set(&[
            "lib/app/images/image.ex:6",
            "lib/app_web/templates/image/show.html.slime:2",
            "lib/app_web/templates/image/show.html.slime:7",
        ])
    );
    // A `= for … do` block's variable; `@rendered` holds no record.
    assert_eq!(
        uses(&result, "adverts.notes"),
        set(&["lib/app/adverts/advert.ex:5", "lib/app_web/templates/image/show.html.slime:10"])
    );
    assert_eq!(
        uses(&result, "adverts.clicks"),
        set(&["lib/app/adverts/advert.ex:6", "lib/app_web/templates/image/show.html.slime:12"])
    );
    // `@f`: the form a parent template hands its partial.
    assert_eq!(
        uses(&result, "polls.vote_method"),
        set(&[
            "lib/app/polls/poll.ex:5",
            "lib/app_web/templates/poll/_fields.html.slime:3",
            "lib/app_web/templates/poll/_fields.html.slime:4",
        ])
    );
    // `{body, entry} <- @dnp_entries`: the element the collection is named after; `item` over
    // `@reports` says nothing.
    assert_eq!(
        uses(&result, "dnp_entries.dnp_type"),
        set(&["lib/app/dnp_entries/dnp_entry.ex:5", "lib/app_web/templates/dnp_entry/index.html.slime:6"])
    );
    // A capture over an association read on a loop variable (`c.items`).
    assert_eq!(
        uses(&result, "commission_items.base_price"),
        set(&[
            "lib/app/commissions/item.ex:5",
            "lib/app_web/templates/commission/index.html.slime:3",
            "lib/app_web/templates/commission/index.html.slime:6",
        ])
    );
}

const VOTES: &str = r##"defmodule App.ImageVotes do
  import Ecto.Query
  alias Ecto.Multi
  alias App.Repo
  alias App.Images.Image

  def downvote(image) do
    image_query = Image |> where(id: ^image.id)

    Multi.new()
    |> Multi.run(:dec, fn repo, _changes ->
      {count, nil} = image_query |> repo.update_all(inc: [score: -1])
      {:ok, count}
    end)
  end

  def wipe(ids, other) do
    Repo.update_all(where(Image, [i], i.id in ^ids), inc: [faves_count: -1, score: 1])
    q = where(Image, id: ^hd(ids))
    Repo.update_all(q, inc: [score: 2])
    other.update_all(q, inc: [score: 3])
  end
end
"##;

#[test]
fn multi_run_callback_repo_and_query_macros_called_on_a_schema() {
    let (_dir, result) = scan(&[("lib/app/image_votes.ex", VOTES)]);
    // Not `other.update_all`: only a `Multi.run` callback's first parameter is a Repo.
    assert_eq!(
        uses(&result, "images.score"),
        set(&[
            "lib/app/images/image.ex:5",
            "lib/app/image_votes.ex:12",
            "lib/app/image_votes.ex:18",
            "lib/app/image_votes.ex:20",
        ])
    );
    assert_eq!(uses(&result, "comments.score"), set(&["lib/app/comments/comment.ex:5"]));
}

const RECORDER: &str = r##"defmodule App.Adverts.Recorder do
  alias App.Repo
  alias App.Adverts.Advert

  def run(rows, counts) do
    rows = Enum.map(rows, &row_insert(&1, DateTime.utc_now()))
    Repo.insert_all(Advert, rows)
    Enum.map(counts, &tally(&1))
  end

  defp row_insert({id, clicks}, now) do
    %{id: id, clicks: clicks, updated_at: now}
  end

  defp tally({id, n}), do: %{id: id, click_total: n}
end
"##;

const SUBNET_CREATOR: &str = r##"defmodule App.Bans.SubnetCreator do
  alias App.Bans

  def create(creator, attrs, ip) do
    Bans.create_subnet(creator, Map.put(attrs, "specification", ip))
  end

  def log(attrs), do: IO.inspect(Map.put(attrs, "specification", 1))
end
"##;

#[test]
fn rows_built_by_a_captured_function_and_a_string_key_put_into_params() {
    let (_dir, result) =
        scan(&[("lib/app/adverts/recorder.ex", RECORDER), ("lib/app/bans/subnet_creator.ex", SUBNET_CREATOR)]);
    assert_eq!(
        uses(&result, "adverts.clicks"),
        set(&["lib/app/adverts/advert.ex:6", "lib/app/adverts/recorder.ex:12"])
    );
    assert_eq!(
        uses(&result, "subnet_bans.specification"),
        set(&["lib/app/bans/subnet.ex:5", "lib/app/bans/subnet_creator.ex:5"])
    );
}

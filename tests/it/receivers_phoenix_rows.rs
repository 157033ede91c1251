//! Rows of `select: %{…}` queries written through a changeset (teslamate's drive and charge
//! statistics, `docs/accuracy.md`): the select map's keys are a params map once a row reaches a
//! schema's changeset — through `Repo.one`, a `subquery` whose row a `%{d | k: v}` update
//! extends, a `case` clause binding the row, `|| %{…}` defaults. And two schemas of one table
//! (a form's own `schema "settings"` beside the app's): a name that guesses the table is either.
//! And `case Enum.find(sessions, …) do session -> …`: the clause's variable is an element.
//! Scanned end to end: the exact lines, and neither a row handed to something else nor the same
//! key on another table.

use tandem::config::Framework;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `distance` and `cost` are also a trip's: only the changeset's schema says which.
const TABLES: &[(&str, &[&str])] = &[
    ("positions", &["id", "odometer"]),
    ("drives", &["id", "distance", "cost"]),
    ("trips", &["id", "distance", "cost"]),
];

const POSITION: &str = "defmodule Shop.Log.Position do\n  use Ecto.Schema\n\n  schema \"positions\" do\n    field(:odometer, :integer)\n  end\nend\n";
const DRIVE: &str = "defmodule Shop.Log.Drive do\n  use Ecto.Schema\n\n  schema \"drives\" do\n    field(:distance, :integer)\n    field(:cost, :integer)\n  end\nend\n";
const TRIP: &str = "defmodule Shop.Trips.Trip do\n  use Ecto.Schema\n\n  schema \"trips\" do\n    field(:distance, :integer)\n    field(:cost, :integer)\n  end\nend\n";

/// A drive's statistics: a select map, a query over it as a subquery adding a key, the row bound
/// by a `case` clause and written; a trip's, piped through `Repo.one() || %{…}` and `Map.put`;
/// a row encoded for a report, and a select map in a context's own query (no writer's params).
const LOG: &str = r#"defmodule Shop.Log do
  import Ecto.Query
  alias Shop.Log.{Drive, Position}
  alias Shop.Trips.Trip
  alias Shop.Repo

  def close_drive(drive) do
    data =
      from p in Position,
        select: %{
          distance: max(p.odometer),
          count: count()
        }

    query =
      from d in subquery(data),
        select: %{d | cost: 0}

    case Repo.one(query) do
      %{count: n} = attrs when n > 1 ->
        drive |> Drive.changeset(attrs) |> Repo.update()

      _ ->
        nil
    end
  end

  def close_trip(trip) do
    stats =
      from(p in Position, select: %{distance: max(p.odometer)})
      |> Repo.one() || %{cost: nil}

    attrs = stats |> Map.put(:count, 1)
    trip |> Trip.changeset(attrs) |> Repo.update()
  end

  def report do
    from(p in Position, select: %{distance: max(p.odometer), cost: 0}) |> Repo.one() |> Jason.encode!()
  end
end
"#;

const TRIPS: &str = r#"defmodule Shop.Trips do
  import Ecto.Query
  alias Shop.Log.Position
  alias Shop.Repo

  def longest do
    from(p in Position, select: %{distance: max(p.odometer)})
    |> limit(1)
    |> Repo.all()
  end
end
"#;

#[test]
fn rows_of_select_map_queries_written_through_a_changeset() {
    let (_dir, result) = support::scan::scan_files(
        "shop",
        Framework::Phoenix,
        &[
            ("lib/shop/log/position.ex", POSITION),
            ("lib/shop/log/drive.ex", DRIVE),
            ("lib/shop/trips/trip.ex", TRIP),
            ("lib/shop/log.ex", LOG),
            ("lib/shop/trips.ex", TRIPS),
        ],
        TABLES,
    );
    // The subquery's key (11) and the update's (17): the row `attrs` holds.
    assert_eq!(uses(&result, "drives.distance"), set(&["lib/shop/log/drive.ex:5", "lib/shop/log.ex:11"]));
    assert_eq!(uses(&result, "drives.cost"), set(&["lib/shop/log/drive.ex:6", "lib/shop/log.ex:17"]));
    // The select (30) and the default (31); not the report's row (39) nor the context's (7).
    assert_eq!(uses(&result, "trips.distance"), set(&["lib/shop/trips/trip.ex:5", "lib/shop/log.ex:30"]));
    assert_eq!(uses(&result, "trips.cost"), set(&["lib/shop/trips/trip.ex:6", "lib/shop/log.ex:31"]));
}

const SETTINGS_TABLES: &[(&str, &[&str])] = &[("settings", &["id", "unit", "timezone"]), ("cars", &["id", "unit"])];

const GLOBAL_SETTINGS: &str = "defmodule Shop.Settings.GlobalSettings do\n  use Ecto.Schema\n\n  schema \"settings\" do\n    field(:unit, :string)\n  end\nend\n";
const CAR: &str =
    "defmodule Shop.Cars.Car do\n  use Ecto.Schema\n\n  schema \"cars\" do\n    field(:unit, :string)\n  end\nend\n";

/// A live view declaring its form's own schema on the same table, with one field.
const IMPORT_LIVE: &str = r#"defmodule ShopWeb.ImportLive do
  use ShopWeb, :live_view

  defmodule Settings do
    use Ecto.Schema

    schema("settings", do: field(:timezone, :string))
  end
end
"#;

const SUMMARY: &str = "<p><%= @settings.unit %></p>\n<p><%= @car.unit %></p>\n";

#[test]
fn a_name_guessing_a_table_two_schemas_map_is_that_table() {
    let (_dir, result) = support::scan::scan_files(
        "shop",
        Framework::Phoenix,
        &[
            ("lib/shop/settings/global_settings.ex", GLOBAL_SETTINGS),
            ("lib/shop/cars/car.ex", CAR),
            ("lib/shop_web/live/import_live.ex", IMPORT_LIVE),
            ("lib/shop_web/live/summary.html.heex", SUMMARY),
        ],
        SETTINGS_TABLES,
    );
    assert_eq!(
        uses(&result, "settings.unit"),
        set(&["lib/shop/settings/global_settings.ex:5", "lib/shop_web/live/summary.html.heex:1"])
    );
    assert_eq!(uses(&result, "cars.unit"), set(&["lib/shop/cars/car.ex:5", "lib/shop_web/live/summary.html.heex:2"]));
}

const FIND_TABLES: &[(&str, &[&str])] =
    &[("user_sessions", &["id", "token"]), ("api_keys", &["id", "token"]), ("users", &["id"])];

const USER_SESSION: &str = "defmodule Shop.UserSession do\n  use Ecto.Schema\n\n  schema \"user_sessions\" do\n    field(:token, :string)\n  end\nend\n";
const API_KEY: &str =
    "defmodule Shop.ApiKey do\n  use Ecto.Schema\n\n  schema \"api_keys\" do\n    field(:token, :string)\n  end\nend\n";

/// The session found in a typed list, and a key found in a list nothing types.
const SESSION_CONTROLLER: &str = r#"defmodule ShopWeb.SessionController do
  use ShopWeb, :controller
  alias Shop.{Repo, UserSession}

  def delete(conn, %{"id" => id}) do
    user_sessions = Repo.all(UserSession)

    case Enum.find(user_sessions, &(&1.id == id)) do
      nil -> conn
      found -> text(conn, found.token)
    end
  end

  def show(conn, %{"id" => id}) do
    case Enum.find(conn.assigns.things, &(&1.id == id)) do
      nil -> conn
      thing -> text(conn, thing.token)
    end
  end
end
"#;

#[test]
fn the_element_an_enum_find_matches_in_a_case() {
    let (_dir, result) = support::scan::scan_files(
        "shop",
        Framework::Phoenix,
        &[
            ("lib/shop/user_session.ex", USER_SESSION),
            ("lib/shop/api_key.ex", API_KEY),
            ("lib/shop_web/controllers/session_controller.ex", SESSION_CONTROLLER),
        ],
        FIND_TABLES,
    );
    // The session found (10); `thing` (17) is nothing the scanner knows.
    assert_eq!(
        uses(&result, "user_sessions.token"),
        set(&["lib/shop/user_session.ex:5", "lib/shop_web/controllers/session_controller.ex:10"])
    );
    assert_eq!(uses(&result, "api_keys.token"), set(&["lib/shop/api_key.ex:5"]));
}

//! Phoenix idioms measured on an application tandem had never seen (bors-ng at ca725797,
//! `benches/accuracy/borsng`), each on a fixture app scanned end to end: the exact lines a
//! column is used on, and the same word on another table, a local or a plain map not taken
//! for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `identifier`, `last_polled`, `priority`, `name`, `component` and `crash` are each on two
/// tables: only a typed receiver says which.
const TABLES: &[(&str, &[&str])] = &[
    ("statuses", &["id", "batch_id", "identifier", "url", "state"]),
    ("attempt_statuses", &["id", "identifier"]),
    ("projects", &["id", "name"]),
    ("teams", &["id", "name", "component", "crash"]),
    ("batches", &["id", "priority", "last_polled", "state"]),
    ("attempts", &["id", "last_polled"]),
    ("patches", &["id", "priority", "title", "is_draft"]),
    ("crashes", &["id", "component", "crash"]),
    ("users", &["id", "is_admin"]),
];

const STATUS: &str = r#"defmodule Bors.Database.Status do
  use Ecto.Schema
  import Ecto.Query
  alias Bors.Database.Status

  schema "statuses" do
    field :batch_id, :integer
    field :identifier, :string
    field :url, :string
    field :state, :integer
  end

  def get_for_batch(batch_id, identifier) do
    from(s in Status,
      where: s.batch_id == ^batch_id,
      where: s.state == ^identifier
    )
  end
end
"#;

const ATTEMPT_STATUS: &str = "defmodule Bors.Database.AttemptStatus do\n  use Ecto.Schema\n\n  schema \"attempt_statuses\" do\n    field :identifier, :string\n  end\nend\n";

const PROJECT: &str = r#"defmodule Bors.Database.Project do
  use Ecto.Schema
  import Ecto.Query
  alias Bors.Database.Project

  schema "projects" do
    field :name, :string
  end

  def orphans do
    from(p in Project, where: is_nil(p.name))
  end
end
"#;

const TEAM: &str = "defmodule Bors.Database.Team do\n  use Ecto.Schema\n\n  schema \"teams\" do\n    field :name, :string\n    field :component, :string\n    field :crash, :string\n  end\n\n  def named(n), do: n\nend\n";

const BATCH: &str = "defmodule Bors.Database.Batch do\n  use Ecto.Schema\n\n  schema \"batches\" do\n    field :priority, :integer\n    field :last_polled, :integer\n    field :state, :integer\n  end\nend\n";
const ATTEMPT: &str = "defmodule Bors.Database.Attempt do\n  use Ecto.Schema\n\n  schema \"attempts\" do\n    field :last_polled, :integer\n  end\nend\n";
const PATCH: &str = "defmodule Bors.Database.Patch do\n  use Ecto.Schema\n\n  schema \"patches\" do\n    field :priority, :integer\n    field :title, :string\n    field :is_draft, :boolean\n  end\nend\n";
const CRASH: &str = "defmodule Bors.Database.Crash do\n  use Ecto.Schema\n\n  schema \"crashes\" do\n    field :component, :string\n    field :crash, :string\n  end\nend\n";
const USER: &str = "defmodule Bors.Database.User do\n  use Ecto.Schema\n\n  schema \"users\" do\n    field :is_admin, :boolean\n  end\nend\n";

/// A worker over the schemas' query functions, nested and piped, and captures over a list.
const BATCHER: &str = r#"defmodule Bors.Worker.Batcher do
  alias Bors.Database.{Repo, Status, Project, Team}

  def set_status(batch, identifier, state) do
    batch.id
    |> Status.get_for_batch(identifier)
    |> Repo.update_all(set: [state: state, identifier: identifier])
  end

  def set_nested(batch, identifier) do
    Repo.update_all(Status.get_for_batch(batch.id, 1), set: [identifier: identifier])
  end

  def first_orphan do
    orphan = Repo.one(Project.orphans())
    orphan.name
  end

  def team_name(t) do
    t
    |> Team.named()
    |> Repo.update_all(set: [url: "x"])
  end

  def sort_batches(batches) do
    Enum.sort_by(batches, &{-&1.priority, &1.last_polled})
  end

  def sort_rows(rows) do
    Enum.sort_by(rows, & &1.last_polled)
  end
end
"#;

const ADMIN_CONTROLLER: &str = r#"defmodule BorsWeb.AdminController do
  use BorsWeb, :controller
  alias Bors.Database.{Repo, Project}

  def orphans(conn, _params) do
    orphans = Repo.all(Project.orphans())
    render(conn, "orphans.html", orphans: orphans)
  end
end
"#;

/// Pairs built by a controller's `fn`, iterated as tuples by its template.
const DUP_PATCHES: &str = r#"<%= for {patch, project} <- @patch_proj do %>
  <td><%= project.name %> <%= patch.title %></td>
<% end %>
<%= for {item, team_id} <- @pairs do %>
  <td><%= item.name %></td>
<% end %>
<%= for {team, _i} <- Enum.with_index(@projects) do %>
  <td><%= team.name %></td>
<% end %>
<div :for={{id, team} <- @streams.projects} id={id}>{team.name}</div>
"#;

const ORPHANS: &str = r#"<%= for orphan <- @orphans do %>
  <td><%= orphan.name %></td>
<% end %>
"#;

/// A log page whose entries are crashes or batches, told apart by a `case` in the template.
const LOG_PAGE: &str = r#"<%= for entry <- @entries do %>
  <%= case entry do %>
  <% %Bors.Database.Crash{id: id, component: component, crash: crash} -> %>
    <td><%= component %></td>
    <td><%= entry.crash %></td>
  <% %Bors.Database.Batch{id: id, priority: priority} -> %>
    <td><%= entry.priority %></td>
  <% _ -> %>
    <td><%= entry.component %></td>
  <% end %>
  <td><%= entry.crash %></td>
<% end %>
"#;

const ROUTER: &str = r#"defmodule BorsWeb.Router do
  use BorsWeb, :router

  defp force_current_user_admin(conn, _) do
    case conn do
      %{assigns: %{user: %{is_admin: true}}} -> conn
      %{assigns: %{settings: %{is_admin: true}}} -> conn
      _ -> halt(conn)
    end
  end
end
"#;

/// A controller that dispatches on a map it builds around a record.
const WEBHOOK_CONTROLLER: &str = r#"defmodule BorsWeb.WebhookController do
  use BorsWeb, :controller
  alias Bors.Database.{Repo, Project}

  def webhook(conn, %{"id" => id}) do
    project = Repo.get_by!(Project, id: id)
    do_webhook_pr(conn, %{project: project, is_draft: conn.params["draft"]})
  end

  def do_webhook_pr(conn, %{is_draft: true}), do: conn
  def do_webhook_pr(conn, %{project: _project}), do: conn

  def draft(conn, %{is_draft: true}), do: conn
end
"#;

fn scan(files: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("bors", Framework::Phoenix, files, TABLES)
}

const FILES: &[(&str, &str)] = &[
    ("lib/database/status.ex", STATUS),
    ("lib/database/attempt_status.ex", ATTEMPT_STATUS),
    ("lib/database/project.ex", PROJECT),
    ("lib/database/team.ex", TEAM),
    ("lib/database/batch.ex", BATCH),
    ("lib/database/attempt.ex", ATTEMPT),
    ("lib/database/patch.ex", PATCH),
    ("lib/database/crash.ex", CRASH),
    ("lib/database/user.ex", USER),
    ("lib/worker/batcher.ex", BATCHER),
    ("lib/web/controllers/admin_controller.ex", ADMIN_CONTROLLER),
    ("lib/web/templates/admin/orphans.html.eex", ORPHANS),
    ("lib/web/templates/admin/dup-patches.html.eex", DUP_PATCHES),
    ("lib/web/templates/project/log_page.html.eex", LOG_PAGE),
    ("lib/web/router.ex", ROUTER),
    ("lib/web/controllers/webhook_controller.ex", WEBHOOK_CONTROLLER),
];

#[test]
fn a_schema_modules_query_functions_are_queries_over_it_nested_or_piped() {
    let (_dir, result) = scan(FILES);
    // The `set:` keys over `Status.get_for_batch(…)`, piped and nested; not over what
    // `Team.named/1` returns (no query), nor `attempt_statuses`.
    assert_eq!(
        uses(&result, "statuses.identifier"),
        set(&["lib/database/status.ex:8", "lib/worker/batcher.ex:7", "lib/worker/batcher.ex:11"])
    );
    assert_eq!(uses(&result, "attempt_statuses.identifier"), set(&["lib/database/attempt_status.ex:5"]));
    // `Repo.one(Project.orphans())` and the rows of `Repo.all(Project.orphans())` a template
    // reads; never the `teams.name` of the same word.
    assert_eq!(
        uses(&result, "projects.name"),
        set(&[
            "lib/database/project.ex:7",
            "lib/database/project.ex:11",
            "lib/worker/batcher.ex:16",
            "lib/web/templates/admin/orphans.html.eex:2",
            "lib/web/templates/admin/dup-patches.html.eex:2",
        ])
    );
    assert_eq!(uses(&result, "teams.name"), set(&["lib/database/team.ex:5"]));
    // `Team.named/1` returns no query: its pipeline's `set:` keys are nobody's.
    assert_eq!(uses(&result, "statuses.url"), set(&["lib/database/status.ex:9"]));
}

#[test]
fn a_captures_argument_is_an_element_of_the_typed_list() {
    let (_dir, result) = scan(FILES);
    // `&1` over `batches`; `rows` names no schema, so its `&1.last_polled` may be either table's.
    assert_eq!(
        uses(&result, "batches.priority"),
        set(&[
            "lib/database/batch.ex:5",
            "lib/worker/batcher.ex:26",
            "lib/web/templates/project/log_page.html.eex:6",
            "lib/web/templates/project/log_page.html.eex:7",
        ])
    );
    assert_eq!(uses(&result, "batches.last_polled"), set(&["lib/database/batch.ex:6", "lib/worker/batcher.ex:26"]));
    assert_eq!(uses(&result, "attempts.last_polled"), set(&["lib/database/attempt.ex:5"]));
    assert_eq!(uses(&result, "patches.priority"), set(&["lib/database/patch.ex:5"]));
}

#[test]
fn a_struct_clause_of_a_template_case_reads_its_fields_and_types_the_subject() {
    let (_dir, result) = scan(FILES);
    // The pattern's keys, and `entry.crash` inside the clause; not after `_ ->` nor after `end`.
    assert_eq!(
        uses(&result, "crashes.component"),
        set(&["lib/database/crash.ex:5", "lib/web/templates/project/log_page.html.eex:3"])
    );
    assert_eq!(
        uses(&result, "crashes.crash"),
        set(&[
            "lib/database/crash.ex:6",
            "lib/web/templates/project/log_page.html.eex:3",
            "lib/web/templates/project/log_page.html.eex:5",
        ])
    );
}

#[test]
fn a_nested_map_pattern_on_a_conns_assigns_reads_the_records_fields() {
    let (_dir, result) = scan(FILES);
    // `user` is a `User`; `settings` holds no record.
    assert_eq!(uses(&result, "users.is_admin"), set(&["lib/database/user.ex:5", "lib/web/router.ex:6"]));
}

#[test]
fn a_head_matching_a_map_its_module_builds_around_records_reads_no_column() {
    let (_dir, result) = scan(FILES);
    // `do_webhook_pr(conn, %{project: project, …})`: a dispatch map, not a patch; `draft/2`'s
    // head, which no such call reaches, keeps the one table with the column.
    assert_eq!(
        uses(&result, "patches.is_draft"),
        set(&["lib/database/patch.ex:7", "lib/web/controllers/webhook_controller.ex:13"])
    );
}

#[test]
fn a_tuple_comprehensions_names_guess_their_records() {
    let (_dir, result) = scan(FILES);
    // `{patch, project} <- @patch_proj`; `item` (a name that mostly holds no record) guesses
    // nothing, so its `name` may be either table's; nor does a `team` of a pair over a call or
    // a stream (lines 8 and 10).
    assert_eq!(
        uses(&result, "patches.title"),
        set(&["lib/database/patch.ex:6", "lib/web/templates/admin/dup-patches.html.eex:2"])
    );
    assert_eq!(uses(&result, "teams.name"), set(&["lib/database/team.ex:5"]));
}

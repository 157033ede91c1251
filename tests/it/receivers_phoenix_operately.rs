//! Phoenix idioms measured on an application tandem had never seen (operately at 8a0d2d12,
//! `benches/accuracy/operately`), each on a fixture app scanned end to end: the exact lines a
//! column is used on, and the same word elsewhere (another table's column, a plain struct's key)
//! not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `phase`, `period` and `suspended` are on two tables each (`period` also a plain struct's key).
const TABLES: &[(&str, &[&str])] = &[
    ("kpi_entries", &["id", "period", "value"]),
    ("people", &["id", "full_name", "suspended", "suspended_at"]),
    ("search_index_runs", &["id", "phase", "status"]),
    ("project_milestones", &["id", "phase", "period", "suspended"]),
    ("companies", &["id", "setup_completed", "updated_at"]),
    ("projects", &["id", "name", "health"]),
    ("invite_links", &["id", "allowed_domains"]),
];

fn schema(module: &str, table: &str, body: &str) -> String {
    format!("defmodule Op.{module} do\n  use Ecto.Schema\n\n  schema \"{table}\" do\n{body}  end\nend\n")
}

fn schemas() -> Vec<(String, String)> {
    [
        ("Kpis.KpiEntry", "kpi_entries", "    field :period, :string\n    field :value, :integer\n"),
        (
            "People.Person",
            "people",
            "    field :full_name, :string\n    field :suspended, :boolean\n    field :suspended_at, :utc_datetime\n",
        ),
        ("Search.IndexRun", "search_index_runs", "    field :phase, :string\n    field :status, :string\n"),
        (
            "Projects.Milestone",
            "project_milestones",
            "    field :phase, :string\n    field :period, :string\n    field :suspended, :boolean\n",
        ),
        ("Companies.Company", "companies", "    field :setup_completed, :boolean\n    timestamps()\n"),
        ("Projects.Project", "projects", "    field :name, :string\n    field :health, :string\n"),
    ]
    .iter()
    .map(|(module, table, body)| {
        let file = module.rsplit('.').next().unwrap_or(module).to_lowercase();
        (format!("lib/op/schemas/{file}.ex"), schema(module, table, body))
    })
    .collect()
}

fn scan(extra: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    let owned = schemas();
    let mut files: Vec<(&str, &str)> = owned.iter().map(|(p, s)| (p.as_str(), s.as_str())).collect();
    files.extend_from_slice(extra);
    support::scan::scan_files("op", Framework::Phoenix, &files, TABLES)
}

/// Serializers written as protocol implementations, one per schema: the first parameter of each
/// `def` is a record of the `for:` schema, whatever its name, and so is what it hands a `defp`.
/// The traps: an implementation for a plain struct with a `period` key, and one for `Any`.
const SERIALIZERS: &str = r#"defimpl OpWeb.Serializable, for: Op.Kpis.KpiEntry do
  alias OpWeb.Serializer

  def serialize(entry, level: :essential) do
    %{value: entry.value, period: Serializer.serialize(entry.period)}
  end
end

defimpl OpWeb.Serializable, for: Op.People.Person do
  def serialize(%{access_group: %{bindings: _}} = data, level: :full), do: serialize_full(data)
  def serialize(data, level: :full), do: serialize_full(data)

  defp serialize_full(data) do
    %{name: data.full_name, suspended: data.suspended}
  end
end

defimpl OpWeb.Serializable, for: Op.Search.IndexRun do
  def serialize(run, level: :essential), do: %{phase: run.phase, status: run.status}
end

defmodule Op.Report do
  defstruct [:period, :total]

  defimpl Jason.Encoder do
    def encode(report, opts), do: Jason.Encode.map(%{period: report.period}, opts)
  end
end

defimpl OpWeb.Serializable, for: Any do
  def serialize(thing, _), do: thing.phase
end
"#;

#[test]
fn a_protocol_implementation_for_a_schema_takes_its_records() {
    let (_dir, result) = scan(&[("lib/op_web/serializers.ex", SERIALIZERS)]);
    assert_eq!(
        uses(&result, "kpi_entries.period"),
        set(&["lib/op/schemas/kpientry.ex:5", "lib/op_web/serializers.ex:5"])
    );
    assert_eq!(uses(&result, "people.suspended"), set(&["lib/op/schemas/person.ex:6", "lib/op_web/serializers.ex:14"]));
    assert_eq!(
        uses(&result, "search_index_runs.phase"),
        set(&["lib/op/schemas/indexrun.ex:5", "lib/op_web/serializers.ex:19"])
    );
    assert_eq!(uses(&result, "project_milestones.phase"), set(&["lib/op/schemas/milestone.ex:5"]));
    assert_eq!(uses(&result, "project_milestones.period"), set(&["lib/op/schemas/milestone.ex:6"]));
    assert_eq!(uses(&result, "project_milestones.suspended"), set(&["lib/op/schemas/milestone.ex:7"]));
}

/// `Ecto.Multi`'s `update_all` (called and piped): its queryable is the third argument (the
/// second piped), and `set:` names that schema's fields; a `:key =>` map handed to a changeset
/// is a `key:` one. The traps: a keyword list of another call, a `:key =>` map handed nowhere.
const WRITERS: &str = r#"defmodule Op.Companies do
  import Ecto.Query
  alias Ecto.Multi
  alias Op.Companies.Company
  alias Op.Projects.Project

  def mark_setup_completed(multi, company_id) do
    Multi.update_all(
      multi,
      :company_setup_completion,
      from(company in Company, where: company.id == ^company_id),
      set: [setup_completed: true]
    )
  end

  def mark_all(multi) do
    multi
    |> Multi.update_all(:all, Company, set: [setup_completed: false])
    |> Multi.run(:log, fn _, _ -> {:ok, [health: :ignored]} end)
  end

  def create_project(multi, params) do
    Multi.insert(multi, :project, fn _ ->
      Project.changeset(%{
        :name => params.name,
        :health => :on_track
      })
    end)
  end

  def defaults, do: %{:health => :unknown, :setup_completed => true}
end
"#;

#[test]
fn a_multi_update_all_and_a_map_with_atom_arrows_name_their_schema_s_fields() {
    let (_dir, result) = scan(&[("lib/op/companies.ex", WRITERS)]);
    assert_eq!(
        uses(&result, "companies.setup_completed"),
        set(&["lib/op/schemas/company.ex:5", "lib/op/companies.ex:12", "lib/op/companies.ex:18"])
    );
    assert_eq!(uses(&result, "projects.health"), set(&["lib/op/schemas/project.ex:6", "lib/op/companies.ex:26"]));
}

/// A `case` over a Repo finder: its clauses' map patterns are the schema's fields. A
/// `validate_change` callback's error tuple is keyed by the field it validates. The traps: a
/// `case` over what no Repo returns, and a tuple keyed by another atom.
const CHECKS: &str = r#"defmodule Op.Steps do
  alias Op.People.Person, as: CompanyPerson
  alias Op.Repo

  defp active_person!(person_id) do
    case Repo.get_by(CompanyPerson, id: person_id) do
      %{suspended: false, suspended_at: nil} = person -> person
      _ -> raise "not found"
    end
  end

  defp settings(opts) do
    case Keyword.get(opts, :filter) do
      %{suspended: true} -> :only_suspended
      _ -> :all
    end
  end
end

defmodule Op.InviteLinks.InviteLink do
  use Ecto.Schema
  import Ecto.Changeset

  schema "invite_links" do
    field :allowed_domains, {:array, :string}
  end

  defp validate_allowed_domains(changeset) do
    validate_change(changeset, :allowed_domains, fn :allowed_domains, domains ->
      Enum.reduce(domains, [], fn domain, acc ->
        if String.contains?(domain, ".") do
          [{:domains, "is odd"} | acc]
        else
          [{:allowed_domains, "contains invalid domain #{domain}"} | acc]
        end
      end)
    end)
  end
end
"#;

#[test]
fn a_case_over_a_repo_finder_and_a_validator_s_error_tuple_name_their_fields() {
    let (_dir, result) = scan(&[("lib/op/steps.ex", CHECKS)]);
    assert_eq!(uses(&result, "people.suspended"), set(&["lib/op/schemas/person.ex:6", "lib/op/steps.ex:7"]));
    assert_eq!(uses(&result, "people.suspended_at"), set(&["lib/op/schemas/person.ex:7", "lib/op/steps.ex:7"]));
    assert_eq!(
        uses(&result, "invite_links.allowed_domains"),
        set(&["lib/op/steps.ex:25", "lib/op/steps.ex:29", "lib/op/steps.ex:34"])
    );
}

/// Records the module's own functions hand on: a variable bound to a call of a function whose
/// value is a Repo finder's record (defined below it), a `case` clause binding such a call's
/// value, and a Repo writer's record piped into a private function. The traps: a private
/// function some call hands what nothing types, `phase` on another table.
const LIFECYCLE: &str = r#"defmodule Op.Search.RunLifecycle do
  import Ecto.Query
  alias Op.Repo
  alias Op.Search.IndexRun

  def claim(run_id, phase) do
    run = lock_run!(run_id)
    if stale_job?(run, phase), do: :stale, else: {:ok, run}
  end

  def mark_failed(run_id, phase) do
    case lock_run(run_id) do
      nil -> :ok
      run -> if stale_job?(run, phase), do: :ok, else: advance(run)
    end
  end

  def other(thing), do: phase_of(thing)

  defp lock_run!(run_id) do
    from(run in IndexRun, where: run.id == ^run_id, lock: "FOR UPDATE")
    |> Repo.one!()
  end

  defp lock_run(run_id) do
    from(run in IndexRun, where: run.id == ^run_id)
    |> Repo.one()
  end

  defp stale_job?(run, phase), do: run.phase != phase

  defp advance(run) do
    run
    |> IndexRun.changeset(%{status: "running"})
    |> Repo.update!()
    |> enqueue()
  end

  defp enqueue(run), do: %{id: run.id, phase: Atom.to_string(run.phase)}

  defp phase_of(thing), do: thing.phase
end
"#;

#[test]
fn records_the_module_s_own_functions_return_type_what_they_are_handed_to() {
    let (_dir, result) = scan(&[("lib/op/search/run_lifecycle.ex", LIFECYCLE)]);
    assert_eq!(
        uses(&result, "search_index_runs.phase"),
        set(&[
            "lib/op/schemas/indexrun.ex:5",
            "lib/op/search/run_lifecycle.ex:30",
            "lib/op/search/run_lifecycle.ex:39",
        ])
    );
    assert_eq!(uses(&result, "project_milestones.phase"), set(&["lib/op/schemas/milestone.ex:5"]));
}

//! Phoenix idioms of records handed to writers (accent's `Movement` engine and managers,
//! teslamate's settings form, at the commits of `benches/accuracy`), each on a fixture app
//! scanned end to end: the exact lines a column is used on, and look-alike lines (a function
//! that writes nothing, a value that is no record, another table's column of the same name) not
//! taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `content`, `fullname` and `role` are each on two tables.
const TABLES: &[(&str, &[&str])] = &[
    ("translations", &["id", "conflicted"]),
    ("operations", &["id", "rollbacked", "translation_id"]),
    ("prompts", &["id", "content", "quick_access"]),
    ("notes", &["id", "content"]),
    ("collaborators", &["id", "role"]),
    ("users", &["id", "role", "fullname"]),
    ("contacts", &["id", "fullname"]),
    ("settings", &["id", "grafana_url"]),
];

fn schema(module: &str, table: &str, body: &str) -> String {
    format!("defmodule App.{module} do\n  use Ecto.Schema\n\n  schema \"{table}\" do\n{body}  end\nend\n")
}

fn scan(extra: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    let owned: Vec<(String, String)> = [
        ("translation", "Translation", "translations", "    field :conflicted, :boolean\n"),
        (
            "operation",
            "Operation",
            "operations",
            "    field :rollbacked, :boolean\n    belongs_to :translation, App.Translation\n",
        ),
        ("prompt", "Prompt", "prompts", "    field :content, :string\n    field :quick_access, :string\n"),
        ("note", "Note", "notes", "    field :content, :string\n"),
        ("collaborator", "Collaborator", "collaborators", "    field :role, :string\n"),
        ("user", "User", "users", "    field :role, :string\n    field :fullname, :string\n"),
        ("contact", "Contact", "contacts", "    field :fullname, :string\n"),
        ("settings/global_settings", "Settings.GlobalSettings", "settings", "    field :grafana_url, :string\n"),
    ]
    .iter()
    .map(|(file, module, table, body)| (format!("lib/app/{file}.ex"), schema(module, table, body)))
    .collect();
    let mut files: Vec<(&str, &str)> = owned.iter().map(|(p, s)| (p.as_str(), s.as_str())).collect();
    files.extend_from_slice(extra);
    support::scan::scan_files("app", Framework::Phoenix, &files, TABLES)
}

/// Writers named as Repo's that return what a persister executes later.
const HELPER: &str = r#"defmodule App.Movement.Helper do
  def update(struct, params), do: {:update, {struct, params}}
  def update_all(struct, params), do: {:update_all, {struct.__struct__, struct.id, params}}
  def insert_all(schema, row), do: {:insert_all, {schema, row}}
end
"#;

const ROLLBACK: &str = r#"defmodule App.Movement.Rollback do
  import App.Movement.Helper

  alias App.Translation

  def call(:restore, operation) do
    [
      update_all(operation, %{rollbacked: true}),
      update(operation.translation, %{conflicted: false})
    ]
  end

  def call(:new, operation) do
    row = %{
      conflicted: true
    }

    [insert_all(Translation, row)]
  end

  def notify(operation, socket) do
    log(operation, %{rollbacked: true})
    update(socket, %{conflicted: true})
  end
end
"#;

/// A resolver handing a record and its params to another module's `update`, and the same map to
/// a function that writes nothing.
const RESOLVER: &str = r#"defmodule AppWeb.Resolvers.Collaborator do
  alias App.CollaboratorUpdater

  def update(collaborator, %{role: role}, _info) do
    CollaboratorUpdater.update(collaborator, %{"role" => role})
  end

  def notify(collaborator, role) do
    Notifier.deliver(collaborator, %{"role" => role})
  end
end
"#;

#[test]
fn maps_handed_with_a_record_to_a_writer_named_as_repos_are_its_fields() {
    let (_dir, result) = scan(&[
        ("lib/app/movement/helper.ex", HELPER),
        ("lib/app/movement/rollback.ex", ROLLBACK),
        ("lib/app_web/resolvers/collaborator.ex", RESOLVER),
    ]);
    // `log/2` is no writer; `socket` holds no record.
    assert_eq!(
        uses(&result, "operations.rollbacked"),
        set(&["lib/app/operation.ex:5", "lib/app/movement/rollback.ex:8"])
    );
    assert_eq!(
        uses(&result, "translations.conflicted"),
        set(&["lib/app/translation.ex:5", "lib/app/movement/rollback.ex:9", "lib/app/movement/rollback.ex:15"])
    );
    // The record is a collaborator's, not a user's; `Notifier.deliver` writes nothing.
    assert_eq!(
        uses(&result, "collaborators.role"),
        set(&["lib/app/collaborator.ex:5", "lib/app_web/resolvers/collaborator.ex:5"])
    );
    assert_eq!(uses(&result, "users.role"), set(&["lib/app/user.ex:5"]));
}

/// Records cast outside their schema's module, named after it; and a name that is no schema's.
const MANAGER: &str = r#"defmodule App.PromptManager do
  import Ecto.Changeset

  def update(prompt, params) do
    prompt
    |> cast(params, [:content, :quick_access])
    |> validate_required(:content)
  end

  def draft(draft, params) do
    draft
    |> cast(params, [:content])
  end

  def rollback(operation) do
    operation
    |> Ecto.Changeset.change(rollbacked: true)
  end
end
"#;

#[test]
fn a_variable_cast_into_a_schema_is_a_record_of_the_schema_it_is_named_after() {
    let (_dir, result) = scan(&[("lib/app/prompts/prompt_manager.ex", MANAGER)]);
    assert_eq!(
        uses(&result, "prompts.content"),
        set(&["lib/app/prompt.ex:5", "lib/app/prompts/prompt_manager.ex:6", "lib/app/prompts/prompt_manager.ex:7"])
    );
    assert_eq!(
        uses(&result, "prompts.quick_access"),
        set(&["lib/app/prompt.ex:6", "lib/app/prompts/prompt_manager.ex:6"])
    );
    // `draft` names no schema: its `content` is neither table's.
    assert_eq!(uses(&result, "notes.content"), set(&["lib/app/note.ex:5"]));
    assert_eq!(
        uses(&result, "operations.rollbacked"),
        set(&["lib/app/operation.ex:5", "lib/app/prompts/prompt_manager.ex:17"])
    );
}

/// A parameter handed to a context's `update_x` is an `X` in the whole function; one that only
/// reaches nothing of the kind is not.
const FORM: &str = r#"defmodule AppWeb.SettingsLive.Form do
  alias App.Settings

  defp set_url(settings, url) do
    with nil <- settings.grafana_url,
         {:ok, settings} <- Settings.update_global_settings(settings, %{grafana_url: url}) do
      {:ok, settings}
    end
  end

  defp show(settings), do: settings.grafana_url

  defp list(settings), do: Settings.list_global_settings(settings).grafana_url
end
"#;

/// An assign destructured from a conn holds what `@current_user` does; `settings` no record.
const PLUG: &str = r#"defmodule AppWeb.Plugs.SentryContext do
  def call(%{assigns: %{current_user: %{} = current_user}} = conn, _opts) do
    current_user
    |> Map.take(~w(id fullname)a)

    conn
  end

  def call(%{assigns: %{settings: settings}} = conn, _opts) do
    settings |> Map.take(~w(fullname)a)
    conn
  end
end
"#;

#[test]
fn parameters_typed_by_the_writer_they_reach_and_assigns_destructured_from_a_conn() {
    let (_dir, result) =
        scan(&[("lib/app_web/live/settings_live/form.ex", FORM), ("lib/app_web/plugs/sentry_context.ex", PLUG)]);
    assert_eq!(
        uses(&result, "settings.grafana_url"),
        set(&[
            "lib/app/settings/global_settings.ex:5",
            "lib/app_web/live/settings_live/form.ex:5",
            "lib/app_web/live/settings_live/form.ex:6",
        ])
    );
    assert_eq!(uses(&result, "users.fullname"), set(&["lib/app/user.ex:6", "lib/app_web/plugs/sentry_context.ex:4"]));
    assert_eq!(uses(&result, "contacts.fullname"), set(&["lib/app/contact.ex:5"]));
}

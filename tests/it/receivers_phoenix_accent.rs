//! Phoenix idioms measured on an application tandem had never seen (accent at 43872af8,
//! `benches/accuracy/accent`), each on a fixture app scanned end to end: the exact lines a column
//! is used on, and the same word elsewhere (another table's column, a value that is no record)
//! not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `role` is on two tables, `tag` on two, `service` on one.
const TABLES: &[(&str, &[&str])] = &[
    ("integrations", &["id", "project_id", "service"]),
    ("integration_executions", &["id", "integration_id", "state"]),
    ("collaborators", &["id", "role"]),
    ("users", &["id", "role"]),
    ("translations", &["id", "conflicted", "comments_count"]),
    ("prompts", &["id", "content", "quick_access"]),
    ("versions", &["id", "tag"]),
    ("labels", &["id", "tag"]),
    ("access_tokens", &["id", "user_id", "revoked_at"]),
    ("projects", &["id"]),
    ("comments", &["id", "translation_id"]),
    ("lint_entries", &["id", "type"]),
];

fn schema(module: &str, table: &str, body: &str) -> String {
    format!("defmodule App.{module} do\n  use Ecto.Schema\n\n  schema \"{table}\" do\n{body}  end\nend\n")
}

fn schemas() -> Vec<(String, String)> {
    [
        ("Integration", "integrations", "    field :service, :string\n    belongs_to :project, App.Project\n"),
        (
            "IntegrationExecution",
            "integration_executions",
            "    field :state, :string\n    belongs_to :integration, App.Integration\n",
        ),
        ("Collaborator", "collaborators", "    field :role, :string\n"),
        ("User", "users", "    field :role, :string\n    has_many :access_tokens, App.AccessToken\n"),
        ("Translation", "translations", "    field :conflicted, :boolean\n    field :comments_count, :integer\n"),
        ("Prompt", "prompts", "    field :content, :string\n    field :quick_access, :string\n"),
        ("Version", "versions", "    field :tag, :string\n"),
        ("Label", "labels", "    field :tag, :string\n"),
        ("AccessToken", "access_tokens", "    field :revoked_at, :utc_datetime\n    belongs_to :user, App.User\n"),
        ("Project", "projects", "    has_many :integrations, App.Integration\n"),
        ("LintEntry", "lint_entries", "    field :type, :string\n"),
    ]
    .iter()
    .map(|(module, table, body)| (format!("lib/app/schemas/{}.ex", tandem_file(module)), schema(module, table, body)))
    .collect()
}

/// `IntegrationExecution` → `integration_execution`.
fn tandem_file(module: &str) -> String {
    let mut out = String::new();
    for (i, c) in module.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn scan(extra: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    let owned = schemas();
    let mut files: Vec<(&str, &str)> = owned.iter().map(|(p, s)| (p.as_str(), s.as_str())).collect();
    files.extend_from_slice(extra);
    support::scan::scan_files("app", Framework::Phoenix, &files, TABLES)
}

/// A type named after no schema, typed by the field that loads it with `dataloader` (the
/// parent's association of the field's name), its interface, and the interface's `resolve_type`.
const EXECUTION_TYPES: &str = r#"defmodule AppWeb.Types.IntegrationExecution do
  use Absinthe.Schema.Notation
  import Absinthe.Resolution.Helpers, only: [dataloader: 1]

  object :integration_execution do
    field(:state, :string)
    field(:integration, non_null(:project_integration), resolve: dataloader(App.Integration))
  end
end
"#;

const INTEGRATION_TYPES: &str = r#"defmodule AppWeb.Types.Integration do
  use Absinthe.Schema.Notation

  interface :project_integration do
    field(:service, :string)

    resolve_type(fn
      %{service: "slack"}, _ -> :slack_integration
      _, _ -> nil
    end)
  end

  object :slack_integration do
    field(:service, :string)
    interfaces([:project_integration])
  end

  object :webhook_settings do
    field(:service, :string)
  end
end
"#;

/// An interface named after its schema, an object implementing it, and an object that does not.
const COLLABORATOR_TYPES: &str = r#"defmodule AppWeb.Types.Collaborator do
  use Absinthe.Schema.Notation

  interface :collaborator do
    field(:role, :string)
  end

  object :pending_collaborator do
    field(:role, :string)
    interface(:collaborator)
  end

  object :viewer do
    field(:role, :string)
  end
end
"#;

/// A type named after its schema in a file whose alias of that name is a resolver module.
const TRANSLATION_TYPES: &str = r#"defmodule AppWeb.Types.Translation do
  use Absinthe.Schema.Notation
  alias AppWeb.Resolvers.Translation

  object :translation do
    field(:comments_count, :integer)
    field(:key, :string, resolve: &Translation.key/3)
  end
end
"#;

/// Flat `arg`s of mutations that create or update a record, named by the mutation and its result.
const MUTATIONS: &str = r#"defmodule AppWeb.Mutations.Prompt do
  use Absinthe.Schema.Notation

  object :prompt_mutations do
    field :create_project_prompt, :mutated_prompt do
      arg(:content, non_null(:string))
      arg(:quick_access, :string)
      resolve(&AppWeb.Resolvers.Prompt.create/3)
    end

    field :improve_prompt_text, :mutated_prompt do
      arg(:content, :string)
      resolve(&AppWeb.Resolvers.Prompt.improve/3)
    end

    field :update_collaborator, :mutated_collaborator do
      arg(:role, non_null(:string))
      resolve(&AppWeb.Resolvers.Collaborator.update/3)
    end
  end
end
"#;

#[test]
fn absinthe_interfaces_dataloaded_types_and_mutation_args() {
    let (_dir, result) = scan(&[
        ("lib/app_web/types/integration_execution.ex", EXECUTION_TYPES),
        ("lib/app_web/types/integration.ex", INTEGRATION_TYPES),
        ("lib/app_web/types/collaborator.ex", COLLABORATOR_TYPES),
        ("lib/app_web/types/translation.ex", TRANSLATION_TYPES),
        ("lib/app_web/mutations/prompt.ex", MUTATIONS),
    ]);
    // `:project_integration` is what `IntegrationExecution.integration` loads; `:webhook_settings`
    // is no record's type.
    assert_eq!(
        uses(&result, "integrations.service"),
        set(&[
            "lib/app/schemas/integration.ex:5",
            "lib/app_web/types/integration.ex:5",
            "lib/app_web/types/integration.ex:8",
            "lib/app_web/types/integration.ex:14",
        ])
    );
    assert_eq!(
        uses(&result, "integration_executions.state"),
        set(&["lib/app/schemas/integration_execution.ex:5", "lib/app_web/types/integration_execution.ex:6"])
    );
    // `:viewer` implements no interface: its `role` is neither table's.
    assert_eq!(
        uses(&result, "collaborators.role"),
        set(&[
            "lib/app/schemas/collaborator.ex:5",
            "lib/app_web/types/collaborator.ex:5",
            "lib/app_web/types/collaborator.ex:9",
            "lib/app_web/mutations/prompt.ex:17",
        ])
    );
    assert_eq!(uses(&result, "users.role"), set(&["lib/app/schemas/user.ex:5"]));
    assert_eq!(
        uses(&result, "translations.comments_count"),
        set(&["lib/app/schemas/translation.ex:6", "lib/app_web/types/translation.ex:6"])
    );
    // `improve_prompt_text` writes nothing by its name.
    assert_eq!(
        uses(&result, "prompts.content"),
        set(&["lib/app/schemas/prompt.ex:5", "lib/app_web/mutations/prompt.ex:6"])
    );
    assert_eq!(
        uses(&result, "prompts.quick_access"),
        set(&["lib/app/schemas/prompt.ex:6", "lib/app_web/mutations/prompt.ex:7"])
    );
}

/// A query-composition module named after its schema, and another module that is none.
const VERSION_SCOPE: &str = r#"defmodule App.Scopes.Version do
  import Ecto.Query

  def from_tag(query, tag), do: from(query, where: [tag: ^tag])

  def tags(query), do: query |> from(select: [:tag]) |> App.Repo.all()
end
"#;

const REPORTS: &str = r#"defmodule App.Reports do
  import Ecto.Query

  def tagged(query, tag), do: from(query, where: [tag: ^tag])

  def column_types(info), do: Enum.map(info.columns, & &1.type)
end
"#;

/// Queries held in variables, over an association, and a changeset's repo.
const QUERIES: &str = r#"defmodule App.Maintenance do
  import Ecto.Query
  alias App.Repo

  def reviewed do
    translations = from(t in App.Translation, where: t.id > 0)
    from(translations, where: [conflicted: false])
  end

  def revoke(user) do
    query = from(t in Ecto.assoc(user, :access_tokens), where: is_nil(t.revoked_at))
    Repo.update_all(query, set: [revoked_at: DateTime.utc_now()])
  end

  def by_service(project, service) do
    project
    |> Ecto.assoc(:integrations)
    |> where(service: ^service)
    |> Repo.all()
  end
end
"#;

const COMMENT: &str = r#"defmodule App.Comment do
  use Ecto.Schema
  import Ecto.Changeset
  import Ecto.Query

  schema "comments" do
    belongs_to :translation, App.Translation
  end

  def create_changeset(model, params) do
    model
    |> cast(params, [:translation_id])
    |> prepare_changes(fn changeset ->
      App.Translation
      |> where(id: ^changeset.changes[:translation_id])
      |> changeset.repo.update_all(inc: [comments_count: 1])

      changeset
    end)
  end
end
"#;

/// A private changeset function its callers pipe records of one schema into.
const MANAGER: &str = r#"defmodule App.IntegrationManager do
  import Ecto.Changeset
  alias App.Integration
  alias App.Repo

  def create(params) do
    %Integration{}
    |> changeset(params)
    |> Repo.insert()
  end

  def update(integration, params), do: integration |> changeset(params) |> Repo.update()

  defp changeset(model, params) do
    model
    |> cast(params, [:service])
  end
end
"#;

/// Association builders: `Ecto.build_assoc`'s attributes, `cast_assoc`'s `with:` changeset.
const CREATOR: &str = r#"defmodule App.ProjectCreator do
  import Ecto.Changeset

  def members(changeset) do
    Ecto.build_assoc(changeset.data, :collaborators, %{role: "bot"})
  end

  def token(params) do
    %App.AccessToken{}
    |> cast(params, [])
    |> cast_assoc(:user, with: fn changeset, params -> changeset |> cast(params, [:role]) end)
  end
end
"#;

#[test]
fn scope_modules_held_queries_associations_and_piped_private_changesets() {
    let (_dir, result) = scan(&[
        ("lib/app/scopes/version.ex", VERSION_SCOPE),
        ("lib/app/reports.ex", REPORTS),
        ("lib/app/maintenance.ex", QUERIES),
        ("lib/app/comment.ex", COMMENT),
        ("lib/app/integration_manager.ex", MANAGER),
        ("lib/app/project_creator.ex", CREATOR),
    ]);
    // The builder's map is a collaborator's; the `with:` function's changeset is a user's.
    assert_eq!(
        uses(&result, "collaborators.role"),
        set(&["lib/app/schemas/collaborator.ex:5", "lib/app/project_creator.ex:5"])
    );
    assert_eq!(uses(&result, "users.role"), set(&["lib/app/schemas/user.ex:5", "lib/app/project_creator.ex:11"]));
    // `App.Reports` is named after no schema: its `query` is nobody's.
    assert_eq!(
        uses(&result, "versions.tag"),
        set(&["lib/app/schemas/version.ex:5", "lib/app/scopes/version.ex:4", "lib/app/scopes/version.ex:6"])
    );
    assert_eq!(uses(&result, "labels.tag"), set(&["lib/app/schemas/label.ex:5"]));
    assert_eq!(
        uses(&result, "translations.conflicted"),
        set(&["lib/app/schemas/translation.ex:5", "lib/app/maintenance.ex:7"])
    );
    assert_eq!(
        uses(&result, "access_tokens.revoked_at"),
        set(&["lib/app/schemas/access_token.ex:5", "lib/app/maintenance.ex:11", "lib/app/maintenance.ex:12"])
    );
    assert_eq!(
        uses(&result, "integrations.service"),
        set(&["lib/app/schemas/integration.ex:5", "lib/app/maintenance.ex:18", "lib/app/integration_manager.ex:16"])
    );
    assert_eq!(
        uses(&result, "translations.comments_count"),
        set(&["lib/app/schemas/translation.ex:6", "lib/app/comment.ex:16"])
    );
    // `info.columns` holds a result's columns, not records: `&1.type` is no `lint_entries.type`.
    assert_eq!(uses(&result, "lint_entries.type"), set(&["lib/app/schemas/lint_entry.ex:5"]));
}

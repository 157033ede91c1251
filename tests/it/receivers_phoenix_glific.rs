//! Phoenix idioms measured on glific (`benches/accuracy/glific`, an Absinthe GraphQL API): the
//! fields of a GraphQL type named after a schema, column lists keyed by a table's name,
//! `:telemetry` measurements that are no record, an upsert's fields, `add_error`, and queries a
//! module's function returns for its pipelines — each with
//! the same word elsewhere not taken for the column.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `topic` and `duration` are common words; `duration` is on one table only.
const TABLES: &[(&str, &[&str])] = &[
    ("tickets", &["id", "topic", "remarks", "status"]),
    ("consulting_hours", &["id", "duration"]),
    ("locations", &["id", "latitude"]),
    ("wa_reactions", &["id", "reaction", "message_id", "contact_id"]),
    ("wa_polls", &["id", "reaction"]),
    ("groups", &["id", "group_type"]),
    ("triggers", &["id", "group_type"]),
    ("contacts", &["id", "topic", "optin_method"]),
    ("session_templates", &["id", "footer"]),
    ("organizations", &["id", "signature_phrase"]),
];

const TICKET: &str = "defmodule App.Tickets.Ticket do\n  use Ecto.Schema\n\n  schema \"tickets\" do\n    field :topic, :string\n    field :remarks, :string\n    field :status, :string\n  end\nend\n";
const HOUR: &str = "defmodule App.Saas.ConsultingHour do\n  use Ecto.Schema\n\n  schema \"consulting_hours\" do\n    field :duration, :integer\n  end\nend\n";
const LOCATION: &str = "defmodule App.Contacts.Location do\n  use Ecto.Schema\n\n  schema \"locations\" do\n    field :latitude, :float\n  end\nend\n";

const TYPES: &str = r#"defmodule AppWeb.Schema.TicketTypes do
  use Absinthe.Schema.Notation

  object :ticket do
    field(:id, :id)
    field(:topic, :string)
    field :remarks, :string do
      resolve(fn ticket, _, _ -> {:ok, ticket.remarks} end)
    end
    field :open_count, :integer
  end

  input_object :ticket_input do
    @desc "The topic"
    field :topic, :string
  end

  object :ticket_result do
    field :topic, :string
  end

  object :locations do
    field :latitude, :float
  end

  input_object :consulting_hour_filter do
    field :duration, :integer
  end

  object :report do
    field :duration, :integer
  end
end
"#;

/// The same macros' names in a module that is no Absinthe schema.
const DSL: &str = r#"defmodule App.Export do
  import App.DSL

  object :ticket do
    field :topic, :string
  end
end
"#;

const DIAGNOSE: &str = r#"defmodule App.Diagnose do
  @allowed_fields %{
    "tickets" => ~w(id topic status)a,
    "consulting_hours" => [:id, :duration]
  }
  @one %{"tickets" => [:remarks]}
  @mixed %{"tickets" => [:remarks], "name" => "x"}

  def fields, do: {@allowed_fields, @one, @mixed}

  def handle_event([:app, :repo, :query], measurements, _meta, _config) do
    measurements.duration
  end

  def handle_event(_, measurement, _meta, _config), do: measurement.duration
end
"#;

fn scan(files: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("app", Framework::Phoenix, files, TABLES)
}

#[test]
fn graphql_types_table_keyed_column_lists_and_telemetry_measurements() {
    let (_dir, result) = scan(&[
        ("lib/app/tickets/ticket.ex", TICKET),
        ("lib/app/saas/consulting_hour.ex", HOUR),
        ("lib/app/contacts/location.ex", LOCATION),
        ("lib/app_web/schema/ticket_types.ex", TYPES),
        ("lib/app/export.ex", DSL),
        ("lib/app/diagnose.ex", DIAGNOSE),
    ]);
    // `object :ticket` and `input_object :ticket_input` are `Ticket`'s fields; `:ticket_result`
    // is no schema's type, and the DSL module's `object` is no Absinthe type.
    assert_eq!(
        uses(&result, "tickets.topic"),
        set(&[
            "lib/app/tickets/ticket.ex:5",
            "lib/app_web/schema/ticket_types.ex:6",
            "lib/app_web/schema/ticket_types.ex:15",
            "lib/app/diagnose.ex:3",
        ])
    );
    assert_eq!(
        uses(&result, "tickets.remarks"),
        set(&[
            "lib/app/tickets/ticket.ex:6",
            "lib/app_web/schema/ticket_types.ex:7",
            "lib/app_web/schema/ticket_types.ex:8"
        ])
    );
    assert_eq!(uses(&result, "tickets.status"), set(&["lib/app/tickets/ticket.ex:7", "lib/app/diagnose.ex:3"]));
    // `:locations` is `Location`'s; a filter input names its schema's columns; `:report` and
    // telemetry's `measurements.duration` name none.
    assert_eq!(
        uses(&result, "locations.latitude"),
        set(&["lib/app/contacts/location.ex:5", "lib/app_web/schema/ticket_types.ex:23"])
    );
    assert_eq!(
        uses(&result, "consulting_hours.duration"),
        set(&["lib/app/saas/consulting_hour.ex:5", "lib/app_web/schema/ticket_types.ex:27", "lib/app/diagnose.ex:4"])
    );
    assert!(
        result
            .references
            .iter()
            .all(|r| &*r.path != "lib/app/export.ex" || r.confidence < tandem::config::Confidence::Medium),
        "a module that is no Absinthe schema declares no GraphQL type"
    );
}

const REACTION: &str = r#"defmodule App.WaReaction do
  use Ecto.Schema
  import Ecto.Changeset

  schema "wa_reactions" do
    field :reaction, :string
    field :message_id, :integer
    field :contact_id, :integer
  end

  def changeset(r, attrs), do: cast(r, attrs, [:message_id])

  def create(attrs) do
    %__MODULE__{}
    |> changeset(attrs)
    |> validate_emoji()
    |> Repo.insert(on_conflict: {:replace, [:reaction]}, conflict_target: [:message_id, :contact_id])
  end

  defp validate_emoji(changeset), do: add_error(changeset, :reaction, "is no emoji")
end
"#;

const POLL: &str = "defmodule App.WaPoll do\n  use Ecto.Schema\n\n  schema \"wa_polls\" do\n    field :reaction, :string\n  end\nend\n";

/// Upserts outside the schema's module: over a `%WaPoll{}` pipeline, and over a changeset
/// nothing types.
const POLLS: &str = r#"defmodule App.Polls do
  alias App.{Repo, WaPoll}

  def react(poll_changeset) do
    %WaPoll{}
    |> Repo.insert(on_conflict: [set: [reaction: "+1"]], conflict_target: :id)

    poll_changeset
    |> Repo.insert(on_conflict: {:replace, [:reaction]})
  end
end
"#;

#[test]
fn upsert_options_and_add_error_name_the_schemas_fields() {
    let (_dir, result) =
        scan(&[("lib/app/wa_reaction.ex", REACTION), ("lib/app/wa_poll.ex", POLL), ("lib/app/polls.ex", POLLS)]);
    assert_eq!(
        uses(&result, "wa_reactions.reaction"),
        set(&["lib/app/wa_reaction.ex:6", "lib/app/wa_reaction.ex:17", "lib/app/wa_reaction.ex:20"])
    );
    assert_eq!(
        uses(&result, "wa_reactions.contact_id"),
        set(&["lib/app/wa_reaction.ex:8", "lib/app/wa_reaction.ex:17"])
    );
    // `on_conflict: [set: …]` on a `%WaPoll{}`; the untyped changeset's upsert names nothing.
    assert_eq!(uses(&result, "wa_polls.reaction"), set(&["lib/app/wa_poll.ex:5", "lib/app/polls.ex:6"]));
    assert_eq!(uses(&result, "wa_polls.id"), set(&["lib/app/wa_poll.ex:4", "lib/app/polls.ex:6"]));
}

const GROUP: &str =
    "defmodule App.Group do\n  use Ecto.Schema\n\n  schema \"groups\" do\n    field :group_type, :string\n  end\nend\n";
const TRIGGER: &str = "defmodule App.Trigger do\n  use Ecto.Schema\n\n  schema \"triggers\" do\n    field :group_type, :string\n  end\nend\n";

const CONVERSATIONS: &str = r#"defmodule App.ConversationsGroup do
  import Ecto.Query
  alias App.{Group, Repo}

  defp groups_query(limit) do
    Group
    |> order_by([g], desc: g.id)
    |> limit(^limit)
  end

  defp group_rows(limit), do: Group |> Repo.all()

  def wa_groups(limit) do
    groups_query(limit)
    |> where([g], g.group_type == "WA")
    |> Repo.all()
  end

  def rows(limit) do
    group_rows(limit)
    |> where([g], g.group_type == "WABA")
  end

  def collection(id), do: Repo.fetch_by(Group, %{id: id, group_type: "WA"})

  def trigger(type), do: Repo.get_by(App.Trigger, %{group_type: type})
end
"#;

#[test]
fn a_pipeline_from_a_function_returning_a_query_and_map_filters_of_get_by() {
    let (_dir, result) = scan(&[
        ("lib/app/group.ex", GROUP),
        ("lib/app/trigger.ex", TRIGGER),
        ("lib/app/conversations_group.ex", CONVERSATIONS),
    ]);
    // `groups_query/1` ends in a query macro over `Group`; `group_rows/1` returns records.
    // `Repo.get_by` and an app's `Repo.fetch_by` given a map filter on its keys.
    assert_eq!(
        uses(&result, "groups.group_type"),
        set(&["lib/app/group.ex:5", "lib/app/conversations_group.ex:15", "lib/app/conversations_group.ex:24"])
    );
    assert_eq!(
        uses(&result, "triggers.group_type"),
        set(&["lib/app/trigger.ex:5", "lib/app/conversations_group.ex:26"])
    );
}

const GROUPS: &str = r#"defmodule App.Groups do
  import Ecto.Query
  alias App.{Group, Repo}
  alias App.Tickets.Ticket

  def list_groups(args) do
    query = from(g in Group)

    query =
      if args[:filter][:group_type],
        do: where(query, [g], g.group_type == ^args[:filter][:group_type]),
        else: query

    Repo.all(query)
  end

  def close_by_topic(params) do
    topic = params |> Map.get(:topic, "")
    Repo.all(from(t in Ticket, where: t.topic == ^topic))
  end

  def by_remarks(params) do
    remarks = Map.get(params, :remarks)
    Repo.all(from(t in Ticket, where: t.status == ^remarks))
  end

  def unfiltered(args) do
    type = args[:filter][:group_type]
    other = args[:opts][:topic]
    {type, other, Map.get(args, :topic)}
  end
end
"#;

#[test]
fn filter_keys_read_by_name_in_a_function_whose_query_reads_that_field() {
    let (_dir, result) = scan(&[
        ("lib/app/group.ex", GROUP),
        ("lib/app/trigger.ex", TRIGGER),
        ("lib/app/tickets/ticket.ex", TICKET),
        ("lib/app/groups.ex", GROUPS),
    ]);
    // `args[:filter][:group_type]` where the query filters `g.group_type`; `Map.get(params,
    // :topic)` where it filters `t.topic`. A key the query never reads (`:remarks`), a function
    // with no query, and another map than `filter` name nothing; `Trigger` has no hit.
    assert_eq!(
        uses(&result, "groups.group_type"),
        set(&["lib/app/group.ex:5", "lib/app/groups.ex:10", "lib/app/groups.ex:11"])
    );
    assert_eq!(uses(&result, "triggers.group_type"), set(&["lib/app/trigger.ex:5"]));
    assert_eq!(
        uses(&result, "tickets.topic"),
        set(&["lib/app/tickets/ticket.ex:5", "lib/app/groups.ex:18", "lib/app/groups.ex:19"])
    );
    assert_eq!(uses(&result, "tickets.remarks"), set(&["lib/app/tickets/ticket.ex:6"]));
}

const REACTING: &str = r#"defmodule App.Reacting do
  alias App.{WaPoll, WaReaction}

  def react(reaction, contact) do
    attrs = %{reaction: reaction, contact_id: contact.id}
    WaReaction.create_wa_reaction(attrs)
  end

  def other(reaction) do
    WaReaction.create_reaction_log(%{reaction: reaction})
    WaPoll.create_wa_reaction(%{reaction: reaction})
  end
end
"#;

#[test]
fn a_schema_modules_own_writer_named_after_it_takes_its_attributes() {
    let (_dir, result) =
        scan(&[("lib/app/wa_reaction.ex", REACTION), ("lib/app/wa_poll.ex", POLL), ("lib/app/reacting.ex", REACTING)]);
    // `WaReaction.create_wa_reaction(attrs)`; a writer named after another thing, or called on
    // another schema, names nothing.
    assert_eq!(
        uses(&result, "wa_reactions.reaction"),
        set(&[
            "lib/app/wa_reaction.ex:6",
            "lib/app/wa_reaction.ex:17",
            "lib/app/wa_reaction.ex:20",
            "lib/app/reacting.ex:5"
        ])
    );
    assert_eq!(uses(&result, "wa_polls.reaction"), set(&["lib/app/wa_poll.ex:5"]));
}

const CONTACT: &str = "defmodule App.Contacts.Contact do\n  use Ecto.Schema\n\n  schema \"contacts\" do\n    field :topic, :string\n    field :optin_method, :string\n  end\nend\n";

/// An export dispatched on a table's name: a query per clause, a function forwarding the name
/// and returning the rows, rows read by callers passing the literal.
const EXPORT: &str = r#"defmodule App.Export do
  import Ecto.Query
  alias App.{Group, Repo}
  alias App.Tickets.Ticket
  alias App.Contacts.Contact

  defp queue("groups", org) do
    fetch_data("groups", org)
    |> Enum.map(fn row -> %{type: row.group_type} end)
  end

  defp queue("tickets", org) do
    fetch_data("tickets", org)
    |> Enum.reduce([], fn row, acc -> [row.topic | acc] end)
  end

  defp queue("other", org) do
    fetch_other("tickets", org) |> Enum.map(fn row -> row.remarks end)
    fetch_data("unknown", org) |> Enum.map(fn row -> row.topic end)
    Enum.map(fetch_data("groups", org), fn row -> row.group_type end)
  end

  defp get_query("groups", org), do: Group |> where([g], g.org_id == ^org) |> order_by([g], g.id)

  defp get_query("tickets", org),
    do: Ticket |> where([t], t.org_id == ^org) |> preload([:contact])

  defp get_query("contacts", org), do: Contact |> order_by([c], c.id)

  defp fetch_data(table, org) do
    query = get_query(table, org)

    if table in ["groups"] do
      Repo.all(query, skip: true)
    else
      Repo.all(query)
    end
  end

  defp fetch_other(table, org), do: {table, org}

  def last(org) do
    get_query(org, org)
    |> where([x], x.topic == "a")
  end
end
"#;

#[test]
fn rows_of_a_query_dispatched_on_a_literal_are_its_clauses_records() {
    let (_dir, result) = scan(&[
        ("lib/app/group.ex", GROUP),
        ("lib/app/trigger.ex", TRIGGER),
        ("lib/app/tickets/ticket.ex", TICKET),
        ("lib/app/contacts/contact.ex", CONTACT),
        ("lib/app/export.ex", EXPORT),
    ]);
    // `fetch_data("groups", …)` rows are `Group`s (also as `Enum.map`'s first argument), the
    // `"tickets"` rows `Ticket`s; `Trigger` shares `group_type` and is no row.
    assert_eq!(
        uses(&result, "groups.group_type"),
        set(&["lib/app/group.ex:5", "lib/app/export.ex:9", "lib/app/export.ex:20"])
    );
    assert_eq!(uses(&result, "triggers.group_type"), set(&["lib/app/trigger.ex:5"]));
    assert_eq!(uses(&result, "tickets.topic"), set(&["lib/app/tickets/ticket.ex:5", "lib/app/export.ex:14"]));
    // A function that returns no rows, a literal no clause matches, and a multi-clause query
    // function called with a variable (no clause is known: not the last clause's `Contact`).
    assert_eq!(uses(&result, "tickets.remarks"), set(&["lib/app/tickets/ticket.ex:6"]));
    assert_eq!(uses(&result, "contacts.topic"), set(&["lib/app/contacts/contact.ex:5"]));
}

const TEMPLATE: &str = "defmodule App.Templates.SessionTemplate do\n  use Ecto.Schema\n\n  schema \"session_templates\" do\n    field :footer, :string\n  end\nend\n";

/// Inputs and the fields that take them in one file.
const TEMPLATE_TYPES: &str = r#"defmodule AppWeb.Schema.TemplateTypes do
  use Absinthe.Schema.Notation

  object :session_template_result do
    field :session_template, :session_template
  end

  object :session_template do
    field :footer, :string
  end

  input_object :session_template_input do
    field :footer, :string
  end

  input_object :edit_approved_template_input do
    field :footer, :string
    field :content, :string
  end

  input_object :location_input do
    field :latitude, :float
  end

  input_object :report_input do
    field :footer, :string
  end

  object :template_mutations do
    field :create_session_template, :session_template_result do
      arg(:input, non_null(:session_template_input))
    end

    field :edit_approved_template, :session_template_result do
      arg(:id, non_null(:id))
      arg(:input, :edit_approved_template_input)
    end

    field :report, :string do
      arg(:input, :report_input)
    end
  end
end
"#;

#[test]
fn graphql_inputs_follow_the_fields_that_take_them() {
    let (_dir, result) = scan(&[
        ("lib/app/templates/session_template.ex", TEMPLATE),
        ("lib/app/contacts/location.ex", LOCATION),
        ("lib/app_web/schema/template_types.ex", TEMPLATE_TYPES),
    ]);
    // `:edit_approved_template_input` is named after its mutation: the fields of the type the
    // mutation returns. `:report_input`'s mutation returns no type of the file.
    assert_eq!(
        uses(&result, "session_templates.footer"),
        set(&[
            "lib/app/templates/session_template.ex:5",
            "lib/app_web/schema/template_types.ex:9",
            "lib/app_web/schema/template_types.ex:13",
            "lib/app_web/schema/template_types.ex:17",
        ])
    );
    // No field of the file takes `:location_input`: low, below the gate.
    assert_eq!(uses(&result, "locations.latitude"), set(&["lib/app/contacts/location.ex:5"]));
    assert!(
        result.references.iter().any(|r| &*r.path == "lib/app_web/schema/template_types.ex"
            && r.line == 22
            && r.confidence == tandem::config::Confidence::Low),
        "an input no field takes is still listed at low"
    );
}

const ORGANIZATION: &str = "defmodule App.Partners.Organization do\n  use Ecto.Schema\n\n  schema \"organizations\" do\n    field :signature_phrase, :string\n  end\nend\n";

const ORG_USE: &str = r#"defmodule App do
  alias App.Partners

  def signature(id), do: Partners.organization(id).signature_phrase
  def other(id), do: Partners.settings(id).signature_phrase
  def counted(id), do: Partners.count(id).signature_phrase
end
"#;

#[test]
fn a_modules_function_named_after_its_schema_returns_a_record() {
    let (_dir, result) = scan(&[("lib/app/partners/organization.ex", ORGANIZATION), ("lib/app.ex", ORG_USE)]);
    // `Partners.organization(id)` is a `Partners.Organization`; `settings` and `count` name no
    // schema.
    assert_eq!(
        uses(&result, "organizations.signature_phrase"),
        set(&["lib/app/partners/organization.ex:5", "lib/app.ex:4"])
    );
}

const PAYLOAD: &str = r#"defmodule App.Provider.Template do
  defp attach_footer(template_payload, attrs) do
    case Map.get(attrs, :footer) do
      nil -> template_payload
      footer -> Map.put(template_payload, :footer, footer)
    end
  end

  def footer_of(update_attrs, session_template) do
    given = update_attrs.footer
    {given, session_template.footer}
  end
end
"#;

#[test]
fn a_variable_named_as_params_holds_no_record() {
    let (_dir, result) =
        scan(&[("lib/app/templates/session_template.ex", TEMPLATE), ("lib/app/provider/template.ex", PAYLOAD)]);
    // `template_payload` and `update_attrs` are maps whatever keys they carry; `session_template`
    // is named after its schema.
    assert_eq!(
        uses(&result, "session_templates.footer"),
        set(&["lib/app/templates/session_template.ex:5", "lib/app/provider/template.ex:11"])
    );
}

/// Seeds: rows built as a list literal merged in a comprehension, and rows a function builds
/// with `Enum.map`, inserted in chunks.
const SEEDS: &str = r#"defmodule App.Seeds do
  alias App.Repo
  alias App.Contacts.Contact

  def seed_contacts(org) do
    contacts = [
      %{topic: "a", optin_method: "BSP"},
      %{topic: "b"}
    ]

    entries =
      for entry <- contacts do
        %{org_id: org.id}
        |> Map.merge(entry)
      end

    Repo.insert_all(Contact, entries)
  end

  defp contact_entry(org), do: %{optin_method: "URL", org_id: org.id}

  defp contact_entries(count, org), do: Enum.map(1..count, fn _ -> contact_entry(org) end)

  def seed_many(count, org) do
    rows = contact_entries(count, org)

    rows
    |> Enum.chunk_every(300)
    |> Enum.map(&Repo.insert_all(Contact, &1))
  end

  def export(org) do
    payloads = [%{optin_method: "x"}, %{optin_method: "y"}]
    Enum.each(payloads, &send_it(&1, org))
  end

  defp send_it(payload, org), do: {payload, org}
end
"#;

#[test]
fn rows_built_as_lists_of_maps_are_written_by_insert_all() {
    let (_dir, result) = scan(&[("lib/app/contacts/contact.ex", CONTACT), ("lib/app/seeds.ex", SEEDS)]);
    // The list literal's rows merged by the comprehension, and the rows `contact_entry/1`
    // builds, chunked; a list of maps handed to anything else names nothing.
    assert_eq!(
        uses(&result, "contacts.optin_method"),
        set(&["lib/app/contacts/contact.ex:6", "lib/app/seeds.ex:7", "lib/app/seeds.ex:20"])
    );
}

const TRIGGERS: &str = r#"defmodule App.Triggers do
  alias App.{Repo, Trigger}

  def create_trigger(attrs) do
    attrs =
      attrs
      |> Map.put_new(:group_type, "WABA")

    %Trigger{}
    |> Trigger.changeset(fix_attrs(attrs))
    |> Repo.insert()
  end

  def label(attrs) do
    attrs = Map.put_new(attrs, :group_type, "WA")
    describe(fix_attrs(attrs))
  end

  defp describe(map), do: inspect(map)

  defp fix_attrs(attrs) do
    attrs
    |> Map.put(:id, 1)
  end
end
"#;

#[test]
fn params_a_function_passes_back_reach_the_changeset_with_their_keys() {
    let (_dir, result) = scan(&[("lib/app/trigger.ex", TRIGGER), ("lib/app/triggers.ex", TRIGGERS)]);
    // `fix_attrs/1` returns its parameter's map: the `put_new` key reaches `Trigger.changeset`;
    // the same key handed to another function names nothing.
    assert_eq!(uses(&result, "triggers.group_type"), set(&["lib/app/trigger.ex:5", "lib/app/triggers.ex:7"]));
}

//! Phoenix idioms measured on an application tandem had never seen (sequin at 46ce4e10,
//! `benches/accuracy/sequin`), each on a fixture app scanned end to end: the exact lines a
//! column is used on, and the same word elsewhere (an embedded schema's field, a library
//! struct's key) not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `record`/`changes` are columns of `wal_events` only (the `ConsumerEventData` embed keeps
/// its own inside `consumer_events.data`); `scheme` is a column of `http_endpoints` only.
const TABLES: &[(&str, &[&str])] = &[
    ("sink_consumers", &["id", "name", "batch_timeout_ms", "timestamp_format", "sink", "inserted_at", "updated_at"]),
    ("http_endpoints", &["id", "scheme", "host"]),
    ("accounts_users", &["id", "current", "user_id"]),
    ("postgres_databases", &["id", "password", "tables_refreshed_at"]),
    ("consumer_events", &["id", "data"]),
    ("wal_events", &["id", "record", "changes"]),
];

/// TypedEctoSchema: `typed_schema` with the library's `null:`/`enforce:` options, a field
/// typed by `::`, `@primary_key` and `@derive` before it.
const SINK_CONSUMER: &str = r#"defmodule Sq.Consumers.SinkConsumer do
  use TypedEctoSchema
  import Ecto.Changeset

  @derive {Jason.Encoder, only: [:id, :name, :batch_timeout_ms]}
  @primary_key {:id, :binary_id, autogenerate: true}
  typed_schema "sink_consumers" do
    field :name, :string, null: false
    field :batch_timeout_ms, :integer, enforce: true
    field(:timestamp_format, Ecto.Enum, values: [:iso8601, :unix]) :: :iso8601 | :unix
    embeds_one :sink, Sq.Consumers.HttpPushSink
    timestamps()
  end

  def changeset(consumer, attrs) do
    consumer
    |> cast(attrs, [:name, :batch_timeout_ms, :timestamp_format])
    |> validate_number(:batch_timeout_ms, greater_than: 0)
  end
end
"#;

/// An embedded schema: its fields live inside `sink_consumers.sink`, no table's columns.
const HTTP_PUSH_SINK: &str = r#"defmodule Sq.Consumers.HttpPushSink do
  use TypedEctoSchema

  typed_embedded_schema null: false do
    field :scheme, :string
    field :batch_timeout_ms, :integer
  end
end
"#;

const HTTP_ENDPOINT: &str = r#"defmodule Sq.Consumers.HttpEndpoint do
  use Sq.ConfigSchema

  typed_schema "http_endpoints", null: false do
    field :scheme, Ecto.Enum, values: [:http, :https]
    field :host, :string
  end
end
"#;

/// The app's own `use` that brings TypedEctoSchema in.
const ACCOUNT_USER: &str = r#"defmodule Sq.Accounts.AccountUser do
  use Sq.ConfigSchema
  import Ecto.Changeset

  typed_schema "accounts_users" do
    field :current, :boolean, default: false
    field :user_id, :integer
  end

  def changeset(account_user, attrs), do: cast(account_user, attrs, [:current])
end
"#;

const POSTGRES_DATABASE: &str = r#"defmodule Sq.Databases.PostgresDatabase do
  use Sq.ConfigSchema

  typed_schema "postgres_databases" do
    field(:password, Sq.Encrypted.Binary) :: String.t()
    field :tables_refreshed_at, :utc_datetime
  end
end
"#;

const CONSUMER_EVENT: &str = r#"defmodule Sq.Consumers.ConsumerEvent do
  use Sq.StreamSchema

  typed_schema "consumer_events" do
    embeds_one :data, Sq.Consumers.ConsumerEventData
  end
end
"#;

const CONSUMER_EVENT_DATA: &str = r#"defmodule Sq.Consumers.ConsumerEventData do
  use Sq.StreamSchema

  typed_embedded_schema do
    field :record, :map
    field :changes, :map
  end
end
"#;

const WAL_EVENT: &str = r#"defmodule Sq.Replication.WalEvent do
  use Ecto.Schema

  schema "wal_events" do
    field :record, :map
    field :changes, :map
  end
end
"#;

/// Writes through the schemas, typed reads, and the traps: an embed's fields reached through
/// the embed, a library struct's key.
const USES: &str = r#"defmodule Sq.Transforms do
  import Ecto.Query
  alias Sq.Accounts.AccountUser
  alias Sq.Consumers.ConsumerEvent
  alias Sq.Consumers.SinkConsumer
  alias Sq.Databases.PostgresDatabase
  alias Sq.Replication.WalEvent
  alias Sq.Repo

  def set_current(account_user, user_id) do
    Repo.update_all(from(au in AccountUser, where: au.user_id == ^user_id), set: [current: false])
    account_user |> AccountUser.changeset(%{current: true}) |> Repo.update()
  end

  def refreshed(db), do: db |> PostgresDatabase.changeset(%{tables_refreshed_at: DateTime.utc_now()})

  def to_external(%SinkConsumer{} = consumer) do
    %{name: consumer.name, format: consumer.timestamp_format}
  end

  def event_external(%ConsumerEvent{} = event) do
    %{record: event.data.record, changes: event.data.changes}
  end

  def inputs(messages) do
    Enum.map(messages, fn message -> message.data.record end)
  end

  def all_changes(messages), do: Enum.map(messages, &Map.get(&1.data.changes, "id"))

  def wal_external(%WalEvent{} = wal_event), do: wal_event.record

  def configured(opts), do: opts.format_config.timestamp_format

  def scheme_of(url) do
    uri = URI.parse(url)
    uri.scheme
  end

  def scheme(ep), do: ep.scheme
end
"#;

/// A list's elements named by the last word of their schema's name, handed to a private helper.
const PIPELINE: &str = r#"defmodule Sq.Runtime.WalPipelineServer do
  defp replace_toast_values(wal_events, toasts) do
    Enum.map(wal_events, fn event -> update_toast_values(event, toasts) end)
  end

  defp update_toast_values(event, toasts) do
    updated = Map.merge(event.record, toasts)
    %{event | record: updated}
  end

  defp sent(sink_messages), do: Enum.map(sink_messages, fn event -> event.changes end)
end
"#;

fn scan(files: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("sq", Framework::Phoenix, files, TABLES)
}

const FILES: &[(&str, &str)] = &[
    ("lib/sq/consumers/sink_consumer.ex", SINK_CONSUMER),
    ("lib/sq/consumers/http_push_sink.ex", HTTP_PUSH_SINK),
    ("lib/sq/consumers/http_endpoint.ex", HTTP_ENDPOINT),
    ("lib/sq/accounts/account_user.ex", ACCOUNT_USER),
    ("lib/sq/databases/postgres_database.ex", POSTGRES_DATABASE),
    ("lib/sq/consumers/consumer_event.ex", CONSUMER_EVENT),
    ("lib/sq/consumers/consumer_event_data.ex", CONSUMER_EVENT_DATA),
    ("lib/sq/replication/wal_event.ex", WAL_EVENT),
    ("lib/sq/transforms.ex", USES),
];

#[test]
fn typed_ecto_schemas_are_schemas() {
    let (_dir, result) = scan(FILES);
    // The derive list, the field, the cast and validate lists; not the embed's own field.
    assert_eq!(
        uses(&result, "sink_consumers.batch_timeout_ms"),
        set(&[
            "lib/sq/consumers/sink_consumer.ex:5",
            "lib/sq/consumers/sink_consumer.ex:9",
            "lib/sq/consumers/sink_consumer.ex:17",
            "lib/sq/consumers/sink_consumer.ex:18",
        ])
    );
    // `field(…) :: type`, and the read on a `%SinkConsumer{}` (line 18 of the uses).
    assert_eq!(
        uses(&result, "sink_consumers.timestamp_format"),
        set(&[
            "lib/sq/consumers/sink_consumer.ex:10",
            "lib/sq/consumers/sink_consumer.ex:17",
            "lib/sq/transforms.ex:18",
            "lib/sq/transforms.ex:33",
        ])
    );
    assert_eq!(uses(&result, "sink_consumers.sink"), set(&["lib/sq/consumers/sink_consumer.ex:11"]));
    // `update_all(… set: [current: false])` and the changeset's params.
    assert_eq!(
        uses(&result, "accounts_users.current"),
        set(&[
            "lib/sq/accounts/account_user.ex:6",
            "lib/sq/accounts/account_user.ex:10",
            "lib/sq/transforms.ex:11",
            "lib/sq/transforms.ex:12",
        ])
    );
    assert_eq!(uses(&result, "postgres_databases.password"), set(&["lib/sq/databases/postgres_database.ex:5"]));
    assert_eq!(
        uses(&result, "postgres_databases.tables_refreshed_at"),
        set(&["lib/sq/databases/postgres_database.ex:6", "lib/sq/transforms.ex:15"])
    );
    // The embed's own column, read on the way to its fields.
    assert_eq!(
        uses(&result, "consumer_events.data"),
        set(&[
            "lib/sq/consumers/consumer_event.ex:5",
            "lib/sq/transforms.ex:22",
            "lib/sq/transforms.ex:26",
            "lib/sq/transforms.ex:29",
        ])
    );
}

#[test]
fn an_embeds_fields_and_a_library_structs_keys_are_no_tables_columns() {
    let (_dir, result) = scan(FILES);
    // `event.data.record`, `message.data.record`, `&1.data.changes`: the embed's fields, kept
    // inside `consumer_events.data`; `wal_event.record` on a `%WalEvent{}` is the column.
    assert_eq!(
        uses(&result, "wal_events.record"),
        set(&["lib/sq/replication/wal_event.ex:5", "lib/sq/transforms.ex:31"])
    );
    assert_eq!(uses(&result, "wal_events.changes"), set(&["lib/sq/replication/wal_event.ex:6"]));
    // `uri = URI.parse(url)` holds a `%URI{}`; `ep`, typed by nothing, may hold a record.
    assert_eq!(
        uses(&result, "http_endpoints.scheme"),
        set(&["lib/sq/consumers/http_endpoint.ex:5", "lib/sq/transforms.ex:40"])
    );
}

#[test]
fn elements_named_by_the_last_word_of_their_schema() {
    let mut files = FILES.to_vec();
    files.push(("lib/sq/runtime/wal_pipeline_server.ex", PIPELINE));
    let (_dir, result) = scan(&files);
    // `fn event ->` over `wal_events`: a `WalEvent`, and so is the helper's parameter.
    assert_eq!(
        uses(&result, "wal_events.record"),
        set(&[
            "lib/sq/replication/wal_event.ex:5",
            "lib/sq/runtime/wal_pipeline_server.ex:7",
            "lib/sq/runtime/wal_pipeline_server.ex:8",
            "lib/sq/transforms.ex:31",
        ])
    );
    // An `event` over `sink_messages` is no `WalEvent`.
    assert_eq!(uses(&result, "wal_events.changes"), set(&["lib/sq/replication/wal_event.ex:6"]));
}

/// `data` is also another schema's `has_one`: what `message.data` holds may be either.
const ACCOUNT_USER_WITH_DATA: &str = r#"defmodule Sq.Accounts.AccountUser do
  use Sq.ConfigSchema

  typed_schema "accounts_users" do
    field :current, :boolean, default: false
    has_one :data, Sq.Replication.WalEvent
  end
end
"#;

#[test]
fn a_field_both_an_embed_and_an_association_may_hold_either() {
    let files: Vec<(&str, &str)> = FILES
        .iter()
        .map(
            |&(path, text)| {
                if path.ends_with("account_user.ex") { (path, ACCOUNT_USER_WITH_DATA) } else { (path, text) }
            },
        )
        .collect();
    let (_dir, result) = scan(&files);
    // The untyped `message.data.record` and `&1.data.changes` keep the one table's column.
    assert_eq!(
        uses(&result, "wal_events.record"),
        set(&[
            "lib/sq/replication/wal_event.ex:5",
            "lib/sq/transforms.ex:22",
            "lib/sq/transforms.ex:26",
            "lib/sq/transforms.ex:31",
        ])
    );
}

//! Params maps built in one function and written through a changeset or a context's writer in
//! another (teslamate, nerves_hub_web and papercups, `docs/accuracy.md`): a private helper's
//! `Map.put(params, :cost, …)`, a function returning `%{status: …}` through a `case`, defaults
//! merged before a local writer. Scanned end to end: the exact lines, and neither a map handed to
//! something else nor the same key on another table.

use tandem::config::Framework;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `read` and `cost` are also a message's: only the writer's schema says which.
const TABLES: &[(&str, &[&str])] = &[
    ("conversations", &["id", "read", "status", "priority"]),
    ("messages", &["id", "read", "cost"]),
    ("drives", &["id", "distance", "cost"]),
];

const CONVERSATION: &str = "defmodule Shop.Conversations.Conversation do\n  use Ecto.Schema\n\n  schema \"conversations\" do\n    field(:read, :boolean)\n    field(:status, :string)\n    field(:priority, :string)\n  end\nend\n";
const MESSAGE: &str = "defmodule Shop.Messages.Message do\n  use Ecto.Schema\n\n  schema \"messages\" do\n    field(:read, :boolean)\n    field(:cost, :integer)\n  end\nend\n";
const DRIVE: &str = "defmodule Shop.Drives.Drive do\n  use Ecto.Schema\n\n  schema \"drives\" do\n    field(:distance, :integer)\n    field(:cost, :integer)\n  end\nend\n";

/// Defaults returned by one function, merged and piped into the context's own writer in another.
const CONVERSATIONS: &str = r#"defmodule Shop.Conversations do
  alias Shop.Conversations.Conversation
  alias Shop.Repo

  def open_conversation(attrs), do: default_params() |> Map.merge(attrs) |> create_conversation()

  def create_conversation(attrs), do: %Conversation{} |> Conversation.changeset(attrs) |> Repo.insert()

  def update_conversation(conversation, attrs), do: conversation |> Conversation.changeset(attrs) |> Repo.update()

  def default_params do
    %{priority: "normal"}
  end
end
"#;

/// Updates built by a private function through a `case`, handed to another module's writer; a
/// map of the same keys handed to a logger and to a context's function that is no writer.
const HELPERS: &str = r#"defmodule Shop.Helpers do
  alias Shop.Conversations

  def handle_reply(conversation, message) do
    params = %{} |> build_updates(message)
    Conversations.update_conversation(conversation, params)
  end

  def log_reply(message) do
    Logger.info(inspect(notice_params(message)))
  end

  defp build_updates(updates, message) do
    case message.kind do
      :agent -> Map.merge(updates, %{read: true})
      :customer -> Map.merge(updates, %{read: false, status: "open"})
      _ -> updates
    end
  end

  defp notice_params(_message), do: %{read: true, status: "sent"}

  def count_similar(message), do: notice_params(message) |> Conversations.count_where()
end
"#;

/// A params map extended with `Map.put` here and in a private helper, written through the
/// schema's changeset; the same `Map.put` on a map encoded for a log.
const LOG: &str = r#"defmodule Shop.Log do
  alias Shop.Drives.Drive
  alias Shop.Repo

  def close_drive(drive, stats) do
    attrs =
      stats
      |> Map.put(:distance, 12)
      |> put_cost()

    drive |> Drive.changeset(attrs) |> Repo.update()
  end

  def summary(stats), do: stats |> Map.put(:distance, 3) |> Jason.encode!()

  defp put_cost(stats), do: Map.put(stats, :cost, 1)
end
"#;

#[test]
fn params_maps_built_in_one_function_and_written_in_another() {
    let (_dir, result) = support::scan::scan_files(
        "shop",
        Framework::Phoenix,
        &[
            ("lib/shop/conversations/conversation.ex", CONVERSATION),
            ("lib/shop/messages/message.ex", MESSAGE),
            ("lib/shop/drives/drive.ex", DRIVE),
            ("lib/shop/conversations.ex", CONVERSATIONS),
            ("lib/shop/helpers.ex", HELPERS),
            ("lib/shop/log.ex", LOG),
        ],
        TABLES,
    );
    // The `case`'s merged maps (15, 16), not the map (21) logged or given to `count_where` (23).
    assert_eq!(
        uses(&result, "conversations.read"),
        set(&["lib/shop/conversations/conversation.ex:5", "lib/shop/helpers.ex:15", "lib/shop/helpers.ex:16"])
    );
    assert_eq!(
        uses(&result, "conversations.status"),
        set(&["lib/shop/conversations/conversation.ex:6", "lib/shop/helpers.ex:16"])
    );
    // The defaults (12) piped into `create_conversation`.
    assert_eq!(
        uses(&result, "conversations.priority"),
        set(&["lib/shop/conversations/conversation.ex:7", "lib/shop/conversations.ex:12"])
    );
    // `Map.put` in the writer's function (8) and in its helper (16); not the encoded map (14).
    assert_eq!(uses(&result, "drives.distance"), set(&["lib/shop/drives/drive.ex:5", "lib/shop/log.ex:8"]));
    assert_eq!(uses(&result, "drives.cost"), set(&["lib/shop/drives/drive.ex:6", "lib/shop/log.ex:16"]));
    // The same keys on messages: their schema only.
    assert_eq!(uses(&result, "messages.read"), set(&["lib/shop/messages/message.ex:5"]));
    assert_eq!(uses(&result, "messages.cost"), set(&["lib/shop/messages/message.ex:6"]));
}

/// Params a private function builds and returns as `{:ok, params}` at the end of a `with`, taken
/// by a caller's `with` and handed to the context's own writer; a `Map.put` on their way out.
const WITH_CONVERSATIONS: &str = r#"defmodule Shop.Conversations do
  alias Shop.Conversations.Conversation
  alias Shop.Repo

  def open_conversation(message) do
    with {:ok, params} <- build_params(message),
         {:ok, conversation} <- insert_conversation(params) do
      {:ok, conversation}
    end
  end

  def describe(message) do
    with {:ok, params} <- build_summary(message) do
      Jason.encode!(params)
    end
  end

  defp insert_conversation(params), do: %Conversation{} |> Conversation.changeset(params) |> Repo.insert()

  defp build_params(message) do
    with {:ok, status} <- fetch_status(message) do
      params = %{status: status} |> put_priority()
      {:ok, params}
    end
  end

  defp build_summary(message), do: {:ok, %{status: message.kind, read: false}}

  defp put_priority(params), do: Map.put(params, :priority, "high")

  defp fetch_status(message), do: {:ok, message.kind}
end
"#;

#[test]
fn params_returned_in_an_ok_tuple_through_a_with() {
    let (_dir, result) = support::scan::scan_files(
        "shop",
        Framework::Phoenix,
        &[
            ("lib/shop/conversations/conversation.ex", CONVERSATION),
            ("lib/shop/messages/message.ex", MESSAGE),
            ("lib/shop/conversations.ex", WITH_CONVERSATIONS),
        ],
        TABLES,
    );
    // The map built (22) and the key put (29); not the summary encoded (27).
    assert_eq!(
        uses(&result, "conversations.status"),
        set(&["lib/shop/conversations/conversation.ex:6", "lib/shop/conversations.ex:22"])
    );
    assert_eq!(
        uses(&result, "conversations.priority"),
        set(&["lib/shop/conversations/conversation.ex:7", "lib/shop/conversations.ex:29"])
    );
    assert_eq!(uses(&result, "conversations.read"), set(&["lib/shop/conversations/conversation.ex:5"]));
    assert_eq!(uses(&result, "messages.read"), set(&["lib/shop/messages/message.ex:5"]));
}

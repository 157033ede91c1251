//! Phoenix idioms measured on an application tandem had not been tuned on (papercups at
//! 6a6f5adc, `benches/accuracy/papercups`): phx.gen.context's layout (`Chat.Users` serving
//! `Chat.Users.User`), filter maps a context turns into `dynamic` clauses, params merged before a
//! context writer, a JSON view's resource assign, map patterns on typed records. Each on a
//! fixture app scanned end to end: the exact lines a column is used on, and the same word on
//! another table not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `role` and `alert` are on two tables each, `seen_at` on two: only a typed receiver says which.
const TABLES: &[(&str, &[&str])] = &[
    ("conversations", &["id", "read", "priority"]),
    ("messages", &["id", "seen_at"]),
    ("mentions", &["id", "seen_at"]),
    ("users", &["id", "role"]),
    ("members", &["id", "role", "alert"]),
    ("user_settings", &["id", "user_id", "alert"]),
];

const CONVERSATION: &str = "defmodule Chat.Conversations.Conversation do\n  use Ecto.Schema\n\n  schema \"conversations\" do\n    field(:read, :boolean)\n    field(:priority, :string)\n  end\nend\n";
const MESSAGE: &str = "defmodule Chat.Messages.Message do\n  use Ecto.Schema\n\n  schema \"messages\" do\n    field(:seen_at, :utc_datetime)\n  end\nend\n";
const MENTION: &str = "defmodule Chat.Mentions.Mention do\n  use Ecto.Schema\n\n  schema \"mentions\" do\n    field(:seen_at, :utc_datetime)\n  end\nend\n";
const USER: &str = "defmodule Chat.Users.User do\n  use Ecto.Schema\n\n  schema \"users\" do\n    field(:role, :string)\n    has_one(:settings, Chat.Users.UserSettings)\n  end\nend\n";
const USER_SETTINGS: &str = "defmodule Chat.Users.UserSettings do\n  use Ecto.Schema\n\n  schema \"user_settings\" do\n    field(:alert, :boolean)\n    belongs_to(:user, Chat.Users.User)\n  end\nend\n";
const MEMBER: &str = "defmodule Chat.Members.Member do\n  use Ecto.Schema\n\n  schema \"members\" do\n    field(:role, :string)\n    field(:alert, :boolean)\n  end\nend\n";

/// A context whose filter map becomes `dynamic` clauses, and whose own functions write.
const CONVERSATIONS: &str = r#"defmodule Chat.Conversations do
  import Ecto.Query
  alias Chat.Conversations.Conversation
  alias Chat.Repo

  def count_where(filters) do
    Conversation
    |> where(^filter_where(filters))
    |> Repo.aggregate(:count)
  end

  def mark_read(conversation), do: update_conversation(conversation, %{read: true})

  def update_conversation(conversation, attrs), do: conversation |> Conversation.changeset(attrs) |> Repo.update()

  defp filter_where(attrs) do
    Enum.reduce(attrs, dynamic(true), fn
      {"read", value}, dynamic -> dynamic([c], ^dynamic and c.read == ^value)
      {"priority", value}, dynamic -> dynamic([c], ^dynamic and c.priority == ^value)
      {"seen", value}, dynamic -> dynamic([c, mentions: m], ^dynamic and m.seen_at == ^value)
      _, dynamic -> dynamic
    end)
  end
end
"#;

/// `role` is also a member's: the context's own queries are over users.
const USERS: &str = r#"defmodule Chat.Users do
  import Ecto.Query
  alias Chat.Users.User
  alias Chat.Repo

  def create_admin(params), do: Map.merge(params, %{role: "admin"}) |> create_user()

  def create_user(params), do: %User{} |> User.changeset(params) |> Repo.insert()

  def list_users(filters), do: User |> where(^filter_where(filters)) |> order_by(desc: :role) |> Repo.all()

  defp filter_where(attrs) do
    Enum.reduce(attrs, dynamic(true), fn
      {"role", value}, dynamic -> dynamic([u], ^dynamic and u.role == ^value)
      _, dynamic -> dynamic
    end)
  end

  def with_settings(query), do: join(query, :left, [u], s in assoc(u, :settings), as: :settings)

  def alerted(query), do: where(query, [_u, settings: s], s.alert == true)

  def role_of(id), do: User |> where(id: ^id) |> select([:role]) |> Repo.one!() |> Map.get(:role)
end
"#;

/// Callers: a filter map handed to a context, params merged before a writer, a case on the
/// current user, a context's records matched in a `with`, a map of options that names no field.
const CONTROLLER: &str = r#"defmodule ChatWeb.UserController do
  alias Chat.{Conversations, Mentions, Users}

  def create(conn, %{"user" => user_params}) do
    params = %{"role" => "user"} |> Map.merge(user_params)
    {:ok, user} = Users.create_user(params)
    unread = Conversations.count_where(%{"read" => false, "role" => "x"})
    mentions = Mentions.list_mentions(%{seen_at: nil})

    case conn.assigns.current_user do
      %{role: role} -> json(conn, %{id: user.id, role: role, unread: unread, mentions: mentions})
    end
  end

  def first(id) do
    with [%{seen_at: at}] <- Mentions.list_for(id) do
      at
    end
  end
end
"#;

/// A JSON view: `render_one(message, MessageView, "message.json")` hands it as `message`.
const MESSAGE_VIEW: &str = r#"defmodule ChatWeb.MessageView do
  def render("message.json", %{message: message}) do
    %{seen_at: message.seen_at}
  end

  def render("mention.json", %{mention: message}) do
    %{at: message.seen_at}
  end
end
"#;

fn scan(files: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("chat", Framework::Phoenix, files, TABLES)
}

#[test]
fn contexts_filter_maps_merged_params_and_view_resources() {
    let (_dir, result) = scan(&[
        ("lib/chat/conversations/conversation.ex", CONVERSATION),
        ("lib/chat/messages/message.ex", MESSAGE),
        ("lib/chat/mentions/mention.ex", MENTION),
        ("lib/chat/users/user.ex", USER),
        ("lib/chat/users/user_settings.ex", USER_SETTINGS),
        ("lib/chat/members/member.ex", MEMBER),
        ("lib/chat/conversations.ex", CONVERSATIONS),
        ("lib/chat/users.ex", USERS),
        ("lib/chat_web/controllers/user_controller.ex", CONTROLLER),
        ("lib/chat_web/views/message_view.ex", MESSAGE_VIEW),
    ]);
    // The filter clauses' keys (18, 19), the local writer (12), the caller's filter map
    // (controller 7, through `Conversations` → `Chat.Conversations.Conversation`).
    assert_eq!(
        uses(&result, "conversations.read"),
        set(&[
            "lib/chat/conversations/conversation.ex:5",
            "lib/chat/conversations.ex:12",
            "lib/chat/conversations.ex:18",
            "lib/chat_web/controllers/user_controller.ex:7",
        ])
    );
    assert_eq!(
        uses(&result, "conversations.priority"),
        set(&["lib/chat/conversations/conversation.ex:6", "lib/chat/conversations.ex:19"])
    );
    // `role` is also a member's: the users context's binding, its piped and merged params, its
    // `select`/`order_by` lists and `Map.get` on the fetched record, the current user's pattern.
    // Not the filter map given to `Conversations` (controller 7: no conversation field).
    assert_eq!(
        uses(&result, "users.role"),
        set(&[
            "lib/chat/users/user.ex:5",
            "lib/chat/users.ex:6",
            "lib/chat/users.ex:10",
            "lib/chat/users.ex:14",
            "lib/chat/users.ex:23",
            "lib/chat_web/controllers/user_controller.ex:5",
            "lib/chat_web/controllers/user_controller.ex:11",
        ])
    );
    assert_eq!(uses(&result, "members.role"), set(&["lib/chat/members/member.ex:5"]));
    // `as: :settings` names the join over `assoc(u, :settings)`: `user_settings`, not members.
    assert_eq!(
        uses(&result, "user_settings.alert"),
        set(&["lib/chat/users/user_settings.ex:5", "lib/chat/users.ex:21"])
    );
    assert_eq!(uses(&result, "members.alert"), set(&["lib/chat/members/member.ex:6"]));
    // The view's `message` is a message; `%{mention: message}` is not the view's resource.
    assert_eq!(
        uses(&result, "messages.seen_at"),
        set(&["lib/chat/messages/message.ex:5", "lib/chat_web/views/message_view.ex:3"])
    );
    // A mentions context's filter map and records (the `mentions: m` binding is no known join).
    assert_eq!(
        uses(&result, "mentions.seen_at"),
        set(&[
            "lib/chat/mentions/mention.ex:5",
            "lib/chat_web/controllers/user_controller.ex:8",
            "lib/chat_web/controllers/user_controller.ex:16",
        ])
    );
}

//! Phoenix idioms measured on an application tandem had not been tuned on (nerves_hub_web at
//! 0bb6b5cc, `benches/accuracy/nerveshub`), each on a fixture app scanned end to end: the exact
//! lines a column is used on, and the same word on another table's record not taken for it.

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::{set, uses_of as uses};

/// `note` is on three tables, `code` on two: only a typed receiver says which.
const TABLES: &[(&str, &[&str])] = &[
    ("tokens", &["id", "user_id", "note"]),
    ("devices", &["id", "note", "code"]),
    ("groups", &["id", "note", "code"]),
    ("ca_certificates", &["id", "note"]),
];

const TOKEN: &str = "defmodule Hub.Accounts.Token do\n  use Ecto.Schema\n\n  schema \"tokens\" do\n    field :user_id, :integer\n    field :note, :string\n  end\nend\n";
const DEVICE: &str = "defmodule Hub.Devices.Device do\n  use Ecto.Schema\n\n  schema \"devices\" do\n    field :note, :string\n    field :code, :string\n  end\nend\n";
const GROUP: &str = "defmodule Hub.Groups.Group do\n  use Ecto.Schema\n\n  schema \"groups\" do\n    field :note, :string\n    field :code, :string\n  end\nend\n";

/// A context whose functions return records and changesets other files assign.
const ACCOUNTS: &str = r#"defmodule Hub.Accounts do
  import Ecto.Query
  alias Hub.Accounts.Token
  alias Hub.Repo

  def api_tokens(user_id) do
    Token
    |> where(user_id: ^user_id)
    |> Repo.all()
  end

  def new_group, do: Ecto.Changeset.change(%Hub.Groups.Group{})
end
"#;

/// A live view named `…Live.Account` whose templates are embedded from a folder beside it.
const ACCOUNT_LIVE: &str = r#"defmodule HubWeb.Live.Account do
  use HubWeb, :live_view
  alias Hub.Accounts
  alias Hub.Accounts.Token

  embed_templates("account_templates/*")

  def mount(_params, _session, socket) do
    tokens = Accounts.api_tokens(socket.assigns.user_id)

    socket
    |> assign(:access_tokens, tokens)
    |> assign(:token_form, to_form(Ecto.Changeset.change(%Token{})))
    |> ok()
  end
end
"#;

const ACCOUNT_EDIT: &str = r#"<div :for={t <- @access_tokens}>
  <h3 :if={t.note != ""}>{t.note}</h3>
</div>
<.form :let={f} for={@token_form}>
  <label for={@for}>Note</label>
  <.input field={f[:note]} />
</.form>
"#;

/// `HubWeb.Live.Groups.New` renders `live/groups/new.html.heex`.
const GROUP_NEW: &str = r#"defmodule HubWeb.Live.Groups.New do
  use HubWeb, :live_view

  def mount(_params, _session, socket) do
    {:ok, assign(socket, :form, to_form(Hub.Accounts.new_group()))}
  end
end
"#;

const GROUP_NEW_HEEX: &str = "<.form for={@form}>\n  <.input field={@form[:note]} />\n</.form>\n";

/// A component whose form is over a changeset held in a variable, after a comprehension's
/// `:for={…}` that is no form.
const DEVICE_SETTINGS: &str = r#"defmodule HubWeb.Components.DeviceSettings do
  use HubWeb, :live_component

  def update(assigns, socket) do
    changeset = Ecto.Changeset.change(socket.assigns.device)
    {:ok, socket |> assign(assigns) |> assign(:settings_form, to_form(changeset))}
  end

  def render(assigns) do
    ~H"""
    <p :for={msg <- @errors}>{msg}</p>
    <.form for={@settings_form}>
      <.input field={@settings_form[:code]} />
    </.form>
    """
  end
end
"#;

fn scan(files: &[(&str, &str)]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("hub", Framework::Phoenix, files, TABLES)
}

const SCHEMAS: &[(&str, &str)] =
    &[("lib/hub/accounts/token.ex", TOKEN), ("lib/hub/devices/device.ex", DEVICE), ("lib/hub/groups/group.ex", GROUP)];

#[test]
fn embedded_templates_forms_over_changesets_and_returned_records() {
    let mut files = SCHEMAS.to_vec();
    files.extend([
        ("lib/hub/accounts.ex", ACCOUNTS),
        ("lib/hub_web/live/account.ex", ACCOUNT_LIVE),
        ("lib/hub_web/live/account_templates/edit.html.heex", ACCOUNT_EDIT),
        ("lib/hub_web/live/groups/new.ex", GROUP_NEW),
        ("lib/hub_web/live/groups/new.html.heex", GROUP_NEW_HEEX),
        ("lib/hub_web/components/device_settings.ex", DEVICE_SETTINGS),
    ]);
    let (_dir, result) = scan(&files);
    // `@access_tokens` holds what `Accounts.api_tokens/1` returns (a `Repo.all` over `Token`);
    // the form is `@token_form` (a changeset of `%Token{}`), not the label's `for={@for}`.
    assert_eq!(
        uses(&result, "tokens.note"),
        set(&[
            "lib/hub/accounts/token.ex:6",
            "lib/hub_web/live/account_templates/edit.html.heex:2",
            "lib/hub_web/live/account_templates/edit.html.heex:6",
        ])
    );
    // `to_form(Hub.Accounts.new_group())`: the changeset that function returns.
    assert_eq!(
        uses(&result, "groups.note"),
        set(&["lib/hub/groups/group.ex:5", "lib/hub_web/live/groups/new.html.heex:2"])
    );
    assert_eq!(uses(&result, "devices.note"), set(&["lib/hub/devices/device.ex:5"]));
    // `changeset = Ecto.Changeset.change(socket.assigns.device)`, then `to_form(changeset)`.
    assert_eq!(
        uses(&result, "devices.code"),
        set(&["lib/hub/devices/device.ex:6", "lib/hub_web/components/device_settings.ex:13"])
    );
    assert_eq!(uses(&result, "groups.code"), set(&["lib/hub/groups/group.ex:6"]));
}

/// A validator's errors keyed by the field it validates (and only by it).
const DEVICE_VALIDATED: &str = r#"defmodule Hub.Devices.Device do
  use Ecto.Schema
  import Ecto.Changeset

  schema "devices" do
    field :note, :string
    field :code, :string
  end

  def changeset(device, params) do
    device
    |> cast(params, [:code])
    |> validate_change(:code, fn _, value ->
      if String.contains?(value, " "), do: [code: "has spaces", note: "see the code"], else: []
    end)
  end
end
"#;

const CA: &str = "defmodule Hub.Devices.CACertificate do\n  use Ecto.Schema\n\n  schema \"ca_certificates\" do\n    field :note, :string\n  end\nend\n";

/// A context writer named by an acronym given a map literal; a record of either of two schemas;
/// a record's fields taken in a pipeline.
const SYNC: &str = r#"defmodule Hub.Sync do
  alias Hub.Devices.CACertificates

  def touch(ca, device_or_group) do
    CACertificates.update_ca_certificate(ca, %{note: "seen"})
    {device_or_group.code, device_or_group.note}
  end

  def codes(socket), do: socket.assigns.device |> Map.take([:code])
end
"#;

#[test]
fn validators_context_writers_and_either_records() {
    let (_dir, result) = scan(&[
        ("lib/hub/accounts/token.ex", TOKEN),
        ("lib/hub/devices/device.ex", DEVICE_VALIDATED),
        ("lib/hub/groups/group.ex", GROUP),
        ("lib/hub/devices/ca_certificate.ex", CA),
        ("lib/hub/sync.ex", SYNC),
    ]);
    // Line 14: `code:` is the validated field's error; `note:` there is a message's key.
    assert_eq!(
        uses(&result, "devices.code"),
        set(&[
            "lib/hub/devices/device.ex:7",
            "lib/hub/devices/device.ex:12",
            "lib/hub/devices/device.ex:13",
            "lib/hub/devices/device.ex:14",
            "lib/hub/sync.ex:6",
            "lib/hub/sync.ex:9",
        ])
    );
    assert_eq!(uses(&result, "devices.note"), set(&["lib/hub/devices/device.ex:6", "lib/hub/sync.ex:6"]));
    assert_eq!(uses(&result, "groups.code"), set(&["lib/hub/groups/group.ex:6", "lib/hub/sync.ex:6"]));
    assert_eq!(uses(&result, "groups.note"), set(&["lib/hub/groups/group.ex:5", "lib/hub/sync.ex:6"]));
    // `CACertificates` serves `CACertificate` (not `CaCertificate`); a token is neither record.
    assert_eq!(
        uses(&result, "ca_certificates.note"),
        set(&["lib/hub/devices/ca_certificate.ex:5", "lib/hub/sync.ex:5"])
    );
    assert_eq!(uses(&result, "tokens.note"), set(&["lib/hub/accounts/token.ex:6"]));
}

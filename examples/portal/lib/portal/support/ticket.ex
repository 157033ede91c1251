defmodule Portal.Support.Ticket do
  use Ecto.Schema
  import Ecto.Changeset

  schema "support_tickets" do
    field :subject, :string
    field :body, :string
    field :status, :string, default: "open"
    field :priority, Ecto.Enum, values: [:low, :normal, :high, :urgent], default: :normal

    embeds_many :attachments, Portal.Support.Attachment, on_replace: :delete

    belongs_to :user, Portal.Accounts.User
    belongs_to :order, Portal.Sales.Order

    timestamps()
  end

  def changeset(ticket, attrs) do
    ticket
    |> cast(attrs, [:subject, :body, :priority, :order_id])
    |> cast_embed(:attachments)
    |> validate_required([:subject, :body])
    |> validate_length(:subject, max: 200)
  end

  def close(ticket), do: change(ticket) |> put_change(:status, "closed")
end

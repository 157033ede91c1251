defmodule Desk.Ticket do
  use Ecto.Schema
  import Ecto.Changeset

  schema "tickets" do
    field :subject, :string
    field :status, :string, default: "open"
    belongs_to :user, Desk.User

    timestamps()
  end

  def changeset(ticket, attrs) do
    ticket
    |> cast(attrs, [:subject, :user_id])
    |> validate_required([:subject, :user_id])
  end
end

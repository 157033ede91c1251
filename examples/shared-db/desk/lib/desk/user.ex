defmodule Desk.User do
  use Ecto.Schema

  # The shop app's table, read by the help desk.
  schema "users" do
    field :email, :string
    field :name, :string
    # No migration of either app adds this column: every query of this schema selects it.
    field :locale, :string
    # Not a column.
    field :signature, :string, virtual: true
    has_many :tickets, Desk.Ticket

    timestamps(inserted_at: :created_at)
  end
end

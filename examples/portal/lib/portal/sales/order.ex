defmodule Portal.Sales.Order do
  use Ecto.Schema

  schema "orders" do
    field :number, :string
    field :status, :string
    field :total_cents, :integer
    field :currency, :string
    field :notes, :string
    field :placed_at, :naive_datetime_usec

    belongs_to :user, Portal.Accounts.User

    timestamps(inserted_at: :created_at, type: :naive_datetime_usec)
  end
end

defmodule Portal.Accounts.Organization do
  use Ecto.Schema

  schema "organizations" do
    field :name, :string
    field :slug, :string
    field :plan, :string

    has_many :users, Portal.Accounts.User

    timestamps(inserted_at: :created_at, type: :naive_datetime_usec)
  end
end

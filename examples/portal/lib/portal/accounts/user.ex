defmodule Portal.Accounts.User do
  use Ecto.Schema
  import Ecto.Changeset

  # The table is owned by the platform (Rails) app, which names its timestamps created_at.
  schema "users" do
    field :email, :string
    field :name, :string
    field :status, :string
    field :legacy_flag, :boolean, default: false
    field :password, :string, virtual: true, redact: true

    belongs_to :organization, Portal.Accounts.Organization
    has_many :tickets, Portal.Support.Ticket

    timestamps(inserted_at: :created_at, type: :naive_datetime_usec)
  end

  def profile_changeset(user, attrs) do
    user
    |> cast(attrs, [:name, :email])
    |> validate_required([:name, :email])
    |> validate_format(:email, ~r/@/)
    |> unique_constraint(:email, name: :index_users_on_email)
  end

  def legacy?(%__MODULE__{legacy_flag: flag}), do: flag
end

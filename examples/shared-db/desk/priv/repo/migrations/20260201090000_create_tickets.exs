defmodule Desk.Repo.Migrations.CreateTickets do
  use Ecto.Migration

  def change do
    create table(:tickets) do
      add :user_id, references(:users, on_delete: :delete_all), null: false
      add :subject, :string, null: false
      add :status, :string, default: "open"
      timestamps()
    end

    create index(:tickets, [:user_id])
  end
end

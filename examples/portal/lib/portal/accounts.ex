defmodule Portal.Accounts do
  import Ecto.Query

  alias Portal.Repo
  alias Portal.Accounts.User

  def get_user_by_email(email) when is_binary(email) do
    Repo.get_by(User, email: email)
  end

  def search_users(term) do
    pattern = "%" <> term <> "%"

    from(u in User,
      where: fragment("lower(?) LIKE lower(?)", u.name, ^pattern),
      where: u.status == "active",
      order_by: [asc: u.name],
      select: %{id: u.id, name: u.name, email: u.email}
    )
    |> Repo.all()
  end

  def lifetime_value(user_id) do
    %{rows: [[total]]} =
      Repo.query!("SELECT total_cents FROM order_totals WHERE user_id = $1", [user_id])

    total || 0
  end
end

defmodule Portal.Support do
  import Ecto.Query

  alias Portal.Repo
  alias Portal.Support.Ticket

  def open_tickets_for(user_id) do
    Ticket
    |> where([t], t.user_id == ^user_id and t.status == "open")
    |> order_by([t], desc: t.inserted_at)
    |> preload(:order)
    |> Repo.all()
  end

  def order_note(ticket) do
    # Support agents see the note the shop left on the order.
    ticket = Repo.preload(ticket, :order)
    ticket.order && ticket.order.notes
  end
end

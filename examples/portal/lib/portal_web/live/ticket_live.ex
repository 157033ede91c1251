defmodule PortalWeb.TicketLive do
  use PortalWeb, :live_view

  alias Portal.Support

  def mount(_params, %{"user_id" => user_id}, socket) do
    tickets = Support.open_tickets_for(user_id)
    {:ok, assign(socket, tickets: tickets, status: "pending", name: "Support")}
  end

  def render(assigns) do
    ~H"""
    <h1 class="status"><%= @name %></h1>
    <ul>
      <li :for={t <- @tickets}><%= t.subject %></li>
    </ul>
    """
  end
end

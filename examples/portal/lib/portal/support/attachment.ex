defmodule Portal.Support.Attachment do
  use Ecto.Schema

  # Stored inside support_tickets.attachments (jsonb); not a table of its own.
  embedded_schema do
    field :filename, :string
    field :url, :string
    field :size_bytes, :integer
  end
end

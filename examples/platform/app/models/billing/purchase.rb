module Billing
  # Orders are "purchases" in the billing domain; the table kept its original name.
  class Purchase < ApplicationRecord
    self.table_name = "orders"

    belongs_to :user
    has_many :line_items, foreign_key: :order_id, inverse_of: :purchase

    scope :placed_since, ->(time) { where("placed_at >= ?", time) }

    def total
      total_cents / 100.0
    end
  end
end

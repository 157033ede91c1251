class LineItem < ApplicationRecord
  belongs_to :purchase, class_name: "Billing::Purchase", foreign_key: :order_id, inverse_of: :line_items
  belongs_to :product

  validates :quantity, numericality: { greater_than: 0 }
end

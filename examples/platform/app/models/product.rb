class Product < ApplicationRecord
  self.ignored_columns = ["discontinued"]

  has_many :line_items

  validates :sku, presence: true, length: { maximum: 32 }

  def price
    price_cents / 100.0
  end
end

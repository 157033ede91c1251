class User < ApplicationRecord
  validates :email, presence: true, uniqueness: true

  # Not a column: the sign-up form's checkbox.
  attribute :terms_accepted, :boolean, default: false

  def display_name
    name.presence || email
  end
end

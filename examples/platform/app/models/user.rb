# == Schema Information
#
# Table name: users
#
#  id                 :bigint           not null, primary key
#  organization_id    :bigint           not null
#  email              :citext           not null
#  name               :string           not null
#  status             :string           default("active"), not null
#  pending            :boolean          default(FALSE), not null
#  legacy_flag        :boolean          default(FALSE), not null
#  encrypted_password :string           not null
#  last_sign_in_at    :datetime
#
class User < ApplicationRecord
  # The platform team stopped reading legacy_flag in 2025-10; the column can go once every
  # other app has let go of it too.
  self.ignored_columns += ["legacy_flag"]

  belongs_to :organization
  has_many :purchases, class_name: "Billing::Purchase"
  # Invoices moved to the billing service; the class no longer exists here.
  has_many :invoices

  # Not a column: set by the sign-up form and checked once.
  attribute :terms_accepted, :boolean, default: false
  attr_accessor :password

  enum :status, { active: "active", suspended: "suspended", closed: "closed" }, default: "active"

  scope :awaiting_review, -> { where(pending: true) }
  scope :by_name, -> { order(:name) }

  validates :email, presence: true, uniqueness: { case_sensitive: false }
  validates :terms_accepted, acceptance: true, on: :create

  def display_name
    name.presence || email.split("@").first
  end

  def recently_active?
    last_sign_in_at.present? && last_sign_in_at > 30.days.ago
  end
end

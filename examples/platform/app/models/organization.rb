# == Schema Information
#
# Table name: organizations
#
#  id         :bigint           not null, primary key
#  name       :string           not null
#  slug       :string           not null
#  plan       :string           default("free"), not null
#
class Organization < ApplicationRecord
  has_many :users, dependent: :restrict_with_exception

  validates :slug, presence: true, uniqueness: true

  def to_param
    slug
  end
end

json.extract! @user, :id, :email, :name, :status
json.organization @user.organization.slug
json.purchases @recent_purchases do |purchase|
  json.extract! purchase, :number, :total_cents, :currency, :placed_at
end

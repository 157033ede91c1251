Rails.application.routes.draw do
  resources :users, only: %i[index show update] do
    get :lookup, on: :collection
  end
  get "/status", to: "health#show"
  get "/up" => "rails/health#show", as: :rails_health_check
end

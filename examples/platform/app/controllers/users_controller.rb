class UsersController < ApplicationController
  before_action :set_user, only: %i[show update]

  def index
    status = params[:status].presence || "active"
    @users = User.where(status: status).by_name.page(params[:page])
  end

  def show
    @recent_purchases = @user.purchases.where.not(placed_at: nil).order(placed_at: :desc).limit(5)
  end

  def update
    if @user.status == "pending"
      flash[:alert] = "This account is still pending review."
    end

    if @user.update(user_params)
      redirect_to @user, notice: "Saved."
    else
      render :show, status: :unprocessable_entity
    end
  end

  def lookup
    user = User.find_by(email: params.require(:email))
    render json: { name: user&.name }
  end

  private

  def set_user
    @user = User.find(params[:id])
  end

  def user_params
    params.require(:user).permit(:email, :name, :status)
  end
end

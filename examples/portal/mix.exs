defmodule Portal.MixProject do
  use Mix.Project

  def project do
    [app: :portal, version: "0.4.0", elixir: "~> 1.16", deps: deps()]
  end

  defp deps do
    [{:phoenix, "~> 1.7"}, {:phoenix_live_view, "~> 0.20"}, {:ecto_sql, "~> 3.11"}, {:postgrex, ">= 0.0.0"}]
  end
end

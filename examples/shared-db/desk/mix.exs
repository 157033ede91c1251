defmodule Desk.MixProject do
  use Mix.Project

  def project do
    [app: :desk, version: "0.1.0", elixir: "~> 1.16", deps: deps()]
  end

  defp deps do
    [{:ecto_sql, "~> 3.11"}, {:postgrex, ">= 0.0.0"}]
  end
end

class RevenueReport
  def initialize(since:)
    @since = since
  end

  def rows
    Billing::Purchase.find_by_sql([<<~SQL, @since])
      SELECT o.user_id, u.email, SUM(o.total_cents) AS revenue_cents
      FROM orders o
      JOIN users u ON u.id = o.user_id
      WHERE o.placed_at >= ? AND o.status <> 'cancelled'
      GROUP BY o.user_id, u.email
      ORDER BY revenue_cents DESC
    SQL
  end
end

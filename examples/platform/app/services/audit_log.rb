# Writes to a table no model maps: the audit trail is append-only and read by a separate tool.
class AuditLog
  def self.record(actor, action, payload = {})
    ActiveRecord::Base.connection.exec_insert(<<~SQL, "AuditLog", [actor&.id, action, payload.to_json])
      INSERT INTO audit_events (actor_id, action, payload, occurred_at)
      VALUES ($1, $2, $3::jsonb, now())
    SQL
  end
end

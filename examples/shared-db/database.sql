-- The shared database as the two apps' own tools migrated it, for trying `tandem schema sync`
-- without Ruby or Elixir: what `rails db:migrate` ran for shop/db/migrate/20260101090000 and
-- `mix ecto.migrate` for desk/priv/repo/migrations/20260201090000, with the versions both
-- record in the one `schema_migrations` table.
CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY KEY);
CREATE TABLE ar_internal_metadata (key character varying NOT NULL PRIMARY KEY, value character varying,
  created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);

CREATE TABLE users (id bigserial PRIMARY KEY, email character varying NOT NULL, name character varying,
  created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);
CREATE UNIQUE INDEX index_users_on_email ON users (email);
INSERT INTO schema_migrations (version) VALUES ('20260101090000');

CREATE TABLE tickets (id bigserial PRIMARY KEY,
  user_id bigint NOT NULL CONSTRAINT tickets_user_id_fkey REFERENCES users(id) ON DELETE CASCADE,
  subject character varying(255) NOT NULL, status character varying(255) DEFAULT 'open',
  inserted_at timestamp(0) without time zone NOT NULL, updated_at timestamp(0) without time zone NOT NULL);
CREATE INDEX tickets_user_id_index ON tickets (user_id);
INSERT INTO schema_migrations (version) VALUES ('20260201090000');

-- migrate:up
ALTER TABLE users ADD COLUMN timezone character varying;

-- migrate:down
ALTER TABLE users DROP COLUMN timezone;

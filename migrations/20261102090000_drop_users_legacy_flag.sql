-- migrate:up
-- The platform app ignores legacy_flag since 2025-10 (User.ignored_columns).
SET lock_timeout = '5s';
ALTER TABLE users DROP COLUMN legacy_flag;

-- migrate:down
ALTER TABLE users ADD COLUMN legacy_flag boolean DEFAULT false NOT NULL;

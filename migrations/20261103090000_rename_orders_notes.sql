-- migrate:up
SET lock_timeout = '5s';
ALTER TABLE orders RENAME COLUMN notes TO internal_notes;

-- migrate:down
SET lock_timeout = '5s';
ALTER TABLE orders RENAME COLUMN internal_notes TO notes;

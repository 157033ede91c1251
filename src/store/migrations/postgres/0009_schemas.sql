-- The schema `scan`, `refs` and `graph` resolve against, as built from a dump and the
-- migrations replayed over it (or from the migrations alone), so that a scan whose inputs did
-- not change reads it back instead of parsing and replaying every migration again (see
-- src/check/schema_cache.rs). `key` digests every input; a few rows are kept, the highest id
-- is the latest.
CREATE TABLE tandem_schemas (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    data BYTEA NOT NULL
);

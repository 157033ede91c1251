-- Small batches of the blob cache (a warm scan's few changed files) go to a table of their own,
-- as on SQLite, where the bulk table's full pages make scattered writes expensive; one layout
-- for both stores. The next bulk write moves these rows into tandem_facts. A key here
-- overrides the same key there.
CREATE TABLE tandem_facts_recent (
    extractor TEXT NOT NULL,
    blob TEXT NOT NULL,
    facts BYTEA NOT NULL,
    PRIMARY KEY (extractor, blob)
);

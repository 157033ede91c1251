-- Small batches of the blob cache (a warm scan's few changed files) go to a table of their own:
-- the bulk table is written in key order, which leaves its pages full, so a few hundred
-- entries scattered over it split a page each and rewrite thousands of pages. The next bulk
-- write moves these rows into tandem_facts. A key here overrides the same key there.
CREATE TABLE tandem_facts_recent (
    extractor TEXT NOT NULL,
    blob TEXT NOT NULL,
    facts BLOB NOT NULL,
    PRIMARY KEY (extractor, blob)
) WITHOUT ROWID;

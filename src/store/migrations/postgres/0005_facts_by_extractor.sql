-- The blob cache keyed by extractor first, so that "has this extractor tag any entry at all?"
-- is one index seek: a scan under a tag the store has never seen (the first scan, a new schema,
-- a new extractor version) then skips looking up every file. The cache is a cache: dropped,
-- not moved.
DROP TABLE tandem_facts;
CREATE TABLE tandem_facts (
    extractor TEXT NOT NULL,
    blob TEXT NOT NULL,
    facts BYTEA NOT NULL,
    PRIMARY KEY (extractor, blob)
);

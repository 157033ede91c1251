-- The blob extraction cache, binary: facts encoded with postcard (compact, no field names),
-- a third of the JSON's size to write and read. The JSON cache is a cache: dropped, not moved.
DROP TABLE tandem_blob_facts;
CREATE TABLE tandem_facts (
    blob TEXT NOT NULL,
    extractor TEXT NOT NULL,
    facts BYTEA NOT NULL,
    PRIMARY KEY (blob, extractor)
);

-- Cached facts now leave out a hit's snippet when it equals the previous hit's
-- (`FileFacts::encode`): entries in the old encoding would not decode. The cache is a cache:
-- dropped, not converted.
DELETE FROM tandem_facts;
DELETE FROM tandem_facts_recent;

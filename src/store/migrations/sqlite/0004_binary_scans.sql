-- Scan results in postcard (`data`: revision, summary, references grouped by path) instead of
-- JSON in `result`, which is left empty: a tenth of the time to save. Rows written before keep
-- their JSON and still read.
ALTER TABLE tandem_scans ADD COLUMN data BLOB;

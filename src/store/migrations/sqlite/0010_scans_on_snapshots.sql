-- A scan whose references are mostly a snapshot's is kept as that snapshot (`base`, the id of
-- a tandem_snapshots row) plus what differs from it (`data`: the paths of the snapshot it did
-- not take, and the references of every other file), so that a warm scan of one changed file
-- writes that file's references rather than the app's (see src/scan/snapshot.rs). A snapshot a
-- scan names is not pruned. Rows written before have no base and keep every reference in
-- `data` (or JSON in `result`), as they did.
ALTER TABLE tandem_scans ADD COLUMN base INTEGER;

CREATE INDEX tandem_scans_base ON tandem_scans (base);

-- Cached facts are now keyed by blob and the path the blob was read at (extractors read the
-- path: `.erb` or `.rb`, under `app/models/` or not, a Django app's label), so entries keyed
-- by blob alone may belong to another path. The cache is a cache: dropped, not moved.
DELETE FROM tandem_facts;

-- Each file's resolved references from an earlier scan of an app, so that a scan resolves only
-- what changed since (see src/scan/snapshot.rs). `context` digests everything else the
-- references depend on; a few rows are kept per app, the highest id is the latest.
CREATE TABLE tandem_snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL,
    context TEXT NOT NULL,
    commit_id TEXT NOT NULL,
    data BLOB NOT NULL
);

CREATE INDEX tandem_snapshots_app ON tandem_snapshots (app, context, id);

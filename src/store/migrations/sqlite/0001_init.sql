-- The blob extraction cache: one row per (git blob, extractor id+version+context).
CREATE TABLE tandem_blob_facts (
    blob TEXT NOT NULL,
    extractor TEXT NOT NULL,
    facts TEXT NOT NULL,
    PRIMARY KEY (blob, extractor)
) WITHOUT ROWID;

-- One row per (app, ref, commit); `id` grows with every save, so the highest id is the latest.
CREATE TABLE tandem_scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app TEXT NOT NULL,
    git_ref TEXT NOT NULL,
    revision TEXT NOT NULL,
    commit_id TEXT NOT NULL,
    published INTEGER NOT NULL,
    result TEXT NOT NULL,
    UNIQUE (app, git_ref, commit_id)
);

CREATE INDEX tandem_scans_latest ON tandem_scans (app, git_ref, published, id);

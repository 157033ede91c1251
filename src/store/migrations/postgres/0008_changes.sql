-- The change ledger: every `tandem plan` recorded as a change with its phases (the plan's JSON:
-- what changes, each phase's version and files), so that `tandem plan status` can tell which
-- phases exist and have run, and which apps still use the old name. Planning the same change
-- again replaces its row.
CREATE TABLE tandem_changes (
    id TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    plan TEXT NOT NULL
);

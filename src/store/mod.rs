//! The registry store: scan results per app/ref/commit, the blob extraction cache, published
//! scans. SQLite in `.tandem/` by default, PostgreSQL when `store = "postgres://…"` — one code
//! path through sqlx.
//!
//! Both backends run the same SQL text (`$n` placeholders work in both); only the DDL of the
//! store's own schema differs, kept per dialect under `migrations/` and applied on open inside a
//! transaction that holds the database's write lock, so concurrent opens of a fresh store
//! serialize instead of racing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, Row};

use crate::error::{Diagnostic, Error, Result};
use crate::redact::redact;
use crate::scan::cache::ScanStore;
use crate::scan::cache::{BlobKey, EncodedFacts, ScanDelta, StoredSnapshot};
use crate::scan::facts::FileFacts;
use crate::scan::{ScanResult, ScanSummary};

/// The store's own schema, in order. A version is applied once and recorded in
/// `tandem_store_version`; never edit a released entry, add a new one.
struct Migration {
    version: i64,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sqlite: include_str!("migrations/sqlite/0001_init.sql"),
        postgres: include_str!("migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        sqlite: include_str!("migrations/sqlite/0002_binary_facts.sql"),
        postgres: include_str!("migrations/postgres/0002_binary_facts.sql"),
    },
    Migration {
        version: 3,
        sqlite: include_str!("migrations/sqlite/0003_snapshots.sql"),
        postgres: include_str!("migrations/postgres/0003_snapshots.sql"),
    },
    Migration {
        version: 4,
        sqlite: include_str!("migrations/sqlite/0004_binary_scans.sql"),
        postgres: include_str!("migrations/postgres/0004_binary_scans.sql"),
    },
    Migration {
        version: 5,
        sqlite: include_str!("migrations/sqlite/0005_facts_by_extractor.sql"),
        postgres: include_str!("migrations/postgres/0005_facts_by_extractor.sql"),
    },
    Migration {
        version: 6,
        sqlite: include_str!("migrations/sqlite/0006_recent_facts.sql"),
        postgres: include_str!("migrations/postgres/0006_recent_facts.sql"),
    },
    Migration {
        version: 7,
        sqlite: include_str!("migrations/sqlite/0007_shared_snippets.sql"),
        postgres: include_str!("migrations/postgres/0007_shared_snippets.sql"),
    },
    Migration {
        version: 8,
        sqlite: include_str!("migrations/sqlite/0008_changes.sql"),
        postgres: include_str!("migrations/postgres/0008_changes.sql"),
    },
    Migration {
        version: 9,
        sqlite: include_str!("migrations/sqlite/0009_schemas.sql"),
        postgres: include_str!("migrations/postgres/0009_schemas.sql"),
    },
    Migration {
        version: 10,
        sqlite: include_str!("migrations/sqlite/0010_scans_on_snapshots.sql"),
        postgres: include_str!("migrations/postgres/0010_scans_on_snapshots.sql"),
    },
];

/// Snapshots kept per app (a `deployed` and a `head`, and room for a `--ref`).
const SNAPSHOTS_KEPT: i64 = 4;

/// Built schemas kept (one registry's, and room for others sharing a PostgreSQL store or for a
/// work tree switched back and forth between branches).
const SCHEMAS_KEPT: i64 = 8;

/// Keys per `IN (VALUES …)` list and rows per multi-row insert: well under SQLite's and
/// PostgreSQL's bound-parameter limits (32 766 and 65 535), large enough that a scan of tens of
/// thousands of files needs few round trips.
const CHUNK: usize = 500;

/// A batch of cache entries at least this large goes to `tandem_facts`, in key order, taking
/// `tandem_facts_recent` with it; a smaller one goes to `tandem_facts_recent`. A cold scan's
/// tens of thousands of entries append to the big table's B-tree; a warm scan's few hundred
/// would land on as many of its (full) pages and split each one.
const BULK: usize = 2048;

/// Serializes store writes of one app across processes on PostgreSQL (SQLite serializes every
/// write through `BEGIN IMMEDIATE`).
const PG_LOCK_SQL: &str = "SELECT pg_advisory_xact_lock(hashtext('tandem-store'), hashtext($1))";

enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Run `$body` with `$p` bound to whichever pool the store has and `$begin` to the statement that
/// opens a write transaction on it; the body is the same code for both backends.
macro_rules! with_pool {
    ($store:expr, $p:ident, $pg:ident, $begin:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($p) => {
                let $pg = false;
                let $begin = "BEGIN IMMEDIATE";
                $store.runtime.block_on(async { $body })
            }
            Pool::Postgres($p) => {
                let $pg = true;
                let $begin = "BEGIN";
                $store.runtime.block_on(async { $body })
            }
        }
    };
}

pub struct Store {
    pool: Pool,
    runtime: tokio::runtime::Runtime,
    /// The URL with any password replaced, for messages.
    shown_url: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.shown_url).finish_non_exhaustive()
    }
}

impl Store {
    /// Open (creating if needed, and migrating) the store at `url`; a relative `sqlite://` path
    /// is relative to `root` (the directory of apps.toml).
    pub fn open(url: &str, root: &Path) -> Result<Store> {
        let shown_url = redact(url);
        // A multi-thread runtime lets any thread (rayon workers included) block on it.
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| Error::environment(Diagnostic::new(format!("cannot start the store's runtime: {e}"))))?;
        let pool = if let Some(path) = sqlite_path(url) {
            Pool::Sqlite(runtime.block_on(open_sqlite(&path, root, &shown_url))?)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Pool::Postgres(runtime.block_on(open_postgres(url, &shown_url))?)
        } else {
            return Err(Error::input(
                Diagnostic::new(format!("unsupported store URL `{shown_url}`"))
                    .help("use `sqlite://path/to/registry.db` (relative to apps.toml) or `postgres://user@host/db`"),
            ));
        };
        let store = Store { pool, runtime, shown_url };
        store.migrate()?;
        Ok(store)
    }

    /// The schema version of the store (the highest applied migration).
    pub fn schema_version(&self) -> Result<i64> {
        with_pool!(self, p, _pg, _begin => {
            let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM tandem_store_version")
                .fetch_one(p)
                .await
                .map_err(|e| self.db_error("read the store version", e))?;
            row.try_get::<i64, _>("v").map_err(|e| self.db_error("read the store version", e))
        })
    }

    fn migrate(&self) -> Result<()> {
        let newest = MIGRATIONS.iter().map(|m| m.version).max().unwrap_or(0);
        with_pool!(self, p, pg, begin => {
            let err = |e| self.db_error("migrate the store", e);
            let mut tx = p.begin_with(begin).await.map_err(err)?;
            if pg {
                sqlx::query(PG_LOCK_SQL).bind("migrate").execute(&mut *tx).await.map_err(err)?;
            }
            sqlx::raw_sql("CREATE TABLE IF NOT EXISTS tandem_store_version (version BIGINT NOT NULL PRIMARY KEY)")
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            let current: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM tandem_store_version")
                .fetch_one(&mut *tx)
                .await
                .and_then(|r| r.try_get("v"))
                .map_err(err)?;
            if current > newest {
                return Err(Error::environment(
                    Diagnostic::new(format!(
                        "the store at {} has schema version {current}; this tandem knows up to {newest}",
                        self.shown_url
                    ))
                    .help("upgrade tandem, or point `store` at another database"),
                ));
            }
            for m in MIGRATIONS.iter().filter(|m| m.version > current) {
                let sql = if pg { m.postgres } else { m.sqlite };
                sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(err)?;
                sqlx::query("INSERT INTO tandem_store_version (version) VALUES ($1)")
                    .bind(m.version)
                    .execute(&mut *tx)
                    .await
                    .map_err(err)?;
            }
            tx.commit().await.map_err(err)
        })
    }

    /// Cached extractions for the given keys; missing keys are absent from the map.
    pub fn cached_facts(&self, keys: &[BlobKey]) -> Result<HashMap<BlobKey, FileFacts>> {
        // One extractor tag at a time, `blob IN (…)`: a point lookup per key on the primary
        // key. (A row-value `(blob, extractor) IN (VALUES …)` made SQLite scan the table once
        // per chunk.)
        let mut by_extractor: HashMap<&str, Vec<&str>> = HashMap::new();
        for k in keys {
            by_extractor.entry(k.extractor.as_str()).or_default().push(k.blob.as_str());
        }
        let mut out = HashMap::with_capacity(keys.len());
        for (extractor, mut blobs) in by_extractor {
            // A tag with no entry at all (the first scan, a new schema or extractor version)
            // answers every lookup with nothing: one seek instead of a query per chunk.
            if !self.has_facts(extractor)? {
                continue;
            }
            blobs.sort_unstable();
            blobs.dedup();
            // The bulk table first: a recent entry for the same key replaces its.
            for (table, chunk) in ["tandem_facts", "tandem_facts_recent"]
                .into_iter()
                .flat_map(|table| blobs.chunks(CHUNK).map(move |chunk| (table, chunk)))
            {
                let sql = format!(
                    "SELECT blob, facts FROM {table} WHERE extractor IN {} AND blob IN {}",
                    placeholders(1, 1, 1, self.numbered()),
                    placeholders(2, 1, chunk.len(), self.numbered())
                );
                let rows: Vec<(String, Vec<u8>)> = with_pool!(self, p, _pg, _begin => {
                    let mut q = sqlx::query(&sql).bind(extractor);
                    for blob in chunk {
                        q = q.bind(*blob);
                    }
                    let rows = q.fetch_all(p).await.map_err(|e| self.db_error("read cached facts", e))?;
                    rows.iter()
                        .map(|r| Ok((r.try_get("blob")?, r.try_get("facts")?)))
                        .collect::<Result<Vec<_>, sqlx::Error>>()
                        .map_err(|e| self.db_error("read cached facts", e))
                })?;
                for (blob, bytes) in rows {
                    let facts = FileFacts::decode(&bytes).map_err(|e| {
                        self.corrupt(format!(
                            "cached facts of blob {blob} (extractor `{extractor}`) are not valid: {e}"
                        ))
                    })?;
                    out.insert(BlobKey { blob, extractor: extractor.to_owned() }, facts);
                }
            }
        }
        Ok(out)
    }

    /// Whether the cache holds any entry under the extractor tag `extractor`.
    fn has_facts(&self, extractor: &str) -> Result<bool> {
        with_pool!(self, p, _pg, _begin => {
            let row = sqlx::query(
                "SELECT 1 FROM tandem_facts WHERE extractor = $1 \
                 UNION ALL SELECT 1 FROM tandem_facts_recent WHERE extractor = $1 LIMIT 1",
            )
                .bind(extractor)
                .fetch_optional(p)
                .await
                .map_err(|e| self.db_error("read cached facts", e))?;
            Ok(row.is_some())
        })
    }

    /// Store extractions; an existing entry for the same key is replaced. One transaction.
    pub fn put_facts(&self, entries: &[(BlobKey, FileFacts)]) -> Result<()> {
        let encoded: EncodedFacts = entries
            .iter()
            .map(|(k, f)| Ok((k.clone(), crate::scan::cache::encode_facts(f)?)))
            .collect::<Result<_>>()?;
        self.put_encoded_facts(&encoded)
    }

    /// [`Store::put_facts`] for facts already encoded with [`crate::scan::cache::encode_facts`].
    pub fn put_encoded_facts(&self, entries: &[(BlobKey, Vec<u8>)]) -> Result<()> {
        // The last entry for a key wins; PostgreSQL rejects one statement upserting a row twice.
        let mut by_key: HashMap<&BlobKey, &[u8]> = HashMap::with_capacity(entries.len());
        for (k, bytes) in entries {
            by_key.insert(k, bytes);
        }
        let mut rows: Vec<(&BlobKey, &[u8])> = by_key.into_iter().collect();
        // In the table's key order (extractor, then blob): SQLite appends to the B-tree's last
        // page instead of splitting pages all over it.
        rows.sort_unstable_by(|a, b| (&a.0.extractor, &a.0.blob).cmp(&(&b.0.extractor, &b.0.blob)));
        if rows.is_empty() {
            return Ok(());
        }
        let bulk = rows.len() >= BULK;
        let table = if bulk { "tandem_facts" } else { "tandem_facts_recent" };
        with_pool!(self, p, _pg, begin => {
            let err = |e| self.db_error("write cached facts", e);
            let mut tx = p.begin_with(begin).await.map_err(err)?;
            if bulk {
                // The recent entries move first, so that this batch's replace them. (`WHERE
                // true`: SQLite would read `ON` as a join's without it.)
                sqlx::raw_sql(
                    "INSERT INTO tandem_facts (extractor, blob, facts) \
                     SELECT extractor, blob, facts FROM tandem_facts_recent WHERE true \
                     ON CONFLICT (extractor, blob) DO UPDATE SET facts = excluded.facts; \
                     DELETE FROM tandem_facts_recent",
                )
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            }
            for chunk in rows.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO {table} (blob, extractor, facts) VALUES {} \
                     ON CONFLICT (extractor, blob) DO UPDATE SET facts = excluded.facts",
                    placeholders(1, chunk.len(), 3, self.numbered())
                );
                let mut q = sqlx::query(&sql);
                for (k, bytes) in chunk {
                    q = q.bind(&k.blob).bind(&k.extractor).bind(*bytes);
                }
                q.execute(&mut *tx).await.map_err(err)?;
            }
            tx.commit().await.map_err(err)
        })
    }

    /// The snapshot (commit, bytes) of `app` under `context` to start a scan of `commit` from:
    /// the one of that very commit if there is one, else the latest.
    pub fn snapshot(&self, app: &str, context: &str, commit: &str) -> Result<Option<(String, Vec<u8>)>> {
        Ok(self.snapshot_row(app, context, commit)?.map(|s| (s.commit, s.data)))
    }

    /// [`Store::snapshot`] with the row's id.
    pub fn snapshot_row(&self, app: &str, context: &str, commit: &str) -> Result<Option<StoredSnapshot>> {
        with_pool!(self, p, _pg, _begin => {
            let err = |e| self.db_error("read a snapshot", e);
            // The row first, then its data: sorting with the data would read every candidate's.
            let row = sqlx::query(
                "SELECT id, commit_id FROM tandem_snapshots WHERE app = $1 AND context = $2 \
                 ORDER BY (commit_id = $3) DESC, id DESC LIMIT 1",
            )
            .bind(app)
            .bind(context)
            .bind(commit)
            .fetch_optional(p)
            .await
            .map_err(err)?;
            let Some(row) = row else { return Ok(None) };
            let (id, found): (i64, String) = (row.try_get("id").map_err(err)?, row.try_get("commit_id").map_err(err)?);
            let data: Vec<u8> = sqlx::query("SELECT data FROM tandem_snapshots WHERE id = $1")
                .bind(id)
                .fetch_one(p)
                .await
                .and_then(|r| r.try_get("data"))
                .map_err(err)?;
            Ok(Some(StoredSnapshot { id, commit: found, data }))
        })
    }

    /// Store a snapshot of `app` at `commit` under `context`, replacing one of the same commit
    /// and context, and keep only the latest few of the app besides those a saved scan is kept
    /// on; the new snapshot's id.
    pub fn put_snapshot(&self, app: &str, context: &str, commit: &str, data: &[u8]) -> Result<i64> {
        with_pool!(self, p, pg, begin => {
            let err = |e| self.db_error("write a snapshot", e);
            let mut tx = p.begin_with(begin).await.map_err(err)?;
            if pg {
                sqlx::query(PG_LOCK_SQL).bind(app).execute(&mut *tx).await.map_err(err)?;
            }
            sqlx::query(&format!(
                "DELETE FROM tandem_snapshots WHERE app = $1 AND context = $2 AND commit_id = $3 AND {UNNAMED}"
            ))
            .bind(app)
            .bind(context)
            .bind(commit)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
            let id: i64 = sqlx::query(
                "INSERT INTO tandem_snapshots (app, context, commit_id, data) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(app)
            .bind(context)
            .bind(commit)
            .bind(data)
            .fetch_one(&mut *tx)
            .await
            .and_then(|r| r.try_get("id"))
            .map_err(err)?;
            sqlx::query(&format!(
                "DELETE FROM tandem_snapshots WHERE app = $1 AND {UNNAMED} AND id NOT IN \
                 (SELECT id FROM tandem_snapshots WHERE app = $1 ORDER BY id DESC LIMIT $2)"
            ))
            .bind(app)
            .bind(SNAPSHOTS_KEPT)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
            tx.commit().await.map_err(err)?;
            Ok(id)
        })
    }

    /// Record a scan; `published` marks it as the app's published scan for its ref.
    ///
    /// One row is kept per (app, ref, commit): saving it again replaces the result and makes it
    /// the latest; once published, it stays published.
    pub fn save_scan(&self, scan: &ScanResult, published: bool) -> Result<()> {
        self.save_scan_on(scan, None, published)
    }

    /// [`Store::save_scan`], kept as `delta` when given: its base snapshot and what differs from
    /// it. A base pruned since the scan read it (by another process) is no base: then the whole
    /// scan is written.
    pub fn save_scan_on(&self, scan: &ScanResult, delta: Option<&ScanDelta>, published: bool) -> Result<()> {
        self.save_scan_as(scan, delta, published, false).map(|_| ())
    }

    /// [`Store::save_scan_on`] for a scan whose references are not all in `scan` (see
    /// [`ScanStore::save_scan_on_base`]): written on its base only; `false`, and nothing
    /// written, when the base is gone.
    pub fn save_scan_on_base(&self, scan: &ScanResult, delta: &ScanDelta, published: bool) -> Result<bool> {
        self.save_scan_as(scan, Some(delta), published, true)
    }

    /// Whether the scan was written; with `base_only`, it is not when the base is gone.
    fn save_scan_as(
        &self,
        scan: &ScanResult,
        delta: Option<&ScanDelta>,
        published: bool,
        base_only: bool,
    ) -> Result<bool> {
        let failed =
            |e: &dyn std::fmt::Display| Error::environment(Diagnostic::new(format!("cannot serialize the scan: {e}")));
        let on_base = match delta {
            Some(d) => {
                let stored = StoredDelta {
                    revision: scan.revision.clone(),
                    summary: scan.summary.clone(),
                    dropped: d.dropped.clone(),
                    fresh: d.fresh.clone(),
                };
                Some((d.base, postcard::to_allocvec(&stored).map_err(|e| failed(&e))?))
            }
            None => None,
        };
        with_pool!(self, p, pg, begin => {
            let err = |e| self.db_error("save the scan", e);
            let mut tx = p.begin_with(begin).await.map_err(err)?;
            if pg {
                sqlx::query(PG_LOCK_SQL).bind(&scan.app).execute(&mut *tx).await.map_err(err)?;
            }
            // Delete first: a write as the first statement takes SQLite's write lock up front.
            let old = sqlx::query(
                "DELETE FROM tandem_scans WHERE app = $1 AND git_ref = $2 AND commit_id = $3 RETURNING published",
            )
            .bind(&scan.app)
            .bind(&scan.git_ref)
            .bind(&scan.commit)
            .fetch_all(&mut *tx)
            .await
            .map_err(err)?;
            let mut was_published = false;
            for row in &old {
                was_published |= row.try_get::<bool, _>("published").map_err(err)?;
            }
            // The base is still there: its prune runs under the same lock.
            let on_base = match on_base {
                Some((base, bytes)) => sqlx::query("SELECT 1 FROM tandem_snapshots WHERE id = $1")
                    .bind(base)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(err)?
                    .map(|_| (base, bytes)),
                None => None,
            };
            let (json, data, base) = match on_base {
                Some((base, bytes)) => (String::new(), Some(bytes), Some(base)),
                // Dropped unfinished, the transaction is rolled back.
                None if base_only => return Ok(false),
                None => {
                    let (json, data) = encode_scan(scan)?;
                    (json, data, None)
                }
            };
            sqlx::query(
                "INSERT INTO tandem_scans (app, git_ref, revision, commit_id, published, result, data, base) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&scan.app)
            .bind(&scan.git_ref)
            .bind(&scan.revision)
            .bind(&scan.commit)
            .bind(published || was_published)
            .bind(&json)
            .bind(&data)
            .bind(base)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
            tx.commit().await.map_err(err).map(|()| true)
        })
    }

    /// The bytes of the built schema stored under `key` (see `check::schema_cache`), if any.
    pub fn schema(&self, key: &str) -> Result<Option<Vec<u8>>> {
        with_pool!(self, p, _pg, _begin => {
            let err = |e| self.db_error("read a built schema", e);
            let row = sqlx::query("SELECT data FROM tandem_schemas WHERE key = $1")
                .bind(key)
                .fetch_optional(p)
                .await
                .map_err(err)?;
            row.map(|r| r.try_get::<Vec<u8>, _>("data")).transpose().map_err(err)
        })
    }

    /// Store a built schema under `key`, as the latest, keeping the newest [`SCHEMAS_KEPT`].
    pub fn put_schema(&self, key: &str, data: &[u8]) -> Result<()> {
        with_pool!(self, p, pg, begin => {
            let err = |e| self.db_error("store a built schema", e);
            let mut tx = p.begin_with(begin).await.map_err(err)?;
            if pg {
                sqlx::query(PG_LOCK_SQL).bind("schemas").execute(&mut *tx).await.map_err(err)?;
            }
            sqlx::query("DELETE FROM tandem_schemas WHERE key = $1").bind(key).execute(&mut *tx).await.map_err(err)?;
            sqlx::query("INSERT INTO tandem_schemas (key, data) VALUES ($1, $2)")
                .bind(key)
                .bind(data)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            sqlx::query(
                "DELETE FROM tandem_schemas WHERE id NOT IN (SELECT id FROM tandem_schemas ORDER BY id DESC LIMIT $1)",
            )
            .bind(SCHEMAS_KEPT)
            .execute(&mut *tx)
            .await
            .map_err(err)?;
            tx.commit().await.map_err(err)
        })
    }

    /// Record a planned change (its JSON) under `id`, replacing an earlier plan of the same id.
    pub fn put_change(&self, id: &str, created_at: &str, plan: &str) -> Result<()> {
        with_pool!(self, p, _pg, begin => {
            let err = |e| self.db_error("record the change", e);
            let mut tx = p.begin_with(begin).await.map_err(err)?;
            sqlx::query("DELETE FROM tandem_changes WHERE id = $1").bind(id).execute(&mut *tx).await.map_err(err)?;
            sqlx::query("INSERT INTO tandem_changes (id, created_at, plan) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(created_at)
                .bind(plan)
                .execute(&mut *tx)
                .await
                .map_err(err)?;
            tx.commit().await.map_err(err)
        })
    }

    /// Every recorded change as (id, created_at, plan JSON), oldest first.
    pub fn changes(&self) -> Result<Vec<(String, String, String)>> {
        with_pool!(self, p, _pg, _begin => {
            let err = |e| self.db_error("read the changes", e);
            let rows = sqlx::query("SELECT id, created_at, plan FROM tandem_changes ORDER BY created_at, id")
                .fetch_all(p)
                .await
                .map_err(err)?;
            rows.iter()
                .map(|r| Ok((r.try_get("id").map_err(err)?, r.try_get("created_at").map_err(err)?, r.try_get("plan").map_err(err)?)))
                .collect()
        })
    }

    /// The most recent scan of `app` at `git_ref` (`deployed`, `head` or a revision).
    pub fn latest_scan(&self, app: &str, git_ref: &str, published_only: bool) -> Result<Option<ScanResult>> {
        let sql = if published_only {
            "SELECT commit_id, result, data, base FROM tandem_scans WHERE app = $1 AND git_ref = $2 AND published = $3 \
             ORDER BY id DESC LIMIT 1"
        } else {
            "SELECT commit_id, result, data, base FROM tandem_scans WHERE app = $1 AND git_ref = $2 ORDER BY id DESC LIMIT 1"
        };
        type Row = (String, String, Option<Vec<u8>>, Option<i64>);
        let row: Option<Row> = with_pool!(self, p, _pg, _begin => {
            let err = |e| self.db_error("read the latest scan", e);
            let mut q = sqlx::query(sql).bind(app).bind(git_ref);
            if published_only {
                q = q.bind(true);
            }
            let row = q.fetch_optional(p).await.map_err(err)?;
            row.map(|r| Ok((r.try_get("commit_id")?, r.try_get("result")?, r.try_get("data")?, r.try_get("base")?)))
                .transpose()
                .map_err(err)
        })?;
        let Some((commit, json, data, base)) = row else { return Ok(None) };
        let invalid = |e: &dyn std::fmt::Display| {
            self.corrupt(format!("the stored scan of app `{app}` at `{git_ref}` is not valid: {e}"))
        };
        let Some(data) = data else {
            // Saved by a tandem before store schema 4.
            return serde_json::from_str(&json).map(Some).map_err(|e| invalid(&e));
        };
        if let Some(base) = base {
            let stored: StoredDelta = postcard::from_bytes(&data).map_err(|e| invalid(&e))?;
            let snapshot =
                self.snapshot_by_id(base)?.ok_or_else(|| invalid(&format!("its snapshot {base} is gone")))?;
            let references =
                crate::scan::snapshot::restore_scan(&snapshot, &stored.dropped, &stored.fresh, app, git_ref, &commit)
                    .map_err(|e| invalid(&e))?;
            return Ok(Some(ScanResult {
                app: app.to_owned(),
                git_ref: git_ref.to_owned(),
                revision: stored.revision,
                commit,
                references,
                summary: stored.summary,
            }));
        }
        let stored: StoredScan = postcard::from_bytes(&data).map_err(|e| invalid(&e))?;
        let references = crate::scan::snapshot::decode_references(&stored.references, app, git_ref, &commit)
            .map_err(|e| invalid(&e))?;
        Ok(Some(ScanResult {
            app: app.to_owned(),
            git_ref: git_ref.to_owned(),
            revision: stored.revision,
            commit,
            references,
            summary: stored.summary,
        }))
    }

    /// The bytes of the snapshot with row id `id`, if it is still there.
    fn snapshot_by_id(&self, id: i64) -> Result<Option<Vec<u8>>> {
        with_pool!(self, p, _pg, _begin => {
            let err = |e| self.db_error("read a snapshot", e);
            let row = sqlx::query("SELECT data FROM tandem_snapshots WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await
                .map_err(err)?;
            row.map(|r| r.try_get::<Vec<u8>, _>("data")).transpose().map_err(err)
        })
    }

    /// Whether statements number their parameters (`$1`: PostgreSQL) or not (`?`: SQLite).
    fn numbered(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    fn db_error(&self, action: &str, e: sqlx::Error) -> Error {
        Error::environment(Diagnostic::new(redact(&format!("store {}: cannot {action}: {e}", self.shown_url))))
    }

    fn corrupt(&self, message: String) -> Error {
        Error::environment(
            Diagnostic::new(redact(&format!("store {}: {message}", self.shown_url)))
                .help("the store was written by another program or an incompatible tandem"),
        )
    }
}

/// The scanner's interface to what it keeps between runs (see [`crate::scan::cache`]).
impl ScanStore for Store {
    fn cached_facts(&self, keys: &[BlobKey]) -> Result<HashMap<BlobKey, FileFacts>> {
        Store::cached_facts(self, keys)
    }
    fn put_encoded_facts(&self, entries: &[(BlobKey, Vec<u8>)]) -> Result<()> {
        Store::put_encoded_facts(self, entries)
    }
    fn snapshot(&self, app: &str, context: &str, commit: &str) -> Result<Option<StoredSnapshot>> {
        Store::snapshot_row(self, app, context, commit)
    }
    fn put_snapshot(&self, app: &str, context: &str, commit: &str, data: &[u8]) -> Result<i64> {
        Store::put_snapshot(self, app, context, commit, data)
    }
    fn save_scan(&self, scan: &ScanResult, delta: Option<&ScanDelta>, published: bool) -> Result<()> {
        Store::save_scan_on(self, scan, delta, published)
    }
    fn save_scan_on_base(&self, scan: &ScanResult, delta: &ScanDelta, published: bool) -> Result<bool> {
        Store::save_scan_on_base(self, scan, delta, published)
    }
    fn latest_scan(&self, app: &str, git_ref: &str, published_only: bool) -> Result<Option<ScanResult>> {
        Store::latest_scan(self, app, git_ref, published_only)
    }
}

/// A scan result as `tandem_scans.data` keeps it; app, ref and commit are columns of the row.
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredScan {
    revision: String,
    summary: ScanSummary,
    /// [`crate::scan::snapshot::encode_references`].
    references: Vec<u8>,
}

/// A scan as `tandem_scans.data` keeps it on its `base` snapshot ([`ScanDelta`]).
#[derive(serde::Serialize, serde::Deserialize)]
struct StoredDelta {
    revision: String,
    summary: ScanSummary,
    dropped: Vec<String>,
    /// [`crate::scan::snapshot::encode_references`].
    fresh: Vec<u8>,
}

/// A snapshot no saved scan is kept on (a condition on `tandem_snapshots`).
const UNNAMED: &str = "id NOT IN (SELECT base FROM tandem_scans WHERE base IS NOT NULL)";

/// A scan as (`result`, `data`) of its row: postcard in `data` when every reference is the
/// scan's own app, ref and commit (as a scan makes them), JSON in `result` otherwise.
fn encode_scan(scan: &ScanResult) -> Result<(String, Option<Vec<u8>>)> {
    let failed =
        |e: &dyn std::fmt::Display| Error::environment(Diagnostic::new(format!("cannot serialize the scan: {e}")));
    let own =
        scan.references.iter().all(|r| *r.app == *scan.app && *r.git_ref == *scan.git_ref && *r.commit == *scan.commit);
    if !own {
        return Ok((serde_json::to_string(scan).map_err(|e| failed(&e))?, None));
    }
    let references = crate::scan::snapshot::encode_references(&scan.references).map_err(|e| failed(&e))?;
    let stored = StoredScan { revision: scan.revision.clone(), summary: scan.summary.clone(), references };
    Ok((String::new(), Some(postcard::to_allocvec(&stored).map_err(|e| failed(&e))?)))
}

/// `rows` tuples of `width` parameters, numbered from `first` for PostgreSQL (`($1, $2), ($3,
/// $4)`), `(?, ?), (?, ?)` for SQLite, where `$N` would be named parameters that sqlx resolves
/// by asking SQLite for every parameter's name, a linear search each (quadratic in a statement
/// of a thousand parameters).
fn placeholders(first: usize, rows: usize, width: usize, numbered: bool) -> String {
    let mut out = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            if numbered {
                out.push('$');
                out.push_str(&(first + r * width + c).to_string());
            } else {
                out.push('?');
            }
        }
        out.push(')');
    }
    out
}

/// The file path of a `sqlite:` URL (`sqlite://rel/path.db`, `sqlite:///abs/path.db`,
/// `sqlite:path.db`), without query parameters.
fn sqlite_path(url: &str) -> Option<String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    Some(path.to_owned())
}

async fn open_sqlite(path: &str, root: &Path, shown_url: &str) -> Result<SqlitePool> {
    let env_err = |what: String| Error::environment(Diagnostic::new(redact(&what)));
    if path.is_empty() {
        return Err(Error::input(
            Diagnostic::new(format!("store URL `{shown_url}` names no file"))
                .help("write `sqlite://.tandem/registry.db`"),
        ));
    }
    let options = if path == ":memory:" {
        SqliteConnectOptions::from_str("sqlite::memory:").map_err(|e| env_err(format!("store {shown_url}: {e}")))?
    } else {
        let file = {
            let p = PathBuf::from(path);
            if p.is_absolute() { p } else { root.join(p) }
        };
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| env_err(format!("store {shown_url}: cannot create {}: {e}", dir.display())))?;
        }
        SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .pragma("temp_store", "memory")
            .busy_timeout(Duration::from_secs(30))
            .foreign_keys(true)
    };
    // One connection for an in-memory database: each connection would see its own empty one.
    let max = if path == ":memory:" { 1 } else { 4 };
    // Switching a fresh file to WAL takes an exclusive lock, and SQLite answers SQLITE_BUSY at
    // once there instead of calling the busy handler: when several processes open a new store
    // together, the losers retry for a bounded time rather than fail.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match SqlitePoolOptions::new().max_connections(max).connect_with(options.clone()).await {
            Ok(pool) => return Ok(pool),
            Err(e) if is_busy(&e) && std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            Err(e) => return Err(env_err(format!("cannot open the store {shown_url}: {e}"))),
        }
    }
}

/// SQLITE_BUSY (5) or SQLITE_LOCKED (6): another connection holds the lock for now.
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("5" | "6" | "517" | "262")),
        _ => false,
    }
}

async fn open_postgres(url: &str, shown_url: &str) -> Result<PgPool> {
    let options = PgConnectOptions::from_str(url)
        .map_err(|e| Error::input(Diagnostic::new(redact(&format!("invalid store URL `{shown_url}`: {e}")))))?;
    // Fail fast with a clear message rather than waiting out the pool's acquire timeout.
    let probe = sqlx::PgConnection::connect_with(&options).await.map_err(|e| {
        Error::environment(
            Diagnostic::new(redact(&format!("cannot connect to the store {shown_url}: {e}")))
                .help("check that the database server is running and the URL in `store` is right"),
        )
    })?;
    let _ = probe.close().await;
    PgPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .map_err(|e| {
            Error::environment(Diagnostic::new(redact(&format!("cannot connect to the store {shown_url}: {e}"))))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_number_every_parameter() {
        assert_eq!(placeholders(1, 2, 3, true), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 1, 1, true), "($1)");
        assert_eq!(placeholders(2, 1, 3, true), "($2, $3, $4)");
        assert_eq!(placeholders(1, 2, 2, false), "(?, ?), (?, ?)");
    }

    #[test]
    fn sqlite_urls_name_files() {
        assert_eq!(sqlite_path("sqlite://.tandem/registry.db").as_deref(), Some(".tandem/registry.db"));
        assert_eq!(sqlite_path("sqlite:///var/x.db?mode=rwc").as_deref(), Some("/var/x.db"));
        assert_eq!(sqlite_path("sqlite:x.db").as_deref(), Some("x.db"));
        assert_eq!(sqlite_path("postgres://h/db"), None);
    }
}

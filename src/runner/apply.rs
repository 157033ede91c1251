//! Running one part (up or down) of one migration: its timeouts, its transaction when it can
//! have one (with its history row inside), its statements one by one as written, lock-timeout
//! retries with backoff, and what it leaves in the history when it fails or the runner dies.
//!
//! * In a transaction: the history row is written first inside it and completed last, so a crash
//!   leaves nothing; a failure rolls back to a savepoint after the row and records the failure.
//!   A lock timeout rolls the migration back to that savepoint and runs it again.
//! * Outside one: a started row is committed first and completed last, so a crash leaves an
//!   incomplete row (never an applied one); a failure records which statements ran. A lock
//!   timeout runs the statement that timed out again.
//!
//! On SQLite every transaction is `BEGIN EXCLUSIVE` and re-reads the history row first: that is
//! what makes two runners apply each migration once there.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::database::db::{Db, DbError, Kind};
use crate::database::history::{History, NewRecord, RecordState};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::{Direction, Migration};
use crate::runner::interop::Interop;
use crate::runner::plan::{Mode, Statement};

/// Timeouts and retries for one migration.
#[derive(Debug, Clone)]
pub struct Settings {
    pub lock_timeout: Option<Duration>,
    pub statement_timeout: Option<Duration>,
    pub retries: u32,
    pub backoff: Duration,
    /// SQLite: how long `BEGIN EXCLUSIVE` waited before giving up, for the message.
    pub lock_wait: Duration,
}

/// One part of one migration to run.
pub struct Job<'a> {
    pub migration: &'a Migration,
    pub key: &'a str,
    pub checksum: &'a str,
    pub direction: Direction,
    pub statements: &'a [Statement],
    pub mode: &'a Mode,
    pub settings: &'a Settings,
    /// A repeatable migration runs again: its old row goes.
    pub replaces: bool,
}

/// A lock timeout that was tried again.
#[derive(Debug, Clone, Serialize)]
pub struct Retry {
    pub attempt: u32,
    pub of: u32,
    pub wait_ms: u64,
    /// `file:line` of the statement that timed out.
    pub statement: String,
    pub message: String,
}

/// How a part that ran to its end came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Up applied, or down reverted.
    Ran,
    /// Another runner did it first (SQLite, where there is no run lock).
    AlreadyDone,
}

/// A statement failed.
#[derive(Debug, Clone)]
pub struct Failure {
    /// Index of the statement in the job's statements.
    pub statement: usize,
    pub error: DbError,
    /// How many statements before it took effect and stay (outside a transaction).
    pub kept: usize,
    /// The transaction was rolled back: nothing of the part took effect.
    pub rolled_back: bool,
    pub duration: Duration,
}

pub struct Outcome {
    pub result: std::result::Result<Done, Failure>,
    pub retries: Vec<Retry>,
    pub duration: Duration,
}

/// Run `job`. `Err` is a failure of the run's own bookkeeping (history, connection), which
/// stops everything; a failed statement is `Ok` with `result: Err`.
pub fn run(
    db: &mut Db,
    history: &History,
    interop: Option<&Interop<'_>>,
    job: &Job<'_>,
    on_retry: &mut dyn FnMut(&Retry),
) -> Result<Outcome> {
    set_timeouts(db, job.settings)?;
    let mut retries = Vec::new();
    let started = Instant::now();
    let result = if job.mode.transactional() {
        in_transaction(db, history, interop, job, &mut retries, on_retry, started)?
    } else {
        outside(db, history, interop, job, &mut retries, on_retry, started)?
    };
    Ok(Outcome { result, retries, duration: started.elapsed() })
}

fn in_transaction(
    db: &mut Db,
    history: &History,
    interop: Option<&Interop<'_>>,
    job: &Job<'_>,
    retries: &mut Vec<Retry>,
    on_retry: &mut dyn FnMut(&Retry),
    started: Instant,
) -> Result<std::result::Result<Done, Failure>> {
    begin(db, job.settings)?;
    if !still_to_do(db, history, job)? {
        exec(db, "ROLLBACK", "end a transaction")?;
        return Ok(Ok(Done::AlreadyDone));
    }
    if job.direction == Direction::Up {
        start_up(db, history, job)?;
    }
    exec(db, "SAVEPOINT tandem_migration", "set a savepoint")?;
    let mut attempt = 0;
    let failure = loop {
        match statements(db, job.statements) {
            Ok(()) => break None,
            Err((i, e)) if e.is_lock_timeout(db.kind) && attempt < job.settings.retries => {
                exec(db, "ROLLBACK TO SAVEPOINT tandem_migration", "roll back to the savepoint")?;
                attempt += 1;
                wait_to_retry(job, attempt, &job.statements[i], &e, retries, on_retry);
            }
            Err((i, e)) => break Some((i, e)),
        }
    };
    let ms = started.elapsed().as_millis() as i64;
    match (failure, job.direction) {
        (None, _) => complete(db, history, interop, job, ms)?,
        (Some((i, e)), Direction::Up) => {
            exec(db, "ROLLBACK TO SAVEPOINT tandem_migration", "roll back to the savepoint")?;
            let why = describe(job, i, &e, db.kind, 0, true);
            history.finish(db, job.key, ms, Some(&why))?;
            exec(db, "COMMIT", "commit")?;
            return Ok(Err(rolled_back(i, e, started)));
        }
        (Some((i, e)), Direction::Down) => {
            // The migration stays applied: nothing of its down part took effect.
            exec(db, "ROLLBACK", "roll back")?;
            return Ok(Err(rolled_back(i, e, started)));
        }
    }
    if let Err(e) = db.execute("COMMIT") {
        // A deferred constraint can fail at COMMIT: the transaction is gone, history row with it.
        let _ = db.execute("ROLLBACK");
        if job.direction == Direction::Up && !e.connection {
            history.start(db, &record(job))?;
            history.finish(db, job.key, ms, Some(&format!("COMMIT failed: {}", e.message)))?;
        }
        return Ok(Err(rolled_back(job.statements.len().saturating_sub(1), e, started)));
    }
    Ok(Ok(Done::Ran))
}

fn outside(
    db: &mut Db,
    history: &History,
    interop: Option<&Interop<'_>>,
    job: &Job<'_>,
    retries: &mut Vec<Retry>,
    on_retry: &mut dyn FnMut(&Retry),
    started: Instant,
) -> Result<std::result::Result<Done, Failure>> {
    // Claim the migration in the history first (on SQLite inside an exclusive transaction,
    // which is what keeps a second runner out).
    let sqlite = db.kind == Kind::Sqlite;
    if sqlite {
        begin(db, job.settings)?;
    }
    if !still_to_do(db, history, job)? {
        if sqlite {
            exec(db, "ROLLBACK", "end a transaction")?;
        }
        return Ok(Ok(Done::AlreadyDone));
    }
    match job.direction {
        Direction::Up => start_up(db, history, job)?,
        Direction::Down => history.start_rollback(db, job.key)?,
    }
    if sqlite {
        exec(db, "COMMIT", "commit")?;
    }
    for (i, st) in job.statements.iter().enumerate() {
        let mut attempt = 0;
        loop {
            match db.execute(&st.sql) {
                Ok(_) => break,
                Err(e) if e.is_lock_timeout(db.kind) && attempt < job.settings.retries => {
                    attempt += 1;
                    wait_to_retry(job, attempt, st, &e, retries, on_retry);
                }
                Err(e) => {
                    let why = describe(job, i, &e, db.kind, i, false);
                    history.finish(db, job.key, started.elapsed().as_millis() as i64, Some(&why))?;
                    return Ok(Err(Failure {
                        statement: i,
                        error: e,
                        kept: i,
                        rolled_back: false,
                        duration: started.elapsed(),
                    }));
                }
            }
        }
    }
    complete(db, history, interop, job, started.elapsed().as_millis() as i64)?;
    Ok(Ok(Done::Ran))
}

/// An up part's history row, started (replacing the row of an earlier failed run).
fn start_up(db: &mut Db, history: &History, job: &Job<'_>) -> Result<()> {
    if job.replaces {
        history.delete(db, job.key)?;
    }
    history.start(db, &record(job))
}

/// A statement failed in a transaction that was rolled back: nothing of the part stays.
fn rolled_back(statement: usize, error: DbError, started: Instant) -> Failure {
    Failure { statement, error, kept: 0, rolled_back: true, duration: started.elapsed() }
}

/// The part ran to its end: record it (the last write of the migration), in the framework's
/// history too.
fn complete(db: &mut Db, history: &History, interop: Option<&Interop<'_>>, job: &Job<'_>, ms: i64) -> Result<()> {
    match job.direction {
        Direction::Up => {
            if let Some(interop) = interop {
                interop.record(db, job.migration)?;
            }
            history.finish(db, job.key, ms, None)
        }
        Direction::Down => {
            if let Some(interop) = interop {
                interop.remove(db, job.migration)?;
            }
            history.delete(db, job.key)
        }
    }
}

/// Run every statement; the index and error of the first that fails.
fn statements(db: &mut Db, statements: &[Statement]) -> std::result::Result<(), (usize, DbError)> {
    for (i, st) in statements.iter().enumerate() {
        db.execute(&st.sql).map_err(|e| (i, e))?;
    }
    Ok(())
}

/// Whether the job is still to do, by the history row read now (inside the transaction when
/// there is one). On PostgreSQL and MySQL the run lock already guarantees it; on SQLite this is
/// the guarantee.
fn still_to_do(db: &mut Db, history: &History, job: &Job<'_>) -> Result<bool> {
    let row = history.get(db, job.key)?;
    Ok(match (job.direction, row.map(|r| r.state())) {
        (Direction::Up, None) => true,
        (Direction::Up, Some(RecordState::Applied)) => job.replaces,
        (Direction::Down, Some(RecordState::Applied)) => true,
        (Direction::Down, None) => false,
        (_, Some(state)) => {
            return Err(Error::environment(Diagnostic::new(format!(
                "migration {} became {} in {} while this runner was about to run it; another runner is at work",
                job.key,
                match state {
                    RecordState::Failed => "failed",
                    RecordState::Incomplete => "incomplete",
                    RecordState::Applied => "applied",
                },
                history.name()
            ))));
        }
    })
}

fn record<'a>(job: &'a Job<'a>) -> NewRecord<'a> {
    NewRecord { version: job.key, name: &job.migration.name, checksum: job.checksum }
}

fn begin(db: &mut Db, settings: &Settings) -> Result<()> {
    let sql = match db.kind {
        Kind::Postgres => "BEGIN",
        Kind::Mysql | Kind::Mariadb => "START TRANSACTION",
        Kind::Sqlite => "BEGIN EXCLUSIVE",
    };
    db.execute(sql).map(|_| ()).map_err(|e| {
        if db.kind == Kind::Sqlite && e.is_lock_timeout(db.kind) {
            Error::environment(
                Diagnostic::new(format!(
                    "another connection holds the write lock of {} (SQLite does not say which); waited {}",
                    db.shown,
                    crate::runner::human_duration(settings.lock_wait)
                ))
                .help("wait for it to finish, or raise `lock_wait` in [migrate] / `--lock-wait`"),
            )
        } else {
            db.error("begin a transaction", &e)
        }
    })
}

fn exec(db: &mut Db, sql: &str, action: &str) -> Result<()> {
    db.execute(sql).map(|_| ()).map_err(|e| db.error(action, &e))
}

/// Set the migration's `lock_timeout` and `statement_timeout` on the session.
fn set_timeouts(db: &mut Db, s: &Settings) -> Result<()> {
    let ms = |d: Option<Duration>| d.map_or(0, |d| d.as_millis().max(1));
    // MySQL counts lock waits in whole seconds, at least one.
    let secs = |d: Duration| d.as_secs() + u64::from(d.subsec_nanos() > 0);
    let sqls: Vec<String> = match db.kind {
        Kind::Postgres => vec![
            format!("SET lock_timeout = {}", ms(s.lock_timeout)),
            format!("SET statement_timeout = {}", ms(s.statement_timeout)),
        ],
        Kind::Mysql | Kind::Mariadb => {
            let mut v = match s.lock_timeout {
                Some(d) => vec![
                    format!("SET SESSION lock_wait_timeout = {}", secs(d).max(1)),
                    format!("SET SESSION innodb_lock_wait_timeout = {}", secs(d).max(1)),
                ],
                None => vec![
                    "SET SESSION lock_wait_timeout = DEFAULT".into(),
                    "SET SESSION innodb_lock_wait_timeout = DEFAULT".into(),
                ],
            };
            v.push(match db.kind {
                Kind::Mariadb => {
                    format!("SET SESSION max_statement_time = {}", s.statement_timeout.map_or(0.0, |d| d.as_secs_f64()))
                }
                _ => format!("SET SESSION max_execution_time = {}", ms(s.statement_timeout)),
            });
            v
        }
        // SQLite waits for locks through the connection's busy timeout and has no statement
        // timeout.
        Kind::Sqlite => Vec::new(),
    };
    for sql in sqls {
        exec(db, &sql, "set the migration's timeouts")?;
    }
    Ok(())
}

fn wait_to_retry(
    job: &Job<'_>,
    attempt: u32,
    st: &Statement,
    e: &DbError,
    retries: &mut Vec<Retry>,
    on_retry: &mut dyn FnMut(&Retry),
) {
    let wait = job.settings.backoff.saturating_mul(1u32 << (attempt - 1).min(16));
    let retry = Retry {
        attempt,
        of: job.settings.retries,
        wait_ms: wait.as_millis() as u64,
        statement: st.at(),
        message: e.message.clone(),
    };
    // The observer shows it as a line of the run; the log keeps it for `-v` and log collectors.
    tracing::info!(
        "migration {}: lock timeout at {} ({}); retry {} of {} in {}",
        job.key,
        retry.statement,
        retry.message,
        attempt,
        retry.of,
        crate::runner::human_duration(wait)
    );
    on_retry(&retry);
    retries.push(retry);
    std::thread::sleep(wait);
}

/// What the history's `error` column says about a failure.
fn describe(job: &Job<'_>, i: usize, e: &DbError, kind: Kind, kept: usize, rolled_back: bool) -> String {
    let st = &job.statements[i];
    let code = e.code_text(kind).map(|c| format!(" ({c})")).unwrap_or_default();
    let mut s = format!("{}: {}{code}", st.at(), e.message);
    if rolled_back {
        s.push_str("; rolled back, nothing of it was applied");
    } else {
        s.push_str(&format!("; {} of {} statements had been applied", kept, job.statements.len()));
    }
    s
}

/// The located error for a failed statement: `file:line:col`, the statement, the database's
/// message and code, and what was and was not applied.
pub fn failure_error(job: &Job<'_>, f: &Failure, kind: Kind) -> Error {
    let st = &job.statements[f.statement];
    let code = f.error.code_text(kind).map(|c| format!(" ({c})")).unwrap_or_default();
    let verb = match job.direction {
        Direction::Up => "migration",
        Direction::Down => "rolling back migration",
    };
    // PostgreSQL says where in the statement (1-based, in characters).
    let offset = f
        .error
        .position
        .and_then(|p| st.sql.char_indices().nth(p.saturating_sub(1)).map(|(b, _)| st.start + b))
        .unwrap_or(st.start);
    let end = if offset == st.start { st.end } else { (offset + 1).min(st.end) };
    let mut d = Diagnostic::new(format!("{verb} {} failed: {}{code}", job.key, f.error.message)).at_offset(
        &st.file,
        &st.source,
        offset..end,
    );
    let lines =
        |r: std::ops::Range<usize>| job.statements[r].iter().map(|s| s.line.to_string()).collect::<Vec<_>>().join(", ");
    let help = match (f.rolled_back, job.direction) {
        (true, Direction::Up) => format!(
            "its transaction was rolled back: nothing of it was applied. It is recorded as failed; fix it, then \
             `tandem migrate repair {} --pending` to run it again",
            job.key
        ),
        (true, Direction::Down) => "its transaction was rolled back: the migration is still applied".to_owned(),
        (false, dir) => {
            let applied = if f.kept == 0 {
                "no statement before it had been applied".to_owned()
            } else {
                format!("statements at lines {} were applied and stay", lines(0..f.kept))
            };
            let rest = if f.statement + 1 < job.statements.len() {
                format!("; this one and those at lines {} were not", lines(f.statement + 1..job.statements.len()))
            } else {
                "; this one was not".to_owned()
            };
            let next = match dir {
                Direction::Up => "finish or undo it by hand, then `tandem migrate repair {v} --applied` (finished) or `--pending` (undone)",
                Direction::Down => "finish or undo the rollback by hand, then `tandem migrate repair {v} --pending` (rolled back) or `--applied` (still applied)",
            }
            .replace("{v}", job.key);
            format!(
                "it ran outside a transaction ({}): {applied}{rest}. It is recorded as failed; {next}",
                mode_reason(job.mode)
            )
        }
    };
    d = d.help(help);
    if f.error.is_environment(kind) { Error::environment(d) } else { Error::input(d) }
}

fn mode_reason(mode: &Mode) -> &str {
    match mode {
        Mode::Transaction => "",
        Mode::Outside { reason } => reason,
    }
}

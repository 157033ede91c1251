//! A connection to the shared database (`db`: PostgreSQL, MySQL/MariaDB or SQLite through
//! sqlx, one blocking interface) and tandem's migration history table in it (`history`). Below
//! `check` and `runner`: the runner writes the history, and a check reads it to know which
//! migrations the database has applied.

pub mod db;
pub mod history;

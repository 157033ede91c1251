//! tandem: keeps applications that share one relational database from breaking each other.
//!
//! The codemap is `docs/architecture.md`.

pub mod check;
pub mod cli;
pub mod config;
pub mod database;
pub mod digest;
pub mod drift;
pub mod error;
pub mod framework;
pub mod git;
pub mod grammar;
pub mod graph;
pub mod inflect;
pub mod migration;
pub mod name;
pub mod notes;
pub mod plan;
pub mod redact;
pub mod render;
pub mod report;
pub mod rules;
pub mod runner;
pub mod scan;
pub mod schema;
pub mod sql;
pub mod store;
pub mod sync;

pub use error::{Diagnostic, Error, Result};

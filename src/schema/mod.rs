//! The schema model and everything that produces or consumes it: readers (pg_dump
//! `structure.sql`, mysqldump, Rails `schema.rb`, Prisma schemas, live databases), the canonical renderer and the
//! semantic diff.

pub mod diff;
pub mod live;
pub mod model;
pub mod mongodb;
pub mod mysql;
pub mod postgres;
pub mod prisma;
pub mod rails;
pub mod render;
pub mod source;
pub mod sqlite;

pub use model::*;
pub use source::parse_dump;
pub use source::{SchemaSource, load};

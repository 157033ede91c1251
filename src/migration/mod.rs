//! Migration files of every supported format → [`Migration`]s of [`Operation`]s.

pub mod operation;

pub use operation::{Direction, Format, Migration, OpKind, Operation, Span};

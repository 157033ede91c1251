//! Rendering results for humans and machines.

pub mod diagnostic;

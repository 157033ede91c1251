use clap::Subcommand;

use crate::cli::{Globals, Outcome};
use crate::error::Result;

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// One row per table
    Show,
}

pub fn run(_g: &Globals, _cmd: SchemaCommand) -> Result<Outcome> {
    todo!()
}

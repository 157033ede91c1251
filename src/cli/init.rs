use clap::Args;

use crate::cli::{Globals, Outcome};
use crate::error::Result;

#[derive(Debug, Args)]
pub struct InitArgs {}

pub fn run(_g: &Globals, _args: InitArgs) -> Result<Outcome> {
    todo!()
}

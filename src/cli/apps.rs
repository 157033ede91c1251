use clap::Args;

use crate::cli::{FormatArg, Globals, Outcome};
use crate::error::Result;

#[derive(Debug, Args)]
pub struct AppsArgs {
    #[command(flatten)]
    pub format: FormatArg,
}

pub fn run(_g: &Globals, _args: AppsArgs) -> Result<Outcome> {
    todo!()
}

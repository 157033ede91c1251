//! Phoenix / Ecto.

mod recipe;

use crate::config::Framework;
use crate::framework::FrameworkSupport;
use crate::framework::recipe::{Change, CodeStep};
use crate::scan::extract::Extractor;

pub mod extract;

use extract::EctoExtractor;

pub struct Phoenix;

impl FrameworkSupport for Phoenix {
    fn id(&self) -> Framework {
        Framework::Phoenix
    }

    fn dump_tool(&self) -> Option<crate::framework::DumpTool> {
        Some(crate::framework::DumpTool::Ecto)
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(EctoExtractor)]
    }

    /// `Repo`'s migrations, and those of any other Ecto repo (`priv/<repo>/migrations`).
    fn migration_dirs(&self) -> &'static [&'static str] {
        &["priv/repo/migrations", "priv/*/migrations"]
    }

    fn names_models_through_contexts(&self) -> bool {
        true
    }

    fn code_steps(&self, change: &Change) -> Vec<CodeStep> {
        recipe::code_steps(change)
    }
}

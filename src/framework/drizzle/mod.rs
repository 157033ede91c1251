//! Drizzle ORM (and Drizzle Kit's migrations).

use crate::config::Framework;
use crate::framework::FrameworkSupport;
use crate::scan::extract::{Extractor, drizzle};

pub struct Drizzle;

impl FrameworkSupport for Drizzle {
    fn id(&self) -> Framework {
        Framework::Drizzle
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(drizzle::Drizzle)]
    }

    fn migration_dirs(&self) -> &'static [&'static str] {
        &["drizzle"]
    }

    fn declares_columns(&self) -> bool {
        true
    }
}

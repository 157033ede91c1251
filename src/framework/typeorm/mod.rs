//! TypeORM.

use crate::config::Framework;
use crate::framework::FrameworkSupport;
use crate::scan::extract::{Extractor, typeorm};

pub struct Typeorm;

impl FrameworkSupport for Typeorm {
    fn id(&self) -> Framework {
        Framework::Typeorm
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(typeorm::Typeorm)]
    }

    fn migration_dirs(&self) -> &'static [&'static str] {
        &["src/migration", "src/migrations", "migrations"]
    }

    fn declares_columns(&self) -> bool {
        true
    }
}

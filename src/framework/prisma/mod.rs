//! Prisma.

use crate::config::Framework;
use crate::framework::FrameworkSupport;
use crate::scan::extract::{Extractor, prisma};

pub struct Prisma;

impl FrameworkSupport for Prisma {
    fn id(&self) -> Framework {
        Framework::Prisma
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(prisma::Prisma)]
    }

    fn migration_dirs(&self) -> &'static [&'static str] {
        &["prisma/migrations"]
    }

    fn declares_columns(&self) -> bool {
        true
    }
}

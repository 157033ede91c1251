//! Sequelize.

use crate::config::Framework;
use crate::framework::FrameworkSupport;
use crate::scan::extract::{Extractor, sequelize};

pub struct Sequelize;

impl FrameworkSupport for Sequelize {
    fn id(&self) -> Framework {
        Framework::Sequelize
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(sequelize::Sequelize)]
    }

    fn migration_dirs(&self) -> &'static [&'static str] {
        &["migrations", "db/migrations", "src/migrations"]
    }

    fn declares_columns(&self) -> bool {
        true
    }
}

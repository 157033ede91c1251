//! SQLAlchemy (and Alembic's migrations).

use crate::config::Framework;
use crate::framework::FrameworkSupport;
use crate::scan::extract::{Extractor, sqlalchemy};

pub struct Sqlalchemy;

impl FrameworkSupport for Sqlalchemy {
    fn id(&self) -> Framework {
        Framework::Sqlalchemy
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(sqlalchemy::Sqlalchemy)]
    }

    fn migration_dir_names(&self) -> &'static [&'static str] {
        &["alembic", "migrations"]
    }

    fn declares_columns(&self) -> bool {
        true
    }
}

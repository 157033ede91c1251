//! Rails / ActiveRecord.

pub mod extract;
mod recipe;

use crate::config::Framework;
use crate::framework::FrameworkSupport;
use crate::framework::recipe::{Change, CodeStep};
use crate::scan::extract::Extractor;
use extract::RailsExtractor;

pub struct Rails;

impl FrameworkSupport for Rails {
    fn id(&self) -> Framework {
        Framework::Rails
    }

    fn dump_tool(&self) -> Option<crate::framework::DumpTool> {
        Some(crate::framework::DumpTool::Rails)
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(RailsExtractor)]
    }

    fn migration_dirs(&self) -> &'static [&'static str] {
        &["db/migrate"]
    }

    /// ActiveRecord's `undecorated_table_name`: the demodulized class name, underscored and
    /// pluralized with ActiveSupport's inflections.
    fn default_table(&self, class: &str) -> Option<String> {
        Some(crate::scan::inflect::tableize(class))
    }

    /// ActiveRecord's `full_table_name_prefix` from a namespace module: `Spree::Shipment` under
    /// `spree_` → `spree_shipments`.
    fn prefixed_table(&self, class: &str, prefix: &str) -> Option<String> {
        let naming = crate::scan::inflect::TableNaming { prefix, ..crate::scan::inflect::TableNaming::rails_default() };
        Some(crate::scan::inflect::table_name(class, &naming))
    }

    /// `has_many :posts` reads `Post`, `belongs_to :author` reads `Author`.
    fn association_by_convention(&self, name: &str) -> Option<String> {
        let singular = crate::scan::inflect::singularize(name);
        Some(if singular != name { crate::scan::inflect::classify(name) } else { crate::scan::inflect::camelize(name) })
    }

    /// A class under `app/models` whose superclass is a plain class (`Repo < Resource`) is no
    /// model, whatever its name.
    fn is_model_root(&self, superclass: &str) -> Option<bool> {
        Some(extract::is_record_base(superclass))
    }

    fn library_models(&self) -> &'static [(&'static str, &'static str)] {
        extract::LIBRARY_MODELS
    }

    fn names_by_last_words(&self) -> bool {
        true
    }

    fn maps_every_column(&self) -> bool {
        true
    }

    fn declarations_name_columns(&self) -> bool {
        true
    }

    fn code_steps(&self, change: &Change) -> Vec<CodeStep> {
        recipe::code_steps(change)
    }
}

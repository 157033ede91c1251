//! Django: its model index (`models`), receiver typing (`receivers`), field lookups (`lookups`),
//! the keys read from `values()` rows (`rows`), classes that list fields (`options`), templates
//! (`templates`), parameters typed by their file's calls (`callers`), `model_to_dict` rows
//! (`to_dict`), keywords a custom manager method spreads into a query (`spread`) and the walker
//! that reads a Python file with them (`extract`).

mod callers;
pub mod extract;
mod lookups;
mod models;
mod names;
mod options;
mod receivers;
mod rows;
mod spread;
pub mod templates;
mod to_dict;

mod recipe;

use crate::config::Framework;
use crate::framework::FrameworkSupport;
use crate::framework::recipe::{Change, CodeStep};
use crate::scan::extract::Extractor;

pub struct Django;

impl FrameworkSupport for Django {
    fn id(&self) -> Framework {
        Framework::Django
    }

    fn extractors(&self) -> Vec<Box<dyn Extractor>> {
        vec![Box::new(extract::Django), Box::new(templates::Templates)]
    }

    fn migration_dir_names(&self) -> &'static [&'static str] {
        &["migrations"]
    }

    /// `<app_label>_<model name lower-cased>`, the class written `app_label.Model`.
    fn default_table(&self, class: &str) -> Option<String> {
        let parts: Vec<&str> =
            class.trim_start_matches("::").split("::").flat_map(|s| s.split('.')).filter(|s| !s.is_empty()).collect();
        Some(parts.join("_").to_ascii_lowercase())
    }

    fn reads_unresolved_names_as_attributes(&self) -> bool {
        true
    }

    fn parent_tables_hold_inherited_fields(&self) -> bool {
        true
    }

    /// A step from a record nothing typed names the model it is called after, as a field does
    /// by default (`room = ForeignKey(Room)`, `related_name="rooms"`): `talk.submission.abstract`
    /// in a template whose `talk` no view types, `slot.room.capacity` after a property.
    fn association_by_convention(&self, name: &str) -> Option<String> {
        Some(crate::scan::inflect::classify(name))
    }

    fn code_steps(&self, change: &Change) -> Vec<CodeStep> {
        recipe::code_steps(change)
    }
}

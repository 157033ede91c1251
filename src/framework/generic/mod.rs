//! No framework: the app's code is read by the framework-neutral extractors only (SQL in
//! strings and files, whole-word names).

use crate::config::Framework;
use crate::framework::FrameworkSupport;

pub struct Generic;

impl FrameworkSupport for Generic {
    fn id(&self) -> Framework {
        Framework::Generic
    }
}

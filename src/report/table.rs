//! Terminal tables, one style for every command.

use comfy_table::{ContentArrangement, Table, presets};

/// A table with `headers` in tandem's style. Width is not taken from the terminal, so output is
/// the same on a terminal, in a pipe and in CI.
pub fn new(headers: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(presets::UTF8_FULL_CONDENSED);
    table.set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(headers.iter().copied());
    table
}

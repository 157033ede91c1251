//! Markdown primitives shared by the pull-request comment and the release notes: GitHub's size
//! limit and how a document degrades to fit it, and table cells.

/// GitHub's limit on a comment body, in characters.
pub const LIMIT: usize = 65_536;

/// The first of `build(Some(level))` for each level that fits under [`LIMIT`], else
/// `build(None)` (the summary), cut to fit with `note` when even that is too long.
pub fn fit(levels: &[usize], build: impl Fn(Option<usize>) -> String, note: &str) -> String {
    for &level in levels {
        let text = build(Some(level));
        if text.chars().count() <= LIMIT {
            return text;
        }
    }
    let mut text = build(None);
    if text.chars().count() > LIMIT {
        let note = format!("\n\n_…truncated: {note}._\n");
        let keep = LIMIT - note.chars().count();
        text = text.chars().take(keep).collect::<String>() + &note;
    }
    text
}

pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

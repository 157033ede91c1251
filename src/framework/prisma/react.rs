//! What a React component or a query hook is about, as its name says (`TeamMembersTable`,
//! `useUsersQuery`), and which JSX elements and form functions name a record's fields: how a
//! reader of a Next.js page types rows that came over HTTP, which no declared type reaches.

use crate::grammar::NodeExt;
use tree_sitter::Node;

use crate::framework::prisma::model_name;
use crate::framework::prisma::receivers::NAMES;
use crate::scan::extract::treesit::Src;
use crate::scan::facts::Root;

/// Words of a component's name that say what it does, not what it is about
/// (`BoardEditForm`, `WebsitesDataTable`, `TeamJoinForm`).
const ACTIONS: &[&str] = &[
    "Edit", "Add", "Create", "Update", "Delete", "Remove", "Join", "Leave", "Transfer", "Data", "New", "Details",
    "Detail", "Settings", "Select", "Item", "Row",
];

/// react-hook-form's functions that take a field's name (`setValue('accessCode', …)`).
pub const FORM_CALLS: &[&str] =
    &["setValue", "register", "watch", "getValues", "resetField", "setFocus", "getFieldState"];

/// Functions whose first argument is an object of the form's values: query libraries'
/// mutations (what the form posts) and react-hook-form's `reset` (what it shows next).
pub const MUTATIONS: &[&str] = &["mutate", "mutateAsync", "reset"];

/// The records a React component is about, as its name says: the last word before what it is
/// (`Table`, `Form`) that is no action (`TeamMembersTable` → `members`, `BoardEditForm` →
/// `board`), read as [`NAMES`] say, else the word before it as a model's name
/// (`WebsiteReplaySettings` → `website`). A one-word name (`Header`) is about nothing.
pub fn subject(name: &str) -> Option<Root> {
    let mut words = camel_words(name);
    let kind = words.pop()?;
    // A name of actions and one noun is about the noun (`CreatePoll`).
    if !words.is_empty() && words.iter().all(|w| ACTIONS.contains(w)) {
        return named_by(&[kind], false);
    }
    // Only a component that edits a record is about the record its earlier word names
    // (`WebsiteReplaySettings`); a `WebsiteEventsTable` lists events, not websites.
    named_by(&words, matches!(kind, "Settings" | "Form"))
}

/// The records a query hook's `data` holds, as its name says (`useUsersQuery` → `users`,
/// `useUserTeamsQuery` → `teams`, `useWebsiteQuery` → `website`), and whether they are a page
/// of them (a plural: umami's and many apps' list endpoints answer `{ data: rows, count }`).
pub fn hook_subject(name: &str) -> Option<(Root, bool)> {
    let inner = name.strip_prefix("use")?.strip_suffix("Query")?;
    if !inner.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let words = camel_words(inner);
    let root = named_by(&words, false)?;
    let last = words.iter().rev().find(|w| !ACTIONS.contains(w))?;
    let plural = crate::scan::inflect::singularize(last) != *last;
    Some((root, plural))
}

/// `TeamMembersTable` → `Team`, `Members`, `Table`.
fn camel_words(name: &str) -> Vec<&str> {
    let mut words: Vec<&str> = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(&name[start..i]);
            start = i;
        }
    }
    words.push(&name[start..]);
    words
}

/// The records the last word of `words` that is no action names, as [`NAMES`] say; else, with
/// `fallback`, the word before it as a model's name.
fn named_by(words: &[&str], fallback: bool) -> Option<Root> {
    let at = words.iter().rposition(|w| !ACTIONS.contains(w))?;
    let lower = |w: &str| model_name(w);
    let fallback = at.checked_sub(1).filter(|_| fallback).map(|i| words[i]).unwrap_or(words[at]);
    Some(Root::Binding {
        scopes: vec![NAMES.to_owned()],
        name: lower(words[at]),
        guess: Some(crate::scan::inflect::singularize(&lower(fallback))),
    })
}

/// A JSX element's tag (`DataColumn`, `FormField`, `input`).
pub fn tag<'a>(src: &Src<'a>, element: Node<'_>) -> &'a str {
    let element = if element.kind_name() == "jsx_element" { element.named_child(0) } else { Some(element) };
    element.and_then(|e| e.field("name")).map(|n| src.node_text(n)).unwrap_or("")
}

/// Whether a tag is a table's column (its `id` names the rows' field, its function child
/// renders a row).
pub fn is_column(tag: &str) -> bool {
    tag.ends_with("Column")
}

/// Whether a tag is a form's field (its `name` names the field the form posts).
pub fn is_field(tag: &str) -> bool {
    matches!(tag, "input" | "select" | "textarea")
        || ["Field", "Input", "Select", "Checkbox", "Switch", "Textarea"].iter().any(|k| tag.ends_with(k))
}

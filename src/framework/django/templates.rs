//! Django templates: `{{ check.name }}`, `{% if check.status == "up" %}`, `{% for c in checks %}`
//! — attribute reads on the names a view hands the template. A name is read through the bindings
//! of the template's scope (`django:template:<name>`, written by the views that render it, see
//! [`super::receivers`]); a loop or `with` variable through the name it iterates or aliases; a
//! name no view binds stands for the model it is named after (`check` → `Check`). An included
//! template sees the names of the one that includes it.

use std::collections::HashMap;

use super::receivers::{AUTH_SCOPE, request_attribute, template_scope};
use crate::config::{Confidence, Framework};
use crate::scan::extract::treesit::Src;
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{Binding, FileFacts, Root, Target};
use crate::scan::inflect;
use crate::scan::reference::RefKind;

pub struct Templates;

impl Extractor for Templates {
    fn id(&self) -> &'static str {
        "django-templates"
    }

    fn version(&self) -> u32 {
        5
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Django && template_name(path).is_some()
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let Some(name) = template_name(file.path) else { return FileFacts::default() };
        read(name, file.text)
    }
}

/// The name views render a template by: its path below the last `templates/` folder.
pub fn template_name(path: &str) -> Option<&str> {
    let ext = path.rsplit_once('.')?.1;
    // Jinja2 templates (Django's `Jinja2` backend, django-jinja, djmail) read names the same way.
    if !matches!(ext, "html" | "htm" | "txt" | "xml" | "jinja" | "jinja2" | "j2") {
        return None;
    }
    let at = if path.starts_with("templates/") { Some(0) } else { path.rfind("/templates/").map(|i| i + 1) }?;
    Some(&path[at + "templates/".len()..])
}

/// Names a template provides itself rather than a view (`forloop.counter`, `block.super`).
const NOT_BOUND: &[&str] =
    &["forloop", "block", "request", "csrf_token", "messages", "perms", "view", "form", "page_obj", "paginator"];

/// One `{{ … }}` or `{% … %}`: its text and where the text starts.
struct Tag<'a> {
    text: &'a str,
    offset: usize,
    block: bool,
}

fn tags(source: &str) -> Vec<Tag<'_>> {
    let mut out = Vec::new();
    let mut at = 0;
    let mut in_comment = false;
    while let Some(i) = source[at..].find('{').map(|i| at + i) {
        let rest = &source[i..];
        let close = if rest.starts_with("{{") {
            "}}"
        } else if rest.starts_with("{%") {
            "%}"
        } else if rest.starts_with("{#") {
            "#}"
        } else {
            at = i + 1;
            continue;
        };
        let Some(end) = rest[2..].find(close) else { break };
        let text = &rest[2..2 + end];
        let block = close == "%}";
        let word = text.split_whitespace().next().unwrap_or("");
        if block && word == "comment" {
            in_comment = true;
        } else if block && word == "endcomment" {
            in_comment = false;
        } else if close != "#}" && !in_comment {
            out.push(Tag { text, offset: i + 2, block });
        }
        at = i + 2 + end + 2;
    }
    out
}

/// Dotted names in a tag's text, outside string literals, with their offsets in the text.
fn dotted(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'"' || b == b'\'' {
            i = text[i + 1..].find(b as char).map_or(bytes.len(), |j| i + j + 2);
            continue;
        }
        if b.is_ascii_alphabetic() || b == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
                i += 1;
            }
            let word = text[start..i].trim_end_matches('.');
            // `x=` in `with x=y` and `a|filter:b` are separate names; `.` joins a chain.
            out.push((start, word));
            continue;
        }
        i += 1;
    }
    out
}

/// A name a template reads: where it comes from and the associations walked since.
type Origin = (Root, Vec<String>);

/// The model a context name suggests: `check` and `checks` → `Check`.
fn guess(name: &str) -> Option<String> {
    (name.len() >= 3 && !NOT_BOUND.contains(&name) && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'))
        .then(|| inflect::camelize(&inflect::singularize(name)))
}

/// Whether a context name holds a form (`form`, `form_settings`, `user_form`, `formset`): its
/// attributes are bound fields, which read no column.
fn is_form(name: &str) -> bool {
    name.split('_').any(|w| matches!(w, "form" | "forms" | "formset"))
}

fn read(name: &str, source: &str) -> FileFacts {
    let scope = template_scope(name);
    let src = Src::new(source);
    let tags = tags(source);
    // A layout (blocks of its own, extending nothing) is rendered under pages whose views bind
    // different names, and reads the names every page has: a context processor's, no record
    // named after them (`{{ language.short_name }}`). A name no view binds is guessed from
    // elsewhere only.
    let has = |word: &str| tags.iter().any(|t| t.block && t.text.split_whitespace().next() == Some(word));
    let layout = has("block") && !has("extends");
    let guess = |name: &str| if layout { None } else { guess(name) };
    let mut locals: HashMap<String, Origin> = HashMap::new();
    // `{% theme_values request as theme_values %}`, `{% url "x" as link %}`: a name a tag other
    // than `with` binds holds what the tag returns, no record a view hands the template.
    let tag_values: Vec<&str> = tags
        .iter()
        .filter(|t| t.block)
        .filter_map(|t| {
            let words: Vec<&str> = t.text.split_whitespace().collect();
            match words.as_slice() {
                [first, .., "as", var] if !matches!(*first, "with" | "include" | "for") => Some(*var),
                _ => None,
            }
        })
        .collect();
    // Where a dotted name starts: its root, the path the root stands for, and how many of the
    // name's segments that root took (`request.user` takes two).
    let root_of = |locals: &HashMap<String, Origin>, segs: &[&str]| -> Option<(Root, Vec<String>, usize)> {
        let first = *segs.first()?;
        if let Some((root, path)) = locals.get(first) {
            return Some((root.clone(), path.clone(), 1));
        }
        if first == "request" {
            return segs.get(1).and_then(|second| request_attribute(second)).map(|root| (root, Vec::new(), 2));
        }
        if NOT_BOUND.contains(&first) || is_form(first) || tag_values.contains(&first) {
            return None;
        }
        let mut scopes = vec![scope.clone()];
        if first == "user" {
            scopes.push(AUTH_SCOPE.into());
        }
        Some((Root::Binding { scopes, name: first.to_owned(), guess: guess(first) }, Vec::new(), 1))
    };
    // The steps a segment adds: none for `all` (`checks.all` is `checks`), and the name ends at
    // an index (`items.0`) or a method (`count`).
    let step = |seg: &str| -> Option<bool> {
        if seg.is_empty() || seg.bytes().all(|b| b.is_ascii_digit()) { None } else { Some(seg != "all") }
    };
    let origin_of = |locals: &HashMap<String, Origin>, chain: &str| -> Option<Origin> {
        let segs: Vec<&str> = chain.split('.').collect();
        let (root, mut path, taken) = root_of(locals, &segs)?;
        for seg in &segs[taken..] {
            if step(seg)? {
                path.push((*seg).to_owned());
            }
        }
        Some((root, path))
    };
    // Loop and `with` variables first: flow-insensitive, the first definition of a name holds.
    for tag in tags.iter().filter(|t| t.block) {
        let words: Vec<&str> = tag.text.split_whitespace().collect();
        match words.first().copied() {
            Some("for") => {
                let Some(in_at) = words.iter().position(|w| *w == "in") else { continue };
                let Some(iterable) = words.get(in_at + 1) else { continue };
                let vars: Vec<&str> =
                    words[1..in_at].iter().flat_map(|w| w.split(',')).filter(|w| !w.is_empty()).collect();
                // `for k, v in d.items`: no record.
                if vars.len() == 1
                    && let Some(o) = origin_of(&locals, iterable)
                {
                    locals.entry(vars[0].to_owned()).or_insert(o);
                }
            }
            Some("with") | Some("include") => {
                for (k, w) in words.iter().enumerate() {
                    if let Some((var, value)) = w.split_once('=')
                        && let Some(o) = origin_of(&locals, value)
                    {
                        locals.entry(var.to_owned()).or_insert(o);
                    } else if *w == "as"
                        && k >= 1
                        && let Some(var) = words.get(k + 1)
                        && let Some(o) = origin_of(&locals, words[k - 1])
                    {
                        locals.entry((*var).to_owned()).or_insert(o);
                    }
                }
            }
            _ => {}
        }
    }
    let mut facts = FileFacts::default();
    let mut read_names: Vec<String> = Vec::new();
    for tag in &tags {
        for (at, chain) in dotted(tag.text) {
            let first = chain.split('.').next().unwrap_or(chain);
            if !read_names.iter().any(|n| n == first) && !locals.contains_key(first) {
                read_names.push(first.to_owned());
            }
            let segs: Vec<&str> = chain.split('.').collect();
            let Some((root, mut path, taken)) = root_of(&locals, &segs) else { continue };
            let mut offset = tag.offset + at + segs[..taken].iter().map(|s| s.len() + 1).sum::<usize>();
            for seg in &segs[taken..] {
                match step(seg) {
                    None => break,
                    Some(false) => {}
                    Some(true) => {
                        facts.hits.push(src.hit(
                            offset,
                            Target::Chain {
                                root: root.clone(),
                                path: path.clone(),
                                attribute: Some((*seg).to_owned()),
                            },
                            RefKind::Query,
                            Confidence::Medium,
                        ));
                        path.push((*seg).to_owned());
                    }
                }
                offset += seg.len() + 1;
            }
        }
    }
    // An included template reads this one's names.
    for tag in tags.iter().filter(|t| t.block) {
        let mut words = tag.text.split_whitespace();
        if words.next() != Some("include") {
            continue;
        }
        let Some(included) = words.next().map(|w| w.trim_matches(['"', '\''])) else { continue };
        if included.contains(['{', ' ']) || included.is_empty() {
            continue;
        }
        let to = template_scope(included);
        for (var, (root, path)) in &locals {
            facts.bindings.push(Binding {
                scope: to.clone(),
                name: var.clone(),
                root: root.clone(),
                path: path.clone(),
            });
        }
        for n in &read_names {
            facts.bindings.push(Binding {
                scope: to.clone(),
                name: n.clone(),
                root: Root::Binding { scopes: vec![scope.clone()], name: n.clone(), guess: guess(n) },
                path: Vec::new(),
            });
        }
    }
    facts.bindings.sort();
    facts.bindings.dedup();
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names_are_below_the_templates_folder() {
        assert_eq!(template_name("templates/front/details.html"), Some("front/details.html"));
        assert_eq!(template_name("hc/api/templates/emails/alert-body.txt"), Some("emails/alert-body.txt"));
        assert_eq!(template_name("hc/api/views.py"), None);
        assert_eq!(template_name("static/x.html"), None);
        assert_eq!(template_name("app/templates/emails/invite-body.jinja"), Some("emails/invite-body.jinja"));
    }

    #[test]
    fn dotted_names_skip_strings() {
        let got: Vec<&str> =
            dotted(r#" if check.status == "a.b" and c.x|default:'y.z' or d.e "#).into_iter().map(|(_, w)| w).collect();
        assert_eq!(got, vec!["if", "check.status", "and", "c.x", "default", "or", "d.e"]);
    }
}

//! Form fields written as raw HTML in an ERB view: `<input name="subscription[view_mode]"
//! type="hidden" value="article">` posts `params[:subscription][:view_mode]` as
//! `hidden_field_tag "subscription[view_mode]"` does, and is read as that helper's name is
//! (`Walker::field_param_name`): the attribute of the model the key names, at medium
//! (resolution keeps a model's columns only). Read from the template's text: ERB's HTML is no
//! Ruby the walker sees.

use super::*;

/// The HTML elements whose `name` is a posted parameter.
const FIELD_TAGS: &[&str] = &["input", "select", "textarea", "button"];

impl<'a> Walker<'a> {
    /// The `name="model[attribute]"` of each raw HTML form field of an ERB template.
    pub(super) fn html_field_names(&mut self) {
        if self.view_dir.is_none() || !self.path.ends_with(".erb") {
            return;
        }
        let source = self.original;
        let b = source.as_bytes();
        let mut found = Vec::new();
        for at in memchr::memmem::find_iter(b, b"name=") {
            if let Some(field) = field_name(b, at) {
                found.push(field);
            }
        }
        for (key, attribute) in found {
            let (Some(model), Some(column)) = (source.get(key.0..key.1), source.get(attribute.0..attribute.1)) else {
                continue;
            };
            let target = Rec::model(inflect::camelize(model)).attribute(column);
            self.hit_at(attribute.0, target, RefKind::Query, Confidence::Medium);
        }
    }
}

/// At `at`, `name="key[attribute]"` inside a form field's tag: the byte ranges of `key` and
/// `attribute`.
fn field_name(b: &[u8], at: usize) -> Option<((usize, usize), (usize, usize))> {
    if !at.checked_sub(1).is_some_and(|i| b[i].is_ascii_whitespace()) {
        return None;
    }
    let quote = *b.get(at + 5).filter(|q| matches!(q, b'"' | b'\''))?;
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let key_start = at + 6;
    let key_end = key_start + b[key_start..].iter().position(|c| !word(*c))?;
    (b.get(key_end) == Some(&b'[')).then_some(())?;
    let attribute_start = key_end + 1;
    let attribute_end = attribute_start + b[attribute_start..].iter().position(|c| !word(*c))?;
    (b.get(attribute_end) == Some(&b']') && b.get(attribute_end + 1) == Some(&quote)).then_some(())?;
    if key_end == key_start || attribute_end == attribute_start {
        return None;
    }
    // The tag the attribute is in: the nearest `<` before it that opens an element (an ERB
    // tag's `<%` is inside it).
    let open = (0..at).rev().find(|&i| b[i] == b'<' && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic))?;
    let tag_end = open + 1 + b[open + 1..].iter().position(|c| !c.is_ascii_alphanumeric())?;
    let tag = std::str::from_utf8(&b[open + 1..tag_end]).ok()?.to_ascii_lowercase();
    let closed = b[open..at].windows(2).any(|w| w[1] == b'>' && w[0] != b'%');
    (FIELD_TAGS.contains(&tag.as_str()) && !closed).then_some(((key_start, key_end), (attribute_start, attribute_end)))
}

#[cfg(test)]
mod tests {
    use super::field_name;

    fn names(s: &str) -> Vec<(&str, &str)> {
        let b = s.as_bytes();
        memchr::memmem::find_iter(b, b"name=")
            .filter_map(|at| field_name(b, at))
            .map(|(k, a)| (&s[k.0..k.1], &s[a.0..a.1]))
            .collect()
    }

    #[test]
    fn raw_field_names_in_their_tags_only() {
        assert_eq!(
            names("<input name=\"subscription[view_mode]\" type=\"hidden\">"),
            vec![("subscription", "view_mode")]
        );
        assert_eq!(names("<input value=\"<%= x %>\" name='user[email]'>"), vec![("user", "email")]);
        assert_eq!(names("<textarea rows=\"3\"\n  name=\"agent[options]\">"), vec![("agent", "options")]);
        // Not a field, a nested key, or after the tag closed.
        assert_eq!(names("<meta name=\"user[email]\">"), vec![]);
        assert_eq!(names("<input name=\"user[address][city]\">"), vec![]);
        assert_eq!(names("<input type=\"x\"> name=\"user[email]\""), vec![]);
        assert_eq!(names("<input data-name=\"user[email]\">"), vec![]);
    }
}

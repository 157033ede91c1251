//! Client-side directives in a view's attributes: `%a{ "ng-hide": '!!subscription.paused_at' }`
//! (Haml), `'ng-model' => 'exchange.pickup_time'` (a tag helper's options), `<input
//! ng-model="enterprise.website">`, `v-if="order.paid_at"`, `x-text="item.name"`. An AngularJS,
//! Vue or Alpine template in a Rails view binds the JSON of a record the app serialized (and
//! often posts it back to the model): `name.attribute` there reads the attribute of the record
//! the name names, by its name alone (medium, as a Ruby local's name is; resolution keeps a
//! model's columns only). Read from the template's text: Haml's attribute hashes and ERB's HTML
//! are no Ruby the walker sees.

use super::*;

/// Attribute names whose values are client-side expressions.
const DIRECTIVE_PREFIXES: &[&str] = &["ng-", "v-", "x-"];

impl<'a> Walker<'a> {
    /// The directives of a template (see the module's documentation).
    pub(super) fn directives(&mut self) {
        if self.view_dir.is_none() {
            return;
        }
        let source = self.original;
        let b = source.as_bytes();
        let mut found: Vec<(usize, usize)> = Vec::new();
        for prefix in DIRECTIVE_PREFIXES {
            for at in memchr::memmem::find_iter(b, prefix.as_bytes()) {
                if let Some(value) = directive_value(b, at, prefix.len()) {
                    found.push(value);
                }
            }
        }
        for (start, end) in found {
            let Some(text) = source.get(start..end) else { continue };
            for (record, attribute, at) in member_reads(text) {
                // `variantOverrides[hub_id][variant.id].count_on_hand`: an element of a
                // collection named after a model (a JavaScript name, camel-cased).
                let element = match record.split_once('[') {
                    Some((list, _)) => match named_like_model(&inflect::underscore(list)) {
                        Some(Ty::Relation(rec, confidence)) => Some(Ty::Record(rec, confidence)),
                        _ => continue,
                    },
                    None => None,
                };
                if let Some(Ty::Record(rec, confidence)) = element.or_else(|| named_like_model(record)) {
                    self.hit_at(
                        start + at,
                        rec.attribute(attribute),
                        RefKind::Query,
                        confidence.min(Confidence::Medium),
                    );
                }
            }
        }
    }
}

/// The value (byte range) of the attribute whose name starts at `at` with a directive prefix
/// `prefix_len` long: `"ng-hide": '…'`, `'ng-model' => '…'`, `ng-model="…"`.
fn directive_value(b: &[u8], at: usize, prefix_len: usize) -> Option<(usize, usize)> {
    let before = at.checked_sub(1).map(|i| b[i]);
    if !matches!(before, None | Some(b'"' | b'\'' | b' ' | b'\t' | b'\n' | b'(' | b'{' | b',')) {
        return None;
    }
    let quote = before.filter(|q| matches!(q, b'"' | b'\''));
    let mut i = at + prefix_len;
    let name_start = i;
    // `v-on:click`, `ng-bind-html`; a `:` only inside the name (`"ng-hide":` ends it).
    while i < b.len()
        && (b[i].is_ascii_alphanumeric()
            || matches!(b[i], b'-' | b'_' | b'.')
            || (b[i] == b':' && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)))
    {
        i += 1;
    }
    if i == name_start {
        return None;
    }
    if let Some(q) = quote {
        (b.get(i) == Some(&q)).then_some(())?;
        i += 1;
    }
    let spaces = |mut i: usize| {
        while b.get(i).is_some_and(|c| *c == b' ' || *c == b'\t') {
            i += 1;
        }
        i
    };
    i = spaces(i);
    i += match (b.get(i), b.get(i + 1)) {
        (Some(b'='), Some(b'>')) => 2,
        (Some(b'='), _) => 1,
        (Some(b':'), _) if quote.is_some() => 1,
        _ => return None,
    };
    i = spaces(i);
    let value_quote = *b.get(i).filter(|q| matches!(q, b'"' | b'\''))?;
    let start = i + 1;
    let len = b[start..].iter().position(|c| *c == value_quote || *c == b'\n')?;
    (b[start + len] == value_quote).then_some((start, start + len))
}

/// `name.member` in a JavaScript expression where `name` starts a chain (not itself a member)
/// and `member` is read, not called: (name, member, offset of member).
fn member_reads(text: &str) -> Vec<(&str, &str, usize)> {
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // A quoted literal is no expression.
        if b[i] == b'"' || b[i] == b'\'' {
            let quote = b[i];
            i += 1;
            while i < b.len() && b[i] != quote {
                i += 1;
            }
            i += 1;
            continue;
        }
        if !word(b[i]) || (i > 0 && (word(b[i - 1]) || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && word(b[i]) {
            i += 1;
        }
        // `list[key][other.id].member`: the indexes are part of the name (their own reads are
        // read on their own, from the `[` on).
        let name_end = i;
        let mut indexed = i;
        while b.get(indexed) == Some(&b'[') {
            let Some(close) = b[indexed..].iter().position(|c| *c == b']') else { break };
            indexed += close + 1;
        }
        if b.get(indexed) != Some(&b'.') {
            continue;
        }
        let member_start = indexed + 1;
        let mut j = member_start;
        while j < b.len() && word(b[j]) {
            j += 1;
        }
        let (name, member) = (&text[start..name_end], &text[member_start..j]);
        if is_identifier(name) && is_identifier(member) && b.get(j) != Some(&b'(') {
            out.push((&text[start..indexed], member, member_start));
        }
        if indexed == name_end {
            i = j;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{directive_value, member_reads};

    #[test]
    fn directive_values_in_haml_ruby_and_html() {
        fn value(s: &str) -> Option<&str> {
            let at = s.find("ng-").unwrap();
            directive_value(s.as_bytes(), at, 3).map(|(a, b)| &s[a..b])
        }
        assert_eq!(value("%a{ \"ng-hide\": '!!s.paused_at' }"), Some("!!s.paused_at"));
        assert_eq!(value("= f 'ng-model' => 'e.pickup_time', x"), Some("e.pickup_time"));
        assert_eq!(value("<input ng-model=\"e.website\">"), Some("e.website"));
        assert_eq!(value("icon \"ng-circle\", size: 2"), None);
        assert_eq!(value("%span.ng-hide= x.y"), None);
    }

    #[test]
    fn member_reads_skip_calls_members_and_literals() {
        let got: Vec<(&str, &str, usize)> =
            member_reads("!!subscription.paused_at && subscription.pause() || a.b.c || 'x.y' || ::group.name");
        assert_eq!(got, vec![("subscription", "paused_at", 15), ("a", "b", 54), ("group", "name", 78)]);
        let got: Vec<(&str, &str, usize)> = member_reads("overrides[hub_id][variant.id].on_hand != x[0]");
        assert_eq!(got, vec![("overrides[hub_id][variant.id]", "on_hand", 30), ("variant", "id", 26)]);
    }
}

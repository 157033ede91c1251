//! Screening a file before an expensive extractor parses it.
//!
//! A framework extractor that parses with tree-sitter costs milliseconds per file, while most
//! files of a large app carry nothing it could turn into a reference. An extractor may therefore
//! look at the raw text first ([`crate::scan::extract::Extractor::screen`]) and say either
//! "extract" or "my facts here could only ever resolve through a model class named like one of
//! these words" ([`Screen::IfModel`]). The scan learns the app's model classes from the files
//! that were extracted, and parses a deferred file only when one of its words can name one of
//! them. The outcome must be exactly the references a full parse would give: a screen may ask
//! for more parsing than needed, never less.
//!
//! Model names are compared by [`model_key`]: the class's last segment, lower-cased, without
//! `_`. Rails derives a class from a word with `camelize` (capitalize each `_`-separated part and
//! drop the `_`) or `classify` (`singularize`, then `camelize`), and both keep that key of the
//! word, or of its singular, intact; [`word_keys`] computes both for every word.

use std::collections::HashSet;
use std::hash::BuildHasher;

use crate::scan::{inflect, words};

/// What an extractor's screen decided for one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Screen {
    /// Extract the file now.
    Extract,
    /// The file's facts can only resolve through a model class whose [`model_key`] is one of
    /// these (sorted, deduplicated): extract it only if the app declares such a model.
    IfModel(Vec<Key>),
}

fn hasher() -> foldhash::fast::FixedState {
    // Fixed seed: keys are compared across threads and scans. They are stored only inside the
    // fingerprint of cache keys, where a different hash merely misses the cache.
    foldhash::fast::FixedState::with_seed(0x7a6e_6465_6d00_0001)
}

/// A screening key: 32 bits of a name's hash. A deferred file keeps the keys of all its words
/// until the app's models are known (tens of megabytes over a large app, every byte of it fresh
/// memory), so they are kept small; two names sharing a key merely parse a file that did not
/// need it.
pub type Key = u32;

fn hash_bytes(bytes: &[u8]) -> Key {
    (hasher().hash_one(bytes) >> 32) as Key
}

/// `word` lower-cased without `_`, into `buf`.
fn normalize_into(word: &str, buf: &mut String) {
    buf.clear();
    for c in word.chars().filter(|&c| c != '_') {
        if c.is_ascii() {
            buf.push(c.to_ascii_lowercase());
        } else {
            buf.extend(c.to_lowercase());
        }
    }
}

/// The key of a word: [`hash_bytes`] of it lower-cased without `_`, or `None` when that does not
/// start with a letter (no class name does). Every word of every deferred file goes through
/// here: ASCII words, nearly all of them, are normalized on the stack.
fn word_key(word: &str, buf: &mut String) -> Option<Key> {
    let b = word.as_bytes();
    let mut ascii = [0u8; 64];
    if b.len() <= ascii.len() && b.is_ascii() {
        let mut n = 0;
        for &c in b.iter().filter(|&&c| c != b'_') {
            ascii[n] = c.to_ascii_lowercase();
            n += 1;
        }
        let key = &ascii[..n];
        return key.first().is_some_and(u8::is_ascii_alphabetic).then(|| hash_bytes(key));
    }
    normalize_into(word, buf);
    buf.chars().next().is_some_and(char::is_alphabetic).then(|| hash_bytes(buf.as_bytes()))
}

/// The screening key of a model class: its last segment (`Admin::User`, `MyApp.Accounts.User` →
/// `User`), lower-cased, without `_`.
pub fn model_key(class: &str) -> Key {
    let mut buf = String::new();
    normalize_into(inflect::demodulize(class), &mut buf);
    hash_bytes(buf.as_bytes())
}

/// The keys of every model class of an app, from the facts of its files.
#[derive(Debug, Default, Clone)]
pub struct ModelKeys {
    /// The keys are hashes already: a cheap hasher, since every word of every deferred file
    /// is looked up.
    keys: HashSet<Key, foldhash::fast::FixedState>,
    /// A stable digest of the set, part of the cache key of screening verdicts.
    fingerprint: String,
}

impl ModelKeys {
    /// The keys of these model classes (repeats allowed).
    pub fn from_classes<'a>(classes: impl IntoIterator<Item = &'a str>) -> ModelKeys {
        let mut classes: Vec<&str> = classes.into_iter().collect();
        classes.sort_unstable();
        classes.dedup();
        let mut keys = HashSet::with_hasher(hasher());
        keys.extend(classes.iter().map(|c| model_key(c)));
        // A name may stand for the model it ends in whole words (`assignment` for
        // `IssueAssignment`, see `FrameworkSupport::names_by_last_words`).
        for class in &classes {
            let last = inflect::demodulize(class);
            keys.extend(
                last.char_indices()
                    .filter(|&(i, c)| i > 0 && c.is_ascii_uppercase())
                    .map(|(i, _)| model_key(&last[i..])),
            );
        }
        let mut sorted: Vec<Key> = keys.iter().copied().collect();
        sorted.sort_unstable();
        ModelKeys { keys, fingerprint: format!("{}-{:016x}", sorted.len(), hasher().hash_one(&sorted)) }
    }

    /// Whether a file screened as `needs` must be extracted.
    pub fn wants(&self, needs: &[Key]) -> bool {
        needs.iter().any(|k| self.keys.contains(k))
    }

    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }
}

/// Whether ActiveSupport's singular rules can change a word: every rule that rewrites (rather
/// than keeps) a word matches one ending in `s`, `a`, `e`, `i` or `n`, or starting with `oxen`.
/// Any other word singularizes to itself, so its `classify` key is its `camelize` key.
fn may_singularize(word: &str) -> bool {
    let last = word.as_bytes().last().map(u8::to_ascii_lowercase);
    matches!(last, Some(b's' | b'a' | b'e' | b'i' | b'n'))
        || word.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("oxen"))
}

/// The `len` (at most 16) bytes at `start`, zero-padded into an integer: one unaligned load where
/// 16 bytes are left, a copy near the end of the text.
fn pack(bytes: &[u8], start: usize, len: usize) -> u128 {
    let mut word = [0u8; 16];
    match bytes.get(start..start + 16) {
        Some(sixteen) => word.copy_from_slice(sixteen),
        None => word[..len].copy_from_slice(&bytes[start..start + len]),
    }
    let mask = if len == 16 { u128::MAX } else { (1u128 << (8 * len)) - 1 };
    u128::from_le_bytes(word) & mask
}

/// Keys of every model class name a Rails-style extractor could derive from a word of `text`:
/// for each word (see [`words`]), and for what is left of it after one of `prefixes` or before
/// one of `suffixes` (`current_user` → `user`, `addresses_attributes` → `addresses`), the key of its `camelize` and of its `classify`.
/// Sorted and deduplicated.
pub fn word_keys(text: &str, prefixes: &[&str], suffixes: &[&str]) -> Vec<Key> {
    let bytes = text.as_bytes();
    // The distinct words, in order of first use. Nearly every word is at most 16 bytes long and
    // is told apart from the others by those bytes packed into an integer (a word byte is never
    // 0, so the zero padding marks where it ends): no string hashing or comparing for the
    // hundreds of repeats in a file. Longer words are compared as text.
    let mut short: HashSet<u128, foldhash::fast::FixedState> = HashSet::with_capacity_and_hasher(256, hasher());
    let mut long: HashSet<&str, foldhash::fast::FixedState> = HashSet::with_hasher(hasher());
    let mut words: Vec<&str> = Vec::with_capacity(256);
    words::for_each(bytes, 0..bytes.len(), |start, end| {
        // A word starting with a digit yields no key: no class name starts with one, and
        // taking a suffix off keeps the first byte (a prefix is never a digit).
        if bytes[start].is_ascii_digit() {
            return;
        }
        let len = end - start;
        let new = if len <= 16 {
            short.insert(pack(bytes, start, len))
        } else {
            // Word boundaries are ASCII bytes, so both ends are char boundaries.
            long.insert(&text[start..end])
        };
        if new {
            words.push(&text[start..end]);
        }
    });
    let mut keys: Vec<Key> = Vec::with_capacity(words.len() * 2);
    let mut buf = String::new();
    for word in words {
        push_keys(word, prefixes, suffixes, &mut buf, &mut keys);
    }
    keys.sort_unstable();
    keys.dedup();
    keys.shrink_to_fit();
    keys
}

/// Push the keys of one word, as [`word_keys`] describes them, onto `keys`.
fn push_keys(word: &str, prefixes: &[&str], suffixes: &[&str], buf: &mut String, keys: &mut Vec<Key>) {
    let stripped = prefixes
        .iter()
        .filter_map(|p| word.strip_prefix(p))
        .chain(suffixes.iter().filter_map(|s| word.strip_suffix(s)));
    for s in std::iter::once(word).chain(stripped) {
        // A class name starts with a letter; so does the key of anything naming one.
        let Some(key) = word_key(s, buf) else { continue };
        keys.push(key);
        if may_singularize(s) {
            inflect::with_singular(s, |singular| normalize_into(singular, buf));
            keys.push(hash_bytes(buf.as_bytes()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wants(text: &str, class: &str) -> bool {
        word_keys(text, &["current_"], &["_attributes"]).contains(&model_key(class))
    }

    #[test]
    fn words_starting_with_a_digit_name_nothing() {
        assert!(word_keys("1user 2_users 3x_attributes", &["current_"], &["_attributes"]).is_empty());
        assert_eq!(word_keys("1user user", &["current_"], &["_attributes"]), word_keys("user", &[], &[]));
    }

    /// Deduplicating by packed bytes finds exactly the words a pass over every occurrence finds:
    /// words of 15, 16 and 17 bytes, words sharing a 16-byte start, non-ASCII words, and words
    /// that end the text (where fewer than 16 bytes are left to load).
    #[test]
    fn packed_words_are_told_apart_exactly() {
        let every_word = |text: &str| {
            let mut buf = String::new();
            let mut keys: Vec<Key> = Vec::new();
            for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii())) {
                if !word.is_empty() && !word.as_bytes()[0].is_ascii_digit() {
                    push_keys(word, &["current_"], &["_attributes"], &mut buf, &mut keys);
                }
            }
            keys.sort_unstable();
            keys.dedup();
            keys
        };
        let texts = [
            "line_items_count line_items_countx line_items_counts line_items_count_attributes",
            "abcdefghijklmnop abcdefghijklmnopq abcdefghijklmno abcdefghijklmnop.people",
            "current_administrator current_administrators café_menus naïve_users x",
            "user.email; users.map(&:email) # statuses\nstatus statuses",
            "end_of_text_word_longer_than_sixteen",
            "people",
        ];
        for text in texts {
            assert_eq!(word_keys(text, &["current_"], &["_attributes"]), every_word(text), "{text}");
        }
        // Every cut of a text: a word at every distance from its end.
        let text = "a bb ccc_dddd eeeeeeeeeeeeeee ffffffffffffffff ggggggggggggggggg people octopi";
        for end in 0..=text.len() {
            assert_eq!(word_keys(&text[..end], &["current_"], &["_attributes"]), every_word(&text[..end]), "{end}");
        }
    }

    #[test]
    fn words_name_the_classes_rails_derives_from_them() {
        assert!(wants("user.email", "User"));
        assert!(wants("@users.each", "User"));
        assert!(wants("current_user.email", "User"));
        assert!(wants("params.require(:line_item)", "LineItem"));
        assert!(wants("order.line_items", "LineItem"));
        assert!(wants("Admin::User.where", "Admin::User"));
        assert!(wants("Admin::User.where", "User"));
        assert!(wants("people.first", "Person"));
        assert!(wants("octopi.count", "Octopus"));
        assert!(wants("mice.count", "Mouse"));
        assert!(wants("oxen.count", "Ox"));
        assert!(wants("statuses.count", "Status"));
        assert!(wants("f.fields_for :addresses", "Address"));
        assert!(wants("permit(addresses_attributes: [:city])", "Address"));
        assert!(wants("data.first", "Datum"));
        assert!(wants("record = Value0.find(1)", "Value0"));
        assert!(wants("value_0.name", "Value0"));
    }

    #[test]
    fn unrelated_words_do_not() {
        assert!(!wants("account.email", "User"));
        assert!(!wants("username = 1", "User"));
        assert!(!wants("admin_user.email", "User"));
        assert!(!wants("value_0_12.to_s", "Value0"));
        assert!(!wants("# nothing here", "Thing"));
    }

    /// The claim [`may_singularize`] rests on: a word it rejects singularizes to itself.
    #[test]
    fn words_that_cannot_singularize_do_not() {
        for w in ["user", "child", "sex", "move", "zombie", "person", "man", "quiz", "matrix", "ox", "item_1", "data_x"]
        {
            assert!(!may_singularize(w) || w.ends_with(['s', 'a', 'e', 'i', 'n']), "{w}");
            if !may_singularize(w) {
                assert_eq!(inflect::singularize(w), w, "{w}");
            }
        }
        assert!(may_singularize("oxenford"));
    }

    /// The stack path for ASCII words and the general one agree, and words that cannot start a
    /// class name have no key.
    #[test]
    fn word_keys_agree_with_model_keys() {
        let mut buf = String::new();
        for (word, class) in [("value_0", "Value0"), ("Line_Item", "LineItem"), ("café_x", "CaféX"), ("ÉTÉ", "Été")]
        {
            assert_eq!(word_key(word, &mut buf), Some(model_key(class)), "{word}");
        }
        let long = "a_".repeat(40);
        assert_eq!(word_key(&long, &mut buf), Some(model_key(&"A".repeat(40))));
        assert_eq!(word_key("_1x", &mut buf), None);
        assert_eq!(word_key("__", &mut buf), None);
    }

    #[test]
    fn model_keys_fingerprint_the_set() {
        let a = ModelKeys::from_classes(["User", "Post"]);
        let b = ModelKeys::from_classes(["Post", "User", "Post"]);
        let c = ModelKeys::from_classes(["User"]);
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
        assert!(a.wants(&word_keys("post.title", &[], &[])));
        assert!(!c.wants(&word_keys("post.title", &[], &[])));
    }
}

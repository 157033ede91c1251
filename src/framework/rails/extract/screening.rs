//! Screening: whether a Ruby file is worth parsing before the app's models are known.

use super::*;

/// Extract the facts of one Ruby, ERB or jbuilder file.
/// What the walker can find in a file without a model class of the app to resolve it through:
/// model declarations, serializers (their class name names the model), and `table.column`
/// names and nested `where` hashes in the arguments of an ActiveRecord query method called on a
/// receiver (only a model's own class body calls them without one, and that file declares a
/// model). Such a file is extracted; any other file's hits are all `Model`/`ModelColumn`
/// targets on classes the walker named after a word of the file, so it waits for the app's
/// models.
pub fn screen_source(path: &str, source: &str) -> Screen {
    if always_extracted(path, source) {
        Screen::Extract
    } else {
        // The walker names a model after a whole word, or after what follows `current_`
        // (`current_user`) or precedes `_attributes` (nested strong parameters).
        Screen::IfModel(screen::word_keys(&without_heredoc_text(source), &["current_"], &["_attributes"]))
    }
}

/// Whether the screen extracts a file whatever the app's models: the walker gives a file it may
/// defer only hits on models its words name (so facts that reach a model through another
/// file's binding — a keyword's callee, a local's own guess — are left to the files it always
/// extracts).
pub(super) fn always_extracted(path: &str, source: &str) -> bool {
    // Templates read what controllers bind, and controllers and mailers bind it; helpers read
    // what templates pass them: their names need not name a model at all (`@item.title`).
    binds_or_reads_bindings(path)
        || declares_model(path, source)
        || calls_query_method(source)
        || names_table_prefix(source)
        || names_library_model(source)
        || parameterizes(source)
        || lists_names(source)
        || plays_a_role(source)
}

/// Whether a file declares a decorator, policy or validator class (see `roles.rs`): its name
/// need not be a word of the file (`CaseContactDecorator`), and a validator's `record` is
/// bound by the models that name it.
fn plays_a_role(source: &str) -> bool {
    source.lines().filter_map(|l| l.trim_start().strip_prefix("class ")).any(|rest| {
        let name = rest.split(|c: char| c.is_whitespace() || c == '<' || c == ';').next().unwrap_or("");
        ["Decorator", "Policy", "Validator"].iter().any(|s| name.ends_with(s))
    })
}

/// Whether a file's class methods (or module functions) may return a literal list of names
/// that another file permits into a write (see `lists.rs`): their callers bind them.
fn lists_names(source: &str) -> bool {
    let b = source.as_bytes();
    let defines =
        memchr::memmem::find(b, b"def self.").is_some() || memchr::memmem::find(b, b"module_function").is_some();
    defines && [&b"%i["[..], b"%i(", b"[:", b"[\n"].iter().any(|p| memchr::memmem::find(b, p).is_some())
}

/// Whether a file may hand a mailer or notifier its params (`UserMailer.with(user: u)`) or a
/// notifier its mailer (`deliver_by :email`): the mailer reads them, whatever the names here.
fn parameterizes(source: &str) -> bool {
    let b = source.as_bytes();
    memchr::memmem::find(b, b".with(").is_some() || memchr::memmem::find(b, b"deliver_by").is_some()
}

/// Whether a file may give a namespace's models a table name prefix (`isolate_namespace Spree`
/// in an engine, `def self.table_name_prefix` in a module): other files' models need it.
fn names_table_prefix(source: &str) -> bool {
    let b = source.as_bytes();
    memchr::memmem::find(b, b"isolate_namespace").is_some() || memchr::memmem::find(b, b"table_name_prefix").is_some()
}

/// `source` with the literal text of its `<<~TAG` / `<<-TAG` heredoc bodies blanked (same
/// length, newlines kept); interpolations (`#{…}`) stay, being code. The walker never takes a
/// model name from literal heredoc text, and SQL heredocs name tables, whose singular would
/// otherwise name their models in every file with raw SQL. Only a body closed by its tag line
/// counts, and never an opener after a `#` on its line (it may be in a comment or a string):
/// a missed heredoc merely keeps words.
pub(super) fn without_heredoc_text(source: &str) -> std::borrow::Cow<'_, str> {
    let b = source.as_bytes();
    if memchr::memmem::find(b, b"<<").is_none() {
        return std::borrow::Cow::Borrowed(source);
    }
    let mut out = b.to_vec();
    let mut line_start = 0;
    while line_start < b.len() {
        let line_end = memchr::memchr(b'\n', &b[line_start..]).map_or(b.len(), |n| line_start + n);
        let line = &b[line_start..line_end];
        // Openers on this line, in order: (tag, interpolating).
        let mut openers: Vec<(&[u8], bool)> = Vec::new();
        let comment = memchr::memchr(b'#', line).unwrap_or(line.len());
        for at in double_lt(&line[..comment]) {
            let Some(&kind) = line.get(at + 2) else { continue };
            if kind != b'~' && kind != b'-' {
                continue;
            }
            let rest = &line[at + 3..];
            let (tag, interpolating) = match rest.first() {
                Some(&q @ (b'\'' | b'"' | b'`')) => match memchr::memchr(q, &rest[1..]) {
                    Some(end) => (&rest[1..1 + end], q != b'\''),
                    None => continue,
                },
                _ => {
                    let n = rest.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
                    (&rest[..n], true)
                }
            };
            if tag.is_empty() || tag[0].is_ascii_digit() {
                continue;
            }
            openers.push((tag, interpolating));
        }
        let mut next = line_end + 1;
        for (tag, interpolating) in openers {
            // The body: from `next` to the first line that is the tag (indented or not).
            let mut p = next;
            let mut close = None;
            while p < b.len() {
                let e = memchr::memchr(b'\n', &b[p..]).map_or(b.len(), |n| p + n);
                if b[p..e].trim_ascii() == tag {
                    close = Some((p, e));
                    break;
                }
                p = e + 1;
            }
            let Some((body_end, tag_end)) = close else { break };
            blank_literal(&b[next..body_end], &mut out[next..body_end], interpolating);
            next = tag_end + 1;
        }
        line_start = next.max(line_end + 1);
    }
    // Every byte of a blanked character became a space and interpolations are kept whole, so
    // this is UTF-8; should it not be, screening the original only keeps more words.
    match String::from_utf8(out) {
        Ok(s) => std::borrow::Cow::Owned(s),
        Err(_) => std::borrow::Cow::Borrowed(source),
    }
}

/// Offsets of the non-overlapping `<<` in `hay`, as `memmem::find_iter` gives them, without
/// building a searcher for every line of every file.
pub(super) fn double_lt(hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(p) = memchr::memchr(b'<', hay.get(from..)?) {
            let at = from + p;
            if hay.get(at + 1) == Some(&b'<') {
                from = at + 2;
                return Some(at);
            }
            from = at + 1;
        }
        None
    })
}

/// Blank `body` into `out` except newlines and, when `interpolating`, `#{…}` (nested braces).
pub(super) fn blank_literal(body: &[u8], out: &mut [u8], interpolating: bool) {
    let mut i = 0;
    while i < body.len() {
        if interpolating && body[i] == b'#' && body.get(i + 1) == Some(&b'{') {
            let mut depth = 0usize;
            while i < body.len() {
                match body[i] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        if body[i] != b'\n' {
            out[i] = b' ';
        }
        i += 1;
    }
}

/// Templates, controllers, mailers and helpers (an engine's too).
pub(super) fn binds_or_reads_bindings(path: &str) -> bool {
    ["app/views/", "app/controllers/", "app/mailers/", "app/helpers/"]
        .iter()
        .any(|dir| path.starts_with(dir) || path.contains(&format!("/{dir}")))
}

/// Whether `path` is where Rails autoloads models from (an engine's `app/models/` too).
pub(super) fn under_models(path: &str) -> bool {
    path.starts_with("app/models/") || path.contains("/app/models/")
}

/// A `class Name < Superclass` (comments and strings included: a false positive only costs a
/// parse) that the walker may take for a model or a serializer: the conditions of
/// `may_be_model` and `serialized_model`, loosened (any superclass under `app/models`, any
/// superclass containing `Record`, any class named `…Serializer`, `…Blueprint`, `…Resource`).
pub(super) fn declares_model(path: &str, source: &str) -> bool {
    let under_models = under_models(path);
    if memchr::memmem::find(source.as_bytes(), b"ActiveSupport::Concern").is_some() {
        return true;
    }
    let b = source.as_bytes();
    let constant = |b: u8| words::is_word_byte(b) || b == b':';
    for at in memchr::memmem::find_iter(b, b"class") {
        if at > 0 && words::is_word_byte(b[at - 1]) {
            continue;
        }
        let mut i = at + 5;
        let spaces = i;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_start = i;
        while i < b.len() && constant(b[i]) {
            i += 1;
        }
        let name = &source[name_start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if spaces == name_start || name.is_empty() || b.get(i) != Some(&b'<') || b.get(i + 1) == Some(&b'<') {
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let parent_start = i;
        while i < b.len() && constant(b[i]) {
            i += 1;
        }
        let parent = &source[parent_start..i];
        let last = name.rsplit("::").next().unwrap_or(name);
        if under_models
            || parent.contains("Record")
            || ["Serializer", "Blueprint", "Resource"].iter().any(|s| last.ends_with(s))
        {
            return true;
        }
    }
    false
}

/// Every method whose arguments may name `table.column` directly, as one set: the screen looks
/// up the word after every `.` and `::` of every file, hence the fast hasher.
pub(super) static QUERY_METHODS: std::sync::LazyLock<HashSet<&'static str, foldhash::fast::FixedState>> =
    std::sync::LazyLock::new(|| {
        HASH_KEY_METHODS.iter().chain(SYMBOL_METHODS).chain(FRAGMENT_METHODS).copied().collect()
    });

/// A call of a query method whose arguments may name `table.column` directly: `.where(`,
/// `&.order`, `::pluck`, a leading-dot chain across lines or comments.
pub(super) fn calls_query_method(source: &str) -> bool {
    let b = source.as_bytes();
    for dot in memchr::memchr2_iter(b'.', b':', b) {
        if b[dot] == b':' && b.get(dot + 1) != Some(&b':') {
            continue;
        }
        let mut i = dot + if b[dot] == b':' { 2 } else { 1 };
        loop {
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if b.get(i) != Some(&b'#') {
                break;
            }
            i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        if start == i || (i < b.len() && b[i] >= 0x80) {
            continue;
        }
        let word = &source[start..i];
        let with_suffix = match b.get(i) {
            Some(b'!' | b'?' | b'=') => Some(&source[start..=i]),
            _ => None,
        };
        let known = |m: &str| QUERY_METHODS.contains(m);
        if known(word) || with_suffix.is_some_and(known) {
            return true;
        }
    }
    false
}

//! Rails / ActiveRecord: models, their declarations and the places code uses their attributes.
//!
//! One file at a time, through tree-sitter-ruby (ERB templates are reduced to their Ruby code
//! first, byte offsets kept). What a file can tell is recorded as:
//! * [`ModelDecl`] for each class that may be an ActiveRecord model (`< ApplicationRecord`,
//!   `< ActiveRecord::Base`, `< SomethingRecord`, or, under `app/models/`, `< AnyModel` for
//!   single-table inheritance), with `self.table_name`, `abstract_class` and `ignored_columns`;
//! * `declaration` hits for what the class body maps: `self.table_name`, `primary_key`,
//!   `attribute`, `enum`, associations (foreign keys, polymorphic `_type`, counter caches, join
//!   tables), `store_accessor`, `serialize`, `alias_attribute` …;
//! * `query` hits where code names an attribute against something known to be a model: a
//!   relation (`User.where(email: …)`, a scope body, `where.not`), a record (`User.find(id).email`,
//!   `@user`, a local named after the model, a block parameter of a relation), strong parameters,
//!   jbuilder, form builders and serializers;
//! * `sql` hits for SQL fragments handed to `where`/`order`/`select`… (`where("email = ?")`),
//!   resolved against the relation's model. Whole SQL statements in strings and heredocs
//!   (`find_by_sql`, `connection.execute`, `<<~SQL`) are left to the SQL extractor, which reads
//!   every SQL-looking string literal of the file; emitting them here too would double them.
//!
//! Receivers are typed conservatively: an unknown receiver yields nothing rather than a guess.
//! Where a variable's name is the only evidence (`user.email`), the hit has medium confidence and
//! names `User`; cross-file resolution drops it when no such model (or column) exists.

use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};

use tree_sitter::{Node, Parser};

/// tree-sitter-ruby's field ids, looked up once: `child_by_field_name` compares the name with
/// every field name of the grammar on each call, and the walker asks for fields on most nodes.
mod field {
    use std::sync::LazyLock;

    fn id(name: &str) -> u16 {
        let language: tree_sitter::Language = tree_sitter_ruby::LANGUAGE.into();
        // 0 is no field: `child_by_field_id(0)` finds nothing, like an unknown name did.
        language.field_id_for_name(name).map_or(0, |f| f.get())
    }

    pub static ARGUMENTS: LazyLock<u16> = LazyLock::new(|| id("arguments"));
    pub static BODY: LazyLock<u16> = LazyLock::new(|| id("body"));
    pub static CONDITION: LazyLock<u16> = LazyLock::new(|| id("condition"));
    pub static KEY: LazyLock<u16> = LazyLock::new(|| id("key"));
    pub static LEFT: LazyLock<u16> = LazyLock::new(|| id("left"));
    pub static METHOD: LazyLock<u16> = LazyLock::new(|| id("method"));
    pub static NAME: LazyLock<u16> = LazyLock::new(|| id("name"));
    pub static OBJECT: LazyLock<u16> = LazyLock::new(|| id("object"));
    pub static OPERATOR: LazyLock<u16> = LazyLock::new(|| id("operator"));
    pub static PARAMETERS: LazyLock<u16> = LazyLock::new(|| id("parameters"));
    pub static PATTERN: LazyLock<u16> = LazyLock::new(|| id("pattern"));
    pub static RECEIVER: LazyLock<u16> = LazyLock::new(|| id("receiver"));
    pub static RIGHT: LazyLock<u16> = LazyLock::new(|| id("right"));
    pub static SUPERCLASS: LazyLock<u16> = LazyLock::new(|| id("superclass"));
    pub static VALUE: LazyLock<u16> = LazyLock::new(|| id("value"));
}

use crate::config::{Confidence, Framework};
use crate::scan::extract::{ExtractContext, Extractor, SourceFile};
use crate::scan::facts::{Association, Binding, FileFacts, Hit, ModelDecl, Root, Target};
use crate::scan::inflect;
use crate::scan::reference::RefKind;
use crate::scan::screen::{self, Screen};
use crate::scan::words;

#[derive(Default)]
pub struct RailsExtractor;

impl Extractor for RailsExtractor {
    fn id(&self) -> &'static str {
        "rails"
    }

    fn version(&self) -> u32 {
        1
    }

    fn applies(&self, path: &str, framework: Framework) -> bool {
        framework == Framework::Rails
            && [".rb", ".erb", ".jbuilder", ".rake", ".builder", ".haml", ".slim"].iter().any(|ext| path.ends_with(ext))
            && !path.ends_with("db/schema.rb")
    }

    fn screen(&self, path: &str, source: &str) -> Screen {
        screen_source(path, source)
    }

    fn holds_models(&self, path: &str) -> bool {
        under_models(path)
    }

    fn extract(&self, file: &SourceFile<'_>, _ctx: &ExtractContext<'_>) -> FileFacts {
        let (path, source) = (file.path, file.text);
        extract(path, source)
    }
}

/// Extract the facts of one Ruby, ERB or jbuilder file.
/// What the walker can find in a file without a model class of the app to resolve it through:
/// model declarations, serializers (their class name names the model), and `table.column`
/// names and nested `where` hashes in the arguments of an ActiveRecord query method called on a
/// receiver (only a model's own class body calls them without one, and that file declares a
/// model). Such a file is extracted; any other file's hits are all `Model`/`ModelColumn`
/// targets on classes the walker named after a word of the file, so it waits for the app's
/// models.
pub fn screen_source(path: &str, source: &str) -> Screen {
    // Templates read what controllers bind, and controllers and mailers bind it: their names
    // need not name a model at all (`@item.title`).
    if binds_or_reads_bindings(path) || declares_model(path, source) || calls_query_method(source) {
        Screen::Extract
    } else {
        // The walker names a model after a whole word, or after what follows `current_`
        // (`current_user`) or precedes `_attributes` (nested strong parameters).
        Screen::IfModel(screen::word_keys(&without_heredoc_text(source), &["current_"], &["_attributes"]))
    }
}

/// `source` with the literal text of its `<<~TAG` / `<<-TAG` heredoc bodies blanked (same
/// length, newlines kept); interpolations (`#{…}`) stay, being code. The walker never takes a
/// model name from literal heredoc text, and SQL heredocs name tables, whose singular would
/// otherwise name their models in every file with raw SQL. Only a body closed by its tag line
/// counts, and never an opener after a `#` on its line (it may be in a comment or a string):
/// a missed heredoc merely keeps words.
fn without_heredoc_text(source: &str) -> std::borrow::Cow<'_, str> {
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
fn double_lt(hay: &[u8]) -> impl Iterator<Item = usize> + '_ {
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
fn blank_literal(body: &[u8], out: &mut [u8], interpolating: bool) {
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

/// Templates, controllers and mailers (an engine's too).
fn binds_or_reads_bindings(path: &str) -> bool {
    ["app/views/", "app/controllers/", "app/mailers/"]
        .iter()
        .any(|dir| path.starts_with(dir) || path.contains(&format!("/{dir}")))
}

/// Whether `path` is where Rails autoloads models from (an engine's `app/models/` too).
fn under_models(path: &str) -> bool {
    path.starts_with("app/models/") || path.contains("/app/models/")
}

/// A `class Name < Superclass` (comments and strings included: a false positive only costs a
/// parse) that the walker may take for a model or a serializer: the conditions of
/// `may_be_model` and `serialized_model`, loosened (any superclass under `app/models`, any
/// superclass containing `Record`, any class named `…Serializer`, `…Blueprint`, `…Resource`).
fn declares_model(path: &str, source: &str) -> bool {
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
static QUERY_METHODS: std::sync::LazyLock<HashSet<&'static str, foldhash::fast::FixedState>> =
    std::sync::LazyLock::new(|| {
        HASH_KEY_METHODS.iter().chain(SYMBOL_METHODS).chain(FRAGMENT_METHODS).copied().collect()
    });

/// A call of a query method whose arguments may name `table.column` directly: `.where(`,
/// `&.order`, `::pluck`, a leading-dot chain across lines or comments.
fn calls_query_method(source: &str) -> bool {
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

pub fn extract(path: &str, source: &str) -> FileFacts {
    let code = if path.ends_with(".erb") {
        erb_to_ruby(source)
    } else if path.ends_with(".haml") || path.ends_with(".slim") {
        indented_template_to_ruby(source, path.ends_with(".slim"))
    } else {
        source.to_owned()
    };
    // One parser per thread: creating one and loading the grammar for every file is measurable
    // next to parsing a small file.
    thread_local! {
        static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
    }
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&tree_sitter_ruby::LANGUAGE.into()).ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(&code, None)
    });
    let Some(tree) = tree else { return FileFacts::default() };
    let mut walker = Walker::new(path, source, &code, &tree);
    // Without `<<` there is no heredoc: skip the extra walk of the whole tree.
    if memchr::memmem::find(code.as_bytes(), b"<<").is_some() {
        walker.heredocs = heredocs(tree.root_node());
    }
    walker.visit(tree.root_node());
    let mut facts = walker.facts;
    facts.hits.sort_by(|a, b| (a.line, a.column, &a.target, a.kind).cmp(&(b.line, b.column, &b.target, b.kind)));
    facts.hits.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.target == b.target && a.kind == b.kind);
    facts
}

/// Heredoc bodies follow their line in the tree, in the order their `<<~TAG`s appear on it:
/// pairing the n-th beginning with the n-th body in document order matches them.
fn heredocs(root: Node<'_>) -> HashMap<usize, Vec<(usize, usize)>> {
    let mut beginnings = Vec::new();
    let mut bodies = Vec::new();
    // One cursor over the whole tree, pre-order.
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        match node.kind() {
            "heredoc_beginning" => beginnings.push(node.start_byte()),
            "heredoc_body" => {
                let mut inner = node.walk();
                let parts: Vec<(usize, usize)> = node
                    .children(&mut inner)
                    .filter(|c| c.kind() == "heredoc_content")
                    .map(|c| (c.start_byte(), c.end_byte()))
                    .collect();
                bodies.push((node.start_byte(), parts));
            }
            _ => {}
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                beginnings.sort_unstable();
                bodies.sort_by_key(|(start, _)| *start);
                return beginnings.into_iter().zip(bodies.into_iter().map(|(_, parts)| parts)).collect();
            }
        }
    }
}

/// The Ruby code of an ERB template with every byte outside `<% %>` tags blanked (newlines
/// kept) and each tag closed with `;`, so offsets into it are offsets into the template.
/// `<%# %>` comments and `<%%` literals are blanked too.
pub fn erb_to_ruby(source: &str) -> String {
    let bytes = source.as_bytes();
    let mut out = vec![b' '; bytes.len()];
    let blank = |out: &mut Vec<u8>, from: usize, to: usize| {
        for i in from..to {
            if bytes[i] == b'\n' {
                out[i] = b'\n';
            }
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let Some(open) = memchr::memmem::find(&bytes[i..], b"<%").map(|p| i + p) else {
            blank(&mut out, i, bytes.len());
            break;
        };
        blank(&mut out, i, open);
        let close = memchr::memmem::find(&bytes[open + 2..], b"%>").map_or(bytes.len(), |p| open + 2 + p);
        let literal = bytes.get(open + 2) == Some(&b'%');
        let comment = bytes.get(open + 2) == Some(&b'#');
        let mut start = open + 2;
        if matches!(bytes.get(start), Some(b'=' | b'-')) {
            start += 1;
            if bytes.get(start) == Some(&b'=') {
                start += 1;
            }
        }
        let mut end = close;
        if end > start && bytes[end - 1] == b'-' {
            end -= 1;
        }
        if literal || comment {
            blank(&mut out, open, close.min(bytes.len()));
        } else {
            blank(&mut out, open, start);
            out[start..end].copy_from_slice(&bytes[start..end]);
        }
        if close < bytes.len() {
            out[close] = b';';
        }
        i = (close + 2).min(bytes.len());
    }
    // Only ASCII bytes were written outside copied code, and copied code is whole UTF-8 text
    // between ASCII delimiters; a lossy conversion is a no-op kept for safety.
    String::from_utf8_lossy(&out).into_owned()
}

/// The Ruby code of a HAML or Slim template, every other byte blanked (newlines kept): code
/// lines (`- x`, `= x`, `!= x`, `== x`), code after a tag (`%td= user.email`,
/// `td = user.email`) and `#{…}` in text. Comment lines (`-#`, `/`) and filters (`:javascript`)
/// are dropped with the lines nested under them. Blocks have no `end` in these languages: one is
/// written where the indentation closes a block (`= form_for @user do |f|`, `- if x`), in the
/// blanked indentation or markup of the line that closes it, so that block parameters type
/// their uses (`f.text_field :email`). When a line has no room for them, tree-sitter's error
/// recovery still keeps the calls, and receivers are typed by name.
pub fn indented_template_to_ruby(source: &str, slim: bool) -> String {
    let bytes = source.as_bytes();
    let mut out: Vec<u8> = bytes.iter().map(|&b| if b == b'\n' { b'\n' } else { b' ' }).collect();
    let keep = |out: &mut Vec<u8>, from: usize, to: usize| out[from..to].copy_from_slice(&bytes[from..to]);
    let mut skip_deeper_than: Option<usize> = None;
    // The indentation of each code line that opened a block still open.
    let mut open_blocks: Vec<usize> = Vec::new();
    // Where the `end`s closing blocks before the current line go: that line's blank room.
    let mut pending_ends = 0usize;
    let mut start = 0;
    for line in source.split_inclusive('\n') {
        let end = start + line.trim_end_matches(['\n', '\r']).len();
        let line_start = start;
        let text = &source[start..end];
        let indent = text.len() - text.trim_start().len();
        let body = text.trim_start();
        let at = start + indent;
        start += line.len();
        if body.is_empty() {
            continue;
        }
        if let Some(depth) = skip_deeper_than {
            if indent > depth {
                continue;
            }
            skip_deeper_than = None;
        }
        let code = ["!=", "&=", "==", "=", "-", "~"]
            .iter()
            .find(|m| body.starts_with(**m))
            .map(|m| body[m.len()..].trim_start());
        let continues = code
            .is_some_and(|c| ["else", "elsif ", "when ", "in ", "rescue", "ensure"].iter().any(|k| c.starts_with(k)));
        while let Some(&open) = open_blocks.last() {
            if indent > open || (indent == open && continues) {
                break;
            }
            open_blocks.pop();
            pending_ends += 1;
        }
        // The blank room before this line's kept code: its indentation, or the whole line when
        // nothing of it is kept (written below, once the kept part is known).
        let room_end = |out: &[u8]| (line_start..end).find(|&i| out[i] != b' ').unwrap_or(end);
        let opens = |c: &str| {
            let c = c.trim_end();
            let keyword =
                ["if ", "unless ", "case ", "while ", "until ", "for ", "begin"].iter().any(|k| c.starts_with(k));
            let block = c.ends_with(" do")
                || c == "do"
                || (c.ends_with('|') && c.rfind(" do |").is_some_and(|i| !c[i + 5..c.len() - 1].contains('|')));
            keyword || block
        };
        let close_here = |out: &mut Vec<u8>, pending: &mut usize| {
            let room = room_end(out) - line_start;
            let n = (*pending).min(room / 4);
            for k in 0..n {
                out[line_start + 4 * k..line_start + 4 * k + 4].copy_from_slice(b"end;");
            }
            // What does not fit closes on a later line with room: the block then reaches a
            // little further than it does, which binds nothing wrongly.
            *pending -= n;
        };
        let comment = body.starts_with("-#") || body.starts_with('/') || (body.starts_with(':') && !slim);
        let slim_filter = slim && body.starts_with(|c: char| c.is_ascii_lowercase()) && body.ends_with(':');
        if comment || slim_filter {
            skip_deeper_than = Some(indent);
            continue;
        }
        let marker = ["!=", "&=", "==", "=", "-", "~"].iter().find(|m| body.starts_with(**m));
        if let Some(marker) = marker {
            keep(&mut out, at + marker.len(), end);
            close_here(&mut out, &mut pending_ends);
            if code.is_some_and(|c| !continues && opens(c)) {
                open_blocks.push(indent);
            }
            continue;
        }
        // A tag: `%td.x{ a: 1 }= code`, `td.x = code`; otherwise text with `#{…}`.
        let tag_len = body
            .char_indices()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '%' | '.' | '#' | '-' | '_' | ':')))
            .map_or(body.len(), |(i, _)| i);
        let is_tag = tag_len > 0 && (body.starts_with(['%', '.', '#']) || slim);
        if is_tag {
            let mut i = tag_len;
            let rest = body.as_bytes();
            // Attribute groups: `{…}`, `(…)`, `[…]`.
            while let Some(&open) = rest.get(i) {
                let close = match open {
                    b'{' => b'}',
                    b'(' => b')',
                    b'[' => b']',
                    _ => break,
                };
                let mut depth = 0usize;
                while i < rest.len() {
                    if rest[i] == open {
                        depth += 1;
                    } else if rest[i] == close {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    i += 1;
                }
                i += 1;
            }
            let after = body.get(i..).unwrap_or("");
            let trimmed = after.trim_start();
            let code_marker = ["!=", "&=", "==", "="].iter().find(|m| trimmed.starts_with(**m));
            if let Some(m) = code_marker {
                let code_at = at + i + (after.len() - trimmed.len()) + m.len();
                keep(&mut out, code_at.min(end), end);
                close_here(&mut out, &mut pending_ends);
                if opens(trimmed[m.len()..].trim_start()) {
                    open_blocks.push(indent);
                }
                continue;
            }
        }
        // Interpolation in text.
        let mut search = 0;
        while let Some(p) = text[search..].find("#{").map(|p| search + p) {
            let Some(close) = text[p..].find('}').map(|c| p + c) else { break };
            let from = start - line.len() + p + 2;
            let to = start - line.len() + close;
            keep(&mut out, from, to);
            out[to] = b';';
            search = close + 1;
        }
        close_here(&mut out, &mut pending_ends);
    }
    // Blocks still open at the end of the file close after it: the text grows, but no offset
    // of the template's own code moves.
    for _ in 0..open_blocks.len() + pending_ends {
        out.extend_from_slice(b"\nend");
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What records are of: a model class the file names, or a name another file binds (a
/// controller's instance variable in its views, a partial's local), followed through the
/// associations of `path` (`@user.profile` → `@user`'s model's `profile`).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Rec {
    root: Root,
    path: Vec<String>,
}

impl Rec {
    fn model(class: impl Into<String>) -> Rec {
        Rec { root: Root::Model { model: class.into() }, path: Vec::new() }
    }

    fn bound(scopes: Vec<String>, name: &str, guess: Option<String>) -> Rec {
        Rec { root: Root::Binding { scopes, name: name.to_owned(), guess }, path: Vec::new() }
    }

    /// The records an association of these reads.
    fn via(&self, association: &str) -> Rec {
        let mut next = self.clone();
        next.path.push(association.to_owned());
        next
    }

    /// A use of these records' `name`; `table.column` names a table's column directly.
    fn attribute(&self, name: &str) -> Target {
        if let Some((table, column)) = name.split_once('.') {
            return Target::Column { table: table.to_owned(), column: column.to_owned() };
        }
        match (&self.root, self.path.is_empty()) {
            (Root::Model { model }, true) => Target::ModelColumn { model: model.clone(), column: name.to_owned() },
            _ => Target::Chain { root: self.root.clone(), path: self.path.clone(), attribute: Some(name.to_owned()) },
        }
    }
}

/// What an expression is known to evaluate to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ty {
    /// A relation (or the class itself) of the model.
    Relation(Rec, Confidence),
    /// One record of the model.
    Record(Rec, Confidence),
    /// `Model.arel_table`.
    Arel(Rec, Confidence),
    /// A form builder for the model (`form_with model: @user do |f|`).
    Form(Rec, Confidence),
    /// A literal value: a variable holding it is no record, whatever its name.
    Value,
    /// Hash and list literals a local holds (`attrs = %w[a b]`, `args = {a: 1}`, then
    /// `attrs.push :c`, `rows << {…}`), by byte range: passed to a query or write later
    /// (`User.select(*attrs)`, `User.create!(args)`, `super(only: attrs)`), their keys or items
    /// name attributes.
    Literal(Vec<(usize, usize)>),
}

const LITERALS: &[&str] = &[
    "string",
    "integer",
    "float",
    "hash",
    "array",
    "string_array",
    "symbol_array",
    "simple_symbol",
    "delimited_symbol",
    "true",
    "false",
    "nil",
    "regex",
    "lambda",
    "rational",
    "complex",
    "chained_string",
];

struct Scope {
    /// Fully qualified name of the class or module.
    name: String,

    /// Index into `facts.models` when the class may be a model.
    model: Option<usize>,
    /// The model a serializer / blueprint class renders.
    serializes: Option<String>,
    /// `table_name_prefix` defined by this module (in this file).
    table_prefix: Option<String>,
    /// For a controller or mailer: the view directory whose templates read its instance
    /// variables (`Admin::UsersController` → `admin/users`; `ApplicationController` → ``).
    views: Option<String>,
}

/// The locals of one method, collected when first asked for.
struct MethodLocals<'a> {
    range: (usize, usize),
    names: OnceCell<HashSet<&'a str>>,
}

struct Walker<'a> {
    path: &'a str,
    original: &'a str,
    code: &'a str,
    line_starts: Vec<usize>,
    facts: FileFacts,
    scopes: Vec<Scope>,
    /// Local variable types, innermost frame last.
    frames: Vec<HashMap<String, Ty>>,
    in_instance_method: bool,
    /// Local variables and parameters of the instance method being visited: any other bare
    /// identifier there is a method call on `self`.
    /// Computed on first use (most methods never need it), from the method's byte range.
    method_locals: Option<MethodLocals<'a>>,
    tree: &'a tree_sitter::Tree,
    /// Heredoc bodies by the byte offset of their `<<~TAG`: the literal parts' byte ranges.
    heredocs: HashMap<usize, Vec<(usize, usize)>>,
    /// The associated model while visiting an association's scope lambda
    /// (`has_many :posts, -> { where(published: true) }` queries `Post`).
    association_scope: Option<Rec>,
    /// For a template: its directory under `app/views/` (`admin/users`).
    view_dir: Option<String>,
    /// The name of the method being visited (`as_json`: its `super(only: …)` serializes).
    method_name: Option<&'a str>,
    /// For a partial (`app/views/home/_tag.html.erb`): the scope its locals are bound in.
    partial_scope: Option<String>,
    /// Every name a template binds itself (assignments, block parameters), collected when first
    /// asked for: any other bare name in a partial may be one of its locals.
    template_locals: OnceCell<HashSet<&'a str>>,
}

/// The scope a view directory's templates read instance variables from.
fn view_scope(dir: &str) -> String {
    format!("rails:view:{dir}")
}

/// The scope a partial's locals are bound in (`home/single_tag` for `home/_single_tag.html.erb`).
fn partial_scope(dir: &str, name: &str) -> String {
    if dir.is_empty() { format!("rails:partial:{name}") } else { format!("rails:partial:{dir}/{name}") }
}

/// The scopes a template of view directory `dir` (or its controller) reads instance variables
/// from: its own and each enclosing directory's, where a namespace's base controller and
/// `ApplicationController` bind.
fn view_scopes(dir: &str) -> Vec<String> {
    let mut out = vec![view_scope(dir)];
    let mut rest = dir;
    while let Some((parent, _)) = rest.rsplit_once('/') {
        out.push(view_scope(parent));
        rest = parent;
    }
    if !dir.is_empty() {
        out.push(view_scope(""));
    }
    out
}

/// Where a template lives: its directory under `app/views/` and, for a partial, its name
/// (`app/views/home/_single_tag.html.erb` → (`home`, Some(`single_tag`))).
fn template_location(path: &str) -> Option<(String, Option<String>)> {
    let rest = match path.find("app/views/") {
        Some(i) if i == 0 || path.as_bytes()[i - 1] == b'/' => &path[i + "app/views/".len()..],
        _ => return None,
    };
    let (dir, file) = rest.rsplit_once('/').unwrap_or(("", rest));
    let name = file.split('.').next().unwrap_or(file);
    Some((dir.to_owned(), name.strip_prefix('_').map(str::to_owned)))
}

/// The view directory of a controller or mailer class: `Admin::UsersController` →
/// `admin/users`, `UserMailer` → `user_mailer`; a base class (`ApplicationController`,
/// `Admin::BaseController`) binds for its whole namespace.
fn controller_views(class: &str) -> Option<String> {
    let path = inflect::underscore(class);
    let (dir, last) = path.rsplit_once('/').unwrap_or(("", &path));
    if let Some(name) = last.strip_suffix("_controller") {
        return Some(if matches!(name, "application" | "base") {
            dir.to_owned()
        } else {
            format!("{dir}/{name}").trim_start_matches('/').to_owned()
        });
    }
    if last.ends_with("_mailer") {
        return Some(if last == "application_mailer" { dir.to_owned() } else { path.clone() });
    }
    None
}

/// Methods that return a relation of the same model.
const RELATION_METHODS: &[&str] = &[
    "where",
    "not",
    "rewhere",
    "order",
    "reorder",
    "limit",
    "offset",
    "includes",
    "preload",
    "eager_load",
    "joins",
    "left_joins",
    "left_outer_joins",
    "select",
    "group",
    "having",
    "distinct",
    "all",
    "unscoped",
    "none",
    "readonly",
    "lock",
    "references",
    "merge",
    "or",
    "and",
    "extending",
    "unscope",
    "strict_loading",
    "with",
    "reselect",
    "regroup",
    "in_order_of",
    "invert_where",
    "excluding",
    "without",
    "only",
    "except",
    "create_with",
    "from",
    "order_by",
    "kept",
    "discarded",
    "with_deleted",
    "only_deleted",
    "page",
    "per",
];

/// Methods that return one record of the relation's model.
const RECORD_METHODS: &[&str] = &[
    "first",
    "last",
    "find",
    "find_by",
    "find_by!",
    "take",
    "take!",
    "sole",
    "find_sole_by",
    "new",
    "create",
    "create!",
    "build",
    "first!",
    "last!",
    "second",
    "third",
    "find_or_create_by",
    "find_or_create_by!",
    "find_or_initialize_by",
    "first_or_create",
    "first_or_create!",
    "first_or_initialize",
    "create_or_find_by",
    "create_or_find_by!",
    "reload",
    "lock!",
    "becomes",
    "becomes!",
    "dup",
    "presence",
    "tap",
];

/// Methods whose hash-argument keys are attributes.
const HASH_KEY_METHODS: &[&str] = &[
    "where",
    "not",
    "rewhere",
    "find_by",
    "find_by!",
    "find_sole_by",
    "find_or_create_by",
    "find_or_create_by!",
    "find_or_initialize_by",
    "create_or_find_by",
    "create_or_find_by!",
    "create_with",
    "exists?",
    "new",
    "create",
    "create!",
    "build",
    "update",
    "update!",
    "update_columns",
    "update_all",
    "update_counters",
    "assign_attributes",
    "attributes=",
    "insert",
    "insert!",
    "upsert",
    "insert_all",
    "insert_all!",
    "upsert_all",
    "first_or_create",
    "first_or_create!",
    "first_or_initialize",
    "order",
    "reorder",
    "in_order_of",
    "where_not",
    "excluding",
];

/// Methods whose symbol (and string) arguments are attributes.
const SYMBOL_METHODS: &[&str] = &[
    "pluck",
    "pick",
    "order",
    "reorder",
    "group",
    "regroup",
    "select",
    "reselect",
    "count",
    "sum",
    "average",
    "minimum",
    "maximum",
    "increment!",
    "decrement!",
    "toggle!",
    "increment",
    "decrement",
    "toggle",
    "increment_counter",
    "decrement_counter",
    "update_column",
    "update_attribute",
    "update_attribute!",
    "read_attribute",
    "write_attribute",
    "attribute_changed?",
    "saved_change_to_attribute?",
    "will_save_change_to_attribute?",
    "attribute_was",
    "attribute_in_database",
    "has_attribute?",
    "attribute_before_type_cast",
    "in_order_of",
    "touch",
    "unscope",
    "ids_by",
    "index_by_attribute",
];

/// Of [`SYMBOL_METHODS`], those whose only attribute is the first argument.
const FIRST_ARG_ONLY: &[&str] = &[
    "increment!",
    "decrement!",
    "toggle!",
    "increment",
    "decrement",
    "toggle",
    "update_column",
    "update_attribute",
    "update_attribute!",
    "read_attribute",
    "write_attribute",
    "attribute_changed?",
    "saved_change_to_attribute?",
    "will_save_change_to_attribute?",
    "attribute_was",
    "attribute_in_database",
    "has_attribute?",
    "attribute_before_type_cast",
    "in_order_of",
    "count",
    "sum",
    "average",
    "minimum",
    "maximum",
    "increment_counter",
    "decrement_counter",
];

/// Methods whose string argument is an SQL fragment over the relation's columns.
const FRAGMENT_METHODS: &[&str] = &[
    "where",
    "not",
    "rewhere",
    "having",
    "order",
    "reorder",
    "select",
    "reselect",
    "group",
    "regroup",
    "pluck",
    "pick",
    "update_all",
];

/// Iterators whose block parameter is one record of the relation.
const RECORD_ITERATORS: &[&str] = &[
    "each",
    "find_each",
    "map",
    "flat_map",
    "collect",
    "select",
    "filter",
    "reject",
    "each_with_index",
    "each_with_object",
    "filter_map",
    "find",
    "detect",
    "sort_by",
    "group_by",
    "index_by",
    "sum",
    "any?",
    "all?",
    "none?",
    "min_by",
    "max_by",
    "partition",
    "each_slice",
    "count",
    "to_h",
    "many?",
    "one?",
];

const FORM_HELPERS: &[&str] = &[
    "form_with",
    "form_for",
    "simple_form_for",
    "semantic_form_for",
    "bootstrap_form_for",
    "bootstrap_form_with",
    "fields_for",
    "fields",
    "simple_fields_for",
];

/// Form builder methods that do not name an attribute.
const FORM_NON_FIELDS: &[&str] =
    &["submit", "button", "fields_for", "fields", "simple_fields_for", "error_notification", "object", "hidden"];

/// Methods of every Ruby object or record that are not attributes.
const NOT_ATTRIBUTES: &[&str] = &[
    "present?",
    "blank?",
    "nil?",
    "presence",
    "to_s",
    "to_i",
    "to_f",
    "to_h",
    "to_a",
    "to_json",
    "as_json",
    "inspect",
    "class",
    "hash",
    "errors",
    "valid?",
    "invalid?",
    "persisted?",
    "new_record?",
    "destroyed?",
    "changed?",
    "changes",
    "save",
    "save!",
    "destroy",
    "destroy!",
    "delete",
    "reload",
    "touch",
    "attributes",
    "frozen?",
    "to_param",
    "to_key",
    "model_name",
    "freeze",
    "dup",
    "clone",
    "then",
    "tap",
    "itself",
    "length",
    "size",
    "empty?",
    "any?",
    "strip",
    "downcase",
    "upcase",
    "titleize",
    "humanize",
    "capitalize",
    "to_sym",
    "to_date",
    "to_time",
    "iso8601",
    "strftime",
    "round",
    "abs",
    "readonly?",
    "changed_attributes",
    "previous_changes",
    "saved_changes",
    "cache_key",
    "cache_key_with_version",
    "lock!",
    "increment",
    "decrement",
    "squish",
    "html_safe",
    "to_sentence",
];

/// Receivers that are never model records, whatever their name. Names an app may give a model
/// (`message`, `event`, `item`, `result`) are not here: a guess names a model only when the app
/// declares one of that name, which resolution checks against the app's model index.
const NOT_MODELS: &[&str] = &[
    "params",
    "json",
    "xml",
    "request",
    "response",
    "session",
    "cookies",
    "flash",
    "self",
    "config",
    "options",
    "opts",
    "args",
    "attrs",
    "attributes",
    "hash",
    "h",
    "data",
    "row",
    "rows",
    "record",
    "records",
    "object",
    "obj",
    "value",
    "values",
    "key",
    "keys",
    "errors",
    "error",
    "logger",
    "env",
    "headers",
    "t",
    "f",
    "form",
    "builder",
    "x",
    "y",
    "i",
    "e",
    "ex",
    "k",
    "v",
    "acc",
    "relation",
    "scope",
    "query",
    "collection",
    "list",
    "array",
    "set",
    "model",
    "klass",
    "resource",
    "resources",
    "target",
    "source",
    "current",
    "response_body",
    "payload",
];

impl<'a> Walker<'a> {
    fn new(path: &'a str, original: &'a str, code: &'a str, tree: &'a tree_sitter::Tree) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', original.as_bytes()).map(|i| i + 1));
        Walker {
            path,
            original,
            code,
            line_starts,
            facts: FileFacts::default(),
            scopes: Vec::new(),
            frames: vec![HashMap::new()],
            in_instance_method: false,
            method_locals: None,
            tree,
            association_scope: None,
            heredocs: HashMap::new(),
            view_dir: template_location(path).map(|(dir, _)| dir),
            partial_scope: template_location(path).and_then(|(dir, name)| Some(partial_scope(&dir, &name?))),
            template_locals: OnceCell::new(),
            method_name: None,
        }
    }

    fn text(&self, node: Node<'_>) -> &'a str {
        self.code.get(node.byte_range()).unwrap_or("")
    }

    fn line_col(&self, offset: usize) -> (u32, u32) {
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.original.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (line as u32, column as u32)
    }

    fn snippet(&self, line: u32) -> String {
        let start = self.line_starts.get(line as usize - 1).copied().unwrap_or(0);
        let end = self.line_starts.get(line as usize).map_or(self.original.len(), |e| e.saturating_sub(1));
        self.original.get(start..end).unwrap_or("").trim().to_owned()
    }

    fn hit_at(&mut self, offset: usize, target: Target, kind: RefKind, confidence: Confidence) {
        let (line, column) = self.line_col(offset);
        let snippet = self.snippet(line);
        self.facts.hits.push(Hit { line, column, target, kind, confidence, snippet });
    }

    fn column_hit(&mut self, node: Node<'_>, rec: &Rec, column: &str, kind: RefKind, confidence: Confidence) {
        if !is_identifier(column) {
            return;
        }
        self.hit_at(node.start_byte(), rec.attribute(column), kind, confidence);
    }

    /// The innermost class scope (or concern), if it is a model: its records.
    fn current_model(&self) -> Option<Rec> {
        if let Some(rec) = &self.association_scope {
            return Some(rec.clone());
        }
        let scope = self.scopes.last()?;
        scope.model.map(|i| Rec::model(self.facts.models[i].class.clone()))
    }

    fn lookup(&self, name: &str) -> Option<Ty> {
        self.frames.iter().rev().find_map(|f| f.get(name).cloned())
    }

    fn bind(&mut self, name: &str, ty: Ty) {
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(name.to_owned(), ty);
        }
    }

    /// The view directory of the innermost controller or mailer class being visited.
    fn controller_views(&self) -> Option<&str> {
        self.scopes.iter().rev().find_map(|s| s.views.as_deref())
    }

    /// The scopes an instance variable read here is bound in: the controller's (and its
    /// namespace's), or the template's directory's; none elsewhere.
    fn ivar_scopes(&self) -> Vec<String> {
        match self.controller_views().or(self.view_dir.as_deref()) {
            Some(dir) => view_scopes(dir),
            None => Vec::new(),
        }
    }

    /// In a partial: whether `name` is bound nowhere in the template itself, so that it may be
    /// one of the locals `render` passes.
    fn not_bound_here(&self, name: &str) -> bool {
        if self.partial_scope.is_none() {
            return false;
        }
        let locals = self.template_locals.get_or_init(|| {
            let mut out = HashSet::new();
            collect_locals(self.tree.root_node(), self.code, &mut out);
            out
        });
        !locals.contains(name)
    }

    /// Record that `name` holds `ty`'s records for the files of `scope`.
    fn bind_for(&mut self, scope: String, name: &str, ty: &Ty) {
        // A form builder passed to a partial (`render "form", f: f`) binds its model's record.
        if let Ty::Record(rec, _) | Ty::Relation(rec, _) | Ty::Form(rec, _) = ty {
            let binding = Binding { scope, name: name.to_owned(), root: rec.root.clone(), path: rec.path.clone() };
            // `@user = @user` or a binding of a name by itself says nothing.
            let circular = matches!(&binding.root, Root::Binding { scopes, name: n, .. } if *n == binding.name && scopes.contains(&binding.scope));
            if !circular && !self.facts.bindings.contains(&binding) {
                self.facts.bindings.push(binding);
            }
        }
    }

    fn visit(&mut self, node: Node<'_>) {
        match node.kind() {
            "comment" => {}
            "module" => self.visit_namespace(node, false),
            "class" => self.visit_namespace(node, true),
            "method" => self.visit_method(node, true),
            "singleton_method" => self.visit_method(node, false),
            "singleton_class" => {
                let saved = std::mem::replace(&mut self.in_instance_method, false);
                self.visit_children(node);
                self.in_instance_method = saved;
            }
            "assignment" | "operator_assignment" => {
                self.assignment(node);
                self.visit_children(node);
            }
            "call" => self.visit_call(node),
            "binary" => {
                // `rows << {…}`: one more literal the local holds.
                if let (Some(left), Some(op), Some(right)) = (
                    node.child_by_field_id(*field::LEFT),
                    node.child_by_field_id(*field::OPERATOR),
                    node.child_by_field_id(*field::RIGHT),
                ) && left.kind() == "identifier"
                    && self.text(op) == "<<"
                    && matches!(right.kind(), "hash" | "array" | "simple_symbol" | "string")
                {
                    self.extend_literal(self.text(left), right);
                }
                self.visit_children(node);
            }
            "identifier" if self.in_instance_method => self.dirty_attribute(node),
            "identifier" => {
                // A bare macro in a class body: `has_secure_password`, `primary_abstract_class`.
                if let Some(index) = self.scopes.last().and_then(|s| s.model) {
                    let name = self.text(node);
                    self.declaration(node, index, name, &[]);
                }
            }
            "element_reference" => {
                self.element_reference(node);
                self.visit_children(node);
            }
            _ => self.visit_children(node),
        }
    }

    fn visit_children(&mut self, node: Node<'_>) {
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            self.visit(child);
        }
    }

    /// Whether the instance method being visited has no local (or parameter) named `name`;
    /// false outside instance methods.
    fn not_a_local(&self, name: &str) -> bool {
        let Some(locals) = &self.method_locals else { return false };
        let names = locals.names.get_or_init(|| {
            let mut out = HashSet::new();
            // The smallest node spanning a method's bytes is the method itself.
            if let Some(method) = self.tree.root_node().descendant_for_byte_range(locals.range.0, locals.range.1) {
                collect_locals(method, self.code, &mut out);
            }
            out
        });
        !names.contains(name)
    }

    fn visit_namespace(&mut self, node: Node<'_>, is_class: bool) {
        let Some(name_node) = node.child_by_field_id(*field::NAME) else { return self.visit_children(node) };
        let written = self.text(name_node);
        let name = match written.strip_prefix("::") {
            Some(absolute) => absolute.to_owned(),
            None => match self.scopes.last() {
                Some(outer) => format!("{}::{written}", outer.name),
                None => written.to_owned(),
            },
        };
        let superclass = node
            .child_by_field_id(*field::SUPERCLASS)
            .and_then(|s| s.named_child(0))
            .filter(|s| matches!(s.kind(), "constant" | "scope_resolution"))
            .map(|s| self.text(s).trim_start_matches("::").to_owned());
        let views = if is_class { controller_views(&name) } else { None };
        let mut scope = Scope { name: name.clone(), model: None, serializes: None, table_prefix: None, views };
        if is_class && let Some(parent) = &superclass {
            if self.may_be_model(parent) {
                let (line, column) = self.line_col(node.start_byte());
                let table = self.nested_table(&name);
                self.facts.models.push(ModelDecl {
                    framework: Framework::Rails,
                    class: name.clone(),
                    parent: Some(parent.clone()),
                    table,
                    is_abstract: false,
                    ignored_columns: Vec::new(),
                    fields: Vec::new(),
                    associations: Vec::new(),
                    mixins: Vec::new(),
                    line,
                    column,
                    snippet: self.snippet(line),
                });
                scope.model = Some(self.facts.models.len() - 1);
            } else if let Some(model) = serialized_model(&name, parent) {
                scope.serializes = Some(model);
            }
        }
        if !is_class && self.text(node).contains("ActiveSupport::Concern") {
            // A concern: what its `included` block declares and its instance methods read
            // belong to every model that includes it.
            let (line, column) = self.line_col(node.start_byte());
            self.facts.models.push(ModelDecl {
                framework: Framework::Rails,
                class: name.clone(),
                parent: None,
                table: None,
                is_abstract: true,
                ignored_columns: Vec::new(),
                fields: Vec::new(),
                associations: Vec::new(),
                mixins: Vec::new(),
                line,
                column,
                snippet: self.snippet(line),
            });
            scope.model = Some(self.facts.models.len() - 1);
        }
        self.scopes.push(scope);
        self.frames.push(HashMap::new());
        let saved = std::mem::replace(&mut self.in_instance_method, false);
        if let Some(body) = node.child_by_field_id(*field::BODY) {
            self.visit(body);
        }
        self.in_instance_method = saved;
        self.frames.pop();
        self.scopes.pop();
    }

    fn may_be_model(&self, parent: &str) -> bool {
        let last = inflect::demodulize(parent);
        if is_record_base(parent) {
            return true;
        }
        // Single-table inheritance: a subclass of a model is a model. Within `app/models` a
        // superclass that is not a well-known non-model is taken as a possible model. The
        // resolver maps every declared class to a table, so this stays narrow: a namespaced
        // superclass counts only inside the app's own namespace (`Billing::Invoice` from
        // `module Billing`), never a gem's (`Reform::Form`, `Dry::Struct`).
        if self.facts.models.iter().any(|m| m.class == parent || m.class.ends_with(&format!("::{parent}"))) {
            return true;
        }
        let under_models = self.path.starts_with("app/models/") || self.path.contains("/app/models/");
        let not_model =
            ["Error", "Exception", "Struct", "Object", "Serializer", "Job", "Mailer", "Controller", "Delegator"]
                .iter()
                .any(|s| last.ends_with(s))
                || ["Hash", "Array", "String", "OpenStruct", "Set", "Data"].contains(&parent)
                || parent.starts_with("Active")
                || parent.starts_with("Action");
        let own_namespace = match parent.split_once("::") {
            None => true,
            Some((head, _)) => self.scopes.iter().any(|s| s.name.split("::").next() == Some(head)),
        };
        under_models && !not_model && own_namespace
    }

    /// The table of a base model when this file alone decides it: the enclosing module's
    /// `table_name_prefix`, or an enclosing (concrete) model class.
    fn nested_table(&self, class: &str) -> Option<String> {
        let outer = self.scopes.last()?;
        if let Some(i) = outer.model {
            let parent = &self.facts.models[i];
            if parent.is_abstract {
                return None;
            }
            let parent_table = parent.table.clone().unwrap_or_else(|| inflect::tableize(&parent.class));
            let naming =
                inflect::TableNaming { nesting_table: Some(&parent_table), ..inflect::TableNaming::rails_default() };
            return Some(inflect::table_name(class, &naming));
        }
        let prefix = self.scopes.iter().rev().find_map(|s| s.table_prefix.as_deref())?;
        let naming = inflect::TableNaming { prefix, ..inflect::TableNaming::rails_default() };
        Some(inflect::table_name(class, &naming))
    }

    fn visit_method(&mut self, node: Node<'_>, instance: bool) {
        let name = node.child_by_field_id(*field::NAME).map(|n| self.text(n)).unwrap_or("");
        if !instance && name == "table_name_prefix" {
            // `def self.table_name_prefix; "admin_"; end` in a namespace module.
            if let Some(body) = node.child_by_field_id(*field::BODY)
                && let Some(prefix) = first_string(body, self.code)
                && let Some(scope) = self.scopes.last_mut()
            {
                scope.table_prefix = Some(prefix);
            }
        }
        if !instance
            && name == "table_name"
            && let Some(index) = self.scopes.last().and_then(|s| s.model)
            && let Some(body) = node.child_by_field_id(*field::BODY)
            && let Some(string) = first_string_node(body)
            && let Some((table, offset)) = symbol_or_string(string, self.code)
        {
            // `def self.table_name = "legacy_users"`: the method form of `self.table_name =`.
            self.facts.models[index].table = Some(table.clone());
            self.hit_at(offset, Target::Table { table }, RefKind::Declaration, Confidence::High);
        }
        if instance
            && let Some(column) = name.strip_suffix('=')
            && is_identifier(column)
            && let Some(model) = self.current_model()
            && let Some(name_node) = node.child_by_field_id(*field::NAME)
        {
            // `def selector=(s) … super` in a model overrides the attribute's writer: the column
            // is written through it (a name that is no column is dropped by resolution).
            self.hit_at(name_node.start_byte(), model.attribute(column), RefKind::Query, Confidence::Medium);
        }
        let saved_name = self.method_name.replace(name);
        let saved = std::mem::replace(&mut self.in_instance_method, instance);
        let locals = MethodLocals { range: (node.start_byte(), node.end_byte()), names: OnceCell::new() };
        let saved_locals = std::mem::replace(&mut self.method_locals, instance.then_some(locals));
        self.frames.push(HashMap::new());
        let name_node = node.child_by_field_id(*field::NAME);
        let mut cursor = node.walk();
        for child in node.children(&mut cursor).filter(|c| Some(*c) != name_node) {
            self.visit(child);
        }
        self.frames.pop();
        self.method_locals = saved_locals;
        self.in_instance_method = saved;
        self.method_name = saved_name;
    }

    /// `self.table_name = …`, `self.ignored_columns += …`, `record.email = …`, `x = User.find(…)`.
    fn assignment(&mut self, node: Node<'_>) {
        let (Some(left), Some(right)) = (node.child_by_field_id(*field::LEFT), node.child_by_field_id(*field::RIGHT))
        else {
            return;
        };
        if left.kind() == "call"
            && let Some(method) = left.child_by_field_id(*field::METHOD)
        {
            let method = self.text(method);
            let receiver = left.child_by_field_id(*field::RECEIVER);
            let on_self = receiver.is_some_and(|r| r.kind() == "self");
            if on_self && !self.in_instance_method && self.model_setting(method, right) {
                return;
            }
            if let Some(receiver) = receiver
                && let Some(Ty::Record(model, confidence)) = self.eval(receiver)
                && let Some(name_node) = left.child_by_field_id(*field::METHOD)
            {
                self.column_hit(name_node, &model, method, RefKind::Query, confidence);
            }
            return;
        }
        if node.kind() == "assignment" && matches!(left.kind(), "identifier" | "instance_variable") {
            let name = self.text(left).to_owned();
            if let Some(ty) = self.eval(right) {
                if left.kind() == "instance_variable"
                    && let Some(dir) = self.controller_views().map(str::to_owned)
                {
                    self.bind_for(view_scope(&dir), &name, &ty);
                }
                self.bind(&name, ty);
            } else if matches!(right.kind(), "hash" | "array" | "string_array" | "symbol_array") {
                self.bind(&name, Ty::Literal(vec![(right.start_byte(), right.end_byte())]));
            } else if LITERALS.contains(&right.kind()) {
                // `status = "active"`: whatever its name, the variable holds no record.
                self.bind(&name, Ty::Value);
            }
        } else if node.kind() == "operator_assignment" && left.kind() == "identifier" {
            // `attrs += %i[a b]`
            self.extend_literal(self.text(left), right);
        }
    }

    /// Adds a literal to the ones a local holds (`rows << {…}`, `attrs.push :karma`).
    fn extend_literal(&mut self, name: &str, item: Node<'_>) {
        for frame in self.frames.iter_mut().rev() {
            if let Some(ty) = frame.get_mut(name) {
                if let Ty::Literal(ranges) = ty {
                    ranges.push((item.start_byte(), item.end_byte()));
                }
                return;
            }
        }
    }

    /// The literals an argument stands for: itself, or what the local it names (`attrs`,
    /// `*attrs`, `**args`) holds.
    fn literals(&self, arg: Node<'_>) -> Vec<Node<'a>> {
        let name = match arg.kind() {
            "identifier" => arg,
            "splat_argument" | "hash_splat_argument" => match arg.named_child(0) {
                Some(n) if n.kind() == "identifier" => n,
                _ => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        let Some(Ty::Literal(ranges)) = self.lookup(self.text(name)) else { return Vec::new() };
        let root = self.tree.root_node();
        ranges.iter().filter_map(|&(start, end)| root.descendant_for_byte_range(start, end)).collect()
    }

    /// `only:` / `except:` of a serialization (`as_json(only: [:a])`, `super(only: attrs)` in a
    /// model's `as_json`): the listed names are attributes.
    fn serialized_attributes(&mut self, rec: &Rec, confidence: Confidence, args: &[Node<'_>]) {
        for pair in args.iter().flat_map(|a| pairs(*a)) {
            let key = pair.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code));
            let (Some((key, _)), Some(value)) = (key, pair.child_by_field_id(*field::VALUE)) else { continue };
            if !matches!(key.as_str(), "only" | "except") {
                continue;
            }
            let mut values: Vec<Node<'_>> = self.literals(value);
            if values.is_empty() {
                values.push(value);
            }
            for value in values {
                for (column, offset) in strings_in(value, self.code) {
                    if is_identifier(&column) {
                        self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence.min(Confidence::Medium));
                    }
                }
            }
        }
    }

    /// `self.x = …` in a model's class body. Returns whether it was a model setting.
    fn model_setting(&mut self, setting: &str, value: Node<'_>) -> bool {
        let Some(index) = self.scopes.last().and_then(|s| s.model) else {
            if setting == "table_name_prefix"
                && let Some(prefix) = string_value(value, self.code)
                && let Some(scope) = self.scopes.last_mut()
            {
                scope.table_prefix = Some(prefix);
                return true;
            }
            return false;
        };
        let model = self.facts.models[index].class.clone();
        match setting {
            "table_name" => {
                if let Some(table) = string_value(value, self.code) {
                    let offset = string_offset(value);
                    self.facts.models[index].table = Some(table.clone());
                    self.hit_at(offset, Target::Table { table }, RefKind::Declaration, Confidence::High);
                }
            }
            "abstract_class" => self.facts.models[index].is_abstract = value.kind() == "true",
            "ignored_columns" => {
                let names = strings_in(value, self.code);
                let ignored = &mut self.facts.models[index].ignored_columns;
                for (name, _) in names {
                    if !ignored.contains(&name) {
                        ignored.push(name);
                    }
                }
            }
            "primary_key" | "inheritance_column" | "locking_column" => {
                for (column, offset) in strings_in(value, self.code) {
                    let target = Target::ModelColumn { model: model.clone(), column };
                    self.hit_at(offset, target, RefKind::Declaration, Confidence::High);
                }
            }
            "table_name_prefix" => {
                if let Some(prefix) = string_value(value, self.code)
                    && let Some(scope) = self.scopes.last_mut()
                {
                    scope.table_prefix = Some(prefix);
                }
            }
            _ => return false,
        }
        true
    }

    fn element_reference(&mut self, node: Node<'_>) {
        let Some(object) = node.child_by_field_id(*field::OBJECT) else { return };
        let Some(index) = node.named_child(1) else { return };
        let Some((column, offset)) = symbol_or_string(index, self.code) else { return };
        let model = match self.eval(object) {
            Some(Ty::Arel(rec, confidence)) | Some(Ty::Record(rec, confidence)) => Some((rec, confidence)),
            _ if object.kind() == "call" => {
                // `User.columns_hash["email"]`, `User.attribute_types["email"]`.
                let method = object.child_by_field_id(*field::METHOD).map(|m| self.text(m));
                match (method, object.child_by_field_id(*field::RECEIVER).and_then(|r| self.eval(r))) {
                    (Some("columns_hash" | "attribute_types" | "column_defaults"), Some(Ty::Relation(m, c))) => {
                        Some((m, c))
                    }
                    _ => None,
                }
            }
            // `attributes["reply"]` in a model's instance method.
            _ if object.kind() == "identifier"
                && self.text(object) == "attributes"
                && self.not_a_local("attributes") =>
            {
                self.current_model().map(|m| (m, Confidence::High))
            }
            _ if object.kind() == "self" && self.in_instance_method => {
                self.current_model().map(|m| (m, Confidence::High))
            }
            _ => None,
        };
        if let Some((rec, confidence)) = model
            && is_identifier(&column)
        {
            self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence);
        }
    }

    fn visit_call(&mut self, node: Node<'_>) {
        let block_binding = self.call(node);
        let association = self.association_target(node);
        let saved_scope = if association.is_some() {
            std::mem::replace(&mut self.association_scope, association)
        } else {
            self.association_scope.clone()
        };
        self.visit_call_children(node, block_binding);
        self.association_scope = saved_scope;
    }

    /// The model an association declared by `call` in a model's class body points at.
    fn association_target(&self, call: Node<'_>) -> Option<Rec> {
        if self.in_instance_method || call.child_by_field_id(*field::RECEIVER).is_some() {
            return None;
        }
        self.scopes.last().and_then(|s| s.model)?;
        let method = self.text(call.child_by_field_id(*field::METHOD)?);
        if !matches!(method, "has_many" | "has_one" | "belongs_to" | "has_and_belongs_to_many") {
            return None;
        }
        let args = arguments(call);
        let (name, _) = args.first().and_then(|a| symbol_or_string(*a, self.code))?;
        let class_name = args.iter().flat_map(|a| pairs(*a)).find_map(|p| {
            let key = p.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code))?;
            (key.0 == "class_name")
                .then(|| p.child_by_field_id(*field::VALUE).and_then(|v| symbol_or_string(v, self.code)))?
        });
        Some(Rec::model(match class_name {
            Some((class, _)) => class.trim_start_matches("::").to_owned(),
            None if matches!(method, "has_many" | "has_and_belongs_to_many") => inflect::classify(&name),
            None => inflect::camelize(&name),
        }))
    }

    fn visit_call_children(&mut self, node: Node<'_>, block_binding: Option<Ty>) {
        let method_node = node.child_by_field_id(*field::METHOD);
        let mut cursor = node.walk();
        for child in node.children(&mut cursor).filter(|c| Some(*c) != method_node) {
            if matches!(child.kind(), "do_block" | "block") {
                self.frames.push(HashMap::new());
                if let Some(ty) = block_binding.clone()
                    && let Some(param) = first_block_param(child, self.code)
                {
                    self.bind(param, ty);
                }
                self.visit(child);
                self.frames.pop();
            } else {
                self.visit(child);
            }
        }
    }

    /// Emit the hits of one call; return what its block's first parameter is.
    fn call(&mut self, node: Node<'_>) -> Option<Ty> {
        let method_node = node.child_by_field_id(*field::METHOD);
        let method = method_node.map(|m| self.text(m)).unwrap_or("");
        let receiver = node.child_by_field_id(*field::RECEIVER);
        let args = arguments(node);

        if let Some(r) = receiver
            && r.kind() == "identifier"
            && matches!(method, "push" | "append" | "concat" | "unshift" | "prepend" | "merge!" | "<<")
            && matches!(self.lookup(self.text(r)), Some(Ty::Literal(_)))
        {
            let name = self.text(r);
            for arg in &args {
                self.extend_literal(name, *arg);
            }
            return None;
        }
        if receiver.is_none() {
            if let Some(index) = self.scopes.last().and_then(|s| s.model)
                && !self.in_instance_method
                && let Some(rest) = method.strip_prefix("create_")
                && !self.facts.models[index].associations.iter().any(|a| a.name == rest.trim_end_matches('!'))
            {
                // A model's own creating helper (`create_without_dupe!(user: u, note: n)`), not
                // a has_one's `create_<association>`: its hash is the model's attributes.
                let rec = Rec::model(self.facts.models[index].class.clone());
                for arg in &args {
                    self.hash_keys(*arg, &rec, Confidence::Medium, false);
                }
            }
            if self.in_instance_method
                && args.is_empty()
                && let Some(method_node) = method_node
            {
                self.dirty_attribute(method_node);
            }
            if let Some(index) = self.scopes.last().and_then(|s| s.model)
                && !self.in_instance_method
                && self.declaration(node, index, method, &args)
            {
                return None;
            }
            if let Some(model) = self.scopes.last().and_then(|s| s.serializes.clone())
                && !self.in_instance_method
                && matches!(method, "attributes" | "attribute" | "fields" | "field" | "identifier")
            {
                let rec = Rec::model(model);
                for arg in &args {
                    if let Some((column, offset)) = symbol_or_string(*arg, self.code) {
                        let target = rec.attribute(&column);
                        if is_identifier(target_column(&target)) {
                            self.hit_at(offset, target, RefKind::Query, Confidence::Medium);
                        }
                    }
                }
                return None;
            }
            if FORM_HELPERS.contains(&method) {
                return self.form_model(&args).map(|(m, c)| Ty::Form(m, c));
            }
            if method == "render" {
                self.render(&args);
                return None;
            }
        }

        if let Some(receiver) = receiver {
            let receiver_text = self.text(receiver);
            // Strong parameters: `params.require(:user).permit(:email, …)`, `params.expect(user: […])`.
            if method == "permit"
                && receiver.kind() == "call"
                && receiver.child_by_field_id(*field::METHOD).is_some_and(|m| self.text(m) == "require")
                && receiver.child_by_field_id(*field::RECEIVER).is_some_and(|r| self.text(r) == "params")
            {
                if let Some((key, _)) = arguments(receiver).first().and_then(|a| symbol_or_string(*a, self.code)) {
                    self.permitted(&Rec::model(inflect::camelize(&key)), &args);
                }
                return None;
            }
            if method == "expect" && receiver_text == "params" {
                for pair in args.iter().flat_map(|a| pairs(*a)) {
                    if let (Some(key), Some(value)) =
                        (pair.child_by_field_id(*field::KEY), pair.child_by_field_id(*field::VALUE))
                        && let Some((key, _)) = symbol_or_string(key, self.code)
                    {
                        self.permitted(&Rec::model(inflect::camelize(&key)), &[value]);
                    }
                }
                return None;
            }
            // jbuilder: `json.extract! user, :a`, `json.(user, :a)`, `json.array! @users, :a`.
            if receiver_text == "json" && matches!(method, "extract!" | "" | "array!") {
                if let Some((first, rest)) = args.split_first()
                    && let Some(Ty::Record(rec, c) | Ty::Relation(rec, c)) = self.eval(*first)
                {
                    for arg in rest {
                        if let Some((column, offset)) = symbol_or_string(*arg, self.code)
                            && is_identifier(&column)
                        {
                            self.hit_at(offset, rec.attribute(&column), RefKind::Query, c.min(Confidence::Medium));
                        }
                    }
                }
                return None;
            }
            if receiver_text == "json" {
                return None;
            }
            // Form builders: `f.text_field :email`, `f.fields_for :address do |af|`.
            if let Some(Ty::Form(rec, confidence)) = self.eval(receiver) {
                if matches!(method, "fields_for" | "fields" | "simple_fields_for") {
                    // The nested form is for the association's records.
                    let nested = args.first().and_then(|a| symbol_or_string(*a, self.code)).map(|(k, _)| k)?;
                    return Some(Ty::Form(rec.via(&nested), confidence.min(Confidence::Medium)));
                }
                if !FORM_NON_FIELDS.contains(&method)
                    && let Some(first) = args.first()
                    && let Some((column, offset)) = symbol_or_string(*first, self.code)
                    && is_identifier(&column)
                {
                    self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence.min(Confidence::Medium));
                }
                return None;
            }
        }

        // The model the call is made against.
        let subject = match receiver {
            // `where.not(…)` inside a model: the receiver is the bare `where`.
            Some(r) if r.kind() == "identifier" && self.text(r) == "where" => {
                self.current_model().map(|m| Ty::Relation(m, Confidence::High))
            }
            Some(r) => self.eval(r),
            None => self.implicit_self(),
        };
        let subject = subject?;
        let (rec, confidence) = match &subject {
            Ty::Relation(m, c) | Ty::Record(m, c) => (m.clone(), *c),
            Ty::Arel(..) | Ty::Form(..) | Ty::Value | Ty::Literal(_) => return None,
        };
        // `User.where(…)`, `User.find(…)`: the class itself used through ActiveRecord's API is a
        // use of its table (resolution drops classes that are no model).
        if let Some(r) = receiver
            && matches!(r.kind(), "constant" | "scope_resolution")
            && is_active_record_api(method)
        {
            let name = self.text(r).trim_start_matches("::").to_owned();
            self.hit_at(r.start_byte(), Target::Model { model: name }, RefKind::Query, Confidence::High);
        }

        let mut known = false;
        if HASH_KEY_METHODS.contains(&method) {
            known = true;
            let where_like = matches!(method, "where" | "not" | "rewhere" | "where_not" | "find_by" | "exists?");
            let bulk = matches!(method, "insert" | "insert!" | "upsert" | "insert_all" | "insert_all!" | "upsert_all");
            for arg in &args {
                if bulk && arg.kind() == "pair" {
                    // Options of a bulk write: `unique_by: :email`, `update_only: [:name]`.
                    let key = arg.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code));
                    if let Some((key, _)) = key
                        && matches!(key.as_str(), "unique_by" | "update_only")
                        && let Some(value) = arg.child_by_field_id(*field::VALUE)
                    {
                        for (column, offset) in strings_in(value, self.code) {
                            if is_identifier(&column) {
                                self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence);
                            }
                        }
                    }
                    continue;
                }
                let held = self.literals(*arg);
                if held.is_empty() {
                    self.hash_keys(*arg, &rec, confidence, where_like);
                }
                for literal in held {
                    self.hash_keys(literal, &rec, confidence.min(Confidence::Medium), false);
                }
            }
        }
        if SYMBOL_METHODS.contains(&method) {
            known = true;
            let only_first = FIRST_ARG_ONLY.contains(&method);
            for (i, arg) in args.iter().enumerate() {
                if only_first && i > 0 {
                    break;
                }
                if matches!(arg.kind(), "simple_symbol" | "delimited_symbol")
                    && let Some((column, offset)) = symbol_or_string(*arg, self.code)
                {
                    let target = rec.attribute(&column);
                    if is_identifier(target_column(&target)) {
                        self.hit_at(offset, target, RefKind::Query, confidence);
                    }
                } else if arg.kind() == "hash" || arg.kind() == "pair" {
                    self.hash_keys(*arg, &rec, confidence, false);
                } else {
                    // `User.select(*attrs)` with `attrs = %w[id karma]`.
                    for literal in self.literals(*arg) {
                        for (column, offset) in strings_in(literal, self.code) {
                            if is_identifier(&column) {
                                let c = confidence.min(Confidence::Medium);
                                self.hit_at(offset, rec.attribute(&column), RefKind::Query, c);
                            }
                        }
                    }
                }
            }
        }
        let serializes = |name: &str| matches!(name, "as_json" | "to_json" | "serializable_hash" | "to_xml");
        if serializes(method) || (method == "super" && self.method_name.is_some_and(serializes)) {
            known = true;
            self.serialized_attributes(&rec, confidence, &args);
        }
        if matches!(method, "try" | "try!" | "public_send" | "send" | "[]")
            && matches!(subject, Ty::Record(..))
            && let Some((column, offset)) = args.first().and_then(|a| symbol_or_string(*a, self.code))
            && is_identifier(&column)
        {
            // `current_user.try(:favorite_languages)`, `record.public_send(:email)`.
            known = true;
            self.hit_at(offset, rec.attribute(&column), RefKind::Query, confidence.min(Confidence::Medium));
        }
        if FRAGMENT_METHODS.contains(&method) {
            known = true;
            let first =
                args.first().copied().map(|a| if a.kind() == "array" { a.named_child(0).unwrap_or(a) } else { a });
            let fragments: Vec<Node<'_>> = if matches!(method, "where" | "not" | "rewhere" | "having" | "update_all") {
                first.into_iter().collect()
            } else {
                args.clone()
            };
            for arg in fragments {
                self.fragment(arg, &rec, confidence);
            }
        }
        if let Some(columns) = dynamic_finder(method)
            && let Some(method_node) = method_node
        {
            known = true;
            let mut offset = method_node.start_byte() + (method.len() - columns.len());
            for column in columns.trim_end_matches('!').split("_and_") {
                self.hit_at(offset, rec.attribute(column), RefKind::Query, confidence);
                offset += column.len() + "_and_".len();
            }
        }

        // A block over a relation's records.
        let block_ty = match &subject {
            Ty::Relation(m, c) if RECORD_ITERATORS.contains(&method) => Some(Ty::Record(m.clone(), *c)),
            Ty::Relation(m, c) if matches!(method, "find_in_batches" | "in_batches") => {
                Some(Ty::Relation(m.clone(), *c))
            }
            Ty::Record(m, c) if matches!(method, "tap" | "then" | "with_lock") => Some(Ty::Record(m.clone(), *c)),
            _ => None,
        };

        // An attribute read on a record: `user.email`, `user.email_changed?`.
        if !known
            && let (Some(_), Ty::Record(rec, confidence), Some(method_node)) = (receiver, &subject, method_node)
            && args.is_empty()
            && method_node.kind() == "identifier"
            && block_ty.is_none()
            && !RECORD_METHODS.contains(&method)
            && !RELATION_METHODS.contains(&method)
        {
            // A plural name may be a has_many association or a column (`comment.flags`):
            // resolution knows the model's associations and decides.
            let column = attribute_of(method);
            if is_identifier(column) && !NOT_ATTRIBUTES.contains(&method) {
                let offset = method_node.start_byte() + method.find(column).unwrap_or(0);
                self.hit_at(offset, rec.attribute(column), RefKind::Query, *confidence);
            }
        }
        block_ty
    }

    /// `email_before_last_save`, `saved_change_to_email?` … called without a receiver in a
    /// model's instance method: the suffixes make them attribute methods, not local variables.
    ///
    /// Any other bare identifier there that is not a local variable or parameter is a call on
    /// `self` too (`name.presence || email`): an attribute read when the table has that column,
    /// which resolution decides.
    fn dirty_attribute(&mut self, node: Node<'_>) {
        let name = self.text(node);
        let column = attribute_of(name);
        let Some(model) = self.current_model() else { return };
        if !is_identifier(column) || self.lookup(name).is_some() {
            return;
        }
        let dirty = column.len() < name.trim_end_matches('?').len() || name.contains("change_to_");
        let confidence = if dirty {
            Confidence::High
        } else if self.not_a_local(name) && !NOT_ATTRIBUTES.contains(&name) {
            Confidence::Medium
        } else {
            return;
        };
        let offset = node.start_byte() + name.find(column).unwrap_or(0);
        self.hit_at(offset, model.attribute(column), RefKind::Query, confidence);
    }

    /// The type of `self` for a receiverless call.
    fn implicit_self(&self) -> Option<Ty> {
        let model = self.current_model()?;
        Some(if self.in_instance_method {
            Ty::Record(model, Confidence::High)
        } else {
            Ty::Relation(model, Confidence::High)
        })
    }

    /// A declaration in a model's class body. Returns whether `method` was one.
    fn declaration(&mut self, call: Node<'_>, index: usize, method: &str, args: &[Node<'_>]) -> bool {
        let model = self.facts.models[index].class.clone();
        let rec = Rec::model(model.clone());
        let high = Confidence::High;
        let decl = RefKind::Declaration;
        let symbols: Vec<(String, Node<'_>)> = args
            .iter()
            .filter(|a| matches!(a.kind(), "simple_symbol" | "delimited_symbol" | "string"))
            .filter_map(|a| symbol_or_string(*a, self.code).map(|(s, _)| (s, *a)))
            .collect();
        let options: Vec<Node<'_>> = args.iter().flat_map(|a| pairs(*a)).collect();
        let option = |name: &str| -> Option<Node<'_>> {
            options.iter().copied().find(|p| {
                p.child_by_field_id(*field::KEY)
                    .and_then(|k| symbol_or_string(k, self.code))
                    .is_some_and(|(k, _)| k == name)
            })
        };
        let option_value = |name: &str| option(name).and_then(|p| p.child_by_field_id(*field::VALUE));
        let option_string =
            |name: &str| option_value(name).and_then(|v| symbol_or_string(v, self.code)).map(|(s, _)| s);
        match method {
            "primary_abstract_class" => self.facts.models[index].is_abstract = true,
            "include" | "prepend" => {
                for arg in args.iter().filter(|a| matches!(a.kind(), "constant" | "scope_resolution")) {
                    let module = self.text(*arg).trim_start_matches("::").to_owned();
                    let mixins = &mut self.facts.models[index].mixins;
                    if !mixins.contains(&module) {
                        mixins.push(module);
                    }
                }
            }
            "attribute" | "serialize" | "store" | "store_accessor" | "has_secure_token" | "composed_of" => {
                if let Some((column, node)) = symbols.first() {
                    let column = if method == "composed_of" {
                        option_string("mapping").unwrap_or_default()
                    } else {
                        column.clone()
                    };
                    self.column_hit(*node, &rec, &column, decl, high);
                } else if method == "has_secure_token" {
                    // `has_secure_token` without a name maps the `token` column.
                    self.column_hit(call, &rec, "token", decl, high);
                }
            }
            "encrypts" | "normalizes" | "attr_readonly" | "validates" | "validates!" | "validates_each"
            | "validates_with" => {
                let kind = if matches!(method, "encrypts" | "attr_readonly") { decl } else { RefKind::Query };
                for (column, node) in &symbols {
                    self.column_hit(*node, &rec, column, kind, high);
                }
                self.scope_option(&options, &rec);
            }
            _ if method.starts_with("validates_") && method.ends_with("_of") => {
                for (column, node) in &symbols {
                    self.column_hit(*node, &rec, column, RefKind::Query, high);
                }
                self.scope_option(&options, &rec);
            }
            "alias_attribute" => {
                if let Some((column, node)) = symbols.get(1) {
                    self.column_hit(*node, &rec, column, decl, high);
                }
            }
            "has_secure_password" => {
                let attr = symbols.first().map_or("password".to_owned(), |(s, _)| s.clone());
                let at = symbols.first().map_or(call, |(_, n)| *n);
                self.column_hit(at, &rec, &format!("{attr}_digest"), decl, high);
            }
            "enum" => {
                // What `enum` names: the column, its values, and the affixes of the generated
                // predicates (`prefix: true` → `status_active?`, `suffix: :state` → `active_state?`).
                let affix =
                    |name: &str, column: &str| match option_value(name).or_else(|| option_value(&format!("_{name}"))) {
                        Some(v) if v.kind() == "true" => Some(column.to_owned()),
                        Some(v) => symbol_or_string(v, self.code).map(|(s, _)| s),
                        None => None,
                    };
                let mut declared: Vec<(String, Option<Node<'_>>)> = Vec::new();
                if let Some((column, node)) = symbols.first() {
                    self.column_hit(*node, &rec, column, decl, high);
                    declared.push((column.clone(), args.get(1).copied()));
                } else {
                    // Rails < 7: `enum status: {…}, _prefix: true`.
                    for pair in &options {
                        if let Some(key) = pair.child_by_field_id(*field::KEY)
                            && let Some((column, _)) = symbol_or_string(key, self.code)
                            && !column.starts_with('_')
                            && !matches!(
                                column.as_str(),
                                "prefix" | "suffix" | "scopes" | "default" | "validate" | "instance_methods"
                            )
                        {
                            self.column_hit(key, &rec, &column, decl, high);
                            declared.push((column, pair.child_by_field_id(*field::VALUE)));
                        }
                    }
                }
                for (column, values) in declared {
                    let values = match values {
                        Some(v) if v.kind() == "hash" => pairs(v)
                            .iter()
                            .filter_map(|p| p.child_by_field_id(*field::KEY))
                            .filter_map(|k| symbol_or_string(k, self.code))
                            .map(|(s, _)| s)
                            .collect(),
                        Some(v) => strings_in(v, self.code).into_iter().map(|(s, _)| s).collect(),
                        None => Vec::new(),
                    };
                    let prefix = affix("prefix", &column).map(|p| format!("{p}_")).unwrap_or_default();
                    let suffix = affix("suffix", &column).map(|s| format!("_{s}")).unwrap_or_default();
                    // `record.active?` reads the enum's column: resolution maps the predicate's
                    // attribute to it, as it maps any declared field.
                    let fields = &mut self.facts.models[index].fields;
                    for value in values.iter().filter(|v| is_identifier(v)) {
                        let attribute = format!("{prefix}{value}{suffix}");
                        if attribute != column && !fields.iter().any(|(a, _)| *a == attribute) {
                            fields.push((attribute, column.clone()));
                        }
                    }
                }
            }
            "belongs_to" | "has_many" | "has_one" | "has_and_belongs_to_many" => {
                let Some((name, node)) = symbols.first() else { return true };
                let class_name = option_string("class_name").map(|c| c.trim_start_matches("::").to_owned());
                let many = matches!(method, "has_many" | "has_and_belongs_to_many");
                let polymorphic = option_value("polymorphic").is_some_and(|v| v.kind() == "true");
                let association = Association {
                    name: name.clone(),
                    // A polymorphic association reads whichever model `_type` names.
                    model: match &class_name {
                        _ if polymorphic => String::new(),
                        Some(class) => class.clone(),
                        None if many => inflect::classify(name),
                        None => inflect::camelize(name),
                    },
                    many,
                    foreign_key: (method == "belongs_to")
                        .then(|| option_string("foreign_key").unwrap_or_else(|| format!("{name}_id"))),
                    inverse: None,
                };
                let associations = &mut self.facts.models[index].associations;
                if !associations.contains(&association) {
                    associations.push(association);
                }
                match method {
                    "belongs_to" => {
                        let fk = option_string("foreign_key").unwrap_or_else(|| format!("{name}_id"));
                        // A stated key is used where it is written (often lines below the name).
                        let fk_at = option_value("foreign_key").unwrap_or(*node);
                        self.column_hit(fk_at, &rec, &fk, decl, high);
                        if option_value("polymorphic").is_some_and(|v| v.kind() == "true") {
                            self.column_hit(*node, &rec, &format!("{name}_type"), decl, high);
                        } else {
                            let target = class_name.unwrap_or_else(|| inflect::camelize(name));
                            self.hit_at(node.start_byte(), Target::Model { model: target.clone() }, decl, high);
                            // `primary_key: :uuid`: the key the foreign key points at.
                            if let Some(pk) = option_string("primary_key") {
                                self.column_hit(*node, &Rec::model(target.clone()), &pk, decl, high);
                            }
                            if let Some(cache) = option_value("counter_cache") {
                                let column = match symbol_or_string(cache, self.code) {
                                    Some((c, _)) => c,
                                    None if cache.kind() == "true" => {
                                        format!(
                                            "{}_count",
                                            inflect::pluralize(&inflect::underscore(inflect::demodulize(&model)))
                                        )
                                    }
                                    None => String::new(),
                                };
                                self.column_hit(cache, &Rec::model(target.clone()), &column, decl, high);
                            }
                        }
                    }
                    "has_many" | "has_one" => {
                        let target = class_name.unwrap_or_else(|| {
                            if method == "has_many" { inflect::classify(name) } else { inflect::camelize(name) }
                        });
                        self.hit_at(node.start_byte(), Target::Model { model: target.clone() }, decl, high);
                        if option("through").is_none() {
                            if let Some(poly) = option_string("as") {
                                self.column_hit(*node, &Rec::model(target.clone()), &format!("{poly}_id"), decl, high);
                                self.column_hit(
                                    *node,
                                    &Rec::model(target.clone()),
                                    &format!("{poly}_type"),
                                    decl,
                                    high,
                                );
                            } else {
                                let fk = option_string("foreign_key").unwrap_or_else(|| inflect::foreign_key(&model));
                                let fk_at = option_value("foreign_key").unwrap_or(*node);
                                self.column_hit(fk_at, &Rec::model(target.clone()), &fk, decl, high);
                            }
                        }
                    }
                    _ => {
                        let target = class_name.unwrap_or_else(|| inflect::classify(name));
                        self.hit_at(node.start_byte(), Target::Model { model: target.clone() }, decl, high);
                        let own_table =
                            self.facts.models[index].table.clone().unwrap_or_else(|| inflect::tableize(&model));
                        let join = option_string("join_table")
                            .unwrap_or_else(|| join_table_name(&own_table, &inflect::tableize(&target)));
                        let fk = option_string("foreign_key").unwrap_or_else(|| inflect::foreign_key(&model));
                        let afk =
                            option_string("association_foreign_key").unwrap_or_else(|| inflect::foreign_key(&target));
                        let at = node.start_byte();
                        let at_option = |name: &str| option_value(name).map_or(at, |v| v.start_byte());
                        self.hit_at(at_option("join_table"), Target::Table { table: join.clone() }, decl, high);
                        self.hit_at(
                            at_option("foreign_key"),
                            Target::Column { table: join.clone(), column: fk },
                            decl,
                            high,
                        );
                        self.hit_at(
                            at_option("association_foreign_key"),
                            Target::Column { table: join, column: afk },
                            decl,
                            high,
                        );
                    }
                }
            }
            "devise" => {
                // Each Devise module maps its columns (devise/lib/generators templates).
                for (module, node) in &symbols {
                    let columns: &[&str] = match module.as_str() {
                        "database_authenticatable" => &["email", "encrypted_password"],
                        "recoverable" => &["reset_password_token", "reset_password_sent_at"],
                        "rememberable" => &["remember_created_at"],
                        "trackable" => &[
                            "sign_in_count",
                            "current_sign_in_at",
                            "last_sign_in_at",
                            "current_sign_in_ip",
                            "last_sign_in_ip",
                        ],
                        "confirmable" => {
                            &["confirmation_token", "confirmed_at", "confirmation_sent_at", "unconfirmed_email"]
                        }
                        "lockable" => &["failed_attempts", "unlock_token", "locked_at"],
                        _ => &[],
                    };
                    for column in columns {
                        self.column_hit(*node, &rec, column, decl, high);
                    }
                }
            }
            "acts_as_paranoid" | "acts_as_list" => {
                let default = if method == "acts_as_paranoid" { "deleted_at" } else { "position" };
                let column = option_string("column").unwrap_or_else(|| default.to_owned());
                self.column_hit(call, &rec, &column, decl, high);
            }
            "delegate" => {
                // `delegate :email, to: :user` reads `users.email` through the association
                // (`prefix:` only renames the delegating method).
                if let Some(to) = option_string("to")
                    && is_identifier(&to)
                {
                    let target = inflect::camelize(&to);
                    for (column, node) in &symbols {
                        self.column_hit(*node, &Rec::model(target.clone()), column, RefKind::Query, Confidence::Medium);
                    }
                }
            }
            _ => return false,
        }
        true
    }

    /// `render` in a template or controller: the partial's locals are bound to what is passed —
    /// `render "tag", tag: @tag`, `render partial: "tag", locals: { tag: t }`, `render partial:
    /// "tag", collection: @tags, as: :tag`, `render @tags` (each record, as `tag`, in
    /// `tags/_tag`).
    fn render(&mut self, args: &[Node<'_>]) {
        let Some(here) = self.controller_views().or(self.view_dir.as_deref()).map(str::to_owned) else { return };
        let options: Vec<Node<'_>> = args.iter().flat_map(|a| pairs(*a)).collect();
        let option = |name: &str| {
            options.iter().find_map(|p| {
                let key = p.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code))?;
                (key.0 == name).then(|| p.child_by_field_id(*field::VALUE)).flatten()
            })
        };
        // The partial: a string first argument, `partial:`, or a record's or collection's own.
        let named = args
            .first()
            .filter(|a| a.kind() == "string")
            .or(option("partial").as_ref())
            .and_then(|n| string_value(*n, self.code));
        let string_first = args.first().is_some_and(|a| a.kind() == "string");
        let (partial, passed) = match named {
            Some(name) => (name, None),
            None => {
                let Some(value) = args.first().filter(|a| !matches!(a.kind(), "pair" | "hash")) else { return };
                let Some(ty) = self.eval(*value) else { return };
                let Some(model) = guessed_model(&ty) else { return };
                let singular = inflect::underscore(inflect::demodulize(&model));
                (format!("{}/{singular}", inflect::pluralize(&singular)), Some((singular, ty)))
            }
        };
        let (dir, name) = match partial.rsplit_once('/') {
            Some((dir, name)) => (dir.to_owned(), name.to_owned()),
            None => (here, partial.clone()),
        };
        let scope = partial_scope(&dir, name.trim_start_matches('_'));
        if let Some((local, ty)) = passed {
            self.bind_for(scope.clone(), &local, &ty);
        }
        for key in ["collection", "object"] {
            if let Some(value) = option(key)
                && let Some(ty) = self.eval(value)
            {
                let local = option("as").and_then(|a| string_value(a, self.code)).unwrap_or_else(|| name.clone());
                self.bind_for(scope.clone(), &local, &ty);
            }
        }
        // `locals: { tag: @tag }`, or the pairs after the partial's name.
        let locals: Vec<Node<'_>> = match option("locals") {
            Some(hash) => pairs(hash),
            None if string_first => options.clone(),
            None => Vec::new(),
        };
        for pair in locals {
            let (Some(key), Some(value)) = (pair.child_by_field_id(*field::KEY), pair.child_by_field_id(*field::VALUE))
            else {
                continue;
            };
            if let Some((local, _)) = symbol_or_string(key, self.code)
                && let Some(ty) = self.eval(value)
            {
                self.bind_for(scope.clone(), &local, &ty);
            }
        }
    }

    /// `uniqueness: { scope: [:account_id] }` / `scope: :account_id` anywhere in validation options.
    fn scope_option(&mut self, options: &[Node<'_>], rec: &Rec) {
        let mut stack: Vec<Node<'_>> = options.to_vec();
        while let Some(pair) = stack.pop() {
            let key = pair.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code)).map(|(k, _)| k);
            let Some(value) = pair.child_by_field_id(*field::VALUE) else { continue };
            if key.as_deref() == Some("scope") {
                for (column, offset) in strings_in(value, self.code) {
                    if is_identifier(&column) {
                        self.hit_at(offset, rec.attribute(&column), RefKind::Query, Confidence::High);
                    }
                }
            } else if value.kind() == "hash" {
                stack.extend(pairs(value));
            }
        }
    }

    /// The model of `form_with(model: @user)`, `form_for @user`, `form_for :user`.
    fn form_model(&self, args: &[Node<'_>]) -> Option<(Rec, Confidence)> {
        for pair in args.iter().flat_map(|a| pairs(*a)) {
            let key = pair.child_by_field_id(*field::KEY).and_then(|k| symbol_or_string(k, self.code));
            if key.is_some_and(|(k, _)| k == "model")
                && let Some(value) = pair.child_by_field_id(*field::VALUE)
                // `model: [:admin, @user]`: a namespaced route, the record last.
                && let Some(value) = if value.kind() == "array" { last_named_child(value) } else { Some(value) }
                && let Some(Ty::Record(m, c)) = self.eval(value)
            {
                return Some((m, c.min(Confidence::Medium)));
            }
        }
        let first = *args.first()?;
        match first.kind() {
            "simple_symbol" => {
                symbol_or_string(first, self.code).map(|(s, _)| (Rec::model(inflect::camelize(&s)), Confidence::Medium))
            }
            "array" => match self.eval(last_named_child(first)?) {
                Some(Ty::Record(m, c)) => Some((m, c.min(Confidence::Medium))),
                _ => None,
            },
            _ => match self.eval(first) {
                Some(Ty::Record(m, c)) => Some((m, c.min(Confidence::Medium))),
                _ => None,
            },
        }
    }

    /// Strong parameters permitted for `model`: symbols are attributes, `x_attributes: […]` are
    /// nested attributes of the associated model.
    fn permitted(&mut self, rec: &Rec, args: &[Node<'_>]) {
        for arg in args {
            match arg.kind() {
                "simple_symbol" | "delimited_symbol" | "string" => {
                    if let Some((column, offset)) = symbol_or_string(*arg, self.code)
                        && is_identifier(&column)
                    {
                        self.hit_at(offset, rec.attribute(&column), RefKind::Query, Confidence::Medium);
                    }
                }
                "array" => {
                    let mut cursor = arg.walk();
                    let items: Vec<Node<'_>> = arg.named_children(&mut cursor).collect();
                    self.permitted(rec, &items);
                }
                "hash" | "pair" => {
                    for pair in pairs(*arg) {
                        let (Some(key), Some(value)) =
                            (pair.child_by_field_id(*field::KEY), pair.child_by_field_id(*field::VALUE))
                        else {
                            continue;
                        };
                        let Some((name, offset)) = symbol_or_string(key, self.code) else { continue };
                        if let Some(association) = name.strip_suffix("_attributes") {
                            // Nested attributes: the association's records.
                            self.permitted(&rec.via(association), &[value]);
                        } else if is_identifier(&name) {
                            // `tags: []` permits an array attribute.
                            self.hit_at(offset, rec.attribute(&name), RefKind::Query, Confidence::Medium);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    /// Keys of hash arguments: `where(email: x)`, `where("email" => x)`, and in `where`-like
    /// calls `where(posts: { title: t })` (a column of table `posts`).
    fn hash_keys(&mut self, arg: Node<'_>, rec: &Rec, confidence: Confidence, where_like: bool) {
        match arg.kind() {
            "array" => {
                // `insert_all([{…}, {…}])`
                let mut cursor = arg.walk();
                let items: Vec<Node<'_>> = arg.named_children(&mut cursor).collect();
                for item in items {
                    if item.kind() == "hash" {
                        self.hash_keys(item, rec, confidence, false);
                    }
                }
            }
            "hash" | "pair" => {
                for pair in pairs(arg) {
                    let Some(key) = pair.child_by_field_id(*field::KEY) else { continue };
                    let Some((name, offset)) = symbol_or_string(key, self.code) else { continue };
                    let value = pair.child_by_field_id(*field::VALUE);
                    if where_like && let Some(value) = value.filter(|v| v.kind() == "hash") {
                        for inner in pairs(value) {
                            if let Some(k) = inner.child_by_field_id(*field::KEY)
                                && let Some((column, at)) = symbol_or_string(k, self.code)
                                && is_identifier(&column)
                            {
                                let target = Target::Column { table: name.clone(), column };
                                self.hit_at(at, target, RefKind::Query, confidence);
                            }
                        }
                        continue;
                    }
                    let target = rec.attribute(&name);
                    if is_identifier(target_column(&target)) {
                        self.hit_at(offset, target, RefKind::Query, confidence);
                    }
                }
            }
            _ => {}
        }
    }

    /// An SQL fragment string (`"email = ? AND users.name LIKE ?"`, `"created_at DESC"`):
    /// qualified names are table columns, bare names columns of the relation's model. Function
    /// names, keywords, bind names and quoted literals are skipped; bare names that are not
    /// columns of the model are dropped by resolution.
    fn fragment(&mut self, arg: Node<'_>, rec: &Rec, confidence: Confidence) {
        let Some(parts) = self.fragment_parts(arg) else { return };
        if parts.iter().any(|&(start, end)| is_statement(self.code.get(start..end).unwrap_or(""))) {
            // A whole statement (`where("id IN (SELECT …)")`): the SQL extractor parses it.
            return;
        }
        for (start, end) in parts {
            let text = self.code.get(start..end).unwrap_or("");
            for (offset, table, column) in fragment_identifiers(text) {
                let target = match table {
                    Some(table) => Target::Column { table: table.to_owned(), column: column.to_owned() },
                    None => rec.attribute(column),
                };
                self.hit_at(start + offset, target, RefKind::Sql, confidence.min(Confidence::Medium));
            }
        }
    }

    /// Byte ranges of the literal text of an SQL fragment argument: a string (interpolations
    /// left out), a heredoc (`where(<<~SQL.squish, x)`), or `Arel.sql(…)` around either.
    fn fragment_parts(&self, arg: Node<'_>) -> Option<Vec<(usize, usize)>> {
        match arg.kind() {
            "string" => {
                let mut cursor = arg.walk();
                let parts = arg
                    .children(&mut cursor)
                    .filter(|c| c.kind() == "string_content")
                    .map(|c| (c.start_byte(), c.end_byte()))
                    .collect();
                Some(parts)
            }
            "heredoc_beginning" => self.heredocs.get(&arg.start_byte()).cloned(),
            "call" => {
                let receiver = arg.child_by_field_id(*field::RECEIVER)?;
                if receiver.kind() == "heredoc_beginning" {
                    return self.heredocs.get(&receiver.start_byte()).cloned();
                }
                let method = self.text(arg.child_by_field_id(*field::METHOD)?);
                if self.text(receiver) == "Arel" && method == "sql" {
                    return self.fragment_parts(*arguments(arg).first()?);
                }
                None
            }
            _ => None,
        }
    }

    /// What an expression evaluates to, when that is a model, relation, record or builder.
    fn eval(&self, node: Node<'_>) -> Option<Ty> {
        match node.kind() {
            "constant" | "scope_resolution" => {
                let name = self.text(node).trim_start_matches("::");
                name.chars().next().filter(char::is_ascii_uppercase)?;
                Some(Ty::Relation(Rec::model(name), Confidence::High))
            }
            "self" => self.implicit_self(),
            "identifier" | "instance_variable" => {
                let name = self.text(node);
                if let Some(ty) = self.lookup(name) {
                    return (ty != Ty::Value).then_some(ty);
                }
                if let Some(rest) = name.strip_prefix("current_")
                    && is_identifier(rest)
                {
                    // Devise's (and most apps') `current_user`: the signed-in record.
                    return Some(Ty::Record(Rec::model(inflect::camelize(rest)), Confidence::Medium));
                }
                if node.kind() == "identifier"
                    && self.in_instance_method
                    && is_plural_association(name)
                    && self.not_a_local(name)
                    && let Some(model) = self.current_model()
                {
                    // `sent_messages.update_all(…)` in a model's method: its own association,
                    // which resolution follows (a name that is none resolves to nothing).
                    return Some(Ty::Relation(model.via(name), Confidence::Medium));
                }
                if name == "object"
                    && let Some(model) = self.scopes.iter().rev().find_map(|s| s.serializes.clone())
                {
                    return Some(Ty::Record(Rec::model(model), Confidence::Medium));
                }
                let guess = named_like_model(name.trim_start_matches('@'));
                // An instance variable of a view or controller, or a partial's local: bound by
                // the controller (or the `render` call) in another file.
                let scopes = if node.kind() == "instance_variable" {
                    self.ivar_scopes()
                } else if self.not_bound_here(name) {
                    self.partial_scope.iter().cloned().collect()
                } else {
                    Vec::new()
                };
                if scopes.is_empty() {
                    return guess;
                }
                let model = match &guess {
                    Some(Ty::Record(rec, _) | Ty::Relation(rec, _)) => match &rec.root {
                        Root::Model { model } => Some(model.clone()),
                        Root::Binding { .. } => None,
                    },
                    _ => None,
                };
                let rec = Rec::bound(scopes, name, model);
                let bare = name.trim_start_matches('@');
                if matches!(bare, "f" | "form" | "builder") || bare.ends_with("_form") {
                    // A partial's form builder, passed by `render "form", f: f`.
                    return Some(Ty::Form(rec, Confidence::Medium));
                }
                Some(if is_plural_association(name.trim_start_matches('@')) {
                    Ty::Relation(rec, Confidence::Medium)
                } else {
                    Ty::Record(rec, Confidence::Medium)
                })
            }
            "parenthesized_statements" | "then" | "else" | "begin" | "body_statement" => {
                self.eval(last_named_child(node)?)
            }
            // `@user = if … then User.new(…) else User.find_by(…) end`, `a ? b : c`, `x || y`:
            // the first branch that is known.
            "if" | "unless" | "elsif" | "conditional" | "case" | "when" => {
                let condition = node.child_by_field_id(*field::CONDITION);
                let mut cursor = node.walk();
                let branches: Vec<Node<'_>> = node
                    .named_children(&mut cursor)
                    .filter(|c| Some(*c) != condition && c.kind() != "pattern")
                    .collect();
                branches.into_iter().find_map(|b| self.eval(b))
            }
            "binary" => {
                let op = node.child_by_field_id(*field::OPERATOR).map(|o| self.text(o))?;
                let (left, right) = (node.child_by_field_id(*field::LEFT)?, node.child_by_field_id(*field::RIGHT)?);
                match op {
                    "||" | "or" => self.eval(left).or_else(|| self.eval(right)),
                    "&&" | "and" => self.eval(right),
                    _ => None,
                }
            }
            "call" => {
                let method_node = node.child_by_field_id(*field::METHOD)?;
                let method = self.text(method_node);
                match node.child_by_field_id(*field::RECEIVER) {
                    None => {
                        if let Some(rest) = method.strip_prefix("current_")
                            && is_identifier(rest)
                            && arguments(node).is_empty()
                        {
                            return Some(Ty::Record(Rec::model(inflect::camelize(rest)), Confidence::Medium));
                        }
                        // In a class body a call with arguments is a class method, most often a
                        // scope (`base(user).order(:hotness)`); in an instance method a bare name
                        // may be an attribute.
                        let implicit = self.in_instance_method || arguments(node).is_empty();
                        apply_method(self.implicit_self()?, method, implicit)
                    }
                    Some(r) if r.kind() == "identifier" && self.text(r) == "where" => {
                        self.implicit_self().map(|t| match t {
                            Ty::Record(m, c) | Ty::Relation(m, c) => Ty::Relation(m, c),
                            other => other,
                        })
                    }
                    Some(r) => apply_method(self.eval(r)?, method, false),
                }
            }
            _ => None,
        }
    }
}

/// Whether a superclass is ActiveRecord's root (`ActiveRecord::Base`) or an app's abstract base
/// named the Rails way (`ApplicationRecord`, `PrimaryRecord`): a class whose ancestry reaches one
/// is a model, any other class under `app/models` is plain Ruby.
pub fn is_record_base(parent: &str) -> bool {
    parent == "ActiveRecord::Base" || (inflect::demodulize(parent).ends_with("Record") && !parent.starts_with("Active"))
}

/// The type after calling `method` on `ty`.
fn apply_method(ty: Ty, method: &str, implicit: bool) -> Option<Ty> {
    match ty {
        Ty::Relation(model, c) => {
            if method == "arel_table" {
                Some(Ty::Arel(model, c))
            } else if RECORD_METHODS.contains(&method) || dynamic_finder(method).is_some() {
                Some(Ty::Record(model, c))
            } else if RELATION_METHODS.contains(&method) {
                Some(Ty::Relation(model, c))
            } else if !implicit && is_identifier(method) && !method.ends_with('?') {
                // A scope or class method returning a relation: `User.active.where(…)`.
                Some(Ty::Relation(model, c.min(Confidence::Medium)))
            } else {
                None
            }
        }
        Ty::Record(rec, c) => {
            if matches!(method, "reload" | "lock!" | "dup" | "presence" | "tap" | "itself") {
                Some(Ty::Record(rec, c))
            } else if rec.path.is_empty() && !implicit && matches!(method, "where" | "order" | "joins" | "includes") {
                // A record has no `where`: a variable named like one record holds the model's
                // relation (`query = repo.where(…)`).
                Some(Ty::Relation(rec, c.min(Confidence::Medium)))
            } else if is_identifier(method) && is_plural_association(method) {
                // `user.posts`: a has_many association; resolution follows it (or, when the
                // model declares none of that name, Rails' default class name).
                Some(Ty::Relation(rec.via(method), c.min(Confidence::Medium)))
            } else if is_identifier(method) && !implicit && !NOT_ATTRIBUTES.contains(&method) {
                // `comment.user`: a belongs_to / has_one association.
                Some(Ty::Record(rec.via(method), c.min(Confidence::Medium)))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Class methods of an ActiveRecord model that read or write its table.
fn is_active_record_api(method: &str) -> bool {
    RELATION_METHODS.contains(&method)
        || RECORD_METHODS.contains(&method)
        || HASH_KEY_METHODS.contains(&method)
        || SYMBOL_METHODS.contains(&method)
        || dynamic_finder(method).is_some()
        || matches!(
            method,
            "find_each"
                | "find_in_batches"
                | "in_batches"
                | "exists?"
                | "delete_all"
                | "destroy_all"
                | "delete_by"
                | "destroy_by"
                | "find_by_sql"
                | "count_by_sql"
                | "ids"
                | "any?"
                | "none?"
                | "many?"
                | "arel_table"
                | "columns_hash"
                | "column_names"
                | "table_name"
                | "upsert_all"
                | "insert_all"
                | "import"
        )
}

/// A receiver known only by its name: `@user`, `user` → a `User` record; `@users` → a relation.
fn named_like_model(name: &str) -> Option<Ty> {
    if !is_identifier(name) || NOT_MODELS.contains(&name) || name.starts_with('_') || name.len() < 3 {
        return None;
    }
    if is_plural_association(name) {
        Some(Ty::Relation(Rec::model(inflect::classify(name)), Confidence::Medium))
    } else {
        Some(Ty::Record(Rec::model(inflect::camelize(name)), Confidence::Medium))
    }
}

/// The model records of `ty` are of, as far as this file can tell: the class it names, or the
/// guess a bound name stands for.
fn guessed_model(ty: &Ty) -> Option<String> {
    let (Ty::Record(rec, _) | Ty::Relation(rec, _)) = ty else { return None };
    if !rec.path.is_empty() {
        return rec.path.last().map(|a| inflect::classify(a));
    }
    match &rec.root {
        Root::Model { model } => Some(model.clone()),
        Root::Binding { guess, .. } => guess.clone(),
    }
}

/// Whether an association / variable name is plural (`posts`, `people`), by the inflector.
fn is_plural_association(name: &str) -> bool {
    let singular = inflect::singularize(name);
    singular != name && inflect::pluralize(&singular) == name
}

/// The attribute an attribute method is about: `email_changed?` → `email`.
fn attribute_of(method: &str) -> &str {
    for prefix in ["saved_change_to_", "will_save_change_to_", "restore_", "clear_"] {
        if let Some(rest) = method.strip_prefix(prefix) {
            let rest = rest.trim_end_matches(['?', '!']);
            let rest = rest.strip_suffix("_change").unwrap_or(rest);
            return rest;
        }
    }
    for suffix in [
        "_previously_changed?",
        "_before_last_save",
        "_before_type_cast",
        "_in_database",
        "_previously_was",
        "_previous_change",
        "_changed?",
        "_change",
        "_was",
        "_will_change!",
        "?",
    ] {
        if let Some(rest) = method.strip_suffix(suffix) {
            return rest;
        }
    }
    method
}

/// `find_by_email_and_name!` → `email_and_name!`.
fn dynamic_finder(method: &str) -> Option<&str> {
    for prefix in ["find_or_initialize_by_", "find_or_create_by_", "find_all_by_", "find_last_by_", "find_by_"] {
        if let Some(rest) = method.strip_prefix(prefix)
            && !rest.is_empty()
            && rest != "sql"
        {
            return Some(rest);
        }
    }
    None
}

fn target_column(target: &Target) -> &str {
    match target {
        Target::Column { column, .. } | Target::ModelColumn { column, .. } => column,
        Target::Chain { attribute: Some(column), .. } => column,
        _ => "",
    }
}

/// The model a serializer class renders: `UserSerializer < ActiveModel::Serializer` → `User`,
/// `Api::V1::UserBlueprint < Blueprinter::Base` → `User`.
fn serialized_model(class: &str, parent: &str) -> Option<String> {
    let last = inflect::demodulize(class);
    let lower = parent.to_ascii_lowercase();
    let serializer = ["serializer", "blueprint", "jsonapi", "resource"].iter().any(|k| lower.contains(k));
    ["Serializer", "Blueprint", "Resource"]
        .iter()
        .find_map(|suffix| last.strip_suffix(suffix))
        .filter(|m| serializer && !m.is_empty())
        .map(str::to_owned)
}

/// Rails' HABTM join table: the two table names in lexical order joined with `_`, a common
/// prefix ending in `_` written once (`catalog_categories` + `catalog_products` →
/// `catalog_categories_products`).
pub fn join_table_name(a: &str, b: &str) -> String {
    let (first, second) = if a <= b { (a, b) } else { (b, a) };
    // The longest prefix ending in `_` or `.` shared by both, leaving both non-empty.
    let mut best = 0;
    for (i, c) in first.char_indices() {
        if (c == '_' || c == '.') && second.len() > i + 1 && first.len() > i + 1 && first[..=i] == second[..=i] {
            best = i + 1;
        }
    }
    if best > 0 { format!("{}_{}", first, &second[best..]) } else { format!("{first}_{second}") }
}

pub(crate) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The argument nodes of a call (named children of its argument list, and of a
/// parenthesis-less `command` form).
fn arguments<'t>(call: Node<'t>) -> Vec<Node<'t>> {
    let Some(list) = call.child_by_field_id(*field::ARGUMENTS) else { return Vec::new() };
    let mut cursor = list.walk();
    list.named_children(&mut cursor).filter(|n| n.kind() != "comment").collect()
}

/// The pairs of a `hash` argument, or the pair itself (braceless trailing hashes are pairs
/// directly in the argument list).
fn pairs(node: Node<'_>) -> Vec<Node<'_>> {
    match node.kind() {
        "pair" => vec![node],
        "hash" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).filter(|n| n.kind() == "pair").collect()
        }
        _ => Vec::new(),
    }
}

/// The text and byte offset of a symbol (`:email`, `:"email"`), a hash-key symbol (`email:`)
/// or a plain string (`"email"`, without interpolation).
fn symbol_or_string(node: Node<'_>, code: &str) -> Option<(String, usize)> {
    let text = code.get(node.byte_range())?;
    match node.kind() {
        "simple_symbol" => Some((text.trim_start_matches(':').to_owned(), node.start_byte() + 1)),
        "hash_key_symbol" | "identifier" | "constant" => Some((text.to_owned(), node.start_byte())),
        "string" | "delimited_symbol" => {
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            match children.as_slice() {
                [content] if content.kind() == "string_content" => {
                    Some((code.get(content.byte_range())?.to_owned(), content.start_byte()))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

fn string_value(node: Node<'_>, code: &str) -> Option<String> {
    symbol_or_string(node, code).map(|(s, _)| s)
}

fn string_offset(node: Node<'_>) -> usize {
    match node.kind() {
        "simple_symbol" => node.start_byte() + 1,
        _ => node.named_child(0).map_or(node.start_byte(), |c| c.start_byte()),
    }
}

/// Every string or symbol in `%w[a b]`, `%i[a b]`, `["a", :b]`, `"a"`, `:a`.
fn strings_in(node: Node<'_>, code: &str) -> Vec<(String, usize)> {
    match node.kind() {
        "string_array" | "symbol_array" | "array" => {
            let mut cursor = node.walk();
            let items: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            items
                .into_iter()
                .filter_map(|item| match item.kind() {
                    "bare_string" | "bare_symbol" => {
                        let content = item.named_child(0).unwrap_or(item);
                        Some((code.get(content.byte_range())?.to_owned(), content.start_byte()))
                    }
                    _ => symbol_or_string(item, code),
                })
                .collect()
        }
        _ => symbol_or_string(node, code).into_iter().collect(),
    }
}

/// The first string or symbol literal node in a method body.
fn first_string_node(node: Node<'_>) -> Option<Node<'_>> {
    if matches!(node.kind(), "string" | "simple_symbol") {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    children.into_iter().find_map(first_string_node)
}

/// The first string literal in a method body (`def self.table_name_prefix = "admin_"`).
fn first_string(node: Node<'_>, code: &str) -> Option<String> {
    if node.kind() == "string" {
        return string_value(node, code);
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
    children.into_iter().find_map(|c| first_string(c, code))
}

/// Names bound as locals anywhere in a method: assignment targets, parameters of the method and
/// its blocks and lambdas, rescued exceptions, loop variables.
fn collect_locals<'c>(node: Node<'_>, code: &'c str, out: &mut HashSet<&'c str>) {
    let binds_all = node.kind().ends_with("parameters")
        || matches!(node.kind(), "exception_variable" | "left_assignment_list" | "destructured_left_assignment");
    if binds_all {
        identifiers_under(node, code, out);
    } else if matches!(node.kind(), "assignment" | "operator_assignment")
        && let Some(left) = node.child_by_field_id(*field::LEFT)
        && left.kind() == "identifier"
    {
        out.insert(code.get(left.byte_range()).unwrap_or(""));
    } else if node.kind() == "for"
        && let Some(pattern) = node.child_by_field_id(*field::PATTERN)
    {
        identifiers_under(pattern, code, out);
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        collect_locals(child, code, out);
    }
}

fn identifiers_under<'c>(node: Node<'_>, code: &'c str, out: &mut HashSet<&'c str>) {
    if node.kind() == "identifier" {
        out.insert(code.get(node.byte_range()).unwrap_or(""));
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        identifiers_under(child, code, out);
    }
}

fn last_named_child(node: Node<'_>) -> Option<Node<'_>> {
    let last = u32::try_from(node.named_child_count().checked_sub(1)?).ok()?;
    node.named_child(last)
}

fn first_block_param<'c>(block: Node<'_>, code: &'c str) -> Option<&'c str> {
    let params = block.child_by_field_id(*field::PARAMETERS)?;
    let first = params.named_child(0)?;
    let first = if first.kind() == "destructured_parameter" { first.named_child(0)? } else { first };
    (first.kind() == "identifier").then(|| code.get(first.byte_range())).flatten()
}

/// Whether SQL text contains a statement (`SELECT … FROM`, `INSERT INTO`, `UPDATE … SET`,
/// `DELETE FROM`) rather than only an expression over one relation's columns.
pub(crate) fn is_statement(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let words: HashSet<&str> =
        lower.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(w);
    (has("select") && has("from"))
        || (has("insert") && has("into"))
        || (has("update") && has("set"))
        || (has("delete") && has("from"))
}

const SQL_WORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "null",
    "is",
    "in",
    "like",
    "ilike",
    "between",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "true",
    "false",
    "case",
    "when",
    "then",
    "else",
    "end",
    "distinct",
    "as",
    "exists",
    "any",
    "all",
    "select",
    "from",
    "where",
    "order",
    "by",
    "group",
    "having",
    "limit",
    "offset",
    "join",
    "on",
    "inner",
    "left",
    "right",
    "outer",
    "cross",
    "using",
    "interval",
    "current_date",
    "current_timestamp",
    "now",
    "date",
    "cast",
    "escape",
    "similar",
    "to",
    "some",
    "collate",
    "unknown",
    "with",
    "zone",
    "time",
    "timestamp",
    "at",
    "count",
    "sum",
    "min",
    "max",
    "avg",
    "over",
    "partition",
    "filter",
    "array",
    "row",
    "union",
    "except",
    "intersect",
    "lateral",
    "natural",
    "full",
    "default",
    "integer",
    "text",
    "varchar",
    "boolean",
    "bigint",
    "numeric",
    "jsonb",
    "json",
    "uuid",
];

/// Identifiers of an SQL fragment that may be columns: `(offset, table, column)`.
pub(crate) fn fragment_identifiers(text: &str) -> Vec<(usize, Option<&str>, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\'' {
            // A quoted value; `''` escapes a quote.
            i += 1;
            while i < bytes.len() && !(bytes[i] == b'\'' && bytes.get(i + 1) != Some(&b'\'')) {
                i += if bytes[i] == b'\'' { 2 } else { 1 };
            }
            i += 1;
            continue;
        }
        if c == b':' && bytes.get(i + 1) == Some(&b':') {
            // `::type` cast: skip the type name.
            i += 2;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            continue;
        }
        if c == b':' || c == b'$' || c == b'@' || c == b'%' {
            // Named binds (`:email`), positional `$1`, format placeholders.
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            continue;
        }
        let quoted = c == b'"' || c == b'`';
        if c.is_ascii_alphabetic() || c == b'_' || quoted {
            let (first, first_start, mut end) = read_ident(bytes, i);
            let mut parts = vec![(first, first_start)];
            while end < bytes.len() && bytes[end] == b'.' {
                let (part, start, next) = read_ident(bytes, end + 1);
                if part.0 == part.1 {
                    break;
                }
                parts.push((part, start));
                end = next;
            }
            let mut after = end;
            while after < bytes.len() && bytes[after] == b' ' {
                after += 1;
            }
            let is_call = bytes.get(after) == Some(&b'(');
            let numeric_before = i > 0 && bytes[i - 1].is_ascii_digit();
            if !is_call && !numeric_before {
                let slice = |(s, e): (usize, usize)| text.get(s..e).unwrap_or("");
                match parts.as_slice() {
                    [(only, start)] => {
                        let word = slice(*only);
                        if !SQL_WORDS.contains(&word.to_ascii_lowercase().as_str()) && is_identifier(word) {
                            out.push((*start, None, word));
                        }
                    }
                    [.., (table, _), (column, start)] => {
                        let (table, column) = (slice(*table), slice(*column));
                        if is_identifier(table) && is_identifier(column) {
                            out.push((*start, Some(table), column));
                        }
                    }
                    [] => {}
                }
            }
            i = end.max(i + 1);
            continue;
        }
        if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
    out
}

/// One identifier at `i`, bare or quoted: ((start, end) of its text, start, end after it).
fn read_ident(bytes: &[u8], i: usize) -> ((usize, usize), usize, usize) {
    match bytes.get(i) {
        Some(&q @ (b'"' | b'`')) => {
            let close = bytes[i + 1..].iter().position(|&b| b == q).map_or(bytes.len(), |p| i + 1 + p);
            ((i + 1, close), i + 1, (close + 1).min(bytes.len()))
        }
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            let mut end = i;
            while end < bytes.len() && (bytes[end].is_ascii_alphanumeric() || bytes[end] == b'_') {
                end += 1;
            }
            ((i, end), i, end)
        }
        _ => ((i, i), i, i),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_lt_finds_what_memmem_finds() {
        for hay in ["", "<", "<<", "<<<", "<<<<", "a << b <<~SQL", "x <y <<-T << <", "<<é<<"] {
            let want: Vec<usize> = memchr::memmem::find_iter(hay.as_bytes(), b"<<").collect();
            assert_eq!(double_lt(hay.as_bytes()).collect::<Vec<_>>(), want, "{hay:?}");
        }
    }

    #[test]
    fn erb_keeps_offsets_and_drops_markup_and_comments() {
        let src = "<p class=\"email\"><%= @user.email %></p>\n<%# @user.name %><% if x -%>é<% end %>";
        let code = erb_to_ruby(src);
        assert_eq!(code.len(), src.len());
        assert_eq!(code.find("@user.email"), src.find("@user.email"));
        assert!(!code.contains("name"));
        assert!(!code.contains("class"));
        assert!(code.contains("if x"));
        assert!(code.contains("end ;"));
    }

    #[test]
    fn join_tables_follow_rails() {
        assert_eq!(join_table_name("posts", "tags"), "posts_tags");
        assert_eq!(join_table_name("tags", "posts"), "posts_tags");
        assert_eq!(join_table_name("developers", "projects"), "developers_projects");
        assert_eq!(join_table_name("catalog_categories", "catalog_products"), "catalog_categories_products");
        assert_eq!(join_table_name("paper_boxes", "papers"), "paper_boxes_papers");
        assert_eq!(join_table_name("music_artists", "music_records"), "music_artists_records");
    }

    #[test]
    fn fragment_identifiers_skip_literals_binds_and_functions() {
        let got: Vec<(usize, Option<&str>, &str)> = fragment_identifiers(
            "lower(email) = :email AND users.name LIKE 'a''b c' AND age > 3 ORDER BY created_at::date DESC",
        );
        assert_eq!(
            got,
            vec![(6, None, "email"), (32, Some("users"), "name"), (55, None, "age"), (72, None, "created_at")]
        );
    }

    #[test]
    fn attribute_methods() {
        assert_eq!(attribute_of("email_changed?"), "email");
        assert_eq!(attribute_of("saved_change_to_email?"), "email");
        assert_eq!(attribute_of("email_was"), "email");
        assert_eq!(attribute_of("admin?"), "admin");
        assert_eq!(attribute_of("email"), "email");
    }
}

//! Starting a scan from an earlier scan of the same app: each file's resolved references, kept
//! in the store as one row (see [`crate::scan::cache::ScanStore::snapshot`]).
//!
//! Resolution is per file once the app's model classes are known (see [`crate::scan::resolve`]).
//! So when every file that differs from a snapshot declares exactly the models it declared then
//! (a file that is new or gone declares none), each unchanged file — same path, same blob —
//! resolves to exactly the references it had, and only the changed files need facts and
//! resolution. Everything else resolution reads is in the snapshot's [`context`] key: the
//! extractor tags (versions, framework, the schema's identifiers), the schema's tables and
//! columns, the app's framework and table overrides, the size limit, tandem's version. A
//! snapshot that does not fit, or does not decode (it is a cache), is not used, and the scan
//! resolves every file.
//!
//! A scan writes a new snapshot only when it resolved every file or changed many: a small
//! change re-resolves its few files from the same snapshot again next time, which costs less
//! than writing every reference of the app to the store each time. The saved scan itself is kept
//! the same way ([`crate::scan::cache::ScanDelta`], read back by [`restore_scan`]): the snapshot
//! it started from or wrote, the paths of it that it did not take, and the other files'
//! references — a warm scan of one changed file writes that file's references, not the app's.

use std::collections::HashMap;
use std::sync::Arc;

use crate::digest::Key;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::config::{App, Confidence};
use crate::scan::facts::{Binding, FileFacts, ModelDecl};
use crate::scan::reference::{KindCounts, ObjectRef, Origin, RefKind, Reference};
use crate::scan::resolve::SchemaIndex;
use crate::scan::tree::FileEntry;

/// Part of every context key: bump when the encoding below changes, or when resolution yields
/// other references for the same facts (4: references to columns the schema lacks are kept as
/// `dangling`).
const FORMAT: u32 = 4;

/// The key under which snapshots are interchangeable: everything besides a file's path and
/// content that its references depend on.
pub fn context(app: &App, tags: &[String], schema: Option<&SchemaIndex>, max_size: u64) -> String {
    let mut key = Key::new(FORMAT);
    let mut field = |bytes: &[u8]| key.field(bytes);
    field(app.framework.to_string().as_bytes());
    field(&max_size.to_le_bytes());
    for tag in tags {
        field(tag.as_bytes());
    }
    field(&(app.tables.len() as u64).to_le_bytes());
    for (class, table) in &app.tables {
        field(class.as_bytes());
        field(table.as_bytes());
    }
    match schema {
        None => field(b"no schema"),
        Some(s) => {
            field(b"schema");
            s.parts(&mut field);
        }
    }
    key.hex()
}

/// One file as a snapshot keeps it. The references are encoded on their own so that a scan
/// decodes only the files it keeps, in parallel.
#[derive(Debug, Serialize, Deserialize)]
struct StoredFile<'a> {
    path: &'a str,
    blob: [u8; 20],
    models: Vec<ModelDecl>,
    bindings: Vec<Binding>,
    /// postcard of `Vec<StoredRef>`. (postcard writes a byte slice and a sequence of `u8`
    /// alike: a length, then the bytes.)
    refs: &'a [u8],
}

/// A reference without what every reference of the scan shares (app, ref, commit, path), as
/// [`encode`] writes it from the scan's references and a merge reads it from the stored bytes.
/// No `skip_serializing_if` here: postcard is not self-describing.
#[derive(Debug, Serialize, Deserialize)]
struct StoredRef<'a> {
    line: u32,
    column: u32,
    #[serde(borrow)]
    schema: Option<&'a str>,
    table: &'a str,
    #[serde(borrow)]
    column_name: Option<&'a str>,
    kind: RefKind,
    confidence: Confidence,
    /// `None`: the previous reference's (references on one line are neighbours).
    #[serde(borrow)]
    snippet: Option<&'a str>,
}

/// `refs` (of one path) as stored: a snippet equal to the previous one is left out.
fn stored_refs(refs: &[Reference]) -> Vec<StoredRef<'_>> {
    refs.iter()
        .enumerate()
        .map(|(i, r)| StoredRef {
            line: r.line,
            column: r.column,
            schema: r.object.schema.as_deref(),
            table: &r.object.table,
            column_name: r.object.column.as_deref(),
            kind: r.kind,
            confidence: r.confidence,
            snippet: (i == 0 || refs[i - 1].snippet != r.snippet).then_some(&*r.snippet),
        })
        .collect()
}

/// The table and column names of restored references, each allocated once: a scan's hundred
/// thousand references name a few thousand objects.
#[derive(Default)]
struct Names<'a>(foldhash::HashMap<&'a str, Arc<str>>);

impl<'a> Names<'a> {
    fn get(&mut self, name: &'a str) -> Arc<str> {
        Arc::clone(self.0.entry(name).or_insert_with(|| Arc::from(name)))
    }
}

/// `stored`, of the file at `path`, as a reference of the scan `origin`; `snippet` is the
/// previous reference's snippet, and becomes this one's.
fn restore<'a>(
    origin: &Origin,
    path: &Arc<str>,
    stored: StoredRef<'a>,
    snippet: &mut Arc<str>,
    names: &mut Names<'a>,
) -> Reference {
    if let Some(text) = stored.snippet {
        *snippet = Arc::from(text);
    }
    Reference {
        app: Arc::clone(&origin.app),
        git_ref: Arc::clone(&origin.git_ref),
        commit: Arc::clone(&origin.commit),
        path: Arc::clone(path),
        line: stored.line,
        column: stored.column,
        object: ObjectRef {
            schema: stored.schema.map(|s| names.get(s)),
            table: names.get(stored.table),
            column: stored.column_name.map(|c| names.get(c)),
        },
        kind: stored.kind,
        confidence: stored.confidence,
        snippet: Arc::clone(snippet),
    }
}

/// The references of one scan — all of one app, ref and commit — grouped by path, in the
/// compact form the store keeps scan results in.
pub fn encode_references(references: &[Reference]) -> Result<Vec<u8>, postcard::Error> {
    let groups: Vec<(&str, Vec<StoredRef<'_>>)> =
        references.chunk_by(|a, b| a.path == b.path).map(|g| (&*g[0].path, stored_refs(g))).collect();
    postcard::to_allocvec(&groups)
}

/// [`encode_references`] undone, as (`app`, `git_ref`, `commit`)'s references.
pub fn decode_references(
    bytes: &[u8],
    app: &str,
    git_ref: &str,
    commit: &str,
) -> Result<Vec<Reference>, postcard::Error> {
    let groups: Vec<(&str, Vec<StoredRef<'_>>)> = postcard::from_bytes(bytes)?;
    let origin = Origin::new(app, git_ref, commit);
    let mut out = Vec::with_capacity(groups.iter().map(|(_, refs)| refs.len()).sum());
    let mut names = Names::default();
    for (path, refs) in groups {
        let path: Arc<str> = Arc::from(path);
        let mut snippet: Arc<str> = Arc::from("");
        out.extend(refs.into_iter().map(|r| restore(&origin, &path, r, &mut snippet, &mut names)));
    }
    Ok(out)
}

/// A decoded snapshot, borrowing the stored bytes.
#[derive(Debug)]
pub struct Snapshot<'a> {
    files: Vec<StoredFile<'a>>,
    /// Looked up for every file of every scan: foldhash rather than SipHash.
    by_path: foldhash::HashMap<&'a str, usize>,
}

impl<'a> Snapshot<'a> {
    pub fn decode(bytes: &'a [u8]) -> Result<Snapshot<'a>, postcard::Error> {
        let files: Vec<StoredFile<'a>> = postcard::from_bytes(bytes)?;
        let by_path = files.iter().enumerate().map(|(i, f)| (f.path, i)).collect();
        Ok(Snapshot { files, by_path })
    }

    /// Whether the snapshot holds `path` at `blob`.
    pub fn has(&self, path: &str, blob: git2::Oid) -> bool {
        self.by_path.get(path).is_some_and(|&i| self.files[i].blob == blob.as_bytes())
    }

    /// How many files the snapshot holds.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The paths the snapshot holds, in order.
    pub fn paths(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.files.iter().map(|f| f.path)
    }

    /// Whether the snapshot holds `path`, at any blob.
    pub fn holds(&self, path: &str) -> bool {
        self.by_path.contains_key(path)
    }

    /// The models `path` declared (none when the snapshot does not hold it).
    pub fn models(&self, path: &str) -> &[ModelDecl] {
        self.by_path.get(path).map_or(&[], |&i| &self.files[i].models)
    }

    /// The bindings `path` declared (none when the snapshot does not hold it).
    pub fn bindings(&self, path: &str) -> &[Binding] {
        self.by_path.get(path).map_or(&[], |&i| &self.files[i].bindings)
    }

    /// Whether the app's models and bindings are the snapshot's: every file it holds but `kept`
    /// (unchanged files) and every file of `collected` (the rest of the commit, with their new
    /// `facts`) declares what it declared then — a new or deleted file, nothing. Then every kept
    /// file resolves as it did.
    pub fn same_models<'p>(
        &self,
        kept: impl IntoIterator<Item = &'p str>,
        collected: impl IntoIterator<Item = &'p str>,
        facts: &[(String, FileFacts)],
    ) -> bool {
        let kept: foldhash::HashSet<&str> = kept.into_iter().collect();
        let now: foldhash::HashMap<&str, &FileFacts> = facts.iter().map(|(p, f)| (p.as_str(), f)).collect();
        let same = |p: &str| match now.get(p) {
            Some(f) => self.models(p) == f.models.as_slice() && self.bindings(p) == f.bindings.as_slice(),
            None => self.models(p).is_empty() && self.bindings(p).is_empty(),
        };
        self.files.iter().map(|f| f.path).filter(|p| !kept.contains(p)).all(same) && collected.into_iter().all(same)
    }

    /// The scan's references in path order: those of the kept files at `paths`, as this scan's
    /// (`app`, `git_ref`, `commit`), and `fresh` (those of every other file, sorted by path).
    ///
    /// The kept files' references are decoded in parallel straight into their place in the
    /// result: on a warm scan they are nearly all of it, and a second copy of them (decoding
    /// per file, then concatenating) cost more than the decoding, in fresh pages alone.
    pub fn merged(
        &self,
        paths: &[&str],
        fresh: Vec<Reference>,
        app: &str,
        git_ref: &str,
        commit: &str,
    ) -> Result<Vec<Reference>, postcard::Error> {
        let mut parts: Vec<Part<'_>> = Vec::with_capacity(paths.len() + 1);
        for path in paths {
            let Some(&i) = self.by_path.get(path) else { continue };
            let refs = self.files[i].refs;
            // postcard writes a sequence's length first, as a varint.
            let (len, _) = postcard::take_from_bytes::<u64>(refs)?;
            let len = usize::try_from(len).map_err(|_| postcard::Error::DeserializeBadVarint)?;
            if len > 0 {
                parts.push(Part { path: self.files[i].path, len, stored: Some(refs), at: 0 });
            }
        }
        let mut at = 0;
        for group in fresh.chunk_by(|a, b| a.path == b.path) {
            parts.push(Part { path: &group[0].path, len: group.len(), stored: None, at });
            at += group.len();
        }
        // Two sorted runs (the kept files, in listing order, then the fresh ones): a stable sort
        // finds them and merges once.
        parts.sort_by(|a, b| a.path.cmp(b.path));
        let mut starts = Vec::with_capacity(parts.len());
        let mut total = 0;
        for part in &parts {
            starts.push(total);
            total += part.len;
        }
        let failed: std::sync::Mutex<Option<postcard::Error>> = std::sync::Mutex::new(None);
        let origin = Origin::new(app, git_ref, commit);
        let shared = Shared { parts: &parts, starts: &starts, fresh: &fresh, origin: &origin, failed: &failed };
        let mut out = Vec::with_capacity(total);
        // Each of rayon's splits is a run of consecutive indices: its cursor seeks once, then
        // reads on.
        (0..total)
            .into_par_iter()
            .map_init(Cursor::default, |cursor, i| cursor.take(&shared, i))
            .collect_into_vec(&mut out);
        match failed.into_inner().unwrap_or_else(|poisoned| poisoned.into_inner()) {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }
}

impl Snapshot<'_> {
    /// Add to `counts` how many references of each kind the files at `paths` keep: what
    /// [`Snapshot::merged`] would restore of them, counted without restoring any (no reference,
    /// no string is built). A scan whose caller wants only these counts skips most of a warm
    /// scan's work this way. An error means the snapshot is damaged, as for a merge.
    pub fn count_kinds(&self, paths: &[&str], counts: &mut KindCounts) -> Result<(), postcard::Error> {
        for path in paths {
            let Some(&i) = self.by_path.get(path) else { continue };
            let (len, mut rest) = postcard::take_from_bytes::<u64>(self.files[i].refs)?;
            for _ in 0..len {
                let (r, after) = postcard::take_from_bytes::<StoredRef<'_>>(rest)?;
                *counts.entry(r.kind).or_default() += 1;
                rest = after;
            }
        }
        Ok(())
    }
}

/// The references of one file in a merge: stored in the snapshot, or `len` of the fresh ones
/// from `at`.
struct Part<'a> {
    path: &'a str,
    len: usize,
    stored: Option<&'a [u8]>,
    at: usize,
}

/// What every cursor of one merge reads.
struct Shared<'s> {
    parts: &'s [Part<'s>],
    /// The index in the result of each part's first reference.
    starts: &'s [usize],
    fresh: &'s [Reference],
    origin: &'s Origin,
    /// The first decoding error; the result is then dropped.
    failed: &'s std::sync::Mutex<Option<postcard::Error>>,
}

/// Where one split of a merge reads: the part, and that part's remaining stored references.
struct Cursor<'s> {
    /// The result index the next [`Cursor::take`] is expected at.
    next: usize,
    part: usize,
    path: Arc<str>,
    /// The part's stored references not yet read, decoded one at a time as they are taken.
    rest: &'s [u8],
    /// Index within the part of the next reference.
    within: usize,
    snippet: Arc<str>,
    names: Names<'s>,
}

impl Default for Cursor<'_> {
    fn default() -> Self {
        let empty: Arc<str> = Arc::from("");
        Cursor {
            next: 0,
            part: 0,
            path: Arc::clone(&empty),
            rest: &[],
            within: 0,
            snippet: empty,
            names: Names::default(),
        }
    }
}

impl<'s> Cursor<'s> {
    fn take(&mut self, s: &Shared<'s>, i: usize) -> Reference {
        if i != self.next || i == 0 {
            let part = s.starts.partition_point(|&start| start <= i) - 1;
            self.open(s, part, i - s.starts[part]);
        } else if self.within == s.parts[self.part].len {
            self.open(s, self.part + 1, 0);
        }
        self.next = i + 1;
        let part = &s.parts[self.part];
        self.within += 1;
        if part.stored.is_none() {
            return s.fresh[part.at + self.within - 1].clone();
        }
        match postcard::take_from_bytes::<StoredRef<'s>>(self.rest) {
            Ok((r, rest)) => {
                self.rest = rest;
                restore(s.origin, &self.path, r, &mut self.snippet, &mut self.names)
            }
            Err(e) => self.fail(s, e),
        }
    }

    /// Start reading `part` at its reference `skip`.
    fn open(&mut self, s: &Shared<'s>, part: usize, skip: usize) {
        self.part = part;
        self.within = skip;
        let Some(bytes) = s.parts[part].stored else { return };
        self.path = Arc::from(s.parts[part].path);
        self.rest = &[];
        // Past the sequence's length (checked by the merge), then past the skipped references,
        // minding their snippets: one left out is the previous reference's.
        let skipped = postcard::take_from_bytes::<u64>(bytes).and_then(|(_, mut rest)| {
            let mut snippet = "";
            for _ in 0..skip {
                let (r, after) = postcard::take_from_bytes::<StoredRef<'s>>(rest)?;
                snippet = r.snippet.unwrap_or(snippet);
                rest = after;
            }
            Ok((snippet, rest))
        });
        match skipped {
            Ok((snippet, rest)) => {
                self.snippet = Arc::from(snippet);
                self.rest = rest;
            }
            Err(e) => {
                self.fail(s, e);
            }
        }
    }

    /// Record `error` and stand in for the reference (the merge's result is not used).
    fn fail(&mut self, s: &Shared<'_>, error: postcard::Error) -> Reference {
        s.failed.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).get_or_insert(error);
        Reference {
            app: Arc::clone(&s.origin.app),
            git_ref: Arc::clone(&s.origin.git_ref),
            commit: Arc::clone(&s.origin.commit),
            path: Arc::clone(&self.path),
            line: 0,
            column: 0,
            object: ObjectRef { schema: None, table: Arc::from(""), column: None },
            kind: RefKind::Name,
            confidence: Confidence::Low,
            snippet: Arc::clone(&self.snippet),
        }
    }
}

/// A scan kept as a snapshot plus what differs from it ([`crate::scan::cache::ScanDelta`]): the
/// snapshot's references but those of the `dropped` paths, and the `fresh` ones
/// ([`encode_references`]), as (`app`, `git_ref`, `commit`)'s references in path order — the
/// scan's references as it returned them.
pub fn restore_scan(
    snapshot: &[u8],
    dropped: &[String],
    fresh: &[u8],
    app: &str,
    git_ref: &str,
    commit: &str,
) -> Result<Vec<Reference>, postcard::Error> {
    let snapshot = Snapshot::decode(snapshot)?;
    let dropped: foldhash::HashSet<&str> = dropped.iter().map(String::as_str).collect();
    let paths: Vec<&str> = snapshot.paths().filter(|p| !dropped.contains(p)).collect();
    let fresh = decode_references(fresh, app, git_ref, commit)?;
    snapshot.merged(&paths, fresh, app, git_ref, commit)
}

/// Encode a scan: its `files`, the models and bindings they declare (path, declaration) and
/// the references (sorted, as a scan returns them).
pub fn encode<'m>(
    files: &[&FileEntry],
    models: impl IntoIterator<Item = (&'m str, &'m ModelDecl)>,
    bindings: impl IntoIterator<Item = (&'m str, &'m Binding)>,
    references: &[Reference],
) -> Result<Vec<u8>, postcard::Error> {
    let mut files: Vec<(&str, git2::Oid)> = files.iter().map(|f| (f.path.as_str(), f.blob)).collect();
    files.sort_unstable();
    let mut declared: HashMap<&str, Vec<ModelDecl>> = HashMap::new();
    for (path, decl) in models {
        declared.entry(path).or_default().push(decl.clone());
    }
    let mut bound: HashMap<&str, Vec<Binding>> = HashMap::new();
    for (path, binding) in bindings {
        bound.entry(path).or_default().push(binding.clone());
    }
    let mut by_path: HashMap<&str, &[Reference]> = HashMap::new();
    for group in references.chunk_by(|a, b| a.path == b.path) {
        by_path.insert(&*group[0].path, group);
    }
    let refs: Vec<Vec<u8>> = files
        .par_iter()
        .map(|(path, _)| postcard::to_allocvec(&stored_refs(by_path.get(path).copied().unwrap_or_default())))
        .collect::<Result<_, _>>()?;
    let stored: Vec<StoredFile<'_>> = files
        .iter()
        .zip(&refs)
        .map(|((path, blob), refs)| {
            let mut id = [0u8; 20];
            id.copy_from_slice(blob.as_bytes());
            StoredFile {
                path,
                blob: id,
                models: declared.remove(path).unwrap_or_default(),
                bindings: bound.remove(path).unwrap_or_default(),
                refs,
            }
        })
        .collect();
    postcard::to_allocvec(&stored)
}

/// Whether a scan that changed `changed` of `files` files should store a new snapshot rather
/// than start from the same one again next time.
pub fn worth_writing(changed: usize, files: usize) -> bool {
    changed > (files / 32).max(64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Framework;

    fn reference(path: &str, line: u32, object: ObjectRef) -> Reference {
        Reference {
            app: "old".into(),
            git_ref: "deployed".into(),
            commit: "c0".into(),
            path: path.into(),
            line,
            column: 3,
            object,
            kind: RefKind::Query,
            confidence: Confidence::Medium,
            snippet: format!("line {line}").into(),
        }
    }

    #[test]
    fn a_snapshot_gives_back_each_files_references_as_the_new_scans() {
        let a = git2::Oid::hash_object(git2::ObjectType::Blob, b"a").unwrap();
        let b = git2::Oid::hash_object(git2::ObjectType::Blob, b"b").unwrap();
        let qualified = ObjectRef { schema: Some("billing".into()), table: "invoices".into(), column: None };
        // Two on line 2: the second shares the first's snippet.
        let refs = vec![
            reference("a.rb", 1, ObjectRef::column("users", "email")),
            reference("a.rb", 2, qualified.clone()),
            reference("a.rb", 2, ObjectRef::column("invoices", "total")),
        ];
        let decl = ModelDecl {
            framework: Framework::Rails,
            class: "User".into(),
            parent: None,
            table: None,
            is_abstract: false,
            ignored_columns: vec!["legacy".into()],
            fields: vec![],
            associations: vec![],
            mixins: Vec::new(),
            line: 1,
            column: 1,
            snippet: "class User".into(),
        };
        let entry = |path: &str, blob| FileEntry { path: path.into(), app_path: path.into(), blob };
        // Given in any order: the snapshot sorts its files by path.
        let (fa, fb) = (entry("a.rb", a), entry("b.rb", b));
        let bytes = encode(&[&fb, &fa], [("b.rb", &decl)], [], &refs).unwrap();
        let snap = Snapshot::decode(&bytes).unwrap();
        assert!(snap.has("a.rb", a) && snap.has("b.rb", b));
        assert!(!snap.has("a.rb", b) && !snap.has("c.rb", a));
        assert_eq!(snap.models("b.rb"), &[decl.clone()][..]);
        assert!(snap.models("a.rb").is_empty());
        assert_eq!(snap.files.iter().map(|f| f.path).collect::<Vec<_>>(), ["a.rb", "b.rb"]);
        assert!(snap.holds("a.rb") && !snap.holds("c.rb") && snap.len() == 2);

        // The models are the same while no file but the kept ones declares another set.
        let facts = |models: Vec<ModelDecl>| FileFacts { models, ..FileFacts::default() };
        let b_now = vec![("b.rb".to_owned(), facts(vec![decl.clone()]))];
        assert!(snap.same_models(["a.rb"], ["b.rb"], &b_now), "b.rb changed, same model");
        assert!(snap.same_models(["a.rb", "b.rb"], [], &[]), "nothing changed");
        assert!(!snap.same_models(["a.rb"], [], &[]), "b.rb and its model are gone");
        assert!(!snap.same_models(["a.rb"], ["b.rb"], &[("b.rb".to_owned(), facts(vec![]))]), "b.rb lost its model");
        let c_now = vec![("c.rb".to_owned(), facts(vec![decl.clone()]))];
        assert!(!snap.same_models(["a.rb", "b.rb"], ["c.rb"], &c_now), "a new model");
        let c_plain = vec![("c.rb".to_owned(), facts(vec![]))];
        assert!(snap.same_models(["a.rb", "b.rb"], ["c.rb"], &c_plain), "a new file without models");
        // A binding another file reads counts as much as a model.
        let binding = Binding {
            scope: "rails:view:users".into(),
            name: "@user".into(),
            root: crate::scan::facts::Root::Model { model: "User".into() },
            path: vec![],
        };
        let c_binds = vec![("c.rb".to_owned(), FileFacts { bindings: vec![binding.clone()], ..FileFacts::default() })];
        assert!(!snap.same_models(["a.rb", "b.rb"], ["c.rb"], &c_binds), "a new binding");
        let bytes = encode(&[&fb, &fa], [("b.rb", &decl)], [("a.rb", &binding)], &refs).unwrap();
        let snap = Snapshot::decode(&bytes).unwrap();
        assert_eq!(snap.bindings("a.rb"), &[binding.clone()][..]);
        assert!(snap.same_models(["b.rb"], ["a.rb"], &[("a.rb".to_owned(), c_binds[0].1.clone())]), "the same binding");
        assert!(!snap.same_models(["b.rb"], ["a.rb"], &c_plain), "a.rb lost its binding");
        let back = snap.merged(&["a.rb", "b.rb", "gone.rb"], vec![], "web", "head", "c1").unwrap();
        let expected: Vec<Reference> = refs
            .iter()
            .map(|r| Reference { app: "web".into(), git_ref: "head".into(), commit: "c1".into(), ..r.clone() })
            .collect();
        assert_eq!(back, expected);
        assert_eq!(back[1].object, qualified);
        assert_eq!(&*back[2].snippet, "line 2");
        assert!(Snapshot::decode(&bytes[..bytes.len() / 2]).is_err());
    }

    /// Counting the kept files' references by kind gives what counting the merge's gives.
    #[test]
    fn counting_kinds_agrees_with_a_merge() {
        let mut refs = many(5, 7, "old");
        for (i, r) in refs.iter_mut().enumerate() {
            r.kind = [RefKind::Query, RefKind::Declaration, RefKind::Sql][i % 3];
        }
        let bytes = snapshot_of(5, &refs);
        let snap = Snapshot::decode(&bytes).unwrap();
        let kept = ["f00.rb", "f02.rb", "f04.rb", "gone.rb"];
        let mut counts = KindCounts::new();
        snap.count_kinds(&kept, &mut counts).unwrap();
        let merged = snap.merged(&kept, vec![], "web", "head", "c1").unwrap();
        assert_eq!(counts, crate::scan::reference::count_kinds(&merged));
        assert_eq!(counts.values().sum::<usize>(), 21);
        assert_eq!(counts.len(), 3);
        // Counts are added to what is there (the changed files' own).
        snap.count_kinds(&["f01.rb"], &mut counts).unwrap();
        assert_eq!(counts.values().sum::<usize>(), 28);
    }

    /// Files `f00.rb`, `f01.rb`, … with `per_file` references each, four to a line (so most
    /// snippets are stored as "the previous one"), as scan `app` would have them.
    fn many(files: usize, per_file: u32, app: &str) -> Vec<Reference> {
        (0..files)
            .flat_map(|f| {
                (0..per_file).map(move |k| Reference {
                    app: app.into(),
                    ..reference(&format!("f{f:02}.rb"), 1 + k / 4, ObjectRef::column("t", &format!("c{k}")))
                })
            })
            .collect()
    }

    /// The snapshot of `files` files `f00.rb`, `f01.rb`, … (all of one blob) with `refs`.
    fn snapshot_of(files: usize, refs: &[Reference]) -> Vec<u8> {
        let blob = git2::Oid::hash_object(git2::ObjectType::Blob, b"x").unwrap();
        let entries: Vec<FileEntry> = (0..files)
            .map(|f| FileEntry { path: format!("f{f:02}.rb"), app_path: format!("f{f:02}.rb"), blob })
            .collect();
        encode(&entries.iter().collect::<Vec<_>>(), [], [], refs).unwrap()
    }

    #[test]
    fn merging_puts_fresh_references_between_kept_ones_in_path_order() {
        let refs = many(12, 9, "old");
        let bytes = snapshot_of(12, &refs);
        let snap = Snapshot::decode(&bytes).unwrap();
        let now = many(12, 9, "web");
        // Files 3 and 7 changed (their references now come from resolution), 10 is gone, and
        // `f05b.rb` is new.
        let mut fresh: Vec<Reference> =
            now.iter().filter(|r| &*r.path == "f03.rb" || &*r.path == "f07.rb").cloned().collect();
        fresh.push(Reference { app: "web".into(), ..reference("f05b.rb", 1, ObjectRef::table("t")) });
        fresh.sort();
        let kept: Vec<String> = (0..12).filter(|f| ![3, 7, 10].contains(f)).map(|f| format!("f{f:02}.rb")).collect();
        let kept: Vec<&str> = kept.iter().map(String::as_str).collect();
        let merged = snap.merged(&kept, fresh.clone(), "web", "deployed", "c0").unwrap();
        let mut expected: Vec<Reference> = now.into_iter().filter(|r| &*r.path != "f10.rb").collect();
        expected.extend(fresh.into_iter().filter(|r| &*r.path == "f05b.rb"));
        expected.sort_by(|a, b| a.path.cmp(&b.path));
        assert_eq!(merged, expected);
    }

    #[test]
    fn a_cursor_read_in_any_order_gives_every_reference_its_own_snippet() {
        let refs = many(3, 10, "web");
        let bytes = snapshot_of(3, &refs);
        let snap = Snapshot::decode(&bytes).unwrap();
        let parts: Vec<Part<'_>> =
            snap.files.iter().map(|f| Part { path: f.path, len: 10, stored: Some(f.refs), at: 0 }).collect();
        let starts = [0, 10, 20];
        let failed = std::sync::Mutex::new(None);
        let shared = Shared {
            parts: &parts,
            starts: &starts,
            fresh: &[],
            origin: &Origin::new("web", "deployed", "c0"),
            failed: &failed,
        };
        // Backwards: every take seeks, often into the middle of a line's references.
        let mut cursor = Cursor::default();
        let mut back: Vec<Reference> = (0..30).rev().map(|i| cursor.take(&shared, i)).collect();
        back.reverse();
        assert_eq!(back, refs);
        // Forwards from the middle of a file, across the next file's start.
        let mut cursor = Cursor::default();
        let on: Vec<Reference> = (6..30).map(|i| cursor.take(&shared, i)).collect();
        assert_eq!(on, refs[6..]);
        assert!(failed.into_inner().unwrap().is_none());
    }

    #[test]
    fn a_damaged_file_entry_fails_the_merge() {
        let refs = many(2, 5, "web");
        let bytes = snapshot_of(2, &refs);
        let mut snap = Snapshot::decode(&bytes).unwrap();
        // The count says five references; the bytes hold two and a half.
        let truncated = &snap.files[1].refs[..snap.files[1].refs.len() / 2];
        snap.files[1].refs = truncated;
        assert!(snap.merged(&["f00.rb", "f01.rb"], vec![], "web", "deployed", "c0").is_err());
    }

    #[test]
    fn small_changes_reuse_the_snapshot() {
        assert!(!worth_writing(0, 20_000));
        assert!(!worth_writing(200, 20_000));
        assert!(worth_writing(1_000, 20_000));
        assert!(!worth_writing(64, 100));
        assert!(worth_writing(65, 100));
    }
}

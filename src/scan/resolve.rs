//! Cross-file resolution: the facts of every file of one app at one commit become references.
//! Model classes are mapped to tables (explicit names, apps.toml overrides, STI parents, Rails'
//! conventions), hits on model classes become table/column references (hits on classes that are
//! not models are dropped), bare identifiers and ambiguous SQL columns are settled with the
//! schema, every ActiveRecord model adds its implicit column references, and the `name`
//! fallback gives way wherever stronger evidence names the same thing on the same line.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use rayon::prelude::*;

use crate::config::{App, Confidence};
use crate::scan::facts::{
    Association, Binding, CLASS_SCOPE_PREFIX, EVERY_NAME, FileFacts, Hit, MEMBER_SCOPE, ModelDecl, NAMESPACE_ENGINE,
    OWNED_SCOPE_PREFIX, Root, TABLE_PREFIX_SCOPE, Target,
};
use crate::scan::reference::{ObjectRef, Origin, RefKind, Reference};
use crate::schema::Schema;

/// A bare identifier naming more objects than this is no evidence for any one of them (`id`,
/// `name`, `created_at` on every table); the `name` fallback drops it rather than flood.
pub const MAX_IDENTIFIER_FANOUT: usize = 8;

/// A table or view: its schema, when qualified, and its lower-case column names.
type Relation = (Option<String>, BTreeSet<String>);

/// The schema as the resolver needs it: table (and view) names → their columns.
#[derive(Debug, Default)]
pub struct SchemaIndex {
    /// Unqualified, lower-case table name → (schema, columns) for each schema that has it.
    /// (Looked up for nearly every hit of a scan: a fast hasher.)
    tables: HashMap<String, Vec<Relation>, foldhash::fast::RandomState>,
    /// Lower-case column name → tables that have it.
    columns: HashMap<String, BTreeSet<String>, foldhash::fast::RandomState>,
    /// Lower-case table or column name → as the schema spells it, where that differs: a
    /// reference reports `bookInstanceId` (MongoDB, quoted PostgreSQL), not its folded form.
    spelled: HashMap<String, String, foldhash::fast::RandomState>,
    /// Unqualified, lower-case names of the tables a replay kept though a migration drops them
    /// ([`Schema::dropped_tables`]).
    dropped: BTreeSet<String>,
}

/// `name` lower-cased, copied only when it has upper-case letters (names in code rarely do).
fn lower(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

impl SchemaIndex {
    pub fn new(schema: &Schema) -> Self {
        let mut idx = SchemaIndex::default();
        let mut add = |schema_name: Option<&str>, name: &str, cols: BTreeSet<String>| {
            for c in &cols {
                idx.columns.entry(c.clone()).or_default().insert(name.to_ascii_lowercase());
            }
            idx.tables.entry(name.to_ascii_lowercase()).or_default().push((schema_name.map(str::to_owned), cols));
        };
        for t in &schema.tables {
            let cols = t.columns.iter().map(|c| c.name.to_ascii_lowercase()).collect();
            add(t.name.schema.as_deref(), &t.name.name, cols);
        }
        for v in &schema.views {
            add(v.name.schema.as_deref(), &v.name.name, v.columns.iter().map(|c| c.to_ascii_lowercase()).collect());
        }
        let names = schema
            .tables
            .iter()
            .flat_map(|t| std::iter::once(t.name.name.as_str()).chain(t.columns.iter().map(|c| c.name.as_str())));
        idx.dropped = schema.dropped_tables.iter().map(|t| t.name.to_ascii_lowercase()).collect();
        for name in names.chain(schema.views.iter().map(|v| v.name.name.as_str())) {
            if name.bytes().any(|b| b.is_ascii_uppercase()) {
                idx.spelled.entry(name.to_ascii_lowercase()).or_insert_with(|| name.to_owned());
            }
        }
        idx
    }

    /// A table or column name as the schema spells it (names are looked up folded).
    fn spelling<'n>(&'n self, folded: &'n str) -> &'n str {
        self.spelled.get(folded).map_or(folded, String::as_str)
    }

    /// Lower-case names of every table, view and column, sorted: the `name` fallback's words.
    pub fn identifiers(&self) -> Vec<String> {
        let mut ids: BTreeSet<String> = self.tables.keys().cloned().collect();
        ids.extend(self.columns.keys().cloned());
        ids.into_iter().collect()
    }

    pub fn has_table(&self, table: &str) -> bool {
        self.tables.contains_key(&*lower(unqualified(table)))
    }

    /// `Some(true/false)` when the table is known, `None` when it is not in the schema.
    pub fn has_column(&self, table: &str, column: &str) -> Option<bool> {
        let entries = self.tables.get(&*lower(unqualified(table)))?;
        let column = lower(column);
        Some(entries.iter().any(|(_, cols)| cols.contains(&*column)))
    }

    /// Every table and view with its schema and columns, in a canonical order, as parts for a
    /// digest (`t`, schema, table, then `c`, column for each column): equal parts resolve alike.
    pub fn parts(&self, mut part: impl FnMut(&[u8])) {
        let mut tables: Vec<(&String, &Vec<Relation>)> = self.tables.iter().collect();
        tables.sort_unstable_by_key(|(name, _)| *name);
        for (name, relations) in tables {
            let mut relations: Vec<&Relation> = relations.iter().collect();
            relations.sort();
            for (schema, columns) in relations {
                part(b"t");
                part(schema.as_deref().unwrap_or("").as_bytes());
                part(name.as_bytes());
                for c in columns {
                    part(b"c");
                    part(c.as_bytes());
                }
            }
        }
        for name in &self.dropped {
            part(b"d");
            part(name.as_bytes());
        }
    }

    /// Whether a replay kept `table` though a migration drops it.
    fn is_dropped(&self, table: &str) -> bool {
        !self.dropped.is_empty() && self.dropped.contains(&*lower(unqualified(table)))
    }

    pub fn columns_of(&self, table: &str) -> Vec<String> {
        let mut out: BTreeSet<String> = BTreeSet::new();
        for (_, cols) in self.tables.get(&unqualified(table).to_ascii_lowercase()).into_iter().flatten() {
            out.extend(cols.iter().cloned());
        }
        out.into_iter().collect()
    }
}

fn unqualified(table: &str) -> &str {
    table.rsplit('.').next().unwrap_or(table)
}

fn object_table(table: &str) -> ObjectRef {
    match table.rsplit_once('.') {
        Some((s, t)) => ObjectRef { schema: Some(Arc::from(s)), table: Arc::from(t), column: None },
        None => ObjectRef::table(table),
    }
}

fn object_column(table: &str, column: &str) -> ObjectRef {
    let mut o = object_table(table);
    o.column = Some(Arc::from(column));
    o
}

/// `Admin::User` and `MyApp.Accounts.User` → `["Admin", "User"]`, `["MyApp", "Accounts", "User"]`.
/// One scan over the bytes, without a substring searcher per call (`split("::")` builds one):
/// the resolver splits every model's class for every name it looks up.
fn segments(class: &str) -> Vec<&str> {
    let b = class.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        let separator = match b[i] {
            b'.' => 1,
            b':' if b.get(i + 1) == Some(&b':') => 2,
            _ => 0,
        };
        if separator == 0 {
            i += 1;
            continue;
        }
        if i > start {
            out.push(&class[start..i]);
        }
        i += separator;
        start = i;
    }
    if start < b.len() {
        out.push(&class[start..]);
    }
    out
}

/// Drops the classes whose ancestry does not reach their ORM's root through the app's own
/// classes (for the frameworks that say what the root is: `FrameworkSupport::is_model_root`). A file under `app/models` may declare a subclass of a plain class
/// (`GithubFetcher::Repo < Resource`): the extractor, seeing one file, must keep it as a possible
/// single-table subclass; knowing every class, it is no model, and mapping it to `repos` by its
/// name would attribute its whole file to that table.
fn records_only(list: &mut Vec<Model>) {
    let same = |class: &str, parent: &str| {
        class == parent || class.ends_with(&format!("::{parent}")) || parent.ends_with(&format!("::{class}"))
    };
    let mut keep = vec![true; list.len()];
    loop {
        let mut changed = false;
        for i in 0..list.len() {
            let decl = &list[i].decl;
            let Some(parent) = decl.parent.as_deref().filter(|_| keep[i]) else { continue };
            let parent = parent.trim_start_matches("::");
            let Some(root) = crate::framework::of(decl.framework).is_model_root(parent) else { continue };
            let reaches = root || (0..list.len()).any(|j| j != i && keep[j] && same(&list[j].decl.class, parent));
            if !reaches {
                keep[i] = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut flags = keep.into_iter();
    list.retain(|_| flags.next().unwrap_or(true));
}

/// A model class with where it was declared and the table it maps, once resolved.
#[derive(Debug, Clone)]
struct Model {
    decl: ModelDecl,
    path: String,
    table: Option<String>,
    ignored: BTreeSet<String>,
}

struct Models {
    list: Vec<Model>,
    by_last: HashMap<String, Vec<usize>>,
    /// The same, lower-cased: what a name's guess falls back to (`tummytime` → `TummyTime`).
    by_lower_last: HashMap<String, Vec<usize>>,
    /// Accessors a model gets from another model's association without declaring them (Django's
    /// `related_name` / `<model>_set`), by model index.
    inverse: HashMap<usize, Vec<Association>>,
    /// The same for a model the app relates to without declaring it (Django's `auth.User` when
    /// the settings are not scanned: `user.userprofile`), by its class name's last segment,
    /// lower-cased.
    orphans: HashMap<String, Vec<Association>>,
    /// Each model and what it inherits from, nearest first (see [`Models::lineage`]).
    lineage: Vec<Vec<usize>>,
    /// The models that map a table and inherit from or include each model (see
    /// [`Models::concrete`]).
    heirs: Vec<Vec<usize>>,
    /// Namespace module → the table name prefix it gives its models (see [`TABLE_PREFIX_SCOPE`]).
    prefixes: HashMap<String, String>,
    /// What [`Models::find`] answered for each name asked: a name no class has falls to a scan
    /// of every model, and resolution asks the same few names again for every hit.
    found: Mutex<HashMap<String, Vec<usize>>>,
    /// What [`Models::reach_or_undeclared`] answered, by the hash of (root, path, depth), with
    /// the key kept to tell collisions apart. The bindings are the app's, fixed for the life of
    /// the models; without the memo, names bound to names that are bound several ways are
    /// followed again along every path to them — exponential in the depth on the large
    /// Prisma apps (inbox-zero's resolution took minutes).
    reached: Mutex<HashMap<u64, Vec<(Reached, Reach)>>>,
}

/// The key of a [`Models::reached`] entry.
type Reached = (Root, Vec<String>, u32);

/// What [`Models::reach_or_undeclared`] answers: the models reached, else the undeclared classes.
type Reach = (BTreeSet<usize>, Vec<String>);

/// The table name prefixes namespaces give their models, from the [`TABLE_PREFIX_SCOPE`]
/// bindings of every file: one the module defines itself wins over an engine's
/// `isolate_namespace` (Rails defines the latter only when the module has none).
fn table_prefixes<'a>(bindings: impl IntoIterator<Item = &'a Binding>) -> HashMap<String, String> {
    let mut found: BTreeMap<&str, BTreeSet<(bool, &str)>> = BTreeMap::new();
    for b in bindings {
        if b.scope == TABLE_PREFIX_SCOPE
            && let Some(prefix) = b.path.first()
        {
            let engine = b.path.get(1).is_some_and(|s| s == NAMESPACE_ENGINE);
            found.entry(b.name.as_str()).or_default().insert((engine, prefix.as_str()));
        }
    }
    found
        .into_iter()
        .filter_map(|(module, prefixes)| {
            // The module's own first (`false` sorts first); two different ones of the same kind
            // leave the namespace without a prefix rather than guess.
            let mut it = prefixes.iter();
            let (kind, first) = it.next()?;
            let ambiguous = it.any(|(k, p)| k == kind && p != first);
            (!ambiguous).then(|| (module.to_owned(), (*first).to_owned()))
        })
        .collect()
}

/// Deeper chains of bindings or parents than this are a cycle (`@a = @b`, `@b = @a`).
const MAX_DEPTH: u32 = 16;

impl Models {
    fn build<'m>(
        app: &App,
        decls: impl IntoIterator<Item = (&'m str, &'m ModelDecl)>,
        prefixes: HashMap<String, String>,
    ) -> Models {
        let mut list: Vec<Model> = decls
            .into_iter()
            .map(|(path, decl)| Model {
                decl: decl.clone(),
                path: path.to_owned(),
                table: None,
                ignored: BTreeSet::new(),
            })
            .collect();
        records_only(&mut list);
        list.sort_by(|a, b| (&a.decl.class, &a.path, a.decl.line).cmp(&(&b.decl.class, &b.path, b.decl.line)));
        let mut by_last: HashMap<String, Vec<usize>> = HashMap::new();
        let mut by_lower_last: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, m) in list.iter().enumerate() {
            // A library's model (declared by no file) is found by its full name only.
            if m.path.is_empty() {
                continue;
            }
            if let Some(last) = segments(&m.decl.class).last() {
                by_last.entry((*last).to_owned()).or_default().push(i);
                by_lower_last.entry(last.to_lowercase()).or_default().push(i);
            }
        }
        let mut models = Models {
            list,
            by_last,
            by_lower_last,
            inverse: HashMap::new(),
            orphans: HashMap::new(),
            lineage: Vec::new(),
            heirs: Vec::new(),
            prefixes,
            found: Mutex::default(),
            reached: Mutex::default(),
        };
        models.lineage = (0..models.list.len()).map(|i| models.compute_lineage(i)).collect();
        let mut inverse: HashMap<usize, Vec<Association>> = HashMap::new();
        let mut orphans: HashMap<String, Vec<Association>> = HashMap::new();
        for m in &models.list {
            for a in &m.decl.associations {
                let Some((name, many)) = &a.inverse else { continue };
                let back = Association {
                    name: name.clone(),
                    model: m.decl.class.clone(),
                    many: *many,
                    foreign_key: None,
                    inverse: None,
                    associated_keys: Vec::new(),
                };
                let targets = models.find(&a.model);
                if targets.is_empty()
                    && let Some(last) = segments(&a.model).last()
                {
                    orphans.entry(last.to_lowercase()).or_default().push(back.clone());
                }
                for target in targets {
                    inverse.entry(target).or_default().push(back.clone());
                }
            }
        }
        models.inverse = inverse;
        models.orphans = orphans;
        let n = models.list.len();
        let tables: Vec<Option<String>> = (0..n).map(|i| models.table_of(i, app, 0)).collect();
        let ignored: Vec<BTreeSet<String>> = (0..n).map(|i| models.ignored_of(i)).collect();
        for (i, (t, ig)) in tables.into_iter().zip(ignored).enumerate() {
            models.list[i].table = t;
            models.list[i].ignored = ig;
        }
        // A model that maps a table stands for itself (a subclass's records read their
        // inherited columns through the parent's table: Django's multi-table inheritance, Rails'
        // single-table one); one that maps none for every model that inherits or includes it.
        let mut heirs: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (j, lineage) in models.lineage.iter().enumerate() {
            if models.list[j].table.is_some() {
                for &i in lineage {
                    if i == j || models.list[i].table.is_none() {
                        heirs[i].push(j);
                    }
                }
            }
        }
        models.heirs = heirs;
        models
    }

    /// Model `i` and what it inherits from, nearest first: itself, the modules it includes (and
    /// theirs), then its parent, the parent's modules, and so on.
    fn compute_lineage(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![i];
        let mut current = Some(i);
        while let Some(c) = current {
            if out.len() > MAX_DEPTH as usize * 4 {
                break;
            }
            // The class, then its mixins depth first.
            stack.clear();
            stack.push(c);
            while let Some(m) = stack.pop() {
                if out.contains(&m) {
                    continue;
                }
                out.push(m);
                for mixin in self.list[m].decl.mixins.iter().rev() {
                    stack.extend(self.find(mixin).into_iter().filter(|x| !out.contains(x)));
                }
            }
            current = self.parent(c).filter(|p| !out.contains(p));
        }
        out
    }

    /// Model `i` and what it inherits from, nearest first.
    fn lineage(&self, i: usize) -> &[usize] {
        &self.lineage[i]
    }

    /// The models whose records a use of model `i` may be: `i` when it maps a table, else every
    /// model that maps one and inherits from or includes `i` (a concern's or an abstract
    /// class's instance methods run on each of them).
    fn concrete(&self, i: usize) -> &[usize] {
        &self.heirs[i]
    }

    /// [`Models::find`], each model replaced by [`Models::concrete`].
    fn find_concrete(&self, name: &str) -> BTreeSet<usize> {
        self.find(name).into_iter().flat_map(|i| self.concrete(i).iter().copied()).collect()
    }

    /// Models a class name as written at a use site may denote: the exact class, else every
    /// model whose name ends with the same segments (`User` → `Admin::User` only when no
    /// `User` exists; Ecto aliases make `User` mean `MyApp.Accounts.User`).
    fn find(&self, name: &str) -> Vec<usize> {
        if let Some(found) = self.found.lock().expect("find memo").get(name) {
            return found.clone();
        }
        let found = self.find_uncached(name);
        self.found.lock().expect("find memo").insert(name.to_owned(), found.clone());
        found
    }

    fn find_uncached(&self, name: &str) -> Vec<usize> {
        let want = segments(name);
        let Some(last) = want.last() else { return Vec::new() };
        let candidates = self.by_last.get(*last).map(Vec::as_slice).unwrap_or(&[]);
        let exact: Vec<usize> =
            candidates.iter().copied().filter(|&i| segments(&self.list[i].decl.class) == want).collect();
        if !exact.is_empty() {
            return exact;
        }
        // A library's model: every one is namespaced (`Delayed::Job`), so a bare name never is.
        if want.len() > 1 {
            let library: Vec<usize> = (0..self.list.len())
                .filter(|&i| self.list[i].path.is_empty() && segments(&self.list[i].decl.class) == want)
                .collect();
            if !library.is_empty() {
                return library;
            }
        }
        let suffixed: Vec<usize> =
            candidates.iter().copied().filter(|&i| segments(&self.list[i].decl.class).ends_with(&want)).collect();
        if !suffixed.is_empty() {
            return suffixed;
        }
        // A context names its model `MyApp.Accounts.Account` (phx.gen.context) or, in older
        // layouts, `MyApp.Account` beside `MyApp.Accounts`: without the first, the second. So
        // for any schema a context's function names (`Devices.Certificates.create_device_certificate`
        // → `…Devices.DeviceCertificate`).
        if want.len() >= 3
            && let [.., context, own] = want.as_slice()
            && (crate::inflect::singularize(&crate::inflect::underscore(context)) == crate::inflect::underscore(own)
                || self.flat_beside_context(&want))
        {
            let flat: Vec<&str> = want[..want.len() - 2].iter().copied().chain(std::iter::once(*own)).collect();
            return candidates
                .iter()
                .copied()
                .filter(|&i| {
                    crate::framework::of(self.list[i].decl.framework).names_models_through_contexts()
                        && segments(&self.list[i].decl.class).ends_with(&flat)
                })
                .collect();
        }
        // A context's function names its schema with a role before it (`Events.get_user_event!`
        // → `MyApp.Events.UserEvent`): without such a model, the context's own (`…Events.Event`).
        if want.len() >= 3
            && let [.., context, own] = want.as_slice()
            && let served = crate::inflect::singularize(&crate::inflect::underscore(context))
            && crate::inflect::underscore(own).strip_suffix(&served).is_some_and(|role| role.ends_with('_'))
        {
            let class = crate::inflect::camelize(&served);
            let served: Vec<&str> =
                want[..want.len() - 1].iter().copied().chain(std::iter::once(class.as_str())).collect();
            return self
                .find(&served.join("."))
                .into_iter()
                .filter(|&i| crate::framework::of(self.list[i].decl.framework).names_models_through_contexts())
                .collect();
        }
        if want.len() > 1 {
            return suffixed;
        }
        // No model of that name: the one whose name ends with it in whole words, if only one.
        let by_words: Vec<usize> = (0..self.list.len())
            .filter(|&i| {
                let class = segments(&self.list[i].decl.class);
                let own = class.last().copied().unwrap_or("");
                own.len() > last.len()
                    && own.ends_with(last)
                    && last.starts_with(|c: char| c.is_ascii_uppercase())
                    && crate::framework::of(self.list[i].decl.framework).names_by_last_words()
            })
            .collect();
        if by_words.len() == 1 { by_words } else { Vec::new() }
    }

    /// Whether `want` (`[.., context, Own]`, the context plural) names no model in the
    /// context's namespace but one beside the context: `MyApp.Devices.Certificates.DeviceCertificate`
    /// for `MyApp.Devices.DeviceCertificate`.
    fn flat_beside_context(&self, want: &[&str]) -> bool {
        let [.., context, own] = want else { return false };
        let snake = crate::inflect::underscore(context);
        let singular = crate::inflect::singularize(&snake);
        if singular == snake || crate::inflect::pluralize(&singular) != snake {
            return false;
        }
        let flat: Vec<&str> = want[..want.len() - 2].iter().copied().chain(std::iter::once(*own)).collect();
        self.by_last.get(*own).is_some_and(|c| c.iter().any(|&i| segments(&self.list[i].decl.class).ends_with(&flat)))
    }

    /// The models a name's guess denotes: as [`Models::find_concrete`], else the models whose
    /// class is the guess in another case (a name says `tummytime`, never where `TummyTime`'s
    /// word breaks are).
    fn find_guess(&self, guess: &str) -> BTreeSet<usize> {
        if let Some(table) = guess.strip_prefix('=') {
            return self.mapping_table(&[table.to_owned()]);
        }
        if let Some(local) = guess.strip_prefix('~') {
            let found = self.find_guess(local);
            return if found.is_empty() && segments(local).len() == 1 { self.find_in_case(local, true) } else { found };
        }
        // `:Session`: a class of that name only, never the table it would name (`@session` is
        // hexpm's `UserSession`, not the `sessions` of its `PlugSession`).
        if let Some(class) = guess.strip_prefix(':') {
            return self.find_concrete(class);
        }
        let found = self.find_concrete(guess);
        if !found.is_empty() {
            return found;
        }
        let found = self.find_in_case(guess, false);
        if !found.is_empty() {
            return found;
        }
        // Named after the table rather than the class (`@settings` for `GlobalSettings`, whose
        // table is `settings`): the one model that maps it.
        let snake = crate::inflect::underscore(segments(guess).last().copied().unwrap_or(""));
        self.mapping_table(&[crate::inflect::pluralize(&snake), snake])
    }

    /// The models whose class is `guess` in another case (`Webhook` for `WebHook`), else, with
    /// `roles` and where the framework names by last words, the one model whose class the guess
    /// ends with in whole words (`OutgoingExchange` for `Exchange`: a local named with a role
    /// before the model's name). Not for a binding's guess or an association's step: an instance
    /// variable a controller fills with a hash (`@rss_link[:title]`) and an association of
    /// another class name (`impersonator_support_sessions`) are no such role.
    fn find_in_case(&self, guess: &str, roles: bool) -> BTreeSet<usize> {
        let Some(last) = segments(guess).last().copied() else { return BTreeSet::new() };
        let candidates = self.by_lower_last.get(&last.to_lowercase()).map(Vec::as_slice).unwrap_or(&[]);
        let found: BTreeSet<usize> = candidates.iter().flat_map(|&i| self.concrete(i).iter().copied()).collect();
        if !found.is_empty()
            || !roles
            || !self.list.first().is_some_and(|m| crate::framework::of(m.decl.framework).names_by_last_words())
        {
            return found;
        }
        // The longest tail of whole words that is a model's class; two such models, nothing.
        last.char_indices()
            .filter(|&(i, c)| i > 0 && c.is_ascii_uppercase())
            .map(|(i, _)| &last[i..])
            .find_map(|tail| self.by_last.get(tail))
            .filter(|named| named.len() == 1)
            .map(|named| named.iter().flat_map(|&i| self.concrete(i).iter().copied()).collect())
            .unwrap_or_default()
    }

    /// The models that map a table of one of these names, when they all map the same table
    /// (none when they map several: `settings` in two database schemas). Two schemas of one
    /// table (an app's `GlobalSettings` and a form's own `schema "settings"` with one field)
    /// name the same columns, so either is the table's.
    fn mapping_table(&self, names: &[String]) -> BTreeSet<usize> {
        let by_table: Vec<usize> = (0..self.list.len())
            .filter(|&i| self.list[i].table.as_deref().is_some_and(|t| names.iter().any(|n| n == unqualified(t))))
            .collect();
        let one_table = by_table.windows(2).all(|w| self.list[w[0]].table == self.list[w[1]].table);
        if one_table { by_table.into_iter().collect() } else { BTreeSet::new() }
    }

    /// The parent model of model `i` when its superclass is a model of the app.
    fn parent(&self, i: usize) -> Option<usize> {
        let parent = self.list[i].decl.parent.as_deref()?;
        self.find(parent).into_iter().find(|&p| p != i)
    }

    fn table_of(&self, i: usize, app: &App, depth: u32) -> Option<String> {
        let m = &self.list[i];
        if m.decl.is_abstract || depth > 16 {
            return None;
        }
        let class = m.decl.class.trim_start_matches("::");
        if let Some(t) = app.tables.get(class).or_else(|| app.tables.get(segments(class).join("::").as_str())) {
            return Some(t.clone());
        }
        if let Some(t) = &m.decl.table {
            return Some(t.clone());
        }
        // Single-table inheritance: a subclass of a concrete model shares its table.
        if let Some(p) = self.parent(i)
            && !self.list[p].decl.is_abstract
            && let Some(t) = self.table_of(p, app, depth + 1)
        {
            return Some(t);
        }
        let framework = crate::framework::of(m.decl.framework);
        // The nearest enclosing namespace that gives its models a table name prefix.
        let parts = segments(class);
        let prefixed = (1..parts.len())
            .rev()
            .find_map(|n| self.prefixes.get(&parts[..n].join("::")))
            .and_then(|prefix| framework.prefixed_table(class, prefix));
        prefixed.or_else(|| framework.default_table(class))
    }

    fn ignored_of(&self, i: usize) -> BTreeSet<String> {
        self.lineage(i).iter().flat_map(|&j| self.list[j].decl.ignored_columns.iter().cloned()).collect()
    }

    /// (table, column, declared) triples an attribute use on a model class names (see
    /// [`Models::mapped_column`]).
    /// A `declaration` names the column as spelt where its framework says so, even when an
    /// association has that name.
    /// A `guessed` name (a hit below high: a record typed by a local's name, `webhook` →
    /// `Webhook`) may be the class in another case (`WebHook`); a class as written may not.
    fn columns_for(
        &self,
        name: &str,
        attribute: &str,
        declaration: bool,
        guessed: bool,
    ) -> BTreeSet<(String, String, bool)> {
        let found = self.find_concrete(name);
        // A local's name camelized has one segment; a namespaced class as written
        // (`Invoice::DataPresenter::Address`) is no guess at another model.
        let found = if found.is_empty() && guessed && segments(name).len() == 1 {
            self.find_in_case(name, true)
        } else {
            found
        };
        found
            .into_iter()
            .flat_map(|i| {
                if declaration
                    && self.association(i, attribute).is_some()
                    && crate::framework::of(self.list[i].decl.framework).declarations_name_columns()
                {
                    self.list[i].table.clone().map(|t| (t, attribute.to_owned(), false)).into_iter().collect()
                } else {
                    self.read_columns(i, attribute)
                }
            })
            .collect()
    }

    fn tables_for(&self, name: &str) -> BTreeSet<String> {
        self.find_concrete(name).into_iter().filter_map(|i| self.list[i].table.clone()).collect()
    }

    /// Model `i`'s association called `name`: declared by it or by what it inherits from, or
    /// given to one of them by another model's inverse — also by the name a lookup spells a
    /// default inverse accessor with (Django's `cooklog__rating` for `cooklog_set`).
    fn association(&self, i: usize, name: &str) -> Option<&Association> {
        self.lineage(i).iter().find_map(|&j| {
            self.list[j].decl.associations.iter().find(|a| a.name == name).or_else(|| {
                let list = self.inverse.get(&j)?;
                list.iter()
                    .find(|a| a.name == name)
                    .or_else(|| list.iter().find(|a| a.name.strip_suffix("_set") == Some(name)))
            })
        })
    }

    /// The models a record reached from `root` through the associations of `path` may belong to.
    /// A step that is no association of any model reached so far ends the chain with nothing.
    fn reach(&self, root: &Root, path: &[String], bindings: &Bindings<'_>, depth: u32) -> BTreeSet<usize> {
        self.reach_or_undeclared(root, path, bindings, depth).0
    }

    /// [`Models::reach`], and when it reaches nothing, the classes the app relates to without
    /// declaring them that the chain ended at (`auth.User`): their accessors are the inverses
    /// of the app's relations to them.
    fn reach_or_undeclared(
        &self,
        root: &Root,
        path: &[String],
        bindings: &Bindings<'_>,
        depth: u32,
    ) -> (BTreeSet<usize>, Vec<String>) {
        // A hit's own chain is asked once; the memo pays off for the bindings it goes through.
        if depth == 0 {
            return self.reach_uncached(root, path, bindings, depth);
        }
        let mut hasher = std::hash::DefaultHasher::new();
        (root, path, depth).hash(&mut hasher);
        let hash = hasher.finish();
        let same = |(r, p, d): &Reached| r == root && p == path && *d == depth;
        if let Some(list) = self.reached.lock().expect("reach memo").get(&hash)
            && let Some((_, answer)) = list.iter().find(|(key, _)| same(key))
        {
            return answer.clone();
        }
        let answer = self.reach_uncached(root, path, bindings, depth);
        let key = (root.clone(), path.to_vec(), depth);
        self.reached.lock().expect("reach memo").entry(hash).or_default().push((key, answer.clone()));
        answer
    }

    fn reach_uncached(
        &self,
        root: &Root,
        path: &[String],
        bindings: &Bindings<'_>,
        depth: u32,
    ) -> (BTreeSet<usize>, Vec<String>) {
        let mut undeclared: Vec<String> = Vec::new();
        let mut current: BTreeSet<usize> = match root {
            Root::Model { model } => {
                let found = self.find_concrete(model);
                if found.is_empty() {
                    undeclared.push(model.clone());
                }
                found
            }
            Root::Binding { scopes, name, guess } if depth < MAX_DEPTH => {
                // A member of what a name holds, bound on its own (`findRows.data`: the records
                // under the `data` key of the object the function `findRows` returns) decides
                // that member; a name of a member nothing binds (`getFolders.folders`) is the
                // member of what the name before it holds, else its guess.
                let member =
                    path.split_first().map(|(first, rest)| (self.members(scopes, name, first, bindings, depth), rest));
                let member = member.filter(|(m, _)| !m.is_empty()).or_else(|| {
                    let (base, last) = name.rsplit_once('.')?;
                    let direct = scopes.iter().any(|s| !bindings.get(s, name).is_empty());
                    (!direct).then(|| (self.members(scopes, base, last, bindings, depth), path))
                });
                // A member bound to what no file could type is no evidence against the rest.
                if let Some((found, rest)) = member.filter(|(m, _)| !m.is_empty()) {
                    let mut reached: BTreeSet<usize> = BTreeSet::new();
                    for b in found {
                        let steps: Vec<String> = b.path.iter().chain(rest).cloned().collect();
                        reached.extend(self.reach_or_undeclared(&b.root, &steps, bindings, depth + 1).0);
                    }
                    if !reached.is_empty() {
                        return (reached, Vec::new());
                    }
                }
                // A binding that reaches no model (a function whose result no file could type)
                // is no evidence against what the name suggests.
                let mut bound: BTreeSet<usize> = BTreeSet::new();
                for b in scopes.iter().flat_map(|s| bindings.get(s, name)) {
                    let (found, unknown) = self.reach_or_undeclared(&b.root, &b.path, bindings, depth + 1);
                    bound.extend(found);
                    undeclared.extend(unknown);
                }
                if bound.is_empty() {
                    let found: BTreeSet<usize> = guess.iter().flat_map(|m| self.find_guess(m)).collect();
                    if found.is_empty() {
                        undeclared.extend(
                            guess
                                .iter()
                                .filter(|g| !g.starts_with(['=', ':']))
                                .map(|g| g.trim_start_matches('~').to_owned()),
                        );
                    }
                    found
                } else {
                    bound
                }
            }
            Root::Binding { .. } => BTreeSet::new(),
        };
        // A class no binding gives a model (a serializer nothing names, a mixin nothing
        // inherits) reads nothing, through its relations neither: no step names a model by
        // convention from it.
        if current.is_empty()
            && let Root::Binding { scopes, .. } = root
            && !scopes.is_empty()
            && scopes.iter().all(|s| s.starts_with(CLASS_SCOPE_PREFIX))
        {
            return (current, Vec::new());
        }
        for step in path {
            if current.is_empty() {
                let back: BTreeSet<usize> = undeclared
                    .iter()
                    .filter_map(|class| segments(class).last().map(|l| l.to_lowercase()))
                    .filter_map(|last| self.orphans.get(&last))
                    .flatten()
                    .filter(|a| a.name == *step)
                    .flat_map(|a| self.find_concrete(&a.model))
                    .collect();
                undeclared.clear();
                if !back.is_empty() {
                    current = back;
                    continue;
                }
                // A record nothing typed (`sub.issue_assignments`, a polymorphic
                // `item.origin`): the step names its model as a local of that name would.
                current = self
                    .list
                    .first()
                    .and_then(|m| crate::framework::of(m.decl.framework).association_by_convention(step))
                    .map(|class| self.find_concrete(&class))
                    .unwrap_or_default();
                continue;
            }
            let mut next = BTreeSet::new();
            undeclared.clear();
            for &i in &current {
                match self.association(i, step) {
                    Some(a) => {
                        let found = self.find_concrete(&a.model);
                        if found.is_empty() {
                            undeclared.push(a.model.clone());
                        }
                        next.extend(found);
                    }
                    None => {
                        // A member the model's file types (a property returning its event's
                        // schedule) reaches what it returns; any other step, the model it is
                        // called after.
                        let members = match depth < MAX_DEPTH {
                            true => bindings.get(MEMBER_SCOPE, &format!("{}.{step}", self.list[i].decl.class)),
                            false => &[],
                        };
                        for b in members {
                            next.extend(self.reach(&b.root, &b.path, bindings, depth + 1));
                        }
                        if members.is_empty() {
                            next.extend(
                                crate::framework::of(self.list[i].decl.framework)
                                    .association_by_convention(step)
                                    .map(|class| self.find_concrete(&class))
                                    .unwrap_or_default(),
                            );
                        }
                    }
                }
            }
            current = next;
        }
        // A name bound to a member of another name's binding (`dataSource` → the `users` of a
        // response type, whose rows are another type's): the rest of the chain is read through
        // that binding's members too, where the steps as associations reach nothing.
        if current.is_empty()
            && !path.is_empty()
            && depth < MAX_DEPTH
            && let Root::Binding { scopes, name, .. } = root
        {
            for b in scopes.iter().flat_map(|s| bindings.get(s, name)) {
                if matches!(b.root, Root::Binding { .. }) && !b.path.is_empty() {
                    let steps: Vec<String> = b.path.iter().chain(path).cloned().collect();
                    current.extend(self.reach_or_undeclared(&b.root, &steps, bindings, depth + 1).0);
                }
            }
        }
        if !current.is_empty() {
            undeclared.clear();
        }
        (current, undeclared)
    }

    /// The bindings of member `member` of what `name` holds: bound as `name.member`, or as the
    /// member of the name another binding of `name` stands for (`passkey.find` → the procedure
    /// `findPasskeysRoute` → the function `findPasskeys`, whose `data` is bound).
    fn members<'b>(
        &self,
        scopes: &[String],
        name: &str,
        member: &str,
        bindings: &Bindings<'b>,
        depth: u32,
    ) -> Vec<&'b Binding> {
        if depth >= MAX_DEPTH {
            return Vec::new();
        }
        let joined = format!("{name}.{member}");
        let direct: Vec<&Binding> = scopes.iter().flat_map(|s| bindings.get(s, &joined)).copied().collect();
        if !direct.is_empty() {
            return direct;
        }
        scopes
            .iter()
            .flat_map(|s| bindings.get(s, name))
            .filter(|b| b.path.is_empty())
            .flat_map(|b| match &b.root {
                Root::Binding { scopes, name, .. } => self.members(scopes, name, member, bindings, depth + 1),
                Root::Model { .. } => Vec::new(),
            })
            .collect()
    }

    /// What a use of `attribute` on a record of model `i` reads: the column its declared fields
    /// (or those of what it inherits from) map it to (Django `author` → `author_id`, Prisma
    /// `@map`, Sequelize `field`), else the attribute itself unless the framework declares every
    /// field; for a
    /// belongs-to association its foreign key; for any other association nothing of `i`'s table
    /// (nor for an attribute declared as a relation or virtual field: an empty mapped column).
    ///
    /// With it, whether a declaration of the model maps the attribute to that column (a declared
    /// field, a belongs-to's foreign key) rather than the attribute's name standing for one: only
    /// then is the column's absence from the schema evidence that the code expects a column (a
    /// Rails record's `user.full_name` may be any method).
    /// What a use of `attribute` on a record of model `i` reads: [`Models::mapped_column`], and
    /// for an association whose key is on the associated side (a Rails `has_many`), that key
    /// of the associated model's table (`folder.subfolders` loads through
    /// `template_folders.parent_folder_id`). Such a key is never stated where it is read.
    fn read_columns(&self, i: usize, attribute: &str) -> Vec<(String, String, bool)> {
        let mut out: Vec<(String, String, bool)> = self.mapped_column(i, attribute).into_iter().collect();
        let attribute = predicate_stem(attribute);
        // A polymorphic belongs-to (its model is whatever `<name>_type` names: an empty model)
        // loads through its type column as well as its key (Rails `report.item`).
        if let Some(a) = self.association(i, attribute).filter(|a| a.foreign_key.is_some() && a.model.is_empty())
            && let Some(table) = self.list[i].table.clone()
        {
            out.push((table, format!("{}_type", a.name), true));
        }
        if let Some(a) = self.association(i, attribute).filter(|a| !a.associated_keys.is_empty()) {
            let tables: BTreeSet<String> =
                self.find_concrete(&a.model).into_iter().filter_map(|j| self.list[j].table.clone()).collect();
            for t in tables {
                out.extend(a.associated_keys.iter().map(|k| (t.clone(), k.clone(), false)));
            }
        }
        out
    }

    /// Where the framework gives each concrete subclass a table of its own (Django's
    /// multi-table inheritance), what `attribute` reads on a record of model `i` that neither
    /// `i` nor what it inherits declares, when exactly one concrete subclass's table holds it:
    /// `status.position` on a `Status` fetched as its subclass (`Quotation(Status)` declares
    /// `position`). Several subclasses declaring it leave the read to none of them.
    fn subclass_columns(&self, i: usize, attribute: &str) -> Vec<(String, String, bool)> {
        let m = &self.list[i];
        if m.decl.is_abstract
            || m.table.is_none()
            || !crate::framework::of(m.decl.framework).parent_tables_hold_inherited_fields()
            || self.is_field(i, attribute)
        {
            return Vec::new();
        }
        let found: BTreeSet<(String, String, bool)> = (0..self.list.len())
            .filter(|&j| j != i && self.lineage(j).contains(&i) && self.is_field(j, attribute))
            .filter(|&j| !self.list[j].decl.is_abstract && self.list[j].table.is_some())
            .filter_map(|j| self.mapped_column(j, attribute))
            .collect();
        let tables: BTreeSet<&String> = found.iter().map(|(t, _, _)| t).collect();
        if tables.len() == 1 { found.into_iter().collect() } else { Vec::new() }
    }

    /// Whether model `i` (or what it inherits from) declares `name` as a field or an association.
    fn is_field(&self, i: usize, name: &str) -> bool {
        self.association(i, name).is_some()
            || self.lineage(i).iter().any(|&j| self.list[j].decl.fields.iter().any(|(a, _)| a == name))
    }

    /// Where the framework says so, a field a concrete parent with a table of its own declares
    /// is a column of that table (Django's multi-table inheritance: `Speaker(Person)` reads
    /// `phone` from `participants_person`); one of an abstract parent, a concern or a
    /// single-table parent is the model's own table's.
    ///
    /// A predicate (`active?`, as Rails names one) is the field it is declared as (an enum's
    /// value, mapped to the enum's column), else its stem's.
    fn mapped_column(&self, i: usize, attribute: &str) -> Option<(String, String, bool)> {
        let own = self.list[i].table.clone()?;
        let joined = crate::framework::of(self.list[i].decl.framework).parent_tables_hold_inherited_fields();
        let table_of = |j: usize| self.list[j].table.clone().filter(|_| joined && !self.list[j].decl.is_abstract);
        let predicate = attribute;
        let attribute = predicate_stem(attribute);
        match self.association(i, attribute) {
            Some(a) => {
                let holder = self.lineage(i).iter().copied().find(|&j| {
                    self.list[j].decl.associations.iter().any(|d| d.name == attribute && d.foreign_key == a.foreign_key)
                });
                let table = holder.and_then(table_of).unwrap_or(own);
                a.foreign_key.clone().map(|fk| (table, fk, true))
            }
            None => {
                let declared_as = |name: &str| {
                    self.lineage(i)
                        .iter()
                        .find_map(|&j| self.list[j].decl.fields.iter().find(|(a, _)| a == name).map(|f| (j, f)))
                };
                let declared = declared_as(predicate).or_else(|| declared_as(attribute));
                let table = declared.and_then(|(j, _)| table_of(j)).unwrap_or(own);
                let declared = declared.map(|(_, f)| f);
                let (column, declared) = match declared {
                    Some((_, c)) => (c.clone(), true),
                    None if crate::framework::of(self.list[i].decl.framework).declares_every_field() => return None,
                    None => (attribute.to_owned(), false),
                };
                (!column.is_empty()).then_some((table, column, declared))
            }
        }
    }

    /// Whether some model of the app declares `name` as an association: then a bare
    /// `x.name` on an unknown receiver may well be that association, not a column.
    /// Whether a model that maps no table, or another table than `table`, declares a field
    /// `name` (an Ecto schema whose column the dump lacks, a plain struct): then a bare `x.name`
    /// may well be that one.
    fn is_field_elsewhere(&self, name: &str, table: &str) -> bool {
        self.list.iter().any(|m| {
            !m.decl.is_abstract
                && m.table.as_deref().is_none_or(|t| !unqualified(t).eq_ignore_ascii_case(table))
                && m.decl.fields.iter().any(|(a, c)| a == name && !c.is_empty())
        })
    }

    /// Whether a model of the app maps `table`.
    fn maps_table(&self, table: &str) -> bool {
        self.list.iter().any(|m| m.table.as_deref().is_some_and(|t| unqualified(t).eq_ignore_ascii_case(table)))
    }

    /// Whether some model keeps an association named `name` in its own column (an Ecto embed).
    fn is_embed_anywhere(&self, name: &str) -> bool {
        let embed = |a: &Association| a.name == name && a.foreign_key.as_deref() == Some(name);
        self.list.iter().any(|m| m.decl.associations.iter().any(embed))
    }

    /// (An embed, whose accessor is its own column — Ecto `embeds_one :handles` — is not such a
    /// name.)
    fn is_association_anywhere(&self, name: &str) -> bool {
        let other = |a: &Association| a.name == name && a.foreign_key.as_deref() != Some(name);
        self.list.iter().any(|m| m.decl.associations.iter().any(other))
            || self.inverse.values().flatten().any(|a| a.name == name)
    }
}

/// Whether a [`Root::Binding`] of [`OWNED_SCOPE_PREFIX`] scopes names an attribute a class
/// assigns itself.
fn owned(root: &Root, bindings: &Bindings<'_>) -> bool {
    match root {
        Root::Binding { scopes, name, .. } => {
            scopes.iter().any(|s| s.starts_with(OWNED_SCOPE_PREFIX) && !bindings.get(s, name).is_empty())
        }
        Root::Model { .. } => false,
    }
}

/// Every binding of the app, by scope and name.
#[derive(Default)]
struct Bindings<'a> {
    /// Scope → name → the bindings of that name.
    by_scope: HashMap<&'a str, HashMap<&'a str, Vec<&'a Binding>>>,
}

impl<'a> Bindings<'a> {
    fn build(bindings: impl IntoIterator<Item = (&'a str, &'a Binding)>) -> Self {
        let mut by_scope: HashMap<&str, HashMap<&str, Vec<&Binding>>> = HashMap::new();
        for (_, b) in bindings {
            by_scope.entry(b.scope.as_str()).or_default().entry(b.name.as_str()).or_default().push(b);
        }
        // A scope that includes others whole holds their bindings too; an included scope may
        // include more, followed a bounded number of times (inclusion may be circular).
        for _ in 0..MAX_DEPTH {
            let mut added = false;
            let includes: Vec<(&str, &str)> = by_scope
                .iter()
                .flat_map(|(scope, names)| {
                    names.get(EVERY_NAME).into_iter().flatten().flat_map(move |b| match &b.root {
                        Root::Binding { scopes, .. } => scopes.iter().map(|s| (*scope, s.as_str())).collect(),
                        Root::Model { .. } => Vec::new(),
                    })
                })
                .collect();
            for (scope, included) in includes {
                let Some(names) = by_scope.get(included) else { continue };
                let copied: Vec<(&str, &Binding)> = names
                    .iter()
                    .filter(|(n, _)| **n != EVERY_NAME)
                    .flat_map(|(n, list)| list.iter().map(move |b| (*n, *b)))
                    .collect();
                let into = by_scope.entry(scope).or_default();
                for (name, b) in copied {
                    let list = into.entry(name).or_default();
                    if !list.contains(&b) {
                        list.push(b);
                        added = true;
                    }
                }
            }
            if !added {
                break;
            }
        }
        for list in by_scope.values_mut().flat_map(HashMap::values_mut) {
            list.sort();
            list.dedup();
        }
        Bindings { by_scope }
    }

    fn get(&self, scope: &str, name: &str) -> &[&'a Binding] {
        self.by_scope.get(scope).and_then(|names| names.get(name)).map_or(&[], Vec::as_slice)
    }
}

/// The attribute a predicate is named after (`active?` → `active`); any other name as it is.
fn predicate_stem(name: &str) -> &str {
    name.strip_suffix('?').unwrap_or(name)
}

/// Whether `hit`, naming a column its (known) table lacks, is evidence enough that the code
/// expects that column — a dangling reference — rather than a name that is no column at all:
/// at the gate's default confidence (medium) or above, and only where something states the
/// column (`stated`): SQL naming the table with it (parsed, so aliases and functions are not
/// taken for columns), or a model's declaration mapping the attribute to it (an Ecto `field`, a
/// Django field, a belongs-to's foreign key). A name only read or written on a record — Rails'
/// `user.full_name`, `f.password_field :password`, `attribute :mod_note` (virtual), the words of
/// a `where("…")` fragment, a `has_many`'s conventional key — is taken for a column only while
/// the table has one: it may be a method, a virtual attribute, an alias or a gem's accessor.
fn names_a_column(hit: &Hit, stated: bool) -> bool {
    stated && hit.confidence >= Confidence::Medium && hit.kind != RefKind::Name
}

/// Everything about one app at one commit the resolver needs besides the facts.
pub struct Context<'a> {
    pub app: &'a App,
    pub git_ref: &'a str,
    pub commit: &'a str,
    pub schema: Option<&'a SchemaIndex>,
}

/// Resolve the facts of every file (path inside the repository, facts) into sorted, deduplicated
/// references.
pub fn resolve(ctx: &Context<'_>, files: &[(String, FileFacts)]) -> Vec<Reference> {
    resolve_among(
        ctx,
        files.iter().flat_map(|(path, f)| f.models.iter().map(move |m| (path.as_str(), m))),
        files.iter().flat_map(|(path, f)| f.bindings.iter().map(move |b| (path.as_str(), b))),
        files,
    )
}

/// The models the app's framework knows a library defines (`FrameworkSupport::library_models`),
/// as declarations of no file, for the tables the schema has (all of them without a schema).
fn library_models(ctx: &Context<'_>) -> Vec<ModelDecl> {
    let framework = ctx.app.framework;
    crate::framework::of(framework)
        .library_models()
        .iter()
        .filter(|(_, table)| ctx.schema.is_none_or(|s| s.has_table(table)))
        .map(|(class, table)| ModelDecl {
            framework,
            class: (*class).to_owned(),
            parent: None,
            table: Some((*table).to_owned()),
            is_abstract: false,
            ignored_columns: Vec::new(),
            fields: Vec::new(),
            associations: Vec::new(),
            mixins: Vec::new(),
            line: 0,
            column: 0,
            snippet: String::new(),
        })
        .collect()
}

/// Resolve the facts of some files of a commit, given every model and binding the commit
/// declares (path, declaration), those of `files` included.
pub fn resolve_among<'m>(
    ctx: &Context<'_>,
    models: impl IntoIterator<Item = (&'m str, &'m ModelDecl)>,
    bindings: impl IntoIterator<Item = (&'m str, &'m Binding)>,
    files: &[(String, FileFacts)],
) -> Vec<Reference> {
    let bindings: Vec<(&str, &Binding)> = bindings.into_iter().collect();
    let library = library_models(ctx);
    let mut decls: Vec<(&str, &ModelDecl)> = models.into_iter().collect();
    decls.extend(library.iter().map(|d| ("", d)));
    let models = Models::build(ctx.app, decls, table_prefixes(bindings.iter().map(|(_, b)| *b)));
    let bindings = Bindings::build(bindings);
    // Everything below is per file once the models are known (references are keyed by path),
    // so files resolve in parallel.
    let mut own: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, m) in models.list.iter().enumerate() {
        own.entry(m.path.as_str()).or_default().push(i);
    }
    let origin = Origin::new(&ctx.app.name, ctx.git_ref, ctx.commit);
    let per_file: Vec<Vec<Reference>> = files
        .par_iter()
        .map(|(path, facts)| {
            let mine = own.get(path.as_str()).map_or(&[][..], Vec::as_slice);
            resolve_file(ctx, &origin, &models, &bindings, path, facts, mine)
        })
        .collect();
    let mut out: Vec<Reference> = per_file.into_iter().flatten().collect();
    // Already in order when `files` is sorted by path, as the scan passes it.
    out.sort();
    out
}

/// Adds one reference: (path, line, column, object, kind, confidence, snippet).
type AddReference<'a> = dyn FnMut(&str, u32, u32, ObjectRef, RefKind, Confidence, &str) + 'a;

/// The references of one file: its hits, and the implicit and inherited references of the
/// models it declares (`own`, indices into `models`).
fn resolve_file(
    ctx: &Context<'_>,
    origin: &Origin,
    models: &Models,
    bindings: &Bindings<'_>,
    path: &str,
    facts: &FileFacts,
    own: &[usize],
) -> Vec<Reference> {
    let mut refs: BTreeMap<(Arc<str>, u32, u32, ObjectRef, RefKind), Reference> = BTreeMap::new();
    let file: Arc<str> = Arc::from(path);
    // Hits come line by line, several to a line: consecutive equal snippets share one string.
    let mut last_snippet: Arc<str> = Arc::from("");
    let mut add = |path: &str,
                   line: u32,
                   column: u32,
                   object: ObjectRef,
                   kind: RefKind,
                   confidence: Confidence,
                   snippet: &str| {
        let path = if path == &*file { Arc::clone(&file) } else { Arc::from(path) };
        let key = (Arc::clone(&path), line, column, object.clone(), kind);
        let r = refs.entry(key).or_insert_with(|| Reference {
            app: Arc::clone(&origin.app),
            git_ref: Arc::clone(&origin.git_ref),
            commit: Arc::clone(&origin.commit),
            path,
            line,
            column,
            object,
            kind,
            confidence,
            snippet: {
                if *last_snippet != *snippet {
                    last_snippet = Arc::from(snippet);
                }
                Arc::clone(&last_snippet)
            },
        });
        r.confidence = r.confidence.max(confidence);
    };
    // With a schema, a column of a table the schema knows must exist there; tables unknown to
    // the schema (another database, a typo in the dump) are kept rather than guessed away.
    let column_ok = |table: &str, column: &str| ctx.schema.and_then(|s| s.has_column(table, column)).unwrap_or(true);
    // What a use of `table.column` by `hit` is: a use of the schema, a dangling reference (the
    // table is known and lacks the column, and the hit is evidence of a column), or nothing.
    // The attribution is the same either way: the hit named this table, and an absent column
    // never sends it to another.
    let kind_of = |table: &str, column: &str, stated: bool, hit: &Hit| {
        if column_ok(table, column) { Some(hit.kind) } else { names_a_column(hit, stated).then_some(RefKind::Dangling) }
    };

    let reads_unresolved_as_attributes = crate::framework::of(ctx.app.framework).reads_unresolved_names_as_attributes();
    for hit in &facts.hits {
        // An attribute on a receiver nothing types.
        let attribute_hit_at = |name: &str, cap: Confidence, add: &mut AddReference<'_>| {
            let Some(schema) = ctx.schema else { return };
            let name = lower(predicate_stem(name));
            let Some(tables) = schema.columns.get(name.as_ref()) else { return };
            // One table has the column and no association of the app shares its name: the
            // use most likely reads it. Otherwise any of them may be meant, or none. A table a
            // migration drops and no model maps (the replay keeps it) holds no record to read.
            let gone = |t: &str| schema.is_dropped(t) && !models.maps_table(t);
            let live = tables.iter().filter(|t| !gone(t)).count();
            let one = if live == 0 { tables.len() == 1 } else { live == 1 };
            let likely = one
                && !models.is_association_anywhere(&name)
                && !tables.iter().filter(|t| live == 0 || !gone(t)).any(|t| models.is_field_elsewhere(&name, t));
            if tables.len() > MAX_IDENTIFIER_FANOUT {
                return;
            }
            for t in tables {
                let confidence =
                    if likely && (live == 0 || !gone(t)) { hit.confidence.min(cap) } else { Confidence::Low };
                let object = ObjectRef::column(schema.spelling(t), schema.spelling(&name));
                add(path, hit.line, hit.column, object, hit.kind, confidence, &hit.snippet);
            }
        };
        let attribute_hit = |name: &str, add: &mut AddReference<'_>| attribute_hit_at(name, Confidence::High, add);
        let mut emit = |object: ObjectRef, kind: RefKind| {
            add(path, hit.line, hit.column, object, kind, hit.confidence, &hit.snippet)
        };
        match &hit.target {
            Target::Table { table } => emit(object_table(table), hit.kind),
            Target::Column { table, column } => {
                if let Some(kind) = kind_of(table, column, true, hit) {
                    emit(object_column(table, column), kind);
                }
            }
            Target::Model { model } => {
                for t in models.tables_for(model) {
                    emit(object_table(&t), hit.kind);
                }
            }
            Target::ModelColumn { model, column } => {
                for (t, c, declared) in models.columns_for(
                    model,
                    column,
                    hit.kind == RefKind::Declaration,
                    hit.confidence < Confidence::High,
                ) {
                    if let Some(kind) = kind_of(&t, &c, declared, hit) {
                        emit(object_column(&t, &c), kind);
                    }
                }
            }
            Target::FieldList { model, column, list } => {
                let candidates: BTreeSet<usize> = match model {
                    Some(model) => models.find_concrete(model),
                    None => {
                        // The one model that has every name; two say the list is ambiguous.
                        let all: Vec<usize> = (0..models.list.len())
                            .filter(|&i| {
                                let m = &models.list[i];
                                m.table.is_some()
                                    && !m.decl.is_abstract
                                    && list.iter().all(|name| models.is_field(i, name))
                            })
                            .collect();
                        if all.len() == 1 { all.into_iter().collect() } else { BTreeSet::new() }
                    }
                };
                for i in candidates {
                    if list.iter().all(|name| models.is_field(i, name))
                        && let Some((t, c, declared)) = models.mapped_column(i, column)
                        && let Some(kind) = kind_of(&t, &c, declared, hit)
                    {
                        emit(object_column(&t, &c), kind);
                    }
                }
            }
            Target::AnyColumn { tables, column } => {
                // PostgreSQL binds an unqualified column to the first table in scope (innermost
                // first) that has it; without a schema every candidate may be the one.
                let known: Vec<&String> = match ctx.schema {
                    Some(s) => tables.iter().find(|t| s.has_column(t, column) == Some(true)).into_iter().collect(),
                    None => tables.iter().collect(),
                };
                for t in known {
                    emit(object_column(t, column), hit.kind);
                }
            }
            Target::Chain { root: root @ Root::Binding { scopes, .. }, path: steps, attribute: Some(attribute) }
                if steps.is_empty()
                    && reads_unresolved_as_attributes
                    && (scopes.is_empty() || !scopes.iter().all(|s| s.starts_with(CLASS_SCOPE_PREFIX)))
                    && !owned(root, bindings)
                    && models.reach(root, steps, bindings, 0).is_empty() =>
            {
                // A name nothing types (no binding, no model it is named after): an attribute
                // on an unknown receiver.
                attribute_hit(attribute, &mut add);
            }
            Target::Chain { root, path: steps, attribute } => {
                let reached = models.reach(root, steps, bindings, 0);
                for i in reached {
                    match attribute {
                        None => {
                            if let Some(t) = &models.list[i].table {
                                add(
                                    path,
                                    hit.line,
                                    hit.column,
                                    object_table(t),
                                    hit.kind,
                                    hit.confidence,
                                    &hit.snippet,
                                );
                            }
                        }
                        Some(attribute) => {
                            // A subclass's column read through the parent is a guess at which
                            // subclass the record is: medium at most.
                            let own = models.read_columns(i, attribute).into_iter().map(|c| (c, Confidence::High));
                            let sub =
                                models.subclass_columns(i, attribute).into_iter().map(|c| (c, Confidence::Medium));
                            for ((t, c, declared), cap) in own.chain(sub) {
                                if let Some(kind) = kind_of(&t, &c, declared, hit) {
                                    let object = object_column(&t, &c);
                                    add(
                                        path,
                                        hit.line,
                                        hit.column,
                                        object,
                                        kind,
                                        hit.confidence.min(cap),
                                        &hit.snippet,
                                    );
                                }
                            }
                        }
                    }
                }
            }
            Target::Attribute { name } => attribute_hit(name, &mut add),
            Target::AttributeThrough { field, attribute } => {
                // (A name that is also another model's association — papercups' `user.settings`,
                // a `has_one`, beside an account's embedded `settings` — may be either.)
                let embed = models.is_embed_anywhere(field) && !models.is_association_anywhere(field);
                let cap = if embed { Confidence::Low } else { Confidence::High };
                attribute_hit_at(attribute, cap, &mut add);
            }
            Target::Identifier { name } => {
                let Some(schema) = ctx.schema else { continue };
                let name = lower(name);
                // Count before building anything: `id` names a column of every table.
                let is_table = schema.has_table(&name);
                let tables = schema.columns.get(name.as_ref());
                if usize::from(is_table) + tables.map_or(0, BTreeSet::len) > MAX_IDENTIFIER_FANOUT {
                    continue;
                }
                if is_table {
                    emit(ObjectRef::table(&name), hit.kind);
                }
                for t in tables.into_iter().flatten() {
                    emit(ObjectRef::column(t, &name), hit.kind);
                }
            }
        }
    }

    // Fields of an abstract parent declared in another file (Django `class Post(TimeStampedModel)`,
    // a TypeORM abstract base entity) are columns of each concrete child's table: the child's
    // declaration maps them. Same-file parents are expanded by the extractors themselves.
    for &i in own {
        let m = &models.list[i];
        let Some(table) = &m.table else { continue };
        if m.decl.is_abstract {
            continue;
        }
        let mut cur = models.parent(i);
        let mut depth = 0;
        while let Some(p) = cur.filter(|_| depth < 16) {
            let parent = &models.list[p];
            if !parent.decl.is_abstract {
                break;
            }
            if parent.path != m.path {
                for (attr, column) in &parent.decl.fields {
                    if column.is_empty() || attr == "pk" {
                        continue;
                    }
                    // A declared field the table lacks: dangling.
                    let kind = if column_ok(table, column) { RefKind::Declaration } else { RefKind::Dangling };
                    add(
                        &m.path,
                        m.decl.line,
                        m.decl.column,
                        object_column(table, column),
                        kind,
                        Confidence::High,
                        &m.decl.snippet,
                    );
                }
            }
            cur = models.parent(p);
            depth += 1;
        }
    }

    // Every concrete ActiveRecord model maps its table and reads and writes each column on every
    // load and save, unless told to ignore it.
    for m in own.iter().map(|&i| &models.list[i]) {
        let Some(table) = &m.table else { continue };
        if m.decl.is_abstract || !crate::framework::of(m.decl.framework).maps_every_column() {
            continue;
        }
        match ctx.schema {
            Some(schema) if schema.has_table(table) => {
                add(
                    &m.path,
                    m.decl.line,
                    m.decl.column,
                    object_table(table),
                    RefKind::Implicit,
                    Confidence::High,
                    &m.decl.snippet,
                );
                for c in schema.columns_of(table) {
                    if !m.ignored.contains(&c) {
                        add(
                            &m.path,
                            m.decl.line,
                            m.decl.column,
                            object_column(table, &c),
                            RefKind::Implicit,
                            Confidence::High,
                            &m.decl.snippet,
                        );
                    }
                }
            }
            Some(_) => {}
            None => add(
                &m.path,
                m.decl.line,
                m.decl.column,
                object_table(table),
                RefKind::Implicit,
                Confidence::High,
                &m.decl.snippet,
            ),
        }
    }

    // The `name` fallback yields to stronger evidence for the same word on the same line.
    let leaf = |o: &ObjectRef| o.column.clone().unwrap_or_else(|| o.table.clone()).to_ascii_lowercase();
    // (A dangling reference names nothing of the schema: the fallback's reading stays.)
    let strong: HashSet<(&str, u32, String)> = refs
        .values()
        .filter(|r| !matches!(r.kind, RefKind::Name | RefKind::Dangling))
        .map(|r| (&*r.path, r.line, leaf(&r.object)))
        .collect();
    let weak: Vec<_> = refs
        .iter()
        .filter(|(_, r)| r.kind == RefKind::Name && strong.contains(&(&*r.path, r.line, leaf(&r.object))))
        .map(|(k, _)| k.clone())
        .collect();
    drop(strong);
    for k in weak {
        refs.remove(&k);
    }
    let mut out: Vec<Reference> = refs.into_values().collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Framework;
    use crate::scan::facts::Hit;
    use crate::schema::{Column, QualifiedName, Table};

    #[test]
    fn segments_split_on_double_colons_and_dots_as_str_split_does() {
        let by_split = |class: &str| -> Vec<String> {
            let parts = class.trim_start_matches("::").split("::").flat_map(|s| s.split('.'));
            parts.filter(|s| !s.is_empty()).map(str::to_owned).collect()
        };
        for class in [
            "Admin::User",
            "::User",
            "MyApp.Accounts.User",
            "a:::b",
            ":::a",
            "a:b",
            "a:.:b",
            "a.::b",
            "a::",
            "::",
            ":",
            "",
            "..",
            "A::B.C::D",
            "Spree::Order:",
        ] {
            assert_eq!(segments(class), by_split(class), "{class:?}");
        }
    }

    fn app() -> App {
        App {
            name: "web".into(),
            repo: ".".into(),
            path: None,
            framework: Framework::Rails,
            deployed: None,
            head: "HEAD".into(),
            include: vec![],
            exclude: vec![],
            structure: None,
            migrations: Vec::new(),
            owner: None,
            source: Default::default(),
            tables: BTreeMap::from([("Legacy::Thing".to_owned(), "tbl_things".to_owned())]),
            line: 1,
        }
    }

    fn schema() -> Schema {
        let mut s = Schema::default();
        for (t, cols) in [
            ("users", &["id", "email", "legacy_flag", "type"][..]),
            ("accounts", &["id", "email"][..]),
            ("tbl_things", &["id"][..]),
        ] {
            let mut table = Table::new(QualifiedName::unqualified(t));
            table.columns = cols.iter().map(|c| Column::new(c, "text")).collect();
            s.tables.push(table);
        }
        s
    }

    fn model(class: &str, parent: Option<&str>, line: u32) -> ModelDecl {
        ModelDecl {
            framework: Framework::Rails,
            class: class.into(),
            parent: parent.map(Into::into),
            table: None,
            is_abstract: class == "ApplicationRecord",
            ignored_columns: if class == "User" { vec!["legacy_flag".into()] } else { vec![] },
            fields: Vec::new(),
            associations: Vec::new(),
            mixins: Vec::new(),
            line,
            column: 1,
            snippet: format!("class {class}"),
        }
    }

    fn hit(line: u32, target: Target, kind: RefKind) -> Hit {
        Hit {
            line,
            column: 3,
            target,
            kind,
            confidence: if kind == RefKind::Name { Confidence::Low } else { Confidence::Medium },
            snippet: String::new(),
        }
    }

    fn summary(refs: &[Reference]) -> Vec<String> {
        refs.iter().map(|r| format!("{}:{} {} {}", r.path, r.line, r.object, r.kind)).collect()
    }

    #[test]
    fn models_sti_ignored_columns_and_fallback() {
        let idx = SchemaIndex::new(&schema());
        let a = app();
        let ctx = Context { app: &a, git_ref: "head", commit: "c0", schema: Some(&idx) };
        let files = vec![
            (
                "app/models/application_record.rb".to_owned(),
                FileFacts {
                    hits: vec![],
                    models: vec![model("ApplicationRecord", Some("ActiveRecord::Base"), 1)],
                    ..FileFacts::default()
                },
            ),
            (
                "app/models/user.rb".to_owned(),
                FileFacts {
                    hits: vec![],
                    models: vec![model("User", Some("ApplicationRecord"), 1), model("Admin", Some("User"), 9)],
                    ..FileFacts::default()
                },
            ),
            (
                "app/x.rb".to_owned(),
                FileFacts {
                    hits: vec![
                        hit(1, Target::ModelColumn { model: "Admin".into(), column: "email".into() }, RefKind::Query),
                        hit(1, Target::Identifier { name: "email".into() }, RefKind::Name),
                        hit(2, Target::Model { model: "Thing".into() }, RefKind::Query),
                        hit(3, Target::ModelColumn { model: "User".into(), column: "nickname".into() }, RefKind::Query),
                        hit(
                            4,
                            Target::AnyColumn {
                                tables: vec!["accounts".into(), "orders".into()],
                                column: "email".into(),
                            },
                            RefKind::Sql,
                        ),
                    ],
                    models: vec![],
                    ..FileFacts::default()
                },
            ),
        ];
        let got = summary(&resolve(&ctx, &files));
        assert_eq!(
            got,
            vec![
                "app/models/user.rb:1 users implicit",
                "app/models/user.rb:1 users.email implicit",
                "app/models/user.rb:1 users.id implicit",
                "app/models/user.rb:1 users.type implicit",
                "app/models/user.rb:9 users implicit",
                "app/models/user.rb:9 users.email implicit",
                "app/models/user.rb:9 users.id implicit",
                "app/models/user.rb:9 users.type implicit",
                "app/x.rb:1 users.email query",
                "app/x.rb:4 accounts.email sql",
            ]
        );
    }

    fn assoc(name: &str, model: &str, many: bool, fk: Option<&str>, inverse: Option<(&str, bool)>) -> Association {
        Association {
            name: name.into(),
            model: model.into(),
            many,
            foreign_key: fk.map(Into::into),
            inverse: inverse.map(|(n, m)| (n.into(), m)),
            associated_keys: Vec::new(),
        }
    }

    fn chain(root: Root, path: &[&str], attribute: Option<&str>) -> Target {
        Target::Chain {
            root,
            path: path.iter().map(|s| (*s).to_owned()).collect(),
            attribute: attribute.map(Into::into),
        }
    }

    fn user_root() -> Root {
        Root::Model { model: "User".into() }
    }

    /// users (has_one :profile, has_many :phases with a legacy `phases` column), profiles
    /// (belongs_to :user), and a Django-style inverse accessor `user.badges` from Badge.
    fn chain_files(hits: Vec<Hit>, bindings: Vec<Binding>) -> Vec<(String, FileFacts)> {
        let mut user = model("User", Some("ApplicationRecord"), 1);
        user.ignored_columns.clear();
        user.associations =
            vec![assoc("profile", "Profile", false, None, None), assoc("phases", "Phase", true, None, None)];
        let mut profile = model("Profile", Some("ApplicationRecord"), 1);
        profile.associations = vec![assoc("user", "User", false, Some("user_id"), None)];
        let mut badge = model("Badge", Some("ApplicationRecord"), 1);
        badge.associations = vec![assoc("owner", "User", false, Some("owner_id"), Some(("badges", true)))];
        vec![
            ("app/models/user.rb".to_owned(), FileFacts { models: vec![user], ..FileFacts::default() }),
            ("app/models/profile.rb".to_owned(), FileFacts { models: vec![profile], ..FileFacts::default() }),
            ("app/models/badge.rb".to_owned(), FileFacts { models: vec![badge], ..FileFacts::default() }),
            ("app/views/x.erb".to_owned(), FileFacts { hits, bindings, ..FileFacts::default() }),
        ]
    }

    fn chain_schema() -> Schema {
        let mut s = Schema::default();
        for (t, cols) in [
            ("users", &["id", "email", "phases", "name"][..]),
            ("profiles", &["id", "user_id", "sort", "name"][..]),
            ("badges", &["id", "owner_id", "label"][..]),
            ("phases", &["id", "user_id", "title"][..]),
        ] {
            let mut table = Table::new(QualifiedName::unqualified(t));
            table.columns = cols.iter().map(|c| Column::new(c, "text")).collect();
            s.tables.push(table);
        }
        s
    }

    /// The references of the view file only (the models add implicit ones).
    fn view_refs(hits: Vec<Hit>, bindings: Vec<Binding>) -> Vec<String> {
        let idx = SchemaIndex::new(&chain_schema());
        let a = app();
        let ctx = Context { app: &a, git_ref: "head", commit: "c0", schema: Some(&idx) };
        let refs = resolve(&ctx, &chain_files(hits, bindings));
        refs.iter()
            .filter(|r| &*r.path == "app/views/x.erb")
            .map(|r| format!("{} {} {}", r.line, r.object, r.confidence))
            .collect()
    }

    #[test]
    fn chains_follow_associations_to_the_model_that_has_the_column() {
        let hits = vec![
            hit(1, chain(user_root(), &["profile"], Some("sort")), RefKind::Query),
            // The association, not the legacy column of the same name.
            hit(2, chain(user_root(), &[], Some("phases")), RefKind::Query),
            // A belongs-to association reads its foreign key.
            hit(3, chain(user_root(), &["profile"], Some("user")), RefKind::Query),
            // An inverse accessor another model declares.
            hit(4, chain(user_root(), &["badges"], Some("label")), RefKind::Query),
            // Not an association: nothing, rather than a guess.
            hit(5, chain(user_root(), &["nosuch"], Some("sort")), RefKind::Query),
            // The record itself: its table.
            hit(6, chain(user_root(), &["profile"], None), RefKind::Query),
            // A method that is no column of the schema's table: nothing.
            hit(7, chain(user_root(), &[], Some("full_name")), RefKind::Query),
        ];
        assert_eq!(
            view_refs(hits, vec![]),
            vec!["1 profiles.sort medium", "3 profiles.user_id medium", "4 badges.label medium", "6 profiles medium",]
        );
    }

    #[test]
    fn columns_a_known_table_lacks_dangle_only_where_something_states_them() {
        let mut user = model("User", Some("ApplicationRecord"), 1);
        user.ignored_columns.clear();
        // A declared field (an Ecto `field`, a Django field) whose column the table lacks.
        user.fields = vec![("nickname".into(), "nickname".into()), ("email".into(), "email".into())];
        let hits = vec![
            hit(1, Target::ModelColumn { model: "User".into(), column: "nickname".into() }, RefKind::Declaration),
            hit(2, chain(user_root(), &[], Some("nickname")), RefKind::Query),
            // A name only read on a record: a method or a virtual attribute, nothing.
            hit(3, chain(user_root(), &[], Some("full_name")), RefKind::Query),
            // SQL naming the table with the column.
            hit(4, Target::Column { table: "users".into(), column: "legacy_code".into() }, RefKind::Sql),
            // Below the gate's confidence: nothing.
            Hit { confidence: Confidence::Low, ..hit(5, chain(user_root(), &[], Some("nickname")), RefKind::Query) },
            // A table the schema does not know: kept as a use, as before.
            hit(6, Target::Column { table: "elsewhere".into(), column: "x".into() }, RefKind::Sql),
            hit(7, chain(user_root(), &[], Some("email")), RefKind::Query),
        ];
        let files = vec![
            ("app/models/user.rb".to_owned(), FileFacts { models: vec![user], ..FileFacts::default() }),
            ("app/x.rb".to_owned(), FileFacts { hits, ..FileFacts::default() }),
        ];
        let idx = SchemaIndex::new(&chain_schema());
        let a = app();
        let ctx = Context { app: &a, git_ref: "head", commit: "c0", schema: Some(&idx) };
        let got: Vec<String> = resolve(&ctx, &files)
            .iter()
            .filter(|r| &*r.path == "app/x.rb")
            .map(|r| format!("{} {} {}", r.line, r.object, r.kind))
            .collect();
        assert_eq!(
            got,
            vec![
                "1 users.nickname dangling",
                "2 users.nickname dangling",
                "4 users.legacy_code dangling",
                "6 elsewhere.x sql",
                "7 users.email query",
            ]
        );
    }

    #[test]
    fn bindings_type_names_other_files_read() {
        let root =
            |scope: &str, name: &str| Root::Binding { scopes: vec![scope.into()], name: name.into(), guess: None };
        let at_user = root("rails:view:users", "@user");
        let bindings = vec![
            Binding { scope: "rails:view:users".into(), name: "@user".into(), root: user_root(), path: vec![] },
            // A binding through another binding and an association.
            Binding {
                scope: "rails:view:users".into(),
                name: "profile".into(),
                root: at_user.clone(),
                path: vec!["profile".into()],
            },
            // A cycle ends, without a reference.
            Binding { scope: "s".into(), name: "a".into(), root: root("s", "b"), path: vec![] },
            Binding { scope: "s".into(), name: "b".into(), root: root("s", "a"), path: vec![] },
        ];
        let hits = vec![
            hit(1, chain(at_user.clone(), &[], Some("email")), RefKind::Query),
            hit(2, chain(root("rails:view:users", "profile"), &[], Some("sort")), RefKind::Query),
            hit(3, chain(root("s", "a"), &[], Some("email")), RefKind::Query),
            // Another scope's `@user` is unbound: nothing, unless the name suggests a model.
            hit(4, chain(root("rails:view:admin", "@user"), &[], Some("email")), RefKind::Query),
            hit(
                5,
                chain(
                    Root::Binding {
                        scopes: vec!["rails:view:admin".into()],
                        name: "@profile".into(),
                        guess: Some("Profile".into()),
                    },
                    &[],
                    Some("sort"),
                ),
                RefKind::Query,
            ),
            // Bound in one of its scopes: the binding wins over the guess.
            hit(
                6,
                chain(
                    Root::Binding {
                        scopes: vec!["rails:view:admin".into(), "rails:view:users".into()],
                        name: "@user".into(),
                        guess: Some("Profile".into()),
                    },
                    &[],
                    Some("email"),
                ),
                RefKind::Query,
            ),
        ];
        assert_eq!(
            view_refs(hits, bindings),
            vec!["1 users.email medium", "2 profiles.sort medium", "5 profiles.sort medium", "6 users.email medium"]
        );
    }

    #[test]
    fn attributes_on_unknown_receivers_are_medium_only_when_one_table_has_them() {
        let hits = vec![
            hit(1, Target::Attribute { name: "label".into() }, RefKind::Query),
            // Two tables have `name`: low on both.
            hit(2, Target::Attribute { name: "name".into() }, RefKind::Query),
            // `title` is only phases', but an association of the app is called `phases`; `user`
            // is an association and a column nowhere.
            hit(3, Target::Attribute { name: "phases".into() }, RefKind::Query),
            hit(4, Target::Attribute { name: "nosuch".into() }, RefKind::Query),
        ];
        assert_eq!(
            view_refs(hits, vec![]),
            vec!["1 badges.label medium", "2 profiles.name low", "2 users.name low", "3 users.phases low"]
        );
    }

    #[test]
    fn concerns_and_abstract_classes_reach_the_models_that_include_or_inherit_them() {
        // `Taggable` is a concern (an abstract module) declaring an association and used by
        // `Profile`; `Content` is an abstract class whose subclass maps `badges`.
        let mut taggable = model("Taggable", None, 1);
        taggable.is_abstract = true;
        taggable.associations = vec![assoc("owner_user", "User", false, Some("user_id"), None)];
        taggable.ignored_columns = vec!["name".into()];
        let mut content = model("Content", Some("ApplicationRecord"), 1);
        content.is_abstract = true;
        let mut badge = model("Badge", Some("Content"), 1);
        badge.table = Some("badges".into());
        let mut profile = model("Profile", Some("ApplicationRecord"), 1);
        profile.mixins = vec!["Taggable".into()];
        let files = vec![
            (
                "app/models/concerns/taggable.rb".to_owned(),
                FileFacts { models: vec![taggable], ..FileFacts::default() },
            ),
            ("app/models/content.rb".to_owned(), FileFacts { models: vec![content, badge], ..FileFacts::default() }),
            ("app/models/profile.rb".to_owned(), FileFacts { models: vec![profile], ..FileFacts::default() }),
            (
                "app/models/user.rb".to_owned(),
                FileFacts { models: vec![model("User", Some("ApplicationRecord"), 1)], ..FileFacts::default() },
            ),
            (
                "app/x.rb".to_owned(),
                FileFacts {
                    hits: vec![
                        // `self.sort` in the concern: a use on every model that includes it.
                        hit(1, Target::ModelColumn { model: "Taggable".into(), column: "sort".into() }, RefKind::Query),
                        // The concern's association is the including model's.
                        hit(
                            2,
                            chain(Root::Model { model: "Profile".into() }, &["owner_user"], Some("email")),
                            RefKind::Query,
                        ),
                        hit(3, chain(Root::Model { model: "Profile".into() }, &[], Some("owner_user")), RefKind::Query),
                        // An abstract class's attribute: each subclass's table.
                        hit(4, Target::ModelColumn { model: "Content".into(), column: "label".into() }, RefKind::Query),
                    ],
                    ..FileFacts::default()
                },
            ),
        ];
        let idx = SchemaIndex::new(&chain_schema());
        let a = app();
        let ctx = Context { app: &a, git_ref: "head", commit: "c0", schema: Some(&idx) };
        let refs = resolve(&ctx, &files);
        let got: Vec<String> = refs.iter().map(|r| format!("{}:{} {} {}", r.path, r.line, r.object, r.kind)).collect();
        for expected in [
            "app/x.rb:1 profiles.sort query",
            "app/x.rb:2 users.email query",
            "app/x.rb:3 profiles.user_id query",
            "app/x.rb:4 badges.label query",
        ] {
            assert!(got.contains(&expected.to_owned()), "{expected} missing from {got:#?}");
        }
        // The concern's ignored column is the including model's: no implicit reference to it.
        assert!(!got.contains(&"app/models/profile.rb:1 profiles.name implicit".to_owned()), "{got:#?}");
        assert!(got.contains(&"app/models/profile.rb:1 profiles.sort implicit".to_owned()), "{got:#?}");
        // The abstract class and the concern map no table of their own.
        assert!(!got.iter().any(|r| r.starts_with("app/models/concerns/")), "{got:#?}");
    }

    #[test]
    fn rails_convention() {
        let rails = crate::framework::of(Framework::Rails);
        for (class, table) in [
            ("Admin::UserProfile", "user_profiles"),
            ("Person", "people"),
            ("Category", "categories"),
            ("Address", "addresses"),
        ] {
            assert_eq!(rails.default_table(class).as_deref(), Some(table));
        }
    }
}

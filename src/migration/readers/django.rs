//! Django `app/migrations/0004_x.py` migrations → operations, through tree-sitter-python.
//!
//! Tables are named as Django names them: `<app_label>_<model lower>` (the app label is the
//! folder holding `migrations/`), or `db_table` from `CreateModel` options / `AlterModelTable`.
//! Fields become columns (`<name>_id` for `ForeignKey`/`OneToOneField`, `db_column=` wins).
//! Reading a directory carries a [`State`] from one migration to the next, so that a field
//! removed in `0007` is known to be a foreign key created in `0002`.

use crate::grammar::NodeExt;
use std::collections::BTreeMap;
use std::path::Path;

use tree_sitter::Node;

use super::python_value::{Val, assignments, sql_of, text, value};
use super::types::{TypeOptions, django_type};
use super::{LineIndex, excerpt, op};
use crate::error::{Diagnostic, Error, Result};
use crate::migration::layout::parse_file_name;
use crate::migration::{Direction, Format, Migration, OpKind, Operation};
use crate::schema::{
    CheckConstraint, Column, Dialect, FkAction, ForeignKey, Identity, Index, IndexKey, PrimaryKey, QualifiedName,
    UniqueConstraint, postgres,
};

/// What earlier migrations of a directory said about models: table names and field columns.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// `app.model` (lower case) → model.
    models: BTreeMap<String, ModelState>,
    /// `app.model.field` → the join table Django creates for a `ManyToManyField` without
    /// `through=`.
    joins: BTreeMap<String, JoinState>,
}

/// An auto-created many-to-many join table: what creates it (to undo its drop) and, for each of
/// its two key columns, the model it references (`app.model`). The key columns take their
/// target's key type and follow its changes, as a foreign key column does.
#[derive(Debug, Clone)]
struct JoinState {
    table: String,
    columns: Vec<Column>,
    foreign_keys: Vec<ForeignKey>,
    /// Column name → the model it references.
    refs: [(String, String); 2],
}

impl JoinState {
    fn create(&self, table: QualifiedName) -> OpKind {
        OpKind::CreateTable {
            table,
            columns: self.columns.clone(),
            primary_key: Some(PrimaryKey { name: None, columns: vec!["id".into()] }),
            foreign_keys: self.foreign_keys.clone(),
            if_not_exists: false,
        }
    }
}

#[derive(Debug, Clone)]
struct ModelState {
    table: String,
    /// Whether `db_table` was set explicitly (a `RenameModel` then leaves the table alone).
    custom_table: bool,
    /// field name → its column.
    fields: BTreeMap<String, Column>,
    /// The primary key's field name.
    pk: Option<String>,
    /// Relation field name → the model it points at (`app.model`) and its `to_field`, if any.
    refs: BTreeMap<String, (String, Option<String>)>,
}

impl ModelState {
    fn new(table: String, custom_table: bool) -> ModelState {
        ModelState { table, custom_table, fields: BTreeMap::new(), pk: None, refs: BTreeMap::new() }
    }

    /// Keeps a field's column, and whether it is the key or a relation (`target`: the model a
    /// relation field points at, with its `to_field`); the column it had before, if any.
    fn put(
        &mut self,
        name: &str,
        column: Column,
        field: &Val,
        target: Option<(String, Option<String>)>,
    ) -> Option<Column> {
        if field.kw("primary_key").is_some_and(Val::truthy) {
            self.pk = Some(name.to_owned());
        } else if self.pk.as_deref() == Some(name) {
            self.pk = None;
        }
        match target {
            Some(t) => self.refs.insert(name.to_owned(), t),
            None => self.refs.remove(name),
        };
        self.fields.insert(name.to_owned(), column)
    }

    fn remove(&mut self, name: &str) -> Option<Column> {
        if self.pk.as_deref() == Some(name) {
            self.pk = None;
        }
        self.refs.remove(name);
        self.fields.remove(name)
    }

    fn rename(&mut self, old: &str, new: &str, column: Column) {
        if self.pk.as_deref() == Some(old) {
            self.pk = Some(new.to_owned());
        }
        if let Some(t) = self.refs.remove(old) {
            self.refs.insert(new.to_owned(), t);
        }
        self.fields.insert(new.to_owned(), column);
    }
}

/// Read one Django migration file on its own (models from earlier files get default names).
pub fn read(path: &Path, text_: &str, dialect: Dialect) -> Result<Migration> {
    read_with_state(path, text_, dialect, &mut State::default())
}

/// Read one Django migration file, using and updating what earlier migrations said.
pub fn read_with_state(path: &Path, src: &str, dialect: Dialect, state: &mut State) -> Result<Migration> {
    let tree = parse(path, src)?;
    let class = find_class(tree.root_node(), src).ok_or_else(|| {
        Error::input(Diagnostic::new("no migration class found").at(path, 1, 1).help(
            "expected `class Migration(migrations.Migration):` with an `operations` list; if this \
                     folder holds no Django migrations (another tool's scripts), leave it out of the app's \
                     `migrations` in apps.toml",
        ))
    })?;
    let name = parse_file_name(path);
    let app = app_label(path);
    let mut m = Migration {
        file: path.to_path_buf(),
        down_file: None,
        version: name.version,
        name: name.name,
        format: Format::Django,
        up: Vec::new(),
        down: None,
        transactional: true,
        replaces: Vec::new(),
        source: src.to_owned(),
    };
    let mut operations = None;
    if let Some(body) = class.field("body") {
        let mut cursor = body.walk();
        for stmt in body.named_children(&mut cursor) {
            let Some(assign) = stmt.named_child(0).filter(|a| a.kind_name() == "assignment") else { continue };
            let (Some(left), Some(right)) = (assign.field("left"), assign.field("right")) else {
                continue;
            };
            match text(left, src) {
                "atomic" => m.transactional = text(right, src) != "False",
                "operations" => operations = Some(right),
                _ => {}
            }
        }
    }
    let lines = LineIndex::new(src);
    let constants = constants(tree.root_node(), src);
    let mut r = Reader { file: path, src, lines: &lines, dialect, app, state, depth: 0, constants };
    let mut inverse = Some(Vec::new());
    if let Some(list) = operations {
        let mut cursor = list.walk();
        let nodes: Vec<Node> = list.named_children(&mut cursor).filter(|n| n.kind_name() != "comment").collect();
        for node in nodes {
            let (ops, inv) = if node.has_error() {
                (vec![r.unparsed(node, "does not parse as Python")], None)
            } else {
                r.operation(node, false)
            };
            m.up.extend(ops);
            match (&mut inverse, inv) {
                (Some(all), Some(i)) => all.push(i),
                _ => inverse = None,
            }
        }
    }
    m.down = inverse.map(|mut v: Vec<Vec<Operation>>| {
        v.reverse();
        v.into_iter().flatten().collect()
    });
    Ok(m)
}

/// A Django project's migration directories (`<app>/migrations/`, one per Django app) read as
/// one history, in the order Django applies them: see [`read_sources`].
pub fn read_dirs(dirs: &[&Path], dialect: Dialect) -> Result<Vec<Migration>> {
    let mut sources: Vec<(std::path::PathBuf, String)> = Vec::new();
    for dir in dirs {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::read(dir, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "py"))
            .filter(|p| p.file_name().is_some_and(|n| n != "__init__.py"))
            .collect();
        files.sort();
        for path in files {
            let text = Error::read_text(&path)?;
            if text.contains("Migration") {
                sources.push((path, text));
            }
        }
    }
    read_sources(sources, dialect)
}

/// Django migration files (path and text, in directory then file-name order; the app label is
/// the folder holding each one's `migrations/`) read as one history, in the order Django
/// applies them: each migration after those its `dependencies` name, ties broken by the given
/// order; one [`State`] carried across them all, as Django's project state is. A migration that
/// `replaces` others present here stands for them: Django applies the squashed one to a new
/// database, in one folder (`0001_squashed_0227_…` beside `0001_initial` … `0227_…`) as across
/// several.
pub fn read_sources(sources: Vec<(std::path::PathBuf, String)>, dialect: Dialect) -> Result<Vec<Migration>> {
    struct Node {
        key: (String, String),
        path: std::path::PathBuf,
        text: String,
        deps: Vec<(String, String)>,
        replaces: Vec<(String, String)>,
    }
    let mut nodes: Vec<Node> = Vec::new();
    for (path, text) in sources {
        let label = app_label(&path);
        let name = path.file_stem().and_then(|n| n.to_str()).unwrap_or("").to_owned();
        let (deps, replaces) = graph_edges(&path, &text)?;
        nodes.push(Node { key: (label, name), path, text, deps, replaces });
    }
    // A squashed migration stands for those it replaces.
    let mut replaced_by: BTreeMap<(String, String), (String, String)> = BTreeMap::new();
    for n in &nodes {
        for r in &n.replaces {
            if nodes.iter().any(|m| &m.key == r) {
                replaced_by.insert(r.clone(), n.key.clone());
            }
        }
    }
    nodes.retain(|n| !replaced_by.contains_key(&n.key));
    let index: BTreeMap<&(String, String), usize> = nodes.iter().enumerate().map(|(i, n)| (&n.key, i)).collect();
    let by_label = |label: &str| -> Vec<usize> { (0..nodes.len()).filter(|&i| nodes[i].key.0 == label).collect() };
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut waiting: Vec<usize> = vec![0; nodes.len()];
    for (i, n) in nodes.iter().enumerate() {
        for (label, name) in &n.deps {
            let dep = match name.as_str() {
                "__first__" => by_label(label).first().copied(),
                "__latest__" => by_label(label).last().copied(),
                _ => {
                    let key = (label.clone(), name.clone());
                    let key = replaced_by.get(&key).cloned().unwrap_or(key);
                    index.get(&key).copied()
                }
            };
            if let Some(d) = dep.filter(|d| *d != i) {
                after[d].push(i);
                waiting[i] += 1;
            }
        }
    }
    // Kahn's order; the ready migration first in directory and file order (`nodes` is in it).
    let mut ready: std::collections::BTreeSet<usize> = (0..nodes.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &after[i] {
            waiting[j] -= 1;
            if waiting[j] == 0 {
                ready.insert(j);
            }
        }
    }
    // A cycle (which Django refuses too) leaves its migrations in directory order, last.
    let placed: std::collections::BTreeSet<usize> = order.iter().copied().collect();
    order.extend((0..nodes.len()).filter(|i| !placed.contains(i)));
    let mut state = State::default();
    order
        .into_iter()
        .map(|i| {
            let mut m = read_with_state(&nodes[i].path, &nodes[i].text, dialect, &mut state)?;
            m.replaces = nodes[i].replaces.iter().map(|(label, name)| history_name(label, name)).collect();
            Ok(m)
        })
        .collect()
}

/// A migration file's syntax tree; a file the Python grammar rejects is an input error.
fn parse(path: &Path, src: &str) -> Result<tree_sitter::Tree> {
    super::parse(path, src, tree_sitter_python::LANGUAGE.into(), "Python")
}

/// The Django app label of a migration file: the folder holding its `migrations/` folder.
pub(crate) fn app_label(path: &Path) -> String {
    path.parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "migrations"))
        .and_then(Path::parent)
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("app")
        .to_owned()
}

/// How `django_migrations` rows read as one name (`app_label.name`), as the live schema readers
/// give them: [`Migration::history_name`] of a Django migration.
pub(crate) fn history_name(label: &str, name: &str) -> String {
    format!("{label}.{name}")
}

/// A migration as Django names it: (app label, file name without `.py`).
type MigrationKey = (String, String);

/// A migration's `dependencies` and `replaces`: `(app_label, migration name)` pairs
/// (`swappable_dependency(settings.AUTH_USER_MODEL)` names a model outside the project's files).
fn graph_edges(path: &Path, src: &str) -> Result<(Vec<MigrationKey>, Vec<MigrationKey>)> {
    let tree = parse(path, src)?;
    let (mut deps, mut replaces) = (Vec::new(), Vec::new());
    let Some(body) = find_class(tree.root_node(), src).and_then(|c| c.field("body")) else {
        return Ok((deps, replaces));
    };
    let mut cursor = body.walk();
    for stmt in body.named_children(&mut cursor) {
        let Some(assign) = stmt.named_child(0).filter(|a| a.kind_name() == "assignment") else { continue };
        let (Some(left), Some(right)) = (assign.field("left"), assign.field("right")) else {
            continue;
        };
        let out = match text(left, src) {
            "dependencies" => &mut deps,
            "replaces" => &mut replaces,
            _ => continue,
        };
        if let Val::List(items) = value(right, src) {
            for item in items {
                if let Val::List(pair) = item
                    && let [Val::Str(label), Val::Str(name)] = pair.as_slice()
                {
                    out.push((label.clone(), name.clone()));
                }
            }
        }
    }
    Ok((deps, replaces))
}

fn find_class<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    super::descendants(node).into_iter().find(|n| {
        n.kind_name() == "class_definition"
            && n.field("superclasses").is_some_and(|s| text(s, src).contains("Migration"))
    })
}

struct Reader<'a> {
    file: &'a Path,
    src: &'a str,
    lines: &'a LineIndex<'a>,
    dialect: Dialect,
    app: String,
    state: &'a mut State,
    /// Nesting of `SeparateDatabaseAndState`, bounded so that no input can exhaust the stack.
    depth: usize,
    /// The file's module-level string constants (see [`constants`]).
    constants: BTreeMap<String, String>,
}

/// `NAME = "literal"` at the top of a migration file: Kiwi TCMS names a column
/// `db_column=TAG_ID_COLUMN` with `TAG_ID_COLUMN = "tag_id"` above the class (and a different
/// value under `if <sqlite>:`, a branch PostgreSQL never takes, and no module-level statement).
/// Read as its text, the name was taken for no column at all, and the later rename to `id` was
/// missed.
fn constants(root: Node, src: &str) -> BTreeMap<String, String> {
    assignments(root, src)
        .into_iter()
        .filter_map(|(name, v)| match value(v, src) {
            Val::Str(s) => Some((name, s)),
            _ => None,
        })
        .collect()
}

/// `v` with each bare name that is one of the file's string constants replaced by its value.
fn with_constants(v: Val, constants: &BTreeMap<String, String>) -> Val {
    if constants.is_empty() {
        return v;
    }
    let each = |items: Vec<Val>| items.into_iter().map(|i| with_constants(i, constants)).collect();
    let pairs = |items: Vec<(String, Val)>| items.into_iter().map(|(k, i)| (k, with_constants(i, constants))).collect();
    match v {
        Val::Other(name) => constants.get(&name).map_or(Val::Other(name), |c| Val::Str(c.clone())),
        Val::List(items) => Val::List(each(items)),
        Val::Dict(items) => Val::Dict(pairs(items)),
        Val::Call { name, args, kwargs } => Val::Call { name, args: each(args), kwargs: pairs(kwargs) },
        other => other,
    }
}

type OpResult = (Vec<Operation>, Option<Vec<Operation>>);

impl Reader<'_> {
    fn op(&self, node: Node, dir: Direction, kind: OpKind) -> Operation {
        op(self.file, self.lines, node.start_byte(), node.end_byte(), dir, kind)
    }

    fn qn(&self, table: &str) -> QualifiedName {
        QualifiedName::new(self.dialect.default_schema(), table)
    }

    /// `"Order"` in this app, or `"shop.Customer"` → the model's key and table.
    fn model_key(&self, model: &str) -> (String, String) {
        let (app, name) = match model.split_once('.') {
            Some((a, n)) => (a.to_owned(), n.to_lowercase()),
            None => (self.app.clone(), model.to_lowercase()),
        };
        let key = format!("{app}.{name}");
        let table = self.state.models.get(&key).map_or_else(|| format!("{app}_{name}"), |m| m.table.clone());
        (key, table)
    }

    fn model_state(&mut self, model: &str) -> &mut ModelState {
        let (key, table) = self.model_key(model);
        self.state.models.entry(key).or_insert_with(|| ModelState::new(table, false))
    }

    /// The model a relation field points at (`app.model`) and its `to_field`; `None` for any
    /// other field.
    fn target(&self, field: &Val) -> Option<(String, Option<String>)> {
        let Val::Call { name: class, .. } = field else { return None };
        if !(class.ends_with("OneToOneField") || (class.ends_with("ForeignKey") && class != "GenericForeignKey")) {
            return None;
        }
        let to = field.arg("to", 0).and_then(Val::str)?;
        Some((self.model_key(to).0, field.kw("to_field").and_then(Val::str).map(str::to_owned)))
    }

    /// The type of the column a relation's `to_field` (or the target's primary key) has, when
    /// an earlier migration said: a foreign key column takes the type of the key it references
    /// (`uuid`, `integer` for an `AutoField`), not always `bigint`.
    fn key_type(&self, target: &(String, Option<String>)) -> Option<String> {
        let ms = self.state.models.get(&target.0)?;
        let field = target.1.as_ref().or(ms.pk.as_ref())?;
        ms.fields.get(field).map(|c| c.data_type.clone())
    }

    /// Django's schema editor alters the columns that reference a key whose type changes
    /// (`AutoField` → `BigAutoField` rewrites every table pointing at it): those columns'
    /// changes, forward and back, and the state updated.
    fn referencing(&mut self, model: &str, field: &str, old: &str, new: &str) -> (Vec<OpKind>, Vec<OpKind>) {
        let (key, _) = self.model_key(model);
        let is_pk = self.state.models.get(&key).is_some_and(|m| m.pk.as_deref() == Some(field));
        let mut hits = Vec::new();
        for ms in self.state.models.values_mut() {
            for (f, (to, to_field)) in &ms.refs {
                let points_here = *to == key && to_field.as_deref().map_or(is_pk, |t| t == field);
                if let (true, Some(c)) = (points_here, ms.fields.get_mut(f))
                    && c.data_type == old
                {
                    c.data_type = new.to_owned();
                    hits.push((ms.table.clone(), c.name.clone()));
                }
            }
        }
        // A join table's key columns reference their models' primary keys.
        if is_pk {
            for join in self.state.joins.values_mut() {
                for (column, to) in &join.refs {
                    if let (true, Some(c)) = (*to == key, join.columns.iter_mut().find(|c| c.name == *column))
                        && c.data_type == old
                    {
                        c.data_type = new.to_owned();
                        hits.push((join.table.clone(), c.name.clone()));
                    }
                }
            }
        }
        let change = |table: &str, column: &str, ty: &str| OpKind::ChangeColumnType {
            table: self.qn(table),
            column: column.to_owned(),
            new_type: ty.to_owned(),
            using: None,
        };
        let fwd = hits.iter().map(|(t, c)| change(t, c, new)).collect();
        let back = hits.iter().map(|(t, c)| change(t, c, old)).collect();
        (fwd, back)
    }

    /// A field → its column (or `None` for a field with no column, like `ManyToManyField`),
    /// plus the foreign key and unique constraint it brings.
    fn field(&self, table: &str, name: &str, field: &Val) -> Option<(Column, Option<ForeignKey>, bool)> {
        let Val::Call { name: class, .. } = field else { return None };
        // A relation field of another package is Django's it subclasses, by its name
        // (django-annoying's `AutoOneToOneField`, django-mptt's `TreeForeignKey`).
        let class = match class.as_str() {
            c if c.ends_with("OneToOneField") => "OneToOneField",
            c if c.ends_with("ForeignKey") && c != "GenericForeignKey" => "ForeignKey",
            c => c,
        };
        let fk = matches!(class, "ForeignKey" | "OneToOneField");
        let opts = TypeOptions {
            limit: field.kw("max_length").and_then(Val::int),
            precision: field.kw("max_digits").and_then(Val::int),
            scale: field.kw("decimal_places").and_then(Val::int),
            array: false,
        };
        let data_type = if class == "ArrayField" {
            let base = field.arg("base_field", 0)?;
            let (inner, _, _) = self.field(table, name, base)?;
            format!("{}[]", inner.data_type)
        } else {
            django_type(class, &opts, self.dialect)?
        };
        let column = field
            .kw("db_column")
            .and_then(Val::str)
            .map_or_else(|| if fk { format!("{name}_id") } else { name.to_owned() }, str::to_owned);
        let data_type = self.target(field).and_then(|t| self.key_type(&t)).unwrap_or(data_type);
        let mut c = Column::new(&column, &data_type);
        c.nullable = field.kw("null").is_some_and(Val::truthy);
        if field.kw("primary_key").is_some_and(Val::truthy) || class.ends_with("AutoField") {
            c.nullable = false;
        }
        if class.ends_with("AutoField") {
            c.identity =
                Some(if self.dialect == Dialect::Mysql { Identity::AutoIncrement } else { Identity::ByDefault });
        }
        if let Some(d) = field.kw("db_default") {
            c.default = django_default(d);
        }
        let key = if fk {
            let to = field.arg("to", 0).and_then(Val::str).unwrap_or("");
            let (_, to_table) = self.model_key(to);
            let on_delete = match field.kw("on_delete") {
                Some(Val::Other(t)) if t.ends_with("CASCADE") => FkAction::Cascade,
                Some(Val::Other(t)) if t.ends_with("SET_NULL") => FkAction::SetNull,
                Some(Val::Other(t)) if t.ends_with("PROTECT") || t.ends_with("RESTRICT") => FkAction::Restrict,
                _ => FkAction::NoAction,
            };
            let on_delete = if on_delete == FkAction::Cascade || on_delete == FkAction::SetNull {
                // Django emulates CASCADE/SET_NULL in Python; the database constraint is plain
                // (`DEFERRABLE INITIALLY DEFERRED` on PostgreSQL) unless `db_on_delete` says otherwise.
                FkAction::NoAction
            } else {
                on_delete
            };
            let to_column = field.kw("to_field").and_then(Val::str).unwrap_or("id");
            Some(ForeignKey {
                name: Some(django_index_name(
                    table,
                    &[column.as_str()],
                    &format!("_fk_{to_table}_{to_column}"),
                    self.max_name_length(),
                )),
                columns: vec![column],
                references: self.qn(&to_table),
                referenced_columns: vec![field.kw("to_field").and_then(Val::str).unwrap_or("id").to_owned()],
                on_delete,
                on_update: FkAction::NoAction,
                deferrable: self.dialect == Dialect::Postgres,
                validated: true,
            })
        } else {
            None
        };
        let unique = field.kw("unique").is_some_and(Val::truthy) || class == "OneToOneField";
        Some((c, key, unique))
    }

    fn max_name_length(&self) -> usize {
        if self.dialect == Dialect::Mysql { 64 } else { 63 }
    }

    /// The unique constraint of `unique=True`: Django writes `UNIQUE` inline in the column
    /// definition, so the database names it (`<table>_<col>_key` on PostgreSQL).
    fn unique_op(&self, table: &str, column: &str) -> OpKind {
        OpKind::AddUnique {
            table: self.qn(table),
            constraint: UniqueConstraint { name: None, columns: vec![column.to_owned()] },
            using_index: None,
        }
    }

    /// The index Django creates on a foreign key column (`db_index=True` by default).
    fn fk_index_op(&self, table: &str, field: &Val, column: &str) -> Option<OpKind> {
        if field.kw("db_index").is_some_and(|v| !v.truthy()) {
            return None;
        }
        Some(OpKind::AddIndex {
            table: self.qn(table),
            index: Index {
                name: django_index_name(table, &[column], "", self.max_name_length()),
                unique: false,
                method: "btree".into(),
                keys: vec![IndexKey::column(column)],
                include: Vec::new(),
                predicate: None,
            },
            concurrently: false,
            if_not_exists: false,
        })
    }

    /// `AddField` / `CreateModel` field: the operations that add it to `table`.
    fn add_field_ops(&self, table: &str, name: &str, field: &Val) -> Vec<OpKind> {
        let t = self.qn(table);
        let Some((mut column, key, unique)) = self.field(table, name, field) else { return Vec::new() };
        let mut kinds = Vec::new();
        // Django adds a NOT NULL column with its Python default as a temporary database default,
        // then drops it: the table is rewritten or backfilled once, no default remains.
        let temp_default = if !column.nullable && column.default.is_none() {
            field.kw("default").and_then(django_default)
        } else {
            None
        };
        if let Some(d) = &temp_default {
            column.default = Some(d.clone());
        }
        let col_name = column.name.clone();
        kinds.push(OpKind::AddColumn { table: t.clone(), column, if_not_exists: false });
        if temp_default.is_some() {
            kinds.push(OpKind::DropDefault { table: t.clone(), column: col_name.clone() });
        }
        if unique {
            kinds.push(self.unique_op(table, &col_name));
        } else if key.is_some() {
            kinds.extend(self.fk_index_op(table, field, &col_name));
        }
        if let Some(key) = key {
            kinds.push(OpKind::AddForeignKey { table: t, key, not_valid: false });
        }
        kinds
    }

    fn operation(&mut self, node: Node, state_only: bool) -> OpResult {
        let src = self.src;
        let v = with_constants(value(node, src), &self.constants);
        let up = Direction::Up;
        let down = Direction::Down;
        let Val::Call { name: opname, .. } = &v else {
            return (vec![self.unparsed(node, "expected a migration operation")], None);
        };
        let opname = opname.clone();
        let emit = |r: &Self, kinds: Vec<OpKind>, dir: Direction| -> Vec<Operation> {
            if state_only { Vec::new() } else { kinds.into_iter().map(|k| r.op(node, dir, k)).collect() }
        };
        let model_arg = |k: &str, i: usize| v.arg(k, i).and_then(Val::str).map(str::to_owned);
        match opname.as_str() {
            "CreateModel" => {
                let Some(model) = model_arg("name", 0) else { return (vec![self.unparsed(node, "model name")], None) };
                let options = v.arg("options", 2).cloned().unwrap_or(Val::Dict(Vec::new()));
                let db_table = options.kw("db_table").and_then(Val::str).map(str::to_owned);
                let (model_key, default_table) = self.model_key(&model);
                let key = model_key.clone();
                let table = db_table.clone().unwrap_or(default_table);
                let mut columns = Vec::new();
                let mut pk = Vec::new();
                let mut fks = Vec::new();
                let mut extra = Vec::new();
                let mut m2m = Vec::new();
                // In the state before its fields are read: a relation to the model itself takes
                // the type of the key listed before it.
                self.state.models.insert(key.clone(), ModelState::new(table.clone(), db_table.is_some()));
                for f in v
                    .arg("fields", 1)
                    .and_then(|f| if let Val::List(l) = f { Some(l.clone()) } else { None })
                    .unwrap_or_default()
                {
                    let Val::List(pair) = f else { continue };
                    let (Some(fname), Some(field)) = (pair.first().and_then(Val::str), pair.get(1)) else { continue };
                    if let Val::Call { name: class, .. } = field
                        && class == "ManyToManyField"
                    {
                        m2m.push((fname.to_owned(), field.clone()));
                        continue;
                    }
                    let Some((column, key, unique)) = self.field(&table, fname, field) else { continue };
                    if field.kw("primary_key").is_some_and(Val::truthy) {
                        pk.push(column.name.clone());
                    }
                    if unique && !field.kw("primary_key").is_some_and(Val::truthy) {
                        extra.push(self.unique_op(&table, &column.name));
                    } else if key.is_some() {
                        extra.extend(self.fk_index_op(&table, field, &column.name));
                    }
                    fks.extend(key);
                    let target = self.target(field);
                    if let Some(ms) = self.state.models.get_mut(&model_key) {
                        ms.put(fname, column.clone(), field, target);
                    }
                    columns.push(column);
                }
                let mut kinds = vec![OpKind::CreateTable {
                    table: self.qn(&table),
                    columns,
                    primary_key: (!pk.is_empty()).then_some(PrimaryKey { name: None, columns: pk }),
                    foreign_keys: fks,
                    if_not_exists: false,
                }];
                kinds.extend(extra);
                let mut inv = Vec::new();
                for (fname, field) in m2m {
                    if let Some((create, drop)) = self.m2m_table(&model, &table, &fname, &field) {
                        kinds.push(create);
                        inv.push(drop);
                    }
                }
                inv.push(OpKind::DropTable { table: self.qn(&table), if_exists: false, cascade: false });
                (emit(self, kinds, up), Some(emit(self, inv, down)))
            }
            "DeleteModel" => {
                let Some(model) = model_arg("name", 0) else { return (vec![self.unparsed(node, "model name")], None) };
                let (key, table) = self.model_key(&model);
                let removed = self.state.models.remove(&key);
                // Django's schema editor drops the model's auto-created join tables first.
                let prefix = format!("{key}.");
                let joins: Vec<String> = self.state.joins.keys().filter(|k| k.starts_with(&prefix)).cloned().collect();
                let joins: Vec<JoinState> = joins.iter().filter_map(|k| self.state.joins.remove(k)).collect();
                let mut drops: Vec<OpKind> = joins
                    .iter()
                    .map(|j| OpKind::DropTable { table: self.qn(&j.table), if_exists: false, cascade: false })
                    .collect();
                drops.push(OpKind::DropTable { table: self.qn(&table), if_exists: false, cascade: false });
                let inverse = removed.map(|ms| {
                    let mut kinds = vec![OpKind::CreateTable {
                        table: self.qn(&table),
                        columns: ms.fields.into_values().collect(),
                        primary_key: None,
                        foreign_keys: Vec::new(),
                        if_not_exists: false,
                    }];
                    kinds.extend(joins.iter().map(|j| j.create(self.qn(&j.table))));
                    kinds
                });
                (emit(self, drops, up), inverse.map(|k| emit(self, k, down)))
            }
            "RenameModel" => {
                let (Some(old), Some(new)) = (model_arg("old_name", 0), model_arg("new_name", 1)) else {
                    return (vec![self.unparsed(node, "model names")], None);
                };
                let (old_key, old_table) = self.model_key(&old);
                let (new_key, new_default) = self.model_key(&new);
                let mut ms =
                    self.state.models.remove(&old_key).unwrap_or_else(|| ModelState::new(old_table.clone(), false));
                // Relations to the renamed model follow it.
                for other in self.state.models.values_mut() {
                    for (to, _) in other.refs.values_mut() {
                        if *to == old_key {
                            to.clone_from(&new_key);
                        }
                    }
                }
                for (to, _) in ms.refs.values_mut() {
                    if *to == old_key {
                        to.clone_from(&new_key);
                    }
                }
                let custom = ms.custom_table;
                if !custom {
                    ms.table = new_default.clone();
                }
                self.state.models.insert(new_key.clone(), ms);
                let new_table = if custom { old_table.clone() } else { new_default.clone() };
                let (joins_fwd, joins_back) =
                    self.rename_joins(&old, &new, (&old_key, &old_table), (&new_key, &new_table));
                let (mut fwd, mut back) = (Vec::new(), Vec::new());
                if !custom {
                    fwd.push(OpKind::RenameTable { from: self.qn(&old_table), to: self.qn(&new_default) });
                    back.push(OpKind::RenameTable { from: self.qn(&new_default), to: self.qn(&old_table) });
                }
                fwd.extend(joins_fwd);
                back.extend(joins_back);
                (emit(self, fwd, up), Some(emit(self, back, down)))
            }
            "AlterModelTable" => {
                let Some(model) = model_arg("name", 0) else { return (vec![self.unparsed(node, "model name")], None) };
                let (_, old_table) = self.model_key(&model);
                let new_table = match v.arg("table", 1) {
                    Some(Val::Str(t)) => t.clone(),
                    _ => {
                        let (key, _) = self.model_key(&model);
                        key.replace('.', "_")
                    }
                };
                let ms = self.model_state(&model);
                ms.table = new_table.clone();
                ms.custom_table = true;
                if old_table == new_table {
                    return (Vec::new(), Some(Vec::new()));
                }
                let fwd = OpKind::RenameTable { from: self.qn(&old_table), to: self.qn(&new_table) };
                let back = OpKind::RenameTable { from: self.qn(&new_table), to: self.qn(&old_table) };
                (emit(self, vec![fwd], up), Some(emit(self, vec![back], down)))
            }
            "AddField" => {
                let (Some(model), Some(fname), Some(field)) =
                    (model_arg("model_name", 0), model_arg("name", 1), v.arg("field", 2).cloned())
                else {
                    return (vec![self.unparsed(node, "AddField arguments")], None);
                };
                let (_, table) = self.model_key(&model);
                if let Val::Call { name: class, .. } = &field
                    && class == "ManyToManyField"
                {
                    let Some((create, drop)) = self.m2m_table(&model, &table, &fname, &field) else {
                        return (vec![self.unparsed(node, "ManyToManyField target")], None);
                    };
                    return (emit(self, vec![create], up), Some(emit(self, vec![drop], down)));
                }
                let kinds = self.add_field_ops(&table, &fname, &field);
                let column = self.field(&table, &fname, &field).map(|(c, _, _)| c);
                let inverse = column.as_ref().map(|c| {
                    vec![OpKind::DropColumn { table: self.qn(&table), column: c.name.clone(), if_exists: false }]
                });
                if let Some(c) = column {
                    let target = self.target(&field);
                    self.model_state(&model).put(&fname, c, &field, target);
                }
                (emit(self, kinds, up), inverse.map(|k| emit(self, k, down)))
            }
            "RemoveField" => {
                let (Some(model), Some(fname)) = (model_arg("model_name", 0), model_arg("name", 1)) else {
                    return (vec![self.unparsed(node, "RemoveField arguments")], None);
                };
                let (model_key, table) = self.model_key(&model);
                // A many-to-many field has no column: its join table goes.
                if let Some(join) = self.state.joins.remove(&format!("{model_key}.{fname}")) {
                    let drop = OpKind::DropTable { table: self.qn(&join.table), if_exists: false, cascade: false };
                    let create = join.create(self.qn(&join.table));
                    return (emit(self, vec![drop], up), Some(emit(self, vec![create], down)));
                }
                let known = self.model_state(&model).remove(&fname);
                let column = known.as_ref().map_or_else(|| fname.clone(), |c| c.name.clone());
                let drop = OpKind::DropColumn { table: self.qn(&table), column, if_exists: false };
                let inverse =
                    known.map(|c| vec![OpKind::AddColumn { table: self.qn(&table), column: c, if_not_exists: false }]);
                // Django can always reverse RemoveField from its state; without the state here,
                // the re-added column's definition is unknown.
                let inverse = inverse.unwrap_or_else(|| {
                    vec![OpKind::Code {
                        description: format!(
                            "re-add field `{fname}` of `{model}` (definition in an earlier migration)"
                        ),
                    }]
                });
                (emit(self, vec![drop], up), Some(emit(self, inverse, down)))
            }
            "RenameField" => {
                let (Some(model), Some(old), Some(new)) =
                    (model_arg("model_name", 0), model_arg("old_name", 1), model_arg("new_name", 2))
                else {
                    return (vec![self.unparsed(node, "RenameField arguments")], None);
                };
                let (key, table) = self.model_key(&model);
                // A many-to-many field has no column: its join table is renamed when named after it.
                if let Some(mut join) = self.state.joins.remove(&format!("{key}.{old}")) {
                    let (mut fwd, mut back) = (Vec::new(), Vec::new());
                    if join.table == format!("{table}_{old}") {
                        let renamed = format!("{table}_{new}");
                        fwd.push(OpKind::RenameTable { from: self.qn(&join.table), to: self.qn(&renamed) });
                        back.push(OpKind::RenameTable { from: self.qn(&renamed), to: self.qn(&join.table) });
                        join.table = renamed;
                    }
                    self.state.joins.insert(format!("{key}.{new}"), join);
                    return (emit(self, fwd, up), Some(emit(self, back, down)));
                }
                let ms = self.model_state(&model);
                let old_col = ms.fields.get(&old).cloned();
                let (from, to, explicit) = match &old_col {
                    Some(c) if c.name.ends_with("_id") && c.name == format!("{old}_id") => {
                        (c.name.clone(), format!("{new}_id"), false)
                    }
                    Some(c) if c.name != old => (c.name.clone(), c.name.clone(), true),
                    _ => (old.clone(), new.clone(), false),
                };
                if let Some(mut c) = old_col {
                    c.name = to.clone();
                    let ms = self.model_state(&model);
                    ms.fields.remove(&old);
                    ms.rename(&old, &new, c);
                }
                if explicit || from == to {
                    return (Vec::new(), Some(Vec::new()));
                }
                let fwd = OpKind::RenameColumn { table: self.qn(&table), from: from.clone(), to: to.clone() };
                let back = OpKind::RenameColumn { table: self.qn(&table), from: to, to: from };
                (emit(self, vec![fwd], up), Some(emit(self, vec![back], down)))
            }
            "AlterField" => {
                let (Some(model), Some(fname), Some(field)) =
                    (model_arg("model_name", 0), model_arg("name", 1), v.arg("field", 2).cloned())
                else {
                    return (vec![self.unparsed(node, "AlterField arguments")], None);
                };
                let (key, table) = self.model_key(&model);
                if let Some(join) = self.state.joins.get(&format!("{key}.{fname}")).cloned() {
                    let (fwd, back) = self.alter_m2m(&key, &table, &fname, join, &field);
                    return (emit(self, fwd, up), Some(emit(self, back, down)));
                }
                let Some((new, _, _)) = self.field(&table, &fname, &field) else {
                    return (Vec::new(), Some(Vec::new()));
                };
                let target = self.target(&field);
                let old = self.model_state(&model).put(&fname, new.clone(), &field, target);
                let (also, also_back) = match &old {
                    Some(o) if o.data_type != new.data_type => {
                        self.referencing(&model, &fname, &o.data_type, &new.data_type)
                    }
                    _ => (Vec::new(), Vec::new()),
                };
                let t = self.qn(&table);
                let diff = |from: Option<&Column>, to: &Column| {
                    let mut kinds = Vec::new();
                    // Django's schema editor renames the column when the field's column changes:
                    // a new `db_column`, or a `ForeignKey` made a plain field (`x_id` → `x`).
                    if let Some(o) = from.filter(|o| o.name != to.name) {
                        kinds.push(OpKind::RenameColumn {
                            table: t.clone(),
                            from: o.name.clone(),
                            to: to.name.clone(),
                        });
                    }
                    if from.is_none_or(|o| o.data_type != to.data_type) {
                        kinds.push(OpKind::ChangeColumnType {
                            table: t.clone(),
                            column: to.name.clone(),
                            new_type: to.data_type.clone(),
                            using: None,
                        });
                    }
                    if from.is_none_or(|o| o.nullable != to.nullable) {
                        kinds.push(if to.nullable {
                            OpKind::DropNotNull { table: t.clone(), column: to.name.clone() }
                        } else {
                            OpKind::SetNotNull { table: t.clone(), column: to.name.clone() }
                        });
                    }
                    kinds
                };
                let mut fwd = diff(old.as_ref(), &new);
                fwd.extend(also);
                let inverse = match &old {
                    Some(o) => diff(Some(&new), o).into_iter().chain(also_back).collect(),
                    None => vec![OpKind::Code {
                        description: format!("restore field `{fname}` of `{model}` to its earlier definition"),
                    }],
                };
                (emit(self, fwd, up), Some(emit(self, inverse, down)))
            }
            "AddIndex" | "AddIndexConcurrently" => {
                let (Some(model), Some(index)) = (model_arg("model_name", 0), v.arg("index", 1).cloned()) else {
                    return (vec![self.unparsed(node, "AddIndex arguments")], None);
                };
                let (_, table) = self.model_key(&model);
                let Some(index) = self.index(&model, &index) else {
                    return (vec![self.unparsed(node, "index definition not understood")], None);
                };
                let concurrently = opname == "AddIndexConcurrently";
                let drop = OpKind::DropIndex { name: self.qn(&index.name), concurrently, if_exists: false };
                let add = OpKind::AddIndex { table: self.qn(&table), index, concurrently, if_not_exists: false };
                (emit(self, vec![add], up), Some(emit(self, vec![drop], down)))
            }
            "RemoveIndex" | "RemoveIndexConcurrently" => {
                let Some(name) = model_arg("name", 1) else { return (vec![self.unparsed(node, "index name")], None) };
                let concurrently = opname == "RemoveIndexConcurrently";
                let drop = OpKind::DropIndex { name: self.qn(&name), concurrently, if_exists: false };
                let inverse = vec![OpKind::Code {
                    description: format!("re-create index `{name}` (definition in an earlier migration)"),
                }];
                (emit(self, vec![drop], up), Some(emit(self, inverse, down)))
            }
            "AddConstraint" | "AddConstraintNotValid" => {
                let (Some(model), Some(c)) = (model_arg("model_name", 0), v.arg("constraint", 1).cloned()) else {
                    return (vec![self.unparsed(node, "AddConstraint arguments")], None);
                };
                let (_, table) = self.model_key(&model);
                let t = self.qn(&table);
                let Val::Call { name: class, .. } = &c else { return (vec![self.unparsed(node, "constraint")], None) };
                let Some(name) = c.kw("name").and_then(Val::str).map(str::to_owned) else {
                    return (vec![self.unparsed(node, "constraint without a name")], None);
                };
                let not_valid = opname == "AddConstraintNotValid";
                let kind = match class.as_str() {
                    "CheckConstraint" => {
                        let expr = c.kw("condition").or_else(|| c.kw("check"));
                        let expression = expr.map(q_to_sql).unwrap_or_default();
                        OpKind::AddCheck {
                            table: t.clone(),
                            constraint: CheckConstraint { name: Some(name.clone()), expression, validated: !not_valid },
                            not_valid,
                        }
                    }
                    "UniqueConstraint" if c.kw("condition").is_none() && c.kw("expressions").is_none() => {
                        let fields = c.kw("fields").and_then(Val::strs).unwrap_or_default();
                        let columns = fields.iter().map(|f| self.column_of(&model, f)).collect();
                        OpKind::AddUnique {
                            table: t.clone(),
                            constraint: UniqueConstraint { name: Some(name.clone()), columns },
                            using_index: None,
                        }
                    }
                    "UniqueConstraint" => {
                        // A conditional unique constraint is a partial unique index in the database.
                        let fields = c.kw("fields").and_then(Val::strs).unwrap_or_default();
                        let keys = fields.iter().map(|f| IndexKey::column(&self.column_of(&model, f))).collect();
                        let index = Index {
                            name: name.clone(),
                            unique: true,
                            method: "btree".into(),
                            keys,
                            include: Vec::new(),
                            predicate: c.kw("condition").map(q_to_sql),
                        };
                        let drop = OpKind::DropIndex { name: self.qn(&name), concurrently: false, if_exists: false };
                        let add = OpKind::AddIndex { table: t, index, concurrently: false, if_not_exists: false };
                        return (emit(self, vec![add], up), Some(emit(self, vec![drop], down)));
                    }
                    _ => OpKind::Raw { sql: excerpt(text(node, src)) },
                };
                let drop = OpKind::DropConstraint { table: t, name, if_exists: false };
                (emit(self, vec![kind], up), Some(emit(self, vec![drop], down)))
            }
            "RemoveConstraint" => {
                let (Some(model), Some(name)) = (model_arg("model_name", 0), model_arg("name", 1)) else {
                    return (vec![self.unparsed(node, "RemoveConstraint arguments")], None);
                };
                let (_, table) = self.model_key(&model);
                let drop = OpKind::DropConstraint { table: self.qn(&table), name: name.clone(), if_exists: false };
                let inverse = vec![OpKind::Code {
                    description: format!("re-create constraint `{name}` (definition in an earlier migration)"),
                }];
                (emit(self, vec![drop], up), Some(emit(self, inverse, down)))
            }
            "RunSQL" => {
                if state_only {
                    return (Vec::new(), Some(Vec::new()));
                }
                let args = self.call_arg_nodes(node);
                let fwd = args.get("sql").or_else(|| args.get("0")).map(|n| self.sql_of(*n, up)).unwrap_or_default();
                let reverse = args
                    .get("reverse_sql")
                    .or_else(|| args.get("1"))
                    .map(|n| if text(*n, src).ends_with("noop") { Vec::new() } else { self.sql_of(*n, down) });
                (fwd, reverse)
            }
            "RunPython" => {
                let code = v.arg("code", 0).map(|c| match c {
                    Val::Other(t) => t.clone(),
                    other => format!("{other:?}"),
                });
                let description = format!("RunPython({})", code.unwrap_or_default());
                let reverse = v.arg("reverse_code", 1).map(|r| match r {
                    Val::Other(t) if t.ends_with("noop") => Vec::new(),
                    Val::Other(t) => emit(self, vec![OpKind::Code { description: format!("RunPython({t})") }], down),
                    _ => Vec::new(),
                });
                (emit(self, vec![OpKind::Code { description }], up), reverse)
            }
            "SeparateDatabaseAndState" if self.depth > 8 => {
                (vec![self.unparsed(node, "SeparateDatabaseAndState nested too deeply")], None)
            }
            "SeparateDatabaseAndState" => {
                self.depth += 1;
                let result = self.separate(node, state_only);
                self.depth -= 1;
                result
            }
            "AlterModelOptions" | "AlterModelManagers" | "AlterOrderWithRespectTo" => (Vec::new(), Some(Vec::new())),
            "AlterUniqueTogether" | "AlterIndexTogether" => {
                (emit(self, vec![OpKind::Raw { sql: excerpt(text(node, src)) }], up), Some(Vec::new()))
            }
            _ => (vec![self.unparsed(node, &format!("unknown migration operation `{opname}`"))], None),
        }
    }

    /// `SeparateDatabaseAndState`: the database operations run; the state operations only
    /// update what later migrations know.
    fn separate(&mut self, node: Node, state_only: bool) -> OpResult {
        let args = self.call_arg_nodes(node);
        let mut ops = Vec::new();
        let mut inverse = Some(Vec::new());
        if let Some(list) = args.get("state_operations").copied() {
            let mut cursor = list.walk();
            let nodes: Vec<Node> = list.named_children(&mut cursor).filter(|n| n.kind_name() != "comment").collect();
            for n in nodes {
                self.operation(n, true);
            }
        }
        if let Some(list) = args.get("database_operations").or_else(|| args.get("0")).copied() {
            let mut cursor = list.walk();
            let nodes: Vec<Node> = list.named_children(&mut cursor).filter(|n| n.kind_name() != "comment").collect();
            for n in nodes {
                let (o, i) = self.operation(n, state_only);
                ops.extend(o);
                match (&mut inverse, i) {
                    (Some(all), Some(i)) => all.push(i),
                    _ => inverse = None,
                }
            }
        }
        let inverse = inverse.map(|mut v: Vec<Vec<Operation>>| {
            v.reverse();
            v.into_iter().flatten().collect()
        });
        (ops, inverse)
    }

    fn unparsed(&self, node: Node, reason: &str) -> Operation {
        self.op(
            node,
            Direction::Up,
            OpKind::Unparsed { text: excerpt(text(node, self.src)), reason: reason.to_owned() },
        )
    }

    fn column_of(&mut self, model: &str, field: &str) -> String {
        self.model_state(model).fields.get(field).map_or_else(|| field.to_owned(), |c| c.name.clone())
    }

    fn index(&mut self, model: &str, index: &Val) -> Option<Index> {
        let Val::Call { name: class, .. } = index else { return None };
        let name = index.kw("name").and_then(Val::str)?.to_owned();
        let fields = index.kw("fields").and_then(Val::strs).unwrap_or_default();
        let keys = fields
            .iter()
            .map(|f| {
                let (f, desc) = match f.strip_prefix('-') {
                    Some(f) => (f, true),
                    None => (f.as_str(), false),
                };
                let mut k = IndexKey::column(&self.column_of(model, f));
                if desc {
                    k.order = Some("DESC".into());
                }
                k
            })
            .collect();
        let method = match class.as_str() {
            "GinIndex" => "gin",
            "GistIndex" => "gist",
            "BrinIndex" => "brin",
            "HashIndex" => "hash",
            "SpGistIndex" => "spgist",
            "BloomIndex" => "bloom",
            _ => "btree",
        };
        Some(Index {
            name,
            unique: false,
            method: method.into(),
            keys,
            include: index.kw("include").and_then(Val::strs).unwrap_or_default(),
            predicate: index.kw("condition").map(q_to_sql),
        })
    }

    /// The join table of a `ManyToManyField` without `through=`: `<table>_<field>`, kept in the
    /// state under `app.model.field`; its creation and its drop.
    fn m2m_table(&mut self, model: &str, table: &str, field: &str, f: &Val) -> Option<(OpKind, OpKind)> {
        if f.kw("through").is_some() {
            return None;
        }
        let to = f.arg("to", 0).and_then(Val::str)?;
        let (from_key, _) = self.model_key(model);
        let (to_key, to_table) = self.model_key(to);
        let to_model = to.rsplit('.').next().unwrap_or(to).to_lowercase();
        let from_model = model.to_lowercase();
        let join = f.kw("db_table").and_then(Val::str).map_or_else(|| format!("{table}_{field}"), str::to_owned);
        let (from_col, to_col) = if from_model == to_model {
            (format!("from_{from_model}_id"), format!("to_{to_model}_id"))
        } else {
            (format!("{from_model}_id"), format!("{to_model}_id"))
        };
        let int = django_type("BigIntegerField", &TypeOptions::default(), self.dialect).unwrap_or_default();
        let mut id = Column::new("id", &int);
        id.nullable = false;
        id.identity = Some(Identity::ByDefault);
        let key_column = |name: &str, target: &str| {
            let mut c = Column::new(name, &self.key_type(&(target.to_owned(), None)).unwrap_or_else(|| int.clone()));
            c.nullable = false;
            c
        };
        let (a, b) = (key_column(&from_col, &from_key), key_column(&to_col, &to_key));
        let fk = |col: &str, to: &str| ForeignKey {
            name: None,
            columns: vec![col.to_owned()],
            references: self.qn(to),
            referenced_columns: vec!["id".into()],
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: self.dialect == Dialect::Postgres,
            validated: true,
        };
        let state = JoinState {
            table: join.clone(),
            columns: vec![id, a, b],
            foreign_keys: vec![fk(&from_col, table), fk(&to_col, &to_table)],
            refs: [(from_col, from_key.clone()), (to_col, to_key)],
        };
        let create = state.create(self.qn(&join));
        self.state.joins.insert(format!("{from_key}.{field}"), state);
        Some((create, OpKind::DropTable { table: self.qn(&join), if_exists: false, cascade: false }))
    }

    /// `AlterField` of a many-to-many field whose join table is in the state. Options (`blank`,
    /// `related_name`, `verbose_name`) change no column. Django's schema editor (`_alter_many_to_many`)
    /// renames the join table for a new `db_table` and repoints its key column to a new target:
    /// `<old model>_id` renamed `<new model>_id`, typed as the new target's key. A field given a
    /// `through=` model (which Django refuses to alter into) drops the auto-created join table.
    fn alter_m2m(
        &mut self,
        key: &str,
        table: &str,
        field: &str,
        mut join: JoinState,
        f: &Val,
    ) -> (Vec<OpKind>, Vec<OpKind>) {
        let (mut fwd, mut back) = (Vec::new(), Vec::new());
        let state_key = format!("{key}.{field}");
        let to = f.arg("to", 0).and_then(Val::str).map(str::to_owned);
        let (Some(to), None) = (to, f.kw("through")) else {
            self.state.joins.remove(&state_key);
            fwd.push(OpKind::DropTable { table: self.qn(&join.table), if_exists: false, cascade: false });
            back.push(join.create(self.qn(&join.table)));
            return (fwd, back);
        };
        let name = f.kw("db_table").and_then(Val::str).map_or_else(|| format!("{table}_{field}"), str::to_owned);
        if name != join.table {
            fwd.push(OpKind::RenameTable { from: self.qn(&join.table), to: self.qn(&name) });
            back.push(OpKind::RenameTable { from: self.qn(&name), to: self.qn(&join.table) });
            join.table = name;
        }
        let (to_key, _) = self.model_key(&to);
        let to_model = to.rsplit('.').next().unwrap_or(&to).to_lowercase();
        let from_model = key.rsplit('.').next().unwrap_or(key).to_owned();
        // The second key column references the target (the first, the model itself).
        let (old_col, old_to) = join.refs[1].clone();
        if old_to != to_key {
            let new_col = if from_model == to_model { format!("to_{to_model}_id") } else { format!("{to_model}_id") };
            let t = self.qn(&join.table);
            if new_col != old_col {
                fwd.push(OpKind::RenameColumn { table: t.clone(), from: old_col.clone(), to: new_col.clone() });
                back.push(OpKind::RenameColumn { table: t.clone(), from: new_col.clone(), to: old_col.clone() });
            }
            let old_type = join.columns.iter().find(|c| c.name == old_col).map(|c| c.data_type.clone());
            let new_type = self.key_type(&(to_key.clone(), None));
            if let (Some(old_type), Some(new_type)) = (old_type, new_type)
                && old_type != new_type
            {
                let change = |ty: &str| OpKind::ChangeColumnType {
                    table: t.clone(),
                    column: new_col.clone(),
                    new_type: ty.to_owned(),
                    using: None,
                };
                fwd.push(change(&new_type));
                back.push(change(&old_type));
                if let Some(c) = join.columns.iter_mut().find(|c| c.name == old_col) {
                    c.data_type = new_type;
                }
            }
            if let Some(c) = join.columns.iter_mut().find(|c| c.name == old_col) {
                c.name.clone_from(&new_col);
            }
            for fk in &mut join.foreign_keys {
                if fk.columns == [old_col.clone()] {
                    fk.columns = vec![new_col.clone()];
                    let (_, to_table) = self.model_key(&to);
                    fk.references = self.qn(&to_table);
                }
            }
            join.refs[1] = (new_col, to_key);
        }
        self.state.joins.insert(state_key, join);
        back.reverse();
        (fwd, back)
    }

    /// Django renames what a renamed model's many-to-many join tables are named after: the
    /// model's own join tables (`<table>_<field>`, unless `db_table` named them) and, in every
    /// join table, the key column named after the model (`<model>_id`, `from_<model>_id`,
    /// `to_<model>_id`). The state follows; the renames, forward and back.
    fn rename_joins(
        &mut self,
        old: &str,
        new: &str,
        (old_key, old_table): (&str, &str),
        (new_key, new_table): (&str, &str),
    ) -> (Vec<OpKind>, Vec<OpKind>) {
        let (old, new) = (
            old.rsplit('.').next().unwrap_or(old).to_lowercase(),
            new.rsplit('.').next().unwrap_or(new).to_lowercase(),
        );
        let (mut fwd, mut back) = (Vec::new(), Vec::new());
        let prefix = format!("{old_key}.");
        let joins = std::mem::take(&mut self.state.joins);
        for (key, mut join) in joins {
            let key = match key.strip_prefix(&prefix) {
                Some(field) => {
                    if join.table == format!("{old_table}_{field}") && old_table != new_table {
                        let table = format!("{new_table}_{field}");
                        fwd.push(OpKind::RenameTable { from: self.qn(&join.table), to: self.qn(&table) });
                        back.push(OpKind::RenameTable { from: self.qn(&table), to: self.qn(&join.table) });
                        join.table = table;
                    }
                    format!("{new_key}.{field}")
                }
                None => key,
            };
            for (column, to) in &mut join.refs {
                if to != old_key {
                    continue;
                }
                new_key.clone_into(to);
                let renamed = ["", "from_", "to_"]
                    .into_iter()
                    .find(|p| *column == format!("{p}{old}_id"))
                    .map(|p| format!("{p}{new}_id"));
                if let Some(renamed) = renamed.filter(|r| r != column) {
                    fwd.push(OpKind::RenameColumn {
                        table: self.qn(&join.table),
                        from: column.clone(),
                        to: renamed.clone(),
                    });
                    back.push(OpKind::RenameColumn {
                        table: self.qn(&join.table),
                        from: renamed.clone(),
                        to: column.clone(),
                    });
                    if let Some(c) = join.columns.iter_mut().find(|c| c.name == *column) {
                        c.name.clone_from(&renamed);
                    }
                    for fk in &mut join.foreign_keys {
                        for c in &mut fk.columns {
                            if c == column {
                                c.clone_from(&renamed);
                            }
                        }
                    }
                    *column = renamed;
                }
            }
            self.state.joins.insert(key, join);
        }
        back.reverse();
        (fwd, back)
    }

    /// Argument nodes of a call by keyword, or by position (`"0"`, `"1"`).
    fn call_arg_nodes<'t>(&self, call: Node<'t>) -> BTreeMap<String, Node<'t>> {
        let mut out = BTreeMap::new();
        let Some(list) = call.field("arguments") else { return out };
        let mut cursor = list.walk();
        let mut i = 0;
        for a in list.named_children(&mut cursor) {
            match a.kind_name() {
                "keyword_argument" => {
                    if let (Some(k), Some(v)) = (a.field("name"), a.field("value")) {
                        out.insert(text(k, self.src).to_owned(), v);
                    }
                }
                "comment" => {}
                _ => {
                    out.insert(i.to_string(), a);
                    i += 1;
                }
            }
        }
        out
    }

    /// SQL of a `RunSQL` argument: a string, a list of strings, or a list of `(sql, params)`.
    fn sql_of(&self, node: Node, dir: Direction) -> Vec<Operation> {
        sql_of(self.file, self.src, self.lines, self.dialect, node, dir)
    }
}

/// MD5 of `data` as lower-case hex: Django's `names_digest` hashes table and column names with it.
fn md5_hex(data: &[u8]) -> String {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14,
        20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6,
        10, 15, 21,
    ];
    let k: Vec<u32> = (0..64).map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32).collect();
    let (mut a0, mut b0, mut c0, mut d0) = (0x67452301u32, 0xefcdab89u32, 0x98badcfeu32, 0x10325476u32);
    let mut msg = data.to_vec();
    let bit_len = (data.len() as u64).wrapping_mul(8);
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&bit_len.to_le_bytes());
    for chunk in msg.chunks(64) {
        let m: Vec<u32> = chunk.chunks(4).map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]])).collect();
        let (mut a, mut b, mut c, mut d) = (a0, b0, c0, d0);
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let f = f.wrapping_add(a).wrapping_add(k[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(f.rotate_left(S[i]));
        }
        a0 = a0.wrapping_add(a);
        b0 = b0.wrapping_add(b);
        c0 = c0.wrapping_add(c);
        d0 = d0.wrapping_add(d);
    }
    [a0, b0, c0, d0].iter().flat_map(|x| x.to_le_bytes()).map(|b| format!("{b:02x}")).collect()
}

/// Django's `BaseDatabaseSchemaEditor._create_index_name`: `<table>_<columns>_<md5[:8]><suffix>`,
/// shortened to the backend's identifier limit (63 on PostgreSQL, 64 on MySQL).
pub fn django_index_name(table: &str, columns: &[&str], suffix: &str, max_length: usize) -> String {
    let mut digest_input = table.to_owned();
    for c in columns {
        digest_input.push_str(c);
    }
    let mut hash_suffix = format!("{}{suffix}", &md5_hex(digest_input.as_bytes())[..8]);
    let joined = columns.join("_");
    let name = format!("{table}_{joined}_{hash_suffix}");
    if name.len() <= max_length {
        return name;
    }
    if hash_suffix.len() > max_length / 3 {
        hash_suffix.truncate(max_length / 3);
    }
    let other = (max_length - hash_suffix.len()) / 2 - 1;
    let cut = |s: &str| s.chars().take(other).collect::<String>();
    let mut name = format!("{}_{}_{hash_suffix}", cut(table), cut(&joined));
    if name.starts_with('_') || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.pop();
        name.insert(0, 'D');
    }
    name
}

/// A Python default as a SQL literal (`None` when it is a callable or unknown).
fn django_default(v: &Val) -> Option<String> {
    match v {
        Val::Str(s) => Some(format!("'{}'", s.replace('\'', "''"))),
        Val::Int(i) => Some(i.to_string()),
        Val::Bool(b) => Some(b.to_string()),
        Val::Other(t) if t.parse::<f64>().is_ok() => Some(t.clone()),
        _ => None,
    }
}

/// `Q(age__gte=18)` → `age >= 18`: the common lookups; anything else keeps its Python text.
fn q_to_sql(v: &Val) -> String {
    let Val::Call { name, args, kwargs } = v else {
        return match v {
            Val::Str(s) => postgres::normalize_expr(s),
            Val::Other(t) => t.clone(),
            _ => String::new(),
        };
    };
    if name != "Q" || !args.is_empty() {
        return format!("{v:?}");
    }
    let lit = |v: &Val| match v {
        Val::Str(s) => format!("'{}'", s.replace('\'', "''")),
        Val::Int(i) => i.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::None => "NULL".into(),
        Val::Other(t) => t.clone(),
        other => format!("{other:?}"),
    };
    let parts: Vec<String> = kwargs
        .iter()
        .map(|(k, v)| {
            let (field, lookup) = k.rsplit_once("__").unwrap_or((k.as_str(), "exact"));
            let (field, lookup) = match lookup {
                "gt" | "gte" | "lt" | "lte" | "exact" | "isnull" | "in" => (field, lookup),
                _ => (k.as_str(), "exact"),
            };
            match lookup {
                "gt" => format!("{field} > {}", lit(v)),
                "gte" => format!("{field} >= {}", lit(v)),
                "lt" => format!("{field} < {}", lit(v)),
                "lte" => format!("{field} <= {}", lit(v)),
                "isnull" if v.truthy() => format!("{field} IS NULL"),
                "isnull" => format!("{field} IS NOT NULL"),
                "in" => match v {
                    Val::List(items) => {
                        format!("{field} IN ({})", items.iter().map(lit).collect::<Vec<_>>().join(", "))
                    }
                    other => format!("{field} IN {}", lit(other)),
                },
                _ => format!("{field} = {}", lit(v)),
            }
        })
        .collect();
    parts.join(" AND ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn md5_matches_known_digests() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"The quick brown fox jumps over the lazy dog"), "9e107d9d372bb6826bd81d3542a419d6");
    }

    #[test]
    fn index_names_like_django() {
        // md5("orderscustomer_id")[:8] as Django's names_digest computes it.
        let name = django_index_name("orders", &["customer_id"], "", 63);
        assert_eq!(name, format!("orders_customer_id_{}", &md5_hex(b"orderscustomer_id")[..8]));
        let long = django_index_name(&"t".repeat(60), &["customer_id"], "_fk_shop_customer_id", 63);
        assert!(long.len() <= 63, "{long}");
    }
}

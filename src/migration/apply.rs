//! Schema state across migrations: apply operations to the model so rules know what exists — an
//! index on a table created earlier in the same change is harmless, a rename is followed, a column
//! dropped twice is an error.
//!
//! The model follows what the database itself does: dropping a column drops the indexes and
//! constraints on it; renaming a table or column renames it in indexes, keys, foreign keys of other
//! tables and view dependencies; unnamed constraints get PostgreSQL's default names so a later
//! `DROP CONSTRAINT users_email_key` finds them.

use std::fmt;

use serde::Serialize;

use crate::error::{Diagnostic, Error};
use crate::migration::{Migration, OpKind, Operation, Span};
use crate::schema::{Dialect, EnumType, Function, IndexPart, QualifiedName, Schema, Table, Trigger};

/// Something worth knowing about how an operation was applied, that is not an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "note", rename_all = "snake_case")]
pub enum ApplyNote {
    /// `DROP … IF EXISTS` (or `CREATE … IF NOT EXISTS`) of something absent (present): a no-op.
    Skipped { object: String, reason: String },
    /// The operation changes the schema in a way the model cannot follow (raw SQL, code, unparsed):
    /// what exists afterwards may differ from the model.
    NotModelled { what: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplyErrorKind {
    /// The object the operation needs does not exist.
    Missing,
    /// The object the operation creates already exists.
    AlreadyExists,
    /// Other objects depend on what the operation drops (views, foreign keys) and it does not
    /// say `CASCADE`: PostgreSQL refuses it.
    Dependents,
}

/// An operation that cannot be applied to the schema as it stands, located at the operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplyError {
    pub kind: ApplyErrorKind,
    pub message: String,
    pub span: Span,
}

impl fmt::Display for ApplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.span.file.display(), self.span.line, self.span.column, self.message)
    }
}

impl std::error::Error for ApplyError {}

impl From<ApplyError> for Error {
    fn from(e: ApplyError) -> Self {
        Error::input(Diagnostic::new(e.message).at(&e.span.file, e.span.line, e.span.column))
    }
}

/// Build up `schema` by applying every migration's `up` operations in order (an app's whole
/// history when no dump exists). Stops at the first operation that cannot be applied.
pub fn replay(schema: &mut Schema, migrations: &[Migration]) -> Result<Vec<ApplyNote>, ApplyError> {
    replay_with(schema, migrations, apply)
}

/// [`replay`] with `step` in place of [`apply`] for each operation (to pass some over, or to go
/// on past one that cannot be applied); the versions are recorded and the schema canonicalized
/// the same way.
pub fn replay_with(
    schema: &mut Schema,
    migrations: &[Migration],
    mut step: impl FnMut(&mut Schema, &Operation) -> Result<Vec<ApplyNote>, ApplyError>,
) -> Result<Vec<ApplyNote>, ApplyError> {
    let mut notes = Vec::new();
    for m in migrations {
        for op in &m.up {
            notes.extend(step(schema, op)?);
        }
        if !m.version.is_empty() {
            schema.migrations.push(m.version.clone());
        }
    }
    schema.canonicalize();
    Ok(notes)
}

/// Apply one operation to `schema`. Creating what exists or dropping what does not (without
/// `IF [NOT] EXISTS`) is an error at the operation's span.
pub fn apply(schema: &mut Schema, op: &Operation) -> Result<Vec<ApplyNote>, ApplyError> {
    let mut cx = Cx { schema, span: &op.span, notes: Vec::new() };
    cx.apply(&op.kind)?;
    Ok(cx.notes)
}

struct Cx<'a> {
    schema: &'a mut Schema,
    span: &'a Span,
    notes: Vec<ApplyNote>,
}

impl Cx<'_> {
    fn err(&self, kind: ApplyErrorKind, message: String) -> ApplyError {
        ApplyError { kind, message, span: self.span.clone() }
    }

    fn missing(&self, message: String) -> ApplyError {
        self.err(ApplyErrorKind::Missing, message)
    }

    fn skip(&mut self, object: String, reason: &str) {
        self.notes.push(ApplyNote::Skipped { object, reason: reason.to_owned() });
    }

    fn table_idx(&self, name: &QualifiedName) -> Option<usize> {
        self.schema.tables.iter().position(|t| t.name.matches(name))
    }

    fn table_mut(&mut self, name: &QualifiedName) -> Result<&mut Table, ApplyError> {
        match self.table_idx(name) {
            Some(i) => Ok(&mut self.schema.tables[i]),
            None => Err(self.missing(format!("table `{name}` does not exist"))),
        }
    }

    /// The table and the position of its column `column`, or a located error.
    fn column_pos(&mut self, table: &QualifiedName, column: &str) -> Result<(usize, usize), ApplyError> {
        let t = self.table_idx(table).ok_or_else(|| self.missing(format!("table `{table}` does not exist")))?;
        let c = self.schema.tables[t]
            .columns
            .iter()
            .position(|c| c.name == column)
            .ok_or_else(|| self.missing(format!("column `{table}.{column}` does not exist")))?;
        Ok((t, c))
    }

    fn pg(&self) -> bool {
        self.schema.dialect == Dialect::Postgres
    }

    fn apply(&mut self, kind: &OpKind) -> Result<(), ApplyError> {
        let dialect = self.schema.dialect;
        match kind {
            OpKind::CreateTable { table, columns, primary_key, foreign_keys, if_not_exists } => {
                let table = table.canonical(dialect);
                if self.table_idx(&table).is_some() || self.schema.view(&table.to_string()).is_some() {
                    if *if_not_exists {
                        self.skip(table.to_string(), "already exists (IF NOT EXISTS)");
                        return Ok(());
                    }
                    return Err(self.err(ApplyErrorKind::AlreadyExists, format!("relation `{table}` already exists")));
                }
                let mut t = Table::new(table.clone());
                t.columns = columns.clone();
                for c in &mut t.columns {
                    c.default = c.default.as_deref().map(|d| stored_default(dialect, d, &c.data_type));
                }
                t.primary_key = primary_key.clone();
                if let Some(pk) = &mut t.primary_key {
                    if pk.name.is_none() && self.pg() {
                        pk.name = Some(format!("{}_pkey", table.name));
                    }
                    for c in &mut t.columns {
                        if pk.columns.contains(&c.name) {
                            c.nullable = false;
                        }
                    }
                }
                for fk in foreign_keys {
                    let mut fk = fk.clone();
                    fk.references = fk.references.canonical(dialect);
                    if fk.name.is_none() && self.pg() {
                        fk.name = Some(format!("{}_{}_fkey", table.name, fk.columns.join("_")));
                    }
                    t.foreign_keys.push(fk);
                }
                self.schema.tables.push(t);
            }
            OpKind::DropTable { table, if_exists, cascade } => {
                let Some(i) = self.table_idx(table) else {
                    if *if_exists {
                        self.skip(table.to_string(), "does not exist (IF EXISTS)");
                        return Ok(());
                    }
                    return Err(self.missing(format!("table `{table}` does not exist")));
                };
                if !*cascade && dialect == Dialect::Postgres {
                    let name = self.schema.tables[i].name.clone();
                    let mut dependents: Vec<String> = self
                        .schema
                        .views
                        .iter()
                        .filter(|v| v.depends_on.iter().any(|d| d.relation.matches(&name)))
                        .map(|v| format!("view `{}`", v.name))
                        .collect();
                    dependents.extend(
                        self.schema
                            .tables
                            .iter()
                            .filter(|t| !t.name.matches(&name))
                            .flat_map(|t| t.foreign_keys.iter().map(move |fk| (t, fk)))
                            .filter(|(_, fk)| fk.references.matches(&name))
                            .map(|(t, fk)| {
                                format!("foreign key `{}` of `{}`", fk.name.as_deref().unwrap_or("?"), t.name)
                            }),
                    );
                    if !dependents.is_empty() {
                        return Err(self.err(
                            ApplyErrorKind::Dependents,
                            format!("cannot drop table `{name}`: {} depend on it (use CASCADE)", dependents.join(", ")),
                        ));
                    }
                }
                let removed = self.schema.tables.remove(i);
                self.schema.triggers.retain(|t| !t.table.matches(&removed.name));
                if *cascade {
                    for t in &mut self.schema.tables {
                        t.foreign_keys.retain(|fk| !fk.references.matches(&removed.name));
                    }
                    self.schema.views.retain(|v| !v.depends_on.iter().any(|d| d.relation.matches(&removed.name)));
                }
            }
            OpKind::RenameTable { from, to } => {
                let Some(i) = self.table_idx(from) else {
                    return Err(self.missing(format!("table `{from}` does not exist")));
                };
                let mut to = to.canonical(dialect);
                if to.schema.is_none() {
                    to.schema = self.schema.tables[i].name.schema.clone();
                }
                if self.table_idx(&to).is_some() {
                    return Err(self.err(ApplyErrorKind::AlreadyExists, format!("relation `{to}` already exists")));
                }
                let old = std::mem::replace(&mut self.schema.tables[i].name, to.clone());
                for t in &mut self.schema.tables {
                    for fk in &mut t.foreign_keys {
                        if fk.references.matches(&old) {
                            fk.references = to.clone();
                        }
                    }
                }
                for v in &mut self.schema.views {
                    for d in &mut v.depends_on {
                        if d.relation.matches(&old) {
                            d.relation = to.clone();
                        }
                    }
                }
                for t in &mut self.schema.triggers {
                    if t.table.matches(&old) {
                        t.table = to.clone();
                    }
                }
                for s in &mut self.schema.sequences {
                    if let Some(o) = &mut s.owned_by
                        && o.table.matches(&old)
                    {
                        o.table = to.clone();
                    }
                }
            }
            OpKind::AddColumn { table, column, if_not_exists } => {
                let t = self.table_mut(table)?;
                if t.column(&column.name).is_some() {
                    if *if_not_exists {
                        self.skip(format!("{table}.{}", column.name), "already exists (IF NOT EXISTS)");
                        return Ok(());
                    }
                    return Err(self.err(
                        ApplyErrorKind::AlreadyExists,
                        format!("column `{table}.{}` already exists", column.name),
                    ));
                }
                let mut column = column.clone();
                column.default = column.default.as_deref().map(|d| stored_default(dialect, d, &column.data_type));
                t.columns.push(column);
            }
            OpKind::DropColumn { table, column, if_exists } => {
                let t = self.table_mut(table)?;
                if t.column(column).is_none() {
                    if *if_exists {
                        self.skip(format!("{table}.{column}"), "does not exist (IF EXISTS)");
                        return Ok(());
                    }
                    return Err(self.missing(format!("column `{table}.{column}` does not exist")));
                }
                t.columns.retain(|c| c.name != *column);
                // The database drops indexes and constraints that involve the column.
                let has = |cols: &[String]| cols.iter().any(|c| c == column);
                t.indexes.retain(|i| !i.keys.iter().any(|k| matches!(&k.part, IndexPart::Column(c) if c == column)));
                t.uniques.retain(|u| !has(&u.columns));
                t.foreign_keys.retain(|fk| !has(&fk.columns));
                if t.primary_key.as_ref().is_some_and(|pk| has(&pk.columns)) {
                    t.primary_key = None;
                }
                let name = t.name.clone();
                for v in &mut self.schema.views {
                    for d in &mut v.depends_on {
                        if d.relation.matches(&name) {
                            d.columns.retain(|c| c != column);
                        }
                    }
                }
            }
            OpKind::RenameColumn { table, from, to } => {
                let (ti, ci) = self.column_pos(table, from)?;
                if self.schema.tables[ti].column(to).is_some() {
                    return Err(
                        self.err(ApplyErrorKind::AlreadyExists, format!("column `{table}.{to}` already exists"))
                    );
                }
                let t = &mut self.schema.tables[ti];
                t.columns[ci].name = to.clone();
                let rename = |cols: &mut Vec<String>| {
                    for c in cols.iter_mut() {
                        if c == from {
                            *c = to.clone();
                        }
                    }
                };
                for i in &mut t.indexes {
                    for k in &mut i.keys {
                        match &mut k.part {
                            IndexPart::Column(c) if c == from => *c = to.clone(),
                            IndexPart::Expression(e) => *e = rename_ident(e, from, to),
                            IndexPart::Column(_) => {}
                        }
                    }
                    rename(&mut i.include);
                    if let Some(p) = &mut i.predicate {
                        *p = rename_ident(p, from, to);
                    }
                }
                for c in &mut t.checks {
                    c.expression = rename_ident(&c.expression, from, to);
                }
                if let Some(pk) = &mut t.primary_key {
                    rename(&mut pk.columns);
                }
                for u in &mut t.uniques {
                    rename(&mut u.columns);
                }
                for fk in &mut t.foreign_keys {
                    rename(&mut fk.columns);
                }
                let name = t.name.clone();
                for other in &mut self.schema.tables {
                    for fk in &mut other.foreign_keys {
                        if fk.references.matches(&name) {
                            rename(&mut fk.referenced_columns);
                        }
                    }
                }
                for v in &mut self.schema.views {
                    for d in &mut v.depends_on {
                        if d.relation.matches(&name) {
                            rename(&mut d.columns);
                        }
                    }
                }
            }
            OpKind::ChangeColumnType { table, column, new_type, .. } => {
                let (t, c) = self.column_pos(table, column)?;
                self.schema.tables[t].columns[c].data_type = new_type.clone();
            }
            OpKind::SetNotNull { table, column } => {
                let (t, c) = self.column_pos(table, column)?;
                self.schema.tables[t].columns[c].nullable = false;
            }
            OpKind::DropNotNull { table, column } => {
                let (t, c) = self.column_pos(table, column)?;
                self.schema.tables[t].columns[c].nullable = true;
            }
            OpKind::SetDefault { table, column, default } => {
                let (t, c) = self.column_pos(table, column)?;
                let col = &mut self.schema.tables[t].columns[c];
                col.default = Some(stored_default(dialect, default, &col.data_type));
            }
            OpKind::DropDefault { table, column } => {
                let (t, c) = self.column_pos(table, column)?;
                self.schema.tables[t].columns[c].default = None;
            }
            OpKind::AddIndex { table, index, if_not_exists, .. } => {
                if self.find_index(&index.name, table.schema.as_deref()).is_some() {
                    if *if_not_exists {
                        self.skip(index.name.clone(), "already exists (IF NOT EXISTS)");
                        return Ok(());
                    }
                    return Err(
                        self.err(ApplyErrorKind::AlreadyExists, format!("index `{}` already exists", index.name))
                    );
                }
                if let Some(i) = self.table_idx(table) {
                    self.schema.tables[i].indexes.push(index.clone());
                } else if let Some(v) = self.schema.views.iter_mut().find(|v| v.name.matches(table) && v.materialized) {
                    v.indexes.push(index.clone());
                } else {
                    return Err(self.missing(format!("table `{table}` does not exist")));
                }
            }
            OpKind::DropIndex { name, if_exists, .. } => match self.find_index(&name.name, name.schema.as_deref()) {
                Some(IndexAt::Table(t, i)) => {
                    self.schema.tables[t].indexes.remove(i);
                }
                Some(IndexAt::View(v, i)) => {
                    self.schema.views[v].indexes.remove(i);
                }
                // MySQL: a UNIQUE KEY is an index and is dropped as one.
                None if dialect == Dialect::Mysql
                    && self
                        .schema
                        .tables
                        .iter()
                        .any(|t| t.uniques.iter().any(|u| u.name.as_deref() == Some(&name.name))) =>
                {
                    for t in &mut self.schema.tables {
                        t.uniques.retain(|u| u.name.as_deref() != Some(&name.name));
                    }
                }
                None if *if_exists => self.skip(name.to_string(), "does not exist (IF EXISTS)"),
                None => return Err(self.missing(format!("index `{name}` does not exist"))),
            },
            OpKind::AddPrimaryKey { table, key, using_index } => {
                let pg = self.pg();
                let t = self.table_mut(table)?;
                if t.primary_key.is_some() {
                    let name = t.name.clone();
                    return Err(
                        self.err(ApplyErrorKind::AlreadyExists, format!("table `{name}` already has a primary key"))
                    );
                }
                let mut key = key.clone();
                if let Some(idx) = using_index {
                    let pos = t.indexes.iter().position(|i| i.name == *idx);
                    if let Some(pos) = pos {
                        let index = t.indexes.remove(pos);
                        if key.columns.is_empty() {
                            key.columns = index.columns().map(str::to_owned).collect();
                        }
                        key.name = key.name.or(Some(index.name));
                    }
                }
                if key.name.is_none() && pg {
                    key.name = Some(format!("{}_pkey", t.name.name));
                }
                for c in &mut t.columns {
                    if key.columns.contains(&c.name) {
                        c.nullable = false;
                    }
                }
                t.primary_key = Some(key);
            }
            OpKind::AddUnique { table, constraint, using_index } => {
                let pg = self.pg();
                let t = self.table_mut(table)?;
                let mut u = constraint.clone();
                if let Some(idx) = using_index
                    && let Some(pos) = t.indexes.iter().position(|i| i.name == *idx)
                {
                    let index = t.indexes.remove(pos);
                    if u.columns.is_empty() {
                        u.columns = index.columns().map(str::to_owned).collect();
                    }
                    u.name = u.name.or(Some(index.name));
                }
                if u.name.is_none() && pg {
                    u.name = Some(format!("{}_{}_key", t.name.name, u.columns.join("_")));
                }
                t.uniques.push(u);
            }
            OpKind::AddCheck { table, constraint, not_valid } => {
                let pg = self.pg();
                let t = self.table_mut(table)?;
                let mut c = constraint.clone();
                c.validated = !*not_valid;
                if c.name.is_none() && pg {
                    c.name = Some(format!("{}_check", t.name.name));
                }
                t.checks.push(c);
            }
            OpKind::AddForeignKey { table, key, not_valid } => {
                if self.table_idx(&key.references).is_none() {
                    return Err(self.missing(format!("referenced table `{}` does not exist", key.references)));
                }
                let pg = self.pg();
                let t = self.table_mut(table)?;
                let mut fk = key.clone();
                fk.references = fk.references.canonical(dialect);
                fk.validated = !*not_valid;
                if fk.name.is_none() && pg {
                    fk.name = Some(format!("{}_{}_fkey", t.name.name, fk.columns.join("_")));
                }
                t.foreign_keys.push(fk);
            }
            OpKind::ValidateConstraint { table, name } => {
                let t = self.table_mut(table)?;
                let found = if let Some(c) = t.checks.iter_mut().find(|c| c.name.as_deref() == Some(name)) {
                    c.validated = true;
                    true
                } else if let Some(fk) = t.foreign_keys.iter_mut().find(|f| f.name.as_deref() == Some(name)) {
                    fk.validated = true;
                    true
                } else {
                    false
                };
                if !found {
                    return Err(self.missing(format!("constraint `{name}` of table `{table}` does not exist")));
                }
            }
            OpKind::DropConstraint { table, name, if_exists } => {
                let t = self.table_mut(table)?;
                let n = Some(name.as_str());
                let before = t.checks.len() + t.uniques.len() + t.foreign_keys.len();
                t.checks.retain(|c| c.name.as_deref() != n);
                t.uniques.retain(|c| c.name.as_deref() != n);
                t.foreign_keys.retain(|c| c.name.as_deref() != n);
                let mut removed = before != t.checks.len() + t.uniques.len() + t.foreign_keys.len();
                // MySQL's primary key is always named PRIMARY (`DROP PRIMARY KEY`).
                let mysql_pk = dialect == Dialect::Mysql && name == "PRIMARY";
                if t.primary_key.as_ref().is_some_and(|pk| pk.name.as_deref() == n || mysql_pk) {
                    t.primary_key = None;
                    removed = true;
                }
                if !removed {
                    if *if_exists {
                        self.skip(format!("{table}.{name}"), "does not exist (IF EXISTS)");
                        return Ok(());
                    }
                    return Err(self.missing(format!("constraint `{name}` of table `{table}` does not exist")));
                }
            }
            OpKind::CreateView { view, or_replace } => {
                let mut view = view.clone();
                view.name = view.name.canonical(dialect);
                // `SELECT *` reads every column the relation has now.
                for d in &mut view.depends_on {
                    if d.columns.iter().any(|c| c == "*") {
                        d.columns.retain(|c| c != "*");
                        d.columns.extend(self.schema.relation_columns(&d.relation).unwrap_or_default());
                        d.columns.sort();
                        d.columns.dedup();
                    }
                }
                if view.columns.is_empty() {
                    // Kept only when every `*` expanded: a partial list would hide what a later
                    // redefinition of the view removes.
                    let computed =
                        crate::sql::columns::view_columns(&view.definition, &|rel| self.schema.relation_columns(rel));
                    view.columns = computed.filter(|c| c.complete).map(|c| c.names).unwrap_or_default();
                }
                if let Some(pos) = self.schema.views.iter().position(|v| v.name.matches(&view.name)) {
                    if !*or_replace {
                        return Err(
                            self.err(ApplyErrorKind::AlreadyExists, format!("relation `{}` already exists", view.name))
                        );
                    }
                    self.schema.views[pos] = view;
                } else if self.table_idx(&view.name).is_some() {
                    return Err(
                        self.err(ApplyErrorKind::AlreadyExists, format!("relation `{}` already exists", view.name))
                    );
                } else {
                    self.schema.views.push(view);
                }
            }
            OpKind::DropView { name, if_exists, .. } => {
                match self.schema.views.iter().position(|v| v.name.matches(name)) {
                    Some(pos) => {
                        self.schema.views.remove(pos);
                    }
                    None if *if_exists => self.skip(name.to_string(), "does not exist (IF EXISTS)"),
                    None => return Err(self.missing(format!("view `{name}` does not exist"))),
                }
            }
            OpKind::CreateFunction { name, or_replace } => {
                let name = name.canonical(dialect);
                let exists = self.schema.functions.iter().any(|f| f.name.matches(&name));
                let _ = or_replace;
                // Without argument types an overload cannot be told from a redefinition, so an
                // existing name is not an error here.
                if !exists {
                    self.schema.functions.push(Function {
                        name,
                        arguments: String::new(),
                        returns: String::new(),
                        language: String::new(),
                        body: String::new(),
                    });
                }
            }
            OpKind::DropFunction { name, if_exists } => {
                let before = self.schema.functions.len();
                self.schema.functions.retain(|f| !f.name.matches(name));
                if before == self.schema.functions.len() {
                    if *if_exists {
                        self.skip(name.to_string(), "does not exist (IF EXISTS)");
                    } else {
                        return Err(self.missing(format!("function `{name}` does not exist")));
                    }
                }
            }
            OpKind::CreateTrigger { name, table } => {
                let table = self.table_mut(table)?.name.clone();
                self.schema.triggers.retain(|t| !(t.name == *name && t.table.matches(&table)));
                self.schema.triggers.push(Trigger {
                    name: name.clone(),
                    table,
                    function: QualifiedName::unqualified(""),
                    timing: String::new(),
                    events: Vec::new(),
                    for_each_row: false,
                    when: None,
                });
            }
            OpKind::DropTrigger { name, table, if_exists } => {
                let before = self.schema.triggers.len();
                // SQLite's `DROP TRIGGER name` names no table: a trigger's name is the database's.
                self.schema
                    .triggers
                    .retain(|t| !(t.name == *name && (table.name.is_empty() || t.table.matches(table))));
                if before == self.schema.triggers.len() {
                    if *if_exists {
                        self.skip(format!("{name} on {table}"), "does not exist (IF EXISTS)");
                    } else {
                        return Err(self.missing(format!("trigger `{name}` on `{table}` does not exist")));
                    }
                }
            }
            OpKind::CreateEnum { name, values } => {
                let name = name.canonical(dialect);
                if self.schema.enums.iter().any(|e| e.name.matches(&name)) {
                    return Err(self.err(ApplyErrorKind::AlreadyExists, format!("type `{name}` already exists")));
                }
                self.schema.enums.push(EnumType { name, values: values.clone() });
            }
            OpKind::AddEnumValue { name, value } => {
                let Some(e) = self.schema.enums.iter_mut().find(|e| e.name.matches(name)) else {
                    return Err(self.missing(format!("type `{name}` does not exist")));
                };
                if e.values.contains(value) {
                    self.skip(format!("{name}.{value}"), "enum value already exists");
                } else {
                    e.values.push(value.clone());
                }
            }
            OpKind::DropType { name, if_exists, .. } => {
                let before = self.schema.enums.len() + self.schema.composites.len();
                self.schema.enums.retain(|e| !e.name.matches(name));
                self.schema.composites.retain(|e| !e.name.matches(name));
                if before == self.schema.enums.len() + self.schema.composites.len() {
                    if *if_exists {
                        self.skip(name.to_string(), "does not exist (IF EXISTS)");
                    } else {
                        return Err(self.missing(format!("type `{name}` does not exist")));
                    }
                }
            }
            OpKind::Truncate { tables, .. } | OpKind::LockTable { tables, .. } => {
                for t in tables {
                    if self.table_idx(t).is_none() {
                        return Err(self.missing(format!("table `{t}` does not exist")));
                    }
                }
            }
            OpKind::Raw { sql } => {
                self.notes.push(ApplyNote::NotModelled { what: crate::migration::readers::excerpt(sql) })
            }
            OpKind::Code { description } => self.notes.push(ApplyNote::NotModelled { what: description.clone() }),
            OpKind::Unparsed { text, .. } => {
                self.notes.push(ApplyNote::NotModelled { what: crate::migration::readers::excerpt(text) })
            }
            OpKind::SetSetting { .. } | OpKind::Begin | OpKind::Commit | OpKind::Data { .. } => {}
        }
        Ok(())
    }

    fn find_index(&self, name: &str, schema: Option<&str>) -> Option<IndexAt> {
        let in_schema = |q: &QualifiedName| match (schema, &q.schema) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        for (t, table) in self.schema.tables.iter().enumerate() {
            if in_schema(&table.name)
                && let Some(i) = table.indexes.iter().position(|i| i.name == name)
            {
                return Some(IndexAt::Table(t, i));
            }
        }
        for (v, view) in self.schema.views.iter().enumerate() {
            if in_schema(&view.name)
                && let Some(i) = view.indexes.iter().position(|i| i.name == name)
            {
                return Some(IndexAt::View(v, i));
            }
        }
        None
    }
}

/// A default as PostgreSQL stores it: a bare string literal is coerced to the column's type and
/// printed with the cast (`'anon'::text`, `'active'::public.user_status`); numbers and booleans
/// print bare.
fn stored_default(dialect: Dialect, default: &str, data_type: &str) -> String {
    let d = default.trim();
    let plain_literal = d.len() >= 2 && d.starts_with('\'') && d.ends_with('\'') && !d[1..d.len() - 1].contains('\'');
    let bare_types = ["integer", "bigint", "smallint", "numeric", "real", "double precision", "boolean"];
    if dialect != Dialect::Postgres
        || !plain_literal
        || bare_types.iter().any(|t| data_type.starts_with(t) && !data_type.ends_with("[]"))
    {
        return d.to_owned();
    }
    // The cast names the type without its modifier: `'open'::character varying` for a
    // `character varying(255)` column, as pg_dump prints it.
    let cast = match (data_type.find('('), data_type.find(')')) {
        (Some(open), Some(close)) if open < close => {
            format!("{}{}", data_type[..open].trim_end(), &data_type[close + 1..])
        }
        _ => data_type.to_owned(),
    };
    // In the model's form, as the dump readers keep it (`'open'::varchar`).
    crate::schema::postgres::normalize_expr(&format!("{d}::{cast}"))
}

/// Rename the identifier `from` to `to` in an expression (index predicate or key, check), outside
/// string literals and quoted identifiers.
fn rename_ident(expr: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut chars = expr.char_indices().peekable();
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    while let Some((i, c)) = chars.next() {
        if c == '\'' || c == '"' {
            out.push(c);
            for (_, d) in chars.by_ref() {
                out.push(d);
                if d == c {
                    break;
                }
            }
            continue;
        }
        if is_ident(c) && (i == 0 || !expr[..i].chars().next_back().is_some_and(is_ident)) {
            let end = expr[i..].find(|ch: char| !is_ident(ch)).map_or(expr.len(), |n| i + n);
            let word = &expr[i..end];
            out.push_str(if word == from { to } else { word });
            while chars.peek().is_some_and(|(j, _)| *j < end) {
                chars.next();
            }
            continue;
        }
        out.push(c);
    }
    out
}

enum IndexAt {
    Table(usize, usize),
    View(usize, usize),
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::migration::Direction;
    use crate::migration::readers::LineIndex;
    use crate::migration::readers::sql::read_statements;

    fn run(schema: &mut Schema, sql: &str) -> Result<Vec<ApplyNote>, ApplyError> {
        let mut notes = Vec::new();
        for op in read_statements(Path::new("m.sql"), &LineIndex::new(sql), 0, sql, Dialect::Postgres, Direction::Up) {
            notes.extend(apply(schema, &op)?);
        }
        Ok(notes)
    }

    #[test]
    fn renames_are_followed_into_indexes_and_foreign_keys() {
        let mut s = Schema::new(Dialect::Postgres);
        run(
            &mut s,
            "CREATE TABLE orgs (id bigserial PRIMARY KEY);
             CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL UNIQUE, org_id bigint REFERENCES orgs (id));
             CREATE INDEX users_org_idx ON users (org_id);
             ALTER TABLE users RENAME COLUMN org_id TO organization_id;
             ALTER TABLE orgs RENAME TO organizations;",
        )
        .unwrap();
        let users = s.table("users").unwrap();
        assert_eq!(users.uniques[0].name.as_deref(), Some("users_email_key"));
        assert_eq!(users.indexes[0].columns().collect::<Vec<_>>(), vec!["organization_id"]);
        assert_eq!(users.foreign_keys[0].columns, vec!["organization_id"]);
        assert_eq!(users.foreign_keys[0].references.name, "organizations");
        assert_eq!(users.primary_key.as_ref().and_then(|p| p.name.as_deref()), Some("users_pkey"));
    }

    #[test]
    fn renames_reach_into_expressions_but_not_literals() {
        assert_eq!(
            rename_ident("nickname IS NOT NULL AND x = 'nickname'", "nickname", "handle"),
            "handle IS NOT NULL AND x = 'nickname'"
        );
        assert_eq!(rename_ident("lower(nick) <> nickname2", "nick", "h"), "lower(h) <> nickname2");
        assert_eq!(stored_default(Dialect::Postgres, "'anon'", "text"), "'anon'::text");
        assert_eq!(stored_default(Dialect::Postgres, "'open'", "character varying(255)"), "'open'::varchar");
        assert_eq!(stored_default(Dialect::Postgres, "'{}'", "character varying(20)[]"), "'{}'::varchar[]");
        assert_eq!(stored_default(Dialect::Postgres, "'5'", "integer"), "'5'");
        assert_eq!(stored_default(Dialect::Postgres, "now()", "text"), "now()");
    }

    #[test]
    fn mysql_drops_primary_keys_and_unique_keys_by_their_index_names() {
        let mut s = Schema::new(Dialect::Mysql);
        let sql = "CREATE TABLE t (id int NOT NULL, e varchar(9), PRIMARY KEY (id), UNIQUE KEY t_e (e));\n\
                   ALTER TABLE t DROP PRIMARY KEY;\nALTER TABLE t DROP INDEX t_e;";
        for op in read_statements(Path::new("m.sql"), &LineIndex::new(sql), 0, sql, Dialect::Mysql, Direction::Up) {
            apply(&mut s, &op).unwrap();
        }
        let t = s.table("t").unwrap();
        assert!(t.primary_key.is_none());
        assert!(t.uniques.is_empty());
    }

    #[test]
    fn dropping_a_table_others_depend_on_needs_cascade() {
        let mut s = Schema::new(Dialect::Postgres);
        run(&mut s, "CREATE TABLE o (id int PRIMARY KEY); CREATE TABLE u (o_id int REFERENCES o); CREATE VIEW v AS SELECT id FROM o;")
            .unwrap();
        let err = run(&mut s, "DROP TABLE o;").unwrap_err();
        assert_eq!(err.kind, ApplyErrorKind::Dependents);
        assert_eq!(
            err.message,
            "cannot drop table `public.o`: view `public.v`, foreign key `u_o_id_fkey` of `public.u` depend on it (use CASCADE)"
        );
        run(&mut s, "DROP TABLE o CASCADE;").unwrap();
        assert!(s.table("u").unwrap().foreign_keys.is_empty());
        assert!(s.views.is_empty());
    }

    #[test]
    fn dropping_twice_is_an_error_at_the_second_drop() {
        let mut s = Schema::new(Dialect::Postgres);
        let err =
            run(&mut s, "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;\nALTER TABLE t DROP COLUMN b;")
                .unwrap_err();
        assert_eq!(err.kind, ApplyErrorKind::Missing);
        assert_eq!(err.message, "column `public.t.b` does not exist");
        assert_eq!((err.span.line, err.span.column), (3, 1));
        let notes = run(&mut s, "ALTER TABLE t DROP COLUMN IF EXISTS b; DROP TABLE IF EXISTS nope;").unwrap();
        assert_eq!(notes.len(), 2);
    }
}

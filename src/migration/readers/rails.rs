//! Rails `db/migrate/*.rb` migrations → operations, through tree-sitter-ruby.
//!
//! `change` methods get a computed `down`: the inverse Rails itself would run (create_table ↔
//! drop_table, add_column ↔ remove_column, renames back, add_index ↔ remove_index, …). Where
//! Rails cannot invert a call (remove_column without a type, change_column, execute outside
//! `reversible`), the migration has no down part. A call the reader does not understand is an
//! `Unparsed` operation at its location; model code (`User.update_all`) is `Code`.

use crate::grammar::NodeExt;
use std::collections::HashSet;
use std::path::Path;

use tree_sitter::Node;

use super::ruby_value::{Args, Val, text};
use super::types::{TypeOptions, rails_datetime, rails_type};
use super::{LineIndex, excerpt, op, sql};
use crate::error::{Diagnostic, Error, Result};
use crate::inflect::{pluralize, singularize};
use crate::migration::layout::parse_file_name;
use crate::migration::{Direction, Format, Migration, OpKind, Operation};
use crate::schema::rails::naming::{check_name, foreign_key_name};
use crate::schema::{
    CheckConstraint, Column, Dialect, FkAction, ForeignKey, Identity, Index, IndexKey, IndexPart, PrimaryKey,
    QualifiedName, postgres,
};

/// Read one Rails migration file.
pub fn read(path: &Path, text: &str, dialect: Dialect) -> Result<Migration> {
    crate::grammar::reject_ruby_unreadable(path, text)?;
    let tree = super::parse(path, text, tree_sitter_ruby::LANGUAGE.into(), "Ruby")?;
    let root = tree.root_node();
    let class = find_migration_class(root, text).ok_or_else(|| {
        Error::input(
            Diagnostic::new("no migration class found")
                .at(path, 1, 1)
                .help("expected `class Name < ActiveRecord::Migration[7.1]` with a `change` or `up` method"),
        )
    })?;
    let name = parse_file_name(path);
    let mut heredocs = Vec::new();
    collect_heredocs(root, &mut heredocs);
    let lines = LineIndex::new(text);
    let compat = Compat::of(class, text);
    let mut r =
        Reader { file: path, src: text, lines: &lines, dialect, compat, heredocs, used: HashSet::new(), depth: 0 };
    let mut m = Migration {
        file: path.to_path_buf(),
        down_file: None,
        version: name.version,
        name: name.name,
        format: Format::Rails,
        up: Vec::new(),
        down: None,
        transactional: true,
        replaces: Vec::new(),
        source: text.to_owned(),
    };
    let (mut change, mut up, mut down) = (None, None, None);
    if let Some(body) = class.field("body") {
        let mut cursor = body.walk();
        for child in body.named_children(&mut cursor) {
            match child.kind_name() {
                "call" | "identifier" if method_name(child, text) == Some("disable_ddl_transaction!") => {
                    m.transactional = false;
                }
                "method" => match child.field("name").map(|n| text_of(n, text)) {
                    Some("change") => change = Some(child),
                    Some("up") => up = Some(child),
                    Some("down") => down = Some(child),
                    _ => {}
                },
                // `def self.up` / `def self.down`: a migration written before Rails 3.1, which
                // Rails still runs (`Migration#up` calls the class's `up` when it has one; there
                // is no class-level `change`). An instance method of the name wins.
                "singleton_method" if child.field("object").is_some_and(|o| o.kind_name() == "self") => {
                    match child.field("name").map(|n| text_of(n, text)) {
                        Some("up") => up = up.or(Some(child)),
                        Some("down") => down = down.or(Some(child)),
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(method) = change {
        let step = r.body(method.field("body"), Direction::Up);
        m.up = step.ops;
        m.down = step.inverse.map(|mut inv| {
            inv.reverse();
            inv.into_iter().flatten().collect()
        });
    } else {
        if let Some(method) = up {
            m.up = r.body(method.field("body"), Direction::Up).ops;
        }
        if let Some(method) = down {
            let step = r.body(method.field("body"), Direction::Down);
            m.down = if step.raises_irreversible { None } else { Some(step.ops) };
        }
    }
    Ok(m)
}

fn text_of<'a>(node: Node, src: &'a str) -> &'a str {
    text(node, src)
}

fn find_migration_class<'t>(node: Node<'t>, src: &str) -> Option<Node<'t>> {
    super::descendants(node)
        .into_iter()
        .find(|n| n.kind_name() == "class" && n.field("superclass").is_some_and(|s| text(s, src).contains("Migration")))
}

/// The Rails version a migration was written for, `[x.y]` of `ActiveRecord::Migration[x.y]`:
/// Rails runs it with that version's defaults (rails/rails
/// activerecord/lib/active_record/migration/compatibility.rb, `V4_2` … `V7_0`), so a 5.0
/// migration still creates `integer` keys and a 6.1 one `timestamp` columns without precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Compat(u32, u32);

impl Compat {
    /// A class with no `[x.y]` predates Rails 5, which refuses one: it has 4.2's defaults. A
    /// version that is not `x.y` is read as the newest.
    fn of(class: Node, src: &str) -> Compat {
        let Some(superclass) = class.field("superclass") else { return Compat::LATEST };
        let text = text(superclass, src);
        let Some((_, rest)) = text.split_once('[') else { return Compat(4, 2) };
        let inner = rest.split(']').next().unwrap_or_default().trim();
        let mut parts = inner.split('.').map(|p| p.trim().parse::<u32>());
        match (parts.next(), parts.next()) {
            (Some(Ok(major)), Some(Ok(minor))) => Compat(major, minor),
            _ => Compat::LATEST,
        }
    }

    const LATEST: Compat = Compat(u32::MAX, 0);

    /// Before 5.1 a primary key was `integer` (`serial`), and so were references to it.
    fn integer_keys(self) -> bool {
        self < Compat(5, 1)
    }

    /// Before 5.0 `references` added no index and `timestamps` were nullable.
    fn v4(self) -> bool {
        self < Compat(5, 0)
    }

    /// The precision a datetime column gets when none is given: 6 from 7.0 (from 6.0 for
    /// `timestamps`), none before.
    fn datetime_precision(self, timestamps: bool) -> Option<u32> {
        let since = if timestamps { Compat(6, 0) } else { Compat(7, 0) };
        (self >= since).then_some(6)
    }
}

fn collect_heredocs<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    out.extend(super::descendants(node).into_iter().filter(|n| n.kind_name() == "heredoc_body"));
}

fn method_name<'a>(node: Node, src: &'a str) -> Option<&'a str> {
    match node.kind_name() {
        "identifier" => Some(text(node, src)),
        "call" => node.field("method").map(|m| text(m, src)),
        _ => None,
    }
}

/// What a statement or block reads into: its operations and, for `change`, the inverse of each
/// call (in call order; `None` once any call cannot be inverted).
struct Step {
    ops: Vec<Operation>,
    inverse: Option<Vec<Vec<Operation>>>,
    raises_irreversible: bool,
}

impl Step {
    fn new() -> Self {
        Step { ops: Vec::new(), inverse: Some(Vec::new()), raises_irreversible: false }
    }

    fn push(&mut self, ops: Vec<Operation>, inverse: Option<Vec<Operation>>) {
        self.ops.extend(ops);
        match (&mut self.inverse, inverse) {
            (Some(all), Some(inv)) => all.push(inv),
            _ => self.inverse = None,
        }
    }

    fn extend(&mut self, other: Step) {
        self.ops.extend(other.ops);
        self.raises_irreversible |= other.raises_irreversible;
        match (&mut self.inverse, other.inverse) {
            (Some(all), Some(inv)) => all.extend(inv),
            _ => self.inverse = None,
        }
    }
}

struct Reader<'a, 't> {
    file: &'a Path,
    src: &'a str,
    lines: &'a LineIndex<'a>,
    dialect: Dialect,
    compat: Compat,
    heredocs: Vec<Node<'t>>,
    used: HashSet<usize>,
    /// Nesting of blocks being read (`reversible`, `say_with_time`, …), bounded so that no input
    /// can exhaust the stack.
    depth: usize,
}

/// The schema object a `*_exists?` condition asks about.
enum Guard {
    Table(QualifiedName),
    Column(QualifiedName, String),
    IndexName(QualifiedName, String),
    /// An index by its columns (`index_exists?(:t, :col)`).
    Index(QualifiedName),
    /// A foreign key or a check constraint of the table.
    Constraint(QualifiedName),
    /// `extension_enabled?('pgcrypto')`: what it guards is read as is.
    Extension,
}

impl Guard {
    /// Give the operations that make (`runs_if_present` false) or remove (true) the guarded
    /// object the IF [NOT] EXISTS the condition stands for.
    fn mark(&self, ops: &mut [Operation], runs_if_present: bool) {
        for op in ops {
            match (&mut op.kind, self, runs_if_present) {
                (OpKind::CreateTable { table, if_not_exists, .. }, Guard::Table(t), false) if table == t => {
                    *if_not_exists = true;
                }
                (OpKind::AddIndex { table, if_not_exists, .. }, Guard::Table(t), false) if table == t => {
                    *if_not_exists = true;
                }
                (OpKind::AddColumn { table, column, if_not_exists }, Guard::Column(t, c), false)
                    if table == t && column.name == *c =>
                {
                    *if_not_exists = true;
                }
                (OpKind::AddIndex { table, index, if_not_exists, .. }, Guard::IndexName(t, n), false)
                    if table == t && index.name == *n =>
                {
                    *if_not_exists = true;
                }
                (OpKind::DropTable { table, if_exists, .. }, Guard::Table(t), true) if table == t => *if_exists = true,
                (OpKind::DropColumn { table, column, if_exists }, Guard::Column(t, c), true)
                    if table == t && column == c =>
                {
                    *if_exists = true;
                }
                (OpKind::AddIndex { table, if_not_exists, .. }, Guard::Index(t), false) if table == t => {
                    *if_not_exists = true;
                }
                (OpKind::DropIndex { name, if_exists, .. }, Guard::IndexName(_, n), true) if name.name == *n => {
                    *if_exists = true;
                }
                // A dropped index is named, not tied to its table: the one under the guard is it.
                (OpKind::DropIndex { if_exists, .. }, Guard::Index(_), true) => *if_exists = true,
                (OpKind::DropConstraint { table, if_exists, .. }, Guard::Constraint(t), true) if table == t => {
                    *if_exists = true;
                }
                _ => {}
            }
        }
    }
}

/// An operation kind with the byte range of the call it comes from.
type Located = (OpKind, (usize, usize));

/// The table-definition block of `create_table` / `change_table`: what it adds.
#[derive(Default)]
struct TableBlock {
    columns: Vec<Column>,
    /// Extra operations after the table: indexes, foreign keys, checks, `change_table` changes.
    after: Vec<OpKind>,
    /// The byte range of the `t.…` call each of `after` comes from.
    after_spans: Vec<(usize, usize)>,
    /// Inverses of `change_table` calls, when all are invertible, with their call's range.
    inverse: Option<Vec<Vec<Located>>>,
    foreign_keys: Vec<ForeignKey>,
}

impl<'a, 't> Reader<'a, 't> {
    fn table(&self, name: &str) -> QualifiedName {
        match name.split_once('.') {
            Some((schema, n)) => QualifiedName::new(Some(schema), n),
            None => QualifiedName::new(self.dialect.default_schema(), name),
        }
    }

    fn op(&self, node: Node, dir: Direction, kind: OpKind) -> Operation {
        op(self.file, self.lines, node.start_byte(), node.end_byte(), dir, kind)
    }

    fn op_at(&self, start: usize, end: usize, dir: Direction, kind: OpKind) -> Operation {
        op(self.file, self.lines, start, end, dir, kind)
    }

    fn ops(&self, node: Node, dir: Direction, kinds: Vec<OpKind>) -> Vec<Operation> {
        kinds.into_iter().map(|k| self.op(node, dir, k)).collect()
    }

    fn unparsed(&self, node: Node, dir: Direction, reason: &str) -> Operation {
        self.op(node, dir, OpKind::Unparsed { text: excerpt(text(node, self.src)), reason: reason.to_owned() })
    }

    fn body(&mut self, body: Option<Node<'t>>, dir: Direction) -> Step {
        let mut step = Step::new();
        let Some(body) = body else { return step };
        if self.depth > 8 {
            step.push(vec![self.unparsed(body, dir, "blocks nested too deeply")], None);
            return step;
        }
        self.depth += 1;
        let step = self.body_inner(body, dir, step);
        self.depth -= 1;
        step
    }

    fn body_inner(&mut self, body: Node<'t>, dir: Direction, mut step: Step) -> Step {
        let mut cursor = body.walk();
        let children: Vec<Node<'t>> = body.named_children(&mut cursor).collect();
        // `return if table_exists?(:t)` ends the method when the object is there: what follows
        // creates it only if it is missing.
        let mut returned_if_present: Vec<Guard> = Vec::new();
        for child in children {
            if child.has_error() && !matches!(child.kind_name(), "comment" | "heredoc_body") {
                step.push(vec![self.unparsed(child, dir, "does not parse as Ruby")], None);
                continue;
            }
            match child.kind_name() {
                "comment" | "heredoc_body" | "empty_statement" => {}
                "call" | "identifier" => {
                    let mut s = self.call(child, dir);
                    returned_if_present.iter().for_each(|g| g.mark(&mut s.ops, false));
                    step.extend(s);
                }
                _ if let Some(guard) = self.guard(child) => {
                    let s = self.guarded(child, dir, guard, &mut returned_if_present);
                    step.extend(s);
                }
                _ => {
                    let op = self.unparsed(
                        child,
                        dir,
                        "code the migration reader cannot follow (control flow or an expression)",
                    );
                    step.push(vec![op], None);
                }
            }
        }
        step
    }

    /// A statement under a `*_exists?` condition ([`Self::guard`]), read as if the condition
    /// held: every operation it may run is gated, and the one on the guarded object carries the
    /// IF [NOT] EXISTS the condition stands for. `return if …` reads nothing but marks what
    /// follows it in the method.
    fn guarded(
        &mut self,
        node: Node<'t>,
        dir: Direction,
        (guard, runs_if_present): (Guard, bool),
        returned_if_present: &mut Vec<Guard>,
    ) -> Step {
        let inner = node.field("body").or_else(|| node.field("consequence"));
        match inner {
            Some(r) if r.kind_name() == "return" && r.named_child_count() == 0 => {
                if runs_if_present {
                    returned_if_present.push(guard);
                }
                let mut step = Step::new();
                step.push(Vec::new(), Some(Vec::new()));
                step
            }
            Some(inner) if matches!(inner.kind_name(), "call" | "identifier" | "then") => {
                let mut s =
                    if inner.kind_name() == "then" { self.body(Some(inner), dir) } else { self.call(inner, dir) };
                guard.mark(&mut s.ops, runs_if_present);
                returned_if_present.iter().for_each(|g| g.mark(&mut s.ops, false));
                s
            }
            _ => {
                let mut step = Step::new();
                step.push(
                    vec![self.unparsed(node, dir, "code the migration reader cannot follow (control flow)")],
                    None,
                );
                step
            }
        }
    }

    /// A condition that only asks whether a schema object exists (`table_exists?(:t)`,
    /// `connection.column_exists?(:t, :c)`, `index_name_exists?(:t, :name)`, …), as Rails'
    /// generators write around their migrations (Active Storage, GoodJob), with whether the
    /// guarded code runs when the object is there. `None` for any other condition, and for a
    /// block with an `else`.
    fn guard(&self, node: Node<'t>) -> Option<(Guard, bool)> {
        if !matches!(node.kind_name(), "if_modifier" | "unless_modifier" | "if" | "unless")
            || node.field("alternative").is_some()
        {
            return None;
        }
        let cond = node.field("condition")?;
        if cond.kind_name() != "call" {
            return None;
        }
        let receiver = cond.field("receiver");
        if receiver.is_some_and(|r| text(r, self.src) != "connection") {
            return None;
        }
        let method = cond.field("method").map(|m| text(m, self.src))?;
        let args = Args::of(cond, self.src);
        let table = self.table(args.name(0)?);
        let guard = match method {
            "table_exists?" => Guard::Table(table),
            "extension_enabled?" => Guard::Extension,
            "column_exists?" => Guard::Column(table, args.name(1)?.to_owned()),
            "index_exists?" => Guard::Index(table),
            "foreign_key_exists?" | "check_constraint_exists?" => Guard::Constraint(table),
            "index_name_exists?" => Guard::IndexName(table, args.name(1)?.to_owned()),
            _ => return None,
        };
        Some((guard, node.kind_name().starts_with("if")))
    }

    /// The SQL of `execute "…"` / `execute <<~SQL`, read through the SQL reader with spans in
    /// the `.rb` file.
    fn execute_sql(&mut self, call: Node<'t>, dir: Direction) -> Vec<Operation> {
        let Some(list) = call.field("arguments") else {
            return vec![self.unparsed(call, dir, "`execute` without SQL")];
        };
        let mut cursor = list.walk();
        let Some(mut first) = list.named_children(&mut cursor).next() else {
            return vec![self.unparsed(call, dir, "`execute` without SQL")];
        };
        // `<<~SQL.squish`, `"…".strip`: methods that only change whitespace leave the literal's
        // statements as they are (a `--` comment that `squish` would join to the next line is
        // read as the comment of its own line: what may run is still gated).
        while first.kind_name() == "call"
            && first
                .field("method")
                .is_some_and(|m| matches!(text(m, self.src), "squish" | "strip" | "strip_heredoc" | "chomp" | "freeze"))
            && first.field("arguments").is_none()
            && let Some(receiver) = first.field("receiver")
        {
            first = receiver;
        }
        match first.kind_name() {
            "heredoc_beginning" => {
                let start = first.end_byte();
                let Some(body) = self
                    .heredocs
                    .iter()
                    .copied()
                    .find(|h| h.start_byte() >= start && !self.used.contains(&h.start_byte()))
                else {
                    return vec![self.unparsed(call, dir, "heredoc body not found")];
                };
                self.used.insert(body.start_byte());
                let mut c = body.walk();
                let children: Vec<Node> = body.named_children(&mut c).collect();
                if children.iter().any(|n| n.kind_name() == "interpolation") {
                    return vec![self.unparsed(call, dir, "SQL with Ruby interpolation cannot be read")];
                }
                let content_start = children.first().map_or(body.start_byte(), |n| n.start_byte());
                let content_end = children
                    .iter()
                    .find(|n| n.kind_name() == "heredoc_end")
                    .map_or(body.end_byte(), |n| n.start_byte());
                let sql_text = &self.src[content_start..content_end.max(content_start)];
                sql::read_statements(self.file, self.lines, content_start, sql_text, self.dialect, dir)
            }
            "string" => {
                let mut c = first.walk();
                let parts: Vec<Node> = first.named_children(&mut c).collect();
                if parts.iter().any(|p| p.kind_name() != "string_content") {
                    return match super::ruby_value::string_content(first, self.src) {
                        // Escapes: parse the unescaped SQL and locate every statement at the call.
                        Some(sql_text) => {
                            sql::read_statements(self.file, &LineIndex::new(&sql_text), 0, &sql_text, self.dialect, dir)
                                .into_iter()
                                .map(|o| self.op(call, dir, o.kind))
                                .collect()
                        }
                        None => vec![self.unparsed(call, dir, "SQL with Ruby interpolation cannot be read")],
                    };
                }
                let (s, e) = match (parts.first(), parts.last()) {
                    (Some(a), Some(b)) => (a.start_byte(), b.end_byte()),
                    _ => return Vec::new(),
                };
                sql::read_statements(self.file, self.lines, s, &self.src[s..e], self.dialect, dir)
            }
            _ => vec![self.unparsed(call, dir, "SQL built at run time cannot be read")],
        }
    }

    fn call(&mut self, call: Node<'t>, dir: Direction) -> Step {
        let src = self.src;
        let mut step = Step::new();
        let Some(method) = method_name(call, src) else { return step };
        let receiver = call.field("receiver");
        if receiver.is_some() && method == "reset_column_information" {
            // Refreshes the model's column cache: no effect on the database.
            step.push(Vec::new(), Some(Vec::new()));
            return step;
        }
        if let Some(recv) = receiver {
            // `User.update_all`, `Post.find_each { … }`: model code that changes data.
            let description = format!("Ruby code: {}", excerpt(text(call, src)));
            let kind = if recv.kind_name() == "constant"
                || recv.kind_name() == "scope_resolution"
                || recv.kind_name() == "call"
            {
                OpKind::Code { description }
            } else {
                OpKind::Unparsed {
                    text: excerpt(text(call, src)),
                    reason: "a method call on an object the reader does not know".into(),
                }
            };
            step.push(vec![self.op(call, dir, kind)], None);
            return step;
        }
        let args = Args::of(call, src);
        let block = call.field("block");
        let inv_dir = match dir {
            Direction::Up => Direction::Down,
            Direction::Down => Direction::Up,
        };
        let t = |i: usize| args.name(i).map(|n| self.table(n));
        macro_rules! need {
            ($e:expr) => {
                match $e {
                    Some(v) => v,
                    None => {
                        step.push(vec![self.unparsed(call, dir, concat!("`", "arguments not understood", "`"))], None);
                        return step;
                    }
                }
            };
        }
        let concurrently = args.opt("algorithm").and_then(Val::name) == Some("concurrently");
        match method {
            "say" | "reset_column_information" | "disable_ddl_transaction!" => {
                step.push(Vec::new(), Some(Vec::new()));
            }
            "say_with_time" | "up_only" | "safety_assured" | "transaction" => {
                let inner = self.block_body(block, dir);
                if method == "up_only" {
                    step.push(inner.ops, Some(Vec::new()));
                } else {
                    step.extend(inner);
                }
            }
            "raise" => {
                if text(call, src).contains("IrreversibleMigration") {
                    step.raises_irreversible = true;
                } else {
                    let op = self.unparsed(call, dir, "raises an exception");
                    step.push(vec![op], None);
                }
            }
            "execute" => {
                let ops = self.execute_sql(call, dir);
                step.push(ops, None);
            }
            "reversible" => {
                // `dir.up { … }` runs on the way up; `dir.down { … }` is the inverse.
                let mut up_ops = Vec::new();
                let mut down_ops = Vec::new();
                if let Some(b) = block.and_then(|b| b.field("body")) {
                    let mut cursor = b.walk();
                    let calls: Vec<Node<'t>> = b.named_children(&mut cursor).collect();
                    for c in calls {
                        match (c.kind_name(), method_name(c, src)) {
                            ("call", Some("up")) => up_ops.extend(self.block_body(c.field("block"), dir).ops),
                            ("call", Some("down")) => down_ops.extend(self.block_body(c.field("block"), inv_dir).ops),
                            ("comment", _) => {}
                            _ => up_ops.push(self.unparsed(c, dir, "expected `dir.up { … }` or `dir.down { … }`")),
                        }
                    }
                }
                step.push(up_ops, Some(down_ops));
            }
            "create_table" => {
                let table = need!(t(0));
                let range = (call.start_byte(), call.end_byte());
                let mut kinds = self.create_table(&table, &args, block, range, dir, &mut step);
                // `force: true` / `force: :cascade` drops an existing table first.
                if let Some(force) = args.opt("force").filter(|f| f.truthy()) {
                    let cascade = force.name() == Some("cascade");
                    kinds.insert(0, (OpKind::DropTable { table: table.clone(), if_exists: true, cascade }, range));
                }
                let drop = OpKind::DropTable { table: table.clone(), if_exists: false, cascade: false };
                let ops = kinds.into_iter().map(|(k, (s, e))| self.op_at(s, e, dir, k)).collect();
                step.push(ops, Some(vec![self.op(call, inv_dir, drop)]));
            }
            "create_join_table" => {
                let (a, b) = (need!(args.name(0)), need!(args.name(1)));
                let mut names = [a.to_owned(), b.to_owned()];
                names.sort();
                let table = match args.opt("table_name").and_then(Val::name) {
                    Some(n) => self.table(n),
                    None => self.table(&format!("{}_{}", names[0], names[1])),
                };
                let mut columns = Vec::new();
                for n in [a, b] {
                    let mut c = Column::new(
                        &format!("{}_id", singularize(n)),
                        &rails_type(
                            if self.compat.integer_keys() { "integer" } else { "bigint" },
                            &TypeOptions::default(),
                            self.dialect,
                        ),
                    );
                    c.nullable = false;
                    columns.push(c);
                }
                let create = OpKind::CreateTable {
                    table: table.clone(),
                    columns,
                    primary_key: None,
                    foreign_keys: Vec::new(),
                    if_not_exists: false,
                };
                let drop = OpKind::DropTable { table, if_exists: false, cascade: false };
                step.push(vec![self.op(call, dir, create)], Some(vec![self.op(call, inv_dir, drop)]));
            }
            "drop_table" | "drop_join_table" => {
                let table = if method == "drop_join_table" {
                    let mut names = [need!(args.name(0)).to_owned(), need!(args.name(1)).to_owned()];
                    names.sort();
                    self.table(&format!("{}_{}", names[0], names[1]))
                } else {
                    need!(t(0))
                };
                let if_exists = args.opt("if_exists").is_some_and(Val::truthy);
                let cascade = args.opt("force").and_then(Val::name) == Some("cascade");
                let drop = OpKind::DropTable { table: table.clone(), if_exists, cascade };
                // `drop_table :t do |t| … end` is reversible: the block says what to recreate.
                let inverse = if block.is_some() {
                    let mut scratch = Step::new();
                    let range = (call.start_byte(), call.end_byte());
                    let kinds = self.create_table(&table, &args, block, range, inv_dir, &mut scratch);
                    Some(kinds.into_iter().map(|(k, (s, e))| self.op_at(s, e, inv_dir, k)).collect())
                } else {
                    None
                };
                step.push(vec![self.op(call, dir, drop)], inverse);
            }
            "rename_table" => {
                let (from, to) = (need!(t(0)), need!(t(1)));
                let fwd = OpKind::RenameTable { from: from.clone(), to: to.clone() };
                let back = OpKind::RenameTable { from: to, to: from };
                step.push(vec![self.op(call, dir, fwd)], Some(vec![self.op(call, inv_dir, back)]));
            }
            "add_column" => {
                let table = need!(t(0));
                let name = need!(args.name(1));
                let ty = need!(args.name(2));
                let column = self.column(name, ty, &args);
                let if_not_exists = args.opt("if_not_exists").is_some_and(Val::truthy);
                let add = OpKind::AddColumn { table: table.clone(), column, if_not_exists };
                let drop = OpKind::DropColumn { table, column: name.to_owned(), if_exists: false };
                step.push(vec![self.op(call, dir, add)], Some(vec![self.op(call, inv_dir, drop)]));
            }
            "remove_column" => {
                let table = need!(t(0));
                let name = need!(args.name(1));
                let if_exists = args.opt("if_exists").is_some_and(Val::truthy);
                let drop = OpKind::DropColumn { table: table.clone(), column: name.to_owned(), if_exists };
                let inverse = args.name(2).map(|ty| {
                    let column = self.column(name, ty, &args);
                    vec![self.op(
                        call,
                        inv_dir,
                        OpKind::AddColumn { table: table.clone(), column, if_not_exists: false },
                    )]
                });
                step.push(vec![self.op(call, dir, drop)], inverse);
            }
            "remove_columns" => {
                let table = need!(t(0));
                // Every column must be read: one left out would be a drop nobody is told of.
                let names: Vec<String> = need!(
                    args.positional
                        .get(1..)
                        .filter(|cols| !cols.is_empty())
                        .and_then(|cols| cols.iter().map(|v| v.name().map(str::to_owned)).collect::<Option<Vec<_>>>())
                );
                let ty = args.opt("type").and_then(Val::name).map(str::to_owned);
                let drops = names
                    .iter()
                    .map(|n| {
                        self.op(
                            call,
                            dir,
                            OpKind::DropColumn { table: table.clone(), column: n.clone(), if_exists: false },
                        )
                    })
                    .collect();
                let inverse = ty.map(|ty| {
                    names
                        .iter()
                        .rev()
                        .map(|n| {
                            let column = self.column(n, &ty, &args);
                            self.op(
                                call,
                                inv_dir,
                                OpKind::AddColumn { table: table.clone(), column, if_not_exists: false },
                            )
                        })
                        .collect()
                });
                step.push(drops, inverse);
            }
            "rename_column" => {
                let table = need!(t(0));
                let (from, to) = (need!(args.name(1)).to_owned(), need!(args.name(2)).to_owned());
                let fwd = OpKind::RenameColumn { table: table.clone(), from: from.clone(), to: to.clone() };
                let back = OpKind::RenameColumn { table, from: to, to: from };
                step.push(vec![self.op(call, dir, fwd)], Some(vec![self.op(call, inv_dir, back)]));
            }
            "change_column" => {
                let table = need!(t(0));
                let name = need!(args.name(1));
                let ty = need!(args.name(2));
                let col = self.column(name, ty, &args);
                let mut kinds = vec![OpKind::ChangeColumnType {
                    table: table.clone(),
                    column: name.to_owned(),
                    new_type: col.data_type.clone(),
                    using: None,
                }];
                if let Some(null) = args.opt("null") {
                    kinds.push(if null.truthy() {
                        OpKind::DropNotNull { table: table.clone(), column: name.to_owned() }
                    } else {
                        OpKind::SetNotNull { table: table.clone(), column: name.to_owned() }
                    });
                }
                if let Some(d) = args.opt("default") {
                    kinds.push(match d.sql_default() {
                        Some(default) => OpKind::SetDefault { table: table.clone(), column: name.to_owned(), default },
                        None => OpKind::DropDefault { table: table.clone(), column: name.to_owned() },
                    });
                }
                let ops = self.ops(call, dir, kinds);
                step.push(ops, None);
            }
            "change_column_null" => {
                let table = need!(t(0));
                let name = need!(args.name(1)).to_owned();
                let allow = need!(args.positional.get(2)).truthy();
                let mut kinds = Vec::new();
                if let Some(default) = args.positional.get(3).and_then(Val::sql_default) {
                    // Rails backfills NULLs with the default before adding the constraint.
                    let _ = default;
                    kinds.push(OpKind::Data { verb: "UPDATE".into(), table: Some(table.clone()) });
                }
                let set = |allow: bool| {
                    if allow {
                        OpKind::DropNotNull { table: table.clone(), column: name.clone() }
                    } else {
                        OpKind::SetNotNull { table: table.clone(), column: name.clone() }
                    }
                };
                kinds.push(set(allow));
                let inverse = vec![self.op(call, inv_dir, set(!allow))];
                let ops = self.ops(call, dir, kinds);
                step.push(ops, Some(inverse));
            }
            "change_column_default" => {
                let table = need!(t(0));
                let name = need!(args.name(1)).to_owned();
                let default_op = |v: Option<&Val>| match v.and_then(Val::sql_default) {
                    Some(default) => OpKind::SetDefault { table: table.clone(), column: name.clone(), default },
                    None => OpKind::DropDefault { table: table.clone(), column: name.clone() },
                };
                let (fwd, inverse) = match (args.opt("from"), args.opt("to")) {
                    (Some(from), Some(to)) => {
                        (default_op(Some(to)), Some(vec![self.op(call, inv_dir, default_op(Some(from)))]))
                    }
                    _ => (default_op(args.positional.get(2)), None),
                };
                step.push(vec![self.op(call, dir, fwd)], inverse);
            }
            "add_index" => {
                let table = need!(t(0));
                let cols = need!(args.positional.get(1).cloned());
                let index = need!(self.index(&table, &cols, &args));
                let name = index.name.clone();
                let if_not_exists = args.opt("if_not_exists").is_some_and(Val::truthy);
                let add = OpKind::AddIndex { table: table.clone(), index, concurrently, if_not_exists };
                let drop = OpKind::DropIndex { name: self.index_qname(&table, &name), concurrently, if_exists: false };
                step.push(vec![self.op(call, dir, add)], Some(vec![self.op(call, inv_dir, drop)]));
            }
            "remove_index" => {
                let table = need!(t(0));
                let cols = args.positional.get(1).cloned().or_else(|| args.opt("column").cloned());
                let index = cols.as_ref().and_then(|c| self.index(&table, c, &args));
                let name = match (args.opt("name").and_then(Val::name), &index) {
                    (Some(n), _) => n.to_owned(),
                    (None, Some(i)) => i.name.clone(),
                    (None, None) => need!(None::<String>),
                };
                let if_exists = args.opt("if_exists").is_some_and(Val::truthy);
                let drop = OpKind::DropIndex { name: self.index_qname(&table, &name), concurrently, if_exists };
                let inverse = index.map(|mut index| {
                    index.name = name.clone();
                    vec![self.op(
                        call,
                        inv_dir,
                        OpKind::AddIndex { table: table.clone(), index, concurrently, if_not_exists: false },
                    )]
                });
                step.push(vec![self.op(call, dir, drop)], inverse);
            }
            "add_reference" | "add_belongs_to" => {
                let table = need!(t(0));
                let name = need!(args.name(1));
                let (kinds, inverse) = self.reference(&table, name, &args, true);
                let ops = self.ops(call, dir, kinds);
                let inv = self.ops(call, inv_dir, inverse);
                step.push(ops, Some(inv));
            }
            "remove_reference" | "remove_belongs_to" => {
                let table = need!(t(0));
                let name = need!(args.name(1));
                let (add, remove) = self.reference(&table, name, &args, true);
                let ops = self.ops(call, dir, remove);
                let inv = self.ops(call, inv_dir, add);
                step.push(ops, Some(inv));
            }
            "add_foreign_key" => {
                let table = need!(t(0));
                let to = need!(args.name(1));
                let key = self.foreign_key(&table, to, &args);
                let not_valid = args.opt("validate").is_some_and(|v| !v.truthy());
                let drop = OpKind::DropConstraint {
                    table: table.clone(),
                    name: key.name.clone().unwrap_or_default(),
                    if_exists: false,
                };
                let add = OpKind::AddForeignKey { table, key, not_valid };
                step.push(vec![self.op(call, dir, add)], Some(vec![self.op(call, inv_dir, drop)]));
            }
            "remove_foreign_key" => {
                let table = need!(t(0));
                let to = args
                    .name(1)
                    .map(str::to_owned)
                    .or_else(|| args.opt("to_table").and_then(Val::name).map(str::to_owned));
                let key = match (&to, args.opt("column").and_then(Val::name), args.opt("name").and_then(Val::name)) {
                    (Some(to), _, _) => self.foreign_key(&table, to, &args),
                    (None, Some(col), _) => {
                        let guess = pluralize(col.trim_end_matches("_id"));
                        self.foreign_key(&table, &guess, &args)
                    }
                    (None, None, Some(n)) => ForeignKey {
                        name: Some(n.to_owned()),
                        columns: Vec::new(),
                        references: QualifiedName::unqualified(""),
                        referenced_columns: Vec::new(),
                        on_delete: FkAction::NoAction,
                        on_update: FkAction::NoAction,
                        deferrable: false,
                        validated: true,
                    },
                    _ => need!(None::<ForeignKey>),
                };
                let if_exists = args.opt("if_exists").is_some_and(Val::truthy);
                let drop = OpKind::DropConstraint {
                    table: table.clone(),
                    name: key.name.clone().unwrap_or_default(),
                    if_exists,
                };
                let inverse =
                    to.map(|_| vec![self.op(call, inv_dir, OpKind::AddForeignKey { table, key, not_valid: false })]);
                step.push(vec![self.op(call, dir, drop)], inverse);
            }
            "validate_foreign_key" => {
                let table = need!(t(0));
                let name = match (args.opt("name").and_then(Val::name), args.name(1)) {
                    (Some(n), _) => n.to_owned(),
                    (None, Some(to)) => self.foreign_key(&table, to, &args).name.unwrap_or_default(),
                    (None, None) => {
                        need!(args.opt("column").and_then(Val::name).map(|c| foreign_key_name(&table.name, c)))
                    }
                };
                step.push(vec![self.op(call, dir, OpKind::ValidateConstraint { table, name })], Some(Vec::new()));
            }
            "add_check_constraint" => {
                let table = need!(t(0));
                let expr = need!(args.name(1));
                let name = args
                    .opt("name")
                    .and_then(Val::name)
                    .map(str::to_owned)
                    .unwrap_or_else(|| check_name(&table.name, expr));
                let not_valid = args.opt("validate").is_some_and(|v| !v.truthy());
                let constraint = CheckConstraint {
                    name: Some(name.clone()),
                    expression: postgres::normalize_expr(expr),
                    validated: !not_valid,
                };
                let add = OpKind::AddCheck { table: table.clone(), constraint, not_valid };
                let drop = OpKind::DropConstraint { table, name, if_exists: false };
                step.push(vec![self.op(call, dir, add)], Some(vec![self.op(call, inv_dir, drop)]));
            }
            "remove_check_constraint" => {
                let table = need!(t(0));
                let expr = args.name(1);
                let name = match (args.opt("name").and_then(Val::name), expr) {
                    (Some(n), _) => n.to_owned(),
                    (None, Some(e)) => check_name(&table.name, e),
                    (None, None) => need!(None::<String>),
                };
                let if_exists = args.opt("if_exists").is_some_and(Val::truthy);
                let drop = OpKind::DropConstraint { table: table.clone(), name: name.clone(), if_exists };
                let inverse = expr.map(|e| {
                    let constraint =
                        CheckConstraint { name: Some(name), expression: postgres::normalize_expr(e), validated: true };
                    vec![self.op(call, inv_dir, OpKind::AddCheck { table, constraint, not_valid: false })]
                });
                step.push(vec![self.op(call, dir, drop)], inverse);
            }
            "validate_check_constraint" => {
                let table = need!(t(0));
                let name = need!(
                    args.opt("name")
                        .and_then(Val::name)
                        .map(str::to_owned)
                        .or_else(|| args.name(1).map(|e| check_name(&table.name, e)))
                );
                step.push(vec![self.op(call, dir, OpKind::ValidateConstraint { table, name })], Some(Vec::new()));
            }
            "add_timestamps" => {
                let table = need!(t(0));
                let cols = self.timestamps(&args);
                let adds = cols
                    .iter()
                    .map(|c| OpKind::AddColumn { table: table.clone(), column: c.clone(), if_not_exists: false })
                    .collect();
                let drops = cols
                    .iter()
                    .rev()
                    .map(|c| OpKind::DropColumn { table: table.clone(), column: c.name.clone(), if_exists: false })
                    .collect();
                let (ops, inv) = (self.ops(call, dir, adds), self.ops(call, inv_dir, drops));
                step.push(ops, Some(inv));
            }
            "remove_timestamps" => {
                let table = need!(t(0));
                let cols = self.timestamps(&args);
                let drops = cols
                    .iter()
                    .map(|c| OpKind::DropColumn { table: table.clone(), column: c.name.clone(), if_exists: false })
                    .collect();
                let adds = cols
                    .iter()
                    .rev()
                    .map(|c| OpKind::AddColumn { table: table.clone(), column: c.clone(), if_not_exists: false })
                    .collect();
                let (ops, inv) = (self.ops(call, dir, drops), self.ops(call, inv_dir, adds));
                step.push(ops, Some(inv));
            }
            "change_table" => {
                let table = need!(t(0));
                let mut tb = TableBlock { inverse: Some(Vec::new()), ..TableBlock::default() };
                self.table_block(&table, block, &mut tb, true, dir, &mut step);
                let ops =
                    tb.after.into_iter().zip(tb.after_spans).map(|(k, (s, e))| self.op_at(s, e, dir, k)).collect();
                let inverse = tb.inverse.map(|mut inv| {
                    inv.reverse();
                    inv.into_iter().flatten().map(|(k, (s, e))| self.op_at(s, e, inv_dir, k)).collect()
                });
                step.push(ops, inverse);
            }
            "create_enum" => {
                let name = need!(args.name(0));
                let values = need!(args.positional.get(1).and_then(Val::names));
                let qn = self.table(name);
                let create = OpKind::CreateEnum { name: qn.clone(), values };
                let drop = OpKind::DropType { name: qn, if_exists: false, cascade: false };
                step.push(vec![self.op(call, dir, create)], Some(vec![self.op(call, inv_dir, drop)]));
            }
            "drop_enum" => {
                let qn = self.table(need!(args.name(0)));
                let if_exists = args.opt("if_exists").is_some_and(Val::truthy);
                let inverse = args
                    .positional
                    .get(1)
                    .and_then(Val::names)
                    .map(|values| vec![self.op(call, inv_dir, OpKind::CreateEnum { name: qn.clone(), values })]);
                step.push(vec![self.op(call, dir, OpKind::DropType { name: qn, if_exists, cascade: false })], inverse);
            }
            "add_enum_value" => {
                let qn = self.table(need!(args.name(0)));
                let value = need!(args.name(1)).to_owned();
                step.push(vec![self.op(call, dir, OpKind::AddEnumValue { name: qn, value })], None);
            }
            "rename_index" => {
                let (Some(old), Some(new)) = (args.name(1), args.name(2)) else {
                    step.push(
                        vec![self.unparsed(call, dir, "`rename_index` needs a table, an old and a new name")],
                        None,
                    );
                    return step;
                };
                let fwd = OpKind::Raw { sql: format!("ALTER INDEX {old} RENAME TO {new}") };
                let back = OpKind::Raw { sql: format!("ALTER INDEX {new} RENAME TO {old}") };
                step.push(vec![self.op(call, dir, fwd)], Some(vec![self.op(call, inv_dir, back)]));
            }
            "change_table_comment" | "change_column_comment" => {
                let target = match (method, args.name(0), args.name(1)) {
                    ("change_table_comment", Some(t), _) => format!("TABLE {t}"),
                    (_, Some(t), Some(c)) => format!("COLUMN {t}.{c}"),
                    _ => {
                        step.push(vec![self.unparsed(call, dir, "comment target not understood")], None);
                        return step;
                    }
                };
                let comment = |v: Option<&Val>| match v.and_then(Val::name) {
                    Some(c) => format!("COMMENT ON {target} IS '{}'", c.replace('\'', "''")),
                    None => format!("COMMENT ON {target} IS NULL"),
                };
                let (fwd, inverse) = match (args.opt("from"), args.opt("to")) {
                    (Some(from), Some(to)) => (
                        comment(Some(to)),
                        Some(vec![self.op(call, inv_dir, OpKind::Raw { sql: comment(Some(from)) })]),
                    ),
                    _ => (comment(args.positional.get(if method == "change_table_comment" { 1 } else { 2 })), None),
                };
                step.push(vec![self.op(call, dir, OpKind::Raw { sql: fwd })], inverse);
            }
            "enable_extension" | "disable_extension" => {
                let sql = format!(
                    "{} EXTENSION {}",
                    if method == "enable_extension" { "CREATE" } else { "DROP" },
                    args.name(0).unwrap_or("?")
                );
                step.push(vec![self.op(call, dir, OpKind::Raw { sql })], Some(Vec::new()));
            }
            _ => {
                let op = self.unparsed(call, dir, &format!("unknown migration method `{method}`"));
                step.push(vec![op], None);
            }
        }
        step
    }

    fn block_body(&mut self, block: Option<Node<'t>>, dir: Direction) -> Step {
        self.body(block.and_then(|b| b.field("body")), dir)
    }

    fn index_qname(&self, table: &QualifiedName, name: &str) -> QualifiedName {
        QualifiedName { schema: table.schema.clone(), name: name.to_owned() }
    }

    fn type_options(args: &Args) -> TypeOptions {
        TypeOptions {
            limit: args.opt("limit").and_then(Val::int),
            precision: args.opt("precision").and_then(Val::int),
            scale: args.opt("scale").and_then(Val::int),
            array: args.opt("array").is_some_and(Val::truthy),
        }
    }

    fn column(&self, name: &str, ty: &str, args: &Args) -> Column {
        self.column_as(name, ty, args, self.compat.datetime_precision(false))
    }

    /// A column whose datetime precision, when `args` give none, is `precision`.
    fn column_as(&self, name: &str, ty: &str, args: &Args, precision: Option<u32>) -> Column {
        let opts = Self::type_options(args);
        let data_type = match ty {
            "primary_key" if self.compat.integer_keys() => rails_type("integer", &opts, self.dialect),
            "datetime" | "timestamp" | "timestamptz" if opts.precision.is_none() => {
                rails_datetime(ty, precision, self.dialect)
            }
            _ => rails_type(ty, &opts, self.dialect),
        };
        let mut c = Column::new(name, &data_type);
        if let Some(null) = args.opt("null") {
            c.nullable = null.truthy();
        }
        if let Some(d) = args.opt("default") {
            c.default = d.sql_default();
        }
        if ty == "primary_key" {
            c.nullable = false;
            c.identity =
                Some(if self.dialect == Dialect::Mysql { Identity::AutoIncrement } else { Identity::ByDefault });
        }
        if let Some(Val::Str(comment)) = args.opt("comment") {
            c.comment = Some(comment.clone());
        }
        c
    }

    fn timestamps(&self, args: &Args) -> Vec<Column> {
        ["created_at", "updated_at"]
            .into_iter()
            .map(|n| {
                let mut c = self.column_as(n, "datetime", args, self.compat.datetime_precision(true));
                if args.opt("null").is_none() {
                    c.nullable = self.compat.v4();
                }
                c
            })
            .collect()
    }

    /// `add_index :t, cols, …` → the index Rails creates, named as Rails names it.
    fn index(&self, table: &QualifiedName, cols: &Val, args: &Args) -> Option<Index> {
        let names = cols.names()?;
        let expression = names.len() == 1 && names[0].contains(['(', ' ', ',']);
        let orders: Vec<(String, Val)> = match args.opt("order") {
            Some(Val::Hash(h)) => h.clone(),
            _ => Vec::new(),
        };
        let keys = if expression {
            vec![IndexKey {
                part: IndexPart::Expression(postgres::normalize_expr(&names[0])),
                order: None,
                opclass: None,
            }]
        } else {
            names
                .iter()
                .map(|n| {
                    let mut k = IndexKey::column(n);
                    k.order = orders
                        .iter()
                        .find(|(c, _)| c == n)
                        .and_then(|(_, v)| v.name())
                        .filter(|o| !o.eq_ignore_ascii_case("asc"))
                        .map(|o| o.to_uppercase());
                    k
                })
                .collect()
        };
        let name = match args.opt("name").and_then(Val::name) {
            Some(n) => n.to_owned(),
            None if expression => {
                let cleaned: String = names[0].chars().map(|c| if c.is_alphanumeric() { c } else { '_' }).collect();
                format!("index_{}_on_{}", table.name, cleaned.trim_matches('_'))
            }
            None => format!("index_{}_on_{}", table.name, names.join("_and_")),
        };
        Some(Index {
            name,
            unique: args.opt("unique").is_some_and(Val::truthy),
            method: args.opt("using").and_then(Val::name).map_or_else(|| "btree".to_owned(), str::to_lowercase),
            keys,
            include: args.opt("include").and_then(Val::names).unwrap_or_default(),
            predicate: args.opt("where").and_then(Val::name).map(postgres::normalize_expr),
        })
    }

    fn foreign_key(&self, table: &QualifiedName, to: &str, args: &Args) -> ForeignKey {
        let to_q = self.table(to);
        let column = args
            .opt("column")
            .and_then(Val::name)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{}_id", singularize(&to_q.name)));
        let name = args
            .opt("name")
            .and_then(Val::name)
            .map(str::to_owned)
            .unwrap_or_else(|| foreign_key_name(&table.name, &column));
        ForeignKey {
            name: Some(name),
            columns: vec![column],
            references: to_q,
            referenced_columns: vec![args.opt("primary_key").and_then(Val::name).unwrap_or("id").to_owned()],
            on_delete: fk_action(args.opt("on_delete")),
            on_update: fk_action(args.opt("on_update")),
            deferrable: args.opt("deferrable").is_some_and(Val::truthy),
            validated: args.opt("validate").is_none_or(Val::truthy),
        }
    }

    /// `add_reference :t, :user, …`: the operations it runs and those of its inverse.
    fn reference(
        &self,
        table: &QualifiedName,
        name: &str,
        args: &Args,
        default_index: bool,
    ) -> (Vec<OpKind>, Vec<OpKind>) {
        let polymorphic = args.opt("polymorphic").is_some_and(Val::truthy);
        let key_type = if self.compat.integer_keys() { "integer" } else { "bigint" };
        let ty = args.opt("type").and_then(Val::name).unwrap_or(key_type);
        let col_name = format!("{name}_id");
        let mut column = self.column(&col_name, ty, args);
        column.default = None;
        let mut add = Vec::new();
        let mut remove = Vec::new();
        let mut cols = vec![column];
        if polymorphic {
            let mut type_col = self.column(&format!("{name}_type"), "string", args);
            type_col.default = None;
            cols.insert(0, type_col);
        }
        for c in &cols {
            add.push(OpKind::AddColumn { table: table.clone(), column: c.clone(), if_not_exists: false });
        }
        let index_opt = args.opt("index");
        if index_opt.map_or(default_index && !self.compat.v4(), Val::truthy) {
            let idx_cols: Vec<Val> = cols.iter().map(|c| Val::Sym(c.name.clone())).collect();
            let mut idx_args = Args::default();
            if let Some(Val::Hash(h)) = index_opt {
                idx_args.options = h.clone();
            }
            if let Some(index) = self.index(table, &Val::Array(idx_cols), &idx_args) {
                let concurrently = idx_args.opt("algorithm").and_then(Val::name) == Some("concurrently");
                add.push(OpKind::AddIndex { table: table.clone(), index, concurrently, if_not_exists: false });
            }
        }
        let fk = match args.opt("foreign_key") {
            Some(Val::Hash(h)) => {
                let mut fk_args = Args { options: h.clone(), ..Args::default() };
                fk_args.options.push(("column".into(), Val::Str(col_name.clone())));
                let to = h.iter().find(|(k, _)| k == "to_table").and_then(|(_, v)| v.name()).map(str::to_owned);
                Some(self.foreign_key(table, &to.unwrap_or_else(|| pluralize(name)), &fk_args))
            }
            Some(v) if v.truthy() => {
                let fk_args = Args { options: vec![("column".into(), Val::Str(col_name.clone()))], ..Args::default() };
                Some(self.foreign_key(table, &pluralize(name), &fk_args))
            }
            _ => None,
        };
        if let Some(key) = fk {
            remove.push(OpKind::DropConstraint {
                table: table.clone(),
                name: key.name.clone().unwrap_or_default(),
                if_exists: false,
            });
            add.push(OpKind::AddForeignKey { table: table.clone(), key, not_valid: false });
        }
        for c in cols.iter().rev() {
            remove.push(OpKind::DropColumn { table: table.clone(), column: c.name.clone(), if_exists: false });
        }
        (add, remove)
    }

    /// `create_table :t, …  do |t| … end`: the `CreateTable` and what follows it.
    fn create_table(
        &mut self,
        table: &QualifiedName,
        args: &Args,
        block: Option<Node<'t>>,
        call_range: (usize, usize),
        dir: Direction,
        step: &mut Step,
    ) -> Vec<Located> {
        let mut tb = TableBlock::default();
        let legacy = self.compat.integer_keys();
        let id = args.opt("id").cloned().unwrap_or(if legacy { Val::Sym("integer".into()) } else { Val::Bool(true) });
        // Rails 5.0 gave an explicit `id: :integer` / `id: :bigint` no default (no sequence),
        // except a MySQL `bigint`.
        let explicit_integer = legacy
            && args
                .opt("id")
                .and_then(Val::name)
                .is_some_and(|t| t == "integer" || (t == "bigint" && self.dialect != Dialect::Mysql))
            && args.opt("default").is_none();
        let pk_names = args.opt("primary_key").and_then(Val::names);
        let mut primary_key = None;
        if id.truthy() {
            let pk_name = pk_names.as_ref().and_then(|n| n.first().cloned()).unwrap_or_else(|| "id".to_owned());
            let ty = match &id {
                Val::Sym(t) | Val::Str(t) => t.clone(),
                _ => "primary_key".to_owned(),
            };
            let mut c = self.column(&pk_name, if ty == "primary_key" { "bigint" } else { &ty }, &Args::default());
            c.nullable = false;
            match ty.as_str() {
                "uuid" if self.dialect == Dialect::Postgres => {
                    let function = if legacy { "uuid_generate_v4()" } else { "gen_random_uuid()" };
                    c.default = Some(function.into());
                }
                "primary_key" | "bigint" | "integer" if !explicit_integer => {
                    if self.dialect == Dialect::Mysql {
                        c.identity = Some(Identity::AutoIncrement);
                    } else {
                        c.default = Some(super::serial_default(table, &pk_name));
                    }
                }
                _ => {}
            }
            tb.columns.push(c);
            primary_key = Some(PrimaryKey { name: None, columns: vec![pk_name] });
        } else if let Some(names) = pk_names {
            primary_key = Some(PrimaryKey { name: None, columns: names });
        }
        self.table_block(table, block, &mut tb, false, dir, step);
        if let Some(pk) = &primary_key {
            for c in &mut tb.columns {
                if pk.columns.contains(&c.name) {
                    c.nullable = false;
                }
            }
        }
        let create = OpKind::CreateTable {
            table: table.clone(),
            columns: tb.columns,
            primary_key,
            foreign_keys: tb.foreign_keys,
            if_not_exists: args.opt("if_not_exists").is_some_and(Val::truthy),
        };
        let mut kinds = vec![(create, call_range)];
        kinds.extend(tb.after.into_iter().zip(tb.after_spans));
        kinds
    }

    /// The `|t|` block of `create_table` (`change == false`) or `change_table` (`change == true`).
    fn table_block(
        &mut self,
        table: &QualifiedName,
        block: Option<Node<'t>>,
        tb: &mut TableBlock,
        change: bool,
        dir: Direction,
        step: &mut Step,
    ) {
        let Some(body) = block.and_then(|b| b.field("body")) else { return };
        let src = self.src;
        let mut cursor = body.walk();
        let calls: Vec<Node<'t>> = body.named_children(&mut cursor).collect();
        for call in calls {
            if call.kind_name() == "comment" {
                continue;
            }
            if call.has_error() {
                step.push(vec![self.unparsed(call, dir, "does not parse as Ruby")], None);
                continue;
            }
            let method = if call.kind_name() == "call" && call.field("receiver").is_some() {
                call.field("method").map(|m| text(m, src))
            } else {
                None
            };
            let Some(method) = method else {
                step.push(vec![self.unparsed(call, dir, "expected `t.<type> :column` in a table block")], None);
                continue;
            };
            let args = Args::of(call, src);
            let names: Vec<String> = args.positional.iter().filter_map(|v| v.name().map(str::to_owned)).collect();
            let mut inverse: Option<Vec<OpKind>> = Some(Vec::new());
            let before_cols = tb.columns.len();
            let before_after = tb.after.len();
            match method {
                "column" if names.len() >= 2 => tb.columns.push(self.column(&names[0], &names[1], &args)),
                "timestamps" => tb.columns.extend(self.timestamps(&args)),
                "references" | "belongs_to" => {
                    for n in &names {
                        let (kinds, _) = self.reference(table, n, &args, true);
                        for k in kinds {
                            match k {
                                OpKind::AddColumn { column, .. } => tb.columns.push(column),
                                OpKind::AddForeignKey { key, .. } if !change => tb.foreign_keys.push(key),
                                other => tb.after.push(other),
                            }
                        }
                    }
                }
                "index" => match args.positional.first().and_then(|c| self.index(table, c, &args)) {
                    Some(index) => {
                        let concurrently = args.opt("algorithm").and_then(Val::name) == Some("concurrently");
                        tb.after.push(OpKind::AddIndex {
                            table: table.clone(),
                            index,
                            concurrently,
                            if_not_exists: false,
                        })
                    }
                    None => step.push(vec![self.unparsed(call, dir, "index columns not understood")], None),
                },
                "check_constraint" => {
                    if let Some(expr) = names.first() {
                        let name = args
                            .opt("name")
                            .and_then(Val::name)
                            .map(str::to_owned)
                            .unwrap_or_else(|| check_name(&table.name, expr));
                        let not_valid = args.opt("validate").is_some_and(|v| !v.truthy());
                        let constraint = CheckConstraint {
                            name: Some(name),
                            expression: postgres::normalize_expr(expr),
                            validated: !not_valid,
                        };
                        tb.after.push(OpKind::AddCheck { table: table.clone(), constraint, not_valid });
                    }
                }
                "foreign_key" => {
                    if let Some(to) = names.first() {
                        let key = self.foreign_key(table, to, &args);
                        if change {
                            tb.after.push(OpKind::AddForeignKey { table: table.clone(), key, not_valid: false });
                        } else {
                            tb.foreign_keys.push(key);
                        }
                    }
                }
                "remove" if change && (names.is_empty() || names.len() < args.positional.len()) => {
                    step.push(vec![self.unparsed(call, dir, "`t.remove` with a column that is not a name")], None);
                    continue;
                }
                "remove" if change => {
                    let ty = args.opt("type").and_then(Val::name).map(str::to_owned);
                    for n in &names {
                        tb.after.push(OpKind::DropColumn { table: table.clone(), column: n.clone(), if_exists: false });
                    }
                    inverse = ty.map(|ty| {
                        names
                            .iter()
                            .map(|n| OpKind::AddColumn {
                                table: table.clone(),
                                column: self.column(n, &ty, &args),
                                if_not_exists: false,
                            })
                            .collect()
                    });
                }
                "rename" if change && names.len() == 2 => {
                    tb.after.push(OpKind::RenameColumn {
                        table: table.clone(),
                        from: names[0].clone(),
                        to: names[1].clone(),
                    });
                    inverse = Some(vec![OpKind::RenameColumn {
                        table: table.clone(),
                        from: names[1].clone(),
                        to: names[0].clone(),
                    }]);
                }
                "change" if change && names.len() >= 2 => {
                    let col = self.column(&names[0], &names[1], &args);
                    tb.after.push(OpKind::ChangeColumnType {
                        table: table.clone(),
                        column: names[0].clone(),
                        new_type: col.data_type,
                        using: None,
                    });
                    inverse = None;
                }
                "change_null" if change && !names.is_empty() => {
                    let allow = args.positional.get(1).is_some_and(Val::truthy);
                    let mk = |allow: bool| {
                        if allow {
                            OpKind::DropNotNull { table: table.clone(), column: names[0].clone() }
                        } else {
                            OpKind::SetNotNull { table: table.clone(), column: names[0].clone() }
                        }
                    };
                    tb.after.push(mk(allow));
                    inverse = Some(vec![mk(!allow)]);
                }
                "change_default" if change && !names.is_empty() => {
                    let mk = |v: Option<&Val>| match v.and_then(Val::sql_default) {
                        Some(default) => OpKind::SetDefault { table: table.clone(), column: names[0].clone(), default },
                        None => OpKind::DropDefault { table: table.clone(), column: names[0].clone() },
                    };
                    match (args.opt("from"), args.opt("to")) {
                        (Some(from), Some(to)) => {
                            tb.after.push(mk(Some(to)));
                            inverse = Some(vec![mk(Some(from))]);
                        }
                        _ => {
                            tb.after.push(mk(args.positional.get(1)));
                            inverse = None;
                        }
                    }
                }
                "remove_index" if change => {
                    let cols = args.positional.first().cloned().or_else(|| args.opt("column").cloned());
                    let index = cols.as_ref().and_then(|c| self.index(table, c, &args));
                    let name = args
                        .opt("name")
                        .and_then(Val::name)
                        .map(str::to_owned)
                        .or_else(|| index.as_ref().map(|i| i.name.clone()));
                    match name {
                        Some(name) => {
                            tb.after.push(OpKind::DropIndex {
                                name: self.index_qname(table, &name),
                                concurrently: false,
                                if_exists: false,
                            });
                            inverse = index.map(|index| {
                                vec![OpKind::AddIndex {
                                    table: table.clone(),
                                    index,
                                    concurrently: false,
                                    if_not_exists: false,
                                }]
                            });
                        }
                        None => step.push(vec![self.unparsed(call, dir, "index to remove not understood")], None),
                    }
                }
                "remove_references" | "remove_belongs_to" if change => {
                    for n in &names {
                        let (add, remove) = self.reference(table, n, &args, true);
                        tb.after.extend(remove);
                        inverse = Some(add);
                    }
                }
                "remove_timestamps" if change => {
                    for c in self.timestamps(&args) {
                        tb.after.push(OpKind::DropColumn { table: table.clone(), column: c.name, if_exists: false });
                    }
                    inverse = Some(
                        self.timestamps(&args)
                            .into_iter()
                            .map(|column| OpKind::AddColumn { table: table.clone(), column, if_not_exists: false })
                            .collect(),
                    );
                }
                ty if !names.is_empty() && is_column_type(ty) => {
                    for n in &names {
                        tb.columns.push(self.column(n, ty, &args));
                        // `t.string :name, index: true` / `index: { unique: true }` adds an index.
                        let index_opt = args.opt("index");
                        if index_opt.is_some_and(Val::truthy) {
                            let mut idx_args = Args::default();
                            if let Some(Val::Hash(h)) = index_opt {
                                idx_args.options = h.clone();
                            }
                            if let Some(index) = self.index(table, &Val::Sym(n.clone()), &idx_args) {
                                let concurrently =
                                    idx_args.opt("algorithm").and_then(Val::name) == Some("concurrently");
                                tb.after.push(OpKind::AddIndex {
                                    table: table.clone(),
                                    index,
                                    concurrently,
                                    if_not_exists: false,
                                });
                            }
                        }
                    }
                }
                _ => {
                    step.push(
                        vec![self.unparsed(call, dir, &format!("unknown table definition method `t.{method}`"))],
                        None,
                    );
                    continue;
                }
            }
            let range = (call.start_byte(), call.end_byte());
            if change {
                // In change_table, added columns are `AddColumn`s in call order; they invert to drops.
                let added: Vec<Column> = tb.columns.drain(before_cols..).collect();
                let mut inv: Vec<OpKind> = tb.after[before_after..]
                    .iter()
                    .filter_map(|k| match k {
                        OpKind::AddIndex { index, .. } => Some(OpKind::DropIndex {
                            name: self.index_qname(table, &index.name),
                            concurrently: false,
                            if_exists: false,
                        }),
                        _ => None,
                    })
                    .collect();
                inv.extend(added.iter().rev().map(|c| OpKind::DropColumn {
                    table: table.clone(),
                    column: c.name.clone(),
                    if_exists: false,
                }));
                let adds: Vec<OpKind> = added
                    .into_iter()
                    .map(|column| OpKind::AddColumn { table: table.clone(), column, if_not_exists: false })
                    .collect();
                tb.after.splice(before_after..before_after, adds);
                let inv = if inv.is_empty() { inverse } else { Some(inv) };
                match (&mut tb.inverse, inv) {
                    (Some(all), Some(i)) => all.push(i.into_iter().map(|k| (k, range)).collect()),
                    _ => tb.inverse = None,
                }
            }
            while tb.after_spans.len() < tb.after.len() {
                tb.after_spans.push(range);
            }
        }
    }
}

fn is_column_type(ty: &str) -> bool {
    matches!(
        ty,
        "string"
            | "text"
            | "integer"
            | "bigint"
            | "float"
            | "decimal"
            | "numeric"
            | "datetime"
            | "timestamp"
            | "timestamptz"
            | "time"
            | "date"
            | "binary"
            | "boolean"
            | "json"
            | "jsonb"
            | "uuid"
            | "inet"
            | "cidr"
            | "macaddr"
            | "hstore"
            | "citext"
            | "xml"
            | "money"
            | "interval"
            | "daterange"
            | "tsrange"
            | "tstzrange"
            | "int4range"
            | "int8range"
            | "numrange"
            | "point"
            | "line"
            | "bit"
            | "bit_varying"
            | "ltree"
            | "virtual"
            | "enum"
            | "primary_key"
            | "blob"
            | "tsvector"
    )
}

fn fk_action(v: Option<&Val>) -> FkAction {
    match v.and_then(Val::name) {
        Some("cascade") => FkAction::Cascade,
        Some("nullify") => FkAction::SetNull,
        Some("restrict") => FkAction::Restrict,
        _ => FkAction::NoAction,
    }
}

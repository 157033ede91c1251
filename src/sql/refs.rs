//! Which relations and columns a PostgreSQL statement references, with byte offsets into the input.
//!
//! The statement is parsed by libpg_query (PostgreSQL's own grammar, see [`crate::sql::ast`])
//! and the tree is walked with real scoping: aliases, JOINs, subqueries in FROM and in
//! expressions (correlated references reach the enclosing scopes), CTEs (a CTE name is not a
//! table; its columns resolve to the columns it selects), `INSERT INTO t (cols)`,
//! `UPDATE t SET col`, `ON CONFLICT (cols)`, `RETURNING`. pg_query's own `tables()` summary is
//! not used: it misses column context entirely.
//!
//! Resolution rules, which callers rely on:
//! * a reference to a relation (`FROM users u`) is a [`SqlRef`] with `column: None`;
//! * a column that resolves to exactly one base table has `relation: Some(table)` and empty
//!   `candidates`;
//! * an unqualified column with several tables in scope has `relation: None` and `candidates`
//!   listing every table it may belong to, innermost scope first. SQL picks the first table, in that
//!   order, that has the column: [`SqlRef::resolve`] does exactly that given the schema;
//! * `SELECT *` / `t.*` gives one reference per base table with `column: Some("*")`;
//! * names are folded as PostgreSQL folds them (unquoted → lower case); a relation written without
//!   a schema has `schema: None` (the caller applies its search path);
//! * columns computed inside a subquery or CTE (`count(*) AS n`) are not references to any table:
//!   a use of `n` outside yields nothing, while the inner expression's own references are reported.

use std::fmt;

use crate::sql::ast::{self, Node, NodeEnum};

use crate::name::QualifiedName;

/// One reference to a relation or one of its columns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct SqlRef {
    /// The table (or view) referenced, when known unambiguously.
    pub relation: Option<QualifiedName>,
    /// When `relation` is `None`: the tables an unqualified column may belong to, innermost scope
    /// first. Empty otherwise.
    pub candidates: Vec<QualifiedName>,
    /// `None` for a reference to the relation itself; `Some("*")` for `*` / `t.*`.
    pub column: Option<String>,
    /// Byte offset of the reference in the input (the start of `u.email`, `"Users"`, …).
    pub offset: usize,
    /// Byte length of the reference as written.
    pub len: usize,
}

impl SqlRef {
    /// The table this column belongs to, given a way to ask the schema whether a table has a
    /// column: the relation when known, else the first candidate that has it.
    pub fn resolve(&self, has_column: impl Fn(&QualifiedName, &str) -> bool) -> Option<&QualifiedName> {
        if let Some(r) = &self.relation {
            return Some(r);
        }
        let column = self.column.as_deref()?;
        self.candidates.iter().find(|t| has_column(t, column))
    }
}

/// A statement libpg_query rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub message: String,
    /// Byte offset of the offending token in the input, when it can be found.
    pub offset: Option<usize>,
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SqlError {}

impl SqlError {
    /// [`SqlError::new`] for an error of the `pg_query` crate.
    pub fn from_pg(sql: &str, err: pg_query::Error) -> Self {
        let message = match err {
            // The C library takes a NUL-terminated string: say where the NUL is, not that the
            // crate could not convert the text.
            pg_query::Error::Conversion(nul) => {
                return SqlError {
                    message: "a NUL byte (0x00) is not allowed in SQL text".to_owned(),
                    offset: Some(nul.nul_position()),
                };
            }
            pg_query::Error::Parse(m) if m.contains("memory exhausted") || m.contains("stack depth limit") => {
                let (depth, at) = deepest_nesting(sql);
                return SqlError {
                    message: format!(
                        "nesting deeper than PostgreSQL's parser can hold: parentheses {depth} deep here \
                         (it gives up on about {NESTING_LIMIT}; the server refuses such a statement too)"
                    ),
                    offset: Some(at),
                };
            }
            pg_query::Error::Parse(m) => m,
            other => other.to_string(),
        };
        SqlError::new(sql, message)
    }

    /// libpg_query's message plus, for syntax errors, the offset of the token named in
    /// "at or near \"x\"" (its cursor position counts characters, not bytes).
    pub fn new(sql: &str, message: String) -> Self {
        let offset = near_token_offset(sql, &message);
        SqlError { message, offset }
    }
}

/// About how deep parentheses may nest before libpg_query's parser stack ("memory exhausted")
/// gives up; the exact depth depends on what is nested.
pub const NESTING_LIMIT: usize = 1_000;

/// The deepest parenthesis nesting of `sql` outside quoted strings and names, and the offset of
/// the first `(` that reaches it: where to point when the parser gives up.
fn deepest_nesting(sql: &str) -> (usize, usize) {
    let (mut depth, mut max, mut at) = (0usize, 0usize, 0usize);
    let mut quote: Option<u8> = None;
    for (i, b) in sql.bytes().enumerate() {
        match (quote, b) {
            (Some(q), _) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'\'' | b'"') => quote = Some(b),
            (None, b'(') => {
                depth += 1;
                if depth > max {
                    (max, at) = (depth, i);
                }
            }
            (None, b')') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (max, at)
}

fn near_token_offset(sql: &str, message: &str) -> Option<usize> {
    if message.contains("at end of input") {
        return Some(sql.trim_end().len());
    }
    let start = message.find("at or near \"")? + "at or near \"".len();
    let token = message[start..].strip_suffix('"').unwrap_or(&message[start..]);
    let tokens: Vec<(usize, usize)> =
        pg_query::scan(sql).ok()?.tokens.iter().map(|t| (t.start.max(0) as usize, t.end.max(0) as usize)).collect();
    // The parser stops at the first token it cannot accept: a prefix ending before that token
    // fails only "at end of input", a prefix including it fails "at or near" it. Binary search
    // for the shortest failing prefix finds the token even when its text occurs earlier.
    let fails_before_end = |i: usize| -> bool {
        let end = tokens[i].1;
        match pg_query::parse(&sql[..end], 0) {
            Ok(_) => false,
            Err(pg_query::Error::Parse(m)) => !m.contains("at end of input"),
            Err(_) => true,
        }
    };
    let (mut lo, mut hi) = (0usize, tokens.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if fails_before_end(mid) { hi = mid } else { lo = mid + 1 }
    }
    if let Some(&(s, e)) = tokens.get(lo)
        && sql.get(s..e).is_some_and(|t| t.eq_ignore_ascii_case(token))
    {
        return Some(s);
    }
    tokens
        .iter()
        .find(|&&(s, e)| sql.get(s..e).is_some_and(|text| text == token))
        .map(|&(s, _)| s)
        .or_else(|| sql.find(token))
}

/// The relations and columns one PostgreSQL statement (or several, `;`-separated) references, in
/// the order they appear in the text.
pub fn statement_refs(sql: &str) -> Result<Vec<SqlRef>, SqlError> {
    let parsed = ast::parse(sql).map_err(|e| SqlError::new(sql, e.0))?;
    let mut w = Walker { sql, refs: Vec::new(), scopes: Vec::new(), ctes: Vec::new() };
    for raw in &parsed.stmts {
        if let Some(node) = raw.stmt.as_deref().and_then(|n| n.node.as_ref()) {
            w.statement(node);
        }
    }
    let mut refs = w.refs;
    refs.sort_by(|a, b| (a.offset, &a.column, &a.relation).cmp(&(b.offset, &b.column, &b.relation)));
    refs.dedup();
    Ok(refs)
}

/// What a column of a subquery or CTE is made of.
#[derive(Debug, Clone)]
enum Origin {
    /// A plain base-table column, passed through.
    Column(QualifiedName, String),
    /// Several possible base columns (an unqualified column that was ambiguous inside).
    Candidates(Vec<QualifiedName>, String),
    /// Computed: not a table column.
    Computed,
}

/// The output of a query used as a relation.
#[derive(Debug, Clone, Default)]
struct Derived {
    columns: Vec<(String, Origin)>,
    /// Base tables whose `*` the query selected: a column not among `columns` may come from them.
    star_tables: Vec<QualifiedName>,
    /// The column list is not fully known (star over a derived relation, a function, VALUES).
    open: bool,
}

#[derive(Debug, Clone)]
enum Source {
    Base(QualifiedName),
    Derived(Derived),
}

/// A relation visible in a scope under `name` (its alias, or its own name).
#[derive(Debug, Clone)]
struct Rel {
    name: String,
    schema: Option<String>,
    source: Source,
}

struct Walker<'a> {
    sql: &'a str,
    refs: Vec<SqlRef>,
    /// FROM scopes, outermost first.
    scopes: Vec<Vec<Rel>>,
    /// CTE frames, outermost first.
    ctes: Vec<Vec<(String, Derived)>>,
}

fn node_of(n: &Node) -> Option<&NodeEnum> {
    n.node.as_ref()
}

fn string_of(n: &Node) -> Option<&str> {
    match n.node.as_ref()? {
        NodeEnum::String(s) => Some(&s.sval),
        _ => None,
    }
}

fn qualified(rv: &ast::RangeVar) -> QualifiedName {
    let schema = (!rv.schemaname.is_empty()).then_some(rv.schemaname.as_str());
    QualifiedName::new(schema, &rv.relname)
}

impl<'a> Walker<'a> {
    fn push(
        &mut self,
        relation: Option<QualifiedName>,
        candidates: Vec<QualifiedName>,
        column: Option<String>,
        loc: i32,
    ) {
        let (offset, len) = self.span(loc);
        self.refs.push(SqlRef { relation, candidates, column, offset, len });
    }

    fn span(&self, loc: i32) -> (usize, usize) {
        if loc < 0 {
            return (0, 0);
        }
        let offset = loc as usize;
        (offset, ident_chain_len(self.sql, offset))
    }

    fn statement(&mut self, node: &NodeEnum) {
        match node {
            NodeEnum::SelectStmt(s) => {
                self.select(s);
            }
            NodeEnum::InsertStmt(s) => self.insert(s),
            NodeEnum::UpdateStmt(s) => self.update(s),
            NodeEnum::DeleteStmt(s) => self.delete(s),
            NodeEnum::ViewStmt(v) => {
                if let Some(q) = v.query.as_deref().and_then(node_of) {
                    self.query(q);
                }
            }
            NodeEnum::CreateTableAsStmt(c) => {
                if let Some(q) = c.query.as_deref().and_then(node_of) {
                    self.query(q);
                }
            }
            NodeEnum::ExplainStmt(e) => {
                if let Some(q) = e.query.as_deref().and_then(node_of) {
                    self.statement(q);
                }
            }
            NodeEnum::DeclareCursorStmt(d) => {
                if let Some(q) = d.query.as_deref().and_then(node_of) {
                    self.statement(q);
                }
            }
            NodeEnum::PrepareStmt(p) => {
                if let Some(q) = p.query.as_deref().and_then(node_of) {
                    self.statement(q);
                }
            }
            _ => {}
        }
    }

    /// A query in a nested position (subquery, CTE body, INSERT's source).
    fn query(&mut self, node: &NodeEnum) -> Derived {
        match node {
            NodeEnum::SelectStmt(s) => self.select(s),
            NodeEnum::InsertStmt(s) => {
                self.insert(s);
                self.returning_output(s.returning_clause.as_ref(), s.relation.as_ref())
            }
            NodeEnum::UpdateStmt(s) => {
                self.update(s);
                self.returning_output(s.returning_clause.as_ref(), s.relation.as_ref())
            }
            NodeEnum::DeleteStmt(s) => {
                self.delete(s);
                self.returning_output(s.returning_clause.as_ref(), s.relation.as_ref())
            }
            _ => Derived { open: true, ..Derived::default() },
        }
    }

    fn returning_output(&self, ret: Option<&ast::ReturningClause>, rel: Option<&ast::RangeVar>) -> Derived {
        let mut out = Derived::default();
        let (Some(ret), Some(rel)) = (ret, rel) else { return out };
        let table = qualified(rel);
        for t in &ret.exprs {
            let Some(NodeEnum::ResTarget(rt)) = node_of(t) else { continue };
            match rt.val.as_deref().and_then(node_of) {
                Some(NodeEnum::ColumnRef(c)) if is_star(c) => out.star_tables.push(table.clone()),
                Some(NodeEnum::ColumnRef(c)) => {
                    let col = c.fields.last().and_then(string_of).unwrap_or_default().to_owned();
                    let name = if rt.name.is_empty() { col.clone() } else { rt.name.clone() };
                    out.columns.push((name, Origin::Column(table.clone(), col)));
                }
                _ if !rt.name.is_empty() => out.columns.push((rt.name.clone(), Origin::Computed)),
                _ => {}
            }
        }
        out
    }

    fn with(&mut self, with: Option<&ast::WithClause>) -> bool {
        let Some(with) = with else { return false };
        self.ctes.push(Vec::new());
        for cte in &with.ctes {
            let Some(NodeEnum::CommonTableExpr(c)) = node_of(cte) else { continue };
            if with.recursive {
                // The recursive term sees the CTE itself; its columns are whatever the anchor makes.
                let placeholder = Derived { open: true, ..Derived::default() };
                if let Some(frame) = self.ctes.last_mut() {
                    frame.push((c.ctename.clone(), placeholder));
                }
            }
            let mut derived = match c.ctequery.as_deref().and_then(node_of) {
                Some(q) => self.query(q),
                None => Derived { open: true, ..Derived::default() },
            };
            rename_columns(&mut derived, &c.aliascolnames);
            if let Some(frame) = self.ctes.last_mut() {
                frame.retain(|(n, _)| n != &c.ctename);
                frame.push((c.ctename.clone(), derived));
            }
        }
        true
    }

    fn find_cte(&self, name: &str) -> Option<Derived> {
        self.ctes.iter().rev().flat_map(|f| f.iter().rev()).find(|(n, _)| n == name).map(|(_, d)| d.clone())
    }

    fn select(&mut self, s: &ast::SelectStmt) -> Derived {
        let pushed_with = self.with(s.with_clause.as_ref());
        let out = self.select_body(s);
        if pushed_with {
            self.ctes.pop();
        }
        out
    }

    fn select_body(&mut self, s: &ast::SelectStmt) -> Derived {
        if let (Some(l), Some(r)) = (s.larg.as_deref(), s.rarg.as_deref()) {
            let left = self.select(l);
            self.select(r);
            self.scopes.push(Vec::new());
            self.exprs(&s.sort_clause);
            self.scopes.pop();
            return left;
        }
        if !s.values_lists.is_empty() {
            self.exprs(&s.values_lists);
            return Derived { open: true, ..Derived::default() };
        }
        self.scopes.push(Vec::new());
        for item in &s.from_clause {
            if let Some(n) = node_of(item) {
                self.range_item(n);
            }
        }
        let mut out = Derived::default();
        let mut output_names = Vec::new();
        for t in &s.target_list {
            let Some(NodeEnum::ResTarget(rt)) = node_of(t) else { continue };
            match rt.val.as_deref().and_then(node_of) {
                Some(NodeEnum::ColumnRef(c)) if is_star(c) => self.star(c, &mut out),
                Some(NodeEnum::ColumnRef(c)) => {
                    let origin = self.column_ref(c);
                    let name = if rt.name.is_empty() {
                        c.fields.last().and_then(string_of).unwrap_or_default().to_owned()
                    } else {
                        rt.name.clone()
                    };
                    out.columns.push((name, origin));
                }
                Some(other) => {
                    self.expr(other);
                    let name = if rt.name.is_empty() { implicit_name(other) } else { rt.name.clone() };
                    out.columns.push((name, Origin::Computed));
                }
                None => {}
            }
            if !rt.name.is_empty() {
                output_names.push(rt.name.clone());
            }
        }
        if let Some(w) = s.where_clause.as_deref() {
            self.node(w);
        }
        self.exprs_skipping_aliases(&s.group_clause, &output_names);
        if let Some(h) = s.having_clause.as_deref() {
            self.node(h);
        }
        self.exprs(&s.window_clause);
        self.exprs_skipping_aliases(&s.distinct_clause, &output_names);
        self.exprs_skipping_aliases(&s.sort_clause, &output_names);
        if let Some(n) = s.limit_count.as_deref() {
            self.node(n);
        }
        if let Some(n) = s.limit_offset.as_deref() {
            self.node(n);
        }
        self.scopes.pop();
        out
    }

    /// ORDER BY / GROUP BY / DISTINCT ON may name an output column by its alias.
    fn exprs_skipping_aliases(&mut self, list: &[Node], aliases: &[String]) {
        for n in list {
            let inner = match node_of(n) {
                Some(NodeEnum::SortBy(sb)) => sb.node.as_deref().and_then(node_of),
                other => other,
            };
            if let Some(NodeEnum::ColumnRef(c)) = inner
                && c.fields.len() == 1
                && c.fields.first().and_then(string_of).is_some_and(|f| aliases.iter().any(|a| a == f))
            {
                continue;
            }
            self.node(n);
        }
    }

    fn star(&mut self, c: &ast::ColumnRef, out: &mut Derived) {
        let qualifier: Vec<&str> = c.fields.iter().filter_map(string_of).collect();
        let rels: Vec<Rel> = match self.scopes.last() {
            Some(scope) => scope.iter().filter(|r| rel_matches(r, &qualifier)).cloned().collect(),
            None => Vec::new(),
        };
        for rel in rels {
            match rel.source {
                Source::Base(t) => {
                    self.push(Some(t.clone()), Vec::new(), Some("*".to_owned()), c.location);
                    out.star_tables.push(t);
                }
                Source::Derived(d) => {
                    // `*` over a subquery passes its columns through; their base references were
                    // reported where the subquery named them.
                    out.columns.extend(d.columns.iter().cloned());
                    out.star_tables.extend(d.star_tables.iter().cloned());
                    for t in &d.star_tables {
                        self.push(Some(t.clone()), Vec::new(), Some("*".to_owned()), c.location);
                    }
                    out.open |= d.open;
                }
            }
        }
    }

    fn range_item(&mut self, n: &NodeEnum) {
        match n {
            NodeEnum::RangeVar(rv) => {
                let rel = self.range_var(rv);
                if let Some(scope) = self.scopes.last_mut() {
                    scope.push(rel);
                }
            }
            NodeEnum::JoinExpr(j) => {
                if let Some(l) = j.larg.as_deref().and_then(node_of) {
                    self.range_item(l);
                }
                if let Some(r) = j.rarg.as_deref().and_then(node_of) {
                    self.range_item(r);
                }
                self.using_columns(j);
                if let Some(q) = j.quals.as_deref() {
                    self.node(q);
                }
            }
            NodeEnum::RangeSubselect(rs) => {
                let mut d = match rs.subquery.as_deref().and_then(node_of) {
                    Some(q) => self.query(q),
                    None => Derived { open: true, ..Derived::default() },
                };
                let (name, cols) = match &rs.alias {
                    Some(a) => (a.aliasname.clone(), a.colnames.as_slice()),
                    None => (String::new(), &[][..]),
                };
                rename_columns(&mut d, cols);
                if let Some(scope) = self.scopes.last_mut() {
                    scope.push(Rel { name, schema: None, source: Source::Derived(d) });
                }
            }
            NodeEnum::RangeFunction(rf) => {
                self.exprs(&rf.functions);
                let mut d = Derived { open: true, ..Derived::default() };
                let name = match &rf.alias {
                    Some(a) => {
                        rename_columns(&mut d, &a.colnames);
                        a.aliasname.clone()
                    }
                    None => String::new(),
                };
                if let Some(scope) = self.scopes.last_mut() {
                    scope.push(Rel { name, schema: None, source: Source::Derived(d) });
                }
            }
            NodeEnum::RangeTableSample(ts) => {
                if let Some(r) = ts.relation.as_deref().and_then(node_of) {
                    self.range_item(r);
                }
                self.exprs(&ts.args);
                if let Some(r) = ts.repeatable.as_deref() {
                    self.node(r);
                }
            }
            other => self.expr(other),
        }
    }

    /// `JOIN b USING (col)`: the column of both sides. The list carries no locations, so the
    /// names are found in the text after the join's right-hand relation.
    fn using_columns(&mut self, j: &ast::JoinExpr) {
        if j.using_clause.is_empty() {
            return;
        }
        let rels: Vec<QualifiedName> = self
            .scopes
            .last()
            .map(|s| {
                s.iter()
                    .filter_map(|r| match &r.source {
                        Source::Base(t) => Some(t.clone()),
                        Source::Derived(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        let search_from = rightmost_location(j.rarg.as_deref()).unwrap_or(0);
        for col in j.using_clause.iter().filter_map(string_of) {
            let loc = find_identifier(self.sql, search_from, col).map_or(-1, |o| o as i32);
            match rels.as_slice() {
                [one] => self.push(Some(one.clone()), Vec::new(), Some(col.to_owned()), loc),
                many => self.push(None, many.iter().rev().cloned().collect(), Some(col.to_owned()), loc),
            }
        }
    }

    fn range_var(&mut self, rv: &ast::RangeVar) -> Rel {
        let visible = rv.alias.as_ref().map_or(rv.relname.clone(), |a| a.aliasname.clone());
        let schema = if rv.alias.is_some() || rv.schemaname.is_empty() { None } else { Some(rv.schemaname.clone()) };
        if rv.schemaname.is_empty()
            && let Some(mut d) = self.find_cte(&rv.relname)
        {
            if let Some(a) = &rv.alias {
                rename_columns(&mut d, &a.colnames);
            }
            return Rel { name: visible, schema: None, source: Source::Derived(d) };
        }
        let table = qualified(rv);
        self.push(Some(table.clone()), Vec::new(), None, rv.location);
        Rel { name: visible, schema, source: Source::Base(table) }
    }

    fn insert(&mut self, s: &ast::InsertStmt) {
        let pushed = self.with(s.with_clause.as_ref());
        let Some(rv) = &s.relation else { return };
        let target = self.range_var(rv);
        let table = qualified(rv);
        for c in &s.cols {
            if let Some(NodeEnum::ResTarget(rt)) = node_of(c) {
                self.push(Some(table.clone()), Vec::new(), Some(rt.name.clone()), rt.location);
            }
        }
        if let Some(q) = s.select_stmt.as_deref().and_then(node_of) {
            self.query(q);
        }
        if let Some(oc) = s.on_conflict_clause.as_deref() {
            if let Some(infer) = oc.infer.as_deref() {
                self.infer(infer, &table);
            }
            let excluded = Rel { name: "excluded".to_owned(), schema: None, source: Source::Base(table.clone()) };
            self.scopes.push(vec![target.clone(), excluded]);
            self.set_list(&oc.target_list, &table);
            if let Some(w) = oc.where_clause.as_deref() {
                self.node(w);
            }
            self.scopes.pop();
        }
        self.scopes.push(vec![target]);
        if let Some(r) = &s.returning_clause {
            self.exprs(&r.exprs);
        }
        self.scopes.pop();
        if pushed {
            self.ctes.pop();
        }
    }

    /// `ON CONFLICT (a, lower(b)) WHERE …`: plain column names carry no location; find them in the
    /// text after the clause's own location.
    fn infer(&mut self, infer: &ast::InferClause, table: &QualifiedName) {
        let mut from = infer.location.max(0) as usize;
        self.scopes.push(vec![Rel { name: table.name.clone(), schema: None, source: Source::Base(table.clone()) }]);
        for e in &infer.index_elems {
            let Some(NodeEnum::IndexElem(ie)) = node_of(e) else { continue };
            if !ie.name.is_empty() {
                let loc = find_identifier(self.sql, from, &ie.name);
                if let Some(o) = loc {
                    from = o + ie.name.len();
                }
                self.push(Some(table.clone()), Vec::new(), Some(ie.name.clone()), loc.map_or(-1, |o| o as i32));
            } else if let Some(x) = ie.expr.as_deref() {
                self.node(x);
            }
        }
        if let Some(w) = infer.where_clause.as_deref() {
            self.node(w);
        }
        self.scopes.pop();
    }

    /// `SET col = expr, (a, b) = (…)`: the assigned columns belong to the target table; the
    /// values are expressions in the current scope.
    fn set_list(&mut self, targets: &[Node], table: &QualifiedName) {
        for t in targets {
            let Some(NodeEnum::ResTarget(rt)) = node_of(t) else { continue };
            self.push(Some(table.clone()), Vec::new(), Some(rt.name.clone()), rt.location);
            self.exprs(&rt.indirection);
            match rt.val.as_deref().and_then(node_of) {
                // Every column of a multi-assignment carries the same source; walk it once.
                Some(NodeEnum::MultiAssignRef(m)) if m.colno > 1 => {}
                Some(NodeEnum::MultiAssignRef(m)) => {
                    if let Some(src) = m.source.as_deref() {
                        self.node(src);
                    }
                }
                Some(v) => self.expr(v),
                None => {}
            }
        }
    }

    fn update(&mut self, s: &ast::UpdateStmt) {
        let pushed = self.with(s.with_clause.as_ref());
        let Some(rv) = &s.relation else { return };
        let table = qualified(rv);
        let target = self.range_var(rv);
        self.scopes.push(vec![target]);
        for item in &s.from_clause {
            if let Some(n) = node_of(item) {
                self.range_item(n);
            }
        }
        self.set_list(&s.target_list, &table);
        if let Some(w) = s.where_clause.as_deref() {
            self.node(w);
        }
        if let Some(r) = &s.returning_clause {
            self.exprs(&r.exprs);
        }
        self.scopes.pop();
        if pushed {
            self.ctes.pop();
        }
    }

    fn delete(&mut self, s: &ast::DeleteStmt) {
        let pushed = self.with(s.with_clause.as_ref());
        let Some(rv) = &s.relation else { return };
        let target = self.range_var(rv);
        self.scopes.push(vec![target]);
        for item in &s.using_clause {
            if let Some(n) = node_of(item) {
                self.range_item(n);
            }
        }
        if let Some(w) = s.where_clause.as_deref() {
            self.node(w);
        }
        if let Some(r) = &s.returning_clause {
            self.exprs(&r.exprs);
        }
        self.scopes.pop();
        if pushed {
            self.ctes.pop();
        }
    }

    /// Resolve a column reference, record it, and say what it is made of.
    fn column_ref(&mut self, c: &ast::ColumnRef) -> Origin {
        let fields: Vec<&str> = c.fields.iter().filter_map(string_of).collect();
        let Some((&column, qualifier)) = fields.split_last() else { return Origin::Computed };
        let column = column.to_owned();
        let origin =
            if qualifier.is_empty() { self.unqualified(&column) } else { self.qualified_col(qualifier, &column) };
        match &origin {
            Some(Origin::Column(t, col)) => {
                self.push(Some(t.clone()), Vec::new(), Some(col.clone()), c.location);
            }
            Some(Origin::Candidates(ts, col)) => match ts.as_slice() {
                [] => {}
                [one] => self.push(Some(one.clone()), Vec::new(), Some(col.clone()), c.location),
                many => self.push(None, many.to_vec(), Some(col.clone()), c.location),
            },
            Some(Origin::Computed) | None => {}
        }
        match origin {
            Some(Origin::Candidates(ts, col)) if ts.len() == 1 => {
                Origin::Column(ts.into_iter().next().unwrap_or_else(|| QualifiedName::unqualified("")), col)
            }
            Some(o) => o,
            None => Origin::Computed,
        }
    }

    fn qualified_col(&self, qualifier: &[&str], column: &str) -> Option<Origin> {
        // `a.b.c` may also be `table.column.field` of a composite; the relation match decides.
        for scope in self.scopes.iter().rev() {
            let Some(rel) = scope.iter().rev().find(|r| rel_matches(r, qualifier)) else { continue };
            return Some(match &rel.source {
                Source::Base(t) => Origin::Column(t.clone(), column.to_owned()),
                Source::Derived(d) => derived_column(d, column).unwrap_or(Origin::Computed),
            });
        }
        None
    }

    fn unqualified(&self, column: &str) -> Option<Origin> {
        let mut candidates: Vec<QualifiedName> = Vec::new();
        for scope in self.scopes.iter().rev() {
            let mut level = Vec::new();
            for rel in scope {
                match &rel.source {
                    Source::Base(t) => level.push(t.clone()),
                    Source::Derived(d) => {
                        if let Some((_, o)) = d.columns.iter().find(|(n, _)| n == column) {
                            return Some(o.clone());
                        }
                        level.extend(d.star_tables.iter().cloned());
                    }
                }
            }
            for t in level {
                if !candidates.contains(&t) {
                    candidates.push(t);
                }
            }
        }
        Some(Origin::Candidates(candidates, column.to_owned()))
    }

    fn exprs(&mut self, list: &[Node]) {
        for n in list {
            self.node(n);
        }
    }

    fn node(&mut self, n: &Node) {
        if let Some(e) = node_of(n) {
            self.expr(e);
        }
    }

    fn opt(&mut self, n: &Option<Box<Node>>) {
        if let Some(n) = n.as_deref() {
            self.node(n);
        }
    }

    fn expr(&mut self, e: &NodeEnum) {
        match e {
            NodeEnum::ColumnRef(c) if !is_star(c) => {
                self.column_ref(c);
            }
            NodeEnum::SubLink(s) => {
                self.opt(&s.testexpr);
                if let Some(q) = s.subselect.as_deref().and_then(node_of) {
                    self.query(q);
                }
            }
            NodeEnum::SelectStmt(s) => {
                self.select(s);
            }
            NodeEnum::AExpr(a) => {
                self.opt(&a.lexpr);
                self.opt(&a.rexpr);
            }
            NodeEnum::BoolExpr(b) => self.exprs(&b.args),
            NodeEnum::FuncCall(f) => {
                self.exprs(&f.args);
                self.exprs(&f.agg_order);
                self.opt(&f.agg_filter);
                if let Some(w) = f.over.as_deref() {
                    self.exprs(&w.partition_clause);
                    self.exprs(&w.order_clause);
                }
            }
            NodeEnum::TypeCast(t) => self.opt(&t.arg),
            NodeEnum::CollateClause(c) => self.opt(&c.arg),
            NodeEnum::CaseExpr(c) => {
                self.opt(&c.arg);
                self.exprs(&c.args);
                self.opt(&c.defresult);
            }
            NodeEnum::CaseWhen(w) => {
                self.opt(&w.expr);
                self.opt(&w.result);
            }
            NodeEnum::CoalesceExpr(c) => self.exprs(&c.args),
            NodeEnum::MinMaxExpr(m) => self.exprs(&m.args),
            NodeEnum::NullTest(t) => self.opt(&t.arg),
            NodeEnum::BooleanTest(t) => self.opt(&t.arg),
            NodeEnum::AArrayExpr(a) => self.exprs(&a.elements),
            NodeEnum::RowExpr(r) => self.exprs(&r.args),
            NodeEnum::List(l) => self.exprs(&l.items),
            NodeEnum::AIndirection(i) => {
                self.opt(&i.arg);
                self.exprs(&i.indirection);
            }
            NodeEnum::AIndices(i) => {
                self.opt(&i.lidx);
                self.opt(&i.uidx);
            }
            NodeEnum::NamedArgExpr(n) => self.opt(&n.arg),
            NodeEnum::SortBy(s) => self.opt(&s.node),
            NodeEnum::WindowDef(w) => {
                self.exprs(&w.partition_clause);
                self.exprs(&w.order_clause);
            }
            NodeEnum::GroupingSet(g) => self.exprs(&g.content),
            NodeEnum::ResTarget(r) => self.opt(&r.val),
            NodeEnum::MultiAssignRef(m) => self.opt(&m.source),
            NodeEnum::XmlExpr(x) => {
                self.exprs(&x.named_args);
                self.exprs(&x.args);
            }
            NodeEnum::RangeSubselect(_)
            | NodeEnum::RangeFunction(_)
            | NodeEnum::JoinExpr(_)
            | NodeEnum::RangeVar(_) => self.range_item(e),
            NodeEnum::InsertStmt(_) | NodeEnum::UpdateStmt(_) | NodeEnum::DeleteStmt(_) => {
                self.query(e);
            }
            // Constants, parameters, SQLValueFunction, … reference nothing.
            _ => {}
        }
    }
}

fn is_star(c: &ast::ColumnRef) -> bool {
    matches!(c.fields.last().and_then(node_of), Some(NodeEnum::AStar(_)))
}

/// Whether a relation in scope is named by `qualifier` (`u`, `users`, `public.users`); an empty
/// qualifier matches every relation (a bare `*`).
fn rel_matches(rel: &Rel, qualifier: &[&str]) -> bool {
    match qualifier {
        [] => true,
        [name] => rel.name == *name,
        [.., schema, name] => rel.name == *name && rel.schema.as_deref() == Some(*schema),
    }
}

fn derived_column(d: &Derived, column: &str) -> Option<Origin> {
    if let Some((_, o)) = d.columns.iter().find(|(n, _)| n == column) {
        return Some(o.clone());
    }
    if !d.star_tables.is_empty() {
        return Some(Origin::Candidates(d.star_tables.clone(), column.to_owned()));
    }
    None
}

/// Apply `alias (a, b, c)` / `cte (a, b)` column renaming to a derived relation's outputs.
fn rename_columns(d: &mut Derived, names: &[Node]) {
    for (i, name) in names.iter().filter_map(string_of).enumerate() {
        match d.columns.get_mut(i) {
            Some(col) => col.0 = name.to_owned(),
            None => d.columns.push((name.to_owned(), Origin::Computed)),
        }
    }
}

/// The column name PostgreSQL gives an unnamed output expression (`count(*)` → `count`).
fn implicit_name(e: &NodeEnum) -> String {
    match e {
        NodeEnum::FuncCall(f) => f.funcname.last().and_then(string_of).unwrap_or("?column?").to_owned(),
        NodeEnum::TypeCast(t) => {
            t.arg.as_deref().and_then(node_of).map_or_else(|| "?column?".to_owned(), implicit_name)
        }
        NodeEnum::CaseExpr(_) => "case".to_owned(),
        NodeEnum::CoalesceExpr(_) => "coalesce".to_owned(),
        _ => "?column?".to_owned(),
    }
}

fn rightmost_location(n: Option<&Node>) -> Option<usize> {
    match n.and_then(node_of)? {
        NodeEnum::RangeVar(rv) => usize::try_from(rv.location).ok(),
        NodeEnum::JoinExpr(j) => rightmost_location(j.rarg.as_deref()),
        _ => None,
    }
}

/// Byte length of an identifier chain (`a`, `"A"."b"`, `s.t.c`, `t.*`) starting at `offset`.
pub(crate) fn ident_chain_len(sql: &str, offset: usize) -> usize {
    let bytes = sql.as_bytes();
    let mut i = offset;
    loop {
        let start = i;
        match bytes.get(i) {
            Some(b'"') => {
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == b'"' {
                        if bytes.get(i + 1) == Some(&b'"') {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
            Some(b'*') => i += 1,
            Some(&b) if is_ident_start(b) => {
                while bytes.get(i).is_some_and(|&b| is_ident_char(b)) {
                    i += 1;
                }
            }
            _ => {}
        }
        if i == start {
            // A reference that does not start with a name (e.g. `$1`): report an empty span.
            return i.saturating_sub(offset);
        }
        if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(|&b| b == b'"' || b == b'*' || is_ident_start(b))
        {
            i += 1;
            continue;
        }
        return i - offset;
    }
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    is_ident_start(b) || b.is_ascii_digit() || b == b'$'
}

/// The offset of the first identifier token at or after `from` whose folded name is `name`.
pub(crate) fn find_identifier(sql: &str, from: usize, name: &str) -> Option<usize> {
    // Scan a window, not the rest of a possibly huge file: the name is always close by.
    let mut end = (from + 4096).min(sql.len());
    while !sql.is_char_boundary(end) {
        end -= 1;
    }
    let rest = sql.get(from..end)?;
    let tokens = pg_query::scan(rest).ok()?.tokens;
    tokens.iter().find_map(|t| {
        let (s, e) = (t.start.max(0) as usize, t.end.max(0) as usize);
        let text = rest.get(s..e)?;
        let folded = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            Some(q) => q.replace("\"\"", "\""),
            None => text.to_lowercase(),
        };
        (folded == name).then_some(from + s)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> QualifiedName {
        QualifiedName::parse(s)
    }

    /// Compact rendering: `users.email@7` for a resolved column, `users@14` for a relation,
    /// `?email[a|b]@3` for an ambiguous one.
    fn show(sql: &str) -> Vec<String> {
        statement_refs(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .into_iter()
            .map(|r| {
                let text = &sql[r.offset..r.offset + r.len];
                let col = r.column.clone().map(|c| format!(".{c}")).unwrap_or_default();
                match &r.relation {
                    Some(t) => format!("{t}{col}@{}:{text}", r.offset),
                    None => {
                        let c: Vec<String> = r.candidates.iter().map(|t| t.to_string()).collect();
                        format!("?{}[{}]@{}:{text}", col.trim_start_matches('.'), c.join("|"), r.offset)
                    }
                }
            })
            .collect()
    }

    #[test]
    fn simple_select_with_alias() {
        assert_eq!(
            show("SELECT u.id, u.email FROM users u WHERE u.active"),
            vec!["users.id@7:u.id", "users.email@13:u.email", "users@26:users", "users.active@40:u.active"]
        );
    }

    #[test]
    fn unqualified_column_single_table_resolves() {
        assert_eq!(show("select email from users"), vec!["users.email@7:email", "users@18:users"]);
    }

    #[test]
    fn unqualified_column_with_two_tables_lists_candidates() {
        let sql = "SELECT email, o.total FROM users u JOIN orders o ON o.user_id = u.id";
        assert_eq!(
            show(sql),
            vec![
                "?email[users|orders]@7:email",
                "orders.total@14:o.total",
                "users@27:users",
                "orders@40:orders",
                "orders.user_id@52:o.user_id",
                "users.id@64:u.id",
            ]
        );
    }

    #[test]
    fn resolve_picks_first_candidate_having_the_column() {
        let refs = statement_refs("SELECT email FROM users u JOIN orders o ON true").unwrap();
        let r = &refs[0];
        assert_eq!(r.relation, None);
        let got = r.resolve(|t, c| t.name == "users" && c == "email");
        assert_eq!(got, Some(&q("users")));
    }

    #[test]
    fn self_join_resolves_each_alias() {
        let sql = "SELECT a.name, b.name FROM employees a JOIN employees b ON a.manager_id = b.id";
        assert_eq!(
            show(sql),
            vec![
                "employees.name@7:a.name",
                "employees.name@15:b.name",
                "employees@27:employees",
                "employees@44:employees",
                "employees.manager_id@59:a.manager_id",
                "employees.id@74:b.id",
            ]
        );
    }

    #[test]
    fn schema_qualified_and_quoted_names() {
        let sql = r#"SELECT "Users"."Email", billing.invoices.amount FROM "Users", billing.invoices"#;
        assert_eq!(
            show(sql),
            vec![
                r#"Users.Email@7:"Users"."Email""#,
                "billing.invoices.amount@24:billing.invoices.amount",
                r#"Users@53:"Users""#,
                "billing.invoices@62:billing.invoices",
            ]
        );
    }

    #[test]
    fn case_folding_of_unquoted_names() {
        assert_eq!(show("SELECT EMAIL FROM Users"), vec!["users.email@7:EMAIL", "users@18:Users"]);
    }

    #[test]
    fn cte_name_is_not_a_table_and_its_columns_resolve_through() {
        let sql = "WITH active AS (SELECT id, email FROM users WHERE active) SELECT a.email, n FROM active a";
        assert_eq!(
            show(sql),
            vec![
                "users.id@23:id",
                "users.email@27:email",
                "users@38:users",
                "users.active@50:active",
                // the outer `a.email` resolves through the CTE to users.email
                "users.email@65:a.email",
            ]
        );
    }

    #[test]
    fn cte_column_aliases_rename_outputs() {
        let sql = "WITH x(uid) AS (SELECT id FROM users) SELECT uid FROM x";
        assert_eq!(show(sql), vec!["users.id@23:id", "users@31:users", "users.id@45:uid"]);
    }

    #[test]
    fn subquery_in_from_and_computed_columns() {
        let sql = "SELECT s.n, s.user_id FROM (SELECT user_id, count(*) AS n FROM orders GROUP BY user_id) s";
        assert_eq!(
            show(sql),
            vec![
                "orders.user_id@12:s.user_id",
                "orders.user_id@35:user_id",
                "orders@63:orders",
                "orders.user_id@79:user_id",
            ]
        );
    }

    #[test]
    fn correlated_subquery_sees_outer_scope() {
        let sql = "SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM orders o WHERE o.user_id = u.id AND total > 0)";
        assert_eq!(
            show(sql),
            vec![
                "users.id@7:id",
                "users@15:users",
                "orders@51:orders",
                "orders.user_id@66:o.user_id",
                "users.id@78:u.id",
                "?total[orders|users]@87:total",
            ]
        );
    }

    #[test]
    fn select_star_reports_every_table_in_scope() {
        assert_eq!(
            show("SELECT * FROM users u, orders"),
            vec!["orders.*@7:*", "users.*@7:*", "users@14:users", "orders@23:orders"]
        );
        assert_eq!(
            show("SELECT o.* FROM users u, orders o"),
            vec!["orders.*@7:o.*", "users@16:users", "orders@25:orders"]
        );
    }

    #[test]
    fn star_over_cte_reaches_base_table() {
        let sql = "WITH x AS (SELECT * FROM users) SELECT email FROM x";
        assert_eq!(show(sql), vec!["users.*@18:*", "users@25:users", "users.email@39:email"]);
    }

    #[test]
    fn insert_columns_on_conflict_and_returning() {
        let sql = "INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO UPDATE SET name = excluded.name RETURNING id";
        assert_eq!(
            show(sql),
            vec![
                "users@12:users",
                "users.email@19:email",
                "users.name@26:name",
                "users.email@61:email",
                "users.name@82:name",
                "users.name@89:excluded.name",
                "users.id@113:id",
            ]
        );
    }

    #[test]
    fn insert_select_scopes_the_source_query_only() {
        let sql = "INSERT INTO archive (id) SELECT id FROM users";
        assert_eq!(show(sql), vec!["archive@12:archive", "archive.id@21:id", "users.id@32:id", "users@40:users"]);
    }

    #[test]
    fn update_set_from_where() {
        let sql = "UPDATE users AS u SET name = p.name, updated_at = now() FROM profiles p WHERE p.user_id = u.id";
        assert_eq!(
            show(sql),
            vec![
                "users@7:users",
                "users.name@22:name",
                "profiles.name@29:p.name",
                "users.updated_at@37:updated_at",
                "profiles@61:profiles",
                "profiles.user_id@78:p.user_id",
                "users.id@90:u.id",
            ]
        );
    }

    #[test]
    fn delete_using_returning() {
        let sql = "DELETE FROM sessions s USING users u WHERE s.user_id = u.id AND u.banned RETURNING s.id";
        assert_eq!(
            show(sql),
            vec![
                "sessions@12:sessions",
                "users@29:users",
                "sessions.user_id@43:s.user_id",
                "users.id@55:u.id",
                "users.banned@64:u.banned",
                "sessions.id@83:s.id",
            ]
        );
    }

    #[test]
    fn order_by_output_alias_is_not_a_column() {
        assert_eq!(
            show("SELECT lower(email) AS e FROM users ORDER BY e"),
            vec!["users.email@13:email", "users@30:users"]
        );
    }

    #[test]
    fn union_and_join_using() {
        let sql = "SELECT id FROM a UNION SELECT id FROM b";
        assert_eq!(show(sql), vec!["a.id@7:id", "a@15:a", "b.id@30:id", "b@38:b"]);
        let sql = "SELECT 1 FROM orders JOIN users USING (user_id)";
        assert_eq!(show(sql), vec!["orders@14:orders", "users@26:users", "?user_id[users|orders]@39:user_id"]);
    }

    #[test]
    fn view_definition_and_writable_cte() {
        let sql = "CREATE VIEW v AS SELECT u.id FROM public.users u";
        assert_eq!(show(sql), vec!["public.users.id@24:u.id", "public.users@34:public.users"]);
        let sql =
            "WITH d AS (DELETE FROM jobs WHERE done RETURNING id) INSERT INTO done_jobs (job_id) SELECT id FROM d";
        assert_eq!(
            show(sql),
            vec![
                "jobs@23:jobs",
                "jobs.done@34:done",
                "jobs.id@49:id",
                "done_jobs@65:done_jobs",
                "done_jobs.job_id@76:job_id",
                "jobs.id@91:id",
            ]
        );
    }

    #[test]
    fn recursive_cte_and_lateral() {
        let sql = "WITH RECURSIVE t AS (SELECT id, parent_id FROM nodes UNION ALL SELECT n.id, n.parent_id FROM nodes n JOIN t ON n.parent_id = t.id) SELECT id FROM t";
        let refs = statement_refs(sql).unwrap();
        assert!(refs.iter().all(|r| r.relation.as_ref().is_none_or(|t| t.name == "nodes")), "{refs:?}");
        assert_eq!(refs.iter().filter(|r| r.column.is_none()).count(), 2);
        let sql =
            "SELECT x.total FROM users u, LATERAL (SELECT sum(amount) AS total FROM orders o WHERE o.user_id = u.id) x";
        assert_eq!(
            show(sql),
            vec![
                "users@20:users",
                // `amount` could be an outer column too: both are candidates, innermost first
                "?amount[orders|users]@49:amount",
                "orders@71:orders",
                "orders.user_id@86:o.user_id",
                "users.id@98:u.id",
            ]
        );
    }

    #[test]
    fn syntax_error_is_located() {
        let err = statement_refs("SELECT id FROM users WHERE AND x").unwrap_err();
        assert!(err.message.contains("syntax error"), "{err}");
        assert_eq!(err.offset, Some(27));
    }
}

//! Which tables and columns a view reads, from its parsed `SELECT`.
//!
//! Qualified column references (`u.email`) resolve through the aliases of the `FROM` clause;
//! an unqualified one resolves to the only relation in the query that has such a column (or to
//! the only relation, when there is one). `SELECT *` depends on every column of the relation.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::ControlFlow;

use sqlparser::ast::{self as sql, Expr, Visit, Visitor};

use crate::schema::{QualifiedName, Table, ViewDependency};

pub fn dependencies(query: &sql::Query, tables: &[Table], view: &QualifiedName) -> Vec<ViewDependency> {
    let mut c = Collector::default();
    let _ = query.visit(&mut c);
    let relations: BTreeSet<String> =
        c.relations.iter().map(|(name, _)| name.clone()).filter(|n| !c.ctes.contains(n) && *n != view.name).collect();
    let mut aliases: BTreeMap<String, String> = BTreeMap::new();
    for (name, alias) in &c.relations {
        aliases.insert(alias.clone().unwrap_or_else(|| name.clone()), name.clone());
    }
    let mut used: BTreeMap<String, BTreeSet<String>> = relations.iter().map(|r| (r.clone(), BTreeSet::new())).collect();
    let columns_of = |rel: &str| tables.iter().find(|t| t.name.name == rel).map(|t| &t.columns);
    for (qualifier, column) in &c.columns {
        let target = match qualifier {
            Some(q) => aliases.get(q).filter(|t| relations.contains(*t)).cloned(),
            None => {
                let having: Vec<&String> = relations
                    .iter()
                    .filter(|r| columns_of(r).is_some_and(|cols| cols.iter().any(|x| &x.name == column)))
                    .collect();
                match (having.as_slice(), relations.len()) {
                    ([one], _) => Some((*one).clone()),
                    ([], 1) => relations.iter().next().cloned(),
                    _ => None,
                }
            }
        };
        if let Some(t) = target
            && let Some(set) = used.get_mut(&t)
        {
            set.insert(column.clone());
        }
    }
    for qualifier in &c.wildcards {
        let targets: Vec<String> = match qualifier {
            Some(q) => aliases.get(q).filter(|t| relations.contains(*t)).cloned().into_iter().collect(),
            None => relations.iter().cloned().collect(),
        };
        for t in targets {
            if let (Some(cols), Some(set)) = (columns_of(&t), used.get_mut(&t)) {
                set.extend(cols.iter().map(|c| c.name.clone()));
            }
        }
    }
    used.into_iter()
        .map(|(rel, cols)| ViewDependency {
            relation: QualifiedName::unqualified(&rel),
            columns: cols.into_iter().collect(),
        })
        .collect()
}

#[derive(Default)]
struct Collector {
    /// (relation, alias) for every table named in a FROM or JOIN.
    relations: Vec<(String, Option<String>)>,
    ctes: HashSet<String>,
    /// (qualifier, column) for every column reference.
    columns: Vec<(Option<String>, String)>,
    /// `*` (None) and `t.*` (Some(t)).
    wildcards: Vec<Option<String>>,
}

impl Visitor for Collector {
    type Break = ();

    fn pre_visit_query(&mut self, query: &sql::Query) -> ControlFlow<()> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(cte.alias.name.value.clone());
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &sql::TableFactor) -> ControlFlow<()> {
        if let sql::TableFactor::Table { name, alias, .. } = factor
            && let Some(last) = name.0.last().and_then(|p| p.as_ident())
        {
            self.relations.push((last.value.clone(), alias.as_ref().map(|a| a.name.value.clone())));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &sql::Select) -> ControlFlow<()> {
        for item in &select.projection {
            match item {
                sql::SelectItem::Wildcard(_) => self.wildcards.push(None),
                sql::SelectItem::QualifiedWildcard(sql::SelectItemQualifiedWildcardKind::ObjectName(n), _) => {
                    self.wildcards.push(n.0.last().and_then(|p| p.as_ident()).map(|i| i.value.clone()))
                }
                _ => {}
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        match expr {
            Expr::Identifier(i) => self.columns.push((None, i.value.clone())),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let n = parts.len();
                self.columns.push((Some(parts[n - 2].value.clone()), parts[n - 1].value.clone()));
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

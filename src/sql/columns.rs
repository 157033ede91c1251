//! The output column names of a view's `SELECT`, as PostgreSQL names them: what the dump reader
//! records as a view's columns, and what the gate compares when a migration redefines a view
//! (a column the new definition no longer has is dropped for every app that reads it).

use pg_query::NodeEnum;
use pg_query::protobuf::Node;

use crate::name::QualifiedName;
use crate::sql::SqlRef;

/// The columns of a query, and whether every `*` in it could be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputColumns {
    pub names: Vec<String>,
    /// False when a `*` read a relation `relation_columns` does not know: `names` lacks its
    /// columns.
    pub complete: bool,
}

/// The output columns of `query` (a parsed `SELECT`; of a set operation, its first branch, as
/// PostgreSQL does). `refs` are the statement's references with offsets in the same text the
/// query's locations count in; `relation_columns` expands `*` and `t.*`.
pub fn output_columns(
    query: &NodeEnum,
    refs: &[SqlRef],
    relation_columns: &dyn Fn(&QualifiedName) -> Option<Vec<String>>,
) -> OutputColumns {
    let mut out = OutputColumns { names: Vec::new(), complete: true };
    let NodeEnum::SelectStmt(s) = query else {
        out.complete = false;
        return out;
    };
    let mut s = &**s;
    while let Some(l) = s.larg.as_deref() {
        s = l;
    }
    let unnamed = || "?column?".to_owned();
    for t in &s.target_list {
        let Some(NodeEnum::ResTarget(rt)) = t.node.as_ref() else { continue };
        if !rt.name.is_empty() {
            out.names.push(rt.name.clone());
            continue;
        }
        match node(&rt.val) {
            Some(NodeEnum::ColumnRef(c)) => match c.fields.last().and_then(|f| f.node.as_ref()) {
                Some(NodeEnum::String(s)) => out.names.push(s.sval.clone()),
                Some(NodeEnum::AStar(_)) => {
                    let at = usize::try_from(c.location).unwrap_or(usize::MAX);
                    let stars: Vec<&SqlRef> =
                        refs.iter().filter(|r| r.offset == at && r.column.as_deref() == Some("*")).collect();
                    if stars.is_empty() {
                        out.complete = false;
                    }
                    for r in stars {
                        match r.relation.as_ref().and_then(relation_columns) {
                            Some(cols) => out.names.extend(cols),
                            None => out.complete = false,
                        }
                    }
                }
                _ => out.names.push(unnamed()),
            },
            Some(NodeEnum::FuncCall(f)) => out.names.push(last_string(&f.funcname).unwrap_or_else(unnamed)),
            Some(NodeEnum::TypeCast(tc)) => match node(&tc.arg) {
                Some(NodeEnum::ColumnRef(c)) => out.names.push(last_string(&c.fields).unwrap_or_else(unnamed)),
                _ => out.names.push(tc.type_name.as_ref().and_then(|t| last_string(&t.names)).unwrap_or_else(unnamed)),
            },
            Some(NodeEnum::CaseExpr(_)) => out.names.push("case".to_owned()),
            Some(NodeEnum::CoalesceExpr(_)) => out.names.push("coalesce".to_owned()),
            _ => out.names.push(unnamed()),
        }
    }
    out
}

/// The output columns of a view whose normalized `SELECT` is `definition` (as the migration
/// readers keep it); `None` when the text is not a query libpg_query reads.
pub fn view_columns(
    definition: &str,
    relation_columns: &dyn Fn(&QualifiedName) -> Option<Vec<String>>,
) -> Option<OutputColumns> {
    let parsed = pg_query::parse(definition, 0).ok()?;
    let [raw] = parsed.protobuf.stmts.as_slice() else { return None };
    let query = raw.stmt.as_ref()?.node.as_ref()?;
    let refs = crate::sql::statement_refs(definition).ok()?;
    Some(output_columns(query, &refs, relation_columns))
}

fn node(n: &Option<Box<Node>>) -> Option<&NodeEnum> {
    n.as_deref().and_then(|n| n.node.as_ref())
}

fn last_string(list: &[Node]) -> Option<String> {
    list.iter().rev().find_map(|n| match n.node.as_ref()? {
        NodeEnum::String(s) => Some(s.sval.clone()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(sql: &str) -> OutputColumns {
        let lookup = |rel: &QualifiedName| (rel.name == "t").then(|| vec!["id".to_owned(), "a".to_owned()]);
        view_columns(sql, &lookup).expect("a query")
    }

    #[test]
    fn names_come_from_aliases_columns_functions_and_stars() {
        let c = columns("SELECT t.id, a AS alias, lower(a), a::text, count(*) FROM t");
        assert_eq!(c.names, ["id", "alias", "lower", "a", "count"]);
        assert!(c.complete);
        let c = columns("SELECT *, 1 FROM t");
        assert_eq!(c.names, ["id", "a", "?column?"]);
        assert!(c.complete);
    }

    #[test]
    fn a_star_over_an_unknown_relation_is_incomplete() {
        let c = columns("SELECT u.*, t.id FROM u JOIN t ON t.id = u.id");
        assert_eq!(c.names, ["id"]);
        assert!(!c.complete);
    }

    #[test]
    fn a_set_operation_is_named_by_its_first_branch() {
        assert_eq!(columns("SELECT id AS x FROM t UNION SELECT a FROM t").names, ["x"]);
    }

    #[test]
    fn text_that_is_not_one_query_has_no_columns() {
        let lookup = |_: &QualifiedName| None;
        assert_eq!(view_columns("SELECT FROM WHERE", &lookup), None);
        assert_eq!(view_columns("SELECT 1; SELECT 2", &lookup), None);
    }
}

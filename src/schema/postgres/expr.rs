//! Canonical text of expressions: libpg_query parses them and its deparser prints them back, so
//! `'a'::character varying`, `('a'::varchar)` and `'a'::varchar` all become `'a'::varchar`, and
//! what pg_dump writes and what `pg_get_expr` prints (the same printer) normalize identically.

use pg_query::NodeEnum;
use pg_query::protobuf::{self, Node};

use super::typmod::non_constant_typmod;

pub fn string_of(n: &Node) -> Option<&str> {
    match n.node.as_ref()? {
        NodeEnum::String(s) => Some(&s.sval),
        _ => None,
    }
}

/// Deparse one expression node, with unqualified user types in casts taken to live in `public`.
pub fn deparse_expr(n: &Node) -> String {
    deparse_expr_in(n, "public")
}

/// Deparse one expression node. libpg_query only deparses statements, so the expression is
/// wrapped in `SELECT <expr>` and the prefix removed. Before printing, the tree is brought to the
/// form PostgreSQL itself stores (see [`canonical_node`]).
pub fn deparse_expr_in(n: &Node, default_schema: &str) -> String {
    let mut n = n.clone();
    canonical_node(&mut n, default_schema);
    if let Some(fast) = fast_deparse(&n) {
        return fast;
    }
    deparse_via_c(n)
}

fn deparse_via_c(n: Node) -> String {
    if non_constant_typmod(&n).is_some() {
        return String::new();
    }
    let target =
        protobuf::ResTarget { name: String::new(), indirection: Vec::new(), val: Some(Box::new(n)), location: -1 };
    let select = protobuf::SelectStmt {
        target_list: vec![Node { node: Some(NodeEnum::ResTarget(Box::new(target))) }],
        op: protobuf::SetOperation::SetopNone as i32,
        limit_option: protobuf::LimitOption::Default as i32,
        ..Default::default()
    };
    let stmt = NodeEnum::SelectStmt(Box::new(select));
    match stmt.deparse(Default::default()) {
        Ok(s) => s.strip_prefix("SELECT ").map(str::to_owned).unwrap_or(s),
        Err(_) => String::new(),
    }
}

/// Rewrite what PostgreSQL rewrites when it stores an expression, so that the text a dump was
/// written from and the text the server prints back compare equal:
/// * `ARRAY[a, b]::t[]` is stored as `ARRAY[a::t, b::t]` (the cast is pushed into the elements);
/// * a user type named without a schema in a cast is qualified with the dump's schema (pre-10
///   dumps ran with `search_path = public` and printed `'ok'::mood`, later ones `'ok'::public.mood`).
pub fn canonical_node(n: &mut Node, default_schema: &str) {
    let Some(e) = n.node.as_mut() else { return };
    match e {
        NodeEnum::TypeCast(tc) => {
            if let Some(t) = tc.type_name.as_mut() {
                qualify_type(t, default_schema);
            }
            if let Some(arg) = tc.arg.as_deref_mut() {
                canonical_node(arg, default_schema);
            }
            let is_array_cast = tc.type_name.as_ref().is_some_and(|t| !t.array_bounds.is_empty());
            if is_array_cast
                && let Some(NodeEnum::AArrayExpr(arr)) = tc.arg.as_deref().and_then(|a| a.node.as_ref())
                && !arr.elements.is_empty()
            {
                let mut elem_type = tc.type_name.clone().unwrap_or_default();
                elem_type.array_bounds.clear();
                let mut arr = arr.clone();
                for el in &mut arr.elements {
                    let inner = std::mem::take(el);
                    *el = Node {
                        node: Some(NodeEnum::TypeCast(Box::new(protobuf::TypeCast {
                            arg: Some(Box::new(inner)),
                            type_name: Some(elem_type.clone()),
                            location: -1,
                        }))),
                    };
                }
                *e = NodeEnum::AArrayExpr(arr);
            }
        }
        NodeEnum::AExpr(a) => {
            for x in [a.lexpr.as_deref_mut(), a.rexpr.as_deref_mut()].into_iter().flatten() {
                canonical_node(x, default_schema);
            }
        }
        NodeEnum::BoolExpr(b) => b.args.iter_mut().for_each(|x| canonical_node(x, default_schema)),
        NodeEnum::FuncCall(f) => f.args.iter_mut().for_each(|x| canonical_node(x, default_schema)),
        NodeEnum::AArrayExpr(a) => a.elements.iter_mut().for_each(|x| canonical_node(x, default_schema)),
        NodeEnum::List(l) => l.items.iter_mut().for_each(|x| canonical_node(x, default_schema)),
        NodeEnum::CoalesceExpr(c) => c.args.iter_mut().for_each(|x| canonical_node(x, default_schema)),
        NodeEnum::NullTest(t) => {
            if let Some(x) = t.arg.as_deref_mut() {
                canonical_node(x, default_schema);
            }
        }
        NodeEnum::CaseExpr(c) => {
            for x in [c.arg.as_deref_mut(), c.defresult.as_deref_mut()].into_iter().flatten() {
                canonical_node(x, default_schema);
            }
            c.args.iter_mut().for_each(|x| canonical_node(x, default_schema));
        }
        NodeEnum::CaseWhen(w) => {
            for x in [w.expr.as_deref_mut(), w.result.as_deref_mut()].into_iter().flatten() {
                canonical_node(x, default_schema);
            }
        }
        _ => {}
    }
}

fn qualify_type(t: &mut protobuf::TypeName, default_schema: &str) {
    if let [only] = t.names.as_slice()
        && let Some(name) = string_of(only)
        && !super::types::is_builtin(name)
    {
        let schema = Node { node: Some(NodeEnum::String(protobuf::String { sval: default_schema.to_owned() })) };
        t.names.insert(0, schema);
    }
}

/// The most common defaults (`0`, `false`, `'x'::public.t`, `'{}'::jsonb`, `now()`,
/// `nextval('s'::regclass)`) printed exactly as libpg_query's deparser prints them, without the
/// round trip through C: a large dump has thousands of them. Anything else returns `None`. A unit
/// test checks every shape against the deparser.
fn fast_deparse(n: &Node) -> Option<String> {
    match n.node.as_ref()? {
        NodeEnum::AConst(c) => {
            if c.isnull {
                return Some("NULL".to_owned());
            }
            match c.val.as_ref()? {
                protobuf::a_const::Val::Ival(i) => Some(i.ival.to_string()),
                protobuf::a_const::Val::Fval(f) if !f.fval.starts_with('-') => Some(f.fval.clone()),
                protobuf::a_const::Val::Boolval(b) => Some(if b.boolval { "true" } else { "false" }.to_owned()),
                protobuf::a_const::Val::Sval(s) if !s.sval.contains('\\') => {
                    Some(format!("'{}'", s.sval.replace('\'', "''")))
                }
                _ => None,
            }
        }
        NodeEnum::TypeCast(tc) => {
            let arg = tc.arg.as_deref()?;
            let simple_arg = match arg.node.as_ref()? {
                NodeEnum::AConst(c) => match c.val.as_ref() {
                    Some(protobuf::a_const::Val::Sval(_)) => true,
                    Some(protobuf::a_const::Val::Ival(i)) => i.ival >= 0,
                    Some(protobuf::a_const::Val::Boolval(_)) => true,
                    None => c.isnull,
                    _ => false,
                },
                _ => false,
            };
            if !simple_arg {
                return None;
            }
            let t = tc.type_name.as_ref()?;
            let names: Vec<&str> = t.names.iter().map(string_of).collect::<Option<_>>()?;
            let plain_bounds =
                t.array_bounds.iter().all(|b| matches!(b.node.as_ref(), Some(NodeEnum::Integer(i)) if i.ival == -1));
            if names.is_empty()
                || names[0] == "pg_catalog"
                || !t.typmods.is_empty()
                || t.setof
                || t.pct_type
                || !plain_bounds
            {
                return None;
            }
            let mut out = fast_deparse(arg)?;
            out.push_str("::");
            out.push_str(&names.iter().map(|n| super::types::quote_ident(n)).collect::<Vec<_>>().join("."));
            for _ in &t.array_bounds {
                out.push_str("[]");
            }
            Some(out)
        }
        NodeEnum::FuncCall(f) => {
            let plain = f.agg_order.is_empty()
                && f.agg_filter.is_none()
                && f.over.is_none()
                && !f.agg_within_group
                && !f.agg_star
                && !f.agg_distinct
                && !f.func_variadic
                && f.funcformat == protobuf::CoercionForm::CoerceExplicitCall as i32;
            let names: Vec<&str> = f.funcname.iter().map(string_of).collect::<Option<_>>()?;
            if !plain || names.is_empty() || names[0] == "pg_catalog" {
                return None;
            }
            let args: Vec<String> = f.args.iter().map(fast_deparse).collect::<Option<_>>()?;
            let name = names.iter().map(|n| super::types::quote_ident(n)).collect::<Vec<_>>().join(".");
            Some(format!("{name}({})", args.join(", ")))
        }
        _ => None,
    }
}

/// Normalize an expression given as text. Text that does not parse as an expression is returned
/// trimmed, so callers comparing two unparseable texts still compare something meaningful.
pub fn normalize_expr(expr: &str) -> String {
    let sql = format!("SELECT {expr}");
    let Ok(parsed) = pg_query::parse(&sql, 0) else { return expr.trim().to_owned() };
    if non_constant_typmod(&parsed.protobuf).is_some() {
        return expr.trim().to_owned();
    }
    let target = parsed.protobuf.stmts.first().and_then(|s| s.stmt.as_deref()).and_then(|n| n.node.as_ref()).and_then(
        |n| match n {
            NodeEnum::SelectStmt(s) if s.target_list.len() == 1 && s.from_clause.is_empty() => s.target_list.first(),
            _ => None,
        },
    );
    match target.and_then(|t| t.node.as_ref()) {
        Some(NodeEnum::ResTarget(rt)) if rt.name.is_empty() => match rt.val.as_deref() {
            Some(v) => deparse_expr(v),
            None => expr.trim().to_owned(),
        },
        _ => expr.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_path_prints_exactly_what_the_deparser_prints() {
        let samples = [
            "0",
            "42",
            "1.50",
            "true",
            "false",
            "NULL",
            "'it''s'",
            "''",
            "'{}'::jsonb",
            "'{}'::text[]",
            "'{}'::text[][]",
            "'ok'::public.mood",
            "'x'::\"Mood\"",
            "'x'::\"user\"",
            "'x'::app.\"Odd Name\"",
            "7::bigint",
            "NULL::text",
            "true::boolean",
            "now()",
            "gen_random_uuid()",
            "nextval('public.users_id_seq'::regclass)",
            "lower('ABC')",
            "public.make_code(3, 'x'::text)",
            "\"Weird\"(1)",
        ];
        for sql in samples {
            let parsed = pg_query::parse(&format!("SELECT {sql}"), 0).unwrap();
            let Some(NodeEnum::SelectStmt(s)) = parsed.protobuf.stmts[0].stmt.as_ref().unwrap().node.as_ref() else {
                panic!()
            };
            let Some(NodeEnum::ResTarget(rt)) = s.target_list[0].node.as_ref() else { panic!() };
            let node = rt.val.as_deref().unwrap();
            let slow = deparse_via_c(node.clone());
            match fast_deparse(node) {
                Some(fast) => assert_eq!(fast, slow, "{sql}"),
                // pg_catalog types and functions keep the deparser's SQL spelling
                None => assert!(sql.ends_with("::bigint") || sql.ends_with("::boolean"), "{sql}: no fast path"),
            }
        }
    }

    #[test]
    fn casts_and_parentheses_normalize_equal() {
        assert_eq!(normalize_expr("'a'::character varying"), normalize_expr("('a'::varchar)"));
        assert_eq!(normalize_expr("(now())"), "now()");
        assert_eq!(normalize_expr("0"), "0");
        assert_eq!(normalize_expr(" false "), "false");
        assert_eq!(
            normalize_expr("nextval('public.users_id_seq'::regclass)"),
            normalize_expr("nextval(('public.users_id_seq'::regclass))")
        );
        assert_eq!(normalize_expr("((quantity > 0))"), normalize_expr("quantity > 0"));
        // what pg_dump writes and pg_get_expr prints for an IN list
        let dumped =
            "((status)::text = ANY ((ARRAY['active'::character varying, 'closed'::character varying])::text[]))";
        assert_eq!(normalize_expr(dumped), normalize_expr(&normalize_expr(dumped)));
        assert_eq!(normalize_expr("not an expression ("), "not an expression (");
        // PostgreSQL pushes an array cast into the elements when it stores the expression
        assert_eq!(
            normalize_expr("(status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])"),
            normalize_expr(
                "(status)::text = ANY (ARRAY[('a'::character varying)::text, ('b'::character varying)::text])"
            )
        );
        assert_eq!(normalize_expr("'ok'::mood"), "'ok'::public.mood");
        assert_eq!(normalize_expr("'{}'::text[]"), "'{}'::text[]");
    }
}

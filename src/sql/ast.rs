//! The part of PostgreSQL's parse tree that reference resolution ([`crate::sql::refs`]) reads,
//! as libpg_query's C API prints it in JSON.
//!
//! Why not `pg_query::parse`: that crate hands the tree over as protobuf, and libpg_query's
//! protobuf encoder tests every one of the 271 kinds of `Node` for every node of the tree. On
//! the short statements code embeds, that encoding took two thirds of each parse (7.7 of
//! 10.3 µs for a one-line `SELECT`, against 2.6 µs for the same parse printed as JSON). The
//! JSON names the same nodes and fields (its field names are the C structs', listed as
//! `json_name` in libpg_query's `pg_query.proto`), so the types below mirror the crate's
//! protobuf types, field for field, for the nodes resolution reads; every other node decodes as
//! an empty [`Node`], which resolution passes over exactly as it passes over a node it does not
//! know. The schema reader, which reads whole dumps, keeps the crate's protobuf tree.

use std::ffi::{CStr, CString};
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

/// libpg_query's C API, as `pg_query.h` declares it. The `pg_query` crate compiles and links
/// the library; these two functions are its documented entry points for the JSON tree.
mod ffi {
    use std::ffi::{c_char, c_int};

    #[repr(C)]
    pub struct PgQueryError {
        pub message: *mut c_char,
        pub funcname: *mut c_char,
        pub filename: *mut c_char,
        pub lineno: c_int,
        pub cursorpos: c_int,
        pub context: *mut c_char,
    }

    #[repr(C)]
    pub struct PgQueryParseResult {
        pub parse_tree: *mut c_char,
        pub stderr_buffer: *mut c_char,
        pub error: *mut PgQueryError,
    }

    unsafe extern "C" {
        pub fn pg_query_parse(input: *const c_char) -> PgQueryParseResult;
        pub fn pg_query_free_parse_result(result: PgQueryParseResult);
    }
}

/// Why a text did not parse: libpg_query's message (a syntax error, as PostgreSQL words it), or
/// a tree this module could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError(pub String);

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parse `sql` (one statement or several) with PostgreSQL's grammar.
pub fn parse(sql: &str) -> Result<ParseResult, ParseError> {
    let input = CString::new(sql).map_err(|_| ParseError("the statement contains a NUL byte".to_owned()))?;
    // SAFETY: `input` is a valid NUL-terminated string that outlives the call. libpg_query
    // returns either an error or a NUL-terminated JSON string, both owned by the result, which
    // is read here before being handed back, once, to the matching free function. The library
    // keeps its parser state per thread, so concurrent calls are safe.
    unsafe {
        let result = ffi::pg_query_parse(input.as_ptr());
        let parsed = if !result.error.is_null() {
            let message = (*result.error).message;
            let message = if message.is_null() {
                "syntax error".to_owned()
            } else {
                CStr::from_ptr(message).to_string_lossy().into_owned()
            };
            Err(ParseError(message))
        } else if result.parse_tree.is_null() {
            Err(ParseError("libpg_query returned no tree".to_owned()))
        } else {
            serde_json::from_slice::<ParseResult>(CStr::from_ptr(result.parse_tree).to_bytes())
                .map_err(|e| ParseError(format!("cannot read the parse tree: {e}")))
        };
        ffi::pg_query_free_parse_result(result);
        parsed
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ParseResult {
    pub stmts: Vec<RawStmt>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawStmt {
    pub stmt: Option<Box<Node>>,
}

/// A node of any kind: `None` for an empty one and for every kind resolution does not read.
#[derive(Debug, Default)]
pub struct Node {
    pub node: Option<NodeEnum>,
}

/// The kinds of node resolution reads, named as `pg_query::NodeEnum` names them.
#[derive(Debug)]
pub enum NodeEnum {
    SelectStmt(Box<SelectStmt>),
    InsertStmt(Box<InsertStmt>),
    UpdateStmt(Box<UpdateStmt>),
    DeleteStmt(Box<DeleteStmt>),
    ViewStmt(Box<ViewStmt>),
    CreateTableAsStmt(Box<QueryHolder>),
    ExplainStmt(Box<QueryHolder>),
    DeclareCursorStmt(Box<QueryHolder>),
    PrepareStmt(Box<QueryHolder>),
    CommonTableExpr(Box<CommonTableExpr>),
    ResTarget(Box<ResTarget>),
    ColumnRef(Box<ColumnRef>),
    String(Box<Str>),
    AStar(Box<AStar>),
    RangeVar(Box<RangeVar>),
    JoinExpr(Box<JoinExpr>),
    RangeSubselect(Box<RangeSubselect>),
    RangeFunction(Box<RangeFunction>),
    RangeTableSample(Box<RangeTableSample>),
    IndexElem(Box<IndexElem>),
    SubLink(Box<SubLink>),
    AExpr(Box<AExpr>),
    BoolExpr(Box<Args>),
    FuncCall(Box<FuncCall>),
    TypeCast(Box<Arg>),
    CollateClause(Box<Arg>),
    CaseExpr(Box<CaseExpr>),
    CaseWhen(Box<CaseWhen>),
    CoalesceExpr(Box<Args>),
    MinMaxExpr(Box<Args>),
    NullTest(Box<Arg>),
    BooleanTest(Box<Arg>),
    AArrayExpr(Box<AArrayExpr>),
    RowExpr(Box<Args>),
    List(Box<List>),
    AIndirection(Box<AIndirection>),
    AIndices(Box<AIndices>),
    NamedArgExpr(Box<Arg>),
    SortBy(Box<SortBy>),
    WindowDef(Box<WindowDef>),
    GroupingSet(Box<GroupingSet>),
    MultiAssignRef(Box<MultiAssignRef>),
    XmlExpr(Box<XmlExpr>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_map(NodeVisitor)
    }
}

struct NodeVisitor;

/// `{"Kind": {fields}}`, or `{}` for an empty node.
impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a parse tree node")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let Some(kind) = map.next_key::<std::borrow::Cow<'de, str>>()? else {
            return Ok(Node::default());
        };
        macro_rules! kinds {
            ($($name:literal => $variant:ident),* $(,)?) => {
                match kind.as_ref() {
                    $($name => Some(NodeEnum::$variant(Box::new(map.next_value()?))),)*
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                        None
                    }
                }
            };
        }
        let node = kinds! {
            "SelectStmt" => SelectStmt,
            "InsertStmt" => InsertStmt,
            "UpdateStmt" => UpdateStmt,
            "DeleteStmt" => DeleteStmt,
            "ViewStmt" => ViewStmt,
            "CreateTableAsStmt" => CreateTableAsStmt,
            "ExplainStmt" => ExplainStmt,
            "DeclareCursorStmt" => DeclareCursorStmt,
            "PrepareStmt" => PrepareStmt,
            "CommonTableExpr" => CommonTableExpr,
            "ResTarget" => ResTarget,
            "ColumnRef" => ColumnRef,
            "String" => String,
            "A_Star" => AStar,
            "RangeVar" => RangeVar,
            "JoinExpr" => JoinExpr,
            "RangeSubselect" => RangeSubselect,
            "RangeFunction" => RangeFunction,
            "RangeTableSample" => RangeTableSample,
            "IndexElem" => IndexElem,
            "SubLink" => SubLink,
            "A_Expr" => AExpr,
            "BoolExpr" => BoolExpr,
            "FuncCall" => FuncCall,
            "TypeCast" => TypeCast,
            "CollateClause" => CollateClause,
            "CaseExpr" => CaseExpr,
            "CaseWhen" => CaseWhen,
            "CoalesceExpr" => CoalesceExpr,
            "MinMaxExpr" => MinMaxExpr,
            "NullTest" => NullTest,
            "BooleanTest" => BooleanTest,
            "A_ArrayExpr" => AArrayExpr,
            "RowExpr" => RowExpr,
            "List" => List,
            "A_Indirection" => AIndirection,
            "A_Indices" => AIndices,
            "NamedArgExpr" => NamedArgExpr,
            "SortBy" => SortBy,
            "WindowDef" => WindowDef,
            "GroupingSet" => GroupingSet,
            "MultiAssignRef" => MultiAssignRef,
            "XmlExpr" => XmlExpr,
        };
        // One kind per node; anything after it would be a format this module does not know.
        if map.next_key::<IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("a node with more than one kind"));
        }
        Ok(Node { node })
    }
}

/// A single node field: absent, or a node.
type Child = Option<Box<Node>>;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SelectStmt {
    #[serde(rename = "distinctClause")]
    pub distinct_clause: Vec<Node>,
    #[serde(rename = "targetList")]
    pub target_list: Vec<Node>,
    #[serde(rename = "fromClause")]
    pub from_clause: Vec<Node>,
    #[serde(rename = "whereClause")]
    pub where_clause: Child,
    #[serde(rename = "groupClause")]
    pub group_clause: Vec<Node>,
    #[serde(rename = "havingClause")]
    pub having_clause: Child,
    #[serde(rename = "windowClause")]
    pub window_clause: Vec<Node>,
    #[serde(rename = "valuesLists")]
    pub values_lists: Vec<Node>,
    #[serde(rename = "sortClause")]
    pub sort_clause: Vec<Node>,
    #[serde(rename = "limitOffset")]
    pub limit_offset: Child,
    #[serde(rename = "limitCount")]
    pub limit_count: Child,
    #[serde(rename = "withClause")]
    pub with_clause: Option<WithClause>,
    pub larg: Option<Box<SelectStmt>>,
    pub rarg: Option<Box<SelectStmt>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InsertStmt {
    pub relation: Option<RangeVar>,
    pub cols: Vec<Node>,
    #[serde(rename = "selectStmt")]
    pub select_stmt: Child,
    #[serde(rename = "onConflictClause")]
    pub on_conflict_clause: Option<Box<OnConflictClause>>,
    #[serde(rename = "returningClause")]
    pub returning_clause: Option<ReturningClause>,
    #[serde(rename = "withClause")]
    pub with_clause: Option<WithClause>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct UpdateStmt {
    pub relation: Option<RangeVar>,
    #[serde(rename = "targetList")]
    pub target_list: Vec<Node>,
    #[serde(rename = "whereClause")]
    pub where_clause: Child,
    #[serde(rename = "fromClause")]
    pub from_clause: Vec<Node>,
    #[serde(rename = "returningClause")]
    pub returning_clause: Option<ReturningClause>,
    #[serde(rename = "withClause")]
    pub with_clause: Option<WithClause>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeleteStmt {
    pub relation: Option<RangeVar>,
    #[serde(rename = "usingClause")]
    pub using_clause: Vec<Node>,
    #[serde(rename = "whereClause")]
    pub where_clause: Child,
    #[serde(rename = "returningClause")]
    pub returning_clause: Option<ReturningClause>,
    #[serde(rename = "withClause")]
    pub with_clause: Option<WithClause>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ViewStmt {
    pub query: Child,
}

/// `CreateTableAsStmt`, `ExplainStmt`, `DeclareCursorStmt`, `PrepareStmt`: resolution reads only
/// their query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueryHolder {
    pub query: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WithClause {
    pub ctes: Vec<Node>,
    pub recursive: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CommonTableExpr {
    pub ctename: String,
    pub aliascolnames: Vec<Node>,
    pub ctequery: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReturningClause {
    pub exprs: Vec<Node>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OnConflictClause {
    pub infer: Option<Box<InferClause>>,
    #[serde(rename = "targetList")]
    pub target_list: Vec<Node>,
    #[serde(rename = "whereClause")]
    pub where_clause: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct InferClause {
    #[serde(rename = "indexElems")]
    pub index_elems: Vec<Node>,
    #[serde(rename = "whereClause")]
    pub where_clause: Child,
    pub location: i32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct IndexElem {
    pub name: String,
    pub expr: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ResTarget {
    pub name: String,
    pub indirection: Vec<Node>,
    pub val: Child,
    pub location: i32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ColumnRef {
    pub fields: Vec<Node>,
    pub location: i32,
}

/// The `String` node: a name, or one part of a qualified one.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Str {
    pub sval: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct AStar {}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RangeVar {
    pub schemaname: String,
    pub relname: String,
    pub alias: Option<Alias>,
    pub location: i32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Alias {
    pub aliasname: String,
    pub colnames: Vec<Node>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JoinExpr {
    pub larg: Child,
    pub rarg: Child,
    #[serde(rename = "usingClause")]
    pub using_clause: Vec<Node>,
    pub quals: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RangeSubselect {
    pub subquery: Child,
    pub alias: Option<Alias>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RangeFunction {
    pub functions: Vec<Node>,
    pub alias: Option<Alias>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RangeTableSample {
    pub relation: Child,
    pub args: Vec<Node>,
    pub repeatable: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SubLink {
    pub testexpr: Child,
    pub subselect: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AExpr {
    pub lexpr: Child,
    pub rexpr: Child,
}

/// `BoolExpr`, `CoalesceExpr`, `MinMaxExpr`, `RowExpr`: a list of arguments.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Args {
    pub args: Vec<Node>,
}

/// `TypeCast`, `CollateClause`, `NullTest`, `BooleanTest`, `NamedArgExpr`: one argument.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Arg {
    pub arg: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FuncCall {
    pub funcname: Vec<Node>,
    pub args: Vec<Node>,
    pub agg_order: Vec<Node>,
    pub agg_filter: Child,
    pub over: Option<Box<WindowDef>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct WindowDef {
    #[serde(rename = "partitionClause")]
    pub partition_clause: Vec<Node>,
    #[serde(rename = "orderClause")]
    pub order_clause: Vec<Node>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CaseExpr {
    pub arg: Child,
    pub args: Vec<Node>,
    pub defresult: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CaseWhen {
    pub expr: Child,
    pub result: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AArrayExpr {
    pub elements: Vec<Node>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct List {
    pub items: Vec<Node>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AIndirection {
    pub arg: Child,
    pub indirection: Vec<Node>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AIndices {
    pub lidx: Child,
    pub uidx: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SortBy {
    pub node: Child,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GroupingSet {
    pub content: Vec<Node>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MultiAssignRef {
    pub source: Child,
    pub colno: i32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct XmlExpr {
    pub named_args: Vec<Node>,
    pub args: Vec<Node>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(sql: &str) -> NodeEnum {
        let mut parsed = parse(sql).unwrap();
        parsed.stmts.remove(0).stmt.and_then(|n| n.node).unwrap()
    }

    #[test]
    fn reads_the_fields_resolution_needs_and_passes_over_other_kinds() {
        let NodeEnum::SelectStmt(s) = first("SELECT u.email, 1 FROM app.users AS u WHERE u.id = $1") else {
            panic!("a SELECT")
        };
        let Some(NodeEnum::ResTarget(rt)) = &s.target_list[0].node else { panic!("a target") };
        let Some(NodeEnum::ColumnRef(c)) = rt.val.as_deref().and_then(|n| n.node.as_ref()) else { panic!() };
        let parts: Vec<&str> = c
            .fields
            .iter()
            .filter_map(|f| match &f.node {
                Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!((parts, c.location), (vec!["u", "email"], 7));
        // A constant is a kind resolution does not read.
        let Some(NodeEnum::ResTarget(rt)) = &s.target_list[1].node else { panic!("a target") };
        assert!(rt.val.as_deref().is_some_and(|n| n.node.is_none()));
        let Some(NodeEnum::RangeVar(rv)) = &s.from_clause[0].node else { panic!("a relation") };
        assert_eq!((rv.schemaname.as_str(), rv.relname.as_str(), rv.location), ("app", "users", 23));
        assert_eq!(rv.alias.as_ref().map(|a| a.aliasname.as_str()), Some("u"));
        assert!(s.where_clause.as_deref().is_some_and(|w| matches!(w.node, Some(NodeEnum::AExpr(_)))));
    }

    #[test]
    fn reads_set_operations_ctes_and_dml_clauses() {
        let NodeEnum::InsertStmt(i) = first(
            "WITH RECURSIVE t(a) AS (SELECT 1 UNION ALL SELECT a FROM t) INSERT INTO x (a) SELECT a FROM t \
             ON CONFLICT (a) WHERE a > 0 DO UPDATE SET a = excluded.a RETURNING *",
        ) else {
            panic!("an INSERT")
        };
        let with = i.with_clause.as_ref().unwrap();
        assert!(with.recursive);
        let Some(NodeEnum::CommonTableExpr(cte)) = &with.ctes[0].node else { panic!("a CTE") };
        let Some(NodeEnum::SelectStmt(union)) = cte.ctequery.as_deref().and_then(|n| n.node.as_ref()) else { panic!() };
        assert!(union.larg.is_some() && union.rarg.as_ref().is_some_and(|r| r.from_clause.len() == 1));
        assert_eq!(i.relation.as_ref().map(|r| r.relname.as_str()), Some("x"));
        let conflict = i.on_conflict_clause.as_ref().unwrap();
        assert!(conflict.infer.as_ref().is_some_and(|inf| inf.index_elems.len() == 1 && inf.where_clause.is_some()));
        assert_eq!(conflict.target_list.len(), 1);
        assert_eq!(i.returning_clause.as_ref().map(|r| r.exprs.len()), Some(1));
    }

    #[test]
    fn a_syntax_error_is_postgres_message() {
        let err = parse("SELECT FROM WHERE").unwrap_err();
        assert!(err.0.contains("syntax error at or near \"WHERE\""), "{err}");
        assert!(parse("SELECT 1\0").is_err());
    }
}

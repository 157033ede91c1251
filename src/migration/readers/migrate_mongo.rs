//! migrate-mongo migrations (`migrations/20240101120000-rename-x.js`, `module.exports = { async
//! up(db, client) {…}, async down(db, client) {…} }`, or ESM/TypeScript `export async function
//! up(db)`) → operations, on the collections of the `db` the functions are given:
//!
//! * `db.collection('C')` / `db.getCollection('C')` (also held in a variable, the name also a
//!   constant, or each name of a literal list a loop goes over) with `updateMany`/`updateOne`/`findOneAndUpdate`: `$rename` → `RenameColumn`,
//!   `$unset` → `DropColumn`, `$set` of a conversion of the same field (`Number(doc.age)`,
//!   `{ $toString: '$age' }`, `$convert`) → `ChangeColumnType` to the BSON type it gives; each
//!   update is also a `Data` step (`UPDATE`, or [`UPDATE_EVERY_DOCUMENT`] when an `updateMany`
//!   has no filter);
//! * `drop()` / `db.dropCollection` → `DropTable`, `rename('D')` / `db.renameCollection` →
//!   `RenameTable`, `db.createCollection('C', { validator })` → `CreateTable` with the fields of a
//!   literal `$jsonSchema`, `createIndex`/`createIndexes`/`dropIndex` → index steps (`background:
//!   true` is a build that does not block, read as `concurrently`).
//!
//! What touches data or schema and cannot be named — a collection name computed at run time, a
//! loop over `db.collections()`, `db.command(…)`, a helper handed `db`, an update document built
//! at run time, a bulk write — is `Unparsed` at the call.

use crate::grammar::NodeExt;
use std::path::Path;

use tree_sitter::Node;

use super::js::{self, Api, Ctx, Function, Val, text, value};
use super::{descendants, excerpt};
use crate::error::Result;
use crate::migration::{Direction, Format, Migration, OpKind, Operation};
use crate::schema::{Column, Dialect, Index, QualifiedName};

/// The `Data` verb of an `updateMany` with no filter: it rewrites every document of the
/// collection in one operation.
pub const UPDATE_EVERY_DOCUMENT: &str = "UPDATE ALL";

/// The file migrate-mongo keeps beside its `migrations/` folder.
pub const CONFIG_FILE: &str = "migrate-mongo-config.js";

pub fn read(path: &Path, src: &str, dialect: Dialect) -> Result<Migration> {
    js::read::<MigrateMongo>(path, src, dialect)
}

/// Whether a JS/TS migration's content is migrate-mongo's: calls on collections of a `db`.
pub fn detect(src: &str) -> bool {
    src.contains("migrate-mongo")
        || ["collection(", "getCollection(", "createCollection(", "dropCollection(", "renameCollection("]
            .iter()
            .any(|c| src.contains(c))
            && src.contains("up")
}

struct MigrateMongo;

impl Api for MigrateMongo {
    const FORMAT: Format = Format::MigrateMongo;
    const EXPECTED: &'static str = "expected `module.exports = { async up(db, client) {…}, async down(db, client) {…} }` (or `export async function up(db)`)";

    fn direction(ctx: &Ctx, f: Function, dir: Direction) -> Vec<Operation> {
        let Some(db) = f.receiver.map(|r| text(r, ctx.src)) else { return Vec::new() };
        let reading = Reading { ctx, db, dir, body: f.body };
        let mut out = Vec::new();
        for call in descendants(f.body).into_iter().filter(|n| n.kind_name() == "call_expression") {
            out.extend(reading.call(call));
        }
        out
    }
}

/// What the object of a call is.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// The migration's `db`.
    Db,
    /// The collections it may be: one, or each of a literal list a loop goes over.
    Collections(Vec<String>),
    /// A collection tandem cannot name, and why.
    Unnamed(&'static str),
    Other,
}

/// Collection methods that change documents, indexes or the collection.
const WRITES: &[&str] = &[
    "updateMany",
    "updateOne",
    "findOneAndUpdate",
    "replaceOne",
    "findOneAndReplace",
    "insertOne",
    "insertMany",
    "deleteOne",
    "deleteMany",
    "findOneAndDelete",
    "bulkWrite",
    "initializeOrderedBulkOp",
    "initializeUnorderedBulkOp",
    "drop",
    "rename",
    "createIndex",
    "createIndexes",
    "ensureIndex",
    "dropIndex",
    "dropIndexes",
];

/// Collection methods that only read.
const READS: &[&str] = &[
    "find",
    "findOne",
    "aggregate",
    "count",
    "countDocuments",
    "estimatedDocumentCount",
    "distinct",
    "indexes",
    "listIndexes",
    "indexExists",
    "indexInformation",
    "isCapped",
    "options",
    "stats",
    "watch",
    "listSearchIndexes",
];

/// `db` methods that only read or hand out a collection (read where it is used).
const DB_READS: &[&str] = &[
    "collection",
    "getCollection",
    "listCollections",
    "collections",
    "stats",
    "admin",
    "indexInformation",
    "profilingInfo",
];

const UNNAMED_COMPUTED: &str = "a collection name computed at run time cannot be read";
const UNNAMED_OTHER_DB: &str = "a collection of a database handle other than the migration's `db` cannot be checked";
const COMPUTED_FIELDS: &str = "field names computed at run time cannot be read";
const UNNAMED_UNKNOWN: &str =
    "a write on a collection tandem cannot name (a loop over `db.collections()`, a handle from elsewhere)";

struct Reading<'a, 't> {
    ctx: &'a Ctx<'a>,
    db: &'a str,
    dir: Direction,
    body: Node<'t>,
}

impl<'t> Reading<'_, 't> {
    fn one(&self, node: Node, kind: OpKind) -> Vec<Operation> {
        vec![self.ctx.at(node, self.dir, kind)]
    }

    fn unparsed(&self, node: Node, reason: &str) -> Vec<Operation> {
        vec![self.ctx.unparsed(node, self.dir, reason)]
    }

    /// A string argument: a literal, or a name last declared with one.
    fn name(&self, node: Node) -> Option<String> {
        js::string(self.ctx.literal_of(node), self.ctx.src)
    }

    /// The names an argument stands for: a string (or a name declared with one), or each
    /// element of a literal list of strings the argument ranges over — a `for … of` variable,
    /// `list[i]`, the parameter of a `list.map`/`forEach` callback (the list written there or
    /// declared before).
    fn names(&self, node: Node) -> Option<Vec<String>> {
        if let Some(s) = self.name(node) {
            return Some(vec![s]);
        }
        let src = self.ctx.src;
        match node.kind_name() {
            "subscript_expression" => self.list(node.field("object")?),
            "identifier" => {
                let name = text(node, src);
                let mut up = node.parent();
                while let Some(n) = up {
                    match n.kind_name() {
                        "for_in_statement" if n.field("left").is_some_and(|l| text(l, src) == name) => {
                            let of = n.field("operator").is_some_and(|o| text(o, src) == "of");
                            return if of { self.list(n.field("right")?) } else { None };
                        }
                        "arrow_function" | "function_expression" if binds(n, name, src) => {
                            let call = n.parent()?.parent().filter(|c| c.kind_name() == "call_expression")?;
                            let callee = call.field("function").filter(|f| f.kind_name() == "member_expression")?;
                            let method = callee.field("property").map(|p| text(p, src));
                            return match method {
                                Some("map" | "forEach" | "flatMap") => self.list(callee.field("object")?),
                                _ => None,
                            };
                        }
                        _ => up = n.parent(),
                    }
                }
                None
            }
            _ => None,
        }
    }

    /// The strings of a literal list, written here or declared before.
    fn list(&self, node: Node) -> Option<Vec<String>> {
        let node = self.ctx.declared(node, &["array"]);
        (node.kind_name() == "array").then(|| value(node, self.ctx.src).strs()).flatten().filter(|l| !l.is_empty())
    }

    /// What `node` (the object of a call) is.
    fn target(&self, node: Node) -> Target {
        match node.kind_name() {
            "await_expression" | "parenthesized_expression" | "non_null_expression" | "as_expression" => {
                node.named_child(0).map_or(Target::Other, |n| self.target(n))
            }
            "identifier" if text(node, self.ctx.src) == self.db => Target::Db,
            "identifier" => self.handle(node),
            "call_expression" => {
                let Some(callee) = node.field("function").filter(|c| c.kind_name() == "member_expression") else {
                    return Target::Other;
                };
                let method = callee.field("property").map(|p| text(p, self.ctx.src));
                if !matches!(method, Some("collection" | "getCollection" | "createCollection")) {
                    return Target::Other;
                }
                let on = callee.field("object").map_or(Target::Other, |o| self.target(o));
                if on != Target::Db {
                    return Target::Unnamed(UNNAMED_OTHER_DB);
                }
                let first = node.field("arguments").and_then(|a| a.named_child(0));
                match first.and_then(|a| self.names(a)) {
                    Some(cs) => Target::Collections(cs),
                    None => Target::Unnamed(UNNAMED_COMPUTED),
                }
            }
            _ => Target::Other,
        }
    }

    /// What a variable holds: the last declaration or assignment of it before `node` in the
    /// direction's body, when that is a collection.
    fn handle(&self, node: Node) -> Target {
        let name = text(node, self.ctx.src);
        let value = descendants(self.body)
            .into_iter()
            .filter(|d| d.end_byte() <= node.start_byte())
            .filter_map(|d| match d.kind_name() {
                "variable_declarator" => {
                    d.field("name").filter(|n| text(*n, self.ctx.src) == name).and_then(|_| d.field("value"))
                }
                "assignment_expression" => {
                    d.field("left").filter(|n| text(*n, self.ctx.src) == name).and_then(|_| d.field("right"))
                }
                _ => None,
            })
            .next_back();
        match value.map(|v| self.target(v)) {
            Some(t @ (Target::Collections(_) | Target::Unnamed(_))) => t,
            _ => Target::Other,
        }
    }

    fn call(&self, call: Node) -> Vec<Operation> {
        let Some(callee) = call.field("function") else { return Vec::new() };
        let args = call.field("arguments").map_or_else(Vec::new, |a| {
            let mut cursor = a.walk();
            a.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").collect::<Vec<_>>()
        });
        let member = (callee.kind_name() == "member_expression")
            .then(|| Some((callee.field("object")?, text(callee.field("property")?, self.ctx.src))))
            .flatten();
        let target = member.map_or(Target::Other, |(o, _)| self.target(o));
        match (target, member) {
            (Target::Db, Some((_, m))) => self.db_call(call, m, &args),
            (Target::Collections(cs), Some((_, m))) => {
                cs.iter().flat_map(|c| self.collection_call(call, c, m, &args)).collect()
            }
            (Target::Unnamed(why), Some((_, m))) if !READS.contains(&m) => self.unparsed(call, why),
            (Target::Other, Some((_, m))) if WRITES.contains(&m) && !self.is_cursor_or_array(call) => {
                self.unparsed(call, UNNAMED_UNKNOWN)
            }
            // A helper handed `db` may change any collection.
            _ if args.iter().any(|a| a.kind_name() == "identifier" && text(*a, self.ctx.src) == self.db) => {
                self.unparsed(call, "a function handed `db` may change collections tandem cannot see")
            }
            _ => Vec::new(),
        }
    }

    /// `bulk.insert(…)` on `initializeOrderedBulkOp()`'s result, or an array's own methods, are
    /// not collection writes: the bulk operation itself is reported where it is made.
    fn is_cursor_or_array(&self, call: Node) -> bool {
        let method = call.field("function").and_then(|f| f.field("property")).map(|p| text(p, self.ctx.src));
        matches!(method, Some("insert" | "find" | "execute"))
    }

    fn db_call(&self, call: Node, method: &str, args: &[Node]) -> Vec<Operation> {
        let name = |i: usize| args.get(i).and_then(|a| self.name(*a));
        let t = |n: &str| QualifiedName::unqualified(n);
        match method {
            m if DB_READS.contains(&m) => Vec::new(),
            "createCollection" => {
                let Some(c) = name(0) else { return self.unparsed(call, UNNAMED_COMPUTED) };
                let options = args.get(1).map(|o| value(*o, self.ctx.src));
                let columns = match options.as_ref().and_then(|o| o.get("validator")) {
                    None => Vec::new(),
                    Some(v) => match validator_columns(v) {
                        Ok(columns) => columns,
                        Err(why) => return self.unparsed(call, &why),
                    },
                };
                self.one(
                    call,
                    OpKind::CreateTable {
                        table: t(&c),
                        columns,
                        primary_key: None,
                        foreign_keys: Vec::new(),
                        if_not_exists: false,
                    },
                )
            }
            "dropCollection" => match name(0) {
                Some(c) => self.one(call, OpKind::DropTable { table: t(&c), if_exists: false, cascade: false }),
                None => self.unparsed(call, UNNAMED_COMPUTED),
            },
            "renameCollection" => match (name(0), name(1)) {
                (Some(from), Some(to)) => self.one(call, OpKind::RenameTable { from: t(&from), to: t(&to) }),
                _ => self.unparsed(call, UNNAMED_COMPUTED),
            },
            "createIndex" => match name(0) {
                Some(c) => self.indexes(call, &c, args.get(1).copied(), args.get(2).copied()),
                None => self.unparsed(call, UNNAMED_COMPUTED),
            },
            "command" | "runCommand" | "eval" => {
                self.unparsed(call, "a database command (`db.command`) is not read: it may change any collection")
            }
            "dropDatabase" => self.unparsed(call, "`dropDatabase` drops every collection"),
            other => self.unparsed(call, &format!("unknown `db` method `{other}`")),
        }
    }

    fn collection_call(&self, call: Node, c: &str, method: &str, args: &[Node]) -> Vec<Operation> {
        let table = QualifiedName::unqualified(c);
        let data = |verb: &str| self.one(call, OpKind::Data { verb: verb.to_owned(), table: Some(table.clone()) });
        if WRITES.contains(&method) && args.iter().any(|a| a.kind_name() == "spread_element") {
            return self.unparsed(call, "arguments spread at run time (`...args`) cannot be read");
        }
        match method {
            "updateMany" | "updateOne" | "findOneAndUpdate" => self.update(call, &table, method == "updateMany", args),
            "replaceOne" | "findOneAndReplace" => data("UPDATE"),
            "insertOne" | "insertMany" => data("INSERT"),
            "deleteOne" | "deleteMany" | "findOneAndDelete" => data("DELETE"),
            "drop" => self.one(call, OpKind::DropTable { table, if_exists: false, cascade: false }),
            "rename" => match args.first().and_then(|a| self.name(*a)) {
                Some(to) => self.one(call, OpKind::RenameTable { from: table, to: QualifiedName::unqualified(&to) }),
                None => self.unparsed(call, UNNAMED_COMPUTED),
            },
            "createIndex" | "ensureIndex" => self.indexes(call, c, args.first().copied(), args.get(1).copied()),
            "createIndexes" => match args.first().map(|a| value(*a, self.ctx.src)) {
                Some(Val::List(specs)) => {
                    let mut out = Vec::new();
                    for spec in &specs {
                        match spec.get("key").and_then(|k| index(c, k, Some(spec))) {
                            Some(kind) => out.extend(self.one(call, kind)),
                            None => return self.unparsed(call, "index keys computed at run time cannot be read"),
                        }
                    }
                    out
                }
                _ => self.unparsed(call, "index specifications computed at run time cannot be read"),
            },
            "dropIndex" => {
                let name = match args.first().map(|a| value(*a, self.ctx.src)) {
                    Some(Val::Str(n)) => Some(n),
                    Some(keys @ Val::Obj(_)) => index_name(&keys),
                    _ => None,
                };
                match name {
                    Some(n) => self.one(
                        call,
                        OpKind::DropIndex {
                            name: QualifiedName::unqualified(&n),
                            concurrently: false,
                            if_exists: false,
                        },
                    ),
                    None => self.unparsed(call, "an index name computed at run time cannot be read"),
                }
            }
            // Indexes change no field an app reads.
            "dropIndexes" => self.one(call, OpKind::Raw { sql: excerpt(text(call, self.ctx.src)) }),
            "aggregate" => {
                let stages = args.first().map(|a| text(*a, self.ctx.src)).unwrap_or_default();
                if stages.contains("$out") || stages.contains("$merge") {
                    self.unparsed(call, "an aggregation that writes (`$out`, `$merge`) is not read")
                } else {
                    Vec::new()
                }
            }
            m if READS.contains(&m) => Vec::new(),
            "bulkWrite" | "initializeOrderedBulkOp" | "initializeUnorderedBulkOp" => {
                self.unparsed(call, "bulk writes are not read: their updates may rename or remove fields")
            }
            other => self.unparsed(call, &format!("unknown collection method `{other}`")),
        }
    }

    fn indexes(&self, call: Node, c: &str, keys: Option<Node>, options: Option<Node>) -> Vec<Operation> {
        let keys = keys.map(|k| value(k, self.ctx.src));
        // `createIndex('field')`: one ascending key.
        let keys = match keys {
            Some(Val::Str(field)) => Some(Val::Obj(vec![(field, Val::Num(1.0))])),
            other => other,
        };
        let options = options.map(|o| value(o, self.ctx.src));
        match keys.as_ref().and_then(|k| index(c, k, options.as_ref())) {
            Some(kind) => self.one(call, kind),
            None => self.unparsed(call, "index keys computed at run time cannot be read"),
        }
    }

    /// An update: a `Data` step, then what its operators do to fields.
    fn update(&self, call: Node, table: &QualifiedName, many: bool, args: &[Node]) -> Vec<Operation> {
        let filter = args.first().map(|f| value(*f, self.ctx.src));
        let every = many && filter.as_ref().is_none_or(|f| matches!(f, Val::Obj(o) if o.is_empty()));
        let verb = if every { UPDATE_EVERY_DOCUMENT } else { "UPDATE" };
        let mut out = self.one(call, OpKind::Data { verb: verb.to_owned(), table: Some(table.clone()) });
        let Some(update) = args.get(1).map(|u| self.ctx.declared(*u, &["object", "array"])) else {
            return self.unparsed(call, "an update without an update document");
        };
        match update.kind_name() {
            "object" => match pairs(update, self.ctx.src) {
                Ok(ops) => {
                    for (op, v) in ops {
                        out.extend(self.operator(call, table, &op, v, false));
                    }
                }
                Err(at) => out.extend(self.unparsed(at, COMPUTED_FIELDS)),
            },
            "array" => {
                let mut cursor = update.walk();
                for stage in update.named_children(&mut cursor).filter(|s| s.kind_name() != "comment") {
                    if stage.kind_name() != "object" {
                        out.extend(self.unparsed(stage, "a pipeline stage built at run time cannot be read"));
                        continue;
                    }
                    match pairs(stage, self.ctx.src) {
                        Ok(ops) => {
                            for (op, v) in ops {
                                out.extend(self.operator(call, table, &op, v, true));
                            }
                        }
                        Err(at) => out.extend(self.unparsed(at, COMPUTED_FIELDS)),
                    }
                }
            }
            _ => out.extend(self.unparsed(call, "an update document built at run time cannot be read")),
        }
        out
    }

    /// One update operator (or pipeline stage) and its argument.
    fn operator(&self, call: Node, table: &QualifiedName, op: &str, arg: Node, pipeline: bool) -> Vec<Operation> {
        let t = || table.clone();
        let mut out = Vec::new();
        match op {
            "$rename" if !pipeline => {
                let Some(Ok(fields)) = (arg.kind_name() == "object").then(|| pairs(arg, self.ctx.src)) else {
                    return self.unparsed(arg, COMPUTED_FIELDS);
                };
                for (from, to) in fields {
                    match self.name(to) {
                        Some(to) => out.extend(self.one(call, OpKind::RenameColumn { table: t(), from, to })),
                        None => out.extend(self.unparsed(to, "a new field name computed at run time cannot be read")),
                    }
                }
            }
            "$unset" => {
                let fields = match arg.kind_name() {
                    "object" if !pipeline => {
                        pairs(arg, self.ctx.src).ok().map(|ps| ps.into_iter().map(|(f, _)| f).collect())
                    }
                    _ if pipeline => value(self.ctx.literal_of(arg), self.ctx.src).strs(),
                    _ => None,
                };
                let Some(fields) = fields else { return self.unparsed(arg, COMPUTED_FIELDS) };
                for column in fields {
                    out.extend(self.one(call, OpKind::DropColumn { table: t(), column, if_exists: false }));
                }
            }
            "$set" | "$addFields" if arg.kind_name() == "object" => {
                let Ok(fields) = pairs(arg, self.ctx.src) else { return self.unparsed(arg, COMPUTED_FIELDS) };
                for (field, v) in fields {
                    if let Some(new_type) = conversion(&field, v, self.ctx.src) {
                        out.extend(
                            self.one(
                                call,
                                OpKind::ChangeColumnType { table: t(), column: field, new_type, using: None },
                            ),
                        );
                    }
                }
            }
            "$set" | "$addFields" => return self.unparsed(arg, COMPUTED_FIELDS),
            "$project" | "$replaceRoot" | "$replaceWith" if pipeline => {
                return self.unparsed(arg, "a stage that rebuilds the whole document is not read");
            }
            // `$inc`, `$push`, `$currentDate`, `$setOnInsert`, …: values, not fields.
            _ => {}
        }
        out
    }
}

/// Whether function `f`'s parameters bind `name`.
fn binds(f: Node, name: &str, src: &str) -> bool {
    let params = f.field("parameter").or_else(|| f.field("parameters"));
    params.is_some_and(|p| descendants(p).into_iter().any(|d| d.kind_name() == "identifier" && text(d, src) == name))
}

/// The key/value pairs of an object literal, keys as text; `Err` at a key computed at run time
/// (`[name]: …`) or a spread (`...fields`).
fn pairs<'t>(object: Node<'t>, src: &str) -> std::result::Result<Vec<(String, Node<'t>)>, Node<'t>> {
    let mut cursor = object.walk();
    let mut out = Vec::new();
    for p in object.named_children(&mut cursor).filter(|p| p.kind_name() != "comment") {
        // `{ billingId }`: the field is named, its value a variable.
        if p.kind_name() == "shorthand_property_identifier" {
            out.push((text(p, src).to_owned(), p));
            continue;
        }
        let (Some(key), Some(value)) = (p.field("key"), p.field("value")) else {
            return Err(p);
        };
        match key.kind_name() {
            "computed_property_name" => return Err(p),
            _ => out.push((js::string(key, src).unwrap_or_else(|| text(key, src).to_owned()), value)),
        }
    }
    Ok(out)
}

/// JS functions and constructors that convert a value to a BSON type.
const JS_CONVERSIONS: &[(&str, &str)] = &[
    ("Number", "number"),
    ("parseInt", "int"),
    ("parseFloat", "double"),
    ("String", "string"),
    ("toString", "string"),
    ("Boolean", "bool"),
    ("Date", "date"),
    ("ObjectId", "objectId"),
    ("Decimal128", "decimal"),
    ("Long", "long"),
    ("Int32", "int"),
    ("Double", "double"),
];

/// Aggregation conversion operators and the type each gives.
const AGG_CONVERSIONS: &[(&str, &str)] = &[
    ("$toString", "string"),
    ("$toInt", "int"),
    ("$toLong", "long"),
    ("$toDouble", "double"),
    ("$toDecimal", "decimal"),
    ("$toBool", "bool"),
    ("$toDate", "date"),
    ("$toObjectId", "objectId"),
];

/// `$convert`'s numeric type codes.
const TYPE_CODES: &[(i64, &str)] = &[
    (1, "double"),
    (2, "string"),
    (7, "objectId"),
    (8, "bool"),
    (9, "date"),
    (16, "int"),
    (18, "long"),
    (19, "decimal"),
];

/// The BSON type `value` converts `field` to, when it is a conversion of that same field:
/// `Number(doc.age)`, `doc.age.toString()`, `new Date(d.at)`, `{ $toInt: '$age' }`,
/// `{ $convert: { input: '$age', to: 'int' } }`.
fn conversion(field: &str, value: Node, src: &str) -> Option<String> {
    let last = field.rsplit('.').next().unwrap_or(field);
    let mentions = |n: Node| {
        descendants(n).into_iter().any(|d| match d.kind_name() {
            "property_identifier" | "identifier" => text(d, src) == last,
            "string_fragment" => text(d, src) == last,
            _ => false,
        })
    };
    let is_field = |n: Node| js::string(n, src).is_some_and(|s| s == format!("${field}"));
    match value.kind_name() {
        "call_expression" | "new_expression" => {
            let callee = value.field("function").or_else(|| value.field("constructor"))?;
            let callee = text(callee, src);
            // `Decimal128.fromString(x)`, `Long.fromNumber(x)`: the class names the type.
            let class = callee.split('.').find(|s| JS_CONVERSIONS.iter().any(|(f, _)| f == s && *s != "toString"));
            let name = class.unwrap_or_else(|| callee.rsplit('.').next().unwrap_or(callee));
            let (_, ty) = JS_CONVERSIONS.iter().find(|(f, _)| *f == name)?;
            mentions(value).then(|| (*ty).to_owned())
        }
        "template_string" => mentions(value).then(|| "string".to_owned()),
        "object" => {
            let ps = pairs(value, src).ok()?;
            let [(op, arg)] = ps.as_slice() else { return None };
            if let Some((_, ty)) = AGG_CONVERSIONS.iter().find(|(o, _)| o == op) {
                return is_field(*arg).then(|| (*ty).to_owned());
            }
            if op != "$convert" || arg.kind_name() != "object" {
                return None;
            }
            let opts = pairs(*arg, src).ok()?;
            let input = opts.iter().find(|(k, _)| k == "input").map(|(_, v)| *v)?;
            let to = opts.iter().find(|(k, _)| k == "to").map(|(_, v)| js::value(*v, src))?;
            let ty = match to {
                Val::Str(s) => s,
                Val::Num(n) => TYPE_CODES.iter().find(|(c, _)| *c as f64 == n)?.1.to_owned(),
                _ => return None,
            };
            is_field(input).then_some(ty)
        }
        _ => None,
    }
}

/// The default name MongoDB gives an index: each key and its direction or kind, joined by `_`.
fn index_name(keys: &Val) -> Option<String> {
    let Val::Obj(keys) = keys else { return None };
    let parts: Option<Vec<String>> = keys
        .iter()
        .map(|(k, v)| match v {
            Val::Num(n) => Some(format!("{k}_{n}")),
            Val::Str(kind) => Some(format!("{k}_{kind}")),
            _ => None,
        })
        .collect();
    parts.filter(|p| !p.is_empty()).map(|p| p.join("_"))
}

/// An `AddIndex` on collection `c` from literal keys and options.
fn index(c: &str, keys: &Val, options: Option<&Val>) -> Option<OpKind> {
    let Val::Obj(pairs) = keys else { return None };
    let opt = |k: &str| options.and_then(|o| o.get(k));
    let name = opt("name").and_then(Val::str).map(str::to_owned).or_else(|| index_name(keys))?;
    let keys = pairs
        .iter()
        .map(|(k, v)| {
            let direction = match v {
                Val::Num(n) => serde_json::json!(n),
                Val::Str(s) => serde_json::json!(s),
                _ => serde_json::Value::Null,
            };
            crate::schema::mongodb::index_key(k, &direction)
        })
        .collect();
    Some(OpKind::AddIndex {
        table: QualifiedName::unqualified(c),
        index: Index {
            name,
            unique: opt("unique").is_some_and(Val::truthy),
            method: "btree".to_owned(),
            keys,
            include: Vec::new(),
            predicate: None,
        },
        concurrently: opt("background").is_some_and(Val::truthy),
        if_not_exists: false,
    })
}

/// The fields of a literal `{ $jsonSchema: … }` validator; why not, when it is not one.
fn validator_columns(validator: &Val) -> std::result::Result<Vec<Column>, String> {
    let json = validator.get("$jsonSchema").and_then(Val::json).ok_or_else(|| {
        "a validator that is not a literal `$jsonSchema` cannot be read: the collection's fields are unknown".to_owned()
    })?;
    crate::schema::mongodb::validator_columns(json)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_js(name: &str, src: &str) -> Migration {
        read(Path::new(name), src, Dialect::Mongodb).unwrap()
    }

    fn kinds(ops: &[Operation]) -> Vec<String> {
        ops.iter()
            .map(|o| match &o.kind {
                OpKind::RenameColumn { table, from, to } => format!("rename {table}.{from} -> {to}"),
                OpKind::DropColumn { table, column, .. } => format!("drop {table}.{column}"),
                OpKind::ChangeColumnType { table, column, new_type, .. } => format!("type {table}.{column} {new_type}"),
                OpKind::DropTable { table, .. } => format!("drop table {table}"),
                OpKind::RenameTable { from, to } => format!("rename table {from} -> {to}"),
                OpKind::CreateTable { table, columns, .. } => format!(
                    "create {table} ({})",
                    columns.iter().map(|c| format!("{} {}", c.name, c.data_type)).collect::<Vec<_>>().join(", ")
                ),
                OpKind::AddIndex { table, index, concurrently, .. } => {
                    format!("index {} on {table}{}", index.name, if *concurrently { " background" } else { "" })
                }
                OpKind::DropIndex { name, .. } => format!("drop index {name}"),
                OpKind::Data { verb, table } => {
                    format!("{verb} {}", table.as_ref().map(|t| t.to_string()).unwrap_or_default())
                }
                OpKind::Unparsed { reason, .. } => format!("unparsed: {reason}"),
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn commonjs_renames_unsets_and_converts() {
        let m = read_js(
            "migrations/20240105101500-rename-score.js",
            r#"const COLLECTION = 'GameScore';

module.exports = {
  async up(db, client) {
    const scores = db.collection(COLLECTION);
    await scores.updateMany({}, { $rename: { score: 'points', 'meta.old': 'meta.new' } });
    await db.getCollection('players').updateMany({ legacy: { $exists: true } }, { $unset: { legacy: '' } });
    const docs = await db.collection('players').find({}).toArray();
    for (const doc of docs) {
      await db.collection('players').updateOne({ _id: doc._id }, { $set: { age: Number(doc.age), seen: new Date() } });
    }
    await db.collection('players').updateMany({}, [{ $set: { rank: { $toInt: '$rank' } } }, { $unset: ['tmp'] }]);
    const pipeline = [{ $unset: 'nick' }];
    const billingId = 7;
    await db.collection('players').updateMany({ nick: { $exists: true } }, pipeline, { billingId });
    await db.collection('players').updateOne({ _id: 1 }, { $set: { billingId } });
  },

  async down(db) {
    await db.collection(COLLECTION).updateMany({}, { $rename: { points: 'score', 'meta.new': 'meta.old' } });
  },
};
"#,
        );
        assert_eq!(
            (m.version.as_str(), m.name.as_str(), m.format),
            ("20240105101500", "rename-score", Format::MigrateMongo)
        );
        assert_eq!(
            kinds(&m.up),
            [
                "UPDATE ALL GameScore",
                "rename GameScore.score -> points",
                "rename GameScore.meta.old -> meta.new",
                "UPDATE players",
                "drop players.legacy",
                "UPDATE players",
                "type players.age number",
                "UPDATE ALL players",
                "type players.rank int",
                "drop players.tmp",
                "UPDATE players",
                "drop players.nick",
                "UPDATE players",
            ]
        );
        assert_eq!(m.up[1].span.line, 6);
        assert_eq!(kinds(m.down.as_ref().unwrap())[1], "rename GameScore.points -> score");
    }

    #[test]
    fn esm_and_typescript_collections_and_indexes() {
        let src = r#"import { Db, MongoClient } from 'mongodb';

export const up = async (db: Db, client: MongoClient): Promise<void> => {
  await db.createCollection('audit', {
    validator: { $jsonSchema: { bsonType: 'object', required: ['at'], properties: { at: { bsonType: 'date' }, who: { bsonType: 'string' } } } },
  });
  await db.collection('users').createIndex({ email: 1 }, { unique: true });
  await db.collection('users').createIndex({ createdAt: -1 }, { background: true, name: 'by_created' });
  await db.collection('users').createIndexes([{ key: { a: 1, b: -1 } }]);
  await db.collection('sessions').drop();
  await db.collection('logs').rename('events');
  await db.renameCollection('tmp', 'kept');
  await db.dropCollection('old');
};

export async function down(db: Db) {
  await db.collection('users').dropIndex('email_1');
  await db.collection('users').dropIndex({ a: 1, b: -1 });
}
"#;
        let m = read_js("migrations/20240106000000-indexes.ts", src);
        assert_eq!(
            kinds(&m.up),
            [
                "create audit (at date, who string)",
                "index email_1 on users",
                "index by_created on users background",
                "index a_1_b_-1 on users",
                "drop table sessions",
                "rename table logs -> events",
                "rename table tmp -> kept",
                "drop table old",
            ]
        );
        assert_eq!(kinds(m.down.as_ref().unwrap()), ["drop index email_1", "drop index a_1_b_-1"]);
        // The same file as JavaScript, `up` an exported function.
        let js = src.replace(": Db", "").replace(", client: MongoClient): Promise<void>", ")");
        assert_eq!(read_js("m/20240106000000-indexes.mjs", &js).up.len(), 8);
    }

    #[test]
    fn collection_names_from_literal_lists() {
        let m = read_js(
            "migrations/20240108000000-created-at.js",
            r#"const schemas = ['users', 'admins'];
module.exports = {
  async up(db) {
    for (let x = 0; x < schemas.length; x++) {
      await db.collection(schemas[x]).updateMany({ created: { $exists: true } }, { $rename: { created: 'createdAt' } });
    }
    for (const name of ['a', 'b']) {
      await db.collection(name).drop();
    }
    await Promise.all(['c'].map((c) => db.collection(c).drop()));
    for (const key in schemas) {
      await db.collection(key).drop();
    }
  },
};
"#,
        );
        assert_eq!(
            kinds(&m.up),
            [
                "UPDATE users",
                "rename users.created -> createdAt",
                "UPDATE admins",
                "rename admins.created -> createdAt",
                "drop table a",
                "drop table b",
                "drop table c",
                "unparsed: a collection name computed at run time cannot be read",
            ]
        );
    }

    #[test]
    fn what_cannot_be_named_is_unparsed() {
        let m = read_js(
            "migrations/20240107000000-loop.js",
            r#"const { renameField } = require('../lib');
module.exports = {
  async up(db, client) {
    for (const c of await db.collections()) {
      await c.updateMany({}, { $unset: { legacy: '' } });
    }
    const name = process.env.TARGET;
    await db.collection(name).drop();
    await db.command({ collMod: 'users', validator: {} });
    await renameField(db, 'users', 'a', 'b');
    const update = build();
    await db.collection('users').updateOne({ _id: 1 }, update);
    await db.collection('users').updateMany({ x: 1 }, { $rename: { [key]: 'y' } });
    await db.collection('users').bulkWrite(ops);
    await client.db('other').collection('users').drop();
  },
};
"#,
        );
        let k = kinds(&m.up);
        assert_eq!(k.iter().filter(|k| k.starts_with("unparsed")).count(), 8, "{k:#?}");
        assert!(k[0].contains("cannot name"), "{k:#?}");
        assert!(k.iter().any(|k| k.contains("db.command")), "{k:#?}");
        assert!(k.iter().any(|k| k.contains("function handed `db`")), "{k:#?}");
        assert!(k.iter().any(|k| k.contains("other than the migration")), "{k:#?}");
        assert!(m.down.is_none());
        let line = m.up.iter().find(|o| matches!(o.kind, OpKind::Unparsed { .. })).unwrap().span.line;
        assert_eq!(line, 5);
    }
}

//! PostgreSQL from `pg_catalog`, the way pg_dump reads it: the session's `search_path` is
//! emptied first, exactly as pg_dump does, so `format_type()`, `pg_get_expr()` and
//! `pg_get_viewdef()` print the same schema-qualified text a `structure.sql` dump holds, and the
//! dump reader and this module meet in the same canonical form. Objects in system schemas and
//! objects owned by extensions are skipped, as pg_dump skips them.

use std::collections::{BTreeMap, HashMap};

use sqlx::postgres::{PgConnection, PgRow};
use sqlx::{Connection, Row};

use super::{connect_error, db_error};
use crate::error::Result;
use crate::schema::postgres::normalize_expr;
use crate::schema::{
    CheckConstraint, Column, ColumnRef, CompositeAttribute, CompositeType, Dialect, EnumType, Extension, FkAction,
    ForeignKey, Function, Identity, Index, IndexKey, IndexPart, PartitionOf, PrimaryKey, QualifiedName, Schema,
    Sequence, Table, Trigger, UniqueConstraint, View, ViewDependency,
};

/// Namespaces that hold the system, never the user's schema.
const USER_NAMESPACE: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

/// `NOT EXISTS` an extension membership of the object `oid` in catalog `catalog`.
fn not_extension_owned(catalog: &str, oid: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '{catalog}'::regclass \
         AND e.objid = {oid} AND e.deptype = 'e')"
    )
}

struct Ctx<'a> {
    conn: PgConnection,
    shown: &'a str,
}

impl Ctx<'_> {
    async fn rows(&mut self, what: &str, sql: &str) -> Result<Vec<PgRow>> {
        sqlx::query(sql).fetch_all(&mut self.conn).await.map_err(|e| db_error(self.shown, &format!("read {what}"), e))
    }
}

fn get<'r, T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>>(
    row: &'r PgRow,
    col: &str,
    shown: &str,
) -> Result<T> {
    row.try_get(col).map_err(|e| db_error(shown, "decode the catalog", e))
}

pub(super) async fn introspect(url: &str, shown: &str) -> Result<Schema> {
    let conn = PgConnection::connect(url).await.map_err(|e| connect_error(shown, e))?;
    let mut cx = Ctx { conn, shown };
    cx.rows("the session", "SELECT pg_catalog.set_config('search_path', '', false)").await?;

    let mut schema = Schema::new(Dialect::Postgres);
    schema.namespaces = namespaces(&mut cx).await?;
    schema.extensions = extensions(&mut cx).await?;
    schema.enums = enums(&mut cx).await?;
    schema.composites = composites(&mut cx).await?;
    schema.sequences = sequences(&mut cx).await?;
    let (tables, views) = relations(&mut cx).await?;
    schema.tables = tables;
    schema.views = views;
    schema.functions = functions(&mut cx).await?;
    schema.triggers = triggers(&mut cx).await?;
    schema.migrations = history(&mut cx, "schema_migrations", "version", "version::text").await?;
    schema.django_migrations = history(&mut cx, "django_migrations", "name", "app::text || '.' || name::text").await?;
    let _ = cx.conn.close().await;
    Ok(schema)
}

async fn namespaces(cx: &mut Ctx<'_>) -> Result<Vec<String>> {
    let sql = format!(
        "SELECT n.nspname::text AS name FROM pg_namespace n WHERE {USER_NAMESPACE} AND n.nspname <> 'public' AND {}",
        not_extension_owned("pg_namespace", "n.oid")
    );
    let shown = cx.shown;
    cx.rows("schemas", &sql).await?.iter().map(|r| get(r, "name", shown)).collect()
}

async fn extensions(cx: &mut Ctx<'_>) -> Result<Vec<Extension>> {
    // Built-in extensions (plpgsql) have system oids; pg_dump leaves them out.
    let sql = "SELECT e.extname::text AS name, n.nspname::text AS schema FROM pg_extension e \
               JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.oid >= 16384";
    let shown = cx.shown;
    cx.rows("extensions", sql)
        .await?
        .iter()
        .map(|r| Ok(Extension { name: get(r, "name", shown)?, schema: Some(get(r, "schema", shown)?) }))
        .collect()
}

async fn enums(cx: &mut Ctx<'_>) -> Result<Vec<EnumType>> {
    let sql = format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name, \
           array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace JOIN pg_enum e ON e.enumtypid = t.oid \
         WHERE {USER_NAMESPACE} AND {} GROUP BY 1, 2",
        not_extension_owned("pg_type", "t.oid")
    );
    let shown = cx.shown;
    cx.rows("enum types", &sql)
        .await?
        .iter()
        .map(|r| {
            Ok(EnumType {
                name: qname(get(r, "schema", shown)?, get(r, "name", shown)?),
                values: get(r, "labels", shown)?,
            })
        })
        .collect()
}

async fn composites(cx: &mut Ctx<'_>) -> Result<Vec<CompositeType>> {
    let sql = format!(
        "SELECT n.nspname::text AS schema, t.typname::text AS name, \
           array_agg(a.attname::text ORDER BY a.attnum) AS attrs, \
           array_agg(format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) AS types \
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace \
         JOIN pg_class c ON c.oid = t.typrelid AND c.relkind = 'c' \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
         WHERE t.typtype = 'c' AND {USER_NAMESPACE} AND {} GROUP BY 1, 2",
        not_extension_owned("pg_type", "t.oid")
    );
    let shown = cx.shown;
    cx.rows("composite types", &sql)
        .await?
        .iter()
        .map(|r| {
            let attrs: Vec<String> = get(r, "attrs", shown)?;
            let types: Vec<String> = get(r, "types", shown)?;
            Ok(CompositeType {
                name: qname(get(r, "schema", shown)?, get(r, "name", shown)?),
                attributes: attrs
                    .into_iter()
                    .zip(types)
                    .map(|(name, data_type)| CompositeAttribute { name, data_type })
                    .collect(),
            })
        })
        .collect()
}

async fn sequences(cx: &mut Ctx<'_>) -> Result<Vec<Sequence>> {
    // Owned by a column: `OWNED BY` ('a') or an identity column ('i').
    let sql = format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name, format_type(s.seqtypid, NULL) AS data_type, \
           s.seqstart AS start, s.seqincrement AS increment, \
           tn.nspname::text AS owner_schema, tc.relname::text AS owner_table, ta.attname::text AS owner_column \
         FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid \
           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 \
         LEFT JOIN pg_class tc ON tc.oid = d.refobjid LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace \
         LEFT JOIN pg_attribute ta ON ta.attrelid = d.refobjid AND ta.attnum = d.refobjsubid \
         WHERE {USER_NAMESPACE} AND {}",
        not_extension_owned("pg_class", "c.oid")
    );
    let shown = cx.shown;
    cx.rows("sequences", &sql)
        .await?
        .iter()
        .map(|r| {
            let owner_table: Option<String> = get(r, "owner_table", shown)?;
            let owner_schema: Option<String> = get(r, "owner_schema", shown)?;
            let owner_column: Option<String> = get(r, "owner_column", shown)?;
            let owned_by = match (owner_schema, owner_table, owner_column) {
                (Some(s), Some(t), Some(c)) => Some(ColumnRef { table: qname(s, t), column: c }),
                _ => None,
            };
            Ok(Sequence {
                name: qname(get(r, "schema", shown)?, get(r, "name", shown)?),
                data_type: Some(get(r, "data_type", shown)?),
                start: Some(get(r, "start", shown)?),
                increment: Some(get(r, "increment", shown)?),
                owned_by,
            })
        })
        .collect()
}

/// Tables (with columns, constraints, indexes) and views (with dependencies).
async fn relations(cx: &mut Ctx<'_>) -> Result<(Vec<Table>, Vec<View>)> {
    let shown = cx.shown;
    let sql = format!(
        "SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind, \
           c.relpersistence = 'u' AS unlogged, \
           CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey, \
           pn.nspname::text AS parent_schema, pc.relname::text AS parent_name, \
           CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound, \
           obj_description(c.oid, 'pg_class') AS comment, \
           CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS viewdef \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid \
         LEFT JOIN pg_class pc ON pc.oid = i.inhparent LEFT JOIN pg_namespace pn ON pn.oid = pc.relnamespace \
         WHERE c.relkind IN ('r', 'p', 'v', 'm') AND {USER_NAMESPACE} AND {}",
        not_extension_owned("pg_class", "c.oid")
    );
    let mut tables: BTreeMap<i64, Table> = BTreeMap::new();
    let mut views: BTreeMap<i64, View> = BTreeMap::new();
    for r in cx.rows("tables and views", &sql).await? {
        let oid: i64 = get(&r, "oid", shown)?;
        let name = qname(get(&r, "schema", shown)?, get(&r, "name", shown)?);
        let kind: String = get(&r, "kind", shown)?;
        if kind == "v" || kind == "m" {
            let def: Option<String> = get(&r, "viewdef", shown)?;
            views.insert(
                oid,
                View {
                    name,
                    materialized: kind == "m",
                    definition: view_definition(def.as_deref().unwrap_or_default()),
                    columns: Vec::new(),
                    depends_on: Vec::new(),
                    indexes: Vec::new(),
                },
            );
            continue;
        }
        let mut t = Table::new(name);
        t.unlogged = get(&r, "unlogged", shown)?;
        t.partition_by = get(&r, "partkey", shown)?;
        let parent: (Option<String>, Option<String>) =
            (get(&r, "parent_schema", shown)?, get(&r, "parent_name", shown)?);
        let bound: Option<String> = get(&r, "bound", shown)?;
        if let ((Some(s), Some(p)), Some(bound)) = (parent, bound) {
            t.partition_of = Some(PartitionOf { parent: qname(s, p), bound });
        }
        t.comment = get(&r, "comment", shown)?;
        tables.insert(oid, t);
    }
    if tables.is_empty() && views.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let all_oids: Vec<String> = tables.keys().chain(views.keys()).map(i64::to_string).collect();
    let oid_list = all_oids.join(",");

    columns(cx, &oid_list, &mut tables, &mut views).await?;
    constraints(cx, &oid_list, &mut tables).await?;
    indexes(cx, &oid_list, &mut tables, &mut views).await?;
    view_dependencies(cx, &mut views).await?;
    Ok((tables.into_values().collect(), views.into_values().collect()))
}

async fn columns(
    cx: &mut Ctx<'_>,
    oid_list: &str,
    tables: &mut BTreeMap<i64, Table>,
    views: &mut BTreeMap<i64, View>,
) -> Result<()> {
    let shown = cx.shown;
    // A collation is part of the column only where it differs from its type's, as in pg_dump.
    let sql = format!(
        "SELECT a.attrelid::int8 AS rel, a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS data_type, \
           a.attnotnull AS notnull, a.attidentity::text AS identity, a.attgenerated::text AS generated, \
           pg_get_expr(ad.adbin, ad.adrelid) AS expr, \
           CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation, \
           col_description(a.attrelid, a.attnum) AS comment \
         FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid \
         LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum \
         LEFT JOIN pg_collation co ON co.oid = a.attcollation \
         WHERE a.attrelid IN ({oid_list}) AND a.attnum > 0 AND NOT a.attisdropped \
         ORDER BY a.attrelid, a.attnum"
    );
    for r in cx.rows("columns", &sql).await? {
        let rel: i64 = get(&r, "rel", shown)?;
        let name: String = get(&r, "name", shown)?;
        if let Some(v) = views.get_mut(&rel) {
            v.columns.push(name);
            continue;
        }
        let Some(t) = tables.get_mut(&rel) else { continue };
        let mut c = Column::new(&name, &get::<String>(&r, "data_type", shown)?);
        c.nullable = !get::<bool>(&r, "notnull", shown)?;
        let expr: Option<String> = get(&r, "expr", shown)?;
        let generated: String = get(&r, "generated", shown)?;
        if generated.is_empty() {
            c.default = expr.as_deref().map(normalize_expr);
        } else {
            c.generated = expr.as_deref().map(normalize_expr);
        }
        c.identity = match get::<String>(&r, "identity", shown)?.as_str() {
            "a" => Some(Identity::Always),
            "d" => Some(Identity::ByDefault),
            _ => None,
        };
        c.collation = get(&r, "collation", shown)?;
        c.comment = get(&r, "comment", shown)?;
        t.columns.push(c);
    }
    Ok(())
}

/// Column names of `keys` (attribute numbers) of relation `rel`, in key order.
const KEY_NAMES: &str = "(SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest({keys}) WITH ORDINALITY k(num, ord) \
     JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.num)";

fn key_names(keys: &str, rel: &str) -> String {
    KEY_NAMES.replace("{keys}", keys).replace("{rel}", rel)
}

async fn constraints(cx: &mut Ctx<'_>, oid_list: &str, tables: &mut BTreeMap<i64, Table>) -> Result<()> {
    let shown = cx.shown;
    // Foreign keys cloned onto partitions (conparentid <> 0) and inherited checks are created by
    // the parent's; pg_dump leaves them out, and so does the model.
    let sql = format!(
        "SELECT con.conrelid::int8 AS rel, con.conname::text AS name, con.contype::text AS kind, \
           con.convalidated AS validated, con.condeferrable AS deferrable, \
           con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete, \
           {cols} AS cols, {fcols} AS fcols, fn.nspname::text AS fschema, fc.relname::text AS ftable, \
           CASE WHEN con.contype = 'c' THEN pg_get_expr(con.conbin, con.conrelid) END AS check_expr \
         FROM pg_constraint con \
         LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
         WHERE con.conrelid IN ({oid_list}) AND con.contype IN ('p', 'u', 'c', 'f') \
           AND NOT (con.contype = 'f' AND con.conparentid <> 0) AND NOT (con.contype = 'c' AND NOT con.conislocal)",
        cols = key_names("con.conkey", "con.conrelid"),
        fcols = key_names("con.confkey", "con.confrelid"),
    );
    for r in cx.rows("constraints", &sql).await? {
        let rel: i64 = get(&r, "rel", shown)?;
        let Some(t) = tables.get_mut(&rel) else { continue };
        let name: String = get(&r, "name", shown)?;
        let cols: Option<Vec<String>> = get(&r, "cols", shown)?;
        let cols = cols.unwrap_or_default();
        match get::<String>(&r, "kind", shown)?.as_str() {
            "p" => t.primary_key = Some(PrimaryKey { name: Some(name), columns: cols }),
            "u" => t.uniques.push(UniqueConstraint { name: Some(name), columns: cols }),
            "c" => t.checks.push(CheckConstraint {
                name: Some(name),
                expression: normalize_expr(&get::<Option<String>>(&r, "check_expr", shown)?.unwrap_or_default()),
                validated: get(&r, "validated", shown)?,
            }),
            _ => {
                let fschema: Option<String> = get(&r, "fschema", shown)?;
                let ftable: Option<String> = get(&r, "ftable", shown)?;
                let fcols: Option<Vec<String>> = get(&r, "fcols", shown)?;
                t.foreign_keys.push(ForeignKey {
                    name: Some(name),
                    columns: cols,
                    references: qname(fschema.unwrap_or_default(), ftable.unwrap_or_default()),
                    referenced_columns: fcols.unwrap_or_default(),
                    on_delete: fk_action(&get::<String>(&r, "on_delete", shown)?),
                    on_update: fk_action(&get::<String>(&r, "on_update", shown)?),
                    deferrable: get(&r, "deferrable", shown)?,
                    validated: get(&r, "validated", shown)?,
                });
            }
        }
    }
    Ok(())
}

fn fk_action(code: &str) -> FkAction {
    match code {
        "r" => FkAction::Restrict,
        "c" => FkAction::Cascade,
        "n" => FkAction::SetNull,
        "d" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

async fn indexes(
    cx: &mut Ctx<'_>,
    oid_list: &str,
    tables: &mut BTreeMap<i64, Table>,
    views: &mut BTreeMap<i64, View>,
) -> Result<()> {
    let shown = cx.shown;
    // Indexes that back a primary key, unique or exclusion constraint are the constraint's;
    // pg_dump leaves them out of CREATE INDEX, and so does the model. Per key: the column or
    // expression text as pg_get_indexdef prints it, the order flags, and the operator class
    // when it is not the type's default — schema-qualified unless built in, as pg_dump prints it.
    let sql = format!(
        "SELECT i.indrelid::int8 AS rel, ic.relname::text AS name, i.indisunique AS is_unique, am.amname::text AS method, \
           i.indnkeyatts::int4 AS nkeys, \
           pg_get_expr(i.indpred, i.indrelid) AS predicate, \
           array_agg(pg_get_indexdef(i.indexrelid, k.ord::int4, false) ORDER BY k.ord) AS parts, \
           array_agg((i.indkey::int2[])[k.ord - 1] = 0 ORDER BY k.ord) AS is_expr, \
           array_agg(COALESCE((i.indoption::int2[])[k.ord - 1], 0)::int4 ORDER BY k.ord) AS options, \
           array_agg(COALESCE(CASE WHEN NOT opc.opcdefault THEN \
             CASE WHEN opcn.nspname = 'pg_catalog' THEN opc.opcname::text \
             ELSE opcn.nspname::text || '.' || opc.opcname::text END END, '') ORDER BY k.ord) AS opclasses \
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_am am ON am.oid = ic.relam \
         CROSS JOIN LATERAL generate_series(1, i.indnatts::int4) AS k(ord) \
         LEFT JOIN pg_opclass opc ON opc.oid = (i.indclass::oid[])[k.ord - 1] \
         LEFT JOIN pg_namespace opcn ON opcn.oid = opc.opcnamespace \
         WHERE i.indrelid IN ({oid_list}) AND NOT EXISTS (SELECT 1 FROM pg_constraint con \
           WHERE con.conrelid = i.indrelid AND con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x')) \
         GROUP BY i.indrelid, ic.relname, i.indisunique, am.amname, i.indnkeyatts, i.indpred, i.indexrelid"
    );
    for r in cx.rows("indexes", &sql).await? {
        let rel: i64 = get(&r, "rel", shown)?;
        let nkeys = get::<i32>(&r, "nkeys", shown)?.max(0) as usize;
        let parts: Vec<String> = get(&r, "parts", shown)?;
        let is_expr: Vec<bool> = get(&r, "is_expr", shown)?;
        let options: Vec<i32> = get(&r, "options", shown)?;
        let opclasses: Vec<String> = get(&r, "opclasses", shown)?;
        let mut keys = Vec::new();
        let mut include = Vec::new();
        for (i, part) in parts.into_iter().enumerate() {
            if i >= nkeys {
                include.push(unquote_ident(&part));
                continue;
            }
            let expr = is_expr.get(i).copied().unwrap_or(false);
            let opclass = opclasses.get(i).filter(|o| !o.is_empty()).cloned();
            keys.push(IndexKey {
                part: if expr {
                    IndexPart::Expression(normalize_expr(&part))
                } else {
                    IndexPart::Column(unquote_ident(&part))
                },
                order: index_order(options.get(i).copied().unwrap_or(0)),
                opclass,
            });
        }
        let predicate: Option<String> = get(&r, "predicate", shown)?;
        let index = Index {
            name: get(&r, "name", shown)?,
            unique: get(&r, "is_unique", shown)?,
            method: get(&r, "method", shown)?,
            keys,
            include,
            predicate: predicate.as_deref().map(normalize_expr),
        };
        if let Some(t) = tables.get_mut(&rel) {
            t.indexes.push(index);
        } else if let Some(v) = views.get_mut(&rel) {
            v.indexes.push(index);
        }
    }
    Ok(())
}

/// `indoption` bits: 1 = DESC, 2 = NULLS FIRST. `None` for the default (ASC NULLS LAST), and
/// DESC alone means DESC NULLS FIRST, as in SQL.
fn index_order(option: i32) -> Option<String> {
    let desc = option & 1 != 0;
    let nulls_first = option & 2 != 0;
    match (desc, nulls_first) {
        (false, false) => None,
        (false, true) => Some("ASC NULLS FIRST".to_owned()),
        (true, true) => Some("DESC".to_owned()),
        (true, false) => Some("DESC NULLS LAST".to_owned()),
    }
}

/// `"Weird Name"` → `Weird Name`; plain names pass through.
fn unquote_ident(text: &str) -> String {
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => text.to_owned(),
    }
}

/// What each view's rewrite rule reads: relations and, per relation, the columns.
async fn view_dependencies(cx: &mut Ctx<'_>, views: &mut BTreeMap<i64, View>) -> Result<()> {
    if views.is_empty() {
        return Ok(());
    }
    let shown = cx.shown;
    let list = views.keys().map(i64::to_string).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT DISTINCT r.ev_class::int8 AS view, rn.nspname::text AS schema, rc.relname::text AS name, \
           a.attname::text AS column \
         FROM pg_rewrite r \
         JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid \
           AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class \
         JOIN pg_class rc ON rc.oid = d.refobjid AND rc.relkind IN ('r', 'p', 'v', 'm', 'f') \
         JOIN pg_namespace rn ON rn.oid = rc.relnamespace \
         LEFT JOIN pg_attribute a ON d.refobjsubid > 0 AND a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
         WHERE r.ev_class IN ({list})"
    );
    let mut deps: HashMap<i64, BTreeMap<QualifiedName, Vec<String>>> = HashMap::new();
    for r in cx.rows("view dependencies", &sql).await? {
        let view: i64 = get(&r, "view", shown)?;
        let rel = qname(get(&r, "schema", shown)?, get(&r, "name", shown)?);
        let column: Option<String> = get(&r, "column", shown)?;
        let cols = deps.entry(view).or_default().entry(rel).or_default();
        cols.extend(column);
    }
    for (oid, rels) in deps {
        if let Some(v) = views.get_mut(&oid) {
            v.depends_on = rels.into_iter().map(|(relation, columns)| ViewDependency { relation, columns }).collect();
        }
    }
    Ok(())
}

/// The view's `SELECT` as the dump reader keeps it: parsed by libpg_query and printed by its
/// deparser, so `pg_get_viewdef`'s layout and the dump's (the same printer, other whitespace)
/// meet in one text.
fn view_definition(def: &str) -> String {
    let def = def.trim().trim_end_matches(';');
    let deparsed = pg_query::parse(def, 0).ok().and_then(|parsed| {
        let stmt = parsed.protobuf.stmts.first()?.stmt.as_ref()?.node.as_ref()?.clone();
        stmt.deparse(Default::default()).ok()
    });
    deparsed.unwrap_or_else(|| normalize_expr(def))
}

async fn functions(cx: &mut Ctx<'_>) -> Result<Vec<Function>> {
    let shown = cx.shown;
    let sql = format!(
        "SELECT n.nspname::text AS schema, p.proname::text AS name, \
           pg_get_function_identity_arguments(p.oid) AS arguments, \
           COALESCE(pg_get_function_result(p.oid), '') AS returns, l.lanname::text AS language, \
           COALESCE(p.prosrc, '') AS body \
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang \
         WHERE {USER_NAMESPACE} AND p.prokind IN ('f', 'p') AND {}",
        not_extension_owned("pg_proc", "p.oid")
    );
    cx.rows("functions", &sql)
        .await?
        .iter()
        .map(|r| {
            Ok(Function {
                name: qname(get(r, "schema", shown)?, get(r, "name", shown)?),
                arguments: get(r, "arguments", shown)?,
                returns: get(r, "returns", shown)?,
                language: get(r, "language", shown)?,
                body: get::<String>(r, "body", shown)?.trim().to_owned(),
            })
        })
        .collect()
}

async fn triggers(cx: &mut Ctx<'_>) -> Result<Vec<Trigger>> {
    let shown = cx.shown;
    // Triggers cloned onto partitions (tgparentid <> 0) come from the parent's, as in pg_dump.
    let sql = format!(
        "SELECT t.tgname::text AS name, n.nspname::text AS schema, c.relname::text AS table_name, \
           fn.nspname::text AS fschema, f.proname::text AS fname, t.tgtype::int4 AS tgtype, \
           (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(t.tgattr::int2[]) WITH ORDINALITY k(num, ord) \
              JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.num) AS update_columns, \
           pg_get_triggerdef(t.oid) AS def \
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_proc f ON f.oid = t.tgfoid JOIN pg_namespace fn ON fn.oid = f.pronamespace \
         WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND {USER_NAMESPACE} AND {}",
        not_extension_owned("pg_class", "c.oid")
    );
    cx.rows("triggers", &sql)
        .await?
        .iter()
        .map(|r| {
            let tgtype: i32 = get(r, "tgtype", shown)?;
            let update_columns: Option<Vec<String>> = get(r, "update_columns", shown)?;
            let def: String = get(r, "def", shown)?;
            Ok(Trigger {
                name: get(r, "name", shown)?,
                table: qname(get(r, "schema", shown)?, get(r, "table_name", shown)?),
                function: qname(get(r, "fschema", shown)?, get(r, "fname", shown)?),
                timing: trigger_timing(tgtype).to_owned(),
                events: trigger_events(tgtype, update_columns.as_deref().unwrap_or_default()),
                for_each_row: tgtype & 1 != 0,
                when: trigger_when(&def).map(|w| normalize_expr(&w)),
            })
        })
        .collect()
}

/// `tgtype` bits (pg_trigger.h): 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE,
/// 64 INSTEAD.
fn trigger_timing(tgtype: i32) -> &'static str {
    if tgtype & 64 != 0 {
        "INSTEAD OF"
    } else if tgtype & 2 != 0 {
        "BEFORE"
    } else {
        "AFTER"
    }
}

fn trigger_events(tgtype: i32, update_columns: &[String]) -> Vec<String> {
    let mut events = Vec::new();
    if tgtype & 4 != 0 {
        events.push("INSERT".to_owned());
    }
    if tgtype & 16 != 0 {
        if update_columns.is_empty() {
            events.push("UPDATE".to_owned());
        } else {
            events.push(format!("UPDATE OF {}", update_columns.join(", ")));
        }
    }
    if tgtype & 8 != 0 {
        events.push("DELETE".to_owned());
    }
    if tgtype & 32 != 0 {
        events.push("TRUNCATE".to_owned());
    }
    events
}

/// The `WHEN (…)` condition of a `pg_get_triggerdef` text, without the outer parentheses.
fn trigger_when(def: &str) -> Option<String> {
    let start = def.find(" WHEN (")? + " WHEN ".len();
    let bytes = def.as_bytes();
    let mut depth = 0usize;
    let mut in_string = false;
    for (i, &b) in bytes.iter().enumerate().skip(start) {
        match b {
            b'\'' => in_string = !in_string,
            b'(' if !in_string => depth += 1,
            b')' if !in_string => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(def[start + 1..i].to_owned());
                }
            }
            _ => {}
        }
    }
    None
}

/// A framework's migration history, when its table exists in a user schema (preferring
/// `public`): `table`'s rows as `select` gives them, if it has the column `needs`.
async fn history(cx: &mut Ctx<'_>, table: &str, needs: &str, select: &str) -> Result<Vec<String>> {
    let shown = cx.shown;
    let sql = format!(
        "SELECT n.nspname::text AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = '{needs}' AND NOT a.attisdropped \
         WHERE c.relname = '{table}' AND c.relkind IN ('r', 'p') AND {USER_NAMESPACE} \
         ORDER BY n.nspname <> 'public', n.nspname LIMIT 1"
    );
    let Some(row) = cx.rows(table, &sql).await?.into_iter().next() else {
        return Ok(Vec::new());
    };
    let ns: String = get(&row, "schema", shown)?;
    let q = format!("SELECT {select} AS v FROM {}.{table} ORDER BY 1", quote_ident(&ns));
    cx.rows(table, &q).await?.iter().map(|r| get(r, "v", shown)).collect()
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn qname(schema: String, name: String) -> QualifiedName {
    QualifiedName { schema: Some(schema), name }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trigger_when_takes_the_balanced_condition() {
        let def = "CREATE TRIGGER t BEFORE UPDATE ON public.x FOR EACH ROW WHEN ((old.a IS DISTINCT FROM new.a) AND (new.b <> ')')) EXECUTE FUNCTION public.f()";
        assert_eq!(trigger_when(def).as_deref(), Some("(old.a IS DISTINCT FROM new.a) AND (new.b <> ')')"));
        assert_eq!(trigger_when("CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW EXECUTE FUNCTION f()"), None);
    }

    #[test]
    fn index_order_names_only_non_default_orders() {
        assert_eq!(index_order(0), None);
        assert_eq!(index_order(3).as_deref(), Some("DESC"));
        assert_eq!(index_order(1).as_deref(), Some("DESC NULLS LAST"));
        assert_eq!(index_order(2).as_deref(), Some("ASC NULLS FIRST"));
    }

    #[test]
    fn trigger_events_follow_the_documented_order() {
        assert_eq!(trigger_events(4 | 8 | 16, &[]), ["INSERT", "UPDATE", "DELETE"]);
        assert_eq!(trigger_events(16, &["a".to_owned(), "b".to_owned()]), ["UPDATE OF a, b"]);
    }
}

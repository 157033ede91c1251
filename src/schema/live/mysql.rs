//! MySQL/MariaDB from `information_schema`, for the database the URL names.
//!
//! Two servers print defaults differently: MariaDB (10.2.7+) gives `COLUMN_DEFAULT` as an SQL
//! expression (`'text'`, `NULL`, `current_timestamp()`), MySQL gives the bare value. The model
//! keeps MariaDB's form — the one `SHOW CREATE TABLE` and mysqldump print — so MySQL's values
//! are quoted here, and a `NULL` default is no default.

use std::collections::BTreeMap;

use sqlx::mysql::{MySqlConnection, MySqlRow};
use sqlx::{Connection, Row};

use super::{connect_error, db_error};
use crate::error::Result;
use crate::schema::mysql::{normalize_expr, parse as parse_dump, render as render_dump};
use crate::schema::{
    CheckConstraint, Column, Dialect, FkAction, ForeignKey, Function, Identity, Index, IndexKey, IndexPart, PrimaryKey,
    QualifiedName, Schema, Table, Trigger, View,
};

struct Ctx<'a> {
    conn: MySqlConnection,
    shown: &'a str,
}

impl Ctx<'_> {
    async fn rows(&mut self, what: &str, sql: &str) -> Result<Vec<MySqlRow>> {
        sqlx::query(sql).fetch_all(&mut self.conn).await.map_err(|e| db_error(self.shown, &format!("read {what}"), e))
    }
}

fn get<'r, T: sqlx::Decode<'r, sqlx::MySql> + sqlx::Type<sqlx::MySql>>(
    row: &'r MySqlRow,
    col: &str,
    shown: &str,
) -> Result<T> {
    row.try_get(col).map_err(|e| db_error(shown, "decode information_schema", e))
}

/// Text of an `information_schema` column, whatever its character set or binary flavour.
fn t(expr: &str, alias: &str) -> String {
    format!("CONVERT({expr} USING utf8mb4) AS {alias}")
}

pub(super) async fn introspect(url: &str, shown: &str) -> Result<Schema> {
    let conn = MySqlConnection::connect(url).await.map_err(|e| connect_error(shown, e))?;
    let mut cx = Ctx { conn, shown };
    let head =
        cx.rows("the server", &format!("SELECT {}, {}", t("DATABASE()", "db"), t("VERSION()", "version"))).await?;
    let (db, version): (Option<String>, String) = match head.first() {
        Some(r) => (get(r, "db", shown)?, get(r, "version", shown)?),
        None => (None, String::new()),
    };
    let Some(db) = db else {
        return Err(connect_error(shown, "the URL names no database (add `/database_name`)"));
    };
    let mariadb = version.to_ascii_lowercase().contains("mariadb");
    let db_lit = format!("'{}'", db.replace('\\', "\\\\").replace('\'', "''"));

    let mut schema = Schema::new(Dialect::Mysql);
    let mut tables: BTreeMap<String, (Table, Option<String>)> = BTreeMap::new();
    let mut views: BTreeMap<String, View> = BTreeMap::new();

    let sql = format!(
        "SELECT {}, {}, {}, {} FROM information_schema.TABLES WHERE TABLE_SCHEMA = {db_lit}",
        t("TABLE_NAME", "name"),
        t("TABLE_TYPE", "kind"),
        t("TABLE_COLLATION", "collation"),
        t("TABLE_COMMENT", "comment"),
    );
    for r in cx.rows("tables", &sql).await? {
        let name: String = get(&r, "name", shown)?;
        let kind: String = get(&r, "kind", shown)?;
        if kind == "VIEW" {
            views.insert(
                name.clone(),
                View {
                    name: QualifiedName::unqualified(&name),
                    materialized: false,
                    definition: String::new(),
                    columns: Vec::new(),
                    depends_on: Vec::new(),
                    indexes: Vec::new(),
                },
            );
            continue;
        }
        let mut table = Table::new(QualifiedName::unqualified(&name));
        let comment: Option<String> = get(&r, "comment", shown)?;
        table.comment = comment.filter(|c| !c.is_empty());
        tables.insert(name, (table, get(&r, "collation", shown)?));
    }

    let sql = format!(
        "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {} FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = {db_lit} ORDER BY TABLE_NAME, ORDINAL_POSITION",
        t("TABLE_NAME", "tbl"),
        t("COLUMN_NAME", "name"),
        t("COLUMN_TYPE", "data_type"),
        t("IS_NULLABLE", "nullable"),
        t("COLUMN_DEFAULT", "dflt"),
        t("EXTRA", "extra"),
        t("COLLATION_NAME", "collation"),
        t("COLUMN_COMMENT", "comment"),
        t("GENERATION_EXPRESSION", "generated"),
    );
    for r in cx.rows("columns", &sql).await? {
        let tbl: String = get(&r, "tbl", shown)?;
        let name: String = get(&r, "name", shown)?;
        if let Some(v) = views.get_mut(&tbl) {
            v.columns.push(name);
            continue;
        }
        let Some((table, table_collation)) = tables.get_mut(&tbl) else { continue };
        let data_type: String = get(&r, "data_type", shown)?;
        let mut c = Column::new(&name, &data_type);
        c.nullable = get::<String>(&r, "nullable", shown)? == "YES";
        let extra: String = get::<Option<String>>(&r, "extra", shown)?.unwrap_or_default().to_ascii_lowercase();
        let generated: Option<String> = get(&r, "generated", shown)?;
        if extra.contains("generated") && !extra.contains("default_generated") {
            c.generated = generated.filter(|g| !g.is_empty()).map(|g| normalize_expr(&g));
        } else {
            let dflt: Option<String> = get(&r, "dflt", shown)?;
            c.default = default_value(dflt, &data_type, &extra, mariadb);
        }
        if extra.contains("auto_increment") {
            c.identity = Some(Identity::AutoIncrement);
        }
        let collation: Option<String> = get(&r, "collation", shown)?;
        c.collation = collation.filter(|col| Some(col) != table_collation.as_ref());
        let comment: Option<String> = get(&r, "comment", shown)?;
        c.comment = comment.filter(|x| !x.is_empty());
        table.columns.push(c);
    }

    // Indexes, the primary key among them.
    let sql = format!(
        "SELECT {}, {}, CAST(NON_UNIQUE AS SIGNED) AS non_unique, CAST(SEQ_IN_INDEX AS SIGNED) AS seq, {}, \
           CAST(SUB_PART AS SIGNED) AS sub_part, {}, {} FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = {db_lit} ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        t("TABLE_NAME", "tbl"),
        t("INDEX_NAME", "name"),
        t("COLUMN_NAME", "col"),
        t("INDEX_TYPE", "method"),
        t("COLLATION", "collation"),
    );
    let mut indexes: BTreeMap<(String, String), Index> = BTreeMap::new();
    for r in cx.rows("indexes", &sql).await? {
        let tbl: String = get(&r, "tbl", shown)?;
        let name: String = get(&r, "name", shown)?;
        let col: Option<String> = get(&r, "col", shown)?;
        let sub_part: Option<i64> = get(&r, "sub_part", shown)?;
        let collation: Option<String> = get(&r, "collation", shown)?;
        let method: String = get(&r, "method", shown)?;
        let index = indexes.entry((tbl, name.clone())).or_insert_with(|| Index {
            name,
            unique: false,
            method: method.to_ascii_lowercase(),
            keys: Vec::new(),
            include: Vec::new(),
            predicate: None,
        });
        index.unique = get::<i64>(&r, "non_unique", shown)? == 0;
        // A prefix length (`email(20)`) is not in the model: the key is the column.
        let _ = sub_part;
        let part = match col {
            Some(c) => IndexPart::Column(c),
            None => IndexPart::Expression(String::new()),
        };
        let order = (collation.as_deref() == Some("D")).then(|| "DESC".to_owned());
        index.keys.push(IndexKey { part, order, opclass: None });
    }
    for ((tbl, name), index) in indexes {
        let Some((table, _)) = tables.get_mut(&tbl) else { continue };
        if name == "PRIMARY" {
            let columns = index
                .keys
                .iter()
                .map(|k| match &k.part {
                    IndexPart::Column(c) | IndexPart::Expression(c) => c.clone(),
                })
                .collect();
            table.primary_key = Some(PrimaryKey { name: None, columns });
        } else {
            table.indexes.push(index);
        }
    }

    // Foreign keys.
    let sql = format!(
        "SELECT {}, {}, {}, {}, {}, {}, {}, {} FROM information_schema.KEY_COLUMN_USAGE k \
         JOIN information_schema.REFERENTIAL_CONSTRAINTS rc \
           ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
           AND rc.TABLE_NAME = k.TABLE_NAME \
         WHERE k.TABLE_SCHEMA = {db_lit} AND k.REFERENCED_TABLE_NAME IS NOT NULL \
         ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
        t("k.TABLE_NAME", "tbl"),
        t("k.CONSTRAINT_NAME", "name"),
        t("k.COLUMN_NAME", "col"),
        t("k.REFERENCED_TABLE_SCHEMA", "ref_schema"),
        t("k.REFERENCED_TABLE_NAME", "ref_table"),
        t("k.REFERENCED_COLUMN_NAME", "ref_col"),
        t("rc.UPDATE_RULE", "on_update"),
        t("rc.DELETE_RULE", "on_delete"),
    );
    let mut fks: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for r in cx.rows("foreign keys", &sql).await? {
        let tbl: String = get(&r, "tbl", shown)?;
        let name: String = get(&r, "name", shown)?;
        let ref_schema: Option<String> = get(&r, "ref_schema", shown)?;
        let ref_table: String = get(&r, "ref_table", shown)?;
        let references = QualifiedName { schema: ref_schema.filter(|s| *s != db), name: ref_table };
        let fk = fks.entry((tbl, name.clone())).or_insert_with(|| ForeignKey {
            name: Some(name),
            columns: Vec::new(),
            references,
            referenced_columns: Vec::new(),
            on_delete: FkAction::NoAction,
            on_update: FkAction::NoAction,
            deferrable: false,
            validated: true,
        });
        fk.columns.push(get(&r, "col", shown)?);
        fk.referenced_columns.extend(get::<Option<String>>(&r, "ref_col", shown)?);
        fk.on_update = fk_action(&get::<String>(&r, "on_update", shown)?);
        fk.on_delete = fk_action(&get::<String>(&r, "on_delete", shown)?);
    }
    for ((tbl, _), fk) in fks {
        if let Some((table, _)) = tables.get_mut(&tbl) {
            table.foreign_keys.push(fk);
        }
    }

    // Check constraints (MariaDB 10.2+, MySQL 8.0.16+). MariaDB names a column-level check (one
    // written in the column definition, JSON's implicit `json_valid` among them) after its
    // column; the dump reader gives it the same name.
    let sql = format!(
        "SELECT {}, {}, {} FROM information_schema.TABLE_CONSTRAINTS tc \
         JOIN information_schema.CHECK_CONSTRAINTS cc \
           ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME \
         WHERE tc.TABLE_SCHEMA = {db_lit} AND tc.CONSTRAINT_TYPE = 'CHECK'{}",
        t("tc.TABLE_NAME", "tbl"),
        t("tc.CONSTRAINT_NAME", "name"),
        t("cc.CHECK_CLAUSE", "clause"),
        if mariadb { " AND cc.TABLE_NAME = tc.TABLE_NAME" } else { "" },
    );
    for r in cx.rows("check constraints", &sql).await? {
        let tbl: String = get(&r, "tbl", shown)?;
        if let Some((table, _)) = tables.get_mut(&tbl) {
            table.checks.push(CheckConstraint {
                name: Some(get(&r, "name", shown)?),
                expression: normalize_expr(&get::<String>(&r, "clause", shown)?),
                validated: true,
            });
        }
    }

    let sql = format!(
        "SELECT {}, {} FROM information_schema.VIEWS WHERE TABLE_SCHEMA = {db_lit}",
        t("TABLE_NAME", "name"),
        t("VIEW_DEFINITION", "def"),
    );
    for r in cx.rows("views", &sql).await? {
        let name: String = get(&r, "name", shown)?;
        if let Some(v) = views.get_mut(&name) {
            // The server qualifies every table with the current database; SHOW CREATE VIEW and
            // mysqldump print them unqualified, and so does the model.
            let def: String = get(&r, "def", shown)?;
            v.definition = def.replace(&format!("`{}`.", db.replace('`', "``")), "").trim().to_owned();
        }
    }

    let sql = format!(
        "SELECT {}, {}, {}, {}, {}, {} FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {db_lit}",
        t("TRIGGER_NAME", "name"),
        t("EVENT_MANIPULATION", "event"),
        t("EVENT_OBJECT_TABLE", "tbl"),
        t("ACTION_TIMING", "timing"),
        t("ACTION_ORIENTATION", "orientation"),
        t("ACTION_STATEMENT", "body"),
    );
    for r in cx.rows("triggers", &sql).await? {
        let name: String = get(&r, "name", shown)?;
        // The body is kept as a function of the trigger's name, as the dump reader keeps it.
        schema.functions.push(Function {
            name: QualifiedName::unqualified(&name),
            arguments: String::new(),
            returns: "trigger".to_owned(),
            language: "sql".to_owned(),
            body: collapse(&get::<String>(&r, "body", shown)?),
        });
        schema.triggers.push(Trigger {
            table: QualifiedName::unqualified(&get::<String>(&r, "tbl", shown)?),
            // MySQL triggers have no function; the trigger itself is the code.
            function: QualifiedName::unqualified(&name),
            name,
            timing: get::<String>(&r, "timing", shown)?.to_ascii_uppercase(),
            events: vec![get::<String>(&r, "event", shown)?.to_ascii_uppercase()],
            for_each_row: get::<String>(&r, "orientation", shown)?.eq_ignore_ascii_case("ROW"),
            when: None,
        });
    }

    // Routines: information_schema keeps neither the parameter list as written nor the
    // characteristics, which a dump prints; SHOW CREATE gives the server's own text, read by
    // the dump reader so both paths agree.
    let sql = format!(
        "SELECT {}, {} FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = {db_lit} ORDER BY 1, 2",
        t("ROUTINE_NAME", "name"),
        t("ROUTINE_TYPE", "kind"),
    );
    let mut routine_text = String::new();
    for r in cx.rows("routines", &sql).await? {
        let name: String = get(&r, "name", shown)?;
        let kind: String = get::<String>(&r, "kind", shown)?.to_ascii_uppercase();
        let kind = if kind == "PROCEDURE" { "PROCEDURE" } else { "FUNCTION" };
        let show = format!("SHOW CREATE {kind} `{}`", name.replace('`', "``"));
        let rows = cx.rows("a routine", &show).await?;
        let column = if kind == "PROCEDURE" { "Create Procedure" } else { "Create Function" };
        let text: Option<Vec<u8>> = match rows.first() {
            Some(row) => row
                .try_get::<Option<Vec<u8>>, _>(column)
                .or_else(|_| row.try_get::<Option<String>, _>(column).map(|s| s.map(String::into_bytes)))
                .map_err(|e| db_error(shown, "decode SHOW CREATE", e))?,
            None => None,
        };
        let Some(text) = text else {
            return Err(db_error(
                shown,
                &format!("read the definition of {} `{name}`", kind.to_ascii_lowercase()),
                "the server returned none (the user may lack the privilege to see it)",
            ));
        };
        routine_text.push_str(&String::from_utf8_lossy(&text));
        routine_text.push_str(";;\n");
    }
    if !routine_text.is_empty() {
        let text = format!("DELIMITER ;;\n{routine_text}DELIMITER ;\n");
        let parsed = parse_dump(&text, std::path::Path::new("SHOW CREATE"))
            .map_err(|e| db_error(shown, "read a routine definition", e))?;
        schema.functions.extend(parsed.functions);
    }

    if let Some((migrations, _)) = tables.get("schema_migrations")
        && migrations.column("version").is_some()
    {
        let rows = cx.rows("schema_migrations", "SELECT CAST(version AS CHAR) AS v FROM schema_migrations").await?;
        schema.migrations = rows.iter().map(|r| get(r, "v", shown)).collect::<Result<_>>()?;
    }
    if let Some((history, _)) = tables.get("django_migrations")
        && history.column("app").is_some()
        && history.column("name").is_some()
    {
        let sql = "SELECT CAST(CONCAT(app, '.', name) AS CHAR) AS v FROM django_migrations";
        let rows = cx.rows("django_migrations", sql).await?;
        schema.django_migrations = rows.iter().map(|r| get(r, "v", shown)).collect::<Result<_>>()?;
    }

    schema.tables = tables.into_values().map(|(t, _)| t).collect();
    schema.views = views.into_values().collect();
    canonical_views(&mut schema, shown)?;
    let _ = cx.conn.close().await;
    Ok(schema)
}

/// View definitions and dependencies in the dump reader's canonical form. The server keeps a
/// view's query as text; parsing that text with the very reader that parses dumps (beside the
/// tables, which resolve unqualified columns) gives the same normalized `SELECT` and the same
/// `depends_on` a dump of this database would.
fn canonical_views(schema: &mut Schema, shown: &str) -> Result<()> {
    if schema.views.is_empty() {
        return Ok(());
    }
    let mut tables_only = Schema::new(Dialect::Mysql);
    tables_only.tables = schema.tables.clone();
    let mut text = render_dump(&tables_only);
    for v in &schema.views {
        text.push_str(&format!("CREATE VIEW `{}` AS {};\n", v.name.name.replace('`', "``"), v.definition));
    }
    let parsed = parse_dump(&text, std::path::Path::new("information_schema.VIEWS"))
        .map_err(|e| db_error(shown, "read a view definition", e))?;
    for v in &mut schema.views {
        if let Some(p) = parsed.views.iter().find(|p| p.name == v.name) {
            v.definition = p.definition.clone();
            v.depends_on = p.depends_on.clone();
            // A dump names a view's columns only in an explicit column list, which the server
            // does not keep; the model agrees with the dump.
            v.columns = p.columns.clone();
        }
    }
    Ok(())
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// InnoDB treats `RESTRICT` and `NO ACTION` alike and reports `RESTRICT` for a rule that was
/// never written, so both are the default here; `SHOW CREATE TABLE` omits them too.
fn fk_action(rule: &str) -> FkAction {
    match rule.to_ascii_uppercase().as_str() {
        "CASCADE" => FkAction::Cascade,
        "SET NULL" => FkAction::SetNull,
        "SET DEFAULT" => FkAction::SetDefault,
        _ => FkAction::NoAction,
    }
}

/// A column default in MariaDB's (and `SHOW CREATE TABLE`'s) form: string literals quoted,
/// expressions bare; `NULL` means none.
fn default_value(raw: Option<String>, data_type: &str, extra: &str, mariadb: bool) -> Option<String> {
    let raw = raw?;
    if mariadb {
        return (raw != "NULL").then_some(raw);
    }
    // MySQL: expressions are flagged DEFAULT_GENERATED; CURRENT_TIMESTAMP is the one bare
    // keyword it reports without the flag.
    let ty = data_type.to_ascii_lowercase();
    let numeric = ["int", "decimal", "numeric", "float", "double", "bit", "real"].iter().any(|n| ty.starts_with(n))
        || ty.starts_with("tinyint")
        || ty.starts_with("smallint")
        || ty.starts_with("mediumint")
        || ty.starts_with("bigint");
    if extra.contains("default_generated") || raw.eq_ignore_ascii_case("CURRENT_TIMESTAMP") || numeric {
        Some(raw)
    } else {
        Some(format!("'{}'", raw.replace('\'', "''")))
    }
}

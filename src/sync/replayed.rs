//! `--from migrations`: the dump made from the replayed migrations of every app
//! (`drift::expected`) instead of a live database.
//!
//! With a scratch server (`--scratch env:VAR`), a throwaway database is created there, the
//! replayed schema loaded into it as tandem's canonical DDL, the framework's bookkeeping tables
//! created as the framework creates them and every replayed version recorded; then the real dump
//! program and the framework's post-processing make the dump ([`super::structure`]) and the
//! database is dropped. Without one, the dump is tandem's canonical SQL with the framework's
//! versions block: its bytes are tandem's, not pg_dump's or mysqldump's, and say so.
//!
//! What the replay could not follow (a library call, `RunPython`, SQL tandem cannot read) is not
//! in the dump: each such operation is returned, located, for the caller to show.

use serde::Serialize;

use crate::config::{App, Config, FrameworkHistory};
use crate::database::db::{ConnectOptions, Db, Kind};
use crate::drift::expected::{Expected, build};
use crate::error::{Diagnostic, Error, Result};
use crate::framework::DumpTool;
use crate::migration::layout::compare_versions;
use crate::runner::interop::Interop;
use crate::schema::{ColumnRef, Dialect, QualifiedName, Schema, Sequence};

use super::{ecto, rails};

/// How a dump made from the migrations was written.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MadeBy {
    /// Loaded into a throwaway database on this server (its URL, password hidden) and dumped by
    /// the real dump program.
    Scratch(String),
    /// Rendered by tandem: no scratch server was given.
    Tandem,
    /// A `schema.rb`, written from the replayed schema as Rails' SchemaDumper writes it from the
    /// catalog (no scratch database needed).
    SchemaDumper,
}

/// How a dump was made, in a sentence.
pub fn describe(how: &MadeBy) -> String {
    match how {
        MadeBy::Scratch(server) => format!(
            "made from every app's migrations, loaded into a throwaway database on {server} and dumped by the database's own dump program"
        ),
        MadeBy::Tandem => "made from every app's migrations and rendered by tandem (no --scratch server): \
                           the bytes are tandem's rendering, not the dump program's"
            .to_owned(),
        MadeBy::SchemaDumper => "made from every app's migrations: the replayed schema written as Rails' \
                                 SchemaDumper writes the database's catalog"
            .to_owned(),
    }
}

/// An operation of some migration the replay could not follow.
#[derive(Debug, Clone, Serialize)]
pub struct Unreplayed {
    /// `file:line`, with the app when it is not the synced one.
    pub location: String,
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub struct Replayed {
    pub text: String,
    pub made_by: MadeBy,
    pub unreplayed: Vec<Unreplayed>,
    pub notes: Vec<String>,
}

/// `app`'s dump as `tool` would write it of the database every app's migrations (at their
/// heads) make.
pub fn structure(
    config: &Config,
    app: &App,
    tool: DumpTool,
    scratch: Option<&str>,
    order: rails::VersionOrder,
    schema_rb: Option<&str>,
) -> Result<Replayed> {
    let mut notes = Vec::new();
    let expected = build(config, app, "head", &app.head, &mut notes)?;
    let unreplayed = expected
        .opaque
        .iter()
        .map(|o| Unreplayed { location: o.location.to_string(), what: o.what.clone(), error: o.error.clone() })
        .collect();
    let (text, made_by) = match (schema_rb, scratch) {
        // Rails' SchemaDumper reads the catalog as tandem's model holds it: no scratch needed.
        (Some(rails), _) => {
            let newest = expected.schema.migrations.iter().max_by(|a, b| compare_versions(a, b));
            (super::schema_rb::render(&expected.schema, rails, newest.map(String::as_str)), MadeBy::SchemaDumper)
        }
        (None, Some(url)) => (
            in_scratch(url, config.registry.dialect, &expected, tool, order)?,
            MadeBy::Scratch(crate::redact::redact(url)),
        ),
        (None, None) => (rendered(&expected.schema, tool, order), MadeBy::Tandem),
    };
    Ok(Replayed { text, made_by, unreplayed, notes })
}

/// The versions as the framework's table sorts them: text in Rails, integers in Ecto (which
/// cannot record any other).
fn versions(schema: &Schema, tool: DumpTool) -> Vec<String> {
    let mut out: Vec<String> = schema.migrations.clone();
    match tool {
        DumpTool::Rails => out.sort(),
        DumpTool::Ecto => {
            out.retain(|v| v.parse::<i64>().is_ok());
            out.sort_by(|a, b| compare_versions(a, b));
        }
    }
    out.dedup();
    out
}

/// The replayed schema as DDL that loads into an empty database: the versions left to the
/// framework's own block, and the sequence behind each serial column (the replay models only
/// its `nextval` default) made as PostgreSQL makes it — owned by the column, `AS integer` or
/// `AS smallint` unless the column is a bigint.
fn ddl(schema: &Schema) -> String {
    let mut schema = schema.clone();
    schema.migrations.clear();
    let mut missing = Vec::new();
    for t in &schema.tables {
        for c in &t.columns {
            let Some(name) =
                c.default.as_deref().and_then(|d| d.strip_prefix("nextval('")).and_then(|d| d.split('\'').next())
            else {
                continue;
            };
            let name = QualifiedName::parse(name);
            if schema.sequences.iter().chain(&missing).any(|s: &Sequence| s.name.matches(&name)) {
                continue;
            }
            let data_type = matches!(c.data_type.as_str(), "integer" | "smallint").then(|| c.data_type.clone());
            let owned_by = Some(ColumnRef { table: t.name.clone(), column: c.name.clone() });
            missing.push(Sequence { name, data_type, start: None, increment: None, owned_by });
        }
    }
    schema.sequences.extend(missing);
    crate::schema::render::render(&schema)
}

/// tandem's canonical SQL of the schema with the framework's versions block.
fn rendered(schema: &Schema, tool: DumpTool, order: rails::VersionOrder) -> String {
    let text = ddl(schema);
    let versions = versions(schema, tool);
    match (tool, schema.dialect) {
        (DumpTool::Ecto, _) => ecto::structure(&text, &versions),
        (DumpTool::Rails, Dialect::Mysql) => rails::with_versions(text, "`schema_migrations`", &versions, order),
        (DumpTool::Rails, _) => rails::with_versions(text, "\"schema_migrations\"", &versions, order),
    }
}

/// The dump of a throwaway database on the server at `url` holding the replayed schema.
fn in_scratch(
    url: &str,
    dialect: Dialect,
    expected: &Expected,
    tool: DumpTool,
    order: rails::VersionOrder,
) -> Result<String> {
    let options = ConnectOptions { application_name: "tandem sync", busy_timeout: Default::default() };
    let mut admin = Db::connect(url, &options)?;
    if admin.kind.dialect() != dialect || admin.kind == Kind::Sqlite {
        return Err(Error::input(Diagnostic::new(format!(
            "the scratch server {} is {}, the registry's dialect is {}",
            admin.shown,
            admin.kind.dialect().as_str(),
            dialect.as_str()
        ))));
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let name = format!("tandem_sync_{}_{nanos}", std::process::id());
    let quoted = admin.quote(&name);
    admin.execute(&format!("CREATE DATABASE {quoted}")).map_err(|e| admin.error("create a scratch database", &e))?;
    let mut scratch_url = url::Url::parse(url)
        .map_err(|e| Error::input(Diagnostic::new(format!("`{}` is not a usable database URL: {e}", admin.shown))))?;
    scratch_url.set_path(&format!("/{name}"));
    let made = load_and_dump(scratch_url.as_str(), &options, expected, tool, order);
    let dropped =
        admin.execute(&format!("DROP DATABASE {quoted}")).map_err(|e| admin.error("drop the scratch database", &e));
    admin.close();
    let text = made?;
    dropped?;
    Ok(text)
}

fn load_and_dump(
    url: &str,
    options: &ConnectOptions<'_>,
    expected: &Expected,
    tool: DumpTool,
    order: rails::VersionOrder,
) -> Result<String> {
    let mut db = Db::connect(url, options)?;
    let ddl = ddl(&expected.schema);
    let statements: Vec<String> = match db.kind {
        // The canonical MySQL text wraps routines and triggers in `DELIMITER`, a client command.
        Kind::Mysql | Kind::Mariadb => match crate::schema::mysql::split::split(&ddl) {
            Ok(split) => split.statements.iter().map(|r| split.text[r.clone()].to_owned()).collect(),
            Err(u) => {
                return Err(Error::environment(Diagnostic::new(format!(
                    "tandem's MySQL rendering has an unterminated {}",
                    u.what
                ))));
            }
        },
        _ => vec![ddl],
    };
    for sql in statements.iter().filter(|s| !s.trim().is_empty()) {
        db.execute(sql).map_err(|e| {
            Error::environment(Diagnostic::new(format!(
                "the replayed schema does not load into the scratch database: {}\n{}",
                e.message,
                crate::migration::readers::excerpt(sql)
            )))
        })?;
    }
    let history = match tool {
        DumpTool::Rails => FrameworkHistory::Rails,
        DumpTool::Ecto => FrameworkHistory::Ecto,
    };
    let interop = Interop::new(&history);
    interop.ensure(&mut db)?;
    if tool == DumpTool::Rails {
        // `InternalMetadata#create_table`: `key` (primary key), `value`, `t.timestamps`.
        let ddl = match db.kind {
            Kind::Postgres => {
                "CREATE TABLE IF NOT EXISTS ar_internal_metadata (key character varying NOT NULL PRIMARY KEY, \
                 value character varying, created_at timestamp(6) without time zone NOT NULL, \
                 updated_at timestamp(6) without time zone NOT NULL)"
            }
            _ => {
                "CREATE TABLE IF NOT EXISTS ar_internal_metadata (`key` varchar(255) NOT NULL PRIMARY KEY, \
                 value varchar(255), created_at datetime(6) NOT NULL, updated_at datetime(6) NOT NULL)"
            }
        };
        db.execute(ddl).map_err(|e| db.error("create ar_internal_metadata", &e))?;
    }
    for s in &expected.migrations {
        if interop.check(&s.migration).is_ok() {
            interop.record(&mut db, &s.migration)?;
        }
    }
    db.close();
    super::structure(url, tool, order)
}

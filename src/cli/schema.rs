//! `tandem schema show | dump | diff | drift | sync`.

use clap::{Args, Subcommand};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::cli::{FormatArg, Globals, Outcome, TextOrJson, write_out};
use crate::error::{Diagnostic, Error, Result};
use crate::render;
use crate::report;
use crate::schema::diff::{ChangeKind, Difference, diff};
use crate::schema::{self, Dialect, QualifiedName, Schema, SchemaSource};

#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// One row per table: columns, indexes, foreign keys in and out, views that use it
    Show {
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Print the schema as canonical, deterministic SQL of its dialect
    Dump {
        #[command(flatten)]
        source: SourceArgs,
    },
    /// Compare two schemas semantically; exit 1 when they differ
    Diff {
        /// First schema: a dump file (structure.sql, schema.rb, mysqldump) or `env:VAR` naming an
        /// environment variable that holds a database URL
        a: String,
        /// Second schema, in the same forms
        b: String,
        #[command(flatten)]
        format: FormatArg,
    },
    /// Compare each app's committed dump with the migrations of every app; exit 1 on drift
    Drift(DriftArgs),
    /// Regenerate each app's committed dump from a live database or from every app's migrations
    /// as the app's framework writes it; print the diff and exit 1 when it differs, or write it
    /// with --write
    Sync(SyncArgs),
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this app's dump (repeatable) [default: every app with a `structure`]
    #[arg(long = "app", value_name = "NAME")]
    pub apps: Vec<String>,
    /// What to dump: `env:VAR` naming an environment variable that holds a live database's URL,
    /// or `migrations` for the schema every app's migrations make
    #[arg(long, value_name = "SRC")]
    pub from: String,
    /// With `--from migrations`: a server (`env:VAR` holding its URL) to load the replayed
    /// schema into, in a throwaway database, for the real dump program to dump [default: none,
    /// tandem renders the dump itself]
    #[arg(long, value_name = "SRC")]
    pub scratch: Option<String>,
    /// Write each dump that differs into its app's work tree (exit 0)
    #[arg(long, conflicts_with = "commit")]
    pub write: bool,
    /// Commit each dump that differs on --branch of its app's repository, through libgit2,
    /// without touching the work tree (exit 0)
    #[arg(long, requires = "branch")]
    pub commit: bool,
    /// The branch --commit commits on (created at the app's head when it does not exist)
    #[arg(long, value_name = "B", requires = "commit")]
    pub branch: Option<String>,
    /// The commit's title [default: tandem schema sync: regenerate PATH]
    #[arg(short = 'm', long, value_name = "MSG", requires = "commit")]
    pub message: Option<String>,
    #[command(flatten)]
    pub format: FormatArg,
}

#[derive(Debug, Args)]
pub struct DriftArgs {
    /// Only this app's dump (repeatable) [default: every app with a `structure`]
    #[arg(long = "app", value_name = "NAME")]
    pub apps: Vec<String>,
    /// Which ref of each app to read the dump and the migrations at: `head`, `deployed`, or a
    /// revision of the checked app's repository
    #[arg(long = "ref", value_name = "REV")]
    pub git_ref: Option<String>,
    /// Compare with a live database instead of the migrations: `env:VAR` naming an environment
    /// variable that holds its URL
    #[arg(long, value_name = "SRC")]
    pub against: Option<String>,
    /// Also compare the dump with the dump at this revision: every difference must come from a
    /// migration added since
    #[arg(long, value_name = "REV")]
    pub since: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = DriftFormat::Text)]
    pub format: DriftFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DriftFormat {
    Text,
    Json,
    Markdown,
    Github,
}

#[derive(Debug, Args)]
pub struct SourceArgs {
    /// Schema source: a dump file or `env:VAR` [default: the registry's `schema`]
    #[arg(long, value_name = "SRC", conflicts_with = "database_url")]
    pub schema: Option<String>,
    /// Introspect this database instead (the password is never printed)
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

pub fn run(g: &Globals, cmd: SchemaCommand) -> Result<Outcome> {
    match cmd {
        SchemaCommand::Show { source, format } => {
            let (label, schema) = load(g, &source)?;
            write_out(&match format.format {
                TextOrJson::Text => show_text(&schema),
                TextOrJson::Json => render::json(&ShowJson { version: 1, source: label, schema: &schema }),
            })?;
            Ok(Outcome::Success)
        }
        SchemaCommand::Dump { source } => {
            let (_, schema) = load(g, &source)?;
            write_out(&schema::render::render(&schema))?;
            Ok(Outcome::Success)
        }
        SchemaCommand::Diff { a, b, format } => {
            let dialect = optional_config(g)?.map(|c| c.registry.dialect);
            let (sa, sb) = (positional(&a)?, positional(&b)?);
            let left = schema::load(&sa, dialect)?;
            let right = schema::load(&sb, dialect)?;
            let differences = diff(&left, &right);
            write_out(&match format.format {
                TextOrJson::Text => diff_text(&sa.to_string(), &sb.to_string(), &differences),
                TextOrJson::Json => render::json(&DiffJson {
                    version: 1,
                    a: sa.to_string(),
                    b: sb.to_string(),
                    equal: differences.is_empty(),
                    differences: &differences,
                }),
            })?;
            Ok(if differences.is_empty() { Outcome::Success } else { Outcome::Failure })
        }
        SchemaCommand::Drift(args) => drift(g, args),
        SchemaCommand::Sync(args) => sync(g, args),
    }
}

fn sync(g: &Globals, args: SyncArgs) -> Result<Outcome> {
    let config = g.load_config()?;
    let output = match (args.write, args.branch) {
        (true, _) => crate::sync::Output::Write,
        (false, Some(branch)) => crate::sync::Output::Commit { branch, message: args.message },
        (false, None) => crate::sync::Output::Diff,
    };
    let from = match (args.from.as_str(), &args.scratch) {
        ("migrations", scratch) => {
            crate::sync::From::Migrations { scratch: scratch.as_deref().map(positional).transpose()? }
        }
        (_, Some(_)) => {
            return Err(Error::input(
                Diagnostic::new("--scratch is for `--from migrations`: a live database is dumped as it is")
                    .help("drop --scratch, or pass --from migrations"),
            ));
        }
        (from, None) => crate::sync::From::Live(positional(from)?),
    };
    let options = crate::sync::Options { apps: args.apps, from, output };
    let apps = crate::sync::run(&config, &options)?;
    // How a dump made from the migrations was written, and what the replay could not follow,
    // go to stderr: stdout stays the diff.
    if args.format.format == TextOrJson::Text {
        for a in &apps {
            if let Some(how) = &a.made_by {
                eprintln!("{} ({}): {}", a.dump, a.app, crate::sync::replayed::describe(how));
            }
            for u in &a.unreplayed {
                let why = u.error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
                eprintln!("{} ({}): not replayed, so not in the dump: {}: {}{why}", a.dump, a.app, u.location, u.what);
            }
            for n in &a.notes {
                eprintln!("{} ({}): note: {n}", a.dump, a.app);
            }
        }
    }
    write_out(&match args.format.format {
        TextOrJson::Text => apps
            .iter()
            .map(|a| match (&a.written, &a.commit) {
                _ if a.in_sync => format!("{} ({}): in sync\n", a.dump, a.app),
                (Some(path), _) => format!("{} ({}): written to {}\n", a.dump, a.app, path.display()),
                (_, Some(id)) => format!("{} ({}): committed {}\n", a.dump, a.app, render::short_commit(id)),
                (None, None) => a.diff(),
            })
            .collect(),
        TextOrJson::Json => render::json(&SyncJson { version: 1, apps: &apps }),
    })?;
    let stale = apps.iter().any(|a| !a.in_sync && a.written.is_none() && a.commit.is_none());
    Ok(if stale { Outcome::Failure } else { Outcome::Success })
}

#[derive(Serialize)]
struct SyncJson<'a> {
    version: u32,
    apps: &'a [crate::sync::AppSync],
}

fn drift(g: &Globals, args: DriftArgs) -> Result<Outcome> {
    let config = g.load_config()?;
    let against = args.against.as_deref().map(positional).transpose()?;
    let options = crate::drift::Options { apps: args.apps, git_ref: args.git_ref, against, since: args.since };
    let report = crate::drift::run(&config, &options)?;
    write_out(&match args.format {
        DriftFormat::Text => crate::drift::render::text(&report),
        DriftFormat::Json => render::json(&report),
        DriftFormat::Markdown => crate::drift::render::markdown(&report),
        DriftFormat::Github => crate::drift::render::github(&report),
    })?;
    Ok(if report.drifts() { Outcome::Failure } else { Outcome::Success })
}

/// The schema named on the command line, or else the registry's.
fn load(g: &Globals, args: &SourceArgs) -> Result<(String, Schema)> {
    let config = optional_config(g)?;
    let dialect = config.as_ref().map(|c| c.registry.dialect);
    let source = if let Some(url) = &args.database_url {
        SchemaSource::Url(url.clone())
    } else if let Some(arg) = &args.schema {
        positional(arg)?
    } else {
        let config = match config {
            Some(c) => c,
            None => g.load_config()?,
        };
        match &config.registry.schema {
            Some(crate::config::SchemaSetting::File(p)) => SchemaSource::File(p.clone()),
            Some(crate::config::SchemaSetting::UrlEnv(v)) => SchemaSource::UrlEnv(v.clone()),
            // No dump (many Phoenix and Django apps commit none): the registered migrations,
            // replayed, are the schema — as check and refs see it.
            None => {
                return match crate::check::baseline::current(&config)? {
                    Some(schema) => Ok(("the registered migrations, replayed (their drops kept out)".to_owned(), schema)),
                    None => Err(Error::input(
                        Diagnostic::new("the registry names no schema source and no migrations")
                            .in_file(&config.path)
                            .help("set `schema = \"path/to/structure.sql\"`, `database_url_env = \"VAR\"` or `migrations = \"dir\"` in [registry], or pass --schema"),
                    )),
                };
            }
        }
    };
    let schema = schema::load(&source, dialect)?;
    Ok((source.to_string(), schema))
}

/// The registry when one is named or can be found; commands given explicit sources work without.
fn optional_config(g: &Globals) -> Result<Option<crate::config::Config>> {
    if g.config.is_some() {
        return g.load_config().map(Some);
    }
    let cwd = std::env::current_dir().map_err(|e| Error::msg(format!("cannot read the current directory: {e}")))?;
    match crate::config::discover(&cwd) {
        Ok(path) => crate::config::load(&path).map(Some),
        Err(_) => Ok(None),
    }
}

/// A positional schema argument: a file or `env:VAR`. URLs are refused here so that passwords
/// stay out of shell history and process lists.
fn positional(arg: &str) -> Result<SchemaSource> {
    match SchemaSource::from_arg(arg) {
        SchemaSource::Url(_) => Err(Error::input(
            Diagnostic::new("a database URL cannot be given as an argument")
                .help("put it in an environment variable and pass `env:VAR`, or use --database-url"),
        )),
        s => Ok(s),
    }
}

#[derive(Serialize)]
struct ShowJson<'a> {
    version: u32,
    source: String,
    schema: &'a Schema,
}

#[derive(Serialize)]
struct DiffJson<'a> {
    version: u32,
    a: String,
    b: String,
    equal: bool,
    differences: &'a [Difference],
}

fn show_text(schema: &Schema) -> String {
    let mut fk_in: BTreeMap<&QualifiedName, usize> = BTreeMap::new();
    for t in &schema.tables {
        for fk in &t.foreign_keys {
            if let Some(target) = schema.tables.iter().find(|x| fk.references.matches(&x.name)) {
                *fk_in.entry(&target.name).or_default() += 1;
            }
        }
    }
    let mut table = report::table::new(&["table", "columns", "indexes", "fk out", "fk in", "used by views"]);
    let (mut cols, mut idx, mut fks) = (0, 0, 0);
    for t in &schema.tables {
        let views: Vec<String> =
            schema.views_using(&t.name, None).map(|v| display_name(schema.dialect, &v.name)).collect();
        let incoming = fk_in.get(&t.name).copied().unwrap_or(0);
        table.add_row(vec![
            display_name(schema.dialect, &t.name),
            t.columns.len().to_string(),
            t.indexes.len().to_string(),
            t.foreign_keys.len().to_string(),
            incoming.to_string(),
            views.join(", "),
        ]);
        cols += t.columns.len();
        idx += t.indexes.len();
        fks += t.foreign_keys.len();
    }
    table.add_row(vec![
        crate::render::count(schema.tables.len(), "table"),
        cols.to_string(),
        idx.to_string(),
        fks.to_string(),
        fks.to_string(),
        crate::render::count(schema.views.len(), "view"),
    ]);
    let mut out = table.to_string();
    out.push('\n');
    let extras = [
        ("enum", schema.enums.len()),
        ("sequence", schema.sequences.len()),
        ("function", schema.functions.len()),
        ("trigger", schema.triggers.len()),
        ("extension", schema.extensions.len()),
        ("applied migration", schema.migrations.len()),
    ];
    let line: Vec<String> = extras.iter().map(|(k, n)| crate::render::count(*n, k)).collect();
    out.push_str(&line.join(", "));
    out.push('\n');
    out
}

/// `public.users` reads as `users`: the default schema is noise in a table of tables.
fn display_name(dialect: Dialect, name: &QualifiedName) -> String {
    if name.schema.as_deref() == dialect.default_schema() { name.name.clone() } else { name.to_string() }
}

fn diff_text(a: &str, b: &str, differences: &[Difference]) -> String {
    if differences.is_empty() {
        return format!("{a} and {b} are the same schema\n");
    }
    let mut table = report::table::new(&["object", "kind", "difference", a, b]);
    for d in differences {
        let what = match (&d.change, d.field) {
            (ChangeKind::Removed, _) => format!("only in {a}"),
            (ChangeKind::Added, _) => format!("only in {b}"),
            (ChangeKind::Changed, Some(f)) => f.to_owned(),
            (ChangeKind::Changed, None) => "changed".to_owned(),
        };
        table.add_row(vec![
            d.object.clone(),
            d.kind.to_owned(),
            what,
            d.a.clone().unwrap_or_default(),
            d.b.clone().unwrap_or_default(),
        ]);
    }
    format!("{table}\n{} differences\n", differences.len())
}

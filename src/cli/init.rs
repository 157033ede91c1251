//! `tandem init`: a commented registry and the directories it points at.

use std::path::Path;

use clap::Args;

use crate::cli::{Globals, Outcome};
use crate::config::FILE_NAME;
use crate::error::{Diagnostic, Error, Result};

#[derive(Debug, Args)]
pub struct InitArgs {}

/// The registry `tandem init` writes. It must load as written (a test makes sure).
pub const TEMPLATE: &str = r#"# tandem registry: the apps that share one database. Every key: docs/config.md.

[registry]
# The database's dialect: "postgres", "mysql" or "sqlite".
dialect = "postgres"
# The canonical schema: a dump (pg_dump --schema-only, mysqldump --no-data, Rails schema.rb) —
# uncomment once the dump is in schema/ ...
# schema = "schema/structure.sql"
# ... or, instead, an environment variable holding a database URL to introspect:
# database_url_env = "DATABASE_URL"
# With neither, `tandem check` replays the migrations below to know the schema.
# The shared migrations tandem checks and applies.
migrations = "migrations"
# Where tandem keeps scan results and its cache; share one PostgreSQL store across CI runners with
# store = "postgres://tandem@db.internal/tandem".
# store = "sqlite://.tandem/registry.db"
# References below this confidence never block: "low", "medium" or "high".
# min_confidence = "medium"

# One [[app]] per application that uses the database.
# [[app]]
# name = "platform"                # unique
# repo = "../platform"             # a git repository, bare or not, relative to this file
# path = "."                       # the app's folder inside the repository (monorepos)
# framework = "rails"              # rails, phoenix, django, sqlalchemy, prisma, drizzle, typeorm, sequelize,
#                                  # mongoose, parse, mongodb, generic
# deployed = "origin/production"   # the revision running now
# head = "origin/main"             # the revision deploying next
# include = ["app/**", "lib/**"]   # globs of files to scan (default: everything)
# exclude = ["spec/**"]            # globs of files to skip
# structure = "db/structure.sql"   # this app's committed schema dump, if any
# migrations = "db/migrate"        # this app's own migrations, if any
# owner = "team-platform"

# Which lint rules run (`tandem check --list-rules`): the style rules are off unless enabled here.
# [lint]
# enable = ["prefer-bigint-over-int", "prefer-identity", "prefer-timestamp-tz", "prefer-robust-stmts"]
# disable = ["require-statement-timeout"]
"#;

pub fn run(_g: &Globals, _args: InitArgs) -> Result<Outcome> {
    let cwd = std::env::current_dir().map_err(|e| Error::msg(format!("cannot read the current directory: {e}")))?;
    init(&cwd)?;
    println!(
        "Wrote {FILE_NAME}, schema/ and migrations/. Next: put the schema dump in schema/ and uncomment `schema` in \
         {FILE_NAME}, add your apps, then run `tandem apps` and `tandem check`."
    );
    Ok(Outcome::Success)
}

/// Write the registry skeleton into `dir`, refusing to replace an existing registry.
pub fn init(dir: &Path) -> Result<()> {
    let registry = dir.join(FILE_NAME);
    if registry.exists() {
        return Err(Error::input(
            Diagnostic::new(format!("{} already exists; tandem init never overwrites it", registry.display()))
                .help("edit it, or remove it first to start over"),
        ));
    }
    for sub in ["schema", "migrations"] {
        let d = dir.join(sub);
        if d.exists() && !d.is_dir() {
            return Err(Error::input(Diagnostic::new(format!("{} exists and is not a directory", d.display()))));
        }
    }
    let write_err = |p: &Path, e: std::io::Error| Error::msg(format!("cannot write {}: {e}", p.display()));
    for sub in ["schema", "migrations"] {
        let d = dir.join(sub);
        std::fs::create_dir_all(&d).map_err(|e| write_err(&d, e))?;
    }
    // create_new: if another process created the file since the check above, do not clobber it.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&registry)
        .map_err(|e| write_err(&registry, e))?;
    std::io::Write::write_all(&mut file, TEMPLATE.as_bytes()).map_err(|e| write_err(&registry, e))?;
    Ok(())
}

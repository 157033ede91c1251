//! The fuzz targets: every reader of untrusted text, its seeds and how to feed it. Shared by the
//! stable-toolchain mutation loop (`main.rs`, this bench) and the coverage-guided libFuzzer
//! harness (`fuzz/fuzz_targets/reader.rs`, which includes this file by path), so that a target is
//! written once for both.

use std::path::{Path, PathBuf};

use tandem::config::Framework;
use tandem::migration::{self, Format};
use tandem::scan::extract::sql::{SqlExtractor, sql_refs};
use tandem::scan::extract::{ExtractContext, Extractor, SourceFile};
use tandem::schema::Dialect;

/// One reader under test: its seeds and how to feed it. `run` returns a short outcome
/// signature, which decides whether an input is kept.
pub struct Target {
    pub name: &'static str,
    /// Fixture files (by path suffix under these roots) and test files whose raw strings seed it.
    pub seeds: &'static [Seed],
    pub run: fn(&str) -> String,
}

pub enum Seed {
    /// Every file under this directory whose name ends with one of these suffixes.
    Files(&'static str, &'static [&'static str]),
    /// The raw string literals (`r"…"`, `r#"…"#`) of a test file that contain this marker.
    RawStrings(&'static str, &'static str),
}

fn outcome<T>(r: tandem::error::Result<T>, describe: impl Fn(&T) -> String) -> String {
    match r {
        Ok(v) => describe(&v),
        Err(e) => format!("err:{}", shape(e.to_string().lines().next().unwrap_or_default(), 60)),
    }
}

/// What kind of message `text` is, without what it quotes from the input: digits (positions,
/// sizes) and quoted text (`near "…"`, `` `…` ``) are left out. Keeping them made nearly every
/// input of the SQL and structure targets a new outcome, so their corpora filled up with inputs
/// that only named another token and the loop degraded to random mutation (runs of 2026-12-06).
fn shape(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut previous = ' ';
    for c in text.chars() {
        // An apostrophe inside a word ("can't") opens no quote.
        let opens = matches!(c, '"' | '`' | '“') || (c == '\'' && !previous.is_alphanumeric());
        previous = c;
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if opens => quote = Some(if c == '“' { '”' } else { c }),
            None if c.is_ascii_digit() => {}
            // `|` separates an outcome's features: a message quoting `a || b` or a dump's
            // `x|y` unquoted split into fragments of the input, each a "feature" of its own
            // (`structure-postgres` reached its corpus cap with 91,630 of them).
            None if c == '|' => out.push(' '),
            None => out.push(c),
        }
        if out.chars().count() >= max {
            // Cut at a word's end: the word cut short would differ with every input it quotes.
            out.truncate(out.rfind(' ').unwrap_or(0));
            break;
        }
    }
    out
}

fn migration_outcome(ms: &[migration::Migration]) -> String {
    let mut kinds: Vec<String> = ms
        .iter()
        .flat_map(|m| m.up.iter().chain(m.down.iter().flatten()))
        .map(|op| {
            let d = format!("{:?}", op.kind);
            let name: String = d.chars().take_while(|c| c.is_alphanumeric()).collect();
            // Unparsed reasons are part of the behaviour worth keeping inputs for.
            match &op.kind {
                migration::OpKind::Unparsed { reason, .. } => {
                    format!("{name}:{}", shape(reason, 40))
                }
                _ => name,
            }
        })
        .collect();
    kinds.sort();
    kinds.dedup();
    let n: usize = ms.iter().map(|m| m.up.len()).sum();
    format!("ok|n:{}|{}", n.min(8), kinds.join("|"))
}

fn read_migration(path: &str, text: &str, format: Format, dialect: Dialect) -> String {
    outcome(migration::read_file(Path::new(path), text, Some(format), dialect), |ms| migration_outcome(ms))
}

const SQL_SEEDS: &[Seed] = &[
    Seed::Files("tests/fixtures/migrations/sql", &[".sql"]),
    Seed::Files("migrations", &[".sql"]),
    Seed::RawStrings("tests/it/migration_sql.rs", ";"),
    Seed::RawStrings("tests/it/check_gate.rs", ";"),
];

pub const TARGETS: &[Target] = &[
    Target {
        name: "structure-postgres",
        seeds: &[Seed::Files("tests/fixtures/schema/pg", &[".sql"]), Seed::Files("schema", &[".sql"])],
        run: |t| {
            outcome(tandem::schema::postgres::parse(t, Path::new("structure.sql")), |s| {
                format!("ok:{}", s.tables.len().min(8))
            })
        },
    },
    Target {
        name: "structure-mysql",
        seeds: &[Seed::Files("tests/fixtures/schema/mysql", &[".sql"])],
        run: |t| {
            outcome(tandem::schema::mysql::parse(t, Path::new("structure.sql")), |s| {
                format!("ok:{}", s.tables.len().min(8))
            })
        },
    },
    Target {
        name: "migration-sql-postgres",
        seeds: SQL_SEEDS,
        run: |t| read_migration("20240101000000_m.sql", t, Format::Sql, Dialect::Postgres),
    },
    Target {
        name: "migration-sql-mysql",
        seeds: SQL_SEEDS,
        run: |t| read_migration("20240101000000_m.sql", t, Format::Sql, Dialect::Mysql),
    },
    Target {
        name: "migration-prisma",
        seeds: &[
            Seed::RawStrings("tests/it/migration_prisma.rs", ";"),
            Seed::Files("tests/fixtures/migrations/sql", &[".sql"]),
        ],
        run: |t| {
            read_migration("prisma/migrations/20240101000000_init/migration.sql", t, Format::Sql, Dialect::Postgres)
        },
    },
    Target {
        name: "migration-rails",
        seeds: &[
            Seed::Files("tests/fixtures/migrations/rails", &[".rb"]),
            Seed::Files("tests/fixtures/migrations/rails_misc", &[".rb"]),
            Seed::RawStrings("tests/it/migration_rails.rs", "Migration"),
        ],
        run: |t| read_migration("db/migrate/20240101000000_m.rb", t, Format::Rails, Dialect::Postgres),
    },
    Target {
        name: "migration-ecto",
        seeds: &[
            Seed::Files("tests/fixtures/migrations/ecto", &[".exs"]),
            Seed::RawStrings("tests/it/migration_ecto.rs", "Ecto.Migration"),
        ],
        run: |t| read_migration("priv/repo/migrations/20240101000000_m.exs", t, Format::Ecto, Dialect::Postgres),
    },
    Target {
        name: "migration-django",
        seeds: &[
            Seed::Files("tests/fixtures/migrations/django", &[".py"]),
            Seed::RawStrings("tests/it/migration_django.rs", "migrations."),
        ],
        run: |t| read_migration("shop/migrations/0002_m.py", t, Format::Django, Dialect::Postgres),
    },
    Target {
        name: "migration-alembic",
        seeds: &[Seed::RawStrings("tests/it/migration_alembic.rs", "op.")],
        run: |t| read_migration("alembic/versions/abc123_m.py", t, Format::Alembic, Dialect::Postgres),
    },
    Target {
        name: "migration-typeorm",
        seeds: &[Seed::RawStrings("tests/it/migration_typeorm.rs", "queryRunner")],
        run: |t| read_migration("src/migrations/1700000000000-M.ts", t, Format::Typeorm, Dialect::Postgres),
    },
    Target {
        name: "migration-sequelize",
        seeds: &[Seed::RawStrings("tests/it/migration_sequelize.rs", "queryInterface")],
        run: |t| read_migration("migrations/20240101000000-m.js", t, Format::Sequelize, Dialect::Postgres),
    },
    Target {
        name: "migration-knex",
        seeds: &[Seed::RawStrings("tests/it/migration_knex.rs", "knex")],
        run: |t| read_migration("migrations/20240101000000_m.js", t, Format::Knex, Dialect::Postgres),
    },
    Target {
        name: "migration-migrate-mongo",
        seeds: &[Seed::RawStrings("tests/it/migration_mongo.rs", "db.collection")],
        run: |t| read_migration("migrations/20240101000000-m.js", t, Format::MigrateMongo, Dialect::Mongodb),
    },
    Target {
        name: "schema-mongodb",
        seeds: &[Seed::RawStrings("tests/it/migration_mongo.rs", "$jsonSchema")],
        run: |t| {
            outcome(tandem::schema::mongodb::parse(t, Path::new("collections.json")), |s| {
                format!("ok:{}", s.tables.len().min(8))
            })
        },
    },
    Target {
        name: "apps-toml",
        seeds: &[
            Seed::Files(".", &["apps.toml"]),
            Seed::Files("examples", &["apps.toml"]),
            Seed::RawStrings("tests/it/config.rs", "["),
        ],
        run: |t| {
            outcome(tandem::config::load_str(t, Path::new("apps.toml")), |c| format!("ok:{}", c.apps.len().min(4)))
        },
    },
    Target {
        name: "sql-in-code",
        seeds: &[Seed::Files("tests/fixtures/extract", &[".rb", ".py", ".ex", ".exs", ".ts", ".js", ".sql", ".erb"])],
        run: |t| {
            let mut sig = format!("refs:{}", sql_refs(t).len().min(8));
            let ctx = ExtractContext { framework: Framework::Generic, identifiers: &[] };
            for path in ["app/models/x.rb", "app/x.py", "lib/x.ex", "src/x.ts", "db/x.sql"] {
                let facts = SqlExtractor.extract(&SourceFile::new(path, t), &ctx);
                sig.push_str(&format!(":{}", facts.hits.len().min(8)));
            }
            sig
        },
    },
    Target {
        name: "code-rails",
        seeds: &[
            Seed::Files("tests/fixtures/extract/rails", &[".rb", ".erb", ".haml", ".slim", ".jbuilder"]),
            Seed::RawStrings("tests/it/receivers_rails.rs", "end"),
        ],
        run: |t| {
            let paths = ["app/models/user.rb", "app/controllers/users_controller.rb", "app/views/users/show.html.erb"];
            app_code(Framework::Rails, &paths, t)
        },
    },
    Target {
        name: "code-phoenix",
        seeds: &[
            Seed::Files("tests/fixtures/extract/ecto", &[".ex", ".exs", ".heex", ".eex"]),
            Seed::RawStrings("tests/it/receivers_phoenix.rs", "end"),
        ],
        run: |t| {
            let paths = [
                "lib/app/accounts/user.ex",
                "lib/app_web/live/user_live.ex",
                "lib/app_web/templates/user/show.html.heex",
            ];
            app_code(Framework::Phoenix, &paths, t)
        },
    },
    Target {
        name: "code-django",
        seeds: &[
            Seed::Files("tests/fixtures/extract/django", &[".py", ".html"]),
            Seed::RawStrings("tests/it/receivers_django.rs", "def "),
        ],
        run: |t| {
            let paths = ["shop/models.py", "shop/views.py", "shop/templates/shop/detail.html"];
            app_code(Framework::Django, &paths, t)
        },
    },
    Target {
        name: "code-prisma",
        seeds: &[
            Seed::Files("tests/fixtures/extract/prisma", &[".ts", ".tsx", ".prisma"]),
            Seed::RawStrings("tests/it/receivers_prisma.rs", "prisma"),
        ],
        run: |t| {
            let paths = ["prisma/schema.prisma", "src/lib/users.ts", "src/components/User.tsx"];
            app_code(Framework::Prisma, &paths, t)
        },
    },
];

/// Every extractor an app of `framework` runs on a file at each of `paths`, fed `text`: the
/// per-file half of a scan (tree-sitter parse and walk), where a panic or a C abort would take a
/// whole scan down. The outcome is the number of hits, models and bindings of each.
fn app_code(framework: Framework, paths: &[&str], text: &str) -> String {
    let ctx = ExtractContext { framework, identifiers: &[] };
    let mut sig = String::new();
    for path in paths {
        for x in tandem::scan::extract::all().iter().filter(|x| x.applies(path, framework)) {
            let facts = x.extract(&SourceFile::new(path, text), &ctx);
            sig.push_str(&format!(
                "{}:{}/{}/{};",
                x.id(),
                facts.hits.len().min(8),
                facts.models.len().min(4),
                facts.bindings.len().min(4)
            ));
        }
    }
    sig
}

pub fn seeds(target: &Target) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for seed in target.seeds {
        match seed {
            Seed::Files(root, suffixes) => {
                let mut stack = vec![PathBuf::from(root)];
                while let Some(dir) = stack.pop() {
                    let Ok(entries) = std::fs::read_dir(&dir) else { continue };
                    for e in entries.flatten() {
                        let p = e.path();
                        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
                        if p.is_dir() {
                            if *root != "." && name != "target" && !name.starts_with('.') {
                                stack.push(p);
                            }
                        } else if suffixes.iter().any(|s| name.ends_with(s))
                            && let Ok(bytes) = std::fs::read(&p)
                        {
                            out.push(bytes);
                        }
                    }
                }
            }
            Seed::RawStrings(file, marker) => {
                let Ok(text) = std::fs::read_to_string(file) else { continue };
                out.extend(raw_strings(&text).into_iter().filter(|s| s.contains(marker)).map(String::into_bytes));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The raw string literals of Rust source: `r"…"` and `r#"…"#` (any number of `#`).
fn raw_strings(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i] == b'r' && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        let hashes = bytes[i + 1..].iter().take_while(|b| **b == b'#').count();
        if !starts || bytes.get(i + 1 + hashes) != Some(&b'"') {
            i += 1;
            continue;
        }
        let body = i + 2 + hashes;
        let close = format!("\"{}", "#".repeat(hashes));
        let Some(end) = text[body..].find(&close) else { break };
        out.push(text[body..body + end].to_owned());
        i = body + end + close.len();
    }
    out
}

/// The target called `name`.
pub fn by_name(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

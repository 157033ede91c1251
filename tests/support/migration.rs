//! Helpers shared by the migration reader tests: a compact, exact, one-line rendering of each
//! operation so a test can state a whole migration's operation list.

use std::path::{Path, PathBuf};

use tandem::migration::{Direction, Migration, OpKind, Operation};

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migrations").join(rel)
}

/// `line:col kind details`, e.g. `5:5 add_column public.users.nickname character varying(40) null`.
pub fn line(op: &Operation) -> String {
    format!("{}:{} {}", op.span.line, op.span.column, describe(&op.kind))
}

pub fn lines(ops: &[Operation]) -> Vec<String> {
    ops.iter().map(line).collect()
}

pub fn down_lines(m: &Migration) -> Option<Vec<String>> {
    m.down.as_ref().map(|d| {
        assert!(d.iter().all(|o| o.direction == Direction::Down), "down operations carry Direction::Down");
        lines(d)
    })
}

pub fn describe(kind: &OpKind) -> String {
    match kind {
        OpKind::CreateTable { table, columns, primary_key, foreign_keys, if_not_exists } => {
            let cols: Vec<String> = columns
                .iter()
                .map(|c| {
                    let mut s = format!("{} {}", c.name, c.data_type);
                    if !c.nullable {
                        s.push_str(" not null");
                    }
                    if let Some(d) = &c.default {
                        s.push_str(&format!(" default {d}"));
                    }
                    s
                })
                .collect();
            let mut s = format!("create_table {table} ({})", cols.join(", "));
            if let Some(pk) = primary_key {
                s.push_str(&format!(" pk({})", pk.columns.join(",")));
            }
            for fk in foreign_keys {
                s.push_str(&format!(" fk({}->{})", fk.columns.join(","), fk.references));
            }
            if *if_not_exists {
                s.push_str(" if_not_exists");
            }
            s
        }
        OpKind::DropTable { table, if_exists, cascade } => {
            format!("drop_table {table}{}{}", flag(*if_exists, " if_exists"), flag(*cascade, " cascade"))
        }
        OpKind::RenameTable { from, to } => format!("rename_table {from} -> {to}"),
        OpKind::AddColumn { table, column, if_not_exists } => format!(
            "add_column {table}.{} {}{}{}{}",
            column.name,
            column.data_type,
            if column.nullable { " null" } else { " not null" },
            column.default.as_ref().map(|d| format!(" default {d}")).unwrap_or_default(),
            flag(*if_not_exists, " if_not_exists")
        ),
        OpKind::DropColumn { table, column, if_exists } => {
            format!("drop_column {table}.{column}{}", flag(*if_exists, " if_exists"))
        }
        OpKind::RenameColumn { table, from, to } => format!("rename_column {table}.{from} -> {to}"),
        OpKind::ChangeColumnType { table, column, new_type, using } => format!(
            "change_type {table}.{column} {new_type}{}",
            using.as_ref().map(|u| format!(" using {u}")).unwrap_or_default()
        ),
        OpKind::SetNotNull { table, column } => format!("set_not_null {table}.{column}"),
        OpKind::DropNotNull { table, column } => format!("drop_not_null {table}.{column}"),
        OpKind::SetDefault { table, column, default } => format!("set_default {table}.{column} {default}"),
        OpKind::DropDefault { table, column } => format!("drop_default {table}.{column}"),
        OpKind::AddIndex { table, index, concurrently, if_not_exists } => {
            let keys: Vec<String> = index
                .keys
                .iter()
                .map(|k| match &k.part {
                    tandem::schema::IndexPart::Column(c) => c.clone(),
                    tandem::schema::IndexPart::Expression(e) => format!("({e})"),
                })
                .collect();
            format!(
                "add_index {} on {table} {}({}){}{}{}{}",
                index.name,
                index.method,
                keys.join(","),
                flag(index.unique, " unique"),
                index.predicate.as_ref().map(|p| format!(" where {p}")).unwrap_or_default(),
                flag(*concurrently, " concurrently"),
                flag(*if_not_exists, " if_not_exists")
            )
        }
        OpKind::DropIndex { name, concurrently, if_exists } => {
            format!("drop_index {name}{}{}", flag(*concurrently, " concurrently"), flag(*if_exists, " if_exists"))
        }
        OpKind::AddPrimaryKey { table, key, using_index } => format!(
            "add_pk {table}({}){}",
            key.columns.join(","),
            using_index.as_ref().map(|u| format!(" using {u}")).unwrap_or_default()
        ),
        OpKind::AddUnique { table, constraint, using_index } => format!(
            "add_unique {} on {table}({}){}",
            constraint.name.as_deref().unwrap_or("-"),
            constraint.columns.join(","),
            using_index.as_ref().map(|u| format!(" using {u}")).unwrap_or_default()
        ),
        OpKind::AddCheck { table, constraint, not_valid } => format!(
            "add_check {} on {table} ({}){}",
            constraint.name.as_deref().unwrap_or("-"),
            constraint.expression,
            flag(*not_valid, " not_valid")
        ),
        OpKind::AddForeignKey { table, key, not_valid } => format!(
            "add_fk {} on {table}({}) -> {}({}) on_delete {}{}",
            key.name.as_deref().unwrap_or("-"),
            key.columns.join(","),
            key.references,
            key.referenced_columns.join(","),
            key.on_delete.sql(),
            flag(*not_valid, " not_valid")
        ),
        OpKind::ValidateConstraint { table, name } => format!("validate {table}.{name}"),
        OpKind::DropConstraint { table, name, if_exists } => {
            format!("drop_constraint {table}.{name}{}", flag(*if_exists, " if_exists"))
        }
        OpKind::CreateView { view, or_replace } => format!(
            "create_view {}{}{}",
            view.name,
            flag(view.materialized, " materialized"),
            flag(*or_replace, " or_replace")
        ),
        OpKind::DropView { name, materialized, if_exists, cascade } => format!(
            "drop_view {name}{}{}{}",
            flag(*materialized, " materialized"),
            flag(*if_exists, " if_exists"),
            flag(*cascade, " cascade")
        ),
        OpKind::CreateFunction { name, or_replace } => {
            format!("create_function {name}{}", flag(*or_replace, " or_replace"))
        }
        OpKind::DropFunction { name, if_exists } => format!("drop_function {name}{}", flag(*if_exists, " if_exists")),
        OpKind::CreateTrigger { name, table } => format!("create_trigger {name} on {table}"),
        OpKind::DropTrigger { name, table, if_exists } => {
            format!("drop_trigger {name} on {table}{}", flag(*if_exists, " if_exists"))
        }
        OpKind::CreateEnum { name, values } => format!("create_enum {name} [{}]", values.join(",")),
        OpKind::AddEnumValue { name, value } => format!("add_enum_value {name} {value}"),
        OpKind::DropType { name, if_exists, cascade } => {
            format!("drop_type {name}{}{}", flag(*if_exists, " if_exists"), flag(*cascade, " cascade"))
        }
        OpKind::Truncate { tables, cascade } => {
            let t: Vec<String> = tables.iter().map(ToString::to_string).collect();
            format!("truncate {}{}", t.join(","), flag(*cascade, " cascade"))
        }
        OpKind::SetSetting { name, value, local } => format!("set{} {name} = {value}", flag(*local, " local")),
        OpKind::LockTable { tables, mode } => {
            let t: Vec<String> = tables.iter().map(ToString::to_string).collect();
            format!("lock {} {mode}", t.join(","))
        }
        OpKind::Begin => "begin".into(),
        OpKind::Commit => "commit".into(),
        OpKind::Data { verb, table } => {
            format!("data {verb}{}", table.as_ref().map(|t| format!(" {t}")).unwrap_or_default())
        }
        OpKind::Code { description } => format!("code {description}"),
        OpKind::Raw { sql } => format!("raw {sql}"),
        OpKind::Unparsed { text, reason } => format!("unparsed {text} ({reason})"),
    }
}

fn flag(on: bool, text: &str) -> &str {
    if on { text } else { "" }
}

/// The PostgreSQL migrations of `sql`, read as the file `name`.
pub fn read(name: &str, sql: &str) -> Vec<Migration> {
    tandem::migration::read_file(Path::new(name), sql, None, tandem::schema::Dialect::Postgres)
        .expect("migration reads")
}

/// A PostgreSQL schema built by replaying `setup` (DDL) onto an empty one.
pub fn schema_of(setup: &str) -> tandem::schema::Schema {
    let mut s = tandem::schema::Schema::new(tandem::schema::Dialect::Postgres);
    tandem::migration::replay(&mut s, &read("setup.sql", setup)).expect("setup replays");
    s
}

/// The gate on a framework's own migration, end to end on a real git repository: an app of
/// `framework` at `app/` whose code (`uses`) still uses `users.legacy_flag`, and `migration`
/// (path under `app/`, text) that drops it. `tandem check` on the migration blocks; once the
/// app's code is `cleaned`, the same check passes. `app_settings` are extra `[[app]]` lines.
pub fn gate_blocks_then_passes(
    framework: &str,
    app_settings: &str,
    uses: &[(&str, &str)],
    cleaned: &[(&str, &str)],
    migration: (&str, &str),
) {
    use crate::support::cmd::{git, tandem, write};
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "schema.sql",
        "CREATE TABLE public.users (\n    id bigint NOT NULL,\n    email text,\n    legacy_flag boolean\n);\n",
    );
    write(
        root,
        "apps.toml",
        format!(
            "[registry]\ndialect = \"postgres\"\nschema = \"schema.sql\"\n\n[[app]]\nname = \"app\"\nrepo = \".\"\n\
             path = \"app\"\nframework = \"{framework}\"\nhead = \"main\"\n{app_settings}"
        ),
    );
    write(root, ".gitignore", ".tandem/\n");
    for (path, text) in uses {
        write(root, &format!("app/{path}"), text);
    }
    let (path, text) = migration;
    write(root, &format!("app/{path}"), text);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "the app uses legacy_flag; a migration drops it"]);
    let check = || {
        let out =
            tandem().current_dir(root).args(["check", &format!("app/{path}"), "--format", "json"]).output().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
        });
        let drop = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "drop-column")
            .cloned()
            .unwrap_or_else(|| panic!("no drop-column finding: {v:#}"));
        (out.status.code(), drop, v)
    };
    let (code, drop, v) = check();
    assert_eq!(code, Some(1), "{v:#}");
    assert_eq!(drop["severity"], "block", "{drop:#}");
    assert_eq!(drop["location"]["file"], format!("app/{path}"), "{drop:#}");
    let refs = drop["references"].as_array().unwrap();
    assert!(
        refs.iter().all(|r| !r["path"].as_str().unwrap().ends_with(path)),
        "the migration itself is no use: {refs:#?}"
    );
    assert!(refs.iter().any(|r| uses.iter().any(|(p, _)| r["path"] == format!("app/{p}"))), "{refs:#?}");

    for (p, text) in cleaned {
        write(root, &format!("app/{p}"), text);
    }
    git(root, &["commit", "-qam", "the app no longer uses legacy_flag"]);
    let (code, drop, v) = check();
    assert_eq!(code, Some(0), "{v:#}");
    assert_eq!(drop["severity"], "info", "{drop:#}");
}

//! `tandem check --since REV` on an app that applies its Prisma schema with `prisma db push`: no
//! migration file exists, so the schema at REV and in the work tree are diffed and their
//! difference gated and linted as a migration's operations; without `--since` the check refuses
//! (exit 2) rather than pass.

use std::path::Path;

use crate::support::cmd::{git, tandem, write};
use serde_json::Value;

const SCHEMA_V1: &str = "datasource db {
  provider = \"postgresql\"
  url      = env(\"DATABASE_URL\")
}

model User {
  id         Int      @id @default(autoincrement())
  email      String   @unique
  legacyFlag Boolean? @map(\"legacy_flag\")
  age        Int
  posts      Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String? @ignore
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])
}

model AuditLog {
  id   Int    @id
  note String
}
";

/// The app reads `legacyFlag`, `age` and `AuditLog`; not `Post.title`, which the schema
/// `@ignore`s (the client no longer reads it, the column stays): the way to a drop that passes.
const CODE: &str = "import { prisma } from './db';

export async function users() {
  return prisma.user.findMany({ select: { email: true, legacyFlag: true, age: true } });
}

export async function audit() {
  return prisma.auditLog.findMany();
}
";

/// A repository whose app (`web`, deployed at `base`) uses the schema of commit `base` (a Prisma
/// client reads every field its schema declares); the work tree holds the pull request's change.
fn repo(schema_path: &str, base: &[(&str, &str)], change: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(
        root,
        "apps.toml",
        format!(
            "[registry]\ndialect = \"postgres\"\nschema = \"{schema_path}\"\n\n\
             [[app]]\nname = \"web\"\nrepo = \".\"\nframework = \"prisma\"\ndeployed = \"base\"\n"
        ),
    );
    write(root, ".gitignore", ".tandem/\n");
    write(root, "src/users.ts", CODE);
    for (path, text) in base {
        write(root, path, text);
    }
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "base"]);
    git(root, &["tag", "base"]);
    for (path, text) in change {
        write(root, path, text);
    }
    dir
}

fn check(root: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = tandem().current_dir(root).arg("check").args(args).args(["--format", "json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

/// (rule, severity, file:line) of every finding other than notes and lints of no interest here.
fn findings(v: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = v["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings: {v:#}"))
        .iter()
        .filter(|f| {
            !["schema-state", "require-lock-timeout", "require-statement-timeout"]
                .contains(&f["rule"].as_str().unwrap())
        })
        .map(|f| {
            let at = format!("{}:{}", f["location"]["file"].as_str().unwrap_or("-"), f["location"]["line"]);
            (f["rule"].as_str().unwrap().to_owned(), f["severity"].as_str().unwrap().to_owned(), at)
        })
        .collect();
    out.sort();
    out
}

fn owned(items: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    items.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}

#[test]
fn a_removed_field_an_app_reads_blocks_at_its_line_at_the_revision() {
    let v2 = SCHEMA_V1.replace("  legacyFlag Boolean? @map(\"legacy_flag\")\n", "");
    let dir = repo("prisma/schema.prisma", &[("prisma/schema.prisma", SCHEMA_V1)], &[("prisma/schema.prisma", &v2)]);
    let (code, v, err) = check(dir.path(), &["--since", "base"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    assert_eq!(findings(&v), owned(&[("drop-column", "block", "prisma/schema.prisma@base:9")]), "{v:#}");
    let f = v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "drop-column").unwrap();
    assert!(f["message"].as_str().unwrap().contains("User.legacy_flag"), "{f:#}");
    let refs: Vec<&str> = f["references"].as_array().unwrap().iter().map(|r| r["path"].as_str().unwrap()).collect();
    assert!(refs.contains(&"src/users.ts"), "{f:#}");
}

#[test]
fn a_removed_model_is_a_dropped_table_and_a_field_no_app_reads_passes() {
    // `Post.title` is read by no app: its drop passes; `AuditLog` is read.
    let v2 = SCHEMA_V1
        .replace("  title    String? @ignore\n", "")
        .replace("model AuditLog {\n  id   Int    @id\n  note String\n}\n", "");
    let dir = repo("prisma/schema.prisma", &[("prisma/schema.prisma", SCHEMA_V1)], &[("prisma/schema.prisma", &v2)]);
    let (code, v, err) = check(dir.path(), &["--since", "base"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let got = findings(&v);
    assert!(got.contains(&owned(&[("drop-table", "block", "prisma/schema.prisma@base:21")])[0]), "{got:#?}");
    let title = got.iter().find(|(r, _, at)| r == "drop-column" && at == "prisma/schema.prisma@base:16");
    assert!(title.is_some_and(|(_, s, _)| s != "block"), "nothing reads Post.title: {got:#?}");
}

#[test]
fn a_type_change_is_gated_and_an_added_optional_field_is_not() {
    let v2 = SCHEMA_V1
        .replace("  age        Int\n", "  age        String\n")
        .replace("  posts      Post[]\n", "  posts      Post[]\n  nickname   String?\n");
    let dir = repo("prisma/schema.prisma", &[("prisma/schema.prisma", SCHEMA_V1)], &[("prisma/schema.prisma", &v2)]);
    let (code, v, err) = check(dir.path(), &["--since", "base"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let got = findings(&v);
    assert_eq!(got.iter().filter(|(_, s, _)| s == "block").count(), 1, "{got:#?}");
    assert!(got.contains(&owned(&[("change-column-type", "block", "prisma/schema.prisma:10")])[0]), "{got:#?}");

    let v3 = SCHEMA_V1.replace("  posts      Post[]\n", "  posts      Post[]\n  nickname   String?\n");
    std::fs::write(dir.path().join("prisma/schema.prisma"), v3).unwrap();
    let (code, v, err) = check(dir.path(), &["--since", "base"]);
    assert_eq!(code, 0, "{err}\n{v:#}");
    assert!(findings(&v).iter().all(|(_, s, _)| s != "block"), "{v:#}");
}

#[test]
fn a_syntax_error_on_either_side_is_exit_2_at_its_line() {
    let broken = SCHEMA_V1.replace("  age        Int\n", "  age        Int @default(\n");
    for (base, change) in [(broken.as_str(), SCHEMA_V1), (SCHEMA_V1, broken.as_str())] {
        let dir = repo("prisma/schema.prisma", &[("prisma/schema.prisma", base)], &[("prisma/schema.prisma", change)]);
        let (code, _, err) = check(dir.path(), &["--since", "base"]);
        assert_eq!(code, 2, "{err}");
        let at = if base == broken { "prisma/schema.prisma@base:10" } else { "prisma/schema.prisma:10" };
        assert!(err.contains(at), "{at} in {err}");
    }
}

#[test]
fn without_since_the_check_says_what_it_needs() {
    let dir = repo("prisma/schema.prisma", &[("prisma/schema.prisma", SCHEMA_V1)], &[]);
    let (code, _, err) = check(dir.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("run `tandem check --since <base>`"), "{err}");
    assert!(err.contains("apps.toml"), "the message points at the setting: {err}");
}

#[test]
fn a_multi_file_schema_folder_is_read_as_one_schema() {
    let (head, rest) = SCHEMA_V1.split_at(SCHEMA_V1.find("model Post").unwrap());
    let base = [("prisma/schema/schema.prisma", head), ("prisma/schema/models/post.prisma", rest)];
    // The relation's other side is in another file; `Post.title`, which no app reads, removed.
    let changed = rest.replace("  title    String? @ignore\n", "");
    let dir = repo("prisma/schema", &base, &[("prisma/schema/models/post.prisma", &changed)]);
    let (code, v, err) = check(dir.path(), &["--since", "base"]);
    assert_eq!(code, 0, "nothing reads Post.title: {err}\n{v:#}");
    assert_eq!(findings(&v), owned(&[("drop-column", "info", "prisma/schema/models/post.prisma@base:3")]), "{v:#}");
    let user = head.replace("  age        Int\n", "");
    std::fs::write(dir.path().join("prisma/schema/schema.prisma"), user).unwrap();
    let (code, v, err) = check(dir.path(), &["--since", "base"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    assert!(findings(&v).contains(&owned(&[("drop-column", "block", "prisma/schema/schema.prisma@base:10")])[0]));
}

#[test]
fn an_enum_value_removed_names_the_value_on_its_columns() {
    let base = SCHEMA_V1
        .replace("model User {\n", "enum Plan {\n  FREE\n  PRO\n  LEGACY\n}\n\nmodel User {\n")
        .replace("  age        Int\n", "  age        Int\n  plan       Plan @default(FREE)\n");
    let change = base.replace("  LEGACY\n", "");
    let dir = repo("prisma/schema.prisma", &[("prisma/schema.prisma", &base)], &[("prisma/schema.prisma", &change)]);
    let (code, v, err) = check(dir.path(), &["--since", "base"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let f =
        v["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "change-column-type").expect("a type change");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("User.plan") && message.contains("the enum value `LEGACY` is removed"), "{message}");
}

/// A push's changes are the Prisma schema's, not SQL files: each migration of the report names
/// the format `prisma-schema`, and the lock and statement timeout lints, which ask for a `SET`
/// before a statement the user writes, stay quiet (`db push` writes and runs its own SQL). The
/// destructive gate and the other lints still run: a type change of `age` locks `User` and blocks.
#[test]
fn a_push_names_the_prisma_schema_format_and_asks_for_no_timeout() {
    let v2 = SCHEMA_V1.replace("  age        Int\n", "  age        BigInt\n");
    let dir = repo("prisma/schema.prisma", &[("prisma/schema.prisma", SCHEMA_V1)], &[("prisma/schema.prisma", &v2)]);
    let (code, v, err) = check(dir.path(), &["--since", "base"]);
    assert_eq!(code, 1, "{err}\n{v:#}");
    let formats: Vec<&str> =
        v["migrations"].as_array().unwrap().iter().map(|m| m["format"].as_str().unwrap()).collect();
    assert_eq!(formats, ["prisma-schema"], "{v:#}");
    let mut rules: Vec<(&str, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] != "schema-state")
        .map(|f| {
            (
                f["rule"].as_str().unwrap(),
                format!("{}:{}", f["location"]["file"].as_str().unwrap(), f["location"]["line"]),
            )
        })
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        [
            ("change-column-type", "prisma/schema.prisma:10".to_owned()),
            ("type-change-rewrites-table", "prisma/schema.prisma:10".to_owned()),
        ],
        "{v:#}"
    );
}

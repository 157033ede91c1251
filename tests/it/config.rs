//! apps.toml: every mistake is reported at its file, line and column, with exit code 2; a
//! missing repository or an unresolvable ref is an environment failure (exit 3) naming the app.

use std::path::Path;

use assert_cmd::Command;
use tandem::config::{self, AppSource, Framework, SchemaSetting};
use tandem::rules::Selection;

fn error_of(text: &str) -> tandem::Diagnostic {
    let err = config::load_str(text, Path::new("/reg/apps.toml")).expect_err("the registry should be rejected");
    assert_eq!(err.exit_code(), 2, "{err}");
    err.diagnostic().clone()
}

const VALID: &str = r#"
[registry]
dialect = "postgres"
schema = "schema/structure.sql"
migrations = "migrations"

[[app]]
name = "platform"
repo = "../platform"
path = "./services/web/"
framework = "rails"
deployed = "origin/production"
head = "origin/main"
include = ["app/**"]
exclude = ["spec/**"]
owner = "team-platform"

[[app]]
name = "portal"
framework = "phoenix"
source = "store"

[[waiver]]
rule = "drop-column"
object = "users.legacy_flag"
reason = "column is empty since 2025"
owner = "ana"
until = "2026-12-31"
"#;

#[test]
fn a_valid_registry_loads_with_paths_relative_to_it() {
    let c = config::load_str(VALID, Path::new("/reg/apps.toml")).unwrap();
    assert_eq!(c.registry.schema, Some(SchemaSetting::File("/reg/schema/structure.sql".into())));
    assert_eq!(c.registry.migrations.as_deref(), Some(Path::new("/reg/migrations")));
    assert_eq!(c.registry.store, "sqlite://.tandem/registry.db");
    assert_eq!(c.apps.len(), 2);
    let p = &c.apps[0];
    // Folded lexically, as messages name it.
    assert_eq!(p.repo, Path::new("/platform"));
    assert_eq!(p.path.as_deref(), Some("services/web"));
    assert_eq!(p.framework, Framework::Rails);
    assert_eq!(p.refs(), vec![("deployed", "origin/production"), ("head", "origin/main")]);
    assert_eq!(p.line, 7);
    assert_eq!(c.apps[1].source, AppSource::Store);
    assert_eq!(c.apps[1].head, "HEAD");
    assert_eq!(c.waivers[0].until, "2026-12-31");
    assert_eq!(c.waivers[0].line, 23);
}

#[test]
fn a_misspelt_key_is_located_and_gets_a_suggestion() {
    let d = error_of("[[app]]\nname = \"a\"\nrepo = \".\"\nframwork = \"rails\"\n");
    assert_eq!((d.line, d.column), (Some(4), Some(1)), "{d}");
    assert!(d.message.contains("framwork"), "{}", d.message);
    assert_eq!(d.help.as_deref(), Some("did you mean `framework`?"));
}

#[test]
fn an_unknown_section_is_located() {
    let d = error_of("[registry]\ndialect = \"postgres\"\n\n[regsitry2]\nx = 1\n");
    assert_eq!(d.line, Some(4), "{d}");
}

#[test]
fn a_misspelt_value_gets_a_suggestion() {
    let d = error_of("[[app]]\nname = \"a\"\nrepo = \".\"\nframework = \"railz\"\n");
    assert_eq!(d.line, Some(4), "{d}");
    assert_eq!(d.help.as_deref(), Some("did you mean `rails`?"));
    for (typo, meant) in [("mongose", "mongoose"), ("prase", "parse"), ("mongdb", "mongodb")] {
        let d = error_of(&format!("[[app]]\nname = \"a\"\nrepo = \".\"\nframework = \"{typo}\"\n"));
        assert_eq!(d.help, Some(format!("did you mean `{meant}`?")), "{typo}");
    }
}

#[test]
fn a_wrong_type_is_located() {
    let d = error_of("[[app]]\nname = \"a\"\nrepo = \".\"\nframework = \"rails\"\ninclude = \"app/**\"\n");
    assert_eq!(d.line, Some(5), "{d}");
}

#[test]
fn duplicate_app_names_point_at_the_second() {
    let d = error_of(
        "[[app]]\nname = \"web\"\nrepo = \".\"\nframework = \"rails\"\n\n[[app]]\nname = \"web\"\nrepo = \".\"\nframework = \"django\"\n",
    );
    assert_eq!((d.line, d.column), (Some(7), Some(8)), "{d}");
    assert!(d.message.contains("duplicate app name `web`"), "{}", d.message);
}

#[test]
fn an_invalid_glob_is_located() {
    let d = error_of("[[app]]\nname = \"a\"\nrepo = \".\"\nframework = \"rails\"\nexclude = [\"ok/**\", \"bad/[z\"]\n");
    assert_eq!((d.line, d.column), (Some(5), Some(21)), "{d}");
    assert!(d.message.contains("invalid glob `bad/[z`"), "{}", d.message);
}

#[test]
fn a_missing_required_key_is_reported() {
    let d = error_of("[[app]]\nname = \"a\"\nrepo = \".\"\n");
    assert!(d.message.contains("framework"), "{}", d.message);
    assert_eq!(d.line, Some(1), "{d}");
}

#[test]
fn an_app_without_a_repo_is_located() {
    let d = error_of("[[app]]\nname = \"a\"\nframework = \"rails\"\n");
    assert_eq!(d.line, Some(2), "{d}");
}

#[test]
fn a_path_leaving_the_repository_is_rejected() {
    let d = error_of("[[app]]\nname = \"a\"\nrepo = \".\"\npath = \"../other\"\nframework = \"rails\"\n");
    assert_eq!(d.line, Some(4), "{d}");
}

#[test]
fn both_schema_sources_at_once_is_an_error() {
    let d = error_of("[registry]\nschema = \"s.sql\"\ndatabase_url_env = \"DATABASE_URL\"\n");
    assert_eq!(d.line, Some(3), "{d}");
}

#[test]
fn a_waiver_with_a_bad_date_is_located() {
    let d = error_of(
        "[[waiver]]\nrule = \"drop-column\"\nobject = \"users.x\"\nreason = \"r\"\nowner = \"o\"\nuntil = \"31/12/2026\"\n",
    );
    assert_eq!(d.line, Some(6), "{d}");
}

#[test]
fn a_store_url_password_never_shows_in_errors() {
    let d = error_of("[registry]\nstore = \"mysql://u:hunter2@db/x\"\n");
    assert!(!d.message.contains("hunter2"), "{}", d.message);
    assert_eq!(d.line, Some(2));
}

#[test]
fn the_init_template_loads() {
    config::load_str(tandem::cli::init::TEMPLATE, Path::new("/x/apps.toml")).unwrap();
    // ... and so does its [lint] example, uncommented.
    let lint = tandem::cli::init::TEMPLATE
        .replace("# [lint]", "[lint]")
        .replace("# enable = ", "enable = ")
        .replace("# disable = ", "disable = ");
    let c = Selection::of(&config::load_str(&lint, Path::new("/x/apps.toml")).unwrap()).unwrap();
    assert_eq!(c.enable.len(), 4);
    assert_eq!(c.disable, ["require-statement-timeout"]);
}

#[test]
fn the_binary_exits_2_on_bad_config_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("apps.toml");
    std::fs::write(&path, "[[app]]\nname = \"a\"\nrepo = \".\"\nframwork = \"rails\"\n").unwrap();
    let out = Command::cargo_bin("tandem").unwrap().arg("--config").arg(&path).arg("apps").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(&format!("{}:4:1", path.display())), "{stderr}");
    assert!(stderr.contains("did you mean `framework`?"), "{stderr}");
}

#[test]
fn a_missing_repository_or_ref_exits_3_naming_the_app() {
    let dir = tempfile::tempdir().unwrap();
    git2::Repository::init(dir.path().join("repo")).unwrap();
    let repo = git2::Repository::open(dir.path().join("repo")).unwrap();
    let sig = git2::Signature::new("t", "t@example.com", &git2::Time::new(1_700_000_000, 0)).unwrap();
    let tree = repo.treebuilder(None).unwrap().write().unwrap();
    let tree = repo.find_tree(tree).unwrap();
    repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[]).unwrap();
    let path = dir.path().join("apps.toml");
    std::fs::write(
        &path,
        "[[app]]\nname = \"good\"\nrepo = \"repo\"\nframework = \"rails\"\nhead = \"HEAD\"\n\n\
         [[app]]\nname = \"gone\"\nrepo = \"missing\"\nframework = \"rails\"\n\n\
         [[app]]\nname = \"badref\"\nrepo = \"repo\"\nframework = \"django\"\ndeployed = \"v9.9\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("tandem").unwrap().arg("--config").arg(&path).arg("apps").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("app `gone`: repository"), "{stderr}");
    assert!(stderr.contains("app `badref`: ref `v9.9` does not resolve"), "{stderr}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("good"), "{stdout}");
}

#[test]
fn config_is_found_by_walking_up() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("apps.toml"), "").unwrap();
    let deep = dir.path().join("a/b/c");
    std::fs::create_dir_all(&deep).unwrap();
    assert_eq!(config::discover(&deep).unwrap(), dir.path().join("apps.toml"));
    let out = Command::cargo_bin("tandem").unwrap().current_dir(&deep).arg("apps").output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `[lint]` as the rules resolve it: the registry keeps the ids as written (it sits below the
/// rules), `rules::Selection::of` resolves them for the commands that lint.
fn lint_of(text: &str) -> tandem::Result<Selection> {
    Selection::of(&config::load_str(text, Path::new("/reg/apps.toml")).unwrap())
}

#[test]
fn lint_enables_style_rules_and_disables_lint_rules() {
    let c = lint_of(
        "[lint]\nenable = [\"prefer-bigint-over-int\"]\ndisable = [\"changing-column-type\", \"require-statement-timeout\"]\n",
    )
    .unwrap();
    assert_eq!(c.enable, ["prefer-bigint-over-int"]);
    // A former id gives the current one.
    assert_eq!(c.disable, ["type-change-rewrites-table", "require-statement-timeout"]);
    let runs: Vec<&str> = c.rules().map(|r| r.id()).collect();
    assert!(runs.contains(&"prefer-bigint-over-int") && !runs.contains(&"prefer-timestamp-tz"));
    assert!(!runs.contains(&"require-statement-timeout") && runs.contains(&"require-lock-timeout"));
    // Without [lint], the style rules do not run.
    let c = lint_of("").unwrap();
    assert!(!c.rules().any(|r| r.id() == "prefer-bigint-over-int"));
}

#[test]
fn lint_ids_are_checked_where_written() {
    let lint_error = |text: &str| {
        let err = lint_of(text).expect_err("the [lint] section should be rejected");
        assert_eq!(err.exit_code(), 2, "{err}");
        err.diagnostic().clone()
    };
    let d = lint_error("[lint]\nenable = [\"prefer-bigint-over-integer\"]\n");
    assert_eq!((d.line, d.column), (Some(2), Some(11)), "{d}");
    assert_eq!(d.file.as_deref(), Some(Path::new("/reg/apps.toml")));
    assert!(d.message.contains("`prefer-bigint-over-integer` is not a rule"), "{}", d.message);
    assert!(d.help.as_deref().is_some_and(|h| h.contains("`prefer-bigint-over-int`")), "{d:?}");
    let d = lint_error("\n\n[lint]\ndisable = [\"require-lock-timeout\", \"drop-column\"]\n");
    assert_eq!((d.line, d.column), (Some(4), Some(36)), "{d}");
    assert!(d.message.contains("`drop-column` is a gate rule"), "{}", d.message);
}

/// A Django project keeps a `migrations/` folder per Django app: an app's `migrations` may list
/// them; every entry is checked where it is written.
#[test]
fn an_apps_migrations_may_be_a_list_each_entry_checked_where_written() {
    let app = "[[app]]\nname = \"a\"\nrepo = \".\"\nframework = \"django\"\n";
    let c = config::load_str(
        &format!("{app}migrations = [\"blog/migrations/\", \"./shop/migrations\"]\n"),
        Path::new("/reg/apps.toml"),
    )
    .unwrap();
    assert_eq!(c.apps[0].migrations, ["blog/migrations", "shop/migrations"]);
    let one = config::load_str(&format!("{app}migrations = \"db/migrate\"\n"), Path::new("/reg/apps.toml")).unwrap();
    assert_eq!(one.apps[0].migrations, ["db/migrate"]);

    let d = error_of(&format!("{app}migrations = [\"blog/migrations\", \"../shop/migrations\"]\n"));
    assert_eq!((d.line, d.column), (Some(5), Some(34)), "{d}");
    assert!(d.message.contains("leaves the repository"), "{}", d.message);
    let d = error_of(&format!("{app}migrations = [\"a/migrations\", \"a/migrations/\"]\n"));
    assert_eq!((d.line, d.column), (Some(5), Some(31)), "{d}");
    assert!(d.message.contains("twice"), "{}", d.message);
    let d = error_of(&format!("{app}migrations = []\n"));
    assert_eq!((d.line, d.column), (Some(5), Some(14)), "{d}");
    assert!(d.message.contains("empty list"), "{}", d.message);
    let d = error_of(&format!("{app}migrations = [\"a/migrations\", 3]\n"));
    assert_eq!(d.line, Some(5), "{d}");
    assert!(d.message.contains("a list of them"), "{}", d.message);
    let d = error_of(&format!("{app}migrations = 3\n"));
    assert_eq!((d.line, d.column), (Some(5), Some(14)), "{d}");
    assert!(d.message.contains("is not a directory"), "{}", d.message);
}

//! Snapshot tests of every report format on one check that has a block with references, a
//! warning, a suppressed finding and a passing gate finding; SARIF validated against the vendored
//! SARIF 2.1.0 JSON schema (tests/fixtures/check/sarif-schema-2.1.0.json, the OASIS schema as
//! shipped with serde-sarif 0.8).

use serde_json::Value;
use tandem::check::{self, CheckOptions, CheckReport, Gate};
use tandem::config::{Confidence, Framework};
use tandem::report::{self, ReportFormat};
use tandem::scan::{ObjectRef, RefKind, Reference, ScanResult, ScanSummary};

use crate::support::migration::{read, schema_of};

const SETUP: &str = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, legacy_flag boolean, name text);
CREATE TABLE orders (id bigint PRIMARY KEY, notes text);";

const MIGRATION: &str = "-- migrate:up
SET lock_timeout = '5s';
ALTER TABLE users DROP COLUMN legacy_flag;
-- tandem:allow require-concurrent-index-creation reason=\"users has 40 rows\"
CREATE INDEX idx_users_name ON users (name);
ALTER TABLE orders DROP COLUMN notes;

-- migrate:down
SELECT 1;
";

fn reference(
    app: &str,
    git_ref: &str,
    path: &str,
    line: u32,
    object: ObjectRef,
    kind: RefKind,
    snippet: &str,
) -> Reference {
    Reference {
        app: app.into(),
        git_ref: git_ref.into(),
        commit: format!("{:0<40}", if git_ref == "head" { "c0ffee" } else { "dep10y" }).into(),
        path: path.into(),
        line,
        column: 5,
        object,
        kind,
        confidence: Confidence::High,
        snippet: snippet.into(),
    }
}

fn scan(app: &str, git_ref: &str, references: Vec<Reference>) -> ScanResult {
    ScanResult {
        app: app.into(),
        git_ref: git_ref.into(),
        revision: git_ref.into(),
        commit: format!("{:0<40}", if git_ref == "head" { "c0ffee" } else { "dep10y" }),
        references,
        summary: ScanSummary::default(),
    }
}

fn report() -> CheckReport {
    let schema = schema_of(SETUP);
    let migrations = read("migrations/20261102090000_drop_legacy.sql", MIGRATION);
    let scans = vec![
        scan(
            "platform",
            "deployed",
            vec![reference(
                "platform",
                "deployed",
                "app/models/user.rb",
                1,
                ObjectRef::column("users", "legacy_flag"),
                RefKind::Implicit,
                "class User < ApplicationRecord",
            )],
        ),
        scan("platform", "head", vec![]),
        scan(
            "portal",
            "head",
            vec![reference(
                "portal",
                "head",
                "lib/portal/accounts/user.ex",
                9,
                ObjectRef::column("users", "legacy_flag"),
                RefKind::Declaration,
                "field :legacy_flag, :boolean",
            )],
        ),
    ];
    let gate = Gate::new(&scans, &[], Confidence::Medium)
        .with_frameworks([("platform".to_owned(), Framework::Rails), ("portal".to_owned(), Framework::Phoenix)]);
    let options = CheckOptions { strict: true, today: "2026-11-21".into(), ..Default::default() };
    check::run(&migrations, &schema, &gate, &[], None, &options).expect("check runs")
}

#[test]
fn text() {
    insta::assert_snapshot!(report::render(&report(), ReportFormat::Text, false));
}

#[test]
fn text_in_color_only_when_asked() {
    let plain = report::render(&report(), ReportFormat::Text, false);
    let colored = report::render(&report(), ReportFormat::Text, true);
    assert!(!plain.contains('\u{1b}'));
    assert!(colored.contains("\u{1b}["));
}

#[test]
fn json() {
    let out = report::render(&report(), ReportFormat::Json, false);
    let v: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(v["version"], 1);
    assert_eq!(v["verdict"], "block");
    insta::assert_snapshot!(out);
}

#[test]
fn github() {
    insta::assert_snapshot!(report::render(&report(), ReportFormat::Github, false));
}

#[test]
fn markdown() {
    insta::assert_snapshot!(report::render(&report(), ReportFormat::Markdown, false));
}

#[test]
fn sarif() {
    let out = report::render(&report(), ReportFormat::Sarif, false);
    insta::assert_snapshot!(out);
}

#[test]
fn output_is_deterministic() {
    for f in [ReportFormat::Text, ReportFormat::Json, ReportFormat::Github, ReportFormat::Sarif, ReportFormat::Markdown]
    {
        assert_eq!(report::render(&report(), f, false), report::render(&report(), f, false));
    }
}

#[test]
fn markdown_stays_under_githubs_comment_limit() {
    let mut r = report();
    let f = r.findings.iter_mut().find(|f| f.rule == "drop-column" && !f.references.is_empty()).unwrap();
    let one = f.references[0].clone();
    f.references = (0..5000)
        .map(|i| {
            let mut x = one.clone();
            x.line = i + 1;
            x.snippet =
                format!("{} # a long line of code that repeats to make the comment large {i}", x.snippet).into();
            x
        })
        .collect();
    let full = report::render(&r, ReportFormat::Json, false);
    assert!(full.len() > 65_536);
    let md = report::render(&r, ReportFormat::Markdown, false);
    assert!(md.chars().count() <= 65_536, "{}", md.chars().count());
    assert!(md.contains("## tandem check: ⛔ **block**"));
    assert!(md.contains("more references"), "summarised, not cut");
}

// --- SARIF 2.1.0 schema validation -------------------------------------------------------------

/// A validator for the JSON-schema (draft-07) keywords the SARIF schema uses: type, enum,
/// properties, required, additionalProperties, items, minItems, uniqueItems, minimum, maximum,
/// pattern, anyOf, oneOf, $ref (local). `format` is an annotation in draft-07 and not asserted.
fn validate(root: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    let Some(s) = schema.as_object() else { return };
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let target = r.strip_prefix("#/").unwrap_or(r).split('/').fold(root, |acc, k| &acc[k]);
        assert!(!target.is_null(), "unresolved $ref {r}");
        validate(root, target, v, path, errors);
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(x) => vec![x.as_str()],
            Value::Array(xs) => xs.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let ok = types.iter().any(|t| match *t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "boolean" => v.is_boolean(),
            "integer" => v.as_f64().is_some_and(|n| n.fract() == 0.0),
            "number" => v.is_number(),
            "null" => v.is_null(),
            _ => false,
        });
        if !ok {
            errors.push(format!("{path}: expected {types:?}, found {v}"));
            return;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(v)
    {
        errors.push(format!("{path}: {v} is not one of {e:?}"));
    }
    if let Some(min) = s.get("minimum").and_then(Value::as_f64)
        && v.as_f64().is_some_and(|n| n < min)
    {
        errors.push(format!("{path}: {v} < {min}"));
    }
    if let Some(max) = s.get("maximum").and_then(Value::as_f64)
        && v.as_f64().is_some_and(|n| n > max)
    {
        errors.push(format!("{path}: {v} > {max}"));
    }
    if let (Some(p), Some(text)) = (s.get("pattern").and_then(Value::as_str), v.as_str()) {
        let re = regex::Regex::new(p).expect("schema pattern compiles");
        if !re.is_match(text) {
            errors.push(format!("{path}: {text:?} does not match {p}"));
        }
    }
    if let Some(obj) = v.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for req in s.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            if !obj.contains_key(req) {
                errors.push(format!("{path}: missing required `{req}`"));
            }
        }
        for (k, x) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(sub) => validate(root, sub, x, &format!("{path}.{k}"), errors),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errors.push(format!("{path}: property `{k}` is not allowed")),
                    Some(sub @ Value::Object(_)) => validate(root, sub, x, &format!("{path}.{k}"), errors),
                    _ => {}
                },
            }
        }
    }
    if let Some(items) = v.as_array() {
        if let Some(min) = s.get("minItems").and_then(Value::as_u64)
            && (items.len() as u64) < min
        {
            errors.push(format!("{path}: fewer than {min} items"));
        }
        if s.get("uniqueItems") == Some(&Value::Bool(true)) {
            for (i, a) in items.iter().enumerate() {
                if items[..i].contains(a) {
                    errors.push(format!("{path}[{i}]: duplicate item"));
                }
            }
        }
        if let Some(sub) = s.get("items") {
            for (i, x) in items.iter().enumerate() {
                validate(root, sub, x, &format!("{path}[{i}]"), errors);
            }
        }
    }
    for (key, need_one) in [("anyOf", false), ("oneOf", true)] {
        if let Some(alts) = s.get(key).and_then(Value::as_array) {
            let passing = alts
                .iter()
                .filter(|alt| {
                    let mut e = Vec::new();
                    validate(root, alt, v, path, &mut e);
                    e.is_empty()
                })
                .count();
            if passing == 0 || (need_one && passing != 1) {
                errors.push(format!("{path}: {passing} of the {key} alternatives match"));
            }
        }
    }
}

fn sarif_schema() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/check/sarif-schema-2.1.0.json"))
            .expect("vendored schema");
    serde_json::from_str(&text).expect("schema is JSON")
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let schema = sarif_schema();
    let out: Value = serde_json::from_str(&report::render(&report(), ReportFormat::Sarif, false)).unwrap();
    let mut errors = Vec::new();
    validate(&schema, &schema, &out, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(out["version"], "2.1.0");
    let run = &out["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), tandem::rules::ALL.len() + tandem::rules::CHECK_FINDINGS.len());
    for result in run["results"].as_array().unwrap() {
        let i = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[i]["id"], result["ruleId"]);
    }
}

#[test]
fn what_could_not_be_read_is_in_every_format_and_sarif_stays_valid() {
    let schema = schema_of(SETUP);
    let migrations = read("migrations/20261102090000_drop_legacy.sql", MIGRATION);
    let scans = vec![scan("platform", "head", vec![])];
    let failures = [
        tandem::check::ScanFailure::app("portal", "head", "ref `main` does not resolve"),
        tandem::check::ScanFailure {
            app: "platform".into(),
            git_ref: "head".into(),
            path: Some("app/models/user.rb".into()),
            message: "blob 1234 is corrupt in the object database".into(),
            may_reference: true,
        },
    ];
    let gate = Gate::new(&scans, &failures, Confidence::Medium);
    let options = CheckOptions { strict: true, today: "2026-11-21".into(), ..Default::default() };
    let r = check::run(&migrations, &schema, &gate, &[], None, &options).expect("check runs");
    for format in
        [ReportFormat::Text, ReportFormat::Json, ReportFormat::Github, ReportFormat::Sarif, ReportFormat::Markdown]
    {
        let out = report::render(&r, format, false);
        assert!(out.contains("app/models/user.rb") && out.contains("is corrupt"), "{format:?}: {out}");
        assert!(out.contains("`main` does not resolve"), "{format:?}: {out}");
    }
    let out: Value = serde_json::from_str(&report::render(&r, ReportFormat::Sarif, false)).unwrap();
    let mut errors = Vec::new();
    validate(&sarif_schema(), &sarif_schema(), &out, "$", &mut errors);
    assert!(errors.is_empty(), "{errors:#?}");
    let notes = out["runs"][0]["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 2);
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let schema = sarif_schema();
    let mut bad: Value = serde_json::from_str(&report::render(&report(), ReportFormat::Sarif, false)).unwrap();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    bad["runs"][0]["tool"]["driver"]["unknownKey"] = 1.into();
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    bad.as_object_mut().unwrap().remove("version");
    let mut errors = Vec::new();
    validate(&schema, &schema, &bad, "$", &mut errors);
    let text = errors.join("\n");
    assert!(text.contains("missing required `version`"), "{text}");
    assert!(text.contains("\"fatal\" is not one of"), "{text}");
    assert!(text.contains("property `unknownKey` is not allowed"), "{text}");
    assert!(text.contains("startLine: 0 < 1"), "{text}");
}

/// A thousand statements on one 40 KB line (a generated migration): the text report shows a
/// window of the line around the first statement, once, and gathers the other 999 findings of
/// the same rule on that line into one line — not a thousand copies of the line (5,000 gave
/// 1.35 GB before). A thousand, not 5,000, because reading such a line is still quadratic
/// (`error::line_col`, issue 17 item 9) and this is a debug build.
#[test]
fn many_statements_on_one_line_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    crate::support::cmd::write(root, "apps.toml", "[registry]\ndialect = \"postgres\"\n");
    let line: String = (0..1000).map(|i| format!("CREATE INDEX idx_{i} ON users (name);")).collect();
    crate::support::cmd::write(
        root,
        "20260101000000_many.sql",
        format!("SET lock_timeout = '1s'; SET statement_timeout = '1s';\n{line}\n"),
    );
    let out = crate::support::cmd::tandem_in(root).args(["check", "20260101000000_many.sql"]).assert().code(0);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.len() < 20_000, "{} bytes of output", text.len());
    assert!(
        text.contains("999 more [require-concurrent-index-creation] on this line: `idx_1` at 36, `idx_2` at 71,"),
        "{text}"
    );
    assert_eq!(text.matches("warn[require-concurrent-index-creation]").count(), 1, "{text}");
    let excerpt = text.lines().find(|l| l.starts_with("2 | ")).expect("the excerpt line");
    assert!(excerpt.chars().count() <= 4 + tandem::report::diagnostic::EXCERPT_WIDTH + 2, "{excerpt}");
    assert!(excerpt.starts_with("2 | CREATE INDEX idx_0 ON users (name);") && excerpt.ends_with('…'), "{excerpt}");
    // The summary still counts every finding.
    assert!(text.contains("1001 warn"), "{text}");
}

/// apps.toml's `[lint]` reaches `tandem check`: a style rule runs only when enabled, a disabled
/// lint rule does not run.
#[test]
fn lint_section_selects_the_rules_check_runs() {
    let rules_of = |apps_toml: &str| -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        crate::support::cmd::write(dir.path(), "apps.toml", format!("[registry]\ndialect = \"postgres\"\n{apps_toml}"));
        crate::support::cmd::write(
            dir.path(),
            "20260101000000_m.sql",
            "ALTER TABLE users ADD COLUMN seen_at timestamp;\n",
        );
        let out = crate::support::cmd::tandem_in(dir.path())
            .args(["check", "20260101000000_m.sql", "--format", "json"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap().to_owned()).collect()
    };
    let default = rules_of("");
    assert!(default.contains(&"require-lock-timeout".to_owned()), "{default:?}");
    assert!(!default.contains(&"prefer-timestamp-tz".to_owned()), "{default:?}");
    let chosen = rules_of("[lint]\nenable = [\"prefer-timestamp-tz\"]\ndisable = [\"require-lock-timeout\"]\n");
    assert!(chosen.contains(&"prefer-timestamp-tz".to_owned()), "{chosen:?}");
    assert!(!chosen.contains(&"require-lock-timeout".to_owned()), "{chosen:?}");

    // A misspelt id stops the check where it is written, before anything is read.
    let dir = tempfile::tempdir().unwrap();
    crate::support::cmd::write(
        dir.path(),
        "apps.toml",
        "[registry]\ndialect = \"postgres\"\n[lint]\nenable = [\"prefer-timestamp\"]\n",
    );
    crate::support::cmd::write(dir.path(), "20260101000000_m.sql", "ALTER TABLE users ADD COLUMN seen_at timestamp;\n");
    let out = crate::support::cmd::tandem_in(dir.path()).args(["check", "20260101000000_m.sql"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("apps.toml:4:11") && stderr.contains("`prefer-timestamp` is not a rule"), "{stderr}");
    assert!(stderr.contains("did you mean `prefer-timestamp-tz`"), "{stderr}");
}

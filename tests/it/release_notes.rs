//! `tandem release-notes` on a real git repository built at test time: a release range `v1..v2`
//! with an additive migration, a locking one, a destructive one the gate blocks (the deployed
//! Rails app still maps the column), a destructive one it would block but a waiver covers, an
//! irreversible one (no down part, its data gone for good), a migration edited after it was
//! released and one edited after it first appeared in the range. Exact markdown and JSON
//! snapshots; the same range gives the same bytes; `--app` reads an app's own migrations.

use std::path::Path;

use serde_json::Value;

use crate::support::cmd::{git, tandem, write};

const APPS: &str = r#"[registry]
dialect = "postgres"
schema = "schema/structure.sql"
migrations = "migrations"

[[app]]
name = "platform"
repo = "."
path = "platform"
framework = "rails"
deployed = "deployed"
head = "main"
owner = "team-platform"

[[app]]
name = "portal"
repo = "."
path = "portal"
framework = "phoenix"
head = "main"
owner = "team-portal"
migrations = "priv/repo/migrations"

[[waiver]]
rule = "drop-column"
object = "orders.notes"
reason = "portal stops reading notes in the deploy that runs this"
owner = "team-portal"
until = "2099-12-31"
"#;

const STRUCTURE: &str = "CREATE TABLE public.users (
    id bigint NOT NULL,
    email text NOT NULL,
    name text,
    legacy_flag boolean
);
CREATE TABLE public.orders (
    id bigint NOT NULL,
    user_id bigint,
    notes text,
    placed_at timestamp without time zone
);
CREATE TABLE public.legacy_events (
    id bigint NOT NULL,
    payload text
);
CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);
INSERT INTO \"schema_migrations\" (version) VALUES
('20260101000000');
";

const AUDIT_V1: &str = "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nCREATE TABLE audits (id bigint PRIMARY KEY, note text);\n\n-- migrate:down\nDROP TABLE audits;\n";
const AUDIT_V2: &str = "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nCREATE TABLE audits (id bigint PRIMARY KEY, note text, at timestamp);\n\n-- migrate:down\nDROP TABLE audits;\n";

const USER_DEPLOYED: &str = "class User < ApplicationRecord\n  has_many :orders\nend\n";
const USER_HEAD: &str =
    "class User < ApplicationRecord\n  self.ignored_columns += [\"legacy_flag\"]\n  has_many :orders\nend\n";
const ORDER: &str = "class Order < ApplicationRecord\n  belongs_to :user\n\n  def self.recent\n    where(\"placed_at > ?\", 1.day.ago)\n  end\nend\n";
const PORTAL_ORDER: &str = "defmodule Portal.Orders.Order do\n  use Ecto.Schema\n\n  schema \"orders\" do\n    field :notes, :string\n    field :placed_at, :naive_datetime\n  end\nend\n";

/// The repository: `v1` (also `deployed`) is the released state; the commits up to `v2` (= `main`)
/// are the release.
pub(crate) fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, ".gitignore", ".tandem/\n");
    write(root, "apps.toml", APPS);
    write(root, "schema/structure.sql", STRUCTURE);
    write(root, "migrations/20260101000000_create_audits.sql", AUDIT_V1);
    write(root, "platform/app/models/user.rb", USER_DEPLOYED);
    write(root, "platform/app/models/order.rb", ORDER);
    write(root, "portal/lib/portal/orders/order.ex", PORTAL_ORDER);
    write(
        root,
        "portal/priv/repo/migrations/20260101000000_add_orders_channel.exs",
        "defmodule Portal.Repo.Migrations.AddOrdersChannel do\n  use Ecto.Migration\n\n  def change do\n    alter table(:orders) do\n      add :channel, :string\n    end\n  end\nend\n",
    );
    commit(root, "v1: audits, the apps");
    git(root, &["tag", "v1"]);
    git(root, &["tag", "deployed"]);

    write(
        root,
        "migrations/20260201000000_add_users_timezone.sql",
        "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nALTER TABLE users ADD COLUMN time_zone text;\n\n-- migrate:down\nALTER TABLE users DROP COLUMN time_zone;\n",
    );
    commit(root, "add users.timezone");
    write(
        root,
        "migrations/20260202000000_index_orders_placed_at.sql",
        "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nCREATE INDEX index_orders_on_placed_at ON orders (placed_at);\n\n-- migrate:down\nDROP INDEX index_orders_on_placed_at;\n",
    );
    commit(root, "index orders.placed_at");
    write(root, "platform/app/models/user.rb", USER_HEAD);
    write(
        root,
        "migrations/20260203000000_drop_users_legacy_flag.sql",
        "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nALTER TABLE users DROP COLUMN legacy_flag;\n\n-- migrate:down\nALTER TABLE users ADD COLUMN legacy_flag boolean;\n",
    );
    commit(root, "platform ignores legacy_flag; drop it");
    write(
        root,
        "migrations/20260204000000_drop_orders_notes.sql",
        "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nALTER TABLE orders DROP COLUMN notes;\n\n-- migrate:down\nALTER TABLE orders ADD COLUMN notes text;\n",
    );
    commit(root, "drop orders.notes");
    write(
        root,
        "migrations/20260205000000_drop_legacy_events.sql",
        "-- tandem:allow-file irreversible-migration reason=\"legacy_events is archived to cold storage\" until=2099-01-01\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nDROP TABLE legacy_events;\n",
    );
    commit(root, "drop legacy_events");
    write(root, "migrations/20260101000000_create_audits.sql", AUDIT_V2);
    commit(root, "audits: record when");
    write(
        root,
        "migrations/20260201000000_add_users_timezone.sql",
        "-- migrate:up\nSET lock_timeout = '5s'; SET statement_timeout = '30s';\nALTER TABLE users ADD COLUMN timezone text;\n\n-- migrate:down\nALTER TABLE users DROP COLUMN timezone;\n",
    );
    commit(root, "timezone, not time_zone");
    git(root, &["tag", "v2"]);
    dir
}

fn commit(root: &Path, message: &str) {
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", message]);
}

/// Run `tandem release-notes` in `root`; (exit code, stdout, stderr).
fn notes(root: &Path, args: &[&str]) -> (i32, String, String) {
    let out = tandem().current_dir(root).env_remove("CI").arg("release-notes").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn markdown() {
    let dir = repo();
    let (code, out, err) = notes(dir.path(), &["v1..v2"]);
    assert_eq!(code, 1, "a blocked migration in the range exits 1\n{err}\n{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn json() {
    let dir = repo();
    let (code, out, err) = notes(dir.path(), &["v1..v2", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(v["version"], 1);
    let versions: Vec<&str> =
        v["migrations"].as_array().unwrap().iter().map(|m| m["version"].as_str().unwrap()).collect();
    assert_eq!(
        versions,
        ["20260101000000", "20260201000000", "20260202000000", "20260203000000", "20260204000000", "20260205000000"],
        "every migration added or changed, in version order"
    );
    assert_eq!(
        v["summary"],
        serde_json::json!({"migrations": 6, "destructive": 3, "blocked": 1, "waived": 2, "irreversible": 1, "edited": 2})
    );
    insta::assert_snapshot!(out);
}

#[test]
fn the_gate_and_the_waiver_answer_with_file_and_line() {
    let dir = repo();
    let (_, out, _) = notes(dir.path(), &["v1..v2", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let entry =
        |version: &str| v["migrations"].as_array().unwrap().iter().find(|m| m["version"] == version).unwrap().clone();
    // Blocked: the deployed platform still maps every column of users; head ignores it.
    let drop = entry("20260203000000");
    assert_eq!(drop["verdict"], "block");
    let op = &drop["operations"][2];
    assert_eq!(op["does"], "drops column `users.legacy_flag`");
    assert_eq!(op["destructive"], true);
    assert_eq!(op["affected"].as_array().unwrap().len(), 1, "{op:#}");
    assert_eq!(op["affected"][0]["app"], "platform");
    assert_eq!(op["affected"][0]["ref"], "deployed");
    assert_eq!(op["affected"][0]["owner"], "team-platform");
    assert_eq!(op["affected"][0]["references"][0], "platform/app/models/user.rb:1");
    assert_eq!(drop["rollback"]["cannot_undo"][0], "the data in column `users.legacy_flag`");

    // Waived: portal reads orders.notes, the waiver says why, who and until when.
    let waived = entry("20260204000000");
    assert_eq!(waived["verdict"], "pass");
    let risk = waived["risks"].as_array().unwrap().iter().find(|r| r["rule"] == "drop-column").unwrap();
    assert_eq!(risk["suppression"]["by"], "waiver");
    assert_eq!(risk["suppression"]["owner"], "team-portal");
    assert_eq!(risk["suppression"]["until"], "2099-12-31");
    assert!(waived["operations"][2]["affected"].as_array().unwrap().iter().any(|a| a["app"] == "portal"));

    // Locking: a plain CREATE INDEX blocks writes to orders; both apps use orders.
    let index = entry("20260202000000");
    let op = &index["operations"][2];
    assert_eq!(op["lock"], "blocks writes to `orders`");
    let apps: Vec<&str> = op["affected"].as_array().unwrap().iter().map(|a| a["app"].as_str().unwrap()).collect();
    assert!(apps.contains(&"platform") && apps.contains(&"portal"), "{apps:?}");

    // Irreversible, its data gone; the suppression keeps its reason and expiry.
    let gone = entry("20260205000000");
    assert_eq!(gone["rollback"]["down"], false);
    assert_eq!(gone["rollback"]["cannot_undo"][0], "the rows of table `legacy_events`");
    let risk = gone["risks"].as_array().unwrap().iter().find(|r| r["rule"] == "irreversible-migration").unwrap();
    assert_eq!(risk["suppression"]["by"], "comment");
    assert_eq!(risk["suppression"]["until"], "2099-01-01");

    // Edited: released at v1 and changed since (already applied: not checked again), and added
    // in the range then changed by a later commit.
    let audits = entry("20260101000000");
    assert_eq!((audits["change"].as_str(), audits["applied_before"].as_bool()), (Some("changed"), Some(true)));
    assert_eq!(audits["edits"][0]["summary"], "audits: record when");
    let tz = entry("20260201000000");
    assert_eq!(tz["change"], "added");
    assert_eq!(tz["edits"][0]["summary"], "timezone, not time_zone");
    assert_eq!(tz["operations"][2]["does"], "adds column `users.timezone` `text`, nullable");
    assert!(tz["operations"][2]["affected"].as_array().is_none(), "an additive change affects no app: {tz:#}");

    let apps: Vec<&str> = v["apps_affected"].as_array().unwrap().iter().map(|a| a["app"].as_str().unwrap()).collect();
    assert_eq!(apps, ["platform", "portal"]);
}

#[test]
fn the_same_range_gives_the_same_bytes_in_every_format() {
    let dir = repo();
    for format in ["markdown", "json", "html"] {
        let (_, a, _) = notes(dir.path(), &["v1..v2", "--format", format]);
        let (_, b, _) = notes(dir.path(), &["v1..v2", "--format", format]);
        assert!(!a.is_empty());
        assert_eq!(a, b, "{format}");
    }
    let (_, html, _) = notes(dir.path(), &["v1..v2", "--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("<code>platform/app/models/user.rb:1</code>"), "{html}");
    assert!(!html.contains("http"), "self-contained: {html}");
}

#[test]
fn a_range_without_migration_changes_passes_and_says_so() {
    let dir = repo();
    let (code, out, err) = notes(dir.path(), &["v2..main"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("No migration was added or changed in this range."), "{out}");
    assert!(out.contains("| 0 | 0 | 0 | 0 | 0 | 0 |"), "{out}");
}

#[test]
fn an_apps_own_migrations_with_app() {
    let dir = repo();
    let root = dir.path();
    write(
        root,
        "portal/priv/repo/migrations/20260301000000_drop_legacy_events_payload.exs",
        "defmodule Portal.Repo.Migrations.DropLegacyEventsPayload do\n  use Ecto.Migration\n\n  def up do\n    alter table(:legacy_events) do\n      remove :payload\n    end\n  end\nend\n",
    );
    commit(root, "portal: drop legacy_events.payload");
    let (code, out, err) = notes(root, &["v1..HEAD", "--app", "portal", "--format", "json"]);
    assert_eq!(code, 0, "{err}\n{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["range"]["app"], "portal");
    assert_eq!(v["range"]["directory"], "portal/priv/repo/migrations");
    let m = &v["migrations"].as_array().unwrap()[..];
    assert_eq!(m.len(), 1, "{v:#}");
    assert_eq!(m[0]["file"], "portal/priv/repo/migrations/20260301000000_drop_legacy_events_payload.exs");
    assert_eq!(m[0]["operations"][0]["does"], "drops column `legacy_events.payload`");
    assert_eq!(m[0]["rollback"]["down"], false);
}

#[test]
fn bad_ranges_and_revisions_are_input_errors() {
    let dir = repo();
    let (code, _, err) = notes(dir.path(), &["v1"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a release range"), "{err}");
    let (code, _, err) = notes(dir.path(), &["v1..v9"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("revision `v9` does not resolve"), "{err}");
    let (code, _, err) = notes(dir.path(), &["v1..v2", "--app", "nope"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no app named `nope`"), "{err}");
    let (code, _, err) = notes(dir.path(), &["v1..v2", "--app", "platform"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("has no `migrations` directory") && err.contains("apps.toml:"), "{err}");
}

/// Prisma Migrate keeps each migration in its own folder (`<timestamp>_<name>/migration.sql`):
/// the range's added, edited and removed folders are all in the notes, named by their folder.
#[test]
fn prisma_migration_folders_are_read_with_their_directory() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, ".gitignore", ".tandem/\n");
    write(
        root,
        "apps.toml",
        "[registry]\ndialect = \"postgres\"\nschema = \"schema.sql\"\nmigrations = \"prisma/migrations\"\n",
    );
    write(root, "schema.sql", "CREATE TABLE public.users (id bigint NOT NULL, email text, nickname text);\n");
    write(root, "prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
    write(root, "prisma/migrations/20260101000000_init/migration.sql", "CREATE TABLE \"posts\" (\"id\" BIGINT);\n");
    write(root, "prisma/migrations/20260102000000_old/migration.sql", "CREATE TABLE \"drafts\" (\"id\" BIGINT);\n");
    commit(root, "v1");
    git(root, &["tag", "v1"]);
    write(
        root,
        "prisma/migrations/20260201000000_drop_nickname/migration.sql",
        "-- tandem:allow-file irreversible-migration reason=\"nicknames are gone\" until=2099-01-01\nALTER TABLE \"users\" DROP COLUMN \"nickname\";\n",
    );
    write(
        root,
        "prisma/migrations/20260101000000_init/migration.sql",
        "CREATE TABLE \"posts\" (\"id\" BIGINT, \"at\" TIMESTAMP);\n",
    );
    std::fs::remove_dir_all(root.join("prisma/migrations/20260102000000_old")).unwrap();
    commit(root, "v2");
    git(root, &["tag", "v2"]);

    let (code, out, err) = notes(root, &["v1..v2", "--format", "json"]);
    assert!(code == 0 || code == 1, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let versions: Vec<(&str, &str)> = v["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["version"].as_str().unwrap(), m["change"].as_str().unwrap_or_default()))
        .collect();
    assert_eq!(versions, [("20260101000000", "changed"), ("20260201000000", "added")], "{out}");
    let drop = &v["migrations"][1];
    assert!(drop.to_string().contains("nickname"), "the drop is described: {drop}");
    let removed: Vec<&str> = v["removed"].as_array().unwrap().iter().map(|r| r["version"].as_str().unwrap()).collect();
    assert_eq!(removed, ["20260102000000"], "{out}");
}

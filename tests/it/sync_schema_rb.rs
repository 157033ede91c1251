//! `tandem schema sync` of a Rails app that commits `db/schema.rb` on PostgreSQL: the file is
//! ActiveRecord's SchemaDumper format, and tandem's own schema.rb reader reads it back into the
//! same schema as the live database has.

use crate::support::cmd::{schema_sync, write};
use crate::support::git::TestRepo;
use crate::support::pg::TempDb;

const SCHEMA: &str = "CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY KEY);\n\
CREATE TABLE ar_internal_metadata (key character varying NOT NULL PRIMARY KEY, value character varying, \
  created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);\n\
CREATE TYPE status AS ENUM ('draft', 'published');\n\
CREATE TABLE users (id bigserial PRIMARY KEY, email character varying NOT NULL, name character varying(100), \
  admin boolean DEFAULT false NOT NULL, balance numeric(10,2) DEFAULT 0.0, logins integer DEFAULT 0 NOT NULL, \
  tags character varying[], settings jsonb, born_on date, \
  created_at timestamp(6) without time zone NOT NULL, updated_at timestamp(6) without time zone NOT NULL);\n\
COMMENT ON COLUMN users.name IS 'display \"name\"';\n\
CREATE UNIQUE INDEX index_users_on_email ON users (email);\n\
CREATE INDEX index_users_on_name ON users (name) WHERE (admin = false);\n\
CREATE TABLE posts (id bigserial PRIMARY KEY, user_id bigint NOT NULL, author_id bigint, title text DEFAULT 'untitled', \
  state status DEFAULT 'draft' NOT NULL, score double precision, created_at timestamp(6) without time zone NOT NULL);\n\
CREATE INDEX index_posts_on_user_id ON posts (user_id);\n\
ALTER TABLE posts ADD CONSTRAINT fk_rails_5b5ddfd518 FOREIGN KEY (user_id) REFERENCES users(id);\n\
ALTER TABLE posts ADD CONSTRAINT fk_posts_author FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE CASCADE;\n\
CREATE TABLE tokens (id uuid DEFAULT gen_random_uuid() PRIMARY KEY, value character varying NOT NULL);\n\
CREATE TABLE counters (id serial PRIMARY KEY, n integer);\n\
INSERT INTO schema_migrations VALUES ('20250101000000'), ('20250102000000');\n";

fn setup(committed: &str) -> (TempDb, TestRepo, tempfile::TempDir) {
    let db = TempDb::new();
    db.execute(SCHEMA);
    let mut web = TestRepo::init();
    web.commit_files(&[("db/schema.rb", committed)], "web");
    let registry = tempfile::tempdir().unwrap();
    write(
        registry.path(),
        "apps.toml",
        format!(
            "[registry]\ndialect = \"postgres\"\n\n[[app]]\nname = \"web\"\nrepo = \"{}\"\nframework = \"rails\"\n\
             head = \"main\"\nstructure = \"db/schema.rb\"\n",
            web.path().display()
        ),
    );
    (db, web, registry)
}

fn sync(registry: &std::path::Path, db: &TempDb, args: &[&str]) -> (i32, String, String) {
    schema_sync(registry, &db.url(), args)
}

#[test]
fn a_schema_rb_is_rails_format_and_reads_back_as_the_live_schema() {
    let (db, web, registry) = setup("");
    let (code, out, err) = sync(registry.path(), &db, &["--write"]);
    assert_eq!(code, 0, "{out}{err}");
    let text = std::fs::read_to_string(web.path().join("db/schema.rb")).unwrap();
    for line in [
        "ActiveRecord::Schema[8.2].define(version: 2025_01_02_000000) do\n",
        "  enable_extension \"pg_catalog.plpgsql\"\n",
        "  create_enum \"status\", [\"draft\", \"published\"]\n",
        "  create_table \"users\", force: :cascade do |t|\n",
        "    t.string \"email\", null: false\n",
        "    t.string \"name\", limit: 100, comment: \"display \\\"name\\\"\"\n",
        "    t.boolean \"admin\", default: false, null: false\n",
        "    t.decimal \"balance\", precision: 10, scale: 2, default: \"0.0\"\n",
        "    t.string \"tags\", array: true\n",
        "    t.datetime \"created_at\", null: false\n",
        "    t.index [\"email\"], name: \"index_users_on_email\", unique: true\n",
        "    t.index [\"name\"], name: \"index_users_on_name\", where: \"(admin = false)\"\n",
        "    t.enum \"state\", default: \"draft\", null: false, enum_type: \"status\"\n",
        "  create_table \"tokens\", id: :uuid, default: -> { \"gen_random_uuid()\" }, force: :cascade do |t|\n",
        "  create_table \"counters\", id: :serial, force: :cascade do |t|\n",
        "  add_foreign_key \"posts\", \"users\"\n",
        "  add_foreign_key \"posts\", \"users\", column: \"author_id\", name: \"fk_posts_author\", on_delete: :cascade\n",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    assert!(!text.contains("schema_migrations") && !text.contains("ar_internal_metadata"), "{text}");

    // tandem's schema.rb reader reads it back into what the database has.
    let read =
        tandem::schema::rails::parse(&text, std::path::Path::new("db/schema.rb"), tandem::schema::Dialect::Postgres)
            .unwrap();
    let mut live = tandem::schema::load(&tandem::schema::SchemaSource::Url(db.url()), None).unwrap();
    live.tables.retain(|t| !matches!(t.name.name.as_str(), "schema_migrations" | "ar_internal_metadata"));
    // schema.rb holds the newest version only.
    assert_eq!(read.migrations, vec!["20250102000000".to_owned()]);
    live.migrations = read.migrations.clone();
    let differences: Vec<String> = tandem::schema::diff::diff(&live, &read)
        .iter()
        .map(|d| format!("{:?} {} {}", d.change, d.kind, d.object))
        .collect();
    assert_eq!(differences, Vec::<String>::new(), "{text}");

    web_commit_and_check_in_sync(web, &registry, &db, &text);
}

fn web_commit_and_check_in_sync(mut web: TestRepo, registry: &tempfile::TempDir, db: &TempDb, text: &str) {
    web.commit_files(&[("db/schema.rb", text)], "dump");
    let (code, out, _) = sync(registry.path(), db, &[]);
    assert_eq!((code, out.as_str()), (0, "db/schema.rb (web): in sync\n"));
    db.execute("ALTER TABLE users ADD COLUMN nickname character varying;\nINSERT INTO schema_migrations VALUES ('20250103000000');");
    let (code, out, _) = sync(registry.path(), db, &[]);
    assert_eq!(code, 1);
    assert!(out.contains("-ActiveRecord::Schema[8.2].define(version: 2025_01_02_000000) do\n+ActiveRecord::Schema[8.2].define(version: 2025_01_03_000000) do\n"), "{out}");
    assert!(out.contains("\n+    t.string \"nickname\"\n"), "{out}");
}

#[test]
fn the_rails_version_of_the_committed_schema_rb_is_kept() {
    let (db, _web, registry) = setup("ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\nend\n");
    let (code, out, _) = sync(registry.path(), &db, &[]);
    assert_eq!(code, 1);
    assert!(out.contains("+ActiveRecord::Schema[7.1].define(version: 2025_01_02_000000) do\n"), "{out}");
}

#[test]
fn rails_8_1_wrote_the_columns_sorted_by_name() {
    let (db, _web, registry) = setup("ActiveRecord::Schema[8.1].define(version: 2024_01_01_000000) do\nend\n");
    let (_, out, _) = sync(registry.path(), &db, &[]);
    let users = out.split("+  create_table \"users\"").nth(1).unwrap();
    let admin = users.find("t.boolean \"admin\"").unwrap();
    let email = users.find("t.string \"email\"").unwrap();
    let updated = users.find("t.datetime \"updated_at\"").unwrap();
    assert!(admin < email && email < updated, "{out}");
}

//! The Rails `db/schema.rb` reader on a Rails 7.1 PostgreSQL app and a Rails 5.2 MySQL app, and
//! its agreement with the MySQL dump reader on the same tables created in a real MariaDB.

use std::path::{Path, PathBuf};
use std::process::Command;

use tandem::schema::{Dialect, FkAction, IndexPart, QualifiedName, Schema, mysql, postgres, rails};

fn fixture(name: &str) -> (PathBuf, String) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema/rails").join(name);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    (p, text)
}

fn parse(name: &str, dialect: Dialect) -> Schema {
    let (p, text) = fixture(name);
    rails::parse(&text, &p, dialect).unwrap_or_else(|e| panic!("{e}"))
}

fn cols(s: &Schema, table: &str) -> Vec<(String, String, bool, Option<String>)> {
    s.table(table)
        .unwrap_or_else(|| panic!("no table {table}"))
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.data_type.clone(), c.nullable, c.default.clone()))
        .collect()
}

fn c(name: &str, ty: &str, nullable: bool, default: Option<&str>) -> (String, String, bool, Option<String>) {
    (name.into(), ty.into(), nullable, default.map(Into::into))
}

/// A PostgreSQL column whose default is compared in the PostgreSQL reader's canonical form.
fn pc(name: &str, ty: &str, nullable: bool, default: Option<&str>) -> (String, String, bool, Option<String>) {
    (name.into(), ty.into(), nullable, default.map(postgres::normalize_expr))
}

#[test]
fn rails71_postgres_app() {
    let s = parse("pg_rails71.rb", Dialect::Postgres);
    assert_eq!(s.dialect, Dialect::Postgres);
    assert_eq!(s.migrations, ["20240315101500"]);
    // plpgsql is left out, as pg_dump leaves it out.
    let ext: Vec<(&str, Option<&str>)> = s.extensions.iter().map(|e| (e.name.as_str(), e.schema.as_deref())).collect();
    assert_eq!(ext, [("citext", Some("public")), ("pgcrypto", Some("public"))]);
    assert_eq!(s.enums[0].name, QualifiedName::new(Some("public"), "order_status"));
    assert_eq!(s.enums[0].values, ["pending", "paid", "shipped", "cancelled"]);
    let tables: Vec<String> = s.tables.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(tables, ["public.accounts", "public.customers", "public.orders", "public.tags_orders"]);

    assert_eq!(
        cols(&s, "accounts"),
        [
            pc("id", "uuid", false, Some("gen_random_uuid()")),
            pc("name", "character varying(120)", false, None),
            pc("email", "public.citext", false, None),
            pc("status", "character varying", false, Some("'active'::character varying")),
            pc("settings", "jsonb", false, Some("'{}'::jsonb")),
            pc("tags", "character varying[]", true, Some("'{}'::character varying[]")),
            pc("balance", "numeric(12,2)", false, Some("0.0")),
            pc("seats", "integer", false, Some("1")),
            pc("offset_minutes", "integer", true, Some("'-60'::integer")),
            pc("active", "boolean", false, Some("true")),
            pc("trial_ends_at", "timestamp without time zone", true, None),
            pc("created_at", "timestamp(6) without time zone", false, None),
            pc("updated_at", "timestamp(6) without time zone", false, None),
        ]
    );
    let accounts = s.table("accounts").unwrap();
    assert_eq!(accounts.comment.as_deref(), Some("Billing accounts"));
    assert_eq!(accounts.primary_key.as_ref().unwrap().columns, ["id"]);
    let lower = accounts.indexes.iter().find(|i| i.name == "index_accounts_on_lower_name").unwrap();
    assert_eq!(lower.keys[0].part, IndexPart::Expression(postgres::normalize_expr("lower((name)::text)")));
    assert_eq!(accounts.indexes.iter().find(|i| i.name == "index_accounts_on_settings").unwrap().method, "gin");
    assert_eq!(accounts.checks[0].name.as_deref(), Some("accounts_seats_positive"));
    assert_eq!(accounts.checks[0].expression, postgres::normalize_expr("seats > 0"));

    // The implicit bigint id: NOT NULL, nextval default, and a sequence owned by the column.
    let orders = cols(&s, "orders");
    assert_eq!(orders[0], pc("id", "bigint", false, Some("nextval('public.orders_id_seq'::regclass)")));
    assert_eq!(orders[3], pc("status", "public.order_status", false, Some("'pending'::public.order_status")));
    assert_eq!(orders[4], pc("total_cents", "bigint", false, Some("0")));
    assert_eq!(orders[7], pc("ship_window_start", "time without time zone", true, None));
    assert_eq!(orders[9], pc("placed_at", "timestamp(6) without time zone", false, Some("CURRENT_TIMESTAMP")));
    let seq = s.sequences.iter().find(|q| q.name.name == "orders_id_seq").unwrap();
    assert_eq!(seq.owned_by.as_ref().unwrap().to_string(), "public.orders.id");
    assert_eq!(seq.data_type.as_deref(), Some("bigint"));
    assert_eq!(s.sequences.len(), 2, "accounts has a uuid key and tags_orders none");

    let o = s.table("orders").unwrap();
    let by_name = |n: &str| o.indexes.iter().find(|i| i.name == n).unwrap();
    assert_eq!(by_name("index_orders_on_account_id_and_created_at").keys[1].order.as_deref(), Some("DESC"));
    assert_eq!(
        by_name("index_orders_on_customer_id").predicate.as_deref(),
        Some(postgres::normalize_expr("(customer_id IS NOT NULL)").as_str())
    );
    assert_eq!(by_name("index_orders_on_status").include, ["total_cents"]);
    assert_eq!(o.column("notes").unwrap().comment.as_deref(), Some("Internal, never shown to the customer"));
    let fks: Vec<(Option<&str>, &str, FkAction, bool)> = o
        .foreign_keys
        .iter()
        .map(|f| (f.name.as_deref(), f.references.name.as_str(), f.on_delete, f.validated))
        .collect();
    assert_eq!(
        fks,
        [
            (Some("fk_rails_144e25bef6"), "accounts", FkAction::Cascade, true),
            (Some("orders_customer_fk"), "customers", FkAction::SetNull, false),
        ]
    );
    assert_eq!(o.foreign_keys[0].columns, ["account_id"]);
    assert_eq!(o.checks[0].expression, postgres::normalize_expr("total_cents >= 0"));

    // t.references with foreign_key: { to_table: } and t.timestamps.
    let cust = s.table("customers").unwrap();
    assert_eq!(cols(&s, "customers")[3], pc("referrer_id", "bigint", true, None));
    assert_eq!(cust.indexes[0].name, "index_customers_on_referrer_id");
    assert_eq!(cust.foreign_keys[0].references.name, "customers");
    assert_eq!(cust.foreign_keys[0].columns, ["referrer_id"]);
    assert_eq!(cols(&s, "customers")[5], pc("updated_at", "timestamp(6) without time zone", false, None));

    let join = s.table("tags_orders").unwrap();
    assert!(join.primary_key.is_none());
    assert_eq!(join.foreign_keys[0].columns, ["order_id"]);

    let v = s.view("paid_orders").unwrap();
    assert_eq!(
        v.definition,
        "SELECT orders.id, orders.account_id, orders.total_cents FROM orders WHERE (orders.status = 'paid'::order_status)"
    );
    assert!(v.depends_on.is_empty(), "PostgreSQL view dependencies wait for a shared SQL reference extractor");
}

#[test]
fn rails52_mysql_app() {
    let s = parse("mysql_rails52.rb", Dialect::Mysql);
    assert_eq!(s.migrations, ["20190601120000"]);
    assert_eq!(
        cols(&s, "posts"),
        [
            c("id", "bigint(20)", false, None),
            c("user_id", "bigint(20)", false, None),
            c("title", "varchar(255)", false, None),
            c("body", "mediumtext", true, None),
            c("published", "tinyint(1)", false, Some("0")),
            c("views_count", "int(10) unsigned", false, Some("0")),
            c("price", "decimal(8,2)", true, Some("0.00")),
            c("slug", "varchar(191)", true, None),
            c("published_at", "datetime", true, None),
            c("created_at", "datetime", false, None),
            c("updated_at", "datetime", false, None),
        ]
    );
    let posts = s.table("posts").unwrap();
    assert!(posts.name.schema.is_none());
    let ft = posts.indexes.iter().find(|i| i.name == "index_posts_on_title_and_body").unwrap();
    assert_eq!(ft.method, "fulltext");
    // Rails' default name: fk_rails_ + SHA256("posts_user_id_fk")[0..10].
    assert_eq!(posts.foreign_keys[0].name.as_deref(), Some("fk_rails_5b5ddfd518"));
    assert_eq!(cols(&s, "users")[3], c("role", "varchar(20)", true, Some("'member'")));
    let v = s.view("published_posts").unwrap();
    let deps: Vec<(&str, Vec<&str>)> = v
        .depends_on
        .iter()
        .map(|d| (d.relation.name.as_str(), d.columns.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(deps, [("posts", vec!["id", "published", "title", "user_id"]), ("users", vec!["email", "id"])]);
}

#[test]
fn an_unknown_call_inside_create_table_is_located() {
    let src = "ActiveRecord::Schema[7.0].define(version: 1) do\n  create_table \"users\" do |t|\n    t.string \"email\"\n    t.frobnicate \"x\"\n  end\nend\n";
    let err = rails::parse(src, Path::new("db/schema.rb"), Dialect::Postgres).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(err.diagnostic().location().as_deref(), Some("db/schema.rb:4:5"));
    assert!(err.diagnostic().message.contains("unknown call `t.frobnicate`"), "{}", err.diagnostic());

    let err = rails::parse("ActiveRecord::Schema.define(version: 1) do\n  create_table \"a\" do |t|\n    t.string \"x\", nul: false\n  end\nend\n", Path::new("s.rb"), Dialect::Mysql)
        .unwrap_err();
    assert_eq!(err.diagnostic().line, Some(3));
    assert!(err.diagnostic().message.contains("unknown column option `nul:`"), "{}", err.diagnostic());

    let err = rails::parse(
        "ActiveRecord::Schema.define(version: 1) do\n  create_table \"a\" do |t|\n",
        Path::new("s.rb"),
        Dialect::Mysql,
    )
    .unwrap_err();
    assert!(err.diagnostic().message.contains("Ruby syntax error"), "{}", err.diagnostic());

    let err = rails::parse(
        "ActiveRecord::Schema.define(version: 1) do\n  drop_everything\nend\n",
        Path::new("s.rb"),
        Dialect::Mysql,
    )
    .unwrap_err();
    assert_eq!(err.diagnostic().location().as_deref(), Some("s.rb:2:3"));
}

/// The DDL Rails 5.2 runs on MySQL for `mysql_rails52.rb` (what `db:schema:load` sends).
const RAILS52_DDL: &str = "
CREATE TABLE `posts` (`id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, `user_id` bigint NOT NULL, `title` varchar(255) NOT NULL, `body` mediumtext, `published` tinyint(1) DEFAULT FALSE NOT NULL, `views_count` int unsigned DEFAULT 0 NOT NULL, `price` decimal(8,2) DEFAULT '0.0', `slug` varchar(191), `published_at` datetime, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, UNIQUE INDEX `index_posts_on_slug` (`slug`(100)), FULLTEXT INDEX `index_posts_on_title_and_body` (`title`, `body`), INDEX `index_posts_on_user_id` (`user_id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE `users` (`id` bigint NOT NULL AUTO_INCREMENT PRIMARY KEY, `email` varchar(255) DEFAULT '' NOT NULL, `encrypted_password` varchar(255) DEFAULT '' NOT NULL, `role` varchar(20) DEFAULT 'member', `sign_in_count` int DEFAULT 0 NOT NULL, `last_sign_in_at` datetime, `created_at` datetime NOT NULL, `updated_at` datetime NOT NULL, UNIQUE INDEX `index_users_on_email` (`email`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
ALTER TABLE `posts` ADD CONSTRAINT `fk_rails_5b5ddfd518` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`);
CREATE VIEW published_posts AS select `p`.`id` AS `id`,`p`.`title` AS `title`,`u`.`email` AS `author_email` from (`posts` `p` join `users` `u` on((`u`.`id` = `p`.`user_id`))) where (`p`.`published` = 1);
";

struct TempDb(String);

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = Command::new("mariadb")
            .args(["-h127.0.0.1", "-uroot", "-e", &format!("DROP DATABASE IF EXISTS `{}`", self.0)])
            .status();
    }
}

fn mariadb(bin: &str, args: &[&str], stdin: Option<&str>) -> String {
    use std::io::Write;
    let mut child = Command::new(bin)
        .args(["-h127.0.0.1", "-P3306", "-uroot"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {bin} (MariaDB client tools must be installed): {e}"));
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{bin} {args:?}: {} (is MariaDB answering on 127.0.0.1:3306?)",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn schema_rb_agrees_with_a_real_mariadb_dump_of_the_same_tables() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let db = TempDb(format!("tandem_rails_{}_{}", std::process::id(), nanos % 1_000_000_000));
    mariadb("mariadb", &["-e", &format!("CREATE DATABASE `{}`", db.0)], None);
    mariadb("mariadb", &[&db.0], Some(RAILS52_DDL));
    let dump = mariadb("mariadb-dump", &["--no-data", &db.0], None);
    let from_dump = mysql::parse(&dump, Path::new("dump.sql")).unwrap_or_else(|e| panic!("{e}"));
    let from_rb = parse("mysql_rails52.rb", Dialect::Mysql);
    assert_eq!(from_dump.tables, from_rb.tables);
    assert_eq!(from_dump.views.len(), 1);
    assert_eq!(from_dump.views[0].depends_on, from_rb.views[0].depends_on);
}

fn psql(db: &str, args: &[&str]) -> String {
    let out = Command::new("psql")
        .args(["-h127.0.0.1", "-Upostgres", "-v", "ON_ERROR_STOP=1", "-qAt", db])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql (PostgreSQL client tools must be installed): {e}"));
    assert!(
        out.status.success(),
        "psql {args:?}: {} (is PostgreSQL answering on 127.0.0.1:5432 as postgres?)",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

struct TempPgDb(String);

impl Drop for TempPgDb {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-h127.0.0.1", "-Upostgres", "-qc", &format!("DROP DATABASE IF EXISTS {}", self.0), "postgres"])
            .status();
    }
}

#[test]
fn schema_rb_types_and_defaults_agree_with_a_real_postgresql() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let db = TempPgDb(format!("tandem_rails_{}_{}", std::process::id(), nanos % 1_000_000_000));
    psql("postgres", &["-c", &format!("CREATE DATABASE {}", db.0)]);
    let ddl = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schema/rails/pg_rails71_ddl.sql");
    psql(&db.0, &["-f", ddl.to_str().unwrap()]);
    // format_type under pg_dump's empty search_path, and the stored default as pg_get_expr prints it.
    let rows = psql(
        &db.0,
        &[
            "-c",
            "SET search_path = ''",
            "-c",
            "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, \
             coalesce(pg_get_expr(d.adbin, d.adrelid), '<none>') \
             FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped \
             ORDER BY 1, a.attnum",
        ],
    );
    let s = parse("pg_rails71.rb", Dialect::Postgres);
    let mut seen = 0;
    for row in rows.lines().filter(|l| l.contains('|')) {
        let f: Vec<&str> = row.split('|').collect();
        let col = s.table(f[0]).and_then(|t| t.column(f[1])).unwrap_or_else(|| panic!("{}.{} missing", f[0], f[1]));
        assert_eq!(col.data_type, f[2], "{}.{}", f[0], f[1]);
        assert_eq!(col.nullable, f[3] == "t", "{}.{}", f[0], f[1]);
        let want = (f[4] != "<none>").then(|| postgres::normalize_expr(f[4]));
        assert_eq!(col.default, want, "{}.{}", f[0], f[1]);
        seen += 1;
    }
    assert_eq!(seen, 33);
}

#[test]
fn rails42_postgres_app_has_integer_ids_and_top_level_indexes() {
    let s = parse("pg_rails42.rb", Dialect::Postgres);
    assert_eq!(s.migrations, ["20150612093000"]);
    assert_eq!(s.extensions.len(), 1);
    assert_eq!(s.extensions[0].name, "hstore");
    assert_eq!(
        cols(&s, "comments"),
        [
            pc("id", "integer", false, Some("nextval('public.comments_id_seq'::regclass)")),
            pc("post_id", "integer", true, None),
            pc("body", "text", false, None),
            pc("meta", "public.hstore", false, Some("''::public.hstore")),
            pc("spam", "boolean", true, Some("false")),
            pc("created_at", "timestamp without time zone", false, None),
            pc("updated_at", "timestamp without time zone", false, None),
        ]
    );
    let seq = s.sequences.iter().find(|q| q.name.name == "comments_id_seq").unwrap();
    assert_eq!(seq.data_type.as_deref(), Some("integer"));
    let comments = s.table("comments").unwrap();
    assert_eq!(comments.indexes[0].name, "index_comments_on_post_id");
    assert_eq!(comments.indexes[0].method, "btree");
    assert_eq!(comments.foreign_keys[0].name.as_deref(), Some("fk_rails_2fd19c0db7"));
    assert_eq!(comments.foreign_keys[0].columns, ["post_id"]);
    assert_eq!(comments.foreign_keys[0].on_delete, FkAction::Cascade);
    assert_eq!(cols(&s, "posts")[1], pc("title", "character varying(200)", true, None));
}

#[test]
fn virtual_columns_sizes_and_references() {
    let src = r#"ActiveRecord::Schema[7.2].define(version: 2024_06_01_000000) do
  create_table "people", charset: "utf8mb4", collation: "utf8mb4_0900_ai_ci", force: :cascade do |t|
    t.string "first"
    t.string "last"
    t.virtual "full", type: :string, as: "concat(`first`,' ',`last`)", stored: true
    t.text "bio", size: :medium
    t.references "owner", polymorphic: true, null: false
    t.datetime "seen_at"
    t.timestamps
  end
end
"#;
    let s = rails::parse(src, Path::new("schema.rb"), Dialect::Mysql).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        cols(&s, "people"),
        [
            c("id", "bigint(20)", false, None),
            c("first", "varchar(255)", true, None),
            c("last", "varchar(255)", true, None),
            c("full", "varchar(255)", true, None),
            c("bio", "mediumtext", true, None),
            c("owner_id", "bigint(20)", false, None),
            c("owner_type", "varchar(255)", false, None),
            c("seen_at", "datetime(6)", true, None),
            c("created_at", "datetime(6)", false, None),
            c("updated_at", "datetime(6)", false, None),
        ]
    );
    let people = s.table("people").unwrap();
    assert!(people.column("full").unwrap().generated.is_some());
    assert_eq!(people.indexes[0].name, "index_people_on_owner_type_and_owner_id");
    assert_eq!(people.indexes[0].columns().collect::<Vec<_>>(), ["owner_type", "owner_id"]);
}

#[test]
fn sqlite_dialect_uses_the_types_rails_declares_there() {
    let src = "ActiveRecord::Schema[7.1].define(version: 2024_01_01_000000) do\n  create_table \"notes\", force: :cascade do |t|\n    t.string \"title\", default: \"untitled\", null: false\n    t.boolean \"pinned\", default: false\n    t.timestamps\n  end\nend\n";
    let s = rails::parse(src, Path::new("schema.rb"), Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        cols(&s, "notes"),
        [
            c("id", "integer", false, None),
            c("title", "varchar", false, Some("'untitled'")),
            c("pinned", "boolean", true, Some("0")),
            c("created_at", "datetime(6)", false, None),
            c("updated_at", "datetime(6)", false, None),
        ]
    );
    assert!(s.sequences.is_empty());
}

/// Rails 8's SQLite adapter dumps FTS5 tables as `create_virtual_table` (lobsters does); the
/// reader reads past them and keeps every ordinary table.
#[test]
fn sqlite_virtual_tables_are_read_past() {
    let text = r#"ActiveRecord::Schema[8.0].define(version: 2026_06_13_004304) do
  create_table "comments", force: :cascade do |t|
    t.text "comment", null: false
  end

  create_virtual_table "comments_fts", "fts5", ["comment", "content=''", "contentless_delete=1"]
  add_index "comments", ["comment"], name: "by_comment"
end
"#;
    let s = rails::parse(text, Path::new("db/schema.rb"), Dialect::Sqlite).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<_> = s.tables.iter().map(|t| t.name.name.as_str()).collect();
    assert_eq!(names, ["comments"]);
    assert_eq!(s.table("comments").unwrap().indexes.len(), 1);
}

/// `t.references … foreign_key: true` names its table with ActiveSupport's inflections, the same
/// inflector the migration reader and the scanner use: `person` → `people`, and
/// `add_foreign_key "addresses", "people"` reads the column `person_id`.
#[test]
fn references_and_foreign_keys_inflect_like_active_support() {
    let src = "ActiveRecord::Schema.define(version: 1) do\n  create_table \"people\" do |t|\n  end\n  create_table \"addresses\" do |t|\n    t.references :person, foreign_key: true\n  end\n  create_table \"visits\" do |t|\n    t.bigint \"person_id\"\n  end\n  add_foreign_key \"visits\", \"people\"\nend\n";
    let s = rails::parse(src, Path::new("db/schema.rb"), Dialect::Postgres).unwrap_or_else(|e| panic!("{e}"));
    let addresses = s.table("addresses").expect("addresses");
    assert_eq!(addresses.foreign_keys[0].references.name, "people");
    assert_eq!(addresses.foreign_keys[0].columns, ["person_id"]);
    let visits = s.table("visits").expect("visits");
    assert_eq!(visits.foreign_keys[0].columns, ["person_id"]);
    assert_eq!(
        visits.foreign_keys[0].name.as_deref(),
        Some(tandem::schema::rails::naming::foreign_key_name("visits", "person_id").as_str())
    );
}

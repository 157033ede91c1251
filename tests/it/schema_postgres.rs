//! PostgreSQL structure.sql reader and renderer: exact model contents for realistic dumps of
//! every supported shape (pg_dump 9.6, 12, 15 with `\restrict`, 17 with identity columns, Rails,
//! Ecto), round trips through the renderer, located errors, and dumps produced by the real server.

use std::path::{Path, PathBuf};
use std::process::Command;

use tandem::schema::{
    ColumnRef, FkAction, Identity, IndexKey, IndexPart, PartitionOf, QualifiedName, Schema, ViewDependency, postgres,
};

fn fixture(name: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (path, text)
}

fn load(name: &str) -> Schema {
    let (path, text) = fixture(name);
    let schema = postgres::parse(&text, &path).unwrap_or_else(|e| panic!("{e}"));
    assert_round_trip(&schema);
    schema
}

fn parse_str(text: &str) -> tandem::Result<Schema> {
    postgres::parse(text, Path::new("structure.sql"))
}

/// parse(render(parse(x))) == parse(x), and rendering is deterministic.
fn assert_round_trip(schema: &Schema) {
    let rendered = postgres::render(schema);
    let again = parse_str(&rendered).unwrap_or_else(|e| panic!("rendered DDL does not parse: {e}\n{rendered}"));
    if &again != schema {
        let a = serde_json::to_string_pretty(schema).unwrap();
        let b = serde_json::to_string_pretty(&again).unwrap();
        for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
            assert_eq!(x, y, "round trip differs at line {i} of the JSON model\n{rendered}");
        }
        panic!("round trip differs in length\n{rendered}");
    }
    assert_eq!(postgres::render(&again), rendered);
}

fn q(s: &str) -> QualifiedName {
    QualifiedName::parse(s)
}

fn dep(rel: &str, cols: &[&str]) -> ViewDependency {
    ViewDependency { relation: q(rel), columns: cols.iter().map(|c| c.to_string()).collect() }
}

#[test]
fn rails_example_structure_sql() {
    let s = load("schema/structure.sql");
    let names: Vec<String> = s.tables.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(
        names,
        [
            "public.ar_internal_metadata",
            "public.audit_events",
            "public.line_items",
            "public.orders",
            "public.organizations",
            "public.products",
            "public.schema_migrations",
            "public.support_tickets",
            "public.users",
        ]
    );
    assert_eq!(s.extensions.len(), 1);
    assert_eq!((s.extensions[0].name.as_str(), s.extensions[0].schema.as_deref()), ("citext", Some("public")));
    assert_eq!(s.enums[0].name, q("public.ticket_priority"));
    assert_eq!(s.enums[0].values, ["low", "normal", "high", "urgent"]);

    let users = s.table("users").unwrap();
    let email = users.column("email").unwrap();
    assert_eq!((email.data_type.as_str(), email.nullable), ("public.citext", false));
    let status = users.column("status").unwrap();
    assert_eq!(status.data_type, "character varying");
    assert_eq!(status.default.as_deref(), Some(postgres::normalize_expr("'active'::character varying").as_str()));
    assert_eq!(users.column("id").unwrap().default.as_deref(), Some("nextval('public.users_id_seq'::regclass)"));
    assert_eq!(users.column("last_sign_in_at").unwrap().data_type, "timestamp(6) without time zone");
    assert!(users.column("last_sign_in_at").unwrap().nullable);
    assert_eq!(users.column("legacy_flag").unwrap().comment.as_deref(), Some("pre-2024 accounts; being retired"));
    assert_eq!(users.primary_key.as_ref().unwrap().columns, ["id"]);
    assert_eq!(users.checks.len(), 1);
    assert_eq!(users.checks[0].name.as_deref(), Some("users_status_check"));
    assert_eq!(
        users.checks[0].expression,
        postgres::normalize_expr(
            "((status)::text = ANY ((ARRAY['active'::character varying, 'suspended'::character varying, 'closed'::character varying])::text[]))"
        )
    );
    let lower = users.indexes.iter().find(|i| i.name == "index_users_on_lower_name").unwrap();
    assert_eq!(lower.keys[0].part, IndexPart::Expression("lower(name::text)".into()));
    assert!(users.indexes.iter().find(|i| i.name == "index_users_on_email").unwrap().unique);
    let fk = &users.foreign_keys[0];
    assert_eq!(
        (fk.columns.as_slice(), &fk.references, fk.referenced_columns.as_slice()),
        (&["organization_id".to_string()][..], &q("public.organizations"), &["id".to_string()][..])
    );

    let audit = s.table("audit_events").unwrap();
    let idx = &audit.indexes[0];
    assert_eq!(
        idx.keys,
        [
            IndexKey::column("actor_id"),
            IndexKey { part: IndexPart::Column("occurred_at".into()), order: Some("DESC".into()), opclass: None }
        ]
    );

    let orders = s.table("orders").unwrap();
    assert_eq!(orders.column("currency").unwrap().data_type, "character(3)");
    let pending = orders.indexes.iter().find(|i| i.name == "index_orders_on_status_pending").unwrap();
    assert_eq!(pending.predicate.as_deref(), Some("status::text = 'pending'::text"));

    let line_items = s.table("line_items").unwrap();
    let cascade =
        line_items.foreign_keys.iter().find(|f| f.name.as_deref() == Some("line_items_order_id_fkey")).unwrap();
    assert_eq!(cascade.on_delete, FkAction::Cascade);
    let tickets = s.table("support_tickets").unwrap();
    assert_eq!(tickets.column("id").unwrap().identity, Some(Identity::ByDefault));
    assert_eq!(tickets.column("priority").unwrap().data_type, "public.ticket_priority");
    assert_eq!(tickets.column("inserted_at").unwrap().data_type, "timestamp(0) without time zone");
    let fk = tickets.foreign_keys.iter().find(|f| f.columns == ["order_id"]).unwrap();
    assert_eq!(fk.on_delete, FkAction::SetNull);

    let seq = s.sequences.iter().find(|x| x.name == q("public.support_tickets_id_seq")).unwrap();
    assert_eq!(seq.owned_by, Some(ColumnRef { table: q("public.support_tickets"), column: "id".into() }));
    let seq = s.sequences.iter().find(|x| x.name == q("public.users_id_seq")).unwrap();
    assert_eq!((seq.data_type.as_deref(), seq.start, seq.increment), (Some("bigint"), Some(1), Some(1)));
    assert_eq!(s.sequences.len(), 7);

    let active = s.view("active_users").unwrap();
    assert!(!active.materialized);
    assert_eq!(active.columns, ["id", "email", "name", "organization_id"]);
    assert_eq!(active.depends_on, [dep("public.users", &["email", "id", "name", "organization_id", "status"])]);
    assert_eq!(
        active.definition,
        "SELECT u.id, u.email, u.name, u.organization_id FROM public.users u WHERE u.status::text = 'active'::text"
    );
    let totals = s.view("order_totals").unwrap();
    assert!(totals.materialized);
    assert_eq!(totals.columns, ["user_id", "orders_count", "total_cents"]);
    assert_eq!(totals.depends_on, [dep("public.orders", &["status", "total_cents", "user_id"])]);
    assert_eq!(totals.indexes[0].name, "index_order_totals_on_user_id");
    assert!(s.views_using(&q("public.users"), Some("email")).any(|v| v.name.name == "active_users"));
    assert!(!s.views_using(&q("public.users"), Some("legacy_flag")).any(|_| true));

    assert_eq!(s.functions.len(), 1);
    let f = &s.functions[0];
    assert_eq!(
        (f.name.to_string().as_str(), f.arguments.as_str(), f.returns.as_str(), f.language.as_str()),
        ("public.set_updated_at", "", "trigger", "plpgsql")
    );
    assert_eq!(f.body, "BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;");
    let t = &s.triggers[0];
    assert_eq!(
        (t.name.as_str(), t.timing.as_str(), t.events.as_slice(), t.for_each_row),
        ("products_set_updated_at", "BEFORE", &["UPDATE".to_string()][..], true)
    );
    assert_eq!(t.function, q("public.set_updated_at"));

    assert_eq!(s.migrations, ["20250114093000", "20250302120000", "20250611081500", "20251020143000"]);
}

#[test]
fn pg15_dump_with_restrict_meta_commands_matches_the_rails_file() {
    let dumped = load("tests/fixtures/schema/pg/pg15_restrict.sql");
    let mut rails = load("schema/structure.sql");
    rails.migrations.clear();
    assert_eq!(dumped, rails);
}

#[test]
fn pg96_unqualified_dump() {
    let s = load("tests/fixtures/schema/pg/pg96.sql");
    // plpgsql is built in; pg_dump 11+ no longer dumps it, so it is not part of the model.
    assert!(s.extensions.is_empty());
    assert_eq!(s.enums[0].name, q("public.mood"));
    let accounts = s.table("public.accounts").unwrap();
    let mood = accounts.column("current_mood").unwrap();
    assert_eq!(mood.data_type, "public.mood");
    assert_eq!(mood.default.as_deref(), Some("'ok'::public.mood"));
    assert_eq!(accounts.column("id").unwrap().default.as_deref(), Some("nextval('public.accounts_id_seq'::regclass)"));
    assert_eq!(accounts.column("email").unwrap().data_type, "character varying(255)");
    assert_eq!(accounts.column("balance").unwrap().data_type, "numeric(12,2)");
    assert_eq!(accounts.column("balance").unwrap().default.as_deref(), Some("0.00"));
    assert_eq!(accounts.column("tags").unwrap().data_type, "text[]");
    assert_eq!(accounts.column("created_at").unwrap().data_type, "timestamp without time zone");
    assert_eq!(accounts.uniques[0].columns, ["email"]);
    let seq = s.sequences.iter().find(|x| x.name == q("public.accounts_id_seq")).unwrap();
    assert_eq!(seq.owned_by, Some(ColumnRef { table: q("public.accounts"), column: "id".into() }));
    let posts = s.table("posts").unwrap();
    assert_eq!(posts.checks[0].expression, "title::text <> ''::text");
    assert_eq!(posts.foreign_keys[0].references, q("public.accounts"));
    assert_eq!(
        posts.indexes.iter().find(|i| i.name == "index_posts_on_account_id").unwrap().predicate.as_deref(),
        Some("published")
    );
    let v = s.view("published_posts").unwrap();
    assert_eq!(v.columns, ["id", "title", "author_email"]);
    assert_eq!(
        v.depends_on,
        [dep("public.accounts", &["email", "id"]), dep("public.posts", &["account_id", "id", "published", "title"])]
    );
}

#[test]
fn pg12_partitions_generated_columns_and_index_details() {
    let s = load("tests/fixtures/schema/pg/pg12.sql");
    assert_eq!(s.namespaces, ["billing"]);
    assert_eq!(s.composites[0].name, q("billing.money_amount"));
    let attrs: Vec<(&str, &str)> =
        s.composites[0].attributes.iter().map(|a| (a.name.as_str(), a.data_type.as_str())).collect();
    assert_eq!(attrs, [("cents", "bigint"), ("currency", "character(3)")]);

    let customers = s.table("billing.customers").unwrap();
    assert_eq!(customers.comment.as_deref(), Some("Paying customers; one row per legal entity."));
    let name = customers.column("name").unwrap();
    assert_eq!((name.collation.as_deref(), name.nullable), (Some("C"), false));
    assert_eq!(customers.column("search_name").unwrap().generated.as_deref(), Some("lower(name)"));
    assert_eq!(customers.column("email").unwrap().comment.as_deref(), Some("Billing contact, not the login e-mail"));
    assert_eq!(customers.column("updated_at").unwrap().data_type, "timestamp with time zone");
    assert_eq!(customers.column("updated_at").unwrap().default, Some(postgres::normalize_expr("CURRENT_TIMESTAMP")));
    let trgm = &customers.indexes.iter().find(|i| i.name == "customers_search_name_trgm").unwrap();
    assert_eq!(trgm.method, "gin");
    assert_eq!(trgm.keys[0].opclass.as_deref(), Some("public.gin_trgm_ops"));
    let seq = s.sequences.iter().find(|x| x.name == q("billing.customers_id_seq")).unwrap();
    assert_eq!(seq.start, Some(1000));

    let invoices = s.table("billing.invoices").unwrap();
    assert_eq!(invoices.partition_by.as_deref(), Some("RANGE (issued_on)"));
    assert_eq!(invoices.column("state").unwrap().data_type, "billing.invoice_state");
    assert_eq!(invoices.column("total").unwrap().data_type, "billing.money_amount");
    assert_eq!(invoices.primary_key.as_ref().unwrap().columns, ["id", "issued_on"]);
    let idx = &invoices.indexes[0];
    assert_eq!(
        idx.keys[1],
        IndexKey { part: IndexPart::Column("issued_on".into()), order: Some("DESC NULLS LAST".into()), opclass: None }
    );
    assert_eq!(idx.include, ["amount_cents"]);
    let fk = &invoices.foreign_keys[0];
    assert_eq!(
        (fk.on_update, fk.on_delete, fk.deferrable, fk.validated),
        (FkAction::Cascade, FkAction::Restrict, true, true)
    );
    assert_eq!(
        s.table("billing.invoices_2024").unwrap().partition_of,
        Some(PartitionOf {
            parent: q("billing.invoices"),
            bound: "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')".into()
        })
    );
    assert_eq!(s.table("billing.invoices_default").unwrap().partition_of.as_ref().unwrap().bound, "DEFAULT");

    let events = s.table("public.events").unwrap();
    assert!(events.unlogged);
    assert_eq!(events.column("happened_at").unwrap().data_type, "timestamp(3) with time zone");
    let check = &events.checks[0];
    assert_eq!(
        (check.name.as_deref(), check.expression.as_str(), check.validated),
        (Some("events_kind_check"), "kind <> ''::text", false)
    );
    let fk = &events.foreign_keys[0];
    assert_eq!((fk.on_delete, fk.validated), (FkAction::SetNull, false));
    let open = events.indexes.iter().find(|i| i.name == "events_open_kinds").unwrap();
    assert_eq!(
        open.predicate.as_deref(),
        Some(postgres::normalize_expr("(kind = ANY (ARRAY['signup'::text, 'purchase'::text]))").as_str())
    );
    let path = events.indexes.iter().find(|i| i.name == "events_payload_path").unwrap();
    assert_eq!(
        path.keys,
        [IndexKey {
            part: IndexPart::Expression("payload ->> 'path'::text".into()),
            order: Some("NULLS FIRST".into()),
            opclass: Some("text_pattern_ops".into())
        }]
    );

    let t = &s.triggers[0];
    assert_eq!(t.events, ["INSERT", "UPDATE OF name, email"]);
    assert_eq!(t.when.as_deref(), Some("new.name IS DISTINCT FROM old.name"));
    assert_eq!(t.function, q("public.touch"));

    let f = s.functions.iter().find(|f| f.name == q("billing.customer_totals")).unwrap();
    assert_eq!(f.arguments, "customer bigint, since date");
    assert_eq!(f.returns, "TABLE(invoice_count bigint, total_cents bigint)");
    assert_eq!(f.language, "sql");
    let touch = s.functions.iter().find(|f| f.name == q("public.touch")).unwrap();
    assert!(touch.body.contains("-- $$ inside the body"));

    let summary = s.view("billing.customer_invoice_summary").unwrap();
    assert!(summary.materialized);
    assert_eq!(summary.columns, ["customer_id", "name", "invoices", "billed_cents"]);
    assert_eq!(
        summary.depends_on,
        [dep("billing.customers", &["id", "name"]), dep("billing.invoices", &["amount_cents", "customer_id", "id"])]
    );
    assert_eq!(summary.indexes[0].name, "customer_invoice_summary_customer_id");
}

#[test]
fn pg17_identity_columns_sql_body_functions_and_quoted_names() {
    let s = load("tests/fixtures/schema/pg/pg17.sql");
    assert_eq!(s.namespaces, ["catalog"]);
    let products = s.table("catalog.products").unwrap();
    let id = products.column("id").unwrap();
    assert_eq!((id.identity, id.nullable, id.default.as_deref()), (Some(Identity::Always), false, None));
    assert!(products.column("Title").is_some(), "quoted identifiers keep their case");
    assert_eq!(products.column("price").unwrap().data_type, "numeric(10,2)");
    assert_eq!(products.column("labels").unwrap().data_type, "text[]");
    assert_eq!(products.column("labels").unwrap().default.as_deref(), Some("ARRAY[]::text[]"));
    assert_eq!(products.column("uuid").unwrap().default.as_deref(), Some("gen_random_uuid()"));
    assert_eq!(products.column("valid_during").unwrap().data_type, "tstzrange");
    let seq = s.sequences.iter().find(|x| x.name == q("catalog.variants_id_seq")).unwrap();
    assert_eq!(seq.data_type.as_deref(), Some("integer"));
    assert_eq!(seq.owned_by, Some(ColumnRef { table: q("catalog.variants"), column: "id".into() }));
    let seq = s.sequences.iter().find(|x| x.name == q("catalog.products_id_seq")).unwrap();
    assert_eq!(seq.data_type.as_deref(), Some("bigint"));
    assert_eq!(s.table("catalog.variants").unwrap().column("id").unwrap().identity, Some(Identity::ByDefault));

    let f = &s.functions[0];
    assert_eq!((f.arguments.as_str(), f.returns.as_str(), f.language.as_str()), ("net numeric", "numeric", "sql"));
    assert!(f.body.starts_with("RETURN round("), "{}", f.body);

    let v = s.view("catalog.in_stock").unwrap();
    assert_eq!(v.columns, ["id", "Title", "units"]);
    // the CTE is not a table; its columns resolve to catalog.variants
    assert_eq!(
        v.depends_on,
        [dep("catalog.products", &["Title", "id"]), dep("catalog.variants", &["product_id", "stock"])]
    );
}

#[test]
fn ecto_structure_sql() {
    let s = load("tests/fixtures/schema/pg/ecto.sql");
    assert_eq!(s.migrations, ["20230915120000", "20231002083000", "20240117091500"]);
    assert_eq!(s.table("schema_migrations").unwrap().column("version").unwrap().data_type, "bigint");
    let tickets = s.table("tickets").unwrap();
    assert_eq!(tickets.column("subject").unwrap().data_type, "character varying(255)");
    assert_eq!(tickets.indexes[0].name, "tickets_user_id_index");
}

#[test]
fn hand_written_ddl_gets_postgres_defaults() {
    let s = parse_str(
        "CREATE TABLE Users (id serial PRIMARY KEY, email varchar(100) UNIQUE NOT NULL, age int CHECK (age > 0), org_id bigint REFERENCES orgs);\n\
         CREATE TABLE orgs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);",
    )
    .unwrap();
    let users = s.table("users").unwrap();
    let id = users.column("id").unwrap();
    assert_eq!(
        (id.data_type.as_str(), id.nullable, id.default.as_deref()),
        ("integer", false, Some("nextval('public.users_id_seq'::regclass)"))
    );
    assert_eq!(users.primary_key.as_ref().unwrap().name.as_deref(), Some("users_pkey"));
    assert_eq!(users.uniques[0].name.as_deref(), Some("users_email_key"));
    assert_eq!(users.checks[0].name.as_deref(), Some("users_age_check"));
    assert_eq!(users.foreign_keys[0].name.as_deref(), Some("users_org_id_fkey"));
    // `REFERENCES orgs` means the referenced table's primary key
    assert_eq!(users.foreign_keys[0].referenced_columns, ["id"]);
    assert_eq!(
        s.sequences.iter().map(|x| x.name.to_string()).collect::<Vec<_>>(),
        ["public.orgs_id_seq", "public.users_id_seq"]
    );
    assert_round_trip(&s);
}

fn error_of(text: &str) -> tandem::Error {
    match parse_str(text) {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e,
    }
}

#[test]
fn syntax_errors_are_located_at_the_token() {
    let e = error_of(
        "SET client_encoding = 'UTF8';\n\nCREATE TABLE public.t (\n    id bigint NOT NULL,\n    name text NOT NULL,,\n);\n",
    );
    assert_eq!(e.exit_code(), 2);
    let d = e.diagnostic();
    assert_eq!((d.line, d.column), (Some(5), Some(24)), "{d}");
    assert!(
        d.to_string().starts_with("structure.sql:5:24: cannot parse SQL statement: syntax error at or near \",\""),
        "{d}"
    );
}

#[test]
fn unexpected_statements_are_located_errors() {
    let e = error_of("CREATE TABLE t (id int);\nDELETE FROM t;\n");
    assert_eq!((e.diagnostic().line, e.diagnostic().column), (Some(2), Some(1)));
    assert!(e.to_string().contains("unexpected statement in a schema dump: DELETE FROM T;"), "{e}");

    let e = error_of("CREATE TABLE t (id int);\n\nINSERT INTO t (id) VALUES (1);\n");
    assert_eq!((e.diagnostic().line, e.diagnostic().column), (Some(3), Some(13)));
    assert!(e.to_string().contains("unexpected INSERT INTO t"), "{e}");

    let e = error_of("ALTER TABLE ONLY public.missing\n    ADD CONSTRAINT missing_pkey PRIMARY KEY (id);\n");
    assert_eq!((e.diagnostic().line, e.diagnostic().column), (Some(1), Some(18)));
    assert!(e.to_string().contains("refers to table public.missing, which this dump does not create"), "{e}");

    let e = error_of("CREATE TABLE t (id int);\nALTER TABLE t DROP COLUMN id;\n");
    assert!(
        e.to_string().contains("unsupported ALTER TABLE action in a schema dump (DropColumn)")
            || e.to_string().contains("unsupported ALTER TABLE action"),
        "{e}"
    );

    let e = error_of("CREATE TABLE t (id int);\nCREATE INDEX i ON u (id);\n");
    assert_eq!(e.diagnostic().line, Some(2));
    let e = error_of("CREATE TABLE t (id int);\nSELECT * FROM t;\n");
    assert!(e.to_string().contains("unexpected SELECT"), "{e}");
}

#[test]
fn ignored_statements_are_skipped() {
    let s = parse_str(
        "\\connect app\nSET default_with_oids = false;\nSELECT pg_catalog.setval('public.t_id_seq', 1, false);\n\
         CREATE TABLE t (id int);\nALTER TABLE t OWNER TO app;\nGRANT SELECT ON t TO reader;\nREVOKE ALL ON t FROM PUBLIC;\n\
         ALTER TABLE t CLUSTER ON t_pkey;\nCREATE DOMAIN positive AS integer CHECK (VALUE > 0);\nCOMMENT ON SCHEMA public IS 'x';\n\
         CREATE POLICY p ON t USING (true);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\n",
    )
    .unwrap();
    assert_eq!(s.tables.len(), 1);
    assert!(!postgres::IGNORED.is_empty());
}

// ---- the real server ----

fn psql(db: &str, sql: &str) {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-q", "-c", sql])
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "psql failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn psql_file(db: &str, file: &Path) {
    let out = Command::new("psql")
        .args(["-h", "127.0.0.1", "-U", "postgres", "-d", db, "-v", "ON_ERROR_STOP=1", "-q", "-f"])
        .arg(file)
        .output()
        .expect("psql runs");
    assert!(out.status.success(), "psql failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn pg_dump(db: &str) -> String {
    let out = Command::new("pg_dump")
        .args(["-h", "127.0.0.1", "-U", "postgres", "--schema-only", "--no-owner", "--no-privileges", db])
        .output()
        .expect("pg_dump runs");
    assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A database that exists for one test and is dropped afterwards.
struct TempDb(String);

impl TempDb {
    fn new(tag: &str) -> Self {
        let name = format!("tandem_pg_{tag}_{}", std::process::id());
        psql("postgres", &format!("DROP DATABASE IF EXISTS {name}"));
        psql("postgres", &format!("CREATE DATABASE {name}"));
        TempDb(name)
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = Command::new("psql")
            .args(["-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-q", "-c"])
            .arg(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.0))
            .output();
    }
}

#[test]
fn real_pg_dump_of_a_rich_schema() {
    let db = TempDb::new("rich");
    psql(
        &db.0,
        r#"
        CREATE SCHEMA shop;
        CREATE TYPE shop.state AS ENUM ('new', 'paid', 'shipped');
        CREATE TYPE shop.address AS (street text, zip varchar(10));
        CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
        CREATE TABLE shop.customers (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            "Email" varchar(255) NOT NULL UNIQUE,
            name text COLLATE "C",
            addr shop.address,
            score numeric(5,2) DEFAULT 0 CHECK (score >= 0),
            tags text[] NOT NULL DEFAULT '{}',
            updated_at timestamptz(3) DEFAULT now()
        );
        CREATE TABLE shop.orders (
            id serial,
            customer_id bigint NOT NULL REFERENCES shop.customers ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
            state shop.state NOT NULL DEFAULT 'new',
            total numeric(12,2) NOT NULL,
            placed_on date NOT NULL,
            total_with_tax numeric GENERATED ALWAYS AS (total * 1.2) STORED,
            PRIMARY KEY (id, placed_on)
        ) PARTITION BY RANGE (placed_on);
        CREATE TABLE shop.orders_2024 PARTITION OF shop.orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
        CREATE UNLOGGED TABLE shop.cache (k text PRIMARY KEY, v jsonb);
        CREATE INDEX customers_lower_email ON shop.customers (lower("Email") text_pattern_ops DESC NULLS LAST) INCLUDE (name) WHERE score > 10;
        CREATE INDEX cache_v ON shop.cache USING gin (v jsonb_path_ops);
        CREATE TRIGGER customers_touch BEFORE UPDATE OF name ON shop.customers FOR EACH ROW EXECUTE FUNCTION shop.touch();
        ALTER TABLE shop.cache ADD CONSTRAINT cache_k_check CHECK (k <> '') NOT VALID;
        COMMENT ON TABLE shop.customers IS 'People who buy';
        COMMENT ON COLUMN shop.customers."Email" IS 'Login';
        CREATE VIEW shop.big_spenders AS
            SELECT c.id, c."Email", sum(o.total) AS spent
            FROM shop.customers c JOIN shop.orders o ON o.customer_id = c.id
            WHERE o.state <> 'new' GROUP BY c.id, c."Email";
        CREATE MATERIALIZED VIEW shop.spend_by_state AS SELECT state, count(*) AS n FROM shop.orders GROUP BY state;
        CREATE UNIQUE INDEX spend_by_state_state ON shop.spend_by_state (state);
        "#,
    );
    let text = pg_dump(&db.0);
    let s = postgres::parse(&text, Path::new("dump.sql")).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_round_trip(&s);

    assert_eq!(s.namespaces, ["shop"]);
    let c = s.table("shop.customers").unwrap();
    let cols: Vec<(&str, &str, bool)> =
        c.columns.iter().map(|x| (x.name.as_str(), x.data_type.as_str(), x.nullable)).collect();
    assert_eq!(
        cols,
        [
            ("id", "bigint", false),
            ("Email", "character varying(255)", false),
            ("name", "text", true),
            ("addr", "shop.address", true),
            ("score", "numeric(5,2)", true),
            ("tags", "text[]", false),
            ("updated_at", "timestamp(3) with time zone", true),
        ]
    );
    assert_eq!(c.column("id").unwrap().identity, Some(Identity::Always));
    assert_eq!(c.column("name").unwrap().collation.as_deref(), Some("C"));
    assert_eq!(c.column("score").unwrap().default.as_deref(), Some("0"));
    assert_eq!(c.column("tags").unwrap().default.as_deref(), Some("'{}'::text[]"));
    assert_eq!(c.column("Email").unwrap().comment.as_deref(), Some("Login"));
    assert_eq!(c.comment.as_deref(), Some("People who buy"));
    assert_eq!(c.uniques[0].columns, ["Email"]);
    assert_eq!(c.checks[0].name.as_deref(), Some("customers_score_check"));
    let idx = c.indexes.iter().find(|i| i.name == "customers_lower_email").unwrap();
    assert_eq!(
        idx.keys,
        [IndexKey {
            part: IndexPart::Expression("lower(\"Email\"::text)".into()),
            order: Some("DESC NULLS LAST".into()),
            opclass: Some("text_pattern_ops".into())
        }]
    );
    assert_eq!(idx.include, ["name"]);
    assert_eq!(idx.predicate.as_deref(), Some("score > 10::numeric"));

    let o = s.table("shop.orders").unwrap();
    assert_eq!(o.partition_by.as_deref(), Some("RANGE (placed_on)"));
    assert_eq!(o.column("id").unwrap().default.as_deref(), Some("nextval('shop.orders_id_seq'::regclass)"));
    assert_eq!(o.column("state").unwrap().default.as_deref(), Some("'new'::shop.state"));
    assert_eq!(o.column("total_with_tax").unwrap().generated.as_deref(), Some("total * 1.2"));
    let fk = &o.foreign_keys[0];
    assert_eq!(
        (fk.references.to_string().as_str(), fk.on_delete, fk.deferrable),
        ("shop.customers", FkAction::Cascade, true)
    );
    assert_eq!(
        s.table("shop.orders_2024").unwrap().partition_of.as_ref().unwrap().bound,
        "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    );
    let cache = s.table("shop.cache").unwrap();
    assert!(cache.unlogged);
    assert!(!cache.checks[0].validated);
    assert_eq!(cache.indexes[0].keys[0].opclass.as_deref(), Some("jsonb_path_ops"));
    assert_eq!(s.triggers[0].events, ["UPDATE OF name"]);

    let v = s.view("shop.big_spenders").unwrap();
    assert_eq!(v.columns, ["id", "Email", "spent"]);
    assert_eq!(
        v.depends_on,
        [dep("shop.customers", &["Email", "id"]), dep("shop.orders", &["customer_id", "state", "total"])]
    );
    let m = s.view("shop.spend_by_state").unwrap();
    assert_eq!(m.depends_on, [dep("shop.orders", &["state"])]);
    assert_eq!(m.indexes[0].name, "spend_by_state_state");
}

#[test]
fn real_pg_dump_of_the_example_equals_the_rails_file() {
    let db = TempDb::new("example");
    let (path, _) = fixture("schema/structure.sql");
    psql_file(&db.0, &path);
    let text = pg_dump(&db.0);
    let from_server = postgres::parse(&text, Path::new("dump.sql")).unwrap_or_else(|e| panic!("{e}"));
    let mut from_file = load("schema/structure.sql");
    from_file.migrations.clear();
    assert_eq!(from_server, from_file);
}

#[test]
fn partition_of_inherits_the_parent_columns() {
    let s = parse_str(
        "CREATE TABLE m (id bigint NOT NULL, at date NOT NULL, note text) PARTITION BY LIST (at);\n\
         CREATE TABLE m_2024 PARTITION OF m (note WITH OPTIONS NOT NULL) FOR VALUES IN ('2024-01-01', '2024-01-02');\n\
         CREATE TABLE h (id int) PARTITION BY HASH (id);\n\
         CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (MODULUS 2, REMAINDER 0);\n",
    )
    .unwrap();
    let p = s.table("m_2024").unwrap();
    let cols: Vec<(&str, bool)> = p.columns.iter().map(|c| (c.name.as_str(), c.nullable)).collect();
    assert_eq!(cols, [("id", false), ("at", false), ("note", false)]);
    assert_eq!(p.partition_of.as_ref().unwrap().bound, "FOR VALUES IN ('2024-01-01', '2024-01-02')");
    assert_eq!(s.table("m").unwrap().partition_by.as_deref(), Some("LIST (at)"));
    assert_eq!(s.table("h0").unwrap().partition_of.as_ref().unwrap().bound, "FOR VALUES WITH (modulus 2, remainder 0)");
    assert_round_trip(&s);
}

#[test]
fn inheritance_and_pg_dump_cycle_breaking_replacements() {
    let s = parse_str(
        "CREATE TABLE public.base (id bigint NOT NULL, created_at timestamp with time zone);\n\
         CREATE TABLE public.child (extra text) INHERITS (public.base);\n\
         CREATE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;\n\
         CREATE VIEW public.v AS SELECT NULL::bigint AS id;\n\
         ALTER VIEW public.v ALTER COLUMN id SET DEFAULT 0;\n\
         CREATE OR REPLACE FUNCTION public.f() RETURNS integer LANGUAGE sql AS $$ SELECT 2 $$;\n\
         CREATE OR REPLACE VIEW public.v AS SELECT b.id FROM public.base b;\n",
    )
    .unwrap();
    let cols: Vec<&str> = s.table("child").unwrap().columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, ["id", "created_at", "extra"]);
    assert_eq!(s.functions.len(), 1);
    assert_eq!(s.functions[0].body, "SELECT 2");
    assert_eq!(s.views.len(), 1);
    assert_eq!(s.views[0].depends_on, [dep("public.base", &["id"])]);
}

/// Large files are parsed in parallel chunks; locations inside later chunks must still be file
/// offsets (view dependencies, located errors).
#[test]
fn large_dumps_parse_in_chunks_with_exact_locations() {
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "CREATE TABLE public.t{i} (\n    id bigint NOT NULL,\n    name character varying(255) DEFAULT 'x'::character varying NOT NULL\n);\n\n"
        ));
    }
    text.push_str("CREATE VIEW public.w AS\n SELECT b.*\n   FROM public.t2998 b;\n\n");
    text.push_str("CREATE VIEW public.v AS\n SELECT a.id,\n    b.name\n   FROM (public.t1 a\n     JOIN public.t2999 b USING (id));\n\n");
    assert!(text.len() > 300_000);
    let s = parse_str(&text).unwrap();
    assert_eq!(s.tables.len(), 3000);
    let v = s.view("public.v").unwrap();
    assert_eq!(v.columns, ["id", "name"]);
    assert_eq!(v.depends_on, [dep("public.t1", &["id"]), dep("public.t2999", &["id", "name"])]);
    // `b.*` names its columns through the location of the star, counted from the chunk's start.
    let w = s.view("public.w").unwrap();
    assert_eq!(w.columns, ["id", "name"]);
    assert_eq!(w.depends_on, [dep("public.t2998", &["id", "name"])]);
    // The last statement, without its `;`, runs to the end of the file.
    let unterminated = parse_str(&format!("{text}CREATE VIEW public.x AS SELECT * FROM public.t7")).unwrap();
    let x = unterminated.view("public.x").unwrap();
    assert_eq!(x.columns, ["id", "name"]);
    assert_eq!(x.depends_on, [dep("public.t7", &["id", "name"])]);

    let lines = text.lines().count();
    let broken = format!("{text}ALTER TABLE ONLY public.nope\n    ADD CONSTRAINT nope_pkey PRIMARY KEY (id);\n");
    let e = parse_str(&broken).unwrap_err();
    assert_eq!((e.diagnostic().line, e.diagnostic().column), (Some(lines as u32 + 1), Some(18)), "{e}");
    let broken = format!("{text}CREATE TABLE public.z (\n    id bigint NOT NULL,,\n);\n");
    let e = parse_str(&broken).unwrap_err();
    assert_eq!((e.diagnostic().line, e.diagnostic().column), (Some(lines as u32 + 2), Some(24)), "{e}");
}

/// Issue 17 §11: the dump is read a batch at a time, so the first wrong statement is reported
/// when it is met — here a table created twice at line 2 of an input that never ends.
#[test]
fn the_first_error_is_reported_before_the_rest_is_read() {
    struct Endless(usize);
    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            const LINE: &[u8] = b"SET client_min_messages = warning;\n";
            for b in buf.iter_mut() {
                *b = LINE[self.0 % LINE.len()];
                self.0 += 1;
            }
            Ok(buf.len())
        }
    }
    let head = "CREATE TABLE public.t0 (id bigint);\nCREATE TABLE public.t0 (id bigint);\n";
    let input = std::io::BufReader::new(std::io::Read::chain(head.as_bytes(), Endless(0)));
    let err = postgres::read(input, Path::new("structure.sql")).unwrap_err().to_string();
    assert!(err.starts_with("structure.sql:2:14: table public.t0 is created twice"), "{err}");
}

/// The whole-file parse used to report a syntax error at the end before a wrong statement at the
/// start; in file order, the first is reported.
#[test]
fn errors_are_reported_in_file_order() {
    let mut text = "CREATE TABLE public.t0 (id bigint);\nCREATE TABLE public.t0 (id bigint);\n".to_owned();
    for i in 1..3000 {
        text.push_str(&format!("CREATE TABLE public.t{i} (id bigint NOT NULL, name text);\n"));
    }
    text.push_str("CREATE TABLE public.broken (;\n");
    let err = parse_str(&text).unwrap_err().to_string();
    assert!(err.starts_with("structure.sql:2:14: table public.t0 is created twice"), "{err}");
    let broken = parse_str(&text.replacen("public.t0", "public.t00", 1)).unwrap_err().to_string();
    assert!(broken.starts_with("structure.sql:3002:29: cannot parse SQL"), "{broken}");
}

/// A dump with data (`pg_dump` without `--schema-only`): 64 MB of COPY rows are skipped as they
/// are read, not held, so `tandem schema show` stays far below the file's size in memory, and
/// schema_migrations' rows are read as the dump's versions.
#[test]
fn a_dump_with_data_is_read_in_bounded_memory() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("structure.sql");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "CREATE TABLE public.events (\n    id bigint NOT NULL,\n    body text\n);\n").unwrap();
    writeln!(f, "CREATE TABLE public.schema_migrations (\n    version character varying NOT NULL\n);\n").unwrap();
    writeln!(f, "COPY public.events (id, body) FROM stdin;").unwrap();
    let mut written = 0;
    let mut i = 0;
    while written < 64 << 20 {
        let row = format!("{i}\tsome text; with 'quotes', $$ and -- no comment\\n and a CREATE TABLE x (\n");
        f.write_all(row.as_bytes()).unwrap();
        written += row.len();
        i += 1;
    }
    writeln!(f, "\\.\n\nCOPY public.schema_migrations (version) FROM stdin;\n20240101000000\n20240102000000\n\\.\n")
        .unwrap();
    writeln!(f, "ALTER TABLE ONLY public.events\n    ADD CONSTRAINT events_pkey PRIMARY KEY (id);").unwrap();
    drop(f);
    let out = dir.path().join("out.json");
    let child = Command::new(env!("CARGO_BIN_EXE_tandem"))
        .current_dir(dir.path())
        .args(["schema", "show", "--schema", "structure.sql", "--format", "json"])
        .stdout(std::fs::File::create(&out).unwrap())
        .spawn()
        .unwrap();
    let (status, peak_kb) = wait_measured(child);
    let json = std::fs::read_to_string(&out).unwrap();
    assert_eq!(status, 0, "{json}");
    assert!(json.contains("events_pkey") && json.contains("20240102000000"), "{json}");
    assert!(peak_kb < 48 * 1024, "peak RSS {peak_kb} KB for a 64 MB dump");
}

/// Wait for `child` and return its exit status and peak resident memory in KB: its `VmHWM`,
/// read until it exits (not `wait4`'s `ru_maxrss`, which counts the test process the child was
/// forked from before it ran tandem).
fn wait_measured(mut child: std::process::Child) -> (i32, i64) {
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (status.code().unwrap_or(-1), peak);
        }
        let hwm = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_owned();
            line.split_whitespace().nth(1)?.parse::<i64>().ok()
        });
        peak = peak.max(hwm.unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

//! SQL migrations: every statement kind through libpg_query (PostgreSQL) and sqlparser (MySQL),
//! with exact lines; the file layouts (Flyway, golang-migrate/sqlx, dbmate, goose, plain);
//! unparsed statements; format detection; replay of a SQL history.

use crate::support::migration as migration_support;

use std::path::Path;

use migration_support::{down_lines, fixture, lines};
use tandem::migration::{self, ApplyErrorKind, Format, OpKind};
use tandem::schema::{Dialect, Identity, Schema};

fn load(rel: &str, dialect: Dialect) -> Vec<migration::Migration> {
    migration::load_path(&fixture(rel), None, dialect).unwrap()
}

#[test]
fn flyway_versions_undo_files_and_repeatables() {
    let ms = load("sql/flyway", Dialect::Postgres);
    let heads: Vec<(&str, &str)> = ms.iter().map(|m| (m.version.as_str(), m.name.as_str())).collect();
    assert_eq!(heads, vec![("1", "create_users"), ("2", "add_nickname"), ("3", "drop_legacy"), ("", "refresh_views")]);
    assert_eq!(
        lines(&ms[0].up),
        vec![
            "1:1 create_table public.users (id bigint not null default nextval('public.users_id_seq'::regclass), \
             email character varying(255) not null, legacy_flag boolean default false, \
             created_at timestamp with time zone not null default now()) pk(id)",
            "1:1 add_unique - on public.users(email)",
        ]
    );
    assert_eq!(ms[0].down, None, "no U1 file");
    let m = &ms[1];
    assert!(m.file.ends_with("V2__add_nickname.sql"));
    assert!(m.down_file.as_ref().unwrap().ends_with("U2__add_nickname.sql"));
    assert_eq!(
        lines(&m.up),
        vec![
            "1:1 set lock_timeout = 5s",
            "2:1 add_column public.users.nickname text null",
            "3:1 add_index users_nickname_idx on public.users btree((lower(nickname))) where nickname IS NOT NULL \
             concurrently if_not_exists",
        ]
    );
    assert_eq!(
        down_lines(m).unwrap(),
        vec![
            "1:1 drop_index public.users_nickname_idx concurrently if_exists",
            "2:1 drop_column public.users.nickname"
        ]
    );
}

#[test]
fn a_statement_that_does_not_parse_is_unparsed_with_its_location() {
    let ms = load("sql/flyway", Dialect::Postgres);
    assert_eq!(
        lines(&ms[2].up),
        vec![
            "1:1 drop_column public.users.legacy_flag",
            "2:1 unparsed ALTER TABLE users ADD COLUM broken int (Invalid statement: syntax error at or near \"int\")",
            "3:1 rename_table public.users -> public.accounts",
        ]
    );
    let op = &ms[2].up[1];
    assert_eq!(&ms[2].source[op.span.start..op.span.end], "ALTER TABLE users ADD COLUM broken int");
}

#[test]
fn golang_migrate_pairs_up_and_down_files() {
    let ms = load("sql/golang-migrate", Dialect::Postgres);
    assert_eq!(ms.len(), 3);
    assert_eq!(
        lines(&ms[0].up),
        vec![
            "1:1 begin",
            "2:1 create_table public.orders (id integer not null default nextval('public.orders_id_seq'::regclass), \
             total numeric(10,2) not null) pk(id)",
            "3:1 commit",
        ]
    );
    assert_eq!(down_lines(&ms[0]).unwrap(), vec!["1:1 drop_table public.orders if_exists"]);
    assert_eq!(
        lines(&ms[1].up),
        vec![
            "1:1 create_enum public.order_status [new,paid]",
            "2:1 add_column public.orders.status public.order_status not null default 'new'",
        ]
    );
    assert_eq!(
        down_lines(&ms[1]).unwrap(),
        vec!["1:1 drop_column public.orders.status", "2:1 drop_type public.order_status"]
    );
    assert_eq!(lines(&ms[2].up), vec!["1:1 data UPDATE public.orders"]);
    assert_eq!(ms[2].down, None, "no .down.sql: irreversible");
}

#[test]
fn dbmate_and_goose_sections_in_one_file() {
    let m = &load("sql/dbmate", Dialect::Postgres)[0];
    assert!(!m.transactional, "-- migrate:up transaction:false");
    assert_eq!(
        lines(&m.up),
        vec![
            "2:1 create_table public.audit_log (id bigint not null, payload jsonb) pk(id)",
            "3:1 add_index audit_log_payload_idx on public.audit_log gin(payload) concurrently",
        ]
    );
    assert_eq!(down_lines(m).unwrap(), vec!["6:1 drop_table public.audit_log"]);
    let OpKind::CreateTable { columns, .. } = &m.up[0].kind else { panic!() };
    assert_eq!(columns[0].identity, Some(Identity::Always));

    let m = &load("sql/goose", Dialect::Postgres)[0];
    assert_eq!(
        lines(&m.up),
        vec!["3:1 create_function public.touch", "10:1 create_trigger users_touch on public.users"]
    );
    assert_eq!(
        down_lines(m).unwrap(),
        vec!["13:1 drop_trigger users_touch on public.users if_exists", "14:1 drop_function public.touch"]
    );
}

#[test]
fn plain_ordered_files_have_no_down() {
    let ms = load("sql/plain", Dialect::Postgres);
    let got: Vec<(String, Vec<String>, bool)> =
        ms.iter().map(|m| (m.version.clone(), lines(&m.up), m.down.is_none())).collect();
    assert_eq!(
        got,
        vec![
            ("001".into(), vec!["1:1 create_table public.t (a integer)".into()], true),
            ("002".into(), vec!["1:1 add_column public.t.b integer null".into()], true),
        ]
    );
}

#[test]
fn every_postgres_statement_kind() {
    let m = &load("sql/all_statements.sql", Dialect::Postgres)[0];
    assert_eq!(
        lines(&m.up),
        vec![
            "1:1 begin",
            "2:1 set local statement_timeout = 30s",
            "3:1 lock public.users ACCESS EXCLUSIVE",
            "4:1 create_table public.orgs (id bigint not null, name text not null) pk(id) if_not_exists",
            "4:1 add_check orgs_name_check on public.orgs (length(name) > 0)",
            "5:1 add_column public.users.org_id bigint null",
            "5:1 change_type public.users.email public.citext using email::public.citext",
            "5:1 drop_not_null public.users.email",
            "5:1 set_default public.users.created_at now()",
            "5:1 drop_default public.users.created_at",
            "11:1 add_fk users_org_fk on public.users(org_id) -> public.orgs(id) on_delete CASCADE not_valid",
            "12:1 validate public.users.users_org_fk",
            "13:1 add_unique users_email_key2 on public.users() using users_email_idx",
            "14:1 add_check users_age_check on public.users (age >= 0) not_valid",
            "15:1 drop_constraint public.users.users_old_check if_exists",
            "16:1 rename_column public.users.email -> email_address",
            "17:1 add_index users_lower_email on public.users btree((lower(email_address))) unique",
            "18:1 drop_index public.users_old_idx concurrently if_exists",
            "19:1 create_view public.user_counts materialized",
            "20:1 drop_view public.stale_counts materialized if_exists cascade",
            "21:1 drop_view public.old_view",
            "22:1 add_enum_value public.order_status refunded",
            "23:1 truncate public.audit_log cascade",
            "24:1 drop_table public.legacy if_exists cascade",
            "24:1 drop_table public.legacy2 if_exists cascade",
            "25:1 data COPY public.orgs",
            "26:1 data DELETE public.orgs",
            "27:1 data INSERT public.orgs",
            "28:1 raw GRANT SELECT ON users TO reporting",
            "29:1 code DO block: DO $$ BEGIN RAISE NOTICE 'hi'; END $$",
            "30:1 commit",
        ]
    );
    let OpKind::CreateView { view, .. } = &m.up[18].kind else { panic!() };
    assert_eq!(view.depends_on.len(), 1);
    assert_eq!(view.depends_on[0].columns, vec!["org_id"]);
}

#[test]
fn mysql_statements_through_sqlparser() {
    let m = &load("sql/mysql", Dialect::Mysql)[0];
    assert_eq!(
        lines(&m.up),
        vec![
            "1:1 create_table users (id bigint(20) unsigned not null, email varchar(255) not null, \
             org_id int(11) default NULL) pk(id) fk(org_id->orgs)",
            "1:1 add_unique index_users_on_email on users(email)",
            "9:1 add_column users.nickname varchar(40) null",
            "9:1 change_type users.email varchar(320)",
            "9:1 set_not_null users.email",
            "9:1 drop_default users.email",
            "10:1 rename_column users.legacy -> archived",
            "10:1 change_type users.archived tinyint(1)",
            "10:1 set_not_null users.archived",
            "10:1 set_default users.archived 0",
            "11:1 drop_constraint users.fk_org",
            "11:1 drop_column users.org_id",
            "12:1 rename_table users -> accounts",
            "13:1 add_index idx_nick on accounts btree(nickname)",
            "14:1 drop_index idx_nick",
            "15:1 data INSERT accounts",
            "16:1 unparsed ALTER TABLE accounts FROBNICATE (sql parser error: Expected: ADD, RENAME, PARTITION, SWAP, \
             DROP, REPLICA IDENTITY, SET, or SET TBLPROPERTIES after ALTER TABLE, found: FROBNICATE at Line: 1, Column: 22)",
            "17:1 drop_table old_stuff if_exists",
        ]
    );
    let OpKind::CreateTable { columns, .. } = &m.up[0].kind else { panic!() };
    assert_eq!(columns[0].identity, Some(Identity::AutoIncrement));
}

#[test]
fn formats_are_detected_from_name_then_content() {
    let d = |p: &str, t: &str| migration::detect_format(Path::new(p), t);
    assert_eq!(d("db/migrate/1_x.rb", ""), Some(Format::Rails));
    assert_eq!(d("priv/repo/migrations/1_x.exs", ""), Some(Format::Ecto));
    assert_eq!(d("shop/migrations/0001_x.py", ""), Some(Format::Django));
    assert_eq!(d("V1__x.sql", ""), Some(Format::Sql));
    assert_eq!(d("migration", "class X < ActiveRecord::Migration[7.1]\nend"), Some(Format::Rails));
    assert_eq!(d("notes.txt", "hello"), None);
    let err = migration::read_file(Path::new("notes.txt"), "hello", None, Dialect::Postgres).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    assert!(err.to_string().contains("cannot tell the migration format of notes.txt"), "{err}");
    // A flag overrides the name.
    let ms =
        migration::read_file(Path::new("notes.txt"), "DROP TABLE t;", Some(Format::Sql), Dialect::Postgres).unwrap();
    assert_eq!(lines(&ms[0].up), vec!["1:1 drop_table public.t"]);
}

#[test]
fn replaying_a_sql_history_and_the_double_drop_error() {
    let ms = load("sql/golang-migrate", Dialect::Postgres);
    let mut schema = Schema::new(Dialect::Postgres);
    migration::replay(&mut schema, &ms).unwrap();
    let orders = schema.table("orders").unwrap();
    assert_eq!(orders.column("status").unwrap().data_type, "public.order_status");
    assert_eq!(schema.enums[0].values, vec!["new", "paid"]);
    assert_eq!(schema.migrations, vec!["000001", "000002", "000003"]);

    // Apply the down of 000002 twice: the second drop of the column is an error at its line.
    let down = ms[1].down.clone().unwrap();
    migration::apply::apply(&mut schema, &down[0]).unwrap();
    let err = migration::apply::apply(&mut schema, &down[0]).unwrap_err();
    assert_eq!(err.kind, ApplyErrorKind::Missing);
    assert_eq!(err.message, "column `public.orders.status` does not exist");
    assert!(err.span.file.ends_with("000002_order_status.down.sql"));
    assert_eq!((err.span.line, err.span.column), (1, 1));
    let as_error: tandem::Error = err.into();
    assert_eq!(as_error.exit_code(), 2);
    assert!(
        as_error
            .to_string()
            .ends_with("000002_order_status.down.sql:1:1: column `public.orders.status` does not exist")
    );
}

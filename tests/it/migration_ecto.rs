//! Ecto migrations: exact operation lists with locations, `change` inverses as Ecto computes
//! them, `execute(up, down)`, module attributes, unparsed calls, and replay.

use crate::support::migration as migration_support;

use migration_support::{down_lines, fixture, lines};
use tandem::migration::{self, Format};
use tandem::schema::{Dialect, Schema};

fn history() -> Vec<migration::Migration> {
    migration::load_path(&fixture("ecto/priv/repo/migrations"), None, Dialect::Postgres).unwrap()
}

/// The one migration of `src`, read as `priv/repo/migrations/<file>`.
fn read(file: &str, src: &str) -> migration::Migration {
    let path = std::path::Path::new("priv/repo/migrations").join(file);
    migration::read_file(&path, src, None, Dialect::Postgres).unwrap().remove(0)
}

#[test]
fn create_tables_with_references_timestamps_and_indexes() {
    let ms = history();
    let m = &ms[0];
    assert_eq!((m.version.as_str(), m.name.as_str(), m.format), ("20240101120000", "create_accounts", Format::Ecto));
    assert_eq!(
        lines(&m.up),
        vec![
            "5:5 create_table public.organizations (id bigint not null default nextval('public.organizations_id_seq'::regclass), \
             name character varying(255) not null, inserted_at timestamp(0) without time zone not null, \
             updated_at timestamp(0) without time zone not null) pk(id)",
            "10:5 create_table public.users (id bigint not null default nextval('public.users_id_seq'::regclass), \
             email character varying(255) not null, legacy_flag boolean default false, organization_id bigint not null, \
             tags character varying(255)[] default '{}', inserted_at timestamp(0) without time zone not null, \
             updated_at timestamp(0) without time zone not null) pk(id) fk(organization_id->public.organizations)",
            "18:5 add_index users_email_index on public.users btree(email) unique",
            "19:5 add_index users_organization_id_index on public.users btree(organization_id)",
        ]
    );
    assert_eq!(
        down_lines(m).unwrap(),
        vec![
            "19:5 drop_index public.users_organization_id_index",
            "18:5 drop_index public.users_email_index",
            "10:5 drop_table public.users",
            "5:5 drop_table public.organizations",
        ]
    );
}

#[test]
fn alter_modify_rename_constraint_and_execute_pairs() {
    let m = &history()[1];
    assert!(!m.transactional, "@disable_ddl_transaction true");
    assert_eq!(
        lines(&m.up),
        vec![
            "8:7 add_column public.users.nickname character varying(40) null",
            "9:7 change_type public.users.email text",
            "9:7 set_not_null public.users.email",
            "12:5 add_index users_nickname_index on public.users btree(nickname) where nickname IS NOT NULL concurrently",
            "13:5 rename_column public.users.legacy_flag -> archived",
            "14:5 add_check nickname_length on public.users (char_length(nickname) > 2) not_valid",
            "15:14 raw CREATE EXTENSION IF NOT EXISTS citext",
        ]
    );
    assert_eq!(
        down_lines(m).unwrap(),
        vec![
            "15:55 raw DROP EXTENSION IF EXISTS citext",
            "14:5 drop_constraint public.users.nickname_length",
            "13:5 rename_column public.users.archived -> legacy_flag",
            "12:5 drop_index public.users_nickname_index concurrently",
            "9:7 change_type public.users.email character varying(255)",
            "9:7 set_not_null public.users.email",
            "8:7 drop_column public.users.nickname",
        ]
    );
}

#[test]
fn up_and_down_with_heredoc_sql_code_and_unknown_calls() {
    let m = &history()[2];
    assert_eq!(
        lines(&m.up),
        vec![
            "6:5 data UPDATE public.users",
            "10:20 raw SELECT 1",
            "13:7 drop_column public.users.archived",
            "16:5 rename_table public.organizations -> public.accounts",
            "17:5 unparsed frobnicate(:users) (unknown migration function `frobnicate`)",
        ]
    );
    assert_eq!(
        down_lines(m).unwrap(),
        vec![
            "21:5 rename_table public.accounts -> public.organizations",
            "24:7 add_column public.users.archived boolean null default false",
        ]
    );
}

#[test]
fn remove_without_type_makes_change_irreversible() {
    let m = &history()[3];
    assert_eq!(
        lines(&m.up),
        vec!["6:7 drop_column public.users.tags", "9:5 drop_index public.users_nickname_index if_exists"]
    );
    assert_eq!(m.down, None);
}

#[test]
fn replay_follows_the_table_rename_into_foreign_keys() {
    let mut schema = Schema::new(Dialect::Postgres);
    migration::replay(&mut schema, &history()).unwrap();
    assert!(schema.table("organizations").is_none());
    let users = schema.table("users").unwrap();
    assert_eq!(users.foreign_keys[0].references.name, "accounts");
    assert_eq!(users.foreign_keys[0].name.as_deref(), Some("users_organization_id_fkey"));
    let cols: Vec<&str> = users.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, vec!["id", "email", "organization_id", "inserted_at", "updated_at", "nickname"]);
    assert_eq!(users.column("email").unwrap().data_type, "text");
    let idx: Vec<&str> = users.indexes.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(idx, vec!["users_email_index", "users_organization_id_index"]);
    assert!(!users.checks[0].validated, "added NOT VALID");
}

#[test]
fn modify_to_a_reference_adds_the_constraint() {
    let src = r#"defmodule Portal.Repo.Migrations.OwnerRef do
  use Ecto.Migration

  def change do
    alter table(:posts) do
      modify :owner_id, references(:users, on_delete: :nilify_all, validate: false), from: :bigint
    end
  end
end
"#;
    let m = read("20240601000000_owner_ref.exs", src);
    assert_eq!(
        lines(&m.up),
        vec![
            "6:7 change_type public.posts.owner_id bigint",
            "6:7 add_fk posts_owner_id_fkey on public.posts(owner_id) -> public.users(id) on_delete SET NULL not_valid",
        ]
    );
    assert_eq!(down_lines(&m).unwrap(), vec!["6:7 change_type public.posts.owner_id bigint"]);
}

#[test]
fn change_and_up_follow_the_modules_own_functions_of_no_arguments() {
    // glific's layout: `change` calls one function per table; `up` calls `defp … ()`s. A function
    // with arguments, a name defined twice (in any form), and a call of a function inside its own
    // body are not followed.
    let src = r#"defmodule Portal.Repo.Migrations.Split do
  use Ecto.Migration

  def change do
    contacts()
    groups
    with_arg(:x)
    twice()
  end

  defp contacts do
    alter table(:contacts) do
      add :contact_type, :string
    end
    nested()
  end

  def groups do
    alter table(:groups) do
      add :group_type, :string, comment: "one of WABA, WA"
    end
  end

  defp nested() do
    create table(:wa_groups) do
      add :label, :string
    end
    nested()
  end

  defp with_arg(name) do
    create table(name) do
      add :x, :string
    end
  end

  defp twice(), do: nil
  defp twice do
    create table(:never) do
      add :x, :string
    end
  end
end
"#;
    let m = read("20240601000001_split.exs", src);
    assert_eq!(
        lines(&m.up),
        vec![
            "13:7 add_column public.contacts.contact_type character varying(255) null",
            "25:5 create_table public.wa_groups (id bigint not null default nextval('public.wa_groups_id_seq'::regclass), \
             label character varying(255)) pk(id)",
            "28:5 unparsed nested() (unknown migration function `nested`)",
            "20:7 add_column public.groups.group_type character varying(255) null",
            "7:5 unparsed with_arg(:x) (unknown migration function `with_arg`)",
            "8:5 unparsed twice() (unknown migration function `twice`)",
        ]
    );
    assert_eq!(m.down, None, "an unparsed call has no inverse");

    let up = r#"defmodule Portal.Repo.Migrations.SplitUp do
  use Ecto.Migration

  def up do
    create_certificate_templates()
  end

  def down do
    drop_if_exists table(:certificate_templates)
  end

  @spec create_certificate_templates() :: any()
  defp create_certificate_templates() do
    create table(:certificate_templates) do
      add :label, :string, null: false
    end

    create unique_index(:certificate_templates, [:label])
  end
end
"#;
    let m = read("20240601000002_split_up.exs", up);
    assert_eq!(
        lines(&m.up),
        vec![
            "14:5 create_table public.certificate_templates (id bigint not null default \
             nextval('public.certificate_templates_id_seq'::regclass), label character varying(255) not null) pk(id)",
            "18:5 add_index certificate_templates_label_index on public.certificate_templates btree(label) unique",
        ]
    );
    assert_eq!(down_lines(&m).unwrap(), vec!["9:5 drop_table public.certificate_templates if_exists"]);
    let mut schema = Schema::new(Dialect::Postgres);
    migration::replay(&mut schema, std::slice::from_ref(&m)).unwrap();
    assert!(schema.table("certificate_templates").unwrap().column("label").is_some());

    // `change`'s inverse runs the functions' statements backwards, last function first.
    let reversible = r#"defmodule Portal.Repo.Migrations.SplitChange do
  use Ecto.Migration

  def change do
    a()
    b()
  end

  defp a do
    create table(:a) do
      add :x, :string
    end
  end

  defp b do
    alter table(:a) do
      add :y, :string
    end

    create index(:a, [:y])
  end
end
"#;
    let m = read("20240601000003_split_change.exs", reversible);
    assert_eq!(
        down_lines(&m).unwrap(),
        vec!["20:5 drop_index public.a_y_index", "17:7 drop_column public.a.y", "10:5 drop_table public.a"]
    );
}

/// SQL run through anything but a literal is never taken for harmless code: a module
/// attribute, a function of no arguments returning a literal and `repo().query!` are read; a
/// function, an anonymous function or a variable is unparsed (each of these passed as nothing
/// before).
#[test]
fn execute_and_repo_query_read_their_sql_or_are_unparsed() {
    let m = read(
        "20240101000000_drops.exs",
        r#"defmodule App.Repo.Migrations.Drops do
  use Ecto.Migration

  @drop "ALTER TABLE users DROP COLUMN a"

  def up do
    execute(@drop)
    execute(drop_b())
    repo().query!("ALTER TABLE users DROP COLUMN c", [], log: :info)
    Ecto.Adapters.SQL.query!(repo(), "ALTER TABLE users DROP COLUMN d")
    execute(&drop_e/0)
    execute(fn -> repo().query!("ALTER TABLE users DROP COLUMN f") end)
    repo().query!(sql(), [])
    Repo.update_all(User, set: [g: nil])
  end

  defp drop_b, do: "ALTER TABLE users DROP COLUMN b"
  defp drop_e, do: repo().query!("ALTER TABLE users DROP COLUMN e")
end
"#,
    );
    assert_eq!(
        lines(&m.up),
        vec![
            // The statement is located where its SQL is written.
            "4:10 drop_column public.users.a",
            "17:21 drop_column public.users.b",
            "9:20 drop_column public.users.c",
            "10:39 drop_column public.users.d",
            "11:5 unparsed execute(&drop_e/0) (SQL built at run time cannot be read)",
            "12:5 unparsed execute(fn -> repo().query!(\"ALTER TABLE users DROP COLUMN f\") end) (SQL built at run time cannot be read)",
            "13:5 unparsed repo().query!(sql(), []) (SQL built at run time cannot be read)",
            "14:5 code Elixir code: Repo.update_all(User, set: [g: nil])",
        ]
    );
}

/// `execute(up, fn -> … end)`: the up SQL is read though the down part is a function.
#[test]
fn execute_with_a_function_as_its_down_part_reads_the_up_sql() {
    let m = read(
        "20240101000000_drop.exs",
        "defmodule App.Repo.Migrations.Drop do\n  use Ecto.Migration\n\n  def change do\n    execute(\"ALTER TABLE users DROP COLUMN a\", fn -> :ok end)\n  end\nend\n",
    );
    assert_eq!(lines(&m.up), vec!["5:14 drop_column public.users.a"]);
    assert_eq!(m.down, None, "the function's effect is not known");
}

/// On SQLite, `execute` SQL that PostgreSQL's grammar rejects is read as SQLite's: an FTS5
/// virtual table is a table (its options are not columns), a trigger (its body's `;`s inside
/// one statement) and a trigger dropped by name alone change no column; a statement no grammar
/// reads stays unparsed, and one read by both (`DROP TABLE`) reads as before.
#[test]
fn sqlite_virtual_tables_and_triggers_are_read() {
    let src = r#"defmodule App.Repo.Migrations.Search do
  use Ecto.Migration

  def up do
    execute """
      CREATE VIRTUAL TABLE items_search USING fts5(
        title,
        body UNINDEXED,
        tokenize=porter
      );
    """

    execute """
      CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN
        INSERT INTO items_search(rowid, title) VALUES (new.id, new.title);
        UPDATE items SET title = CASE WHEN new.title IS NULL THEN '' ELSE new.title END WHERE id = new.id;
      END;
    """

    execute "DROP TRIGGER IF EXISTS items_search_insert;"
    execute "CREATE VIRTUAL TABLE broken USING fts5(title"
    execute "DROP TABLE IF EXISTS items_search;"
  end
end
"#;
    let path = std::path::Path::new("priv/repo/migrations/20240101000000_search.exs");
    let m = migration::read_file(path, src, None, Dialect::Sqlite).unwrap().remove(0);
    assert_eq!(
        lines(&m.up),
        vec![
            "6:7 create_table public.items_search (title , body )",
            "14:7 create_trigger items_search_insert on public.items",
            "20:14 drop_trigger items_search_insert on  if_exists",
            "21:14 unparsed CREATE VIRTUAL TABLE broken USING fts5(title (Invalid statement: syntax error at or near \"VIRTUAL\")",
            "22:14 drop_table public.items_search if_exists",
        ]
    );
}

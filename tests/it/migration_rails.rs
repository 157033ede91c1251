//! Rails migrations: exact operation lists with locations, inverses of `change`, irreversible
//! migrations, unparsed calls, and replaying the whole history into a schema.

use crate::support::migration as migration_support;

use migration_support::{down_lines, fixture, lines};
use tandem::migration::{self, ApplyErrorKind, Format, OpKind, apply};
use tandem::schema::{Dialect, Schema};

fn history() -> Vec<migration::Migration> {
    migration::load_path(&fixture("rails/db/migrate"), None, Dialect::Postgres).unwrap()
}

#[test]
fn create_table_with_references_timestamps_and_indexes() {
    let ms = history();
    let m = &ms[0];
    assert_eq!(
        (m.version.as_str(), m.name.as_str(), m.format),
        ("20240101120000", "create_organizations_and_users", Format::Rails)
    );
    assert!(m.transactional);
    assert_eq!(
        lines(&m.up),
        vec![
            "3:5 create_table public.organizations (id bigint not null default nextval('public.organizations_id_seq'::regclass), \
             name character varying not null, created_at timestamp(6) without time zone not null, \
             updated_at timestamp(6) without time zone not null) pk(id)",
            "8:5 create_table public.users (id bigint not null default nextval('public.users_id_seq'::regclass), \
             email character varying(255) not null, legacy_flag boolean default false, organization_id bigint not null, \
             created_at timestamp(6) without time zone not null, updated_at timestamp(6) without time zone not null) \
             pk(id) fk(organization_id->public.organizations)",
            "11:7 add_index index_users_on_organization_id on public.users btree(organization_id)",
            "13:7 add_index index_users_on_email on public.users btree(email) unique",
        ]
    );
    assert_eq!(down_lines(m).unwrap(), vec!["8:5 drop_table public.users", "3:5 drop_table public.organizations"]);
    let OpKind::CreateTable { foreign_keys, .. } = &m.up[1].kind else { panic!() };
    assert_eq!(
        foreign_keys[0].name.as_deref(),
        Some(tandem::schema::rails::naming::foreign_key_name("users", "organization_id").as_str())
    );
}

#[test]
fn change_methods_invert_in_reverse_order() {
    let m = &history()[1];
    assert!(!m.transactional, "disable_ddl_transaction! runs outside a transaction");
    assert_eq!(
        lines(&m.up),
        vec![
            "5:5 add_column public.users.nickname character varying(40) null",
            "6:5 add_index index_users_on_nickname on public.users btree(nickname) concurrently",
            "7:5 rename_column public.users.legacy_flag -> archived",
            "8:5 add_check nickname_length on public.users (char_length(nickname) > 2) not_valid",
        ]
    );
    assert_eq!(
        down_lines(m).unwrap(),
        vec![
            "8:5 drop_constraint public.users.nickname_length",
            "7:5 rename_column public.users.archived -> legacy_flag",
            "6:5 drop_index public.index_users_on_nickname concurrently",
            "5:5 drop_column public.users.nickname",
        ]
    );
}

#[test]
fn heredoc_sql_model_code_and_unknown_calls() {
    let m = &history()[2];
    assert_eq!(
        lines(&m.up),
        vec![
            "4:7 data UPDATE public.users",
            "5:7 set_not_null public.users.nickname",
            "8:5 code Ruby code: Organization.where(name: nil).update_all(name: \"unknown\")",
            "9:5 drop_column public.users.archived",
            "10:5 unparsed frobnicate :users (unknown migration method `frobnicate`)",
        ]
    );
    assert_eq!(m.down, None, "raise ActiveRecord::IrreversibleMigration in down");
    // Spans point into the .rb file: the heredoc's SQL statement is at its own line.
    assert_eq!(&m.source[m.up[1].span.start..m.up[1].span.end], "ALTER TABLE users ALTER COLUMN nickname SET NOT NULL");
}

#[test]
fn change_table_and_reversible_blocks() {
    let m = &history()[3];
    assert_eq!(
        lines(&m.up),
        vec![
            "4:7 rename_column public.users.nickname -> handle",
            "5:7 add_column public.users.login_count integer not null default 0",
            "6:7 drop_column public.users.email",
            "9:25 add_check login_count_positive on public.users (login_count >= 0) not_valid",
            "12:5 drop_not_null public.users.handle",
            "13:5 add_fk users_org_fk on public.users(organization_id) -> public.organizations(id) on_delete CASCADE not_valid",
        ]
    );
    assert_eq!(
        down_lines(m).unwrap(),
        vec![
            "13:5 drop_constraint public.users.users_org_fk",
            "12:5 set_not_null public.users.handle",
            "10:27 drop_constraint public.users.login_count_positive",
            "6:7 add_column public.users.email character varying null",
            "5:7 drop_column public.users.login_count",
            "4:7 rename_column public.users.handle -> nickname",
        ]
    );
}

#[test]
fn remove_column_without_type_is_irreversible() {
    let m = &history()[4];
    assert_eq!(lines(&m.up), vec!["3:5 drop_column public.users.login_count"]);
    assert_eq!(m.down, None);
}

#[test]
fn replaying_the_history_builds_the_schema_and_follows_renames() {
    let ms = history();
    let mut schema = Schema::new(Dialect::Postgres);
    let notes = migration::replay(&mut schema, &ms).unwrap();
    // Model code and the unknown `frobnicate` call are what the model could not follow.
    assert_eq!(notes.len(), 2, "{notes:?}");
    let users = schema.table("users").unwrap();
    let cols: Vec<&str> = users.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, vec!["id", "organization_id", "created_at", "updated_at", "handle"]);
    assert!(users.column("handle").unwrap().nullable);
    let idx: Vec<&str> = users.indexes.iter().map(|i| i.name.as_str()).collect();
    // The nickname index followed the rename to `handle`; the email index went with its column.
    assert_eq!(idx, vec!["index_users_on_nickname", "index_users_on_organization_id"]);
    assert_eq!(users.indexes[0].columns().collect::<Vec<_>>(), vec!["handle"]);
    assert_eq!(schema.migrations.len(), 5);

    // Dropping the column a second time is an error located at the second drop.
    let again = &ms[4].up[0];
    let err = apply::apply(&mut schema, again).unwrap_err();
    assert_eq!(err.kind, ApplyErrorKind::Missing);
    assert_eq!((err.span.line, err.span.column), (3, 5));
    assert!(err.span.file.ends_with("20240401100000_remove_untyped_column.rb"));
}

fn misc() -> Vec<migration::Migration> {
    migration::load_path(&fixture("rails_misc"), None, Dialect::Postgres).unwrap()
}

#[test]
fn strong_migrations_style_calls_and_their_inverse() {
    let m = &misc()[0];
    assert!(!m.transactional);
    assert_eq!(
        lines(&m.up),
        vec![
            "5:5 add_column public.comments.commentable_type character varying null",
            "5:5 add_column public.comments.commentable_id bigint null",
            "5:5 add_index index_comments_on_commentable_type_and_commentable_id on public.comments \
             btree(commentable_type,commentable_id) concurrently",
            "6:22 drop_column public.users.legacy_flag",
            "7:5 raw ALTER INDEX index_users_on_email RENAME TO index_users_on_email_address",
            "8:5 create_table public.roles_users (user_id bigint not null, role_id bigint not null)",
            "9:5 drop_table public.sessions",
            "13:5 add_column public.comments.created_at timestamp(6) without time zone null",
            "13:5 add_column public.comments.updated_at timestamp(6) without time zone null",
            // Rails: fk_rails_ + SHA-256("comments_user_id_fk")[0, 10]
            "14:5 add_fk fk_rails_03de2dc08c on public.comments(user_id) -> public.users(id) on_delete NO ACTION not_valid",
            "15:5 validate public.comments.fk_rails_03de2dc08c",
        ]
    );
    assert_eq!(
        down_lines(m).unwrap(),
        vec![
            "14:5 drop_constraint public.comments.fk_rails_03de2dc08c",
            "13:5 drop_column public.comments.updated_at",
            "13:5 drop_column public.comments.created_at",
            // drop_table with a block is reversible: the block says what to recreate.
            "9:5 create_table public.sessions (id bigint not null default nextval('public.sessions_id_seq'::regclass), \
             token character varying not null, created_at timestamp(6) without time zone not null, \
             updated_at timestamp(6) without time zone not null) pk(id)",
            "8:5 drop_table public.roles_users",
            "7:5 raw ALTER INDEX index_users_on_email_address RENAME TO index_users_on_email",
            "6:22 add_column public.users.legacy_flag boolean null default false",
            "5:5 drop_column public.comments.commentable_id",
            "5:5 drop_column public.comments.commentable_type",
        ]
    );
}

#[test]
fn calls_rails_cannot_invert_make_change_irreversible() {
    let m = &misc()[1];
    assert_eq!(
        lines(&m.up),
        vec![
            "3:5 change_type public.users.age bigint",
            "3:5 set_not_null public.users.age",
            "4:5 set_default public.users.status 'active'",
            "5:5 drop_index public.index_users_on_nickname concurrently",
            "6:14 data UPDATE public.users",
        ]
    );
    assert_eq!(m.down, None);
}

#[test]
fn create_table_force_drops_first() {
    let src = "class CreateTags < ActiveRecord::Migration[7.1]\n  def change\n    create_table :tags, id: :uuid, force: :cascade do |t|\n      t.string :name, null: false, index: { unique: true }\n    end\n  end\nend\n";
    let path = std::path::Path::new("db/migrate/20240601000000_create_tags.rb");
    let ms = migration::read_file(path, src, None, Dialect::Postgres).unwrap();
    assert_eq!(
        lines(&ms[0].up),
        vec![
            "3:5 drop_table public.tags if_exists cascade",
            "3:5 create_table public.tags (id uuid not null default gen_random_uuid(), name character varying not null) pk(id)",
            "4:7 add_index index_tags_on_name on public.tags btree(name) unique",
        ]
    );
}

#[test]
fn class_method_up_and_down_are_the_migration() {
    // Written before Rails 3.1 (delayed_job's generator kept the style): Rails still runs
    // `def self.up` through `Migration#up`. A `def self.helper` is no direction.
    let src = "class CreateDelayedJobs < ActiveRecord::Migration[4.2]\n  def self.up\n    create_table :delayed_jobs, :force => true do |table|\n      table.text :handler\n      table.datetime :failed_at\n    end\n  end\n\n  def self.down\n    drop_table :delayed_jobs\n  end\n\n  def self.change\n    drop_table :users\n  end\nend\n";
    let path = std::path::Path::new("db/migrate/20121223203701_create_delayed_jobs.rb");
    let ms = migration::read_file(path, src, None, Dialect::Postgres).unwrap();
    assert_eq!(
        lines(&ms[0].up),
        vec![
            "3:5 drop_table public.delayed_jobs if_exists",
            "3:5 create_table public.delayed_jobs (id integer not null default nextval('public.delayed_jobs_id_seq'::regclass), \
             handler text, failed_at timestamp without time zone) pk(id)",
        ]
    );
    assert_eq!(down_lines(&ms[0]).unwrap(), vec!["10:5 drop_table public.delayed_jobs"]);
}

/// A column list the reader cannot read in full is never read as fewer drops: `*%i[…]` is
/// expanded as Ruby does, a splat of anything else is unparsed (rubygems.org's
/// `remove_columns :api_keys, *%i[…]` read as an empty migration before).
#[test]
fn splatted_column_lists_are_expanded_or_unparsed_never_dropped() {
    let src = "class RemoveScopes < ActiveRecord::Migration[7.1]
  def change
    remove_columns :api_keys,
                   *%i[show_dashboard push_rubygem],
                   type: :boolean
    remove_columns :api_keys, *LEGACY_COLUMNS
    change_table :users do |t|
      t.remove :nickname, *%w[archived]
      t.remove *OLD
    end
  end
end
";
    let ms = tandem::migration::read_file(
        std::path::Path::new("db/migrate/20240507181615_remove_scopes.rb"),
        src,
        None,
        Dialect::Postgres,
    )
    .expect("migration reads");
    assert_eq!(
        lines(&ms[0].up),
        vec![
            "3:5 drop_column public.api_keys.show_dashboard",
            "3:5 drop_column public.api_keys.push_rubygem",
            "6:5 unparsed remove_columns :api_keys, *LEGACY_COLUMNS (`arguments not understood`)",
            // What a table block cannot read is reported as met; its drops close the block.
            "9:7 unparsed t.remove *OLD (`t.remove` with a column that is not a name)",
            "8:7 drop_column public.users.nickname",
            "8:7 drop_column public.users.archived",
        ]
    );
}

/// The guards Rails' generators write around their migrations (Active Storage's `return unless
/// table_exists?`, GoodJob's `return if connection.table_exists?`, `add_column … unless
/// column_exists?`, `remove_index … if index_exists?`) are read as if they held, with IF [NOT]
/// EXISTS on the guarded object: nothing they may run goes ungated, and a replay over a state
/// that already has the object skips it instead of failing. Any other condition, and a guard
/// with an `else`, stays unparsed.
#[test]
fn existence_guards_read_as_if_not_exists_and_if_exists() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        std::fs::write(
            dir.path().join(name),
            format!("class M{} < ActiveRecord::Migration[7.1]\n{body}end\n", &name[..14]),
        )
        .unwrap();
    };
    write(
        "20240101000000_create.rb",
        "  def change\n    create_table :repos do |t|\n      t.string :language\n      t.index :language\n    end\n    \
         create_table :active_storage_blobs do |t|\n      t.string :checksum, null: false\n    end\n  end\n",
    );
    write(
        "20240102000000_guards.rb",
        "  def change\n    add_column :repos, :language, :string unless column_exists?(:repos, :language)\n    \
         remove_index :repos, :language if index_exists?(:repos, :language)\n    \
         if connection.column_exists?(:repos, :legacy)\n      remove_column :repos, :legacy\n    end\n  end\n",
    );
    write(
        "20240103000000_active_storage.rb",
        "  def up\n    return unless table_exists?(:active_storage_blobs)\n    \
         change_column_null :active_storage_blobs, :checksum, true\n  end\n",
    );
    write(
        "20240104000000_good_job.rb",
        "  def change\n    return if connection.table_exists?(:good_job_settings)\n\n    \
         create_table :good_job_settings do |t|\n      t.text :key\n      t.index :key, unique: true\n    end\n  end\n",
    );
    write(
        "20240106000000_squish.rb",
        "  def up\n    enable_extension 'pgcrypto' unless extension_enabled?('pgcrypto')\n    \
         execute <<~SQL.squish\n      ALTER TABLE repos DROP COLUMN language;\n    SQL\n  end\n",
    );
    write(
        "20240105000000_traps.rb",
        "  def up\n    remove_column :repos, :language if Rails.env.production?\n    \
         if column_exists?(:repos, :language)\n      remove_column :repos, :language\n    else\n      say 'none'\n    end\n  end\n",
    );
    let ms = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap();
    assert_eq!(
        lines(&ms[1].up),
        vec![
            "3:5 add_column public.repos.language character varying null if_not_exists",
            "4:5 drop_index public.index_repos_on_language if_exists",
            "6:7 drop_column public.repos.legacy if_exists",
        ]
    );
    assert_eq!(lines(&ms[2].up), vec!["4:5 drop_not_null public.active_storage_blobs.checksum"]);
    let good_job = lines(&ms[3].up);
    assert_eq!(good_job.len(), 2, "{good_job:?}");
    assert!(
        good_job[0].starts_with("5:5 create_table public.good_job_settings (")
            && good_job[0].ends_with(" if_not_exists")
    );
    assert!(
        good_job[1].contains("add_index index_good_job_settings_on_key") && good_job[1].ends_with(" if_not_exists")
    );
    assert_eq!(ms[5].name, "squish");
    let squish = lines(&ms[5].up);
    assert_eq!(squish.len(), 2, "{squish:?}");
    assert!(!matches!(ms[5].up[0].kind, OpKind::Unparsed { .. }), "{squish:?}");
    assert_eq!(squish[1], "5:7 drop_column public.repos.language", "a heredoc's `.squish` keeps its SQL readable");
    let traps: Vec<&OpKind> = ms[4].up.iter().map(|o| &o.kind).collect();
    assert_eq!(traps.len(), 2, "{traps:?}");
    assert!(traps.iter().all(|k| matches!(k, OpKind::Unparsed { .. })), "{traps:?}");

    // The guarded add of a column the state has is skipped, not an error.
    let mut schema = Schema::new(Dialect::Postgres);
    migration::replay(&mut schema, &ms[..4]).unwrap();
    let repos = schema.table("repos").unwrap();
    assert_eq!(repos.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), vec!["id", "language"]);
    assert!(repos.indexes.is_empty(), "the guarded remove_index ran");
    assert!(schema.table("good_job_settings").is_some());
}

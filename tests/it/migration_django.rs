//! Django migrations: Django's table and column naming, state carried across a directory, RunSQL
//! through the SQL reader, RunPython reversibility, SeparateDatabaseAndState, unparsed operations,
//! and replay.

use crate::support::migration as migration_support;

use migration_support::{down_lines, fixture, lines};
use tandem::migration::{self, Format, OpKind};
use tandem::schema::{Dialect, Schema};

fn history() -> Vec<migration::Migration> {
    migration::load_path(&fixture("django/shop/migrations"), None, Dialect::Postgres).unwrap()
}

/// An empty `shop/migrations` folder in a temporary directory (kept alive by the first value).
fn shop_migrations() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("shop/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    (dir, migrations)
}

/// A Django migration file with these dependencies and operations (each indented eight spaces).
fn migration(deps: &str, ops: &str) -> String {
    format!(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    \
         dependencies = [{deps}]\n    operations = [\n{ops}    ]\n"
    )
}

#[test]
fn create_model_uses_app_label_and_db_table() {
    let ms = history();
    assert_eq!(ms.len(), 3, "__init__.py is not a migration");
    let m = &ms[0];
    assert_eq!((m.version.as_str(), m.name.as_str(), m.format), ("0001", "initial", Format::Django));
    assert_eq!(
        lines(&m.up),
        vec![
            "14:9 create_table public.shop_customer (id bigint not null, email character varying(254) not null, \
             legacy_flag boolean not null) pk(id)",
            "14:9 add_unique - on public.shop_customer(email)",
            "22:9 create_table public.orders (id bigint not null, total numeric(10,2) not null, \
             placed_at timestamp with time zone, customer_id bigint not null) pk(id) fk(customer_id->public.shop_customer)",
            // Django's index on a foreign key: <table>_<column>_<md5(table + column)[:8]>.
            "22:9 add_index orders_customer_id_b7016332 on public.orders btree(customer_id)",
        ]
    );
    assert_eq!(down_lines(m).unwrap(), vec!["22:9 drop_table public.orders", "14:9 drop_table public.shop_customer"]);
    let OpKind::CreateTable { foreign_keys, .. } = &m.up[2].kind else { panic!() };
    assert_eq!(foreign_keys[0].name.as_deref(), Some("orders_customer_id_b7016332_fk_shop_customer_id"));
    assert!(foreign_keys[0].deferrable, "Django creates foreign keys DEFERRABLE INITIALLY DEFERRED");
}

#[test]
fn fields_indexes_constraints_and_run_sql() {
    let m = &history()[1];
    assert!(!m.transactional, "atomic = False");
    assert_eq!(
        lines(&m.up),
        vec![
            "16:9 add_column public.orders.status character varying(20) not null default 'new'",
            "16:9 drop_default public.orders.status",
            "21:9 code RunPython(backfill_status)",
            "22:9 add_index orders_status_idx on public.orders btree(status,placed_at)",
            "26:9 add_check order_total_gte_0 on public.orders (total >= 0)",
            "30:9 rename_column public.shop_customer.legacy_flag -> archived",
            "32:14 add_index customer_email_lower on public.shop_customer btree((lower(email))) concurrently",
        ]
    );
    assert_eq!(
        down_lines(m).unwrap(),
        vec![
            "33:26 drop_index public.customer_email_lower concurrently",
            "30:9 rename_column public.shop_customer.archived -> legacy_flag",
            "26:9 drop_constraint public.orders.order_total_gte_0",
            "22:9 drop_index public.orders_status_idx",
            "16:9 drop_column public.orders.status",
        ]
    );
}

#[test]
fn state_across_files_run_python_without_reverse_and_unknown_operations() {
    let m = &history()[2];
    assert_eq!(
        lines(&m.up),
        vec![
            "13:9 rename_table public.shop_customer -> public.shop_client",
            // The field `customer` is a ForeignKey created in 0001: its column is `customer_id`.
            "14:9 drop_column public.orders.customer_id",
            // Only what changed since 0002: the length and the nullability.
            "15:9 change_type public.orders.status character varying(40)",
            "15:9 drop_not_null public.orders.status",
            "20:9 code RunPython(forwards)",
            "21:29 data UPDATE public.orders",
            "24:36 drop_column public.orders.placed_at",
            "30:9 raw migrations.AlterUniqueTogether(name=\"order\", unique_together={(\"status\", \"total\")})",
            "31:9 unparsed migrations.FrobnicateModel(name=\"order\") (unknown migration operation `FrobnicateModel`)",
        ]
    );
    assert_eq!(m.down, None, "RunPython without reverse_code is irreversible");
}

#[test]
fn a_single_file_read_alone_uses_default_names() {
    let path = fixture("django/shop/migrations/0003_rename_customer_remove_fields.py");
    let text = std::fs::read_to_string(&path).unwrap();
    let ms = migration::read_file(&path, &text, None, Dialect::Postgres).unwrap();
    // Without 0001, `order` is `shop_order` and `customer` is not known to be a foreign key.
    assert_eq!(lines(&ms[0].up)[1], "14:9 drop_column public.shop_order.customer");
}

#[test]
fn replay_builds_the_schema() {
    let mut schema = Schema::new(Dialect::Postgres);
    migration::replay(&mut schema, &history()).unwrap();
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.name.as_str()).collect();
    assert_eq!(names, vec!["orders", "shop_client"]);
    let orders = schema.table("orders").unwrap();
    let cols: Vec<&str> = orders.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(cols, vec!["id", "total", "status"]);
    assert!(orders.foreign_keys.is_empty(), "dropping customer_id dropped its foreign key");
    let client = schema.table("shop_client").unwrap();
    assert_eq!(client.uniques[0].name.as_deref(), Some("shop_customer_email_key"));
    assert_eq!(client.indexes[0].name, "customer_email_lower");
}

/// An `AlterField` that changes only what Django keeps in Python (a callable `default`, a
/// `help_text`, `verbose_name`, `editable`) changes nothing in the database.
#[test]
fn alter_field_of_python_side_attributes_is_no_change() {
    let (_dir, migrations) = shop_migrations();
    std::fs::write(
        migrations.join("0001_initial.py"),
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n            name=\"Order\",\n            fields=[\n                (\"id\", models.BigAutoField(primary_key=True)),\n                (\"placed\", models.DateTimeField(null=True)),\n            ],\n        ),\n    ]\n",
    )
    .unwrap();
    std::fs::write(
        migrations.join("0002_placed_default.py"),
        "import django.utils.timezone\nfrom django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [(\"shop\", \"0001_initial\")]\n    operations = [\n        migrations.AlterField(\n            model_name=\"order\",\n            name=\"placed\",\n            field=models.DateTimeField(default=django.utils.timezone.now, help_text=\"when\", editable=False, null=True),\n        ),\n    ]\n",
    )
    .unwrap();
    let ms = migration::load_path(&migrations, None, Dialect::Postgres).unwrap();
    assert_eq!(ms.len(), 2);
    assert_eq!(lines(&ms[1].up), Vec::<String>::new(), "no type change, no nullability change");
    assert_eq!(down_lines(&ms[1]).unwrap(), Vec::<String>::new());
}

/// A field class of another package whose `max_length` changes (django-colorfield's
/// `ColorField`, a `CharField`, 18 → 25 in Kiwi TCMS): its column type is unknown, so the
/// change is reported as a type change rather than read as none.
#[test]
fn a_new_length_of_an_unknown_field_class_is_a_type_change() {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("bugs/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    let migration = |deps: &str, ops: &str| {
        format!(
            "import colorfield.fields\nfrom django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    \
             dependencies = [{deps}]\n    operations = [\n{ops}    ]\n"
        )
    };
    std::fs::write(
        migrations.join("0001_initial.py"),
        migration(
            "",
            "        migrations.CreateModel(\n            name=\"Severity\",\n            fields=[\n                \
             (\"id\", models.AutoField(primary_key=True)),\n                \
             (\"color\", colorfield.fields.ColorField(default=\"#FFFFFF\", max_length=18)),\n                \
             (\"phone\", phonenumber_field.modelfields.PhoneNumberField(region=None)),\n            ],\n        ),\n",
        ),
    )
    .unwrap();
    std::fs::write(
        migrations.join("0002_color.py"),
        migration(
            "(\"bugs\", \"0001_initial\")",
            "        migrations.AlterField(\n            model_name=\"severity\",\n            name=\"color\",\n            \
             field=colorfield.fields.ColorField(default=\"#FFFFFF\", image_field=None, max_length=25),\n        ),\n        \
             migrations.AlterField(\n            model_name=\"severity\",\n            name=\"phone\",\n            \
             field=phonenumber_field.modelfields.PhoneNumberField(region=\"FR\"),\n        ),\n",
        ),
    )
    .unwrap();
    let ms = migration::load_path(&migrations, None, Dialect::Postgres).unwrap();
    assert_eq!(
        lines(&ms[1].up),
        vec!["8:9 change_type public.bugs_severity.color ColorField(25)"],
        "the same class with no length stays no change"
    );
}

/// An `AlterField` whose column changes name is a rename, as Django's schema editor runs it: a
/// new `db_column` (wger `manager/0026_change_pk_to_uuid_swap.py`) or a `ForeignKey` made a plain
/// field, whose column loses its `_id` (netbox `circuits/0051_virtualcircuit_group_assignment.py`).
#[test]
fn alter_field_that_moves_the_column_is_a_rename() {
    let (_dir, migrations) = shop_migrations();
    std::fs::write(
        migrations.join("0001_initial.py"),
        migration(
            "",
            "        migrations.CreateModel(\n            name=\"Order\",\n            fields=[\n                \
             (\"id\", models.BigAutoField(primary_key=True)),\n                \
             (\"session\", models.UUIDField(null=True)),\n                \
             (\"member\", models.ForeignKey(to=\"shop.order\", on_delete=models.CASCADE)),\n            ],\n        ),\n",
        ),
    )
    .unwrap();
    std::fs::write(
        migrations.join("0002_columns.py"),
        migration(
            "(\"shop\", \"0001_initial\")",
            "        migrations.AlterField(\n            model_name=\"order\",\n            name=\"session\",\n            \
             field=models.UUIDField(db_column=\"session_id\", null=True),\n        ),\n        \
             migrations.AlterField(\n            model_name=\"order\",\n            name=\"member\",\n            \
             field=models.PositiveBigIntegerField(),\n        ),\n        \
             migrations.AlterField(\n            model_name=\"order\",\n            name=\"session\",\n            \
             field=models.UUIDField(db_column=\"session_id\"),\n        ),\n",
        ),
    )
    .unwrap();
    let ms = migration::load_path(&migrations, None, Dialect::Postgres).unwrap();
    assert_eq!(
        lines(&ms[1].up),
        vec![
            "7:9 rename_column public.shop_order.session -> session_id",
            "12:9 rename_column public.shop_order.member_id -> member",
            "17:9 set_not_null public.shop_order.session_id",
        ],
        "a column that keeps its name and type only changes nullability"
    );
    assert_eq!(
        down_lines(&ms[1]).unwrap(),
        vec![
            "17:9 drop_not_null public.shop_order.session_id",
            "12:9 rename_column public.shop_order.member -> member_id",
            "7:9 rename_column public.shop_order.session_id -> session",
        ]
    );
}

/// A foreign key column has the type of the key it references (an `AutoField`'s `integer`, a
/// `UUIDField`'s `uuid`, a `to_field`'s), not always `bigint`; and when a key's type changes,
/// Django's schema editor alters every column that references it (the `AutoField` →
/// `BigAutoField` migrations of `DEFAULT_AUTO_FIELD` rewrite each referencing table too).
#[test]
fn foreign_keys_take_their_key_type_and_follow_its_changes() {
    let (_dir, migrations) = shop_migrations();
    std::fs::write(
        migrations.join("0001_initial.py"),
        migration(
            "",
            "        migrations.CreateModel(\n            name=\"Customer\",\n            fields=[\n                \
             (\"id\", models.AutoField(primary_key=True, serialize=False)),\n                \
             (\"code\", models.CharField(max_length=12, unique=True)),\n                \
             (\"parent\", models.ForeignKey(to=\"shop.customer\", null=True, on_delete=models.CASCADE)),\n            ],\n        ),\n        \
             migrations.CreateModel(\n            name=\"Token\",\n            fields=[\n                \
             (\"key\", models.UUIDField(primary_key=True, serialize=False)),\n            ],\n        ),\n        \
             migrations.CreateModel(\n            name=\"Order\",\n            fields=[\n                \
             (\"id\", models.BigAutoField(primary_key=True, serialize=False)),\n                \
             (\"customer\", models.ForeignKey(to=\"shop.customer\", on_delete=models.CASCADE)),\n                \
             (\"token\", models.OneToOneField(to=\"shop.token\", on_delete=models.CASCADE)),\n                \
             (\"by_code\", models.ForeignKey(to=\"shop.customer\", to_field=\"code\", on_delete=models.CASCADE)),\n            ],\n        ),\n",
        ),
    )
    .unwrap();
    std::fs::write(
        migrations.join("0002_bigger_keys.py"),
        migration(
            "(\"shop\", \"0001_initial\")",
            "        migrations.AlterField(\n            model_name=\"customer\",\n            name=\"id\",\n            \
             field=models.BigAutoField(primary_key=True, serialize=False),\n        ),\n        \
             migrations.AlterField(\n            model_name=\"order\",\n            name=\"customer\",\n            \
             field=models.ForeignKey(to=\"shop.customer\", on_delete=models.PROTECT),\n        ),\n",
        ),
    )
    .unwrap();
    let ms = migration::load_path(&migrations, None, Dialect::Postgres).unwrap();
    let creates = lines(&ms[0].up);
    let order = creates.iter().find(|l| l.contains("create_table public.shop_order ")).unwrap();
    assert!(
        order.contains("(id bigint not null, customer_id integer not null, token_id uuid not null, by_code_id character varying(12) not null)"),
        "{order}"
    );
    let customer = creates.iter().find(|l| l.contains("create_table public.shop_customer ")).unwrap();
    assert!(customer.contains("parent_id integer"), "a relation to the model itself: {customer}");
    assert_eq!(
        lines(&ms[1].up),
        vec![
            "7:9 change_type public.shop_customer.id bigint",
            "7:9 change_type public.shop_customer.parent_id bigint",
            "7:9 change_type public.shop_order.customer_id bigint",
        ],
        "the key's type change alters the columns referencing it (not `by_code_id`, which references `code`); \
         the foreign key restated with another `on_delete` is no change"
    );
    assert_eq!(
        down_lines(&ms[1]).unwrap(),
        vec![
            "7:9 change_type public.shop_customer.id integer",
            "7:9 change_type public.shop_customer.parent_id integer",
            "7:9 change_type public.shop_order.customer_id integer",
        ]
    );
}

/// A `ManyToManyField` without `through=` is a join table: its key columns take their models'
/// key types and follow their changes; removing the field drops the table (never a column of
/// the model's own table, which has none); deleting the model drops its join tables; renaming
/// it renames its join table and the key columns named after it.
#[test]
fn many_to_many_join_tables_follow_their_models() {
    let (_dir, migrations) = shop_migrations();
    let files = [
        (
            "0001_initial.py",
            migration(
                "",
                "        migrations.CreateModel(\n            name=\"Tag\",\n            fields=[\n                \
                 (\"id\", models.UUIDField(primary_key=True, serialize=False)),\n            ],\n        ),\n        \
                 migrations.CreateModel(\n            name=\"Item\",\n            fields=[\n                \
                 (\"id\", models.AutoField(primary_key=True, serialize=False)),\n                \
                 (\"tags\", models.ManyToManyField(to=\"shop.tag\")),\n                \
                 (\"related\", models.ManyToManyField(to=\"shop.item\")),\n            ],\n        ),\n",
            ),
        ),
        (
            "0002_bigger_keys.py",
            migration(
                "(\"shop\", \"0001_initial\")",
                "        migrations.AlterField(\n            model_name=\"item\",\n            name=\"id\",\n            \
                 field=models.BigAutoField(primary_key=True, serialize=False),\n        ),\n",
            ),
        ),
        (
            "0003_no_related.py",
            migration(
                "(\"shop\", \"0002_bigger_keys\")",
                "        migrations.RemoveField(\n            model_name=\"item\",\n            name=\"related\",\n        ),\n",
            ),
        ),
        (
            "0004_rename.py",
            migration(
                "(\"shop\", \"0003_no_related\")",
                "        migrations.RenameModel(\n            old_name=\"Item\",\n            new_name=\"Product\",\n        ),\n",
            ),
        ),
        (
            "0005_delete.py",
            migration(
                "(\"shop\", \"0004_rename\")",
                "        migrations.DeleteModel(\n            name=\"Product\",\n        ),\n",
            ),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(migrations.join(name), text).unwrap();
    }
    let ms = migration::load_path(&migrations, None, Dialect::Postgres).unwrap();
    let creates = lines(&ms[0].up);
    let tags = creates.iter().find(|l| l.contains("create_table public.shop_item_tags ")).unwrap();
    assert!(tags.contains("item_id integer not null, tag_id uuid not null"), "{tags}");
    let related = creates.iter().find(|l| l.contains("create_table public.shop_item_related ")).unwrap();
    assert!(related.contains("from_item_id integer not null, to_item_id integer not null"), "{related}");
    assert_eq!(
        lines(&ms[1].up),
        vec![
            "7:9 change_type public.shop_item.id bigint",
            "7:9 change_type public.shop_item_related.from_item_id bigint",
            "7:9 change_type public.shop_item_related.to_item_id bigint",
            "7:9 change_type public.shop_item_tags.item_id bigint",
        ],
        "the key's change alters the join tables' columns that reference it, not the tag's"
    );
    assert_eq!(lines(&ms[2].up), vec!["7:9 drop_table public.shop_item_related"]);
    assert!(down_lines(&ms[2]).unwrap()[0].contains("create_table public.shop_item_related "));
    assert_eq!(
        lines(&ms[3].up),
        vec![
            "7:9 rename_table public.shop_item -> public.shop_product",
            "7:9 rename_table public.shop_item_tags -> public.shop_product_tags",
            "7:9 rename_column public.shop_product_tags.item_id -> product_id",
        ]
    );
    assert_eq!(
        lines(&ms[4].up),
        vec!["7:9 drop_table public.shop_product_tags", "7:9 drop_table public.shop_product"],
        "the join table goes first"
    );
}

/// A column named by a module-level constant (Kiwi TCMS: `TAG_ID_COLUMN = "tag_id"` above the
/// class, another value under `if <sqlite>:`), then renamed to `id` by an `AlterField` without
/// `db_column`: the rename is seen, where the name read as text hid it.
#[test]
fn a_module_constant_names_the_column() {
    let (_dir, migrations) = shop_migrations();
    std::fs::write(
        migrations.join("0001_initial.py"),
        "from django.conf import settings\nfrom django.db import migrations, models\n\nTAG_ID_COLUMN = \"tag_id\"\n\
         if settings.DATABASES[\"default\"][\"ENGINE\"].find(\"sqlite\") > -1:\n    TAG_ID_COLUMN = \"\"\n\n\n\
         class Migration(migrations.Migration):\n    dependencies = []\n    operations = [\n        \
         migrations.CreateModel(\n            name=\"Tag\",\n            fields=[\n                \
         (\"id\", models.AutoField(db_column=TAG_ID_COLUMN, primary_key=True, serialize=False)),\n            ],\n        ),\n    ]\n",
    )
    .unwrap();
    std::fs::write(
        migrations.join("0002_remove_autofield.py"),
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    \
         dependencies = [(\"shop\", \"0001_initial\")]\n    operations = [\n        migrations.AlterField(\n            \
         model_name=\"tag\",\n            name=\"id\",\n            field=models.AutoField(primary_key=True, serialize=False),\n        ),\n    ]\n",
    )
    .unwrap();
    let ms = migration::load_path(&migrations, None, Dialect::Postgres).unwrap();
    assert_eq!(lines(&ms[0].up), vec!["12:9 create_table public.shop_tag (tag_id integer not null) pk(tag_id)"]);
    assert_eq!(lines(&ms[1].up), vec!["7:9 rename_column public.shop_tag.tag_id -> id"]);
}

/// A script of another tool in a folder the registry calls Django migrations (paperless-ngx keeps
/// a vector store's upgrade scripts in `src/paperless_ai/migrations/`): an input error at the
/// file that says what was expected and how to leave the folder out.
#[test]
fn a_python_file_without_a_migration_class_says_how_to_leave_the_folder_out() {
    let path = std::path::Path::new("ai/migrations/m0001_v1_to_v2.py");
    let text =
        "import sqlite3\n\n\ndef migrate(conn):\n    conn.execute(\"ALTER TABLE chunks ADD COLUMN meta TEXT\")\n";
    let err = migration::read_file(path, text, Some(Format::Django), Dialect::Postgres).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("ai/migrations/m0001_v1_to_v2.py:1:1: no migration class found"), "{shown}");
    let help = err.diagnostic().help.clone().unwrap_or_default();
    assert!(help.contains("leave it out of the app's `migrations` in apps.toml"), "{help}");
}

/// One Django app's migration folder holding a squashed migration beside those it replaces
/// (Tandoor's `0001_squashed_0227_…` beside `0001_initial` … `0227_…`): Django applies the
/// squashed one to a new database, so it stands for them, read from the file system or from a
/// git tree; a later migration naming a replaced one runs after it. Reading the originals too
/// left their long-renamed columns (`header`) in the replayed schema.
#[test]
fn a_squashed_migration_in_one_folder_stands_for_those_it_replaces() {
    let head = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n";
    let files = [
        (
            "0001_initial.py",
            format!(
                "{head}    dependencies = []\n    operations = [\n        migrations.CreateModel(\"Author\", [(\"id\", models.AutoField(primary_key=True)), (\"header\", models.BooleanField())]),\n    ]\n"
            ),
        ),
        (
            "0002_rename.py",
            format!(
                "{head}    dependencies = [(\"blog\", \"0001_initial\")]\n    operations = [\n        migrations.RenameField(\"author\", \"header\", \"is_header\"),\n    ]\n"
            ),
        ),
        (
            "0001_squashed_0002_rename.py",
            format!(
                "{head}    replaces = [(\"blog\", \"0001_initial\"), (\"blog\", \"0002_rename\")]\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\"Author\", [(\"id\", models.AutoField(primary_key=True)), (\"is_header\", models.BooleanField())]),\n    ]\n"
            ),
        ),
        (
            "0003_bio.py",
            format!(
                "{head}    dependencies = [(\"blog\", \"0002_rename\")]\n    operations = [\n        migrations.AddField(\"author\", \"bio\", models.TextField()),\n    ]\n"
            ),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("blog/migrations");
    std::fs::create_dir_all(&migrations).unwrap();
    std::fs::write(migrations.join("__init__.py"), "").unwrap();
    for (name, text) in &files {
        std::fs::write(migrations.join(name), text).unwrap();
    }
    let from_disk = migration::load_path(&migrations, None, Dialect::Postgres).unwrap();
    let paths: Vec<std::path::PathBuf> =
        files.iter().map(|(n, _)| std::path::PathBuf::from("blog/migrations").join(n)).collect();
    let from_tree = migration::load_files(
        paths,
        |p| Ok(files.iter().find(|(n, _)| p.ends_with(n)).unwrap().1.clone()),
        None,
        Dialect::Postgres,
    )
    .unwrap();
    for ms in [from_disk, from_tree] {
        let names: Vec<(&str, &str)> = ms.iter().map(|m| (m.version.as_str(), m.name.as_str())).collect();
        assert_eq!(names, [("0001", "squashed_0002_rename"), ("0003", "bio")]);
        let mut schema = Schema::new(Dialect::Postgres);
        migration::replay(&mut schema, &ms).unwrap();
        let author = schema.table("blog_author").unwrap();
        let cols: Vec<&str> = author.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(cols, ["id", "is_header", "bio"]);
    }
}

/// A relation field of another package that subclasses Django's (django-annoying's
/// `AutoOneToOneField`, django-mptt's `TreeForeignKey`) makes the column Django's would:
/// `user_id`, a foreign key (here the primary key too); not a column `user` of an unknown type.
#[test]
fn a_relation_field_subclass_is_a_foreign_key_column() {
    let text = "import annoying.fields\nimport mptt.fields\nfrom django.conf import settings\nfrom django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n            name=\"UserPreference\",\n            fields=[\n                (\"user\", annoying.fields.AutoOneToOneField(on_delete=models.CASCADE, primary_key=True, serialize=False, to=settings.AUTH_USER_MODEL)),\n                (\"parent\", mptt.fields.TreeForeignKey(null=True, on_delete=models.CASCADE, to=\"cookbook.userpreference\")),\n            ],\n        ),\n    ]\n";
    let path = std::path::Path::new("cookbook/migrations/0001_initial.py");
    let ms = migration::read_file(path, text, Some(Format::Django), Dialect::Postgres).unwrap();
    let mut schema = Schema::new(Dialect::Postgres);
    migration::replay(&mut schema, &ms).unwrap();
    let t = schema.table("cookbook_userpreference").unwrap();
    let cols: Vec<(&str, &str)> = t.columns.iter().map(|c| (c.name.as_str(), c.data_type.as_str())).collect();
    assert_eq!(cols, [("user_id", "bigint"), ("parent_id", "bigint")]);
    let fks: Vec<&str> = t.foreign_keys.iter().map(|f| f.columns[0].as_str()).collect();
    assert_eq!(fks, ["parent_id", "user_id"]);
    assert_eq!(t.primary_key.as_ref().map(|k| k.columns.clone()), Some(vec!["user_id".to_owned()]));
}

/// `AlterField` and `RenameField` of a many-to-many field reach its join table, never a column of
/// the model's table: options (`blank`, `related_name`) change nothing; a new target repoints the
/// join table's key column (`tag_id` → `label_id`, typed as the new target's key), as Django's
/// schema editor does; a new `db_table` renames the join table; `RenameField` renames the join
/// table named after the field.
#[test]
fn altering_a_many_to_many_field_changes_its_join_table() {
    let (_dir, migrations) = shop_migrations();
    let op = |name: &str, body: &str| {
        format!("        migrations.{name}(\n            model_name=\"item\",\n{body}        ),\n")
    };
    let files = [
        (
            "0001_initial.py",
            migration(
                "",
                "        migrations.CreateModel(\n            name=\"Tag\",\n            fields=[\n                \
                 (\"id\", models.AutoField(primary_key=True, serialize=False)),\n            ],\n        ),\n        \
                 migrations.CreateModel(\n            name=\"Label\",\n            fields=[\n                \
                 (\"id\", models.UUIDField(primary_key=True, serialize=False)),\n            ],\n        ),\n        \
                 migrations.CreateModel(\n            name=\"Item\",\n            fields=[\n                \
                 (\"id\", models.AutoField(primary_key=True, serialize=False)),\n                \
                 (\"tags\", models.ManyToManyField(to=\"shop.tag\")),\n            ],\n        ),\n",
            ),
        ),
        (
            "0002_options.py",
            migration(
                "(\"shop\", \"0001_initial\")",
                &op(
                    "AlterField",
                    "            name=\"tags\",\n            field=models.ManyToManyField(blank=True, related_name=\"items\", to=\"shop.tag\"),\n",
                ),
            ),
        ),
        (
            "0003_target.py",
            migration(
                "(\"shop\", \"0002_options\")",
                &op(
                    "AlterField",
                    "            name=\"tags\",\n            field=models.ManyToManyField(to=\"shop.label\"),\n",
                ),
            ),
        ),
        (
            "0004_rename.py",
            migration(
                "(\"shop\", \"0003_target\")",
                &op("RenameField", "            old_name=\"tags\",\n            new_name=\"labels\",\n"),
            ),
        ),
        (
            "0005_table.py",
            migration(
                "(\"shop\", \"0004_rename\")",
                &op(
                    "AlterField",
                    "            name=\"labels\",\n            field=models.ManyToManyField(db_table=\"item_labels\", to=\"shop.label\"),\n",
                ),
            ),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(migrations.join(name), text).unwrap();
    }
    let ms = migration::load_path(&migrations, None, Dialect::Postgres).unwrap();
    assert_eq!(lines(&ms[1].up), Vec::<String>::new());
    assert_eq!(
        lines(&ms[2].up),
        vec![
            "7:9 rename_column public.shop_item_tags.tag_id -> label_id",
            "7:9 change_type public.shop_item_tags.label_id uuid",
        ]
    );
    assert_eq!(lines(&ms[3].up), vec!["7:9 rename_table public.shop_item_tags -> public.shop_item_labels"]);
    assert_eq!(lines(&ms[4].up), vec!["7:9 rename_table public.shop_item_labels -> public.item_labels"]);
}

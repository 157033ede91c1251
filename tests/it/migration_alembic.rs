//! Alembic migrations: `op.*` operations and batch blocks, `op.execute` SQL with spans in the
//! `.py` file, helper functions, unparsed calls, syntax errors, the `down_revision` chain
//! (branches, merges, a missing parent), and the gate on a SQLAlchemy app.

use crate::support::migration::{down_lines, gate_blocks_then_passes, lines};
use tandem::migration::{self, Format};
use tandem::schema::Dialect;

const BASE: &str = r#""""create users

Revision ID: a1b2c3d4e5f6
Revises:
Create Date: 2024-01-02 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

revision = "a1b2c3d4e5f6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("legacy_flag", sa.Boolean(), server_default="false"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_users_email"), "users", ["email"], unique=True)


def downgrade():
    op.drop_index(op.f("ix_users_email"), table_name="users")
    op.drop_table("users")
"#;

const CHANGES: &str = r#""""reshape users

Revision ID: 0f9e8d7c6b5a
Revises: a1b2c3d4e5f6
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision: str = "0f9e8d7c6b5a"
down_revision: Union[str, None] = "a1b2c3d4e5f6"


def backfill():
    op.execute("UPDATE users SET nickname = email")


def upgrade() -> None:
    op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))
    backfill()
    op.alter_column("users", "email", new_column_name="email_address", type_=sa.Text(), nullable=True)
    op.drop_column("users", "legacy_flag")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("nickname")
        batch_op.alter_column("id", type_=sa.BigInteger())
    op.create_index("ix_users_created", "users", ["created_at"], postgresql_concurrently=True)
    op.rename_table("users", "accounts")
    for table in ["a", "b"]:
        op.drop_table(table)
    op.execute(f"DROP TABLE {name}")
    op.frobnicate("accounts")


def downgrade() -> None:
    pass
"#;

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

#[test]
fn operations_batches_sql_and_unparsed_calls() {
    let dir = dir_with(&[
        ("0f9e8d7c6b5a_reshape_users.py", CHANGES),
        ("a1b2c3d4e5f6_create_users.py", BASE),
        ("env.py", "from alembic import context\n\ndef run_migrations_online():\n    pass\n"),
    ]);
    let ms = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap();
    assert_eq!(ms.len(), 2, "env.py is not a revision");
    // The chain orders them, although the file names sort the other way.
    assert_eq!(
        (ms[0].version.as_str(), ms[0].name.as_str(), ms[0].format),
        ("a1b2c3d4e5f6", "create_users", Format::Alembic)
    );
    assert_eq!(
        lines(&ms[0].up),
        vec![
            "18:5 create_table public.users (id integer not null, email character varying(255) not null, \
             legacy_flag boolean default 'false') pk(id)",
            "25:5 add_index ix_users_email on public.users btree(email) unique",
        ]
    );
    assert_eq!(
        down_lines(&ms[0]).unwrap(),
        vec!["29:5 drop_index public.ix_users_email", "30:5 drop_table public.users"]
    );
    let m = &ms[1];
    assert_eq!((m.version.as_str(), m.name.as_str()), ("0f9e8d7c6b5a", "reshape_users"));
    assert_eq!(
        lines(&m.up),
        vec![
            "21:5 add_column public.users.nickname character varying(40) null",
            // The helper's statement, at its place in the helper.
            "17:17 data UPDATE public.users",
            "23:5 drop_not_null public.users.email",
            "23:5 change_type public.users.email text",
            "23:5 rename_column public.users.email -> email_address",
            "24:5 drop_column public.users.legacy_flag",
            "26:9 drop_column public.users.nickname",
            "27:9 change_type public.users.id bigint",
            "28:5 add_index ix_users_created on public.users btree(created_at) concurrently",
            "29:5 rename_table public.users -> public.accounts",
            "31:9 unparsed op.drop_table(table) (a table or column name computed at run time cannot be read)",
            "32:16 unparsed f\"DROP TABLE {name}\" (SQL built at run time cannot be read)",
            "33:5 unparsed op.frobnicate(\"accounts\") (unknown Alembic operation `frobnicate`)",
        ]
    );
    assert_eq!(m.down, None, "a downgrade that only passes reverses nothing");
}

#[test]
fn branches_and_merges_follow_the_chain() {
    let rev = |id: &str, down: &str, table: &str| {
        format!(
            "from alembic import op\n\nrevision = \"{id}\"\ndown_revision = {down}\n\n\ndef upgrade():\n    \
             op.drop_table(\"{table}\")\n\n\ndef downgrade():\n    pass\n"
        )
    };
    let dir = dir_with(&[
        ("m_merge.py", &rev("m", "(\"b\", \"c\")", "tm")),
        ("b_left.py", &rev("b", "\"a\"", "tb")),
        ("a_root.py", &rev("a", "None", "ta")),
        ("c_right.py", &rev("c", "\"a\"", "tc")),
        ("z_after.py", &rev("d", "\"m\"", "td")),
    ]);
    let ms = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap();
    let order: Vec<&str> = ms.iter().map(|m| m.version.as_str()).collect();
    assert_eq!(order, vec!["a", "b", "c", "m", "d"]);

    // A revision whose parent is missing cannot be placed: located at its `down_revision`.
    std::fs::remove_file(dir.path().join("a_root.py")).unwrap();
    let err = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`down_revision` names `a`, which no migration of this directory defines"), "{text}");
    assert_eq!(err.exit_code(), 2);
    assert!(format!("{err:?}").contains("b_left.py") || format!("{err:?}").contains("c_right.py"), "{err:?}");
}

#[test]
fn a_syntax_error_is_a_located_input_error() {
    let dir = dir_with(&[(
        "abc_broken.py",
        "from alembic import op\n\nrevision = \"abc\"\ndown_revision = None\n\ndef upgrade():\n    op.drop_column(\"users\", \"x\"\n\ndef downgrade():\n    pass\n",
    )]);
    let err = migration::load_path(dir.path(), None, Dialect::Postgres).unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let shown = format!("{err:?}");
    assert!(shown.contains("abc_broken.py") && shown.contains("syntax error"), "{shown}");
}

#[test]
fn the_gate_blocks_while_the_sqlalchemy_app_declares_the_column() {
    let model = |extra: &str| {
        format!(
            "from sqlalchemy import Boolean, Column, Integer, String\nfrom sqlalchemy.orm import declarative_base\n\n\
             Base = declarative_base()\n\n\nclass User(Base):\n    __tablename__ = \"users\"\n\n    \
             id = Column(Integer, primary_key=True)\n    email = Column(String)\n{extra}"
        )
    };
    gate_blocks_then_passes(
        "sqlalchemy",
        "",
        &[("app/models.py", &model("    legacy_flag = Column(Boolean)\n"))],
        &[("app/models.py", &model(""))],
        (
            "alembic/versions/9c1d_drop_legacy_flag.py",
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"9c1d\"\ndown_revision = None\n\n\n\
             def upgrade():\n    op.drop_column(\"users\", \"legacy_flag\")\n\n\ndef downgrade():\n    \
             op.add_column(\"users\", sa.Column(\"legacy_flag\", sa.Boolean()))\n",
        ),
    );
}

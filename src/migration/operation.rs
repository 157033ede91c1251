//! One operation model for every migration format: SQL, Rails, Ecto, Django, Alembic, TypeORM,
//! Sequelize, Knex and migrate-mongo (a collection is a table, a field a column) all read into
//! [`Migration`]s made of [`Operation`]s.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::schema::{CheckConstraint, Column, ForeignKey, Index, PrimaryKey, QualifiedName, UniqueConstraint, View};

/// A migration file's format; also the `--migration-format` value of the commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Sql,
    Rails,
    Ecto,
    Django,
    Alembic,
    Typeorm,
    Sequelize,
    Knex,
    #[serde(rename = "migrate-mongo")]
    MigrateMongo,
    /// A Prisma schema diffed between two revisions, for `prisma db push` (no migration files):
    /// what `check` gates in place of migrations, never a `--migration-format` to read files as.
    #[serde(rename = "prisma-schema")]
    #[value(skip)]
    PrismaSchema,
}

impl Format {
    /// The name apps.toml, `--migration-format` and reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Sql => "sql",
            Format::Rails => "rails",
            Format::Ecto => "ecto",
            Format::Django => "django",
            Format::Alembic => "alembic",
            Format::Typeorm => "typeorm",
            Format::Sequelize => "sequelize",
            Format::Knex => "knex",
            Format::MigrateMongo => "migrate-mongo",
            Format::PrismaSchema => "prisma-schema",
        }
    }

    /// The framework's own command that runs migrations of this format (`None` for SQL, which
    /// tandem runs itself).
    pub fn runner(self) -> Option<&'static str> {
        match self {
            Format::Sql => None,
            Format::Rails => Some("`rails db:migrate`"),
            Format::Ecto => Some("`mix ecto.migrate`"),
            Format::Django => Some("`manage.py migrate`"),
            Format::Alembic => Some("`alembic upgrade head`"),
            Format::Typeorm => Some("`typeorm migration:run`"),
            Format::Sequelize => Some("`sequelize db:migrate`"),
            Format::Knex => Some("`knex migrate:latest`"),
            Format::MigrateMongo => Some("`migrate-mongo up`"),
            Format::PrismaSchema => Some("`prisma db push`"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Up,
    Down,
}

/// One migration: a version, its `up` operations and, where it has one, its `down` part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Migration {
    /// The file the up part comes from (for paired layouts, the `.up.sql` / `V…` file).
    pub file: PathBuf,
    /// The file holding the down part when it is a separate file (`.down.sql`, Flyway `U…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down_file: Option<PathBuf>,
    /// Version as the format orders it (`20240101120000`, `3`, `0004`).
    pub version: String,
    pub name: String,
    pub format: Format,
    pub up: Vec<Operation>,
    /// `None` when the migration cannot be reversed (no down part, or `raise IrreversibleMigration`).
    /// Rails `change` methods are reversible by inversion: readers fill `down` with the inverse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub down: Option<Vec<Operation>>,
    /// False when the migration runs outside a transaction (`disable_ddl_transaction!`,
    /// `@disable_ddl_transaction true`, Django `atomic = False`).
    pub transactional: bool,
    /// The migrations this one stands for, by [`Migration::history_name`]: a squashed Django
    /// migration's `replaces`. A database that applied all of them has applied this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaces: Vec<String>,
    /// The full source text, for excerpts and suppression comments.
    #[serde(skip)]
    pub source: String,
}

impl Migration {
    /// The name a database's migration history records this migration under: its version for
    /// Rails, Ecto and SQL layouts (`schema_migrations`), `app_label.name` for Django
    /// (`django_migrations (app, name)`: `0002` is the second migration of every Django app).
    pub fn history_name(&self) -> String {
        if self.format != Format::Django {
            return self.version.clone();
        }
        super::readers::django::history_name(&super::readers::django::app_label(&self.file), &self.stem())
    }

    /// Version and name as a file name joins them (`0004_add_x`): what Django records.
    pub fn stem(&self) -> String {
        if self.name.is_empty() || self.name == self.version {
            self.version.clone()
        } else {
            format!("{}_{}", self.version, self.name)
        }
    }
}

/// Where an operation was written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub file: PathBuf,
    /// 1-based.
    pub line: u32,
    /// 1-based, in characters.
    pub column: u32,
    /// Byte range of the whole statement or call in the file's source.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operation {
    pub kind: OpKind,
    pub span: Span,
    pub direction: Direction,
}

/// A step of a migration, whatever the source format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OpKind {
    CreateTable {
        table: QualifiedName,
        columns: Vec<Column>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        primary_key: Option<PrimaryKey>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        foreign_keys: Vec<ForeignKey>,
        if_not_exists: bool,
    },
    DropTable {
        table: QualifiedName,
        if_exists: bool,
        cascade: bool,
    },
    RenameTable {
        from: QualifiedName,
        to: QualifiedName,
    },
    AddColumn {
        table: QualifiedName,
        column: Column,
        if_not_exists: bool,
    },
    DropColumn {
        table: QualifiedName,
        column: String,
        if_exists: bool,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    ChangeColumnType {
        table: QualifiedName,
        column: String,
        new_type: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        using: Option<String>,
    },
    SetNotNull {
        table: QualifiedName,
        column: String,
    },
    DropNotNull {
        table: QualifiedName,
        column: String,
    },
    SetDefault {
        table: QualifiedName,
        column: String,
        default: String,
    },
    DropDefault {
        table: QualifiedName,
        column: String,
    },
    AddIndex {
        table: QualifiedName,
        index: Index,
        concurrently: bool,
        if_not_exists: bool,
    },
    DropIndex {
        name: QualifiedName,
        concurrently: bool,
        if_exists: bool,
    },
    AddPrimaryKey {
        table: QualifiedName,
        key: PrimaryKey,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        using_index: Option<String>,
    },
    AddUnique {
        table: QualifiedName,
        constraint: UniqueConstraint,
        /// `ADD CONSTRAINT … UNIQUE USING INDEX idx`: built from an existing index.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        using_index: Option<String>,
    },
    AddCheck {
        table: QualifiedName,
        constraint: CheckConstraint,
        not_valid: bool,
    },
    AddForeignKey {
        table: QualifiedName,
        key: ForeignKey,
        not_valid: bool,
    },
    ValidateConstraint {
        table: QualifiedName,
        name: String,
    },
    DropConstraint {
        table: QualifiedName,
        name: String,
        if_exists: bool,
    },
    CreateView {
        view: View,
        or_replace: bool,
    },
    DropView {
        name: QualifiedName,
        materialized: bool,
        if_exists: bool,
        cascade: bool,
    },
    CreateFunction {
        name: QualifiedName,
        or_replace: bool,
    },
    DropFunction {
        name: QualifiedName,
        if_exists: bool,
    },
    CreateTrigger {
        name: String,
        table: QualifiedName,
    },
    DropTrigger {
        name: String,
        table: QualifiedName,
        if_exists: bool,
    },
    CreateEnum {
        name: QualifiedName,
        values: Vec<String>,
    },
    AddEnumValue {
        name: QualifiedName,
        value: String,
    },
    DropType {
        name: QualifiedName,
        if_exists: bool,
        cascade: bool,
    },
    Truncate {
        tables: Vec<QualifiedName>,
        cascade: bool,
    },
    /// `SET lock_timeout = '5s'`, `SET statement_timeout …` (also `SET LOCAL`).
    SetSetting {
        name: String,
        value: String,
        local: bool,
    },
    /// `LOCK TABLE t IN ACCESS EXCLUSIVE MODE`.
    LockTable {
        tables: Vec<QualifiedName>,
        mode: String,
    },
    Begin,
    Commit,
    /// INSERT / UPDATE / DELETE / COPY: data changes, with the table they touch.
    Data {
        verb: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        table: Option<QualifiedName>,
    },
    /// Code that runs but cannot be analysed (Django `RunPython`, a Ruby block with model code).
    Code {
        description: String,
    },
    /// A statement understood as valid SQL but with no finer model here (GRANT, COMMENT, …).
    Raw {
        sql: String,
    },
    /// A statement or call the reader does not understand. Never silently dropped: rules and the
    /// gate treat it as a finding.
    Unparsed {
        text: String,
        reason: String,
    },
}

impl OpKind {
    /// Whether this is what a stored routine's body counts for where the routine is defined: a
    /// change to the schema (or a statement that could not be read), not data, settings, locks,
    /// transaction control or statements that change nothing.
    pub fn changes_schema(&self) -> bool {
        !matches!(
            self,
            OpKind::Raw { .. }
                | OpKind::Data { .. }
                | OpKind::Code { .. }
                | OpKind::SetSetting { .. }
                | OpKind::LockTable { .. }
                | OpKind::Begin
                | OpKind::Commit
        )
    }
}

//! The safe way to make a destructive change, in one place: the database phases (expand, keep in
//! step, backfill, contract) and each framework's code steps between them. The gate's findings
//! ([`gate`]) and `tandem plan` (which writes the phases and prints [`CodeStep`]s per app) read
//! the same knowledge, so what a blocked check tells users to do is what the plan does.

use crate::config::Framework;
use crate::schema::Dialect;

/// A destructive change, as the gate sees it and as `tandem plan` writes it out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    RenameTable {
        from: String,
        to: String,
    },
    /// The new type lives in a new column `new_column` that replaces `column`.
    ChangeType {
        table: String,
        column: String,
        new_column: String,
        new_type: String,
    },
    DropColumn {
        table: String,
        column: String,
    },
    DropTable {
        table: String,
    },
}

impl Change {
    /// The name apps use today (`users.email`, `orders`).
    pub fn old_name(&self) -> String {
        match self {
            Change::RenameColumn { table, from, .. } => format!("{table}.{from}"),
            Change::ChangeType { table, column, .. } | Change::DropColumn { table, column } => {
                format!("{table}.{column}")
            }
            Change::RenameTable { from, .. } => from.clone(),
            Change::DropTable { table } => table.clone(),
        }
    }

    /// The name apps use once the change is done, if any.
    pub fn new_name(&self) -> Option<String> {
        match self {
            Change::RenameColumn { table, to, .. } => Some(format!("{table}.{to}")),
            Change::ChangeType { table, new_column, .. } => Some(format!("{table}.{new_column}")),
            Change::RenameTable { to, .. } => Some(to.clone()),
            Change::DropColumn { .. } | Change::DropTable { .. } => None,
        }
    }

    /// The `tandem plan …` command line that writes this change's phases.
    pub fn command(&self) -> String {
        match self {
            Change::RenameColumn { table, from, to } => format!("tandem plan rename-column {table}.{from} {to}"),
            Change::RenameTable { from, to } => format!("tandem plan rename-table {from} {to}"),
            Change::ChangeType { table, column, new_type, .. } => {
                format!("tandem plan change-type {table}.{column} '{new_type}'")
            }
            Change::DropColumn { table, column } => format!("tandem plan drop-column {table}.{column}"),
            Change::DropTable { table } => format!("tandem plan drop-table {table}"),
        }
    }
}

/// When an app's code step is done, relative to the database phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Moment {
    /// Any time before the contract, even before the expand (the code no longer needs the old
    /// name to be the only one, or maps the new name onto the old column).
    Now,
    /// Once the new column or table exists, is kept in step and is backfilled.
    AfterBackfill,
    /// The last deploy before the contract: the old name is no longer read or written.
    BeforeContract,
}

impl Moment {
    pub fn describe(self) -> &'static str {
        match self {
            Moment::Now => "now (before or after the expand)",
            Moment::AfterBackfill => "after the backfill",
            Moment::BeforeContract => "before the contract",
        }
    }
}

/// One thing an app's developers do in its code, and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CodeStep {
    pub moment: Moment,
    pub text: String,
}

pub fn step(moment: Moment, text: impl Into<String>) -> CodeStep {
    CodeStep { moment, text: text.into() }
}

/// The code steps of a framework whose models map a field's name onto a column of another name
/// (Rails, Ecto, Django), `texts` in this order: a renamed column is mapped onto the old one now
/// and reads its own after the backfill; a new type's column is used after the backfill and the
/// old one leaves the model before the contract; a renamed table is named after the backfill; a
/// dropped column (then the deploy) or table leaves the model before the contract.
pub fn mapped(change: &Change, texts: Vec<String>) -> Vec<CodeStep> {
    let moments: &[Moment] = match change {
        Change::RenameColumn { .. } => &[Moment::Now, Moment::AfterBackfill],
        Change::ChangeType { .. } => &[Moment::AfterBackfill, Moment::BeforeContract],
        Change::RenameTable { .. } => &[Moment::AfterBackfill],
        Change::DropColumn { .. } => &[Moment::BeforeContract, Moment::BeforeContract],
        Change::DropTable { .. } => &[Moment::BeforeContract],
    };
    debug_assert_eq!(moments.len(), texts.len(), "a text for each moment of {change:?}");
    moments.iter().zip(texts).map(|(&moment, text)| step(moment, text)).collect()
}

/// The code steps of a framework whose models name columns only where the code uses them
/// (`declares` false: plain SQL, a query builder), or list every declared column in the SQL they
/// generate (`declares` true: SQLAlchemy, Prisma, Drizzle, TypeORM, Sequelize).
pub fn generic(change: &Change, declares: bool) -> Vec<CodeStep> {
    match change {
        Change::RenameColumn { table, from, to } => vec![
            step(Moment::AfterBackfill, format!("move every read and write of `{table}.{from}` to `{to}`, deploy")),
            step(Moment::BeforeContract, format!("stop reading and writing `{from}`, deploy")),
        ],
        Change::ChangeType { column, new_column, .. } => vec![
            step(Moment::AfterBackfill, format!("move reads to `{new_column}`, deploy")),
            step(Moment::BeforeContract, format!("stop using `{column}`, deploy")),
        ],
        Change::RenameTable { from, to } => {
            vec![step(Moment::AfterBackfill, format!("use `{to}` everywhere the app names `{from}`"))]
        }
        Change::DropColumn { table, column } if declares => vec![
            step(
                Moment::BeforeContract,
                format!(
                    "remove `{column}` from the model/schema declaration of `{table}` (the ORM lists declared columns in its SQL) and every use"
                ),
            ),
            step(Moment::BeforeContract, "deploy"),
        ],
        Change::DropColumn { table, column } => vec![
            step(Moment::BeforeContract, format!("remove every use of `{table}.{column}`")),
            step(Moment::BeforeContract, "deploy"),
        ],
        Change::DropTable { table } => {
            vec![step(Moment::BeforeContract, format!("remove every use of `{table}` from the app"))]
        }
    }
}

/// The gate's safe alternative for `change` to an app of framework `fw` (`None`: unknown): the
/// database phases with the framework's code steps between them.
pub fn gate(change: &Change, fw: Option<Framework>) -> Vec<String> {
    gate_on(change, fw, Dialect::Postgres)
}

/// [`gate`] on a database of `dialect`: MongoDB's phases are updates of documents (a field
/// copied, then `$unset`), not DDL, and `tandem plan` writes none of them.
pub fn gate_on(change: &Change, fw: Option<Framework>, dialect: Dialect) -> Vec<String> {
    if dialect.is_sql() {
        return sql_gate(change, fw);
    }
    let code = match fw {
        Some(fw) => crate::framework::of(fw).code_steps(change),
        None => generic(change, false),
    };
    let at = |m: Moment| code.iter().filter(move |s| s.moment == m).map(|s| s.text.clone());
    let mut steps: Vec<String> = at(Moment::Now).collect();
    // A field as a key of a JavaScript object: a dotted path (`profile.nick`) must be quoted.
    let key = |field: &str| {
        if field.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            field.to_owned()
        } else {
            format!("'{field}'")
        }
    };
    let (expand, contract) = match change {
        Change::RenameColumn { table, from, to } => (
            format!(
                "expand: copy `{from}` to `{to}` in batches (`db.collection('{table}').updateMany({{ {}: {{ $exists: false }}, _id: {{ $in: ids }} }}, [{{ $set: {{ {}: '${from}' }} }}])`) while the apps write both",
                key(to),
                key(to)
            ),
            format!(
                "contract: `db.collection('{table}').updateMany({{ {}: {{ $exists: true }} }}, {{ $unset: {{ {}: '' }} }})`, in batches",
                key(from),
                key(from)
            ),
        ),
        Change::ChangeType { table, column, new_column, new_type } => (
            format!(
                "expand: write `{new_column}` as `{new_type}` in batches (`[{{ $set: {{ {}: {{ $convert: {{ input: '${column}', to: '{new_type}' }} }} }} }}]`) while the apps write both",
                key(new_column)
            ),
            format!("contract: `$unset` `{column}` on `{table}`, in batches"),
        ),
        Change::RenameTable { from, to } => (
            format!(
                "MongoDB has no updatable view: have every app take the collection's name from a setting, still `{from}`"
            ),
            format!("then `db.collection('{from}').rename('{to}')` and switch the setting of every app at once"),
        ),
        Change::DropColumn { table, column } => {
            (String::new(), format!("then `$unset` `{table}.{column}` (check with `tandem refs {table}.{column}`)"))
        }
        Change::DropTable { table } => {
            (String::new(), format!("then drop `{table}` (check with `tandem refs {table}`)"))
        }
    };
    steps.extend(Some(expand).filter(|e| !e.is_empty()));
    steps.extend(at(Moment::AfterBackfill));
    steps.extend(at(Moment::BeforeContract));
    steps.push(contract);
    steps
}

fn sql_gate(change: &Change, fw: Option<Framework>) -> Vec<String> {
    let code = match fw {
        Some(fw) => crate::framework::of(fw).code_steps(change),
        None => generic(change, false),
    };
    let at = |m: Moment| code.iter().filter(move |s| s.moment == m).map(|s| s.text.clone());
    let mut steps: Vec<String> = at(Moment::Now).collect();
    match change {
        Change::RenameColumn { table, from, to } => {
            steps.push(format!(
                "expand: ALTER TABLE {table} ADD COLUMN {to} …; (`{}` writes the steps)",
                change.command()
            ));
            steps
                .push(format!("write to both `{from}` and `{to}` (app code or a trigger), backfill `{to}` in batches"));
            steps.extend(at(Moment::AfterBackfill));
            steps.extend(at(Moment::BeforeContract));
            steps.push(format!("contract: ALTER TABLE {table} DROP COLUMN {from};"));
        }
        Change::ChangeType { table, column, new_column, new_type } => {
            steps.push(format!(
                "expand: ALTER TABLE {table} ADD COLUMN {new_column} {new_type}; (`{}` writes the steps)",
                change.command()
            ));
            steps.push(format!("write both columns (app code or a trigger), backfill `{new_column}` in batches"));
            steps.extend(at(Moment::AfterBackfill));
            steps.extend(at(Moment::BeforeContract));
            steps.push(format!("contract: ALTER TABLE {table} DROP COLUMN {column};"));
        }
        Change::RenameTable { from, to } => {
            steps.push(format!(
                "rename and keep the old name readable in one transaction: ALTER TABLE {from} RENAME TO {to}; CREATE VIEW {from} AS SELECT * FROM {to}; (a simple view is updatable; `{}` writes the steps)",
                change.command()
            ));
            steps.extend(at(Moment::AfterBackfill));
            steps.extend(at(Moment::BeforeContract));
            steps.push("deploy every app".to_owned());
            steps.push(format!("then: DROP VIEW {from};"));
        }
        Change::DropColumn { table, column } => {
            steps.extend(at(Moment::AfterBackfill));
            steps.extend(at(Moment::BeforeContract));
            steps.push(format!("then drop `{table}.{column}` (check with `tandem refs {table}.{column}`)"));
        }
        Change::DropTable { table } => {
            steps.extend(at(Moment::AfterBackfill));
            steps.extend(at(Moment::BeforeContract));
            steps.push("deploy that version of the app (check with `tandem refs`)".into());
            steps.push(format!("then drop `{table}`"));
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mongodb_phases_are_document_updates() {
        let change = Change::RenameColumn { table: "users".into(), from: "email".into(), to: "email_address".into() };
        let steps = gate_on(&change, None, Dialect::Mongodb);
        assert!(steps.iter().all(|s| !s.contains("ALTER TABLE")), "{steps:?}");
        assert!(steps.last().unwrap().contains("$unset: { email: '' }"), "{steps:?}");
    }

    #[test]
    fn every_framework_tells_how_to_stop_using_a_renamed_column() {
        let change = Change::RenameColumn { table: "users".into(), from: "email".into(), to: "email_address".into() };
        for fw in crate::framework::all() {
            let steps = gate(&change, Some(fw.id()));
            assert!(steps.first().is_some_and(|s| !s.is_empty()), "{}", fw.id());
            assert!(steps.last().unwrap().contains("DROP COLUMN email"), "{}: {steps:?}", fw.id());
            assert!(steps.iter().any(|s| s.contains("expand")), "{}: {steps:?}", fw.id());
        }
    }
}

//! The rules: one module per rule, each with a kebab-case id (Squawk's where Squawk has the same
//! rule), a one-line summary, the check and the safe alternative. Adding a rule is one new file
//! and one line in [`ALL`].

mod adding_field_with_default;
mod adding_foreign_key_constraint;
mod adding_not_nullable_field;
mod adding_required_field;
mod adding_serial_primary_key_field;
mod ban_concurrent_index_creation_in_transaction;
mod ban_drop_constraint;
mod ban_drop_default;
mod ban_drop_not_null;
mod ban_drop_sequence;
mod ban_truncate_cascade;
mod change_column_type;
mod constraint_missing_not_valid;
mod ddl_after_access_exclusive_lock;
mod disallowed_unique_constraint;
mod drop_column;
mod drop_function;
mod drop_table;
mod drop_type;
mod drop_view;
mod empty_migration;
mod irreversible_migration;
mod mongodb_field_not_restored;
mod mongodb_foreground_index;
mod mongodb_unbatched_update;
mod prefer_bigint_over_int;
mod prefer_identity;
mod prefer_jsonb;
mod prefer_robust_stmts;
mod prefer_timestamp_tz;
mod rename_column;
mod rename_table;
mod require_concurrent_index_creation;
mod require_concurrent_index_deletion;
mod require_enum_value_ordering;
mod require_lock_timeout;
mod require_statement_timeout;
mod type_change_rewrites_table;
mod unparsed_statement;

pub mod finding;
pub mod gate;
pub mod locks;
pub mod state;
pub mod types;

use crate::config::LintId;
use crate::error::{Diagnostic, Error, Result};
use crate::migration::{Migration, OpKind, Operation};
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::Gate;
use crate::rules::state::State;
use crate::schema::{Dialect, QualifiedName};

/// Everything a rule may look at for one operation.
pub struct OpContext<'a> {
    pub migration: &'a Migration,
    /// Index of `op` in `migration.up`.
    pub index: usize,
    pub op: &'a Operation,
    /// The schema before `op`.
    pub state: &'a State,
    /// Whether `op` runs inside a transaction (the migration's own, or an explicit `BEGIN`).
    pub in_transaction: bool,
    pub gate: &'a Gate<'a>,
    /// CI mode: what cannot be analysed blocks instead of warning.
    pub strict: bool,
}

impl<'a> OpContext<'a> {
    /// The view a later operation of the same migration creates under `name`: a redefinition
    /// of a dropped view, or a view left under a renamed table's old name.
    pub fn view_created_later(&self, name: &QualifiedName) -> Option<&'a crate::schema::View> {
        self.migration.up[self.index + 1..].iter().find_map(|op| match &op.kind {
            OpKind::CreateView { view, .. } if view.name.matches(name) => Some(view),
            _ => None,
        })
    }
}

/// Everything a rule may look at for a whole migration.
pub struct MigrationContext<'a> {
    pub migration: &'a Migration,
    /// The schema before the migration.
    pub state: &'a State,
    pub strict: bool,
}

pub trait Rule: Sync {
    /// Kebab-case id, as written in suppressions, waivers and reports.
    fn id(&self) -> &'static str;
    fn summary(&self) -> &'static str;
    /// The severity of its findings (the gate rules decide per finding: block or info).
    fn severity(&self) -> Severity;
    /// Whether this is one of the destructive gate's rules.
    fn gate(&self) -> bool {
        false
    }
    /// Whether the rule runs unless apps.toml's `[lint] disable` names it. Style rules (a
    /// preference, not a hazard) say no and run only when `[lint] enable` names them.
    fn on_by_default(&self) -> bool {
        true
    }
    /// Whether the rule judges migrations of a `dialect` database. Most rules know SQL's locks,
    /// types and constraints, which a MongoDB database does not have: there the gate's rules and
    /// those that say so run, the others stay quiet.
    fn applies_to(&self, dialect: Dialect) -> bool {
        self.gate() || dialect.is_sql()
    }
    /// Other ids this rule was known by, still accepted in suppressions and waivers.
    fn aliases(&self) -> &'static [&'static str] {
        &[]
    }
    /// Whether checking `op` may consult the gate (so the check scans the apps first). May say
    /// yes for an operation the rule then finds harmless; must never say no when it consults.
    fn consults_gate(&self, _op: &OpKind) -> bool {
        false
    }
    fn check_op(&self, _cx: &OpContext<'_>) -> Vec<Finding> {
        Vec::new()
    }
    fn check_migration(&self, _cx: &MigrationContext<'_>) -> Vec<Finding> {
        Vec::new()
    }
}

/// Every rule, in id order.
pub static ALL: &[&dyn Rule] = &[
    &adding_field_with_default::Rule,
    &adding_foreign_key_constraint::Rule,
    &adding_not_nullable_field::Rule,
    &adding_required_field::Rule,
    &adding_serial_primary_key_field::Rule,
    &ban_concurrent_index_creation_in_transaction::Rule,
    &ban_drop_constraint::Rule,
    &ban_drop_default::Rule,
    &ban_drop_not_null::Rule,
    &ban_drop_sequence::Rule,
    &ban_truncate_cascade::Rule,
    &change_column_type::Rule,
    &constraint_missing_not_valid::Rule,
    &ddl_after_access_exclusive_lock::Rule,
    &disallowed_unique_constraint::Rule,
    &drop_column::Rule,
    &drop_function::Rule,
    &drop_table::Rule,
    &drop_type::Rule,
    &drop_view::Rule,
    &empty_migration::Rule,
    &irreversible_migration::Rule,
    &mongodb_field_not_restored::Rule,
    &mongodb_foreground_index::Rule,
    &mongodb_unbatched_update::Rule,
    &prefer_bigint_over_int::Rule,
    &prefer_identity::Rule,
    &prefer_jsonb::Rule,
    &prefer_robust_stmts::Rule,
    &prefer_timestamp_tz::Rule,
    &rename_column::Rule,
    &rename_table::Rule,
    &require_concurrent_index_creation::Rule,
    &require_concurrent_index_deletion::Rule,
    &require_enum_value_ordering::Rule,
    &require_lock_timeout::Rule,
    &require_statement_timeout::Rule,
    &type_change_rewrites_table::Rule,
    &unparsed_statement::Rule,
];

/// Which rules run: the rules on by default, plus those `[lint] enable` names, minus those
/// `[lint] disable` names (ids as written, former ids accepted; the gate's rules cannot be
/// disabled — a waiver or suppression is the way to accept one of their findings).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub enable: Vec<&'static str>,
    pub disable: Vec<&'static str>,
}

impl Selection {
    /// The selection apps.toml's `[lint]` makes. Every id must name a lint rule (a former id gives
    /// the current one) — a misspelt id would enable or disable nothing, silently — and a gate
    /// rule cannot be disabled; the error points where the id is written.
    pub fn of(config: &crate::config::Config) -> Result<Selection> {
        let ids = |list: &[LintId], key: &str| -> Result<Vec<&'static str>> {
            list.iter()
                .map(|l| {
                    let (message, help) = match find(&l.id) {
                        Some(r) if r.gate() && key == "disable" => (
                            format!("`{}` is a gate rule: it cannot be disabled", l.id),
                            "accept one of its findings with a [[waiver]] or a `tandem:allow` comment".to_owned(),
                        ),
                        Some(r) => return Ok(r.id()),
                        None => (
                            format!("`[lint] {key}`: `{}` is not a rule", l.id),
                            closest_id(&l.id).map_or(String::new(), |c| {
                                format!("did you mean `{c}`? (`tandem check --list-rules` lists them)")
                            }),
                        ),
                    };
                    let at =
                        Diagnostic::new(message).at_offset_from(&config.path, &l.source_line, l.span.clone(), l.line);
                    Err(Error::input(at.help(help)))
                })
                .collect()
        };
        Ok(Selection { enable: ids(&config.lint.enable, "enable")?, disable: ids(&config.lint.disable, "disable")? })
    }

    pub fn runs(&self, rule: &dyn Rule) -> bool {
        let id = rule.id();
        if self.disable.contains(&id) && !rule.gate() {
            return false;
        }
        rule.on_by_default() || self.enable.contains(&id)
    }

    /// The rules that run, in id order.
    pub fn rules(&self) -> impl Iterator<Item = &'static dyn Rule> + '_ {
        ALL.iter().copied().filter(|r| self.runs(*r))
    }

    /// The rules that run on migrations of a `dialect` database.
    pub fn rules_for(&self, dialect: Dialect) -> impl Iterator<Item = &'static dyn Rule> + '_ {
        self.rules().filter(move |r| r.applies_to(dialect))
    }
}

/// Ids of findings the check itself produces (not from a rule module).
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";
pub const EXPIRED_SUPPRESSION: &str = "expired-suppression";

/// The state the check compares against, said where it is not simply the registry's schema (a
/// revision's copy, a history replayed, a schema ahead of the migrations).
pub const SCHEMA_STATE: &str = "schema-state";
/// A directory with no migration in it.
pub const NO_MIGRATIONS: &str = "no-migrations";

/// The ids of the findings the check itself produces, with their summaries and severities.
pub const CHECK_FINDINGS: &[(&str, &str, Severity)] = &[
    (EXPIRED_SUPPRESSION, "A suppression or waiver has expired", Severity::Warn),
    (NO_MIGRATIONS, "A migrations directory holds no migration", Severity::Info),
    (SCHEMA_STATE, "Where the schema before the migrations comes from", Severity::Info),
    (UNUSED_SUPPRESSION, "A suppression suppresses nothing", Severity::Warn),
];

/// The rule with this id or one of its former ids.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.id() == id || r.aliases().contains(&id))
}

/// The current id of the rule or check finding `id` names (a former id gives the current one).
pub fn canonical_id(id: &str) -> Option<&'static str> {
    find(id).map(|r| r.id()).or_else(|| CHECK_FINDINGS.iter().map(|(c, ..)| *c).find(|c| *c == id))
}

/// Whether `id` names a rule or a finding the check produces.
pub fn is_known(id: &str) -> bool {
    canonical_id(id).is_some()
}

/// The known id closest to the unknown `id`, for "did you mean".
pub fn closest_id(id: &str) -> Option<&'static str> {
    ALL.iter().map(|r| r.id()).chain(CHECK_FINDINGS.iter().map(|(c, ..)| *c)).max_by(|a, b| {
        strsim::jaro_winkler(a, id).partial_cmp(&strsim::jaro_winkler(b, id)).unwrap_or(std::cmp::Ordering::Equal)
    })
}

/// A gate finding on a target the schema state does not hold: the migration fails there, or the
/// schema is not the database before the migration — either way not "no app uses it". Blocks,
/// naming the object and the state (the references found, if any, stay listed); `verb` says what
/// the operation does (`drops column`), `if_exists` that the migration expects it may be absent.
pub(crate) fn absent_target(
    cx: &OpContext<'_>,
    f: &mut Finding,
    verb: &str,
    table: &QualifiedName,
    column: Option<&str>,
    if_exists: bool,
) {
    if if_exists {
        return;
    }
    let Some(why) = cx.state.absent(table, column) else { return };
    let object = crate::rules::gate::object(table, column);
    f.severity = Severity::Block;
    f.message = format!(
        "{verb} `{object}`, but {why}: either the migration fails there, or the schema is not the database before it"
    );
    f.recipes.insert(
        0,
        crate::rules::finding::Recipe {
            framework: None,
            steps: vec![
                "compare against the schema before this migration: `tandem check --since <base>` reads the schema as it was there".into(),
                "or fix the migration so that it names an object that exists".into(),
            ],
        },
    );
}

/// The finding of a rule that prefers one type over another, for each column `op` gives a type
/// whose base type (`types::parse`) is `avoided`: "`t.c` {problem}", with the recipe to declare
/// it as `preferred`.
pub(crate) fn prefer_type(rule: &dyn Rule, op: &OpKind, avoided: &str, problem: &str, preferred: &str) -> Vec<Finding> {
    typed_columns(op)
        .into_iter()
        .filter(|(.., ty)| types::parse(ty).base == avoided)
        .map(|(table, c, _)| {
            Finding::new(rule.id(), rule.severity(), format!("`{table}.{c}` {problem}"))
                .object(format!("{table}.{c}"))
                .recipe([format!("declare `{table}.{c}` as {preferred}")])
        })
        .collect()
}

/// The columns `op` gives a type: a new table's, an added column, a column whose type changes —
/// as (table, column, type).
fn typed_columns(op: &OpKind) -> Vec<(&QualifiedName, &str, &str)> {
    match op {
        OpKind::AddColumn { table, column, .. } => vec![(table, &column.name, &column.data_type)],
        OpKind::ChangeColumnType { table, column, new_type, .. } => vec![(table, column, new_type)],
        OpKind::CreateTable { table, columns, .. } => {
            columns.iter().map(|c| (table, c.name.as_str(), c.data_type.as_str())).collect()
        }
        _ => vec![],
    }
}

/// The constraint a statement adds, by name, when it has one.
pub(crate) fn added_constraint(op: &OpKind) -> Option<(&QualifiedName, &str)> {
    let (table, name) = match op {
        OpKind::AddForeignKey { table, key, .. } => (table, key.name.as_deref()),
        OpKind::AddCheck { table, constraint, .. } => (table, constraint.name.as_deref()),
        OpKind::AddUnique { table, constraint, .. } => (table, constraint.name.as_deref()),
        OpKind::AddPrimaryKey { table, key, .. } => (table, key.name.as_deref()),
        _ => return None,
    };
    Some((table, name?))
}

/// The documentation page of a rule, relative to the repository root.
pub fn help_uri(id: &str) -> String {
    format!("docs/rules/{id}.md")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_kebab_case() {
        let ids: Vec<&str> = ALL.iter().map(|r| r.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for id in ids {
            assert!(id.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{id}");
            assert!(!find(id).unwrap().summary().is_empty());
        }
    }

    #[test]
    fn every_rule_has_a_documentation_page() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        for r in ALL {
            assert!(dir.join(format!("{}.md", r.id())).is_file(), "docs/rules/{}.md is missing", r.id());
        }
    }
}

//! Operations in plain words, for people reading release notes: "drops column `users.legacy_flag`",
//! "adds index `index_orders_on_placed_at` on `orders` (placed_at) concurrently" — and what an
//! operation destroys that no down part can bring back.

use crate::migration::OpKind;
use crate::migration::readers::migrate_mongo::UPDATE_EVERY_DOCUMENT;
use crate::rules::locks::{Lock, lock_of};
use crate::schema::{IndexPart, QualifiedName};

/// Names as people write them: the dialect's default schema (`public`) left out.
#[derive(Debug, Clone, Copy)]
pub struct Names {
    pub default_schema: Option<&'static str>,
}

impl Names {
    fn q(&self, n: &QualifiedName) -> String {
        match &n.schema {
            Some(s) if Some(s.as_str()) != self.default_schema => format!("{s}.{}", n.name),
            _ => n.name.clone(),
        }
    }

    fn col(&self, t: &QualifiedName, c: &str) -> String {
        format!("`{}.{c}`", self.q(t))
    }

    fn tab(&self, t: &QualifiedName) -> String {
        format!("`{}`", self.q(t))
    }

    fn tables(&self, ts: &[QualifiedName]) -> String {
        ts.iter().map(|t| self.tab(t)).collect::<Vec<_>>().join(", ")
    }

    /// What `op` does, in a short sentence without a capital or a full stop. `None` for
    /// transaction control, which says nothing to a reader.
    pub fn describe(&self, op: &OpKind) -> Option<String> {
        use OpKind::*;
        Some(match op {
            CreateTable { table, columns, if_not_exists, .. } => format!(
                "creates table {} ({} column{}){}",
                self.tab(table),
                columns.len(),
                if columns.len() == 1 { "" } else { "s" },
                if *if_not_exists { " if it does not exist" } else { "" }
            ),
            DropTable { table, cascade, .. } => {
                format!(
                    "drops table {}{}",
                    self.tab(table),
                    if *cascade { " and everything that depends on it" } else { "" }
                )
            }
            RenameTable { from, to } => format!("renames table {} to {}", self.tab(from), self.tab(to)),
            AddColumn { table, column, .. } => {
                let mut s = format!("adds column {} `{}`", self.col(table, &column.name), column.data_type);
                match (&column.default, column.nullable) {
                    (Some(d), true) => s.push_str(&format!(", default `{d}`")),
                    (Some(d), false) => s.push_str(&format!(", not null, default `{d}`")),
                    (None, false) => s.push_str(", not null"),
                    (None, true) => s.push_str(", nullable"),
                }
                s
            }
            DropColumn { table, column, .. } => format!("drops column {}", self.col(table, column)),
            RenameColumn { table, from, to } => {
                format!("renames column {} to `{to}`", self.col(table, from))
            }
            ChangeColumnType { table, column, new_type, .. } => {
                format!("changes the type of {} to `{new_type}`", self.col(table, column))
            }
            SetNotNull { table, column } => format!("makes {} not null", self.col(table, column)),
            DropNotNull { table, column } => format!("makes {} nullable", self.col(table, column)),
            SetDefault { table, column, default } => {
                format!("sets the default of {} to `{default}`", self.col(table, column))
            }
            DropDefault { table, column } => format!("removes the default of {}", self.col(table, column)),
            AddIndex { table, index, concurrently, .. } => {
                let keys: Vec<String> = index
                    .keys
                    .iter()
                    .map(|k| match &k.part {
                        IndexPart::Column(c) => c.clone(),
                        IndexPart::Expression(e) => e.clone(),
                    })
                    .collect();
                format!(
                    "adds {}index `{}` on {} ({}){}",
                    if index.unique { "unique " } else { "" },
                    index.name,
                    self.tab(table),
                    keys.join(", "),
                    if *concurrently { " concurrently" } else { "" }
                )
            }
            DropIndex { name, concurrently, .. } => {
                format!("drops index {}{}", self.tab(name), if *concurrently { " concurrently" } else { "" })
            }
            AddPrimaryKey { table, key, .. } => {
                format!("adds a primary key on {} ({})", self.tab(table), key.columns.join(", "))
            }
            AddUnique { table, constraint, .. } => format!(
                "adds unique constraint {}on {} ({})",
                constraint.name.as_ref().map_or(String::new(), |n| format!("`{n}` ")),
                self.tab(table),
                constraint.columns.join(", ")
            ),
            AddCheck { table, constraint, not_valid } => format!(
                "adds check constraint {}on {} `{}`{}",
                constraint.name.as_ref().map_or(String::new(), |n| format!("`{n}` ")),
                self.tab(table),
                constraint.expression,
                if *not_valid { " without validating existing rows" } else { "" }
            ),
            AddForeignKey { table, key, not_valid } => format!(
                "adds foreign key {}{} ({}) → {} ({}){}",
                key.name.as_ref().map_or(String::new(), |n| format!("`{n}` ")),
                self.tab(table),
                key.columns.join(", "),
                self.tab(&key.references),
                key.referenced_columns.join(", "),
                if *not_valid { " without validating existing rows" } else { "" }
            ),
            ValidateConstraint { table, name } => format!("validates constraint `{name}` on {}", self.tab(table)),
            DropConstraint { table, name, .. } => format!("drops constraint `{name}` of {}", self.tab(table)),
            CreateView { view, or_replace } => format!(
                "{} {}view {}",
                if *or_replace { "creates or replaces" } else { "creates" },
                if view.materialized { "materialized " } else { "" },
                self.tab(&view.name)
            ),
            DropView { name, materialized, .. } => {
                format!("drops {}view {}", if *materialized { "materialized " } else { "" }, self.tab(name))
            }
            CreateFunction { name, or_replace } => {
                format!("{} function {}", if *or_replace { "creates or replaces" } else { "creates" }, self.tab(name))
            }
            DropFunction { name, .. } => format!("drops function {}", self.tab(name)),
            CreateTrigger { name, table } => format!("creates trigger `{name}` on {}", self.tab(table)),
            DropTrigger { name, table, .. } if table.name.is_empty() => format!("drops trigger `{name}`"),
            DropTrigger { name, table, .. } => format!("drops trigger `{name}` of {}", self.tab(table)),
            CreateEnum { name, values } => format!("creates enum {} ({})", self.tab(name), values.join(", ")),
            AddEnumValue { name, value } => format!("adds value `{value}` to enum {}", self.tab(name)),
            DropType { name, .. } => format!("drops type {}", self.tab(name)),
            Truncate { tables, .. } => format!("empties {}", self.tables(tables)),
            SetSetting { name, value, local } => {
                format!("sets `{name}` to {value}{}", if *local { " for the transaction" } else { "" })
            }
            LockTable { tables, mode } => format!("locks {} in {} mode", self.tables(tables), mode.to_lowercase()),
            Begin | Commit => return None,
            Data { verb, table } => match table {
                Some(t) if verb == UPDATE_EVERY_DOCUMENT => format!("updates every row of {}", self.tab(t)),
                Some(t) => format!("{} rows of {}", data_verb(verb), self.tab(t)),
                None => format!("runs `{}`", verb.to_uppercase()),
            },
            Code { description } => format!("runs code tandem cannot analyse: {description}"),
            Raw { sql } => format!("runs `{}`", first_line(sql)),
            Unparsed { text, reason } => {
                format!("runs a statement tandem could not read (`{}`: {reason})", first_line(text))
            }
        })
    }

    /// What `op` destroys that running a down part cannot bring back, when it destroys anything.
    pub fn cannot_undo(&self, op: &OpKind) -> Option<String> {
        use OpKind::*;
        Some(match op {
            DropTable { table, .. } => format!("the rows of table {}", self.tab(table)),
            DropColumn { table, column, .. } => format!("the data in column {}", self.col(table, column)),
            ChangeColumnType { table, column, new_type, .. } => format!(
                "the values of {} as they were before the conversion to `{new_type}`, wherever it changes them",
                self.col(table, column)
            ),
            Truncate { tables, .. } => format!("the rows of {}", self.tables(tables)),
            Data { verb, table: Some(t) } if verb.eq_ignore_ascii_case("delete") => {
                format!("the rows deleted from {}", self.tab(t))
            }
            Data { verb, table: Some(t) } if verb.eq_ignore_ascii_case("update") || verb == UPDATE_EVERY_DOCUMENT => {
                format!("the values the update overwrites in {}", self.tab(t))
            }
            Code { description } => format!("whatever the code changes ({description})"),
            _ => return None,
        })
    }

    /// What the lock `op` takes keeps from the apps, when it takes one that queues behind their
    /// traffic.
    pub fn lock(&self, op: &OpKind) -> Option<(String, Vec<QualifiedName>)> {
        let (lock, tables) = lock_of(op)?;
        let what = match lock {
            Lock::Share | Lock::ShareRowExclusive => "blocks writes to",
            Lock::AccessExclusive => "blocks reads and writes of",
        };
        Some((format!("{what} {}", self.tables(&tables)), tables))
    }
}

fn data_verb(verb: &str) -> String {
    match verb.to_ascii_lowercase().as_str() {
        "insert" => "inserts".to_owned(),
        "update" => "updates".to_owned(),
        "delete" => "deletes".to_owned(),
        "copy" => "copies".to_owned(),
        other => format!("runs {other} on"),
    }
}

fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or_default().trim_end_matches(';');
    if line.chars().count() > 80 {
        format!("{}…", line.chars().take(79).collect::<String>())
    } else {
        line.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Column, Index, IndexKey};

    const PG: Names = Names { default_schema: Some("public") };

    #[test]
    fn plain_words() {
        let users = QualifiedName::new(Some("public"), "users");
        let op = OpKind::DropColumn { table: users.clone(), column: "legacy_flag".into(), if_exists: false };
        assert_eq!(PG.describe(&op).unwrap(), "drops column `users.legacy_flag`");
        assert_eq!(PG.cannot_undo(&op).unwrap(), "the data in column `users.legacy_flag`");
        let index = Index {
            name: "index_orders_on_placed_at".into(),
            unique: false,
            method: "btree".into(),
            keys: vec![IndexKey::column("placed_at")],
            include: vec![],
            predicate: None,
        };
        let op = OpKind::AddIndex {
            table: QualifiedName::unqualified("orders"),
            index,
            concurrently: true,
            if_not_exists: false,
        };
        assert_eq!(
            PG.describe(&op).unwrap(),
            "adds index `index_orders_on_placed_at` on `orders` (placed_at) concurrently"
        );
        assert!(PG.lock(&op).is_none(), "a concurrent build queues behind nothing");
        let op = OpKind::AddColumn {
            table: QualifiedName::new(Some("billing"), "invoices"),
            column: Column::new("tz", "text"),
            if_not_exists: false,
        };
        assert_eq!(PG.describe(&op).unwrap(), "adds column `billing.invoices.tz` `text`, nullable");
        assert_eq!(PG.lock(&op).unwrap().0, "blocks reads and writes of `billing.invoices`");
        assert!(PG.describe(&OpKind::Begin).is_none());
    }
}

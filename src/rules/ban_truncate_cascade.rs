//! `TRUNCATE … CASCADE` also empties every table with a foreign key into the truncated ones,
//! recursively — tables the migration does not name.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "ban-truncate-cascade"
    }
    fn summary(&self) -> &'static str {
        "TRUNCATE CASCADE silently empties referencing tables"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::Truncate { tables, cascade: true } = &cx.op.kind else { return vec![] };
        let names: Vec<String> = tables.iter().map(ToString::to_string).collect();
        let mut also: Vec<String> = tables
            .iter()
            .flat_map(|t| cx.state.schema.foreign_keys_into(t).map(|(from, _)| from.name.to_string()))
            .filter(|n| !names.contains(n))
            .collect();
        also.sort();
        also.dedup();
        let tail = if also.is_empty() { String::new() } else { format!(" — here also {}", also.join(", ")) };
        vec![
            Finding::new(
                self.id(),
                self.severity(),
                format!("TRUNCATE {} CASCADE empties every table that references them{tail}", names.join(", ")),
            )
            .object(names.join(", "))
            .recipe(["name every table to truncate explicitly, without CASCADE, so that the statement fails instead of deleting more than intended"]),
        ]
    }
}

//! A sequence is the default of some column (`nextval('…')`) or called by code: after it is
//! dropped, every insert that relies on it fails, in every app.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};

pub struct Rule;

/// The sequences a `DROP SEQUENCE` statement names (the readers keep it as raw SQL).
fn dropped_sequences(sql: &str) -> Vec<String> {
    use pg_query::NodeEnum;
    use pg_query::protobuf::ObjectType;
    let Ok(parsed) = pg_query::parse(sql, 0) else { return vec![] };
    let mut names = Vec::new();
    for stmt in &parsed.protobuf.stmts {
        let Some(NodeEnum::DropStmt(ds)) = stmt.stmt.as_ref().and_then(|s| s.node.as_ref()) else { continue };
        if ObjectType::try_from(ds.remove_type) != Ok(ObjectType::ObjectSequence) {
            continue;
        }
        for obj in &ds.objects {
            let Some(NodeEnum::List(list)) = obj.node.as_ref() else { continue };
            let parts: Vec<&str> = list
                .items
                .iter()
                .filter_map(|i| match i.node.as_ref() {
                    Some(NodeEnum::String(s)) => Some(s.sval.as_str()),
                    _ => None,
                })
                .collect();
            names.push(parts.join("."));
        }
    }
    names
}

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "ban-drop-sequence"
    }
    fn summary(&self) -> &'static str {
        "Dropping a sequence breaks the inserts that draw from it"
    }
    fn severity(&self) -> Severity {
        Severity::Warn
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::Raw { sql } = &cx.op.kind else { return vec![] };
        dropped_sequences(sql)
            .into_iter()
            .map(|seq| {
                Finding::new(
                    self.id(),
                    self.severity(),
                    format!("dropping sequence `{seq}`: every insert that draws from it (a column default `nextval('{seq}')`, code calling nextval) fails"),
                )
                .object(seq.clone())
                .recipe([
                    format!("drop the column defaults that use `{seq}` first, and make sure no app calls nextval('{seq}')"),
                    "then drop the sequence in a later migration".to_owned(),
                ])
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_sequences_a_drop_names() {
        assert_eq!(super::dropped_sequences("DROP SEQUENCE IF EXISTS a, s.b CASCADE"), ["a", "s.b"]);
        assert!(super::dropped_sequences("DROP TABLE a").is_empty());
        assert!(super::dropped_sequences("GRANT SELECT ON a TO b").is_empty());
    }
}

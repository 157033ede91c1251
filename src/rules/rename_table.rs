//! The destructive gate for `RENAME TABLE`: to every app still using the old name, a rename is a
//! drop.

use crate::config::Framework;
use crate::framework::recipe::{Change, gate_on};
use crate::migration::OpKind;
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::{Subject, object};
use crate::rules::{OpContext, absent_target};
use crate::schema::Dialect;

pub struct Rule;

fn recipe(from: &str, to: &str, fw: Option<Framework>, dialect: Dialect) -> Vec<String> {
    gate_on(&Change::RenameTable { from: from.into(), to: to.into() }, fw, dialect)
}

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "rename-table"
    }
    fn summary(&self) -> &'static str {
        "Renaming a table an app still uses"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn gate(&self) -> bool {
        true
    }
    fn consults_gate(&self, op: &OpKind) -> bool {
        matches!(op, OpKind::RenameTable { .. })
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::RenameTable { from, to } = &cx.op.kind else { return vec![] };
        if cx.state.is_new_table(from) {
            return vec![];
        }
        // A view created in the same migration under the old name keeps the old name working,
        // for the columns it has: a column it lacks is gone for every app that reads it.
        let kept = cx.view_created_later(from);
        let noun = cx.state.schema.dialect.nouns().1;
        let mut what = format!("renames {noun} {{}} to `{to}`");
        if let Some(view) = kept {
            match cx.state.columns_lost(from, view, Some((to, from))) {
                Some(lost) => {
                    return lost
                        .iter()
                        .map(|column| {
                            cx.gate.finding(
                                self.id(),
                                &cx.op.span,
                                &format!(
                                    "renames {noun} `{from}` to `{to}`, and the view left under the old name lacks column {{}}"
                                ),
                                &Subject::column(from, column),
                                &|fw| recipe(&from.name, &to.name, fw, cx.state.schema.dialect),
                            )
                        })
                        .collect();
                }
                None => what.push_str(" (a view keeps the old name, but which columns it keeps cannot be told)"),
            }
        }
        let mut subject = Subject::table(from);
        subject.target = object(from, None);
        let mut f = cx.gate.finding(self.id(), &cx.op.span, &what, &subject, &|fw| {
            recipe(&from.name, &to.name, fw, cx.state.schema.dialect)
        });
        absent_target(cx, &mut f, &format!("renames {}", cx.state.schema.dialect.nouns().1), from, None, false);
        vec![f]
    }
}

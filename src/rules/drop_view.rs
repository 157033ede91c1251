//! The destructive gate for `DROP VIEW`: apps query views like tables.

use crate::migration::OpKind;
use crate::rules::OpContext;
use crate::rules::finding::{Finding, Severity};
use crate::rules::gate::Subject;

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn id(&self) -> &'static str {
        "drop-view"
    }
    fn summary(&self) -> &'static str {
        "Dropping a view an app still uses"
    }
    fn severity(&self) -> Severity {
        Severity::Block
    }
    fn gate(&self) -> bool {
        true
    }
    fn consults_gate(&self, op: &OpKind) -> bool {
        matches!(op, OpKind::DropView { .. })
    }
    fn check_op(&self, cx: &OpContext<'_>) -> Vec<Finding> {
        let OpKind::DropView { name, materialized, .. } = &cx.op.kind else { return vec![] };
        // `CREATE OR REPLACE` cannot remove a view's columns, so migrations drop and recreate
        // it: a redefinition removes the columns the new definition no longer has, and those
        // are gated one by one. When either column list is unknown the whole view is gated.
        let recreated = cx.view_created_later(name);
        let mut what = if *materialized { "drops materialized view" } else { "drops view" }.to_owned();
        if let Some(new) = recreated {
            match cx.state.columns_lost(name, new, None) {
                Some(removed) => {
                    return removed
                        .iter()
                        .map(|column| {
                            let mut subject = Subject::column(name, column);
                            subject.dependents = cx.state.dependent_views(name, Some(column));
                            cx.gate.finding(
                                self.id(),
                                &cx.op.span,
                                "recreates the view without column {}",
                                &subject,
                                &|_| recipe(&format!("{name}.{column}")),
                            )
                        })
                        .collect();
                }
                None => what = format!("{what} (and recreates it, but which of its columns stay cannot be told)"),
            }
        }
        let mut subject = Subject::table(name);
        subject.dependents = cx.state.dependent_views(name, None);
        vec![cx.gate.finding(self.id(), &cx.op.span, &what, &subject, &|_| recipe(&name.to_string()))]
    }
}

fn recipe(target: &str) -> Vec<String> {
    vec![format!("remove every query of `{target}` from the app"), "deploy".into(), format!("then drop `{target}`")]
}

//! Django idioms measured on plane at 4ca6d6c7 (`benches/accuracy/plane`), an app tandem had
//! never seen: views whose queryset is reached through `super()` or through a `get_queryset`
//! that Black wrapped in parentheses. Each column is on two models, so only the view's model
//! decides.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.db import models


class State(models.Model):
    is_triage = models.BooleanField(default=False)


class Label(models.Model):
    is_triage = models.BooleanField(default=False)


class Cycle(models.Model):
    progress_snapshot = models.JSONField(default=dict)


class Module(models.Model):
    progress_snapshot = models.JSONField(default=dict)
"#;

const VIEWS: &str = r#"from rest_framework.views import APIView

from core.models import Cycle, Label, State
from core.base import BaseViewSet


class StateViewSet(BaseViewSet):
    model = State

    def get_queryset(self):
        return self.filter_queryset(
            super()
            .get_queryset()
            .filter(is_triage=False)
            .distinct()
        )


class LabelViewSet(BaseViewSet):
    model = Label

    def get_queryset(self):
        return super().get_queryset().filter(is_triage=True)


class Helper:
    def get_queryset(self):
        return super().get_queryset().filter(is_triage=True)


class CycleArchiveEndpoint(APIView):
    def get_queryset(self):
        return (
            Cycle.objects.filter(archived_at__isnull=False)
            .select_related("project")
            .distinct()
        )

    def get(self, request):
        return self.get_queryset().values("id", "progress_snapshot")
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("core_state", &["id", "is_triage"]),
    ("core_label", &["id", "is_triage"]),
    ("core_cycle", &["id", "progress_snapshot", "archived_at"]),
    ("core_module", &["id", "progress_snapshot"]),
];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files =
        [("core/models.py", MODELS), ("core/views.py", VIEWS), ("core/base.py", "class BaseViewSet:\n    pass\n")];
    scan_files("plane", Framework::Django, &files, TABLES)
}

/// `super().get_queryset()` in a view with `model = X` is X's queryset, as `self.get_queryset()`
/// is: the lookup after it names X's column, not the other model's of the same name; a class
/// with no model (`Helper`) types nothing.
#[test]
fn super_get_queryset_is_the_views_model() {
    let (_dir, result) = scan();
    assert_eq!(uses_of(&result, "core_state.is_triage"), set(&["core/models.py:5", "core/views.py:14"]));
    assert_eq!(uses_of(&result, "core_label.is_triage"), set(&["core/models.py:9", "core/views.py:23"]));
}

/// A `get_queryset` whose chain Black wrapped in parentheses still says which model the view
/// works on, so `self.get_queryset().values("progress_snapshot")` is `Cycle`'s, not `Module`'s.
#[test]
fn a_parenthesized_get_queryset_chain_names_the_model() {
    let (_dir, result) = scan();
    assert_eq!(uses_of(&result, "core_cycle.progress_snapshot"), set(&["core/models.py:13", "core/views.py:40"]));
    assert_eq!(uses_of(&result, "core_module.progress_snapshot"), set(&["core/models.py:17"]));
}

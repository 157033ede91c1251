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

const PROJECT_MODELS: &str = r#"from django.db import models


class Project(models.Model):
    network = models.IntegerField(default=2)
    name = models.CharField(max_length=255)


class Integration(models.Model):
    network = models.IntegerField(default=2)
    name = models.CharField(max_length=255)


class Configuration(models.Model):
    key = models.CharField(max_length=100)
    value = models.TextField()
    is_encrypted = models.BooleanField(default=False)


class Secret(models.Model):
    is_encrypted = models.BooleanField(default=False)
"#;

const PROJECT_VIEWS: &str = r#"from django.db.models import Q

from core.models import Configuration, Project


def list_projects(request, member):
    projects = Project.objects.filter(name__isnull=False).distinct().values("id", "name")
    if member:
        projects = projects.filter(Q(name="x") | Q(network=2))
    return projects


def counts():
    return Project.objects.values("name").annotate(total=Count("id")).exclude(network=0)


def configuration(keys):
    rows = Configuration.objects.values("key", "value", "is_encrypted")
    out = []
    for key in keys:
        for item in rows:
            if item.get("is_encrypted", False):
                out.append(item["value"])
            if item.network:
                out.append(item.get("total"))
    first = Configuration.objects.values("key").first()
    return out, first["is_encrypted"]


def pairs():
    for row in Project.objects.values_list("id", "network"):
        print(row.network, row[1])
    data = {"network": 1}
    return data.get("network"), data["is_encrypted"]


def on_results(projects: QuerySet[Project]):
    projects = projects.annotate(n=Count("id")).values("id", "network")
    return projects.filter(network=1)


def search(kind):
    if kind == "project":
        rows = Project.objects.filter(name="x")
        rows = rows.distinct().values("network")
        return list(rows[:5])
    elif kind == "integration":
        rows = Integration.objects.values("name")[:5]
        return list(rows)
    rows = Project.objects.all()
    for _ in range(2):
        rows.filter(network=1)
        rows = Integration.objects.all()
"#;

const PROJECT_TABLES: &[(&str, &[&str])] = &[
    ("core_project", &["id", "network", "name"]),
    ("core_integration", &["id", "network", "name"]),
    ("core_configuration", &["id", "key", "value", "is_encrypted"]),
    ("core_secret", &["id", "is_encrypted"]),
];

fn scan_values() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [("core/models.py", PROJECT_MODELS), ("core/views.py", PROJECT_VIEWS)];
    scan_files("plane", Framework::Django, &files, PROJECT_TABLES)
}

/// A `values()` queryset is still the model's queryset: `filter`, `exclude`, `annotate` after
/// it read the model's columns (`projects = projects.filter(Q(network=2))` on a name given
/// `.values(…)`), not the other model's of the same name; so is a parameter typed as the
/// model's queryset and given its own `.values(…)` again. A name given querysets of two models
/// in two branches holds, in each, what the branch gave it before (`rows = rows.distinct()
/// .values("network")`); not in a loop that gives it another after.
#[test]
fn a_values_queryset_filtered_again_reads_its_model() {
    let (_dir, result) = scan_values();
    assert_eq!(
        uses_of(&result, "core_project.network"),
        set(&[
            "core/models.py:5",
            "core/views.py:9",
            "core/views.py:14",
            "core/views.py:31",
            "core/views.py:38",
            "core/views.py:39",
            "core/views.py:45",
        ])
    );
    assert_eq!(uses_of(&result, "core_integration.network"), set(&["core/models.py:10"]));
}

/// Iterating a `values()` queryset yields dicts: a key read from such a row (`item.get("x")`,
/// `item["x"]`, the row `first()` gives) is the model's column; an attribute of a row
/// (`item.network`, `row.network` on a `values_list` tuple) and a key of a plain dict name none.
#[test]
fn a_key_read_from_a_values_row_is_the_models_column() {
    let (_dir, result) = scan_values();
    assert_eq!(
        uses_of(&result, "core_configuration.is_encrypted"),
        set(&["core/models.py:17", "core/views.py:18", "core/views.py:22", "core/views.py:27"])
    );
    assert_eq!(uses_of(&result, "core_secret.is_encrypted"), set(&["core/models.py:21"]));
    assert_eq!(
        uses_of(&result, "core_configuration.value"),
        set(&["core/models.py:16", "core/views.py:18", "core/views.py:23"])
    );
}

const LINK_MODELS: &str = r#"from django.db import models


class Issue(models.Model):
    name = models.CharField(max_length=255)


class Page(models.Model):
    name = models.CharField(max_length=255)


class IssueLink(models.Model):
    issue = models.ForeignKey(Issue, related_name="issue_link", on_delete=models.CASCADE)
    title = models.CharField(max_length=255)


class PageLink(models.Model):
    page = models.ForeignKey(Page, related_name="page_link", on_delete=models.CASCADE)
    title = models.CharField(max_length=255)
"#;

const LINK_SERIALIZERS: &str = r#"from rest_framework import serializers
from core.models import Issue, Page


class IssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = Issue
        fields = ["id", "name"]


class PageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Page
        fields = ["id"]
"#;

const EXPORT_SERIALIZERS: &str = r#"from rest_framework import serializers

from core.serializers import IssueSerializer, PageSerializer


class IssueExportSerializer(IssueSerializer):
    links = serializers.SerializerMethodField()

    class Meta(IssueSerializer.Meta):
        fields = ["links"]

    def get_links(self, obj):
        return [link.title for link in obj.issue_link.all()]


class PageExportSerializer(PageSerializer):
    class Meta(PageSerializer.Meta):
        fields = ["id"]

    def get_title(self, obj):
        return obj.name


class PlainExport(serializers.Serializer):
    class Meta(SomethingElse.Meta):
        fields = ["x"]

    def get_links(self, obj):
        return [link.title for link in obj.issue_link.all()]
"#;

/// A serializer whose `Meta` inherits another file's (`class Meta(IssueSerializer.Meta)`) and
/// names no model of its own serializes the records that `Meta` names: `obj` in its methods is
/// an `Issue` (`link.title` over `obj.issue_link.all()`), a `Page` in the other; a `Meta`
/// inherited from a class that names no model types nothing.
#[test]
fn a_meta_inherited_from_another_files_serializer_types_obj() {
    let files = [
        ("core/models.py", LINK_MODELS),
        ("core/serializers.py", LINK_SERIALIZERS),
        ("exports/serializers.py", EXPORT_SERIALIZERS),
    ];
    let tables: &[(&str, &[&str])] = &[
        ("core_issue", &["id", "name"]),
        ("core_page", &["id", "name"]),
        ("core_issuelink", &["id", "issue_id", "title"]),
        ("core_pagelink", &["id", "page_id", "title"]),
    ];
    let (_dir, result) = scan_files("plane", Framework::Django, &files, tables);
    assert_eq!(uses_of(&result, "core_issuelink.title"), set(&["core/models.py:14", "exports/serializers.py:13"]));
    assert_eq!(uses_of(&result, "core_pagelink.title"), set(&["core/models.py:19"]));
    assert_eq!(uses_of(&result, "core_page.name"), set(&["core/models.py:9", "exports/serializers.py:21"]));
    assert_eq!(uses_of(&result, "core_issue.name"), set(&["core/models.py:5", "core/serializers.py:8"]));
}

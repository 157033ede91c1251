//! Django idioms measured on Kiwi TCMS at dfcf7592 (`benches/accuracy/kiwi`), an app tandem had
//! never seen: an admin's `self.model`, its display methods' record, a local given a record's
//! foreign key, a function's parameter typed by its own file's calls, `model_to_dict`'s keys and a
//! lookup held in a name spread as `**{lookup: 0}`. Each fixture asserts the exact lines found for
//! a column and, beside them, the same word that must not be taken for it: `weight`, `icon` and
//! `color` are columns of two tables each.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.db import models


class Severity(models.Model):
    name = models.CharField(max_length=64)
    weight = models.IntegerField(default=0)
    icon = models.CharField(max_length=64)
    color = models.CharField(max_length=8)


class ExecutionStatus(models.Model):
    name = models.CharField(max_length=64)
    weight = models.IntegerField(default=0)
    icon = models.CharField(max_length=64)
    color = models.CharField(max_length=8)


class CaseStatus(models.Model):
    name = models.CharField(max_length=64)
    is_confirmed = models.BooleanField(default=False)


class Case(models.Model):
    summary = models.CharField(max_length=255)
    case_status = models.ForeignKey(CaseStatus, on_delete=models.CASCADE)
    setup_duration = models.DurationField(null=True)


class Execution(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE)
    status = models.ForeignKey(ExecutionStatus, on_delete=models.CASCADE)


class Bug(models.Model):
    status = models.BooleanField(default=True)
"#;

const ADMIN: &str = r#"from django.contrib import admin
from django.utils.html import format_html

from runs.models import ExecutionStatus, Severity


class ExecutionStatusAdmin(admin.ModelAdmin):
    list_display = ("id", "visual_icon", "name")

    def visual_icon(self, test_execution):
        return format_html("<span class='{}'></span>", test_execution.icon)

    def helper(self, thing):
        return thing.color

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.model.objects.get(pk=object_id)
        if obj.weight > 0:
            lookup = "weight__gt"
        else:
            lookup = "weight__lt"
        if not self.model.objects.filter(**{lookup: 0}).exists():
            return None
        return super().delete_view(request, object_id, extra_context)


class SeverityAdmin(admin.ModelAdmin):
    list_display = ("id", "visual_icon")

    @admin.display(description="Color")
    def colored(self, record):
        return record.color

    def visual_icon(self, record):
        return record.icon


class PlainAdmin(admin.ModelAdmin):
    list_display = ("shown",)

    def shown(self, record):
        return record.icon

    def delete_view(self, request, object_id, extra_context=None):
        return self.model.objects.filter(color="red").exists()


admin.site.register(ExecutionStatus, ExecutionStatusAdmin)
admin.site.register(Severity, SeverityAdmin)
"#;

const TELEMETRY: &str = r#"from runs.models import Case, Execution, ExecutionStatus, Severity


def trends(query):
    for status in ExecutionStatus.objects.all():
        print(status.name)
    positive = 0
    for execution in Execution.objects.filter(**query).select_related("status"):
        status = execution.status
        if status.weight > 0:
            positive += 1
    return positive


def mixed(flag):
    status = Severity.objects.first()
    if flag:
        status = Execution.objects.first().status
    print(status)
    status = ExecutionStatus.objects.first()
    return status.icon


def looped(rows):
    status = Severity.objects.first()
    for row in rows:
        print(status.color)
        status = Execution.objects.first().status
    return status


def breakdown(query):
    cases = Case.objects.filter(**query).distinct()
    return _count_map(cases, "priority")


def breakdown_again(ids):
    cases = Case.objects.filter(pk__in=ids).order_by("pk")
    return _count_map(cases, field="category")


def _count_map(test_cases, field):
    return test_cases.filter(case_status__is_confirmed=True).values(field)


def _weights(rows):
    return rows.filter(weight__gt=0).count()


def severities():
    return _weights(Severity.objects.all())


def statuses():
    return _weights(ExecutionStatus.objects.all())


def _colors(rows):
    return rows.filter(color="red").count()


def some_colors(stuff):
    return _colors(stuff) + _colors(Severity.objects.all())
"#;

const API: &str = r#"from django.forms.models import model_to_dict

from runs.forms import CaseForm
from runs.models import Case, Severity


def create(values):
    form = CaseForm(values)
    test_case = form.save()
    result = model_to_dict(test_case, exclude=["summary"])
    result["setup_duration"] = str(result["setup_duration"])
    return result


def update(case_id):
    case = Case.objects.get(pk=case_id)
    result = model_to_dict(case)
    return result["setup_duration"]


def severity(pk):
    result = model_to_dict(Severity.objects.get(pk=pk))
    if pk:
        result = {"icon": "x"}
    return result["icon"], result["weight"]


def other(payload):
    result = payload.to_dict()
    return result["setup_duration"]
"#;

const TRACKERS: &str = r#"from django.views.generic import DetailView

from runs.models import Bug


class Bugzilla:
    def details(self, url):
        bug = self.rpc.getbug(url)
        return {"status": bug.status}


class BugView(DetailView):
    model = Bug

    def get_context_data(self, **kwargs):
        bug = self.get_object()
        return {"status": bug.status}


def guessed(bug):
    return bug.status
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("runs_severity", &["id", "name", "weight", "icon", "color"]),
    ("runs_executionstatus", &["id", "name", "weight", "icon", "color"]),
    ("runs_casestatus", &["id", "name", "is_confirmed"]),
    ("runs_case", &["id", "summary", "case_status_id", "setup_duration"]),
    ("runs_execution", &["id", "case_id", "status_id"]),
    ("runs_bug", &["id", "status"]),
];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [
        ("runs/models.py", MODELS),
        ("runs/admin.py", ADMIN),
        ("runs/telemetry.py", TELEMETRY),
        ("runs/api.py", API),
        ("runs/trackers.py", TRACKERS),
    ];
    scan_files("kiwi", Framework::Django, &files, TABLES)
}

/// `self.model.objects…` in a `ModelAdmin` is the registered model's manager: `obj.weight` on
/// its `get`, and a lookup held in a name (`lookup = "weight__gt"`) spread into its `filter` as
/// `**{lookup: 0}`. An admin nothing registers (`PlainAdmin`) has no `self.model`, so its
/// `filter(color=…)` reads nothing.
#[test]
fn self_model_in_an_admin_is_the_registered_model() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "runs_executionstatus.weight"),
        set(
            &["runs/models.py:13", "runs/admin.py:18", "runs/admin.py:19", "runs/admin.py:21", "runs/telemetry.py:10",]
        )
    );
    assert_eq!(uses_of(&result, "runs_severity.weight"), set(&["runs/models.py:6"]));
    assert_eq!(uses_of(&result, "runs_executionstatus.color"), set(&["runs/models.py:15"]));
}

/// A method an admin names in `list_display` (or decorates with `@admin.display`) is called with
/// a record of the registered model, whatever its parameter is called (`test_execution`,
/// `record`); another method's parameter (`thing`) and an unregistered admin's are not typed.
#[test]
fn an_admin_display_methods_parameter_is_a_record_of_its_model() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "runs_executionstatus.icon"),
        set(&["runs/models.py:14", "runs/admin.py:11", "runs/telemetry.py:21"])
    );
    assert_eq!(uses_of(&result, "runs_severity.icon"), set(&["runs/models.py:7", "runs/admin.py:35"]));
    assert_eq!(uses_of(&result, "runs_severity.color"), set(&["runs/models.py:8", "runs/admin.py:32"]));
    assert_eq!(uses_of(&result, "runs_executionstatus.color"), set(&["runs/models.py:15"]));
}

/// `status = execution.status` in a loop over executions, then `status.weight`: the statement
/// before the read, in its block, says what `status` holds there, though the function also
/// gives `status` execution statuses in another loop. A read another assignment may reach first
/// (one nested in an `if` between them; one later in the loop around the read, `looped`) takes
/// neither; `mixed`'s last read follows a plain assignment of its own block.
#[test]
fn a_local_given_a_records_foreign_key_is_that_record() {
    let (_dir, result) = scan();
    assert!(uses_of(&result, "runs_executionstatus.weight").contains("runs/telemetry.py:10"));
    assert!(uses_of(&result, "runs_executionstatus.icon").contains("runs/telemetry.py:21"));
    assert_eq!(uses_of(&result, "runs_severity.weight"), set(&["runs/models.py:6"]));
    assert_eq!(uses_of(&result, "runs_severity.icon"), set(&["runs/models.py:7", "runs/admin.py:35"]));
    assert_eq!(uses_of(&result, "runs_severity.color"), set(&["runs/models.py:8", "runs/admin.py:32"]));
}

/// A module function's parameter every call of the file gives one model's queryset (by position
/// or by keyword) is that queryset: `test_cases.filter(case_status__is_confirmed=True)`. One
/// given two models (`_weights`) or something untyped once (`_colors`) stays untyped.
#[test]
fn a_parameter_is_typed_by_its_files_calls() {
    let (_dir, result) = scan();
    assert_eq!(uses_of(&result, "runs_casestatus.is_confirmed"), set(&["runs/models.py:20", "runs/telemetry.py:43"]));
    assert_eq!(uses_of(&result, "runs_severity.weight"), set(&["runs/models.py:6"]));
    assert_eq!(uses_of(&result, "runs_severity.color"), set(&["runs/models.py:8", "runs/admin.py:32"]));
}

/// `model_to_dict(record)` is that record's row: its string keys read in the function are the
/// model's fields (a typed record, or the model its name says), and so are its `exclude=` names.
/// A name also given another dict (`severity`) or a method's result (`other`) reads nothing.
#[test]
fn model_to_dict_keys_are_the_records_fields() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "runs_case.setup_duration"),
        set(&["runs/models.py:26", "runs/api.py:11", "runs/api.py:18"])
    );
    assert_eq!(uses_of(&result, "runs_case.summary"), set(&["runs/models.py:24", "runs/api.py:10"]));
    assert_eq!(uses_of(&result, "runs_severity.weight"), set(&["runs/models.py:6"]));
}

/// What a client of another system answers (`bug = self.rpc.getbug(url)`: a bug tracker's bug)
/// is no record of the app, though the name is a model's; a view's `self.get_object()` and a
/// parameter named after the model still are.
#[test]
fn a_clients_answer_is_no_record() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "runs_bug.status"),
        set(&["runs/models.py:35", "runs/trackers.py:17", "runs/trackers.py:21"])
    );
}

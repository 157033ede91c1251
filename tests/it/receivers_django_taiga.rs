//! Django idioms measured on taiga-back at 3bea7114 (`benches/accuracy/taiga`), an app tandem
//! had never seen: serializers with no `Meta.model` that a viewset names, REST framework 2.x's
//! `filter_fields`, and attributes a class that is no model assigns itself. Each fixture asserts
//! the exact lines found for a column and, beside them, the same shape that must not be taken
//! for it.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.db import models


class Sprint(models.Model):
    closed = models.BooleanField(default=False)
    disponibility = models.FloatField(default=0)


class Story(models.Model):
    sprint = models.ForeignKey(Sprint, related_name="stories", on_delete=models.CASCADE)
    kanban_order = models.IntegerField(default=0)
    closed = models.BooleanField(default=False)


class Log(models.Model):
    duration = models.FloatField()
"#;

const SERIALIZERS: &str = r#"from base.api import serializers
from base.fields import Field, MethodField

from sprints.mixins import ExtraInfoSerializerMixin


class StoryNestedSerializer(serializers.LightSerializer):
    kanban_order = Field()


class SprintSerializer(ExtraInfoSerializerMixin, serializers.LightSerializer):
    closed = Field()
    free = Field(attr="disponibility")
    stories = StoryNestedSerializer(many=True)
    points = MethodField()


class SprintListSerializer(serializers.LightSerializer):
    disponibility = Field()


class UnusedSerializer(serializers.LightSerializer):
    closed = Field()
    stories = OtherNestedSerializer(many=True)


class OtherNestedSerializer(serializers.LightSerializer):
    kanban_order = Field()
"#;

const MIXINS: &str = r#"from base.api import serializers
from base.fields import Field


class ExtraInfoSerializerMixin(serializers.LightSerializer):
    disponibility = Field()
"#;

const API: &str = r#"from base.api import viewsets

from sprints import models, serializers


class SprintViewSet(viewsets.ModelCrudViewSet):
    serializer_class = serializers.SprintSerializer
    list_serializer_class = serializers.SprintListSerializer
    queryset = models.Sprint.objects.all()
    filter_fields = ("closed",)

    def get_serializer_class(self):
        if self.action == "list":
            return self.list_serializer_class
        return self.serializer_class


class ExportViewSet(viewsets.GenericViewSet):
    serializer_class = serializers.UnusedSerializer
    filter_fields = ("closed",)
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("sprints_sprint", &["id", "closed", "disponibility"]),
    ("sprints_story", &["id", "sprint_id", "kanban_order", "closed"]),
    ("sprints_log", &["id", "duration"]),
];

fn serializers() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [
        ("sprints/models.py", MODELS),
        ("sprints/serializers.py", SERIALIZERS),
        ("sprints/mixins.py", MIXINS),
        ("sprints/api.py", API),
    ];
    scan_files("taiga", Framework::Django, &files, TABLES)
}

/// A viewset over a model (`queryset = models.Sprint.objects.all()`) names the serializer it
/// serializes its records with: `serializer_class`, and what `get_serializer_class` returns
/// (`self.list_serializer_class`, a class attribute). Each declared `Field()` of such a
/// serializer with no `Meta.model` reads the record's attribute of its name (`closed`, on two
/// tables: the binding tells which), or its `attr=`; so do the fields of a base it inherits
/// from another file (`ExtraInfoSerializerMixin`). A serializer nothing binds
/// (`UnusedSerializer`, named by a viewset with no model) reads nothing, and neither does a
/// `MethodField`. REST framework 2.x's `filter_fields` filters the view's model by name.
#[test]
fn a_viewsets_serializer_reads_the_viewsets_model() {
    let (_dir, result) = serializers();
    assert_eq!(
        uses_of(&result, "sprints_sprint.closed"),
        set(&["sprints/models.py:5", "sprints/serializers.py:12", "sprints/api.py:10"])
    );
    assert_eq!(uses_of(&result, "sprints_story.closed"), set(&["sprints/models.py:12"]));
    assert_eq!(
        uses_of(&result, "sprints_sprint.disponibility"),
        set(&["sprints/models.py:6", "sprints/serializers.py:13", "sprints/serializers.py:19", "sprints/mixins.py:6"])
    );
}

/// A serializer nested in a bound one under a relation's name (`stories =
/// StoryNestedSerializer(many=True)`) serializes that relation's records; nested in a serializer
/// nothing binds (`OtherNestedSerializer`), no record: the relation's name alone is no evidence.
#[test]
fn a_nested_serializer_reads_the_relations_model() {
    let (_dir, result) = serializers();
    assert_eq!(
        uses_of(&result, "sprints_story.kanban_order"),
        set(&["sprints/models.py:11", "sprints/serializers.py:8"])
    );
}

const THROTTLING: &str = r#"class BaseThrottle:
    def allow_request(self, request, view):
        raise NotImplementedError


class SimpleRateThrottle(BaseThrottle):
    def __init__(self):
        self.num_requests, self.duration = self.parse_rate(self.rate)

    def wait(self):
        return self.duration
"#;

const AUTH_THROTTLING: &str = r#"from base import throttling


class LoginFailRateThrottle(throttling.SimpleRateThrottle):
    def finalize(self, request, response, view):
        self.cache.set(self.key, self.history, self.duration)


class TimedMixin(throttling.BaseThrottle):
    def took(self):
        return self.duration
"#;

/// `self.duration` in a class that is no model and sets it in its own `__init__` (a tuple
/// target) is the object's own state, and so in its subclasses in other files; a class whose
/// bases assign nothing of that name (`TimedMixin`) may still be a model's mixin: the attribute
/// stays one on an unknown receiver (one table has the column: medium).
#[test]
fn attributes_a_class_assigns_itself_are_no_columns() {
    let files =
        [("sprints/models.py", MODELS), ("base/throttling.py", THROTTLING), ("auth/throttling.py", AUTH_THROTTLING)];
    let (_dir, result) = scan_files("taiga", Framework::Django, &files, TABLES);
    assert_eq!(uses_of(&result, "sprints_log.duration"), set(&["sprints/models.py:16", "auth/throttling.py:11"]));
}

const UTILS: &str = r#"from django.db import connection
from psycopg2.extras import execute_values


def attach_closed(queryset, as_field="closed_attr"):
    model = queryset.model
    sql = """
        SELECT COUNT(sprints_sprint.id) FROM sprints_sprint
         WHERE sprints_sprint.closed = True AND sprints_sprint.id = {tbl}.id
    """
    sql = sql.format(tbl=model._meta.db_table)
    return queryset.extra(select={as_field: sql})


def reorder(rows):
    sql = """
    UPDATE sprints_story SET kanban_order = tmp.o FROM (VALUES %s) AS tmp (id, o) WHERE tmp.id = sprints_story.id
    """
    with connection.cursor() as cursor:
        execute_values(cursor, sql, rows)


def describe():
    sql = """SELECT sprints_sprint.disponibility FROM sprints_sprint WHERE sprints_sprint.id = {tbl}.id"""
    return sql.format(tbl="x")
"#;

/// Raw SQL held in a name (`sql = """…"""`, then `sql = sql.format(…)`) and handed to an entry
/// point: `.extra(select={as_field: sql})`, psycopg2's `execute_values(cursor, sql, rows)` (the
/// SQL second, its `VALUES %s` one row). A `str.format` template's fields (`{tbl}.id`) are read as
/// names; a template handed to no entry point (`describe`) stays the generic SQL pass's, which
/// does not parse it (nothing at medium).
#[test]
fn sql_held_in_a_name_reaches_its_entry_point() {
    let files = [("sprints/models.py", MODELS), ("sprints/utils.py", UTILS)];
    let (_dir, result) = scan_files("taiga", Framework::Django, &files, TABLES);
    assert_eq!(uses_of(&result, "sprints_sprint.closed"), set(&["sprints/models.py:5", "sprints/utils.py:9"]));
    assert_eq!(uses_of(&result, "sprints_story.kanban_order"), set(&["sprints/models.py:11", "sprints/utils.py:17"]));
    assert_eq!(uses_of(&result, "sprints_sprint.disponibility"), set(&["sprints/models.py:6"]));
}

/// A Jinja2 template (`.jinja`, as django-jinja and djmail name them) is read as a Django
/// template: a name no view binds stands for the model it is named after (`sprint`); markup
/// outside the tags (`title="closed"`) is none.
#[test]
fn jinja_templates_are_read_as_templates() {
    let files = [
        ("sprints/models.py", MODELS),
        (
            "sprints/templates/emails/sprint-body.jinja",
            "<p title=\"closed\">\n{% if sprint.closed %}\n{{ sprint.disponibility }}\n{% endif %}\n</p>\n",
        ),
    ];
    let (_dir, result) = scan_files("taiga", Framework::Django, &files, TABLES);
    assert_eq!(
        uses_of(&result, "sprints_sprint.closed"),
        set(&["sprints/models.py:5", "sprints/templates/emails/sprint-body.jinja:2"])
    );
    assert_eq!(
        uses_of(&result, "sprints_sprint.disponibility"),
        set(&["sprints/models.py:6", "sprints/templates/emails/sprint-body.jinja:3"])
    );
}

//! Django idioms where a call says what a name holds (issue 16, branch `i2-dj`, measured on
//! taiga-back): a serializer instantiated on records serializes them, Django's app registry
//! (`apps.get_model("app", "Model")`) hands out a model class, and a method's call returns what
//! every `return` of that method of the class does. Each fixture asserts the exact lines found
//! for a column and, beside them, the same shape that must not be taken for it.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.db import models


class Project(models.Model):
    is_private = models.BooleanField(default=False)
    title = models.CharField(max_length=100)

    def get_roles(self):
        return self.roles.all()

    def either(self, flag):
        if flag:
            return self.roles.all()
        return self.memberships.all()

    def computable_roles(self):
        return self.get_roles().filter(computable=True)

    def mixed(self):
        return self.either(True).filter(computable=True)


class Role(models.Model):
    project = models.ForeignKey(Project, related_name="roles", on_delete=models.CASCADE)
    computable = models.BooleanField(default=True)
    title = models.CharField(max_length=100)


class Membership(models.Model):
    project = models.ForeignKey(Project, related_name="memberships", on_delete=models.CASCADE)
    title = models.CharField(max_length=100)
    computable = models.BooleanField(default=True)


class Attachment(models.Model):
    size = models.IntegerField()
    title = models.CharField(max_length=100)


class Sprint(models.Model):
    closed = models.BooleanField(default=False)


class Story(models.Model):
    sprint = models.ForeignKey(Sprint, related_name="stories", on_delete=models.CASCADE)
    kanban_order = models.IntegerField(default=0)
"#;

const TIMELINE: &str = r#"from django.db import models


class Timeline(models.Model):
    namespace = models.CharField(max_length=100)
"#;

const SERIALIZERS: &str = r#"from base.api import serializers
from base.fields import Field, MethodField


class RoleExportSerializer(serializers.LightSerializer):
    computable = Field()


class ProjectExportSerializer(serializers.LightSerializer):
    is_private = Field()
    roles = RoleExportSerializer(many=True)


class AttachmentExportSerializer(serializers.LightSerializer):
    size = Field()
    title = Field()


class MembershipExportSerializer(serializers.LightSerializer):
    title = Field()


class PayloadSerializer(serializers.LightSerializer):
    size = Field()
    title = Field()


class StoryNestedSerializer(serializers.LightSerializer):
    kanban_order = Field()


class SprintSerializer(serializers.LightSerializer):
    closed = Field()
    stories = MethodField()

    def get_stories(self, obj):
        return StoryNestedSerializer(obj.stories.all(), many=True).data


class OtherStorySerializer(serializers.LightSerializer):
    kanban_order = Field()


class UnboundSerializer(serializers.LightSerializer):
    stories = MethodField()

    def get_stories(self, obj):
        return OtherStorySerializer(obj.stories.all(), many=True).data
"#;

const RENDER: &str = r#"from export import serializers
from projects.models import Attachment


def render_project(project, outfile):
    return serializers.ProjectExportSerializer(project).data


def render_attachments(project):
    attachments_qs = Attachment.objects.filter(project=project)
    return serializers.AttachmentExportSerializer(attachments_qs, many=True).data


def render_memberships(memberships):
    return serializers.MembershipExportSerializer(memberships, many=True).data


def render_payload(payload, request):
    serializers.PayloadSerializer(data=request.data).is_valid()
    return serializers.PayloadSerializer(payload).data
"#;

const API: &str = r#"from base.api import viewsets

from projects import models
from export import serializers


class SprintViewSet(viewsets.ModelCrudViewSet):
    serializer_class = serializers.SprintSerializer
    queryset = models.Sprint.objects.all()
"#;

const SERVICES: &str = r#"from django.apps import apps


def count_activity(project):
    tl_model = apps.get_model("timeline", "Timeline")
    return tl_model.objects.filter(namespace=project.slug).count()


def count_likes(project):
    return apps.get_model("timeline.Timeline").objects.filter(namespace="likes").count()


def count_other(project, registry):
    tl_model = registry.get("timeline")
    return tl_model.objects.filter(namespace="x").count()
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("projects_project", &["id", "is_private", "title"]),
    ("projects_role", &["id", "project_id", "computable", "title"]),
    ("projects_membership", &["id", "project_id", "title", "computable"]),
    ("projects_attachment", &["id", "size", "title"]),
    ("projects_sprint", &["id", "closed"]),
    ("projects_story", &["id", "sprint_id", "kanban_order"]),
    ("timeline_timeline", &["id", "namespace"]),
];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [
        ("projects/models.py", MODELS),
        ("timeline/models.py", TIMELINE),
        ("export/serializers.py", SERIALIZERS),
        ("export/render.py", RENDER),
        ("export/api.py", API),
        ("projects/services.py", SERVICES),
    ];
    scan_files("taiga", Framework::Django, &files, TABLES)
}

/// A serializer with no `Meta.model` called on records serializes them: on an untyped
/// parameter named after a model (`ProjectExportSerializer(project)`, and the serializers it
/// nests under a relation's name), on a typed queryset (`attachments_qs`, `many=True`), on a
/// plural name with `many=True` (`memberships`). `title` is on three tables: the argument tells
/// which. A serializer handed only `data=` or a name that suggests no model (`payload`) reads
/// nothing.
#[test]
fn a_serializer_called_on_records_reads_their_model() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "projects_project.is_private"),
        set(&["projects/models.py:5", "export/serializers.py:10"])
    );
    assert_eq!(
        uses_of(&result, "projects_role.computable"),
        set(&["projects/models.py:17", "projects/models.py:25", "export/serializers.py:6"])
    );
    assert_eq!(
        uses_of(&result, "projects_attachment.size"),
        set(&["projects/models.py:36", "export/serializers.py:15"])
    );
    assert_eq!(
        uses_of(&result, "projects_attachment.title"),
        set(&["projects/models.py:37", "export/serializers.py:16"])
    );
    assert_eq!(
        uses_of(&result, "projects_membership.title"),
        set(&["projects/models.py:31", "export/serializers.py:20"])
    );
    assert_eq!(uses_of(&result, "projects_project.title"), set(&["projects/models.py:6"]));
}

/// `obj` in a method of a serializer a viewset binds (`SprintSerializer`) is the viewset's
/// record, so `StoryNestedSerializer(obj.stories.all(), many=True)` serializes its stories; the
/// same in a serializer nothing binds (`UnboundSerializer`) reads nothing.
#[test]
fn a_serializer_called_on_a_relation_of_obj_reads_the_relations_model() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "projects_story.kanban_order"),
        set(&["projects/models.py:46", "export/serializers.py:29"])
    );
    assert_eq!(uses_of(&result, "projects_sprint.closed"), set(&["projects/models.py:41", "export/serializers.py:33"]));
}

/// `apps.get_model("timeline", "Timeline")` (or `"timeline.Timeline"`) is that model class:
/// its manager's querysets read its fields; a name another registry fills reads nothing.
#[test]
fn apps_get_model_names_a_model_class() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "timeline_timeline.namespace"),
        set(&["timeline/models.py:5", "projects/services.py:6", "projects/services.py:10"])
    );
}

/// `self.get_roles()` is what every `return` of `get_roles` is (`self.roles.all()`), so
/// `.filter(computable=True)` on it reads `Role`'s column; a method whose returns differ
/// (`either`: roles or memberships, both with `computable`) types nothing.
#[test]
fn a_methods_call_returns_what_the_method_returns() {
    let (_dir, result) = scan();
    assert_eq!(uses_of(&result, "projects_membership.computable"), set(&["projects/models.py:32"]));
}

const URLS: &str = r#"from django.urls import URLResolver
from timeline.models import Timeline


def namespaces(patterns, timeline):
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.append(pattern.namespace)
        elif isinstance(pattern, (str, bytes)) and pattern:
            found.append(pattern.namespace)
    found.append(timeline.namespace)
    return found


def described(item):
    if isinstance(item, Timeline):
        return item.namespace
    return None
"#;

/// A name `isinstance` narrows to a class of Django itself (`URLResolver`) or to builtins holds
/// no record in that branch: `pattern.namespace` there is no attribute on an unknown receiver.
/// Outside the branch, and narrowed to a model (`Timeline`, imported from a `models` module),
/// it still is one.
#[test]
fn a_name_narrowed_to_a_framework_class_holds_no_record() {
    let files = [("projects/models.py", MODELS), ("timeline/models.py", TIMELINE), ("projects/urls.py", URLS)];
    let (_dir, result) = scan_files("taiga", Framework::Django, &files, TABLES);
    assert_eq!(
        uses_of(&result, "timeline_timeline.namespace"),
        set(&["timeline/models.py:5", "projects/urls.py:12", "projects/urls.py:18"])
    );
}

const EVENT: &str = r#"from django.db import models


class Event(models.Model):
    name = models.CharField(max_length=100)

    @cached_property
    def wip_schedule(self):
        schedule, _ = self.schedules.get_or_create(version=None)
        return schedule

    @property
    def label(self):
        return self.name

    @cached_property
    def submitters(self):
        from person.queries import submitters_for_event

        return submitters_for_event(self)
"#;

const SCHEDULE: &str = r#"from django.db import models


class Schedule(models.Model):
    event = models.ForeignKey("event.Event", related_name="schedules", on_delete=models.CASCADE)
    published = models.DateTimeField(null=True)
    version = models.CharField(max_length=10, null=True)

    @cached_property
    def previous_schedule(self):
        queryset = self.event.schedules.exclude(pk=self.pk)
        return queryset.order_by("-published").first()
"#;

const PERSON: &str = r#"from django.db import models


class SpeakerProfile(models.Model):
    event = models.ForeignKey("event.Event", on_delete=models.CASCADE)
    has_arrived = models.BooleanField(default=False)
    published = models.BooleanField(default=False)
"#;

const QUERIES: &str = r#"from person.models import SpeakerProfile


def submitters_for_event(event):
    return SpeakerProfile.objects.filter(event=event).distinct()
"#;

const VIEWS: &str = r#"def release(request):
    prev = request.event.wip_schedule.previous_schedule.published
    arrived = request.event.submitters.filter(has_arrived=True, published=True).exists()
    other = request.event.label.published
    return prev, arrived, other
"#;

/// A model's property whose every return is a record or queryset (`wip_schedule`: what
/// `self.schedules.get_or_create(…)` gives; `previous_schedule`: `self.event.schedules…first()`)
/// is a step a chain in another file goes through to that model; so is one returning what a
/// function of another module returns, imported in the property itself (`submitters`). A
/// property returning a column of its model (`label`) leads nowhere: `published` is on two
/// tables and the step tells which.
#[test]
fn a_models_property_returning_records_is_a_step_to_them() {
    let files = [
        ("event/models.py", EVENT),
        ("schedule/models.py", SCHEDULE),
        ("person/models.py", PERSON),
        ("person/queries.py", QUERIES),
        ("orga/views.py", VIEWS),
    ];
    let tables: &[(&str, &[&str])] = &[
        ("event_event", &["id", "name"]),
        ("schedule_schedule", &["id", "event_id", "published", "version"]),
        ("person_speakerprofile", &["id", "event_id", "has_arrived", "published"]),
    ];
    let (_dir, result) = scan_files("pretalx", Framework::Django, &files, tables);
    assert_eq!(
        uses_of(&result, "schedule_schedule.published"),
        set(&["schedule/models.py:6", "schedule/models.py:12", "orga/views.py:2"])
    );
    assert_eq!(uses_of(&result, "person_speakerprofile.published"), set(&["person/models.py:7", "orga/views.py:3"]));
    assert_eq!(uses_of(&result, "person_speakerprofile.has_arrived"), set(&["person/models.py:6", "orga/views.py:3"]));
}

const CFP: &str = r#"from person.models import SpeakerProfile

LENGTHS = {
    "arrived": (SpeakerProfile, "has_arrived"),
    "published": (Labels, "published"),
    "label": ("published", "has_arrived"),
}
"#;

/// A pair of a model this file imports and one of its fields' names (`(SpeakerProfile,
/// "has_arrived")`) names that field; a pair whose class is no model the file knows
/// (`Labels`), or whose first item is no class, names nothing.
#[test]
fn a_model_and_field_name_pair_names_the_field() {
    let files = [("person/models.py", PERSON), ("orga/cfp.py", CFP)];
    let tables: &[(&str, &[&str])] = &[("person_speakerprofile", &["id", "event_id", "has_arrived", "published"])];
    let (_dir, result) = scan_files("pretalx", Framework::Django, &files, tables);
    assert_eq!(uses_of(&result, "person_speakerprofile.has_arrived"), set(&["person/models.py:6", "orga/cfp.py:4"]));
    assert_eq!(uses_of(&result, "person_speakerprofile.published"), set(&["person/models.py:7"]));
}

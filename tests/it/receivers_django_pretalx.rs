//! Django idioms measured on pretalx at 5a3c2f61 (`benches/accuracy/pretalx`), an app tandem had
//! never seen: each fixture asserts the exact lines found for a column and, beside them, the
//! same word that must not be taken for it.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const SUBMISSION_MODELS: &str = r#"from django.db import models


class Event(models.Model):
    slug = models.SlugField()


class Submission(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="submissions")
    abstract = models.TextField(null=True)
    is_featured = models.BooleanField(default=False)

    @property
    def slot(self):
        return self.slots.first()

    @property
    def room_capacity(self):
        slot = self.slot
        return slot.room.capacity if slot and slot.room else None

    speakers = models.ManyToManyField("person.SpeakerProfile", related_name="submissions")

    @property
    def sorted_speakers(self):
        return self.speakers.order_by("name")
"#;

const PERSON_MODELS: &str = r#"from django.db import models


class SpeakerProfile(models.Model):
    biography = models.TextField(null=True)
    name = models.CharField(max_length=100)
"#;

const SCHEDULE_MODELS: &str = r#"from django.db import models


class Room(models.Model):
    capacity = models.PositiveIntegerField(null=True)


class Schedule(models.Model):
    event = models.ForeignKey("submission.Event", on_delete=models.CASCADE, related_name="schedules")
    published = models.DateTimeField(null=True)

    class Meta:
        ordering = ("-published",)


class TalkSlot(models.Model):
    submission = models.ForeignKey("submission.Submission", on_delete=models.CASCADE, related_name="slots")
    room = models.ForeignKey(Room, null=True, on_delete=models.SET_NULL, related_name="talks")
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="talks")
"#;

const QUERIES: &str = r#"def featured(event):
    return event.submissions.filter(is_featured=True).order_by("abstract")


def latest(event):
    return event.schedules.filter(published__isnull=False).order_by("-published").first()


def unknown(payload, qs):
    payload.items.update(is_featured=True)
    return qs.filter(abstract="x")


def content(submission):
    for field in ("abstract", "title"):
        yield getattr(submission, field, None)
"#;

const FORMS: &str = r#"from django import forms

from submission.models import Submission


class SubmissionForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "abstract" in self.fields:
            self.fields["abstract"].widget.attrs["rows"] = 2
        for field in ["is_featured"]:
            self.fields.pop(field, None)

    class Meta:
        model = Submission
        fields = ["abstract"]
        request_require = {"abstract"}
        public_fields = ["abstract", "is_featured"]


class ExportForm(forms.Form):
    class Meta:
        model = Submission
        model_fields = ["is_featured"]


class SearchForm(forms.Form):
    abstract = forms.CharField()

    def clean(self):
        return self.fields["abstract"]
"#;

const FILTERS: &str = r#"import django_filters
from django_scopes import scopes_disabled

from submission.models import Submission

with scopes_disabled():

    class SubmissionFilter(django_filters.FilterSet):
        class Meta:
            model = Submission
            fields = ("is_featured",)
"#;

const LABELS: &str = r#"from submission.models import Submission

LABELS = {field: Submission._meta.get_field(field).verbose_name for field in ("abstract", "is_featured")}

MERGE_FIELDS = ("abstract",)


def merge(survivor, merged):
    for field in MERGE_FIELDS:
        setattr(survivor, field, getattr(merged, field))
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("submission_event", &["id", "slug"]),
    ("person_speakerprofile", &["id", "biography", "name"]),
    ("submission_submission_speakers", &["id", "submission_id", "speakerprofile_id"]),
    ("submission_submission", &["id", "event_id", "abstract", "is_featured"]),
    ("schedule_room", &["id", "capacity"]),
    ("schedule_schedule", &["id", "event_id", "published"]),
    ("schedule_talkslot", &["id", "submission_id", "room_id", "schedule_id"]),
];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [
        ("submission/models.py", SUBMISSION_MODELS),
        ("schedule/models.py", SCHEDULE_MODELS),
        ("person/models.py", PERSON_MODELS),
        (
            "agenda/templates/agenda/speakers.html",
            "{% for speaker in submission.sorted_speakers %}{{ speaker.biography }}{% endfor %}\n\
             {% theme_values request as biography_values %}{{ biography_values.biography }}\n",
        ),
        ("submission/queries.py", QUERIES),
        ("submission/forms.py", FORMS),
        ("submission/filters.py", FILTERS),
        ("submission/labels.py", LABELS),
        (
            "agenda/templates/agenda/schedule.xml",
            "{% for day in data %}{% for room in day.rooms %}{% for talk in room.talks %}\n\
             <abstract>{{ talk.submission.abstract }}</abstract>\n\
             <div class=\"abstract\">{{ talk.widget.abstract }}</div>\n\
             {% endfor %}{% endfor %}{% endfor %}\n",
        ),
        ("agenda/templates/agenda/session_block.html", "{% if session.submission.abstract %}x{% endif %}\n"),
    ];
    scan_files("pretalx", Framework::Django, &files, TABLES)
}

/// A step from a record nothing types names the model it is called after, as a relation field
/// is by default: `talk.submission.abstract` in a template whose `talk` loops over `room.talks`
/// of a context value no view types, `session.submission.abstract`, `slot.room.capacity` after a
/// property. A step no model is named after (`talk.widget`) reaches nothing.
#[test]
fn a_step_from_an_untyped_record_names_its_model() {
    let (_dir, result) = scan();
    let abstract_uses = uses_of(&result, "submission_submission.abstract");
    for line in ["agenda/templates/agenda/schedule.xml:2", "agenda/templates/agenda/session_block.html:1"] {
        assert!(abstract_uses.contains(line), "{line} in {abstract_uses:?}");
    }
    assert!(!abstract_uses.contains("agenda/templates/agenda/schedule.xml:3"), "{abstract_uses:?}");
    assert_eq!(uses_of(&result, "schedule_room.capacity"), set(&["schedule/models.py:5", "submission/models.py:20"]));
}

/// QuerySet calls on a relation of an untyped name read the fields of the model the name and
/// the relation suggest (`event.submissions.filter(is_featured=True)`, `event.schedules
/// .filter(…).order_by("-published")`); a model's `Meta.ordering` orders by its field. A bare
/// untyped `qs.filter(…)` and a relation no model is named after (`payload.items.update(…)`)
/// name none.
#[test]
fn querysets_on_an_untyped_relation_and_model_meta_ordering() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "schedule_schedule.published"),
        set(&["schedule/models.py:10", "schedule/models.py:13", "submission/queries.py:6"])
    );
    let featured = uses_of(&result, "submission_submission.is_featured");
    assert!(featured.contains("submission/queries.py:2"), "{featured:?}");
    assert!(!featured.contains("submission/queries.py:10"), "{featured:?}");
    assert!(!uses_of(&result, "submission_submission.abstract").contains("submission/queries.py:11"));
}

/// A model form's `self.fields["x"]`, `"x" in self.fields` and `self.fields.pop(field)` (the
/// name looped over a literal) are its model's fields; so are a `Meta` set that `fields` holds
/// and a `Meta` list named `*_fields`, a FilterSet declared under a module-level `with`,
/// `Model._meta.get_field(field)`, and `getattr(record, field)` on a parameter named after its
/// model or looped over a module constant. A plain form's `self.fields["abstract"]` is not.
#[test]
fn form_fields_meta_lists_get_field_and_getattr_by_name() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "submission_submission.abstract"),
        set(&[
            "agenda/templates/agenda/schedule.xml:2",
            "agenda/templates/agenda/session_block.html:1",
            "submission/forms.py:9",
            "submission/forms.py:10",
            "submission/forms.py:16",
            "submission/forms.py:17",
            "submission/forms.py:18",
            "submission/labels.py:3",
            "submission/labels.py:5",
            "submission/models.py:10",
            "submission/queries.py:2",
            "submission/queries.py:15",
        ])
    );
    assert_eq!(
        uses_of(&result, "submission_submission.is_featured"),
        set(&[
            "submission/filters.py:11",
            "submission/forms.py:11",
            "submission/forms.py:18",
            "submission/forms.py:24",
            "submission/labels.py:3",
            "submission/models.py:11",
            "submission/queries.py:2",
        ])
    );
}

/// A model's property that returns one of its relations (`return self.speakers.order_by(…)`)
/// leads where the relation does: `speaker.biography` over `submission.sorted_speakers`. A
/// name a template tag binds (`{% theme_values request as biography_values %}`) holds the tag's
/// value, no record, even when one table has the attribute read on it.
#[test]
fn a_property_returning_a_relation_and_a_template_tags_value() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "person_speakerprofile.biography"),
        set(&["agenda/templates/agenda/speakers.html:1", "person/models.py:5"])
    );
}

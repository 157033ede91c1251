//! Django idioms measured on BookWyrm at db40a61c (`benches/accuracy/bookwyrm`), an app tandem
//! had never seen: a view's context dict built in a variable, `get_object_or_404(models.X, …)`,
//! paginated querysets, a model's classmethod returning a queryset of its class, a model form's
//! `save(commit=False)`, `create_user` keywords, a child's column read through its
//! multi-table-inheritance parent, and field names in loops over literal pairs and dicts. Each
//! fixture asserts the exact lines found for a column and, beside them, the same word on another
//! table that must not be taken for it.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    preferred_timezone = models.CharField(max_length=255)


class ImportJob(models.Model):
    retry = models.BooleanField(default=False)


class UserImportJob(models.Model):
    retry = models.BooleanField(default=False)


class ImportItem(models.Model):
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="items")
    index = models.IntegerField()


class List(models.Model):
    name = models.CharField(max_length=100)


class ListItem(models.Model):
    book_list = models.ForeignKey(List, on_delete=models.CASCADE)
    notes = models.TextField()


class SuggestionItem(models.Model):
    notes = models.TextField()


class SiteInvite(models.Model):
    expiry = models.DateTimeField()
    times_used = models.IntegerField()


class PasswordReset(models.Model):
    expiry = models.DateTimeField()


class InviteRequest(models.Model):
    invite = models.ForeignKey(SiteInvite, on_delete=models.CASCADE)
    ignored = models.BooleanField()


class Message(models.Model):
    thread_id = models.IntegerField()


class Base(models.Model):
    class Meta:
        abstract = True

    @classmethod
    def privacy_filter(cls, viewer):
        return cls.objects.all()


class Status(Base):
    thread_id = models.IntegerField()
    deleted = models.BooleanField()

    @classmethod
    def privacy_filter(cls, viewer):
        queryset = super().privacy_filter(viewer)
        return queryset.filter(deleted=False)

    @classmethod
    def in_threads(cls, viewer, threads):
        queryset = super().privacy_filter(viewer)
        return queryset.filter(thread_id__in=threads)

    @classmethod
    def messages(cls):
        return Message.objects.all()


class Quotation(Status):
    position = models.IntegerField()


class Comment(Status):
    progress = models.IntegerField()


class Review(Status):
    progress = models.IntegerField()
"#;

const FORMS: &str = r#"from django import forms

from shelf import models


class CustomForm(forms.ModelForm):
    def save(self, request, *args, **kwargs):
        return super().save(*args, **kwargs)


class ListItemForm(CustomForm):
    class Meta:
        model = models.ListItem
        fields = ["book_list"]


class SuggestionForm(CustomForm):
    class Meta:
        model = models.SuggestionItem
        fields = []
"#;

const VIEWS: &str = r#"import operator
from functools import reduce

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from shelf import forms, models


def import_status(request, job_id):
    job = get_object_or_404(models.ImportJob, id=job_id)
    items = job.items.order_by("index")
    data = {"job": job, "items": items}
    return TemplateResponse(request, "import/status.html", data)


def user_import_status(request, job_id):
    job = get_object_or_404(models.UserImportJob, id=job_id)
    data = {"job": job}
    return TemplateResponse(request, "import/user_status.html", data)


def curate(request, list_id):
    book_list = get_object_or_404(models.List, id=list_id)
    data = {"list": book_list, "pending": book_list.listitem_set.filter(book_list=book_list)}
    return TemplateResponse(request, "lists/curate.html", data)


def invites(request):
    paginated = Paginator(models.SiteInvite.objects.filter(user=request.user), 25)
    page = paginated.get_page(request.GET.get("page"))
    return TemplateResponse(request, "invites/manage.html", {"invites": page})


def invite_requests(request):
    requests = models.InviteRequest.objects.filter(ignored=False)
    filters = []
    if request.GET.get("sent"):
        filters.append({"invite__isnull": False, "invite__times_used": 0})
    labels = [{"times_used": "Times used"}]
    if filters:
        requests = requests.filter(reduce(operator.or_, (Q(**f) for f in filters)))
    page = Paginator(requests, 25).page(1)
    return TemplateResponse(request, "invites/requests.html", {"requests": page, "labels": labels})


def add_item(request):
    form = forms.ListItemForm(request.POST)
    item = form.save(request, commit=False)
    if item.notes:
        item.save()


def suggest(request):
    form = forms.SuggestionForm(request.POST)
    suggestion = form.save(commit=False)
    suggestion.notes = ""


def register(request):
    return models.User.objects.create_user("name", "mail", "pw", preferred_timezone="UTC")


def feed(viewer, threads):
    statuses = models.Status.privacy_filter(viewer).exclude(deleted=True)
    rows = statuses.union(statuses.filter(deleted=False)).values_list("id", "thread_id")
    return statuses.filter(thread_id__in=threads), rows


def others(threads):
    return models.Status.messages().filter(thread_id__in=threads)


def search(statuses=None):
    statuses = statuses or models.Status.objects
    return statuses.filter(thread_id=2)


def update_settings(user, data):
    pairs = [
        ("preferredTimezone", "preferred_timezone"),
        ("preferred_timezone", "timezone"),
    ]
    for ap_field, bw_field in pairs:
        setattr(user, bw_field, data[ap_field])
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("shelf_user", &["id", "username", "preferred_timezone"]),
    ("shelf_importjob", &["id", "retry"]),
    ("shelf_userimportjob", &["id", "retry"]),
    ("shelf_importitem", &["id", "job_id", "index"]),
    ("shelf_list", &["id", "name"]),
    ("shelf_listitem", &["id", "book_list_id", "notes"]),
    ("shelf_suggestionitem", &["id", "notes"]),
    ("shelf_siteinvite", &["id", "expiry", "times_used"]),
    ("shelf_passwordreset", &["id", "expiry"]),
    ("shelf_inviterequest", &["id", "invite_id", "ignored"]),
    ("shelf_message", &["id", "thread_id"]),
    ("shelf_status", &["id", "thread_id", "deleted"]),
    ("shelf_quotation", &["status_ptr_id", "position"]),
    ("shelf_comment", &["status_ptr_id", "progress"]),
    ("shelf_review", &["status_ptr_id", "progress"]),
];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [
        ("shelf/models.py", MODELS),
        ("shelf/forms.py", FORMS),
        ("shelf/views.py", VIEWS),
        (
            "shelf/templates/import/status.html",
            "{% if job.retry %}again{% endif %}\n{% for item in items %}{{ item.index }}{% endfor %}\n",
        ),
        ("shelf/templates/import/user_status.html", "{% if job.retry %}again{% endif %}\n"),
        (
            "shelf/templates/lists/curate.html",
            "{% for item in pending %}\n{% include \"lists/notes.html\" with item=item %}\n{{ item.notes }}\n{% endfor %}\n",
        ),
        ("shelf/templates/lists/notes.html", "<p>{{ item.notes }}</p>\n"),
        ("shelf/templates/invites/manage.html", "{% for invite in invites %}{{ invite.expiry }}{% endfor %}\n"),
        ("shelf/templates/invites/requests.html", "{% for req in requests %}{{ req.invite.times_used }}{% endfor %}\n"),
        (
            "shelf/templates/status/content.html",
            "{% if status.position %}{{ status.position }}{% endif %}\n{{ status.progress }}\n",
        ),
    ];
    scan_files("bookwyrm", Framework::Django, &files, TABLES)
}

/// `job = get_object_or_404(models.ImportJob, …)` (the model through the app's `models` module)
/// handed to the template in a context dict built in a variable (`data = {"job": job}`) types
/// `{{ job.retry }}` there, and `job.items` through the `related_name`: `retry` is a column of
/// two tables, so the view's typing decides, and the other view's `job` is the other table's.
#[test]
fn a_views_context_dict_types_its_template() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "shelf_importjob.retry"),
        set(&["shelf/models.py:10", "shelf/templates/import/status.html:1"])
    );
    assert_eq!(
        uses_of(&result, "shelf_userimportjob.retry"),
        set(&["shelf/models.py:14", "shelf/templates/import/user_status.html:1"])
    );
    assert_eq!(
        uses_of(&result, "shelf_importitem.index"),
        set(&["shelf/models.py:19", "shelf/views.py:14", "shelf/templates/import/status.html:2"])
    );
}

/// A context value built from a relation (`book_list.listitem_set.filter(…)`) types the loop
/// variable, and an included template's `with item=item` passes it on; `Paginator(qs, n)` and its
/// `get_page(…)` / `page(n)` hold the queryset's records, read through a foreign key
/// (`req.invite.times_used`). `notes` and `expiry` are on two tables each.
#[test]
fn relations_includes_and_paginated_querysets_in_templates() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "shelf_listitem.notes"),
        set(&[
            "shelf/models.py:28",
            "shelf/views.py:52",
            "shelf/templates/lists/curate.html:3",
            "shelf/templates/lists/notes.html:1",
        ])
    );
    assert_eq!(uses_of(&result, "shelf_suggestionitem.notes"), set(&["shelf/models.py:32", "shelf/views.py:59"]));
    assert_eq!(
        uses_of(&result, "shelf_siteinvite.expiry"),
        set(&["shelf/models.py:36", "shelf/templates/invites/manage.html:1"])
    );
    assert_eq!(uses_of(&result, "shelf_passwordreset.expiry"), set(&["shelf/models.py:41"]));
}

/// `Q(**f) for f in filters` reads the keys of the dicts `filters` is given
/// (`filters.append({"invite__times_used": 0})`), not those of a dict list no query takes.
#[test]
fn dicts_spread_into_q_objects_by_a_comprehension() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "shelf_siteinvite.times_used"),
        set(&["shelf/models.py:37", "shelf/views.py:41", "shelf/templates/invites/requests.html:1"])
    );
}

/// A model's classmethod whose returns are querysets of its class (`cls.objects…`, or
/// `super().privacy_filter(…)` in a classmethod) is a queryset of the model it is called on
/// (`models.Status.privacy_filter(viewer).exclude(…)`, then `union`, `values_list`,
/// `filter(thread_id__in=…)`); `statuses or models.Status.objects` is one too. A classmethod
/// returning another model's queryset (`Status.messages()`) names no column of `Status`.
#[test]
fn querysets_from_a_models_classmethod() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "shelf_status.thread_id"),
        set(&[
            "shelf/models.py:63",
            "shelf/models.py:74",
            "shelf/views.py:68",
            "shelf/views.py:69",
            "shelf/views.py:78",
        ])
    );
    assert_eq!(uses_of(&result, "shelf_message.thread_id"), set(&["shelf/models.py:50"]));
}

/// `item = form.save(request, commit=False)` with `form = forms.ListItemForm(…)` is a record of
/// the form's `Meta.model` (`item.notes`; the other form's `suggestion.notes` is the suggestion
/// table's, above); `User.objects.create_user(…, preferred_timezone=…)` passes the user model's
/// fields; `for ap_field, bw_field in pairs: setattr(user, bw_field, …)` reads the second string
/// of each pair only.
#[test]
fn model_form_saves_create_user_and_setattr_over_pairs() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "shelf_user.preferred_timezone"),
        set(&["shelf/models.py:6", "shelf/views.py:63", "shelf/views.py:83"])
    );
}

/// `status.position` on a `Status` (the parent of multi-table-inheritance children) that only
/// the `Quotation` child declares is that child's column; `progress`, which two children
/// declare, is neither's.
#[test]
fn a_childs_column_read_through_its_mti_parent() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "shelf_quotation.position"),
        set(&["shelf/models.py:82", "shelf/templates/status/content.html:1"])
    );
    assert_eq!(uses_of(&result, "shelf_comment.progress"), set(&["shelf/models.py:86"]));
    assert_eq!(uses_of(&result, "shelf_review.progress"), set(&["shelf/models.py:90"]));
}

//! Django idioms measured on readthedocs.org at 79371961 (`benches/accuracy/readthedocs`), an
//! app tandem had never seen: an app's own QuerySet and Manager methods, signal receivers, model
//! classmethods and django-elasticsearch-dsl documents. Each fixture asserts the exact lines
//! found for a column and, beside them, the same word that must not be taken for it.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.db import models
from django.db.models import Sum

from notices.querysets import DomainQueryset, NoticeQuerySet


class LogManager(models.Manager):
    def new(self, action, request=None, **kwargs):
        if request:
            kwargs.setdefault("resource", request.path)
        return self.create(action=action, **kwargs)

    def for_user(self, user, resource):
        return self.filter(action=user)


class Log(models.Model):
    action = models.CharField(max_length=10)
    resource = models.CharField(max_length=10)
    username = models.CharField(max_length=10)

    objects = LogManager()


class Notice(models.Model):
    message = models.CharField(max_length=10)
    dismissable = models.BooleanField(default=False)

    objects = NoticeQuerySet.as_manager()


class OtherManager(models.Manager):
    def add(self, dismissable=False, **kwargs):
        return kwargs


class Other(models.Model):
    dismissable = models.BooleanField(default=False)
    username = models.CharField(max_length=10)

    objects = OtherManager()


class Domain(models.Model):
    ssl_status = models.CharField(max_length=10)
    views = models.IntegerField()

    objects = DomainQueryset.as_manager()

    @classmethod
    def top(cls):
        return cls.objects.values("ssl_status").annotate(total=Sum("views"))

    def plain(self, cls):
        return cls.objects.filter(views=1)
"#;

const BASE_QUERYSETS: &str = r#"from django.db import models


class RelatedProjectQuerySet(models.QuerySet):
    def public(self):
        return self.all()
"#;

const QUERYSETS: &str = r#"import logging

from django.db import models
from django.db.models import Q, Value

from core.querysets import RelatedProjectQuerySet

log = logging.getLogger(__name__)


class NoticeQuerySet(models.QuerySet):
    def add(self, *args, **kwargs):
        notice = self.filter(message=kwargs.get("message")).first()
        if notice:
            self.filter(pk=notice.pk).update(**kwargs)
            return notice
        return super().create(*args, **kwargs)

    def trace(self, **kwargs):
        log.info("notice", **kwargs)


class DomainQueryset(RelatedProjectQuerySet):
    def broken(self):
        return self.exclude(Q(ssl_status="ok") | Q(ssl_status="pending"))

    def matching(self, path):
        queryset = self.annotate(path=Value(path))
        ok = Q(ssl_status="ok") | Q(views__gt=0)
        bad = Q(ssl_status="bad")
        if path:
            queryset = queryset.filter(ok | bad)
        else:
            queryset = queryset.filter(~ok)
        return queryset
"#;

const TASKS: &str = r#"from notices.models import Log, Notice, Other


def notify(project, request):
    Notice.objects.add(message="x", dismissable=True)
    Notice.objects.trace(dismissable=True)
    Other.objects.add(dismissable=True, username="u")
    Log.objects.new("build", request=request, username="u")
    Log.objects.for_user(project, resource="all")
"#;

const SIGNALS: &str = r#"from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from notices.models import Notice, Other


@receiver(post_save, sender=Notice)
def notice_saved(sender, instance, **kwargs):
    return instance.dismissable


def other_deleted(sender, instance, **kwargs):
    return instance.dismissable


pre_delete.connect(other_deleted, sender=Other)


@receiver(post_save)
def anything_saved(sender, instance, **kwargs):
    return instance.dismissable
"#;

const DOCUMENTS: &str = r#"from django_elasticsearch_dsl import Document

from notices.models import Notice


class NoticeDocument(Document):
    def get_queryset(self):
        return super().get_queryset().exclude(dismissable=True)

    class Django:
        model = Notice
        fields = []


class LooseDocument(Document):
    def get_queryset(self):
        return super().get_queryset().exclude(dismissable=True)
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("notices_log", &["id", "action", "resource", "username"]),
    ("notices_notice", &["id", "message", "dismissable"]),
    ("notices_other", &["id", "dismissable", "username"]),
    ("notices_domain", &["id", "ssl_status", "views"]),
];

fn scan(more: &[(&'static str, &'static str)]) -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let mut files =
        vec![("notices/models.py", MODELS), ("core/querysets.py", BASE_QUERYSETS), ("notices/querysets.py", QUERYSETS)];
    files.extend_from_slice(more);
    scan_files("rtd", Framework::Django, &files, TABLES)
}

/// The keywords of a custom QuerySet or Manager method that spreads `**kwargs` into a write or
/// a query on itself (`self.create(**kwargs)`, `super().create(*args, **kwargs)`,
/// `self.filter(…).update(**kwargs)`) are the model's fields, whatever the method is called
/// (`add`, `new`), in the file that declares the model or in another; so is a key the method
/// sets on them (`kwargs.setdefault("resource", …)`). A method that spreads them elsewhere
/// (`log.info(**kwargs)`), a model whose manager's `add` writes nothing, and a method's named
/// parameter (`for_user(user, resource)`) name no field.
#[test]
fn keywords_a_manager_method_spreads_into_a_write() {
    let (_dir, result) = scan(&[("notices/tasks.py", TASKS)]);
    assert_eq!(uses_of(&result, "notices_notice.dismissable"), set(&["notices/models.py:27", "notices/tasks.py:5"]));
    assert_eq!(uses_of(&result, "notices_other.dismissable"), set(&["notices/models.py:38"]));
    assert_eq!(uses_of(&result, "notices_log.username"), set(&["notices/models.py:20", "notices/tasks.py:8"]));
    assert_eq!(uses_of(&result, "notices_log.resource"), set(&["notices/models.py:10", "notices/models.py:19"]));
    assert_eq!(uses_of(&result, "notices_other.username"), set(&["notices/models.py:39"]));
}

/// A custom QuerySet whose base is the app's QuerySet in another module (`class
/// DomainQueryset(RelatedProjectQuerySet)`) runs on the models that use it; `Q(…)` objects held
/// in locals and combined (`ok | bad`, `~ok`) are read where the filter uses them, on a local
/// that holds `self.annotate(…)`.
#[test]
fn queryset_of_an_app_base_and_q_objects_held_in_locals() {
    let (_dir, result) = scan(&[]);
    assert_eq!(
        uses_of(&result, "notices_domain.ssl_status"),
        set(&[
            "notices/models.py:45",
            "notices/models.py:52",
            "notices/querysets.py:25",
            "notices/querysets.py:29",
            "notices/querysets.py:30",
        ])
    );
}

/// `cls.objects` in a model's `@classmethod` is the model's manager; a parameter that happens to
/// be called `cls` in a plain method is nothing.
#[test]
fn cls_objects_in_a_model_classmethod() {
    let (_dir, result) = scan(&[]);
    assert_eq!(
        uses_of(&result, "notices_domain.views"),
        set(&["notices/models.py:46", "notices/models.py:52", "notices/querysets.py:29"])
    );
}

/// A model signal's receiver connected with `sender=Model` (`@receiver(post_save,
/// sender=Notice)`, `pre_delete.connect(f, sender=Other)`) is handed that model's record as
/// `instance`; one connected to every sender is handed any (`dismissable` is on two tables: no
/// medium line). A django-elasticsearch-dsl `Document`'s `class Django: model = Notice` makes
/// `super().get_queryset()` that model's queryset; a document naming no model reads nothing.
#[test]
fn signal_receivers_and_search_documents() {
    let (_dir, result) = scan(&[("notices/signals.py", SIGNALS), ("search/documents.py", DOCUMENTS)]);
    assert_eq!(
        uses_of(&result, "notices_notice.dismissable"),
        set(&["notices/models.py:27", "notices/signals.py:9", "search/documents.py:8"])
    );
    assert_eq!(uses_of(&result, "notices_other.dismissable"), set(&["notices/models.py:38", "notices/signals.py:13"]));
}

const EXPORTS: &str = r#"from notices.models import Log


def export():
    values = [
        ("action", "username"),
        ("Resource", "resource"),
    ]
    rows = Log.objects.values_list(*[value for _, value in values])
    labels = [label for label, _ in values]
    return rows, labels
"#;

/// A CSV export's `(label, field)` pairs spread into `values_list(*[value for _, value in
/// values])` name the fields by their second place; the labels (`"action"`, a column too) are
/// not read.
#[test]
fn pairs_spread_by_a_comprehension() {
    let (_dir, result) = scan(&[("notices/exports.py", EXPORTS)]);
    assert_eq!(uses_of(&result, "notices_log.username"), set(&["notices/models.py:20", "notices/exports.py:6"]));
    assert_eq!(
        uses_of(&result, "notices_log.resource"),
        set(&["notices/models.py:10", "notices/models.py:19", "notices/exports.py:7"])
    );
    assert_eq!(
        uses_of(&result, "notices_log.action"),
        set(&["notices/models.py:11", "notices/models.py:14", "notices/models.py:18"])
    );
}

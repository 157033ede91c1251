//! Django idioms measured on wger at aaba2018 (`benches/accuracy/wger`), an app tandem had
//! never seen: each fixture asserts the exact lines found for a column and, beside them, the
//! same word that must not be taken for it.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.contrib.auth.models import User
from django.db import models


class Language(models.Model):
    short_name = models.CharField(max_length=2)


class UserProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE)
    calories = models.IntegerField(null=True)


class Plan(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    fiber = models.IntegerField(null=True)

    def goal(self):
        return self.user.userprofile.calories, self.user.no_such_accessor.calories


class License(models.Model):
    short_name = models.CharField(max_length=8)
"#;

/// A dataclass (and any class that is no model and names none) declaring `fiber` itself.
const VALUES: &str = r#"from dataclasses import dataclass


@dataclass
class Values:
    fiber: float | None = None

    def __add__(self, other: "Values"):
        return Values(fiber=self.fiber + other.fiber)


class Reader:
    def read(self, plan):
        return self.fiber
"#;

const VIEWS: &str = r#"from django.contrib.auth.models import User
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView
from rest_framework import viewsets

from core.models import Language, Plan


class PlanViewSet(viewsets.ModelViewSet):
    filterset_fields = ("fiber",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        return Plan.objects.filter(user=self.request.user)


class MixedViewSet(viewsets.ModelViewSet):
    ordering_fields = ("short_name",)

    def get_queryset(self):
        if self.request.GET.get("languages"):
            return Language.objects.all()
        return Plan.objects.all()


class LanguageDetail(DetailView):
    model = Language
    template_name = "language/view.html"
    context_object_name = "view_language"


def new_user(request, pk):
    context = {"new_user": get_object_or_404(User, pk=pk)}
    return render(request, "core/new_user.html", context)
"#;

const FORMS: &str = r#"from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms

from core.models import Plan


class PlanForm(forms.ModelForm):
    extra = forms.IntegerField()

    class Meta:
        model = Plan
        fields = ("user",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("fiber", css_class="col-6"), Column("extra")),
            Column("extra", css_class="fiber"),
            HTML("fiber"),
            "fiber",
        )
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("core_language", &["id", "short_name"]),
    ("core_license", &["id", "short_name"]),
    ("core_userprofile", &["id", "user_id", "calories"]),
    ("core_plan", &["id", "user_id", "fiber"]),
];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [
        ("core/models.py", MODELS),
        ("core/values.py", VALUES),
        ("core/views.py", VIEWS),
        ("core/forms.py", FORMS),
        ("core/templates/language/view.html", "<td>{{ view_language.short_name }}</td>\n"),
        ("core/templates/core/new_user.html", "<td>{{ new_user.userprofile.calories }}</td>\n"),
        (
            "core/templates/template.html",
            "{% block title %}{% endblock %}\n<html lang=\"{{ language.short_name }}\">\n",
        ),
        (
            "core/templates/language/list.html",
            "{% extends \"template.html\" %}\n{% block title %}{{ language.short_name }}{% endblock %}\n",
        ),
    ];
    scan_files("wger", Framework::Django, &files, TABLES)
}

/// `auth.User` is no model of the app when its settings are not scanned, yet the app's
/// relations to it give it accessors back: `self.user.userprofile.calories` (a
/// `OneToOneField(User)` on `UserProfile`), in a model method and in a template handed
/// `get_object_or_404(User, …)`. An accessor no relation gives stays unresolved.
#[test]
fn accessors_back_from_a_model_the_app_does_not_declare() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "core_userprofile.calories"),
        set(&["core/models.py:11", "core/models.py:19", "core/templates/core/new_user.html:1"])
    );
}

/// A viewset's model is what its `get_queryset` returns when every `return` agrees
/// (`filterset_fields` then names its columns; `MixedViewSet` returns two models and names
/// none); a crispy-forms `Layout` of a `ModelForm` names the model's fields (`Row(Column("fiber",
/// css_class=…))`, a bare `"fiber"`), not its keyword values nor its `HTML`; `self.fiber` in a
/// dataclass that declares `fiber`, and `other.fiber` on a parameter annotated with it, are the
/// dataclass's (a plain class declaring nothing may still be a model's mixin: `Reader`).
#[test]
fn get_queryset_crispy_layouts_and_dataclass_attributes() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "core_plan.fiber"),
        set(&["core/models.py:16", "core/views.py:10", "core/forms.py:19", "core/forms.py:22", "core/values.py:14",])
    );
}

/// A class-based view's `context_object_name` names its record in its template (`short_name`
/// is on two tables: only the binding tells which). A name no view binds is taken for the model
/// it is named after in a page (`language/list.html:2`), not in a layout — blocks of its own,
/// extending nothing — which every page renders under (`template.html`: a context processor's
/// `language`).
#[test]
fn context_object_name_binds_the_views_model() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "core_language.short_name"),
        set(&["core/models.py:6", "core/templates/language/view.html:1", "core/templates/language/list.html:2"])
    );
    assert_eq!(uses_of(&result, "core_license.short_name"), set(&["core/models.py:23"]));
}

const PREFERENCES: &str = r#"from django.contrib.auth.models import User
from django.db import models

from core.models import Language


class Preference(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE)
    language = models.ForeignKey(Language, on_delete=models.CASCADE)
"#;

const NOTIFY: &str = r#"from django.utils import translation


def send_email(user, check):
    translation.activate(user.preference.language.short_name)
    return check.preference.language.short_name


def other(user):
    return user.no_such.short_name
"#;

/// An untyped parameter read through associations (`user.preference.language.short_name` in a
/// management command's helper) is the record its name suggests when that record has them: here
/// `auth.User`, undeclared, through the accessor `Preference`'s `OneToOneField(User)` gives it.
/// From a name suggesting no record (`check`) a step names the model it is called after
/// (`preference` → `Preference`, as a relation field is by default); an accessor no relation
/// gives and no model is named after (`no_such`) leaves only the untyped attribute (`short_name`
/// is on two tables: low).
#[test]
fn untyped_names_read_through_associations() {
    let files =
        [("core/models.py", MODELS), ("prefs/models.py", PREFERENCES), ("core/management/commands/notify.py", NOTIFY)];
    let mut tables = TABLES.to_vec();
    tables.push(("prefs_preference", &["id", "user_id", "language_id"]));
    let (_dir, result) = scan_files("wger", Framework::Django, &files, &tables);
    assert_eq!(
        uses_of(&result, "core_language.short_name"),
        set(&["core/models.py:6", "core/management/commands/notify.py:5", "core/management/commands/notify.py:6"])
    );
    assert_eq!(uses_of(&result, "core_license.short_name"), set(&["core/models.py:23"]));
}

//! Django receiver resolution end to end: a real git repository scanned, each idiom's use of a
//! column found at its exact line, and the same word on another receiver (or none) not taken
//! for it.

use std::collections::BTreeSet;

use tandem::config::Framework;
use tandem::scan::ScanResult;

use crate::support;
use crate::support::scan::set;

fn scan(files: &[(&str, &str)], tables: &[(&str, &[&str])]) -> (tempfile::TempDir, ScanResult) {
    support::scan::scan_files("hc", Framework::Django, files, tables)
}

/// `path:line object` of every reference at `medium` and above (declarations left out) in `path`.
fn uses_in(result: &ScanResult, path: &str) -> BTreeSet<String> {
    result
        .references
        .iter()
        .filter(|r| {
            r.confidence >= tandem::config::Confidence::Medium
                && !matches!(r.kind.as_str(), "implicit" | "declaration")
                && &*r.path == path
        })
        .map(|r| format!("{}:{} {}", r.path, r.line, r.object))
        .collect()
}

const TABLES: &[(&str, &[&str])] = &[
    ("accounts_user", &["id", "username", "email", "nickname"]),
    ("accounts_profile", &["id", "user_id", "theme"]),
    ("api_project", &["id", "name", "owner_id"]),
    ("api_check", &["id", "name", "project_id", "status", "kind"]),
    ("api_flip", &["id", "owner_id", "new_status"]),
    ("api_flip_tags", &["id", "flip_id", "tag_id"]),
    ("api_tag", &["id", "name"]),
    // Not a model of the app: `status` is on two tables.
    ("legacy_notes", &["id", "status", "body"]),
];

const ACCOUNTS: &str = r#"from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    nickname = models.CharField(max_length=50)


class Profile(models.Model):
    user = models.OneToOneField(User, models.CASCADE)
    theme = models.CharField(max_length=10)

    def dark(self):
        return self.theme == "dark"
"#;

const API_MODELS: &str = r#"from django.db import models


class Named(models.Model):
    name = models.CharField(max_length=100)

    class Meta:
        abstract = True

    def label(self):
        return self.name.upper()


class Project(Named):
    owner = models.ForeignKey("accounts.User", models.CASCADE)


class Check(Named):
    project = models.ForeignKey(Project, models.CASCADE, related_name="checks")
    status = models.CharField(max_length=6)
    kind = models.CharField(max_length=10)

    @property
    def is_down(self):
        return self.status == "down"

    def save(self, *args, **kwargs):
        self.kind = self.kind or "simple"
        super().save(*args, **kwargs)


class Flip(models.Model):
    owner = models.ForeignKey(Check, models.CASCADE)
    new_status = models.CharField(max_length=6)
    tags = models.ManyToManyField("Tag")


class Tag(models.Model):
    name = models.CharField(max_length=10)
"#;

const VIEWS: &str = r#"from django.db.models import F, Q
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView

from api.models import Check, Project, Tag


def details(request, code):
    check = get_object_or_404(Check, code=code)
    flips = check.flip_set.order_by("-new_status")
    for flip in flips:
        print(flip.new_status)
    project = check.project
    print(project.name, request.user.nickname)
    return render(request, "front/details.html", {"check": check, "flips": flips, "profile": request.user.profile})


def update(request):
    qs = Check.objects.filter(project__owner=request.user)
    qs.update(kind="x")
    first = Project.objects.first()
    print(first.name)
    status = "up"
    payload = {"status": status}
    return render(request, "front/list.html", {"checks": Check.objects.all()})


def typed(c: Check, data):
    print(c.status, data.status)
    tag, created = Tag.objects.get_or_create(name="x")
    print(tag.name, data.name)
    rows = Check.objects.filter(Q(status="up") | Q(kind="x")).values("name").annotate(n=F("kind"))
    return [p.owner for p in Project.objects.filter(checks__status="up")]


class CheckDetail(DetailView):
    model = Check
"#;

const ADMIN: &str = r#"from django.contrib import admin

from api.models import Check


@admin.register(Check)
class CheckAdmin(admin.ModelAdmin):
    list_display = ("name", "status")
    search_fields = ["kind"]

    def owner_name(self, obj):
        return obj.project.name
"#;

const DETAILS: &str = r#"<h1>{{ check.name }}</h1>
{% if check.status == "down" %}down{% endif %}
{% for flip in flips %}
  <li>{{ flip.new_status }} {{ flip.owner.kind }}</li>
  {% include "front/tags.html" %}
{% endfor %}
<p>{{ profile.theme }} {{ request.user.nickname }}</p>
{{ forloop.counter }} {{ status }} {{ "check.name" }}
{# {{ check.kind }} #}
"#;

fn files() -> Vec<(&'static str, &'static str)> {
    vec![
        ("hc/settings.py", "AUTH_USER_MODEL = \"accounts.User\"\n"),
        ("accounts/models.py", ACCOUNTS),
        ("api/models.py", API_MODELS),
        ("api/views.py", VIEWS),
        ("api/admin.py", ADMIN),
        ("templates/front/details.html", DETAILS),
        ("templates/front/tags.html", "{% for t in flip.tags.all %}{{ t.name }}{% endfor %}\n"),
        ("templates/front/list.html", "{% for c in checks %}{{ c.kind }}{% endfor %}\n"),
        ("api/templates/api/check_detail.html", "{{ object.status }} {{ object.project.name }}\n"),
    ]
}

#[test]
fn self_inside_models_and_their_abstract_parents() {
    let (_dir, result) = scan(&files(), TABLES);
    assert_eq!(
        uses_in(&result, "api/models.py"),
        set(&[
            // `self.name` in the abstract `Named`: each model that inherits it.
            "api/models.py:11 api_check.name",
            "api/models.py:11 api_project.name",
            "api/models.py:25 api_check.status",
            "api/models.py:28 api_check.kind",
        ])
    );
    assert_eq!(uses_in(&result, "accounts/models.py"), set(&["accounts/models.py:14 accounts_profile.theme"]));
}

#[test]
fn instances_querysets_and_relations_in_views() {
    let (_dir, result) = scan(&files(), TABLES);
    assert_eq!(
        uses_in(&result, "api/views.py"),
        set(&[
            // The reverse manager `flip_set` of `Flip.owner`, ordered by a Flip column.
            "api/views.py:10 api_flip.new_status",
            // A loop variable over it.
            "api/views.py:12 api_flip.new_status",
            // A foreign key read through its accessor.
            "api/views.py:13 api_check.project_id",
            "api/views.py:14 api_project.name",
            // `request.user` is `AUTH_USER_MODEL`.
            "api/views.py:14 accounts_user.nickname",
            // A lookup across a relation.
            "api/views.py:19 api_check.project_id",
            "api/views.py:19 api_project.owner_id",
            // A queryset held in a variable.
            "api/views.py:20 api_check.kind",
            "api/views.py:22 api_project.name",
            // A typed parameter; `data` is untyped and `status` is on two tables.
            "api/views.py:29 api_check.status",
            "api/views.py:30 api_tag.name",
            "api/views.py:31 api_tag.name",
            "api/views.py:32 api_check.status",
            "api/views.py:32 api_check.kind",
            "api/views.py:32 api_check.name",
            // `related_name="checks"` and a comprehension variable.
            "api/views.py:33 api_check.status",
            "api/views.py:33 api_project.owner_id",
        ])
    );
    // `data.status` / `data.name` are on several tables: low, never medium.
    assert!(result.references.iter().any(|r| &*r.path == "api/views.py"
        && r.line == 29
        && r.object.to_string() == "legacy_notes.status"
        && r.confidence == tandem::config::Confidence::Low));
}

#[test]
fn admin_options_and_hooks_name_the_registered_model() {
    let (_dir, result) = scan(&files(), TABLES);
    assert_eq!(
        uses_in(&result, "api/admin.py"),
        set(&[
            "api/admin.py:8 api_check.name",
            "api/admin.py:8 api_check.status",
            "api/admin.py:9 api_check.kind",
            "api/admin.py:12 api_check.project_id",
            "api/admin.py:12 api_project.name",
        ])
    );
}

#[test]
fn templates_read_the_context_their_views_hand_them() {
    let (_dir, result) = scan(&files(), TABLES);
    assert_eq!(
        uses_in(&result, "templates/front/details.html"),
        set(&[
            "templates/front/details.html:1 api_check.name",
            "templates/front/details.html:2 api_check.status",
            "templates/front/details.html:4 api_flip.new_status",
            "templates/front/details.html:4 api_flip.owner_id",
            "templates/front/details.html:4 api_check.kind",
            // `profile` is `request.user.profile`: the one-to-one's reverse accessor.
            "templates/front/details.html:7 accounts_profile.theme",
            "templates/front/details.html:7 accounts_user.nickname",
        ])
    );
    // The loop variable of the including template, through a many-to-many.
    assert_eq!(uses_in(&result, "templates/front/tags.html"), set(&["templates/front/tags.html:1 api_tag.name"]));
    assert_eq!(uses_in(&result, "templates/front/list.html"), set(&["templates/front/list.html:1 api_check.kind"]));
    // A class-based view's `model`, under Django's default template name.
    assert_eq!(
        uses_in(&result, "api/templates/api/check_detail.html"),
        set(&[
            "api/templates/api/check_detail.html:1 api_check.status",
            "api/templates/api/check_detail.html:1 api_check.project_id",
            "api/templates/api/check_detail.html:1 api_project.name",
        ])
    );
}

/// `django.contrib.auth`'s own `User` (no `AUTH_USER_MODEL`), a middleware's `request.profile`,
/// models named through their module (`models.Check`), `Meta` indexes, DRF viewsets and admins
/// registered as `models.X`.
#[test]
fn the_contrib_user_middleware_attributes_and_module_qualified_models() {
    let files = vec![
        ("hc/settings.py", "INSTALLED_APPS = [\n    \"django.contrib.auth\",\n    \"accounts\",\n]\n"),
        (
            "accounts/models.py",
            "from django.contrib.auth.models import User\nfrom django.db import models\n\n\nclass Profile(models.Model):\n    user = models.OneToOneField(User, models.CASCADE, related_name=\"settings\")\n    theme = models.CharField(max_length=10)\n\n    class Meta:\n        indexes = [models.Index(fields=[\"theme\"], condition=models.Q(theme=\"dark\"))]\n",
        ),
        (
            "accounts/views.py",
            "from django.views import View\n\nfrom accounts import models\n\n\nclass Prefs(View):\n    def get(self, request):\n        a = self.request.user.settings.theme\n        b = request.profile.theme\n        return models.Profile.objects.filter(theme=a or b)\n\n\nclass ProfileViewSet(ViewSet):\n    queryset = models.Profile.objects.all()\n    filterset_fields = (\"theme\", \"user\")\n",
        ),
        (
            "accounts/admin.py",
            "from django.contrib import admin\n\nfrom accounts import models\n\n\n@admin.register(models.Profile)\nclass ProfileAdmin(admin.ModelAdmin):\n    list_display = (\"theme\",)\n",
        ),
        ("accounts/templates/accounts/prefs.html", "{{ user.settings.theme }} {{ request.profile.theme }}\n"),
    ];
    let tables: &[(&str, &[&str])] =
        &[("auth_user", &["id", "username", "email"]), ("accounts_profile", &["id", "user_id", "theme"])];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(uses_in(&result, "accounts/models.py"), set(&["accounts/models.py:10 accounts_profile.theme"]),);
    assert_eq!(
        uses_in(&result, "accounts/views.py"),
        set(&[
            "accounts/views.py:8 accounts_profile.theme",
            "accounts/views.py:9 accounts_profile.theme",
            "accounts/views.py:10 accounts_profile.theme",
            "accounts/views.py:15 accounts_profile.theme",
            "accounts/views.py:15 accounts_profile.user_id",
        ])
    );
    assert_eq!(uses_in(&result, "accounts/admin.py"), set(&["accounts/admin.py:8 accounts_profile.theme"]));
    assert_eq!(
        uses_in(&result, "accounts/templates/accounts/prefs.html"),
        set(&["accounts/templates/accounts/prefs.html:1 accounts_profile.theme"])
    );
}

const DYN_MODELS: &str = r#"from django.db import models


class Profile(models.Model):
    theme = models.CharField(max_length=10)
    sort = models.CharField(max_length=10)


class Project(models.Model):
    name = models.CharField(max_length=100)

    @property
    def owner_profile(self) -> Profile:
        return Profile.objects.first()


class Check(models.Model):
    project = models.ForeignKey(Project, models.CASCADE)
    status = models.CharField(max_length=6)
    kind = models.CharField(max_length=10)
    grace = models.IntegerField()


class TummyTime(models.Model):
    milestone = models.CharField(max_length=100)


class Ping(models.Model):
    scheme = models.CharField(max_length=10)
    picture = models.CharField(max_length=10)
"#;

const DYN_VIEWS: &str = r#"from urllib.parse import urlsplit

from api.models import Check, Project


def update(check: Check, spec, project: Project):
    update_fields = set()
    for key in (
        "status",
        "kind",
    ):
        setattr(check, key, getattr(spec, key))
        update_fields.add(key)
    update_fields.add("grace")
    check.save(update_fields=update_fields)
    fields = ("kind",)
    check.save(update_fields=fields + ("status",))
    profile = project.owner_profile
    print(profile.theme)
    parts = urlsplit(spec.url)
    return parts.scheme, spec.status
"#;

const DYN_ADMIN: &str = r#"from django import forms
from django.conf import settings
from django.contrib import admin

from api.models import Ping, Profile


@admin.register(Ping)
class PingAdmin(admin.ModelAdmin):
    fields = ["scheme"]
    if settings.UPLOADS:
        fields.append("picture")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    _profile_fields = (
        "theme",
        "sort",
    )
    fieldsets = (("Profile", {"fields": _profile_fields}),)


class PingForm(forms.ModelForm):
    class Meta:
        model = Ping
        fields = ["scheme"]
        if settings.UPLOADS:
            fields.insert(0, "picture")


class PingFilter(BaseFilter):
    class Meta(BaseFilter.Meta):
        model = Ping
        fields = sorted(BaseFilter.Meta.fields + ["picture"])
"#;

/// Field names held in names and applied later (`setattr` over a tuple, `update_fields` built up
/// in a set, option lists extended under an `if`, an admin tuple spread into `fieldsets`), a
/// property annotated to return a model, and what is no record: a standard-library call's result.
#[test]
fn field_names_held_in_names_properties_and_stdlib_results() {
    let files = vec![("api/models.py", DYN_MODELS), ("api/views.py", DYN_VIEWS), ("api/admin.py", DYN_ADMIN)];
    let tables: &[(&str, &[&str])] = &[
        ("api_profile", &["id", "theme", "sort"]),
        ("api_project", &["id", "name"]),
        ("api_check", &["id", "project_id", "status", "kind", "grace"]),
        ("api_tummytime", &["id", "milestone"]),
        ("api_ping", &["id", "scheme", "picture"]),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses_in(&result, "api/views.py"),
        set(&[
            // The loop's tuple, through `setattr(check, key, …)` and `update_fields.add(key)`.
            "api/views.py:9 api_check.status",
            "api/views.py:10 api_check.kind",
            "api/views.py:14 api_check.grace",
            "api/views.py:16 api_check.kind",
            "api/views.py:17 api_check.status",
            // `owner_profile` is a property returning a `Profile`.
            "api/views.py:19 api_profile.theme",
            // `parts` is `urlsplit`'s result, `spec` untyped with `status` on one table: only
            // `spec.status` is a guess at medium.
            "api/views.py:21 api_check.status",
        ])
    );
    assert_eq!(
        uses_in(&result, "api/admin.py"),
        set(&[
            "api/admin.py:10 api_ping.scheme",
            "api/admin.py:12 api_ping.picture",
            "api/admin.py:18 api_profile.theme",
            "api/admin.py:19 api_profile.sort",
            "api/admin.py:27 api_ping.scheme",
            "api/admin.py:29 api_ping.picture",
            "api/admin.py:35 api_ping.picture",
        ])
    );
}

/// Template names no view binds: one that names a model in another case (`tummytime`), one
/// that suggests no model (`event`, an attribute on an unknown receiver: medium when one table
/// has the column), a form (`form_settings`: bound fields, no column), and a view's context
/// typed by a union of several models (types nothing).
#[test]
fn template_names_nothing_binds() {
    let files = vec![
        ("api/models.py", DYN_MODELS),
        (
            "api/views.py",
            "from django.shortcuts import render\n\nfrom api.models import Check, Ping\n\n\ndef events(check) -> list[Check | Ping]:\n    return []\n\n\ndef log(request, check):\n    return render(request, \"log.html\", {\"events\": events(check)})\n",
        ),
        (
            "templates/log.html",
            "{% for event in events %}{{ event.scheme }}{% endfor %}\n{{ tummytime.milestone }}\n{{ form_settings.picture }} {{ event.status }}\n",
        ),
    ];
    let tables: &[(&str, &[&str])] = &[
        ("api_check", &["id", "project_id", "status", "kind", "grace"]),
        ("api_tummytime", &["id", "milestone"]),
        ("api_ping", &["id", "scheme", "picture"]),
        ("legacy", &["id", "status"]),
    ];
    let (_dir, result) = scan(&files, tables);
    assert_eq!(
        uses_in(&result, "templates/log.html"),
        set(&["templates/log.html:1 api_ping.scheme", "templates/log.html:2 api_tummytime.milestone"])
    );
    // `event.status`: two tables have the column, so a name-only guess at most.
    assert!(
        result
            .references
            .iter()
            .filter(|r| &*r.path == "templates/log.html" && r.line == 3)
            .all(|r| r.confidence == tandem::config::Confidence::Low)
    );
}

/// Idioms measured on an application tandem had not been tuned on (paperless-ngx at b0e0e8a3,
/// `benches/accuracy/paperless`): a filter's `field_name`, a serializer's `validate(attrs)` and
/// `create(validated_data)` keys, a viewset typed by its `queryset` or its generic base, and a
/// queryset chosen by a conditional expression.
#[test]
fn filters_serializer_hooks_viewset_querysets_and_conditional_querysets() {
    let files = vec![
        ("api/models.py", API_MODELS),
        (
            "api/filters.py",
            "from django_filters import BooleanFilter, FilterSet\n\nfrom api.models import Check\n\n\nclass CheckFilterSet(FilterSet):\n    down = BooleanFilter(label=\"Down\", field_name=\"status\")\n\n    class Meta:\n        model = Check\n        fields = {}\n",
        ),
        (
            "api/serializers.py",
            "from rest_framework import serializers\n\nfrom api.models import Check, Flip\n\n\nclass CheckSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Check\n        fields = [\"id\"]\n\n    def validate(self, attrs):\n        if \"kind\" in attrs and attrs[\"kind\"] == \"\":\n            attrs[\"kind\"] = None\n        return attrs\n\n\nclass FlipSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Flip\n        fields = [\"id\"]\n\n    def create(self, validated_data):\n        validated_data.pop(\"new_status\", None)\n        return super().create(validated_data)\n",
        ),
        (
            "api/views.py",
            "from rest_framework.viewsets import ReadOnlyModelViewSet\n\nfrom api.models import Check, Tag\n\n\nclass CheckViewSet(ReadOnlyModelViewSet):\n    queryset = Check.objects.none()\n\n    def acknowledge(self, request):\n        checks = self.get_queryset()\n        return checks.filter(kind=\"simple\").update(status=\"up\")\n\n\nclass FlipViewSet(ReadOnlyModelViewSet[Tag]):\n    def names(self):\n        return self.get_queryset().filter(name=\"x\")\n\n\ndef stats(everyone, user):\n    tags = (Tag.objects.all() if everyone else user.tags).only(\"id\", \"name\")\n    return tags.filter(name=\"inbox\")\n",
        ),
    ];
    let (_dir, result) = scan(&files, TABLES);
    assert_eq!(uses_in(&result, "api/filters.py"), set(&["api/filters.py:7 api_check.status"]));
    assert_eq!(
        uses_in(&result, "api/serializers.py"),
        set(&[
            "api/serializers.py:9 api_check.id",
            "api/serializers.py:12 api_check.kind",
            "api/serializers.py:13 api_check.kind",
            "api/serializers.py:20 api_flip.id",
            "api/serializers.py:23 api_flip.new_status",
        ])
    );
    let views = uses_in(&result, "api/views.py");
    for expected in [
        "api/views.py:11 api_check.kind",
        "api/views.py:11 api_check.status",
        "api/views.py:16 api_tag.name",
        "api/views.py:20 api_tag.name",
        "api/views.py:21 api_tag.name",
    ] {
        assert!(views.contains(expected), "missing {expected} in {views:#?}");
    }
}

/// Idioms measured on netbox at 43fe81f9 (`benches/accuracy/netbox`): a field, filter or column
/// a class over a model declares reads the attribute of its own name unless it says otherwise
/// (`source=`, `field_name=`, `accessor=`, `method=`, a `…MethodField`); a form that names its
/// model outside a `Meta` (netbox's filter forms: query parameters) declares nothing; the
/// shortcuts take a queryset as well as a model (`get_object_or_404(self.queryset, pk=pk)`); a
/// strawberry-django type or filter over a model names its fields by its annotated attributes;
/// a `Meta` inheriting another class's (`class Meta(CheckSerializer.Meta)`) keeps its model.
#[test]
fn declared_fields_columns_and_filters_read_their_own_name() {
    let files = vec![
        ("api/models.py", API_MODELS),
        (
            "api/forms.py",
            "from django import forms\n\nfrom api.models import Check\n\n\nclass CheckForm(forms.ModelForm):\n    kind = forms.ChoiceField(choices=[])\n    confirm = forms.BooleanField()\n\n    class Meta:\n        model = Check\n        fields = [\"name\"]\n\n\nclass CheckFilterForm(forms.Form):\n    model = Check\n    status = forms.CharField(required=False)\n",
        ),
        (
            "api/filters.py",
            "from django_filters import CharFilter, FilterSet, MultipleChoiceFilter\n\nfrom api.models import Check\n\n\nclass CheckFilterSet(FilterSet):\n    kind = MultipleChoiceFilter()\n    status = CharFilter(method=\"filter_status\")\n\n    class Meta:\n        model = Check\n        fields = []\n",
        ),
        (
            "api/tables.py",
            "import django_tables2 as tables\n\nfrom api.models import Check\n\n\nclass CheckTable(tables.Table):\n    status = tables.Column()\n    name = tables.Column(accessor=\"project__name\")\n\n    class Meta:\n        model = Check\n",
        ),
        (
            "api/graphql.py",
            "import strawberry_django\n\nfrom api import models\n\n\n@strawberry_django.type(models.Check, fields=\"__all__\")\nclass CheckType:\n    kind: str | None\n    _private: int\n    label = \"status\"\n\n\n@strawberry_django.filter_type(models.Check, lookups=True)\nclass CheckFilter:\n    status: str | None = strawberry_django.filter_field()\n",
        ),
        (
            "api/views.py",
            "from django.shortcuts import get_object_or_404\nfrom django.views.generic import View\n\nfrom api.models import Check\n\n\nclass CheckView(View):\n    queryset = Check.objects.all()\n\n    def get(self, request, pk):\n        check = get_object_or_404(self.queryset, pk=pk)\n        return check.kind\n",
        ),
        (
            "api/serializers.py",
            "from rest_framework import serializers\n\nfrom api.models import Check\n\n\nclass CheckSerializer(serializers.ModelSerializer):\n    kind = serializers.ChoiceField(choices=[])\n    status = serializers.SerializerMethodField()\n    name = serializers.CharField(source=\"project.name\")\n\n    class Meta:\n        model = Check\n        fields = [\"id\"]\n\n\nclass CheckWithProjectSerializer(CheckSerializer):\n    class Meta(CheckSerializer.Meta):\n        fields = [\"id\", \"status\"]\n",
        ),
    ];
    let (_dir, result) = scan(&files, TABLES);
    assert_eq!(
        uses_in(&result, "api/forms.py"),
        set(&["api/forms.py:7 api_check.kind", "api/forms.py:12 api_check.name"])
    );
    assert_eq!(uses_in(&result, "api/filters.py"), set(&["api/filters.py:7 api_check.kind"]));
    assert_eq!(uses_in(&result, "api/views.py"), set(&["api/views.py:12 api_check.kind"]));
    assert_eq!(
        uses_in(&result, "api/graphql.py"),
        set(&["api/graphql.py:8 api_check.kind", "api/graphql.py:15 api_check.status"])
    );
    assert_eq!(uses_in(&result, "api/tables.py"), set(&["api/tables.py:7 api_check.status"]));
    assert_eq!(
        uses_in(&result, "api/serializers.py"),
        set(&[
            "api/serializers.py:7 api_check.kind",
            "api/serializers.py:9 api_check.project_id",
            "api/serializers.py:9 api_project.name",
            "api/serializers.py:13 api_check.id",
            "api/serializers.py:18 api_check.id",
            "api/serializers.py:18 api_check.status",
        ])
    );
}

/// An abstract model that is not a class's first base still gives it its fields (netbox's
/// `class Interface(ModularComponentModel, BaseInterface, …)`, `mtu` declared on
/// `BaseInterface`): its declaration and its `self.x` are the concrete model's column, and so is
/// the attribute on the concrete model's records.
#[test]
fn an_abstract_base_after_the_first_gives_its_fields() {
    let files = vec![
        (
            "dcim/models.py",
            "from django.db import models\n\n\nclass ComponentModel(models.Model):\n    name = models.CharField(max_length=64)\n\n    class Meta:\n        abstract = True\n\n\nclass BaseInterface(models.Model):\n    mtu = models.PositiveIntegerField(null=True)\n\n    class Meta:\n        abstract = True\n\n    def jumbo(self):\n        return self.mtu > 1500\n\n\nclass Interface(ComponentModel, BaseInterface):\n    speed = models.IntegerField(null=True)\n",
        ),
        (
            "dcim/views.py",
            "from dcim.models import Interface\n\n\ndef show(request, pk):\n    iface = Interface.objects.get(pk=pk)\n    return iface.mtu, iface.name\n",
        ),
    ];
    let (_dir, result) = scan(&files, &[("dcim_interface", &["id", "name", "mtu", "speed"])]);
    assert_eq!(uses_in(&result, "dcim/models.py"), set(&["dcim/models.py:18 dcim_interface.mtu"]));
    assert_eq!(
        uses_in(&result, "dcim/views.py"),
        set(&[
            "dcim/views.py:5 dcim_interface.id",
            "dcim/views.py:6 dcim_interface.mtu",
            "dcim/views.py:6 dcim_interface.name"
        ])
    );
    let declared: BTreeSet<String> = result
        .references
        .iter()
        .filter(|r| r.kind.as_str() == "declaration" && r.confidence >= tandem::config::Confidence::Medium)
        .map(|r| format!("{}:{} {}", r.path, r.line, r.object))
        .collect();
    assert!(declared.contains("dcim/models.py:12 dcim_interface.mtu"), "{declared:?}");
}

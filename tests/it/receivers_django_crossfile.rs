//! Django idioms measured on wger, Tandoor and netbox (issue 16, branch `dj8`): records
//! collected into lists, custom QuerySets and form mixins declared in another file than the
//! models that use them, field names held in a dict's items, a name given several model classes
//! in turn, one step on a name called after its model, a serializer's `get_fields`, and a table
//! the migrations drop. Each fixture asserts the exact lines found and, beside them, the same
//! word that must not be taken for the column.

use tandem::config::{Confidence, Framework};

use crate::support::cmd::{git, tandem_in};
use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.db import models

from cookbook.managers import RecipeQuerySet

RecipeManager = models.Manager.from_queryset(RecipeQuerySet)


class Language(models.Model):
    short_name = models.CharField(max_length=2)


class Translation(models.Model):
    language = models.ForeignKey(Language, on_delete=models.CASCADE)


class Recipe(models.Model):
    file_uid = models.CharField(max_length=256)
    objects = ScopedManager(space="space", _manager_class=RecipeManager)


class RecipeImport(models.Model):
    file_uid = models.CharField(max_length=256)


class CookLog(models.Model):
    recipe = models.ForeignKey(Recipe, on_delete=models.CASCADE)
    rating = models.IntegerField()


class Food(models.Model):
    plural_name = models.CharField(max_length=128)
    vcpus = models.IntegerField()

    def apply_defaults(self):
        defaults = {
            "vcpus": "default_vcpus",
        }
        for field, default_field in defaults.items():
            if getattr(self, field) is None:
                setattr(self, field, 1)


class Property(models.Model):
    amount = models.IntegerField()


class Request(models.Model):
    file_uid = models.CharField(max_length=256)
"#;

const MANAGERS: &str = r#"from django.db import models
from django.db.models import Avg, Q


class RecipeQuerySet(models.QuerySet):
    def with_rating(self):
        return self.annotate(rating=Avg(
            'cooklog__rating',
            filter=Q(cooklog__rating__isnull=False),
        ))


class OrphanQuerySet(models.QuerySet):
    def rated(self):
        return self.filter(rating__gt=0)
"#;

const COMMANDS: &str = r#"from cookbook.models import Translation


def handle():
    languages = []
    names = []
    for translation in Translation.objects.all():
        names.append(translation.language.short_name)
        if translation.language not in languages:
            languages.append(translation.language)
    for language in languages:
        print(language.short_name)
    for name in names:
        print(name.short_name)


def create_share_link(recipe, other):
    return recipe.file_uid, other.file_uid, recipe.plural_name


def view(request):
    return request.file_uid
"#;

const IMPORTER: &str = r#"from cookbook.models import Food, Property


def import_food():
    model_type = Food
    obj_dict = {
        'plural_name': 'x',
    }
    obj = model_type(**obj_dict)

    model_type = Property
    model_type(plural_name='y', amount=1)
"#;

const SERIALIZERS: &str = r#"from rest_framework import serializers

from cookbook.models import CookLog


class CookLogSerializer(serializers.ModelSerializer):
    def get_fields(self, *args, **kwargs):
        fields = super().get_fields(*args, **kwargs)
        for f in list(set(fields) - set(['id', 'rating'])):
            del fields[f]
        return fields

    def other(self):
        fields = {'rating': 1}
        return fields['rating']

    class Meta:
        model = CookLog
        fields = ('id', 'recipe')
"#;

const QUERIES: &str = r#"from cookbook.models import CookLog


def rated_logs(recipe):
    if recipe is None:
        return CookLog.objects.none()
    return CookLog.objects.filter(recipe=recipe).exclude(rating=0)


def anything(recipe):
    return recipe
"#;

const VIEWS: &str = r#"from cookbook.helper.queries import anything, rated_logs


def best(recipe):
    return rated_logs(recipe).filter(rating__gte=4).values_list("rating", flat=True)


def other(recipe):
    return anything(recipe).filter(rating=5)
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("cookbook_language", &["id", "short_name"]),
    ("cookbook_license", &["id", "short_name"]),
    ("cookbook_translation", &["id", "language_id"]),
    ("cookbook_recipe", &["id", "file_uid"]),
    ("cookbook_recipeimport", &["id", "file_uid"]),
    ("cookbook_cooklog", &["id", "recipe_id", "rating"]),
    ("cookbook_food", &["id", "plural_name", "vcpus"]),
    ("cookbook_unit", &["id", "plural_name"]),
    ("cookbook_property", &["id", "amount"]),
    ("cookbook_request", &["id", "file_uid"]),
];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [
        ("cookbook/models.py", MODELS),
        ("cookbook/managers.py", MANAGERS),
        ("cookbook/management/commands/extract.py", COMMANDS),
        ("cookbook/helper/importer.py", IMPORTER),
        ("cookbook/serializer.py", SERIALIZERS),
        ("cookbook/helper/queries.py", QUERIES),
        ("cookbook/views.py", VIEWS),
    ];
    scan_files("cookbook", Framework::Django, &files, TABLES)
}

/// A list a function fills with `append` from typed records holds them: its loop variable is
/// one (`for language in languages: language.short_name`, `short_name` being on two tables).
/// A list of plain values (`names.append(….short_name)`) types nothing.
#[test]
fn a_list_built_with_append_holds_the_records_appended() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "cookbook_language.short_name"),
        set(&[
            "cookbook/models.py:9",
            "cookbook/management/commands/extract.py:8",
            "cookbook/management/commands/extract.py:12",
        ])
    );
    assert_eq!(uses_of(&result, "cookbook_license.short_name"), set(&[]));
}

/// A custom QuerySet declared in `managers.py` and used by a model of `models.py` through
/// `Manager.from_queryset(…)` handed to another manager: `self.annotate(…)` in its methods runs
/// on that model, and a lookup spells the default inverse accessor `cooklog_set` as
/// `cooklog`. A QuerySet no model uses reads nothing (`OrphanQuerySet`'s `rating__gt`). So
/// does a function of another module whose every `return` is a queryset of one model: a call
/// of it in a file that imports it (`rated_logs(recipe).filter(rating__gte=4)`) is that model's
/// queryset; one returning anything else (`anything`) types nothing.
#[test]
fn a_custom_queryset_of_another_file_runs_on_the_models_that_use_it() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "cookbook_cooklog.rating"),
        set(&[
            "cookbook/models.py:27",
            "cookbook/managers.py:8",
            "cookbook/managers.py:9",
            "cookbook/serializer.py:9",
            "cookbook/helper/queries.py:7",
            "cookbook/views.py:5",
        ])
    );
    assert!(!result.references.iter().any(|r| &*r.path == "cookbook/managers.py" && r.line == 15));
    // `anything` returns what it is given: no model is bound to its result (a low guess at most).
    assert!(
        !result
            .references
            .iter()
            .any(|r| &*r.path == "cookbook/views.py" && r.line == 9 && r.confidence > Confidence::Low)
    );
}

/// `for field, default in defaults.items(): getattr(self, field)` reads the dict's keys on the
/// record; a name given two model classes in turn, each in a statement of the function's own
/// body, is the one given last before its use (`model_type(**obj_dict)` builds a `Food`, the
/// later `model_type(plural_name=…)` a `Property`, which has none).
#[test]
fn dict_items_into_getattr_and_a_class_name_given_in_turn() {
    let (_dir, result) = scan();
    assert_eq!(uses_of(&result, "cookbook_food.vcpus"), set(&["cookbook/models.py:32", "cookbook/models.py:36"]));
    assert_eq!(
        uses_of(&result, "cookbook_food.plural_name"),
        set(&["cookbook/models.py:31", "cookbook/helper/importer.py:7"])
    );
    assert_eq!(uses_of(&result, "cookbook_unit.plural_name"), set(&[]));
}

/// One step on an untyped name called after a model (`recipe.file_uid`) is that model's column
/// when it has one, at medium; the other table having the word stays a low guess, and a name
/// no model is called after (`other`) only an untyped attribute (`file_uid` on three tables).
/// A view's `request` is the HTTP request, whatever model is called `Request`.
#[test]
fn one_step_on_a_name_called_after_its_model() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "cookbook_recipe.file_uid"),
        set(&["cookbook/models.py:17", "cookbook/management/commands/extract.py:18"])
    );
    assert_eq!(uses_of(&result, "cookbook_recipeimport.file_uid"), set(&["cookbook/models.py:22"]));
    assert_eq!(uses_of(&result, "cookbook_request.file_uid"), set(&["cookbook/models.py:48"]));
    assert!(result.references.iter().any(|r| &*r.path == "cookbook/management/commands/extract.py"
        && r.line == 18
        && r.object.to_string() == "cookbook_recipeimport.file_uid"
        && r.confidence == Confidence::Low));
}

const FORMS: &str = r#"from django import forms


class InterfaceCommonForm(forms.Form):
    mtu = forms.IntegerField(required=False)


class LoginForm(forms.Form):
    mtu = forms.IntegerField(required=False)
"#;

const MODEL_FORMS: &str = r#"from dcim.forms.common import InterfaceCommonForm
from dcim.models import Interface


class InterfaceForm(InterfaceCommonForm, forms.ModelForm):
    class Meta:
        model = Interface
        fields = ('name',)
"#;

const FILTER_MIXINS: &str = r#"from dataclasses import dataclass

import strawberry_django


@dataclass
class InterfaceBaseFilterMixin:
    mtu: int | None = strawberry_django.filter_field()


@dataclass
class Point:
    mtu: int | None = None
"#;

const FILTERS: &str = r#"import strawberry_django

from dcim import models
from dcim.graphql.filter_mixins import InterfaceBaseFilterMixin


@strawberry_django.filter_type(models.Interface, lookups=True)
class InterfaceFilter(InterfaceBaseFilterMixin):
    name: str | None = strawberry_django.filter_field()
"#;

const DCIM_MODELS: &str = r#"from django.db import models


class Interface(models.Model):
    name = models.CharField(max_length=64)
    mtu = models.IntegerField()


class Link(models.Model):
    mtu = models.IntegerField()
"#;

/// A form mixin (`InterfaceCommonForm(forms.Form)`) and a strawberry-django filter mixin
/// declared in one file, inherited by a model form and a filter type over `Interface` in
/// another: their fields are `Interface`'s. A form no model-bound class inherits
/// (`LoginForm`) and a plain dataclass (`Point`) name none.
#[test]
fn mixins_of_another_file_declare_the_fields_of_the_models_inheriting_them() {
    let files = [
        ("dcim/models.py", DCIM_MODELS),
        ("dcim/forms/common.py", FORMS),
        ("dcim/forms/model_forms.py", MODEL_FORMS),
        ("dcim/graphql/filter_mixins.py", FILTER_MIXINS),
        ("dcim/graphql/filters.py", FILTERS),
    ];
    let tables: &[(&str, &[&str])] = &[("dcim_interface", &["id", "name", "mtu"]), ("dcim_link", &["id", "mtu"])];
    let (_dir, result) = scan_files("netbox", Framework::Django, &files, tables);
    assert_eq!(
        uses_of(&result, "dcim_interface.mtu"),
        set(&["dcim/models.py:6", "dcim/forms/common.py:5", "dcim/graphql/filter_mixins.py:8"])
    );
    assert_eq!(uses_of(&result, "dcim_link.mtu"), set(&["dcim/models.py:10"]));
}

/// Without a dump, `refs` replays the migrations without their drops; a table a migration
/// deletes that no model maps any more (`extras_jobresult`) no longer makes an attribute on an
/// untyped record ambiguous: `job.started` is `core_job`'s at medium, the old table's at low.
/// A table a model still maps keeps the attribute ambiguous (`note` on two live tables).
#[test]
fn a_table_the_migrations_drop_and_no_model_maps_leaves_an_attribute_to_the_live_one() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let w = |p: &str, t: &str| crate::support::cmd::write(root, p, t);
    w(
        "apps.toml",
        "[[app]]\nname = \"web\"\nrepo = \".\"\nframework = \"django\"\nhead = \"HEAD\"\n\
         migrations = [\"core/migrations\"]\n",
    );
    let head = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n";
    let id = "(\"id\", models.AutoField(primary_key=True))";
    w("core/migrations/__init__.py", "");
    w(
        "core/migrations/0001_initial.py",
        &format!(
            "{head}    dependencies = []\n    operations = [\n        \
             migrations.CreateModel(\"JobResult\", [{id}, (\"started\", models.DateTimeField()), (\"note\", models.TextField())]),\n        \
             migrations.CreateModel(\"Job\", [{id}, (\"started\", models.DateTimeField()), (\"note\", models.TextField())]),\n        \
             migrations.CreateModel(\"Task\", [{id}, (\"note\", models.TextField())]),\n    ]\n"
        ),
    );
    w(
        "core/migrations/0002_delete_jobresult.py",
        &format!(
            "{head}    dependencies = [(\"core\", \"0001_initial\")]\n    operations = [\n        \
             migrations.DeleteModel(name=\"JobResult\"),\n    ]\n"
        ),
    );
    w(
        "core/models.py",
        "from django.db import models\n\n\nclass Job(models.Model):\n    started = models.DateTimeField()\n    \
         note = models.TextField()\n\n\nclass Task(models.Model):\n    note = models.TextField()\n",
    );
    w("core/jobs.py", "def handle(runner):\n    return runner.started, runner.note\n");
    w(".gitignore", ".tandem/\n");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "init"]);
    let out = tandem_in(root)
        .args([
            "refs",
            "core_job.started",
            "core_jobresult.started",
            "core_job.note",
            "--format",
            "json",
            "--min-confidence",
            "low",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let at = |i: usize, path: &str| -> Vec<(u64, String)> {
        v["targets"][i]["references"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"] == path)
            .map(|r| (r["line"].as_u64().unwrap(), r["confidence"].as_str().unwrap().to_owned()))
            .collect()
    };
    assert_eq!(at(0, "core/jobs.py"), [(2, "medium".to_owned())], "{v:#}");
    assert_eq!(at(1, "core/jobs.py"), [(2, "low".to_owned())], "{v:#}");
    assert_eq!(at(2, "core/jobs.py"), [(2, "low".to_owned())], "{v:#}");
}

const EDIT_VIEWS: &str = r#"from django.views.generic import UpdateView

from cookbook.models import Recipe


class RecipeUpdate(UpdateView):
    model = Recipe

    def form_valid(self, form):
        if "file_uid" in form.changed_data:
            notify(form.cleaned_data["file_uid"])
        return super().form_valid(form)


def unbound(form):
    return form.cleaned_data["file_uid"]
"#;

/// A generic editing view over a model: what its `form_valid` reads of the form by name
/// (`"file_uid" in form.changed_data`, `form.cleaned_data["file_uid"]`) are the fields of the
/// form over the view's model, at medium; the same read in a function bound to no model is none.
#[test]
fn a_model_views_form_data_names_the_models_fields() {
    let files =
        [("cookbook/models.py", MODELS), ("cookbook/managers.py", MANAGERS), ("cookbook/views/edit.py", EDIT_VIEWS)];
    let (_dir, result) = scan_files("cookbook", Framework::Django, &files, TABLES);
    assert_eq!(
        uses_of(&result, "cookbook_recipe.file_uid"),
        set(&["cookbook/models.py:17", "cookbook/views/edit.py:10", "cookbook/views/edit.py:11"])
    );
    assert_eq!(uses_of(&result, "cookbook_recipeimport.file_uid"), set(&["cookbook/models.py:22"]));
}

const IPAM_MODELS: &str = r#"from django.db import models


class Prefix(models.Model):
    status = models.CharField(max_length=50)
    is_pool = models.BooleanField(default=False)

    @property
    def family(self):
        return 4


class Range(models.Model):
    status = models.CharField(max_length=50)
    is_pool = models.BooleanField(default=False)
"#;

const PANELS: &str = r#"from netbox.ui import attrs, panels


class PrefixPanel(panels.ObjectAttributesPanel):
    family = attrs.TextAttr('family', format_string='IPv{}')
    status = attrs.ChoiceAttr('status')
    is_pool = attrs.BooleanAttr('is_pool')


class OddPanel(panels.ObjectAttributesPanel):
    status = attrs.ChoiceAttr('status')
    is_pool = attrs.BooleanAttr('is_pool')
    nothing = attrs.TextAttr('nothing')
"#;

/// A detail panel's attributes name the one model that has every name, and a model's
/// `@property` is one of its names (no column): `PrefixPanel` lists `family` beside two fields
/// `Range` also has, so it is `Prefix`'s. A panel with a name no model has (`OddPanel`) names
/// none.
#[test]
fn a_models_properties_count_among_the_names_a_panel_lists() {
    let files = [("ipam/models.py", IPAM_MODELS), ("ipam/ui/panels.py", PANELS)];
    let tables: &[(&str, &[&str])] =
        &[("ipam_prefix", &["id", "status", "is_pool"]), ("ipam_range", &["id", "status", "is_pool"])];
    let (_dir, result) = scan_files("netbox", Framework::Django, &files, tables);
    assert_eq!(uses_of(&result, "ipam_prefix.is_pool"), set(&["ipam/models.py:6", "ipam/ui/panels.py:7"]));
    assert_eq!(uses_of(&result, "ipam_range.is_pool"), set(&["ipam/models.py:15"]));
    assert!(!result.references.iter().any(|r| r.object.to_string().ends_with(".family")));
}

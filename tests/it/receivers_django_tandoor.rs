//! Django idioms measured on Tandoor at d206eddb (`benches/accuracy/tandoor`), an app tandem had
//! never seen: each fixture asserts the exact lines found for a column and, beside them, the
//! same word that must not be taken for it.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from annoying.fields import AutoOneToOneField
from django.contrib.auth.models import User
from django.db import models


class UserPreference(models.Model):
    user = AutoOneToOneField(User, on_delete=models.CASCADE, primary_key=True)
    theme = models.CharField(max_length=128)


class ShoppingListEntry(models.Model):
    checked = models.BooleanField(default=False)
    completed_at = models.DateTimeField(null=True, blank=True)
"#;

const TAGS: &str = r#"def theming(request):
    values = {"theme": "default"}
    if request.user.userpreference.theme in THEMES:
        values["theme"] = request.user.userpreference.theme
    return values, request.user.no_such_accessor.theme
"#;

const SERIALIZERS: &str = r#"from django.utils import timezone
from rest_framework import serializers

from cookbook.models import ShoppingListEntry


class ShoppingListEntrySerializer(serializers.ModelSerializer):
    def run_validation(self, data):
        if data.get("checked", False) and not self.root.instance.checked:
            data["completed_at"] = timezone.now()
        elif "completed_at" in data:
            del data["completed_at"]
        return super().run_validation(data)

    class Meta:
        model = ShoppingListEntry
        fields = ("id", "checked")


class BulkSerializer(serializers.Serializer):
    def run_validation(self, data):
        data["completed_at"] = None
        return super().run_validation(data)

    def to_internal_value(self, other):
        return other["checked"]
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("cookbook_userpreference", &["user_id", "theme"]),
    ("cookbook_shoppinglistentry", &["id", "checked", "completed_at"]),
];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [
        ("cookbook/models.py", MODELS),
        ("cookbook/templatetags/theming.py", TAGS),
        ("cookbook/serializer.py", SERIALIZERS),
        (
            "cookbook/templates/frontend/app.html",
            "{% if request.user.userpreference.theme == 'DARK' %}dark{% endif %}\n<meta name=\"theme-color\">\n",
        ),
    ];
    scan_files("tandoor", Framework::Django, &files, TABLES)
}

/// A relation field of another package that subclasses Django's (django-annoying's
/// `AutoOneToOneField`) is a relation like `OneToOneField`: its column is `user_id`, and
/// `auth.User` — which the app does not declare — gets the accessor back, so
/// `request.user.userpreference.theme` reads the column, in Python and in a template. A dict key
/// `"theme"`, an accessor no relation gives and an HTML `theme-color` do not.
#[test]
fn a_relation_field_subclass_gives_the_accessor_back() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "cookbook_userpreference.theme"),
        set(&[
            "cookbook/models.py:8",
            "cookbook/templatetags/theming.py:3",
            "cookbook/templatetags/theming.py:4",
            "cookbook/templates/frontend/app.html:1",
        ])
    );
    assert_eq!(uses_of(&result, "cookbook_userpreference.user_id"), set(&["cookbook/models.py:7"]));
}

/// A model serializer's `run_validation(data)` (and `to_internal_value(data)`) reads and rewrites
/// the incoming data by the model's field names (`data["completed_at"] = timezone.now()`, `"x" in
/// data`, `del data["x"]`, `data.get("x")`); a plain `Serializer`'s, or a parameter of another
/// name, names no column.
#[test]
fn run_validation_data_keys_are_the_models_fields() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "cookbook_shoppinglistentry.completed_at"),
        set(&[
            "cookbook/models.py:13",
            "cookbook/serializer.py:10",
            "cookbook/serializer.py:11",
            "cookbook/serializer.py:12",
        ])
    );
    assert_eq!(
        uses_of(&result, "cookbook_shoppinglistentry.checked"),
        set(&["cookbook/models.py:12", "cookbook/serializer.py:9", "cookbook/serializer.py:17"])
    );
}

const PLANS: &str = r#"from django.db import models
from django.db.models import Index


class MealPlan(models.Model):
    from_date = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        indexes = (
            Index(fields=["from_date"]),
        )
"#;

const PLAN_VIEWS: &str = r#"from plans.models import MealPlan


def plan(day, send):
    args = {"from_date": day, "title": ""}
    args["note"] = ""
    MealPlan(**args)
    other = {"from_date": day, "note": ""}
    send(**other)
    return MealPlan.objects.create(**{"note": "x"})


def imported(fields, **kwargs):
    return MealPlan.objects.create(**fields, **kwargs)
"#;

/// The meal plan model beside one file that uses it.
fn scan_plans(file: (&str, &str)) -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let tables: &[(&str, &[&str])] = &[("plans_mealplan", &["id", "from_date", "note"])];
    scan_files("tandoor", Framework::Django, &[("plans/models.py", PLANS), file], tables)
}

/// A model's constructor or a `create`/`filter` handed `**d` takes the keys `d` is given in the
/// function (`args = {"from_date": …}`, `args["note"] = …`) or a dict literal's; the same keys
/// passed to another callable, and a parameter's splat, name none. `Index(fields=[…])` imported
/// bare from `django.db.models` (not only `models.Index`) lists the `Meta`'s model's fields.
#[test]
fn dict_splats_into_a_model_and_bare_meta_indexes() {
    let (_dir, result) = scan_plans(("plans/views.py", PLAN_VIEWS));
    assert_eq!(
        uses_of(&result, "plans_mealplan.from_date"),
        set(&["plans/models.py:6", "plans/models.py:11", "plans/views.py:5"])
    );
    assert_eq!(
        uses_of(&result, "plans_mealplan.note"),
        set(&["plans/models.py:7", "plans/views.py:6", "plans/views.py:10"])
    );
}

const IMPORTER: &str = r#"from plans.models import MealPlan


class Importer:
    def import_plans(self, rows):
        model_type = MealPlan
        field_list = ["from_date", "title"]
        existing = model_type.objects.filter(space=self.space).values("pk", *field_list)
        for row in rows:
            model_type(note=row["note"])
        return existing

    def import_other(self, rows, kind):
        model_type = MealPlan
        model_type = kind
        note_list = ["note"]
        return model_type(note=rows), model_type.objects.values(*note_list)
"#;

/// A name holding a model class (`model_type = MealPlan`) is called and queried as the class:
/// `model_type(note=…)`, `model_type.objects.filter(…).values("pk", *field_list)` with the names
/// `field_list` is given. A name also given something else (`model_type = kind`) holds no model.
#[test]
fn a_name_holding_a_model_class_and_a_splatted_name_list() {
    let (_dir, result) = scan_plans(("plans/importer.py", IMPORTER));
    assert_eq!(
        uses_of(&result, "plans_mealplan.from_date"),
        set(&["plans/models.py:6", "plans/models.py:11", "plans/importer.py:7"])
    );
    assert_eq!(uses_of(&result, "plans_mealplan.note"), set(&["plans/models.py:7", "plans/importer.py:10"]));
}

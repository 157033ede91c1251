//! Lists of field names that name their model less directly (netbox at 43fe81f9,
//! `benches/accuracy/netbox`): a table's `Meta.default_columns` and a serializer's
//! `Meta.brief_fields` (a subset of the `Meta.fields`), a form inheriting its `Meta` from a model
//! form of the same file, a bulk-edit form's fields beside a class-level `model =` (a filter
//! form's are query parameters), a detail panel's attributes named for the one model that has
//! them all, a serializer given `fields=[…]`, and a filter set's `search(self, queryset, …)`
//! filtering with `Q` objects kept in a name. Each fixture asserts the lines found and those
//! where the same word must not be taken for the column.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.db import models


class Site(models.Model):
    name = models.CharField(max_length=100)
    facility = models.CharField(max_length=50)
    time_zone = models.CharField(max_length=50)


class Location(models.Model):
    site = models.ForeignKey(Site, on_delete=models.CASCADE)
    name = models.CharField(max_length=100)
    facility = models.CharField(max_length=50)


class PowerFeed(models.Model):
    name = models.CharField(max_length=100)
    voltage = models.SmallIntegerField()
    phase = models.CharField(max_length=50)
    status = models.CharField(max_length=50)


class IPAddress(models.Model):
    address = models.CharField(max_length=100)
    dns_name = models.CharField(max_length=255)
    status = models.CharField(max_length=50)
"#;

const TABLES_PY: &str = r#"import django_tables2 as tables

from .models import PowerFeed


class PowerFeedTable(tables.Table):
    link_peer = tables.Column()

    class Meta:
        model = PowerFeed
        fields = ('pk', 'name', 'voltage', 'phase', 'link_peer')
        default_columns = ('pk', 'name', 'voltage', 'link_peer')
        sequence = ('name', 'voltage', 'cable')
"#;

const SERIALIZERS: &str = r#"from rest_framework import serializers

from dcim.models import IPAddress


class IPAddressSerializer(serializers.ModelSerializer):
    class Meta:
        model = IPAddress
        fields = ['id', 'address', 'dns_name', 'status']
        brief_fields = ('id', 'address', 'dns_name')
"#;

const NESTED: &str = r#"from rest_framework import serializers

from ipam.serializers import IPAddressSerializer


class InterfaceSerializer(serializers.Serializer):
    primary_ip = IPAddressSerializer(nested=True, fields=[*IPAddressSerializer.Meta.brief_fields, 'dns_name'])
    oob_ip = IPAddressSerializer(nested=True, fields=['status', 'dns_name'])
    any_ip = IPAddressSerializer(nested=True, fields=['status'])
    bad_ip = IPAddressSerializer(nested=True, fields=['dns_name', 'vlan'])
    other = Thing(fields=['dns_name', 'address'])
"#;

const FORMS: &str = r#"from django import forms

from utilities.forms import FieldSet, NetBoxModelBulkEditForm, NetBoxModelFilterSetForm

from .models import PowerFeed


class PowerFeedForm(forms.ModelForm):
    class Meta:
        model = PowerFeed
        fields = ['name', 'voltage']


class PowerFeedBulkAddForm(PowerFeedForm):
    fieldsets = (FieldSet('name', 'phase'),)


class PowerFeedBulkEditForm(NetBoxModelBulkEditForm):
    voltage = forms.IntegerField(required=False)
    phase_count = forms.IntegerField(required=False)

    model = PowerFeed
    fieldsets = (FieldSet('voltage', 'phase_count'), FieldSet('phase', 'q'))


class PowerFeedFilterForm(NetBoxModelFilterSetForm):
    voltage = forms.IntegerField(required=False)

    model = PowerFeed
    fieldsets = (FieldSet('q', 'tag'), FieldSet('voltage', 'phase'))
"#;

const PANELS: &str = r#"from django.utils.translation import gettext_lazy as _

from netbox.ui import attrs, panels


class SitePanel(panels.ObjectAttributesPanel):
    title = _('Site')
    name = attrs.TextAttr('name')
    facility = attrs.TextAttr('facility')
    tz = attrs.TimezoneAttr('time_zone')


class LocationPanel(panels.ObjectAttributesPanel):
    name = attrs.TextAttr('name')
    facility = attrs.TextAttr('facility')
    site = attrs.RelatedObjectAttr('site', linkify=True)


class FacilityPanel(panels.ObjectAttributesPanel):
    name = attrs.TextAttr('name')
    facility = attrs.TextAttr('facility')


class OnePanel(panels.ObjectAttributesPanel):
    facility = attrs.TextAttr('facility')


class FacilityColumns:
    facility = Column('Facility')
    time_zone = Column('Time zone')
    name = Column('Name')
"#;

const FILTERSETS: &str = r#"import django_filters
from django.db.models import Q

from .models import Location, Site


class SiteFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method='search')

    class Meta:
        model = Site
        fields = ('id', 'name')

    def search(self, queryset, name, value):
        qs_filter = (
            Q(name__icontains=value) |
            Q(facility__icontains=value)
        )
        qs_filter |= Q(time_zone=value.strip())
        other = Location.objects.filter(Q(facility=value)).values('facility')
        return queryset.filter(qs_filter).exclude(pk__in=other)


def unbound(queryset, value):
    query = Q(facility=value)
    return queryset.filter(query)
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("dcim_site", &["id", "name", "facility", "time_zone"]),
    ("dcim_location", &["id", "site_id", "name", "facility"]),
    ("dcim_powerfeed", &["id", "name", "voltage", "phase", "status"]),
    ("dcim_ipaddress", &["id", "address", "dns_name", "status"]),
];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [
        ("dcim/models.py", MODELS),
        ("dcim/tables.py", TABLES_PY),
        ("ipam/serializers.py", SERIALIZERS),
        ("dcim/serializers.py", NESTED),
        ("dcim/forms.py", FORMS),
        ("dcim/panels.py", PANELS),
        ("dcim/filtersets.py", FILTERSETS),
    ];
    scan_files("netbox", Framework::Django, &files, TABLES)
}

/// A table's `default_columns` and a serializer's `brief_fields` name the model's fields when
/// every name is one of the `Meta.fields` (not `sequence`, which names `cable`); a form without
/// a `Meta` has its same-file base's model; a bulk-edit form's declared field and each group of
/// its `fieldsets` naming only the model's fields and the form's own (`phase_count`) are the
/// model's, not a group with another name (`q`) nor anything of a filter form.
#[test]
fn meta_subsets_inherited_forms_and_bulk_edit_forms() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "dcim_powerfeed.voltage"),
        set(&[
            "dcim/models.py:18",
            "dcim/tables.py:11",
            "dcim/tables.py:12",
            "dcim/forms.py:11",
            "dcim/forms.py:19",
            "dcim/forms.py:23"
        ])
    );
    assert_eq!(
        uses_of(&result, "dcim_powerfeed.phase"),
        set(&["dcim/models.py:19", "dcim/tables.py:11", "dcim/forms.py:15"])
    );
    assert_eq!(
        uses_of(&result, "dcim_ipaddress.dns_name"),
        set(&[
            "dcim/models.py:25",
            "ipam/serializers.py:9",
            "ipam/serializers.py:10",
            "dcim/serializers.py:7",
            "dcim/serializers.py:8"
        ])
    );
}

/// A serializer given `fields=[…]` shows fields of the one model that has every name listed
/// (`['status']` fits two models, `vlan` none; `Thing(fields=…)` is no serializer); a panel's
/// attributes are the fields of the one model that has them all (`name` and `facility` fit both
/// sites and locations, a single name proves nothing, `Column('Facility')` names no attribute).
/// A filter set's `method=` filter is handed its model's `queryset`, and `Q(…)` objects kept in
/// a name (`qs_filter = Q(…) | Q(…)`, `qs_filter |= Q(…)`) filter it; a query on another model
/// kept in a name (`other = Location.objects.filter(…)`) does not, nor does a function's
/// untyped `queryset`.
#[test]
fn serializer_fields_and_panels_of_the_one_model_with_every_name() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "dcim_ipaddress.status"),
        set(&["dcim/models.py:26", "ipam/serializers.py:9", "dcim/serializers.py:8"])
    );
    assert_eq!(uses_of(&result, "dcim_powerfeed.status"), set(&["dcim/models.py:20"]));
    assert_eq!(
        uses_of(&result, "dcim_site.facility"),
        set(&["dcim/models.py:6", "dcim/panels.py:9", "dcim/filtersets.py:17"])
    );
    assert_eq!(
        uses_of(&result, "dcim_location.facility"),
        set(&["dcim/models.py:13", "dcim/panels.py:15", "dcim/filtersets.py:20"])
    );
    assert_eq!(
        uses_of(&result, "dcim_site.time_zone"),
        set(&["dcim/models.py:7", "dcim/panels.py:10", "dcim/filtersets.py:19"])
    );
}

//! Lists of a model's field names in classes bound to the model (netbox at 43fe81f9,
//! `benches/accuracy/netbox`): a model form's `fieldsets = (FieldSet(…), …)`, a bulk-edit form's
//! `fieldsets` and `nullable_fields` beside `model = Interface`, the model's own `clone_fields`.
//! A list counts only when every name in it is a field of the model; each fixture asserts the
//! lines found for a column and those where the same word must not be taken for it.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const MODELS: &str = r#"from django.db import models


class Device(models.Model):
    name = models.CharField(max_length=64)


class Interface(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE)
    name = models.CharField(max_length=64)
    mtu = models.IntegerField(null=True)
    duplex = models.CharField(max_length=8)

    clone_fields = ('device', 'mtu', 'duplex')
    prerequisite_models = ('dcim.Device', 'mtu')
"#;

const FORMS: &str = r#"from django import forms
from django.utils.translation import gettext_lazy as _

from utilities.forms.rendering import FieldSet, TabbedGroups

from .models import Interface


class InterfaceForm(forms.ModelForm):
    vlan_group = forms.CharField(required=False)

    fieldsets = (
        FieldSet('device', 'name', 'mtu', name=_('Interface')),
        FieldSet(TabbedGroups(FieldSet('duplex', name='mtu')), 'device'),
        FieldSet('mtu', 'vlan_group'),
    )

    class Meta:
        model = Interface
        fields = ['device', 'name']


class InterfaceBulkEditForm(forms.Form):
    model = Interface
    fieldsets = (FieldSet('device', 'mtu'), FieldSet('duplex', _('mtu')))
    nullable_fields = ('mtu', 'duplex')


class InterfaceFilterForm(forms.Form):
    model = Interface
    fieldsets = (FieldSet('q', 'tag'), FieldSet('mtu', 'duplex'))
    nullable_fields = ('mtu', 'duplex__gt')


class Unbound(forms.Form):
    fieldsets = (FieldSet('mtu', 'duplex'),)
    nullable_fields = ('mtu',)


class InterfaceBulkCreateForm(form_from_model(Interface, ['mtu', 'duplex'])):
    pass


OTHER = form_from_model(Interface, ['mtu', 'vlan_group'])
"#;

const TABLES: &[(&str, &[&str])] =
    &[("dcim_device", &["id", "name"]), ("dcim_interface", &["id", "device_id", "name", "mtu", "duplex"])];

fn scan() -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let files = [("dcim/models.py", MODELS), ("dcim/forms.py", FORMS)];
    scan_files("netbox", Framework::Django, &files, TABLES)
}

/// `mtu` in the model's `clone_fields`, in each of a model form's groups that name only the
/// model's fields and the form's own (`FieldSet('mtu', 'vlan_group')`), and in
/// a bulk-edit form's lists; not in a keyword value (`name='mtu'`), a translated string, a list
/// of app labels on the model, a filter form's `fieldsets` (its `q` and `tag` are query
/// parameters, so its whole list is), a list with a lookup path, nor in a class bound to no model.
/// A call handed a model and a list (`form_from_model(Interface, [...])`) follows the same rule.
#[test]
fn field_lists_of_classes_bound_to_a_model() {
    let (_dir, result) = scan();
    assert_eq!(
        uses_of(&result, "dcim_interface.mtu"),
        set(&[
            "dcim/models.py:11",
            "dcim/models.py:14",
            "dcim/forms.py:13",
            "dcim/forms.py:15",
            "dcim/forms.py:25",
            "dcim/forms.py:26",
            "dcim/forms.py:40"
        ])
    );
    assert_eq!(
        uses_of(&result, "dcim_interface.duplex"),
        set(&[
            "dcim/models.py:12",
            "dcim/models.py:14",
            "dcim/forms.py:14",
            "dcim/forms.py:25",
            "dcim/forms.py:26",
            "dcim/forms.py:40"
        ])
    );
}

//! Django idioms measured on Tabbycat at 59c4d5fc (`benches/accuracy/tabbycat`), an app tandem
//! had never seen: forms and serializers over multi-table-inheritance children, serializers
//! nested in serializers, view attributes their subclasses declare, `defaults` dicts filled by
//! subscript, a model form's `self.initial`, and relations of `self.<record>` nothing types.
//! Each fixture asserts the exact lines found for a column and, beside them, the same word that
//! must not be taken for it.

use tandem::config::Framework;

use crate::support::scan::{scan_files, set, uses_of};

const PARTICIPANTS: &str = r#"from django.db import models


class Person(models.Model):
    name = models.CharField(max_length=40)
    phone = models.CharField(max_length=40)
    anonymous = models.BooleanField(default=False)


class Speaker(Person):
    team = models.ForeignKey("participants.Team", models.CASCADE)


class Team(models.Model):
    short_name = models.CharField(max_length=40)
    use_institution_prefix = models.BooleanField(default=False)


class Tournament(models.Model):
    slug = models.CharField(max_length=40)


class Round(models.Model):
    tournament = models.ForeignKey(Tournament, models.CASCADE)
    motions_released = models.BooleanField(default=False)


class BreakingTeam(models.Model):
    team = models.ForeignKey(Team, models.CASCADE)
    rank = models.IntegerField()
    remark = models.CharField(max_length=1)
"#;

const DRAW: &str = r#"from django.db import models


class Debate(models.Model):
    flags = models.CharField(max_length=40)
    importance = models.IntegerField()


class DebateTeam(models.Model):
    debate = models.ForeignKey(Debate, models.CASCADE)
    flags = models.CharField(max_length=40)
"#;

const NOTIFICATIONS: &str = r#"from django.db import models


class BulkNotification(models.Model):
    subject_template = models.CharField(max_length=40)
    hook_id = models.CharField(max_length=40)
"#;

const TABLES: &[(&str, &[&str])] = &[
    ("participants_person", &["id", "name", "phone", "anonymous"]),
    ("participants_speaker", &["person_ptr_id", "team_id"]),
    ("participants_team", &["id", "short_name", "use_institution_prefix"]),
    ("participants_tournament", &["id", "slug"]),
    ("participants_round", &["id", "tournament_id", "motions_released"]),
    ("participants_breakingteam", &["id", "team_id", "rank", "remark"]),
    ("draw_debate", &["id", "flags", "importance"]),
    ("draw_debateteam", &["id", "debate_id", "flags"]),
    ("notifications_bulknotification", &["id", "subject_template", "hook_id"]),
];

fn scan(more: &[(&'static str, &'static str)]) -> (tempfile::TempDir, tandem::scan::ScanResult) {
    let mut files = vec![
        ("participants/models.py", PARTICIPANTS),
        ("draw/models.py", DRAW),
        ("notifications/models.py", NOTIFICATIONS),
    ];
    files.extend_from_slice(more);
    scan_files("tabbycat", Framework::Django, &files, TABLES)
}

const FORMS: &str = r#"from django import forms
from rest_framework import serializers

from participants.models import Speaker


class SpeakerForm(forms.ModelForm):

    def __init__(self, tournament, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ({'phone', 'name'} - set(tournament.fields)):
            self.fields.pop(field)

    class Meta:
        model = Speaker
        fields = ('name', 'phone', 'team')


class SpeakerSerializer(serializers.ModelSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop('phone')

    class Meta:
        model = Speaker
        fields = ('name', 'phone')


def anonymous_speakers():
    return [s.anonymous for s in Speaker.objects.filter(anonymous=True)]
"#;

/// A model form or serializer over a multi-table-inheritance child (`Speaker(Person)`) names the
/// parent's columns: `Meta.fields`, the names it pops from `self.fields`, and reads through the
/// child, are `participants_person`'s — never a column of the child's own table.
#[test]
fn field_lists_over_a_multi_table_inheritance_child() {
    let (_dir, result) = scan(&[("registration/forms.py", FORMS)]);
    assert_eq!(
        uses_of(&result, "participants_person.phone"),
        set(&[
            "participants/models.py:6",
            "registration/forms.py:11",
            "registration/forms.py:16",
            "registration/forms.py:22",
            "registration/forms.py:26",
        ])
    );
    assert_eq!(
        uses_of(&result, "participants_person.anonymous"),
        set(&["participants/models.py:7", "registration/forms.py:30"])
    );
    assert_eq!(uses_of(&result, "participants_speaker.phone"), set(&[]));
    assert_eq!(
        uses_of(&result, "participants_speaker.team_id"),
        set(&["participants/models.py:11", "registration/forms.py:16"])
    );
}

const SERIALIZERS: &str = r#"from rest_framework import serializers

from draw.models import Debate, DebateTeam


class RoundPairingSerializer(serializers.ModelSerializer):
    class DebateTeamSerializer(serializers.ModelSerializer):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if 'flags' in self.fields:
                self.fields.pop('flags')

        class Meta:
            model = DebateTeam
            fields = ('debate', 'flags')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop('importance')

    class Meta:
        model = Debate
        fields = ('importance', 'flags')
"#;

/// A serializer declared inside another works on its own `Meta.model`: the `self.fields` keys
/// of its methods are its model's fields, not the outer serializer's.
#[test]
fn a_serializer_nested_in_another_keeps_its_own_model() {
    let (_dir, result) = scan(&[("api/serializers.py", SERIALIZERS)]);
    assert_eq!(uses_of(&result, "draw_debate.flags"), set(&["draw/models.py:5", "api/serializers.py:23"]));
    assert_eq!(
        uses_of(&result, "draw_debateteam.flags"),
        set(&["draw/models.py:11", "api/serializers.py:10", "api/serializers.py:11", "api/serializers.py:15"])
    );
    assert_eq!(
        uses_of(&result, "draw_debate.importance"),
        set(&["draw/models.py:6", "api/serializers.py:19", "api/serializers.py:23"])
    );
}

const BASE_VIEWS: &str = r#"from django.views.generic import FormView


class TemplateEmailCreateView(FormView):
    def get_initial(self):
        initial = super().get_initial()
        initial['subject_line'] = self.tournament.pref(self.subject_template)
        initial['hook'] = self.hook_id
        return initial


class RoundTemplateEmailCreateView(TemplateEmailCreateView):
    def get_extra(self):
        return {'round_id': self.round.id}
"#;

const DRAW_VIEWS: &str = r#"from notifications.views import RoundTemplateEmailCreateView


class EmailAdjudicatorAssignmentsView(RoundTemplateEmailCreateView):
    subject_template = 'adj_email_subject'
"#;

/// An attribute a view's subclasses declare in their bodies (`subject_template =
/// 'adj_email_subject'`, in another file, two classes down) is the view's own when its methods
/// read `self.subject_template`: no column. One nothing declares (`self.hook_id`) stays the
/// attribute of the one table that has it.
#[test]
fn an_attribute_subclasses_declare_is_the_views_own() {
    let (_dir, result) = scan(&[("notifications/views.py", BASE_VIEWS), ("draw/views.py", DRAW_VIEWS)]);
    assert_eq!(
        uses_of(&result, "notifications_bulknotification.subject_template"),
        set(&["notifications/models.py:5"])
    );
    assert_eq!(
        uses_of(&result, "notifications_bulknotification.hook_id"),
        set(&["notifications/models.py:6", "notifications/views.py:8"])
    );
}

const BREAK: &str = r#"from django import forms
from django.db.models import Q

from participants.models import BreakingTeam, Team


def save_break(team, rank, remark, others):
    defaults = {'rank': rank}
    if remark is not None:
        defaults['remark'] = remark
    BreakingTeam.objects.update_or_create(team=team, defaults=defaults)
    others['remark'] = remark
    return others


class TeamDetailsForm(forms.ModelForm):
    short_name = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial['use_institution_prefix'] = False
        self.initial['short_name'] = 'x'

    class Meta:
        model = Team
        fields = ('short_name', 'use_institution_prefix')


class PublicMotionsView:
    def get_context_data(self, **kwargs):
        filter_q = Q(motions_released=True) | Q(tournament__slug='x')
        kwargs['rounds'] = self.tournament.round_set.filter(filter_q)
        kwargs['plain'] = self.queryset.filter(motions_released=False)
        return kwargs
"#;

/// A `defaults` dict filled by subscript before `update_or_create(defaults=defaults)` names the
/// model's fields (another dict's key does not); a model form's `self.initial[…]` keys are its
/// fields, unless the form declares that field itself (`short_name = forms.CharField()`: the
/// declaration is read at medium, its initial value is the form's own); `self.tournament.round_set.filter(…)` on a `tournament` nothing types is the relation
/// of the record it is named after, the `Q` held in a local read there — `self.queryset` alone
/// suggests no model.
#[test]
fn defaults_by_subscript_form_initial_and_self_relations() {
    let (_dir, result) = scan(&[("breakqual/base.py", BREAK)]);
    assert_eq!(
        uses_of(&result, "participants_breakingteam.remark"),
        set(&["participants/models.py:31", "breakqual/base.py:10"])
    );
    assert_eq!(
        uses_of(&result, "participants_team.use_institution_prefix"),
        set(&["participants/models.py:16", "breakqual/base.py:21", "breakqual/base.py:26"])
    );
    assert_eq!(
        uses_of(&result, "participants_team.short_name"),
        set(&["participants/models.py:15", "breakqual/base.py:17", "breakqual/base.py:26"])
    );
    assert_eq!(
        uses_of(&result, "participants_round.motions_released"),
        set(&["participants/models.py:25", "breakqual/base.py:31"])
    );
}

const ACTIONLOG: &str = r#"from django.db import models


class ActionLogManager(models.Manager):
    def log(self, *args, **kwargs):
        obj = self.model(*args, **kwargs)
        obj.full_clean()
        obj.save()
        return obj

    def render(self, **kwargs):
        return self.model.render(kwargs)


class ActionLogEntry(models.Model):
    agent = models.CharField(max_length=1)
    ip_address = models.CharField(max_length=40)

    objects = ActionLogManager()
"#;

const ACTIONS: &str = r#"from actionlog.models import ActionLogEntry


def record(request):
    ActionLogEntry.objects.log(agent="a", ip_address=request.ip)
    ActionLogEntry.objects.render(agent="b")
"#;

/// A custom manager method that builds its model's record from its `**kwargs`
/// (`self.model(*args, **kwargs)`, then saved) takes the model's fields as keywords; one that
/// hands them to a method of the model class (`self.model.render(kwargs)`) does not.
#[test]
fn keywords_a_manager_method_builds_a_record_with() {
    let (_dir, result) = scan_files(
        "tabbycat",
        Framework::Django,
        &[("actionlog/models.py", ACTIONLOG), ("actionlog/utils.py", ACTIONS)],
        &[("actionlog_actionlogentry", &["id", "agent", "ip_address"])],
    );
    assert_eq!(
        uses_of(&result, "actionlog_actionlogentry.agent"),
        set(&["actionlog/models.py:16", "actionlog/utils.py:5"])
    );
}

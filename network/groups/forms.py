"""Grouping forms. The rules (which ids are allowed, unique names) are checked in ``services``;
these forms only carry the values, so every message comes from one place."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, IntegerField, RadioField, SelectField, StringField

from network.groups.models import GroupKind
from network.groups.services import MAX_GROUPS

BASIS_CHOICES = [
    (GroupKind.GROWTH.value, _l("Vekstklasse: kommuner med lik befolkningsutvikling sammen")),
    (GroupKind.CHALLENGE.value, _l("En felles utfordring: kommunene som har valgt den, sammen")),
    (GroupKind.MIXED.value, _l("Blandet: spredt på vekstklasser og fylker")),
    (GroupKind.FREE.value, _l("Fritt: tomme grupper som du fyller selv")),
]


class WholeNumberField(IntegerField):
    """An integer field whose error for "abc" is in Norwegian."""

    def process_formdata(self, valuelist):
        if valuelist and str(valuelist[0]).strip() == "":
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(_l("Skriv ønsket gruppestørrelse som et helt tall."))) from None


class SettingsForm(FlaskForm):
    """Step 1 of a new grouping, sent with GET so the suggestion can be bookmarked and reloaded."""

    class Meta:
        csrf = False

    name = StringField(_l("Navn på gruppeinndelingen"), description=_l("For eksempel «Gruppearbeid på samling 3»."))
    gathering_id = SelectField(_l("Samling"), description=_l("Velg samlingen gruppene er til, eller la stå tomt."),
                               validate_choice=False)
    basis = RadioField(_l("Grupper etter"), choices=BASIS_CHOICES, default=GroupKind.GROWTH.value, validate_choice=False)
    challenge_id = SelectField(_l("Utfordring"), description=_l("Gjelder bare når gruppene samles om en utfordring."),
                               validate_choice=False)
    target_size = WholeNumberField(_l("Ønsket antall kommuner per gruppe"), default=4,
                                   description=_l("Mellom 2 og 50. Antall grupper blir antall kommuner delt på dette, avrundet."))

    def set_choices(self, gatherings, challenges) -> None:
        self.gathering_id.choices = gathering_choices(gatherings, self.gathering_id.data)
        self.challenge_id.choices = [("", _l("Velg utfordring"))] + [(str(c.id), c.title) for c in challenges]


def gathering_choices(gatherings, chosen: str | None = None) -> list[tuple[str, str]]:
    """The gatherings groups can be made for: not a cancelled one, unless it is the one chosen
    already (a grouping made before the gathering was cancelled keeps it)."""
    return [("", _l("Ingen bestemt samling"))] + [
        (str(g.id), _l("Samling %(n)s: %(title)s", n=g.number, title=g.title)) for g in gatherings
        if not g.is_cancelled or str(g.id) == chosen
    ]


class GroupRowForm(Form):
    key = HiddenField()
    group_id = HiddenField()
    name = StringField(_l("Navn på gruppen"))
    # A callable, so the labels are translated for each request, not once at import.
    kind = SelectField(_l("Type"), choices=lambda: [(k.value, k.label) for k in GroupKind], validate_choice=False)
    facilitator_id = SelectField(_l("Gruppeleder"), validate_choice=False)
    remove = BooleanField(_l("Fjern gruppen når jeg lagrer"))


class PlacementForm(Form):
    membership_id = HiddenField()
    group = SelectField(_l("Gruppe"), validate_choice=False)


class GroupingForm(FlaskForm):
    """Step 2 and the edit form: the groups, and for each municipality the group it is in."""

    name = StringField(_l("Navn på gruppeinndelingen"))
    gathering_id = SelectField(_l("Samling"), validate_choice=False)
    basis = HiddenField()
    challenge_id = HiddenField()
    target_size = HiddenField()
    version = HiddenField()
    groups = FieldList(FormField(GroupRowForm), max_entries=MAX_GROUPS + 1)
    placements = FieldList(FormField(PlacementForm), max_entries=1000)

    def set_choices(self, gatherings, facilitators) -> None:
        self.gathering_id.choices = gathering_choices(gatherings, self.gathering_id.data)
        facilitator_choices = [("", _l("Ingen gruppeleder ennå"))] + [
            (str(m.person.id), f"{m.person.name} ({m.person.organisation.name})" if m.person.organisation else m.person.name)
            for m in facilitators
        ]
        group_choices = [("", _l("Ikke i noen gruppe"))] + [
            (entry.form.key.data, entry.form.name.data or _l("Gruppe uten navn")) for entry in self.groups
        ]
        for entry in self.groups:
            entry.form.facilitator_id.choices = facilitator_choices
        for entry in self.placements:
            entry.form.group.choices = group_choices

    def fields_by_name(self) -> dict:
        """Every field, nested ones too, by its HTML name: for attaching the rules' messages."""
        found = {}
        for top in self:
            if isinstance(top, FieldList):
                for entry in top:
                    for inner in entry.form:
                        found[inner.name] = inner
            else:
                found[top.name] = top
        return found

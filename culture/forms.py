"""Forms for the culture pages.

Forms only read: choice lists come from the access policy and the selectors (populations of
this partnership, provider members as owners, this partnership's training adaptations), and
the domain rules (shares totalling at most 100%, one result per period, owners who are
provider members, ...) stay in the services. What those raise is put back on the field it
names by `add_service_error`; errors about a group of rows (a population's languages, a
nurse's trainings) land on that group through `group_errors`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from culture.models import (
    AccessibilityNeed,
    Adaptation,
    AdaptationKind,
    AdaptationStatus,
    AgeBand,
    CallerPopulation,
    Channel,
    CultureProfile,
    EducationLevel,
    HealthLiteracy,
    Language,
    Nurse,
    PhysicianPreference,
    PhysicianPreferenceKind,
    QuestionDepth,
    SatisfactionResult,
)
from partnerships import selectors as partnership_selectors
from partnerships.forms import DateInput, UserChoiceField, add_service_error
from tenancy import access
from tenancy.errors import ApplicationError

if TYPE_CHECKING:
    from partnerships.models import Partnership
    from tenancy.models import Membership

__all__ = [
    "AdaptationForm",
    "CultureProfileForm",
    "LanguageFormSet",
    "NurseForm",
    "PhysicianPreferenceForm",
    "PopulationForm",
    "SatisfactionImportForm",
    "SatisfactionResultForm",
    "add_group_error",
    "add_service_error",
]

PERCENT_ATTRS = {"min": "0", "max": "100", "step": "0.01", "inputmode": "decimal"}


def add_group_error(form: forms.Form, error: ApplicationError | ValidationError) -> None:
    """Like `add_service_error`, but an error about a group of rows (`languages`,
    `trainings`) is kept on the form's `group_errors` under that name, shown by the
    fieldset of that group."""
    if isinstance(error, ApplicationError) and error.field in getattr(form, "GROUPS", ()):
        form.group_errors.setdefault(error.field, []).append(error.message)
        return
    add_service_error(form, error)


class _GroupErrorsMixin:
    GROUPS: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group_errors: dict[str, list[str]] = {}

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or self.group_errors)


def _initial(kwargs: dict, values: dict) -> None:
    """The stored values as the form's initial data; what the view passes (e.g. from the
    query string) wins."""
    kwargs["initial"] = {**values, **(kwargs.get("initial") or {})}


class _EditsRow:
    """A form over one row's `model.EDITABLE_FIELDS`, the list the API serializers and the
    services use too. A field the member may not see (internal notes) is removed from the
    form, and so left out of what it hands to the service."""

    model: type[models.Model]

    @classmethod
    def stored(cls, instance: models.Model) -> dict[str, Any]:
        """The row's editable values as initial data (a related row by its key)."""
        return {
            name: getattr(instance, instance._meta.get_field(name).attname)
            for name in cls.model.EDITABLE_FIELDS
        }

    def service_fields(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.model.EDITABLE_FIELDS
            if name in self.fields
        }


def _multi(choices, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=choices, required=False, widget=forms.CheckboxSelectMultiple, **kwargs
    )


def _percent(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        widget=forms.NumberInput(attrs=PERCENT_ATTRS),
        **kwargs,
    )


# --- Culture profile ---------------------------------------------------------------------


class CultureProfileForm(_EditsRow, forms.Form):
    model = CultureProfile

    mission_and_values = forms.CharField(
        label="Mission and values", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    communication_style = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    escalation_preferences = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="How the client wants escalations handled, and by whom.",
    )
    terminology = forms.CharField(
        label="Preferred terminology",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One term a line works well, e.g. “care team”, not “staff”.",
    )
    decision_makers = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    meeting_cadence = forms.CharField(
        max_length=200,
        required=False,
        help_text="e.g. “Fortnightly, Tuesday 9:00, with the director of student health”.",
    )
    internal_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Provider staff only; never shown to client executives.",
    )

    def __init__(self, *args, membership: Membership, instance: CultureProfile, **kwargs):
        _initial(kwargs, self.stored(instance))
        super().__init__(*args, **kwargs)
        if not access.can_see_internal(membership):
            del self.fields["internal_notes"]


# --- Caller populations ------------------------------------------------------------------


class PopulationForm(_EditsRow, _GroupErrorsMixin, forms.Form):
    model = CallerPopulation
    GROUPS = ("languages",)

    name = forms.CharField(max_length=200, help_text="e.g. “Students, main campus, Ann Arbor MI”.")
    region = forms.CharField(max_length=200, required=False)
    share_of_volume = _percent(
        "Share of call volume (%)",
        help_text="0-100; the partnership's populations together may not exceed 100%.",
    )
    age_bands = _multi(AgeBand.choices)
    education_level = forms.ChoiceField(choices=EducationLevel.choices)
    health_literacy = forms.ChoiceField(choices=HealthLiteracy.choices)
    question_depth = forms.ChoiceField(label="Depth of questions", choices=QuestionDepth.choices)
    preferred_channels = _multi(Channel.choices)
    peak_hours = forms.CharField(
        max_length=200, required=False, help_text="e.g. “Sun-Thu 21:00-01:00”."
    )
    accessibility_needs = _multi(AccessibilityNeed.choices)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    internal_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Provider staff only; never shown to client executives.",
    )

    def __init__(
        self, *args, membership: Membership, instance: CallerPopulation | None = None, **kwargs
    ):
        if instance is not None:
            _initial(kwargs, self.stored(instance))
        super().__init__(*args, **kwargs)
        self.instance = instance
        if not access.can_see_internal(membership):
            del self.fields["internal_notes"]


class LanguageShareForm(forms.Form):
    language = forms.ChoiceField(
        choices=[("", "Choose a language"), *Language.choices], required=False
    )
    share = _percent("Share of the population's calls (%)", required=False)

    def clean(self):
        data = super().clean()
        language, share = data.get("language"), data.get("share")
        if language and share is None and "share" not in self.errors:
            self.add_error("share", "Give the share of this language.")
        if share is not None and not language:
            self.add_error("language", "Choose the language this share is for.")
        return data


class BaseLanguageFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The filled rows as the service takes them (blank rows are skipped)."""
        return [
            {"language": form.cleaned_data["language"], "share": form.cleaned_data["share"]}
            for form in self.forms
            if form.cleaned_data.get("language")
        ]


LanguageFormSet = forms.formset_factory(
    LanguageShareForm, formset=BaseLanguageFormSet, extra=2, max_num=len(Language), absolute_max=60
)


def language_initial(population: CallerPopulation | None) -> list[dict]:
    if population is None:
        return [{"language": Language.ENGLISH, "share": None}]
    return [{"language": row.language, "share": row.share} for row in population.languages.all()]


# --- Adaptations -------------------------------------------------------------------------


class AdaptationForm(_EditsRow, forms.Form):
    model = Adaptation

    population = forms.ModelChoiceField(queryset=None, empty_label="Choose a population")
    kind = forms.ChoiceField(choices=AdaptationKind.choices)
    title = forms.CharField(
        max_length=200, help_text="e.g. “Continuing-education module: physiology for students”."
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = UserChoiceField(
        queryset=None,
        required=False,
        empty_label="No owner yet",
        help_text="A provider member: admin, account manager or implementation PM.",
    )
    due_date = forms.DateField(required=False, widget=DateInput())
    status = forms.ChoiceField(choices=AdaptationStatus.choices)
    completed_on = forms.DateField(
        required=False,
        widget=DateInput(),
        help_text="Only for a done adaptation; today when left empty.",
    )
    outcome_measure = forms.CharField(
        max_length=200,
        required=False,
        help_text="What it should move, e.g. “satisfied %” or “questions answered %”.",
    )
    language = forms.ChoiceField(
        choices=[("", "—"), *Language.choices],
        required=False,
        help_text="Only for language coverage: the language it adds.",
    )
    internal_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Provider staff only; never shown to client executives.",
    )

    def __init__(
        self,
        *args,
        membership: Membership,
        partnership: Partnership,
        instance: Adaptation | None = None,
        **kwargs,
    ):
        if instance is not None:
            _initial(kwargs, self.stored(instance))
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["population"].queryset = access.visible(membership, CallerPopulation).filter(
            partnership=partnership
        )
        self.fields["owner"].queryset = partnership_selectors.pm_choices(
            organization=membership.organization
        )
        if not access.can_see_internal(membership):
            del self.fields["internal_notes"]


# --- Nurse team --------------------------------------------------------------------------


class NurseForm(_EditsRow, _GroupErrorsMixin, forms.Form):
    """A nurse, the languages they take calls in, and one date field per training
    adaptation of the partnership (empty: not completed)."""

    model = Nurse
    GROUPS = ("trainings",)

    name = forms.CharField(max_length=200)
    languages = _multi(Language.choices, help_text="Languages the nurse takes calls in.")
    is_active = forms.BooleanField(label="On this partnership's team", required=False, initial=True)

    def __init__(
        self,
        *args,
        trainings: list[Adaptation],
        instance: Nurse | None = None,
        today: datetime.date,
        **kwargs,
    ):
        completed: dict[int, datetime.date] = {}
        if instance is not None:
            completed = {row.adaptation_id: row.completed_on for row in instance.trainings.all()}
            _initial(
                kwargs,
                {
                    **self.stored(instance),
                    **{f"training_{pk}": day for pk, day in completed.items()},
                },
            )
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.today = today
        self.training_adaptations = {}
        for adaptation in trainings:
            # A dropped training stays listed only for the nurses who completed it.
            if adaptation.status == AdaptationStatus.DROPPED and adaptation.pk not in completed:
                continue
            name = f"training_{adaptation.pk}"
            self.fields[name] = forms.DateField(
                label=adaptation.title,
                required=False,
                widget=DateInput(attrs={"max": today.isoformat()}),
                help_text=f"{adaptation.population.name} · {adaptation.get_status_display()}",
            )
            self.training_adaptations[name] = adaptation

    def training_fields(self):
        return [self[name] for name in self.training_adaptations]

    def clean(self):
        data = super().clean()
        for name in self.training_adaptations:
            day = data.get(name)
            if day is not None and day > self.today:
                self.add_error(name, "A training cannot be completed in the future.")
        return data

    def trainings(self) -> list[dict]:
        return [
            {"adaptation": adaptation, "completed_on": self.cleaned_data[name]}
            for name, adaptation in self.training_adaptations.items()
            if self.cleaned_data.get(name)
        ]


# --- Physician preferences ---------------------------------------------------------------


class PhysicianPreferenceForm(_EditsRow, forms.Form):
    """The preference's editable fields, and its text (a new version when it changed)."""

    model = PhysicianPreference

    physician = forms.CharField(
        label="Physician or group",
        max_length=200,
        help_text="e.g. “Dr. Ana Ruiz” or “Cardiology group”.",
    )
    specialty = forms.CharField(max_length=120, required=False)
    kind = forms.ChoiceField(choices=PhysicianPreferenceKind.choices)
    title = forms.CharField(max_length=200, help_text="What it covers, e.g. “Chest pain at night”.")
    text = forms.CharField(
        label="What nurses must do",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Changing the text makes a new version, which the client signs off again.",
    )

    def __init__(self, *args, instance: PhysicianPreference | None = None, **kwargs):
        if instance is not None:
            initial = self.stored(instance)
            initial["text"] = instance.current_version.text if instance.current_version else ""
            _initial(kwargs, initial)
        super().__init__(*args, **kwargs)
        self.instance = instance


class SignOffForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


# --- Satisfaction ------------------------------------------------------------------------


class SatisfactionResultForm(_EditsRow, forms.Form):
    model = SatisfactionResult

    population = forms.ModelChoiceField(queryset=None, empty_label="Choose a population")
    period_start = forms.DateField(widget=DateInput())
    period_end = forms.DateField(widget=DateInput())
    responses = forms.IntegerField(
        min_value=0, help_text="Survey responses behind the figures (below 30 is a small sample)."
    )
    satisfied_pct = _percent("Satisfied (%)")
    questions_answered_pct = _percent("Questions answered (%)")

    def __init__(
        self,
        *args,
        membership: Membership,
        partnership: Partnership,
        instance: SatisfactionResult | None = None,
        **kwargs,
    ):
        if instance is not None:
            _initial(kwargs, self.stored(instance))
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields["population"].queryset = access.visible(membership, CallerPopulation).filter(
            partnership=partnership
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period cannot end before it starts.")
        return data


class SatisfactionImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=(
            "Columns: population, period_start, period_end, responses, satisfied_pct, "
            "questions_answered_pct. One header row; dates as YYYY-MM-DD."
        ),
    )
    dry_run = forms.BooleanField(
        label="Only check the file; save nothing", required=False, initial=False
    )

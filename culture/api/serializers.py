"""Culture API serializers: outputs (with internal fields dropped for client executives) and
inputs (whose choice lists come from the partnership resolved by the viewset).

What an input may write is its model's `EDITABLE_FIELDS` (the list the forms and the
services use too), through `EditableFieldsSerializer`; outputs list them the same way.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
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
    PhysicianPreferenceVersion,
    QuestionDepth,
    SatisfactionResult,
)
from culture.preference_diff import sign_off_diff
from partnerships.api.serializers import HidesInternalFields, UserSummarySerializer

INTERNAL_HELP = "Internal: provider staff only; absent from client executives' responses."


def _percent(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        coerce_to_string=False,
        **kwargs,
    )


def _figure(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        coerce_to_string=False,
        allow_null=True,
        read_only=True,
        **kwargs,
    )


def _internal() -> serializers.CharField:
    # Not read-only, so that the response schema lists it as optional (it is absent for
    # client executives); output serializers are never used for input.
    return serializers.CharField(required=False, help_text=INTERNAL_HELP)


@extend_schema_field(OpenApiTypes.INT)
class PartnershipRowField(serializers.PrimaryKeyRelatedField):
    """An id of a row of the partnership that the viewset resolved (from the serializer
    context, so that it also works nested): other partnerships' and tenants' ids do not
    resolve, exactly like ids that do not exist."""

    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        partnership = self.context.get("partnership")
        if partnership is None:
            return self.model.objects.none()
        return self.model.objects.filter(
            organization_id=partnership.organization_id, partnership=partnership
        )


@extend_schema_field(OpenApiTypes.INT)
class OrganizationUserField(serializers.PrimaryKeyRelatedField):
    """A user id of a member of the partnership's organization (any role: the service
    refuses, naming the field, one who may not be chosen)."""

    def get_queryset(self):
        partnership = self.context.get("partnership")
        if partnership is None:
            return User.objects.none()
        return User.objects.filter(memberships__organization_id=partnership.organization_id)


class EditableFieldsSerializer(serializers.ModelSerializer):
    """An input whose `Meta.fields` are its model's `EDITABLE_FIELDS` (plus the related rows
    it replaces, such as a population's languages). Each field is declared with the checks
    the API applies; a name added to the model's list and not declared is built from the
    model. It only validates: the services write."""

    def save(self, **kwargs):
        raise NotImplementedError("Culture inputs are written by `culture.services`.")


# --- culture profile -------------------------------------------------------------------


class CultureProfileSerializer(HidesInternalFields, serializers.ModelSerializer):
    """The client's culture profile (`id` is null while none has been saved)."""

    id = serializers.IntegerField(read_only=True, allow_null=True)
    partnership = serializers.IntegerField(source="partnership_id", read_only=True)
    internal_notes = _internal()
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = CultureProfile
        fields = ["id", "partnership", *CultureProfile.EDITABLE_FIELDS, "updated_at"]
        read_only_fields = [name for name in fields if name != "internal_notes"]


class CultureProfileInputSerializer(EditableFieldsSerializer):
    mission_and_values = serializers.CharField(required=False, allow_blank=True, default="")
    communication_style = serializers.CharField(required=False, allow_blank=True, default="")
    escalation_preferences = serializers.CharField(required=False, allow_blank=True, default="")
    terminology = serializers.CharField(required=False, allow_blank=True, default="")
    decision_makers = serializers.CharField(required=False, allow_blank=True, default="")
    meeting_cadence = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    internal_notes = serializers.CharField(required=False, allow_blank=True, default="")

    class Meta:
        model = CultureProfile
        fields = CultureProfile.EDITABLE_FIELDS


# --- caller populations ----------------------------------------------------------------


class PopulationLanguageSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=Language.choices)
    language_display = serializers.CharField(source="get_language_display", read_only=True)
    share = _percent()


class PopulationLanguageInputSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=Language.choices)
    share = _percent()


class CallerPopulationSerializer(HidesInternalFields, serializers.ModelSerializer):
    """A population of callers with its languages; `internal_notes` only for provider staff."""

    share_of_volume = _percent(read_only=True)
    languages = PopulationLanguageSerializer(many=True, read_only=True)
    age_bands = serializers.ListField(
        child=serializers.ChoiceField(AgeBand.choices), read_only=True
    )
    preferred_channels = serializers.ListField(
        child=serializers.ChoiceField(Channel.choices), read_only=True
    )
    accessibility_needs = serializers.ListField(
        child=serializers.ChoiceField(AccessibilityNeed.choices), read_only=True
    )
    internal_notes = _internal()

    class Meta:
        model = CallerPopulation
        fields = ["id", *CallerPopulation.EDITABLE_FIELDS, "languages", "created_at", "updated_at"]
        read_only_fields = [name for name in fields if name != "internal_notes"]


class CallerPopulationInputSerializer(EditableFieldsSerializer):
    name = serializers.CharField(max_length=200)
    region = serializers.CharField(max_length=200, required=False, allow_blank=True)
    share_of_volume = _percent(required=False)
    languages = PopulationLanguageInputSerializer(
        many=True, required=False, help_text="Replaces the population's languages as a whole."
    )
    age_bands = serializers.ListField(
        child=serializers.ChoiceField(AgeBand.choices), required=False
    )
    education_level = serializers.ChoiceField(EducationLevel.choices, required=False)
    health_literacy = serializers.ChoiceField(HealthLiteracy.choices, required=False)
    question_depth = serializers.ChoiceField(QuestionDepth.choices, required=False)
    preferred_channels = serializers.ListField(
        child=serializers.ChoiceField(Channel.choices), required=False
    )
    peak_hours = serializers.CharField(max_length=200, required=False, allow_blank=True)
    accessibility_needs = serializers.ListField(
        child=serializers.ChoiceField(AccessibilityNeed.choices), required=False
    )
    notes = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = CallerPopulation
        fields = (*CallerPopulation.EDITABLE_FIELDS, "languages")


# --- adaptations -----------------------------------------------------------------------


class AdaptationSerializer(HidesInternalFields, serializers.ModelSerializer):
    """An adaptation for one population; `internal_notes` only for provider staff."""

    population_name = serializers.CharField(source="population.name", read_only=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    internal_notes = _internal()

    class Meta:
        model = Adaptation
        fields = [
            "id",
            *Adaptation.EDITABLE_FIELDS,
            "population_name",
            "is_overdue",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "internal_notes"]

    def get_is_overdue(self, adaptation: Adaptation) -> bool:
        today = self.context.get("today")
        return today is not None and adaptation.is_overdue(today)


class AdaptationInputSerializer(EditableFieldsSerializer):
    population = PartnershipRowField(CallerPopulation)
    kind = serializers.ChoiceField(AdaptationKind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = OrganizationUserField(
        required=False, allow_null=True, help_text="A provider member of the organization."
    )
    due_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(AdaptationStatus.choices, required=False)
    completed_on = serializers.DateField(
        required=False, allow_null=True, help_text="Defaults to today when the status is done."
    )
    outcome_measure = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.ChoiceField(Language.choices, required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)

    class Meta:
        model = Adaptation
        fields = Adaptation.EDITABLE_FIELDS


# --- nurse team ------------------------------------------------------------------------


class NurseTrainingSerializer(serializers.Serializer):
    adaptation = serializers.IntegerField(source="adaptation_id")
    title = serializers.CharField(source="adaptation.title")
    completed_on = serializers.DateField()


class NurseSerializer(serializers.ModelSerializer):
    languages = serializers.ListField(child=serializers.ChoiceField(Language.choices))
    trainings = NurseTrainingSerializer(many=True, read_only=True)

    class Meta:
        model = Nurse
        fields = ["id", *Nurse.EDITABLE_FIELDS, "trainings", "created_at", "updated_at"]
        read_only_fields = fields


class NurseTrainingInputSerializer(serializers.Serializer):
    adaptation = PartnershipRowField(
        Adaptation, help_text="A training adaptation of the partnership."
    )
    completed_on = serializers.DateField()


class NurseInputSerializer(EditableFieldsSerializer):
    name = serializers.CharField(max_length=200)
    languages = serializers.ListField(
        child=serializers.ChoiceField(Language.choices), required=False
    )
    is_active = serializers.BooleanField(required=False)
    trainings = NurseTrainingInputSerializer(
        many=True, required=False, help_text="Replaces the nurse's completed trainings."
    )

    class Meta:
        model = Nurse
        fields = (*Nurse.EDITABLE_FIELDS, "trainings")


# --- physician preferences -------------------------------------------------------------


class PhysicianPreferenceVersionSerializer(serializers.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True)
    signed_off_by = UserSummarySerializer(read_only=True, allow_null=True)
    is_current = serializers.SerializerMethodField()
    is_signed_off = serializers.BooleanField(read_only=True)

    class Meta:
        model = PhysicianPreferenceVersion
        fields = [
            "id",
            "number",
            "text",
            "is_current",
            "created_by",
            "created_at",
            "is_signed_off",
            "signed_off_by",
            "signed_off_at",
            "superseded_at",
        ]
        read_only_fields = fields

    def get_is_current(self, version: PhysicianPreferenceVersion) -> bool:
        # A new version always supersedes the previous one, so "not superseded" is current.
        return version.superseded_at is None


class PhysicianPreferenceSerializer(serializers.ModelSerializer):
    current_version = PhysicianPreferenceVersionSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PhysicianPreference
        fields = [
            "id",
            *PhysicianPreference.EDITABLE_FIELDS,
            "current_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    signed_off = serializers.CharField(help_text="The value in the signed-off version.")
    this_version = serializers.CharField(help_text="The value in this version.")
    removed = serializers.ListField(child=serializers.CharField(), help_text="Sentences removed.")
    added = serializers.ListField(child=serializers.CharField(), help_text="Sentences added.")


class SignOffDiffSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["first_version", "no_change", "changed"])
    awaiting_sign_off = serializers.BooleanField()
    version = serializers.IntegerField()
    signed_off_version = serializers.IntegerField(allow_null=True)
    changes = FieldChangeSerializer(many=True, help_text="Changed fields only.")


class PhysicianPreferenceDetailSerializer(PhysicianPreferenceSerializer):
    """One preference with what changed in its current version since the version the client
    signed off last (field by field, changed fields only)."""

    sign_off_diff = serializers.SerializerMethodField()

    class Meta(PhysicianPreferenceSerializer.Meta):
        fields = [*PhysicianPreferenceSerializer.Meta.fields, "sign_off_diff"]
        read_only_fields = fields

    @extend_schema_field(SignOffDiffSerializer(allow_null=True))
    def get_sign_off_diff(self, preference) -> dict | None:
        diff = sign_off_diff(preference=preference)
        return diff.as_dict() if diff else None


class PhysicianPreferenceInputSerializer(EditableFieldsSerializer):
    physician = serializers.CharField(max_length=200)
    specialty = serializers.CharField(max_length=120, required=False, allow_blank=True)
    kind = serializers.ChoiceField(PhysicianPreferenceKind.choices, required=False)
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(
        help_text="The preference itself. On update, a changed text becomes a new version.",
    )

    class Meta:
        model = PhysicianPreference
        fields = (*PhysicianPreference.EDITABLE_FIELDS, "text")


class PhysicianPreferenceVersionInputSerializer(serializers.Serializer):
    text = serializers.CharField()


class SignOffInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The version number read; refused (409) if it is no longer current.",
    )


# --- satisfaction ----------------------------------------------------------------------


class SatisfactionResultSerializer(serializers.ModelSerializer):
    population_name = serializers.CharField(source="population.name", read_only=True)
    satisfied_pct = _percent(read_only=True)
    questions_answered_pct = _percent(read_only=True)

    class Meta:
        model = SatisfactionResult
        fields = [
            "id",
            *SatisfactionResult.EDITABLE_FIELDS,
            "population_name",
            "source",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SatisfactionResultInputSerializer(EditableFieldsSerializer):
    population = PartnershipRowField(CallerPopulation)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    responses = serializers.IntegerField(min_value=0)
    satisfied_pct = _percent()
    questions_answered_pct = _percent()

    class Meta:
        model = SatisfactionResult
        fields = SatisfactionResult.EDITABLE_FIELDS

    def validate(self, attrs):
        start, end = attrs.get("period_start"), attrs.get("period_end")
        if start and end and end < start:
            raise serializers.ValidationError(
                {"period_end": "The period cannot end before it starts."}
            )
        return attrs


class SatisfactionImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="CSV with columns population, period_start, period_end, responses, "
        "satisfied_pct, questions_answered_pct."
    )
    dry_run = serializers.BooleanField(
        required=False, default=False, help_text="Validate and count, save nothing."
    )


class SatisfactionImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    rows = serializers.IntegerField()
    dry_run = serializers.BooleanField()


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()
    text = serializers.CharField()


class SatisfactionImportErrorSerializer(serializers.Serializer):
    """A refused import: what is wrong with the file as a whole (no file, not CSV), or the
    rows and columns at fault; either may be absent."""

    file = serializers.ListField(child=serializers.CharField(), required=False)
    errors = ImportRowErrorSerializer(many=True, required=False)


# --- culture readiness -----------------------------------------------------------------


class SatisfactionFigureSerializer(serializers.Serializer):
    responses = serializers.IntegerField(read_only=True)
    periods = serializers.IntegerField(read_only=True)
    satisfied_pct = _figure()
    questions_answered_pct = _figure()
    small_sample = serializers.BooleanField(
        read_only=True, help_text="Fewer than 30 responses behind the figures."
    )


class AdaptationEffectSerializer(serializers.Serializer):
    adaptation_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(AdaptationKind.choices, read_only=True)
    completed_on = serializers.DateField(read_only=True)
    outcome_measure = serializers.CharField(read_only=True)
    before = SatisfactionFigureSerializer(read_only=True)
    after = SatisfactionFigureSerializer(read_only=True)
    satisfied_change = _figure(help_text="After minus before, in points.")
    questions_answered_change = _figure(help_text="After minus before, in points.")


class TrainingCoverageSerializer(serializers.Serializer):
    adaptation_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(AdaptationStatus.choices, read_only=True)
    completed = serializers.IntegerField(
        read_only=True, help_text="Active nurses who completed it."
    )
    team_size = serializers.IntegerField(read_only=True)
    completion_pct = _figure()


class OverdueAdaptationSerializer(serializers.Serializer):
    adaptation_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    due_date = serializers.DateField(read_only=True)
    days_overdue = serializers.IntegerField(read_only=True)


class PopulationReadinessSerializer(serializers.Serializer):
    population_id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    share_of_volume = _percent(read_only=True)
    adaptations_total = serializers.IntegerField(read_only=True)
    adaptations_done = serializers.IntegerField(read_only=True)
    adaptations_planned = serializers.IntegerField(read_only=True)
    adaptations_in_progress = serializers.IntegerField(read_only=True)
    adaptations_dropped = serializers.IntegerField(read_only=True)
    adaptations_overdue = serializers.IntegerField(read_only=True)
    overdue = OverdueAdaptationSerializer(many=True, read_only=True)
    languages_required = serializers.ListField(
        child=serializers.ChoiceField(Language.choices), read_only=True
    )
    languages_covered = serializers.ListField(
        child=serializers.ChoiceField(Language.choices), read_only=True
    )
    languages_missing = serializers.ListField(
        child=serializers.ChoiceField(Language.choices), read_only=True
    )
    trainings = TrainingCoverageSerializer(many=True, read_only=True)
    training_completion_pct = _figure()
    effects = AdaptationEffectSerializer(many=True, read_only=True)


class CultureReadinessSerializer(serializers.Serializer):
    partnership_id = serializers.IntegerField(read_only=True)
    as_of = serializers.DateField(read_only=True)
    team_size = serializers.IntegerField(read_only=True, help_text="Active nurses on the team.")
    team_languages = serializers.ListField(
        child=serializers.ChoiceField(Language.choices), read_only=True
    )
    populations = PopulationReadinessSerializer(many=True, read_only=True)

"""Culture of a partnership (objective 1): the client's culture profile, its physicians'
preferences, the caller populations the line serves, the adaptations that answer them, the
nurse team that carries them, and the callers' satisfaction per population and period.

Every row stores its `organization` and its `partnership`, so the access policy scopes it
without joins (`via="partnership"`) and every index leads with the tenant. Cross-row rules
(totals of shares, owners who must be provider members, sign-off) live in the services.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from partnerships.models import PartnershipOwnedModel, partnership_key
from tenancy.validators import ChoiceListValidator, sane_date

__all__ = [
    "AccessibilityNeed",
    "Adaptation",
    "AdaptationKind",
    "AdaptationStatus",
    "AgeBand",
    "CallerPopulation",
    "CallerPopulationLanguage",
    "Channel",
    "CultureProfile",
    "EducationLevel",
    "HealthLiteracy",
    "Language",
    "Nurse",
    "NurseTraining",
    "PhysicianPreference",
    "PhysicianPreferenceKind",
    "PhysicianPreferenceVersion",
    "QuestionDepth",
    "SatisfactionResult",
    "SatisfactionSource",
]

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


def _percent_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=5,
        decimal_places=2,
        validators=PERCENT_VALIDATORS,
        help_text="0-100.",
        **kwargs,
    )


def _percent_check(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0}) & Q(**{f"{field}__lte": 100}), name=name
    )


class Language(models.TextChoices):
    """Languages callers speak and nurses cover (ISO 639 codes, so coverage can be matched)."""

    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"
    MANDARIN = "cmn", "Mandarin Chinese"
    CANTONESE = "yue", "Cantonese"
    VIETNAMESE = "vi", "Vietnamese"
    TAGALOG = "tl", "Tagalog"
    ARABIC = "ar", "Arabic"
    FRENCH = "fr", "French"
    HAITIAN_CREOLE = "ht", "Haitian Creole"
    KOREAN = "ko", "Korean"
    RUSSIAN = "ru", "Russian"
    UKRAINIAN = "uk", "Ukrainian"
    PORTUGUESE = "pt", "Portuguese"
    HINDI = "hi", "Hindi"
    URDU = "ur", "Urdu"
    BENGALI = "bn", "Bengali"
    PUNJABI = "pa", "Punjabi"
    POLISH = "pl", "Polish"
    ITALIAN = "it", "Italian"
    GERMAN = "de", "German"
    JAPANESE = "ja", "Japanese"
    FARSI = "fa", "Farsi"
    SOMALI = "so", "Somali"
    AMHARIC = "am", "Amharic"
    SWAHILI = "sw", "Swahili"
    HMONG = "hmn", "Hmong"
    NAVAJO = "nv", "Navajo"
    ASL = "ase", "American Sign Language"


class AgeBand(models.TextChoices):
    UNDER_18 = "under_18", "Under 18"
    AGE_18_24 = "18_24", "18-24"
    AGE_25_34 = "25_34", "25-34"
    AGE_35_49 = "35_49", "35-49"
    AGE_50_64 = "50_64", "50-64"
    AGE_65_74 = "65_74", "65-74"
    AGE_75_PLUS = "75_plus", "75 and over"


class EducationLevel(models.TextChoices):
    UNKNOWN = "unknown", "Not known"
    LESS_THAN_HIGH_SCHOOL = "less_than_high_school", "Less than high school"
    HIGH_SCHOOL = "high_school", "High school"
    SOME_COLLEGE = "some_college", "Some college / current students"
    BACHELORS = "bachelors", "Bachelor's degree"
    GRADUATE = "graduate", "Graduate degree"
    MIXED = "mixed", "Mixed"


class HealthLiteracy(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class QuestionDepth(models.TextChoices):
    BASIC = "basic", "Basic"
    MODERATE = "moderate", "Moderate"
    TECHNICAL = "technical", "In-depth technical"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    TEXT = "text", "Text message"
    PORTAL = "portal", "Patient portal"
    VIDEO = "video", "Video"
    CHAT = "chat", "Web chat"
    EMAIL = "email", "E-mail"


class AccessibilityNeed(models.TextChoices):
    TTY = "tty", "TTY / TDD"
    RELAY = "relay", "Relay service"
    INTERPRETER = "interpreter", "Interpreter"
    ASL_VIDEO = "asl_video", "ASL video interpreting"
    LARGE_PRINT = "large_print", "Large print follow-up"
    HEARING = "hearing", "Hard of hearing (slow, clear speech)"
    COGNITIVE = "cognitive", "Cognitive support (more time, teach-back)"
    VISION = "vision", "Low vision (no visual-only follow-up)"


class CultureProfile(PartnershipOwnedModel):
    """How the client works and wants to be worked with. One per partnership."""

    partnership = partnership_key(related_name="culture_profiles")
    mission_and_values = models.TextField(blank=True)
    communication_style = models.TextField(blank=True)
    escalation_preferences = models.TextField(
        blank=True, help_text="How the client wants escalations handled, and by whom."
    )
    terminology = models.TextField(
        blank=True, help_text="Preferred terms (e.g. 'care team', not 'staff')."
    )
    decision_makers = models.TextField(blank=True)
    meeting_cadence = models.CharField(max_length=200, blank=True)
    internal_notes = models.TextField(
        blank=True, help_text="Internal: provider staff only, never shown to client executives."
    )

    INTERNAL_FIELDS = ("internal_notes",)
    # What the form, the API and `culture_profile_update` may write (all text).
    EDITABLE_FIELDS = (
        "mission_and_values",
        "communication_style",
        "escalation_preferences",
        "terminology",
        "decision_makers",
        "meeting_cadence",
        "internal_notes",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership"], name="culture_profile_one_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return f"Culture profile of partnership {self.partnership_id}"


class PhysicianPreferenceKind(models.TextChoices):
    PREFERENCE = "preference", "Preference"
    STANDING_ORDER = "standing_order", "Standing order"
    ON_CALL_ESCALATION = "on_call_escalation", "On-call escalation rule"


class PhysicianPreference(PartnershipOwnedModel):
    """One physician's (or group's) preference, standing order or on-call rule.

    Its text lives in versions; `current_version` is the one nurses follow. A version that
    the client signed off is never edited: a change makes a new version.
    """

    partnership = partnership_key(related_name="physician_preferences")
    physician = models.CharField(
        "physician or group", max_length=200, help_text="e.g. 'Dr. Ana Ruiz' or 'Cardiology group'."
    )
    specialty = models.CharField(max_length=120, blank=True)
    kind = models.CharField(
        max_length=32,
        choices=PhysicianPreferenceKind.choices,
        default=PhysicianPreferenceKind.PREFERENCE,
    )
    title = models.CharField(
        max_length=200, help_text="What it covers, e.g. 'Chest pain at night'."
    )
    current_version = models.ForeignKey(
        "culture.PhysicianPreferenceVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    # What the form, the API and the services may write; the text lives in versions.
    EDITABLE_FIELDS = ("physician", "specialty", "kind", "title")

    class Meta:
        ordering = ["physician", "kind", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership", "physician", "kind", "title"],
                name="physician_preference_unique_per_partnership",
            )
        ]
        indexes = [models.Index(fields=["organization", "partnership", "physician"])]

    def __str__(self) -> str:
        return f"{self.physician}: {self.title}"


class PhysicianPreferenceVersion(PartnershipOwnedModel):
    """The text of a preference at one point; immutable once signed off by the client."""

    preference = models.ForeignKey(
        PhysicianPreference, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    text = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["preference", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "preference", "number"],
                name="physician_preference_version_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(signed_off_by__isnull=True, signed_off_at__isnull=True)
                | Q(signed_off_by__isnull=False, signed_off_at__isnull=False),
                name="physician_preference_version_sign_off_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.preference} (v{self.number})"

    @property
    def is_signed_off(self) -> bool:
        return self.signed_off_at is not None


class CallerPopulation(PartnershipOwnedModel):
    """A group of callers the line serves, e.g. 'Students, main campus, Ann Arbor MI'."""

    partnership = partnership_key(related_name="caller_populations")
    name = models.CharField(max_length=200)
    region = models.CharField(max_length=200, blank=True)
    share_of_volume = _percent_field("share of call volume (%)", default=0)
    age_bands = models.JSONField(
        default=list, blank=True, validators=[ChoiceListValidator(AgeBand.values)]
    )
    education_level = models.CharField(
        max_length=32, choices=EducationLevel.choices, default=EducationLevel.UNKNOWN
    )
    health_literacy = models.CharField(
        max_length=16, choices=HealthLiteracy.choices, default=HealthLiteracy.MODERATE
    )
    question_depth = models.CharField(
        "depth of questions",
        max_length=16,
        choices=QuestionDepth.choices,
        default=QuestionDepth.MODERATE,
    )
    preferred_channels = models.JSONField(
        default=list, blank=True, validators=[ChoiceListValidator(Channel.values)]
    )
    peak_hours = models.CharField(
        max_length=200, blank=True, help_text="e.g. 'Sun-Thu 21:00-01:00'."
    )
    accessibility_needs = models.JSONField(
        default=list, blank=True, validators=[ChoiceListValidator(AccessibilityNeed.values)]
    )
    notes = models.TextField(blank=True)
    internal_notes = models.TextField(
        blank=True, help_text="Internal: provider staff only, never shown to client executives."
    )

    INTERNAL_FIELDS = ("internal_notes",)
    # What the form, the API and the services may write; the languages are rows of their own.
    EDITABLE_FIELDS = (
        "name",
        "region",
        "share_of_volume",
        "age_bands",
        "education_level",
        "health_literacy",
        "question_depth",
        "preferred_channels",
        "peak_hours",
        "accessibility_needs",
        "notes",
        "internal_notes",
    )

    class Meta:
        ordering = ["-share_of_volume", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership", "name"],
                name="caller_population_unique_name_per_partnership",
            ),
            _percent_check("share_of_volume", "caller_population_share_0_100"),
        ]
        indexes = [models.Index(fields=["organization", "partnership"])]

    def __str__(self) -> str:
        return self.name


class CallerPopulationLanguage(PartnershipOwnedModel):
    """A language a population's callers speak, with its share of that population's calls."""

    population = models.ForeignKey(
        CallerPopulation, on_delete=models.CASCADE, related_name="languages"
    )
    language = models.CharField(max_length=8, choices=Language.choices)
    share = _percent_field("share of the population's calls (%)")

    class Meta:
        ordering = ["-share", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "population", "language"],
                name="caller_population_language_once",
            ),
            _percent_check("share", "caller_population_language_share_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.get_language_display()} {self.share}%"


class AdaptationKind(models.TextChoices):
    TRAINING = "training", "Training"
    SCRIPT = "script", "Script"
    STAFFING = "staffing", "Staffing"
    LANGUAGE_COVERAGE = "language_coverage", "Language coverage"
    PROTOCOL = "protocol", "Protocol"


class AdaptationStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_ADAPTATION_STATUSES = (AdaptationStatus.PLANNED, AdaptationStatus.IN_PROGRESS)


class Adaptation(PartnershipOwnedModel):
    """Something the provider changes to serve one caller population better."""

    partnership = partnership_key(related_name="adaptations")
    population = models.ForeignKey(
        CallerPopulation, on_delete=models.PROTECT, related_name="adaptations"
    )
    kind = models.CharField(max_length=32, choices=AdaptationKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="A provider member of the organization.",
    )
    due_date = models.DateField(null=True, blank=True, validators=[sane_date])
    status = models.CharField(
        max_length=16, choices=AdaptationStatus.choices, default=AdaptationStatus.PLANNED
    )
    completed_on = models.DateField(
        null=True, blank=True, help_text="Set when it is done.", validators=[sane_date]
    )
    outcome_measure = models.CharField(
        max_length=200, blank=True, help_text="What it should move, e.g. 'questions answered %'."
    )
    language = models.CharField(
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text="For language coverage: the language it covers.",
    )
    internal_notes = models.TextField(
        blank=True, help_text="Internal: provider staff only, never shown to client executives."
    )

    INTERNAL_FIELDS = ("internal_notes",)
    # What the form, the API and the services may write.
    EDITABLE_FIELDS = (
        "population",
        "kind",
        "title",
        "description",
        "owner",
        "due_date",
        "status",
        "completed_on",
        "outcome_measure",
        "language",
        "internal_notes",
    )

    class Meta:
        ordering = ["due_date", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "population", "title"],
                name="adaptation_unique_title_per_population",
            ),
            models.CheckConstraint(
                condition=Q(status="done", completed_on__isnull=False)
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="adaptation_completed_on_iff_done",
            ),
        ]
        indexes = [models.Index(fields=["organization", "partnership", "status"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: datetime.date) -> bool:
        """Still open (planned or in progress) and due before `today`, the organization's
        day: the one definition the pages, the API and the readiness panel share."""
        return (
            self.status in OPEN_ADAPTATION_STATUSES
            and self.due_date is not None
            and self.due_date < today
        )

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.status == AdaptationStatus.DONE and not self.completed_on:
            errors["completed_on"] = "A done adaptation needs the date it was completed."
        if self.status != AdaptationStatus.DONE and self.completed_on:
            errors["completed_on"] = "Only a done adaptation has a completion date."
        if self.language and self.kind != AdaptationKind.LANGUAGE_COVERAGE:
            errors["language"] = "Only a language-coverage adaptation names a language."
        if errors:
            raise ValidationError(errors)


class Nurse(PartnershipOwnedModel):
    """A provider nurse on this partnership's team; coverage is computed from these rows."""

    partnership = partnership_key(related_name="nurses")
    name = models.CharField(max_length=200)
    languages = models.JSONField(
        default=list,
        blank=True,
        validators=[ChoiceListValidator(Language.values)],
        help_text="Languages the nurse takes calls in.",
    )
    is_active = models.BooleanField(default=True, help_text="Still on this partnership's team.")

    # What the form, the API and the services may write; trainings are rows of their own.
    EDITABLE_FIELDS = ("name", "languages", "is_active")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership", "name"],
                name="nurse_unique_name_per_partnership",
            )
        ]
        indexes = [models.Index(fields=["organization", "partnership", "is_active"])]

    def __str__(self) -> str:
        return self.name


class NurseTraining(PartnershipOwnedModel):
    """A nurse completed a training adaptation on a date."""

    nurse = models.ForeignKey(Nurse, on_delete=models.CASCADE, related_name="trainings")
    adaptation = models.ForeignKey(Adaptation, on_delete=models.CASCADE, related_name="trainings")
    completed_on = models.DateField(validators=[sane_date])

    class Meta:
        ordering = ["completed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "nurse", "adaptation"], name="nurse_training_once"
            )
        ]
        indexes = [models.Index(fields=["organization", "partnership", "adaptation"])]

    def __str__(self) -> str:
        return f"{self.nurse_id} completed {self.adaptation_id} on {self.completed_on}"


class SatisfactionSource(models.TextChoices):
    MANUAL = "manual", "Entered by hand"
    CSV = "csv", "CSV import"
    API = "api", "API"


class SatisfactionResult(PartnershipOwnedModel):
    """Caller satisfaction of one population over one period (survey results)."""

    partnership = partnership_key(related_name="satisfaction_results")
    population = models.ForeignKey(
        CallerPopulation, on_delete=models.PROTECT, related_name="satisfaction_results"
    )
    period_start = models.DateField(validators=[sane_date])
    period_end = models.DateField(validators=[sane_date])
    responses = models.PositiveIntegerField(help_text="Survey responses behind the figures.")
    satisfied_pct = _percent_field("satisfied (%)")
    questions_answered_pct = _percent_field("questions answered (%)")
    source = models.CharField(
        max_length=8, choices=SatisfactionSource.choices, default=SatisfactionSource.MANUAL
    )

    # What the form, the API and the services may write (`source` is set by how it came in).
    EDITABLE_FIELDS = (
        "population",
        "period_start",
        "period_end",
        "responses",
        "satisfied_pct",
        "questions_answered_pct",
    )

    class Meta:
        ordering = ["-period_start", "population"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "population", "period_start", "period_end"],
                name="satisfaction_result_one_per_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="satisfaction_result_period_ordered",
            ),
            _percent_check("satisfied_pct", "satisfaction_result_satisfied_0_100"),
            _percent_check("questions_answered_pct", "satisfaction_result_answered_0_100"),
        ]
        indexes = [
            models.Index(fields=["organization", "partnership", "population", "period_start"])
        ]

    def __str__(self) -> str:
        return f"{self.population_id} {self.period_start}-{self.period_end}"

    def clean(self) -> None:
        super().clean()
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period cannot end before it starts."})

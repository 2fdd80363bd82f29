"""The people side of a transition (objective 2): the client's internal call-center staff and
what happens to each of them, sentiment check-ins, stakeholder groups with their change
readiness (ADKAR), knowledge captured from departing staff, the communications plan, and the
log of every view of HR-sensitive data.

HR-sensitive fields (`HR_SENSITIVE_FIELDS` on a model, and a named person's sentiment) are
shown only to admins, the partnership's account manager, and the implementation PMs granted
people access (`PeopleAccessGrant`); never to client executives, who see sentiment per
stakeholder group only. Every view is written to `SensitiveAccessLog`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.deconstruct import deconstructible

from partnerships.models import PartnershipOwnedModel, PartnershipOwnedQuerySet, partnership_key
from tenancy.validators import ChoiceListValidator, sane_date


@deconstructible
class TextListValidator:
    """A JSON list of short, non-empty strings."""

    def __init__(self, max_length: int = 100):
        self.max_length = max_length

    def __call__(self, value) -> None:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValidationError("Must be a list of text items.")
        if any(not item.strip() or len(item) > self.max_length for item in value):
            raise ValidationError(f"Each item must have 1 to {self.max_length} characters.")

    def __eq__(self, other) -> bool:
        return isinstance(other, TextListValidator) and self.max_length == other.max_length

    def __hash__(self) -> int:
        return hash(self.max_length)


class StaffRole(models.TextChoices):
    TRIAGE_RN = "triage_rn", "Triage RN"
    LPN = "lpn", "LPN"
    CALL_CENTER_MANAGER = "call_center_manager", "Call-center manager"
    SUPERVISOR = "supervisor", "Triage supervisor"
    SCHEDULER = "scheduler", "Scheduler"
    MEDICAL_ASSISTANT = "medical_assistant", "Medical assistant"
    PATIENT_ACCESS = "patient_access", "Patient access representative"
    OTHER = "other", "Other"


class Outcome(models.TextChoices):
    UNDECIDED = "undecided", "Undecided"
    RETAINED = "retained", "Retained by the client in another role"
    HIRED_BY_PROVIDER = "hired_by_provider", "Hired by the provider"
    REDEPLOYED = "redeployed", "Redeployed"
    RETIRING = "retiring", "Retiring"
    LAID_OFF = "laid_off", "Laid off"


# People who leave the triage line and whose knowledge must be captured before they go.
# Those hired by the provider carry their knowledge with them; undecided people are counted
# once their outcome is decided.
DEPARTING_OUTCOMES = (Outcome.RETAINED, Outcome.REDEPLOYED, Outcome.RETIRING, Outcome.LAID_OFF)


class OutcomeStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    DISCUSSED = "discussed", "Discussed"
    COMMUNICATED = "communicated", "Communicated"
    AGREED = "agreed", "Agreed"
    COMPLETED = "completed", "Completed"


SETTLED_STATUSES = (OutcomeStatus.AGREED, OutcomeStatus.COMPLETED)


class Support(models.TextChoices):
    SEVERANCE = "severance", "Severance"
    OUTPLACEMENT = "outplacement", "Outplacement"
    RETRAINING = "retraining", "Retraining"
    REFERENCE = "reference", "Reference"
    COUNSELLING = "counselling", "Counselling"


class StaffMember(PartnershipOwnedModel):
    """A person on the client's internal call-center team, handled with care."""

    HR_SENSITIVE_FIELDS = ("support_offered", "support_details", "hr_notes")
    # What people enter and change (the service, the form and the API input use this list).
    EDITABLE_FIELDS = (
        "full_name",
        "role",
        "site",
        "tenure_years",
        "knowledge_areas",
        "work_email",
        "outcome",
        "outcome_status",
        "notice_date",
        "last_day",
        "support_offered",
        "support_details",
        "hr_notes",
        "recognition",
    )

    partnership = partnership_key(related_name="staff_members")
    full_name = models.CharField(max_length=200)
    role = models.CharField(max_length=32, choices=StaffRole.choices, default=StaffRole.TRIAGE_RN)
    site = models.CharField(
        max_length=120,
        blank=True,
        help_text="Site of employment (a lay-off notice check counts lay-offs per site).",
    )
    tenure_years = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(70)],
    )
    knowledge_areas = models.JSONField(default=list, blank=True, validators=[TextListValidator()])
    work_email = models.EmailField(blank=True)
    outcome = models.CharField(max_length=24, choices=Outcome.choices, default=Outcome.UNDECIDED)
    outcome_status = models.CharField(
        max_length=16, choices=OutcomeStatus.choices, default=OutcomeStatus.PROPOSED
    )
    notice_date = models.DateField(
        null=True, blank=True, help_text="When notice was given.", validators=[sane_date]
    )
    last_day = models.DateField(
        null=True, blank=True, help_text="Last day on the triage line.", validators=[sane_date]
    )
    support_offered = models.JSONField(
        default=list, blank=True, validators=[ChoiceListValidator(Support.values)]
    )
    support_details = models.TextField(blank=True)
    hr_notes = models.TextField(blank=True)
    recognition = models.TextField(blank=True, help_text="How this person's work was honoured.")
    pm_invitation = models.ForeignKey(
        "accounts.Invitation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The invitation sent when this person was appointed implementation PM.",
    )
    pm_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Set once the appointed person is assigned to the partnership as PM.",
    )
    pm_appointed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["full_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership", "work_email"],
                condition=~Q(work_email=""),
                name="staff_member_unique_email_per_partnership",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "partnership", "outcome"]),
            models.Index(fields=["organization", "partnership", "last_day"]),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_departing(self) -> bool:
        return self.outcome in DEPARTING_OUTCOMES

    @property
    def notice_days(self) -> int | None:
        if self.notice_date is None or self.last_day is None:
            return None
        return (self.last_day - self.notice_date).days

    @property
    def pm_appointment_state(self) -> str:
        if self.pm_user_id:
            return "assigned"
        if self.pm_invitation_id:
            return "invited"
        return ""

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        if self.notice_date and self.last_day and self.last_day < self.notice_date:
            errors["last_day"] = "The last day cannot be before the notice date."
        if self.outcome == Outcome.UNDECIDED and self.outcome_status in SETTLED_STATUSES:
            errors["outcome_status"] = "An undecided outcome cannot be agreed or completed."
        if errors:
            raise ValidationError(errors)


class AdkarStage(models.TextChoices):
    """Prosci's ADKAR model of individual change: each stage builds on the one before."""

    AWARENESS = "awareness", "Awareness"
    DESIRE = "desire", "Desire"
    KNOWLEDGE = "knowledge", "Knowledge"
    ABILITY = "ability", "Ability"
    REINFORCEMENT = "reinforcement", "Reinforcement"


class StakeholderGroup(PartnershipOwnedModel):
    """A group affected by the transition (triage nurses, clinic managers, physicians…)."""

    partnership = partnership_key(related_name="stakeholder_groups")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    headcount = models.PositiveIntegerField(null=True, blank=True)
    adkar_stage = models.CharField(
        max_length=16, choices=AdkarStage.choices, default=AdkarStage.AWARENESS
    )

    # What people enter and change (the service, the form and the API input use this list).
    EDITABLE_FIELDS = ("name", "description", "headcount", "adkar_stage")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership", "name"],
                name="stakeholder_group_unique_name_per_partnership",
            )
        ]

    def __str__(self) -> str:
        return self.name


class SentimentCheckIn(PartnershipOwnedModel):
    """How a person or a stakeholder group feels about the transition, 1 (very negative) to
    5 (very positive), with a note. The note is HR-sensitive."""

    HR_SENSITIVE_FIELDS = ("note",)
    # A named person's check-in is HR data as a whole (their sentiment): an erasure of HR
    # records deletes those rows; a stakeholder group's stay, their notes emptied.
    HR_PERSONAL_ROW = "staff_member"

    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, null=True, blank=True, related_name="check_ins"
    )
    group = models.ForeignKey(
        StakeholderGroup, on_delete=models.CASCADE, null=True, blank=True, related_name="check_ins"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    note = models.TextField(blank=True)
    checked_on = models.DateField(validators=[sane_date])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["checked_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="check_in_score_1_to_5"
            ),
            models.CheckConstraint(
                condition=(Q(staff_member__isnull=False) & Q(group__isnull=True))
                | (Q(staff_member__isnull=True) & Q(group__isnull=False)),
                name="check_in_person_xor_group",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "partnership", "checked_on"]),
            models.Index(fields=["organization", "staff_member", "checked_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 on {self.checked_on}"


class KnowledgeCategory(models.TextChoices):
    PHYSICIAN_PREFERENCE = "physician_preference", "Physician preference"
    STANDING_ORDER = "standing_order", "Standing order"
    CLINIC_PROCEDURE = "clinic_procedure", "Clinic procedure"
    PATIENT_POPULATION = "patient_population", "Patient-population note"
    ESCALATION = "escalation", "On-call and escalation practice"
    OTHER = "other", "Other"


class KnowledgeStatus(models.TextChoices):
    CAPTURED = "captured", "Captured"
    REVIEWED = "reviewed", "Reviewed"
    TRANSFERRED = "transferred", "Transferred to the provider"


class KnowledgeItem(PartnershipOwnedModel):
    """Something an experienced person knows that the provider must not lose: captured in an
    interview, reviewed, then transferred into the provider's knowledge base."""

    partnership = partnership_key(related_name="knowledge_items")
    source = models.ForeignKey(
        StaffMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_items",
        help_text="The person it was captured from.",
    )
    category = models.CharField(max_length=24, choices=KnowledgeCategory.choices)
    title = models.CharField(max_length=200)
    subject = models.CharField(
        max_length=200, blank=True, help_text="Who or what it is about, e.g. “Dr. Patel”."
    )
    content = models.TextField()
    status = models.CharField(
        max_length=16, choices=KnowledgeStatus.choices, default=KnowledgeStatus.CAPTURED
    )
    captured_on = models.DateField(validators=[sane_date])
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    transferred_at = models.DateTimeField(null=True, blank=True)

    # What people enter and change (the service, the form and the API input use this list).
    EDITABLE_FIELDS = ("source", "category", "title", "subject", "content", "captured_on")

    class Meta:
        ordering = ["-captured_on", "-id"]
        indexes = [
            models.Index(fields=["organization", "partnership", "status"]),
            models.Index(fields=["organization", "source"]),
        ]

    def __str__(self) -> str:
        return self.title


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    TOWN_HALL = "town_hall", "Town hall"
    TEAM_MEETING = "team_meeting", "Team meeting"
    ONE_ON_ONE = "one_on_one", "One-on-one"
    LETTER = "letter", "Letter"
    INTRANET = "intranet", "Intranet"
    PHONE = "phone", "Phone"
    NEWSLETTER = "newsletter", "Newsletter"


class CommunicationQuerySet(PartnershipOwnedQuerySet):
    def pending(self):
        return self.filter(sent_at__isnull=True)


class CommunicationItem(PartnershipOwnedModel):
    """One planned message of the stakeholder communications plan."""

    partnership = partnership_key(related_name="communications")
    audience = models.CharField(max_length=200)
    group = models.ForeignKey(
        StakeholderGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communications",
    )
    message = models.TextField()
    channel = models.CharField(max_length=16, choices=Channel.choices)
    planned_on = models.DateField(validators=[sane_date])
    sent_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CommunicationQuerySet.as_manager()

    # What people enter and change (the service, the form and the API input use this list).
    EDITABLE_FIELDS = ("audience", "group", "message", "channel", "planned_on", "owner")

    class Meta:
        ordering = ["planned_on", "id"]
        indexes = [models.Index(fields=["organization", "partnership", "planned_on"])]

    def __str__(self) -> str:
        return f"{self.audience} · {self.planned_on}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None

    def is_overdue(self, today: datetime.date) -> bool:
        """Not sent, and its planned date has passed."""
        return not self.is_sent and self.planned_on < today


class SensitiveAccessLogQuerySet(PartnershipOwnedQuerySet):
    def update(self, **kwargs):
        raise TypeError("Access log rows are never updated.")

    def delete(self):
        raise TypeError("Access log rows are never deleted.")


class SensitiveAccessLog(PartnershipOwnedModel):
    """Someone was shown HR-sensitive data about a person: who, when, which record, where."""

    partnership = models.ForeignKey(
        "partnerships.Partnership", on_delete=models.PROTECT, related_name="+"
    )
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    viewer_role = models.CharField(max_length=32)
    staff_member = models.ForeignKey(
        StaffMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff_name = models.CharField(max_length=200, help_text="Kept if the record is deleted.")
    context = models.CharField(max_length=64, help_text="Where it was shown, e.g. api.staff.list.")
    fields = models.JSONField(default=list)

    objects = SensitiveAccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "partnership", "-created_at"]),
            models.Index(fields=["organization", "staff_member", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.viewer_id} saw {self.staff_name} ({self.context})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Access log rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Access log rows are never deleted.")


class PeopleAccessGrantQuerySet(PartnershipOwnedQuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class PeopleAccessGrant(PartnershipOwnedModel):
    """“People access” for one implementation PM on one partnership: the HR-sensitive fields
    of its staff (HR notes, support, check-in notes, individual sentiment), which a PM does not
    see by default (they are often the client's former call-center manager). Granted by an
    admin or the partnership's account manager; revoked, never deleted, so the record stays."""

    partnership = partnership_key(related_name="people_access_grants")
    grantee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True, help_text="Why access was granted.")

    objects = PeopleAccessGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership", "grantee"],
                condition=Q(revoked_at__isnull=True),
                name="people_access_one_active_grant",
            )
        ]
        indexes = [models.Index(fields=["organization", "partnership", "grantee"])]

    def __str__(self) -> str:
        return f"People access for {self.grantee}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

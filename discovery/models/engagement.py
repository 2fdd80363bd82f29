"""Working with the client: discovery sessions, the desired patient experience goals and
their sign-off, the discovery sign-off itself, and the optimization opportunities that only
come after it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from discovery.models.inventory import (
    INTERNAL_HELP,
    check_partnership,
    check_same_organization,
    check_same_partnership,
)
from partnerships.models import PartnershipOwnedModel, partnership_key
from tenancy.validators import sane_date


class DiscoverySession(PartnershipOwnedModel):
    """A working session with the client: who came, what was said and decided."""

    partnership = partnership_key(related_name="discovery_sessions")
    held_on = models.DateField(validators=[sane_date])
    title = models.CharField(max_length=200)
    attendees = models.TextField(blank=True, help_text="One person per line (name, role).")
    notes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    internal_notes = models.TextField(blank=True, help_text=INTERNAL_HELP)

    INTERNAL_FIELDS = ("internal_notes",)

    # What people enter and change (services, forms and serializers use this list).
    EDITABLE_FIELDS = (
        "held_on",
        "title",
        "attendees",
        "notes",
        "decisions",
        "internal_notes",
    )

    class Meta:
        ordering = ["-held_on", "title"]
        verbose_name = "discovery session"
        indexes = [models.Index(fields=["organization", "partnership", "-held_on"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_on:%Y-%m-%d})" if self.held_on else self.title

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_partnership(self, errors)
        if errors:
            raise ValidationError(errors)


class GoalPriority(models.IntegerChoices):
    HIGH = 1, "High"
    MEDIUM = 2, "Medium"
    LOW = 3, "Low"


class ExperienceGoal(PartnershipOwnedModel):
    """A desired patient experience, made measurable by a KPI and a target."""

    partnership = partnership_key(related_name="experience_goals")
    statement = models.CharField(
        max_length=500, help_text="What callers should experience, in the client's words."
    )
    kpi = models.ForeignKey(
        "discovery.KpiDefinition", on_delete=models.PROTECT, related_name="experience_goals"
    )
    target = models.DecimalField(max_digits=12, decimal_places=3)
    service_line = models.ForeignKey(
        "discovery.ServiceLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experience_goals",
        verbose_name="service",
        help_text="Leave empty when the goal holds for every service.",
    )
    priority = models.PositiveSmallIntegerField(
        choices=GoalPriority.choices, default=GoalPriority.MEDIUM
    )

    # What people enter and change (services, forms and serializers use this list).
    EDITABLE_FIELDS = (
        "statement",
        "kpi",
        "target",
        "service_line",
        "priority",
    )

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = "experience goal"
        indexes = [models.Index(fields=["organization", "partnership", "priority"])]

    def __str__(self) -> str:
        return self.statement

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_partnership(self, errors)
        if self.kpi_id:
            check_same_organization(self, errors, "kpi")
            if "kpi" not in errors and (problem := self.kpi.check_value(self.target)):
                errors["target"] = problem
        if self.service_line_id:
            check_same_partnership(self, errors, "service_line")
        if errors:
            raise ValidationError(errors)


class GoalSignOff(PartnershipOwnedModel):
    """The client executive's sign-off of the set of goals, as they stood then.

    A change to the goals afterwards supersedes it (recorded, never deleted); the client
    signs the new set again.
    """

    partnership = partnership_key(related_name="goal_sign_offs")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    goals = models.JSONField(help_text="The goals as they were signed off.")
    note = models.TextField(blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = "goal sign-off"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership"],
                condition=Q(superseded_at__isnull=True),
                name="goal_sign_off_one_active_per_partnership",
            )
        ]

    def __str__(self) -> str:
        return f"Goals signed off by {self.signed_by} on {self.signed_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.superseded_at is None


class DiscoverySignOff(PartnershipOwnedModel):
    """The account manager's statement that discovery is complete, co-signed by the client.

    One row per sign-off; reopening keeps the row and records who reopened it, when and why.
    At most one sign-off of a partnership is open (not reopened) at a time.
    """

    partnership = partnership_key(related_name="discovery_sign_offs")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField()
    note = models.TextField(blank=True)
    checklist = models.JSONField(help_text="The checklist as it stood at sign-off.")
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = "discovery sign-off"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership"],
                condition=Q(reopened_at__isnull=True),
                name="discovery_sign_off_one_open_per_partnership",
            ),
            models.CheckConstraint(
                condition=Q(cosigned_by__isnull=True, cosigned_at__isnull=True)
                | Q(cosigned_by__isnull=False, cosigned_at__isnull=False),
                name="discovery_sign_off_cosign_complete",
            ),
            models.CheckConstraint(
                condition=Q(reopened_at__isnull=True, reopened_by__isnull=True)
                | (Q(reopened_at__isnull=False, reopened_by__isnull=False) & ~Q(reopen_reason="")),
                name="discovery_sign_off_reopen_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Discovery signed off by {self.signed_by} on {self.signed_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.reopened_at is None

    @property
    def is_cosigned(self) -> bool:
        return self.cosigned_at is not None


class ReopenRequestStatus(models.TextChoices):
    OPEN = "open", "Awaiting an answer"
    ACCEPTED = "accepted", "Accepted: discovery reopened"
    DECLINED = "declined", "Declined"


class DiscoveryReopenRequest(PartnershipOwnedModel):
    """The client executive's request that signed-off discovery be reopened, with why.

    The client may not reopen discovery themselves: the dedicated account manager (or an
    admin) answers, accepting (which reopens the sign-off, recorded with the client's reason)
    or declining with a reply. At most one request of a partnership awaits an answer.
    """

    partnership = partnership_key(related_name="discovery_reopen_requests")
    sign_off = models.ForeignKey(
        DiscoverySignOff, on_delete=models.PROTECT, related_name="reopen_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    status = models.CharField(
        max_length=16, choices=ReopenRequestStatus.choices, default=ReopenRequestStatus.OPEN
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "discovery reopening request"
        indexes = [models.Index(fields=["organization", "partnership", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership"],
                condition=Q(status="open"),
                name="discovery_reopen_request_one_open_per_partnership",
            ),
            models.CheckConstraint(
                condition=~Q(reason=""), name="discovery_reopen_request_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(status="open", answered_by__isnull=True, answered_at__isnull=True)
                | (
                    ~Q(status="open")
                    & Q(answered_by__isnull=False, answered_at__isnull=False)
                    & (~Q(status="declined") | ~Q(reply=""))
                ),
                name="discovery_reopen_request_answer_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Reopening asked by {self.requested_by} on {self.created_at:%Y-%m-%d}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_partnership(self, errors)
        if self.sign_off_id:
            check_same_partnership(self, errors, "sign_off")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status == ReopenRequestStatus.OPEN


class Effort(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class OpportunityStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    IMPLEMENTED = "implemented", "Implemented"


class Opportunity(PartnershipOwnedModel):
    """A change the provider proposes after discovery; the client accepts or rejects it."""

    partnership = partnership_key(related_name="opportunities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    service_line = models.ForeignKey(
        "discovery.ServiceLine",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
        verbose_name="service",
    )
    kpi = models.ForeignKey(
        "discovery.KpiDefinition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    expected_effect = models.CharField(
        max_length=300, blank=True, help_text="e.g. 'average speed of answer from 45 s to 25 s'."
    )
    expected_value = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The KPI's expected value once implemented.",
    )
    effort = models.CharField(max_length=8, choices=Effort.choices, default=Effort.MEDIUM)
    status = models.CharField(
        max_length=12, choices=OpportunityStatus.choices, default=OpportunityStatus.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    implemented_at = models.DateTimeField(null=True, blank=True)
    internal_notes = models.TextField(blank=True, help_text=INTERNAL_HELP)

    INTERNAL_FIELDS = ("internal_notes",)

    # What people enter and change (services, forms and serializers use this list).
    EDITABLE_FIELDS = (
        "title",
        "description",
        "service_line",
        "kpi",
        "expected_effect",
        "expected_value",
        "effort",
        "internal_notes",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "opportunities"
        indexes = [models.Index(fields=["organization", "partnership", "status"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_partnership(self, errors)
        if self.service_line_id:
            check_same_partnership(self, errors, "service_line")
        if self.kpi_id:
            check_same_organization(self, errors, "kpi")
            if "kpi" not in errors and (problem := self.kpi.check_value(self.expected_value)):
                errors["expected_value"] = problem
        elif self.expected_value is not None:
            errors["kpi"] = "Name the KPI the expected value is measured by."
        if errors:
            raise ValidationError(errors)

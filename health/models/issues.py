from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnerships.models import PartnershipOwnedModel, partnership_key
from tenancy.models import TenantModel
from tenancy.validators import text_limit


class Severity(models.TextChoices):
    CRITICAL = "critical", "Critical"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class IssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_ON_CLIENT = "waiting_on_client", "Waiting on client"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# Response and resolution targets when an organization has set none (minutes).
DEFAULT_SLA_MINUTES: dict[str, tuple[int, int]] = {
    Severity.CRITICAL: (60, 24 * 60),
    Severity.HIGH: (4 * 60, 3 * 24 * 60),
    Severity.MEDIUM: (24 * 60, 10 * 24 * 60),
    Severity.LOW: (3 * 24 * 60, 30 * 24 * 60),
}


class SlaTarget(TenantModel):
    """An organization's response and resolution targets for one severity."""

    severity = models.CharField(max_length=16, choices=Severity.choices)
    response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()

    class Meta:
        ordering = ["severity"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "severity"], name="sla_target_one_per_severity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.severity}: {self.response_minutes} / {self.resolution_minutes} min"


class Issue(PartnershipOwnedModel):
    """Anything that goes wrong or needs an answer, from day one, with its SLA clock.

    The clock pauses while the issue waits on the client: `paused_seconds` accumulates the
    paused time (and `paused_since` holds an open pause), and the due times move out by it
    (`health.sla.issue_clock` reads them; pages, API and health checks all use it).
    """

    partnership = partnership_key(related_name="issues")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, validators=[text_limit])
    severity = models.CharField(max_length=16, choices=Severity.choices)
    status = models.CharField(max_length=24, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_issues",
    )
    service_line = models.ForeignKey(
        "discovery.ServiceLine",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="issues",
        verbose_name="service",
    )
    resolution = models.TextField(blank=True, validators=[text_limit])
    internal_notes = models.TextField(
        blank=True,
        validators=[text_limit],
        help_text="Internal: provider staff only, never shown to client executives.",
    )
    opened_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The SLA targets in force when the issue was raised (minutes), so a later change of the
    # organization's targets does not move an issue's clock.
    response_minutes = models.PositiveIntegerField()
    resolution_minutes = models.PositiveIntegerField()
    paused_seconds = models.PositiveBigIntegerField(default=0)
    paused_since = models.DateTimeField(null=True, blank=True)

    INTERNAL_FIELDS = ("internal_notes",)
    EDITABLE_FIELDS = (
        "title",
        "description",
        "severity",
        "owner",
        "service_line",
        "resolution",
        "internal_notes",
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "partnership", "status"]),
            models.Index(fields=["organization", "status", "severity"]),
        ]

    def __str__(self) -> str:
        return self.title


class IssueStatusChange(PartnershipOwnedModel):
    """One move of an issue's status: who, when, from, to, why."""

    partnership = partnership_key(related_name="+")
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=24, choices=IssueStatus.choices)
    to_status = models.CharField(max_length=24, choices=IssueStatus.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["organization", "issue", "created_at"])]

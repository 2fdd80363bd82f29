from __future__ import annotations

import datetime
import zoneinfo
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (e.g. America/Chicago).")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(tz, tz) for tz in sorted(zoneinfo.available_timezones()) if "/" in tz]


class Organization(models.Model):
    """The tenant: a provider of outsourced nurse triage."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone], default="UTC")
    go_decision_max_age_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=(
            "How recent a recorded go decision must be for a partnership to go live (days, "
            "1 to 90)."
        ),
    )
    hr_retention_days = models.PositiveIntegerField(
        default=180,
        validators=[MinValueValidator(0), MaxValueValidator(3650)],
        help_text=(
            "Days after a partnership ends before its staff's HR records may be erased (export"
            " them first)."
        ),
    )
    two_factor_required = models.BooleanField(
        default=True,
        help_text=(
            "Admins and account managers must sign in with a second factor (an authenticator"
            " app); others may choose to."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> datetime.tzinfo:
        """The organization's time zone (the server's default if the stored one is unknown)."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return timezone.get_default_timezone()

    def local_today(self) -> datetime.date:
        """Today in the organization's time zone: a due date or a task done at 11 pm in
        Chicago is a local date, not the next day in UTC."""
        return timezone.localdate(timezone=self.zone)


class TenantQuerySet(models.QuerySet):
    def for_organization(self, organization: Organization) -> Self:
        return self.filter(organization=organization)


class TenantModel(models.Model):
    """A row owned by exactly one provider organization (the tenant).

    The organization is stored even where a parent implies it, so scoping needs no joins and
    every index can lead with it.
    """

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    ACCOUNT_MANAGER = "account_manager", "Account manager"
    IMPLEMENTATION_PM = "implementation_pm", "Implementation PM"
    CLIENT_EXECUTIVE = "client_executive", "Client executive"


PROVIDER_ROLES = (Role.ADMIN, Role.ACCOUNT_MANAGER, Role.IMPLEMENTATION_PM)


class Membership(TenantModel):
    """A user's place in one organization. Everything a user does happens through one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    client = models.ForeignKey(
        "partnerships.ClientOrganization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="executive_memberships",
        help_text="For client executives: the client whose partnerships they see.",
    )

    class Meta:
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user"], name="membership_one_per_user_and_org"
            ),
            models.CheckConstraint(
                condition=(models.Q(role="client_executive", client__isnull=False))
                | (~models.Q(role="client_executive") & models.Q(client__isnull=True)),
                name="membership_client_iff_client_executive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organization}"

    @property
    def is_provider(self) -> bool:
        return self.role in PROVIDER_ROLES

    def clean(self) -> None:
        if self.role == Role.CLIENT_EXECUTIVE and not self.client_id:
            raise ValidationError({"client": "A client executive must name their client."})
        if self.role != Role.CLIENT_EXECUTIVE and self.client_id:
            raise ValidationError({"client": "Only client executives belong to a client."})
        if self.client_id and self.client.organization_id != self.organization_id:
            raise ValidationError({"client": "The client belongs to another organization."})


class AuditEventQuerySet(TenantQuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are never updated.")

    def delete(self):
        raise TypeError("Audit events are never deleted.")


class AuditEvent(TenantModel):
    """Something that mattered happened. Written once by a service; never updated or deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verb = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    target_repr = models.CharField(max_length=255)
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["organization", "partnership", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are never deleted.")


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Job(TenantModel):
    """Long work run in the background for one member (a large import, every health check at
    once), with what its page shows while it runs: a step, how far along, and at the end the
    result or why it failed. The row outlives the request, so the page survives a reload.

    `payload` holds what the work needs that a task message should not carry (an uploaded
    file's text); `result_url` where to go once it is done."""

    kind = models.CharField(max_length=32)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    step = models.CharField(max_length=120, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    result = models.CharField(max_length=500, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    payload = models.TextField(blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"

    @property
    def progress(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return min(99, round(100 * self.done / self.total)) if self.total else 0

    @property
    def running(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)


class OutboxMessage(models.Model):
    """A Celery task to send, written in the same transaction as the change that calls for it
    (a transactional outbox: `tenancy.outbox`). Sent right after the commit when the broker
    answers; otherwise the relay (a beat task, every minute) sends it once the broker is back,
    so a request never waits on a broker that is down and no work is lost."""

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(
                fields=["id"], name="outbox_unsent", condition=models.Q(sent_at__isnull=True)
            ),
            # The relay's purge of what was sent over a week ago (`tenancy.outbox.purge_sent`).
            models.Index(
                fields=["sent_at"], name="outbox_sent", condition=models.Q(sent_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"

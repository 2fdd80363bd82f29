"""Notifications: what happened that a member should know of, and how each member wants to
hear of each kind (in the app only, an e-mail at once, or the daily digest)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from partnerships.models import PartnershipOwnedModel, partnership_key
from tenancy.models import JobStatus, TenantModel


class NotificationKind(models.TextChoices):
    AWAITING = "awaiting", "A sign-off or decision awaits you"
    ALERT = "alert", "A health alert"
    TASK = "task", "A task assigned to you or due tomorrow"
    ISSUE = "issue", "An issue raised or answered on your partnership"
    REOPEN = "reopen", "A request to reopen discovery"


class Delivery(models.TextChoices):
    IN_APP = "in_app", "In the app only"
    EMAIL = "email", "E-mail at once"
    DIGEST = "digest", "In the daily digest e-mail"


# How a member hears of each kind until they choose.
DEFAULT_DELIVERY = {
    NotificationKind.AWAITING: Delivery.EMAIL,
    NotificationKind.ALERT: Delivery.EMAIL,
    NotificationKind.TASK: Delivery.DIGEST,
    NotificationKind.ISSUE: Delivery.EMAIL,
    NotificationKind.REOPEN: Delivery.EMAIL,
}


class Notification(TenantModel):
    """One thing one member should know of, with the page where they act on it. Its title
    never carries HR data (it names a task, an issue, an alert or a sign-off)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=500, help_text="The page where the member acts on it.")
    partnership = models.ForeignKey(
        "partnerships.Partnership",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # What made it, so that the same event never notifies the same member twice.
    key = models.CharField(max_length=120)
    read_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=8, choices=Delivery.choices)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "recipient", "key"], name="notification_once_per_event"
            )
        ]
        indexes = [
            models.Index(
                fields=["organization", "recipient", "read_at"], name="notification_unread"
            ),
            models.Index(
                fields=["organization", "delivery", "emailed_at"], name="notification_digest"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(TenantModel):
    """How a member hears of one kind of notification in one organization."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=8, choices=Delivery.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "kind"], name="notification_preference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"


class DigestSent(TenantModel):
    """A digest e-mail sent to a member for a period (its first day), so that a retried or
    repeated beat never sends it twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=[("daily", "Daily"), ("weekly", "Weekly")])
    period = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "user", "kind", "period"], name="digest_sent_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} digest of {self.period} to {self.user_id}"


class SummaryDocument(PartnershipOwnedModel):
    """A monthly executive summary as PDF, written in the background for the member who asked
    (it shows what they may see, so it is theirs only)."""

    partnership = partnership_key(related_name="+")
    month = models.DateField(help_text="The first day of the month summarised.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Written as a provider member (touchpoints included) or as the client's executive: a
    # member whose side changed since no longer reads it.
    for_provider = models.BooleanField(default=True)
    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organization", "partnership", "requested_by"], name="summary_doc_owner"
            )
        ]

    def __str__(self) -> str:
        return f"Summary of {self.month:%B %Y} for partnership {self.partnership_id}"

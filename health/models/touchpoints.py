from __future__ import annotations

from django.conf import settings
from django.db import models

from partnerships.models import PartnershipOwnedModel, partnership_key
from tenancy.validators import sane_date, text_limit


class TouchpointKind(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CALL = "call", "Call"
    BUSINESS_REVIEW = "business_review", "Business review"
    SITE_VISIT = "site_visit", "Site visit"


class Touchpoint(PartnershipOwnedModel):
    """The account manager's meeting, call, business review or site visit with the client."""

    partnership = partnership_key(related_name="touchpoints")
    date = models.DateField(validators=[sane_date])
    kind = models.CharField(max_length=24, choices=TouchpointKind.choices)
    attendees = models.TextField(
        help_text="Who took part, one per line or comma-separated.", validators=[text_limit]
    )
    notes = models.TextField(blank=True, validators=[text_limit])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    EDITABLE_FIELDS = ("date", "kind", "attendees", "notes")

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["organization", "partnership", "-date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.date}"


class FollowUp(PartnershipOwnedModel):
    """An action agreed at a touchpoint, with its owner and due date."""

    partnership = partnership_key(related_name="+")
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due = models.DateField(null=True, blank=True, validators=[sane_date])
    done_at = models.DateTimeField(null=True, blank=True)

    EDITABLE_FIELDS = ("action", "owner", "due")

    class Meta:
        ordering = ["due", "id"]
        indexes = [models.Index(fields=["organization", "partnership", "due"])]

    def __str__(self) -> str:
        return self.action

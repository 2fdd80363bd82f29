from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from partnerships.models import PartnershipOwnedModel, partnership_key
from tenancy.models import TenantModel


class Band(models.TextChoices):
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    NOT_ENOUGH_DATA = "no_data", "Not enough data"


class Trend(models.TextChoices):
    IMPROVING = "improving", "Improving"
    STEADY = "steady", "Steady"
    WORSENING = "worsening", "Worsening"
    UNKNOWN = "unknown", "No earlier check"


class HealthSettings(TenantModel):
    """An organization's health-check settings: the weights of each component per phase,
    the band thresholds, when KPI data counts as stale, and how often checks run.

    Empty `weights` means the defaults documented in `health.scoring.DEFAULT_WEIGHTS`.
    """

    weights = models.JSONField(
        default=dict,
        blank=True,
        help_text=(
            "Per phase (discovery, transition, live), the weight of the components (quality, "
            "schedule, experience, issues, people, engagement, discovery, data_freshness) that "
            "differ from the defaults; a component not named keeps its default weight, and a "
            "weight of 0 leaves it out. Empty for the defaults."
        ),
    )
    red_below = models.PositiveSmallIntegerField(
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="A score below this is red (default 50: red is 0 to 49).",
    )
    green_from = models.PositiveSmallIntegerField(
        default=75,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text="A score from this up is green (default 75: amber is 50 to 74).",
    )
    stale_after_days = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="A live partnership whose KPI feed sent nothing for this many days is stale.",
    )
    check_every_minutes = models.PositiveIntegerField(
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(7 * 24 * 60)],
        help_text="How often the scheduled health checks run for this organization.",
    )

    class Meta:
        verbose_name_plural = "health settings"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="health_settings_one_per_org"),
            models.CheckConstraint(
                condition=models.Q(red_below__lt=models.F("green_from")),
                name="health_settings_red_below_green",
            ),
        ]

    def __str__(self) -> str:
        return f"Health settings of {self.organization_id}"


class HealthCheck(PartnershipOwnedModel):
    """One immutable snapshot of a partnership's health for one period: the score (None: not
    enough data), its band and trend, each component with its score, weight, measures and
    reasons, and what was missing. Unique per partnership and period, so a retried or
    duplicated task never doubles it."""

    partnership = partnership_key(related_name="health_checks")
    period_start = models.DateTimeField(help_text="The start of the period checked (UTC).")
    phase = models.CharField(max_length=16)
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    band = models.CharField(max_length=8, choices=Band.choices)
    trend = models.CharField(max_length=12, choices=Trend.choices, default=Trend.UNKNOWN)
    components = models.JSONField(default=list)
    missing = models.JSONField(default=list)
    trigger = models.CharField(
        max_length=16, default="schedule", help_text="schedule, on demand, or after an upload."
    )
    inputs_digest = models.CharField(
        max_length=32,
        blank=True,
        default="",
        editable=False,
        help_text=(
            "A fingerprint of what the check read (`health.scoring.inputs_digest`): the next "
            "check with the same fingerprint copies this one's score, band and explanation."
        ),
    )

    class Meta:
        ordering = ["-period_start", "-id"]
        # The unique constraint's index (organization, partnership, period_start) also serves
        # "the latest check of a partnership", scanned backwards.
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership", "period_start"],
                name="health_check_one_per_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} @ {self.period_start}: {self.band}"


class AlertKind(models.TextChoices):
    BAND_WORSENED = "band_worsened", "Health band worsened"
    STALE_DATA = "stale_data", "KPI data is stale"


class Alert(PartnershipOwnedModel):
    """An alert to one person (the partnership's account manager): once per worsening, with
    the reasons and a suggested next action; acknowledged with a note or snoozed until a
    date with a reason."""

    partnership = partnership_key(related_name="alerts")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="health_alerts"
    )
    kind = models.CharField(max_length=24, choices=AlertKind.choices)
    health_check = models.ForeignKey(
        HealthCheck, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    band = models.CharField(max_length=8, choices=Band.choices, blank=True)
    title = models.CharField(max_length=200)
    reasons = models.JSONField(default=list)
    suggested_action = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledgement_note = models.TextField(blank=True)
    snoozed_until = models.DateField(null=True, blank=True)
    snooze_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "recipient", "acknowledged_at"]),
            models.Index(fields=["organization", "partnership", "kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title

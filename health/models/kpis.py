from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from partnerships.models import PartnershipOwnedModel, partnership_key
from tenancy.validators import sane_date


class MeasurementSource(models.TextChoices):
    API = "api", "Telephony/ACD feed (API)"
    CSV = "csv", "CSV upload"
    AUDITS = "audits", "Call-quality audits"
    MANUAL = "manual", "Entered by hand"


class KpiMeasurement(PartnershipOwnedModel):
    """One value of one KPI for one day, for one service line or the whole line.

    Unique per partnership, KPI, day and service line (`line_key`: the service line's id, 0
    for the whole line, so that the database can enforce it and an upsert can target it):
    posting the same day and KPI again updates the value, never duplicates it.
    """

    partnership = partnership_key(related_name="kpi_measurements")
    service_line = models.ForeignKey(
        "discovery.ServiceLine",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name="service",
        help_text="Empty: the partnership's whole line.",
    )
    line_key = models.PositiveBigIntegerField(default=0, editable=False)
    kpi = models.ForeignKey(
        "discovery.KpiDefinition", on_delete=models.PROTECT, related_name="measurements"
    )
    day = models.DateField(validators=[sane_date])
    value = models.DecimalField(max_digits=12, decimal_places=3)
    sample_size = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many calls or audits the value stands on, if known."
    )
    source = models.CharField(max_length=16, choices=MeasurementSource.choices)
    received_at = models.DateTimeField(default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-day", "kpi_id", "line_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership", "kpi", "day", "line_key"],
                name="kpi_measurement_one_per_day",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "partnership", "kpi", "-day"]),
            models.Index(fields=["organization", "-received_at"]),
        ]

    def save(self, *args, **kwargs):
        self.line_key = self.service_line_id or 0
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.day}: {self.value}"

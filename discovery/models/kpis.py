"""The KPI catalog: what a nurse-triage line is measured by, per organization.

Each organization starts with the catalog of DESIGN.md (`DEFAULT_KPI_CATALOG`, seeded by
`discovery.services.kpi_catalog_ensure`) and may edit targets and add its own KPIs. Other
apps (KPI measurements, health checks, the parity report) refer to a KPI by its `key`.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models

from tenancy.models import TenantModel


class KpiUnit(models.TextChoices):
    SECONDS = "seconds", "seconds"
    MINUTES = "minutes", "minutes"
    PERCENT = "percent", "%"
    COUNT = "count", "count"
    SCORE = "score", "score"


class KpiDirection(models.TextChoices):
    LOWER = "lower", "Lower is better"
    HIGHER = "higher", "Higher is better"
    NEUTRAL = "neutral", "Neutral (informational)"


def _d(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# DESIGN.md, "Nurse-triage measures". For neutral KPIs, `target` is an approximate expected
# value ("~8") and `target_low`/`target_high` an expected range ("8-12").
DEFAULT_KPI_CATALOG: tuple[dict, ...] = (
    {
        "key": "average_speed_of_answer",
        "name": "Average speed of answer",
        "unit": KpiUnit.SECONDS,
        "direction": KpiDirection.LOWER,
        "target": _d("30"),
        "description": "Average time a caller waits before a person answers.",
        "source": "URAC health call center standard",
    },
    {
        "key": "abandonment_rate",
        "name": "Abandonment rate",
        "unit": KpiUnit.PERCENT,
        "direction": KpiDirection.LOWER,
        "target": _d("5"),
        "description": "Share of offered calls the caller hangs up before being answered.",
        "source": "URAC",
    },
    {
        "key": "triage_callback_time",
        "name": "Triage callback time (average)",
        "unit": KpiUnit.MINUTES,
        "direction": KpiDirection.LOWER,
        "target": _d("30"),
        "description": "Average time from a caller's request to the triage nurse's callback.",
        "source": "URAC",
    },
    {
        "key": "service_level_30s",
        "name": "Service level (answered within 30 s)",
        "unit": KpiUnit.PERCENT,
        "direction": KpiDirection.HIGHER,
        "target": _d("80"),
        "description": "Share of calls answered within 30 seconds.",
        "source": "Common industry target",
    },
    {
        "key": "average_handle_time",
        "name": "Average handle time",
        "unit": KpiUnit.MINUTES,
        "direction": KpiDirection.NEUTRAL,
        "target_low": _d("8"),
        "target_high": _d("12"),
        "description": "Talk plus after-call work per triage call; informational, outliers "
        "both ways deserve a look.",
        "source": "Informational",
    },
    {
        "key": "qa_correct_guideline",
        "name": "Correct guideline selected (QA)",
        "unit": KpiUnit.PERCENT,
        "direction": KpiDirection.HIGHER,
        "target": _d("95"),
        "description": "Share of audited calls where the nurse chose the right protocol.",
        "source": "QA audits",
    },
    {
        "key": "qa_correct_disposition",
        "name": "Correct disposition (QA)",
        "unit": KpiUnit.PERCENT,
        "direction": KpiDirection.HIGHER,
        "target": _d("95"),
        "description": "Share of audited calls with the right disposition (care level).",
        "source": "QA audits",
    },
    {
        "key": "compassion_score",
        "name": "Compassion / soft-skill audit score",
        "unit": KpiUnit.PERCENT,
        "direction": KpiDirection.HIGHER,
        "target": _d("90"),
        "description": "Audit score for empathy, plain language and teach-back.",
        "source": "QA audits",
    },
    {
        "key": "caller_satisfaction",
        "name": "Caller satisfaction (CSAT)",
        "unit": KpiUnit.PERCENT,
        "direction": KpiDirection.HIGHER,
        "target": _d("90"),
        "description": "Share of surveyed callers satisfied or very satisfied.",
        "source": "Surveys",
    },
    {
        "key": "emergency_disposition_rate",
        "name": "Emergency disposition rate (911 + ED now)",
        "unit": KpiUnit.PERCENT,
        "direction": KpiDirection.NEUTRAL,
        "target": _d("8"),
        "description": "Share of triaged calls sent to 911 or the emergency department now; "
        "compared with the published disposition mix to spot outliers.",
        "source": "Published disposition mix",
    },
)


class KpiDefinition(TenantModel):
    """One measure in an organization's catalog, with the direction that counts as better."""

    key = models.SlugField(
        max_length=60, help_text="Stable identifier used by imports and integrations."
    )
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=16, choices=KpiUnit.choices)
    direction = models.CharField(max_length=8, choices=KpiDirection.choices)
    target = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Lower is better: the most allowed. Higher is better: the least allowed. "
        "Neutral: the expected value.",
    )
    target_low = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True, help_text="Neutral KPIs: range."
    )
    target_high = models.DecimalField(
        max_digits=12, decimal_places=3, null=True, blank=True, help_text="Neutral KPIs: range."
    )
    description = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where the figure comes from.")
    is_builtin = models.BooleanField(
        default=False, editable=False, help_text="Shipped with Switchboard (its key is fixed)."
    )
    position = models.PositiveSmallIntegerField(default=100)

    # Measurements, baselines and integrations depend on these: shipped KPIs keep them (the
    # key never changes on any KPI).
    FIXED_ON_BUILTIN = ("unit", "direction")

    # What people enter and change (services, forms and serializers use this list).
    EDITABLE_FIELDS = (
        "key",
        "name",
        "unit",
        "direction",
        "target",
        "target_low",
        "target_high",
        "description",
        "source",
        "position",
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "KPI"
        constraints = [
            models.UniqueConstraint(fields=["organization", "key"], name="kpi_unique_key_per_org"),
            models.UniqueConstraint(
                fields=["organization", "name"], name="kpi_unique_name_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def unit_suffix(self) -> str:
        return {"percent": " %", "seconds": " s", "minutes": " min"}.get(self.unit, "")

    def format_value(self, value: Decimal | None) -> str:
        if value is None:
            return "—"
        return f"{value.normalize():f}{self.unit_suffix}"

    @property
    def target_display(self) -> str:
        if self.target_low is not None and self.target_high is not None:
            low, high = self.target_low.normalize(), self.target_high.normalize()
            return f"{low:f}\u2013{high:f}{self.unit_suffix}"
        if self.target is None:
            return "no target"
        sign = {"lower": "≤ ", "higher": "≥ ", "neutral": "~"}[self.direction]
        return f"{sign}{self.format_value(self.target)}"

    def at_least_as_good(self, value: Decimal, reference: Decimal) -> bool | None:
        """Is `value` at least as good as `reference`? None when no direction is better."""
        if self.direction == KpiDirection.LOWER:
            return value <= reference
        if self.direction == KpiDirection.HIGHER:
            return value >= reference
        return None

    def better_of(self, a: Decimal | None, b: Decimal | None) -> Decimal | None:
        if a is None or b is None or self.direction == KpiDirection.NEUTRAL:
            return a if a is not None else b
        return a if self.at_least_as_good(a, b) else b

    def meets_target(self, value: Decimal, target: Decimal | None = None) -> bool | None:
        """Does `value` meet `target` (default: the catalog's)? None when there is none."""
        if target is None and self.target_low is not None and self.target_high is not None:
            return self.target_low <= value <= self.target_high
        target = self.target if target is None else target
        if target is None or self.direction == KpiDirection.NEUTRAL:
            return None
        return self.at_least_as_good(value, target)

    def check_value(self, value: Decimal | None) -> str | None:
        """The reason `value` cannot be a figure of this KPI, or None."""
        if value is None:
            return None
        if value < 0:
            return "Must not be negative."
        if self.unit == KpiUnit.PERCENT and value > 100:
            return "A percentage must be between 0 and 100."
        return None

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for name in ("target", "target_low", "target_high"):
            if problem := self.check_value(getattr(self, name)):
                errors[name] = problem
        has_range = self.target_low is not None or self.target_high is not None
        if has_range and self.direction != KpiDirection.NEUTRAL:
            errors["target_low"] = "Only neutral KPIs have a target range; set a single target."
        elif has_range and (self.target_low is None or self.target_high is None):
            errors["target_high" if self.target_high is None else "target_low"] = (
                "A target range needs both ends."
            )
        elif has_range and self.target_low > self.target_high:
            errors["target_high"] = "The end of the range cannot be below its start."
        if errors:
            raise ValidationError(errors)

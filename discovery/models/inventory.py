"""What the existing center does and how well: its services (lines of work), a baseline per
KPI for each, and the reports the provider reviewed to learn it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from partnerships.models import PartnershipOwnedModel, partnership_key
from tenancy.validators import sane_date

INTERNAL_HELP = "Internal: provider staff only, never shown to client executives."


def check_same_partnership(instance, errors: dict[str, str], *fields: str) -> None:
    """Related rows named in `fields` must belong to the instance's partnership."""
    for name in fields:
        related = getattr(instance, name, None)
        if related is not None and related.partnership_id != instance.partnership_id:
            errors[name] = f"The {related._meta.verbose_name} belongs to another partnership."


def check_same_organization(instance, errors: dict[str, str], *fields: str) -> None:
    for name in fields:
        related = getattr(instance, name, None)
        if related is not None and related.organization_id != instance.organization_id:
            errors[name] = f"The {related._meta.verbose_name} belongs to another organization."


def check_partnership(instance, errors: dict[str, str]) -> None:
    if (
        instance.partnership_id
        and instance.organization_id
        and instance.partnership.organization_id != instance.organization_id
    ):
        errors["partnership"] = "The partnership belongs to another organization."


def check_period(start, end, errors: dict[str, str], field: str = "period_end") -> None:
    if start and end and end < start:
        errors[field] = "The period cannot end before it starts."


class ServiceKind(models.TextChoices):
    AFTER_HOURS_TRIAGE = "after_hours_triage", "After-hours nurse triage"
    DAYTIME_TRIAGE = "daytime_triage", "Daytime nurse triage"
    ON_CALL_PAGING = "on_call_paging", "Physician on-call paging"
    APPOINTMENT_SCHEDULING = "appointment_scheduling", "Appointment scheduling"
    REFILL_REQUESTS = "refill_requests", "Prescription refill requests"
    POST_DISCHARGE_CALLS = "post_discharge_calls", "Post-discharge follow-up calls"
    TEST_RESULTS = "test_results", "Test results"
    OTHER = "other", "Other"


class ServiceLine(PartnershipOwnedModel):
    """A service the client's existing center delivers (and the provider will take over)."""

    partnership = partnership_key(related_name="service_lines")
    kind = models.CharField(max_length=32, choices=ServiceKind.choices)
    name = models.CharField(max_length=200)
    hours = models.CharField(
        max_length=200, blank=True, help_text="When it runs, e.g. 'weeknights 17:00 to 08:00'."
    )
    monthly_volume = models.PositiveIntegerField(
        null=True, blank=True, help_text="Calls per month."
    )
    description = models.TextField(blank=True)
    internal_notes = models.TextField(blank=True, help_text=INTERNAL_HELP)

    INTERNAL_FIELDS = ("internal_notes",)

    # What people enter and change (services, forms and serializers use this list).
    EDITABLE_FIELDS = (
        "kind",
        "name",
        "hours",
        "monthly_volume",
        "description",
        "internal_notes",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "service"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "partnership", "name"],
                name="service_line_unique_name_per_partnership",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_partnership(self, errors)
        if errors:
            raise ValidationError(errors)


class ReportFileKind(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel workbook (XLSX)"
    PDF = "pdf", "PDF"


def report_upload_to(instance: ReviewedReport, filename: str) -> str:
    # The user's file name never becomes a path: it is kept in `original_filename` only.
    return (
        f"discovery/reports/org-{instance.organization_id}/"
        f"partnership-{instance.partnership_id}/{uuid.uuid4().hex}.{instance.file_kind}"
    )


class ReviewedReport(PartnershipOwnedModel):
    """A report of the existing center that the provider reviewed, with what it found."""

    partnership = partnership_key(related_name="reviewed_reports")
    name = models.CharField(max_length=200)
    source_system = models.CharField(
        max_length=120, blank=True, help_text="e.g. the ACD, the EHR, the QA tool."
    )
    period_start = models.DateField(validators=[sane_date])
    period_end = models.DateField(validators=[sane_date])
    file = models.FileField(upload_to=report_upload_to, max_length=255)
    original_filename = models.CharField(max_length=255, editable=False)
    file_kind = models.CharField(max_length=8, choices=ReportFileKind.choices, editable=False)
    file_size = models.PositiveBigIntegerField(editable=False, help_text="Bytes.")
    findings = models.TextField(blank=True, help_text="What the review found.")
    internal_notes = models.TextField(blank=True, help_text=INTERNAL_HELP)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    INTERNAL_FIELDS = ("internal_notes",)

    # What people enter and change (services, forms and serializers use this list).
    EDITABLE_FIELDS = (
        "name",
        "source_system",
        "period_start",
        "period_end",
        "findings",
        "internal_notes",
    )

    class Meta:
        ordering = ["-period_end", "name"]
        verbose_name = "reviewed report"
        indexes = [models.Index(fields=["organization", "partnership", "-period_end"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reviewed(self) -> bool:
        return bool(self.findings.strip())

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_partnership(self, errors)
        check_period(self.period_start, self.period_end, errors)
        if errors:
            raise ValidationError(errors)


class KpiBaseline(PartnershipOwnedModel):
    """How a service of the existing center performs on one KPI, and the provider's target.

    The target is at least as good as the baseline unless `target_reason` says why not.
    """

    partnership = partnership_key(related_name="kpi_baselines")
    service_line = models.ForeignKey(
        ServiceLine, on_delete=models.CASCADE, related_name="baselines", verbose_name="service"
    )
    kpi = models.ForeignKey(
        "discovery.KpiDefinition", on_delete=models.PROTECT, related_name="baselines"
    )
    value = models.DecimalField(max_digits=12, decimal_places=3)
    period_start = models.DateField(validators=[sane_date])
    period_end = models.DateField(validators=[sane_date])
    source_report = models.ForeignKey(
        ReviewedReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="baselines",
    )
    target = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The provider's target for this service.",
    )
    target_reason = models.TextField(
        blank=True, help_text="Why the target is below the baseline, if it is."
    )
    notes = models.TextField(blank=True)

    # What people enter and change (services, forms and serializers use this list).
    EDITABLE_FIELDS = (
        "service_line",
        "kpi",
        "value",
        "period_start",
        "period_end",
        "source_report",
        "target",
        "target_reason",
        "notes",
    )

    class Meta:
        ordering = ["service_line__name", "kpi__position", "kpi__name"]
        verbose_name = "KPI baseline"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "service_line", "kpi"],
                name="kpi_baseline_one_per_service_and_kpi",
            )
        ]
        indexes = [models.Index(fields=["organization", "partnership", "kpi"])]

    def __str__(self) -> str:
        return f"{self.service_line} · {self.kpi}: {self.value}"

    @property
    def target_below_baseline(self) -> bool:
        if self.target is None or self.value is None:
            return False
        return self.kpi.at_least_as_good(self.target, self.value) is False

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        check_partnership(self, errors)
        if self.service_line_id:
            check_same_partnership(self, errors, "service_line")
        if self.source_report_id:
            check_same_partnership(self, errors, "source_report")
        if self.kpi_id:
            check_same_organization(self, errors, "kpi")
        check_period(self.period_start, self.period_end, errors)
        if self.kpi_id and "kpi" not in errors:
            for name in ("value", "target"):
                if problem := self.kpi.check_value(getattr(self, name)):
                    errors[name] = problem
            figures_ok = not ({"value", "target"} & set(errors))
            if figures_ok and self.target_below_baseline and not self.target_reason.strip():
                errors["target"] = (
                    f"The target ({self.kpi.format_value(self.target)}) is worse than the "
                    f"baseline ({self.kpi.format_value(self.value)}); record a reason or aim "
                    "at least as high."
                )
        if errors:
            raise ValidationError(errors)

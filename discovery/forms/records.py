"""Forms for what discovery records: services, baselines (and their CSV import), reports,
sessions, goals, sign-offs, and opportunities with the client's decision.
"""

from __future__ import annotations

from typing import Any

from django import forms

from discovery.forms.base import (
    DiscoveryForm,
    KpiChoiceField,
    ServiceChoiceField,
    decimal_field,
    textarea,
)
from discovery.models import (
    DiscoverySession,
    Effort,
    ExperienceGoal,
    GoalPriority,
    KpiBaseline,
    Opportunity,
    OpportunityStatus,
    ReviewedReport,
    ServiceKind,
    ServiceLine,
)
from discovery.validators import max_upload_bytes
from partnerships.forms import DateInput

# --- Services and baselines ----------------------------------------------------------------


class ServiceLineForm(DiscoveryForm):
    model = ServiceLine

    kind = forms.ChoiceField(choices=ServiceKind.choices, label="Kind of service")
    name = forms.CharField(max_length=200, help_text="As the client's staff call it.")
    hours = forms.CharField(
        max_length=200,
        required=False,
        help_text="When it runs, e.g. “weeknights 17:00 to 08:00, weekends around the clock”.",
    )
    monthly_volume = forms.IntegerField(
        min_value=0, required=False, label="Monthly volume", help_text="Calls per month."
    )
    description = forms.CharField(required=False, widget=textarea())
    internal_notes = forms.CharField(
        required=False,
        widget=textarea(2),
        help_text="Provider staff only; never shown to client executives.",
    )


class BaselineForm(DiscoveryForm):
    model = KpiBaseline

    service_line = ServiceChoiceField(queryset=None, label="Service", empty_label="Choose")
    kpi = KpiChoiceField(queryset=None, label="KPI", empty_label="Choose a KPI")
    value = decimal_field(label="Baseline value", help_text="How the center performs today.")
    period_start = forms.DateField(widget=DateInput(), label="Measured from")
    period_end = forms.DateField(widget=DateInput(), label="Measured until")
    source_report = forms.ModelChoiceField(
        queryset=None, required=False, label="Source report", empty_label="None"
    )
    target = decimal_field(
        required=False,
        label="Provider's target",
        help_text="Leave empty to aim at the catalog target, or at the baseline where the "
        "center already does better.",
    )
    target_reason = forms.CharField(
        required=False,
        widget=textarea(2),
        label="Reason, if the target is below the baseline",
        help_text="Required when the target is worse than what the center reaches today.",
    )
    notes = forms.CharField(required=False, widget=textarea(2))

    def __init__(self, *args, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = self.visible(ServiceLine).order_by("name")
        self.fields["kpi"].queryset = kpis
        self.fields["source_report"].queryset = self.visible(ReviewedReport).order_by(
            "-period_end", "name"
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period cannot end before it starts.")
        return data


class BaselineImportForm(DiscoveryForm):
    """A CSV file, uploaded or among the CSV reports already reviewed."""

    file = forms.FileField(
        required=False,
        label="CSV file",
        help_text="Columns: service, kpi, value, period_start, period_end; optionally target, "
        "target_reason, notes. One row per service and KPI; dates as YYYY-MM-DD.",
    )
    report = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="…or a CSV report already reviewed",
        empty_label="None",
        help_text="The report becomes the source of the baselines it gives.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = self.visible(ReviewedReport).filter(file_kind="csv")

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("file")) == bool(data.get("report")):
            self.add_error("file", "Upload a CSV file or choose a CSV report (one of the two).")
        return data


# --- Reports -------------------------------------------------------------------------------


class ReportForm(DiscoveryForm):
    """A reviewed report's details; the file itself is fixed once uploaded."""

    model = ReviewedReport

    name = forms.CharField(max_length=200)
    source_system = forms.CharField(
        max_length=120, required=False, help_text="e.g. the ACD, the EHR, the QA tool."
    )
    period_start = forms.DateField(widget=DateInput(), label="Period from")
    period_end = forms.DateField(widget=DateInput(), label="Period until")
    findings = forms.CharField(
        required=False,
        widget=textarea(4),
        help_text="What the review found. A report counts as reviewed once it has findings.",
    )
    internal_notes = forms.CharField(
        required=False,
        widget=textarea(2),
        help_text="Provider staff only; never shown to client executives.",
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The period cannot end before it starts.")
        return data


class ReportUploadForm(ReportForm):
    file = forms.FileField(label="Report file")
    field_order = ["file", "name", "source_system", "period_start", "period_end", "findings"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_upload_bytes() / 1_048_576
        self.fields["file"].help_text = (
            f"CSV, Excel workbook (.xlsx) or PDF, up to {limit:.0f} MB. The type is checked by "
            "the file's content."
        )

    def service_fields(self) -> dict[str, Any]:
        fields = dict(self.cleaned_data)
        fields["upload"] = fields.pop("file")
        return fields


# --- Sessions and goals --------------------------------------------------------------------


class SessionForm(DiscoveryForm):
    model = DiscoverySession

    held_on = forms.DateField(widget=DateInput(), label="Held on")
    title = forms.CharField(max_length=200)
    attendees = forms.CharField(
        required=False, widget=textarea(3), help_text="One person per line (name, role)."
    )
    notes = forms.CharField(required=False, widget=textarea(4))
    decisions = forms.CharField(required=False, widget=textarea(3))
    internal_notes = forms.CharField(
        required=False,
        widget=textarea(2),
        help_text="Provider staff only; never shown to client executives.",
    )


class GoalForm(DiscoveryForm):
    model = ExperienceGoal

    statement = forms.CharField(
        max_length=500,
        widget=textarea(2),
        help_text="What callers should experience, in the client's words.",
    )
    kpi = KpiChoiceField(
        queryset=None, label="Measured by (KPI)", empty_label="Choose the KPI that measures it"
    )
    target = decimal_field(label="Target")
    service_line = ServiceChoiceField(
        queryset=None,
        required=False,
        label="Service",
        empty_label="Every service",
        help_text="Leave at “Every service” when the goal holds for all of them.",
    )
    priority = forms.TypedChoiceField(
        choices=GoalPriority.choices, coerce=int, initial=GoalPriority.MEDIUM
    )

    def __init__(self, *args, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = kpis
        self.fields["service_line"].queryset = self.visible(ServiceLine).order_by("name")


class NoteForm(DiscoveryForm):
    """A sign-off or co-signature, with an optional note."""

    note = forms.CharField(required=False, max_length=2000, widget=textarea(2))


class ReopenForm(DiscoveryForm):
    reason = forms.CharField(
        max_length=2000,
        widget=textarea(3),
        help_text="Kept with the sign-off on record. Discovery records can be changed again "
        "and no opportunity can be proposed until discovery is signed off again.",
    )


class ReopenRequestForm(DiscoveryForm):
    """The client executive asks for signed-off discovery to be reopened."""

    reason = forms.CharField(
        max_length=2000,
        widget=textarea(3),
        label="Why should discovery be reopened?",
        help_text="The account manager reads it and answers; if they accept, discovery is "
        "reopened with your reason on record.",
    )


class ReopenAnswerForm(DiscoveryForm):
    """The account manager's answer to the client's request to reopen discovery."""

    decision = forms.ChoiceField(
        choices=[
            ("accept", "Accept: reopen discovery now"),
            ("decline", "Decline: discovery stays signed off"),
        ],
        widget=forms.RadioSelect,
        label="Your answer",
    )
    reply = forms.CharField(
        required=False,
        max_length=2000,
        widget=textarea(3),
        label="Reply to the client",
        help_text="The client executive reads it. Required to decline.",
    )


# --- Opportunities -------------------------------------------------------------------------


class OpportunityForm(DiscoveryForm):
    model = Opportunity

    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=textarea(3))
    service_line = ServiceChoiceField(
        queryset=None, required=False, label="Service", empty_label="Not one service"
    )
    kpi = KpiChoiceField(
        queryset=None, required=False, label="KPI it improves", empty_label="None in particular"
    )
    expected_effect = forms.CharField(
        max_length=300,
        required=False,
        help_text="In words, e.g. “average speed of answer from 45 s to 25 s”.",
    )
    expected_value = decimal_field(
        required=False,
        label="Expected KPI value",
        help_text="The KPI's value once implemented (needs the KPI above).",
    )
    effort = forms.ChoiceField(choices=Effort.choices, initial=Effort.MEDIUM)
    internal_notes = forms.CharField(
        required=False,
        widget=textarea(2),
        help_text="Provider staff only; never shown to client executives.",
    )

    def __init__(self, *args, kpis, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].queryset = kpis
        self.fields["service_line"].queryset = self.visible(ServiceLine).order_by("name")


class DecisionForm(DiscoveryForm):
    decision = forms.ChoiceField(
        choices=[
            (OpportunityStatus.ACCEPTED, "Accept"),
            (OpportunityStatus.REJECTED, "Reject"),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        required=False,
        max_length=2000,
        widget=textarea(2),
        help_text="Why, or on what condition; the provider sees it. Required to reject.",
    )

"""Forms for the discovery pages.

Forms only read: every choice list comes from the access policy (cut to the partnership of
the page), and the domain rules stay in the models and services; errors those raise go back
on the field they name with `add_service_error`. Internal fields are left out of the forms a
client executive could see.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.text import slugify

from discovery.callflow import KEY_PATTERN
from discovery.models import (
    CallFlow,
    CallFlowState,
    Effort,
    GoalPriority,
    KpiDefinition,
    KpiDirection,
    KpiUnit,
    NodeKind,
    OpportunityStatus,
    ReviewedReport,
    ServiceKind,
    ServiceLine,
)
from discovery.validators import max_upload_bytes
from partnerships import access
from partnerships.forms import DateInput

if TYPE_CHECKING:
    from accounts.models import Membership
    from partnerships.models import Partnership

MAX_DOCUMENT_BYTES = 2 * 1024 * 1024  # a call-flow document; 500 nodes fit many times over


def textarea(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


def decimal_field(**kwargs) -> forms.DecimalField:
    return forms.DecimalField(max_digits=12, decimal_places=3, **kwargs)


class ServiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class KpiChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        unit = obj.get_unit_display()
        return f"{obj.name} ({unit})"


class DiscoveryForm(forms.Form):
    """A form of a partnership's discovery page: knows who fills it and for which
    partnership, and drops internal fields for those who may not see them."""

    internal_fields: tuple[str, ...] = ("internal_notes",)
    initial_fields: tuple[str, ...] = ()

    def __init__(
        self,
        *args,
        membership: Membership,
        partnership: Partnership | None = None,
        instance=None,
        **kwargs,
    ):
        if instance is not None and self.initial_fields:
            initial = {name: _initial_of(instance, name) for name in self.initial_fields}
            kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.partnership = partnership
        self.instance = instance
        if not access.can_see_internal(membership):
            for name in self.internal_fields:
                self.fields.pop(name, None)

    def visible(self, model):
        """`model`'s rows of this page's partnership that the member sees."""
        return access.visible(self.membership, model).filter(partnership=self.partnership)

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the service takes it."""
        return dict(self.cleaned_data)


def _initial_of(instance, name: str):
    field = instance._meta.get_field(name)
    if field.many_to_one:
        return getattr(instance, field.attname)
    return getattr(instance, name)


# --- Services and baselines ----------------------------------------------------------------


class ServiceLineForm(DiscoveryForm):
    initial_fields = ("kind", "name", "hours", "monthly_volume", "description", "internal_notes")

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
    initial_fields = (
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

    initial_fields = (
        "name",
        "source_system",
        "period_start",
        "period_end",
        "findings",
        "internal_notes",
    )

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
    initial_fields = ("held_on", "title", "attendees", "notes", "decisions", "internal_notes")

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
    initial_fields = ("statement", "kpi", "target", "service_line", "priority")

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


# --- Opportunities -------------------------------------------------------------------------


class OpportunityForm(DiscoveryForm):
    initial_fields = (
        "title",
        "description",
        "service_line",
        "kpi",
        "expected_effect",
        "expected_value",
        "effort",
        "internal_notes",
    )

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
        help_text="Why, or on what condition; the provider sees it.",
    )


# --- KPI catalog ---------------------------------------------------------------------------


class KpiForm(forms.Form):
    key = forms.SlugField(
        max_length=60,
        help_text="A stable identifier for imports and integrations, e.g. “first_call_"
        "resolution”. It cannot change later.",
    )
    name = forms.CharField(max_length=120)
    unit = forms.ChoiceField(choices=KpiUnit.choices)
    direction = forms.ChoiceField(choices=KpiDirection.choices, label="Which way is better")
    target = decimal_field(
        required=False,
        help_text="Lower is better: the most allowed. Higher is better: the least allowed. "
        "Neutral: the expected value.",
    )
    target_low = decimal_field(
        required=False, label="Expected range from", help_text="Neutral KPIs only."
    )
    target_high = decimal_field(
        required=False, label="Expected range to", help_text="Neutral KPIs only."
    )
    description = forms.CharField(required=False, widget=textarea(2))
    source = forms.CharField(
        max_length=200, required=False, help_text="Where the figure or its target comes from."
    )
    position = forms.IntegerField(
        min_value=0,
        max_value=32767,
        required=False,
        initial=100,
        help_text="Lower comes first in lists.",
    )

    FIELDS = (
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

    def __init__(self, *args, instance: KpiDefinition | None = None, **kwargs):
        if instance is not None:
            initial = {name: getattr(instance, name) for name in self.FIELDS}
            kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.instance = instance
        if instance is not None:
            # The key never changes; the unit and direction of shipped KPIs neither
            # (measurements and integrations rely on them).
            self.fields["key"].disabled = True
            self.fields["key"].help_text = "The key never changes."
            if instance.is_builtin:
                for name in ("unit", "direction"):
                    self.fields[name].disabled = True
                    self.fields[name].help_text = "Fixed for the KPIs shipped with Switchboard."


# --- Call flows ----------------------------------------------------------------------------


class CallFlowForm(DiscoveryForm):
    service_line = ServiceChoiceField(queryset=None, label="Service", empty_label="Choose")
    name = forms.CharField(max_length=200, help_text="e.g. “After-hours nurse line”.")
    state = forms.ChoiceField(
        choices=CallFlowState.choices,
        help_text="Current state: how calls flow at the client today. Future state: how they "
        "will flow with the provider.",
    )
    description = forms.CharField(required=False, widget=textarea(2))
    start_from = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Start from",
        empty_label="An empty flow",
        help_text="Copy the latest version of another call flow as version 1, e.g. the "
        "current state when drawing the future state.",
    )
    internal_notes = forms.CharField(
        required=False,
        widget=textarea(2),
        help_text="Provider staff only; never shown to client executives.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = self.visible(ServiceLine).order_by("name")
        flows = self.visible(CallFlow).filter(latest_version__isnull=False)
        self.fields["start_from"].queryset = flows.select_related("service_line")
        self.fields["start_from"].label_from_instance = lambda flow: (
            f"{flow.service_line.name} · {flow}"
        )


class CallFlowDetailsForm(DiscoveryForm):
    initial_fields = ("name", "description", "internal_notes")

    name = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=textarea(2))
    internal_notes = forms.CharField(
        required=False,
        widget=textarea(2),
        help_text="Provider staff only; never shown to client executives.",
    )


class GraphForm(forms.Form):
    """A change to the latest graph of a call flow; `apply` returns the new document."""

    prefix_name = ""

    def __init__(self, *args, graph: dict, **kwargs):
        kwargs.setdefault("prefix", self.prefix_name or None)
        super().__init__(*args, **kwargs)
        self.graph = graph
        self.nodes = {node["key"]: node for node in graph["nodes"]}
        self.node_choices = [
            (node["key"], f"{node['label'] or node['key']} ({NodeKind(node['kind']).label})")
            for node in graph["nodes"]
        ]

    def document(self) -> dict:
        return {
            "nodes": [dict(node) for node in self.graph["nodes"]],
            "edges": [dict(edge) for edge in self.graph["edges"]],
        }

    def has_edge(self, source: str, target: str) -> bool:
        return any(e["source"] == source and e["target"] == target for e in self.graph["edges"])


class AddNodeForm(GraphForm):
    prefix_name = "node"

    kind = forms.ChoiceField(choices=NodeKind.choices)
    label = forms.CharField(max_length=200, help_text="What the caller hears or what happens.")
    key = forms.CharField(
        max_length=60,
        required=False,
        help_text="A short identifier; made from the label when left empty.",
    )
    connect_from = forms.ChoiceField(
        required=False, label="Reached from", help_text="Optional: add an edge to the new node."
    )
    condition = forms.CharField(
        max_length=200, required=False, help_text="e.g. “Press 1”, “Hold > 2 min”."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["connect_from"].choices = [("", "No edge yet"), *self.node_choices]

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if key and not KEY_PATTERN.match(key):
            raise forms.ValidationError(
                "Use letters, digits, “_”, “-” and “.”, starting with a letter or digit."
            )
        if key in self.nodes:
            raise forms.ValidationError(f"The flow already has a node “{key}”.")
        return key

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data["key"]:
            data["key"] = self._key_from(data["label"], data["kind"])
        if data.get("condition") and not data.get("connect_from"):
            self.add_error("connect_from", "Choose the node the condition leads from.")
        return data

    def _key_from(self, label: str, kind: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "_", slugify(label).lower()).strip("_")[:50] or kind
        key, n = base, 2
        while key in self.nodes:
            key, n = f"{base}_{n}", n + 1
        return key

    def apply(self) -> tuple[dict, str]:
        data = self.cleaned_data
        document = self.document()
        document["nodes"].append({"key": data["key"], "kind": data["kind"], "label": data["label"]})
        note = f"Added {NodeKind(data['kind']).label.lower()} “{data['label']}”"
        if data.get("connect_from"):
            document["edges"].append(
                {
                    "source": data["connect_from"],
                    "target": data["key"],
                    "condition": data.get("condition", ""),
                }
            )
            note += f", reached from “{self.nodes[data['connect_from']]['label']}”"
        return document, note + "."


class AddEdgeForm(GraphForm):
    prefix_name = "edge"

    source = forms.ChoiceField(label="From")
    target = forms.ChoiceField(label="To")
    condition = forms.CharField(
        max_length=200, required=False, help_text="When calls take this way, e.g. “Press 2”."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Choose"), *self.node_choices]
        self.fields["target"].choices = [("", "Choose"), *self.node_choices]

    def clean(self):
        data = super().clean()
        source, target = data.get("source"), data.get("target")
        if source and target and self.has_edge(source, target):
            self.add_error(
                "target",
                "There is already an edge between these nodes; remove it first to change its "
                "condition.",
            )
        return data

    def apply(self) -> tuple[dict, str]:
        data = self.cleaned_data
        document = self.document()
        document["edges"].append(
            {"source": data["source"], "target": data["target"], "condition": data["condition"]}
        )
        label = f"“{self.nodes[data['source']]['label']}” → “{self.nodes[data['target']]['label']}”"
        return document, f"Added the edge {label}."


class RemoveForm(GraphForm):
    """Remove a node (with its edges) or one edge."""

    prefix_name = "remove"

    node = forms.CharField(required=False)
    source = forms.CharField(required=False)
    target = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        node, source, target = data.get("node"), data.get("source"), data.get("target")
        if node:
            if node not in self.nodes:
                raise forms.ValidationError(f"The flow has no node “{node}”.")
        elif source and target:
            if not self.has_edge(source, target):
                raise forms.ValidationError("The flow has no such edge.")
        else:
            raise forms.ValidationError("Choose a node or an edge to remove.")
        return data

    def apply(self) -> tuple[dict, str]:
        data = self.cleaned_data
        document = self.document()
        if node := data.get("node"):
            document["nodes"] = [n for n in document["nodes"] if n["key"] != node]
            document["edges"] = [
                e for e in document["edges"] if node not in (e["source"], e["target"])
            ]
            return document, f"Removed “{self.nodes[node]['label'] or node}” and its edges."
        source, target = data["source"], data["target"]
        document["edges"] = [
            e for e in document["edges"] if (e["source"], e["target"]) != (source, target)
        ]
        label = f"“{self.nodes[source]['label']}” → “{self.nodes[target]['label']}”"
        return document, f"Removed the edge {label}."


class DocumentFormMixin:
    """A JSON call-flow document, uploaded as a file or pasted."""

    def clean_document_fields(self, data: dict) -> Any:
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload and text:
            self.add_error("file", "Upload a file or paste the document, not both.")
            return None
        if not upload and not text:
            self.add_error("file", "Upload a JSON file or paste the document.")
            return None
        field = "file" if upload else "text"
        if upload:
            if upload.size > MAX_DOCUMENT_BYTES:
                self.add_error("file", "The file is larger than 2 MB; a call flow is far smaller.")
                return None
            raw = upload.read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The file is not UTF-8 text; export it as JSON.")
                return None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            self.add_error(
                field,
                f"Not valid JSON: {error.msg} (line {error.lineno}, column {error.colno}).",
            )
            return None
        if not isinstance(document, dict):
            self.add_error(field, "The document must be a JSON object.")
            return None
        return document


class CallFlowImportForm(DocumentFormMixin, DiscoveryForm):
    service_line = ServiceChoiceField(queryset=None, label="Service", empty_label="Choose")
    name = forms.CharField(
        max_length=200, required=False, help_text="Leave empty to use the name in the document."
    )
    state = forms.ChoiceField(
        required=False,
        choices=[("", "As in the document"), *CallFlowState.choices],
    )
    file = forms.FileField(required=False, label="JSON file", help_text="As exported here.")
    text = forms.CharField(
        required=False,
        label="…or paste the document",
        widget=textarea(8, spellcheck="false", **{"class": "code"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = self.visible(ServiceLine).order_by("name")

    def clean(self):
        data = super().clean()
        data["document"] = self.clean_document_fields(data)
        return data


class VersionImportForm(DocumentFormMixin, DiscoveryForm):
    file = forms.FileField(required=False, label="JSON file", help_text="As exported here.")
    text = forms.CharField(
        required=False,
        label="…or paste the document",
        widget=textarea(8, spellcheck="false", **{"class": "code"}),
    )
    note = forms.CharField(
        max_length=2000,
        required=False,
        widget=textarea(2),
        help_text="What changed in this version.",
    )

    def clean(self):
        data = super().clean()
        data["document"] = self.clean_document_fields(data)
        return data

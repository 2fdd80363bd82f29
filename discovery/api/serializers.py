"""Discovery API serializers: outputs (internal fields dropped for client executives) and
inputs (whose choice lists come from the partnership the viewset resolved, through the
access policy, so another tenant's id reads as one that does not exist)."""

from __future__ import annotations

from rest_framework import serializers

from discovery.callflow import PROBLEM_CODES
from discovery.models import (
    CallFlow,
    CallFlowState,
    CallFlowVersion,
    DiscoverySession,
    DiscoverySignOff,
    Effort,
    ExperienceGoal,
    GoalPriority,
    GoalSignOff,
    KpiBaseline,
    KpiDefinition,
    KpiDirection,
    KpiUnit,
    Opportunity,
    OpportunityStatus,
    ReviewedReport,
    ServiceKind,
    ServiceLine,
)
from partnerships import access
from partnerships.api.serializers import UserSummarySerializer

INTERNAL_HELP = "Internal: provider staff only; absent from client executives' responses."


def _number(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=3, coerce_to_string=False, **kwargs
    )


def _internal() -> serializers.CharField:
    # Not read-only, so the response schema lists it as optional (client executives never
    # receive it); output serializers are never used for input.
    return serializers.CharField(required=False, help_text=INTERNAL_HELP)


class HidesInternalFields:
    """Drops the model's INTERNAL_FIELDS for members who may not see them."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        membership = self.context.get("membership")
        if membership is None or not access.can_see_internal(membership):
            for name in getattr(self.Meta.model, "INTERNAL_FIELDS", ()):
                data.pop(name, None)
        return data


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class KpiSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    key = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    unit = serializers.ChoiceField(choices=KpiUnit.choices, read_only=True)
    direction = serializers.ChoiceField(choices=KpiDirection.choices, read_only=True)


# --- KPI catalog ---------------------------------------------------------------------------


class KpiSerializer(serializers.ModelSerializer):
    target = _number(read_only=True, allow_null=True)
    target_low = _number(read_only=True, allow_null=True)
    target_high = _number(read_only=True, allow_null=True)
    target_display = serializers.CharField(read_only=True)

    class Meta:
        model = KpiDefinition
        fields = [
            "id",
            "key",
            "name",
            "unit",
            "direction",
            "target",
            "target_low",
            "target_high",
            "target_display",
            "description",
            "source",
            "is_builtin",
            "position",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class KpiInputSerializer(serializers.Serializer):
    key = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=120)
    unit = serializers.ChoiceField(choices=KpiUnit.choices)
    direction = serializers.ChoiceField(choices=KpiDirection.choices)
    target = _number(required=False, allow_null=True)
    target_low = _number(required=False, allow_null=True)
    target_high = _number(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


# --- Services and baselines ----------------------------------------------------------------


class ServiceLineSerializer(HidesInternalFields, serializers.ModelSerializer):
    baseline_count = serializers.IntegerField(read_only=True)
    internal_notes = _internal()

    class Meta:
        model = ServiceLine
        fields = [
            "id",
            "kind",
            "name",
            "hours",
            "monthly_volume",
            "description",
            "internal_notes",
            "baseline_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "internal_notes"]


class ServiceLineInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    name = serializers.CharField(max_length=200)
    hours = serializers.CharField(max_length=200, required=False, allow_blank=True)
    monthly_volume = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)


class PartnershipChoicesMixin:
    """Fills the querysets of related-row fields from the viewset's partnership."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        membership = self.context.get("membership")
        partnership = self.context.get("partnership")
        if membership is None or partnership is None:
            return
        choices = {
            "service": lambda: access.visible(membership, ServiceLine).filter(
                partnership=partnership
            ),
            "kpi": lambda: access.visible(membership, KpiDefinition),
            "source_report": lambda: access.visible(membership, ReviewedReport).filter(
                partnership=partnership
            ),
            "report": lambda: access.visible(membership, ReviewedReport).filter(
                partnership=partnership
            ),
        }
        for name, queryset in choices.items():
            if name in self.fields:
                self.fields[name].queryset = queryset()


class BaselineSerializer(serializers.ModelSerializer):
    service = NamedSerializer(source="service_line", read_only=True)
    kpi = KpiSummarySerializer(read_only=True)
    value = _number(read_only=True)
    target = _number(read_only=True, allow_null=True)
    source_report = NamedSerializer(read_only=True, allow_null=True)
    target_below_baseline = serializers.BooleanField(read_only=True)
    meets_catalog_target = serializers.SerializerMethodField()

    class Meta:
        model = KpiBaseline
        fields = [
            "id",
            "service",
            "kpi",
            "value",
            "period_start",
            "period_end",
            "source_report",
            "target",
            "target_reason",
            "target_below_baseline",
            "meets_catalog_target",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_meets_catalog_target(self, baseline: KpiBaseline) -> bool | None:
        return baseline.kpi.meets_target(baseline.value)


class BaselineInputSerializer(PartnershipChoicesMixin, serializers.Serializer):
    service = serializers.PrimaryKeyRelatedField(
        source="service_line", queryset=ServiceLine.objects.none()
    )
    kpi = serializers.PrimaryKeyRelatedField(queryset=KpiDefinition.objects.none())
    value = _number()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    source_report = serializers.PrimaryKeyRelatedField(
        queryset=ReviewedReport.objects.none(), required=False, allow_null=True
    )
    target = _number(required=False, allow_null=True)
    target_reason = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class BaselineImportInputSerializer(PartnershipChoicesMixin, serializers.Serializer):
    file = serializers.FileField(
        required=False,
        help_text="A CSV file: service, kpi, value, period_start, period_end "
        "[, target, target_reason, notes]; header on row 1.",
    )
    report = serializers.PrimaryKeyRelatedField(
        queryset=ReviewedReport.objects.none(),
        required=False,
        help_text="Or a CSV report already uploaded; it becomes the baselines' source.",
    )


class BaselineImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


# --- Reports -------------------------------------------------------------------------------


class ReportSerializer(HidesInternalFields, serializers.ModelSerializer):
    uploaded_by = UserSummarySerializer(read_only=True)
    is_reviewed = serializers.BooleanField(read_only=True)
    download_url = serializers.SerializerMethodField()
    internal_notes = _internal()

    class Meta:
        model = ReviewedReport
        fields = [
            "id",
            "name",
            "source_system",
            "period_start",
            "period_end",
            "original_filename",
            "file_kind",
            "file_size",
            "download_url",
            "findings",
            "is_reviewed",
            "internal_notes",
            "uploaded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "internal_notes"]

    def get_download_url(self, report: ReviewedReport) -> str:
        from django.urls import reverse

        return reverse(
            "api:report-download",
            kwargs={
                "org_slug": self.context["membership"].organization.slug,
                "partnership_pk": report.partnership_id,
                "pk": report.pk,
            },
        )


class ReportInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    source_system = serializers.CharField(max_length=120, required=False, allow_blank=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    findings = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)


class ReportUploadSerializer(ReportInputSerializer):
    file = serializers.FileField(
        help_text="CSV, XLSX or PDF (checked by content), at most 10 MB by default."
    )


# --- Call flows ----------------------------------------------------------------------------


class ProblemSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(PROBLEM_CODES.items()))
    message = serializers.CharField()
    nodes = serializers.ListField(child=serializers.CharField())


class VersionSummarySerializer(serializers.ModelSerializer):
    problem_count = serializers.SerializerMethodField()
    reviewed_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = CallFlowVersion
        fields = ["id", "number", "is_valid", "problem_count", "reviewed_at", "reviewed_by"]
        read_only_fields = fields

    def get_problem_count(self, version: CallFlowVersion) -> int:
        return len(version.problems)


class CallFlowSerializer(HidesInternalFields, serializers.ModelSerializer):
    service = NamedSerializer(source="service_line", read_only=True)
    latest_version = VersionSummarySerializer(read_only=True, allow_null=True)
    internal_notes = _internal()

    class Meta:
        model = CallFlow
        fields = [
            "id",
            "service",
            "name",
            "state",
            "description",
            "internal_notes",
            "latest_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "internal_notes"]


class CallFlowInputSerializer(PartnershipChoicesMixin, serializers.Serializer):
    service = serializers.PrimaryKeyRelatedField(
        source="service_line", queryset=ServiceLine.objects.none()
    )
    name = serializers.CharField(max_length=200)
    state = serializers.ChoiceField(choices=CallFlowState.choices)
    description = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)
    graph = serializers.JSONField(
        required=False, help_text='Version 1: {"nodes": [...], "edges": [...]}.'
    )
    note = serializers.CharField(required=False, allow_blank=True)


class CallFlowUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)


class CallFlowImportSerializer(PartnershipChoicesMixin, serializers.Serializer):
    service = serializers.PrimaryKeyRelatedField(
        source="service_line", queryset=ServiceLine.objects.none()
    )
    document = serializers.JSONField(help_text="A document exported by `export/`.")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    state = serializers.ChoiceField(choices=CallFlowState.choices, required=False)


class VersionSerializer(serializers.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True)
    reviewed_by = UserSummarySerializer(read_only=True, allow_null=True)
    problems = ProblemSerializer(many=True, read_only=True)
    graph = serializers.JSONField(read_only=True)

    class Meta:
        model = CallFlowVersion
        fields = [
            "id",
            "number",
            "graph",
            "note",
            "is_valid",
            "problems",
            "created_by",
            "created_at",
            "reviewed_at",
            "reviewed_by",
        ]
        read_only_fields = fields


class VersionInputSerializer(serializers.Serializer):
    graph = serializers.JSONField(
        help_text='{"nodes": [...], "edges": [...]}, or a document exported by `export/`.'
    )
    note = serializers.CharField(required=False, allow_blank=True)


class ValidateInputSerializer(serializers.Serializer):
    graph = serializers.JSONField(help_text="A draft graph to check without saving it.")


class ValidationResultSerializer(serializers.Serializer):
    version = serializers.IntegerField(allow_null=True)
    is_valid = serializers.BooleanField()
    problems = ProblemSerializer(many=True)


class ReviewInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="Defaults to the latest version."
    )


class NodeSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    label = serializers.CharField()


class EdgeSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    condition = serializers.CharField()


class NodeChangeSerializer(serializers.Serializer):
    key = serializers.CharField()
    changes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class EdgeChangeSerializer(serializers.Serializer):
    source = serializers.CharField()
    target = serializers.CharField()
    changes = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class DiffSerializer(serializers.Serializer):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    nodes_added = NodeSerializer(many=True)
    nodes_removed = NodeSerializer(many=True)
    nodes_changed = NodeChangeSerializer(many=True)
    edges_added = EdgeSerializer(many=True)
    edges_removed = EdgeSerializer(many=True)
    edges_changed = EdgeChangeSerializer(many=True)


class ExportSerializer(serializers.Serializer):
    format = serializers.CharField()
    call_flow = serializers.DictField()
    version = serializers.DictField()
    graph = serializers.DictField()


# --- Sessions ------------------------------------------------------------------------------


class SessionSerializer(HidesInternalFields, serializers.ModelSerializer):
    internal_notes = _internal()

    class Meta:
        model = DiscoverySession
        fields = [
            "id",
            "held_on",
            "title",
            "attendees",
            "notes",
            "decisions",
            "internal_notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "internal_notes"]


class SessionInputSerializer(serializers.Serializer):
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    attendees = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    decisions = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)


# --- Experience goals ----------------------------------------------------------------------


class GoalSerializer(serializers.ModelSerializer):
    kpi = KpiSummarySerializer(read_only=True)
    target = _number(read_only=True)
    service = NamedSerializer(source="service_line", read_only=True, allow_null=True)

    class Meta:
        model = ExperienceGoal
        fields = [
            "id",
            "statement",
            "kpi",
            "target",
            "service",
            "priority",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class GoalInputSerializer(PartnershipChoicesMixin, serializers.Serializer):
    statement = serializers.CharField(max_length=500)
    kpi = serializers.PrimaryKeyRelatedField(queryset=KpiDefinition.objects.none())
    target = _number()
    service = serializers.PrimaryKeyRelatedField(
        source="service_line",
        queryset=ServiceLine.objects.none(),
        required=False,
        allow_null=True,
    )
    priority = serializers.ChoiceField(choices=GoalPriority.choices, required=False)


class GoalSignOffSerializer(serializers.ModelSerializer):
    signed_by = UserSummarySerializer(read_only=True)
    goals = serializers.ListField(child=serializers.DictField(), read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = GoalSignOff
        fields = [
            "id",
            "signed_by",
            "signed_at",
            "goals",
            "note",
            "is_active",
            "superseded_at",
            "superseded_reason",
        ]
        read_only_fields = fields


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


# --- Discovery sign-off --------------------------------------------------------------------


class ChecklistItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()
    detail = serializers.CharField()


class ChecklistSerializer(serializers.Serializer):
    complete = serializers.BooleanField()
    items = ChecklistItemSerializer(many=True)


class DiscoverySignOffSerializer(serializers.ModelSerializer):
    signed_by = UserSummarySerializer(read_only=True)
    cosigned_by = UserSummarySerializer(read_only=True, allow_null=True)
    reopened_by = UserSummarySerializer(read_only=True, allow_null=True)
    checklist = ChecklistSerializer(read_only=True)

    class Meta:
        model = DiscoverySignOff
        fields = [
            "id",
            "signed_by",
            "signed_at",
            "note",
            "checklist",
            "cosigned_by",
            "cosigned_at",
            "reopened_by",
            "reopened_at",
            "reopen_reason",
        ]
        read_only_fields = fields


class GateSerializer(serializers.Serializer):
    open = serializers.BooleanField()
    missing = ChecklistItemSerializer(many=True)


class DiscoveryStatusSerializer(serializers.Serializer):
    """The discovery checklist, the sign-off in force, and whether opportunities may be
    proposed (and if not, what is missing)."""

    checklist = ChecklistSerializer()
    signed_off = serializers.BooleanField()
    cosigned = serializers.BooleanField()
    sign_off = DiscoverySignOffSerializer(allow_null=True)
    gate = GateSerializer()

    @staticmethod
    def data_of(status) -> dict:
        return {
            "checklist": status.checklist.as_dict(),
            "signed_off": status.signed_off,
            "cosigned": status.cosigned,
            "sign_off": status.sign_off,
            "gate": {
                "open": status.gate_open,
                "missing": [item.as_dict() for item in status.gate_missing],
            },
        }


class ReopenInputSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why discovery is reopened (kept on record).")


# --- Opportunities -------------------------------------------------------------------------


class OpportunitySerializer(HidesInternalFields, serializers.ModelSerializer):
    service = NamedSerializer(source="service_line", read_only=True, allow_null=True)
    kpi = KpiSummarySerializer(read_only=True, allow_null=True)
    expected_value = _number(read_only=True, allow_null=True)
    proposed_by = UserSummarySerializer(read_only=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    internal_notes = _internal()

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "title",
            "description",
            "service",
            "kpi",
            "expected_effect",
            "expected_value",
            "effort",
            "status",
            "proposed_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "implemented_at",
            "internal_notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "internal_notes"]


class OpportunityInputSerializer(PartnershipChoicesMixin, serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    service = serializers.PrimaryKeyRelatedField(
        source="service_line",
        queryset=ServiceLine.objects.none(),
        required=False,
        allow_null=True,
    )
    kpi = serializers.PrimaryKeyRelatedField(
        queryset=KpiDefinition.objects.none(), required=False, allow_null=True
    )
    expected_effect = serializers.CharField(max_length=300, required=False, allow_blank=True)
    expected_value = _number(required=False, allow_null=True)
    effort = serializers.ChoiceField(choices=Effort.choices, required=False)
    internal_notes = serializers.CharField(required=False, allow_blank=True)


class DecisionInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[
            (OpportunityStatus.ACCEPTED.value, "Accepted"),
            (OpportunityStatus.REJECTED.value, "Rejected"),
        ]
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

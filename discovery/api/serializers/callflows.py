"""Serializers of call flows, their versions, validation results, diffs and exports."""

from __future__ import annotations

from rest_framework import serializers

from discovery.api.serializers._common import (
    NamedSerializer,
    PartnershipChoicesMixin,
    internal_field,
)
from discovery.callflow import PROBLEM_CODES
from discovery.models import (
    CallFlow,
    CallFlowState,
    CallFlowVersion,
    ServiceLine,
)
from partnerships.api.serializers import EditsFields, HidesInternalFields, UserSummarySerializer

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
    internal_notes = internal_field()

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


class CallFlowInputSerializer(EditsFields, PartnershipChoicesMixin, serializers.Serializer):
    model = CallFlow
    also = ("service_line", "state", "graph", "note")  # a new flow, and its version 1
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


class CallFlowUpdateSerializer(EditsFields, serializers.Serializer):
    model = CallFlow
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

"""Serializers of experience goals, sign-offs, the discovery status and opportunities."""

from __future__ import annotations

from rest_framework import serializers

from discovery.api.serializers._common import (
    KpiSummarySerializer,
    NamedSerializer,
    PartnershipChoicesMixin,
    internal_field,
    number_field,
)
from discovery.models import (
    DiscoveryReopenRequest,
    DiscoverySignOff,
    Effort,
    ExperienceGoal,
    GoalPriority,
    GoalSignOff,
    KpiDefinition,
    Opportunity,
    OpportunityStatus,
    ServiceLine,
)
from partnerships.api.serializers import EditsFields, HidesInternalFields, UserSummarySerializer

# --- Experience goals ----------------------------------------------------------------------


class GoalSerializer(serializers.ModelSerializer):
    kpi = KpiSummarySerializer(read_only=True)
    target = number_field(read_only=True)
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


class GoalInputSerializer(EditsFields, PartnershipChoicesMixin, serializers.Serializer):
    model = ExperienceGoal
    statement = serializers.CharField(max_length=500)
    kpi = serializers.PrimaryKeyRelatedField(queryset=KpiDefinition.objects.none())
    target = number_field()
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


class ReopenRequestSerializer(serializers.ModelSerializer):
    requested_by = UserSummarySerializer(read_only=True)
    answered_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = DiscoveryReopenRequest
        fields = [
            "id",
            "sign_off",
            "requested_by",
            "reason",
            "status",
            "answered_by",
            "answered_at",
            "reply",
            "created_at",
        ]
        read_only_fields = fields


class ReopenRequestInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        help_text="Why discovery should be reopened (the account manager reads it).",
    )


class ReopenAnswerInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])
    reply = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Shown to the client executive; required to decline.",
    )


# --- Opportunities -------------------------------------------------------------------------


class OpportunitySerializer(HidesInternalFields, serializers.ModelSerializer):
    service = NamedSerializer(source="service_line", read_only=True, allow_null=True)
    kpi = KpiSummarySerializer(read_only=True, allow_null=True)
    expected_value = number_field(read_only=True, allow_null=True)
    proposed_by = UserSummarySerializer(read_only=True)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)
    internal_notes = internal_field()

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


class OpportunityInputSerializer(EditsFields, PartnershipChoicesMixin, serializers.Serializer):
    model = Opportunity
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
    expected_value = number_field(required=False, allow_null=True)
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

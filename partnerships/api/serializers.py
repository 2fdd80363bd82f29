from __future__ import annotations

from rest_framework import serializers

from accounts.models import User
from partnerships import selectors
from partnerships.models import (
    ClientKind,
    ClientOrganization,
    Partnership,
    PartnershipStatus,
    PartnershipStatusChange,
)
from tenancy import access


class UserSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class ClientSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClientOrganization
        fields = ["id", "name", "kind", "city", "state", "time_zone", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class ClientInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=ClientKind.choices, default=ClientKind.HOSPITAL)
    city = serializers.CharField(max_length=120, required=False, allow_blank=True)
    state = serializers.CharField(max_length=60, required=False, allow_blank=True)
    time_zone = serializers.CharField(max_length=64, required=False, default="UTC")


class PartnershipSerializer(serializers.ModelSerializer):
    """Output. Internal fields are dropped for members who may not see them."""

    client = ClientSummarySerializer(read_only=True)
    account_manager = UserSummarySerializer(read_only=True, allow_null=True)
    implementation_pms = UserSummarySerializer(many=True, read_only=True)
    allowed_transitions = serializers.ListField(
        child=serializers.ChoiceField(choices=PartnershipStatus.choices), read_only=True
    )

    class Meta:
        model = Partnership
        fields = [
            "id",
            "name",
            "client",
            "status",
            "allowed_transitions",
            "contract_start",
            "planned_go_live",
            "actual_go_live",
            "account_manager",
            "implementation_pms",
            "description",
            "internal_notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        data = super().to_representation(instance)
        membership = self.context.get("membership")
        if membership is None or not access.can_see_internal(membership):
            for name in Partnership.INTERNAL_FIELDS:
                data.pop(name, None)
        return data


class PartnershipInputSerializer(serializers.Serializer):
    """Input for create and update; choice lists come from the access policy."""

    client = serializers.PrimaryKeyRelatedField(queryset=ClientOrganization.objects.none())
    name = serializers.CharField(max_length=200)
    contract_start = serializers.DateField(required=False, allow_null=True)
    planned_go_live = serializers.DateField(required=False, allow_null=True)
    actual_go_live = serializers.DateField(required=False, allow_null=True)
    account_manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    implementation_pms = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), many=True, required=False
    )
    description = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        membership = self.context.get("membership")
        if membership is None:
            return
        organization = membership.organization
        self.fields["client"].queryset = access.visible(membership, ClientOrganization)
        self.fields["account_manager"].queryset = selectors.account_manager_choices(
            organization=organization
        )
        self.fields["implementation_pms"].child_relation.queryset = selectors.pm_choices(
            organization=organization
        )


class TransitionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PartnershipStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    actual_go_live = serializers.DateField(required=False, allow_null=True, default=None)


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = PartnershipStatusChange
        fields = ["id", "from_status", "to_status", "changed_by", "note", "created_at"]

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from accounts.models import User
from partnerships import selectors
from partnerships.models import (
    ClientKind,
    ClientOrganization,
    Comment,
    Partnership,
    PartnershipStatus,
    PartnershipStatusChange,
)
from tenancy import access


class EditsFields:
    """Mixed into an input serializer of `model`: the fields it writes (by their `source`,
    the API may name them otherwise) are the model's `EDITABLE_FIELDS`, the list its services
    and forms use, plus what the service takes besides (`also`: a flow's service, a file).
    Checked when the class is defined, so the three cannot drift apart."""

    model = None
    also: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is None:
            return
        written = {field.source or name for name, field in cls._declared_fields.items()}
        expected = {*cls.model.EDITABLE_FIELDS, *cls.also}
        if written != expected:
            raise ImproperlyConfigured(
                f"{cls.__name__} writes {sorted(written ^ expected)} unlike "
                f"{cls.model.__name__}.EDITABLE_FIELDS."
            )


class HidesInternalFields:
    """Drops the model's INTERNAL_FIELDS for members who may not see them: the one place the
    API hides internal fields, for every app's output serializers."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        membership = self.context.get("membership")
        if membership is None or not access.can_see_internal(membership):
            for name in getattr(self.Meta.model, "INTERNAL_FIELDS", ()):
                data.pop(name, None)
        return data


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


class PartnershipSerializer(HidesInternalFields, serializers.ModelSerializer):
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
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    actual_go_live = serializers.DateField(required=False, allow_null=True, default=None)
    override_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2000,
        help_text=(
            "Admins only: move through a closed gate, with this reason (recorded in the "
            "history and the audit trail, shown to the client's executives)."
        ),
    )


class LifecycleGateCheckSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    done = serializers.BooleanField()
    detail = serializers.CharField()


class GateRefusalSerializer(serializers.Serializer):
    non_field_errors = serializers.ListField(child=serializers.CharField())
    missing = LifecycleGateCheckSerializer(many=True, help_text="The checks not met.")


class LifecycleGateSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=PartnershipStatus.choices)
    open = serializers.BooleanField(help_text="Every check is met: the move is allowed.")
    checks = LifecycleGateCheckSerializer(many=True)
    missing = LifecycleGateCheckSerializer(many=True)


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = PartnershipStatusChange
        fields = [
            "id",
            "from_status",
            "to_status",
            "changed_by",
            "note",
            "override_reason",
            "overridden_checks",
            "created_at",
        ]


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    target_type = serializers.CharField(read_only=True)
    target_id = serializers.IntegerField(read_only=True)
    author = UserSummarySerializer(read_only=True)
    body = serializers.CharField(read_only=True)
    shared_with_client = serializers.BooleanField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class CommentInputSerializer(serializers.Serializer):
    target_type = serializers.CharField(
        max_length=64, help_text="The commented object's model, e.g. transition.plantask."
    )
    target_id = serializers.IntegerField(min_value=1, max_value=2**53)
    body = serializers.CharField(max_length=Comment.MAX_BODY)
    shared_with_client = serializers.BooleanField(
        default=False, help_text="Ignored for client executives, whose comments are shared."
    )


class CommentFilterSerializer(serializers.Serializer):
    target_type = serializers.CharField(max_length=64, required=False)
    target_id = serializers.IntegerField(min_value=1, max_value=2**53, required=False)

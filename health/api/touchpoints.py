"""API of the touchpoints: `partnerships/<partnership_pk>/touchpoints/` (each with its
follow-ups; `last/` says the days since the last one) and `partnerships/<partnership_pk>/
follow-ups/` (add one to a touchpoint, change it, mark it `done` or `undone`).

The provider's own work: to a client's executive the routes do not exist (404). Writing
takes `Action.CHANGE` (the partnership's account manager and the admins)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from health import touchpoint_selectors as selectors
from health.api.audits import ProviderOnlyMixin
from health.models import FollowUp, Touchpoint, TouchpointKind
from health.services import touchpoints as services
from partnerships.api.base import PartnershipScopedViewSet
from partnerships.api.serializers import EditsFields, UserSummarySerializer
from tenancy.access import Action

FOLLOW_UP_STATES = [
    ("done", "Done"),
    ("overdue", "Overdue"),
    ("due", "Due within a week"),
    ("open", "Open"),
]


class FollowUpSerializer(serializers.ModelSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    state = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = ["id", "touchpoint", "action", "owner", "due", "done_at", "state", "updated_at"]
        read_only_fields = fields

    @extend_schema(responses=serializers.ChoiceField(choices=FOLLOW_UP_STATES))
    def get_state(self, obj) -> str:
        return selectors.follow_up_state(obj, self.context["today"])


class TouchpointSerializer(serializers.ModelSerializer):
    recorded_by = UserSummarySerializer(read_only=True)
    follow_ups = FollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = Touchpoint
        fields = [
            "id",
            "date",
            "kind",
            "attendees",
            "notes",
            "recorded_by",
            "follow_ups",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _owner_queryset(context):
    """Any active user of the organization: the service says who may own a follow-up (400
    naming `owner`); another tenant's user reads as one that does not exist."""
    partnership = context.get("partnership")
    if partnership is None:
        return User.objects.none()
    return User.objects.filter(
        memberships__organization_id=partnership.organization_id, is_active=True
    )


class FollowUpInputSerializer(EditsFields, serializers.Serializer):
    model = FollowUp

    action = serializers.CharField(max_length=300)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    due = serializers.DateField(required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _owner_queryset(self.context)


class FollowUpCreateSerializer(FollowUpInputSerializer):
    model = None  # the touchpoint is named on creation only
    touchpoint = serializers.PrimaryKeyRelatedField(queryset=Touchpoint.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = self.context.get("partnership")
        membership = self.context.get("membership")
        if partnership is not None and membership is not None:
            self.fields["touchpoint"].queryset = selectors.touchpoints(
                membership=membership, partnership=partnership
            )


class TouchpointInputSerializer(EditsFields, serializers.Serializer):
    model = Touchpoint
    also = ("follow_ups",)

    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=TouchpointKind.choices)
    attendees = serializers.CharField(help_text="Who took part, one per line or comma-separated.")
    notes = serializers.CharField(required=False, allow_blank=True)
    follow_ups = FollowUpInputSerializer(
        many=True, required=False, help_text="Created with the touchpoint (creation only)."
    )


class DaysSinceSerializer(serializers.Serializer):
    days_since_last = serializers.IntegerField(
        allow_null=True, help_text="Days since the last touchpoint; null when there was none."
    )
    overdue = serializers.IntegerField(help_text="Follow-ups not done, past their due date.")
    due = serializers.IntegerField(help_text="Follow-ups not done, due within a week.")
    open = serializers.IntegerField(help_text="Follow-ups not done.")


@extend_schema(tags=["health touchpoints"])
class TouchpointViewSet(
    ProviderOnlyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet
):
    """The account manager's meetings, calls, business reviews and site visits with the
    client, each with its follow-ups."""

    queryset = Touchpoint.objects.select_related("recorded_by")
    serializer_class = TouchpointSerializer
    filterset_fields = ["kind"]
    search_fields = ["attendees", "notes"]
    ordering_fields = ["date", "created_at"]
    ordering = ["-date", "-id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.prefetch_related(selectors.follow_ups_prefetch(self.membership))

    @extend_schema(request=TouchpointInputSerializer, responses={201: TouchpointSerializer})
    def create(self, request, *args, **kwargs):
        self.require(Action.CHANGE)
        fields = self.validated(TouchpointInputSerializer)
        follow_ups = fields.pop("follow_ups", [])
        touchpoint = services.touchpoint_create(
            actor=self.actor,
            partnership=self.partnership,
            follow_ups=[dict(item) for item in follow_ups],
            **fields,
        )
        return self.output(touchpoint, code=status.HTTP_201_CREATED)

    @extend_schema(request=TouchpointInputSerializer, responses=TouchpointSerializer)
    def partial_update(self, request, *args, **kwargs):
        touchpoint = self.get_object()
        self.require(Action.CHANGE)
        fields = self.validated(TouchpointInputSerializer, partial=True)
        fields.pop("follow_ups", None)
        services.touchpoint_update(actor=self.actor, touchpoint=touchpoint, **fields)
        return self.output(touchpoint)

    def destroy(self, request, *args, **kwargs):
        touchpoint = self.get_object()
        self.require(Action.CHANGE)
        services.touchpoint_delete(actor=self.actor, touchpoint=touchpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=DaysSinceSerializer, filters=False)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def last(self, request, *args, **kwargs):
        """Days since the last touchpoint, and the follow-ups overdue, due and open."""
        scope = {"membership": self.membership, "partnership": self.partnership}
        counts = selectors.follow_up_counts(**scope, today=self.today)
        days = selectors.days_since_last_touchpoint(**scope, today=self.today)
        return Response(DaysSinceSerializer({"days_since_last": days, **counts}).data)


@extend_schema(tags=["health touchpoints"])
class FollowUpViewSet(
    ProviderOnlyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet
):
    """The follow-ups agreed at the partnership's touchpoints: add one to a touchpoint,
    change it, mark it done or not done."""

    queryset = FollowUp.objects.select_related("owner")
    serializer_class = FollowUpSerializer
    filterset_fields = ["touchpoint", "owner"]
    ordering_fields = ["due", "done_at"]
    ordering = ["due", "id"]

    @extend_schema(request=FollowUpCreateSerializer, responses={201: FollowUpSerializer})
    def create(self, request, *args, **kwargs):
        self.require(Action.CHANGE)
        fields = self.validated(FollowUpCreateSerializer)
        touchpoint = fields.pop("touchpoint")
        touchpoint.partnership = self.partnership
        follow_up = services.follow_up_create(actor=self.actor, touchpoint=touchpoint, **fields)
        return self.output(follow_up, code=status.HTTP_201_CREATED)

    @extend_schema(request=FollowUpInputSerializer, responses=FollowUpSerializer)
    def partial_update(self, request, *args, **kwargs):
        follow_up = self.get_object()
        self.require(Action.CHANGE)
        fields = self.validated(FollowUpInputSerializer, partial=True)
        services.follow_up_update(actor=self.actor, follow_up=follow_up, **fields)
        return self.output(follow_up)

    def destroy(self, request, *args, **kwargs):
        follow_up = self.get_object()
        self.require(Action.CHANGE)
        services.follow_up_delete(actor=self.actor, follow_up=follow_up)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, *args, **kwargs):
        """Mark the follow-up done (now)."""
        follow_up = self.get_object()
        self.require(Action.CHANGE)
        services.follow_up_set_done(actor=self.actor, follow_up=follow_up, done=True)
        return self.output(follow_up)

    @extend_schema(request=None, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def undone(self, request, *args, **kwargs):
        """Mark the follow-up not done again."""
        follow_up = self.get_object()
        self.require(Action.CHANGE)
        services.follow_up_set_done(actor=self.actor, follow_up=follow_up, done=False)
        return self.output(follow_up)

"""Experience goals and their sign-off, the discovery checklist and sign-off, and the
optimization opportunities behind the gate."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from discovery import selectors, services
from discovery.api import serializers as s
from discovery.api.views.base import ListRetrieve, ServiceBackedViewSet, crud_schema
from discovery.models import (
    DiscoveryReopenRequest,
    DiscoverySignOff,
    ExperienceGoal,
    GoalSignOff,
    Opportunity,
    OpportunityStatus,
)
from partnerships.api.base import PartnershipScopedViewSet
from tenancy import access
from tenancy.access import Action
from tenancy.api import SingletonSchema

# --- Experience goals ----------------------------------------------------------------------


@extend_schema(tags=["discovery: sessions and goals"])
@crud_schema(s.GoalInputSerializer, s.GoalSerializer)
class ExperienceGoalViewSet(ListRetrieve, ServiceBackedViewSet):
    """The desired patient experience, each goal measured by a KPI and a target; the client
    executive signs off the set."""

    queryset = ExperienceGoal.objects.select_related("kpi", "service_line")
    serializer_class = s.GoalSerializer
    filterset_fields = ["priority"]
    search_fields = ["statement"]
    ordering_fields = ["priority", "created_at"]
    ordering = ["priority", "id"]

    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.GoalInputSerializer)
        goal = services.goal_create(actor=self.actor, partnership=self.partnership, **fields)
        return self.output(goal, code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        goal = self.get_object()
        self.require_work()
        fields = self.validated(s.GoalInputSerializer, partial=True)
        services.goal_update(actor=self.actor, goal=goal, **fields)
        return self.output(goal)

    def destroy(self, request, *args, **kwargs):
        goal = self.get_object()
        self.require_work()
        services.goal_delete(actor=self.actor, goal=goal)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.NoteInputSerializer, responses={201: s.GoalSignOffSerializer})
    @action(detail=False, methods=["post"], url_path="sign-off")
    def sign_off(self, request, *args, **kwargs):
        """The client executive signs off the goals as they stand."""
        self.require(Action.CLIENT_SIGN_OFF)
        fields = self.validated(s.NoteInputSerializer)
        sign_off = services.goals_sign_off(
            actor=self.actor, partnership=self.partnership, note=fields["note"]
        )
        return Response(s.GoalSignOffSerializer(sign_off).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.GoalSignOffSerializer(many=True))
    @action(
        detail=False,
        methods=["get"],
        url_path="sign-offs",
        pagination_class=None,
        filter_backends=[],
    )
    def sign_offs(self, request, *args, **kwargs):
        """Every sign-off of the goals, newest first, superseded ones with why."""
        rows = (
            access.visible(self.membership, GoalSignOff)
            .filter(partnership=self.partnership)
            .select_related("signed_by")
        )
        return Response(s.GoalSignOffSerializer(rows, many=True).data)


# --- Discovery checklist and sign-off ------------------------------------------------------


@extend_schema(tags=["discovery: sign-off"])
class DiscoveryViewSet(PartnershipScopedViewSet):
    """The discovery checklist, its sign-off by the account manager, the client's
    co-signature, reopening with a reason, and the gate on optimization opportunities."""

    schema = SingletonSchema()

    queryset = DiscoverySignOff.objects.select_related("signed_by", "cosigned_by", "reopened_by")
    serializer_class = s.DiscoverySignOffSerializer
    pagination_class = None
    filter_backends: list = []

    def _status(self, code: int = status.HTTP_200_OK) -> Response:
        current = selectors.discovery_status(partnership=self.partnership)
        data = s.DiscoveryStatusSerializer.data_of(current)
        return Response(s.DiscoveryStatusSerializer(data).data, status=code)

    @extend_schema(responses=s.DiscoveryStatusSerializer)
    def list(self, request, *args, **kwargs):
        """The checklist with what is missing, the sign-off in force, and the gate."""
        return self._status()

    @extend_schema(request=s.NoteInputSerializer, responses=s.DiscoveryStatusSerializer)
    @action(detail=False, methods=["post"], url_path="sign-off")
    def sign_off(self, request, *args, **kwargs):
        """The dedicated account manager signs off discovery (the checklist must be
        complete: 409 with the missing items otherwise)."""
        self.require(Action.PROVIDER_SIGN_OFF)
        fields = s.NoteInputSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        services.discovery_sign_off(
            actor=self.actor, partnership=self.partnership, note=fields.validated_data["note"]
        )
        return self._status()

    @extend_schema(request=None, responses=s.DiscoveryStatusSerializer)
    @action(detail=False, methods=["post"], url_path="co-sign")
    def co_sign(self, request, *args, **kwargs):
        """The client executive co-signs the discovery sign-off."""
        self.require(Action.CLIENT_SIGN_OFF)
        services.discovery_cosign(actor=self.actor, partnership=self.partnership)
        return self._status()

    @extend_schema(request=s.ReopenInputSerializer, responses=s.DiscoveryStatusSerializer)
    @action(detail=False, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        """The dedicated account manager (or an admin) reopens discovery with a reason; new
        proposals are frozen until it is signed off and co-signed again. A client executive
        asks for it instead (`discovery-reopen-requests`)."""
        self.require(Action.PROVIDER_SIGN_OFF)
        fields = s.ReopenInputSerializer(data=request.data)
        fields.is_valid(raise_exception=True)
        services.discovery_reopen(
            actor=self.actor, partnership=self.partnership, reason=fields.validated_data["reason"]
        )
        return self._status()

    @extend_schema(responses=s.DiscoverySignOffSerializer(many=True))
    @action(detail=False, methods=["get"])
    def history(self, request, *args, **kwargs):
        """Every sign-off, newest first, with co-signatures and reopenings."""
        return Response(self.get_serializer(self.get_queryset(), many=True).data)


@extend_schema(tags=["discovery: sign-off"])
class DiscoveryReopenRequestViewSet(ListRetrieve, PartnershipScopedViewSet):
    """The client executive's requests to reopen signed-off discovery (they may not reopen
    it themselves), and the dedicated account manager's answers: accepting reopens the
    sign-off with the client's reason on record; declining needs a reply."""

    queryset = DiscoveryReopenRequest.objects.select_related("requested_by", "answered_by")
    serializer_class = s.ReopenRequestSerializer
    filterset_fields = ["status"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]

    @extend_schema(
        request=s.ReopenRequestInputSerializer, responses={201: s.ReopenRequestSerializer}
    )
    def create(self, request, *args, **kwargs):
        """The client executive asks, saying why (409 when discovery is not signed off or a
        request already awaits an answer)."""
        self.require(Action.CLIENT_SIGN_OFF)
        fields = self.validated(s.ReopenRequestInputSerializer)
        reopen_request = services.discovery_reopen_request(
            actor=self.actor, partnership=self.partnership, reason=fields["reason"]
        )
        return self.output(reopen_request, code=status.HTTP_201_CREATED)

    @extend_schema(request=s.ReopenAnswerInputSerializer, responses=s.ReopenRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, *args, **kwargs):
        """The dedicated account manager (or an admin) accepts (discovery is reopened) or
        declines (with a reply)."""
        reopen_request = self.get_object()
        self.require(Action.PROVIDER_SIGN_OFF)
        fields = self.validated(s.ReopenAnswerInputSerializer)
        services.discovery_reopen_request_answer(
            actor=self.actor,
            request=reopen_request,
            decision=fields["decision"],
            reply=fields["reply"],
        )
        return self.output(reopen_request)


# --- Opportunities -------------------------------------------------------------------------


class OpportunityFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OpportunityStatus.choices)
    service = django_filters.NumberFilter(field_name="service_line_id")
    kpi = django_filters.NumberFilter(field_name="kpi_id")

    class Meta:
        model = Opportunity
        fields = ["status", "service", "kpi", "effort"]


@extend_schema(tags=["discovery: opportunities"])
@crud_schema(s.OpportunityInputSerializer, s.OpportunitySerializer)
class OpportunityViewSet(ListRetrieve, ServiceBackedViewSet):
    """Optimization opportunities: proposed only after discovery is signed off and
    co-signed (409 with the missing items before), decided by the client executive."""

    queryset = Opportunity.objects.select_related(
        "service_line", "kpi", "proposed_by", "decided_by"
    )
    serializer_class = s.OpportunitySerializer
    filterset_class = OpportunityFilter
    search_fields = ["title", "description", "expected_effect"]
    ordering_fields = ["created_at", "status", "effort", "title"]
    ordering = ["-created_at", "-id"]

    def create(self, request, *args, **kwargs):
        self.require_work()
        # The gate first: before discovery is signed off, no proposal is considered at all.
        services.optimization_gate_check(partnership=self.partnership)
        fields = self.validated(s.OpportunityInputSerializer)
        opportunity = services.opportunity_create(
            actor=self.actor, partnership=self.partnership, **fields
        )
        return self.output(opportunity, code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        opportunity = self.get_object()
        self.require_work()
        fields = self.validated(s.OpportunityInputSerializer, partial=True)
        services.opportunity_update(actor=self.actor, opportunity=opportunity, **fields)
        return self.output(opportunity)

    def destroy(self, request, *args, **kwargs):
        """Withdraw a proposal the client has not decided yet."""
        opportunity = self.get_object()
        self.require_work()
        services.opportunity_withdraw(actor=self.actor, opportunity=opportunity)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.DecisionInputSerializer, responses=s.OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, *args, **kwargs):
        """The client executive accepts or rejects a proposed opportunity."""
        opportunity = self.get_object()
        self.require(Action.CLIENT_SIGN_OFF)
        fields = self.validated(s.DecisionInputSerializer)
        services.opportunity_decide(
            actor=self.actor,
            opportunity=opportunity,
            decision=fields["decision"],
            note=fields["note"],
        )
        return self.output(opportunity)

    @extend_schema(request=None, responses=s.OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def implement(self, request, *args, **kwargs):
        """Record that an accepted opportunity is in place."""
        opportunity = self.get_object()
        self.require_work()
        services.opportunity_implement(actor=self.actor, opportunity=opportunity)
        return self.output(opportunity)

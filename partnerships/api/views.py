from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from partnerships import gates, selectors, services
from partnerships.api import serializers as s
from partnerships.api.base import PartnershipScopedViewSet
from partnerships.models import ClientOrganization, Comment, Partnership, PartnershipStatus
from tenancy.access import Action
from tenancy.api import OrgScopedViewSet
from tenancy.errors import ApplicationError


class PartnershipFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=PartnershipStatus.choices)
    account_manager = django_filters.NumberFilter(field_name="account_manager_id")
    client = django_filters.NumberFilter(field_name="client_id")

    class Meta:
        model = Partnership
        fields = ["status", "account_manager", "client"]


@extend_schema(tags=["partnerships"])
class PartnershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """Partnerships of the organization that the caller may see."""

    queryset = Partnership.objects.with_people()
    serializer_class = s.PartnershipSerializer
    filterset_class = PartnershipFilter
    search_fields = ["name", "client__name", "client__city"]
    ordering_fields = ["name", "status", "planned_go_live", "contract_start", "updated_at"]
    ordering = ["name"]

    def list(self, request, *args, **kwargs):
        """Read as values, not model instances, and written without a serializer field per
        cell (`selectors.partnership_rows`): the same JSON as `PartnershipSerializer`'s.
        Remembered until the next write to the organization's data, within the minute; the
        full URL names the filters, the page and the links' host."""
        return self.remembered(("partnerships.list", request.build_absolute_uri()), self._page)

    def _page(self) -> Any:
        values = selectors.partnership_row_values(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(values)
        if page is None:
            return selectors.partnership_rows(values, membership=self.membership)
        rows = selectors.partnership_rows(page, membership=self.membership)
        return self.get_paginated_response(rows).data

    def _fields(self, data: dict) -> tuple[dict, list | None]:
        fields = dict(data)
        pms = fields.pop("implementation_pms", None)
        return fields, pms

    @extend_schema(request=s.PartnershipInputSerializer, responses={201: s.PartnershipSerializer})
    def create(self, request, *args, **kwargs):
        self.require(Action.CREATE)
        serializer = s.PartnershipInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields, pms = self._fields(serializer.validated_data)
        partnership = services.partnership_create(
            actor=self.actor, implementation_pms=pms or [], **fields
        )
        output = self.get_serializer(self.get_queryset().get(pk=partnership.pk))
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PartnershipInputSerializer, responses=s.PartnershipSerializer)
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        partnership = self.get_object()
        self.require(Action.CHANGE, partnership)
        if "status" in request.data:
            raise ApplicationError(
                "Change the status with the transition action "
                "(POST …/partnerships/{id}/transition/), which records who moved it and why.",
                field="status",
            )
        serializer = s.PartnershipInputSerializer(
            data=request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields, pms = self._fields(serializer.validated_data)
        services.partnership_update(
            actor=self.actor, partnership=partnership, implementation_pms=pms, **fields
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=partnership.pk)).data)

    @extend_schema(request=s.PartnershipInputSerializer, responses=s.PartnershipSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        request=s.TransitionInputSerializer,
        responses={200: s.PartnershipSerializer, 409: s.GateRefusalSerializer},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        """Move the partnership to another status through its lifecycle gate (409 with the
        `missing` checks when closed; an admin may override with `override_reason`)."""
        partnership = self.get_object()
        self.require(Action.TRANSITION, partnership)
        serializer = s.TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.partnership_transition(
            actor=self.actor,
            partnership=partnership,
            to_status=serializer.validated_data["status"],
            note=serializer.validated_data["note"],
            actual_go_live=serializer.validated_data["actual_go_live"],
            override_reason=serializer.validated_data["override_reason"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=partnership.pk)).data)

    @extend_schema(responses=s.LifecycleGateSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def gates(self, request, *args, **kwargs):
        """The lifecycle gate of each move the partnership may make now: every check, and
        what is missing (the `missing` list a refused transition answers with 409)."""
        partnership = self.get_object()
        self.require(Action.TRANSITION, partnership)
        return Response(
            [
                gates.gate_for(
                    membership=self.membership, partnership=partnership, to_status=to_status
                ).as_dict()
                for to_status in partnership.allowed_transitions
            ]
        )

    @extend_schema(responses=s.StatusChangeSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request, *args, **kwargs):
        """The partnership's status changes, newest first."""
        partnership = self.get_object()
        changes = partnership.status_changes.select_related("changed_by")
        return Response(s.StatusChangeSerializer(changes, many=True).data)


@extend_schema(tags=["clients"])
class ClientViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = ClientOrganization.objects.all()
    serializer_class = s.ClientSerializer
    search_fields = ["name", "city", "state"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    filterset_fields = ["kind", "state"]

    @extend_schema(request=s.ClientInputSerializer, responses={201: s.ClientSerializer})
    def create(self, request, *args, **kwargs):
        self.require(Action.CREATE)
        serializer = s.ClientInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client = services.client_create(actor=self.actor, **serializer.validated_data)
        return Response(self.get_serializer(client).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ClientInputSerializer, responses=s.ClientSerializer)
    def partial_update(self, request, *args, **kwargs):
        client = self.get_object()
        self.require(Action.CHANGE, client)
        serializer = s.ClientInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        client = services.client_update(
            actor=self.actor, client=client, **serializer.validated_data
        )
        return Response(self.get_serializer(client).data)


@extend_schema(tags=["comments"])
class CommentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    PartnershipScopedViewSet,
):
    """Comment threads on a partnership's discovery and transition objects. Filter a thread
    with `?target_type=transition.plantask&target_id=12`. Client executives see (and write)
    only comments shared with the client."""

    queryset = Comment.objects.select_related("author").order_by("created_at", "id")
    serializer_class = s.CommentSerializer

    @extend_schema(parameters=[s.CommentFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        filters = s.CommentFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        if "target_type" in filters.validated_data:
            queryset = queryset.filter(target_type=filters.validated_data["target_type"])
        if "target_id" in filters.validated_data:
            queryset = queryset.filter(target_id=filters.validated_data["target_id"])
        return queryset

    @extend_schema(request=s.CommentInputSerializer, responses={201: s.CommentSerializer})
    def create(self, request, *args, **kwargs):
        comment = services.comment_create(
            actor=self.actor,
            partnership=self.partnership,
            **self.validated(s.CommentInputSerializer),
        )
        return self.output(comment, code=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.comment_delete(actor=self.actor, comment=instance)

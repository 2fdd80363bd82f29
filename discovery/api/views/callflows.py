"""Call flows: versions, validation, diff, review, export and import."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from discovery import selectors, services
from discovery.api import serializers as s
from discovery.api.views.base import ListRetrieve, ServiceBackedViewSet
from discovery.callflow import GraphError, call_flow_diff, call_flow_validate, parse_graph
from discovery.models import (
    CallFlow,
    CallFlowState,
)
from tenancy.errors import ApplicationError
from tenancy.rest import NOT_FOUND

# --- Call flows ----------------------------------------------------------------------------


class CallFlowFilter(django_filters.FilterSet):
    service = django_filters.NumberFilter(field_name="service_line_id")
    state = django_filters.ChoiceFilter(choices=CallFlowState.choices)

    class Meta:
        model = CallFlow
        fields = ["service", "state"]


def _int_param(request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise exceptions.ValidationError({name: ["Must be a whole number."]}) from None
    if value < 1:
        raise exceptions.ValidationError({name: ["Version numbers start at 1."]})
    return value


VERSION_PARAM = OpenApiParameter(
    "version", int, description="A version number; the latest when left out."
)


@extend_schema(tags=["discovery: call flows"])
@extend_schema_view(
    create=extend_schema(request=s.CallFlowInputSerializer, responses={201: s.CallFlowSerializer}),
    partial_update=extend_schema(
        request=s.CallFlowUpdateSerializer, responses=s.CallFlowSerializer
    ),
    destroy=extend_schema(responses={204: None}),
)
class CallFlowViewSet(ListRetrieve, ServiceBackedViewSet):
    """Call flows per service, current state and future state, as immutable versions that
    are validated, reviewed, exported and compared."""

    queryset = CallFlow.objects.select_related("service_line", "latest_version__reviewed_by")
    serializer_class = s.CallFlowSerializer
    filterset_class = CallFlowFilter
    search_fields = ["name", "description"]
    ordering_fields = ["name", "state", "created_at"]
    ordering = ["service_line__name", "state", "name"]

    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.CallFlowInputSerializer)
        call_flow = services.call_flow_create(
            actor=self.actor, partnership=self.partnership, **fields
        )
        return self.output(call_flow, code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        call_flow = self.get_object()
        self.require_work()
        fields = self.validated(s.CallFlowUpdateSerializer, partial=True)
        services.call_flow_update(actor=self.actor, call_flow=call_flow, **fields)
        return self.output(call_flow)

    def destroy(self, request, *args, **kwargs):
        call_flow = self.get_object()
        self.require_work()
        services.call_flow_delete(actor=self.actor, call_flow=call_flow)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.CallFlowImportSerializer, responses={201: s.CallFlowSerializer})
    @action(detail=False, methods=["post"], url_path="import", url_name="import")
    def import_document(self, request, *args, **kwargs):
        """A new call flow from a document exported by `export/` (its graph is version 1)."""
        self.require_work()
        fields = self.validated(s.CallFlowImportSerializer)
        call_flow = services.call_flow_import(
            actor=self.actor,
            partnership=self.partnership,
            service_line=fields["service_line"],
            document=fields["document"],
            name=fields.get("name") or None,
            state=fields.get("state"),
        )
        return self.output(call_flow, code=status.HTTP_201_CREATED)

    def _version(self, call_flow, number: int | None):
        version = selectors.call_flow_version_get(call_flow=call_flow, number=number)
        if version is None:
            if number is None:
                raise ApplicationError(
                    "This call flow has no version yet.", field="version", status=409
                )
            raise exceptions.NotFound(NOT_FOUND)
        version.call_flow = call_flow
        return version

    @extend_schema(methods=["GET"], responses=s.VersionSerializer(many=True), request=None)
    @extend_schema(
        methods=["POST"], request=s.VersionInputSerializer, responses={201: s.VersionSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None, filter_backends=[])
    def versions(self, request, *args, **kwargs):
        """Every version, newest first; POST a graph (or an exported document) to add the
        next one."""
        call_flow = self.get_object()
        if request.method == "GET":
            versions = call_flow.versions.select_related("created_by", "reviewed_by")
            return Response(s.VersionSerializer(versions, many=True).data)
        self.require_work()
        fields = self.validated(s.VersionInputSerializer)
        version = services.call_flow_version_create(
            actor=self.actor,
            call_flow=call_flow,
            graph=fields["graph"],
            note=fields.get("note", ""),
        )
        return Response(s.VersionSerializer(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        parameters=[VERSION_PARAM],
        request=None,
        responses=s.ValidationResultSerializer,
    )
    @extend_schema(
        methods=["POST"],
        request=s.ValidateInputSerializer,
        responses=s.ValidationResultSerializer,
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def validate(self, request, *args, **kwargs):
        """The problems of a version (GET), or of a draft graph sent without saving (POST)."""
        call_flow = self.get_object()
        if request.method == "GET":
            version = self._version(call_flow, _int_param(request, "version"))
            number, graph = version.number, version.graph
        else:
            fields = self.validated(s.ValidateInputSerializer)
            number, graph = None, fields["graph"]
        try:
            problems = call_flow_validate(parse_graph(graph))
        except GraphError as error:
            raise ApplicationError(str(error), field="graph") from error
        return Response(
            {
                "version": number,
                "is_valid": not problems,
                "problems": [problem.as_dict() for problem in problems],
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, description="Defaults to the version before `to`."),
            OpenApiParameter("to", int, description="Defaults to the latest version."),
        ],
        responses=s.DiffSerializer,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def diff(self, request, *args, **kwargs):
        """Nodes and edges added, removed and changed from one version to another."""
        call_flow = self.get_object()
        after = self._version(call_flow, _int_param(request, "to"))
        before_number = _int_param(request, "from")
        if before_number is None:
            if after.number == 1:
                raise ApplicationError(
                    "Version 1 has no earlier version to compare with.", field="from"
                )
            before_number = after.number - 1
        before = self._version(call_flow, before_number)
        return Response(
            {"from_version": before.number, "to_version": after.number}
            | call_flow_diff(before, after)
        )

    @extend_schema(parameters=[VERSION_PARAM], responses=s.ExportSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def export(self, request, *args, **kwargs):
        """A version as a JSON document that `import/` and `versions/` read back."""
        call_flow = self.get_object()
        version = self._version(call_flow, _int_param(request, "version"))
        return Response(selectors.call_flow_export(version=version))

    @extend_schema(request=s.ReviewInputSerializer, responses=s.VersionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        """Mark the latest version as reviewed (it must be valid)."""
        call_flow = self.get_object()
        self.require_work()
        fields = self.validated(s.ReviewInputSerializer)
        version = self._version(call_flow, fields.get("version"))
        version = services.call_flow_version_review(actor=self.actor, version=version)
        return Response(s.VersionSerializer(version).data)

"""The discovery API: `/api/v1/orgs/<org_slug>/kpis/` and, under
`/api/v1/orgs/<org_slug>/partnerships/<partnership_pk>/`: services, baselines, reports,
call-flows, sessions, experience-goals, discovery and opportunities.

Order of checks in every handler: the organization and the partnership resolve (404 when
missing or not visible, same message), then the object (404), then the role (403), then the
state (409: the gate, frozen discovery), then the input (400 naming the field). Writes go
input serializer → service → output serializer.
"""

from __future__ import annotations

import django_filters
from django.db.models import Count
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from discovery import selectors, services
from discovery.api import serializers as s
from discovery.callflow import GraphError, call_flow_diff, call_flow_validate, parse_graph
from discovery.models import (
    CallFlow,
    CallFlowState,
    DiscoverySession,
    DiscoverySignOff,
    ExperienceGoal,
    GoalSignOff,
    KpiBaseline,
    KpiDefinition,
    Opportunity,
    OpportunityStatus,
    ReviewedReport,
    ServiceLine,
)
from partnerships import access
from partnerships.access import Action
from partnerships.tenancy.api import OrgScopedViewSet, PartnershipScopedViewSet
from partnerships.tenancy.errors import ApplicationError
from partnerships.tenancy.rest import NOT_FOUND


class ServiceBackedViewSet(PartnershipScopedViewSet):
    """Helpers for handlers that validate input, call a service and answer the output."""

    def validated(self, serializer_class, *, partial: bool = False) -> dict:
        serializer = serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def output(self, obj, *, code: int = status.HTTP_200_OK) -> Response:
        """The stored object as the list shows it (re-read with the list's joins)."""
        fresh = self.get_queryset().get(pk=obj.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def require_work(self) -> None:
        self.require(Action.CHANGE_WORK)


def _crud(input_serializer, output_serializer, *, create=True, update=True, destroy=True):
    views = {}
    if create:
        views["create"] = extend_schema(
            request=input_serializer, responses={201: output_serializer}
        )
    if update:
        views["partial_update"] = extend_schema(
            request=input_serializer, responses=output_serializer
        )
    if destroy:
        views["destroy"] = extend_schema(responses={204: None})
    return extend_schema_view(**views)


class ListRetrieve(mixins.ListModelMixin, mixins.RetrieveModelMixin):
    pass


# --- KPI catalog ---------------------------------------------------------------------------


@extend_schema(tags=["discovery: KPIs"])
@extend_schema_view(
    create=extend_schema(request=s.KpiInputSerializer, responses={201: s.KpiSerializer}),
    partial_update=extend_schema(request=s.KpiInputSerializer, responses=s.KpiSerializer),
)
class KpiViewSet(ListRetrieve, OrgScopedViewSet):
    """The organization's KPI catalog (every member reads it; admins edit it). The default
    nurse-triage KPIs are put in place on first use."""

    queryset = KpiDefinition.objects.all()
    serializer_class = s.KpiSerializer
    filterset_fields = ["unit", "direction", "is_builtin"]
    search_fields = ["key", "name", "description"]
    ordering_fields = ["position", "name", "key"]
    ordering = ["position", "name"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        selectors.kpi_catalog_ready(organization=self.organization)

    def create(self, request, *args, **kwargs):
        self.require(Action.CREATE)
        serializer = s.KpiInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kpi = services.kpi_create(actor=self.actor, **serializer.validated_data)
        return Response(self.get_serializer(kpi).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        kpi = self.get_object()
        self.require(Action.CHANGE, kpi)
        serializer = s.KpiInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        kpi = services.kpi_update(actor=self.actor, kpi=kpi, **serializer.validated_data)
        return Response(self.get_serializer(kpi).data)


# --- Services ------------------------------------------------------------------------------


@extend_schema(tags=["discovery: services"])
@_crud(s.ServiceLineInputSerializer, s.ServiceLineSerializer)
class ServiceLineViewSet(ListRetrieve, ServiceBackedViewSet):
    """The services the client's existing center delivers, with their baseline counts."""

    queryset = ServiceLine.objects.annotate(baseline_count=Count("baselines"))
    serializer_class = s.ServiceLineSerializer
    filterset_fields = ["kind"]
    search_fields = ["name", "description"]
    ordering_fields = ["name", "monthly_volume", "created_at"]
    ordering = ["name"]

    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.ServiceLineInputSerializer)
        service = services.service_line_create(
            actor=self.actor, partnership=self.partnership, **fields
        )
        return self.output(service, code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        service = self.get_object()
        self.require_work()
        fields = self.validated(s.ServiceLineInputSerializer, partial=True)
        services.service_line_update(actor=self.actor, service_line=service, **fields)
        return self.output(service)

    def destroy(self, request, *args, **kwargs):
        service = self.get_object()
        self.require_work()
        services.service_line_delete(actor=self.actor, service_line=service)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Baselines -----------------------------------------------------------------------------


class BaselineFilter(django_filters.FilterSet):
    # Plain ids: another tenant's id behaves like one that does not exist (an empty list).
    service = django_filters.NumberFilter(field_name="service_line_id")
    kpi = django_filters.NumberFilter(field_name="kpi_id")

    class Meta:
        model = KpiBaseline
        fields = ["service", "kpi"]


@extend_schema(tags=["discovery: services"])
@_crud(s.BaselineInputSerializer, s.BaselineSerializer)
class BaselineViewSet(ListRetrieve, ServiceBackedViewSet):
    """How each service of the existing center performs per KPI, and the provider's target
    (at least as good as the baseline unless a reason is recorded)."""

    queryset = KpiBaseline.objects.select_related("service_line", "kpi", "source_report")
    serializer_class = s.BaselineSerializer
    filterset_class = BaselineFilter
    ordering_fields = ["period_end", "created_at"]
    ordering = ["service_line__name", "kpi__position", "kpi__name"]

    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.BaselineInputSerializer)
        baseline = services.baseline_create(
            actor=self.actor, partnership=self.partnership, **fields
        )
        return self.output(baseline, code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        baseline = self.get_object()
        self.require_work()
        fields = self.validated(s.BaselineInputSerializer, partial=True)
        services.baseline_update(actor=self.actor, baseline=baseline, **fields)
        return self.output(baseline)

    def destroy(self, request, *args, **kwargs):
        baseline = self.get_object()
        self.require_work()
        services.baseline_delete(actor=self.actor, baseline=baseline)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request={"multipart/form-data": s.BaselineImportInputSerializer},
        responses={200: s.BaselineImportResultSerializer},
        description="Checks the whole CSV first; with any error nothing is saved and the "
        'answer is 400 with `"errors": [{"row", "column", "message"}]` (the header is row 1).',
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        url_name="import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def import_csv(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.BaselineImportInputSerializer)
        summary = services.baselines_import(
            actor=self.actor,
            partnership=self.partnership,
            upload=fields.get("file"),
            report=fields.get("report"),
        )
        return Response(s.BaselineImportResultSerializer(summary).data)


# --- Reports -------------------------------------------------------------------------------


@extend_schema(tags=["discovery: reports"])
@extend_schema_view(
    create=extend_schema(
        request={"multipart/form-data": s.ReportUploadSerializer},
        responses={201: s.ReportSerializer},
    ),
    partial_update=extend_schema(request=s.ReportInputSerializer, responses=s.ReportSerializer),
    destroy=extend_schema(responses={204: None}),
)
class ReportViewSet(ListRetrieve, ServiceBackedViewSet):
    """Reports of the existing center the provider reviewed (CSV, XLSX or PDF, checked by
    content), with findings."""

    queryset = ReviewedReport.objects.select_related("uploaded_by")
    serializer_class = s.ReportSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["file_kind"]
    search_fields = ["name", "source_system", "findings"]
    ordering_fields = ["period_end", "name", "created_at"]
    ordering = ["-period_end", "name"]

    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.ReportUploadSerializer)
        upload = fields.pop("file")
        report = services.report_create(
            actor=self.actor, partnership=self.partnership, upload=upload, **fields
        )
        return self.output(report, code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        self.require_work()
        fields = self.validated(s.ReportInputSerializer, partial=True)
        services.report_update(actor=self.actor, report=report, **fields)
        return self.output(report)

    def destroy(self, request, *args, **kwargs):
        report = self.get_object()
        self.require_work()
        services.report_delete(actor=self.actor, report=report)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        """The uploaded file, as an attachment under its original name."""
        report = self.get_object()
        try:
            handle = report.file.open("rb")
        except (FileNotFoundError, OSError) as error:
            raise Http404(NOT_FOUND) from error
        content_type = {
            "csv": "text/csv",
            "pdf": "application/pdf",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }[report.file_kind]
        return FileResponse(
            handle,
            as_attachment=True,
            filename=report.original_filename,
            content_type=content_type,
        )


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


# --- Sessions ------------------------------------------------------------------------------


@extend_schema(tags=["discovery: sessions and goals"])
@_crud(s.SessionInputSerializer, s.SessionSerializer)
class SessionViewSet(ListRetrieve, ServiceBackedViewSet):
    """Discovery sessions with the client: date, attendees, notes, decisions."""

    queryset = DiscoverySession.objects.all()
    serializer_class = s.SessionSerializer
    search_fields = ["title", "notes", "decisions", "attendees"]
    ordering_fields = ["held_on", "title"]
    ordering = ["-held_on", "title"]

    def create(self, request, *args, **kwargs):
        self.require_work()
        fields = self.validated(s.SessionInputSerializer)
        session = services.session_create(actor=self.actor, partnership=self.partnership, **fields)
        return self.output(session, code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        session = self.get_object()
        self.require_work()
        fields = self.validated(s.SessionInputSerializer, partial=True)
        services.session_update(actor=self.actor, session=session, **fields)
        return self.output(session)

    def destroy(self, request, *args, **kwargs):
        session = self.get_object()
        self.require_work()
        services.session_delete(actor=self.actor, session=session)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Experience goals ----------------------------------------------------------------------


@extend_schema(tags=["discovery: sessions and goals"])
@_crud(s.GoalInputSerializer, s.GoalSerializer)
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
        self.require(Action.SIGN_OFF)
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
        self.require(Action.SIGN_OFF)
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
        self.require(Action.SIGN_OFF)
        services.discovery_cosign(actor=self.actor, partnership=self.partnership)
        return self._status()

    @extend_schema(request=s.ReopenInputSerializer, responses=s.DiscoveryStatusSerializer)
    @action(detail=False, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        """Reopen discovery with a reason; new proposals are frozen until it is signed off
        and co-signed again."""
        self.require(Action.SIGN_OFF)
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


# --- Opportunities -------------------------------------------------------------------------


class OpportunityFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OpportunityStatus.choices)
    service = django_filters.NumberFilter(field_name="service_line_id")
    kpi = django_filters.NumberFilter(field_name="kpi_id")

    class Meta:
        model = Opportunity
        fields = ["status", "service", "kpi", "effort"]


@extend_schema(tags=["discovery: opportunities"])
@_crud(s.OpportunityInputSerializer, s.OpportunitySerializer)
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
        self.require(Action.SIGN_OFF)
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

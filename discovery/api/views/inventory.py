"""The KPI catalog, services, baselines (with the CSV import), reports and sessions."""

from __future__ import annotations

import django_filters
from django.db.models import Count
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from discovery import services
from discovery.api import serializers as s
from discovery.api.views.base import ListRetrieve, ServiceBackedViewSet, crud_schema
from discovery.models import (
    DiscoverySession,
    KpiBaseline,
    KpiDefinition,
    ReviewedReport,
    ServiceLine,
)
from tenancy.access import Action
from tenancy.api import OrgScopedViewSet
from tenancy.rest import NOT_FOUND

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
        services.kpi_catalog_ready(organization=self.organization)

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
@crud_schema(s.ServiceLineInputSerializer, s.ServiceLineSerializer)
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
@crud_schema(s.BaselineInputSerializer, s.BaselineSerializer)
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
        services.report_downloaded(actor=self.actor, report=report)
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


# --- Sessions ------------------------------------------------------------------------------


@extend_schema(tags=["discovery: sessions and goals"])
@crud_schema(s.SessionInputSerializer, s.SessionSerializer)
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

"""Serializers of the KPI catalog, services, baselines, reports and sessions."""

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
    DiscoverySession,
    KpiBaseline,
    KpiDefinition,
    KpiDirection,
    KpiUnit,
    ReviewedReport,
    ServiceKind,
    ServiceLine,
)
from partnerships.api.serializers import EditsFields, HidesInternalFields, UserSummarySerializer

# --- KPI catalog ---------------------------------------------------------------------------


class KpiSerializer(serializers.ModelSerializer):
    target = number_field(read_only=True, allow_null=True)
    target_low = number_field(read_only=True, allow_null=True)
    target_high = number_field(read_only=True, allow_null=True)
    target_display = serializers.CharField(read_only=True)

    class Meta:
        model = KpiDefinition
        fields = [
            "id",
            "key",
            "name",
            "unit",
            "direction",
            "target",
            "target_low",
            "target_high",
            "target_display",
            "description",
            "source",
            "is_builtin",
            "position",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class KpiInputSerializer(EditsFields, serializers.Serializer):
    model = KpiDefinition
    key = serializers.SlugField(max_length=60)
    name = serializers.CharField(max_length=120)
    unit = serializers.ChoiceField(choices=KpiUnit.choices)
    direction = serializers.ChoiceField(choices=KpiDirection.choices)
    target = number_field(required=False, allow_null=True)
    target_low = number_field(required=False, allow_null=True)
    target_high = number_field(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    position = serializers.IntegerField(min_value=0, max_value=32767, required=False)


# --- Services and baselines ----------------------------------------------------------------


class ServiceLineSerializer(HidesInternalFields, serializers.ModelSerializer):
    baseline_count = serializers.IntegerField(read_only=True)
    internal_notes = internal_field()

    class Meta:
        model = ServiceLine
        fields = [
            "id",
            "kind",
            "name",
            "hours",
            "monthly_volume",
            "description",
            "internal_notes",
            "baseline_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "internal_notes"]


class ServiceLineInputSerializer(EditsFields, serializers.Serializer):
    model = ServiceLine
    kind = serializers.ChoiceField(choices=ServiceKind.choices)
    name = serializers.CharField(max_length=200)
    hours = serializers.CharField(max_length=200, required=False, allow_blank=True)
    monthly_volume = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)


class BaselineSerializer(serializers.ModelSerializer):
    service = NamedSerializer(source="service_line", read_only=True)
    kpi = KpiSummarySerializer(read_only=True)
    value = number_field(read_only=True)
    target = number_field(read_only=True, allow_null=True)
    source_report = NamedSerializer(read_only=True, allow_null=True)
    target_below_baseline = serializers.BooleanField(read_only=True)
    meets_catalog_target = serializers.SerializerMethodField()

    class Meta:
        model = KpiBaseline
        fields = [
            "id",
            "service",
            "kpi",
            "value",
            "period_start",
            "period_end",
            "source_report",
            "target",
            "target_reason",
            "target_below_baseline",
            "meets_catalog_target",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_meets_catalog_target(self, baseline: KpiBaseline) -> bool | None:
        return baseline.kpi.meets_target(baseline.value)


class BaselineInputSerializer(EditsFields, PartnershipChoicesMixin, serializers.Serializer):
    model = KpiBaseline
    service = serializers.PrimaryKeyRelatedField(
        source="service_line", queryset=ServiceLine.objects.none()
    )
    kpi = serializers.PrimaryKeyRelatedField(queryset=KpiDefinition.objects.none())
    value = number_field()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    source_report = serializers.PrimaryKeyRelatedField(
        queryset=ReviewedReport.objects.none(), required=False, allow_null=True
    )
    target = number_field(required=False, allow_null=True)
    target_reason = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)


class BaselineImportInputSerializer(PartnershipChoicesMixin, serializers.Serializer):
    file = serializers.FileField(
        required=False,
        help_text="A CSV file: service, kpi, value, period_start, period_end "
        "[, target, target_reason, notes]; header on row 1.",
    )
    report = serializers.PrimaryKeyRelatedField(
        queryset=ReviewedReport.objects.none(),
        required=False,
        help_text="Or a CSV report already uploaded; it becomes the baselines' source.",
    )


class BaselineImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()


# --- Reports -------------------------------------------------------------------------------


class ReportSerializer(HidesInternalFields, serializers.ModelSerializer):
    uploaded_by = UserSummarySerializer(read_only=True)
    is_reviewed = serializers.BooleanField(read_only=True)
    download_url = serializers.SerializerMethodField()
    internal_notes = internal_field()

    class Meta:
        model = ReviewedReport
        fields = [
            "id",
            "name",
            "source_system",
            "period_start",
            "period_end",
            "original_filename",
            "file_kind",
            "file_size",
            "download_url",
            "findings",
            "is_reviewed",
            "internal_notes",
            "uploaded_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "internal_notes"]

    def get_download_url(self, report: ReviewedReport) -> str:
        from django.urls import reverse

        return reverse(
            "api:report-download",
            kwargs={
                "org_slug": self.context["membership"].organization.slug,
                "partnership_pk": report.partnership_id,
                "pk": report.pk,
            },
        )


class ReportInputSerializer(EditsFields, serializers.Serializer):
    model = ReviewedReport
    name = serializers.CharField(max_length=200)
    source_system = serializers.CharField(max_length=120, required=False, allow_blank=True)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    findings = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)


class ReportUploadSerializer(ReportInputSerializer):
    also = ("file",)
    file = serializers.FileField(
        help_text="CSV, XLSX or PDF (checked by content), at most 10 MB by default."
    )


# --- Sessions ------------------------------------------------------------------------------


class SessionSerializer(HidesInternalFields, serializers.ModelSerializer):
    internal_notes = internal_field()

    class Meta:
        model = DiscoverySession
        fields = [
            "id",
            "held_on",
            "title",
            "attendees",
            "notes",
            "decisions",
            "internal_notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [name for name in fields if name != "internal_notes"]


class SessionInputSerializer(EditsFields, serializers.Serializer):
    model = DiscoverySession
    held_on = serializers.DateField()
    title = serializers.CharField(max_length=200)
    attendees = serializers.CharField(required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    decisions = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)

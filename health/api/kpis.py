"""KPI measurements over the API.

- `POST /api/v1/orgs/<org_slug>/kpi-measurements/`: the telephony/ACD feed's bulk upsert,
  authenticated by an API token (`Authorization: Token <key>`). Body:
  `{"partnership": <id>, "rows": [{"kpi", "service", "day", "value", "sample_size"}, …]}`,
  one partnership per request, up to 10,000 rows.
- `GET/POST /api/v1/orgs/<org_slug>/partnerships/<partnership_pk>/kpi-measurements/`: the
  partnership's measurements (filters: kpi, service, day_from, day_to), and the same upsert
  with `{"rows": […]}`.

Writing takes `Action.CHANGE_WORK` on the partnership (admins, its account manager, its
PMs): a partnership the caller does not see is 404, one they only read is 403. Every row is
checked first; with any error nothing is saved and the answer is 400 with the errors by
row index (from 0) and field: `{"rows": {"3": {"value": ["…"]}}}`. `?dry_run=1` answers what
would change (each row new, updated with its old value, or unchanged) and writes nothing.
"""

from __future__ import annotations

import django_filters
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.response import Response

from health.kpi_selectors import measurements
from health.models import KpiMeasurement, MeasurementSource
from health.services.kpis import MAX_ROWS, UpsertResult, measurements_upsert
from partnerships.api.base import PartnershipScopedViewSet
from partnerships.base import partnership_for
from tenancy.access import Action
from tenancy.api import OrgScopedViewSet
from tenancy.parsers import SafeJSONParser
from tenancy.rest import NOT_FOUND

# --- Serializers ---------------------------------------------------------------------------


class KpiMeasurementSerializer(serializers.ModelSerializer):
    kpi = serializers.CharField(source="kpi.key", read_only=True, help_text="The KPI's key.")
    kpi_name = serializers.CharField(source="kpi.name", read_only=True)
    unit = serializers.CharField(source="kpi.unit", read_only=True)
    service = serializers.IntegerField(
        source="service_line_id",
        read_only=True,
        allow_null=True,
        help_text="The service line's id; null for the whole line.",
    )
    service_name = serializers.CharField(
        source="service_line.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = KpiMeasurement
        fields = [
            "id",
            "kpi",
            "kpi_name",
            "unit",
            "service",
            "service_name",
            "day",
            "value",
            "sample_size",
            "source",
            "received_at",
        ]
        read_only_fields = fields


class KpiMeasurementRowSerializer(serializers.Serializer):
    """One row, as documented (the rows are checked by the service, all at once)."""

    kpi = serializers.CharField(help_text="The KPI's key in the catalog, e.g. abandonment_rate.")
    service = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="A service line of the partnership, by id or name; empty for the whole line.",
    )
    day = serializers.DateField(help_text="YYYY-MM-DD, no later than tomorrow.")
    value = serializers.DecimalField(
        max_digits=12,
        decimal_places=3,
        help_text="Checked by the KPI's unit: a percentage is 0 to 100, seconds, minutes and "
        "counts are never negative.",
    )
    sample_size = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="Calls or audits behind it."
    )


class KpiRowsInputSerializer(serializers.Serializer):
    """What is validated of the body here: its shape (each row is an object)."""

    rows = serializers.ListField(child=serializers.DictField(), allow_empty=False)


class KpiBulkInputSerializer(KpiRowsInputSerializer):
    partnership = serializers.IntegerField(help_text="The partnership the rows belong to.")


class KpiMeasurementsUpsertSerializer(serializers.Serializer):
    rows = KpiMeasurementRowSerializer(many=True, help_text=f"At most {MAX_ROWS} rows.")


class KpiMeasurementsBulkUpsertSerializer(KpiMeasurementsUpsertSerializer):
    partnership = serializers.IntegerField(help_text="The partnership the rows belong to.")


class KpiChangeSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row's index in `rows`, from 0.")
    kpi = serializers.CharField()
    service = serializers.IntegerField(allow_null=True)
    day = serializers.DateField()
    status = serializers.CharField(help_text="new, updated or unchanged.")
    old_value = serializers.DecimalField(max_digits=12, decimal_places=3, allow_null=True)
    value = serializers.DecimalField(max_digits=12, decimal_places=3)


class KpiUpsertResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    changes = KpiChangeSerializer(
        many=True, required=False, help_text="Dry run only: what each row would do."
    )


def _result(result: UpsertResult) -> dict:
    data = result.summary()
    if result.dry_run:
        data["changes"] = KpiChangeSerializer(
            [
                {
                    "row": change.row.index,
                    "kpi": change.row.kpi.key,
                    "service": change.row.service_line.pk if change.row.service_line else None,
                    "day": change.row.day,
                    "status": change.status,
                    "old_value": change.old_value,
                    "value": change.row.value,
                }
                for change in result.changes
            ],
            many=True,
        ).data
    return data


DRY_RUN = OpenApiParameter(
    "dry_run", bool, description="1: check and answer what would change, without writing."
)
ROW_ERRORS = OpenApiResponse(
    description='Nothing was saved. The errors by row index (from 0) and field: `{"rows": '
    '{"3": {"value": ["A percentage must be between 0 and 100."]}}}`; more than '
    f'{MAX_ROWS} rows: `{{"rows": ["At most {MAX_ROWS} rows per request…"]}}`.'
)


class UpsertMixin:
    parser_classes = [SafeJSONParser]  # rows are JSON objects: no form encodings

    def dry_run(self) -> bool:
        return self.request.query_params.get("dry_run", "").lower() in ("1", "true", "yes")

    def upsert(self, partnership, rows) -> Response:
        result = measurements_upsert(
            actor=self.actor,
            partnership=partnership,
            rows=rows,
            source=MeasurementSource.API,
            dry_run=self.dry_run(),
        )
        return Response(KpiUpsertResultSerializer(_result(result)).data)

    def body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# --- Organization-wide: the feed's bulk upsert -----------------------------------------


@extend_schema(tags=["health: KPI measurements"])
class MeasurementBulkViewSet(UpsertMixin, OrgScopedViewSet):
    """The telephony/ACD feed's door: measurements of one partnership per request."""

    queryset = KpiMeasurement.objects.all()
    serializer_class = KpiUpsertResultSerializer

    @extend_schema(
        summary="Upsert KPI measurements (bulk, one partnership per request)",
        description="Every row is checked first, all or nothing; posting the same KPI, "
        "service and day again updates the value. Authenticate with an API token "
        "(`Authorization: Token <key>`) of a member who may change the partnership's work.",
        parameters=[DRY_RUN],
        request=KpiMeasurementsBulkUpsertSerializer,
        responses={200: KpiUpsertResultSerializer, 400: ROW_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        data = self.body(KpiBulkInputSerializer)
        try:
            partnership = partnership_for(self.membership, data["partnership"])
        except Http404:
            raise exceptions.NotFound(NOT_FOUND) from None
        self.require(Action.CHANGE_WORK, partnership)
        return self.upsert(partnership, data["rows"])


# --- Per partnership -------------------------------------------------------------------


class MeasurementFilter(django_filters.FilterSet):
    kpi = django_filters.CharFilter(field_name="kpi__key", help_text="A KPI's key.")
    service = django_filters.NumberFilter(
        field_name="line_key", help_text="A service line's id; 0 for the whole line."
    )
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = KpiMeasurement
        fields = ["kpi", "service", "day_from", "day_to"]


@extend_schema(tags=["health: KPI measurements"])
class MeasurementViewSet(UpsertMixin, mixins.ListModelMixin, PartnershipScopedViewSet):
    """A partnership's KPI measurements: everyone who sees the partnership reads them (the
    client's executives included); admins, the account manager and the PMs write."""

    queryset = KpiMeasurement.objects.select_related("kpi", "service_line")
    serializer_class = KpiMeasurementSerializer
    filterset_class = MeasurementFilter
    search_fields: list[str] = []
    ordering_fields = ["day", "received_at"]
    ordering = ["-day", "kpi__position", "line_key"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return KpiMeasurement.objects.none()
        return measurements(membership=self.membership, partnership=self.partnership)

    @extend_schema(
        summary="Upsert this partnership's KPI measurements",
        parameters=[DRY_RUN],
        request=KpiMeasurementsUpsertSerializer,
        responses={200: KpiUpsertResultSerializer, 400: ROW_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        self.require_work()
        data = self.body(KpiRowsInputSerializer)
        return self.upsert(self.partnership, data["rows"])

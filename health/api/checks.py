"""The health-check API.

Under /api/v1/orgs/<org_slug>/:
- `health/`           the latest check of every partnership the member sees (provider),
                      filterable by `band` and `phase`;
- `alerts/`           the current user's alerts, with `acknowledge` and `snooze` actions;
- `health-settings/`  the organization's weights, bands, stale-data days and check interval
                      (GET: the provider; PUT/PATCH: admins).
Under …/partnerships/<partnership_pk>/:
- `health-checks/`    the history of checks, and `run` (POST): check now;
- `parity/`           live KPIs against the discovery baselines, per service line.

Order of checks: the organization and the partnership (404), the object (404), the role
(403), the input (400 naming the field). Writes go input serializer → service → output.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from health import scoring, selectors
from health.models import Alert, Band, HealthCheck, HealthSettings, KpiMeasurement
from health.services import checks as services
from partnerships.api.base import PartnershipScopedViewSet
from partnerships.models import PartnershipStatus
from tenancy.access import Action
from tenancy.api import OrgScopedViewSet, SingletonSchema

# --- Serializers -----------------------------------------------------------------------------


class MeasureSerializer(serializers.Serializer):
    name = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    unit = serializers.CharField(allow_blank=True)
    target = serializers.FloatField(allow_null=True)
    baseline = serializers.FloatField(allow_null=True)
    score = serializers.FloatField(allow_null=True)
    text = serializers.CharField()


class ComponentSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    score = serializers.FloatField()
    weight = serializers.FloatField(help_text="The phase profile's weight.")
    effective_weight = serializers.FloatField(help_text="Renormalised over components with data.")
    contribution = serializers.FloatField(help_text="Points of the score it brings.")
    reason = serializers.CharField()
    measures = MeasureSerializer(many=True)


class MissingSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    weight = serializers.FloatField()
    reason = serializers.CharField()


class HealthCheckSerializer(serializers.ModelSerializer):
    score = serializers.FloatField(allow_null=True)
    components = ComponentSerializer(many=True)
    missing = MissingSerializer(many=True)

    class Meta:
        model = HealthCheck
        fields = [
            "id",
            "partnership",
            "period_start",
            "phase",
            "score",
            "band",
            "trend",
            "components",
            "missing",
            "trigger",
            "created_at",
        ]


class LatestCheckSerializer(serializers.ModelSerializer):
    score = serializers.FloatField(allow_null=True)
    partnership_name = serializers.CharField(source="partnership.name")
    client = serializers.CharField(source="partnership.client.name")
    missing = serializers.SerializerMethodField()

    class Meta:
        model = HealthCheck
        fields = [
            "id",
            "partnership",
            "partnership_name",
            "client",
            "phase",
            "score",
            "band",
            "trend",
            "period_start",
            "missing",
            "created_at",
        ]

    def get_missing(self, obj) -> list[str]:
        return [item.get("label", "") for item in obj.missing]


class AlertSerializer(serializers.ModelSerializer):
    partnership_name = serializers.CharField(source="partnership.name")
    reasons = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Alert
        fields = [
            "id",
            "partnership",
            "partnership_name",
            "kind",
            "band",
            "title",
            "reasons",
            "suggested_action",
            "health_check",
            "created_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_note",
            "snoozed_until",
            "snooze_reason",
        ]


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


class SnoozeSerializer(serializers.Serializer):
    until = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class HealthSettingsSerializer(serializers.ModelSerializer):
    effective_weights = serializers.SerializerMethodField()

    class Meta:
        model = HealthSettings
        fields = [
            "weights",
            "effective_weights",
            "red_below",
            "green_from",
            "stale_after_days",
            "check_every_minutes",
        ]

    def get_effective_weights(self, obj) -> dict[str, dict[str, float]]:
        return {phase: scoring.weights_for(phase, obj.weights) for phase in scoring.PHASES}


class HealthSettingsInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = HealthSettings
        fields = ["weights", "red_below", "green_from", "stale_after_days", "check_every_minutes"]

    def validate_weights(self, value):
        if problems := scoring.weights_problems(value):
            raise serializers.ValidationError(problems)
        return value or {}  # null or empty: the defaults

    def validate(self, attrs):
        instance = self.instance
        red = attrs.get("red_below", getattr(instance, "red_below", 50))
        green = attrs.get("green_from", getattr(instance, "green_from", 75))
        if red >= green:
            raise serializers.ValidationError(
                {"red_below": "Red must end below where green starts (red_below < green_from)."}
            )
        return attrs


class ParityKpiSerializer(serializers.Serializer):
    kpi = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField()
    baseline = serializers.FloatField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    live = serializers.FloatField(allow_null=True, help_text="Average of the last 28 days.")
    days = serializers.IntegerField(help_text="Days with data in the window.")
    verdict = serializers.ChoiceField(choices=list(selectors.VERDICTS))
    verdict_label = serializers.CharField()
    meets_target = serializers.BooleanField(allow_null=True)
    text = serializers.CharField()


class ParityServiceSerializer(serializers.Serializer):
    service_line_id = serializers.IntegerField()
    service = serializers.CharField()
    kpis = ParityKpiSerializer(many=True)


# --- Organization-wide -----------------------------------------------------------------------


def _choice(request, name: str, choices) -> str | None:
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    if value not in choices:
        raise exceptions.ValidationError({name: [f"Use one of: {', '.join(choices)}."]})
    return value


@extend_schema(tags=["health"])
class HealthOverviewViewSet(mixins.ListModelMixin, OrgScopedViewSet):
    """The latest health check of every partnership the member sees."""

    queryset = HealthCheck.objects.all()
    serializer_class = LatestCheckSerializer
    filter_backends: list = []

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        latest = selectors.latest_checks(membership=self.membership)
        band = _choice(self.request, "band", Band.values)
        phase = _choice(self.request, "phase", [s for s in selectors.CHECKED_STATUSES])
        if band:
            latest = latest.filter(band=band)
        if phase:
            latest = latest.filter(partnership__status=phase)
        return latest

    @extend_schema(
        parameters=[
            OpenApiParameter("band", OpenApiTypes.STR, enum=Band.values),
            OpenApiParameter(
                "phase",
                OpenApiTypes.STR,
                enum=[str(s) for s in selectors.CHECKED_STATUSES],
                description="The partnership's current status.",
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["health"])
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """The current user's health alerts (open first), to acknowledge or snooze."""

    queryset = Alert.objects.select_related("partnership")
    serializer_class = AlertSerializer
    filter_backends: list = []

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            queryset = queryset.filter(recipient_id=self.request.user.pk)
            if self.request.query_params.get("open") in ("1", "true"):
                queryset = queryset.filter(acknowledged_at__isnull=True)
        return queryset.order_by("acknowledged_at", "-created_at", "-id")

    @extend_schema(
        parameters=[OpenApiParameter("open", OpenApiTypes.BOOL, description="Unacknowledged only.")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=AcknowledgeSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, *args, **kwargs):
        """Acknowledge the alert, with a note of what was done or decided."""
        alert = self.get_object()
        serializer = AcknowledgeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert = services.alert_acknowledge(
            actor=self.actor, alert=alert, **serializer.validated_data
        )
        return Response(AlertSerializer(alert).data)

    @extend_schema(request=SnoozeSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def snooze(self, request, *args, **kwargs):
        """Snooze the alert until a date (at most 90 days ahead), with a reason."""
        alert = self.get_object()
        serializer = SnoozeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert = services.alert_snooze(actor=self.actor, alert=alert, **serializer.validated_data)
        return Response(AlertSerializer(alert).data)


@extend_schema(tags=["health"])
class HealthSettingsViewSet(OrgScopedViewSet):
    """The organization's health settings: GET for the provider, PUT/PATCH for admins.
    `weights` empty means the defaults (`effective_weights` shows what is in force)."""

    queryset = HealthSettings.objects.all()
    serializer_class = HealthSettingsSerializer
    schema = SingletonSchema()
    pagination_class = None
    filter_backends: list = []

    @classmethod
    def as_view(cls, actions=None, **initkwargs):
        # One object at the collection's address: GET reads it, PUT/PATCH change it. (Named
        # apart from update/partial_update so that the router makes no `<pk>/` route.)
        if actions and actions.get("get") == "list":
            actions = {**actions, "put": "replace", "patch": "amend"}
        return super().as_view(actions, **initkwargs)

    def _settings(self) -> HealthSettings:
        if not self.membership.is_provider:
            raise PermissionDenied("Health settings are the provider's.")
        return selectors.health_settings_for(organization=self.organization)

    def list(self, request, *args, **kwargs):
        return Response(HealthSettingsSerializer(self._settings()).data)

    def _save(self, partial: bool):
        current = self._settings()
        self.require(Action.MANAGE_SETTINGS)
        serializer = HealthSettingsInputSerializer(current, data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        saved = services.health_settings_update(
            actor=self.actor, fields=dict(serializer.validated_data)
        )
        return Response(HealthSettingsSerializer(saved).data)

    @extend_schema(request=HealthSettingsInputSerializer, responses=HealthSettingsSerializer)
    def replace(self, request, *args, **kwargs):
        """Set the settings (fields left out keep their value)."""
        return self._save(partial=False)

    @extend_schema(request=HealthSettingsInputSerializer, responses=HealthSettingsSerializer)
    def amend(self, request, *args, **kwargs):
        """Change some of the settings."""
        return self._save(partial=True)


# --- Per partnership -------------------------------------------------------------------------


@extend_schema(tags=["health"])
class HealthCheckViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet
):
    """The partnership's health checks, newest first; `run` checks it now."""

    queryset = HealthCheck.objects.all()
    serializer_class = HealthCheckSerializer
    filter_backends: list = []

    @extend_schema(request=None, responses={201: HealthCheckSerializer})
    @action(detail=False, methods=["post"])
    def run(self, request, *args, **kwargs):
        """Run a check of this partnership now (discovery, transition and live only)."""
        self.require_work()
        if self.partnership.status not in (
            PartnershipStatus.DISCOVERY,
            PartnershipStatus.TRANSITION,
            PartnershipStatus.LIVE,
        ):
            raise exceptions.ValidationError(
                {"partnership": ["Only discovery, transition and live partnerships are checked."]}
            )
        check = services.check_run_now(actor=self.actor, partnership=self.partnership)
        return Response(HealthCheckSerializer(check).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["health"])
class ParityViewSet(PartnershipScopedViewSet):
    """Each service line's live KPIs (the last 28 days) against its discovery baselines and
    targets: same or better, worse, or no data, per KPI."""

    queryset = KpiMeasurement.objects.all()
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=ParityServiceSerializer(many=True))
    def list(self, request, *args, **kwargs):
        data = selectors.parity(membership=self.membership, partnership=self.partnership)
        return Response(ParityServiceSerializer(data, many=True).data)

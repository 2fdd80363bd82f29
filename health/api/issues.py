"""API for the issue log: `partnerships/<id>/issues/` (list filtered by status, severity and
`breached`; raise; read; edit; move; the comment thread) and the organization's
`sla-targets/` (the provider reads them, admins set them).

Each issue carries its SLA clock (`health.sla`): the due times, the breach flags, whether it
is paused (waiting on the client) and for how long. Client executives never get the internal
notes. Writes go input serializer → service → output serializer."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from discovery.models import ServiceLine
from health import issue_selectors, sla
from health.models import Issue, IssueStatus, IssueStatusChange, Severity, SlaTarget
from health.services import issues as services
from partnerships import selectors as partnership_selectors
from partnerships import services as partnership_services
from partnerships.api.base import PartnershipScopedViewSet
from partnerships.api.serializers import (
    CommentSerializer,
    EditsFields,
    HidesInternalFields,
    UserSummarySerializer,
)
from tenancy import access
from tenancy.access import Action
from tenancy.api import OrgScopedViewSet
from tenancy.rest import NOT_FOUND

# --- Serializers -----------------------------------------------------------------------


class ServiceSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class IssueSerializer(HidesInternalFields, serializers.ModelSerializer):
    """Output. The clock is computed at the time of the response; `internal_notes` is left
    out for client executives."""

    raised_by = UserSummarySerializer(read_only=True)
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    service_line = ServiceSummarySerializer(read_only=True, allow_null=True)
    response_due_at = serializers.DateTimeField(source="clock.response_due_at", read_only=True)
    resolution_due_at = serializers.DateTimeField(source="clock.resolution_due_at", read_only=True)
    response_breached = serializers.BooleanField(source="clock.response_breached", read_only=True)
    resolution_breached = serializers.BooleanField(
        source="clock.resolution_breached", read_only=True
    )
    paused = serializers.BooleanField(
        source="clock.paused", read_only=True, help_text="Waiting on the client: the clock stands."
    )
    paused_seconds = serializers.IntegerField(
        source="clock.paused_seconds",
        read_only=True,
        help_text="Seconds paused so far; the due times move out by it.",
    )
    allowed_moves = serializers.SerializerMethodField()

    class Meta:
        model = Issue
        fields = [
            "id",
            "title",
            "description",
            "severity",
            "status",
            "allowed_moves",
            "raised_by",
            "owner",
            "service_line",
            "resolution",
            "internal_notes",
            "opened_at",
            "first_response_at",
            "resolved_at",
            "closed_at",
            "response_minutes",
            "resolution_minutes",
            "response_due_at",
            "resolution_due_at",
            "response_breached",
            "resolution_breached",
            "paused",
            "paused_seconds",
            "updated_at",
        ]
        read_only_fields = fields

    def to_representation(self, instance):
        now = self.context.setdefault("now", timezone.now())
        instance.clock = sla.issue_clock(instance, now)
        return super().to_representation(instance)

    def get_allowed_moves(self, issue) -> list[str]:
        return list(services.allowed_moves(issue))


class IssueInputSerializer(EditsFields, serializers.Serializer):
    """Raise (the client's executives: title, description, severity, service_line) or edit."""

    model = Issue
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    severity = serializers.ChoiceField(choices=Severity.choices)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(), required=False, allow_null=True
    )
    service_line = serializers.PrimaryKeyRelatedField(
        queryset=ServiceLine.objects.none(), required=False, allow_null=True
    )
    resolution = serializers.CharField(required=False, allow_blank=True)
    internal_notes = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        membership = self.context.get("membership")
        partnership = self.context.get("partnership")
        if membership is None:
            return
        self.fields["owner"].queryset = partnership_selectors.pm_choices(
            organization=membership.organization
        )
        lines = access.visible(membership, ServiceLine)
        if partnership is not None:
            lines = lines.filter(partnership=partnership)
        self.fields["service_line"].queryset = lines


class IssueTransitionInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=IssueStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    resolution = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="How it was resolved: needed to move to `resolved` unless already written.",
    )


class IssueStatusChangeSerializer(serializers.ModelSerializer):
    changed_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = IssueStatusChange
        fields = ["id", "from_status", "to_status", "changed_by", "note", "created_at"]
        read_only_fields = fields


class IssueTransitionSerializer(serializers.Serializer):
    issue = IssueSerializer()
    change = IssueStatusChangeSerializer()


class IssueCommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    shared_with_client = serializers.BooleanField(
        default=False, help_text="Ignored for client executives, whose comments are shared."
    )


class IssueFilterSerializer(serializers.Serializer):
    breached = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="true: only issues past a response or resolution target; false: the others.",
    )


class SlaTargetSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, allow_null=True)
    severity = serializers.ChoiceField(choices=Severity.choices)
    response_minutes = serializers.IntegerField(min_value=1, max_value=services.MAX_TARGET_MINUTES)
    resolution_minutes = serializers.IntegerField(
        min_value=1, max_value=services.MAX_TARGET_MINUTES
    )
    is_default = serializers.BooleanField(
        read_only=True, help_text="The organization has not set its own: the default applies."
    )

    def validate(self, attrs):
        response = attrs.get("response_minutes", getattr(self.instance, "response_minutes", 0))
        resolution = attrs.get(
            "resolution_minutes", getattr(self.instance, "resolution_minutes", 0)
        )
        if resolution < response:
            raise serializers.ValidationError(
                {
                    "resolution_minutes": [
                        "The resolution target cannot be shorter than the response target."
                    ]
                }
            )
        return attrs


# --- Issues ----------------------------------------------------------------------------


@extend_schema(tags=["health issues"])
class IssueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet):
    """The partnership's issue log with each issue's SLA clock. Everyone who sees the
    partnership reads it; those who may comment (the provider's staff on it and the client's
    executives) raise issues; admins, the account manager and the PMs manage them."""

    queryset = Issue.objects.select_related(*issue_selectors.ISSUE_SELECT)
    serializer_class = IssueSerializer
    filterset_fields = ["status", "severity", "owner", "service_line"]
    search_fields = ["title", "description"]
    ordering_fields = ["opened_at", "severity", "status", "title", "updated_at"]
    ordering = ["-opened_at", "-id"]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "breached",
                OpenApiTypes.BOOL,
                description="true: only issues past a response or resolution target.",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        filters = IssueFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        breached = filters.validated_data.get("breached")
        if breached is not None:
            queryset = issue_selectors.filter_breached(
                queryset, breached=breached, now=timezone.now()
            )
        return queryset

    def _output(self, issue, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=issue.pk)
        return Response(
            IssueSerializer(fresh, context=self.get_serializer_context()).data, status=code
        )

    @extend_schema(request=IssueInputSerializer, responses={201: IssueSerializer})
    def create(self, request, *args, **kwargs):
        """Raise an issue; its targets are the organization's for its severity."""
        self.require(Action.COMMENT)
        fields = self.validated(IssueInputSerializer)
        issue = services.issue_raise(actor=self.actor, partnership=self.partnership, **fields)
        return self._output(issue, status.HTTP_201_CREATED)

    @extend_schema(request=IssueInputSerializer, responses=IssueSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Edit; a new severity takes the organization's targets for it."""
        issue = self.get_object()
        self.require_work()
        fields = self.validated(IssueInputSerializer, partial=True)
        services.issue_update(actor=self.actor, issue=issue, **fields)
        return self._output(issue)

    @extend_schema(request=IssueTransitionInputSerializer, responses=IssueTransitionSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, *args, **kwargs):
        """Move the issue: open → in progress | waiting on client | resolved; in progress →
        waiting on client | resolved; waiting on client → in progress | resolved; resolved
        → closed | in progress (reopen). Waiting on the client pauses the clock; resolving
        needs a `resolution`."""
        issue = self.get_object()
        self.require_work()
        data = self.validated(IssueTransitionInputSerializer)
        change = services.issue_transition(
            actor=self.actor,
            issue=issue,
            status=data["status"],
            note=data.get("note", ""),
            resolution=data.get("resolution"),
        )
        fresh = self.get_queryset().get(pk=issue.pk)
        change.changed_by = self.membership.user
        payload = IssueTransitionSerializer(
            {"issue": fresh, "change": change}, context=self.get_serializer_context()
        )
        return Response(payload.data)

    @extend_schema(responses=IssueStatusChangeSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, *args, **kwargs):
        """The issue's status moves, oldest first."""
        issue = self.get_object()
        changes = issue_selectors.status_history(membership=self.membership, issue=issue)
        return Response(IssueStatusChangeSerializer(changes, many=True).data)

    @extend_schema(
        methods=["GET"], responses=CommentSerializer(many=True), filters=False, request=None
    )
    @extend_schema(
        methods=["POST"],
        request=IssueCommentInputSerializer,
        responses={201: CommentSerializer},
        filters=False,
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def comments(self, request, *args, **kwargs):
        """The issue's comment thread (client executives see what is shared with them);
        POST adds a comment (the client's executives' are always shared)."""
        issue = self.get_object()
        if request.method == "POST":
            data = self.validated(IssueCommentInputSerializer)
            comment = partnership_services.comment_create(
                actor=self.actor,
                partnership=self.partnership,
                target_type=Issue._meta.label_lower,
                target_id=issue.pk,
                **data,
            )
            comment.author = self.membership.user
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        thread = partnership_selectors.comment_thread(
            membership=self.membership, partnership=self.partnership, target=issue
        )
        return Response(CommentSerializer(thread, many=True).data)


# --- SLA targets -----------------------------------------------------------------------


@extend_schema(tags=["health issues"])
class SlaTargetViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    OrgScopedViewSet,
):
    """The organization's response and resolution targets (minutes) per severity. The list
    names every severity (the default where the organization set none, `id` null); POST sets
    one severity's targets (creating or replacing them), PUT/PATCH change a stored one.
    The provider's staff read them; admins change them. Issues already raised keep theirs."""

    queryset = SlaTarget.objects.all()
    serializer_class = SlaTargetSerializer
    pagination_class = None
    filter_backends: list = []

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.membership.is_provider:
            raise exceptions.NotFound(NOT_FOUND)  # the provider's own settings

    def _rows(self) -> list[dict]:
        stored = {row.severity: row.pk for row in self.get_queryset()}
        return [
            {
                "id": stored.get(row.severity),
                "severity": row.severity,
                "response_minutes": row.response_minutes,
                "resolution_minutes": row.resolution_minutes,
                "is_default": row.is_default,
            }
            for row in issue_selectors.sla_targets(organization_id=self.organization.pk).values()
        ]

    def _row(self, severity: str) -> dict:
        return next(row for row in self._rows() if row["severity"] == severity)

    def list(self, request, *args, **kwargs):
        return Response(SlaTargetSerializer(self._rows(), many=True).data)

    def retrieve(self, request, *args, **kwargs):
        target = self.get_object()
        return Response(SlaTargetSerializer(self._row(target.severity)).data)

    @extend_schema(request=SlaTargetSerializer, responses={201: SlaTargetSerializer})
    def create(self, request, *args, **kwargs):
        """Set one severity's targets (replacing the organization's or the default)."""
        self.require(Action.MANAGE_SETTINGS)
        serializer = SlaTargetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        severity = data.pop("severity")
        services.sla_targets_update(actor=self.actor, targets={severity: data})
        return Response(
            SlaTargetSerializer(self._row(severity)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        target = self.get_object()
        self.require(Action.MANAGE_SETTINGS)
        partial = kwargs.get("partial", False)
        serializer = SlaTargetSerializer(target, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("severity", None)  # a stored row keeps its severity
        services.sla_targets_update(actor=self.actor, targets={target.severity: data})
        return Response(SlaTargetSerializer(self._row(target.severity)).data)

"""API of the call-quality audits: `partnerships/<partnership_pk>/audits/`.

The provider's own work: to a client's executive the route does not exist (404). Each audit
carries its computed result (score per section, compassion score, passed, reasons); a
missed red flag fails it automatically. Every write rolls the call's month up into the QA
KPIs (`kpi-measurements` with source "audits")."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.response import Response

from accounts.models import User
from discovery.models import ServiceLine
from health import audit_selectors
from health.models import Answer, CallAudit, TriageError
from health.models.audits import COMPASSION_ITEMS
from health.services import audits as services
from partnerships.api.base import PartnershipScopedViewSet
from partnerships.api.serializers import EditsFields, UserSummarySerializer
from tenancy.access import Action
from tenancy.rest import NOT_FOUND


class ProviderOnlyMixin:
    """Call-quality audits and touchpoints are the provider's own work: to a client's
    executive the routes answer as for a missing partnership."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not self.membership.is_provider:
            raise exceptions.NotFound(NOT_FOUND)


class ServiceLineSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class AuditSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    score = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="yes / (yes + no), in %."
    )
    yes = serializers.IntegerField()
    no = serializers.IntegerField()


class AuditResultSerializer(serializers.Serializer):
    sections = AuditSectionSerializer(many=True)
    score = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        allow_null=True,
        help_text="yes / (yes + no) over every item; not-applicable items leave the denominator.",
    )
    compassion_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    passed = serializers.BooleanField(
        help_text="No red flag missed (else an automatic fail) and neither protocol, "
        "disposition nor documentation answered “no”."
    )
    reasons = serializers.ListField(child=serializers.CharField())


class CallAuditSerializer(serializers.ModelSerializer):
    auditor = UserSummarySerializer(read_only=True)
    service_line = ServiceLineSummarySerializer(read_only=True, allow_null=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = CallAudit
        fields = [
            "id",
            "call_date",
            "call_reference",
            "service_line",
            "auditor",
            "guideline_correct",
            "disposition_correct",
            "triage_error",
            "red_flag_missed",
            "documentation_complete",
            *(name for name, _ in COMPASSION_ITEMS),
            "notes",
            "result",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema(responses=AuditResultSerializer)
    def get_result(self, obj) -> dict:
        return AuditResultSerializer(services.audit_result(obj)).data


def _answer(label: str) -> serializers.ChoiceField:
    return serializers.ChoiceField(
        choices=Answer.choices, default=Answer.NOT_APPLICABLE, help_text=label
    )


class CallAuditInputSerializer(EditsFields, serializers.Serializer):
    model = CallAudit
    also = ("auditor",)

    service_line = serializers.PrimaryKeyRelatedField(
        queryset=ServiceLine.objects.none(), required=False, allow_null=True
    )
    call_date = serializers.DateField()
    call_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="No PHI."
    )
    auditor = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.none(),
        required=False,
        help_text="The QA nurse (a provider member); yourself when left out.",
    )
    guideline_correct = _answer("Protocol (guideline) correct")
    disposition_correct = _answer("Disposition correct")
    triage_error = serializers.ChoiceField(
        choices=TriageError.choices,
        default=TriageError.NONE,
        help_text="under or over when the disposition was wrong; none when it was right.",
    )
    red_flag_missed = serializers.BooleanField(
        default=False, help_text="An emergency under-triaged: the audit fails automatically."
    )
    documentation_complete = _answer("Documentation complete")
    introduction = _answer("Introduction and name")
    empathy = _answer("Empathy statement")
    plain_language = _answer("Plain language fitted to the caller")
    teach_back = _answer("Teach-back")
    safety_net = _answer("Safety-net advice")
    respectful_closing = _answer("Respectful closing")
    notes = serializers.CharField(required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        partnership = self.context.get("partnership")
        if partnership is None:
            return
        self.fields["service_line"].queryset = ServiceLine.objects.filter(
            organization_id=partnership.organization_id, partnership=partnership
        )
        # Any user id: the service says whether that person may audit (400 naming `auditor`),
        # and an id of another tenant's user reads the same as one that does not exist.
        self.fields["auditor"].queryset = audit_selectors.auditor_choices(
            organization=partnership.organization
        )


@extend_schema(tags=["health audits"])
class AuditViewSet(
    ProviderOnlyMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, PartnershipScopedViewSet
):
    """Call-quality audits of the partnership's triage calls (provider members only)."""

    queryset = CallAudit.objects.select_related("auditor", "service_line")
    serializer_class = CallAuditSerializer
    filterset_fields = ["service_line", "triage_error", "red_flag_missed", "auditor"]
    search_fields = ["call_reference", "notes"]
    ordering_fields = ["call_date", "created_at"]
    ordering = ["-call_date", "-id"]

    @extend_schema(request=CallAuditInputSerializer, responses={201: CallAuditSerializer})
    def create(self, request, *args, **kwargs):
        self.require(Action.CHANGE_WORK)
        fields = self.validated(CallAuditInputSerializer)
        auditor = fields.pop("auditor", None) or request.user
        audit = services.audit_record(
            actor=self.actor, partnership=self.partnership, auditor=auditor, **fields
        )
        return self.output(audit, code=status.HTTP_201_CREATED)

    @extend_schema(request=CallAuditInputSerializer, responses=CallAuditSerializer)
    def partial_update(self, request, *args, **kwargs):
        audit = self.get_object()
        self.require(Action.CHANGE_WORK)
        fields = self.validated(CallAuditInputSerializer, partial=True)
        # A partial input leaves out what it does not name (no defaults filled in).
        fields = {name: value for name, value in fields.items() if name in request.data}
        services.audit_update(actor=self.actor, audit=audit, **fields)
        return self.output(audit)

    def destroy(self, request, *args, **kwargs):
        audit = self.get_object()
        self.require(Action.CHANGE_WORK)
        services.audit_delete(actor=self.actor, audit=audit)
        return Response(status=status.HTTP_204_NO_CONTENT)

"""API for the people side: the staff roster (CSV import, notice check, sentiment flags,
appointing a PM), check-ins per person (`staff/<staff_pk>/check-ins/`) and per stakeholder
group, each group's average sentiment (`groups/sentiment/`), who of the PMs has people
access (`people-access/`), knowledge capture with its coverage, and the communications plan.

HR-sensitive fields are dropped from the output for those who may not see them
(`Action.VIEW_HR`), a person's check-ins are refused to them, and every response that shows
such data writes one bulk insert to the view log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, parsers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tenancy import access
from tenancy.access import Action
from tenancy.rest import NOT_FOUND
from transition import selectors, services
from transition.api import serializers as s
from transition.api.base import TransitionViewSet
from transition.imports import MAX_IMPORT_BYTES, TOO_LARGE
from transition.models import (
    CommunicationItem,
    KnowledgeItem,
    PeopleAccessGrant,
    SentimentCheckIn,
    StaffMember,
    StakeholderGroup,
)
from transition.services.people import people_access_grant, people_access_revoke


def _staff_person(row: StaffMember) -> tuple[int, str]:
    return row.pk, row.full_name


PERSON_SENTIMENT_DENIED = (
    "A person's sentiment is HR-sensitive: admins, the account manager and the PMs with "
    "people access see it. Each stakeholder group's average is at groups/sentiment/."
)


def _check_in_person(row: SentimentCheckIn) -> tuple[int | None, str]:
    if row.staff_member_id:
        return row.staff_member_id, row.staff_member.full_name
    return None, f"Group: {row.group.name}"


class WriteMixin:
    """create / partial_update / destroy through a service, with 403 before 400."""

    input_serializer_class: type
    output_serializer_class: type

    def _validated(self, partial: bool) -> dict:
        serializer = self.input_serializer_class(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def _output(self, obj, code=status.HTTP_200_OK) -> Response:
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(
            self.output_serializer_class(obj, context=self.get_serializer_context()).data,
            status=code,
        )


# --- Staff -----------------------------------------------------------------------------


@extend_schema(tags=["transition people"])
class StaffViewSet(WriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TransitionViewSet):
    """The client's call-center staff. HR-sensitive fields (support offered, support details,
    HR notes) are shown to admins, the partnership's account manager and the PMs with people
    access; never to client executives; each view is logged. Writing them takes the same right."""

    queryset = StaffMember.objects.all()
    serializer_class = s.StaffSerializer
    input_serializer_class = s.StaffInputSerializer
    output_serializer_class = s.StaffSerializer
    filterset_fields = ["outcome", "outcome_status", "role", "site"]
    search_fields = ["full_name", "work_email", "site"]
    ordering_fields = ["full_name", "last_day", "outcome", "tenure_years"]
    ordering = ["full_name", "id"]

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.get_serializer(page, many=True).data
        self.log_hr_views(
            page,
            context="api.staff.list",
            fields=StaffMember.HR_SENSITIVE_FIELDS,
            person=_staff_person,
        )
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        staff = self.get_object()
        data = self.get_serializer(staff).data
        self.log_hr_views(
            [staff],
            context="api.staff.detail",
            fields=StaffMember.HR_SENSITIVE_FIELDS,
            person=_staff_person,
        )
        return Response(data)

    @extend_schema(request=s.StaffInputSerializer, responses={201: s.StaffSerializer})
    def create(self, request, *args, **kwargs):
        self.require_work()
        staff = services.staff_create(
            actor=self.actor, partnership=self.partnership, **self._validated(partial=False)
        )
        return self._output(staff, status.HTTP_201_CREATED)

    @extend_schema(request=s.StaffInputSerializer, responses=s.StaffSerializer)
    def partial_update(self, request, *args, **kwargs):
        staff = self.get_object()
        self.require_work()
        services.staff_update(actor=self.actor, staff_member=staff, **self._validated(partial=True))
        return self._output(staff)

    def destroy(self, request, *args, **kwargs):
        staff = self.get_object()
        self.require_work()
        services.staff_delete(actor=self.actor, staff_member=staff)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=s.StaffImportInputSerializer, responses={201: s.StaffImportResultSerializer}
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser],
    )
    def import_csv(self, request, *args, **kwargs):
        """Import the roster from CSV, all or nothing; errors name the line and column
        (`errors: [{row, column, message}]`). Columns: full_name (required), role, site,
        tenure_years, knowledge_areas (separated by ;), work_email, outcome, outcome_status,
        notice_date, last_day, support_offered (separated by ;), recognition."""
        self.require_work()
        # Refused before the body is read: a 40 MB upload never reaches memory (the form
        # fields and the multipart envelope fit in the 64 KB allowed on top of the file).
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.isdigit() or int(declared) > MAX_IMPORT_BYTES + 64 * 1024:
            raise exceptions.ValidationError({"file": [TOO_LARGE]})
        serializer = s.StaffImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data.get("file")
        content = upload.read() if upload else serializer.validated_data["csv"]
        result = services.staff_import_csv(
            actor=self.actor, partnership=self.partnership, content=content
        )
        return Response(
            s.StaffImportResultSerializer(
                {"created": len(result.created), "updated": len(result.updated)}
            ).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=s.NoticeCheckSerializer, filters=False)
    @action(
        detail=False,
        methods=["get"],
        url_path="notice-check",
        filter_backends=[],
        pagination_class=None,
    )
    def notice_check(self, request, *args, **kwargs):
        """The WARN-style notice check (a warning to look closer, not legal advice)."""
        data = selectors.notice_check(membership=self.membership, partnership=self.partnership)
        return Response(s.NoticeCheckSerializer(data).data)

    @extend_schema(responses=s.SentimentFlagSerializer(many=True), filters=False)
    @action(
        detail=False,
        methods=["get"],
        url_path="sentiment-flags",
        filter_backends=[],
        pagination_class=None,
    )
    def sentiment_flags(self, request, *args, **kwargs):
        """Signs that someone is unsettled or disengaging, for the account manager
        (HR-sensitive: admins, the partnership's account manager, PMs with people access)."""
        if not self.hr_visible:
            raise PermissionDenied("Your role does not allow this.")
        flags = selectors.sentiment_flags(membership=self.membership, partnership=self.partnership)
        return Response(s.SentimentFlagSerializer(flags, many=True).data)

    @extend_schema(request=None, responses=s.PmAppointmentSerializer)
    @action(detail=True, methods=["post"], url_path="appoint-pm")
    def appoint_pm(self, request, *args, **kwargs):
        """Appoint this person implementation PM of the partnership: a provider member is
        assigned at once; anyone else is invited (role implementation_pm) and assigned when
        they accept. Inviting needs an admin."""
        staff = self.get_object()
        self.require(Action.APPOINT_PM)
        result = services.staff_appoint_pm(actor=self.actor, staff_member=staff)
        return Response(
            s.PmAppointmentSerializer(
                {"state": result.state, "staff_member": staff.pk, "email": staff.work_email}
            ).data
        )


@extend_schema(
    tags=["transition people"],
    parameters=[OpenApiParameter("staff_pk", int, OpenApiParameter.PATH)],
)
class CheckInViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TransitionViewSet):
    """Sentiment check-ins of one person: HR-sensitive, read only by admins, the account
    manager and the PMs with people access (others: 403). Those who change the work may
    record one."""

    queryset = SentimentCheckIn.objects.select_related("recorded_by", "staff_member", "group")
    serializer_class = s.CheckInSerializer
    ordering_fields = ["checked_on"]
    ordering = ["-checked_on", "-id"]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.staff_member = (
            access.visible(self.membership, StaffMember)
            .filter(partnership=self.partnership, pk=int(kwargs["staff_pk"]))
            .first()
        )
        if self.staff_member is None:
            raise exceptions.NotFound(NOT_FOUND)
        self.staff_member.partnership = self.partnership

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):
            return queryset
        return queryset.filter(staff_member=self.staff_member)

    def require_hr(self) -> None:
        if not self.hr_visible:
            raise PermissionDenied(PERSON_SENTIMENT_DENIED)

    def list(self, request, *args, **kwargs):
        self.require_hr()
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = self.get_serializer(page, many=True).data
        self.log_hr_views(
            page, context="api.check-ins.list", fields=("note",), person=_check_in_person
        )
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        # A person's check-in is not even visible without VIEW_HR (the policy's scope): 404.
        check_in = self.get_object()
        data = self.get_serializer(check_in).data
        self.log_hr_views(
            [check_in], context="api.check-ins.detail", fields=("note",), person=_check_in_person
        )
        return Response(data)

    @extend_schema(request=s.CheckInInputSerializer, responses={201: s.CheckInSerializer})
    def create(self, request, *args, **kwargs):
        self.require_work()
        serializer = s.CheckInInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check_in = services.check_in_create(
            actor=self.actor,
            partnership=self.partnership,
            staff_member=self.staff_member,
            **serializer.validated_data,
        )
        data = self.get_serializer(check_in).data
        if not self.hr_visible:
            # Recorded, not read back: a PM without people access sees what they sent only.
            data = {"id": data["id"], "staff_member": data["staff_member"]}
        return Response(data, status=status.HTTP_201_CREATED)


# --- Stakeholder groups ----------------------------------------------------------------


@extend_schema(tags=["transition people"])
class StakeholderGroupViewSet(
    WriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TransitionViewSet
):
    """Stakeholder groups with their ADKAR change-readiness stage."""

    queryset = StakeholderGroup.objects.all()
    serializer_class = s.StakeholderGroupSerializer
    input_serializer_class = s.StakeholderGroupInputSerializer
    output_serializer_class = s.StakeholderGroupSerializer
    filterset_fields = ["adkar_stage"]
    search_fields = ["name"]
    ordering = ["name"]

    @extend_schema(
        request=s.StakeholderGroupInputSerializer, responses={201: s.StakeholderGroupSerializer}
    )
    def create(self, request, *args, **kwargs):
        self.require_work()
        group = services.group_create(
            actor=self.actor, partnership=self.partnership, **self._validated(partial=False)
        )
        return self._output(group, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.StakeholderGroupInputSerializer, responses=s.StakeholderGroupSerializer
    )
    def partial_update(self, request, *args, **kwargs):
        group = self.get_object()
        self.require_work()
        services.group_update(actor=self.actor, group=group, **self._validated(partial=True))
        return self._output(group)

    def destroy(self, request, *args, **kwargs):
        group = self.get_object()
        self.require_work()
        services.group_delete(actor=self.actor, group=group)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=s.GroupSentimentSerializer(many=True), filters=False)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def sentiment(self, request, *args, **kwargs):
        """Each group's sentiment as an average of its check-ins with their number (n); the
        average is null below 5 responses. What the client's executives see of sentiment."""
        rows = selectors.group_sentiment(membership=self.membership, partnership=self.partnership)
        return Response(s.GroupSentimentSerializer(rows, many=True).data)

    @extend_schema(methods=["GET"], responses=s.CheckInSerializer(many=True), filters=False)
    @extend_schema(
        methods=["POST"], request=s.CheckInInputSerializer, responses={201: s.CheckInSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="check-ins",
        filter_backends=[],
        pagination_class=None,
    )
    def check_ins(self, request, *args, **kwargs):
        """Sentiment check-ins of the group (notes HR-sensitive, as for people). The client's
        executives see the group's average instead (`groups/sentiment/`)."""
        group = self.get_object()
        if request.method == "GET" and not self.membership.is_provider:
            raise PermissionDenied(
                "Each group's average sentiment (from 5 responses on) is at groups/sentiment/."
            )
        if request.method == "POST":
            self.require_work()
            serializer = s.CheckInInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            check_in = services.check_in_create(
                actor=self.actor,
                partnership=self.partnership,
                group=group,
                **serializer.validated_data,
            )
            return Response(
                s.CheckInSerializer(check_in, context=self.get_serializer_context()).data,
                status=status.HTTP_201_CREATED,
            )
        rows = list(
            access.visible(self.membership, SentimentCheckIn)
            .filter(group=group)
            .select_related("recorded_by", "group")
            .order_by("-checked_on", "-id")
        )
        data = s.CheckInSerializer(rows, many=True, context=self.get_serializer_context()).data
        self.log_hr_views(
            rows, context="api.group-check-ins.list", fields=("note",), person=_check_in_person
        )
        return Response(data)


# --- People access ---------------------------------------------------------------------


@extend_schema(tags=["transition people"])
class PeopleAccessViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TransitionViewSet):
    """Which implementation PMs of the partnership see its staff's HR-sensitive fields and
    individual sentiment ("people access"): granted and revoked by an admin or the
    partnership's account manager, never by a PM; revoked grants stay listed. A PM sees their
    own grants; the client's executives none."""

    queryset = PeopleAccessGrant.objects.select_related("grantee", "granted_by", "revoked_by")
    serializer_class = s.PeopleAccessGrantSerializer
    filterset_fields = ["grantee"]
    ordering = ["-granted_at", "-id"]

    @extend_schema(
        request=s.PeopleAccessGrantInputSerializer,
        responses={201: s.PeopleAccessGrantSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Grant a PM of this partnership people access."""
        self.require(Action.GRANT_PEOPLE_ACCESS)
        data = self.validated(s.PeopleAccessGrantInputSerializer)
        grant = people_access_grant(actor=self.actor, partnership=self.partnership, **data)
        return self.output(grant, code=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.PeopleAccessGrantSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Take people access back (the grant stays, marked revoked)."""
        grant = self.get_object()
        self.require(Action.GRANT_PEOPLE_ACCESS)
        people_access_revoke(actor=self.actor, grant=grant)
        return self.output(grant)


# --- Knowledge capture -----------------------------------------------------------------


@extend_schema(tags=["transition people"])
class KnowledgeViewSet(
    WriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TransitionViewSet
):
    """Knowledge captured from experienced staff, reviewed, then transferred."""

    queryset = KnowledgeItem.objects.select_related(
        "source", "captured_by", "reviewed_by", "transferred_by"
    )
    serializer_class = s.KnowledgeItemSerializer
    input_serializer_class = s.KnowledgeItemInputSerializer
    output_serializer_class = s.KnowledgeItemSerializer
    filterset_fields = ["category", "status", "source"]
    search_fields = ["title", "subject", "content"]
    ordering_fields = ["captured_on", "title", "status"]
    ordering = ["-captured_on", "-id"]

    @extend_schema(
        request=s.KnowledgeItemInputSerializer, responses={201: s.KnowledgeItemSerializer}
    )
    def create(self, request, *args, **kwargs):
        self.require_work()
        item = services.knowledge_create(
            actor=self.actor, partnership=self.partnership, **self._validated(partial=False)
        )
        return self._output(item, status.HTTP_201_CREATED)

    @extend_schema(request=s.KnowledgeItemInputSerializer, responses=s.KnowledgeItemSerializer)
    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        self.require_work()
        services.knowledge_update(actor=self.actor, item=item, **self._validated(partial=True))
        return self._output(item)

    def destroy(self, request, *args, **kwargs):
        item = self.get_object()
        self.require_work()
        services.knowledge_delete(actor=self.actor, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=s.KnowledgeItemSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, *args, **kwargs):
        item = self.get_object()
        self.require_work()
        services.knowledge_review(actor=self.actor, item=item)
        return self._output(item)

    @extend_schema(request=None, responses=s.KnowledgeItemSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, *args, **kwargs):
        """Mark a reviewed item transferred into the provider's knowledge base."""
        item = self.get_object()
        self.require_work()
        services.knowledge_transfer(actor=self.actor, item=item)
        return self._output(item)

    @extend_schema(responses=s.KnowledgeCoverageSerializer, filters=False)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def coverage(self, request, *args, **kwargs):
        """For every departing person: knowledge captured before the last day? (red: last
        day within 14 days and nothing captured)."""
        data = selectors.knowledge_coverage(
            membership=self.membership, partnership=self.partnership
        )
        return Response(s.KnowledgeCoverageSerializer(data).data)


# --- Communications plan ---------------------------------------------------------------


@extend_schema(tags=["transition people"])
class CommunicationViewSet(
    WriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, TransitionViewSet
):
    """The stakeholder communications plan."""

    queryset = CommunicationItem.objects.select_related("owner")
    serializer_class = s.CommunicationItemSerializer
    input_serializer_class = s.CommunicationItemInputSerializer
    output_serializer_class = s.CommunicationItemSerializer
    filterset_fields = ["channel", "group"]
    search_fields = ["audience", "message"]
    ordering_fields = ["planned_on", "sent_at"]
    ordering = ["planned_on", "id"]

    @extend_schema(
        request=s.CommunicationItemInputSerializer, responses={201: s.CommunicationItemSerializer}
    )
    def create(self, request, *args, **kwargs):
        self.require_work()
        item = services.communication_create(
            actor=self.actor, partnership=self.partnership, **self._validated(partial=False)
        )
        return self._output(item, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.CommunicationItemInputSerializer, responses=s.CommunicationItemSerializer
    )
    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()
        self.require_work()
        services.communication_update(actor=self.actor, item=item, **self._validated(partial=True))
        return self._output(item)

    def destroy(self, request, *args, **kwargs):
        item = self.get_object()
        self.require_work()
        services.communication_delete(actor=self.actor, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.CommunicationSentSerializer, responses=s.CommunicationItemSerializer)
    @action(detail=True, methods=["post"], url_path="mark-sent")
    def mark_sent(self, request, *args, **kwargs):
        item = self.get_object()
        self.require_work()
        serializer = s.CommunicationSentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.communication_mark_sent(actor=self.actor, item=item, **serializer.validated_data)
        return self._output(item)

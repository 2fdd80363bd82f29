"""API for the plan: the plan itself (create from a template, baseline, critical path, Gantt
data, auto-schedule, save as template), its tasks, the go/no-go readiness, the member's own
tasks across partnerships with their calendar feed, and the organization's templates.

Writes go input serializer → service → output serializer."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from icalendar import Calendar, Event
from rest_framework import exceptions, mixins, renderers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.authentication import ApiTokenAuthentication
from tenancy import access
from tenancy.api import OrgScopedViewSet, SingletonSchema
from tenancy.errors import ApplicationError
from tenancy.rest import NOT_FOUND
from transition import selectors, services
from transition import templates_default as templates
from transition.access import sees_templates
from transition.api import payloads
from transition.api import serializers as s
from transition.api.base import (
    CalendarFeedKeyAuthentication,
    ICalendarRenderer,
    TransitionViewSet,
)
from transition.models import (
    PlanTask,
    PlanTemplate,
    TaskDependency,
    TransitionPlan,
)

NO_PLAN = "This partnership has no transition plan yet."


def _moved(tasks) -> list[dict]:
    return [{"id": t.pk, "title": t.title, "start": t.start, "due": t.due} for t in tasks]


def _conflicts(conflicts) -> list[dict]:
    return [
        {
            "predecessor": c.predecessor,
            "successor": c.successor,
            "lag_days": c.lag,
            "current_start": c.current_start,
            "required_start": c.required_start,
            "days": c.days,
        }
        for c in conflicts
    ]


# --- The plan --------------------------------------------------------------------------


@extend_schema(tags=["transition"])
class PlanViewSet(TransitionViewSet):
    """The partnership's transition plan (one per partnership)."""

    queryset = TransitionPlan.objects.all()
    schema = SingletonSchema()
    pagination_class = None
    filter_backends: list = []

    def get_plan(self) -> TransitionPlan:
        plan = selectors.plan_for(membership=self.membership, partnership=self.partnership)
        if plan is None:
            raise exceptions.NotFound(NO_PLAN)
        plan.partnership = self.partnership
        return plan

    def get_view(self, plan: TransitionPlan | None = None) -> selectors.PlanView:
        return selectors.plan_view(membership=self.membership, plan=plan or self.get_plan())

    @extend_schema(responses=s.PlanSummarySerializer)
    def list(self, request, *args, **kwargs):
        """The plan: go-live forecast against baseline and plan, milestones with slip."""
        return Response(s.PlanSummarySerializer(selectors.plan_summary(self.get_view())).data)

    @extend_schema(request=s.PlanCreateSerializer, responses={201: s.PlanSummarySerializer})
    def create(self, request, *args, **kwargs):
        """Lay out the plan from a template around the go-live date."""
        self.require_work()
        serializer = s.PlanCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        plan = services.plan_create(
            actor=self.actor,
            partnership=self.partnership,
            template=serializer.validated_data.get("template"),
            go_live=serializer.validated_data.get("go_live"),
        )
        plan.partnership = self.partnership
        summary = selectors.plan_summary(self.get_view(plan))
        return Response(s.PlanSummarySerializer(summary).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PlanBaselineInputSerializer, responses=s.PlanSummarySerializer)
    @action(detail=False, methods=["post"])
    def baseline(self, request, *args, **kwargs):
        """Record the baseline (once; `replace: true` re-baselines)."""
        self.require_work()
        serializer = s.PlanBaselineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_baseline(
            actor=self.actor, plan=self.get_plan(), replace=serializer.validated_data["replace"]
        )
        plan.partnership = self.partnership
        return Response(s.PlanSummarySerializer(selectors.plan_summary(self.get_view(plan))).data)

    @extend_schema(responses=s.CriticalPathSerializer)
    @action(detail=False, methods=["get"], url_path="critical-path")
    def critical_path(self, request, *args, **kwargs):
        """CPM over the dependencies (calendar days): float per task and the driving chain."""
        return Response(s.CriticalPathSerializer(selectors.critical_path(self.get_view())).data)

    @extend_schema(responses=s.GanttSerializer)
    @action(detail=False, methods=["get"])
    def gantt(self, request, *args, **kwargs):
        """Everything a Gantt chart (or the plain table) needs, in a fixed number of queries:
        forecast and baseline dates, slip, float, critical flags and dependencies."""
        # As of the last write to the organization's data, within the minute.
        return self.remembered(
            ("transition.gantt", self.partnership.pk), lambda: payloads.gantt(self.get_view())
        )

    @extend_schema(request=None, responses=s.AutoScheduleResultSerializer)
    @action(detail=False, methods=["post"], url_path="auto-schedule")
    def auto_schedule(self, request, *args, **kwargs):
        """Resolve every dependency conflict by moving tasks later (never earlier)."""
        self.require_work()
        moved = services.plan_auto_schedule(actor=self.actor, plan=self.get_plan())
        return Response(s.AutoScheduleResultSerializer({"moved": _moved(moved)}).data)

    @extend_schema(request=s.SaveAsTemplateSerializer, responses={201: s.PlanTemplateSerializer})
    @action(detail=False, methods=["post"], url_path="save-as-template")
    def save_as_template(self, request, *args, **kwargs):
        """Save this plan as a new template of the organization."""
        self.require_work()
        serializer = s.SaveAsTemplateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = services.plan_save_as_template(
            actor=self.actor, plan=self.get_plan(), **serializer.validated_data
        )
        return Response(s.PlanTemplateSerializer(template).data, status=status.HTTP_201_CREATED)


# --- Tasks -----------------------------------------------------------------------------


def _task_queryset():
    return PlanTask.objects.select_related("owner").prefetch_related(
        Prefetch("predecessor_links", queryset=TaskDependency.objects.order_by("predecessor_id"))
    )


@extend_schema(tags=["transition"])
class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TransitionViewSet):
    """Tasks and milestones of the partnership's plan, with their dependencies."""

    queryset = _task_queryset()
    serializer_class = s.TaskSerializer
    filterset_fields = ["phase", "status", "owner", "is_milestone"]
    search_fields = ["title", "notes"]
    ordering_fields = ["start", "due", "title", "status", "sort_order"]
    ordering = ["start", "sort_order", "id"]

    def _change_response(self, change: services.TaskChange, code=status.HTTP_200_OK):
        task = self.get_queryset().get(pk=change.task.pk)
        data = {
            "task": task,
            "moved": _moved(change.moved),
            "conflicts": _conflicts(change.conflicts),
        }
        return Response(
            s.TaskChangeSerializer(data, context=self.get_serializer_context()).data, status=code
        )

    def _input(self, partial: bool) -> dict:
        serializer = s.TaskInputSerializer(
            data=self.request.data, partial=partial, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if "dependencies" in fields:
            fields["dependencies"] = [
                (link["predecessor"], link.get("lag_days", 0)) for link in fields["dependencies"]
            ]
        return fields

    @extend_schema(request=s.TaskInputSerializer, responses={201: s.TaskChangeSerializer})
    def create(self, request, *args, **kwargs):
        self.require_work()
        plan = selectors.plan_for(membership=self.membership, partnership=self.partnership)
        if plan is None:
            raise ApplicationError("Create the transition plan first.", field="plan")
        plan.partnership = self.partnership
        change = services.task_create(actor=self.actor, plan=plan, **self._input(partial=False))
        return self._change_response(change, status.HTTP_201_CREATED)

    @extend_schema(request=s.TaskInputSerializer, responses=s.TaskChangeSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change a task; `auto_schedule: true` moves its dependants, otherwise conflicts are
        returned for a person to resolve."""
        task = self.get_object()
        self.require_work()
        change = services.task_update(actor=self.actor, task=task, **self._input(partial=True))
        return self._change_response(change)

    @extend_schema(request=s.TaskInputSerializer, responses=s.TaskChangeSerializer)
    def update(self, request, *args, **kwargs):
        task = self.get_object()
        self.require_work()
        change = services.task_update(actor=self.actor, task=task, **self._input(partial=False))
        return self._change_response(change)

    def destroy(self, request, *args, **kwargs):
        task = self.get_object()
        self.require_work()
        services.task_delete(actor=self.actor, task=task)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=s.TaskMoveSerializer, responses=s.TaskChangeSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        """Move the task to a new start, keeping its duration."""
        task = self.get_object()
        self.require_work()
        serializer = s.TaskMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change = services.task_move(actor=self.actor, task=task, **serializer.validated_data)
        return self._change_response(change)


# --- Readiness -------------------------------------------------------------------------


@extend_schema(tags=["transition"])
class ReadinessViewSet(TransitionViewSet):
    """The go/no-go readiness checklist and the decisions recorded."""

    queryset = TransitionPlan.objects.all()
    schema = SingletonSchema()
    pagination_class = None
    filter_backends: list = []

    def _decisions(self):
        return selectors.decision_list(membership=self.membership, partnership=self.partnership)

    @extend_schema(responses=s.GoNoGoReadinessSerializer)
    def list(self, request, *args, **kwargs):
        data = selectors.readiness(membership=self.membership, partnership=self.partnership)
        data["decisions"] = list(self._decisions()[:20])
        return Response(s.GoNoGoReadinessSerializer(data).data)

    @extend_schema(request=s.GoNoGoInputSerializer, responses={201: s.GoNoGoDecisionSerializer})
    @action(detail=False, methods=["post"])
    def decide(self, request, *args, **kwargs):
        """Record the go/no-go decision, who decided and why."""
        self.require(access.Action.GO_NO_GO)
        serializer = s.GoNoGoInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.go_no_go_record(
            actor=self.actor, partnership=self.partnership, **serializer.validated_data
        )
        return Response(s.GoNoGoDecisionSerializer(record).data, status=status.HTTP_201_CREATED)


# --- My tasks and the calendar feed ----------------------------------------------------


@extend_schema(tags=["transition"])
class MyTasksViewSet(OrgScopedViewSet):
    """The caller's open tasks across the partnerships they see."""

    queryset = PlanTask.objects.all()
    schema = SingletonSchema()
    pagination_class = None
    filter_backends: list = []

    @extend_schema(responses=s.MyTasksSerializer)
    def list(self, request, *args, **kwargs):
        """Overdue, due this week (today and the next six days), and blocked by others."""
        return Response(s.MyTasksSerializer(selectors.my_tasks(membership=self.membership)).data)

    @extend_schema(request=s.TaskBulkStatusSerializer, responses=s.TaskBulkStatusResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-status")
    def bulk_status(self, request, *args, **kwargs):
        """Set one status on many tasks, all or nothing."""
        serializer = s.TaskBulkStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(serializer.validated_data["tasks"]))
        tasks = list(
            access.visible(self.membership, PlanTask)
            .filter(pk__in=ids)
            .select_related("partnership")
            .prefetch_related("partnership__implementation_pms")
        )
        missing = sorted(set(ids) - {task.pk for task in tasks})
        if missing:
            raise ApplicationError(
                f"Nothing matches task {', '.join(str(i) for i in missing)}, or you do not "
                "have access to it.",
                field="tasks",
            )
        services.task_bulk_status(
            actor=self.actor, tasks=tasks, status=serializer.validated_data["status"]
        )
        return Response(
            {"updated": [task.pk for task in tasks], "status": serializer.validated_data["status"]}
        )

    @extend_schema(
        responses={(200, "text/calendar"): OpenApiResponse(response=OpenApiTypes.BINARY)},
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[ICalendarRenderer, renderers.JSONRenderer],
        authentication_classes=[ApiTokenAuthentication, SessionAuthentication],
    )
    def calendar(self, request, *args, **kwargs):
        """An iCalendar feed of the caller's open tasks, one all-day event on each due date.
        Session or API token; calendar apps use `calendar/feed/{feed_key}/`. Always this
        organization."""
        organization = self.organization
        calendar = Calendar()
        calendar.add("prodid", "-//Switchboard//Transition due dates//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", f"Switchboard · {organization.name} · my due dates")
        calendar.add("x-wr-timezone", organization.time_zone)
        stamp = timezone.now()
        for task in selectors.my_calendar_tasks(membership=self.membership):
            event = Event()
            event.add("uid", f"transition-task-{task.pk}@{organization.slug}.switchboard")
            event.add("dtstamp", stamp)
            event.add("summary", f"{task.title} · {task.partnership.name}")
            event.add("dtstart", task.due)
            event.add("dtend", task.due + datetime.timedelta(days=1))
            event.add(
                "description",
                f"Due {task.due.isoformat()} · {task.get_phase_display()} · "
                f"{task.get_status_display()}",
            )
            calendar.add_component(event)
        response = Response(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="switchboard-due-dates.ics"'
        return response

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "feed_key",
                str,
                OpenApiParameter.PATH,
                description="The feed's secret, issued by calendar-key/; masked in every log.",
            )
        ],
        responses={(200, "text/calendar"): OpenApiResponse(response=OpenApiTypes.BINARY)},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path=r"calendar/feed/(?P<feed_key>[A-Za-z0-9_-]{1,100})",
        url_name="calendar-feed",
        renderer_classes=[ICalendarRenderer, renderers.JSONRenderer],
        authentication_classes=[
            CalendarFeedKeyAuthentication,
            ApiTokenAuthentication,
            SessionAuthentication,
        ],
    )
    def calendar_feed(self, request, *args, **kwargs):
        """The same feed for calendar applications, which cannot sign in or send a header:
        the key is the path's last segment (never a query string), masked in every log."""
        return self.calendar(request)

    @extend_schema(methods=["POST"], request=None, responses={201: s.CalendarFeedKeySerializer})
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(detail=False, methods=["post", "delete"], url_path="calendar-key")
    def calendar_key(self, request, *args, **kwargs):
        """Issue a new feed key (the old one stops working), or revoke it."""
        if request.method == "DELETE":
            services.calendar_feed_key_revoke(actor=self.actor)
            return Response(status=status.HTTP_204_NO_CONTENT)
        issued = services.calendar_feed_key_issue(actor=self.actor)
        data = {
            "url": request.build_absolute_uri(issued.path),
            "prefix": issued.key.prefix,
            "created_at": issued.key.created_at,
        }
        return Response(s.CalendarFeedKeySerializer(data).data, status=status.HTTP_201_CREATED)


# --- Templates -------------------------------------------------------------------------


@extend_schema(tags=["transition"])
class TemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    """The organization's plan templates (provider members); the shipped one at `builtin/`."""

    queryset = PlanTemplate.objects.select_related("created_by")
    serializer_class = s.PlanTemplateSerializer
    search_fields = ["name", "description"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.PlanTemplateDetailSerializer
        return s.PlanTemplateSerializer

    @extend_schema(responses=s.BuiltinTemplateSerializer)
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def builtin(self, request, *args, **kwargs):
        """The nurse-triage template shipped with Switchboard (used when no template is
        chosen)."""
        if not sees_templates(self.membership):
            raise exceptions.NotFound(NOT_FOUND)
        tasks = templates.default_template_json()
        data = {
            "name": templates.NURSE_TRIAGE_TEMPLATE_NAME,
            "description": templates.NURSE_TRIAGE_TEMPLATE_DESCRIPTION,
            "task_count": len(tasks),
            "tasks": tasks,
        }
        return Response(s.BuiltinTemplateSerializer(data).data)

    @extend_schema(
        request=s.PlanTemplateInputSerializer, responses={201: s.PlanTemplateDetailSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Store a template written in the template format (admins)."""
        self.require(access.Action.CREATE)
        serializer = s.PlanTemplateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        template = services.plan_template_create(actor=self.actor, **serializer.validated_data)
        return Response(
            s.PlanTemplateDetailSerializer(template).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.PlanTemplateUpdateSerializer, responses=s.PlanTemplateDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        template = self.get_object()
        self.require(access.Action.CHANGE, template)
        serializer = s.PlanTemplateUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        template = services.plan_template_update(
            actor=self.actor, template=template, **serializer.validated_data
        )
        return Response(s.PlanTemplateDetailSerializer(template).data)

    def destroy(self, request, *args, **kwargs):
        template = self.get_object()
        self.require(access.Action.CHANGE, template)
        services.plan_template_delete(actor=self.actor, template=template)
        return Response(status=status.HTTP_204_NO_CONTENT)

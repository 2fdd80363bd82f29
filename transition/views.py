"""Pages for the transition of a partnership: the plan (phases, tasks, baseline, slip,
critical path, a Gantt view), a member's own tasks across partnerships, the people (roster,
notice check, knowledge coverage, sentiment, change readiness, communications) and the
go/no-go readiness.

Every view resolves the organization and membership through `OrgScopedMixin`, then the
partnership once through the access policy (`PartnershipMixin`: 404 when it is not visible),
then the object named by `pk` inside that partnership (404 likewise). Reads go through
`transition.selectors`, writes only through `transition.services`; a service's error is put
back on the field it names. HR-sensitive fields are shown only to those the backend's policy
allows, and every page that shows them records the view (`services.sensitive_access_record`).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView, View

from partnerships import access
from partnerships.forms import add_service_error
from partnerships.models import Partnership
from partnerships.tenancy.errors import ApplicationError
from partnerships.tenancy.rest import NOT_FOUND
from partnerships.tenancy.views import OrgScopedMixin
from transition import access as transition_access
from transition import selectors, services
from transition import templates_default as shipped
from transition.forms import (
    BulkStatusForm,
    CheckInForm,
    CommentForm,
    CommunicationForm,
    DecisionForm,
    GroupForm,
    KnowledgeForm,
    PlanCreateForm,
    SaveAsTemplateForm,
    StaffForm,
    StaffImportForm,
    TaskForm,
)
from transition.models import (
    AdkarStage,
    CalendarFeedKey,
    CommunicationItem,
    KnowledgeItem,
    KnowledgeStatus,
    Outcome,
    Phase,
    PlanTask,
    PlanTemplate,
    SentimentCheckIn,
    StaffMember,
    StaffRole,
    StakeholderGroup,
    Support,
    TaskStatus,
    TransitionPlan,
)

SERVICE_ERRORS = (ApplicationError, ValidationError)
# Roles whose record offers "Appoint as implementation PM": the client's managers.
MANAGER_ROLES = (StaffRole.CALL_CENTER_MANAGER, StaffRole.SUPERVISOR)


def partnership_for(membership, pk) -> Partnership:
    """The partnership the member sees, with what the permission checks read (its PMs and
    account manager) loaded once; 404 with the same message whether it is missing,
    another tenant's or not visible to this member."""
    partnership = (
        access.visible(membership, Partnership)
        .select_related("client", "account_manager")
        .prefetch_related("implementation_pms")
        .filter(pk=pk)
        .first()
    )
    if partnership is None:
        raise Http404(NOT_FOUND)
    partnership.organization = membership.organization  # already resolved from the URL
    return partnership


class PartnershipMixin:
    """Sits after `OrgScopedMixin` in the bases: loads `self.partnership` and, when the URL
    names one, `self.object` (a row of `model` inside that partnership)."""

    section = ""
    object_select: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        self.partnership = partnership_for(self.membership, kwargs["partnership_pk"])
        self.object = self.load_object(kwargs["pk"]) if "pk" in kwargs else None
        return super().dispatch(request, *args, **kwargs)

    def load_object(self, pk):
        obj = (
            self.get_queryset()
            .filter(partnership=self.partnership, pk=pk)
            .select_related(*self.object_select)
            .first()
        )
        if obj is None:
            raise Http404(NOT_FOUND)
        obj.partnership = self.partnership
        return obj

    @cached_property
    def can_change(self) -> bool:
        return transition_access.can_change_work(self.membership, self.partnership)

    @cached_property
    def can_comment(self) -> bool:
        return transition_access.can_comment(self.membership, self.partnership)

    @cached_property
    def hr_visible(self) -> bool:
        return transition_access.can_see_hr(self.membership, self.partnership)

    @cached_property
    def today(self) -> datetime.date:
        return selectors.today_for(self.organization)

    def require_change(self) -> None:
        """Visible but not allowed: 403."""
        if not self.can_change:
            raise PermissionDenied("Your role does not allow this.")

    def url(self, name: str, **kwargs) -> str:
        return reverse(
            f"transition:{name}",
            kwargs={
                "org_slug": self.organization.slug,
                "partnership_pk": self.partnership.pk,
                **kwargs,
            },
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            nav="partnerships",
            tab="transition",
            section=self.section,
            partnership=self.partnership,
            can_change=self.can_change,
            can_comment=self.can_comment,
            hr_visible=self.hr_visible,
            can_see_internal=access.can_see_internal(self.membership),
            today=self.today,
        )
        return context

    def log_hr_view(self, people, *, context: str, fields) -> None:
        """Record that HR-sensitive data about these people was on the page."""
        people = list(people)
        if people:
            services.sensitive_access_record(
                membership=self.membership,
                partnership=self.partnership,
                people=people,
                context=context,
                fields=fields,
            )


class TransitionPage(OrgScopedMixin, PartnershipMixin, TemplateView):
    pass


class TransitionAction(OrgScopedMixin, PartnershipMixin, View):
    """POST only: do one thing through a service, then back to a page with the outcome."""

    http_method_names = ["post"]


def _errors_as_message(error: ApplicationError | ValidationError) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    return " ".join(error.messages)


# --- The plan --------------------------------------------------------------------------


def _owner_name(row: dict[str, Any]) -> str:
    owner = row["owner"]
    return owner["full_name"] or owner["email"] if owner else ""


def _gantt_task(row: dict[str, Any], url: str) -> dict[str, Any]:
    """One bar for frappe-gantt: forecast dates, and the flags the chart's script turns into
    classes (frappe-gantt takes a single custom class, the critical one)."""
    progress = {TaskStatus.DONE: 100, TaskStatus.IN_PROGRESS: 50}.get(row["status"], 0)
    return {
        "id": str(row["id"]),
        "name": row["title"],
        "start": row["forecast_start"].isoformat(),
        "end": row["forecast_due"].isoformat(),
        "progress": progress,
        "dependencies": [str(link["predecessor"]) for link in row["dependencies"]],
        "custom_class": "is-critical" if row["critical"] else "",
        "url": url,
        "owner": _owner_name(row),
        "status": TaskStatus(row["status"]).label,
        "done": row["status"] == TaskStatus.DONE,
        "milestone": row["is_milestone"],
        "conflict": row["conflict"],
        "critical": row["critical"],
        "slip_days": row["slip_days"],
        "baseline_due": row["baseline_due"].isoformat() if row["baseline_due"] else None,
    }


class PlanView(TransitionPage):
    """The Transition tab: the create form when there is no plan, else the plan."""

    model = TransitionPlan
    template_name = "transition/plan.html"
    section = "plan"

    def templates(self):
        return list(access.visible(self.membership, PlanTemplate).order_by("name"))

    def create_form(self, data=None) -> PlanCreateForm:
        return PlanCreateForm(
            data,
            templates=self.templates(),
            builtin_name=shipped.NURSE_TRIAGE_TEMPLATE_NAME,
            initial={"go_live": self.partnership.planned_go_live},
        )

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = self.create_form(request.POST)
        if form.is_valid():
            try:
                plan = services.plan_create(
                    actor=self.actor,
                    partnership=self.partnership,
                    template=form.cleaned_data["template"],
                    go_live=form.cleaned_data["go_live"],
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Plan created from “{plan.template_name}” around a go-live on "
                    f"{plan.go_live:%b %-d, %Y}. Record the baseline once the dates are agreed.",
                )
                return HttpResponseRedirect(self.url("plan"))
        return self.render_to_response(self.get_context_data(create_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = selectors.plan_for(membership=self.membership, partnership=self.partnership)
        context["plan"] = plan
        if plan is None:
            if self.can_change and "create_form" not in context:
                context["create_form"] = self.create_form()
            return context
        view = selectors.plan_view(membership=self.membership, plan=plan)
        rows = selectors.gantt_rows(view)
        titles = {row["id"]: row["title"] for row in rows}
        by_phase: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            row["url"] = self.url("task", pk=row["id"])
            row["owner_name"] = _owner_name(row)
            row["status_label"] = TaskStatus(row["status"]).label
            row["predecessors"] = [
                {"title": titles[link["predecessor"]], "lag": link["lag_days"]}
                for link in row["dependencies"]
            ]
            row["overdue"] = row["status"] != TaskStatus.DONE and row["forecast_due"] < self.today
            by_phase[row["phase"]].append(row)
        phases = [
            {
                "value": value,
                "label": label,
                "rows": by_phase[value],
                "done": sum(1 for row in by_phase[value] if row["status"] == TaskStatus.DONE),
                "critical": sum(1 for row in by_phase[value] if row["critical"]),
            }
            for value, label in Phase.choices
            if by_phase[value]
        ]
        summary = selectors.plan_summary(view)
        for milestone in summary["milestones"]:
            milestone["status_label"] = TaskStatus(milestone["status"]).label
        critical = [titles[i] for i in view.schedule.critical_path]
        context.update(
            summary=summary,
            phases=phases,
            conflicts=selectors.conflict_rows(view),
            critical_path=critical,
            gantt={
                "tasks": [_gantt_task(row, row["url"]) for row in rows],
                # Open the chart two weeks before today while the plan runs (what just
                # finished and what comes next), else on its first day.
                "scroll_to": (
                    max(summary["project_start"], self.today - datetime.timedelta(days=14))
                    if summary["project_start"] <= self.today <= summary["project_finish"]
                    else summary["project_start"]
                ).isoformat(),
            },
            slipping=[row for row in rows if row["slip_days"] and row["slip_days"] > 0],
            save_template_form=SaveAsTemplateForm(
                initial={"name": f"{self.partnership.name} plan"}
            ),
        )
        return context


class PlanBaselineView(TransitionAction):
    model = TransitionPlan

    def post(self, request, *args, **kwargs):
        self.require_change()
        plan = selectors.plan_for(membership=self.membership, partnership=self.partnership)
        if plan is None:
            messages.error(request, "Create the plan first.")
            return HttpResponseRedirect(self.url("plan"))
        try:
            services.plan_baseline(
                actor=self.actor, plan=plan, replace=request.POST.get("replace") == "1"
            )
        except SERVICE_ERRORS as error:
            messages.error(request, _errors_as_message(error))
        else:
            messages.success(
                request,
                "Baseline recorded: slip is now measured against today's dates of every task.",
            )
        return HttpResponseRedirect(self.url("plan"))


class PlanAutoScheduleView(TransitionAction):
    model = TransitionPlan

    def post(self, request, *args, **kwargs):
        self.require_change()
        plan = selectors.plan_for(membership=self.membership, partnership=self.partnership)
        if plan is None:
            messages.error(request, "Create the plan first.")
            return HttpResponseRedirect(self.url("plan"))
        moved = services.plan_auto_schedule(actor=self.actor, plan=plan)
        if moved:
            messages.success(
                request,
                f"{len(moved)} task{'s' if len(moved) != 1 else ''} moved later so that every "
                f"dependency holds: {', '.join(task.title for task in moved[:5])}"
                + ("…" if len(moved) > 5 else "."),
            )
        else:
            messages.success(request, "Nothing to move: every dependency already holds.")
        return HttpResponseRedirect(self.url("plan"))


class PlanSaveTemplateView(TransitionAction):
    model = PlanTemplate

    def post(self, request, *args, **kwargs):
        self.require_change()
        plan = selectors.plan_for(membership=self.membership, partnership=self.partnership)
        form = SaveAsTemplateForm(request.POST)
        if plan is None:
            messages.error(request, "Create the plan first.")
        elif not form.is_valid():
            messages.error(request, "Template name: give the template a name.")
        else:
            try:
                template = services.plan_save_as_template(
                    actor=self.actor, plan=plan, **form.cleaned_data
                )
            except SERVICE_ERRORS as error:
                messages.error(request, f"Template name: {_errors_as_message(error)}")
            else:
                messages.success(
                    request,
                    f"Saved as the template “{template.name}”: new plans can start from it.",
                )
        return HttpResponseRedirect(self.url("plan"))


def _conflict_sentence(conflict, titles: dict[int, str]) -> str:
    return (
        f"“{titles.get(conflict.successor, conflict.successor)}” starts on "
        f"{conflict.current_start:%b %-d} but “{titles.get(conflict.predecessor, '')}” lets it "
        f"start on {conflict.required_start:%b %-d} at the earliest ({conflict.days} days later)."
    )


class TaskView(TransitionPage):
    """A task: its schedule, the edit form (for those who may change the plan) and its
    comments (for everyone who sees it; client executives may comment)."""

    model = PlanTask
    template_name = "transition/task.html"
    section = "plan"
    object_select = ("owner", "plan")

    @cached_property
    def plan_view(self) -> selectors.PlanView:
        plan = self.object.plan
        plan.partnership = self.partnership
        return selectors.plan_view(membership=self.membership, plan=plan)

    def task_form(self, data=None) -> TaskForm:
        view = self.plan_view
        links = sorted(view.predecessors().get(self.object.pk, []), key=lambda e: e.predecessor)
        return TaskForm(
            data,
            organization=self.organization,
            task=self.object,
            tasks=view.tasks,
            links=links,
        )

    def comment_form(self, data=None) -> CommentForm:
        return CommentForm(data, can_see_internal=access.can_see_internal(self.membership))

    def post(self, request, *args, **kwargs):
        if request.POST.get("form") == "comment":
            return self.post_comment(request)
        self.require_change()
        form = self.task_form(request.POST)
        if form.is_valid():
            try:
                change = services.task_update(
                    actor=self.actor,
                    task=self.object,
                    dependencies=form.cleaned_data["dependencies"],
                    auto_schedule=form.cleaned_data["auto_schedule"],
                    **form.service_fields(),
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                self.report_change(change)
                return HttpResponseRedirect(self.url("plan") + f"#task-{self.object.pk}")
        return self.render_to_response(self.get_context_data(task_form=form))

    def report_change(self, change: services.TaskChange) -> None:
        messages.success(self.request, f"“{change.task.title}” saved.")
        if change.moved:
            names = ", ".join(f"“{task.title}”" for task in change.moved[:6])
            more = "…" if len(change.moved) > 6 else ""
            messages.success(
                self.request,
                f"Moved {len(change.moved)} dependant{'s' if len(change.moved) != 1 else ''} "
                f"later to keep their dependencies: {names}{more}",
            )
        if change.conflicts:
            titles = {task.pk: task.title for task in self.plan_view.tasks}
            for conflict in change.conflicts[:6]:
                messages.warning(
                    self.request,
                    "Conflict: "
                    + _conflict_sentence(conflict, titles)
                    + " Move it, or edit again with “Move dependants too”.",
                )

    def post_comment(self, request):
        if not self.can_comment:
            raise PermissionDenied("Your role does not allow this.")
        form = self.comment_form(request.POST)
        if form.is_valid():
            try:
                services.task_comment_create(
                    actor=self.actor,
                    task=self.object,
                    body=form.cleaned_data["body"],
                    internal=form.cleaned_data.get("internal", False),
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Comment added.")
                return HttpResponseRedirect(self.url("task", pk=self.object.pk) + "#comments")
        return self.render_to_response(self.get_context_data(comment_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        task = self.object
        view = self.plan_view
        timing = view.schedule.timings[task.pk]
        titles = {row.pk: row.title for row in view.tasks}
        incoming = view.predecessors().get(task.pk, [])
        outgoing = [edge for edge in view.edges if edge.predecessor == task.pk]
        context.update(
            task=task,
            timing=timing,
            slip_days=selectors.schedule.slip_days(timing.early_finish, task.baseline_due),
            predecessors=[
                {"id": e.predecessor, "title": titles[e.predecessor], "lag": e.lag}
                for e in incoming
            ],
            successors=[
                {"id": e.successor, "title": titles[e.successor], "lag": e.lag} for e in outgoing
            ],
            comments=list(selectors.task_comments(membership=self.membership, task=task)),
        )
        if self.can_change and "task_form" not in context:
            context["task_form"] = self.task_form()
        if self.can_comment and "comment_form" not in context:
            context["comment_form"] = self.comment_form()
        return context


# --- My tasks --------------------------------------------------------------------------


class MyTasksView(OrgScopedMixin, TemplateView):
    """The signed-in member's open tasks across their partnerships, a bulk status change,
    and their iCalendar feed."""

    model = PlanTask
    template_name = "transition/my_tasks.html"

    @cached_property
    def buckets(self) -> dict[str, Any]:
        return selectors.my_tasks(membership=self.membership)

    @cached_property
    def later(self) -> list[PlanTask]:
        """Open tasks in none of the three buckets (due after this week, not blocked)."""
        week_end = self.buckets["today"] + datetime.timedelta(days=6)
        shown = {row["id"] for row in self.buckets["blocked_by_others"]}
        return [
            task
            for task in selectors.my_calendar_tasks(membership=self.membership)
            if task.due > week_end and task.pk not in shown
        ]

    def task_ids(self) -> list[int]:
        ids = [
            row["id"]
            for bucket in ("overdue", "due_this_week", "blocked_by_others")
            for row in self.buckets[bucket]
        ]
        return list(dict.fromkeys([*ids, *(task.pk for task in self.later)]))

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "bulk")
        if action == "feed-key":
            issued = services.calendar_feed_key_issue(actor=self.actor)
            path = reverse(
                "api:transition-my-tasks-calendar", kwargs={"org_slug": self.organization.slug}
            )
            feed_url = request.build_absolute_uri(f"{path}?key={issued.raw}")
            return self.render_to_response(self.get_context_data(issued_feed_url=feed_url))
        if action == "feed-revoke":
            revoked = services.calendar_feed_key_revoke(actor=self.actor)
            messages.success(
                request,
                "Your calendar feed link is revoked; calendars that used it stop updating."
                if revoked
                else "You had no active calendar feed link.",
            )
            return HttpResponseRedirect(request.path)
        form = BulkStatusForm(request.POST, task_ids=self.task_ids())
        if form.is_valid():
            ids = [int(pk) for pk in form.cleaned_data["tasks"]]
            tasks = list(
                access.visible(self.membership, PlanTask)
                .filter(pk__in=ids, owner_id=self.membership.user_id)
                .select_related("partnership")
                .prefetch_related("partnership__implementation_pms")
            )
            status = form.cleaned_data["status"]
            try:
                services.task_bulk_status(actor=self.actor, tasks=tasks, status=status)
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            except PermissionDenied:
                form.add_error(
                    "tasks",
                    "Some of these tasks are on a partnership whose plan your role may not "
                    "change; nothing was updated.",
                )
            else:
                label = TaskStatus(status).label.lower()
                messages.success(
                    request, f"{len(tasks)} task{'s' if len(tasks) != 1 else ''} set to {label}."
                )
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(bulk_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        buckets = self.buckets
        slug = self.organization.slug

        def task_url(partnership_id: int, task_id: int) -> str:
            return reverse(
                "transition:task",
                kwargs={"org_slug": slug, "partnership_pk": partnership_id, "pk": task_id},
            )

        for bucket in ("overdue", "due_this_week", "blocked_by_others"):
            for row in buckets[bucket]:
                row["url"] = task_url(row["partnership"]["id"], row["id"])
                row["status_label"] = TaskStatus(row["status"]).label
        later = [
            {
                "id": task.pk,
                "title": task.title,
                "due": task.due,
                "status": task.status,
                "status_label": task.get_status_display(),
                "is_milestone": task.is_milestone,
                "partnership": {"id": task.partnership_id, "name": task.partnership.name},
                "url": task_url(task.partnership_id, task.pk),
                "blocked_by": [],
            }
            for task in self.later
        ]
        feed_key = (
            access.visible(self.membership, CalendarFeedKey)
            .active()
            .order_by("-created_at")
            .first()
        )
        context.update(
            nav="my-tasks",
            buckets=buckets,
            later=later,
            sections=[
                ("overdue", "Overdue", buckets["overdue"], "Past their due date and not done."),
                (
                    "due-this-week",
                    "Due this week",
                    buckets["due_this_week"],
                    "Due today or in the next six days.",
                ),
                (
                    "blocked",
                    "Blocked by others",
                    buckets["blocked_by_others"],
                    "Waiting on someone else's unfinished task.",
                ),
                ("later", "Due later", later, "Everything else that is open."),
            ],
            status_choices=TaskStatus.choices,
            feed_key=feed_key,
            download_url=reverse("api:transition-my-tasks-calendar", kwargs={"org_slug": slug}),
        )
        bulk_form = context.setdefault("bulk_form", None)
        context["checked"] = bulk_form.data.getlist("tasks") if bulk_form else []
        return context


# --- People ----------------------------------------------------------------------------


def sparkline(scores: list[int], width: int = 96, height: int = 24) -> str:
    """SVG polyline points for scores 1 to 5 (drawn server-side: no script, no inline style)."""
    if not scores:
        return ""
    step = width / max(len(scores) - 1, 1)
    points = []
    for index, score in enumerate(scores):
        y = 2 + (5 - score) * (height - 4) / 4
        points.append(f"{index * step:.1f},{y:.1f}")
    return " ".join(points)


def trend_of(scores: list[int]) -> str:
    """The latest check-in against the mean of the (up to) three before it: half a point
    either way is a trend, less is steady."""
    if len(scores) < 2:
        return "flat"
    before = scores[-4:-1]
    change = scores[-1] - sum(before) / len(before)
    if change >= 0.5:
        return "up"
    if change <= -0.5:
        return "down"
    return "flat"


def adkar_steps(stage: str) -> list[dict[str, Any]]:
    """The five ADKAR stages, each marked reached (up to and including `stage`) or not."""
    reached = AdkarStage.values.index(stage)
    return [
        {"label": label, "reached": index <= reached, "current": index == reached}
        for index, (_, label) in enumerate(AdkarStage.choices)
    ]


def group_rows(membership, partnership) -> list[dict[str, Any]]:
    """Stakeholder groups with their sentiment series. Two queries."""
    groups = list(access.visible(membership, StakeholderGroup).filter(partnership=partnership))
    series: dict[int, list[tuple[int, datetime.date]]] = defaultdict(list)
    for group_id, score, checked_on in (
        access.visible(membership, SentimentCheckIn)
        .filter(partnership=partnership, group__isnull=False)
        .order_by("checked_on", "id")
        .values_list("group_id", "score", "checked_on")
    ):
        series[group_id].append((score, checked_on))
    rows = []
    for group in groups:
        scores = [score for score, _ in series[group.pk]]
        rows.append(
            {
                "group": group,
                "scores": scores,
                "latest": scores[-1] if scores else None,
                "latest_on": series[group.pk][-1][1] if scores else None,
                "trend": trend_of(scores),
                "points": sparkline(scores),
                "stages": adkar_steps(group.adkar_stage),
            }
        )
    return rows


class PeopleView(TransitionPage):
    """The client's staff roster with the notice check, knowledge coverage, sentiment and
    change readiness. Nothing HR-sensitive is on this page (see the person's page)."""

    model = StaffMember
    template_name = "transition/people.html"
    section = "people"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership, partnership = self.membership, self.partnership
        roster = list(
            access.visible(membership, StaffMember)
            .filter(partnership=partnership)
            .order_by("full_name", "id")
        )
        coverage = selectors.knowledge_coverage(
            membership=membership, partnership=partnership, today=self.today
        )
        states = {row["staff_member"]: row for row in coverage["people"]}
        for person in roster:
            person.coverage = states.get(person.pk)
            person.url = self.url("staff", pk=person.pk)
            person.is_manager = person.role in MANAGER_ROLES
        outcomes = Counter(person.outcome for person in roster)
        notice = selectors.notice_check(membership=membership, partnership=partnership)
        for site in notice["sites"]:
            for row in site["short_notice"]:
                row["url"] = self.url("staff", pk=row["id"])
        context.update(
            roster=roster,
            outcome_counts=[
                (label, outcomes[value]) for value, label in Outcome.choices if outcomes[value]
            ],
            notice=notice,
            coverage=coverage,
            groups=group_rows(membership, partnership),
            flags=(
                self.flag_rows(
                    selectors.sentiment_flags(membership=membership, partnership=partnership)
                )
                if self.hr_visible
                else None
            ),
        )
        return context

    def flag_rows(self, flags):
        for flag in flags:
            name = "staff" if flag["subject_type"] == "staff" else "group"
            flag["url"] = self.url(name, pk=flag["subject_id"])
        return flags


class StaffCreateView(TransitionPage):
    model = StaffMember
    template_name = "transition/staff_form.html"
    section = "people"

    def get(self, request, *args, **kwargs):
        self.require_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = StaffForm(request.POST)
        if form.is_valid():
            try:
                person = services.staff_create(
                    actor=self.actor, partnership=self.partnership, **form.service_fields()
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error, unique_field="work_email")
            else:
                messages.success(request, f"{person.full_name} added to the roster.")
                return HttpResponseRedirect(self.url("staff", pk=person.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", StaffForm(initial={"site": ""}))
        return context


class StaffUpdateView(TransitionPage):
    """Edit a person. Only those who may change the work see this form, and they see the
    HR-sensitive fields in it: the view is recorded."""

    model = StaffMember
    template_name = "transition/staff_form.html"
    section = "people"

    def get(self, request, *args, **kwargs):
        self.require_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = StaffForm(request.POST, instance=self.object)
        if form.is_valid():
            try:
                services.staff_update(
                    actor=self.actor, staff_member=self.object, **form.service_fields()
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error, unique_field="work_email")
            else:
                messages.success(request, f"{self.object.full_name}'s record saved.")
                return HttpResponseRedirect(self.url("staff", pk=self.object.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        if "form" not in context:
            context["form"] = StaffForm(instance=person)
            if any(getattr(person, name) for name in StaffMember.HR_SENSITIVE_FIELDS):
                self.log_hr_view(
                    [(person.pk, person.full_name)],
                    context="page.staff.edit",
                    fields=StaffMember.HR_SENSITIVE_FIELDS,
                )
        context["person"] = person
        return context


class StaffDetailView(TransitionPage):
    """A person's record: outcome, dates, knowledge, recognition; the HR-sensitive fields
    for those allowed (recorded); sentiment check-ins (the form posts here)."""

    model = StaffMember
    template_name = "transition/staff_detail.html"
    section = "people"
    object_select = ("pm_invitation", "pm_user")

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = CheckInForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.check_in_create(
                    actor=self.actor,
                    partnership=self.partnership,
                    staff_member=self.object,
                    score=data["score"],
                    note=data.get("note") or "",
                    shared_with_client=data.get("shared_with_client", False),
                    checked_on=data.get("checked_on"),
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Check-in recorded.")
                return HttpResponseRedirect(self.url("staff", pk=self.object.pk) + "#sentiment")
        return self.render_to_response(self.get_context_data(check_in_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        show_hr = transition_access.hr_visible_for_row(self.membership, self.partnership, person)
        if show_hr and any(getattr(person, name) for name in StaffMember.HR_SENSITIVE_FIELDS):
            self.log_hr_view(
                [(person.pk, person.full_name)],
                context="page.staff.detail",
                fields=StaffMember.HR_SENSITIVE_FIELDS,
            )
        check_ins = list(
            access.visible(self.membership, SentimentCheckIn)
            .filter(staff_member=person)
            .select_related("recorded_by")
            .order_by("-checked_on", "-id")
        )
        for check_in in check_ins:
            check_in.show_note = bool(check_in.note) and (
                self.hr_visible or check_in.shared_with_client
            )
        if any(check_in.show_note for check_in in check_ins):
            self.log_hr_view(
                [(person.pk, person.full_name)], context="page.staff.check-ins", fields=("note",)
            )
        knowledge = list(
            access.visible(self.membership, KnowledgeItem)
            .filter(partnership=self.partnership, source=person)
            .order_by("-captured_on", "-id")
        )
        scores = [check_in.score for check_in in reversed(check_ins)]
        context.update(
            person=person,
            show_hr=show_hr,
            support_offered=[
                label for value, label in Support.choices if value in (person.support_offered or [])
            ],
            check_ins=check_ins,
            check_ins_scores=scores,
            points=sparkline(scores),
            trend=trend_of(scores),
            knowledge=knowledge,
            can_appoint=self.can_change and person.role in MANAGER_ROLES,
            last_day_soon=bool(
                person.is_departing
                and person.last_day
                and (person.last_day - self.today).days <= selectors.COVERAGE_RED_DAYS
            ),
        )
        if self.can_change and "check_in_form" not in context:
            context["check_in_form"] = CheckInForm(initial={"checked_on": self.today})
        return context


class StaffImportView(TransitionPage):
    """Import the roster from CSV: validated whole, nothing saved on any error; the errors
    are listed by line and column."""

    model = StaffMember
    template_name = "transition/staff_import.html"
    section = "people"

    def get(self, request, *args, **kwargs):
        self.require_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = StaffImportForm(request.POST, request.FILES)
        row_errors: list[dict[str, Any]] = []
        if form.is_valid():
            try:
                result = services.staff_import_csv(
                    actor=self.actor,
                    partnership=self.partnership,
                    content=form.cleaned_data["file"].read(),
                )
            except ApplicationError as error:
                form.add_error("file", error.message)
                row_errors = error.extra.get("errors", [])
            else:
                messages.success(
                    request,
                    f"Roster imported: {len(result.created)} added, {len(result.updated)} updated.",
                )
                return HttpResponseRedirect(self.url("people"))
        return self.render_to_response(self.get_context_data(form=form, row_errors=row_errors))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", StaffImportForm())
        return context


class StaffAppointPmView(TransitionAction):
    """Appoint a manager implementation PM of this partnership: a provider member is
    assigned at once, anyone else is invited (which takes an admin)."""

    model = StaffMember

    def post(self, request, *args, **kwargs):
        self.require_change()
        person = self.object
        try:
            result = services.staff_appoint_pm(actor=self.actor, staff_member=person)
        except SERVICE_ERRORS as error:
            messages.error(request, _errors_as_message(error))
        except PermissionDenied:
            messages.error(
                request,
                f"{person.full_name} is not a member of {self.organization.name} yet, and only "
                "an admin can invite someone new. Ask an admin to appoint them from this page.",
            )
        else:
            if result.state == "assigned":
                messages.success(
                    request,
                    f"{person.full_name} is now an implementation PM of this partnership.",
                )
            else:
                invitation = person.pm_invitation
                days = max(
                    1, round((invitation.expires_at - timezone.now()).total_seconds() / 86400)
                )
                messages.success(
                    request,
                    f"Invitation sent to {invitation.email} with the implementation PM role; "
                    f"{person.full_name} becomes a PM of this partnership on accepting it "
                    f"(the link works for {days} days).",
                )
        return HttpResponseRedirect(self.url("staff", pk=person.pk))


# --- Stakeholder groups ----------------------------------------------------------------


class GroupCreateView(TransitionPage):
    model = StakeholderGroup
    template_name = "transition/group_form.html"
    section = "people"

    def get(self, request, *args, **kwargs):
        self.require_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = GroupForm(request.POST)
        if form.is_valid():
            try:
                group = services.group_create(
                    actor=self.actor, partnership=self.partnership, **form.service_fields()
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"Stakeholder group “{group.name}” added.")
                return HttpResponseRedirect(self.url("group", pk=group.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", GroupForm())
        return context


class GroupView(TransitionPage):
    """A stakeholder group: its change-readiness stage (editable), its sentiment check-ins
    (notes HR-sensitive, recorded when shown) and the check-in form."""

    model = StakeholderGroup
    template_name = "transition/group.html"
    section = "people"

    def post(self, request, *args, **kwargs):
        self.require_change()
        if request.POST.get("form") == "check-in":
            form = CheckInForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.check_in_create(
                        actor=self.actor,
                        partnership=self.partnership,
                        group=self.object,
                        score=data["score"],
                        note=data.get("note") or "",
                        shared_with_client=data.get("shared_with_client", False),
                        checked_on=data.get("checked_on"),
                    )
                except SERVICE_ERRORS as error:
                    add_service_error(form, error)
                else:
                    messages.success(request, "Check-in recorded.")
                    return HttpResponseRedirect(self.url("group", pk=self.object.pk))
            return self.render_to_response(self.get_context_data(check_in_form=form))
        form = GroupForm(request.POST)
        if form.is_valid():
            try:
                services.group_update(actor=self.actor, group=self.object, **form.service_fields())
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"“{self.object.name}” saved.")
                return HttpResponseRedirect(self.url("group", pk=self.object.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        group = self.object
        check_ins = list(
            access.visible(self.membership, SentimentCheckIn)
            .filter(group=group)
            .select_related("recorded_by")
            .order_by("-checked_on", "-id")
        )
        for check_in in check_ins:
            check_in.show_note = bool(check_in.note) and (
                self.hr_visible or check_in.shared_with_client
            )
        if any(check_in.show_note for check_in in check_ins):
            self.log_hr_view(
                [(None, f"Group: {group.name}")], context="page.group.check-ins", fields=("note",)
            )
        scores = [check_in.score for check_in in reversed(check_ins)]
        context.update(
            group=group,
            check_ins=check_ins,
            scores=scores,
            points=sparkline(scores),
            trend=trend_of(scores),
            stages=adkar_steps(group.adkar_stage),
        )
        if self.can_change:
            context.setdefault("form", GroupForm(instance=group))
            context.setdefault("check_in_form", CheckInForm(initial={"checked_on": self.today}))
        return context


# --- Knowledge capture -----------------------------------------------------------------


class KnowledgeView(TransitionPage):
    """Knowledge captured from experienced staff, its review and transfer, and coverage of
    every departing person before their last day."""

    model = KnowledgeItem
    template_name = "transition/knowledge.html"
    section = "knowledge"

    @cached_property
    def roster(self) -> list[StaffMember]:
        return list(
            access.visible(self.membership, StaffMember)
            .filter(partnership=self.partnership)
            .order_by("full_name", "id")
        )

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = KnowledgeForm(request.POST, people=self.roster)
        if form.is_valid():
            try:
                item = services.knowledge_create(
                    actor=self.actor, partnership=self.partnership, **form.service_fields()
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, f"“{item.title}” captured; review it next.")
                return HttpResponseRedirect(self.url("knowledge") + f"#knowledge-{item.pk}")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = list(
            access.visible(self.membership, KnowledgeItem)
            .filter(partnership=self.partnership)
            .select_related("source", "captured_by", "reviewed_by", "transferred_by")
            .order_by("-captured_on", "-id")
        )
        counts = Counter(item.status for item in items)
        coverage = selectors.knowledge_coverage(
            membership=self.membership, partnership=self.partnership, today=self.today
        )
        for row in coverage["people"]:
            row["url"] = self.url("staff", pk=row["staff_member"])
        context.update(
            items=items,
            status_counts=[(label, counts[value]) for value, label in KnowledgeStatus.choices],
            coverage=coverage,
        )
        if self.can_change:
            context.setdefault(
                "form",
                KnowledgeForm(
                    people=self.roster,
                    initial={
                        "captured_on": self.today,
                        "source": self.request.GET.get("source", ""),
                    },
                ),
            )
        return context


class KnowledgeStepView(TransitionAction):
    """Review a captured item, or mark a reviewed one transferred."""

    model = KnowledgeItem
    step = "review"

    def post(self, request, *args, **kwargs):
        self.require_change()
        item = self.object
        if self.step == "review":
            service = services.knowledge_review
        else:
            service = services.knowledge_transfer
        try:
            service(actor=self.actor, item=item)
        except SERVICE_ERRORS as error:
            messages.error(request, _errors_as_message(error))
        else:
            done = "reviewed" if self.step == "review" else "marked transferred to the provider"
            messages.success(request, f"“{item.title}” {done}.")
        return HttpResponseRedirect(self.url("knowledge") + f"#knowledge-{item.pk}")


# --- Communications plan ---------------------------------------------------------------


class CommunicationFormMixin:
    @cached_property
    def groups(self) -> list[StakeholderGroup]:
        return list(
            access.visible(self.membership, StakeholderGroup).filter(partnership=self.partnership)
        )

    def communication_form(self, data=None, instance=None) -> CommunicationForm:
        return CommunicationForm(
            data,
            organization=self.organization,
            groups=self.groups,
            instance=instance,
            initial=None if instance else {"planned_on": self.today},
        )


class CommunicationsView(CommunicationFormMixin, TransitionPage):
    """The stakeholder communications plan: who hears what, how, when, from whom."""

    model = CommunicationItem
    template_name = "transition/communications.html"
    section = "communications"

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = self.communication_form(request.POST)
        if form.is_valid():
            try:
                services.communication_create(
                    actor=self.actor, partnership=self.partnership, **form.service_fields()
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Message added to the communications plan.")
                return HttpResponseRedirect(self.url("communications"))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = list(
            access.visible(self.membership, CommunicationItem)
            .filter(partnership=self.partnership)
            .select_related("owner", "group")
            .order_by("planned_on", "id")
        )
        for item in items:
            item.overdue = item.sent_at is None and item.planned_on < self.today
        context.update(
            items=items,
            sent_count=sum(1 for item in items if item.sent_at),
            overdue_count=sum(1 for item in items if item.overdue),
        )
        if self.can_change:
            context.setdefault("form", self.communication_form())
        return context


class CommunicationUpdateView(CommunicationFormMixin, TransitionPage):
    model = CommunicationItem
    template_name = "transition/communication_form.html"
    section = "communications"

    def get(self, request, *args, **kwargs):
        self.require_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = self.communication_form(request.POST, instance=self.object)
        if form.is_valid():
            try:
                services.communication_update(
                    actor=self.actor, item=self.object, **form.service_fields()
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Communication saved.")
                return HttpResponseRedirect(self.url("communications"))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.communication_form(instance=self.object))
        context["item"] = self.object
        return context


class CommunicationSentView(TransitionAction):
    model = CommunicationItem

    def post(self, request, *args, **kwargs):
        self.require_change()
        try:
            services.communication_mark_sent(actor=self.actor, item=self.object)
        except SERVICE_ERRORS as error:
            messages.error(request, _errors_as_message(error))
        else:
            messages.success(request, f"Marked sent: {self.object.audience}.")
        return HttpResponseRedirect(self.url("communications"))


# --- Go/no-go readiness ----------------------------------------------------------------


class ReadinessView(TransitionPage):
    """The go/no-go checklist, each item with its state and why, the decision form and the
    decisions recorded."""

    model = TransitionPlan
    template_name = "transition/readiness.html"
    section = "readiness"

    def post(self, request, *args, **kwargs):
        if not self.can_comment:
            raise PermissionDenied("Your role does not allow this.")
        form = DecisionForm(request.POST)
        if form.is_valid():
            try:
                record = services.go_no_go_record(
                    actor=self.actor, partnership=self.partnership, **form.cleaned_data
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Decision recorded: {record.get_decision_display().lower()}, with the "
                    "checklist as it stands.",
                )
                return HttpResponseRedirect(self.url("readiness"))
        return self.render_to_response(self.get_context_data(decision_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        readiness = selectors.readiness(
            membership=self.membership, partnership=self.partnership, today=self.today
        )
        links = {
            "critical_tasks": self.url("plan"),
            "training": self.url("plan") + "#phase-training",
            "staff_outcomes": self.url("people"),
            "knowledge": self.url("knowledge"),
        }
        for item in readiness["items"]:
            item["url"] = links.get(item["key"])
        decisions = list(
            selectors.decision_list(membership=self.membership, partnership=self.partnership)
        )
        labels = {"done": "done", "open": "open", "not_available": "could not be checked"}
        for decision in decisions:
            snapshot = decision.readiness or {}
            decision.snapshot_items = [
                {**item, "state_label": labels.get(item.get("state"), item.get("state"))}
                for item in snapshot.get("items", [])
            ]
            decision.snapshot_done = snapshot.get("done")
            decision.snapshot_total = snapshot.get("total")
        context.update(
            readiness=readiness,
            unavailable=readiness["total"] - readiness["available"],
            decisions=decisions,
        )
        if self.can_comment:
            context.setdefault("decision_form", DecisionForm())
        return context

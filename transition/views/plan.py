"""The plan: the Transition tab (create, baseline, auto-schedule, save as template, the
Gantt view and the phase tables) and a task (edit with dependencies, its comment thread)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.http import HttpResponseRedirect

from partnerships.forms import add_service_error
from tenancy import access
from tenancy.fastpages import DateTexts, json_script, render_rows, url_for_each
from transition import selectors, services
from transition import templates_default as shipped
from transition.forms import (
    PlanCreateForm,
    SaveAsTemplateForm,
    TaskForm,
)
from transition.models import (
    Phase,
    PlanTask,
    PlanTemplate,
    TaskStatus,
    TransitionPlan,
)
from transition.views.base import (
    SERVICE_ERRORS,
    TransitionAction,
    TransitionPage,
    errors_as_message,
)

# --- The plan --------------------------------------------------------------------------


def _owner_name(row: dict[str, Any]) -> str:
    owner = row["owner"]
    return owner["full_name"] or owner["email"] if owner else ""


def _gantt_task(row: dict[str, Any], url: str) -> dict[str, Any]:
    """One bar for frappe-gantt: forecast dates, and the flags the chart's script turns into
    classes (frappe-gantt takes a single custom class, the critical one)."""
    progress = {TaskStatus.DONE: 100, TaskStatus.IN_PROGRESS: 50}.get(row["status"], 0)
    done = row["status"] == TaskStatus.DONE
    return {
        "id": str(row["id"]),
        "name": row["title"],
        "start": row["forecast_start"].isoformat(),
        "end": row["forecast_due"].isoformat(),
        "progress": progress,
        "dependencies": [str(link["predecessor"]) for link in row["dependencies"]],
        # A done task shows as done, even on the critical path (the popup still says so).
        "custom_class": "is-critical" if row["critical"] and not done else "",
        "url": url,
        "owner": _owner_name(row),
        "status": row.get("status_label") or TaskStatus(row["status"]).label,
        "done": done,
        "milestone": row["is_milestone"],
        "conflict": row["conflict"],
        "critical": row["critical"],
        "slip_days": row["slip_days"],
        "baseline_due": row["baseline_due"].isoformat() if row["baseline_due"] else None,
        "flagged": bool(row["culture_sync_flag"]),
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
        # The plan's figures, chart data and rows as of the last write to the organization's
        # data, within the minute (tenancy/generation.py), kept as the HTML they are shown as.
        plan, parts = self.remember(("transition.plan-page", self.partnership.pk), self.plan_parts)
        context["plan"] = plan
        if plan is None:
            if self.can_change and "create_form" not in context:
                context["create_form"] = self.create_form()
            return context
        context.update(
            parts,
            save_template_form=SaveAsTemplateForm(
                initial={"name": f"{self.partnership.name} plan"}
            ),
        )
        return context

    def plan_parts(self) -> tuple[TransitionPlan | None, dict[str, Any]]:
        """The plan (None without one) and what the page shows of it: the summary, the
        phases with their rows' HTML, the conflicts, the critical path, the chart's data."""
        plan = selectors.plan_for(membership=self.membership, partnership=self.partnership)
        if plan is None:
            return None, {}
        view = selectors.plan_view(membership=self.membership, plan=plan)
        rows = selectors.gantt_rows(view)
        tasks = view.by_id
        # Each title cut at 40 characters for the "Depends on" column (`truncatechars:40`).
        short = {row["id"]: _cut(row["title"], 40) for row in rows}
        task_url = url_for_each(
            "transition:task",
            kwargs={"org_slug": self.organization.slug, "partnership_pk": self.partnership.pk},
        )
        texts = DateTexts()
        labels = dict(TaskStatus.choices)
        by_phase: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            row["url"] = task_url(row["id"])
            row["owner_name"] = _owner_name(row)
            row["status_label"] = labels[row["status"]]
            row["predecessors"] = [
                {"title": short[link["predecessor"]], "lag": link["lag_days"]}
                for link in row["dependencies"]
            ]
            row["overdue"] = tasks[row["id"]].is_overdue(self.today, due=row["forecast_due"])
            row["forecast_start_text"] = texts(row["forecast_start"], "M j")
            row["start_text"] = texts(row["start"], "M j")
            row["forecast_due_text"] = texts(row["forecast_due"], "M j")
            by_phase[row["phase"]].append(row)
        phases = [
            {
                "value": value,
                "label": label,
                "count": len(by_phase[value]),
                "rows_html": render_rows("transition/_plan_rows.html", by_phase[value]),
                "done": sum(1 for row in by_phase[value] if row["status"] == TaskStatus.DONE),
                "critical": sum(1 for row in by_phase[value] if row["critical"]),
            }
            for value, label in Phase.choices
            if by_phase[value]
        ]
        summary = selectors.plan_summary(view)
        for milestone in summary["milestones"]:
            milestone["status_label"] = labels[milestone["status"]]
            milestone["url"] = task_url(milestone["id"])
        critical = [tasks[i].title for i in view.schedule.critical_path]
        gantt = {
            "tasks": [_gantt_task(row, row["url"]) for row in rows],
            # Open the chart two weeks before today while the plan runs (what just finished
            # and what comes next), else on its first day.
            "scroll_to": _scroll_to(summary, self.today),
        }
        return plan, {
            "summary": summary,
            "phases": phases,
            "conflicts": selectors.conflict_rows(view),
            "critical_path": critical,
            "gantt_script": json_script(gantt, "gantt-data"),
            "slipping_count": sum(1 for row in rows if row["slip_days"] and row["slip_days"] > 0),
        }


def _cut(text: str, length: int) -> str:
    """`truncatechars:length`: the text, or its first length - 1 characters and "…"."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _scroll_to(summary: dict[str, Any], today: datetime.date) -> str:
    """Where the chart opens: two weeks before today while the plan runs (what just finished
    and what comes next), else its first day; today for a plan without tasks."""
    start, finish = summary["project_start"], summary["project_finish"]
    if start is None or finish is None:
        return today.isoformat()
    if start <= today <= finish:
        return max(start, today - datetime.timedelta(days=14)).isoformat()
    return start.isoformat()


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
            messages.error(request, errors_as_message(error))
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
                messages.error(request, f"Template name: {errors_as_message(error)}")
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
    comment thread (`{% comment_thread task %}`: everyone who sees it reads what is shared
    with them; client executives may comment)."""

    model = PlanTask
    template_name = "transition/task.html"
    section = "plan"
    object_select = ("owner", "plan")

    @cached_property
    def plan_view(self) -> selectors.PlanView:
        plan = self.object.plan
        plan.partnership = self.partnership
        return selectors.plan_view(membership=self.membership, plan=plan, instances=True)

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

    def post(self, request, *args, **kwargs):
        self.require_change()
        if request.POST.get("form") == "remove":
            return self.remove_flagged()
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
                # The PM stays on the task they were working on.
                return HttpResponseRedirect(self.url("task", pk=self.object.pk))
        return self.render_to_response(self.get_context_data(task_form=form))

    def remove_flagged(self):
        """Remove a culture task the sync kept (its adaptation went after it started)."""
        task = self.object
        if not task.culture_sync_flag:
            messages.error(
                self.request,
                "Only a task whose culture adaptation was removed can be removed here.",
            )
            return HttpResponseRedirect(self.url("task", pk=task.pk))
        title = task.title
        services.task_delete(actor=self.actor, task=task)
        messages.success(self.request, f"“{title}” removed from the plan.")
        return HttpResponseRedirect(self.url("plan"))

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
        )
        if self.can_change and "task_form" not in context:
            context["task_form"] = self.task_form()
        return context

"""My tasks: the signed-in member's open tasks across partnerships, a bulk status change and
the iCalendar feed of their due dates."""

from __future__ import annotations

import datetime
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import TemplateView

from partnerships.forms import add_service_error
from tenancy import access
from tenancy.views import OrgScopedMixin
from transition import selectors, services
from transition.forms import BulkStatusForm
from transition.models import (
    CalendarFeedKey,
    PlanTask,
    TaskStatus,
)
from transition.views.base import SERVICE_ERRORS

# --- My tasks --------------------------------------------------------------------------


class MyTasksView(OrgScopedMixin, TemplateView):
    """The signed-in member's open tasks across their partnerships, a bulk status change,
    and their iCalendar feed."""

    provider_only = True  # the client's executives have no tasks here
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
            feed_url = request.build_absolute_uri(issued.path)
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

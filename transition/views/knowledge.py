"""Knowledge capture: what experienced staff know, reviewed then transferred, and its
coverage before each departing person's last day."""

from __future__ import annotations

from collections import Counter
from functools import cached_property

from django.contrib import messages
from django.http import HttpResponseRedirect

from partnerships.forms import add_service_error
from transition import selectors, services
from transition.forms import KnowledgeForm
from transition.models import (
    KnowledgeItem,
    KnowledgeStatus,
    StaffMember,
)
from transition.views.base import (
    SERVICE_ERRORS,
    TransitionAction,
    TransitionPage,
    errors_as_message,
)

# --- Knowledge capture -----------------------------------------------------------------


class KnowledgeView(TransitionPage):
    """Knowledge captured from experienced staff, its review and transfer, and coverage of
    every departing person before their last day."""

    model = KnowledgeItem
    template_name = "transition/knowledge.html"
    section = "knowledge"

    @cached_property
    def roster(self) -> list[StaffMember]:
        return list(self.visible(StaffMember).order_by("full_name", "id"))

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
            self.visible(KnowledgeItem)
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
            messages.error(request, errors_as_message(error))
        else:
            done = "reviewed" if self.step == "review" else "marked transferred to the provider"
            messages.success(request, f"“{item.title}” {done}.")
        return HttpResponseRedirect(self.url("knowledge") + f"#knowledge-{item.pk}")

"""The go/no-go readiness checklist and the decisions recorded."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect

from partnerships.forms import add_service_error
from tenancy.access import Action
from transition import selectors, services
from transition.forms import DecisionForm
from transition.models import TransitionPlan
from transition.views.base import (
    SERVICE_ERRORS,
    TransitionPage,
)

# --- Go/no-go readiness ----------------------------------------------------------------


class ReadinessView(TransitionPage):
    """The go/no-go checklist, each item with its state and why, the decision form and the
    decisions recorded."""

    model = TransitionPlan
    template_name = "transition/readiness.html"
    section = "readiness"

    def post(self, request, *args, **kwargs):
        self.require(Action.GO_NO_GO)
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
        if self.can_decide:
            context.setdefault("decision_form", DecisionForm())
        return context

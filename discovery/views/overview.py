"""The Discovery tab: the checklist and its sign-off (signed by the account manager,
co-signed by the client, reopened with a reason), and the optimization opportunities behind
the gate.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.views.generic import TemplateView

from discovery import forms, selectors, services
from discovery.models import (
    CallFlow,
    DiscoveryReopenRequest,
    DiscoverySession,
    DiscoverySignOff,
    ExperienceGoal,
    GoalSignOff,
    KpiBaseline,
    Opportunity,
    ReopenRequestStatus,
    ReviewedReport,
    ServiceLine,
)
from discovery.views.base import DiscoveryActionView, DiscoveryFormView, DiscoveryMixin, kpi_choices
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError

# --- The Discovery tab ---------------------------------------------------------------------


class OverviewView(DiscoveryMixin, TemplateView):
    """The Discovery tab: the checklist and its sign-off, then every section of discovery,
    and the optimization opportunities behind the gate. A fixed number of queries."""

    model = ServiceLine
    template_name = "discovery/overview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = selectors.discovery_status(partnership=self.partnership)
        history = list(selectors.discovery_sign_off_history(partnership=self.partnership))
        baselines = access.visible(self.membership, KpiBaseline).select_related(
            "kpi", "source_report"
        )
        service_lines = list(
            self.visible(ServiceLine)
            .order_by("name")
            .prefetch_related(
                Prefetch("baselines", queryset=baselines.order_by("kpi__position", "kpi__name"))
            )
        )
        goals = list(
            self.visible(ExperienceGoal)
            .select_related("kpi", "service_line")
            .order_by("priority", "id")
        )
        goal_sign_offs = list(
            self.visible(GoalSignOff).select_related("signed_by").order_by("-signed_at", "-id")
        )
        flows = list(
            self.visible(CallFlow)
            .select_related("service_line", "latest_version")
            .order_by("service_line__name", "state", "name")
        )
        reopen_requests = list(
            selectors.discovery_reopen_requests(
                membership=self.membership, partnership=self.partnership
            )
        )
        context.update(
            reopen_requests=reopen_requests,
            open_reopen_request=next((r for r in reopen_requests if r.is_open), None),
            answered_reopen_requests=[r for r in reopen_requests if not r.is_open],
            reopen_request_form=forms.ReopenRequestForm(
                membership=self.membership, partnership=self.partnership
            ),
            status=status,
            checklist=[
                {"item": item, "fixes": [] if item.done or status.sign_off else self.fixes(item)}
                for item in status.checklist.items
            ],
            done_count=sum(1 for item in status.checklist.items if item.done),
            missing_count=len(status.checklist.missing),
            sign_off=status.sign_off,
            past_sign_offs=[s for s in history if not s.is_open],
            frozen=status.sign_off is not None,
            services=service_lines,
            reports=list(
                self.visible(ReviewedReport)
                .select_related("uploaded_by")
                .order_by("-period_end", "name")
            ),
            sessions=list(self.visible(DiscoverySession).order_by("-held_on", "title")),
            goals=goals,
            goal_sign_off=next((s for s in goal_sign_offs if s.is_active), None),
            superseded_goal_sign_offs=[s for s in goal_sign_offs if not s.is_active],
            call_flows=flows,
            opportunities=list(
                self.visible(Opportunity)
                .select_related("service_line", "kpi", "proposed_by", "decided_by")
                .order_by("-created_at", "-id")
            ),
            gate_missing=status.gate_missing,
            note_form=forms.NoteForm(membership=self.membership, partnership=self.partnership),
            reopen_form=forms.ReopenForm(membership=self.membership, partnership=self.partnership),
        )
        return context

    def fixes(self, item) -> list[tuple[str, str]]:
        """Where to go to fix a missing checklist item, as (label, url): what the member
        can do about it first, then where to read it."""
        work, client = self.can_change, self.perms["client"]
        links: list[tuple[str, str]] = []
        match item.code:
            case "services_with_baselines":
                if work:
                    links += [
                        ("Add a service", self.url("service-create")),
                        ("Add baselines", self.url("baseline-create")),
                        ("Import baselines (CSV)", self.url("baseline-import")),
                    ]
                links.append(("See the services", self.overview_url("services")))
            case "call_flows_reviewed":
                links.append(("Open the call flows", self.url("callflows")))
            case "reports_reviewed":
                if work:
                    links.append(("Add a report", self.url("report-create")))
                links.append(("See the reports", self.overview_url("reports")))
            case "sessions_held":
                if work:
                    links.append(("Record a session", self.url("session-create")))
                links.append(("See the sessions", self.overview_url("sessions")))
            case "goals_signed_off":
                if client:
                    links.append(("Sign off the goals", self.overview_url("goals")))
                if work:
                    links.append(("Add a goal", self.url("goal-create")))
                links.append(("See the goals", self.overview_url("goals")))
        return links


class SignOffView(DiscoveryFormView):
    """The account manager closes discovery: only with the checklist complete."""

    model = DiscoverySignOff
    object_action = Action.PROVIDER_SIGN_OFF
    denied_message = "Only the dedicated account manager (or an admin) signs off discovery."
    form_class = forms.NoteForm
    template_name = "discovery/sign_off.html"
    page_title = "Sign off discovery"
    submit_label = "Sign off discovery"
    frozen_record = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["checklist"] = selectors.discovery_checklist(partnership=self.partnership)
        context["sign_off"] = self.open_sign_off
        return context

    def perform(self, form) -> str:
        services.discovery_sign_off(
            actor=self.actor, partnership=self.partnership, note=form.cleaned_data["note"]
        )
        return "Discovery signed off. The client executive co-signs it next."

    def put_error(self, form, error) -> None:
        form.add_error(None, error.message if isinstance(error, ApplicationError) else error)


class CosignView(DiscoveryFormView):
    model = DiscoverySignOff
    object_action = Action.CLIENT_SIGN_OFF
    denied_message = "Only the client's executive co-signs discovery."
    form_class = forms.NoteForm
    template_name = "discovery/sign_off.html"
    page_title = "Co-sign discovery"
    submit_label = "Co-sign discovery"
    intro = (
        "By co-signing, you confirm that the provider has learned the services, call flows, "
        "reports and the patient experience your callers should have. Optimization "
        "opportunities can be proposed after that."
    )
    frozen_record = False

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        del form.fields["note"]  # the co-signature records who and when
        return form

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sign_off"] = self.open_sign_off
        return context

    def perform(self, form) -> str:
        services.discovery_cosign(actor=self.actor, partnership=self.partnership)
        return "Discovery co-signed. Optimization opportunities can now be proposed."

    def put_error(self, form, error) -> None:
        form.add_error(None, error.message if isinstance(error, ApplicationError) else error)


class ReopenView(DiscoveryFormView):
    """The dedicated account manager (or an admin) reopens discovery; a client executive
    asks for it instead (`ReopenRequestView`), and gets 403 here."""

    model = DiscoverySignOff
    object_action = Action.PROVIDER_SIGN_OFF
    denied_message = (
        "Only the dedicated account manager (or an admin) reopens discovery; the client "
        "executive asks for it to be reopened."
    )
    form_class = forms.ReopenForm
    template_name = "discovery/sign_off.html"
    page_title = "Reopen discovery"
    submit_label = "Reopen discovery"
    intro = (
        "Reopening is recorded with your reason. The sign-off stays on record; discovery "
        "records can be changed again, and no new optimization opportunity can be proposed "
        "until discovery is signed off and co-signed again."
    )
    frozen_record = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sign_off"] = self.open_sign_off
        context["danger"] = True
        context["open_reopen_request"] = (
            selectors.discovery_reopen_requests(
                membership=self.membership, partnership=self.partnership
            )
            .filter(status=ReopenRequestStatus.OPEN)
            .first()
        )
        return context

    def perform(self, form) -> str:
        services.discovery_reopen(
            actor=self.actor, partnership=self.partnership, reason=form.cleaned_data["reason"]
        )
        return "Discovery reopened. Sign it off again once the changes are made."


class ReopenRequestView(DiscoveryFormView):
    """The client executive asks for signed-off discovery to be reopened, saying why."""

    model = DiscoveryReopenRequest
    object_action = Action.CLIENT_SIGN_OFF
    denied_message = (
        "Only the client's executive asks for discovery to be reopened; the dedicated "
        "account manager reopens it."
    )
    form_class = forms.ReopenRequestForm
    template_name = "discovery/sign_off.html"
    page_title = "Ask to reopen discovery"
    submit_label = "Send the request"
    intro = (
        "Discovery was signed off and co-signed. If something has changed (a new service, a "
        "call flow that is not what your callers meet), tell the account manager why it "
        "should be reopened. They answer here; if they accept, discovery is reopened with "
        "your reason on record."
    )
    anchor = "signoff-heading"
    frozen_record = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sign_off"] = self.open_sign_off
        return context

    def perform(self, form) -> str:
        services.discovery_reopen_request(
            actor=self.actor, partnership=self.partnership, reason=form.cleaned_data["reason"]
        )
        return "Request sent. The account manager answers it on this page."


class ReopenRequestAnswerView(DiscoveryFormView):
    """The dedicated account manager (or an admin) accepts the client's request (which
    reopens discovery) or declines it with a reply."""

    model = DiscoveryReopenRequest
    object_action = Action.PROVIDER_SIGN_OFF
    object_select = ("requested_by", "answered_by", "sign_off")
    denied_message = (
        "Only the dedicated account manager (or an admin) answers a request to reopen discovery."
    )
    form_class = forms.ReopenAnswerForm
    template_name = "discovery/reopen_answer.html"
    page_title = "Answer the request to reopen discovery"
    submit_label = "Send the answer"
    anchor = "signoff-heading"
    frozen_record = False

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reopen_request"] = self.object
        context["sign_off"] = self.open_sign_off
        return context

    def perform(self, form) -> str:
        request = services.discovery_reopen_request_answer(
            actor=self.actor,
            request=self.object,
            decision=form.cleaned_data["decision"],
            reply=form.cleaned_data["reply"],
        )
        if request.status == ReopenRequestStatus.ACCEPTED:
            return "Request accepted: discovery is reopened. Sign it off again once done."
        return "Request declined. The client executive sees your reply."


# --- Opportunities -------------------------------------------------------------------------


class OpportunityFormMixin:
    model = Opportunity
    form_class = forms.OpportunityForm
    anchor = "opportunities"
    frozen_record = False

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["kpis"] = kpi_choices(self.membership)
        return kwargs


class OpportunityCreateView(OpportunityFormMixin, DiscoveryFormView):
    """Behind the gate: before discovery is signed off and co-signed, this page explains why
    nothing can be proposed yet and what is missing, with no form (409, GET and POST)."""

    page_title = "Propose an optimization opportunity"
    intro = "A change the provider proposes; the client executive accepts or rejects it."
    submit_label = "Propose"

    def gate_refusal(self):
        """The gate's page (409) while discovery is not signed off and co-signed, or None."""
        status = selectors.discovery_status(partnership=self.partnership)
        if status.gate_open:
            return None
        context = self.get_context_data(gate_missing=status.gate_missing)
        return TemplateResponse(self.request, "discovery/gate.html", context, status=409)

    def get(self, request, *args, **kwargs):
        return self.gate_refusal() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self.gate_refusal() or super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        if "gate_missing" in kwargs:  # the gate's page has no form
            return DiscoveryMixin.get_context_data(self, **kwargs)
        return super().get_context_data(**kwargs)

    def perform(self, form) -> str:
        opportunity = services.opportunity_create(
            actor=self.actor, partnership=self.partnership, **form.service_fields()
        )
        return f"“{opportunity.title}” proposed. The client executive decides on it."

    def put_error(self, form, error) -> None:
        if isinstance(error, ApplicationError) and error.extra.get("missing"):
            form.add_error(None, error.message)
            return
        super().put_error(form, error)


class OpportunityUpdateView(OpportunityFormMixin, DiscoveryFormView):
    submit_label = "Save"

    def get_page_title(self) -> str:
        return f"Edit “{self.object.title}”"

    def perform(self, form) -> str:
        services.opportunity_update(
            actor=self.actor, opportunity=self.object, **form.service_fields()
        )
        return "Opportunity saved."


class OpportunityDecideView(DiscoveryFormView):
    model = Opportunity
    object_action = Action.CLIENT_SIGN_OFF
    denied_message = "Only the client's executive decides on opportunities."
    form_class = forms.DecisionForm
    template_name = "discovery/opportunity_decide.html"
    submit_label = "Record decision"
    anchor = "opportunities"
    frozen_record = False

    def get_queryset(self):
        return super().get_queryset().select_related("service_line", "kpi", "proposed_by")

    def get_page_title(self) -> str:
        return f"Decide on “{self.object.title}”"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["opportunity"] = self.object
        return context

    def perform(self, form) -> str:
        opportunity = services.opportunity_decide(
            actor=self.actor,
            opportunity=self.object,
            decision=form.cleaned_data["decision"],
            note=form.cleaned_data["note"],
        )
        return f"“{opportunity.title}” {opportunity.get_status_display().lower()}."


class OpportunityImplementView(DiscoveryActionView):
    model = Opportunity

    def perform(self) -> str:
        services.opportunity_implement(actor=self.actor, opportunity=self.object)
        return f"“{self.object.title}” marked as implemented."

    def get_success_url(self) -> str:
        return self.overview_url("opportunities")


class OpportunityWithdrawView(DiscoveryActionView):
    model = Opportunity

    def perform(self) -> str:
        services.opportunity_withdraw(actor=self.actor, opportunity=self.object)
        return f"“{self.object.title}” withdrawn."

    def get_success_url(self) -> str:
        return self.overview_url("opportunities")

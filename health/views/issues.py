"""The issue log's pages: the list (filtered by status, with each issue's SLA clock), the
raise and edit forms, the detail (status moves, the clock, the comment thread, the internal
notes for the provider), and the organization's SLA targets (admins change them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView

from discovery.models import ServiceLine
from health import issue_selectors, sla
from health.models import Issue, IssueStatus, Severity
from health.services import issues as services
from partnerships.base import PartnershipPageMixin
from partnerships.forms import UserChoiceField, add_service_error, editable_initial
from partnerships.selectors import pm_choices
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError
from tenancy.views import OrgScopedMixin

SERVICE_ERRORS = (ApplicationError, ValidationError)
# The label of the button that makes each move, as a person says it.
MOVE_LABELS = {
    IssueStatus.IN_PROGRESS: "Start work",
    IssueStatus.WAITING_ON_CLIENT: "Wait on the client (pause the clock)",
    IssueStatus.RESOLVED: "Resolve",
    IssueStatus.CLOSED: "Close",
}


def move_label(issue: Issue, status: str) -> str:
    """The button's words for a move from where the issue stands."""
    if status == IssueStatus.IN_PROGRESS and issue.status == IssueStatus.WAITING_ON_CLIENT:
        return "The client answered: resume work"
    if status == IssueStatus.IN_PROGRESS and issue.status == IssueStatus.RESOLVED:
        return "Reopen"
    return MOVE_LABELS[status]


# --- Forms -------------------------------------------------------------------------------


class IssueForm(forms.Form):
    """Raise (everyone who may comment) or edit (those who manage the issues) an issue. The
    client's executives never get the owner, the resolution or the internal notes."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What happened, who is affected, since when.",
    )
    severity = forms.ChoiceField(
        choices=[("", "Choose…"), *Severity.choices],
        help_text="Sets the response and resolution targets.",
    )
    service_line = forms.ModelChoiceField(
        queryset=ServiceLine.objects.none(), required=False, label="Service"
    )
    owner = UserChoiceField(queryset=None, required=False, help_text="Who works on it.")
    resolution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="How it was resolved (needed to resolve it).",
    )
    internal_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Provider staff only: never shown to the client's executives.",
    )

    def __init__(self, *args, membership, partnership, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_line"].queryset = access.visible(membership, ServiceLine).filter(
            partnership=partnership
        )
        if membership.is_provider:
            self.fields["owner"].queryset = pm_choices(organization=membership.organization)
        else:
            for name in ("owner", "internal_notes"):
                del self.fields[name]
        if not editing:
            del self.fields["resolution"]

    def service_fields(self) -> dict:
        return dict(self.cleaned_data)


class MoveForm(forms.Form):
    status = forms.ChoiceField(choices=IssueStatus.choices)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Why, for the history (the client's executives read it).",
    )
    resolution = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="How it was resolved: needed to resolve the issue.",
    )


class SlaTargetsForm(forms.Form):
    """Per severity, the response and resolution targets in hours."""

    def __init__(self, *args, rows: dict[str, issue_selectors.SlaRow], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for severity, row in rows.items():
            for kind in ("response", "resolution"):
                minutes = getattr(row, f"{kind}_minutes")
                self.fields[f"{severity}_{kind}_minutes"] = forms.DecimalField(
                    label=f"{row.label}: {kind} (hours)",
                    min_value=Decimal("0.25"),
                    max_value=Decimal(services.MAX_TARGET_MINUTES // 60),
                    decimal_places=2,
                    initial=Decimal(minutes) / 60,
                    widget=forms.NumberInput(attrs={"step": "0.25"}),
                )

    def targets(self) -> dict[str, dict[str, int]]:
        return {
            severity: {
                f"{kind}_minutes": round(self.cleaned_data[f"{severity}_{kind}_minutes"] * 60)
                for kind in ("response", "resolution")
            }
            for severity in self.rows
        }

    def grouped(self):
        """The fields by severity, for a table with one row per severity."""
        return [
            (row, self[f"{severity}_response_minutes"], self[f"{severity}_resolution_minutes"])
            for severity, row in self.rows.items()
        ]


# --- The clock, as the pages say it ------------------------------------------------------


def clock_lines(issue: Issue, clock: sla.Clock) -> list[str]:
    """What the clock says about an issue, one sentence each."""
    lines = []
    if clock.paused:
        since = timezone.localtime(issue.paused_since).strftime("%b %-d, %-I:%M %p")
        lines.append(f"Paused: waiting on the client since {since}.")
    if clock.response_left is not None:
        lines.append(sla.due_text("Response", clock.response_left).capitalize() + ".")
    if clock.resolution_left is not None and not clock.paused:
        lines.append(sla.due_text("Resolution", clock.resolution_left).capitalize() + ".")
    elif clock.resolution_left is not None:
        lines.append(
            f"{sla.duration_text(clock.resolution_left)} left to resolve when the client answers."
            if clock.resolution_left.total_seconds() >= 0
            else f"Resolution already overdue by {sla.duration_text(clock.resolution_left)}."
        )
    if issue.resolved_at is not None and not clock.resolution_breached:
        lines.append("Resolved in time.")
    return lines


# --- Pages -------------------------------------------------------------------------------


class IssuePageMixin(PartnershipPageMixin):
    """A page of a partnership's issue log, under /o/<org_slug>/<partnership_pk>/issues/."""

    url_namespace = "health"
    tab = "issues"
    model = Issue
    object_select = ("raised_by", "owner", "service_line")

    @cached_property
    def can_raise(self) -> bool:
        return access.can(self.membership, Action.COMMENT, self.partnership)

    @cached_property
    def is_settings_admin(self) -> bool:
        return access.can(self.membership, Action.MANAGE_SETTINGS)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            can_raise=self.can_raise,
            is_settings_admin=self.is_settings_admin,
            sla_targets_url=reverse("health:sla-targets", args=[self.organization.slug]),
        )
        return context


class IssueListView(IssuePageMixin, TemplateView):
    """The issue log: open issues first, each with its severity, status, owner, due time and
    a clear breach marker; tabs by status."""

    template_name = "health/issue_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        base = issue_selectors.issues(membership=self.membership, partnership=self.partnership)
        counts = issue_selectors.status_counts(base)
        current = self.request.GET.get("status", "")
        if current not in IssueStatus.values and current not in ("", "all"):
            current = ""
        shown = base
        if current == "":
            shown = base.filter(status__in=issue_selectors.ACTIVE_STATUSES)
        elif current != "all":
            shown = base.filter(status=current)
        now = timezone.now()
        rows = []
        for issue in shown.order_by("-opened_at", "-id"):
            clock = sla.issue_clock(issue, now)
            rows.append({"issue": issue, "clock": clock, "due": _due_cell(issue, clock)})
        active = sum(counts[status] for status in issue_selectors.ACTIVE_STATUSES)
        tabs = [{"value": "", "label": "Open work", "count": active}]
        tabs += [
            {"value": value, "label": label, "count": counts[value]}
            for value, label in IssueStatus.choices
        ]
        tabs.append({"value": "all", "label": "All", "count": sum(counts.values())})
        context.update(
            rows=rows,
            tabs=tabs,
            current_status=current,
            breached_count=sum(1 for row in rows if row["clock"].breached),
            targets=issue_selectors.sla_targets(organization_id=self.organization.pk).values(),
        )
        return context


def _due_cell(issue: Issue, clock: sla.Clock) -> str:
    if issue.status == IssueStatus.CLOSED:
        return "Closed"
    if issue.resolved_at is not None:
        return "Resolved"
    if clock.paused:
        return "Paused (waiting on the client)"
    if clock.response_left is not None and clock.response_left < clock.resolution_left:
        return sla.due_text("response", clock.response_left)
    return sla.due_text("resolution", clock.resolution_left)


class IssueCreateView(IssuePageMixin, TemplateView):
    """Raise an issue: the provider's staff on the partnership and the client's executives."""

    template_name = "health/issue_form.html"
    object_action = Action.COMMENT
    denied_message = "Your role may not raise issues on this partnership."

    def form(self, data=None) -> IssueForm:
        return IssueForm(data, membership=self.membership, partnership=self.partnership)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            fields = {k: v for k, v in form.service_fields().items() if v not in ("", None)}
            try:
                issue = services.issue_raise(
                    actor=self.actor, partnership=self.partnership, **fields
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"“{issue.title}” raised. Its clock runs: response due in "
                    f"{sla.minutes_text(issue.response_minutes)}.",
                )
                return HttpResponseRedirect(self.url("issue-detail", pk=issue.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context.update(
            editing=False,
            targets=issue_selectors.sla_targets(organization_id=self.organization.pk).values(),
        )
        return context


class IssueEditView(IssuePageMixin, TemplateView):
    template_name = "health/issue_form.html"
    object_action = Action.CHANGE_WORK
    denied_message = "Only the partnership's account manager, its PMs and admins manage issues."

    def form(self, data=None) -> IssueForm:
        return IssueForm(
            data,
            membership=self.membership,
            partnership=self.partnership,
            editing=True,
            initial=editable_initial(self.object),
        )

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if form.is_valid():
            fields = form.service_fields()
            try:
                services.issue_update(actor=self.actor, issue=self.object, **fields)
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(request, "Issue saved.")
                return HttpResponseRedirect(self.url("issue-detail", pk=self.object.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.form())
        context.update(
            issue=self.object,
            editing=True,
            targets=issue_selectors.sla_targets(organization_id=self.organization.pk).values(),
        )
        return context


class IssueDetailView(IssuePageMixin, TemplateView):
    template_name = "health/issue_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        issue = self.object
        clock = sla.issue_clock(issue, timezone.now())
        moves = services.allowed_moves(issue) if self.can_change else ()
        context.update(
            issue=issue,
            clock=clock,
            clock_lines=clock_lines(issue, clock),
            moves=[(status, move_label(issue, status)) for status in moves],
            paused_text=sla.duration_text(dt.timedelta(seconds=clock.paused_seconds)),
            can_resolve=IssueStatus.RESOLVED in moves,
            history=list(issue_selectors.status_history(membership=self.membership, issue=issue)),
            response_target=sla.minutes_text(issue.response_minutes),
            resolution_target=sla.minutes_text(issue.resolution_minutes),
        )
        context.setdefault("move_form", MoveForm(initial={"resolution": issue.resolution}))
        return context


class IssueMoveView(IssueDetailView):
    """POST: move the issue (one form, a button per allowed move); the detail again, with
    the error on its field, when the move is refused."""

    object_action = Action.CHANGE_WORK
    denied_message = "Only the partnership's account manager, its PMs and admins move issues."
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = MoveForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.issue_transition(
                    actor=self.actor,
                    issue=self.object,
                    status=data["status"],
                    note=data["note"],
                    resolution=data["resolution"] if data["status"] == "resolved" else None,
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                label = IssueStatus(data["status"]).label.lower()
                messages.success(request, f"“{self.object.title}” is now {label}.")
                return HttpResponseRedirect(self.url("issue-detail", pk=self.object.pk))
        return self.render_to_response(self.get_context_data(move_form=form), status=400)


class SlaTargetsView(OrgScopedMixin, TemplateView):
    """The organization's response and resolution targets per severity: the provider's
    staff read them, admins change them. Issues already raised keep their targets."""

    template_name = "health/issue_sla_targets.html"
    provider_only = True

    @cached_property
    def rows(self):
        return issue_selectors.sla_targets(organization_id=self.organization.pk)

    @cached_property
    def can_edit(self) -> bool:
        return access.can(self.membership, Action.MANAGE_SETTINGS)

    def post(self, request, *args, **kwargs):
        if not self.can_edit:
            raise PermissionDenied("Only an admin may change the SLA targets.")
        form = SlaTargetsForm(request.POST, rows=self.rows)
        if form.is_valid():
            try:
                services.sla_targets_update(actor=self.actor, targets=form.targets())
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request, "SLA targets saved. New issues (and severity changes) use them."
                )
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("nav", "partnerships")
        context.update(rows=self.rows.values(), can_edit=self.can_edit)
        if self.can_edit:
            context.setdefault("form", SlaTargetsForm(rows=self.rows))
        return context


__all__ = [
    "IssueCreateView",
    "IssueDetailView",
    "IssueEditView",
    "IssueListView",
    "IssueMoveView",
    "SlaTargetsView",
]

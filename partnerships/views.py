"""Pages for partnerships and clients.

Every view resolves the organization and membership through `OrgScopedMixin`, reads through
the selectors and the access policy, and writes only through `partnerships.services`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import DetailView, FormView, ListView, View

from partnerships import gates, selectors, services
from partnerships.base import PartnershipPageMixin, object_in
from partnerships.commentable import commentable
from partnerships.forms import (
    ClientForm,
    CommentForm,
    MoveForm,
    PartnershipFilterForm,
    PartnershipForm,
    TransitionForm,
    add_service_error,
)
from partnerships.models import (
    ClientOrganization,
    Comment,
    Partnership,
    PartnershipStatus,
)
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError
from tenancy.fastpages import DateTexts, form_controls, render_rows, url_for_each
from tenancy.rest import NOT_FOUND
from tenancy.views import OrgScopedMixin

# The order of the stepper; "ended" may follow any of the open statuses.
STATUS_ORDER = [status.value for status in PartnershipStatus]

RESULTS_TARGET = "partnership-results"

AUDIT_VERBS = {
    "partnership.created": "created the partnership",
    "partnership.updated": "edited the partnership",
    "partnership.status_changed": "changed the status",
    "partnership.account_manager_reassigned": "reassigned the account manager",
    "partnership.gate_overridden": "overrode a lifecycle gate",
    "partnership.exported": "exported everything about the partnership",
    "partnership.hr_erased": "erased the staff's HR records",
    "report.downloaded": "downloaded a report",
    "call_flow.exported": "exported a call flow",
    "summary.downloaded": "downloaded an executive summary",
}
TRANSITION_LABELS = {
    PartnershipStatus.DISCOVERY: "Start discovery",
    PartnershipStatus.TRANSITION: "Start the transition",
    PartnershipStatus.LIVE: "Go live",
    PartnershipStatus.ENDED: "End the partnership",
}


class LoadObjectMixin:
    """Loads `self.object` (404 when invisible) and requires `object_action` on it (403).

    Sits after `OrgScopedMixin` in the bases, so the membership is resolved first.
    """

    object_action: Action = Action.VIEW

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_object()
        self.require(self.object_action, self.object)
        return super().dispatch(request, *args, **kwargs)


class LenientPaginationMixin:
    """A page number past the end (or not a number) shows the nearest page, not a 404:
    a link to page 3 outlives the rows that filled it."""

    def known_count(self) -> int | None:
        """The number of rows when the view knows it already (no COUNT query), else None."""
        return None

    def paginate_queryset(self, queryset, page_size):
        paginator = Paginator(queryset, page_size)
        if (count := self.known_count()) is not None:
            paginator.count = count  # a cached_property: Django does not count again
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


# --- Partnerships ------------------------------------------------------------------------


PAGE_SIZES = (25, 50, 100)


class PartnershipListView(OrgScopedMixin, LenientPaginationMixin, ListView):
    """The partnerships as a table of 25, 50 or 100 rows (`page_size`), read as values: no
    model instance, one `reverse()` and one date format per distinct value."""

    model = Partnership
    paginate_by = PAGE_SIZES[0]
    template_name = "partnerships/partnership_list.html"
    context_object_name = "partnerships"

    def get(self, request, *args, **kwargs):
        self.filter_form = PartnershipFilterForm(request.GET or None, membership=self.membership)
        response = super().get(request, *args, **kwargs)
        # The same URL answers with the page or the table alone; caches must tell them apart.
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response

    def get_template_names(self) -> list[str]:
        htmx = getattr(self.request, "htmx", None)
        if htmx and htmx.target == RESULTS_TARGET and not htmx.history_restore_request:
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def get_queryset(self):
        return selectors.partnership_page_values(
            selectors.partnership_list(
                membership=self.membership, filters=self.filter_form.filters()
            )
        )

    @cached_property
    def status_counts(self) -> dict[str, int]:
        return selectors.partnership_status_counts(membership=self.membership)

    def known_count(self) -> int | None:
        # The status tabs' counts hold the list's count too, unless more than the status
        # filters it: one COUNT query fewer.
        return selectors.partnership_list_count(
            filters=self.filter_form.filters(), status_counts=self.status_counts
        )

    def _rows(self, page) -> list[dict[str, Any]]:
        page = list(page)
        pms = selectors.implementation_pm_names(row[0] for row in page)
        url = url_for_each(
            "partnerships:detail", kwargs={"org_slug": self.organization.slug}, key="pk"
        )
        texts = DateTexts()
        labels = dict(PartnershipStatus.choices)
        rows = []
        for pk, name, client, city, state, status, am_name, am_email, go_live in page:
            rows.append(
                {
                    "url": url(pk),
                    "name": name,
                    "client": client,
                    "location": ", ".join(part for part in (city, state) if part),
                    "status": status,
                    "status_label": labels.get(status, status),
                    "manager": am_name or am_email or "",
                    "go_live": go_live.isoformat() if go_live else "",
                    "go_live_text": texts(go_live, "M j, Y"),
                    "pms": ", ".join(pms[pk]),
                }
            )
        return rows

    def get_paginate_by(self, queryset) -> int | None:
        if getattr(self, "_remembered", False):
            return None  # the page was remembered: nothing to read
        size = self.request.GET.get("page_size", "")
        return int(size) if size.isdigit() and int(size) in PAGE_SIZES else PAGE_SIZES[0]

    def get_context_data(self, **kwargs):
        # The table, its tabs and its filters as of the last write to the organization's
        # data, within the minute (tenancy/generation.py), kept as the HTML they are shown as.
        parts = self.remember(("partnerships.list", self.request.GET.urlencode()), self._results)
        self._remembered = True
        context = super().get_context_data(object_list=[], **kwargs)
        context.update(
            parts,
            nav="partnerships",
            filter_form=self.filter_form,
            can_create=access.can(self.membership, Action.CREATE),
            results_target=RESULTS_TARGET,
            page_sizes=PAGE_SIZES,
        )
        return context

    def _results(self) -> dict[str, Any]:
        """What the list shows, as plain values and HTML (what `remember` keeps)."""
        paginator, page, object_list, is_paginated = self.paginate_queryset(
            self.object_list, self.get_paginate_by(self.object_list)
        )
        rows = self._rows(object_list)
        filters = self.filter_form.filters()
        counts = self.status_counts
        return {
            "partnerships": rows,
            "rows_html": render_rows("partnerships/_list_rows.html", rows),
            "is_paginated": is_paginated,
            "page_obj": PageFacts.of(page),
            "paginator": PaginatorFacts(paginator.count, paginator.num_pages, paginator.per_page),
            "page_size": paginator.per_page,
            "filter_controls": render_rows(
                "partnerships/_filter_controls.html", form_controls(self.filter_form)
            ),
            "is_filtered": any(filters.values()),
            "current_status": filters["status"],
            "status_tabs": [
                {"value": "", "label": "All", "count": sum(counts.values())},
                *(
                    {"value": value, "label": label, "count": counts.get(value, 0)}
                    for value, label in PartnershipStatus.choices
                ),
            ],
        }


@dataclass(frozen=True)
class PaginatorFacts:
    """What the list's template reads of its paginator (kept between writes)."""

    count: int
    num_pages: int
    per_page: int


@dataclass(frozen=True)
class PageFacts:
    """What the list's template reads of its page (kept between writes)."""

    number: int
    has_previous: bool
    has_next: bool
    previous_page_number: int | None
    next_page_number: int | None

    @classmethod
    def of(cls, page) -> PageFacts:
        return cls(
            number=page.number,
            has_previous=page.has_previous(),
            has_next=page.has_next(),
            previous_page_number=page.number - 1 if page.has_previous() else None,
            next_page_number=page.number + 1 if page.has_next() else None,
        )


class PartnershipDetailView(OrgScopedMixin, DetailView):
    queryset = Partnership.objects.with_people()
    template_name = "partnerships/partnership_detail.html"
    context_object_name = "partnership"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnership: Partnership = self.object
        membership = self.membership
        history = list(
            selectors.partnership_history(membership=membership, partnership=partnership)
        )
        can_transition = access.can(membership, Action.TRANSITION, partnership)
        can_change = access.can(membership, Action.CHANGE, partnership)
        audit = None
        if access.can(membership, Action.VIEW_AUDIT):
            audit = [
                {
                    "event": event,
                    "label": AUDIT_VERBS.get(event.verb, event.verb),
                    "changes": audit_changes(event.changes),
                }
                for event in selectors.partnership_audit(
                    membership=membership, partnership=partnership
                )
            ]
        transitions = []
        if can_transition:
            # Each move opens its confirmation page, which checks the gate.
            for to_status in partnership.allowed_transitions:
                transitions.append(
                    {
                        "status": to_status,
                        "label": TRANSITION_LABELS[to_status],
                        "url": reverse(
                            "partnerships:move",
                            kwargs={
                                "org_slug": self.organization.slug,
                                "pk": partnership.pk,
                                "to_status": to_status,
                            },
                        ),
                    }
                )
        context.update(
            nav="partnerships",
            history=history,
            audit=audit,
            steps=stepper(partnership, history),
            can_change=can_change,
            can_transition=can_transition,
            can_see_internal=access.can_see_internal(membership),
            forward_transitions=[t for t in transitions if t["status"] != PartnershipStatus.ENDED],
            end_transition=next(
                (t for t in transitions if t["status"] == PartnershipStatus.ENDED), None
            ),
            hint=(
                selectors.next_step_hint(partnership=partnership)
                if (can_change or can_transition)
                else None
            ),
        )
        return context


def audit_changes(changes: dict[str, list[Any]]) -> list[tuple[str, str, str]]:
    """{field: [before, after]} as readable rows: label, before, after."""

    def plain(value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return "" if value is None else str(value)

    rows = []
    for name, pair in sorted(changes.items()):
        # Written by services as [before, after]; anything else is shown as it is.
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else ("", pair)
        before, after = plain(before), plain(after)
        if before != after:  # a field created blank is recorded as None → "": not a change
            rows.append((name.replace("_", " ").capitalize(), before, after))
    return rows


def stepper(partnership: Partnership, history) -> list[dict[str, str]]:
    """The five statuses with the state of each: done, current or not reached."""
    current = partnership.status
    reached = {change.from_status for change in history} | {change.to_status for change in history}
    steps = []
    for value, label in PartnershipStatus.choices:
        if value == current:
            state = "current"
        elif current == PartnershipStatus.ENDED:
            # An ended partnership shows only the stages it really went through.
            state = "done" if value in reached else ""
        else:
            state = "done" if STATUS_ORDER.index(value) < STATUS_ORDER.index(current) else ""
        steps.append({"value": value, "label": label, "state": state})
    return steps


class PartnershipFormMixin:
    form_class = PartnershipForm
    template_name = "partnerships/partnership_form.html"
    object: Partnership | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["membership"] = self.membership
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(nav="partnerships", partnership=self.object)
        return context

    def detail_url(self, partnership: Partnership) -> str:
        return reverse(
            "partnerships:detail",
            kwargs={"org_slug": self.organization.slug, "pk": partnership.pk},
        )


class PartnershipCreateView(OrgScopedMixin, PartnershipFormMixin, FormView):
    required_action = Action.CREATE

    def get_initial(self) -> dict[str, Any]:
        initial = super().get_initial()
        # "New partnership" from a client's row arrives with that client chosen.
        if client := self.request.GET.get("client"):
            initial["client"] = client
        return initial

    def form_valid(self, form):
        try:
            partnership = services.partnership_create(
                actor=self.actor,
                implementation_pms=list(form.cleaned_data["implementation_pms"]),
                **form.service_fields(),
            )
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Partnership “{partnership.name}” created as a prospect.")
        return HttpResponseRedirect(self.detail_url(partnership))


class PartnershipUpdateView(OrgScopedMixin, LoadObjectMixin, PartnershipFormMixin, FormView):
    queryset = Partnership.objects.with_people()
    object_action = Action.CHANGE

    def form_valid(self, form):
        try:
            partnership = services.partnership_update(
                actor=self.actor,
                partnership=self.object,
                implementation_pms=list(form.cleaned_data["implementation_pms"]),
                **form.service_fields(),
            )
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Partnership “{partnership.name}” saved.")
        return HttpResponseRedirect(self.detail_url(partnership))


class PartnershipTransitionView(OrgScopedMixin, LoadObjectMixin, View):
    """POST only: move the partnership, then back to its page with the outcome."""

    http_method_names = ["post"]
    queryset = Partnership.objects.all()
    object_action = Action.TRANSITION

    def post(self, request, *args, **kwargs):
        partnership = self.object
        form = TransitionForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return redirect(partnership_url(self.organization, partnership))
        try:
            partnership = services.partnership_transition(
                actor=self.actor,
                partnership=partnership,
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
                actual_go_live=form.cleaned_data.get("actual_go_live"),
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            if error.status == 409:
                # A closed gate: its page lists what is missing and where to fix it.
                return redirect(
                    "partnerships:move",
                    org_slug=self.organization.slug,
                    pk=partnership.pk,
                    to_status=form.cleaned_data["to_status"],
                )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                f"“{partnership.name}” moved to {partnership.get_status_display().lower()}.",
            )
        return redirect(partnership_url(self.organization, partnership))


# What each move does, in the words of the confirmation page.
MOVE_EFFECTS = {
    PartnershipStatus.DISCOVERY: (
        "Discovery starts: the team inventories the client's services, baselines, call flows "
        "and reports, and defines the desired patient experience with the client."
    ),
    PartnershipStatus.TRANSITION: (
        "The transition starts: the plan, the staff roster and knowledge capture become the "
        "work of the partnership. Discovery stays signed off."
    ),
    PartnershipStatus.LIVE: (
        "The provider answers the client's triage line from the go-live date recorded here."
    ),
    PartnershipStatus.ENDED: (
        "The partnership ends for good: it cannot be reopened, and its history stays for reference."
    ),
}


class PartnershipMoveView(OrgScopedMixin, LoadObjectMixin, FormView):
    """The confirmation of a status move: what the gate checked, what is missing and where to
    fix it, what will happen and who is told; then the move (or an admin's override)."""

    queryset = Partnership.objects.select_related("client", "account_manager")
    object_action = Action.TRANSITION
    form_class = MoveForm
    template_name = "partnerships/move.html"

    def setup_move(self) -> None:
        self.to_status = self.kwargs["to_status"]
        if self.to_status not in self.object.allowed_transitions:
            # Not a move this partnership can make (now): no such page.
            raise Http404(NOT_FOUND)
        self.gate = gates.gate_for(
            membership=self.membership, partnership=self.object, to_status=self.to_status
        )
        self.can_override = not self.gate.open and access.can(
            self.membership, Action.OVERRIDE_GATE, self.object
        )

    def get(self, request, *args, **kwargs):
        self.setup_move()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_move()
        if not self.gate.open and not self.can_override:
            messages.error(request, "This move is not possible yet: see what is missing below.")
            return self.render_to_response(self.get_context_data(), status=409)
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs.update(to_status=self.to_status, overriding=self.can_override)
        return kwargs

    def get_initial(self) -> dict[str, Any]:
        # Going live is usually recorded on the day itself.
        return {"actual_go_live": self.object.actual_go_live or self.today}

    @property
    def today(self):
        return self.organization.local_today()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnership = self.object
        context.update(
            nav="partnerships",
            partnership=partnership,
            to_status=self.to_status,
            to_label=PartnershipStatus(self.to_status).label,
            action_label=TRANSITION_LABELS[self.to_status],
            gate=self.gate,
            can_override=self.can_override,
            blocked=not self.gate.open and not self.can_override,
            effect=MOVE_EFFECTS[self.to_status],
            audience=selectors.status_change_audience(
                partnership=partnership, exclude_user_id=self.membership.user_id
            ),
        )
        return context

    def form_valid(self, form):
        try:
            partnership = services.partnership_transition(
                actor=self.actor,
                partnership=self.object,
                to_status=self.to_status,
                note=form.cleaned_data["note"],
                actual_go_live=form.cleaned_data.get("actual_go_live"),
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ApplicationError as error:
            if error.status == 409:
                # The gate closed between the page and the click: show it as it is now.
                self.setup_move()
                messages.error(self.request, error.message)
                return self.render_to_response(self.get_context_data(), status=409)
            add_service_error(form, error)
            return self.form_invalid(form)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        told = len(
            selectors.status_change_audience(
                partnership=partnership, exclude_user_id=self.membership.user_id
            )
        )
        messages.success(
            self.request,
            f"“{partnership.name}” moved to {partnership.get_status_display().lower()}"
            + (" by override" if self.can_override else "")
            + (
                f"; {told} {'person is' if told == 1 else 'people are'} told by e-mail."
                if told
                else "."
            ),
        )
        return redirect(partnership_url(self.organization, partnership))


def partnership_url(organization, partnership: Partnership) -> str:
    return reverse(
        "partnerships:detail", kwargs={"org_slug": organization.slug, "pk": partnership.pk}
    )


# --- Clients -----------------------------------------------------------------------------


class ClientListView(OrgScopedMixin, LenientPaginationMixin, ListView):
    provider_only = True  # a client's executive has their one client, not a list
    model = ClientOrganization
    template_name = "partnerships/client_list.html"
    context_object_name = "clients"
    paginate_by = 50

    def get_queryset(self):
        return selectors.client_list(membership=self.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        clients = list(context["clients"])
        for client in clients:
            client.can_change = access.can(self.membership, Action.CHANGE, client)
        context.update(
            nav="clients",
            clients=clients,
            can_create=access.can(self.membership, Action.CREATE),
        )
        return context


class ClientFormMixin:
    form_class = ClientForm
    template_name = "partnerships/client_form.html"
    object: ClientOrganization | None = None

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.object
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(nav="clients", client=self.object)
        return context

    def get_success_url(self) -> str:
        return reverse("partnerships:client-list", kwargs={"org_slug": self.organization.slug})


class ClientCreateView(OrgScopedMixin, ClientFormMixin, FormView):
    provider_only = True
    required_action = Action.CREATE

    def get_initial(self) -> dict[str, Any]:
        return {**super().get_initial(), "time_zone": self.organization.time_zone}

    def form_valid(self, form):
        try:
            client = services.client_create(actor=self.actor, **form.cleaned_data)
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Client “{client.name}” added. Next, create a partnership for it."
        )
        return HttpResponseRedirect(self.get_success_url())


class ClientUpdateView(OrgScopedMixin, LoadObjectMixin, ClientFormMixin, FormView):
    provider_only = True
    model = ClientOrganization
    object_action = Action.CHANGE

    def form_valid(self, form):
        try:
            client = services.client_update(
                actor=self.actor, client=self.object, **form.cleaned_data
            )
        except (ApplicationError, ValidationError) as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"Client “{client.name}” saved.")
        return HttpResponseRedirect(self.get_success_url())


# --- Comment threads ---------------------------------------------------------------------


class CommentThreadView(PartnershipPageMixin, View):
    """A comment thread on one object of the partnership.

    GET `?target_type=…&target_id=…` answers the thread as an htmx fragment; POST adds a
    comment. Without JavaScript the hosting page shows the thread itself (the
    `comment_thread` tag) and its form posts here, then comes back to the page (`next`).
    """

    model = Comment
    object_action = None  # reading is checked per object by the selector; writing below

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        # The same address answers a fragment (htmx) or a page: caches must tell them apart.
        patch_vary_headers(response, ("HX-Request",))
        return response

    def get(self, request, *args, **kwargs):
        if not (request.GET.get("target_type") or request.GET.get("target_id")):
            return self.discussion(request)
        target = self.target(request.GET)
        form = CommentForm(membership=self.membership, initial=self.ids(target))
        if request.htmx:
            return self.fragment(target, form)
        # Without htmx, the thread is a page of its own (linked from lists of objects).
        context = self.thread_context(target, form)
        context.update(
            nav="partnerships",
            back_url=self.safe_next(request.GET.get("next")),
            # After a comment, come back to this page (with the way back it had).
            next_url=request.get_full_path(),
        )
        return render(request, "partnerships/comment_page.html", context)

    def discussion(self, request):
        """Every comment of the partnership the member sees, newest first, each linking to
        its thread: what is being discussed, at a glance."""
        comments = list(
            selectors.partnership_comments(membership=self.membership, partnership=self.partnership)
        )
        names = selectors.comment_target_names(membership=self.membership, comments=comments)
        for comment in comments:
            comment.thread_url = thread_url_for(
                self.organization, self.partnership, comment.target_type, comment.target_id
            )
            comment.noun = commentable_noun(comment.target_type)
            comment.target_name = names.get((comment.target_type, comment.target_id), "")
        return render(
            request,
            "partnerships/discussion.html",
            {
                "nav": "partnerships",
                "organization": self.organization,
                "membership": self.membership,
                "partnership": self.partnership,
                "comments": comments,
                "tab": "comments",
            },
        )

    def post(self, request, *args, **kwargs):
        self.require(Action.COMMENT, self.partnership)
        form = CommentForm(request.POST, membership=self.membership)
        target = self.target(request.POST)
        if form.is_valid():
            try:
                services.comment_create(
                    actor=self.actor, partnership=self.partnership, **form.cleaned_data
                )
            except (ApplicationError, ValidationError) as error:
                add_service_error(form, error)
            else:
                if request.htmx:
                    return self.fragment(
                        target, CommentForm(membership=self.membership, initial=self.ids(target))
                    )
                messages.success(request, "Comment added.")
                return HttpResponseRedirect(self.next_url(target) + "#comments")
        if request.htmx:
            return self.fragment(target, form)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return HttpResponseRedirect(self.next_url(target) + "#comments")

    def target(self, data):
        """The commented object, through the access policy (404 when not visible)."""
        from partnerships.commentable import commentable

        try:
            model = commentable(data.get("target_type")).model
            target_id = int(data.get("target_id"))
        except (ApplicationError, TypeError, ValueError):
            raise Http404(NOT_FOUND) from None
        return object_in(access.visible(self.membership, model), self.partnership, target_id)

    @staticmethod
    def ids(target) -> dict[str, Any]:
        return {"target_type": target._meta.label_lower, "target_id": target.pk}

    def safe_next(self, candidate) -> str:
        """A local path to come back to, or nothing (never another site)."""
        candidate = candidate or ""
        if candidate.startswith("/") and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={self.request.get_host()}
        ):
            return candidate
        return ""

    def next_url(self, target) -> str:
        return self.safe_next(self.request.POST.get("next")) or thread_url_for(
            self.organization, self.partnership, target
        )

    def thread_context(self, target, form) -> dict[str, Any]:
        return comment_thread_context(
            membership=self.membership,
            partnership=self.partnership,
            target=target,
            form=form,
            next_url=self.safe_next(self.request.GET.get("next") or self.request.POST.get("next")),
        )

    def fragment(self, target, form):
        return render(
            self.request, "partnerships/_comment_thread.html", self.thread_context(target, form)
        )


class CommentDeleteView(PartnershipPageMixin, View):
    """POST only: the author (or an admin) takes a comment back."""

    model = Comment
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services.comment_delete(actor=self.actor, comment=self.object)
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "Comment deleted.")
        next_url = request.POST.get("next") or ""
        if not (
            next_url.startswith("/")
            and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()})
        ):
            next_url = self.partnership.get_absolute_url()
        return HttpResponseRedirect(next_url + "#comments")


def commentable_noun(target_type: str) -> str:
    """How a person names an object of `target_type`; "object" for a kind no longer
    registered (its comments stay readable)."""
    try:
        return commentable(target_type).noun
    except ApplicationError:
        return "object"


def thread_url_for(organization, partnership, target, target_id=None) -> str:
    """The page of a comment thread: of `target`, or of (`target` type, `target_id`)."""
    if target_id is None:
        target, target_id = target._meta.label_lower, target.pk
    url = reverse(
        "partnerships:comments",
        kwargs={"org_slug": organization.slug, "partnership_pk": partnership.pk},
    )
    return f"{url}?{urlencode({'target_type': target, 'target_id': target_id})}"


def comment_thread_context(*, membership, partnership, target, form=None, next_url="") -> dict:
    """What `_comment_thread.html` shows: the visible comments of `target`, and the form
    when the member may comment."""
    from partnerships.commentable import commentable, target_type_of

    may_comment = access.can(membership, Action.COMMENT, partnership)
    if may_comment and form is None:
        form = CommentForm(
            membership=membership,
            initial={"target_type": target_type_of(target), "target_id": target.pk},
        )
    comments = list(
        selectors.comment_thread(membership=membership, partnership=partnership, target=target)
    )
    for comment in comments:
        comment.can_delete = access.can(membership, Action.DELETE_COMMENT, comment)
    return {
        "thread_target": target,
        "thread_noun": commentable(target_type_of(target)).noun,
        "comments": comments,
        "comment_form": form if may_comment else None,
        "thread_url": reverse(
            "partnerships:comments",
            kwargs={"org_slug": membership.organization.slug, "partnership_pk": partnership.pk},
        ),
        "partnership": partnership,
        "organization": membership.organization,
        "membership": membership,
        "next_url": next_url,
    }

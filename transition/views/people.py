"""The people: the staff roster with the notice check, knowledge coverage, sentiment and
change readiness; who of the PMs has people access (granted and revoked here); a person
(HR-sensitive fields and individual sentiment for those with `Action.VIEW_HR`, recorded when
shown; check-ins; appointing a manager as implementation PM); the CSV import; stakeholder
groups (the client's executives see each group's average sentiment, from 5 responses on)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.utils import timezone

from partnerships.forms import add_service_error
from tenancy import access
from tenancy.access import Action
from tenancy.errors import ApplicationError
from transition import selectors, services
from transition.forms import (
    CheckInForm,
    GroupForm,
    StaffForm,
    StaffImportForm,
)
from transition.models import (
    AdkarStage,
    KnowledgeItem,
    Outcome,
    PeopleAccessGrant,
    SentimentCheckIn,
    StaffMember,
    StakeholderGroup,
    Support,
)
from transition.services.people import people_access_grant, people_access_revoke
from transition.views.base import (
    MANAGER_ROLES,
    SERVICE_ERRORS,
    TransitionAction,
    TransitionPage,
    errors_as_message,
)

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
    """Stakeholder groups with their sentiment series. Two queries. The client's executives
    never see a series: each group's average and its number of responses instead (one
    query, aggregated in the database; the average from 5 responses on)."""
    if not membership.is_provider:
        return [
            {**row, "stages": adkar_steps(row["group"].adkar_stage)}
            for row in selectors.group_sentiment(membership=membership, partnership=partnership)
        ]
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
            people_access=self.people_access(),
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

    def people_access(self) -> dict[str, Any] | None:
        """The "People access" panel: for those who grant it (admins, the account manager),
        each PM of the partnership with their active grant; for a PM, whether they have it.
        Two queries for those who grant, none for the others."""
        if access.can(self.membership, Action.GRANT_PEOPLE_ACCESS, self.partnership):
            grants = {
                grant.grantee_id: grant
                for grant in self.visible(PeopleAccessGrant).active().select_related("granted_by")
            }
            pms = [
                {"user": user, "grant": grants.get(user.pk)}
                for user in self.partnership.implementation_pms.order_by("full_name", "email")
            ]
            return {"can_grant": True, "pms": pms}
        if self.membership.is_provider:
            return {"can_grant": False, "granted": self.hr_visible}
        return None

    def flag_rows(self, flags):
        for flag in flags:
            name = "staff" if flag["subject_type"] == "staff" else "group"
            flag["url"] = self.url(name, pk=flag["subject_id"])
        return flags


class StaffFormMixin:
    """The person form, without the HR-sensitive fields for those who may not see them (a PM
    without people access edits the rest of the record and leaves those as they are)."""

    def staff_form(self, *args, **kwargs) -> StaffForm:
        form = StaffForm(*args, **kwargs)
        if not self.hr_visible:
            for name in StaffMember.HR_SENSITIVE_FIELDS:
                form.fields.pop(name, None)
        return form

    @staticmethod
    def staff_fields(form: StaffForm) -> dict[str, Any]:
        return {name: value for name, value in form.service_fields().items() if name in form.fields}


class StaffCreateView(StaffFormMixin, TransitionPage):
    model = StaffMember
    template_name = "transition/staff_form.html"
    section = "people"

    def get(self, request, *args, **kwargs):
        self.require_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = self.staff_form(request.POST)
        if form.is_valid():
            try:
                person = services.staff_create(
                    actor=self.actor, partnership=self.partnership, **self.staff_fields(form)
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error, unique_field="work_email")
            else:
                messages.success(request, f"{person.full_name} added to the roster.")
                return HttpResponseRedirect(self.url("staff", pk=person.pk))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", self.staff_form(initial={"site": ""}))
        return context


class StaffUpdateView(StaffFormMixin, TransitionPage):
    """Edit a person. Only those who may change the work see this form; the HR-sensitive
    fields are in it for those with `Action.VIEW_HR`, and the view is recorded."""

    model = StaffMember
    template_name = "transition/staff_form.html"
    section = "people"

    def get(self, request, *args, **kwargs):
        self.require_change()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.require_change()
        form = self.staff_form(request.POST, instance=self.object)
        if form.is_valid():
            try:
                services.staff_update(
                    actor=self.actor, staff_member=self.object, **self.staff_fields(form)
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
            context["form"] = self.staff_form(instance=person)
            if self.hr_visible and any(
                getattr(person, name) for name in StaffMember.HR_SENSITIVE_FIELDS
            ):
                self.log_hr_view(
                    [(person.pk, person.full_name)],
                    context="page.staff.edit",
                    fields=StaffMember.HR_SENSITIVE_FIELDS,
                )
        context["person"] = person
        return context


class StaffDetailView(TransitionPage):
    """A person's record: outcome, dates, knowledge, recognition; the HR-sensitive fields
    and the person's sentiment for those with `Action.VIEW_HR` (recorded); the check-in form
    for those who change the work (it posts here)."""

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
                    checked_on=data.get("checked_on"),
                )
            except SERVICE_ERRORS as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    "Check-in recorded."
                    if self.hr_visible
                    else "Check-in recorded. It is shown to the account manager (and to PMs "
                    "with people access).",
                )
                return HttpResponseRedirect(self.url("staff", pk=self.object.pk) + "#sentiment")
        return self.render_to_response(self.get_context_data(check_in_form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = self.object
        if self.hr_visible and any(
            getattr(person, name) for name in StaffMember.HR_SENSITIVE_FIELDS
        ):
            self.log_hr_view(
                [(person.pk, person.full_name)],
                context="page.staff.detail",
                fields=StaffMember.HR_SENSITIVE_FIELDS,
            )
        # A named person's sentiment is HR-sensitive: not even read without VIEW_HR (the
        # policy's scope would return none of it anyway).
        check_ins = (
            list(
                access.visible(self.membership, SentimentCheckIn)
                .filter(staff_member=person)
                .select_related("recorded_by")
                .order_by("-checked_on", "-id")
            )
            if self.hr_visible
            else []
        )
        for check_in in check_ins:
            check_in.show_note = bool(check_in.note) and self.hr_visible
        if any(check_in.show_note for check_in in check_ins):
            self.log_hr_view(
                [(person.pk, person.full_name)], context="page.staff.check-ins", fields=("note",)
            )
        knowledge = list(
            self.visible(KnowledgeItem).filter(source=person).order_by("-captured_on", "-id")
        )
        scores = [check_in.score for check_in in reversed(check_ins)]
        context.update(
            person=person,
            show_hr=self.hr_visible,
            support_offered=[
                label for value, label in Support.choices if value in (person.support_offered or [])
            ],
            check_ins=check_ins,
            check_ins_scores=scores,
            points=sparkline(scores),
            trend=trend_of(scores),
            knowledge=knowledge,
            can_appoint=access.can(self.membership, Action.APPOINT_PM, self.partnership)
            and person.role in MANAGER_ROLES,
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
        self.require(Action.APPOINT_PM)
        person = self.object
        try:
            result = services.staff_appoint_pm(actor=self.actor, staff_member=person)
        except SERVICE_ERRORS as error:
            messages.error(request, errors_as_message(error))
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
        if not self.membership.is_provider:
            # The client's executives: the group's average and its n, never the check-ins.
            (row,) = [
                row
                for row in selectors.group_sentiment(
                    membership=self.membership, partnership=self.partnership
                )
                if row["id"] == group.pk
            ]
            context.update(group=group, average=row, stages=adkar_steps(group.adkar_stage))
            return context
        check_ins = list(
            access.visible(self.membership, SentimentCheckIn)
            .filter(group=group)
            .select_related("recorded_by")
            .order_by("-checked_on", "-id")
        )
        for check_in in check_ins:
            check_in.show_note = bool(check_in.note) and self.hr_visible
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


# --- People access: which PMs see HR-sensitive data -------------------------------------


class PeopleAccessGrantView(TransitionAction):
    """Grant an implementation PM people access (admins and the account manager)."""

    model = PeopleAccessGrant

    def post(self, request, *args, **kwargs):
        self.require(Action.GRANT_PEOPLE_ACCESS)
        raw = request.POST.get("grantee", "")
        grantee = (
            self.partnership.implementation_pms.filter(pk=int(raw)).first()
            if raw.isdigit()
            else None
        )
        try:
            grant = people_access_grant(
                actor=self.actor,
                partnership=self.partnership,
                grantee=grantee,
                note=request.POST.get("note", "")[:500],
            )
        except SERVICE_ERRORS as error:
            messages.error(request, errors_as_message(error))
        else:
            name = grant.grantee.get_full_name() or grant.grantee.email
            messages.success(
                request,
                f"{name} now sees HR notes, support details and individual sentiment for "
                "this partnership. Every view is recorded; revoke it here at any time.",
            )
        return HttpResponseRedirect(self.url("people") + "#people-access")


class PeopleAccessRevokeView(TransitionAction):
    """Take people access back (admins and the account manager)."""

    model = PeopleAccessGrant
    object_select = ("grantee",)

    def post(self, request, *args, **kwargs):
        self.require(Action.GRANT_PEOPLE_ACCESS)
        grant = self.object
        try:
            people_access_revoke(actor=self.actor, grant=grant)
        except SERVICE_ERRORS as error:
            messages.error(request, errors_as_message(error))
        else:
            name = grant.grantee.get_full_name() or grant.grantee.email
            messages.success(
                request, f"People access revoked: {name} no longer sees HR-sensitive data."
            )
        return HttpResponseRedirect(self.url("people") + "#people-access")

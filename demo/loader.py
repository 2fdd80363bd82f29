"""Load the demo structures (demo/spec.py, demo/data/) through the project's own services, so
the demo data obeys every rule it shows and carries real history and audit rows.

Idempotent: organizations, users, memberships, clients and partnerships are looked up by
their natural key first (a user's password is never reset); a partnership only walks forward
along the status path; the culture, discovery or transition of a partnership that already
has some is left alone, and so are the KPI feed, audits, issues and touchpoints already there.
Every function returns what it created as (kind, what) pairs, for the summary of
`manage.py seed_demo`.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import itertools
import random
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ApiToken, User
from culture import services as culture_services
from culture.models import CallerPopulation, CultureProfile, PhysicianPreference
from demo.spec import (
    AUDIT_ANSWERS,
    AUDIT_ITEMS,
    AuditSpec,
    ClientSpec,
    CultureSpec,
    DiscoverySpec,
    GoNoGo,
    HealthSpec,
    IssueSpec,
    KpiSeries,
    OrganizationSpec,
    PartnershipSpec,
    PersonSpec,
    TaskEdit,
    TaskStatuses,
    TouchpointSpec,
    TransitionSpec,
    Who,
)
from discovery import services as discovery_services
from discovery.models import KpiDefinition, ServiceLine
from health.models import (
    CallAudit,
    FollowUp,
    Issue,
    IssueStatus,
    IssueStatusChange,
    KpiMeasurement,
    MeasurementSource,
    Touchpoint,
)
from health.services import audits as audit_services
from health.services import issues as issue_services
from health.services import kpis as kpi_services
from health.services import touchpoints as touchpoint_services
from partnerships import services as partnership_services
from partnerships.commentable import target_type_of
from partnerships.models import ClientOrganization, Partnership, PartnershipStatus
from tenancy.audit import Actor
from tenancy.models import Membership, Organization, Role
from transition import services as transition_services
from transition.models import GoNoGoDecision, PlanTask, TaskStatus, TransitionPlan

Created = list[tuple[str, str]]
Cast = Mapping[Who, Actor]  # who does what on a partnership
USER_AGENT = "manage.py seed_demo"

# The forward path a demo partnership walks to reach its status (ended is never seeded).
STATUS_PATH = (
    PartnershipStatus.PROSPECT,
    PartnershipStatus.DISCOVERY,
    PartnershipStatus.TRANSITION,
    PartnershipStatus.LIVE,
)


def _day(today: datetime.date, offset: int | None) -> datetime.date | None:
    return None if offset is None else today + datetime.timedelta(days=offset)


def _morning(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _kwargs(item, today: datetime.date, *, skip: Iterable[str] = (), **extra) -> dict[str, Any]:
    """A spec record as its service's keywords: the fields not in `skip` and not left at their
    default, days as dates, amounts as Decimals, tuples as lists; `extra` adds or overrides."""
    kwargs = {}
    for spec_field in dataclasses.fields(item):
        value = getattr(item, spec_field.name)
        if spec_field.name in skip or value == spec_field.default:
            continue
        if spec_field.metadata.get("day"):
            value = _day(today, value)
        elif spec_field.metadata.get("amount"):
            value = Decimal(value)
        elif isinstance(value, tuple):
            value = list(value)
        kwargs[spec_field.name] = value
    return kwargs | extra


# --- Organizations, people, clients and partnerships ---------------------------------------


def load_organization(spec: OrganizationSpec, *, password: str) -> Created:
    created: Created = []
    organization = Organization.objects.filter(slug=spec.slug).first()
    if organization is None:
        # Two-factor sign-in is required of admins and account managers by default; the demo
        # organizations leave it optional so that anyone can sign in as any persona with the
        # password alone (README: one click on Members turns it on).
        organization = Organization(
            slug=spec.slug,
            name=spec.name,
            time_zone=spec.time_zone,
            two_factor_required=False,
        )
        organization.full_clean()
        organization.save()
        created.append(("organization", spec.name))
    today = organization.local_today()

    users = {person.email: _user(person, password, created) for person in spec.everyone()}
    # Provider members first: the admin's actor writes everything else.
    for person in spec.people:
        _membership(organization, users[person.email], person.role, None, created)
    admin = Actor(
        membership=Membership.objects.select_related("organization", "user").get(
            organization=organization, user=users[spec.admin]
        ),
        user_agent=USER_AGENT,
    )
    for client_spec in spec.clients:
        client = _client(admin, client_spec, created)
        for person in client_spec.executives:
            _membership(organization, users[person.email], person.role, client, created)
        partnership_spec = client_spec.partnership
        # Discovery first, then its records, then on through the gates they open.
        partnership = _partnership(
            admin,
            client,
            partnership_spec,
            users,
            today,
            created,
            until=PartnershipStatus.DISCOVERY,
        )
        cast = cast_for(partnership, admin)
        for section, load in (
            (client_spec.culture, load_culture),
            (client_spec.discovery, load_discovery),
        ):
            if section is not None:
                created += load(section, partnership=partnership, cast=cast, today=today)
        partnership = _walk(
            admin, partnership, partnership_spec, today, created, until=PartnershipStatus.TRANSITION
        )
        if client_spec.transition is not None:
            created += load_transition(
                client_spec.transition, partnership=partnership, cast=cast, today=today
            )
        partnership = _walk(
            admin, partnership, partnership_spec, today, created, until=partnership_spec.status
        )
        # Live KPIs count once the partnership is live: the health data comes last.
        if client_spec.health is not None:
            created += load_health(
                client_spec.health, partnership=partnership, cast=cast, today=today
            )
    created += _api_tokens(organization)
    return created


# What the demo's integrations would hold: the telephony feed's token (an account manager's,
# read and write, a year), and a read-only one for a board report (an admin's, 90 days).
DEMO_TOKENS = {
    Role.ACCOUNT_MANAGER: ("ACD nightly KPI push", False, 365),
    Role.ADMIN: ("Quarterly board report", True, 90),
}


def _api_tokens(organization: Organization) -> Created:
    """One token per role above, made through the service (hashed, audited); the keys are
    thrown away, as a real one would be once copied into the integration."""
    created: Created = []
    if ApiToken.objects.filter(organization=organization).exists():
        return created
    for role, (name, read_only, days) in DEMO_TOKENS.items():
        membership = (
            Membership.objects.select_related("organization", "user")
            .filter(organization=organization, role=role)
            .order_by("user__email")
            .first()
        )
        if membership is None:
            continue
        account_services.api_token_create(
            actor=Actor(membership=membership, user_agent=USER_AGENT),
            name=name,
            read_only=read_only,
            expires_in_days=days,
        )
        created.append(("API token", f"{name} ({membership.user.email})"))
    return created


def load_platform_operators(people: Iterable[PersonSpec], *, password: str) -> Created:
    """The platform staff behind the Django admin: users with no organization."""
    created: Created = []
    for person in people:
        _user(person, password, created)
    return created


def _user(person: PersonSpec, password: str, created: Created) -> User:
    user = User.objects.filter(email__iexact=person.email).first()
    if user is None:
        user = User.objects.create_user(
            email=person.email,
            password=password,
            full_name=person.full_name,
            is_staff=person.is_superuser,
            is_superuser=person.is_superuser,
        )
        created.append(("user", person.email))
    elif (user.is_staff, user.is_superuser) != (person.is_superuser, person.is_superuser):
        # An older demo made a tenant's admin a superuser; the admin is platform staff's only.
        user.is_staff = user.is_superuser = person.is_superuser
        user.save(update_fields=["is_staff", "is_superuser"])
        created.append(("admin access change", person.email))
    return user


def _membership(
    organization: Organization,
    user: User,
    role: str,
    client: ClientOrganization | None,
    created: Created,
) -> None:
    if not Membership.objects.filter(organization=organization, user=user).exists():
        membership = Membership(organization=organization, user=user, role=role, client=client)
        membership.full_clean()
        membership.save()
        created.append(("membership", f"{user.email} · {role} · {organization.slug}"))


def _client(actor: Actor, spec: ClientSpec, created: Created) -> ClientOrganization:
    client = ClientOrganization.objects.filter(
        organization=actor.organization, name=spec.name
    ).first()
    if client is None:
        client = partnership_services.client_create(
            actor=actor,
            name=spec.name,
            kind=spec.kind,
            city=spec.city,
            state=spec.state,
            time_zone=spec.time_zone,
        )
        created.append(("client", spec.name))
    return client


def _partnership(
    actor: Actor,
    client: ClientOrganization,
    spec: PartnershipSpec,
    users: dict[str, User],
    today: datetime.date,
    created: Created,
    *,
    until: str,
) -> Partnership:
    partnership = Partnership.objects.filter(
        organization=actor.organization, name=spec.name
    ).first()
    if partnership is None:
        partnership = partnership_services.partnership_create(
            actor=actor,
            implementation_pms=[users[email] for email in spec.implementation_pms],
            client=client,
            name=spec.name,
            contract_start=_day(today, spec.contract_start),
            planned_go_live=_day(today, spec.planned_go_live),
            account_manager=users[spec.account_manager],
            description=spec.description,
            internal_notes=spec.internal_notes,
        )
        created.append(("partnership", spec.name))
    return _walk(actor, partnership, spec, today, created, until=until)


def _walk(
    actor: Actor,
    partnership: Partnership,
    spec: PartnershipSpec,
    today: datetime.date,
    created: Created,
    *,
    until: str,
) -> Partnership:
    """Move the partnership along the status path up to `until` (or the spec's status, if
    it stops before), through the gates: the seeded records open them, or the spec's
    override reason does (the loader acts as the organization's admin)."""
    # Walk forward only: a partnership someone has moved on (or ended) is left alone.
    if partnership.status not in STATUS_PATH:
        return partnership
    start = STATUS_PATH.index(partnership.status) + 1
    stop = min(STATUS_PATH.index(spec.status), STATUS_PATH.index(until)) + 1
    for to_status in STATUS_PATH[start:stop]:
        go_live = to_status == PartnershipStatus.LIVE and spec.actual_go_live is not None
        partnership = partnership_services.partnership_transition(
            actor=actor,
            partnership=partnership,
            to_status=to_status,
            note=spec.notes.get(to_status, ""),
            actual_go_live=_day(today, spec.actual_go_live) if go_live else None,
            override_reason=spec.overrides.get(to_status, ""),
        )
        created.append(("status change", f"{spec.name} → {to_status}"))
    return partnership


def cast_for(partnership: Partnership, admin: Actor) -> Cast:
    """The partnership's account manager, first implementation PM and client executive as
    actors; the organization's admin stands in for anyone it lacks."""
    members = Membership.objects.select_related("organization", "user").filter(
        organization_id=partnership.organization_id
    )
    candidates = {
        "manager": members.filter(user_id=partnership.account_manager_id),
        "pm": members.filter(user=partnership.implementation_pms.order_by("pk").first()),
        "executive": members.filter(role=Role.CLIENT_EXECUTIVE, client_id=partnership.client_id),
    }
    cast: dict[Who, Actor] = {"admin": admin}
    for who, memberships in candidates.items():
        membership = memberships.order_by("pk").first()
        cast[who] = admin if membership is None else Actor(membership, user_agent=USER_AGENT)
    return cast


# --- Culture -------------------------------------------------------------------------------


def _months_back(today: datetime.date, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """The last `count` whole calendar months before this one, oldest first."""
    periods = []
    year, month = today.year, today.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        last = calendar.monthrange(year, month)[1]
        periods.append((datetime.date(year, month, 1), datetime.date(year, month, last)))
    return list(reversed(periods))


def load_culture(
    spec: CultureSpec, *, partnership: Partnership, cast: Cast, today: datetime.date
) -> Created:
    """Written by the account manager, signed off by the client's executive."""
    if any(
        model.objects.filter(partnership=partnership).exists()
        for model in (CultureProfile, CallerPopulation, PhysicianPreference)
    ):
        return []
    writer, signer = cast["manager"], cast["executive"]
    culture_services.culture_profile_update(actor=writer, partnership=partnership, **spec.profile)
    created: Created = [("culture profile", partnership.name)]

    populations = {}
    for item in spec.populations:
        languages = [
            {"language": code, "share": Decimal(share)} for code, share in item.languages.items()
        ]
        populations[item.name] = culture_services.caller_population_create(
            actor=writer,
            partnership=partnership,
            **_kwargs(item, today, skip=("fields",), languages=languages, **item.fields),
        )
        created.append(("caller population", item.name))

    adaptations = {}
    for item in spec.adaptations:
        adaptations[item.title] = culture_services.adaptation_create(
            actor=writer,
            **_kwargs(
                item,
                today,
                population=populations[item.population],
                owner=cast[item.owner].user,
            ),
        )
        created.append(("adaptation", item.title))

    for item in spec.nurses:
        trainings = [
            {"adaptation": adaptations[title], "completed_on": _day(today, day)}
            for title, day in item.trainings.items()
        ]
        culture_services.nurse_create(
            actor=writer, partnership=partnership, **_kwargs(item, today, trainings=trainings)
        )
        created.append(("nurse", item.name))

    for item in spec.preferences:
        preference = culture_services.physician_preference_create(
            actor=writer,
            partnership=partnership,
            text=item.versions[0],
            **_kwargs(item, today, skip=("versions", "signed")),
        )
        for number, text in enumerate(item.versions, start=1):
            if number > 1:
                culture_services.physician_preference_version_create(
                    actor=writer, preference=preference, text=text
                )
            if item.signed >= number:
                culture_services.physician_preference_sign_off(actor=signer, preference=preference)
        created.append(("physician preference", f"{item.physician}: {item.title}"))

    for name, rows in spec.satisfaction.items():
        for (start, end), (responses, satisfied, answered) in zip(
            _months_back(today, len(rows)), rows, strict=True
        ):
            culture_services.satisfaction_result_create(
                actor=writer,
                population=populations[name],
                period_start=start,
                period_end=end,
                responses=responses,
                satisfied_pct=Decimal(satisfied),
                questions_answered_pct=Decimal(answered),
            )
            created.append(("satisfaction result", f"{name}, {start:%Y-%m}"))
    return created


# --- Discovery -----------------------------------------------------------------------------


def load_discovery(
    spec: DiscoverySpec, *, partnership: Partnership, cast: Cast, today: datetime.date
) -> Created:
    if ServiceLine.objects.filter(partnership=partnership).exists():
        return []
    recorder, lead = cast[spec.inventory_by], cast[spec.led_by]
    discovery_services.kpi_catalog_ensure(organization=partnership.organization)
    kpis = {
        kpi.key: kpi
        for kpi in KpiDefinition.objects.filter(organization_id=partnership.organization_id)
    }
    first, last = spec.baseline_period
    period = {"period_start": _day(today, first), "period_end": _day(today, last)}
    created: Created = []

    service_lines = {}
    for item in spec.services:
        service_lines[item.name] = discovery_services.service_line_create(
            actor=recorder,
            partnership=partnership,
            **_kwargs(item, today, skip=("baselines", "baseline_report")),
        )
        created.append(("service", item.name))

    reports = {}
    for item in spec.reports:
        reports[item.name] = discovery_services.report_create(
            actor=recorder,
            partnership=partnership,
            upload=SimpleUploadedFile(item.file_name, item.content),
            **_kwargs(item, today, skip=("file_name", "content"), **period),
        )
        created.append(("report", item.name))

    count = 0
    for item in spec.services:
        for key, value in item.baselines:
            discovery_services.baseline_create(
                actor=recorder,
                partnership=partnership,
                service_line=service_lines[item.name],
                kpi=kpis[key],
                value=Decimal(value),
                source_report=reports.get(item.baseline_report),
                **period,
            )
            count += 1
    if count:
        created.append(("baselines", f"{count} for {partnership}"))

    for item in spec.call_flows:
        first_version, *later = item.versions
        call_flow = discovery_services.call_flow_create(
            actor=recorder,
            partnership=partnership,
            service_line=service_lines[item.service],
            graph=first_version.graph,
            note=first_version.note,
            **_kwargs(item, today, skip=("service", "versions")),
        )
        if first_version.reviewed:
            discovery_services.call_flow_version_review(
                actor=lead, version=call_flow.latest_version
            )
        for version in later:
            saved = discovery_services.call_flow_version_create(
                actor=recorder, call_flow=call_flow, graph=version.graph, note=version.note
            )
            if version.reviewed:
                discovery_services.call_flow_version_review(actor=lead, version=saved)
        created.append(("call flow", str(call_flow)))

    for item in spec.sessions:
        discovery_services.session_create(
            actor=lead, partnership=partnership, **_kwargs(item, today)
        )
        created.append(("discovery session", item.title))

    for item in spec.goals:
        where = {"service_line": service_lines[item.service]} if item.service else {}
        discovery_services.goal_create(
            actor=lead,
            partnership=partnership,
            **_kwargs(item, today, skip=("service",), kpi=kpis[item.kpi], **where),
        )
        created.append(("experience goal", item.statement))
    if spec.goals_signed_off is not None:
        discovery_services.goals_sign_off(
            actor=cast["executive"], partnership=partnership, note=spec.goals_signed_off
        )
    if spec.signed_off is not None:
        discovery_services.discovery_sign_off(
            actor=lead, partnership=partnership, note=spec.signed_off
        )
        discovery_services.discovery_cosign(actor=cast["executive"], partnership=partnership)
        created.append(("discovery sign-off", str(partnership)))

    for item in spec.opportunities:
        opportunity = discovery_services.opportunity_create(
            actor=cast[item.by],
            partnership=partnership,
            **_kwargs(
                item,
                today,
                skip=("by", "service", "decision"),
                service_line=service_lines[item.service],
                kpi=kpis[item.kpi],
            ),
        )
        if item.decision is not None:
            decision, note = item.decision
            discovery_services.opportunity_decide(
                actor=cast["executive"], opportunity=opportunity, decision=decision, note=note
            )
        created.append(("opportunity", item.title))
    return created


# --- Transition ----------------------------------------------------------------------------


def load_transition(
    spec: TransitionSpec, *, partnership: Partnership, cast: Cast, today: datetime.date
) -> Created:
    if TransitionPlan.objects.filter(partnership=partnership).exists():
        return []
    cast = {**cast, "pm": cast[spec.run_by]}
    pm, manager = cast["pm"], cast["manager"]
    plan = transition_services.plan_create(actor=pm, partnership=partnership)
    plan.partnership = partnership
    transition_services.plan_baseline(actor=pm, plan=plan)
    for key, task in _tasks(plan).items():
        if task.culture_adaptation_id:
            continue  # a culture task came with its adaptation's owner
        owner = cast[spec.task_owners.get(key, "pm")]
        transition_services.task_update(actor=pm, task=task, owner=owner.user)
    created: Created = [("transition plan", partnership.name)]

    people = []  # (spec, staff member)
    for person in spec.roster:
        member = transition_services.staff_create(
            actor=cast["admin"],
            partnership=partnership,
            **_kwargs(
                person, today, skip=("appointed_pm", "check_ins", "knowledge"), site=spec.site
            ),
        )
        people.append((person, member))
        created.append(("staff member", person.full_name))
    for person, member in people:
        if person.appointed_pm:
            transition_services.staff_appoint_pm(actor=cast["admin"], staff_member=member)

    groups = {}
    for item in spec.groups:
        groups[item.name] = group = transition_services.group_create(
            actor=pm, partnership=partnership, **_kwargs(item, today, skip=("check_ins",))
        )
        _check_ins(pm, partnership, item.check_ins, today, group=group)
    for person, member in people:
        _check_ins(manager, partnership, person.check_ins, today, staff_member=member)

    for person, member in people:
        for item in person.knowledge:
            knowledge = transition_services.knowledge_create(
                actor=pm,
                partnership=partnership,
                **_kwargs(item, today, skip=("status",), source=member),
            )
            if item.status in ("reviewed", "transferred"):
                transition_services.knowledge_review(actor=manager, item=knowledge)
            if item.status == "transferred":
                transition_services.knowledge_transfer(actor=pm, item=knowledge)

    for item in spec.communications:
        communication = transition_services.communication_create(
            actor=pm,
            partnership=partnership,
            **_kwargs(
                item,
                today,
                skip=("sent",),
                owner=cast[item.owner].user,
                group=groups.get(item.group),
            ),
        )
        if item.sent:
            transition_services.communication_mark_sent(
                actor=pm, item=communication, sent_at=_morning(communication.planned_on)
            )

    for step in spec.story:
        if isinstance(step, TaskStatuses):
            _task_statuses(pm, plan, step, today)
        elif isinstance(step, TaskEdit):
            _task_edit(cast, plan, step)
        elif isinstance(step, GoNoGo):
            _go_no_go(cast, plan, step, today)

    # Services stamp `now`; the demo's history happened earlier. Put the baseline on the day
    # of the kickoff and each finished task's completion on its due date.
    tasks = _tasks(plan)
    baselined_on = tasks["kickoff"].start if "kickoff" in tasks else today
    TransitionPlan.objects.filter(pk=plan.pk).update(baselined_at=_morning(baselined_on))
    for task in tasks.values():
        if task.status == TaskStatus.DONE:
            PlanTask.objects.filter(pk=task.pk).update(completed_at=_morning(task.due))
    return created


def _tasks(plan: TransitionPlan) -> dict[str, PlanTask]:
    return {
        task.key: task
        for task in PlanTask.objects.filter(plan=plan).select_related("plan", "partnership")
    }


def _check_ins(
    actor: Actor,
    partnership: Partnership,
    check_ins: Iterable[tuple[int, int, str]],
    today: datetime.date,
    **about,
) -> None:
    for day, score, note in check_ins:
        transition_services.check_in_create(
            actor=actor,
            partnership=partnership,
            score=score,
            note=note,
            checked_on=_day(today, day),
            **about,
        )


def _task_statuses(
    actor: Actor, plan: TransitionPlan, step: TaskStatuses, today: datetime.date
) -> None:
    tasks = [
        task
        for key, task in _tasks(plan).items()
        if key not in step.unless
        and (key in step.also or (step.when is not None and step.when(task, today)))
    ]
    if tasks:
        transition_services.task_bulk_status(actor=actor, tasks=tasks, status=step.status)


def _task_edit(cast: Cast, plan: TransitionPlan, step: TaskEdit) -> None:
    task = _tasks(plan).get(step.key)
    if task is None:  # not in this plan's template
        return
    actor = cast[step.by]
    if step.move:
        transition_services.task_move(
            actor=actor,
            task=task,
            start=_day(task.start, step.move),
            auto_schedule=step.auto_schedule,
        )
        task.refresh_from_db()
    fields = {}
    if step.extend:
        fields["due"] = _day(task.due, step.extend)
    if step.status is not None:
        fields["status"] = step.status
    if fields:
        transition_services.task_update(
            actor=actor,
            task=task,
            auto_schedule=step.auto_schedule and "due" in fields,
            **fields,
        )
    for comment in step.comments:
        partnership_services.comment_create(
            actor=cast[comment.by],
            partnership=task.partnership,
            target_type=target_type_of(task),
            target_id=task.pk,
            body=comment.body,
            shared_with_client=comment.shared_with_client,
        )


def _go_no_go(cast: Cast, plan: TransitionPlan, step: GoNoGo, today: datetime.date) -> None:
    decision = transition_services.go_no_go_record(
        actor=cast[step.by],
        partnership=plan.partnership,
        decision=step.decision,
        rationale=step.rationale,
    )
    task = _tasks(plan).get(step.on_task)
    GoNoGoDecision.objects.filter(pk=decision.pk).update(
        created_at=_morning(task.due if task else today)
    )


# --- Health --------------------------------------------------------------------------------


def load_health(
    spec: HealthSpec, *, partnership: Partnership, cast: Cast, today: datetime.date
) -> Created:
    """The KPI feed's figures (one upsert, as the telephony/ACD integration sends them), the
    QA nurses' audits, the issue log and the account manager's touchpoints. Each part is
    looked up by its natural key first (KPIs: any figure from the feed; audits: the call's
    reference; issues: the title; touchpoints: the day and kind), so a second run adds
    nothing."""
    lines = {line.name: line for line in ServiceLine.objects.filter(partnership=partnership)}
    created: Created = []
    created += _kpi_feed(spec.kpis, partnership, cast, today)
    created += _audits(spec.audits, partnership, cast, lines, today)
    created += _issues(spec.issues, partnership, cast, lines)
    created += _touchpoints(spec.touchpoints, partnership, cast, today)
    return created


def _level(points: tuple[tuple[int, str], ...], offset: int) -> float:
    """The value on day `offset` of the straight lines between the points."""
    for (day_a, value_a), (day_b, value_b) in itertools.pairwise(points):
        if day_a <= offset <= day_b:
            share = 0.0 if day_b == day_a else (offset - day_a) / (day_b - day_a)
            return float(value_a) + share * (float(value_b) - float(value_a))
    return float(points[-1][1] if offset > points[-1][0] else points[0][1])


def kpi_rows(item: KpiSeries, *, today: datetime.date, seed: str) -> list[dict[str, Any]]:
    """A series' rows for `measurements_upsert`; the noise comes from a generator seeded by
    `seed`, the service and the KPI, so every run writes the same figures."""
    noise = random.Random(f"{seed}|{item.service or ''}|{item.kpi}")  # noqa: S311 (demo noise)
    quantum = Decimal(1).scaleb(-item.decimals)
    rows = []
    for offset in range(item.points[0][0], item.points[-1][0] + 1):
        day = today + datetime.timedelta(days=offset)
        if item.weekdays_only and day.weekday() >= 5:
            continue
        value = (
            _level(item.points, offset)
            + float(item.weekly.get(day.weekday(), "0"))
            + noise.uniform(-float(item.noise), float(item.noise))
        )
        row = {
            "kpi": item.kpi,
            "service": item.service or "",
            "day": day,
            "value": max(Decimal(0), Decimal(str(value)).quantize(quantum)),
        }
        if item.calls:
            row["sample_size"] = round(item.calls * noise.uniform(0.85, 1.15))
        rows.append(row)
    return rows


def _kpi_feed(
    series: Iterable[KpiSeries], partnership: Partnership, cast: Cast, today: datetime.date
) -> Created:
    series = tuple(series)
    feed = KpiMeasurement.objects.filter(partnership=partnership, source=MeasurementSource.API)
    if not series or feed.exists():
        return []
    rows = [row for item in series for row in kpi_rows(item, today=today, seed=partnership.name)]
    result = kpi_services.measurements_upsert(
        actor=cast["admin"], partnership=partnership, rows=rows, source=MeasurementSource.API
    )
    return [("KPI measurements", f"{result.created} for {partnership}")]


def _audits(
    audits: Iterable[AuditSpec],
    partnership: Partnership,
    cast: Cast,
    lines: Mapping[str, ServiceLine],
    today: datetime.date,
) -> Created:
    audits = tuple(audits)
    done = set(
        CallAudit.objects.filter(partnership=partnership).values_list("call_reference", flat=True)
    )
    auditors = {
        user.email: user
        for user in User.objects.filter(email__in={item.auditor for item in audits})
    }
    created: Created = []
    for item in audits:
        if item.call_reference in done:
            continue
        answers = {
            name: AUDIT_ANSWERS[letter]
            for name, letter in zip(AUDIT_ITEMS, item.answers, strict=True)
        }
        # Recorded by the organization's admin (who runs the QA programme) for the QA nurse.
        audit_services.audit_record(
            actor=cast["admin"],
            partnership=partnership,
            auditor=auditors[item.auditor],
            call_reference=item.call_reference,
            call_date=_day(today, item.call_date),
            service_line=lines[item.service] if item.service else None,
            triage_error=item.triage_error,
            red_flag_missed=item.red_flag_missed,
            notes=item.notes,
            **answers,
        )
        created.append(("call audit", item.call_reference))
    return created


def _issues(
    issues: Iterable[IssueSpec],
    partnership: Partnership,
    cast: Cast,
    lines: Mapping[str, ServiceLine],
) -> Created:
    known = set(Issue.objects.filter(partnership=partnership).values_list("title", flat=True))
    now = timezone.now()
    created: Created = []
    for item in issues:
        if item.title in known:
            continue
        raiser = cast[item.raised_by]
        manager = cast[item.owner or "manager"]
        fields: dict[str, Any] = {
            "title": item.title,
            "description": item.description,
            "severity": item.severity,
        }
        if item.service:
            fields["service_line"] = lines[item.service]
        provider_fields = {}
        if item.owner:
            provider_fields["owner"] = cast[item.owner].user
        if item.internal_notes:
            provider_fields["internal_notes"] = item.internal_notes
        if raiser.membership.is_provider:
            issue = issue_services.issue_raise(
                actor=raiser, partnership=partnership, **fields, **provider_fields
            )
        else:  # a client executive raises it; the provider assigns it
            issue = issue_services.issue_raise(actor=raiser, partnership=partnership, **fields)
            if provider_fields:
                issue_services.issue_update(actor=manager, issue=issue, **provider_fields)
        # Services stamp `now`: put the issue on the day it was raised, and each move at its
        # hour, so that its SLA clock reads as it would have.
        opened_at = now - datetime.timedelta(days=item.opened)
        Issue.objects.filter(pk=issue.pk).update(opened_at=opened_at)
        issue.opened_at = opened_at
        for status, hours in item.path:
            at = opened_at + datetime.timedelta(hours=hours)
            change = issue_services.issue_transition(
                actor=manager,
                issue=issue,
                status=status,
                resolution=item.resolution if status == IssueStatus.RESOLVED else None,
                now=at,
            )
            IssueStatusChange.objects.filter(pk=change.pk).update(created_at=at)
        created.append(("issue", item.title))
    return created


def _touchpoints(
    touchpoints: Iterable[TouchpointSpec],
    partnership: Partnership,
    cast: Cast,
    today: datetime.date,
) -> Created:
    known = set(Touchpoint.objects.filter(partnership=partnership).values_list("date", "kind"))
    writer = cast["manager"]
    created: Created = []
    for item in touchpoints:
        date = _day(today, item.date)
        if (date, item.kind) in known:
            continue
        touchpoint = touchpoint_services.touchpoint_create(
            actor=writer,
            partnership=partnership,
            date=date,
            kind=item.kind,
            attendees=item.attendees,
            notes=item.notes,
            follow_ups=[
                {"action": f.action, "owner": cast[f.owner].user, "due": _day(today, f.due)}
                for f in item.follow_ups
            ],
        )
        rows = FollowUp.objects.filter(touchpoint=touchpoint).order_by("pk")
        for spec_row, row in zip(item.follow_ups, rows, strict=True):
            if spec_row.done:
                touchpoint_services.follow_up_set_done(actor=writer, follow_up=row, done=True)
                FollowUp.objects.filter(pk=row.pk).update(done_at=_morning(row.due))
        created.append(("touchpoint", f"{partnership}: {item.kind} on {date}"))
    return created

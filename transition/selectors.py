"""Reads for transition: scoped by the access policy, joins done up front, and the derived
views (schedule, Gantt rows, my tasks, notice check, knowledge coverage, sentiment flags,
go/no-go readiness) computed from a fixed number of queries whatever the size of the plan.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, Prefetch, Q, QuerySet

from discovery.selectors import discovery_open_sign_off
from tenancy import access
from tenancy.queries import id_in
from transition import schedule
from transition.models import (
    DEPARTING_OUTCOMES,
    SETTLED_STATUSES,
    GoNoGoDecision,
    KnowledgeItem,
    KnowledgeStatus,
    Outcome,
    Phase,
    PlanTask,
    PlanTemplate,
    SentimentCheckIn,
    StaffMember,
    StakeholderGroup,
    TaskDependency,
    TaskStatus,
    TransitionPlan,
)

if TYPE_CHECKING:
    from partnerships.models import Partnership
    from tenancy.models import Membership

CALENDAR_DAYS_NOTE = (
    "Dates are calendar days: weekends and holidays count like any other day, since a triage "
    "line runs every day of the year."
)


# --- Plan ------------------------------------------------------------------------------


def plan_for(*, membership: Membership, partnership: Partnership) -> TransitionPlan | None:
    plan = (
        access.visible(membership, TransitionPlan)
        .select_related("baselined_by")
        .filter(partnership=partnership)
        .first()
    )
    if plan is not None:
        plan.partnership = partnership  # already resolved (and checked) by the caller
    return plan


def plan_tasks(*, membership: Membership, partnership: Partnership) -> QuerySet[PlanTask]:
    return (
        access.visible(membership, PlanTask)
        .filter(partnership=partnership)
        .select_related("owner")
        .prefetch_related(
            Prefetch(
                "predecessor_links",
                queryset=TaskDependency.objects.order_by("predecessor_id"),
            )
        )
    )


def template_list(*, membership: Membership) -> QuerySet[PlanTemplate]:
    return access.visible(membership, PlanTemplate).select_related("created_by")


@dataclass
class PlanView:
    """A plan with its tasks, its dependencies and the computed schedule."""

    plan: TransitionPlan
    tasks: list[PlanTask]
    edges: list[schedule.Edge]
    schedule: schedule.Schedule

    @property
    def by_id(self) -> dict[int, PlanTask]:
        return {task.pk: task for task in self.tasks}

    def predecessors(self) -> dict[int, list[schedule.Edge]]:
        incoming: dict[int, list[schedule.Edge]] = defaultdict(list)
        for edge in self.edges:
            incoming[edge.successor].append(edge)
        return incoming

    def forecast_due(self, task: PlanTask) -> datetime.date:
        return self.schedule.timings[task.pk].early_finish

    def ancestors_of(self, task_id: int) -> set[int]:
        incoming = self.predecessors()
        found: set[int] = set()
        stack = [task_id]
        while stack:
            for edge in incoming.get(stack.pop(), ()):
                if edge.predecessor not in found:
                    found.add(edge.predecessor)
                    stack.append(edge.predecessor)
        return found


def nodes_for(tasks: list[PlanTask]) -> list[schedule.Node]:
    return [
        schedule.Node(
            id=task.pk,
            start=task.start,
            due=task.due,
            milestone=task.is_milestone,
            done=task.status == TaskStatus.DONE,
        )
        for task in tasks
    ]


def plan_edges(*, membership: Membership, partnership: Partnership) -> list[schedule.Edge]:
    rows = (
        access.visible(membership, TaskDependency)
        .filter(partnership=partnership)
        .values_list("predecessor_id", "successor_id", "lag_days")
    )
    return [schedule.Edge(p, s, lag) for p, s, lag in rows]


@dataclass(frozen=True, slots=True)
class OwnerRow:
    pk: int
    email: str
    full_name: str


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A plan task as the read-only views use it (the plan page, the Gantt, the summaries,
    readiness): its fields and the two rules they ask, read as values rather than as a model
    instance with its owner's (430 instances for a plan of 210 tasks)."""

    pk: int
    key: str
    title: str
    phase: str
    status: str
    is_milestone: bool
    start: datetime.date
    due: datetime.date
    baseline_start: datetime.date | None
    baseline_due: datetime.date | None
    estimate_hours: Any
    culture_adaptation_id: int | None
    culture_sync_flag: str
    owner: OwnerRow | None

    @property
    def is_done(self) -> bool:
        return self.status == TaskStatus.DONE

    def is_overdue(self, today: datetime.date, *, due: datetime.date | None = None) -> bool:
        """`PlanTask.is_overdue`."""
        return not self.is_done and (due or self.due) < today


_TASK_ROW_COLUMNS = (
    "id",
    "key",
    "title",
    "phase",
    "status",
    "is_milestone",
    "start",
    "due",
    "baseline_start",
    "baseline_due",
    "estimate_hours",
    "culture_adaptation_id",
    "culture_sync_flag",
    "owner_id",
    "owner__email",
    "owner__full_name",
)


def _task_rows(queryset: QuerySet[PlanTask]) -> list[TaskRow]:
    owners: dict[int, OwnerRow] = {}
    rows = []
    for *fields, owner_id, email, full_name in queryset.values_list(*_TASK_ROW_COLUMNS):
        owner = None
        if owner_id is not None:
            owner = owners.get(owner_id)
            if owner is None:
                owner = owners[owner_id] = OwnerRow(owner_id, email, full_name)
        rows.append(TaskRow(*fields, owner))
    return rows


def plan_view(*, membership: Membership, plan: TransitionPlan, instances: bool = False) -> PlanView:
    """Two queries: the tasks (with owners) and the dependencies. The tasks are `TaskRow`s,
    or model instances with `instances=True` (for a form that needs them)."""
    partnership = plan.partnership
    queryset = (
        access.visible(membership, PlanTask)
        .filter(partnership=partnership)
        .order_by("start", "sort_order", "id")
    )
    tasks = list(queryset.select_related("owner")) if instances else _task_rows(queryset)
    edges = plan_edges(membership=membership, partnership=partnership)
    return PlanView(
        plan=plan, tasks=tasks, edges=edges, schedule=schedule.compute(nodes_for(tasks), edges)
    )


def _owner(task: PlanTask) -> dict[str, Any] | None:
    if task.owner is None:
        return None
    return {"id": task.owner.pk, "email": task.owner.email, "full_name": task.owner.full_name}


def gantt_rows(view: PlanView) -> list[dict[str, Any]]:
    """One row per task for the Gantt view and the plain table, in schedule order."""
    incoming = view.predecessors()
    rows = []
    for task in sorted(view.tasks, key=lambda t: (view.schedule.timings[t.pk].early_start, t.pk)):
        timing = view.schedule.timings[task.pk]
        rows.append(
            {
                "id": task.pk,
                "key": task.key,
                "title": task.title,
                "phase": task.phase,
                "status": task.status,
                "is_milestone": task.is_milestone,
                "owner": _owner(task),
                "start": task.start,
                "due": task.due,
                "forecast_start": timing.early_start,
                "forecast_due": timing.early_finish,
                "baseline_start": task.baseline_start,
                "baseline_due": task.baseline_due,
                "slip_days": schedule.slip_days(timing.early_finish, task.baseline_due),
                "total_float_days": timing.total_float,
                "critical": timing.critical,
                "conflict": timing.conflict,
                "estimate_hours": task.estimate_hours,
                "culture_adaptation_id": task.culture_adaptation_id,
                "culture_sync_flag": task.culture_sync_flag,
                "dependencies": [
                    {"predecessor": edge.predecessor, "lag_days": edge.lag}
                    for edge in sorted(incoming.get(task.pk, ()), key=lambda e: e.predecessor)
                ],
            }
        )
    return rows


def conflict_rows(view: PlanView) -> list[dict[str, Any]]:
    by_id = view.by_id
    return [
        {
            "predecessor": conflict.predecessor,
            "predecessor_title": by_id[conflict.predecessor].title,
            "successor": conflict.successor,
            "successor_title": by_id[conflict.successor].title,
            "lag_days": conflict.lag,
            "current_start": conflict.current_start,
            "required_start": conflict.required_start,
            "days": conflict.days,
        }
        for conflict in view.schedule.conflicts
    ]


def go_live_forecast(view: PlanView) -> dict[str, Any]:
    """The plan's go-live: forecast against the baseline and the partnership's planned date."""
    plan, partnership = view.plan, view.plan.partnership
    task = view.by_id.get(plan.go_live_task_id) if plan.go_live_task_id else None
    forecast = view.forecast_due(task) if task else None
    baseline = task.baseline_due if task else None
    planned = partnership.planned_go_live
    return {
        "task": task.pk if task else None,
        "planned": planned,
        "baseline": baseline,
        "forecast": forecast,
        "slip_days": schedule.slip_days(forecast, baseline) if forecast else None,
        "days_past_planned": (forecast - planned).days if forecast and planned else None,
    }


def plan_summary(view: PlanView) -> dict[str, Any]:
    plan = view.plan
    done = sum(1 for task in view.tasks if task.status == TaskStatus.DONE)
    milestones = [
        {
            "id": task.pk,
            "title": task.title,
            "status": task.status,
            "baseline_due": task.baseline_due,
            "forecast_due": view.forecast_due(task),
            "slip_days": schedule.slip_days(view.forecast_due(task), task.baseline_due),
            "critical": view.schedule.timings[task.pk].critical,
        }
        for task in view.tasks
        if task.is_milestone
    ]
    milestones.sort(key=lambda row: (row["forecast_due"], row["id"]))
    return {
        "id": plan.pk,
        "partnership": plan.partnership_id,
        "template_name": plan.template_name,
        "go_live_anchor": plan.go_live,
        "baselined_at": plan.baselined_at,
        "baselined_by": (
            {"id": plan.baselined_by.pk, "full_name": plan.baselined_by.full_name}
            if plan.baselined_by
            else None
        ),
        "task_count": len(view.tasks),
        "done_count": done,
        "project_start": view.schedule.project_start,
        "project_finish": view.schedule.project_finish,
        "go_live": go_live_forecast(view),
        "milestones": milestones,
        "conflict_count": len(view.schedule.conflicts),
        "calendar_note": CALENDAR_DAYS_NOTE,
        "created_at": plan.created_at,
    }


def critical_path(view: PlanView) -> dict[str, Any]:
    by_id = view.by_id
    timings = view.schedule.timings
    return {
        "project_start": view.schedule.project_start,
        "project_finish": view.schedule.project_finish,
        "critical_task_ids": [i for i in view.schedule.order if timings[i].critical],
        "path": [
            {
                "id": task_id,
                "title": by_id[task_id].title,
                "is_milestone": by_id[task_id].is_milestone,
                "forecast_start": timings[task_id].early_start,
                "forecast_due": timings[task_id].early_finish,
            }
            for task_id in view.schedule.critical_path
        ],
        "tasks": [
            {
                "id": task_id,
                "early_start": timings[task_id].early_start,
                "early_finish": timings[task_id].early_finish,
                "late_start": timings[task_id].late_start,
                "late_finish": timings[task_id].late_finish,
                "total_float_days": timings[task_id].total_float,
                "critical": timings[task_id].critical,
            }
            for task_id in view.schedule.order
        ],
        "conflicts": conflict_rows(view),
        "calendar_note": CALENDAR_DAYS_NOTE,
    }


# --- My tasks --------------------------------------------------------------------------


def my_tasks(*, membership: Membership, today: datetime.date | None = None) -> dict[str, Any]:
    """The member's open tasks across the partnerships they see: overdue, due in the next
    seven days, and blocked by someone else's unfinished predecessor. Three queries."""
    today = today or membership.organization.local_today()
    week_end = today + datetime.timedelta(days=6)
    tasks = list(
        access.visible(membership, PlanTask)
        .open()
        .filter(owner_id=membership.user_id)
        .select_related("partnership")
        .order_by("due", "start", "id")
    )
    blockers: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if tasks:
        links = (
            access.visible(membership, TaskDependency)
            .filter(successor_id__in=[task.pk for task in tasks])
            .exclude(predecessor__status=TaskStatus.DONE)
            .select_related("predecessor__owner")
            .order_by("predecessor__due", "predecessor_id")
        )
        for link in links:
            predecessor = link.predecessor
            if predecessor.owner_id == membership.user_id:
                continue  # waiting on yourself is not being blocked by others
            blockers[link.successor_id].append(
                {
                    "id": predecessor.pk,
                    "title": predecessor.title,
                    "due": predecessor.due,
                    "status": predecessor.status,
                    "owner": _owner(predecessor),
                }
            )

    def row(task: PlanTask) -> dict[str, Any]:
        return {
            "id": task.pk,
            "title": task.title,
            "phase": task.phase,
            "status": task.status,
            "start": task.start,
            "due": task.due,
            "is_milestone": task.is_milestone,
            "partnership": {"id": task.partnership_id, "name": task.partnership.name},
            "days_overdue": max((today - task.due).days, 0),
            "blocked_by": blockers.get(task.pk, []),
        }

    return {
        "today": today,
        "open_count": len(tasks),
        "overdue": [row(t) for t in tasks if t.is_overdue(today)],
        "due_this_week": [row(t) for t in tasks if today <= t.due <= week_end],
        "blocked_by_others": [row(t) for t in tasks if t.pk in blockers],
    }


def my_calendar_tasks(*, membership: Membership) -> QuerySet[PlanTask]:
    """Open tasks the member owns, for the iCalendar feed (one query)."""
    return (
        access.visible(membership, PlanTask)
        .open()
        .filter(owner_id=membership.user_id)
        .select_related("partnership")
        .order_by("due", "id")
    )


# --- People ----------------------------------------------------------------------------


def staff_list(*, membership: Membership, partnership: Partnership) -> QuerySet[StaffMember]:
    return (
        access.visible(membership, StaffMember)
        .filter(partnership=partnership)
        .select_related("pm_invitation")
    )


# The WARN Act (29 U.S.C. §§ 2101-2109; 20 CFR part 639): employers with 100 or more
# employees give 60 calendar days' written notice of a plant closing or mass layoff; a mass
# layoff starts at 50 employment losses at a single site of employment.
WARN_NOTICE_DAYS = 60
WARN_SITE_THRESHOLD = 50
WARN_RULE = (
    "The federal WARN Act (29 U.S.C. §§ 2101-2109; 20 CFR part 639) requires employers with "
    "100 or more employees to give 60 calendar days' written notice of a plant closing or "
    "mass layoff; a mass layoff starts at 50 employment losses at a single site of employment "
    "(within 30 days, and 33% of the site's workforce below 500). Several states have stricter "
    "'mini-WARN' laws."
)
WARN_DISCLAIMER = (
    "This is a warning to look closer, not legal advice: it counts every lay-off on this "
    "roster at the site, whatever the dates, and does not know the client's total workforce. "
    "Ask the client's employment counsel."
)


def _site_label(site: str) -> str:
    return site.strip() or "(no site given)"


def notice_check(*, membership: Membership, partnership: Partnership) -> dict[str, Any]:
    """Warn when a lay-off's notice is shorter than 60 days at a site where lay-offs reach 50.

    One query. Notice is counted in calendar days from the notice date to the last day; a
    lay-off without both dates at such a site is flagged too (its notice cannot be shown).
    """
    rows = (
        access.visible(membership, StaffMember)
        .filter(partnership=partnership, outcome=Outcome.LAID_OFF)
        .order_by("site", "full_name", "id")
        .values("id", "full_name", "site", "notice_date", "last_day")
    )
    sites: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        sites[_site_label(row["site"]).casefold()].append(row)
    result_sites = []
    warnings = []
    for people in sites.values():
        label = _site_label(people[0]["site"])
        reached = len(people) >= WARN_SITE_THRESHOLD
        short = []
        for person in people:
            if person["notice_date"] and person["last_day"]:
                days = (person["last_day"] - person["notice_date"]).days
            else:
                days = None
            if days is None or days < WARN_NOTICE_DAYS:
                short.append(
                    {
                        "id": person["id"],
                        "full_name": person["full_name"],
                        "notice_date": person["notice_date"],
                        "last_day": person["last_day"],
                        "notice_days": days,
                    }
                )
        flagged = short if reached else []
        if flagged:
            warnings.append(
                f"{label}: {len(people)} lay-offs reach the mass-layoff threshold of "
                f"{WARN_SITE_THRESHOLD}, and {len(flagged)} of them have less than "
                f"{WARN_NOTICE_DAYS} days' notice (or no notice date or last day)."
            )
        result_sites.append(
            {
                "site": label,
                "layoffs": len(people),
                "threshold_reached": reached,
                "short_notice": flagged,
            }
        )
    return {
        "rule": WARN_RULE,
        "disclaimer": WARN_DISCLAIMER,
        "notice_days_required": WARN_NOTICE_DAYS,
        "site_threshold": WARN_SITE_THRESHOLD,
        "warning": bool(warnings),
        "warnings": warnings,
        "sites": result_sites,
    }


COVERAGE_RED_DAYS = 14


def knowledge_coverage(
    *, membership: Membership, partnership: Partnership, today: datetime.date | None = None
) -> dict[str, Any]:
    """For every departing person: is their knowledge captured before their last day?

    red: last day within 14 days (or past) and nothing captured; amber: nothing captured yet,
    or captured items not all transferred; green: captured and all transferred. One query.
    """
    today = today or partnership.organization.local_today()
    people = (
        access.visible(membership, StaffMember)
        .filter(partnership=partnership, outcome__in=DEPARTING_OUTCOMES)
        .annotate(
            captured=Count("knowledge_items"),
            transferred=Count(
                "knowledge_items",
                filter=Q(knowledge_items__status=KnowledgeStatus.TRANSFERRED),
            ),
        )
        .order_by("last_day", "full_name", "id")
    )
    rows = []
    counts = {"red": 0, "amber": 0, "green": 0}
    for person in people:
        days_left = (person.last_day - today).days if person.last_day else None
        if person.captured == 0:
            soon = days_left is not None and days_left <= COVERAGE_RED_DAYS
            state = "red" if soon else "amber"
            reason = (
                f"Nothing captured and the last day is in {days_left} days."
                if soon and days_left >= 0
                else "Nothing captured and the last day has passed."
                if soon
                else "Nothing captured yet."
            )
        elif person.transferred < person.captured:
            state = "amber"
            reason = (
                f"{person.captured - person.transferred} of {person.captured} captured items "
                "not yet transferred."
            )
        else:
            state = "green"
            reason = f"{person.captured} items captured and transferred."
        counts[state] += 1
        rows.append(
            {
                "staff_member": person.pk,
                "full_name": person.full_name,
                "role": person.role,
                "outcome": person.outcome,
                "last_day": person.last_day,
                "days_left": days_left,
                "captured": person.captured,
                "transferred": person.transferred,
                "state": state,
                "reason": reason,
            }
        )
    covered = sum(1 for row in rows if row["captured"])
    return {
        "today": today,
        "red_within_days": COVERAGE_RED_DAYS,
        "departing": len(rows),
        "covered": covered,
        "coverage_percent": round(100 * covered / len(rows)) if rows else None,
        "counts": counts,
        "people": rows,
    }


LOW_SCORE = 2


def _flags_for(scores: list[tuple[int, datetime.date]]) -> list[tuple[str, str]]:
    flags = []
    if len(scores) >= 2 and scores[-1][0] <= LOW_SCORE and scores[-2][0] <= LOW_SCORE:
        flags.append(
            (
                "low_twice",
                f"Scored {LOW_SCORE} or lower twice in a row ({scores[-2][0]} on "
                f"{scores[-2][1].isoformat()}, {scores[-1][0]} on {scores[-1][1].isoformat()}).",
            )
        )
    last3 = [score for score, _ in scores[-3:]]
    if len(last3) == 3 and last3[0] > last3[1] > last3[2]:
        flags.append(("falling", f"Falling trend: {' → '.join(str(s) for s in last3)}."))
    elif len(scores) >= 2 and scores[-1][0] <= scores[-2][0] - 2:
        flags.append(("sharp_drop", f"Sharp drop: {scores[-2][0]} → {scores[-1][0]}."))
    return flags


def sentiment_flags(*, membership: Membership, partnership: Partnership) -> list[dict[str, Any]]:
    """Signs that someone is unsettled or disengaging, for the account manager: a person or
    group who scored 2 or lower twice in a row, whose last three check-ins fall, or who
    dropped two points at once. One query."""
    rows = (
        access.visible(membership, SentimentCheckIn)
        .filter(partnership=partnership)
        .order_by("checked_on", "id")
        .values(
            "staff_member_id",
            "staff_member__full_name",
            "group_id",
            "group__name",
            "score",
            "checked_on",
        )
    )
    series: dict[tuple[str, int], list[tuple[int, datetime.date]]] = defaultdict(list)
    names: dict[tuple[str, int], str] = {}
    for row in rows:
        if row["staff_member_id"]:
            subject = ("staff", row["staff_member_id"])
            names[subject] = row["staff_member__full_name"]
        else:
            subject = ("group", row["group_id"])
            names[subject] = row["group__name"]
        series[subject].append((row["score"], row["checked_on"]))
    flagged = []
    for subject, scores in series.items():
        flags = _flags_for(scores)
        if flags:
            flagged.append(
                {
                    "subject_type": subject[0],
                    "subject_id": subject[1],
                    "name": names[subject],
                    "flags": [code for code, _ in flags],
                    "reasons": [reason for _, reason in flags],
                    "latest_score": scores[-1][0],
                    "latest_on": scores[-1][1],
                }
            )
    flagged.sort(key=lambda row: (row["latest_score"], row["name"]))
    return flagged


def group_sentiment(*, membership: Membership, partnership: Partnership) -> list[dict[str, Any]]:
    """Each stakeholder group's sentiment as the client's executives see it: the average score
    of its check-ins and their number (n), the average only where n reaches
    `MIN_GROUP_RESPONSES` (fewer could point at a person). Aggregated in the database, one
    query: the groups come from the policy, their check-ins are summed, never listed."""
    from transition.access import MIN_GROUP_RESPONSES

    groups = (
        access.visible(membership, StakeholderGroup)
        .filter(partnership=partnership)
        .annotate(responses=Count("check_ins"), average=Avg("check_ins__score"))
        .order_by("name", "id")
    )
    rows = []
    for group in groups:
        enough = group.responses >= MIN_GROUP_RESPONSES
        rows.append(
            {
                "group": group,
                "id": group.pk,
                "name": group.name,
                "responses": group.responses,
                "average": round(group.average, 1) if enough else None,
                "enough": enough,
            }
        )
    return rows


# --- Go/no-go readiness ----------------------------------------------------------------

DONE, OPEN, NOT_AVAILABLE = "done", "open", "not_available"


def _discovery_signed_off(partnership: Partnership) -> tuple[str, str]:
    """Ask the discovery app, through its documented selector, for its sign-off in force
    and the client's co-signature."""
    sign_off = discovery_open_sign_off(partnership=partnership)
    if sign_off is None:
        return OPEN, "Discovery is not signed off."
    signed = f"Signed off by {sign_off.signed_by} on {sign_off.signed_at.date().isoformat()}"
    if not sign_off.cosigned_by_id:
        return OPEN, f"{signed}; the client has not co-signed yet."
    return DONE, f"{signed}, co-signed by {sign_off.cosigned_by} for the client."


def readiness(
    *, membership: Membership, partnership: Partnership, today: datetime.date | None = None
) -> dict[str, Any]:
    """The go/no-go checklist. An item the data cannot answer says so ("not available")
    rather than passing or failing silently."""
    items: list[dict[str, Any]] = []
    plan = plan_for(membership=membership, partnership=partnership)
    view = plan_view(membership=membership, plan=plan) if plan else None

    if view is None:
        items.append(_item("critical_tasks", "Critical tasks done", NOT_AVAILABLE, "No plan."))
        items.append(_item("training", "Training done", NOT_AVAILABLE, "No plan."))
    else:
        timings = view.schedule.timings
        if plan.go_live_task_id and plan.go_live_task_id in timings:
            leading = view.ancestors_of(plan.go_live_task_id)
            scope = "leading to go-live"
        else:
            cutoff = plan.go_live
            leading = {t.pk for t in view.tasks if timings[t.pk].early_finish < cutoff}
            scope = f"due before {cutoff.isoformat()}"
        critical = [
            task
            for task in view.tasks
            if task.pk in leading and timings[task.pk].critical and not task.is_milestone
        ]
        open_critical = [task for task in critical if task.status != TaskStatus.DONE]
        items.append(
            _item(
                "critical_tasks",
                "Critical tasks done",
                DONE if not open_critical else OPEN,
                f"{len(critical) - len(open_critical)} of {len(critical)} critical tasks "
                f"{scope} are done."
                + (
                    f" Open: {', '.join(t.title for t in open_critical[:5])}."
                    if open_critical
                    else ""
                ),
            )
        )
        training = [t for t in view.tasks if t.phase == Phase.TRAINING and not t.is_milestone]
        open_training = [t for t in training if t.status != TaskStatus.DONE]
        if not training:
            items.append(
                _item("training", "Training done", NOT_AVAILABLE, "The plan has no training tasks.")
            )
        else:
            items.append(
                _item(
                    "training",
                    "Training done",
                    DONE if not open_training else OPEN,
                    f"{len(training) - len(open_training)} of {len(training)} training tasks "
                    "are done.",
                )
            )

    people = access.visible(membership, StaffMember).filter(partnership=partnership)
    totals = people.aggregate(
        total=Count("id"),
        unsettled=Count(
            "id", filter=Q(outcome=Outcome.UNDECIDED) | ~Q(outcome_status__in=SETTLED_STATUSES)
        ),
    )
    if not totals["total"]:
        items.append(
            _item("staff_outcomes", "Staff outcomes settled", NOT_AVAILABLE, "No staff roster.")
        )
    else:
        items.append(
            _item(
                "staff_outcomes",
                "Staff outcomes settled",
                DONE if not totals["unsettled"] else OPEN,
                f"{totals['total'] - totals['unsettled']} of {totals['total']} people have an "
                "agreed or completed outcome.",
            )
        )

    coverage = knowledge_coverage(membership=membership, partnership=partnership, today=today)
    if not coverage["departing"]:
        items.append(
            _item(
                "knowledge",
                "Knowledge captured",
                NOT_AVAILABLE if not totals["total"] else DONE,
                "Nobody on the roster is departing." if totals["total"] else "No staff roster.",
            )
        )
    else:
        complete = coverage["counts"]["green"]
        items.append(
            _item(
                "knowledge",
                "Knowledge captured",
                DONE if complete == coverage["departing"] else OPEN,
                f"{complete} of {coverage['departing']} departing people have their knowledge "
                f"captured and transferred ({coverage['counts']['red']} red).",
            )
        )

    state, detail = _discovery_signed_off(partnership)
    items.append(_item("discovery", "Discovery signed off", state, detail))

    done = sum(1 for item in items if item["state"] == DONE)
    available = sum(1 for item in items if item["state"] != NOT_AVAILABLE)
    return {
        "ready": all(item["state"] == DONE for item in items),
        "done": done,
        "available": available,
        "total": len(items),
        "items": items,
        "go_live": go_live_forecast(view) if view else None,
    }


def _item(key: str, label: str, state: str, detail: str) -> dict[str, Any]:
    return {"key": key, "label": label, "state": state, "detail": detail}


def decision_list(*, membership: Membership, partnership: Partnership):
    return (
        access.visible(membership, GoNoGoDecision)
        .filter(partnership=partnership)
        .select_related("decided_by")
    )


def transferred_knowledge(*, membership: Membership, partnership: Partnership):
    """Knowledge items transferred to the provider's knowledge base, for the nurse briefing
    (partnerships/briefing.py; registered in transition/apps.py)."""
    return (
        access.visible(membership, KnowledgeItem)
        .filter(partnership=partnership, status=KnowledgeStatus.TRANSFERRED)
        .order_by("category", "title", "id")
    )


# --- Progress across partnerships (the home pages) --------------------------------------


def plan_progress(
    *, membership: Membership, partnership_ids, today: datetime.date
) -> dict[int, dict[str, Any]]:
    """{partnership: tasks, done, percent done, overdue tasks and milestones, and the next open
    milestone with its slip against the baseline (as scheduled)}. Two queries, however many
    partnerships: the figures the home pages show per row, not the full schedule."""
    ids = list(partnership_ids)
    if not ids:
        return {}
    # The ids bound as one array (`id_in`): an IN list of 400 parameters cost more to build
    # and send than these queries take.
    tasks = id_in(access.visible(membership, PlanTask), "partnership_id", sorted(ids))
    counts = (
        tasks.order_by()
        .values("partnership_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
            blocked=Count("id", filter=Q(status=TaskStatus.BLOCKED)),
            overdue=Count("id", filter=~Q(status=TaskStatus.DONE) & Q(due__lt=today)),
            overdue_milestones=Count(
                "id", filter=~Q(status=TaskStatus.DONE) & Q(due__lt=today, is_milestone=True)
            ),
        )
    )
    progress: dict[int, dict[str, Any]] = {}
    for row in counts:
        pid = row.pop("partnership_id")
        row["percent_done"] = round(100 * row["done"] / row["total"]) if row["total"] else None
        row["next_milestone"] = None
        progress[pid] = row
    milestones = (
        tasks.open()
        .filter(is_milestone=True)
        .order_by("partnership_id", "due", "id")
        .values("id", "partnership_id", "title", "due", "baseline_due")
    )
    for milestone in milestones:
        entry = progress.get(milestone["partnership_id"])
        if entry is None or entry["next_milestone"] is not None:
            continue
        milestone["slip_days"] = schedule.slip_days(milestone["due"], milestone["baseline_due"])
        milestone["days_left"] = (milestone["due"] - today).days
        entry["next_milestone"] = milestone
    return progress


def undecided_outcomes(*, membership: Membership, partnership: Partnership) -> int:
    """How many of the partnership's staff have no outcome decided yet."""
    return (
        access.visible(membership, StaffMember)
        .filter(partnership=partnership, outcome=Outcome.UNDECIDED)
        .count()
    )

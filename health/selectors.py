"""Reads for the health checks: what a check of every partnership of an organization needs,
aggregated in the database in a fixed number of queries per organization (never per
partnership), the latest checks and the history, the alerts, and the parity report.

Each aggregate is its own flat `values().annotate()` query, joined in Python by partnership:
a `Subquery` annotation beside an aggregate would put the subquery into GROUP BY.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import (
    Avg,
    BigIntegerField,
    Count,
    DateField,
    DateTimeField,
    F,
    Max,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.transaction import TransactionManagementError

from culture.models import SatisfactionResult
from discovery.models import (
    CallFlow,
    DiscoverySession,
    DiscoverySignOff,
    ExperienceGoal,
    GoalSignOff,
    KpiBaseline,
    KpiDefinition,
    ReviewedReport,
    ServiceLine,
)
from discovery.models.callflows import CallFlowState
from health import scoring, sla_sql
from health.models import (
    Alert,
    AlertKind,
    FollowUp,
    HealthCheck,
    HealthSettings,
    Issue,
    IssueStatus,
    KpiMeasurement,
    MeasurementSource,
    Touchpoint,
)
from partnerships.models import Partnership, PartnershipStatus
from tenancy import access
from tenancy.queries import Bind, PreparedRead, id_in
from transition.models import PlanTask, SentimentCheckIn, StaffMember
from transition.models.people import SETTLED_STATUSES, Outcome
from transition.models.plan import TaskStatus

if TYPE_CHECKING:
    from tenancy.models import Membership, Organization

CHECKED_STATUSES = (
    PartnershipStatus.DISCOVERY,
    PartnershipStatus.TRANSITION,
    PartnershipStatus.LIVE,
)
KPI_WINDOW_DAYS = 28
SENTIMENT_WINDOW_DAYS = 30
OPEN_ISSUE_STATUSES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS, IssueStatus.WAITING_ON_CLIENT)
DISCOVERY_ITEMS = 5  # the discovery checklist's items (discovery.selectors.discovery_checklist)


def _f(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), 3)


# --- Settings --------------------------------------------------------------------------------


def health_settings_for(*, organization) -> HealthSettings:
    """The organization's settings, or the defaults (unsaved) when it has none."""
    found = HealthSettings.objects.filter(organization=organization).first()
    return found or HealthSettings(organization=organization)


# --- The partnerships a sweep checks ---------------------------------------------------------


def checked_partnerships(*, organization, partnership_ids=None) -> QuerySet[Partnership]:
    """Discovery, transition and live partnerships of the organization (optionally only
    `partnership_ids` of them): the tenant is re-checked here, whatever ids a task was given."""
    queryset = Partnership.objects.filter(organization=organization, status__in=CHECKED_STATUSES)
    if partnership_ids is not None:
        queryset = id_in(queryset, "pk", sorted({int(pk) for pk in partnership_ids}))
    return queryset


CHECKED_FIELDS = ("id", "name", "status", "account_manager_id", "account_manager__email")


# --- The sweep's reads -----------------------------------------------------------------------
#
# Built and compiled once per connection, run for every chunk with its own values
# (`tenancy.queries.PreparedRead`): the organization, the chunk's ids (or those of its
# partnerships in the phases that weigh what a read reads), the day and the time.

_ORGANIZATION = Bind("organization", BigIntegerField())
_IDS = Bind("ids", BigIntegerField())  # a list of ids: `id_in` prepares it
_TODAY = Bind("today", DateField())


def _date(name: str) -> Bind:
    return Bind(name, DateField())


def _chunk(model: type[Model]) -> QuerySet:
    """`model`'s rows of the organization about the run's partnerships (`ids`)."""
    return id_in(model.objects.filter(organization_id=_ORGANIZATION), "partnership_id", _IDS)


def _checked(some: bool, lock: bool) -> QuerySet:
    queryset = Partnership.objects.filter(
        organization_id=_ORGANIZATION, status__in=CHECKED_STATUSES
    )
    if some:
        queryset = id_in(queryset, "pk", _IDS)
    if lock:
        queryset = queryset.select_for_update(no_key=True, of=("self",))
    return queryset.order_by("pk").values_list(*CHECKED_FIELDS)


_CHECKED = {
    (some, lock): PreparedRead(lambda some=some, lock=lock: _checked(some, lock))
    for some in (False, True)
    for lock in (False, True)
}
_KPIS = PreparedRead(
    lambda: KpiDefinition.objects.filter(organization_id=_ORGANIZATION).values_list(
        "id", "key", "name", "unit", "direction", "target"
    )
)
_LINES = PreparedRead(lambda: _chunk(ServiceLine).values_list("id", "name", "partnership_id"))
# One pass over the KPI figures of the last weeks (the index starts at the window, not at the
# first day ever measured): the window's averages, when fresh data last arrived, and when any
# feed data last arrived.
_KPI_FIGURES = PreparedRead(
    lambda: (
        _chunk(KpiMeasurement)
        .filter(day__gte=_date("scan_from"))
        .values("partnership_id", "line_key", "kpi_id")
        .annotate(
            average=Avg("value", filter=_kpi_window(_date("since"), _date("month_start"))),
            days=Count("id", filter=_kpi_window(_date("since"), _date("month_start"))),
            fresh=Max("received_at", filter=_feed_window(_date("fresh_since"))),
            feed=Max("received_at", filter=~Q(source=MeasurementSource.AUDITS)),
        )
        .order_by()
        .values_list("partnership_id", "line_key", "kpi_id", "average", "days", "fresh", "feed")
    )
)
_BASELINES = PreparedRead(
    lambda: _chunk(KpiBaseline).values_list(
        "partnership_id", "service_line_id", "kpi_id", "value", "target"
    )
)
_GOALS = PreparedRead(
    lambda: (
        _chunk(ExperienceGoal)
        .order_by("pk")
        .values_list("partnership_id", "kpi_id", "service_line_id", "target")
    )
)
_SATISFACTION = PreparedRead(
    lambda: (
        _chunk(SatisfactionResult)
        .filter(period_end__gte=_date("satisfaction_from"))
        .values_list("partnership_id", "period_end", "responses", "satisfied_pct")
    )
)
_ISSUES = PreparedRead(
    lambda: (
        _chunk(Issue)
        .filter(status__in=OPEN_ISSUE_STATUSES)
        .values("partnership_id", "severity")
        # Counted by the issue log's clock (a response or a resolution past its target), in the
        # database: `sla_sql.breached` is `sla.clock`'s rule, held to it by the tests.
        .annotate(count=Count("id"), late=Count("id", filter=sla_sql.breached(sla_sql.bound_now())))
        .order_by()
        .values_list("partnership_id", "severity", "count", "late")
    )
)
_NOT_DONE = ~Q(status=TaskStatus.DONE)
_TASKS = PreparedRead(
    lambda: (
        _chunk(PlanTask)
        .values("partnership_id")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(due__lt=_TODAY) & _NOT_DONE),
            overdue_milestones=Count("id", filter=Q(due__lt=_TODAY, is_milestone=True) & _NOT_DONE),
            slip=Max(
                F("due") - F("baseline_due"),
                filter=Q(is_milestone=True, baseline_due__isnull=False) & _NOT_DONE,
            ),
        )
        .order_by()
        .values_list("partnership_id", "total", "overdue", "overdue_milestones", "slip")
    )
)
_STAFF = PreparedRead(
    lambda: (
        _chunk(StaffMember)
        .values("partnership_id")
        .annotate(
            total=Count("id"),
            settled=Count(
                "id", filter=~Q(outcome=Outcome.UNDECIDED) & Q(outcome_status__in=SETTLED_STATUSES)
            ),
        )
        .order_by()
        .values_list("partnership_id", "total", "settled")
    )
)
_SENTIMENT = PreparedRead(
    lambda: (
        _chunk(SentimentCheckIn)
        .filter(checked_on__gte=_date("sentiment_from"))
        .values("partnership_id")
        .annotate(average=Avg("score"), n=Count("id"))
        .order_by()
        .values_list("partnership_id", "average", "n")
    )
)
_TOUCHPOINTS = PreparedRead(
    lambda: (
        _chunk(Touchpoint)
        .values("partnership_id")
        .annotate(last=Max("date"))
        .order_by()
        .values_list("partnership_id", "last")
    )
)
_OVERDUE_FOLLOW_UPS = PreparedRead(
    lambda: (
        _chunk(FollowUp)
        .filter(due__lt=_TODAY, done_at__isnull=True)
        .values("partnership_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("partnership_id", "n")
    )
)
_DISCOVERY_SIGNED_OFF = PreparedRead(
    lambda: (
        _chunk(DiscoverySignOff)
        .filter(reopened_at__isnull=True)
        .values_list("partnership_id", flat=True)
    )
)
_DISCOVERY_SESSIONS = PreparedRead(
    lambda: _chunk(DiscoverySession).values_list("partnership_id", flat=True)
)
_REPORTS = PreparedRead(
    lambda: (
        _chunk(ReviewedReport)
        .values("partnership_id")
        .annotate(total=Count("id"), without=Count("id", filter=Q(findings="")))
        .order_by()
        .values_list("partnership_id", "total", "without")
    )
)
_CALL_FLOWS = PreparedRead(
    lambda: (
        _chunk(CallFlow)
        .filter(state=CallFlowState.CURRENT)
        .values_list("partnership_id", "latest_version__is_valid", "latest_version__reviewed_at")
    )
)
_GOALS_SIGNED = PreparedRead(
    lambda: (
        _chunk(GoalSignOff)
        .filter(superseded_at__isnull=True)
        .values_list("partnership_id", flat=True)
    )
)


def _latest_checks() -> QuerySet:
    """The latest snapshot (up to the period) of each partnership: one index lookup per
    partnership (a correlated subquery from the partnership's side), not one per snapshot of
    the history, which grows every hour."""
    latest = (
        HealthCheck.objects.filter(
            organization_id=_ORGANIZATION,
            partnership_id=OuterRef("pk"),
            period_start__lte=Bind("period_start", DateTimeField()),
        )
        .order_by("-period_start")  # unique per partnership: the index's order, no sort
        .values("pk")[:1]
    )
    checked = id_in(Partnership.objects.filter(organization_id=_ORGANIZATION), "pk", _IDS)
    return (
        HealthCheck.objects.filter(
            organization_id=_ORGANIZATION,
            pk__in=checked.annotate(latest=Subquery(latest)).values("latest"),
        )
        .order_by()
        .values_list(*PREVIOUS_FIELDS)
    )


def _latest_alerts() -> QuerySet:
    """The latest alert of each kind of each partnership, the same way."""
    checked = id_in(Partnership.objects.filter(organization_id=_ORGANIZATION), "pk", _IDS)
    latest_alerts = Q()
    for kind in AlertKind.values:
        latest = (
            Alert.objects.filter(
                organization_id=_ORGANIZATION, partnership_id=OuterRef("pk"), kind=kind
            )
            .order_by("-created_at", "-id")
            .values("pk")[:1]
        )
        latest_alerts |= Q(pk__in=checked.annotate(latest=Subquery(latest)).values("latest"))
    return (
        Alert.objects.filter(latest_alerts, organization_id=_ORGANIZATION)
        .order_by()
        .values_list("partnership_id", "kind", "band", "created_at")
    )


PREVIOUS_FIELDS = (
    "id",
    "partnership_id",
    "period_start",
    "band",
    "score",
    "created_at",
    "inputs_digest",
)
_PREVIOUS = PreparedRead(_latest_checks)
_LAST_ALERTS = PreparedRead(_latest_alerts)


@dataclass(frozen=True)
class _Scope:
    """The partnerships a sweep reads. A read may be limited to the partnerships in some
    phases (those whose profile weighs what it reads); with none of them in the scope it is
    not run."""

    organization_id: int
    ids: tuple[int, ...]  # ascending
    phase_of: dict[int, str] = field(default_factory=dict)
    _in_phases: dict[frozenset, tuple[int, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def ids_in(self, phases: Collection[str]) -> tuple[int, ...]:
        """The scope's ids (ascending) of the partnerships in `phases`."""
        key = frozenset(phases)
        if key not in self._in_phases:
            self._in_phases[key] = tuple(pid for pid in self.ids if self.phase_of[pid] in key)
        return self._in_phases[key]

    def read(self, read: PreparedRead, phases: Collection[str] | None = None, **values):
        """`read`'s rows about the scope's partnerships (those in `phases`)."""
        ids = self.ids if phases is None else self.ids_in(phases)
        if not ids:
            return []
        return read(organization=self.organization_id, ids=ids, **values)


def _checked_scope(organization, partnership_ids, *, lock: bool) -> tuple[list[tuple], _Scope]:
    """The checked partnerships' rows (`CHECKED_FIELDS`, by id) and their `_Scope`; with
    `lock`, the partnership rows are locked by the same query (see `check_inputs`). The
    tenant is re-checked here, whatever ids a task was given."""
    if lock and transaction.get_autocommit():
        raise TransactionManagementError("A locking check runs in a transaction.")
    if partnership_ids is None:
        rows = _CHECKED[False, lock](organization=organization.pk)
    else:
        ids = sorted({int(pk) for pk in partnership_ids})
        rows = _CHECKED[True, lock](organization=organization.pk, ids=ids) if ids else []
    return rows, _Scope(organization.pk, tuple(row[0] for row in rows), {r[0]: r[2] for r in rows})


# --- KPI figures (quality, experience, parity) -----------------------------------------------


@dataclass(frozen=True)
class KpiInfo:
    id: int
    key: str
    name: str
    unit: str
    direction: str
    target: float | None


def _kpis(organization) -> dict[int, KpiInfo]:
    rows = _KPIS(organization=organization.pk)
    return {r[0]: KpiInfo(r[0], r[1], r[2], r[3], r[4], _f(r[5])) for r in rows}


def _feed_window(since: datetime.date | Bind) -> Q:
    """What says the KPI feed is alive: figures the telephony feed (or a person) sent about
    the days since `since` (today less the organization's stale-after days). The audits'
    roll-ups and a late upload of old days say nothing about it, so they never make stale data
    look fresh."""
    return Q(day__gte=since) & ~Q(source=MeasurementSource.AUDITS)


def _kpi_window(since: datetime.date | Bind, month_start: datetime.date | Bind | None = None) -> Q:
    """The KPI figures of the window starting `since`. The audits' monthly roll-ups are dated
    the 1st of their month: the month the window starts in (`month_start`, by default that of
    `since`) counts whole, so that the QA KPIs never drop out at the end of a month."""
    if month_start is None:
        month_start = since.replace(day=1)
    return Q(day__gte=since) | Q(source=MeasurementSource.AUDITS, day__gte=month_start)


def _kpi_averages(measurements: QuerySet, since: datetime.date) -> dict[tuple, tuple]:
    """{(partnership, service line or 0, kpi): (average, days)} of the window
    (`_kpi_window`)."""
    rows = (
        measurements.filter(_kpi_window(since))
        .values("partnership_id", "line_key", "kpi_id")
        .annotate(average=Avg("value"), days=Count("id"))
        .order_by()
    )
    return {
        (r["partnership_id"], r["line_key"], r["kpi_id"]): (_f(r["average"]), r["days"])
        for r in rows
    }


def _baselines(rows) -> dict[tuple, tuple]:
    """{(partnership, service line, kpi): (baseline, target or None)} of `_BASELINES` rows."""
    return {(p, s, k): (_f(v), _f(t)) for p, s, k, v, t in rows}


def _quality_figures(
    pid: int,
    averages: dict[tuple, tuple],
    baselines: dict,
    kpis: dict[int, KpiInfo],
    lines: dict[int, str],
) -> list[scoring.KpiFigure]:
    """`averages`: this partnership's, {(service line or 0, kpi): (average, days)}."""
    figures = []
    for (line, kpi_id), (average, days) in averages.items():
        if kpi_id not in kpis:
            continue
        kpi = kpis[kpi_id]
        baseline, target = baselines.get((pid, line, kpi_id), (None, None))
        figures.append(
            scoring.KpiFigure(
                name=kpi.name,
                unit=kpi.unit,
                direction=kpi.direction,
                value=average,
                target=target if target is not None else kpi.target,
                baseline=baseline,
                service=lines.get(line, "") if line else "",
                n=days,
            )
        )
    return figures


def _goal_value(line_id: int | None, kpi_id: int, averages: dict) -> float | None:
    """`averages`: the partnership's, {(service line or 0, kpi): (average, days)}."""
    if line_id:
        found = averages.get((line_id, kpi_id))
        return found[0] if found else None
    if (0, kpi_id) in averages:
        return averages[(0, kpi_id)][0]
    parts = [(avg, n) for (_, k), (avg, n) in averages.items() if k == kpi_id]
    days = sum(n for _, n in parts)
    return round(sum(avg * n for avg, n in parts) / days, 3) if days else None


# --- All a sweep needs -----------------------------------------------------------------------


@dataclass
class PartnershipFacts:
    """One partnership's inputs to a check, and what the alert rules read."""

    id: int
    name: str
    phase: str
    account_manager_id: int | None
    account_manager_email: str
    inputs: scoring.CheckInputs
    previous: dict[str, Any] | None  # the latest earlier snapshot: id, band, score, digest...
    already_checked: bool  # a snapshot of this period exists: nothing to do
    last_received_at: datetime.datetime | None
    last_alerts: dict[str, dict[str, Any]]  # kind → the latest alert of that kind


def check_inputs(
    *,
    organization: Organization,
    partnership_ids=None,
    period_start: datetime.datetime,
    now: datetime.datetime,
    settings: HealthSettings,
    lock: bool = False,
) -> list[PartnershipFacts]:
    """Everything a sweep of `organization` needs, in a fixed number of queries. With `lock`
    (a sweep's transaction), the first query also locks the partnerships until the transaction
    ends, in id order (no deadlock between overlapping chunks): a second check of any of them
    (a redelivery while the first delivery still runs, a second beat, "run now" during the
    sweep) waits there, then reads what the first one wrote. FOR NO KEY UPDATE leaves the
    rows that point at a partnership (KPI uploads, issues, audits) free to be written
    meanwhile; SQLite, which runs one writer at a time anyway, ignores it."""
    partnerships, scope = _checked_scope(organization, partnership_ids, lock=lock)
    if not partnerships:
        return []
    today = organization.local_today()
    read = scope.read
    # A phase reads only what its profile weighs; a live partnership's feed is read whatever
    # the weights (stale data never looks healthy).
    weighing = scoring.weighing_phases(settings.weights or {})
    kpi_phases = weighing["quality"] | weighing["experience"] | {PartnershipStatus.LIVE}
    goal_phases = weighing["experience"] | weighing["discovery"]

    kpis = _kpis(organization)
    lines: dict[int, str] = {}
    line_partnership: dict[int, int] = {}
    for line_id, line_name, pid in read(_LINES, weighing["quality"] | goal_phases):
        lines[line_id] = line_name
        line_partnership[line_id] = pid
    since = today - datetime.timedelta(days=KPI_WINDOW_DAYS - 1)
    fresh_since = today - datetime.timedelta(days=settings.stale_after_days)
    averages: dict[int, dict[tuple, tuple]] = defaultdict(dict)
    last_fresh: dict[int, datetime.datetime] = {}
    last_any: dict[int, datetime.datetime] = {}
    figures = read(
        _KPI_FIGURES,
        kpi_phases,
        scan_from=min(since.replace(day=1), fresh_since),
        since=since,
        month_start=since.replace(day=1),
        fresh_since=fresh_since,
    )
    for pid, line, kpi_id, average, days, fresh, feed in sorted(figures):
        if days:
            averages[pid][(line, kpi_id)] = (_f(average), days)
        if fresh is not None and (pid not in last_fresh or fresh > last_fresh[pid]):
            last_fresh[pid] = fresh
        if feed is not None and (pid not in last_any or feed > last_any[pid]):
            last_any[pid] = feed
    baselines = _baselines(read(_BASELINES, weighing["quality"] | weighing["discovery"]))

    goals: dict[int, list] = defaultdict(list)
    for pid, kpi_id, line_id, target in read(_GOALS, goal_phases):
        goals[pid].append((kpi_id, line_id, _f(target)))

    satisfaction: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    for pid, period_end, responses, pct in read(
        _SATISFACTION,
        weighing["experience"],
        satisfaction_from=today - datetime.timedelta(days=400),
    ):
        weight = max(responses, 1)
        satisfaction[pid][period_end][0] += float(pct) * weight
        satisfaction[pid][period_end][1] += weight
    csat_kpi = next((k for k in kpis.values() if k.key == "caller_satisfaction"), None)

    issues: dict[int, dict[str, int]] = defaultdict(dict)
    breached: dict[int, int] = defaultdict(int)
    for pid, severity, count, late in read(_ISSUES, weighing["issues"], now=now):
        issues[pid][severity] = count
        breached[pid] += late

    tasks = {row[0]: row for row in read(_TASKS, weighing["schedule"], today=today)}
    staff = {row[0]: row for row in read(_STAFF, weighing["people"])}
    sentiment = {
        row[0]: row
        for row in read(
            _SENTIMENT,
            weighing["people"],
            sentiment_from=today - datetime.timedelta(days=SENTIMENT_WINDOW_DAYS),
        )
    }
    touchpoints = dict(read(_TOUCHPOINTS, weighing["engagement"]))
    overdue_follow_ups = dict(read(_OVERDUE_FOLLOW_UPS, weighing["engagement"], today=today))

    discovery = _discovery_facts(
        scope, weighing["discovery"], lines, line_partnership, baselines, goals
    )

    previous = {
        row[1]: dict(zip(PREVIOUS_FIELDS, row, strict=True))
        for row in read(_PREVIOUS, period_start=period_start)
    }
    last_alerts: dict[int, dict[str, dict]] = defaultdict(dict)
    for pid, kind, band, created_at in read(_LAST_ALERTS):
        last_alerts[pid][kind] = {
            "partnership_id": pid,
            "kind": kind,
            "band": band,
            "created_at": created_at,
        }

    result = []
    stale_after_days = settings.stale_after_days
    no_averages: dict[tuple, tuple] = {}
    for pid, name, status, am_id, am_email in partnerships:
        prev = previous.get(pid)
        already = prev is not None and prev["period_start"] == period_start
        earlier = None if already else prev
        # Freshness reads the figures about the last days; a feed quiet for longer is at least
        # stale (a late upload of old days never makes it look fresh).
        received = last_fresh.get(pid)
        if received is not None:
            days_since_data = max(0, (now - received).days)
        elif (received := last_any.get(pid)) is not None:
            days_since_data = max(stale_after_days, (now - received).days)
        else:
            days_since_data = None
        task = tasks.get(pid)
        people = staff.get(pid)
        mood = sentiment.get(pid)
        last_touch = touchpoints.get(pid)
        own_averages = averages.get(pid, no_averages)
        own_goals = goals.get(pid) if status in weighing["experience"] else None
        live = status == PartnershipStatus.LIVE
        if task is None:
            schedule = None
        else:
            _, total, overdue, overdue_milestones, slip = task
            schedule = scoring.ScheduleFacts(
                tasks=total,
                overdue=overdue,
                overdue_milestones=overdue_milestones,
                max_milestone_slip_days=max(0, slip.days) if slip is not None else 0,
            )
        inputs = scoring.CheckInputs(
            phase=status,
            quality=_quality_figures(pid, own_averages, baselines, kpis, lines)
            if own_averages and status in weighing["quality"]
            else [],
            experience_goals=[
                _goal_figure(kpis.get(kpi_id), line_id, kpi_id, target, own_averages, lines)
                for kpi_id, line_id, target in own_goals
            ]
            if own_goals
            else [],
            satisfaction=_satisfaction(satisfaction.get(pid), csat_kpi)
            if status in weighing["experience"]
            else None,
            schedule=schedule,
            issues=None
            if status not in weighing["issues"]
            else scoring.IssueFacts(
                open_by_severity={
                    sev: issues[pid][sev] for sev in scoring.SEVERITY_PENALTY if sev in issues[pid]
                }
                if pid in issues
                else {},
                breached=breached.get(pid, 0),
            ),
            people=None
            if people is None and mood is None
            else scoring.PeopleFacts(
                staff=people[1] if people else 0,
                settled=people[2] if people else 0,
                sentiment_average=_f(mood[1]) if mood else None,
                sentiment_n=mood[2] if mood else 0,
            ),
            engagement=None
            if last_touch is None
            else scoring.EngagementFacts(
                days_since_touchpoint=max(0, (today - last_touch).days),
                overdue_follow_ups=overdue_follow_ups.get(pid, 0),
            ),
            discovery=discovery.get(pid),
            # Only a live partnership's check reads the feed's freshness: elsewhere a day more
            # would change the fingerprint and nothing else.
            days_since_data=days_since_data if live else None,
            stale_after_days=stale_after_days,
            previous_score=_f(earlier["score"]) if earlier else None,
        )
        result.append(
            PartnershipFacts(
                id=pid,
                name=name,
                phase=status,
                account_manager_id=am_id,
                account_manager_email=am_email or "",
                inputs=inputs,
                previous=earlier,
                already_checked=already,
                last_received_at=received,
                last_alerts=last_alerts.get(pid, {}),
            )
        )
    return result


def _goal_figure(
    kpi: KpiInfo | None,
    line_id: int | None,
    kpi_id: int,
    target: float | None,
    averages: dict,
    lines: dict[int, str],
) -> scoring.KpiFigure:
    return scoring.KpiFigure(
        name=kpi.name if kpi else "Experience goal",
        unit=kpi.unit if kpi else "",
        direction=kpi.direction if kpi else "higher",
        value=_goal_value(line_id, kpi_id, averages),
        target=target,
        service=lines.get(line_id, "") if line_id else "",
    )


def _satisfaction(
    periods: dict | None, csat_kpi: KpiInfo | None
) -> scoring.SatisfactionFacts | None:
    if not periods:
        return None
    ordered = sorted(periods.items(), reverse=True)
    latest = ordered[0][1]
    previous = ordered[1][1] if len(ordered) > 1 else None
    return scoring.SatisfactionFacts(
        satisfied_pct=round(latest[0] / latest[1], 1),
        target=csat_kpi.target if csat_kpi else None,
        previous_pct=round(previous[0] / previous[1], 1) if previous else None,
        responses=int(latest[1]),
    )


def _discovery_facts(scope, phases, lines, line_partnership, baselines, goals) -> dict:
    """The discovery checklist's five items per partnership in `phases`, as counts (see
    `discovery.selectors.discovery_checklist`, which reads one partnership at a time)."""
    if not scope.ids_in(phases):
        return {}
    signed_off = set(scope.read(_DISCOVERY_SIGNED_OFF, phases))
    sessions = set(scope.read(_DISCOVERY_SESSIONS, phases))
    reports = {pid: without for pid, _, without in scope.read(_REPORTS, phases)}
    flows: dict[int, list[bool]] = defaultdict(list)
    for pid, valid, reviewed in scope.read(_CALL_FLOWS, phases):
        flows[pid].append(bool(valid) and reviewed is not None)
    goal_signed = set(scope.read(_GOALS_SIGNED, phases))
    with_baseline = {line for (_, line, _) in baselines}
    lines_of: dict[int, list[int]] = defaultdict(list)
    for line, pid in line_partnership.items():
        lines_of[pid].append(line)

    facts = {}
    for pid in scope.ids_in(phases):
        items = {
            "services with baselines": bool(lines_of[pid])
            and all(line in with_baseline for line in lines_of[pid]),
            "reviewed call flows": bool(flows[pid]) and all(flows[pid]),
            "reports with findings": pid in reports and not reports[pid],
            "a discovery session": pid in sessions,
            "signed-off experience goals": bool(goals.get(pid)) and pid in goal_signed,
        }
        facts[pid] = scoring.DiscoveryFacts(
            items_done=sum(items.values()),
            items_total=DISCOVERY_ITEMS,
            signed_off=pid in signed_off,
            missing=tuple(label for label, done in items.items() if not done),
        )
    return facts


# --- Reading checks and alerts ---------------------------------------------------------------


def check_history(*, membership: Membership, partnership: Partnership) -> QuerySet[HealthCheck]:
    return access.visible(membership, HealthCheck).filter(partnership=partnership)


def latest_check(*, membership: Membership, partnership: Partnership) -> HealthCheck | None:
    return check_history(membership=membership, partnership=partnership).first()


def latest_check_ids(*, membership: Membership, partnerships: QuerySet[Partnership]) -> QuerySet:
    """The id of each of `partnerships`' latest check (a `values("latest")` queryset, usable
    as a subquery): driven from the partnerships, one index probe each on the unique
    (organization, partnership, period_start) index. Driven from the checks instead (a
    correlated subquery per stored check, as this once was) it cost 80 ms for 400 partnerships
    with a few weeks of hourly history."""
    latest = (
        HealthCheck.objects.filter(
            organization_id=membership.organization_id, partnership_id=OuterRef("pk")
        )
        .order_by("-period_start")
        .values("pk")[:1]
    )
    return partnerships.order_by().annotate(latest=Subquery(latest)).values("latest")


def latest_checks(*, membership: Membership) -> QuerySet[HealthCheck]:
    """The latest check of every partnership the member sees (one query)."""
    ids = latest_check_ids(
        membership=membership, partnerships=access.visible(membership, Partnership)
    )
    return (
        access.visible(membership, HealthCheck)
        .filter(pk__in=ids)
        .select_related("partnership", "partnership__client")
        .order_by("partnership__name")
    )


def alert_list(*, membership: Membership, open_only: bool = False) -> QuerySet[Alert]:
    """The member's own alerts (admins too see only theirs here; the scope lets them reach
    any of the organization's)."""
    queryset = (
        access.visible(membership, Alert)
        .filter(recipient_id=membership.user_id)
        .select_related("partnership", "acknowledged_by")
    )
    if open_only:
        queryset = queryset.filter(acknowledged_at__isnull=True)
    return queryset


def open_alert_count(*, membership: Membership, today: datetime.date) -> int:
    return (
        alert_list(membership=membership, open_only=True).exclude(snoozed_until__gte=today).count()
    )


def stale_alert_due(facts: PartnershipFacts) -> bool:
    """No stale-data alert since data last arrived (one per quiet spell)."""
    last = facts.last_alerts.get(AlertKind.STALE_DATA)
    if last is None:
        return True
    return facts.last_received_at is not None and last["created_at"] < facts.last_received_at


# --- Parity ----------------------------------------------------------------------------------

SAME_OR_BETTER = "same_or_better"
WORSE = "worse"
NO_DATA = "no_data"
INFORMATIONAL = "informational"
VERDICTS = {
    SAME_OR_BETTER: "Same or better",
    WORSE: "Worse",
    NO_DATA: "No data",
    INFORMATIONAL: "Informational",
}


def parity(*, membership: Membership, partnership: Partnership) -> list[dict[str, Any]]:
    """Each service line's live KPIs (average of the last 28 days) against its discovery
    baselines and targets: per KPI, same or better, worse, or no data, with the figures."""
    today = partnership.organization.local_today()
    since = today - datetime.timedelta(days=KPI_WINDOW_DAYS - 1)
    measurements = access.visible(membership, KpiMeasurement).filter(partnership=partnership)
    averages = _kpi_averages(measurements, since)
    baselines = (
        access.visible(membership, KpiBaseline)
        .filter(partnership=partnership)
        .select_related("service_line", "kpi")
        .order_by("service_line__name", "kpi__position", "kpi__name")
    )
    services: dict[int, dict[str, Any]] = {}
    for baseline in baselines:
        kpi = baseline.kpi
        service = services.setdefault(
            baseline.service_line_id,
            {
                "service_line_id": baseline.service_line_id,
                "service": baseline.service_line.name,
                "kpis": [],
            },
        )
        average, days = averages.get((partnership.pk, baseline.service_line_id, kpi.pk), (None, 0))
        target = baseline.target if baseline.target is not None else kpi.target
        if average is None:
            verdict = NO_DATA
        else:
            better = kpi.at_least_as_good(Decimal(str(average)), baseline.value)
            verdict = INFORMATIONAL if better is None else (SAME_OR_BETTER if better else WORSE)
        meets = None
        if average is not None:
            meets = kpi.meets_target(Decimal(str(average)), target)
        service["kpis"].append(
            {
                "kpi": kpi.key,
                "name": kpi.name,
                "unit": kpi.unit,
                "direction": kpi.direction,
                "baseline": _f(baseline.value),
                "target": _f(target),
                "live": average,
                "days": days,
                "verdict": verdict,
                "verdict_label": VERDICTS[verdict],
                "meets_target": meets,
                "text": scoring.describe(
                    scoring.Measure(kpi.name, average, kpi.unit, _f(target), _f(baseline.value))
                ),
            }
        )
    return list(services.values())

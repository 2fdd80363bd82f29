"""Reads for the health checks: what a check of every partnership of an organization needs,
aggregated in the database in a fixed number of queries per organization (never per
partnership), the latest checks and the history, the alerts, and the parity report.

Each aggregate is its own flat `values().annotate()` query, joined in Python by partnership:
a `Subquery` annotation beside an aggregate would put the subquery into GROUP BY.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, Max, OuterRef, Q, QuerySet, Subquery

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
from health import scoring, sla
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
    `partnership_ids`): the tenant is re-checked here, whatever ids a task was given."""
    queryset = Partnership.objects.filter(organization=organization, status__in=CHECKED_STATUSES)
    if partnership_ids is not None:
        queryset = queryset.filter(pk__in=list(partnership_ids))
    return queryset


def _scope(queryset: QuerySet, organization, ids: list[int]) -> QuerySet:
    return queryset.filter(organization=organization, partnership_id__in=ids)


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
    rows = KpiDefinition.objects.filter(organization=organization).values_list(
        "id", "key", "name", "unit", "direction", "target"
    )
    return {r[0]: KpiInfo(r[0], r[1], r[2], r[3], r[4], _f(r[5])) for r in rows}


def _kpi_averages(measurements: QuerySet, since: datetime.date) -> dict[tuple, tuple]:
    """{(partnership, service line or 0, kpi): (average, days)} of the window. The audits'
    monthly roll-ups are dated the 1st of their month: the month the window starts in counts
    whole, so that the QA KPIs never drop out at the end of a month."""
    rows = (
        measurements.filter(
            Q(day__gte=since) | Q(source=MeasurementSource.AUDITS, day__gte=since.replace(day=1))
        )
        .values("partnership_id", "line_key", "kpi_id")
        .annotate(average=Avg("value"), days=Count("id"))
        .order_by()
    )
    return {
        (r["partnership_id"], r["line_key"], r["kpi_id"]): (_f(r["average"]), r["days"])
        for r in rows
    }


def _baselines(baselines: QuerySet) -> dict[tuple, tuple]:
    """{(partnership, service line, kpi): (baseline, target or None)}."""
    rows = baselines.values_list("partnership_id", "service_line_id", "kpi_id", "value", "target")
    return {(p, s, k): (_f(v), _f(t)) for p, s, k, v, t in rows}


def _per_partnership(averages: dict[tuple, tuple]) -> dict[int, dict[tuple, tuple]]:
    """{partnership: {(service line or 0, kpi): (average, days)}}, sorted by line and KPI:
    each partnership then reads only its own figures (not every partnership's)."""
    grouped: dict[int, dict[tuple, tuple]] = defaultdict(dict)
    for (pid, line, kpi_id), figures in sorted(averages.items()):
        grouped[pid][(line, kpi_id)] = figures
    return grouped


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
    previous: dict[str, Any] | None  # the latest earlier snapshot: id, band, score, created_at
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
) -> list[PartnershipFacts]:
    """Everything a sweep of `organization` needs, in a fixed number of queries."""
    partnerships = list(
        checked_partnerships(organization=organization, partnership_ids=partnership_ids)
        .order_by("pk")
        .values_list("id", "name", "status", "account_manager_id", "account_manager__email")
    )
    if not partnerships:
        return []
    ids = [row[0] for row in partnerships]
    today = organization.local_today()
    org = organization

    kpis = _kpis(org)
    lines = dict(_scope(ServiceLine.objects, org, ids).values_list("id", "name"))
    line_partnership = dict(
        _scope(ServiceLine.objects, org, ids).values_list("id", "partnership_id")
    )
    measurements = _scope(KpiMeasurement.objects, org, ids)
    averages = _per_partnership(
        _kpi_averages(measurements, today - datetime.timedelta(days=KPI_WINDOW_DAYS - 1))
    )
    baselines = _baselines(_scope(KpiBaseline.objects, org, ids))
    last_received = dict(
        measurements.values("partnership_id")
        .annotate(last=Max("received_at"))
        .order_by()
        .values_list("partnership_id", "last")
    )

    goals: dict[int, list] = defaultdict(list)
    for pid, kpi_id, line_id, target in _scope(ExperienceGoal.objects, org, ids).values_list(
        "partnership_id", "kpi_id", "service_line_id", "target"
    ):
        goals[pid].append((kpi_id, line_id, _f(target)))

    satisfaction: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))
    for pid, period_end, responses, pct in (
        _scope(SatisfactionResult.objects, org, ids)
        .filter(period_end__gte=today - datetime.timedelta(days=400))
        .values_list("partnership_id", "period_end", "responses", "satisfied_pct")
    ):
        weight = max(responses, 1)
        satisfaction[pid][period_end][0] += float(pct) * weight
        satisfaction[pid][period_end][1] += weight
    csat_kpi = next((k for k in kpis.values() if k.key == "caller_satisfaction"), None)

    issues: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    breached: dict[int, int] = defaultdict(int)
    for row in (
        _scope(Issue.objects, org, ids)
        .filter(status__in=OPEN_ISSUE_STATUSES)
        .only(
            "partnership_id",
            "severity",
            "opened_at",
            "resolution_minutes",
            "paused_seconds",
            "paused_since",
            "response_minutes",
            "first_response_at",
            "resolved_at",
        )
    ):
        issues[row.partnership_id][row.severity] += 1
        # The same clock as the issue log's (a response or a resolution past its target).
        if sla.issue_clock(row, now).breached:
            breached[row.partnership_id] += 1

    tasks = {
        r["partnership_id"]: r
        for r in _scope(PlanTask.objects, org, ids)
        .values("partnership_id")
        .annotate(
            total=Count("id"),
            overdue=Count("id", filter=Q(due__lt=today) & ~Q(status=TaskStatus.DONE)),
            overdue_milestones=Count(
                "id", filter=Q(due__lt=today, is_milestone=True) & ~Q(status=TaskStatus.DONE)
            ),
        )
        .order_by()
    }
    slips: dict[int, int] = defaultdict(int)
    for pid, due, baseline_due in (
        _scope(PlanTask.objects, org, ids)
        .filter(is_milestone=True, baseline_due__isnull=False)
        .exclude(status=TaskStatus.DONE)
        .values_list("partnership_id", "due", "baseline_due")
    ):
        slips[pid] = max(slips[pid], (due - baseline_due).days)

    staff = {
        r["partnership_id"]: r
        for r in _scope(StaffMember.objects, org, ids)
        .values("partnership_id")
        .annotate(
            total=Count("id"),
            settled=Count(
                "id",
                filter=~Q(outcome=Outcome.UNDECIDED) & Q(outcome_status__in=SETTLED_STATUSES),
            ),
        )
        .order_by()
    }
    sentiment = {
        r["partnership_id"]: r
        for r in _scope(SentimentCheckIn.objects, org, ids)
        .filter(checked_on__gte=today - datetime.timedelta(days=SENTIMENT_WINDOW_DAYS))
        .values("partnership_id")
        .annotate(average=Avg("score"), n=Count("id"))
        .order_by()
    }

    touchpoints = dict(
        _scope(Touchpoint.objects, org, ids)
        .values("partnership_id")
        .annotate(last=Max("date"))
        .order_by()
        .values_list("partnership_id", "last")
    )
    overdue_follow_ups = dict(
        _scope(FollowUp.objects, org, ids)
        .filter(due__lt=today, done_at__isnull=True)
        .values("partnership_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("partnership_id", "n")
    )

    discovery = _discovery_facts(org, ids, lines, line_partnership, baselines, goals)

    # The latest snapshot and alerts: one index lookup per partnership (a correlated subquery
    # from the partnership's side), not one per snapshot or alert of the history, which grows
    # every hour.
    checked = Partnership.objects.filter(organization=org, pk__in=ids)
    latest_check = (
        HealthCheck.objects.filter(
            organization=org, partnership_id=OuterRef("pk"), period_start__lte=period_start
        )
        .order_by("-period_start", "-id")
        .values("pk")[:1]
    )
    previous = {
        r["partnership_id"]: r
        for r in HealthCheck.objects.filter(
            organization=org,
            pk__in=checked.annotate(latest=Subquery(latest_check)).values("latest"),
        ).values("id", "partnership_id", "period_start", "band", "score", "created_at")
    }
    latest_alerts = Q()
    for kind in AlertKind.values:
        latest_alert = (
            Alert.objects.filter(organization=org, partnership_id=OuterRef("pk"), kind=kind)
            .order_by("-created_at", "-id")
            .values("pk")[:1]
        )
        latest_alerts |= Q(pk__in=checked.annotate(latest=Subquery(latest_alert)).values("latest"))
    last_alerts: dict[int, dict[str, dict]] = defaultdict(dict)
    for r in Alert.objects.filter(latest_alerts, organization=org).values(
        "partnership_id", "kind", "band", "created_at"
    ):
        last_alerts[r["partnership_id"]][r["kind"]] = r

    result = []
    for pid, name, status, am_id, am_email in partnerships:
        prev = previous.get(pid)
        already = prev is not None and prev["period_start"] == period_start
        earlier = None if already else prev
        received = last_received.get(pid)
        days_since_data = None if received is None else max(0, (now - received).days)
        csat = _satisfaction(satisfaction.get(pid), csat_kpi)
        task = tasks.get(pid)
        people = staff.get(pid)
        mood = sentiment.get(pid)
        last_touch = touchpoints.get(pid)
        own_averages = averages.get(pid, {})
        inputs = scoring.CheckInputs(
            phase=status,
            quality=_quality_figures(pid, own_averages, baselines, kpis, lines),
            experience_goals=[
                scoring.KpiFigure(
                    name=kpis[kpi_id].name if kpi_id in kpis else "Experience goal",
                    unit=kpis[kpi_id].unit if kpi_id in kpis else "",
                    direction=kpis[kpi_id].direction if kpi_id in kpis else "higher",
                    value=_goal_value(line_id, kpi_id, own_averages),
                    target=target,
                    service=lines.get(line_id, "") if line_id else "",
                )
                for kpi_id, line_id, target in goals.get(pid, [])
            ],
            satisfaction=csat,
            schedule=None
            if task is None
            else scoring.ScheduleFacts(
                tasks=task["total"],
                overdue=task["overdue"],
                overdue_milestones=task["overdue_milestones"],
                max_milestone_slip_days=slips.get(pid, 0),
            ),
            issues=scoring.IssueFacts(
                open_by_severity=dict(issues.get(pid, {})), breached=breached.get(pid, 0)
            ),
            people=None
            if people is None and mood is None
            else scoring.PeopleFacts(
                staff=people["total"] if people else 0,
                settled=people["settled"] if people else 0,
                sentiment_average=_f(mood["average"]) if mood else None,
                sentiment_n=mood["n"] if mood else 0,
            ),
            engagement=None
            if last_touch is None
            else scoring.EngagementFacts(
                days_since_touchpoint=max(0, (today - last_touch).days),
                overdue_follow_ups=overdue_follow_ups.get(pid, 0),
            ),
            discovery=discovery.get(pid),
            days_since_data=days_since_data,
            stale_after_days=settings.stale_after_days,
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


def _discovery_facts(org, ids, lines, line_partnership, baselines, goals) -> dict:
    """The discovery checklist's five items per partnership, as counts (see
    `discovery.selectors.discovery_checklist`, which reads one partnership at a time)."""
    signed_off = set(
        _scope(DiscoverySignOff.objects, org, ids)
        .filter(reopened_at__isnull=True)
        .values_list("partnership_id", flat=True)
    )
    sessions = set(
        _scope(DiscoverySession.objects, org, ids).values_list("partnership_id", flat=True)
    )
    reports = {
        r["partnership_id"]: r
        for r in _scope(ReviewedReport.objects, org, ids)
        .values("partnership_id")
        .annotate(total=Count("id"), without=Count("id", filter=Q(findings="")))
        .order_by()
    }
    flows: dict[int, list[bool]] = defaultdict(list)
    for pid, valid, reviewed in (
        _scope(CallFlow.objects, org, ids)
        .filter(state=CallFlowState.CURRENT)
        .values_list("partnership_id", "latest_version__is_valid", "latest_version__reviewed_at")
    ):
        flows[pid].append(bool(valid) and reviewed is not None)
    goal_signed = set(
        _scope(GoalSignOff.objects, org, ids)
        .filter(superseded_at__isnull=True)
        .values_list("partnership_id", flat=True)
    )
    with_baseline = {line for (_, line, _) in baselines}
    lines_of: dict[int, list[int]] = defaultdict(list)
    for line, pid in line_partnership.items():
        lines_of[pid].append(line)

    facts = {}
    for pid in ids:
        items = {
            "services with baselines": bool(lines_of[pid])
            and all(line in with_baseline for line in lines_of[pid]),
            "reviewed call flows": bool(flows[pid]) and all(flows[pid]),
            "reports with findings": pid in reports and not reports[pid]["without"],
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


def latest_checks(*, membership: Membership) -> QuerySet[HealthCheck]:
    """The latest check of every partnership the member sees (one query: the latest is
    picked by a correlated subquery in WHERE, not beside an aggregate)."""
    latest = (
        HealthCheck.objects.filter(partnership_id=OuterRef("partnership_id"))
        .order_by("-period_start", "-id")
        .values("pk")[:1]
    )
    return (
        access.visible(membership, HealthCheck)
        .filter(pk=Subquery(latest))
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

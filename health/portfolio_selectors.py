"""Reads across many partnerships at once, for the home pages (`dashboards/`): the latest
health check, the daily score trend, open issues with their SLA breaches, the last touchpoint,
the last KPI received, open alerts, experience goals met, issues waiting on the client.

Each function is one flat query (or two) over the partnerships it is given, whatever their
number, and returns plain values keyed by partnership id: the dashboards join them in Python.
The rows come from the access policy (`access.visible`), so a member reads only what they see.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Avg, Count, Max, OuterRef, Q, Subquery
from django.utils import timezone

from discovery.models import ExperienceGoal, KpiDefinition
from health import scoring, sla, sla_sql
from health.models import (
    Alert,
    FollowUp,
    HealthCheck,
    Issue,
    IssueStatus,
    KpiMeasurement,
    MeasurementSource,
    Touchpoint,
)
from health.selectors import (
    KPI_WINDOW_DAYS,
    OPEN_ISSUE_STATUSES,
    _f,
    _goal_value,
    _kpi_averages,
    _kpi_window,
    latest_check_ids,
)
from tenancy import access
from tenancy.queries import id_in

if TYPE_CHECKING:
    from partnerships.models import Partnership
    from tenancy.models import Membership

SEVERITIES = ("critical", "high", "medium", "low")
# The hour (UTC) of the check that stands for its day in a trend line: the scheduled sweep
# checks every hour on the hour (every 2, 3, 4, 6 or 12 hours hit it too), so each day has one,
# read by the unique index (organization, partnership, period_start) rather than by averaging
# a day's 24 snapshots.
DAILY_CHECK_HOUR = 12


def _of(queryset, ids: Collection[int]):
    """`queryset` narrowed to the partnerships `ids`, bound as one array on PostgreSQL (an IN
    list of hundreds of parameters costs more to build than most of these queries take)."""
    return id_in(queryset, "partnership_id", sorted(ids))


# How far back the portfolio looks for the last KPI received: older than this is "nothing in
# five weeks" (reading a partnership's whole history for its last day would scan every row).
FRESHNESS_WINDOW_DAYS = 35


def latest_checks(
    *, membership: Membership, partnership_ids: Collection[int]
) -> dict[int, dict[str, Any]]:
    """{partnership: {score, band, trend, period_start, id}} of the latest check of each. Two
    queries: the latest check's id per partnership (an index probe each, driven from the
    partnerships), then those checks."""
    from partnerships.models import Partnership

    if not partnership_ids:
        return {}
    partnerships = id_in(access.visible(membership, Partnership), "pk", sorted(partnership_ids))
    check_ids = [
        pk
        for pk in latest_check_ids(membership=membership, partnerships=partnerships).values_list(
            "latest", flat=True
        )
        if pk is not None
    ]
    if not check_ids:
        return {}
    rows = (
        id_in(access.visible(membership, HealthCheck), "pk", sorted(check_ids))
        .order_by()
        .values("id", "partnership_id", "score", "band", "trend", "period_start")
    )
    return {
        row["partnership_id"]: {
            **row,
            "score": None if row["score"] is None else float(row["score"]),
        }
        for row in rows
    }


def daily_scores(
    *, membership: Membership, partnership_ids: Collection[int], days: int, every_minutes: int
) -> dict[int, list[float]]:
    """{partnership: [each day's score, oldest day first]} over the last `days` days (UTC): the
    score of the day's scheduled check that covers DAILY_CHECK_HOUR (UTC), given the
    organization's check interval (every hour: the noon check; every 8 hours: the 08:00 one;
    daily: midnight's). A day without that check is left out."""
    if not partnership_ids:
        return {}
    seconds = max(1, every_minutes) * 60
    today = timezone.now().astimezone(datetime.UTC).date()
    moments = []
    for n in range(days - 1, -1, -1):
        noon = datetime.datetime.combine(
            today - datetime.timedelta(days=n), datetime.time(DAILY_CHECK_HOUR), datetime.UTC
        )
        stamp = int(noon.timestamp()) // seconds * seconds
        moments.append(datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC))
    rows = (
        _of(access.visible(membership, HealthCheck), partnership_ids)
        .filter(period_start__in=moments, score__isnull=False)
        .order_by("partnership_id", "period_start")
        .values_list("partnership_id", "score")
    )
    series: dict[int, list[float]] = defaultdict(list)
    for pid, score in rows:
        series[pid].append(float(score))
    return dict(series)


@dataclass
class IssueSummary:
    critical: int = 0
    high: int = 0
    medium: int = 0
    low: int = 0
    breached: int = 0
    waiting_on_client: int = 0

    @property
    def open(self) -> int:
        return self.critical + self.high + self.medium + self.low

    def by_severity(self) -> list[tuple[str, int]]:
        return [(name, getattr(self, name)) for name in SEVERITIES if getattr(self, name)]


def open_issues(
    *, membership: Membership, partnership_ids: Collection[int], now: datetime.datetime
) -> dict[int, IssueSummary]:
    """{partnership: open issues by severity, how many breach their SLA (`health.sla`), and
    how many wait on the client}. One query."""
    if not partnership_ids:
        return {}
    rows = (
        _of(access.visible(membership, Issue), partnership_ids)
        .filter(status__in=OPEN_ISSUE_STATUSES)
        .values("partnership_id", "severity", "status")
        # The issue log's clock, counted in the database (`sla_sql.breached` is `sla.clock`'s
        # rule, held to it by the tests).
        .annotate(count=Count("id"), late=Count("id", filter=sla_sql.breached(now)))
        .order_by()
        .values_list("partnership_id", "severity", "status", "count", "late")
    )
    summaries: dict[int, IssueSummary] = defaultdict(IssueSummary)
    for pid, severity, status, count, late in rows:
        summary = summaries[pid]
        if severity in SEVERITIES:
            setattr(summary, severity, getattr(summary, severity) + count)
        if status == IssueStatus.WAITING_ON_CLIENT:
            summary.waiting_on_client += count
        summary.breached += late
    return dict(summaries)


def last_touchpoints(
    *, membership: Membership, partnership_ids: Collection[int]
) -> dict[int, datetime.date]:
    """{partnership: the date of its latest touchpoint}."""
    if not partnership_ids:
        return {}
    rows = (
        _of(access.visible(membership, Touchpoint), partnership_ids)
        .order_by()
        .values("partnership_id")
        .annotate(last=Max("date"))
    )
    return {row["partnership_id"]: row["last"] for row in rows}


def overdue_follow_ups(
    *, membership: Membership, partnership_ids: Collection[int], today: datetime.date
) -> dict[int, int]:
    """{partnership: follow-ups of its touchpoints past their due date and not done}."""
    if not partnership_ids:
        return {}
    rows = (
        _of(access.visible(membership, FollowUp), partnership_ids)
        .filter(done_at__isnull=True, due__lt=today)
        .order_by()
        .values("partnership_id")
        .annotate(n=Count("id"))
    )
    return {row["partnership_id"]: row["n"] for row in rows}


@dataclass
class KpiWindow:
    """What the portfolio reads of the KPI figures of the last weeks, in one pass: each line's
    average over the health check's window, and when each partnership's feed last sent
    figures."""

    averages: dict[tuple, tuple]  # {(partnership, line or 0, kpi): (average, days)}
    received: dict[int, dict[str, Any]]  # {partnership: {day, received_at}}


def kpi_window(
    *, membership: Membership, partnership_ids: Collection[int], today: datetime.date
) -> KpiWindow:
    """One scan of the partnerships' recent KPI figures for both of the portfolio's uses (two
    scans of the same rows had been a quarter of its database time):

    - the averages per line over the health check's 28-day window (`_kpi_window`: the audits'
      monthly roll-ups of the month the window starts in count whole), as `_kpi_averages`;
    - the latest day the feed (or a person) sent figures about, within the last
      `FRESHNESS_WINDOW_DAYS` days, and when it last sent any. The audits' roll-ups say
      nothing about the feed and are left out."""
    if not partnership_ids:
        return KpiWindow({}, {})
    since = today - datetime.timedelta(days=KPI_WINDOW_DAYS - 1)
    fresh_since = today - datetime.timedelta(days=FRESHNESS_WINDOW_DAYS)
    window = _kpi_window(since)
    feed = Q(day__gte=fresh_since) & ~Q(source=MeasurementSource.AUDITS)
    rows = (
        _of(access.visible(membership, KpiMeasurement), partnership_ids)
        .filter(day__gte=min(fresh_since, since.replace(day=1)))
        .values("partnership_id", "line_key", "kpi_id")
        .annotate(
            average=Avg("value", filter=window),
            days=Count("id", filter=window),
            # Named apart from the columns: `feed` filters by the column `day`.
            last_day=Max("day", filter=feed),
            last_received=Max("received_at", filter=feed),
        )
        .order_by()
        .values_list(
            "partnership_id", "line_key", "kpi_id", "average", "days", "last_day", "last_received"
        )
    )
    averages: dict[tuple, tuple] = {}
    received: dict[int, dict[str, Any]] = {}
    for pid, line, kpi_id, average, days, day, received_at in rows:
        if days:
            averages[(pid, line, kpi_id)] = (_f(average), days)
        if day is None:
            continue
        last = received.get(pid)
        if last is None:
            received[pid] = {"day": day, "received_at": received_at}
        else:
            last["day"] = max(last["day"], day)
            last["received_at"] = max(last["received_at"], received_at)
    return KpiWindow(averages, received)


def last_kpi_received(
    *, membership: Membership, partnership_ids: Collection[int], today: datetime.date
) -> dict[int, dict[str, Any]]:
    """{partnership: {day, received_at}}: the latest day the KPI feed (or a person) sent
    figures about, within the last `FRESHNESS_WINDOW_DAYS` days, and when it last sent any
    (`kpi_window`)."""
    return kpi_window(membership=membership, partnership_ids=partnership_ids, today=today).received


def open_alerts(
    *, membership: Membership, today: datetime.date, everyone: bool = False
) -> dict[int, int]:
    """{partnership: the member's open alerts (not acknowledged, not snoozed)}; an admin
    with `everyone` counts every recipient's."""
    queryset = access.visible(membership, Alert).filter(acknowledged_at__isnull=True)
    if not everyone:
        queryset = queryset.filter(recipient_id=membership.user_id)
    rows = (
        queryset.exclude(snoozed_until__gte=today)
        .order_by()
        .values("partnership_id")
        .annotate(n=Count("id"))
    )
    return {row["partnership_id"]: row["n"] for row in rows}


def open_alerts_by_recipient(*, membership: Membership, today: datetime.date) -> dict[int, int]:
    """{user: open alerts addressed to them} (an admin sees everyone's)."""
    rows = (
        access.visible(membership, Alert)
        .filter(acknowledged_at__isnull=True)
        .exclude(snoozed_until__gte=today)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("id"))
    )
    return {row["recipient_id"]: row["n"] for row in rows}


def issues_waiting_on_client(*, membership: Membership) -> list[dict[str, Any]]:
    """The issues of the member's partnerships waiting on the client, oldest first."""
    return list(
        access.visible(membership, Issue)
        .filter(status=IssueStatus.WAITING_ON_CLIENT)
        .order_by("paused_since", "id")
        .values("id", "title", "severity", "partnership_id", "partnership__name", "paused_since")
    )


def issues_raised_by(
    *, membership: Membership, partnership: Partnership, limit: int = 10
) -> list[Issue]:
    """The issues the member raised on the partnership: open ones first, newest first."""
    rows = list(
        access.visible(membership, Issue)
        .filter(partnership=partnership, raised_by_id=membership.user_id)
        .order_by("-opened_at", "-id")[:50]
    )
    rows.sort(key=lambda issue: issue.status not in OPEN_ISSUE_STATUSES)
    return rows[:limit]


@dataclass
class GoalResult:
    id: int
    statement: str
    kpi: KpiDefinition
    service: str
    target: Decimal
    value: float | None

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return self.kpi.meets_target(Decimal(str(self.value)), self.target)

    @property
    def value_display(self) -> str:
        if self.value is None:
            return self.kpi.format_value(None)
        return self.kpi.format_value(Decimal(str(self.value)).quantize(Decimal("0.1")))

    @property
    def target_display(self) -> str:
        sign = {"lower": "≤ ", "higher": "≥ "}.get(self.kpi.direction, "~")
        return f"{sign}{self.kpi.format_value(self.target)}"


def goal_results(*, membership: Membership, partnership: Partnership) -> list[GoalResult]:
    """The desired-experience goals with the live average of their KPI over the last 28 days
    (the health check's window) and whether it meets the goal's target. Two queries."""
    today = partnership.organization.local_today()
    since = today - datetime.timedelta(days=KPI_WINDOW_DAYS - 1)
    goals = list(
        access.visible(membership, ExperienceGoal)
        .filter(partnership=partnership)
        .select_related("kpi", "service_line")
    )
    if not goals:
        return []
    measurements = access.visible(membership, KpiMeasurement).filter(
        partnership=partnership, kpi_id__in={goal.kpi_id for goal in goals}
    )
    averages = {
        (line, kpi): figure for (_, line, kpi), figure in _kpi_averages(measurements, since).items()
    }
    return [
        GoalResult(
            id=goal.pk,
            statement=goal.statement,
            kpi=goal.kpi,
            service=goal.service_line.name if goal.service_line else "",
            target=goal.target,
            value=_goal_value(goal.service_line_id, goal.kpi_id, averages),
        )
        for goal in goals
    ]


def band_counts(checks: dict[int, dict[str, Any]], partnership_ids: Collection[int]) -> dict:
    """{band: partnerships} of `latest_checks`' result; unchecked ones count as "unchecked"."""
    counts: dict[str, int] = defaultdict(int)
    for pid in partnership_ids:
        check = checks.get(pid)
        counts[check["band"] if check else "unchecked"] += 1
    return dict(counts)


def days_since_data(last: dict[str, Any] | None, now: datetime.datetime) -> int | None:
    """Days since the feed last sent figures (the health check's measure), None without any
    in the freshness window."""
    if last is None or last["received_at"] is None:
        return None
    return max(0, (now - last["received_at"]).days)


def stale(days: int | None, stale_after_days: int) -> bool:
    """Whether a live partnership's feed has gone quiet (the health check's rule)."""
    return scoring.is_stale(days, stale_after_days)


def bands_at(
    *, membership: Membership, partnership_ids: Collection[int], at: datetime.datetime
) -> dict[int, str]:
    """{partnership: the band of its latest check before `at`} (for "what changed since")."""
    if not partnership_ids:
        return {}
    latest = (
        HealthCheck.objects.filter(
            organization_id=membership.organization_id,
            partnership_id=OuterRef("partnership_id"),
            period_start__lt=at,
        )
        .order_by("-period_start")
        .values("pk")[:1]
    )
    return dict(
        _of(access.visible(membership, HealthCheck), partnership_ids)
        .filter(pk=Subquery(latest))
        .order_by()
        .values_list("partnership_id", "band")
    )


# --- The monthly executive summary ---------------------------------------------------------


def monthly_kpis(
    *, membership: Membership, partnership: Partnership, start: datetime.date, end: datetime.date
) -> list[dict[str, Any]]:
    """Per KPI and service line measured in the month [start, end]: its average and days, the
    previous month's average, the discovery baseline and the target. Three queries."""
    from discovery.models import KpiBaseline

    measurements = access.visible(membership, KpiMeasurement).filter(partnership=partnership)
    previous_start = (start - datetime.timedelta(days=1)).replace(day=1)

    def averages(first: datetime.date, last: datetime.date) -> dict[tuple, tuple]:
        rows = (
            measurements.filter(day__gte=first, day__lte=last)
            .order_by()
            .values("kpi_id", "line_key")
            .annotate(average=Avg("value"), days=Count("id"))
        )
        return {(r["kpi_id"], r["line_key"]): (r["average"], r["days"]) for r in rows}

    this_month = averages(start, end)
    before = averages(previous_start, start - datetime.timedelta(days=1))
    if not this_month:
        return []
    baselines = {
        (b.kpi_id, b.service_line_id): b
        for b in access.visible(membership, KpiBaseline)
        .filter(partnership=partnership)
        .select_related("service_line")
    }
    kpis = {
        k.pk: k
        for k in KpiDefinition.objects.filter(
            organization_id=partnership.organization_id, pk__in={k for k, _ in this_month}
        )
    }
    lines = {b.service_line_id: b.service_line.name for b in baselines.values()}
    rows = []
    for (kpi_id, line), (average, days) in this_month.items():
        kpi = kpis[kpi_id]
        baseline = baselines.get((kpi_id, line))
        target = baseline.target if baseline and baseline.target is not None else kpi.target
        value = Decimal(average).quantize(Decimal("0.1"))
        previous = before.get((kpi_id, line))
        rows.append(
            {
                "kpi": kpi,
                "service": lines.get(line, "") if line else "Whole line",
                "value": value,
                "days": days,
                "previous": (Decimal(previous[0]).quantize(Decimal("0.1")) if previous else None),
                "baseline": baseline.value if baseline else None,
                "target": target,
                "meets_target": kpi.meets_target(value, target) if target is not None else None,
                "vs_baseline": (kpi.at_least_as_good(value, baseline.value) if baseline else None),
            }
        )
    rows.sort(key=lambda r: (r["kpi"].position, r["kpi"].name, r["service"]))
    return rows


def monthly_issues(
    *,
    membership: Membership,
    partnership: Partnership,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime,
) -> dict[str, Any]:
    """The month's issues: how many were raised and resolved in it, and those open now (by
    severity, with their SLA state). Two queries."""
    visible = access.visible(membership, Issue).filter(partnership=partnership)
    counts = visible.aggregate(
        raised=Count("id", filter=Q(opened_at__gte=start, opened_at__lt=end)),
        resolved=Count("id", filter=Q(resolved_at__gte=start, resolved_at__lt=end)),
    )
    rank = {name: n for n, name in enumerate(SEVERITIES)}
    open_now = sorted(
        visible.filter(status__in=OPEN_ISSUE_STATUSES).order_by("opened_at", "id")[:50],
        key=lambda issue: (rank.get(issue.severity, 9), issue.opened_at),
    )
    for issue in open_now:
        issue.breached = sla.issue_clock(issue, now).breached
    return {**counts, "open": open_now}


@dataclass
class KpiTile:
    kpi: KpiDefinition
    measured: int = 0  # partnership service lines (or whole lines) with figures in the window
    meeting_target: int = 0
    with_target: int = 0
    at_least_baseline: int = 0
    with_baseline: int = 0


def kpi_tiles(
    *,
    membership: Membership,
    partnership_ids: Collection[int],
    today: datetime.date,
    window: KpiWindow | None = None,
) -> list[KpiTile]:
    """Per KPI, across the partnerships: how many of their lines (a service line, or the whole
    line) meet the target and are at least as good as their discovery baseline, over the
    health check's 28-day window. Three queries, however many partnerships; two when the
    caller read the `window` already (for these partnerships or more)."""
    from discovery.models import KpiBaseline

    if not partnership_ids:
        return []
    ids = set(partnership_ids)
    if window is None:
        window = kpi_window(membership=membership, partnership_ids=ids, today=today)
    averages = {key: value for key, value in window.averages.items() if key[0] in ids}
    if not averages:
        return []
    baselines = {
        (p, line, k): (value, target)
        for p, line, k, value, target in _of(
            access.visible(membership, KpiBaseline), ids
        ).values_list("partnership_id", "service_line_id", "kpi_id", "value", "target")
    }
    kpis = {
        k.pk: k
        for k in KpiDefinition.objects.filter(
            organization_id=membership.organization_id, pk__in={k for _, _, k in averages}
        )
    }
    tiles: dict[int, KpiTile] = {}
    for (pid, line, kpi_id), (average, _days) in averages.items():
        kpi = kpis.get(kpi_id)
        if kpi is None or average is None:
            continue
        tile = tiles.setdefault(kpi_id, KpiTile(kpi=kpi))
        tile.measured += 1
        value = Decimal(str(average))
        baseline, target = baselines.get((pid, line or None, kpi_id), (None, None))
        target = target if target is not None else kpi.target
        meets = kpi.meets_target(value, target) if target is not None else None
        if meets is None and target is None and kpi.target_low is not None:
            meets = kpi.meets_target(value)
        if meets is not None:
            tile.with_target += 1
            tile.meeting_target += int(meets)
        if baseline is not None:
            better = kpi.at_least_as_good(value, baseline)
            if better is not None:
                tile.with_baseline += 1
                tile.at_least_baseline += int(better)
    return sorted(tiles.values(), key=lambda t: (t.kpi.position, t.kpi.name))

"""What each home page shows, composed from the other apps' selectors (this app owns no
business rule: the health check's bands, the SLA clock, the schedule and the stale-data rule
are theirs). Every function runs a fixed number of queries, whatever the number of
partnerships (tests/dashboards assert it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from culture import selectors as culture_selectors
from discovery import selectors as discovery_selectors
from health import portfolio_selectors as health_portfolio
from health import selectors as health_selectors
from health.kpi_selectors import kpi_overview
from health.models import Alert
from partnerships.models import Partnership, PartnershipStatus
from tenancy import access
from tenancy.models import AuditEvent, Membership, Role
from transition import selectors as transition_selectors

if TYPE_CHECKING:
    from tenancy.models import Organization

SPARKLINE_DAYS = 14
# A partnership without a touchpoint for this long needs one (the engagement component's
# measure is the same number of days, read from the check's reasons on the "why" panel).
TOUCHPOINT_DUE_DAYS = 30
BAND_RANK = {"red": 0, "amber": 1, "no_data": 2, None: 3, "green": 4}
PORTFOLIO_STATUSES = (
    PartnershipStatus.DISCOVERY,
    PartnershipStatus.TRANSITION,
    PartnershipStatus.LIVE,
)
PORTFOLIO_SORTS = {
    "attention": "Needs attention first",
    "score": "Lowest score first",
    "name": "Name",
    "go_live": "Go-live date",
}


@dataclass
class PortfolioRow:
    id: int
    name: str
    client_id: int
    client_name: str
    status: str
    status_label: str
    account_manager_id: int | None
    planned_go_live: datetime.date | None
    actual_go_live: datetime.date | None
    check: dict[str, Any] | None = None
    scores: list[float] = field(default_factory=list)
    progress: dict[str, Any] | None = None
    issues: health_portfolio.IssueSummary = field(default_factory=health_portfolio.IssueSummary)
    last_touchpoint: datetime.date | None = None
    days_since_touchpoint: int | None = None
    overdue_follow_ups: int = 0
    days_since_data: int | None = None
    stale: bool = False
    open_alerts: int = 0
    attention: list[str] = field(default_factory=list)

    @property
    def band(self) -> str | None:
        return self.check["band"] if self.check else None

    @property
    def score(self) -> float | None:
        return self.check["score"] if self.check else None

    @property
    def next_milestone(self) -> dict[str, Any] | None:
        return self.progress["next_milestone"] if self.progress else None

    def as_dict(self) -> dict[str, Any]:
        milestone = self.next_milestone
        return {
            "id": self.id,
            "name": self.name,
            "client": {"id": self.client_id, "name": self.client_name},
            "status": self.status,
            "account_manager": self.account_manager_id,
            "planned_go_live": self.planned_go_live,
            "actual_go_live": self.actual_go_live,
            "health": (
                {
                    "score": self.score,
                    "band": self.band,
                    "trend": self.check["trend"],
                    "checked_period": self.check["period_start"],
                }
                if self.check
                else None
            ),
            "daily_scores": self.scores,
            "next_milestone": (
                {
                    "id": milestone["id"],
                    "title": milestone["title"],
                    "due": milestone["due"],
                    "baseline_due": milestone["baseline_due"],
                    "slip_days": milestone["slip_days"],
                }
                if milestone
                else None
            ),
            "percent_done": self.progress["percent_done"] if self.progress else None,
            "overdue_tasks": self.progress["overdue"] if self.progress else 0,
            "open_issues": {
                "critical": self.issues.critical,
                "high": self.issues.high,
                "medium": self.issues.medium,
                "low": self.issues.low,
                "breached": self.issues.breached,
            },
            "last_touchpoint": self.last_touchpoint,
            "days_since_touchpoint": self.days_since_touchpoint,
            "overdue_follow_ups": self.overdue_follow_ups,
            "days_since_data": self.days_since_data,
            "stale_data": self.stale,
            "open_alerts": self.open_alerts,
            "needs_attention": self.attention,
        }


@dataclass
class Portfolio:
    rows: list[PortfolioRow]
    today: datetime.date
    bands: dict[str, int]
    attention: int
    breached: int
    stale: int
    open_alerts: int
    touchpoints_due: int
    clients: list[tuple[int, str]]
    kpi_tiles: list[health_portfolio.KpiTile] = field(default_factory=list)


MAX_ID = 2**63 - 1


def id_of(value: str) -> int | None:
    """A row id from a query string: ASCII digits only, within a database key's range (`"²"`
    passes `str.isdigit()`, and a 30-digit number overflows SQLite), else None."""
    if not value or not value.isascii() or not value.isdecimal() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def _is_daily(moment: datetime.datetime, every_minutes: int) -> bool:
    """Whether a check is the one that stands for its day in the trend lines (the scheduled
    check covering DAILY_CHECK_HOUR, UTC)."""
    utc = moment.astimezone(datetime.UTC)
    noon = utc.replace(hour=health_portfolio.DAILY_CHECK_HOUR, minute=0, second=0, microsecond=0)
    seconds = max(1, every_minutes) * 60
    return int(utc.timestamp()) == int(noon.timestamp()) // seconds * seconds


def _attention(row: PortfolioRow) -> list[str]:
    """Why a row needs the account manager now (empty when it does not)."""
    reasons = []
    if row.check and row.check["trend"] == "worsening":
        reasons.append("Score worsening")
    if row.open_alerts:
        reasons.append(f"{row.open_alerts} open alert{'s' if row.open_alerts > 1 else ''}")
    if row.issues.breached:
        reasons.append(f"{row.issues.breached} SLA breach{'es' if row.issues.breached > 1 else ''}")
    if row.stale:
        reasons.append("KPI feed stale")
    if row.progress and row.progress["overdue_milestones"]:
        n = row.progress["overdue_milestones"]
        reasons.append(f"{n} overdue milestone{'s' if n > 1 else ''}")
    if critical := row.issues.critical:
        reasons.append(f"{critical} critical issue{'s' if critical > 1 else ''}")
    return reasons


def _sort_key(sort: str):
    if sort == "score":
        return lambda r: (r.score is None, r.score if r.score is not None else 0, r.name.lower())
    if sort == "name":
        return lambda r: r.name.lower()
    if sort == "go_live":
        far = datetime.date.max
        return lambda r: (r.actual_go_live or r.planned_go_live or far, r.name.lower())
    return lambda r: (
        not r.attention,
        BAND_RANK.get(r.band, 3),
        -len(r.attention),
        r.score if r.score is not None else 101,
        r.name.lower(),
    )


def portfolio_partnerships(*, membership: Membership, manager: str = "") -> Any:
    """The partnerships of a portfolio: the account manager's own (or every one the member
    sees with `manager="all"`, or one account manager's by id), discovery to live."""
    queryset = access.visible(membership, Partnership).filter(status__in=PORTFOLIO_STATUSES)
    if manager == "all":
        return queryset
    if (manager_id := id_of(manager)) is not None:
        return queryset.filter(account_manager_id=manager_id)
    if membership.role == Role.ADMIN:
        return queryset  # an admin's portfolio is the organization's
    return queryset.filter(account_manager_id=membership.user_id)


def portfolio(
    *,
    membership: Membership,
    manager: str = "",
    band: str = "",
    status: str = "",
    client: str = "",
    sort: str = "attention",
    now: datetime.datetime | None = None,
) -> Portfolio:
    """The account manager's portfolio: per partnership its band and score, the daily score
    trend, phase, next milestone and its slip, open issues by severity with SLA breaches,
    days since the last touchpoint and since KPI data, open alerts, and why it needs
    attention, and KPI tiles against baseline and target. Fourteen queries, whatever the number
    of partnerships."""
    now = now or timezone.now()
    organization = membership.organization
    today = organization.local_today()
    base = portfolio_partnerships(membership=membership, manager=manager)
    partnerships = base
    if status in PORTFOLIO_STATUSES:
        partnerships = partnerships.filter(status=status)
    if (client_id := id_of(client)) is not None:
        partnerships = partnerships.filter(client_id=client_id)
    values = list(
        partnerships.order_by("name", "id").values(
            "id",
            "name",
            "client_id",
            "client__name",
            "status",
            "account_manager_id",
            "planned_go_live",
            "actual_go_live",
        )
    )
    clients = sorted(
        {(v["client_id"], v["client__name"]) for v in values}, key=lambda c: c[1].lower()
    )
    ids = [v["id"] for v in values]
    settings = health_selectors.health_settings_for(organization=organization)
    checks = health_portfolio.latest_checks(membership=membership, partnership_ids=ids)
    scores = health_portfolio.daily_scores(
        membership=membership,
        partnership_ids=ids,
        days=SPARKLINE_DAYS,
        every_minutes=settings.check_every_minutes,
    )
    progress = transition_selectors.plan_progress(
        membership=membership, partnership_ids=ids, today=today
    )
    issues = health_portfolio.open_issues(membership=membership, partnership_ids=ids, now=now)
    touchpoints = health_portfolio.last_touchpoints(membership=membership, partnership_ids=ids)
    follow_ups = health_portfolio.overdue_follow_ups(
        membership=membership, partnership_ids=ids, today=today
    )
    # The KPI figures of the last weeks, read once for the freshness and the tiles.
    kpi_window = health_portfolio.kpi_window(
        membership=membership, partnership_ids=ids, today=today
    )
    received = kpi_window.received
    alerts = health_portfolio.open_alerts(membership=membership, today=today)
    labels = dict(PartnershipStatus.choices)
    rows = []
    for v in values:
        pid = v["id"]
        row = PortfolioRow(
            id=pid,
            name=v["name"],
            client_id=v["client_id"],
            client_name=v["client__name"],
            status=v["status"],
            status_label=labels.get(v["status"], v["status"]),
            account_manager_id=v["account_manager_id"],
            planned_go_live=v["planned_go_live"],
            actual_go_live=v["actual_go_live"],
            check=checks.get(pid),
            scores=scores.get(pid, []),
            progress=progress.get(pid),
            issues=issues.get(pid) or health_portfolio.IssueSummary(),
            last_touchpoint=touchpoints.get(pid),
            overdue_follow_ups=follow_ups.get(pid, 0),
            open_alerts=alerts.get(pid, 0),
        )
        latest = row.check
        daily = _is_daily(latest["period_start"], settings.check_every_minutes) if latest else True
        if latest and latest["score"] is not None and not daily:
            row.scores = [*row.scores, latest["score"]]  # today's latest, after the days'
        if row.last_touchpoint is not None:
            row.days_since_touchpoint = (today - row.last_touchpoint).days
        if row.status == PartnershipStatus.LIVE:
            row.days_since_data = health_portfolio.days_since_data(received.get(pid), now)
            row.stale = health_portfolio.stale(row.days_since_data, settings.stale_after_days)
        row.attention = _attention(row)
        rows.append(row)
    if band:
        rows = [r for r in rows if (r.band or "unchecked") == band]
    tiles = health_portfolio.kpi_tiles(
        membership=membership, partnership_ids=[r.id for r in rows], today=today, window=kpi_window
    )
    rows.sort(key=_sort_key(sort if sort in PORTFOLIO_SORTS else "attention"))
    return Portfolio(
        rows=rows,
        today=today,
        bands=health_portfolio.band_counts(checks, ids),
        attention=sum(1 for r in rows if r.attention),
        breached=sum(r.issues.breached for r in rows),
        stale=sum(1 for r in rows if r.stale),
        open_alerts=sum(r.open_alerts for r in rows),
        touchpoints_due=sum(
            1
            for r in rows
            if r.days_since_touchpoint is None or r.days_since_touchpoint > TOUCHPOINT_DUE_DAYS
        ),
        clients=clients,
        kpi_tiles=tiles,
    )


def inbox(*, membership: Membership, limit: int = 5) -> tuple[list[Alert], int]:
    """The member's open alerts (not acknowledged, not snoozed), newest first, and how many."""
    today = membership.organization.local_today()
    queryset = (
        health_selectors.alert_list(membership=membership, open_only=True)
        .exclude(snoozed_until__gte=today)
        .order_by("-created_at", "-id")
    )
    alerts = list(queryset[: limit + 1])
    count = len(alerts) if len(alerts) <= limit else queryset.count()
    return alerts[:limit], count


# --- Client executive -----------------------------------------------------------------


def awaiting_client(*, membership: Membership) -> list[dict[str, Any]]:
    """Everything that waits on the client's executive, across their partnerships: sign-offs,
    goal and preference approvals, opportunity decisions, issue replies. Five queries."""
    items = discovery_selectors.awaiting_client(membership=membership)
    for row in culture_selectors.preferences_awaiting_approval(membership=membership):
        items.append(
            {
                "kind": "approve_preference",
                "partnership_id": row["partnership_id"],
                "partnership_name": row["partnership__name"],
                "object_id": row["id"],
                "title": (
                    f"Approve {row['physician']}: {row['title']} "
                    f"(version {row['current_version__number']})"
                ),
                "since": row["current_version__created_at"],
                "version_id": row["current_version_id"],
            }
        )
    for row in health_portfolio.issues_waiting_on_client(membership=membership):
        items.append(
            {
                "kind": "answer_issue",
                "partnership_id": row["partnership_id"],
                "partnership_name": row["partnership__name"],
                "object_id": row["id"],
                "title": f"Answer the issue “{row['title']}” ({row['severity']})",
                "since": row["paused_since"],
            }
        )
    return items


def chosen_partnership(partnerships: list[Partnership], wanted: str) -> Partnership | None:
    """The partnership a home page details: the one asked for (among those listed, so never
    another tenant's or client's), else the first."""
    if wanted:
        pk = id_of(wanted)
        return next((p for p in partnerships if p.pk == pk), None)
    return partnerships[0] if partnerships else None


KPI_PERIODS = (7, 28, 90)  # days the client executive may follow the KPIs over


def client_partnership_detail(
    *,
    membership: Membership,
    partnership: Partnership,
    today: datetime.date,
    days: int = 28,
) -> dict[str, Any]:
    """One partnership as its client executive follows it: parity, KPI lines against baseline
    and target, transition progress and go-live countdown, experience goals met, caller
    satisfaction per population, the issues they raised."""
    progress = transition_selectors.plan_progress(
        membership=membership, partnership_ids=[partnership.pk], today=today
    ).get(partnership.pk)
    go_live = partnership.actual_go_live or partnership.planned_go_live
    return {
        "partnership": partnership,
        "parity": health_selectors.parity(membership=membership, partnership=partnership),
        "kpis": kpi_overview(
            membership=membership, partnership=partnership, today=today, days=days
        ),
        "days": days,
        "progress": progress,
        "go_live": go_live,
        "go_live_in_days": (go_live - today).days if go_live else None,
        "goals": health_portfolio.goal_results(membership=membership, partnership=partnership),
        "satisfaction": culture_selectors.satisfaction_by_population(
            membership=membership, partnership=partnership
        ),
        "my_issues": health_portfolio.issues_raised_by(
            membership=membership, partnership=partnership
        ),
    }


# --- Implementation PM ----------------------------------------------------------------


def pm_partnership_detail(
    *, membership: Membership, partnership: Partnership, today: datetime.date
) -> dict[str, Any]:
    """One of the PM's transitions: critical-path items at risk, go/no-go readiness,
    undecided staff outcomes, knowledge-capture gaps."""
    plan = transition_selectors.plan_for(membership=membership, partnership=partnership)
    at_risk: list[dict[str, Any]] = []
    if plan is not None:
        view = transition_selectors.plan_view(membership=membership, plan=plan)
        timings = view.schedule.timings
        horizon = today + datetime.timedelta(days=14)
        for task in view.tasks:
            timing = timings.get(task.pk)
            if timing is None or not timing.critical or task.is_done:
                continue
            forecast = timing.early_finish
            late = task.is_overdue(today, due=forecast)
            slipping = task.baseline_due is not None and forecast > task.baseline_due
            if late or slipping or forecast <= horizon:
                at_risk.append(
                    {
                        "task": task,
                        "forecast_due": forecast,
                        "overdue": late,
                        "slip_days": (forecast - task.baseline_due).days
                        if task.baseline_due
                        else None,
                    }
                )
        at_risk.sort(key=lambda item: (item["forecast_due"], item["task"].pk))
    coverage = transition_selectors.knowledge_coverage(
        membership=membership, partnership=partnership, today=today
    )
    return {
        "partnership": partnership,
        "plan": plan,
        "at_risk": at_risk[:10],
        "at_risk_count": len(at_risk),
        "readiness": transition_selectors.readiness(
            membership=membership, partnership=partnership, today=today
        )
        if partnership.status == PartnershipStatus.TRANSITION
        else None,
        "undecided": transition_selectors.undecided_outcomes(
            membership=membership, partnership=partnership
        ),
        "knowledge": coverage,
        "knowledge_gaps": [p for p in coverage["people"] if p["state"] != "green"][:8],
    }


# --- Admin ----------------------------------------------------------------------------


def organization_overview(
    *, membership: Membership, now: datetime.datetime | None = None
) -> dict[str, Any]:
    """The organization at a glance: partnerships by band and phase, each account manager's
    workload, unacknowledged alerts, data freshness of the live partnerships. A fixed number
    of queries."""
    now = now or timezone.now()
    organization: Organization = membership.organization
    today = organization.local_today()
    partnerships = list(
        access.visible(membership, Partnership)
        .filter(status__in=PORTFOLIO_STATUSES)
        .order_by("name", "id")
        .values("id", "name", "status", "account_manager_id", "client__name")
    )
    ids = [p["id"] for p in partnerships]
    checks = health_portfolio.latest_checks(membership=membership, partnership_ids=ids)
    bands = ["red", "amber", "green", "no_data", "unchecked"]
    matrix = {status: dict.fromkeys(bands, 0) for status in PORTFOLIO_STATUSES}
    for p in partnerships:
        check = checks.get(p["id"])
        matrix[p["status"]][check["band"] if check else "unchecked"] += 1
    touchpoints = health_portfolio.last_touchpoints(membership=membership, partnership_ids=ids)
    alerts_by_user = health_portfolio.open_alerts_by_recipient(membership=membership, today=today)
    managers = {
        m.user_id: m
        for m in _members(membership)
        .filter(Q(role=Role.ACCOUNT_MANAGER) | Q(role=Role.ADMIN))
        .select_related("user")
    }
    workload: dict[int, dict[str, Any]] = {}
    for p in partnerships:
        am = p["account_manager_id"]
        if am is None:
            continue
        entry = workload.setdefault(
            am, {"partnerships": 0, "red": 0, "touchpoints_due": 0, "open_alerts": 0}
        )
        entry["partnerships"] += 1
        check = checks.get(p["id"])
        if check and check["band"] == "red":
            entry["red"] += 1
        last = touchpoints.get(p["id"])
        if last is None or (today - last).days > TOUCHPOINT_DUE_DAYS:
            entry["touchpoints_due"] += 1
    for user_id, count in alerts_by_user.items():
        if user_id in workload:
            workload[user_id]["open_alerts"] = count
    workload_rows = sorted(
        (
            {
                "user_id": user_id,
                "name": managers[user_id].user.full_name if user_id in managers else "(former)",
                "role": managers[user_id].get_role_display() if user_id in managers else "",
                **figures,
            }
            for user_id, figures in workload.items()
        ),
        key=lambda row: (-row["partnerships"], row["name"].lower()),
    )
    settings = health_selectors.health_settings_for(organization=organization)
    live = [p for p in partnerships if p["status"] == PartnershipStatus.LIVE]
    received = health_portfolio.last_kpi_received(
        membership=membership, partnership_ids=[p["id"] for p in live], today=today
    )
    freshness = []
    for p in live:
        last = received.get(p["id"])
        days = health_portfolio.days_since_data(last, now)
        freshness.append(
            {
                "id": p["id"],
                "name": p["name"],
                "client": p["client__name"],
                "last_day": last["day"] if last else None,
                "received_at": last["received_at"] if last else None,
                "days": days,
                "stale": health_portfolio.stale(days, settings.stale_after_days),
            }
        )
    freshness.sort(key=lambda row: (not row["stale"], -(row["days"] or 10_000), row["name"]))
    unacknowledged = (
        access.visible(membership, Alert)
        .filter(acknowledged_at__isnull=True)
        .exclude(snoozed_until__gte=today)
    )
    return {
        "today": today,
        "partnership_count": len(partnerships),
        "bands": bands,
        "matrix": [
            (status, dict(PartnershipStatus.choices)[status], matrix[status])
            for status in PORTFOLIO_STATUSES
        ],
        "band_totals": {b: sum(matrix[s][b] for s in PORTFOLIO_STATUSES) for b in bands},
        "workload": workload_rows,
        "unassigned": sum(1 for p in partnerships if p["account_manager_id"] is None),
        "freshness": freshness,
        "stale_after_days": settings.stale_after_days,
        "unacknowledged_count": unacknowledged.count(),
        "unacknowledged": list(
            unacknowledged.select_related("partnership", "recipient").order_by(
                "-created_at", "-id"
            )[:8]
        ),
    }


# --- Audit trail ----------------------------------------------------------------------


def audit_trail(
    *,
    membership: Membership,
    partnership: str = "",
    actor: str = "",
    verb: str = "",
    since: datetime.date | None = None,
    until: datetime.date | None = None,
):
    """The organization's audit events the member may read (admins: all), newest first,
    filtered by partnership, person, action and dates (the organization's local days)."""
    queryset = access.visible(membership, AuditEvent).select_related("actor", "partnership")
    if (partnership_id := id_of(partnership)) is not None:
        queryset = queryset.filter(partnership_id=partnership_id)
    if (actor_id := id_of(actor)) is not None:
        queryset = queryset.filter(actor_id=actor_id)
    if verb:
        queryset = queryset.filter(verb=verb)
    zone = membership.organization.zone
    if since is not None:
        start = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
        queryset = queryset.filter(created_at__gte=start)
    if until is not None:
        end = datetime.datetime.combine(
            until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        queryset = queryset.filter(created_at__lt=end)
    return queryset.order_by("-created_at", "-id")


def audit_filter_choices(*, membership: Membership) -> dict[str, list[tuple[Any, str]]]:
    """The partnerships, people and actions the audit trail can be filtered by."""
    events = access.visible(membership, AuditEvent)
    verbs = list(events.order_by("verb").values_list("verb", flat=True).distinct())
    people = list(
        _members(membership).order_by("user__full_name").values_list("user_id", "user__full_name")
    )
    partnerships = list(
        access.visible(membership, Partnership).order_by("name").values_list("id", "name")
    )
    return {"verbs": [(v, v) for v in verbs], "people": people, "partnerships": partnerships}


def _members(membership: Membership):
    """The members of the member's organization (the admin pages' people; memberships are
    the tenant's own rows, read by organization as the members page does)."""
    return Membership.objects.filter(organization_id=membership.organization_id)

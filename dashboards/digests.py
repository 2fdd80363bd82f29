"""The weekly digest's words: for each account manager, what changed in their portfolio; for
each client executive, their partnership's week in five lines. Plain text with links; no HR
data. Read through `dashboards.selectors` like the home pages."""

from __future__ import annotations

import datetime

from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from dashboards import selectors
from health import portfolio_selectors as health_portfolio
from health import selectors as health_selectors
from partnerships.models import Partnership, PartnershipStatus
from tenancy import access
from tenancy.models import Membership, Role
from transition import selectors as transition_selectors

BAND_WORDS = {"red": "red", "amber": "amber", "green": "green", "no_data": "not enough data"}


def _link(path: str) -> str:
    return django_settings.SITE_URL.rstrip("/") + path


def _band(band: str) -> str:
    return BAND_WORDS.get(band, band)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def account_manager_digest(membership: Membership, now: datetime.datetime) -> str | None:
    """The account manager's week, or None when they manage nothing."""
    data = selectors.portfolio(membership=membership, now=now)
    if not data.rows:
        return None
    week_ago = now - datetime.timedelta(days=7)
    before = health_portfolio.bands_at(
        membership=membership, partnership_ids=[r.id for r in data.rows], at=week_ago
    )
    lines = [f"Your portfolio at {membership.organization.name}, week of {data.today:%B %-d}:", ""]
    changed = [
        f"- {r.name}: {_band(before[r.id])} → {_band(r.band)}"
        for r in data.rows
        if r.band and r.id in before and before[r.id] != r.band
    ]
    lines.append("Bands that changed this week:" if changed else "No band changed this week.")
    lines += changed
    breached = [f"- {r.name}: {r.issues.breached} past SLA" for r in data.rows if r.issues.breached]
    lines += ["", "Issues past their SLA:" if breached else "No issue is past its SLA."]
    lines += breached
    overdue = [
        f"- {r.name}: {_count(r.progress['overdue'], 'overdue task')}"
        for r in data.rows
        if r.progress and r.progress["overdue"]
    ]
    lines += ["", "Overdue plan tasks:" if overdue else "No plan task is overdue."]
    lines += overdue
    due = [
        f"- {r.name}: "
        + (
            "no touchpoint yet"
            if r.days_since_touchpoint is None
            else f"last {r.days_since_touchpoint} days ago"
        )
        for r in data.rows
        if r.days_since_touchpoint is None
        or r.days_since_touchpoint > selectors.TOUCHPOINT_DUE_DAYS
    ]
    lines += ["", "Touchpoints due:" if due else "Every partnership had a touchpoint this month."]
    lines += due
    home = reverse("dashboards:home", kwargs={"org_slug": membership.organization.slug})
    lines += ["", f"Your portfolio: {_link(home)}"]
    return "\n".join(lines)


def client_executive_digest(membership: Membership, now: datetime.datetime) -> str | None:
    """The client executive's partnerships, each in five lines, or None without any."""
    partnerships = list(
        access.visible(membership, Partnership)
        .exclude(status__in=[PartnershipStatus.ENDED, PartnershipStatus.PROSPECT])
        .select_related("organization")
        .order_by("name")
    )
    if not partnerships:
        return None
    today = membership.organization.local_today()
    awaiting = selectors.awaiting_client(membership=membership)
    progress = transition_selectors.plan_progress(
        membership=membership, partnership_ids=[p.pk for p in partnerships], today=today
    )
    issues = health_portfolio.open_issues(
        membership=membership, partnership_ids=[p.pk for p in partnerships], now=now
    )
    lines = [f"Your partnerships with {membership.organization.name}, week of {today:%B %-d}:"]
    for p in partnerships:
        waiting = sum(1 for item in awaiting if item["partnership_id"] == p.pk)
        plan = progress.get(p.pk)
        go_live = p.actual_go_live or p.planned_go_live
        parity = health_selectors.parity(membership=membership, partnership=p)
        verdicts = [k["verdict"] for s in parity for k in s["kpis"]]
        summary = issues.get(p.pk)
        lines += [
            "",
            f"{p.name} ({p.get_status_display().lower()})",
            f"1. Waiting for you: {waiting or 'nothing'}.",
            (
                f"2. Transition: {plan['percent_done']}% of {plan['total']} tasks done."
                if plan and plan["total"]
                else "2. Transition: no plan yet."
            ),
            (
                f"3. Live since {go_live:%B %-d, %Y}."
                if p.actual_go_live
                else f"3. Go-live in {(go_live - today).days} days ({go_live:%B %-d})."
                if go_live
                else "3. Go-live date not set yet."
            ),
            (
                f"4. Parity: {verdicts.count('same_or_better')} KPIs same or better, "
                f"{verdicts.count('worse')} worse, {verdicts.count('no_data')} without data."
                if verdicts
                else "4. Parity: no discovery baseline yet."
            ),
            f"5. Open issues: {summary.open if summary else 0}"
            + (
                f", {summary.waiting_on_client} waiting on you."
                if summary and summary.waiting_on_client
                else "."
            ),
        ]
    home = reverse("dashboards:home", kwargs={"org_slug": membership.organization.slug})
    lines += ["", f"Your home page: {_link(home)}"]
    return "\n".join(lines)


def weekly_texts(organization, now: datetime.datetime | None = None) -> dict:
    """{user: (address, subject, body)} of every account manager and client executive."""
    now = now or timezone.now()
    texts = {}
    members = Membership.objects.filter(
        organization=organization,
        role__in=[Role.ACCOUNT_MANAGER, Role.CLIENT_EXECUTIVE],
        user__is_active=True,
    ).select_related("organization", "user", "client")
    for membership in members:
        if membership.role == Role.ACCOUNT_MANAGER:
            body = account_manager_digest(membership, now)
            subject = f"Your portfolio this week ({organization.name})"
        else:
            body = client_executive_digest(membership, now)
            subject = f"Your partnership this week ({organization.name})"
        if body:
            texts[membership.user_id] = (membership.user.email, subject, body)
    return texts

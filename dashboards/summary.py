"""The monthly executive summary of a partnership: what the page and the PDF show, read through
the other apps' selectors as the member who asks may see it (a client's executive never sees
the provider's touchpoints or internal notes). Also the PDF itself: WeasyPrint with a URL
fetcher that serves the app's own static files and nothing else."""

from __future__ import annotations

import calendar
import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from dashboards import selectors
from health import audit_selectors
from health import portfolio_selectors as health_portfolio
from health import selectors as health_selectors
from health.models import Touchpoint
from partnerships.models import Partnership
from tenancy import access
from tenancy.models import Membership
from transition import selectors as transition_selectors

EARLIEST_MONTH = datetime.date(2000, 1, 1)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def parse_month(value: str | None, today: datetime.date) -> datetime.date | None:
    """`YYYY-MM` as the month's first day; the current month when empty; None when it is not
    a month between 2000 and the current one."""
    if not value:
        return today.replace(day=1)
    try:
        year, month = (int(part) for part in value.split("-", 1))
        first = datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return None
    if first < EARLIEST_MONTH or first > today.replace(day=1):
        return None
    return first


def summary_context(
    *,
    membership: Membership,
    partnership: Partnership,
    month: datetime.date,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    now = now or timezone.now()
    zone = membership.organization.zone
    first, last = month_bounds(month)
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
    )
    today = membership.organization.local_today()
    kpis = health_portfolio.monthly_kpis(
        membership=membership, partnership=partnership, start=first, end=last
    )
    parity = health_selectors.parity(membership=membership, partnership=partnership)
    verdicts = [kpi["verdict"] for service in parity for kpi in service["kpis"]]
    issues = health_portfolio.monthly_issues(
        membership=membership, partnership=partnership, start=start, end=end, now=now
    )
    qa = [
        m
        for m in audit_selectors.qa_months(membership=membership, partnership=partnership)
        if m.month == first
    ]
    touchpoints = None
    if membership.is_provider:
        touchpoints = list(
            access.visible(membership, Touchpoint)
            .filter(partnership=partnership, date__gte=first, date__lte=last)
            .order_by("date", "id")
        )
    progress = transition_selectors.plan_progress(
        membership=membership, partnership_ids=[partnership.pk], today=today
    ).get(partnership.pk)
    return {
        "partnership": partnership,
        "month": first,
        "month_end": last,
        "generated_at": now,
        "kpis": kpis,
        "kpis_meeting": sum(1 for k in kpis if k["meets_target"]),
        "parity": parity,
        "parity_counts": {
            "same_or_better": verdicts.count(health_selectors.SAME_OR_BETTER),
            "worse": verdicts.count(health_selectors.WORSE),
            "no_data": verdicts.count(health_selectors.NO_DATA),
        },
        "issues": issues,
        "qa": qa[0] if qa else None,
        "touchpoints": touchpoints,
        "progress": progress,
        "next_steps": next_steps(
            membership=membership, partnership=partnership, issues=issues, progress=progress
        ),
    }


def next_steps(*, membership, partnership, issues, progress) -> list[str]:
    """What comes next, in plain words: the oldest breached or critical issues, the next
    milestone, and what waits on the client."""
    steps = []
    for issue in issues["open"][:3]:
        if issue.breached or issue.severity in ("critical", "high"):
            state = "past its SLA" if issue.breached else f"{issue.severity}, open"
            steps.append(f"Resolve “{issue.title}” ({state}).")
    if progress and progress["next_milestone"]:
        milestone = progress["next_milestone"]
        steps.append(f"Reach the milestone “{milestone['title']}” by {milestone['due']:%B %-d}.")
    waiting = [
        item
        for item in selectors.awaiting_client(membership=membership)
        if item["partnership_id"] == partnership.pk
    ]
    if waiting and not membership.is_provider:
        steps += [f"{item['title']}." for item in waiting[:3]]
    elif waiting:
        steps.append(f"{len(waiting)} decision(s) wait on the client.")
    return steps or ["Keep the current course: nothing needs a decision this month."]


# --- PDF ---------------------------------------------------------------------------------


# The documents' base URL: a host that cannot exist (RFC 2606), so that every relative URL in
# a document resolves under it and nothing else is ever fetched.
DOCUMENT_BASE = "https://switchboard.invalid/"


class RemoteFetchRefused(ValueError):
    pass


def static_file(url: str) -> tuple[bytes, str]:
    """The bytes and type of one of the app's static files named by a document URL (under
    DOCUMENT_BASE + STATIC_URL); RemoteFetchRefused for anything else: another host, another
    scheme, a path outside the static files."""
    prefix = DOCUMENT_BASE.rstrip("/") + settings.STATIC_URL
    if not url.startswith(prefix):
        raise RemoteFetchRefused(f"Only the app's static files are served: {url[:100]}")
    relative = url[len(prefix) :].split("?", 1)[0].split("#", 1)[0]
    if not relative or ".." in Path(relative).parts or relative.startswith("/"):
        raise RemoteFetchRefused("Path refused.")
    found = finders.find(relative)
    if not found and settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT, relative)
        found = str(candidate) if candidate.is_file() else None
    if not found or not Path(found).is_file():
        raise RemoteFetchRefused(f"No such static file: {relative}")
    return Path(found).read_bytes(), _mime(relative)


def _mime(name: str) -> str:
    return {"css": "text/css", "svg": "image/svg+xml", "png": "image/png"}.get(
        name.rsplit(".", 1)[-1], "application/octet-stream"
    )


def static_only_fetcher():
    """WeasyPrint's URL fetcher for our documents: the app's own static files, nothing else
    (never the network, never another file of the machine)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body, mime = static_file(url)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    return StaticOnlyFetcher(allowed_protocols=["https"], allow_redirects=False)


def render_pdf(context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("dashboards/summary_document.html", context | {"as_pdf": True})
    document = HTML(string=html, base_url=DOCUMENT_BASE, url_fetcher=static_only_fetcher())
    return document.write_pdf()

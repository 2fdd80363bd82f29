"""Reads for the issue log: the issues a member sees, their counts, their SLA breaches, and
the organization's SLA targets. Selectors never write."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from health import sla
from health.models import Issue, IssueStatus, Severity, SlaTarget
from health.models.issues import DEFAULT_SLA_MINUTES
from tenancy import access

# What the issue list and the API read of each issue (one query, however many rows).
ISSUE_SELECT = ("raised_by", "owner", "service_line")
# Open issues first: the order a person works them in.
ACTIVE_STATUSES = (IssueStatus.OPEN, IssueStatus.IN_PROGRESS, IssueStatus.WAITING_ON_CLIENT)
CLOCK_FIELDS = (
    "pk",
    "opened_at",
    "response_minutes",
    "resolution_minutes",
    "paused_seconds",
    "paused_since",
    "first_response_at",
    "resolved_at",
)


@dataclass(frozen=True)
class SlaRow:
    severity: str
    label: str
    response_minutes: int
    resolution_minutes: int
    is_default: bool  # the organization has not set its own

    @property
    def response_text(self) -> str:
        return sla.minutes_text(self.response_minutes)

    @property
    def resolution_text(self) -> str:
        return sla.minutes_text(self.resolution_minutes)


def sla_targets(*, organization_id: int) -> dict[str, SlaRow]:
    """The organization's response and resolution targets per severity (its own where set,
    the defaults otherwise), most severe first. One query."""
    stored = {
        row.severity: row for row in SlaTarget.objects.filter(organization_id=organization_id)
    }
    rows: dict[str, SlaRow] = {}
    for value, label in Severity.choices:
        target = stored.get(value)
        response, resolution = (
            (target.response_minutes, target.resolution_minutes)
            if target is not None
            else DEFAULT_SLA_MINUTES[value]
        )
        rows[value] = SlaRow(value, label, response, resolution, target is None)
    return rows


def sla_minutes(*, organization_id: int, severity: str) -> tuple[int, int]:
    """The (response, resolution) minutes an issue of `severity` gets in the organization."""
    target = SlaTarget.objects.filter(organization_id=organization_id, severity=severity).first()
    if target is None:
        return DEFAULT_SLA_MINUTES[severity]
    return target.response_minutes, target.resolution_minutes


def issues(*, membership, partnership) -> QuerySet[Issue]:
    """The partnership's issues the member sees, with what the list shows."""
    return (
        access.visible(membership, Issue)
        .filter(partnership=partnership)
        .select_related(*ISSUE_SELECT)
    )


def breached_ids(queryset: QuerySet[Issue], *, now: datetime.datetime) -> list[int]:
    """The ids of the issues of `queryset` whose response or resolution target is breached
    (the clock is `health.sla`'s, read from one flat query)."""
    breached = []
    for row in queryset.order_by().values(*CLOCK_FIELDS):
        pk = row.pop("pk")
        if sla.clock(now=now, **row).breached:
            breached.append(pk)
    return breached


def filter_breached(queryset: QuerySet[Issue], *, breached: bool, now: datetime.datetime):
    ids = breached_ids(queryset, now=now)
    return queryset.filter(pk__in=ids) if breached else queryset.exclude(pk__in=ids)


def status_counts(queryset: QuerySet[Issue]) -> dict[str, int]:
    """How many issues of `queryset` are in each status (every status named). One query."""
    counts = dict.fromkeys(IssueStatus.values, 0)
    for row in queryset.order_by().values("status").annotate(n=Count("pk")):
        counts[row["status"]] = row["n"]
    return counts


def status_history(*, membership, issue: Issue):
    """The issue's status moves, oldest first, with who made them."""
    from health.models import IssueStatusChange

    return (
        access.visible(membership, IssueStatusChange)
        .filter(issue=issue)
        .select_related("changed_by")
        .order_by("created_at", "id")
    )

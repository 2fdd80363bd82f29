"""Reads of the touchpoints (the Touchpoints tab and the API): the partnership's
touchpoints with their follow-ups, the days since the last one, and the follow-ups due or
overdue. Selectors never write."""

from __future__ import annotations

import datetime

from django.db.models import Count, Max, Prefetch, Q, QuerySet

from health.models import FollowUp, Touchpoint
from tenancy import access

# A follow-up not done is "due" from this many days before its due date, "overdue" after it.
DUE_SOON_DAYS = 7


def follow_up_state(follow_up: FollowUp, today: datetime.date) -> str:
    """done, overdue (past its due date), due (due within DUE_SOON_DAYS days, today
    included) or open (later, or no due date)."""
    if follow_up.done_at is not None:
        return "done"
    if follow_up.due is None:
        return "open"
    if follow_up.due < today:
        return "overdue"
    if follow_up.due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "due"
    return "open"


def follow_ups_prefetch(membership) -> Prefetch:
    """A touchpoint's follow-ups the member sees, with their owners: open ones first."""
    return Prefetch(
        "follow_ups",
        queryset=access.visible(membership, FollowUp)
        .select_related("owner")
        .order_by("done_at", "due", "id"),
    )


def touchpoints(*, membership, partnership) -> QuerySet[Touchpoint]:
    """The partnership's touchpoints the member sees (none for a client's executive), newest
    first, each with its follow-ups and their owners (two queries in all)."""
    return (
        access.visible(membership, Touchpoint)
        .filter(partnership=partnership)
        .select_related("recorded_by")
        .prefetch_related(follow_ups_prefetch(membership))
        .order_by("-date", "-id")
    )


def follow_ups(*, membership, partnership) -> QuerySet[FollowUp]:
    return (
        access.visible(membership, FollowUp)
        .filter(partnership=partnership)
        .select_related("owner", "touchpoint")
        .order_by("due", "id")
    )


def open_follow_ups(*, membership, partnership, today: datetime.date) -> list[FollowUp]:
    """The follow-ups not done that are due soon or overdue, most overdue first, each with
    its `state`."""
    rows = list(
        follow_ups(membership=membership, partnership=partnership).filter(
            done_at__isnull=True,
            due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
    )
    for row in rows:
        row.state = follow_up_state(row, today)
    return rows


def days_since_last_touchpoint(*, membership, partnership, today: datetime.date) -> int | None:
    """Days from the last touchpoint (up to today) to today; None when there was none."""
    last = (
        access.visible(membership, Touchpoint)
        .filter(partnership=partnership, date__lte=today)
        .aggregate(last=Max("date"))["last"]
    )
    return None if last is None else (today - last).days


def follow_up_counts(*, membership, partnership, today: datetime.date) -> dict[str, int]:
    """How many follow-ups are overdue, due soon, and open (not done), in one query."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return (
        access.visible(membership, FollowUp)
        .filter(partnership=partnership, done_at__isnull=True)
        .aggregate(
            overdue=Count("pk", filter=Q(due__lt=today)),
            due=Count("pk", filter=Q(due__gte=today, due__lte=soon)),
            open=Count("pk"),
        )
    )


def follow_up_owners(*, partnership) -> QuerySet:
    """Who may own a follow-up: the organization's active provider members and the
    partnership's client's executives (the page's choices and the service's check)."""
    from accounts.models import User
    from tenancy.models import PROVIDER_ROLES, Role

    in_org = Q(memberships__organization_id=partnership.organization_id)
    return (
        User.objects.filter(is_active=True)
        .filter(
            in_org & Q(memberships__role__in=PROVIDER_ROLES)
            | in_org
            & Q(
                memberships__role=Role.CLIENT_EXECUTIVE,
                memberships__client_id=partnership.client_id,
            )
        )
        .distinct()
        .order_by("full_name", "email")
    )

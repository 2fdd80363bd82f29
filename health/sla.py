"""The SLA clock of an issue: pure arithmetic over its times, no database (like
`transition/schedule.py`), so it is tested on hand-built cases and the selectors, services,
pages and API all read the same answer.

Conventions (stated once, relied on everywhere):

- An issue has a **response** target and a **resolution** target (minutes), copied from its
  organization's table for its severity when it was raised (or when its severity changed).
- The clock **pauses while the issue waits on the client**: `paused_seconds` holds the pauses
  that ended, `paused_since` the one under way. The due times move out by the paused time,
  so a paused issue's time left stands still.
- The **response** is the first move out of "open" or the first provider comment shared with
  the client. Moving out of "open" is itself a response, so no issue can pause before it is
  answered: the response due time moves out by the pause only while no response is recorded
  (pauses after the response never excuse a late one).
- A due time is a deadline: answering or resolving exactly at it is in time; one second later
  is a breach. An issue not yet answered (resolved) is breached as soon as `now` passes the
  due time; one answered (resolved) late stays breached for good.
- Resolving stops the resolution clock; reopening clears the resolution, and the clock runs
  again from the time the issue was opened (a reopened issue was never resolved).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

ZERO = datetime.timedelta(0)


@dataclass(frozen=True)
class Clock:
    response_due_at: datetime.datetime
    resolution_due_at: datetime.datetime
    response_breached: bool
    resolution_breached: bool
    paused: bool  # waiting on the client now
    paused_seconds: int  # paused so far, the pause under way included
    # Time left until the due time (negative once it has passed); None once answered/resolved.
    response_left: datetime.timedelta | None
    resolution_left: datetime.timedelta | None

    @property
    def breached(self) -> bool:
        return self.response_breached or self.resolution_breached


def paused_for(
    *,
    paused_seconds: int,
    paused_since: datetime.datetime | None,
    until: datetime.datetime,
) -> datetime.timedelta:
    """The time paused up to `until`: the ended pauses plus the one under way."""
    paused = datetime.timedelta(seconds=paused_seconds or 0)
    if paused_since is not None:
        paused += max(until - paused_since, ZERO)
    return paused


def clock(
    *,
    opened_at: datetime.datetime,
    response_minutes: int,
    resolution_minutes: int,
    now: datetime.datetime,
    paused_seconds: int = 0,
    paused_since: datetime.datetime | None = None,
    first_response_at: datetime.datetime | None = None,
    resolved_at: datetime.datetime | None = None,
) -> Clock:
    """The clock of one issue at `now`."""
    # A pause never runs past the resolution (the resolution ends any pause).
    end = resolved_at or now
    paused = paused_for(paused_seconds=paused_seconds, paused_since=paused_since, until=end)
    response_due = opened_at + datetime.timedelta(minutes=response_minutes)
    if first_response_at is None:
        response_due += paused
    resolution_due = opened_at + datetime.timedelta(minutes=resolution_minutes) + paused
    answered_at = first_response_at or now
    return Clock(
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        response_breached=answered_at > response_due,
        resolution_breached=end > resolution_due,
        paused=paused_since is not None and resolved_at is None,
        paused_seconds=int(paused.total_seconds()),
        response_left=None if first_response_at is not None else response_due - now,
        resolution_left=None if resolved_at is not None else resolution_due - now,
    )


def issue_clock(issue, now: datetime.datetime) -> Clock:
    """`clock()` of an object with an issue's fields (a model row or any look-alike)."""
    return clock(
        opened_at=issue.opened_at,
        response_minutes=issue.response_minutes,
        resolution_minutes=issue.resolution_minutes,
        now=now,
        paused_seconds=issue.paused_seconds,
        paused_since=issue.paused_since,
        first_response_at=issue.first_response_at,
        resolved_at=issue.resolved_at,
    )


def duration_text(delta: datetime.timedelta) -> str:
    """A duration as a person says it: "45 min", "5 h", "5 h 30 min", "3 d", "2 d 4 h"
    (the sign is dropped: the caller says "in" or "ago")."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


def minutes_text(minutes: int) -> str:
    """A target in minutes as a person says it ("1 h", "3 d")."""
    return duration_text(datetime.timedelta(minutes=minutes))


def due_text(what: str, left: datetime.timedelta | None) -> str:
    """ "resolution due in 5 h" / "resolution overdue by 2 h" (empty once met)."""
    if left is None:
        return ""
    if left >= ZERO:
        return f"{what} due in {duration_text(left)}"
    return f"{what} overdue by {duration_text(left)}"

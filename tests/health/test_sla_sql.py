"""The sweep counts breached issues in the database (`health.sla_sql.breached`): it must agree
with `health.sla.clock`, the one definition of a breach, on every issue — the edges (answered
at the due time, one microsecond later), pauses ended and under way, late answers and
resolutions — on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from health import sla
from health.models import Issue
from health.services import issues as services
from health.sla_sql import breached

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
US = dt.timedelta(microseconds=1)
MINUTE = 60_000_000
RESPONSE, RESOLUTION = 240, 3 * 24 * 60  # a high issue's targets, in minutes


@pytest.fixture
def issue(actor_for, partnership, account_manager):
    return services.issue_raise(
        actor=actor_for(account_manager),
        partnership=partnership,
        title="Callbacks over 30 minutes",
        severity="high",
    )


def agrees(issue, now, **fields) -> bool:
    fields = {
        "opened_at": T0,
        "response_minutes": RESPONSE,
        "resolution_minutes": RESOLUTION,
        "paused_seconds": 0,
        "paused_since": None,
        "first_response_at": None,
        "resolved_at": None,
    } | fields
    Issue.objects.filter(pk=issue.pk).update(**fields)
    row = Issue.objects.get(pk=issue.pk)
    expected = sla.issue_clock(row, now).breached
    found = Issue.objects.filter(breached(now), pk=issue.pk).exists()
    assert found == expected, (fields, now)
    return expected


def test_the_edges_agree_with_the_clock(issue):
    due = T0 + dt.timedelta(minutes=RESPONSE)
    resolve_due = T0 + dt.timedelta(minutes=RESOLUTION)
    # Unanswered: in time at the due time, breached one microsecond after.
    assert not agrees(issue, due)
    assert agrees(issue, due + US)
    # Answered exactly at the due time: in time for good; a microsecond late: breached for good.
    assert not agrees(issue, resolve_due - US, first_response_at=due)
    assert agrees(issue, due + 2 * US, first_response_at=due + US)
    # A pause under way moves an unanswered issue's response due time out.
    assert not agrees(issue, due + 2 * US, paused_since=due - dt.timedelta(hours=1))
    # Ended pauses move the resolution out; resolved late stays breached, in time stays not.
    hour = 3600
    assert not agrees(
        issue, resolve_due + dt.timedelta(minutes=30), first_response_at=T0, paused_seconds=hour
    )
    assert agrees(
        issue,
        resolve_due + dt.timedelta(days=9),
        first_response_at=T0,
        resolved_at=resolve_due + US,
    )
    assert not agrees(
        issue, resolve_due + dt.timedelta(days=9), first_response_at=T0, resolved_at=resolve_due
    )
    # A pause ends with the resolution: two hours paused, resolved two hours late, in time.
    assert not agrees(
        issue,
        resolve_due + dt.timedelta(days=9),
        first_response_at=T0,
        paused_since=resolve_due,
        resolved_at=resolve_due + dt.timedelta(hours=2),
    )


OFFSET = st.integers(min_value=-2 * 24 * 60 * MINUTE, max_value=12 * 24 * 60 * MINUTE)
MAYBE = st.none() | OFFSET


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    now=OFFSET,
    response=st.integers(min_value=0, max_value=5000),
    resolution=st.integers(min_value=0, max_value=20000),
    paused_seconds=st.integers(min_value=0, max_value=10 * 24 * 3600),
    paused_since=MAYBE,
    answered=MAYBE,
    resolved=MAYBE,
)
@example(
    now=240 * MINUTE,
    response=240,
    resolution=4320,
    paused_seconds=0,
    paused_since=None,
    answered=None,
    resolved=None,
)
def test_any_issue_agrees_with_the_clock(
    issue, now, response, resolution, paused_seconds, paused_since, answered, resolved
):
    def at(micros):
        return None if micros is None else T0 + dt.timedelta(microseconds=micros)

    agrees(
        issue,
        at(now),
        response_minutes=response,
        resolution_minutes=resolution,
        paused_seconds=paused_seconds,
        paused_since=at(paused_since),
        first_response_at=at(answered),
        resolved_at=at(resolved),
    )

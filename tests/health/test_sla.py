"""The SLA clock on hand-built cases (no database): pauses move the due times out, breach
edges, time left, and how the pages say it."""

from __future__ import annotations

import datetime as dt

from health import sla

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)


def clock(**kwargs):
    # A high issue: answer within 4 h, resolve within 3 days.
    params = {"opened_at": T0, "response_minutes": 240, "resolution_minutes": 3 * 24 * 60}
    return sla.clock(**(params | kwargs))


def test_a_fresh_issue_is_due_by_its_targets():
    c = clock(now=T0 + H)
    assert c.response_due_at == T0 + 4 * H
    assert c.resolution_due_at == T0 + 72 * H
    assert c.response_left == 3 * H
    assert c.resolution_left == 71 * H
    assert not c.breached and not c.paused and c.paused_seconds == 0


def test_two_pauses_move_the_resolution_due_time_out_by_the_paused_time():
    # Answered at 1 h; waited on the client 5 h, then 10 h more (ended pauses), and is waiting
    # again since 2 h ago: 17 h paused in all.
    now = T0 + 40 * H
    c = clock(
        now=now,
        first_response_at=T0 + H,
        paused_seconds=int((5 * H + 10 * H).total_seconds()),
        paused_since=now - 2 * H,
    )
    assert c.paused
    assert c.paused_seconds == 17 * 3600
    assert c.resolution_due_at == T0 + 72 * H + 17 * H
    # The response was in time: pauses after it never move its due time.
    assert c.response_due_at == T0 + 4 * H
    assert not c.response_breached


def test_time_left_stands_still_while_paused():
    paused_since = T0 + 10 * H
    before = clock(now=paused_since, first_response_at=T0 + H, paused_since=paused_since)
    later = clock(now=paused_since + 30 * H, first_response_at=T0 + H, paused_since=paused_since)
    assert before.resolution_left == later.resolution_left == 62 * H


def test_a_pause_keeps_an_issue_from_breaching_until_the_client_answers():
    # 70 h in, the issue waits on the client for 5 days: past the bare 72 h, not breached.
    now = T0 + 70 * H + 5 * 24 * H
    c = clock(now=now, first_response_at=T0 + H, paused_since=T0 + 70 * H)
    assert not c.resolution_breached
    assert c.resolution_left == 2 * H


def test_an_issue_breached_before_its_pause_stays_breached():
    c = clock(now=T0 + 100 * H, first_response_at=T0 + H, paused_since=T0 + 80 * H)
    assert c.resolution_breached
    assert c.resolution_left == -8 * H


def test_response_breach_edges():
    at_due = clock(now=T0 + 10 * H, first_response_at=T0 + 4 * H)
    late = clock(now=T0 + 10 * H, first_response_at=T0 + 4 * H + dt.timedelta(seconds=1))
    assert not at_due.response_breached
    assert late.response_breached
    assert late.response_left is None  # answered: no time left to show
    waiting = clock(now=T0 + 4 * H + dt.timedelta(seconds=1))
    assert waiting.response_breached and waiting.response_left < dt.timedelta(0)
    assert not clock(now=T0 + 4 * H).response_breached


def test_resolution_breach_edges_and_late_resolution_stays_breached():
    in_time = clock(now=T0 + 500 * H, first_response_at=T0 + H, resolved_at=T0 + 72 * H)
    assert not in_time.resolution_breached and in_time.resolution_left is None
    late = clock(now=T0 + 500 * H, first_response_at=T0 + H, resolved_at=T0 + 73 * H)
    assert late.resolution_breached
    # Resolved within the target moved out by the pauses: in time.
    paused = clock(
        now=T0 + 500 * H,
        first_response_at=T0 + H,
        resolved_at=T0 + 73 * H,
        paused_seconds=3600,
    )
    assert not paused.resolution_breached
    assert not clock(now=T0 + 72 * H).resolution_breached
    assert clock(now=T0 + 72 * H + dt.timedelta(seconds=1)).resolution_breached


def test_an_unanswered_issue_response_due_moves_with_a_pause():
    # Not possible through the services (a pause is a move out of "open", itself a
    # response), but the arithmetic stays consistent.
    c = clock(now=T0 + 6 * H, paused_seconds=3 * 3600)
    assert c.response_due_at == T0 + 7 * H
    assert not c.response_breached


def test_how_the_pages_say_it():
    assert sla.duration_text(5 * H) == "5 h"
    assert sla.duration_text(dt.timedelta(minutes=45)) == "45 min"
    assert sla.duration_text(5 * H + dt.timedelta(minutes=30)) == "5 h 30 min"
    assert sla.duration_text(50 * H) == "2 d 2 h"
    assert sla.minutes_text(3 * 24 * 60) == "3 d"
    assert sla.due_text("resolution", 5 * H) == "resolution due in 5 h"
    assert sla.due_text("response", -2 * H) == "response overdue by 2 h"
    assert sla.due_text("response", None) == ""

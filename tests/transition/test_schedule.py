"""The scheduling arithmetic on known plans: CPM with parallel branches and lags, slip, cycles,
auto-schedule. Calendar days; a task runs start..due inclusive, a milestone is zero-length."""

from __future__ import annotations

import datetime

import pytest

from transition import schedule
from transition.schedule import Edge, Node


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(f"2026-{text}")


A, B, C, D, E, F = 1, 2, 3, 4, 5, 6


def known_plan(c_lag: int = 2):
    """A (3 days) → B (5 days) → D (milestone) → E (1 day, lag 1);
    A → C (2 days, lag `c_lag`) → D; F stands alone, short."""
    nodes = [
        Node(A, d("03-02"), d("03-04")),
        Node(B, d("03-05"), d("03-09")),
        Node(
            C,
            d("03-05") + datetime.timedelta(days=c_lag),
            d("03-06") + datetime.timedelta(days=c_lag),
        ),
        Node(D, d("03-10"), d("03-10"), milestone=True),
        Node(E, d("03-11"), d("03-11")),
        Node(F, d("03-02"), d("03-03")),
    ]
    edges = [Edge(A, B), Edge(A, C, c_lag), Edge(B, D), Edge(C, D), Edge(D, E, 1)]
    return nodes, edges


def test_forward_pass_gives_the_entered_dates_when_nothing_conflicts():
    nodes, edges = known_plan()
    result = schedule.compute(nodes, edges)
    for node in nodes:
        timing = result.timings[node.id]
        assert (timing.early_start, timing.early_finish) == (node.start, node.due)
    assert result.conflicts == []
    assert result.project_start == d("03-02")
    assert result.project_finish == d("03-11")


def test_critical_path_runs_through_the_longer_branch_and_the_lag():
    nodes, edges = known_plan(c_lag=2)
    result = schedule.compute(nodes, edges)
    assert result.critical_ids == {A, B, D, E}
    assert result.critical_path == [A, B, D, E]
    # C finishes a day before D needs it; F finishes eight days before the end.
    assert result.timings[C].total_float == 1
    assert result.timings[F].total_float == 8
    assert result.timings[C].late_start == d("03-08")
    assert result.timings[C].late_finish == d("03-09")


def test_a_longer_lag_makes_both_parallel_branches_critical():
    nodes, edges = known_plan(c_lag=3)
    result = schedule.compute(nodes, edges)
    assert result.critical_ids == {A, B, C, D, E}
    assert result.timings[C].total_float == 0


def test_a_milestone_predecessor_lets_the_successor_start_the_same_day_plus_lag():
    nodes = [Node(1, d("03-10"), d("03-10"), milestone=True), Node(2, d("03-10"), d("03-10"))]
    assert schedule.compute(nodes, [Edge(1, 2)]).conflicts == []
    conflict = schedule.compute(nodes, [Edge(1, 2, 2)]).conflicts[0]
    assert conflict.required_start == d("03-12")
    assert conflict.days == 2


def test_a_late_predecessor_pushes_the_forecast_and_the_slip_shows_it():
    nodes, edges = known_plan()
    baseline = {node.id: node.due for node in nodes}
    # B takes three more days, nobody moved its dependants yet.
    nodes[1] = Node(B, d("03-05"), d("03-12"))
    result = schedule.compute(nodes, edges)
    assert result.timings[D].early_finish == d("03-13")
    assert result.timings[E].early_finish == d("03-14")
    assert schedule.slip_days(result.timings[E].early_finish, baseline[E]) == 3
    assert schedule.slip_days(result.timings[C].early_finish, baseline[C]) == 0
    # Judged against forecasts: D starts before B now ends, so E starts before D does.
    assert {(c.predecessor, c.successor) for c in result.conflicts} == {(B, D), (D, E)}
    assert result.timings[D].conflict and result.timings[E].conflict
    assert not result.timings[C].conflict


def test_slip_without_baseline_is_unknown_and_early_is_negative():
    assert schedule.slip_days(d("03-10"), None) is None
    assert schedule.slip_days(d("03-08"), d("03-10")) == -2


def test_done_tasks_keep_their_dates():
    nodes = [Node(1, d("03-02"), d("03-10")), Node(2, d("03-05"), d("03-06"), done=True)]
    result = schedule.compute(nodes, [Edge(1, 2)])
    assert result.timings[2].early_start == d("03-05")
    assert result.conflicts == []
    assert schedule.auto_schedule(nodes, [Edge(1, 2)]) == {}


def test_a_cycle_is_named_along_its_path():
    edges = [Edge(A, B), Edge(B, C)]
    assert schedule.cycle_path_if_added(edges, C, A) == [C, A, B, C]
    assert schedule.cycle_path_if_added(edges, A, C) is None
    assert schedule.cycle_path_if_added(edges, A, A) == [A, A]
    assert schedule.find_cycle([A, B, C], [*edges, Edge(C, A)]) == [A, B, C, A]
    with pytest.raises(schedule.CycleError) as caught:
        schedule.compute([Node(i, d("03-02"), d("03-02")) for i in (A, B, C)], [*edges, Edge(C, A)])
    assert caught.value.path == [A, B, C, A]


def test_auto_schedule_moves_dependants_later_keeping_durations():
    nodes, edges = known_plan()
    nodes[0] = Node(A, d("03-04"), d("03-06"))  # A moves two days later
    moved = schedule.auto_schedule(nodes, edges, only_after=[A])
    assert moved == {
        B: (d("03-07"), d("03-11")),
        C: (d("03-09"), d("03-10")),
        D: (d("03-12"), d("03-12")),
        E: (d("03-13"), d("03-13")),
    }
    assert F not in moved


def test_auto_schedule_never_pulls_tasks_earlier():
    nodes, edges = known_plan()
    nodes[0] = Node(A, d("02-27"), d("03-01"))  # A moves earlier: dependants keep their dates
    assert schedule.auto_schedule(nodes, edges, only_after=[A]) == {}


def test_auto_schedule_only_touches_what_follows_the_moved_task():
    nodes = [
        Node(1, d("03-02"), d("03-05")),
        Node(2, d("03-03"), d("03-03")),  # conflicts with 1, but 1 was not moved
        Node(3, d("03-02"), d("03-02")),
        Node(4, d("03-02"), d("03-02")),
    ]
    edges = [Edge(1, 2), Edge(3, 4)]
    assert schedule.auto_schedule(nodes, edges, only_after=[3]) == {4: (d("03-03"), d("03-03"))}
    assert schedule.auto_schedule(nodes, edges) == {
        2: (d("03-06"), d("03-06")),
        4: (d("03-03"), d("03-03")),
    }


def test_direct_conflicts_are_judged_on_entered_dates():
    nodes = [Node(1, d("03-02"), d("03-05")), Node(2, d("03-04"), d("03-04"))]
    (conflict,) = schedule.direct_conflicts(nodes, [Edge(1, 2, 1)], 1)
    assert (conflict.current_start, conflict.required_start, conflict.days) == (
        d("03-04"),
        d("03-07"),
        3,
    )

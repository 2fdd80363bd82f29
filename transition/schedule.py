"""Scheduling arithmetic for transition plans: cycle checks, the critical path (CPM), slip and
auto-scheduling. Pure functions over small value objects, so they are tested without a
database and the selectors/services feed them from two queries (tasks, dependencies).

Conventions (stated once, relied on everywhere):

- **Calendar days.** Weekends and holidays count like any other day. A nurse-triage line runs
  every day of the year, and a transition plan is read in calendar dates; working-day
  calendars would make the arithmetic harder to explain than the precision is worth.
- A task occupies the days ``start … due`` inclusive, so its duration is
  ``(due - start) + 1`` days. A milestone has ``start == due`` and a duration of 0.
- Internally a task runs over the half-open interval ``[ES, EF)`` of day numbers:
  ``EF = ES + duration``. A finish-to-start dependency with a lag of ``L`` days requires
  ``successor.ES >= predecessor.EF + L``: after a task due on day D the successor can start on
  D + 1 (+ lag); after a milestone on day D it can start on D itself (+ lag).
- The **forecast** of a task is the earliest it can happen given its own dates and its
  predecessors' forecasts: ``ES = max(start, max(pred.EF + lag))``. A task whose entered
  start is earlier than that is in **conflict**; auto-schedule resolves conflicts by moving it.
  Done tasks keep their recorded dates (they are history, not a forecast).
- The **critical path** comes from the backward pass from the latest forecast finish of the
  plan; a task with zero total float is critical.
"""

from __future__ import annotations

import datetime
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Node:
    """A task as the scheduler sees it."""

    id: int
    start: datetime.date
    due: datetime.date
    milestone: bool = False
    done: bool = False

    @property
    def duration(self) -> int:
        return 0 if self.milestone else (self.due - self.start).days + 1


@dataclass(frozen=True)
class Edge:
    """Finish-to-start: `successor` starts no earlier than `predecessor` finishes + lag days."""

    predecessor: int
    successor: int
    lag: int = 0


class CycleError(ValueError):
    """The dependencies loop back on themselves; `path` lists the ids round the loop."""

    def __init__(self, path: list[int]):
        super().__init__(" → ".join(str(i) for i in path))
        self.path = path


@dataclass(frozen=True)
class Conflict:
    """`successor` starts before `predecessor` (+ lag) lets it."""

    predecessor: int
    successor: int
    lag: int
    current_start: datetime.date
    required_start: datetime.date

    @property
    def days(self) -> int:
        return (self.required_start - self.current_start).days


@dataclass(frozen=True)
class Timing:
    id: int
    early_start: datetime.date
    early_finish: datetime.date  # the forecast due date (inclusive)
    late_start: datetime.date
    late_finish: datetime.date
    total_float: int
    critical: bool
    conflict: bool  # the entered start is earlier than the predecessors allow


@dataclass
class Schedule:
    timings: dict[int, Timing]
    order: list[int]  # topological
    project_start: datetime.date | None
    project_finish: datetime.date | None
    critical_path: list[int]  # one driving chain, first to last
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def critical_ids(self) -> set[int]:
        return {i for i, timing in self.timings.items() if timing.critical}


# --- Graph helpers ---------------------------------------------------------------------


_FIRST_DAY = datetime.date.min.toordinal()
_LAST_DAY = datetime.date.max.toordinal()


def _date(ordinal: int) -> datetime.date:
    """A day number as a date, kept inside the calendar: dates entered are checked against a
    sane range, but a schedule computed from stored data must never raise (long lags or old
    rows could push a day past year 9999 or before year 1)."""
    return datetime.date.fromordinal(min(max(ordinal, _FIRST_DAY), _LAST_DAY))


def _adjacency(edges: Iterable[Edge]) -> dict[int, list[Edge]]:
    successors: dict[int, list[Edge]] = defaultdict(list)
    for edge in edges:
        successors[edge.predecessor].append(edge)
    return successors


def cycle_path_if_added(
    edges: Iterable[Edge], predecessor: int, successor: int
) -> list[int] | None:
    """The loop that the edge predecessor → successor would close, or None.

    The path is given in dependency order and ends where it starts, e.g. [A, B, C, A] for
    "A → B → C → A" when adding C → A to A → B → C.
    """
    if predecessor == successor:
        return [predecessor, successor]
    successors = _adjacency(edges)
    # Breadth-first from the new successor along existing edges: reaching the new
    # predecessor means the new edge closes a loop. BFS gives the shortest loop to name.
    parent: dict[int, int | None] = {successor: None}
    queue = deque([successor])
    while queue:
        current = queue.popleft()
        if current == predecessor:
            path = [current]
            while parent[path[-1]] is not None:
                path.append(parent[path[-1]])  # type: ignore[arg-type]
            path.reverse()  # successor … predecessor
            return [predecessor, *path]
        for edge in successors.get(current, ()):
            if edge.successor not in parent:
                parent[edge.successor] = current
                queue.append(edge.successor)
    return None


def find_cycle(ids: Iterable[int], edges: Iterable[Edge]) -> list[int] | None:
    """Any loop in the graph, as a closed path [A, B, …, A], or None."""
    edges = list(edges)
    successors = _adjacency(edges)
    white, grey, black = 0, 1, 2
    colour: dict[int, int] = dict.fromkeys(ids, white)
    for edge in edges:
        colour.setdefault(edge.predecessor, white)
        colour.setdefault(edge.successor, white)
    for root in list(colour):
        if colour[root] != white:
            continue
        stack: list[tuple[int, Iterable[Edge]]] = [(root, iter(successors.get(root, ())))]
        trail = [root]
        colour[root] = grey
        while stack:
            node, children = stack[-1]
            advanced = False
            for edge in children:
                child = edge.successor
                if colour[child] == grey:
                    return [*trail[trail.index(child) :], child]
                if colour[child] == white:
                    colour[child] = grey
                    trail.append(child)
                    stack.append((child, iter(successors.get(child, ()))))
                    advanced = True
                    break
            if not advanced:
                colour[node] = black
                trail.pop()
                stack.pop()
    return None


def topological_order(ids: Sequence[int], edges: Iterable[Edge]) -> list[int]:
    """Kahn's algorithm, stable on the given id order; raises CycleError on a loop."""
    edges = list(edges)
    known = set(ids)
    indegree = dict.fromkeys(ids, 0)
    successors = _adjacency(e for e in edges if e.predecessor in known and e.successor in known)
    for edges_out in successors.values():
        for edge in edges_out:
            indegree[edge.successor] += 1
    position = {node: index for index, node in enumerate(ids)}
    ready = deque(sorted((i for i in ids if indegree[i] == 0), key=position.__getitem__))
    order: list[int] = []
    while ready:
        node = ready.popleft()
        order.append(node)
        for edge in successors.get(node, ()):
            indegree[edge.successor] -= 1
            if indegree[edge.successor] == 0:
                ready.append(edge.successor)
    if len(order) != len(ids):
        raise CycleError(find_cycle(ids, edges) or [])
    return order


# --- CPM -------------------------------------------------------------------------------


def _required_start(node_ef: Mapping[int, int], edges_in: Iterable[Edge]) -> int | None:
    required = None
    for edge in edges_in:
        candidate = node_ef[edge.predecessor] + edge.lag
        if required is None or candidate > required:
            required = candidate
    return required


def compute(nodes: Sequence[Node], edges: Iterable[Edge]) -> Schedule:
    """Forward and backward pass over the plan; see the module docstring for conventions."""
    edges = [e for e in edges]
    by_id = {node.id: node for node in nodes}
    edges = [e for e in edges if e.predecessor in by_id and e.successor in by_id]
    order = topological_order([n.id for n in nodes], edges)
    if not nodes:
        return Schedule({}, [], None, None, [])
    incoming: dict[int, list[Edge]] = defaultdict(list)
    outgoing: dict[int, list[Edge]] = defaultdict(list)
    for edge in edges:
        incoming[edge.successor].append(edge)
        outgoing[edge.predecessor].append(edge)

    early_start: dict[int, int] = {}
    early_finish: dict[int, int] = {}
    conflicts: list[Conflict] = []
    for node_id in order:
        node = by_id[node_id]
        own = node.start.toordinal()
        start = own
        if not node.done:
            required = _required_start(early_finish, incoming[node_id])
            if required is not None and required > own:
                start = required
        early_start[node_id] = start
        early_finish[node_id] = start + node.duration
        for edge in incoming[node_id]:
            needed = early_finish[edge.predecessor] + edge.lag
            if own < needed and not node.done:
                conflicts.append(
                    Conflict(
                        predecessor=edge.predecessor,
                        successor=node_id,
                        lag=edge.lag,
                        current_start=node.start,
                        required_start=_date(needed),
                    )
                )

    project_finish = max(early_finish.values())
    late_finish: dict[int, int] = {}
    late_start: dict[int, int] = {}
    for node_id in reversed(order):
        successors = outgoing[node_id]
        finish = project_finish
        for edge in successors:
            finish = min(finish, late_start[edge.successor] - edge.lag)
        late_finish[node_id] = finish
        late_start[node_id] = finish - by_id[node_id].duration

    def as_due(node_id: int, exclusive_end: int) -> datetime.date:
        # Back from the half-open interval to the inclusive due date people read.
        last_day = exclusive_end if by_id[node_id].milestone else exclusive_end - 1
        return _date(last_day)

    timings: dict[int, Timing] = {}
    conflicted = {c.successor for c in conflicts}
    for node_id in order:
        total_float = late_start[node_id] - early_start[node_id]
        timings[node_id] = Timing(
            id=node_id,
            early_start=_date(early_start[node_id]),
            early_finish=as_due(node_id, early_finish[node_id]),
            late_start=_date(late_start[node_id]),
            late_finish=as_due(node_id, late_finish[node_id]),
            total_float=total_float,
            critical=total_float <= 0,
            conflict=node_id in conflicted,
        )

    path = _driving_chain(order, by_id, incoming, early_start, early_finish, timings)
    return Schedule(
        timings=timings,
        order=order,
        project_start=_date(min(early_start.values())),
        project_finish=max(t.early_finish for t in timings.values()),
        critical_path=path,
        conflicts=conflicts,
    )


def _driving_chain(order, by_id, incoming, early_start, early_finish, timings) -> list[int]:
    """One critical chain, walked back from the critical task that finishes last through
    predecessors that drive it (critical, and their finish + lag is the task's start)."""
    critical = [i for i in order if timings[i].critical]
    if not critical:
        return []
    position = {node_id: index for index, node_id in enumerate(order)}
    current = max(critical, key=lambda i: (early_finish[i], position[i]))
    chain = [current]
    while True:
        drivers = [
            edge.predecessor
            for edge in incoming[current]
            if timings[edge.predecessor].critical
            and early_finish[edge.predecessor] + edge.lag == early_start[current]
        ]
        if not drivers:
            break
        current = min(drivers, key=position.__getitem__)
        chain.append(current)
    chain.reverse()
    return chain


def slip_days(forecast_due: datetime.date, baseline_due: datetime.date | None) -> int | None:
    """Positive when the forecast is later than the baseline; None without a baseline."""
    if baseline_due is None:
        return None
    return (forecast_due - baseline_due).days


# --- Moving tasks ----------------------------------------------------------------------


def direct_conflicts(nodes: Sequence[Node], edges: Iterable[Edge], task_id: int) -> list[Conflict]:
    """Conflicts on the dependencies that touch `task_id`, judged on the entered dates
    (what a person sees right after moving one task without auto-schedule)."""
    by_id = {node.id: node for node in nodes}
    found = []
    for edge in edges:
        if task_id not in (edge.predecessor, edge.successor):
            continue
        predecessor, successor = by_id.get(edge.predecessor), by_id.get(edge.successor)
        if predecessor is None or successor is None or successor.done:
            continue
        needed = predecessor.start.toordinal() + predecessor.duration + edge.lag
        if successor.start.toordinal() < needed:
            found.append(
                Conflict(
                    predecessor=edge.predecessor,
                    successor=edge.successor,
                    lag=edge.lag,
                    current_start=successor.start,
                    required_start=_date(needed),
                )
            )
    return found


def auto_schedule(
    nodes: Sequence[Node], edges: Iterable[Edge], *, only_after: Iterable[int] | None = None
) -> dict[int, tuple[datetime.date, datetime.date]]:
    """New (start, due) for every task that must move later to respect its predecessors.

    Tasks keep their durations and only ever move later, never earlier; done tasks never move.
    With `only_after`, only tasks downstream of those ids are considered (moving one task
    moves its dependants, not unrelated parts of the plan).
    """
    edges = list(edges)
    by_id = {node.id: node for node in nodes}
    order = topological_order([n.id for n in nodes], edges)
    incoming: dict[int, list[Edge]] = defaultdict(list)
    for edge in edges:
        if edge.predecessor in by_id and edge.successor in by_id:
            incoming[edge.successor].append(edge)

    scope: set[int] | None = None
    if only_after is not None:
        successors = _adjacency(edges)
        scope = set()
        queue = deque(only_after)
        while queue:
            current = queue.popleft()
            for edge in successors.get(current, ()):
                if edge.successor not in scope:
                    scope.add(edge.successor)
                    queue.append(edge.successor)

    start: dict[int, int] = {}
    finish: dict[int, int] = {}
    moved: dict[int, tuple[datetime.date, datetime.date]] = {}
    for node_id in order:
        node = by_id[node_id]
        begin = node.start.toordinal()
        if not node.done and (scope is None or node_id in scope):
            required = _required_start(finish, incoming[node_id])
            if required is not None and required > begin:
                shift = required - begin
                begin = required
                moved[node_id] = (
                    _date(node.start.toordinal() + shift),
                    _date(node.due.toordinal() + shift),
                )
        start[node_id] = begin
        finish[node_id] = begin + node.duration
    return moved

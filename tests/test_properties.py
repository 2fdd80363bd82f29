"""Property tests (Hypothesis) of the validators and the pure arithmetic: whatever they are
given, they answer with their own refusal (never a crash) and keep their promises.

- call flows: any JSON document is a graph or a GraphError naming where; validation of a graph
  returns problems, never raises;
- CSV imports: any bytes or text is rows or an ImportFailed with row and column;
- schedules: any tasks and dependencies give a schedule honouring every dependency, or a
  CycleError whose path is a real loop;
- health scoring: any KPI figure scores within 0..100 (or None), a figure at or better than
  its target scores 100, and more open issues never score better.
"""

from __future__ import annotations

import datetime
import itertools

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from discovery.callflow import GraphError, NodeKind, call_flow_validate, parse_graph
from health import scoring
from health.imports import measurement_rows_parse
from tenancy.csvfiles import ImportFailed
from transition import schedule

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# JSON values, nested a few levels, with hostile text (markup, NUL, lone surrogates).
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=()) | st.sampled_from(["\x00"]),
    max_size=40,
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(TEXT, children, max_size=5),
    max_leaves=30,
)
KINDS = [*NodeKind.values, "step"]  # the real kinds, and one that is not
NODE = st.fixed_dictionaries(
    {"key": st.sampled_from(list("abcdef")), "kind": st.sampled_from(KINDS)},
    optional={"label": TEXT},
)
ENDS = st.sampled_from(list("abcdefz"))
GRAPH = st.fixed_dictionaries(
    {
        "nodes": st.lists(NODE, max_size=8),
        "edges": st.lists(
            st.fixed_dictionaries(
                {
                    "source": st.sampled_from(list("abcdefz")),
                    "target": st.sampled_from(list("abcdefz")),
                },
                optional={"label": TEXT},
            ),
            max_size=10,
        ),
    }
)


@PROPERTY
@given(st.one_of(JSON, GRAPH))
def test_any_document_is_a_graph_or_a_graph_error(document):
    try:
        parse_graph(document)
    except GraphError as error:
        assert str(error)  # says what is wrong, and where
        return
    # A graph: its validation lists problems (unreachable steps, loops, no end), never fails.
    problems = call_flow_validate(document)
    assert isinstance(problems, list)


@PROPERTY
@given(st.one_of(st.binary(max_size=600), st.text(max_size=600)))
def test_any_file_is_rows_or_errors_with_row_and_column(content):
    try:
        rows = measurement_rows_parse(content)
    except ImportFailed as failure:
        errors = failure.as_list()
        assert errors and all({"row", "column", "message"} <= set(e) for e in errors)
    else:
        assert isinstance(rows, list)


HEADER = "date,kpi,value,service\n"


@PROPERTY
@given(st.lists(st.tuples(TEXT, TEXT, TEXT, TEXT), max_size=8))
def test_any_rows_under_a_good_header_parse_or_fail_by_row(rows):
    lines = [",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in rows]
    try:
        measurement_rows_parse(HEADER + "\n".join(lines))
    except ImportFailed as failure:
        assert all(error["row"] >= 1 for error in failure.as_list())


DAY = datetime.date(2026, 1, 1)


@st.composite
def plans(draw):
    count = draw(st.integers(min_value=0, max_value=8))
    nodes = []
    for task_id in range(1, count + 1):
        start = DAY + datetime.timedelta(days=draw(st.integers(0, 60)))
        length = draw(st.integers(0, 20))
        nodes.append(
            schedule.Node(
                id=task_id,
                start=start,
                due=start + datetime.timedelta(days=length),
                milestone=draw(st.booleans()) and length == 0,
            )
        )
    edges = []
    if count > 1:
        for _ in range(draw(st.integers(0, count * 2))):
            a, b = draw(st.integers(1, count)), draw(st.integers(1, count))
            edges.append(schedule.Edge(a, b, draw(st.integers(-3, 5))))
    return nodes, edges


@PROPERTY
@given(plans())
def test_a_schedule_honours_every_dependency_or_names_a_real_loop(plan):
    nodes, edges = plan
    try:
        result = schedule.compute(nodes, edges)
    except schedule.CycleError as error:
        loop = error.path
        assert len(loop) >= 2 and loop[0] == loop[-1]
        pairs = {(e.predecessor, e.successor) for e in edges}
        assert all((a, b) in pairs for a, b in itertools.pairwise(loop))
        return
    assert set(result.timings) == {node.id for node in nodes}
    by_id = {node.id: node for node in nodes}
    for node in nodes:
        # The forecast never starts before the entered start (ES = max(start, …)).
        assert result.timings[node.id].early_start >= node.start
    for edge in edges:
        before, after = result.timings[edge.predecessor], result.timings[edge.successor]
        # Finish-to-start with the lag: after a task due on day D the successor starts on
        # D + 1 + lag at the earliest; after a milestone on day D, on D + lag.
        gap = 0 if by_id[edge.predecessor].milestone else 1
        required = before.early_finish + datetime.timedelta(days=edge.lag + gap)
        assert after.early_start >= required, (edge, before, after)


FIGURE = st.builds(
    scoring.KpiFigure,
    name=st.just("Abandonment"),
    unit=st.sampled_from(["percent", "seconds", "count"]),
    direction=st.sampled_from(["lower", "higher", "neutral"]),
    value=st.none() | st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    target=st.none() | st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    baseline=st.none() | st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)


@PROPERTY
@given(FIGURE)
def test_a_kpi_scores_within_0_and_100_and_meeting_the_target_is_100(figure):
    score = scoring.kpi_score(figure)
    if score is None:
        return
    assert 0 <= score <= 100
    if figure.target is not None and figure.value is not None:
        met = (
            figure.value <= figure.target
            if figure.direction == "lower"
            else figure.value >= figure.target
        )
        if met:
            assert score == 100


SEVERITIES = st.fixed_dictionaries({s: st.integers(0, 50) for s in scoring.SEVERITY_PENALTY})


@PROPERTY
@given(SEVERITIES, st.integers(0, 20), st.sampled_from(list(scoring.SEVERITY_PENALTY)))
def test_one_more_open_issue_never_scores_better(counts, breached, severity):
    assume(breached <= sum(counts.values()))
    before = scoring.score_issues(scoring.IssueFacts(counts, breached))
    worse = scoring.score_issues(
        scoring.IssueFacts({**counts, severity: counts[severity] + 1}, breached)
    )
    assert 0 <= worse.score <= before.score <= 100

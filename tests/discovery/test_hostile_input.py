"""What a hostile or broken client sends gets a 400 naming where it is, and nothing is saved:
a lone surrogate or a NUL byte anywhere in a JSON body (a call-flow label, a choice), and
JSON nested deep enough to exhaust a parser."""

from __future__ import annotations

import copy
import json

import pytest

from discovery.models import CallFlow
from discovery.samples import AFTER_HOURS_TRIAGE_CURRENT


def body(service, **graph_changes) -> dict:
    graph = copy.deepcopy(AFTER_HOURS_TRIAGE_CURRENT)
    graph["nodes"][0].update(graph_changes)
    return {"service": service.pk, "name": "After-hours line", "state": "current", "graph": graph}


@pytest.mark.parametrize(
    ("text", "message"), [("\ud800", "lone surrogate"), ("Triage\x00", "NUL character")]
)
def test_unsafe_text_deep_in_a_call_flow_is_refused_by_path(
    partnership, implementation_pm, service, as_member, url, text, message
):
    api = as_member(implementation_pm)
    raw = json.dumps(body(service, label=text))  # \ud800 and \u0000 as JSON escapes
    response = api.generic(
        "POST", url("call-flow-list", partnership), raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert message in response.json()["graph.nodes[0].label"][0]
    assert not CallFlow.objects.exists()


def test_a_lone_surrogate_in_a_choice_is_a_400_naming_it(
    partnership, implementation_pm, service, as_member, url
):
    api = as_member(implementation_pm)
    raw = json.dumps({**body(service), "state": "\udfff"})
    response = api.generic(
        "POST", url("call-flow-list", partnership), raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert "state" in response.json()


def test_json_nested_50000_deep_is_a_400(partnership, implementation_pm, as_member, url):
    api = as_member(implementation_pm)
    raw = '{"graph": ' + "[" * 50_000 + "]" * 50_000 + "}"
    response = api.generic(
        "POST", url("call-flow-list", partnership), raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert not CallFlow.objects.exists()


def test_json_nested_past_the_limit_names_where(partnership, implementation_pm, as_member, url):
    api = as_member(implementation_pm)
    nested = 1
    for _ in range(40):
        nested = [nested]
    raw = json.dumps({"name": "x", "graph": {"nodes": nested}})
    response = api.generic(
        "POST", url("call-flow-list", partnership), raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert any(key.startswith("graph.nodes") for key in response.json())


def test_a_csv_cell_over_128_kb_is_a_row_error_and_nothing_is_saved(
    partnership, implementation_pm, service, kpis, as_member, url
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from discovery.models import KpiBaseline

    text = (
        "service,kpi,value,period_start,period_end\n"
        "After-hours triage,abandonment_rate,7,2026-01-01,2026-03-31\n"
        f'After-hours triage,"{"x" * 140_000}",7,2026-01-01,2026-03-31\n'
    )
    response = as_member(implementation_pm).post(
        url("baseline-import", partnership),
        {"file": SimpleUploadedFile("b.csv", text.encode())},
        format="multipart",
    )
    assert response.status_code == 400
    assert "128 KB" in response.json()["errors"][0]["message"]
    assert not KpiBaseline.objects.exists()


def test_a_number_past_what_json_states_exactly_is_a_400_naming_it(
    partnership, implementation_pm, as_member, url
):
    from discovery.models import ServiceLine

    response = as_member(implementation_pm).post(
        url("service-list", partnership),
        {"kind": "after_hours_triage", "name": "Nights", "monthly_volume": 2**60},
        format="json",
    )
    assert response.status_code == 400
    assert "monthly_volume" in response.json()
    assert not ServiceLine.objects.exists()


@pytest.mark.parametrize("number", ["1e400", "-1e400", "1e300"])
def test_an_infinite_or_huge_float_is_a_400_naming_it(
    partnership, implementation_pm, as_member, url, number
):
    """1e400 parses as infinity, which no integer or key field holds (it was a 500)."""
    from discovery.models import ServiceLine

    response = as_member(implementation_pm).post(
        url("service-list", partnership),
        data='{"kind": "after_hours_triage", "name": "Nights", "monthly_volume": ' + number + "}",
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "monthly_volume" in response.json()
    assert not ServiceLine.objects.exists()


def test_a_number_past_its_columns_range_is_a_400_not_a_500(
    partnership, implementation_pm, as_member, url
):
    from django.db import connection

    from discovery.models import ServiceLine

    if connection.vendor != "postgresql":
        pytest.skip("SQLite stores any 64-bit integer; PostgreSQL's integer column does not.")
    response = as_member(implementation_pm).post(
        url("service-list", partnership),
        {"kind": "after_hours_triage", "name": "Nights", "monthly_volume": 2**31 + 1},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "monthly_volume" in response.json()
    assert not ServiceLine.objects.exists()

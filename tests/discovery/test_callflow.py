"""The call-flow graph rules, as pure functions: parsing, each named problem on a broken
graph, the valid sample flows, diff, and the JSON round trip through the services."""

from __future__ import annotations

import copy
import itertools

import pytest

from discovery import callflow
from discovery.callflow import (
    GraphError,
    call_flow_diff,
    call_flow_validate,
    diff_is_empty,
    parse_graph,
)
from discovery.samples import AFTER_HOURS_TRIAGE_CURRENT, AFTER_HOURS_TRIAGE_FUTURE


def graph(nodes: str, edges: str = "") -> dict:
    """`graph("entry:entry menu:ivr_menu end:end", "entry>menu menu>end")`."""
    return {
        "nodes": [
            {"key": key, "kind": kind, "label": key.title()}
            for key, kind in (item.split(":") for item in nodes.split())
        ],
        "edges": [
            {"source": source, "target": target, "condition": ""}
            for source, target in (item.split(">") for item in edges.split())
        ],
    }


# A minimal valid flow: entry → menu → triage → (callback → end | 911 → end | end).
VALID_NODES = (
    "entry:entry menu:ivr_menu triage:triage_protocol callback:callback "
    "er:emergency_escalation end:end"
)
VALID_EDGES = "entry>menu menu>triage menu>er triage>callback triage>er callback>end er>end"


def codes(document) -> list[str]:
    return [problem.code for problem in call_flow_validate(document)]


def problem(document, code: str):
    return next(p for p in call_flow_validate(document) if p.code == code)


# --- valid flows -----------------------------------------------------------------------------


def test_the_minimal_flow_is_valid():
    assert call_flow_validate(graph(VALID_NODES, VALID_EDGES)) == []


@pytest.mark.parametrize("document", [AFTER_HOURS_TRIAGE_CURRENT, AFTER_HOURS_TRIAGE_FUTURE])
def test_the_sample_after_hours_flows_are_valid(document):
    assert call_flow_validate(document) == []


def test_a_loop_with_a_way_out_is_fine():
    # A callback that goes back to triage loops, but triage also leads on.
    document = graph(VALID_NODES, VALID_EDGES + " callback>triage")
    assert call_flow_validate(document) == []


def test_repeating_the_menu_on_itself_is_a_self_loop():
    # "Press 9 to repeat the menu" drawn as an edge from the menu to itself (DESIGN.md: no
    # self-loop): named, even though the menu also leads on.
    document = graph(VALID_NODES, VALID_EDGES + " menu>menu")
    assert codes(document) == ["self_loop"]


# --- each problem, named -----------------------------------------------------------------------


def test_no_entry():
    document = graph("menu:ivr_menu er:emergency_escalation end:end", "menu>er er>end")
    assert codes(document) == ["no_entry"]
    assert "no entry node" in problem(document, "no_entry").message


def test_several_entries():
    document = graph(VALID_NODES + " entry2:entry", VALID_EDGES + " entry2>menu")
    found = problem(document, "several_entries")
    assert found.nodes == ("entry", "entry2")
    assert "exactly one" in found.message


def test_unreachable_node():
    document = graph(VALID_NODES + " vm:voicemail", VALID_EDGES + " vm>end")
    found = problem(document, "unreachable_node")
    assert codes(document) == ["unreachable_node"]
    assert found.nodes == ("vm",)
    assert "“Vm” (voicemail) cannot be reached from the entry" in found.message


def test_path_without_end():
    # Voicemail reached from the menu leads nowhere: the call just stops.
    document = graph(VALID_NODES + " vm:voicemail", VALID_EDGES + " menu>vm")
    found = problem(document, "path_without_end")
    assert codes(document) == ["path_without_end"]
    assert found.nodes == ("vm",)
    assert "never reach an end" in found.message


def test_cycle_without_exit():
    # queue ⇄ hold music forever: a loop with no edge out of it.
    document = graph(
        VALID_NODES + " queue:queue hold:ivr_menu",
        VALID_EDGES + " menu>queue queue>hold hold>queue",
    )
    found = problem(document, "cycle_without_exit")
    assert codes(document) == ["cycle_without_exit"]
    assert found.nodes == ("queue", "hold")
    assert "loop forever through queue → hold" in found.message


def test_a_self_loop_without_exit_is_a_self_loop_and_a_cycle():
    document = graph(VALID_NODES + " queue:queue", VALID_EDGES + " menu>queue queue>queue")
    assert codes(document) == ["cycle_without_exit", "self_loop"]


def test_a_self_loop_is_a_named_problem_even_with_a_way_out():
    # The queue retries itself on "still busy" but also goes on to triage: no trap, and yet
    # an edge back to the same node is not a call flow anyone can follow.
    document = graph(VALID_NODES + " queue:queue", VALID_EDGES + " menu>queue queue>triage")
    document["edges"].append({"source": "queue", "target": "queue", "condition": "Still busy"})
    assert codes(document) == ["self_loop"]
    found = problem(document, "self_loop")
    assert found.nodes == ("queue",)
    assert found.message.startswith("“Queue” (queue) has an edge back to itself (“Still busy”)")
    assert callflow.PROBLEM_CODES["self_loop"] == "Edge back to the same node"


def test_no_emergency_path():
    document = graph(
        "entry:entry menu:ivr_menu triage:triage_protocol callback:callback end:end",
        "entry>menu menu>triage triage>callback callback>end",
    )
    assert codes(document) == ["no_emergency_path"]
    assert "911" in problem(document, "no_emergency_path").message


def test_an_unreachable_emergency_node_is_no_emergency_path():
    document = graph(VALID_NODES, "entry>menu menu>triage triage>callback callback>end er>end")
    assert codes(document) == ["unreachable_node", "no_emergency_path"]


def test_triage_without_callback_or_transfer():
    document = graph(
        VALID_NODES, "entry>menu menu>triage menu>callback triage>er callback>end er>end"
    )
    found = problem(document, "triage_without_callback_or_transfer")
    assert codes(document) == ["triage_without_callback_or_transfer"]
    assert found.nodes == ("triage",)
    assert "neither a callback nor a warm transfer" in found.message


def test_a_warm_transfer_after_the_triage_counts():
    document = graph(
        VALID_NODES + " md:warm_transfer",
        "entry>menu menu>triage menu>er triage>md md>end triage>er callback>end er>end"
        " menu>callback",
    )
    assert call_flow_validate(document) == []


def test_end_with_exit():
    document = graph(VALID_NODES, VALID_EDGES + " end>menu")
    assert codes(document) == ["end_with_exit"]


def test_several_problems_are_all_reported_in_a_stable_order():
    document = graph(
        "entry:entry triage:triage_protocol vm:voicemail orphan:queue end:end",
        "entry>triage triage>vm triage>end orphan>end",
    )
    assert codes(document) == [
        "unreachable_node",
        "path_without_end",
        "no_emergency_path",
        "triage_without_callback_or_transfer",
    ]


def test_problems_are_plain_data():
    found = call_flow_validate(graph(VALID_NODES + " vm:voicemail", VALID_EDGES + " vm>end"))
    assert found[0].as_dict() == {
        "code": "unreachable_node",
        "message": "“Vm” (voicemail) cannot be reached from the entry.",
        "nodes": ["vm"],
    }


def test_a_long_chain_does_not_hit_the_recursion_limit(monkeypatch):
    keys = [f"q{i}" for i in range(3000)]
    document = graph(
        "entry:entry er:emergency_escalation end:end " + " ".join(f"{k}:queue" for k in keys),
        "entry>er er>end entry>q0 "
        + " ".join(f"{a}>{b}" for a, b in itertools.pairwise(keys))
        + f" {keys[-1]}>end",
    )
    with pytest.raises(GraphError, match="at most 500"):
        call_flow_validate(document)
    monkeypatch.setattr(callflow, "MAX_NODES", 10_000)
    monkeypatch.setattr(callflow, "MAX_EDGES", 10_000)
    assert call_flow_validate(document) == []


# --- documents that are not graphs -------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], 'The graph must be an object with "nodes" and "edges".'),
        ({"nodes": {}}, "nodes: must be a list."),
        ({"nodes": [], "edges": [], "layout": {}}, "unknown field “layout”"),
        ({"nodes": ["entry"]}, "nodes[0]: must be an object"),
        ({"nodes": [{"kind": "entry"}]}, "nodes[0].key: is required."),
        ({"nodes": [{"key": "a b", "kind": "entry"}]}, "nodes[0].key: “a b” is not a valid key"),
        ({"nodes": [{"key": "a", "kind": "ivr"}]}, "nodes[0].kind: “ivr” is not a node kind"),
        ({"nodes": [{"key": "a", "kind": "end", "x": 3}]}, "nodes[0]: unknown field “x”."),
        (
            {"nodes": [{"key": "a", "kind": "end"}, {"key": "a", "kind": "end"}]},
            "nodes[1].key: the key “a” is used twice.",
        ),
        (
            {"nodes": [{"key": "a", "kind": "end"}], "edges": [{"source": "a", "target": "b"}]},
            "edges[0].target: there is no node “b”.",
        ),
        (
            {
                "nodes": [{"key": "a", "kind": "entry"}, {"key": "b", "kind": "end"}],
                "edges": [{"source": "a", "target": "b"}, {"source": "a", "target": "b"}],
            },
            "edges[1]: there is already an edge from “a” to “b”",
        ),
        ({"nodes": [{"key": "a", "kind": "end", "label": 7}]}, "nodes[0].label: must be text."),
    ],
)
def test_malformed_documents_name_the_place(document, message):
    with pytest.raises(GraphError) as caught:
        parse_graph(document)
    assert message in str(caught.value)


def test_parsing_trims_text_and_fills_empty_conditions():
    parsed = parse_graph(
        {
            "nodes": [
                {"key": " a ", "kind": "entry", "label": "  Start "},
                {"key": "b", "kind": "end"},
            ],
            "edges": [{"source": "a", "target": "b"}],
        }
    )
    assert parsed.as_document() == {
        "nodes": [
            {"key": "a", "kind": "entry", "label": "Start"},
            {"key": "b", "kind": "end", "label": ""},
        ],
        "edges": [{"source": "a", "target": "b", "condition": ""}],
    }


def test_an_exported_document_parses_to_its_graph():
    exported = {"format": "switchboard.call-flow/1", "graph": AFTER_HOURS_TRIAGE_CURRENT}
    assert parse_graph(exported).as_document() == AFTER_HOURS_TRIAGE_CURRENT


# --- diff --------------------------------------------------------------------------------------


def test_diff_of_identical_versions_is_empty():
    assert diff_is_empty(call_flow_diff(AFTER_HOURS_TRIAGE_CURRENT, AFTER_HOURS_TRIAGE_CURRENT))


def test_diff_lists_nodes_and_edges_added_removed_and_changed():
    before = graph(VALID_NODES, VALID_EDGES)
    after = copy.deepcopy(before)
    after["nodes"] = [n for n in after["nodes"] if n["key"] != "callback"]
    after["nodes"].append({"key": "md", "kind": "warm_transfer", "label": "On-call MD"})
    after["nodes"][1]["label"] = "New greeting"
    after["edges"] = [e for e in after["edges"] if "callback" not in (e["source"], e["target"])]
    after["edges"] += [
        {"source": "triage", "target": "md", "condition": "Physician needed"},
        {"source": "md", "target": "end", "condition": ""},
    ]
    after["edges"][0]["condition"] = "Always"

    diff = call_flow_diff(before, after)

    assert diff["nodes_added"] == [{"key": "md", "kind": "warm_transfer", "label": "On-call MD"}]
    assert diff["nodes_removed"] == [{"key": "callback", "kind": "callback", "label": "Callback"}]
    assert diff["nodes_changed"] == [
        {"key": "menu", "changes": {"label": ["Menu", "New greeting"]}}
    ]
    assert diff["edges_added"] == [
        {"source": "triage", "target": "md", "condition": "Physician needed"},
        {"source": "md", "target": "end", "condition": ""},
    ]
    assert diff["edges_removed"] == [
        {"source": "triage", "target": "callback", "condition": ""},
        {"source": "callback", "target": "end", "condition": ""},
    ]
    assert diff["edges_changed"] == [
        {"source": "entry", "target": "menu", "changes": {"condition": ["", "Always"]}}
    ]


def test_diff_between_the_current_and_future_samples():
    diff = call_flow_diff(AFTER_HOURS_TRIAGE_CURRENT, AFTER_HOURS_TRIAGE_FUTURE)
    assert [change["key"] for change in diff["nodes_changed"]] == [
        "overflow_voicemail",
        "page_on_call",
    ]
    assert diff["nodes_changed"][0]["changes"]["kind"] == ["voicemail", "callback"]
    assert len(diff["edges_changed"]) == 1
    assert not diff["nodes_added"] and not diff["edges_removed"]

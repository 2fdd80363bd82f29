"""Call-flow versions as the pages show them: Cytoscape elements for the diagram (drawn by
static/js/discovery.js from json_script data), plain tables, named problems, diff marks.
"""

from __future__ import annotations

from typing import Any

from discovery.callflow import PROBLEM_CODES
from discovery.models import CallFlow, CallFlowVersion, NodeKind

EMPTY_GRAPH: dict[str, list] = {"nodes": [], "edges": []}


def problem_rows(problems: list[dict]) -> list[dict[str, Any]]:
    return [
        {
            "code": problem["code"],
            "name": PROBLEM_CODES.get(problem["code"], problem["code"]),
            "message": problem["message"],
            "nodes": problem.get("nodes", []),
        }
        for problem in problems
    ]


def graph_tables(graph: dict, problems: list[dict]) -> dict[str, list]:
    """The graph as plain tables: every node with its kind and problems, every edge with
    the labels of its ends."""
    names_by_node: dict[str, list[str]] = {}
    for problem in problems:
        for key in problem.get("nodes", []):
            names_by_node.setdefault(key, []).append(PROBLEM_CODES.get(problem["code"], ""))
    labels = {node["key"]: node["label"] or node["key"] for node in graph.get("nodes", [])}
    return {
        "nodes": [
            {
                **node,
                "kind_label": NodeKind(node["kind"]).label,
                "problems": names_by_node.get(node["key"], []),
            }
            for node in graph.get("nodes", [])
        ],
        "edges": [
            {
                **edge,
                "source_label": labels.get(edge["source"], edge["source"]),
                "target_label": labels.get(edge["target"], edge["target"]),
            }
            for edge in graph.get("edges", [])
        ],
    }


def diagram(graph: dict, problems: list[dict] = (), marks: dict | None = None) -> dict:
    """What static/js/discovery.js draws (via json_script): Cytoscape elements."""
    marks = marks or {}
    flagged = {key for problem in problems for key in problem.get("nodes", [])}
    return {
        "nodes": [
            {
                "data": {
                    "id": node["key"],
                    "label": node["label"] or node["key"],
                    "kind": node["kind"],
                    "kindLabel": NodeKind(node["kind"]).label,
                    "problem": node["key"] in flagged,
                    "mark": marks.get(node["key"], ""),
                }
            }
            for node in graph.get("nodes", [])
        ],
        "edges": [
            {
                "data": {
                    "id": f"edge-{index}",
                    "source": edge["source"],
                    "target": edge["target"],
                    "label": edge["condition"],
                    "mark": marks.get((edge["source"], edge["target"]), ""),
                }
            }
            for index, edge in enumerate(graph.get("edges", []))
        ],
    }


def graph_of(version: CallFlowVersion | None) -> dict:
    return version.graph if version is not None else EMPTY_GRAPH


def flow_panel(flow: CallFlow, version: CallFlowVersion | None, element_id: str) -> dict:
    problems = version.problems if version is not None else []
    return {
        "flow": flow,
        "version": version,
        "id": element_id,
        "problems": problem_rows(problems),
        "diagram": diagram(graph_of(version), problems),
    }


NODE_KIND_LEGEND = [{"value": value, "label": label} for value, label in NodeKind.choices]


def diff_marks(diff: dict) -> tuple[dict, dict]:
    """Marks for the diagrams of the earlier (`before`) and later (`after`) versions."""
    before: dict = {}
    after: dict = {}
    for node in diff["nodes_removed"]:
        before[node["key"]] = "removed"
    for node in diff["nodes_added"]:
        after[node["key"]] = "added"
    for node in diff["nodes_changed"]:
        before[node["key"]] = after[node["key"]] = "changed"
    for edge in diff["edges_removed"]:
        before[(edge["source"], edge["target"])] = "removed"
    for edge in diff["edges_added"]:
        after[(edge["source"], edge["target"])] = "added"
    for edge in diff["edges_changed"]:
        pair = (edge["source"], edge["target"])
        before[pair] = after[pair] = "changed"
    return before, after


def with_kind_labels(nodes: list[dict]) -> list[dict]:
    return [{**node, "kind_label": NodeKind(node["kind"]).label} for node in nodes]


def kind_labels(name: str, pair: list) -> tuple[str, str]:
    if name == "kind":
        return tuple(NodeKind(value).label if value in NodeKind.values else value for value in pair)
    return tuple(pair)

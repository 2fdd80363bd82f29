"""Call-flow graphs: parsing, validation with named problems, and comparison of versions.

Pure Python over plain data, so the rules are easy to test and to run anywhere (services,
API, pages, imports). A graph document is

    {"nodes": [{"key": "entry", "kind": "entry", "label": "Caller dials"}, ...],
     "edges": [{"source": "entry", "target": "menu", "condition": ""}, ...]}

`parse_graph` refuses documents that are not a graph at all (unknown kinds, edges to missing
nodes, duplicate keys) with a `GraphError` naming the place; `call_flow_validate` lists what
is wrong with a well-formed graph as a nurse-triage call flow.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from django.db import models

MAX_NODES = 500
MAX_EDGES = 2000
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,59}$")
NODE_FIELDS = {"key", "kind", "label"}
EDGE_FIELDS = {"source", "target", "condition"}
DOCUMENT_FORMAT = "switchboard.call-flow/1"


class NodeKind(models.TextChoices):
    """What a node of a call flow does; the rules below read these kinds."""

    ENTRY = "entry", "Entry"
    IVR_MENU = "ivr_menu", "IVR menu"
    QUEUE = "queue", "Queue"
    TRIAGE_PROTOCOL = "triage_protocol", "Triage protocol"
    WARM_TRANSFER = "warm_transfer", "Warm transfer"
    ONCALL_PAGE = "oncall_page", "On-call physician page"
    VOICEMAIL = "voicemail", "Voicemail"
    CALLBACK = "callback", "Callback"
    EMERGENCY_ESCALATION = "emergency_escalation", "Emergency escalation"
    END = "end", "End"


class GraphError(ValueError):
    """The document is not a well-formed call-flow graph; `path` says where."""

    def __init__(self, message: str, path: str = ""):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


@dataclass(frozen=True)
class Node:
    key: str
    kind: str
    label: str = ""


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    condition: str = ""


@dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def as_document(self) -> dict[str, list[dict[str, str]]]:
        return {
            "nodes": [asdict(node) for node in self.nodes],
            "edges": [asdict(edge) for edge in self.edges],
        }

    def node(self, key: str) -> Node:
        return next(node for node in self.nodes if node.key == key)

    def successors(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {node.key: [] for node in self.nodes}
        for edge in self.edges:
            result[edge.source].append(edge.target)
        return result


@dataclass(frozen=True)
class Problem:
    """One named thing wrong with a call flow; `nodes` are the keys it concerns."""

    code: str
    message: str
    nodes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "nodes": list(self.nodes)}


# Codes in the order problems are reported; pages and the API show these names.
PROBLEM_CODES = {
    "no_entry": "No entry",
    "several_entries": "More than one entry",
    "unreachable_node": "Unreachable node",
    "path_without_end": "Path that does not reach an end",
    "cycle_without_exit": "Loop without a way out",
    "self_loop": "Edge back to the same node",
    "no_emergency_path": "No emergency escalation path",
    "triage_without_callback_or_transfer": "Triage without callback or transfer",
    "end_with_exit": "End that leads on",
}


# --- Parsing -------------------------------------------------------------------------------


def _text(item: Mapping, name: str, path: str, *, required: bool, limit: int) -> str:
    value = item.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise GraphError("must be text.", f"{path}.{name}")
    value = value.strip()
    if required and not value:
        raise GraphError("is required.", f"{path}.{name}")
    if len(value) > limit:
        raise GraphError(f"must be at most {limit} characters.", f"{path}.{name}")
    return value


def _items(document: Mapping, name: str, limit: int) -> list:
    items = document.get(name, [])
    if not isinstance(items, list):
        raise GraphError("must be a list.", name)
    if len(items) > limit:
        raise GraphError(f"at most {limit} are allowed.", name)
    return items


def parse_graph(document: Any) -> Graph:
    """A `Graph` from a graph document, or from an exported call-flow document (which holds
    the graph under "graph"). Strings are trimmed; nothing else is guessed."""
    if isinstance(document, Graph):
        return document
    if isinstance(document, Mapping) and isinstance(document.get("graph"), Mapping):
        document = document["graph"]
    if not isinstance(document, Mapping):
        raise GraphError('The graph must be an object with "nodes" and "edges".')
    unknown = set(document) - {"nodes", "edges"}
    if unknown:
        raise GraphError(f'unknown field “{sorted(unknown)[0]}” (expected "nodes", "edges").')

    nodes: list[Node] = []
    seen: set[str] = set()
    for index, item in enumerate(_items(document, "nodes", MAX_NODES)):
        path = f"nodes[{index}]"
        if not isinstance(item, Mapping):
            raise GraphError("must be an object with key, kind and label.", path)
        if extra := set(item) - NODE_FIELDS:
            raise GraphError(f"unknown field “{sorted(extra)[0]}”.", path)
        key = _text(item, "key", path, required=True, limit=60)
        if not KEY_PATTERN.match(key):
            raise GraphError(
                f"“{key}” is not a valid key (letters, digits, '_', '-' and '.').", f"{path}.key"
            )
        if key in seen:
            raise GraphError(f"the key “{key}” is used twice.", f"{path}.key")
        seen.add(key)
        kind = _text(item, "kind", path, required=True, limit=32)
        if kind not in NodeKind.values:
            raise GraphError(
                f"“{kind}” is not a node kind ({', '.join(NodeKind.values)}).", f"{path}.kind"
            )
        nodes.append(
            Node(key=key, kind=kind, label=_text(item, "label", path, required=False, limit=200))
        )

    edges: list[Edge] = []
    pairs: set[tuple[str, str]] = set()
    for index, item in enumerate(_items(document, "edges", MAX_EDGES)):
        path = f"edges[{index}]"
        if not isinstance(item, Mapping):
            raise GraphError("must be an object with source, target and condition.", path)
        if extra := set(item) - EDGE_FIELDS:
            raise GraphError(f"unknown field “{sorted(extra)[0]}”.", path)
        source = _text(item, "source", path, required=True, limit=60)
        target = _text(item, "target", path, required=True, limit=60)
        for name, key in (("source", source), ("target", target)):
            if key not in seen:
                raise GraphError(f"there is no node “{key}”.", f"{path}.{name}")
        if (source, target) in pairs:
            raise GraphError(
                f"there is already an edge from “{source}” to “{target}”; "
                "put both conditions on one edge.",
                path,
            )
        pairs.add((source, target))
        condition = _text(item, "condition", path, required=False, limit=200)
        edges.append(Edge(source=source, target=target, condition=condition))
    return Graph(nodes=tuple(nodes), edges=tuple(edges))


def _graph_of(value: Any) -> Graph:
    """Accepts a Graph, a document, or anything with a `.graph` document (a version)."""
    if hasattr(value, "graph") and not isinstance(value, Mapping):
        value = value.graph
    return parse_graph(value)


# --- Validation ----------------------------------------------------------------------------


def _reachable(successors: Mapping[str, Iterable[str]], start: str) -> set[str]:
    seen = {start}
    stack = [start]
    while stack:
        for target in successors[stack.pop()]:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _strongly_connected(successors: Mapping[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on long flows)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in successors:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            targets = successors[node]
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return components


def _name(graph: Graph, key: str) -> str:
    node = graph.node(key)
    return f"“{node.label or key}” ({NodeKind(node.kind).label.lower()})"


def call_flow_validate(value: Any) -> list[Problem]:
    """Everything wrong with a call flow, each problem named by its code (PROBLEM_CODES).

    A valid flow has exactly one entry; every node is reachable from it; every path from it
    reaches an end (no dead end, no loop without a way out); no edge leads from a node back
    to itself (a retry is a callback or a queue of its own); an emergency escalation is
    reachable; every triage protocol leads on to a callback or a warm transfer; ends lead
    nowhere. `value` is a Graph, a graph document or a call-flow version.
    """
    graph = _graph_of(value)
    successors = graph.successors()
    order = {node.key: position for position, node in enumerate(graph.nodes)}
    kinds = {node.key: node.kind for node in graph.nodes}
    problems: list[Problem] = []

    entries = [node.key for node in graph.nodes if node.kind == NodeKind.ENTRY]
    if not entries:
        problems.append(Problem("no_entry", "The flow has no entry node: calls start nowhere."))
    elif len(entries) > 1:
        problems.append(
            Problem(
                "several_entries",
                f"The flow has {len(entries)} entry nodes ({', '.join(entries)}); "
                "it needs exactly one.",
                tuple(entries),
            )
        )

    if len(entries) == 1:
        reachable = _reachable(successors, entries[0])
        for node in graph.nodes:
            if node.key not in reachable:
                problems.append(
                    Problem(
                        "unreachable_node",
                        f"{_name(graph, node.key)} cannot be reached from the entry.",
                        (node.key,),
                    )
                )
        problems.extend(_paths_without_end(graph, successors, reachable, order))
        if not any(kinds[key] == NodeKind.EMERGENCY_ESCALATION for key in reachable):
            problems.append(
                Problem(
                    "no_emergency_path",
                    "No emergency escalation can be reached from the entry: a caller with "
                    "an emergency has no way to 911 or the emergency department.",
                )
            )

    for edge in graph.edges:
        if edge.source == edge.target:
            problems.append(
                Problem(
                    "self_loop",
                    f"{_name(graph, edge.source)} has an edge back to itself"
                    + (f" (“{edge.condition}”)" if edge.condition else "")
                    + "; send the call on to another node (a callback, a queue or an end).",
                    (edge.source,),
                )
            )
    for node in graph.nodes:
        if node.kind != NodeKind.TRIAGE_PROTOCOL:
            continue
        downstream = _reachable(successors, node.key) - {node.key}
        if not any(kinds[key] in (NodeKind.CALLBACK, NodeKind.WARM_TRANSFER) for key in downstream):
            problems.append(
                Problem(
                    "triage_without_callback_or_transfer",
                    f"{_name(graph, node.key)} leads to neither a callback nor a warm transfer.",
                    (node.key,),
                )
            )
    for node in graph.nodes:
        if node.kind == NodeKind.END and successors[node.key]:
            problems.append(
                Problem(
                    "end_with_exit",
                    f"{_name(graph, node.key)} has outgoing edges; an end finishes the call.",
                    (node.key,),
                )
            )
    codes = list(PROBLEM_CODES)
    problems.sort(key=lambda p: (codes.index(p.code), min((order[k] for k in p.nodes), default=-1)))
    return problems


def _paths_without_end(graph, successors, reachable, order) -> list[Problem]:
    """Regions reachable from the entry that calls cannot leave and that hold no end.

    In the graph of strongly connected components, every node that cannot reach an end
    leads into such a closed region; reporting the regions names each trap once.
    """
    problems: list[Problem] = []
    kinds = {node.key: node.kind for node in graph.nodes}
    for component in _strongly_connected(successors):
        members = set(component)
        if not members <= reachable:
            continue
        leaves = any(t not in members for key in component for t in successors[key])
        if leaves or any(kinds[key] == NodeKind.END for key in component):
            continue
        keys = tuple(sorted(component, key=order.__getitem__))
        if len(keys) == 1 and keys[0] not in successors[keys[0]]:
            problems.append(
                Problem(
                    "path_without_end",
                    f"Calls reaching {_name(graph, keys[0])} go no further and never reach an end.",
                    keys,
                )
            )
        else:
            loop = " → ".join(keys)
            problems.append(
                Problem(
                    "cycle_without_exit",
                    f"Calls can loop forever through {loop}: the loop has no way out to an end.",
                    keys,
                )
            )
    return problems


# --- Comparison ----------------------------------------------------------------------------


def call_flow_diff(a: Any, b: Any) -> dict[str, list[dict[str, Any]]]:
    """What changed from `a` to `b`: nodes by key, edges by (source, target).

    `changed` lists each field that differs as `[before, after]`.
    """
    old, new = _graph_of(a), _graph_of(b)
    old_nodes = {node.key: node for node in old.nodes}
    new_nodes = {node.key: node for node in new.nodes}
    old_edges = {(edge.source, edge.target): edge for edge in old.edges}
    new_edges = {(edge.source, edge.target): edge for edge in new.edges}

    def changes(before, after, fields) -> dict[str, list[str]]:
        return {
            name: [getattr(before, name), getattr(after, name)]
            for name in fields
            if getattr(before, name) != getattr(after, name)
        }

    nodes_changed = []
    for key, node in new_nodes.items():
        if key in old_nodes and (delta := changes(old_nodes[key], node, ("kind", "label"))):
            nodes_changed.append({"key": key, "changes": delta})
    edges_changed = []
    for pair, edge in new_edges.items():
        if pair in old_edges and (delta := changes(old_edges[pair], edge, ("condition",))):
            edges_changed.append({"source": pair[0], "target": pair[1], "changes": delta})
    return {
        "nodes_added": [asdict(n) for k, n in new_nodes.items() if k not in old_nodes],
        "nodes_removed": [asdict(n) for k, n in old_nodes.items() if k not in new_nodes],
        "nodes_changed": nodes_changed,
        "edges_added": [asdict(e) for p, e in new_edges.items() if p not in old_edges],
        "edges_removed": [asdict(e) for p, e in old_edges.items() if p not in new_edges],
        "edges_changed": edges_changed,
    }


def diff_is_empty(diff: Mapping[str, list]) -> bool:
    return not any(diff.values())
